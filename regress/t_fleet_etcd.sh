#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The fleet when etcd fails (acmed(8), FLEET), on fleet.sh's bed:
#   1. one etcd member stopped: nothing changes;
#   2. all three stopped: no order, no file touched; everything goes on
#      when they return;
#   3. a node cut off (its link down) while it holds a lock: its files
#      stay as they were, another node finishes, no second order.
. "$(dirname "$0")/fleet.sh"

# shellcheck disable=SC2034
pid1='' pid2='' pid3=''
if ! fleet_setup 3; then
	notok "the fleet's test bed"
	t_done
	exit 1
fi

start_node() {
	fleet_bg "$1" "$ACMED" -d -v -f "$FLEET_DIR/node$1.conf" \
	    >>"$FLEET_DIR/node$1.log" 2>&1
	eval "pid$1=\$FLEET_PID"
}

sum() {
	sha256sum <"$1" | cut -d' ' -f1
}

# add NAME I...: a domain NAME on nodes I..., which reload
add() {
	a_name=$1; shift
	for a_i in "$@"; do
		fleet_domain "$a_i" "$FLEET_DIR/node$a_i.conf" "$a_name"
		eval "kill -HUP \$pid$a_i"
	done
}

on_all() {
	fleet_verify 1 "$1" && fleet_verify 2 "$1" && fleet_verify 3 "$1"
}

for i in 1 2 3; do
	fleet_conf "$i" "$FLEET_DIR/node$i.conf" "$(fleet_cluster "$i")"
	fleet_domain "$i" "$FLEET_DIR/node$i.conf" first.fleet.test
	start_node "$i"
done
check "a first certificate on all three nodes" \
    wait_for 120 on_all first.fleet.test
orders=$(fleet_orders)
check "ordered once ($orders)" [ "$orders" -eq 1 ]

# 1. One member down.
fleet_etcd_stop 1
add one.fleet.test 1 2 3
check "with one etcd member stopped, a certificate on all three nodes" \
    wait_for 120 on_all one.fleet.test
check "ordered once" [ "$(fleet_orders)" -eq 2 ]

# 2. All three down.
fleet_etcd_stop 2
fleet_etcd_stop 3
for i in 1 2 3; do
	eval "f1_$i=\$(sum \"\$FLEET_DIR/node$i/certs/first.fleet.test.crt\")"
done
add down.fleet.test 1 2 3
check "etcd down: each node says so" \
    wait_for 30 sh -c "grep -q 'fleet: etcd unreachable' \
    '$FLEET_DIR/node1.log' && grep -q 'fleet: etcd unreachable' \
    '$FLEET_DIR/node2.log' && grep -q 'fleet: etcd unreachable' \
    '$FLEET_DIR/node3.log'"
check "and fails the order with why" \
    wait_for 30 grep -q 'down.fleet.test: certificate not issued: fleet: etcd unreachable' \
    "$FLEET_DIR/node1.log"
sleep 5
check "no order while etcd is down" [ "$(fleet_orders)" -eq 2 ]
same=0
for i in 1 2 3; do
	w=""; eval "w=\$f1_$i"
	[ "$(sum "$FLEET_DIR/node$i/certs/first.fleet.test.crt")" = "$w" ] &&
	    same=$((same + 1))
	fleet_verify "$i" first.fleet.test || same=0
done
check "the installed certificates stay in place" [ "$same" -eq 3 ]
check_not "the new domain has only its provisional certificate" \
    fleet_verify 1 down.fleet.test
starts=''
for m in 1 2 3; do
	fleet_etcd_start "$m" &
	starts="$starts $!"
done
# shellcheck disable=SC2086
wait $starts
check "etcd back: the certificate is issued and installed everywhere" \
    wait_for 200 on_all down.fleet.test
check "ordered once" [ "$(fleet_orders)" -eq 3 ]

# 3. A lock holder cut off.  Node 3 is stopped first, so that the node
# ordering waits for it to serve the answer until node 3's lease ends.
ns_pids() {
	ip netns pids "$(fleet_ns "$1")"
}
# shellcheck disable=SC2046
kill -STOP $(ns_pids 3)
add cut.fleet.test 1 2
holder=
t=0
while [ "$t" -lt 150 ] && [ -z "$holder" ]; do
	if [ -n "$(fleet_etcdctl get /acmed/order/cut.fleet.test \
	    --print-value-only 2>/dev/null)" ]; then
		holder=$(fleet_etcdctl get /acmed/lock/cut.fleet.test \
		    --print-value-only 2>/dev/null)
	fi
	[ -n "$holder" ] || sleep 0.1
	t=$((t + 1))
done
case "$holder" in
node1) h=1 other=2 ;;
node2) h=2 other=1 ;;
*) h='' other='' ;;
esac
check "a node holds the lock of an order under way ($holder)" [ -n "$h" ]
if [ -n "$h" ]; then
	fleet_link "$h" down
	fleet_lb "$h" down
	c=$FLEET_DIR/node$h/certs/cut.fleet.test
	kb=$(sum "$c.key") cb=$(sum "$c.crt")
fi
# shellcheck disable=SC2046
kill -CONT $(ns_pids 3)
fleet_domain 3 "$FLEET_DIR/node3.conf" cut.fleet.test
kill -HUP "$pid3"
check "another node finishes the order" \
    wait_for 150 fleet_verify "${other:-1}" cut.fleet.test
check "node 3 installs it" wait_for 90 fleet_verify 3 cut.fleet.test
check "no second order" [ "$(fleet_orders)" -eq 4 ]
if [ -n "$h" ]; then
	check "the node cut off left its files as they were" \
	    [ "$(sum "$c.key")" = "$kb" -a "$(sum "$c.crt")" = "$cb" ]
	check "and stopped before validation or finalization, saying why" \
	    grep -q 'cut.fleet.test: certificate not issued: fleet: cut.fleet.test: not \(validated\|finalized\)' \
	    "$FLEET_DIR/node$h.log"
fi
t_done
