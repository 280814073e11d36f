/* onnx_cli.c: `netc import`, an ONNX model as a .net file and its weights.
**
**     netc import MODEL.onnx [-o OUT.net] [--weights OUT.safetensors]
**                            [--network NAME] [--input-shape=H,W,C]
**                            [--error-limit=N]
**
** Reads the model (onnx_read.c), imports it (onnx_import.c) and, when every
** node could be imported, writes the two files; otherwise writes nothing and
** lists every node it cannot import, one error each (docs/import.md).
*/
#define _POSIX_C_SOURCE 200809L
#include "onnx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

static const char *import_usage =
    "usage: netc import MODEL.onnx [-o OUT.net] [--weights OUT.safetensors]\n"
    "                   [--network NAME] [--input-shape=H,W,C] [--error-limit=N]\n";

static int usage(const char *fmt, const char *arg) {
    fprintf(stderr, "netc: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", import_usage);
    return EXIT_USAGE;
}

/* PATH with its extension (if any, after the last '/') replaced by EXT. */
static char *with_ext(Arena *a, const char *path, const char *ext) {
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    size_t n = dot && dot != (slash ? slash + 1 : path) ? (size_t)(dot - path) : strlen(path);
    return arena_printf(a, "%.*s%s", (int)n, path, ext);
}

/* The network's name: the model file's base name as a .net name. */
static char *net_name(Arena *a, const char *path) {
    const char *slash = strrchr(path, '/');
    char *s = with_ext(a, slash ? slash + 1 : path, "");
    for (char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            *p = '_';
    }
    if (!*s || (s[0] >= '0' && s[0] <= '9'))
        s = arena_printf(a, "net_%s", s);
    return s;
}

void onnx_print_issue(const char *file, const OnnxIssue *is) {
    if (is->node < 0)
        fprintf(stderr, "%s: error: %s [import]\n", file, is->msg);
    else if (is->name[0])
        fprintf(stderr, "%s: node '%s' (%s): error: %s [import]\n", file, is->name, is->op,
                is->msg);
    else
        fprintf(stderr, "%s: node #%d (%s): error: %s [import]\n", file, is->node, is->op,
                is->msg);
}

/* --input-shape, as every command takes it */
static int64_t input_hwc[3];
static bool have_input_shape;

static bool parse_shape(const char *text, int64_t *hwc) {
    long long h, w, c;
    char tail;
    if (sscanf(text, "%lld,%lld,%lld%c", &h, &w, &c, &tail) != 3 || h < 1 || w < 1 || c < 1)
        return false;
    hwc[0] = h, hwc[1] = w, hwc[2] = c;
    return true;
}

bool onnx_set_input_shape(const char *text) {
    return have_input_shape = parse_shape(text, input_hwc);
}

bool onnx_input_shape_used(const Vec *files) {
    if (!have_input_shape)
        return true;
    for (int k = 0; k < files->len; k++)
        if (onnx_file(files->data[k]))
            return true;
    return false;
}

