#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of netproc's parsers of etcd's answers and watch
# lines (regress/fuzz/fuzz_etcd.c), from answers etcd gave: no crash, no
# leak.  Built by `make fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz etcd 15 "$TOP/regress/fuzz/seeds_etcd"
t_done
