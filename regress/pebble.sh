#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Runs Pebble (Let's Encrypt's test ACME server) and pebble-challtestsrv
# (its mock DNS) on 127.0.0.1, with all state in one directory.
#
#   regress/pebble.sh certs DIR	throwaway CA + localhost leaf only
#   regress/pebble.sh start DIR	start both, wait for the directory
#   regress/pebble.sh stop DIR	stop both (by their own pid files)
#   regress/pebble.sh root DIR	Pebble's issuing root + intermediate
#				into DIR/root.pem (for openssl verify)
#
# start writes DIR/env (sourceable) and prints it:
#   PEBBLE_URL=https://127.0.0.1:PORT/dir  the ACME directory
#   PEBBLE_CA=DIR/ca.pem                   the CA of the API's TLS cert
#   PEBBLE_MGMT=https://127.0.0.1:PORT     the management interface
#
# Environment (all optional):
#   PEBBLE_PORT 14000, PEBBLE_MGMT_PORT 15000, PEBBLE_HTTP_PORT 5002
#   (where Pebble sends http-01 validations), PEBBLE_TLS_PORT 5001,
#   PEBBLE_DNS_PORT 8053, PEBBLE_CHALL_MGMT_PORT 8055,
#   PEBBLE_VALIDITY (certificate lifetime in seconds, default 7776000:
#   90 days, as Let's Encrypt issues; Pebble's own default, 5 years, is
#   longer than any public CA may issue, and acmed refuses it),
#   PEBBLE_LEAF_NAMES (comma-separated DNS names that the API's TLS
#   certificate names besides localhost, when certs makes it),
#   PEBBLE_NONCE_REJECT (percent of nonces refused as badNonce, 0),
#   PEBBLE_BLOCKLIST (comma-separated names; use names of several labels),
#   PEBBLE_EAB (comma-separated kid:base64url-hmac-key pairs; makes
#   external account binding required),
#   PEBBLE_DNS_SERVER (host:port Pebble resolves with instead of
#   challtestsrv, e.g. a name server the test runs),
#   PEBBLE_EXTRA_ENV (extra VAR=value words for pebble, e.g.
#   "PEBBLE_AUTHZREUSE=0 PEBBLE_CHAIN_LENGTH=3").
set -u

usage() {
	echo "usage: $0 certs|start|stop|root|env DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

port=${PEBBLE_PORT:-14000}
mgmt_port=${PEBBLE_MGMT_PORT:-15000}
http_port=${PEBBLE_HTTP_PORT:-5002}
tls_port=${PEBBLE_TLS_PORT:-5001}
dns_port=${PEBBLE_DNS_PORT:-8053}
cmgmt_port=${PEBBLE_CHALL_MGMT_PORT:-8055}
nonce_reject=${PEBBLE_NONCE_REJECT:-0}

die() {
	echo "pebble.sh: $*" >&2
	exit 1
}

# A throwaway CA and a leaf for localhost (and PEBBLE_LEAF_NAMES), 127.0.0.1
# and ::1; made once per directory.
certs() {
	mkdir -p "$dir" || die "cannot create $dir"
	[ -s "$dir/ca.pem" ] && [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] &&
	    return 0
	umask 077
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 30 \
	    -subj "/CN=acmed regress CA $$" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    >"$dir/openssl.log" 2>&1 || die "CA: see $dir/openssl.log"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$dir/key.pem" -out "$dir/leaf.csr" -subj "/CN=localhost" \
	    >>"$dir/openssl.log" 2>&1 || die "leaf key: see $dir/openssl.log"
	san=DNS:localhost
	for n in $(printf '%s' "${PEBBLE_LEAF_NAMES:-}" | tr ',' ' '); do
		san="$san,DNS:$n"
	done
	printf '%s\n' \
	    "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" \
	    "subjectAltName=$san,IP:127.0.0.1,IP:::1" \
	    >"$dir/leaf.ext"
	openssl x509 -req -in "$dir/leaf.csr" -CA "$dir/ca.pem" \
	    -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
	    -days 30 -extfile "$dir/leaf.ext" -out "$dir/cert.pem" \
	    >>"$dir/openssl.log" 2>&1 || die "leaf: see $dir/openssl.log"
	chmod 0644 "$dir/ca.pem" "$dir/cert.pem"
	umask 022
}

# A comma list as a JSON array of strings (names only: no quotes).
json_list() {
	printf '%s' "$1" | awk -F, '{
		s = "";
		for (i = 1; i <= NF; i++) {
			gsub(/^[ \t]+|[ \t]+$/, "", $i);
			if ($i == "") continue;
			s = s (s == "" ? "" : ", ") "\"" $i "\"";
		}
		printf "[%s]", s;
	}'
}

# kid:key,kid:key as a JSON object.
json_eab() {
	printf '%s' "$1" | awk -F, '{
		s = "";
		for (i = 1; i <= NF; i++) {
			n = index($i, ":");
			if (n == 0) continue;
			s = s (s == "" ? "" : ", ") "\"" substr($i, 1, n - 1) \
			    "\": \"" substr($i, n + 1) "\"";
		}
		printf "{%s}", s;
	}'
}

