/* fuzz_onnx.c: the ONNX reader as a libFuzzer target.
**
** An ONNX model comes from wherever the user downloaded it. The bytes are
** one model file: onnx_read parses them under its allocation budget, and
** where it accepts them, the target checks what onnx.h promises: every
** tensor with data holds exactly the product of its dimensions, every
** name is a string, every attribute list has its length. A refusal must
** come with a reason. An accepted model then goes through the importer
** (onnx_import.c), which must either write a network or list issues.
*/
#include "onnx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile double sink;

static void touch_tensor(const OnnxTensor *t) {
    int64_t n = 1;
    for (int k = 0; k < t->rank; k++)
        n *= t->dims[k];
    if (n != t->count || strlen(t->name) > (size_t)-2)
        abort();
    /* a tensor of a type netc does not read has a shape and no data */
    for (int64_t k = 0; (t->f || t->i) && k < t->count; k++)
        sink += t->f ? t->f[k] : (double)t->i[k];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Arena a = {0};
    OnnxModel m;
    char err[512] = "";
    if (!onnx_read(&a, data, size, &m, err, sizeof err)) {
        if (!err[0])
            abort(); /* a refusal without a reason */
        arena_free(&a);
        return 0;
    }
    for (int k = 0; k < m.ninit; k++)
        touch_tensor(&m.init[k]);
    for (int k = 0; k < m.nnode; k++) {
        const OnnxNode *n = &m.node[k];
        sink += (double)(strlen(n->name) + strlen(n->op) + strlen(n->domain));
        for (int j = 0; j < n->nin; j++)
            sink += (double)strlen(n->in[j]);
        for (int j = 0; j < n->nout; j++)
            sink += (double)strlen(n->out[j]);
        for (int j = 0; j < n->nattr; j++) {
            const OnnxAttr *at = &n->attr[j];
            if (at->type == ONNX_ATTR_TENSOR)
                touch_tensor(at->t);
            for (int i = 0; i < at->n; i++)
                sink += at->type == ONNX_ATTR_INTS ? (double)at->ints[i] : at->floats[i];
        }
    }
    OnnxImport im;
    bool ok = onnx_import(&a, &m, "fuzz", NULL, &im);
    if (ok == (im.issues.len > 0) || (ok && !im.net.len))
        abort();
    buf_free(&im.net);
    arena_free(&a);
    return 0;
}
