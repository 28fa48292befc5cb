#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -t, the dry run, against Pebble on loopback (port 80: the test
# runs in a network namespace it makes): the whole path runs, Pebble
# validates and issues, and nothing is installed, no state changed, no
# reload action or event hook run; a name the authority refuses fails it
# with the reason; a test authority is signed with instead.  And the
# preflight: this instance, another server on the port, nothing
# listening, a name that does not resolve; the daemon's warning and event
# before a first order; the Ready page's marker, new at each start.
if [ -z "${T_DRYRUN_NS:-}" ]; then
	T_DRYRUN_NS=1 exec unshare -n sh -c \
	    'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
t_users
t_python
T_HTTP_PORT=80
PEBBLE_BLOCKLIST=blocked.example.org
export PEBBLE_BLOCKLIST
t_pebble 17900 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
out=$T_TMP/out
err=$T_TMP/err
events=$T_TMP/events
cat >"$T_TMP/hook" <<EOH
#!/bin/sh
echo "\$ACMED_EVENT \$ACMED_DOMAIN \$ACMED_ERROR" >>"$events"
EOH
chmod 0755 "$T_TMP/hook"

# conf_write NAME...: these domains, an event hook, and for each a reload
# action that leaves a file behind.
conf_write() {
	t_conf "$conf"
	echo "event hook \"$T_TMP/hook\"" >>"$conf"
	for n in "$@"; do
		t_domain_reload "$conf" "$n" "touch '$T_TMP/$n.reloaded'"
	done
}
dry() {
	"$ACMED" -t -d -v -f "$conf" "$@" >"$out" 2>"$err"
}
# snapshot: every file of the state directory and of the domains, with
# its mode, size and digest, and the event and reload traces.
snapshot() {
	(
		cd "$T_TMP" || exit 1
		find state -printf '%p %m %s\n' 2>/dev/null | sort
		find state -type f -exec sha256sum {} + 2>/dev/null | sort
		for f in *.key *.crt *.chain *.full *.reloaded events; do
			[ -e "$f" ] && { ls -l --time-style=+%s.%N "$f"; \
			    sha256sum "$f"; }
		done
	)
}
has() {
	grep -q -- "$1" "$out"
}

### 0. -t is a mode of its own.
check_not "-t with -o: the usage" "$ACMED" -t -o -f "$conf"
"$ACMED" -t -o -f "$conf" 2>"$err"
check "...which names -t" grep -q '^       acmed -t \[-dv\] \[-f file\] \[domain ...\]$' \
    "$err"

### 1. A dry run before any certificate: nothing is made.
conf_write 127.0.0.1
check "first dry run: exits 0" dry
check "...says it would install, none being installed yet" \
    has '^127.0.0.1 (authority pebble): would install: no certificate'
check "...the preflight finds this instance" \
    has '^preflight 127.0.0.1: an IP address; this instance answers at 127.0.0.1 port 80$'
check "...no state directory is left behind" test ! -e "$T_TMP/state"
check "...nor its own directory" sh -c \
    "! ls -d '$T_TMP'/state.dryrun.* 2>/dev/null"
check "...nor a key or certificate" sh -c \
    "! ls '$T_TMP'/127.0.0.1.* 2>/dev/null"
check "...no event hook, no reload action" sh -c \
    "[ ! -e '$events' ] && [ ! -e '$T_TMP/127.0.0.1.reloaded' ]"

### 2. After a real run: the dry run changes not a byte.
check "acmed -o issues 127.0.0.1" "$ACMED" -o -d -f "$conf"
snapshot >"$T_TMP/before"
check "dry run of an installed certificate: exits 0" dry
check "...says it is not due, and would work" \
    has '^127.0.0.1 (authority pebble): not due until .*: the renewal would work$'
check "...and that nothing was installed" \
    has '^dry run: 1 of 1 would work; nothing was installed$'
snapshot >"$T_TMP/after"
check "...the state directory and installed files are as they were" \
    cmp "$T_TMP/before" "$T_TMP/after"
# Pebble answers an order only to its account (POST-as-GET): its log
# says which certificate it issued for the dry run's order, its
# management interface what became of that certificate.
order=$(sed -n 's|^netproc: 127.0.0.1: order https:.*/my-order/\([^ ]*\).*|\1|p' \
    "$err" | tail -1)
serial=$(sed -n "s/.*Issued certificate serial \([0-9a-f]*\) for order $order\$/\1/p" \
    "$T_PEBBLE_DIR/pebble.log")
check "...Pebble issued the dry run's order (it was valid)" \
    test -n "$order" -a -n "$serial"
check "...a certificate Pebble holds as valid" \
    test "$(t_cert_status "$serial" Status)" = Valid
check "...another than the one installed" \
    test -n "$serial" -a "$serial" != "$(t_serial "$T_TMP/127.0.0.1.crt")"

### 3. A name the authority refuses: non-zero, with the reason.
conf_write 127.0.0.1 blocked.example.org
check_not "a refused name: the dry run exits non-zero" dry
check "...saying why, for that domain" grep -q \
    '^blocked.example.org (authority pebble): failed: .*block' "$out"
check "...and that the other would work" \
    has '^127.0.0.1 (authority pebble): not due until'
