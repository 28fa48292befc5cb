#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Alternate chains (Link rel="alternate"): Pebble with two roots; the
# configuration prefers the chain whose top issuer is the second root.
# Through ariproxy, an alternate that cannot be downloaded leaves the
# default chain, and the log says why.
. "$(dirname "$0")/lib.sh"
t_users
t_python
PEBBLE_EXTRA_ENV="PEBBLE_ALTERNATE_ROOTS=1" t_pebble 14700 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts with an alternate root"
conf=$T_TMP/acmed.conf
run() {
	"$ACMED" -o -d -v -f "$@" >"$T_TMP/out" 2>&1
}
root_cn() {
	curl -sf --max-time 5 --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/roots/$1" |
	    openssl x509 -noout -subject -nameopt multiline |
	    sed -n 's/^ *commonName *= *//p'
}
top_issuer() {
	# The issuer of the last certificate in a PEM chain file.
	awk '/BEGIN CERT/{n++} {print > ("'"$T_TMP"'/part" n ".pem")}' "$1"
	last=$(ls "$T_TMP"/part*.pem | sort -V | tail -1)
	openssl x509 -in "$last" -noout -issuer -nameopt multiline |
	    sed -n 's/^ *commonName *= *//p'
	rm -f "$T_TMP"/part*.pem
}
root0=$(root_cn 0)
root1=$(root_cn 1)
check "two distinct roots" sh -c "[ -n '$root0' ] && [ -n '$root1' ] && [ '$root0' != '$root1' ]"

t_conf "$conf"
t_domain "$conf" default.example.org
check "default chain: issued" run "$conf"
got=$(top_issuer "$T_TMP/default.example.org.full")
check "default chain: topped by the first root ($got)" test "$got" = "$root0"

t_conf "$conf"
t_domain "$conf" preferred.example.org
sed -i "s|^\tsign with pebble\$|\tsign with pebble\n\tpreferred chain \"$root1\"|" "$conf"
check "preferred chain: configured" grep -q "preferred chain \"$root1\"" "$conf"
check "preferred chain: issued" run "$conf"
got=$(top_issuer "$T_TMP/preferred.example.org.full")
check "preferred chain: topped by the second root ($got)" test "$got" = "$root1"
check "preferred chain: the log says the alternate was chosen" \
    grep -q "using the alternate chain issued by $root1" "$T_TMP/out"
check "preferred chain: verifies against the second root" sh -c \
    "curl -sf --max-time 5 --cacert '$PEBBLE_CA' '$PEBBLE_MGMT/roots/1' >'$T_TMP/root1.pem' &&
    openssl verify -CAfile '$T_TMP/root1.pem' -untrusted '$T_TMP/preferred.example.org.chain' \
    '$T_TMP/preferred.example.org.crt' >/dev/null"

t_conf "$conf"
t_domain "$conf" unknown.example.org
sed -i "s|^\tsign with pebble\$|\tsign with pebble\n\tpreferred chain \"No Such Root\"|" "$conf"
check "unknown preferred chain: still issued" run "$conf"
check "unknown preferred chain: the default is used and said so" \
    grep -q 'no chain issued by "No Such Root"; using the default one' "$T_TMP/out"
# The alternates fail (500 from the proxy in front of Pebble): the
# certificate is issued all the same, with the default chain.
check "proxy listening" t_ariproxy "$T_TMP/proxy-events" -r "$T_TMP/rules"
# Pebble serves the default chain at /certZ/ID, the alternates at
# /certZ/ID/alternate/N.
echo 'fail ^/certZ/[^/]+/alternate/' >"$T_TMP/rules"
# The account URL Pebble gave names Pebble's address, not the proxy's.
rm -f "$T_TMP/state/accounts/pebble.url"
t_conf "$conf" "$PROXY_URL"
t_domain "$conf" failing.example.org
sed -i "s|^\tsign with pebble\$|\tsign with pebble\n\tpreferred chain \"$root1\"|" "$conf"
check "alternate not downloaded: still issued" run "$conf"
check "alternate not downloaded: the proxy failed it" \
    grep -q ' fail /certZ/' "$T_TMP/proxy-events"
got=$(top_issuer "$T_TMP/failing.example.org.full")
check "alternate not downloaded: the default chain ($got)" \
    test "$got" = "$root0"
check "alternate not downloaded: the log says why" grep -q \
    "failing.example.org: alternate chain ${PROXY_URL%/dir}/certZ/[^ ]* not downloaded: .*serverInternal: failing as told" \
    "$T_TMP/out"
check "alternate not downloaded: and that the default is used" grep -q \
    "no chain issued by \"$root1\" could be downloaded; using the default one" \
    "$T_TMP/out"
check "alternate not downloaded: the chain verifies" \
    t_verify failing.example.org
t_done
