/* ops.c: the op and attribute tables, built from ops.def and attrs.def. */
#include "netc.h"

#include <string.h>

const OpInfo op_info[OP__COUNT] = {
#define OP(id, mn, mx, rank, allowed, required, sh, rf, cnt, flags, wk, act, ...) \
    {#id, mn, mx, rank, allowed, required, flags, wk, act},
#include "ops.def"
#undef OP
};

const char *const attr_names[ATTR__COUNT] = {
#define ATTR(id, type) #id,
#include "attrs.def"
#undef ATTR
};

const char *const act_names[] = {"linear", "relu", "relu6", "sigmoid", "tanh", "softmax",
                                 "leaky_relu", "silu", "hardswish", "hardsigmoid", "gelu",
                                 "gelu_tanh"};

int op_lookup(const char *name) {
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(op_info[i].name, name) == 0)
            return i;
    return -1;
}

bool op_is_window(OpKind op) {
    return op_info[op].flags & OPF_WINDOW;
}

bool op_is_elementwise(OpKind op) {
    return op_info[op].flags & OPF_ELEMENTWISE;
}

int64_t node_eff_kernel(const Node *n, int ax) {
    return n->dilation[ax] * (n->kernel[ax] - 1) + 1;
}

bool node_is_broadcast(const Node *n, int i) {
    if (!(op_info[n->op].flags & OPF_BROADCAST))
        return false;
    const Shape *b = &n->in[i]->shape;
    if (b->rank != 3 || b->d[0] != 1 || b->d[1] != 1)
        return false;
    for (int k = 0; k < n->nin; k++) {
        const Shape *a = &n->in[k]->shape;
        if (a->rank == 3 && a->d[2] == b->d[2] && a->d[0] * a->d[1] > 1)
            return true;
    }
    return false;
}

bool op_has_weights(OpKind op) {
    return op_info[op].weights != WK_NONE;
}
