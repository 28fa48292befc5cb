#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The sandbox of each child, tried from inside by obj/regress/sbx_probe
# (the same sandbox_enter() the daemon calls, as the real users, in a real
# empty chroot; netproc in a root made as the parent makes it).  First the
# whole sandbox against each forbidden thing and each thing that must keep
# working; then each layer alone (the probe leaves the others out), next
# to a control run without that layer that must succeed, so that every
# check here can fail.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip the sandbox tests need root"
	exit 0
fi

PROBE=$OBJ/regress/sbx_probe
if [ ! -x "$PROBE" ]; then
	notok "$PROBE is built (make tests)"
	t_done
	exit 1
fi
t_users

skip() {
	t_n=$((t_n + 1))
	echo "ok $t_n # skip $*"
}

ROOT=$T_TMP/empty
mkdir -m 0755 "$ROOT"
NETROOT=$T_TMP/netproc
CA=$T_TMP/ca.pem
cp /etc/ssl/certs/ca-certificates.crt "$CA" 2>/dev/null ||
    echo "not a certificate" >"$CA"
chmod 0644 "$CA"
ABI=$("$PROBE" -A)
echo "# Landlock ABI $ABI"

NET="netproc _acmed $NETROOT"
NET_NOROOT="netproc _acmed -"
KEY="keyproc _acmed-key $ROOT"
WWW="challenged _acmed-www $ROOT"
KEY_NOROOT="keyproc _acmed-key -"
WWW_NOROOT="challenged _acmed-www -"

# expect WANT DESCRIPTION PROBE-ARGS...
#   killed	seccomp killed the probe (SIGSYS: status 128 + 31)
#   blocked:E	the call failed with errno E
#   allowed	the call succeeded
#   refused:TEXT	sandbox_enter() failed, saying TEXT
#   trapped:NAME	seccomp debug mode named system call NAME
expect() {
	e_want=$1 e_desc=$2
	shift 2
	# Through a pipe: in the sandbox a file cannot grow (RLIMIT_FSIZE).
	# The inner subshell keeps the shell's "Bad system call" to itself.
	e_out=$( ("$PROBE" "$@" 2>&1; exit $?) 2>/dev/null)
	e_rc=$?
	case $e_want in
	killed)
		[ "$e_rc" -eq 159 ] ;;
	blocked:*)
		[ "$e_rc" -eq 0 ] && case $e_out in
		*"blocked: ${e_want#blocked:} "*) true ;;
		*) false ;;
		esac ;;
	allowed)
		[ "$e_rc" -eq 1 ] ;;
	refused:*)
		[ "$e_rc" -eq 3 ] && case $e_out in
		*"${e_want#refused:}"*) true ;;
		*) false ;;
		esac ;;
	trapped:*)
		[ "$e_rc" -eq 2 ] && case $e_out in
		*"seccomp: forbidden system call "*" (${e_want#trapped:})"*)
			true ;;
		*) false ;;
		esac ;;
	*)
		false ;;
	esac
	if [ $? -eq 0 ]; then
		ok "$e_desc: $e_want"
	else
		notok "$e_desc: want $e_want"
		echo "#   sbx_probe $*: status $e_rc"
		[ -z "$e_out" ] || echo "$e_out" | sed 's/^/#   /'
	fi
}

# Processes to aim ptrace and kill at: one per acmed user, outside any
# sandbox.  They are ours; the exit hook ends them by pid.  (Not started
# in a command substitution: its subshell would run the exit trap.)
setpriv --reuid=_acmed --regid=_acmed --clear-groups sleep 120 &
SIB_NET=$!
setpriv --reuid=_acmed-key --regid=_acmed-key --clear-groups sleep 120 &
SIB_KEY=$!
setpriv --reuid=_acmed-www --regid=_acmed-www --clear-groups sleep 120 &
SIB_WWW=$!
t_at_exit "kill -9 $SIB_NET $SIB_KEY $SIB_WWW 2>/dev/null"

echo "# --- the whole sandbox: forbidden"
expect blocked:ENOENT "netproc: open /etc/passwd (not in its root)" $NET open
expect blocked:ENOENT "netproc: stat /etc/shadow (not in its root)" $NET stat
expect blocked:EACCES "netproc: open /etc/shadow with O_PATH" $NET opath
for p in "$NET" "$KEY" "$WWW"; do
	n=${p%% *}
	[ "$n" = netproc ] ||
	    expect blocked:EACCES "$n: open /etc/passwd" $p open
	expect killed "$n: bind a TCP port" $p bind
	expect killed "$n: setuid(0)" $p setuid
	expect killed "$n: fork" $p fork
	expect killed "$n: execve" $p exec
	expect blocked:EFBIG "$n: write a file (RLIMIT_FSIZE)" $p fsize \
	    "$T_TMP/fsize.$n"
