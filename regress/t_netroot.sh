#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# What the parent copies into netproc's root (STATE/netproc/etc): only
# what any user could read.  In a mount namespace of its own, acmed sees
# a copy of /etc whose resolv.conf is a link into a directory nobody
# owns, as systemd-resolved's is into its user's.  The file nobody keeps
# there, which anyone may read, is copied; once nobody points it at a
# file only root may read, the start copies nothing and says why, and
# the copy made before is gone.  No authority answers (port 9): each
# pass of acmed -o only starts the children, which makes the copies.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip needs root (mount namespace, owners)"
	exit 0
fi
t_users
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

etc=$T_TMP/etc
nob=$T_TMP/nob
copy=$T_TMP/state/netproc/etc/resolv.conf
conf=$T_TMP/acmed.conf
log=$T_TMP/log
cp -a /etc "$etc"
mkdir "$nob"
chown nobody "$nob"
as_nobody sh -c "printf 'nameserver 127.0.0.9\n' >'$nob/resolv.conf'"
rm -f "$etc/resolv.conf"
ln -s "$nob/resolv.conf" "$etc/resolv.conf"
printf 'root only\n' >"$T_TMP/secret"
chmod 0600 "$T_TMP/secret"

T_HTTP_PORT=16706
PEBBLE_URL=https://127.0.0.1:9/dir
PEBBLE_CA=$T_TMP/ca.pem
"$TOP/regress/pebble.sh" certs "$T_TMP/certs" >/dev/null &&
    cp "$T_TMP/certs/ca.pem" "$PEBBLE_CA"
t_conf "$conf"
t_domain "$conf" root.example.org

# pass: acmed -o with the copy of /etc over /etc; its log in $log.
pass() {
	unshare -m --propagation private sh -c \
	    'mount --bind "$0" /etc && exec "$@"' \
	    "$etc" "$ACMED" -o -d -v -f "$conf" >"$log" 2>&1
}

pass
check "a resolv.conf anyone may read, in nobody's directory: copied" \
    cmp -s "$nob/resolv.conf" "$copy"
as_nobody ln -sfn "$T_TMP/secret" "$nob/resolv.conf"
check "nobody pointed it at a file only root may read" \
    test "$(stat -L -c '%U %a' "$etc/resolv.conf")" = "root 600"
pass
check_not "root's file is not copied into netproc's root" \
    grep -qr 'root only' "$T_TMP/state/netproc"
check "the copy made before is gone: the resolver goes without it" \
    test ! -e "$copy"
check "the log says why" grep -qF \
    "/etc/resolv.conf: not readable by others (mode 0600): netproc resolves without it" \
    "$log"
check "the other resolver files are copied" \
    cmp -s "$etc/hosts" "$T_TMP/state/netproc/etc/hosts"
t_done
