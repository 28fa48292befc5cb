#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The start and what runs beside the daemon, against Pebble on loopback
# (ports 17100-17106, listeners on 17110-17111), in a private mount
# namespace whose /dev/log is the test's own (regress/helpers/devlog.py),
# so that what the daemon and -r/-k send to syslog can be read:
# starts that fail (missing directories, a CA file without certificates,
# a key keyproc refuses) exit non-zero with the reason on standard error
# and leave nothing running; a start returns once the keys and the
# provisional certificate are written, with the pid file and the lock;
# a second daemon and -o beside it say which pid runs and leave it be;
# -r and -k tell the running daemon and leave an audit line in syslog;
# SIGHUP moves the listeners and logs the domains removed and added; the
# rc script; a CA that does not verify the authority names "api ca".
if [ -z "${T_START_NS:-}" ]; then
	T_START_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
t_users
t_python

# A /dev of our own: the device nodes the programs use, and our syslog.
mount -t tmpfs -o mode=0755 tmpfs /dev || { notok "private /dev"; t_done; exit 1; }
mknod -m 0666 /dev/null c 1 3 && mknod -m 0666 /dev/zero c 1 5 &&
    mknod -m 0666 /dev/random c 1 8 && mknod -m 0666 /dev/urandom c 1 9 &&
    ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/0 /dev/stdin &&
    ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd/2 /dev/stderr
syslog=$T_TMP/syslog
: >"$syslog"
"$PY" "$TOP/regress/helpers/devlog.py" /dev/log "$syslog" 900 &
t_at_exit "kill $! 2>/dev/null"
if wait_for 10 test -S /dev/log; then ok "a syslog socket of our own"; else
	notok "a syslog socket of our own"; t_done; exit 1; fi

t_pebble 17100 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
pidf=$T_TMP/acmed.pid
err=$T_TMP/err
dpid=

# Whatever runs with one of our configurations is stopped at exit.
stop_all() {
	for p in $(pgrep -f -- "-f $T_TMP/"); do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 1
	for p in $(pgrep -f -- "-f $T_TMP/"); do
		kill -KILL "$p" 2>/dev/null
	done
	return 0
}
t_at_exit stop_all

# runs CONF: a process runs acmed with the configuration CONF.
runs() {
	pgrep -f -- "-f $1\$" >/dev/null || pgrep -f -- "-f $1 " >/dev/null
}
# syslog_has PATTERN
syslog_has() {
	grep -qE -- "$1" "$syslog"
}
# children PID: the pids of acmed's children, sorted, on one line.
children() {
	ps -o pid= --ppid "$1" 2>/dev/null | sort -n | tr -d ' ' | tr '\n' ' '
}
is_provisional() {
	subj=$(openssl x509 -in "$1" -noout -subject 2>/dev/null)
	case "$subj" in *"acmed provisional"*) true ;; *) false ;; esac
}
issued() {
	[ -s "$T_TMP/$1.crt" ] && ! is_provisional "$T_TMP/$1.crt" &&
	    t_verify "$1"
}
listening() {
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}
answers() {
	curl -s -o /dev/null --max-time 5 \
	    "http://127.0.0.1:$1/.well-known/acme-challenge/x"
}

