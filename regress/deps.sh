#!/bin/sh
# Installs the Debian packages the build and the tests need, only those
# missing, and the users the children run as.
set -e
pkgs="build-essential pkg-config byacc libtls-dev libcurl4-openssl-dev
libyajl-dev libbsd-dev libssl-dev clang libclang-rt-14-dev pebble
nginx-light openssl curl mandoc iproute2 procps wrk strace python3"
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
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
if [ "$(id -u)" -eq 0 ]; then
	"$(dirname "$0")/../etc/mkusers.sh"
fi
