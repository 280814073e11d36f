/* emit_llvm.c: the LLVM back end (docs/build.md, "The LLVM back end").
**
** Prints a Lowered program (lower.c) as LLVM IR through the LLVM-C API, in
** the same steps, the same kernel strategies and the same order of
** arithmetic as emit_c.c, and writes it as an object for the host or for
** --target/--cpu, or as textual IR, or compiles it in process for `netc
** run` (ORC's LLJIT). It decides nothing: lower.c chooses every strategy
** and lays out the weights each one reads.
**
** The object has the C back end's ABI: NAME_run(inputs..., outputs...) on
** a static arena and NAME_run_ws(inputs..., outputs..., workspace); the
** header is the C back end's (emit_c_header), the names cname.c's. The
** weights are one private constant byte array, little-endian float32,
** 64-byte aligned.
**
** The module is built in parts, on threads (NPARTS, at build_module), each
** step a function of its own that is never inlined.
**
** Every loop runs over i64 induction variables with constant trip counts
** where the C code has them; multiply-adds are llvm.fmuladd (the target may
** fuse them, as the C back end's vector kernels do), and pointers that the
** C code marks restrict are noalias. The vector width is the target's: the
** loop vectoriser of default<O3> vectorises the loops over the 64 output
** channels of a block, which the C code spells with intrinsics.
**
** Typed pointers are built through the *2 calls only (LLVMBuildLoad2,
** LLVMBuildGEP2, LLVMBuildCall2), and passes run through LLVMRunPasses,
** so a newer LLVM needs no change here.
*/
#define _GNU_SOURCE /* sched_getaffinity */
#include "backend.h"
#include "netc/runtime.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>

typedef struct E {
    const Lowered *l;
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef f32, i64, i8, ptr, voidt;
    LLVMTypeRef vec, vptr; /* <NETC_VW x float>, and a pointer to one */
    LLVMValueRef vfmuladd;
    LLVMTypeRef vfmuladd_t;
    LLVMValueRef fn;      /* the function being built */
    LLVMValueRef W;       /* the weights, as a float pointer */
    LLVMValueRef fmuladd, exp, tanhf, erff, softmax;
    LLVMTypeRef fmuladd_t, exp_t, tanhf_t, erff_t, softmax_t;
    bool jit; /* also netc_jit_run, the entry of `netc run` */
    bool profile; /* calls netc_hook after each step (the binary's --profile) */
    int nvt;  /* vectors per pixel of a tile: 4 with AVX-512 (64 channels), else 1 */
} E;

static LLVMValueRef ci(const E *e, int64_t v) {
    return LLVMConstInt(e->i64, (unsigned long long)v, 1);
}

static LLVMValueRef cf(const E *e, double v) {
    return LLVMConstReal(e->f32, v);
}

static LLVMValueRef gep(const E *e, LLVMValueRef base, LLVMValueRef idx) {
    return LLVMBuildInBoundsGEP2(e->b, e->f32, base, &idx, 1, "");
}

static LLVMValueRef ld(const E *e, LLVMValueRef base, LLVMValueRef idx) {
    LLVMValueRef v = LLVMBuildLoad2(e->b, e->f32, gep(e, base, idx), "");
    LLVMSetAlignment(v, 4);
    return v;
}

static void st(const E *e, LLVMValueRef v, LLVMValueRef base, LLVMValueRef idx) {
    LLVMValueRef s = LLVMBuildStore(e->b, v, gep(e, base, idx));
    LLVMSetAlignment(s, 4);
}

static LLVMValueRef add(const E *e, LLVMValueRef a, LLVMValueRef b) {
    return LLVMBuildNSWAdd(e->b, a, b, "");
}

static LLVMValueRef mul(const E *e, LLVMValueRef a, int64_t k) {
    return LLVMBuildNSWMul(e->b, a, ci(e, k), "");
}

/* The fast kernels' vectors: NETC_VW floats, stated in the IR whatever the
** target; LLVM splits them into the target's registers (two AVX, one
** AVX-512, four NEON or SSE registers), so NETC_BLOCK output channels are
** NETC_BLOCK / NETC_VW vectors. */
#define NETC_VW 16
#define NETC_NVEC (NETC_BLOCK / NETC_VW)
/* The channels of a tile's pixel: nvt vectors. */
#define TILE_CH(e) ((e)->nvt * NETC_VW)

/* The vector at base[idx] (floats, 4-byte aligned). */
static LLVMValueRef vld(const E *e, LLVMValueRef base, LLVMValueRef idx) {
    LLVMValueRef p = LLVMBuildInBoundsGEP2(e->b, e->f32, base, &idx, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(e->b, e->vec, LLVMBuildBitCast(e->b, p, e->vptr, ""), "");
    LLVMSetAlignment(v, 4);
    return v;
}

static void vst(const E *e, LLVMValueRef v, LLVMValueRef base, LLVMValueRef idx) {
    LLVMValueRef p = LLVMBuildInBoundsGEP2(e->b, e->f32, base, &idx, 1, "");
    LLVMValueRef s = LLVMBuildStore(e->b, v, LLVMBuildBitCast(e->b, p, e->vptr, ""));
    LLVMSetAlignment(s, 4);
}

/* x in every lane */
static LLVMValueRef splat(const E *e, LLVMValueRef x) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(e->ctx);
    LLVMValueRef v = LLVMBuildInsertElement(e->b, LLVMGetUndef(e->vec), x, LLVMConstInt(i32, 0, 0), "");
    LLVMValueRef mask = LLVMConstNull(LLVMVectorType(i32, NETC_VW));
    return LLVMBuildShuffleVector(e->b, v, LLVMGetUndef(e->vec), mask, "");
}

static LLVMValueRef vfmuladd(const E *e, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c) {
    LLVMValueRef args[3] = {a, b, c};
    return LLVMBuildCall2(e->b, e->vfmuladd_t, e->vfmuladd, args, 3, "");
}

static LLVMValueRef fmuladd(const E *e, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c) {
    LLVMValueRef args[3] = {a, b, c};
    return LLVMBuildCall2(e->b, e->fmuladd_t, e->fmuladd, args, 3, "");
}

static LLVMValueRef smin(const E *e, LLVMValueRef a, LLVMValueRef b) {
    return LLVMBuildSelect(e->b, LLVMBuildICmp(e->b, LLVMIntSLT, a, b, ""), a, b, "");
}

/* A counted loop: for (iv = lo; iv < hi; iv++) { body }. */
typedef struct Loop {
    LLVMValueRef iv;
    LLVMBasicBlockRef head, exit;
} Loop;

static LLVMValueRef loop_open(E *e, Loop *L, LLVMValueRef lo, LLVMValueRef hi) {
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(e->b);
    L->head = LLVMAppendBasicBlockInContext(e->ctx, e->fn, "loop");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(e->ctx, e->fn, "body");
    L->exit = LLVMAppendBasicBlockInContext(e->ctx, e->fn, "next");
    LLVMBuildBr(e->b, L->head);
    LLVMPositionBuilderAtEnd(e->b, L->head);
    L->iv = LLVMBuildPhi(e->b, e->i64, "i");
    LLVMAddIncoming(L->iv, &lo, &pre, 1);
    LLVMBuildCondBr(e->b, LLVMBuildICmp(e->b, LLVMIntSLT, L->iv, hi, ""), body, L->exit);
    LLVMPositionBuilderAtEnd(e->b, body);
    return L->iv;
}

static LLVMValueRef loop_to(E *e, Loop *L, int64_t n) {
    return loop_open(e, L, ci(e, 0), ci(e, n));
}

static void loop_close(E *e, Loop *L) {
    LLVMValueRef next = add(e, L->iv, ci(e, 1));
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(e->b);
    LLVMBuildBr(e->b, L->head);
    LLVMAddIncoming(L->iv, &next, &cur, 1);
    LLVMPositionBuilderAtEnd(e->b, L->exit);
}

static void add_attr(const E *e, LLVMValueRef fn, unsigned idx, const char *name) {
    unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
    LLVMAddAttributeAtIndex(fn, idx, LLVMCreateEnumAttribute(e->ctx, kind, 0));
}

/* void (float *, ... n times) */
static LLVMTypeRef ptr_fn_type(const E *e, int n) {
    LLVMTypeRef *params = xcalloc((size_t)n + 1, sizeof *params);
    for (int i = 0; i < n; i++)
        params[i] = e->ptr;
    LLVMTypeRef t = LLVMFunctionType(e->voidt, params, (unsigned)n, 0);
    free(params);
    return t;
}

/* A never inlined function of n float pointers, those in
** [lo, hi) noalias (no other one aliases them). The builder is left in its
** entry. */
static LLVMValueRef begin_fn(E *e, const char *name, int n, int lo, int hi) {
    LLVMValueRef fn = LLVMAddFunction(e->mod, name, ptr_fn_type(e, n));
    LLVMSetVisibility(fn, LLVMHiddenVisibility); /* made internal once the parts are linked */
    add_attr(e, fn, LLVMAttributeFunctionIndex, "nounwind");
    /* one call per inference: inlining every step into NAME_run_ws gains
    ** nothing at run time and makes one huge function, which costs the
    ** optimiser and the code generator a third more build time */
    add_attr(e, fn, LLVMAttributeFunctionIndex, "noinline");
    for (int i = 0; i < n; i++)
        if (i >= lo && i < hi)
            add_attr(e, fn, (unsigned)i + 1, "noalias");
    e->fn = fn;
    LLVMPositionBuilderAtEnd(e->b, LLVMAppendBasicBlockInContext(e->ctx, fn, "entry"));
    return fn;
}

static LLVMValueRef param(const E *e, int i) {
    return LLVMGetParam(e->fn, (unsigned)i);
}

static LLVMValueRef fsel_gt(E *e, LLVMValueRef a, LLVMValueRef b, LLVMValueRef t, LLVMValueRef f) {
    return LLVMBuildSelect(e->b, LLVMBuildFCmp(e->b, LLVMRealOGT, a, b, ""), t, f, "");
}

static LLVMValueRef call1(E *e, LLVMTypeRef t, LLVMValueRef fn, LLVMValueRef x) {
    return LLVMBuildCall2(e->b, t, fn, &x, 1, "");
}

/* (x <= -3 ? 0 : x >= 3 ? 6 : x + 3): hardswish's and hardsigmoid's ramp */
static LLVMValueRef ramp6(E *e, LLVMValueRef v) {
    LLVMValueRef le = LLVMBuildFCmp(e->b, LLVMRealOLE, v, cf(e, -3.0), "");
    LLVMValueRef ge = LLVMBuildFCmp(e->b, LLVMRealOGE, v, cf(e, 3.0), "");
    LLVMValueRef r = LLVMBuildSelect(e->b, ge, cf(e, 6.0), LLVMBuildFAdd(e->b, v, cf(e, 3.0), ""), "");
    return LLVMBuildSelect(e->b, le, cf(e, 0.0), r, "");
}

/* An activation of one value, as emit_act_expr (emit_ops.c) writes it in
** C; softmax is not one (act_range). */
static LLVMValueRef act_value(E *e, Act act, float alpha, LLVMValueRef v) {
    LLVMValueRef zero = cf(e, 0.0), one = cf(e, 1.0);
    LLVMBuilderRef b = e->b;
    switch (act) {
    case ACT_LINEAR:
    case ACT_SOFTMAX:
        return v;
    case ACT_RELU:
        return fsel_gt(e, v, zero, v, zero);
    case ACT_RELU6: {
        LLVMValueRef six = cf(e, 6.0);
        LLVMValueRef m = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, v, six, ""), v, six, "");
        return fsel_gt(e, v, zero, m, zero);
    }
    case ACT_SIGMOID: {
        LLVMValueRef x = call1(e, e->exp_t, e->exp, LLVMBuildFNeg(b, v, ""));
        return LLVMBuildFDiv(b, one, LLVMBuildFAdd(b, one, x, ""), "");
    }
    case ACT_TANH:
        return call1(e, e->tanhf_t, e->tanhf, v);
    case ACT_LEAKY_RELU:
        return fsel_gt(e, v, zero, v, LLVMBuildFMul(b, cf(e, (double)alpha), v, ""));
    case ACT_SILU: {
        LLVMValueRef x = call1(e, e->exp_t, e->exp, LLVMBuildFNeg(b, v, ""));
        return LLVMBuildFDiv(b, v, LLVMBuildFAdd(b, one, x, ""), "");
    }
    case ACT_HARDSWISH:
        return LLVMBuildFDiv(b, LLVMBuildFMul(b, v, ramp6(e, v), ""), cf(e, 6.0), "");
    case ACT_HARDSIGMOID:
        return LLVMBuildFDiv(b, ramp6(e, v), cf(e, 6.0), "");
    case ACT_GELU: {
        LLVMValueRef x = call1(e, e->erff_t, e->erff,
                               LLVMBuildFMul(b, v, cf(e, 0.70710678118654752), ""));
        return LLVMBuildFMul(b, LLVMBuildFMul(b, cf(e, 0.5), v, ""), LLVMBuildFAdd(b, one, x, ""), "");
    }
    case ACT_GELU_TANH: {
        LLVMValueRef c = LLVMBuildFMul(b, LLVMBuildFMul(b, LLVMBuildFMul(b, cf(e, 0.044715), v, ""), v, ""), v, "");
        LLVMValueRef t = call1(e, e->tanhf_t, e->tanhf,
                               LLVMBuildFMul(b, cf(e, 0.79788456080286536), LLVMBuildFAdd(b, v, c, ""), ""));
        return LLVMBuildFMul(b, LLVMBuildFMul(b, cf(e, 0.5), v, ""), LLVMBuildFAdd(b, one, t, ""), "");
    }
    }
    return v;
}

