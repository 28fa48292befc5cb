#!/usr/bin/env python3
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
"""A syslog socket for the tests: binds a Unix datagram socket at PATH
(the test's own /dev/log, in a private mount namespace) and appends each
message it receives to LOG, one a line.  Ends after SECONDS (default 600)
or once the process that started it is gone.

    devlog.py PATH LOG [SECONDS]
"""
import os
import socket
import sys
import time


def main():
    path, log = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.settimeout(0.5)
    parent = os.getppid()
    end = time.monotonic() + limit
    with open(log, "ab", buffering=0) as f:
        while time.monotonic() < end and os.getppid() == parent:
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            f.write(data.rstrip(b"\0\n").replace(b"\n", b" ") + b"\n")


if __name__ == "__main__":
    main()
