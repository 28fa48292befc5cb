# Shared by the shell tests: TAP helpers, a scratch directory removed at
# exit, and bounded waits.  Source it; $TOP and $ACMED come from run.sh.
: "${TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${ACMED:=$TOP/obj/acmed}"
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

# The users the children run as; created if missing (tests run as root).
t_users() {
	"$TOP/etc/mkusers.sh" >/dev/null
}
