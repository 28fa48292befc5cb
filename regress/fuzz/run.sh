#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Runs every fuzzer built in DIR (default obj-fuzz) for FUZZ_SECONDS each
# (default 600), keeping a corpus per fuzzer in DIR/corpus/NAME so later
# runs start where earlier ones stopped.  Findings go to DIR/artifacts/.
# Exits non-zero if any fuzzer found something.
#
#   FUZZ_SECONDS=60 regress/fuzz/run.sh [DIR]
dir=${1:-obj-fuzz}
secs=${FUZZ_SECONDS:-600}
failed=""
found=0
for f in "$dir"/fuzz_*; do
	[ -x "$f" ] && [ -f "$f" ] || continue
	found=1
	name=$(basename "$f")
	mkdir -p "$dir/corpus/$name" "$dir/artifacts"
	echo "$name: fuzzing for $secs s"
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$dir/artifacts/$name-" "$dir/corpus/$name" \
	    >"$dir/$name.log" 2>&1 &&
	    runs=$(grep -o 'Done [0-9]* runs' "$dir/$name.log"); then
		echo "$name: ok ($runs)"
	else
		# Exit status 0 without "Done": the target exited by itself.
		echo "$name: FAILED, see $dir/$name.log and $dir/artifacts/"
		grep -E 'ERROR|SUMMARY' "$dir/$name.log" | head -5
		failed="$failed $name"
	fi
done
if [ "$found" -eq 0 ]; then
	echo "no fuzzers in $dir (make fuzzers)" >&2
	exit 1
fi
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }
