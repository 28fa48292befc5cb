#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# 50 certificates in one pass against a Pebble that sleeps 0 to 2 s
# before each validation, as a real CA takes its time: every one is
# issued, and the orders ran side by side, not one after another: Pebble
# saw the 50th new order before the first finalize.  No time is asserted.
# Pebble 2.4 itself can deadlock with that many orders at once
# (t_pebble_stalled): the pass is then made again, from the start, with a
# fresh Pebble, at most three times in all.
. "$(dirname "$0")/lib.sh"
t_users
PEBBLE_EXTRA_ENV="PEBBLE_VA_NOSLEEP=0 PEBBLE_VA_SLEEPTIME=3" t_pebble 16700 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (validation after a random sleep of 0 to 2 s)"

conf=$T_TMP/acmed.conf
t_conf "$conf"
t_max_orders "$conf" 50
t_domains "$conf" 50 d%d.many.example.org
check "configuration valid" sh -c "\"$ACMED\" -n -f \"$conf\" 2>/dev/null"

# pass: acmed -o, or 99 if Pebble stalled meanwhile (acmed stopped).
pass() {
	"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
	p_pid=$!
	p_i=0
	while kill -0 "$p_pid" 2>/dev/null && [ "$p_i" -lt 900 ]; do
		p_i=$((p_i + 1))
		if t_pebble_stalled; then
			t_stop "$p_pid"
			return 99
		fi
		sleep 1
	done
	wait "$p_pid"
}
try=1
while pass; rc=$?; [ "$rc" -eq 99 ] && [ "$try" -lt 3 ]; do
	echo "# Pebble deadlocked (pass $try): again with a fresh one"
	rm -rf "$T_TMP/state" "$T_TMP"/d*.many.example.org.*
	t_pebble_again || break
	try=$((try + 1))
done
check "acmed -o exits 0" test "$rc" -eq 0
n=$(t_verified 50 d%d.many.example.org)
check "all 50 certificates installed and verified ($n)" test "$n" -eq 50

plog=$T_PEBBLE_DIR/pebble.log
orders=$(grep -c 'POST /order-plz ' "$plog")
check "one new order per certificate ($orders)" test "$orders" -eq 50
# Line numbers in Pebble's log, in the order it handled the requests.
last_order=$(grep -n 'POST /order-plz ' "$plog" | tail -n 1 | cut -d: -f1)
first_final=$(grep -n 'POST /finalize-order/' "$plog" | head -n 1 |
    cut -d: -f1)
check "the orders overlapped: the 50th new order (line $last_order of \
Pebble's log) came before the first finalize (line $first_final)" \
    test "${last_order:-0}" -gt 0 -a "${first_final:-0}" -gt \
    "${last_order:-0}"
t_done
