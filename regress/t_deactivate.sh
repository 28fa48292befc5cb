#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -D against Pebble: the account is deactivated at the authority,
# which refuses its key from then on; its key and URL are moved aside as
# .deactivated and the orders in flight forgotten; the certificate it
# ordered stays valid; the next run registers a new account with a new key
# and issues with it.  Refused: the authority named once or two names that
# differ, an unknown authority, an account whose URL acmed does not know,
# and beside a running daemon.  An account the authority no longer knows
# is not deactivated, and its files stay.  A certificate of the old
# account is revoked with its domain key, which the new account cannot.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 17600 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
conf=$T_TMP/acmed.conf
t_conf "$conf"
t_domain "$conf" dv.example.org
t_domain "$conf" dv2.example.org
key=$T_TMP/account.key
url=$T_TMP/state/accounts/pebble.url
run() {
	"$ACMED" -d -v -f "$conf" "$@" >"$T_TMP/out" 2>&1
}
pub() { t_pub "$1"; }
serial() { t_serial "$1"; }
status() { t_cert_status "$1" Status; }

check_not "no account key yet: -D refused" run -D pebble pebble
check "issued with the first account" run -o dv.example.org
check "the account's URL is known" test -s "$url"
acct=$(cat "$url")
pub "$key" >"$T_TMP/pub1"
cp "$key" "$T_TMP/key1"
s1=$(serial "$T_TMP/dv.example.org.crt")

check_not "-D with two names that differ refused" run -D pebble pebbles
check "two names that differ: the reason is given" \
    grep -q "name its authority twice, the same, to confirm" "$T_TMP/out"
check_not "-D with an unknown authority refused" run -D nosuch nosuch
check "unknown authority: the reason is given" \
    grep -q "nosuch: no such authority" "$T_TMP/out"
mv "$url" "$T_TMP/url.saved"
check_not "-D without the account's URL refused" run -D pebble pebble
check "without the account's URL: the reason is given" grep -q \
    "authority pebble: no account URL in $T_TMP/state/accounts/pebble.url" \
    "$T_TMP/out"
mv "$T_TMP/url.saved" "$url"
check "refused: nothing was moved" sh -c \
    "cmp -s '$key' '$T_TMP/key1' && [ \"\$(cat '$url')\" = '$acct' ] &&
    test ! -e '$key.deactivated'"

# Beside a running daemon: refused, the daemon's state left alone.
"$ACMED" -d -v -f "$conf" >"$T_TMP/daemon" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "daemon started" wait_for 30 grep -q 'dv2.example.org: certificate issued' \
    "$T_TMP/daemon"
check_not "beside a running daemon: -D refused" run -D pebble pebble
check "beside a running daemon: the reason is given" grep -q \
    "acmed runs for the state directory $T_TMP/state (pid $dpid): stop it first" \
    "$T_TMP/out"
t_stop "$dpid"
check "beside a running daemon: the account still works" \
    sh -c "rm -f '$T_TMP'/dv2.example.org.*; \"$ACMED\" -d -v -f '$conf' \
    -o dv2.example.org >'$T_TMP/out' 2>&1 &&
    ! grep -q 'registered account' '$T_TMP/out'"
s2=$(serial "$T_TMP/dv2.example.org.crt")

# An order in flight, which no other account can finish.
echo "$PEBBLE_URL/order/nosuch" >"$T_TMP/state/orders/dv.example.org.url"
check "acmed -D pebble pebble exits 0" run -D pebble pebble
check "the log says the account is deactivated" grep -q \
    "^-D: authority pebble: account $acct deactivated$" "$T_TMP/out"
check "and what becomes of its certificates" grep -q \
    "^-D: authority pebble: account deactivated; the 2 certificates ordered with it stay valid until they expire; the next run of acmed registers a new account with a new key" \
    "$T_TMP/out"
check "the key moved aside as KEY.deactivated, as it was" \
    cmp -s "$key.deactivated" "$T_TMP/key1"
check "the log says where the key went" grep -q \
    "^-D: authority pebble: account key $key moved to $key.deactivated$" \
    "$T_TMP/out"
check "no account key left in its place" test ! -e "$key"
check "the URL moved aside as accounts/pebble.url.deactivated" \
    sh -c "[ \"\$(cat '$url.deactivated')\" = '$acct' ] && test ! -e '$url'"
check "the order in flight forgotten" \
    test ! -e "$T_TMP/state/orders/dv.example.org.url"
check "the certificate stays valid at Pebble ($s1)" \
    [ "$(status "$s1")" = Valid ]
check "so does the other one ($s2)" [ "$(status "$s2")" = Valid ]
check "the certificate files are left in place" \
    [ "$(serial "$T_TMP/dv.example.org.crt")" = "$s1" ]

