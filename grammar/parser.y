/* parser.y: the grammar of the .net language (docs/language.md), building
** the syntax tree of netc.h.
**
** A pure parser with locations, driven by the reentrant scanner of
** lexer.l. Every node it builds carries its Span. A syntax error is
** reported as "expected X, saw Y" at the token that did not fit, then the
** parser skips to the next ';' (a statement) or '}' (a network or block)
** and goes on, so every error of a file is reported. %expect 0: the grammar
** has no conflicts, and any change that adds one fails the build.
**
** Nesting is bounded by YYMAXDEPTH: a file of 200,000 '(' gets one located
** error, not a stack overflow.
*/
%code requires {
#include "netc.h"
typedef void *yyscan_t;
typedef struct ParseState ParseState;
}

%code provides {
int netc_yylex(NETC_YYSTYPE *lvalp, NETC_YYLTYPE *llocp, yyscan_t scanner);
}

%code {
#include "parse_internal.h"

#include <math.h>
#include <string.h>

#define YYMAXDEPTH 5000
#define YYINITDEPTH 200

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                            \
    do {                                                                       \
        if (N) {                                                               \
            (Cur).line = YYRHSLOC(Rhs, 1).line;                                \
            (Cur).col = YYRHSLOC(Rhs, 1).col;                                  \
            (Cur).end_line = YYRHSLOC(Rhs, N).end_line;                        \
            (Cur).end_col = YYRHSLOC(Rhs, N).end_col;                          \
        } else {                                                               \
            (Cur).line = (Cur).end_line = YYRHSLOC(Rhs, 0).end_line;           \
            (Cur).col = (Cur).end_col = YYRHSLOC(Rhs, 0).end_col;              \
        }                                                                      \
    } while (0)

static void yyerror(Span *loc, yyscan_t scanner, ParseState *ps, const char *msg);

/* Every token passes here, so the parser knows where the one before the
** lookahead ended: "expected ';'" is reported there, not on the next line. */
static int tracked_lex(NETC_YYSTYPE *lval, Span *loc, yyscan_t scanner, ParseState *ps) {
    int tok = netc_yylex(lval, loc, scanner);
    ps->prev_end = ps->last_end;
    ps->last_end = (Span){loc->end_line, loc->end_col, loc->end_line, loc->end_col};
    return tok;
}
#define netc_yylex(lval, loc, scanner) tracked_lex(lval, loc, scanner, ps)
static Expr *mk_expr(ParseState *ps, ExprKind k, Span s);
static Expr *mk_bin(ParseState *ps, ExprKind k, Span s, Expr *l, Expr *r);
static Ident *mk_ident(ParseState *ps, const char *name, Span s);
/* A quoted name: not empty, no white space and no control character (it
** becomes a state_dict key and a comment in generated C); no quote or
** backslash, so that it prints as written. */
static const char *quoted_name(ParseState *ps, const char *s, Span at) {
    const char *why = NULL;
    if (!*s)
        why = "a quoted name cannot be empty";
    for (const unsigned char *p = (const unsigned char *)s; *p && !why; p++)
        if (*p <= ' ' || *p == 0x7F)
            why = "a quoted name cannot hold white space or control characters";
        else if (*p == '"' || *p == '\\')
            why = "a quoted name cannot hold '\"' or '\\'";
    if (!why && strlen(s) > NAME_MAX_LEN)
        why = arena_printf(ps->arena, "name is %zu characters long; the longest allowed is %d",
                           strlen(s), NAME_MAX_LEN);
    if (why) {
        diag_error(ps->diags, ps->file, at, "syntax", "%s", why);
        ps->errors++;
        return arena_printf(ps->arena, "?%d:%d", at.line, at.col); /* unique: no cascade */
    }
    return s;
}

static Stmt *mk_call(ParseState *ps, Stmt *args, Ident callee, Span s);
static void mark_inline(ParseState *ps, Stmt *st, const char *word, Span at);
static void add_arg(ParseState *ps, Stmt *st, Ident *pos, Kwarg *kw, Span s);
}

%define api.pure full
%define api.prefix {netc_yy}
%define api.location.type {Span}
%define parse.error custom
%locations
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {ParseState *ps}
%expect 0