/* Applies act to the n floats at p (n an i64 value), in place. */
static void act_range_v(E *e, Act act, float alpha, LLVMValueRef p, LLVMValueRef n) {
    if (act == ACT_LINEAR)
        return;
    if (act == ACT_SOFTMAX) {
        LLVMValueRef args[2] = {p, n};
        LLVMBuildCall2(e->b, e->softmax_t, e->softmax, args, 2, "");
        return;
    }
    Loop L;
    LLVMValueRef i = loop_open(e, &L, ci(e, 0), n);
    st(e, act_value(e, act, alpha, ld(e, p, i)), p, i);
    loop_close(e, &L);
}

static void act_range(E *e, Act act, float alpha, LLVMValueRef p, int64_t n) {
    act_range_v(e, act, alpha, p, ci(e, n));
}

/* if (cond) { ... }: if_open, the body, if_close. */
static LLVMBasicBlockRef if_open(E *e, LLVMValueRef cond) {
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(e->ctx, e->fn, "then");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(e->ctx, e->fn, "endif");
    LLVMBuildCondBr(e->b, cond, then, next);
    LLVMPositionBuilderAtEnd(e->b, then);
    return next;
}

static void if_close(E *e, LLVMBasicBlockRef next) {
    LLVMBuildBr(e->b, next);
    LLVMPositionBuilderAtEnd(e->b, next);
}

/* A float array of n on the stack, made in the function's entry block. */
static LLVMValueRef entry_array(E *e, int64_t n) {
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(e->b);
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(e->fn);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first)
        LLVMPositionBuilderBefore(e->b, first);
    else
        LLVMPositionBuilderAtEnd(e->b, entry);
    LLVMValueRef a = LLVMBuildAlloca(e->b, LLVMArrayType(e->f32, (unsigned)n), "");
    LLVMSetAlignment(a, 64);
    LLVMPositionBuilderAtEnd(e->b, cur);
    return LLVMBuildBitCast(e->b, a, e->ptr, "");
}

/* The accumulators of a fast kernel: NETC_NVEC vectors on the stack, made
** in the entry block, which the optimiser keeps in registers. */
static void entry_vectors(E *e, LLVMValueRef *acc) {
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(e->b);
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(e->fn);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first)
        LLVMPositionBuilderBefore(e->b, first);
    else
        LLVMPositionBuilderAtEnd(e->b, entry);
    for (int v = 0; v < NETC_NVEC; v++)
        acc[v] = LLVMBuildAlloca(e->b, e->vec, "acc");
    LLVMPositionBuilderAtEnd(e->b, cur);
}

/* acc[v] = x·w[v·NETC_VW ...] + acc[v], for the NETC_BLOCK floats at w */
static void block_fma(E *e, LLVMValueRef *acc, LLVMValueRef x, LLVMValueRef w) {
    LLVMValueRef xs = splat(e, x);
    for (int v = 0; v < NETC_NVEC; v++) {
        LLVMValueRef a = LLVMBuildLoad2(e->b, e->vec, acc[v], "");
        LLVMBuildStore(e->b, vfmuladd(e, xs, vld(e, w, ci(e, v * NETC_VW)), a), acc[v]);
    }
}

/* acc = the NETC_BLOCK floats at p (or zeros when p is NULL) */
static void block_set(E *e, LLVMValueRef *acc, LLVMValueRef p) {
    for (int v = 0; v < NETC_NVEC; v++)
        LLVMBuildStore(e->b, p ? vld(e, p, ci(e, v * NETC_VW)) : LLVMConstNull(e->vec), acc[v]);
}

/* the accumulators into the NETC_BLOCK floats at p */
static void block_store(E *e, LLVMValueRef *acc, LLVMValueRef p) {
    for (int v = 0; v < NETC_NVEC; v++)
        vst(e, LLVMBuildLoad2(e->b, e->vec, acc[v], ""), p, ci(e, v * NETC_VW));
}

static LLVMValueRef icmp(E *e, LLVMIntPredicate p, LLVMValueRef a, LLVMValueRef b) {
    return LLVMBuildICmp(e->b, p, a, b, "");
}

/* netc_softmax(v, n): the C back end's, max first. */
static void build_softmax(E *e) {
    LLVMTypeRef params[2] = {e->ptr, e->i64};
    e->softmax_t = LLVMFunctionType(e->voidt, params, 2, 0);
    e->softmax = LLVMAddFunction(e->mod, "netc_softmax", e->softmax_t);
    LLVMSetLinkage(e->softmax, LLVMInternalLinkage);
    e->fn = e->softmax;
    LLVMPositionBuilderAtEnd(e->b, LLVMAppendBasicBlockInContext(e->ctx, e->fn, "entry"));
    LLVMValueRef v = param(e, 0), n = param(e, 1);
    LLVMValueRef m = LLVMBuildAlloca(e->b, e->f32, "m"), s = LLVMBuildAlloca(e->b, e->f32, "s");
    LLVMBuildStore(e->b, ld(e, v, ci(e, 0)), m);
    LLVMBuildStore(e->b, cf(e, 0.0), s);
    Loop L;
    LLVMValueRef i = loop_open(e, &L, ci(e, 1), n);
    LLVMValueRef x = ld(e, v, i), mv = LLVMBuildLoad2(e->b, e->f32, m, "");
    LLVMBuildStore(e->b, LLVMBuildSelect(e->b, LLVMBuildFCmp(e->b, LLVMRealOGT, x, mv, ""), x, mv, ""), m);
    loop_close(e, &L);
    LLVMValueRef mx = LLVMBuildLoad2(e->b, e->f32, m, "");
    i = loop_open(e, &L, ci(e, 0), n);
    LLVMValueRef d = LLVMBuildFSub(e->b, ld(e, v, i), mx, "");
    LLVMValueRef ex = LLVMBuildCall2(e->b, e->exp_t, e->exp, &d, 1, "");
    st(e, ex, v, i);
    LLVMBuildStore(e->b, LLVMBuildFAdd(e->b, LLVMBuildLoad2(e->b, e->f32, s, ""), ex, ""), s);
    loop_close(e, &L);
    LLVMValueRef sum = LLVMBuildLoad2(e->b, e->f32, s, "");
    i = loop_open(e, &L, ci(e, 0), n);
    st(e, LLVMBuildFDiv(e->b, ld(e, v, i), sum, ""), v, i);
    loop_close(e, &L);
    LLVMBuildRetVoid(e->b);
}

/*
** The steps, each an internal function netc_stepK of float pointers:
** inputs, output, and the residual input when the step has one.
*/

