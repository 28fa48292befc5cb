#!/usr/bin/env python3
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
# Serves a directory over HTTP on 127.0.0.1:PORT for the clients that
# answer http-01 by writing files (uacme, acme-tiny, dehydrated).  Pebble
# validates each challenge from several connections at once, so requests
# are served in threads and the listen backlog is large.
#
# usage: webroot.py PORT DIR
import functools
import http.server
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(Handler, directory=root)
    Server(("127.0.0.1", port), handler).serve_forever()


main()
