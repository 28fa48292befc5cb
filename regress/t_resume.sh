#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A crash in the middle of an order: kill -9 of the daemon as soon as its
# order is on disk, three times in a row, then a run to the end.  Every
# restart resumes the same order; no second order is placed; the
# certificate arrives.  Pebble sleeps before validating here (as a real CA
# takes its time), and challenged is stopped (SIGSTOP) as soon as it
# starts, so netproc waits for it before answering any challenge: the
# order is open, with nothing answered, when the daemon dies.
. "$(dirname "$0")/lib.sh"
t_users
PEBBLE_EXTRA_ENV="PEBBLE_VA_NOSLEEP=0" t_pebble 15300 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (validation after a random sleep)"
conf=$T_TMP/acmed.conf
t_conf "$conf"
t_domain "$conf" resume.example.org "" again.example.org
orderfile=$T_TMP/state/orders/resume.example.org.url

start() {
	"$ACMED" -d -v -f "$conf" >>"$T_TMP/log.$1" 2>&1 &
	apid=$!
}
order_saved() {
	test -s "$orderfile"
}
kids=""
# Stops this daemon's challenged as soon as it runs (childstop watches
# every millisecond: netproc reaches the challenge within some 15 ms of
# its start); remembers the pids of its children.
stop_challenged() {
	"$OBJ/regress/childstop" "$apid" challenged 5000 >/dev/null ||
	    return 1
	kids=$(pgrep -P "$apid")
}

# The first run places the order; it and two restarts are killed as soon
# as the order is known (the restarts: as soon as they say they resume).
start 1
t_at_exit "kill -9 \$apid \$kids 2>/dev/null"
check "challenged stopped before any challenge is answered" stop_challenged
check "the first run saves its order" wait_for 20 order_saved
kill -9 "$apid"
wait "$apid" 2>/dev/null
kill -CONT $kids 2>/dev/null
first=$(cat "$orderfile")
check "the children die with the parent" wait_for 5 t_gone $kids
for n in 2 3 4; do
	start $n
	stop_challenged
	wait_for 20 grep -q "resuming order" "$T_TMP/log.$n"
	kill -9 "$apid"
	wait "$apid" 2>/dev/null
	kill -CONT $kids 2>/dev/null
	wait_for 5 t_gone $kids
	check "restart $n resumes the first order" \
	    grep -q "resuming order $first" "$T_TMP/log.$n"
done

start 5
kids=$(pgrep -P "$apid")
check "the last run installs the certificate" \
    wait_for 60 grep -q "resume.example.org: certificate issued" "$T_TMP/log.5"
check "the last run resumed the same order" \
    grep -q "resuming order $first" "$T_TMP/log.5"
kill "$apid"
wait "$apid" 2>/dev/null
orders=$(cat "$T_TMP"/log.* | sed -n 's/.*: order \(https:[^ ]*\)$/\1/p' | sort -u)
check "one order in all: $(echo $orders)" test "$orders" = "$first"
check "the chain verifies" t_verify resume.example.org
check "the pending order is forgotten once used" test ! -e "$orderfile"
t_done