### 1. Starts that fail: status != 0, the reason on stderr, nothing left.
# start_fails NAME CONF PATTERN: acmed -f CONF (detached) fails so.
start_fails() {
	timeout 60 "$ACMED" -f "$2" >"$err" 2>&1
	rc=$?
	check "$1: the start exits non-zero" [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
	check "$1: the reason is on stderr" grep -qE -- "$3" "$err" ||
	    sed 's/^/# /' "$err"
	check_not "$1: no daemon is left running" runs "$2"
}

t_conf "$conf"
echo "pid file \"$pidf\"" >>"$conf"
t_domain "$conf" k.example.org
sed -i "s|\"$T_TMP/k.example.org.key\"|\"$T_TMP/nokeys/k.example.org.key\"|" \
    "$conf"
start_fails "missing key directory" "$conf" \
    "domain k\\.example\\.org: domain key $T_TMP/nokeys/k\\.example\\.org\\.key: directory $T_TMP/nokeys does not exist"

t_conf "$conf"
echo "pid file \"$pidf\"" >>"$conf"
t_domain "$conf" c.example.org
sed -i "s|\"$T_TMP/c.example.org.full\"|\"$T_TMP/nocerts/c.example.org.full\"|" \
    "$conf"
start_fails "missing certificate directory" "$conf" \
    "domain c\\.example\\.org: domain full chain certificate $T_TMP/nocerts/c\\.example\\.org\\.full: directory $T_TMP/nocerts does not exist"

echo "not a certificate" >"$T_TMP/empty-ca.pem"
t_conf "$conf"
echo "pid file \"$pidf\"" >>"$conf"
t_domain "$conf" c.example.org
sed -i "s|api ca \"$PEBBLE_CA\"|api ca \"$T_TMP/empty-ca.pem\"|" "$conf"
caline=$(grep -n 'api ca' "$conf" | cut -d: -f1)
"$ACMED" -n -f "$conf" >"$err" 2>&1
rc=$?
check "CA file without certificates: -n exits 1" [ "$rc" -eq 1 ]
check "CA file without certificates: -n names file:line and authority" \
    grep -q "^$conf:$caline: authority pebble: api ca $T_TMP/empty-ca.pem: holds no certificate" "$err"
start_fails "CA file without certificates" "$conf" \
    "$conf:$caline: authority pebble: api ca $T_TMP/empty-ca.pem: holds no certificate"

# A PEM private key that is none passes -n's look, but keyproc refuses it
# when the start makes the domain's provisional certificate with it: the
# start, detached, says so and fails.
printf -- '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' \
    >"$T_TMP/b.example.org.key"
chmod 0600 "$T_TMP/b.example.org.key"
t_conf "$conf"
echo "pid file \"$pidf\"" >>"$conf"
t_domain "$conf" b.example.org
start_fails "a key keyproc refuses" "$conf" \
    "b\\.example\\.org: domain key $T_TMP/b\\.example\\.org\\.key: .*not a PEM private key"
check "a key keyproc refuses: the start says it could not start" \
    grep -q "could not install the provisional certificates" "$err"
check_not "a key keyproc refuses: no pid file" test -e "$pidf"
rm -f "$T_TMP/b.example.org.key"

### 2. A start that works returns once the key and the provisional
### certificate are written, the pid file and the lock hold its pid.
t_conf "$conf"
echo "pid file \"$pidf\"" >>"$conf"
t_domain "$conf" r.example.org
t_domain "$conf" gone.example.org
timeout 60 "$ACMED" -f "$conf" >"$err" 2>&1
rc=$?
check "start: exit 0" [ "$rc" -eq 0 ]
check "start: the domain key was written before it returned" \
    test -s "$T_TMP/r.example.org.key"
check "start: the provisional certificate was written before it returned" \
    test -s "$T_TMP/r.example.org.crt"
dpid=$(cat "$pidf" 2>/dev/null)
check "start: the pid file names the daemon" kill -0 "${dpid:-0}"
check "start: the daemon is detached (its own session)" \
    [ "$(ps -o sid= -p "${dpid:-0}" | tr -d ' ')" = "$dpid" ]
check "start: the lock file holds its pid" \
    [ "$(cat "$T_TMP/state/acmed.lock" 2>/dev/null)" = "$dpid" ]
check "start: its log reaches syslog" \
    wait_for 5 syslog_has "acmed\\[$dpid\\]: .*provisional self-signed certificate installed"
check "start: issued within 60 s" wait_for 60 issued r.example.org
kids=$(children "$dpid")

### 3. One daemon per state directory.
for how in "-d" "-o" ""; do
	# shellcheck disable=SC2086
	timeout 30 "$ACMED" $how -f "$conf" >"$err" 2>&1
	rc=$?
	check "second daemon ($how): exit 1" [ "$rc" -eq 1 ]
	check "second daemon ($how): says which pid runs" grep -q \
	    "acmed is already running (pid $dpid, state directory $T_TMP/state): send it SIGUSR1 to check every certificate now" \
	    "$err" || sed 's/^/# /' "$err"
	check_not "second daemon ($how): no bind error" grep -q "in use" "$err"
done
check "second daemon: the first still runs" kill -0 "$dpid"
check "second daemon: with the same children" [ "$(children "$dpid")" = "$kids" ]
check "second daemon: the pid file still names the first" \
    [ "$(cat "$pidf")" = "$dpid" ]

### 4. -r beside the daemon: it is told, reinstalls at once, and the
### revocation is in syslog.
oldserial=$(openssl x509 -in "$T_TMP/r.example.org.crt" -noout -serial)
"$ACMED" -r -f "$conf" r.example.org >"$err" 2>&1
rc=$?
check "-r: exit 0" [ "$rc" -eq 0 ] || sed 's/^/# /' "$err"
check "-r: says it told the daemon" grep -q \
    "sent SIGUSR1 to the running daemon (pid $dpid)" "$err"
check "-r: the audit line reaches syslog" wait_for 5 syslog_has \
    "acmed\\[[0-9]+\\]: -r: domain r\\.example\\.org \\(authority pebble\\): certificate revoked"
check "-r: the daemon issues a new certificate within 30 s" \
    wait_for 30 issued r.example.org
check "-r: it is not the revoked one" [ "$(openssl x509 -in \
    "$T_TMP/r.example.org.crt" -noout -serial)" != "$oldserial" ]

### 5. -k beside the daemon: it is told to read the new key.
"$ACMED" -k -f "$conf" >"$err" 2>&1
rc=$?
check "-k: exit 0" [ "$rc" -eq 0 ] || sed 's/^/# /' "$err"
check "-k: says it told the daemon" grep -q \
    "sent SIGHUP to the running daemon (pid $dpid)" "$err"
check "-k: the audit line reaches syslog" wait_for 5 syslog_has \
    "acmed\\[[0-9]+\\]: -k: authority pebble: account key changed"
check "-k: the daemon reloads" wait_for 10 syslog_has \
    "acmed\\[$dpid\\]: configuration reloaded"

### 6. SIGHUP: the listeners move; domains removed and added are logged.
sed -i "s|^listen on 127.0.0.1 port $T_HTTP_PORT\$|listen on 127.0.0.1 port 17110|" \
    "$conf"
sed -i 's|^domain gone.example.org {|domain new.example.org {|' "$conf"
sed -i "s|$T_TMP/gone.example.org|$T_TMP/new.example.org|" "$conf"
kill -HUP "$dpid"
check "SIGHUP: answers on the new address" wait_for 10 answers 17110
check "SIGHUP: no longer on the old one" wait_for 10 sh -c \
    "! ss -Hltn 'sport = :$T_HTTP_PORT' | grep -q ."
check "SIGHUP: the removed domain is logged" wait_for 10 syslog_has \
    "domain gone\\.example\\.org: removed by the reload"
check "SIGHUP: the added domain is logged" syslog_has \
    "domain new\\.example\\.org: added by the reload"
# A new address that cannot be bound: the old one is kept, and said so.
"$PY" -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 17111)); s.listen(1); time.sleep(60)' &
blocker=$!
t_at_exit "kill $blocker 2>/dev/null"
wait_for 5 listening 17111
sed -i 's|^listen on 127.0.0.1 port 17110$|listen on 127.0.0.1 port 17111|' \
    "$conf"