static int64_t elems(const Shape *s) {
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

/* The kernel taps inside the input along one axis, for a window starting
** at i0 (may be negative): [k0, k1), as emit_c.c's emit_rows computes. */
static void taps(E *e, LLVMValueRef i0, int64_t size, int64_t K, int64_t D, LLVMValueRef *k0,
                 LLVMValueRef *k1) {
    LLVMValueRef neg = LLVMBuildICmp(e->b, LLVMIntSLT, i0, ci(e, 0), "");
    LLVMValueRef a = LLVMBuildSDiv(e->b, add(e, LLVMBuildNSWNeg(e->b, i0, ""), ci(e, D - 1)), ci(e, D), "");
    *k0 = LLVMBuildSelect(e->b, neg, a, ci(e, 0), "");
    LLVMValueRef r = LLVMBuildNSWSub(e->b, ci(e, size + D - 1), i0, "");
    *k1 = smin(e, LLVMBuildSDiv(e->b, r, ci(e, D), ""), ci(e, K));
}

/* The output pixel loops of a conv or pool: calls px for each pixel with
** its window. */
typedef struct Pixel {
    LLVMValueRef oh, ow, ih0, iw0, kh0, kh1, kw0, kw1;
} Pixel;

static void conv_px(E *e, const Step *s, const Win *w, const Pixel *p) {
    int64_t G = s->node->groups, Cg = w->C / G, Fg = w->F / G;
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMValueRef pix = add(e, mul(e, p->oh, w->OW), p->ow);
    LLVMValueRef o = gep(e, out, mul(e, pix, w->F));
    Loop L;
    LLVMValueRef i = loop_to(e, &L, w->F);
    st(e, s->b >= 0 ? ld(e, e->W, add(e, i, ci(e, s->b))) : cf(e, 0.0), o, i);
    loop_close(e, &L);
    Loop Lh, Lw, Lg, Lc, Li;
    LLVMValueRef kh = loop_open(e, &Lh, p->kh0, p->kh1);
    LLVMValueRef kw = loop_open(e, &Lw, p->kw0, p->kw1);
    LLVMValueRef row = add(e, p->ih0, mul(e, kh, w->DH));
    LLVMValueRef col = add(e, p->iw0, mul(e, kw, w->DW));
    LLVMValueRef x = gep(e, in, mul(e, add(e, mul(e, row, w->W), col), w->C));
    LLVMValueRef tap = add(e, mul(e, kh, w->KW), kw);
    if (Cg == 1) {
        /* depthwise: weights [kh][kw][out]; output c·Fg + j reads input c */
        LLVMValueRef wk = gep(e, e->W, add(e, ci(e, s->w), mul(e, tap, w->F)));
        LLVMValueRef c = loop_to(e, &Lc, w->C);
        LLVMValueRef xv = ld(e, x, c);
        LLVMValueRef j = loop_to(e, &Li, Fg);
        LLVMValueRef at = add(e, mul(e, c, Fg), j);
        st(e, fmuladd(e, xv, ld(e, wk, at), ld(e, o, at)), o, at);
        loop_close(e, &Li);
        loop_close(e, &Lc);
    } else {
        /* weights [g][kh][kw][in/g][out/g] */
        LLVMValueRef g = loop_to(e, &Lg, G);
        LLVMValueRef gt = add(e, mul(e, g, w->KH * w->KW), tap);
        LLVMValueRef wk = gep(e, e->W, add(e, ci(e, s->w), mul(e, gt, Cg * Fg)));
        LLVMValueRef og = gep(e, o, mul(e, g, Fg));
        LLVMValueRef c = loop_to(e, &Lc, Cg);
        LLVMValueRef xv = ld(e, x, add(e, mul(e, g, Cg), c));
        LLVMValueRef wr = gep(e, wk, mul(e, c, Fg));
        LLVMValueRef j = loop_to(e, &Li, Fg);
        st(e, fmuladd(e, xv, ld(e, wr, j), ld(e, og, j)), og, j);
        loop_close(e, &Li);
        loop_close(e, &Lc);
        loop_close(e, &Lg);
    }
    loop_close(e, &Lw);
    loop_close(e, &Lh);
    if (s->res_node) {
        /* a residual add taken by the conv, before the activation */
        LLVMValueRef r = gep(e, param(e, 2), mul(e, pix, w->F));
        i = loop_to(e, &L, w->F);
        st(e, LLVMBuildFAdd(e->b, ld(e, o, i), ld(e, r, i), ""), o, i);
        loop_close(e, &L);
    }
    act_range(e, s->act, s->alpha, o, w->F);
}

static void pool_px(E *e, const Step *s, const Win *w, const Pixel *p) {
    bool avg = s->kind == K_AVGPOOL;
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMValueRef o = gep(e, out, mul(e, add(e, mul(e, p->oh, w->OW), p->ow), w->C));
    Loop L, Lh, Lw;
    LLVMValueRef c = loop_to(e, &L, w->C);
    st(e, cf(e, avg ? 0.0 : -HUGE_VAL), o, c);
    loop_close(e, &L);
    LLVMValueRef kh = loop_open(e, &Lh, p->kh0, p->kh1);
    LLVMValueRef kw = loop_open(e, &Lw, p->kw0, p->kw1);
    LLVMValueRef x = gep(e, in, mul(e, add(e, mul(e, add(e, p->ih0, kh), w->W), add(e, p->iw0, kw)), w->C));
    c = loop_to(e, &L, w->C);
    LLVMValueRef xv = ld(e, x, c), ov = ld(e, o, c);
    if (avg)
        st(e, LLVMBuildFAdd(e->b, ov, xv, ""), o, c);
    else
        st(e, LLVMBuildSelect(e->b, LLVMBuildFCmp(e->b, LLVMRealOGT, xv, ov, ""), xv, ov, ""), o, c);
    loop_close(e, &L);
    loop_close(e, &Lw);
    loop_close(e, &Lh);
    if (!avg)
        return;
    LLVMValueRef cells;
    if (s->node->count_pad) {
        /* the window's cells inside the padded input (PyTorch's divisor) */
        LLVMValueRef h1 = smin(e, add(e, p->ih0, ci(e, w->KH)), ci(e, w->H + w->PB));
        LLVMValueRef w1 = smin(e, add(e, p->iw0, ci(e, w->KW)), ci(e, w->W + w->PR));
        cells = LLVMBuildNSWMul(e->b, LLVMBuildNSWSub(e->b, h1, p->ih0, ""),
                                LLVMBuildNSWSub(e->b, w1, p->iw0, ""), "");
    } else {
        cells = LLVMBuildNSWMul(e->b, LLVMBuildNSWSub(e->b, p->kh1, p->kh0, ""),
                                LLVMBuildNSWSub(e->b, p->kw1, p->kw0, ""), "");
    }
    LLVMValueRef div = LLVMBuildSIToFP(e->b, cells, e->f32, "");
    c = loop_to(e, &L, w->C);
    st(e, LLVMBuildFDiv(e->b, ld(e, o, c), div, ""), o, c);
    loop_close(e, &L);
}

static void emit_windowed(E *e, const Step *s) {
    Win w = step_window(s);
    Loop Lh, Lw;
    Pixel p;
    p.oh = loop_to(e, &Lh, w.OH);
    p.ih0 = LLVMBuildNSWSub(e->b, mul(e, p.oh, w.SH), ci(e, w.PT), "");
    taps(e, p.ih0, w.H, w.KH, w.DH, &p.kh0, &p.kh1);
    p.ow = loop_to(e, &Lw, w.OW);
    p.iw0 = LLVMBuildNSWSub(e->b, mul(e, p.ow, w.SW), ci(e, w.PL), "");
    taps(e, p.iw0, w.W, w.KW, w.DW, &p.kw0, &p.kw1);
    if (s->kind == K_CONV)
        conv_px(e, s, &w, &p); /* S_GENERIC */
    else
        pool_px(e, s, &w, &p);
    loop_close(e, &Lw);
    loop_close(e, &Lh);
}

static void emit_dense(E *e, const Step *s) {
    int64_t n_in = s->node->in[0]->shape.d[0], n_out = s->node->shape.d[0];
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    Loop L, Lj;
    LLVMValueRef j = loop_to(e, &L, n_out);
    st(e, s->b >= 0 ? ld(e, e->W, add(e, j, ci(e, s->b))) : cf(e, 0.0), out, j);
    loop_close(e, &L);
    LLVMValueRef i = loop_to(e, &L, n_in);
    LLVMValueRef xv = ld(e, in, i);
    LLVMValueRef wr = gep(e, e->W, add(e, ci(e, s->w), mul(e, i, n_out)));
    j = loop_to(e, &Lj, n_out);
    st(e, fmuladd(e, xv, ld(e, wr, j), ld(e, out, j)), out, j);
    loop_close(e, &Lj);
    loop_close(e, &L);
    act_range(e, s->act, s->alpha, out, n_out);
}

static void emit_global(E *e, const Step *s) {
    const Shape *is = &s->node->in[0]->shape;
    int64_t HW = is->d[0] * is->d[1], C = is->d[2];
    bool avg = s->kind == K_GAVGPOOL;
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    Loop L, Lc;
    LLVMValueRef c = loop_to(e, &L, C);
    st(e, avg ? cf(e, 0.0) : ld(e, in, c), out, c);
    loop_close(e, &L);
    LLVMValueRef p = loop_open(e, &L, ci(e, avg ? 0 : 1), ci(e, HW));
    c = loop_to(e, &Lc, C);
    LLVMValueRef xv = ld(e, in, add(e, mul(e, p, C), c)), ov = ld(e, out, c);
    if (avg)
        st(e, LLVMBuildFAdd(e->b, ov, xv, ""), out, c);
    else
        st(e, LLVMBuildSelect(e->b, LLVMBuildFCmp(e->b, LLVMRealOGT, xv, ov, ""), xv, ov, ""), out, c);
    loop_close(e, &Lc);
    loop_close(e, &L);
    if (avg) {
        c = loop_to(e, &L, C);
        st(e, LLVMBuildFDiv(e->b, ld(e, out, c), cf(e, (double)HW), ""), out, c);
        loop_close(e, &L);
    }
}

static void emit_affine(E *e, const Step *s) {
    const Shape *sh = &s->node->shape;
    int64_t C = sh->d[sh->rank - 1], P = elems(sh) / C;
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    Loop L, Lc;
    LLVMValueRef p = loop_to(e, &L, P);
    LLVMValueRef base = mul(e, p, C);
    LLVMValueRef o = gep(e, out, base), x = gep(e, in, base);
    LLVMValueRef c = loop_to(e, &Lc, C);
    LLVMValueRef v = LLVMBuildFMul(e->b, ld(e, x, c), ld(e, e->W, add(e, c, ci(e, s->w))), "");
    st(e, LLVMBuildFAdd(e->b, v, ld(e, e->W, add(e, c, ci(e, s->b))), ""), o, c);
    loop_close(e, &Lc);
    act_range(e, s->act, s->alpha, o, C);
    loop_close(e, &L);
}

static void emit_actstep(E *e, const Step *s) {
    const Shape *sh = &s->node->shape;
    int64_t n = elems(sh);
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    /* in place when out is in; memmove allows that */
    LLVMBuildMemMove(e->b, out, 4, in, 4, ci(e, n * 4));
    if (s->act == ACT_SOFTMAX) {
        int64_t C = sh->d[sh->rank - 1];
        Loop L;
        LLVMValueRef p = loop_to(e, &L, n / C);
        act_range(e, s->act, s->alpha, gep(e, out, mul(e, p, C)), C);
        loop_close(e, &L);
        return;
    }
    act_range(e, s->act, s->alpha, out, n);
}

static void emit_addstep(E *e, const Step *s) {
    int64_t n = elems(&s->node->shape);
    Loop L;
    LLVMValueRef i = loop_to(e, &L, n);
    LLVMValueRef v = ld(e, param(e, 0), i);
    for (int k = 1; k < s->nin; k++)
        v = LLVMBuildFAdd(e->b, v, ld(e, param(e, k), i), "");
    st(e, act_value(e, s->act, s->alpha, v), param(e, s->nin), i);
    loop_close(e, &L);
}

static void emit_concat(E *e, const Step *s) {
    const Shape *sh = &s->node->shape;
    int ch = sh->rank - 1;
    int64_t total = sh->d[ch], P = elems(sh) / total;
    LLVMValueRef out = param(e, s->nin);
    Loop L;
    LLVMValueRef p = loop_to(e, &L, P);
    int64_t off = 0;
    for (int i = 0; i < s->nin; i++) {
        int64_t c = s->node->in[i]->shape.d[ch];
        LLVMBuildMemCpy(e->b, gep(e, out, add(e, mul(e, p, total), ci(e, off))), 4,
                        gep(e, param(e, i), mul(e, p, c)), 4, ci(e, c * 4));
        off += c;
    }
    loop_close(e, &L);
}

static void emit_pad(E *e, const Step *s) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t H = is->d[0], W = is->d[1], C = is->d[2], OW = n->shape.d[1];
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMBuildMemSet(e->b, out, LLVMConstInt(e->i8, 0, 0), ci(e, elems(&n->shape) * 4), 4);
    Loop L;
    LLVMValueRef h = loop_to(e, &L, H);
    LLVMValueRef at = mul(e, add(e, mul(e, add(e, h, ci(e, n->pad[0])), OW), ci(e, n->pad[2])), C);
    LLVMBuildMemCpy(e->b, gep(e, out, at), 4, gep(e, in, mul(e, h, W * C)), 4, ci(e, W * C * 4));
    loop_close(e, &L);
}

static void emit_flatten(E *e, const Step *s) {
    const Shape *is = &s->node->in[0]->shape;
    int64_t HW = is->d[0] * is->d[1], C = is->d[2];
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    Loop L, Lc;
    LLVMValueRef p = loop_to(e, &L, HW);
    LLVMValueRef c = loop_to(e, &Lc, C);
    st(e, ld(e, in, add(e, mul(e, p, C), c)), out, add(e, mul(e, c, HW), p));
    loop_close(e, &Lc);
    loop_close(e, &L);
}

/*
** The fast strategies (lower.c chooses them and packs their weights;
** docs/build.md, "Kernel strategies"), in emit_c.c's order of arithmetic.
** Where emit_c.c holds a tile of 64 output channels in vector registers,
** this holds them in a stack array of 64 floats per pixel, which the
** optimiser keeps in registers and the loop vectoriser splits into the
** target's vectors.
*/

/* The direct kernel's tile: FAST_RP output pixels of a row (interior
** columns) by NETC_VW output channels, FAST_RP vectors in registers, as
** emit_c.c's tile of NETC_RP pixels. */
#define FAST_RP 6

/* One output row of a tiled kernel: the border pixels before `lo` one at a
** time, with the kernel columns inside the input, tiles of FAST_RP pixels
** over [lo, hi), the rest of the interior as one short tile, then the
** border pixels after `hi`. The kernel's own state `t` goes to `tile`. */
typedef void TileFn(E *e, void *t, int np, LLVMValueRef ow, LLVMValueRef kw0, LLVMValueRef kw1);

static void border_px(E *e, void *t, const Win *w, LLVMValueRef ow, TileFn *tile) {
    LLVMValueRef iw0 = LLVMBuildNSWSub(e->b, mul(e, ow, w->SW), ci(e, w->PL), "");
    LLVMValueRef kw0, kw1;
    taps(e, iw0, w->W, w->KW, w->DW, &kw0, &kw1);
    tile(e, t, 1, ow, kw0, kw1);
}

static void tile_row(E *e, void *t, const Win *w, int64_t lo, int64_t hi, TileFn *tile) {
    Loop Lw;
    if (lo > 0) {
        LLVMValueRef ow = loop_to(e, &Lw, lo);
        border_px(e, t, w, ow, tile);
        loop_close(e, &Lw);
    }
    int64_t ntiles = (hi - lo) / FAST_RP, rem = (hi - lo) % FAST_RP;
    if (ntiles > 0) {
        LLVMValueRef k = loop_to(e, &Lw, ntiles);
        tile(e, t, FAST_RP, add(e, ci(e, lo), mul(e, k, FAST_RP)), ci(e, 0), ci(e, w->KW));
        loop_close(e, &Lw);
    }
    if (rem)
        tile(e, t, (int)rem, ci(e, hi - rem), ci(e, 0), ci(e, w->KW));
    if (hi < w->OW) {
        LLVMValueRef ow = loop_open(e, &Lw, ci(e, hi), ci(e, w->OW));
        border_px(e, t, w, ow, tile);
        loop_close(e, &Lw);
    }
}

typedef struct Direct {
    const Step *s;
    Win w;
    int64_t ncb;
    LLVMValueRef acc[FAST_RP][NETC_NVEC], tmp;
    LLVMValueRef wt, c0, nc; /* the block's weights (at its 16 channels), first channel, count */
    LLVMValueRef oh, ih0, kh0, kh1;
} Direct;

/* np pixels from column ow: the bias, every block of cblock input
** channels over the window (kw0, kw1), then out with the residual and the
** activation. */
static void direct_tile(E *e, void *vt, int np, LLVMValueRef ow, LLVMValueRef kw0, LLVMValueRef kw1) {
    Direct *t = vt;
    const Step *s = t->s;
    const Win *w = &t->w;
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMValueRef bias = gep(e, e->W, add(e, ci(e, s->b), t->c0));
    for (int p = 0; p < np; p++)
        for (int v = 0; v < e->nvt; v++)
            LLVMBuildStore(e->b, vld(e, bias, ci(e, v * NETC_VW)), t->acc[p][v]);
    LLVMValueRef iw0 = LLVMBuildNSWSub(e->b, mul(e, ow, w->SW), ci(e, w->PL), "");
    Loop Lb, Lh, Lw, Lc, Lj;
    LLVMValueRef k0 = ci(e, 0), k1 = ci(e, w->C);
    if (t->ncb > 1) {
        LLVMValueRef cb = loop_to(e, &Lb, t->ncb);
        k0 = mul(e, cb, s->cblock);
        k1 = smin(e, add(e, k0, ci(e, s->cblock)), ci(e, w->C));
    }
    LLVMValueRef kh = loop_open(e, &Lh, t->kh0, t->kh1);
    LLVMValueRef kw = loop_open(e, &Lw, kw0, kw1);
    LLVMValueRef row = add(e, t->ih0, mul(e, kh, w->DH));
    LLVMValueRef col = add(e, iw0, mul(e, kw, w->DW));
    LLVMValueRef x = gep(e, in, mul(e, add(e, mul(e, row, w->W), col), w->C));
    LLVMValueRef wk = gep(e, t->wt, mul(e, add(e, mul(e, kh, w->KW), kw), w->C * NETC_BLOCK));
    LLVMValueRef c = loop_open(e, &Lc, k0, k1);
    LLVMValueRef wv[NETC_NVEC];
    for (int v = 0; v < e->nvt; v++)
        wv[v] = vld(e, wk, add(e, mul(e, c, NETC_BLOCK), ci(e, v * NETC_VW)));
    for (int p = 0; p < np; p++) {
        LLVMValueRef xs = splat(e, ld(e, x, add(e, ci(e, p * w->SW * w->C), c)));
        for (int v = 0; v < e->nvt; v++) {
            LLVMValueRef a = LLVMBuildLoad2(e->b, e->vec, t->acc[p][v], "");
            LLVMBuildStore(e->b, vfmuladd(e, xs, wv[v], a), t->acc[p][v]);
        }
    }
    loop_close(e, &Lc);
    loop_close(e, &Lw);
    loop_close(e, &Lh);
    if (t->ncb > 1)
        loop_close(e, &Lb);
    for (int p = 0; p < np; p++) {
        for (int v = 0; v < e->nvt; v++)
            vst(e, LLVMBuildLoad2(e->b, e->vec, t->acc[p][v], ""), t->tmp, ci(e, v * NETC_VW));
        LLVMValueRef at = add(e, mul(e, add(e, mul(e, t->oh, w->OW), add(e, ow, ci(e, p))), w->F), t->c0);
        LLVMValueRef o = gep(e, out, at);
        LLVMValueRef r = s->res_node ? gep(e, param(e, 2), at) : NULL;
        LLVMValueRef j = loop_open(e, &Lj, ci(e, 0), t->nc);
        LLVMValueRef v = ld(e, t->tmp, j);
        if (r)
            v = LLVMBuildFAdd(e->b, v, ld(e, r, j), "");
        st(e, act_value(e, s->act, s->alpha, v), o, j);
        loop_close(e, &Lj);
    }
}

