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
 * The ACME JSON parsers on good and bad documents, and the request
 * builders' output read back with yajl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <yajl/yajl_tree.h>

#include "test.h"
#include "acmed/netproc/acme.h"
#include "acmed/netproc/http.h"
#include "acmed/netproc/json.h"
#include "text.h"
#include "x509check.h"

static char	 err[256];

#define L(s)	(s), strlen(s)

static const char *dir_good =
    "{\"newNonce\":\"https://a.test/nonce\","
    "\"newAccount\":\"https://a.test/acct\","
    "\"newOrder\":\"https://a.test/order\","
    "\"revokeCert\":\"https://a.test/revoke\","
    "\"keyChange\":\"https://a.test/kc\","
    "\"renewalInfo\":\"https://a.test/ari/\","
    "\"unknownField\":[1,2,{\"x\":null}],"
    "\"meta\":{\"termsOfService\":\"https://a.test/tos\","
    "\"externalAccountRequired\":true,\"website\":\"x\"}}";

static void
t_directory(void)
{
	struct acme_directory	 d;
	char			*big, *s;
	size_t			 i;

	CHECK(acme_parse_directory(L(dir_good), &d, err, sizeof(err)) == 0,
	    "directory good: %s", err);
	CHECK_STR(d.new_nonce, "https://a.test/nonce", "newNonce");
	CHECK_STR(d.new_account, "https://a.test/acct", "newAccount");
	CHECK_STR(d.new_order, "https://a.test/order", "newOrder");
	CHECK_STR(d.revoke_cert, "https://a.test/revoke", "revokeCert");
	CHECK_STR(d.key_change, "https://a.test/kc", "keyChange");
	CHECK_STR(d.renewal_info, "https://a.test/ari/", "renewalInfo");
	CHECK_STR(d.terms_of_service, "https://a.test/tos", "tos");
	CHECK(d.eab_required == 1, "eab required");
	acme_directory_free(&d);
	CHECK(d.new_nonce == NULL, "free clears");

	/* Pebble's shape: no renewalInfo. */
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\",\"meta\":{"
	    "\"externalAccountRequired\":false}}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == 0,
	    "minimal directory");
	CHECK(d.renewal_info == NULL && d.eab_required == 0 &&
	    d.terms_of_service == NULL, "optional fields absent");
	acme_directory_free(&d);

	/*
	 * meta.profiles: the names are kept, the descriptions are for
	 * people; a name no configuration could give is passed over.
	 */
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\",\"meta\":{\"profiles\":{"
	    "\"classic\":\"90 days\",\"tlsserver\":\"https://x/\","
	    "\"bad name\":\"x\",\"short.lived-1_x\":\"\"}}}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == 0,
	    "directory with profiles: %s", err);
	CHECK(d.nprofiles == 3, "3 profiles kept (%zu)", d.nprofiles);
	if (d.nprofiles == 3) {
		CHECK_STR(d.profiles[0], "classic", "profile 1");
		CHECK_STR(d.profiles[1], "tlsserver", "profile 2");
		CHECK_STR(d.profiles[2], "short.lived-1_x", "profile 3");
	}
	acme_directory_free(&d);
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\",\"meta\":{\"profiles\":[]}}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "profiles") != NULL, "profiles not an object: %s",
	    err);

	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "missing newOrder refused");
	CHECK_STR(err, "directory: field \"newOrder\" missing",
	    "missing field named");
	CHECK(d.new_nonce == NULL, "nothing left on failure");

	s = "{\"newNonce\":\"http://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "not an https URL") != NULL, "http URL refused: %s",
	    err);
	s = "{\"newNonce\":42,\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "not a string") != NULL, "number for string: %s",
	    err);
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\",\"meta\":[]}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "meta not an object: %s", err);
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\",\"meta\":{"
	    "\"externalAccountRequired\":\"yes\"}}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "boolean") != NULL, "string for bool: %s", err);
	s = "[\"https://p/n\"]";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "not a JSON object") != NULL, "array root: %s", err);
	s = "\"https://p/n\"";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "string root");
	CHECK(acme_parse_directory("", 0, &d, err, sizeof(err)) == -1,
	    "empty");
	CHECK(acme_parse_directory(dir_good, strlen(dir_good) - 1, &d, err,
	    sizeof(err)) == -1 && strstr(err, "invalid JSON") != NULL,
	    "truncated: %s", err);
	for (i = 1; i < strlen(dir_good); i += 7) {
		if (acme_parse_directory(dir_good, i, &d, err,
		    sizeof(err)) != -1)
			break;
	}
	CHECK(i >= strlen(dir_good), "every truncation refused");
	if (asprintf(&s, "%s xyz", dir_good) == -1)
		abort();
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "trailing garbage: %s", err);
	free(s);
	if (asprintf(&s, "%s{}", dir_good) == -1)
		abort();
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "two documents");
	free(s);
	if (asprintf(&s, "%s  \n", dir_good) == -1)
		abort();
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == 0,
	    "trailing white space ok");
	acme_directory_free(&d);
	free(s);
	s = "{/* c */\"newNonce\":\"https://p/n\",\"newAccount\":"
	    "\"https://p/a\",\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "comment refused: %s", err);
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(s, strlen(s) + 1, &d, err,
	    sizeof(err)) == -1 && strstr(err, "NUL") != NULL,
	    "NUL byte refused: %s", err);
	s = "{\"newNonce\":\"https://p/\xff\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "invalid UTF-8 refused: %s", err);
	s = "{\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\",\"meta\":{\"termsOfService\":"
	    "\"https://p/conditions-g\xc3\xa9n\xc3\xa9rales\"}}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == 0,
	    "valid UTF-8 kept: %s", err);
	CHECK_STR(d.terms_of_service, "https://p/conditions-g\xc3\xa9n"
	    "\xc3\xa9rales", "accented letters kept as they are");
	acme_directory_free(&d);
	s = "{\"newNonce\":\"https://p/\xc3\xa9\",\"newAccount\":"
	    "\"https://p/a\",\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "not an https URL") != NULL,
	    "a URL beyond ASCII refused: %s", err);

	/* A string over ACME_MAX_STR. */
	big = malloc(ACME_MAX_STR + 200);
	snprintf(big, 64, "{\"newNonce\":\"https://");
	i = strlen(big);
	memset(big + i, 'a', ACME_MAX_STR);
	snprintf(big + i + ACME_MAX_STR, 136, "\",\"newAccount\":"
	    "\"https://p/a\",\"newOrder\":\"https://p/o\"}");
	CHECK(acme_parse_directory(L(big), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "longer than") != NULL, "huge string: %s", err);
	free(big);

	/* Deep nesting, before yajl sees it. */
	big = malloc(200020);
	big[0] = '{';
	memcpy(big + 1, "\"x\":", 4);
	memset(big + 5, '[', 100000);
	memset(big + 100005, ']', 100000);
	memcpy(big + 200005, "}", 2);
	CHECK(acme_parse_directory(L(big), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "nested") != NULL, "deep nesting: %s", err);
	free(big);
	/* Brackets inside strings do not count. */
	s = "{\"x\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\","
	    "\"newNonce\":\"https://p/n\",\"newAccount\":\"https://p/a\","
	    "\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == 0,
	    "brackets in strings: %s", err);
	acme_directory_free(&d);

	big = malloc(ACME_MAX_BODY + 2);
	memset(big, ' ', ACME_MAX_BODY + 1);
	big[0] = '{';
	big[ACME_MAX_BODY] = '}';
	CHECK(acme_parse_directory(big, ACME_MAX_BODY + 1, &d, err,
	    sizeof(err)) == -1 && strstr(err, "larger") != NULL,
	    "oversized document: %s", err);
	free(big);
}

