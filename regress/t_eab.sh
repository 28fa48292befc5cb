#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# External account binding against Pebble configured to require it: an
# authority that requires a binding is not asked without one, and the
# error says what to configure; a wrong MAC key and a MAC key file that is
# not base64url fail with the reason; the right one registers the account
# and issues; the account is then found by its key alone.
. "$(dirname "$0")/lib.sh"
t_users
# Two MAC keys, as an authority hands them out: base64url, one padded.
k1=$(openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
k2=$(openssl rand 48 | openssl base64 -A | tr '+/' '-_')
PEBBLE_EAB="kid-1:$k1,kid-2:$(printf '%s' "$k2" | tr -d '=')" \
    t_pebble 15600 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (external account binding required)"
conf=$T_TMP/acmed.conf
run() {
	"$ACMED" -o -d -v -f "$conf" >"$T_TMP/out" 2>&1
}
# conf_eab [LINE]: the configuration with LINE in the authority's block.
conf_eab() {
	t_conf "$conf"
	if [ -n "${1:-}" ]; then
		sed "s|^	account key .*|&\\
	$1|" "$conf" >"$conf.new" && mv "$conf.new" "$conf"
	fi
	t_domain "$conf" eab.example.org
}
umask 077
acct="$T_TMP/state/accounts/pebble.url"

conf_eab
check_not "no binding configured: acmed -o fails" run
check "no binding configured: the error says what to set" \
    grep -q 'authority pebble requires an external account binding: give its key id and MAC key with "external account"' "$T_TMP/out"
check "no binding configured: no account registered" \
    sh -c "! grep -q 'registered account' '$T_TMP/out'"
check "no binding configured: no account URL kept" test ! -e "$acct"

printf '%s\n' "$k2" >"$T_TMP/wrong.key"
conf_eab "external account \"kid-1\" key \"$T_TMP/wrong.key\""
check_not "wrong MAC key: acmed -o fails" run
check "wrong MAC key: the authority's refusal is reported" \
    grep -q 'unauthorized: external account binding' "$T_TMP/out"
check "wrong MAC key: no account URL kept" test ! -e "$acct"
grep 'not issued' "$T_TMP/out" | sed 's/^/# /'

printf 'not*base64url\n' >"$T_TMP/bad.key"
conf_eab "external account \"kid-1\" key \"$T_TMP/bad.key\""
check_not "MAC key file not base64url: acmed -o fails" run
check "MAC key file not base64url: the reason is given" \
    grep -q 'external account binding: .*not a base64url MAC key' "$T_TMP/out"

printf '  %s\n\n' "$k2" >"$T_TMP/eab.key"
conf_eab "external account \"kid-2\" key \"$T_TMP/eab.key\""
check "right MAC key (padded, blanks around): acmed -o issues" run
check "right MAC key: account registered" \
    grep -q 'registered account' "$T_TMP/out"
check "right MAC key: account URL kept" test -s "$acct"
check "right MAC key: chain verifies" t_verify eab.example.org
check "the MAC key is in no log line" sh -c "! grep -qF -- '$k2' '$T_TMP/out'"

# The account URL forgotten, the key kept: found by its key alone, even
# with a binding that would no longer work.
rm -f "$acct" "$T_TMP"/eab.example.org.crt "$T_TMP"/eab.example.org.chain \
    "$T_TMP"/eab.example.org.full
printf '%s\n' "$k1" >"$T_TMP/eab.key"
check "known key: acmed -o issues without a new account" run
check "known key: issued" t_verify eab.example.org
check "known key: not registered again" \
    sh -c "! grep -q 'registered account' '$T_TMP/out'"
check "known key: the account URL is kept again" test -s "$acct"
t_done
