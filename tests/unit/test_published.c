/* test_published.c: the example networks against tests/published/expected.tsv.
**
** Each row names an example file and network with netc's exact counts
** (params, trainable, non_trainable, MACs) and the figures its source
** publishes. For each row this test analyses the file and checks:
**
**   - the four counts, exactly;
**   - published_params: equal to netc's params for Keras-counted networks
**     (Keras counts batchnorm statistics, as netc does), or to netc's
**     trainable params for torchvision ones (torchvision counts weights and
**     biases only: ResNet-18's non-trainable are the BN running stats);
**   - published_macs ("1.81G", "0.71G", "15.47G", "569M"): netc's MACs
**     rounded to as many digits as the figure shows;
**   - '-' means no published number.
**
** The counts of the table are also checked against a second, independent
** derivation: the per-layer formulas (count.c) worked through by hand
** for each network (the table below), so that a wrong row is caught too.
*/
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NETC_SOURCE_DIR
#error "NETC_SOURCE_DIR must name the source tree"
#endif

typedef struct Row {
    char file[256], network[64];
    int64_t params, trainable, non_trainable, macs;
    char published_params[32], published_macs[32];
    char source[512];
} Row;

/* Worked out by hand from the layer formulas, independently of the TSV:
** e.g. AlexNet: convs 23,296 + 307,392 + 663,936 + 884,992 + 590,080,
** dense 37,752,832 + 16,781,312 + 4,097,000 = 61,100,840 params; MACs
** 70,276,800 + 223,948,800 + 112,140,288 + 149,520,384 + 99,680,256 +
** 37,748,736 + 16,777,216 + 4,096,000 = 714,188,480. */
static const struct {
    const char *network;
    int64_t params, trainable, macs;
} by_hand[] = {
    {"mnist_nopool", 2038922, 2038922, 30636800},
    {"mnist", 93322, 93322, 2794240},
    {"lenet5", 61706, 61706, 416520},
    {"alexnet", 61100840, 61100840, 714188480},
    {"vgg16", 138357544, 138357544, 15470264320LL},
    {"resnet18", 11699112, 11689512, 1814073344},
    {"mobilenet", 4253864, 4231976, 568740352},
    /* not by hand: PyTorch's own counts (tests/published/torch_counts.py:
    ** trainable = sum of parameters(), MACs from conv and linear hooks),
    ** plus 2·C per batchnorm (ShuffleNet 3,976 channels, MobileNet v3
    ** small 6,056, EfficientNet-B0 21,008) */
    {"shufflenet_v2_x0_5", 1374744, 1366792, 40476448},
    {"mobilenet_v3_small", 2554968, 2542856, 56510400},
    {"efficientnet_b0", 5330564, 5288548, 385814752},
    /* the U-Net's PyTorch module (tests/numerics/gen_fixtures.py), 1,472 BN
    ** channels */
    {"unet", 1945538, 1942594, 758382592},
};

static int64_t parse_i64(const char *s) {
    char *end;
    long long v = strtoll(s, &end, 10);
    assert_true(end != s && *end == '\0');
    return (int64_t)v;
}

