#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# netproc's transport (acmed/http.c, via the http_get helper) against
# faultsrv, a loopback HTTPS peer that misbehaves on request: body cap,
# timeouts, Retry-After in both forms, Link and Replay-Nonce parsing,
# dropped connections, connection reuse.
. "$(dirname "$0")/lib.sh"

HG="$OBJ_SAN/regress/http_get"
[ -x "$HG" ] || HG="$OBJ/regress/http_get"
FS="$OBJ/regress/faultsrv"
PB="$TOP/regress/pebble.sh"
C="$T_TMP/certs"
S="$T_TMP/spec"

check "helpers built" test -x "$HG" -a -x "$FS"
check "certificates" "$PB" certs "$C"

future=$(date -u -d "@$(($(date +%s) + 300))" '+%a, %d %b %Y %H:%M:%S GMT')
cat >"$S" <<SPEC
path /dir
header Content-Type: application/json; charset=UTF-8
header Link: <https://127.0.0.1/acme/directory>;rel="index"
header Link: <https://127.0.0.1/alt/1>;rel="alternate", <https://127.0.0.1/issuer>;rel=up
header link: <https://127.0.0.1/alt/2>; title="a, b; c"; rel="alternate"
nonce
body {"newNonce":"https://127.0.0.1/n","newAccount":"https://127.0.0.1/a",
body "newOrder":"https://127.0.0.1/o","renewalInfo":"https://127.0.0.1/ari/"}

path /badnonce
header Replay-Nonce: not a nonce!

path /exact
body-size 1048576

path /big
body-size 1048577

path /big-unsized
no-length
body-size 3000000

path /slow
slow 200
body-size 40

path /stall
stall

path /drop
drop

path /retry-secs
status 503
header Retry-After: 120

path /retry-date
status 503
header Retry-After: $future

path /retry-past
status 503
header Retry-After: Thu, 01 Jan 2015 00:00:00 GMT

path /retry-huge
status 503
header Retry-After: 99999999999999999999

path /retry-junk
status 503
header Retry-After: soon

path /ratelimited
status 429
header Content-Type: application/problem+json
header Retry-After: 3600
body {"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many"}

path /once
count 1
status 500

path /once
status 200
body second

path /redirect
status 301
header Location: https://127.0.0.1/elsewhere

path /echo
echo

path /close
close
body bye

path /post-drop
count 1
body first

path /post-drop
drop
SPEC

"$FS" -c "$C/cert.pem" -k "$C/key.pem" -f "$S" -P "$T_TMP/port" \
    2>"$T_TMP/faultsrv.log" &
fspid=$!
t_at_exit "kill $fspid 2>/dev/null"
check "faultsrv listening" wait_for 10 test -s "$T_TMP/port"
U="https://127.0.0.1:$(cat "$T_TMP/port")"
out="$T_TMP/out"

get() {
	"$HG" -c "$C/ca.pem" "$@" >"$out" 2>&1
}
has() {
	grep -qx -- "$1" "$out"
}

get -D "$U/dir"
check "dir: 200" has "status 200"
check "content type without parameters, lowercased" \
    has "content-type application/json"
check "nonce" grep -Eq "^nonce n[0-9a-f]{16}$" "$out"
check "link up" has "link-up https://127.0.0.1/issuer"
check "link alternate 1" has "alternate https://127.0.0.1/alt/1"
check "link alternate 2 (quoted comma in another parameter)" \
    has "alternate https://127.0.0.1/alt/2"
check "only two alternates" test "$(grep -c ^alternate "$out")" -eq 2
check "no retry-after" test "$(grep -c ^retry-after "$out")" -eq 0
check "directory with renewalInfo" \
    has "dir renewalInfo https://127.0.0.1/ari/"

get "$U/badnonce"
check "invalid Replay-Nonce ignored" test "$(grep -c ^nonce "$out")" -eq 0

get "$U/exact"
check "body of exactly ACME_MAX_BODY accepted" has "body-length 1048576"
get "$U/big"
check "body over the cap refused" \
    has "error $U/big: response larger than 1048576 bytes"
get "$U/big-unsized"
check "unsized body over the cap refused" \
    has "error $U/big-unsized: response larger than 1048576 bytes"

start=$(date +%s)
get -t 0,1500,0 "$U/slow"
check "slow body: total timeout" grep -q "^error $U/slow: .*timed out" "$out"
get -t 0,0,2 "$U/slow"
check "slow body: low speed limit" grep -q "^error $U/slow: .*too slow" \
    "$out"
get -t 0,1500,0 "$U/stall"
check "stalled answer: timeout" grep -q "^error $U/stall: .*timed out" "$out"
end=$(date +%s)
check "timeouts were bounded" test $((end - start)) -lt 15
get "$U/drop"
check "dropped connection: transport error" grep -q "^error $U/drop: " "$out"

get "$U/retry-secs"
check "Retry-After seconds" has "retry-after 120"
check "503 is an answer" has "status 503"
get "$U/retry-date"
ra=$(sed -n 's/^retry-after //p' "$out")
check "Retry-After HTTP-date ($ra)" test "${ra:-0}" -ge 290 -a "${ra:-0}" -le 300
get "$U/retry-past"
check "Retry-After in the past" has "retry-after 0"
get "$U/retry-huge"
check "Retry-After bounded to a day" has "retry-after 86400"
get "$U/retry-junk"
check "Retry-After unreadable: absent" \
    test "$(grep -c ^retry-after "$out")" -eq 0
