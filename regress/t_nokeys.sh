#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The private keys never leave keyproc: nothing netproc reads or writes (its
# channels to the parent, keyproc and challenged, the files it reads and
# the network) and nothing challenged reads or writes holds any encoding of
# the account key's or a domain key's private part, or of an external
# account's MAC key, and neither ever holds a descriptor of a key file.
# Shown on real issuances against Pebble under strace, which records every
# byte each process moves: once with keys acmed makes itself, once with
# keys made by openssl (ECDSA P-256 and RSA 2048), once with an external
# account binding that Pebble requires.  netproc's network bytes are TLS
# records, so searching them proves little by itself; what does is that
# none of netproc's inputs carries a key, so nothing it sends can.  The
# search must find each encoding in a traced pipe and every key in
# keyproc's own traffic (the key file it reads or the new key it hands the
# parent), or it would prove nothing.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip needs root (the children change user)"
	exit 0
fi
if ! command -v strace >/dev/null 2>&1; then
	echo "ok 1 # skip strace not installed"
	exit 0
fi
scan=$OBJ/regress/keyscan
if [ ! -x "$scan" ]; then
	notok "keyscan built (make tests)"
	t_done
	exit 1
fi
t_users
t_pebble 14600 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

# Every call that moves data, with a dump of the data, per thread; calls
# that make threads, processes and descriptors, to tell who is who.
calls=read,write,readv,writev,pread64,pwrite64,preadv,pwritev,preadv2
calls=$calls,pwritev2,recvfrom,sendto,recvmsg,sendmsg,recvmmsg,sendmmsg
calls=$calls,open,openat,openat2,execve,execveat,clone,clone3,fork,vfork

