/* resolve.c: from the syntax tree of one network to its graph.
**
** One walk over the network's statements, in source order, does it all:
** each call of an op becomes a Node, each call of a block is expanded in
** place (its statements walked in a new scope whose names get the call's
** prefix), names are looked up and defined, and attribute expressions are
** evaluated and checked against the op's table (ops.def, attrs.def).
**
** Because a name can only be used after its definition, the nodes come out
** in topological order, and every later pass is one loop over them.
**
** A statement with an error still yields a node, marked `bad`, so that its
** name is defined and the statements after it are checked as usual: one
** mistake, one error.
**
** Cost: a call is expanded in time linear in the layers it makes. Its
** names live in tables kept on the block (Block.calls) and emptied in O(1)
** at each call, the blocks a file sees are looked up in one table per file,
** and a block's parameters in one table per block: no call builds a map of
** its own, and nothing is a scan of every block or every name.
*/
#include "netc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on what a block expansion may produce: past them a file is a
** mistake or an attack, and netc says so instead of running out of memory. */
enum { MAX_NODES = 250000, MAX_CALL_DEPTH = 100 };
/* Where counting the layers of a call stops: more is "more than". */
#define LAYERS_CAP ((int64_t)1000000000000000)

/* A hash map from names, in the arena. A map is emptied in O(1) by moving
** it to a new generation: entries of an older one keep their slots (so
** probing still finds the keys in place) but are not found. A block's
** call scope is emptied that way at each call, so a call costs no map of
** its own: its names are the block's, hashed into slots once. */
typedef struct Entry {
    const char *key;
    union {
        Node *node;         /* tensor names */
        const Block *block; /* visible blocks */
        intptr_t count;     /* generated names so far, per callee */
    };
    const SourceFile *file; /* where it was defined, for "first defined here" */
    Span span;
    unsigned gen; /* the map's generation when it was put */
} Entry;

typedef struct Map {
    Entry *slots;
    int cap, len; /* len counts keys of every generation */
    unsigned gen;
} Map;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static Entry *map_find(Map *m, const char *key) {
    if (!m->cap)
        return NULL;
    for (uint64_t i = hash_str(key) & (uint64_t)(m->cap - 1);; i = (i + 1) & (uint64_t)(m->cap - 1)) {
        Entry *e = &m->slots[i];
        if (!e->key)
            return NULL;
        if (strcmp(e->key, key) == 0)
            return e->gen == m->gen ? e : NULL;
    }
}

/* The entry for key in the current generation, made if need be (its value
** then zero). */
static Entry *map_slot(Arena *a, Map *m, const char *key) {
    if ((m->len + 1) * 2 > m->cap) {
        int cap = m->cap ? m->cap * 2 : 4;
        Entry *slots = arena_alloc(a, sizeof(Entry) * (size_t)cap);
        for (int i = 0; i < m->cap; i++) {
            Entry *e = &m->slots[i];
            if (!e->key)
                continue;
            uint64_t j = hash_str(e->key) & (uint64_t)(cap - 1);
            while (slots[j].key)
                j = (j + 1) & (uint64_t)(cap - 1);
            slots[j] = *e;
        }
        m->slots = slots;
        m->cap = cap;
    }
    uint64_t i = hash_str(key) & (uint64_t)(m->cap - 1);
    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (uint64_t)(m->cap - 1);
    Entry *e = &m->slots[i];
    if (!e->key) {
        m->len++;
        e->key = key;
    }
    if (e->gen != m->gen) {
        *e = (Entry){.key = e->key};
        e->gen = m->gen;
    }
    return e;
}

static void map_put(Arena *a, Map *m, const char *key, Node *n, const SourceFile *f, Span s) {
    Entry *e = map_slot(a, m, key);
    e->node = n;
    e->file = f;
    e->span = s;
}

/*
** Values of attribute expressions
*/

typedef enum { V_NONE, V_INT, V_FLOAT, V_BOOL, V_SYM, V_TUPLE } ValKind;

typedef struct Value Value;
struct Value {
    ValKind kind; /* V_NONE: an error was reported */
    int64_t i;
    double f;
    const char *s;
    Value *elems;
    int n;
    Span span;
};

/* A block call's value parameters. */
typedef struct Binding {
    const char *name;
    Value val;
    struct Binding *next;
} Binding;

/* The blocks visible from a file (its own, then its imports'), by name. */
typedef struct Visible {
    const SourceFile *file;
    Map blocks; /* Entry.block */
} Visible;

typedef struct Ctx {
    Program *p;
    Arena *a;
    Diags *d;
    Graph *g;
    Map names; /* every full name of the network */
    Vec visible; /* Visible* */
    bool quiet_start; /* syntax errors lost statements: no "must start with input" */
    bool too_big;
} Ctx;

/* The names of one network body or of the current call of one block. */
typedef struct CallScope {
    Map local;  /* names as written inside the scope */
    Map counts; /* callee -> generated names so far (Entry.count) */
    Map params; /* a block's value parameters: Entry.count is the index + 1 */
    int64_t layers; /* layers a call makes, at most LAYERS_CAP; 0: not yet
                       counted, -1: being counted (a recursion) */
} CallScope;

/* One network body or one block call. */
typedef struct Scope {
    const char *prefix;     /* "" or "layer1.0." */
    Map *local;             /* CallScope.local */
    Map *counts;            /* CallScope.counts */
    Node *prev;             /* the tensor of the statement before */
    Binding *vals;          /* value parameters */
    const Site *site;       /* NULL for the network itself */
    const SourceFile *file; /* blocks are looked up from here */
    bool in_block;
} Scope;

/* A message quotes a value, not a file: past about VALUE_SHOWN characters
** the rest of a value, however long or deeply nested, is one "...". */
enum { VALUE_SHOWN = 60 };

enum { SHOWN, FULL, CUT };

