#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# What an authority says reaches the log, the status file and the event
# hook as visible text, whatever it holds.  Pebble behind ariproxy, which
# rewrites its answers: an authorization whose identifier holds a newline
# (a forged "certificate issued" line) and ESC, and a problem whose detail
# holds C0 and C1 controls and bidirectional overrides.
. "$(dirname "$0")/lib.sh"
t_users
t_python
PEBBLE_BLOCKLIST=blocked.s09d.test t_pebble 16100 ||
    { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

conf=$T_TMP/acmed.conf
out=$T_TMP/out
rules=$T_TMP/rules
hook=$T_TMP/hook.sh
alog=$T_TMP/proxy-events
printf '#!/bin/sh\nprintf "%%s %%s\\n" "$1" "$ACMED_ERROR" >>"%s/events"\n' \
    "$T_TMP" >"$hook"
chmod 0755 "$hook"

check "proxy listening" t_ariproxy "$alog" -r "$rules"

# last_error FILE: the last error of the first certificate in a status
# file, on a line of its own.
last_error() {
	"$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["certificates"][0]["last_error"])' "$1"
}
conf_for() {
	t_conf "$conf" "$PROXY_URL"
	echo "event hook \"$hook\"" >>"$conf"
	t_domain "$conf" "$1"
}
run() {
	"$ACMED" -o -d -v -f "$conf" >"$out" 2>&1
}

# 1. The authorization is for a name that holds a forged line.
cat >"$rules" <<'EOR'
identifier "a.s09d.test\nacmed: a.s09d.test: certificate issued\u001b]0;x\u0007"
EOR
conf_for a.s09d.test
check_not "forged identifier: acmed -o fails" run
check "the proxy rewrote the authorization" grep -q ' identifier$' "$alog"
check "forged identifier: no forged line" sh -c \
    "! grep -q '^acmed: a.s09d.test: certificate issued' '$out'"
check "forged identifier: the log is visible text" t_visible "$out"
check "forged identifier: the order fails naming the identifier" grep -q \
    'a.s09d.test: certificate not issued: a.s09d.test: authorization https://[^ ]* is for "a.s09d.test\\x0aacmed: a.s09d.test: certificate issued\\x1b]0;x\\x07", a name that was not ordered' \
    "$out"
check "forged identifier: nothing was answered" sh -c \
    "! grep -q 'challenge answered' '$out'"
check "forged identifier: no certificate" test ! -e "$T_TMP/a.s09d.test.crt"

# 2. A problem whose detail holds controls of every kind.
cat >"$rules" <<'EOR'
detail "policy\r\u001b[2Kacmed: ok\n\u0085\u009b31m \u202eevil\u202c \u2066x\u2069 \u200f\u061c\u2028\u007f caf\u00e9 \u8a3c\u660e \ud83d\udd12"
EOR
rm -f "$T_TMP/events"
conf_for x.blocked.s09d.test
check_not "controls in a problem: acmed -o fails" run
check "the proxy rewrote the problem" grep -q ' detail$' "$alog"
check "controls in a problem: the log is visible text" t_visible "$out"
check "controls in a problem: each one shown" grep -qF \
    'policy\x0d\x1b[2Kacmed: ok\x0a\u0085\u009b31m \u202eevil\u202c \u2066x\u2069 \u200f\u061c\u2028\x7f caf' \
    "$out"
check "controls in a problem: accents, CJK and emoji kept" grep -qF \
    "$(printf 'caf\303\251 \350\250\274\346\230\216 \360\237\224\222')" "$out"
check "status.json written" test -s "$T_TMP/state/status.json"
last_error "$T_TMP/state/status.json" >"$T_TMP/last_error" 2>/dev/null
check "status.json: the last error is the problem" \
    grep -q 'rejectedIdentifier: policy' "$T_TMP/last_error"
check "status.json: the last error is visible text" t_visible \
    "$T_TMP/last_error"
"$ACMED" -s -f "$conf" >"$T_TMP/s" 2>&1
check "acmed -s shows the error" grep -q 'last error: .*policy' "$T_TMP/s"
check "acmed -s: visible text" t_visible "$T_TMP/s"
check "the event hook ran" grep -q '^renewal-failed .*policy' \
    "$T_TMP/events"
check "ACMED_ERROR is visible text" t_visible "$T_TMP/events"
check "ACMED_ERROR shows the controls" grep -qF \
    'policy\x0d\x1b[2Kacmed: ok\x0a\u0085\u009b31m \u202eevil' \
    "$T_TMP/events"
t_done
