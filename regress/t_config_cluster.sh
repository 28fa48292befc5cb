#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The cluster block of acmed.conf: a good block passes "acmed -n", is
# printed by "acmed -n -v" with its defaults and reads back the same;
# each mistake (a block twice, a statement missing or twice, an endpoint,
# prefix or node outside its form or its message bound, a file missing,
# untrusted, too large or of the wrong kind) is refused with file:line.
# Then a daemon with the block starts, netproc logs the block it was
# sent, and SIGHUP with a changed block starts the children with the new
# one.  No etcd runs: netproc only holds the block.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

out=$T_TMP/out
conf=$T_TMP/acmed.conf
d=$T_TMP/etcd

# The files: a CA, a client certificate and its key, the fleet key.
mkdir -p "$d"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$d/ca.key" -out "$d/ca.pem" -subj /CN=etcd-ca -days 2 \
    >/dev/null 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$d/client.key" -out "$d/client.csr" -subj /CN=web1 \
    >/dev/null 2>&1
openssl x509 -req -in "$d/client.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
    -CAcreateserial -out "$d/client.pem" -days 2 >/dev/null 2>&1
openssl rand -base64 32 >"$T_TMP/fleet.key"
umask 022
chmod 0644 "$d/ca.pem" "$d/client.pem"
for f in ca.pem client.pem client.key; do
	[ -s "$d/$f" ] || { notok "openssl makes $f"; t_done; exit 1; }
done
ok "openssl makes etcd's CA, a client certificate and its key"

# write FILE [CLUSTER-LINE...]: an authority, a domain, and a cluster
# block of the lines given (the block begins at line 10, its lines at
# 11); none: no block.
write() {
	w_f=$1; shift
	{
		cat <<EOC
authority le {
	api url "https://127.0.0.1:1/dir"
	api ca "$d/ca.pem"
	account key "$T_TMP/account.key"
}
domain a.example.org {
	domain key "$T_TMP/a.key"
	domain full chain certificate "$T_TMP/a.pem"
}
EOC
		if [ $# -gt 0 ]; then
			echo "cluster {"
			for w_l; do
				printf '\t%s\n' "$w_l"
			done
			echo "}"
		fi
	} >"$w_f"
}
# The block's first line, for the messages about what it lacks.
BLOCK=10

# All but the lines named by the keyword (etcd, ca, cert, key, fleet).
good_lines() {
	for g in etcd ca cert key fleet; do
		case " $* " in *" $g "*) continue ;; esac
		case $g in
		etcd) echo 'etcd "https://192.0.2.1:2379" "https://[2001:db8::1]:2379" "https://etcd3.example.org:2379"' ;;
		ca) echo "etcd ca \"$d/ca.pem\"" ;;
		cert) echo "etcd certificate \"$d/client.pem\"" ;;
		key) echo "etcd key \"$d/client.key\"" ;;
		fleet) echo "fleet key \"$T_TMP/fleet.key\"" ;;
		esac
	done
}

# conf_with [-x KEYWORD...] [LINE...]: $conf with the good lines (lines
# 11 to 15) but those left out, then the lines given; runs acmed -n,
# output in $out, status in $rc.
conf_with() {
	cw_skip=
	while [ "${1:-}" = -x ]; do
		cw_skip="$cw_skip $2"
		shift 2
	done
	good_lines $cw_skip >"$T_TMP/lines"
	for cw_l; do
		echo "$cw_l" >>"$T_TMP/lines"
	done
	set --
	while IFS= read -r cw_l; do
		set -- "$@" "$cw_l"
	done <"$T_TMP/lines"
	write "$conf" "$@"
	"$ACMED" -n -f "$conf" >"$out" 2>&1
	rc=$?
}

# refused LINE TEXT DESCRIPTION: the last run failed and said
# "$conf:LINE: TEXT" exactly.
refused() {
	if [ "$rc" -ne 0 ] && grep -qxF -- "$conf:$1: $2" "$out"; then
		ok "$3"
	else
		notok "$3 (status $rc, wanted \"$conf:$1: $2\")"
		sed 's/^/#   /' "$out"
	fi
}

# -- a good block --
conf_with 'node "web1"'
check "a good cluster block passes acmed -n" \
    sh -c "[ $rc -eq 0 ] && grep -q '^configuration OK\$' '$out'"
"$ACMED" -n -v -f "$conf" 2>/dev/null >"$out"
sed -n '/^cluster {$/,/^}$/p' "$out" >"$T_TMP/dump"
cat >"$T_TMP/want" <<EOC
cluster {
	etcd "https://192.0.2.1:2379" "https://[2001:db8::1]:2379" "https://etcd3.example.org:2379"
	etcd ca "$d/ca.pem"
	etcd certificate "$d/client.pem"
	etcd key "$d/client.key"
	prefix "/acmed/"
	fleet key "$T_TMP/fleet.key"
	node "web1"
}
EOC
if cmp -s "$T_TMP/dump" "$T_TMP/want"; then
	ok "acmed -n -v prints the block, with the default prefix"
