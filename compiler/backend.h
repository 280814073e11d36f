/* backend.h: the interface between the front end and the back ends.
**
** lower.c turns an analysed graph and its weights into a Lowered program:
** a list of kernel steps in execution order, each with its inputs and output
** placed in the static arena by the memory plan (memplan.c), and one blob of
** constants laid out the way the kernels read them (convolution weights as
** [group][kh][kw][in][out], dense weights as [in][out] with flatten's order
** folded in, batchnorm folded into the conv or dense before it). A back end
** (emit_c.c, or emit_llvm.c when netc is built with LLVM) only prints these
** steps: every decision about fusion, layout, memory and kernel strategy is
** made once, in lower.c, for both of them.
*/
#ifndef NETC_BACKEND_H
#define NETC_BACKEND_H

#include "netc.h"
#include "weights.h"

/* Where a tensor lives: a network input (the caller's pointer), or an
** offset in floats into the arena. */
typedef struct TRef {
    int input; /* >= 0: network input number; -1: the arena */
    int64_t off;
} TRef;

typedef enum {
    K_CONV,     /* conv2d, depthwise_conv2d: bias, folded batchnorm, act */
    K_DENSE,    /* dense: bias, folded batchnorm, act */
    K_MAXPOOL,  /* maxpool2d */
    K_AVGPOOL,  /* avgpool2d */
    K_GMAXPOOL, /* global_maxpool2d */
    K_GAVGPOOL, /* global_avgpool2d */
    K_AFFINE,   /* batchnorm on its own: x·scale[c] + shift[c], then act */
    K_ACT,      /* an activation layer that could not be fused */
    K_ADD,      /* add */
    K_CONCAT,   /* concat along channels (or a flat concat) */
    K_PAD,      /* zeropad2d */
    K_FLATTEN,  /* flatten in chw order: an HWC → CHW reorder */
    K_COPY,     /* an identity that could not share its input's buffer */
    K_MUL,      /* multiply (1×1×C operands broadcast) */
    K_SLICE,    /* channel_slice */
    K_SHUFFLE,  /* channel_shuffle */
    K_UPSAMPLE, /* upsample2d, nearest or bilinear */
    K_CONVT     /* conv2d_transpose: bias, act; weights [g][kh][kw][in/g][out/g] */
} KernelKind;

/* How a conv or dense step computes (docs/build.md, "Kernel strategies").
** The fast strategies read weights packed for them by lower.c; anything they
** cannot handle keeps S_GENERIC, the per-pixel kernel that takes any shape.
** ORDER Strategy (strategy_names in lower.c) */
typedef enum {
    S_GENERIC,   /* per output pixel, an axpy over the output channels */
    S_DIRECT,    /* register tiles of pixels x 64 channels, weights
                 ** [F/64][kh][kw][C][64], channels blocked so a block's
                 ** weights stay in the L2 cache */
    S_GEMM,      /* 1x1, stride 1, no padding: S_DIRECT over all pixels as
                 ** one row, i.e. a packed GEMM */
    S_DEPTHWISE, /* one input channel per output: tiles of pixels x one
                 ** vector of channels, weights [kh][kw][C] */
    S_GEMV,      /* dense: weights [out/64][in][64], 64 outputs in registers */
    S_WINOGRAD   /* 3x3 stride 1: Winograd F(2,3), 2x2 output tiles from 4x4
                 ** input tiles, 16 products per tile instead of 36; weights
                 ** transformed, [F/64][16][C][64]; cblock channels of
                 ** transformed input at a time */
} Strategy;

/* The direct kernel's output channels per packed block. */
#define NETC_BLOCK 64

typedef struct Step {
    KernelKind kind;
    const Node *node; /* the layer whose attributes it uses */
    const Node *last; /* the last layer fused into it (its output tensor) */
    TRef in[8];       /* inputs, when there are at most 8 */
    TRef *ins;        /* inputs, when there are more (else NULL) */
    int nin;
    TRef out;
    Act act;     /* the fused activation (K_CONV, K_DENSE, K_AFFINE, K_ACT) */
    float alpha; /* leaky_relu's slope */
    int64_t w, b; /* offsets into the blob, in floats; -1: none */
    Strategy strategy; /* K_CONV, K_DENSE */
    int64_t cblock;    /* S_DIRECT, S_GEMM, S_WINOGRAD: input channels per block */
    const Node *res_node; /* a residual add fused into the step, or NULL */
    TRef res;             /* the add's other input, added before act */
    /* A max pool fused into an S_DIRECT conv (after its act), or NULL. The
    ** conv's rows are made one at a time into `mid` and each row of the
    ** pool is computed as soon as the conv rows of its window are made, so
    ** the conv's output never makes a pass through memory. `mid` is where
    ** the memory plan put the conv's own output: a back end may use it as
    ** scratch for pool.kernel[0] conv rows per thread (the C back end does,
    ** with min(threads, conv rows / pool.kernel[0]) threads). s->last and
    ** s->out are the pool's. */
    const Node *pool;
    TRef mid;
} Step;

