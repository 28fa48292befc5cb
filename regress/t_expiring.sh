#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The authority goes away while a certificate nears its end: the renewal
# fails, the "expiring" event reaches the hook and the log at critical
# level, the installed files stay as they are, the daemon keeps running.
# The log counts the seconds left, then says when it expired, at the
# moment the hook and the status file give.  The authority comes back (a
# new Pebble that has forgotten the account): the daemon registers again
# and renews.
. "$(dirname "$0")/lib.sh"
t_users
PEBBLE_VALIDITY=36 t_pebble 15400 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (36 s certificates)"
conf=$T_TMP/acmed.conf
hook=$T_TMP/hook.sh
printf '#!/bin/sh\necho "$1 $ACMED_DOMAIN $ACMED_NOT_AFTER $ACMED_ERROR" >>"%s/events"\n' \
    "$T_TMP" >"$hook"
chmod 0755 "$hook"
t_conf "$conf"
echo "event hook \"$hook\"" >>"$conf"
echo "check interval 60 seconds" >>"$conf"
t_domain "$conf" exp.example.org
# Renewal 3 s before the end: inside the warning, which is a sixth of
# the 36 s lifetime (6 s).
sed -i 's|^\tsign with pebble$|\tsign with pebble\n\trenew before 3 seconds|' "$conf"
check "configuration valid" sh -c "\"$ACMED\" -n -f \"$conf\" 2>/dev/null"

"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
apid=$!
t_at_exit "kill \$apid 2>/dev/null"
check "issued" wait_for 30 grep -q "exp.example.org: certificate issued" "$T_TMP/log"
sum=$(md5sum "$T_TMP"/exp.example.org.* | grep -v key)
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null
ok "the authority is gone"
check "the expiring event reaches the hook" \
    wait_for 40 grep -qs "^expiring exp.example.org" "$T_TMP/events"
check "the hook is told why" \
    grep -q "^expiring exp.example.org .*127.0.0.1:15400" "$T_TMP/events"
check "a renewal-failed event came with it" \
    grep -q "^renewal-failed exp.example.org" "$T_TMP/events"
check "the log says it at critical level, naming the domain" \
    grep -q "exp.example.org: certificate expires in .* and could not be renewed" "$T_TMP/log"
end=$(sed -n 's/^expiring exp.example.org \([^ ]*\) .*/\1/p' "$T_TMP/events" |
    head -n 1)
check "the log counts the seconds left, to the hook's end ($end)" grep -Eq \
    "exp.example.org: certificate expires in [0-6] seconds? \($end\) and could not be renewed: " \
    "$T_TMP/log"
check_not "never \"0 hours\"" grep -q "expires in 0 hours" "$T_TMP/log"
check "the status file gives the same end" \
    grep -q "\"not_after\": \"$end\"" "$T_TMP/state/status.json"
past() {
	[ "$(date +%s)" -gt "$(date -u -d "$end" +%s)" ]
}
check "the certificate expires" wait_for 15 past
kill -USR1 "$apid"
check "then the log says when it expired" wait_for 10 grep -q \
    "exp.example.org: certificate expired at $end and could not be renewed: " \
    "$T_TMP/log"
check "the hook hears of it with the same end" \
    test "$(grep -c "^expiring exp.example.org $end " "$T_TMP/events")" -ge 2
status_expired() {
	"$ACMED" -s -f "$conf" 2>/dev/null |
	    grep -q "certificate: issued, expired at $end"
}
check "acmed -s says when it expired" wait_for 5 status_expired
check "the installed files are untouched" sh -c \
    "[ \"\$(md5sum '$T_TMP'/exp.example.org.* | grep -v key)\" = '$sum' ]"
check "the daemon keeps running" kill -0 "$apid"
status_has_error() {
	"$ACMED" -s -f "$conf" 2>/dev/null | grep -q 'last error: .*127.0.0.1:15400'
}
check "acmed -s shows the error" wait_for 5 status_has_error

PEBBLE_VALIDITY=36 PEBBLE_PORT=15400 PEBBLE_MGMT_PORT=15401 \
    PEBBLE_DNS_PORT=15402 PEBBLE_CHALL_MGMT_PORT=15403 PEBBLE_TLS_PORT=15404 \
    PEBBLE_HTTP_PORT=$T_HTTP_PORT "$TOP/regress/pebble.sh" start "$T_PEBBLE_DIR" \
    >/dev/null
check "the authority is back" test $? -eq 0
kill -USR1 "$apid"
check "renewed once it is back" \
    wait_for 30 grep -q "exp.example.org: certificate renewed" "$T_TMP/log"
check "registered again with the new authority" \
    grep -q "registering again" "$T_TMP/log"
check "the renewed certificate is installed" sh -c \
    "[ \"\$(md5sum '$T_TMP'/exp.example.org.* | grep -v key)\" != '$sum' ]"
check "the renewed event reaches the hook" grep -q "^renewed exp.example.org" "$T_TMP/events"
t_done
