#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of keyproc's reading of what netproc asks it to sign
# (regress/fuzz/fuzz_payload.c: payloads as JSON, URLs to their origin),
# started from a few real requests: no crash, no leak.  Built by `make
# fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz payload 15 "$TOP/regress/fuzz/seeds_payload"
t_done