/* Appends v to b. FULL: b was full, nothing written; CUT: a tuple of v was
** cut, "..." standing for the rest. Only the tuple where the cut falls is
** closed, as in `(8, 8, ...)` or `(((...)`. */
static int put_value(Buf *b, const Value *v) {
    if (b->len > VALUE_SHOWN)
        return FULL;
    switch (v->kind) {
    case V_NONE:
        buf_puts(b, "nothing");
        break;
    case V_INT:
        buf_printf(b, "%lld", (long long)v->i);
        break;
    case V_FLOAT: {
        /* a float always shows as one: 3.0, not 3 */
        char t[40];
        snprintf(t, sizeof t, "%g", v->f);
        if (strtod(t, NULL) != v->f)
            snprintf(t, sizeof t, "%.17g", v->f);
        buf_puts(b, t);
        if (!strpbrk(t, ".en"))
            buf_puts(b, ".0");
        break;
    }
    case V_BOOL:
        buf_puts(b, v->i ? "true" : "false");
        break;
    case V_SYM: {
        size_t n = strlen(v->s);
        if (n > VALUE_SHOWN)
            buf_printf(b, "'%.*s...'", VALUE_SHOWN - 3, v->s);
        else
            buf_printf(b, "'%s'", v->s);
        break;
    }
    case V_TUPLE:
        buf_putc(b, '(');
        for (int i = 0; i < v->n; i++) {
            if (i)
                buf_puts(b, ", ");
            int r = put_value(b, &v->elems[i]);
            if (r == FULL)
                buf_puts(b, "...)");
            if (r != SHOWN)
                return CUT;
        }
        if (v->n == 1)
            buf_putc(b, ',');
        buf_putc(b, ')');
        break;
    }
    return SHOWN;
}

static const char *value_str(Ctx *c, const Value *v) {
    Buf b = {0};
    put_value(&b, v);
    char *s = arena_strdup(c->a, b.data);
    buf_free(&b);
    return s;
}

void note_sites(Diags *d, Diag *g, const Site *s) {
    for (; s && g; s = s->up)
        diag_note(d, g, s->file, s->span, "in block '%s', called as '%s' here", s->block,
                  s->prefix);
}