static void
t_problem(void)
{
	struct acme_problem	 p;
	char			*s, *txt, buf[64];
	struct buf		 b;
	int			 i;

	s = "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
	    "\"detail\":\"Error creating new order\",\"status\":400,"
	    "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:"
	    "rejectedIdentifier\",\"detail\":\"blocked\",\"identifier\":{"
	    "\"type\":\"dns\",\"value\":\"bad.example.com\"}},{\"type\":"
	    "\"urn:ietf:params:acme:error:caa\",\"detail\":\"CAA\\nno\"}]}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == 0,
	    "problem good: %s", err);
	CHECK_STR(p.type, "urn:ietf:params:acme:error:rejectedIdentifier",
	    "problem type");
	CHECK(p.status == 400 && p.nsub == 2, "status and subproblems");
	CHECK_STR(p.sub[0].identifier, "bad.example.com", "sub identifier");
	CHECK(p.sub[1].identifier == NULL, "sub without identifier");
	txt = acme_problem_text(&p);
	CHECK_STR(txt, "rejectedIdentifier: Error creating new order "
	    "(bad.example.com: rejectedIdentifier: blocked) "
	    "(caa: CAA\\x0ano)", "problem text");
	free(txt);
	acme_problem_free(&p);

	/* RFC 8555 section 7.3.3: the page to visit, and the terms. */
	s = "{\"type\":\"urn:ietf:params:acme:error:userActionRequired\","
	    "\"detail\":\"Terms of service have changed\","
	    "\"instance\":\"https://p/agree?t=2\"}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == 0,
	    "userActionRequired: %s", err);
	CHECK_STR(p.instance, "https://p/agree?t=2", "instance");
	p.terms = strdup("https://p/tos/2");
	txt = acme_problem_text(&p);
	CHECK_STR(txt, "userActionRequired: Terms of service have changed; "
	    "see https://p/agree?t=2; terms of service: https://p/tos/2",
	    "problem text: instance and terms of service");
	free(txt);
	acme_problem_free(&p);

	s = "{}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == 0,
	    "empty problem");
	CHECK_STR(p.type, "about:blank", "default type");
	txt = acme_problem_text(&p);
	CHECK_STR(txt, "about:blank", "empty problem text");
	free(txt);
	acme_problem_free(&p);
	txt = acme_problem_text(NULL);
	CHECK(txt != NULL, "text of no problem");
	free(txt);

	s = "{\"type\":\"urn:ietf:params:acme:error:rateLimited\","
	    "\"detail\":\"too many\",\"status\":\"429\"}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == -1,
	    "status as string refused: %s", err);
	s = "{\"type\":5}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == -1,
	    "type as number refused");
	s = "{\"subproblems\":[1]}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == -1,
	    "subproblem not an object");
	s = "{\"subproblems\":[{\"identifier\":{\"type\":\"dns\"}}]}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == -1,
	    "subproblem identifier without value: %s", err);

	buf_init(&b, 0);
	buf_add_str(&b, "{\"subproblems\":[");
	for (i = 0; i < 101; i++) {
		snprintf(buf, sizeof(buf), "%s{\"detail\":\"%d\"}",
		    i ? "," : "", i);
		buf_add_str(&b, buf);
	}
	buf_add_str(&b, "]}");
	CHECK(acme_parse_problem(b.data, b.len, &p, err, sizeof(err)) == -1 &&
	    strstr(err, "more than 100") != NULL, "101 subproblems: %s",
	    err);
	buf_free(&b);

	/* A long text is cut, never unbounded. */
	buf_init(&b, 0);
	buf_add_str(&b, "{\"detail\":\"");
	for (i = 0; i < 10000; i++)
		buf_add_str(&b, "x");
	buf_add_str(&b, "\",\"subproblems\":[");
	for (i = 0; i < 100; i++)
		buf_printf(&b, "%s{\"detail\":\"%d\"}", i ? "," : "", i);
	buf_add_str(&b, "]}");
	CHECK(acme_parse_problem(b.data, b.len, &p, err, sizeof(err)) == 0,
	    "100 subproblems ok: %s", err);
	txt = acme_problem_text(&p);
	CHECK(txt != NULL && strlen(txt) <= 4096, "long text bounded");
	free(txt);
	acme_problem_free(&p);
	buf_free(&b);
}

