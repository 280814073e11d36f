/* netc.h: the one internal header of the compiler.
**
** netc reads a `.net` file into a syntax tree (grammar/, parse.c), expands it
** into a graph of layers (resolve.c), and runs one analysis pass per file over
** that graph: shapes (shape.c), parameters and MACs (count.c), receptive
** fields (rf.c), warnings (lint.c). Every pass reports what it finds to the
** diagnostics list (diag.c) and goes on; a node a pass could not make sense of
** is marked `bad`, and later passes step over it and what depends on it, so
** one mistake yields one error, not a cascade.
**
** The graph is the interface the back ends hang off: nodes in topological
** (source) order, every attribute resolved to integers (`same` padding
** included), shapes and counts filled in. A back end never looks at the
** syntax tree.
**
** A banner below opens the section of each .c file.
*/
#ifndef NETC_H
#define NETC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETC_VERSION "0.1.0"

typedef struct SourceFile SourceFile;

/*
** util.c: arena, vectors, strings, checked arithmetic
*/

/* The heap, for what dies before the compilation ends: never NULL; out of
** memory ends netc cleanly (util.c states the policy). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
_Noreturn void out_of_memory(void);

/* An arena per compilation: everything of a run is freed at once. */
typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    ArenaChunk *head;
} Arena;

void *arena_alloc(Arena *a, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap);
void arena_free(Arena *a);

/* A growable array of pointers, its storage in an arena. */
typedef struct Vec {
    void **data;
    int len, cap;
} Vec;

void vec_push(Arena *a, Vec *v, void *p);

/* A growing string on the heap (for output that is not kept). */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

void buf_putc(Buf *b, char c);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);

/* Checked arithmetic on int64_t: false on overflow. */
bool ck_add(int64_t a, int64_t b, int64_t *r);
bool ck_mul(int64_t a, int64_t b, int64_t *r);

/* 1234567 -> "1,234,567", into a caller's buffer of at least 32 bytes. */
char *fmt_thousands(char *out, int64_t v);

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid
** (overlong forms and surrogates are invalid). */
int utf8_seq(const unsigned char *s, size_t n);
/* Bytes of the character at s: a valid UTF-8 sequence, or one byte. Every
** count of columns (the scanner's, the caret's) steps with this. */
size_t utf8_char_len(const char *s, size_t n);
/* Number of characters in s[0..n), as utf8_char_len steps. */
int utf8_len(const char *s, size_t n);

/* Levenshtein distance, for "did you mean". */
int edit_distance(const char *a, const char *b);
/* The edit distance within which a known word is suggested for `word`: a
** third of its length, rounded down, at least 1 and at most 3
** (docs/language.md, "Values and attributes"). */
int suggest_limit(const char *word);
/* "; did you mean 'a', 'b' or 'c'?": the candidates within suggest_limit of
** word, closest first (then in the order given), at most `max` (1 to 3);
** "" when none is. NULL candidates are skipped. */
const char *did_you_mean(Arena *a, const char *word, const char *const *cands, int n, int max);

/*
** source.c: source files and locations
*/

/* A range of source text. Lines and columns are 1-based and count
** characters; the end is exclusive (the character after the range), as in
** SARIF. */
typedef struct Span {
    int line, col;
    int end_line, end_col;
} Span;

/* A `# netc: disable=ID,...` comment. After code it applies to the layers
** whose statement covers its line; alone on its line (own_line), to the
** layers whose statement starts on the next line. */
typedef struct Suppress {
    int line;
    int col;         /* of the list's first character */
    bool own_line;   /* nothing but white space before it on its line */
    const char *ids; /* the comma-separated list as written */
} Suppress;

