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
	sed -n "s/^\(ms=[0-9]* \)\{0,1\}ok=.* $1=\([^ ]*\).*/\2/p" "$D/out" |
	    head -1
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
check "a 400 KB value put" out drv put /t/big fill:400000
check "etcdctl reads its 400,000 bytes" sh -c "ETCDCTL_API=3 etcdctl \
    --endpoints=$EPS --cacert $D/ca.pem --cert $D/client.pem \
    --key $D/client.key get --print-value-only /t/big | tr -d '\n' |
    wc -c | grep -qx 400000"
check "range reads it back whole" sh -c "'$DRV' -c $D/ca.pem \
    -C $D/client.pem -K $D/client.key -e $EPS range /t/big |
    grep '^kv' | cut -d' ' -f3 | tr -d '\n' | wc -c | grep -qx 400000"
check_not "a value over the bound does not start" out drv put /t/big fill:600000
check "over the bound: refused before any request" has "did not start"

# --- create: once only; the second returns what exists ---
check "create of a new key answers" out drv create /t/lock owner1
check "create: succeeded=1" has '^ok=1 succeeded=1 '
FENCE=$(field rev)
check "etcdctl: the key's create revision is the create's revision" \
    sh -c "ctl_rev=\$(ETCDCTL_API=3 etcdctl --endpoints=$EPS \
    --cacert $D/ca.pem --cert $D/client.pem --key $D/client.key \
    get /t/lock -w json | sed -n 's/.*\"create_revision\":\([0-9]*\).*/\1/p');
    [ \"\$ctl_rev\" = '$FENCE' ]"
check "create of an existing key answers" out drv create /t/lock owner2
check "second create: succeeded=0, the existing kv" \
    sh -c "grep -q '^ok=1 succeeded=0 .*nkvs=1 ' '$D/out' &&
    grep -q '^kv /t/lock owner1 create=$FENCE ' '$D/out'"
check "etcdctl: the first owner's value stayed" \
    sh -c "[ \"\$(ETCDCTL_API=3 etcdctl --endpoints=$EPS --cacert $D/ca.pem \
    --cert $D/client.pem --key $D/client.key get --print-value-only \
    /t/lock)\" = owner1 ]"

# --- fenced put and delete ---
check "fenced put with the right fence answers" \
    out drv putf /t/lock "$FENCE" /t/fenced v1
check "fenced put with the right fence: succeeded=1" has '^ok=1 succeeded=1 '
check "fenced put with a wrong fence answers" \
    out drv putf /t/lock $((FENCE + 1000)) /t/fenced v2
check "fenced put with a wrong fence: succeeded=0" has '^ok=1 succeeded=0 '
check "etcdctl: the fenced key holds the right fence's value" \
    sh -c "[ \"\$(ETCDCTL_API=3 etcdctl --endpoints=$EPS --cacert $D/ca.pem \
    --cert $D/client.pem --key $D/client.key get --print-value-only \
    /t/fenced)\" = v1 ]"
check "fenced delete with a wrong fence answers" \
    out drv delf /t/lock 1 /t/fenced
check "fenced delete with a wrong fence: succeeded=0" has '^ok=1 succeeded=0 '
check "the key is still there" sh -c "ETCDCTL_API=3 etcdctl --endpoints=$EPS \
    --cacert $D/ca.pem --cert $D/client.pem --key $D/client.key \
    get /t/fenced | grep -q v1"
check "fenced delete with the right fence answers" \
    out drv delf /t/lock "$FENCE" /t/fenced
check "fenced delete with the right fence: succeeded=1" has '^ok=1 succeeded=1 '
check "etcdctl: the fenced key is gone" sh -c "[ -z \"\$(ETCDCTL_API=3 \
    etcdctl --endpoints=$EPS --cacert $D/ca.pem --cert $D/client.pem \
    --key $D/client.key get /t/fenced)\" ]"

# --- delete, prefix delete ---
check "delete of one key answers" out drv del /t/a
check "range of the deleted key: nkvs=0" sh -c "'$DRV' -c $D/ca.pem \
    -C $D/client.pem -K $D/client.key -e $EPS range /t/a | grep -q 'nkvs=0 '"
check "prefix delete answers" out drv del /t/ prefix
check "etcdctl: nothing left under /t/" sh -c "[ -z \"\$(ETCDCTL_API=3 \
    etcdctl --endpoints=$EPS --cacert $D/ca.pem --cert $D/client.pem \
    --key $D/client.key get --prefix /t/)\" ]"

# --- leases ---
check "lease grant answers" out drv grant 30
LEASE=$(field lease)
check "lease grant: an id and the TTL" \
    sh -c "[ '$LEASE' -gt 0 ] && grep -q ' ttl=30 ' '$D/out'"
check "put with the lease" out drv put /l/held x "$LEASE"
check "keepalive answers with the TTL" out drv keepalive "$LEASE"
check "keepalive: ttl=30" has '^ok=1 .* ttl=30 '
check "etcdctl sees the key attached to the lease" sh -c "ETCDCTL_API=3 \
    etcdctl --endpoints=$EPS --cacert $D/ca.pem --cert $D/client.pem \
    --key $D/client.key lease timetolive --keys \
    \$(printf %x $LEASE) | grep -q /l/held"
check "revoke answers" out drv revoke "$LEASE"
check "revoke: ok=1" has '^ok=1 '
check "the revoked lease's key is gone" sh -c "'$DRV' -c $D/ca.pem \
    -C $D/client.pem -K $D/client.key -e $EPS range /l/held |
    grep -q 'nkvs=0 '"
check "keepalive of the revoked lease: ttl=0" sh -c "'$DRV' -c $D/ca.pem \
    -C $D/client.pem -K $D/client.key -e $EPS keepalive $LEASE |
    grep -q '^ok=1 .* ttl=0 '"
check_not "revoke of an unknown lease fails" out drv revoke "$LEASE"
check "revoke of an unknown lease: ok=0 with etcd's reason" \
    has '^ok=0 .*err=https://127.0.0.1:[0-9]*: HTTP [0-9]*: etcd: .*lease not found'
out drv grant 2
SHORT=$(field lease)
check "put with a 2 s lease" out drv put /l/short x "$SHORT"
gone() { "$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$EPS" range /l/short | grep -q 'nkvs=0 '; }
check_not "the key is there before the lease expires" gone
check "the key disappears when its lease expires (within 10 s)" \
    wait_for 10 gone

# --- watches ---
out drv put /w/a 1
W0=$(field rev)
ctl put /w/b 2 >/dev/null
ctl del /w/a >/dev/null
ctl put /x/other 3 >/dev/null
ctl put /w/a 4 >/dev/null
check "watch from a revision answers with three events" \
    out drv watch /w/ "$W0" 4
check "the watch replays PUT, PUT, DELETE, PUT under the prefix in order" \
    sh -c "grep '^event' '$D/out' | cut -d' ' -f2-4 | tr '\n' ' ' |
    grep -qx 'PUT /w/a 1 PUT /w/b 2 DELETE /w/a  PUT /w/a 4 '"
check "each event's revision is its kv's mod revision, increasing" \
    sh -c "grep '^rev=' '$D/out' | cut -d= -f2 | sort -nc &&
    [ \"\$(grep -c '^rev=' '$D/out')\" = 4 ] &&
    grep -q '^rev=$W0\$' '$D/out'"
check "a live watch sees the client's own put then delete" \
    out drv watchlive /live/
check "live: PUT then DELETE of /live/a" \
    sh -c "grep '^event' '$D/out' | cut -d' ' -f2,3 | tr '\n' ' ' |
    grep -qx 'PUT /live/a DELETE /live/a '"
check "a watch idle for 7 s still sees what comes (no total timeout)" \
    out drv watchlive /idle/ 7
check "idle: PUT then DELETE of /idle/a" \
    sh -c "grep '^event' '$D/out' | cut -d' ' -f2,3 | tr '\n' ' ' |
    grep -qx 'PUT /idle/a DELETE /idle/a '"
check "etcd_free with a watch and a request under way: no callback after" \
    out drv freeall /w/
NOW=$(ctl put /w/c 5 -w json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
ctl compact "$NOW" >/dev/null
check_not "a watch from a compacted revision ends" out drv watch /w/ "$W0" 10
check "the end says compacted, with the compaction revision" \
    has "^end rev=$NOW err=.*compacted"
check "callbacks may start requests and free the client; none after" \
    out drv nested /w/c
check "nested: two answers, then freed, nothing after" \
    sh -c "[ \"\$(grep -c '^ok=1 ' '$D/out')\" = 2 ] &&
    tail -1 '$D/out' | grep -qx freed"

# --- endpoints: a dead one first; refused clients ---
DEAD=https://127.0.0.1:$((P + 9))
check "with a dead first endpoint, the second answers" \
    out "$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$DEAD" -e "$EPS" put /f/a failover
check "failover: ok=1" has '^ok=1 '
check "failover for a watch too" \
    out "$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$DEAD" -e "$EPS" watch /f/ "$(field rev)" 1
check "only the dead endpoint: the error names it" \
    sh -c "! '$DRV' -c $D/ca.pem -C $D/client.pem -K $D/client.key \
    -e $DEAD range /f/a >'$D/out' 2>&1 && grep -q '^ok=0 .*err=$DEAD' '$D/out'"
check_not "a client without a certificate is refused" \
    out "$DRV" -c "$D/ca.pem" -e "$EPS" range /f/a
check "no certificate: ok=0, the error names the endpoint" \
    has "^ok=0 .*err=$EPS/v3/kv/range: .*"
check_not "a client with another CA's certificate is refused" \
    out "$DRV" -c "$D/ca.pem" -C "$D/stranger.pem" -K "$D/stranger.key" \
    -e "$EPS" range /f/a
check "another CA: ok=0, the error names the endpoint" \
    has "^ok=0 .*err=$EPS/v3/kv/range: .*"
check_not "a server its CA does not vouch for is refused" \
    out "$DRV" -c "$D/otherca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$EPS" range /f/a
check "wrong CA: the error is the certificate's" \
    has "^ok=0 .*err=$EPS/v3/kv/range: .*certificate"

# --- endpoints that answer badly: a 503, one that never answers ---
fs_start() {	# NAME SPEC: a faultsrv, its URL in $FS
	printf '%s\n' "$2" >"$D/$1.spec"
	"$OBJ/regress/faultsrv" -c "$D/server.pem" -k "$D/server.key" \
	    -f "$D/$1.spec" -P "$D/$1.port" 2>"$D/$1.log" &
	t_at_exit "kill $! 2>/dev/null"
	wait_for 10 test -s "$D/$1.port" &&
	FS=https://127.0.0.1:$(cat "$D/$1.port")
}
requests() {	# faultsrv NAME: how many requests it was sent
	grep -c 'POST /v3/' "$D/$1.log"
}
fs_start busy "path *
status 503
body {\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no leader\"}"
BUSY=$FS
check "a 503 from the first endpoint: the second answers" \
    out "$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$BUSY" -e "$EPS" again 2 /f/a
check "503 then etcd: both ranges ok" \
    sh -c "[ \"\$(grep -c ' ok=1 ' '$D/out')\" = 2 ]"
check "the endpoint that answered is tried first next time" \
    test "$(requests busy)" = 1
check_not "only a 503 endpoint fails" \
    out "$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$BUSY" range /f/a
check "the 503's error: its endpoint, the status, etcd's message" \
    has "^ok=0 .*err=$BUSY: HTTP 503: etcd: etcdserver: no leader"
fs_start mute "path *
stall"
MUTE=$FS
check "an endpoint that never answers: the second answers" \
    out "$DRV" -c "$D/ca.pem" -C "$D/client.pem" -K "$D/client.key" \
    -e "$MUTE" -e "$EPS" again 2 /f/a
check "the first waited for the 5 s timeout, the second did not" \
    sh -c "grep '^ms=' '$D/out' | sed 's/^ms=\([0-9]*\) ok=1 .*/\1/' >'$D/ms';
    first=\$(sed -n 1p '$D/ms'); second=\$(sed -n 2p '$D/ms');
    [ \"\$first\" -ge 4500 ] && [ \"\$first\" -lt 15000 ] &&
    [ \"\$second\" -lt 2000 ]"
check "the mute endpoint was sent one request only" \
    test "$(requests mute)" = 1
t_stop "$(cat "$D/one.pid")"

# --- a cluster of three, one member stopped ---
C=23800
CL="c1=http://127.0.0.1:$((C + 1)),c2=http://127.0.0.1:$((C + 3)),c3=http://127.0.0.1:$((C + 5))"
etcd_start c1 $((C + 0)) $((C + 1)) "$CL"
etcd_start c2 $((C + 2)) $((C + 3)) "$CL"
etcd_start c3 $((C + 4)) $((C + 5)) "$CL"
EPS="https://127.0.0.1:$C,https://127.0.0.1:$((C + 2)),https://127.0.0.1:$((C + 4))"
DRV_EPS="-e https://127.0.0.1:$C -e https://127.0.0.1:$((C + 2)) -e https://127.0.0.1:$((C + 4))"
check "a cluster of three answers" wait_for 30 healthy
t_stop "$(cat "$D/c1.pid")"
check "with the first member stopped, put answers" out drv put /c/a three
check "cluster put: ok=1" has '^ok=1 '
check "cluster create answers" out drv create /c/lock me
check "cluster create: succeeded=1" has '^ok=1 succeeded=1 '
check "the others read what was put" sh -c "ETCDCTL_API=3 etcdctl \
    --endpoints=https://127.0.0.1:$((C + 4)) --cacert $D/ca.pem \
    --cert $D/client.pem --key $D/client.key get --print-value-only /c/a |
    grep -qx three"
t_done