/* No control character, bidi control or byte that is not UTF-8 left. */
static int
is_clean(const char *s)
{
	char	 out[8192];

	return s != NULL && text_clean(out, sizeof(out), s, strlen(s)) ==
	    strlen(s) && strcmp(out, s) == 0;
}

/*
 * Every string the authority sends comes out cleaned (text.c), whatever
 * JSON escape carried it; URLs that held a control character or more
 * than a URI may hold are refused; a long problem text is cut between
 * characters.
 */
static void
t_clean(void)
{
	struct acme_problem	 p;
	struct acme_authz	 a;
	struct acme_account	 acct;
	struct acme_directory	 d;
	struct http_resp	 r;
	struct buf		 b;
	char			*s, *txt;
	int			 i;

	s = "{\"type\":\"urn:ietf:params:acme:error:rateLimited\","
	    "\"detail\":\"x\\n\\u001b[1Gacmed: y\\r\\u0085\\u009b2K"
	    "\\u202eevil\\u2066\\u200f\\u007f\\ud800z\\u0000tail\","
	    "\"subproblems\":[{\"detail\":\"s\\u0007\",\"identifier\":"
	    "{\"type\":\"dns\",\"value\":\"a.test\\u2028b\"}}]}";
	CHECK(acme_parse_problem(L(s), &p, err, sizeof(err)) == 0,
	    "problem with controls parsed: %s", err);
	CHECK(strncmp(p.detail, "x\\x0a\\x1b[1Gacmed: y\\x0d\\u0085"
	    "\\u009b2K\\u202eevil\\u2066\\u200f\\x7f", 51) == 0,
	    "detail: C0, C1, bidi and DEL shown: %s", p.detail);
	CHECK(is_clean(p.detail), "detail clean to the end");
	CHECK_STR(p.sub[0].identifier, "a.test\\u2028b",
	    "subproblem identifier: line separator shown");
	txt = acme_problem_text(&p);
	CHECK(is_clean(txt) && strstr(txt, "s\\x07") != NULL,
	    "problem text clean: %s", txt);
	free(txt);
	acme_problem_free(&p);

	s = "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"a.s09d.test\\nacmed: a.s09d.test: certificate "
	    "issued\"},\"challenges\":[]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == 0,
	    "authorization with a newline in its identifier: %s", err);
	CHECK_STR(a.identifier, "a.s09d.test\\x0aacmed: a.s09d.test: "
	    "certificate issued", "identifier cleaned");
	acme_authz_free(&a);

	s = "{\"status\":\"bogus\\u001b[2K\"}";
	CHECK(acme_parse_account(L(s), &acct, err, sizeof(err)) == -1 &&
	    strstr(err, "\"bogus\\x1b[2K\"") != NULL,
	    "an unknown status is quoted cleaned: %s", err);

	s = "{\"newNonce\":\"https://p/n\\u001b[2K\",\"newAccount\":"
	    "\"https://p/a\",\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1 &&
	    strstr(err, "\"newNonce\" is not an https URL") != NULL,
	    "a URL with ESC refused: %s", err);
	s = "{\"newNonce\":\"https://p/<n>\",\"newAccount\":"
	    "\"https://p/a\",\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == -1,
	    "a URL with angle brackets refused: %s", err);
	s = "{\"newNonce\":\"https://[::1]:14000/n?a=1&b=%41#f\","
	    "\"newAccount\":\"https://p/a\",\"newOrder\":\"https://p/o\"}";
	CHECK(acme_parse_directory(L(s), &d, err, sizeof(err)) == 0,
	    "brackets, query, percent and fragment kept: %s", err);
	acme_directory_free(&d);

	/* A Link header's targets are cleaned as the header is. */
	http_resp_init(&r);
	http_parse_link(&r, "<https://p/alt\x1b[2K\xe2\x80\xae>;"
	    "rel=\"alternate\", <https://p/dir\x85>;rel=up");
	CHECK(r.nalternates == 1 && r.link_up != NULL, "two links");
	CHECK_STR(r.alternates[0], "https://p/alt\\x1b[2K\\u202e",
	    "Link target: ESC and RLO shown");
	CHECK_STR(r.link_up, "https://p/dir\\x85", "Link target: a byte "
	    "that is not UTF-8 shown");
	http_resp_free(&r);
	http_resp_init(&r);
	http_parse_link(&r, "<https://p/tos/2>;rel=\"terms-of-service\","
	    "<https://p/tos/3>;rel=\"terms-of-service\"");
	CHECK_STR(r.link_tos, "https://p/tos/2", "Link: terms of service, "
	    "the first one");
	http_resp_free(&r);

	/* 4000 two-byte letters: the text is cut between two of them. */
	buf_init(&b, 0);
	buf_add_str(&b, "{\"detail\":\"x");
	for (i = 0; i < 4000; i++)
		buf_add_str(&b, "\xc3\xa9");
	buf_add_str(&b, "\"}");
	CHECK(acme_parse_problem(b.data, b.len, &p, err, sizeof(err)) == 0,
	    "long accented detail: %s", err);
	txt = acme_problem_text(&p);
	CHECK(txt != NULL && strlen(txt) <= 4096 && is_clean(txt),
	    "cut between characters (%zu bytes)", txt ? strlen(txt) : 0);
	free(txt);
	acme_problem_free(&p);
	buf_free(&b);

	/* 6000 escapes are 24000 bytes shown: over the bound. */
	buf_init(&b, 0);
	buf_add_str(&b, "{\"detail\":\"");
	for (i = 0; i < 6000; i++)
		buf_add_str(&b, "\\u001b");
	buf_add_str(&b, "\"}");
	CHECK(acme_parse_problem(b.data, b.len, &p, err, sizeof(err)) == -1 &&
	    strstr(err, "longer than") != NULL,
	    "a string bounded as it is shown: %s", err);
	buf_free(&b);
}

