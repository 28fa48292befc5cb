#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The authority's Retry-After outlives the run that was told it: kept in
# the state directory, honoured by the next acmed -o and by the daemon
# after a restart, shown by acmed -s, and forgotten once an order
# succeeds.  Pebble behind ariproxy, which answers newOrder with 429
# rateLimited and Retry-After: 3600 while its rule says so.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 16300 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
out=$T_TMP/out
log=$T_TMP/log
rules=$T_TMP/rules
alog=$T_TMP/proxy-events
rfile=$T_TMP/state/retry/retry.s09d.test.time
check "proxy listening" t_ariproxy "$alog" -r "$rules"
t_conf "$conf" "$PROXY_URL"
t_domain "$conf" retry.s09d.test
run() {
	"$ACMED" -o -d -v -f "$conf" >"$out" 2>&1
}
# limited: how many newOrder requests the proxy refused.
limited() {
	grep -c ' ratelimit$' "$alog"
}
# next_at_is TIME: the status file says the next action is at TIME.
next_at_is() {
	[ "$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["certificates"][0]["next_at"])' \
	    "$T_TMP/state/status.json" 2>/dev/null)" = "$1" ]
}
proc_gone() {
	[ ! -r "/proc/$1/status" ] ||
	    grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# 1. newOrder refused, Retry-After: 3600.
echo 'ratelimit 3600' >"$rules"
t0=$(date +%s)
check_not "rate limited: acmed -o fails" run
t1=$(date +%s)
check "rate limited: one newOrder refused" test "$(limited)" -eq 1
check "rate limited: the problem and its Retry-After are logged" grep -q \
    'rateLimited: too many new orders recently (retry after 3600 s)' "$out"
check "rate limited: the time is kept in the state directory" \
    test -s "$rfile"
until=$(cat "$rfile" 2>/dev/null)
check "rate limited: kept as then + 3600 s ($until)" \
    test "${until:-0}" -ge $((t0 + 3600)) -a "${until:-0}" -le $((t1 + 3600))
when=$(date -u -d "@${until:-0}" '+%Y-%m-%d %H:%M:%S UTC')
whenz=$(date -u -d "@${until:-0}" '+%Y-%m-%dT%H:%M:%SZ')
check "rate limited: the log says when the next attempt is allowed" \
    grep -q "retry.s09d.test: the authority allows the next attempt at $when" \
    "$out"

# 2. The next -o does not ask the authority at all.
check_not "next -o: fails" run
check "next -o: no newOrder" test "$(limited)" -eq 1
check "next -o: says until when" grep -q \
    "retry.s09d.test: not asking the authority before $when, as its Retry-After said" \
    "$out"
"$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
check "acmed -s shows it" grep -q \
    "the authority allows no attempt before $whenz (Retry-After)" "$T_TMP/s"

# 3. Nor does the daemon, started afresh.
"$ACMED" -d -v -f "$conf" >"$log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "daemon: waits for that time" wait_for 20 grep -q \
    "retry.s09d.test: not asking the authority before $when" "$log"
check "daemon: the status file's next action is then" \
    wait_for 5 next_at_is "$whenz"
check "daemon: no newOrder" test "$(limited)" -eq 1
kill -TERM "$dpid"
check "daemon stopped" wait_for 10 proc_gone "$dpid"

# 4. Its time has come (the kept time moved back) and the limit is gone:
# issued, and the time forgotten.
: >"$rules"
echo $((t0 - 10)) >"$rfile"
check "after the time: acmed -o issues" run
check "after the time: the kept time is forgotten" test ! -e "$rfile"
check "after the time: the chain verifies" t_verify retry.s09d.test
t_done
