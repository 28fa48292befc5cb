# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A fleet of acmed nodes for the tests, all inside the test's own network
# namespace: source it in place of lib.sh, then call fleet_setup N.
#
#   192.0.2.1/24   a bridge in the test's namespace: the 3 members of an
#                  etcd cluster (TLS and client certificates everywhere),
#                  Pebble (API on port 14000, management on 15000) and its
#                  DNS on port 53 (every name is 192.0.2.1), HAProxy on
#                  ports 80 (http) and 443 (tcp) round-robin to the nodes
#   192.0.2.(10+I) node I, a network namespace of its own (fleet_ns I)
#                  with a veth on the bridge, whose resolver is Pebble's
#                  DNS; its files in $FLEET_DIR/nodeI/{etc,state,certs}
#
# Pebble validates http-01 on 192.0.2.1:80 and tls-alpn-01 on
# 192.0.2.1:443, so through HAProxy, on whichever node it picks: it makes
# three connections for each validation, and all three must be answered,
# so with three nodes in turn each node gets one.  Everything is stopped
# and the namespaces removed at exit.  One bed per test.
#
# After fleet_setup: FLEET_N, FLEET_DIR, FLEET_CA (the CA of etcd's and
# Pebble's API certificates), FLEET_ETCD (the client URLs, comma
# separated), PEBBLE_URL, PEBBLE_CA, PEBBLE_MGMT, T_PEBBLE_DIR.

# As root in a network namespace of the test's own (regress/run.sh makes
# one; so does this when the test is run by hand), or not at all: the
# bridge, the addresses and the ports are the test's alone.
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP the fleet tests run as root"
	exit 0
fi
if [ -z "${REGRESS_NETNS:-}" ]; then
	REGRESS_NETNS=1 exec unshare -n sh -c \
	    'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
# regress/lib.sh, beside this file; a script elsewhere (regress/bench)
# names the directory in FLEET_REGRESS.
. "${FLEET_REGRESS:-$(dirname "$0")}/lib.sh"

FLEET_NET=192.0.2
FLEET_HOST=$FLEET_NET.1
FLEET_BR=flbr0
# etcd member I: clients on port 2379+2(I-1), peers on the port after.
FLEET_ETCD_PORT=2379
FLEET_PEBBLE_PORT=14000
FLEET_PEBBLE_MGMT_PORT=15000
FLEET_CHALL_MGMT_PORT=8055
FLEET_HAPROXY_STATS=8404
# Network namespaces have names of the whole machine: this run's own.
FLEET_NS_PREFIX=acmedfl$$-
FLEET_N=0
FLEET_DIR=$T_TMP/fleet
FLEET_CA=$FLEET_DIR/ca/ca.pem
FLEET_ETCD=
FLEET_PID=
export FLEET_DIR FLEET_CA

# fleet_ns I: the name of node I's network namespace.
fleet_ns() {
	echo "$FLEET_NS_PREFIX"node"$1"
}

# fleet_addr I: node I's address.
fleet_addr() {
	echo "$FLEET_NET.$((10 + $1))"
}

# fleet_exec I COMMAND...: runs COMMAND in node I's namespace.
fleet_exec() {
	fe_i=$1; shift
	ip netns exec "$(fleet_ns "$fe_i")" "$@"
}

# fleet_bg I COMMAND...: runs COMMAND in node I's namespace in the
# background; FLEET_PID is its process id (the command's own: ip execs
# it).  fleet_teardown kills whatever runs in the namespace.
fleet_bg() {
	fb_i=$1; shift
	ip netns exec "$(fleet_ns "$fb_i")" "$@" &
	FLEET_PID=$!
}

# fleet_acmed I FILE: acmed -d -v -f FILE in node I in the background,
# its output appended to $FLEET_DIR/nodeI/acmed.log; FLEET_PID as for
# fleet_bg.
fleet_acmed() {
	fleet_bg "$1" "$ACMED" -d -v -f "$2" >>"$FLEET_DIR/node$1/acmed.log" 2>&1
}

# fleet_link I down|up: cuts node I's link to the bridge, or restores it.
# The node keeps its address, but reaches nothing and nothing reaches it:
# connections time out or find no host, none is refused.
fleet_link() {
	ip link set "flv$1" "$2"
}

