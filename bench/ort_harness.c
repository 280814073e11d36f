/* ort_harness.c: times the C that `netc build` writes, in-process.
 *
 *   harness WEIGHTS.bin IN.bin OUT.bin MIN_MS MIN_RUNS WARMUP_MS
 *
 * Compiled with the code of `netc build NET --random-weights=SEED -o model.c
 * --weights-file=model.bin` by bench/ort.sh:
 *
 *   cc -O3 -march=native -I WORK -DNETC_MODEL_HEADER=\"model.h\"
 *      -DNETC_LOAD=NAME_load_weights -DNETC_RUN_WS=NAME_run_ws
 *      -DNETC_IN=NAME_INPUT_SIZE -DNETC_OUT=NAME_OUTPUT_SIZE
 *      -DNETC_WS=NAME_WORKSPACE_BYTES WORK/model.c bench/ort_harness.c -lm
 *
 * Loads the weights, reads the input (raw little-endian float32, HWC), runs
 * the network untimed for WARMUP_MS milliseconds (one call at least, unless
 * WARMUP_MS is 0), then times NAME_run_ws call by call
 * until at least MIN_RUNS calls and MIN_MS milliseconds have gone by. Prints
 * each call's wall time (CLOCK_MONOTONIC) and the CPU time of the process
 * (CLOCK_PROCESS_CPUTIME_ID: all its threads, without the time spent
 * waiting for a core on a busy machine), in nanoseconds, one call a line,
 * and writes the last output to OUT.bin (raw float32) for
 * bench/ort/bench.mjs to compare with ONNX Runtime's. Exit 1 on any error. Not a test: bench/README.md.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include NETC_MODEL_HEADER

static double now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int read_floats(const char *path, float *v, long n)
{
    FILE *f = fopen(path, "rb");
    long got;
    if (!f) {
        perror(path);
        return -1;
    }
    got = (long)fread(v, sizeof(float), (size_t)n, f);
    fclose(f);
    if (got != n) {
        fprintf(stderr, "%s: %ld floats, expected %ld\n", path, got, n);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static float in[NETC_IN], out[NETC_OUT];
    void *ws = NULL;
    double min_ns, warm_ns, start, *times;
    long min_runs, n, i, cap;
    FILE *f;

    if (argc != 7) {
        fprintf(stderr, "usage: %s WEIGHTS.bin IN.bin OUT.bin MIN_MS MIN_RUNS WARMUP_MS\n", argv[0]);
        return 2;
    }
    if (NETC_LOAD(argv[1]) != 0) {
        fprintf(stderr, "%s: cannot load the weights\n", argv[1]);
        return 1;
    }
    if (read_floats(argv[2], in, NETC_IN) != 0)
        return 1;
    min_ns = atof(argv[4]) * 1e6;
    min_runs = atol(argv[5]);
    warm_ns = atof(argv[6]) * 1e6;
    /* 64-byte aligned, as a caller that cares about speed would give it */
    if (posix_memalign(&ws, 64, NETC_WS > 0 ? (size_t)NETC_WS : 64) != 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    start = now_ns(CLOCK_MONOTONIC);
    if (warm_ns > 0)
        do
            NETC_RUN_WS(in, out, ws);
        while (now_ns(CLOCK_MONOTONIC) - start < warm_ns);

    cap = 1024;
    times = malloc((size_t)cap * 2 * sizeof *times);
    start = now_ns(CLOCK_MONOTONIC);
    for (n = 0; times && (n < min_runs || now_ns(CLOCK_MONOTONIC) - start < min_ns); n++) {
        double c0, t0, t1, c1;
        if (n == cap) {
            double *t = realloc(times, (size_t)(cap *= 2) * 2 * sizeof *times);
            if (!t)
                break;
            times = t;
        }
        /* the CPU clock outside the wall clock: its cost is not in the wall time */
        c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        t0 = now_ns(CLOCK_MONOTONIC);
        NETC_RUN_WS(in, out, ws);
        t1 = now_ns(CLOCK_MONOTONIC);
        c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        times[2 * n] = t1 - t0;
        times[2 * n + 1] = c1 - c0;
    }
    if (!times || n < min_runs) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (i = 0; i < n; i++)
        printf("%.0f %.0f\n", times[2 * i], times[2 * i + 1]);

    f = fopen(argv[3], "wb");
    if (!f || fwrite(out, sizeof(float), NETC_OUT, f) != NETC_OUT || fclose(f) != 0) {
        perror(argv[3]);
        return 1;
    }
    free(times);
    free(ws);
    return 0;
}
