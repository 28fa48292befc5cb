#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -r against Pebble: the certificate is revoked at the authority
# (Pebble's management interface says so), signed with the domain key, so
# that no account is needed; its files are moved aside as FILE.revoked, a
# provisional certificate takes their place with the reload actions, the
# status file is left to the daemon, and the next pass issues a new
# certificate.  A certificate already revoked counts as revoked; a domain
# without an issued certificate ends with status 1 and keeps its files.
# Beside a running daemon, which issues anew on SIGUSR1.  With a domain key
# that is no longer the certificate's, or none, through the account.
# -R: each reason acmed gives is the one Pebble records, signed by the
# account; keyCompromise is signed by the domain key, which is moved aside
# as KEY.compromised (never replacing an earlier one) for a new key, which
# the provisional certificate, the next certificate and, after SIGHUP, a
# running daemon's next certificate use.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 15700 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
conf=$T_TMP/acmed.conf
t_conf "$conf"
cat >>"$conf" <<EOC
event hook "$T_TMP/hook.sh"
EOC
cat >"$T_TMP/hook.sh" <<EOH
#!/bin/sh
echo "\$ACMED_EVENT \$ACMED_DOMAIN" >>"$T_TMP/events"
echo "\$ACMED_EVENT \${ACMED_REASON:-none}" >>"$T_TMP/reasons"
EOH
chmod 0755 "$T_TMP/hook.sh"
t_domain "$conf" rv.example.org "" www.rv.example.org
echo "	reload shell \"echo reloaded >>$T_TMP/reloads\"" >"$T_TMP/reload"
sed "/^	domain key \"$(printf '%s' "$T_TMP" | sed 's|/|\\/|g')\/rv/r $T_TMP/reload" \
    "$conf" >"$conf.new" && mv "$conf.new" "$conf"
t_domain "$conf" other.example.org
run() {
	"$ACMED" -d -v -f "$conf" "$@" >"$T_TMP/out" 2>&1
}
status() { t_cert_status "$1" Status; }
serial() { t_serial "$1"; }
self_signed() {
	[ "$(openssl x509 -noout -subject -in "$1" | sed 's/^subject=//')" = \
	    "$(openssl x509 -noout -issuer -in "$1" | sed 's/^issuer=//')" ]
}
# new_valid NEW OLD: a serial, not OLD's, of a certificate Pebble says is
# valid.
new_valid() {
	[ -n "$1" ] && [ "$1" != "$2" ] && [ "$(status "$1")" = Valid ]
}
st=$T_TMP/state/status.json

check "the reload action is configured" grep -q reloads "$conf"
check "issued first" run -o rv.example.org
check "issued: chain verifies" t_verify rv.example.org
s1=$(serial "$T_TMP/rv.example.org.crt")
check "Pebble says the certificate is valid ($s1)" \
    [ "$(status "$s1")" = Valid ]
cp "$st" "$T_TMP/status.before"

# No account at all: the domain key signs the revocation.
mv "$T_TMP/account.key" "$T_TMP/account.key.saved"
mv "$T_TMP/state/accounts/pebble.url" "$T_TMP/pebble.url.saved"
: >"$T_TMP/reloads"
check "acmed -r exits 0" run -r rv.example.org
check "Pebble says the certificate is revoked" \
    [ "$(status "$s1")" = Revoked ]
check "the log says so" grep -q 'rv.example.org: certificate revoked' \
    "$T_TMP/out"
check "no account key: the domain key signs, with a warning" \
    grep -q "rv.example.org: no account key: revoking with the domain key" \
    "$T_TMP/out"
check "no account was needed, none registered, no account key made" \
    sh -c "! grep -q 'registered account' '$T_TMP/out' &&
    test ! -e '$T_TMP/account.key'"
for f in crt chain full; do
	check "$f moved aside as .revoked" \
	    test -s "$T_TMP/rv.example.org.$f.revoked"
done
check "the moved certificate is the one revoked" \
    [ "$(serial "$T_TMP/rv.example.org.crt.revoked")" = "$s1" ]
check "a provisional certificate took its place" \
    self_signed "$T_TMP/rv.example.org.crt"
