#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of the message reader (regress/fuzz/fuzz_imsg.c):
# a hostile peer's byte stream must never crash it, leak memory or leak a
# received descriptor.  Built by `make fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz imsg 15
t_done