static void
t_account(void)
{
	struct acme_account	 a;
	const char		*s;

	s = "{\"status\":\"valid\",\"contact\":[\"mailto:a@b\"],"
	    "\"orders\":\"https://p/orders/1\",\"key\":{}}";
	CHECK(acme_parse_account(L(s), &a, err, sizeof(err)) == 0,
	    "account good: %s", err);
	CHECK(a.status == ST_VALID, "account status");
	CHECK_STR(a.orders, "https://p/orders/1", "orders");
	acme_account_free(&a);
	s = "{\"status\":\"valid\"}";
	CHECK(acme_parse_account(L(s), &a, err, sizeof(err)) == 0 &&
	    a.orders == NULL, "account without orders");
	acme_account_free(&a);
	s = "{\"status\":\"bogus\"}";
	CHECK(acme_parse_account(L(s), &a, err, sizeof(err)) == -1 &&
	    strstr(err, "unknown status") != NULL, "unknown status: %s", err);
	s = "{\"orders\":\"https://p/o\"}";
	CHECK(acme_parse_account(L(s), &a, err, sizeof(err)) == -1,
	    "account without status: %s", err);
	s = "{\"status\":true}";
	CHECK(acme_parse_account(L(s), &a, err, sizeof(err)) == -1,
	    "status as bool");
}

static char *
order_with(int nauthz, const char *extra)
{
	struct buf	 b;
	int		 i;

	buf_init(&b, 0);
	buf_add_str(&b, "{\"status\":\"pending\",\"expires\":"
	    "\"2030-01-01T00:00:00Z\",\"identifiers\":[],"
	    "\"finalize\":\"https://p/fin\",\"authorizations\":[");
	for (i = 0; i < nauthz; i++)
		buf_printf(&b, "%s\"https://p/authz/%d\"", i ? "," : "", i);
	buf_add_str(&b, "]");
	buf_add_str(&b, extra);
	buf_add_str(&b, "}");
	return buf_release(&b, NULL);
}

