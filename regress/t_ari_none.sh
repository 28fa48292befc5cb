#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# An authority whose directory offers no renewal information (Pebble
# 2.4) is not asked for the window of each of its certificates: the
# first answer says none is offered, and the others are not asked for a
# day.  200 valid certificates (mkcerts, none due), whose first requests
# are spread over 20 s; before the change every one was asked in turn.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 17800 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
n=200
conf=$T_TMP/acmed.conf
t_conf "$conf"
mkdir -p "$T_TMP/certs"
"$OBJ/regress/mkcerts" "$T_TMP/certs" "$n" a%d.none.example >"$T_TMP/domains" \
    2>"$T_TMP/mkcerts.err"
check "$n certificates made" test "$(grep -c '^domain ' "$T_TMP/domains")" -eq "$n"
cat "$T_TMP/domains" >>"$conf"
check "configuration valid" sh -c "'$ACMED' -n -f '$conf' 2>/dev/null"

"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "the daemon learns that none is offered" wait_for 30 grep -q \
    "authority pebble: no renewal information offered: not asked again" \
    "$T_TMP/log"
# count: the requests netproc answered so far.
count() {
	grep -c 'authority pebble: the directory offers no renewal information' \
	    "$T_TMP/log"
}
# Those already on their way when the first answer came end meanwhile;
# the spread would then go on asking about 10 a second.
sleep 1
c1=$(count)
sleep 5
c2=$(count)
check "then none more asked ($c1, 5 s later $c2, of $n)" \
    test "$c2" -eq "$c1" -a "$c1" -lt "$n"
check "the daemon runs" kill -0 "$dpid"
t_stop "$dpid"
t_done
