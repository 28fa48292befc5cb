#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The issuance benchmark (not a test; make check does not run it): acmed
# beside certbot, lego, uacme, acme-tiny and dehydrated, all against the
# same Pebble on 127.0.0.1 in one run, for
#   one	one certificate for 1 name, with a new account
#   ten	one certificate for 10 names (existing account)
#   row	20 certificates of 1 name in a row (existing account): for
#	acmed one configuration of 20 domains in one `acmed -o` run
#	(row) and 20 separate `acmed -o` runs (row-sep); for the peers
#	20 separate runs, as they are used
# Each run is measured by obj/bench/measure (regress/bench/measure.c):
# wall time, user+sys CPU of every process (children included), the
# largest max RSS of any one process, and the peak of the summed PSS of
# all processes sampled every 10 ms.  Pebble's own CPU time over each run
# is read from /proc.  Medians over the runs are printed and written
# into regress/bench/README-issue.md between its result markers.
#
# usage: regress/bench/issue.sh [-n] [-r runs] [-s runs] [client ...]
#   -n	print only; leave README-issue.md alone
#   -r	runs per scenario (default 3); median reported
#   -s	runs of the 20-in-a-row scenario for certbot, lego and
#	dehydrated, which sleep seconds between polls (default 1)
#   clients: acmed certbot lego uacme acme-tiny dehydrated (default all)
# Ports 16000-16006 on 127.0.0.1.  Must run as root (acmed's privilege
# separation, uacme's private mount namespace).  KEEP=1 keeps the scratch
# directory.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
acmed=$top/obj/acmed
measure=$top/obj/bench/measure
readme=$top/regress/bench/README-issue.md
port=16000
http_port=16006
runs=3
slow_runs=1
write_readme=1
per_run_limit=900

while getopts nr:s: ch; do
	case $ch in
	n)	write_readme=0 ;;
	r)	runs=$OPTARG ;;
	s)	slow_runs=$OPTARG ;;
	*)	echo "usage: $0 [-n] [-r runs] [-s runs] [client ...]" >&2
		exit 2 ;;
	esac
done
shift $((OPTIND - 1))
clients=${*:-acmed certbot lego uacme acme-tiny dehydrated}

. "$top/regress/bench/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root"

# The peers and tools, from Debian, if missing.
for c in $clients; do
	case $c in
	acmed|certbot|lego|uacme|acme-tiny|dehydrated) ;;
	*)	die "unknown client $c" ;;
	esac
done
# shellcheck disable=SC2086
bench_need $(echo "$clients" | sed 's/acmed//') python3 pebble curl

make -C "$top" -s >/dev/null || die "make failed"
bench_measure

work=$(mktemp -d /tmp/acmed-bench.XXXXXX) || die "mktemp"
chmod 0755 "$work"
mkdir -p "$work/log" "$work/home" "$work/www/.well-known/acme-challenge"
results=$work/results
: >"$results"
web_pid=""

