#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The many-certificates benchmark (not a test; make check does not run
# it), in one run against Pebble on 127.0.0.1:
#   thirty	30 certificates of one name each, Pebble sleeping 0 to 2 s
#		before each validation as a real CA takes its time:
#		acmed -o, then Caddy (Debian's caddy, certmagic inside) run
#		until its storage holds the 30 certificates
#   thousand	1,000 certificates of one name each, no validation sleep:
#		acmed -o
#   managed	10,000 and 100,000 valid certificates (-m), made without a
#		CA by obj/regress/mkcerts, none due: the daemon (acmed -d)
#		from its start to the end of its first pass (status.json
#		written, then no CPU used by the four processes over 200
#		ms), the PSS of its four processes then and after 60 s
#		idle, and their CPU over those 60 s
# Each run is measured by obj/bench/measure (regress/bench/measure.c):
# wall time, user+sys CPU of every process (acmed's four, or Caddy),
# and the peak of their summed PSS sampled every 10 ms; Pebble's own CPU
# over the run is read from /proc.  Prints one Markdown table.
#
# usage: regress/bench/many.sh [-o orders] [-n count] [-m counts]
#	[scenario ...]
#   -o	max orders for acmed (default 30 for thirty, 100 for thousand)
#   -n	certificates of the thousand scenario (default 1000)
#   -m	certificates of the managed scenario (default "10000 100000")
#   scenarios: thirty thousand managed (default thirty thousand)
# ACMED=path runs another build of acmed (its child programs are those
# it was built with).  Ports 16100-16106 and 16143 on 127.0.0.1.  Must
# run as root.  KEEP=1 keeps the scratch directory.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
acmed=${ACMED:-$top/obj/acmed}
measure=$top/obj/bench/measure
port=16100
http_port=16106
https_port=16143
orders=""
count=1000
managed="10000 100000"
limit=1800
idle=60

while getopts m:n:o: ch; do
	case $ch in
	m)	managed=$OPTARG ;;
	n)	count=$OPTARG ;;
	o)	orders=$OPTARG ;;
	*)	echo "usage: $0 [-o orders] [-n count] [-m counts]" \
		    "[scenario ...]" >&2
		exit 2 ;;
	esac
done
shift $((OPTIND - 1))
scenarios=${*:-thirty thousand}

. "$top/regress/bench/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root"
bench_need pebble caddy curl
if [ -z "${ACMED:-}" ]; then
	make -C "$top" -s all tests >/dev/null || die "make failed"
fi
bench_measure

work=$(mktemp -d /tmp/acmed-many.XXXXXX) || die "mktemp"
chmod 0755 "$work"
pebble_dir=""
caddy_pid=""
cleanup() {
	[ -z "$caddy_pid" ] || kill "$caddy_pid" 2>/dev/null
	[ -z "$pebble_dir" ] ||
	    "$top/regress/pebble.sh" stop "$pebble_dir" >/dev/null 2>&1
	bench_work_done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# pebble_start NAME [ENV...]: a fresh Pebble (its issuing root changes).
pebble_start() {
	[ -z "$pebble_dir" ] ||
	    "$top/regress/pebble.sh" stop "$pebble_dir" >/dev/null 2>&1
	pebble_dir=$work/pebble-$1
	shift
	PEBBLE_PORT=$port PEBBLE_MGMT_PORT=$((port + 1)) \
	    PEBBLE_DNS_PORT=$((port + 2)) PEBBLE_CHALL_MGMT_PORT=$((port + 3)) \
	    PEBBLE_TLS_PORT=$((port + 4)) PEBBLE_HTTP_PORT=$http_port \
	    PEBBLE_NONCE_REJECT=0 PEBBLE_EXTRA_ENV="$*" \
	    "$top/regress/pebble.sh" start "$pebble_dir" >/dev/null ||
	    die "Pebble does not start"
	. "$pebble_dir/env"
	pebble_pid=$(cat "$pebble_dir/pebble.pid")
}
# Pebble 2.4 can deadlock on its own locks under many orders at once
# (a read lock taken twice while a new order waits to write): its log
# stops, every request hangs.  Stalled: 60 s without a line.
pebble_stalled() {
	l=$(stat -c %Y "$pebble_dir/pebble.log")
	[ $(($(date +%s) - l)) -gt 60 ] || return 1
	note "Pebble stalled: see $pebble_dir/pebble.log"
}
pebble_cpu_ms() {
	bench_cpu_ms "$pebble_pid"
}

# field LINE NAME: a value of measure's result line.
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# row SCENARIO CLIENT N RESULT PEBBLE_MS: one line of the table.
row() {
	awk -v s="$1" -v c="$2" -v n="$3" -v w="$(field "$4" wall_ms)" \
	    -v u="$(field "$4" user_ms)" -v y="$(field "$4" sys_ms)" \
	    -v p="$(field "$4" pss_kb)" -v pb="$5" -v rc="$(field "$4" rc)" \
	    'BEGIN { printf "| %s | %s | %d | %.2f | %.3f | %.2f | %.1f | %.2f |%s\n",
	    s, c, n, w / 1000, (u + y) / 1000, (u + y) / n, p / 1024,
	    pb / 1000, rc == 0 ? "" : " failed (rc " rc ")" }' >>"$work/table"
}

# acmed_run SCENARIO N ORDERS: acmed -o for N one-name certificates.
acmed_run() {
	d=$work/acmed-$1
	mkdir -p "$d"
	{
		echo "listen on 127.0.0.1 port $http_port"
		echo "state directory \"$d/state\""
		echo "authority pebble {"
		echo "	api url \"$PEBBLE_URL\""
		echo "	api ca \"$PEBBLE_CA\""
		echo "	account key \"$d/account.key\""
		echo "	max orders $3"
		echo "}"
		i=1
		while [ "$i" -le "$2" ]; do
			echo "domain n$i.$1.bench.test {"
			echo "	domain key \"$d/n$i.key\""
			echo "	domain full chain certificate \"$d/n$i.pem\""
			echo "}"
			i=$((i + 1))
		done
	} >"$d/acmed.conf"
	# The account exists before the measured run, as a daemon's does.
	"$acmed" -o -f "$d/acmed.conf" n1.$1.bench.test \
	    >"$d/first.log" 2>&1 || die "acmed: see $d/first.log"
	note "acmed: $1, $2 certificates, max orders $3"
	p0=$(pebble_cpu_ms)
	r=$("$measure" -i 10 -t "$limit" -l "$d/log" -- "$acmed" -o -d \
	    -f "$d/acmed.conf")
	p1=$(pebble_cpu_ms)
	got=$(ls "$d"/*.pem | wc -l)
	note "acmed: $r; $got certificates"
	row "$1" "acmed (max orders $3)" $(($2 - 1)) "$r" \
	    "$(echo "$p1 - $p0" | bc)"
}

# tree_pids PID: the process and its children.
tree_pids() {
	echo "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null)
}
# tree_pss_kb PID...: their summed PSS.
tree_pss_kb() {
	for tp in "$@"; do
		sed -n 's/^Pss: *\([0-9]*\) kB/\1/p' \
		    "/proc/$tp/smaps_rollup" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}
# tree_cpu_ms PID...: their summed CPU so far.
tree_cpu_ms() {
	for tp in "$@"; do
		bench_cpu_ms "$tp"
	done | awk '{ s += $1 } END { print s + 0 }'
}
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# managed_run N: the daemon with N valid certificates, none due.
managed_run() {
	d=$work/managed-$1
	mkdir -p "$d/certs"
	note "managed: making $1 keys and certificates"
	"$top/obj/regress/mkcerts" "$d/certs" "$1" m%d.managed.bench.test \
	    >"$d/domains" || die "mkcerts failed"
	{
		echo "listen on 127.0.0.1 port $http_port"
		echo "state directory \"$d/state\""
		echo "authority pebble {"
		echo "	api url \"$PEBBLE_URL\""
		echo "	api ca \"$PEBBLE_CA\""
		echo "	account key \"$d/account.key\""
		echo "}"
		cat "$d/domains"
	} >"$d/acmed.conf"
	# The account key exists before, as a daemon's does.
	"$acmed" -n -f "$d/acmed.conf" >/dev/null || die "acmed -n failed"
	sync
	note "managed: the daemon with $1 certificates"
	t0=$(now_ms)
	"$acmed" -d -f "$d/acmed.conf" >"$d/log" 2>&1 &
	apid=$!
	i=0
	while [ ! -e "$d/state/status.json" ] && [ $i -lt $((limit * 100)) ] &&
	    kill -0 "$apid" 2>/dev/null; do
		sleep 0.01
		i=$((i + 1))
	done
	[ -e "$d/state/status.json" ] || die "no first pass: see $d/log"
	# The status file comes a little before the pass's last steps (the
	# directory, the account, the first answers): the pass ends when the
	# four processes have used no CPU over 200 ms.
	pids=$(tree_pids "$apid")
	t1=$(now_ms)
	c0=$(tree_cpu_ms $pids)
	i=0
	while [ $i -lt 100 ]; do
		sleep 0.2
		c=$(tree_cpu_ms $pids)
		[ "$c" = "$c0" ] && break
		c0=$c
		t1=$(now_ms)
		i=$((i + 1))
	done
	pss0=$(tree_pss_kb $pids)
	sleep "$idle"
	pids1=$(tree_pids "$apid")
	c1=$(tree_cpu_ms $pids)
	pss1=$(tree_pss_kb $pids1)
	[ "$pids" = "$pids1" ] || note "managed: the processes changed: $pids, $pids1"
	kill -TERM "$apid"
	wait "$apid"
	note "managed: $1: first pass $((t1 - t0)) ms, CPU $c0 ms, PSS $pss0 kB, idle CPU $((c1 - c0)) ms, PSS $pss1 kB"
	awk -v n="$1" -v w="$((t1 - t0))" -v c="$c0" -v p0="$pss0" \
	    -v i="$((c1 - c0))" -v p1="$pss1" -v s="$idle" \
	    'BEGIN { printf "| %d | %.2f | %.2f | %.1f | %d | %.1f |\n",
	    n, w / 1000, c / 1000, p0 / 1024, i, p1 / 1024 }' \
	    >>"$work/managed"
}

caddy_certs() {
	find "$1/storage/certificates" -name '*.crt' 2>/dev/null | wc -l
}

# caddy_run SCENARIO N: Caddy until its storage has N certificates.
caddy_run() {
	d=$work/caddy-$1
	mkdir -p "$d/home" "$d/storage"
	{
		echo "{"
		echo "	acme_ca $PEBBLE_URL"
		echo "	acme_ca_root $PEBBLE_CA"
		echo "	http_port $http_port"
		echo "	https_port $https_port"
		echo "	skip_install_trust"
		echo "	storage file_system $d/storage"
		echo "	admin off"
		echo "	auto_https disable_redirects"
		echo "}"
		i=1
		while [ "$i" -le "$2" ]; do
			echo "c$i.$1.bench.test {"
			echo "	tls {"
			echo "		issuer acme {"
			echo "			disable_tlsalpn_challenge"
			echo "		}"
			echo "	}"
			echo "}"
			i=$((i + 1))
		done
	} >"$d/Caddyfile"
	note "caddy: $1, $2 certificates"
	p0=$(pebble_cpu_ms)
	env -i PATH=/usr/bin:/bin HOME="$d/home" XDG_DATA_HOME="$d/home" \
	    XDG_CONFIG_HOME="$d/home" "$measure" -i 10 -t "$limit" \
	    -l "$d/log" -- caddy run --adapter caddyfile \
	    --config "$d/Caddyfile" >"$d/result" &
	caddy_pid=$!
	i=0
	while [ "$(caddy_certs "$d")" -lt "$2" ] && [ $i -lt $((limit * 10)) ] &&
	    kill -0 "$caddy_pid" 2>/dev/null && ! pebble_stalled
	do
		sleep 0.1
		i=$((i + 1))
	done
	# measure's child is Caddy: stopping it ends the measured run.
	pkill -TERM -P "$caddy_pid" caddy 2>/dev/null
	wait "$caddy_pid"
	caddy_pid=""
	p1=$(pebble_cpu_ms)
	r=$(cat "$d/result")
	note "caddy: $r; $(caddy_certs "$d") certificates"
	row "$1" "Caddy $(caddy version | cut -d' ' -f1)" "$2" "$r" \
	    "$(echo "$p1 - $p0" | bc)"
}

: >"$work/table"
: >"$work/managed"
for s in $scenarios; do
	case $s in
	thirty)
		pebble_start thirty PEBBLE_VA_NOSLEEP=0 PEBBLE_VA_SLEEPTIME=3
		acmed_run thirty 31 "${orders:-30}"
		caddy_run thirty 30
		;;
	thousand)
		pebble_start thousand PEBBLE_VA_NOSLEEP=1
		acmed_run thousand $((count + 1)) "${orders:-100}"
		;;
	managed)
		pebble_start managed PEBBLE_VA_NOSLEEP=1
		for m in $managed; do
			managed_run "$m"
		done
		;;
	*)	die "unknown scenario $s" ;;
	esac
done

if [ -s "$work/table" ]; then
	echo "| scenario | client | certificates | wall s | CPU s | CPU ms per certificate | PSS peak MiB | Pebble CPU s |"
	echo "|---|---|---|---|---|---|---|---|"
	cat "$work/table"
	echo
fi
if [ -s "$work/managed" ]; then
	echo "| managed certificates | start to end of first pass s | CPU of the start s | PSS then MiB | CPU idle over $idle s, ms | PSS after MiB |"
	echo "|---|---|---|---|---|---|"
	cat "$work/managed"
	echo
fi
echo "- $(uname -sr), $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' \
    /proc/cpuinfo | head -n 1)"
echo "- pebble $(dpkg-query -W -f '${Version}' pebble 2>/dev/null)," \
    "caddy $(dpkg-query -W -f '${Version}' caddy 2>/dev/null)," \
    "libcurl $(curl-config --version 2>/dev/null | cut -d' ' -f2)," \
    "acmed $(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