else
	notok "acmed -n -v prints the block, with the default prefix"
	diff "$T_TMP/want" "$T_TMP/dump" | sed 's/^/#   /'
fi
"$ACMED" -n -v -f "$conf" 2>/dev/null | sed 1d >"$T_TMP/dump1.conf"
"$ACMED" -n -v -f "$T_TMP/dump1.conf" 2>/dev/null | sed 1d \
    >"$T_TMP/dump2.conf"
check "the dump with the block reads back the same" \
    sh -c "grep -q '^cluster {' '$T_TMP/dump1.conf' && cmp -s '$T_TMP/dump1.conf' '$T_TMP/dump2.conf'"
write "$conf"
"$ACMED" -n -v -f "$conf" >"$out" 2>&1
check "without the block: acmed -n passes and prints no cluster" \
    sh -c "grep -q '^configuration OK\$' '$out' && ! grep -q '^cluster' '$out'"

# The example's commented block, its files made real, is a good one.
write "$conf"
sed -n '/^#cluster {$/,/^#}$/s/^#//p' etc/acmed.conf |
    sed -e "s|/etc/acmed/etcd/|$d/|" -e "s|/etc/acmed/fleet.key|$T_TMP/fleet.key|" \
    >>"$conf"
"$ACMED" -n -v -f "$conf" >"$out" 2>&1
check "etc/acmed.conf: its cluster block, uncommented, passes" sh -c \
    "grep -q '^configuration OK\$' '$out' && grep -qxF '	node \"web1\"' '$out'"