typedef struct Lowered {
    const Graph *g;
    MemPlan plan;
    Step *steps;
    int nsteps;
    float *blob; /* the constants, each tensor aligned to 16 floats */
    int64_t nblob;
    TRef *outputs; /* where each network output is, in output order */
} Lowered;

static inline const TRef *step_inputs(const Step *s) {
    return s->ins ? s->ins : s->in;
}

/* The sizes of a windowed step (conv, pool): its input, output, kernel,
** stride, dilation and padding (top, bottom, left, right). */
typedef struct Win {
    int64_t H, W, C, OH, OW, F;
    int64_t KH, KW, SH, SW, DH, DW, PT, PB, PL, PR;
} Win;

static inline Win step_window(const Step *s) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    Win w = {is->d[0], is->d[1], is->d[2], n->shape.d[0], n->shape.d[1], n->shape.d[2],
             n->kernel[0], n->kernel[1], n->stride[0], n->stride[1], n->dilation[0],
             n->dilation[1], n->pad[0], n->pad[1], n->pad[2], n->pad[3]};
    if (n->op == OP_maxpool2d || n->op == OP_avgpool2d)
        w.DH = w.DW = 1;
    return w;
}

/* The columns where the whole window lies inside the input: [lo, hi). */
static inline void win_interior(const Win *w, int64_t *lo, int64_t *hi) {
    int64_t a = (w->PL + w->SW - 1) / w->SW;
    int64_t span = w->W - 1 + w->PL - (w->KW - 1) * w->DW;
    int64_t b = span < 0 ? 0 : span / w->SW + 1;
    if (a > w->OW)
        a = w->OW;
    if (b > w->OW)
        b = w->OW;
    if (b < a)
        b = a;
    *lo = a;
    *hi = b;
}

/* Builds the program on the memory plan of g (memplan_build), which it
** takes: lower_free frees it, and so does a failed lower. False (with
** errors in d) if it cannot. With ws NULL only the steps are made: the
** constants are laid out, not computed (blob stays NULL), for
** --emit=steps. */
bool lower(const Graph *g, MemPlan *plan, const WeightSet *ws, Diags *d, Lowered *out);
void lower_free(Lowered *l);
/* The names of the kernel kinds and strategies, as --emit=steps and the
** standalone binary's --profile print them. */
extern const char *const kind_names[];
extern const char *const strategy_names[];
/* The steps as text, one a line: the form the golden tests pin. */
void lower_print(const Lowered *l, Buf *b);

/*
** cname.c: names as C identifiers (the rules: docs/build.md)
*/
typedef enum {
    CN_WORD,   /* an identifier on its own: a parameter */
    CN_PREFIX, /* the start of identifiers, followed by '_' and a suffix */
    CN_MACRO   /* the same in upper case: the stem of macros */
} CNameKind;

/* The identifiers given out so far in one C scope. */
typedef struct CScope {
    Arena *arena;
    Vec taken; /* char* */
} CScope;

/* The one way a name of the network becomes a C identifier: `name` made
** C-safe (kind says how), distinct from every identifier given out or
** reserved in s before, and taken in s. */
const char *c_name(CScope *s, const char *name, CNameKind kind);
/* Takes id in s as it is, so that c_name gives it to no one. */
void c_reserve(CScope *s, const char *id);

/* Every identifier of the generated code made from the network's names. */
typedef struct CNames {
    const char *prefix;  /* mnist: mnist_run, mnist_run_ws, mnist_load_weights */
    const char *macro;   /* MNIST: MNIST_INPUT_SIZE, MNIST_WORKSPACE_BYTES */
    const char *guard;   /* NETC_MNIST_H */
    const char *weights; /* netc_mnist_weights: the standalone binary's symbol */
    const char **in, **out;             /* the run function's parameters */
    const char **in_macro, **out_macro; /* stems of the per-tensor size macros */
} CNames;

void c_names(const Graph *g, Arena *a, CNames *out);

typedef struct BuildOptions {
    const CNames *names;     /* c_names of the network */
    const char *out_c;       /* the .c file to write */
    const char *out_h;       /* its header */
    const char *header_name; /* as the .c includes it */
    const char *weights_bin; /* NULL: weights in the .c; else: this file, loaded at start */
    bool weights_extern;     /* weights defined elsewhere (the standalone binary's .S) */
    bool standalone;         /* also emit the netc_model descriptor for runtime/main.c */
    int threads;             /* > 1: a pool of that many threads (pthreads) */
} BuildOptions;