# The deactivated key, with its URL, in a copy of the state: Pebble
# refuses it, and acmed cannot use it.
mkdir -p "$T_TMP/old"
cp "$key.deactivated" "$T_TMP/old/account.key"
sed -e "s|$T_TMP/state|$T_TMP/old/state|" \
    -e "s|$T_TMP/account.key|$T_TMP/old/account.key|" \
    -e "s|$T_TMP/dv2.example.org|$T_TMP/old/dv2.example.org|g" \
    "$conf" >"$T_TMP/old.conf"
mkdir -p "$T_TMP/old/state"
chmod 0711 "$T_TMP/old/state"
"$ACMED" -d -v -f "$T_TMP/old.conf" -o dv2.example.org >"$T_TMP/out" 2>&1
check "the deactivated key: no certificate" test ! -e "$T_TMP/old/dv2.example.org.crt"
check "the deactivated key: Pebble refuses it" \
    grep -q "unauthorized.*deactivated" "$T_TMP/out"
mkdir -p "$T_TMP/old/state/accounts"
cp "$url.deactivated" "$T_TMP/old/state/accounts/pebble.url"
"$ACMED" -d -v -f "$T_TMP/old.conf" -o dv2.example.org >"$T_TMP/out" 2>&1
check "the deactivated account's URL: Pebble refuses it" \
    grep -q "unauthorized.*deactivated" "$T_TMP/out"
check "the deactivated account's URL: no certificate" \
    test ! -e "$T_TMP/old/dv2.example.org.crt"
check_not "a second -D of that account is refused" \
    "$ACMED" -d -v -f "$T_TMP/old.conf" -D pebble pebble
rm -rf "$T_TMP/old"

# The next run: a new account with a new key, and a certificate from it.
rm -f "$T_TMP"/dv.example.org.crt "$T_TMP"/dv.example.org.chain \
    "$T_TMP"/dv.example.org.full
check "the next run issues" run -o dv.example.org
check "it registered a new account" grep -q \
    "authority pebble: registered account" "$T_TMP/out"
pub "$key" >"$T_TMP/pub2"
check "with a new key" sh -c \
    "test -s '$T_TMP/pub2' && ! cmp -s '$T_TMP/pub1' '$T_TMP/pub2'"
check "at a new URL" sh -c "test -s '$url' && [ \"\$(cat '$url')\" != '$acct' ]"
check "the new certificate chains to Pebble" t_verify dv.example.org
check "the deactivated key is left alone" \
    cmp -s "$key.deactivated" "$T_TMP/key1"

# A certificate the deactivated account ordered, revoked: the new account
# may not, so the domain key does, for the reason given.
check "the old account's certificate revoked" \
    run -r -R superseded dv2.example.org
check "the new account could not: the domain key did" grep -q \
    "dv2.example.org: the account could not revoke the certificate (.*unauthorized.*): revoking with the domain key" \
    "$T_TMP/out"
check "Pebble says revoked ($s2)" [ "$(status "$s2")" = Revoked ]
reason=$(t_cert_status "$s2" Reason)
check "for the reason given (superseded, 4)" [ "$reason" = 4 ]

# Deactivated twice (the new account), the first one moved aside stays.
cp "$key" "$T_TMP/key2"
acct2=$(cat "$url")
check "the new account deactivated too" run -D pebble pebble
check "its key moved aside as KEY.deactivated.2" \
    cmp -s "$key.deactivated.2" "$T_TMP/key2"
check "the first one untouched" cmp -s "$key.deactivated" "$T_TMP/key1"
check "its URL as pebble.url.deactivated.2" \
    [ "$(cat "$url.deactivated.2")" = "$acct2" ]

# An account the authority does not know (Pebble restarted, which forgets
# every account): not deactivated, the files stay, none registered.
rm -f "$T_TMP"/dv.example.org.crt "$T_TMP"/dv.example.org.chain \
    "$T_TMP"/dv.example.org.full
check "issued with a third account" run -o dv.example.org
cp "$key" "$T_TMP/key3"
acct3=$(cat "$url")
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null
t_pebble_start || notok "pebble starts again"
check_not "an account Pebble does not know: -D exits 1" run -D pebble pebble
check "an account Pebble does not know: Pebble's word is given" \
    grep -q "authority pebble: account not deactivated: .*accountDoesNotExist" \
    "$T_TMP/out"
check "an account Pebble does not know: nothing moved, none registered" \
    sh -c "cmp -s '$key' '$T_TMP/key3' && [ \"\$(cat '$url')\" = '$acct3' ] &&
    test ! -e '$key.deactivated.3' && ! grep -q 'registered account' \
    '$T_TMP/out'"
t_done