# The node's name is the host's unless given.
host=$(hostname)
conf_with 'prefix "/fleet/a.b-c_d/"'
"$ACMED" -n -v -f "$conf" 2>/dev/null >"$out"
case $host in
*[!A-Za-z0-9._-]*|"") ;;
*) if [ ${#host} -le 63 ]; then
	check "node: the host name by default ($host)" \
	    grep -qxF "	node \"$host\"" "$out"
fi ;;
esac
check "prefix: given" grep -qxF '	prefix "/fleet/a.b-c_d/"' "$out"

# -- the block itself --
conf_with
write "$conf" "$(good_lines)"
cat >>"$conf" <<EOC
cluster {
	etcd "https://192.0.2.9:2379"
}
EOC
"$ACMED" -n -f "$conf" >"$out" 2>&1
rc=$?
refused 17 "cluster: already defined at $conf:$BLOCK" "a second block refused"
conf_with -x etcd
refused $BLOCK 'cluster: no etcd endpoint: etcd "https://HOST:PORT" is required' \
    "no etcd refused"
conf_with -x ca
refused $BLOCK "cluster: no etcd ca" "no etcd ca refused"
conf_with -x cert
refused $BLOCK "cluster: no etcd certificate" "no etcd certificate refused"
conf_with -x key
refused $BLOCK "cluster: no etcd key" "no etcd key refused"
conf_with -x fleet
refused $BLOCK "cluster: no fleet key" "no fleet key refused"
conf_with 'node "a"' 'node "b"'
refused 17 'cluster: node "b": given twice' "node twice refused"
conf_with 'prefix "/a/"' 'prefix "/b/"'
refused 17 'cluster: prefix "/b/": given twice' "prefix twice refused"
conf_with 'etcd "https://192.0.2.7:2379"'
refused 16 'cluster: etcd: given twice' "etcd twice refused"
conf_with "etcd ca \"$d/ca.pem\""
refused 16 "cluster: etcd ca \"$d/ca.pem\": given twice" "etcd ca twice refused"
conf_with 'frobnicate 1'
refused 16 'cluster: unknown keyword "frobnicate"' "an unknown keyword"

# -- the endpoints --
url() {
	conf_with -x etcd "etcd $1"
}
url '"http://192.0.2.1:2379"'
refused 15 'cluster: etcd "http://192.0.2.1:2379": not https://HOST:PORT (etcd'"'"'s client URL, with TLS)' \
    "etcd: http refused"
url '"https://192.0.2.1"'
refused 15 'cluster: etcd "https://192.0.2.1": no port: write https://HOST:PORT (etcd'"'"'s is 2379)' \
    "etcd: no port refused"
url '"https://192.0.2.1:2379/v3"'
refused 15 'cluster: etcd "https://192.0.2.1:2379/v3": nothing may follow the port (no path)' \
    "etcd: a path refused"
url '"https://192.0.2.1:65536"'
refused 15 'cluster: etcd "https://192.0.2.1:65536": the port is a number from 1 to 65535' \
    "etcd: port 65536 refused"
url '"https://[2001:db8::zz]:2379"'
refused 15 'cluster: etcd "https://[2001:db8::zz]:2379": not an IPv6 address between the brackets' \
    "etcd: a bad IPv6 address refused"
url '"https://etcd_1:2379"'
refused 15 "cluster: etcd \"https://etcd_1:2379\": a host is a name (letters, digits, '-' and '.') or an address" \
    "etcd: a bad host name refused"
url '"https://a:1" "https://A:1"'
refused 15 'cluster: etcd "https://A:1": listed twice' "etcd: an endpoint twice refused"
urls=
i=1
while [ $i -le 8 ]; do
	urls="$urls \"https://10.0.0.$i:2379\""
	i=$((i + 1))
done
url "$urls"
check "etcd: 8 endpoints accepted" [ "$rc" -eq 0 ]
url "$urls \"https://10.0.0.9:2379\""
refused 15 "cluster: etcd: 9 endpoints, at most 8" "etcd: 9 endpoints refused"
# the longest name: "https://" (8), 253 bytes and ":2379" (5); one of
# more than 268 bytes is refused before it is looked at
label=$(head -c 63 /dev/zero | tr '\0' a)
name="$label.$label.$label.$(head -c 57 /dev/zero | tr '\0' b).org"
long="https://$name:2379"
url "\"$long\""
check "etcd: a name of ${#name} bytes accepted (a ${#long}-byte URL)" \
    [ "$rc" -eq 0 -a "${#name}" -eq 253 ]
url "\"$long/ab\""
refused 15 "cluster: etcd \"$(printf '%.60s' "$long")...\": longer than 268 bytes" \
    "etcd: a URL of $((${#long} + 3)) bytes refused (MSG_ETCD_URL_MAX)"

# -- prefix and node, at their bounds --
p128="/$(head -c 126 /dev/zero | tr '\0' p)/"
conf_with "prefix \"$p128\""
check "prefix: 128 bytes accepted" [ "$rc" -eq 0 ]
conf_with "prefix \"/$p128\""
refused 16 "cluster: prefix \"$(printf '%.60s' "/$p128")...\": longer than 128 bytes" \
    "prefix: 129 bytes refused (MSG_PREFIX_MAX)"
conf_with 'prefix "/acmed"'
refused 16 "cluster: prefix \"/acmed\": must begin and end with '/'" \
    "prefix: no closing / refused"
conf_with 'prefix "/a b/"'
refused 16 "cluster: prefix \"/a b/\": only visible ASCII characters are allowed, no space" \
    "prefix: a space refused"
n63=$(head -c 63 /dev/zero | tr '\0' n)
conf_with "node \"$n63\""
check "node: 63 bytes accepted" [ "$rc" -eq 0 ]
conf_with "node \"${n63}x\""
refused 16 "cluster: node \"$(printf '%.60s' "$n63")...\": longer than 63 bytes" \
    "node: 64 bytes refused (MSG_NODE_MAX)"
conf_with 'node "web/1"'
refused 16 "cluster: node \"web/1\": only letters, digits, '.', '-' and '_' are allowed" \
    "node: a / refused"

# -- the files --
conf_with -x ca "etcd ca \"$d/none.pem\""
refused 15 "cluster: etcd ca $d/none.pem: No such file or directory" \
    "etcd ca missing refused"
conf_with -x ca "etcd ca \"$d/client.key\""
refused 15 "cluster: etcd ca $d/client.key: holds no certificate (PEM \"BEGIN CERTIFICATE\")" \
    "etcd ca without a certificate refused"
conf_with -x cert "etcd certificate \"etcd/client.pem\""
refused 15 'cluster: etcd certificate "etcd/client.pem": not an absolute path' \
    "etcd certificate relative refused"
chmod 0666 "$d/client.pem"
conf_with
refused 13 "cluster: etcd certificate $d/client.pem: writable by others (mode 0666)" \
    "etcd certificate writable by others refused"
chmod 0644 "$d/client.pem"
{
	cat "$d/client.pem"
	i=0
	while [ $i -lt 400 ]; do
		echo "# padding to pass the message's bound, line $i"
		i=$((i + 1))
	done
} >"$d/big.pem"
conf_with -x cert "etcd certificate \"$d/big.pem\""
refused 15 "cluster: etcd certificate $d/big.pem: larger than 16384 bytes" \
    "etcd certificate over 16384 bytes refused (MSG_ETCD_PEM_MAX)"
chmod 0640 "$d/client.key"
conf_with
refused 14 "cluster: etcd key $d/client.key: group or others may use it (mode 0640); chmod 600 it, or replace the key if others may have read it" \
    "etcd key readable by its group refused"
chmod 0600 "$d/client.key"
conf_with -x key "etcd key \"$d/ca.pem\""
refused 15 "cluster: etcd key $d/ca.pem: group or others may use it (mode 0644); chmod 600 it, or replace the key if others may have read it" \
    "etcd key: a public file refused"
cp "$d/client.pem" "$d/notakey.pem"
chmod 0600 "$d/notakey.pem"
conf_with -x key "etcd key \"$d/notakey.pem\""
refused 15 "cluster: etcd key $d/notakey.pem: holds no PEM private key" \
    "etcd key without a private key refused"
conf_with -x fleet "fleet key \"$T_TMP/nofleet.key\""
refused 15 "cluster: fleet key $T_TMP/nofleet.key: No such file or directory" \
    "fleet key missing refused"
chmod 0604 "$T_TMP/fleet.key"
conf_with
refused 15 "cluster: fleet key $T_TMP/fleet.key: group or others may use it (mode 0604); chmod 600 it, or replace the key if others may have read it" \
    "fleet key readable by others refused"
chmod 0600 "$T_TMP/fleet.key"
conf_with -x fleet "fleet key \"$T_TMP/a.key\""
refused 15 "cluster: fleet key \"$T_TMP/a.key\": already used as the domain key of domain a.example.org ($conf:6)" \
    "fleet key that is a domain key refused"

# -- netproc's sandbox lets it reach etcd --
# The probe enters netproc's whole sandbox (Landlock, seccomp) and
# connects to 127.0.0.1 on etcd's client port, where a listener waits.
t_users
t_python
"$PY" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 2379))
s.listen(1)
open(sys.argv[1], "w").close()
s.settimeout(20)
try:
    s.accept()
