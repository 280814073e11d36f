/* replay.c: runs the fuzz target on files, without libFuzzer.
**
**     fuzz_replay [--inline] FILE_OR_DIR...
**
** Calls LLVMFuzzerTestOneInput on each file named, and on each regular file
** inside each directory named (not recursively, in name order, so a run is
** reproducible). This is how CI replays the corpus and every crash found so
** far with any compiler, under the sanitizers or not.
**
** Each input runs in a child process, so one crash does not hide the next:
** a signal, a sanitizer's exit (ASan, UBSan and LeakSanitizer exit
** non-zero), or more than NETC_REPLAY_TIMEOUT seconds (default 30) is
** reported with the file's name, and the other inputs still run. Without
** ASan the child's address space is capped at NETC_REPLAY_MAX_MB (default
** 4096), so a runaway allocation fails instead of taking the machine; under
** ASan, ASAN_OPTIONS=hard_rss_limit_mb=N does that (the CMake test sets it).
** --inline runs every input in this process, for a debugger.
**
** Exit status: 0 every input ran cleanly, 1 some input failed, 2 a file
** could not be read or bad usage.
*/
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool run_inline;
static unsigned timeout_s = 30;
static unsigned long max_mb = 4096;
static int unreadable, failed, runs;

static unsigned long env_number(const char *name, unsigned long dflt) {
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    return *end ? dflt : n;
}

/* The whole file, in a buffer of exactly its size, so ASan sees a read
** past the end of the input. NULL if it cannot be read. */
static uint8_t *slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "fuzz_replay: cannot open '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
    }
    int err = ferror(fp);
    fclose(fp);
    uint8_t *exact = buf && !err ? malloc(n ? n : 1) : NULL;
    if (!exact) {
        fprintf(stderr, "fuzz_replay: cannot read '%s'\n", path);
        free(buf);
        return NULL;
    }
    memcpy(exact, buf, n);
    free(buf);
    *len = n;
    return exact;
}

/* In the child: limits, then the one input. */
static void child(const uint8_t *data, size_t len) {
    if (!UNDER_ASAN && max_mb) {
        struct rlimit rl = {(rlim_t)max_mb << 20, (rlim_t)max_mb << 20};
        setrlimit(RLIMIT_AS, &rl);
    }
    signal(SIGALRM, SIG_DFL);
    alarm(timeout_s);
    LLVMFuzzerTestOneInput(data, len);
}

static void run_file(const char *path) {
    size_t len;
    uint8_t *data = slurp(path, &len);
    if (!data) {
        unreadable++;
        return;
    }
    runs++;
    fprintf(stderr, "fuzz_replay: %s (%zu bytes)\n", path, len);
    if (run_inline) {
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "fuzz_replay: fork: %s\n", strerror(errno));
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        return;
    }
    if (pid == 0) {
        child(data, len);
        free(data);
        exit(0); /* LeakSanitizer checks here */
    }
    free(data);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        failed++;
        if (sig == SIGALRM)
            fprintf(stderr, "fuzz_replay: FAIL %s: still running after %u s (a hang?)\n", path,
                    timeout_s);
        else
            fprintf(stderr, "fuzz_replay: FAIL %s: killed by signal %d (%s)\n", path, sig,
                    strsignal(sig));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        failed++;
        fprintf(stderr, "fuzz_replay: FAIL %s: exit status %d (a sanitizer report, a leak, "
                        "or out of memory)\n",
                path, WEXITSTATUS(status));
    }
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir) {
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "fuzz_replay: cannot open '%s': %s\n", dir, strerror(errno));
        unreadable++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(names, cap * sizeof *names);
            if (!more)
                break;
            names = more;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len)))
            break;
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            run_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    timeout_s = (unsigned)env_number("NETC_REPLAY_TIMEOUT", 30);
    max_mb = env_number("NETC_REPLAY_MAX_MB", 4096);
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--inline") == 0) {
        run_inline = true;
        first = 2;
    }
    if (first >= argc) {
        fputs("usage: fuzz_replay [--inline] FILE_OR_DIR...\n", stderr);
        return 2;
    }
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            run_dir(argv[i]);
        else
            run_file(argv[i]);
    }
    fprintf(stderr, "fuzz_replay: %d input%s ran, %d failed, %d could not be read\n", runs,
            runs == 1 ? "" : "s", failed, unreadable);
    if (failed)
        return 1;
    return unreadable ? 2 : 0;
}