static Diag *err(Ctx *c, const Scope *sc, Span s, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static Diag *err(Ctx *c, const Scope *sc, Span s, const char *id, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    Diag *g = diag_error(c->d, sc->file, s, id, "%s", msg);
    note_sites(c->d, g, sc->site);
    return g;
}

static Value eval(Ctx *c, Scope *sc, const Expr *e);

static Value arith(Ctx *c, Scope *sc, const Expr *e) {
    Value l = eval(c, sc, e->lhs);
    if (e->kind == E_NEG) {
        Value v = l;
        v.span = e->span;
        if (l.kind == V_INT) {
            if (l.i == INT64_MIN) {
                err(c, sc, e->span, "bad-attribute", "integer overflow in '-%lld'", (long long)l.i);
                v.kind = V_NONE;
            }
            v.i = -l.i;
        } else if (l.kind == V_FLOAT) {
            v.f = -l.f;
        } else if (l.kind != V_NONE) {
            err(c, sc, e->span, "bad-attribute", "cannot negate %s", value_str(c, &l));
            v.kind = V_NONE;
        }
        return v;
    }
    Value r = eval(c, sc, e->rhs);
    Value v = {.kind = V_NONE, .span = e->span};
    if (l.kind == V_NONE || r.kind == V_NONE)
        return v;
    static const char opch[] = {[E_ADD] = '+', [E_SUB] = '-', [E_MUL] = '*', [E_DIV] = '/'};
    char op = opch[e->kind];
    bool lnum = l.kind == V_INT || l.kind == V_FLOAT;
    bool rnum = r.kind == V_INT || r.kind == V_FLOAT;
    if (!lnum || !rnum) {
        const Value *bad = lnum ? &r : &l;
        if (bad->kind == V_SYM)
            err(c, sc, bad->span, "undefined", "undefined value '%s' in an expression", bad->s);
        else
            err(c, sc, e->span, "bad-attribute", "cannot apply '%c' to %s", op, value_str(c, bad));
        return v;
    }
    if (l.kind == V_INT && r.kind == V_INT) {
        int64_t x = l.i, y = r.i, z = 0;
        bool ok = true;
        if (e->kind == E_ADD) {
            ok = ck_add(x, y, &z);
        } else if (e->kind == E_SUB) {
            ok = !__builtin_sub_overflow(x, y, &z);
        } else if (e->kind == E_MUL) {
            ok = ck_mul(x, y, &z);
        } else if (y == 0) {
            err(c, sc, e->span, "bad-attribute", "division by zero in %lld / 0", (long long)x);
            return v;
        } else if (x == INT64_MIN && y == -1) {
            ok = false;
        } else if (x % y != 0) {
            err(c, sc, e->span, "bad-attribute",
                "%lld / %lld is not exact: integer division must leave no remainder",
                (long long)x, (long long)y);
            return v;
        } else {
            z = x / y;
        }
        if (!ok) {
            err(c, sc, e->span, "bad-attribute", "integer overflow in %lld %c %lld", (long long)x,
                op, (long long)y);
            return v;
        }
        v.kind = V_INT;
        v.i = z;
        return v;
    }
    double x = l.kind == V_INT ? (double)l.i : l.f;
    double y = r.kind == V_INT ? (double)r.i : r.f;
    double z = e->kind == E_ADD ? x + y : e->kind == E_SUB ? x - y : e->kind == E_MUL ? x * y : x / y;
    if (!isfinite(z)) {
        err(c, sc, e->span, "bad-attribute", "%g %c %g is not a finite number", x, op, y);
        return v;
    }
    v.kind = V_FLOAT;
    v.f = z;
    return v;
}

static Value eval(Ctx *c, Scope *sc, const Expr *e) {
    Value v = {.span = e->span};
    switch (e->kind) {
    case E_INT:
        v.kind = V_INT;
        v.i = e->i;
        return v;
    case E_FLOAT:
        v.kind = V_FLOAT;
        v.f = e->f;
        return v;
    case E_BOOL:
        v.kind = V_BOOL;
        v.i = e->i;
        return v;
    case E_ERROR:
        v.kind = V_NONE;
        return v;
    case E_IDENT:
        for (Binding *b = sc->vals; b; b = b->next)
            if (strcmp(b->name, e->s) == 0) {
                v = b->val;
                v.span = e->span;
                return v;
            }
        v.kind = V_SYM;
        v.s = e->s;
        return v;
    case E_TUPLE:
        v.kind = V_TUPLE;
        v.n = e->elems.len;
        v.elems = arena_alloc(c->a, sizeof(Value) * (size_t)v.n);
        for (int i = 0; i < v.n; i++) {
            v.elems[i] = eval(c, sc, e->elems.data[i]);
            if (v.elems[i].kind == V_NONE)
                v.kind = V_NONE;
        }
        return v;
    case E_NEG:
    case E_ADD:
    case E_SUB:
    case E_MUL:
    case E_DIV:
        return arith(c, sc, e);
    }
    return v;
}

/* The closest of `n` candidates to `word`, or NULL if none is close. */
/* The closest known word (util.c's rule, docs/language.md, "Values and
** attributes"). */
static const char *suggest(Ctx *c, const char *word, const char *const *cands, int n) {
    return did_you_mean(c->a, word, cands, n, 1);
}

/*
** Attributes
*/

/* Reports that attribute `name` wants `what` and saw v. */
static void bad_value(Ctx *c, Scope *sc, const char *name, const char *what, const Value *v) {
    if (v->kind == V_NONE)
        return;
    if (v->kind == V_SYM)
        err(c, sc, v->span, "undefined", "undefined value '%s': %s must be %s", v->s, name, what);
    else
        err(c, sc, v->span, "bad-attribute", "%s must be %s, saw %s", name, what, value_str(c, v));
}

static bool get_count(Ctx *c, Scope *sc, const char *name, const Value *v, int64_t *out) {
    if (v->kind == V_INT && v->i >= 1) {
        *out = v->i;
        return true;
    }
    bad_value(c, sc, name, "a positive integer", v);
    return false;
}

static bool get_pair(Ctx *c, Scope *sc, const char *name, const Value *v, int64_t out[2]) {
    if (v->kind == V_INT && v->i >= 1) {
        out[0] = out[1] = v->i;
        return true;
    }
    if (v->kind == V_TUPLE && v->n == 2 && v->elems[0].kind == V_INT && v->elems[1].kind == V_INT &&
        v->elems[0].i >= 1 && v->elems[1].i >= 1) {
        out[0] = v->elems[0].i;
        out[1] = v->elems[1].i;
        return true;
    }
    bad_value(c, sc, name, "a positive integer or a pair of them", v);
    return false;
}

static bool nonneg(const Value *v) {
    return v->kind == V_INT && v->i >= 0;
}

static bool get_padding(Ctx *c, Scope *sc, Node *n, const Value *v) {
    if (v->kind == V_SYM && strcmp(v->s, "valid") == 0) {
        memset(n->pad, 0, sizeof n->pad);
        n->pad_same = false;
        return true;
    }
    if (v->kind == V_SYM && strcmp(v->s, "same") == 0) {
        n->pad_same = true;
        return true;
    }
    n->pad_same = false;
    if (nonneg(v)) {
        for (int i = 0; i < 4; i++)
            n->pad[i] = v->i;
        return true;
    }
    if (v->kind == V_TUPLE && v->n == 2 && nonneg(&v->elems[0]) && nonneg(&v->elems[1])) {
        n->pad[0] = n->pad[1] = v->elems[0].i;
        n->pad[2] = n->pad[3] = v->elems[1].i;
        return true;
    }
    if (v->kind == V_TUPLE && v->n == 4) {
        bool ok = true;
        for (int i = 0; i < 4; i++)
            ok = ok && nonneg(&v->elems[i]);
        if (ok) {
            for (int i = 0; i < 4; i++)
                n->pad[i] = v->elems[i].i;
            return true;
        }
    }
    if (v->kind == V_SYM) {
        static const char *const forms[] = {"valid", "same"};
        err(c, sc, v->span, "bad-attribute",
            "padding must be valid, same, an integer, (ph, pw) or (top, bottom, left, right), saw '%s'%s",
            v->s, suggest(c, v->s, forms, 2));
        return false;
    }
    bad_value(c, sc, "padding",
              "valid, same, a non-negative integer, (ph, pw) or (top, bottom, left, right)", v);
    return false;
}

static bool get_symbol(Ctx *c, Scope *sc, const char *name, const Value *v,
                       const char *const *choices, int n, int *out) {
    if (v->kind == V_SYM) {
        for (int i = 0; i < n; i++)
            if (strcmp(v->s, choices[i]) == 0) {
                *out = i;
                return true;
            }
        Buf b = {0};
        for (int i = 0; i < n; i++)
            buf_printf(&b, "%s%s", i ? (i == n - 1 ? " or " : ", ") : "", choices[i]);
        err(c, sc, v->span, "bad-attribute", "unknown %s '%s'%s (expected %s)", name, v->s,
            suggest(c, v->s, choices, n), b.data);
        buf_free(&b);
        return false;
    }
    Buf b = {0};
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? (i == n - 1 ? " or " : ", ") : "", choices[i]);
    char *what = arena_strdup(c->a, b.data);
    buf_free(&b);
    bad_value(c, sc, name, what, v);
    return false;
}

static bool get_float(Ctx *c, Scope *sc, const char *name, const Value *v, double *out) {
    if (v->kind == V_INT) {
        *out = (double)v->i;
        return true;
    }
    if (v->kind == V_FLOAT) {
        *out = v->f;
        return true;
    }
    bad_value(c, sc, name, "a number", v);
    return false;
}

