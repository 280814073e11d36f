/* onnx_read.c: reading an ONNX model without trusting it.
**
** An ONNX file is a protobuf ModelProto. protobuf-c does the wire format (with
** the schema Debian's libonnx-dev ships, compiled at build time by protoc-c:
** cmake/onnx.cmake); this file does the rest, in two steps:
**
** 1. The unpack runs under an allocator with a budget, a fixed multiple of
**    the file's size: a hostile file can make protobuf-c allocate more than
**    its own size (an empty submessage is two bytes on the wire and a struct
**    of a hundred in memory), never an amount it merely claims.
** 2. The unpacked messages are copied into netc's plain structs (onnx.h),
**    checking every claim on the way: each tensor's dimensions are
**    non-negative, their product does not overflow and equals the number of
**    values actually present (raw_data's length, or the typed field's), ranks
**    are bounded, data kept in external files is refused. After onnx_read
**    succeeds the importer reads the structs without further checks.
*/
#define _POSIX_C_SOURCE 200809L
#include "onnx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* ONNX writers open a ModelProto with field 1 (ir_version, a small varint:
** tag 0x08), then one of fields 2 to 8. */
bool onnx_is_model(const char *name, const unsigned char *p, size_t n) {
    size_t k = name ? strlen(name) : 0;
    if (k >= 5 && strcmp(name + k - 5, ".onnx") == 0)
        return true;
    if (n < 3 || p[0] != 0x08 || p[1] == 0 || p[1] > 0x7F)
        return false;
    return p[2] == 0x12 || p[2] == 0x1A || p[2] == 0x22 || p[2] == 0x28 || p[2] == 0x32 ||
           p[2] == 0x3A || p[2] == 0x42;
}

unsigned char *onnx_read_file(const char *path, size_t *len) {
    return (unsigned char *)read_file_max(path, ONNX_MAX_BYTES, len);
}

#ifndef NETC_HAVE_ONNX

bool onnx_available(void) { return false; }

bool onnx_read(Arena *a, const unsigned char *data, size_t len, OnnxModel *out,
               char *err, size_t errlen) {
    (void)a, (void)data, (void)len, (void)out;
    return fail(err, errlen, "ONNX support is not in this build of netc "
                             "(it needs protobuf-c and onnx.proto at configure time)");
}

#else

#include "onnx.pb-c.h"

bool onnx_available(void) { return true; }

/* The budget of protobuf-c's allocations: ONNX_ALLOC_FACTOR bytes per byte
** of input, plus a constant for the small messages. */
enum { ONNX_ALLOC_FACTOR = 64 };
#define ONNX_ALLOC_BASE ((size_t)16 << 20)

typedef struct Budget {
    size_t left;
    bool over;
} Budget;

/* Each block carries its size in front, so free can give it back. */
typedef union {
    size_t n;
    max_align_t align;
} BlockHead;

static void *budget_alloc(void *data, size_t size) {
    Budget *b = data;
    if (b->left < sizeof(BlockHead) || size > b->left - sizeof(BlockHead)) {
        b->over = true;
        return NULL; /* protobuf-c then fails the unpack */
    }
    BlockHead *h = xmalloc(sizeof *h + size);
    h->n = size;
    b->left -= size + sizeof *h;
    return h + 1;
}

static void budget_free(void *data, void *p) {
    if (!p)
        return;
    Budget *b = data;
    BlockHead *h = (BlockHead *)p - 1;
    b->left += h->n + sizeof *h;
    free(h);
}

/* A string of the model, safe to print: control characters and bytes that
** are not UTF-8 become '?' (names are compared after this, consistently). */
static const char *str(Arena *a, const char *s) {
    char *o = arena_strdup(a, s ? s : "");
    size_t n = strlen(o);
    for (size_t k = 0; k < n;) {
        unsigned char c = (unsigned char)o[k];
        if (c >= 0x80) {
            int len = utf8_seq((const unsigned char *)o + k, n - k);
            if (len > 0) {
                k += (size_t)len;
                continue;
            }
        }
        if (c < 0x20 || c == 0x7F || c >= 0x80)
            o[k] = '?';
        k++;
    }
    return o;
}

