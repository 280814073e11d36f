/* helpers.c: building a Program from a string for the unit tests. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

WarnConfig tn_default_config(void) {
    WarnConfig c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < W__COUNT; i++)
        c.enabled[i] = true;
    c.rf_min = 0.5;
    return c;
}

static TestNet *tn_new(void) {
    TestNet *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->cfg = tn_default_config();
    t->diags.arena = &t->arena;
    t->diags.config = &t->cfg;
    t->prog.arena = &t->arena;
    t->prog.diags = &t->diags;
    return t;
}

TestNet *tn_parse_len(const char *src, size_t len) {
    TestNet *t = tn_new();
    t->file = parse_root(&t->prog, "test.net", "test.net", src, len);
    assert_non_null(t->file);
    return t;
}

TestNet *tn_parse(const char *src) {
    return tn_parse_len(src, strlen(src));
}

NetAst *tn_network(TestNet *t, const char *name) {
    if (!t->file)
        return NULL;
    for (int i = 0; i < t->file->networks.len; i++) {
        NetAst *n = t->file->networks.data[i];
        if (!name || strcmp(n->id.name, name) == 0)
            return n;
    }
    return NULL;
}

static void resolve_in(TestNet *t, const char *net) {
    NetAst *n = tn_network(t, net);
    if (!n)
        print_error("no network %s in:\n%s", net ? net : "(first)", tn_dump(t));
    assert_non_null(n);
    t->g = resolve_network(&t->prog, n);
    assert_non_null(t->g);
}

TestNet *tn_resolve(const char *src, const char *net) {
    TestNet *t = tn_parse(src);
    resolve_in(t, net);
    return t;
}

TestNet *tn_analyse_cfg(const char *src, const char *net, const WarnConfig *cfg) {
    TestNet *t = tn_parse(src);
    if (cfg)
        t->cfg = *cfg;
    resolve_in(t, net);
    analyse(t->g, &t->diags, &t->cfg);
    return t;
}

TestNet *tn_analyse(const char *src, const char *net) {
    return tn_analyse_cfg(src, net, NULL);
}

TestNet *tn_analyse_path(const char *path, const char *net) {
    TestNet *t = tn_new();
    t->file = parse_root(&t->prog, path, path, NULL, 0);
    if (!t->file)
        print_error("cannot read %s\n", path);
    assert_non_null(t->file);
    resolve_in(t, net);
    analyse(t->g, &t->diags, &t->cfg);
    return t;
}

void tn_free(TestNet *t) {
    if (!t)
        return;
    arena_free(&t->arena);
    free(t);
}

Node *tn_node(TestNet *t, const char *name) {
    if (!t->g)
        return NULL;
    for (int i = 0; i < t->g->nodes.len; i++) {
        Node *n = graph_node(t->g, i);
        if (n->name && strcmp(n->name, name) == 0)
            return n;
    }
    return NULL;
}

Node *tn_must_node(TestNet *t, const char *name) {
    Node *n = tn_node(t, name);
    if (!n) {
        print_error("no node '%s'; nodes:", name);
        for (int i = 0; t->g && i < t->g->nodes.len; i++)
            print_error(" %s", graph_node(t->g, i)->name);
        print_error("\n%s", tn_dump(t));
    }
    assert_non_null(n);
    return n;
}

Diag *tn_diag(TestNet *t, const char *id) {
    for (int i = 0; i < t->diags.list.len; i++) {
        Diag *g = t->diags.list.data[i];
        if (g->id && strcmp(g->id, id) == 0)
            return g;
    }
    return NULL;
}

Diag *tn_diag_nth(TestNet *t, const char *id, int n) {
    for (int i = 0; i < t->diags.list.len; i++) {
        Diag *g = t->diags.list.data[i];
        if (g->id && strcmp(g->id, id) == 0 && n-- == 0)
            return g;
    }
    return NULL;
}

Diag *tn_diag_msg(TestNet *t, const char *id, const char *msg) {
    for (int i = 0; i < t->diags.list.len; i++) {
        Diag *g = t->diags.list.data[i];
        if (g->id && strcmp(g->id, id) == 0 && strcmp(g->msg, msg) == 0)
            return g;
    }
    return NULL;
}

Diag *tn_diag_at(TestNet *t, int n) {
    if (n < 0 || n >= t->diags.list.len)
        return NULL;
    return t->diags.list.data[n];
}

int tn_count(TestNet *t, const char *id) {
    int k = 0;
    for (int i = 0; i < t->diags.list.len; i++) {
        Diag *g = t->diags.list.data[i];
        if (g->id && strcmp(g->id, id) == 0)
            k++;
    }
    return k;
}

int tn_errors(TestNet *t) {
    int k = 0;
    for (int i = 0; i < t->diags.list.len; i++)
        if (((Diag *)t->diags.list.data[i])->sev == SEV_ERROR)
            k++;
    return k;
}

int tn_warnings(TestNet *t) {
    int k = 0;
    for (int i = 0; i < t->diags.list.len; i++)
        if (((Diag *)t->diags.list.data[i])->sev == SEV_WARNING)
            k++;
    return k;
}

const char *tn_dump(TestNet *t) {
    static const char *sev[] = {"note", "warning", "error"};
    Buf b = {0};
    buf_puts(&b, "");
    for (int i = 0; i < t->diags.list.len; i++) {
        const Diag *g = t->diags.list.data[i];
        buf_printf(&b, "  %d:%d: %s: %.300s [%s]\n", g->span.line, g->span.col, sev[g->sev],
                   g->msg, g->id ? g->id : "");
        for (int k = 0; k < g->notes.len; k++) {
            const Note *n = g->notes.data[k];
            buf_printf(&b, "    %d:%d: note: %.300s\n", n->span.line, n->span.col, n->msg);
        }
    }
    char *s = arena_strdup(&t->arena, b.data);
    buf_free(&b);
    return s;
}
