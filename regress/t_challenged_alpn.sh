#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# challenged's tls-alpn-01 listeners over real sockets on loopback
# (RFC 8737, RFC 8738 6): the handshake for a published name and for
# addresses by their reverse names, the certificate's name and critical
# acmeIdentifier extension, the connection closed with no application
# data; refused at the handshake: no ALPN, another ALPN, an unknown or
# withdrawn name, no server name; http-01 beside it; the handshake
# deadline for a silent and for a slow client, and a full connection
# table that still lets a validation in.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"
t_python
CLI="$PY $TOP/regress/helpers/alpncli.py"
KA=tlsalpnToken_0123456789-abcdefghij.thumbprint_0123456789-abcdefgh
KA2=otherToken_0123456789.thumbprint_0123456789

if ! chald_start -v alpn/127.0.0.1:0 'alpn/[::1]:0' 127.0.0.1:0; then
	notok "challenged starts with tls-alpn listeners"
	cat "$T_TMP/chald.err"
	t_done
	exit 1
fi
ok "challenged starts with tls-alpn listeners"
P=$(chald_port 1)
P6=$(chald_port 2)
PH=$(chald_port 3)

# Started first, checked last: a client that never sends its hello is
# closed when the handshake's 10 s are up.
"$CHALD_CLI" -t 14000 127.0.0.1 "$P" </dev/null >/dev/null \
    2>"$T_TMP/slow.err" &
slow=$!
# So is one that sends it a byte every half second: it would take 20 s.
$CLI -d 40 127.0.0.1 "$P" >"$T_TMP/drip.out" 2>&1 &
drip=$!

check "example.org published" chald_add_alpn example.org "$KA"
check "127.0.0.1 published" chald_add_alpn 127.0.0.1 "$KA2"
check "::1 published" chald_add_alpn ::1 "$KA2"
check_not "a name with a slash refused" chald_add_alpn a/b "$KA"
check_not "a key authorization with a colon refused" \
    chald_add_alpn ok.example.org "a:b"

# ext FILE: the acmeIdentifier extension of a DER certificate, as hex.
ext() {
	openssl asn1parse -inform DER -in "$1" 2>/dev/null |
	    awk '/OBJECT *:1.3.6.1.5.5.7.1.31/ { f = 1; next }
		f && /BOOLEAN/ { crit = $0; next }
		f && /OCTET STRING/ { sub(/.*\[HEX DUMP\]:/, ""); print crit; print; exit }'
}
want=$(printf %s "$KA" | openssl dgst -sha256 -r | cut -d' ' -f1 |
    tr a-f A-F)

r=$($CLI -a acme-tls/1 -s example.org -o "$T_TMP/c.der" 127.0.0.1 "$P")
check "example.org: handshake with acme-tls/1 chosen, then closed, no data ($r)" \
    [ "$r" = "ok acme-tls/1 eof" ]
check "example.org: the certificate names example.org" sh -c \
    "openssl x509 -inform DER -in '$T_TMP/c.der' -noout -ext subjectAltName |
    grep -qx ' *DNS:example.org'"
e=$(ext "$T_TMP/c.der")
check "example.org: acmeIdentifier is critical" sh -c \
    "echo '$e' | head -1 | grep -q 'BOOLEAN.*255'"
check "example.org: acmeIdentifier holds SHA-256 of the key authorization" \
    [ "$(echo "$e" | tail -1)" = "0420$want" ]
r=$($CLI -a http/1.1 -a acme-tls/1 -s EXAMPLE.org 127.0.0.1 "$P")
check "acme-tls/1 among others, name in upper case: answered ($r)" \
    [ "$r" = "ok acme-tls/1 eof" ]
r=$($CLI -a acme-tls/1 -s 1.0.0.127.in-addr.arpa -o "$T_TMP/ip.der" \
    127.0.0.1 "$P")
check "127.0.0.1 by its reverse name: answered ($r)" \
    [ "$r" = "ok acme-tls/1 eof" ]
check "127.0.0.1: the certificate names the address" sh -c \
    "openssl x509 -inform DER -in '$T_TMP/ip.der' -noout -ext subjectAltName |
    grep -qx ' *IP Address:127.0.0.1'"
rev6=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa
r=$($CLI -a acme-tls/1 -s "$rev6" ::1 "$P6")
check "::1 by its reverse name, over IPv6: answered ($r)" \
    [ "$r" = "ok acme-tls/1 eof" ]

r=$($CLI -s example.org 127.0.0.1 "$P")
check "no ALPN: refused at the handshake ($r)" \
    [ "$r" = "refused NO_APPLICATION_PROTOCOL" ]
