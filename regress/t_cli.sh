#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The command line as an administrator meets it: -h prints acmed(8)'s
# SYNOPSIS as the usage on standard output, -V the version, a mistake the
# same usage on standard error with status 1; -o with nothing due says,
# for each certificate, when it expires and when it will be renewed
# (against Pebble).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

# run ARGS...: acmed ARGS, standard output in $out, error in $err,
# status in $rc.
out=$T_TMP/out
err=$T_TMP/err
run() {
	"$ACMED" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
}

# The SYNOPSIS as mandoc renders it, one usage line per line.
mandoc -Tascii acmed/acmed.8 | col -bx |
    sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/{/^[A-Z]/d;/^$/d;s/^ *//;p;}' \
    >"$T_TMP/synopsis"
nsyn=$(wc -l <"$T_TMP/synopsis")
check "acmed.8 has a SYNOPSIS of 9 lines" [ "$nsyn" -eq 9 ]
# "usage: " before the first line, the same width of spaces before the
# others.
sed '1s/^/usage: /;2,$s/^/       /' "$T_TMP/synopsis" >"$T_TMP/usage"

run -h
check "-h: exit 0" [ "$rc" -eq 0 ]
check "-h: the usage is the SYNOPSIS, on standard output" \
    cmp -s "$out" "$T_TMP/usage"
check "-h: nothing on standard error" [ ! -s "$err" ]

version=$(sed -n 's/^VERSION[	 ]*=[	 ]*//p' Makefile)
run -V
check "-V: exit 0" [ "$rc" -eq 0 ]
check "-V: prints \"acmed $version\"" \
    [ "$(cat "$out")" = "acmed $version" ]
check "-V: nothing on standard error" [ ! -s "$err" ]

# usage_error DESCRIPTION ARGS...: status 1, the usage on standard error
# (after getopt's own line, if any), nothing on standard output.
usage_error() {
	ue=$1; shift
	run "$@"
	check "$ue: exit 1" [ "$rc" -eq 1 ]
	check "$ue: the usage on standard error" \
	    sh -c "tail -n $nsyn '$err' | cmp -s - '$T_TMP/usage'"
	check "$ue: nothing on standard output" [ ! -s "$out" ]
}
usage_error "an invalid option" -x
check "an invalid option: getopt names it" \
    grep -q "invalid option -- 'x'" "$err"
usage_error "-f without its file" -f
usage_error "-n and -o together" -n -o
usage_error "-s and -r together" -s -r example.com
usage_error "-r without a domain" -r
usage_error "a domain without -o or -r" example.com
usage_error "-R without -r" -R superseded example.com
usage_error "-r and -D together" -r -D pebble pebble
usage_error "-D with its authority once" -D pebble
usage_error "-D with three names" -D pebble pebble pebble
run -r -R compromised example.com
check "-R with an unknown reason: exit 1" [ "$rc" -eq 1 ]
check "-R with an unknown reason: the reasons named" \
    grep -q "compromised: not a reason acmed gives: unspecified, \
keyCompromise, affiliationChanged, superseded or cessationOfOperation" "$err"

# -n: 0 for a valid file, 1 for one with an error.
cat >"$T_TMP/good.conf" <<EOC
authority le {
	api url "https://acme.example/dir"
	account key "$T_TMP/le.key"
}
domain example.com {
	domain key "$T_TMP/example.com.key"
	domain full chain certificate "$T_TMP/example.com.pem"
}
EOC
run -n -f "$T_TMP/good.conf"
check "-n, a valid file: exit 0" [ "$rc" -eq 0 ]
sed 's/api url/api uri/' "$T_TMP/good.conf" >"$T_TMP/bad.conf"
run -n -f "$T_TMP/bad.conf"
check "-n, a file with an error: exit 1" [ "$rc" -eq 1 ]

# -o with nothing due: a line for each certificate, its expiry and the
# renewal date the schedule computes (a third of the lifetime left, or
# "renew before").
t_users
t_pebble 16600 || { notok "pebble starts"; t_done; exit 1; }
conf=$T_TMP/acmed.conf
t_conf "$conf"
t_domain "$conf" one.example.org
t_domain "$conf" two.example.org
sed -i '$d' "$conf"
printf '\trenew before 30 days\n}\n' >>"$conf"
run -o -f "$conf"
check "-o: both certificates issued" [ "$rc" -eq 0 ]

# utc SECONDS: the time as acmed's log gives it.
utc() {
	date -u -d "@$1" '+%Y-%m-%d %H:%M:%S UTC'
}
# not_due NAME DAYS: the line -o prints for NAME; DAYS of "renew
# before", or 0 for the default.
not_due() {
	nb=$(date -u -d "$(openssl x509 -in "$T_TMP/$1.crt" -noout \
	    -startdate | sed 's/^notBefore=//')" +%s)
	na=$(date -u -d "$(openssl x509 -in "$T_TMP/$1.crt" -noout \
	    -enddate | sed 's/^notAfter=//')" +%s)
	if [ "$2" -eq 0 ]; then
		at=$((na - (na - nb) / 3))
	else
		at=$((na - $2 * 86400))
	fi
	echo "$1: not due: expires $(utc "$na"), renewal due $(utc "$at")"
}
not_due one.example.org 0 >"$T_TMP/one.line"
not_due two.example.org 30 >"$T_TMP/two.line"
for v in "" -v; do
	run -o $v -f "$conf"
	check "-o${v:+ $v} with nothing due: exit 0" [ "$rc" -eq 0 ]
	check "-o${v:+ $v} with nothing due: one.example.org's renewal date" \
	    grep -qxF -f "$T_TMP/one.line" "$err"
	check "-o${v:+ $v} with nothing due: two.example.org's (renew before)" \
	    grep -qxF -f "$T_TMP/two.line" "$err"
	check "-o${v:+ $v} with nothing due: one line for each" \
	    [ "$(grep -c ': not due: ' "$err")" -eq 2 ]
done
run -o -f "$conf" two.example.org
check "-o DOMAIN: the line for that domain only" sh -c \
    "grep ': not due: ' '$err' | cmp -s - '$T_TMP/two.line'"

t_done
