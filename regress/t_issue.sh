#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Issuance end to end against Pebble on loopback, in one-shot mode.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 14100 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
run() {
	"$ACMED" -o -d -v -f "$@" >"$T_TMP/out" 2>&1
}

# One name, ECDSA keys by default.
t_conf "$conf"
t_domain "$conf" one.example.org
check "one name: acmed -o exits 0" run "$conf"
check "one name: certificate installed" test -s "$T_TMP/one.example.org.crt"
check "one name: chain verifies against Pebble's root" t_verify one.example.org
check "one name: leaf names exactly the domain" sh -c \
    "openssl x509 -in '$T_TMP/one.example.org.crt' -noout -ext subjectAltName |
    grep -qx '    DNS:one.example.org'"
check "one name: domain key is 0600" sh -c \
    "[ \$(stat -c %a '$T_TMP/one.example.org.key') = 600 ]"
check "one name: account key is 0600" sh -c \
    "[ \$(stat -c %a '$T_TMP/account.key') = 600 ]"
check "one name: certificate is 0644" sh -c \
    "[ \$(stat -c %a '$T_TMP/one.example.org.crt') = 644 ]"
check "one name: ECDSA P-256 domain key" sh -c \
    "openssl pkey -in '$T_TMP/one.example.org.key' -noout -text | grep -q 'prime256v1\|P-256'"
check "account URL kept in the state directory" test -s "$T_TMP/state/accounts/pebble.url"
acct=$(cat "$T_TMP/state/accounts/pebble.url" 2>/dev/null)
check "no pending order left behind" sh -c "! ls '$T_TMP/state/orders/'*.url 2>/dev/null | grep -q ."

# Nothing due: a second run does nothing and keeps the files.
sum=$(md5sum <"$T_TMP/one.example.org.crt")
check "second run with nothing due exits 0" run "$conf"
check "second run leaves the certificate alone" sh -c \
    "[ \"\$(md5sum <'$T_TMP/one.example.org.crt')\" = '$sum' ]"

# The existing account key is reused: same account URL, onlyReturnExisting.
rm -f "$T_TMP/state/accounts/pebble.url"
t_conf "$conf"
t_domain "$conf" rsa.example.org rsa
check "RSA domain key: acmed -o exits 0" run "$conf"
check "existing account key: same account URL" sh -c \
    "[ \"\$(cat '$T_TMP/state/accounts/pebble.url')\" = '$acct' ]"
check "RSA domain key: chain verifies" t_verify rsa.example.org
check "RSA domain key is RSA 3072" sh -c \
    "openssl pkey -in '$T_TMP/rsa.example.org.key' -noout -text | grep -q '3072 bit'"

# 100 names in one certificate.
names=""
i=1
while [ $i -le 99 ]; do names="$names n$i.many.example.org"; i=$((i + 1)); done
t_conf "$conf"
t_domain "$conf" many.example.org "" $names
check "100 names: acmed -o exits 0" run "$conf"
check "100 names: chain verifies" t_verify many.example.org
check "100 names: the leaf names all 100" sh -c \
    "[ \$(openssl x509 -in '$T_TMP/many.example.org.crt' -noout -ext subjectAltName | tr ',' '\n' | grep -c DNS:) -eq 100 ]"

# Renewal when due: the old files stay as .bak, the new ones differ.
t_conf "$conf"
t_domain "$conf" one.example.org
sed -i 's|^\tsign with pebble$|\tsign with pebble\n\trenew before 3000 days|' "$conf"
cp "$T_TMP/one.example.org.crt" "$T_TMP/prev.crt"
check "due renewal: acmed -o exits 0" run "$conf"
check "due renewal: previous certificate kept as .bak" cmp -s \
    "$T_TMP/prev.crt" "$T_TMP/one.example.org.crt.bak"
check "due renewal: a new certificate is installed" sh -c \
    "! cmp -s '$T_TMP/prev.crt' '$T_TMP/one.example.org.crt'"
check "due renewal: same domain key kept" sh -c \
    "[ \"\$(openssl x509 -in '$T_TMP/one.example.org.crt' -noout -pubkey)\" = \
    \"\$(openssl pkey -in '$T_TMP/one.example.org.key' -pubout)\" ]"

# A failed validation: nothing answers where Pebble validates.
cat >"$conf" <<EOC
listen on 127.0.0.1 port $((T_HTTP_PORT + 1))
state directory "$T_TMP/state"
authority pebble {
	api url "$PEBBLE_URL"
	api ca "$PEBBLE_CA"
	account key "$T_TMP/account.key"
}
EOC
t_domain "$conf" fail.example.org
check_not "failed validation: acmed -o exits non-zero" run "$conf"
check "failed validation: the error names the domain" \
    grep -q 'fail.example.org.*certificate not issued' "$T_TMP/out"
check "failed validation: the error carries Pebble's detail" \
    grep -qi 'connection refused\|connect' "$T_TMP/out"
check "failed validation: no certificate file left" sh -c \
    "! ls '$T_TMP'/fail.example.org.crt* '$T_TMP'/fail.example.org.full* '$T_TMP'/fail.example.org.chain* 2>/dev/null | grep -q ."
check "failed validation: no temporary file left" sh -c \
    "! ls '$T_TMP' | grep -q 'XXXXXX\|\.[A-Za-z0-9]\{6\}$'"

# A wildcard is refused before any request is made.
t_conf "$conf"
t_domain "$conf" wild.example.org "" '*.wild.example.org'
check_not "wildcard: refused" run "$conf"
check "wildcard: the error says why" grep -qi 'wildcard' "$T_TMP/out"

t_done
