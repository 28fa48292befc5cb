#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed as its systemd unit (etc/acmed.service) runs it: with the unit's
# capability bounding set, no-new-privileges, umask and system call
# filter (regress/helpers/unitexec.py applies them where systemd is not
# the init), one pass issues a certificate from Pebble, answering on
# port 80, with a key for a group, a reload command, a signal to another
# user's process and the event hook; each child enters its whole
# sandbox; the daemon reads its configuration again on SIGHUP and stops
# on SIGTERM.  In a private network namespace (port 80, Pebble on
# 17700-17705).  The unit's exposure, as systemd-analyze scores it, is
# printed.
if [ -z "${T_UNIT_NS:-}" ]; then
	T_UNIT_NS=1 exec unshare -n sh -c \
	    'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
t_python
if ! "$PY" -c 'import seccomp' 2>/dev/null ||
    ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP python3-seccomp or systemd-analyze missing (make deps)"
	exit 0
fi
t_users
UNIT=$T_TMP/acmed.service
sed "s|/usr/local/sbin/acmed|$ACMED|g" "$TOP/etc/acmed.service" >"$UNIT"
if systemd-analyze security --offline=true "$UNIT" >"$T_TMP/sa" 2>&1; then
	grep 'Overall exposure' "$T_TMP/sa" | sed 's/^→ */# /'
fi

T_HTTP_PORT=80
t_pebble 17700 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts, validating on port 80"

# Another user's process, for "reload signal" (CAP_KILL); SIGHUP ends it.
setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 120 &
other=$!
t_at_exit "kill $other 2>/dev/null"
echo "$other" >"$T_TMP/other.pid"
printf '#!/bin/sh\necho "$ACMED_EVENT $ACMED_DOMAIN" >>%s\n' \
    "$T_TMP/events" >"$T_TMP/hook"
chmod 0755 "$T_TMP/hook"

conf=$T_TMP/acmed.conf
t_conf "$conf"
echo "event hook \"$T_TMP/hook\"" >>"$conf"
sed -i "s|^listen on 127.0.0.1 port .*|listen on 127.0.0.1 port 80|" "$conf"
t_domain "$conf" unit.example.org
sed -i \
    -e "s|^	domain key \"\\([^\"]*\\)\" *\$|	domain key \"\\1\" group nogroup|" \
    -e "s|^	sign with pebble\$|&\\
	reload \"/bin/sh -c 'echo run >>$T_TMP/reloaded'\"\\
	reload signal HUP pid file \"$T_TMP/other.pid\"|" "$conf"
check "configuration valid" sh -c "'$ACMED' -n -f '$conf' 2>'$T_TMP/n.err'"
sed 's/^/# /' "$T_TMP/n.err"

"$PY" "$TOP/regress/helpers/unitexec.py" \
    "$UNIT" "$ACMED" -o -d -v -f "$conf" >"$T_TMP/o.out" 2>&1
o_rc=$?
grep '^unitexec:' "$T_TMP/o.out" | sed 's/^/# /'
check "acmed -o under the unit: exit 0" [ "$o_rc" -eq 0 ]
check "the certificate issued and verified" t_verify unit.example.org
check "the domain key: mode 0640, group nogroup (CAP_CHOWN)" sh -c \
    "[ \"\$(stat -c '%a %G' '$T_TMP/unit.example.org.key')\" = '640 nogroup' ]"
check "the reload command ran" grep -q run "$T_TMP/reloaded"
check "the other user's process got SIGHUP (CAP_KILL)" proc_gone "$other"
check "the event hook ran" grep -q "^issued unit.example.org" \
    "$T_TMP/events"
for p in netproc keyproc challenged; do
	check "$p entered its sandbox: Landlock and seccomp" sh -c \
	    "grep -q 'sandbox of.*$p' '$T_TMP/o.out' &&
	    ! grep -q 'sandbox $p: \\(Landlock ABI\\|no seccomp\\)' '$T_TMP/o.out'"
done
check "nothing was refused for want of a privilege" sh -c \
    "! grep -q 'Operation not permitted' '$T_TMP/o.out'"
if [ "$o_rc" -ne 0 ] || grep -q 'sandbox [a-z]*: \(Landlock ABI\|no seccomp\)' "$T_TMP/o.out"; then
	grep -v '^unitexec:' "$T_TMP/o.out" | tail -n 30 | sed 's/^/# /'
fi

# The daemon under the unit: SIGHUP reads the configuration again,
# SIGTERM stops it and its children.
"$PY" "$TOP/regress/helpers/unitexec.py" \
    "$UNIT" "$ACMED" -d -v -f "$conf" >"$T_TMP/d.out" 2>&1 &
daemon=$!
t_at_exit "kill $daemon 2>/dev/null"
check "the daemon starts under the unit (bounded)" \
    wait_for 20 grep -q "starting: acmed" "$T_TMP/d.out"
kill -HUP "$daemon"
check "SIGHUP: the configuration read again (bounded)" \
    wait_for 20 grep -q "configuration reloaded" "$T_TMP/d.out"
kill -TERM "$daemon"
check "SIGTERM: the daemon ends (bounded)" wait_for 20 proc_gone "$daemon"
wait "$daemon"
d_rc=$?
check "the daemon exits 0" [ "$d_rc" -eq 0 ]
check "the daemon: nothing refused for want of a privilege" sh -c \
    "! grep -q 'Operation not permitted' '$T_TMP/d.out'"
[ "$d_rc" -eq 0 ] || tail -n 20 "$T_TMP/d.out" | sed 's/^/# /'
t_done