except OSError:
    pass
' "$T_TMP/listening" &
lpid=$!
t_at_exit "kill $lpid 2>/dev/null"
if wait_for 5 test -e "$T_TMP/listening"; then
	# through a pipe: in the sandbox a file cannot grow (RLIMIT_FSIZE)
	probe=$("$OBJ/regress/sbx_probe" netproc _acmed - connect 2379 2>&1)
	rc=$?
	echo "$probe" >"$T_TMP/probe"
	if [ "$rc" -eq 1 ] && grep -q "allowed: connected" "$T_TMP/probe"; then
		ok "netproc's sandbox connects to etcd's port 2379"
	else
		notok "netproc's sandbox connects to etcd's port 2379 (status $rc)"
		sed 's/^/#   /' "$T_TMP/probe"
	fi
else
	notok "a listener on 127.0.0.1:2379 for the sandbox probe"
fi
t_stop "$lpid"

# -- the daemon --
write "$conf" "$(good_lines)" 'node "web1"'
sed -i "1i state directory \"$T_TMP/state\"\\
listen on 127.0.0.1 port 18806" "$conf"
"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
apid=$!
t_at_exit "kill $apid 2>/dev/null"
check "the daemon with a cluster block starts its three children" \
    wait_for 10 sh -c "[ \$(pgrep -P $apid | wc -l) -eq 3 ]"
check "netproc logs the block it was sent" wait_for 10 grep -qF \
    "netproc: cluster: node web1, 3 etcd endpoints" "$T_TMP/log"
np=$(pgrep -P "$apid" -f netproc | head -1)
sed -i -e 's/node "web1"/node "web2"/' \
    -e 's|^	etcd "https://192.0.2.1:2379" .*|	etcd "https://127.0.0.1:2379"|' \
    "$conf"
kill -HUP "$apid"
check "SIGHUP with a changed block: netproc has the new one" wait_for 10 \
    grep -qF "netproc: cluster: node web2, 1 etcd endpoints" "$T_TMP/log"
check "SIGHUP: netproc was started again" wait_for 10 sh -c \
    "[ -n '$np' ] && ! kill -0 '$np' 2>/dev/null && [ \$(pgrep -P $apid | wc -l) -eq 3 ]"
# A key that no longer passes: the children are not started with it.
chmod 0644 "$d/client.key"
kill -HUP "$apid"
check "SIGHUP with an etcd key others may read: the file is refused" \
    wait_for 10 grep -qF "etcd key $d/client.key: group or others may use it" \
    "$T_TMP/log"
check "and the running configuration kept" \
    wait_for 10 grep -qF "has errors: keeping the running configuration" \
    "$T_TMP/log"
chmod 0600 "$d/client.key"
t_stop "$apid"
check "netproc never logged the key" sh -c \
    "! grep -q 'PRIVATE KEY' '$T_TMP/log'"

t_done