check "...the preflight says the name does not resolve" \
    has '^preflight blocked.example.org: does not resolve: '
snapshot >"$T_TMP/after"
check "...and still changes nothing" cmp "$T_TMP/before" "$T_TMP/after"

### 4. Preflight: another server on port 80, nothing listening, an
### address not of this host (no route to it in this namespace: as an
### unreachable public address behind NAT, not checked rather than failed).
"$PY" -m http.server --bind 127.0.0.2 80 >"$T_TMP/pyhttp.log" 2>&1 &
pypid=$!
t_at_exit "kill $pypid 2>/dev/null"
check "python3 http.server listens on 127.0.0.2:80" \
    wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.2:80 '"
conf_write 127.0.0.2 127.0.0.3 192.0.2.1
# and 20 names in one domain: more than netproc checks at once (16).
t_domain "$conf" 127.0.0.10 "" $(seq -f '127.0.0.%g' 11 29)
dry
check "another server: its status and Server header" \
    has '^preflight 127.0.0.2: an IP address; another server answers at 127.0.0.2 port 80: HTTP status 404, Server: SimpleHTTP/'
check "nothing listening: connection refused" \
    has '^preflight 127.0.0.3: an IP address; connection refused at 127.0.0.3 port 80$'
check "an address not of this host: could not be checked from here" \
    has '^preflight 192.0.2.1: an IP address; could not be checked from here: network is unreachable at 192.0.2.1 port 80, which is not an address of this host'
check "20 names: each has its answer" test "$(grep -cE \
    '^preflight 127\.0\.0\.[12][0-9]: an IP address; connection refused at ' \
    "$out")" -eq 20
check "...and the dry run fails for both" sh -c \
    "grep -q '^127.0.0.2 (authority pebble): failed: ' '$out' &&
    grep -q '^127.0.0.3 (authority pebble): failed: ' '$out'"

### 5. The daemon's preflight before a first order: a warning, an event.
rm -f "$events"
conf_write 127.0.0.3
"$ACMED" -o -d -f "$conf" >"$out" 2>&1
check "-o: the preflight's warning in the log" \
    has '127.0.0.3: preflight 127.0.0.3: an IP address; connection refused'
check "-o: the preflight event, with what it found" grep -q \
    '^preflight 127.0.0.3 127.0.0.3: an IP address; connection refused' \
    "$events"
rm -f "$events"
conf_write 127.0.0.1
"$ACMED" -o -d -v -f "$conf" >"$out" 2>&1
check "-o: no preflight for an issued certificate" sh -c \
    "! grep -q 'preflight' '$out'"

### 6. The marker: new at each start; -t refuses beside a daemon.
# page: the Ready page challenged serves on 127.0.0.1:80.
page() {
	curl -s -m 5 http://127.0.0.1/.well-known/acme-challenge/
}
daemon() {
	"$ACMED" -d -f "$conf" >"$T_TMP/daemon$1.log" 2>&1 &
	dpid=$!
	t_at_exit "kill $dpid 2>/dev/null"
	wait_for 20 sh -c "curl -s -m 1 http://127.0.0.1/ | grep -q Ready"
}
daemon 1
page >"$T_TMP/page1"
check "the page: Let's Encrypt Ready, then a 128-bit marker" \
    "$PY" -c 'import re, sys
sys.exit(not re.fullmatch(r"Let'"'"'s Encrypt Ready\n[0-9a-f]{32}\n",
    open(sys.argv[1]).read()))' "$T_TMP/page1"
check_not "a dry run beside the daemon: refused" dry
check "...saying what to do" grep -q \
    "a daemon (pid $dpid) runs for $T_TMP/state and answers the challenges: stop it for the dry run" \
    "$err"
t_stop "$dpid"
daemon 2
page >"$T_TMP/page2"
t_stop "$dpid"
check "the next start's marker is another" sh -c \
    "[ -s '$T_TMP/page2' ] && ! cmp -s '$T_TMP/page1' '$T_TMP/page2'"

### 7. A test authority: the dry run signs with it instead.
t_conf "$conf"
cat >>"$conf" <<EOC
authority production {
	api url "https://127.0.0.1:1/dir"
	test authority pebble
}
EOC
t_domain "$conf" 127.0.0.1
sed -i 's/^\tsign with pebble$/\tsign with production/' "$conf"
check "test authority: acmed -n accepts it" "$ACMED" -n -f "$conf"
"$ACMED" -n -v -f "$conf" >"$out" 2>&1
check "...and -n -v shows it" has '^	test authority "pebble"$'
check "test authority: the dry run exits 0" dry
check "...having signed with the test authority" \
    has '^127.0.0.1 (authority pebble): not due until'
sed '/^\tsign with production$/d' "$conf" >"$T_TMP/default.conf"
"$ACMED" -n -v -f "$T_TMP/default.conf" >"$out" 2>&1
check "a test authority is not a default: the other one is" \
    has '^	sign with "\{0,1\}production"\{0,1\}$'
sed -i 's/test authority pebble/test authority nosuch/' "$conf"
"$ACMED" -n -f "$conf" >"$out" 2>&1
check "an unknown test authority: refused at file:line" \
    has 'acmed.conf:[0-9]*: authority production: test authority nosuch: no such authority'

t_done
