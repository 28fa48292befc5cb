# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Shared by the shell tests: TAP helpers, a scratch directory removed at
# exit, and bounded waits.  Source it; $TOP and $ACMED come from run.sh.
: "${TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${ACMED:=$TOP/obj/acmed}"
: "${ACMED_LIBEXEC:=$TOP/obj/libexec}"
: "${OBJ:=$TOP/obj}"
: "${OBJ_SAN:=$TOP/obj-san}"

t_n=0
t_failed=0
ok() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $*"
}
notok() {
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - $*"
}
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}
# check_not DESCRIPTION COMMAND...: ok if the command fails.
check_not() {
	desc=$1; shift
	if "$@"; then notok "$desc"; else ok "$desc"; fi
}
t_done() {
	echo "# $t_n checks, $t_failed failed"
	[ "$t_failed" -eq 0 ]
}

# acmed trusts no file that group or others could write (acmed(8),
# SECURITY): what the tests make is made so whatever the caller's umask.
umask 022
T_TMP=$(mktemp -d /tmp/acmed-test.XXXXXX)
chmod 0755 "$T_TMP"
t_cleanup_hooks=""
t_at_exit() { t_cleanup_hooks="$*; $t_cleanup_hooks"; }
t_exit() {
	eval "$t_cleanup_hooks"
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T_TMP"
}
trap t_exit EXIT
trap 'exit 1' INT TERM

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_for() {
	w_limit=$(($1 * 10)); shift
	w_i=0
	while [ "$w_i" -lt "$w_limit" ]; do
		"$@" && return 0
		sleep 0.1
		w_i=$((w_i + 1))
	done
	return 1
}

# t_stop PID: ends a process we started with SIGTERM, with SIGKILL if it is
# still there after 10 s, and reaps it.
t_stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $1 2>/dev/null" ||
	    kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# proc_gone PID: no such process, or only its zombie.
