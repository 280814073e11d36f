/* onnx_import.c: an ONNX graph as a .net network and its weights.
**
** One walk over the nodes, in the graph's order (ONNX requires it to be
** topological), gives each ONNX value one of three meanings:
**
**   - a netc tensor: the output of a layer written to the .net text, with
**     its ONNX shape (1, C, H, W) or (1, n);
**   - a constant: an initializer, a Constant node, or anything computed
**     from constants and shapes, which are all known at import. This is how
**     PyTorch's run-time shape arithmetic (Shape -> Gather -> Unsqueeze ->
**     Concat -> Reshape for a flatten, ConstantOfShape ... Pad for a
**     padding) folds away: the ops that can take constants are evaluated;
**   - bad: a node before it could not be imported; nothing more is said
**     about what depends on it, so one problem is one error.
**
** netc's layers are channels-last (HWC) but read PyTorch's weight layouts
** and flatten in PyTorch's order when told `order=chw` (docs/build.md), so
** weights are copied as they are and a Flatten or Reshape of a map becomes
** `flatten(order=chw)`: the numbers match PyTorch's without moving data.
**
** Every op or attribute netc cannot express is one OnnxIssue naming the
** node, and the walk goes on, so one run lists all of them (docs/import.md).
*/
#include "onnx.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Constants computed at import are shapes and paddings: bounded so that a
** hostile ConstantOfShape cannot ask for gigabytes. Sizes, kernels, strides
** and paddings beyond ONNX_DIM_MAX are refused, so that no arithmetic on
** them overflows. */
enum { CONST_MAX = 1 << 20, ONNX_DIM_MAX = 1 << 24 };

typedef enum { V_NONE, V_TENSOR, V_CONST, V_BAD } VKind;

typedef struct Val {
    const char *key; /* the ONNX value name; NULL: free slot */
    VKind kind;
    const char *net; /* V_TENSOR: the netc tensor's name */
    int rank;        /* V_TENSOR: 4, (1, C, H, W); 2, (1, n); 5, a grouped view */
    int64_t dims[5];
    bool flat_net;  /* rank 4, H = W = 1, and the netc tensor is flat (n) */
    /* rank 5: (1, A, B, H, W), a Reshape of the map (1, C, H, W) into groups
    ** of channels (no layer yet); `swapped` after a Transpose of A and B: a
    ** Reshape back to 4-D is then channel_shuffle(groups=B) */
    bool swapped;
    OnnxTensor *t;  /* V_CONST */
} Val;

/* Who makes and who reads an ONNX value, found once before the walk, so
** that looking ahead (patterns, keepdims, a MatMul's bias) costs no scan of
** the graph. */
typedef struct Use {
    const char *key;  /* the value's name; NULL: free slot */
    int producer;     /* the last node that outputs it, -1: none */
    int readers;      /* distinct nodes that read it */
    int first;        /* the first of them, -1: none */
    bool output;      /* a graph output */
    bool map_reader;  /* a reader takes a map only (Conv, Mul, ...) */
} Use;

typedef struct Imp {
    Arena *a;
    const OnnxModel *m;
    OnnxImport *out;
    Val *tab; /* open addressing on key */
    size_t cap;
    Val **names; /* netc names taken, open addressing */
    const char **taken;
    size_t ncap;
    const OnnxNode *node; /* being imported */
    int line;             /* lines of out->net so far */
    bool *skip;           /* per node: folded into a layer made at an earlier node */
    const char *what;     /* a layer made of several nodes: its netc op, which names it
                          ** where the nodes have no module path */
    Use *use;             /* open addressing on key */
    size_t ucap;
} Imp;

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The size of an open-addressing table for n keys: a power of two, at
** least 16, at most half full. */
static size_t pow2_above(size_t n) {
    size_t c = 16;
    while (c < n * 2)
        c *= 2;
    return c;
}

static Use *use_of(Imp *im, const char *key, bool make) {
    size_t k = hash(key) & (im->ucap - 1);
    while (im->use[k].key) {
        if (strcmp(im->use[k].key, key) == 0)
            return &im->use[k];
        k = (k + 1) & (im->ucap - 1);
    }
    if (!make)
        return NULL;
    im->use[k] = (Use){.key = key, .producer = -1, .first = -1};
    return &im->use[k];
}

/* Fills im->use from the graph. */
static void find_uses(Imp *im) {
    static const char *const map_ops[] = {"Conv", "ConvTranspose", "Mul", "Add", "Resize",
                                          "Upsample", NULL};
    size_t n = (size_t)im->m->noutput;
    for (int k = 0; k < im->m->nnode; k++)
        n += (size_t)im->m->node[k].nin + (size_t)im->m->node[k].nout;
    im->ucap = pow2_above(n);
    im->use = arena_alloc(im->a, im->ucap * sizeof *im->use);
    memset(im->use, 0, im->ucap * sizeof *im->use);
    for (int k = 0; k < im->m->nnode; k++) {
        const OnnxNode *nd = &im->m->node[k];
        bool map = false;
        for (const char *const *r = map_ops; *r && !map; r++)
            map = strcmp(*r, nd->op) == 0;
        for (int j = 0; j < nd->nout; j++)
            if (nd->out[j][0])
                use_of(im, nd->out[j], true)->producer = k;
        for (int j = 0; j < nd->nin; j++) {
            if (!nd->in[j][0])
                continue;
            Use *u = use_of(im, nd->in[j], true);
            bool again = false; /* Mul(x, x): one reader */
            for (int i = 0; i < j; i++)
                again = again || strcmp(nd->in[i], nd->in[j]) == 0;
            if (!again) {
                u->readers++;
                if (u->first < 0)
                    u->first = k;
            }
            u->map_reader = u->map_reader || map;
        }
    }
    for (int k = 0; k < im->m->noutput; k++)
        use_of(im, im->m->output[k].name, true)->output = true;
}

/* The one node after `from` that reads `name`, or -1: none, several, one
** before it, or a graph output reads it too. */
static int sole_reader(Imp *im, int from, const char *name) {
    const Use *u = use_of(im, name, false);
    return u && !u->output && u->readers == 1 && u->first > from ? u->first : -1;
}

static Val *lookup(Imp *im, const char *key, bool make) {
    size_t k = hash(key) & (im->cap - 1);
    while (im->tab[k].key) {
        if (strcmp(im->tab[k].key, key) == 0)
            return &im->tab[k];
        k = (k + 1) & (im->cap - 1);
    }
    if (!make)
        return NULL;
    im->tab[k].key = key;
    return &im->tab[k];
}

/* Whether a netc name is taken; takes it if not. */
static bool take_name(Imp *im, const char *name) {
    size_t k = hash(name) & (im->ncap - 1);
    while (im->taken[k]) {
        if (strcmp(im->taken[k], name) == 0)
            return false;
        k = (k + 1) & (im->ncap - 1);
    }
    im->taken[k] = name;
    return true;
}

