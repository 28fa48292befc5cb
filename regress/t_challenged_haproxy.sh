#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed behind HAProxy: the README's frontend and backend, taken from the
# README and moved to loopback ports, send /.well-known/acme-challenge/
# (and nothing else) to challenged, once with the rest going to the
# site's own backend, once with the README's redirect to https enabled.
# Requests go through tcptap.py on their way to challenged, so the Host
# header HAProxy sends on can be looked at.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"
. "$(dirname "$0")/front_lib.sh"

HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ ! -x "$HAPROXY" ]; then
	echo "ok 1 # skip haproxy not installed"
	exit 0
fi

TOK=haproxyToken_0123456789-abcdefghijklmnopqrstu
KA=$TOK.thumbprint_0123456789-abcdefghijklmnopqrst

chald_publish

front_backend

D=$T_TMP/haproxy
mkdir -p "$D"
readme_block '^HAProxy .*tested by' >"$D/readme.cfg"
if grep -q '^	bind :80$' "$D/readme.cfg" &&
    grep -q '^	bind :::80$' "$D/readme.cfg" &&
    grep -q '^	server acmed 127\.0\.0\.1:8402$' "$D/readme.cfg" &&
    grep -q '^	# http-request redirect ' "$D/readme.cfg"; then
	ok "the README's HAProxy frontend and backend"
else
	notok "the README's HAProxy frontend and backend"
	sed 's/^/# /' "$D/readme.cfg"
fi

# As written, port 80 and all (checked, not bound).
{
	printf 'defaults\n\tmode http\n\ttimeout connect 5s\n'
	printf '\ttimeout client 10s\n\ttimeout server 10s\n\n'
	printf 'backend web\n\tmode http\n\n'
	sed 's/^	# \(http-request redirect \)/	\1/' "$D/readme.cfg"
} >"$D/check.cfg"
"$HAPROXY" -c -f "$D/check.cfg" >"$D/check.out" 2>&1
r=$?
check "haproxy -c: the README's text, redirect enabled, is valid ($r)" \
    [ "$r" -eq 0 ]
check_not "... without a warning" \
    grep -Eq '\[(WARNING|ALERT)\]' "$D/check.out"

# The README's frontend twice, on a loopback port instead of port 80 and
# pointed at $BP instead of 8402: as given (with its backend), and with
# its redirect to https enabled.
readme_haproxy() {
	sed -e "s/^	bind :80\$/	bind 127.0.0.1:$HP1/" \
	    -e '/^	bind :::80$/d' \
	    -e "s/127\.0\.0\.1:8402/127.0.0.1:$BP/" "$D/readme.cfg"
	echo
	sed -e '/^$/q' -e 's/^frontend www$/frontend www_https/' \
	    -e "s/^	bind :80\$/	bind 127.0.0.1:$HP2/" \
	    -e '/^	bind :::80$/d' \
	    -e 's/^	# \(http-request redirect \)/	\1/' "$D/readme.cfg"
}
haproxy_conf() {
	HP1=$(front_port)
	HP2=$(front_port)
	[ "$HP1" != "$HP2" ] || return 1
	cat >"$D/haproxy.cfg" <<EOF
global
	log stderr format raw daemon info

defaults
	mode http
	log global
	option httplog
	timeout connect 5s
	timeout client 10s
	timeout server 10s

# The site itself.
backend web
	mode http
	http-request return content-type text/plain string "the site itself"

$(readme_haproxy)
EOF
}

HAP=
haproxy_stop() {
	front_stop "$HAP"
	HAP=
}
haproxy_up() {
	alive "$HAP" || return 0
	[ "$(http_code "http://127.0.0.1:$HP1/")" != 000 ] &&
	    [ "$(http_code "http://127.0.0.1:$HP2/")" != 000 ]
}
t_at_exit haproxy_stop

# A port may be taken: a few tries, each with new ones.
i=0
while [ "$i" -lt 5 ]; do
	i=$((i + 1))
	haproxy_conf || continue
	setsid "$HAPROXY" -f "$D/haproxy.cfg" -db >"$D/stdout" 2>"$D/log" &
	HAP=$!
	if wait_for 10 haproxy_up && alive "$HAP"; then
		break
	fi
	haproxy_stop
done
if [ -z "$HAP" ]; then
	notok "haproxy starts"
	sed 's/^/# /' "$D/stdout" "$D/log" 2>/dev/null | tail -20
	t_done
	exit 1
fi
ok "haproxy starts on 127.0.0.1:$HP1 and :$HP2, forwarding to $BP"
check "haproxy has nothing to say about its configuration" \
    sh -c "! grep -Eq '^\[(WARNING|ALERT)\]' '$D/stdout' '$D/log'"

for p in "$HP1" "$HP2"; do
	front_checks haproxy "$p"
done

# As given, everything else goes to the site's backend.
b="http://127.0.0.1:$HP1"
for path in / /.well-known/other "/.well-known/acme-challenge" \
    "/.well-known/acme-challenge.$TOK" "/x/.well-known/acme-challenge/$TOK"
do
	r=$(curl -s --max-time 5 -w ' %{http_code}' "$b$path")
	check "$HP1: $path: stays with the site ($r)" \
	    [ "$r" = "the site itself 200" ]
done

# With the redirect, everything else goes to https.
b="http://127.0.0.1:$HP2"
for path in / /.well-known/other "/.well-known/acme-challenge" \
    "/x/.well-known/acme-challenge/$TOK"; do
	r=$(curl -s --max-time 5 -o /dev/null \
	    -w '%{http_code} %{redirect_url}' -H 'Host: www.example.org' \
	    "$b$path")
	check "$HP2: $path: redirected to https ($r)" \
	    [ "$r" = "302 https://www.example.org$path" ]
done

chald_del "$TOK"
u="http://127.0.0.1:$HP1/.well-known/acme-challenge"
withdrawn() {
	[ "$(http_code "$u/$TOK")" = 404 ]
}
wait_for 5 withdrawn
r=$(http_code "$u/$TOK")
check "withdrawn token: 404 through haproxy ($r)" [ "$r" = 404 ]
check "haproxy logged the token request sent to backend acmed" \
    grep -q "www acmed/acmed .* 200 .*\"GET /.well-known/acme-challenge/$TOK " \
    "$D/log"
check "haproxy logged the site's request sent to backend web" \
    grep -q "www web/<NOSRV> .* 200 .*\"GET / " "$D/log"

haproxy_stop
chald_stop
r=$CHALD_EXIT
check "challenged stops cleanly (exit $r)" [ "$r" = 0 ]
t_done
