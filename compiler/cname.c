/* cname.c: network and tensor names as C identifiers.
**
** Every identifier the C back end makes from a name of the network (the
** network's prefix, the size macros, the header guard, the weights symbol,
** the run function's parameters) comes from c_name, so that they all follow
** the same rules (docs/build.md, "Names in the generated C"):
**
**   1. every character that is not a letter, a digit or '_' becomes '_'
**      (`layer1.0` -> `layer1_0`); runs of '_' become one, and leading ones
**      go (C reserves `_X` and `__x`, C++ any `__`); macro stems are upper
**      case;
**   2. an empty name, or one that starts with a digit, gets `x` in front;
**   3. a name used on its own (a parameter) that is a keyword of C or C++,
**      a macro of the C library or of the compilers, or a name the
**      generated code itself uses there, gets '_' after it (`int` -> `int_`);
**   4. a name already given in the same scope gets `_2`, `_3`, ... after it,
**      so that `a.b` and `a_b` stay two names (`a_b`, `a_b_2`), in the
**      order the names are asked for.
**
** A prefix or a macro stem is always followed by '_' and a suffix of netc's
** own (`_run`, `_INPUT_SIZE`), so rule 3 does not apply to it: `network int`
** gives `int_run`. netc does not avoid the names C keeps for future
** libraries (`str...`, `E...`): no C library name ends with those suffixes.
*/
#include "backend.h"

#include <string.h>

/* Rule 3: the words a parameter may not be. */
static const char *const reserved_words[] = {
    "BUFSIZ", "CHAR_BIT", "CHAR_MAX", "CHAR_MIN", "CLOCKS_PER_SEC", "DECIMAL_DIG", "EOF",
    "EXIT_FAILURE", "EXIT_SUCCESS", "FILENAME_MAX", "FOPEN_MAX", "HUGE_VAL", "HUGE_VALF",
    "HUGE_VALL", "I", "INFINITY", "LLONG_MAX", "LLONG_MIN", "LONG_MAX", "LONG_MIN",
    "L_tmpnam", "MB_CUR_MAX", "MB_LEN_MAX", "NAN", "NDEBUG", "NULL", "ONCE_FLAG_INIT",
    "PTRDIFF_MAX", "PTRDIFF_MIN", "RAND_MAX", "SCHAR_MAX", "SCHAR_MIN", "SEEK_CUR",
    "SEEK_END", "SEEK_SET", "SHRT_MAX", "SHRT_MIN", "SIZE_MAX", "TMP_MAX",
    "TSS_DTOR_ITERATIONS", "UCHAR_MAX", "ULLONG_MAX", "ULONG_MAX", "USHRT_MAX", "WCHAR_MAX",
    "WCHAR_MIN", "WEOF", "WINT_MAX", "WINT_MIN",
    /* the generated run functions' own names (emit_c.c) */
    "a",
    /* C (C89 to C23), C++ and GNU C keywords, and the macros of <iso646.h>,
    ** <stdbool.h>, <complex.h>, <stdalign.h>, <stdnoreturn.h>, <assert.h> */
    "alignas", "alignof", "and", "and_eq", "asm", "assert", "auto", "bitand", "bitor", "bool",
    "break", "case", "catch", "char", "char16_t", "char32_t", "char8_t", "class", "co_await",
    "co_return", "co_yield", "compl", "complex", "concept", "const", "const_cast", "consteval",
    "constexpr", "constinit", "continue", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "errno", "explicit", "export", "extern", "false", "float",
    "for", "friend", "goto", "i386", "if", "imaginary", "inline", "int", "linux", "long",
    "main", "math_errhandling", "memcpy", "memset", "mutable", "namespace", "new", "noexcept",
    "noreturn", "not", "not_eq", "nullptr", "offsetof", "operator", "or", "or_eq", "private",
    "protected", "public", "register", "reinterpret_cast", "requires", "restrict", "return",
    "short", "signed", "sizeof", "static", "static_assert", "static_cast", "stderr", "stdin",
    "stdout", "struct", "switch", "template", "this", "thread_local", "throw", "true", "try",
    "typedef", "typeid", "typename", "typeof", "typeof_unqual", "union", "unix", "unsigned",
    "using", "va_arg", "va_copy", "va_end", "va_start", "virtual", "void", "volatile",
    "wchar_t", "while", "workspace", "xor", "xor_eq",
};

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
static bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
static bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}

static bool starts(const char *s, const char *p) {
    return strncmp(s, p, strlen(p)) == 0;
}

static bool ends(const char *s, const char *p) {
    size_t n = strlen(s), k = strlen(p);
    return n >= k && strcmp(s + n - k, p) == 0;
}

