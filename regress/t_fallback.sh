#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A fallback authority: two Pebbles on loopback, the first behind
# ariproxy (1-day certificates), the second requiring an external account
# binding.  The first answers 503 to everything: the first -o fails and
# remembers since when; once "fallback after" has passed, the next -o
# falls back, the "fallback" event says so, the second registers its
# account (with the binding) and issues, and acmed -s (text and -j) says
# which authority issued it and that it was a fallback.  The first
# answers again: the next renewal goes to it, without "replaces" (it does
# not know the certificate).  Rate-limited by the first until within the
# certificate's renewal window: no fallback; past it: a fallback.  The
# daemon asks for renewal information only the authority that issued the
# certificate, and acmed -r revokes it there.  Both down: acmed -s
# says the orders go to the second meanwhile.
. "$(dirname "$0")/lib.sh"
t_users
t_python
PEBBLE_VALIDITY=86400 t_pebble 18700 ||
    { notok "first pebble starts"; t_done; exit 1; }
ok "first pebble starts"
dir1=$T_PEBBLE_DIR ca1=$PEBBLE_CA
k=$(openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
T_PEBBLE_DIR=$T_TMP/pebble2 T_PEBBLE_BASE=18710 PEBBLE_EAB="kid-1:$k" \
    t_pebble_start || { notok "second pebble starts"; t_done; exit 1; }
t_at_exit "$TOP/regress/pebble.sh" stop "$T_TMP/pebble2"
ok "second pebble starts (external account binding required)"
url2=$(sed -n 's/^PEBBLE_URL=//p' "$T_TMP/pebble2/env")
ca2=$(sed -n 's/^PEBBLE_CA=//p' "$T_TMP/pebble2/env")
mgmt2=$(sed -n 's/^PEBBLE_MGMT=//p' "$T_TMP/pebble2/env")
printf '%s' "$k" >"$T_TMP/eab.key"
chmod 0600 "$T_TMP/eab.key"

conf=$T_TMP/acmed.conf
rules=$T_TMP/rules
alog=$T_TMP/proxy-events
events=$T_TMP/events
name=fb.s09d.test
hook=$T_TMP/hook.sh
printf '#!/bin/sh\necho "$1 $ACMED_AUTHORITY $ACMED_ERROR" >>"%s"\n' \
    "$events" >"$hook"
chmod 0755 "$hook"
: >"$rules"
check "proxy listening" t_ariproxy "$alog" -r "$rules"
cat >"$conf" <<EOC
listen on 127.0.0.1 port $T_HTTP_PORT
state directory "$T_TMP/state"
event hook "$hook"
authority first {
	api url "$PROXY_URL"
	api ca "$ca1"
	account key "$T_TMP/first.key"
}
authority second {
	api url "$url2"
	api ca "$ca2"
	account key "$T_TMP/second.key"
	external account "kid-1" key "$T_TMP/eab.key"
}
domain $name {
	domain key "$T_TMP/$name.key"
	domain full chain certificate "$T_TMP/$name.crt"
	sign with first fallback second
	fallback after 2 seconds
}
EOC
run() {
	"$ACMED" -o -d -v -f "$conf" >"$T_TMP/out" 2>&1
}
# by DIR: the certificate verifies to the Pebble in DIR's root.
by() {
	"$TOP/regress/pebble.sh" root "$1" >/dev/null 2>&1 &&
	    openssl verify -CAfile "$1/root.pem" -untrusted "$T_TMP/$name.crt" \
	    "$T_TMP/$name.crt" >/dev/null 2>&1
}
# json EXPR: EXPR of the first certificate in acmed -s -j.
json() {
	"$ACMED" -s -j -f "$conf" 2>/dev/null | "$PY" -c 'import json, sys
c = json.load(sys.stdin)["certificates"][0]
print(json.dumps(eval(sys.argv[1])))' "$1"
}
fallbacks() {
	grep -c '^fallback ' "$events" 2>/dev/null
}
state=$T_TMP/state/fallback/$name.authority

# 1. The first authority is down: 503 to every request.
echo 'unavailable .' >"$rules"
check_not "down: the first -o fails" run
check "down: the proxy answered 503" grep -q ' unavailable /dir$' "$alog"
check "down: since when it fails is kept" grep -q '^first [0-9][0-9]*$' \
    "$state"
check "down: no fallback yet" test "$(fallbacks)" = 0
check "down: the second authority has no account yet" \
    test ! -e "$T_TMP/state/accounts/second.url"
# "fallback after 2 seconds" passes.
sleep 3
check "down, later: the next -o falls back and issues" run
check "down, later: the log says why" grep -q \
    "$name: authority first failing since .*: ordering from authority second" \
    "$T_TMP/out"
check "down, later: one fallback event, naming the second" \
    grep -q "^fallback second authority first failing since" "$events"
check "down, later: issued by the second authority" by "$T_TMP/pebble2"
check "down, later: not by the first" eval '! by "$dir1"'
check "down, later: its account registered, with the binding" \
    test -s "$T_TMP/state/accounts/second.url"
check "down, later: the issued event names the second" \
    grep -q "^issued second" "$events"
check "down, later: the issuer is kept" grep -qx second \
    "$T_TMP/state/issuer/$name.authority"
check "down, later: nothing kept of the failures" test ! -e "$state"
"$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
check "acmed -s: issued by the second, a fallback" grep -q \
    "issued by authority second, a fallback from first" "$T_TMP/s"
check "acmed -s -j: issuer second" test "$(json 'c["issuer"]')" = '"second"'
check "acmed -s -j: fallback true" test "$(json 'c["fallback"]')" = true
check "acmed -s -j: the next order goes to the first" \
    test "$(json 'c["ordering_from"]')" = '"first"'

# 2. The first answers again: the next renewal goes to it, without
# "replaces", which only the second could know.
: >"$rules"
"$ACMED" -F -f "$conf" "$name" >/dev/null 2>&1
check "back: the renewal succeeds" run
check "back: renewed by the first authority" by "$dir1"
check "back: its new order named no certificate it replaces" \
    grep -q ' newOrder replaces=-$' "$alog"
check "back: no new fallback" test "$(fallbacks)" = 1
check "back: the issuer is forgotten" \
    test ! -e "$T_TMP/state/issuer/$name.authority"
check "acmed -s -j: issuer first, no fallback" \
    test "$(json '[c["issuer"], c["fallback"]]')" = '["first", false]'

# 3. Rate-limited by the first for an hour, well within the renewal
# window (the 1-day certificate enters its expiry warning 4 hours before
# its end): no fallback, the renewal waits.
echo 'ratelimit 3600' >"$rules"
"$ACMED" -F -f "$conf" "$name" >/dev/null 2>&1
check_not "rate-limited within the window: -o fails" run
check "rate-limited within the window: refused by the first" \
    grep -q ' ratelimit$' "$alog"
check "rate-limited within the window: no fallback" \
    test "$(fallbacks)" = 1
check "rate-limited within the window: still the first's certificate" \
    by "$dir1"

# 4. Rate-limited past it, for a day: the second authority at once.
echo 'ratelimit 86400' >"$rules"
# the hour the first asked for has passed
rm -f "$T_TMP/state/retry/$name.time"
check "rate-limited past the window: -o falls back and renews" run
check "rate-limited past the window: a second fallback event" \
    grep -q "^fallback second authority first takes no order before" \
    "$events"
check "rate-limited past the window: renewed by the second" \
    by "$T_TMP/pebble2"

# 5. Renewal information is asked of the authority that issued the
# certificate only: the second, whose directory offers none; the first,
# behind the proxy, offers it but is not asked.
: >"$rules"
"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "daemon: renewal information looked for at the second" wait_for 20 \
    grep -q "authority second: no renewal information offered" "$T_TMP/log"
check "daemon: the first is not asked" \
    eval "! grep -q renewalInfo '$alog'"
kill "$dpid"
check "daemon stopped" wait_for 10 proc_gone "$dpid"

# 6. A revocation goes to the authority that issued the certificate.
serial=$(t_serial "$T_TMP/$name.crt")
check "revoke: acmed -r exits 0" \
    eval '"$ACMED" -r -d -v -f "$conf" "$name" >"$T_TMP/out" 2>&1'
check "revoke: the audit line names the second" grep -q \
    "^-r: domain $name (authority second): certificate revoked" "$T_TMP/out"
check "revoke: the second records it revoked" test "$(PEBBLE_CA=$ca2 \
    PEBBLE_MGMT=$mgmt2 t_cert_status "$serial" Status)" = Revoked

# 7. Both down: acmed -s says where the orders go meanwhile.
echo 'unavailable .' >"$rules"
"$TOP/regress/pebble.sh" stop "$T_TMP/pebble2" >/dev/null 2>&1
check_not "both down: -o fails" run
sleep 3
check_not "both down, later: -o falls back, and fails there too" run
check "both down: a third fallback event" test "$(fallbacks)" = 3
"$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
check "acmed -s: the orders go to the second meanwhile" grep -q \
    "ordering from authority second, a fallback: first kept failing" \
    "$T_TMP/s"
t_done
