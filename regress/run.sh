#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Runs every test: unit programs (obj-san/regress/t_*) and scripts
# (regress/t_*.sh).  Each prints TAP lines; a test program that exits
# non-zero without a "not ok" line counts as one failure.  Ends with
# "N passed, N failed".
#
#   regress/run.sh [pattern]	only tests whose name contains pattern
#
# As root the tests run in a network namespace of their own with only a
# loopback interface: nothing they start (Pebble, BIND, the daemon's
# preflight, a name the resolver is asked for) reaches another host, and
# no port they bind is taken by a service of the machine.
if [ -z "${REGRESS_NETNS:-}" ] && [ "$(id -u)" -eq 0 ] &&
    command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
	REGRESS_NETNS=1 exec unshare -n sh -c \
	    'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP="$top"
export ACMED="${ACMED:-$top/obj/acmed}"
# The child programs acmed runs (challenged is also tested on its own).
export ACMED_LIBEXEC="${ACMED_LIBEXEC:-$top/obj/libexec}"
export OBJ="${OBJ:-$top/obj}"
export OBJ_SAN="${OBJ_SAN:-$top/obj-san}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
pattern="${1:-}"
logdir="$top/obj/regress-logs"
mkdir -p "$logdir"

passed=0
failed=0
failures=""

run_one() {
	name=$1; shift
	case "$name" in *"$pattern"*) ;; *) return ;; esac
	log="$logdir/$name.log"
	start=$(date +%s)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s)
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-28s %4d passed %3d failed  %3ds\n' "$name" "$p" "$f" \
	    $((end - start))
	if [ "$f" -ne 0 ]; then
		failures="$failures $name"
		grep -E '^(not ok|#)' "$log" | head -40 | sed 's/^/    /'
		echo "    --- last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
	fi
}

for t in "$OBJ_SAN"/regress/t_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in "$top"/regress/t_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" sh "$t"
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
