#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# regress/bench/fleet.sh [N]: N certificates (300) for a fleet of three
# acmed nodes sharing them through etcd, then the same number for one
# node alone, against the same Pebble, in one run (after make tests; as
# root).  For each: the wall time from the start until every node has
# every certificate installed, the orders Pebble took, and the CPU the
# nodes' processes used (parent and children, from /proc).
FLEET_REGRESS=$(cd "$(dirname "$0")/.." && pwd)
. "$FLEET_REGRESS/fleet.sh"

n=${1:-300}
if ! fleet_setup 3; then
	echo "fleet.sh: the test bed did not start" >&2
	exit 1
fi

now() {
	date +%s.%N
}

# node I's status file says all n certificates are issued (cheap enough
# to ask twice a second; fleet_issued checks every chain at the end)
all_issued() {
	[ "$(grep -c '"state": "issued"' \
	    "$FLEET_DIR/node$1/state/status.json" 2>/dev/null)" = "$n" ]
}

# CPU seconds of every process in node I's namespace (their children's
# included once waited for)
node_cpu() {
	# shellcheck disable=SC2046
	awk -v hz="$(getconf CLK_TCK)" \
	    '{ s += $14 + $15 + $16 + $17 } END { printf "%.2f", s / hz }' \
	    $(ip netns pids "$(fleet_ns "$1")" | sed 's|.*|/proc/&/stat|') \
	    2>/dev/null
}

# run PREFIX NODES CLUSTER: N certificates named PREFIX1.bench.test...
# on nodes 1..NODES, with the cluster block or not; prints a table row
run() {
	r_p=$1 r_nodes=$2 r_cluster=$3
	r_i=1
	while [ "$r_i" -le "$r_nodes" ]; do
		r_c=$FLEET_DIR/bench$r_i.conf
		rm -rf "$FLEET_DIR/node$r_i/state"
		mkdir -p "$FLEET_DIR/node$r_i/state"
		if [ "$r_cluster" = yes ]; then
			fleet_conf "$r_i" "$r_c" "$(fleet_cluster "$r_i")"
		else
			fleet_conf "$r_i" "$r_c"
		fi
		r_j=1
		while [ "$r_j" -le "$n" ]; do
			fleet_domain "$r_i" "$r_c" "$r_p$r_j.bench.test"
			r_j=$((r_j + 1))
		done
		r_i=$((r_i + 1))
	done
	r_o0=$(fleet_orders)
	r_t0=$(now)
	r_i=1
	while [ "$r_i" -le "$r_nodes" ]; do
		fleet_acmed "$r_i" "$FLEET_DIR/bench$r_i.conf"
		r_i=$((r_i + 1))
	done
	r_i=1
	while [ "$r_i" -le "$r_nodes" ]; do
		r_t=0
		while [ "$r_t" -lt 3600 ] && ! all_issued "$r_i"; do
			sleep 0.5
			r_t=$((r_t + 1))
		done
		r_i=$((r_i + 1))
	done
	r_t1=$(now)
	r_i=1 r_ok=yes
	while [ "$r_i" -le "$r_nodes" ]; do
		fleet_issued "$r_i" "$n" "$r_p%d.bench.test" || r_ok=no
		r_i=$((r_i + 1))
	done
	r_cpu=
	r_i=1
	while [ "$r_i" -le "$r_nodes" ]; do
		r_cpu="$r_cpu$(node_cpu "$r_i") "
		r_i=$((r_i + 1))
	done
	printf '| %s | %d | %s | %.1f | %d | %s|\n' \
	    "$([ "$r_cluster" = yes ] && echo "fleet of $r_nodes" ||
	    echo "one node")" "$n" "$r_ok" "$(echo "$r_t1 - $r_t0" | bc)" \
	    "$(($(fleet_orders) - r_o0))" "$r_cpu"
	r_i=1
	while [ "$r_i" -le "$r_nodes" ]; do
		# shellcheck disable=SC2046
		kill $(ip netns pids "$(fleet_ns "$r_i")") 2>/dev/null
		r_i=$((r_i + 1))
	done
	sleep 2
}

echo "| nodes | certificates | all installed everywhere | wall s | orders | CPU s per node |"
echo "|---|---|---|---|---|---|"
run f 3 yes
fleet_lb 2 down
fleet_lb 3 down
run s 1 no
