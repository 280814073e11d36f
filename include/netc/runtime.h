/* netc/runtime.h: what a standalone netc binary is made of.
**
** `netc build model.net -o model` compiles the generated inference code
** together with the runtime's main() (runtime/main.c) and .npy reader
** (runtime/npy.c). The generated code describes its network to main()
** through one constant, `netc_model_desc`: the inputs and outputs in
** declaration order, their shapes (HWC, channels last, float32), and a
** function that runs the network once. For a network `mnist`:
**
**     static const netc_tensor_info netc_in_info[] = {
**         {"x", 3, {28, 28, 1}, 784},
**     };
**     static const netc_tensor_info netc_out_info[] = {
**         {"dense_2", 1, {10, 1, 1}, 10},
**     };
**     static void netc_run_all(const float *const *in, float *const *out)
**     {
**         mnist_run(in[0], out[0]);
**     }
**     const netc_model netc_model_desc = {"mnist", 1, 1, netc_in_info, netc_out_info,
**                                         netc_run_all};
**
** C99, libc and libm only.
*/
#ifndef NETC_RUNTIME_H
#define NETC_RUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One input or output tensor of a network. */
typedef struct netc_tensor_info {
    const char *name; /* the tensor's name in the .net file */
    int rank;         /* 3: (H, W, C), channels last; 1: (n) */
    size_t dims[3];   /* the first `rank` entries are used */
    size_t count;     /* floats: the product of dims */
} netc_tensor_info;

/* A compiled network. */
typedef struct netc_model {
    const char *name; /* the network's name */
    int n_inputs, n_outputs;
    const netc_tensor_info *inputs;  /* n_inputs, in declaration order */
    const netc_tensor_info *outputs; /* n_outputs, in output order */
    /* Runs the network once: inputs[i] holds inputs[i].count floats,
    ** outputs[i] room for outputs[i].count. Not reentrant. */
    void (*run)(const float *const *inputs, float *const *outputs);
} netc_model;

/* Defined by the generated code of a standalone binary. */
extern const netc_model netc_model_desc;

/* The steps of the compiled network, for --profile: per step its layer,
** what it computes ("conv direct", "add", ...; docs/build.md) and its
** floating-point operations (2 per multiply-add, 0 where none are
** counted). While *hook is set, the code calls it after each step with the
** step's index. */
typedef struct netc_profile {
    int n_steps;
    const char *const *layers;
    const char *const *kinds;
    const double *flops;
    void (**hook)(int step);
} netc_profile;

extern const netc_profile netc_profile_desc;

/* Gives netc_main the steps for --profile (main() passes netc_profile_desc). */
void netc_set_profile(const netc_profile *p);

/* The standalone binary's command line (runtime/main.c's main() calls it
** with netc_model_desc):
**
**     MODEL INPUT... [--top=K] [-o OUT.npy]...
**
** Returns the exit status: 0 ok, 1 bad input data (wrong size, shape or
** type), 2 bad usage or a file that cannot be read or written. */
int netc_main(const netc_model *m, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
