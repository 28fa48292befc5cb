#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# challenged as the daemon runs it: obj/libexec/challenged with its sockets
# passed over the channel, chrooted in an empty directory as _acmed-www
# under seccomp; everything it does while serving (accepting, evicting,
# half-closes, lingering closes, giving pages back) must pass the filter.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip needs root for the sandbox"
	exit 0
fi
t_users

TOK=sandboxToken_0123456789-abcdefghijklmnopqrstu
KA=$TOK.thumbprint_0123456789-abcdefghijklmnopqrst
EMPTY=$T_TMP/empty
mkdir -m 0755 "$EMPTY"

if ! chald_start -x "$ACMED_LIBEXEC/challenged" -u _acmed-www -C "$EMPTY" 127.0.0.1:0 \
    '[::1]:0'; then
	notok "challenged (obj/libexec/challenged) starts"
	sed 's/^/# /' "$T_TMP/chald.err"
	t_done
	exit 1
fi
ok "challenged (obj/libexec/challenged) starts"
P=$(chald_port 1)
P6=$(chald_port 2)
st=/proc/$CHALD_PID/status
uid=$(id -u _acmed-www)
check "runs as _acmed-www" grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid" "$st"
check "seccomp filter on" grep -q '^Seccomp:[[:space:]]*2' "$st"
check "no new privileges" grep -q '^NoNewPrivs:[[:space:]]*1' "$st"
check "chrooted in the empty directory" \
    [ "$(readlink "/proc/$CHALD_PID/root")" = "$EMPTY" ]
check "holds only its channels and sockets" \
    [ "$(ls "/proc/$CHALD_PID/fd" | wc -l)" -eq 7 ]

check "token published" chald_add "$TOK" "$KA"
# With no tls-alpn listener OpenSSL was not set up before the sandbox:
# a tls-alpn-01 answer is refused, and challenged lives on.
check_not "a tls-alpn-01 answer refused without a tls-alpn listener" \
    chald_add_alpn example.org "$KA"
check "... and challenged says why" \
    grep -q 'example.org: .*not published: no tls-alpn listener' \
    "$T_TMP/chald.err"
u="http://127.0.0.1:$P/.well-known/acme-challenge"
r=$(curl -s --max-time 5 "$u/$TOK")
check "token answered" [ "$r" = "$KA" ]
r=$(curl -s --max-time 5 -g "http://[::1]:$P6/.well-known/acme-challenge/$TOK")
check "token answered on IPv6" [ "$r" = "$KA" ]
r=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -I "$u/nope")
check "HEAD of an unknown token: 404 ($r)" [ "$r" = 404 ]
printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
    "$CHALD_CLI" 127.0.0.1 "$P" >"$T_TMP/pipe.out" 2>"$T_TMP/pipe.err"
check "pipelined requests both answered" \
    [ "$(grep -o 'HTTP/1.1 200 ' "$T_TMP/pipe.out" | wc -l)" -eq 2 ]
check "pipelined requests: then closed" grep -q '^eof$' "$T_TMP/pipe.err"
printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' |
    "$CHALD_CLI" -H 127.0.0.1 "$P" >"$T_TMP/half.out" 2>"$T_TMP/half.err"
check "half-closed connection answered and closed" \
    grep -q '^eof$' "$T_TMP/half.err"
r=$(printf 'BREW / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\npot!' |
    "$CHALD_CLI" 127.0.0.1 "$P" 2>/dev/null | head -n 1 | cut -d' ' -f2)
check "405 with a lingering close ($r)" [ "$r" = 405 ]
r=$(printf '\026\003\001\002\000' | "$CHALD_CLI" 127.0.0.1 "$P" 2>/dev/null |
    head -n 1 | cut -d' ' -f2)
check "TLS bytes: 400 ($r)" [ "$r" = 400 ]

"$OBJ/regress/chald_abuse" -s 300 -f 2000 -d 3 127.0.0.1 "$P" \
    "/.well-known/acme-challenge/$TOK" "$KA" >"$T_TMP/abuse.out" 2>&1
sed 's/^/# /' "$T_TMP/abuse.out"
g=$(awk '$1 == "good" { print $2 }' "$T_TMP/abuse.out")
n=$(awk '$1 == "probes" { print $2 }' "$T_TMP/abuse.out")
check "under a flood, the prober asked ($n)" [ "${n:-0}" -gt 0 ]
check "under a flood, every probe answered ($g/$n)" [ "$g" = "$n" ]
check "still alive after the flood" kill -0 "$CHALD_PID"
r=$(curl -s --max-time 5 "$u/$TOK")
check "still answering" [ "$r" = "$KA" ]
check "no system call refused" sh -c \
    "! grep -qi 'seccomp\|sigsys\|bad system call' '$T_TMP/chald.err'"

chald_stop
r=$CHALD_EXIT
check "stops cleanly on SHUTDOWN (exit $r)" [ "$r" = 0 ]
t_done
