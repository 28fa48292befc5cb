#!/bin/sh
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# A short fuzzing run of the configuration parser
# (regress/fuzz/fuzz_config.c): no crash, no leak.  Built by `make
# fuzzers`; skipped when absent.
. "$(dirname "$0")/lib.sh"

t_fuzz config 15
t_done