# fleet_cert DIR NAME SUBJECT EKU [SAN]: a key DIR/NAME.key (0600) and a
# certificate DIR/NAME.pem from the fleet's CA.
fleet_cert() {
	fc_ext=$1/$2.ext
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature,keyEncipherment" \
	    "extendedKeyUsage=$4" >"$fc_ext"
	[ -z "${5:-}" ] || echo "subjectAltName=$5" >>"$fc_ext"
	(umask 077; openssl req -new -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/$2.key" \
	    -out "$1/$2.csr" -subj "$3") >>"$FLEET_DIR/ca/openssl.log" 2>&1 &&
	    openssl x509 -req -in "$1/$2.csr" -CA "$FLEET_CA" \
	    -CAkey "$FLEET_DIR/ca/ca.key" \
	    -set_serial "0x$(openssl rand -hex 8)" -days 2 \
	    -extfile "$fc_ext" -out "$1/$2.pem" \
	    >>"$FLEET_DIR/ca/openssl.log" 2>&1
}

# fleet_ca: the test's CA; certificates for the etcd members (serverAuth
# and clientAuth: a member is its peers' client), for the test's etcdctl,
# for Pebble's API and for each node.
fleet_ca() {
	fca_d=$FLEET_DIR/ca
	mkdir -p "$fca_d"
	(umask 077; openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$fca_d/ca.key" \
	    -out "$FLEET_CA" -days 2 -subj "/CN=acmed fleet test CA $$" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign") \
	    >"$fca_d/openssl.log" 2>&1 || return 1
	chmod 0644 "$FLEET_CA"
	fca_san="IP:$FLEET_HOST,IP:127.0.0.1,DNS:localhost"
	for fca_m in 1 2 3; do
		fleet_cert "$fca_d" "etcd$fca_m" "/CN=etcd$fca_m" \
		    serverAuth,clientAuth "$fca_san" || return 1
	done
	fleet_cert "$fca_d" client /CN=root clientAuth &&
	    fleet_cert "$fca_d" pebble /CN=localhost serverAuth "$fca_san"
}

# fleet_key FILE: a new fleet key, 32 random bytes in base64, mode 0600.
fleet_key() {
	(umask 077; openssl rand -base64 32 >"$1")
}

# fleet_net N: the bridge and N nodes, each with its directories, a
# client certificate for etcd (CN nodeI) and a copy of the fleet key.
fleet_net() {
	# run.sh runs every test in one namespace: an earlier test's bridge
	# and links go first, if a killed run left them.
	ip link del "$FLEET_BR" 2>/dev/null
	for fn_l in $(ip -o link show 2>/dev/null |
	    sed -n 's/^[0-9]*: \(flv[0-9]*\)@.*/\1/p'); do
		ip link del "$fn_l" 2>/dev/null
	done
	ip link add "$FLEET_BR" type bridge forward_delay 0 &&
	    ip addr add "$FLEET_HOST/24" dev "$FLEET_BR" &&
	    ip link set "$FLEET_BR" up || return 1
	fleet_key "$FLEET_DIR/fleet.key" || return 1
	fn_i=1
	while [ "$fn_i" -le "$1" ]; do
		FLEET_N=$fn_i
		fleet_node "$fn_i" || return 1
		fn_i=$((fn_i + 1))
	done
}

fleet_node() {
	fno_ns=$(fleet_ns "$1")
	fno_d=$FLEET_DIR/node$1
	mkdir -p "$fno_d/etc" "$fno_d/state" "$fno_d/certs" || return 1
	# ip netns exec puts these files in place of /etc's for the node.
	mkdir -p "/etc/netns/$fno_ns" &&
	    printf 'nameserver %s\noptions timeout:1 attempts:2\n' \
	    "$FLEET_HOST" >"/etc/netns/$fno_ns/resolv.conf" || return 1
	ip netns add "$fno_ns" || return 1
	ip link add "flv$1" type veth peer name eth0 netns "$fno_ns" &&
	    ip link set "flv$1" master "$FLEET_BR" up &&
	    ip -n "$fno_ns" link set lo up &&
	    ip -n "$fno_ns" addr add "$(fleet_addr "$1")/24" dev eth0 &&
	    ip -n "$fno_ns" link set eth0 up || return 1
	fleet_cert "$fno_d/etc" etcd-client "/CN=node$1" clientAuth &&
	    cp "$FLEET_CA" "$fno_d/etc/etcd-ca.pem" &&
	    cp -p "$FLEET_DIR/fleet.key" "$fno_d/etc/fleet.key"
}

# fleet_etcd_url I [peer]: member I's client (or peer) URL.
fleet_etcd_url() {
	feu_p=$((FLEET_ETCD_PORT + 2 * ($1 - 1)))
	[ -z "${2:-}" ] || feu_p=$((feu_p + 1))
	echo "https://$FLEET_HOST:$feu_p"
}

# fleet_etcd_start I: starts member I again after fleet_etcd_stop, and
# waits until it is healthy (20 s at most); nothing if it runs.  (The
# first start of all three is fleet_etcd's.)
fleet_etcd_start() {
	fes_d=$FLEET_DIR/etcd
	fes_c=$FLEET_DIR/ca
	[ -s "$fes_d/m$1.pid" ] && kill -0 "$(cat "$fes_d/m$1.pid")" \
	    2>/dev/null && return 0
	fes_state=new
	[ -d "$fes_d/m$1/member" ] && fes_state=existing
	mkdir -p "$fes_d"
	[ -d "$fes_d/m$1" ] || mkdir -m 0700 "$fes_d/m$1"
	etcd --name "m$1" --data-dir "$fes_d/m$1" \
	    --listen-client-urls "$(fleet_etcd_url "$1")" \
	    --advertise-client-urls "$(fleet_etcd_url "$1")" \
	    --listen-peer-urls "$(fleet_etcd_url "$1" peer)" \
	    --initial-advertise-peer-urls "$(fleet_etcd_url "$1" peer)" \
	    --initial-cluster "$(fleet_etcd_cluster)" \
	    --initial-cluster-state "$fes_state" \
	    --initial-cluster-token "acmed-fleet-$$" \
	    --cert-file "$fes_c/etcd$1.pem" --key-file "$fes_c/etcd$1.key" \
	    --client-cert-auth --trusted-ca-file "$FLEET_CA" \
	    --peer-cert-file "$fes_c/etcd$1.pem" \
	    --peer-key-file "$fes_c/etcd$1.key" \
	    --peer-client-cert-auth --peer-trusted-ca-file "$FLEET_CA" \
	    --logger zap --log-outputs stderr \
	    </dev/null >>"$fes_d/m$1.log" 2>&1 &
	echo $! >"$fes_d/m$1.pid"
	[ "$fes_state" = new ] && return 0
	wait_for 20 fleet_etcdctl --endpoints "$(fleet_etcd_url "$1")" \
	    endpoint health >/dev/null 2>&1
}

fleet_etcd_cluster() {
	printf 'm1=%s,m2=%s,m3=%s' "$(fleet_etcd_url 1 peer)" \
	    "$(fleet_etcd_url 2 peer)" "$(fleet_etcd_url 3 peer)"
}

# fleet_etcd_stop I: stops member I (SIGTERM, SIGKILL after 10 s).
fleet_etcd_stop() {
	fst_f=$FLEET_DIR/etcd/m$1.pid
	[ -s "$fst_f" ] || return 0
	t_stop "$(cat "$fst_f")"
	rm -f "$fst_f"
}

# fleet_etcd: the three members, up when all answer healthy (30 s at most).
fleet_etcd() {
	FLEET_ETCD=$(fleet_etcd_url 1),$(fleet_etcd_url 2),$(fleet_etcd_url 3)
	export FLEET_ETCD
	for fe_m in 1 2 3; do
		fleet_etcd_start "$fe_m" || return 1
	done
	wait_for 30 fleet_etcdctl endpoint health >/dev/null 2>&1
}

# fleet_etcdctl ARGS...: etcdctl (v3) on the test's side, with the CA and
# a client certificate, at every member unless ARGS gives --endpoints.
fleet_etcdctl() {
	fleet_etcdctl_in "" "$FLEET_DIR/ca/client" "$@"
}

# fleet_node_etcdctl I ARGS...: the same from node I's namespace, with
# node I's client certificate.
fleet_node_etcdctl() {
	fne_i=$1; shift
	fleet_etcdctl_in "$(fleet_ns "$fne_i")" \
	    "$FLEET_DIR/node$fne_i/etc/etcd-client" "$@"
}

# fleet_etcdctl_in NAMESPACE CERT ARGS...: etcdctl in NAMESPACE (the
# test's own if empty) with CERT.pem and CERT.key.
fleet_etcdctl_in() {
	fei_ns=$1 fei_c=$2; shift 2
	fei_ep="--endpoints $FLEET_ETCD"
	for fei_a in "$@"; do
		case "$fei_a" in --endpoints|--endpoints=*) fei_ep= ;; esac
	done
	# shellcheck disable=SC2086
	set -- $fei_ep --cacert "$FLEET_CA" --cert "$fei_c.pem" \
	    --key "$fei_c.key" --dial-timeout 2s --command-timeout 5s "$@"
	if [ -n "$fei_ns" ]; then
		set -- ip netns exec "$fei_ns" etcdctl "$@"
	else
		set -- etcdctl "$@"
	fi
	ETCDCTL_API=3 "$@"
}

