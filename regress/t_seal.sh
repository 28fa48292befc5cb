#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Keys sealed with the fleet key.  The real keyproc program, started as
# the parent starts it (its user, its empty root, its sandbox), gets the
# fleet key file from the parent's own fleet_key_send() and opens sealed
# keys for the parent's fleet_key_open(), while a stand-in for netproc
# (obj/regress/seal_peer) has account and domain keys sealed: each opens
# again as the same key, and only as what it was sealed as, with the
# fleet key it was sealed with; a bad fleet key file is logged with why,
# and every later request gets that reason; netproc cannot have a key
# sealed as what the parent did not say it is, nor opened at all.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip needs root (keyproc changes user)"
	exit 0
fi
peer=$OBJ/regress/seal_peer
if [ ! -x "$peer" ]; then
	notok "seal_peer built (make tests)"
	t_done
	exit 1
fi
t_users
k=$T_TMP/keys
mkdir -p "$T_TMP/empty" "$k"
chmod 0755 "$T_TMP/empty"
chmod 0700 "$k"
for f in account domain; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$k/$f.key" 2>/dev/null || { notok "openssl makes $f.key"; t_done; exit 1; }
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$k/rsa.key" 2>/dev/null || { notok "openssl makes rsa.key"; t_done; exit 1; }
openssl genpkey -algorithm ED25519 -out "$k/ed.key" 2>/dev/null ||
    { notok "openssl makes ed.key"; t_done; exit 1; }
openssl rand -base64 32 >"$k/fleet.key"
openssl rand -base64 32 >"$k/fleet2.key"
openssl rand -base64 31 >"$k/fleet.short"
echo "this fleet key is not base64!" >"$k/fleet.text"
head -c 2048 /dev/zero | tr '\0' A >"$k/fleet.big"
openssl rand -base64 32 >"$k/fleet.group"
chmod 0600 "$k"/*
chmod 0640 "$k/fleet.group"
check "a fleet key file is one line of 44 characters" \
    [ "$(wc -c <"$k/fleet.key")" -eq 45 ]

# Its checks are this test's; its exit status says whether they passed.
timeout -k 5 120 "$peer" -u _acmed-key -C "$T_TMP/empty" \
    "$ACMED_LIBEXEC/keyproc" "$k" >"$T_TMP/peer.out" 2>"$T_TMP/peer.err"
rc=$?
cat "$T_TMP/peer.out"
sed 's/^/# /' "$T_TMP/peer.err"
check "the parent logs why it does not hand a group-readable fleet key" \
    grep -q "fleet key $k/fleet.group: .*group" "$T_TMP/peer.err"
check "and why it does not hand a missing one" \
    grep -q "fleet key $k/fleet.missing: " "$T_TMP/peer.err"
check "no log line holds a fleet key's text" sh -c \
    "! cat '$T_TMP/peer.out' '$T_TMP/peer.err' |
    grep -qF -e \"\$(head -c 20 '$k/fleet.key')\" \
    -e \"\$(head -c 20 '$k/fleet.short')\" -e 'this fleet key is not'"
[ "$rc" -eq 0 ] || notok "seal_peer exits 0 (status $rc)"
t_done
