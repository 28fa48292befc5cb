#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The daemon's lifecycle against Pebble on loopback (ports 14300-14306):
# confinement of the children, provisional then issued certificates with
# reload actions and events, SIGUSR1, SIGHUP with a good and a broken
# file, children killed and restarted with a doubling delay, the parent
# killed (idle and during an order), SIGTERM and SIGINT (and a child that
# will not leave), a daemon started with SIGHUP ignored, renew before
# longer than the lifetime, a reload action leaving a process behind,
# running without -d, and one acmed -n smoke check.  Every assertion
# looks at files, /proc, pids, ports or the log; every wait is bounded.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 14300 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
log=$T_TMP/log
events=$T_TMP/events
dpid=

# Every daemon started here is stopped at exit, with whatever children it
# still has.
t_daemon_pids=""
daemon_stop_all() {
	for p in $t_daemon_pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $t_daemon_pids; do
		wait_for 5 proc_gone "$p" || kill -KILL "$p" 2>/dev/null
	done
	for p in $t_child_pids; do
		proc_gone "$p" || kill -KILL "$p" 2>/dev/null
	done
	return 0
}
t_child_pids=""
t_at_exit daemon_stop_all

# daemon_start [FILE]: acmed -d -v in the background, its output in $log.
daemon_start() {
	"$ACMED" -d -v -f "${1:-$conf}" >>"$log" 2>&1 &
	dpid=$!
	t_daemon_pids="$t_daemon_pids $dpid"
}

