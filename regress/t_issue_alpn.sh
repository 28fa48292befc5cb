#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# tls-alpn-01 end to end against Pebble on loopback (RFC 8737, RFC 8738
# 6): acmed listens only for tls-alpn-01, on Pebble's tlsPort, and a
# certificate is issued for a DNS name and for 127.0.0.1 chosen with
# "challenge tls-alpn-01"; the answers are withdrawn afterwards.  Then a
# daemon on http-01 alone is given, by SIGHUP, a tls-alpn listener and a
# domain on tls-alpn-01, and issues it, its metrics counting the
# handshakes.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 17620 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
TLS_PORT=17624		# t_pebble's base + 4: Pebble's tlsPort

conf=$T_TMP/acmed.conf
run() {
	"$ACMED" -o -d -v -f "$@" >"$T_TMP/out" 2>&1
}
# The global part with no http-01 listener: only tls-alpn-01's.
t_conf "$conf"
sed -i "s|^listen on 127.0.0.1 port $T_HTTP_PORT\$|listen on 127.0.0.1 port $TLS_PORT tls-alpn|" \
    "$conf"
t_domain "$conf" alpn.example.org
t_domain "$conf" 127.0.0.1
sed -i "s|^	sign with pebble\$|	sign with pebble\\
	challenge tls-alpn-01|" "$conf"
check "acmed -n accepts the configuration" "$ACMED" -n -f "$conf"
check_not "no http-01 listener in it" grep -q "port $T_HTTP_PORT" "$conf"
check "acmed -o exits 0" run "$conf"
check "alpn.example.org: chain verifies against Pebble's root" \
    t_verify alpn.example.org
check "127.0.0.1: chain verifies against Pebble's root" t_verify 127.0.0.1
check "127.0.0.1: the leaf names the address" sh -c \
    "openssl x509 -in '$T_TMP/127.0.0.1.crt' -noout -ext subjectAltName |
    grep -q 'IP Address:127.0.0.1'"
check "netproc answered the tls-alpn-01 challenges" \
    grep -q 'alpn.example.org: tls-alpn-01 challenge answered' "$T_TMP/out"
check "acmed answered the tls-alpn-01 handshakes" \
    grep -q 'tls-alpn-01 answered for alpn.example.org' "$T_TMP/out"
check "acmed answered for the address by its reverse name" \
    grep -q 'tls-alpn-01 answered for 1.0.0.127.in-addr.arpa' "$T_TMP/out"
check "the answers were withdrawn" \
    grep -q 'alpn.example.org: tls-alpn-01 answer withdrawn' "$T_TMP/out"
check "no pending order left behind" sh -c \
    "! ls '$T_TMP/state/orders/' 2>/dev/null | grep -q ."

# The daemon: http-01 only at first, then tls-alpn-01 added by SIGHUP.
rm -rf "$T_TMP/state"
t_conf "$conf"
echo "metrics file \"$T_TMP/metrics.prom\"" >>"$conf"
t_domain "$conf" http.example.org
"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "daemon: http.example.org issued over http-01" \
    wait_for 60 grep -q 'http.example.org: certificate issued' "$T_TMP/log"
echo "listen on 127.0.0.1 port $TLS_PORT tls-alpn" >>"$conf"
t_domain "$conf" hup.example.org
sed -i '$d' "$conf"
printf '\tchallenge tls-alpn-01\n}\n' >>"$conf"
kill -HUP "$dpid"
check "daemon: the reload binds the tls-alpn listener" wait_for 10 \
    grep -q "listening on 127.0.0.1:$TLS_PORT from now on" "$T_TMP/log"
check "daemon: challenged is given it for tls-alpn-01" wait_for 10 \
    grep -q "listening on 127.0.0.1:$TLS_PORT for tls-alpn-01" \
    "$T_TMP/log"
check "daemon: hup.example.org issued over tls-alpn-01" \
    wait_for 60 grep -q 'hup.example.org: certificate issued' "$T_TMP/log"
check "daemon: answered by handshake" \
    grep -q 'tls-alpn-01 answered for hup.example.org' "$T_TMP/log"
check "daemon: chain verifies" t_verify hup.example.org
counted() {
	grep -Eq "^acmed_challenge_responses_total\\{result=\"$1\"\\} [1-9]" \
	    "$T_TMP/metrics.prom"
}
check "daemon: the handshakes Pebble made, counted in the metrics" \
    wait_for 30 counted tls-alpn
$PY "$TOP/regress/helpers/alpncli.py" -a h2 -s hup.example.org 127.0.0.1 \
    "$TLS_PORT" >/dev/null
check "daemon: a refused handshake, counted" wait_for 30 counted \
    tls-alpn-refused
kill "$dpid"
t_done
