#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of netproc's parsers of every ACME object
# (regress/fuzz/fuzz_json.c): no crash, no leak.  Built by `make fuzzers`;
# skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz json 15
t_done
