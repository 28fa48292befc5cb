#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The metrics file (metrics file PATH), against Pebble: after issuing two
# certificates and failing a third (its authority out of reach), it holds
# every certificate's expiry (the certificate's own), whether it is
# provisional, its last success or failure and failures in a row, its
# next action; the requests by authority, endpoint and HTTP status; the
# order durations; the challenge server's answers (the page, an unknown
# token, a bad request, as a client sends them); the restarts after
# netproc is killed.  promtool (Debian's prometheus) accepts it.  acmed -n
# refuses a metrics file in a missing directory, or given twice.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 17100 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"
PROMTOOL=$(command -v promtool) ||
    { notok "promtool is installed (Debian's prometheus)"; t_done; exit 1; }
mdir=$T_TMP/textfile
mkdir -m 0755 "$mdir"
prom=$mdir/acmed.prom
conf=$T_TMP/acmed.conf
t_conf "$conf"
cat >>"$conf" <<EOC
metrics file "$prom"
authority down {
	api url "https://127.0.0.1:1/dir"
	account key "$T_TMP/down.key"
}
EOC
t_domain "$conf" m1.example.org
t_domain "$conf" m2.example.org
t_domain "$conf" m3.example.org
sed -i '$d' "$conf"
sed -i '$d' "$conf"
printf '\tsign with down\n}\n' >>"$conf"
check "configuration valid" sh -c "'$ACMED' -n -f '$conf' 2>/dev/null"
check "-n -v shows the metrics file" sh -c \
    "'$ACMED' -n -v -f '$conf' 2>/dev/null | grep -qx 'metrics file \"$prom\"'"

# value NAME LABELS: the sample's value (LABELS as written, in order).
value() {
	grep -F "$1{$2} " "$prom" 2>/dev/null | head -n 1 | sed 's/.* //'
}
has() {
	[ -n "$(value "$1" "$2")" ]
}
is() {
	[ "$(value "$1" "$2")" = "$3" ]
}
enddate() {
	date -d "$(openssl x509 -noout -enddate -in "$T_TMP/$1.crt" |
	    sed 's/^notAfter=//')" +%s
}

"$ACMED" -d -v -f "$conf" >"$T_TMP/log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
issued() {
	is acmed_certificate_provisional \
	    'domain="m1.example.org",authority="pebble"' 0 &&
	is acmed_certificate_provisional \
	    'domain="m2.example.org",authority="pebble"' 0 &&
	has acmed_certificate_last_failure_timestamp_seconds \
	    'domain="m3.example.org",authority="down"'
}
check "the metrics file shows two issued, one failed" wait_for 60 issued
check "promtool check metrics accepts it" sh -c \
    "'$PROMTOOL' check metrics <'$prom' >'$T_TMP/promtool' 2>&1"
sed 's/^/# /' "$T_TMP/promtool"
check "mode 0644" [ "$(stat -c %a "$prom")" = 644 ]
for d in m1 m2; do
	l="domain=\"$d.example.org\",authority=\"pebble\""
	check "$d: expiry is the certificate's" \
	    is acmed_certificate_expiry_timestamp_seconds "$l" "$(enddate $d.example.org)"
	check "$d: a last success" \
	    has acmed_certificate_last_success_timestamp_seconds "$l"
	check "$d: no failure" is acmed_certificate_consecutive_failures "$l" 0
	check "$d: next action: check or renew" sh -c \
	    "grep -Eq '^acmed_certificate_next_action_timestamp_seconds\\{$l,action=\"(check|renew)\"\\} [0-9]+\$' '$prom'"
done
l='domain="m3.example.org",authority="down"'
check "m3: provisional" is acmed_certificate_provisional "$l" 1
check "m3: failures in a row" sh -c \
    "[ \"\$(grep -F 'acmed_certificate_consecutive_failures{$l} ' '$prom' | sed 's/.* //')\" -ge 1 ]"
check "m3: no success" sh -c \
    "! grep -q 'acmed_certificate_last_success_timestamp_seconds{$l}' '$prom'"
check "requests: two new orders, answered 201" is acmed_acme_requests_total \
    'authority="pebble",endpoint="newOrder",code="201"' 2
check "requests: two finalizes, answered 200" is acmed_acme_requests_total \
    'authority="pebble",endpoint="finalize",code="200"' 2
check "requests: the challenges" has acmed_acme_requests_total \
    'authority="pebble",endpoint="challenge",code="200"'
check "requests: one account" is acmed_acme_requests_total \
    'authority="pebble",endpoint="newAccount",code="201"' 1
check "requests: the authority out of reach, no answer" has \
    acmed_acme_requests_total \
    'authority="down",endpoint="directory",code="none"'
