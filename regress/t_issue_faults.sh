#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Authority failures Pebble cannot produce, from faultsrv (a loopback
# HTTPS server answering from a spec): a rateLimited problem with
# Retry-After, an unreachable authority, a directory that is not JSON.
# Each must reach the administrator as one clear line.  Then acmed -k
# stopped by SIGTERM while the authority never answers.
. "$(dirname "$0")/lib.sh"
t_users
FS="$OBJ/regress/faultsrv"
C="$T_TMP/certs"
S="$T_TMP/spec"
conf=$T_TMP/acmed.conf
T_HTTP_PORT=14506
run() {
	"$ACMED" -o -d -v -f "$@" >"$T_TMP/out" 2>&1
}

check "certificates for the fault server" "$TOP/regress/pebble.sh" certs "$C"
: >"$S"
"$FS" -c "$C/cert.pem" -k "$C/key.pem" -f "$S" -P "$T_TMP/port" \
    2>"$T_TMP/faultsrv.log" &
fspid=$!
t_at_exit "kill $fspid 2>/dev/null"
check "fault server listening" wait_for 10 test -s "$T_TMP/port"
port=$(cat "$T_TMP/port")
base="https://127.0.0.1:$port"

conf_for() {
	cat >"$conf" <<EOC
listen on 127.0.0.1 port $T_HTTP_PORT
state directory "$T_TMP/state"
authority fault {
	api url "$1"
	api ca "$C/ca.pem"
	account key "$T_TMP/account.key"
}
domain limited.example.org {
	domain key "$T_TMP/limited.key"
	domain full chain certificate "$T_TMP/limited.full"
	sign with fault
}
EOC
}

# A directory, nonces, an account, and newOrder refused: rateLimited.
cat >"$S.new" <<SPEC
path /dir
header Content-Type: application/json
body {"newNonce":"$base/nonce","newAccount":"$base/acct","newOrder":"$base/order"}

$(t_spec_account "$base")

path /order
status 429
nonce
header Retry-After: 3600
header Content-Type: application/problem+json
body {"type":"urn:ietf:params:acme:error:rateLimited",
body "detail":"too many certificates already issued for exact set of domains",
body "status":429}
SPEC
mv "$S.new" "$S"
conf_for "$base/dir"
check_not "rateLimited: acmed -o exits non-zero" run "$conf"
check "rateLimited: the problem type is reported" grep -q 'rateLimited' "$T_TMP/out"
check "rateLimited: the server's detail is reported" \
    grep -q 'too many certificates already issued' "$T_TMP/out"
check "rateLimited: Retry-After is reported" grep -q 'retry after 3600 s' "$T_TMP/out"
check "rateLimited: the line names the domain" \
    grep -q 'limited.example.org: certificate not issued' "$T_TMP/out"
check "rateLimited: no certificate file" test ! -e "$T_TMP/limited.full"
check "rateLimited: the account URL was kept" \
    grep -qx "$base/acct/1" "$T_TMP/state/accounts/fault.url"
# The Retry-After is kept, and would hold back the faults below.
check "rateLimited: the Retry-After is kept" \
    test -s "$T_TMP/state/retry/limited.example.org.time"
rm -f "$T_TMP/state/retry/limited.example.org.time"

# A directory that is not JSON.
cat >"$S.new" <<SPEC
path /dir
header Content-Type: text/html
body <html>Service Unavailable</html>
SPEC
mv "$S.new" "$S"
check_not "garbage directory: acmed -o exits non-zero" run "$conf"
check "garbage directory: the error names the URL" grep -q "$base/dir" "$T_TMP/out"

# Nothing listening at all.
conf_for "https://127.0.0.1:1/dir"
check_not "unreachable authority: acmed -o exits non-zero" run "$conf"
check "unreachable authority: the error names the URL" \
    grep -q 'https://127.0.0.1:1/dir' "$T_TMP/out"
check "unreachable authority: the error carries libcurl's reason" \
    grep -qi 'connect' "$T_TMP/out"

# acmed -k with an authority that never answers, stopped by SIGTERM:
# status 1 at once, the account key untouched, the new key kept.
conf_for "$base/dir"
cat >"$S.new" <<SPEC
path /dir
stall
SPEC
mv "$S.new" "$S"
rm -f "$T_TMP/account.key.new"
cp "$T_TMP/account.key" "$T_TMP/account.key.before"
n0=$(grep -c 'GET /dir' "$T_TMP/faultsrv.log")
"$ACMED" -d -f "$conf" -k >"$T_TMP/out" 2>&1 &
kpid=$!
check "-k: the authority was asked" wait_for 10 sh -c \
    "[ \$(grep -c 'GET /dir' '$T_TMP/faultsrv.log') -gt $n0 ]"
kill -TERM "$kpid"
wait "$kpid"
rc=$?
check "-k stopped by SIGTERM: exit 1 ($rc)" [ "$rc" -eq 1 ]
check "-k stopped by SIGTERM: it says so" \
    grep -q 'stopped by a signal' "$T_TMP/out"
check "-k stopped by SIGTERM: the account key is untouched" \
    cmp -s "$T_TMP/account.key" "$T_TMP/account.key.before"
check "-k stopped by SIGTERM: the new key is kept" \
    test -s "$T_TMP/account.key.new"
t_done
