/* main.c: the `netc` command line (docs/netc.1).
**
** Subcommands in the manner of git: check, summary, graph, rf, build, run
** and help. main.c reads the options, runs the pipeline (pipeline.c) as far
** as the command needs, prints what it was asked for, and exits 0 (success,
** warnings allowed), 1 (the input has errors, or warnings under -Werror) or
** 2 (bad usage, or a file that cannot be read). It does no compiling of its
** own.
*/
#define _POSIX_C_SOURCE 200809L
#include "backend.h"
#include "onnx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

typedef enum { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_DOT, FMT_SVG } Format;

typedef struct Options {
    const char *command;
    Vec files; /* char* */
    const char *network;
    Format format;
    int color; /* -1 auto, 0 never, 1 always */
    WarnConfig warn;
    Budgets budgets;
    const char *output; /* -o FILE */
    const char *layer;  /* rf --layer */
    const char *svg;    /* rf --svg */
    BuildRequest build; /* build */
    Vec inputs;         /* run --input */
    const char *top;    /* run --top */
    Vec outputs;        /* run -o */
    const char *emit;   /* build --emit */
    const char *backend; /* build, run --backend, or NULL */
    bool jit;            /* run: in process, through LLVM's JIT */
    bool have_seed;
    int64_t suggest_lo, suggest_hi; /* check --suggest-input=LO-HI; 0: not asked */
} Options;

static const char *usage_text =
    "usage: netc <command> [options] FILE...\n"
    "\n"
    "commands:\n"
    "  check FILE...     parse and analyse; print diagnostics (the linter for CI)\n"
    "  summary FILE      the layer table: shape, params, MACs, receptive field, memory\n"
    "  graph FILE        the network as Graphviz DOT, or SVG where dot is installed\n"
    "  rf FILE           how one layer's receptive field grew, as text and SVG\n"
    "  build FILE -o OUT C inference code (OUT.c) or a standalone binary (OUT)\n"
    "  run FILE          build and run once: --weights W --input X [--top=K]\n"
    "  import MODEL.onnx an ONNX model as a .net file and its weights\n"
    "  help [TOPIC]      this text, a command's, 'warnings', 'ops' or an op (conv2d)\n"
    "\n"
    "common options:\n"
    "  --network NAME          the network to use, where a file holds several\n"
    "  --color=auto|always|never   colour diagnostics (auto: on a terminal)\n"
    "  --error-limit=N         show at most N errors per file (default 20, 0: all)\n"
    "  --input-shape=H,W,C     an ONNX model's input size, where the model leaves it open\n"
    "  --version               print netc's version\n"
    "\n"
    "FILE may be - for standard input. Exit status: 0 success (warnings allowed),\n"
    "1 the input has errors (or warnings under -Werror), 2 bad usage.\n"
    "'netc help COMMAND' tells more.\n";

