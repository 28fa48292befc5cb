#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Certificate profiles (draft-ietf-acme-profiles) end to end.  Pebble 2.4
# has none, so ariproxy in front of it offers them in the directory,
# logs the profile each newOrder asks for, echoes it in the order, and
# refuses chosen ones as invalidProfile or unauthorized, as Let's Encrypt
# does.  A configured profile the authority offers is asked for; one it
# does not offer is left out with a warning naming those it does, or
# fails the order when required; a refusal, or an order for another
# profile, reaches the log, the event hook and acmed -s naming the
# profile and the authority's detail; acmed -n -v shows the profile.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 17600 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
out=$T_TMP/out
rules=$T_TMP/rules
alog=$T_TMP/proxy-events
events=$T_TMP/events
hook=$T_TMP/hook.sh
printf '#!/bin/sh\nprintf "%%s %%s\\n" "$1" "$ACMED_ERROR" >>"%s"\n' \
    "$events" >"$hook"
chmod 0755 "$hook"
: >"$rules"

check "proxy listening" t_ariproxy "$alog" -r "$rules"

# conf_for NAME PROFILE...: a configuration through the proxy for NAME,
# with "profile PROFILE..." (none if not given) and the event hook.
conf_for() {
	cf_name=$1; shift
	t_conf "$conf" "$PROXY_URL"
	echo "event hook \"$hook\"" >>"$conf"
	t_domain "$conf" "$cf_name"
	[ $# -gt 0 ] && sed -i "\$s/^}\$/	profile $*\\n}/" "$conf"
	rm -f "$events"
	: >"$alog"
}
run() {
	"$ACMED" -o -d -v -f "$conf" >"$out" 2>&1
}
# status_has PATTERN: acmed -s prints a line matching PATTERN (grep -E).
status_has() {
	"$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
	grep -qE -- "$1" "$T_TMP/s"
}

# 1. Offered: asked for, echoed, issued; acmed -n -v shows it.
echo "profiles classic tlsserver shortlived" >"$rules"
conf_for a.prof.test tlsserver
"$ACMED" -n -v -f "$conf" >"$T_TMP/dump" 2>&1
check "acmed -n -v shows the profile" grep -q '^	profile "tlsserver"$' \
    "$T_TMP/dump"
check "offered: issued" run
check "offered: the newOrder asked for it" grep -q ' profile=tlsserver$' \
    "$alog"
check "offered: no warning about it" sh -c "! grep -q 'does not offer' '$out'"
check "offered: installed" test -s "$T_TMP/a.prof.test.crt"

# 2. Not offered: ordered without a profile, with a warning naming the
# offered ones.
echo "profiles classic tlsserver" >"$rules"
conf_for b.prof.test shortlived
check "not offered: issued" run
check "not offered: a warning naming the offered profiles" grep -qF \
    'b.prof.test: authority pebble does not offer the profile "shortlived" (it offers: classic, tlsserver); ordering without a profile' \
    "$out"
check "not offered: the newOrder had no profile" sh -c \
    "grep -q ' newOrder ' '$alog' && ! grep -q ' profile=' '$alog'"

# 3. Required and not offered: no order, the reason everywhere.
conf_for c.prof.test shortlived required
"$ACMED" -n -v -f "$conf" >"$T_TMP/dump" 2>&1
check "acmed -n -v shows it required" grep -q \
    '^	profile "shortlived" required$' "$T_TMP/dump"
check_not "required, not offered: acmed -o fails" run
msg='c.prof.test: authority pebble does not offer the required profile "shortlived" (it offers: classic, tlsserver)'
check "required, not offered: the log says so" grep -qF \
    "c.prof.test: certificate not issued: $msg" "$out"
check "required, not offered: no newOrder was sent" sh -c \
    "! grep -q 'newOrder' '$alog'"
check "required, not offered: the event hook has it" grep -qF \
    "renewal-failed $msg" "$events"
check "required, not offered: acmed -s has it" status_has \
    'does not offer the required profile "shortlived"'

# 4. invalidProfile: the profile and the authority's detail.
printf 'profiles classic tlsserver\ninvalidprofile tlsserver\n' >"$rules"
conf_for d.prof.test tlsserver
check_not "invalidProfile: acmed -o fails" run
check "invalidProfile: the proxy refused it" grep -q \
    ' invalidProfile tlsserver$' "$alog"
check "invalidProfile: the log names the profile and the detail" grep -qE \
    'd.prof.test: certificate not issued: d.prof.test: authority pebble refused the profile "tlsserver": .*invalidProfile.*cannot be used for these identifiers' \
    "$out"
check "invalidProfile: the event hook has it" grep -qE \
    '^renewal-failed d.prof.test: authority pebble refused the profile "tlsserver": .*cannot be used' \
    "$events"
check "invalidProfile: acmed -s has it" status_has \
    'refused the profile "tlsserver": .*cannot be used'

# 5. unauthorized: a profile the account may not use.
printf 'profiles classic shortlived\ndeniedprofile shortlived\n' >"$rules"
conf_for e.prof.test shortlived
check_not "unauthorized: acmed -o fails" run
check "unauthorized: the proxy refused it" grep -q \
    ' unauthorized shortlived$' "$alog"
check "unauthorized: the log names the profile and the detail" grep -qE \
    'e.prof.test: certificate not issued: e.prof.test: authority pebble does not let the account use the profile "shortlived": .*unauthorized.*not permitted to use certificate profile' \
    "$out"
check "unauthorized: the event hook has it" grep -qE \
    '^renewal-failed e.prof.test: authority pebble does not let the account use the profile "shortlived"' \
    "$events"
check "unauthorized: acmed -s has it" status_has \
    'does not let the account use the profile "shortlived"'

# 6. The order comes back for another profile.
printf 'profiles classic tlsserver\nechoprofile classic\n' >"$rules"
conf_for f.prof.test tlsserver
check_not "another profile echoed: acmed -o fails" run
check "another profile echoed: the log names both" grep -qE \
    'f.prof.test: certificate not issued: f.prof.test: authority pebble answered the order for the profile "tlsserver" with https://[^ ]*, an order for the profile "classic"' \
    "$out"
check "another profile echoed: no certificate" test ! -e \
    "$T_TMP/f.prof.test.crt"
t_done