static void issue(Imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void issue(Imp *im, const char *fmt, ...) {
    OnnxIssue *is = arena_alloc(im->a, sizeof *is);
    va_list ap;
    va_start(ap, fmt);
    is->msg = arena_vprintf(im->a, fmt, ap);
    va_end(ap);
    is->node = im->node ? im->node->index : -1;
    is->name = im->node ? im->node->name : "";
    is->op = im->node ? im->node->op : "";
    vec_push(im->a, &im->out->issues, is);
}

/*
** Names
*/

static bool keyword(const char *s, size_t n) {
    static const char *const kw[] = {"network", "block", "return", "output",
                                     "import",  "true",  "false"};
    for (size_t k = 0; k < sizeof kw / sizeof *kw; k++)
        if (strlen(kw[k]) == n && memcmp(kw[k], s, n) == 0)
            return true;
    return false;
}

/* A dotted path as a .net name: components of letters, digits and
** underscores, none starting with a digit unless all digits (layer1.0) and
** not the first, none a keyword. */
static char *sanitize(Arena *a, const char *path) {
    Buf b = {0};
    const char *p = path;
    for (;;) {
        const char *e = strchr(p, '.');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n) {
            if (b.len)
                buf_putc(&b, '.');
            bool digits = true;
            for (size_t k = 0; k < n; k++)
                digits = digits && p[k] >= '0' && p[k] <= '9';
            if ((p[0] >= '0' && p[0] <= '9') && (!digits || b.len == 0))
                buf_putc(&b, 'n');
            for (size_t k = 0; k < n && k < 200; k++) {
                char c = p[k];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_';
                buf_putc(&b, ok ? c : '_');
            }
            if (keyword(p, n))
                buf_putc(&b, '_');
        }
        if (!e || b.len > 900)
            break;
        p = e + 1;
    }
    char *s = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

/* The PyTorch module path of a node, from its name: torch.onnx names a node
** /layer1/layer1.0/conv1/Conv, each scope a child's attribute name, or a
** dotted path that extends the scope before it (layer1.0 in layer1;
** block.0 in block, in features.1.0/block/block.0); the last part is the
** op. "" if none. */
static const char *module_path(Arena *a, const char *name) {
    if (name[0] != '/')
        return name;
    Buf b = {0};
    size_t last = 0; /* where the last scope starts in b */
    const char *p = name + 1;
    for (;;) {
        const char *e = strchr(p, '/');
        if (!e)
            break; /* the last part: the op */
        size_t n = (size_t)(e - p), ln = b.len - last;
        if (b.len && n > ln && memcmp(p, b.data + last, ln) == 0 && p[ln] == '.') {
            b.len = last; /* a path that extends the last scope replaces it */
        } else if (b.len) {
            buf_putc(&b, '.');
            last = b.len;
        }
        for (size_t k = 0; k < n; k++)
            buf_putc(&b, p[k]);
        p = e + 1;
    }
    const char *s = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

static char *lower(Arena *a, const char *s) {
    char *o = arena_strdup(a, s);
    for (char *p = o; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return o;
}

/* The netc name of the layer a node becomes: the module path of its
** weights (conv1.weight -> conv1), else of its name, else its op; made unique
** with _1, _2, ... */
static const char *layer_name(Imp *im, const char *weight) {
    const OnnxNode *n = im->node;
    const char *base = "";
    size_t wl = weight ? strlen(weight) : 0;
    if (wl > 7 && strcmp(weight + wl - 7, ".weight") == 0)
        base = arena_strndup(im->a, weight, wl - 7);
    if (!*base)
        base = module_path(im->a, n->name);
    if (!*base && im->what)
        base = im->what;
    if (!*base && n->name[0] == '/') {
        const char *last = strrchr(n->name, '/') + 1;
        base = lower(im->a, last);
    }
    if (!*base)
        base = lower(im->a, n->op);
    base = sanitize(im->a, base);
    if (!*base)
        base = "layer";
    if (take_name(im, base))
        return base;
    /* a last component of digits (features.0.1) takes no _1: a new one */
    const char *dot = strrchr(base, '.');
    bool digits = dot != NULL;
    for (const char *c = dot ? dot + 1 : ""; *c; c++)
        digits = digits && *c >= '0' && *c <= '9';
    for (int k = 1;; k++) {
        const char *s = arena_printf(im->a, digits ? "%s._%d" : "%s_%d", base, k);
        if (take_name(im, s))
            return s;
    }
}

/*
** Attributes and inputs
*/

static const OnnxAttr *attr(const OnnxNode *n, const char *name) {
    for (int k = 0; k < n->nattr; k++)
        if (strcmp(n->attr[k].name, name) == 0)
            return &n->attr[k];
    return NULL;
}

static int64_t attr_int(const OnnxNode *n, const char *name, int64_t dflt) {
    const OnnxAttr *at = attr(n, name);
    return at && at->type == ONNX_ATTR_INT ? at->i : dflt;
}

static double attr_float(const OnnxNode *n, const char *name, double dflt) {
    const OnnxAttr *at = attr(n, name);
    return at && at->type == ONNX_ATTR_FLOAT ? at->f : dflt;
}

/* An INTS attribute of exactly `len` values into out, else dflt. False (and
** an issue) when present with another length. */
static bool attr_ints(Imp *im, const char *name, int len, int64_t *out, int64_t dflt) {
    const OnnxAttr *at = attr(im->node, name);
    for (int k = 0; k < len; k++)
        out[k] = dflt;
    if (!at)
        return true;
    if (at->type != ONNX_ATTR_INTS || at->n != len) {
        issue(im, "attribute '%s' must be %d integers for a 2-D op", name, len);
        return false;
    }
    for (int k = 0; k < len; k++) {
        if (at->ints[k] < -ONNX_DIM_MAX || at->ints[k] > ONNX_DIM_MAX) {
            issue(im, "attribute '%s' has the value %lld, out of range", name,
                  (long long)at->ints[k]);
            return false;
        }
        out[k] = at->ints[k];
    }
    return true;
}

/* Checks that every attribute of the node is one netc knows; others are
** issues. */
static bool known_attrs(Imp *im, const char *const *ok) {
    bool good = true;
    for (int k = 0; k < im->node->nattr; k++) {
        bool found = false;
        for (const char *const *p = ok; *p; p++)
            found = found || strcmp(*p, im->node->attr[k].name) == 0;
        if (!found) {
            issue(im, "attribute '%s' is not supported", im->node->attr[k].name);
            good = false;
        }
    }
    return good;
}

static Val *input(Imp *im, int k) {
    if (k >= im->node->nin || !im->node->in[k][0])
        return NULL;
    return lookup(im, im->node->in[k], false);
}

/* Input k as a netc tensor, NULL (with an issue unless it is already bad). */
static Val *tensor_in(Imp *im, int k) {
    Val *v = input(im, k);
    if (!v) {
        if (k < im->node->nin && im->node->in[k][0])
            issue(im, "input '%s' is not defined before this node", im->node->in[k]);
        else
            issue(im, "input %d is missing", k + 1);
        return NULL;
    }
    if (v->kind == V_BAD)
        return NULL;
    if (v->kind != V_TENSOR) {
        issue(im, "input '%s' is a constant; netc's layers take a computed tensor there",
              v->key);
        return NULL;
    }
    if (v->rank == 5 && strcmp(im->node->op, "Reshape") != 0 &&
        strcmp(im->node->op, "Transpose") != 0) {
        issue(im, "input '%s' is a 5-D view of a map's channels; netc reads one only in a "
                  "channel shuffle (Reshape, Transpose, Reshape)",
              v->key);
        return NULL;
    }
    return v;
}

/* Input k as a constant of floats with `count` values (or any count if
** -1), NULL with an issue. */
static const OnnxTensor *const_in(Imp *im, int k, const char *what) {
    Val *v = input(im, k);
    if (v && v->kind == V_BAD)
        return NULL;
    if (!v || v->kind != V_CONST) {
        issue(im, "%s must be a constant (an initializer), not computed at run time", what);
        return NULL;
    }
    if (!v->t->f && !v->t->i) {
        issue(im, "%s has data type %d; netc reads float32, float64, int32 and int64", what,
              v->t->dtype);
        return NULL;
    }
    return v->t;
}

static void out_bad(Imp *im) {
    for (int k = 0; k < im->node->nout; k++)
        if (im->node->out[k][0])
            lookup(im, im->node->out[k], true)->kind = V_BAD;
}

static Val *out_val(Imp *im, int k) {
    if (k >= im->node->nout || !im->node->out[k][0])
        return NULL;
    Val *v = lookup(im, im->node->out[k], true);
    v->kind = V_NONE;
    return v;
}

/*
** Output
*/

static void line_start(Imp *im) {
    vec_push(im->a, &im->out->line_node, (void *)(intptr_t)(im->node ? im->node->index + 1 : 0));
    im->line++;
}

static void emit(Imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(Imp *im, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(im->a, fmt, ap);
    va_end(ap);
    for (char *p = s; *p; p++) {
        if (im->out->net.len == 0 || im->out->net.data[im->out->net.len - 1] == '\n')
            line_start(im);
        buf_putc(&im->out->net, *p);
    }
}

/* The node's name as a comment: printable ASCII only. */
static const char *comment(Imp *im) {
    char *s = arena_strdup(im->a, im->node->name[0] ? im->node->name : im->node->op);
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F)
            *p = '?';
    return s;
}

static void layer(Imp *im, Val *o, const char *name, const char *op, const char *in,
                  const char *attrs) {
    emit(im, "    %s = %s(%s%s%s);    # %s (%s)\n", name, op, in, *attrs ? ", " : "", attrs,
         comment(im), im->node->op);
    o->kind = V_TENSOR;
    o->net = name;
}

static void weight(Imp *im, const char *layer_n, const char *suffix, const OnnxTensor *t,
                   const float *data, int rank, const int64_t *dims) {
    OnnxWeight *w = arena_alloc(im->a, sizeof *w);
    w->name = arena_printf(im->a, "%s.%s", layer_n, suffix);
    w->rank = rank;
    w->count = 1;
    for (int k = 0; k < rank; k++) {
        w->dims[k] = dims[k];
        w->count *= dims[k];
    }
    w->data = data ? data : t->f;
    vec_push(im->a, &im->out->weights, w);
}

/* The shortest decimal that reads back as the same float32 (ONNX's floats
** are float32: 1e-5 is stored as 9.99999975e-06). */
static const char *fmt_float(Arena *a, double v) {
    char b[64];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if ((float)strtod(b, NULL) == (float)v)
            break;
    }
    if (!strpbrk(b, ".eE"))
        return arena_printf(a, "%s.0", b);
    return arena_strdup(a, b);
}

/*
** Constants
*/

static OnnxTensor *new_const(Imp *im, bool is_float, int rank, const int64_t *dims) {
    OnnxTensor *t = arena_alloc(im->a, sizeof *t);
    memset(t, 0, sizeof *t);
    t->name = "";
    t->dtype = is_float ? ONNX_FLOAT : ONNX_INT64;
    t->rank = rank;
    t->count = 1;
    for (int k = 0; k < rank; k++) {
        t->dims[k] = dims[k];
        if (!ck_mul(t->count, dims[k], &t->count) || t->count > CONST_MAX) {
            issue(im, "a constant of more than %d values is not computed at import", CONST_MAX);
            return NULL;
        }
    }
    size_t n = (size_t)(t->count ? t->count : 1);
    if (is_float)
        t->f = arena_alloc(im->a, n * sizeof(float));
    else
        t->i = arena_alloc(im->a, n * sizeof(int64_t));
    return t;
}

static double cget(const OnnxTensor *t, int64_t k) { return t->f ? t->f[k] : (double)t->i[k]; }
static void cset(OnnxTensor *t, int64_t k, double v, int64_t iv) {
    if (t->f)
        t->f[k] = (float)v;
    else
        t->i[k] = iv;
}
static int64_t iget(const OnnxTensor *t, int64_t k) { return t->i ? t->i[k] : (int64_t)t->f[k]; }

/* The constants of a node's inputs; false if one is not a constant (then
** the node is not folded). */
static bool all_const(Imp *im) {
    bool any = false;
    for (int k = 0; k < im->node->nin; k++) {
        if (!im->node->in[k][0])
            continue;
        Val *v = lookup(im, im->node->in[k], false);
        if (!v || v->kind != V_CONST || (!v->t->f && !v->t->i))
            return false;
        any = true;
    }
    return any || strcmp(im->node->op, "Constant") == 0;
}

static int64_t axis_of(int64_t axis, int rank) { return axis < 0 ? axis + rank : axis; }

/* Constant input k of a node whose inputs are all constants, NULL if the
** node has no input k (absent or ""). */
static const OnnxTensor *cin(Imp *im, int k) {
    if (k >= im->node->nin || !im->node->in[k][0])
        return NULL;
    return lookup(im, im->node->in[k], false)->t;
}

/* Evaluates a node whose inputs are all constants. True when the op is one
** that can be folded (the result, or an issue, is set). */
static bool fold(Imp *im) {
    const OnnxNode *n = im->node;
    const char *op = n->op;
    const OnnxTensor *x = cin(im, 0);
    OnnxTensor *r = NULL;
    if (!x)
        return false; /* Constant is not folded here; every other op needs input 1 */
    if (strcmp(op, "Identity") == 0 || strcmp(op, "Cast") == 0 || strcmp(op, "Dropout") == 0) {
        if (strcmp(op, "Cast") == 0) {
            int64_t to = attr_int(n, "to", 0);
            bool f = to == ONNX_FLOAT || to == ONNX_DOUBLE || to == 10;
            r = new_const(im, f, x->rank, x->dims);
            if (!r)
                return true;
            for (int64_t k = 0; k < x->count; k++)
                cset(r, k, cget(x, k), iget(x, k));
        } else {
            r = (OnnxTensor *)x;
        }
    } else if (strcmp(op, "Unsqueeze") == 0 || strcmp(op, "Squeeze") == 0 ||
               strcmp(op, "Reshape") == 0 || strcmp(op, "Flatten") == 0) {
        int64_t dims[ONNX_MAX_RANK];
        int rank = 0;
        if (strcmp(op, "Reshape") == 0) {
            const OnnxTensor *s = cin(im, 1);
            if (!s || s->rank != 1 || s->count > ONNX_MAX_RANK)
                return false;
            int64_t known = 1, infer = -1;
            for (int64_t k = 0; k < s->count; k++) {
                int64_t d = iget(s, k);
                if (d == 0 && k < x->rank)
                    d = x->dims[k];
                if (d == -1 && infer < 0)
                    infer = k;
                else if (d < 0)
                    return false;
                else if (!ck_mul(known, d, &known))
                    return false;
                dims[rank++] = d;
            }
            if (infer >= 0) {
                if (known == 0 || x->count % known)
                    return false;
                dims[infer] = x->count / known;
            }
        } else if (strcmp(op, "Flatten") == 0) {
            int64_t ax = axis_of(attr_int(n, "axis", 1), x->rank), a = 1;
            for (int k = 0; k < x->rank && k < ax; k++)
                a *= x->dims[k];
            dims[0] = a, dims[1] = a ? x->count / a : 0, rank = 2;
        } else {
            /* axes: an attribute before opset 13, an input from 13 */
            int64_t axes[ONNX_MAX_RANK];
            int na = 0;
            const OnnxAttr *at = attr(n, "axes");
            if (at && at->type == ONNX_ATTR_INTS && at->n <= ONNX_MAX_RANK)
                for (int k = 0; k < at->n; k++)
                    axes[na++] = at->ints[k];
            else if (cin(im, 1)) {
                const OnnxTensor *s = cin(im, 1);
                if (s->count > ONNX_MAX_RANK)
                    return false;
                for (int64_t k = 0; k < s->count; k++)
                    axes[na++] = iget(s, k);
            }
            bool unsq = op[0] == 'U';
            int out_rank = unsq ? x->rank + na : x->rank;
            if (out_rank > ONNX_MAX_RANK)
                return false;
            bool mark[ONNX_MAX_RANK] = {false};
            for (int k = 0; k < na; k++) {
                int64_t a = axis_of(axes[k], out_rank);
                if (a < 0 || a >= out_rank || mark[a])
                    return false;
                mark[a] = true;
            }
            if (unsq) {
                int src = 0;
                for (int k = 0; k < out_rank; k++)
                    dims[rank++] = mark[k] ? 1 : x->dims[src++];
            } else {
                for (int k = 0; k < x->rank; k++)
                    if (!(na ? mark[k] : x->dims[k] == 1))
                        dims[rank++] = x->dims[k];
            }
        }
        r = new_const(im, x->f != NULL, rank, dims);
        if (!r)
            return true;
        if (r->count != x->count)
            return false;
        for (int64_t k = 0; k < x->count; k++)
            cset(r, k, cget(x, k), iget(x, k));
    } else if (strcmp(op, "Concat") == 0) {
        /* of 1-D constants (shapes) */
        int64_t total = 0;
        bool f = false;
        for (int k = 0; k < n->nin; k++) {
            const OnnxTensor *t = cin(im, k);
            if (!t || t->rank > 1)
                return false;
            total += t->count;
            f = f || t->f;
        }
        r = new_const(im, f, 1, &total);
        if (!r)
            return true;
        int64_t at = 0;
        for (int k = 0; k < n->nin; k++) {
            const OnnxTensor *t = cin(im, k);
            for (int64_t j = 0; j < t->count; j++, at++)
                cset(r, at, cget(t, j), iget(t, j));
        }
    } else if (strcmp(op, "Gather") == 0) {
        /* of a 1-D constant */
        const OnnxTensor *idx = cin(im, 1);
        if (!idx || x->rank != 1 || idx->rank > 1 || attr_int(n, "axis", 0) != 0)
            return false;
        r = new_const(im, x->f != NULL, idx->rank, idx->dims);
        if (!r)
            return true;
        for (int64_t k = 0; k < idx->count; k++) {
            int64_t j = iget(idx, k);
            j = j < 0 ? j + x->count : j;
            if (j < 0 || j >= x->count) {
                issue(im, "index %lld is out of range for %lld values",
                      (long long)iget(idx, k), (long long)x->count);
                return true;
            }
            cset(r, k, cget(x, j), iget(x, j));
        }
    } else if (strcmp(op, "ConstantOfShape") == 0) {
        if (x->rank != 1 || x->count > ONNX_MAX_RANK)
            return false;
        int64_t dims[ONNX_MAX_RANK];
        for (int64_t k = 0; k < x->count; k++) {
            dims[k] = iget(x, k);
            if (dims[k] < 0)
                return false;
        }
        const OnnxAttr *at = attr(n, "value");
        const OnnxTensor *v = at && at->type == ONNX_ATTR_TENSOR ? at->t : NULL;
        if (v && !v->f && !v->i)
            return false;
        r = new_const(im, v ? v->f != NULL : true, (int)x->count, dims);
        if (!r)
            return true;
        for (int64_t k = 0; k < r->count; k++)
            cset(r, k, v && v->count ? cget(v, 0) : 0, v && v->count ? iget(v, 0) : 0);
    } else if (strcmp(op, "Slice") == 0 || strcmp(op, "Transpose") == 0) {
        /* general N-D: each output index maps to an input index */
        int64_t start[ONNX_MAX_RANK], step[ONNX_MAX_RANK], dims[ONNX_MAX_RANK];
        int perm[ONNX_MAX_RANK];
        for (int k = 0; k < x->rank; k++)
            start[k] = 0, step[k] = 1, dims[k] = x->dims[k], perm[k] = k;
        if (op[0] == 'T') {
            const OnnxAttr *at = attr(n, "perm");
            for (int k = 0; k < x->rank; k++)
                perm[k] = x->rank - 1 - k;
            if (at) {
                if (at->type != ONNX_ATTR_INTS || at->n != x->rank)
                    return false;
                bool seen[ONNX_MAX_RANK] = {false};
                for (int k = 0; k < x->rank; k++) {
                    if (at->ints[k] < 0 || at->ints[k] >= x->rank || seen[at->ints[k]])
                        return false;
                    seen[at->ints[k]] = true;
                    perm[k] = (int)at->ints[k];
                }
            }
            for (int k = 0; k < x->rank; k++)
                dims[k] = x->dims[perm[k]];
        } else {
            if (n->nin < 3)
                return false;
            const OnnxTensor *st = cin(im, 1), *en = cin(im, 2), *ax = cin(im, 3),
                             *sp = cin(im, 4);
            if (!st || !en || st->count != en->count || (ax && ax->count != st->count) ||
                (sp && sp->count != st->count) || st->count > x->rank)
                return false;
            for (int64_t k = 0; k < st->count; k++) {
                int64_t a = ax ? axis_of(iget(ax, k), x->rank) : k;
                if (a < 0 || a >= x->rank)
                    return false;
                int64_t d = x->dims[a], s = iget(st, k), e = iget(en, k),
                        p = sp ? iget(sp, k) : 1;
                if (p == 0)
                    return false;
                /* a step longer than the axis takes one value: the same as d + 1 */
                p = p > d + 1 ? d + 1 : p < -(d + 1) ? -(d + 1) : p;
                s = s < 0 ? s + d : s;
                e = e < -d ? -1 : e < 0 ? e + d : e; /* e < -d: before the start */
                if (p > 0) {
                    s = s < 0 ? 0 : s > d ? d : s;
                    e = e < 0 ? 0 : e > d ? d : e;
                    dims[a] = e > s ? (e - s + p - 1) / p : 0;
                } else {
                    s = s < 0 ? -1 : s > d - 1 ? d - 1 : s;
                    e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
                    dims[a] = s > e ? (s - e + (-p) - 1) / (-p) : 0;
                }
                start[a] = s, step[a] = p;
            }
        }
        r = new_const(im, x->f != NULL, x->rank, dims);
        if (!r)
            return true;
        int64_t idx[ONNX_MAX_RANK] = {0}, xs[ONNX_MAX_RANK];
        int64_t acc = 1;
        for (int k = x->rank - 1; k >= 0; k--)
            xs[k] = acc, acc *= x->dims[k];
        for (int64_t o = 0; o < r->count; o++) {
            int64_t src = 0;
            for (int k = 0; k < x->rank; k++)
                src += op[0] == 'T' ? idx[k] * xs[perm[k]] : (start[k] + idx[k] * step[k]) * xs[k];
            cset(r, o, cget(x, src), iget(x, src));
            for (int k = x->rank - 1; k >= 0; k--) {
                if (++idx[k] < dims[k])
                    break;
                idx[k] = 0;
            }
        }
    } else if (strcmp(op, "Add") == 0 || strcmp(op, "Sub") == 0 || strcmp(op, "Mul") == 0 ||
               strcmp(op, "Div") == 0) {
        /* elementwise on same-sized constants, or with a scalar */
        if (n->nin != 2)
            return false;
        const OnnxTensor *y = cin(im, 1);
        if (!y)
            return false;
        const OnnxTensor *big = x->count >= y->count ? x : y;
        if (!(x->count == y->count || x->count == 1 || y->count == 1))
            return false;
        bool f = x->f || y->f;
        r = new_const(im, f, big->rank, big->dims);
        if (!r)
            return true;
        for (int64_t k = 0; k < r->count; k++) {
            double a = cget(x, x->count == 1 ? 0 : k), b = cget(y, y->count == 1 ? 0 : k);
            int64_t ia = iget(x, x->count == 1 ? 0 : k), ib = iget(y, y->count == 1 ? 0 : k);
            double v;
            int64_t iv;
            /* integers wrap as two's complement does, without overflow */
            uint64_t ua = (uint64_t)ia, ub = (uint64_t)ib;
            switch (op[0]) {
            case 'A': v = a + b, iv = (int64_t)(ua + ub); break;
            case 'S': v = a - b, iv = (int64_t)(ua - ub); break;
            case 'M': v = a * b, iv = (int64_t)(ua * ub); break;
            default:
                if (!f && ib == 0) {
                    issue(im, "integer division by zero");
                    return true;
                }
                v = a / b;
                iv = ib == 0 || (ib == -1 && ia == INT64_MIN) ? 0 : ia / ib;
                break;
            }
            cset(r, k, v, iv);
        }
    } else {
        return false;
    }
    Val *o = out_val(im, 0);
    if (o && r) {
        o->kind = V_CONST;
        o->t = r;
    }
    for (int k = 1; k < n->nout; k++)
        if (n->out[k][0])
            lookup(im, n->out[k], true)->kind = V_BAD;
    return true;
}

/*
** Layers
*/

static const char *pair(Arena *a, int64_t x, int64_t y) {
    return x == y ? arena_printf(a, "%lld", (long long)x)
                  : arena_printf(a, "(%lld, %lld)", (long long)x, (long long)y);
}

/* ONNX pads [top, left, bottom, right] as netc's padding. */
static const char *padding(Arena *a, const int64_t *p) {
    if (p[0] == p[2] && p[1] == p[3])
        return pair(a, p[0], p[1]);
    return arena_printf(a, "(%lld, %lld, %lld, %lld)", (long long)p[0], (long long)p[2],
                        (long long)p[1], (long long)p[3]);
}

/* auto_pad: NOTSET (explicit pads) or VALID are netc's; SAME_* only when
** the pads it means are computed here. */
static bool window_pads(Imp *im, const int64_t *k, const int64_t *s, const int64_t *d,
                        const Val *x, int64_t *pads) {
    if (!attr_ints(im, "pads", 4, pads, 0))
        return false;
    for (int j = 0; j < 4; j++)
        if (pads[j] < 0) {
            issue(im, "negative pads (cropping) are not supported");
            return false;
        }
    const OnnxAttr *ap = attr(im->node, "auto_pad");
    const char *mode = ap && ap->type == ONNX_ATTR_STRING ? ap->s : "NOTSET";
    if (strcmp(mode, "NOTSET") == 0)
        return true;
    if (strcmp(mode, "VALID") == 0) {
        memset(pads, 0, 4 * sizeof *pads);
        return true;
    }
    bool upper = strcmp(mode, "SAME_UPPER") == 0;
    if (!upper && strcmp(mode, "SAME_LOWER") != 0) {
        issue(im, "auto_pad '%s' is not supported", mode);
        return false;
    }
    for (int j = 0; j < 2; j++) {
        int64_t in = x->dims[2 + j], out = (in + s[j] - 1) / s[j];
        int64_t total = (out - 1) * s[j] + (k[j] - 1) * d[j] + 1 - in;
        total = total < 0 ? 0 : total;
        int64_t small = total / 2, big = total - small;
        pads[j] = upper ? small : big;
        pads[j + 2] = upper ? big : small;
    }
    return true;
}

static int64_t window_out(int64_t in, int64_t pb, int64_t pe, int64_t k, int64_t s, int64_t d,
                          bool ceil_mode) {
    int64_t span = in + pb + pe - d * (k - 1) - 1;
    if (span < 0)
        return 0;
    int64_t o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (ceil_mode && (o - 1) * s >= in + pb)
        o--; /* the last window must start inside the input or its top/left pad */
    return o;
}

static bool need_map(Imp *im, Val *x) {
    if (x->rank != 4 || x->flat_net) {
        issue(im, "input '%s' is %s; this op takes an (N, C, H, W) map", x->key,
              x->flat_net ? "flat in netc (the output of a global pooling)" : "not a 4-D map");
        return false;
    }
    return true;
}

/* A conv's or transposed conv's bias: cout float values, or none. */
static bool bias_fits(Imp *im, const OnnxTensor *b, int64_t cout) {
    if (b && (b->count != cout || !b->f)) {
        issue(im, "the bias has %lld values for %lld filters", (long long)b->count,
              (long long)cout);
        return false;
    }
    return true;
}

/* The attributes every conv layer writes first: filters, kernel, stride. */
static void conv_head(Imp *im, Buf *at, int64_t cout, const int64_t *k, const int64_t *s) {
    buf_printf(at, "filters=%lld, kernel=%s", (long long)cout, pair(im->a, k[0], k[1]));
    if (s[0] != 1 || s[1] != 1)
        buf_printf(at, ", stride=%s", pair(im->a, s[0], s[1]));
}

static void imp_conv(Imp *im) {
    static const char *const ok[] = {"kernel_shape", "strides", "pads", "dilations", "group",
                                     "auto_pad", NULL};
    Val *x = tensor_in(im, 0);
    const OnnxTensor *w = const_in(im, 1, "the weight (input 2)");
    const OnnxTensor *b = im->node->nin > 2 && im->node->in[2][0] ? const_in(im, 2, "the bias (input 3)") : NULL;
    bool good = known_attrs(im, ok) && x && w && need_map(im, x) &&
                (im->node->nin <= 2 || !im->node->in[2][0] || b);
    if (!good)
        return out_bad(im);
    if (w->rank != 4 || !w->f) {
        issue(im, "the weight must be a 4-D float tensor (a 2-D convolution)");
        return out_bad(im);
    }
    int64_t k[2] = {w->dims[2], w->dims[3]}, s[2], d[2], pads[4];
    int64_t g = attr_int(im->node, "group", 1);
    if (!attr_ints(im, "kernel_shape", 2, k, 0) || !attr_ints(im, "strides", 2, s, 1) ||
        !attr_ints(im, "dilations", 2, d, 1))
        return out_bad(im);
    if (k[0] == 0)
        k[0] = w->dims[2], k[1] = w->dims[3];
    if (!window_pads(im, k, s, d, x, pads))
        return out_bad(im);
    int64_t cin = x->dims[1], cout = w->dims[0];
    if (g < 1 || cin % g || cout % g || w->dims[1] != cin / g || k[0] != w->dims[2] ||
        k[1] != w->dims[3] || s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1) {
        issue(im, "the weight [%lld, %lld, %lld, %lld] does not fit %lld input channels, "
                  "group %lld and kernel %lldx%lld",
              (long long)w->dims[0], (long long)w->dims[1], (long long)w->dims[2],
              (long long)w->dims[3], (long long)cin, (long long)g, (long long)k[0],
              (long long)k[1]);
        return out_bad(im);
    }
    if (!bias_fits(im, b, cout))
        return out_bad(im);
    Val *o = out_val(im, 0);
    if (!o)
        return;
    const char *name = layer_name(im, w->name);
    Buf at = {0};
    conv_head(im, &at, cout, k, s);
    if (pads[0] || pads[1] || pads[2] || pads[3])
        buf_printf(&at, ", padding=%s", padding(im->a, pads));
    if (d[0] != 1 || d[1] != 1)
        buf_printf(&at, ", dilation=%s", pair(im->a, d[0], d[1]));
    if (g != 1)
        buf_printf(&at, ", groups=%lld", (long long)g);
    buf_printf(&at, ", bias=%s", b ? "true" : "false");
    layer(im, o, name, "conv2d", x->net, arena_strndup(im->a, at.data, at.len));
    buf_free(&at);
    o->rank = 4;
    o->dims[0] = 1, o->dims[1] = cout;
    o->dims[2] = window_out(x->dims[2], pads[0], pads[2], k[0], s[0], d[0], false);
    o->dims[3] = window_out(x->dims[3], pads[1], pads[3], k[1], s[1], d[1], false);
    weight(im, name, "weight", w, NULL, 4, w->dims);
    if (b)
        weight(im, name, "bias", b, NULL, 1, &cout);
}

static void imp_pool(Imp *im, bool avg) {
    static const char *const ok_max[] = {"kernel_shape", "strides", "pads", "dilations",
                                         "ceil_mode", "auto_pad", "storage_order", NULL};
    static const char *const ok_avg[] = {"kernel_shape", "strides", "pads", "ceil_mode",
                                         "auto_pad", "count_include_pad", NULL};
    Val *x = tensor_in(im, 0);
    if (!known_attrs(im, avg ? ok_avg : ok_max) || !x || !need_map(im, x))
        return out_bad(im);
    if (im->node->nout > 1 && im->node->out[1][0]) {
        issue(im, "the Indices output is not supported");
        return out_bad(im);
    }
    int64_t k[2], s[2], d[2], pads[4];
    if (!attr_ints(im, "kernel_shape", 2, k, 0) || !attr_ints(im, "strides", 2, s, 1) ||
        !attr_ints(im, "dilations", 2, d, 1))
        return out_bad(im);
    if (k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1) {
        issue(im, "kernel_shape and strides must be positive");
        return out_bad(im);
    }
    if (d[0] != 1 || d[1] != 1) {
        issue(im, "dilations other than 1 are not supported in pooling");
        return out_bad(im);
    }
    if (!window_pads(im, k, s, d, x, pads))
        return out_bad(im);
    bool ceil_mode = attr_int(im->node, "ceil_mode", 0) != 0;
    Val *o = out_val(im, 0);
    if (!o)
        return;
    const char *name = layer_name(im, NULL);
    Buf at = {0};
    buf_printf(&at, "size=%s, stride=%s", pair(im->a, k[0], k[1]), pair(im->a, s[0], s[1]));
    if (pads[0] || pads[1] || pads[2] || pads[3])
        buf_printf(&at, ", padding=%s", padding(im->a, pads));
    if (ceil_mode)
        buf_puts(&at, ", ceil=true");
    if (avg && (pads[0] || pads[1] || pads[2] || pads[3] || ceil_mode))
        buf_printf(&at, ", count_pad=%s",
                   attr_int(im->node, "count_include_pad", 0) ? "true" : "false");
    layer(im, o, name, avg ? "avgpool2d" : "maxpool2d", x->net,
          arena_strndup(im->a, at.data, at.len));
    buf_free(&at);
    o->rank = 4;
    o->dims[0] = 1, o->dims[1] = x->dims[1];
    o->dims[2] = window_out(x->dims[2], pads[0], pads[2], k[0], s[0], 1, ceil_mode);
    o->dims[3] = window_out(x->dims[3], pads[1], pads[3], k[1], s[1], 1, ceil_mode);
}

static void imp_global(Imp *im, bool avg) {
    Val *x = tensor_in(im, 0);
    if (!x || !need_map(im, x))
        return out_bad(im);
    bool reduce = strncmp(im->node->op, "Reduce", 6) == 0;
    if (reduce) {
        /* ReduceMean, ReduceMax over H and W: axes an attribute, or from
        ** opset 18 an input */
        static const char *const ok[] = {"axes", "keepdims", "noop_with_empty_axes", NULL};
        if (!known_attrs(im, ok))
            return out_bad(im);
        int64_t axes[ONNX_MAX_RANK];
        int na = 0;
        const OnnxAttr *at = attr(im->node, "axes");
        if (at && at->type == ONNX_ATTR_INTS) {
            for (int k = 0; k < at->n && na < ONNX_MAX_RANK; k++)
                axes[na++] = at->ints[k];
        } else if (im->node->nin > 1 && im->node->in[1][0]) {
            const OnnxTensor *t = const_in(im, 1, "axes (input 2)");
            if (!t)
                return out_bad(im);
            for (int64_t k = 0; k < t->count && na < ONNX_MAX_RANK; k++)
                axes[na++] = iget(t, k);
        }
        bool h = false, w = false, other = na == 0;
        for (int k = 0; k < na; k++) {
            int64_t a = axis_of(axes[k], 4);
            h = h || a == 2, w = w || a == 3;
            other = other || (a != 2 && a != 3);
        }
        if (!h || !w || other) {
            issue(im, "%s over axes other than H and W (2, 3) is not supported",
                  im->node->op);
            return out_bad(im);
        }
        if (!attr_int(im->node, "keepdims", 1)) {
            Val *o = out_val(im, 0);
            if (!o)
                return;
            layer(im, o, layer_name(im, NULL), avg ? "global_avgpool2d" : "global_maxpool2d",
                  x->net, "");
            o->rank = 2;
            o->dims[0] = 1, o->dims[1] = x->dims[1];
            return;
        }
    }
    Val *o = out_val(im, 0);
    if (!o)
        return;
    /* keepdims=true (a 1×1×C map) when a reader takes a map: a 1×1 conv or
    ** the gate of a squeeze-and-excitation; else the flat (C) */
    const Use *u = use_of(im, o->key, false);
    bool keep = u && u->map_reader;
    layer(im, o, layer_name(im, NULL), avg ? "global_avgpool2d" : "global_maxpool2d", x->net,
          keep ? "keepdims=true" : "");
    o->rank = 4;
    o->dims[0] = 1, o->dims[1] = x->dims[1], o->dims[2] = o->dims[3] = 1;
    o->flat_net = !keep;
}

static void copy_shape(Val *o, const Val *x) {
    o->rank = x->rank;
    memcpy(o->dims, x->dims, sizeof o->dims);
    o->flat_net = x->flat_net;
    o->swapped = x->swapped;
}

/* An op with one input and the same shape out. */
static void imp_same(Imp *im, const char *op, const char *attrs) {
    Val *x = tensor_in(im, 0);
    if (!x)
        return out_bad(im);
    Val *o = out_val(im, 0);
    if (!o)
        return;
    layer(im, o, layer_name(im, NULL), op, x->net, attrs);
    copy_shape(o, x);
}

/* Identity, Dropout (inference): the output is the input. */
static void imp_alias(Imp *im) {
    Val *x = tensor_in(im, 0);
    if (!x)
        return out_bad(im);
    if (im->node->nout > 1 && im->node->out[1][0]) {
        issue(im, "the mask output of Dropout is not supported");
        return out_bad(im);
    }
    Val *o = out_val(im, 0);
    if (!o)
        return;
    *o = (Val){.key = o->key, .kind = V_TENSOR, .net = x->net, .rank = x->rank,
               .flat_net = x->flat_net, .swapped = x->swapped};
    memcpy(o->dims, x->dims, sizeof o->dims);
}

/* Clip's bounds (opset 11+: inputs 2 and 3; before, attributes); false
** with an issue when netc has no op for them. */
static bool clip_bounds(Imp *im, bool *is_relu6) {
    double lo = -INFINITY, hi = INFINITY;
    const OnnxAttr *a1 = attr(im->node, "min"), *a2 = attr(im->node, "max");
    if (a1 && a1->type == ONNX_ATTR_FLOAT)
        lo = a1->f;
    if (a2 && a2->type == ONNX_ATTR_FLOAT)
        hi = a2->f;
    for (int k = 1; k <= 2; k++) {
        if (k >= im->node->nin || !im->node->in[k][0])
            continue;
        const OnnxTensor *t = const_in(im, k, k == 1 ? "min" : "max");
        if (!t)
            return false;
        if (t->count != 1) {
            issue(im, "%s must be a scalar", k == 1 ? "min" : "max");
            return false;
        }
        *(k == 1 ? &lo : &hi) = cget(t, 0);
    }
    if (lo == 0 && (hi == 6 || isinf(hi))) {
        if (is_relu6)
            *is_relu6 = hi == 6;
        return true;
    }
    issue(im, "Clip(%g, %g) is not supported: netc has Clip(0, 6) as relu6 and Clip(0) as relu",
          lo, hi);
    return false;
}

static void imp_clip(Imp *im) {
    bool relu6;
    if (!clip_bounds(im, &relu6))
        return out_bad(im);
    imp_same(im, relu6 ? "relu6" : "relu", "");
}

static void imp_softmax(Imp *im) {
    Val *x = tensor_in(im, 0);
    if (!x)
        return out_bad(im);
    int64_t opset = im->m->opset ? im->m->opset : 13;
    int64_t ax = axis_of(attr_int(im->node, "axis", opset >= 13 ? -1 : 1), x->rank);
    bool over_channels = (x->rank == 2 && ax == 1) || (x->rank == 4 && x->flat_net && ax >= 1) ||
                         (x->rank == 4 && opset >= 13 && ax == 1);
    if (!over_channels) {
        issue(im, "softmax over axis %lld of a %d-D tensor is not supported: netc's softmax "
                  "runs over the channels",
              (long long)ax, x->rank);
        return out_bad(im);
    }
    imp_same(im, "softmax", "");
}

static void imp_flatten(Imp *im, Val *x) {
    Val *o = out_val(im, 0);
    if (!o)
        return;
    if (x->rank == 2 || x->flat_net) {
        *o = (Val){.key = o->key, .kind = V_TENSOR, .net = x->net, .rank = 2};
        o->dims[0] = 1, o->dims[1] = x->dims[1];
        return;
    }
    layer(im, o, layer_name(im, NULL), "flatten", x->net, "order=chw");
    o->rank = 2;
    o->dims[0] = 1, o->dims[1] = x->dims[1] * x->dims[2] * x->dims[3];
}

static void imp_flatten_op(Imp *im) {
    Val *x = tensor_in(im, 0);
    if (!x)
        return out_bad(im);
    if (axis_of(attr_int(im->node, "axis", 1), x->rank) != 1) {
        issue(im, "Flatten with an axis other than 1 is not supported");
        return out_bad(im);
    }
    imp_flatten(im, x);
}

static bool reshape_groups(Imp *im, Val *x, const OnnxTensor *s);

static void imp_reshape(Imp *im) {
    Val *x = tensor_in(im, 0);
    const OnnxTensor *s = x ? const_in(im, 1, "the shape (input 2)") : NULL;
    if (!x || !s)
        return out_bad(im);
    if (reshape_groups(im, x, s))
        return;
    int64_t total = 1;
    for (int k = 1; k < x->rank; k++)
        total *= x->dims[k];
    /* (N, -1), (N, C*H*W), (-1, C*H*W), 0 copying N: a flatten */
    if (s->count == 2 && s->i) {
        int64_t a = s->i[0], b = s->i[1];
        if ((a == 1 || a == 0 || a == -1) && (b == -1 || b == total) && !(a == -1 && b == -1))
            return imp_flatten(im, x);
    }
    if (x->flat_net && s->count == 4 && s->i && (s->i[1] == x->dims[1] || s->i[1] == -1) &&
        s->i[2] == 1 && s->i[3] == 1) {
        Val *o = out_val(im, 0);
        if (o)
            *o = *x, o->key = im->node->out[0];
        return;
    }
    issue(im, "Reshape to anything but a flatten (N, -1) is not supported");
    out_bad(im);
}

static bool same_dims(const Val *a, const Val *b) {
    if (a->rank != b->rank)
        return false;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k])
            return false;
    return true;
}

