#!/bin/sh
# hostile.sh: netc against inputs built to break it.
#
#     tests/fuzz/hostile.sh NETC OUTDIR [CASE...]
#
# Writes each hostile input into OUTDIR (they are large: a 1 MB name, 200,000
# parentheses, 100,000 statements; they are generated, never committed), runs
# `netc check` on it under a time limit, and requires what netc promises of
# any input: exit status 1, at least one located error line
# `FILE:LINE:COL: error:` on standard error (the expected message too, where
# the case names one), and no crash, hang or sanitizer report. Nothing but
# POSIX sh and awk, so it runs wherever the tests do.
#
# CASE... runs only the named cases. NETC_HOSTILE_SKIP="a b" skips cases;
# NETC_HOSTILE_TIMEOUT (seconds, default 20) is the limit per case.
# Exit status: 0 all passed, 1 some case failed, 2 bad usage.

set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 NETC OUTDIR [CASE...]" >&2
    exit 2
fi
NETC=$1
OUT=$2
shift 2
ONLY="$*"
SKIP=${NETC_HOSTILE_SKIP:-}
LIMIT=${NETC_HOSTILE_TIMEOUT:-20}

if [ ! -x "$NETC" ]; then
    echo "hostile.sh: '$NETC' is not an executable" >&2
    exit 2
fi
mkdir -p "$OUT" || exit 2
# ASan on a build with NETC_SANITIZE: a leak is a failure too.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export ASAN_OPTIONS

failed=0
passed=0
skipped=0

