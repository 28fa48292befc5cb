#!/bin/sh
# Every source file names its copyright holder and licence: the C
# sources and headers, the grammar, the scripts, the man pages and the
# Makefile.  parse.y keeps the notice of OpenBSD's parse.y, whose lexer
# it follows, and etc/debian/copyright says so; README's licence is the
# copyright file's.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
holder="Copyright (c) 2026 acmed maintainers"

missing=""
n=0
for f in $(find acmed challenged keyproc common regress etc .ci \
    -path '*/obj*' -prune -o -type f \( -name '*.[chy]' -o -name '*.sh' \
    -o -name '*.py' -o -name '*.[58]' -o -name run -o -name acmed.rc \) \
    -print) Makefile; do
	case $f in etc/debian/*) continue ;; esac
	n=$((n + 1))
	head -n 40 "$f" | grep -qF "$holder" || missing="$missing $f"
done
check "every source file ($n) names its copyright holder${missing:+; not:$missing}" \
    test -z "$missing"
check "every C file has the ISC licence's text" sh -c "
    for f in \$(find acmed challenged keyproc common regress \
        -path '*/obj*' -prune -o -type f -name '*.[chy]' -print); do
	grep -q 'Permission to use, copy, modify, and distribute' \"\$f\" ||
	    { echo \"# \$f\"; exit 1; }
    done"
check "parse.y keeps the notice of OpenBSD's parse.y" sh -c \
    "head -n 40 acmed/parse.y | grep -q 'Henning Brauer' &&
    head -n 40 acmed/parse.y | grep -q 'Theo de Raadt'"
check "etc/debian/copyright: the holder, and parse.y's other authors" sh -c \
    "grep -q '^Copyright: 2026 acmed maintainers' etc/debian/copyright &&
    grep -q '^Files: acmed/parse.y' etc/debian/copyright &&
    grep -q 'Henning Brauer' etc/debian/copyright"
check "README's licence text is the copyright file's" sh -c "
    sed -n '/^ Permission to use/,/^ OR IN CONNECTION/p' etc/debian/copyright |
        sed 's/^ //;s/^\\.\$//' | grep -v '^\$' >'$T_TMP/deb' &&
    sed -n '/^    Permission to use/,/^    OR IN CONNECTION/p' README |
        sed 's/^    //' | grep -v '^\$' >'$T_TMP/readme' &&
    [ -s '$T_TMP/deb' ] && cmp -s '$T_TMP/deb' '$T_TMP/readme'"
t_done
