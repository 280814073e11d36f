/* st_writer.c: safetensors files for the tests (see st_writer.h). */
#include "st_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t need) {
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    p = realloc(p, c);
    if (!p) {
        fputs("st_writer: out of memory\n", stderr);
        exit(1);
    }
    *cap = c;
    return p;
}

static void json_put(StWriter *w, const char *s) {
    size_t n = strlen(s);
    w->json = grow(w->json, &w->jcap, w->jlen + n + 1);
    memcpy(w->json + w->jlen, s, n + 1);
    w->jlen += n;
}

void stw_init(StWriter *w) {
    memset(w, 0, sizeof *w);
    json_put(w, "{");
}

float stw_value(int tensor, size_t k) {
    return (float)(tensor + 1) * 100.0f + (float)(k % 1000) * 0.25f;
}

static size_t dtype_size(const char *d) {
    if (strcmp(d, "F64") == 0 || strcmp(d, "I64") == 0 || strcmp(d, "U64") == 0)
        return 8;
    if (strcmp(d, "F32") == 0 || strcmp(d, "I32") == 0 || strcmp(d, "U32") == 0)
        return 4;
    if (strcmp(d, "F16") == 0 || strcmp(d, "BF16") == 0 || strcmp(d, "I16") == 0 ||
        strcmp(d, "U16") == 0)
        return 2;
    return 1;
}

void stw_add(StWriter *w, const char *name, const char *dtype, const char *shape) {
    char buf[512];
    size_t count = 1, size = dtype_size(dtype);
    const char *p = shape;
    while (*p) {
        char *end;
        count *= (size_t)strtoull(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
    }
    size_t nbytes = count * size;
    snprintf(buf, sizeof buf, "%s\"%s\": {\"dtype\": \"%s\", \"shape\": [%s], "
             "\"data_offsets\": [%zu, %zu]}",
             w->jlen > 1 ? ", " : "", name, dtype, shape, w->dlen, w->dlen + nbytes);
    json_put(w, buf);
    w->data = grow(w->data, &w->dcap, w->dlen + nbytes + 1);
    for (size_t k = 0; k < count; k++) {
        unsigned char *q = w->data + w->dlen + k * size;
        if (strcmp(dtype, "F32") == 0) {
            float v = stw_value(w->count, k);
            uint32_t u;
            memcpy(&u, &v, 4);
            for (int b = 0; b < 4; b++)
                q[b] = (unsigned char)(u >> (8 * b)); /* little-endian on any host */
        } else {
            memset(q, 0, size);
        }
    }
    w->dlen += nbytes;
    w->count++;
}

void stw_meta(StWriter *w, const char *obj) {
    if (w->jlen > 1)
        json_put(w, ", ");
    json_put(w, "\"__metadata__\": ");
    json_put(w, obj);
}

unsigned char *stw_finish(StWriter *w, size_t *len) {
    json_put(w, "}");
    while (w->jlen % 8)
        json_put(w, " ");
    size_t n = 8 + w->jlen + w->dlen;
    unsigned char *f = malloc(n ? n : 1);
    if (!f)
        exit(1);
    for (int b = 0; b < 8; b++)
        f[b] = (unsigned char)((uint64_t)w->jlen >> (8 * b));
    memcpy(f + 8, w->json, w->jlen);
    if (w->dlen)
        memcpy(f + 8 + w->jlen, w->data, w->dlen);
    free(w->json);
    free(w->data);
    memset(w, 0, sizeof *w);
    *len = n;
    return f;
}

unsigned char *st_file(const char *header, size_t dlen, size_t *len) {
    size_t h = strlen(header);
    unsigned char *f = malloc(8 + h + dlen);
    if (!f)
        exit(1);
    for (int b = 0; b < 8; b++)
        f[b] = (unsigned char)((uint64_t)h >> (8 * b));
    memcpy(f + 8, header, h);
    for (size_t i = 0; i < dlen; i++)
        f[8 + h + i] = (unsigned char)i;
    *len = 8 + h + dlen;
    return f;
}

int write_bytes(const char *path, const void *buf, size_t len) {
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    size_t put = fwrite(buf, 1, len, fp);
    int bad = fclose(fp) != 0 || put != len;
    return bad ? -1 : 0;
}
