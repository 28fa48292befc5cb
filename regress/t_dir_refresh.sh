#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The directory is read again after a 404 from a URL it named, as when an
# authority moves an endpoint without notice, and the request is tried
# once more at the URL the directory now names; a 404 from a URL the
# directory still names is the authority's answer, and nothing is sent
# twice.  faultsrv plays the authority: a directory that changes between
# reads, a newOrder URL that answers 404.
. "$(dirname "$0")/lib.sh"
t_users
FS="$OBJ/regress/faultsrv"
C="$T_TMP/certs"
S="$T_TMP/spec"
FLOG="$T_TMP/faultsrv.log"
conf=$T_TMP/acmed.conf
out=$T_TMP/out
T_HTTP_PORT=17706

check "certificates for the fault server" "$TOP/regress/pebble.sh" certs "$C"
: >"$S"
"$FS" -c "$C/cert.pem" -k "$C/key.pem" -f "$S" -P "$T_TMP/port" \
    2>>"$FLOG" &
t_at_exit "kill $! 2>/dev/null"
check "fault server listening" wait_for 10 test -s "$T_TMP/port"
base="https://127.0.0.1:$(cat "$T_TMP/port")"

cat >"$conf" <<EOC
listen on 127.0.0.1 port $T_HTTP_PORT
state directory "$T_TMP/state"
authority fault {
	api url "$base/dir"
	api ca "$C/ca.pem"
	account key "$T_TMP/account.key"
}
domain moved.example.org {
	domain key "$T_TMP/moved.key"
	domain full chain certificate "$T_TMP/moved.full"
	sign with fault
}
EOC

# spec NEWORDER BODY: the first read of the directory names /order-old,
# every later one NEWORDER; /order-old answers 404 (BODY "problem": with
# a problem document, otherwise with text, as a web server does),
# /order-new a refusal whose detail says where it came from.
spec() {
	cat >"$S.new" <<SPEC
path /dir
count 1
header Content-Type: application/json
body {"newNonce":"$base/nonce","newAccount":"$base/acct","newOrder":"$base/order-old"}

path /dir
header Content-Type: application/json
body {"newNonce":"$base/nonce","newAccount":"$base/acct","newOrder":"$base$1"}

$(t_spec_account "$base")

path /order-old
status 404
nonce
SPEC
	if [ "$2" = problem ]; then
		cat >>"$S.new" <<SPEC
header Content-Type: application/problem+json
body {"type":"urn:ietf:params:acme:error:malformed","detail":"no such endpoint","status":404}
SPEC
	else
		cat >>"$S.new" <<SPEC
header Content-Type: text/plain; charset=utf-8
body 404 page not found
SPEC
	fi
	cat >>"$S.new" <<SPEC

path /order-new
status 400
nonce
header Content-Type: application/problem+json
body {"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"the new endpoint answered","status":400}
SPEC
	mv "$S.new" "$S"
}
run() {
	: >"$FLOG"
	"$ACMED" -o -d -v -f "$conf" >"$out" 2>&1
}
count() {
	grep -c "$1" "$FLOG"
}

# 1. Moved: the directory read again names /order-new, where the order
# goes, once; the 404 is a web server's page, not a problem document.
spec /order-new text
check_not "moved: acmed -o fails (the new endpoint refuses)" run
check "moved: the log says where newOrder went" grep -qF \
    "authority fault: $base/order-old answered 404; the directory now names $base/order-new for newOrder" \
    "$out"
check "moved: the directory was read twice" \
    test "$(count 'GET /dir')" -eq 2
check "moved: one newOrder to each URL" sh -c \
    "[ $(count 'POST /order-old') -eq 1 ] && [ $(count 'POST /order-new') -eq 1 ]"
check "moved: the error is the new endpoint's answer" grep -q \
    'moved.example.org: certificate not issued: .*the new endpoint answered' \
    "$out"

# 2. Not moved: the directory still names /order-old; its 404 is the
# error, and the order is not sent again.
spec /order-old problem
check_not "not moved: acmed -o fails" run
check "not moved: the directory was read twice" \
    test "$(count 'GET /dir')" -eq 2
check "not moved: one newOrder" test "$(count 'POST /order-old')" -eq 1
check "not moved: the error is the 404 problem" grep -qF \
    "moved.example.org: certificate not issued: $base/order-old: malformed: no such endpoint" \
    "$out"
t_done