struct SourceFile {
    const char *path;    /* as opened (imports: joined to the importer's dir) */
    const char *display; /* as the user wrote it, for diagnostics */
    const char *text;
    size_t len;
    int *line_start; /* byte offset of each line; line_start[0] is line 1 */
    int nlines;
    Vec blocks;   /* Block*: defined here */
    Vec networks; /* NetAst*: defined here */
    Vec imports;  /* Import*: in source order */
    Vec suppress; /* Suppress* */
    Vec broken;   /* char*: names of blocks lost to syntax errors */
    /* An ONNX model (onnx_cli.c): the file is the model, the text is what
    ** `netc import` writes for it. Per line of the text, from 1 to nlines,
    ** the node it came from as diagnostics name it ("node 'NAME' (OP)") and
    ** its name alone (JSON, SARIF), or NULL. Both NULL for a .net file. */
    const char **onnx_label;
    const char **onnx_node;
    bool parsed;  /* the parse has finished (import cycle detection) */
    bool loading; /* on the import stack */
};

SourceFile *source_new(Arena *a, const char *path, const char *display,
                       const char *text, size_t len);
/* Text of line `line` (without the newline), and its length in bytes. */
const char *source_line(const SourceFile *f, int line, int *len);
/* Source files larger than this are refused (EFBIG): line offsets are
** ints, and no network description is that long. */
#define SOURCE_MAX_BYTES (256u << 20)
/* Reads a whole file; NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);
/* The same with a limit of its own (EFBIG past max bytes). */
char *read_file_max(const char *path, size_t max, size_t *len);
/* Whether the file is binary content rather than a .net file
** (docs/language.md, "Files"): NUL bytes or mostly bytes that are not text
** in its first 8 KiB, or the start of a known binary format. Then *at is the
** offset of the first byte that cannot be in a .net file, and *hint says
** what the content looks like and what takes it, or is NULL. */
bool source_binary(const SourceFile *f, size_t *at, const char **hint);
/* The line and column of byte `off` (a one-character span). */
Span source_span_at(const SourceFile *f, size_t off);

/*
** diag.c: the only place that prints a diagnostic
*/

typedef enum { SEV_NOTE, SEV_WARNING, SEV_ERROR } Severity;

/* The warning ids. ORDER WARN: lint.c's rule texts follow this order. */
#define WARNINGS(W)                                                            \
    W(RF_COVERAGE, "rf-coverage")                                              \
    W(DROPPED_PIXELS, "dropped-pixels")                                        \
    W(STRIDE_GAP, "stride-gap")                                                \
    W(BIAS_BEFORE_NORM, "bias-before-norm")                                    \
    W(PARAM_HOTSPOT, "param-hotspot")                                          \
    W(RF_MISALIGNED, "rf-misaligned")                                          \
    W(SOFTMAX_NOT_LAST, "softmax-not-last")                                    \
    W(UNUSED, "unused")                                                        \
    W(CHECKERBOARD, "checkerboard")                                            \
    W(UNKNOWN_WARNING, "unknown-warning")

typedef enum {
#define W(e, s) W_##e,
    WARNINGS(W)
#undef W
    W__COUNT
} WarnId;

extern const char *const warn_names[W__COUNT];
int warn_lookup(const char *name); /* -1 if not a warning id */

typedef struct Note {
    const SourceFile *file;
    Span span;
    const char *msg;
} Note;

typedef struct Diag {
    Severity sev;
    const char *id;
    const SourceFile *file; /* NULL: not about a place in a file */
    Span span;
    int caret_len; /* characters to underline from span start; 0: whole span;
                      -1: no source line quoted (it is not text) */
    const char *msg;
    const char *layer; /* NULL if not about one layer */
    Vec notes;         /* Note* */
    int seq;           /* order of report, for a stable sort */
} Diag;

/* The errors shown per file when --error-limit is not given. */
enum { ERROR_LIMIT_DEFAULT = 20 };

typedef struct WarnConfig {
    bool enabled[W__COUNT];
    bool werror[W__COUNT];
    double rf_min;
    int error_limit; /* --error-limit=N: errors shown per file; 0 when not
                        given (ERROR_LIMIT_DEFAULT), -1 for no limit */
} WarnConfig;