/* ORDER: the commands of usage_text */
static const struct {
    const char *name, *text;
} command_help[] = {
    {"check",
     "usage: netc check [options] FILE...\n"
     "\n"
     "Parses and analyses every network of each FILE and reports what is wrong\n"
     "with it, as GCC does (FILE:LINE:COL: SEVERITY: MESSAGE [ID]) on standard\n"
     "error, or as one JSON or SARIF 2.1.0 document on standard output.\n"
     "\n"
     "options:\n"
     "  --format=text|json|sarif    the output (default text)\n"
     "  -Wno-ID, -WID               turn warning ID off or on (-Wno-all: all off)\n"
     "  -Werror, -Werror=ID         make every warning, or warning ID, an error\n"
     "  -Wno-error=ID               keep warning ID a warning under -Werror\n"
     "  --rf-min=F                  rf-coverage: the least fraction of the input a\n"
     "                              final layer must see on each axis (default 0.5)\n"
     "  --max-ram=SIZE              error if the activation memory exceeds SIZE\n"
     "                              (bytes; 512K, 4M, 1G are powers of 1024)\n"
     "  --max-params=N              error if the network has more than N parameters\n"
     "  --max-macs=N                error if it needs more than N multiply-accumulates\n"
     "                              (250K, 4M, 2G are powers of 1000)\n"
     "  --network NAME              check only this network\n"
     "  --error-limit=N             stop a file after N errors (default 20; 0: no\n"
     "                              limit); warnings do not count\n"
     "  --suggest-input=LO-HI       also print the input sizes from LO to HI for\n"
     "                              which every add and concat lines up\n"
     "\n"
     "A comment '# netc: disable=ID,...' after code on a layer's line silences\n"
     "those warnings for that layer; alone on its line, for the next line's layer.\n"
     "'netc help warnings' lists them.\n"},
    {"summary",
     "usage: netc summary [options] FILE\n"
     "\n"
     "Prints the layer table of FILE's network, as Keras' model.summary() does:\n"
     "each layer's output shape, parameters, MACs, receptive field (size and\n"
     "jump), output and weight bytes; then the totals, the weight bytes and the\n"
     "activation memory of the static memory plan beside the naive sum.\n"
     "Diagnostics go to standard error.\n"
     "\n"
     "options:\n"
     "  --format=text|json          the output (default text)\n"
     "  --network NAME              the network, where the file holds several\n"},
    {"import",
     "usage: netc import MODEL.onnx [options]\n"
     "\n"
     "Writes an ONNX model as a .net file and its weights as safetensors with\n"
     "the names the .net file expects. Every node netc cannot express is an\n"
     "error naming the node and its op; then nothing is written. The other\n"
     "commands also take MODEL.onnx directly. docs/import.md lists the ops.\n"
     "\n"
     "options:\n"
     "  -o OUT.net                  the network (default: MODEL.net)\n"
     "  --weights OUT.safetensors   the weights (default: OUT.safetensors)\n"
     "  --network NAME              the network's name (default: from MODEL)\n"
     "  --input-shape=H,W,C         the input's size, where the model leaves it open\n"
     "  --error-limit=N             show at most N errors (default 20, 0: all)\n"},
    {"graph",
     "usage: netc graph [options] FILE\n"
     "\n"
     "Prints the network as a Graphviz graph: a node per layer with its op,\n"
     "output shape and receptive field, edges labelled with tensor shapes,\n"
     "block calls as clusters, layers with warnings highlighted.\n"
     "\n"
     "options:\n"
     "  --format=dot|svg            DOT (default), or SVG drawn by Graphviz's dot\n"
     "  -o FILE                     write to FILE instead of standard output\n"
     "  --network NAME              the network, where the file holds several\n"},
    {"rf",
     "usage: netc rf [options] FILE\n"
     "\n"
     "Shows how a layer's receptive field grew, layer by layer: each window,\n"
     "the field's size, jump and effective padding, and how much of the input\n"
     "the centre unit sees. With --svg, draws the input grid with the field of\n"
     "the centre unit, the fields of the earlier layers nested inside it, and\n"
     "the field of the corner unit.\n"
     "\n"
     "options:\n"
     "  --layer NAME                the layer (default: the last spatial one)\n"
     "  --svg FILE                  also write the picture to FILE\n"
     "  --network NAME              the network, where the file holds several\n"},
    {"build",
     "usage: netc build [options] FILE -o OUT\n"
     "\n"
     "Compiles FILE's network and its weights to C99 inference code that needs\n"
     "only libc and libm and allocates nothing at run time (-o OUT.c writes OUT.c\n"
     "and OUT.h), or to a standalone binary (-o OUT, built with $CC, default cc):\n"
     "    OUT IN.npy... [--top=K] [-o OUT.npy]...\n"
     "\n"
     "options:\n"
     "  --weights FILE              the weights, safetensors with PyTorch's names\n"
     "  --random-weights=SEED       deterministic weights instead, for benchmarks\n"
     "  --allow-extra-weights       tensors the network does not use are warnings\n"
     "  --weights-file=FILE.bin     C output: weights in FILE.bin, loaded at start by\n"
     "                              NAME_load_weights(path), not in the .c file\n"
     "  --emit=c|exe|obj|llvm       the output kind, when -o's extension does not say\n"
     "  --threads=N                 split each layer over a pool of N threads\n"
     "                              (pthreads); 1, the default, needs libc only\n"
     "  --emit=steps                print the lowered program, one step a line (to -o\n"
     "                              FILE or standard output); needs no weights\n"
     "  --backend=c|llvm            the code generator (default c); -o OUT.o\n"
     "                              (--emit=obj) and -o OUT.ll (--emit=llvm) imply\n"
     "                              llvm and write OUT.h too\n"
     "  --target=TRIPLE             LLVM: the target, e.g. aarch64-linux-gnu or\n"
     "                              thumbv7em-none-eabihf (default: the host); a\n"
     "                              binary for it is linked by $CC, a cross compiler\n"
     "  --cpu=NAME                  LLVM: the CPU, e.g. cortex-a72 (default: the\n"
     "                              host's, or the target's generic one)\n"
     "  --network NAME              the network, where the file holds several\n"
     "\n"
     "Environment: CC (default cc), NETC_CFLAGS (default -O3 -march=native where\n"
     "$CC takes it, else -O3), NETC_KEEP_BUILD=1 keeps the generated sources of a\n"
     "binary.\n"},
    {"run",
     "usage: netc run FILE --weights W --input X... [--top=K] [-o OUT.npy]...\n"
     "\n"
     "Compiles FILE's network in process with LLVM's JIT (where netc has the LLVM\n"
     "back end; else, or with --backend=c or --threads=N, as a standalone binary\n"
     "in a temporary directory, built with $CC) and runs it once on the inputs\n"
     "(.npy float32, or raw float32; one --input per network input, in\n"
     "declaration order): prints the output, its K largest values with --top=K,\n"
     "or writes .npy files with -o. --random-weights=SEED may replace --weights.\n"},
};

static int help_warnings(void) {
    fputs("Diagnostic ids (warnings first; -Wno-ID turns a warning off):\n\n", stdout);
    for (int i = 0; i < rule_count(); i++)
        printf("  %-18s %-8s %s\n", rule_text(i, 0), rule_text(i, 1), rule_text(i, 2));
    return 0;
}

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "netc: error: ");
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'netc help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* An unknown id after -W, -Wno-, -Werror= or -Wno-error=: the close ones,
** by the rule of unknown ops (docs/language.md, "Values and attributes"). */
static int unknown_warning(const char *id) {
    Arena a = {0};
    fprintf(stderr, "netc: error: unknown warning id '%s'%s\n", id,
            did_you_mean(&a, id, warn_names, W__COUNT, 3));
    fputs("Try 'netc help' for more information.\n", stderr);
    arena_free(&a);
    return EXIT_USAGE;
}

