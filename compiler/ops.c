/* ops.c: the op and attribute tables, built from ops.def and attrs.def. */
#include "netc.h"

#include <string.h>

const OpInfo op_info[OP__COUNT] = {
#define OP(id, mn, mx, rank, allowed, required, sh, rf, cnt) {#id, mn, mx, rank, allowed, required},
#include "ops.def"
#undef OP
};

const char *const attr_names[ATTR__COUNT] = {
#define ATTR(id, type) #id,
#include "attrs.def"
#undef ATTR
};

const char *const act_names[] = {"linear", "relu", "relu6", "sigmoid", "tanh", "softmax",
                                 "leaky_relu"};

int op_lookup(const char *name) {
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(op_info[i].name, name) == 0)
            return i;
    return -1;
}

bool op_is_window(OpKind op) {
    return op == OP_conv2d || op == OP_depthwise_conv2d || op == OP_maxpool2d ||
           op == OP_avgpool2d || op == OP_zeropad2d;
}

bool op_is_elementwise(OpKind op) {
    return op == OP_batchnorm || op == OP_relu || op == OP_relu6 || op == OP_sigmoid ||
           op == OP_tanh || op == OP_softmax || op == OP_linear || op == OP_leaky_relu ||
           op == OP_dropout;
}

int64_t node_eff_kernel(const Node *n, int ax) {
    return n->dilation[ax] * (n->kernel[ax] - 1) + 1;
}

bool op_has_weights(OpKind op) {
    return op == OP_conv2d || op == OP_depthwise_conv2d || op == OP_dense || op == OP_batchnorm;
}
