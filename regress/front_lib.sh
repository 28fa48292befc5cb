# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Shared by the tests of a web server or proxy in front of challenged
# (t_challenged_apache.sh, t_challenged_haproxy.sh).  Source it after
# lib.sh and chald_lib.sh.

# front_port: a random port in 20000-29999.
front_port() {
	echo $(( ($(od -An -N2 -tu2 /dev/urandom) % 10000) + 20000 ))
}

# tap_start TARGET: starts tcptap.py on a free loopback port ($TAP_PORT)
# relaying to 127.0.0.1:TARGET; what the front server sends on is copied
# to $T_TMP/tap.log.  Fails when python3 is missing or it does not start.
tap_start() {
	TAP_PY=$(command -v python3) || return 1
	"$TAP_PY" "$TOP/regress/helpers/tcptap.py" -t "$1" \
	    -P "$T_TMP/tap.port" -L "$T_TMP/tap.log" \
	    >/dev/null 2>"$T_TMP/tap.err" &
	TAP=$!
	t_at_exit tap_stop
	wait_for 5 test -s "$T_TMP/tap.port" || return 1
	TAP_PORT=$(cat "$T_TMP/tap.port")
}

tap_stop() {
	[ -n "${TAP:-}" ] || return 0
	kill "$TAP" 2>/dev/null
	wait "$TAP" 2>/dev/null
	TAP=
}

# tap_host TOKEN HOST: a request for TOKEN reached challenged with the
# one Host header HOST.
tap_host() {
	tr -d '\r' <"$T_TMP/tap.log" | awk -v tok="$1" -v host="$2" '
	/^(GET|HEAD) / { inreq = index($2, tok) > 0; n = 0; next }
	inreq && tolower($1) == "host:" { n++; h = $2 }
	inreq && $0 == "" { if (n == 1 && h == host) found = 1; inreq = 0 }
	END { exit !found }'
}

# alive PID: the process runs (exists and is no zombie).
alive() {
	[ -r "/proc/$1/status" ] &&
	    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# front_stop PID: stops the server started with setsid as PID (its
# process group): SIGTERM, then SIGKILL to the group after 10 s.
front_stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	if ! wait_for 10 front_gone "$1"; then
		kill -9 -- "-$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	return 0
}

front_gone() {
	! alive "$1"
}

# http_code URL [curl options]: the status code curl got, 000 if none.
http_code() {
	hc_u=$1; shift
	curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@" "$hc_u"
}

# readme_block PATTERN: the first fenced block of the README after the
# first line matching PATTERN (an awk regular expression).
readme_block() {
	awk -v pat="$1" '
	!seen && $0 ~ pat { seen = 1; next }
	seen && /^```/ { if (inblock) exit; inblock = 1; next }
	inblock { print }' "$TOP/README"
}

# front_checks SERVER PORT: what every front server must do for
# challenged on PORT: the published token ($TOK, answer $KA), challenged's
# own 404 and test page, HEAD, and (with the relay) the client's Host.
front_checks() {
	fc_srv=$1 p=$2
	b="http://127.0.0.1:$p"
	u="$b/.well-known/acme-challenge"
	r=$(curl -s --max-time 5 -H 'Host: www.example.org' "$u/$TOK")
	check "$p: token answered through $fc_srv" [ "$r" = "$KA" ]
	r=$(curl -s --max-time 5 -D "$T_TMP/h" "$u/unknown")
	c=$(awk 'NR == 1 { print $2 }' "$T_TMP/h")
	check "$p: unknown token: 404 from challenged ($c, $r)" \
	    test "$c" = 404 -a "$r" = "404 Not Found"
	check "$p: the answer is challenged's" \
	    grep -qi '^server: acmed' "$T_TMP/h"
	r=$(curl -s --max-time 5 -I "$u/$TOK" | tr -d '\r' |
	    awk 'tolower($1) == "content-length:" { print $2 }')
	check "$p: HEAD: Content-Length ${#KA} ($r)" [ "$r" = "${#KA}" ]
	r=$(curl -s --max-time 5 "$u/")
	check "$p: test page through $fc_srv" ready "$r"
	if [ -n "$TAP_PORT" ]; then
		check "$p: challenged got the client's Host header" \
		    tap_host "$TOK" www.example.org
		: >"$T_TMP/tap.log"
		curl -s --max-time 5 -o /dev/null -H "Host: other.example.net" \
		    "$u/$TOK"
		check "$p: ... whatever it is" \
		    tap_host "$TOK" other.example.net
		: >"$T_TMP/tap.log"
	fi
}

# front_backend: where the front server forwards ($BP): the tap in front
# of challenged when there is python3 (the Host header is then checked),
# else challenged itself.
front_backend() {
	BP=$CP
	if tap_start "$CP"; then
		BP=$TAP_PORT
	else
		echo "# no tcptap.py (python3): the Host header is not looked at"
		TAP_PORT=
	fi
}
