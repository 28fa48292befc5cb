#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# kill -9 of netproc with 20 orders in flight, then of the parent: every
# order is resumed, and none is placed twice.  Pebble behind ariproxy,
# whose rule "pending *" shows every authorization as pending (and every
# ready order as pending) until the rule goes: the 20 orders are placed
# and stay in flight while netproc and then the parent are killed.  The
# proxy logs the names of each new order it forwards.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 17000 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
rules=$T_TMP/rules
alog=$T_TMP/proxy-events
echo 'pending *' >"$rules"
check "proxy listening" t_ariproxy "$alog" -r "$rules"
t_conf "$conf" "$PROXY_URL"
t_max_orders "$conf" 20
t_domains "$conf" 20 c%d.s09d.test

start() {
	"$ACMED" -d -v -f "$conf" >"$T_TMP/log.$1" 2>&1 &
	apid=$!
}
count_at_least() {
	[ "$(grep -c -- "$1" "$2" 2>/dev/null)" -ge "$3" ]
}
orders_saved() {
	[ "$(ls "$T_TMP/state/orders/" 2>/dev/null | grep -c '\.url$')" -eq 20 ]
}
netproc_of() {
	pgrep -P "$1" -x netproc
}
kids=""

start 1
t_at_exit "kill -9 \$apid \$kids 2>/dev/null"
check "20 new orders placed" wait_for 30 count_at_least ' order ' "$alog" 20
check "and every order's URL saved" wait_for 10 orders_saved
np=$(netproc_of "$apid")
check "netproc runs ($np)" test -n "$np"
kill -9 "$np"
new_np() {
	n=$(netproc_of "$apid")
	[ -n "$n" ] && [ "$n" != "$np" ]
}
check "the parent starts netproc again" wait_for 10 new_np
# The next pass now, not after the restart's delay.
kill -USR1 "$apid"
check "the new netproc resumes all 20 orders" wait_for 30 count_at_least \
    ': resuming order ' "$T_TMP/log.1" 20
kids=$(pgrep -P "$apid")
kill -9 "$apid"
wait "$apid" 2>/dev/null
check "the children die with the parent" wait_for 5 t_gone $kids

start 2
check "the next daemon resumes all 20 orders" wait_for 30 count_at_least \
    ': resuming order ' "$T_TMP/log.2" 20
: >"$rules"
all_issued() {
	[ "$(t_verified 20 c%d.s09d.test)" -eq 20 ]
}
check "all 20 certificates issued" wait_for 90 all_issued
twice=""
i=1
while [ "$i" -le 20 ]; do
	n=$(grep -c " order c$i.s09d.test\$" "$alog")
	[ "$n" -eq 1 ] || twice="$twice c$i.s09d.test:$n"
	i=$((i + 1))
done
check "one new order for each domain${twice:+, not for$twice}" \
    test -z "$twice"
check "no order left pending" \
    sh -c "! ls '$T_TMP/state/orders/'*.url 2>/dev/null | grep -q ."
t_stop "$apid"
t_done
