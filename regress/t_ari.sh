#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Renewal information (RFC 9773) end to end: the daemon talks to Pebble
# through ariproxy, which adds renewalInfo (at a random path) to the
# directory and answers it from a window file.  acmed asks for the
# window of the certificate it holds, renews inside a future window and
# at once for a past one, names the certificate it replaces in the new
# order, and orders again without it when the authority refuses that,
# or when the certificate's id is too long to be sent.  When the
# authority moves renewal information without notice, the 404 of the
# old URL has acmed read the directory again and ask at the new one.
. "$(dirname "$0")/lib.sh"
t_users
t_python
t_pebble 14800 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
log=$T_TMP/log
alog=$T_TMP/ari.log
win=$T_TMP/window
crt=$T_TMP/ari.example.org.crt
: >"$alog"

# rfc3339 OFFSET: now + OFFSET seconds as an RFC 3339 time.
rfc3339() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ
}

# set_window [ID START-OFFSET END-OFFSET]: certificate ID gets a window
# relative to now, every other one a window an hour away; all asked about
# again every 2 s.  Written aside and renamed, so the proxy never reads
# half a file.
set_window() {
	now=$(date +%s)
	{
		[ $# -eq 3 ] && echo "$1 $(rfc3339 "$2") $(rfc3339 "$3") 2"
		echo "* $(rfc3339 3600) $(rfc3339 7200) 2"
	} >"$win.tmp" && mv "$win.tmp" "$win"
	if [ $# -eq 3 ]; then
		win_start=$((now + $2))
		win_end=$((now + $3))
	fi
}

# issued_id: the id of the installed certificate if Pebble issued it
# (not the provisional one).
issued_id() {
	openssl x509 -in "$crt" -noout -issuer 2>/dev/null |
	    grep -q 'Pebble' || return 1
	cert_id "$crt"
}

# new_cert OLDID: a certificate from Pebble other than OLDID is installed;
# sets $id.
new_cert() {
	id=$(issued_id) && [ -n "$id" ] && [ "$id" != "$1" ]
}

# alog_has PATTERN: a line of the proxy's log matches (extended regex).
alog_has() {
	grep -qE -- "$1" "$alog"
}
alog_count() {
	grep -cE -- "$1" "$alog"
}
alog_more() {
	[ "$(alog_count "$1")" -gt "$2" ]
}
# alog_time PATTERN: the time of the first line matching.
alog_time() {
	grep -E -- "$1" "$alog" | head -n 1 | cut -d' ' -f1
}

# The proxy in front of Pebble, with the test CA's localhost certificate.
set_window
"$PY" "$TOP/regress/helpers/ariproxy.py" -s \
    -c "$T_PEBBLE_DIR/cert.pem" -k "$T_PEBBLE_DIR/key.pem" \
    -u "${PEBBLE_URL%/dir}" -C "$PEBBLE_CA" -w "$win" -L "$alog" \
    -R "$T_TMP/refuse" -r "$T_TMP/rules" -P "$T_TMP/port" \
    2>"$T_TMP/proxy.log" &
proxypid=$!
t_at_exit "kill $proxypid 2>/dev/null"
check "proxy listening" wait_for 10 test -s "$T_TMP/port"
port=$(cat "$T_TMP/port")
check "the directory through the proxy offers renewalInfo" sh -c \
    "curl -sf --max-time 5 --cacert '$PEBBLE_CA' https://127.0.0.1:$port/dir |
    grep -q '\"renewalInfo\": \"https://127.0.0.1:$port/ari-'"

t_conf "$conf"
sed -i "s|api url \".*\"|api url \"https://127.0.0.1:$port/dir\"|" "$conf"
t_domain "$conf" ari.example.org

# The daemon, stopped at exit (SIGTERM, then SIGKILL after 5 s).
daemon_stop() {
	[ -n "$dpid" ] || return 0
	kill -TERM "$dpid" 2>/dev/null
	wait_for 5 proc_gone "$dpid" || kill -KILL "$dpid" 2>/dev/null
}
"$ACMED" -d -v -f "$conf" >"$log" 2>&1 &
dpid=$!
t_at_exit daemon_stop

# 1. Issued; the first order replaces nothing; the window of the issued
# certificate is asked for by its id, at the path the directory gave.
check "certificate issued through the proxy" wait_for 30 new_cert ""
id1=$id
echo "# first certificate $id1"
check "first order names nothing it replaces" alog_has \
    ' newOrder replaces=-$'
check "renewal information asked for the certificate's id" \
    wait_for 10 alog_has " renewalInfo $id1\$"
check "acmed logged the window (debug)" wait_for 5 grep -qE \
    "renewal information https://127.0.0.1:$port/ari-[0-9a-f]+/renewal-info/$id1: window" "$log"

# 2. A window an hour away: asked again as Retry-After says, no renewal.
check "asked again after Retry-After (2 s)" wait_for 10 alog_more \
    " renewalInfo $id1\$" 1
check "no renewal before a future window" sh -c \
    "! grep -q ' newOrder replaces=[^-]' '$alog'"
check "the first certificate still installed" test "$(issued_id)" = "$id1"

# 3. A window from now+15 s to now+25 s: renewed inside it, naming the
# certificate it replaces.
set_window "$id1" 15 25
check "renewal ordered within 40 s" wait_for 40 alog_has \
    " newOrder replaces=$id1\$"
t=$(alog_time " newOrder replaces=$id1\$")
echo "# window $win_start..$win_end, ordered at ${t:-never}"
check "not before the window starts" test "${t:-0}" -ge "$win_start"
check "not long after the window ends" test "${t:-0}" -le $((win_end + 3))
check "renewed certificate installed" wait_for 20 new_cert "$id1"
id2=$id
check "the old certificate kept as .bak" test "$(cert_id "$crt.bak")" = "$id1"
check "renewal information asked for the new certificate" \
    wait_for 10 alog_has " renewalInfo $id2\$"

# 4. A window already past: renewed at once.
set_window "$id2" -7200 -3600
t0=$(date +%s)
check "past window: renewal ordered at once" wait_for 15 alog_has \
    " newOrder replaces=$id2\$"
t=$(alog_time " newOrder replaces=$id2\$")
check "past window: within the refresh (a few seconds)" \
    test "${t:-9999999999}" -le $((t0 + 6))
check "past window: renewed certificate installed" wait_for 20 new_cert "$id2"
id3=$id

# 5. The authority refuses the order for its replaces: ordered again
# without it, and the certificate still renewed.
: >"$T_TMP/refuse"
set_window "$id3" -7200 -3600
check "refused replaces: the authority said alreadyReplaced" \
    wait_for 15 alog_has " refused replaces=$id3\$"
check "refused replaces: renewed anyway" wait_for 20 new_cert "$id3"
id4=$id
rm -f "$T_TMP/refuse"
check "refused replaces: ordered again without replaces" sh -c \
    "awk '/ refused replaces=$id3\$/ { r = 1; next }
    r && / newOrder replaces=-\$/ { ok = 1 } END { exit !ok }' '$alog'"
check "refused replaces: acmed said so" grep -q \
    "alreadyReplaced.*ordering again without replaces" "$log"

# 6. The authority moves renewal information without notice: the old
# URL answers 404, the directory read again names the new one, and the
# window is asked for there.
echo "aripath /ari-00000000/renewal-info/" >"$T_TMP/rules"
check "moved: the old renewalInfo URL answered 404" wait_for 10 alog_has \
    ' moved /ari-[0-9a-f]+/renewal-info/'
check "moved: acmed read the directory again" wait_for 10 grep -qF \
    "answered 404; the directory now names https://127.0.0.1:$port/ari-00000000/renewal-info/ for renewalInfo" \
    "$log"
check "moved: the window asked for at the new URL" wait_for 10 grep -qF \
    "renewal information https://127.0.0.1:$port/ari-00000000/renewal-info/$id4: window" \
    "$log"

# 7. The window cannot be had: a warning naming the URL.
check "future window: asked for the new certificate" \
    wait_for 10 alog_has " renewalInfo $id4\$"
rm -f "$win"
check "no window: the warning names the URL and the status" wait_for 10 \
    grep -qE "renewal information https://127.0.0.1:$port/ari-[0-9a-f]+/renewal-info/$id4: HTTP 404" "$log"
check "the daemon still runs" kill -0 "$dpid"
check "no renewal after the last" sh -c \
    "[ \$(grep -c ' newOrder ' '$alog') -eq 5 ]"

# 8. A certificate whose id is longer than the order's field may be (an
# Authority Key Identifier of 900 bytes, from a CA of the test's own,
# which makes an id of 1,200 characters), due as its window is past:
# renewed, the order naming nothing it replaces, and the daemon waits
# between its steps: its log stays short.
daemon_stop
dpid=
long=long.example.org
lca=$T_TMP/longca
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$lca.key" -out "$lca.pem" -days 30 -subj "/CN=long AKI CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" \
    -addext "subjectKeyIdentifier=$(openssl rand -hex 900)" \
    >"$T_TMP/openssl.log" 2>&1
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T_TMP/$long.key" >>"$T_TMP/openssl.log" 2>&1
chmod 0600 "$T_TMP/$long.key"
printf '%s\n' "subjectAltName=DNS:$long" \
    "authorityKeyIdentifier=keyid:always" >"$lca.ext"
openssl req -new -key "$T_TMP/$long.key" -subj "/CN=$long" |
    openssl x509 -req -CA "$lca.pem" -CAkey "$lca.key" -days 20 \
    -set_serial 7 -extfile "$lca.ext" -out "$T_TMP/$long.crt" \
    >>"$T_TMP/openssl.log" 2>&1
cat "$T_TMP/$long.crt" "$lca.pem" >"$T_TMP/$long.full"
cp "$lca.pem" "$T_TMP/$long.chain"
lid=$(cert_id "$T_TMP/$long.crt")
check "a certificate whose id has more than 1024 characters (${#lid})" \
    test "${#lid}" -gt 1024
conf2=$T_TMP/long.conf
log2=$T_TMP/log.long
t_conf "$conf2"
sed -i -e "s|api url \".*\"|api url \"https://127.0.0.1:$port/dir\"|" \
    -e "s|state directory \".*\"|state directory \"$T_TMP/state.long\"|" \
    "$conf2"
t_domain "$conf2" "$long"
set_window "$lid" -7200 -3600
orders=$(alog_count ' newOrder ')
"$ACMED" -d -v -f "$conf2" >"$log2" 2>&1 &
dpid=$!
# pebble_leaf: Pebble's certificate for the name is installed.
pebble_leaf() {
	openssl x509 -in "$T_TMP/$long.crt" -noout -issuer 2>/dev/null |
	    grep -q Pebble
}
check "long id: renewed" wait_for 30 pebble_leaf
check "long id: one order, naming nothing it replaces" sh -c \
    "[ \$(grep -c ' newOrder ' '$alog') -eq $((orders + 1)) ] &&
    grep ' newOrder ' '$alog' | tail -n 1 | grep -q ' replaces=-\$'"
check "long id: the log says why (debug)" grep -q \
    "$long: the certificate's renewal information id has 1.* bytes (at most 1024): the order does not name the certificate it replaces" \
    "$log2"
daemon_stop
dpid=
echo "# $(wc -l <"$log2") lines logged"
check "long id: the daemon did not loop (fewer than 200 lines logged)" \
    test "$(wc -l <"$log2")" -lt 200
check_not "long id: no message refused" grep -q "Message too long" "$log2"

t_done
