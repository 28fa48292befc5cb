#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The fleet (acmed(8), FLEET): three nodes in network namespaces of their
# own, a three-member etcd cluster, HAProxy round-robin in front of the
# nodes' challenge ports, Pebble validating through HAProxy.
#   1. FLEET_CERTS certificates (30): each ordered exactly once, installed
#      on every node with the same key and chain, one account;
#   2. kill -9 of the node holding a lock in the middle of an order:
#      another node resumes that order, no second order;
#   3. a node with another fleet key refuses the fleet's certificate and
#      says why; its files stay as they were.
. "$(dirname "$0")/fleet.sh"

n=${FLEET_CERTS:-30}
pid1='' pid2='' pid3=''
if ! fleet_setup 3; then
	notok "the fleet's test bed"
	t_done
	exit 1
fi

# node I's acmed, started in its namespace; its log $FLEET_DIR/nodeI.log
start_node() {
	fleet_bg "$1" "$ACMED" -d -v -f "$FLEET_DIR/node$1.conf"
	eval "pid$1=\$FLEET_PID"
	sleep 0.1
}

conf_node() {
	fleet_conf "$1" "$FLEET_DIR/node$1.conf" "$(fleet_cluster "$1")"
	cn_i=1
	while [ "$cn_i" -le "$n" ]; do
		fleet_domain "$1" "$FLEET_DIR/node$1.conf" "c$cn_i.fleet.test"
		cn_i=$((cn_i + 1))
	done
	sed -i "/^authority pebble {/a\\
	max orders 10" "$FLEET_DIR/node$1.conf"
}

sum() {
	sha256sum <"$1" | cut -d' ' -f1
}

# the public key of a certificate, and of a private key
cert_pub() {
	openssl x509 -in "$1" -noout -pubkey 2>/dev/null | sum /dev/stdin
}
key_pub() {
	openssl pkey -in "$1" -pubout 2>/dev/null | sum /dev/stdin
}

for i in 1 2 3; do
	conf_node "$i"
	"$ACMED" -n -f "$FLEET_DIR/node$i.conf" >"$FLEET_DIR/n$i.out" 2>&1
	check "node $i: acmed -n accepts the cluster block" [ $? -eq 0 ]
done
for i in 1 2 3; do
	start_node "$i" >>"$FLEET_DIR/node$i.log" 2>&1
done

ok1=0
for i in 1 2 3; do
	wait_for 240 fleet_issued "$i" "$n" c%d.fleet.test &&
	    ok1=$((ok1 + 1))
done
check "$n certificates issued and installed on all 3 nodes" [ "$ok1" -eq 3 ]
orders=$(fleet_orders)
check "each of the $n certificates ordered exactly once ($orders orders)" \
    [ "$orders" -eq "$n" ]

same=0 matching=0 private=0
i=1
while [ "$i" -le "$n" ]; do
	c=c$i.fleet.test
	k1=$(sum "$FLEET_DIR/node1/certs/$c.key")
	if [ "$k1" = "$(sum "$FLEET_DIR/node2/certs/$c.key")" ] &&
	    [ "$k1" = "$(sum "$FLEET_DIR/node3/certs/$c.key")" ] &&
	    cmp -s "$FLEET_DIR/node1/certs/$c.crt" \
	    "$FLEET_DIR/node2/certs/$c.crt" &&
	    cmp -s "$FLEET_DIR/node1/certs/$c.crt" \
	    "$FLEET_DIR/node3/certs/$c.crt" &&
	    cmp -s "$FLEET_DIR/node1/certs/$c.chain" \
	    "$FLEET_DIR/node3/certs/$c.chain"; then
		same=$((same + 1))
	fi
	for j in 1 2 3; do
		[ "$(cert_pub "$FLEET_DIR/node$j/certs/$c.crt")" = \
		    "$(key_pub "$FLEET_DIR/node$j/certs/$c.key")" ] &&
		    matching=$((matching + 1))
		[ "$(stat -c %a "$FLEET_DIR/node$j/certs/$c.key")" = 600 ] &&
		    private=$((private + 1))
	done
	i=$((i + 1))
done
check "every node holds the same key, certificate and chain ($same of $n)" \
    [ "$same" -eq "$n" ]
check "every key matches its certificate on every node" \
    [ "$matching" -eq $((3 * n)) ]
check "every installed key is mode 0600" [ "$private" -eq $((3 * n)) ]

a1=$(sum "$FLEET_DIR/node1/etc/account.key")
a2=$(sum "$FLEET_DIR/node2/etc/account.key")
a3=$(sum "$FLEET_DIR/node3/etc/account.key")
check "one account key for the fleet" [ "$a1" = "$a2" -a "$a1" = "$a3" ]
bak=0
for i in 1 2 3; do
	[ -f "$FLEET_DIR/node$i/etc/account.key.bak" ] && bak=$((bak + 1))
done
check "two nodes adopted the fleet's account, keeping their own as .bak" \
    [ "$bak" -eq 2 ]

fleet_etcdctl get --prefix /acmed/ >"$T_TMP/etcd.dump" 2>&1
check "etcd holds the fleet's certificates" \
    grep -q '^acmed-fleet-certificate 1' "$T_TMP/etcd.dump"
