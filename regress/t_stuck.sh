#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# One authorization the authority keeps pending holds no other order
# back.  Pebble behind ariproxy, whose "pending" rule shows every
# authorization of stuck.s09d.test as pending whatever Pebble did: the
# five other domains (listed after it, so an order taken before the
# others would be it) are issued while its order still polls, and its
# order stays known (orders/) for the next run to resume.  That it ends
# at its own deadline, with the reason, is t_acme's to show: 300 s is
# long for a test.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 16800 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
rules=$T_TMP/rules
alog=$T_TMP/proxy-events
echo 'pending stuck.s09d.test' >"$rules"
check "proxy listening" t_ariproxy "$alog" -r "$rules"
t_conf "$conf" "$PROXY_URL"
t_domain "$conf" stuck.s09d.test
for d in one two three four five; do
	t_domain "$conf" "$d.s09d.test"
done

"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
apid=$!
t_at_exit "kill \$apid 2>/dev/null"
others_issued() {
	for d in one two three four five; do
		t_verify "$d.s09d.test" || return 1
	done
}
check "the five others are issued meanwhile" wait_for 60 others_issued
check "the stuck one is not" test ! -e "$T_TMP/stuck.s09d.test.crt"
check "its authorization is still polled" \
    test "$(grep -c ' held stuck.s09d.test$' "$alog")" -ge 2
check_not "and nothing has failed" grep -q "certificate not issued" \
    "$T_TMP/log"
check "the pass still runs, for the stuck order" kill -0 "$apid"
check "its order is kept for the next run" \
    test -s "$T_TMP/state/orders/stuck.s09d.test.url"
t_stop "$apid"
t_done