static void
t_order(void)
{
	struct acme_order	 o;
	char			*s;

	s = order_with(2, ",\"certificate\":\"https://p/cert/1\"");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == 0,
	    "order good: %s", err);
	CHECK(o.status == ST_PENDING && o.nauthorizations == 2,
	    "order status, authorizations");
	CHECK_STR(o.authorizations[1], "https://p/authz/1", "authz url");
	CHECK_STR(o.finalize, "https://p/fin", "finalize");
	CHECK_STR(o.certificate, "https://p/cert/1", "certificate");
	CHECK_STR(o.expires, "2030-01-01T00:00:00Z", "expires");
	CHECK(o.error == NULL, "no error");
	CHECK(o.profile == NULL, "no profile");
	acme_order_free(&o);
	free(s);

	s = order_with(1, ",\"profile\":\"shortlived\"");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == 0,
	    "order with a profile: %s", err);
	CHECK_STR(o.profile, "shortlived", "the order's profile");
	acme_order_free(&o);
	free(s);

	s = order_with(100, "");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == 0 &&
	    o.nauthorizations == 100, "100 authorizations");
	acme_order_free(&o);
	free(s);
	s = order_with(101, "");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1 &&
	    strstr(err, "more than 100") != NULL, "101 authorizations: %s",
	    err);
	free(s);
	s = order_with(0, "");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "no authorizations");
	free(s);

	s = order_with(1, ",\"status\":\"invalid\",\"error\":{\"type\":"
	    "\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"no\"}");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == 0 &&
	    o.error != NULL && o.status == ST_PENDING,
	    "order error (first status wins)");
	CHECK_STR(o.error != NULL ? o.error->detail : NULL, "no",
	    "order error detail");
	acme_order_free(&o);
	free(s);
	s = order_with(1, ",\"error\":\"boom\"");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "error as string");
	free(s);
	s = order_with(1, ",\"certificate\":\"ftp://p/c\"");
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "ftp certificate URL");
	free(s);

	s = "{\"status\":\"ready\",\"authorizations\":[\"https://p/a\"]}";
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "missing finalize");
	CHECK_STR(err, "order: field \"finalize\" missing", "message");
	s = "{\"status\":\"ready\",\"finalize\":\"https://p/f\","
	    "\"authorizations\":[\"http://p/a\"]}";
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "http authz URL: %s", err);
	s = "{\"status\":\"ready\",\"finalize\":\"https://p/f\","
	    "\"authorizations\":[7]}";
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "number authz URL");
	s = "{\"status\":\"ready\",\"finalize\":\"https://p/f\","
	    "\"authorizations\":\"https://p/a\"}";
	CHECK(acme_parse_order(L(s), &o, err, sizeof(err)) == -1,
	    "authorizations not an array: %s", err);
}

static const char *authz_good =
    "{\"status\":\"pending\",\"expires\":\"2030-01-01T00:00:00Z\","
    "\"identifier\":{\"type\":\"dns\",\"value\":\"www.example.com\"},"
    "\"challenges\":[{\"type\":\"http-01\",\"url\":\"https://p/c/1\","
    "\"token\":\"AbC-_123\",\"status\":\"pending\"},"
    "{\"type\":\"dns-01\",\"url\":\"https://p/c/2\",\"token\":\"xyz\","
    "\"status\":\"invalid\",\"error\":{\"type\":\"urn:ietf:params:acme:"
    "error:dns\",\"detail\":\"NXDOMAIN\"}},"
    "{\"type\":\"future-01\",\"url\":\"https://p/c/3\","
    "\"status\":\"pending\",\"whatever\":1}],\"wildcard\":false}";

