#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# tls-alpn-01 behind a web server on port 443: the README's nginx stream
# block (ssl_preread, a map on the ALPN list) and HAProxy frontend
# (req.ssl_alpn), taken from the README and moved to loopback ports,
# send the handshakes that offer acme-tls/1 to challenged and every
# other one to the site's own TLS server (openssl s_server here, with a
# certificate of its own).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"
. "$(dirname "$0")/front_lib.sh"
t_python
CLI="$PY $TOP/regress/helpers/alpncli.py"
KA=frontToken_0123456789-abcdefghij.thumbprint_0123456789-abcdefgh
FP=17641	# the front server's "443"
WP=17642	# the site's own TLS

if ! chald_start alpn/127.0.0.1:0; then
	notok "challenged starts"
	cat "$T_TMP/chald.err"
	t_done
	exit 1
fi
CP=$(chald_port 1)
check "www.example.org published" chald_add_alpn www.example.org "$KA"
want=$(printf %s "$KA" | openssl dgst -sha256 -r | cut -d' ' -f1 |
    tr a-f A-F)

# The site's own TLS server, with a certificate of its own.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=site -days 1 -keyout "$T_TMP/site.key" \
    -out "$T_TMP/site.crt" >/dev/null 2>&1
openssl s_server -quiet -accept "127.0.0.1:$WP" -cert "$T_TMP/site.crt" \
    -key "$T_TMP/site.key" -alpn h2,http/1.1 -www </dev/null \
    >/dev/null 2>&1 &
SITE=$!
t_at_exit "kill $SITE 2>/dev/null"

# digest FILE: the acmeIdentifier of a DER certificate, as hex.
digest() {
	openssl asn1parse -inform DER -in "$1" 2>/dev/null |
	    awk '/OBJECT *:1.3.6.1.5.5.7.1.31/ { f = 1; next }
		f && /OCTET STRING/ { sub(/.*\[HEX DUMP\]:/, ""); print; exit }'
}
# front_alpn NAME: the routing checks through the front server on $FP.
front_alpn() {
	r=$($CLI -a acme-tls/1 -s www.example.org -o "$T_TMP/a.der" \
	    127.0.0.1 "$FP")
	check "$1: acme-tls/1 reaches challenged ($r)" \
	    [ "$r" = "ok acme-tls/1 eof" ]
	check "$1: its certificate holds the key authorization's digest" \
	    [ "$(digest "$T_TMP/a.der")" = "0420$want" ]
	r=$($CLI -a acme-tls/1 -s unknown.example.org 127.0.0.1 "$FP")
	check "$1: acme-tls/1 for another name: challenged refuses it ($r)" \
	    [ "$r" = "refused TLSV1_UNRECOGNIZED_NAME" ]
	r=$($CLI -t 1 -a h2 -a http/1.1 -s www.example.org -o "$T_TMP/w.der" \
	    127.0.0.1 "$FP")
	check "$1: h2 reaches the site ($r)" [ "$r" = "ok h2 open" ]
	check "$1: with the site's certificate" sh -c \
	    "openssl x509 -inform DER -in '$T_TMP/w.der' -noout -subject |
	    grep -q 'CN *= *site'"
	r=$($CLI -t 1 -s www.example.org -o "$T_TMP/n.der" 127.0.0.1 "$FP")
	check "$1: no ALPN reaches the site ($r)" [ "$r" = "ok - open" ]
}

# nginx, the README's stream block.
if ! nginx -V 2>&1 | grep -q -- '--with-stream' ||
    [ ! -f /usr/lib/nginx/modules/ngx_stream_module.so ]; then
	echo "ok $((t_n + 1)) # skip nginx's stream module not installed"
	t_n=$((t_n + 1))
else
	D=$T_TMP/nginx
	mkdir -p "$D"
	readme_block '^nginx .the stream module' >"$D/readme.conf"
	check "the README's nginx stream block" \
	    grep -q 'ssl_preread on;' "$D/readme.conf"
	nginx_conf() {
		{
			echo "load_module /usr/lib/nginx/modules/ngx_stream_module.so;"
			echo "daemon off;"
			echo "worker_processes 1;"
			echo "pid $D/nginx.pid;"
			echo "error_log $D/error.log;"
			echo "events { worker_connections 64; }"
			sed -e "s/^		listen 443;/		listen 127.0.0.1:$FP;/" \
			    -e '/listen \[::\]:443;/d' \
			    -e "s/127\.0\.0\.1:8443/127.0.0.1:$CP/" \
			    -e "s/127\.0\.0\.1:4443/127.0.0.1:$WP/" \
			    "$D/readme.conf"
		} >"$D/nginx.conf"
	}
	nginx_up() {
		$CLI -t 1 -a acme-tls/1 -s www.example.org 127.0.0.1 "$FP" |
		    grep -q '^ok'
	}
	if t_nginx_start "$D" nginx_conf nginx_up; then
		ok "nginx runs the README's stream block"
		front_alpn nginx
	else
		notok "nginx runs the README's stream block"
		sed 's/^/# /' "$D/error.log"
	fi
	t_nginx_stop
fi

# HAProxy, the README's frontend and backends.
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ ! -x "$HAPROXY" ]; then
	echo "ok $((t_n + 1)) # skip haproxy not installed"
	t_n=$((t_n + 1))
else
	D=$T_TMP/haproxy
	mkdir -p "$D"
	readme_block '^HAProxy .tested by .regress/t_challenged_alpn_front' \
	    >"$D/readme.cfg"
	check "the README's HAProxy tls frontend" \
	    grep -q 'req.ssl_alpn acme-tls/1' "$D/readme.cfg"
	{
		printf 'defaults\n\ttimeout connect 5s\n'
		printf '\ttimeout client 10s\n\ttimeout server 10s\n\n'
		sed -e "s/^	bind :443\$/	bind 127.0.0.1:$FP/" \
		    -e '/^	bind :::443$/d' \
		    -e "s/127\.0\.0\.1:8443/127.0.0.1:$CP/" \
		    -e "s/127\.0\.0\.1:4443/127.0.0.1:$WP/" "$D/readme.cfg"
	} >"$D/haproxy.cfg"
	"$HAPROXY" -c -f "$D/haproxy.cfg" >"$D/check.out" 2>&1
	check "haproxy -c: the README's text is valid" [ $? -eq 0 ]
	check_not "... without a warning" \
	    grep -Eq '\[(WARNING|ALERT)\]' "$D/check.out"
	"$HAPROXY" -db -f "$D/haproxy.cfg" >"$D/out" 2>&1 &
	HP=$!
	t_at_exit "kill $HP 2>/dev/null"
	up() {
		$CLI -t 1 -a acme-tls/1 -s www.example.org 127.0.0.1 "$FP" |
		    grep -q '^ok'
	}
	if wait_for 5 up; then
		ok "haproxy runs the README's frontend"
		front_alpn haproxy
	else
		notok "haproxy runs the README's frontend"
		sed 's/^/# /' "$D/out"
	fi
	kill "$HP" 2>/dev/null
fi

chald_stop
t_done
