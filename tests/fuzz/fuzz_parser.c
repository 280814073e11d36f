/* fuzz_parser.c: the whole front end as a libFuzzer target.
**
** The bytes are one `.net` file. They go through what `netc check` does:
** parse_root, then for every network resolve_network and analyse with every
** warning on, then diag_sort, and the diagnostics printed as text (quoting
** source lines under a caret) and as JSON, into memory. Where the file has
** no errors the layer tables are printed too, as `netc summary` would. The
** arena is freed at the end: nothing outlives one input.
**
** Imports must not touch the real file system: a fuzzer that finds
** `import "/dev/zero";` would hang, and one that reads /etc would not be
** reproducible. The root's name lies in a directory that does not exist, so
** a relative import fails, and the link wraps read_file (-Wl,--wrap, see
** CMakeLists.txt) so that an absolute one does too: every import ends in an
** `import` error, deterministically.
**
** Besides crashes and sanitizer reports, the target checks what CLI.md
** promises of every diagnostic: a location inside the file, 1-based.
** A broken promise aborts, so the fuzzer keeps the input.
*/
#define _POSIX_C_SOURCE 200809L

#include "netc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The name the input is parsed under: a path in a directory that does not
** exist. */
#define FUZZ_PATH "/nonexistent/fuzz.net"

char *__real_read_file(const char *path, size_t *len);
char *__wrap_read_file(const char *path, size_t *len);

/* Every file an input imports is missing. */
char *__wrap_read_file(const char *path, size_t *len) {
    (void)path;
    *len = 0;
    errno = ENOENT;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A diagnostic's place must lie in its file: lines 1..nlines, columns from
** 1, or line 0 for "not about a line". */
static void check_span(const SourceFile *f, Span s, const char *what) {
    if (!f || s.line == 0)
        return;
    if (s.line < 1 || s.line > f->nlines || s.col < 1) {
        fprintf(stderr, "fuzz_parser: %s at %d:%d lies outside the file (%d lines)\n", what,
                s.line, s.col, f->nlines);
        abort();
    }
}

static void check_diags(const Diags *d) {
    int errors = 0;
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        check_span(g->file, g->span, "a diagnostic");
        for (int k = 0; k < g->notes.len; k++) {
            const Note *n = g->notes.data[k];
            check_span(n->file, n->span, "a note");
        }
        if (!g->msg || !g->msg[0]) {
            fputs("fuzz_parser: a diagnostic without a message\n", stderr);
            abort();
        }
        errors += g->sev == SEV_ERROR;
    }
    if (errors != d->errors) {
        fprintf(stderr, "fuzz_parser: %d errors listed, %d counted\n", errors, d->errors);
        abort();
    }
}

/* Prints the diagnostics the two ways netc check does, into memory. */
static void print_diags(const Program *p, bool color) {
    const Diags *d = p->diags;
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (out) {
        diag_print_text(d, out, color);
        fclose(out);
    }
    free(text);

    Buf json = {0};
    for (int i = 0; i < p->files.len; i++)
        diag_json_list(d, p->files.data[i], &json, 4);
    diag_json_list(d, NULL, &json, 4); /* diagnostics about no file */
    buf_free(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Arena arena = {0};
    WarnConfig cfg = {.rf_min = 0.5};
    for (int i = 0; i < W__COUNT; i++)
        cfg.enabled[i] = true;
    Diags d = {.arena = &arena, .config = &cfg};
    Program p = {.arena = &arena, .diags = &d};

    /* parse_root copies the text, so `data` itself is never written. */
    SourceFile *root = parse_root(&p, FUZZ_PATH, FUZZ_PATH, size ? (const char *)data : "", size);
    Vec graphs = {0};
    if (root) {
        for (int i = 0; i < root->networks.len; i++) {
            Graph *g = resolve_network(&p, root->networks.data[i]);
            analyse(g, &d, &cfg);
            vec_push(&arena, &graphs, g);
        }
    }
    diag_sort(&d);
    check_diags(&d);
    /* the colour escapes take another path through the caret printer */
    print_diags(&p, size % 2 == 1);

    /* netc summary prints the tables only when there is no error */
    if (d.errors == 0) {
        Buf b = {0};
        for (int i = 0; i < graphs.len; i++) {
            summary_text(graphs.data[i], &b);
            summary_json(graphs.data[i], &b);
        }
        buf_free(&b);
    }
    arena_free(&arena);
    return 0;
}