typedef struct Diags {
    Arena *arena;
    Vec list; /* Diag* */
    int errors, warnings; /* reported; after diag_sort, those listed */
    const WarnConfig *config; /* NULL: all warnings on, none an error */
    const Vec *file_order;    /* SourceFile*: the order files print in; NULL:
                                 the order of their first diagnostic */
    Vec cuts;  /* FileCut* (diag.c): per file with errors, under the limit */
    int seq;   /* reports so far, listed or not */
    Diag sink; /* what a report past the error limit fills in, unlisted */
} Diags;

Diag *diag_error(Diags *d, const SourceFile *f, Span s, const char *id,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* NULL when the warning is disabled by a flag (-Wno-ID); the caller then
** skips its notes. `# netc: disable` comments are the caller's to check,
** with suppressed(): a layer made by a block call has several places. */
Diag *diag_warn(Diags *d, const SourceFile *f, Span s, WarnId w,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_note(Diags *d, Diag *g, const SourceFile *f, Span s,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A `# netc: disable` comment of f silences `id` for the statement at s. */
bool suppressed(const SourceFile *f, Span s, const char *id);

/* A diagnostic of any severity, for a caller that decides it at run time. */
Diag *diag_report(Diags *d, Severity sev, const SourceFile *f, Span s, const char *id,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Sorts diagnostics by file, line and column, keeping report order on ties,
** and keeps of each file only what comes before its first error past the
** error limit (docs/language.md, "Diagnostics and output"). */
void diag_sort(Diags *d);
void diag_print_text(const Diags *d, void *stream, bool color);
void diag_json_list(const Diags *d, const SourceFile *f, Buf *out, int indent);
/* Whether f had more errors than the limit (after diag_sort: whether its
** list was cut). */
bool diag_cut(const Diags *d, const SourceFile *f);
/* `, "truncated": true` when f's list was cut: for the JSON of a file. */
void diag_json_cut(const Diags *d, const SourceFile *f, Buf *out);
/* The line printed after the last diagnostic of a cut file. */
#define DIAG_LIMIT_MSG "too many errors emitted, stopping now"
#define DIAG_LIMIT_ID "--error-limit="

/*
** ast.h material: the syntax tree that grammar/parser.y builds
*/

typedef enum {
    E_INT,   /* i */
    E_FLOAT, /* f */
    E_BOOL,  /* i: 0 or 1 */
    E_IDENT, /* s: a value parameter or a symbol (relu, same, chw) */
    E_TUPLE, /* elems */
    E_NEG,   /* lhs */
    E_ADD, E_SUB, E_MUL, E_DIV, /* lhs, rhs */
    E_ERROR  /* a literal the scanner already reported as bad */
} ExprKind;

typedef struct Expr Expr;
struct Expr {
    ExprKind kind;
    Span span;
    int64_t i;
    double f;
    const char *s;
    Expr *lhs, *rhs;
    Vec elems; /* Expr* */
};

typedef struct Ident {
    const char *name;
    Span span;
} Ident;

typedef struct Kwarg {
    Ident key;
    Expr *value;
} Kwarg;

/* S_LOST: `name = ...;` whose right side a syntax error lost; only its
** target is known */
typedef enum { S_CALL, S_OUTPUT, S_LOST } StmtKind;

typedef struct Stmt {
    StmtKind kind;
    Span span;     /* from its first token to the end of the call */
    Ident target;  /* S_CALL: name = ...; name NULL when not written */
    Ident callee;  /* S_CALL */
    Vec args;      /* S_CALL: Ident*, tensors; S_OUTPUT: Ident*, outputs */
    Vec kwargs;    /* S_CALL: Kwarg* */
    Span misorder; /* a positional argument after a keyword one, if line>0 */
    Span inline_at; /* S_CALL: `inline` written before the callee, if line>0 */
} Stmt;

typedef struct Param {
    Ident id;
    Expr *def; /* value parameters: default, or NULL */
} Param;

typedef struct Block {
    Ident id;
    Span span;
    Vec tparams; /* Param*: tensors */
    Vec vparams; /* Param*: values */
    Vec stmts;   /* Stmt* */
    Ident ret;
    SourceFile *file;
    /* resolve.c's name tables for the calls of this block, made at its
    ** first call and emptied in O(1) at each later one (a block is never
    ** inside a call of itself), and the count of the layers a call makes */
    struct CallScope *calls;
} Block;

typedef struct NetAst {
    Ident id;
    Span span;
    Vec stmts; /* Stmt* */
    SourceFile *file;
    bool had_errors; /* syntax errors inside: some statements are missing */
} NetAst;

typedef struct Import {
    Span span;
    const char *path; /* as written, escapes undone */
    SourceFile *file; /* NULL when it could not be read or parsed */
} Import;

/*
** parse.c: files, imports, and the glue to flex and bison
*/

typedef struct Program {
    Arena *arena;
    Diags *diags;
    Vec files; /* SourceFile*: every file read, roots and imports */
} Program;

/* Parses a root file given by the user (text NULL: read path) and every file
** it imports. Errors go to p->diags. NULL if the file cannot be read. */
SourceFile *parse_root(Program *p, const char *path, const char *display,
                       const char *text, size_t len);
/* Parses one file's text, then its imports; depth counts nested imports. */
SourceFile *parse_text_depth(Program *p, SourceFile *f, int depth);

/*
** ir: the graph that the passes fill and the back ends read
*/

typedef enum {
#define OP(id, ...) OP_##id,
#include "ops.def"
#undef OP
    OP__COUNT
} OpKind;

typedef enum {
#define ATTR(id, type) ATTR_##id,
#include "attrs.def"
#undef ATTR
    ATTR__COUNT
} AttrKind;

enum {
#define ATTR(id, type) A_##id##_bit = 1u << ATTR_##id,
#include "attrs.def"
#undef ATTR
};
#define A_SHAPE A_shape_bit
#define A_FILTERS A_filters_bit
#define A_KERNEL A_kernel_bit
#define A_STRIDE A_stride_bit
#define A_PADDING A_padding_bit
#define A_DILATION A_dilation_bit
#define A_GROUPS A_groups_bit
#define A_BIAS A_bias_bit
#define A_ACTIVATION A_activation_bit
#define A_MULTIPLIER A_multiplier_bit
#define A_SIZE A_size_bit
#define A_CEIL A_ceil_bit
#define A_COUNT_PAD A_count_pad_bit
#define A_EPSILON A_epsilon_bit
#define A_ALPHA A_alpha_bit
#define A_RATE A_rate_bit
#define A_ORDER A_order_bit
#define A_UNITS A_units_bit
#define A_APPROXIMATE A_approximate_bit
#define A_KEEPDIMS A_keepdims_bit
#define A_START A_start_bit
#define A_STOP A_stop_bit
#define A_SCALE A_scale_bit
#define A_MODE A_mode_bit
#define A_ALIGN_CORNERS A_align_corners_bit
#define A_OUTPUT_PADDING A_output_padding_bit

/* The flags column of ops.def. */
enum {
    OPF_WINDOW = 1u << 0,      /* a window over H and W (conv, pools, zeropad) */
    OPF_ELEMENTWISE = 1u << 1, /* keeps shape and field, element by element:
                                  may work in place, a shortcut path */
    OPF_IDENTITY = 1u << 2,    /* computes nothing at inference (linear, dropout) */
    OPF_MERGE = 1u << 3,       /* combines several tensors (add, concat) */
    OPF_GLOBAL = 1u << 4,      /* reads the whole map at once (global pools, flatten) */
    OPF_BROADCAST = 1u << 5    /* takes 1×1×C operands beside H×W×C ones (add, multiply) */
};

/* The weights column of ops.def: which state_dict tensors a layer owns
** (weights.c gives their shapes). */
typedef enum {
    WK_NONE,      /* no tensors */
    WK_CONV,      /* weight [out, in/groups, kh, kw], bias [out] */
    WK_DEPTHWISE, /* weight [C·m, 1, kh, kw], bias [C·m] */
    WK_DENSE,     /* weight [out, in], bias [out] */
    WK_NORM,      /* weight, bias, running_mean, running_var [C] */
    WK_CONVT      /* weight [in, out/groups, kh, kw], bias [out] (PyTorch's
                     ConvTranspose2d) */
} WeightKind;

#define NOACT (-1) /* the activation column of ops.def for a non-activation */

typedef struct OpInfo {
    const char *name;
    int min_in, max_in; /* max 0: any number */
    int in_rank;        /* 3: spatial input, 1: flat, 0: either */
    unsigned allowed, required;
    unsigned flags;     /* OPF_* */
    WeightKind weights;
    int act;            /* the Act it applies as a layer, or NOACT */
} OpInfo;

extern const OpInfo op_info[OP__COUNT];
extern const char *const attr_names[ATTR__COUNT];
int op_lookup(const char *name); /* -1 if unknown */

typedef enum {
    ACT_LINEAR, ACT_RELU, ACT_RELU6, ACT_SIGMOID, ACT_TANH, ACT_SOFTMAX,
    ACT_LEAKY_RELU, ACT_SILU, ACT_HARDSWISH, ACT_HARDSIGMOID, ACT_GELU,
    ACT_GELU_TANH /* gelu(approximate=tanh): a layer only, not an activation= value */
} Act;
/* The last Act that `activation=` accepts. */
#define ACT_LAST_VALUE ACT_GELU
extern const char *const act_names[]; /* ORDER Act */

typedef enum { ORDER_CHW, ORDER_HWC } FlattenOrder;

/* Shapes are H×W×C (rank 3) or n (rank 1); rank 0 means unknown. */
typedef struct Shape {
    int rank;
    int64_t d[3];
} Shape;

/* The receptive field of a tensor on one axis, relative to its network
** input: unit i sees input positions i·jump − pad … i·jump − pad + size − 1.
** After an upsampling or a transposed convolution the jump is a fraction:
** jump and pad are then jump/den and pad/den positions (den 0 or 1: whole
** numbers; jump/den in lowest terms), unit i's first position is
** ⌊(i·jump − pad)/den⌋ and the size stays a whole number (rf.c). */
typedef struct Field {
    int64_t size, jump, pad;
    int64_t den;
    /* where no linear field is exact (docs/language.md, "Receptive fields
    ** through upsampling"): the most positions by which the field may begin
    ** before, and end after, a unit's true field; 0 and 0 when exact */
    int64_t over_lo, over_hi;
} Field;

/* A block call site, for errors inside blocks and for prefixes. */
typedef struct Site {
    const SourceFile *file;
    Span span;
    const char *block;  /* the block called */
    const char *prefix; /* the name its layers get, "layer1.0" */
    const struct Site *up;
    bool inline_call;   /* `inline`: its layers are named as the caller's */
} Site;

typedef struct Node Node;
struct Node {
    int id; /* index in Graph.nodes: topological and source order */
    OpKind op;
    const char *name; /* full dotted name */
    const SourceFile *file;
    Span span;       /* the statement, from its first token to its ')' */
    int focus_len;   /* characters of its first token, for the caret */
    const Site *site; /* the block call it was expanded from, or NULL */

    Node **in;
    int nin;
    Vec users; /* Node*: every consumer, once per use */

    /* Attributes, resolved (resolve.c; padding `same` by shape.c). */
    Shape declared;     /* input */
    int64_t filters;    /* conv2d */
    int64_t multiplier; /* depthwise_conv2d */
    int64_t units;      /* dense */
    int64_t groups;     /* conv2d; depthwise: its input channels */
    int64_t kernel[2];  /* kernel, or a pool's size; H then W */
    int64_t stride[2];
    int64_t dilation[2];
    int64_t pad[4]; /* top, bottom, left, right */
    bool pad_same;  /* padding=same: pad[] filled in by shape.c */
    bool bias, ceil, count_pad;
    Act act;
    double alpha, epsilon, rate;
    FlattenOrder order;
    bool keepdims;         /* global pools: a 1×1×C map, not (C) */
    int64_t start, stop;   /* channel_slice: channels [start, stop) */
    int64_t scale[2];      /* upsample2d */
    bool bilinear;         /* upsample2d mode */
    bool align_corners;    /* upsample2d, bilinear only */
    int64_t out_pad[2];    /* conv2d_transpose output_padding, H then W */

    /* Filled in by the passes. */
    Shape shape;             /* shape.c */
    int64_t params, trainable, macs; /* count.c */
    Field rf[2];             /* rf.c: H then W */
    int rf_input;            /* rf.c: index of the input it is relative to */
    bool rf_misaligned;      /* rf.c: a merge whose inputs' fields differ */
    bool rf_lost;            /* rf.c: its field, or an input's, too large to count */
    bool is_output;
    bool bad; /* a pass failed here or upstream: later passes skip it */
    struct Diag *size_mismatch; /* shape.c: the error of a merge whose maps
                                   differ in height or width (suggest.c) */
    bool unresolved; /* shape.c: it was bad before shapes were inferred */
};

typedef struct Graph {
    Arena *arena;
    const char *name;
    const SourceFile *file;
    Span span;
    Vec nodes;   /* Node* in source order */
    Vec inputs;  /* Node* */
    Vec outputs; /* Node*, in output order */
    bool explicit_outputs; /* an `output` statement named them */
    int64_t params, trainable, macs;
    bool totals_ok; /* the totals did not overflow and every node is good */
    bool incomplete; /* syntax errors lost statements: no warnings */
} Graph;

static inline Node *graph_node(const Graph *g, int i) {
    return (Node *)g->nodes.data[i];
}

/* True for ops that are a window over H and W (conv, pools, zeropad). */
bool op_is_window(OpKind op);
bool op_has_weights(OpKind op);
/* Ops that keep shape and field and work element by element (batchnorm,
** activations, dropout): they may work in place and are a shortcut path. */
bool op_is_elementwise(OpKind op);
/* Input i of an add or multiply is a 1×1×C map broadcast over the H×W×C
** map of another input (shape.c, docs/language.md). */
bool node_is_broadcast(const Node *n, int i);
/* dilation·(kernel − 1) + 1 on axis ax; shape.c checks it fits first. */
int64_t node_eff_kernel(const Node *n, int ax);

/*
** resolve.c: names, blocks, attributes
** requires: a parsed NetAst
** provides: a Graph with nodes, edges, users, outputs and attributes;
**           reports undefined, redefined, unknown-op, unknown-attribute,
**           bad-attribute, and goes on
*/
Graph *resolve_network(Program *p, NetAst *net);
/* Adds "in block 'B', called as 'P' here" notes for a node inside blocks. */
void note_sites(Diags *d, Diag *g, const Site *s);

/*
** shape.c: output shapes
** requires: resolve
** provides: Node.shape, Node.pad for `same`; reports `shape` errors
*/
void shape_infer(Graph *g, Diags *d);
/* "26×26×32" for a spatial shape, "(576)" for a flat one. */
const char *shape_text(Arena *a, const Shape *s);

/*
** count.c: parameters and MACs
** requires: shapes
** provides: Node.params/trainable/macs and the Graph totals; an overflow is
**           a `shape` error
*/
void count_params(Graph *g, Diags *d);

/*
** rf.c: receptive fields
** requires: shapes
** provides: Node.rf, Node.rf_input, Node.rf_misaligned
*/
void rf_compute(Graph *g, Diags *d);
/* The path along which n's field grew, input first: from n back through,
** at each layer, the input with the largest field among those relative to
** n's network input (the first input if none is). Returns its length, at
** most max: a longer path keeps its max layers nearest n. */
int rf_chain(const Node *n, const Node **chain, int max);
/* "3" or, for a fractional jump, "1/2". */
const char *field_jump_text(Arena *a, const Field *f);
/* The field one window layer gives, from its input's field. */
Field rf_window_step(Field in, int64_t ke, int64_t stride, int64_t pb);

/*
** memplan.c: the static arena of the generated code, and the memory
** figures of `netc summary`
** requires: shapes
*/
typedef struct MemPlan MemPlan;
struct MemPlan {
    int *buffer;       /* per node: the node whose buffer it writes (itself, or
                          an input it overwrites in place) */
    int64_t *offset;   /* per node: byte offset in the arena; -1: network input */
    int64_t *bytes;    /* per node: bytes of its output (float32) */
    int64_t arena;     /* bytes of the arena, the plan's peak */
    int64_t peak_live; /* the most bytes live at one step */
    int peak_node;     /* the layer at that step, -1 if none */
    int64_t naive;     /* every layer's output in a buffer of its own,
                          64-byte aligned as in the plan */
    int64_t weights;   /* bytes of all parameters as float32 */
};

/* False if the graph has errors or a size overflows. */
bool memplan_build(const Graph *g, MemPlan *p);
void memplan_free(MemPlan *p);
int64_t tensor_bytes(const Shape *s);

/*
** budget.c: --max-ram, --max-params, --max-macs
*/
typedef struct Budgets {
    int64_t max_ram, max_params, max_macs; /* -1: no budget */
    const char *max_ram_text, *max_params_text, *max_macs_text; /* as written */
} Budgets;

/* "512K", "4M", "1G": powers of 1024 for bytes, of 1000 for counts. */
int64_t parse_size(const char *s, bool bytes);
/* plan: the network's memory plan, for --max-ram; NULL if it has none. */
void check_budgets(const Graph *g, Diags *d, const Budgets *b, const MemPlan *plan);

/*
** sarif.c: diagnostics as SARIF 2.1.0; rules.def's texts
*/
/* failures: char* messages about files that could not be read, or NULL */
void sarif_write(const Diags *d, const Vec *failures, Buf *out);
int rule_count(void);
/* field: 0 id, 1 level, 2 short description, 3 full description, 4 help */
const char *rule_text(int i, int field);

/*
** lint.c: warnings
** requires: shapes, counts, fields
*/
void lint_run(Graph *g, Diags *d, const WarnConfig *cfg);
/* unknown-warning: the ids of `# netc: disable=` comments, in every file
** read, that name no warning. Once per run, after parsing. */
void lint_comments(const Program *p, Diags *d);

/*
** summary.c: the layer table, as text and JSON
*/
void summary_text(const Graph *g, const MemPlan *mp, Buf *out);
void summary_json(const Graph *g, const MemPlan *mp, Buf *out);

/*
** dot.c: the graph as Graphviz DOT; layers with diagnostics in d highlighted
*/
void dot_write(const Graph *g, const Diags *d, Buf *out);

/*
** rfview.c: `netc rf`: the growth of one layer's field, as text and SVG
*/
void rfview_text(const Graph *g, const Node *n, Buf *out);
void rfview_svg(const Graph *g, const Node *n, double rf_min, Buf *out);
/* The last spatial layer of g (the default of `netc rf`), or NULL. */
const Node *rfview_default(const Graph *g);

/*
** json.c: writing JSON
*/
void json_string(Buf *b, const char *s);

/*
** suggest.c: input sizes that make every merge line up
** requires: shapes (with size_mismatch errors)
*/
/* Adds to each merge whose maps differ in size a note with the nearest
** input sizes that line every merge up, when changing the input fixes it. */
void suggest_inputs(Graph *g, Diags *d);
/* The input sizes in [lo, hi] (square, or the other axis as declared)
** for which the network has no shape error; returns how many, writing at
** most max of them. -1 if the network has not exactly one spatial input. */
int valid_input_sizes(Graph *g, int64_t lo, int64_t hi, int64_t *out, int max);

/*
** help_ops.c: `netc help ops` and `netc help OP`
*/
/* Prints the list of ops (name NULL) or one op's inputs, attributes and
** weights; -1 if name is not an op. */
int help_ops(const char *name);

/*
** pipeline.c (backend.h): the passes in order; the front end's part here
*/
/* Runs every pass of the front end on one resolved network. */
void analyse(Graph *g, Diags *d, const WarnConfig *cfg);

#endif
