#!/bin/sh
# shellcheck disable=SC2059 # $head is part of the format on purpose: it holds \n
# make.sh OUTDIR: writes the hostile inputs that are binary, or too large to
# commit, into OUTDIR, for `run.sh --bad`. Every file must make `netc check`
# exit 1 with a located error; none may crash it or hang it. Only printf,
# awk and shell: no file here depends on the tools of the machine.
set -e
LC_ALL=C
export LC_ALL
out=${1:?usage: make.sh OUTDIR}
mkdir -p "$out"
cd "$out"

head='network n {\n    x = input(shape=(8));\n'

# A NUL byte in the middle of a statement, and a file of NULs only: binary
# content, one `binary` error at the first NUL (docs/language.md, "Files").
printf "${head}"'    y = dense(units=4);\000 z = relu();\n}\n' >nul-byte.net
printf '\000\000\000\000' >nul-only.net
# Bytes that are not UTF-8: a lone 0xFF, a stray continuation byte, an
# overlong encoding, a sequence cut short by the end of a line and one cut
# short by the end of the file.
printf "${head}"'    y = dense(units=4);\377\n}\n' >invalid-utf8-ff.net
printf "${head}"'    y = dense(\200units=4);\n}\n' >invalid-utf8-continuation.net
printf "${head}"'    y = relu(\300\200);\n}\n' >invalid-utf8-overlong.net
printf "${head}"'    y = relu();\342\202\n}\n' >invalid-utf8-cut-line.net
printf "${head}"'    y = relu();\n}\n\342\202' >invalid-utf8-cut-eof.net
# Forms that look like characters but are not UTF-8 (RFC 3629): a surrogate
# (U+D800 as ED A0 80), an overlong 3-byte form (E0 80 80) and a code point
# above U+10FFFF (F4 90 80 80). Quoted as characters, their bytes would make
# the JSON document invalid.
printf "${head}"'    y = relu(\355\240\200);\n}\n' >utf8-surrogate.net
printf "${head}"'    y = relu(\340\200\200);\n}\n' >utf8-overlong-3.net
printf "${head}"'    y = relu(\364\220\200\200);\n}\n' >utf8-above-10ffff.net
# A byte-order mark before the first token (U+FEFF is not a token).
printf '\357\273\277network n {\n    x = input(shape=(8));\n}\n' >bom.net
# Control characters outside comments: ESC, DEL, form feed, vertical tab,
# backspace.
printf "${head}"'    y = \033[31mrelu();\n}\n' >control-escape.net
printf "${head}"'    y = relu(\177);\n}\n' >control-del.net
printf "${head}"'    y = relu();\f\v\b\n}\n' >control-mixed.net
# Control characters and bidirectional overrides in comments, and an ESC in
# an import's path: the quoted line and the message show them as <U+001B>
# (the golden control-in-comment.expected), never as the raw bytes a
# terminal would obey.
printf 'network n {\n    x = input(shape=(8));    # \033[2J\033[31m red\n    y = dense(units=0);    # \033[1A\342\200\256 reversed\n}\n' >control-in-comment.net
printf 'import "a\033[31mb.net";\nnetwork n {\n    x = input(shape=(8));\n}\n' >control-in-import.net
# Old Mac line ends (CR only): one long line for netc.
printf 'network n {\r    x = input(shape=(8));\r    y = dense(units=0);\r}\r' >cr-only.net
# CRLF with an error on the last line, and without a final line end.
printf 'network n {\r\n    x = input(shape=(8));\r\n    y = dense(units=0);\r\n}' >crlf-no-final-newline.net
# Every byte value, in order, four times.
awk 'BEGIN { for (k = 0; k < 4; k++) for (i = 1; i < 256; i++) printf "%c", i }' >all-bytes.net
# Nesting far beyond the parser's limit: parentheses, unary minus, tuples.
awk 'BEGIN { printf "network n {\n    x = input(shape="; for (i = 0; i < 100000; i++) printf "("; printf "8"; for (i = 0; i < 100000; i++) printf ")"; printf ");\n}\n" }' >deep-parens.net
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    y = dense(units="; for (i = 0; i < 100000; i++) printf "-"; printf "8);\n}\n" }' >deep-minus.net
awk 'BEGIN { printf "network n {\n    x = input(shape="; for (i = 0; i < 3000; i++) printf "("; printf "8"; for (i = 0; i < 3000; i++) printf ", 1)"; printf ");\n}\n" }' >deep-tuple.net
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{" }' >deep-braces.net
# A name of 100,000 characters, and a dotted name of 10,000 parts.
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    "; for (i = 0; i < 100000; i++) printf "a"; printf " = relu();\n}\n" }' >long-name.net
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    a"; for (i = 0; i < 10000; i++) printf ".%d", i; printf " = relu();\n    y = dense(units=0);\n}\n" }' >long-dotted-name.net
# A line of a megabyte before an error on the same line.
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    y = relu();"; for (i = 0; i < 1000000; i++) printf " "; printf "z = dense(units=0);\n}\n" }' >long-line.net
# An integer of 100,000 digits, and a float of 100,000 digits.
awk 'BEGIN { printf "network n {\n    x = input(shape=("; for (i = 0; i < 100000; i++) printf "9"; printf "));\n}\n" }' >long-integer.net
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    dropout(rate=0."; for (i = 0; i < 100000; i++) printf "1"; printf "e99999);\n}\n" }' >long-float.net
# An unterminated string of 100,000 characters.
awk 'BEGIN { printf "import \""; for (i = 0; i < 100000; i++) printf "x"; printf "\n" }' >long-string.net
# 10,000 errors in one file, and 1,000 networks each with an error.
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n"; for (i = 0; i < 10000; i++) printf "    y%d = dense(units=0);\n", i; printf "}\n" }' >many-errors.net
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "network n%d {\n    x = input(shape=(8));\n    y = dense(units=0);\n}\n", i }' >many-networks.net
# 10,000 syntax errors: every recovery point used.
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n"; for (i = 0; i < 10000; i++) printf "    ) ( ;\n"; printf "}\n" }' >many-syntax-errors.net
# A chain of 200 blocks, each calling the next: deeper than calls may nest.
awk 'BEGIN { for (i = 0; i < 200; i++) printf "block b%d(x) {\n    y = b%d(x);\n    return y;\n}\n", i, i + 1; printf "block b200(x) {\n    y = relu(x);\n    return y;\n}\nnetwork n {\n    x = input(shape=(8));\n    z = b0();\n}\n" }' >deep-block-calls.net
# 1,000 arguments to one call, 1,000 attributes, a tuple of 100,000 elements
# (quoted as its first 60 characters and '...': golden long-tuple.expected).
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    s = add(x"; for (i = 0; i < 1000; i++) printf ", x"; printf ", nope);\n}\n" }' >many-arguments.net
awk 'BEGIN { printf "network n {\n    x = input(shape=(8));\n    y = dense(units=4"; for (i = 0; i < 1000; i++) printf ", a%d=%d", i, i; printf ");\n}\n" }' >many-attributes.net
awk 'BEGIN { printf "network n {\n    x = input(shape=(8"; for (i = 0; i < 100000; i++) printf ", 8"; printf "));\n}\n" }' >long-tuple.net
# A tuple nested 900 deep (under the parentheses' limit): the message quotes
# its first 60 characters, as it does the long tuple's (golden .expected).
awk 'BEGIN { printf "network n {\n    x = input(shape="; for (i = 0; i < 900; i++) printf "("; printf "8"; for (i = 0; i < 900; i++) printf ", 1)"; printf ");\n}\n" }' >nested-tuple.net