static int parse_warning_flag(Options *o, const char *flag) {
    const char *id = flag + 2;
    bool on = true, werror = false;
    if (strcmp(id, "error") == 0) {
        for (int i = 0; i < W__COUNT; i++)
            o->warn.werror[i] = true;
        return 0;
    }
    if (strncmp(id, "error=", 6) == 0) {
        id += 6;
        werror = true;
    } else if (strncmp(id, "no-error=", 9) == 0) {
        id += 9;
        int w = warn_lookup(id);
        if (w < 0)
            return unknown_warning(id);
        o->warn.werror[w] = false;
        return 0;
    } else if (strncmp(id, "no-", 3) == 0) {
        id += 3;
        on = false;
    }
    if (strcmp(id, "all") == 0) {
        for (int i = 0; i < W__COUNT; i++) {
            o->warn.enabled[i] = on;
            if (werror)
                o->warn.werror[i] = true;
        }
        return 0;
    }
    int w = warn_lookup(id);
    if (w < 0)
        return unknown_warning(id);
    o->warn.enabled[w] = on;
    if (werror) {
        o->warn.werror[w] = true;
        o->warn.enabled[w] = true;
    }
    return 0;
}

/* The value of `--name=value` or `--name value`; NULL if absent. */
static const char *flag_value(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0') {
        if (*i + 1 >= argc)
            return "";
        return argv[++*i];
    }
    return NULL;
}

