/*
 * Copyright (c) 2026 acmed maintainers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * keyproc's reading of what netproc asks it to sign: which ACME request
 * a payload is, what it refuses to read at all, and the origin of a URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "keyproc/crypto.h"
#include "keyproc/payload.h"

/* The payload is read as kind k. */
static void
kind_is(const char *json, enum payload_kind k)
{
	struct payload	 pl;
	char		 err[256];
	int		 rc;

	rc = payload_read(json, strlen(json), &pl, err, sizeof(err));
	CHECK(rc == 0 && pl.kind == k, "%s: %s%s%s", json, payload_name(k),
	    rc == 0 ? "" : ", not refused: ", rc == 0 ? "" : err);
	payload_free(&pl);
}

/* The payload is refused, for a reason that holds want. */
static void
refused(const char *what, const void *p, size_t len, const char *want)
{
	struct payload	 pl;
	char		 err[256];
	int		 rc;

	err[0] = '\0';
	rc = payload_read(p, len, &pl, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, want) != NULL, "%s: refused (%s)",
	    what, err);
	payload_free(&pl);
}

static void
refused_s(const char *json, const char *want)
{
	refused(json, json, strlen(json), want);
}

static void
test_kinds(void)
{
	struct payload	 pl;
	char		 err[256];

	CHECK(payload_read("", 0, &pl, err, sizeof(err)) == 0 &&
	    pl.kind == PAYLOAD_GET, "empty: POST-as-GET");
	kind_is("{}", PAYLOAD_CHALLENGE);
	kind_is(" { } ", PAYLOAD_CHALLENGE);
	kind_is("{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:a@b\"],"
	    "\"externalAccountBinding\":{\"protected\":\"p\",\"payload\":"
	    "\"q\",\"signature\":\"s\"}}", PAYLOAD_ACCOUNT);
	kind_is("{\"contact\":[]}", PAYLOAD_ACCOUNT);
	kind_is("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.test\"}],"
	    "\"replaces\":\"x.y\",\"profile\":\"tlsserver\",\"notBefore\":"
	    "\"2026-01-01T00:00:00Z\",\"notAfter\":\"2026-02-01T00:00:00Z\"}",
	    PAYLOAD_ORDER);
	kind_is("{\"csr\":\"MIIB\"}", PAYLOAD_FINALIZE);
	kind_is("{\"certificate\":\"MIIB\",\"reason\":4}", PAYLOAD_REVOKE);
	kind_is("{\"status\":\"deactivated\"}", PAYLOAD_DEACTIVATE);
	kind_is("{\"protected\":\"a\",\"payload\":\"b\",\"signature\":\"c\"}",
	    PAYLOAD_KEY_CHANGE);
	kind_is("{\"payload\":\"b\"}", PAYLOAD_KEY_CHANGE);
	/* Escapes are read as the authority reads them. */
	kind_is("{\"c\\u0073r\":\"MIIB\"}", PAYLOAD_FINALIZE);

	CHECK(payload_read("{\"onlyReturnExisting\":true}", 27, &pl, err,
	    sizeof(err)) == 0 && pl.kind == PAYLOAD_ACCOUNT && pl.lookup,
	    "onlyReturnExisting alone: an account look-up");
	payload_free(&pl);
	CHECK(payload_read("{\"onlyReturnExisting\":false}", 28, &pl, err,
	    sizeof(err)) == 0 && !pl.lookup, "onlyReturnExisting false: "
	    "not a look-up");
	payload_free(&pl);
	CHECK(payload_read("{\"onlyReturnExisting\":true,\"contact\":[]}", 40,
	    &pl, err, sizeof(err)) == 0 && !pl.lookup, "onlyReturnExisting "
	    "with a contact: not a look-up");
	payload_free(&pl);
	CHECK(payload_read("{\"certificate\":\"MIIB\"}", 22, &pl, err,
	    sizeof(err)) == 0 && pl.cert != NULL &&
	    strcmp(pl.cert, "MIIB") == 0, "a revocation's certificate");
	payload_free(&pl);
}