done
expect killed "keyproc: ptrace challenged's user" $KEY ptrace "$SIB_WWW"
expect killed "challenged: ptrace netproc's user" $WWW ptrace "$SIB_NET"
expect killed "netproc: ptrace keyproc's user" $NET ptrace "$SIB_KEY"
expect killed "keyproc: signal another process" $KEY signal "$SIB_KEY"
expect killed "netproc: signal another process" $NET signal "$SIB_NET"
expect killed "keyproc: connect to 127.0.0.1" $KEY connect
expect killed "challenged: connect to 127.0.0.1" $WWW connect
expect killed "challenged: socket()" $WWW socket
expect killed "keyproc: socket()" $KEY socket
expect killed "keyproc: start a thread" $KEY thread
expect killed "challenged: start a thread" $WWW thread
expect blocked:EACCES "netproc: open the CA file for writing" $NET_NOROOT \
    writeca "$CA"
for p in "$NET" "$KEY" "$WWW"; do
	expect blocked:EACCES "${p%% *}: map memory writable and executable" \
	    $p wx
	expect blocked:EACCES "${p%% *}: make a page executable" $p mprotect-x
done
expect blocked:EACCES "netproc: UNIX socket (nscd, abstract)" $NET abstract

echo "# --- arguments decided on all 64 bits"
# The open-file limit of a process, as another process sees it.
nofile() {
	awk '/^Max open files/ { print $4, $5 }' "/proc/$1/limits"
}
for p in "$NET:$SIB_NET" "$KEY:$SIB_KEY" "$WWW:$SIB_WWW"; do
	sib=${p##*:}
	p=${p%:*}
	n=${p%% *}
	before=$(nofile "$sib")
	expect blocked:EPERM "$n: prlimit64 on its user's process, the new \
limit at an address ending in 32 zero bits" $p prlimit "$sib"
	check "$n: that process's open-file limit is unchanged ($before)" \
	    [ "$(nofile "$sib")" = "$before" ]
done
for p in "$NET" "$KEY" "$WWW"; do
	expect blocked:EACCES "${p%% *}: mmap prot PROT_READ|1<<32" $p mmap-high
	expect blocked:EACCES "${p%% *}: mprotect prot PROT_READ|1<<32" \
	    $p mprotect-high
done
# The control: without seccomp, the same call lowers the limit.
setpriv --reuid=_acmed-key --regid=_acmed-key --clear-groups sleep 120 &
SIB_LIM=$!
t_at_exit "kill -9 $SIB_LIM 2>/dev/null"
expect allowed "keyproc control: prlimit64 through that pointer" \
    -S $KEY prlimit "$SIB_LIM"
check "keyproc control: the open-file limit became 0" \
    [ "$(nofile "$SIB_LIM")" = "0 0" ]

echo "# --- the whole sandbox: what must keep working"
for p in "$NET" "$KEY" "$WWW"; do
	expect allowed "${p%% *}: channel read, write, descriptor passing" \
	    $p chan
done
expect allowed "netproc: connect to 127.0.0.1" $NET connect
expect allowed "netproc: getaddrinfo localhost" $NET resolve
expect allowed "netproc without a root: read the CA file" $NET_NOROOT \
    readca "$CA"
expect allowed "netproc: resolver thread" $NET thread
expect allowed "netproc: HTTP over loopback with libcurl" $NET curl
# A name other than localhost (which libcurl answers itself) goes through
# libcurl's resolver thread and glibc's files backend; never DNS.
HOSTNAME_LO=$(awk '$1 == "127.0.0.1" && $2 != "localhost" { print $2; exit }' \
    /etc/hosts)
if [ -n "$HOSTNAME_LO" ]; then
	expect allowed "netproc: HTTP to $HOSTNAME_LO (/etc/hosts), resolver thread" \
	    $NET curl "$HOSTNAME_LO"
else
	skip "no other name for 127.0.0.1 in /etc/hosts"
fi
mkdir "$T_TMP/tls"
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T_TMP/tls/key.pem" -out "$T_TMP/tls/cert.pem" -days 2 \
    -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost${HOSTNAME_LO:+,DNS:$HOSTNAME_LO}" \
    -addext "basicConstraints=critical,CA:TRUE" >/dev/null 2>&1; then
	expect allowed "netproc: HTTPS with netproc's transport (http.c)" \
	    $NET https "$T_TMP/tls"
	if [ -n "$HOSTNAME_LO" ]; then
		expect allowed "netproc: HTTPS to $HOSTNAME_LO, resolved in its root" \
		    $NET https "$T_TMP/tls" "$HOSTNAME_LO"
	fi
	expect killed "keyproc: HTTPS" $KEY https "$T_TMP/tls"
else
	notok "test certificate made with openssl req"
fi

echo "# --- Landlock alone (no seccomp, no chroot), and without it"
if [ "$ABI" -ge 1 ]; then
	for p in "$NET_NOROOT" "$KEY_NOROOT" "$WWW_NOROOT"; do
		n=${p%% *}
		expect blocked:EACCES "$n Landlock: open /etc/passwd" \
		    -S $p open
		expect allowed "$n control: open /etc/passwd" -S -L $p open
		expect blocked:EACCES "$n Landlock: execve" -S $p exec
	done
	expect allowed "keyproc control: execve" -S -L $KEY_NOROOT exec
	expect blocked:EACCES "netproc Landlock as root: CA file read-only" \
	    -S netproc - - writeca "$CA"
	expect allowed "netproc control as root: CA file writable" \
	    -S -L netproc - - writeca "$CA"
	expect allowed "netproc Landlock: getaddrinfo localhost" \
	    -S $NET_NOROOT resolve
	expect allowed "netproc Landlock: read the CA file" -S $NET_NOROOT readca "$CA"
	expect allowed "netproc Landlock: HTTP with libcurl" -S $NET_NOROOT curl
	expect blocked:EPERM "keyproc Landlock: ptrace its own user" \
	    -S $KEY ptrace "$SIB_KEY"
	expect blocked:EPERM "netproc Landlock: ptrace its own user" \
	    -S $NET_NOROOT ptrace "$SIB_NET"
	expect allowed "netproc control: ptrace its own user" \
	    -S -L $NET_NOROOT ptrace "$SIB_NET"
else
	skip "no Landlock in this kernel"
fi
if [ "$ABI" -ge 4 ]; then
	for p in "$NET_NOROOT" "$KEY_NOROOT" "$WWW_NOROOT"; do
		expect blocked:EACCES "${p%% *} Landlock: bind a TCP port" \
		    -S $p bind
	done
	expect allowed "netproc control: bind a TCP port" -S -L $NET_NOROOT bind
	expect blocked:EACCES "keyproc Landlock: connect" -S $KEY_NOROOT connect
	expect blocked:EACCES "challenged Landlock: connect" \
	    -S $WWW_NOROOT connect
	expect allowed "keyproc control: connect" -S -L $KEY_NOROOT connect
	expect allowed "netproc Landlock: connect" -S $NET_NOROOT connect
else
	skip "Landlock ABI $ABI has no TCP rules"
fi
if [ "$ABI" -ge 6 ]; then
	expect blocked:EPERM "keyproc Landlock: signal its own user" \
	    -S $KEY signal "$SIB_KEY"
	expect allowed "keyproc control: signal its own user" \
	    -S -L $KEY signal "$SIB_KEY"
	expect blocked:EPERM "netproc Landlock: abstract UNIX socket" \
	    -S $NET_NOROOT abstract
	expect allowed "netproc control: abstract UNIX socket" \
	    -S -L $NET_NOROOT abstract
else
	skip "Landlock ABI $ABI has no scopes"
fi

echo "# --- seccomp alone (no Landlock, no chroot)"
expect blocked:EACCES "keyproc seccomp: open answers EACCES" \
    -L $KEY_NOROOT open
expect blocked:EACCES "challenged seccomp: open answers EACCES" \
    -L $WWW_NOROOT open
expect blocked:EACCES "netproc seccomp as root: open for writing" \
    -L netproc - - writeca "$CA"
expect killed "netproc seccomp: bind" -L $NET_NOROOT bind
expect killed "keyproc seccomp: connect" -L $KEY_NOROOT connect
expect killed "netproc seccomp: ptrace its own user" -L $NET_NOROOT ptrace \
    "$SIB_NET"
expect blocked:EACCES "netproc seccomp: open /etc/shadow O_PATH" \
    -L $NET_NOROOT opath
expect killed "netproc seccomp: fork" -L -R $NET_NOROOT fork
expect blocked:EACCES "netproc seccomp: map memory writable and executable" \
    -L $NET_NOROOT wx
expect allowed "netproc control: map memory writable and executable" \
    -S -L $NET_NOROOT wx
expect blocked:EACCES "netproc seccomp: make a page executable" \
    -L $NET_NOROOT mprotect-x
expect allowed "netproc control: make a page executable" \
    -S -L $NET_NOROOT mprotect-x
expect allowed "netproc control: fork" -S -L -R $NET_NOROOT fork
expect allowed "netproc seccomp: getaddrinfo localhost" -L $NET_NOROOT resolve
expect allowed "netproc seccomp: HTTP with libcurl" -L $NET_NOROOT curl
expect trapped:ptrace "keyproc seccomp debug (-d): names ptrace" \
    -d $KEY ptrace "$SIB_WWW"
e_env=$( (ACMED_SECCOMP_DEBUG=1 "$PROBE" $NET_NOROOT bind 2>&1; exit $?) \
    2>/dev/null)
case $e_env in
*"seccomp: forbidden system call "*" (bind)"*)
	ok "ACMED_SECCOMP_DEBUG=1 names bind" ;;
