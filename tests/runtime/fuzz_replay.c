/* fuzz_replay.c: runs a fuzz target's entry point on saved inputs, without
** libFuzzer, so CI can replay the corpora with any compiler.
**
**     fuzz_rt_*_replay FILE_OR_DIR...
**
** Each file named, and each regular file directly inside each directory
** named (sorted by name, so a failure is reproducible), is read into a
** buffer of exactly its size (ASan then sees a read past the end) and
** handed to LLVMFuzzerTestOneInput. A crash ends the run on the signal;
** otherwise the exit status is 0, or 2 if something could not be read.
*/
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ran, unreadable;

static void replay(const char *path) {
    FILE *fp = fopen(path, "rb");
    struct stat st;
    if (!fp || fstat(fileno(fp), &st) != 0 || st.st_size < 0) {
        fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
        if (fp)
            fclose(fp);
        unreadable++;
        return;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    size_t got = data ? fread(data, 1, size, fp) : 0;
    fclose(fp);
    if (!data || got != size) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        free(data);
        unreadable++;
        return;
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    ran++;
}

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_dir(const char *dir) {
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", dir, strerror(errno));
        unreadable++;
        return;
    }
    char **paths = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **more = realloc(paths, cap * sizeof *paths);
            if (!more)
                break;
            paths = more;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(paths[n] = malloc(len)))
            break;
        snprintf(paths[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(dp);
    if (n > 1)
        qsort(paths, n, sizeof *paths, compare);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
            replay(paths[i]);
        free(paths[i]);
    }
    free(paths);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: replay FILE_OR_DIR...\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            replay_dir(argv[i]);
        else
            replay(argv[i]);
    }
    fprintf(stderr, "replay: %d input%s ran, %d unreadable\n", ran, ran == 1 ? "" : "s",
            unreadable);
    if (ran == 0)
        return 2; /* an empty corpus is a mistake in the test */
    return unreadable ? 2 : 0;
}
