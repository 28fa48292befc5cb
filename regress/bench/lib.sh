# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Shared by the benchmarks (issue.sh, many.sh): source it after setting
# top and measure.  Installs what is missing from Debian, builds
# obj/bench/measure, and reads a process's CPU time.

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}
note() {
	echo "# $*" >&2
}

# bench_need PROGRAM...: installs the Debian packages of those missing
# (each program's package has its name).
bench_need() {
	bn_need=""
	for bn_p in "$@"; do
		command -v "$bn_p" >/dev/null || bn_need="$bn_need $bn_p"
	done
	[ -n "$bn_need" ] || return 0
	note "installing$bn_need"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $bn_need >/dev/null ||
	    die "apt-get install$bn_need failed"
}

# bench_measure: obj/bench/measure, built if missing or older than its
# source; the test users.
bench_measure() {
	mkdir -p "$top/obj/bench"
	if [ ! -x "$measure" ] ||
	    [ "$top/regress/bench/measure.c" -nt "$measure" ]; then
		${CC:-cc} -O2 -Wall -Wextra -D_GNU_SOURCE -o "$measure" \
		    "$top/regress/bench/measure.c" ||
		    die "cannot build $measure"
	fi
	"$top/etc/mkusers.sh" >/dev/null || die "mkusers.sh failed"
}

# bench_cpu_ms PID: user + system CPU of a process so far, in ms.
bench_cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" \
	    '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' \
	    "/proc/$1/stat" 2>/dev/null || echo 0
}

# bench_work_done: the scratch directory $work removed, or kept (KEEP=1).
bench_work_done() {
	if [ -n "${KEEP:-}" ]; then
		note "kept $work"
	else
		rm -rf "$work"
	fi
}
