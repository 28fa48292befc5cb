#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed in front of a real server: nginx on a loopback port serves the
# certificate and key acmed installs, and only acmed reloads it.  Pebble
# issues certificates that live 60 seconds, so one run sees nginx serve
# the provisional certificate, then Pebble's, then a renewed one, each
# checked with a TLS client (openssl s_client) and by acmed's own
# deployment check (verify).  Then the reload command is made wrong
# (/bin/true, by SIGHUP): at the next renewal nginx keeps the old
# certificate and acmed raises deploy-mismatch naming the endpoint.
. "$(dirname "$0")/lib.sh"

if ! command -v nginx >/dev/null 2>&1; then
	echo "ok 1 # skip nginx not installed"
	exit 0
fi
NGINX_BIN=$(command -v nginx)
NAME=a.example.org
t_users
PEBBLE_VALIDITY=60 t_pebble 14900 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (certificates live 60 s)"

D=$T_TMP/nginx
conf=$T_TMP/acmed.conf
log=$T_TMP/log
events=$T_TMP/events
stages=$T_TMP/stages
mkdir -p "$D/sites" "$T_TMP/served"
NGINX_ARGS="-e $D/error.log -p $D -c $D/nginx.conf"

# port_free PORT: no socket uses it, listening or connected.
port_free() {
	[ -z "$(ss -Htan "sport = :$1" 2>/dev/null)" ]
}

