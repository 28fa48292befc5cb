#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed -F renews named certificates now, due or not, against Pebble
# behind the renewal information proxy: the order names the certificate
# it replaces.  Without a daemon, -F makes the pass itself; beside a
# running daemon it asks the daemon (SIGUSR1), which renews at once.  The
# request stays in the state directory until a new certificate is
# installed, across a failed attempt and a restart.  A domain not named
# is left alone; unknown domains and no domain are refused.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 17000 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
alog=$T_TMP/ari.log
t_ariproxy "$alog" || { notok "proxy starts"; t_done; exit 1; }
ok "proxy starts"
conf=$T_TMP/acmed.conf
t_conf "$conf" "$PROXY_URL"
t_domain "$conf" f.example.org
t_domain "$conf" other.example.org
log=$T_TMP/log
req=$T_TMP/state/renew/f.example.org.time

serial() {
	openssl x509 -noout -serial -in "$T_TMP/$1.crt" | sed 's/^serial=//'
}
newer() {
	[ "$(serial "$1")" != "$2" ]
}

check "issued first (-o)" sh -c "'$ACMED' -o -d -v -f '$conf' >>'$log' 2>&1"
s1=$(serial f.example.org)
o1=$(serial other.example.org)
id1=$(cert_id "$T_TMP/f.example.org.crt")
"$ACMED" -o -d -v -f "$conf" >"$T_TMP/out" 2>&1
check "-o again: not due, nothing renewed" sh -c "
    grep -q 'f.example.org: not due: ' '$T_TMP/out' &&
    [ '$(serial f.example.org)' = '$s1' ]"

echo "# --- without a daemon: -F makes the pass"
"$ACMED" -F -d -v -f "$conf" f.example.org >"$T_TMP/out" 2>&1
check "-F: exit 0" test "$?" -eq 0
check "-F: a new certificate" newer f.example.org "$s1"
check "-F: it verifies" t_verify f.example.org
check "-F: the order names the certificate it replaces" \
    grep -q " newOrder replaces=$id1\$" "$alog"
check "-F: the log says it was not due" \
    grep -q 'f.example.org: renewing before it is due, as acmed -F asked' \
    "$T_TMP/out"
check "-F: the other domain is left alone" \
    [ "$(serial other.example.org)" = "$o1" ]
check "-F: the request is forgotten once installed" test ! -e "$req"

echo "# --- a failed attempt keeps the request"
s2=$(serial f.example.org)
sed "s|api url \".*\"|api url \"https://127.0.0.1:1/dir\"|" "$conf" \
    >"$T_TMP/down.conf"
"$ACMED" -F -d -v -f "$T_TMP/down.conf" f.example.org >"$T_TMP/out" 2>&1
check "-F with the authority out of reach: exit 1" test "$?" -eq 1
check "the request is kept" test -s "$req"
check "the certificate is kept" [ "$(serial f.example.org)" = "$s2" ]

echo "# --- a daemon started later renews at once"
"$ACMED" -d -v -f "$conf" >>"$log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "the daemon renews what -F asked at its start" \
    wait_for 30 newer f.example.org "$s2"
check "the request is forgotten" wait_for 10 test ! -e "$req"

echo "# --- beside the daemon"
s3=$(serial f.example.org)
"$ACMED" -F -f "$conf" f.example.org >"$T_TMP/out" 2>&1
check "-F beside the daemon: exit 0" test "$?" -eq 0
check "-F says it asked the daemon" \
    grep -q "^asked the running daemon (pid $dpid) to renew 1 certificate now" \
    "$T_TMP/out"
check "the daemon renews it" wait_for 30 newer f.example.org "$s3"
check "the other domain is still left alone" \
    [ "$(serial other.example.org)" = "$o1" ]
check "the daemon still runs" kill -0 "$dpid"
t_stop "$dpid"

echo "# --- refused"
"$ACMED" -F -f "$conf" nosuch.example.org >"$T_TMP/out" 2>&1
check "-F of an unknown domain: exit 1" test "$?" -eq 1
check "-F of an unknown domain: says so" \
    grep -q "unknown domain" "$T_TMP/out"
check "-F of an unknown domain: nothing asked" \
    test ! -e "$T_TMP/state/renew/nosuch.example.org.time"
"$ACMED" -F -f "$conf" >"$T_TMP/out" 2>&1
check "-F without a domain: usage, exit 1" sh -c \
    "[ $? -eq 1 ] && grep -q '^usage:' '$T_TMP/out'"
t_done