kill -HUP "$dpid"
check "SIGHUP, address in use: says it keeps the running addresses" \
    wait_for 10 syslog_has "listen on 127\\.0\\.0\\.1:17111: .*keeping the addresses of the running configuration"
check "SIGHUP, address in use: still answers on the old one" \
    wait_for 10 answers 17110
kill "$blocker" 2>/dev/null

### 7. The rc script, on the running daemon, with a pid file of ours.
rc_() {
	DAEMON=$ACMED CONF=$conf PIDFILE=$pidf ACMED_ARGS=-v sh \
	    "$TOP/etc/acmed.rc" "$@"
}
check "rc status: running, with its pid" sh -c \
    "DAEMON='$ACMED' CONF='$conf' PIDFILE='$pidf' sh '$TOP/etc/acmed.rc' status | grep -q 'running (pid $dpid)'"
rc_ stop >/dev/null 2>&1
rc=$?
check "rc stop: exit 0" [ "$rc" -eq 0 ]
check "rc stop: the daemon is gone when it returns" proc_gone "$dpid"
check "rc stop: the pid file is removed" test ! -e "$pidf"
rc_ status >/dev/null 2>&1
check "rc status after stop: exit 3" [ $? -eq 3 ]
rc_ start >"$err" 2>&1
rc=$?
check "rc start: exit 0" [ "$rc" -eq 0 ] || sed 's/^/# /' "$err"
npid=$(cat "$pidf" 2>/dev/null)
check "rc start: running" kill -0 "${npid:-0}"
check "rc start: ACMED_ARGS reach acmed" sh -c \
    "ps -o args= -p '${npid:-0}' | grep -q -- ' -v'"
rc_ restart >"$err" 2>&1
rc=$?
rpid=$(cat "$pidf" 2>/dev/null)
check "rc restart: exit 0" [ "$rc" -eq 0 ] || sed 's/^/# /' "$err"
check "rc restart: the old daemon is gone" proc_gone "${npid:-0}"
check "rc restart: a new daemon runs" sh -c \
    "[ '${rpid:-0}' != '${npid:-0}' ] && kill -0 '${rpid:-0}'"
rc_ stop >/dev/null 2>&1
check "rc stop again: gone" proc_gone "${rpid:-0}"

### 8. A CA file that does not verify the authority: the error names the
### authority, its URL, the file, and "api ca".
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T_TMP/other.key" -out "$T_TMP/other-ca.pem" -days 2 \
    -subj "/CN=another CA" >/dev/null 2>&1
t_conf "$conf"
echo "pid file \"$pidf\"" >>"$conf"
t_domain "$conf" w.example.org
sed -i "s|api ca \"$PEBBLE_CA\"|api ca \"$T_TMP/other-ca.pem\"|" "$conf"
timeout 60 "$ACMED" -o -f "$conf" >"$err" 2>&1
rc=$?
check "wrong CA: -o fails" [ "$rc" -eq 1 ]
check "wrong CA: the error names authority, URL, CA file and api ca" \
    grep -qF "authority pebble: the certificate of $PEBBLE_URL does not verify against $T_TMP/other-ca.pem: if the authority is the right one, name the CA that issued its certificate with \"api ca\"" \
    "$err" || sed 's/^/# /' "$err"

t_done