# fleet_pebble: Pebble on 192.0.2.1 with its API certificate from the
# fleet's CA, resolving every name to 192.0.2.1 with challtestsrv's DNS
# (which the nodes ask too), validating on ports 80 and 443.  Its
# directory works with pebble.sh stop and root, and t_pebble_stalled.
# PEBBLE_VALIDITY, PEBBLE_NONCE_REJECT and PEBBLE_EXTRA_ENV as for
# pebble.sh.
fleet_pebble() {
	T_PEBBLE_DIR=$FLEET_DIR/pebble
	mkdir -p "$T_PEBBLE_DIR"
	cp "$FLEET_CA" "$T_PEBBLE_DIR/ca.pem"
	cat >"$T_PEBBLE_DIR/pebble.json" <<EOF
{
  "pebble": {
    "listenAddress": "$FLEET_HOST:$FLEET_PEBBLE_PORT",
    "managementListenAddress": "$FLEET_HOST:$FLEET_PEBBLE_MGMT_PORT",
    "certificate": "$FLEET_DIR/ca/pebble.pem",
    "privateKey": "$FLEET_DIR/ca/pebble.key",
    "httpPort": 80,
    "tlsPort": 443,
    "ocspResponderURL": "",
    "certificateValidityPeriod": ${PEBBLE_VALIDITY:-7776000},
    "externalAccountBindingRequired": false
  }
}
EOF
	pebble-challtestsrv -defaultIPv4 "$FLEET_HOST" -defaultIPv6 "" \
	    -dns01 "$FLEET_HOST:53" \
	    -management "127.0.0.1:$FLEET_CHALL_MGMT_PORT" \
	    -http01 "" -https01 "" -tlsalpn01 "" \
	    </dev/null >"$T_PEBBLE_DIR/challtestsrv.log" 2>&1 &
	echo $! >"$T_PEBBLE_DIR/challtestsrv.pid"
	# shellcheck disable=SC2086
	env PEBBLE_VA_NOSLEEP=1 \
	    PEBBLE_WFE_NONCEREJECT="${PEBBLE_NONCE_REJECT:-0}" \
	    ${PEBBLE_EXTRA_ENV:-} pebble \
	    -config "$T_PEBBLE_DIR/pebble.json" -dnsserver "$FLEET_HOST:53" \
	    </dev/null >"$T_PEBBLE_DIR/pebble.log" 2>&1 &
	echo $! >"$T_PEBBLE_DIR/pebble.pid"
	PEBBLE_URL=https://$FLEET_HOST:$FLEET_PEBBLE_PORT/dir
	PEBBLE_CA=$T_PEBBLE_DIR/ca.pem
	PEBBLE_MGMT=https://$FLEET_HOST:$FLEET_PEBBLE_MGMT_PORT
	printf 'PEBBLE_URL=%s\nPEBBLE_CA=%s\nPEBBLE_MGMT=%s\nPEBBLE_DIR=%s\n' \
	    "$PEBBLE_URL" "$PEBBLE_CA" "$PEBBLE_MGMT" "$T_PEBBLE_DIR" \
	    >"$T_PEBBLE_DIR/env"
	export PEBBLE_URL PEBBLE_CA PEBBLE_MGMT
	wait_for 20 curl -sf --max-time 2 --cacert "$PEBBLE_CA" -o /dev/null \
	    "$PEBBLE_URL"
}

