#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Many certificates in one daemon, made without an authority: mkcerts
# signs 5,000 with a test CA of its own (keys, leaves valid 90 days, so
# none is due).  The daemon starts, `acmed -s` lists every one, SIGHUP
# reloads them all and SIGTERM stops it; the four processes together
# stay under 256 MiB of PSS (a generous bound: the benchmark,
# regress/bench/many.sh, gives the real numbers).  Then 4,200 domains
# without a key or a certificate, more than keyproc could once hold:
# the start makes every key and provisional certificate.  The authority
# is a closed port on loopback: nothing is due in the first part, and
# in the second the orders fail, which is not what is tested.
. "$(dirname "$0")/lib.sh"
t_users
mkcerts=$OBJ/regress/mkcerts
n=5000
np=4200

# conf FILE: the global part, an authority no one answers for.
conf() {
	cat >"$1" <<EOC
listen on 127.0.0.1 port 16806
state directory "$T_TMP/state"
authority pebble {
	api url "https://127.0.0.1:9/dir"
	api ca "$T_TMP/certs/ca.pem"
	account key "$T_TMP/account.key"
}
EOC
}

# pss PID: the summed PSS in kB of the process and its children.
pss() {
	for ps_p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		sed -n 's/^Pss: *\([0-9]*\) kB/\1/p' \
		    "/proc/$ps_p/smaps_rollup" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}

# started N PID: the log says the daemon started with N certificates, or
# the daemon is gone (each wait below ends early if it dies).
started() {
	grep -q "^starting: acmed.* $1 certificates" "$T_TMP/log" ||
	    ! kill -0 "$2" 2>/dev/null
}

# listed N: `acmed -s` shows N issued certificates.
listed() {
	[ "$("$ACMED" -s -f "$conf" 2>/dev/null |
	    grep -c '^  certificate: issued')" -eq "$1" ]
}

# listed_or_gone N PID, reloaded_or_gone N PID: as it says, or the daemon
# is gone.
listed_or_gone() {
	listed "$1" || ! kill -0 "$2" 2>/dev/null
}
reloaded_or_gone() {
	grep -q "configuration reloaded: $1 certificates" "$T_TMP/log" ||
	    ! kill -0 "$2" 2>/dev/null
}
# provisional_or_gone N PID: N provisional certificates installed, or
# the daemon is gone.
provisional_or_gone() {
	[ "$(grep -c 'provisional self-signed certificate installed' \
	    "$T_TMP/log2")" -eq "$1" ] || ! kill -0 "$2" 2>/dev/null
}

mkdir -p "$T_TMP/certs"
check "mkcerts makes $n keys and certificates" sh -c "\"$mkcerts\" \
    \"$T_TMP/certs\" $n d%d.scale.example >\"$T_TMP/domains\""
conf=$T_TMP/acmed.conf
conf "$conf"
cat "$T_TMP/domains" >>"$conf"
check "configuration of $n certificates valid" \
    sh -c "\"$ACMED\" -n -f \"$conf\" >/dev/null 2>&1"

"$ACMED" -d -f "$conf" >"$T_TMP/log" 2>&1 &
pid=$!
t_at_exit "kill $pid 2>/dev/null"
wait_for 120 started $n $pid
check "the daemon starts with $n certificates" \
    grep -q "^starting: acmed.* $n certificates" "$T_TMP/log"
wait_for 120 listed_or_gone $n $pid
check "acmed -s lists all $n, issued" listed $n
kb=$(pss $pid)
check "the four processes use $kb kB of PSS (at most 262144)" \
    test "$kb" -gt 0 -a "$kb" -le 262144
kids=$(cat /proc/$pid/task/*/children 2>/dev/null | wc -w)
check "three children ($kids)" test "$kids" -eq 3
check_not "no key was read at start" grep -q 'keyproc: key [0-9]*: ECDSA' \
    "$T_TMP/log"

kill -HUP $pid
wait_for 120 reloaded_or_gone $n $pid
check "SIGHUP reloads all $n" \
    grep -q "configuration reloaded: $n certificates" "$T_TMP/log"
check "three children again" wait_for 30 sh -c \
    "[ \$(cat /proc/$pid/task/*/children 2>/dev/null | wc -w) -eq 3 ]"
wait_for 120 listed_or_gone $n $pid
check "acmed -s still lists all $n" listed $n
kb=$(pss $pid)
check "after the reload $kb kB of PSS (at most 262144)" \
    test "$kb" -gt 0 -a "$kb" -le 262144
kill -TERM $pid
check "SIGTERM stops the daemon" wait_for 30 proc_gone $pid
wait $pid
check "it exits 0" test $? -eq 0
check_not "nothing died" grep -qE 'exited with status|killed by|more than' \
    "$T_TMP/log"

# Part two: $np domains with nothing on disk.
rm -rf "$T_TMP/state"
conf "$conf"
i=1
while [ "$i" -le "$np" ]; do
	printf 'domain p%d.scale.example {\n\tdomain key "%s/p%d.key"\n\tdomain full chain certificate "%s/p%d.full"\n\tsign with pebble\n}\n' \
	    "$i" "$T_TMP/certs" "$i" "$T_TMP/certs" "$i"
	i=$((i + 1))
done >>"$conf"
"$ACMED" -d -f "$conf" >"$T_TMP/log2" 2>&1 &
pid=$!
t_at_exit "kill $pid 2>/dev/null"
wait_for 600 provisional_or_gone $np $pid
got=$(grep -c 'provisional self-signed certificate installed' "$T_TMP/log2")
check "$np provisional certificates installed ($got)" test "$got" -eq "$np"
keys=$(ls "$T_TMP"/certs/p*.key 2>/dev/null | wc -l)
check "$np keys made ($keys)" test "$keys" -eq "$np"
check "the last one is self-signed for its name" sh -c "openssl x509 \
    -in \"$T_TMP/certs/p$np.full\" -noout -subject | \
    grep -q 'acmed provisional p$np.scale.example'"
kids=$(cat /proc/$pid/task/*/children 2>/dev/null | wc -w)
check "the daemon runs, three children ($kids)" test "$kids" -eq 3
kill -TERM $pid
check "SIGTERM stops it" wait_for 30 proc_gone $pid
wait $pid
check_not "nothing died" grep -qE 'exited with status|killed by|more than' \
    "$T_TMP/log2"
t_done