%union {
    int64_t num;
    double real;
    const char *str;
    Expr *expr;
    Ident *ident;
    Kwarg *kwarg;
    Stmt *stmt;
    Vec *vec;
    Param *param;
    Block *block;
}

%token <str> IDENT "identifier"
%token <str> NAME "dotted name"
%token <num> INT "integer"
%token <real> FLOAT "number"
%token <str> STRING "string"
%token NETWORK "'network'"
%token BLOCK "'block'"
%token RETURN "'return'"
%token OUTPUT "'output'"
%token IMPORT "'import'"
%token TRUE "'true'"
%token FALSE "'false'"

%type <expr> expr atom
%type <vec> exprs stmts names tparams vparams
%type <ident> name target
%type <stmt> stmt call args
%type <param> vparam
%type <block> params
%type <num> mark

%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

/* file := item* */
file:
      %empty
    | file item
    ;

/* item := 'import' STRING ';' | 'network' ... | 'block' ... */
item:
      IMPORT STRING ';'
        {
            Import *im = arena_alloc(ps->arena, sizeof *im);
            im->span = @$;
            im->path = $2;
            vec_push(ps->arena, &ps->file->imports, im);
        }
    | NETWORK IDENT '{' mark stmts '}'
        {
            NetAst *n = arena_alloc(ps->arena, sizeof *n);
            n->id = (Ident){$2, @2};
            n->span = @$;
            n->stmts = *$5;
            n->had_errors = ps->errors > $4;
            n->file = ps->file;
            vec_push(ps->arena, &ps->file->networks, n);
        }
    | NETWORK IDENT '{' mark stmts error '}'
        {
            /* a statement that runs into the '}': keep what was read */
            NetAst *n = arena_alloc(ps->arena, sizeof *n);
            n->id = (Ident){$2, @2};
            n->span = @$;
            n->stmts = *$5;
            n->had_errors = true;
            n->file = ps->file;
            vec_push(ps->arena, &ps->file->networks, n);
            ps->target = NULL;
            yyerrok;
        }
    | BLOCK IDENT '(' params ')' '{' stmts RETURN name ';' '}'
        {
            Block *b = $4;
            b->id = (Ident){$2, @2};
            b->span = @$;
            b->stmts = *$7;
            b->ret = *$9;
            b->file = ps->file;
            vec_push(ps->arena, &ps->file->blocks, b);
        }
    | BLOCK IDENT '(' params ')' '{' stmts '}'
        {
            diag_error(ps->diags, ps->file, @8, "syntax",
                       "expected 'return NAME;' before '}' at the end of block '%s'", $2);
            ps->errors++;
            vec_push(ps->arena, &ps->file->broken, (void *)$2);
        }
    | BLOCK IDENT '(' params ')' '{' stmts error '}'
        {
            /* its calls are not unknown ops: the error above says why */
            vec_push(ps->arena, &ps->file->broken, (void *)$2);
            ps->target = NULL;
            yyerrok;
        }
    | IMPORT error ';'
        { ps->target = NULL; yyerrok; }
    | error '}'
        { ps->target = NULL; yyerrok; }
    ;

/* the error count where a network's body starts */
mark:
      %empty { $$ = ps->errors; }
    ;

/* params := IDENT (',' IDENT)* [',' '*' (',' IDENT ['=' expr])*] */
params:
      tparams
        {
            $$ = arena_alloc(ps->arena, sizeof(Block));
            $$->tparams = *$1;
        }
    | tparams ',' '*' vparams
        {
            $$ = arena_alloc(ps->arena, sizeof(Block));
            $$->tparams = *$1;
            $$->vparams = *$4;
        }
    ;

tparams:
      IDENT
        {
            $$ = arena_alloc(ps->arena, sizeof(Vec));
            Param *p = arena_alloc(ps->arena, sizeof *p);
            p->id = (Ident){$1, @1};
            vec_push(ps->arena, $$, p);
        }
    | tparams ',' IDENT
        {
            $$ = $1;
            Param *p = arena_alloc(ps->arena, sizeof *p);
            p->id = (Ident){$3, @3};
            vec_push(ps->arena, $$, p);
        }
    ;

