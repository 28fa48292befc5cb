#!/usr/bin/env python3
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
"""
A tls-alpn-01 validation client for the tests, as a CA's validation
server connects (RFC 8737 3): a TLS handshake offering the given ALPN
protocols and server name, without checking the certificate.  Prints one
line: "ok ALPN" (the protocol the server chose, "-" for none) followed by
"eof" if the server closed without sending application data, or "data"
if it sent some, or "open" if it kept the connection at the time limit;
or "refused REASON" if the handshake failed.  With -o, the server's
certificate is written there, DER.  With -n N, N more connections are
opened first and held, untouched, until the end.  With -d N, a slow
client instead: the start of a ClientHello, a byte every half second,
N bytes at most; prints "closed" if the server closed first, else "open".

  alpncli.py [-a PROTO]... [-s NAME] [-o FILE] [-n N] [-d N] [-t SECONDS]
             host port
"""
import argparse
import re
import socket
import ssl
import sys

p = argparse.ArgumentParser()
p.add_argument("-a", action="append", default=[])
p.add_argument("-s")
p.add_argument("-o")
p.add_argument("-n", type=int, default=0)
p.add_argument("-t", type=float, default=5)
p.add_argument("-d", type=int, default=0)
p.add_argument("host")
p.add_argument("port", type=int)
a = p.parse_args()

held = [socket.create_connection((a.host, a.port), timeout=a.t)
        for _ in range(a.n)]
if a.d:
    c = socket.create_connection((a.host, a.port), timeout=a.t)
    c.settimeout(0.5)
    # a handshake record header, then a ClientHello that never ends
    hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(a.d)
    end = "open"
    for i in range(a.d):
        try:
            c.sendall(hello[i:i + 1])
            if c.recv(1) == b"":
                end = "closed"
                break
        except socket.timeout:
            continue
        except OSError:
            end = "closed"
            break
    print(end)
    sys.exit(0)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if a.a:
    ctx.set_alpn_protocols(a.a)
raw = socket.create_connection((a.host, a.port), timeout=a.t)
try:
    s = ctx.wrap_socket(raw, server_hostname=a.s)
except ssl.SSLError as e:
    # the alert's name; OpenSSL names some only in its text
    m = re.search(r"alert ([a-z ]+)", str(e))
    print("refused", e.reason or (m.group(1).strip().replace(" ", "_")
                                  .upper() if m else type(e).__name__))
    sys.exit(0)
except OSError as e:
    print("refused", type(e).__name__)
    sys.exit(0)
if a.o:
    with open(a.o, "wb") as f:
        f.write(s.getpeercert(binary_form=True))
try:
    end = "data" if s.recv(1) else "eof"
except socket.timeout:
    end = "open"
except (ssl.SSLError, OSError):
    end = "eof"
print("ok", s.selected_alpn_protocol() or "-", end)
