#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -s tells the truth, against Pebble on loopback (ports
# 16800-16806; 16809 for a server that is not there, then is).  A reload
# command that fails its first three runs (it counts them in a file):
# -o leaves the reload owed, the daemon tries it again with a growing
# delay, -s shows it failing (exit 1) and then done (exit 0), and the
# reload-failed event came once.  A verify endpoint where nothing listens:
# -s shows the deployment mismatch (exit 1) until a server there serves
# the certificate and SIGUSR1 checks again (exit 0).  -s as nobody.  -s
# after the daemon stopped says so (exit 2).  A certificate revoked by -r
# while the authority is out of reach: -s shows it revoked and failing
# until a new one is issued.  -s without a configuration (exit 3).  -s -j
# says the same in JSON.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 16800 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
log=$T_TMP/log
events=$T_TMP/events
N=st.s09d.test
VPORT=16809
cat >"$T_TMP/reload.sh" <<EOF
#!/bin/sh
n=\$(cat "$T_TMP/reloads" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$T_TMP/reloads"
[ \$n -gt 3 ]
EOF
cat >"$T_TMP/hook.sh" <<EOF
#!/bin/sh
echo "\$1 \$ACMED_DOMAIN" >>"$events"
EOF
chmod 0755 "$T_TMP/reload.sh" "$T_TMP/hook.sh"

# conf_write [URL] [VERIFY PORT]: the configuration, one domain with the
# counting reload, and a verify endpoint if a port is given.
conf_write() {
	t_conf "$conf" "${1:-}"
	echo "event hook \"$T_TMP/hook.sh\"" >>"$conf"
	t_domain "$conf" "$N"
	sed -i '$d' "$conf"
	echo "	reload \"$T_TMP/reload.sh\"" >>"$conf"
	[ -z "${2:-}" ] || echo "	verify 127.0.0.1 port $2" >>"$conf"
	echo "}" >>"$conf"
}

# status_is CODE PATTERN...: acmed -s exits CODE and prints a line
# matching each PATTERN (extended regular expressions).
status_is() {
	sti_code=$1
	shift
	"$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
	sti_rc=$?
	[ "$sti_rc" -eq "$sti_code" ] || return 1
	for sti_p in "$@"; do
		grep -Eq -- "$sti_p" "$T_TMP/s" || return 1
	done
}
# json_is CODE EXPR: acmed -s -j exits CODE, prints one JSON document,
# the same verdict line as acmed -s, and EXPR (Python, the document in d,
# the daemon's pid in pid) is true.
json_is() {
	"$ACMED" -s -j -f "$conf" 2>/dev/null >"$T_TMP/j"
	[ "$?" -eq "$1" ] || return 1
	"$ACMED" -s -f "$conf" 2>/dev/null | head -n 1 >"$T_TMP/line"
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
line = open(sys.argv[2]).read().rstrip("\n")
pid = int(sys.argv[3] or 0)
sys.exit(not (d["summary"] == line and (''"$2"'')))' \
	    "$T_TMP/j" "$T_TMP/line" "${dpid:-0}"
}
# show: what acmed -s printed last, as TAP comments.
show() {
	echo "# acmed -s exited $sti_rc:"
	sed 's/^/#   /' "$T_TMP/s"
}

dpid=
daemon_start() {
	"$ACMED" -d -v -f "$conf" >>"$log" 2>&1 &
	dpid=$!
}
daemon_stop() {
	[ -n "$dpid" ] || return 0
	t_stop "$dpid"
	dpid=
}
t_at_exit daemon_stop

echo "# --- a reload that fails three times"
conf_write
check "configuration valid" sh -c "'$ACMED' -n -f '$conf' 2>/dev/null"
check "-o: the reload failed, exit 1" sh -c \
    "'$ACMED' -o -f '$conf' >'$T_TMP/o' 2>&1; [ \$? -eq 1 ]"
check "-o: the reload is owed, in the state directory" \
    test -s "$T_TMP/state/reload/$N.time"
check "-s after -o: no daemon runs, exit 2" \
    status_is 2 "^acmed: CRITICAL: not running \(state directory $T_TMP/state\)$" \
    "needs attention: reload-failed: the reload fails since "
show

daemon_start
wstate=$T_TMP/state/status.json
check "daemon: the owed reload fails again, -s exits 1 and says so" \
    wait_for 10 status_is 1 \
    "^acmed: WARNING: running as pid $dpid; 1 of 1 certificate needs attention$" \
    "^  last reload: failed at " \
    "^  needs attention: reload-failed: the reload fails since [-0-9T:]+Z, [23] failed tries; next try at [-0-9T:]+Z$"
show
check "daemon: the reload is tried again until it succeeds, -s exits 0" \
    wait_for 40 status_is 0 \
    "^acmed: OK: running as pid $dpid; 1 certificate, none needs attention$" \
    "^  last reload: ok at "
show
check "the reload ran four times" [ "$(cat "$T_TMP/reloads")" -eq 4 ]
check "the log says when it tries again" \
    grep -q "$N: reload failed (try 2 of 12): trying again at " "$log"
check "the log says it succeeded in the end" \
    grep -q "$N: reload succeeded, after 3 failed tries since " "$log"
check "reload-failed came once, not once per try" \
    [ "$(grep -c "^reload-failed $N\$" "$events")" -eq 1 ]
check "the reload is owed no more" test ! -e "$T_TMP/state/reload/$N.time"
check "status.json: the last reload, ok" "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))["certificates"][0]["reload"]
sys.exit(not (r["result"] == "ok" and r["failing_since"] is None))' "$wstate"

echo "# --- a deployment that does not serve the certificate"
conf_write "" "$VPORT"
kill -HUP "$dpid"
check "nothing on port $VPORT: -s shows the mismatch and exits 1" \
    wait_for 40 status_is 1 \
    "^acmed: WARNING: running as pid $dpid; 1 of 1 certificate needs attention$" \
    "^  last deployment check: mismatch at " \
    "^  needs attention: deploy-mismatch: at [-0-9T:]+Z, 127.0.0.1:$VPORT does not serve the installed certificate: "
show
check "-s -j: the same in JSON, exit 1" json_is 1 'd["verdict"] == "WARNING"
and d["running"] and d["pid"] == pid and d["written_by"] == pid
and len(d["certificates"]) == 1
and d["certificates"][0]["domain"] == "'"$N"'"
and d["certificates"][0]["level"] == "warning"
and d["certificates"][0]["deploy_check"]["result"] == "mismatch"
and [a["event"] for a in d["certificates"][0]["attention"]]
    == ["deploy-mismatch"]'
check "the deploy-mismatch event" grep -q "^deploy-mismatch $N\$" "$events"
openssl s_server -quiet -www -naccept 100 -accept "127.0.0.1:$VPORT" \
    -cert "$T_TMP/$N.crt" -cert_chain "$T_TMP/$N.chain" \
    -key "$T_TMP/$N.key" </dev/null >"$T_TMP/s_server.log" 2>&1 &
spid=$!
t_at_exit "kill $spid 2>/dev/null"
wait_for 5 sh -c "ss -ltn | grep -q '127.0.0.1:$VPORT '"
kill -USR1 "$dpid"
check "a server with the certificate, SIGUSR1: -s says it is served, exit 0" \
    wait_for 30 status_is 0 "^acmed: OK: " "^  last deployment check: ok at "
show

echo "# --- a monitoring user"
check "status.json is mode 0644" [ "$(stat -c %a "$wstate")" = 644 ]
check "the state directory may be searched by others" \
    [ "$(stat -c %a "$T_TMP/state")" = 711 ]
check "status.json holds no key" sh -c "! grep -q 'PRIVATE' '$wstate'"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
sti_rc=$?
check "acmed -s as nobody: exit 0" [ "$sti_rc" -eq 0 ]
check "as nobody: the running daemon and the certificate" sh -c \
    "grep -q '^acmed: OK: running as pid $dpid; ' '$T_TMP/s' &&
    grep -q '^$N (authority pebble)' '$T_TMP/s'"
show

echo "# --- the daemon stopped"
daemon_stop
check "-s: not running, exit 2" status_is 2 \
    "^acmed: CRITICAL: not running \(state directory $T_TMP/state\)$" \
    "^status written by pid [0-9]+ at "
show
check "-s -j: not running, exit 2" json_is 2 'd["verdict"] == "CRITICAL"
and not d["running"] and d["pid"] is None and d["written_by"] > 0
and d["certificates"][0]["level"] == "ok"'

echo "# --- revoked while the authority is out of reach"
check "-r revokes the certificate" sh -c \
    "'$ACMED' -r -f '$conf' '$N' >'$T_TMP/r' 2>&1"
check "-r: the revocation is kept for the daemon" \
    test -s "$T_TMP/state/revoked/$N.time"
conf_write "https://127.0.0.1:$VPORT/dir"
kill "$spid" 2>/dev/null
daemon_start
check "-s: revoked and failing, exit 1" wait_for 20 status_is 1 \
    "^  certificate: provisional" \
    "^  needs attention: revoked: revoked at [-0-9T:]+Z \(acmed -r\); a new certificate is not installed yet$" \
    "^  needs attention: renewal-failed: 1 failed attempt in a row, the next at "
show
conf_write
kill -HUP "$dpid"
check "the authority back: a new certificate, -s exits 0" \
    wait_for 30 status_is 0 "^acmed: OK: " "^  certificate: issued"
show
check "the revocation is forgotten" test ! -e "$T_TMP/state/revoked/$N.time"
daemon_stop

echo "# --- no status to read"
check "-s with no configuration: exit 3" sh -c \
    "'$ACMED' -s -f '$T_TMP/none.conf' >'$T_TMP/s' 2>&1; [ \$? -eq 3 ]"
check "-s says why" grep -q "^acmed: UNKNOWN: $T_TMP/none.conf: " "$T_TMP/s"
conf=$T_TMP/none.conf
check "-s -j with no configuration: exit 3, in JSON" json_is 3 \
    'd["verdict"] == "UNKNOWN" and d["certificates"] == []'
check "-j without -s: usage, exit 1" sh -c \
    "'$ACMED' -j -f '$T_TMP/acmed.conf' >/dev/null 2>&1; [ \$? -eq 1 ]"
t_done
