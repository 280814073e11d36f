/* fuzz_parser.c: the whole front end as a libFuzzer target.
**
** The bytes are one `.net` file. They go through what `netc check` does:
** parse_root, then for every network resolve_network and analyse with every
** warning on, then diag_sort, and the diagnostics printed as text (quoting
** source lines under a caret), as JSON and as SARIF, into memory. Each
** graph is written as DOT, as `netc graph` does even when there are errors.
** Where the file has no errors, what `netc summary` and `netc rf` print is
** made too (memory plan, layer tables, field growth). The arena is freed at
** the end: nothing outlives one input.
**
** Imports must not touch the real file system: a fuzzer that finds
** `import "/dev/zero";` would hang, and one that reads /etc would not be
** reproducible. The root's name lies in a directory that does not exist, so
** a relative import fails, and the link wraps read_file (-Wl,--wrap, see
** CMakeLists.txt) so that an absolute one does too: every import ends in an
** `import` error, deterministically.
**
** Besides crashes and sanitizer reports, the target checks what netc
** promises (docs/language.md, "Diagnostics and output"): every diagnostic has a message and a location inside its file,
** 1-based; the error count is the number of errors listed; and the JSON
** and SARIF outputs parse as JSON (with cJSON, which netc links anyway).
** A broken promise aborts, so the fuzzer keeps the input.
*/
#define _POSIX_C_SOURCE 200809L

#include "netc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The name the input is parsed under: a path in a directory that does not
** exist. */
#define FUZZ_PATH "/nonexistent/fuzz.net"

#ifndef NETC_FUZZ_NO_WRAP
char *__wrap_read_file(const char *path, size_t *len);

/* Every file an input imports is missing. */
char *__wrap_read_file(const char *path, size_t *len) {
    (void)path;
    *len = 0;
    errno = ENOENT;
    return NULL;
}
#endif

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

/* Output netc calls JSON must be JSON. */
static void check_json(const Buf *b, const char *what) {
    cJSON *doc = cJSON_ParseWithLength(b->data ? b->data : "", b->len);
    if (!doc) {
        fprintf(stderr, "fuzz_parser: %s is not valid JSON near: %.60s\n", what,
                cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
        abort();
    }
    cJSON_Delete(doc);
}

/* Prints the diagnostics the three ways netc check does, into memory. */
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

    for (int i = 0; i <= p->files.len; i++) {
        Buf json = {0};
        /* the last round: diagnostics about no file */
        diag_json_list(d, i < p->files.len ? p->files.data[i] : NULL, &json, 4);
        check_json(&json, "a file's diagnostics list");
        buf_free(&json);
    }

    Buf sarif = {0};
    sarif_write(d, NULL, &sarif);
    check_json(&sarif, "the SARIF log");
    buf_free(&sarif);
}

/* What netc graph, netc summary and netc rf print about one network. */
static void print_graph(const Graph *g, const Diags *d) {
    Buf b = {0};
    dot_write(g, d, &b);
    buf_free(&b);
    if (d->errors)
        return; /* the other commands stop at the diagnostics */
    MemPlan mp;
    if (memplan_build(g, &mp)) {
        summary_text(g, &mp, &b);
        buf_free(&b);
        summary_json(g, &mp, &b);
        check_json(&b, "the summary");
        buf_free(&b);
        memplan_free(&mp);
    }
    const Node *n = rfview_default(g);
    if (n) {
        rfview_text(g, n, &b);
        rfview_svg(g, n, 0.5, &b);
    }
    buf_free(&b);
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

    for (int i = 0; i < graphs.len; i++)
        print_graph(graphs.data[i], &d);
    arena_free(&arena);
    return 0;
}