# Whatever strace started and left running (a run cut short by the time
# limit) is stopped at exit: the trace files name every process.
stop_traced() {
	for st_f in "$T_TMP"/*/t.*; do
		[ -f "$st_f" ] || continue
		st_p=${st_f##*.}
		if { tr '\0' ' ' <"/proc/$st_p/cmdline"; } 2>/dev/null |
		    grep -q "^$ACMED "; then
			kill -9 "$st_p" 2>/dev/null
		fi
	done
}
t_at_exit stop_traced

# traced NAME CONF: runs acmed -o under strace, traces in $T_TMP/NAME/.
traced() {
	mkdir -p "$T_TMP/$1"
	timeout -k 5 25 strace -f -ff -qq -yy -s 16 -o "$T_TMP/$1/t" \
	    -e trace="$calls" -e read=all -e write=all \
	    "$ACMED" -o -d -v -f "$2" >"$T_TMP/$1.out" 2>&1
}

# files NAME PROC: the trace files of the process started as "acmed -P
# PROC" and of every thread or process it made.
files() {
	fl_q=$(grep -l "^execveat(.*\"-P\", \"$2\"" "$T_TMP/$1"/t.* 2>/dev/null |
	    tr '\n' ' ')
	fl_all=""
	fl_i=0
	while [ -n "${fl_q% }" ] && [ $fl_i -lt 1000 ]; do
		fl_i=$((fl_i + 1))
		fl_f=${fl_q%% *}
		fl_q=${fl_q#* }
		fl_all="$fl_all $fl_f"
		for fl_t in $(sed -n 's/^\(clone\|clone3\|fork\|vfork\)(.* = \([0-9][0-9]*\)$/\2/p' "$fl_f"); do
			[ -f "${fl_f%.*}.$fl_t" ] && fl_q="$fl_q${fl_f%.*}.$fl_t "
		done
	done
	echo $fl_all
}

# kargs: the -k arguments for every key in $keys and the -m arguments for
# every MAC key in $macs (LABEL=FILE words).
kargs() {
	for ka in $keys; do
		printf -- '-k %s=%s ' "${ka%%=*}" "$T_TMP/${ka#*=}"
	done
	for ka in $macs; do
		printf -- '-m %s=%s ' "${ka%%=*}" "$T_TMP/${ka#*=}"
	done
}

# clean NAME PROC: the search over PROC's traces finds nothing.
clean() {
	cl_files=$(files "$1" "$2")
	[ -n "$cl_files" ] || { echo "# no trace of $2"; return 1; }
	# shellcheck disable=SC2046
	"$scan" -v $(kargs) $cl_files >"$T_TMP/$1.$2.scan" 2>&1
	cl_rc=$?
	grep '^found' "$T_TMP/$1.$2.scan" | head -20 | sed 's/^/# /'
	[ $cl_rc -eq 0 ] || { tail -1 "$T_TMP/$1.$2.scan" | sed 's/^/# /'; }
	[ $cl_rc -eq 0 ]
}

# traffic NAME PROC PATTERN...: PROC read and wrote bytes on a stream
# whose name starts with each PATTERN (from the scan clean just made).
traffic() {
	tf_n=$1 tf_p=$2
	shift 2
	for tf_s in "$@"; do
		if ! grep -q "^stream [^ ]* $tf_s[^ ]* read [1-9]" \
		    "$T_TMP/$tf_n.$tf_p.scan" ||
		    ! grep -q "^stream [^ ]* $tf_s[^ ]* write [1-9]" \
		    "$T_TMP/$tf_n.$tf_p.scan"; then
			echo "# $tf_p: no traffic both ways on $tf_s"
			return 1
		fi
	done
	return 0
}

# found NAME PROC LABEL: the search over PROC's traces finds key LABEL.
found() {
	# shellcheck disable=SC2046
	"$scan" $(kargs) $(files "$1" "$2") >"$T_TMP/$1.$2.$3.scan" 2>&1
	grep -q "^found $3 " "$T_TMP/$1.$2.$3.scan"
}

# no_key_fd NAME PROC: PROC never opened, read or was sent a descriptor
# of a key file (the -yy paths in the call lines, not the data).
no_key_fd() {
	for nk in $keys $macs; do
		if grep -v '^ [|*] ' $(files "$1" "$2") |
		    grep -qF "$T_TMP/${nk#*=}"; then
			echo "# $2 had a descriptor of ${nk#*=}"
			return 1
		fi
	done
	return 0
}

# leaves NAME...: the certificate NAME.crt is for the key NAME.key.
leaves() {
	for lv in "$@"; do
		[ "$(openssl x509 -in "$T_TMP/$lv.crt" -noout -pubkey 2>/dev/null)" = \
		    "$(openssl pkey -in "$T_TMP/$lv.key" -pubout 2>/dev/null)" ] ||
		    { echo "# $lv.crt is not for $lv.key"; return 1; }
	done
	return 0
}

# checks NAME WHAT: what every run must show.
checks() {
	ck_n=$1 ck_w=$2
	shift 2
	for ck_p in netproc keyproc challenged; do
		check "$ck_w: $ck_p found in the traces" \
		    test -n "$(files "$ck_n" $ck_p)"
	done
	check "$ck_w: nothing netproc reads or writes holds a private key" \
	    clean "$ck_n" netproc
	check "$ck_w: netproc's traffic seen with the parent, keyproc, challenged, Pebble" \
	    traffic "$ck_n" netproc '3<UNIX' '4<UNIX' '5<UNIX' \
	    '[0-9]*<TCP:\[127.0.0.1:[0-9]*->127.0.0.1:14600\]'
	check "$ck_w: nothing challenged reads or writes holds a private key" \
	    clean "$ck_n" challenged
	check "$ck_w: challenged's traffic seen with netproc and Pebble" \
	    traffic "$ck_n" challenged '4<UNIX' '[0-9]*<TCP:'
	check "$ck_w: netproc never had a key file's descriptor" \
	    no_key_fd "$ck_n" netproc
	check "$ck_w: challenged never had a key file's descriptor" \
	    no_key_fd "$ck_n" challenged
	for ck_k in $keys $macs; do
		check "$ck_w: the same search finds ${ck_k%%=*} in keyproc's traffic" \
		    found "$ck_n" keyproc "${ck_k%%=*}"
	done
}

# Keys made by openssl, for the second run and to show first that the
# search recognizes each encoding in a traced pipe.
(
	umask 077
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$T_TMP/ossl-account.key" &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$T_TMP/ossl-ec.example.org.key" &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$T_TMP/ossl-rsa.example.org.key"
) >/dev/null 2>&1 || notok "openssl makes the keys"
keys="ec=ossl-ec.example.org.key rsa=ossl-rsa.example.org.key"
# An external account MAC key, as an authority hands it out.
(umask 077; openssl rand 48 | base64 -w0 | tr '+/' '-_' | tr -d '=' \
    >"$T_TMP/eab.mac")
macs="mac=eab.mac"
mkdir -p "$T_TMP/self"
(
	cd "$T_TMP" || exit 1
	for k in ossl-ec.example.org.key ossl-rsa.example.org.key; do
		cat "$k"
		openssl pkey -in "$k" -outform DER
		openssl pkcs8 -topk8 -nocrypt -in "$k" -outform DER
		openssl pkey -in "$k" -noout -text
		openssl pkey -in "$k" -outform DER | base64 -w0 | tr '+/' '-_'
		openssl pkey -in "$k" -traditional
		# shellcheck disable=SC2059
		printf "$(openssl pkey -in "$k" -outform DER | od -An -v -to1 |
		    tr -s ' \n' '\n\n' | grep . | tac | sed 's/^/\\/' |
		    tr -d '\n')"
	done
	cat eab.mac
	base64 -d <<-EOB 2>/dev/null
	$(tr -- '-_' '+/' <eab.mac)==
	EOB
) >"$T_TMP/self/encodings" 2>/dev/null
timeout -k 5 20 strace -f -ff -qq -yy -s 16 -o "$T_TMP/self/t" \
    -e trace="$calls" -e read=all -e write=all \
    cat "$T_TMP/self/encodings" >/dev/null
# shellcheck disable=SC2046
"$scan" $(kargs) "$T_TMP/self"/t.* >"$T_TMP/self.scan" 2>&1
for e in 'traditional DER' 'PKCS#8 DER' 'PEM line' 'big-endian' \
    'little-endian' 'hex' 'base64 at' 'base64url at'; do
	check "the search finds the keys as $e in a traced pipe" sh -c \
	    "grep -q '^found ec .*$e' '$T_TMP/self.scan' &&
	    grep -q '^found rsa .*$e' '$T_TMP/self.scan'"
done
for e in 'MAC key text' 'MAC key big-endian'; do
	check "the search finds the MAC key as $e in a traced pipe" \
	    grep -q "^found mac $e" "$T_TMP/self.scan"
done
macs=""

# 1. Keys acmed makes: ECDSA account and domain key, RSA domain key.
conf=$T_TMP/gen.conf
t_conf "$conf"
t_domain "$conf" gen-ec.example.org
t_domain "$conf" gen-rsa.example.org rsa
keys="account=account.key ec-domain=gen-ec.example.org.key"
keys="$keys rsa-domain=gen-rsa.example.org.key"
check "acmed's own keys: issuance under strace exits 0" traced gen "$conf"
check "acmed's own keys: both certificates issued for them" \
    leaves gen-ec.example.org gen-rsa.example.org
checks gen "acmed's own keys"

# 2. The keys made by openssl.
keys="account=ossl-account.key ec-domain=ossl-ec.example.org.key"
keys="$keys rsa-domain=ossl-rsa.example.org.key"
sums=$(cd "$T_TMP" && md5sum ossl-*.key)
conf=$T_TMP/ossl.conf
t_conf "$conf"
sed -i "s|$T_TMP/account.key|$T_TMP/ossl-account.key|; s|$T_TMP/state|$T_TMP/ossl-state|" \
    "$conf"
t_domain "$conf" ossl-ec.example.org
t_domain "$conf" ossl-rsa.example.org "rsa 2048"
check "openssl's keys: issuance under strace exits 0" traced ossl "$conf"
check "openssl's keys: certificates issued for them" \
    leaves ossl-ec.example.org ossl-rsa.example.org
check "openssl's keys: the key files are unchanged" sh -c \
    "[ \"\$(cd '$T_TMP' && md5sum ossl-*.key)\" = '$sums' ]"
checks ossl "openssl's keys"

# 3. An external account binding: Pebble again, now requiring one.  The
# MAC key must be in keyproc's traffic (it reads the file) and nowhere in
# netproc's or challenged's.
"$TOP/regress/pebble.sh" stop "$T_PEBBLE_DIR" >/dev/null 2>&1
PEBBLE_EAB="kid-nokeys:$(cat "$T_TMP/eab.mac")" t_pebble 14600 ||
    notok "pebble starts requiring external account binding"
keys="account=eab-account.key"
macs="mac=eab.mac"
conf=$T_TMP/eab.conf
t_conf "$conf"
sed -i "s|$T_TMP/account.key\"|$T_TMP/eab-account.key\"\\
	external account \"kid-nokeys\" key \"$T_TMP/eab.mac\"|; s|$T_TMP/state|$T_TMP/eab-state|" \
    "$conf"
t_domain "$conf" eab-ec.example.org
check "external account binding: the configuration has it" \
    grep -q 'external account "kid-nokeys"' "$conf"
check "external account binding: issuance under strace exits 0" \
    traced eab "$conf"
check "external account binding: the account was registered with it" \
    grep -q 'registered account' "$T_TMP/eab.out"
checks eab "external account binding"

t_done