int onnx_main_import(int argc, char **argv) {
    const char *model = NULL, *out = NULL, *weights = NULL, *network = NULL, *shape = NULL;
    long limit = ERROR_LIMIT_DEFAULT;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        const char *val = NULL;
        if (strcmp(a, "-o") == 0)
            slot = &out;
        else if (strcmp(a, "--weights") == 0)
            slot = &weights;
        else if (strcmp(a, "--network") == 0)
            slot = &network;
        else if (strcmp(a, "--input-shape") == 0)
            slot = &shape;
        else if (strncmp(a, "--weights=", 10) == 0)
            weights = a + 10;
        else if (strncmp(a, "--network=", 10) == 0)
            network = a + 10;
        else if (strncmp(a, "--input-shape=", 14) == 0)
            shape = a + 14;
        else if (strncmp(a, "--error-limit=", 14) == 0) {
            char *end;
            limit = strtol(a + 14, &end, 10);
            if (*end || end == a + 14 || limit < 0)
                return usage("--error-limit takes a count (0: no limit), saw '%s'", a + 14);
        } else if (a[0] == '-' && a[1])
            return usage("unknown option '%s'", a);
        else if (model)
            return usage("import takes one model, saw '%s' too", a);
        else
            model = a;
        if (slot) {
            if (i + 1 >= argc)
                return usage("option '%s' needs a value", a);
            val = argv[++i];
            *slot = val;
        }
    }
    if (!model)
        return usage("%s", "import needs a model file");
    int64_t hwc[3];
    if (shape && !parse_shape(shape, hwc))
        return usage("--input-shape must be three positive integers H,W,C, saw '%s'", shape);
    if (!onnx_available()) {
        fprintf(stderr, "netc: error: ONNX support is not in this build of netc (it needs "
                        "protobuf-c and onnx.proto when netc is configured)\n");
        return EXIT_USAGE;
    }
    size_t len = 0;
    unsigned char *buf = onnx_read_file(model, &len);
    if (!buf) {
        fprintf(stderr, "netc: error: cannot read '%s': %s\n", model, strerror(errno));
        return EXIT_USAGE;
    }
    Arena arena = {0};
    if (!out)
        out = with_ext(&arena, model, ".net");
    if (!weights)
        weights = with_ext(&arena, out, ".safetensors");
    if (!network)
        network = net_name(&arena, model);
    OnnxModel m;
    char err[512];
    int status = 0;
    OnnxImport im = {0};
    if (!onnx_read(&arena, buf, len, &m, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s [import]\n", model, err);
        status = EXIT_INPUT;
    } else if (!onnx_import(&arena, &m, network, shape ? hwc : NULL, &im)) {
        for (int k = 0; k < im.issues.len; k++) {
            if (limit && k == limit) {
                fprintf(stderr, "%s: %s\n", model, DIAG_LIMIT_MSG);
                break;
            }
            onnx_print_issue(model, im.issues.data[k]);
        }
        fprintf(stderr, "%s: %d error%s, nothing written\n", model, im.issues.len,
                im.issues.len == 1 ? "" : "s");
        status = EXIT_INPUT;
    } else {
        FILE *fp = fopen(out, "wb");
        bool ok = fp && fwrite(im.net.data, 1, im.net.len, fp) == im.net.len;
        ok = fp && fclose(fp) == 0 && ok;
        if (!ok) {
            fprintf(stderr, "netc: error: cannot write '%s': %s\n", out, strerror(errno));
            status = EXIT_USAGE;
        } else if (!onnx_write_safetensors(&im, weights, err, sizeof err)) {
            fprintf(stderr, "netc: error: %s\n", err);
            status = EXIT_USAGE;
        }
    }
    buf_free(&im.net);
    free(buf);
    arena_free(&arena);
    return status;
}

/*
** ONNX models where a .net file is expected (check, summary, graph, rf,
** build, run): the model is imported in memory and its text analysed as a
** .net file would be, with each line mapped back to its node for
** diagnostics. One model is kept, so `netc build model.onnx` imports once
** for the network and its weights.
*/

typedef struct Loaded {
    const char *path;
    Arena arena;
    bool read_ok; /* the file was a readable model (else `err`) */
    char err[512];
    OnnxImport im;
    bool imported;
    char weights[64]; /* a temporary safetensors file, "" if none yet */
} Loaded;

static Loaded *loaded;

static void remove_weights(void) {
    if (loaded && loaded->weights[0])
        remove(loaded->weights);
}

bool onnx_file(const char *path) {
    if (strcmp(path, "-") == 0)
        return false;
    size_t n = strlen(path);
    if (n >= 5 && strcmp(path + n - 5, ".onnx") == 0)
        return true;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    unsigned char head[3];
    size_t got = fread(head, 1, sizeof head, fp);
    fclose(fp);
    return onnx_is_model(NULL, head, got);
}