vparams:
      %empty
        { $$ = arena_alloc(ps->arena, sizeof(Vec)); }
    | vparams ',' vparam
        { $$ = $1; vec_push(ps->arena, $$, $3); }
    ;

vparam:
      IDENT
        {
            $$ = arena_alloc(ps->arena, sizeof(Param));
            $$->id = (Ident){$1, @1};
        }
    | IDENT '=' expr
        {
            $$ = arena_alloc(ps->arena, sizeof(Param));
            $$->id = (Ident){$1, @1};
            $$->def = $3;
        }
    ;

stmts:
      %empty
        { $$ = arena_alloc(ps->arena, sizeof(Vec)); }
    | stmts stmt
        { $$ = $1; if ($2) vec_push(ps->arena, $$, $2); }
    ;

/* stmt := [NAME '='] call ';' | 'output' NAME (',' NAME)* ';' */
stmt:
      target call ';'
        {
            $$ = $2; $$->target = *$1; $$->span = @$;
            $$->span.end_line = @2.end_line; $$->span.end_col = @2.end_col;
            ps->target = NULL;
        }
    | call ';'
        { $$ = $1; $$->span = @1; ps->target = NULL; }
    | OUTPUT names ';'
        {
            $$ = arena_alloc(ps->arena, sizeof(Stmt));
            $$->kind = S_OUTPUT;
            $$->span = @$;
            $$->args = *$2;
        }
    | error ';'
        {
            /* a statement `name = ...` keeps its name, so that its uses are
            ** no second error */
            $$ = NULL;
            if (ps->target) {
                $$ = arena_alloc(ps->arena, sizeof(Stmt));
                $$->kind = S_LOST;
                $$->target = *ps->target;
                $$->span = @$;
            }
            ps->target = NULL;
            yyerrok;
        }
    ;

/* target := name '=' */
target:
      name '='
        { $$ = $1; ps->target = $1; }
    ;

names:
      name
        { $$ = arena_alloc(ps->arena, sizeof(Vec)); vec_push(ps->arena, $$, $1); }
    | names ',' name
        { $$ = $1; vec_push(ps->arena, $$, $3); }
    ;

/* name := IDENT | NAME | STRING
** A quoted name holds what an identifier cannot ("block1-0"), for
** state_dict names that PyTorch modules give their layers. */
name:
      IDENT  { $$ = mk_ident(ps, $1, @1); }
    | NAME   { $$ = mk_ident(ps, $1, @1); }
    | STRING { $$ = mk_ident(ps, quoted_name(ps, $1, @1), @1); }
    ;

/* call := ['inline'] IDENT '(' [arg (',' arg)*] ')'
** `inline` is a word only here, before a callee: a block called inline
** gives its layers the caller's prefix, adding no level to their names. */
call:
      IDENT '(' ')'
        { $$ = mk_call(ps, NULL, (Ident){$1, @1}, @$); }
    | IDENT '(' args ')'
        { $$ = mk_call(ps, $3, (Ident){$1, @1}, @$); }
    | IDENT IDENT '(' ')'
        { $$ = mk_call(ps, NULL, (Ident){$2, @2}, @$); mark_inline(ps, $$, $1, @1); }
    | IDENT IDENT '(' args ')'
        { $$ = mk_call(ps, $4, (Ident){$2, @2}, @$); mark_inline(ps, $$, $1, @1); }
    ;

/* arg := NAME | IDENT '=' expr */
args:
      name
        { $$ = arena_alloc(ps->arena, sizeof(Stmt)); add_arg(ps, $$, $1, NULL, @1); }
    | IDENT '=' expr
        {
            $$ = arena_alloc(ps->arena, sizeof(Stmt));
            Kwarg *k = arena_alloc(ps->arena, sizeof *k);
            k->key = (Ident){$1, @1};
            k->value = $3;
            add_arg(ps, $$, NULL, k, @$);
        }
    | args ',' name
        { $$ = $1; add_arg(ps, $$, $3, NULL, @3); }
    | args ',' IDENT '=' expr
        {
            $$ = $1;
            Kwarg *k = arena_alloc(ps->arena, sizeof *k);
            k->key = (Ident){$3, @3};
            k->value = $5;
            add_arg(ps, $$, NULL, k, @3);
        }
    ;