config() {
	eab_req=false
	eab_keys="{}"
	if [ -n "${PEBBLE_EAB:-}" ]; then
		eab_req=true
		eab_keys=$(json_eab "$PEBBLE_EAB")
	fi
	validity="\"certificateValidityPeriod\": ${PEBBLE_VALIDITY:-7776000},"
	blocklist=""
	[ -n "${PEBBLE_BLOCKLIST:-}" ] &&
	    blocklist="\"domainBlocklist\": $(json_list "$PEBBLE_BLOCKLIST"),"
	cat >"$dir/pebble.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$port",
    "managementListenAddress": "127.0.0.1:$mgmt_port",
    "certificate": "$dir/cert.pem",
    "privateKey": "$dir/key.pem",
    "httpPort": $http_port,
    "tlsPort": $tls_port,
    "ocspResponderURL": "",
    $validity
    $blocklist
    "externalAccountBindingRequired": $eab_req,
    "externalAccountMACKeys": $eab_keys
  }
}
EOF
}

# pid from file $1 if that process is still the program named $2.
live_pid() {
	[ -s "$1" ] || return 1
	lp=$(cat "$1")
	case "$lp" in ''|*[!0-9]*) return 1 ;; esac
	[ -r "/proc/$lp/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$lp/cmdline" | grep -q "$2" || return 1
	echo "$lp"
}

# started PIDFILE: the process runs (by pid: a child that has not reached
# its exec yet still has the shell's command line), and is not a zombie.
started() {
	sp=$(cat "$1" 2>/dev/null)
	kill -0 "$sp" 2>/dev/null &&
	    ! grep -q '^[0-9]* (.*) Z' "/proc/$sp/stat" 2>/dev/null
}

stop_one() {
	sp=$(live_pid "$dir/$1.pid" "$2") || { rm -f "$dir/$1.pid"; return 0; }
	kill "$sp" 2>/dev/null
	si=0
	while [ $si -lt 50 ] && kill -0 "$sp" 2>/dev/null; do
		sleep 0.1
		si=$((si + 1))
	done
	kill -0 "$sp" 2>/dev/null && kill -9 "$sp" 2>/dev/null
	rm -f "$dir/$1.pid"
}

dir_answers() {
	curl -sf --max-time 2 --cacert "$dir/ca.pem" -o /dev/null \
	    "https://127.0.0.1:$port/dir"
}

start() {
	command -v pebble >/dev/null || die "pebble not installed (make deps)"
	certs
	dir=$(cd "$dir" && pwd)
	live_pid "$dir/pebble.pid" pebble >/dev/null &&
	    die "already running in $dir"
	config
	pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
	    -dns01 "127.0.0.1:$dns_port" -management "127.0.0.1:$cmgmt_port" \
	    -http01 "" -https01 "" -tlsalpn01 "" \
	    </dev/null >"$dir/challtestsrv.log" 2>&1 &
	echo $! >"$dir/challtestsrv.pid"
	# shellcheck disable=SC2086
	env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT="$nonce_reject" \
	    ${PEBBLE_EXTRA_ENV:-} \
	    pebble -config "$dir/pebble.json" -dnsserver "${PEBBLE_DNS_SERVER:-127.0.0.1:$dns_port}" \
	    </dev/null >"$dir/pebble.log" 2>&1 &
	echo $! >"$dir/pebble.pid"
	i=0
	while ! dir_answers; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! started "$dir/pebble.pid" ||
		    ! started "$dir/challtestsrv.pid"; then
			echo "pebble.sh: Pebble did not answer on" \
			    "127.0.0.1:$port; last log lines:" >&2
			tail -n 5 "$dir/pebble.log" "$dir/challtestsrv.log" >&2
			stop
			exit 1
		fi
		sleep 0.1
	done
	cat >"$dir/env" <<EOF
PEBBLE_URL=https://127.0.0.1:$port/dir
PEBBLE_CA=$dir/ca.pem
PEBBLE_MGMT=https://127.0.0.1:$mgmt_port
PEBBLE_DIR=$dir
EOF
	cat "$dir/env"
}

stop() {
	stop_one pebble pebble
	stop_one challtestsrv challtestsrv
}

root() {
	if [ -s "$dir/env" ]; then
		mgmt=$(sed -n 's/^PEBBLE_MGMT=//p' "$dir/env")
	else
		mgmt="https://127.0.0.1:$mgmt_port"
	fi
	curl -sf --max-time 5 --cacert "$dir/ca.pem" "$mgmt/roots/0" \
	    >"$dir/root.pem.tmp" &&
	    curl -sf --max-time 5 --cacert "$dir/ca.pem" \
	    "$mgmt/intermediates/0" >>"$dir/root.pem.tmp" ||
	    die "cannot fetch the roots from $mgmt"
	mv "$dir/root.pem.tmp" "$dir/root.pem"
}

case "$cmd" in
certs)	certs ;;
start)	start ;;
stop)	stop ;;
root)	root ;;
env)	cat "$dir/env" ;;
*)	usage ;;
esac
