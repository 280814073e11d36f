/* fuzz_safetensors.c: the weights reader as a libFuzzer target.
**
** A weights file comes from wherever the user downloaded it, so its reader
** is the other place where netc parses bytes it did not write. The bytes are
** one safetensors file. They go through st_parse, and where it accepts
** them, every tensor is looked up by name and every F32 tensor converted;
** then through weights_bind against a small fixed network with every kind
** of weighted layer (conv2d, depthwise_conv2d, batchnorm, dense), with
** unexpected tensors allowed or not by the input's length, and the
** diagnostics printed into memory.
**
** Besides crashes and sanitizer reports, the target checks what weights.h
** promises of an accepted file: each tensor's bytes lie inside the buffer,
** after the header, and hold exactly count × dtype size bytes; names are
** unique; a refusal comes with a reason.
*/
#define _POSIX_C_SOURCE 200809L

#include "netc.h"
#include "weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The network the weights are bound to: tensors c.weight, c.bias,
** d.weight, d.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var,
** fc.weight, fc.bias (corpus-safetensors/ has files that match it). */
static const char net_text[] = "network w {\n"
                               "    x = input(shape=(4, 4, 2));\n"
                               "    c = conv2d(filters=2, kernel=1);\n"
                               "    bn = batchnorm();\n"
                               "    d = depthwise_conv2d(kernel=1);\n"
                               "    f = flatten();\n"
                               "    fc = dense(units=2);\n"
                               "}\n";

static void fail(const char *why, const char *name) {
    fprintf(stderr, "fuzz_safetensors: %s%s%s\n", why, name ? ": " : "", name ? name : "");
    abort();
}

static void check_file(const uint8_t *data, size_t size) {
    StFile f;
    char err[512];
    if (!st_parse(data, size, &f, err, sizeof err)) {
        if (!err[0])
            fail("st_parse refused a file without a reason", NULL);
        return;
    }
    for (int i = 0; i < f.n; i++) {
        const StTensor *t = &f.tensors[i];
        if (st_find(&f, t->name) != t)
            fail("a name that st_find does not find first", t->name);
        if (t->dtype_size == 0 || t->nbytes / t->dtype_size != (size_t)t->count ||
            t->nbytes % t->dtype_size != 0)
            fail("nbytes is not count × dtype size", t->name);
        if (t->data < data + 8 + f.header_len || t->nbytes > size ||
            t->data + t->nbytes > data + size)
            fail("a tensor's bytes lie outside the data section", t->name);
        if (strcmp(t->dtype, "F32") == 0 && t->count > 0) {
            float *x = malloc((size_t)t->count * sizeof *x);
            if (!x)
                continue;
            st_read_f32(t->data, x, (size_t)t->count);
            free(x);
        }
    }
    st_free(&f);
}

static void bind(const uint8_t *data, size_t size) {
    Arena arena = {0};
    WarnConfig cfg = {.rf_min = 0.5};
    for (int i = 0; i < W__COUNT; i++)
        cfg.enabled[i] = true;
    Diags d = {.arena = &arena, .config = &cfg};
    Program p = {.arena = &arena, .diags = &d};
    SourceFile *root = parse_root(&p, "/nonexistent/w.net", "/nonexistent/w.net", net_text,
                                  sizeof net_text - 1);
    if (!root || root->networks.len != 1)
        fail("the fixed network does not parse", NULL);
    Graph *g = resolve_network(&p, root->networks.data[0]);
    analyse(g, &d, &cfg);
    int before = d.errors;
    if (before)
        fail("the fixed network has errors", NULL);

    WeightSet ws;
    bool ok = weights_bind(g, data, size, "/nonexistent/fuzz.safetensors", size % 2 == 1, &d, &ws);
    if (ok != (d.errors == before))
        fail("weights_bind's answer disagrees with its errors", NULL);
    if (ok)
        weights_free(&ws);

    diag_sort(&d);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out) {
        diag_print_text(&d, out, false);
        fclose(out);
    }
    free(text);
    arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_file(data, size);
    bind(data, size);
    return 0;
}