static bool get_shape(Ctx *c, Scope *sc, const Value *v, Shape *s) {
    if (v->kind == V_INT && v->i >= 1) {
        *s = (Shape){1, {v->i, 0, 0}};
        return true;
    }
    if (v->kind == V_TUPLE && (v->n == 1 || v->n == 3)) {
        bool ok = true;
        for (int i = 0; i < v->n; i++)
            ok = ok && v->elems[i].kind == V_INT && v->elems[i].i >= 1;
        if (ok) {
            s->rank = v->n;
            for (int i = 0; i < v->n; i++)
                s->d[i] = v->elems[i].i;
            return true;
        }
    }
    bad_value(c, sc, "shape", "(H, W, C) or (n) with positive integers", v);
    return false;
}

static void set_defaults(Node *n) {
    for (int i = 0; i < 2; i++) {
        n->stride[i] = 1;
        n->dilation[i] = 1;
    }
    n->groups = 1;
    n->multiplier = 1;
    n->bias = true;
    n->count_pad = true;
    n->act = ACT_LINEAR;
    n->alpha = 0.01;
    n->epsilon = 1e-5;
    n->rate = 0.5;
    n->order = ORDER_CHW;
    n->scale[0] = n->scale[1] = 1;
}

/* Applies one keyword argument; false on error. */
static bool apply_attr(Ctx *c, Scope *sc, Node *n, AttrKind k, const Value *v, bool *stride_set) {
    const char *name = attr_names[k];
    int sym = 0;
    switch (k) {
    case ATTR_shape:
        return get_shape(c, sc, v, &n->declared);
    case ATTR_filters:
        return get_count(c, sc, name, v, &n->filters);
    case ATTR_units:
        return get_count(c, sc, name, v, &n->units);
    case ATTR_groups:
        return get_count(c, sc, name, v, &n->groups);
    case ATTR_multiplier:
        return get_count(c, sc, name, v, &n->multiplier);
    case ATTR_kernel:
    case ATTR_size:
        return get_pair(c, sc, name, v, n->kernel);
    case ATTR_stride:
        *stride_set = true;
        return get_pair(c, sc, name, v, n->stride);
    case ATTR_dilation:
        return get_pair(c, sc, name, v, n->dilation);
    case ATTR_padding:
        return get_padding(c, sc, n, v);
    case ATTR_approximate: {
        static const char *const forms[] = {"none", "tanh"};
        if (!get_symbol(c, sc, name, v, forms, 2, &sym))
            return false;
        n->act = sym ? ACT_GELU_TANH : ACT_LINEAR;
        return true;
    }
    case ATTR_mode: {
        static const char *const modes[] = {"nearest", "bilinear"};
        if (!get_symbol(c, sc, name, v, modes, 2, &sym))
            return false;
        n->bilinear = sym == 1;
        return true;
    }
    case ATTR_scale:
        return get_pair(c, sc, name, v, n->scale);
    case ATTR_start:
    case ATTR_stop:
        if (!nonneg(v)) {
            bad_value(c, sc, name, "a non-negative integer", v);
            return false;
        }
        *(k == ATTR_start ? &n->start : &n->stop) = v->i;
        return true;
    case ATTR_output_padding:
        if (nonneg(v)) {
            n->out_pad[0] = n->out_pad[1] = v->i;
            return true;
        }
        if (v->kind == V_TUPLE && v->n == 2 && nonneg(&v->elems[0]) && nonneg(&v->elems[1])) {
            n->out_pad[0] = v->elems[0].i;
            n->out_pad[1] = v->elems[1].i;
            return true;
        }
        bad_value(c, sc, name, "a non-negative integer or a pair of them", v);
        return false;
    case ATTR_keepdims:
    case ATTR_align_corners:
        if (v->kind != V_BOOL) {
            bad_value(c, sc, name, "true or false", v);
            return false;
        }
        *(k == ATTR_keepdims ? &n->keepdims : &n->align_corners) = v->i;
        return true;
    case ATTR_bias:
    case ATTR_ceil:
    case ATTR_count_pad:
        if (v->kind != V_BOOL) {
            bad_value(c, sc, name, "true or false", v);
            return false;
        }
        if (k == ATTR_bias)
            n->bias = v->i;
        else if (k == ATTR_ceil)
            n->ceil = v->i;
        else
            n->count_pad = v->i;
        return true;
    case ATTR_activation:
        if (!get_symbol(c, sc, name, v, act_names, ACT_LAST_VALUE + 1, &sym))
            return false;
        n->act = (Act)sym;
        return true;
    case ATTR_order: {
        static const char *const orders[] = {"chw", "hwc"};
        if (!get_symbol(c, sc, name, v, orders, 2, &sym))
            return false;
        n->order = (FlattenOrder)sym;
        return true;
    }
    case ATTR_epsilon:
        if (!get_float(c, sc, name, v, &n->epsilon))
            return false;
        if (!(n->epsilon > 0)) {
            err(c, sc, v->span, "bad-attribute", "epsilon must be greater than 0, saw %s",
                value_str(c, v));
            return false;
        }
        return true;
    case ATTR_alpha:
        return get_float(c, sc, name, v, &n->alpha);
    case ATTR_rate:
        if (!get_float(c, sc, name, v, &n->rate))
            return false;
        if (!(n->rate >= 0 && n->rate < 1)) {
            err(c, sc, v->span, "bad-attribute", "rate must be at least 0 and below 1, saw %s",
                value_str(c, v));
            return false;
        }
        return true;
    case ATTR__COUNT:
        break;
    }
    return false;
}

/*
** Statements
*/

static Node *lookup(Scope *sc, const char *name) {
    Entry *e = map_find(sc->local, name);
    return e ? e->node : NULL;
}

