#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# An order finalized but never downloaded, resumed after its certificate
# expired (Pebble issues 10-second certificates here).  A first pass
# loses both downloads of the certificate (ariproxy -D) and fails, the
# order saved; once the certificate has expired, a second pass resumes
# the order, refuses the expired certificate, forgets the order and
# places a new one at once: only a current certificate is installed, and
# the only "issued" event is for it.
. "$(dirname "$0")/lib.sh"
t_users
t_python
PEBBLE_VALIDITY=10 t_pebble 16500 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (10 s certificates)"
conf=$T_TMP/acmed.conf
alog=$T_TMP/proxy.log
drop=$T_TMP/drop
crt=$T_TMP/expired.example.org.crt
orderfile=$T_TMP/state/orders/expired.example.org.url
: >"$alog"
check "proxy listening" t_ariproxy "$alog" -D "$drop"
t_conf "$conf"
sed -i "s|api url \".*\"|api url \"https://127.0.0.1:$ARIPROXY_PORT/dir\"|" \
    "$conf"
# The hook notes each event, its certificate's end and when it came.
printf '#!/bin/sh\necho "$1 $(date -u -d "$ACMED_NOT_AFTER" +%%s) $(date +%%s)" >>"%s/events"\n' \
    "$T_TMP" >"$T_TMP/hook"
chmod 0755 "$T_TMP/hook"
echo "event hook \"$T_TMP/hook\"" >>"$conf"
t_domain "$conf" expired.example.org

printf 'certificate\ncertificate\n' >"$drop"
"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log.1" 2>&1
check "first pass: fails without the certificate" test $? -eq 1
check "first pass: both downloads were lost" \
    test "$(grep -c ' dropped certificate$' "$alog")" -eq 2
check "first pass: nothing installed" test ! -e "$crt"
first=$(cat "$orderfile" 2>/dev/null)
check "first pass: the order is saved" test -n "$first"

# The order's certificate lives 10 s from its issue, before the pass
# ended: 12 s later it has expired.
sleep 12
start=$(date +%s)
mv "$T_TMP/events" "$T_TMP/events.1"
"$ACMED" -o -d -v -f "$conf" >"$T_TMP/log.2" 2>&1
check "second pass: succeeds" test $? -eq 0
check "second pass: resumes the order" grep -q "resuming order $first" \
    "$T_TMP/log.2"
check "second pass: refuses the expired certificate, naming the order" \
    grep -q "expired.example.org: the certificate expired at .*: not installed; order $first forgotten" \
    "$T_TMP/log.2"
check "second pass: a new order is placed" \
    test "$(grep -c 'Added order' "$T_PEBBLE_DIR/pebble.log")" -eq 2
end=$(openssl x509 -in "$crt" -noout -enddate 2>/dev/null | sed 's/^notAfter=//')
end=$(date -u -d "$end" +%s 2>/dev/null)
check "the installed certificate was current when installed" \
    test "${end:-0}" -ge "$start"
check "it verifies" t_verify expired.example.org
check "second pass: one issued event, no other" \
    test "$(cut -d' ' -f1 "$T_TMP/events" | tr '\n' ' ')" = "issued "
check "the issued event is for a certificate current at that moment" \
    awk '$1 == "issued" && $2 >= $3 { n++ } END { exit n != 1 }' \
    "$T_TMP/events"
check "the order is forgotten" test ! -e "$orderfile"
t_done