static int parse_args(Options *o, Arena *a, int argc, char **argv, int start) {
    for (int i = start; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (strcmp(arg, "-") == 0 || arg[0] != '-') {
            vec_push(a, &o->files, (void *)arg);
        } else if ((v = flag_value(argc, argv, &i, "--format"))) {
            if (strcmp(v, "text") == 0)
                o->format = FMT_TEXT;
            else if (strcmp(v, "json") == 0)
                o->format = FMT_JSON;
            else if (strcmp(v, "sarif") == 0 && strcmp(o->command, "check") == 0)
                o->format = FMT_SARIF;
            else if (strcmp(v, "dot") == 0 && strcmp(o->command, "graph") == 0)
                o->format = FMT_DOT;
            else if (strcmp(v, "svg") == 0 && strcmp(o->command, "graph") == 0)
                o->format = FMT_SVG;
            else if (strcmp(o->command, "graph") == 0)
                return usage_error("unknown format '%s' (expected dot or svg)", v);
            else
                return usage_error(strcmp(o->command, "check") == 0
                                       ? "unknown format '%s' (expected text, json or sarif)"
                                       : "unknown format '%s' (expected text or json)",
                                   v);
        } else if ((v = flag_value(argc, argv, &i, "-o")) ||
                   (v = flag_value(argc, argv, &i, "--output"))) {
            if (!*v)
                return usage_error("%s needs a file name", "-o");
            o->output = v;
            vec_push(a, &o->outputs, (void *)v);
        } else if ((v = flag_value(argc, argv, &i, "--input"))) {
            if (!*v)
                return usage_error("%s needs a file name", "--input");
            vec_push(a, &o->inputs, (void *)v);
        } else if ((v = flag_value(argc, argv, &i, "--top"))) {
            o->top = v;
        } else if ((v = flag_value(argc, argv, &i, "--suggest-input"))) {
            long long lo, hi;
            int used = 0;
            if (sscanf(v, "%lld-%lld%n", &lo, &hi, &used) != 2 || v[used] || lo < 1 || hi < lo ||
                hi - lo > 4095)
                return usage_error("--suggest-input takes a range LO-HI of at most 4096 sizes, "
                                   "like 500-600, saw '%s'", v);
            o->suggest_lo = lo;
            o->suggest_hi = hi;
        } else if ((v = flag_value(argc, argv, &i, "--layer"))) {
            if (!*v)
                return usage_error("%s needs a layer name", "--layer");
            o->layer = v;
        } else if ((v = flag_value(argc, argv, &i, "--svg"))) {
            if (!*v)
                return usage_error("%s needs a file name", "--svg");
            o->svg = v;
        } else if ((v = flag_value(argc, argv, &i, "--weights"))) {
            if (!*v)
                return usage_error("%s needs a file name", "--weights");
            o->build.weights = v;
        } else if ((v = flag_value(argc, argv, &i, "--random-weights"))) {
            char *end;
            errno = 0;
            unsigned long long seed = strtoull(v, &end, 10);
            if (!*v || *end || errno || v[0] == '-')
                return usage_error("--random-weights takes a seed, a non-negative integer, saw '%s'", v);
            o->build.seed = seed;
            o->have_seed = true;
        } else if (strcmp(arg, "--allow-extra-weights") == 0) {
            o->build.allow_extra = true;
        } else if ((v = flag_value(argc, argv, &i, "--weights-file"))) {
            if (!*v)
                return usage_error("%s needs a file name", "--weights-file");
            o->build.weights_file = v;
        } else if ((v = flag_value(argc, argv, &i, "--threads"))) {
            char *end;
            long t = strtol(v, &end, 10);
            if (!*v || *end || t < 1 || t > 64)
                return usage_error("--threads takes a number of threads from 1 to 64, saw '%s'", v);
            o->build.threads = (int)t;
        } else if ((v = flag_value(argc, argv, &i, "--emit"))) {
            o->emit = v;
        } else if ((v = flag_value(argc, argv, &i, "--backend"))) {
            if (strcmp(v, "c") != 0 && strcmp(v, "llvm") != 0)
                return usage_error("unknown back end '%s' (expected c or llvm)", v);
#ifndef NETC_HAVE_LLVM
            if (strcmp(v, "llvm") == 0)
                return usage_error("%s", "this netc has no LLVM back end (it was built with "
                                         "-DNETC_LLVM=OFF or without LLVM); use the C back end "
                                         "(--backend=c)");
#endif
            o->build.llvm = strcmp(v, "llvm") == 0;
            o->backend = v;
        } else if ((v = flag_value(argc, argv, &i, "--target"))) {
            if (!*v)
                return usage_error("%s needs a target triple", "--target");
            o->build.target = v;
        } else if ((v = flag_value(argc, argv, &i, "--cpu"))) {
            if (!*v)
                return usage_error("%s needs a CPU name", "--cpu");
            o->build.cpu = v;
        } else if ((v = flag_value(argc, argv, &i, "--max-ram"))) {
            if ((o->budgets.max_ram = parse_size(v, true)) < 0)
                return usage_error("--max-ram takes a size like 512K, 4M or 1G, saw '%s'", v);
            o->budgets.max_ram_text = v;
        } else if ((v = flag_value(argc, argv, &i, "--max-params"))) {
            if ((o->budgets.max_params = parse_size(v, false)) < 0)
                return usage_error("--max-params takes a count like 250000 or 4M, saw '%s'", v);
            o->budgets.max_params_text = v;
        } else if ((v = flag_value(argc, argv, &i, "--max-macs"))) {
            if ((o->budgets.max_macs = parse_size(v, false)) < 0)
                return usage_error("--max-macs takes a count like 600M or 2G, saw '%s'", v);
            o->budgets.max_macs_text = v;
        } else if ((v = flag_value(argc, argv, &i, "--network"))) {
            if (!*v)
                return usage_error("%s needs a network name", "--network");
            o->network = v;
        } else if ((v = flag_value(argc, argv, &i, "--rf-min"))) {
            char *end;
            errno = 0;
            double f = strtod(v, &end);
            if (!*v || *end || errno || !(f >= 0 && f <= 1))
                return usage_error("--rf-min takes a fraction from 0 to 1, saw '%s'", v);
            o->warn.rf_min = f;
        } else if ((v = flag_value(argc, argv, &i, "--error-limit"))) {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (!*v || *end || errno || n < 0 || n > INT32_MAX)
                return usage_error("--error-limit takes a count of errors (0 for no limit), saw '%s'", v);
            o->warn.error_limit = n ? (int)n : -1;
        } else if ((v = flag_value(argc, argv, &i, "--input-shape"))) {
            if (!onnx_set_input_shape(v))
                return usage_error("--input-shape takes the input's size H,W,C, three positive "
                                   "integers, saw '%s'", v);
        } else if ((v = flag_value(argc, argv, &i, "--color"))) {
            if (strcmp(v, "auto") == 0)
                o->color = -1;
            else if (strcmp(v, "always") == 0)
                o->color = 1;
            else if (strcmp(v, "never") == 0)
                o->color = 0;
            else
                return usage_error("unknown --color '%s' (expected auto, always or never)", v);
        } else if (strncmp(arg, "-W", 2) == 0 && arg[2]) {
            int r = parse_warning_flag(o, arg);
            if (r)
                return r;
        } else {
            return usage_error("unknown option '%s'", arg);
        }
    }
    return 0;
}

