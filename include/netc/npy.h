/* netc/npy.h: the input and output files of a standalone netc binary.
**
** A network input is read from a NumPy .npy file (float32, format version
** 1.0, 2.0 or 3.0, C order) or, when the file does not start with the .npy
** magic, from raw little-endian float32 values. The file's shape must fit the
** network's input:
**
**     input (H, W, C):  (H, W, C), (1, H, W, C) or (H·W·C)
**     input (n):        (n) or (1, n)
**
** Outputs are written as float32 .npy files. Every function reports a
** problem as one line in the caller's `err` buffer and returns a status that
** is also the binary's exit code: NETC_EDATA for data of the wrong type,
** shape or size, NETC_EUSAGE for a file that cannot be opened, read or
** written.
**
** C99, libc only. Nothing here allocates except to hold a file being read.
*/
#ifndef NETC_NPY_H
#define NETC_NPY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    NETC_OK = 0,
    NETC_EDATA = 1, /* wrong dtype, shape or size; malformed file */
    NETC_EUSAGE = 2 /* a file that cannot be opened, read or written */
};

#define NETC_NPY_MAX_RANK 32
#define NETC_NPY_MAX_HEADER 1048576 /* bytes of header text netc accepts */

/* What a .npy header says. */
typedef struct netc_npy_header {
    int major, minor;  /* format version */
    char descr[40];    /* the dtype as written ("<f4"), cut to fit */
    int descr_ok;      /* descr is '<f4' or '>f4' */
    int big_endian;    /* descr is '>f4' */
    int fortran_order; /* True in the header */
    int rank;
    size_t dims[NETC_NPY_MAX_RANK];
    size_t count;       /* product of dims; 1 for rank 0 */
    size_t data_offset; /* bytes before the data */
} netc_npy_header;

/* True if buf starts with the .npy magic "\x93NUMPY". */
int netc_npy_is_npy(const unsigned char *buf, size_t len);

/* Parses the header of a .npy file in buf[0..len). Checks the magic, the
** version, the header's length and its Python-literal dictionary (keys
** 'descr', 'fortran_order' and 'shape', nothing else), and that count * 4
** does not overflow. Does not judge the dtype or the data's size. */
int netc_npy_parse_header(const unsigned char *buf, size_t len,
                          netc_npy_header *h, char *err, size_t errlen);

/* Fills dst[0..count) with the network input named `input`, of shape
** dims[0..rank) (rank 1 or 3), from a file's bytes buf[0..len): a .npy
** file, or raw little-endian float32. `file` names the file in messages. */
int netc_input_decode(const unsigned char *buf, size_t len, const char *file,
                      const char *input, int rank, const size_t *dims,
                      float *dst, char *err, size_t errlen);

/* The same, reading the file at `path` ("-": standard input). */
int netc_input_read(const char *path, const char *input, int rank,
                    const size_t *dims, float *dst, char *err, size_t errlen);

/* Reads a float32 .npy file of any shape into a malloc'd buffer (free it),
** its header into *h. NULL on error, with the status in *status. */
float *netc_npy_read(const char *path, netc_npy_header *h, int *status,
                     char *err, size_t errlen);

/* Writes data (product of dims floats) as a float32 .npy file, version
** 1.0, little-endian whatever the host ("-": standard output). */
int netc_npy_write(const char *path, int rank, const size_t *dims,
                   const float *data, char *err, size_t errlen);

/* "(28, 28, 1)" into out (cut to fit cap). */
void netc_shape_text(char *out, size_t cap, int rank, const size_t *dims);

#ifdef __cplusplus
}
#endif

#endif