# child_pid NAME: the pid of the daemon's child NAME (empty if none).
child_pid() {
	ps -o pid=,args= --ppid "$dpid" 2>/dev/null | awk -v n="$1" '
	    { for (i = 2; i < NF; i++) if ($i == "-P" && $(i + 1) == n) {
		print $1; exit } }'
}
# nchildren: how many acmed children the daemon has.
nchildren() {
	ps -o args= --ppid "$dpid" 2>/dev/null | grep -c -- ' -P '
}
# children_up: all three children are there; sets $np $kp $cp.
children_up() {
	np=$(child_pid netproc)
	kp=$(child_pid keyproc)
	cp=$(child_pid challenged)
	[ -n "$np" ] && [ -n "$kp" ] && [ -n "$cp" ] || return 1
	t_child_pids="$t_child_pids $np $kp $cp"
	return 0
}
# new_children OLDPIDS: three children, none of them among OLDPIDS.
new_children() {
	nc_old=$1
	children_up || return 1
	for p in $np $kp $cp; do
		case " $nc_old " in *" $p "*) return 1 ;; esac
	done
	[ "$(nchildren)" -eq 3 ]
}
# all_gone PIDS: none of them runs.
all_gone() {
	for p in $*; do
		proc_gone "$p" || return 1
	done
	return 0
}
# port_free: nothing listens on the challenge port.
port_free() {
	[ -z "$(ss -Hltn "sport = :$T_HTTP_PORT" 2>/dev/null)" ]
}
# log_count PATTERN: lines of the log matching the (extended) pattern.
log_count() {
	grep -cE -- "$1" "$log"
}
# log_more PATTERN N: more than N lines of the log match.
log_more() {
	[ "$(log_count "$1")" -gt "$2" ]
}
# check_not_log PATTERN: no line of the log matches.
check_not_log() {
	! log_has "$1"
}
# log_has PATTERN
log_has() {
	grep -qE -- "$1" "$log"
}
# log_since MARK PATTERN: a line after the last line matching MARK
# matches PATTERN.
log_since() {
	awk -v m="$1" -v p="$2" '
	    $0 ~ m { n = NR }
	    { l[NR] = $0 }
	    END { for (i = n + 1; i <= NR; i++) if (l[i] ~ p) exit 0; exit 1 }
	' "$log"
}
# is_provisional FILE: self-signed, subject "acmed provisional ...".
is_provisional() {
	s=$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null) &&
	i=$(openssl x509 -in "$1" -noout -issuer -nameopt RFC2253 2>/dev/null) &&
	[ "${s#subject=}" = "${i#issuer=}" ] &&
	case "$s" in *"CN=acmed provisional $2"*) true ;; *) false ;; esac
}
# same_key CERT KEY: the certificate carries the key's public half.
same_key() {
	[ "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" = \
	    "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ] &&
	    [ -n "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}
# issued NAME: the installed certificate is Pebble's and verifies.
issued() {
	[ -s "$T_TMP/$1.full" ] && ! is_provisional "$T_TMP/$1.crt" "$1" &&
	    t_verify "$1"
}
# lines_in FILE N: FILE has exactly N lines.
lines_in() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -eq "$2" ]
}
# before FILE A B: a line equal to A comes before a line equal to B.
before() {
	awk -v a="$2" -v b="$3" '$0 == a && !na { na = NR }
	    $0 == b { nb = NR } END { exit !(na && nb && na < nb) }' "$1"
}
# rm_cert NAME: removes the installed files of NAME.
rm_cert() {
	rm -f "$T_TMP/$1.crt" "$T_TMP/$1.chain" "$T_TMP/$1.full" \
	    "$T_TMP/$1.crt.bak" "$T_TMP/$1.chain.bak" "$T_TMP/$1.full.bak"
}

cat >"$T_TMP/hook" <<EOH
#!/bin/sh
echo "\$ACMED_EVENT \$ACMED_DOMAIN" >>"$events"
EOH
chmod 0755 "$T_TMP/hook"

# conf_write NAME...: the configuration with these domains, each with a
# reload action that records the issuer of the certificate it finds.
conf_write() {
	t_conf "$conf"
	echo "event hook \"$T_TMP/hook\"" >>"$conf"
	for n in "$@"; do
		t_domain_reload "$conf" "$n" \
		    "openssl x509 -noout -issuer -in '$T_TMP/$n.crt' >>'$T_TMP/$n.reloads'"
	done
}

start=$(date +%s)

### 1. Start-up and confinement.
conf_write a.example.org keep.example.org
exec 7>"$T_TMP/fd7"
daemon_start
exec 7>&-
if wait_for 15 children_up; then
	ok "daemon: netproc, keyproc and challenged run"
else
	notok "daemon: netproc, keyproc and challenged run"
	sed 's/^/# /' "$log" | tail -20
	t_done
	exit 1
fi
check "parent runs as root" awk '$1 == "Uid:" { exit !($2 == 0 && $3 == 0) }' \
    "/proc/$dpid/status"
# holds_file PID FILE: one of the process's descriptors is FILE.
holds_file() {
	for f in /proc/$1/fd/*; do
		[ "$(readlink "$f")" = "$2" ] && return 0
	done
	return 1
}
check_not "the parent closed a descriptor it inherited" \
    holds_file "$dpid" "$T_TMP/fd7"
check "with -d the parent stays in the foreground (our child)" \
    [ "$(ps -o ppid= -p "$dpid" | tr -d ' ')" = "$$" ]
# The sandbox is entered after the configuration messages: wait for it.
wait_for 10 t_proc_confined "$np" _acmed >/dev/null
check "netproc confined as _acmed" t_proc_confined "$np" _acmed
check "keyproc confined as _acmed-key in /var/empty" \
    t_proc_confined "$kp" _acmed-key /var/empty
check "challenged confined as _acmed-www in /var/empty" \
    t_proc_confined "$cp" _acmed-www /var/empty
check "challenged holds the listening socket" sh -c \
    "ss -Hltnp 'sport = :$T_HTTP_PORT' | grep -q 'pid=$cp,'"

### 2. Provisional, then issued; reload actions and events.
check "a: issued within 60 s" wait_for 60 issued a.example.org
check "keep: issued within 60 s" wait_for 60 issued keep.example.org
check "a: the provisional certificate came first (kept as .bak)" \
    is_provisional "$T_TMP/a.example.org.crt.bak" a.example.org
check "a: the provisional certificate has the domain key" \
    same_key "$T_TMP/a.example.org.crt.bak" "$T_TMP/a.example.org.key"
check "a: the issued certificate has the domain key" \
    same_key "$T_TMP/a.example.org.crt" "$T_TMP/a.example.org.key"
check "a: the reload action ran twice" \
    wait_for 10 lines_in "$T_TMP/a.example.org.reloads" 2
check "a: first reload saw the provisional certificate" sh -c \
    "sed -n 1p '$T_TMP/a.example.org.reloads' | grep -q 'acmed provisional'"
check "a: second reload saw Pebble's certificate" sh -c \
    "sed -n 2p '$T_TMP/a.example.org.reloads' | grep -q 'Pebble'"
check "a: events provisional then issued" \
    before "$events" "provisional a.example.org" "issued a.example.org"
check "keep: events provisional then issued" \
    before "$events" "provisional keep.example.org" "issued keep.example.org"
check "no renewal event so far" sh -c "! grep -q '^renewed' '$events'"

### 3. SIGUSR1: a certificate removed from disk comes back; the one that
### is not due is left alone; the children stay.
sleep 1		# let any action that follows an issuance end
keepsum=$(md5sum <"$T_TMP/keep.example.org.full")
asum=$(md5sum <"$T_TMP/a.example.org.full")
oldpids="$np $kp $cp"
rm_cert a.example.org
kill -USR1 "$dpid"
check "SIGUSR1: a removed certificate is issued again" \
    wait_for 30 issued a.example.org
check "SIGUSR1: it is a new certificate" sh -c \
    "[ \"\$(md5sum <'$T_TMP/a.example.org.full')\" != '$asum' ]"
sleep 1
check "SIGUSR1: a certificate that is not due is not renewed" sh -c \
    "[ \"\$(md5sum <'$T_TMP/keep.example.org.full')\" = '$keepsum' ]"
check "SIGUSR1: no renewal event" sh -c "! grep -q '^renewed' '$events'"
children_up
check "SIGUSR1: the children were not restarted" [ "$np $kp $cp" = "$oldpids" ]

### 4. SIGHUP with a broken file: logged with file:line, old one kept.
cp "$conf" "$T_TMP/good.conf"
badline=$(($(wc -l <"$conf") + 1))
echo "domain broken.example.org { sign with nowhere" >>"$conf"
kill -HUP "$dpid"
check "broken file: the error names file:line" \
    wait_for 10 log_has "$conf:$badline: "
check "broken file: the running configuration is kept" \
    wait_for 10 log_has "has errors: keeping the running configuration"
check "broken file: the daemon still runs" kill -0 "$dpid"
children_up
check "broken file: the children were not restarted" \
    [ "$np $kp $cp" = "$oldpids" ]
rm_cert keep.example.org
kill -USR1 "$dpid"
check "broken file: SIGUSR1 still works with the old configuration" \
    wait_for 30 issued keep.example.org

### 5. SIGHUP with a good file: a.example.org removed, b.example.org added.
sleep 1
rm_cert a.example.org
conf_write keep.example.org b.example.org
kill -HUP "$dpid"
check "reload: logged" wait_for 10 log_has 'configuration reloaded: 2 certificates'
check "reload: same parent" kill -0 "$dpid"
check "reload: the children were restarted" wait_for 10 new_children "$oldpids"
check "reload: the added domain gets a provisional certificate" \
    wait_for 10 test -s "$T_TMP/b.example.org.crt"
check "reload: the added domain is issued" wait_for 60 issued b.example.org
check "reload: provisional first for the added domain" \
    is_provisional "$T_TMP/b.example.org.crt.bak" b.example.org
check "reload: events provisional then issued for the added domain" \
    before "$events" "provisional b.example.org" "issued b.example.org"
check "reload: the removed domain is not issued again" \
    test ! -e "$T_TMP/a.example.org.full"
check_not "reload: the log says nothing of the removed domain" \
    log_since 'configuration reloaded' 'a\.example\.org'
check "reload: the kept domain was not renewed" sh -c \
    "! grep -q '^renewed' '$events'"
check "reload: challenged is told its listening address" \
    log_since 'reloading' "challenged: listening on 127\\.0\\.0\\.1:$T_HTTP_PORT\$"

### 6. Children killed: named in the log, all three restarted.
for victim in netproc keyproc challenged; do
	children_up
	oldpids="$np $kp $cp"
	vpid=$(child_pid "$victim")
	kill -KILL "$vpid"
	check "$victim killed: the log names it and the signal" \
	    wait_for 10 log_has "$victim was killed by signal 9"
	check "$victim killed: three new children within 15 s" \
	    wait_for 15 new_children "$oldpids"
	check "$victim killed: the old children are gone" \
	    wait_for 5 all_gone $oldpids
done
check "the restart delay doubles: 1, 2 then 4 s" [ "$(sed -n \
    's/.*restarting the processes in \([0-9]*\) s$/\1/p' "$log" |
    tr '\n' ' ')" = "1 2 4 " ]
children_up
check "after the restarts: netproc confined again" \
    wait_for 10 t_proc_confined "$np" _acmed
check "after the restarts: challenged confined again" \
    t_proc_confined "$cp" _acmed-www /var/empty
rm_cert b.example.org
kill -USR1 "$dpid"
check "after the restarts: SIGUSR1 issues a removed certificate" \
    wait_for 30 issued b.example.org

# A SIGHUP while a restart is pending starts the children once only.
children_up
oldpids="$np $kp $cp"
nr=$(log_count 'restarting the processes in')
kill -KILL "$np"
check "SIGHUP during a pending restart: the restart is pending" \
    wait_for 10 log_more 'restarting the processes in' "$nr"
kill -HUP "$dpid"
check "SIGHUP during a pending restart: three new children" \
    wait_for 15 new_children "$oldpids"
newpids="$np $kp $cp"
delay=$(sed -n 's/.*restarting the processes in \([0-9]*\) s.*/\1/p' "$log" |
    tail -1)
sleep $((${delay:-1} + 1))
check "SIGHUP during a pending restart: still three children" \
    [ "$(nchildren)" -eq 3 ]
children_up
check "SIGHUP during a pending restart: still the same three" \
    [ "$np $kp $cp" = "$newpids" ]
rm_cert keep.example.org
kill -USR1 "$dpid"
check "SIGHUP during a pending restart: issuance works" \
    wait_for 30 issued keep.example.org

### 7. The parent killed: the children follow it.
children_up
oldpids="$np $kp $cp"
kill -KILL "$dpid"
check "parent killed: every child exits within 3 s" wait_for 3 all_gone $oldpids
check "parent killed: the challenge port is free" wait_for 3 port_free

# The parent killed while netproc is in the middle of an order.
rm_cert keep.example.org
daemon_start
if wait_for 15 children_up; then
	oldpids="$np $kp $cp"
	nreq=$(log_count 'keep\.example\.org: requesting')
	wait_for 15 log_more 'keep\.example\.org: requesting' "$nreq" >/dev/null
	kill -KILL "$dpid"
	check "parent killed during an order: every child exits within 10 s" \
	    wait_for 10 all_gone $oldpids
else
	notok "parent killed during an order: the daemon starts"
fi

### 8. SIGTERM and SIGINT: exit 0, nothing left behind.  The children
### leave when asked; one that does not (stopped) is killed after 3 s.
for how in TERM INT TERM-stopped; do
	sig=${how%-stopped}
	daemon_start
	if ! wait_for 15 children_up; then
		notok "$how: daemon starts again"
		continue
	fi
	oldpids="$np $kp $cp"
	wait_for 10 t_proc_confined "$np" _acmed >/dev/null
	check_not "$how: certificates present are not requested again" \
	    log_since 'starting:' 'requesting a certificate|provisional self'
	[ "$how" = "$sig" ] || kill -STOP "$cp"
	t0=$(date +%s)
	kill -"$sig" "$dpid"
	check "$how: the parent exits within 10 s" wait_for 10 proc_gone "$dpid"
	t1=$(date +%s)
	wait "$dpid"
	rc=$?
	check "$how: exit status 0" [ "$rc" -eq 0 ]
	if [ "$how" = "$sig" ]; then
		check "$how: the children left at once (under 3 s)" \
		    [ $((t1 - t0)) -lt 3 ]
	else
		check "$how: the stopped child was waited for 3 s" \
		    [ $((t1 - t0)) -ge 2 ]
	fi
	check "$how: no child left" all_gone $oldpids
	check "$how: the challenge port is free" port_free
done

### 9. A daemon whose SIGHUP was ignored by whoever started it (nohup)
### still reloads.
(trap '' HUP; exec "$ACMED" -d -v -f "$conf" >>"$log" 2>&1) &
dpid=$!
t_daemon_pids="$t_daemon_pids $dpid"
if wait_for 15 children_up; then
	nrel=$(log_count 'configuration reloaded')
	kill -HUP "$dpid"
	check "started with SIGHUP ignored: SIGHUP still reloads" \
	    wait_for 10 sh -c "[ \$(grep -c 'configuration reloaded' '$log') -gt $nrel ]"
	kill -TERM "$dpid"
	check "started with SIGHUP ignored: SIGTERM stops it" \
	    wait_for 10 proc_gone "$dpid"
else
	notok "started with SIGHUP ignored: the daemon starts"
fi

### 10. A certificate due as soon as it is issued (renew before longer
### than its lifetime) is not requested again in a loop.  Its second
### reload action leaves a process in the background holding its output:
### the parent waits for the action, not for that process, and leaves it.
conf_write loop.example.org
sed -i 's|^\tsign with pebble$|\tsign with pebble\n\trenew before 3000 days|' \
    "$conf"
sed -i '$d' "$conf"
cat >>"$conf" <<EOC
	reload shell "sleep 30 & echo \$! >>'$T_TMP/bg.pids'"
}
EOC
bg_stop() {
	[ -f "$T_TMP/bg.pids" ] || return 0
	for p in $(cat "$T_TMP/bg.pids"); do
		kill "$p" 2>/dev/null
	done
	return 0
}
t_at_exit bg_stop
# bg_alive: every process the actions left in the background runs.
bg_alive() {
	[ -s "$T_TMP/bg.pids" ] || return 1
	for p in $(cat "$T_TMP/bg.pids"); do
		proc_gone "$p" && return 1
	done
	return 0
}
daemon_start
check "renew before > lifetime: issued" wait_for 60 issued loop.example.org
check "renew before > lifetime: a warning says why it waits" \
    wait_for 5 log_has 'loop\.example\.org: renew before is longer'
