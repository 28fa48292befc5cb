#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of what netproc's dns-01 check reads of the answers
# of a zone's servers (regress/fuzz/fuzz_dns.c), from an answer of each
# kind it asks for: no crash, no leak.  Built by `make fuzzers`; skipped
# when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz dns 15 "$TOP/regress/fuzz/seeds_dns"
t_done
