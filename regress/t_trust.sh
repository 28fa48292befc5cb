#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Files a local user can change do not steer the root parent (acmed.conf(5),
# SECURITY).  Each attack is made for real by nobody (setpriv), on files
# under $T_TMP, and met by acmed -n, the daemon's start, SIGHUP, and one
# pass (acmed -o) against Pebble on loopback (ports 16000-16006) where the
# effect needs a CA: configuration and included files, keys, group-readable
# keys, a FIFO and a link at a certificate path, the state directory, a
# pid file, programs, acmed -n run by nobody, the directories the start
# makes in the state directory and the CA files.  Every wait is bounded.
. "$(dirname "$0")/lib.sh"
t_users
t_pebble 16000 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts"

out=$T_TMP/out
log=$T_TMP/log

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# check_n DESCRIPTION FILE TEXT: acmed -n refuses FILE, saying TEXT.
check_n() {
	"$ACMED" -n -f "$2" >"$out" 2>&1
	cn_rc=$?
	if [ "$cn_rc" -eq 1 ] && grep -qF -- "$3" "$out"; then
		ok "$1"
	else
		notok "$1 (status $cn_rc)"
		sed 's/^/#   /' "$out"
	fi
}

# check_start DESCRIPTION FILE TEXT: the daemon, started on FILE, exits 1
# within 10 s saying TEXT (one that keeps running is stopped).
check_start() {
	"$ACMED" -d -f "$2" >"$out" 2>&1 &
	cs_pid=$!
	if wait_for 10 sh -c "! kill -0 $cs_pid 2>/dev/null"; then
		wait "$cs_pid"
		cs_rc=$?
	else
		kill "$cs_pid"
		wait "$cs_pid"
		cs_rc=running
	fi
	if [ "$cs_rc" = 1 ] && grep -qF -- "$3" "$out"; then
		ok "$1"
	else
		notok "$1 (status $cs_rc)"
		sed 's/^/#   /' "$out"
	fi
}

# domain FILE NAME KEY FULLCHAIN [LINES]: a domain block for Pebble.
domain() {
	cat >>"$1" <<EOC
domain $2 {
	domain key "$3"
	domain full chain certificate "$4"
	sign with pebble${5:+
$5}
}
EOC
}

# mkconf NAME [DOMAIN KEY FULLCHAIN]: $c is $T_TMP/NAME.conf, the global
# part for Pebble and, if given, one domain.
mkconf() {
	c=$T_TMP/$1.conf
	t_conf "$c"
	[ $# -lt 4 ] || domain "$c" "$2" "$3" "$4"
}

genkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1" 2>/dev/null
}

base=$T_TMP/base.conf
t_conf "$base"
domain "$base" a.trust.example.org "$T_TMP/a.key" "$T_TMP/a.full"
check "the base configuration is good" "$ACMED" -n -f "$base"

# 1. The configuration and what it includes.
c=$T_TMP/owned.conf
cp "$base" "$c"
chown nobody "$c"
as_nobody sh -c "echo 'event hook \"$T_TMP/evil.sh\"' >>'$c'"
check_n "-n: a configuration nobody owns (and wrote) is refused" "$c" \
    "$c: owned by uid 65534"
check_start "the daemon will not start on it" "$c" "$c: owned by uid 65534"

c=$T_TMP/group.conf
cp "$base" "$c"
chgrp nogroup "$c"
chmod 0664 "$c"
as_nobody sh -c "echo 'event hook \"$T_TMP/evil.sh\"' >>'$c'"
check_n "-n: mode 0664 with group nogroup (which wrote it) is refused" \
    "$c" "$c: writable by group (mode 0664)"
check_start "the daemon will not start on it" "$c" \
    "$c: writable by group (mode 0664)"

