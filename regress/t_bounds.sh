#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# The message contract seen from the configuration: every value of
# acmed.conf that travels to a child in a message has one bound, named in
# common/msg.h (or acmed/config_priv.h for a block's name).  At its bound
# acmed -n accepts it and a daemon issues with every such value at its
# bound at once, against Pebble, the child reading each without dying;
# one byte more is refused by acmed -n with file:line and the field.
. "$(dirname "$0")/lib.sh"
t_users

# bound NAME [FILE]: the number a #define in a header gives.
bound() {
	sed -n "s/^#define $1[[:space:]][[:space:]]*\([0-9][0-9]*\).*/\1/p" \
	    "$TOP/${2:-common/msg.h}"
}
# pad N [CHAR]: N bytes of CHAR (default a).
pad() {
	head -c "$1" /dev/zero | tr '\0' "${2:-a}"
}
# dnsname N: a name of N bytes (N >= 12) in labels of at most 63 bytes,
# under example.org.
dnsname() {
	dn_left=$(($1 - 12)) dn_out=
	while [ "$dn_left" -gt 0 ]; do
		dn_l=$dn_left
		[ "$dn_l" -gt 63 ] && dn_l=63
		# a label and its dot, unless the dot would make it too long
		if [ "$dn_left" -gt "$dn_l" ] && [ $((dn_left - dn_l)) -lt 2 ]; then
			dn_l=$((dn_l - 2))
		fi
		dn_out="$dn_out$(pad "$dn_l" "${2:-n}")"
		dn_left=$((dn_left - dn_l))
		if [ "$dn_left" -gt 0 ]; then
			dn_out="$dn_out."
			dn_left=$((dn_left - 1))
		fi
	done
	echo "${dn_out}.example.org"
}

url_max=$(bound MSG_URL_MAX)
contact_max=$(bound MSG_CONTACT_MAX)
kid_max=$(bound MSG_EAB_KID_MAX)
chain_max=$(bound MSG_CHAIN_NAME_MAX)
name_max=$(bound MSG_NAME_MAX)
names_count=$(bound MSG_NAMES_COUNT)
handle_max=$(bound CONF_MAX_HANDLE acmed/config_priv.h)
for v in "$url_max" "$contact_max" "$kid_max" "$chain_max" "$name_max" \
    "$names_count" "$handle_max"; do
	[ -n "$v" ] || { notok "the bounds are read from the headers"; t_done;
	    exit 1; }
done
ok "the bounds are read from the headers (url $url_max, contact" \
    "$contact_max, key id $kid_max, chain $chain_max, name $name_max," \
    "block name $handle_max)"

k=$(openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
kid=$(pad "$kid_max" k)
# Pebble's resolver cannot look up names of 253 bytes ("dns: buffer size
# too small"): its validations are taken as passed, and what is tested
# here is what the processes tell each other.
PEBBLE_EXTRA_ENV="PEBBLE_VA_ALWAYS_VALID=1" PEBBLE_EAB="$kid:$k" \
    t_pebble 16400 || { notok "pebble starts"; t_done; exit 1; }
ok "pebble starts (external account binding required)"
umask 077
printf '%s\n' "$k" >"$T_TMP/eab.key"
umask 022

# The values at their bounds.  The API URL is Pebble's with a query that
# Pebble ignores; the contact a long local part.
q="?pad="
api="$PEBBLE_URL$q$(pad $((url_max - ${#PEBBLE_URL} - ${#q})))"
at="@example.org"
contact="mailto:$(pad $((contact_max - 7 - ${#at})))$at"
chain=$(pad "$chain_max" c)
auth=$(pad "$handle_max" A)
dom=$(pad "$handle_max" D)
name=$(dnsname "$name_max")
vhost=$(dnsname "$name_max" v)

# conf FILE [FIELD VALUE]: a configuration with every value at its bound,
# but FIELD, which gets VALUE.
conf() {
	c_f=$1 c_field=${2:-} c_v=${3:-}
	c_auth=$auth c_api=$api c_contact=$contact c_kid=$kid c_chain=$chain
	c_dom=$dom c_name=$name c_vhost=$vhost
	case "$c_field" in
	auth) c_auth=$c_v ;; api) c_api=$c_v ;; contact) c_contact=$c_v ;;
	kid) c_kid=$c_v ;; chain) c_chain=$c_v ;; dom) c_dom=$c_v ;;
	name) c_name=$c_v ;; vhost) c_vhost=$c_v ;;
	esac
	cat >"$c_f" <<EOC
