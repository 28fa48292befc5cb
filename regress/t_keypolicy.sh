#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# keyproc signs only what its policy allows.  The real keyproc program,
# started as the parent starts it (its user, its empty root, its
# sandbox), gets keys by descriptor with their roles from a stand-in for
# the parent (obj/regress/keyproc_peer), which also plays netproc: what
# acmed asks for is signed, and every request a netproc that is no longer
# acmed's could make (another authority's URL, a domain key for an order,
# a key change or revocation the parent did not authorise, a CSR for other
# names, an order for a name of no domain, a finalize with a CSR keyproc
# did not make, an account update, malformed JSON...) is refused, with the
# reason, and logged by keyproc as a warning.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip needs root (keyproc changes user)"
	exit 0
fi
peer=$OBJ/regress/keyproc_peer
if [ ! -x "$peer" ]; then
	notok "keyproc_peer built (make tests)"
	t_done
	exit 1
fi
t_users
mkdir -p "$T_TMP/empty" "$T_TMP/keys"
chmod 0755 "$T_TMP/empty"
chmod 0700 "$T_TMP/keys"
for k in account other domain new spare; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$T_TMP/keys/$k.key" 2>/dev/null ||
	    { notok "openssl makes $k.key"; t_done; exit 1; }
done
head -c 32 /dev/urandom | openssl base64 -A | tr '+/' '-_' | tr -d = \
    >"$T_TMP/keys/other.mac"
chmod 0600 "$T_TMP/keys"/*

# Its checks are this test's; its exit status says whether they passed.
timeout -k 5 120 "$peer" -u _acmed-key -C "$T_TMP/empty" \
    "$ACMED_LIBEXEC/keyproc" "$T_TMP/keys"
