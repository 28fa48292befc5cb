#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The fleet's test bed (regress/fleet.sh) does what the fleet tests rely
# on: three nodes on the bridge, an etcd cluster of three that wants a
# client certificate and survives a member's loss, HAProxy in
# round-robin, Pebble validating through it, a link that can be cut.
. "$(dirname "$0")/fleet.sh"
t_users
t_python

# quiet COMMAND...: COMMAND without its output.
quiet() {
	"$@" >/dev/null 2>&1
}
# at I ARGS...: etcdctl at member I alone.
at() {
	at_i=$1; shift
	fleet_etcdctl --endpoints "$(fleet_etcd_url "$at_i")" "$@"
}

if ! fleet_setup 3 2>"$T_TMP/setup.err"; then
	notok "the bed starts: $(cat "$T_TMP/setup.err")"
	tail -n 5 "$FLEET_DIR"/etcd/*.log "$FLEET_DIR"/pebble/*.log \
	    "$FLEET_DIR"/haproxy/out 2>/dev/null | sed 's/^/# /'
	t_done
	exit 1
fi
ok "the bed starts: 3 nodes, etcd, Pebble, HAProxy"

# The network.
check "three namespaces of this run's own" test \
    "$(ip netns list | grep -c "^${FLEET_NS_PREFIX}node[123]\\b")" -eq 3
for i in 1 2 3; do
	check "node$i reaches 192.0.2.1 from $(fleet_addr "$i")" \
	    quiet fleet_exec "$i" ping -c 1 -W 2 -I "$(fleet_addr "$i")" \
	    192.0.2.1
done
check "node1 reaches node3" quiet fleet_exec 1 ping -c 1 -W 2 \
    "$(fleet_addr 3)"
check "a node's resolver gives every name 192.0.2.1" test "$(fleet_exec 2 \
    getent ahostsv4 some.fleet.test | awk 'NR == 1 { print $1 }')" = 192.0.2.1

# etcd.
check "etcd: 3 members started" test \
    "$(fleet_etcdctl member list 2>/dev/null | grep -c ', started, ')" -eq 3
check "etcd: the 3 endpoints are healthy" test \
    "$(fleet_etcdctl endpoint health 2>&1 | grep -c 'is healthy')" -eq 3
check_not "etcd: a client without a certificate is refused" \
    quiet env ETCDCTL_API=3 etcdctl --endpoints "$(fleet_etcd_url 1)" \
    --cacert "$FLEET_CA" --dial-timeout 2s --command-timeout 3s \
    put /bed/anon x
check "etcd: node2 writes with its own certificate" \
    quiet fleet_node_etcdctl 2 put /bed/node2 up
check "etcd: the test reads what node2 wrote" test \
    "$(fleet_etcdctl get /bed/node2 --print-value-only)" = up

fleet_etcd_stop 3
check_not "etcd: member 3 stopped answers no more" \
    quiet at 3 endpoint health
check "etcd: members 1 and 2 take a write without member 3" \
    quiet fleet_etcdctl put /bed/k two-of-three
check "etcd: and serve it" test \
    "$(at 2 get /bed/k --print-value-only)" = two-of-three
check "etcd: member 3 starts again" fleet_etcd_start 3
k_at_3() {
	[ "$(at 3 get /bed/k --print-value-only 2>/dev/null)" = two-of-three ]
}
check "etcd: member 3 serves the write it missed" wait_for 10 k_at_3

# HAProxy: a small web server on each node says which node it is.
for i in 1 2 3; do
	mkdir -p "$FLEET_DIR/node$i/www"
	echo "node$i" >"$FLEET_DIR/node$i/www/whoami"
	fleet_bg "$i" python3 -m http.server --bind "$(fleet_addr "$i")" \
	    --directory "$FLEET_DIR/node$i/www" 80 >/dev/null 2>&1
	eval "www$i=$FLEET_PID"
done
www_up() {
	for i in 1 2 3; do
		curl -sf --max-time 2 "http://$(fleet_addr "$i")/whoami" \
		    >/dev/null || return 1
	done
}
check "a web server on each node" wait_for 10 www_up
h1=$(fleet_hits http 1) h2=$(fleet_hits http 2) h3=$(fleet_hits http 3)
: >"$T_TMP/who"
for n in 1 2 3 4 5 6; do
	curl -sf --max-time 5 http://192.0.2.1/whoami >>"$T_TMP/who"
done
check "HAProxy: six requests, one to each node in turn" test \
    "$(sed -n '1p;4p' "$T_TMP/who" | sort -u | wc -l)$(sed -n 1,3p \
    "$T_TMP/who" | sort | tr '\n' ' ')" = "1node1 node2 node3 "
hits="$(($(fleet_hits http 1) - h1)) $(($(fleet_hits http 2) - h2))"
hits="$hits $(($(fleet_hits http 3) - h3))"
check "HAProxy: the hits of each node counted, 2 each ($hits)" \
    test "$hits" = "2 2 2"
check "fleet_lb: node3 out of HAProxy's turns" fleet_lb 3 down
: >"$T_TMP/who"
for n in 1 2 3 4; do
	curl -sf --max-time 5 http://192.0.2.1/whoami >>"$T_TMP/who"
done
check "HAProxy: a node taken out gets nothing" test \
    "$(sort "$T_TMP/who" | uniq -c | awk '{ printf "%s%s ", $1, $2 }')" \
    = "2node1 2node2 "
for i in 1 2 3; do
	eval "t_stop \$www$i"
done

# acmed on node1 alone, HAProxy sending only to node1: an http-01 and a
# tls-alpn-01 certificate, validated by Pebble through HAProxy.
check "fleet_lb: node2 too" fleet_lb 2 down
conf=$FLEET_DIR/node1/etc/acmed.conf
fleet_conf 1 "$conf"
fleet_domain 1 "$conf" web.fleet.test
fleet_domain 1 "$conf" alpn.fleet.test tls-alpn-01
check "fleet_conf: acmed -n accepts node1's configuration" \
    "$ACMED" -n -f "$conf"
o0=$(fleet_orders)
h1=$(fleet_hits http 1) t1=$(fleet_hits tls 1)
h2=$(fleet_hits http 2) t2=$(fleet_hits tls 2)
fleet_exec 1 "$ACMED" -o -d -v -f "$conf" >"$T_TMP/acmed.out" 2>&1
check "acmed in node1 issues both certificates" test $? -eq 0
check "web.fleet.test (http-01) verifies against Pebble's root" \
    fleet_verify 1 web.fleet.test
check "alpn.fleet.test (tls-alpn-01) verifies against Pebble's root" \
    fleet_verify 1 alpn.fleet.test
check "fleet_orders counts the two orders" test "$(fleet_orders)" -eq \
    $((o0 + 2))
check "Pebble validated through HAProxy: node1's http and tls hits grew" \
    test "$(fleet_hits http 1)" -gt "$h1" -a "$(fleet_hits tls 1)" -gt "$t1"
check "...and none went to node2" test \
    "$(fleet_hits http 2) $(fleet_hits tls 2)" = "$h2 $t2"
lb_back() {
	fleet_lb 2 up && fleet_lb 3 up
}
check "fleet_lb: node2 and node3 back" lb_back

# A daemon in each node at once, each with node1's certificate (not due:
# no order), each answering through HAProxy in turn: three Ready pages
# with three markers.
o0=$(fleet_orders)
for i in 1 2 3; do
	c=$FLEET_DIR/node$i/etc/daemon.conf
	fleet_conf "$i" "$c"
	fleet_domain "$i" "$c" web.fleet.test
	[ "$i" -eq 1 ] || cp -p "$FLEET_DIR"/node1/certs/web.fleet.test.* \
	    "$FLEET_DIR/node$i/certs/"
	fleet_acmed "$i" "$c"
	eval "daemon$i=$FLEET_PID"
done
ready() {
	for i in 1 2 3; do
		curl -sf --max-time 2 -o /dev/null \
		    "http://$(fleet_addr "$i")/.well-known/acme-challenge/" ||
		    return 1
	done
}
check "a daemon in each node answers at its address" wait_for 20 ready
started_there() {
	for i in 1 2 3; do
		grep -q "listening on $(fleet_addr "$i"):80," \
		    "$FLEET_DIR/node$i/acmed.log" || return 1
	done
}
check "fleet_acmed: each node's log says it started there" started_there
: >"$T_TMP/markers"
for n in 1 2 3; do
	curl -sf --max-time 5 http://192.0.2.1/.well-known/acme-challenge/ |
	    tail -n 1 >>"$T_TMP/markers"
done
check "through HAProxy: the Ready pages of three instances" test \
    "$(grep -cE '^[0-9a-f]{32}$' "$T_TMP/markers") $(sort -u \
    "$T_TMP/markers" | wc -l)" = "3 3"
check "the daemons ordered nothing" test "$(fleet_orders)" -eq "$o0"

# The cluster block and the fleet key.
fleet_cluster 2 >"$T_TMP/cluster"
members="\"$(fleet_etcd_url 1)\" \"$(fleet_etcd_url 2)\""
members="$members \"$(fleet_etcd_url 3)\""
check "fleet_cluster: the three members" \
    grep -qF "etcd $members" "$T_TMP/cluster"
check "...node2's name and files" sh -c "grep -q 'node \"node2\"' \
    '$T_TMP/cluster' &&
    grep -q 'etcd key \"$FLEET_DIR/node2/etc/etcd-client.key\"' \
    '$T_TMP/cluster'"
check "the nodes' etcd keys and fleet keys are 0600" test "$(stat -c %a \
    "$FLEET_DIR"/node[123]/etc/etcd-client.key \
    "$FLEET_DIR"/node[123]/etc/fleet.key | sort -u)" = 600
check "one fleet key of 32 bytes on every node" test \
    "$(base64 -d "$FLEET_DIR/node1/etc/fleet.key" | wc -c) $(cat \
    "$FLEET_DIR"/node[123]/etc/fleet.key | sort -u | wc -l)" = "32 1"
fleet_key "$T_TMP/other.key"
check "fleet_key makes another key" sh -c \
    "! cmp -s '$T_TMP/other.key' '$FLEET_DIR/fleet.key'"

# A cut link.
fleet_link 1 down
check_not "link down: node1 reaches etcd no more" \
    quiet fleet_node_etcdctl 1 endpoint health
check "link down: node2 still does" \
    quiet fleet_node_etcdctl 2 endpoint health
: >"$T_TMP/through"
for n in 1 2 3; do
	curl -sf --max-time 10 -o /dev/null -w '%{http_code}\n' \
	    http://192.0.2.1/.well-known/acme-challenge/ >>"$T_TMP/through"
done
check "link down: HAProxy's requests still answered, by the others" \
    test "$(sort -u "$T_TMP/through")" = 200
fleet_link 1 up
check "link up: node1 reaches etcd again" \
    wait_for 10 quiet fleet_node_etcdctl 1 endpoint health

for i in 1 2 3; do
	eval "t_stop \$daemon$i"
done
check "the daemons stopped on SIGTERM" t_gone "$daemon1" "$daemon2" \
    "$daemon3"

# The end: nothing left.
fleet_teardown
check "teardown: the namespaces are gone" sh -c \
    "! ip netns list | grep -q '^$FLEET_NS_PREFIX'"
check "teardown: etcd, Pebble and HAProxy stopped" sh -c \
    "! curl -s --max-time 2 -o /dev/null http://192.0.2.1/ &&
    ! curl -s --max-time 2 -k -o /dev/null '$PEBBLE_URL'"
check_not "...no etcd member answers" quiet fleet_etcdctl endpoint health

if [ "$t_failed" -gt 0 ]; then
	tail -n 30 "$T_TMP/acmed.out" | sed 's/^/#   acmed: /'
	tail -n 10 "$T_PEBBLE_DIR/pebble.log" | sed 's/^/#   pebble: /'
	tail -n 5 "$FLEET_DIR"/node[123]/acmed.log 2>/dev/null |
	    sed 's/^/#   /'
fi
t_done
