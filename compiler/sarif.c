/* sarif.c: diagnostics as SARIF 2.1.0, for GitHub code scanning and other
** SARIF viewers.
**
** One run whose tool.driver lists a rule per diagnostic id (rules.def),
** with its descriptions, default level and help; one result per diagnostic,
** located by a URI relative to the working directory and a region whose
** end column is exclusive (netc's spans are already so); the notes become
** related locations. Columns count Unicode code points, which the run says
** with columnKind.
*/
#include "netc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Rule {
    const char *id, *level, *brief, *full, *help;
} Rule;

static const Rule rules[] = {
#define RULE(id, level, brief, full, help) {id, level, brief, full, help},
#include "rules.def"
#undef RULE
};
enum { NRULES = sizeof rules / sizeof *rules };

int rule_count(void) {
    return NRULES;
}

const char *rule_text(int i, int field) {
    const Rule *r = &rules[i];
    const char *f[] = {r->id, r->level, r->brief, r->full, r->help};
    return f[field];
}

static int rule_index(const char *id) {
    for (int i = 0; i < NRULES; i++)
        if (id && strcmp(rules[i].id, id) == 0)
            return i;
    return -1;
}

/* A URI reference for a path: relative to the working directory where the
** path is inside it, percent-encoded. */
static void uri(Buf *b, const char *path) {
    char cwd[4096];
    const char *p = path;
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    path = p;
    bool absolute = path[0] == '/';
    if (absolute && getcwd(cwd, sizeof cwd)) {
        size_t n = strlen(cwd);
        if (strncmp(path, cwd, n) == 0 && path[n] == '/') {
            p = path + n + 1;
            absolute = false;
        }
    }
    Buf u = {0};
    if (absolute)
        buf_puts(&u, "file://");
    for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~/", *s))
            buf_putc(&u, (char)*s);
        else
            buf_printf(&u, "%%%02X", *s);
    }
    json_string(b, u.data ? u.data : "");
    buf_free(&u);
}