check "the reload action ran" grep -q reloaded "$T_TMP/reloads"
check "domain key kept" test -s "$T_TMP/rv.example.org.key"
check "events revoked, then provisional" sh -c \
    "grep -n '^revoked rv.example.org$' '$T_TMP/events' | cut -d: -f1 |
    head -1 | { read -r a; grep -n '^provisional rv.example.org$' \
    '$T_TMP/events' | cut -d: -f1 | tail -1 | { read -r b;
    [ -n \"\$a\" ] && [ \"\$b\" -gt \"\$a\" ]; }; }"
check "the other domain was left alone" \
    sh -c "! grep -q other.example.org '$T_TMP/out'"
check "the status file was left alone" cmp -s "$st" "$T_TMP/status.before"
mv "$T_TMP/account.key.saved" "$T_TMP/account.key"
mv "$T_TMP/pebble.url.saved" "$T_TMP/state/accounts/pebble.url"

check "the next pass issues a new certificate" run -o rv.example.org
s2=$(serial "$T_TMP/rv.example.org.crt")
check "new certificate: another serial, valid" new_valid "$s2" "$s1"

# The revoked certificate put back: already revoked counts as revoked.
for f in crt chain full; do
	cp "$T_TMP/rv.example.org.$f" "$T_TMP/new.$f"
	cp "$T_TMP/rv.example.org.$f.revoked" "$T_TMP/rv.example.org.$f"
done
check "already revoked: acmed -r exits 0" run -r rv.example.org
check "already revoked: the authority's word is logged" \
    grep -q 'rv.example.org: .*alreadyRevoked' "$T_TMP/out"
check "already revoked: the files are moved aside" \
    self_signed "$T_TMP/rv.example.org.crt"

check_not "no certificate: acmed -r exits 1" run -r other.example.org
check "no certificate: the reason is given" \
    grep -q 'other.example.org: no issued certificate to revoke' \
    "$T_TMP/out"
check_not "-r without a domain refused" run -r
check_not "-r and -o together refused" run -r -o rv.example.org

# Beside a running daemon: -r binds no port, and SIGUSR1 makes the daemon
# find the provisional certificate and request a new one.
for f in crt chain full; do
	cp "$T_TMP/new.$f" "$T_TMP/rv.example.org.$f"
done
"$ACMED" -d -v -f "$conf" >"$T_TMP/daemon" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "daemon started (and issued the other domain's certificate)" \
    wait_for 30 grep -q 'other.example.org: certificate issued' \
    "$T_TMP/daemon"
s3=$(serial "$T_TMP/rv.example.org.crt")
check "beside the daemon: acmed -r exits 0" run -r rv.example.org
check "beside the daemon: revoked ($s3)" [ "$(status "$s3")" = Revoked ]
kill -USR1 "$dpid"
check "SIGUSR1: the daemon issues a new certificate" \
    wait_for 30 grep -q 'rv.example.org: certificate issued' "$T_TMP/daemon"
s4=$(serial "$T_TMP/rv.example.org.crt")
check "SIGUSR1: the new certificate is valid ($s4)" new_valid "$s4" "$s3"
kill "$dpid"
wait "$dpid" 2>/dev/null

# A domain key that is not the certificate's any more: the account that
# ordered the certificate revokes it.
mv "$T_TMP/rv.example.org.key" "$T_TMP/rv.example.org.key.orig"
(umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T_TMP/rv.example.org.key" 2>/dev/null)
check "another domain key: acmed -r exits 0" run -r rv.example.org
check "another domain key: revoked through the account" \
    grep -q "is not the certificate's: revoking through the account" \
    "$T_TMP/out"
check "another domain key: Pebble says revoked ($s4)" \
    [ "$(status "$s4")" = Revoked ]

# The domain key removed (say it leaked): revoked through the account,
# then a new key is made and a provisional certificate installed with it.
check "issued again" run -o rv.example.org
s5=$(serial "$T_TMP/rv.example.org.crt")
rm -f "$T_TMP/rv.example.org.key"
check "no domain key: acmed -r exits 0" run -r rv.example.org
check "no domain key: revoked through the account" \
    grep -q "no domain key .*: revoking through the account" "$T_TMP/out"
check "no domain key: Pebble says revoked ($s5)" \
    [ "$(status "$s5")" = Revoked ]
check "no domain key: a new key made, 0600" sh -c \
    "[ \$(stat -c %a '$T_TMP/rv.example.org.key') = 600 ]"
certpub=$(openssl x509 -noout -pubkey -in "$T_TMP/rv.example.org.crt")
keypub=$(openssl pkey -pubout -in "$T_TMP/rv.example.org.key")
check "no domain key: a provisional certificate for the new key" sh -c \
    "[ -n '$keypub' ] && [ '$certpub' = '$keypub' ]"
check "no domain key: that certificate is self-signed" \
    self_signed "$T_TMP/rv.example.org.crt"

# reason SERIAL: the reason code Pebble records for a revoked certificate.
reason() { t_cert_status "$1" Reason; }
pub() { t_pub "$1"; }
key=$T_TMP/rv.example.org.key
for r in unspecified:0 affiliationChanged:3 superseded:4 \
    cessationOfOperation:5; do
	name=${r%:*} code=${r#*:}
	check "$name: issued" run -o rv.example.org
	s=$(serial "$T_TMP/rv.example.org.crt")
	cp "$key" "$T_TMP/key.before"
	: >"$T_TMP/reasons"
	check "$name: acmed -r -R $name exits 0" run -r -R "$name" rv.example.org
	check "$name: Pebble records it revoked ($s)" \
	    [ "$(status "$s")" = Revoked ]
	check "$name: Pebble records reason $code" [ "$(reason "$s")" = "$code" ]
	check "$name: signed by the account, which keeps the reason" \
	    grep -q "rv.example.org: revoking through the account, so that" \
	    "$T_TMP/out"
	check "$name: the audit line gives the reason" grep -q \
	    "^-r: domain rv.example.org (authority pebble): certificate revoked (reason $name)$" \
	    "$T_TMP/out"
	check "$name: the event hook has the reason" \
	    grep -q "^revoked $name$" "$T_TMP/reasons"
	check "$name: the domain key kept as it was" \
	    cmp -s "$key" "$T_TMP/key.before"
	check "$name: nothing moved aside as compromised" \
	    test ! -e "$key.compromised"
done

check "keyCompromise: issued" run -o rv.example.org
s=$(serial "$T_TMP/rv.example.org.crt")
cp "$key" "$T_TMP/key.compromised.expected"
oldpub=$(pub "$key")
: >"$T_TMP/reasons"
check "keyCompromise: acmed -r -R keycompromise (any case) exits 0" \
    run -r -R keycompromise rv.example.org
check "keyCompromise: Pebble records it revoked ($s)" \
    [ "$(status "$s")" = Revoked ]
check "keyCompromise: Pebble records reason 1" [ "$(reason "$s")" = 1 ]
check "keyCompromise: signed with the domain key itself" \
    grep -q "rv.example.org: revoking with the domain key .*, the certificate's own" \
    "$T_TMP/out"
check "keyCompromise: the event hook has the reason" \
    grep -q "^revoked keyCompromise$" "$T_TMP/reasons"
check "keyCompromise: the key moved aside as KEY.compromised, as it was" \
    cmp -s "$key.compromised" "$T_TMP/key.compromised.expected"
check "keyCompromise: the audit line says where the key went" grep -q \
    "^-r: domain rv.example.org: the compromised key $key moved to $key.compromised$" \
    "$T_TMP/out"
newpub=$(pub "$key")
check "keyCompromise: a new domain key, 0600, another public key" sh -c \
    "[ \$(stat -c %a '$key') = 600 ] && [ -n '$newpub' ] &&
    [ '$newpub' != '$oldpub' ]"
check "keyCompromise: the provisional certificate has the new key" \
    [ "$(pub "$T_TMP/rv.example.org.crt")" = "$newpub" ]
check "keyCompromise: the next certificate is issued" run -o rv.example.org
check "keyCompromise: with the new key" \
    [ "$(pub "$T_TMP/rv.example.org.crt")" = "$newpub" ]
check "keyCompromise: and chains to Pebble" t_verify rv.example.org

# A second compromise: the first key moved aside stays as it is.
s=$(serial "$T_TMP/rv.example.org.crt")
cp "$key" "$T_TMP/key.compromised.2.expected"
check "second keyCompromise: exits 0" \
    run -r -R keyCompromise rv.example.org
check "second keyCompromise: Pebble records reason 1 ($s)" \
    [ "$(reason "$s")" = 1 ]
check "second keyCompromise: the first compromised key untouched" \
    cmp -s "$key.compromised" "$T_TMP/key.compromised.expected"
check "second keyCompromise: the second as KEY.compromised.2" \
    cmp -s "$key.compromised.2" "$T_TMP/key.compromised.2.expected"

# keyCompromise beside a running daemon: SIGHUP, and the daemon's next
# certificate has the new key, never the one moved aside.
check "issued again" run -o rv.example.org
s=$(serial "$T_TMP/rv.example.org.crt")
"$ACMED" -d -v -f "$conf" >"$T_TMP/daemon2" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "daemon started" wait_for 30 grep -q 'starting:' "$T_TMP/daemon2"
cp "$key" "$T_TMP/key.compromised.3.expected"
check "beside the daemon: keyCompromise exits 0" \
    run -r -R keyCompromise rv.example.org
check "beside the daemon: the daemon was sent SIGHUP" \
    grep -q "sent SIGHUP to the running daemon (pid $dpid): it reads the new domain keys" \
    "$T_TMP/out"
check "beside the daemon: revoked, reason 1 ($s)" [ "$(reason "$s")" = 1 ]
check "beside the daemon: the key as KEY.compromised.3" \
    cmp -s "$key.compromised.3" "$T_TMP/key.compromised.3.expected"
newpub=$(pub "$key")
check "SIGHUP: the daemon issues a new certificate" \
    wait_for 30 grep -q 'rv.example.org: certificate issued' \
    "$T_TMP/daemon2"
check "SIGHUP: with the new key" \
    [ "$(pub "$T_TMP/rv.example.org.crt")" = "$newpub" ]
check "SIGHUP: not with the compromised one" \
    [ "$(pub "$T_TMP/rv.example.org.crt")" != \
    "$(pub "$key.compromised.3")" ]
kill "$dpid"
wait "$dpid" 2>/dev/null
t_done