check "background reload: the parent is done with all four in 5 s" \
    wait_for 5 log_more 'loop\.example\.org: reload shell: done' 3
check "background reload: the actions ran" lines_in "$T_TMP/bg.pids" 2
check "background reload: the processes left behind still run" bg_alive
sleep 3
check "renew before > lifetime: requested once only" \
    [ "$(log_count 'loop\.example\.org: (requesting|renewing)')" -eq 1 ]
check "background reload: nothing was killed" \
    check_not_log 'still running after'
kill -TERM "$dpid"
wait_for 10 proc_gone "$dpid"

### 11. Without -d: detached, and stopped by SIGTERM all the same.
"$ACMED" -f "$conf" >"$T_TMP/bg.out" 2>&1
rc=$?
check "without -d: the command returns 0" [ "$rc" -eq 0 ]
# find_daemon: the detached parent, by its exact command line.
find_daemon() {
	dpid=$(ps -eo pid=,args= | awk -v a="$ACMED -f $conf" '
	    { p = $1; $1 = ""; sub(/^ /, ""); if ($0 == a) { print p; exit } }')
	[ -n "$dpid" ]
}
if wait_for 5 find_daemon; then
	t_daemon_pids="$t_daemon_pids $dpid"
	check "without -d: the daemon leads its own session" \
	    [ "$(ps -o sid= -p "$dpid" | tr -d ' ')" = "$dpid" ]
	check "without -d: its output goes to /dev/null" \
	    [ "$(readlink "/proc/$dpid/fd/2")" = /dev/null ]
	check "without -d: the children run" wait_for 15 children_up
	oldpids="$np $kp $cp"
	kill -TERM "$dpid"
	check "without -d: SIGTERM stops it and its children" \
	    wait_for 10 all_gone "$dpid" $oldpids
else
	notok "without -d: the daemon runs"
fi

### 12. acmed -n: one smoke check (t_config.sh has the rest).
check "-n: a good file is OK" sh -c \
    "'$ACMED' -n -f '$conf' 2>&1 | grep -q 'configuration OK'"
cp "$conf" "$T_TMP/bad.conf"
echo "domain x.example.org { sign with nowhere }" >>"$T_TMP/bad.conf"
"$ACMED" -n -f "$T_TMP/bad.conf" >"$T_TMP/n.out" 2>&1
rc=$?
check "-n: a broken file exits 1" [ "$rc" -eq 1 ]
check "-n: the error is file:line:" grep -q "^$T_TMP/bad.conf:$(wc -l <"$T_TMP/bad.conf"): " \
    "$T_TMP/n.out"

echo "# took $(($(date +%s) - start)) s"
t_done
