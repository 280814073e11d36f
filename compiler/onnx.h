/* onnx.h: ONNX models, read (onnx_read.c) and imported (onnx_import.c).
**
** ONNX support is optional (cmake/onnx.cmake): without protobuf-c this
** header still declares everything, and onnx_available() is false; the
** functions then fail with a message that says so.
**
** onnx_read.c turns the protobuf into the plain structs below, after which
** nothing needs checking again: every count matches the data present, every
** tensor's element count is the product of its dimensions, every string is
** NUL-terminated. onnx_import.c works on these structs only.
*/
#ifndef NETC_ONNX_H
#define NETC_ONNX_H

#include "netc.h"

/* TensorProto.DataType values netc reads the data of. */
enum {
    ONNX_FLOAT = 1,
    ONNX_INT32 = 6,
    ONNX_INT64 = 7,
    ONNX_DOUBLE = 11,
};

/* Ranks beyond this are refused by the reader. */
enum { ONNX_MAX_RANK = 8 };

typedef struct OnnxTensor {
    const char *name;
    int dtype; /* ONNX_* or another TensorProto.DataType */
    int rank;
    int64_t dims[ONNX_MAX_RANK];
    int64_t count; /* product of dims */
    float *f;      /* ONNX_FLOAT, ONNX_DOUBLE: count values; else NULL */
    int64_t *i;    /* ONNX_INT32, ONNX_INT64: count values; else NULL */
} OnnxTensor;

/* AttributeProto.AttributeType */
typedef enum {
    ONNX_ATTR_OTHER,
    ONNX_ATTR_FLOAT,
    ONNX_ATTR_INT,
    ONNX_ATTR_STRING,
    ONNX_ATTR_TENSOR,
    ONNX_ATTR_FLOATS,
    ONNX_ATTR_INTS,
} OnnxAttrType;

typedef struct OnnxAttr {
    const char *name;
    OnnxAttrType type;
    double f;          /* FLOAT */
    int64_t i;         /* INT */
    const char *s;     /* STRING */
    OnnxTensor *t;     /* TENSOR */
    int n;             /* FLOATS, INTS: length */
    double *floats;    /* FLOATS */
    int64_t *ints;     /* INTS */
} OnnxAttr;

typedef struct OnnxNode {
    int index; /* in the graph's node list, from 0 */
    const char *name; /* "" when the exporter left none */
    const char *op;
    const char *domain; /* "" for the default (ai.onnx) */
    int nin, nout, nattr;
    const char **in; /* "" for an absent optional input */
    const char **out;
    OnnxAttr *attr;
} OnnxNode;

/* A graph input or output: name and tensor type. */
typedef struct OnnxValue {
    const char *name;
    int dtype;
    int rank; /* -1: no shape given */
    int64_t dims[ONNX_MAX_RANK]; /* -1: symbolic or unknown */
    const char *dim_param[ONNX_MAX_RANK]; /* symbolic name, or NULL */
} OnnxValue;

typedef struct OnnxModel {
    int64_t ir_version;
    int64_t opset;     /* of the default domain; 0 if none declared */
    const char *producer; /* "" if none */
    const char *graph_name;
    int nnode, ninit, ninput, noutput;
    OnnxNode *node;
    OnnxTensor *init;
    OnnxValue *input;
    OnnxValue *output;
} OnnxModel;

/* Whether this build reads ONNX models. */
bool onnx_available(void);

/* Whether a file looks like an ONNX model: its name ends in .onnx, or its
** first bytes are those ONNX writers start a ModelProto with. */
bool onnx_is_model(const char *name, const unsigned char *p, size_t n);

/* ONNX files larger than this are refused: protobuf itself stops at 2 GiB. */
#define ONNX_MAX_BYTES ((size_t)2 << 30)

/* Reads a whole model file; NULL with errno set on failure. */
unsigned char *onnx_read_file(const char *path, size_t *len);

/* Parses a model from `len` bytes; everything lives in `a`. False with a
** message in err on any malformed, truncated or unsupported content; the
** memory used is bounded by a fixed multiple of len. */
bool onnx_read(Arena *a, const unsigned char *data, size_t len, OnnxModel *out,
               char *err, size_t errlen);

#endif
