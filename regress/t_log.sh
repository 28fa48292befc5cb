#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Logs reach the administrator whatever the system has (Pebble on ports
# 16600-16606).  The daemon runs in a private mount namespace whose /dev
# has no log socket, or one of the test's own (a datagram socket a small
# listener reads): without syslog its lines go to the standard error it
# was started with, with syslog to syslog, and back to standard error when
# syslog goes away; always to the "log file" as well, which SIGHUP opens
# again after logrotate moved it.  The start-up line says what runs and
# where its lines go.  acmed -n and the start refuse a log file another
# user could swap.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 16600 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
logdir=$T_TMP/logs
logf=$logdir/acmed.log
err=$T_TMP/stderr
mkdir -p "$logdir"
t_conf "$conf"
echo "log file \"$logf\"" >>"$conf"
t_domain "$conf" log.s09d.test
check "configuration with a log file is valid" \
    sh -c "'$ACMED' -n -f '$conf' >'$T_TMP/n.out' 2>&1"

# devns DEVLOG CMD...: CMD in a private mount namespace whose /dev is a
# tmpfs with only null, zero, random and urandom, and /dev/log a link to
# the socket DEVLOG (none if DEVLOG is empty).
devns() {
	unshare -m --propagation private sh -c '
	    tmp=$1 devlog=$2
	    shift 2
	    mkdir -p "$tmp/hostdev" &&
	    mount --bind /dev "$tmp/hostdev" &&
	    mount -t tmpfs -o mode=0755 tmpfs /dev || exit 1
	    for n in null zero random urandom; do
		touch "/dev/$n" &&
		mount --bind "$tmp/hostdev/$n" "/dev/$n" || exit 1
	    done
	    umount -l "$tmp/hostdev"
	    [ -z "$devlog" ] || ln -s "$devlog" /dev/log || exit 1
	    exec "$@"' sh "$T_TMP" "$@"
}

# The daemon, detached; its pid from the status file it writes.
dpid=
daemon_start() {
	rm -f "$T_TMP/state/status.json"
	devns "$1" "$ACMED" -v -f "$conf" 2>"$err" || return 1
	wait_for 10 test -s "$T_TMP/state/status.json" || return 1
	dpid=$("$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["pid"])' "$T_TMP/state/status.json")
	[ -n "$dpid" ] && kill -0 "$dpid"
}
daemon_stop() {
	[ -n "$dpid" ] || return 0
	kill -TERM "$dpid" 2>/dev/null
	wait_for 10 proc_gone "$dpid" || kill -KILL "$dpid" 2>/dev/null
	dpid=
}
t_at_exit daemon_stop

# listener OUT: reads datagrams on $T_TMP/devlog.sock into OUT, one a
# line, until $T_TMP/listener.stop appears (at most 120 s).
listener() {
	rm -f "$T_TMP/devlog.sock" "$T_TMP/listener.stop"
	"$PY" - "$T_TMP/devlog.sock" "$1" "$T_TMP/listener.stop" <<'EOP' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.1)
end = time.time() + 120
with open(sys.argv[2], "ab", buffering=0) as out:
    while time.time() < end and not os.path.exists(sys.argv[3]):
        try:
            out.write(s.recv(65536) + b"\n")
        except socket.timeout:
            pass
s.close()
os.unlink(sys.argv[1])
EOP
	lpid=$!
	t_at_exit "kill $lpid 2>/dev/null"
	wait_for 5 test -S "$T_TMP/devlog.sock"
}
listener_stop() {
	touch "$T_TMP/listener.stop"
	wait_for 5 proc_gone "$lpid"
	wait "$lpid" 2>/dev/null
}

stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

echo "# --- no syslog: standard error and the log file"
if daemon_start ""; then
	ok "daemon started without /dev/log"
else
	notok "daemon started without /dev/log"
	sed 's/^/# /' "$err" | tail -20
fi
check "no syslog: the certificate is issued" \
    wait_for 30 grep -q "log.s09d.test: certificate issued" "$err"
summary="starting: acmed [0-9.]+, configuration $conf, 1 certificate, 1 authority, listening on 127.0.0.1:$T_HTTP_PORT, state directory $T_TMP/state, logs to standard error \(no syslog on /dev/log\) and $logf; sandbox of "
check "no syslog: the start-up line, on standard error after detaching" \
    grep -Eq "^$summary" "$err"
