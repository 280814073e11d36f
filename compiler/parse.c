/* parse.c: files and imports.
**
** parse_root reads a file the user named; parse_text runs the scanner and
** the parser over one file's text, then follows its imports. An import path
** is relative to the importing file. A file is parsed once, however often it
** is imported; a file met again while its own imports are still being read
** closes a cycle, which is an `import` error at the import that closed it.
*/
#define _XOPEN_SOURCE 700
#include "netc.h"
#include "parse_internal.h"
#include "parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *yyscan_t;
int netc_yylex_init_extra(LexState *extra, yyscan_t *scanner);
int netc_yylex_destroy(yyscan_t scanner);
void *netc_yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);
int netc_yyparse(yyscan_t scanner, ParseState *ps);

/* Imports deeper than this are certainly a mistake (or an attack). */
enum { MAX_IMPORT_DEPTH = 64 };

static SourceFile *load(Program *p, const char *path, const char *display,
                        const SourceFile *from, Span at, int depth);

static char *dir_of(Arena *a, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash)
        return arena_strdup(a, "");
    return arena_strndup(a, path, (size_t)(slash - path + 1));
}

static void follow_imports(Program *p, SourceFile *f, int depth) {
    for (int i = 0; i < f->imports.len; i++) {
        Import *im = f->imports.data[i];
        if (!im->path[0]) {
            diag_error(p->diags, f, im->span, "import", "empty import path");
            continue;
        }
        const char *path = im->path[0] == '/'
                               ? im->path
                               : arena_printf(p->arena, "%s%s", dir_of(p->arena, f->path), im->path);
        const char *display = im->path[0] == '/'
                                  ? im->path
                                  : arena_printf(p->arena, "%s%s", dir_of(p->arena, f->display), im->path);
        im->file = load(p, path, display, f, im->span, depth + 1);
    }
}

SourceFile *parse_text_depth(Program *p, SourceFile *f, int depth) {
    ParseState ps = {.prog = p, .arena = p->arena, .diags = p->diags, .file = f};
    LexState ls = {.ps = &ps, .line = 1, .col = 1};
    yyscan_t scanner;
    if (netc_yylex_init_extra(&ls, &scanner) != 0) {
        out_of_memory();
    }
    size_t at;
    const char *hint;
    if (f->len > (size_t)INT32_MAX) {
        diag_error(p->diags, f, (Span){1, 1, 1, 1}, "syntax", "file is larger than 2 GiB");
    } else if (source_binary(f, &at, &hint)) {
        /* one error, not one per byte of an executable (docs/language.md) */
        Diag *g = diag_error(p->diags, f, source_span_at(f, at), "binary",
                             "not a .net file (binary content at byte %zu)", at);
        g->caret_len = -1; /* the line is not text: not quoted */
        if (hint)
            diag_note(p->diags, g, f, (Span){0, 0, 0, 0}, "%s", hint);
    } else {
        netc_yy_scan_bytes(f->text, (int)f->len, scanner);
        netc_yyparse(scanner, &ps);
    }
    netc_yylex_destroy(scanner);
    f->loading = true;
    follow_imports(p, f, depth);
    f->loading = false;
    f->parsed = true;
    return f;
}

static SourceFile *load(Program *p, const char *path, const char *display,
                        const SourceFile *from, Span at, int depth) {
    /* one file, however its path is spelt ("a.net", "./a.net", ".//a.net") */
    char *canon = realpath(path, NULL);
    if (canon) {
        path = arena_strdup(p->arena, canon);
        free(canon);
    }
    for (int i = 0; i < p->files.len; i++) {
        SourceFile *f = p->files.data[i];
        if (strcmp(f->path, path) != 0)
            continue;
        if (f->loading) {
            diag_error(p->diags, from, at, "import", "import cycle: '%s' imports itself through '%s'",
                       f->display, from->display);
            return NULL;
        }
        return f;
    }
    if (depth > MAX_IMPORT_DEPTH) {
        diag_error(p->diags, from, at, "import", "imports nested more than %d deep",
                   MAX_IMPORT_DEPTH);
        return NULL;
    }
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        if (from)
            diag_error(p->diags, from, at, "import", "cannot read '%s': %s", display,
                       strerror(errno));
        return NULL;
    }
    char *copy = arena_alloc(p->arena, len + 1);
    memcpy(copy, text, len);
    free(text);
    SourceFile *f = source_new(p->arena, path, display, copy, len);
    vec_push(p->arena, &p->files, f);
    f->loading = true; /* a cycle back to this file is found while it parses */
    return parse_text_depth(p, f, depth);
}

SourceFile *parse_root(Program *p, const char *path, const char *display,
                       const char *text, size_t len) {
    if (text) {
        char *copy = arena_alloc(p->arena, len + 1);
        memcpy(copy, text, len);
        SourceFile *f = source_new(p->arena, path, display, copy, len);
        vec_push(p->arena, &p->files, f);
        f->loading = true;
        return parse_text_depth(p, f, 0);
    }
    return load(p, path, display, NULL, (Span){0, 0, 0, 0}, 0);
}
