#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Orders wait their turn soonest deadline first: with "max orders 1",
# domains listed in one order in the configuration are issued in the
# order of their certificates' expiry, a domain without a certificate
# first.  The first domain of the file starts at once (nothing is queued
# yet): it is the one without a certificate, so the order is the same.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 16900 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
t_conf "$conf"
t_max_orders "$conf" 1
ca=$T_TMP/ca
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$ca.key" -out "$ca.pem" -days 60 -subj "/CN=queue test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" >"$T_TMP/openssl.log" 2>&1
# mkcert NAME DAYS: a key and a certificate for NAME expiring in DAYS.
mkcert() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$T_TMP/$1.key" >>"$T_TMP/openssl.log" 2>&1
	chmod 0600 "$T_TMP/$1.key"
	echo "subjectAltName=DNS:$1" >"$T_TMP/$1.ext"
	openssl req -new -key "$T_TMP/$1.key" -subj "/CN=$1" |
	    openssl x509 -req -CA "$ca.pem" -CAkey "$ca.key" -days "$2" \
	    -extfile "$T_TMP/$1.ext" -out "$T_TMP/$1.crt" \
	    >>"$T_TMP/openssl.log" 2>&1
	cp "$ca.pem" "$T_TMP/$1.chain"
	cat "$T_TMP/$1.crt" "$ca.pem" >"$T_TMP/$1.full"
}
# File order: none, 20 days, 3 days, 10 days, 40 days.
t_domain "$conf" none.queue.example.org
for d in 20 3 10 40; do
	mkcert "d$d.queue.example.org" "$d"
	t_domain "$conf" "d$d.queue.example.org"
done
# Every certificate is due: renewal 50 days before expiry.
sed -i 's/^	sign with pebble$/&\
	renew before 50 days/' "$conf"
check "configuration valid" sh -c "\"$ACMED\" -n -f \"$conf\" 2>/dev/null"

"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log" 2>&1
check "acmed -o exits 0" test "$?" -eq 0
n=0
for d in none d20 d3 d10 d40; do
	t_verify "$d.queue.example.org" && n=$((n + 1))
done
check "all 5 certificates installed and verified ($n)" test "$n" -eq 5

# The domains in the order netproc placed their orders.
order=$(sed -n 's/^netproc: \([a-z0-9]*\)\.queue\.example\.org: order .*/\1/p' \
    "$T_TMP/log" | tr '\n' ' ')
check "issued soonest expiry first, whatever the file's order: \
none d3 d10 d20 d40 ($order)" test "$order" = "none d3 d10 d20 d40 "
t_done
