/* st_writer.h: safetensors files for the tests, built in memory.
**
**   StWriter w;
**   stw_init(&w);
**   stw_add(&w, "conv2d_1.weight", "F32", "32,1,3,3");   values: stw_value(0, k)
**   stw_add(&w, "bn.num_batches_tracked", "I64", "");     a scalar
**   unsigned char *file = stw_finish(&w, &len);           free() it
**
** st_file() wraps a hand-written header (malformed ones included) and a
** data section of `dlen` bytes into a file.
*/
#ifndef NETC_ST_WRITER_H
#define NETC_ST_WRITER_H

#include <stddef.h>

typedef struct StWriter {
    char *json;
    size_t jlen, jcap;
    unsigned char *data;
    size_t dlen, dcap;
    int count;
} StWriter;

void stw_init(StWriter *w);
/* A tensor of the given dtype and shape ("32,1,3,3"; "" for a scalar). F32
** values are stw_value(index of the tensor, k); other dtypes are zeros. */
void stw_add(StWriter *w, const char *name, const char *dtype, const char *shape);
/* Adds `"__metadata__": {...}` verbatim (`obj` is the JSON object). */
void stw_meta(StWriter *w, const char *obj);
/* The file; resets the writer. Pads the header with spaces to 8 bytes, as
** the Python writer does. */
unsigned char *stw_finish(StWriter *w, size_t *len);

/* The k-th float of the tensor added n-th. */
float stw_value(int tensor, size_t k);

/* 8-byte length, `header` as is, `dlen` bytes of data (byte i = i & 0xff). */
unsigned char *st_file(const char *header, size_t dlen, size_t *len);

/* Writes bytes to path; 0 on success. */
int write_bytes(const char *path, const void *buf, size_t len);

#endif
