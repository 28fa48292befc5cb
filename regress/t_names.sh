#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A certificate whose names are no longer the configured ones (a name
# added or taken away) is renewed at once, not at its renewal time: by a
# single pass, and by the daemon after a reload.  Once the new one is
# installed the domain is not due again.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 18300 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
log=$T_TMP/log
mkconf() {
	t_conf "$T_TMP/acmed.conf"
	t_domain "$T_TMP/acmed.conf" n.example.org "" "$@"
}
serial() {
	openssl x509 -noout -serial -in "$T_TMP/n.example.org.crt"
}
sans() {
	openssl x509 -noout -ext subjectAltName \
	    -in "$T_TMP/n.example.org.crt" | tail -n +2 | tr -d ' '
}
pass() {
	"$ACMED" -o -d -v -f "$T_TMP/acmed.conf" >"$T_TMP/out" 2>&1
}
# not_due SERIAL: a pass found it not due, and the certificate is SERIAL
not_due() {
	pass
	grep -q 'n.example.org: not due: ' "$T_TMP/out" && [ "$(serial)" = "$1" ]
}

mkconf
check "issued for one name" pass
s1=$(serial)
check "it names n.example.org only" [ "$(sans)" = "DNS:n.example.org" ]
check "a second pass: not due" not_due "$s1"

echo "# --- a name added"
mkconf www.n.example.org
check "a pass after a name was added succeeds" pass
check "it says why it renews early" grep -q \
    "n.example.org: renewing before it is due: the certificate's names are not the configured ones" \
    "$T_TMP/out"
check "a new certificate" [ "$(serial)" != "$s1" ]
check "it names both" [ "$(sans)" = "DNS:n.example.org,DNS:www.n.example.org" ]
check "it verifies" t_verify n.example.org
s2=$(serial)
check "then not due again" not_due "$s2"

echo "# --- the same names in another order and case: not due"
mkconf WWW.N.example.org
check "no new certificate" not_due "$s2"
mkconf www.n.example.org

echo "# --- a name taken away, seen by the daemon after a reload"
"$ACMED" -d -v -f "$T_TMP/acmed.conf" >>"$log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "the daemon starts" wait_for 20 grep -q '^starting: acmed' \
    "$log"
check "and renews nothing" [ "$(serial)" = "$s2" ]
mkconf
kill -HUP "$dpid"
check "after the reload it renews at once" wait_for 30 sh -c \
    "[ \"\$(openssl x509 -noout -serial -in '$T_TMP/n.example.org.crt')\" != '$s2' ]"
check "the new one names n.example.org only" \
    wait_for 10 sh -c "[ \"\$(openssl x509 -noout -ext subjectAltName -in '$T_TMP/n.example.org.crt' | tail -n +2 | tr -d ' ')\" = DNS:n.example.org ]"
kill "$dpid"
wait "$dpid" 2>/dev/null
t_done