*)
	notok "ACMED_SECCOMP_DEBUG=1 names bind"
	echo "$e_env" | sed 's/^/#   /' ;;
esac

echo "# --- chroot, ids and rlimits alone"
expect blocked:ENOENT "keyproc chroot: /etc/passwd is not there" \
    -S -L $KEY open
expect blocked:ENOENT "netproc root: stat /etc/shadow" -S -L $NET stat
expect allowed "netproc control without a root: stat /etc/shadow" \
    -S -L $NET_NOROOT stat
expect blocked:ENOENT "netproc root: open /etc/shadow O_PATH" -S -L $NET opath
expect allowed "netproc control without a root: open /etc/shadow O_PATH" \
    -S -L $NET_NOROOT opath
expect allowed "netproc root: getaddrinfo localhost" -S -L $NET resolve
check "netproc root: holds only etc/ with the resolver's files" sh -c \
    "[ \"\$(ls -A '$NETROOT')\" = etc ] &&
    [ -z \"\$(ls -A '$NETROOT/etc' |
    grep -vxE 'resolv.conf|hosts|nsswitch.conf|gai.conf|host.conf')\" ]"
check "netproc root: etc/hosts is a copy of /etc/hosts" \
    cmp -s /etc/hosts "$NETROOT/etc/hosts"
