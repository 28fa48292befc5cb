#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# dns-01 end to end: a real BIND 9 on 127.0.0.1:53, authoritative for
# example.test and taking TSIG-signed updates; Pebble resolves through it
# (-dnsserver); acmed publishes with the shipped nsupdate hook, run as
# _acmed-dns.  The system's resolver must ask that BIND too (netproc
# checks the zone's servers through it): the test runs in a mount
# namespace of its own whose /etc/resolv.conf names 127.0.0.1, so that no
# setting of acmed's is needed and nothing outside the test sees it, and
# in a network namespace of its own, where port 53 is free even on a host
# that runs its own name server.
if [ -z "${T_DNS01_NS:-}" ]; then
	T_DNS01_NS=1 exec unshare -m -n sh -c \
	    'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
t_users

mount --make-rprivate / 2>/dev/null
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
    >"$T_TMP/resolv.conf"
if ! mount --bind "$T_TMP/resolv.conf" /etc/resolv.conf; then
	notok "a resolv.conf of the test's own"
	t_done
	exit 1
fi

# BIND: example.test with its server at 127.0.0.1 and ::1, updates by key
# "acmed".
B=$T_TMP/bind
mkdir -p "$B"
tsig-keygen -a hmac-sha256 acmed >"$T_TMP/tsig.key"
cat >"$B/named.conf" <<EOC
options {
	directory "$B";
	pid-file "$B/named.pid";
	listen-on port 53 { 127.0.0.1; };
	listen-on-v6 port 53 { ::1; };
	recursion no;
	dnssec-validation no;
	notify no;
};
include "$T_TMP/tsig.key";
zone "example.test" {
	type primary;
	file "example.test.zone";
	update-policy { grant acmed zonesub TXT; };
};
EOC
cat >"$B/example.test.zone" <<EOC
\$TTL 60
@	IN SOA ns1.example.test. admin.example.test. 1 60 60 600 60
@	IN NS ns1.example.test.
ns1	IN A 127.0.0.1
ns1	IN AAAA ::1
@	IN A 127.0.0.1
EOC
named -g -c "$B/named.conf" >"$T_TMP/named.log" 2>&1 &
npid=$!
t_at_exit "kill $npid 2>/dev/null"
check "BIND answers for example.test" \
    wait_for 20 sh -c "dig +short +norec @127.0.0.1 example.test SOA | grep -q ns1"

# No authorization reused: each order below validates again.
PEBBLE_DNS_SERVER=127.0.0.1:53 PEBBLE_EXTRA_ENV=PEBBLE_AUTHZREUSE=0 \
    t_pebble 18300 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

# The shipped hook, with its settings: the key readable by _acmed-dns only.
H=$T_TMP/hook
mkdir -p "$H"
cp "$TOP/etc/dns-nsupdate" "$H/dns-nsupdate"
chgrp _acmed-dns "$T_TMP/tsig.key"
chmod 0640 "$T_TMP/tsig.key"
printf 'key=%s\nserver=127.0.0.1\nzone=example.test\n' "$T_TMP/tsig.key" \
    >"$H/nsupdate.conf"
printf '#!/bin/sh\nexec %s -c %s "$@"\n' "$H/dns-nsupdate" \
    "$H/nsupdate.conf" >"$H/hook"
chmod 0755 "$H/dns-nsupdate" "$H/hook"

conf=$T_TMP/acmed.conf
# dns_conf HOOK [WAIT [TIMEOUT]]: example.test and its wildcard over
# dns-01; the hook's timeout long enough for a loaded machine but the one
# of the test of a hook that hangs.
dns_conf() {
	t_conf "$conf"
	cat >>"$conf" <<EOC
dns hook "$1"
dns hook timeout ${3:-30} seconds
dns wait ${2:-20} seconds
domain example.test {
	alternative names { "*.example.test" }
	challenge dns-01
	domain key "$T_TMP/example.test.key"
	domain certificate "$T_TMP/example.test.crt"
	domain full chain certificate "$T_TMP/example.test.full"
	sign with pebble
}
EOC
}
run() {
	"$ACMED" -o -d -v -f "$conf" >"$T_TMP/out" 2>&1
	r_rc=$?
	cat "$T_TMP/out" >>"$T_TMP/all.log"
	return $r_rc
}
# A new certificate due, no state.
fresh() {
	rm -rf "$T_TMP/state" "$T_TMP/example.test.crt" \
	    "$T_TMP/example.test.full"
}
# No TXT record left at _acme-challenge.example.test.
no_txt() {
	[ -z "$(dig +short +norec @127.0.0.1 _acme-challenge.example.test TXT)" ]
}
t_sans() {
	openssl x509 -in "$T_TMP/example.test.crt" -noout -ext subjectAltName |
	    sed 1d | tr ',' '\n' | sed 's/^ *//' | sort | tr '\n' ' '
}