/* Splits a TSV line into at most n fields, in place. */
static int split(char *line, char **fields, int n) {
    int k = 0;
    char *p = line;
    while (k < n) {
        fields[k++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return k;
}

static int read_rows(Row *rows, int max) {
    const char *path = NETC_SOURCE_DIR "/tests/published/expected.tsv";
    FILE *fp = fopen(path, "r");
    if (!fp)
        print_error("cannot open %s\n", path);
    assert_non_null(fp);
    char line[4096];
    int n = 0;
    bool header = true;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        char *f[9];
        int k = split(line, f, 9);
        assert_int_equal(k, 9);
        if (header) {
            static const char *const names[] = {"file", "network", "params", "trainable",
                                                "non_trainable", "macs", "published_params",
                                                "published_macs", "source"};
            for (int i = 0; i < 9; i++)
                assert_string_equal(f[i], names[i]);
            header = false;
            continue;
        }
        assert_true(n < max);
        Row *r = &rows[n++];
        snprintf(r->file, sizeof r->file, "%.255s", f[0]);
        snprintf(r->network, sizeof r->network, "%.63s", f[1]);
        r->params = parse_i64(f[2]);
        r->trainable = parse_i64(f[3]);
        r->non_trainable = parse_i64(f[4]);
        r->macs = parse_i64(f[5]);
        snprintf(r->published_params, sizeof r->published_params, "%s", f[6]);
        snprintf(r->published_macs, sizeof r->published_macs, "%s", f[7]);
        snprintf(r->source, sizeof r->source, "%s", f[8]);
    }
    fclose(fp);
    return n;
}

/* "1.81G" → "1.81" with scale 10^9; "569M" → "569", 10^6. */
static void split_published(const char *s, char *mantissa, int64_t *scale, int *decimals) {
    size_t n = strlen(s);
    assert_true(n >= 2);
    char unit = s[n - 1];
    *scale = unit == 'G' ? 1000000000LL : unit == 'M' ? 1000000LL : unit == 'K' ? 1000LL : 0;
    assert_true(*scale != 0);
    memcpy(mantissa, s, n - 1);
    mantissa[n - 1] = '\0';
    const char *dot = strchr(mantissa, '.');
    *decimals = dot ? (int)strlen(dot + 1) : 0;
}

/* v / scale rounded half up to `decimals` digits, as text. */
static void round_to(int64_t v, int64_t scale, int decimals, char *out, size_t size) {
    int64_t p = 1;
    for (int i = 0; i < decimals; i++)
        p *= 10;
    int64_t q = (v * p + scale / 2) / scale; /* no overflow for these sizes */
    if (decimals)
        snprintf(out, size, "%lld.%0*lld", (long long)(q / p), decimals, (long long)(q % p));
    else
        snprintf(out, size, "%lld", (long long)q);
}

static void test_round_to(void **state) {
    (void)state;
    char buf[32];
    round_to(1814073344, 1000000000, 2, buf, sizeof buf);
    assert_string_equal(buf, "1.81");
    round_to(714188480, 1000000000, 2, buf, sizeof buf);
    assert_string_equal(buf, "0.71");
    round_to(568740352, 1000000, 0, buf, sizeof buf);
    assert_string_equal(buf, "569");
    round_to(567716352, 1000000, 0, buf, sizeof buf);
    assert_string_equal(buf, "568");
    round_to(1005000000, 1000000000, 2, buf, sizeof buf);
    assert_string_equal(buf, "1.01");
    round_to(1050000000, 1000000000, 1, buf, sizeof buf);
    assert_string_equal(buf, "1.1");
}

static void test_table_rows(void **state) {
    (void)state;
    static Row rows[64];
    int n = read_rows(rows, 64);
    assert_int_equal(n, 11);
    for (int i = 0; i < n; i++) {
        const Row *r = &rows[i];
        /* the row against the derivation by hand */
        bool found = false;
        for (size_t k = 0; k < sizeof by_hand / sizeof *by_hand; k++) {
            if (strcmp(by_hand[k].network, r->network) != 0)
                continue;
            found = true;
            assert_true(r->params == by_hand[k].params);
            assert_true(r->trainable == by_hand[k].trainable);
            assert_true(r->non_trainable == by_hand[k].params - by_hand[k].trainable);
            assert_true(r->macs == by_hand[k].macs);
        }
        if (!found)
            print_error("row %d: no derivation by hand for network %s\n", i + 1, r->network);
        assert_true(found);
        assert_true(r->params == r->trainable + r->non_trainable);
    }
}

static void test_examples(void **state) {
    (void)state;
    static Row rows[64];
    int n = read_rows(rows, 64);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        const Row *r = &rows[i];
        char path[512];
        snprintf(path, sizeof path, "%s/%s", NETC_SOURCE_DIR, r->file);
        TestNet *t = tn_analyse_path(path, r->network);
        if (tn_errors(t))
            print_error("%s:\n%s", r->file, tn_dump(t));
        assert_int_equal(tn_errors(t), 0);
        assert_true(t->g->totals_ok);
        const Graph *g = t->g;
        if (g->params != r->params || g->trainable != r->trainable ||
            g->params - g->trainable != r->non_trainable || g->macs != r->macs)
            print_error("%s: netc %lld / %lld / %lld / %lld, table %lld / %lld / %lld / %lld\n",
                        r->network, (long long)g->params, (long long)g->trainable,
                        (long long)(g->params - g->trainable), (long long)g->macs,
                        (long long)r->params, (long long)r->trainable,
                        (long long)r->non_trainable, (long long)r->macs);
        assert_true(g->params == r->params);
        assert_true(g->trainable == r->trainable);
        assert_true(g->params - g->trainable == r->non_trainable);
        assert_true(g->macs == r->macs);

        /* the published parameter count */
        if (strcmp(r->published_params, "-") != 0) {
            int64_t pub = parse_i64(r->published_params);
            bool torchvision = strstr(r->source, "torchvision") != NULL;
            int64_t ours = torchvision ? g->trainable : g->params;
            if (pub != ours)
                print_error("%s: published %lld, netc %s %lld\n", r->network, (long long)pub,
                            torchvision ? "trainable" : "params", (long long)ours);
            assert_true(pub == ours);
        }
        /* the published MACs, to the digits shown */
        if (strcmp(r->published_macs, "-") != 0) {
            char mantissa[32], ours[32];
            int64_t scale;
            int decimals;
            split_published(r->published_macs, mantissa, &scale, &decimals);
            round_to(g->macs, scale, decimals, ours, sizeof ours);
            if (strcmp(mantissa, ours) != 0)
                print_error("%s: published %s, netc %lld rounds to %s\n", r->network,
                            r->published_macs, (long long)g->macs, ours);
            assert_string_equal(mantissa, ours);
        }
        tn_free(t);
    }
}

/* The rows whose published figures the table must carry. */
static void test_published_columns(void **state) {
    (void)state;
    static Row rows[64];
    int n = read_rows(rows, 64);
    int with_params = 0, with_macs = 0;
    for (int i = 0; i < n; i++) {
        with_params += strcmp(rows[i].published_params, "-") != 0;
        with_macs += strcmp(rows[i].published_macs, "-") != 0;
        if (strcmp(rows[i].network, "resnet18") == 0) {
            assert_string_equal(rows[i].published_params, "11689512");
            assert_string_equal(rows[i].published_macs, "1.81G");
            assert_true(rows[i].non_trainable == 9600); /* 2 · 4,800 BN channels */
        }
        if (strcmp(rows[i].network, "mobilenet") == 0)
            assert_string_equal(rows[i].published_macs, "569M");
    }
    assert_int_equal(with_params, 9);
    assert_int_equal(with_macs, 7);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_to),
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_published_columns),
    };
    return cmocka_run_group_tests_name("published", tests, NULL, NULL);
}
