#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Reload actions: a command shared by several certificates runs once for
# all that were installed together; a signal reaches the process in a pid
# file; a failing command raises the reload-failed event for its domain
# only, and leaves its reload owed.  Then the daemon, the command put
# right, runs the reload owed at once, and with nothing due uses no CPU
# while it waits.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 15500 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
conf=$T_TMP/acmed.conf
hook=$T_TMP/hook.sh
printf '#!/bin/sh\necho "$1 $ACMED_DOMAIN" >>"%s/events"\n' "$T_TMP" >"$hook"
chmod 0755 "$hook"

# A process that counts the HUPs it gets.
sh -c "trap 'echo hup >>\"$T_TMP/hups\"' HUP; echo \$\$ >\"$T_TMP/svc.pid\";
    i=0; while [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done" &
svc=$!
t_at_exit "kill $svc 2>/dev/null"
wait_for 5 test -s "$T_TMP/svc.pid"

t_conf "$conf"
echo "event hook \"$hook\"" >>"$conf"
for n in a b c; do
	t_domain "$conf" $n.reload.example.org
	sed -i "s|^\tsign with pebble\$|\tsign with pebble\n\treload \"/bin/sh -c 'echo run >>$T_TMP/shared'\"|" "$conf"
done
sed -i "0,/^\treload \"\/bin\/sh/s||\treload signal HUP pid file \"$T_TMP/svc.pid\"\n&|" "$conf"
# c also has a command that fails.
printf '%s\n' '/^domain c.reload.example.org/,/^}/s|^}$|\treload "/bin/false"\n}|' >"$T_TMP/sed"
sed -i -f "$T_TMP/sed" "$conf"
check "configuration valid" sh -c "'$ACMED' -n -f '$conf' 2>/dev/null"

check "one pass, a reload action failed: acmed -o exits 1" sh -c \
    "'$ACMED' -o -d -v -f '$conf' >'$T_TMP/out' 2>&1; [ \$? -eq 1 ]"
check "all three certificates installed in that pass" sh -c \
    "test -s '$T_TMP/a.reload.example.org.crt' && test -s '$T_TMP/b.reload.example.org.crt' && test -s '$T_TMP/c.reload.example.org.crt'"
check "the shared command ran once for the three" \
    test "$(wc -l <"$T_TMP/shared")" -eq 1
check "the signal reached the process in the pid file" \
    wait_for 5 grep -qs hup "$T_TMP/hups"
check "the log names the signal and the pid" \
    grep -q "sent signal .* to pid $svc" "$T_TMP/out"
check "the failing command's status is logged" \
    grep -q "c.reload.example.org: reload /bin/false: exited with status 1" "$T_TMP/out"
check "reload-failed for the domain whose command failed" \
    grep -qx "reload-failed c.reload.example.org" "$T_TMP/events"
check "no reload-failed for the others" sh -c \
    "! grep -q 'reload-failed [ab]' '$T_TMP/events'"
check "issued events for the three" \
    test "$(grep -c '^issued ' "$T_TMP/events")" -eq 3

check "the reload owed is kept in the state directory" \
    test -s "$T_TMP/state/reload/c.reload.example.org.time"

# The daemon, the failing command gone: the reload owed runs at once,
# then nothing is due and it sleeps until its next deadline.
sed -i '\|^	reload "/bin/false"$|d' "$conf"
"$ACMED" -d -f "$conf" >"$T_TMP/log" 2>&1 &
apid=$!
t_at_exit "kill $apid 2>/dev/null"
wait_for 10 sh -c "[ \$(pgrep -P $apid | wc -l) -eq 3 ]"
check "the daemon ran the reload owed, and it succeeded" wait_for 10 grep -q \
    "c.reload.example.org: reload succeeded, after 1 failed try since " \
    "$T_TMP/log"
check "no other reload-failed" \
    test "$(grep -c '^reload-failed ' "$T_TMP/events")" -eq 1
sleep 1
ticks() {
	t=0
	for p in $apid $(pgrep -P "$apid"); do
		set -- $(cut -d' ' -f14,15 "/proc/$p/stat")
		t=$((t + $1 + $2))
	done
	echo $t
}
before=$(ticks)
sleep 3
after=$(ticks)
check "idle for 3 s: at most one clock tick of CPU in all four processes ($((after - before)))" \
    test $((after - before)) -le 1
t_done