# The first run's hook notes who runs it, with what open and in what
# environment, then runs the real one.
P=$T_TMP/probe
mkdir -p "$P"
chown _acmed-dns "$P"
cat >"$H/probe" <<EOS
#!/bin/sh
{ id -un; ls /proc/self/fd | sort -n | tr '\\n' ' '; echo; env | sort; echo "args \$*"; } >"$P/\$1"
exec "$H/hook" "\$@"
EOS
chmod 0755 "$H/probe"
dns_conf "$H/probe"
check "acmed -n accepts a wildcard with dns-01" "$ACMED" -n -f "$conf"
check "example.test and *.example.test: issued" run
check "...the leaf names both" \
    test "$(t_sans)" = 'DNS:*.example.test DNS:example.test ' 
check "...the hook published both records in one update" \
    grep -q "example.test: dns-01 records published" "$T_TMP/out"
check "...both addresses of the zone's server were asked" \
    grep -q "_acme-challenge.example.test: served at the 2 addresses of the servers of zone example.test" \
    "$T_TMP/out"
check "...the TXT records are gone afterwards" no_txt
check "...and so is the record of them" \
    sh -c "! ls '$T_TMP/state/dns/' | grep -q ."
check "...no http-01 preflight for a dns-01 domain" \
    sh -c "! grep -q 'preflight' '$T_TMP/out'"
check "...BIND took the signed updates (its journal)" \
    test -s "$B/example.test.zone.jnl"
