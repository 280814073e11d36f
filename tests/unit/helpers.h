/* helpers.h: what every unit test of netc's front end needs.
**
** A test writes a `.net` file as a string, runs the front end on it up to
** the pass it is about, and looks at the graph and the diagnostics. A
** TestNet owns the arena of one compilation; tn_free releases it all.
**
**   TestNet *t = tn_analyse(SRC, NULL);      parse, resolve, every pass
**   Node *c = tn_node(t, "conv2d_1");        a layer by its full name
**   Diag *e = tn_diag(t, "shape");           the first diagnostic with an id
**
** Diagnostics are kept in report order (not sorted), so "the first" is the
** first reported.
*/
#ifndef NETC_TEST_HELPERS_H
#define NETC_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "netc.h"

typedef struct TestNet {
    Arena arena;
    Diags diags;
    Program prog;
    WarnConfig cfg;   /* all warnings on, none an error, rf_min 0.5 */
    SourceFile *file; /* the root file */
    Graph *g;         /* the network asked for, NULL before resolve */
} TestNet;

/* Parses `len` bytes of `src` as the file "test.net" (no resolve). */
TestNet *tn_parse_len(const char *src, size_t len);
TestNet *tn_parse(const char *src);
/* Parses and resolves the network named `net` (NULL: the first). */
TestNet *tn_resolve(const char *src, const char *net);
/* Parses, resolves and runs every pass with the default warning config. */
TestNet *tn_analyse(const char *src, const char *net);
/* The same with a caller's warning config (copied; also set as the
** Diags' config, as the netc command does). */
TestNet *tn_analyse_cfg(const char *src, const char *net, const WarnConfig *cfg);
/* Parses, resolves and runs the passes of a file on disk. */
TestNet *tn_analyse_path(const char *path, const char *net);
void tn_free(TestNet *t);

/* The default config: every warning on, none an error, rf_min 0.5. */
WarnConfig tn_default_config(void);

/* The network named `name` of the root file, or NULL. */
NetAst *tn_network(TestNet *t, const char *name);
/* A node by its full name, or NULL. */
Node *tn_node(TestNet *t, const char *name);
/* The node; fails the test if there is none. */
Node *tn_must_node(TestNet *t, const char *name);
/* The first diagnostic with id `id` (in report order), or NULL. */
Diag *tn_diag(TestNet *t, const char *id);
/* The n-th (from 0) diagnostic with id `id`, or NULL. */
Diag *tn_diag_nth(TestNet *t, const char *id, int n);
/* The first diagnostic with id `id` whose message equals `msg`, or NULL. */
Diag *tn_diag_msg(TestNet *t, const char *id, const char *msg);
/* How many diagnostics have id `id`. */
int tn_count(TestNet *t, const char *id);
/* How many diagnostics are errors. */
int tn_errors(TestNet *t);
/* How many diagnostics are warnings. */
int tn_warnings(TestNet *t);
/* The n-th diagnostic in report order. */
Diag *tn_diag_at(TestNet *t, int n);
/* All diagnostics as text lines "L:C: SEV: MSG [ID]", for failure messages. */
const char *tn_dump(TestNet *t);

/* Asserts a diagnostic's place. */
#define assert_at(diag, l, c)                                                  \
    do {                                                                       \
        const Diag *d_ = (diag);                                               \
        assert_non_null(d_);                                                   \
        assert_int_equal(d_->span.line, (l));                                  \
        assert_int_equal(d_->span.col, (c));                                   \
    } while (0)

/* Asserts the three spatial or the one flat dimension of a node. */
#define assert_shape3(node, h, w, c)                                           \
    do {                                                                       \
        const Node *n_ = (node);                                               \
        assert_non_null(n_);                                                   \
        assert_int_equal(n_->shape.rank, 3);                                   \
        assert_int_equal(n_->shape.d[0], (h));                                 \
        assert_int_equal(n_->shape.d[1], (w));                                 \
        assert_int_equal(n_->shape.d[2], (c));                                 \
    } while (0)
#define assert_shape1(node, len)                                               \
    do {                                                                       \
        const Node *n_ = (node);                                               \
        assert_non_null(n_);                                                   \
        assert_int_equal(n_->shape.rank, 1);                                   \
        assert_int_equal(n_->shape.d[0], (len));                               \
    } while (0)

/* Asserts a field on one axis (0: rows, 1: columns). */
#define assert_field(node, ax, r, j, p)                                        \
    do {                                                                       \
        const Node *n_ = (node);                                               \
        assert_non_null(n_);                                                   \
        assert_int_equal(n_->rf[ax].size, (r));                                \
        assert_int_equal(n_->rf[ax].jump, (j));                                \
        assert_int_equal(n_->rf[ax].pad, (p));                                 \
    } while (0)

/* Asserts that there are no errors, printing them if there are. */
#define assert_no_errors(t)                                                    \
    do {                                                                       \
        TestNet *t_ = (t);                                                     \
        if (tn_errors(t_) != 0)                                                \
            print_error("%s", tn_dump(t_));                                    \
        assert_int_equal(tn_errors(t_), 0);                                    \
    } while (0)

/* Asserts the number of diagnostics with an id, printing all of them if the
** count is off. */
#define assert_count(t, id, n)                                                 \
    do {                                                                       \
        TestNet *t_ = (t);                                                     \
        if (tn_count(t_, (id)) != (n))                                         \
            print_error("%s", tn_dump(t_));                                    \
        assert_int_equal(tn_count(t_, (id)), (n));                             \
    } while (0)

#endif
