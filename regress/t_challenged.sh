#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# challenged over real sockets on loopback: tokens published and
# withdrawn, the test page, HEAD, IPv4 and IPv6, two listeners,
# keep-alive, pipelining, half-closed connections, error statuses and the
# request deadline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"

TOK=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
KA=$TOK.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI
DIR=/.well-known/acme-challenge

if ! chald_start 127.0.0.1:0 '[::1]:0' 127.0.0.1:0; then
	notok "challenged starts"
	cat "$T_TMP/chald.err"
	t_done
	exit 1
fi
ok "challenged starts on three sockets"
P1=$(chald_port 1)
P6=$(chald_port 2)
P2=$(chald_port 3)

# Started first, checked last: a request that never ends gets a 408 when
# its 10 s are up, and the connection is closed.
printf 'GET / HTTP/1.1\r\nHost: slow\r\n' |
    "$CHALD_CLI" -t 14000 127.0.0.1 "$P1" >"$T_TMP/slow.out" \
    2>"$T_TMP/slow.err" &
slow=$!
start=$(date +%s)

CURL="curl -s --max-time 5"
u="http://127.0.0.1:$P1$DIR"

check "token published" chald_add "$TOK" "$KA"
check_not "token with a slash refused" chald_add "a/b" "a.b"
check_not "key authorization with a colon refused" chald_add "ab" "a:b"

r=$($CURL "$u/$TOK")
check "published token answered with its key authorization" \
    [ "$r" = "$KA" ]
r=$($CURL -o /dev/null -w '%{http_code} %{content_type}' "$u/$TOK")
check "200 text/plain ($r)" [ "$r" = "200 text/plain" ]
r=$($CURL -o /dev/null -w '%{http_code}' "$u/unknownToken")
check "unknown token: 404 ($r)" [ "$r" = 404 ]
r=$($CURL -o /dev/null -w '%{http_code}' "$u/../$TOK")
check "dot segments: 404 or normalized ($r)" [ "$r" = 404 ] ||
    [ "$r" = 200 ]
r=$(printf 'GET %s/%%2e%%2e HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' \
    "$DIR" | "$CHALD_CLI" 127.0.0.1 "$P1" 2>/dev/null | head -n 1)
check "percent-encoded dots: 404" [ "$r" = "HTTP/1.1 404 Not Found$(printf '\r')" ]

r=$($CURL "http://127.0.0.1:$P1/")
check "test page at /" ready "$r"
r=$($CURL "$u/")
check "test page at the challenge directory" ready "$r"

$CURL -I "$u/$TOK" >"$T_TMP/head" 2>&1
check "HEAD: 200" grep -q '^HTTP/1.1 200 ' "$T_TMP/head"
check "HEAD: Content-Length of the key authorization" \
    grep -qi "^Content-Length: ${#KA}" "$T_TMP/head"
r=$(printf 'HEAD %s/%s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' \
    "$DIR" "$TOK" | "$CHALD_CLI" 127.0.0.1 "$P1" 2>/dev/null |
    sed -n '/^\r$/,$p' | wc -c)
check "HEAD: no body ($r bytes after the head)" [ "$r" -eq 2 ]

r=$($CURL -g "http://[::1]:$P6$DIR/$TOK")
check "IPv6 [::1]" [ "$r" = "$KA" ]
r=$($CURL "http://127.0.0.1:$P2$DIR/$TOK")
check "second IPv4 listener" [ "$r" = "$KA" ]

r=$($CURL -H 'Host: www.example.org' "$u/$TOK")
check "any Host header" [ "$r" = "$KA" ]
r=$(printf 'GET http://example.org%s/%s HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n' \
    "$DIR" "$TOK" | "$CHALD_CLI" 127.0.0.1 "$P1" 2>/dev/null | tail -n 1)
check "absolute-form request" [ "$r" = "$KA" ]

# Keep-alive: curl reuses its connection for a second URL.
$CURL -v "$u/$TOK" "$u/$TOK" >"$T_TMP/ka.out" 2>"$T_TMP/ka.err"
check "curl: two answers" [ "$(grep -c "^$KA" "$T_TMP/ka.out")" -eq 1 ] ||
    [ "$(cat "$T_TMP/ka.out")" = "$KA$KA" ]