mkconf main
echo "include \"inc.conf\"" >>"$c"
domain "$T_TMP/inc.conf" a.trust.example.org "$T_TMP/a.key" "$T_TMP/a.full"
chown nobody "$T_TMP/inc.conf"
as_nobody sh -c "echo 'event hook \"$T_TMP/evil.sh\"' >>'$T_TMP/inc.conf'"
check_n "-n: an included file nobody owns is refused at its include line" \
    "$c" "$c:8: include \"$T_TMP/inc.conf\": owned by uid 65534"
check_start "the daemon will not start on it, file:line said" "$c" \
    "$c:8: include \"$T_TMP/inc.conf\": owned by uid 65534"

mkdir "$T_TMP/cdir"
cp "$base" "$T_TMP/cdir/acmed.conf"
chown nobody "$T_TMP/cdir"
check_n "-n: root's file in a directory nobody owns is refused" \
    "$T_TMP/cdir/acmed.conf" "directory $T_TMP/cdir is owned by uid 65534"
as_nobody sh -c "cd '$T_TMP/cdir' && cp acmed.conf new &&
    echo 'event hook \"$T_TMP/evil.sh\"' >>new && mv -f new acmed.conf"
check_n "-n: the file nobody put in its place is refused" \
    "$T_TMP/cdir/acmed.conf" "directory $T_TMP/cdir is owned by uid 65534"
check_start "the daemon will not start on it" "$T_TMP/cdir/acmed.conf" \
    "directory $T_TMP/cdir is owned by uid 65534"

# SIGHUP with an included file nobody took over: the running
# configuration stays.
mkconf hup
sed -i "s|$T_TMP/state|$T_TMP/hupstate|" "$c"
echo "include \"hupinc.conf\"" >>"$c"
domain "$T_TMP/hupinc.conf" h.trust.example.org "$T_TMP/h.key" \
    "$T_TMP/h.full"
"$ACMED" -d -f "$c" >"$log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
check "the daemon runs on a good configuration" \
    wait_for 20 grep -q 'h.trust.example.org: certificate issued' "$log"
chown nobody "$T_TMP/hupinc.conf"
domain "$T_TMP/evil.conf" evil.trust.example.org "$T_TMP/evil.key" \
    "$T_TMP/evil.full"
as_nobody sh -c "cat '$T_TMP/evil.conf' >>'$T_TMP/hupinc.conf'"
kill -HUP "$dpid"
wait_for 10 grep -qE 'keeping the running configuration|configuration reloaded' "$log"
check "SIGHUP: the running configuration is kept" \
    grep -q "has errors: keeping the running configuration" "$log"
check "SIGHUP: the log says which file and why, at the include line" \
    grep -qF "$c:8: include \"$T_TMP/hupinc.conf\": owned by uid 65534" "$log"
kill -USR1 "$dpid"
wait_for 10 grep -q 'checking every certificate now' "$log"
check "SIGHUP: nobody's domain was not taken up" sh -c \
    "! grep -q evil.trust '$log' && ! grep -q evil.trust '$T_TMP/hupstate/status.json' && [ ! -e '$T_TMP/evil.key' ]"
kill "$dpid"
wait_for 10 sh -c "! kill -0 $dpid 2>/dev/null"

# 2. Keys.
mkdir -m 0777 "$T_TMP/keys"
mkconf keys k.trust.example.org "$T_TMP/keys/k.key" "$T_TMP/k.full"
(umask 077; genkey "$T_TMP/keys/k.key")
as_nobody sh -c "umask 077; openssl genpkey -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -out '$T_TMP/keys/mine' 2>/dev/null &&
    mv -f '$T_TMP/keys/mine' '$T_TMP/keys/k.key'"
check "nobody replaced root's 0600 key in a directory it can write" \
    test "$(stat -c '%U %a' "$T_TMP/keys/k.key")" = "nobody 600"
check_n "-n: the key is refused, its directory named" "$c" \
    "$c:9: domain k.trust.example.org: domain key $T_TMP/keys/k.key: directory $T_TMP/keys is writable by others (mode 0777)"