/* S_DIRECT and S_GEMM (emit_c.c's emit_fast_conv): per block of 64 output
** channels (weights [F/64][kh][kw][C][64]), per 16 of them, per output
** row, the border columns one by one and the interior in tiles of FAST_RP
** pixels; S_GEMM, the 1x1 case, sees all pixels as one row. Each output
** channel is its bias plus, block of cblock input channels after block,
** the products over the window: emit_c.c's order. */
static void emit_direct(E *e, const Step *s) {
    Direct t = {.s = s, .w = step_window(s)};
    Win *w = &t.w;
    if (s->strategy == S_GEMM) {
        w->W = w->OW = w->H * w->W;
        w->H = w->OH = 1;
    }
    t.ncb = (w->C + s->cblock - 1) / s->cblock;
    int64_t nfb = (w->F + NETC_BLOCK - 1) / NETC_BLOCK, lo, hi;
    win_interior(w, &lo, &hi);
    t.tmp = entry_array(e, NETC_BLOCK);
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(e->b);
    LLVMPositionBuilderBefore(e->b, LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(e->fn)));
    for (int p = 0; p < FAST_RP; p++)
        for (int v = 0; v < e->nvt; v++)
            t.acc[p][v] = LLVMBuildAlloca(e->b, e->vec, "acc");
    LLVMPositionBuilderAtEnd(e->b, cur);
    Loop Lf, Lh, Lr;
    LLVMValueRef fb = loop_to(e, &Lf, nfb);
    LLVMValueRef h = loop_to(e, &Lh, NETC_BLOCK / TILE_CH(e));
    t.c0 = add(e, mul(e, fb, NETC_BLOCK), mul(e, h, TILE_CH(e)));
    LLVMBasicBlockRef skip = if_open(e, icmp(e, LLVMIntSLT, t.c0, ci(e, w->F)));
    t.nc = smin(e, LLVMBuildNSWSub(e->b, ci(e, w->F), t.c0, ""), ci(e, TILE_CH(e)));
    t.wt = gep(e, e->W, add(e, add(e, ci(e, s->w), mul(e, fb, w->KH * w->KW * w->C * NETC_BLOCK)),
                           mul(e, h, TILE_CH(e))));
    t.oh = loop_to(e, &Lr, w->OH);
    t.ih0 = LLVMBuildNSWSub(e->b, mul(e, t.oh, w->SH), ci(e, w->PT), "");
    taps(e, t.ih0, w->H, w->KH, w->DH, &t.kh0, &t.kh1);
    tile_row(e, &t, w, lo, hi, direct_tile);
    loop_close(e, &Lr);
    if_close(e, skip);
    loop_close(e, &Lh);
    loop_close(e, &Lf);
}

/* S_DEPTHWISE (emit_c.c's emit_dw_tile): per output row, the border
** columns one by one and the interior in tiles of FAST_RP pixels; per tile
** and vector of NETC_VW channels, the bias plus the products over the
** window (weights [kh][kw][C]) in registers, kernel row by row, then out
** with the residual; the activation over the tile's pixels at the end. */
typedef struct Dw {
    const Step *s;
    Win w;
    LLVMValueRef acc[FAST_RP];
    LLVMValueRef oh, ih0, kh0, kh1;
} Dw;

static void dw_tile(E *e, void *vt, int np, LLVMValueRef ow, LLVMValueRef kw0, LLVMValueRef kw1) {
    Dw *t = vt;
    const Step *s = t->s;
    const Win *w = &t->w;
    LLVMValueRef iw0 = LLVMBuildNSWSub(e->b, mul(e, ow, w->SW), ci(e, w->PL), "");
    LLVMValueRef xb = mul(e, add(e, mul(e, t->ih0, w->W), iw0), w->C);
    LLVMValueRef at = mul(e, add(e, mul(e, t->oh, w->OW), ow), w->C);
    LLVMValueRef o = gep(e, param(e, 1), at);
    LLVMValueRef r = s->res_node ? gep(e, param(e, 2), at) : NULL;
    Loop Lc, Lh, Lw;
    LLVMValueRef c = mul(e, loop_to(e, &Lc, w->C / NETC_VW), NETC_VW);
    LLVMValueRef bv = vld(e, e->W, add(e, ci(e, s->b), c));
    for (int p = 0; p < np; p++)
        LLVMBuildStore(e->b, bv, t->acc[p]);
    LLVMValueRef kh = loop_open(e, &Lh, t->kh0, t->kh1);
    LLVMValueRef kw = loop_open(e, &Lw, kw0, kw1);
    LLVMValueRef tap = add(e, mul(e, kh, w->DH * w->W), mul(e, kw, w->DW));
    LLVMValueRef x = gep(e, param(e, 0), add(e, add(e, xb, mul(e, tap, w->C)), c));
    LLVMValueRef wv = vld(e, e->W, add(e, add(e, ci(e, s->w), mul(e, add(e, mul(e, kh, w->KW), kw), w->C)), c));
    for (int p = 0; p < np; p++) {
        LLVMValueRef a = LLVMBuildLoad2(e->b, e->vec, t->acc[p], "");
        LLVMBuildStore(e->b, vfmuladd(e, vld(e, x, ci(e, p * w->SW * w->C)), wv, a), t->acc[p]);
    }
    loop_close(e, &Lw);
    loop_close(e, &Lh);
    for (int p = 0; p < np; p++) {
        LLVMValueRef v = LLVMBuildLoad2(e->b, e->vec, t->acc[p], "");
        LLVMValueRef idx = add(e, ci(e, p * w->C), c);
        if (r)
            v = LLVMBuildFAdd(e->b, v, vld(e, r, idx), "");
        vst(e, v, o, idx);
    }
    loop_close(e, &Lc);
    for (int p = 0; p < np; p++)
        act_range(e, s->act, s->alpha, gep(e, o, ci(e, p * w->C)), w->C);
}

static void emit_depthwise(E *e, const Step *s) {
    Dw t = {.s = s, .w = step_window(s)};
    const Win *w = &t.w;
    int64_t lo, hi;
    win_interior(w, &lo, &hi);
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(e->b);
    LLVMValueRef first = LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(e->fn));
    if (first)
        LLVMPositionBuilderBefore(e->b, first);
    else
        LLVMPositionBuilderAtEnd(e->b, LLVMGetEntryBasicBlock(e->fn));
    for (int p = 0; p < FAST_RP; p++)
        t.acc[p] = LLVMBuildAlloca(e->b, e->vec, "acc");
    LLVMPositionBuilderAtEnd(e->b, cur);
    Loop Lr;
    t.oh = loop_to(e, &Lr, w->OH);
    t.ih0 = LLVMBuildNSWSub(e->b, mul(e, t.oh, w->SH), ci(e, w->PT), "");
    taps(e, t.ih0, w->H, w->KH, w->DH, &t.kh0, &t.kh1);
    tile_row(e, &t, w, lo, hi, dw_tile);
    loop_close(e, &Lr);
}

/* S_GEMV: per block of 64 outputs, the bias, then every input times its
** row of the block's weights ([out/64][in][64]); the activation over the
** whole output at the end (softmax included). */
static void emit_gemv(E *e, const Step *s) {
    int64_t n_in = s->node->in[0]->shape.d[0], n_out = s->node->shape.d[0];
    int64_t nfb = (n_out + NETC_BLOCK - 1) / NETC_BLOCK;
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMValueRef tmp = entry_array(e, NETC_BLOCK), acc[NETC_NVEC];
    entry_vectors(e, acc);
    Loop Lf, Li;
    LLVMValueRef fb = loop_to(e, &Lf, nfb);
    LLVMValueRef c0 = mul(e, fb, NETC_BLOCK);
    block_set(e, acc, gep(e, e->W, add(e, ci(e, s->b), c0)));
    LLVMValueRef wt = gep(e, e->W, add(e, ci(e, s->w), mul(e, fb, n_in * NETC_BLOCK)));
    LLVMValueRef i = loop_to(e, &Li, n_in);
    block_fma(e, acc, ld(e, in, i), gep(e, wt, mul(e, i, NETC_BLOCK)));
    loop_close(e, &Li);
    block_store(e, acc, tmp);
    LLVMValueRef nc = smin(e, LLVMBuildNSWSub(e->b, ci(e, n_out), c0, ""), ci(e, NETC_BLOCK));
    LLVMBuildMemCpy(e->b, gep(e, out, c0), 4, tmp, 64, LLVMBuildNSWMul(e->b, nc, ci(e, 4), ""));
    loop_close(e, &Lf);
    act_range(e, s->act, s->alpha, out, n_out);
}

/* S_WINOGRAD, F(2,3) (emit_c.c's emit_winograd): the output in tiles of
** 2x2 pixels, WG_T tiles at a time in row order. Per block of 64 output
** channels and group of tiles, per block of cblock input channels: the
** tiles' 4x4 input patches transformed (V = B^T d B, [16][WG_T][cblock]),
** then M[16][WG_T][64] += V times U (the weights transformed at build time,
** [F/64][16][C][64]), WG_T tiles by 16 channels in registers; at the end
** Y = A^T M A, plus the bias, the residual and the activation, for the
** tile's pixels inside the output. V and M are on the stack. */
#define WG_T 6

typedef struct Wino {
    const Step *s;
    Win w;
    int64_t TW, NT, CB, ncb;
    LLVMValueRef V, M, acc[WG_T][NETC_NVEC], fb;
} Wino;

