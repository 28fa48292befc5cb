#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Authority errors against Pebble: a blocklisted name, and half of all
# nonces refused (badNonce must be retried).
. "$(dirname "$0")/lib.sh"
t_users
PEBBLE_BLOCKLIST=blocked.example.org PEBBLE_NONCE_REJECT=50 t_pebble 14200 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (50% of nonces refused)"
conf=$T_TMP/acmed.conf
run() {
	"$ACMED" -o -d -v -f "$@" >"$T_TMP/out" 2>&1
}

t_conf "$conf"
t_domain "$conf" n1.example.org "" n2.example.org n3.example.org
check "50% badNonce: acmed -o still issues" run "$conf"
check "50% badNonce: retries were needed" grep -q badNonce "$T_TMP/out"
check "50% badNonce: chain verifies" t_verify n1.example.org

t_conf "$conf"
t_domain "$conf" x.blocked.example.org
check_not "blocklisted name: acmed -o exits non-zero" run "$conf"
check "blocklisted name: rejectedIdentifier reported" \
    grep -q 'rejectedIdentifier' "$T_TMP/out"
check "blocklisted name: the error names the domain" \
    grep -q 'x.blocked.example.org' "$T_TMP/out"
check "blocklisted name: no certificate file" sh -c \
    "! test -e '$T_TMP/x.blocked.example.org.crt'"
t_done