/* Defines `local` (as written) in the scope and its full name in the
** network; false (and an error) if either is taken. */
static bool define(Ctx *c, Scope *sc, const char *local, const char *full, Node *n, Span s,
                   bool generated) {
    Entry *e = map_find(&c->names, full);
    if (!e)
        e = map_find(sc->local, local);
    if (e) {
        Diag *g;
        if (generated)
            g = err(c, sc, s, "redefined",
                    "the name generated for this layer, '%s', is already defined", full);
        else
            g = err(c, sc, s, "redefined", "'%s' is already defined", full);
        if (e->file)
            diag_note(c->d, g, e->file, e->span, "'%s' was first defined here", e->key);
        /* still let the scope's own statements find it by its local name */
        if (!map_find(sc->local, local))
            map_put(c->a, sc->local, local, n, sc->file, s);
        return false;
    }
    map_put(c->a, &c->names, full, n, sc->file, s);
    map_put(c->a, sc->local, local, n, sc->file, s);
    return true;
}

/* The generated name of an unnamed call: the callee and a count per callee
** and scope ("conv2d_1"). */
static const char *generate(Ctx *c, Scope *sc, const char *callee) {
    Entry *e = map_slot(c->a, sc->counts, callee);
    e->count++;
    return arena_printf(c->a, "%s_%ld", callee, (long)e->count);
}

static Node *new_node(Ctx *c, Scope *sc, OpKind op, const char *full, const Stmt *st) {
    Node *n = arena_alloc(c->a, sizeof *n);
    n->op = op;
    n->name = full;
    n->file = sc->file;
    n->span = st->span;
    const Span *first = st->target.name ? &st->target.span : &st->callee.span;
    n->focus_len = first->end_line == first->line ? first->end_col - first->col : 0;
    n->site = sc->site;
    set_defaults(n);
    return n;
}

static void add_node(Ctx *c, Node *n) {
    n->id = c->g->nodes.len;
    vec_push(c->a, &c->g->nodes, n);
    for (int i = 0; i < n->nin; i++)
        vec_push(c->a, &n->in[i]->users, n);
}

/* A statement that failed still defines its name, as a bad node, so its
** uses are quiet: one mistake, one error. */
static void define_bad(Ctx *c, Scope *sc, const Stmt *st, const char *local, const char *full) {
    Node *n = new_node(c, sc, OP_linear, full, st);
    n->bad = true;
    define(c, sc, local, full, n, st->target.name ? st->target.span : st->callee.span,
           !st->target.name);
    add_node(c, n);
    sc->prev = n;
}

/* Is `name` a block of f or of its imports that a syntax error lost? Its
** calls then get no second error: the syntax error says what is wrong. */
static bool broken_block(const SourceFile *f, const char *name) {
    for (int k = -1; k < f->imports.len; k++) {
        const SourceFile *from = k < 0 ? f : ((const Import *)f->imports.data[k])->file;
        for (int i = 0; from && i < from->broken.len; i++)
            if (strcmp(from->broken.data[i], name) == 0)
                return true;
    }
    return false;
}

/* The block `name` as seen from f: f's own first, then its imports' in
** order; the first of a name wins. */
static const Block *find_block(Ctx *c, const SourceFile *f, const char *name) {
    /* one table per file met, found by a scan of the few files */
    Visible *v = NULL;
    for (int i = 0; i < c->visible.len && !v; i++)
        if (((Visible *)c->visible.data[i])->file == f)
            v = c->visible.data[i];
    if (!v) {
        v = arena_alloc(c->a, sizeof *v);
        v->file = f;
        vec_push(c->a, &c->visible, v);
        for (int k = -1; k < f->imports.len; k++) {
            const SourceFile *from = f;
            if (k >= 0) {
                const Import *im = f->imports.data[k];
                if (!(from = im->file))
                    continue;
            }
            for (int i = 0; i < from->blocks.len; i++) {
                const Block *b = from->blocks.data[i];
                if (!map_find(&v->blocks, b->id.name))
                    map_slot(c->a, &v->blocks, b->id.name)->block = b;
            }
        }
    }
    Entry *e = map_find(&v->blocks, name);
    return e ? e->block : NULL;
}

/* "did you mean" over ops and the blocks visible from f. */
static const char *suggest_callee(Ctx *c, const SourceFile *f, const char *name) {
    Vec cands = {0};
    for (int i = 0; i < OP__COUNT; i++)
        vec_push(c->a, &cands, (void *)op_info[i].name);
    for (int i = 0; i < f->blocks.len; i++)
        vec_push(c->a, &cands, (void *)((Block *)f->blocks.data[i])->id.name);
    for (int i = 0; i < f->imports.len; i++) {
        const Import *im = f->imports.data[i];
        if (im->file)
            for (int k = 0; k < im->file->blocks.len; k++)
                vec_push(c->a, &cands, (void *)((Block *)im->file->blocks.data[k])->id.name);
    }
    /* the close ones, closest first, at most three */
    return did_you_mean(c->a, name, (const char *const *)cands.data, cands.len, 3);
}

static void walk(Ctx *c, Scope *sc, const Vec *stmts);

/* The tensors a call reads: its positional arguments, or the tensor of
** the statement before. NULL entries are undefined names (reported). */
static Node **call_inputs(Ctx *c, Scope *sc, const Stmt *st, int *nin, bool *ok) {
    if (st->misorder.line) {
        err(c, sc, st->misorder, "syntax",
            "positional arguments (tensors) must come before keyword arguments (attributes)");
        *ok = false;
    }
    if (st->args.len == 0) {
        if (!sc->prev) {
            *nin = 0;
            return NULL;
        }
        Node **in = arena_alloc(c->a, sizeof(Node *));
        in[0] = sc->prev;
        *nin = 1;
        return in;
    }
    Node **in = arena_alloc(c->a, sizeof(Node *) * (size_t)st->args.len);
    for (int i = 0; i < st->args.len; i++) {
        const Ident *id = st->args.data[i];
        in[i] = lookup(sc, id->name);
        if (!in[i]) {
            Entry *global = map_find(&c->names, id->name);
            if (sc->in_block && global)
                err(c, sc, id->span, "undefined",
                    "'%s' is not visible inside block '%s': pass it as a tensor parameter",
                    id->name, sc->site->block);
            else
                err(c, sc, id->span, "undefined", "undefined tensor '%s'", id->name);
            *ok = false;
        }
    }
    *nin = st->args.len;
    return in;
}

