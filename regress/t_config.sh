#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# acmed.conf: "acmed -n" over the good and bad files in regress/conf, then
# macros, include depth, key and file modes, the 100-name limit and the
# dump read back.  A bad file lists what it must produce as lines
# "# expect: LINE: TEXT": the output must hold "FILE:LINE: ...TEXT...",
# or "# exact: LINE: TEXT": the output must hold the line "FILE:LINE: TEXT".
# The files are checked as copies in $T_TMP, which acmed trusts whoever
# owns the checkout.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

out=$T_TMP/out
conf=$T_TMP/conf
moved=$T_TMP/moved/nonexistent
t_conf_copy regress/conf "$conf"

# run_conf FILE: acmed -n on FILE, output in $out, status in $rc
run_conf() {
	"$ACMED" -n "$@" >"$out" 2>&1
	rc=$?
}

for f in "$conf"/good/*.conf; do
	run_conf -f "$f"
	if [ "$rc" -eq 0 ] && grep -q '^configuration OK$' "$out"; then
		ok "good: $f"
	else
		notok "good: $f (status $rc)"
		sed 's/^/#   /' "$out"
	fi
done

for f in "$conf"/bad/*.conf; do
	run_conf -f "$f"
	if [ "$rc" -ne 0 ] && ! grep -q 'configuration OK' "$out"; then
		ok "bad: $f refused"
	else
		notok "bad: $f refused (status $rc)"
	fi
	grep -E '^# (expect|exact): ' "$f" | while IFS= read -r line; do
		rest=${line#\# *: }
		n=${rest%%: *}
		text=${rest#*: }
		case "$line" in
		"# exact: "*) found() { grep -qxF -- "$f:$n: $text" "$out"; } ;;
		*) found() {
			grep -F -- "$f:$n: " "$out" | grep -qF -- "$text"
		} ;;
		esac
		if found; then
			echo "ok - $f:$n: $text"
		else
			echo "not ok - $f:$n: $text"
			sed 's/^/#   /' "$out"
		fi
	done >"$T_TMP/expect"
	# the loop ran in a subshell: count its lines here
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) notok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$T_TMP/expect"
done

# An unknown key type is the only error of its statement: the key stays.
run_conf -f "$conf"/bad/keytype.conf
check "unknown key type: the key is kept (no \"no domain key\")" \
    sh -c "grep -q 'unknown key type' '$out' && ! grep -q 'no domain key' '$out'"

# Every error on a line inside a block (its first line included, its
# closing line not) names the block: "authority NAME: ", "domain NAME: ",
# or "cluster: " for the block without a name.
# blocks FILE: "LINE KIND [NAME]" for each such line.
blocks() {
	awk '/^[ \t]*#/ { next }
	{
		start = depth
		opened = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "{" && depth++ == 0) {
				opened = 1
				kind = $1
				name = $2
				if (name ~ /^"/ && match($0, /"[^"]*"/))
					name = substr($0, RSTART + 1,
					    RLENGTH - 2)
				if (name == "{")
					name = ""
			} else if (c == "}")
				depth--
		}
		if (opened || (start > 0 && depth > 0))
			print NR, kind, name
	}' "$1"
}
for f in "$conf"/bad/*.conf; do
	run_conf -f "$f"
	blocks "$f" >"$T_TMP/blocks"
	while read -r n kind name; do
		if [ -z "$name" ]; then
			grep -F -- "$f:$n: " "$out" | grep -v ": warning: " |
			    grep -vF -e "$f:$n: $kind: " >>"$T_TMP/unnamed"
			continue
		fi
		grep -F -- "$f:$n: " "$out" | grep -v ": warning: " |
		    grep -vF -e "$f:$n: $kind $name: " \
		    -e "$f:$n: $kind \"$name\": " >>"$T_TMP/unnamed"
	done <"$T_TMP/blocks"
done
if [ -s "$T_TMP/unnamed" ]; then
	notok "every error inside a block names the block"
	sed 's/^/#   /' "$T_TMP/unnamed"
else
	ok "every error inside a block names the block"
fi

t_conf_copy etc/acmed.conf "$T_TMP/example.conf" /etc/acmed /etc/ssl
run_conf -f "$T_TMP/example.conf"
check "etc/acmed.conf is good" [ "$rc" -eq 0 ]

# The manual: clean for mandoc, and every keyword of the grammar in it.
if command -v mandoc >/dev/null 2>&1; then
	check "acmed.conf.5: mandoc -Tlint -Wwarning" \
	    mandoc -Tlint -Wwarning acmed/acmed.conf.5
fi
sed -n 's/^	{ "\([a-z]*\)",.*/\1/p' acmed/parse.y >"$T_TMP/keywords"
missing=""
while read -r kw; do
	grep -Eq "^\.(Ic|It Ic|Cm|It Cm)( .*)? $kw( |$)" acmed/acmed.conf.5 ||
	    grep -Eq "^\.(Ic|It Ic|Cm).* $kw( |$)" acmed/acmed.conf.5 ||
	    missing="$missing $kw"