/* What a policy judges a newOrder and a finalize by: read whole. */
static void
test_contents(void)
{
	struct payload	 pl;
	const char	*json;
	char		 err[256];

	json = "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.test\"},"
	    "{\"value\":\"192.0.2.1\",\"type\":\"ip\"}],\"replaces\":\"x\"}";
	CHECK(payload_read(json, strlen(json), &pl, err, sizeof(err)) == 0 &&
	    pl.nnames == 2 && strcmp(pl.names[0], "a.test") == 0 &&
	    strcmp(pl.names[1], "192.0.2.1") == 0,
	    "a newOrder's identifiers: their values, in order");
	CHECK(pl.profile == NULL, "a newOrder without a profile");
	payload_free(&pl);
	json = "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.test\"}],"
	    "\"profile\":\"tls\\u0073erver\"}";
	CHECK(payload_read(json, strlen(json), &pl, err, sizeof(err)) == 0 &&
	    pl.profile != NULL && strcmp(pl.profile, "tlsserver") == 0,
	    "a newOrder's profile, as the authority reads it");
	payload_free(&pl);
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"profile\":[\"x\"]}", "a newOrder whose profile is not a string");
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"profile\":\"x\\u0000y\"}",
	    "a newOrder whose profile is not a string");
	json = "{\"c\\u0073r\":\"MIIB\\u0041\"}";
	CHECK(payload_read(json, strlen(json), &pl, err, sizeof(err)) == 0 &&
	    pl.csr != NULL && strcmp(pl.csr, "MIIBA") == 0,
	    "a finalize's CSR, as the authority reads it");
	payload_free(&pl);
	json = "{\"reason\":5,\"certificate\":\"MIIB\"}";
	CHECK(payload_read(json, strlen(json), &pl, err, sizeof(err)) == 0 &&
	    pl.reason == 5 && strcmp(pl.cert, "MIIB") == 0,
	    "a revocation's reason, before its certificate");
	payload_free(&pl);
	json = "{\"certificate\":\"MIIB\",\"reason\":-3}";
	CHECK(payload_read(json, strlen(json), &pl, err, sizeof(err)) == 0 &&
	    pl.reason == -3, "a revocation's reason, as it is");
	payload_free(&pl);
	json = "{\"certificate\":\"MIIB\"}";
	CHECK(payload_read(json, strlen(json), &pl, err, sizeof(err)) == 0 &&
	    pl.reason == 0, "a revocation without a reason: unspecified");
	payload_free(&pl);
	refused_s("{\"certificate\":\"MIIB\",\"reason\":1.0}",
	    "reason is not an integer");

	refused_s("{\"identifiers\":[]}", "identifiers are not a list");
	refused_s("{\"replaces\":\"x\"}", "identifiers are not a list");
	refused_s("{\"identifiers\":{\"type\":\"dns\",\"value\":\"a\"}}",
	    "identifiers are not a list");
	refused_s("{\"identifiers\":[\"a.test\"]}",
	    "identifiers are not a list");
	refused_s("{\"identifiers\":[{\"type\":\"dns\"}]}",
	    "identifiers are not a list");
	refused_s("{\"identifiers\":[{\"value\":\"a\"}]}",
	    "identifiers are not a list");
	refused_s("{\"identifiers\":[{\"type\":\"email\",\"value\":\"a\"}]}",
	    "identifiers are not a list");
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":[\"a\"]}]}",
	    "identifiers are not a list");
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\","
	    "\"wildcard\":true}]}", "identifiers are not a list");
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":"
	    "\"a\\u0000.evil\"}]}", "identifiers are not a list");
	refused_s("{\"identifiers\":[[{\"type\":\"dns\",\"value\":\"a\"}]]}",
	    "identifiers are not a list");
	/* RFC 8738: the type is the one the value's text is. */
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":"
	    "\"192.0.2.1\"}]}", "each of the type its value is");
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":"
	    "\"2001:db8::1\"}]}", "each of the type its value is");
	refused_s("{\"identifiers\":[{\"type\":\"ip\",\"value\":"
	    "\"a.test\"}]}", "each of the type its value is");
	refused_s("{\"identifiers\":[{\"type\":\"ip\",\"value\":"
	    "\"2001:DB8:0::1\"}]}", "each of the type its value is");
	refused_s("{\"identifiers\":[{\"type\":\"ip\",\"value\":"
	    "\"192.0.2.256\"}]}", "each of the type its value is");
	refused_s("{\"csr\":1}", "csr is not a string");
	refused_s("{\"csr\":\"MI\\u0000IB\"}", "csr is not a string");
}

