#!/bin/sh
# A short fuzzing run of challenged's request parser
# (regress/fuzz/fuzz_http.c), started from a few real requests: no crash,
# no leak, and the same verdicts whether a request arrives at once or in
# pieces.  Built by `make fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

fuzzer="$TOP/obj-fuzz/fuzz_http"
if [ ! -x "$fuzzer" ]; then
	echo "ok 1 # skip $fuzzer not built (make fuzzers)"
	exit 0
fi

mkdir -p "$T_TMP/corpus"
cp "$TOP"/regress/fuzz/seeds_http/* "$T_TMP/corpus/"
"$fuzzer" -max_total_time=20 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$T_TMP/" "$T_TMP/corpus" >"$T_TMP/fuzz.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	ok "fuzz_http ran 20 s without a finding ($(grep -o \
	    'Done [0-9]* runs' "$T_TMP/fuzz.log"))"
else
	notok "fuzz_http exited with status $rc"
	grep -E 'ERROR|SUMMARY|Base64|#[0-9]+ +DONE' "$T_TMP/fuzz.log" |
	    head -20 | sed 's/^/# /'
	tail -n 40 "$T_TMP/fuzz.log" | sed 's/^/# /'
fi
check "no crash or leak artifact was written" \
    sh -c "! ls '$T_TMP'/crash-* '$T_TMP'/leak-* '$T_TMP'/timeout-* \
    >/dev/null 2>&1"
t_done
