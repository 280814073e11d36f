/* fuzz_safetensors.c: libFuzzer entry point for the safetensors reader and
** the weights binder.
**
** Every input goes through st_parse; a file it accepts has every byte of
** every tensor read (so a range that st_parse let through outside the
** buffer shows under ASan), then is bound to a small fixed graph (convs,
** depthwise, batchnorm, dense, a block), whose diagnostics are formatted.
**
** By hand, from the repository root (corpus in tests/runtime/corpus/safetensors):
**
**     B=build-rt-fuzz; cmake -S . -B $B && cmake --build $B --target netcfront
**     clang -g -O1 -fsanitize=fuzzer,address,undefined -Icompiler -I$B \
**         tests/runtime/fuzz_safetensors.c compiler/safetensors.c compiler/weights.c \
**         $B/libnetcfront.a -lcjson -lm -o $B/fuzz_safetensors
**     $B/fuzz_safetensors -max_total_time=120 CORPUS_COPY tests/runtime/corpus/safetensors
**
** CI replays the corpus with fuzz_replay.c (ctest runtime_fuzz_safetensors).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weights.h"

static const char NET[] =
    "block unit(x, *, f) {\n"
    "    c = conv2d(x, filters=f, kernel=1, groups=2);\n"
    "    b = batchnorm();\n"
    "    return b;\n"
    "}\n"
    "network t {\n"
    "    x = input(shape=(4, 4, 2));\n"
    "    c = conv2d(filters=2, kernel=3, padding=same);\n"
    "    d = depthwise_conv2d(kernel=1, multiplier=2, bias=false);\n"
    "    u.0 = unit(f=4);\n"
    "    b = batchnorm();\n"
    "    g = global_maxpool2d();\n"
    "    f = dense(units=2);\n"
    "}\n";

static Arena graph_arena;
static Graph *graph;

static Graph *the_graph(void) {
    if (graph)
        return graph;
    static Diags d;
    static Program p;
    d.arena = &graph_arena;
    p.arena = &graph_arena;
    p.diags = &d;
    SourceFile *f = parse_root(&p, "fuzz.net", "fuzz.net", NET, sizeof NET - 1);
    if (!f || f->networks.len != 1 || d.errors) {
        fputs("fuzz_safetensors: the fixed network does not compile\n", stderr);
        abort();
    }
    graph = resolve_network(&p, f->networks.data[0]);
    analyse(graph, &d, NULL);
    if (d.errors) {
        fputs("fuzz_safetensors: the fixed network has errors\n", stderr);
        abort();
    }
    return graph;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    StFile f;
    char err[512];
    if (st_parse(data, size, &f, err, sizeof err)) {
        unsigned sum = 0;
        for (int i = 0; i < f.n; i++) {
            const StTensor *t = &f.tensors[i];
            if (strcmp(t->dtype, "F32") == 0) {
                float chunk[64];
                for (int64_t k = 0; k < t->count; k += 64) {
                    size_t n = t->count - k < 64 ? (size_t)(t->count - k) : 64;
                    st_read_f32(t->data + 4 * k, chunk, n);
                    sum += (unsigned)(chunk[0] != chunk[0]);
                }
            } else {
                for (size_t k = 0; k < t->nbytes; k++)
                    sum += t->data[k];
            }
            if (st_find(&f, t->name) == NULL)
                abort(); /* every name is found */
        }
        (void)sum;
        st_free(&f);
    } else if (strlen(err) == 0) {
        abort(); /* a refusal always says why */
    }

    Arena a = {0};
    Diags d = {.arena = &a};
    WeightSet ws;
    if (weights_bind(the_graph(), data, size, "fuzz.safetensors", size & 1, &d, &ws))
        weights_free(&ws);
    else if (d.errors == 0)
        abort(); /* a failure is always reported */
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        diag_sort(&d);
        diag_print_text(&d, null, false);
        fclose(null);
    }
    arena_free(&a);
    return 0;
}