# repeat STRING COUNT: STRING written COUNT times, no newline.
repeat() {
    awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

wanted() {
    case " $SKIP " in *" $1 "*) return 1 ;; esac
    [ -z "$ONLY" ] && return 0
    case " $ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# check NAME FILE MESSAGE [LINE [WHERE]]: runs netc check on FILE and judges
# it. MESSAGE is a fixed string one error line must hold ("" for any); LINE,
# if given and not "", is the line that error must be reported on. WHERE is
# the file the error must be located in (default FILE; an error in an
# imported file is located there).
check() {
    name=$1 file=$2 msg=$3 line=${4:-} where=${5:-$2}
    err="$OUT/$name.stderr"
    start=$(date +%s)
    timeout -k 5 "$LIMIT" "$NETC" check "$file" >"$OUT/$name.stdout" 2>"$err"
    rc=$?
    secs=$(( $(date +%s) - start ))
    why=""
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        why="no answer within ${LIMIT}s (a hang or runaway allocation)"
    elif [ $rc -gt 128 ]; then
        why="killed by signal $((rc - 128))"
    elif grep -a -q -e 'Sanitizer' -e 'runtime error:' "$err"; then
        why="sanitizer report: $(grep -a -m1 -e 'Sanitizer' -e 'runtime error:' "$err")"
    elif [ $rc -ne 1 ]; then
        why="exit status $rc, expected 1"
    elif ! grep -a -q -E "^$where:[0-9]+:[0-9]+: error: " "$err"; then
        why="no located error line '$where:LINE:COL: error:'"
    elif [ -n "$msg" ] && ! grep -a -E "^$where:[0-9]+:[0-9]+: error: " "$err" | grep -a -q -F -e "$msg"; then
        why="no error saying '$msg'"
    elif [ -n "$line" ] && ! grep -a -E "^$where:[0-9]+:[0-9]+: error: " "$err" | grep -a -F -e "$msg" | grep -a -q -E "^$where:$line:"; then
        why="the error '$msg' is not on line $line"
    fi
    if [ -n "$why" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: $why"
        echo "     input $file ($(wc -c <"$file") bytes), stderr $err:"
        head -c 2000 "$err" | head -n 12 | sed 's/^/     | /'
    else
        passed=$((passed + 1))
        first=$(grep -a -m1 -E "^$where:[0-9]+:[0-9]+: error: " "$err" | cut -c1-150)
        echo "ok   $name (${secs}s): $first"
    fi
}

# case NAME: true if the case is to run (else counts it skipped).
case_() {
    if wanted "$1"; then
        return 0
    fi
    skipped=$((skipped + 1))
    return 1
}

HEAD='network hostile {
    x = input(shape=(32, 32, 3));
'

# A 1 MB name: one error that the name is too long, not a 1 MB message.
if case_ long-name; then
    f="$OUT/long-name.net"
    { printf '%s' "$HEAD"; printf '    '; repeat a 1048576; printf ' = relu();\n}\n'; } >"$f"
    check long-name "$f" "characters long" 3
fi

# 200,000 '(' in an attribute: the parser's stack is bounded.
if case_ deep-parens; then
    f="$OUT/deep-parens.net"
    { printf '%s' "$HEAD"; printf '    conv2d(filters='; repeat '(' 200000; printf '8'
      repeat ')' 200000; printf ', kernel=3);\n}\n'; } >"$f"
    check deep-parens "$f" "deep" 3
fi

# 200,000 unary minus: the same, through another rule.
if case_ unary-minus; then
    f="$OUT/unary-minus.net"
    { printf '%s' "$HEAD"; printf '    conv2d(filters='; repeat '-' 200000; printf '8, kernel=3);\n}\n'; } >"$f"
    check unary-minus "$f" "deep" 3
fi

# NUL bytes between, inside and after tokens: binary content, one error at
# the first one (byte 9, line 1).
if case_ nul-bytes; then
    f="$OUT/nul-bytes.net"
    { printf 'network n\000ul {\n    x = input(shape=(8, 8, 1));\000\000\n'
      printf '    conv2d(filters=\0008, kernel=3);\n    relu();\n}\n\000'; } >"$f"
    check nul-bytes "$f" "not a .net file (binary content at byte 9)" 1
fi

# NUL bytes after the first 8 KiB: the lexer's errors, at their places.
if case_ late-nul-bytes; then
    f="$OUT/late-nul-bytes.net"
    { repeat '# padding, a comment line of 64 bytes...........................\n' 200
      printf 'network n\000ul {\n    x = input(shape=(8, 8, 1));\000\000\n}\n'; } >"$f"
    check late-nul-bytes "$f" "NUL" 201
fi

# Every byte from 0x00 to 0xFF, in order, on one line of a network.
if case_ all-bytes; then
    f="$OUT/all-bytes.net"
    { printf '%s' "$HEAD"; printf '    '
      LC_ALL=C awk 'BEGIN { for (i = 0; i < 256; i++) if (i != 10) printf "%c", i }'
      printf '\n    relu();\n}\n'; } >"$f"
    # awk's %c of 0 writes nothing in some awks: add a NUL for sure
    printf '\000\n' >>"$f"
    check all-bytes "$f" "" 3
fi

# Invalid UTF-8: stray continuation bytes, overlong forms, surrogates,
# code points above U+10FFFF, truncated sequences, at the end of the file too.
if case_ bad-utf8; then
    f="$OUT/bad-utf8.net"
    { printf '%s' "$HEAD"
      printf '    \200\277 = relu();\n'
      printf '    \300\257 = relu();\n'
      printf '    \355\240\200 = relu();\n'
      printf '    \364\220\200\200 = relu();\n'
      printf '    \370\210\200\200\200 = relu();\n'
      printf '    relu(); # comment with \377\376 bytes is fine\n'
      printf '    conv2d(filters=8, kernel=3\342\202);\n}\n\342'; } >"$f"
    check bad-utf8 "$f" "UTF-8" 3
fi

# Integer and float literals beyond int64 and double.
if case_ int-overflow; then
    f="$OUT/int-overflow.net"
    { printf '%s' "$HEAD"
      printf '    conv2d(filters=9223372036854775808, kernel=3);\n'
      printf '    conv2d(filters=99999999999999999999999999999999999999999999999999, kernel=3);\n'
      printf '    conv2d(filters=9223372036854775807 + 1, kernel=3);\n'
      printf '    conv2d(filters=-9223372036854775807 - 2, kernel=3);\n'
      printf '    conv2d(filters=3037000500 * 3037000500, kernel=3);\n'
      printf '    dropout(rate=1e999999999);\n'
      printf '    conv2d(filters='; repeat 9 100000; printf ', kernel=3);\n}\n'; } >"$f"
    check int-overflow "$f" "too large" 3
fi

# 100,000 statements, then one error on the last line of the network.
if case_ many-statements; then
    f="$OUT/many-statements.net"
    { printf '%s' "$HEAD"
      awk 'BEGIN { for (i = 0; i < 100000; i++) print "    relu();" }'
      printf '    y = relu(nowhere);\n}\n'; } >"$f"
    check many-statements "$f" "undefined tensor 'nowhere'" 100003
fi

# A block that calls the one below it twice, 30 levels deep: 2^30 layers
# if expanded. Must stop at netc's layer limit with an error.
if case_ exponential-blocks; then
    f="$OUT/exponential-blocks.net"
    { printf 'block b0(x) {\n    r = relu(x);\n    return r;\n}\n'
      i=1
      while [ $i -le 30 ]; do
          printf 'block b%d(x) {\n    a = b%d(x);\n    b = b%d(a);\n    return b;\n}\n' $i $((i - 1)) $((i - 1))
          i=$((i + 1))
      done
      printf 'network boom {\n    x = input(shape=(8, 8, 3));\n    y = b30(x);\n}\n'; } >"$f"
    check exponential-blocks "$f" "expands to more than"
fi

# Blocks nested 150 deep (a chain, not recursion).
if case_ deep-blocks; then
    f="$OUT/deep-blocks.net"
    { printf 'block c0(x) {\n    r = relu(x);\n    return r;\n}\n'
      i=1
      while [ $i -le 150 ]; do
          printf 'block c%d(x) {\n    a = c%d(x);\n    return a;\n}\n' $i $((i - 1))
          i=$((i + 1))
      done
      printf 'network chain {\n    x = input(shape=(8, 8, 3));\n    y = c150(x);\n}\n'; } >"$f"
    check deep-blocks "$f" "nested more than"
fi

# A file that imports itself, by its own name.
if case_ self-import; then
    mkdir -p "$OUT/imports"
    f="$OUT/imports/self-import.net"
    printf 'import "self-import.net";\n%s}\n' "$HEAD" >"$f"
    check self-import "$f" "import cycle" 1
fi

# A chain of 80 files, each importing the next.
if case_ import-chain; then
    mkdir -p "$OUT/imports"
    i=0
    while [ $i -lt 80 ]; do
        printf 'import "chain%d.net";\nblock k%d(x) { return x; }\n' $((i + 1)) $i >"$OUT/imports/chain$i.net"
        i=$((i + 1))
    done
    printf 'block k80(x) { return x; }\n' >"$OUT/imports/chain80.net"
    # the error is in the file whose import goes one level too deep
    check import-chain "$OUT/imports/chain0.net" "nested more than" 1 "$OUT/imports/chain64.net"
fi

# A file that imports itself twice under two spellings of its path: each
# spelling is a new path, so a cycle check on path strings sees 2^depth
# different files. Must end in an error, not in 2^64 parses.
if case_ import-fanout; then
    mkdir -p "$OUT/imports"
    f="$OUT/imports/fanout.net"
    printf 'import "./fanout.net";\nimport ".//fanout.net";\n%s}\n' "$HEAD" >"$f"
    check import-fanout "$f" "import"
fi

# An import of a device that never ends.
if case_ import-dev-zero; then
    mkdir -p "$OUT/imports"
    f="$OUT/imports/dev-zero.net"
    printf 'import "/dev/zero";\n%s}\n' "$HEAD" >"$f"
    check import-dev-zero "$f" "/dev/zero" 1
fi

# Shapes whose element counts, parameters and MACs overflow int64.
if case_ huge-shape; then
    f="$OUT/huge-shape.net"
    { printf 'network huge {\n'
      printf '    x = input(shape=(9223372036854775807, 9223372036854775807, 9223372036854775807));\n'
      printf '    y = input(shape=(3037000499, 3037000499, 1));\n'
      printf '    conv2d(y, filters=9223372036854775807, kernel=1);\n'
      printf '    conv2d(y, filters=1, kernel=(3037000499, 3037000499), padding=9223372036854775807);\n'
      printf '    z = input(shape=(2000000, 2000000, 1));\n'
      printf '    conv2d(z, filters=4000000, kernel=2000000, dilation=2000000000);\n'
      printf '    flatten(z);\n'
      printf '    dense(units=9223372036854775807);\n}\n'; } >"$f"
    check huge-shape "$f" "" 2
fi

# One error at the end of a 1 MB line: the caret line is as long.
if case_ long-line; then
    f="$OUT/long-line.net"
    { printf '%s' "$HEAD"; printf '    '; repeat 'relu(); ' 130000; printf 'relu(nowhere);\n}\n'; } >"$f"
    check long-line "$f" "undefined tensor 'nowhere'" 3
fi

# 200,000 errors: the first 20 by place are reported (--error-limit), the
# undefined tensor first though the parser finds the '$' errors before it.
if case_ many-errors; then
    f="$OUT/many-errors.net"
    { printf '%s' "$HEAD"
      awk 'BEGIN { for (i = 0; i < 100000; i++) print "    relu(x, y" i ") $;" }'
      printf '}\n'; } >"$f"
    check many-errors "$f" "undefined tensor 'y0'" 3
fi

echo "hostile.sh: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