static void imp_concat(Imp *im) {
    Buf ins = {0};
    Val *first = NULL;
    int64_t ch = 0;
    bool good = true;
    for (int k = 0; k < im->node->nin; k++) {
        Val *v = tensor_in(im, k);
        if (!v) {
            good = false;
            continue;
        }
        if (!first)
            first = v;
        int64_t ax = axis_of(attr_int(im->node, "axis", 1), v->rank);
        if (ax != 1 || v->rank != first->rank || v->flat_net != first->flat_net ||
            (v->rank == 4 && (v->dims[2] != first->dims[2] || v->dims[3] != first->dims[3]))) {
            issue(im, "concatenation other than along the channels of same-sized maps (axis 1) "
                      "is not supported");
            good = false;
            break;
        }
        ch += v->dims[1];
        buf_printf(&ins, "%s%s", ins.len ? ", " : "", v->net);
    }
    if (!good || !first) {
        buf_free(&ins);
        return out_bad(im);
    }
    Val *o = out_val(im, 0);
    if (o) {
        layer(im, o, layer_name(im, NULL), im->node->nin > 1 ? "concat" : "linear",
              arena_strndup(im->a, ins.data, ins.len), "");
        copy_shape(o, first);
        o->dims[1] = ch;
    }
    buf_free(&ins);
}