check "order durations: two" is acmed_order_duration_seconds_count \
    'authority="pebble"' 2
check "order durations: +Inf bucket is the count" is \
    acmed_order_duration_seconds_bucket 'authority="pebble",le="+Inf"' 2
check "no restart yet" sh -c \
    "grep -qx 'acmed_process_restarts_total 0' '$prom'"

echo "# --- the challenge server's answers"
base=http://127.0.0.1:$T_HTTP_PORT
curl -s -o /dev/null "$base/.well-known/acme-challenge/"
curl -s -o /dev/null "$base/.well-known/acme-challenge/nosuchtoken"
curl -s -o /dev/null "$base/elsewhere"
curl -s -o /dev/null -X BREW "$base/"
answers() {
	has acmed_challenge_responses_total 'result="page"' &&
	has acmed_challenge_responses_total 'result="unknown-token"' &&
	has acmed_challenge_responses_total 'result="not-found"' &&
	has acmed_challenge_responses_total 'result="bad-request"'
}
check "the page, an unknown token, another path and a bad method, counted" \
    wait_for 30 answers
check "the tokens Pebble fetched, counted" sh -c \
    "[ \"\$(grep -F 'acmed_challenge_responses_total{result=\"token\"} ' '$prom' | sed 's/.* //')\" -ge 2 ]"

echo "# --- a restart"
np=$(pgrep -P "$dpid" -x netproc)
check "netproc runs ($np)" test -n "$np"
kill -KILL "$np"
check "the restart is counted" wait_for 30 sh -c \
    "grep -qx 'acmed_process_restarts_total 1' '$prom'"
check "promtool still accepts it" sh -c \
    "'$PROMTOOL' check metrics <'$prom' >/dev/null 2>&1"
t_stop "$dpid"

echo "# --- README's alert rules"
sed -n '/^    groups:$/,/^$/p' "$TOP/README" | sed 's/^    //' \
    >"$T_TMP/rules.yml"
check "README's alert rules: promtool check rules accepts them" sh -c \
    "grep -q AcmedCertificateExpiring '$T_TMP/rules.yml' &&
    '$PROMTOOL' check rules '$T_TMP/rules.yml' >'$T_TMP/promtool' 2>&1"
sed 's/^/# /' "$T_TMP/promtool"
cat >"$T_TMP/rules_test.yml" <<EOT
rule_files: [ rules.yml ]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'acmed_certificate_expiry_timestamp_seconds{domain="soon.example",authority="a"}'
        values: '864000'
      - series: 'acmed_certificate_expiry_timestamp_seconds{domain="later.example",authority="a"}'
        values: '8640000'
      - series: 'acmed_certificate_consecutive_failures{domain="soon.example",authority="a"}'
        values: '4x70'
    alert_rule_test:
      - eval_time: 1m
        alertname: AcmedCertificateExpiring
        exp_alerts:
          - exp_labels: { severity: critical, domain: soon.example, authority: a }
            exp_annotations: { summary: "soon.example: certificate expires in under 15 days" }
      - eval_time: 65m
        alertname: AcmedRenewalFailing
        exp_alerts:
          - exp_labels: { severity: warning, domain: soon.example, authority: a }
            exp_annotations: { summary: "soon.example: 4 failed attempts in a row" }
EOT
check "README's alert rules fire as described (promtool test rules)" sh -c \
    "cd '$T_TMP' && '$PROMTOOL' test rules rules_test.yml >'$T_TMP/promtool' 2>&1"
sed 's/^/# /' "$T_TMP/promtool"

echo "# --- refused"
sed "s|^metrics file .*|metrics file \"$T_TMP/nodir/acmed.prom\"|" "$conf" \
    >"$T_TMP/bad.conf"
"$ACMED" -n -f "$T_TMP/bad.conf" >"$T_TMP/out" 2>&1
check "-n: a missing directory is an error" test "$?" -eq 1
n=$(grep -n '^metrics file' "$T_TMP/bad.conf" | cut -d: -f1)
check "-n: it names the file:line" grep -q "^$T_TMP/bad.conf:$n: .*metrics file" \
    "$T_TMP/out"
sed 's/^/# /' "$T_TMP/out"
echo "metrics file \"$prom\"" >>"$T_TMP/twice.conf"
cat "$conf" >>"$T_TMP/twice.conf"
"$ACMED" -n -f "$T_TMP/twice.conf" >"$T_TMP/out" 2>&1
check "-n: given twice is an error" sh -c \
    "[ $? -eq 1 ] && grep -q 'metrics file given twice' '$T_TMP/out'"
t_done