# fleet_pebble_again: a fresh Pebble in place of the one that runs (after
# a deadlock: t_pebble_stalled), with the same API certificate.
fleet_pebble_again() {
	"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null
	fleet_pebble
}

# fleet_orders: how many new orders Pebble has taken (its log says
# "Added order" at each).
fleet_orders() {
	grep -c '^Pebble .*Added order ' "$T_PEBBLE_DIR/pebble.log"
}

# fleet_verify I NAME: node I's certificate for NAME (fleet_domain)
# verifies against Pebble's root.
fleet_verify() {
	fv_c=$FLEET_DIR/node$1/certs/$2
	"$TOP/regress/pebble.sh" root "$T_PEBBLE_DIR" >/dev/null 2>&1 &&
	    openssl verify -CAfile "$T_PEBBLE_DIR/root.pem" \
	    -untrusted "$fv_c.chain" "$fv_c.crt" >/dev/null 2>&1
}

# fleet_issued I N FORMAT: node I has each of the N certificates named
# by the printf FORMAT with 1 to N issued by Pebble (fleet_verify).
fleet_issued() {
	fis_k=1
	while [ "$fis_k" -le "$2" ]; do
		# shellcheck disable=SC2059
		fleet_verify "$1" "$(printf "$3" "$fis_k")" || return 1
		fis_k=$((fis_k + 1))
	done
}