done <"$T_TMP/keywords"
check "acmed.conf.5 documents every keyword ($(wc -l <"$T_TMP/keywords") keywords)${missing:+, missing:$missing}" \
    test -z "$missing" -a -s "$T_TMP/keywords"

# An error on the first line of a block leaves the rest of the block to
# read, and the next line's error is told too: nothing else follows.
cat >"$T_TMP/first.conf" <<EOC
authority le {
	colour "blue"
	api url "https://acme.example/dir"
}
domain example.com {
	frobnicate
	flavour "x"
	domain key "$T_TMP/first.key"
	domain certificate "$T_TMP/first.crt"
}
EOC
run_conf -f "$T_TMP/first.conf"
sed "s|^$T_TMP/first.conf:||" "$out" >"$T_TMP/first.out"
cat >"$T_TMP/first.want" <<EOC
2: authority le: unknown keyword "colour"
6: domain example.com: unknown keyword "frobnicate"
7: domain example.com: unknown keyword "flavour"
EOC
if cmp -s "$T_TMP/first.out" "$T_TMP/first.want"; then
	ok "an error on a block's first line: the block is read on"
else
	notok "an error on a block's first line: the block is read on"
	sed 's/^/#   /' "$out"
fi

# Every keyword is in a statement the hints know (config_msg.c), or is a
# value's: a new statement must be added there too.
sed -n 's/^	{ "\([a-z ]*\)",[	 ]*CONF_BLOCK_.*/\1/p' acmed/config_msg.c |
    tr ' ' '\n' | LC_ALL=C sort -u >"$T_TMP/phrase-words"
unhinted=$(printf '%s\n' ecdsa rsa group port pid file |
    LC_ALL=C sort -u - "$T_TMP/phrase-words" |
    LC_ALL=C comm -23 "$T_TMP/keywords" -)
check "every keyword is in a statement the hints know${unhinted:+, not:$unhinted}" \
    test -z "$unhinted" -a -s "$T_TMP/phrase-words"

# Every error, not only the first: a file with several mistakes reports
# each on its own line.
run_conf -f "$conf"/bad/relative.conf
n=$(grep -c ': not an absolute path' "$out")
check "every error is reported ($n of 10)" [ "$n" -eq 10 ]

# Errors in the order of the file, whichever check finds them (the
# statement, the end of its block, the whole file, the directories): by
# line, an included file's at the line of its include.
mkdir -p "$T_TMP/order"
cat >"$T_TMP/order/main.conf" <<EOC
authority le {
	api url "https://acme.example/dir"
	account key "$T_TMP/order/none/le.key"
}
include "inc.conf"
domain a.example.com {
	sign with nope
	domain key "$T_TMP/order/a.key"
	domain certificate "$T_TMP/order/none/a.crt"
}
frobnicate
EOC
cat >"$T_TMP/order/inc.conf" <<EOC
domain b.example.com {
	domain certificate "$T_TMP/order/none/b.crt"
}
EOC
run_conf -f "$T_TMP/order/main.conf"
sed -E 's|^[^ ]*/order/([a-z]*\.conf:[0-9]*):.*|\1|' "$out" \
    >"$T_TMP/order/got"
