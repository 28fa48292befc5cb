#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Benchmark, not a test: wrk (one thread) against challenged's answer for
# a token and against nginx serving the same bytes as a static file, one
# after the other in the same run, on loopback.  Prints requests/s and
# latency percentiles for both and the ratio.
#
#   regress/bench/challenged.sh		(after make tests)
#   BENCH_SECONDS=10 BENCH_CONNS=50 regress/bench/challenged.sh
#
# As root, challenged runs as the daemon runs it (obj/libexec/challenged,
# chrooted, under seccomp); otherwise the same loop without the sandbox.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP
. "$TOP/regress/lib.sh"
. "$TOP/regress/chald_lib.sh"

secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-50}
TOK=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
KA=$TOK.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI
path=/.well-known/acme-challenge/$TOK

for tool in wrk nginx curl; do
	command -v $tool >/dev/null 2>&1 || { echo "$tool is missing" >&2; exit 1; }
done
[ -x "$CHALD_DRV_BIN" ] || { echo "make tests first" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
	t_users
	mkdir -m 0755 "$T_TMP/empty"
	how="obj/libexec/challenged, sandboxed"
	chald_start -x "$ACMED_LIBEXEC/challenged" -u _acmed-www -C "$T_TMP/empty" 127.0.0.1:0 ||
	    { cat "$T_TMP/chald.err"; exit 1; }
else
	how="the challenged loop, not sandboxed"
	chald_start 127.0.0.1:0 || { cat "$T_TMP/chald.err"; exit 1; }
fi
CP=$(chald_port 1)
chald_add "$TOK" "$KA" || { echo "token not published" >&2; exit 1; }

# nginx at its best for this: one worker, no access log, file descriptors
# cached, keep-alive without a request limit (challenged has none).
D=$T_TMP/nginx
mkdir -p "$D/www/.well-known/acme-challenge"
printf '%s' "$KA" >"$D/www$path"
chmod -R a+rX "$D/www"
nginx_conf() {
	NP=$(( ($(od -An -N2 -tu2 /dev/urandom) % 12000) + 20000 ))
	t_nginx_conf "$D" 1024 >"$D/nginx.conf"
	cat >>"$D/nginx.conf" <<EOF
	access_log off;
	default_type text/plain;
	keepalive_requests 100000000;
	open_file_cache max=64;
	server {
		listen 127.0.0.1:$NP backlog=511;
		root $D/www;
	}
}
EOF
}
nginx_ready() {
	nginx_up "http://127.0.0.1:$NP$path"
}
t_at_exit t_nginx_stop
t_nginx_start "$D" nginx_conf nginx_ready || { cat "$D/error.log"; exit 1; }

a=$(curl -s "http://127.0.0.1:$CP$path")
b=$(curl -s "http://127.0.0.1:$NP$path")
if [ "$a" != "$KA" ] || [ "$b" != "$KA" ]; then
	echo "the two servers do not answer the same bytes" >&2
	exit 1
fi

bench() {
	wrk -t1 -c"$conns" -d"${secs}s" --latency "$1" >"$2" 2>&1
}
# Requests/s, then the 50 75 90 99 % latencies.
summary() {
	awk '
	/Requests\/sec:/ { rps = $2 }
	/^ +50%/ { p50 = $2 } /^ +75%/ { p75 = $2 }
	/^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
	/Non-2xx/ { bad = $NF }
	END { printf "%12.0f %9s %9s %9s %9s %s\n", rps, p50, p75, p90,
	    p99, bad != "" ? "(" bad " non-2xx!)" : "" }' "$1"
}

echo "wrk, 1 thread, $conns connections, $secs s each; $(nproc) CPUs"
echo "challenged: $how"
bench "http://127.0.0.1:$CP$path" "$T_TMP/wrk.chal"
bench "http://127.0.0.1:$NP$path" "$T_TMP/wrk.nginx"
printf '%-12s %12s %9s %9s %9s %9s\n' "" "requests/s" "p50" "p75" \
    "p90" "p99"
printf '%-12s %s\n' challenged "$(summary "$T_TMP/wrk.chal")"
printf '%-12s %s\n' "nginx $(nginx -v 2>&1 | sed 's,.*/,,')" \
    "$(summary "$T_TMP/wrk.nginx")"
rc=$(awk '/Requests\/sec:/ { print $2 }' "$T_TMP/wrk.chal")
rn=$(awk '/Requests\/sec:/ { print $2 }' "$T_TMP/wrk.nginx")
awk -v c="$rc" -v n="$rn" 'BEGIN { if (n > 0)
    printf "challenged / nginx: %.2f\n", c / n }'
chald_stop
