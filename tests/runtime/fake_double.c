/* fake_double.c: a hand-made model for the standalone main(): one input
** x (2, 2, 3), one output y (12) = 2·x, as the generated code would
** describe it. */
#include "netc/runtime.h"

static const netc_tensor_info inputs[] = {{"x", 3, {2, 2, 3}, 12}};
static const netc_tensor_info outputs[] = {{"y", 1, {12, 0, 0}, 12}};

static void run(const float *const *in, float *const *out) {
    int i;
    for (i = 0; i < 12; i++)
        out[0][i] = 2.0f * in[0][i];
}

const netc_model netc_model_desc = {"double", 1, 1, inputs, outputs, run};

/* no steps to profile */
const netc_profile netc_profile_desc = {0, 0, 0, 0, 0};