static size_t dtype_size(int dtype) {
    switch (dtype) {
    case ONNX_FLOAT:
    case ONNX_INT32: return 4;
    case ONNX_INT64:
    case ONNX_DOUBLE: return 8;
    default: return 0;
    }
}

static uint64_t le(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t k = n; k-- > 0;)
        v = v << 8 | p[k];
    return v;
}

static bool read_tensor(Arena *a, const Onnx__TensorProto *t, OnnxTensor *o, const char *what,
                        char *err, size_t errlen) {
    o->name = str(a, t->name);
    o->dtype = t->has_data_type ? t->data_type : 0;
    if (t->n_dims > ONNX_MAX_RANK)
        return fail(err, errlen, "%s '%s' has rank %zu; netc reads tensors of rank up to %d",
                    what, o->name, t->n_dims, ONNX_MAX_RANK);
    o->rank = (int)t->n_dims;
    int64_t count = 1;
    for (size_t k = 0; k < t->n_dims; k++) {
        if (t->dims[k] < 0)
            return fail(err, errlen, "%s '%s' has a negative dimension (%lld)", what, o->name,
                        (long long)t->dims[k]);
        o->dims[k] = t->dims[k];
        if (!ck_mul(count, t->dims[k], &count))
            return fail(err, errlen, "%s '%s' has too many elements (the product of its "
                                     "dimensions overflows)", what, o->name);
    }
    o->count = count;
    if ((t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
        t->n_external_data > 0)
        return fail(err, errlen, "%s '%s' keeps its data in an external file, which netc does "
                                 "not read (save the model with its weights inside)", what, o->name);
    if (t->segment)
        return fail(err, errlen, "%s '%s' is a segment of a larger tensor, which netc does "
                                 "not read", what, o->name);
    size_t es = dtype_size(o->dtype);
    if (!es)
        return true; /* kept with its shape: the importer says if it needs the data */
    /* the values present, by where they are */
    size_t have;
    const char *field;
    if (t->has_raw_data) {
        field = "raw_data";
        if (t->raw_data.len % es)
            return fail(err, errlen, "%s '%s': raw_data holds %zu bytes, not a whole number "
                                     "of %zu-byte values", what, o->name, t->raw_data.len, es);
        have = t->raw_data.len / es;
    } else if (o->dtype == ONNX_FLOAT) {
        field = "float_data", have = t->n_float_data;
    } else if (o->dtype == ONNX_DOUBLE) {
        field = "double_data", have = t->n_double_data;
    } else if (o->dtype == ONNX_INT32) {
        field = "int32_data", have = t->n_int32_data;
    } else {
        field = "int64_data", have = t->n_int64_data;
    }
    if ((uint64_t)have != (uint64_t)count) {
        char dims[160] = "";
        size_t at = 0;
        for (int k = 0; k < o->rank && at < sizeof dims - 24; k++)
            at += (size_t)snprintf(dims + at, sizeof dims - at, "%s%lld", k ? ", " : "",
                                   (long long)o->dims[k]);
        return fail(err, errlen, "%s '%s' has shape [%s] (%lld values) but its %s holds %zu",
                    what, o->name, dims, (long long)count, field, have);
    }
    bool is_float = o->dtype == ONNX_FLOAT || o->dtype == ONNX_DOUBLE;
    size_t n = (size_t)count ? (size_t)count : 1;
    if (is_float)
        o->f = arena_alloc(a, n * sizeof(float));
    else
        o->i = arena_alloc(a, n * sizeof(int64_t));
    for (size_t k = 0; k < (size_t)count; k++) {
        if (t->has_raw_data) {
            uint64_t v = le(t->raw_data.data + k * es, es);
            if (o->dtype == ONNX_FLOAT) {
                uint32_t u = (uint32_t)v;
                memcpy(&o->f[k], &u, 4);
            } else if (o->dtype == ONNX_DOUBLE) {
                double d;
                memcpy(&d, &v, 8);
                o->f[k] = (float)d;
            } else if (o->dtype == ONNX_INT32) {
                o->i[k] = (int32_t)(uint32_t)v;
            } else {
                o->i[k] = (int64_t)v;
            }
        } else if (o->dtype == ONNX_FLOAT) {
            o->f[k] = t->float_data[k];
        } else if (o->dtype == ONNX_DOUBLE) {
            o->f[k] = (float)t->double_data[k];
        } else if (o->dtype == ONNX_INT32) {
            o->i[k] = t->int32_data[k];
        } else {
            o->i[k] = t->int64_data[k];
        }
    }
    return true;
}

static bool read_value(Arena *a, const Onnx__ValueInfoProto *v, OnnxValue *o, char *err,
                       size_t errlen) {
    o->name = str(a, v->name);
    o->rank = -1;
    const Onnx__TypeProto *ty = v->type;
    if (!ty || ty->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !ty->tensor_type)
        return true; /* the importer says what it needs */
    const Onnx__TypeProto__Tensor *tt = ty->tensor_type;
    o->dtype = tt->has_elem_type ? tt->elem_type : 0;
    if (!tt->shape)
        return true;
    if (tt->shape->n_dim > ONNX_MAX_RANK)
        return fail(err, errlen, "graph value '%s' has rank %zu; netc reads tensors of rank "
                                 "up to %d", o->name, tt->shape->n_dim, ONNX_MAX_RANK);
    o->rank = (int)tt->shape->n_dim;
    for (int k = 0; k < o->rank; k++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[k];
        o->dims[k] = -1;
        if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            d->dim_value >= 0)
            o->dims[k] = d->dim_value;
        else if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
            o->dim_param[k] = str(a, d->dim_param);
    }
    return true;
}