proc_gone() {
	[ ! -r "/proc/$1/status" ] ||
	    grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# The users the children run as; created if missing (tests run as root).
t_users() {
	"$TOP/etc/mkusers.sh" >/dev/null
}

# t_pebble PORTBASE: starts Pebble and its DNS on ports PORTBASE..+5
# (API, management, DNS, DNS management); http-01 validations go to
# $T_HTTP_PORT (default PORTBASE+6).  Sets PEBBLE_URL, PEBBLE_CA,
# PEBBLE_MGMT, T_HTTP_PORT, T_PEBBLE_DIR.  Stopped at exit.
t_pebble() {
	T_PEBBLE_DIR=$T_TMP/pebble
	T_PEBBLE_BASE=$1
	: "${T_HTTP_PORT:=$(($1 + 6))}"
	t_pebble_start || return 1
	t_at_exit "$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR"
	. "$T_PEBBLE_DIR/env"
	export PEBBLE_URL PEBBLE_CA PEBBLE_MGMT T_HTTP_PORT
}
t_pebble_start() {
	PEBBLE_PORT=$T_PEBBLE_BASE PEBBLE_MGMT_PORT=$((T_PEBBLE_BASE + 1)) \
	    PEBBLE_DNS_PORT=$((T_PEBBLE_BASE + 2)) \
	    PEBBLE_CHALL_MGMT_PORT=$((T_PEBBLE_BASE + 3)) \
	    PEBBLE_TLS_PORT=$((T_PEBBLE_BASE + 4)) PEBBLE_HTTP_PORT=$T_HTTP_PORT \
	    "$TOP/regress/pebble.sh" start "$T_PEBBLE_DIR" >/dev/null
}

# t_pebble_stalled: Pebble 2.4 can deadlock on its own locks when many
# orders run at once (a lookup holds its store's read lock and waits for
# an authorization that the validation holds while it waits for the store,
# a new order waiting to write in between): its log stops and every request
# hangs.  True when the log has not grown for 15 s (a validation sleeps at
# most 2 s, acmed polls at least every 5 s).
t_pebble_stalled() {
	[ $(($(date +%s) - $(stat -c %Y "$T_PEBBLE_DIR/pebble.log"))) -gt 15 ]
}

# t_pebble_again: a fresh Pebble on the same ports and with the same
# environment, the same CA for its API (after a deadlock).
t_pebble_again() {
	"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null
	t_pebble_start
}

# t_python: sets PY to python3, or skips the whole test without it (call
# it before the first check).
t_python() {
	PY=/usr/bin/python3
	[ -x "$PY" ] || PY=$(command -v python3)
	if [ -z "$PY" ]; then
		echo "1..0 # SKIP python3 missing (make deps)"
		exit 0
	fi
}

# t_ariproxy LOG [OPTION...]: ariproxy.py (after t_python and t_pebble)
# in front of Pebble with Pebble's localhost certificate, an empty window
# file unless -w is given, its log in LOG; sets ARIPROXY_PORT and
# PROXY_URL, the directory through it.  Stopped at exit.
t_ariproxy() {
	tap_log=$1; shift
	: >"$T_TMP/ariproxy.window"
	rm -f "$T_TMP/ariproxy.port"
	"$PY" "$TOP/regress/helpers/ariproxy.py" \
	    -c "$T_PEBBLE_DIR/cert.pem" -k "$T_PEBBLE_DIR/key.pem" \
	    -u "${PEBBLE_URL%/dir}" -C "$PEBBLE_CA" -L "$tap_log" \
	    -w "$T_TMP/ariproxy.window" -P "$T_TMP/ariproxy.port" "$@" \
	    2>>"$T_TMP/ariproxy.err" &
	t_at_exit "kill $! 2>/dev/null"
	wait_for 10 test -s "$T_TMP/ariproxy.port" || return 1
	ARIPROXY_PORT=$(cat "$T_TMP/ariproxy.port")
	PROXY_URL=https://127.0.0.1:$ARIPROXY_PORT/dir
}

# hex_b64url HEX: the bytes the hex digits spell, base64url without '='.
hex_b64url() {
	printf '%s' "$1" | tr 'a-f' 'A-F' | basenc --base16 -d |
	    basenc --base64url -w0 | tr -d '='
}

# cert_id FILE: the RFC 9773 identifier of the certificate, from openssl:
# base64url(AKI keyIdentifier) "." base64url(serial's DER content).
cert_id() {
	ci_aki=$(openssl x509 -in "$1" -noout -ext authorityKeyIdentifier \
	    2>/dev/null | sed -n 's/^ *\(keyid:\)\{0,1\}\([0-9A-Fa-f][0-9A-Fa-f]\(:[0-9A-Fa-f][0-9A-Fa-f]\)*\) *$/\2/p' |
	    head -n 1 | tr -d ':')
	ci_ser=$(openssl x509 -in "$1" -noout -serial 2>/dev/null)
	ci_ser=${ci_ser#serial=}
	[ -n "$ci_aki" ] && [ -n "$ci_ser" ] || return 1
	[ $((${#ci_ser} % 2)) -eq 1 ] && ci_ser=0$ci_ser
	case $ci_ser in [89A-Fa-f]*) ci_ser=00$ci_ser ;; esac
	printf '%s.%s\n' "$(hex_b64url "$ci_aki")" "$(hex_b64url "$ci_ser")"
}

# t_serial FILE: a certificate's serial number, lower-case hex without
# leading zeros, as Pebble's management interface names it.
t_serial() {
	openssl x509 -noout -serial -in "$1" | sed 's/^serial=//' |
	    tr 'A-F' 'a-f' | sed 's/^0*//'
}

# t_cert_status SERIAL FIELD: what Pebble records of a certificate:
# FIELD Status ("Valid", "Revoked") or Reason (the revocation's code).
t_cert_status() {
	curl -s --cacert "$PEBBLE_CA" \
	    "$PEBBLE_MGMT/cert-status-by-serial/$1" |
	    sed -n "s/.*\"$2\": *\"\{0,1\}\([A-Za-z0-9]*\).*/\1/p"
}

# t_pub FILE: the public key of a private key or certificate (*.crt).
t_pub() {
	case "$1" in
	*.crt) openssl x509 -noout -pubkey -in "$1" ;;
	*) openssl pkey -pubout -in "$1" 2>/dev/null ;;
	esac
}

# t_spec_account BASE: faultsrv stanzas (regress/helpers/faultsrv.c) of
# an authority's nonces and of an account at BASE/acct/1.
t_spec_account() {
	cat <<SPEC
path /nonce
nonce

path /acct
status 201
nonce
header Location: $1/acct/1
header Content-Type: application/json
body {"status":"valid"}
SPEC
}

# t_conf FILE [URL]: writes the global part of a configuration for Pebble
# (listener on $T_HTTP_PORT, state in $T_TMP/state, authority "pebble"),
# or for the directory at URL with Pebble's CA (a proxy in front of it).
t_conf() {
	cat >"$1" <<EOC
listen on 127.0.0.1 port $T_HTTP_PORT
state directory "$T_TMP/state"
authority pebble {
	api url "${2:-$PEBBLE_URL}"
	api ca "$PEBBLE_CA"
	account key "$T_TMP/account.key"
}
EOC
}

# t_conf_example FILE [SED-EXPRESSION...]: the example configuration
# (etc/acmed.conf) in FILE made to run against Pebble (after t_pebble):
# both authorities use Pebble with its CA, the commented loopback
# listener listens on $T_HTTP_PORT; each further sed expression is
# applied too.
t_conf_example() {
	tce_f=$1; shift
	for tce_e in "$@"; do
		set -- "$@" -e "$tce_e"
		shift
	done
	sed -i \
	    -e "s|\"https://acme-v02.api.letsencrypt.org/directory\"|\"$PEBBLE_URL\"\\
	api ca \"$PEBBLE_CA\"|" \
	    -e "s|\"https://acme-staging-v02.api.letsencrypt.org/directory\"|\"$PEBBLE_URL\"\\
	api ca \"$PEBBLE_CA\"|" \
	    -e "s|^#listen on 127.0.0.1 port 8402|listen on 127.0.0.1 port $T_HTTP_PORT|" \
	    "$@" "$tce_f"
}

# t_domain FILE NAME [key type words] [alternative names...]: appends a
# domain block writing $T_TMP/NAME.{key,crt,chain,full}.
t_domain() {
	f=$1; n=$2; shift 2
	kt=
	if [ $# -gt 0 ]; then kt=$1; shift; fi
	{
		echo "domain $n {"
		[ $# -gt 0 ] && echo "	alternative names { $* }"
		echo "	domain key \"$T_TMP/$n.key\" $kt"
		echo "	domain certificate \"$T_TMP/$n.crt\""
		echo "	domain chain certificate \"$T_TMP/$n.chain\""
		echo "	domain full chain certificate \"$T_TMP/$n.full\""
		echo "	sign with pebble"
		echo "}"
	} >>"$f"
}

# t_domain_reload FILE NAME LINE: t_domain's block for NAME, with the
# reload action "reload shell LINE" (LINE holds no double quote).
t_domain_reload() {
	t_domain "$1" "$2"
	sed -i '$d' "$1"
	printf '\treload shell "%s"\n}\n' "$3" >>"$1"
}

# t_domains FILE N FORMAT: appends N domain blocks (t_domain), named by
# the printf FORMAT with 1 to N.
t_domains() {
	tds_i=1
	while [ "$tds_i" -le "$2" ]; do
		t_domain "$1" "$(printf "$3" "$tds_i")"
		tds_i=$((tds_i + 1))
	done
}

# t_verified N FORMAT: how many of the N domains t_domains named verify
# (t_verify).
t_verified() {
	tvd_i=1 tvd_n=0
	while [ "$tvd_i" -le "$1" ]; do
		t_verify "$(printf "$2" "$tvd_i")" && tvd_n=$((tvd_n + 1))
		tvd_i=$((tvd_i + 1))
	done
	echo "$tvd_n"
}

# t_max_orders FILE N: the authority "pebble" of FILE runs N orders at once.
t_max_orders() {
	sed -i "/^authority pebble {/a\\
	max orders $2" "$1"
}

# t_gone PID...: none of the processes is still there.
t_gone() {
	for tg_p in "$@"; do
		kill -0 "$tg_p" 2>/dev/null && return 1
	done
	return 0
}

# t_conf_copy SRC DST [PREFIX...]: copies a configuration file, or a
# directory of them, to DST under $T_TMP, where acmed trusts it whoever
# owns the checkout and whatever its modes.  Paths under each PREFIX
# (default /nonexistent) move under $T_TMP/moved, and the directories
# they need are made: each path's own, and the path itself if its last
# name has no dot (a directory, such as a macro's "$dir").
t_conf_copy() {
	tcc_src=$1 tcc_dst=$2
	shift 2
	[ $# -gt 0 ] || set -- /nonexistent
	rm -rf "$tcc_dst"
	cp -R "$tcc_src" "$tcc_dst" || return 1
	chmod -R go-w "$tcc_dst"
	for tcc_p in "$@"; do
		find "$tcc_dst" -type f -exec sed -i \
		    "s|$tcc_p/|$T_TMP/moved$tcc_p/|g" {} + || return 1
	done
	grep -rhoE "$T_TMP/moved/[^\" ]*" "$tcc_dst" | while read -r tcc_p; do
		mkdir -p "$(dirname "$tcc_p")" || exit 1
		case "${tcc_p##*/}" in
		*.*) ;;
		*) mkdir -p "$tcc_p" || exit 1 ;;
		esac
	done
}

# t_verify NAME: the installed full chain verifies against Pebble's root.
t_verify() {
	"$TOP/regress/pebble.sh" root "$T_PEBBLE_DIR" >/dev/null 2>&1 &&
	    openssl verify -CAfile "$T_PEBBLE_DIR/root.pem" \
	    -untrusted "$T_TMP/$1.chain" "$T_TMP/$1.crt" >/dev/null 2>&1
}

# t_proc_confined PID USER [ROOT]: the process runs confined as USER: all
# its uids and gids are USER's, its only group is USER's group, no new
# privileges, seccomp filter mode, no effective or permitted capabilities,
# and (if ROOT is given) /proc/PID/root is ROOT.  Says what differs.
t_proc_confined() {
	tpc_pid=$1 tpc_user=$2 tpc_root=${3:-}
	tpc_st=/proc/$tpc_pid/status
	if [ ! -r "$tpc_st" ]; then
		echo "# t_proc_confined: no process $tpc_pid"
		return 1
	fi
	if ! tpc_uid=$(id -u "$tpc_user" 2>/dev/null) ||
	    ! tpc_gid=$(id -g "$tpc_user" 2>/dev/null); then
		echo "# t_proc_confined: no user $tpc_user"
		return 1
	fi
	tpc_bad=$(awk -v u="$tpc_uid" -v g="$tpc_gid" '
	function want(field, got, w) {
		if (got != w)
			printf "%s is \"%s\", want \"%s\"\n", field, got, w
	}
	$1 == "Uid:" { want("Uid", $2 " " $3 " " $4 " " $5,
	    u " " u " " u " " u); seen["Uid"] = 1 }
	$1 == "Gid:" { want("Gid", $2 " " $3 " " $4 " " $5,
	    g " " g " " g " " g); seen["Gid"] = 1 }
	$1 == "Groups:" { $1 = ""; sub(/^ +/, ""); sub(/ +$/, "");
	    want("Groups", $0, g); seen["Groups"] = 1 }
	$1 == "NoNewPrivs:" { want("NoNewPrivs", $2, "1");
	    seen["NoNewPrivs"] = 1 }
	$1 == "Seccomp:" { want("Seccomp", $2, "2"); seen["Seccomp"] = 1 }
	$1 == "CapEff:" { want("CapEff", $2, "0000000000000000");
	    seen["CapEff"] = 1 }
	$1 == "CapPrm:" { want("CapPrm", $2, "0000000000000000");
	    seen["CapPrm"] = 1 }
	END {
		n = split("Uid Gid Groups NoNewPrivs Seccomp CapEff CapPrm",
		    f, " ")
		for (i = 1; i <= n; i++)
			if (!(f[i] in seen))
				printf "%s missing\n", f[i]
	}' "$tpc_st")
	if [ -n "$tpc_root" ]; then
		tpc_r=$(readlink "/proc/$tpc_pid/root" 2>/dev/null)
		[ "$tpc_r" = "$tpc_root" ] || tpc_bad="$tpc_bad
root is \"$tpc_r\", want \"$tpc_root\""
	fi
	if [ -n "$tpc_bad" ]; then
		echo "$tpc_bad" | sed '/^$/d; s/^/# pid '"$tpc_pid"': /'
		return 1
	fi
	return 0
}

# t_fuzz NAME SECONDS [SEEDS]: runs obj-fuzz/fuzz_NAME for SECONDS from
# a corpus started with the files in directory SEEDS: ok if it ends
# without a finding and writes no crash, leak or timeout artifact.  The
# whole test is skipped when the fuzzer is not built (make fuzzers).
t_fuzz() {
	tf_name=fuzz_$1 tf_secs=$2 tf_seeds=${3:-}
	tf_fuzzer=$TOP/obj-fuzz/$tf_name
	if [ ! -x "$tf_fuzzer" ]; then
		echo "ok 1 # skip $tf_fuzzer not built (make fuzzers)"
		exit 0
	fi
	mkdir -p "$T_TMP/corpus"
	[ -z "$tf_seeds" ] || cp "$tf_seeds"/* "$T_TMP/corpus/"
	# Plain libFuzzer options; ASan reports leaks at the end of each input.
	"$tf_fuzzer" -max_total_time="$tf_secs" -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix="$T_TMP/" "$T_TMP/corpus" >"$T_TMP/fuzz.log" 2>&1
	tf_rc=$?
	if [ "$tf_rc" -eq 0 ]; then
		ok "$tf_name ran $tf_secs s without a finding ($(grep -o \
		    'Done [0-9]* runs' "$T_TMP/fuzz.log"))"
	else
		notok "$tf_name exited with status $tf_rc"
		grep -E 'ERROR|SUMMARY|Base64|#[0-9]+ +DONE' "$T_TMP/fuzz.log" |
		    head -20 | sed 's/^/# /'
		tail -n 40 "$T_TMP/fuzz.log" | sed 's/^/# /'
	fi
	check "no crash or leak artifact was written" \
	    sh -c "! ls '$T_TMP'/crash-* '$T_TMP'/leak-* '$T_TMP'/timeout-* \
	    >/dev/null 2>&1"
}

# t_nginx_conf DIR CONNECTIONS [LOG LEVEL]: prints the head of an
# nginx.conf for one worker that keeps its pid, error log and temporary
# files in DIR, up to the open "http {"; the caller adds the rest.
t_nginx_conf() {
	cat <<EOC
daemon off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log${3:+ $3};
events { worker_connections $2; }
http {
	client_body_temp_path $1/body;
	proxy_temp_path $1/proxy;
	fastcgi_temp_path $1/fastcgi;
	uwsgi_temp_path $1/uwsgi;
	scgi_temp_path $1/scgi;
EOC
}

# t_nginx_start DIR CONF UP: up to five times, the function CONF picks
# ports and writes DIR/nginx.conf (failing if a port is taken), nginx
# runs on it as $NGINX, and the function UP must succeed within 5 s.
# Fails after the fifth try; DIR/error.log says why.
t_nginx_start() {
	tns_dir=$1 tns_conf=$2 tns_up=$3
	tns_i=0
	while [ "$tns_i" -lt 5 ]; do
		tns_i=$((tns_i + 1))
		"$tns_conf" || continue
		nginx -e "$tns_dir/error.log" -p "$tns_dir" \
		    -c "$tns_dir/nginx.conf" >"$tns_dir/stdout" 2>&1 &
		NGINX=$!
		if wait_for 5 "$tns_up" && kill -0 "$NGINX" 2>/dev/null; then
			return 0
		fi
		t_nginx_stop
	done
	return 1
}

# t_nginx_stop: stops $NGINX if it runs, killed if still there after 5 s.
t_nginx_stop() {
	if [ -n "${NGINX:-}" ]; then
		kill "$NGINX" 2>/dev/null
		wait_for 5 sh -c "! kill -0 $NGINX 2>/dev/null" ||
		    kill -9 "$NGINX" 2>/dev/null
		wait "$NGINX" 2>/dev/null
	fi
	NGINX=
}

# t_visible FILE: FILE is UTF-8 without a control character (newlines
# aside), C1 control, bidirectional control or line separator; says
# what it found and where otherwise.  Needs t_python.
t_visible() {
	"$PY" - "$1" <<'EOP'
import re, sys
b = open(sys.argv[1], "rb").read()
try:
    t = b.decode("utf-8")
except UnicodeDecodeError as e:
    print("# %s: not UTF-8 at byte %d" % (sys.argv[1], e.start))
    sys.exit(1)
m = re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
              "\u2028-\u202e\u2066-\u2069]", t)
if m:
    print("# %s: U+%04X at %d" % (sys.argv[1], ord(m.group()), m.start()))
    sys.exit(1)
EOP
}

# t_faultsrv SPEC: faultsrv (regress/helpers/faultsrv.c) on a free
# loopback port, answering from the file SPEC (made empty), with a leaf
# of a throwaway CA whose certificate is $T_TMP/certs/ca.pem.  Sets
# FS_BASE (https://127.0.0.1:PORT); its log is $T_TMP/faultsrv.log.
# Stopped at exit.
t_faultsrv() {
	"$TOP/regress/pebble.sh" certs "$T_TMP/certs" >/dev/null || return 1
	: >"$1"
	"$OBJ/regress/faultsrv" -c "$T_TMP/certs/cert.pem" \
	    -k "$T_TMP/certs/key.pem" -f "$1" -P "$T_TMP/faultsrv.port" \
	    2>"$T_TMP/faultsrv.log" &
	t_at_exit "kill $! 2>/dev/null"
	wait_for 10 test -s "$T_TMP/faultsrv.port" || return 1
	FS_BASE=https://127.0.0.1:$(cat "$T_TMP/faultsrv.port")
}

