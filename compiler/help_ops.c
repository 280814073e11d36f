/* help_ops.c: `netc help ops` and `netc help OP`, from the op table.
**
** Everything printed comes from ops.def and attrs.def, so a new op is
** documented here by its row; docs/language.md holds the full rules (shape,
** counts, receptive field) that one line cannot.
*/
#include "netc.h"

#include <stdio.h>
#include <string.h>

static const char *const op_docs[OP__COUNT] = {
#define OP(id, mn, mx, rank, al, rq, sh, rf, cnt, flags, wk, act, kern, doc, ...) [OP_##id] = doc,
#include "ops.def"
#undef OP
};

static void attrs(Buf *b, unsigned mask, const char *sep) {
    int k = 0;
    for (int j = 0; j < ATTR__COUNT; j++)
        if (mask & (1u << j))
            buf_printf(b, "%s%s", k++ ? sep : "", attr_names[j]);
    if (!k)
        buf_puts(b, "none");
}

static const char *inputs_text(const OpInfo *o) {
    if (o->min_in == 0)
        return "none";
    if (o->max_in == 1)
        return o->in_rank == 3 ? "one spatial tensor" : o->in_rank == 1 ? "one flat tensor" : "one tensor";
    return "two or more tensors";
}

int help_ops(const char *name) {
    Buf b = {0};
    if (!name) {
        buf_puts(&b, "The ops of the language ('netc help OP' for one; docs/language.md for\n"
                     "every rule):\n\n");
        for (int i = 0; i < OP__COUNT; i++)
            buf_printf(&b, "  %-18s %s\n", op_info[i].name, op_docs[i]);
        fputs(b.data, stdout);
        buf_free(&b);
        return 0;
    }
    int op = op_lookup(name);
    if (op < 0) {
        buf_free(&b);
        return -1;
    }
    const OpInfo *o = &op_info[op];
    buf_printf(&b, "%s: %s\n\n", o->name, op_docs[op]);
    buf_printf(&b, "  inputs:     %s\n", inputs_text(o));
    buf_puts(&b, "  required:   ");
    attrs(&b, o->required, ", ");
    buf_puts(&b, "\n  optional:   ");
    attrs(&b, o->allowed & ~o->required, ", ");
    buf_puts(&b, "\n  weights:    ");
    switch (o->weights) {
    case WK_NONE:
        buf_puts(&b, "none");
        break;
    case WK_CONV:
        buf_puts(&b, "NAME.weight [out, in/groups, kh, kw], NAME.bias [out]");
        break;
    case WK_DEPTHWISE:
        buf_puts(&b, "NAME.weight [C·multiplier, 1, kh, kw], NAME.bias [C·multiplier]");
        break;
    case WK_DENSE:
        buf_puts(&b, "NAME.weight [out, in], NAME.bias [out]");
        break;
    case WK_NORM:
        buf_puts(&b, "NAME.weight, NAME.bias, NAME.running_mean, NAME.running_var [C]");
        break;
    case WK_CONVT:
        buf_puts(&b, "NAME.weight [in, out/groups, kh, kw], NAME.bias [out]");
        break;
    }
    buf_puts(&b, "\n\nShapes, parameter and MAC counts and receptive fields: docs/language.md.\n");
    fputs(b.data, stdout);
    buf_free(&b);
    return 0;
}
