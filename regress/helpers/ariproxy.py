#!/usr/bin/env python3
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
"""
A reverse proxy in front of an ACME server that has no renewal
information (Pebble 2.4), adding RFC 9773's to it, and losing answers on
request, for the tests.

  ariproxy.py -c cert.pem -k key.pem -u https://127.0.0.1:PORT -C ca.pem
              -w window -L log [-p port] [-P portfile] [-s] [-R refusefile]
              [-D dropfile] [-r rulesfile] [-d directory-path (/dir)]

Every request is forwarded to the upstream server with its Host header
unchanged, so the server builds its URLs (and checks the JWS "url") with
the proxy's address.  The directory gains "renewalInfo": a path chosen at
random at start (ending in "/" with -s), so a client must read it from
the directory.  GET <that path>/<certid> answers

  {"suggestedWindow": {"start": START, "end": END}}  + Retry-After: SECS

from the window file, read again for every request: lines "CERTID START
END SECS" (RFC 3339 times), the first line naming the certificate or "*"
answering; 404 when none does or the file is missing.  The log file
gets one line per event, the Unix time first, appended and flushed at
once:

  TIME renewalInfo CERTID
  TIME newOrder replaces=ID   (replaces=- when the order has none)
  TIME order NAME[,NAME...]   (the names of a newOrder forwarded)
  TIME refused replaces=ID
  TIME post KIND              (a POST the server answered)
  TIME dropped KIND           (and its answer was not passed on)

KIND, from the JWS payload: newAccount, lookup (onlyReturnExisting),
newOrder, challenge ({}), finalize (a csr), keyChange (an inner JWS),
get (POST-as-GET) or certificate (a POST-as-GET answered with a
certificate chain), other.

With -R FILE, while FILE exists, a newOrder naming a certificate it
replaces is answered 409 alreadyReplaced (RFC 9773 section 5) instead of
being forwarded.  With -D FILE, a POST of a kind FILE has a line for is
forwarded, then the connection is closed without a byte of the answer,
as a connection that dies would; that line is removed from FILE, so
each line loses one answer.

With -r FILE, the answers a hostile or broken authority would give, from
the rules in FILE (read again for every request, missing: none), one a
line, the string a JSON string (escapes as JSON has them):

  identifier "STRING"  every authorization forwarded names STRING as
                       its identifier's value
  detail "STRING"      every problem document forwarded has STRING as
                       its detail
  fail REGEX           a POST to a path REGEX matches (re.search) is
                       answered 500 serverInternal, not forwarded
  unavailable REGEX    any request to a path REGEX matches is answered
                       503 with an HTML page, as a load balancer in
                       front of an authority that is down, not forwarded
  ratelimit SECS       every newOrder is answered 429 rateLimited with
                       Retry-After: SECS, not forwarded
  ratelimit SECS N     only the newOrder after the first N the proxy saw
                       is, once
  pending NAME         every authorization for the identifier NAME ("*":
                       any) is forwarded as "pending", its valid
                       challenges as "processing", and every order naming
                       it that is "ready" as "pending": the authority
                       seems never to finish validating

  profiles NAME...      the directory offers these certificate profiles
                       (draft-ietf-acme-profiles) in meta.profiles; a
                       newOrder is forwarded as it came, and its answer,
                       and every later read of that order, gets the
                       profile the newOrder asked for, as an authority
                       that has profiles echoes it
  echoprofile NAME     the order is answered for the profile NAME,
                       whatever the newOrder asked for
  invalidprofile NAME  a newOrder asking for the profile NAME is answered
                       400 invalidProfile, not forwarded
  deniedprofile NAME   a newOrder asking for the profile NAME is answered
                       403 unauthorized, as Let's Encrypt answers an
                       account it keeps a profile from, not forwarded
  aripath PATH         renewal information moves to PATH without notice:
                       the directory names it, and the path chosen at
                       start answers 404

each logged (TIME identifier / detail / fail PATH / unavailable PATH /
ratelimit / held NAME / invalidProfile NAME / unauthorized NAME / moved
PATH); a
newOrder that asks for a profile is also logged as TIME profile=NAME.
Listens on 127.0.0.1 only; port 0 (the default) picks a free one, written to the
port file.
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import re
import secrets
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

MAX_BODY = 4 * 1024 * 1024
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te",
               "trailer", "upgrade", "proxy-connection", "content-length"}

opts = None
ari_path = None
log_lock = threading.Lock()
drop_lock = threading.Lock()
order_lock = threading.Lock()
orders_seen = 0
upstream_ctx = None
order_profiles = {}     # order path -> the profile its newOrder asked for


def log_event(line):
    with log_lock:
        with open(opts.log, "a") as f:
            f.write("%d %s\n" % (int(time.time()), line))
            f.flush()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def read_rules():
    """The rules of -r as a dict; a rule given twice: the last."""
    rules = {}
    if not opts.rules:
        return rules
    try:
        with open(opts.rules) as f:
            for line in f:
                w = line.strip().split(None, 1)
                if len(w) != 2:
                    continue
                if w[0] in ("identifier", "detail"):
                    rules[w[0]] = json.loads(w[1])
                elif w[0] in ("fail", "unavailable", "ratelimit",
                              "pending", "profiles",
                              "echoprofile", "invalidprofile",
                              "deniedprofile", "aripath"):
                    rules[w[0]] = w[1]
    except OSError:
        pass
    return rules


def current_ari_path():
    """Where renewal information is now: the aripath rule's path, or the
    one chosen at start."""
    return read_rules().get("aripath", ari_path)


def held(d, name):
    """Whether the pending rule holds back an authorization or an order,
    which it then rewrites."""
    if isinstance(d.get("identifier"), dict) and "challenges" in d:
        value = d["identifier"].get("value")
        if name not in ("*", value):
            return False
        d["status"] = "pending"
        for ch in d.get("challenges", []):
            if isinstance(ch, dict) and ch.get("status") == "valid":
                ch["status"] = "processing"
        log_event("held " + str(value))
        return True
    ids = d.get("identifiers")
    if isinstance(ids, list) and d.get("status") == "ready" and \
            any(isinstance(i, dict) and name in ("*", i.get("value"))
                for i in ids):
        d["status"] = "pending"
        log_event("held order")
        return True
    return False


def rewrite(data, headers, profile=None):
    """An upstream answer with the identifier, detail and pending rules
    applied, and an order's profile (not None: the order's) echoed."""
    rules = read_rules()
    ctype = dict((k.lower(), v) for k, v in headers).get("content-type", "")
    if profile is not None and "json" in ctype:
        data = echo_profile(data, profile, rules)
    if not ("identifier" in rules or "detail" in rules or
            "pending" in rules) or "json" not in ctype:
        return data
    try:
        d = json.loads(data)
    except ValueError:
        return data
    if not isinstance(d, dict):
        return data
    if "pending" in rules and held(d, rules["pending"]):
        pass
    elif "identifier" in rules and isinstance(d.get("identifier"), dict) \
            and "challenges" in d:
        d["identifier"]["value"] = rules["identifier"]
        log_event("identifier")
    elif "detail" in rules and "problem" in ctype:
        d["detail"] = rules["detail"]
        log_event("detail")
    else:
        return data
    return json.dumps(d).encode()


def echo_profile(data, profile, rules):
    """An order object with the profile it was placed for (or the
    echoprofile rule's) in its "profile" field."""
    profile = rules.get("echoprofile", profile)
    if not profile:
        return data
    try:
        d = json.loads(data)
    except ValueError:
        return data
    if not isinstance(d, dict) or "finalize" not in d:
        return data
    d["profile"] = profile
    return json.dumps(d).encode()


def order_payload(body):
    """The payload of a newOrder JWS; raises if the body is not one."""
    jws = json.loads(body)
    payload = json.loads(b64url_decode(jws["payload"]))
    if not isinstance(payload, dict) or "identifiers" not in payload:
        raise ValueError("not an order")
    return payload


def order_replaces(body):
    """The "replaces" of a newOrder JWS (None if absent); raises if the
    body is not a JWS with an order payload."""
    return order_payload(body).get("replaces")


def order_names(body):
    """The identifiers' values of a newOrder JWS, comma-separated."""
    return ",".join(str(i.get("value")) for i in
                    order_payload(body)["identifiers"]
                    if isinstance(i, dict))


def post_kind(body):
    """What a POST is, from its JWS payload."""
    try:
        jws = json.loads(body)
        if jws.get("payload") == "":
            return "get"
        payload = json.loads(b64url_decode(jws["payload"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "other"
    if payload == {}:
        return "challenge"
    if not isinstance(payload, dict):
        return "other"
    if payload.get("onlyReturnExisting"):
        return "lookup"
    for key, kind in (("termsOfServiceAgreed", "newAccount"),
                      ("identifiers", "newOrder"), ("csr", "finalize"),
                      ("signature", "keyChange")):
        if key in payload:
            return kind
    return "other"


def drop_wanted(kind):
    """Whether the drop file asks to lose this kind of answer; if so, the
    line asking for it is removed."""
    if not opts.drop:
        return False
    with drop_lock:
        try:
            with open(opts.drop) as f:
                lines = f.read().split()
        except OSError:
            return False
        if kind not in lines:
            return False
        lines.remove(kind)
        tmp = opts.drop + ".tmp"
        with open(tmp, "w") as f:
            f.write("".join(k + "\n" for k in lines))
        os.rename(tmp, opts.drop)
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ariproxy"

    def log_message(self, fmt, *args):
        sys.stderr.write("ariproxy: %s\n" % (fmt % args))

    def answer(self, code, body, ctype, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def problem(self, code, ptype, detail):
        body = json.dumps({"type": "urn:ietf:params:acme:error:" + ptype,
                           "detail": detail, "status": code}).encode()
        self.answer(code, body, "application/problem+json")

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("request body of %d bytes" % n)
        return self.rfile.read(n) if n else b""

    def renewal_info(self, certid):
        log_event("renewalInfo " + certid)
        found = None
        try:
            with open(opts.window) as f:
                for line in f:
                    w = line.split()
                    if len(w) == 4 and w[0] in (certid, "*"):
                        found = w[1:]
                        break
        except OSError:
            pass
        if found is None:
            self.problem(404, "malformed", "no window for " + certid)
            return
        start, end, secs = found
        body = json.dumps({"suggestedWindow": {"start": start,
                                               "end": end}}).encode()
        self.answer(200, body, "application/json",
                    [("Retry-After", secs)])

    def ari_answered(self, path):
        """Answers a GET of renewal information, at the path the aripath
        rule gives or the one chosen at start, and 404 at the latter once
        the rule moved it; True if it did."""
        cur = current_ari_path()
        base = cur if cur.endswith("/") else cur + "/"
        first = ari_path if ari_path.endswith("/") else ari_path + "/"
        if cur != ari_path and path.startswith(first):
            log_event("moved " + path)
            self.problem(404, "malformed", "no such renewal info")
            return True
        if not path.startswith(base):
            return False
        certid = path[len(base):]
        if certid and "/" not in certid:
            self.renewal_info(certid)
        else:
            self.problem(404, "malformed", "no such renewal info")
        return True

    def profile_refused(self, profile):
        """Answers a newOrder for profile as the invalidprofile and
        deniedprofile rules say; True if it did."""
        rules = read_rules()
        log_event("profile=" + profile)
        if rules.get("invalidprofile") == profile:
            log_event("invalidProfile " + profile)
            self.problem(400, "invalidProfile",
                         "profile \"%s\" cannot be used for these "
                         "identifiers" % profile)
            return True
        if rules.get("deniedprofile") == profile:
            log_event("unauthorized " + profile)
            self.problem(403, "unauthorized",
                         "Error creating new order :: account ID 1234 is "
                         "not permitted to use certificate profile \"%s\""
                         % profile)
            return True
        return False

    def ruled(self, path, body):
        """Answers as the fail and ratelimit rules say; True if it did."""
        rules = read_rules()
        if "unavailable" in rules and re.search(rules["unavailable"], path):
            log_event("unavailable " + path)
            self.answer(503, b"<html><body><h1>503 Service Unavailable"
                        b"</h1></body></html>\n", "text/html")
            return True
        if self.command != "POST":
            return False
        if "fail" in rules and re.search(rules["fail"], path):
            log_event("fail " + path)
            self.problem(500, "serverInternal", "failing as told")
            return True
        global orders_seen
        try:
            order_replaces(body)
        except (ValueError, KeyError, TypeError):
            return False
        with order_lock:
            seen = orders_seen
            orders_seen += 1
        if "ratelimit" not in rules:
            return False
        secs = rules["ratelimit"].split()
        if len(secs) > 1 and seen != int(secs[1]):
            return False
        log_event("ratelimit")
        doc = json.dumps({"type": "urn:ietf:params:acme:error:rateLimited",
                          "detail": "too many new orders recently",
                          "status": 429}).encode()
        self.answer(429, doc, "application/problem+json",
                    [("Retry-After", secs[0])])
        return True

    def forward(self, body, kind=None, profile=None):
        conn = http.client.HTTPSConnection(opts.up_host, opts.up_port,
                                           context=upstream_ctx, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_HEADERS}
            if body:
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body or None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read(MAX_BODY + 1)
            rheaders = [(k, v) for k, v in resp.getheaders()
                        if k.lower() not in HOP_HEADERS]
            code = resp.status
        finally:
            conn.close()
        if len(data) > MAX_BODY:
            self.problem(502, "serverInternal", "upstream answer too large")
            return
        if kind == "get" and any(k.lower() == "content-type" and
                                 v.startswith("application/pem-certificate")
                                 for k, v in rheaders):
            kind = "certificate"
        if kind is not None:
            log_event("post " + kind)
            if drop_wanted(kind):
                log_event("dropped " + kind)
                self.close_connection = True
                return
        path = urllib.parse.urlsplit(self.path).path
        if profile is not None and code == 201:
            loc = dict((k.lower(), v) for k, v in rheaders).get("location")
            if loc:
                order_profiles[urllib.parse.urlsplit(loc).path] = profile
        elif profile is None and path in order_profiles:
            profile = order_profiles[path]
        data = rewrite(data, rheaders, profile)
        if self.command == "GET" and code == 200 and \
                urllib.parse.urlsplit(self.path).path == opts.dir_path:
            d = json.loads(data)
            d["renewalInfo"] = "https://%s%s" % (self.headers["Host"],
                                                 current_ari_path())
            offered = read_rules().get("profiles")
            if offered:
                d.setdefault("meta", {})["profiles"] = dict(
                    (n, "the %s profile" % n) for n in offered.split())
            data = json.dumps(d, indent=2).encode()
        self.send_response(code)
        for k, v in rheaders:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        try:
            body = self.read_body()
        except ValueError as e:
            self.problem(400, "malformed", str(e))
            self.close_connection = True
            return
        path = urllib.parse.urlsplit(self.path).path
        if self.ruled(path, body):
            return
        if self.command in ("GET", "HEAD") and self.ari_answered(path):
            return
        profile = None      # "": a newOrder without one
        if self.command == "POST":
            try:
                rep = order_replaces(body)
            except (ValueError, KeyError, TypeError):
                rep = False
            if rep is not False:
                log_event("newOrder replaces=%s" % (rep if rep else "-"))
                log_event("order " + order_names(body))
                profile = str(order_payload(body).get("profile") or "")
                if profile and self.profile_refused(profile):
                    return
                if rep and opts.refuse and os.path.exists(opts.refuse):
                    log_event("refused replaces=%s" % rep)
                    self.problem(409, "alreadyReplaced",
                                 "certificate %s was already replaced" % rep)
                    return
        try:
            self.forward(body, post_kind(body)
                         if self.command == "POST" else None, profile)
        except (OSError, http.client.HTTPException, ValueError) as e:
            self.log_message("upstream: %s", e)
            self.problem(502, "serverInternal", "upstream: %s" % e)

    do_GET = handle_any
    do_HEAD = handle_any
    do_POST = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(30)
        return self.tls.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr


def main():
    global opts, ari_path, upstream_ctx
    ap = argparse.ArgumentParser()
    ap.add_argument("-c", dest="cert", required=True)
    ap.add_argument("-k", dest="key", required=True)
    ap.add_argument("-u", dest="upstream", required=True)
    ap.add_argument("-C", dest="ca", required=True)
    ap.add_argument("-w", dest="window", required=True)
    ap.add_argument("-L", dest="log", required=True)
    ap.add_argument("-p", dest="port", type=int, default=0)
    ap.add_argument("-P", dest="portfile")
    ap.add_argument("-s", dest="slash", action="store_true")
    ap.add_argument("-R", dest="refuse")
    ap.add_argument("-D", dest="drop")
    ap.add_argument("-r", dest="rules")
    ap.add_argument("-d", dest="dir_path", default="/dir")
    opts = ap.parse_args()
    u = urllib.parse.urlsplit(opts.upstream)
    opts.up_host, opts.up_port = u.hostname, u.port or 443
    ari_path = "/ari-%s/renewal-info%s" % (secrets.token_hex(4),
                                           "/" if opts.slash else "")
    upstream_ctx = ssl.create_default_context(cafile=opts.ca)

    srv = Server(("127.0.0.1", opts.port), Handler)
    srv.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv.tls.load_cert_chain(opts.cert, opts.key)
    port = srv.server_address[1]
    sys.stderr.write("ariproxy: 127.0.0.1:%d -> %s, renewal info at %s\n" %
                     (port, opts.upstream, ari_path))
    if opts.portfile:
        tmp = opts.portfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, opts.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
