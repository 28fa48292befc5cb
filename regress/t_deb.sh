#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The Debian package: "make deb" builds it (lintian finds no error or
# warning), dpkg installs it on a system without acmed's users, acmed -n
# accepts the installed example, the installed daemon issues a
# certificate from Pebble (ports 17600-17606), nothing was started or
# enabled, and a purge leaves no file and no user behind.  dpkg works in
# a private mount namespace where /etc, /usr and /var are overlays and
# /run a tmpfs: the system, its users and the /usr/sbin/acmed or
# /run/acmed.pid of other tests stay as they are.
if [ -z "${T_DEB_NS:-}" ]; then
	# Descriptor 9: the system's root, seen from outside the overlays.
	exec 9</
	T_DEB_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
for tool in dpkg-buildpackage dh lintian adduser; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool missing (make deps)"
		exit 0
	fi
done
users="_acmed _acmed-key _acmed-www _acmed-dns"

# The package, built as "make deb" builds it, in the test's directory.
checkout_status() {
	git -C "$TOP" status --porcelain --ignored 2>/dev/null | grep -v ' obj/$'
}
checkout_status >"$T_TMP/status.before"
start=$(date +%s)
check "make deb" sh -c \
    "make -C '$TOP' deb O='$T_TMP/o' >'$T_TMP/deb.out' 2>&1"
echo "# make deb: $(($(date +%s) - start)) s"
deb=$(ls "$T_TMP"/o/deb/acmed_*.deb 2>/dev/null | head -n 1)
check "make deb made a .deb" test -s "$deb"
if [ ! -s "$deb" ]; then
	tail -n 30 "$T_TMP/deb.out" | sed 's/^/# /'
	t_done
	exit 1
fi
check "the package's version is the Makefile's" sh -c \
    "[ \"\$(dpkg-deb -f '$deb' Version)\" = \
    \"\$(sed -n 's/^VERSION[	 ]*= *//p' '$TOP/Makefile')\" ]"
check "Depends from the libraries linked (shlibs)" sh -c \
    "dpkg-deb -f '$deb' Depends | grep -q 'libcurl4.*libtls'"
lintian --fail-on error,warning -I "$T_TMP"/o/deb/acmed_*.changes \
    >"$T_TMP/lintian.out" 2>&1
l_rc=$?
sed 's/^/# lintian: /' "$T_TMP/lintian.out"
check "lintian: no error or warning" sh -c \
    "[ $l_rc -eq 0 ] && ! grep -q '^[EW]:' '$T_TMP/lintian.out'"
checkout_status >"$T_TMP/status.after"
check "the checkout is as it was (no debian/, no package file)" sh -c \
    "[ ! -e '$TOP/debian' ] &&
    cmp -s '$T_TMP/status.before' '$T_TMP/status.after'"

# The system's directories as overlays of the test's own.
for d in etc usr var; do
	mkdir -p "$T_TMP/ov/$d/upper" "$T_TMP/ov/$d/work"
	chmod 0755 "$T_TMP/ov/$d/upper"
	mount -t overlay overlay -o \
	    "lowerdir=/$d,upperdir=$T_TMP/ov/$d/upper,workdir=$T_TMP/ov/$d/work" \
	    "/$d" || { notok "overlay on /$d"; t_done; exit 1; }
done
mount -t tmpfs -o mode=0755 tmpfs /run ||
    { notok "tmpfs on /run"; t_done; exit 1; }
ok "private /etc, /usr, /var and /run"

# A Debian system as it comes: no users of acmed's, no /var/empty, no
# state.  With /run/systemd/system the maintainer scripts take the path
# they take under systemd, and deb-systemd-invoke decides whether to
# start the unit; systemctl answers from the unit files (SYSTEMD_OFFLINE)
# and a policy-rc.d that refuses every start (a container's) is taken
# away, or it would decide first.
for u in $users; do
	! getent passwd "$u" >/dev/null || deluser --quiet --system "$u" \
	    >/dev/null 2>&1