# fleet_haproxy: HAProxy on 192.0.2.1, port 80 (http) and 443 (tcp),
# round-robin over every node's same port, without health checks: a
# connection that fails is tried again once, then on the next node; its
# statistics page on 127.0.0.1 answers fleet_hits and fleet_lb.
fleet_haproxy() {
	fh_d=$FLEET_DIR/haproxy
	mkdir -p "$fh_d"
	{
		cat <<EOF
defaults
	retries 1
	option redispatch
	timeout connect 2s
	timeout client 10s
	timeout server 10s
listen stats
	mode http
	bind 127.0.0.1:$FLEET_HAPROXY_STATS
	stats enable
	stats uri /
	stats admin if TRUE
frontend http
	mode http
	bind $FLEET_HOST:80
	default_backend http
frontend tls
	mode tcp
	bind $FLEET_HOST:443
	default_backend tls
EOF
		for fh_b in http:80 tls:443; do
			printf 'backend %s\n\tmode %s\n\tbalance roundrobin\n' \
			    "${fh_b%:*}" "$([ "${fh_b%:*}" = http ] &&
			    echo http || echo tcp)"
			fh_i=1
			while [ "$fh_i" -le "$FLEET_N" ]; do
				printf '\tserver node%d %s:%s\n' "$fh_i" \
				    "$(fleet_addr "$fh_i")" "${fh_b#*:}"
				fh_i=$((fh_i + 1))
			done
		done
	} >"$fh_d/haproxy.cfg"
	haproxy -db -f "$fh_d/haproxy.cfg" </dev/null >"$fh_d/out" 2>&1 &
	echo $! >"$fh_d/pid"
	wait_for 10 fleet_haproxy_csv >/dev/null 2>&1
}

# fleet_haproxy_csv: HAProxy's statistics, as CSV.
fleet_haproxy_csv() {
	curl -sf --max-time 5 "http://127.0.0.1:$FLEET_HAPROXY_STATS/;csv"
}

# fleet_hits http|tls I: how many connections (tls) or requests (http)
# HAProxy has sent to node I.
fleet_hits() {
	fleet_haproxy_csv | awk -F, -v b="$1" -v s="node$2" \
	    '$1 == b && $2 == s { print $8; f = 1 } END { exit !f }'
}

# fleet_lb I up|down: HAProxy sends to node I again, or no longer
# (maintenance), on both ports.
fleet_lb() {
	fl_st=ready
	[ "$2" = down ] && fl_st=maint
	for fl_b in http tls; do
		curl -s --max-time 5 -o /dev/null -w '%{redirect_url}\n' \
		    -d "b=$fl_b&s=node$1&action=$fl_st" \
		    "http://127.0.0.1:$FLEET_HAPROXY_STATS/" |
		    grep -q 'st=DONE' || return 1
	done
}

