#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The child programs acmed starts: refused when another user could have
# written them or their directory, with a message naming the file; the
# daemon then exits before it does anything else.  The build tree's
# obj/libexec is made writable for a moment and put back.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip acmed needs root"
	exit 0
fi
t_users
L=$ACMED_LIBEXEC
conf=$T_TMP/acmed.conf
cat >"$conf" <<EOC
listen on 127.0.0.1 port 1
state directory "$T_TMP/state"
authority none {
	api url "https://127.0.0.1:1/dir"
	api ca "/etc/ssl/certs/ca-certificates.crt"
	account key "$T_TMP/account.key"
}
domain helpers.example.org {
	domain key "$T_TMP/helpers.key"
	domain certificate "$T_TMP/helpers.crt"
	sign with none
}
EOC
modes="$(stat -c %a "$L") $(stat -c %a "$L/keyproc")"
t_at_exit "chmod $(stat -c %a "$L") '$L'; chmod $(stat -c %a "$L/keyproc") '$L/keyproc'"

refused() {
	"$ACMED" -o -d -f "$conf" >"$T_TMP/out" 2>&1
	rc=$?
	cat "$T_TMP/out"
	[ $rc -eq 1 ] && grep -q "$1" "$T_TMP/out" && [ ! -e "$T_TMP/helpers.key" ]
}

chmod g+w "$L/keyproc"
check "a group-writable child program is refused" \
    refused "$L/keyproc: not a program owned by root"
chmod "$(echo "$modes" | cut -d' ' -f2)" "$L/keyproc"
chmod o+w "$L"
check "a world-writable directory of child programs is refused" \
    refused "$L: not a directory owned by root"
chmod "$(echo "$modes" | cut -d' ' -f1)" "$L"
check "modes put back" test "$(stat -c %a "$L") $(stat -c %a "$L/keyproc")" = "$modes"
mv "$L/keyproc" "$L/keyproc.real"
t_at_exit "[ -e '$L/keyproc.real' ] && rm -f '$L/keyproc' && mv '$L/keyproc.real' '$L/keyproc'"
ln -s keyproc.real "$L/keyproc"
check "a child program reached through a symbolic link is refused" \
    refused "$L/keyproc (the keyproc program): Too many levels of symbolic links"
rm "$L/keyproc"
mv "$L/keyproc.real" "$L/keyproc"
check "keyproc put back" test -f "$L/keyproc" -a ! -L "$L/keyproc"
t_done
