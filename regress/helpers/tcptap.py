#!/usr/bin/env python3
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
"""
A TCP relay for the tests: listens on 127.0.0.1 (port 0: a free one,
written to the port file once listening), connects every client to
127.0.0.1:TARGET and copies bytes both ways unchanged.  What clients send
is appended to the log file as it passes, so a test can see the request
heads a front server sends on (its Host header, say).  With -H FILE, a
client is held, not connected on, while FILE exists (at most a minute):
a validation server then waits for its answer as long as a test likes.

  tcptap.py -t TARGET -P portfile -L logfile [-p port] [-H holdfile]
"""
import argparse
import os
import socket
import threading
import time

HOLD_MAX = 60

lock = threading.Lock()


def pump(src, dst, log):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if log is not None:
                with lock:
                    log.write(data)
                    log.flush()
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(client, target, log, hold):
    end = time.monotonic() + HOLD_MAX
    while hold and os.path.exists(hold) and time.monotonic() < end:
        time.sleep(0.05)
    try:
        up = socket.create_connection(("127.0.0.1", target), timeout=5)
    except OSError:
        client.close()
        return
    up.settimeout(None)
    client.settimeout(None)
    t = threading.Thread(target=pump, args=(up, client, None), daemon=True)
    t.start()
    pump(client, up, log)
    t.join(30)
    client.close()
    up.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", type=int, required=True)
    ap.add_argument("-P", required=True)
    ap.add_argument("-L", required=True)
    ap.add_argument("-p", type=int, default=0)
    ap.add_argument("-H")
    a = ap.parse_args()
    log = open(a.L, "ab")
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.p))
    ls.listen(64)
    tmp = a.P + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, a.P)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, a.t, log, a.H),
                         daemon=True).start()


if __name__ == "__main__":
    main()
