#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Domain key rotation against Pebble.  "domain key rotate": each
# certificate has a new key, made aside in the state directory and
# installed with its certificate; "domain key keep" (the default): the
# same key.  A kill -9 of the daemon while its order is open leaves the
# installed pair matched, and the restart resumes the order with the
# pending key its CSR is made with.  A run that ended between the
# certificate and its key (the state it leaves, rebuilt from files the
# first runs wrote): the next start installs the key.
. "$(dirname "$0")/lib.sh"
t_users
PEBBLE_EXTRA_ENV="PEBBLE_VA_NOSLEEP=0 PEBBLE_AUTHZREUSE=0" t_pebble 18700 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (validation after a random sleep)"

conf=$T_TMP/acmed.conf
keys=$T_TMP/state/keys
run() {
	"$ACMED" -o -d -v -f "$conf" >"$T_TMP/out.$1" 2>&1
}
# matched NAME: the installed key is the installed certificate's, in the
# leaf file and in the full chain.
matched() {
	k=$(t_pub "$T_TMP/$1.key")
	[ -n "$k" ] && [ "$k" = "$(t_pub "$T_TMP/$1.crt")" ] &&
	    [ "$k" = "$(openssl x509 -noout -pubkey -in "$T_TMP/$1.full")" ]
}
# mode_owner FILE MODE USER GROUP
mode_owner() {
	[ "$(stat -c '%a %U %G' "$1")" = "$2 $3 $4" ]
}
no_pending() {
	! ls -A "$keys" | grep -q . && ! ls "$T_TMP" | grep -q '\.key\.'
}

# Due at every run: "renew before" longer than the lifetime.
t_conf "$conf"
t_domain "$conf" rot.example.org
t_domain "$conf" keep.example.org
sed -i "s|^\\(	domain key \"$T_TMP/rot.example.org.key\"\\).*|& group nogroup\\
	domain key rotate\\
	reload shell \"echo x >>$T_TMP/reloads\"|" "$conf"
sed -i 's|^	sign with pebble$|&\n	renew before 3000 days|' "$conf"
"$ACMED" -n -v -f "$conf" >"$T_TMP/dump" 2>&1
check "acmed -n -v shows domain key rotate" sh -c "sed -n \
    '/^domain \"rot.example.org\"/,/^}/p' '$T_TMP/dump' |
    grep -qx '	domain key rotate'"
check "acmed -n -v shows domain key keep (the default)" sh -c "sed -n \
    '/^domain \"keep.example.org\"/,/^}/p' '$T_TMP/dump' |
    grep -qx '	domain key keep'"

check "first run: acmed -o exits 0" run 1
check "first run: rot chain verifies" t_verify rot.example.org
check "first run: rot key matches its certificate" matched rot.example.org
check "first run: keep key matches its certificate" matched keep.example.org
check "first run: nothing pending left" no_pending
check "state keys directory is 0700 root's" mode_owner "$keys" 700 root root
check "rot key (group nogroup) is 0640 root:nogroup" \
    mode_owner "$T_TMP/rot.example.org.key" 640 root nogroup
check "keep key is 0600 root's" \
    mode_owner "$T_TMP/keep.example.org.key" 600 root root
rot1=$(t_pub "$T_TMP/rot.example.org.key")
keep1=$(t_pub "$T_TMP/keep.example.org.key")
for f in key crt chain full; do
	cp "$T_TMP/rot.example.org.$f" "$T_TMP/first.$f"
done

check "second run: acmed -o exits 0" run 2
check "second run: rot renewed" \
    grep -q "rot.example.org: certificate renewed" "$T_TMP/out.2"
check "second run: rot chain verifies" t_verify rot.example.org
check "second run: rot has a new key" \
    test "$(t_pub "$T_TMP/rot.example.org.key")" != "$rot1"
check "second run: rot key matches its certificate" matched rot.example.org
check "second run: keep renewed" \
    grep -q "keep.example.org: certificate renewed" "$T_TMP/out.2"
check "second run: keep has the same key" \
    test "$(t_pub "$T_TMP/keep.example.org.key")" = "$keep1"
check "second run: keep key matches its certificate" matched keep.example.org
check "second run: nothing pending left" no_pending
check "second run: rot key still 0640 root:nogroup" \
    mode_owner "$T_TMP/rot.example.org.key" 640 root nogroup
check "second run: one reload per installation" \
    test "$(wc -l <"$T_TMP/reloads")" -eq 2
rot2=$(t_pub "$T_TMP/rot.example.org.key")

