/* child.c: the one way netc runs another program.
**
** netc runs the C compiler (`netc build -o BINARY`), Graphviz's dot
** (`netc graph --format=svg`), the binary it built (`netc run`) and rm.
** They all go through child_run (or child_start and child_wait, for a
** compiler run beside netc's own work), which reports in one way what went wrong
** before or instead of a normal exit: a program that cannot be run (not on
** PATH, not executable), or one killed by a signal, is one line
**
**     netc: error: cannot run 'dot': No such file or directory
**     netc: error: 'cc' was killed by signal 9 (Killed)
**
** on standard error, and -1. A program that runs and exits gives its exit
** status, for the caller to judge. Whether exec failed is learnt through a
** close-on-exec pipe, so the parent knows it without guessing from status
** 127.
*/
#define _POSIX_C_SOURCE 200809L
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static bool write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

bool child_start(char *const argv[], const char *input, size_t len, Child *c) {
    *c = (Child){.pid = -1, .report = -1, .name = argv[0]};
    fflush(stdout);
    fflush(stderr);
    int report[2], feed[2] = {-1, -1};
    if (pipe(report) != 0 || (input && pipe(feed) != 0)) {
        fprintf(stderr, "netc: error: cannot run '%s': %s\n", argv[0], strerror(errno));
        return false;
    }
    fcntl(report[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(report[0]);
        close(report[1]);
        if (input) {
            close(feed[0]);
            close(feed[1]);
        }
        fprintf(stderr, "netc: error: cannot run '%s': %s\n", argv[0], strerror(e));
        return false;
    }
    if (pid == 0) {
        close(report[0]);
        if (input) {
            close(feed[1]);
            if (dup2(feed[0], 0) < 0)
                _exit(127);
            close(feed[0]);
        }
        execvp(argv[0], argv);
        int e = errno;
        if (write(report[1], &e, sizeof e) < 0)
            _exit(127);
        _exit(127);
    }
    close(report[1]);
    if (input) {
        close(feed[0]);
        /* a reader that exits early must not kill netc; it says so by its
        ** status */
        void (*old)(int) = signal(SIGPIPE, SIG_IGN);
        write_all(feed[1], input, len);
        close(feed[1]);
        signal(SIGPIPE, old);
    }
    c->pid = pid;
    c->report = report[0];
    return true;
}

int child_wait(Child *c, bool *not_found) {
    if (not_found)
        *not_found = false;
    if (c->pid < 0)
        return -1;
    int e = 0;
    ssize_t got;
    while ((got = read(c->report, &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(c->report);
    int status;
    pid_t pid = c->pid;
    c->pid = -1;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            if (!c->quiet)
                fprintf(stderr, "netc: error: lost '%s': %s\n", c->name, strerror(errno));
            return -1;
        }
    if (got == (ssize_t)sizeof e) {
        if (!c->quiet)
            fprintf(stderr, "netc: error: cannot run '%s': %s\n", c->name, strerror(e));
        if (not_found)
            *not_found = e == ENOENT;
        return -1;
    }
    if (WIFSIGNALED(status)) {
        if (!c->quiet)
            fprintf(stderr, "netc: error: '%s' was killed by signal %d (%s)\n", c->name,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int child_run(char *const argv[], const char *input, size_t len, bool *not_found) {
    Child c;
    if (!child_start(argv, input, len, &c)) {
        if (not_found)
            *not_found = false;
        return -1;
    }
    return child_wait(&c, not_found);
}

bool child_quiet(char *const argv[]) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
