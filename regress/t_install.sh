#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# make install into a DESTDIR, the man pages through mandoc -Tlint, the
# systemd unit through systemd-analyze verify, the rc script through sh -n.
. "$(dirname "$0")/lib.sh"
root=$T_TMP/root
check "make install DESTDIR=... PREFIX=/usr" sh -c \
    "make -s -C '$TOP' install DESTDIR='$root' PREFIX=/usr >'$T_TMP/install.out' 2>&1"
check "acmed installed 0755" sh -c "[ \$(stat -c %a '$root/usr/sbin/acmed') = 755 ]"
for p in netproc keyproc challenged; do
	check "$p installed 0755 in /usr/libexec/acmed" sh -c \
	    "[ \$(stat -c %a '$root/usr/libexec/acmed/$p') = 755 ]"
done
check "installed acmed looks for them in /usr/libexec/acmed" \
    grep -aq "/usr/libexec/acmed" "$root/usr/sbin/acmed"
check "the build tree's acmed looks for them in obj/libexec" \
    grep -aq "$TOP/obj/libexec" "$ACMED"
check "challenged links no network library (OpenSSL only, for tls-alpn-01)" sh -c \
    "! readelf -d '$root/usr/libexec/acmed/challenged' | grep -Eq 'lib(curl|tls)\.so'"
check "only netproc links libcurl" sh -c \
    "readelf -d '$root/usr/libexec/acmed/netproc' | grep -q libcurl && ! readelf -d '$root/usr/sbin/acmed' '$root/usr/libexec/acmed/keyproc' | grep -q libcurl"
check "acmed(8) installed" test -s "$root/usr/share/man/man8/acmed.8"
check "acmed.conf(5) installed" test -s "$root/usr/share/man/man5/acmed.conf.5"
check "example configuration installed" test -s "$root/usr/share/examples/acmed/acmed.conf"
check "systemd unit installed" test -s "$root/usr/share/examples/acmed/acmed.service"
check "rc script installed" test -x "$root/usr/share/examples/acmed/acmed.rc"
check "nothing created outside DESTDIR: users are only mentioned" \
    grep -q mkusers "$T_TMP/install.out"
for d in etc/acmed etc/ssl/private; do
	check "the example's directory /$d made 0700" sh -c \
	    "[ \$(stat -c %a '$root/$d') = 700 ]"
done
check "the state directory made 0711 (status.json for any user)" sh -c \
    "[ \$(stat -c %a '$root/var/lib/acmed') = 711 ]"
check "the installed rc script runs the installed acmed" \
    grep -q '^DAEMON=${DAEMON:-/usr/sbin/acmed}$' \
    "$root/usr/share/examples/acmed/acmed.rc"
check "the installed unit runs the installed acmed" \
    grep -q '^ExecStart=/usr/sbin/acmed -f /etc/acmed.conf$' \
    "$root/usr/share/examples/acmed/acmed.service"
check "install says where the boot integration is" \
    grep -q 'boot integration: /usr/share/examples/acmed/acmed.service' \
    "$T_TMP/install.out"
# What uninstall leaves: the state, keys and certificates.
echo key >"$root/etc/acmed/le.key"
echo state >"$root/var/lib/acmed/status.json"
check "make uninstall DESTDIR=... PREFIX=/usr" sh -c \
    "make -s -C '$TOP' uninstall DESTDIR='$root' PREFIX=/usr >'$T_TMP/uninstall.out' 2>&1"
check "uninstall: no file left under /usr" \
    [ -z "$(find "$root/usr" -type f 2>/dev/null)" ]
check "uninstall: the child programs' directory is gone" \
    test ! -e "$root/usr/libexec/acmed"
check "uninstall: keys and state are left" \
    test -s "$root/etc/acmed/le.key" -a -s "$root/var/lib/acmed/status.json"
check "uninstall: says what it left" \
    grep -q "left in place: /etc/acmed.conf, /etc/acmed/, /var/lib/acmed" \
    "$T_TMP/uninstall.out"
check "make install again after uninstall" sh -c \
    "make -s -C '$TOP' install DESTDIR='$root' PREFIX=/usr >/dev/null 2>&1"
# Its keys and certificates in directories of the test's own.
t_conf_copy "$TOP/etc/acmed.conf" "$T_TMP/example.conf" /etc/acmed /etc/ssl
check "the example configuration is valid (acmed -n)" \
    "$root/usr/sbin/acmed" -n -f "$T_TMP/example.conf"
for m in acmed/acmed.8 acmed/acmed.conf.5; do
	check "mandoc -Tlint $m" sh -c \
	    "mandoc -Tlint -Wwarning '$TOP/$m' >'$T_TMP/lint' 2>&1; rc=\$?; cat '$T_TMP/lint'; [ \$rc -eq 0 ] && [ ! -s '$T_TMP/lint' ]"
done
check "rc script: sh -n" sh -n "$TOP/etc/acmed.rc"
if command -v shellcheck >/dev/null 2>&1; then
	check "rc script: shellcheck" shellcheck -s sh "$TOP/etc/acmed.rc"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/local/sbin/acmed|$ACMED|g" "$TOP/etc/acmed.service" \
	    >"$T_TMP/acmed.service"
	check "systemd-analyze verify acmed.service" sh -c \
	    "systemd-analyze verify --man=no '$T_TMP/acmed.service' >'$T_TMP/sa' 2>&1; rc=\$?; cat '$T_TMP/sa'; [ \$rc -eq 0 ] && ! grep -q . '$T_TMP/sa'"
else
	ok "systemd-analyze verify # skip: not installed"
fi
t_done
