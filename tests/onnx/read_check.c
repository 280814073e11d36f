/* read_check.c: what the ONNX reader says of each file.
**
**     onnx_read_check FILE...
**
** Prints "NAME: ok (N nodes, M initializers, opset K)" or "NAME: error:
** MESSAGE" per file (NAME without its directory), so a test can pin the
** exact message of each hostile file (hostile.expected). Exit 77 when this
** build has no ONNX support (ctest's skip), 2 when a file cannot be read.
*/
#include "onnx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (!onnx_available()) {
        puts("ONNX support is not in this build");
        return 77;
    }
    for (int k = 1; k < argc; k++) {
        size_t len = 0;
        unsigned char *buf = onnx_read_file(argv[k], &len);
        if (!buf) {
            perror(argv[k]);
            return 2;
        }
        const char *base = strrchr(argv[k], '/');
        base = base ? base + 1 : argv[k];
        Arena a = {0};
        OnnxModel m;
        char err[512];
        if (onnx_read(&a, buf, len, &m, err, sizeof err))
            printf("%s: ok (%d nodes, %d initializers, opset %lld)\n", base, m.nnode, m.ninit,
                   (long long)m.opset);
        else
            printf("%s: error: %s\n", base, err);
        arena_free(&a);
        free(buf);
    }
    return 0;
}