/* A group of np tiles from tile t0 (np: a literal for the accumulators;
** npv: the same as a value). */
static void wino_group(E *e, Wino *t, int np, LLVMValueRef t0) {
    const Step *s = t->s;
    const Win *w = &t->w;
    LLVMBuilderRef b = e->b;
    LLVMValueRef in = param(e, 0), out = param(e, 1), res = s->res_node ? param(e, 2) : NULL;
    int64_t CB = t->CB;
    Loop Lb, Lc, Lh, Lq, Lj, Li;
    LLVMValueRef cb = loop_to(e, &Lb, t->ncb);
    LLVMValueRef k0 = mul(e, cb, CB);
    LLVMValueRef cn = smin(e, LLVMBuildNSWSub(b, ci(e, w->C), k0, ""), ci(e, CB));
    /* the input transform, tile by tile */
    LLVMValueRef j = loop_to(e, &Lj, np);
    LLVMValueRef tj = add(e, t0, j);
    LLVMValueRef iy = LLVMBuildNSWSub(b, mul(e, LLVMBuildSDiv(b, tj, ci(e, t->TW), ""), 2), ci(e, w->PT), "");
    LLVMValueRef ix = LLVMBuildNSWSub(b, mul(e, LLVMBuildSRem(b, tj, ci(e, t->TW), ""), 2), ci(e, w->PL), "");
    LLVMValueRef at[16], inside[16];
    for (int i = 0; i < 16; i++) {
        LLVMValueRef y = add(e, iy, ci(e, i / 4)), x = add(e, ix, ci(e, i % 4));
        LLVMValueRef okh = LLVMBuildAnd(b, icmp(e, LLVMIntSGE, y, ci(e, 0)), icmp(e, LLVMIntSLT, y, ci(e, w->H)), "");
        LLVMValueRef okw = LLVMBuildAnd(b, icmp(e, LLVMIntSGE, x, ci(e, 0)), icmp(e, LLVMIntSLT, x, ci(e, w->W)), "");
        inside[i] = LLVMBuildAnd(b, okh, okw, "");
        at[i] = LLVMBuildSelect(b, inside[i], add(e, mul(e, add(e, mul(e, y, w->W), x), w->C), k0), ci(e, 0), "");
    }
    LLVMValueRef vj = gep(e, t->V, mul(e, j, CB));
    LLVMValueRef c = loop_open(e, &Lc, ci(e, 0), cn);
    LLVMValueRef a[16], t4[16];
    for (int i = 0; i < 16; i++)
        a[i] = LLVMBuildSelect(b, inside[i], ld(e, in, add(e, at[i], c)), cf(e, 0.0), "");
    for (int i = 0; i < 4; i++) {
        t4[i] = LLVMBuildFSub(b, a[i], a[8 + i], "");
        t4[4 + i] = LLVMBuildFAdd(b, a[4 + i], a[8 + i], "");
        t4[8 + i] = LLVMBuildFSub(b, a[8 + i], a[4 + i], "");
        t4[12 + i] = LLVMBuildFSub(b, a[4 + i], a[12 + i], "");
    }
    LLVMValueRef v4[4];
    for (int i = 0; i < 4; i++) {
        v4[0] = LLVMBuildFSub(b, t4[4 * i], t4[4 * i + 2], "");
        v4[1] = LLVMBuildFAdd(b, t4[4 * i + 1], t4[4 * i + 2], "");
        v4[2] = LLVMBuildFSub(b, t4[4 * i + 2], t4[4 * i + 1], "");
        v4[3] = LLVMBuildFSub(b, t4[4 * i + 1], t4[4 * i + 3], "");
        for (int k = 0; k < 4; k++)
            st(e, v4[k], vj, add(e, ci(e, (4 * i + k) * WG_T * CB), c));
    }
    loop_close(e, &Lc);
    loop_close(e, &Lj);
    /* the 16 products, np tiles by 16 channels at a time */
    LLVMValueRef first = icmp(e, LLVMIntEQ, cb, ci(e, 0));
    LLVMValueRef i = loop_to(e, &Li, 16);
    LLVMValueRef h = loop_to(e, &Lh, NETC_BLOCK / TILE_CH(e));
    LLVMValueRef mi = gep(e, t->M, add(e, mul(e, i, WG_T * NETC_BLOCK), mul(e, h, TILE_CH(e))));
    for (int p = 0; p < np; p++)
        for (int v = 0; v < e->nvt; v++)
            LLVMBuildStore(b, LLVMBuildSelect(b, first, LLVMConstNull(e->vec),
                                              vld(e, mi, ci(e, p * NETC_BLOCK + v * NETC_VW)), ""),
                           t->acc[p][v]);
    LLVMValueRef u = gep(e, e->W, add(e, add(e, ci(e, s->w), mul(e, add(e, mul(e, add(e, mul(e, t->fb, 16), i), w->C), k0), NETC_BLOCK)),
                                      mul(e, h, TILE_CH(e))));
    LLVMValueRef vi = gep(e, t->V, mul(e, i, WG_T * CB));
    c = loop_open(e, &Lc, ci(e, 0), cn);
    LLVMValueRef wv[NETC_NVEC];
    for (int v = 0; v < e->nvt; v++)
        wv[v] = vld(e, u, add(e, mul(e, c, NETC_BLOCK), ci(e, v * NETC_VW)));
    for (int p = 0; p < np; p++) {
        LLVMValueRef xs = splat(e, ld(e, vi, add(e, ci(e, p * CB), c)));
        for (int v = 0; v < e->nvt; v++) {
            LLVMValueRef acc = LLVMBuildLoad2(b, e->vec, t->acc[p][v], "");
            LLVMBuildStore(b, vfmuladd(e, xs, wv[v], acc), t->acc[p][v]);
        }
    }
    loop_close(e, &Lc);
    for (int p = 0; p < np; p++)
        for (int v = 0; v < e->nvt; v++)
            vst(e, LLVMBuildLoad2(b, e->vec, t->acc[p][v], ""), mi, ci(e, p * NETC_BLOCK + v * NETC_VW));
    loop_close(e, &Lh);
    loop_close(e, &Li);
    loop_close(e, &Lb);
    /* the output transform, tile by tile, for the nq channels of the block */
    LLVMValueRef c0 = mul(e, t->fb, NETC_BLOCK);
    LLVMValueRef nq = smin(e, LLVMBuildNSWSub(b, ci(e, w->F), c0, ""), ci(e, NETC_BLOCK));
    for (int jj = 0; jj < np; jj++) {
        j = ci(e, jj);
        tj = add(e, t0, j);
        LLVMValueRef oy = mul(e, LLVMBuildSDiv(b, tj, ci(e, t->TW), ""), 2);
        LLVMValueRef ox = mul(e, LLVMBuildSRem(b, tj, ci(e, t->TW), ""), 2);
        LLVMValueRef h2 = icmp(e, LLVMIntSLT, add(e, oy, ci(e, 1)), ci(e, w->OH));
        LLVMValueRef w2 = icmp(e, LLVMIntSLT, add(e, ox, ci(e, 1)), ci(e, w->OW));
        LLVMValueRef base = add(e, mul(e, add(e, mul(e, oy, w->OW), ox), w->F), c0);
        LLVMValueRef mj = gep(e, t->M, mul(e, j, NETC_BLOCK));
        LLVMValueRef q = loop_open(e, &Lq, ci(e, 0), nq);
        LLVMValueRef m[16], t2[8], y[4];
        for (int k = 0; k < 16; k++)
            m[k] = ld(e, mj, add(e, ci(e, k * WG_T * NETC_BLOCK), q));
        LLVMValueRef bv = ld(e, e->W, add(e, add(e, ci(e, s->b), c0), q));
        for (int k = 0; k < 4; k++) {
            t2[k] = LLVMBuildFAdd(b, LLVMBuildFAdd(b, m[k], m[4 + k], ""), m[8 + k], "");
            t2[4 + k] = LLVMBuildFSub(b, LLVMBuildFSub(b, m[4 + k], m[8 + k], ""), m[12 + k], "");
        }
        for (int k = 0; k < 2; k++) {
            y[2 * k] = LLVMBuildFAdd(b, LLVMBuildFAdd(b, LLVMBuildFAdd(b, t2[4 * k], t2[4 * k + 1], ""),
                                                      t2[4 * k + 2], ""), bv, "");
            y[2 * k + 1] = LLVMBuildFAdd(b, LLVMBuildFSub(b, LLVMBuildFSub(b, t2[4 * k + 1], t2[4 * k + 2], ""),
                                                          t2[4 * k + 3], ""), bv, "");
        }
        int64_t px[4] = {0, w->F, w->OW * w->F, (w->OW + 1) * w->F};
        LLVMValueRef cond[4] = {NULL, w2, h2, LLVMBuildAnd(b, h2, w2, "")};
        for (int k = 0; k < 4; k++) {
            LLVMBasicBlockRef next = cond[k] ? if_open(e, cond[k]) : NULL;
            LLVMValueRef idx = add(e, add(e, base, ci(e, px[k])), q);
            LLVMValueRef v = y[k];
            if (res)
                v = LLVMBuildFAdd(b, v, ld(e, res, idx), "");
            st(e, act_value(e, s->act, s->alpha, v), out, idx);
            if (next)
                if_close(e, next);
        }
        loop_close(e, &Lq);
    }
}

static void emit_winograd(E *e, const Step *s) {
    Wino t = {.s = s, .w = step_window(s), .CB = s->cblock};
    Win *w = &t.w;
    t.TW = (w->OW + 1) / 2;
    t.NT = (w->OH + 1) / 2 * t.TW;
    t.ncb = (w->C + t.CB - 1) / t.CB;
    int64_t nfb = (w->F + NETC_BLOCK - 1) / NETC_BLOCK;
    t.V = entry_array(e, 16 * WG_T * t.CB);
    t.M = entry_array(e, 16 * WG_T * NETC_BLOCK);
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(e->b);
    LLVMPositionBuilderBefore(e->b, LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(e->fn)));
    for (int p = 0; p < WG_T; p++)
        for (int v = 0; v < e->nvt; v++)
            t.acc[p][v] = LLVMBuildAlloca(e->b, e->vec, "acc");
    LLVMPositionBuilderAtEnd(e->b, cur);
    Loop Lf, Lg;
    t.fb = loop_to(e, &Lf, nfb);
    if (t.NT >= WG_T) {
        LLVMValueRef tg = loop_to(e, &Lg, t.NT / WG_T);
        wino_group(e, &t, WG_T, mul(e, tg, WG_T));
        loop_close(e, &Lg);
    }
    if (t.NT % WG_T)
        wino_group(e, &t, (int)(t.NT % WG_T), ci(e, t.NT / WG_T * WG_T));
    loop_close(e, &Lf);
}

/*
** The kernels of emit_ops.c
*/

/* add or multiply, 1x1xC operands read by channel; may work in place. */
static void emit_merge(E *e, const Step *s) {
    const Node *n = s->node;
    const Shape *sh = &n->shape;
    int64_t C = sh->d[sh->rank - 1], P = elems(sh) / C;
    Loop Lp, Lc;
    LLVMValueRef p = loop_to(e, &Lp, P);
    LLVMValueRef c = loop_to(e, &Lc, C);
    LLVMValueRef full = add(e, mul(e, p, C), c), v = NULL;
    for (int i = 0; i < n->nin; i++) {
        LLVMValueRef x = ld(e, param(e, i), node_is_broadcast(n, i) ? c : full);
        v = !v ? x : s->kind == K_MUL ? LLVMBuildFMul(e->b, v, x, "") : LLVMBuildFAdd(e->b, v, x, "");
    }
    st(e, v, param(e, n->nin), full);
    loop_close(e, &Lc);
    loop_close(e, &Lp);
}

static void emit_slice(E *e, const Step *s) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t P = is->d[0] * is->d[1], C = is->d[2], E_ = n->stop - n->start;
    Loop L;
    LLVMValueRef p = loop_to(e, &L, P);
    LLVMBuildMemCpy(e->b, gep(e, param(e, 1), mul(e, p, E_)), 4,
                    gep(e, param(e, 0), add(e, mul(e, p, C), ci(e, n->start))), 4, ci(e, E_ * 4));
    loop_close(e, &L);
}

/* output channel i·groups + g is input channel g·(C/groups) + i */
static void emit_shuffle(E *e, const Step *s) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t P = is->d[0] * is->d[1], C = is->d[2], G = n->groups, Cg = C / G;
    Loop Lp, Lg, Li;
    LLVMValueRef p = loop_to(e, &Lp, P);
    LLVMValueRef g = loop_to(e, &Lg, G);
    LLVMValueRef i = loop_to(e, &Li, Cg);
    LLVMValueRef base = mul(e, p, C);
    st(e, ld(e, param(e, 0), add(e, base, add(e, mul(e, g, Cg), i))), param(e, 1),
       add(e, base, add(e, mul(e, i, G), g)));
    loop_close(e, &Li);
    loop_close(e, &Lg);
    loop_close(e, &Lp);
}

/* A constant table of bilinear upsampling (emit_ops.c's bilinear_table):
** which 0: lower index, 1: upper index, 2: the upper one's weight. */
static LLVMValueRef bilinear_table(E *e, int64_t in, int64_t out, int64_t scale, bool align,
                                   int which) {
    LLVMTypeRef t = which == 2 ? e->f32 : e->i64;
    LLVMValueRef *v = xcalloc((size_t)out + 1, sizeof *v);
    for (int64_t o = 0; o < out; o++) {
        int64_t i0, i1;
        double lam;
        bilinear_source(in, out, scale, align, o, &i0, &i1, &lam);
        /* the C table holds the weight as a float constant: round it the same way */
        v[o] = which == 0 ? ci(e, i0) : which == 1 ? ci(e, i1) : cf(e, (double)(float)lam);
    }
    LLVMValueRef init = LLVMConstArray(t, v, (unsigned)out);
    free(v);
    LLVMValueRef gv = LLVMAddGlobal(e->mod, LLVMTypeOf(init), "netc_table");
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    return LLVMConstBitCast(gv, LLVMPointerType(t, 0));
}

static LLVMValueRef ld_i64(E *e, LLVMValueRef base, LLVMValueRef idx) {
    return LLVMBuildLoad2(e->b, e->i64, LLVMBuildInBoundsGEP2(e->b, e->i64, base, &idx, 1, ""), "");
}