static void call_op(Ctx *c, Scope *sc, const Stmt *st, OpKind op) {
    const OpInfo *info = &op_info[op];
    const char *local = st->target.name ? st->target.name : generate(c, sc, info->name);
    const char *full = arena_printf(c->a, "%s%s", sc->prefix, local);
    Node *n = new_node(c, sc, op, full, st);
    bool ok = true;

    if (op == OP_input) {
        if (st->args.len) {
            err(c, sc, ((Ident *)st->args.data[0])->span, "syntax",
                "input takes no tensor, only shape=");
            ok = false;
        }
        if (sc->in_block) {
            err(c, sc, st->callee.span, "syntax", "a block cannot declare an input");
            ok = false;
        }
    } else {
        n->in = call_inputs(c, sc, st, &n->nin, &ok);
        if (!sc->prev && st->args.len == 0) {
            if (!c->quiet_start)
                err(c, sc, st->callee.span, "syntax",
                "the first statement of a network must be an input, saw '%s'", info->name);
            c->quiet_start = true; /* and do not also say the network has no input */
            ok = false;
        }
    }
    /* drop undefined inputs, keeping the defined ones as edges */
    int k = 0;
    for (int i = 0; i < n->nin; i++)
        if (n->in[i])
            n->in[k++] = n->in[i];
    n->nin = k;
    if (ok && op != OP_input) {
        if (n->nin < info->min_in)
            err(c, sc, st->callee.span, "syntax", "%s takes at least %d tensors, got %d", info->name,
                info->min_in, n->nin), ok = false;
        else if (info->max_in && n->nin > info->max_in)
            err(c, sc, st->callee.span, "syntax", "%s takes %s tensor, got %d", info->name,
                info->max_in == 1 ? "one" : "fewer", n->nin), ok = false;
    }

    bool seen[ATTR__COUNT] = {false};
    bool stride_set = false;
    bool unknown_attr = false; /* a misspelt attribute: "missing" would say it twice */
    for (int i = 0; i < st->kwargs.len; i++) {
        const Kwarg *kw = st->kwargs.data[i];
        int a = -1;
        for (int j = 0; j < ATTR__COUNT; j++)
            if (strcmp(attr_names[j], kw->key.name) == 0)
                a = j;
        if (a < 0 || !(info->allowed & (1u << a))) {
            const char *cands[ATTR__COUNT] = {0};
            for (int j = 0; j < ATTR__COUNT; j++)
                if (info->allowed & (1u << j))
                    cands[j] = attr_names[j];
            err(c, sc, kw->key.span, "unknown-attribute", "%s has no attribute '%s'%s", info->name,
                kw->key.name, suggest(c, kw->key.name, cands, ATTR__COUNT));
            ok = false;
            unknown_attr = true;
            continue;
        }
        if (seen[a]) {
            err(c, sc, kw->key.span, "bad-attribute", "attribute '%s' is given twice",
                kw->key.name);
            ok = false;
            continue;
        }
        seen[a] = true;
        Value v = eval(c, sc, kw->value);
        if (v.kind == V_NONE || !apply_attr(c, sc, n, (AttrKind)a, &v, &stride_set))
            ok = false;
    }
    for (int j = 0; j < ATTR__COUNT; j++)
        if ((info->required & (1u << j)) && !seen[j] && !unknown_attr) {
            err(c, sc, st->callee.span, "missing-attribute", "%s needs the attribute '%s'",
                info->name, attr_names[j]);
            ok = false;
        }
    if ((op == OP_maxpool2d || op == OP_avgpool2d) && !stride_set) {
        n->stride[0] = n->kernel[0];
        n->stride[1] = n->kernel[1];
    }
    n->bad = !ok;
    for (int i = 0; i < n->nin; i++)
        if (n->in[i]->bad)
            n->bad = true;
    define(c, sc, local, full, n, st->target.name ? st->target.span : st->callee.span,
           !st->target.name);
    add_node(c, n);
    if (op == OP_input)
        vec_push(c->a, &c->g->inputs, n);
    sc->prev = n;
}

static CallScope *call_scope(Ctx *c, const Block *b) {
    Block *blk = (Block *)b;
    if (!blk->calls)
        blk->calls = arena_alloc(c->a, sizeof *blk->calls);
    return blk->calls;
}

/* How many layers a call of b makes, counted on the syntax tree once per
** block (at most LAYERS_CAP), so that a call past the limit is refused
** before it is expanded: a few lines calling a block twice per level would
** otherwise take seconds and gigabytes to reach the limit. A statement that
** is not a block call counts one layer (as its node, or the bad node of an
** error, does); a recursion counts one, as the error it is. */
static int64_t block_layers(Ctx *c, const Block *b) {
    CallScope *cs = call_scope(c, b);
    if (cs->layers > 0)
        return cs->layers;
    if (cs->layers < 0)
        return 1;
    cs->layers = -1;
    int64_t n = 0;
    for (int i = 0; i < b->stmts.len && n < LAYERS_CAP; i++) {
        const Stmt *st = b->stmts.data[i];
        if (st->kind == S_OUTPUT || st->kind == S_LOST)
            continue;
        const Block *callee =
            op_lookup(st->callee.name) >= 0 ? NULL : find_block(c, b->file, st->callee.name);
        n += callee ? block_layers(c, callee) : 1;
    }
    cs->layers = n > LAYERS_CAP ? LAYERS_CAP : n > 0 ? n : 1;
    return cs->layers;
}

