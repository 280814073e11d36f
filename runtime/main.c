/* main.c: the command line of a standalone netc binary.
**
**     MODEL INPUT... [--top=K] [--threads=N] [--profile] [-o OUT.npy]...
**
** One input file per network input, in declaration order: a float32 .npy
** file or raw little-endian float32, '-' for standard input (npy.c checks
** its shape against the input's). The network runs once; each output is
** printed as text, one value per line (under a "NAME:" line when there are
** several outputs), or with --top=K as the K largest "index score" lines,
** largest first, ties to the lower index; or written to the .npy files of
** -o, one per output in order. --top with -o does both.
**
** Exit status as netc's: 0 ok, 1 bad input data (message names both
** shapes), 2 bad usage (unknown flag, wrong number of files) or a file that
** cannot be read or written. Numbers are printed in the shortest form that
** reads back as the same float.
**
** The inference code allocates nothing; main() mallocs the input and output
** buffers, and npy.c the bytes of the file it is reading.
*/
/* setenv, for --threads */
#define _POSIX_C_SOURCE 200112L
#include "netc/npy.h"
#include "netc/runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *prog = "netc-model";

static void print_usage(FILE *out, const netc_model *m) {
    fprintf(out, "usage: %s INPUT... [--top=K] [-o OUT.npy]...\n", prog);
    (void)m;
}

