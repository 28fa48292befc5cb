#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Short lifetimes end to end against Pebble (its certificateValidityPeriod):
# 160-hour certificates, as Let's Encrypt's shortlived profile issues
# them (the only one that names IP addresses), and 45-day ones (tlsserver,
# and classic from 2028).  Each is issued, due at the moment its lifetime
# says (half of it left for 10 days or less, a third beyond), renewed
# when due (made due at once with "renew before", as t_issue.sh does), and
# a failed renewal far from the end raises no "expiring" event.  A leaf
# longer than a public CA may issue now (200 days since 2026-03-15) is
# not installed.
. "$(dirname "$0")/lib.sh"
t_users
PEBBLE_VALIDITY=576000 t_pebble 17700 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (160-hour certificates)"

conf=$T_TMP/acmed.conf
hook=$T_TMP/hook.sh
printf '#!/bin/sh\necho "$1 $ACMED_DOMAIN" >>"%s/events"\n' "$T_TMP" >"$hook"
chmod 0755 "$hook"
run() {
	"$ACMED" -o -d -v -f "$conf" >"$T_TMP/out" 2>&1
}
# epoch FIELD NAME: the leaf's notBefore or notAfter, in seconds.
epoch() {
	date -u -d "$(openssl x509 -in "$T_TMP/$2.crt" -noout "-$1" |
	    sed 's/^[^=]*=//')" +%s
}
# lifetime NAME: the leaf's notAfter - notBefore, in seconds.
lifetime() {
	echo $(($(epoch enddate "$1") - $(epoch startdate "$1")))
}
# due_at NAME DIVISOR: "renewal due T" as the log writes it, for the
# moment when 1/DIVISOR of the lifetime is left.
due_at() {
	da_end=$(epoch enddate "$1")
	da_t=$((da_end - (da_end - $(epoch startdate "$1")) / $2))
	date -u -d "@$da_t" '+renewal due %Y-%m-%d %H:%M:%S UTC'
}
# conf_short NAME [RENEW]: one domain, NAME with 127.0.0.1 for the
# shortlived case, renewed RENEW before its end if given.
conf_short() {
	t_conf "$conf"
	echo "event hook \"$hook\"" >>"$conf"
	t_domain "$conf" "$@"
}
renew_before() {
	sed -i "s|^\\tsign with pebble\$|\\tsign with pebble\\n\\trenew before $1|" \
	    "$conf"
}

# 160 hours, for a name and an address.
conf_short short.example.org "" 127.0.0.1
check "160 hours: issued" run
check "160 hours: the leaf is valid 160 hours" \
    sh -c "[ \$(( $(lifetime short.example.org) / 3600 )) -eq 159 ] ||
    [ \$(( $(lifetime short.example.org) / 3600 )) -eq 160 ]"
check "160 hours: the leaf names the address" sh -c \
    "openssl x509 -in '$T_TMP/short.example.org.crt' -noout -ext subjectAltName |
    grep -q 'IP Address:127.0.0.1'"
check "160 hours: not due at once" run
check "160 hours: due when half of it is left" \
    grep -q "short.example.org: not due: .*$(due_at short.example.org 2)" \
    "$T_TMP/out"
cp "$T_TMP/short.example.org.crt" "$T_TMP/prev.crt"
renew_before "200 hours"
check "160 hours, due: renewed" run
check "160 hours, due: the log says renewed" \
    grep -q "short.example.org: certificate renewed" "$T_TMP/out"
check "160 hours, due: a new certificate, the old one kept as .bak" sh -c \
    "! cmp -s '$T_TMP/prev.crt' '$T_TMP/short.example.org.crt' &&
    cmp -s '$T_TMP/prev.crt' '$T_TMP/short.example.org.crt.bak'"

# A failed renewal of a 160-hour certificate with days left: failed,
# and not "expiring" (critical), which starts a sixth of it from the end.
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null
: >"$T_TMP/events"
check_not "160 hours, the authority gone: the renewal fails" run
check "160 hours, the authority gone: renewal-failed event" \
    grep -q "^renewal-failed short.example.org" "$T_TMP/events"
check_not "160 hours, the authority gone: no expiring event" \
    grep -q "^expiring" "$T_TMP/events"
check_not "160 hours, the authority gone: nothing critical in the log" \
    grep -qi "crit" "$T_TMP/out"

# 45 days.
PEBBLE_VALIDITY=3888000 t_pebble_again ||
    { notok "pebble starts again"; t_done; exit 1; }
rm -rf "$T_TMP/state"
conf_short medium.example.org
check "45 days: issued" run
check "45 days: the leaf is valid 45 days" \
    sh -c "[ \$(( $(lifetime medium.example.org) / 86400 )) -eq 44 ] ||
    [ \$(( $(lifetime medium.example.org) / 86400 )) -eq 45 ]"
check "45 days: not due at once" run
check "45 days: due when a third of it is left" \
    grep -q "medium.example.org: not due: .*$(due_at medium.example.org 3)" \
    "$T_TMP/out"
cp "$T_TMP/medium.example.org.crt" "$T_TMP/prev.crt"
renew_before "50 days"
check "45 days, due: renewed" run
check "45 days, due: a new certificate" sh -c \
    "! cmp -s '$T_TMP/prev.crt' '$T_TMP/medium.example.org.crt'"

# 250 days: longer than a public CA may issue since 2026-03-15.
PEBBLE_VALIDITY=21600000 t_pebble_again ||
    { notok "pebble starts again"; t_done; exit 1; }
rm -rf "$T_TMP/state"
conf_short long.example.org
check_not "250 days: refused" run
check "250 days: the log says why" grep -q \
    "long.example.org: .*valid for 2[0-9][0-9] days, longer than the 200 days a public CA may issue a certificate from 2026-03-15" \
    "$T_TMP/out"
check "250 days: nothing installed" test ! -e "$T_TMP/long.example.org.crt"

t_done