static bool read_attr(Arena *a, const Onnx__AttributeProto *p, OnnxAttr *o, const char *node,
                      char *err, size_t errlen) {
    o->name = str(a, p->name);
    int type = p->has_type ? (int)p->type : 0;
    switch (type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        o->type = ONNX_ATTR_FLOAT, o->f = p->f;
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        o->type = ONNX_ATTR_INT, o->i = p->i;
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        o->type = ONNX_ATTR_STRING;
        o->s = p->has_s ? str(a, arena_strndup(a, (const char *)p->s.data, p->s.len)) : "";
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        if (!p->t)
            return fail(err, errlen, "node '%s': attribute '%s' is a tensor without a value",
                        node, o->name);
        o->type = ONNX_ATTR_TENSOR;
        o->t = arena_alloc(a, sizeof *o->t);
        return read_tensor(a, p->t, o->t, "tensor attribute", err, errlen);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        o->type = ONNX_ATTR_FLOATS;
        if (p->n_floats > INT32_MAX)
            return fail(err, errlen, "node '%s': attribute '%s' is too long", node, o->name);
        o->n = (int)p->n_floats;
        o->floats = arena_alloc(a, (p->n_floats ? p->n_floats : 1) * sizeof(double));
        for (size_t k = 0; k < p->n_floats; k++)
            o->floats[k] = p->floats[k];
        break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        o->type = ONNX_ATTR_INTS;
        if (p->n_ints > INT32_MAX)
            return fail(err, errlen, "node '%s': attribute '%s' is too long", node, o->name);
        o->n = (int)p->n_ints;
        o->ints = arena_alloc(a, (p->n_ints ? p->n_ints : 1) * sizeof(int64_t));
        for (size_t k = 0; k < p->n_ints; k++)
            o->ints[k] = p->ints[k];
        break;
    default:
        o->type = ONNX_ATTR_OTHER; /* graphs, strings lists...: the importer says */
        break;
    }
    return true;
}

static const char **strings(Arena *a, char **s, size_t n) {
    const char **o = arena_alloc(a, (n ? n : 1) * sizeof *o);
    for (size_t k = 0; k < n; k++)
        o[k] = str(a, s[k]);
    return o;
}

