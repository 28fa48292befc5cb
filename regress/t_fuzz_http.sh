#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of challenged's request parser
# (regress/fuzz/fuzz_http.c), started from a few real requests: no crash,
# no leak, and the same verdicts whether a request arrives at once or in
# pieces.  Built by `make fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz http 20 "$TOP/regress/fuzz/seeds_http"
t_done