static bool on_site_chain(const Site *s, const char *block) {
    for (; s; s = s->up)
        if (strcmp(s->block, block) == 0)
            return true;
    return false;
}

static int site_depth(const Site *s) {
    int d = 0;
    for (; s; s = s->up)
        d++;
    return d;
}

static void call_block(Ctx *c, Scope *sc, const Stmt *st, const Block *b) {
    const char *local = st->target.name ? st->target.name : generate(c, sc, b->id.name);
    const char *full = arena_printf(c->a, "%s%s", sc->prefix, local);
    Span at = st->target.name ? st->target.span : st->callee.span;

    if (on_site_chain(sc->site, b->id.name) || site_depth(sc->site) >= MAX_CALL_DEPTH) {
        if (on_site_chain(sc->site, b->id.name))
            err(c, sc, st->callee.span, "recursion", "block '%s' calls itself", b->id.name);
        else
            err(c, sc, st->callee.span, "recursion", "blocks nested more than %d deep",
                MAX_CALL_DEPTH);
        define_bad(c, sc, st, local, full);
        return;
    }

    Site *site = arena_alloc(c->a, sizeof *site);
    site->file = sc->file;
    site->span = st->span;
    site->block = b->id.name;
    site->prefix = full;
    site->up = sc->site;
    site->inline_call = st->inline_at.line > 0;

    /* the block's names, emptied for this call */
    Block *blk = (Block *)b;
    call_scope(c, b);
    if (!blk->calls->params.cap)
        for (int j = 0; j < b->vparams.len; j++) /* of two of a name, the last */
            map_slot(c->a, &blk->calls->params, ((Param *)b->vparams.data[j])->id.name)->count =
                j + 1;
    blk->calls->local.gen++;
    blk->calls->counts.gen++;
    /* an inline call adds no level to its layers' names */
    Scope inner = {.prefix = st->inline_at.line ? sc->prefix : arena_printf(c->a, "%s.", full),
                   .local = &blk->calls->local,
                   .counts = &blk->calls->counts, .site = site, .file = b->file,
                   .in_block = true};

    /* tensor parameters */
    bool ok = true;
    int nin = 0;
    Node **in = call_inputs(c, sc, st, &nin, &ok);
    if (st->args.len == 0 && !sc->prev) {
        if (!c->quiet_start)
            err(c, sc, st->callee.span, "syntax",
            "the first statement of a network must be an input, saw block '%s'", b->id.name);
        c->quiet_start = true;
        ok = false;
    }
    if (ok && nin != b->tparams.len) {
        err(c, sc, st->callee.span, "syntax", "block '%s' takes %d tensor%s, got %d", b->id.name,
            b->tparams.len, b->tparams.len == 1 ? "" : "s", nin);
        ok = false;
    }
    /* value parameters: the call's keyword arguments, evaluated in the
    ** caller's scope, then defaults, evaluated in the callee's */
    Binding *vals = NULL;
    bool *given = arena_alloc(c->a, sizeof(bool) * (size_t)(b->vparams.len + 1));
    Value *gv = arena_alloc(c->a, sizeof(Value) * (size_t)(b->vparams.len + 1));
    bool unknown_param = false; /* a misspelt parameter: "needs a value" would say it twice */
    for (int i = 0; i < st->kwargs.len; i++) {
        const Kwarg *kw = st->kwargs.data[i];
        Entry *pe = map_find(&blk->calls->params, kw->key.name);
        int k = pe ? (int)pe->count - 1 : -1;
        if (k < 0) {
            const char **pnames = arena_alloc(c->a, sizeof(char *) * (size_t)(b->vparams.len + 1));
            for (int j = 0; j < b->vparams.len; j++)
                pnames[j] = ((Param *)b->vparams.data[j])->id.name;
            err(c, sc, kw->key.span, "unknown-attribute", "block '%s' has no parameter '%s'%s",
                b->id.name, kw->key.name, suggest(c, kw->key.name, pnames, b->vparams.len));
            ok = false;
            unknown_param = true;
            continue;
        }
        if (given[k]) {
            err(c, sc, kw->key.span, "bad-attribute", "parameter '%s' is given twice",
                kw->key.name);
            ok = false;
            continue;
        }
        given[k] = true;
        gv[k] = eval(c, sc, kw->value);
        if (gv[k].kind == V_NONE)
            ok = false;
    }
    for (int j = 0; j < b->vparams.len; j++) {
        const Param *pm = b->vparams.data[j];
        Value v;
        if (given[j]) {
            v = gv[j];
        } else if (pm->def) {
            inner.vals = vals;
            v = eval(c, &inner, pm->def);
            if (v.kind == V_NONE)
                ok = false;
        } else {
            if (!unknown_param)
                err(c, sc, st->callee.span, "missing-attribute", "block '%s' needs a value for '%s'",
                    b->id.name, pm->id.name);
            ok = false;
            continue;
        }
        Binding *bd = arena_alloc(c->a, sizeof *bd);
        bd->name = pm->id.name;
        bd->val = v;
        bd->next = vals;
        vals = bd;
    }
    inner.vals = vals;

    if (!ok) {
        define_bad(c, sc, st, local, full);
        return;
    }
    for (int i = 0; i < b->tparams.len; i++) {
        const Param *pm = b->tparams.data[i];
        map_put(c->a, inner.local, pm->id.name, in[i], b->file, pm->id.span);
    }
    inner.prev = b->tparams.len ? in[0] : NULL;
    walk(c, &inner, &b->stmts);
    if (c->too_big)
        return;

    Node *ret = lookup(&inner, b->ret.name);
    if (!ret) {
        err(c, &inner, b->ret.span, "undefined", "block '%s' returns undefined tensor '%s'",
            b->id.name, b->ret.name);
        define_bad(c, sc, st, local, full);
        return;
    }
    /* the call's name is another name for the returned tensor */
    define(c, sc, local, full, ret, at, !st->target.name);
    sc->prev = ret;
}

