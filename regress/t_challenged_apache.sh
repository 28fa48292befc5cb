#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed behind Apache httpd 2.4: two virtual hosts on loopback ports
# forward /.well-known/acme-challenge/ (and nothing else) to challenged
# with the directives taken from the README, one serving its own files
# (without the RedirectMatch), the other sending the rest to https.
# Requests go through tcptap.py on their way to challenged, so the Host
# header Apache sends on can be looked at.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chald_lib.sh"
. "$(dirname "$0")/front_lib.sh"

HTTPD=$(command -v apache2 || echo /usr/sbin/apache2)
MODS=/usr/lib/apache2/modules
if [ ! -x "$HTTPD" ] || [ ! -f "$MODS/mod_proxy_http.so" ]; then
	echo "ok 1 # skip apache2 not installed"
	exit 0
fi

TOK=apacheToken_0123456789-abcdefghijklmnopqrstuv
KA=$TOK.thumbprint_0123456789-abcdefghijklmnopqrst

chald_publish

front_backend

# The README's directives, pointed at $BP instead of 8402: all of them,
# and all but the redirect to https.
D=$T_TMP/apache
mkdir -p "$D/htdocs"
readme_block '^Apache httpd 2\.4' | sed "s/127\.0\.0\.1:8402/127.0.0.1:$BP/" \
    >"$D/readme.conf"
grep -v -e '^RedirectMatch' -e '^# If this' "$D/readme.conf" \
    >"$D/readme-noredirect.conf"
if grep -q '^ProxyPass .*127\.0\.0\.1:'"$BP"'/' "$D/readme.conf" &&
    grep -q '^RedirectMatch' "$D/readme.conf" &&
    ! grep -q 8402 "$D/readme.conf"; then
	ok "the README's Apache directives"
else
	notok "the README's Apache directives"
	sed 's/^/# /' "$D/readme.conf"
fi
echo "the site itself" >"$D/htdocs/index.html"

# As written, in a <VirtualHost *:80> (checked, not bound).
cat >"$D/check.conf" <<EOF
ServerRoot $D
DefaultRuntimeDir $D
PidFile $D/check.pid
ErrorLog $D/check.log
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
ServerName localhost
Listen 80
<VirtualHost *:80>
	ServerName www.example.org
$(readme_block '^Apache httpd 2\.4')
</VirtualHost>
EOF
r=$("$HTTPD" -t -f "$D/check.conf" 2>&1)
check "apache2 -t: the README's text is valid ($r)" [ "$r" = "Syntax OK" ]

user=
if [ "$(id -u)" -eq 0 ]; then
	id www-data >/dev/null 2>&1 && user=www-data || user=nobody
fi

apache_conf() {
	AP1=$(front_port)
	AP2=$(front_port)
	[ "$AP1" != "$AP2" ] || return 1
	cat >"$D/apache2.conf" <<EOF
ServerRoot $D
DefaultRuntimeDir $D
PidFile $D/apache2.pid
ErrorLog $D/error.log
LogLevel warn
Mutex file:$D default
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
${user:+User $user
Group #$(id -g "$user")}
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
ServerName localhost
Listen 127.0.0.1:$AP1
Listen 127.0.0.1:$AP2
LogFormat "%v:%p \"%r\" %>s" front
CustomLog $D/access.log front
DirectoryIndex index.html

# As in Debian's apache2.conf.
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<Directory $D/htdocs>
	Require all granted
</Directory>

# A site that serves its own files.
<VirtualHost 127.0.0.1:$AP1>
	ServerName www.example.org
	DocumentRoot $D/htdocs
	ErrorDocument 404 "apache: not found"
$(cat "$D/readme-noredirect.conf")
</VirtualHost>

# A site that sends everything else to https.
<VirtualHost 127.0.0.1:$AP2>
	ServerName www.example.org
	DocumentRoot $D/htdocs
$(cat "$D/readme.conf")
</VirtualHost>
EOF
}

APACHE=
apache_stop() {
	front_stop "$APACHE"
	APACHE=
}
apache_up() {
	alive "$APACHE" || return 0
	[ "$(http_code "http://127.0.0.1:$AP1/")" != 000 ] &&
	    [ "$(http_code "http://127.0.0.1:$AP2/")" != 000 ]
}
t_at_exit apache_stop

# A port may be taken: a few tries, each with new ones.
i=0
while [ "$i" -lt 5 ]; do
	i=$((i + 1))
	apache_conf || continue
	setsid "$HTTPD" -f "$D/apache2.conf" -k start -DFOREGROUND \
	    >"$D/stdout" 2>&1 &
	APACHE=$!
	if wait_for 10 apache_up && alive "$APACHE"; then
		break
	fi
	apache_stop
done
if [ -z "$APACHE" ]; then
	notok "apache2 starts"
	sed 's/^/# /' "$D/stdout" "$D/error.log" 2>/dev/null | tail -20
	t_done
	exit 1
fi
ok "apache2 starts on 127.0.0.1:$AP1 and :$AP2, forwarding to $BP"

for p in "$AP1" "$AP2"; do
	front_checks apache2 "$p"
done

# The site serving its own files keeps everything else.
b="http://127.0.0.1:$AP1"
r=$(curl -s --max-time 5 "$b/")
check "$AP1: the rest of the site stays with apache2" \
    [ "$r" = "the site itself" ]
r=$(curl -s --max-time 5 -w ' %{http_code}' "$b/.well-known/other")
check "$AP1: other .well-known paths stay with apache2 ($r)" \
    [ "$r" = "apache: not found 404" ]
r=$(curl -s --max-time 5 -w ' %{http_code}' \
    "$b/.well-known/acme-challenge.$TOK")
check "$AP1: a name that only starts like the directory stays ($r)" \
    [ "$r" = "apache: not found 404" ]

# The redirecting one sends everything else to https, the challenge
# directory excepted.
b="http://127.0.0.1:$AP2"
for path in / /index.html /.well-known/other \
    "/.well-known/acme-challenge" "/x/.well-known/acme-challenge/$TOK"; do
	r=$(curl -s --max-time 5 -o /dev/null \
	    -w '%{http_code} %{redirect_url}' "$b$path")
	check "$AP2: $path: redirected to https ($r)" \
	    [ "$r" = "301 https://www.example.org$path" ]
done

chald_del "$TOK"
u="http://127.0.0.1:$AP1/.well-known/acme-challenge"
withdrawn() {
	[ "$(http_code "$u/$TOK")" = 404 ]
}
wait_for 5 withdrawn
r=$(http_code "$u/$TOK")
check "withdrawn token: 404 through apache2 ($r)" [ "$r" = 404 ]
check "apache2 logged the forwarded token request" \
    grep -q "GET /.well-known/acme-challenge/$TOK HTTP/1.1\" 200" \
    "$D/access.log"
check_not "apache2 logged no warning or error" \
    grep -E '\[[a-z_0-9]+:(warn|error|crit|alert|emerg)\]' "$D/error.log"
check "apache2 had nothing to say on its standard output or error" \
    [ ! -s "$D/stdout" ]

apache_stop
check "apache2 stopped" [ ! -e "$D/apache2.pid" ]
chald_stop
r=$CHALD_EXIT
check "challenged stops cleanly (exit $r)" [ "$r" = 0 ]
t_done