static void
t_authz(void)
{
	struct acme_authz	 a;
	struct acme_challenge	 c;
	struct buf		 b;
	const char		*s;
	int			 i;

	CHECK(acme_parse_authz(L(authz_good), &a, err, sizeof(err)) == 0,
	    "authz good: %s", err);
	CHECK(a.status == ST_PENDING && a.nchallenges == 3 && !a.wildcard,
	    "authz fields");
	CHECK_STR(a.identifier, "www.example.com", "identifier");
	CHECK_STR(a.identifier_type, "dns", "identifier type");
	CHECK_STR(a.challenges[0].token, "AbC-_123", "token");
	CHECK_STR(a.challenges[0].url, "https://p/c/1", "challenge url");
	CHECK(a.challenges[1].error != NULL &&
	    a.challenges[1].status == ST_INVALID, "challenge error");
	CHECK(a.challenges[2].token == NULL, "unknown type, no token");
	acme_authz_free(&a);

	s = "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"example.com\"},\"wildcard\":true,\"challenges\":[]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == 0 &&
	    a.wildcard && a.nchallenges == 0, "wildcard, no challenges");
	acme_authz_free(&a);
	s = "{\"status\":\"valid\",\"identifier\":\"example.com\","
	    "\"challenges\":[]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == -1,
	    "identifier not an object");
	s = "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\"},"
	    "\"challenges\":[]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == -1,
	    "identifier without value: %s", err);
	s = "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"e.com\"},\"challenges\":[{\"type\":\"http-01\","
	    "\"url\":\"https://p/c\",\"status\":\"pending\","
	    "\"token\":\"../../etc/passwd\"}]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == -1 &&
	    strstr(err, "base64url") != NULL, "token with slashes: %s", err);
	s = "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"e.com\"},\"challenges\":[{\"type\":\"http-01\","
	    "\"url\":\"http://p/c\",\"status\":\"pending\",\"token\":\"a\"}]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == -1,
	    "challenge http URL");
	s = "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"e.com\"},\"challenges\":[\"x\"]}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == -1,
	    "challenge not an object");
	s = "{\"status\":\"valid\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"e.com\"},\"challenges\":[],\"wildcard\":1}";
	CHECK(acme_parse_authz(L(s), &a, err, sizeof(err)) == -1,
	    "wildcard as number");

	buf_init(&b, 0);
	buf_add_str(&b, "{\"status\":\"valid\",\"identifier\":{\"type\":"
	    "\"dns\",\"value\":\"e.com\"},\"challenges\":[");
	for (i = 0; i < 17; i++)
		buf_printf(&b, "%s{\"type\":\"t\",\"url\":\"https://p/%d\","
		    "\"status\":\"pending\"}", i ? "," : "", i);
	buf_add_str(&b, "]}");
	CHECK(acme_parse_authz(b.data, b.len, &a, err, sizeof(err)) == -1,
	    "17 challenges: %s", err);
	buf_free(&b);

	s = "{\"type\":\"http-01\",\"url\":\"https://p/c/1\","
	    "\"token\":\"tok\",\"status\":\"processing\"}";
	CHECK(acme_parse_challenge(L(s), &c, err, sizeof(err)) == 0 &&
	    c.status == ST_PROCESSING, "challenge alone");
	CHECK_STR(c.type, "http-01", "challenge type");
	acme_challenge_free(&c);
	s = "{\"type\":\"http-01\",\"token\":\"tok\",\"status\":\"valid\"}";
	CHECK(acme_parse_challenge(L(s), &c, err, sizeof(err)) == -1,
	    "challenge without url");
	s = "{\"type\":\"http-01\",\"url\":\"https://p/c\",\"token\":\"\","
	    "\"status\":\"valid\"}";
	CHECK(acme_parse_challenge(L(s), &c, err, sizeof(err)) == -1,
	    "empty token");
}

static void
t_renewal_info(void)
{
	struct acme_renewal_info ri;
	time_t			 t;
	const char		*s;

	s = "{\"suggestedWindow\":{\"start\":\"2025-01-02T03:04:05Z\","
	    "\"end\":\"2025-01-03T03:04:05.123456Z\"},"
	    "\"explanationURL\":\"https://p/why\"}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == 0,
	    "ari good: %s", err);
	CHECK(ri.start == 1735787045 && ri.end == 1735787045 + 86400,
	    "ari times %lld %lld", (long long)ri.start, (long long)ri.end);
	CHECK_STR(ri.explanation_url, "https://p/why", "explanation");
	acme_renewal_info_free(&ri);

	s = "{\"suggestedWindow\":{\"start\":\"2025-01-02T05:04:05+02:00\","
	    "\"end\":\"2025-01-01T23:04:05-05:00\"}}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == 0 &&
	    ri.start == 1735787045 && ri.end == 1735787045 + 3600,
	    "ari offsets: %s", err);
	acme_renewal_info_free(&ri);

	s = "{\"suggestedWindow\":{\"start\":\"2025-01-03T00:00:00Z\","
	    "\"end\":\"2025-01-02T00:00:00Z\"}}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == -1 &&
	    strstr(err, "not before") != NULL, "start after end: %s", err);
	s = "{\"suggestedWindow\":{\"start\":\"2025-01-02T00:00:00Z\","
	    "\"end\":\"2025-01-02T00:00:00Z\"}}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == -1,
	    "empty window");
	s = "{\"suggestedWindow\":{\"start\":\"2025-01-02 00:00:00\","
	    "\"end\":\"2025-01-03T00:00:00Z\"}}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == -1,
	    "bad date: %s", err);
	s = "{\"suggestedWindow\":{\"start\":1735787045,"
	    "\"end\":\"2025-01-03T00:00:00Z\"}}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == -1,
	    "number for date");
	s = "{\"suggestedWindow\":{\"start\":\"2025-01-02T00:00:00Z\"}}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == -1,
	    "no end");
	s = "{\"explanationURL\":\"https://p/why\"}";
	CHECK(acme_parse_renewal_info(L(s), &ri, err, sizeof(err)) == -1,
	    "no window");

	CHECK(json_rfc3339("2024-02-29T23:59:60Z", &t) == 0, "leap day/sec");
	CHECK(json_rfc3339("2023-02-29T00:00:00Z", &t) == -1, "no Feb 29");
	CHECK(json_rfc3339("2023-13-01T00:00:00Z", &t) == -1, "month 13");
	CHECK(json_rfc3339("2023-01-01T24:00:00Z", &t) == -1, "hour 24");
	CHECK(json_rfc3339("2023-01-01T00:00:00", &t) == -1, "no zone");
	CHECK(json_rfc3339("2023-01-01T00:00:00.Z", &t) == -1, "empty frac");
	CHECK(json_rfc3339("2023-01-01T00:00:00Zx", &t) == -1, "trailing");
	CHECK(json_rfc3339("1970-01-01t00:00:00z", &t) == 0 && t == 0,
	    "lowercase t, z");
}

