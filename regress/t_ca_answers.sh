#!/bin/sh
# Answers a real authority would not give, from faultsrv (a loopback
# HTTPS server answering from a spec): headers that hold control
# characters, a nonce that is not base64url.  Each must reach the
# administrator as one clear line of visible text.
. "$(dirname "$0")/lib.sh"
t_users
t_python
S="$T_TMP/spec"
conf=$T_TMP/acmed.conf
out=$T_TMP/out
T_HTTP_PORT=16206
ESC=$(printf '\033')
CR=$(printf '\r')
NEL=$(printf '\302\205')
RLO=$(printf '\342\200\256')
run() {
	"$ACMED" -o -d -v -f "$conf" >"$out" 2>&1
}

t_faultsrv "$S" || { notok "fault server listening"; t_done; exit 1; }
ok "fault server listening"
base=$FS_BASE
cat >"$conf" <<EOC
listen on 127.0.0.1 port $T_HTTP_PORT
state directory "$T_TMP/state"
authority fault {
	api url "$base/dir"
	api ca "$T_TMP/certs/ca.pem"
	account key "$T_TMP/account.key"
}
domain answers.s09d.test {
	domain key "$T_TMP/answers.key"
	domain full chain certificate "$T_TMP/answers.full"
	sign with fault
}
EOC

# spec NONCE-STANZA-LINES LOCATION: the directory, /nonce as given, an
# account at LOCATION and an order refused, written aside and renamed.
spec() {
	cat >"$S.new" <<SPEC
path /dir
header Content-Type: application/json
body {"newNonce":"$base/nonce","newAccount":"$base/acct","newOrder":"$base/order"}

path /nonce
$1

path /acct
status 201
nonce
header Location: $2
header Content-Type: application/json
body {"status":"valid"}

path /order
status 403
nonce
header Content-Type: application/problem+json
body {"type":"urn:ietf:params:acme:error:unauthorized","detail":"no"}
SPEC
	mv "$S.new" "$S"
}

# 1. A Replay-Nonce that is not base64url is refused, and said so.
spec "header Replay-Nonce: abc${ESC}[2Kdef" "$base/acct/1"
check_not "bad nonce: acmed -o fails" run
check "bad nonce: refused, and the log says why" grep -q \
    "$base/nonce gave a nonce that is not base64url, refused" "$out"
check "bad nonce: never sent back" sh -c \
    "! grep -q 'POST /acct' '$T_TMP/faultsrv.log'"
check "bad nonce: the log is visible text" t_visible "$out"

# 2. An account URL holding ESC, CR, a C1 control and a bidi override.
spec "nonce" "$base/acct/1${ESC}[2K${CR}acmed: forged${NEL}${RLO}x"
check_not "Location with controls: acmed -o fails (the order)" run
check "Location with controls: the account URL is logged" grep -q \
    "authority fault: account $base/acct/1" "$out"
check "Location with controls: the log is visible text" t_visible "$out"
check "Location with controls: each shown" grep -qF \
    "$base/acct/1\\x1b[2K\\x0dacmed: forged\\u0085\\u202ex" "$out"
check "Location with controls: the state file is visible text" \
    t_visible "$T_TMP/state/accounts/fault.url"
t_done