# kill -9 of the daemon while its order is open: challenged is stopped
# as soon as it runs, so nothing is answered when the daemon dies.
sed -i '/^domain keep.example.org {/,/^}/d' "$conf"
sed -i '/renew before 3000 days/d' "$conf"
orderfile=$T_TMP/state/orders/rot.example.org.url
pending=$keys/rot.example.org.key
start() {
	"$ACMED" -d -v -f "$conf" >>"$T_TMP/log.$1" 2>&1 &
	apid=$!
}
kids=""
stop_challenged() {
	"$OBJ/regress/childstop" "$apid" challenged 5000 >/dev/null ||
	    return 1
	kids=$(pgrep -P "$apid")
}
# Due now, as acmed -F beside a daemon asks (without one, -F renews).
date +%s >"$T_TMP/state/renew/rot.example.org.time"
start 3
t_at_exit "kill -9 \$apid \$kids 2>/dev/null"
check "daemon: challenged stopped before any challenge is answered" \
    stop_challenged
check "daemon: the order is saved" wait_for 20 test -s "$orderfile"
# what the daemon did instead, if not
test -s "$orderfile" || tail -n 40 "$T_TMP/log.3" | sed 's/^/# /'
check "daemon: a pending key is kept aside" test -s "$pending"
kill -9 "$apid"
wait "$apid" 2>/dev/null
kill -CONT $kids 2>/dev/null
check "daemon: its children die with it" wait_for 5 t_gone $kids
check "after kill -9: the pending key is 0600 root's" \
    mode_owner "$pending" 600 root root
check "after kill -9: the installed key is the one before" \
    test "$(t_pub "$T_TMP/rot.example.org.key")" = "$rot2"
check "after kill -9: the installed pair matches" matched rot.example.org
pend=$(t_pub "$pending")
check "after kill -9: the pending key is a new one" \
    sh -c "[ -n '$pend' ] && [ '$pend' != '$rot2' ]"
start 4
check "restart: the order is resumed" \
    wait_for 20 grep -q "resuming order" "$T_TMP/log.4"
check "restart: the certificate is renewed" \
    wait_for 60 grep -q "rot.example.org: certificate renewed" "$T_TMP/log.4"
t_stop "$apid"
check "restart: the pending key is the one installed" \
    test "$(t_pub "$T_TMP/rot.example.org.key")" = "$pend"
check "restart: the installed pair matches" matched rot.example.org
check "restart: chain verifies" t_verify rot.example.org
check "restart: nothing pending left" no_pending
check "restart: no pending key discarded" \
    sh -c "! grep -q 'pending key .* discarded' '$T_TMP/log.4'"

# A run ended between the certificate and its key: the first
# certificate's files installed, its key still pending, and KEY.new.
: >"$T_TMP/reloads"
for f in crt chain full; do
	cp "$T_TMP/first.$f" "$T_TMP/rot.example.org.$f"
done
install -m 600 "$T_TMP/first.key" "$pending"
install -m 600 "$T_TMP/first.key" "$T_TMP/rot.example.org.key.new"
check "interrupted install: acmed -o exits 0" run 5
check "interrupted install: the key is installed at the start" \
    grep -q "rot.example.org: the last run ended between the certificate and its key" \
    "$T_TMP/out.5"
check "interrupted install: the installed key is the certificate's" \
    test "$(t_pub "$T_TMP/rot.example.org.key")" = "$rot1"
check "interrupted install: the installed pair matches" matched rot.example.org
check "interrupted install: no new order" \
    sh -c "! grep -q 'renewing' '$T_TMP/out.5'"
check "interrupted install: nothing pending left" no_pending
check "interrupted install: the key 0640 root:nogroup" \
    mode_owner "$T_TMP/rot.example.org.key" 640 root nogroup
check "interrupted install: the reload runs once" \
    test "$(wc -l <"$T_TMP/reloads")" -eq 1

# A pending key that no installed certificate carries, and no order: the
# next order discards it and makes its own.  The start removes KEY.new
# and what a run killed while it wrote the pending key left.
sed -i 's|^	sign with pebble$|&\n	renew before 3000 days|' "$conf"
install -m 600 "$T_TMP/first.key" "$T_TMP/rot.example.org.key.new"
install -m 600 "$T_TMP/first.key" "$pending.new"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
    openssl pkey -out "$pending" 2>/dev/null
chmod 600 "$pending"
stray=$(t_pub "$pending")
check "stray pending key: acmed -o exits 0" run 6
check "stray pending key: KEY.new removed at the start" \
    grep -q "rot.example.org.key.new removed" "$T_TMP/out.6"
check "stray pending key: its unfinished write removed at the start" \
    grep -q "rot.example.org: $pending.new removed" "$T_TMP/out.6"
check "stray pending key: discarded by the new order" \
    grep -q "rot.example.org: pending key .* discarded" "$T_TMP/out.6"
check "stray pending key: not installed" \
    test "$(t_pub "$T_TMP/rot.example.org.key")" != "$stray"
check "stray pending key: a new key, the certificate's" matched rot.example.org
check "stray pending key: nothing pending left" no_pending
t_done