check "curl: second request on the same connection" \
    grep -qi 're-using existing connection' "$T_TMP/ka.err"

# Keep-alive by hand: the second request after the first answer.
printf 'GET %s/%s HTTP/1.1\r\nHost: a\r\n\r\n\fGET / HTTP/1.1\r\nHost: a\r\n\r\n' \
    "$DIR" "$TOK" | "$CHALD_CLI" -t 1000 127.0.0.1 "$P1" \
    >"$T_TMP/ka2.out" 2>"$T_TMP/ka2.err"
check "keep-alive: two answers on one connection" \
    [ "$(grep -o 'HTTP/1.1 200 ' "$T_TMP/ka2.out" | wc -l)" -eq 2 ]
check "keep-alive: connection still open afterwards" \
    grep -q '^open$' "$T_TMP/ka2.err"

# Pipelining: three requests in one write, answered in order.
printf 'GET %s/%s HTTP/1.1\r\nHost: a\r\n\r\nGET %s/nope HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' \
    "$DIR" "$TOK" "$DIR" | "$CHALD_CLI" 127.0.0.1 "$P1" \
    >"$T_TMP/pipe.out" 2>"$T_TMP/pipe.err"
r=$(grep -o 'HTTP/1.1 [0-9]*' "$T_TMP/pipe.out" | cut -d' ' -f2 |
    tr '\n' ' ')
check "pipelined: 200 404 200 in order ($r)" [ "$r" = "200 404 200 " ]
check "pipelined: key authorization in the first answer" \
    grep -q "^$KA" "$T_TMP/pipe.out"
check "pipelined: closed after Connection: close" \
    grep -q '^eof$' "$T_TMP/pipe.err"

# Many pipelined requests: more answers than fit in one buffer.
i=0
: >"$T_TMP/many.in"
while [ $i -lt 200 ]; do
	printf 'GET %s/%s HTTP/1.1\r\nHost: a\r\n\r\n' "$DIR" "$TOK" \
	    >>"$T_TMP/many.in"
	i=$((i + 1))
done
printf 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' \
    >>"$T_TMP/many.in"
"$CHALD_CLI" -t 5000 127.0.0.1 "$P1" <"$T_TMP/many.in" \
    >"$T_TMP/many.out" 2>"$T_TMP/many.err"
check "200 pipelined requests and one more answered" \
    [ "$(grep -o 'HTTP/1.1 200 ' "$T_TMP/many.out" | wc -l)" -eq 201 ]
check "... then closed" grep -q '^eof$' "$T_TMP/many.err"

# Half-closed: the client shuts its side after the request.
printf 'GET %s/%s HTTP/1.1\r\nHost: a\r\n\r\n' "$DIR" "$TOK" |
    "$CHALD_CLI" -H 127.0.0.1 "$P1" >"$T_TMP/half.out" 2>"$T_TMP/half.err"
check "half-closed: answered" grep -q "^$KA" "$T_TMP/half.out"
check "half-closed: then closed" grep -q '^eof$' "$T_TMP/half.err"
printf 'GET / HTTP/1.1\r\nHost: a\r\n' |
    "$CHALD_CLI" -H 127.0.0.1 "$P1" >"$T_TMP/half2.out" 2>"$T_TMP/half2.err"
check "half-closed in the middle of a request: closed at once" \
    grep -q '^eof$' "$T_TMP/half2.err"

# HTTP/1.0 and Connection: close.
printf 'GET / HTTP/1.0\r\n\r\n' | "$CHALD_CLI" 127.0.0.1 "$P1" \
    >"$T_TMP/h10.out" 2>"$T_TMP/h10.err"
check "HTTP/1.0: answered and closed" grep -q '^eof$' "$T_TMP/h10.err"
check "HTTP/1.0: Connection: close said" \
    grep -qi '^Connection: close' "$T_TMP/h10.out"