# nginx starts with a plain server only, to know it is up; the TLS site
# is in sites/ and needs the certificate files, so it is first loaded by
# the reload acmed runs after installing the provisional certificate.
# The ports are below the ephemeral range (32768 and up), where no
# outgoing connection can hold the TLS port when the reload binds it.
nginx_conf() {
	HP=$(( ($(od -An -N2 -tu2 /dev/urandom) % 10000) + 20000 ))
	NP=$((HP + 1))
	port_free "$HP" && port_free "$NP" || return 1
	t_nginx_conf "$D" 64 info >"$D/nginx.conf"
	cat >>"$D/nginx.conf" <<EOF
	access_log off;
	server {
		listen 127.0.0.1:$HP;
		return 200 "up\n";
	}
	include $D/sites/*.conf;
}
EOF
}
nginx_ready() {
	curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HP/"
}
t_at_exit t_nginx_stop
if ! t_nginx_start "$D" nginx_conf nginx_ready; then
	notok "nginx starts on a loopback port"
	sed 's/^/# /' "$D/error.log" 2>/dev/null | tail -5
	t_done
	exit 1
fi
ok "nginx starts on 127.0.0.1:$HP"
nginx_master=$(cat "$D/nginx.pid" 2>/dev/null)

cat >"$D/sites/tls.conf" <<EOF
server {
	listen 127.0.0.1:$NP ssl;
	server_name $NAME;
	ssl_certificate $T_TMP/$NAME.full;
	ssl_certificate_key $T_TMP/$NAME.key;
	return 200 "tls\n";
}
EOF

# served [FILE]: the leaf nginx presents for $NAME (PEM, into FILE or
# stdout); fails if there is none.
served() {
	timeout 5 openssl s_client -connect "127.0.0.1:$NP" \
	    -servername "$NAME" </dev/null 2>/dev/null |
	    openssl x509 -outform PEM >"${1:-/dev/stdout}" 2>/dev/null
}
# field FILE WHAT: one openssl x509 field (serial, enddate, issuer,
# subject, fingerprint) of a PEM file, without its label.
field() {
	openssl x509 -in "$1" -noout "-$2" -nameopt RFC2253 2>/dev/null |
	    sed 's/^[^=]*=//'
}
served_serial() {
	served "$T_TMP/now.pem" && field "$T_TMP/now.pem" serial
}
installed_serial() {
	field "$T_TMP/$NAME.crt" serial
}
# is_provisional FILE: self-signed with the provisional CN.
is_provisional() {
	[ "$(field "$1" subject)" = "$(field "$1" issuer)" ] &&
	    field "$1" subject | grep -q "CN=acmed provisional $NAME"
}
# by_pebble FILE: issued by Pebble's intermediate, and it verifies.
by_pebble() {
	field "$1" issuer | grep -q 'Pebble Intermediate' &&
	    "$TOP/regress/pebble.sh" root "$T_PEBBLE_DIR" >/dev/null 2>&1 &&
	    openssl verify -CAfile "$T_PEBBLE_DIR/root.pem" "$1" >/dev/null 2>&1
}
# epoch FILE: the notAfter of a certificate, in seconds.
epoch() {
	date -d "$(field "$1" enddate)" +%s
}
# contains STRING PART
contains() {
	case "$1" in *"$2"*) return 0 ;; esac
	return 1
}
lines_ge() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}
log_has() {
	grep -qE -- "$1" "$log"
}
# log_since MARK PATTERN: a line after the last one matching MARK
# matches PATTERN.
log_since() {
	awk -v m="$1" -v p="$2" '
	    $0 ~ m { n = NR }
	    { l[NR] = $0 }
	    END { if (!n) exit 1
		for (i = n + 1; i <= NR; i++) if (l[i] ~ p) exit 0; exit 1 }
	' "$log"
}

# Run by acmed after its nginx reload: what nginx presents once the
# reload has taken (5 s at most), kept as served/N.pem, and whether it is
# the installed certificate.  acmed runs actions one after another, so
# this sees each stage before the next installation.
cat >"$T_TMP/probe" <<EOF
#!/bin/sh
n=\$((\$(ls "$T_TMP/served" | wc -l) + 1))
want=\$(openssl x509 -in "$T_TMP/$NAME.crt" -noout -fingerprint -sha256)
i=0
r=mismatch
while [ \$i -lt 50 ]; do
	timeout 3 openssl s_client -connect 127.0.0.1:$NP -servername $NAME \
	    </dev/null 2>/dev/null | openssl x509 -outform PEM \
	    >"$T_TMP/served/\$n.pem" 2>/dev/null
	got=\$(openssl x509 -in "$T_TMP/served/\$n.pem" -noout \
	    -fingerprint -sha256 2>/dev/null)
	if [ -n "\$got" ] && [ "\$got" = "\$want" ]; then
		r=match
		break
	fi
	sleep 0.1
	i=\$((i + 1))
done
echo "\$n \$r" >>"$stages"
EOF
chmod 0755 "$T_TMP/probe"

cat >"$T_TMP/hook" <<EOF
#!/bin/sh
echo "\$ACMED_EVENT \$ACMED_DOMAIN \$ACMED_ERROR" >>"$events"
EOF
chmod 0755 "$T_TMP/hook"

# conf_write RELOAD...: the configuration, with these reload lines.
conf_write() {
	t_conf "$conf"
	echo "event hook \"$T_TMP/hook\"" >>"$conf"
	t_domain "$conf" "$NAME"
	sed -i '$d' "$conf"
	for r in "$@"; do
		echo "	reload \"$r\"" >>"$conf"
	done
	cat >>"$conf" <<EOC
	verify 127.0.0.1 port $NP
}
EOC
}
conf_write "$NGINX_BIN $NGINX_ARGS -s reload" "$T_TMP/probe"

dpid=
stop_acmed() {
	[ -n "$dpid" ] || return 0
	t_stop "$dpid"
	dpid=
}
t_at_exit stop_acmed
start=$(date +%s)
"$ACMED" -d -v -f "$conf" >"$log" 2>&1 &
dpid=$!

### 1. The provisional certificate, loaded by acmed's first reload.
if wait_for 30 lines_ge "$stages" 1; then
	ok "provisional: acmed reloaded nginx and the probe ran"
else
	notok "provisional: acmed reloaded nginx and the probe ran"
	sed 's/^/# /' "$log" | tail -20
	t_done
	exit 1
fi
check "provisional: nginx served the installed certificate" \
    grep -qx '1 match' "$stages"
check "provisional: it was the provisional one (self-signed, CN acmed provisional $NAME)" \
    is_provisional "$T_TMP/served/1.pem"

### 2. Pebble's certificate.
check "issued: acmed reloaded nginx again" wait_for 30 lines_ge "$stages" 2
check "issued: nginx served the installed certificate" \
    grep -qx '2 match' "$stages"
check "issued: issued by Pebble's intermediate, verifies to its root" \
    by_pebble "$T_TMP/served/2.pem"
s2=$(field "$T_TMP/served/2.pem" serial)
check "issued: a TLS client gets serial $s2 from nginx" sh -c \
    "[ '$s2' = \"\$(timeout 5 openssl s_client -connect 127.0.0.1:$NP \
    -servername $NAME </dev/null 2>/dev/null | openssl x509 -noout \
    -serial | sed 's/^serial=//')\" ]"
check "issued: acmed's check found nginx serving it" wait_for 15 \
    log_since "$NAME: certificate issued" \
    "$NAME: 127.0.0.1:$NP serves the installed certificate"

### 3. The renewal, at half of the 60 s lifetime.
check "renewed: acmed reloaded nginx a third time" \
    wait_for 60 lines_ge "$stages" 3
check "renewed: nginx served the installed certificate" \
    grep -qx '3 match' "$stages"
check "renewed: issued by Pebble" by_pebble "$T_TMP/served/3.pem"
s3=$(field "$T_TMP/served/3.pem" serial)
check "renewed: another serial ($s2, then $s3)" \
    sh -c "[ -n '$s3' ] && [ '$s2' != '$s3' ]"
check "renewed: a later notAfter" \
    [ "$(epoch "$T_TMP/served/3.pem")" -gt "$(epoch "$T_TMP/served/2.pem")" ]
check "renewed: acmed's check found nginx serving it" wait_for 15 \
    log_since "$NAME: certificate renewed" \
    "$NAME: 127.0.0.1:$NP serves the installed certificate"
check "renewed: the event hook saw issued, then renewed" sh -c \
    "grep -q '^issued $NAME' '$events' && grep -q '^renewed $NAME' '$events'"
check "no deploy-mismatch while the reload works" \
    sh -c "! grep -q deploy-mismatch '$events'"
check "nginx was never restarted (same master)" \
    [ "$(cat "$D/nginx.pid" 2>/dev/null)" = "$nginx_master" ]

### 4. A reload command that does not reload.
conf_write "/bin/true"
kill -HUP "$dpid"
check "SIGHUP: the new configuration is read" \
    wait_for 10 log_has 'configuration reloaded'
check "wrong reload: the next renewal installs a new certificate" \
    wait_for 60 sh -c "[ \"\$(openssl x509 -in '$T_TMP/$NAME.crt' -noout \
    -serial | sed 's/^serial=//')\" != '$s3' ]"
s4=$(installed_serial)
check "wrong reload: nginx still serves the previous one ($s3, not $s4)" \
    [ "$(served_serial)" = "$s3" ]
check "wrong reload: deploy-mismatch raised within 40 s" \
    wait_for 40 grep -q "^deploy-mismatch $NAME " "$events"
mismatch=$(grep "^deploy-mismatch $NAME " "$events" 2>/dev/null | head -1)
echo "# $mismatch"
check "wrong reload: the event names the endpoint 127.0.0.1:$NP" \
    contains "$mismatch" " 127.0.0.1:$NP "
check "wrong reload: and says nginx serves the older certificate $s3" \
    contains "$mismatch" \
    "serves an older certificate for the same names (serial $s3,"
check "wrong reload: the log says so too" \
    log_has "$NAME: deployment mismatch: 127\.0\.0\.1:$NP does not serve"
check "wrong reload: nginx still serves $s3 (acmed's check reads only)" \
    [ "$(served_serial)" = "$s3" ]

check "acmed still runs" kill -0 "$dpid"
check "whole test under 3 minutes ($(($(date +%s) - start)) s)" \
    [ $(($(date +%s) - start)) -lt 180 ]
if [ "$t_failed" -gt 0 ]; then
	sed 's/^/# /' "$log" | tail -40
	sed 's/^/# events: /' "$events" 2>/dev/null
fi
t_done
