#!/bin/sh
# A short fuzzing run of the message reader (regress/fuzz/fuzz_imsg.c):
# a hostile peer's byte stream must never crash it, leak memory or leak a
# received descriptor.  Built by `make fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

fuzzer="$TOP/obj-fuzz/fuzz_imsg"
if [ ! -x "$fuzzer" ]; then
	echo "ok 1 # skip $fuzzer not built (make fuzzers)"
	exit 0
fi

mkdir -p "$T_TMP/corpus"
# Plain libFuzzer options; ASan reports leaks at the end of each input.
"$fuzzer" -max_total_time=15 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$T_TMP/" "$T_TMP/corpus" >"$T_TMP/fuzz.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	ok "fuzz_imsg ran 15 s without a finding ($(grep -o \
	    'Done [0-9]* runs' "$T_TMP/fuzz.log"))"
else
	notok "fuzz_imsg exited with status $rc"
	grep -E 'ERROR|SUMMARY|Base64|#[0-9]+ +DONE' "$T_TMP/fuzz.log" |
	    head -20 | sed 's/^/# /'
	tail -n 40 "$T_TMP/fuzz.log" | sed 's/^/# /'
fi
check "no crash or leak artifact was written" \
    sh -c "! ls '$T_TMP'/crash-* '$T_TMP'/leak-* '$T_TMP'/timeout-* \
    >/dev/null 2>&1"
t_done
