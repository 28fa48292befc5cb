#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# IP-address identifiers (RFC 8738) end to end against Pebble on loopback:
# 127.0.0.1 and ::1 over http-01 (Pebble validates at the address itself,
# on its http port, where acmed listens), and a DNS name with addresses.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 17600 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
run() {
	"$ACMED" -o -d -v -f "$@" >"$T_TMP/out" 2>&1
}
# The leaf's subjectAltNames, one a line, sorted.
sans() {
	openssl x509 -in "$T_TMP/$1.crt" -noout -ext subjectAltName |
	    sed 1d | tr ',' '\n' | sed 's/^ *//' | sort
}
# sans_are NAME SAN...: the leaf of NAME has exactly these.
sans_are() {
	sa_n=$1; shift
	[ "$(sans "$sa_n")" = "$(printf '%s\n' "$@" | sort)" ]
}
# The global part, listening on ::1 too: Pebble validates ::1 there.
conf_ip() {
	t_conf "$conf"
	echo "listen on ::1 port $T_HTTP_PORT" >>"$conf"
}

# An address as the domain, v4 and v6 (a block name with ':' too).
conf_ip
t_domain "$conf" 127.0.0.1
t_domain "$conf" ::1
check "127.0.0.1 and ::1: acmed -n accepts them" "$ACMED" -n -f "$conf"
check "127.0.0.1 and ::1: acmed -o exits 0" run "$conf"
check "127.0.0.1: chain verifies against Pebble's root" t_verify 127.0.0.1
check "::1: chain verifies against Pebble's root" t_verify ::1
check "127.0.0.1: the leaf names the address as an iPAddress" \
    sans_are 127.0.0.1 "IP Address:127.0.0.1"
check "::1: the leaf names the address as an iPAddress" \
    sans_are ::1 "IP Address:0:0:0:0:0:0:0:1"
check "::1: the issued message names the domain" \
    grep -q '::1: certificate issued' "$T_TMP/out"
check "no pending order left behind" sh -c \
    "! ls '$T_TMP/state/orders/' 2>/dev/null | grep -q ."

# A DNS name with both addresses.
rm -rf "$T_TMP/state/orders"
conf_ip
t_domain "$conf" mixed.example.org "" 127.0.0.1 ::1
check "mixed: acmed -o exits 0" run "$conf"
check "mixed: chain verifies" t_verify mixed.example.org
check "mixed: the leaf names the name and both addresses" \
    sans_are mixed.example.org "DNS:mixed.example.org" \
    "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1"

# Renewal: the parent's check of the issued chain compares the leaf's
# iPAddresses with the configured addresses before it installs it.
cp "$T_TMP/mixed.example.org.crt" "$T_TMP/prev.crt"
sed -i 's|^\tsign with pebble$|\tsign with pebble\n\trenew before 3000 days|' \
    "$conf"
check "mixed, due: acmed -o exits 0" run "$conf"
check "mixed, due: a new certificate is installed" sh -c \
    "! cmp -s '$T_TMP/prev.crt' '$T_TMP/mixed.example.org.crt'"
check "mixed, due: the renewed leaf names the same" \
    sans_are mixed.example.org "DNS:mixed.example.org" \
    "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1"

# A deployment check of a domain of an address and a name: the name is
# the server name it sends (none is sent for an address, RFC 6066).  The
# server presents another certificate to a client that sends none.
VPORT=17609
rm -rf "$T_TMP/state"
conf_ip
t_domain "$conf" 127.0.0.1 "" sni.example.org
check "address and name: issued" run "$conf"
openssl s_server -quiet -www -naccept 100 -accept "127.0.0.1:$VPORT" \
    -cert "$T_PEBBLE_DIR/cert.pem" -key "$T_PEBBLE_DIR/key.pem" \
    -servername sni.example.org -cert2 "$T_TMP/127.0.0.1.crt" \
    -key2 "$T_TMP/127.0.0.1.key" </dev/null >"$T_TMP/s_server.log" 2>&1 &
spid=$!
t_at_exit "kill $spid 2>/dev/null"
wait_for 5 sh -c "ss -ltn | grep -q '127.0.0.1:$VPORT '"
sed -i "s|^\tsign with pebble\$|\tsign with pebble\n\tverify 127.0.0.1 port $VPORT|" \
    "$conf"
"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "address and name: the server serves the installed certificate" \
    wait_for 30 grep -q \
    "127.0.0.1: 127.0.0.1:$VPORT serves the installed certificate" \
    "$T_TMP/log"
t_stop "$dpid"

# What -n refuses, with file:line.
conf_ip
t_domain "$conf" "2001:DB8:0::1"
check_not "an IPv6 address not in RFC 5952 form: refused" \
    "$ACMED" -n -f "$conf"
"$ACMED" -n -f "$conf" >"$T_TMP/out" 2>&1
check "...with the form to write, at file:line" grep -q \
    "acmed.conf:[0-9]*: .*write the address as 2001:db8::1 (RFC 5952)" \
    "$T_TMP/out"

t_done
