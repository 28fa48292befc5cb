#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Pebble on loopback through regress/pebble.sh, and netproc's transport
# (acmed/http.c, via the http_get helper) against it: the directory is
# fetched and parsed, a nonce comes back, the connection is kept alive,
# and trust comes from the given CA alone, whatever the environment says.
. "$(dirname "$0")/lib.sh"

HG="$OBJ_SAN/regress/http_get"
[ -x "$HG" ] || HG="$OBJ/regress/http_get"
PB="$TOP/regress/pebble.sh"
SYSCA=/etc/ssl/certs/ca-certificates.crt

# Ports of our own, so this test can run beside others.
export PEBBLE_PORT=14210 PEBBLE_MGMT_PORT=15210 PEBBLE_DNS_PORT=8253 \
    PEBBLE_CHALL_MGMT_PORT=8255 PEBBLE_HTTP_PORT=5202 PEBBLE_TLS_PORT=5201
D="$T_TMP/pebble"
t_at_exit "$PB" stop "$D"
t_at_exit "$PB" stop "$T_TMP/pebble2"

check "http_get helper built" test -x "$HG"
check "pebble starts" sh -c '"$1" start "$2" >"$2.out"' sh "$PB" "$D"
. "$D/env"
check "env names the directory" test "$PEBBLE_URL" = \
    "https://127.0.0.1:14210/dir"
check "directory answers curl with the test CA" \
    curl -sf --cacert "$PEBBLE_CA" -o /dev/null "$PEBBLE_URL"
check_not "second start in the same directory refused" \
    sh -c '"$1" start "$2" >/dev/null 2>&1' sh "$PB" "$D"

out="$T_TMP/dir.out"
env -i "$HG" -c "$PEBBLE_CA" -D "$PEBBLE_URL" >"$out" 2>&1
check "GET directory: 200" grep -qx "status 200" "$out"
check "directory parsed" grep -qx \
    "dir newNonce https://127.0.0.1:14210/nonce-plz" "$out"
check "directory content type" grep -qx "content-type application/json" \
    "$out"
nonce_url=$(sed -n 's/^dir newNonce //p' "$out")
new_acct=$(sed -n 's/^dir newAccount //p' "$out")

"$HG" -c "$PEBBLE_CA" -I -n 5 "$nonce_url" >"$out" 2>&1
check "HEAD newNonce: 200" grep -qx "status 200" "$out"
check "HEAD newNonce: nonce" grep -Eq "^nonce [A-Za-z0-9_-]+$" "$out"
check "5 requests, 1 connection" grep -qx "connections 1" "$out"

"$HG" -c "$PEBBLE_CA" -d '{"protected":"e30","payload":"","signature":""}' \
    "$new_acct" >"$out" 2>&1
check "bad JWS: an HTTP answer" grep -Eq "^status 4[0-9][0-9]$" "$out"
check "bad JWS: problem document" \
    grep -qx "content-type application/problem+json" "$out"

# Trust: the system bundle must not make Pebble's CA trusted, and the
# ambient variables pointing at Pebble's CA must not either.
SSL_CERT_FILE="$PEBBLE_CA" CURL_CA_BUNDLE="$PEBBLE_CA" \
    SSL_CERT_DIR="$D" REQUESTS_CA_BUNDLE="$PEBBLE_CA" \
    "$HG" -c "$SYSCA" "$PEBBLE_URL" >"$out" 2>&1
rc=$?
check "ambient trust ignored: transport error" test "$rc" -eq 1
check "ambient trust ignored: clear message" \
    grep -q "^error https://127.0.0.1:14210/dir: SSL certificate problem" \
    "$out"
env -i "$HG" -c "$SYSCA" "$PEBBLE_URL" >"$out" 2>&1
check "system bundle refused under env -i" \
    grep -q "SSL certificate problem" "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T_TMP/other.key" -out "$T_TMP/other.pem" -days 1 \
    -subj "/CN=other" >/dev/null 2>&1
"$HG" -c "$T_TMP/other.pem" "$PEBBLE_URL" >"$out" 2>&1
check "another CA refused" grep -q "SSL certificate problem" "$out"
"$HG" -c "$PEBBLE_CA" "https://localhost:14210/dir" >"$out" 2>&1
check "name localhost verified" grep -qx "status 200" "$out"
"$HG" -c "$PEBBLE_CA" "http://127.0.0.1:14210/dir" >"$out" 2>&1
check "http URL refused" grep -q "not an https URL" "$out"

check "root fetched" "$PB" root "$D"
check "root and intermediate" test "$(grep -c 'BEGIN CERTIFICATE' \
    "$D/root.pem")" -eq 2

# A second instance at once, on other ports.
PEBBLE_PORT=14220 PEBBLE_MGMT_PORT=15220 PEBBLE_DNS_PORT=8263 \
    PEBBLE_CHALL_MGMT_PORT=8265 PEBBLE_NONCE_REJECT=50 PEBBLE_VALIDITY=600 \
    PEBBLE_BLOCKLIST="blocked.example.com" \
    "$PB" start "$T_TMP/pebble2" >/dev/null
check "second instance starts" test -s "$T_TMP/pebble2/env"
check "second instance answers" curl -sf --cacert "$T_TMP/pebble2/ca.pem" \
    -o /dev/null https://127.0.0.1:14220/dir
check "first instance still answers" curl -sf --cacert "$PEBBLE_CA" \
    -o /dev/null "$PEBBLE_URL"
check "second instance config" grep -q '"certificateValidityPeriod": 600' \
    "$T_TMP/pebble2/pebble.json"

pid=$(cat "$D/pebble.pid")
cpid=$(cat "$D/challtestsrv.pid")
check "stop" "$PB" stop "$D"
alive() { kill -0 "$1" 2>/dev/null; }
check_not "pebble gone" alive "$pid"
check_not "challtestsrv gone" alive "$cpid"
check_not "directory no longer answers" \
    curl -sf --max-time 2 --cacert "$PEBBLE_CA" -o /dev/null "$PEBBLE_URL"
check "stop again is harmless" "$PB" stop "$D"
t_done
