#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Lost answers: Pebble does what it is asked, but ariproxy in front of it
# closes the kept-alive connection before passing the answer on (libcurl
# would send the request again on a new connection).  One pass of
# acmed -o per kind of request, each losing that answer once: the pass
# still ends with the certificate, the log names what was lost, the
# request reached Pebble as often as netproc meant it to (a finalize or a
# challenge once), and no orderNotReady or other refusal follows.  Then
# acmed -k, losing the answer to its key change, still ends with the key
# changed.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 16300 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
alog=$T_TMP/proxy.log
drop=$T_TMP/drop
: >"$alog"
check "proxy listening" t_ariproxy "$alog" -D "$drop"
port=$ARIPROXY_PORT

# count KIND: how many POSTs of that kind Pebble answered in this pass.
count() {
	grep -c " post $1\$" "$T_TMP/alog.pass"
}
dropped() {
	grep -q " dropped $1\$" "$T_TMP/alog.pass"
}
# logged KIND TEXT: the pass's log has a line with TEXT (a regex).
logged() {
	check "$1: the log names the loss" grep -q "$2" "$T_TMP/log.$1"
}

# pass KIND NAME: acmed -o for the domain NAME alone, losing one answer
# to a request of KIND; its output in $T_TMP/log.KIND.
pass() {
	p_kind=$1 p_name=$2
	log=$T_TMP/log.$p_kind
	t_conf "$conf"
	sed -i "s|api url \".*\"|api url \"https://127.0.0.1:$port/dir\"|" \
	    "$conf"
	t_domain "$conf" "$p_name"
	echo "$p_kind" >"$drop"
	p_lines=$(wc -l <"$alog")
	"$ACMED" -o -d -v -f "$conf" >"$log" 2>&1
	p_rc=$?
	tail -n +$((p_lines + 1)) "$alog" >"$T_TMP/alog.pass"
	check "$p_kind: the answer was dropped" dropped "$p_kind"
	check "$p_kind: the pass succeeds all the same" test "$p_rc" -eq 0
	check "$p_kind: the certificate is installed and verifies" \
	    t_verify "$p_name"
	check_not "$p_kind: no refusal from the authority" \
	    grep -Eq "orderNotReady|urn:ietf:params:acme:error" "$log"
}

# A new account (the first pass registers it): the authority made it, so
# it is looked up by its key, not registered twice.
pass newAccount account.lost.example.org
logged newAccount "account.lost.example.org: the answer to newAccount was lost (https://127.0.0.1:$port/.*); looking the account up by its key"
check "newAccount: registered once, then looked up" \
    test "$(count newAccount) $(count lookup)" = "1 1"
check "newAccount: the account is the one made" \
    grep -q "authority pebble: account https://127.0.0.1:$port/" "$log"

# newOrder: no URL to read the order by; a second one is placed.
pass newOrder order.lost.example.org
logged newOrder "order.lost.example.org: the answer to newOrder was lost (https://127.0.0.1:$port/.*); ordering again"
check "newOrder: ordered twice" test "$(count newOrder)" -eq 2

# The challenge: taken by the authority, which the authorization says.
pass challenge challenge.lost.example.org
logged challenge "challenge.lost.example.org: the answer to the http-01 challenge was lost (https://127.0.0.1:$port/.*); reading the authorization again"
check "challenge: answered once" test "$(count challenge)" -eq 1

# finalize: the order is valid (or processing) when read again, and is
# not finalized a second time.
pass finalize finalize.lost.example.org
logged finalize "finalize.lost.example.org: the answer to finalize was lost (https://127.0.0.1:$port/.*: the connection closed before the answer); reading the order again"
check "finalize: it reached Pebble once" test "$(count finalize)" -eq 1

# The certificate download (a POST-as-GET) changes nothing: asked again.
pass certificate download.lost.example.org
logged certificate "https://127.0.0.1:$port/.*: the connection closed before the answer: answer lost, asking again"
check "certificate: downloaded twice" test "$(count certificate)" -eq 2

# keyChange (acmed -k): Pebble took the new key.  The change is not sent
# again (its old-key signature would no longer verify); the account is
# looked up by the new key, which it has, and -k ends with the new key
# in place and the old one kept.
key=$T_TMP/account.key
pub() { t_pub "$1"; }
pub "$key" >"$T_TMP/pub.old"
acct=$(cat "$T_TMP/state/accounts/pebble.url")
echo keyChange >"$drop"
p_lines=$(wc -l <"$alog")
"$ACMED" -k -d -v -f "$conf" pebble >"$T_TMP/log.keyChange" 2>&1
p_rc=$?
tail -n +$((p_lines + 1)) "$alog" >"$T_TMP/alog.pass"
check "keyChange: the answer was dropped" dropped keyChange
check "keyChange: acmed -k exits 0" test "$p_rc" -eq 0
logged keyChange "pebble: the answer to keyChange was lost (https://127.0.0.1:$port/.*); looking the account up by the new key"
check "keyChange: it reached Pebble once" test "$(count keyChange)" -eq 1
check "keyChange: then the account was looked up by the new key" \
    test "$(count lookup)" -eq 1
check "keyChange: the new key in place, the old one kept, no KEY.new" sh -c \
    "pub() { openssl pkey -in \"\$1\" -pubout 2>/dev/null; }
    pub '$key.old' | cmp -s - '$T_TMP/pub.old' &&
    ! pub '$key' | cmp -s - '$T_TMP/pub.old' && test ! -e '$key.new'"
check "keyChange: the account URL is unchanged" \
    test "$(cat "$T_TMP/state/accounts/pebble.url")" = "$acct"
check_not "keyChange: no refusal from the authority" \
    grep -Eq "urn:ietf:params:acme:error|JWS verification" \
    "$T_TMP/log.keyChange"
t_conf "$conf"
sed -i "s|api url \".*\"|api url \"https://127.0.0.1:$port/dir\"|" "$conf"
t_domain "$conf" newkey.lost.example.org
"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log.newkey" 2>&1
p_rc=$?
check "keyChange: the new key issues, for the same account" sh -c \
    "[ $p_rc -eq 0 ] && ! grep -q 'registered account' '$T_TMP/log.newkey'"
check "keyChange: and the certificate verifies" \
    t_verify newkey.lost.example.org
t_done
