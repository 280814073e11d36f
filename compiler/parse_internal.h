/* parse_internal.h: what the scanner, the parser and parse.c share.
**
** The scanner and the parser are reentrant; their one piece of shared
** state is a ParseState for the file being read, reached from the parser's
** parameters and from the scanner's yyextra.
*/
#ifndef NETC_PARSE_INTERNAL_H
#define NETC_PARSE_INTERNAL_H

#include "netc.h"

/* The longest name a file may use, in bytes: names end up in diagnostics,
** in generated C identifiers and in weight file keys. */
#define NAME_MAX_LEN 1024

typedef struct ParseState {
    Program *prog;
    Arena *arena;
    Diags *diags;
    SourceFile *file;
    int errors;
    bool stopped; /* the scanner gave up on the file: no more errors */
    Span last_end, prev_end; /* where the last two tokens ended */
    /* the target of the statement being read, once its '=' is read; NULL
    ** between statements. A statement lost to a syntax error keeps it. */
    Ident *target;
} ParseState;

/* Deeper parentheses are an error that ends the file: no real network
** needs them, and the parser's stack would grow with them. */
#define MAX_PAREN_DEPTH 1000

typedef struct LexState {
    ParseState *ps;
    int line, col;
    int depth;     /* parentheses open */
    int code_line; /* line of the last token that is not a comment; 0: none */
} LexState;

void lex_error(LexState *st, Span loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int64_t lex_int(LexState *st, Span loc, const char *s, size_t n);
double lex_float(LexState *st, Span loc, const char *s, size_t n);
const char *lex_string(LexState *st, Span loc, const char *s, size_t n);
void lex_comment(LexState *st, Span loc, const char *s, size_t n);

#endif