/* A dense layer: Gemm, or MatMul with an Add of a constant bias after it. */
static void dense(Imp *im, Val *x, const OnnxTensor *w, bool trans, double alpha,
                  const OnnxTensor *bias, double beta, Val *o) {
    if (x->rank != 2 && !x->flat_net) {
        issue(im, "the input is not flat (N, n): flatten it first");
        return out_bad(im);
    }
    if (w->rank != 2 || !w->f) {
        issue(im, "the weight must be a 2-D float tensor");
        return out_bad(im);
    }
    int64_t in = trans ? w->dims[1] : w->dims[0], units = trans ? w->dims[0] : w->dims[1];
    if (in != x->dims[1]) {
        issue(im, "the weight takes %lld inputs, the tensor has %lld", (long long)in,
              (long long)x->dims[1]);
        return out_bad(im);
    }
    if (bias && (bias->count != units || !bias->f)) {
        issue(im, "the bias has %lld values for %lld units (broadcasting is not supported)",
              (long long)bias->count, (long long)units);
        return out_bad(im);
    }
    /* PyTorch's layout [out, in], scaled by alpha */
    float *wd = w->f;
    if (!trans || alpha != 1) {
        wd = arena_alloc(im->a, (size_t)(units * in > 0 ? units * in : 1) * sizeof(float));
        for (int64_t u = 0; u < units; u++)
            for (int64_t i = 0; i < in; i++)
                wd[u * in + i] = (float)(alpha * (trans ? w->f[u * in + i] : w->f[i * units + u]));
    }
    float *bd = bias ? bias->f : NULL;
    if (bias && beta != 1) {
        bd = arena_alloc(im->a, (size_t)(units ? units : 1) * sizeof(float));
        for (int64_t u = 0; u < units; u++)
            bd[u] = (float)(beta * bias->f[u]);
    }
    const char *name = layer_name(im, w->name);
    layer(im, o, name, "dense", x->net,
          arena_printf(im->a, "units=%lld, bias=%s", (long long)units, bias ? "true" : "false"));
    o->rank = 2;
    o->dims[0] = 1, o->dims[1] = units;
    int64_t wdims[2] = {units, in};
    weight(im, name, "weight", w, wd, 2, wdims);
    if (bias)
        weight(im, name, "bias", bias, bd, 1, &units);
}