done
rm -rf /var/empty /var/lib/acmed /etc/acmed /usr/sbin/policy-rc.d
mkdir -p /run/systemd/system
export SYSTEMD_OFFLINE=1
# What the overlays' upper directories hold: every file made, changed
# or removed (a whiteout), and every directory that is new or has a new
# mode or owner; not the package managers' own records (dpkg's database
# and log, man-db's cache, deb-systemd-helper's state directory, made
# once for every package).
fs_list() {
	for d in etc usr var; do
		(cd "$T_TMP/ov/$d/upper" &&
		    find . ! -name . -printf '%p %y %M %u:%g\n') |
		    while read -r p y m o; do
			l=/proc/$$/fd/9/$d/${p#./}
			[ "$y" = d ] && [ -d "$l" ] &&
			    [ "$(stat -c '%A %U:%G' "$l")" = "$m $o" ] &&
			    continue
			echo "/$d/${p#./} $y $m $o"
		done
	done | grep -Ev '^/var/lib/dpkg[/ ]|^/var/log[/ ]|^/var/cache[/ ]|^/var/lib/systemd/deb-systemd-helper-|^/etc/(passwd|group|shadow|gshadow)-? |^/etc/ld\.so\.cache ' |
	    sort
}
fs_list >"$T_TMP/before"
getent passwd | sort >"$T_TMP/passwd.before"
getent group | sort >"$T_TMP/group.before"

check "dpkg -i" sh -c "dpkg -i '$deb' >'$T_TMP/dpkg-i.out' 2>&1"
sed 's/^/# /' "$T_TMP/dpkg-i.out"

for u in $users; do
	check "user $u: a system user, no login, home /var/empty" sh -c \
	    "getent passwd '$u' | awk -F: '\$3 < 1000 && \$6 == \"/var/empty\" && \$7 == \"/usr/sbin/nologin\"' | grep -q ."
	check "user $u: its own group" sh -c \
	    "[ \"\$(id -gn '$u')\" = '$u' ]"
done
mode_is() {
	[ "$(stat -c '%a %U:%G' "$1" 2>/dev/null)" = "$2 root:root" ]
}
check "/usr/sbin/acmed 0755" mode_is /usr/sbin/acmed 755
for p in netproc keyproc challenged; do
	check "/usr/libexec/acmed/$p 0755" mode_is /usr/libexec/acmed/$p 755
done
check "the installed acmed runs its children from /usr/libexec/acmed" \
    grep -aq /usr/libexec/acmed /usr/sbin/acmed
for m in man8/acmed.8.gz man5/acmed.conf.5.gz; do
	check "/usr/share/man/$m" test -s /usr/share/man/$m
done
check "/etc/acmed.conf 0644, a conffile" sh -c \
    "[ \"\$(stat -c %a /etc/acmed.conf)\" = 644 ] &&
    dpkg-query -W -f='\${Conffiles}' acmed | grep -q '^ /etc/acmed.conf '"
check "/etc/acmed.conf is the example" cmp -s /etc/acmed.conf \
    "$TOP/etc/acmed.conf"
check "the unit in /lib/systemd/system runs /usr/sbin/acmed" \
    grep -q '^ExecStart=/usr/sbin/acmed -f /etc/acmed.conf$' \
    /lib/systemd/system/acmed.service
check "/var/lib/acmed 0711 (status.json for any user)" \
    mode_is /var/lib/acmed 711
check "/etc/acmed 0700 (account keys)" mode_is /etc/acmed 700
check "/var/empty made, 0755" mode_is /var/empty 755

# Nothing started: the unit is not enabled, deb-systemd-invoke said it
# does not start it, and no daemon left a trace.
check "the unit is not enabled" sh -c \
    "! ls /etc/systemd/system/*.wants/acmed.service >/dev/null 2>&1 &&
    [ \"\$(systemctl is-enabled acmed.service 2>/dev/null)\" = disabled ]"
check "postinst asked to start it, and it was not: disabled" \
    grep -q "acmed.service is a disabled or a static unit, not starting it" \
    "$T_TMP/dpkg-i.out"
acmed_procs() {
	for e in /proc/[0-9]*/exe; do
		[ "$(readlink "$e" 2>/dev/null)" = /usr/sbin/acmed ] &&
		    echo "$e"
	done
}
check "no process runs /usr/sbin/acmed" [ -z "$(acmed_procs)" ]
check "no pid file, no state written" sh -c \
    "[ ! -e /run/acmed.pid ] &&
    [ -z \"\$(ls -A /var/lib/acmed | grep -v '^.var-empty-made-by-package\$')\" ]"

# The example as installed (it names nginx, which make deps installs).
check "acmed -n accepts the installed /etc/acmed.conf" sh -c \
    "/usr/sbin/acmed -n >'$T_TMP/n.out' 2>&1"
sed 's/^/# /' "$T_TMP/n.out"

# The installed programs, users and directories at work: the example with
# both authorities on Pebble, a listener Pebble's validation reaches, no
# reload (no nginx runs), and its keys and certificates under $T_TMP.
t_pebble 17600 || { notok "pebble starts"; t_done; exit 1; }
t_conf_copy /etc/acmed.conf "$T_TMP/acmed.conf" /etc/acmed /etc/ssl
t_conf_example "$T_TMP/acmed.conf" '/^	reload "/d'
cp "$T_TMP/acmed.conf" /etc/acmed.conf
check "acmed -o -v: the installed daemon issues example.com" sh -c \
    "/usr/sbin/acmed -o -v >'$T_TMP/o.out' 2>&1 &&
    grep -q 'example.com: certificate issued, valid until' '$T_TMP/o.out'"
grep -i 'error\|warn\|fail' "$T_TMP/o.out" | head -n 10 | sed 's/^/# /'
check "it wrote the state in /var/lib/acmed" \
    test -s /var/lib/acmed/status.json

check "dpkg --purge" sh -c "dpkg --purge acmed >'$T_TMP/purge.out' 2>&1"
sed 's/^/# /' "$T_TMP/purge.out"
for u in $users; do
	check "purge: user $u and its group removed" sh -c \
	    "! getent passwd '$u' >/dev/null && ! getent group '$u' >/dev/null"
done
getent passwd | sort >"$T_TMP/passwd.after"
getent group | sort >"$T_TMP/group.after"
check "purge: the users and groups are as before" sh -c \
    "cmp -s '$T_TMP/passwd.before' '$T_TMP/passwd.after' &&
    cmp -s '$T_TMP/group.before' '$T_TMP/group.after'"
fs_list >"$T_TMP/after"
check "purge: no file left behind, and none it did not make removed" \
    cmp -s "$T_TMP/before" "$T_TMP/after"
diff "$T_TMP/before" "$T_TMP/after" | sed 's/^/# /'
check "purge: the issued key and certificate stay" test -s \
    "$T_TMP/moved/etc/ssl/example.com.fullchain.pem"

# Again on a system that has /var/empty and a key in /etc/acmed: both
# stay, and the purge says why /etc/acmed does.
install -d -m 0755 /var/empty
install -d -m 0700 /etc/acmed
echo key >/etc/acmed/letsencrypt.key
chmod 0600 /etc/acmed/letsencrypt.key
check "dpkg -i, then --purge, with /var/empty and a key there" sh -c \
    "dpkg -i '$deb' >/dev/null 2>&1 &&
    dpkg --purge acmed >'$T_TMP/purge2.out' 2>&1"
check "purge: an existing /var/empty stays" test -d /var/empty
check "purge: the account key stays" test -s /etc/acmed/letsencrypt.key
check "purge: says /etc/acmed is left in place" \
    grep -q "/etc/acmed is not empty" "$T_TMP/purge2.out"
check "purge: the state is gone" test ! -e /var/lib/acmed
t_done