printf 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' |
    "$CHALD_CLI" -t 700 127.0.0.1 "$P1" >/dev/null 2>"$T_TMP/h10k.err"
check "HTTP/1.0 with keep-alive: kept open" grep -q '^open$' "$T_TMP/h10k.err"
printf 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
    "$CHALD_CLI" 127.0.0.1 "$P1" >/dev/null 2>"$T_TMP/close.err"
check "Connection: close honoured" grep -q '^eof$' "$T_TMP/close.err"

# Statuses for everything else, each followed by a close.
status() {
	printf "$1" | "$CHALD_CLI" 127.0.0.1 "$P1" 2>"$T_TMP/st.err" |
	    head -n 1 | cut -d' ' -f2
}
r=$(status 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc')
check "POST: 405 ($r)" [ "$r" = 405 ]
check "POST with a body: closed" grep -q '^eof$' "$T_TMP/st.err"
r=$($CURL -o /dev/null -w '%{http_code}' -X DELETE "$u/$TOK")
check "DELETE: 405 ($r)" [ "$r" = 405 ]
r=$($CURL -D - -o /dev/null -X PUT "$u/$TOK" | grep -i '^Allow:' | tr -d '\r')
check "405 says Allow: GET, HEAD" [ "$r" = "Allow: GET, HEAD" ]
r=$(status 'GET / HTTP/1.1\r\n\r\n')
check "HTTP/1.1 without Host: 400 ($r)" [ "$r" = 400 ]
check "... then closed" grep -q '^eof$' "$T_TMP/st.err"
r=$(status 'GET / HTTP/2.0\r\nHost: a\r\n\r\n')
check "HTTP/2.0: 505 ($r)" [ "$r" = 505 ]
r=$(status 'this is not http\r\n\r\n')
check "garbage line: 400 ($r)" [ "$r" = 400 ]
r=$(status '\026\003\001\002\000\001\000\001\374\003\003')
check "TLS handshake on the HTTP port: 400 at once ($r)" [ "$r" = 400 ]
long=$(head -c 9000 /dev/zero | tr '\0' a)
r=$(status "GET /$long HTTP/1.1\r\nHost: a\r\n\r\n")
check "9000-byte path: 414 ($r)" [ "$r" = 414 ]
r=$(status "GET / HTTP/1.1\r\nHost: a\r\nX: $long\r\n\r\n")
check "9000-byte header: 431 ($r)" [ "$r" = 431 ]
hdrs=$(i=0; while [ $i -lt 80 ]; do printf 'X-%d: v\\r\\n' $i; i=$((i+1)); done)
r=$(status "GET / HTTP/1.1\r\nHost: a\r\n$hdrs\r\n")
check "80 header fields: 431 ($r)" [ "$r" = 431 ]
r=$(printf 'GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n' | "$CHALD_CLI" 127.0.0.1 "$P1" \
    2>/dev/null | head -n 1 | cut -d' ' -f2)
check "NUL in a header: 400 ($r)" [ "$r" = 400 ]

# Withdrawn.
chald_del "$TOK"
r=404
wait_for 5 sh -c "[ \"\$($CURL -o /dev/null -w '%{http_code}' '$u/$TOK')\" = 404 ]" ||
    r=$($CURL -o /dev/null -w '%{http_code}' "$u/$TOK")
check "withdrawn token: 404 ($r)" [ "$r" = 404 ]
check "publish again" chald_add "$TOK" "$KA"
r=$($CURL "$u/$TOK")
check "published again: answered" [ "$r" = "$KA" ]

# The request that never ended.
wait "$slow"
end=$(date +%s)
check "unfinished request: 408" grep -q '^HTTP/1.1 408 ' "$T_TMP/slow.out"
check "unfinished request: closed" grep -q '^eof$' "$T_TMP/slow.err"
check "unfinished request: after about 10 s ($((end - start)) s)" \
    sh -c "[ $((end - start)) -ge 9 ] && [ $((end - start)) -le 13 ]"

chald_stop
r=$CHALD_EXIT
check "challenged stops cleanly on SHUTDOWN (exit $r)" [ "$r" = 0 ]
t_done
