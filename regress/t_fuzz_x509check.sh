#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of the chain checks the parent runs before it
# installs a certificate (regress/fuzz/fuzz_x509check.c): no crash, no
# leak.  Built by `make fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz x509check 15
t_done
