#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# make demo: starts Pebble (Let's Encrypt's test CA) and its mock DNS on
# 127.0.0.1, runs acmed once in the foreground for two names, shows what
# was issued and verifies it against Pebble's root, then stops Pebble.
# Everything lives in a new directory under /tmp, kept afterwards: acmed
# trusts no file another user could change, and the checkout may be
# anyone's (acmed.conf(5), SECURITY).
set -u
umask 022
top=$(cd "$(dirname "$0")/.." && pwd)
acmed=$top/obj/acmed
port=${DEMO_PORT:-14000}
http_port=${DEMO_HTTP_PORT:-5002}

"$top/etc/mkusers.sh" >/dev/null || exit 1
demo=$(mktemp -d /tmp/acmed-demo.XXXXXX) || exit 1
chmod 0755 "$demo"
mkdir "$demo/certs" || exit 1

pebble() {
	PEBBLE_PORT=$port PEBBLE_MGMT_PORT=$((port + 1000)) \
	    PEBBLE_HTTP_PORT=$http_port "$top/regress/pebble.sh" "$@"
}
trap 'pebble stop "$demo/pebble" >/dev/null 2>&1' EXIT
trap 'exit 1' INT TERM
echo "== starting Pebble on 127.0.0.1:$port (http-01 validations to port $http_port)"
pebble start "$demo/pebble" >/dev/null || exit 1
. "$demo/pebble/env"

cat >"$demo/acmed.conf" <<EOF2
# acmed demo: Pebble on loopback, two names in one certificate.
listen on 127.0.0.1 port $http_port
state directory "$demo/state"

authority pebble {
	api url "$PEBBLE_URL"
	api ca "$PEBBLE_CA"
	account key "$demo/state/pebble-account.key"
	contact "mailto:admin@example.org"
}

domain www.example.org {
	alternative names { example.org }
	domain key "$demo/certs/www.example.org.key"
	domain certificate "$demo/certs/www.example.org.crt"
	domain chain certificate "$demo/certs/www.example.org.chain.pem"
	domain full chain certificate "$demo/certs/www.example.org.fullchain.pem"
	sign with pebble
}
EOF2
echo "== configuration $demo/acmed.conf"
"$acmed" -n -f "$demo/acmed.conf" || exit 1
echo "== acmed -o -d -v (one pass in the foreground)"
"$acmed" -o -d -v -f "$demo/acmed.conf"
rc=$?
if [ $rc -ne 0 ]; then
	echo "== acmed failed (exit $rc)"
	exit $rc
fi
crt=$demo/certs/www.example.org.crt
echo "== the certificate"
openssl x509 -in "$crt" -noout -subject -issuer -enddate -ext subjectAltName
echo "== files"
ls -l "$demo/certs"
echo "== openssl verify against Pebble's root"
pebble root "$demo/pebble" >/dev/null || exit 1
openssl verify -CAfile "$demo/pebble/root.pem" \
    -untrusted "$demo/certs/www.example.org.chain.pem" "$crt" || exit 1
echo "== done: Pebble stopped, files kept under $demo"
