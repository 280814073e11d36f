/* weights.h: safetensors files (safetensors.c) and the weights of a graph
** (weights.c).
**
** A safetensors file is an 8-byte little-endian header length N, N bytes of
** JSON naming each tensor's dtype, shape and byte range, then the data.
** st_parse checks every number of the header against the buffer, so that
** nothing later can read outside it; weights_load then matches the tensors
** with the layers of a graph by their PyTorch `state_dict` names and copies
** them out as floats.
*/
#ifndef NETC_WEIGHTS_H
#define NETC_WEIGHTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netc.h"

/*
** safetensors.c: the file format
*/

/* One tensor of a file. Its data points into the caller's buffer and may be
** unaligned: read it with st_read_f32 (or memcpy), never through a cast. */
typedef struct StTensor {
    char *name;                /* as in the header (UTF-8) */
    const char *dtype;         /* canonical: "F32", "BF16"...; static storage */
    size_t dtype_size;         /* bytes per element */
    int rank;                  /* 0 for a scalar */
    int64_t *shape;            /* rank entries, each >= 0; NULL when rank 0 */
    int64_t count;             /* product of shape (1 for a scalar) */
    const unsigned char *data; /* begin of its bytes in the buffer */
    size_t nbytes;             /* count * dtype_size */
    size_t begin, end;         /* data_offsets, relative to the data section */
} StTensor;

/* A `__metadata__` entry. */
typedef struct StMeta {
    char *key, *value;
} StMeta;

/* A parsed file. Tensors are in header order; names are unique. */
typedef struct StFile {
    StTensor *tensors;
    int n;
    StMeta *meta;
    int nmeta;
    size_t header_len; /* N */
    size_t data_len;   /* bytes of the data section */
} StFile;

/* Limits on what st_parse accepts, beyond which a file is refused as
** unreasonable rather than as malformed. */
#define ST_MAX_HEADER (16u << 20) /* bytes of JSON */
#define ST_MAX_VALUES (1 << 20)   /* JSON values in the header, about */
#define ST_MAX_RANK 64

/* Parses and checks buf[0..len). On success fills *out (free it with
** st_free) and returns true; otherwise writes a one-line reason to err
** (without the file's name) and returns false, with *out empty. */
bool st_parse(const unsigned char *buf, size_t len, StFile *out, char *err,
              size_t errlen);
void st_free(StFile *f);

/* The tensor named `name`, or NULL. */
const StTensor *st_find(const StFile *f, const char *name);
/* Bytes per element of a dtype ("F32": 4), 0 if netc does not know it. */
size_t st_dtype_size(const char *dtype);
/* Converts n little-endian float32 values at src (any alignment) to host
** floats, on a little- or big-endian host. */
void st_read_f32(const unsigned char *src, float *dst, size_t n);

/*
** weights.c: a safetensors file bound to a graph
*/

/* The weights of one layer, in PyTorch layouts as in the file: conv
** [out, in/groups, kh, kw], depthwise [C·m, 1, kh, kw], dense [out, in],
** batchnorm weight (gamma), bias (beta), running mean and variance [C].
** NULL when the layer has no such tensor. Heap memory, owned by the set. */
typedef struct NodeWeights {
    float *weight, *bias, *mean, *var;
} NodeWeights;

/* Indexed by Node.id; n = number of nodes of the graph. */
typedef struct WeightSet {
    NodeWeights *w;
    int n;
} WeightSet;

/* The largest weights file weights_load reads: 64 GiB, a hundred times
** VGG-16's 553 MB. The file is mapped, not copied (docs/build.md). */
#define WEIGHTS_MAX_BYTES ((uint64_t)64 << 30)

/* Loads the weights of every good layer with weights (conv2d,
** depthwise_conv2d, dense, batchnorm) from the safetensors file at `path`.
** Reports every missing, unexpected, mis-shaped or non-F32 tensor as a
** `weights` error at the layer's statement, and problems of the file itself
** as errors at the file; unexpected tensors are warnings with allow_extra.
** `*.num_batches_tracked` is ignored. False on any error, with *out empty. */
bool weights_load(const Graph *g, const char *path, bool allow_extra,
                  Diags *d, WeightSet *out);
/* The same on a file already in memory; `display` names it in messages. */
bool weights_bind(const Graph *g, const unsigned char *buf, size_t len,
                  const char *display, bool allow_extra, Diags *d,
                  WeightSet *out);
/* Deterministic weights for benchmarks and tests: the same seed and graph
** give the same floats on every host. Conv and dense weights and biases are
** uniform in ±1/sqrt(fan_in) (PyTorch's default initialisation); batchnorm
** gets gamma ≈ 1, beta ≈ 0, mean ≈ 0 with small noise, variance in
** [0.5, 1.5]. One stream over the layers in source order (docs/build.md),
** so a layer's values depend on the seed and on the layers before it. */
void weights_random(const Graph *g, uint64_t seed, WeightSet *out);
void weights_free(WeightSet *w);

/* The expected shape of a layer's tensor (`suffix`: "weight", "bias",
** "running_mean", "running_var"); false if the layer has no such tensor. */
bool weights_expected(const Node *n, const char *suffix, int *rank,
                      int64_t shape[4]);

#endif