r=$($CLI -a h2 -a http/1.1 -s example.org 127.0.0.1 "$P")
check "another ALPN: refused at the handshake ($r)" \
    [ "$r" = "refused NO_APPLICATION_PROTOCOL" ]
r=$($CLI -a acme-tls/1 -s unknown.example.org 127.0.0.1 "$P")
check "an unknown name: refused at the handshake ($r)" \
    [ "$r" = "refused TLSV1_UNRECOGNIZED_NAME" ]
r=$($CLI -a acme-tls/1 127.0.0.1 "$P")
check "no server name: refused at the handshake ($r)" \
    [ "$r" = "refused TLSV1_UNRECOGNIZED_NAME" ]
r=$($CLI -a acme-tls/1 -s 127.0.0.1 127.0.0.1 "$P")
check "an address as the server name: refused ($r)" \
    sh -c "echo '$r' | grep -q '^refused'"

chald_del_alpn example.org
r=$($CLI -a acme-tls/1 -s example.org 127.0.0.1 "$P")
check "example.org withdrawn: refused ($r)" \
    [ "$r" = "refused TLSV1_UNRECOGNIZED_NAME" ]
check "example.org published again" chald_add_alpn example.org "$KA"
r=$($CLI -a acme-tls/1 -s example.org 127.0.0.1 "$P")
check "example.org answered again ($r)" [ "$r" = "ok acme-tls/1 eof" ]

r=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "http://127.0.0.1:$PH/")
check "http-01 served beside it ($r)" [ "$r" = 200 ]
r=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "http://127.0.0.1:$P/")
check_not "no HTTP on the tls-alpn listener ($r)" [ "$r" = 200 ]

wait "$slow"
check "a client that sends no hello is closed at the deadline" \
    grep -qx eof "$T_TMP/slow.err"
check "challenged says why" grep -q 'tls-alpn-01 handshake timeout' \
    "$T_TMP/chald.err"
wait "$drip"
check "a client that sends its hello a byte at a time is closed too" \
    grep -qx closed "$T_TMP/drip.out"

# 300 idle connections, more than the table holds: the oldest go, and a
# validation that comes last is answered.
r=$($CLI -n 300 -t 20 -a acme-tls/1 -s example.org 127.0.0.1 "$P")
check "after 300 idle connections, a validation is answered ($r)" \
    [ "$r" = "ok acme-tls/1 eof" ]
check "challenged dropped the oldest" \
    grep -q 'dropped, tls-alpn connection table full' "$T_TMP/chald.err"

chald_stop
check "challenged stops cleanly" [ "$CHALD_EXIT" = 0 ]

# As the daemon runs it: chrooted, its own user, under seccomp.  The
# certificates and their keys are made in there.
if [ "$(id -u)" -ne 0 ]; then
	echo "ok $((t_n + 1)) # skip the sandboxed run needs root"
	t_n=$((t_n + 1))
	t_done
	exit
fi
t_users
mkdir -m 0755 "$T_TMP/empty"
if chald_start -v -x "$ACMED_LIBEXEC/challenged" -u _acmed-www \
    -C "$T_TMP/empty" alpn/127.0.0.1:0; then
	ok "sandboxed challenged starts with a tls-alpn listener"
	check "sandboxed: seccomp filter on" \
	    grep -q '^Seccomp:[[:space:]]*2' "/proc/$CHALD_PID/status"
	check "sandboxed: OpenSSL left no descriptor open" \
	    [ "$(ls "/proc/$CHALD_PID/fd" | wc -l)" -eq 6 ]
	check "sandboxed: example.org published" \
	    chald_add_alpn example.org "$KA"
	r=$($CLI -a acme-tls/1 -s example.org -o "$T_TMP/s.der" 127.0.0.1 \
	    "$(chald_port 1)")
	check "sandboxed: answered ($r)" [ "$r" = "ok acme-tls/1 eof" ]
	check "sandboxed: acmeIdentifier holds the digest" \
	    [ "$(ext "$T_TMP/s.der" | tail -1)" = "0420$want" ]
	r=$($CLI -a h2 -s example.org 127.0.0.1 "$(chald_port 1)")
	check "sandboxed: another ALPN refused ($r)" \
	    [ "$r" = "refused NO_APPLICATION_PROTOCOL" ]
	chald_stop
	check "sandboxed: stops cleanly, nothing the filter refused" \
	    [ "$CHALD_EXIT" = 0 ]
else
	notok "sandboxed challenged starts with a tls-alpn listener"
	sed 's/^/# /' "$T_TMP/chald.err"
fi
t_done