expect blocked:EPERM "keyproc ids: ptrace another user" \
    -S -L $KEY ptrace "$SIB_WWW"
expect blocked:EPERM "keyproc ids: kill another user" \
    -S -L $KEY signal "$SIB_WWW"
expect blocked:EPERM "keyproc ids: setuid(0)" -S -L $KEY setuid
expect allowed "control without a user: setuid(0)" -S -L keyproc - - setuid
expect blocked:EAGAIN "keyproc rlimit: fork" -S -L $KEY fork
expect blocked:EAGAIN "challenged rlimit: thread" -S -L $WWW thread
expect allowed "keyproc control: fork" -S -L -R $KEY fork
expect allowed "keyproc control: write a file" -R $KEY fsize "$T_TMP/fsize.c"

echo "# --- sandbox_enter() refuses"
expect "refused:user _acmed-nobody does not exist: run etc/mkusers.sh" \
    "unknown user" keyproc _acmed-nobody "$ROOT" chan
expect "refused:$T_TMP/none" "missing chroot" keyproc _acmed-key \
    "$T_TMP/none" chan
mkdir -m 0775 "$T_TMP/gw"
expect "refused:owned by root and writable by root only" \
    "group-writable chroot" keyproc _acmed-key "$T_TMP/gw" chan
mkdir -m 0755 "$T_TMP/own"
chown _acmed-key "$T_TMP/own"
expect "refused:owned by root and writable by root only" \
    "chroot not owned by root" keyproc _acmed-key "$T_TMP/own" chan
mkdir -m 0755 "$T_TMP/full"
: >"$T_TMP/full/file"
expect "refused:is not empty" "chroot not empty" keyproc _acmed-key \
    "$T_TMP/full" chan
mkdir -m 0755 "$T_TMP/netfull"
: >"$T_TMP/netfull/shadow"
expect "refused:holds shadow: it may hold only etc/" \
    "netproc root holding more than etc/" netproc _acmed "$T_TMP/netfull" \
    chan
mkdir -m 0755 "$T_TMP/netown" "$T_TMP/netown/etc"
chown _acmed "$T_TMP/netown/etc"
expect "refused:netproc's root must be owned by root" \
    "netproc root's etc/ not owned by root" netproc _acmed "$T_TMP/netown" \
    chan
if [ "$ABI" -ge 1 ]; then
	expect "refused:landlock: $T_TMP/no-ca" "missing read-only path" \
	    netproc _acmed - readca "$T_TMP/no-ca"
else
	skip "no Landlock: read-only paths are not opened"
fi

echo "# --- a confined process as /proc shows it"
for p in "$NET" "$KEY" "$WWW"; do
	set -- $p
	"$PROBE" $p hold >/dev/null 2>&1 &
	h=$!
	if wait_for 5 grep -q '^Seccomp:[[:space:]]*2' "/proc/$h/status"; then
		r=$3
		[ "$r" = "-" ] && r=/
		check "$1: uids, groups, NoNewPrivs, seccomp, CapEff, root" \
		    t_proc_confined "$h" "$2" "$r"
	else
		notok "$1: probe holding in its sandbox"
	fi
	kill "$h" 2>/dev/null
	wait "$h" 2>/dev/null
done
check_not "an unconfined process is not taken for a confined one" \
    t_proc_confined "$SIB_KEY" _acmed-key /

t_done