static void imp_gemm(Imp *im) {
    static const char *const ok[] = {"alpha", "beta", "transA", "transB", NULL};
    Val *x = tensor_in(im, 0);
    const OnnxTensor *w = const_in(im, 1, "B (input 2)");
    const OnnxTensor *c = im->node->nin > 2 && im->node->in[2][0] ? const_in(im, 2, "C (input 3)") : NULL;
    if (!known_attrs(im, ok) || !x || !w || (im->node->nin > 2 && im->node->in[2][0] && !c))
        return out_bad(im);
    if (attr_int(im->node, "transA", 0)) {
        issue(im, "transA=1 is not supported");
        return out_bad(im);
    }
    Val *o = out_val(im, 0);
    if (!o)
        return;
    dense(im, x, w, attr_int(im->node, "transB", 0) != 0, attr_float(im->node, "alpha", 1), c,
          attr_float(im->node, "beta", 1), o);
}

/* MatMul: a dense layer; an Add of a constant bias that alone reads it is
** folded in (and skipped). */
static void imp_matmul(Imp *im) {
    int fused_at = -1, *fused = &fused_at;
    Val *x = tensor_in(im, 0);
    const OnnxTensor *w = const_in(im, 1, "the second operand (input 2)");
    if (!x || !w)
        return out_bad(im);
    Val *o = out_val(im, 0);
    if (!o)
        return;
    const OnnxTensor *bias = NULL;
    const char *mm_out = im->node->out[0];
    int k = sole_reader(im, im->node->index, mm_out);
    const OnnxNode *n = k >= 0 ? &im->m->node[k] : NULL;
    if (n && strcmp(n->op, "Add") == 0 && !n->domain[0] && n->nin == 2 && n->nout >= 1 &&
        n->out[0][0]) {
        const char *other = strcmp(n->in[0], mm_out) == 0 ? n->in[1] : n->in[0];
        Val *b = lookup(im, other, false);
        if (b && b->kind == V_CONST && b->t->f)
            *fused = k, bias = b->t;
    }
    dense(im, x, w, false, 1, bias, 1, o);
    if (*fused >= 0)
        im->skip[*fused] = true;
    if (*fused >= 0 && o->kind == V_TENSOR) {
        Val *r = lookup(im, im->m->node[*fused].out[0], true);
        *r = *o;
        r->key = im->m->node[*fused].out[0];
    }
}

static void imp_batchnorm(Imp *im) {
    static const char *const ok[] = {"epsilon", "momentum", "training_mode", "spatial", NULL};
    Val *x = tensor_in(im, 0);
    const OnnxTensor *t[4];
    static const char *const what[] = {"scale", "B", "input_mean", "input_var"};
    bool good = known_attrs(im, ok) && x;
    for (int k = 0; k < 4; k++) {
        t[k] = const_in(im, k + 1, what[k]);
        good = good && t[k];
    }
    if (!good)
        return out_bad(im);
    if (attr_int(im->node, "training_mode", 0) ||
        (im->node->nout > 1 && im->node->out[1][0])) {
        issue(im, "training mode (running statistics as outputs) is not supported");
        return out_bad(im);
    }
    int64_t c = x->dims[1];
    for (int k = 0; k < 4; k++)
        if (t[k]->count != c || !t[k]->f) {
            issue(im, "%s has %lld values for %lld channels", what[k], (long long)t[k]->count,
                  (long long)c);
            return out_bad(im);
        }
    Val *o = out_val(im, 0);
    if (!o)
        return;
    const char *name = layer_name(im, t[0]->name);
    layer(im, o, name, "batchnorm", x->net,
          arena_printf(im->a, "epsilon=%s", fmt_float(im->a, attr_float(im->node, "epsilon", 1e-5))));
    copy_shape(o, x);
    static const char *const suffix[] = {"weight", "bias", "running_mean", "running_var"};
    for (int k = 0; k < 4; k++)
        weight(im, name, suffix[k], t[k], NULL, 1, &c);
}

static void imp_pad(Imp *im) {
    Val *x = tensor_in(im, 0);
    if (!x || !need_map(im, x))
        return out_bad(im);
    const OnnxAttr *m = attr(im->node, "mode");
    if (m && m->type == ONNX_ATTR_STRING && strcmp(m->s, "constant") != 0) {
        issue(im, "mode '%s' is not supported: netc pads with zeros", m->s);
        return out_bad(im);
    }
    int64_t p[8];
    const OnnxAttr *pa = attr(im->node, "pads");
    if (pa && pa->type == ONNX_ATTR_INTS && pa->n == 8) { /* before opset 11 */
        memcpy(p, pa->ints, sizeof p);
    } else {
        const OnnxTensor *t = const_in(im, 1, "pads (input 2)");
        if (!t)
            return out_bad(im);
        if (t->count != 8) {
            issue(im, "pads has %lld values; a 4-D map needs 8", (long long)t->count);
            return out_bad(im);
        }
        for (int k = 0; k < 8; k++)
            p[k] = iget(t, k);
    }
    if (im->node->nin > 2 && im->node->in[2][0]) {
        const OnnxTensor *v = const_in(im, 2, "constant_value (input 3)");
        if (!v)
            return out_bad(im);
        if (v->count > 0 && cget(v, 0) != 0) {
            issue(im, "padding with %g is not supported: netc pads with zeros", cget(v, 0));
            return out_bad(im);
        }
    }
    if (p[0] || p[1] || p[4] || p[5]) {
        issue(im, "padding the batch or channel axis is not supported");
        return out_bad(im);
    }
    for (int k = 0; k < 8; k++) {
        if (p[k] < 0) {
            issue(im, "negative pads (cropping) are not supported");
            return out_bad(im);
        }
        if (p[k] > ONNX_DIM_MAX) {
            issue(im, "pads has the value %lld, out of range", (long long)p[k]);
            return out_bad(im);
        }
    }
    int64_t pads[4] = {p[2], p[3], p[6], p[7]};
    Val *o = out_val(im, 0);
    if (!o)
        return;
    if (!pads[0] && !pads[1] && !pads[2] && !pads[3]) {
        imp_alias(im);
        return;
    }
    layer(im, o, layer_name(im, NULL), "zeropad2d", x->net,
          arena_printf(im->a, "padding=%s", padding(im->a, pads)));
    copy_shape(o, x);
    o->dims[2] += pads[0] + pads[2];
    o->dims[3] += pads[1] + pads[3];
}

/* Shape of a tensor: a constant, since every shape is known at import. */
static void imp_shape(Imp *im) {
    Val *x = input(im, 0);
    if (x && x->kind == V_BAD)
        return out_bad(im);
    if (!x || (x->kind != V_TENSOR && x->kind != V_CONST)) {
        issue(im, "input 1 is not defined before this node");
        return out_bad(im);
    }
    int rank = x->kind == V_CONST ? x->t->rank : x->rank;
    const int64_t *dims = x->kind == V_CONST ? x->t->dims : x->dims;
    int64_t st = axis_of(attr_int(im->node, "start", 0), rank);
    int64_t en = axis_of(attr_int(im->node, "end", rank), rank);
    st = st < 0 ? 0 : st > rank ? rank : st;
    en = en < st ? st : en > rank ? rank : en;
    int64_t n = en - st;
    OnnxTensor *t = new_const(im, false, 1, &n);
    if (!t)
        return out_bad(im);
    for (int64_t k = 0; k < n; k++)
        t->i[k] = dims[st + k];
    Val *o = out_val(im, 0);
    if (o)
        o->kind = V_CONST, o->t = t;
}

static void imp_constant(Imp *im) {
    const OnnxAttr *v = im->node->nattr == 1 ? &im->node->attr[0] : NULL;
    OnnxTensor *t = NULL;
    if (v && strcmp(v->name, "value") == 0 && v->type == ONNX_ATTR_TENSOR) {
        t = v->t;
    } else if (v && strcmp(v->name, "value_float") == 0 && v->type == ONNX_ATTR_FLOAT) {
        if ((t = new_const(im, true, 0, NULL)))
            t->f[0] = (float)v->f;
    } else if (v && strcmp(v->name, "value_int") == 0 && v->type == ONNX_ATTR_INT) {
        if ((t = new_const(im, false, 0, NULL)))
            t->i[0] = v->i;
    } else if (v && strcmp(v->name, "value_ints") == 0 && v->type == ONNX_ATTR_INTS) {
        int64_t n = v->n;
        if ((t = new_const(im, false, 1, &n)))
            memcpy(t->i, v->ints, (size_t)n * sizeof *t->i);
    } else if (v && strcmp(v->name, "value_floats") == 0 && v->type == ONNX_ATTR_FLOATS) {
        int64_t n = v->n;
        if ((t = new_const(im, true, 1, &n)))
            for (int k = 0; k < v->n; k++)
                t->f[k] = (float)v->floats[k];
    } else {
        issue(im, "a Constant needs one value attribute (value, value_float, value_int, "
                  "value_ints or value_floats)");
    }
    Val *o = out_val(im, 0);
    if (o && t)
        o->kind = V_CONST, o->t = t;
    else if (o)
        o->kind = V_BAD;
}

/* A tensor's ONNX shape, as text. */
static const char *onnx_shape(Imp *im, const Val *v) {
    Buf b = {0};
    int rank = v->rank;
    for (int k = 0; k < rank; k++)
        buf_printf(&b, "%s%lld", k ? ", " : "(", (long long)v->dims[k]);
    buf_putc(&b, ')');
    const char *s = arena_strndup(im->a, b.data, b.len);
    buf_free(&b);
    return s;
}

/* A computed output size netc takes: 1 to ONNX_DIM_MAX on each axis; else
** an issue, and the output is bad. */
static bool dims_ok(Imp *im, Val *o) {
    for (int k = 0; k < o->rank; k++)
        if (o->dims[k] < 1 || o->dims[k] > ONNX_DIM_MAX) {
            issue(im, "the output would be %s, out of range", onnx_shape(im, o));
            o->kind = V_BAD;
            return false;
        }
    return true;
}

/*
** Patterns: exporters write some of netc's layers as several nodes. A
** pattern is recognised at its first node, when each node of it is the one
** reader of the one before (and no graph output reads a value inside it);
** the layer is made there, the other nodes are skipped, and the value of
** the last one is the layer's.
*/

/* Node `r` when it is a default-domain `op` of two inputs, one of them
** `name`: the other input; NULL otherwise. */
static const char *other_operand(Imp *im, int r, const char *op, const char *name) {
    if (r < 0)
        return NULL;
    const OnnxNode *n = &im->m->node[r];
    if (strcmp(n->op, op) != 0 || n->domain[0] || n->nin != 2 || n->nout < 1 || !n->out[0][0])
        return NULL;
    if (strcmp(n->in[0], name) == 0)
        return n->in[1];
    if (strcmp(n->in[1], name) == 0)
        return n->in[0];
    return NULL;
}

/* Whether value `name` is a one-value constant within 1e-6 of v: an
** initializer, a constant already computed, or a Constant node (which may
** come after the node that starts a pattern). */
static bool const_is(Imp *im, const char *name, double v) {
    const OnnxTensor *t = NULL;
    Val *c = lookup(im, name, false);
    if (c && c->kind == V_CONST) {
        t = c->t;
    } else {
        const Use *u = use_of(im, name, false);
        const OnnxNode *n = u && u->producer >= 0 ? &im->m->node[u->producer] : NULL;
        if (n && strcmp(n->op, "Constant") == 0 && n->nout == 1 && n->nattr == 1 &&
            strcmp(n->attr[0].name, "value") == 0 && n->attr[0].type == ONNX_ATTR_TENSOR)
            t = n->attr[0].t;
    }
    return t && t->count == 1 && (t->f || t->i) && fabs(cget(t, 0) - v) <= 1e-6 * fabs(v);
}

/* PyTorch's hardsigmoid: HardSigmoid with alpha 1/6 and beta 0.5. */
static bool torch_hardsigmoid(const OnnxNode *n) {
    return fabs(attr_float(n, "alpha", 0.2) - 1.0 / 6) < 1e-6 &&
           fabs(attr_float(n, "beta", 0.5) - 0.5) < 1e-6;
}

typedef struct Pattern {
    const char *op; /* the netc layer */
    const char *attrs;
    int n;          /* nodes in it, the current one first */
    int node[9];
} Pattern;

/* One node of a pattern after the first: its op and its other operand. */
typedef struct Step {
    const char *op;
    enum { S_UNARY, S_X, S_CONST } other; /* none, the pattern's input, a constant v */
    double v;
} Step;