"$ACMED" -o -d -f "$c" >"$out" 2>&1
check "acmed -o refuses it" [ $? -eq 1 ]
check "no certificate was issued for nobody's key" test ! -e "$T_TMP/k.full"

chmod 0755 "$T_TMP/keys"
check_n "-n: in a good directory, nobody's key is still refused" "$c" \
    "domain key $T_TMP/keys/k.key: owned by uid 65534"

mkdir -m 1777 "$T_TMP/sticky"
mkconf sticky s.trust.example.org "$T_TMP/sticky/s.key" "$T_TMP/s.full"
"$ACMED" -o -d -f "$c" >"$out" 2>&1
rc=$?
check "a key root owns in a root-owned sticky directory: accepted" \
    sh -c "[ $rc -eq 0 ] && test -s '$T_TMP/s.full'"
check_not "and nobody cannot replace it there" as_nobody sh -c \
    "echo x >'$T_TMP/sticky/x' && mv -f '$T_TMP/sticky/x' \
    '$T_TMP/sticky/s.key' 2>/dev/null"
check "the key is still root's" \
    test "$(stat -c %U "$T_TMP/sticky/s.key")" = root

# 3. A key its domain lets one group read.
mkdir "$T_TMP/g"
mkconf group-key
echo 'domain g.trust.example.org {' >>"$c"
echo "	domain key \"$T_TMP/g/g.key\" group nogroup" >>"$c"
echo "	domain full chain certificate \"$T_TMP/g.full\"" >>"$c"
echo '}' >>"$c"
"$ACMED" -o -d -f "$c" >"$out" 2>&1
rc=$?
check "group key: made and certified (acmed -o)" \
    sh -c "[ $rc -eq 0 ] && test -s '$T_TMP/g.full'"
check "group key: the new key is 0640 root:nogroup" \
    test "$(stat -c '%a %U %G' "$T_TMP/g/g.key")" = "640 root nogroup"
check "group key: a member of the group reads it" \
    as_nobody sh -c "cat '$T_TMP/g/g.key' >/dev/null"
check "group key: 0640 root:nogroup accepted by -n" "$ACMED" -n -f "$c"
chgrp daemon "$T_TMP/g/g.key"
check_n "group key: 0640 with another group refused" "$c" \
    "$c:9: domain g.trust.example.org: domain key $T_TMP/g/g.key: readable by group daemon, not nogroup (mode 0640)"
chgrp nogroup "$T_TMP/g/g.key"
chmod 0644 "$T_TMP/g/g.key"
check_n "group key: 0644 refused" "$c" \
    "domain key $T_TMP/g/g.key: group or others may use it (mode 0644)"
chmod 0640 "$T_TMP/g/g.key"
sed -i 's/ group nogroup$//' "$c"
check_n "without group, 0640 is refused" "$c" \
    "group or others may use it (mode 0640)"

# 4. What sits at a certificate path.
mkconf fifo f.trust.example.org "$T_TMP/f.key" "$T_TMP/f.full"
mkfifo "$T_TMP/f.full"
"$ACMED" -d -f "$c" >"$log" 2>&1 &
dpid=$!
t_at_exit "kill $dpid 2>/dev/null"
refusal="f.trust.example.org: certificate not issued: domain full chain certificate $T_TMP/f.full: not a regular file (a FIFO): neither read nor replaced"
check "FIFO: the daemon starts and logs the refusal" \
    wait_for 10 grep -qF "$refusal" "$log"
kill -USR1 "$dpid"
check "FIFO: the daemon answers SIGUSR1" \
    wait_for 10 grep -q 'checking every certificate now' "$log"
check "FIFO: and refuses again" wait_for 10 sh -c \
    "[ \$(grep -cF '$refusal' '$log') -ge 2 ]"
check "FIFO: the daemon still runs" kill -0 "$dpid"
kill -TERM "$dpid"
check "FIFO: the daemon answers SIGTERM" \
    wait_for 10 sh -c "! kill -0 $dpid 2>/dev/null"
