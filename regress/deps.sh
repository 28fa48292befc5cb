#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Installs the Debian packages the build and the tests need, only those
# missing, and the users the children run as.
set -e
pkgs="build-essential pkg-config byacc libtls-dev libcurl4-openssl-dev
libyajl-dev libbsd-dev libssl-dev clang libclang-rt-14-dev pebble
nginx-light libnginx-mod-stream openssl curl mandoc iproute2 procps wrk
strace python3 apache2 haproxy ca-certificates debhelper lintian adduser
python3-seccomp prometheus systemd bind9 bind9-dnsutils etcd-server
etcd-client iputils-ping"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: run as root to install:$missing" >&2
		exit 1
	fi
	apt-get update -qq
	# The web servers' packages would start their services on port 80;
	# the tests run their own on loopback ports.  A policy-rc.d that
	# refuses every start, unless the machine has one already.
	prc=/usr/sbin/policy-rc.d
	made_prc=
	if [ ! -e "$prc" ]; then
		trap 'rm -f "$prc"' EXIT
		printf '#!/bin/sh\nexit 101\n' >"$prc"
		chmod 0755 "$prc"
		made_prc=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
	if [ -n "$made_prc" ]; then
		rm -f "$prc"
		trap - EXIT
	fi
fi
if [ "$(id -u)" -eq 0 ]; then
	"$(dirname "$0")/../etc/mkusers.sh"
fi
