#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The children's sandbox as the daemon sets it up, against Pebble on
# loopback (ports 16000-16006).  netproc runs chrooted in STATE/netproc,
# which holds only etc/ with copies of the resolver's files.  The daemon
# runs in a mount namespace of its own, where a file of the test's lies
# over /etc/hosts, and reaches Pebble by a name only that file knows
# (Pebble's certificate names it too): first the name is missing and the
# order fails, then it is added, and the copy follows before the next
# request, which issues the certificate through the name.  Each child
# tells the parent what its sandbox holds, which status.json and acmed -s
# show; run again as on a kernel without Landlock (nolandlock, a seccomp
# filter that answers landlock_create_ruleset with ENOSYS), each child
# warns once per start and acmed -s says what is missing.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip needs root (the children change user)"
	exit 0
fi
t_users
NAME=acme.sandbox.test
export PEBBLE_LEAF_NAMES=$NAME
t_pebble 16000 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
log=$T_TMP/log
state=$T_TMP/state
root=$state/netproc
hosts=$T_TMP/hosts
dpid=
grep -v "$NAME" /etc/hosts >"$hosts"
t_conf "$conf"
sed -i "s|api url \"$PEBBLE_URL\"|api url \"https://$NAME:16000/dir\"|" "$conf"
t_domain "$conf" sbx.example.org

daemon_stop() {
	[ -n "$dpid" ] || return 0
	t_stop "$dpid"
	dpid=
}
t_at_exit daemon_stop

# daemon_start [WRAPPER...]: acmed -d -v in its mount namespace, with
# $hosts over /etc/hosts; its output in $log.
daemon_start() {
	unshare -m --propagation private sh -c \
	    'mount --bind "$0" /etc/hosts && exec "$@"' \
	    "$hosts" "$@" "$ACMED" -d -v -f "$conf" >>"$log" 2>&1 &
	dpid=$!
}
# child_pid NAME: the pid of the daemon's child NAME (empty if none).
child_pid() {
	ps -o pid=,args= --ppid "$dpid" 2>/dev/null | awk -v n="$1" '
	    { for (i = 2; i < NF; i++) if ($i == "-P" && $(i + 1) == n) {
		print $1; exit } }'
}
netproc_up() {
	np=$(child_pid netproc)
	[ -n "$np" ] && t_proc_confined "$np" _acmed "$root" >/dev/null
}
log_has() {
	grep -qE -- "$1" "$log"
}
# seen_but_start PATTERN: a line but the start-up line (which says what
# each sandbox holds) matches.
seen_but_start() {
	grep -v '^starting: ' "$log" | grep -qE -- "$1"
}
issued() {
	[ -s "$T_TMP/$1.full" ] && t_verify "$1"
}
# root_holds: the root holds etc/ only, and etc/ a copy of each resolver
# file the daemon sees (its /etc/hosts is $hosts), and nothing else.
root_holds() {
	[ "$(ls -A "$root")" = etc ] || return 1
	for f in resolv.conf hosts nsswitch.conf gai.conf host.conf; do
		src=/etc/$f
		[ "$f" = hosts ] && src=$hosts
		if [ -e "$src" ]; then
			cmp -s "$src" "$root/etc/$f" || return 1
		else
			[ ! -e "$root/etc/$f" ] || return 1
		fi
	done
	[ -z "$(ls -A "$root/etc" |
	    grep -vxE 'resolv.conf|hosts|nsswitch.conf|gai.conf|host.conf')" ]
}

echo "# --- netproc in its root"
daemon_start
check "netproc runs confined as _acmed, chrooted in $root" \
    wait_for 15 netproc_up
check "netproc's root and its etc/ are root's, mode 0755" sh -c \
    "[ \"\$(stat -c '%u %a' '$root' '$root/etc')\" = '0 755
0 755' ]"
check "the root holds only etc/ with copies of the resolver's files" \
    root_holds
check "the name unknown to /etc/hosts: netproc cannot resolve it" \
    wait_for 30 log_has "resolve.*$NAME"
check_not "no certificate issued through an unknown name" issued sbx.example.org

echo "# --- /etc/hosts changes: the copy follows before the next request"
echo "127.0.0.1 $NAME" >>"$hosts"
kill -USR1 "$dpid"
check "issued through the name, once /etc/hosts has it" \
    wait_for 60 issued sbx.example.org
