# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Shared by the challenged tests: start chald_drv (challenged on loopback
# sockets), publish and withdraw tokens, ask with curl or chald_cli.
# Source it after lib.sh.
CHALD_DRV_BIN="$OBJ/regress/chald_drv"
CHALD_CLI="$OBJ/regress/chald_cli"

# chald_start [-x acmed ...] ADDRESS:PORT...: starts challenged; sets
# CHALD_PID (challenged's pid) once it is serving.
chald_start() {
	rm -f "$T_TMP/chald.in"
	mkfifo "$T_TMP/chald.in" || return 1
	"$CHALD_DRV_BIN" "$@" <"$T_TMP/chald.in" >"$T_TMP/chald.out" \
	    2>"$T_TMP/chald.err" &
	CHALD_DRV=$!
	exec 7>"$T_TMP/chald.in"
	t_at_exit chald_stop
	wait_for 10 grep -qs '^ready$' "$T_TMP/chald.out" || return 1
	CHALD_PID=$(awk '$1 == "pid" { print $2 }' "$T_TMP/chald.out")
}

# chald_stop: asks challenged to stop; sets CHALD_EXIT to its status.
chald_stop() {
	[ -n "${CHALD_DRV:-}" ] || return 0
	# In a subshell: if the driver is gone, SIGPIPE ends only that.
	(echo quit >&7) 2>/dev/null
	exec 7>&-
	wait_for 10 grep -q '^exit ' "$T_TMP/chald.out" ||
	    kill "$CHALD_DRV" 2>/dev/null
	wait "$CHALD_DRV" 2>/dev/null
	CHALD_DRV=
	CHALD_EXIT=$(awk '$1 == "exit" { print $2 }' "$T_TMP/chald.out")
}

# chald_port N: the port of the Nth address given to chald_start.
chald_port() {
	awk -v n="$1" '$1 == "listen" { i++; if (i == n) print $3 }' \
	    "$T_TMP/chald.out"
}

# chald_add TOKEN KEYAUTH: publishes; succeeds if challenged said yes.
chald_add() {
	chald_ask add "$1" "$2"
}
# chald_ask COMMAND WHAT KEYAUTH: a publishing command of chald_drv;
# succeeds if challenged said yes.
chald_ask() {
	c_n=$(grep -c '^ack ' "$T_TMP/chald.out")
	(echo "$1 $2 $3" >&7) 2>/dev/null
	wait_for 5 chald_acked "$c_n" || return 1
	tail -n 1 "$T_TMP/chald.out" | grep -q "^ack $2 1\$"
}
chald_acked() {
	[ "$(grep -c '^ack ' "$T_TMP/chald.out")" -gt "$1" ]
}

# chald_del TOKEN: withdraws (no answer comes back; a published token
# asked for afterwards shows it).
chald_del() {
	(echo "del $1" >&7) 2>/dev/null
}

# chald_rss: challenged's resident memory in kB.
chald_rss() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$CHALD_PID/status"
}

# ready TEXT: the test page's words are in TEXT.
ready() {
	case "$1" in
	*"Let's Encrypt Ready"*) return 0 ;;
	esac
	return 1
}

# nginx_up URL: nginx ($NGINX) answers URL, or has died (a port in use):
# either way there is no point waiting longer.
nginx_up() {
	kill -0 "$NGINX" 2>/dev/null || return 0
	curl -s -o /dev/null --max-time 1 "$1"
}

# chald_publish: challenged on a free loopback port ($CP) with $TOK
# published as $KA; the test ends here if it does not start.
chald_publish() {
	if ! chald_start 127.0.0.1:0; then
		notok "challenged starts"
		cat "$T_TMP/chald.err"
		t_done
		exit 1
	fi
	CP=$(chald_port 1)
	check "token published" chald_add "$TOK" "$KA"
}

# chald_add_alpn NAME KEYAUTH: publishes a tls-alpn-01 answer; succeeds
# if challenged said yes.
chald_add_alpn() {
	chald_ask alpnadd "$1" "$2"
}

# chald_del_alpn NAME: withdraws a tls-alpn-01 answer.
chald_del_alpn() {
	(echo "alpndel $1" >&7) 2>/dev/null
}