printf '%s\n' main.conf:3 inc.conf:1 inc.conf:2 main.conf:7 main.conf:9 \
    main.conf:11 >"$T_TMP/order/want"
if cmp -s "$T_TMP/order/got" "$T_TMP/order/want"; then
	ok "errors in the order of the file, includes at their line"
else
	notok "errors in the order of the file, includes at their line"
	sed 's/^/#   /' "$out"
fi

# The dump is acmed.conf again: reading it back gives the same dump.
for f in "$conf"/good/*.conf; do
	"$ACMED" -n -v -f "$f" 2>/dev/null | sed 1d >"$T_TMP/dump1.conf"
	"$ACMED" -n -v -f "$T_TMP/dump1.conf" 2>/dev/null | sed 1d \
	    >"$T_TMP/dump2.conf"
	check "dump of $f reads back the same" \
	    cmp -s "$T_TMP/dump1.conf" "$T_TMP/dump2.conf"
done
"$ACMED" -n -v -f "$conf"/good/acme-client.conf >"$out" 2>/dev/null
check "dump: default account key ecdsa 256" \
    grep -q "account key \"$moved/acme/letsencrypt-privkey.pem\" ecdsa 256\$" "$out"
check "dump: default listen 0.0.0.0 and ::" \
    grep -q '^listen on "::" port 80$' "$out"
"$ACMED" -n -v -f "$conf"/good/macros.conf >"$out" 2>/dev/null
check "macros: expanded in a path" \
    grep -q "domain key \"$moved/ssl/example.com.key\"" "$out"
check "macros: a number as a port" \
    grep -q '^listen on "127.0.0.1" port 8080$' "$out"
check "macros: not expanded inside quotes" \
    grep -qF 'reload shell "echo $le"' "$out"
"$ACMED" -n -v -f "$conf"/good/fallback.conf >"$out" 2>/dev/null
check "dump: the fallback authorities, in their order" grep -qxF \
    '	sign with "le" fallback "zerossl" fallback "buypass"' "$out"
check "dump: the fallback time given" grep -qxF '	fallback after 6 hours' \
    "$out"
check "dump: the default fallback time, as a comment" \
    grep -qxF '	# fallback after 1 day' "$out"

# A macro too long once expanded is named.
a8k=$(head -c 8000 /dev/zero | tr '\0' a)
printf 'big = "%s" "%s" "%s" "%s" "%s" "%s" "%s" "%s" "%s"\nstate directory $big\n' \
    "$a8k" "$a8k" "$a8k" "$a8k" "$a8k" "$a8k" "$a8k" "$a8k" "$a8k" \
    >"$T_TMP/bigmacro.conf"
run_conf -f "$T_TMP/bigmacro.conf"
check "macros: one too long expanded is named" grep -qxF \
    "$T_TMP/bigmacro.conf:2: macro \"big\": longer than 65534 bytes expanded" \
    "$out"

# A base configuration to vary; $1, if given, is one more line in the
# authority's block.
base() {
	cat <<CONF
authority le {
	api url "https://acme.example/dir"
	account key "$T_TMP/account.key"${1:+
	$1}
}
domain example.com {
	domain key "$T_TMP/domain.key"
	domain full chain certificate "$T_TMP/fullchain.pem"
}
CONF
}
base >"$T_TMP/base.conf"
run_conf -f "$T_TMP/base.conf"
check "base configuration is good" [ "$rc" -eq 0 ]

# Include depth: ten levels are fine, eleven are refused.
i=1
while [ "$i" -le 11 ]; do
	echo "include \"inc$((i + 1)).conf\"" >"$T_TMP/inc$i.conf"
	i=$((i + 1))
done
base >"$T_TMP/inc11.conf"
run_conf -f "$T_TMP/inc1.conf"
check "include: 10 levels deep" [ "$rc" -eq 0 ]
base >"$T_TMP/inc12.conf"
echo 'include "inc12.conf"' >"$T_TMP/inc11.conf"
run_conf -f "$T_TMP/inc1.conf"
check "include: 11 levels refused" [ "$rc" -ne 0 ]
check "include: 11 levels, message names the line" \
    grep -q "inc11.conf:1: include \"$T_TMP/inc12.conf\": more than 10 levels" "$out"

# include loop through two files
echo 'include "loopb.conf"' >"$T_TMP/loopa.conf"
printf '\n\ninclude "loopa.conf"\n' >"$T_TMP/loopb.conf"
run_conf -f "$T_TMP/loopa.conf"
check "include: loop across two files refused" [ "$rc" -ne 0 ]
check "include: loop message" grep -q "loopb.conf:3: include .*: include loop" "$out"

# Key file modes: a key others may read is refused, a missing one is fine.
umask 077
# A PEM private key to -n: what keyproc would make of it is not looked at.
printf -- "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n" >"$T_TMP/domain.key"
printf -- "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n" >"$T_TMP/account.key"
run_conf -f "$T_TMP/base.conf"
check "keys 0600 accepted" [ "$rc" -eq 0 ]
chmod 0640 "$T_TMP/domain.key"
run_conf -f "$T_TMP/base.conf"
check "group-readable domain key refused" [ "$rc" -ne 0 ]
check "group-readable domain key: message" \
    grep -q "base.conf:6: domain example.com: domain key $T_TMP/domain.key: group or others may use it (mode 0640)" "$out"
chmod 0600 "$T_TMP/domain.key"
chmod 0604 "$T_TMP/account.key"
run_conf -f "$T_TMP/base.conf"
check "world-readable account key refused" \
    grep -q "base.conf:3: authority le: account key $T_TMP/account.key: group or others may use it" "$out"
chmod 0620 "$T_TMP/account.key"
run_conf -f "$T_TMP/base.conf"
check "group-writable account key refused" [ "$rc" -ne 0 ]
chmod 0601 "$T_TMP/account.key"
run_conf -f "$T_TMP/base.conf"
check "account key executable by others refused (as at start)" \
    grep -q "base.conf:3: authority le: account key $T_TMP/account.key: group or others may use it (mode 0601)" "$out"
chmod 0600 "$T_TMP/account.key"
mv "$T_TMP/account.key" "$T_TMP/real.key"
ln -s "$T_TMP/real.key" "$T_TMP/account.key"
run_conf -f "$T_TMP/base.conf"
check "account key behind a symbolic link refused (as at start)" \
    grep -q "base.conf:3: authority le: account key $T_TMP/account.key: a symbolic link" "$out"
rm -f "$T_TMP/account.key" "$T_TMP/real.key"
printf -- "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n" >"$T_TMP/account.key"
rm -f "$T_TMP/account.key" "$T_TMP/domain.key"
run_conf -f "$T_TMP/base.conf"
check "missing keys accepted (generated later)" [ "$rc" -eq 0 ]
chmod 0666 "$T_TMP/base.conf"
run_conf -f "$T_TMP/base.conf"
check "configuration writable by others refused" \
    grep -q "base.conf: writable by others (mode 0666)" "$out"
chmod 0644 "$T_TMP/base.conf"
run_conf -f "$T_TMP/no-such.conf"
check "missing configuration file refused" [ "$rc" -ne 0 ]

# External account binding: the MAC key file must exist and be private.
printf 'c2VjcmV0\n' >"$T_TMP/eab.key"
chmod 0600 "$T_TMP/eab.key"
base "external account \"kid-1\" key \"$T_TMP/eab.key\"" >"$T_TMP/eab.conf"
run_conf -v -f "$T_TMP/eab.conf"
check "external account accepted" [ "$rc" -eq 0 ]
check "external account in the dump" \
    grep -q "^	external account \"kid-1\" key \"$T_TMP/eab.key\"$" "$out"
"$ACMED" -n -v -f "$T_TMP/eab.conf" 2>/dev/null | sed 1d \
    >"$T_TMP/eab-dump.conf"
run_conf -v -f "$T_TMP/eab-dump.conf"
check "external account: the dump reads back" \
    grep -q "^	external account \"kid-1\" key \"$T_TMP/eab.key\"$" "$out"
chmod 0640 "$T_TMP/eab.key"
run_conf -f "$T_TMP/eab.conf"
check "group-readable external account key refused" \
    grep -q "eab.conf:4: authority le: external account key $T_TMP/eab.key: group or others may use it (mode 0640)" "$out"
rm -f "$T_TMP/eab.key"
run_conf -f "$T_TMP/eab.conf"
check "missing external account key refused" \
    grep -q "eab.conf:4: authority le: external account key $T_TMP/eab.key: No such file or directory" "$out"
base "external account \"\" key \"$T_TMP/eab.key\"" >"$T_TMP/eab.conf"
run_conf -f "$T_TMP/eab.conf"
check "empty external account key id refused" \
    grep -q "eab.conf:4: authority le: external account \"\": the key id must have 1 to 1024 bytes" "$out"
base "external account kid key \"eab.key\"" >"$T_TMP/eab.conf"
run_conf -f "$T_TMP/eab.conf"
check "relative external account key path refused" \
    grep -q 'eab.conf:4: authority le: external account key "eab.key": not an absolute path' "$out"
: >"$T_TMP/eab.key"
chmod 0600 "$T_TMP/eab.key"
base "external account a key \"$T_TMP/eab.key\"
	external account b key \"$T_TMP/eab.key\"" >"$T_TMP/eab.conf"
run_conf -f "$T_TMP/eab.conf"
check "external account given twice refused" \
    grep -q "eab.conf:5: authority le: external account \"b\": given twice" "$out"
base "external account a key \"$T_TMP/eab.key\"" >"$T_TMP/eab.conf"
cat >>"$T_TMP/eab.conf" <<CONF
authority other {
	api url "https://acme.example/dir"
	external account b key "$T_TMP/eab.key"
}
CONF
sed -i "s|^	domain key .*|&\\
	sign with le|" "$T_TMP/eab.conf"
run_conf -f "$T_TMP/eab.conf"
check "two authorities may share an external account key" [ "$rc" -eq 0 ]
base "external account a key \"$T_TMP/eab.key\"" >"$T_TMP/eab.conf"
sed -i "s|fullchain.pem|eab.key|" "$T_TMP/eab.conf"
run_conf -f "$T_TMP/eab.conf"
check "a certificate written over the external account key refused" \
    grep -q "already used as the external account key of authority le" "$out"
base "external account a key \"$T_TMP/account.key\"" >"$T_TMP/eab.conf"
run_conf -f "$T_TMP/eab.conf"
check "external account key that is the account key refused" \
    grep -q "eab.conf:4: authority le: external account key \"$T_TMP/account.key\": already used as the account key of authority le" "$out"

# 100 names in one domain are fine, 101 are refused.
names() {
	i=2
	while [ "$i" -le "$1" ]; do
		echo "		n$i.example.com"
		i=$((i + 1))
	done
}
many() {
	cat <<CONF
authority le {
	api url "https://acme.example/dir"
	account key "$T_TMP/account.key"
}
domain example.com {
	alternative names {
$(names "$1")
	}
	domain key "$T_TMP/domain.key"
	domain full chain certificate "$T_TMP/fullchain.pem"
}
CONF
}
many 100 >"$T_TMP/n100.conf"
run_conf -f "$T_TMP/n100.conf"
check "100 names accepted" [ "$rc" -eq 0 ]
many 101 >"$T_TMP/n101.conf"
run_conf -f "$T_TMP/n101.conf"
check "101 names refused" [ "$rc" -ne 0 ]
# the 101st name, n101, is on line 106
check "101 names: message at the 101st name" \
    grep -q "n101.conf:106: domain example.com: name n101.example.com: more than 100 names" "$out"

t_done