/* The C back end: writes the .c and .h of a lowered program. */
bool emit_c(const Lowered *l, const BuildOptions *o, Diags *d);
/* The header alone (o->out_h, o->header_name): the LLVM back end's too. */
bool emit_c_header(const Lowered *l, const BuildOptions *o, Diags *d);
/* The C source of what a standalone binary's main() reads besides the
** network's run function (netc_model_desc, netc_profile_desc, and the
** netc_hook that the object calls after each step), for code built by the
** LLVM back end: NAME_run is defined elsewhere. */
void emit_c_descriptor(const Lowered *l, const CNames *names, Buf *b);

/* The LLVM back end (emit_llvm.c, when netc is built with LLVM). */
struct BuildRequest;
typedef struct LlvmOptions {
    const CNames *names; /* c_names of the network */
    const char *out;     /* the object, or the textual IR */
    bool text;           /* textual IR, else an object */
    const char *target;  /* --target: a triple; NULL for the host */
    const char *cpu;     /* --cpu; NULL: the host's, or the target's default */
    bool parts;          /* an object per part of the module, LLVM_PARTS of them:
                         ** OUT0.o, OUT1.o, ... for out = OUT */
    bool profile;        /* for the standalone binary: its --profile's hook */
} LlvmOptions;
enum { LLVM_PARTS = 4 };
bool emit_llvm(const Lowered *l, const LlvmOptions *o, Diags *d);
/* Whether LLVM knows the triple; if not, *err says why (xmalloc'd). */
bool llvm_check_target(const char *triple, char **err);
/* Whether LLVM knows the CPU for the triple (NULL: the host); if not, the
** CPUs it knows go into known, comma separated. */
bool llvm_check_cpu(const char *triple, const char *cpu, Buf *known);
/* The names of the targets LLVM knows, comma separated. */
void llvm_known_targets(Buf *b);
/* `netc run`: compiles the program with ORC's LLJIT and runs it through
** the standalone binary's command line (argv as runtime/main.c takes it).
** Returns that exit status; 1 with errors in d if LLVM failed. */
int llvm_jit_run(const Lowered *l, const CNames *names, const struct BuildRequest *r, Diags *d);
/* emit_ops.c: the kernels of multiply, broadcast add, channel_slice,
** channel_shuffle, upsample2d and conv2d_transpose; and the C expression
** of the activations it adds. Each writes the step function
** `netc_step<k>` of step s; split: with the parameters t and nt, thread t
** of nt computing its share of the rows (or pixels). */
void emit_op_merge(Buf *b, const Step *s, int k, bool split);
void emit_op_slice(Buf *b, const Step *s, int k, bool split);
void emit_op_shuffle(Buf *b, const Step *s, int k, bool split);
void emit_op_upsample(Buf *b, const Step *s, int k, bool split);
void emit_op_convt(Buf *b, const Step *s, int k, bool split);
/* The source of output row (or column) o of a bilinear upsampling from in
** to out rows, as PyTorch computes it: src = (o + 0.5)/scale − 0.5 clamped
** at 0 (align_corners=false) or o·(in − 1)/(out − 1) (true); the rows i0
** and i1 it lies between and the weight lambda of i1. */
void bilinear_source(int64_t in, int64_t out, int64_t scale, bool align, int64_t o, int64_t *i0,
                     int64_t *i1, double *lambda);
/* True if an add or multiply step broadcasts a 1×1×C operand. */
bool step_broadcasts(const Step *s);
/* The one C expression of each activation, applied to `x` (alpha: leaky
** relu's slope); NULL for softmax, which needs a whole vector. */
const char *emit_act_expr(Arena *a, Act act, float alpha, const char *x);

/* Writes the constants as raw little-endian float32 (the standalone
** binary's .incbin). */
bool write_blob(const Lowered *l, const char *path);

/* The file of --weights-file (docs/build.md, "The weights file"): a header,
** all numbers little-endian,
**     0  magic "NETCWTS" and a NUL       16  u64 count of floats
**     8  u32 version (1)                 24  u32 FNV-1a of the float bytes
**    12  u32 bytes of the network name   28  u32 zero
** then the network's name padded with NULs to a multiple of 8 bytes, then
** the floats, little-endian float32. NAME_load_weights checks each field. */
#define NETC_WF_MAGIC "NETCWTS"
#define NETC_WF_VERSION 1
#define NETC_WF_HEADER 32
bool write_weights_file(const Lowered *l, const char *path);

/*
** build.c: the outputs of `netc build`
*/
typedef enum {
    EMIT_C,     /* OUT.c and OUT.h */
    EMIT_EXE,   /* a standalone binary */
    EMIT_STEPS, /* --emit=steps */
    EMIT_OBJ,   /* the LLVM back end: an object and OUT.h */
    EMIT_LLVM,  /* the LLVM back end: textual IR and OUT.h */
    EMIT_JIT    /* `netc run` in process (the LLVM back end) */
} EmitKind;