static void emit_upsample(E *e, const Step *s) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t H = is->d[0], W = is->d[1], C = is->d[2], OH = n->shape.d[0], OW = n->shape.d[1];
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMBuilderRef b = e->b;
    Loop Lh, Lw, Lc;
    if (!n->bilinear) {
        LLVMValueRef oh = loop_to(e, &Lh, OH);
        LLVMValueRef ow = loop_to(e, &Lw, OW);
        LLVMValueRef ih = LLVMBuildSDiv(b, oh, ci(e, n->scale[0]), "");
        LLVMValueRef iw = LLVMBuildSDiv(b, ow, ci(e, n->scale[1]), "");
        LLVMBuildMemCpy(b, gep(e, out, mul(e, add(e, mul(e, oh, OW), ow), C)), 4,
                        gep(e, in, mul(e, add(e, mul(e, ih, W), iw), C)), 4, ci(e, C * 4));
        loop_close(e, &Lw);
        loop_close(e, &Lh);
        return;
    }
    LLVMValueRef h0 = bilinear_table(e, H, OH, n->scale[0], n->align_corners, 0);
    LLVMValueRef h1 = bilinear_table(e, H, OH, n->scale[0], n->align_corners, 1);
    LLVMValueRef hl = bilinear_table(e, H, OH, n->scale[0], n->align_corners, 2);
    LLVMValueRef w0 = bilinear_table(e, W, OW, n->scale[1], n->align_corners, 0);
    LLVMValueRef w1 = bilinear_table(e, W, OW, n->scale[1], n->align_corners, 1);
    LLVMValueRef wl = bilinear_table(e, W, OW, n->scale[1], n->align_corners, 2);
    LLVMValueRef oh = loop_to(e, &Lh, OH);
    LLVMValueRef ow = loop_to(e, &Lw, OW);
    LLVMValueRef lh = ld(e, hl, oh), lw = ld(e, wl, ow);
    LLVMValueRef rh0 = mul(e, ld_i64(e, h0, oh), W), rh1 = mul(e, ld_i64(e, h1, oh), W);
    LLVMValueRef cw0 = ld_i64(e, w0, ow), cw1 = ld_i64(e, w1, ow);
    LLVMValueRef pa = gep(e, in, mul(e, add(e, rh0, cw0), C));
    LLVMValueRef pb = gep(e, in, mul(e, add(e, rh0, cw1), C));
    LLVMValueRef pc = gep(e, in, mul(e, add(e, rh1, cw0), C));
    LLVMValueRef pd = gep(e, in, mul(e, add(e, rh1, cw1), C));
    LLVMValueRef o = gep(e, out, mul(e, add(e, mul(e, oh, OW), ow), C));
    LLVMValueRef one = cf(e, 1.0);
    LLVMValueRef mh = LLVMBuildFSub(b, one, lh, ""), mw = LLVMBuildFSub(b, one, lw, "");
    LLVMValueRef c = loop_to(e, &Lc, C);
    LLVMValueRef top = LLVMBuildFAdd(b, LLVMBuildFMul(b, mw, ld(e, pa, c), ""),
                                     LLVMBuildFMul(b, lw, ld(e, pb, c), ""), "");
    LLVMValueRef bot = LLVMBuildFAdd(b, LLVMBuildFMul(b, mw, ld(e, pc, c), ""),
                                     LLVMBuildFMul(b, lw, ld(e, pd, c), ""), "");
    st(e, LLVMBuildFAdd(b, LLVMBuildFMul(b, mh, top, ""), LLVMBuildFMul(b, lh, bot, ""), ""), o, c);
    loop_close(e, &Lc);
    loop_close(e, &Lw);
    loop_close(e, &Lh);
}

/* conv2d_transpose as a gather (emit_ops.c's emit_op_convt): output (oh,
** ow) reads input (ih, iw) through tap (kh, kw) where ih·s + kh·d = oh + p;
** weights [g][kh][kw][in/g][out/g]. */
static void emit_convt(E *e, const Step *s) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t H = is->d[0], W = is->d[1], C = is->d[2];
    int64_t OH = n->shape.d[0], OW = n->shape.d[1], F = n->shape.d[2];
    int64_t G = n->groups, Cg = C / G, Fg = F / G, KH = n->kernel[0], KW = n->kernel[1];
    LLVMValueRef in = param(e, 0), out = param(e, 1);
    LLVMBuilderRef b = e->b;
    Loop Lh, Lw, Lkh, Lkw, Lg, Lc, Li;
    LLVMValueRef oh = loop_to(e, &Lh, OH);
    LLVMValueRef ow = loop_to(e, &Lw, OW);
    LLVMValueRef o = gep(e, out, mul(e, add(e, mul(e, oh, OW), ow), F));
    LLVMValueRef i = loop_to(e, &Li, F);
    st(e, s->b >= 0 ? ld(e, e->W, add(e, i, ci(e, s->b))) : cf(e, 0.0), o, i);
    loop_close(e, &Li);
    LLVMValueRef kh = loop_to(e, &Lkh, KH);
    LLVMValueRef th = LLVMBuildNSWSub(b, add(e, oh, ci(e, n->pad[0])), mul(e, kh, n->dilation[0]), "");
    LLVMValueRef okh = LLVMBuildAnd(b, icmp(e, LLVMIntSGE, th, ci(e, 0)),
                                    icmp(e, LLVMIntEQ, LLVMBuildSRem(b, th, ci(e, n->stride[0]), ""), ci(e, 0)), "");
    okh = LLVMBuildAnd(b, okh, icmp(e, LLVMIntSLT, LLVMBuildSDiv(b, th, ci(e, n->stride[0]), ""), ci(e, H)), "");
    LLVMBasicBlockRef skip_h = if_open(e, okh);
    LLVMValueRef kw = loop_to(e, &Lkw, KW);
    LLVMValueRef tw = LLVMBuildNSWSub(b, add(e, ow, ci(e, n->pad[2])), mul(e, kw, n->dilation[1]), "");
    LLVMValueRef okw = LLVMBuildAnd(b, icmp(e, LLVMIntSGE, tw, ci(e, 0)),
                                    icmp(e, LLVMIntEQ, LLVMBuildSRem(b, tw, ci(e, n->stride[1]), ""), ci(e, 0)), "");
    okw = LLVMBuildAnd(b, okw, icmp(e, LLVMIntSLT, LLVMBuildSDiv(b, tw, ci(e, n->stride[1]), ""), ci(e, W)), "");
    LLVMBasicBlockRef skip_w = if_open(e, okw);
    LLVMValueRef x = gep(e, in, mul(e, add(e, mul(e, LLVMBuildSDiv(b, th, ci(e, n->stride[0]), ""), W),
                                           LLVMBuildSDiv(b, tw, ci(e, n->stride[1]), "")), C));
    LLVMValueRef g = loop_to(e, &Lg, G);
    LLVMValueRef wk = gep(e, e->W, add(e, ci(e, s->w),
                                       mul(e, add(e, mul(e, add(e, mul(e, g, KH), kh), KW), kw), Cg * Fg)));
    LLVMValueRef og = gep(e, o, mul(e, g, Fg));
    LLVMValueRef c = loop_to(e, &Lc, Cg);
    LLVMValueRef xv = ld(e, x, add(e, mul(e, g, Cg), c));
    LLVMValueRef wr = gep(e, wk, mul(e, c, Fg));
    i = loop_to(e, &Li, Fg);
    st(e, fmuladd(e, xv, ld(e, wr, i), ld(e, og, i)), og, i);
    loop_close(e, &Li);
    loop_close(e, &Lc);
    loop_close(e, &Lg);
    if_close(e, skip_w);
    loop_close(e, &Lkw);
    if_close(e, skip_h);
    loop_close(e, &Lkh);
    act_range(e, s->act, s->alpha, o, F);
    loop_close(e, &Lw);
    loop_close(e, &Lh);
}

/* The inputs a step's function takes as pointers (then its output, then
** the residual input if it has one). */
static int step_nin(const Step *s) {
    return s->kind == K_ADD || s->kind == K_MUL || s->kind == K_CONCAT ? s->nin : 1;
}

/* The name of step k's function; -k - 1 for the pool of step k. */
static void step_name(char *name, int k) {
    snprintf(name, 32, k >= 0 ? "netc_step%d" : "netc_pool%d", k >= 0 ? k : -k - 1);
}

/* The step's function, or NULL for a copy (done at the call). */
static LLVMValueRef emit_step(E *e, const Step *s, int k) {
    if (s->kind == K_COPY)
        return NULL;
    char name[32];
    step_name(name, k);
    int nin = step_nin(s);
    int n = nin + 1 + (s->res_node ? 1 : 0);
    /* element-wise steps may work in place: no noalias there */
    bool inplace = s->kind == K_AFFINE || s->kind == K_ACT || s->kind == K_ADD || s->kind == K_MUL;
    int lo = inplace ? 0 : s->kind == K_CONCAT ? nin : 0;
    int hi = inplace ? 0 : nin + 1; /* the residual input is only read */
    LLVMValueRef fn = begin_fn(e, name, n, lo, hi);
    switch (s->kind) {
    case K_CONV:
        if (s->strategy == S_WINOGRAD)
            emit_winograd(e, s);
        else if (s->strategy == S_DIRECT || s->strategy == S_GEMM)
            emit_direct(e, s);
        else if (s->strategy == S_DEPTHWISE)
            emit_depthwise(e, s);
        else
            emit_windowed(e, s); /* S_GENERIC */
        break;
    case K_MAXPOOL:
    case K_AVGPOOL:
        emit_windowed(e, s);
        break;
    case K_DENSE:
        if (s->strategy == S_GEMV)
            emit_gemv(e, s);
        else
            emit_dense(e, s);
        break;
    case K_GMAXPOOL:
    case K_GAVGPOOL:
        emit_global(e, s);
        break;
    case K_AFFINE:
        emit_affine(e, s);
        break;
    case K_ACT:
        emit_actstep(e, s);
        break;
    case K_ADD:
        if (step_broadcasts(s))
            emit_merge(e, s);
        else
            emit_addstep(e, s);
        break;
    case K_MUL:
        emit_merge(e, s);
        break;
    case K_SLICE:
        emit_slice(e, s);
        break;
    case K_SHUFFLE:
        emit_shuffle(e, s);
        break;
    case K_UPSAMPLE:
        emit_upsample(e, s);
        break;
    case K_CONVT:
        emit_convt(e, s);
        break;
    case K_CONCAT:
        emit_concat(e, s);
        break;
    case K_PAD:
        emit_pad(e, s);
        break;
    case K_FLATTEN:
        emit_flatten(e, s);
        break;
    case K_COPY:
        break;
    }
    LLVMBuildRetVoid(e->b);
    return fn;
}

/* The max pool taken by step s, a direct conv (Step.pool in backend.h):
** the conv writes its whole output to `mid`, then this pool reads it from
** there: the same numbers in two passes, where the C back end interleaves
** them row by row. */
static LLVMValueRef emit_pool(E *e, const Step *s, int k) {
    Step p = {0};
    p.kind = K_MAXPOOL;
    p.node = s->pool;
    p.last = s->pool;
    p.act = ACT_LINEAR;
    p.b = p.w = -1;
    p.nin = 1;
    return emit_step(e, &p, -k - 1);
}

/* The float pointer of a tensor, in NAME_run_ws. */
static LLVMValueRef tref(const E *e, LLVMValueRef arena, TRef r) {
    if (r.input >= 0)
        return LLVMGetParam(e->fn, (unsigned)r.input);
    return gep(e, arena, ci(e, r.off));
}

/* A module is built in NPARTS parts, each in its own context and, where
** the machine has the cores, its own thread: part p holds the functions of
** the steps k with k % NPARTS == p. Each part is optimised on its own; then
** the parts are linked into part 0, which also holds the weights and the
** run functions, and the step functions made internal. The split does not
** depend on the machine, so neither does the object. */
enum { NPARTS = LLVM_PARTS };

/* Part `part` of the module (above). */
/* Calls step s's function fn (and pool, the max pool it takes) in
** NAME_run_ws, whose workspace is arena. */
static void call_step(E *e, const Step *s, LLVMValueRef arena, LLVMValueRef fn, LLVMValueRef pool) {
    const TRef *in = step_inputs(s);
    LLVMValueRef *args = xcalloc((size_t)s->nin + 3, sizeof *args);
    int n = 0;
    int ni = step_nin(s);
    for (int i = 0; i < ni; i++)
        args[n++] = tref(e, arena, in[i]);
    args[n++] = tref(e, arena, s->pool ? s->mid : s->out);
    if (s->res_node)
        args[n++] = tref(e, arena, s->res);
    LLVMBuildCall2(e->b, ptr_fn_type(e, n), fn, args, (unsigned)n, "");
    if (s->pool) {
        LLVMValueRef pargs[2] = {tref(e, arena, s->mid), tref(e, arena, s->out)};
        LLVMBuildCall2(e->b, ptr_fn_type(e, 2), pool, pargs, 2, "");
    }
    free(args);
}

