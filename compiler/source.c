/* source.c: source files and their lines.
**
** A SourceFile owns its text and knows where each line starts, so a
** diagnostic can quote its line under the caret without reading the file
** again. Columns count characters, not bytes (docs/language.md): the lexer
** counts them as it goes, and the caret line is built from the same count.
**
** A file that is not text at all (an executable, a model or weights file
** passed by mistake) is told apart here before the lexer sees it, as git and
** grep tell binary files: NUL bytes, or mostly bytes that cannot be text, in
** the first 8 KiB, or the signature of a known format. It is then one error
** with a note on what the content looks like, not an error per stray byte.
*/
#define _POSIX_C_SOURCE 200809L
#include "netc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

SourceFile *source_new(Arena *a, const char *path, const char *display,
                       const char *text, size_t len) {
    SourceFile *f = arena_alloc(a, sizeof *f);
    f->path = arena_strdup(a, path);
    f->display = arena_strdup(a, display);
    f->text = text;
    f->len = len;
    int n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    f->line_start = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    f->nlines = n;
    int k = 0;
    f->line_start[k++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            f->line_start[k++] = (int)(i + 1);
    f->line_start[n] = (int)len;
    return f;
}

const char *source_line(const SourceFile *f, int line, int *len) {
    if (!f || line < 1 || line > f->nlines) {
        *len = 0;
        return "";
    }
    int start = f->line_start[line - 1];
    int end = start;
    while ((size_t)end < f->len && f->text[end] != '\n')
        end++;
    if (end > start && f->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return f->text + start;
}

char *read_file(const char *path, size_t *len) {
    return read_file_max(path, SOURCE_MAX_BYTES, len);
}

char *read_file_max(const char *path, size_t max, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        errno = EISDIR;
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n > max) {
            /* /dev/zero, or a file no one wrote by hand */
            free(buf);
            fclose(fp);
            errno = EFBIG;
            return NULL;
        }
        if (n == cap) {
            buf = xrealloc(buf, cap * 2);
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(fp) ? (errno ? errno : EIO) : 0;
    fclose(fp);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    *len = n;
    return buf;
}

/* How much of a file is looked at to tell binary content from text. */
enum { BINARY_PEEK = 8192 };

static bool has_prefix(const unsigned char *p, size_t n, const char *sig, size_t len) {
    return n >= len && memcmp(p, sig, len) == 0;
}

static bool name_ends(const char *name, const char *ext) {
    size_t n = strlen(name), k = strlen(ext);
    return n >= k && strcmp(name + n - k, ext) == 0;
}

/* ONNX is a protobuf ModelProto, whose writers start with field 1
** (ir_version, a small varint: tag 0x08) and go on with field 2 to 8
** (producer name and version, domain, model version, doc string, graph,
** opset imports). A .net file never starts with a backspace. */
static bool looks_onnx(const unsigned char *p, size_t n) {
    if (n < 3 || p[0] != 0x08 || p[1] == 0 || p[1] > 0x7F)
        return false;
    return p[2] == 0x12 || p[2] == 0x1A || p[2] == 0x22 || p[2] == 0x28 || p[2] == 0x32 ||
           p[2] == 0x3A || p[2] == 0x42;
}

/* safetensors: a little-endian u64, the length of the JSON header that
** follows it, which starts with '{'. */
static bool looks_safetensors(const unsigned char *p, size_t n) {
    if (n < 10 || p[8] != '{')
        return false;
    uint64_t len = 0;
    for (int i = 7; i >= 0; i--)
        len = len << 8 | p[i];
    return len >= 2 && len <= n - 8;
}

/* Two-byte units whose high (or low) byte is zero: ASCII as UTF-16. */
static bool looks_utf16(const unsigned char *p, size_t n) {
    if (has_prefix(p, n, "\xFF\xFE", 2) || has_prefix(p, n, "\xFE\xFF", 2))
        return true;
    if (n < 8)
        return false;
    bool le = true, be = true;
    for (size_t i = 0; i + 1 < 8; i += 2) {
        le = le && p[i] >= 0x09 && p[i] < 0x7F && p[i + 1] == 0;
        be = be && p[i] == 0 && p[i + 1] >= 0x09 && p[i + 1] < 0x7F;
    }
    return le || be;
}

#define ONNX_HINT                                                              \
    "this looks like an ONNX model; netc reads networks written in its own "    \
    "language (.net text), not ONNX"

/* What the content looks like and what takes it, NULL if unknown. `strong`:
** the signature alone says it is not a .net file. */
static const char *looks_like(const unsigned char *p, size_t n, const char *name, bool *strong) {
    *strong = true;
    if (has_prefix(p, n, "\x7F" "ELF", 4))
        return "this looks like an ELF executable or library, not a network description";
    if (has_prefix(p, n, "\xFE\xED\xFA\xCE", 4) || has_prefix(p, n, "\xFE\xED\xFA\xCF", 4) ||
        has_prefix(p, n, "\xCE\xFA\xED\xFE", 4) || has_prefix(p, n, "\xCF\xFA\xED\xFE", 4))
        return "this looks like a Mach-O executable or library, not a network description";
    if (looks_onnx(p, n))
        return ONNX_HINT;
    if (looks_safetensors(p, n))
        return "this looks like a safetensors weights file: 'netc build' and 'netc run' "
               "take it with --weights";
    if (has_prefix(p, n, "\x93NUMPY", 6))
        return "this looks like a NumPy .npy array: 'netc run' takes it with --input, and "
               "a binary made by 'netc build' as its input file";
    if (has_prefix(p, n, "PK\x03\x04", 4) && name_ends(name, ".npz"))
        return "this looks like a NumPy .npz archive: 'netc run' takes each array as a "
               ".npy file, with --input";
    if (has_prefix(p, n, "PK\x03\x04", 4))
        return "this looks like a zip archive, as a PyTorch .pt or .pth checkpoint is: "
               "'netc build' and 'netc run' take weights as a safetensors file, with --weights";
    if (n >= 2 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5)
        return "this looks like a Python pickle, as an older PyTorch checkpoint is: "
               "'netc build' and 'netc run' take weights as a safetensors file, with --weights";
    if (has_prefix(p, n, "\x89HDF\r\n\x1A\n", 8))
        return "this looks like an HDF5 file, as a Keras .h5 model is, not a network description";
    if (n >= 8 && memcmp(p + 4, "TFL3", 4) == 0)
        return "this looks like a TensorFlow Lite model, not a network description";
    if (has_prefix(p, n, "\x1F\x8B", 2))
        return "this looks like gzip-compressed data: decompress it first (gunzip)";
    if (has_prefix(p, n, "\x89PNG\r\n\x1A\n", 8))
        return "this looks like a PNG image: 'netc run' takes an image as a .npy array of "
               "float32, (H, W, C)";
    if (has_prefix(p, n, "\xFF\xD8\xFF", 3))
        return "this looks like a JPEG image: 'netc run' takes an image as a .npy array of "
               "float32, (H, W, C)";
    *strong = false;
    if (name_ends(name, ".onnx"))
        return ONNX_HINT;
    if (looks_utf16(p, n))
        return "this looks like UTF-16 text; netc reads UTF-8: convert it with "
               "'iconv -f UTF-16 -t UTF-8'";
    if (has_prefix(p, n, "MZ", 2))
        return "this looks like a Windows executable or DLL, not a network description";
    return NULL;
}

bool source_binary(const SourceFile *f, size_t *at, const char **hint) {
    const unsigned char *p = (const unsigned char *)f->text;
    size_t n = f->len < BINARY_PEEK ? f->len : BINARY_PEEK;
    size_t odd = 0, first = n, seen = 0;
    bool nul = false;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = 1;
        bool text = c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
                    c == 0x1B || (c >= 0x20 && c < 0x7F);
        if (c >= 0x80) {
            int k = utf8_seq(p + i, n - i);
            if (!k && n < f->len && n - i < 4)
                break; /* a character cut by the end of the window */
            text = k > 0;
            len = k > 0 ? (size_t)k : 1;
        }
        if (!text) {
            odd++;
            nul = nul || c == 0;
            if (first == n)
                first = i;
        }
        i += len;
        seen = i;
    }
    bool strong;
    const char *what = looks_like(p, f->len, f->display, &strong);
    /* more than 30% of the bytes, as Perl's -B test counts */
    if (!strong && !nul && odd * 10 <= seen * 3)
        return false;
    *at = first < n ? first : 0;
    *hint = what;
    return true;
}

Span source_span_at(const SourceFile *f, size_t off) {
    int lo = 0, hi = f->nlines - 1; /* the last line starting at or before off */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if ((size_t)f->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    size_t start = (size_t)f->line_start[lo];
    int col = 1 + utf8_len(f->text + start, off - start);
    return (Span){lo + 1, col, lo + 1, col + 1};
}
