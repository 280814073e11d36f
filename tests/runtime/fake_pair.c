/* fake_pair.c: a hand-made model with two inputs and two outputs:
** a (4) and b (2, 1, 2) give sum (4) = a + b and neg (2, 1, 2) = -b. */
#include "netc/runtime.h"

static const netc_tensor_info inputs[] = {{"a", 1, {4, 0, 0}, 4}, {"b", 3, {2, 1, 2}, 4}};
static const netc_tensor_info outputs[] = {{"sum", 1, {4, 0, 0}, 4}, {"neg", 3, {2, 1, 2}, 4}};

static void run(const float *const *in, float *const *out) {
    int i;
    for (i = 0; i < 4; i++) {
        out[0][i] = in[0][i] + in[1][i];
        out[1][i] = -in[1][i];
    }
}

const netc_model netc_model_desc = {"pair", 2, 2, inputs, outputs, run};

/* no steps to profile */
const netc_profile netc_profile_desc = {0, 0, 0, 0, 0};
