#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# challenged under attack on loopback: 400 slow clients and a flood of
# connections at once, while a well-behaved client asks for its token
# every 100 ms and must be answered each time (within the prober's 5 s,
# well inside a CA validator's patience), and the kernel must never drop
# a connection attempt for a full accept queue (a dropped SYN costs a
# validator a second); then the connection table must empty again and
# the memory go back to what it was before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"

TOK=abuseToken_0123456789-abcdefghijklmnopqrstuvw
KA=$TOK.thumbprint_0123456789-abcdefghijklmnopqrst

if ! chald_start 127.0.0.1:0; then
	notok "challenged starts"
	cat "$T_TMP/chald.err"
	t_done
	exit 1
fi
P=$(chald_port 1)
check "token published" chald_add "$TOK" "$KA"
# Warm up the code paths once so that "before" is a fair baseline.
i=0
while [ $i -lt 20 ]; do
	curl -s --max-time 2 "http://127.0.0.1:$P/.well-known/acme-challenge/$TOK" \
	    >/dev/null
	i=$((i + 1))
done
before=$(chald_rss)
# Connection attempts the kernel dropped for a full accept queue, in
# this network namespace.
overflows() {
	awk '$1 == "TcpExt:" { if (!n) { for (i = 2; i <= NF; i++)
	    if ($i == "ListenOverflows") c = i; n = 1 } else print $c }' \
	    /proc/net/netstat
}
ovf_before=$(overflows)
fds_before=$(ls "/proc/$CHALD_PID/fd" | wc -l)
echo "# before: VmRSS $before kB, $fds_before descriptors"

"$OBJ/regress/chald_abuse" -s 400 -f 2000 -d 6 127.0.0.1 "$P" \
    "/.well-known/acme-challenge/$TOK" "$KA" >"$T_TMP/abuse.out" \
    2>"$T_TMP/abuse.err" &
apid=$!
peak_fds=0
peak_rss=0
i=0
while [ $i -lt 6 ]; do
	sleep 1
	n=$(ls "/proc/$CHALD_PID/fd" | wc -l)
	r=$(chald_rss)
	[ "$n" -gt "$peak_fds" ] && peak_fds=$n
	[ "$r" -gt "$peak_rss" ] && peak_rss=$r
	i=$((i + 1))
done
wait "$apid"
ovf=$(($(overflows) - ovf_before))
sed 's/^/# /' "$T_TMP/abuse.out"
echo "# during: at most $peak_fds descriptors, VmRSS up to $peak_rss kB"

v() { awk -v k="$1" '$1 == k { print $2 }' "$T_TMP/abuse.out"; }
check "slow clients kept connected ($(v slow))" [ "$(v slow)" -ge 300 ]
check "flood made many connections ($(v flood))" [ "$(v flood)" -ge 3000 ]
check "the table filled up ($peak_fds descriptors)" [ "$peak_fds" -ge 500 ]
check "never more than 512 connections ($peak_fds descriptors)" \
    [ "$peak_fds" -le $((512 + fds_before + 2)) ]
check "prober asked at least 20 times ($(v probes))" [ "$(v probes)" -ge 20 ]
check "every probe answered with the key authorization ($(v good)/$(v probes))" \
    [ "$(v good)" -eq "$(v probes)" ]
echo "# slowest answer $(v max_ms) ms"
# The flood holds at most 4000 connections and the slow clients 400;
# challenged holds 512 of them, so a backlog of 4096 is never full.
if [ "$(cat /proc/sys/net/core/somaxconn)" -ge 4096 ]; then
	check "no connection attempt dropped for a full accept queue ($ovf)" \
	    [ "$ovf" -eq 0 ]
else
	echo "# not checked: net.core.somaxconn is below 4096"
fi

# The attackers are gone: every connection closes (the slow ones by
# their deadline at the latest) and the pages go back.
wait_for 15 sh -c "[ \$(ls /proc/$CHALD_PID/fd | wc -l) -le $fds_before ]"
fds_after=$(ls "/proc/$CHALD_PID/fd" | wc -l)
after=$(chald_rss)
echo "# after: VmRSS $after kB, $fds_after descriptors"
check "connections all closed ($fds_after descriptors)" \
    [ "$fds_after" -le "$fds_before" ]
check "memory back to within 256 kB of before ($before -> $after kB)" \
    [ "$after" -le $((before + 256)) ]
r=$(curl -s --max-time 2 "http://127.0.0.1:$P/.well-known/acme-challenge/$TOK")
check "still answering afterwards" [ "$r" = "$KA" ]

chald_stop
r=$CHALD_EXIT
check "challenged stops cleanly (exit $r)" [ "$r" = 0 ]
t_done