/* expr := sum; sum := product (('+' | '-') product)*; ... */
expr:
      expr '+' expr             { $$ = mk_bin(ps, E_ADD, @$, $1, $3); }
    | expr '-' expr             { $$ = mk_bin(ps, E_SUB, @$, $1, $3); }
    | expr '*' expr             { $$ = mk_bin(ps, E_MUL, @$, $1, $3); }
    | expr '/' expr             { $$ = mk_bin(ps, E_DIV, @$, $1, $3); }
    | '-' expr %prec UMINUS     { $$ = mk_bin(ps, E_NEG, @$, $2, NULL); }
    | atom
    ;

/* atom := INT | FLOAT | 'true' | 'false' | IDENT | '(' expr ')'
**       | '(' expr ',' [expr (',' expr)*] ')' */
atom:
      INT       { $$ = mk_expr(ps, $1 < 0 ? E_ERROR : E_INT, @$); $$->i = $1; }
    | FLOAT     { $$ = mk_expr(ps, isnan($1) ? E_ERROR : E_FLOAT, @$); $$->f = $1; }
    | TRUE      { $$ = mk_expr(ps, E_BOOL, @$); $$->i = 1; }
    | FALSE     { $$ = mk_expr(ps, E_BOOL, @$); $$->i = 0; }
    | IDENT     { $$ = mk_expr(ps, E_IDENT, @$); $$->s = $1; }
    | '(' expr ')'
        { $$ = $2; }
    | '(' expr ',' ')'
        { $$ = mk_expr(ps, E_TUPLE, @$); vec_push(ps->arena, &$$->elems, $2); }
    | '(' expr ',' exprs ')'
        {
            $$ = mk_expr(ps, E_TUPLE, @$);
            vec_push(ps->arena, &$$->elems, $2);
            for (int i = 0; i < $4->len; i++)
                vec_push(ps->arena, &$$->elems, $4->data[i]);
        }
    ;

exprs:
      expr
        { $$ = arena_alloc(ps->arena, sizeof(Vec)); vec_push(ps->arena, $$, $1); }
    | exprs ',' expr
        { $$ = $1; vec_push(ps->arena, $$, $3); }
    ;

%%

static Expr *mk_expr(ParseState *ps, ExprKind k, Span s) {
    Expr *e = arena_alloc(ps->arena, sizeof *e);
    e->kind = k;
    e->span = s;
    return e;
}

static Expr *mk_bin(ParseState *ps, ExprKind k, Span s, Expr *l, Expr *r) {
    Expr *e = mk_expr(ps, k, s);
    e->lhs = l;
    e->rhs = r;
    return e;
}

static Ident *mk_ident(ParseState *ps, const char *name, Span s) {
    Ident *id = arena_alloc(ps->arena, sizeof *id);
    id->name = name;
    id->span = s;
    return id;
}

static Stmt *mk_call(ParseState *ps, Stmt *args, Ident callee, Span s) {
    Stmt *st = args ? args : arena_alloc(ps->arena, sizeof(Stmt));
    st->kind = S_CALL;
    st->callee = callee;
    st->span = s;
    return st;
}

/* The word before a callee: only `inline` may stand there. */
static void mark_inline(ParseState *ps, Stmt *st, const char *word, Span at) {
    if (strcmp(word, "inline") == 0) {
        st->inline_at = at;
        return;
    }
    diag_error(ps->diags, ps->file, at, "syntax",
               "expected '=' or '(' after '%s', saw identifier '%s'", word, st->callee.name);
    ps->errors++;
}

static void add_arg(ParseState *ps, Stmt *st, Ident *pos, Kwarg *kw, Span s) {
    if (pos) {
        if (st->kwargs.len && !st->misorder.line)
            st->misorder = s;
        vec_push(ps->arena, &st->args, pos);
    } else {
        vec_push(ps->arena, &st->kwargs, kw);
    }
}

