#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed behind an existing web server: nginx on a loopback port forwards
# /.well-known/acme-challenge/ (and nothing else) to challenged, with the
# location block the README gives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"

if ! command -v nginx >/dev/null 2>&1; then
	echo "ok 1 # skip nginx not installed"
	exit 0
fi

TOK=nginxToken_0123456789-abcdefghijklmnopqrstuvw
KA=$TOK.thumbprint_0123456789-abcdefghijklmnopqrst

chald_publish

D=$T_TMP/nginx
mkdir -p "$D"
# nginx takes no port 0: try a few random ones.
nginx_conf() {
	NP=$(( ($(od -An -N2 -tu2 /dev/urandom) % 12000) + 20000 ))
	t_nginx_conf "$D" 256 info >"$D/nginx.conf"
	cat >>"$D/nginx.conf" <<EOF
	access_log $D/access.log;
	server {
		listen 127.0.0.1:$NP;
		server_name www.example.org;

		# From the README: only the challenge directory goes to acmed.
		location ^~ /.well-known/acme-challenge/ {
			proxy_pass http://127.0.0.1:$CP;
			proxy_set_header Host \$host;
		}

		location / {
			return 200 "the site itself\n";
		}
	}
}
EOF
}
nginx_ready() {
	nginx_up "http://127.0.0.1:$NP/"
}
t_at_exit t_nginx_stop
if ! t_nginx_start "$D" nginx_conf nginx_ready; then
	notok "nginx starts"
	sed 's/^/# /' "$D/error.log" | tail -20
	t_done
	exit 1
fi
ok "nginx starts on 127.0.0.1:$NP, forwarding to challenged on $CP"

u="http://127.0.0.1:$NP/.well-known/acme-challenge"
r=$(curl -s --max-time 5 -H 'Host: www.example.org' "$u/$TOK")
check "token answered through nginx" [ "$r" = "$KA" ]
r=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$u/unknown")
check "unknown token: 404 from challenged through nginx ($r)" [ "$r" = 404 ]
r=$(curl -s --max-time 5 -I "$u/$TOK" | tr -d '\r' |
    awk 'tolower($1) == "content-length:" { print $2 }')
check "HEAD through nginx: Content-Length ${#KA} ($r)" [ "$r" = "${#KA}" ]
r=$(curl -s --max-time 5 "$u/")
check "test page through nginx" ready "$r"
r=$(curl -s --max-time 5 "http://127.0.0.1:$NP/")
check "the rest of the site stays with nginx" [ "$r" = "the site itself" ]
r=$(curl -s --max-time 5 "http://127.0.0.1:$NP/.well-known/other")
check "other .well-known paths stay with nginx" [ "$r" = "the site itself" ]
chald_del "$TOK"
wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$u/$TOK')\" = 404 ]"
r=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$u/$TOK")
check "withdrawn token: 404 through nginx ($r)" [ "$r" = 404 ]
check "nginx logged the forwarded token request" \
    grep -q "GET /.well-known/acme-challenge/$TOK HTTP/1.1\" 200" \
    "$D/access.log"

t_nginx_stop
chald_stop
r=$CHALD_EXIT
check "challenged stops cleanly (exit $r)" [ "$r" = 0 ]
t_done