static void build_module(E *e, const CNames *names, int part) {
    const char *prefix = names->prefix;
    const Lowered *l = e->l;
    const Graph *g = l->g;
    Arena *a = g->arena;
    e->f32 = LLVMFloatTypeInContext(e->ctx);
    e->i64 = LLVMInt64TypeInContext(e->ctx);
    e->i8 = LLVMInt8TypeInContext(e->ctx);
    e->voidt = LLVMVoidTypeInContext(e->ctx);
    e->ptr = LLVMPointerType(e->f32, 0);

    const char *fma = "llvm.fmuladd", *ex = "llvm.exp";
    unsigned id = LLVMLookupIntrinsicID(fma, strlen(fma));
    e->fmuladd = LLVMGetIntrinsicDeclaration(e->mod, id, &e->f32, 1);
    e->fmuladd_t = LLVMIntrinsicGetType(e->ctx, id, &e->f32, 1);
    e->vec = LLVMVectorType(e->f32, NETC_VW);
    e->vptr = LLVMPointerType(e->vec, 0);
    e->vfmuladd = LLVMGetIntrinsicDeclaration(e->mod, id, &e->vec, 1);
    e->vfmuladd_t = LLVMIntrinsicGetType(e->ctx, id, &e->vec, 1);
    id = LLVMLookupIntrinsicID(ex, strlen(ex));
    e->exp = LLVMGetIntrinsicDeclaration(e->mod, id, &e->f32, 1);
    e->exp_t = LLVMIntrinsicGetType(e->ctx, id, &e->f32, 1);
    e->tanhf_t = LLVMFunctionType(e->f32, &e->f32, 1, 0);
    e->tanhf = LLVMAddFunction(e->mod, "tanhf", e->tanhf_t);
    e->erff_t = e->tanhf_t;
    e->erff = LLVMAddFunction(e->mod, "erff", e->erff_t);

    /* the weights: one byte array, little-endian float32, defined in part 0
    ** and declared in the others */
    size_t nbytes = (size_t)(l->nblob ? l->nblob : 1) * 4;
    LLVMValueRef wg = LLVMAddGlobal(e->mod, LLVMArrayType(e->i8, (unsigned)nbytes), names->weights);
    if (part == 0) {
        unsigned char *bytes = xcalloc(nbytes, 1);
        for (int64_t i = 0; i < l->nblob; i++) {
            uint32_t u;
            memcpy(&u, &l->blob[i], 4);
            for (int k = 0; k < 4; k++)
                bytes[i * 4 + k] = (unsigned char)(u >> (8 * k));
        }
        LLVMSetInitializer(wg, LLVMConstStringInContext(e->ctx, (const char *)bytes, (unsigned)nbytes, 1));
        free(bytes);
    }
    LLVMSetGlobalConstant(wg, 1);
    LLVMSetVisibility(wg, LLVMHiddenVisibility); /* private once the parts are linked */
    LLVMSetAlignment(wg, 64);
    e->W = LLVMConstBitCast(wg, e->ptr);

    bool softmax = false;
    for (int k = part; k < l->nsteps; k += NPARTS)
        softmax |= l->steps[k].act == ACT_SOFTMAX;
    if (softmax)
        build_softmax(e);
    if (part > 0) {
        for (int k = part; k < l->nsteps; k += NPARTS) {
            emit_step(e, &l->steps[k], k);
            if (l->steps[k].pool)
                emit_pool(e, &l->steps[k], k);
        }
        return;
    }

    int64_t arena_bytes = (l->plan.arena + 63) / 64 * 64;
    LLVMTypeRef at = LLVMArrayType(e->f32, (unsigned)(arena_bytes ? arena_bytes / 4 : 16));
    LLVMValueRef ag = LLVMAddGlobal(e->mod, at, "netc_arena");
    LLVMSetInitializer(ag, LLVMConstNull(at));
    LLVMSetLinkage(ag, LLVMInternalLinkage);
    LLVMSetAlignment(ag, 64);

    /* part 0: its steps, and the others' declared */
    LLVMValueRef *fns = xcalloc((size_t)l->nsteps + 1, sizeof *fns);
    LLVMValueRef *pools = xcalloc((size_t)l->nsteps + 1, sizeof *pools);
    for (int k = 0; k < l->nsteps; k++) {
        const Step *s = &l->steps[k];
        char name[32];
        if (k % NPARTS == 0) {
            fns[k] = emit_step(e, s, k);
            if (s->pool)
                pools[k] = emit_pool(e, s, k);
        } else if (s->kind != K_COPY) {
            step_name(name, k);
            fns[k] = LLVMAddFunction(e->mod, name, ptr_fn_type(e, step_nin(s) + 1 + (s->res_node ? 1 : 0)));
            if (s->pool) {
                step_name(name, -k - 1);
                pools[k] = LLVMAddFunction(e->mod, name, ptr_fn_type(e, 2));
            }
        }
    }

    /* NAME_run_ws(inputs..., outputs..., workspace) */
    int nin = g->inputs.len, nout = g->outputs.len, np = nin + nout + 1;
    LLVMTypeRef *pt = xcalloc((size_t)np, sizeof *pt);
    for (int i = 0; i < np; i++)
        pt[i] = e->ptr;
    LLVMTypeRef ws_t = LLVMFunctionType(e->voidt, pt, (unsigned)np, 0);
    LLVMValueRef run_ws = LLVMAddFunction(e->mod, arena_printf(a, "%s_run_ws", prefix), ws_t);
    add_attr(e, run_ws, LLVMAttributeFunctionIndex, "nounwind");
    e->fn = run_ws;
    LLVMPositionBuilderAtEnd(e->b, LLVMAppendBasicBlockInContext(e->ctx, run_ws, "entry"));
    LLVMValueRef arena = LLVMGetParam(run_ws, (unsigned)(np - 1));
    /* the standalone binary's --profile: void (*netc_hook)(int), defined
    ** by the binary's descriptor (emit_c_descriptor), called after each
    ** step while it is set */
    LLVMTypeRef i32 = LLVMInt32TypeInContext(e->ctx), hook_t = LLVMFunctionType(e->voidt, &i32, 1, 0);
    LLVMValueRef hook = NULL;
    if (e->profile)
        hook = LLVMAddGlobal(e->mod, LLVMPointerType(hook_t, 0), "netc_hook");
    for (int k = 0; k < l->nsteps; k++) {
        const Step *s = &l->steps[k];
        const TRef *in = step_inputs(s);
        if (s->kind == K_COPY)
            LLVMBuildMemCpy(e->b, tref(e, arena, s->out), 4, tref(e, arena, in[0]), 4,
                            ci(e, elems(&s->node->shape) * 4));
        else
            call_step(e, s, arena, fns[k], pools[k]);
        if (hook) {
            LLVMValueRef h = LLVMBuildLoad2(e->b, LLVMPointerType(hook_t, 0), hook, "");
            LLVMBasicBlockRef next = if_open(e, LLVMBuildIsNotNull(e->b, h, ""));
            LLVMValueRef arg = LLVMConstInt(i32, (unsigned long long)k, 0);
            LLVMBuildCall2(e->b, hook_t, h, &arg, 1, "");
            if_close(e, next);
        }
    }
    for (int i = 0; i < nout; i++) {
        const Node *n = g->outputs.data[i];
        LLVMBuildMemCpy(e->b, LLVMGetParam(run_ws, (unsigned)(nin + i)), 4,
                        tref(e, arena, l->outputs[i]), 4, ci(e, elems(&n->shape) * 4));
    }
    LLVMBuildRetVoid(e->b);

    /* NAME_run(inputs..., outputs...): the same on the static arena */
    LLVMValueRef run = LLVMAddFunction(e->mod, arena_printf(a, "%s_run", prefix),
                                       LLVMFunctionType(e->voidt, pt, (unsigned)(np - 1), 0));
    add_attr(e, run, LLVMAttributeFunctionIndex, "nounwind");
    e->fn = run;
    LLVMPositionBuilderAtEnd(e->b, LLVMAppendBasicBlockInContext(e->ctx, run, "entry"));
    LLVMValueRef *args = xcalloc((size_t)np, sizeof *args);
    for (int i = 0; i < np - 1; i++)
        args[i] = LLVMGetParam(run, (unsigned)i);
    args[np - 1] = LLVMConstBitCast(ag, e->ptr);
    LLVMBuildCall2(e->b, ws_t, run_ws, args, (unsigned)np, "");
    LLVMBuildRetVoid(e->b);
    free(args);
    if (e->jit) {
        /* netc_jit_run(const float *const *in, float *const *out): NAME_run
        ** with its pointers from two arrays, for the runtime's netc_model */
        LLVMTypeRef pp = LLVMPointerType(e->ptr, 0), two[2] = {pp, pp};
        LLVMValueRef jf = LLVMAddFunction(e->mod, "netc_jit_run", LLVMFunctionType(e->voidt, two, 2, 0));
        e->fn = jf;
        LLVMPositionBuilderAtEnd(e->b, LLVMAppendBasicBlockInContext(e->ctx, jf, "entry"));
        LLVMValueRef *cargs = xcalloc((size_t)np, sizeof *cargs);
        for (int i = 0; i < np - 1; i++) {
            LLVMValueRef idx = ci(e, i < nin ? i : i - nin);
            LLVMValueRef slot = LLVMBuildInBoundsGEP2(e->b, e->ptr, LLVMGetParam(jf, i < nin ? 0 : 1),
                                                      &idx, 1, "");
            cargs[i] = LLVMBuildLoad2(e->b, e->ptr, slot, "");
        }
        LLVMBuildCall2(e->b, LLVMFunctionType(e->voidt, pt, (unsigned)(np - 1), 0), run, cargs,
                       (unsigned)(np - 1), "");
        LLVMBuildRetVoid(e->b);
        free(cargs);
    }
    free(pt);
    free(fns);
    free(pools);
}

/*
** Targets
*/

static void init_targets(void) {
    static bool done;
    if (done)
        return;
    done = true;
    LLVMInitializeAllTargetInfos();
    LLVMInitializeAllTargets();
    LLVMInitializeAllTargetMCs();
    LLVMInitializeAllAsmPrinters();
}

/* The triple and CPU names LLVM knows, for a usage error. */
void llvm_known_targets(Buf *b) {
    init_targets();
    bool first = true;
    for (LLVMTargetRef t = LLVMGetFirstTarget(); t; t = LLVMGetNextTarget(t)) {
        buf_printf(b, "%s%s", first ? "" : ", ", LLVMGetTargetName(t));
        first = false;
    }
}

bool llvm_check_target(const char *triple, char **err) {
    init_targets();
    LLVMTargetRef t;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &t, &msg)) {
        *err = xmalloc(strlen(msg) + 1);
        strcpy(*err, msg);
        LLVMDisposeMessage(msg);
        return false;
    }
    return true;
}

/* The CPU for a triple given without --cpu: as Clang's driver does, the
** M-profile architectures get the core that defines them (with its FPU,
** which an eabihf triple needs), every other one "generic". */
static const char *default_cpu(const char *triple) {
    static const struct {
        const char *arch, *cpu;
    } cpus[] = {{"thumbv6m", "cortex-m0"},       {"thumbv7m", "cortex-m3"},
                {"thumbv7em", "cortex-m4"},      {"thumbv8m.base", "cortex-m23"},
                {"thumbv8m.main", "cortex-m33"}, {"thumbv8.1m.main", "cortex-m55"}};
    for (size_t i = 0; i < sizeof cpus / sizeof *cpus; i++) {
        size_t n = strlen(cpus[i].arch);
        if (strncmp(triple, cpus[i].arch, n) == 0 && triple[n] == '-')
            return cpus[i].cpu;
    }
    return "generic";
}

/* Runs fn(arg) in a child process, its standard error (where LLVM prints
** what it ignores, and its fatal errors) going into out. */
static void capture_stderr(void (*fn)(void *), void *arg, Buf *out) {
    fflush(stdout);
    fflush(stderr);
    FILE *t = tmpfile();
    if (!t)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(fileno(t), 2) >= 0)
            fn(arg);
        fflush(stderr);
        _exit(0);
    }
    int status;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    rewind(t);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, t)) > 0)
        for (size_t i = 0; i < n; i++)
            buf_putc(out, chunk[i]);
    fclose(t);
}

typedef struct Probe {
    const char *triple, *cpu;
} Probe;

/* Makes a target machine for the probe and compiles an empty function
** with it, so that LLVM looks at the CPU. */
static void probe_cpu(void *arg) {
    const Probe *p = arg;
    LLVMTargetRef t;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(p->triple, &t, &msg)) {
        LLVMDisposeMessage(msg);
        return;
    }
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(t, p->triple, p->cpu, "", LLVMCodeGenLevelNone,
                                                      LLVMRelocPIC, LLVMCodeModelDefault);
    if (!tm)
        return;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("probe", ctx);
    LLVMValueRef fn = LLVMAddFunction(mod, "probe", LLVMFunctionType(LLVMVoidTypeInContext(ctx), NULL, 0, 0));
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
    LLVMBuildRetVoid(b);
    LLVMDisposeBuilder(b);
    LLVMMemoryBufferRef mb = NULL;
    if (!LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &msg, &mb))
        LLVMDisposeMemoryBuffer(mb);
    else
        LLVMDisposeMessage(msg);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
}

bool llvm_check_cpu(const char *target, const char *cpu, Buf *known) {
    init_targets();
    char *triple = target ? LLVMNormalizeTargetTriple(target) : LLVMGetDefaultTargetTriple();
    Probe p = {triple, cpu};
    Buf err = {0};
    capture_stderr(probe_cpu, &p, &err);
    bool ok = !err.data || !strstr(err.data, "is not a recognized processor");
    buf_free(&err);
    if (!ok) {
        /* LLVM lists its CPUs for the CPU "help" */
        Buf list = {0};
        p.cpu = "help";
        capture_stderr(probe_cpu, &p, &list);
        const char *s = list.data ? strstr(list.data, "Available CPUs for this target:") : NULL;
        const char *end = s ? strstr(s, "Available features") : NULL;
        bool first = true;
        for (s = s ? strchr(s, '\n') : NULL; s && (!end || s < end); s = strchr(s + 1, '\n')) {
            const char *w = s + 1;
            while (*w == ' ')
                w++;
            const char *e = w;
            while (*e && *e != ' ' && *e != '\n')
                e++;
            if (e > w && (!end || w < end)) {
                buf_printf(known, "%s%.*s", first ? "" : ", ", (int)(e - w), w);
                first = false;
            }
        }
        buf_free(&list);
    }
    LLVMDisposeMessage(triple);
    return ok;
}