/* The text of a token for "saw ...": its own characters where it is a
** word, a number or a punctuation mark; its kind otherwise. */
static const char *token_text(ParseState *ps, yysymbol_kind_t tok, const Span *loc) {
    if (tok == YYSYMBOL_YYEOF)
        return "end of file";
    const char *kind = yysymbol_name(tok);
    if (loc->line != loc->end_line || loc->end_col <= loc->col)
        return kind;
    int len;
    const char *line = source_line(ps->file, loc->line, &len);
    /* columns are characters: find the bytes of [col, end_col) */
    int c = 1, i = 0, start = -1, end = len;
    while (i < len) {
        if (c == loc->col && start < 0)
            start = i;
        if (c == loc->end_col) {
            end = i;
            break;
        }
        i += (int)utf8_char_len(line + i, (size_t)(len - i));
        c++;
    }
    if (start < 0)
        return kind;
    int n = end - start;
    if (n > 40)
        return kind;
    if (tok == YYSYMBOL_IDENT || tok == YYSYMBOL_NAME || tok == YYSYMBOL_INT ||
        tok == YYSYMBOL_FLOAT)
        return arena_printf(ps->arena, "%s '%.*s'", kind, n, line + start);
    return arena_printf(ps->arena, "'%.*s'", n, line + start);
}

static const char *expected_name(yysymbol_kind_t k) {
    switch (k) {
    case YYSYMBOL_IDENT:
        return "identifier";
    case YYSYMBOL_NAME:
        return "name";
    default:
        return yysymbol_name(k);
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
                                 ParseState *ps) {
    (void)scanner;
    if (ps->stopped)
        return 0;
    enum { MAX = 64 };
    yysymbol_kind_t exp[MAX];
    int n = yypcontext_expected_tokens(ctx, exp, MAX);
    /* many choices: name the kind of thing instead of listing them */
    if (n > 5) {
        bool value = false, name = false;
        for (int i = 0; i < n; i++) {
            value = value || exp[i] == YYSYMBOL_INT;
            name = name || exp[i] == YYSYMBOL_IDENT;
        }
        if (value || name) {
            exp[0] = value ? YYSYMBOL_INT : YYSYMBOL_IDENT;
            n = 1;
        } else {
            n = 5;
        }
    }
    yysymbol_kind_t tok = yypcontext_token(ctx);
    const Span *loc = yypcontext_location(ctx);
    Buf b = {0};
    buf_puts(&b, "expected ");
    if (n <= 0) {
        buf_puts(&b, "something else");
    } else {
        /* "identifier", "name" and a quoted name are one thing to a reader */
        bool has_ident = false;
        for (int i = 0; i < n; i++)
            if (exp[i] == YYSYMBOL_IDENT)
                has_ident = true;
        int shown = 0;
        for (int i = 0; i < n; i++) {
            if ((exp[i] == YYSYMBOL_NAME || exp[i] == YYSYMBOL_STRING) && has_ident)
                continue;
            shown++;
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            if ((exp[i] == YYSYMBOL_NAME || exp[i] == YYSYMBOL_STRING) && has_ident)
                continue;
            if (k > 0)
                buf_puts(&b, k == shown - 1 ? " or " : ", ");
            buf_puts(&b, n == 1 && exp[i] == YYSYMBOL_INT ? "a value" : expected_name(exp[i]));
            k++;
        }
    }
    buf_printf(&b, ", saw %s", token_text(ps, tok, loc));
    Span at = *loc;
    /* a terminator missing at the end of a line: say so where it is missing */
    bool terminator = false;
    for (int i = 0; i < n; i++)
        terminator = terminator || strcmp(yysymbol_name(exp[i]), "';'") == 0 ||
                     strcmp(yysymbol_name(exp[i]), "')'") == 0;
    if (terminator && ps->prev_end.line > 0 && loc->line > ps->prev_end.line) {
        buf_printf(&b, " on line %d", loc->line);
        at = ps->prev_end;
    }
    diag_error(ps->diags, ps->file, at, "syntax", "%s", b.data);
    buf_free(&b);
    ps->errors++;
    return 0;
}

static void yyerror(Span *loc, yyscan_t scanner, ParseState *ps, const char *msg) {
    (void)scanner;
    if (strstr(msg, "exhausted"))
        diag_error(ps->diags, ps->file, *loc, "syntax",
                   "nesting is too deep (the parser's stack holds %d levels); the rest of the "
                   "file is not read",
                   YYMAXDEPTH);
    else
        diag_error(ps->diags, ps->file, *loc, "syntax", "%s", msg);
    ps->errors++;
}
