#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
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

# spec: the stanzas on standard input first (the first stanza that
# matches answers), then a directory, nonces, an account and an order
# refused; written aside and renamed.
spec() {
	{
		cat
		cat <<SPEC

path /dir
header Content-Type: application/json
body {"newNonce":"$base/nonce","newAccount":"$base/acct","newOrder":"$base/order"}

$(t_spec_account "$base")

path /order
status 403
nonce
header Content-Type: application/problem+json
body {"type":"urn:ietf:params:acme:error:unauthorized","detail":"no"}
SPEC
	} >"$S.new"
	mv "$S.new" "$S"
}

# 1. A Replay-Nonce that is not base64url is refused, and said so.
spec <<EOS
path /nonce
header Replay-Nonce: abc${ESC}[2Kdef
EOS
check_not "bad nonce: acmed -o fails" run
check "bad nonce: refused, and the log says why" grep -q \
    "$base/nonce gave a nonce that is not base64url, refused" "$out"
check "bad nonce: never sent back" sh -c \
    "! grep -q 'POST /acct' '$T_TMP/faultsrv.log'"
check "bad nonce: the log is visible text" t_visible "$out"

# 2. An account URL holding ESC, CR, a C1 control and a bidi override.
spec <<EOS
path /acct
status 201
nonce
header Location: $base/acct/1${ESC}[2K${CR}acmed: forged${NEL}${RLO}x
header Content-Type: application/json
body {"status":"valid"}
EOS
check_not "Location with controls: acmed -o fails (the order)" run
check "Location with controls: the account URL is logged" grep -q \
    "authority fault: account $base/acct/1" "$out"
check "Location with controls: the log is visible text" t_visible "$out"
check "Location with controls: each shown" grep -qF \
    "$base/acct/1\\x1b[2K\\x0dacmed: forged\\u0085\\u202ex" "$out"
check "Location with controls: the state file is visible text" \
    t_visible "$T_TMP/state/accounts/fault.url"
rm -f "$T_TMP/state/accounts/fault.url"

# 3. A captive portal answers for the directory: 200, an HTML page.
page='<html><head><title>Log in</title></head><body>Wi-Fi</body></html>'
len=$(printf '%s' "$page" | wc -c)
spec <<EOS
path /dir
header Content-Type: text/html; charset=utf-8
body $page
EOS
check_not "HTML directory: acmed -o fails" run
check "HTML directory: says what came, and from where" grep -q \
    "authority fault: directory $base/dir: not JSON: HTTP 200, Content-Type text/html, $len bytes" \
    "$out"
check "HTML directory: not the parser's complaint" sh -c \
    "! grep -q \"stray '/'\" '$out'"

# 4. The same with a Content-Type that holds ESC.
spec <<EOS
path /dir
header Content-Type: text/html${ESC}[31m
body $page
EOS
check_not "Content-Type with ESC: acmed -o fails" run
check "Content-Type with ESC: shown" grep -qF \
    "not JSON: HTTP 200, Content-Type text/html\\x1b[31m, $len bytes" "$out"
check "Content-Type with ESC: the log is visible text" t_visible "$out"

# 5. A redirect names where it points.
spec <<EOS
path /dir
status 302
header Location: https://portal.s09d.test/login?from=acme
header Content-Type: text/html
EOS
check_not "redirected directory: acmed -o fails" run
check "redirected directory: the Location is named" grep -q \
    "directory $base/dir answered HTTP 302 redirecting to https://portal.s09d.test/login?from=acme, Content-Type text/html, 0 bytes" \
    "$out"

# 6. A block page for a request: neither JSON nor a problem document.
spec <<EOS
path /order
status 403
nonce
header Content-Type: text/html
body $page
EOS
check_not "blocked request: acmed -o fails" run
check "blocked request: says what came" grep -q \
    "$base/order answered HTTP 403, Content-Type text/html, $len bytes, not a problem document" \
    "$out"

# 7. An order created, its body an HTML page.
spec <<EOS
path /order
status 201
nonce
header Location: $base/order/1
header Content-Type: text/html
body $page
EOS
check_not "HTML order: acmed -o fails" run
check "HTML order: says what came" grep -q \
    "$base/order/1: not JSON: HTTP 201, Content-Type text/html, $len bytes" \
    "$out"

# 8. New terms of service to agree to (RFC 8555 section 7.3.3): the page
# to visit and the terms, from the Link header.
uar='{"type":"urn:ietf:params:acme:error:userActionRequired",'
uar="$uar\"detail\":\"Terms of service have changed\","
uar="$uar\"instance\":\"https://ca.s09d.test/agree/1\",\"status\":403}"
spec <<EOS
path /order
status 403
nonce
header Link: <https://ca.s09d.test/tos/2>;rel="terms-of-service"
header Content-Type: application/problem+json
body $uar
EOS
check_not "userActionRequired: acmed -o fails" run
check "userActionRequired: the page to visit and the terms are shown" \
    grep -q "userActionRequired: Terms of service have changed; see https://ca.s09d.test/agree/1; terms of service: https://ca.s09d.test/tos/2" \
    "$out"

# 9. Without a Link header, the terms the directory names.
spec <<EOS
path /dir
header Content-Type: application/json
body {"newNonce":"$base/nonce","newAccount":"$base/acct","newOrder":"$base/order",
body "meta":{"termsOfService":"https://ca.s09d.test/tos/1"}}

path /order
status 403
nonce
header Content-Type: application/problem+json
body $uar
EOS
check_not "userActionRequired, no Link: acmed -o fails" run
check "userActionRequired, no Link: the directory's terms are shown" \
    grep -q "see https://ca.s09d.test/agree/1; terms of service: https://ca.s09d.test/tos/1" \
    "$out"
t_done