/* Parses s with yajl_tree; the caller frees. */
static yajl_val
reparse(const char *s)
{
	char	 e[128];

	return s == NULL ? NULL : yajl_tree_parse(s, e, sizeof(e));
}

static const char *
vstr(yajl_val v)
{
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

static const char *
path_str(yajl_val v, const char *a, const char *b)
{
	const char	*path[] = { a, b, NULL };

	return YAJL_GET_STRING(yajl_tree_get(v, path, yajl_t_string));
}

static void
t_builders(void)
{
	struct acme_eab	 eab;
	const char	*names[3], *hard;
	yajl_val	 v, arr, id;
	char		*s;
	unsigned char	 der[300];
	size_t		 i;

	s = acme_req_new_account("a@example.com", 0, NULL);
	v = reparse(s);
	CHECK(v != NULL, "newAccount parses: %s", s);
	CHECK(YAJL_IS_TRUE(json_get(v, "termsOfServiceAgreed")), "tos");
	arr = json_get(v, "contact");
	CHECK(YAJL_IS_ARRAY(arr) && arr->u.array.len == 1 &&
	    strcmp(vstr(arr->u.array.values[0]),
	    "mailto:a@example.com") == 0, "contact mailto");
	yajl_tree_free(v);
	free(s);

	s = acme_req_new_account(NULL, 0, NULL);
	CHECK_STR(s, "{\"termsOfServiceAgreed\":true}", "no contact");
	free(s);
	s = acme_req_new_account("a@b", 1, NULL);
	CHECK_STR(s, "{\"onlyReturnExisting\":true}", "only existing");
	free(s);
	eab.protected = (char *)"eyJhbGciOiJIUzI1NiJ9";
	eab.payload = (char *)"e30";
	eab.signature = (char *)"c2ln";
	s = acme_req_new_account("a@b", 0, &eab);
	CHECK_STR(s, "{\"termsOfServiceAgreed\":true,\"contact\":"
	    "[\"mailto:a@b\"],\"externalAccountBinding\":{\"protected\":"
	    "\"eyJhbGciOiJIUzI1NiJ9\",\"payload\":\"e30\",\"signature\":"
	    "\"c2ln\"}}", "external account binding");
	free(s);
	s = acme_req_new_account(NULL, 1, &eab);
	CHECK_STR(s, "{\"onlyReturnExisting\":true}",
	    "no binding in a lookup");
	free(s);

	hard = "q\"uo\\te\n\t\x01\x1f/caf\xc3\xa9@x";
	s = acme_req_new_account(hard, 0, NULL);
	v = reparse(s);
	CHECK(v != NULL, "hard contact parses: %s", s);
	arr = json_get(v, "contact");
	CHECK(YAJL_IS_ARRAY(arr) && arr->u.array.len == 1 &&
	    strncmp(vstr(arr->u.array.values[0]), "mailto:", 7) ==
	    0 && strcmp(vstr(arr->u.array.values[0]) + 7, hard) ==
	    0, "hard contact round trip");
	CHECK(s != NULL && strchr(s, '\n') == NULL && strchr(s, '\x01') ==
	    NULL, "control characters escaped");
	yajl_tree_free(v);
	free(s);
	s = acme_req_new_account("bad\xff@x", 0, NULL);
	CHECK(s == NULL, "invalid UTF-8 contact refused");
	free(s);

	names[0] = "www.example.com";
	names[1] = "192.0.2.1";
	names[2] = "2001:db8::1";
	der[0] = 0x30;
	der[1] = 0xfb;
	der[2] = 0xff;
	s = acme_req_revoke(der, 3, 0);
	CHECK_STR(s, "{\"certificate\":\"MPv_\",\"reason\":0}",
	    "revokeCert: base64url DER, unspecified given");
	free(s);
	s = acme_req_revoke(der, 3, 1);
	CHECK_STR(s, "{\"certificate\":\"MPv_\",\"reason\":1}",
	    "revokeCert: keyCompromise");
	free(s);
	CHECK(acme_req_revoke(der, 0, 0) == NULL, "revokeCert: no DER refused");
	s = acme_req_deactivate();
	CHECK_STR(s, "{\"status\":\"deactivated\"}", "deactivation");
	free(s);

	s = acme_req_new_order(names, 3, NULL, NULL);
	v = reparse(s);
	CHECK(v != NULL, "newOrder parses: %s", s);
	arr = json_get(v, "identifiers");
	CHECK(YAJL_IS_ARRAY(arr) && arr->u.array.len == 3, "3 identifiers");
	if (YAJL_IS_ARRAY(arr) && arr->u.array.len == 3) {
		id = arr->u.array.values[0];
		CHECK_STR(path_str(id, "type", NULL), "dns", "dns type");
		CHECK_STR(path_str(id, "value", NULL), "www.example.com",
		    "dns value");
		CHECK_STR(path_str(arr->u.array.values[1], "type", NULL), "ip",
		    "ipv4 type");
		CHECK_STR(path_str(arr->u.array.values[2], "type", NULL), "ip",
		    "ipv6 type");
	}
	CHECK(json_get(v, "replaces") == NULL, "no replaces");
	CHECK(json_get(v, "profile") == NULL, "no profile");
	yajl_tree_free(v);
	free(s);

	names[0] = hard;
	s = acme_req_new_order(names, 1, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
	    "tlsserver");
	v = reparse(s);
	CHECK(v != NULL && path_str(v, "replaces", NULL) != NULL &&
	    strcmp(path_str(v, "replaces", NULL),
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE") == 0, "replaces");
	arr = json_get(v, "identifiers");
	CHECK(arr != NULL && YAJL_IS_ARRAY(arr) && strcmp(path_str(
	    arr->u.array.values[0], "value", NULL), hard) == 0,
	    "hard name round trip");
	CHECK_STR(path_str(v, "profile", NULL), "tlsserver", "profile");
	yajl_tree_free(v);
	free(s);
	CHECK(acme_req_new_order(names, 0, NULL, NULL) == NULL, "no names");
	CHECK(acme_req_new_order(names, 101, NULL, NULL) == NULL,
	    "101 names");

	for (i = 0; i < sizeof(der); i++)
		der[i] = i;
	s = acme_req_finalize(der, sizeof(der));
	v = reparse(s);
	CHECK(v != NULL && path_str(v, "csr", NULL) != NULL &&
	    strncmp(path_str(v, "csr", NULL), "AAECAwQFBgcICQ", 14) == 0 &&
	    strchr(path_str(v, "csr", NULL), '=') == NULL &&
	    strlen(path_str(v, "csr", NULL)) == 400, "finalize csr");
	yajl_tree_free(v);
	free(s);
	CHECK(acme_req_finalize(der, 0) == NULL, "empty csr");

	CHECK(acme_status_parse("ready") == ST_READY, "status ready");
	CHECK(acme_status_parse("Ready") == ST_UNKNOWN, "status case");
	CHECK(acme_status_parse(NULL) == ST_UNKNOWN, "status NULL");
	CHECK_STR(acme_status_name(ST_DEACTIVATED), "deactivated",
	    "status name");
	CHECK_STR(acme_status_name(ST_MAX), "unknown", "status name max");
}

/* A certificate with a given AKI and serial, DER in *out. */
static int
make_cert(const unsigned char *aki, size_t akilen, const char *serial_hex,
    unsigned char **out)
{
	EVP_PKEY		*k;
	X509			*x;
	AUTHORITY_KEYID		*ak;
	BIGNUM			*bn = NULL;
	ASN1_INTEGER		*sn;
	int			 n;

	k = EVP_EC_gen("P-256");
	x = X509_new();
	X509_set_version(x, 2);
	BN_hex2bn(&bn, serial_hex);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_serialNumber(x, sn);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"t", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (aki != NULL) {
		ak = AUTHORITY_KEYID_new();
		ak->keyid = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(ak->keyid, aki, akilen);
		X509_add1_ext_i2d(x, NID_authority_key_identifier, ak, 0, 0);
		AUTHORITY_KEYID_free(ak);
	}
	X509_sign(x, k, EVP_sha256());
	*out = NULL;
	n = i2d_X509(x, out);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(k);
	return n;
}

static void
t_ari_id(void)
{
	/* RFC 9773 section 4.1's example. */
	static const unsigned char aki[] = { 0x69, 0x88, 0x5b, 0x6b, 0x87,
	    0x46, 0x40, 0x41, 0xe1, 0xb3, 0x7b, 0x84, 0x7b, 0xa0, 0xae, 0x2c,
	    0xde, 0x01, 0xc8, 0xd4 };
	unsigned char	*der;
	char		*id;
	int		 n;

	n = make_cert(aki, sizeof(aki), "87654321", &der);
	id = x509_ari_id(der, n);
	CHECK_STR(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
	    "RFC 9773 example id");
	free(id);
	OPENSSL_free(der);

	n = make_cert(aki, sizeof(aki), "1234", &der);
	id = x509_ari_id(der, n);
	CHECK_STR(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.EjQ", "small serial");
	free(id);
	CHECK(x509_ari_id(der, n - 10) == NULL, "truncated cert");
	OPENSSL_free(der);

	n = make_cert(NULL, 0, "1234", &der);
	CHECK(x509_ari_id(der, n) == NULL, "no AKI");
	OPENSSL_free(der);
	CHECK(x509_ari_id("junk", 4) == NULL, "junk");
}

int
main(void)
{
	t_directory();
	t_problem();
	t_clean();
	t_account();
	t_order();
	t_authz();
	t_renewal_info();
	t_builders();
	t_ari_id();
	return test_done();
}