listen on 127.0.0.1 port $T_HTTP_PORT
state directory "$T_TMP/state"
authority $c_auth {
	api url "$c_api"
	api ca "$PEBBLE_CA"
	account key "$T_TMP/account.key"
	contact "$c_contact"
	external account "$c_kid" key "$T_TMP/eab.key"
}
domain $c_dom {
	domain name "$c_name"
	alternative names { $alts }
	domain key "$T_TMP/d.key"
	domain certificate "$T_TMP/d.crt"
	domain chain certificate "$T_TMP/d.chain"
	domain full chain certificate "$T_TMP/d.full"
	preferred chain "$c_chain"
	reload "/bin/true"
	verify "$c_vhost" port 9
	sign with $c_auth
}
EOC
}

# As many names of the longest length as a certificate may have.
long=$(dnsname "$name_max" m)
alts=
i=1
while [ "$i" -lt "$names_count" ]; do
	alts="$alts $(printf '%s' "$long" | sed "s/^..../n$(printf %03d $i)/")"
	i=$((i + 1))
done
check "the names are distinct and each $name_max bytes long" sh -c \
    "n=\$(printf '%s\n' $alts $name | sort -u | awk 'length == $name_max' |
    wc -l); [ \"\$n\" -eq $names_count ]"

conf "$T_TMP/max.conf"
check "acmed -n accepts every value at its bound" \
    "$ACMED" -n -f "$T_TMP/max.conf"

# one_over FIELD VALUE WORDS: acmed -n refuses VALUE, a byte over its
# bound, naming the file, the line and WORDS.
one_over() {
	oo_f=$T_TMP/over-$1.conf
	conf "$oo_f" "$1" "$2"
	if "$ACMED" -n -f "$oo_f" >"$T_TMP/over.out" 2>&1; then
		notok "$1 a byte over its bound: acmed -n refuses it"
		return
	fi
	oo_line=$(grep -n -- "$4" "$oo_f" | head -1 | cut -d: -f1)
	check "$1 a byte over its bound: refused at $oo_f:$oo_line ($3)" \
	    grep -q "^$oo_f:$oo_line: .*$3" "$T_TMP/over.out" ||
	    sed 's/^/# /' "$T_TMP/over.out" | cut -c1-200
}
one_over auth "${auth}A" "at most $handle_max bytes" "^authority "
one_over api "${api}a" "api url .*: longer than $url_max bytes" "api url"
one_over contact "mailto:a$(pad $((contact_max - 7 - ${#at})))$at" \
    "contact .*: longer than $contact_max bytes" "contact"
one_over kid "${kid}k" "1 to $kid_max bytes" "external account"
one_over chain "${chain}c" "preferred chain .*: longer than $chain_max bytes" \
    "preferred chain"
one_over dom "${dom}D" "at most $handle_max bytes" "^domain $dom"
one_over name "a$name" "longer than $name_max characters" "domain name"
one_over vhost "a$vhost" "longer than $name_max characters" "verify"

# The daemon, every value at its bound: issues, installs, reloads,
# verifies; no child dies.
"$ACMED" -d -v -f "$T_TMP/max.conf" >"$T_TMP/daemon.log" 2>&1 &
pid=$!
t_at_exit "kill $pid 2>/dev/null"
installed() {
	test -s "$T_TMP/d.full" &&
	    ! openssl x509 -in "$T_TMP/d.crt" -noout -issuer 2>/dev/null |
	    grep -q "$name"
}
check "the daemon issues with every value at its bound" wait_for 120 \
    t_verify d
verified() {
	grep -q "$vhost:9: .*(check 1 of" "$T_TMP/daemon.log"
}
check "the deployment check of a $name_max-byte host is made" \
    wait_for 30 verified
check "the leaf names all $names_count names" sh -c \
    "[ \$(openssl x509 -in '$T_TMP/d.crt' -noout -ext subjectAltName |
    tr ',' '\n' | grep -c DNS:) -eq $names_count ]"
check "the preferred chain reached netproc (default chain used)" \
    grep -q "no chain issued by \"$chain\"" "$T_TMP/daemon.log"
check "the account was registered with the external account" \
    grep -q "registered account" "$T_TMP/daemon.log"
check "no child died or refused a message" sh -c \
    "! grep -Eq 'exited with status|killed by signal|malformed|not sent' \
    '$T_TMP/daemon.log'"
kill "$pid"
wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
check "the daemon stops" sh -c "! kill -0 $pid 2>/dev/null"
grep -E 'warn|error|fail' "$T_TMP/daemon.log" | head -5 | cut -c1-200 |
    sed 's/^/# /'
t_done