wait "$dpid"
check "FIFO: it exits 0" [ $? -eq 0 ]
check "FIFO: still a FIFO, not replaced" test -p "$T_TMP/f.full"

# A link at a certificate path to a certificate nobody made: if acmed read
# it, it would take it as issued and valid for ten years.
mkdir "$T_TMP/nob"
chown nobody "$T_TMP/nob"
as_nobody openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout "$T_TMP/nob/l.key" -out "$T_TMP/nob/l.pem" -days 3650 \
    -subj /CN=l.trust.example.org \
    -addext subjectAltName=DNS:l.trust.example.org >/dev/null 2>&1
cp "$T_TMP/nob/l.pem" "$T_TMP/l.pem.orig"
ln -s "$T_TMP/nob/l.pem" "$T_TMP/l.full"
mkconf link l.trust.example.org "$T_TMP/l.key" "$T_TMP/l.full"
"$ACMED" -n -f "$c" >"$out" 2>&1
check "link: -n warns, and names what the daemon does" grep -qF \
    "domain full chain certificate $T_TMP/l.full: a symbolic link: acmed neither reads nor replaces it" "$out"
"$ACMED" -o -d -v -f "$c" >"$out" 2>&1
check "link: not taken as issued: acmed -o fails" [ $? -eq 1 ]
check "link: the refusal is logged with the domain and the path" grep -qF \
    "l.trust.example.org: certificate not issued: domain full chain certificate $T_TMP/l.full: a symbolic link" "$out"
check "link: left in place, nobody's file untouched" sh -c \
    "test -L '$T_TMP/l.full' && cmp -s '$T_TMP/nob/l.pem' '$T_TMP/l.pem.orig'"

# 5. A state directory reached through nobody's link.
mkdir "$T_TMP/victim" "$T_TMP/nobst"
chown nobody "$T_TMP/nobst"
as_nobody ln -s "$T_TMP/victim" "$T_TMP/nobst/state"
mkconf state a.trust.example.org "$T_TMP/a.key" "$T_TMP/a.full"
sed -i "s|\"$T_TMP/state\"|\"$T_TMP/nobst/state\"|" "$c"
check_n "state directory through nobody's link: -n refuses" "$c" \
    "$c:2: state directory $T_TMP/nobst/state: directory $T_TMP/nobst is owned by uid 65534"
check_start "the daemon will not start" "$c" \
    "state directory $T_TMP/nobst/state: directory $T_TMP/nobst is owned by uid 65534"
check "nothing was made where the link points" \
    test -z "$(ls -A "$T_TMP/victim")"

# 6. A pid file and a program that change hands after the file was read:
# the event hook (root's) gives them to nobody, who writes them, before
# the reload actions run.
mkdir "$T_TMP/run" "$T_TMP/bin"
: >"$T_TMP/run/svc.pid"
: >"$T_TMP/run/self.pid"
printf '#!/bin/sh\necho reloaded >>"%s/reloaded"\n' "$T_TMP" \
    >"$T_TMP/bin/reload.sh"
chmod 0755 "$T_TMP/bin/reload.sh"
sleep 300 &
victim=$!
t_at_exit "kill $victim 2>/dev/null"
cat >"$T_TMP/hook.sh" <<EOH
#!/bin/sh
[ "\$1" = issued ] || exit 0
case "\$ACMED_DOMAIN" in
p.trust.example.org)
	chown nobody "$T_TMP/run/svc.pid" "$T_TMP/bin/reload.sh"
	setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c \
	    'echo $victim >"$T_TMP/run/svc.pid";
	    printf "#!/bin/sh\\ntouch $T_TMP/pwned\\n" >"$T_TMP/bin/reload.sh"'
	;;
q.trust.example.org)
	echo "\$PPID" >"$T_TMP/run/self.pid"
	;;
