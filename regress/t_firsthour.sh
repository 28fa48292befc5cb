#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# An administrator's first hour, as README's quick start gives it, against
# Pebble (ports 17400-17406) and nginx (17420): "make install" on the
# live system, the example configuration adapted to the test CA, acmed -n,
# a first pass with acmed -o -v, the installed rc script, nginx started
# after acmed, acmed -s as root and as nobody, -o beside the daemon, -r
# with the daemon told, restart, stop, make uninstall.  It all happens in
# a private mount namespace where /etc, /var and /usr/local are overlays
# and /run a tmpfs, so nothing outside it changes.
if [ -z "${T_FIRSTHOUR_NS:-}" ]; then
	T_FIRSTHOUR_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
t_users

# The system's directories as overlays of the test's own.
for d in etc var usr/local; do
	o=$T_TMP/overlay/$(echo "$d" | tr / _)
	mkdir -p "$o/upper" "$o/work"
	chmod 0755 "$o/upper"
	mount -t overlay overlay \
	    -o "lowerdir=/$d,upperdir=$o/upper,workdir=$o/work" "/$d" ||
	    { notok "overlay on /$d"; t_done; exit 1; }
done
mount -t tmpfs -o mode=0755 tmpfs /run ||
    { notok "tmpfs on /run"; t_done; exit 1; }
ok "private /etc, /var, /usr/local and /run"

t_pebble 17400 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
nginx_port=17420
ACMED_I=/usr/local/sbin/acmed
RC=/etc/init.d/acmed
CONF=/etc/acmed.conf
t_at_exit "[ ! -s /run/acmed.pid ] || kill \$(cat /run/acmed.pid) 2>/dev/null;
    [ ! -s /run/nginx.pid ] || kill \$(cat /run/nginx.pid) 2>/dev/null"

# make install, as README says, on this (namespaced) live system.
check "make install" sh -c \
    "make -s -C '$TOP' install >'$T_TMP/install.out' 2>&1"
grep -v '^cc\|^ar\|^byacc' "$T_TMP/install.out" | sed 's/^/# /'
check "acmed is in /usr/local/sbin" test -x "$ACMED_I"
check "no systemd here: the rc script is installed as $RC" test -x "$RC"
check "install says what to run next" grep -q "update-rc.d acmed defaults" \
    "$T_TMP/install.out"
for d in /etc/acmed /var/lib/acmed; do
	check "$d made for the example" test -d "$d"
done

# The example, adapted: the test CA for both authorities, a listener
# Pebble's validation reaches, a log file.
cp /usr/local/share/examples/acmed/acmed.conf "$CONF"
t_conf_example "$CONF" \
    "s|^#event hook.*|log file \"/var/log/acmed.log\"|" \
    "s|^	reload \"/usr/sbin/nginx -s reload\"|&\\
	verify 127.0.0.1 port $nginx_port|"
check "acmed -n accepts the adapted example" sh -c \
    "'$ACMED_I' -n >'$T_TMP/n.out' 2>&1"
sed 's/^/# /' "$T_TMP/n.out"

# nginx for example.com, with the files acmed writes; not started yet.
t_nginx_conf /var/lib/nginx-test 64 >/etc/nginx/nginx.conf
mkdir -p /var/lib/nginx-test
cat >>/etc/nginx/nginx.conf <<EOC
	access_log off;
	server {
		listen 127.0.0.1:$nginx_port ssl;
		server_name example.com www.example.com;
		ssl_certificate /etc/ssl/example.com.fullchain.pem;
		ssl_certificate_key /etc/ssl/private/example.com.key;
		return 200 "ok\n";
	}
}
EOC
sed -i 's|^daemon off;|daemon on;|; s|^pid .*|pid /run/nginx.pid;|' \
    /etc/nginx/nginx.conf
check_not "nginx cannot start before the certificate exists" \
    sh -c "/usr/sbin/nginx -t >'$T_TMP/nginx-t' 2>&1"

