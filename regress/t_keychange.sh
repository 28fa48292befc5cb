#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -k against Pebble: the account keeps its URL and takes a new key;
# the old key is kept as KEY.old and no longer opens the account; the new
# one issues.  A change whose answer was lost (the files as they were
# before it, KEY.new beside) is found done by the next -k.  A failed
# attempt (Pebble stopped) keeps KEY.new for the next one.  Refused: an
# authority without an account key, an unknown authority, and a key no
# account has (no account is registered for it).  -k makes no key for an
# authority it was not asked about.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 15800 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
conf=$T_TMP/acmed.conf
t_conf "$conf"
cat >>"$conf" <<EOC
authority spare {
	api url "$PEBBLE_URL"
	api ca "$PEBBLE_CA"
}
EOC
t_domain "$conf" kc.example.org
key=$T_TMP/account.key
url=$T_TMP/state/accounts/pebble.url
run() {
	"$ACMED" -d -v -f "$conf" "$@" >"$T_TMP/out" 2>&1
}
pub() { t_pub "$1"; }
nocert() {
	rm -f "$T_TMP"/kc.example.org.crt "$T_TMP"/kc.example.org.chain \
	    "$T_TMP"/kc.example.org.full
}

check_not "no account key yet: acmed -k refused" run -k pebble
check "no account key yet: the reason is given" \
    grep -q "authority pebble: account key $key does not exist: nothing to change" \
    "$T_TMP/out"

check "first issuance" run -o
acct=$(cat "$url")
pub "$key" >"$T_TMP/pub1"
rm -f "$T_TMP/state/accounts/spare.key"
check_not "unknown authority refused" run -k nosuch
check "unknown authority: the reason is given" \
    grep -q "nosuch: no such authority" "$T_TMP/out"

check "acmed -k pebble exits 0" run -k pebble
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
check "no key made for the authority not asked about" \
    test ! -e "$T_TMP/state/accounts/spare.key"

nocert
check "the new key issues" run -o kc.example.org
check "the new key issues: chain verifies" t_verify kc.example.org
check "the new key issues: same account, not registered again" sh -c \
    "! grep -q 'registered account' '$T_TMP/out' &&
    [ \"\$(cat '$url')\" = '$acct' ]"

# The answer lost: the files as before the change, the new key beside.
mv "$key" "$key.new"
mv "$key.old" "$key"
check "answer lost: the next acmed -k exits 0" run -k pebble
check "answer lost: the authority has the new key already" \
    grep -q "account $acct has the new key already" "$T_TMP/out"
pub "$key" >"$T_TMP/pub3"
check "answer lost: the new key is in place, the old one kept" sh -c \
    "cmp -s '$T_TMP/pub2' '$T_TMP/pub3' && test ! -e '$key.new' &&
    test -s '$key.old'"

# The old key, URL forgotten: no account has it any more, and -k does not
# register one for it.
cp "$key" "$T_TMP/new.key"
cp "$key.old" "$key"
rm -f "$url"
check_not "a key no account has: acmed -k exits 1" run -k pebble
check "a key no account has: the reason is given" \
    grep -q "no account has this account key" "$T_TMP/out"
check "a key no account has: no account registered" sh -c \
    "! grep -q 'registered account' '$T_TMP/out' && test ! -e '$url'"
rm -f "$key.new"
nocert
check "the old key: acmed -o issues" run -o kc.example.org
check "the old key no longer opens the account: a new one is registered" \
    sh -c "grep -q 'registered account' '$T_TMP/out' &&
    [ \"\$(cat '$url')\" != '$acct' ]"

# A failed attempt keeps KEY.new; the next attempt uses it.
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null 2>&1
check_not "authority down: acmed -k exits 1" run -k pebble
check "authority down: the reason, and where the new key stays" \
    grep -q "account key not changed: .*the new key stays in $key.new" \
    "$T_TMP/out"
check "authority down: the account key is unchanged" sh -c \
    "cmp -s '$key' '$key.old' && test -s '$key.new'"
pub "$key.new" >"$T_TMP/pub4"
t_pebble 15800 || notok "pebble starts again"
# Pebble forgets its accounts when restarted: one is registered again.
rm -f "$url"
nocert
check "authority up again: acmed -o registers and issues" run -o
check "the next attempt exits 0" run -k pebble
check "the next attempt used the key left behind" \
    grep -q "using $key.new, left by an earlier attempt" "$T_TMP/out"
pub "$key" >"$T_TMP/pub5"
check "the key left behind is now the account key" \
    cmp -s "$T_TMP/pub4" "$T_TMP/pub5"
check "an older KEY.old is replaced, and the log says so" \
    grep -q "authority pebble: $key.old replaced" "$T_TMP/out"
t_done