check "the start-up line says what each child's sandbox holds" \
    grep -Eq "^$summary(netproc, keyproc and challenged: |netproc: .*; keyproc: .*; challenged: )(no )?Landlock" "$err"
check "log file: the same lines" \
    grep -Eq "^$stamp acmed\[$dpid\]: info: $summary" "$logf"
check "log file: the issued certificate, at info" \
    grep -Eq "^$stamp acmed\[$dpid\]: info: log.s09d.test: certificate issued" "$logf"
check "log file: a child's line names the child" \
    grep -Eq "^$stamp acmed\[$dpid\]: debug: netproc: " "$logf"
check "log file: made with mode 0640" \
    [ "$(stat -c %a "$logf")" = 640 ]
check "log file: one line per line, each stamped" \
    sh -c "! grep -Evq '^$stamp acmed\[[0-9]+\]: [a-z]+: ' '$logf'"

mv "$logf" "$logf.1"
kill -HUP "$dpid"
check "SIGHUP: a new log file" wait_for 10 grep -q "configuration reloaded" "$logf"
check "SIGHUP: the reload is logged in the new file from its first line" \
    grep -q "reloading $conf" "$logf"
check "SIGHUP: the moved file got nothing more" \
    sh -c "! grep -q 'reloading' '$logf.1'"
check "SIGHUP: the new file has mode 0640 too" \
    [ "$(stat -c %a "$logf")" = 640 ]
daemon_stop

echo "# --- a /dev/log of our own"
listener "$T_TMP/syslog.out"
if daemon_start "$T_TMP/devlog.sock"; then
	ok "daemon started with a /dev/log"
else
	notok "daemon started with a /dev/log"
fi
check "syslog: the start-up line reaches /dev/log, facility daemon, level info" \
    wait_for 10 grep -Eq "^<30>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} acmed\[$dpid\]: starting: .* logs to syslog and $logf;" "$T_TMP/syslog.out"
check "syslog: a child's line names the child" \
    grep -Eq "^<31>.* acmed\[$dpid\]: netproc: " "$T_TMP/syslog.out"
check "syslog: the log file has the lines too" \
    grep -q "acmed\[$dpid\]: info: starting: .* logs to syslog and $logf;" "$logf"

listener_stop
kill -USR1 "$dpid"
check "syslog gone: standard error says so" wait_for 10 grep -q \
    "^syslog does not answer on /dev/log: logging to standard error until it does$" "$err"
check "syslog gone: the next lines go to standard error" \
    wait_for 10 grep -q "^checking every certificate now$" "$err"
check "syslog gone: and to the log file" \
    grep -Eq "acmed\[$dpid\]: warning: syslog does not answer on /dev/log" "$logf"

listener "$T_TMP/syslog2.out"
kill -USR1 "$dpid"
check "syslog back: the next line reaches it" wait_for 10 grep -q \
    "acmed\[$dpid\]: checking every certificate now" "$T_TMP/syslog2.out"
check "syslog back: it says so" \
    grep -q "acmed\[$dpid\]: syslog answers on /dev/log again" "$T_TMP/syslog2.out"
n=$(grep -c "^checking every certificate now$" "$err")
check "syslog back: standard error got that line no more ($n)" [ "$n" -eq 1 ]
daemon_stop
listener_stop

echo "# --- a log file another user could swap"
chmod 0777 "$logdir"
check_not "directory writable by others: -n fails" \
    sh -c "'$ACMED' -n -f '$conf' >'$T_TMP/n.out' 2>&1"
check "-n names the log file and why" grep -q \
    "log file $logf: directory $logdir is writable by others (mode 0777)" \
    "$T_TMP/n.out"
chmod 0755 "$logdir"
rm -f "$logf"
ln -s /etc/passwd "$logf"
check_not "a symbolic link: -n fails" \
    sh -c "'$ACMED' -n -f '$conf' >'$T_TMP/n.out' 2>&1"
check "-n says it is a link" grep -q "log file $logf: a symbolic link" \
    "$T_TMP/n.out"
check_not "a symbolic link: acmed -o refuses to start" \
    sh -c "'$ACMED' -o -f '$conf' >'$T_TMP/o.out' 2>&1"
check "acmed -o says why" grep -q "log file $logf: a symbolic link" \
    "$T_TMP/o.out"
t_done