static void location(Buf *b, const SourceFile *f, Span s) {
    buf_puts(b, "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
    uri(b, f->display);
    buf_putc(b, '}');
    if (f->onnx_label) {
        /* an ONNX model: no region in a binary file, the node by name */
        const char *node = s.line > 0 && s.line <= f->nlines ? f->onnx_node[s.line] : NULL;
        buf_puts(b, "}");
        if (node) {
            buf_puts(b, ", \"logicalLocations\": [{\"name\": ");
            json_string(b, node);
            buf_puts(b, ", \"kind\": \"object\"}]");
        }
        buf_puts(b, "}");
        return;
    }
    if (s.line > 0) {
        int end_line = s.end_line >= s.line ? s.end_line : s.line;
        int end_col = s.end_col;
        if (end_line == s.line && end_col < s.col)
            end_col = s.col;
        buf_printf(b,
                   ", \"region\": {\"startLine\": %d, \"startColumn\": %d, \"endLine\": %d, "
                   "\"endColumn\": %d}",
                   s.line, s.col, end_line, end_col);
    }
    buf_puts(b, "}}");
}

static void text_obj(Buf *b, const char *key, const char *text) {
    buf_printf(b, "\"%s\": {\"text\": ", key);
    json_string(b, text);
    buf_putc(b, '}');
}

void sarif_write(const Diags *d, const Vec *failures, Buf *b) {
    buf_puts(b, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n");
    buf_puts(b, "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n");
    buf_puts(b, "      \"tool\": {\n        \"driver\": {\n");
    buf_printf(b, "          \"name\": \"netc\",\n          \"version\": \"%s\",\n", NETC_VERSION);
    buf_printf(b, "          \"semanticVersion\": \"%s\",\n", NETC_VERSION);
    buf_puts(b, "          \"rules\": [");
    for (int i = 0; i < NRULES; i++) {
        const Rule *r = &rules[i];
        buf_puts(b, i ? ",\n            {" : "\n            {");
        buf_puts(b, "\"id\": ");
        json_string(b, r->id);
        buf_puts(b, ", ");
        text_obj(b, "shortDescription", r->brief);
        buf_puts(b, ", ");
        text_obj(b, "fullDescription", r->full);
        buf_printf(b, ", \"defaultConfiguration\": {\"level\": \"%s\"}, ", r->level);
        char *help = xmalloc(strlen(r->full) + strlen(r->help) + 8);
        strcpy(help, r->full);
        strcat(help, "\n\n");
        strcat(help, r->help);
        buf_puts(b, "\"help\": {\"text\": ");
        json_string(b, help);
        buf_puts(b, ", \"markdown\": ");
        json_string(b, help);
        free(help);
        buf_puts(b, "}}");
    }
    buf_puts(b, "\n          ]\n        }\n      },\n");
    buf_puts(b, "      \"columnKind\": \"unicodeCodePoints\",\n");
    /* files that could not be read: the run did not check everything */
    buf_printf(b, "      \"invocations\": [{\"executionSuccessful\": %s",
               failures && failures->len ? "false" : "true");
    int notes = 0;
    for (int i = 0; failures && i < failures->len; i++) {
        buf_puts(b, notes++ ? ", " : ", \"toolExecutionNotifications\": [");
        buf_puts(b, "{\"level\": \"error\", ");
        text_obj(b, "message", failures->data[i]);
        buf_putc(b, '}');
    }
    /* files cut at the error limit: their results are not all of their
    ** errors (a file's diagnostics are together in the sorted list) */
    int errors = 0;
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        const Diag *next = i + 1 < d->list.len ? d->list.data[i + 1] : NULL;
        errors += g->sev == SEV_ERROR;
        if (next && next->file == g->file)
            continue;
        if (diag_cut(d, g->file)) {
            buf_puts(b, notes++ ? ", " : ", \"toolExecutionNotifications\": [");
            buf_puts(b, "{\"level\": \"warning\", ");
            Buf msg = {0};
            buf_printf(&msg, "%s: " DIAG_LIMIT_MSG " [" DIAG_LIMIT_ID "]: the results hold its first %d errors",
                       g->file->display, errors);
            text_obj(b, "message", msg.data);
            buf_free(&msg);
            buf_puts(b, ", \"locations\": [");
            location(b, g->file, (Span){0, 0, 0, 0});
            buf_puts(b, "]}");
        }
        errors = 0;
    }
    if (notes)
        buf_putc(b, ']');
    buf_puts(b, "}],\n");
    buf_puts(b, "      \"results\": [");
    int k = 0;
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        if (!g->file)
            continue;
        buf_puts(b, k++ ? ",\n        {" : "\n        {");
        int ri = rule_index(g->id);
        buf_puts(b, "\"ruleId\": ");
        json_string(b, g->id ? g->id : "netc");
        if (ri >= 0)
            buf_printf(b, ", \"ruleIndex\": %d", ri);
        buf_printf(b, ", \"level\": \"%s\", ",
                   g->sev == SEV_ERROR ? "error" : g->sev == SEV_WARNING ? "warning" : "note");
        text_obj(b, "message", g->msg);
        buf_puts(b, ", \"locations\": [");
        location(b, g->file, g->span);
        buf_putc(b, ']');
        if (g->notes.len) {
            buf_puts(b, ", \"relatedLocations\": [");
            for (int n = 0; n < g->notes.len; n++) {
                const Note *note = g->notes.data[n];
                if (n)
                    buf_puts(b, ", ");
                /* a location with an id and a message */
                Buf loc = {0};
                location(&loc, note->file, note->span);
                /* splice id and message into the location object */
                buf_printf(b, "{\"id\": %d, ", n);
                text_obj(b, "message", note->msg);
                buf_puts(b, ", ");
                buf_puts(b, loc.data + 1);
                buf_free(&loc);
            }
            buf_putc(b, ']');
        }
        if (g->layer) {
            buf_puts(b, ", \"properties\": {\"layer\": ");
            json_string(b, g->layer);
            buf_putc(b, '}');
        }
        buf_putc(b, '}');
    }
    buf_puts(b, k ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
}