/* Appends to p the nodes of `steps`, each the sole reader of the one before,
** from the current node; x is the pattern's input. */
static bool chain(Imp *im, const char *x, const Step *steps, int nsteps, Pattern *p) {
    const char *prev = im->node->out[0];
    int at = im->node->index;
    for (int k = 0; k < nsteps; k++) {
        const Step *st = &steps[k];
        int r = sole_reader(im, at, prev);
        if (r < 0)
            return false;
        const OnnxNode *n = &im->m->node[r];
        if (st->other == S_UNARY) {
            if (strcmp(n->op, st->op) != 0 || n->domain[0] || n->nin != 1 || n->nout != 1 ||
                !n->out[0][0])
                return false;
        } else {
            const char *o = other_operand(im, r, st->op, prev);
            if (!o || (st->other == S_X ? strcmp(o, x) != 0 : !const_is(im, o, st->v)))
                return false;
        }
        p->node[p->n++] = r;
        prev = n->out[0];
        at = r;
    }
    return true;
}

/* The pattern that starts at the current node, if any:
**   Sigmoid(x) -> Mul(x, .)                          silu
**   HardSigmoid(x) (PyTorch's) -> Mul(x, .)          hardswish
**   Div(x, √2) -> Erf -> Add(., 1) -> Mul(x, .) -> Mul(., 0.5)   gelu
**   Mul(x, x) -> Mul(x, .) -> Mul(., 0.044715) -> Add(x, .) -> Mul(., √(2/π))
**     -> Tanh -> Add(., 1) -> Mul(x, .) -> Mul(., 0.5)  gelu(approximate=tanh)
** (Mul and Add with their operands in either order). */
static bool match_pattern(Imp *im, Pattern *p) {
    const OnnxNode *n = im->node;
    if (n->nout != 1 || !n->out[0][0] || n->nin < 1)
        return false;
    const char *x = n->in[0];
    p->n = 1;
    p->node[0] = n->index;
    p->attrs = "";
    if ((strcmp(n->op, "Sigmoid") == 0 || (strcmp(n->op, "HardSigmoid") == 0 &&
                                           torch_hardsigmoid(n))) && n->nin == 1) {
        int r = sole_reader(im, n->index, n->out[0]);
        const char *o = other_operand(im, r, "Mul", n->out[0]);
        if (!o || strcmp(o, x) != 0)
            return false;
        p->op = n->op[0] == 'S' ? "silu" : "hardswish";
        p->node[p->n++] = r;
        return true;
    }
    if (strcmp(n->op, "Div") == 0 && n->nin == 2 && const_is(im, n->in[1], sqrt(2.0))) {
        static const Step erf[] = {{"Erf", S_UNARY, 0}, {"Add", S_CONST, 1},
                                   {"Mul", S_X, 0}, {"Mul", S_CONST, 0.5}};
        p->op = "gelu";
        return chain(im, x, erf, 4, p);
    }
    if (strcmp(n->op, "Mul") == 0 && n->nin == 2 && strcmp(n->in[1], x) == 0) {
        static const Step tanh_form[] = {
            {"Mul", S_X, 0},        {"Mul", S_CONST, 0.044715},
            {"Add", S_X, 0},        {"Mul", S_CONST, 0.7978845608028654}, /* √(2/π) */
            {"Tanh", S_UNARY, 0},   {"Add", S_CONST, 1},
            {"Mul", S_X, 0},        {"Mul", S_CONST, 0.5}};
        p->op = "gelu";
        p->attrs = "approximate=tanh";
        return chain(im, x, tanh_form, 8, p);
    }
    return false;
}

/* A pattern's layer; with an input that could not be imported, only its
** output is marked bad. */
static void imp_pattern(Imp *im, const Pattern *p, bool bad) {
    for (int k = 1; k < p->n; k++)
        im->skip[p->node[k]] = true;
    const OnnxNode *last = &im->m->node[p->node[p->n - 1]];
    Val *o = lookup(im, last->out[0], true);
    if (bad) {
        o->kind = V_BAD;
        return;
    }
    Val *x = tensor_in(im, 0);
    if (!x) {
        o->kind = V_BAD;
        return;
    }
    o->kind = V_NONE;
    im->what = p->op;
    layer(im, o, layer_name(im, NULL), p->op, x->net, p->attrs);
    im->what = NULL;
    copy_shape(o, x);
}

/* HardSigmoid alone: PyTorch's is netc's hardsigmoid. */
static void imp_hardsigmoid(Imp *im) {
    if (!torch_hardsigmoid(im->node)) {
        issue(im, "HardSigmoid(alpha=%g, beta=%g) is not supported: netc's hardsigmoid is "
                  "PyTorch's (alpha 1/6, beta 0.5)",
              attr_float(im->node, "alpha", 0.2), attr_float(im->node, "beta", 0.5));
        return out_bad(im);
    }
    imp_same(im, "hardsigmoid", "");
}

/* Whether a map of (1, C, 1, 1) broadcasts over `big`, as netc's add and
** multiply broadcast 1×1×C beside H×W×C. */
static bool broadcasts(const Val *small, const Val *big) {
    return small->rank == 4 && big->rank == 4 && !small->flat_net && !big->flat_net &&
           small->dims[1] == big->dims[1] && small->dims[2] == 1 && small->dims[3] == 1;
}

/* Add, Mul of two computed tensors: netc's add, multiply; one shape, or a
** 1×1×C operand broadcast over an H×W×C one (squeeze-and-excitation). */
static void imp_binary(Imp *im, const char *op) {
    Val *a = input(im, 0), *b = input(im, 1);
    if ((a && a->kind == V_BAD) || (b && b->kind == V_BAD))
        return out_bad(im);
    if (im->node->nin == 2 && ((a && a->kind == V_CONST) || (b && b->kind == V_CONST))) {
        issue(im, "%s a constant is not supported: netc's %s takes computed tensors",
              op[0] == 'a' ? "adding" : "multiplying by", op);
        return out_bad(im);
    }
    a = tensor_in(im, 0), b = tensor_in(im, 1);
    if (!a || !b)
        return out_bad(im);
    const Val *big = a;
    if (!same_dims(a, b) || a->flat_net != b->flat_net || a->swapped != b->swapped) {
        if (broadcasts(b, a)) {
            big = a;
        } else if (broadcasts(a, b)) {
            big = b;
        } else {
            issue(im, "%s tensors of shapes %s and %s is not supported: netc broadcasts "
                      "only a (1, C, 1, 1) map over a (1, C, H, W) one",
                  op[0] == 'a' ? "adding" : "multiplying", onnx_shape(im, a), onnx_shape(im, b));
            return out_bad(im);
        }
    }
    Val *o = out_val(im, 0);
    if (!o)
        return;
    layer(im, o, layer_name(im, NULL), op, arena_printf(im->a, "%s, %s", a->net, b->net), "");
    copy_shape(o, big);
}

/* A channel shuffle, torchvision's Reshape (N, C, H, W) -> (N, A, B, H, W),
** Transpose of A and B, Reshape back to (N, C, H, W): the first Reshape
** makes a 5-D view of the same netc tensor, the Transpose marks it swapped,
** the last Reshape makes channel_shuffle(groups=A). */

/* The dims a Reshape to constant shape `s` gives a tensor of dims x. */
static bool reshape_dims(const int64_t *x, int xrank, const OnnxTensor *s, int64_t *dims,
                         int *rank) {
    if (s->rank != 1 || s->count < 1 || s->count > 5)
        return false;
    int64_t total = 1, known = 1;
    int infer = -1;
    for (int k = 0; k < xrank; k++)
        total *= x[k];
    for (int k = 0; k < s->count; k++) {
        int64_t d = iget(s, k);
        if (d == 0 && k < xrank)
            d = x[k];
        if (d == -1 && infer < 0)
            infer = k;
        else if (d < 1 || d > ONNX_DIM_MAX)
            return false;
        else
            known *= d;
        dims[k] = d;
    }
    if (infer >= 0) {
        if (total % known)
            return false;
        dims[infer] = total / known;
    } else if (known != total) {
        return false;
    }
    *rank = (int)s->count;
    return true;
}

/* A Reshape into or out of a 5-D view of the channels; false when it is
** neither (nothing is said then). */
static bool reshape_groups(Imp *im, Val *x, const OnnxTensor *s) {
    int64_t d[5];
    int rank;
    if (!reshape_dims(x->dims, x->rank, s, d, &rank))
        return false;
    if (x->rank == 4 && !x->flat_net && rank == 5 && d[0] == 1 &&
        d[1] * d[2] == x->dims[1] && d[3] == x->dims[2] && d[4] == x->dims[3]) {
        Val *o = out_val(im, 0);
        if (o) {
            *o = (Val){.key = o->key, .kind = V_TENSOR, .net = x->net, .rank = 5};
            memcpy(o->dims, d, sizeof d);
        }
        return true;
    }
    if (x->rank == 5 && rank == 4 && d[0] == 1 && d[1] == x->dims[1] * x->dims[2] &&
        d[2] == x->dims[3] && d[3] == x->dims[4]) {
        Val *o = out_val(im, 0);
        if (!o)
            return true;
        if (x->swapped) {
            im->what = "channel_shuffle";
            layer(im, o, layer_name(im, NULL), "channel_shuffle", x->net,
                  arena_printf(im->a, "groups=%lld", (long long)x->dims[2]));
            im->what = NULL;
        } else {
            *o = (Val){.key = o->key, .kind = V_TENSOR, .net = x->net};
        }
        o->rank = 4, o->flat_net = o->swapped = false;
        memcpy(o->dims, d, 4 * sizeof *d);
        return true;
    }
    return false;
}

/* Transpose of a computed tensor: only the swap of the groups of a channel
** shuffle. */
static void imp_transpose(Imp *im) {
    Val *x = tensor_in(im, 0);
    if (!x)
        return out_bad(im);
    const OnnxAttr *p = attr(im->node, "perm");
    static const int64_t swap[5] = {0, 2, 1, 3, 4};
    if (x->rank != 5 || !p || p->type != ONNX_ATTR_INTS || p->n != 5 ||
        memcmp(p->ints, swap, sizeof swap) != 0) {
        issue(im, "Transpose of a computed tensor is supported only in a channel shuffle "
                  "(Reshape to (N, G, C/G, H, W), perm (0, 2, 1, 3, 4), Reshape back)");
        return out_bad(im);
    }
    Val *o = out_val(im, 0);
    if (!o)
        return;
    *o = *x;
    o->key = im->node->out[0];
    o->dims[1] = x->dims[2], o->dims[2] = x->dims[1];
    o->swapped = !x->swapped;
}

/* One channel_slice(start, stop) of a map, into output k. */
static void channel_slice(Imp *im, Val *x, int k, int64_t start, int64_t stop) {
    Val *o = out_val(im, k);
    if (!o)
        return;
    if (start == 0 && stop == x->dims[1]) {
        *o = (Val){.key = o->key, .kind = V_TENSOR, .net = x->net, .rank = 4};
        memcpy(o->dims, x->dims, sizeof o->dims);
        return;
    }
    layer(im, o, layer_name(im, NULL), "channel_slice", x->net,
          arena_printf(im->a, "start=%lld, stop=%lld", (long long)start, (long long)stop));
    copy_shape(o, x);
    o->dims[1] = stop - start;
}

/* Split of a map along the channels: a channel_slice per output. */
static void imp_split(Imp *im) {
    static const char *const ok[] = {"axis", "split", NULL};
    Val *x = tensor_in(im, 0);
    if (!known_attrs(im, ok) || !x || !need_map(im, x))
        return out_bad(im);
    if (axis_of(attr_int(im->node, "axis", 0), 4) != 1) {
        issue(im, "Split along axis %lld is not supported: netc splits the channels (axis 1)",
              (long long)attr_int(im->node, "axis", 0));
        return out_bad(im);
    }
    int nout = im->node->nout;
    int64_t *size = arena_alloc(im->a, (size_t)(nout ? nout : 1) * sizeof *size);
    const OnnxAttr *sa = attr(im->node, "split");
    if (sa || (im->node->nin > 1 && im->node->in[1][0])) {
        int64_t n = -1;
        if (sa && sa->type == ONNX_ATTR_INTS) {
            n = sa->n;
            for (int k = 0; k < sa->n && k < nout; k++)
                size[k] = sa->ints[k];
        } else if (!sa) {
            const OnnxTensor *t = const_in(im, 1, "split (input 2)");
            if (!t)
                return out_bad(im);
            n = t->count;
            for (int k = 0; k < t->count && k < nout; k++)
                size[k] = iget(t, k);
        }
        if (n != nout) {
            issue(im, "split must give one size per output (%d)", nout);
            return out_bad(im);
        }
    } else {
        if (nout < 1 || x->dims[1] % nout) {
            issue(im, "%lld channels do not split into %d equal parts", (long long)x->dims[1],
                  nout);
            return out_bad(im);
        }
        for (int k = 0; k < nout; k++)
            size[k] = x->dims[1] / nout;
    }
    int64_t at = 0;
    for (int k = 0; k < nout; k++) {
        if (size[k] < 1 || size[k] > x->dims[1] - at) {
            issue(im, "the split sizes do not add up to the %lld channels",
                  (long long)x->dims[1]);
            return out_bad(im);
        }
        at += size[k];
    }
    if (at != x->dims[1]) {
        issue(im, "the split sizes do not add up to the %lld channels", (long long)x->dims[1]);
        return out_bad(im);
    }
    at = 0;
    for (int k = 0; k < nout; k++) {
        channel_slice(im, x, k, at, at + size[k]);
        at += size[k];
    }
}