/* Rule 3 for a parameter: a listed word, or one of the families of names
** the C library's headers define as macros or types (C11 7.31, POSIX's
** `_t`), or the names the generated code uses beside the parameters. */
static bool reserved(const char *s) {
    for (size_t i = 0; i < sizeof reserved_words / sizeof *reserved_words; i++)
        if (strcmp(s, reserved_words[i]) == 0)
            return true;
    if (s[0] == 'E' && (is_digit(s[1]) || is_upper(s[1]))) /* errno.h */
        return true;
    static const char *const upper_families[] = {"FE_", "LC_", "SIG_", "FLT_", "DBL_",
                                                 "LDBL_", "FP_", "MATH_", "ATOMIC_", "TIME_"};
    for (size_t i = 0; i < sizeof upper_families / sizeof *upper_families; i++)
        if (starts(s, upper_families[i]) && is_upper(s[strlen(upper_families[i])]))
            return true;
    if (starts(s, "SIG") && is_upper(s[3]))
        return true;
    if ((starts(s, "PRI") || starts(s, "SCN")) && (is_lower(s[3]) || s[3] == 'X'))
        return true;
    if ((starts(s, "INT") || starts(s, "UINT")) &&
        (ends(s, "_MAX") || ends(s, "_MIN") || ends(s, "_C")))
        return true;
    if (ends(s, "_t"))
        return true;
    /* netc's own names (netc_arena, NETC_W) and the locals of the calls
    ** of the run function (in0, in1, ...) */
    if (starts(s, "netc_") || starts(s, "NETC_"))
        return true;
    if (s[0] == 'i' && s[1] == 'n' && is_digit(s[2])) {
        const char *p = s + 2;
        while (is_digit(*p))
            p++;
        if (!*p)
            return true;
    }
    return false;
}

static bool taken(const CScope *s, const char *id) {
    for (int i = 0; i < s->taken.len; i++)
        if (strcmp(s->taken.data[i], id) == 0)
            return true;
    return false;
}

void c_reserve(CScope *s, const char *id) {
    vec_push(s->arena, &s->taken, (void *)arena_strdup(s->arena, id));
}

const char *c_name(CScope *s, const char *name, CNameKind kind) {
    Arena *a = s->arena;
    size_t n = strlen(name);
    char *base = arena_alloc(a, n + 4);
    size_t k = 0;
    /* rule 1 */
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(is_lower(c) || is_upper(c) || is_digit(c)))
            c = '_';
        if (kind == CN_MACRO && is_lower(c))
            c = (char)(c - 'a' + 'A');
        if (c == '_' && (k == 0 || base[k - 1] == '_'))
            continue;
        base[k++] = c;
    }
    /* a prefix is followed by '_': a trailing one would make "__" */
    while (kind != CN_WORD && k > 0 && base[k - 1] == '_')
        k--;
    base[k] = '\0';
    /* rule 2 */
    if (k == 0 || is_digit(base[0])) {
        memmove(base + 1, base, k + 1);
        base[0] = kind == CN_MACRO ? 'X' : 'x';
    }
    /* rule 3 */
    const char *id = base;
    if (kind == CN_WORD && reserved(id))
        id = arena_printf(a, "%s%s", id, ends(id, "_") ? "" : "_");
    /* rule 4: `base_K` (no keyword or library name ends in `_K`); the
    ** number of candidates tried is at most the number of names taken */
    if (taken(s, id)) {
        size_t len = strlen(base);
        const char *stem = len > 0 && base[len - 1] == '_' ? arena_strndup(a, base, len - 1) : base;
        for (int i = 2;; i++) {
            id = arena_printf(a, "%s_%d", stem, i);
            if (!taken(s, id))
                break;
        }
    }
    c_reserve(s, id);
    return id;
}

void c_names(const Graph *g, Arena *a, CNames *out) {
    /* one scope per kind of name: the prefix, its macro stem, the tensors'
    ** macro stems (INPUT and OUTPUT taken), the parameters */
    CScope prefix = {.arena = a}, stem = {.arena = a}, macros = {.arena = a},
           params = {.arena = a};
    out->prefix = c_name(&prefix, g->name, CN_PREFIX);
    out->macro = c_name(&stem, g->name, CN_MACRO);
    out->guard = arena_printf(a, "NETC_%s_H", out->macro);
    out->weights = arena_printf(a, "netc_%s_weights", out->prefix);
    /* the functions the run functions call, beside their parameters */
    c_reserve(&params, arena_printf(a, "%s_run", out->prefix));
    c_reserve(&params, arena_printf(a, "%s_run_ws", out->prefix));
    c_reserve(&params, arena_printf(a, "%s_load_weights", out->prefix));
    /* the macros of the single input and output */
    c_reserve(&macros, "INPUT");
    c_reserve(&macros, "OUTPUT");
    int nin = g->inputs.len, nout = g->outputs.len;
    out->in = arena_alloc(a, sizeof(char *) * (size_t)(nin + 1));
    out->out = arena_alloc(a, sizeof(char *) * (size_t)(nout + 1));
    out->in_macro = arena_alloc(a, sizeof(char *) * (size_t)(nin + 1));
    out->out_macro = arena_alloc(a, sizeof(char *) * (size_t)(nout + 1));
    for (int i = 0; i < nin; i++) {
        const Node *n = g->inputs.data[i];
        out->in[i] = c_name(&params, nin == 1 ? "input" : n->name, CN_WORD);
        out->in_macro[i] = c_name(&macros, n->name, CN_MACRO);
    }
    for (int i = 0; i < nout; i++) {
        const Node *n = g->outputs.data[i];
        out->out[i] = c_name(&params, nout == 1 ? "output" : n->name, CN_WORD);
        /* a tensor that is also an input keeps its macro */
        out->out_macro[i] = NULL;
        for (int k = 0; k < nin && !out->out_macro[i]; k++)
            if (g->inputs.data[k] == n)
                out->out_macro[i] = out->in_macro[k];
        if (!out->out_macro[i])
            out->out_macro[i] = c_name(&macros, n->name, CN_MACRO);
    }
}