static int usage_error(const netc_model *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int usage_error(const netc_model *m, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_usage(stderr, m);
    fprintf(stderr, "(%s --help for more)\n", prog);
    return NETC_EUSAGE;
}

static void print_tensor_line(FILE *out, const netc_tensor_info *t, int input) {
    char sh[96], flat[48];
    netc_shape_text(sh, sizeof sh, t->rank, t->dims);
    fprintf(out, "  %-16s %s", t->name, sh);
    if (input) {
        size_t lead[4];
        int i;
        lead[0] = 1;
        for (i = 0; i < t->rank && i < 3; i++)
            lead[i + 1] = t->dims[i];
        netc_shape_text(sh, sizeof sh, t->rank + 1, lead);
        netc_shape_text(flat, sizeof flat, 1, &t->count);
        if (t->rank == 3)
            fprintf(out, ", also %s or %s", sh, flat);
        else
            fprintf(out, ", also %s", sh);
    }
    fputc('\n', out);
}

static void print_help(const netc_model *m) {
    int i;
    print_usage(stdout, m);
    printf("\nRuns the network '%s' once on its input%s and prints its output%s.\n\n", m->name,
           m->n_inputs > 1 ? "s" : "", m->n_outputs > 1 ? "s" : "");
    printf("Inputs, one file each, in this order: float32 .npy (HWC, C order), or raw\n"
           "little-endian float32; '-' reads standard input.\n");
    for (i = 0; i < m->n_inputs; i++)
        print_tensor_line(stdout, &m->inputs[i], 1);
    printf("Outputs:\n");
    for (i = 0; i < m->n_outputs; i++)
        print_tensor_line(stdout, &m->outputs[i], 0);
    printf("\nOptions:\n"
           "  --top=K       print the K largest values of each output, \"index score\",\n"
           "                largest first\n"
           "  -o FILE.npy   write an output to a float32 .npy file instead of printing it;\n"
           "                one -o per output, in order ('-': standard output)\n"
           "  --profile     time each step (its layer, kind, ms, GFLOP/s) on standard\n"
           "                error: the fastest of 5 runs after one to warm up\n"
           "  --threads=N   use at most N threads (no more than the binary was built\n"
           "                with: netc build --threads)\n"
           "  --help        print this help\n"
           "\nExit status: 0 ok, 1 bad input data, 2 bad usage or a file that cannot be\n"
           "read or written.\n");
}

/* The fewest significant digits (%.1g ... %.9g) that read back as v,
** without an exponent below 1e16 (10, not 1e+01). */
static void format_float(char *out, float v) {
    int prec;
    const char *e;
    if (v != v) {
        strcpy(out, "nan");
        return;
    }
    for (prec = 1; prec < 9; prec++) {
        sprintf(out, "%.*g", prec, (double)v);
        if (strtof(out, NULL) == v)
            break;
    }
    sprintf(out, "%.*g", prec, (double)v);
    e = strstr(out, "e+");
    if (e && atoi(e + 2) < 16)
        sprintf(out, "%.*g", atoi(e + 2) + 1, (double)v);
}

typedef struct scored {
    float v;
    size_t i;
} scored;

/* Largest first, NaN last, ties to the lower index: a total order, so the
** result does not depend on qsort. */
static int by_score(const void *a, const void *b) {
    const scored *x = a, *y = b;
    int xn = x->v != x->v, yn = y->v != y->v;
    if (xn != yn)
        return xn - yn;
    if (!xn && x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int print_output(const netc_tensor_info *t, const float *v, size_t top, int label) {
    char num[48];
    size_t i;
    if (label)
        printf("%s:\n", t->name);
    if (!top) {
        for (i = 0; i < t->count; i++) {
            format_float(num, v[i]);
            printf("%s\n", num);
        }
        return NETC_OK;
    }
    {
        scored *s = malloc(t->count ? t->count * sizeof *s : 1);
        if (!s) {
            fprintf(stderr, "%s: error: out of memory\n", prog);
            return NETC_EUSAGE;
        }
        for (i = 0; i < t->count; i++) {
            s[i].v = v[i];
            s[i].i = i;
        }
        qsort(s, t->count, sizeof *s, by_score);
        if (top > t->count)
            top = t->count;
        for (i = 0; i < top; i++) {
            format_float(num, s[i].v);
            printf("%lu %s\n", (unsigned long)s[i].i, num);
        }
        free(s);
    }
    return NETC_OK;
}

/* K of --top=K: a positive decimal integer. */
static int parse_top(const char *s, size_t *out) {
    size_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (v > ((size_t)-1 - 9) / 10)
            return 0;
        v = v * 10 + (size_t)(*s - '0');
    }
    *out = v;
    return v > 0;
}

static const char *plural(int n, const char *one, const char *many) {
    return n == 1 ? one : many;
}

/* "(x, y)" */
static void names(char *out, size_t cap, const netc_tensor_info *t, int n) {
    size_t o = 0;
    int i;
    out[0] = '\0';
    for (i = 0; i < n && o + 1 < cap; i++) {
        int k = snprintf(out + o, cap - o, "%s%s", i ? ", " : "", t[i].name);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

/* --profile: the network's steps, and the clock read after each. */
static const netc_profile *profile;
static double *prof_ms, prof_last;
#define PROFILE_RUNS 5

void netc_set_profile(const netc_profile *p) {
    profile = p;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void prof_hook(int step) {
    double t = now_ms();
    if (prof_ms[step] < 0 || t - prof_last < prof_ms[step])
        prof_ms[step] = t - prof_last;
    prof_last = t;
}

/* Runs the network once to warm up, then PROFILE_RUNS times with the clock
** read after each step; prints each step's fastest time to stderr. */
static void run_profile(const netc_model *m, const float *const *in, float *const *out) {
    int k, r, n = profile ? profile->n_steps : 0;
    double total = 0, flops = 0;
    prof_ms = malloc(sizeof *prof_ms * (size_t)(n + 1));
    if (!prof_ms || !profile) {
        free(prof_ms);
        m->run(in, out);
        return;
    }
    for (k = 0; k < n; k++)
        prof_ms[k] = -1;
    m->run(in, out);
    *profile->hook = prof_hook;
    for (r = 0; r < PROFILE_RUNS; r++) {
        prof_last = now_ms();
        m->run(in, out);
    }
    *profile->hook = 0;
    fprintf(stderr, "%-5s %-28s %-16s %10s %9s\n", "step", "layer", "kind", "ms", "GFLOP/s");
    for (k = 0; k < n; k++) {
        double ms = prof_ms[k] < 0 ? 0 : prof_ms[k];
        total += ms;
        flops += profile->flops[k];
        fprintf(stderr, "%-5d %-28s %-16s %10.3f", k, profile->layers[k], profile->kinds[k], ms);
        if (profile->flops[k] > 0 && ms > 0)
            fprintf(stderr, " %9.1f\n", profile->flops[k] / ms / 1e6);
        else
            fprintf(stderr, " %9s\n", "-");
    }
    fprintf(stderr, "%-5s %-28s %-16s %10.3f", "total", "", "", total);
    if (total > 0)
        fprintf(stderr, " %9.1f\n", flops / total / 1e6);
    else
        fputc('\n', stderr);
    fprintf(stderr, "(each step's fastest of %d runs, after one to warm up)\n", PROFILE_RUNS);
    free(prof_ms);
}

int netc_main(const netc_model *m, int argc, char **argv) {
    const char **files, **outs;
    float **in, **out;
    size_t top = 0;
    int nfiles = 0, nouts = 0, nstdin = 0, i, status = NETC_OK, options = 1, prof = 0;
    char err[1024], list[512];

    if (argc > 0 && argv[0] && argv[0][0]) {
        const char *slash = strrchr(argv[0], '/');
        prog = slash ? slash + 1 : argv[0];
    } else {
        prog = m->name;
    }
    files = malloc(sizeof *files * (size_t)(argc + 1));
    outs = malloc(sizeof *outs * (size_t)(argc + 1));
    if (!files || !outs) {
        fprintf(stderr, "%s: error: out of memory\n", prog);
        free(files);
        free(outs);
        return NETC_EUSAGE;
    }

    for (i = 1; i < argc && status == NETC_OK; i++) {
        const char *a = argv[i];
        if (!options || a[0] != '-' || a[1] == '\0') {
            files[nfiles++] = a;
            nstdin += strcmp(a, "-") == 0;
        } else if (strcmp(a, "--") == 0) {
            options = 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(m);
            free(files);
            free(outs);
            return NETC_OK;
        } else if (strncmp(a, "--top=", 6) == 0 || strcmp(a, "--top") == 0) {
            const char *k = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!k)
                status = usage_error(m, "%s needs a number", a);
            else if (!parse_top(k, &top))
                status = usage_error(m, "--top needs a positive integer, not '%s'", k);
        } else if (strcmp(a, "--profile") == 0) {
            prof = 1;
        } else if (strncmp(a, "--threads=", 10) == 0) {
            /* the generated code's pool reads NETC_THREADS when it starts */
            size_t n;
            if (!parse_top(a + 10, &n) || n > 64)
                status = usage_error(m, "--threads needs a number from 1 to 64, not '%s'", a + 10);
            else
                setenv("NETC_THREADS", a + 10, 1);
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc)
                status = usage_error(m, "%s needs a file name", a);
            else
                outs[nouts++] = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            outs[nouts++] = a + 9;
        } else if (strncmp(a, "-o", 2) == 0) {
            outs[nouts++] = a + 2;
        } else {
            status = usage_error(m, "unknown option '%s'", a);
        }
    }
    if (status == NETC_OK && nfiles != m->n_inputs) {
        names(list, sizeof list, m->inputs, m->n_inputs);
        status = usage_error(m, "'%s' takes %d input %s (%s), %d given", m->name, m->n_inputs,
                             plural(m->n_inputs, "file", "files"), list, nfiles);
    }
    if (status == NETC_OK && nouts != 0 && nouts != m->n_outputs) {
        names(list, sizeof list, m->outputs, m->n_outputs);
        status = usage_error(m, "'%s' has %d %s (%s): give one -o per output, %d given", m->name,
                             m->n_outputs, plural(m->n_outputs, "output", "outputs"), list, nouts);
    }
    if (status == NETC_OK && nstdin > 1)
        status = usage_error(m, "standard input ('-') can feed one input only");
    if (status != NETC_OK) {
        free(files);
        free(outs);
        return status;
    }

    in = calloc((size_t)m->n_inputs + 1, sizeof *in);
    out = calloc((size_t)m->n_outputs + 1, sizeof *out);
    for (i = 0; in && i < m->n_inputs; i++)
        if (!(in[i] = malloc(m->inputs[i].count ? m->inputs[i].count * sizeof(float) : 1)))
            status = NETC_EUSAGE;
    for (i = 0; out && i < m->n_outputs; i++)
        if (!(out[i] = malloc(m->outputs[i].count ? m->outputs[i].count * sizeof(float) : 1)))
            status = NETC_EUSAGE;
    if (!in || !out || status != NETC_OK) {
        fprintf(stderr, "%s: error: out of memory\n", prog);
        status = NETC_EUSAGE;
        goto done;
    }

    /* every input, so that every bad one is reported */
    for (i = 0; i < m->n_inputs; i++) {
        const netc_tensor_info *t = &m->inputs[i];
        int st = netc_input_read(files[i], t->name, t->rank, t->dims, in[i], err, sizeof err);
        if (st != NETC_OK) {
            fprintf(stderr, "%s: error: %s\n", prog, err);
            if (st > status)
                status = st;
        }
    }

    if (status == NETC_OK) {
        if (prof)
            run_profile(m, (const float *const *)in, out);
        else
            m->run((const float *const *)in, out);
        for (i = 0; i < nouts; i++) {
            const netc_tensor_info *t = &m->outputs[i];
            int st = netc_npy_write(outs[i], t->rank, t->dims, out[i], err, sizeof err);
            if (st != NETC_OK) {
                fprintf(stderr, "%s: error: %s\n", prog, err);
                if (st > status)
                    status = st;
            }
        }
        if (nouts == 0 || top > 0)
            for (i = 0; i < m->n_outputs; i++) {
                int st = print_output(&m->outputs[i], out[i], top, m->n_outputs > 1);
                if (st > status)
                    status = st;
            }
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "%s: error: cannot write standard output\n", prog);
            status = NETC_EUSAGE;
        }
    }

done:
    for (i = 0; in && i < m->n_inputs; i++)
        free(in[i]);
    for (i = 0; out && i < m->n_outputs; i++)
        free(out[i]);
    free(in);
    free(out);
    free(files);
    free(outs);
    return status;
}

#ifndef NETC_NO_MAIN
int main(int argc, char **argv) {
    netc_set_profile(&netc_profile_desc);
    return netc_main(&netc_model_desc, argc, argv);
}
#endif
