#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A 429 with Retry-After to the 11th new order: no new order goes to the
# authority before its Retry-After, the ten orders under way finish
# meanwhile, and the rest follow; the pass issues all 15 certificates.
# Pebble behind ariproxy, whose rule "ratelimit 8 10" answers the new
# order after the first ten with 429 and Retry-After: 8, once.  With
# "max orders 11" the first eleven new orders leave together; the rule
# "pending *" holds every order (its authorizations seem never to finish
# validating) until the refusal has been answered, so that no order can
# end, and no queued one start, before it.  Then the ten finish, and the
# four others start as orders end, after the Retry-After.  The proxy's
# log (whole seconds) says when each thing happened.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 16900 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
rules=$T_TMP/rules
alog=$T_TMP/proxy-events
printf 'ratelimit 8 10\npending *\n' >"$rules"
check "proxy listening" t_ariproxy "$alog" -r "$rules"
t_conf "$conf" "$PROXY_URL"
t_max_orders "$conf" 11
t_domains "$conf" 15 r%d.s09d.test

"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
apid=$!
t_at_exit "kill $apid 2>/dev/null"
check "the 11th new order is refused" wait_for 120 grep -q ' ratelimit$' \
    "$alog"
echo 'ratelimit 8 10' >"$rules.new" && mv "$rules.new" "$rules"
wait "$apid"
rc=$?
check "acmed -o exits 0" test "$rc" -eq 0
n=$(t_verified 15 r%d.s09d.test)
check "all 15 certificates issued ($n)" test "$n" -eq 15
check "one new order refused" test "$(grep -c ' ratelimit$' "$alog")" -eq 1
check "15 new orders reached Pebble, one for each" \
    test "$(grep -c ' order ' "$alog")" -eq 15
t=$(grep ' ratelimit$' "$alog" | cut -d' ' -f1)
# After the refusal: the time of each new order, and the certificates
# downloaded before the first of them.
after=$(awk '/ ratelimit$/ { r = 1; next } r && / order / { print $1 }' \
    "$alog")
early=$(for a in $after; do [ "$a" -lt $((t + 8)) ] && echo "$a"; done)
check "no new order before the Retry-After (refused at $t, then at \
$(echo $after | tr ' ' ','))" test -n "$after" -a -z "$early"
done_before=$(awk '/ ratelimit$/ { r = 1 } / post certificate$/ { c++ }
    r && / order / { print c; exit }' "$alog")
check "the ten orders under way finished first ($done_before)" \
    test "${done_before:-0}" -ge 10
check "the log says new orders wait" grep -q \
    "new orders to authority pebble wait until" "$T_TMP/log"
check "and when they resume" grep -q \
    "authority pebble: new orders resume" "$T_TMP/log"
check "no Retry-After is left for the parent to honour" \
    sh -c "! ls '$T_TMP/state/retry/'*.time 2>/dev/null | grep -q ."
t_done