# fleet_conf I FILE [EXTRA]: a configuration for node I: its http-01 and
# tls-alpn-01 listeners on its address, its state directory, the
# authority "pebble" with node I's account key, then EXTRA (such as
# fleet_cluster's output) as it is.  Domains: fleet_domain.
fleet_conf() {
	fco_d=$FLEET_DIR/node$1
	cat >"$2" <<EOC
listen on $(fleet_addr "$1") port 80
listen on $(fleet_addr "$1") port 443 tls-alpn
state directory "$fco_d/state"
authority pebble {
	api url "$PEBBLE_URL"
	api ca "$PEBBLE_CA"
	account key "$fco_d/etc/account.key"
}
EOC
	[ -z "${3:-}" ] || printf '%s\n' "$3" >>"$2"
}

# fleet_cluster I: node I's cluster block.
fleet_cluster() {
	fcl_e=$FLEET_DIR/node$1/etc
	cat <<EOC
cluster {
	etcd "$(fleet_etcd_url 1)" "$(fleet_etcd_url 2)" "$(fleet_etcd_url 3)"
	etcd ca "$fcl_e/etcd-ca.pem"
	etcd certificate "$fcl_e/etcd-client.pem"
	etcd key "$fcl_e/etcd-client.key"
	prefix "/acmed/"
	fleet key "$fcl_e/fleet.key"
	node "node$1"
}
EOC
}

# fleet_domain I FILE NAME [CHALLENGE]: appends a domain block for NAME
# to node I's FILE, signed by pebble, writing
# $FLEET_DIR/nodeI/certs/NAME.{key,crt,chain,full}.
fleet_domain() {
	fd_c=$FLEET_DIR/node$1/certs/$3
	{
		echo "domain $3 {"
		[ -z "${4:-}" ] || echo "	challenge $4"
		echo "	domain key \"$fd_c.key\""
		echo "	domain certificate \"$fd_c.crt\""
		echo "	domain chain certificate \"$fd_c.chain\""
		echo "	domain full chain certificate \"$fd_c.full\""
		echo "	sign with pebble"
		echo "}"
	} >>"$2"
}

# fleet_sweep: removes the namespaces that a run killed before its
# teardown left behind: those of a process that is gone, with nothing in
# them.
fleet_sweep() {
	ip netns list | sed -n 's/^\(acmedfl\([0-9]*\)-node[0-9]*\).*/\2 \1/p' |
	    while read -r fs_pid fs_ns; do
		! kill -0 "$fs_pid" 2>/dev/null &&
		    [ -z "$(ip netns pids "$fs_ns" 2>/dev/null)" ] || continue
		ip netns del "$fs_ns" && rm -rf "/etc/netns/$fs_ns"
	done
}

# fleet_setup N: the whole bed with N nodes (fleet_teardown at exit).
# Says what failed on standard error.
fleet_setup() {
	t_at_exit fleet_teardown
	fleet_sweep
	mkdir -p "$FLEET_DIR"
	fleet_ca || { echo "fleet: the CA" >&2; return 1; }
	fleet_net "$1" || { echo "fleet: the network" >&2; return 1; }
	fleet_etcd || { echo "fleet: etcd" >&2; return 1; }
	fleet_pebble || { echo "fleet: Pebble" >&2; return 1; }
	fleet_haproxy || { echo "fleet: HAProxy" >&2; return 1; }
}

# fleet_teardown: kills what runs in the nodes' namespaces, removes them
# (and their links), stops HAProxy, Pebble and etcd, removes the bridge.
fleet_teardown() {
	ft_i=1
	while [ "$ft_i" -le "$FLEET_N" ]; do
		ft_ns=$(fleet_ns "$ft_i")
		ft_pids=$(ip netns pids "$ft_ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$ft_pids" ] || kill -KILL $ft_pids 2>/dev/null
		ip netns del "$ft_ns" 2>/dev/null
		rm -rf "/etc/netns/$ft_ns"
		ft_i=$((ft_i + 1))
	done
	[ -s "$FLEET_DIR/haproxy/pid" ] &&
	    t_stop "$(cat "$FLEET_DIR/haproxy/pid")"
	[ -d "$FLEET_DIR/pebble" ] &&
	    "$TOP/regress/pebble.sh" stop "$FLEET_DIR/pebble" >/dev/null
	for ft_m in 1 2 3; do
		fleet_etcd_stop "$ft_m"
	done
	ip link del "$FLEET_BR" 2>/dev/null
	FLEET_N=0
}