/* Slice of a computed map: channels [start, stop) with step 1. */
static void imp_slice(Imp *im) {
    Val *x = tensor_in(im, 0);
    const OnnxTensor *st = x ? const_in(im, 1, "starts (input 2)") : NULL;
    const OnnxTensor *en = st ? const_in(im, 2, "ends (input 3)") : NULL;
    if (!x || !st || !en || !need_map(im, x))
        return out_bad(im);
    const OnnxTensor *ax = NULL, *sp = NULL;
    if (im->node->nin > 3 && im->node->in[3][0] && !(ax = const_in(im, 3, "axes (input 4)")))
        return out_bad(im);
    if (im->node->nin > 4 && im->node->in[4][0] && !(sp = const_in(im, 4, "steps (input 5)")))
        return out_bad(im);
    if (st->count != en->count || (ax && ax->count != st->count) ||
        (sp && sp->count != st->count)) {
        issue(im, "starts, ends, axes and steps must have as many values");
        return out_bad(im);
    }
    int64_t start = 0, stop = x->dims[1];
    for (int64_t k = 0; k < st->count; k++) {
        int64_t a = ax ? axis_of(iget(ax, k), 4) : k;
        if (a < 0 || a > 3) {
            issue(im, "axis %lld is out of range for a 4-D map", (long long)iget(ax, k));
            return out_bad(im);
        }
        int64_t d = x->dims[a], s = iget(st, k), e = iget(en, k), p = sp ? iget(sp, k) : 1;
        s = s < 0 ? s + d : s;
        e = e < 0 ? e + d : e;
        s = s < 0 ? 0 : s > d ? d : s;
        e = e < 0 ? 0 : e > d ? d : e;
        if (a == 1 && p == 1) {
            start = s, stop = e;
            continue;
        }
        if (p == 1 && s == 0 && e == d)
            continue; /* the whole axis */
        issue(im, "Slice along axis %lld%s is not supported: netc slices the channels (axis 1) "
                  "with step 1",
              (long long)a, p != 1 ? " with a step" : "");
        return out_bad(im);
    }
    if (stop <= start) {
        issue(im, "the slice of channels [%lld, %lld) is empty", (long long)start,
              (long long)stop);
        return out_bad(im);
    }
    channel_slice(im, x, 0, start, stop);
}

/* Resize (and the older Upsample) by whole scales: upsample2d.
**   nearest: coordinate_transformation_mode asymmetric with nearest_mode
**            floor (PyTorch's export), or half_pixel / pytorch_half_pixel
**            with round_prefer_floor or round_prefer_ceil: with a whole
**            scale s all of them read input ⌊i/s⌋;
**   linear:  half_pixel or pytorch_half_pixel is align_corners=false,
**            align_corners is align_corners=true. */
static void imp_resize(Imp *im) {
    static const char *const ok[] = {"mode", "coordinate_transformation_mode", "nearest_mode",
                                     "cubic_coeff_a", "exclude_outside",
                                     "extrapolation_value", NULL};
    const OnnxNode *n = im->node;
    bool upsample = strcmp(n->op, "Upsample") == 0;
    Val *x = tensor_in(im, 0);
    if (!known_attrs(im, ok) || !x || !need_map(im, x))
        return out_bad(im);
    const OnnxAttr *am = attr(n, "mode"), *ac = attr(n, "coordinate_transformation_mode"),
                   *an = attr(n, "nearest_mode");
    const char *mode = am && am->type == ONNX_ATTR_STRING ? am->s : "nearest";
    const char *coord = upsample ? "asymmetric"
                        : ac && ac->type == ONNX_ATTR_STRING ? ac->s : "half_pixel";
    const char *nearest = upsample ? "floor"
                          : an && an->type == ONNX_ATTR_STRING ? an->s : "round_prefer_floor";
    bool half = strcmp(coord, "half_pixel") == 0 || strcmp(coord, "pytorch_half_pixel") == 0;
    const char *attrs = NULL;
    if (strcmp(mode, "nearest") == 0) {
        if ((strcmp(coord, "asymmetric") == 0 && strcmp(nearest, "floor") == 0) ||
            (half && strncmp(nearest, "round_prefer_", 13) == 0))
            attrs = "";
    } else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) {
        if (half)
            attrs = ", mode=bilinear";
        else if (strcmp(coord, "align_corners") == 0)
            attrs = ", mode=bilinear, align_corners=true";
    } else {
        issue(im, "mode '%s' is not supported: netc upsamples with nearest and bilinear", mode);
        return out_bad(im);
    }
    if (!attrs && upsample) {
        issue(im, "Upsample with mode '%s' is not supported: its coordinates are not those of "
                  "PyTorch's bilinear upsampling; netc imports Upsample nearest",
              mode);
        return out_bad(im);
    }
    if (!attrs) {
        bool nn = strcmp(mode, "nearest") == 0;
        issue(im, "mode '%s' with coordinate_transformation_mode '%s'%s%s%s is not supported: "
                  "netc has PyTorch's nearest and bilinear upsampling (docs/import.md)",
              mode, coord, nn ? " and nearest_mode '" : "", nn ? nearest : "", nn ? "'" : "");
        return out_bad(im);
    }
    /* the scales: Upsample's input 2; Resize's input 3, else its sizes, input 4 */
    int si = upsample ? 1 : 2;
    double sc[4] = {0};
    const OnnxTensor *t = NULL;
    if (si < n->nin && n->in[si][0] && !(t = const_in(im, si, "scales")))
        return out_bad(im);
    if (t && t->count == 4) {
        for (int k = 0; k < 4; k++)
            sc[k] = cget(t, k);
    } else if (t && t->count != 0) {
        issue(im, "scales has %lld values; a 4-D map needs 4", (long long)t->count);
        return out_bad(im);
    } else if (!upsample && n->nin > 3 && n->in[3][0]) {
        const OnnxTensor *sz = const_in(im, 3, "sizes");
        if (!sz)
            return out_bad(im);
        if (sz->count != 4) {
            issue(im, "sizes has %lld values; a 4-D map needs 4", (long long)sz->count);
            return out_bad(im);
        }
        for (int k = 0; k < 4; k++)
            sc[k] = x->dims[k] ? (double)iget(sz, k) / (double)x->dims[k] : 0;
    } else {
        issue(im, "neither scales nor sizes is given");
        return out_bad(im);
    }
    int64_t s[2];
    for (int k = 0; k < 2; k++)
        s[k] = (int64_t)sc[2 + k];
    if (sc[0] != 1 || sc[1] != 1 || sc[2] != (double)s[0] || sc[3] != (double)s[1] ||
        s[0] < 1 || s[1] < 1 || s[0] > 4096 || s[1] > 4096) {
        issue(im, "scales (%g, %g, %g, %g) are not supported: netc upsamples H and W by whole "
                  "factors",
              sc[0], sc[1], sc[2], sc[3]);
        return out_bad(im);
    }
    if (s[0] == 1 && s[1] == 1)
        return imp_alias(im);
    Val *o = out_val(im, 0);
    if (!o)
        return;
    layer(im, o, layer_name(im, NULL), "upsample2d", x->net,
          arena_printf(im->a, "scale=%s%s", pair(im->a, s[0], s[1]), attrs));
    copy_shape(o, x);
    o->dims[2] = x->dims[2] * s[0], o->dims[3] = x->dims[3] * s[1];
    dims_ok(im, o);
}

/* ConvTranspose: conv2d_transpose. netc's padding removes p rows at both
** ends and output_padding adds rows at the end, so ONNX pads (b, e) with
** b ≥ e are padding=b and output_padding + (b − e). */
static void imp_conv_transpose(Imp *im) {
    static const char *const ok[] = {"kernel_shape", "strides", "pads", "dilations", "group",
                                     "output_padding", "output_shape", "auto_pad", NULL};
    if (attr(im->node, "output_shape")) {
        issue(im, "output_shape is not supported: netc takes pads and output_padding (as "
                  "PyTorch exports them)");
        return out_bad(im);
    }
    Val *x = tensor_in(im, 0);
    const OnnxTensor *w = const_in(im, 1, "the weight (input 2)");
    bool has_b = im->node->nin > 2 && im->node->in[2][0];
    const OnnxTensor *b = has_b ? const_in(im, 2, "the bias (input 3)") : NULL;
    if (!known_attrs(im, ok) || !x || !w || (has_b && !b) || !need_map(im, x))
        return out_bad(im);
    const OnnxAttr *ap = attr(im->node, "auto_pad");
    if (ap && ap->type == ONNX_ATTR_STRING && strcmp(ap->s, "NOTSET") != 0) {
        issue(im, "auto_pad '%s' is not supported: give pads", ap->s);
        return out_bad(im);
    }
    if (w->rank != 4 || !w->f) {
        issue(im, "the weight must be a 4-D float tensor (a 2-D transposed convolution)");
        return out_bad(im);
    }
    int64_t k[2] = {w->dims[2], w->dims[3]}, s[2], d[2], op[2], p[4];
    int64_t g = attr_int(im->node, "group", 1);
    if (!attr_ints(im, "kernel_shape", 2, k, 0) || !attr_ints(im, "strides", 2, s, 1) ||
        !attr_ints(im, "dilations", 2, d, 1) || !attr_ints(im, "output_padding", 2, op, 0) ||
        !attr_ints(im, "pads", 4, p, 0))
        return out_bad(im);
    if (k[0] == 0)
        k[0] = w->dims[2], k[1] = w->dims[3];
    int64_t cin = x->dims[1];
    if (g < 1 || g > ONNX_DIM_MAX || cin % g || w->dims[0] != cin || k[0] != w->dims[2] ||
        k[1] != w->dims[3] || s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1) {
        issue(im, "the weight [%lld, %lld, %lld, %lld] does not fit %lld input channels, "
                  "group %lld and kernel %lldx%lld",
              (long long)w->dims[0], (long long)w->dims[1], (long long)w->dims[2],
              (long long)w->dims[3], (long long)cin, (long long)g, (long long)k[0],
              (long long)k[1]);
        return out_bad(im);
    }
    int64_t cout = w->dims[1] * g;
    for (int j = 0; j < 2; j++) {
        if (p[j] < 0 || p[j + 2] < 0 || op[j] < 0) {
            issue(im, "negative pads or output_padding are not supported");
            return out_bad(im);
        }
        if (p[j + 2] > p[j]) {
            issue(im, "pads (%lld, %lld) on axis %d are not supported: netc's padding removes "
                      "as many rows at the end as at the start, or fewer (output_padding)",
                  (long long)p[j], (long long)p[j + 2], j + 2);
            return out_bad(im);
        }
        op[j] += p[j] - p[j + 2];
    }
    if (!bias_fits(im, b, cout))
        return out_bad(im);
    Val *o = out_val(im, 0);
    if (!o)
        return;
    const char *name = layer_name(im, w->name);
    Buf at = {0};
    conv_head(im, &at, cout, k, s);
    if (p[0] || p[1])
        buf_printf(&at, ", padding=%s", pair(im->a, p[0], p[1]));
    if (op[0] || op[1])
        buf_printf(&at, ", output_padding=%s", pair(im->a, op[0], op[1]));
    if (d[0] != 1 || d[1] != 1)
        buf_printf(&at, ", dilation=%s", pair(im->a, d[0], d[1]));
    if (g != 1)
        buf_printf(&at, ", groups=%lld", (long long)g);
    buf_printf(&at, ", bias=%s", b ? "true" : "false");
    layer(im, o, name, "conv2d_transpose", x->net, arena_strndup(im->a, at.data, at.len));
    buf_free(&at);
    o->rank = 4;
    o->dims[0] = 1, o->dims[1] = cout;
    for (int j = 0; j < 2; j++)
        o->dims[2 + j] = (x->dims[2 + j] - 1) * s[j] - 2 * p[j] + d[j] * (k[j] - 1) + op[j] + 1;
    if (!dims_ok(im, o))
        return;
    weight(im, name, "weight", w, NULL, 4, w->dims);
    if (b)
        weight(im, name, "bias", b, NULL, 1, &cout);
}

/* The ops netc imports. ORDER: none; import_node dispatches on the same
** names. */
static const char *const known_ops[] = {
    "Constant", "Shape", "Conv", "BatchNormalization", "Relu", "Sigmoid", "Tanh",
    "LeakyRelu", "Clip", "Softmax", "Add", "Concat", "MaxPool", "AveragePool",
    "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Gemm", "MatMul",
    "Dropout", "Identity", "Pad", "Cast", "Gather", "Unsqueeze", "Squeeze",
    "ConstantOfShape", "Slice", "Transpose", "Sub", "Mul", "Div", "HardSigmoid",
    "HardSwish", "ConvTranspose", "Resize", "Upsample", "Split", "ReduceMean", "ReduceMax",
    NULL};

static bool known_op(const char *op) {
    for (const char *const *p = known_ops; *p; p++)
        if (strcmp(*p, op) == 0)
            return true;
    return false;
}