stop_web() {
	if [ -n "$web_pid" ]; then
		kill "$web_pid" 2>/dev/null
		wait "$web_pid" 2>/dev/null
		web_pid=""
	fi
}
cleanup() {
	stop_web
	"$top/regress/pebble.sh" stop "$work/pebble" >/dev/null 2>&1
	bench_work_done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PEBBLE_PORT=$port PEBBLE_MGMT_PORT=$((port + 1)) \
    PEBBLE_DNS_PORT=$((port + 2)) PEBBLE_CHALL_MGMT_PORT=$((port + 3)) \
    PEBBLE_TLS_PORT=$((port + 4)) PEBBLE_HTTP_PORT=$http_port \
    PEBBLE_NONCE_REJECT=0 \
    "$top/regress/pebble.sh" start "$work/pebble" >/dev/null ||
    die "Pebble does not start"
. "$work/pebble/env"
pebble_pid=$(cat "$work/pebble/pebble.pid")
pebble_cpu_ms() {
	bench_cpu_ms "$pebble_pid"
}

# Nothing may hold the http-01 port between clients.
port_free() {
	! ss -Hltn "sport = :$http_port" 2>/dev/null | grep -q .
}

start_web() {
	python3 "$top/regress/bench/webroot.py" "$http_port" "$work/www" \
	    </dev/null >"$work/log/webroot" 2>&1 &
	web_pid=$!
	i=0
	until curl -s -o /dev/null --max-time 1 \
	    "http://127.0.0.1:$http_port/"; do
		i=$((i + 1))
		[ $i -lt 50 ] || die "webroot server does not answer"
		sleep 0.1
	done
}

# bench CLIENT SCENARIO RUN CHECK [measure arguments]: one measured run
# under an empty environment plus $benv; CHECK is a command that must
# succeed afterwards (the certificate is there).  Appends to $results.
benv=""
bench() {
	b_client=$1 b_scen=$2 b_run=$3 b_check=$4
	shift 4
	i=0
	while [ -z "$web_pid" ] && ! port_free; do
		i=$((i + 1))
		[ $i -lt 50 ] || die "port $http_port still busy"
		sleep 0.1
	done
	b_log=$work/log/$b_client.$b_scen.$b_run
	p0=$(pebble_cpu_ms)
	# shellcheck disable=SC2086
	b_out=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work/home" \
	    LANG=C.UTF-8 $benv "$measure" -i 10 -t "$per_run_limit" \
	    -l "$b_log" "$@")
	p1=$(pebble_cpu_ms)
	wall= user= sys= maxrss= pss= uss= rc=
	for kv in $b_out; do
		case $kv in
		wall_ms=*)	wall=${kv#*=} ;;
		user_ms=*)	user=${kv#*=} ;;
		sys_ms=*)	sys=${kv#*=} ;;
		maxrss_kb=*)	maxrss=${kv#*=} ;;
		pss_kb=*)	pss=${kv#*=} ;;
		uss_kb=*)	uss=${kv#*=} ;;
		rc=*)		rc=${kv#*=} ;;
		esac
	done
	[ -n "$rc" ] || rc=255
	if [ "$rc" -eq 0 ] && ! sh -c "$b_check"; then
		rc=99
	fi
	echo "$b_client $b_scen $b_run $wall $user $sys $maxrss $pss $uss" \
	    "$(awk -v a="$p0" -v b="$p1" 'BEGIN { print b - a }')" \
	    "$rc" >>"$results"
	printf '# %-10s %-7s run %s: wall %s ms, cpu %s ms, maxrss %s kB, ' \
	    "$b_client" "$b_scen" "$b_run" "$wall" \
	    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
	    "$maxrss" >&2
	printf 'pss %s kB, uss %s kB, rc %s\n' "$pss" "$uss" "$rc" >&2
	[ "$rc" -eq 0 ] || note "see $b_log"
}

# Names are never reused: Pebble may reuse a valid authorization.
name() {
	echo "$1.$2.bench.example.org"
}
ten_names() {
	for i in 0 1 2 3 4 5 6 7 8 9; do
		printf '%s ' "$(name "$1-$i" "$2")"
	done
}

# ---- acmed ------------------------------------------------------------
acmed_conf() {
	cat >"$1" <<EOF
listen on 127.0.0.1 port $http_port
state directory "$2/state"
authority pebble {
	api url "$PEBBLE_URL"
	api ca "$PEBBLE_CA"
	account key "$2/account.key"
}
EOF
}
# acmed_domain FILE DIR NAME [alternative names...]
acmed_domain() {
	f=$1 d=$2 n=$3
	shift 3
	{
		echo "domain $n {"
		[ $# -gt 0 ] && echo "	alternative names { $* }"
		echo "	domain key \"$d/$n.key\""
		echo "	domain certificate \"$d/$n.crt\""
		echo "	sign with pebble"
		echo "}"
	} >>"$f"
}

run_acmed() {
	benv=""
	for r in $(seq 1 "$runs"); do
		d=$work/acmed/r$r
		mkdir -p "$d"
		n=$(name one "acmed-r$r")
		acmed_conf "$d/one.conf" "$d"
		acmed_domain "$d/one.conf" "$d" "$n"
		bench acmed one "$r" "test -s $d/$n.crt" \
		    -- "$acmed" -o -d -f "$d/one.conf"
	done
	for r in $(seq 1 "$runs"); do
		d=$work/acmed/r$r
		# shellcheck disable=SC2046
		set -- $(ten_names ten "acmed-r$r")
		n=$1
		shift
		acmed_conf "$d/ten.conf" "$d"
		acmed_domain "$d/ten.conf" "$d" "$n" "$@"
		bench acmed ten "$r" "test -s $d/$n.crt" \
		    -- "$acmed" -o -d -f "$d/ten.conf"
	done
	for r in $(seq 1 "$runs"); do
		d=$work/acmed/r$r
		acmed_conf "$d/row.conf" "$d"
		: >"$d/row-sep.cmds"
		check=true
		for i in $(seq 1 20); do
			n=$(name "row$i" "acmed-r$r")
			acmed_domain "$d/row.conf" "$d" "$n"
			n=$(name "sep$i" "acmed-r$r")
			acmed_conf "$d/sep$i.conf" "$d"
			acmed_domain "$d/sep$i.conf" "$d" "$n"
			echo "$acmed -o -d -f $d/sep$i.conf" >>"$d/row-sep.cmds"
			check="$check && test -s $d/$(name "row$i" "acmed-r$r").crt"
		done
		bench acmed row "$r" "$check" -- "$acmed" -o -d -f "$d/row.conf"
		bench acmed row-sep "$r" \
		    "test \$(ls $d/sep*.bench.example.org.crt | wc -l) -eq 20" \
		    -f "$d/row-sep.cmds"
	done
}

# ---- certbot ----------------------------------------------------------
certbot_cmd() {
	echo "certbot certonly --non-interactive --agree-tos" \
	    "--register-unsafely-without-email --config-dir $1/etc" \
	    "--work-dir $1/work --logs-dir $1/logs --server $PEBBLE_URL" \
	    "--standalone --preferred-challenges http" \
	    "--http-01-address 127.0.0.1 --http-01-port $http_port" \
	    "--key-type ecdsa"
}
certbot_domains() {
	for n in "$@"; do printf -- '-d %s ' "$n"; done
}

run_certbot() {
	benv="REQUESTS_CA_BUNDLE=$PEBBLE_CA"
	for r in $(seq 1 "$runs"); do
		d=$work/certbot/r$r
		mkdir -p "$d"
		n=$(name one "certbot-r$r")
		# shellcheck disable=SC2046
		bench certbot one "$r" "test -s $d/etc/live/$n/cert.pem" \
		    -- $(certbot_cmd "$d") -d "$n"
	done
	for r in $(seq 1 "$runs"); do
		d=$work/certbot/r$r
		# shellcheck disable=SC2046
		set -- $(ten_names ten "certbot-r$r")
		# shellcheck disable=SC2046
		bench certbot ten "$r" "test -s $d/etc/live/$1/cert.pem" \
		    -- $(certbot_cmd "$d") $(certbot_domains "$@")
	done
	for r in $(seq 1 "$slow_runs"); do
		d=$work/certbot/r$r
		: >"$d/row.cmds"
		for i in $(seq 1 20); do
			echo "$(certbot_cmd "$d") -d $(name "row$i" \
			    "certbot-r$r")" >>"$d/row.cmds"
		done
		bench certbot row "$r" \
		    "test \$(ls -d $d/etc/live/row*.bench.example.org | wc -l) -eq 20" \
		    -f "$d/row.cmds"
	done
}

# ---- lego -------------------------------------------------------------
lego_cmd() {
	echo "lego --accept-tos --email bench@example.org" \
	    "--server $PEBBLE_URL --path $1 --key-type ec256" \
	    "--http --http.port 127.0.0.1:$http_port"
}
lego_domains() {
	for n in "$@"; do printf -- '-d %s ' "$n"; done
}

run_lego() {
	benv="LEGO_CA_CERTIFICATES=$PEBBLE_CA"
	for r in $(seq 1 "$runs"); do
		d=$work/lego/r$r
		mkdir -p "$d"
		n=$(name one "lego-r$r")
		# shellcheck disable=SC2046
		bench lego one "$r" "test -s $d/certificates/$n.crt" \
		    -- $(lego_cmd "$d") -d "$n" run
	done
	for r in $(seq 1 "$runs"); do
		d=$work/lego/r$r
		# shellcheck disable=SC2046
		set -- $(ten_names ten "lego-r$r")
		# shellcheck disable=SC2046
		bench lego ten "$r" "test -s $d/certificates/$1.crt" \
		    -- $(lego_cmd "$d") $(lego_domains "$@") run
	done
	for r in $(seq 1 "$slow_runs"); do
		d=$work/lego/r$r
		: >"$d/row.cmds"
		for i in $(seq 1 20); do
			echo "$(lego_cmd "$d") -d $(name "row$i" "lego-r$r") run" \
			    >>"$d/row.cmds"
		done
		bench lego row "$r" \
		    "test \$(ls $d/certificates/row*.bench.example.org.crt | wc -l) -eq 20" \
		    -f "$d/row.cmds"
	done
}

# ---- uacme ------------------------------------------------------------
# uacme has no CA option and its libcurl (GnuTLS) ignores CURL_CA_BUNDLE:
# measure runs it in a private mount namespace where the system bundle is
# Pebble's test CA.
uacme_cmd() {
	echo "uacme -a $PEBBLE_URL -c $1 -t EC -h /usr/share/uacme/uacme.sh"
}

run_uacme() {
	bundle=/etc/ssl/certs/ca-certificates.crt
	benv="UACME_CHALLENGE_PATH=$work/www/.well-known/acme-challenge"
	for r in $(seq 1 "$runs"); do
		d=$work/uacme/r$r
		mkdir -p "$d"
		n=$(name one "uacme-r$r")
		{
			echo "$(uacme_cmd "$d") -y new"
			echo "$(uacme_cmd "$d") issue $n"
		} >"$d/one.cmds"
		bench uacme one "$r" "test -s $d/$n/cert.pem" \
		    -b "$PEBBLE_CA:$bundle" -f "$d/one.cmds"
	done
	for r in $(seq 1 "$runs"); do
		d=$work/uacme/r$r
		# shellcheck disable=SC2046
		set -- $(ten_names ten "uacme-r$r")
		# shellcheck disable=SC2046
		bench uacme ten "$r" "test -s $d/$1/cert.pem" \
		    -b "$PEBBLE_CA:$bundle" -- $(uacme_cmd "$d") issue "$@"
	done
	for r in $(seq 1 "$runs"); do
		d=$work/uacme/r$r
		: >"$d/row.cmds"
		for i in $(seq 1 20); do
			echo "$(uacme_cmd "$d") issue $(name "row$i" \
			    "uacme-r$r")" >>"$d/row.cmds"
		done
		bench uacme row "$r" \
		    "test \$(ls $d/row*.bench.example.org/cert.pem | wc -l) -eq 20" \
		    -b "$PEBBLE_CA:$bundle" -f "$d/row.cmds"
	done
}

# ---- acme-tiny --------------------------------------------------------
# acme-tiny makes no keys: the account key (RSA, all it takes), the domain
# keys and the CSRs are made beforehand and not measured.
tiny_csr() {
	f=$1
	shift
	san=""
	for n in "$@"; do san="$san${san:+,}DNS:$n"; done
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$f.key" -out "$f.csr" -subj "/CN=$1" \
	    -addext "subjectAltName=$san" >/dev/null 2>&1 ||
	    die "openssl req for $1"
}
tiny_cmd() {
	echo "acme-tiny --account-key $1/account.key --csr $2" \
	    "--acme-dir $work/www/.well-known/acme-challenge --disable-check" \
	    "--directory-url $PEBBLE_URL --quiet"
}
# The certificate goes to stdout, hence to the log: a run succeeded if the
# log holds one more certificate than before.
tiny_certs() {
	grep -c 'BEGIN CERTIFICATE' "$work/log/acme-tiny.$1" 2>/dev/null
}

run_acme_tiny() {
	benv="SSL_CERT_FILE=$PEBBLE_CA"
	for r in $(seq 1 "$runs"); do
		d=$work/acme-tiny/r$r
		mkdir -p "$d"
		openssl genrsa -out "$d/account.key" 2048 >/dev/null 2>&1 ||
		    die "openssl genrsa"
		n=$(name one "tiny-r$r")
		tiny_csr "$d/one" "$n"
		# shellcheck disable=SC2046
		bench acme-tiny one "$r" "test \$(grep -c 'BEGIN CERT' \
		    $work/log/acme-tiny.one.$r) -ge 2" \
		    -- $(tiny_cmd "$d" "$d/one.csr")
	done
	for r in $(seq 1 "$runs"); do
		d=$work/acme-tiny/r$r
		# shellcheck disable=SC2046
		tiny_csr "$d/ten" $(ten_names ten "tiny-r$r")
		# shellcheck disable=SC2046
		bench acme-tiny ten "$r" "test \$(grep -c 'BEGIN CERT' \
		    $work/log/acme-tiny.ten.$r) -ge 2" \
		    -- $(tiny_cmd "$d" "$d/ten.csr")
	done
	for r in $(seq 1 "$runs"); do
		d=$work/acme-tiny/r$r
		: >"$d/row.cmds"
		for i in $(seq 1 20); do
			tiny_csr "$d/row$i" "$(name "row$i" "tiny-r$r")"
			tiny_cmd "$d" "$d/row$i.csr" >>"$d/row.cmds"
		done
		bench acme-tiny row "$r" "test \$(grep -c 'BEGIN CERT' \
		    $work/log/acme-tiny.row.$r) -ge 40" -f "$d/row.cmds"
	done
}

# ---- dehydrated -------------------------------------------------------
dehydrated_conf() {
	mkdir -p "$1"
	cat >"$1/config" <<EOF
CA="$PEBBLE_URL"
BASEDIR="$1"
WELLKNOWN="$work/www/.well-known/acme-challenge"
KEY_ALGO=prime256v1
CHALLENGETYPE=http-01
CONTACT_EMAIL=bench@example.org
EOF
}

run_dehydrated() {
	benv="CURL_CA_BUNDLE=$PEBBLE_CA"
	for r in $(seq 1 "$runs"); do
		d=$work/dehydrated/r$r
		dehydrated_conf "$d"
		n=$(name one "dehy-r$r")
		{
			echo "dehydrated -f $d/config --register --accept-terms"
			echo "dehydrated -f $d/config -c -d $n"
		} >"$d/one.cmds"
		bench dehydrated one "$r" "test -s $d/certs/$n/cert.pem" \
		    -f "$d/one.cmds"
	done
	for r in $(seq 1 "$runs"); do
		d=$work/dehydrated/r$r
		# shellcheck disable=SC2046
		set -- $(ten_names ten "dehy-r$r")
		# shellcheck disable=SC2046
		bench dehydrated ten "$r" "test -s $d/certs/$1/cert.pem" \
		    -- dehydrated -f "$d/config" -c $(certbot_domains "$@")
	done
	for r in $(seq 1 "$slow_runs"); do
		d=$work/dehydrated/r$r
		: >"$d/row.cmds"
		for i in $(seq 1 20); do
			echo "dehydrated -f $d/config -c -d $(name "row$i" \
			    "dehy-r$r")" >>"$d/row.cmds"
		done
		bench dehydrated row "$r" \
		    "test \$(ls $d/certs/row*.bench.example.org/cert.pem | wc -l) -eq 20" \
		    -f "$d/row.cmds"
	done
}

# Clients answering with their own server first, then the webroot ones.
for c in acmed certbot lego; do
	case " $clients " in *" $c "*) "run_$c" ;; esac
done
web=0
for c in uacme acme-tiny dehydrated; do
	case " $clients " in *" $c "*) web=1 ;; esac