get -b "$U/ratelimited"
check "rateLimited: 429" has "status 429"
check "rateLimited: problem" has "content-type application/problem+json"
check "rateLimited: retry-after" has "retry-after 3600"

get -b "$U/once"
check "first answer 500" has "status 500"
get -b "$U/once"
check "then 200" has "second"

get "$U/redirect"
check "redirect not followed" has "status 301"
check "location kept" has "location https://127.0.0.1/elsewhere"

get -b -d '{"payload":"x"}' -a application/pem-certificate-chain "$U/echo"
check "POST" grep -q "^POST /echo HTTP/1.1" "$out"
check "POST content type" grep -qi "^content-type: application/jose+json" \
    "$out"
check "POST accept" grep -qi "^accept: application/pem-certificate-chain" \
    "$out"
check "no Expect: 100-continue" test "$(grep -ci '^expect:' "$out")" -eq 0
check "user agent" grep -qi "^user-agent: acmed-regress" "$out"

# Connection reuse, counted by the server.
curl -sf --cacert "$C/ca.pem" "$U/_stats" >"$T_TMP/before"
get -n 10 -b "$U/echo"
check "10 requests, 1 connection (client)" has "connections 1"
curl -sf --cacert "$C/ca.pem" "$U/_stats" >"$T_TMP/after"
b=$(sed -n 's/^connections //p' "$T_TMP/before")
a=$(sed -n 's/^connections //p' "$T_TMP/after")
check "10 requests, 1 connection (server: $b -> $a)" test $((a - b)) -eq 2
# A POST whose kept-alive connection dies before the answer is not sent
# again by the transport (libcurl would, on a new connection): the
# authority may have acted on it.  It says the answer was lost.
curl -sf --cacert "$C/ca.pem" "$U/_stats" >"$T_TMP/before"
get -n 2 -d '{"payload":"x"}' "$U/post-drop"
curl -sf --cacert "$C/ca.pem" "$U/_stats" >"$T_TMP/after"
b=$(sed -n 's/^requests //p' "$T_TMP/before")
a=$(sed -n 's/^requests //p' "$T_TMP/after")
check "POST dropped on a kept-alive connection: sent once ($((a - b - 1)) in all)" \
    test $((a - b - 1)) -eq 2
check "POST dropped: its answer is lost" has "lost"
check "POST dropped: the error says the connection closed" \
    has "error $U/post-drop: the connection closed before the answer"
get "$U/drop"
check "GET dropped: not a lost answer" test "$(grep -c '^lost' "$out")" -eq 0
get -n 3 -b "$U/close"
check "Connection: close honoured" has "connections 3"
check "HEAD" sh -c '"$1" -c "$2" -I "$3" | grep -qx "body-length 0"' sh \
    "$HG" "$C/ca.pem" "$U/close"

# Trust comes from the CA given, not from the environment.
SSL_CERT_FILE="$C/ca.pem" CURL_CA_BUNDLE="$C/ca.pem" SSL_CERT_DIR="$C" \
    "$HG" -c /etc/ssl/certs/ca-certificates.crt "$U/dir" >"$out" 2>&1
check "environment CA ignored" grep -q "^error .*SSL certificate problem" \
    "$out"
# The CA among the system's roots, last: found by its subject.
cat /etc/ssl/certs/ca-certificates.crt "$C/ca.pem" >"$T_TMP/bundle.pem"
"$HG" -c "$T_TMP/bundle.pem" "$U/dir" >"$out" 2>&1
check "CA found after $(grep -c 'BEGIN CERT' /etc/ssl/certs/ca-certificates.crt) others" \
    has "status 200"
# A damaged block anywhere: the whole bundle is refused, and said so.
{ cat "$C/ca.pem"; printf -- '-----BEGIN CERTIFICATE-----\n!!!!\n'
  printf -- '-----END CERTIFICATE-----\n'; cat "$C/ca.pem"; } \
    >"$T_TMP/damaged.pem"
"$HG" -c "$T_TMP/damaged.pem" "$U/dir" >"$out" 2>&1
check "damaged bundle refused: $(grep -o 'CA certificates: .*' "$out")" \
    grep -q "CA certificates: the block after certificate 1 is damaged" \
    "$out"
# A bundle without the CA: no certificate is trusted for it.
"$HG" -c /etc/ssl/certs/ca-certificates.crt "$U/dir" >"$out" 2>&1
check "bundle without the CA refused" \
    grep -q "^error .*SSL certificate problem" "$out"
# Proxies from the environment are ignored too.
https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 \
    ALL_PROXY=http://127.0.0.1:1 \
    "$HG" -c "$C/ca.pem" "$U/dir" >"$out" 2>&1
check "environment proxy ignored" has "status 200"

# A TLS handshake that never finishes in time: connect timeout.
"$FS" -c "$C/cert.pem" -k "$C/key.pem" -f "$S" -H 5000 -P "$T_TMP/port2" \
    2>"$T_TMP/faultsrv2.log" &
fs2=$!
t_at_exit "kill $fs2 2>/dev/null"
check "slow-handshake faultsrv" wait_for 10 test -s "$T_TMP/port2"
start=$(date +%s)
get -t 1000,0,0 "https://127.0.0.1:$(cat "$T_TMP/port2")/dir"
end=$(date +%s)
check "connect timeout" grep -Eq "^error .*(timed out|timeout)" "$out"
check "connect timeout quick" test $((end - start)) -le 3

# Nothing listening: a clear transport error.
get "https://127.0.0.1:1/dir"
check "connection refused" grep -q "^error https://127.0.0.1:1/dir: " "$out"
t_done