# The first pass in the foreground: issued; the reload owed, nginx is
# not running yet.
"$ACMED_I" -o -v >"$T_TMP/o.out" 2>&1
o_rc=$?
check "acmed -o -v: the certificate issued" \
    grep -q "example.com: certificate issued, valid until" "$T_TMP/o.out"
check "acmed -o -v: exit 1, the reload failed (nginx does not run)" \
    [ "$o_rc" -eq 1 ]
check "acmed -o -v: says the reload is owed" \
    grep -q "reload.*fail" "$T_TMP/o.out"
check "the log file has the pass too" \
    grep -q "certificate issued" /var/log/acmed.log

# Boot integration without systemd, as README says.
check "$RC start: exit 0" sh -c "'$RC' start >'$T_TMP/start.out' 2>&1"
check "$RC status: running" sh -c "'$RC' status >/dev/null"
check "the pid file names the daemon" sh -c \
    "kill -0 \$(cat /run/acmed.pid)"
check "nginx starts after acmed" /usr/sbin/nginx
served_issuer() {
	echo | openssl s_client -connect "127.0.0.1:$nginx_port" \
	    -servername example.com 2>/dev/null |
	    openssl x509 -noout -issuer 2>/dev/null
}
served_serial() {
	echo | openssl s_client -connect "127.0.0.1:$nginx_port" \
	    -servername example.com 2>/dev/null |
	    openssl x509 -noout -serial 2>/dev/null
}
nginx_pebble() {
	served_issuer | grep -qi pebble
}
check "nginx serves the certificate Pebble issued" nginx_pebble
status_ok() {
	"$ACMED_I" -s >"$T_TMP/s.out" 2>&1
}
check "acmed -s exits 0 once the owed reload has run (bounded)" \
    wait_for 60 status_ok
sed 's/^/# /' "$T_TMP/s.out"
check "acmed -s as nobody" setpriv --reuid=nobody --regid=nogroup \
    --clear-groups "$ACMED_I" -s

# Beside the daemon.
"$ACMED_I" -o >"$T_TMP/o2.out" 2>&1
o2_rc=$?
check "acmed -o beside the daemon: exit 1" [ "$o2_rc" -eq 1 ]
check "acmed -o beside the daemon: says it runs" \
    grep -q "already running (pid $(cat /run/acmed.pid)" "$T_TMP/o2.out"
before=$(served_serial)
check "acmed -r example.com: exit 0" sh -c \
    "'$ACMED_I' -r example.com >'$T_TMP/r.out' 2>&1"
sed 's/^/# /' "$T_TMP/r.out"
replaced() {
	s=$(served_serial)
	[ -n "$s" ] && [ "$s" != "$before" ] &&
	    served_issuer | grep -qi pebble
}
check "after -r the daemon issues anew and nginx serves it (bounded)" \
    wait_for 60 replaced

# Day two: restart, stop, status without a daemon, uninstall.
old=$(cat /run/acmed.pid)
check "$RC restart: exit 0" sh -c "'$RC' restart >/dev/null 2>&1"
check "restart: a new daemon" sh -c \
    "p=\$(cat /run/acmed.pid) && [ \"\$p\" != $old ] && kill -0 \$p"
p=$(cat /run/acmed.pid)
check "$RC stop: exit 0" sh -c "'$RC' stop >/dev/null 2>&1"
check "stop returns once the daemon is gone" proc_gone "$p"
"$ACMED_I" -s >"$T_TMP/s2.out" 2>&1
s2_rc=$?
check "acmed -s without a daemon: exit 2, not running" sh -c \
    "[ $s2_rc -eq 2 ] && grep -q 'not running' '$T_TMP/s2.out'"
kill "$(cat /run/nginx.pid)" 2>/dev/null
check "make uninstall" sh -c \
    "make -s -C '$TOP' uninstall >'$T_TMP/uninstall.out' 2>&1"
check "uninstall: acmed is gone" test ! -e "$ACMED_I"
check "uninstall: the rc script is gone" test ! -e "$RC"
check "uninstall: keys, certificate and state stay" \
    test -s /etc/ssl/private/example.com.key -a \
    -s /etc/ssl/example.com.fullchain.pem -a -d /var/lib/acmed
t_done
