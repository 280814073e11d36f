/* backend.h: the interface between the front end and the back ends.
**
** lower.c turns an analysed graph and its weights into a Lowered program:
** a list of kernel steps in execution order, each with its inputs and output
** placed in the static arena by the memory plan (memplan.c), and one blob of
** constants laid out the way the kernels read them (convolution weights as
** [group][kh][kw][in][out], dense weights as [in][out] with flatten's order
** folded in, batchnorm folded into the conv or dense before it). A back end
** (emit_c.c, and an LLVM one later) only prints these steps: every decision
** about fusion, layout and memory is made once, here, for all of them.
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
    K_COPY      /* an identity that could not share its input's buffer */
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
    S_GEMV       /* dense: weights [out/64][in][64], 64 outputs in registers */
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
    int64_t cblock;    /* S_DIRECT, S_GEMM: input channels per block */
    const Node *res_node; /* a residual add fused into the step, or NULL */
    TRef res;             /* the add's other input, added before act */
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

/* Builds the program; false (with errors in d) if it cannot. With ws NULL
** only the steps are made: the constants are laid out, not computed (blob
** stays NULL), for --emit=steps. */
bool lower(const Graph *g, const WeightSet *ws, Diags *d, Lowered *out);
void lower_free(Lowered *l);
/* The steps as text, one a line: the form the golden tests pin. */
void lower_print(const Lowered *l, Buf *b);

typedef struct BuildOptions {
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
/* Writes the constants as raw little-endian float32. */
bool write_blob(const Lowered *l, const char *path);

/*
** build.c: `netc build`
*/
typedef enum { EMIT_C, EMIT_EXE, EMIT_STEPS } EmitKind;

typedef struct BuildRequest {
    EmitKind kind;
    const char *out;          /* -o; EMIT_STEPS: NULL or "-" for standard output */
    const char *weights;      /* --weights, or NULL for random weights */
    uint64_t seed;            /* --random-weights */
    bool allow_extra;         /* --allow-extra-weights */
    const char *weights_file; /* --weights-file: weights beside the .c */
    int threads;              /* --threads: 1 (0 too) for code without threads */
} BuildRequest;

/* 0 on success, 1 on errors (reported in d). */
int build_network(const Graph *g, const BuildRequest *r, Diags *d);

#endif
