#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of what challenged reads of a ClientHello on its
# tls-alpn-01 listeners (regress/fuzz/fuzz_alpn.c): the server name and
# ALPN extensions, and an identifier's name.  Built by `make fuzzers`;
# skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz alpn 20 "$TOP/regress/fuzz/seeds_alpn"
t_done