esac
EOH
chmod 0755 "$T_TMP/hook.sh"
mkconf pid
echo "event hook \"$T_TMP/hook.sh\"" >>"$c"
domain "$c" p.trust.example.org "$T_TMP/p.key" "$T_TMP/p.full" \
    "	reload signal HUP pid file \"$T_TMP/run/svc.pid\"
	reload \"$T_TMP/bin/reload.sh\""
domain "$c" q.trust.example.org "$T_TMP/q.key" "$T_TMP/q.full" \
    "	reload signal HUP pid file \"$T_TMP/run/self.pid\""
check "pid file and program still root's: -n accepts" "$ACMED" -n -f "$c"
"$ACMED" -o -d -f "$c" >"$out" 2>&1
check "both certificates issued" \
    sh -c "test -s '$T_TMP/p.full' && test -s '$T_TMP/q.full'"
check "the pid file nobody wrote: the signal is not sent" \
    kill -0 "$victim"
check "and the log says why" grep -qF \
    "reload: pid file $T_TMP/run/svc.pid: owned by uid 65534: no signal sent" "$out"
check "the program nobody rewrote is not run" test ! -e "$T_TMP/pwned"
check "and the log says why" grep -qF \
    "p.trust.example.org: reload: $T_TMP/bin/reload.sh: owned by uid 65534: not run" "$out"
check "a pid file holding acmed's own pid: no signal" grep -qF \
    "is acmed itself: no signal sent" "$out"
check_n "-n: the pid file nobody owns is refused" "$c" \
    "reload signal pid file $T_TMP/run/svc.pid: owned by uid 65534"
check_n "-n: the program nobody owns is refused" "$c" \
    "reload $T_TMP/bin/reload.sh: owned by uid 65534"

# 7. The other files the configuration names, owned by nobody.
cp "$PEBBLE_CA" "$T_TMP/ca.pem"
chown nobody "$T_TMP/ca.pem"
mkconf ca
sed -i "s|\"$PEBBLE_CA\"|\"$T_TMP/ca.pem\"|" "$c"
check_n "-n: an api ca nobody owns is refused" "$c" \
    "$c:5: authority pebble: api ca $T_TMP/ca.pem: owned by uid 65534"
: >"$T_TMP/nobhook"
chown nobody "$T_TMP/nobhook"
as_nobody sh -c "printf '#!/bin/sh\n' >'$T_TMP/nobhook'; chmod 0755 '$T_TMP/nobhook'"
c=$T_TMP/hook.conf
cp "$base" "$c"
echo "event hook \"$T_TMP/nobhook\"" >>"$c"
check_n "-n: an event hook nobody owns is refused" "$c" \
    "event hook $T_TMP/nobhook: owned by uid 65534"
as_nobody sh -c "umask 077; openssl genpkey -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -out '$T_TMP/nob/acct.key' 2>/dev/null"
mkconf acct
sed -i "s|\"$T_TMP/account.key\"|\"$T_TMP/nob/acct.key\"|" "$c"
check_n "-n: an account key nobody owns is refused" "$c" \
    "account key $T_TMP/nob/acct.key: directory $T_TMP/nob is owned by uid 65534"
as_nobody sh -c "umask 077; echo c2VjcmV0 >'$T_TMP/nob/eab.key'"
mkconf eab
sed -i "s|^	account key .*|&\\
	external account \"kid\" key \"$T_TMP/nob/eab.key\"|" "$c"
check_n "-n: an external account key nobody owns is refused" "$c" \
    "external account key $T_TMP/nob/eab.key: directory $T_TMP/nob is owned by uid 65534"

# 8. acmed -n run by nobody: what it may not look at, it says.
mkdir -m 0700 "$T_TMP/private"
mkconf private a.trust.example.org "$T_TMP/private/a.key" "$T_TMP/a.full"
as_nobody "$ACMED" -n -f "$c" >"$out" 2>&1
check "-n as nobody: exits 0 when nothing it saw is wrong" [ $? -eq 0 ]
check "-n as nobody: names the key it could not check" grep -qF \
    "$c:9: warning: domain a.trust.example.org: domain key $T_TMP/private/a.key: not checked:" "$out"