/* The target machine of o, or NULL with an error in d. */
static LLVMTargetMachineRef target_machine(const LlvmOptions *o, Diags *d) {
    init_targets();
    char *triple = o->target ? LLVMNormalizeTargetTriple(o->target) : LLVMGetDefaultTargetTriple();
    char *cpu = o->cpu ? NULL : o->target ? NULL : LLVMGetHostCPUName();
    char *feat = o->target || o->cpu ? NULL : LLVMGetHostCPUFeatures();
    LLVMTargetRef t;
    char *msg = NULL;
    LLVMTargetMachineRef tm = NULL;
    if (LLVMGetTargetFromTriple(triple, &t, &msg)) {
        diag_error(d, NULL, (Span){0}, "build", "LLVM has no target for '%s': %s", triple, msg);
        LLVMDisposeMessage(msg);
    } else {
        tm = LLVMCreateTargetMachine(t, triple, o->cpu ? o->cpu : cpu ? cpu : default_cpu(triple),
                                     feat ? feat : "", LLVMCodeGenLevelAggressive, LLVMRelocPIC,
                                     LLVMCodeModelDefault);
        if (!tm)
            diag_error(d, NULL, (Span){0}, "build", "LLVM cannot make a target machine for '%s'",
                       triple);
    }
    LLVMDisposeMessage(triple);
    if (cpu)
        LLVMDisposeMessage(cpu);
    if (feat)
        LLVMDisposeMessage(feat);
    return tm;
}

static void fatal(const char *reason) {
    fprintf(stderr, "netc: error: LLVM failed: %s\n", reason);
    exit(1);
}

static bool llvm_failed(Diags *d, const char *what, LLVMErrorRef err) {
    char *m = LLVMGetErrorMessage(err);
    diag_error(d, NULL, (Span){0}, "build", "LLVM %s failed: %s", what, m);
    LLVMDisposeErrorMessage(m);
    return false;
}

/* Vectors of 16 floats per pixel of a tile: 4 (64 channels, 24 of the 32
** registers) where the code is for this machine and it has AVX-512, as
** the C back end's tiles there; else 1 (16 channels: 12 AVX registers, or
** 24 NEON ones). */
static int tile_vectors(const LlvmOptions *o) {
    if (o->target || o->cpu)
        return 1;
    char *feat = LLVMGetHostCPUFeatures();
    int n = feat && strstr(feat, "+avx512f") ? NETC_NVEC : 1;
    LLVMDisposeMessage(feat);
    return n;
}

/* Runs default<O3> on mod for tm; NULL, or what failed. */
static LLVMErrorRef llvm_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm) {
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    LLVMSetModuleDataLayout(mod, td);
    LLVMDisposeTargetData(td);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(po, 1);
    LLVMPassBuilderOptionsSetSLPVectorization(po, 1);
    /* no unrolling beyond the vectoriser's interleaving, as GCC -O3 on the C back
    ** end's code: the kernels are tiled already, and fully unrolled reductions
    ** over hundreds of channels cost seconds of build for nothing */
    LLVMPassBuilderOptionsSetLoopUnrolling(po, 0);
    LLVMErrorRef err = LLVMRunPasses(mod, "default<O3>", tm, po);
    LLVMDisposePassBuilderOptions(po);
    return err;
}

/* One part of the module (NPARTS): built, verified and optimised in its
** own context, by whichever thread takes it. */
typedef struct Part {
    const Lowered *l;
    const CNames *names;
    bool jit, profile;
    int nvt, part;
    LLVMTargetMachineRef tm;
    LLVMContextRef ctx;     /* part 0: the caller's; the others make theirs */
    LLVMModuleRef mod;      /* part 0: the module */
    LLVMMemoryBufferRef bc; /* the others: their module, as bitcode */
    const char *obj;        /* or, each part as an object, this one's */
    Buf err;                /* what failed, if anything did */
} Part;

static void build_part(Part *p) {
    LLVMContextRef ctx = p->part ? LLVMContextCreate() : p->ctx;
    E e = {.l = p->l, .ctx = ctx, .jit = p->jit, .profile = p->profile, .nvt = p->nvt};
    char name[32];
    snprintf(name, sizeof name, "part%d", p->part);
    e.mod = LLVMModuleCreateWithNameInContext(p->part ? name : p->l->g->name, ctx);
    e.b = LLVMCreateBuilderInContext(ctx);
    build_module(&e, p->names, p->part);
    LLVMDisposeBuilder(e.b);
    char *msg = NULL;
    if (LLVMVerifyModule(e.mod, LLVMReturnStatusAction, &msg)) {
        buf_printf(&p->err, "the LLVM module is invalid: %s", msg);
    } else {
        LLVMErrorRef err = llvm_optimize(e.mod, p->tm);
        if (err) {
            char *m = LLVMGetErrorMessage(err);
            buf_printf(&p->err, "LLVM optimisation failed: %s", m);
            LLVMDisposeErrorMessage(m);
        }
    }
    LLVMDisposeMessage(msg);
    msg = NULL;
    if (p->obj && !p->err.len &&
        LLVMTargetMachineEmitToFile(p->tm, e.mod, (char *)p->obj, LLVMObjectFile, &msg))
        buf_printf(&p->err, "cannot write '%s': %s", p->obj, msg);
    LLVMDisposeMessage(msg);
    if (p->part == 0 && !p->obj && !p->err.len) {
        p->mod = e.mod;
        return;
    }
    if (!p->obj && !p->err.len)
        p->bc = LLVMWriteBitcodeToMemoryBuffer(e.mod);
    LLVMDisposeModule(e.mod);
    if (p->part)
        LLVMContextDispose(ctx);
}

/* The parts not yet taken, for the threads that build them. */
typedef struct Queue {
    Part *parts;
    int next;
    pthread_mutex_t lock;
} Queue;

static void *build_parts(void *arg) {
    Queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        int p = q->next++;
        pthread_mutex_unlock(&q->lock);
        if (p >= NPARTS)
            return NULL;
        build_part(&q->parts[p]);
    }
}

/* The optimised module of l in ctx, its parts built on up to NPARTS
** threads and linked; false with an error in d. o: the target; with
** o->parts, each part is written as its own object instead, and nothing
** linked. */
static bool llvm_module(const Lowered *l, const CNames *names, const LlvmOptions *o, bool jit,
                        Diags *d, LLVMContextRef ctx, LLVMModuleRef *out) {
    LLVMInstallFatalErrorHandler(fatal);
    Part parts[NPARTS] = {{0}};
    int nvt = tile_vectors(o);
    for (int p = 0; p < NPARTS; p++) {
        parts[p] = (Part){.l = l, .names = names, .jit = jit, .profile = o->profile, .nvt = nvt,
                          .part = p, .ctx = ctx};
        if (o->parts)
            parts[p].obj = arena_printf(l->g->arena, "%s%d.o", o->out, p);
        parts[p].tm = target_machine(o, d);
        if (!parts[p].tm) {
            for (int i = 0; i < p; i++)
                LLVMDisposeTargetMachine(parts[i].tm);
            return false;
        }
    }
    Queue q = {.parts = parts};
    pthread_mutex_init(&q.lock, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef __linux__
    cpu_set_t set; /* the CPUs netc may run on (taskset, a container's share) */
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        cpus = CPU_COUNT(&set);
#endif
    pthread_t th[NPARTS];
    int nth = 0;
    while (nth < NPARTS - 1 && nth + 1 < cpus && pthread_create(&th[nth], NULL, build_parts, &q) == 0)
        nth++;
    build_parts(&q);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&q.lock);

    bool ok = true;
    for (int p = 0; p < NPARTS; p++) {
        if (parts[p].err.len && ok)
            diag_error(d, NULL, (Span){0}, "build", "%s", parts[p].err.data);
        ok &= !parts[p].err.len;
        buf_free(&parts[p].err);
        LLVMDisposeTargetMachine(parts[p].tm);
    }
    if (o->parts)
        return ok;
    LLVMModuleRef mod = parts[0].mod;
    for (int p = 1; p < NPARTS; p++) {
        LLVMModuleRef m = NULL;
        if (ok && (LLVMParseBitcodeInContext2(ctx, parts[p].bc, &m) || LLVMLinkModules2(mod, m))) {
            diag_error(d, NULL, (Span){0}, "build", "LLVM cannot link part %d of the module", p);
            ok = false;
        }
        if (parts[p].bc)
            LLVMDisposeMemoryBuffer(parts[p].bc);
    }
    if (!ok) {
        if (mod)
            LLVMDisposeModule(mod);
        return false;
    }
    /* linked: the steps and the weights are the module's own */
    for (int k = -l->nsteps; k < l->nsteps; k++) {
        char name[32];
        step_name(name, k);
        LLVMValueRef fn = LLVMGetNamedFunction(mod, name);
        if (fn) {
            LLVMSetLinkage(fn, LLVMInternalLinkage);
            LLVMSetVisibility(fn, LLVMDefaultVisibility);
        }
    }
    LLVMValueRef wg = LLVMGetNamedGlobal(mod, names->weights);
    LLVMSetLinkage(wg, LLVMPrivateLinkage);
    LLVMSetVisibility(wg, LLVMDefaultVisibility);
    LLVMSetUnnamedAddr(wg, 1);
    *out = mod;
    return true;
}

bool emit_llvm(const Lowered *l, const LlvmOptions *o, Diags *d) {
    if (o->parts) {
        LLVMContextRef ctx = LLVMContextCreate();
        bool ok = llvm_module(l, o->names, o, false, d, ctx, NULL);
        LLVMContextDispose(ctx);
        return ok;
    }
    LLVMTargetMachineRef tm = target_machine(o, d);
    if (!tm)
        return false;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod;
    bool ok = llvm_module(l, o->names, o, false, d, ctx, &mod);
    if (ok) {
        char *msg = NULL;
        if (ok && o->text && LLVMPrintModuleToFile(mod, o->out, &msg)) {
            diag_error(d, NULL, (Span){0}, "build", "cannot write '%s': %s", o->out, msg);
            ok = false;
        } else if (ok && !o->text &&
                   LLVMTargetMachineEmitToFile(tm, mod, (char *)o->out, LLVMObjectFile, &msg)) {
            diag_error(d, NULL, (Span){0}, "build", "cannot write '%s': %s", o->out, msg);
            ok = false;
        }
        if (msg)
            LLVMDisposeMessage(msg);
        LLVMDisposeModule(mod);
    }
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    return ok;
}

/*
** `netc run`: the module compiled in process by ORC's LLJIT, run through
** the standalone binary's command line (runtime/main.c's netc_main).
*/

static netc_tensor_info *tensor_infos(const Vec *v) {
    netc_tensor_info *t = xcalloc((size_t)v->len + 1, sizeof *t);
    for (int i = 0; i < v->len; i++) {
        const Node *n = v->data[i];
        t[i].name = n->name;
        t[i].rank = n->shape.rank;
        for (int k = 0; k < n->shape.rank && k < 3; k++)
            t[i].dims[k] = (size_t)n->shape.d[k];
        t[i].count = (size_t)elems(&n->shape);
    }
    return t;
}

int llvm_jit_run(const Lowered *l, const CNames *names, const BuildRequest *r, Diags *d) {
    LlvmOptions host = {0};
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMModuleRef mod;
    int status = 1;
    if (!llvm_module(l, names, &host, true, d, LLVMOrcThreadSafeContextGetContext(tsc), &mod)) {
        LLVMOrcDisposeThreadSafeContext(tsc);
        return 1;
    }
    LLVMOrcLLJITRef jit = NULL;
    LLVMErrorRef err = LLVMOrcCreateLLJIT(&jit, NULL);
    if (err) {
        llvm_failed(d, "JIT", err);
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return 1;
    }
    /* memcpy, expf, tanhf: from netc's own process */
    LLVMOrcDefinitionGeneratorRef gen = NULL;
    err = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(jit),
                                                               NULL, NULL);
    LLVMOrcJITDylibRef lib = LLVMOrcLLJITGetMainJITDylib(jit);
    if (!err) {
        LLVMOrcJITDylibAddGenerator(lib, gen);
        /* the JIT owns the module from here */
        err = LLVMOrcLLJITAddLLVMIRModule(jit, lib, LLVMOrcCreateNewThreadSafeModule(mod, tsc));
    } else {
        LLVMDisposeModule(mod);
    }
    LLVMOrcDisposeThreadSafeContext(tsc);
    LLVMOrcExecutorAddress addr = 0;
    if (!err)
        err = LLVMOrcLLJITLookup(jit, &addr, "netc_jit_run");
    if (err) {
        llvm_failed(d, "JIT", err);
    } else {
        const Graph *g = l->g;
        netc_tensor_info *ins = tensor_infos(&g->inputs), *outs = tensor_infos(&g->outputs);
        netc_model m = {g->name, g->inputs.len, g->outputs.len, ins, outs, NULL};
        /* an address from the JIT, as the function it is */
        void (*run)(const float *const *, float *const *);
        memcpy(&run, &(uintptr_t){(uintptr_t)addr}, sizeof run);
        m.run = run;
        if (r->before_run)
            r->before_run(r->before_ctx, d);
        status = netc_main(&m, r->run_argc, r->run_argv);
        free(ins);
        free(outs);
    }
    err = LLVMOrcDisposeLLJIT(jit);
    if (err)
        llvm_failed(d, "JIT", err);
    return status;
}