/* A node with an input that could not be imported: what can be said of it
** without that input (an op netc does not have, an attribute it does not
** take), so that one run lists every node netc cannot express. */
static void check_alone(Imp *im) {
    const char *op = im->node->op;
    static const char *const conv_ok[] = {"kernel_shape", "strides", "pads", "dilations",
                                          "group", "auto_pad", NULL};
    if (!op[0])
        issue(im, "the node has no op type");
    else if (!known_op(op) || strcmp(op, "Sub") == 0 || strcmp(op, "Div") == 0)
        issue(im, "op '%s' is not supported by netc (docs/import.md lists the ops it imports)",
              op);
    else if (strcmp(op, "Conv") == 0)
        known_attrs(im, conv_ok);
    else if (strcmp(op, "Clip") == 0)
        clip_bounds(im, NULL);
    else if (strcmp(op, "HardSigmoid") == 0 && !torch_hardsigmoid(im->node))
        imp_hardsigmoid(im);
    out_bad(im);
}

/* The ops netc has, and what to do with each. ORDER: known_ops. */
static void import_node(Imp *im) {
    const OnnxNode *n = im->node;
    const char *op = n->op;
    if (n->domain[0]) {
        issue(im, "the op is from domain '%s'; netc imports the default ONNX domain only",
              n->domain);
        return out_bad(im);
    }
    Pattern pat;
    bool bad = false;
    for (int k = 0; k < n->nin; k++) {
        Val *v = n->in[k][0] ? lookup(im, n->in[k], false) : NULL;
        bad = bad || (v && v->kind == V_BAD);
    }
    if (match_pattern(im, &pat))
        return imp_pattern(im, &pat, bad);
    if (bad)
        return check_alone(im); /* what depends on the input is already said */
    if (strcmp(op, "Constant") == 0)
        return imp_constant(im);
    if (strcmp(op, "Shape") == 0)
        return imp_shape(im);
    if (all_const(im) && fold(im))
        return;
    if (strcmp(op, "Conv") == 0)
        return imp_conv(im);
    if (strcmp(op, "BatchNormalization") == 0)
        return imp_batchnorm(im);
    if (strcmp(op, "Relu") == 0)
        return imp_same(im, "relu", "");
    if (strcmp(op, "Sigmoid") == 0)
        return imp_same(im, "sigmoid", "");
    if (strcmp(op, "Tanh") == 0)
        return imp_same(im, "tanh", "");
    if (strcmp(op, "LeakyRelu") == 0)
        return imp_same(im, "leaky_relu",
                        arena_printf(im->a, "alpha=%s",
                                     fmt_float(im->a, attr_float(n, "alpha", 0.01))));
    if (strcmp(op, "Clip") == 0)
        return imp_clip(im);
    if (strcmp(op, "Softmax") == 0)
        return imp_softmax(im);
    if (strcmp(op, "Add") == 0)
        return imp_binary(im, "add");
    if (strcmp(op, "Mul") == 0)
        return imp_binary(im, "multiply");
    if (strcmp(op, "HardSigmoid") == 0)
        return imp_hardsigmoid(im);
    if (strcmp(op, "HardSwish") == 0)
        return imp_same(im, "hardswish", "");
    if (strcmp(op, "ConvTranspose") == 0)
        return imp_conv_transpose(im);
    if (strcmp(op, "Resize") == 0 || strcmp(op, "Upsample") == 0)
        return imp_resize(im);
    if (strcmp(op, "Split") == 0)
        return imp_split(im);
    if (strcmp(op, "Slice") == 0)
        return imp_slice(im);
    if (strcmp(op, "Transpose") == 0)
        return imp_transpose(im);
    if (strcmp(op, "Concat") == 0)
        return imp_concat(im);
    if (strcmp(op, "MaxPool") == 0)
        return imp_pool(im, false);
    if (strcmp(op, "AveragePool") == 0)
        return imp_pool(im, true);
    if (strcmp(op, "GlobalAveragePool") == 0 || strcmp(op, "ReduceMean") == 0)
        return imp_global(im, true);
    if (strcmp(op, "GlobalMaxPool") == 0 || strcmp(op, "ReduceMax") == 0)
        return imp_global(im, false);
    if (strcmp(op, "Flatten") == 0)
        return imp_flatten_op(im);
    if (strcmp(op, "Reshape") == 0)
        return imp_reshape(im);
    if (strcmp(op, "Gemm") == 0)
        return imp_gemm(im);
    if (strcmp(op, "MatMul") == 0)
        return imp_matmul(im);
    if (strcmp(op, "Dropout") == 0 || strcmp(op, "Identity") == 0)
        return imp_alias(im);
    if (strcmp(op, "Pad") == 0)
        return imp_pad(im);
    if (!op[0])
        issue(im, "the node has no op type");
    else
        issue(im, "op '%s' is not supported by netc (docs/import.md lists the ops it imports)",
              op);
    out_bad(im);
}

/* Dimension k of a graph input as text: its size, or its symbolic name. */
static const char *dim_text(Arena *a, const OnnxValue *in, int k) {
    if (in->dims[k] > 0)
        return arena_printf(a, "%lld", (long long)in->dims[k]);
    return in->dim_param[k] && in->dim_param[k][0] ? in->dim_param[k] : "?";
}

bool onnx_import(Arena *a, const OnnxModel *m, const char *network, const int64_t *input_hwc,
                 OnnxImport *out) {
    memset(out, 0, sizeof *out);
    Imp im = {.a = a, .m = m, .out = out};
    size_t values = (size_t)m->ninit + (size_t)m->ninput;
    for (int k = 0; k < m->nnode; k++)
        values += (size_t)m->node[k].nout;
    im.cap = pow2_above(values);
    im.tab = arena_alloc(a, im.cap * sizeof *im.tab);
    memset(im.tab, 0, im.cap * sizeof *im.tab);
    im.ncap = pow2_above(values + 16);
    im.taken = arena_alloc(a, im.ncap * sizeof *im.taken);
    memset(im.taken, 0, im.ncap * sizeof *im.taken);

    size_t nn = (size_t)(m->nnode ? m->nnode : 1);
    out->node_names = arena_alloc(a, nn * sizeof(char *));
    out->node_labels = arena_alloc(a, nn * sizeof(char *));
    for (int k = 0; k < m->nnode; k++) {
        const OnnxNode *n = &m->node[k];
        out->node_names[k] = n->name[0] ? n->name : arena_printf(a, "#%d", k);
        out->node_labels[k] = n->name[0] ? arena_printf(a, "node '%s' (%s)", n->name, n->op)
                                         : arena_printf(a, "node #%d (%s)", k, n->op);
    }
    find_uses(&im);
    for (int k = 0; k < m->ninit; k++) {
        Val *v = lookup(&im, m->init[k].name, true);
        v->kind = V_CONST;
        v->t = &m->init[k];
    }
    emit(&im, "# Imported by netc from an ONNX model");
    if (m->producer[0]) {
        char *p = arena_strdup(a, m->producer);
        for (char *c = p; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7F)
                *c = '?';
        emit(&im, " (%s, opset %lld)", p, (long long)m->opset);
    }
    emit(&im, ".\n# Tensors are channels-last (H, W, C); weights are in PyTorch's layout.\n\n");
    emit(&im, "network %s {\n", network);
    /* the opsets whose ops are read as docs/import.md describes them: the
    ** import goes on, so that the other errors are listed too */
    if (m->opset == 0)
        issue(&im, "the model declares no opset of the default ONNX domain; netc reads "
                   "opsets %d to %d",
              ONNX_OPSET_MIN, ONNX_OPSET_MAX);
    else if (m->opset < ONNX_OPSET_MIN || m->opset > ONNX_OPSET_MAX)
        issue(&im, "the model uses opset %lld; netc reads opsets %d to %d (export it again "
                   "with an opset_version among them)",
              (long long)m->opset, ONNX_OPSET_MIN, ONNX_OPSET_MAX);
    int ninputs = 0;
    for (int k = 0; k < m->ninput; k++) {
        const OnnxValue *in = &m->input[k];
        Val *v = lookup(&im, in->name, true);
        if (v->kind == V_CONST)
            continue; /* an initializer listed as an input (IR < 4) */
        ninputs++;
        const char *name = sanitize(a, in->name);
        if (!*name || !take_name(&im, name))
            name = arena_printf(a, "input_%d", k);
        take_name(&im, name);
        int64_t d[4] = {0};
        bool known = in->rank == 4;
        for (int j = 1; j < 4 && known; j++) {
            d[j] = in->dims[j];
            known = d[j] > 0;
        }
        if (in->rank == 4 && input_hwc) {
            /* --input-shape gives the open dimensions; a fixed one must agree */
            int64_t want[4] = {1, input_hwc[2], input_hwc[0], input_hwc[1]};
            known = true;
            for (int j = 1; j < 4; j++)
                if (in->dims[j] > 0 && in->dims[j] != want[j])
                    known = false;
            if (!known) {
                im.node = NULL;
                issue(&im, "input '%s' is (N, %s, %s, %s): --input-shape=%lld,%lld,%lld is "
                           "another size",
                      in->name, dim_text(a, in, 1), dim_text(a, in, 2), dim_text(a, in, 3),
                      (long long)input_hwc[0], (long long)input_hwc[1], (long long)input_hwc[2]);
                v->kind = V_BAD;
                continue;
            }
            memcpy(d, want, sizeof d);
        }
        for (int j = 1; j < 4 && known; j++)
            if (d[j] > ONNX_DIM_MAX) {
                im.node = NULL;
                issue(&im, "input '%s' has a dimension of %lld, out of range", in->name,
                      (long long)d[j]);
                known = false;
                d[0] = -1;
            }
        if (!known && d[0] == -1) {
            v->kind = V_BAD;
            continue;
        }
        if (!known) {
            im.node = NULL;
            issue(&im, "input '%s' %s; give its size with --input-shape=H,W,C", in->name,
                  in->rank == 4 ? "has a dimension that is not fixed"
                  : in->rank < 0 ? "has no shape"
                                 : "is not a 4-D (N, C, H, W) map");
            v->kind = V_BAD;
            continue;
        }
        emit(&im, "    %s = input(shape=(%lld, %lld, %lld));\n", name, (long long)d[2],
             (long long)d[3], (long long)d[1]);
        v->kind = V_TENSOR;
        v->net = name;
        v->rank = 4;
        v->dims[0] = 1, v->dims[1] = d[1], v->dims[2] = d[2], v->dims[3] = d[3];
    }
    if (ninputs == 0) {
        im.node = NULL;
        issue(&im, "the graph has no input");
    }
    im.skip = arena_alloc(a, (size_t)(m->nnode ? m->nnode : 1));
    memset(im.skip, 0, (size_t)(m->nnode ? m->nnode : 1));
    for (int k = 0; k < m->nnode; k++) {
        if (im.skip[k])
            continue;
        im.node = &m->node[k];
        import_node(&im);
    }
    im.node = NULL;
    Buf outs = {0};
    for (int k = 0; k < m->noutput; k++) {
        Val *v = lookup(&im, m->output[k].name, false);
        if (!v || v->kind == V_BAD)
            continue;
        if (v->kind != V_TENSOR) {
            issue(&im, "output '%s' is a constant; netc's outputs are computed", m->output[k].name);
            continue;
        }
        buf_printf(&outs, "%s%s", outs.len ? ", " : "", v->net);
    }
    if (outs.len)
        emit(&im, "    output %.*s;\n", (int)outs.len, outs.data);
    buf_free(&outs);
    emit(&im, "}\n");
    return out->issues.len == 0;
}

/*
** safetensors
*/

bool onnx_write_safetensors(const OnnxImport *im, const char *path, char *err, size_t errlen) {
    Buf h = {0};
    buf_puts(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t off = 0;
    for (int k = 0; k < im->weights.len; k++) {
        const OnnxWeight *w = im->weights.data[k];
        buf_printf(&h, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[", w->name);
        for (int j = 0; j < w->rank; j++)
            buf_printf(&h, "%s%lld", j ? "," : "", (long long)w->dims[j]);
        uint64_t n = (uint64_t)w->count * 4;
        buf_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                   (unsigned long long)(off + n));
        off += n;
    }
    buf_putc(&h, '}');
    while (h.len % 8)
        buf_putc(&h, ' ');
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        buf_free(&h);
        return false;
    }
    unsigned char len8[8];
    for (int k = 0; k < 8; k++)
        len8[k] = (unsigned char)((uint64_t)h.len >> (8 * k));
    bool ok = fwrite(len8, 1, 8, fp) == 8 && fwrite(h.data, 1, h.len, fp) == h.len;
    for (int k = 0; ok && k < im->weights.len; k++) {
        const OnnxWeight *w = im->weights.data[k];
        for (int64_t j = 0; ok && j < w->count; j++) {
            uint32_t u;
            memcpy(&u, &w->data[j], 4);
            unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8),
                                  (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
            ok = fwrite(b, 1, 4, fp) == 4;
        }
    }
    ok = fclose(fp) == 0 && ok;
    buf_free(&h);
    if (!ok)
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    return ok;
}