static void
test_refused(void)
{
	char	 deep[64];

	refused_s("not json", "not valid JSON");
	refused_s("{\"csr\":\"a\"", "not valid JSON");
	refused_s("{} {}", "not valid JSON");
	refused_s("{}x", "not valid JSON");
	refused_s("{/* c */}", "not valid JSON");
	refused_s("{\"csr\":\"a\xff\"}", "not valid JSON");
	refused("a raw newline in a string", "{\"csr\":\"a\nb\"}", 13,
	    "not valid JSON");
	refused("a NUL after the object", "{}\0", 3, "not valid JSON");
	refused_s("[]", "not a JSON object");
	refused_s("\"{}\"", "not a JSON object");
	refused_s("1", "not a JSON object");
	refused_s("null", "not a JSON object");
	refused_s("{\"csr\":\"a\",\"csr\":\"b\"}", "\"csr\" twice");
	refused_s("{\"csr\":\"a\",\"c\\u0073r\":\"b\"}", "\"csr\" twice");
	refused_s("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\","
	    "\"value\":\"b\"}]}", "\"value\" twice");
	refused_s("{\"externalAccountBinding\":{\"payload\":\"a\",\"payload\":"
	    "\"b\"}}", "\"payload\" twice");
	refused_s("{\"cs\\u0000r\":\"a\"}", "NUL in a member name");
	refused_s("{\"foo\":1}", "\"foo\"");
	refused_s("{\"csr\\u001b[2J\":1}", "\"csr?[2J\"");
	refused_s("{\"csr\":\"a\",\"identifiers\":[]}", "mixes");
	refused_s("{\"certificate\":\"a\",\"status\":\"deactivated\"}",
	    "mixes");
	refused_s("{\"contact\":[],\"payload\":\"x\"}", "mixes");
	refused_s("{\"reason\":1}", "without a certificate");
	refused_s("{\"certificate\":1}", "without a certificate");
	refused_s("{\"certificate\":\"a\",\"reason\":\"1\"}", "reason");
	refused_s("{\"status\":\"valid\"}", "\"deactivated\"");
	refused_s("{\"status\":true}", "\"deactivated\"");
	memset(deep, 0, sizeof(deep));
	memcpy(deep, "{\"contact\":", 11);
	memset(deep + 11, '[', 20);
	refused_s(deep, "nested too deep");
}

static void
origin_is(const char *url, const char *want)
{
	char	 o[300];
	int	 rc;

	rc = url_origin(url, o, sizeof(o));
	if (want == NULL)
		CHECK(rc == -1, "%s: no origin", url);
	else
		CHECK(rc == 0 && strcmp(o, want) == 0, "%s: origin %s (%s)",
		    url, want, rc == 0 ? o : "none");
}

static void
test_origin(void)
{
	origin_is("https://acme.test/dir", "https://acme.test:443");
	origin_is("https://ACME.Test:443/dir", "https://acme.test:443");
	origin_is("HTTPS://acme.test", "https://acme.test:443");
	origin_is("https://acme.test:14000/x?y#z", "https://acme.test:14000");
	origin_is("https://acme.test?x", "https://acme.test:443");
	origin_is("https://127.0.0.1:14000/dir", "https://127.0.0.1:14000");
	origin_is("https://[::1]:14000/dir", "https://[::1]:14000");
	origin_is("https://[::1]/dir", "https://[::1]:443");
	origin_is("http://acme.test/dir", NULL);
	origin_is("ftp://acme.test/dir", NULL);
	origin_is("acme.test/dir", NULL);
	origin_is("https://", NULL);
	origin_is("https:///dir", NULL);
	origin_is("https://acme.test:/dir", NULL);
	origin_is("https://acme.test:0/dir", NULL);
	origin_is("https://acme.test:65536/dir", NULL);
	origin_is("https://acme.test:1x/dir", NULL);
	origin_is("https://acme.test:14000@evil.test/dir", NULL);
	origin_is("https://user@acme.test/dir", NULL);
	origin_is("https://acme.test%2f@evil.test/", NULL);
	origin_is("https://acme .test/", NULL);
	origin_is("https://acme\x01.test/", NULL);
	origin_is("https://[::1/dir", NULL);
	origin_is("https://[::1]x/dir", NULL);
}

int
main(void)
{
	test_kinds();
	test_contents();
	test_refused();
	test_origin();
	return test_done();
}
