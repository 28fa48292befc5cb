#!/bin/sh
# acmed -k against Pebble: the account keeps its URL and takes a new key;
# the old key is kept as KEY.old and no longer opens the account; the new
# one issues.  An authority without an account key, an unknown authority,
# and a failed attempt (Pebble stopped) are refused with the reason, and
# a failed attempt leaves KEY.new for the next one, which uses it.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 15800 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
conf=$T_TMP/acmed.conf
t_conf "$conf"
t_domain "$conf" kc.example.org
key=$T_TMP/account.key
url=$T_TMP/state/accounts/pebble.url
run() {
	"$ACMED" -d -v -f "$conf" "$@" >"$T_TMP/out" 2>&1
}
pub() {
	openssl pkey -in "$1" -pubout 2>/dev/null
}

check_not "no account key yet: acmed -k refused" run -k
check "no account key yet: the reason is given" \
    grep -q "authority pebble: account key $key: nothing to change" \
    "$T_TMP/out"
check "no account key yet: no key made" test ! -e "$key"

check "first issuance" run -o
acct=$(cat "$url")
pub "$key" >"$T_TMP/pub1"
check_not "unknown authority refused" run -k nosuch
check "unknown authority: the reason is given" \
    grep -q "nosuch: no such authority" "$T_TMP/out"

check "acmed -k exits 0" run -k pebble
check "the log says so" \
    grep -q "authority pebble: account key changed; the old key is in $key.old" \
    "$T_TMP/out"
pub "$key" >"$T_TMP/pub2"
check "the account key is a new key" sh -c \
    "test -s '$T_TMP/pub2' && ! cmp -s '$T_TMP/pub1' '$T_TMP/pub2'"
pub "$key.old" >"$T_TMP/pubold"
check "the old key is kept as .old" cmp -s "$T_TMP/pubold" "$T_TMP/pub1"
check "no .new left" test ! -e "$key.new"
check "key files are 0600" sh -c \
    "[ \$(stat -c %a '$key') = 600 ] && [ \$(stat -c %a '$key.old') = 600 ]"
check "the account URL is unchanged" [ "$(cat "$url")" = "$acct" ]

rm -f "$T_TMP"/kc.example.org.crt "$T_TMP"/kc.example.org.chain \
    "$T_TMP"/kc.example.org.full
check "the new key issues" run -o
check "the new key issues: chain verifies" t_verify kc.example.org
check "the new key issues: same account, not registered again" sh -c \
    "! grep -q 'registered account' '$T_TMP/out' &&
    [ \"\$(cat '$url')\" = '$acct' ]"

# The old key without the URL: Pebble no longer knows it, so acmed -o
# registers a new account with it.
cp "$key" "$T_TMP/new.key"
cp "$key.old" "$key"
rm -f "$url" "$T_TMP"/kc.example.org.crt "$T_TMP"/kc.example.org.chain \
    "$T_TMP"/kc.example.org.full
check "the old key: acmed -o issues" run -o
check "the old key no longer opens the account" sh -c \
    "grep -q 'registered account' '$T_TMP/out' &&
    [ \"\$(cat '$url')\" != '$acct' ]"

# A failed attempt keeps KEY.new; the next attempt uses it.
cp "$T_TMP/new.key" "$key"
echo "$acct" >"$url"
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null 2>&1
check_not "authority down: acmed -k exits 1" run -k
check "authority down: the reason, and where the new key stays" \
    grep -q "account key not changed: .*the new key stays in $key.new" \
    "$T_TMP/out"
check "authority down: the account key is unchanged" sh -c \
    "cmp -s '$key' '$T_TMP/new.key' && test -s '$key.new'"
pub "$key.new" >"$T_TMP/pub3"
t_pebble 15800 || notok "pebble starts again"
# Pebble forgets its accounts when restarted: the account is registered
# again (with the old key) before its key changes.
rm -f "$url"
check "the next attempt exits 0" run -k
check "the next attempt used the key left behind" \
    grep -q "using $key.new, left by an earlier attempt" "$T_TMP/out"
pub "$key" >"$T_TMP/pub4"
check "the key left behind is now the account key" \
    cmp -s "$T_TMP/pub3" "$T_TMP/pub4"
t_done