/* Reads and imports the model at path (once); NULL with errno set when the
** file cannot be read. */
static Loaded *load_model(const char *path) {
    if (loaded && strcmp(loaded->path, path) == 0)
        return loaded;
    if (!onnx_available()) {
        Loaded *l = xcalloc(1, sizeof *l);
        l->path = arena_strdup(&l->arena, path);
        snprintf(l->err, sizeof l->err, "ONNX support is not in this build of netc (it needs "
                                        "protobuf-c and onnx.proto when netc is configured)");
        return loaded = l;
    }
    size_t len;
    unsigned char *buf = onnx_read_file(path, &len);
    if (!buf)
        return NULL;
    if (loaded) {
        remove_weights();
        arena_free(&loaded->arena);
        buf_free(&loaded->im.net);
        free(loaded);
    } else {
        atexit(remove_weights);
    }
    Loaded *l = xcalloc(1, sizeof *l);
    l->path = arena_strdup(&l->arena, path);
    OnnxModel m;
    l->read_ok = onnx_read(&l->arena, buf, len, &m, l->err, sizeof l->err);
    free(buf);
    if (l->read_ok) {
        const char *slash = strrchr(path, '/');
        l->imported = onnx_import(&l->arena, &m, net_name(&l->arena, slash ? slash + 1 : path),
                                  have_input_shape ? input_hwc : NULL, &l->im);
    }
    return loaded = l;
}

const char *onnx_weights(const char *path) {
    Loaded *l = load_model(path);
    if (!l)
        return NULL;
    if (!l->weights[0]) {
        strcpy(l->weights, "/tmp/netc-onnx-XXXXXX");
        int fd = mkstemp(l->weights);
        if (fd < 0) {
            l->weights[0] = 0;
            return NULL;
        }
        close(fd);
        char err[512];
        /* a model that did not import gets an empty file: its errors are
        ** reported where the network is loaded */
        if (!onnx_write_safetensors(&l->im, l->weights, err, sizeof err))
            fprintf(stderr, "netc: error: %s\n", err);
    }
    return l->weights;
}

SourceFile *onnx_source(Program *p, const char *path) {
    Loaded *l = load_model(path);
    if (!l)
        return NULL;
    SourceFile *f;
    if (l->imported) {
        f = parse_root(p, path, path, l->im.net.data, l->im.net.len);
    } else {
        /* a line per issue, each a comment, so each maps to its node */
        Buf text = {0};
        int n = l->read_ok ? l->im.issues.len : 0;
        for (int k = 0; k < n; k++)
            buf_puts(&text, "# not imported\n");
        f = parse_root(p, path, path, text.data ? text.data : "", text.len);
        buf_free(&text);
    }
    f->onnx_label = arena_alloc(p->arena, sizeof(char *) * (size_t)(f->nlines + 1));
    f->onnx_node = arena_alloc(p->arena, sizeof(char *) * (size_t)(f->nlines + 1));
    memset(f->onnx_label, 0, sizeof(char *) * (size_t)(f->nlines + 1));
    memset(f->onnx_node, 0, sizeof(char *) * (size_t)(f->nlines + 1));
    if (!l->read_ok) {
        diag_error(p->diags, f, (Span){0, 0, 0, 0}, "import", "%s", l->err);
        return f;
    }
    if (l->imported) {
        for (int k = 0; k < l->im.line_node.len && k < f->nlines; k++) {
            intptr_t node = (intptr_t)l->im.line_node.data[k];
            if (node <= 0)
                continue;
            const char *name = l->im.node_names[node - 1];
            f->onnx_node[k + 1] = name;
            f->onnx_label[k + 1] = l->im.node_labels[node - 1];
        }
        return f;
    }
    for (int k = 0; k < l->im.issues.len; k++) {
        const OnnxIssue *is = l->im.issues.data[k];
        Span s = {k + 1, 1, k + 1, 2};
        if (is->node >= 0) {
            f->onnx_node[k + 1] = is->name[0] ? is->name : arena_printf(p->arena, "#%d", is->node);
            f->onnx_label[k + 1] =
                is->name[0] ? arena_printf(p->arena, "node '%s' (%s)", is->name, is->op)
                            : arena_printf(p->arena, "node #%d (%s)", is->node, is->op);
        } else {
            s = (Span){0, 0, 0, 0};
        }
        diag_error(p->diags, f, s, "import", "%s", is->msg);
    }
    return f;
}