check "the copy of /etc/hosts is the changed file" \
    cmp -s "$hosts" "$root/etc/hosts"
check "the root still holds only etc/ with the copies" root_holds
np2=$(child_pid netproc)
check "the same netproc resolved the name (not restarted)" \
    [ -n "$np2" ] && [ "$np2" = "$np" ]
check_not "no system call refused" seen_but_start "seccomp|SIGSYS|signal 31"

echo "# --- what each child's sandbox holds: status.json, acmed -s"
ABI=$("$OBJ/regress/sbx_probe" -A)
[ "$ABI" -gt 7 ] && ABI=7
echo "# Landlock ABI $ABI"
# sandbox_json CHILD: "ABI WANTED SECCOMP" from status.json, or "null".
sandbox_json() {
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["sandbox"][sys.argv[2]]
print("null" if s is None else "%d %d %s" % (s["landlock_abi"],
    s["landlock_wanted"], str(s["seccomp"]).lower()))' \
	    "$state/status.json" "$1" 2>/dev/null
}
# status_shows TEXT...: acmed -s prints each TEXT as a line and exits
# with $S_EXIT (0: all is well).
status_shows() {
	"$ACMED" -s -f "$conf" >"$T_TMP/s.out" 2>&1
	[ $? -eq "${S_EXIT:-0}" ] || return 1
	for l in "$@"; do
		grep -qxF -- "$l" "$T_TMP/s.out" || return 1
	done
}
if [ "$ABI" -ge 6 ]; then
	line="Landlock ABI $ABI, seccomp filter"
else
	line="Landlock ABI $ABI, 6 wanted: incomplete, seccomp filter"
fi
[ "$ABI" -eq 0 ] && line="no Landlock (ABI 6 wanted), seccomp filter"
check "acmed -s: each child's Landlock ABI and seccomp filter" \
    wait_for 10 status_shows "sandbox:" "  netproc: $line" "  keyproc: $line" \
    "  challenged: $line"
for c in netproc keyproc challenged; do
	check "status.json: $c's sandbox is \"$ABI 6 true\"" \
	    [ "$(sandbox_json $c)" = "$ABI 6 true" ]
done
if [ "$ABI" -ge 6 ]; then
	check_not "all of Landlock: no child warns" seen_but_start "Landlock ABI"
fi
daemon_stop
S_EXIT=2
check "stopped: acmed -s says no child runs, and exits 2" status_shows \
    "  netproc: not running" "  keyproc: not running" \
    "  challenged: not running"
S_EXIT=0
[ "$t_failed" -eq 0 ] || sed 's/^/# /' "$log" | tail -40

echo "# --- as on a kernel without Landlock"
log=$T_TMP/log.nolandlock
daemon_start "$OBJ/regress/nolandlock"
check "netproc runs confined, chrooted, without Landlock" \
    wait_for 15 netproc_up
# warned CHILD N: CHILD's warning is in the log N times.
warned() {
	[ "$(grep -cxF "$1: sandbox $1: Landlock ABI 0, 6 wanted: no Landlock \
at all (an old kernel, or disabled): no filesystem, TCP, signal or \
abstract socket rules" "$log")" -eq "$2" ]
}
for c in netproc keyproc challenged; do
	check "$c warns that it has no Landlock, once" wait_for 10 warned $c 1
done
line="no Landlock (ABI 6 wanted), seccomp filter"
check "acmed -s: no child has Landlock, each has its seccomp filter" \
    wait_for 10 status_shows "  netproc: $line" "  keyproc: $line" \
    "  challenged: $line"
for c in netproc keyproc challenged; do
	check "status.json: $c's sandbox is \"0 6 true\"" \
	    [ "$(sandbox_json $c)" = "0 6 true" ]
done
np=$(child_pid netproc)
kill -HUP "$dpid"
check "SIGHUP: the children start again" \
    wait_for 15 sh -c "[ -n \"\$(ps -o pid= --ppid $dpid)\" ] &&
    ! kill -0 $np 2>/dev/null"
for c in netproc keyproc challenged; do
	check "$c warns again at its new start, once" wait_for 10 warned $c 2
done
daemon_stop
[ "$t_failed" -eq 0 ] || sed 's/^/# /' "$log" | tail -40

t_done
