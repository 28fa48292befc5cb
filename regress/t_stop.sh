#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A quiet stop: SIGTERM while netproc waits for the authority to validate
# a challenge (tcptap holds Pebble's validation connections, so the
# authorization stays pending).  The daemon ends at once with status 0
# and nothing logged after "shutting down": no child failed or killed, no
# broken pipe.  A restart resumes the same order, which ends in a
# certificate once the validation goes through.  The daemon runs without
# -v: what it logs is what an administrator sees.  Last, the parent
# killed while netproc waits for an answer that never comes (faultsrv
# stalls): every child dies at once, netproc without finishing.
. "$(dirname "$0")/lib.sh"
t_users
t_python
T_HTTP_PORT=16406
t_pebble 16400 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
conf=$T_TMP/acmed.conf
hold=$T_TMP/hold
orderfile=$T_TMP/state/orders/stop.example.org.url

# Pebble validates on port 16406: the tap there holds every connection
# while $hold exists, then relays it to acmed on 16407.
touch "$hold"
"$PY" "$TOP/regress/helpers/tcptap.py" -t 16407 -p 16406 -H "$hold" \
    -P "$T_TMP/tap.port" -L "$T_TMP/tap.log" 2>"$T_TMP/tap.err" &
t_at_exit "kill $! 2>/dev/null"
check "the tap holding validations listens" wait_for 10 test -s "$T_TMP/tap.port"
t_conf "$conf"
sed -i 's/ port 16406$/ port 16407/' "$conf"
t_domain "$conf" stop.example.org

kids=""
children_gone() {
	for k in $kids; do
		proc_gone "$k" || return 1
	done
	return 0
}
start() {
	"$ACMED" -d -f "$conf" >"$T_TMP/log.$1" 2>&1 &
	apid=$!
}
# stop N: SIGTERM, and the stop is quick and quiet.
stop() {
	kids=$(pgrep -P "$apid")
	kill -TERM "$apid"
	check "$1: the daemon ends within 2 s" wait_for 2 proc_gone "$apid"
	wait "$apid"
	check "$1: exit status 0" test $? -eq 0
	check "$1: its children are gone" wait_for 2 children_gone
	sed -n '/Terminated: shutting down/,$p' "$T_TMP/log.$2" \
	    >"$T_TMP/after.$2"
	check "$1: nothing logged after \"shutting down\"" \
	    test "$(wc -l <"$T_TMP/after.$2")" -eq 1
	sed 's/^/# /' "$T_TMP/after.$2"
}

start 1
t_at_exit "kill -9 \$apid \$kids 2>/dev/null"
check "the challenge is answered, its validation held" wait_for 20 \
    grep -q "Attempting to validate w/ HTTP: http://stop.example.org:" \
    "$T_PEBBLE_DIR/pebble.log"
check "the order is saved" wait_for 5 test -s "$orderfile"
first=$(cat "$orderfile")
# netproc polls the pending authorization, sleeping longer each time.
sleep 1
stop "SIGTERM while the authorization is pending" 1
check_not "no broken pipe" grep -q "Broken pipe" "$T_TMP/log.1"
check "the order is still saved" test "$(cat "$orderfile")" = "$first"

start 2
check "the restart resumes the order" wait_for 20 \
    grep -qs "resuming order $first" "$T_TMP/log.2"
rm -f "$hold"
check "the validation goes through: the certificate is issued" wait_for 30 \
    grep -q "stop.example.org: certificate issued" "$T_TMP/log.2"
check "one order in all" \
    test "$(grep -c 'Added order' "$T_PEBBLE_DIR/pebble.log")" -eq 1
check "the chain verifies" t_verify stop.example.org
stop "SIGTERM when idle" 2

C=$T_TMP/certs
"$TOP/regress/pebble.sh" certs "$C" >/dev/null
printf 'path /dir\nstall\n' >"$T_TMP/spec"
"$OBJ/regress/faultsrv" -c "$C/cert.pem" -k "$C/key.pem" -f "$T_TMP/spec" \
    -P "$T_TMP/fs.port" 2>"$T_TMP/faultsrv.log" &
t_at_exit "kill $! 2>/dev/null"
check "faultsrv listening" wait_for 10 test -s "$T_TMP/fs.port"
sed -i "s|api url \".*\"|api url \"https://127.0.0.1:$(cat "$T_TMP/fs.port")/dir\"|
    s|api ca \".*\"|api ca \"$C/ca.pem\"|" "$conf"
rm -f "$T_TMP"/stop.example.org.*
start 3
check "netproc waits for the directory" wait_for 20 \
    grep -q "GET /dir .* stall" "$T_TMP/faultsrv.log"
kids=$(pgrep -P "$apid")
kill -KILL "$apid"
check "the parent killed: every child is gone within 1 s (the answer \
would take 120 s, netproc's own timeout 60 s)" wait_for 1 children_gone
t_done
