/* onnx.h: ONNX models, read (onnx_read.c) and imported (onnx_import.c).
**
** ONNX support is optional (cmake/onnx.cmake): without protobuf-c this
** header still declares everything, and onnx_available() is false; the
** functions then fail with a message that says so.
**
** onnx_read.c turns the protobuf into the plain structs below, after which
** nothing needs checking again: every count matches the data present, every
** tensor's element count is the product of its dimensions, every string is
** NUL-terminated, printable UTF-8 (other bytes become '?'). onnx_import.c works on these structs only.
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

/* The opsets of the default domain netc imports (docs/import.md). */
enum { ONNX_OPSET_MIN = 11, ONNX_OPSET_MAX = 17 };

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

/* onnx_import.c: the model as a .net network and its weights. */

/* What netc cannot express: one per node (and attribute) that it meets. */
typedef struct OnnxIssue {
    int node;         /* index in the graph, -1: about the graph */
    const char *name; /* the node's name ("" if none) */
    const char *op;   /* its op type */
    const char *msg;
} OnnxIssue;

/* A tensor of the safetensors file, in PyTorch's layout. */
typedef struct OnnxWeight {
    const char *name; /* LAYER.weight, LAYER.bias, LAYER.running_mean, ... */
    int rank;
    int64_t dims[4];
    int64_t count;
    const float *data;
} OnnxWeight;

typedef struct OnnxImport {
    Buf net;      /* the .net text */
    Vec weights;  /* OnnxWeight*, in the order of the layers */
    Vec issues;   /* OnnxIssue* */
    Vec line_node; /* per line of `net` from 1: (intptr_t) node index + 1, 0: none */
    const char **node_names;  /* per node: its name, or "#INDEX" if it has none */
    const char **node_labels; /* per node: "node 'NAME' (OP)" or "node #INDEX (OP)" */
} OnnxImport;

/* Imports a model read by onnx_read. `network`: the network's name;
** `input_hwc`: H, W, C for an input whose size is not in the model, or NULL.
** True when there are no issues; everything lives in `a` except out->net
** (buf_free it). */
bool onnx_import(Arena *a, const OnnxModel *m, const char *network, const int64_t *input_hwc,
                 OnnxImport *out);

/* Writes the weights as a safetensors file. */
bool onnx_write_safetensors(const OnnxImport *im, const char *path, char *err, size_t errlen);

/* `netc import MODEL.onnx [-o OUT.net] [--weights OUT.safetensors]
** [--input-shape=H,W,C]`: argv after the command; returns the exit status. */
int onnx_main_import(int argc, char **argv);

/* Whether a file given where a .net file is expected is an ONNX model: its
** name ends in .onnx, or its first bytes are those of a model. */
bool onnx_file(const char *path);

/* The model imported as a .net SourceFile of `p` (display: path), its
** diagnostics naming nodes; import errors are reported to p->diags. NULL
** with errno set when the file cannot be read. */
SourceFile *onnx_source(Program *p, const char *path);

/* --input-shape=H,W,C of every command: the size of an ONNX model's input
** where the model leaves it symbolic. False when TEXT is not three positive
** integers. */
bool onnx_set_input_shape(const char *text);

/* False when --input-shape was given and none of `files` (const char *) is
** an ONNX model. */
bool onnx_input_shape_used(const Vec *files);

/* The model's weights as a temporary safetensors file (removed at exit),
** NULL if it cannot be read or written. */
const char *onnx_weights(const char *path);

/* Prints an issue as `FILE: node 'NAME' (OP): error: MESSAGE [import]`. */
void onnx_print_issue(const char *file, const OnnxIssue *is);

#endif