done
if [ $web -eq 1 ]; then
	start_web
	for c in uacme acme-tiny dehydrated; do
		case " $clients " in
		*" $c "*) "run_$(echo "$c" | tr - _)" ;;
		esac
	done
	stop_web
fi

# ---- the table --------------------------------------------------------
table() {
	awk -v order="$clients" '
	function median(list,   n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (a[j] + 0 < a[i] + 0) {
					t = a[i]; a[i] = a[j]; a[j] = t
				}
		if (n % 2)
			return a[(n + 1) / 2]
		return (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		k = $1 SUBSEP $2
		if ($11 != 0) { failed[k]++; next }
		nrun[k]++
		wall[k] = wall[k] " " $4
		cpu[k] = cpu[k] " " ($5 + $6)
		rss[k] = rss[k] " " $7
		pss[k] = pss[k] " " $8
		uss[k] = uss[k] " " $9
		peb[k] = peb[k] " " $10
		seen[k] = 1
	}
	END {
		printf "| scenario | client | runs | wall s | CPU s | " \
		    "per issuance: wall ms / CPU ms | max RSS MiB | " \
		    "PSS sum MiB | USS sum MiB | Pebble CPU s |\n"
		printf "|---|---|---|---|---|---|---|---|---|---|\n"
		ns = split("one ten row row-sep", scen, " ")
		nc = split(order, cl, " ")
		for (s = 1; s <= ns; s++)
			for (c = 1; c <= nc; c++) {
				k = cl[c] SUBSEP scen[s]
				if (!(k in seen) && !(k in failed))
					continue
				per = (scen[s] ~ /^row/) ? 20 : 1
				if (!(k in seen)) {
					printf "| %s | %s | 0 (%d failed) | " \
					    "| | | | | | |\n", scen[s], cl[c],
					    failed[k]
					continue
				}
				w = median(wall[k]); u = median(cpu[k])
				printf "| %s | %s | %d%s | %.3f | %.3f | " \
				    "%.1f / %.1f | %.1f | %.1f | %.1f | %.2f |\n",
				    scen[s], cl[c], nrun[k],
				    (k in failed) ? " (" failed[k] " failed)" : "",
				    w / 1000, u / 1000, w / per, u / per,
				    median(rss[k]) / 1024,
				    median(pss[k]) / 1024,
				    median(uss[k]) / 1024,
				    median(peb[k]) / 1000
			}
	}' "$results"
}

# Each target of the issue, judged from the medians.
verdicts() {
	awk -v floor_ms=16 '
	function median(list,   n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (a[j] + 0 < a[i] + 0) {
					t = a[i]; a[i] = a[j]; a[j] = t
				}
		if (n % 2)
			return a[(n + 1) / 2]
		return (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$11 == 0 {
		k = $1 SUBSEP $2
		wall[k] = wall[k] " " $4
		cpu[k] = cpu[k] " " ($5 + $6)
		rss[k] = rss[k] " " $7
		pss[k] = pss[k] " " $8
		cli[$1] = 1
	}
	function yes(b) { return b ? "**met**" : "**not met**" }
	END {
		if (!(("acmed" SUBSEP "one") in cpu)) {
			print "- acmed did not complete: no verdicts"
			exit
		}
		best_row = ""; best_one = ""; best_mem = ""
		for (c in cli) {
			if (c == "acmed")
				continue
			k = c SUBSEP "row"
			if (k in cpu) {
				v = median(cpu[k]) / 20
				if (best_row == "" || v < best_row) {
					best_row = v; best_row_c = c
				}
			}
			k = c SUBSEP "one"
			if (k in cpu) {
				v = median(cpu[k])
				if (best_one == "" || v < best_one) {
					best_one = v; best_one_c = c
				}
			}
			split("one ten row", sc, " ")
			for (i = 1; i <= 3; i++) {
				k = c SUBSEP sc[i]
				if (!(k in rss))
					continue
				v = median(rss[k])
				if (best_mem == "" || v < best_mem) {
					best_mem = v; best_mem_c = c
					best_mem_s = sc[i]
				}
			}
		}
		a_row = median(cpu["acmed" SUBSEP "row"]) / 20
		a_sep = median(cpu["acmed" SUBSEP "row-sep"]) / 20
		a_one = median(cpu["acmed" SUBSEP "one"])
		a_mem = 0
		split("one ten row row-sep", sc, " ")
		for (i = 1; i <= 4; i++) {
			k = "acmed" SUBSEP sc[i]
			if ((k in pss) && median(pss[k]) > a_mem) {
				a_mem = median(pss[k]); a_mem_s = sc[i]
			}
		}
		# What one more order costs once acmed runs: (row - one) / 19.
		r = median(cpu["acmed" SUBSEP "row"])
		m_cpu = (r - a_one) / 19
		r = median(wall["acmed" SUBSEP "row"])
		m_wall = (r - median(wall["acmed" SUBSEP "one"])) / 19
		a_wall = median(wall["acmed" SUBSEP "row"]) / 20
		a_wsep = median(wall["acmed" SUBSEP "row-sep"]) / 20
		a_w1 = median(wall["acmed" SUBSEP "one"])
		if (best_row != "")
			printf "- CPU per issuance, 20 in a row, at most a " \
			    "tenth of the fastest peer (%s, %.1f ms): acmed " \
			    "%.1f ms in one run (%s), %.1f ms as 20 " \
			    "separate runs (%s); each order beyond the " \
			    "first in one run: %.1f ms\n", best_row_c,
			    best_row, a_row, yes(a_row <= best_row / 10),
			    a_sep, yes(a_sep <= best_row / 10), m_cpu
		if (best_one != "")
			printf "- CPU of one 1-name issuance with a new " \
			    "account, start-up included, below every peer " \
			    "(lowest: %s, %.1f ms): acmed %.1f ms %s\n",
			    best_one_c, best_one, a_one,
			    yes(a_one < best_one)
		if (best_mem != "")
			printf "- memory below every peer (lowest max RSS: " \
			    "%s, %.1f MiB, scenario %s): acmed PSS sum at " \
			    "most %.1f MiB (scenario %s) %s\n",
			    best_mem_c, best_mem / 1024, best_mem_s,
			    a_mem / 1024, a_mem_s, yes(a_mem < best_mem)
		printf "- wall time per 1-name order within 1.5x of " \
		    "Pebble'"'"'s floor (%d ms, so %.0f ms): acmed %.1f ms " \
		    "per issuance in one run %s, %.1f ms as separate " \
		    "runs %s; one issuance with a new account and " \
		    "start-up %.1f ms %s; each order beyond the first " \
		    "in one run: %.1f ms %s\n", floor_ms, floor_ms * 1.5,
		    a_wall, yes(a_wall <= floor_ms * 1.5), a_wsep,
		    yes(a_wsep <= floor_ms * 1.5), a_w1,
		    yes(a_w1 <= floor_ms * 1.5), m_wall,
		    yes(m_wall <= floor_ms * 1.5)
	}' "$results"
}

versions() {
	echo "- $(uname -sr), $(nproc) CPUs, $(awk -F': ' \
	    '/model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "- pebble $(dpkg-query -W -f '${Version}' pebble 2>/dev/null)," \
	    "acmed $(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
	for p in certbot lego uacme acme-tiny dehydrated; do
		case " $clients " in
		*" $p "*) printf -- '- %s %s\n' "$p" \
		    "$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null)" ;;
		esac
	done
}

report=$work/report
{
	echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), $runs runs per" \
	    "scenario ($slow_runs for certbot, lego and dehydrated 20 in a" \
	    "row)," \
	    "median of each column."
	echo
	table
	echo
	verdicts
	echo
	versions
} >"$report"
cat "$report"
cp "$results" "$top/obj/bench/issue-results.txt"

if [ "$write_readme" -eq 1 ] && [ -f "$readme" ]; then
	awk -v rep="$report" '
	/<!-- results begin -->/ {
		print
		while ((getline l < rep) > 0)
			print l
		skip = 1
		next
	}
	/<!-- results end -->/ { skip = 0 }
	!skip { print }' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
	note "results written into $readme"
fi
grep -qv ' 0$' "$results" && exit 1
exit 0
