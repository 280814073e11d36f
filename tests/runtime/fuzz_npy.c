/* fuzz_npy.c: libFuzzer entry point for the runtime's .npy reader.
**
** Each input is parsed as a .npy header, then decoded as the input of a
** few network shapes ((2, 2, 3), (4), (1, 1, 1)): as a .npy file when it
** has the magic, as raw float32 otherwise. A decoded input writes exactly
** its element count into a buffer that ASan guards.
**
** By hand, from the repository root:
**
**     clang -g -O1 -std=c99 -fsanitize=fuzzer,address,undefined -Iinclude \
**         tests/runtime/fuzz_npy.c runtime/npy.c -o build-rt-fuzz/fuzz_npy
**     build-rt-fuzz/fuzz_npy -max_total_time=120 CORPUS_COPY tests/runtime/corpus/npy
**
** CI replays the corpus with fuzz_replay.c (ctest runtime_fuzz_npy).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netc/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const uint8_t *data, size_t size, int rank, const size_t *dims, size_t count) {
    float *dst = malloc(count * sizeof(float)); /* exact size: ASan sees an overrun */
    char err[512];
    err[0] = '\0';
    if (!dst)
        return;
    if (netc_input_decode(data, size, "fuzz.npy", "x", rank, dims, dst, err, sizeof err) ==
        NETC_OK) {
        size_t i;
        unsigned nan = 0;
        for (i = 0; i < count; i++)
            nan += dst[i] != dst[i];
        (void)nan;
    } else if (strlen(err) == 0) {
        abort(); /* a refusal always says why */
    }
    free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t hwc[3] = {2, 2, 3}, flat[1] = {4}, one[3] = {1, 1, 1};
    netc_npy_header h;
    char err[512];
    err[0] = '\0';
    if (netc_npy_parse_header(data, size, &h, err, sizeof err) == NETC_OK) {
        if (h.data_offset > size || h.rank < 0 || h.rank > NETC_NPY_MAX_RANK)
            abort();
        if (memchr(h.descr, '\0', sizeof h.descr) == NULL)
            abort(); /* descr is always terminated */
    } else if (strlen(err) == 0) {
        abort();
    }
    decode(data, size, 3, hwc, 12);
    decode(data, size, 1, flat, 4);
    decode(data, size, 3, one, 1);
    return 0;
}