static bool use_color(const Options *o) {
    if (o->color >= 0)
        return o->color;
    const char *term = getenv("TERM");
    return isatty(2) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

/* The pipeline (pipeline.c) as the options ask for it. */
static Pipeline pipeline_for(const Options *o, Program *p) {
    return (Pipeline){.p = p, .files = &o->files, .network = o->network, .warn = &o->warn,
                      .budgets = &o->budgets};
}

/* Files that could not be read are usage errors (exit 2), said at once. */
static int report_failures(const Pipeline *pl) {
    for (int i = 0; i < pl->failures.len; i++)
        fprintf(stderr, "netc: error: %s\n", (const char *)pl->failures.data[i]);
    return pl->failures.len ? EXIT_USAGE : EXIT_OK;
}

static void print_diags(const Options *o, Diags *d) {
    diag_sort(d);
    diag_print_text(d, stderr, use_color(o));
}

/* check --suggest-input: the sizes of the range that line every merge up,
** per network, on standard output (suggest.c). */
static void print_suggestions(const Options *o, const Vec *units) {
    for (int i = 0; i < units->len; i++) {
        Graph *g = ((Unit *)units->data[i])->g;
        int64_t sizes[4096];
        int n = valid_input_sizes(g, o->suggest_lo, o->suggest_hi, sizes, 4096);
        if (n < 0) {
            printf("network '%s': no single spatial input to vary\n", g->name);
            continue;
        }
        printf("network '%s': %d input size%s from %lld to %lld line%s every merge up%s", g->name,
               n, n == 1 ? "" : "s", (long long)o->suggest_lo, (long long)o->suggest_hi,
               n == 1 ? "s" : "", n ? ":" : "");
        for (int k = 0; k < n; k++)
            printf("%s %lld", k ? "," : "", (long long)sizes[k]);
        printf("\n");
    }
}

static int cmd_check(Options *o, Program *p) {
    if (o->suggest_lo && o->format != FMT_TEXT)
        return usage_error("%s", "--suggest-input prints text: it goes with --format=text");
    Pipeline pl = pipeline_for(o, p);
    PipeStatus ps = pipeline_run(&pl);
    pipeline_free(&pl);
    int status = report_failures(&pl);
    if (ps == PIPE_NO_SUCH_NETWORK && status == 0)
        return usage_error("no network named '%s'", o->network);
    Vec roots = pl.roots;
    if (o->suggest_lo)
        print_suggestions(o, &pl.units);
    Diags *d = p->diags;
    diag_sort(d);
    if (o->format == FMT_SARIF) {
        Buf b = {0};
        sarif_write(d, &pl.failures, &b);
        fputs(b.data, stdout);
        buf_free(&b);
    } else if (o->format == FMT_JSON) {
        Buf b = {0};
        buf_puts(&b, "{\n  \"version\": 1,\n  \"files\": [");
        /* the files named, then any other file a diagnostic is about */
        Vec files = {0};
        for (int i = 0; i < roots.len; i++) {
            bool dup = false;
            for (int k = 0; k < files.len; k++)
                dup = dup || files.data[k] == roots.data[i];
            if (!dup)
                vec_push(p->arena, &files, roots.data[i]);
        }
        for (int i = 0; i < d->list.len; i++) {
            const Diag *g = d->list.data[i];
            bool dup = !g->file;
            for (int k = 0; k < files.len && !dup; k++)
                dup = files.data[k] == g->file;
            if (!dup)
                vec_push(p->arena, &files, (void *)g->file);
        }
        for (int i = 0; i < files.len; i++) {
            const SourceFile *f = files.data[i];
            buf_puts(&b, i ? ",\n    {\"file\": " : "\n    {\"file\": ");
            json_string(&b, f->display);
            buf_puts(&b, ", \"diagnostics\": ");
            diag_json_list(d, f, &b, 4);
            diag_json_cut(d, f, &b);
            buf_putc(&b, '}');
        }
        buf_puts(&b, files.len ? "\n  ]\n}\n" : "]\n}\n");
        fputs(b.data, stdout);
        buf_free(&b);
    } else {
        diag_print_text(d, stderr, use_color(o));
    }
    if (status)
        return status;
    return d->errors ? EXIT_ERRORS : EXIT_OK;
}

static int one_network(Options *o, Pipeline *pl);

static int summary_of(Options *o, Pipeline *pl) {
    Diags *d = pl->p->diags;
    print_diags(o, d);
    if (d->errors)
        return EXIT_ERRORS;
    const Unit *first = pl->units.data[0];
    if (o->format == FMT_JSON && pl->units.len > 1) {
        fprintf(stderr, "netc: error: '%s' defines %d networks; choose one with --network\n",
                first->g->file->display, pl->units.len);
        return EXIT_USAGE;
    }
    Buf b = {0};
    for (int i = 0; i < pl->units.len; i++) {
        const Unit *u = pl->units.data[i];
        if (!u->planned) {
            fprintf(stderr, "netc: error: network '%s' is too large to plan its memory\n",
                    u->g->name);
            buf_free(&b);
            return EXIT_ERRORS;
        }
        if (o->format == FMT_JSON) {
            summary_json(u->g, &u->plan, &b);
        } else {
            if (pl->units.len > 1)
                buf_printf(&b, "%sNetwork: %s\n", i ? "\n" : "", u->g->name);
            summary_text(u->g, &u->plan, &b);
        }
    }
    fputs(b.data, stdout);
    buf_free(&b);
    return EXIT_OK;
}


static int cmd_summary(Options *o, Program *p) {
    Pipeline pl = pipeline_for(o, p);
    pl.plan = true;
    int status = one_network(o, &pl);
    if (status == EXIT_OK)
        status = summary_of(o, &pl);
    pipeline_free(&pl);
    return status;
}

/* Writes text to the file, or to standard output for NULL or "-". */
static int write_out(const char *path, const char *text) {
    if (!path || strcmp(path, "-") == 0) {
        fputs(text, stdout);
        return EXIT_OK;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "netc: error: cannot write '%s': %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The pipeline on the one file of summary, graph, rf and build: an exit
** status, EXIT_OK when pl->units holds at least one network. */
static int one_network(Options *o, Pipeline *pl) {
    Program *p = pl->p;
    if (o->files.len != 1)
        return usage_error("%s", o->files.len ? arena_printf(p->arena, "%s takes one file", o->command)
                                              : arena_printf(p->arena, "%s needs a file", o->command));
    PipeStatus ps = pipeline_run(pl);
    int status = report_failures(pl);
    if (status)
        return status;
    switch (ps) {
    case PIPE_NO_SUCH_NETWORK:
        return usage_error("no network named '%s'", o->network);
    case PIPE_NO_NETWORK: {
        print_diags(o, p->diags);
        SourceFile *f = pl->roots.data[0];
        /* a file whose errors already say why (binary content, a model that
        ** does not import) gets no second error */
        if (p->diags->errors == 0)
            fprintf(stderr, "netc: error: '%s' defines no network\n", f->display);
        return EXIT_ERRORS;
    }
    case PIPE_MANY_NETWORKS: {
        print_diags(o, p->diags);
        const Unit *u = pl->units.data[0];
        fprintf(stderr, "netc: error: '%s' defines %d networks; choose one with --network\n",
                u->g->file->display, pl->units.len);
        return EXIT_USAGE;
    }
    case PIPE_ERRORS:
    case PIPE_BUILD_FAILED:
        print_diags(o, p->diags);
        return EXIT_ERRORS;
    case PIPE_UNREADABLE: /* reported above */
    case PIPE_OK:
        break;
    }
    return EXIT_OK;
}

/* `dot -Tsvg`, fed the DOT text. */
static int draw_svg(const char *dot, const char *path) {
    bool existed = path && access(path, F_OK) == 0;
    if (path) {
        FILE *probe = fopen(path, "ab");
        if (!probe) {
            fprintf(stderr, "netc: error: cannot write '%s': %s\n", path, strerror(errno));
            return EXIT_USAGE;
        }
        fclose(probe);
    }
    char *argv[] = {"dot", "-Tsvg", path ? "-o" : NULL, (char *)path, NULL};
    bool not_found;
    int rc = child_run(argv, dot, strlen(dot), &not_found);
    if (rc == 0)
        return EXIT_OK;
    if (path && !existed)
        unlink(path);
    if (not_found) {
        fputs("netc: note: --format=svg runs Graphviz's 'dot', which is not installed "
              "(on Debian: apt-get install graphviz); --format=dot prints the graph without it\n",
              stderr);
        return EXIT_USAGE;
    }
    if (rc > 0)
        fprintf(stderr, "netc: error: dot failed (exit status %d)\n", rc);
    return EXIT_ERRORS;
}

static int cmd_graph(Options *o, Program *p) {
    Pipeline pl = pipeline_for(o, p);
    int status = one_network(o, &pl);
    pipeline_free(&pl);
    if (status)
        return status;
    const Graph *g = ((const Unit *)pl.units.data[0])->g;
    print_diags(o, p->diags);
    Buf b = {0};
    dot_write(g, p->diags, &b);
    if (o->format == FMT_SVG)
        status = draw_svg(b.data, o->output && strcmp(o->output, "-") != 0 ? o->output : NULL);
    else
        status = write_out(o->output, b.data);
    buf_free(&b);
    if (status)
        return status;
    return p->diags->errors ? EXIT_ERRORS : EXIT_OK;
}

static int cmd_rf(Options *o, Program *p) {
    Pipeline pl = pipeline_for(o, p);
    int status = one_network(o, &pl);
    pipeline_free(&pl);
    if (status)
        return status;
    const Graph *g = ((const Unit *)pl.units.data[0])->g;
    Diags *d = p->diags;
    print_diags(o, d);
    if (d->errors)
        return EXIT_ERRORS;
    const Node *n = NULL;
    if (o->layer) {
        for (int i = 0; i < g->nodes.len && !n; i++)
            if (strcmp(graph_node(g, i)->name, o->layer) == 0)
                n = graph_node(g, i);
        if (!n)
            return usage_error("no layer named '%s'", o->layer);
    } else {
        n = rfview_default(g);
        if (!n) {
            fprintf(stderr, "netc: error: network '%s' has no spatial layer, so no receptive field to show\n",
                    g->name);
            return EXIT_USAGE;
        }
    }
    const Node *in = n->rf_input >= 0 && n->rf_input < g->inputs.len ? g->inputs.data[n->rf_input] : NULL;
    if (!in || in->shape.rank != 3) {
        fprintf(stderr, "netc: error: '%s' has no spatial receptive field: the network input is flat\n",
                n->name);
        return EXIT_USAGE;
    }
    Buf b = {0};
    rfview_text(g, n, &b);
    fputs(b.data, stdout);
    buf_free(&b);
    if (o->svg) {
        Buf s = {0};
        rfview_svg(g, n, o->warn.rf_min, &s);
        status = write_out(o->svg, s.data);
        buf_free(&s);
    }
    return status;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmd_build(Options *o, Program *p) {
    BuildRequest *r = &o->build;
    /* --emit=steps prints the lowered program: no -o or weights needed
    ** (the weights do not change the steps; seed 0 stands in for them) */
    bool steps = o->emit && strcmp(o->emit, "steps") == 0;
    if (!o->output && !steps)
        return usage_error("%s", "build needs -o OUT (OUT.c for C source, no extension for a binary)");
    r->out = o->output;
    if (!r->weights && !o->have_seed && !steps)
        return usage_error("%s", "build needs --weights FILE.safetensors or --random-weights=SEED");
    if (r->weights && o->have_seed)
        return usage_error("%s", "give --weights or --random-weights, not both");
    if (r->weights && access(r->weights, R_OK) != 0) {
        fprintf(stderr, "netc: error: cannot read '%s': %s\n", r->weights, strerror(errno));
        return EXIT_USAGE;
    }
    const char *emit = o->emit;
    if (!emit)
        emit = ends_with(r->out, ".c") ? "c" : ends_with(r->out, ".o") ? "obj"
               : ends_with(r->out, ".ll") ? "llvm" : "exe";
    if (o->jit)
        r->kind = EMIT_JIT; /* netc run */
    else if (strcmp(emit, "c") == 0)
        r->kind = EMIT_C;
    else if (strcmp(emit, "exe") == 0)
        r->kind = EMIT_EXE;
    else if (steps)
        r->kind = EMIT_STEPS;
#ifdef NETC_HAVE_LLVM
    else if (strcmp(emit, "obj") == 0 || strcmp(emit, "llvm") == 0) {
        r->kind = strcmp(emit, "obj") == 0 ? EMIT_OBJ : EMIT_LLVM;
        if (o->backend && !r->llvm)
            return usage_error("--emit=%s needs the LLVM back end, not --backend=c", emit);
        r->llvm = true;
    }
#else
    else if (strcmp(emit, "obj") == 0 || strcmp(emit, "llvm") == 0)
        return usage_error("--emit=%s needs the LLVM back end, which this netc was built without",
                           emit);
#endif
    else
        return usage_error("unknown --emit '%s' (expected c, exe, obj, llvm or steps)", emit);
    if (r->weights_file && r->kind != EMIT_C)
        return usage_error("%s", "--weights-file goes with C output (-o FILE.c)");
    if (r->llvm && r->kind == EMIT_C)
        return usage_error("%s", "the LLVM back end writes an object (-o OUT.o), textual IR "
                                 "(-o OUT.ll) or a binary (-o OUT), not C");
    if (r->llvm && r->kind == EMIT_STEPS)
        r->llvm = false; /* the steps are the same for both back ends */
    if (r->llvm && r->threads > 1)
        return usage_error("%s", "--threads goes with the C back end; the LLVM back end's code "
                                 "runs on one thread");
    if ((r->target || r->cpu) && r->kind != EMIT_OBJ && r->kind != EMIT_LLVM &&
        !(r->kind == EMIT_EXE && r->llvm))
        return usage_error("%s", "--target and --cpu go with the LLVM back end's object "
                                 "(-o OUT.o), IR (-o OUT.ll) or binary (--backend=llvm -o OUT)");
#ifdef NETC_HAVE_LLVM
    if (r->target) {
        char *why = NULL;
        if (!llvm_check_target(r->target, &why)) {
            Buf known = {0};
            llvm_known_targets(&known);
            fprintf(stderr, "netc: error: unknown target '%s': %s\n"
                            "The architectures this netc knows: %s (the first part of a "
                            "triple, e.g. aarch64-linux-gnu).\n",
                    r->target, why, known.data);
            free(why);
            buf_free(&known);
            return EXIT_USAGE;
        }
    }
    if (r->cpu) {
        Buf known = {0};
        if (!llvm_check_cpu(r->target, r->cpu, &known)) {
            fprintf(stderr, "netc: error: unknown CPU '%s' for %s\nThe CPUs LLVM knows there: %s.\n",
                    r->cpu, r->target ? r->target : "the host", known.data ? known.data : "(none)");
            buf_free(&known);
            return EXIT_USAGE;
        }
        buf_free(&known);
    }
#endif
    if (r->kind == EMIT_C) {
        /* the .c says #include "OUT.h" (a '/' ends the name, so no "*" "/" either) */
        const char *base = strrchr(r->out, '/');
        base = base ? base + 1 : r->out;
        if (strpbrk(base, "\"\\\n"))
            return usage_error("cannot name C source '%s': the name of its header could not be "
                               "#included (no '\"', '\\' or newline)",
                               r->out);
    }
    Pipeline pl = pipeline_for(o, p);
    pl.build = r;
    int status = one_network(o, &pl);
    pipeline_free(&pl);
    if (status)
        return status;
    print_diags(o, p->diags);
    return p->diags->errors ? EXIT_ERRORS : EXIT_OK;
}

#ifdef NETC_HAVE_LLVM
/* netc run's JIT: the analysis' warnings before the run's output. */
static void diags_before_run(void *ctx, Diags *d) {
    print_diags(ctx, d);
    d->list.len = 0;
}
#endif

/* `netc run`: compile in process with LLVM's JIT (where netc has it, and
** without --backend=c), or build a binary into a temporary directory; run
** it once. */
static int cmd_run(Options *o, Program *p) {
    if (o->inputs.len == 0)
        return usage_error("%s", "run needs --input FILE (one per network input)");
#ifdef NETC_HAVE_LLVM
    /* --threads=N (N > 1) without --backend=llvm: the C back end's threads */
    if (o->backend ? strcmp(o->backend, "llvm") == 0 : o->build.threads <= 1) {
        /* the runtime's command line, as the binary would get it */
        char **argv = arena_alloc(p->arena, sizeof(char *) *
                                                (size_t)(o->inputs.len + 2 * o->outputs.len + 3));
        int n = 0;
        argv[n++] = "netc run";
        for (int i = 0; i < o->inputs.len; i++)
            argv[n++] = o->inputs.data[i];
        if (o->top)
            argv[n++] = arena_printf(p->arena, "--top=%s", o->top);
        for (int i = 0; i < o->outputs.len; i++) {
            argv[n++] = "-o";
            argv[n++] = o->outputs.data[i];
        }
        argv[n] = NULL;
        BuildRequest *r = &o->build;
        r->run_argc = n;
        r->run_argv = argv;
        r->llvm = true;
        r->before_run = diags_before_run;
        r->before_ctx = o;
        o->output = "-";
        o->jit = true;
        int status = cmd_build(o, p);
        return status == EXIT_OK ? r->run_status : status;
    }
#endif
    char dir[] = "/tmp/netc-run-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "netc: error: cannot make a temporary directory: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    const char *bin = arena_printf(p->arena, "%s/model", dir);
    Vec outs = o->outputs;
    o->output = bin;
    o->emit = "exe";
    int status = cmd_build(o, p);
    if (status == EXIT_OK) {
        char *argv[64];
        int n = 0;
        argv[n++] = (char *)bin;
        for (int i = 0; i < o->inputs.len && n < 40; i++)
            argv[n++] = o->inputs.data[i];
        if (o->top)
            argv[n++] = arena_printf(p->arena, "--top=%s", o->top);
        for (int i = 0; i < outs.len && n < 60; i++) {
            argv[n++] = "-o";
            argv[n++] = outs.data[i];
        }
        argv[n] = NULL;
        int rc = child_run(argv, NULL, 0, NULL);
        status = rc < 0 ? EXIT_ERRORS : rc;
    }
    unlink(bin);
    rmdir(dir);
    return status;
}

static int cmd_help(int argc, char **argv) {
    if (argc <= 2) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    const char *topic = argv[2];
    if (strcmp(topic, "warnings") == 0 || strcmp(topic, "ids") == 0)
        return help_warnings();
    if (strcmp(topic, "ops") == 0)
        return help_ops(NULL) == 0 ? EXIT_OK : EXIT_USAGE;
    if (op_lookup(topic) >= 0)
        return help_ops(topic) == 0 ? EXIT_OK : EXIT_USAGE;
    for (size_t i = 0; i < sizeof command_help / sizeof *command_help; i++)
        if (strcmp(command_help[i].name, topic) == 0) {
            fputs(command_help[i].text, stdout);
            return EXIT_OK;
        }
    if (strcmp(topic, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    fprintf(stderr,
            "netc: error: no help for '%s' (topics: check, summary, graph, rf, build, run, "
            "import, warnings, ops, or an op's name)\n",
            topic);
    return EXIT_USAGE;
}

int main(int argc, char **argv) {
    /* diagnostics are written a character at a time: buffer them (stderr
    ** is unbuffered), and flush before exit */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("netc %s\n", NETC_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(argc, argv);

    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            char *args[] = {argv[0], "help", (char *)cmd, NULL};
            return cmd_help(3, args);
        }
    if (strcmp(cmd, "import") == 0) /* an ONNX model as .net (onnx_cli.c) */
        return onnx_main_import(argc - 2, argv + 2);

    Arena arena = {0};
    Options o = {.command = cmd, .color = -1};
    if (strcmp(cmd, "graph") == 0)
        o.format = FMT_DOT;
    for (int i = 0; i < W__COUNT; i++)
        o.warn.enabled[i] = true;
    o.warn.rf_min = 0.5;
    o.budgets = (Budgets){-1, -1, -1, NULL, NULL, NULL};
    int status;
    if (strcmp(cmd, "check") != 0 && strcmp(cmd, "summary") != 0 && strcmp(cmd, "graph") != 0 &&
        strcmp(cmd, "rf") != 0 && strcmp(cmd, "build") != 0 && strcmp(cmd, "run") != 0) {
        status = usage_error("unknown command '%s'", cmd);
        arena_free(&arena);
        return status;
    }
    status = parse_args(&o, &arena, argc, argv, 2);
    if (status == 0 && o.files.len == 0)
        status = usage_error("%s needs a file", cmd);
    if (status == 0 && !onnx_input_shape_used(&o.files))
        status = usage_error("--input-shape is for an ONNX model; '%s' is a .net file, whose "
                             "input declares its shape", o.files.data[0]);
    /* an ONNX model carries its weights (onnx_cli.c) */
    if (status == 0 && !o.build.weights && !o.have_seed && onnx_file(o.files.data[0]) &&
        (strcmp(cmd, "build") == 0 || strcmp(cmd, "run") == 0))
        o.build.weights = onnx_weights(o.files.data[0]);
    if (status) {
        arena_free(&arena);
        return status;
    }
    Diags d = {.arena = &arena, .config = &o.warn};
    Program p = {.arena = &arena, .diags = &d};
    d.file_order = &p.files; /* files in command-line order, imports after their importer */
    if (strcmp(cmd, "check") == 0)
        status = cmd_check(&o, &p);
    else if (strcmp(cmd, "summary") == 0)
        status = cmd_summary(&o, &p);
    else if (strcmp(cmd, "graph") == 0)
        status = cmd_graph(&o, &p);
    else if (strcmp(cmd, "build") == 0)
        status = cmd_build(&o, &p);
    else if (strcmp(cmd, "run") == 0)
        status = cmd_run(&o, &p);
    else
        status = cmd_rf(&o, &p);
    fflush(stdout);
    fflush(stderr);
    arena_free(&arena);
    return status;
}