check "-n as nobody: and says to check again as root" grep -q \
    "could not be checked as uid 65534 (see above): check again as root" "$out"
as_nobody "$ACMED" -n -f "$T_TMP/group.conf" >"$out" 2>&1
check "-n as nobody: still refuses what it can see" \
    grep -qF "writable by group (mode 0664)" "$out"

# 9. What the start makes in the state directory, and the system's CA
# file an authority without "api ca" uses: -n checks them as the start
# does.  A CA file may be a link of root's, as a system bundle is where
# the system builds it elsewhere.
mkconf sub a.trust.example.org "$T_TMP/a.key" "$T_TMP/a.full"
sed -i "s|\"$T_TMP/state\"|\"$T_TMP/st9\"|" "$c"
mkdir -p "$T_TMP/st9/retry"
chmod 0777 "$T_TMP/st9/retry"
check_n "-n: the state directory's retry/ writable by others is refused" \
    "$c" "$c:2: state directory $T_TMP/st9/retry: directory $T_TMP/st9/retry is writable by others (mode 0777)"
check_start "the daemon will not start on it" "$c" \
    "state directory $T_TMP/st9/retry: directory $T_TMP/st9/retry is writable by others (mode 0777)"
chmod 0700 "$T_TMP/st9/retry"
mkdir "$T_TMP/st9/netproc"
chown nobody "$T_TMP/st9/netproc"
check_n "-n: netproc's root in it owned by nobody is refused" "$c" \
    "$c:2: state directory $T_TMP/st9/netproc: directory $T_TMP/st9/netproc is owned by uid 65534"
check_start "the daemon will not start on it" "$c" \
    "state directory $T_TMP/st9/netproc: directory $T_TMP/st9/netproc is owned by uid 65534"
rm -rf "$T_TMP/st9"
check "-n: a state directory yet to be made passes" "$ACMED" -n -f "$c"

sysca=/etc/ssl/certs/ca-certificates.crt
if [ -f "$sysca" ]; then
	mkconf sysca
	sed -i '/api ca/d' "$c"
	check "-n: no api ca, the system's CA file as it is: accepted" \
	    "$ACMED" -n -f "$c"
	cp "$sysca" "$T_TMP/nobca.pem"
	chown nobody "$T_TMP/nobca.pem"
	# Where the system's CA file is nobody's: a mount namespace.
	unshare -m --propagation private sh -c \
	    'mount --bind "$0" "$1" && shift && exec "$@"' \
	    "$T_TMP/nobca.pem" "$sysca" "$ACMED" -n -f "$c" >"$out" 2>&1
	rc=$?
	check "-n: no api ca, the system's CA file nobody's: refused" sh -c \
	    "[ $rc -eq 1 ] && grep -qF '$c:3: authority pebble: CA file $sysca: owned by uid 65534' '$out'"
else
	ok "# skip no $sysca"
	ok "# skip no $sysca"
fi

mkconf calink a.trust.example.org "$T_TMP/a.key" "$T_TMP/a.full"
ln -s "$PEBBLE_CA" "$T_TMP/ca.link"
sed -i "s|\"$PEBBLE_CA\"|\"$T_TMP/ca.link\"|" "$c"
check "-n: an api ca that is a link of root's: accepted" "$ACMED" -n -f "$c"
"$ACMED" -o -d -f "$c" >"$out" 2>&1
check "acmed -o issues through the CA file the link names" \
    sh -c "[ $? -eq 0 ] && test -s '$T_TMP/a.full'"
chown -h nobody "$T_TMP/ca.link"
check_n "-n: an api ca that is nobody's link: refused" "$c" \
    "authority pebble: api ca $T_TMP/ca.link: $T_TMP/ca.link is a symbolic link owned by uid 65534"

t_done
