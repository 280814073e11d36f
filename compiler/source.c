/* source.c: source files and their lines.
**
** A SourceFile owns its text and knows where each line starts, so a
** diagnostic can quote its line under the caret without reading the file
** again. Columns count characters, not bytes (docs/language.md, "Lexical"):
** the lexer counts them as it goes, and the caret line is built from the
** same count.
*/
#define _POSIX_C_SOURCE 200809L
#include "netc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
        if (n > SOURCE_MAX_BYTES) {
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