static void output_stmt(Ctx *c, Scope *sc, const Stmt *st) {
    if (sc->in_block) {
        err(c, sc, st->span, "syntax", "'output' belongs in a network, not in a block");
        return;
    }
    c->g->explicit_outputs = true;
    for (int i = 0; i < st->args.len; i++) {
        const Ident *id = st->args.data[i];
        Node *n = lookup(sc, id->name);
        if (!n) {
            err(c, sc, id->span, "undefined", "undefined tensor '%s'", id->name);
            continue;
        }
        if (n->is_output) {
            err(c, sc, id->span, "redefined", "'%s' is already an output", id->name);
            continue;
        }
        n->is_output = true;
        vec_push(c->a, &c->g->outputs, n);
    }
}

static void walk(Ctx *c, Scope *sc, const Vec *stmts) {
    for (int i = 0; i < stmts->len && !c->too_big; i++) {
        const Stmt *st = stmts->data[i];
        if (st->kind == S_OUTPUT) {
            output_stmt(c, sc, st);
            continue;
        }
        if (st->kind == S_LOST) {
            /* the syntax error was reported: define the name, quietly */
            define_bad(c, sc, st, st->target.name,
                       arena_printf(c->a, "%s%s", sc->prefix, st->target.name));
            continue;
        }
        if (c->g->nodes.len >= MAX_NODES) {
            err(c, sc, st->span, "too-large", "the network expands to more than %d layers",
                MAX_NODES);
            c->too_big = true;
            return;
        }
        int op = op_lookup(st->callee.name);
        if (op >= 0 && st->inline_at.line) {
            err(c, sc, st->inline_at, "syntax", "inline applies to block calls; '%s' is an op",
                st->callee.name);
            const char *local = st->target.name ? st->target.name : generate(c, sc, st->callee.name);
            define_bad(c, sc, st, local, arena_printf(c->a, "%s%s", sc->prefix, local));
            continue;
        }
        if (op >= 0) {
            call_op(c, sc, st, (OpKind)op);
            continue;
        }
        const Block *b = find_block(c, sc->file, st->callee.name);
        if (b) {
            int64_t n = block_layers(c, b);
            if (c->g->nodes.len + n > MAX_NODES) {
                char num[32];
                err(c, sc, st->span, "too-large",
                    "the network expands to more than %d layers: this call of block '%s' makes "
                    "%s%s",
                    MAX_NODES, b->id.name, n >= LAYERS_CAP ? "more than " : "",
                    fmt_thousands(num, n));
                c->too_big = true;
                return;
            }
            call_block(c, sc, st, b);
            continue;
        }
        if (!broken_block(sc->file, st->callee.name))
            err(c, sc, st->callee.span, "unknown-op", "unknown op '%s'%s", st->callee.name,
                suggest_callee(c, sc->file, st->callee.name));
        const char *local = st->target.name ? st->target.name : generate(c, sc, st->callee.name);
        define_bad(c, sc, st, local, arena_printf(c->a, "%s%s", sc->prefix, local));
    }
}

/* Checks the blocks of a file once, whether or not a network calls them:
** duplicate names and duplicate parameters. */
static void check_params(Ctx *c, const SourceFile *f, const Block *b) {
    Map seen = {0}; /* the first parameter of each name */
    int n = b->tparams.len + b->vparams.len;
    for (int i = 0; i < n; i++) {
        const Param *p = i < b->tparams.len ? b->tparams.data[i] : b->vparams.data[i - b->tparams.len];
        Entry *e = map_find(&seen, p->id.name);
        if (e) {
            Diag *g = diag_error(c->d, f, p->id.span, "redefined",
                                 "block '%s' has two parameters named '%s'", b->id.name,
                                 p->id.name);
            diag_note(c->d, g, f, e->span, "the first '%s' is here", e->key);
        } else {
            map_put(c->a, &seen, p->id.name, NULL, f, p->id.span);
        }
    }
}

static void check_blocks(Ctx *c, const SourceFile *f) {
    Map seen = {0}; /* Entry.block: the first block of each name */
    for (int i = 0; i < f->blocks.len; i++) {
        const Block *b = f->blocks.data[i];
        check_params(c, f, b);
        if (op_lookup(b->id.name) >= 0)
            diag_error(c->d, f, b->id.span, "redefined", "block '%s' has the name of an op",
                       b->id.name);
        Entry *e = map_find(&seen, b->id.name);
        if (e) {
            Diag *g = diag_error(c->d, f, b->id.span, "redefined", "block '%s' is already defined",
                                 b->id.name);
            diag_note(c->d, g, f, e->block->id.span, "'%s' was first defined here",
                      e->block->id.name);
        } else {
            map_slot(c->a, &seen, b->id.name)->block = b;
        }
    }
}

Graph *resolve_network(Program *p, NetAst *net) {
    Graph *g = arena_alloc(p->arena, sizeof *g);
    g->arena = p->arena;
    g->name = net->id.name;
    g->file = net->file;
    g->span = net->id.span;
    g->incomplete = net->had_errors;
    Ctx c = {.p = p, .a = p->arena, .d = p->diags, .g = g, .quiet_start = net->had_errors};
    if (net == net->file->networks.data[0])
        check_blocks(&c, net->file);
    CallScope body = {0};
    Scope top = {.prefix = "", .local = &body.local, .counts = &body.counts, .file = net->file};
    walk(&c, &top, &net->stmts);
    if (g->inputs.len == 0 && !c.too_big && !c.quiet_start)
        diag_error(c.d, net->file, net->id.span, "syntax", "network '%s' has no input",
                   net->id.name);
    if (!g->explicit_outputs) {
        for (int i = 0; i < g->nodes.len; i++) {
            Node *n = graph_node(g, i);
            if (n->users.len == 0) {
                n->is_output = true;
                vec_push(p->arena, &g->outputs, n);
            }
        }
    }
    return g;
}