static bool convert(Arena *a, const Onnx__ModelProto *m, OnnxModel *o, char *err,
                    size_t errlen) {
    memset(o, 0, sizeof *o);
    o->ir_version = m->has_ir_version ? m->ir_version : 0;
    o->producer = str(a, m->producer_name);
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *op = m->opset_import[k];
        if (op && (!op->domain || !*op->domain || strcmp(op->domain, "ai.onnx") == 0))
            o->opset = op->has_version ? op->version : 0;
    }
    const Onnx__GraphProto *g = m->graph;
    if (!g)
        return fail(err, errlen, "the model has no graph");
    o->graph_name = str(a, g->name);
    if (g->n_node > INT32_MAX || g->n_initializer > INT32_MAX || g->n_input > INT32_MAX ||
        g->n_output > INT32_MAX)
        return fail(err, errlen, "the graph is too large");
    o->nnode = (int)g->n_node;
    o->ninit = (int)g->n_initializer;
    o->ninput = (int)g->n_input;
    o->noutput = (int)g->n_output;
    o->node = arena_alloc(a, (g->n_node ? g->n_node : 1) * sizeof *o->node);
    o->init = arena_alloc(a, (g->n_initializer ? g->n_initializer : 1) * sizeof *o->init);
    o->input = arena_alloc(a, (g->n_input ? g->n_input : 1) * sizeof *o->input);
    o->output = arena_alloc(a, (g->n_output ? g->n_output : 1) * sizeof *o->output);
    for (size_t k = 0; k < g->n_initializer; k++) {
        memset(&o->init[k], 0, sizeof o->init[k]);
        if (!read_tensor(a, g->initializer[k], &o->init[k], "initializer", err, errlen))
            return false;
    }
    if (g->n_sparse_initializer)
        return fail(err, errlen, "the graph has sparse initializers, which netc does not read");
    for (size_t k = 0; k < g->n_input; k++) {
        memset(&o->input[k], 0, sizeof o->input[k]);
        if (!read_value(a, g->input[k], &o->input[k], err, errlen))
            return false;
    }
    for (size_t k = 0; k < g->n_output; k++) {
        memset(&o->output[k], 0, sizeof o->output[k]);
        if (!read_value(a, g->output[k], &o->output[k], err, errlen))
            return false;
    }
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        OnnxNode *d = &o->node[k];
        memset(d, 0, sizeof *d);
        d->index = (int)k;
        d->name = str(a, n->name);
        d->op = str(a, n->op_type);
        d->domain = str(a, n->domain);
        if (strcmp(d->domain, "ai.onnx") == 0)
            d->domain = "";
        if (n->n_input > INT32_MAX || n->n_output > INT32_MAX || n->n_attribute > INT32_MAX)
            return fail(err, errlen, "node '%s' is too large", d->name);
        d->nin = (int)n->n_input;
        d->nout = (int)n->n_output;
        d->nattr = (int)n->n_attribute;
        d->in = strings(a, n->input, n->n_input);
        d->out = strings(a, n->output, n->n_output);
        d->attr = arena_alloc(a, (n->n_attribute ? n->n_attribute : 1) * sizeof *d->attr);
        for (size_t j = 0; j < n->n_attribute; j++) {
            memset(&d->attr[j], 0, sizeof d->attr[j]);
            if (!read_attr(a, n->attribute[j], &d->attr[j], d->name, err, errlen))
                return false;
        }
    }
    return true;
}

bool onnx_read(Arena *a, const unsigned char *data, size_t len, OnnxModel *out, char *err,
               size_t errlen) {
    if (len == 0)
        return fail(err, errlen, "the file is empty, not an ONNX model");
    Budget b = {0, false};
    b.left = len > (SIZE_MAX - ONNX_ALLOC_BASE) / ONNX_ALLOC_FACTOR
                 ? SIZE_MAX
                 : len * ONNX_ALLOC_FACTOR + ONNX_ALLOC_BASE;
    ProtobufCAllocator alloc = {budget_alloc, budget_free, &b};
    Onnx__ModelProto *m = onnx__model_proto__unpack(&alloc, len, data);
    if (!m) {
        if (b.over)
            return fail(err, errlen, "not a valid ONNX model: its structure would need more "
                                     "than %d bytes of memory per byte of file",
                        ONNX_ALLOC_FACTOR);
        return fail(err, errlen, "not a valid ONNX model: the protobuf is malformed or "
                                 "truncated");
    }
    bool ok = convert(a, m, out, err, errlen);
    onnx__model_proto__free_unpacked(m, &alloc);
    return ok;
}

#endif