typedef struct BuildRequest {
    EmitKind kind;
    const char *out;          /* -o; EMIT_STEPS: NULL or "-" for standard output */
    const char *weights;      /* --weights, or NULL for random weights */
    uint64_t seed;            /* --random-weights */
    bool allow_extra;         /* --allow-extra-weights */
    const char *weights_file; /* --weights-file: weights beside the .c */
    int threads;              /* --threads: 1 (0 too) for code without threads */
    bool llvm;                /* the LLVM back end (--backend=llvm, .o, .ll) */
    const char *target, *cpu; /* --target, --cpu (the LLVM back end) */
    int run_argc;             /* EMIT_JIT: the runtime's command line, */
    char **run_argv;
    int run_status;           /* and its exit status */
    void (*before_run)(void *ctx, Diags *d); /* EMIT_JIT: called before the run */
    void *before_ctx;
} BuildRequest;

/* OUT.c and OUT.h (and the --weights-file file): false on errors, in d. */
bool build_c(const Lowered *l, const CNames *names, const BuildRequest *r, Diags *d);
/* A standalone binary, built with $CC: false on errors, in d. */
bool build_exe(const Lowered *l, const CNames *names, const char *out, int threads,
               Diags *d);
/* An object or textual IR by the LLVM back end and OUT.h, or (EMIT_EXE) a
** standalone binary of that object and the runtime, linked by $CC; or
** (EMIT_JIT) the run of `netc run`. False on errors, in d. */
bool build_llvm(const Lowered *l, const CNames *names, BuildRequest *r, Diags *d);
/* --emit=steps: the lowered program as text (lower_print) to OUT, or to
** standard output for "-" or no -o. */
bool build_steps(const Lowered *l, const char *out, Diags *d);

/*
** child.c: running another program
*/
/* Runs argv (argv[0] looked up on PATH), with `input` (len bytes) on its
** standard input, or netc's own when input is NULL, and waits for it.
** Returns its exit status; or -1 when it could not run or was killed, which
** child_run has reported on standard error ("netc: error: cannot run 'dot':
** No such file or directory"). *not_found (if not NULL) tells whether
** argv[0] does not exist. */
int child_run(char *const argv[], const char *input, size_t len, bool *not_found);
/* child_run in two halves, for a program that runs while netc goes on:
** child_start returns false when argv cannot be started (reported), and
** child_wait returns what child_run would. */
typedef struct Child {
    int pid, report;
    const char *name;
    bool quiet; /* child_wait says nothing (another run has said it) */
} Child;
bool child_start(char *const argv[], const char *input, size_t len, Child *c);
int child_wait(Child *c, bool *not_found);
/* Runs argv with its output thrown away: true if it ran and exited 0 (a
** probe, such as whether the C compiler takes a flag). */
bool child_quiet(char *const argv[]);

/*
** pipeline.c: the whole of netc, in one function
*/
/* One network through the pipeline. */
typedef struct Unit {
    Graph *g;
    MemPlan plan; /* valid when planned */
    bool planned;
} Unit;

typedef enum {
    PIPE_OK,
    PIPE_UNREADABLE,      /* a file could not be read (build stops there) */
    PIPE_NO_SUCH_NETWORK, /* --network named none of the networks */
    PIPE_NO_NETWORK,      /* the files define no network */
    PIPE_MANY_NETWORKS,   /* build: several networks and no --network */
    PIPE_ERRORS,          /* build: the network has errors; nothing built */
    PIPE_BUILD_FAILED     /* build: the back end failed (errors in Diags) */
} PipeStatus;

typedef struct Pipeline {
    /* what to do */
    Program *p;
    const Vec *files;          /* char*: the files named, "-" for stdin */
    const char *network;       /* --network, or NULL for every network */
    const WarnConfig *warn;
    const Budgets *budgets;    /* or NULL */
    bool plan;                 /* make every network's memory plan */
    BuildRequest *build; /* go on to build the one network, or NULL */
    /* what came of it */
    Vec roots;    /* SourceFile*: the files read, in command-line order */
    Vec failures; /* char*: "cannot read 'F': WHY", per file not read */
    Vec units;    /* Unit*: the networks, in file and source order */
    bool found;   /* a network had the name of --network */
} Pipeline;

/* parse -> resolve -> analyse -> plan -> budgets (-> weights -> lower ->
** emit): as far as pl asks, and as far as the input allows. */
PipeStatus pipeline_run(Pipeline *pl);
/* Frees the plans of the units (the graphs live in the Program's arena). */
void pipeline_free(Pipeline *pl);

#endif