check_not "etcd holds no private key in the clear" \
    grep -q 'PRIVATE KEY' "$T_TMP/etcd.dump"
leaked=0
for k in "$FLEET_DIR"/node1/certs/*.key "$FLEET_DIR/node1/etc/account.key"; do
	line=$(sed -n 2p "$k")
	grep -qF "$line" "$T_TMP/etcd.dump" && leaked=$((leaked + 1))
done
check "no line of any private key appears in etcd" [ "$leaked" -eq 0 ]

ordered=0 installed_from=0
for i in 1 2 3; do
	s=$FLEET_DIR/node$i/state/status.json
	check "node $i: status.json names the node" \
	    grep -q "\"node\": *\"node$i\"" "$s"
	ordered=$((ordered + $(grep -o "\"ordered_by\": *\"node$i\"" \
	    "$FLEET_DIR/node1/state/status.json" | wc -l)))
	installed_from=$((installed_from + $(grep -o '"ordered_by": *"node' \
	    "$s" | wc -l)))
done
check "status says which node ordered each certificate ($ordered)" \
    [ "$ordered" -eq "$n" ]
check "status names an ordering node for every certificate on every node" \
    [ "$installed_from" -eq $((3 * n)) ]
fleet_exec 1 "$ACMED" -s -f "$FLEET_DIR/node1.conf" >"$T_TMP/s.out" 2>&1
check "acmed -s says which node ordered a certificate" \
    grep -q 'fleet: node node1; installed certificate ordered by node node' \
    "$T_TMP/s.out"
hits=0
for i in 1 2 3; do
	h=$(fleet_hits http "$i")
	[ "${h:-0}" -gt 0 ] && hits=$((hits + 1))
done
check "the authority's validations reached all three nodes" [ "$hits" -eq 3 ]

# 2. kill -9 of the lock holder during an order.  Node 3 is stopped
# (SIGSTOP) first: it stays among the nodes alive until its lease ends,
# and the ordering node waits for it to serve the answer meanwhile.
ns_pids() {
	ip netns pids "$(fleet_ns "$1")"
}
# shellcheck disable=SC2046
kill -STOP $(ns_pids 3)
for i in 1 2 3; do
	fleet_domain "$i" "$FLEET_DIR/node$i.conf" late.fleet.test
done
before=$(fleet_orders)
kill -HUP "$pid1" "$pid2"
holder=
wait_for 20 fleet_etcdctl get /acmed/order/late.fleet.test --print-value-only \
    >/dev/null 2>&1
t=0
while [ "$t" -lt 100 ] && [ -z "$holder" ]; do
	holder=$(fleet_etcdctl get /acmed/lock/late.fleet.test \
	    --print-value-only 2>/dev/null)
	[ -n "$(fleet_etcdctl get /acmed/order/late.fleet.test \
	    --print-value-only 2>/dev/null)" ] || holder=
	[ -n "$holder" ] || sleep 0.1
	t=$((t + 1))
done
case "$holder" in
node1) other=2 ;;
node2) other=1 ;;
*) other='' ;;
esac
check "a node holds the lock of an order under way ($holder)" [ -n "$other" ]
h=${holder#node}
# shellcheck disable=SC2046
[ -z "$other" ] || kill -KILL $(ns_pids "$h")
[ -z "$other" ] || fleet_lb "$h" down
# shellcheck disable=SC2046
kill -CONT $(ns_pids 3)
kill -HUP "$pid3"
check "the order is taken over and finished by another node" \
    wait_for 120 fleet_verify "${other:-1}" late.fleet.test
check "node 3 installs it too" wait_for 60 fleet_verify 3 late.fleet.test
check "that node resumed the fleet's order" \
    grep -q "fleet: late.fleet.test: resuming the fleet's order" \
    "$FLEET_DIR/node${other:-1}.log"
check "no second order for it" [ "$(fleet_orders)" -eq $((before + 1)) ]

# 3. A node with a fleet key of its own: it refuses the fleet's
# certificate of a domain new to it, and its provisional one stays.
fleet_domain 3 "$FLEET_DIR/node3.conf" wrongkey.fleet.test
kill -HUP "$pid3"
check "node 3 orders a new certificate" \
    wait_for 60 fleet_verify 3 wrongkey.fleet.test
o=${other:-1}
eval "kill -TERM \$pid$o"
wait_for 20 sh -c "! kill -0 \$pid$o 2>/dev/null"
fleet_key "$FLEET_DIR/node$o/etc/fleet.key"
fleet_domain "$o" "$FLEET_DIR/node$o.conf" wrongkey.fleet.test
start_node "$o" >>"$FLEET_DIR/node$o.log" 2>&1
f=$FLEET_DIR/node$o/certs/wrongkey.fleet.test.crt
wait_for 20 test -f "$f"
before=$(sum "$f")
check "node $o refuses the certificate and says why" \
    wait_for 60 grep -q "wrongkey.fleet.test: fleet: the certificate node node3 ordered is not installed: .*fleet key" \
    "$FLEET_DIR/node$o.log"
check "its certificate stays as it was" [ "$(sum "$f")" = "$before" ]
check_not "and is not the fleet's" fleet_verify "$o" wrongkey.fleet.test
t_done