check "...the hook ran as _acmed-dns, to add and to remove" sh -c \
    "[ \"\$(sed -n 1p '$P/add')\" = _acmed-dns ] &&
    [ \"\$(sed -n 1p '$P/del')\" = _acmed-dns ]"
check "...with no descriptor but 0, 1 and 2 (and the one ls opens)" \
    test "$(sed -n 2p "$P/add")" = "0 1 2 3 "
check "...both values of _acme-challenge.example.test in one run" grep -Eq \
    "^args add _acme-challenge.example.test [A-Za-z0-9_-]{43} _acme-challenge.example.test [A-Za-z0-9_-]{43}\$" \
    "$P/add"
check "...its environment documented, and nothing else" sh -c \
    "grep -q '^ACMED_DOMAIN=example.test\$' '$P/add' &&
    grep -q '^ACMED_DNS_ACTION=add\$' '$P/add' &&
    grep -q '^ACMED_NAMES=example.test \\*.example.test\$' '$P/add' &&
    grep -q '^ACMED_DNS_TIMEOUT=30\$' '$P/add' &&
    ! grep -q '^HOME=' '$P/add'"

# A hook that fails: its status and output in the error, nothing left.
fresh
printf '#!/bin/sh\n%s "$@"\necho "zone refused the update" >&2\nexit 3\n' \
    "$H/hook" >"$H/fail"
chmod 0755 "$H/fail"
dns_conf "$H/fail"
check_not "a failing hook: acmed -o fails" run
check "...with its status and output in the error" grep -q \
    "dns hook: exited with status 3: zone refused the update" "$T_TMP/out"
check "...a failed attempt, retried with the back-off" grep -q \
    "example.test: certificate not issued: example.test: dns hook: exited with status 3" \
    "$T_TMP/out"
check "...the removal ran as well: nothing left published" no_txt

# A hook that hangs: killed at its timeout.
fresh
printf '#!/bin/sh\n[ "$1" = del ] && exit 0\nsleep 60\n' >"$H/hang"
chmod 0755 "$H/hang"
dns_conf "$H/hang" 20 3
check_not "a hook that hangs: acmed -o fails" run
check "...killed at its timeout, said in the error" grep -q \
    "dns hook: still running after 3 s: killed" "$T_TMP/out"

# A hook that says it published and did not: the check waits, then fails.
fresh
printf '#!/bin/sh\nexit 0\n' >"$H/liar"
chmod 0755 "$H/liar"
dns_conf "$H/liar" 3
check_not "a record that never appears: acmed -o fails" run
check "...naming the server and the value missing" grep -q \
    "_acme-challenge.example.test: server ns1.example.test (127.0.0.1) of zone example.test does not serve TXT" \
    "$T_TMP/out"

# A crash leaves a record: the next start removes it.
fresh
dns_conf "$H/hook"
mkdir -p "$T_TMP/state/dns"
"$H/hook" add _acme-challenge.example.test AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
check_not "a record a crash left is published" no_txt
echo "example.test AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
    >"$T_TMP/state/dns/example.test.records"
chmod 0700 "$T_TMP/state/dns"
chmod 0600 "$T_TMP/state/dns/example.test.records"
check "the next run removes it at start, then issues" run
check "...said so" grep -q "removing the dns-01 records a previous run left" \
    "$T_TMP/out"
check "...nothing left published" no_txt

# Twenty-one names, and a hook whose removal fails: the record of every
# one stays, a line each, and the next start removes them all.
fresh
printf '#!/bin/sh\n[ "$1" = del ] && { echo "no removal" >&2; exit 1; }\nexec %s "$@"\n' \
    "$H/hook" >"$H/nodel"
chmod 0755 "$H/nodel"
many=""
i=1
while [ $i -le 20 ]; do many="$many n$i.example.test"; i=$((i + 1)); done
t_conf "$conf"
cat >>"$conf" <<EOC
dns hook "$H/nodel"
domain many.example.test {
	alternative names { $many }
	challenge dns-01
	domain key "$T_TMP/many.key"
	domain full chain certificate "$T_TMP/many.full"
	sign with pebble
}
EOC
check "twenty names, the removal failing: issued" run
check "...the failed removal is an event" grep -q \
    "event dns-hook-failed many.example.test" "$T_TMP/out"
check "...all 21 records are recorded" test \
    "$(wc -l <"$T_TMP/state/dns/many.example.test.records")" -eq 21
check_not "...and still published" sh -c \
    "[ -z \"\$(dig +short +norec @127.0.0.1 _acme-challenge.n20.example.test TXT)\" ]"
sed -i "s|$H/nodel|$H/hook|" "$conf"
rm -f "$T_TMP/many.full"
check "the next run removes them at start" run
check "...every one" sh -c "for n in many.example.test $many; do
    [ -z \"\$(dig +short +norec @127.0.0.1 _acme-challenge.\$n TXT)\" ] ||
    exit 1; done"
check "...and their record" test ! -e "$T_TMP/state/dns/many.example.test.records"

# The authority sees another value: Pebble now resolves through its own
# DNS (challtestsrv), which serves a wrong value, while BIND, which the
# check asks, serves the right ones.  The authority's refusal ends the
# order, and the records are removed.
fresh
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null
PEBBLE_DNS_SERVER= PEBBLE_EXTRA_ENV=PEBBLE_AUTHZREUSE=0 t_pebble_start ||
    notok "pebble starts again"
curl -s -X POST -d '{"host":"_acme-challenge.example.test.","value":"wrong"}' \
    "http://127.0.0.1:18303/set-txt" >/dev/null
dns_conf "$H/hook"
check_not "the authority sees another value: acmed -o fails" run
check "...with the authority's problem in the error" grep -q \
    "certificate not issued: example.test: unauthorized: Correct value not found" \
    "$T_TMP/out"
check "...nothing left published" no_txt

# A second server of the zone that does not answer (nothing listens on
# 127.0.0.2): the check says which, and the records go.
t_stop "$npid"
rm -f "$B/example.test.zone.jnl"
cat >>"$B/example.test.zone" <<EOC
@	IN NS ns2.example.test.
ns2	IN A 127.0.0.2
EOC
named -g -c "$B/named.conf" >>"$T_TMP/named.log" 2>&1 &
npid=$!
t_at_exit "kill $npid 2>/dev/null"
check "BIND answers again, with two servers" wait_for 20 sh -c \
    "dig +short +norec @127.0.0.1 example.test NS | grep -q ns2"
fresh
dns_conf "$H/hook" 3
check_not "a server that does not answer: acmed -o fails" run
check "...naming it" grep -q \
    "_acme-challenge.example.test: server ns2.example.test (127.0.0.2) of zone example.test did not answer" \
    "$T_TMP/out"
check "...nothing left published" no_txt

# What -n refuses.
t_conf "$conf"
t_domain "$conf" "*.example.test"
"$ACMED" -n -f "$conf" >"$T_TMP/out" 2>&1
check "a wildcard without dns-01: refused at file:line" grep -q \
    "acmed.conf:[0-9]*: .*name \*.example.test: a wildcard name can only be validated with the dns-01 challenge" \
    "$T_TMP/out"
sed -i 's|^\tsign with pebble$|\tsign with pebble\n\tchallenge dns-01|' "$conf"
"$ACMED" -n -f "$conf" >"$T_TMP/out" 2>&1
check "dns-01 without a hook: refused" grep -q \
    "dns-01 needs a \"dns hook\"" "$T_TMP/out"
sed -i 's|^\tchallenge dns-01$|\tchallenge tls-alpn-01|' "$conf"
"$ACMED" -n -f "$conf" >"$T_TMP/out" 2>&1
check "a wildcard over tls-alpn-01: refused" grep -q \
    "name \*.example.test: a wildcard name can only be validated with the dns-01 challenge" \
    "$T_TMP/out"

if [ "$t_failed" -gt 0 ]; then
	sed 's/^/#   /' "$T_TMP/all.log"
	tail -n 20 "$T_TMP/named.log" | sed 's/^/#   named: /'
fi
t_done
