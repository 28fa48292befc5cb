#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Creates the unprivileged users acmed's children and its dns hooks run
# as, if missing:
# _acmed (netproc), _acmed-key (keyproc), _acmed-www (challenged),
# _acmed-dns (the dns hooks), and
# the empty root directory of keyproc and challenged.
set -e
for u in _acmed _acmed-key _acmed-www _acmed-dns; do
	if ! getent passwd "$u" >/dev/null; then
		useradd --system --no-create-home --home-dir /var/empty \
		    --shell /usr/sbin/nologin --user-group "$u"
		echo "created user $u"
	fi
done
[ -d /var/empty ] || install -d -m 0755 -o root -g root /var/empty
