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
 * netproc's ACME state machines (acmed/netproc/acme_*.c) without a CA,
 * without keyproc and without challenged: struct acme_io is replaced by
 * a fake whose transport answers from a script of canned CA answers (each
 * request must be the one the script expects next), whose signer and CSR
 * maker answer at once, and whose clock moves only when a timer is set.
 * Every answer comes back through a queue, as the poll loop would bring
 * it.  Each test drives one path: issuance with its polls and
 * Retry-After, badNonce, an account the CA forgot, each lost answer, an
 * invalid authorization, a refused "replaces", a rate-limited new order,
 * an authorization that stays pending to the deadline, two orders
 * sharing the authority's set-up, revocation and key change, and
 * profiles: asked for when offered, left out (or the order failed) when
 * not, refused by the CA, answered with another; the directory read
 * again after a day, and after a 404 from a URL it named.
 * T_ACME_TRACE=1 in the environment lists each request as it is made.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "acmed/netproc/acme_op.h"
#include "test.h"

#define CA		"https://ca.test"
#define DIR_BODY	"{\"newNonce\":\"" CA "/nonce\",\"newAccount\":\"" CA \
			"/acct\",\"newOrder\":\"" CA "/order\",\"revokeCert\":\"" \
			CA "/revoke\",\"keyChange\":\"" CA "/kc\"}"
#define DIR_PROFILES	"{\"newNonce\":\"" CA "/nonce\",\"newAccount\":\"" CA \
			"/acct\",\"newOrder\":\"" CA "/order\",\"meta\":{" \
			"\"profiles\":{\"classic\":\"90 days\"," \
			"\"tlsserver\":\"45 days\"}}}"
#define DIR_MOVED	"{\"newNonce\":\"" CA "/nonce2\",\"newAccount\":\"" CA \
			"/acct\",\"newOrder\":\"" CA "/order2\"}"
#define ORDER(st, extra) "{\"status\":\"" st "\",\"finalize\":\"" CA \
			"/o/1/fin\",\"authorizations\":[\"" CA "/az/1\"]" \
			extra "}"
#define AUTHZ(st, chst, extra) "{\"status\":\"" st "\",\"identifier\":" \
			"{\"type\":\"dns\",\"value\":\"a.test\"}," \
			"\"challenges\":[{\"type\":\"http-01\",\"url\":\"" CA \
			"/ch/1\",\"status\":\"" chst "\",\"token\":\"tok1\"" \
			extra "}]}"
#define PROBLEM(t, d)	"{\"type\":\"urn:ietf:params:acme:error:" t "\"," \
			"\"detail\":\"" d "\"}"
#define CT_PROBLEM	"application/problem+json"
#define CT_JSON		"application/json"

enum { GET = HTTP_GET, HEAD = HTTP_HEAD, POST = HTTP_POST };

/* One answer of the canned CA, to the request it expects. */
struct canned {
	int		 method;
	const char	*url;
	long		 code;		/* 0: the answer is lost */
	const char	*ctype;
	const char	*body;
	const char	*location;
	long		 retry_after;
};

static const struct canned	*script;
static size_t			 nscript, at;

/* What the fakes were asked, for the checks. */
static char	 posted[64][512];	/* url|nonce|kid|payload of each POST */
static size_t	 nposted;
static int	 heads, published, withdrawn, csrs, thumbs;
static int	 alpn_published, alpn_withdrawn;
static char	 alpn_ident[256], alpn_gone[256];
static char	 order_url[256], account_url[256];
static long	 slept_ms[64];
static size_t	 nslept;
static long long clock_ms;
static int	 nonce_seq;

/* The loop: answers come back in the order they were made. */
struct pending {
	struct acme_op	*o;
	acme_fn		 fn;
};
static struct pending	 queue[64];
static size_t		 qhead, qtail;

static void
later(struct acme_op *o, acme_fn fn)
{
	if (qtail - qhead == sizeof(queue) / sizeof(queue[0])) {
		printf("Bail out! more than %zu answers waiting\n",
		    sizeof(queue) / sizeof(queue[0]));
		exit(1);
	}
	queue[qtail++ % 64] = (struct pending){ o, fn };
}

static void
run_queue(void)
{
	struct pending	 p;
	int		 steps = 0;

	while (qhead != qtail && steps++ < 10000) {
		p = queue[qhead++ % 64];
		p.fn(p.o);
	}
}

static int
fake_http(struct acme_op *o, enum http_method m, const char *url,
    const void *body, size_t len, const char *accept, acme_fn fn)
{
	const struct canned	*c;
	struct http_resp	*r = &o->resp;
	char			 n[32];

	(void)accept;
	http_resp_free(r);
	if (m == HTTP_HEAD)
		heads++;
	if (m == HTTP_POST && nposted < 64)
		snprintf(posted[nposted++], sizeof(posted[0]), "%.*s",
		    (int)len, (const char *)body);
	if (at >= nscript) {
		CHECK(0, "request %zu (%s) beyond the script", at, url);
		snprintf(r->error, sizeof(r->error), "no answer");
		later(o, fn);
		return 0;
	}
	if (getenv("T_ACME_TRACE") != NULL)
		printf("# %s %d %s\n", o->names[0], m, url);
	c = &script[at++];
	if ((int)m != c->method || strcmp(url, c->url) != 0) {
		CHECK(0, "request %zu: %d %s, the script expects %d %s", at,
		    m, url, c->method, c->url);
		snprintf(r->error, sizeof(r->error), "unexpected request");
		later(o, fn);
		return 0;
	}
	if (c->code == 0) {
		snprintf(r->error, sizeof(r->error), "%s: the connection "
		    "closed before the answer", url);
		r->lost = m == HTTP_POST;
		later(o, fn);
		return 0;
	}
	r->code = c->code;
	if (m != HTTP_GET) {
		snprintf(n, sizeof(n), "n%d", ++nonce_seq);
		r->nonce = strdup(n);
	}
	r->retry_after = c->retry_after > 0 ? c->retry_after : -1;
	if (c->location != NULL)
		r->location = strdup(c->location);
	r->content_type = strdup(c->ctype != NULL ? c->ctype :
	    c->code >= 400 ? CT_PROBLEM : CT_JSON);
	if (c->body != NULL)
		buf_add(&r->body, c->body, strlen(c->body));
	later(o, fn);
	return 0;
}

static void
answer(struct acme_op *o, int rc, const char *data)
{
	acme_answer_clear(&o->ans);
	o->ans.rc = rc;
	o->ans.data = data ? strdup(data) : NULL;
	o->ans.len = data ? strlen(data) : 0;
}

static void
fake_sign(struct acme_op *o, uint32_t keyid, const char *url,
    const char *nonce, const char *kid, const char *payload, acme_fn fn)
{
	char	 jws[512];

	(void)keyid;
	snprintf(jws, sizeof(jws), "%s|%s|%s|%s", url, nonce, kid,
	    payload ? payload : "");
	answer(o, 0, jws);
	later(o, fn);
}

static void
fake_key_change(struct acme_op *o, uint32_t oldid, uint32_t newid,
    const char *url, const char *nonce, const char *account, acme_fn fn)
{
	char	 jws[512];

	snprintf(jws, sizeof(jws), "%s|%s|%s|keychange %u->%u", url, nonce,
	    account, oldid, newid);
	answer(o, 0, jws);
	later(o, fn);
}

static void
fake_thumbprint(struct acme_op *o, uint32_t keyid, acme_fn fn)
{
	(void)keyid;
	thumbs++;
	answer(o, 0, "thumb");
	later(o, fn);
}

static void
fake_eab(struct acme_op *o, uint32_t keyid, const char *url, acme_fn fn)
{
	(void)keyid;
	(void)url;
	answer(o, 0, NULL);
	o->ans.eab.protected = strdup("p");
	o->ans.eab.payload = strdup("q");
	o->ans.eab.signature = strdup("s");
	later(o, fn);
}

static void
fake_csr(struct acme_op *o, uint32_t keyid, char *const *names, size_t n,
    acme_fn fn)
{
	(void)keyid;
	(void)names;
	(void)n;
	csrs++;
	answer(o, 0, "CSR");
	later(o, fn);
}

static void
fake_chal_add(struct acme_op *o, const char *token, const char *keyauth,
    acme_fn fn)
{
	CHECK_STR(keyauth, "tok1.thumb", "the key authorization of %s",
	    token);
	published++;
	answer(o, 0, NULL);
	later(o, fn);
}

static void
fake_chal_del(const char *token)
{
	(void)token;
	withdrawn++;
}

/* What the dns-01 fakes were asked. */
static char	 dns_recs[4][2][64];	/* name, value */
static size_t	 ndns_recs;
static int	 dns_removed, dns_checked, dns_fail;

static void
fake_dns_publish(struct acme_op *o, acme_fn fn)
{
	size_t	 i;

	for (i = 0; i < o->ndns && i < 4; i++) {
		snprintf(dns_recs[i][0], sizeof(dns_recs[i][0]), "%s",
		    o->dns[i].name);
		snprintf(dns_recs[i][1], sizeof(dns_recs[i][1]), "%s",
		    o->dns[i].value);
	}
	ndns_recs = o->ndns;
	answer(o, dns_fail ? -1 : 0, dns_fail ? "exited with status 3" :
	    NULL);
	later(o, fn);
}

static void
fake_dns_remove(struct acme_op *o)
{
	(void)o;
	dns_removed++;
}

static void
fake_dns_check(struct acme_op *o, acme_fn fn)
{
	dns_checked++;
	answer(o, 0, NULL);
	later(o, fn);
}

static void
fake_chal_alpn_add(struct acme_op *o, const char *ident, const char *keyauth,
    acme_fn fn)
{
	CHECK_STR(keyauth, "tok2.thumb", "the key authorization of %s's "
	    "tls-alpn-01 challenge", ident);
	snprintf(alpn_ident, sizeof(alpn_ident), "%s", ident);
	alpn_published++;
	answer(o, 0, NULL);
	later(o, fn);
}

static void
fake_chal_alpn_del(const char *ident)
{
	snprintf(alpn_gone, sizeof(alpn_gone), "%s", ident);
	alpn_withdrawn++;
}

static void
fake_order_url(struct acme_op *o, const char *url)
{
	(void)o;
	snprintf(order_url, sizeof(order_url), "%s", url);
}

static void
fake_account_url(uint32_t authid, const char *url)
{
	(void)authid;
	snprintf(account_url, sizeof(account_url), "%s", url);
}

static void
fake_timer(struct acme_op *o, long ms, acme_fn fn)
{
	if (nslept < 64)
		slept_ms[nslept++] = ms;
	clock_ms += ms;
	later(o, fn);
}

static time_t
fake_now(void)
{
	return (time_t)(clock_ms / 1000);
}

static const struct acme_io fake_io = {
	.http = fake_http,
	.sign = fake_sign,
	.key_change = fake_key_change,
	.thumbprint = fake_thumbprint,
	.eab = fake_eab,
	.csr = fake_csr,
	.chal_add = fake_chal_add,
	.chal_del = fake_chal_del,
	.dns_publish = fake_dns_publish,
	.dns_remove = fake_dns_remove,
	.dns_check = fake_dns_check,
	.chal_alpn_add = fake_chal_alpn_add,
	.chal_alpn_del = fake_chal_alpn_del,
	.order_url = fake_order_url,
	.account_url = fake_account_url,
	.timer = fake_timer,
	.now = fake_now,
};

static struct acme_authority	 auth;
static int			 finished;

static void
op_finished(struct acme_op *o)
{
	(void)o;
	finished++;
}

/* A fresh authority, and a script for the next test. */
static void
begin(const struct canned *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < auth.nnonces; i++)
		free(auth.nonces[i]);
	free(auth.account_url);
	free(auth.thumbprint);
	acme_directory_free(&auth.dir);
	memset(&auth, 0, sizeof(auth));
	acme_authority_init(&auth);
	auth.id = 1;
	auth.name = "ca";
	auth.api_url = CA "/dir";
	auth.keyid = 1;
	script = s;
	nscript = n;
	at = nposted = nslept = 0;
	nonce_seq = 0;
	heads = published = withdrawn = csrs = thumbs = finished = 0;
	alpn_published = alpn_withdrawn = 0;
	alpn_ident[0] = alpn_gone[0] = '\0';
	order_url[0] = account_url[0] = '\0';
	clock_ms = 1700000000000LL;
}

static struct acme_op *
issue_op(const char *name)
{
	struct acme_op	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->names = calloc(1, sizeof(char *))) == NULL ||
	    (o->names[0] = strdup(name)) == NULL)
		exit(1);
	o->nnames = 1;
	o->kind = ACME_ISSUE;
	o->a = &auth;
	o->domid = 7;
	o->keyid = 65537;
	o->finish = op_finished;
	return o;
}

/* Runs o to its end; whether the script was used up exactly. */
static int
drive(struct acme_op *o)
{
	acme_start(o);
	run_queue();
	if (at != nscript)
		printf("# %zu of %zu canned answers used\n", at, nscript);
	return finished == 1 && at == nscript;
}

static int
posted_has(size_t i, const char *s)
{
	return i < nposted && strstr(posted[i], s) != NULL;
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Registration, order, challenge, polls with Retry-After, download. */
static void
test_issue(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/acct", 201, NULL, "{\"status\":\"valid\"}",
		    CA "/acct/1", 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("pending", "pending", ""),
		    NULL, 0 },
		{ POST, CA "/ch/1", 200, NULL, "{\"type\":\"http-01\",\"url\":\""
		    CA "/ch/1\",\"status\":\"processing\"}", NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("pending", "processing",
		    ""), NULL, 3 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("valid", "valid", ""),
		    NULL, 0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("ready", ""), NULL, 0 },
		{ POST, CA "/o/1/fin", 200, NULL, ORDER("processing", ""),
		    NULL, 0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), NULL, 0 },
		{ POST, CA "/cert/1", 200, "application/pem-certificate-chain",
		    "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = issue_op("a.test");
	CHECK(drive(o), "issue: every canned answer used, one end");
	CHECK(o->rc == 0, "issue: succeeds (%s)", o->error ? o->error : "");
	CHECK(o->chain != NULL && o->chainlen == 5 &&
	    memcmp(o->chain, "CHAIN", 5) == 0, "issue: the chain");
	CHECK_STR(account_url, CA "/acct/1", "issue: account URL to the parent");
	CHECK_STR(order_url, CA "/o/1", "issue: order URL to the parent");
	CHECK(heads == 1, "issue: one newNonce, then nonces from answers");
	CHECK(posted_has(0, "|n1||{\"termsOfServiceAgreed\":true}") &&
	    posted_has(1, "|n2|" CA "/acct/1|"), "issue: newAccount with the "
	    "JWK and the nonce of newNonce, then the account's kid and the "
	    "nonce of the last answer (%s)", posted[1]);
	CHECK(published == 1 && withdrawn == 1, "issue: token published "
	    "and withdrawn at the end");
	CHECK(nslept >= 1 && slept_ms[0] == 3000, "issue: the authority's "
	    "Retry-After (3 s) before polling again");
	CHECK(csrs == 1 && thumbs == 1, "issue: one CSR, one thumbprint");
	acme_op_free(o);
}

/* badNonce twice: sent again with the nonce each refusal carried. */
static void
test_bad_nonce(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ POST, CA "/order", 400, NULL, PROBLEM("badNonce", "stale"),
		    NULL, 0 },
		{ POST, CA "/order", 400, NULL, PROBLEM("badNonce", "stale"),
		    NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	auth.nonces[auth.nnonces++] = strdup("n0");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == 0, "badNonce: issued after two refusals");
	CHECK(heads == 0 && posted_has(0, "|n0|") && posted_has(1, "|n1|") &&
	    posted_has(2, "|n2|"), "badNonce: each send with the refusal's "
	    "fresh nonce");
	acme_op_free(o);
}

/* The CA forgot the account: registered again, the order sent again. */
static void
test_account_gone(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 400, NULL, PROBLEM("accountDoesNotExist",
		    "no such account"), NULL, 0 },
		{ POST, CA "/acct", 201, NULL, "{\"status\":\"valid\"}",
		    CA "/acct/2", 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	auth.key_existed = 1;
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == 0, "account gone: issued");
	CHECK_STR(account_url, CA "/acct/2", "account gone: the new account "
	    "to the parent");
	CHECK(posted_has(0, CA "/acct/1|") && posted_has(1,
	    "termsOfServiceAgreed") && !posted_has(1, "onlyReturnExisting") &&
	    posted_has(2, CA "/acct/2|"), "account gone: registered without "
	    "a look-up, the order sent again for the new account");
	acme_op_free(o);
}

/*
 * The account forgotten at finalize, then finalize's answer lost: the
 * order, read again, still ready, is finalized again with its CSR, not
 * with the registration sent in between.
 */
static void
test_account_gone_at_finalize(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("ready", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/o/1/fin", 400, NULL, PROBLEM("accountDoesNotExist",
		    "no such account"), NULL, 0 },
		{ POST, CA "/acct", 201, NULL, "{\"status\":\"valid\"}",
		    CA "/acct/2", 0 },
		{ POST, CA "/o/1/fin", 0, NULL, NULL, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("ready", ""), NULL, 0 },
		{ POST, CA "/o/1/fin", 200, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), NULL, 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == 0, "account gone at finalize, answer "
	    "lost: issued (%s)", o->error ? o->error : "");
	CHECK(posted_has(5, CA "/o/1/fin|") && posted_has(5, "{\"csr\":"),
	    "account gone at finalize, answer lost: finalized again with "
	    "the CSR (%s)", posted[5]);
	acme_op_free(o);
}

/* newOrder's answer lost: ordered again, once. */
static void
test_lost_new_order(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 0, NULL, NULL, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/2", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == 0, "newOrder lost: ordered again, issued");
	CHECK_STR(order_url, CA "/o/2", "newOrder lost: the second order's "
	    "URL to the parent");
	acme_op_free(o);
}

/* newOrder's answer lost twice: the order fails, with the loss. */
static void
test_lost_new_order_twice(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 0, NULL, NULL, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 0, NULL, NULL, NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == -1, "newOrder lost twice: fails");
	CHECK(o->error != NULL && strstr(o->error, "closed before the "
	    "answer") != NULL, "newOrder lost twice: says so (%s)",
	    o->error ? o->error : "");
	acme_op_free(o);
}

/*
 * The challenge's answer lost: the authorization, read again, still
 * pending: answered again; finalize's answer lost: the order, read
 * again, is processing: not finalized again; the download's answer
 * lost: asked again.
 */
static void
test_lost_answers(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("pending", "pending", ""),
		    NULL, 0 },
		{ POST, CA "/ch/1", 0, NULL, NULL, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("pending", "pending", ""),
		    NULL, 0 },
		{ POST, CA "/ch/1", 200, NULL, "{}", NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("valid", "valid", ""),
		    NULL, 0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("ready", ""), NULL, 0 },
		{ POST, CA "/o/1/fin", 0, NULL, NULL, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("processing", ""), NULL,
		    0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), NULL, 0 },
		{ POST, CA "/cert/1", 0, NULL, NULL, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == 0, "lost answers: issued (%s)",
	    o->error ? o->error : "");
	CHECK(published == 1, "lost answers: the token published once");
	acme_op_free(o);
}

/* An authorization that becomes invalid: the CA's problem, reported. */
static void
test_invalid_authz(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("pending", "pending", ""),
		    NULL, 0 },
		{ POST, CA "/ch/1", 200, NULL, "{}", NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ("invalid", "invalid",
		    ",\"error\":" PROBLEM("unauthorized", "wrong answer")),
		    NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == -1, "invalid authorization: fails");
	CHECK_STR(o->error, "a.test: unauthorized: wrong answer",
	    "invalid authorization: the CA's problem for the name");
	CHECK_STR(o->error_type, "urn:ietf:params:acme:error:unauthorized",
	    "invalid authorization: its type");
	CHECK(withdrawn == 1, "invalid authorization: token withdrawn");
	acme_op_free(o);
}

#define AUTHZ_ID(st, type, value) "{\"status\":\"" st "\",\"identifier\":" \
			"{\"type\":\"" type "\",\"value\":\"" value "\"}," \
			"\"challenges\":[{\"type\":\"http-01\",\"url\":\"" CA \
			"/ch/1\",\"status\":\"" st "\",\"token\":\"tok1\"}]}"

/*
 * IP identifiers (RFC 8738): ordered as "ip"; an authorization for the
 * address is taken in any text form the authority writes it, one for a
 * "dns" name that reads like the address is not what was ordered.
 */
static void
test_ip_authz(void)
{
	static const struct canned ok[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_ID("pending", "ip",
		    "2001:DB8:0:0::1"), NULL, 0 },
		{ POST, CA "/ch/1", 200, NULL, "{}", NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_ID("invalid", "ip",
		    "2001:db8::1"), NULL, 0 },
	};
	static const struct canned dns[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_ID("pending", "dns",
		    "192.0.2.1"), NULL, 0 },
	};
	struct acme_op	*o;

	begin(ok, N(ok));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("2001:db8::1");
	CHECK(drive(o) && o->rc == -1 && published == 1, "ip: the "
	    "authorization for the address in another form is answered");
	CHECK(posted_has(0, "{\"identifiers\":[{\"type\":\"ip\",\"value\":"
	    "\"2001:db8::1\"}]}"), "ip: ordered as an ip identifier (%s)",
	    posted[0]);
	acme_op_free(o);

	begin(dns, N(dns));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("192.0.2.1");
	CHECK(drive(o) && o->rc == -1 && published == 0, "ip: a dns "
	    "authorization for the address fails the order");
	CHECK(o->error != NULL && strstr(o->error, "a name that was not "
	    "ordered") != NULL, "ip: ...as not ordered (%s)", o->error ?
	    o->error : "");
	acme_op_free(o);
}

#define AUTHZ_BOTH(st, types) "{\"status\":\"" st "\",\"identifier\":" \
			"{\"type\":\"dns\",\"value\":\"a.test\"}," \
			"\"challenges\":[{\"type\":\"http-01\",\"url\":\"" CA \
			"/ch/1\",\"status\":\"pending\",\"token\":\"tok1\"}," \
			"{\"type\":\"" types "\",\"url\":\"" CA "/ch/2\"," \
			"\"status\":\"pending\",\"token\":\"tok2\"}]}"

/*
 * A domain on tls-alpn-01: of the challenges offered, that one is
 * published (for the identifier), answered and withdrawn; an authority
 * that offers none fails the order with that said.
 */
static void
test_tlsalpn(void)
{
	static const struct canned ok[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_BOTH("pending",
		    "tls-alpn-01"), NULL, 0 },
		{ POST, CA "/ch/2", 200, NULL, "{}", NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_BOTH("valid",
		    "tls-alpn-01"), NULL, 0 },
		{ POST, CA "/o/1", 200, NULL, ORDER("ready", ""), NULL, 0 },
		{ POST, CA "/o/1/fin", 200, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), NULL, 0 },
		{ POST, CA "/cert/1", 200, "application/pem-certificate-chain",
		    "CHAIN", NULL, 0 },
	};
	static const struct canned none[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending", ""),
		    CA "/o/1", 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_BOTH("pending",
		    "dns-01"), NULL, 0 },
	};
	struct acme_op	*o;

	begin(ok, N(ok));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	o->challenge = ACME_CHAL_TLSALPN01;
	CHECK(drive(o) && o->rc == 0, "tls-alpn-01: issued (%s)",
	    o->error ? o->error : "");
	CHECK(alpn_published == 1 && published == 0 &&
	    strcmp(alpn_ident, "a.test") == 0, "tls-alpn-01: published for "
	    "the identifier, no http-01 token");
	CHECK(alpn_withdrawn == 1 && withdrawn == 0 &&
	    strcmp(alpn_gone, "a.test") == 0, "tls-alpn-01: withdrawn at "
	    "the end");
	acme_op_free(o);

	begin(none, N(none));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	o->challenge = ACME_CHAL_TLSALPN01;
	CHECK(drive(o) && o->rc == -1 && alpn_published == 0 &&
	    published == 0, "tls-alpn-01 not offered: the order fails, "
	    "nothing published");
	CHECK(o->error != NULL && strstr(o->error, "offers no tls-alpn-01 "
	    "challenge") != NULL, "tls-alpn-01 not offered: said (%s)",
	    o->error ? o->error : "");
	acme_op_free(o);
}

#define ORDER2(st)	"{\"status\":\"" st "\",\"finalize\":\"" CA \
			"/o/1/fin\",\"authorizations\":[\"" CA "/az/1\",\"" \
			CA "/az/2\"]}"
#define AUTHZ_DNS(n, st, chst, wild) "{\"status\":\"" st "\"," \
			"\"identifier\":{\"type\":\"dns\",\"value\":" \
			"\"a.test\"}," wild "\"challenges\":[{\"type\":" \
			"\"http-01\",\"url\":\"" CA "/hch/" n "\",\"status\":" \
			"\"pending\",\"token\":\"htok" n "\"},{\"type\":" \
			"\"dns-01\",\"url\":\"" CA "/ch/" n "\",\"status\":\"" \
			chst "\",\"token\":\"tok" n "\"}]}"

/* An order of a.test and *.a.test over dns-01. */
static struct acme_op *
dns01_op(void)
{
	struct acme_op	*o = issue_op("a.test");
	char		**n;

	if ((n = reallocarray(o->names, 2, sizeof(char *))) == NULL ||
	    (n[1] = strdup("*.a.test")) == NULL)
		exit(1);
	o->names = n;
	o->nnames = 2;
	o->challenge = ACME_CHAL_DNS01;
	return o;
}

/*
 * dns-01 (RFC 8555 section 8.4) for a.test and *.a.test: both records,
 * for the one name the wildcard's authorization names, go to the hook at
 * once, and the challenges are answered only after the check; the
 * records are removed at the end, whatever it is.  A challenge answered
 * before is published again, not answered again.
 */
static void
test_dns01(void)
{
	static const struct canned ok[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER2("pending"), CA "/o/1",
		    0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_DNS("1", "pending",
		    "pending", ""), NULL, 0 },
		{ POST, CA "/az/2", 200, NULL, AUTHZ_DNS("2", "pending",
		    "processing", "\"wildcard\":true,"), NULL, 0 },
		{ POST, CA "/ch/1", 200, NULL, "{}", NULL, 0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_DNS("1", "invalid",
		    "invalid", ""), NULL, 0 },
	};
	static const struct canned hookfail[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER2("pending"), CA "/o/1",
		    0 },
		{ POST, CA "/az/1", 200, NULL, AUTHZ_DNS("1", "pending",
		    "pending", ""), NULL, 0 },
		{ POST, CA "/az/2", 200, NULL, AUTHZ_DNS("2", "pending",
		    "pending", "\"wildcard\":true,"), NULL, 0 },
	};
	struct acme_op	*o;

	begin(ok, N(ok));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	ndns_recs = 0;
	dns_removed = dns_checked = dns_fail = 0;
	o = dns01_op();
	CHECK(drive(o) && o->rc == -1, "dns-01: every canned answer used");
	CHECK(ndns_recs == 2 && strcmp(dns_recs[0][0], "a.test") == 0 &&
	    strcmp(dns_recs[1][0], "a.test") == 0, "dns-01: both records "
	    "at once, for the name without \"*.\" (%zu)", ndns_recs);
	/* base64url(SHA-256("tok1.thumb")) */
	CHECK(ndns_recs == 2 && strlen(dns_recs[0][1]) == 43 &&
	    strcmp(dns_recs[0][1], dns_recs[1][1]) != 0, "dns-01: a digest "
	    "for each token (%s)", dns_recs[0][1]);
	CHECK(dns_checked == 1 && published == 0, "dns-01: checked once, "
	    "nothing for challenged");
	CHECK(nposted == 5 && posted_has(3, CA "/ch/1|") &&
	    posted_has(3, "|{}") && posted_has(4, CA "/az/1|"), "dns-01: "
	    "only the challenge not answered before is answered (%s)",
	    nposted > 3 ? posted[3] : "");
	CHECK(dns_removed == 1, "dns-01: the records removed after a "
	    "failed validation");
	acme_op_free(o);

	begin(hookfail, N(hookfail));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	dns_removed = dns_checked = 0;
	dns_fail = 1;
	o = dns01_op();
	CHECK(drive(o) && o->rc == -1 && dns_checked == 0, "dns-01: a "
	    "failed hook ends the order before the check");
	CHECK(o->error != NULL && strstr(o->error, "dns hook: exited with "
	    "status 3") != NULL, "dns-01: ...with the hook's reason (%s)",
	    o->error ? o->error : "");
	CHECK(dns_removed == 1, "dns-01: ...and removes what it may have "
	    "published");
	dns_fail = 0;
	acme_op_free(o);
}

/* "replaces" refused: ordered again without it. */
static void
test_replaces_refused(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 409, NULL, PROBLEM("alreadyReplaced",
		    "already replaced"), NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	o->replaces = strdup("aki.serial");
	CHECK(drive(o) && o->rc == 0, "replaces refused: issued");
	CHECK(posted_has(0, "\"replaces\":\"aki.serial\"") &&
	    !posted_has(1, "replaces"), "replaces refused: the second order "
	    "names none");
	acme_op_free(o);
}

/*
 * 429 with Retry-After to a new order: no new order before then; the
 * order goes on after it.  A Retry-After beyond the order's deadline:
 * it fails at once with the time left, for the parent to keep.
 */
static void
test_rate_limited(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 429, NULL, PROBLEM("rateLimited",
		    "slow down"), NULL, 30 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	static const struct canned s2[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 503, NULL, PROBLEM("rateLimited",
		    "come back tomorrow"), NULL, 3600 },
	};
	struct acme_op	*o;
	long long	 start;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	start = clock_ms;
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == 0, "429: issued after the pause");
	CHECK(nslept == 1 && slept_ms[0] == 30000 && clock_ms - start >=
	    30000, "429: the next new order waited the 30 s it said");
	acme_op_free(o);

	begin(s2, N(s2));
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == -1, "503 for an hour: the order fails");
	CHECK(o->retry_after == 3600, "503 for an hour: with the time left "
	    "(%ld s)", o->retry_after);
	CHECK_STR(o->error_type, "urn:ietf:params:acme:error:rateLimited",
	    "503 for an hour: rateLimited");
	CHECK(nslept == 0, "503 for an hour: no wait");
	acme_op_free(o);
}

/* An authorization that stays pending: the order ends at its deadline. */
static void
test_deadline(void)
{
	static struct canned	 s[64];
	struct acme_op		*o;
	size_t			 n = 0;

	s[n++] = (struct canned){ GET, CA "/dir", 200, NULL, DIR_BODY, NULL,
	    0 };
	s[n++] = (struct canned){ HEAD, CA "/nonce", 200, NULL, NULL, NULL,
	    0 };
	s[n++] = (struct canned){ POST, CA "/order", 201, NULL,
	    ORDER("pending", ""), CA "/o/1", 0 };
	s[n++] = (struct canned){ POST, CA "/az/1", 200, NULL,
	    AUTHZ("pending", "pending", ""), NULL, 0 };
	s[n++] = (struct canned){ POST, CA "/ch/1", 200, NULL, "{}", NULL,
	    0 };
	/* Polled every 60 s (Retry-After): 300 s is reached on the 6th. */
	while (n < 5 + 6)
		s[n++] = (struct canned){ POST, CA "/az/1", 200, NULL,
		    AUTHZ("pending", "processing", ""), NULL, 60 };
	begin(s, n);
	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	o = issue_op("a.test");
	CHECK(drive(o) && o->rc == -1, "stuck authorization: fails");
	CHECK_STR(o->error, "a.test: still pending after 300 s",
	    "stuck authorization: at its deadline, saying so");
	CHECK_STR(o->error_type, "timeout", "stuck authorization: timeout");
	acme_op_free(o);
}

/* Two orders at once: one directory, one registration, one thumbprint. */
static void
test_shared_setup(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/acct", 201, NULL, "{\"status\":\"valid\"}",
		    CA "/acct/1", 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/2\""), CA "/o/2", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN1", NULL, 0 },
		{ POST, CA "/cert/2", 200, NULL, "CHAIN2", NULL, 0 },
	};
	struct acme_op	*o1, *o2;

	begin(s, N(s));
	o1 = issue_op("a.test");
	o2 = issue_op("b.test");
	acme_start(o1);
	acme_start(o2);
	run_queue();
	CHECK(finished == 2 && at == N(s) && o1->rc == 0 && o2->rc == 0,
	    "two orders: both issued from one set-up");
	CHECK(thumbs == 1 && posted_has(0, "termsOfServiceAgreed") &&
	    !posted_has(1, "termsOfServiceAgreed") &&
	    !posted_has(2, "termsOfServiceAgreed"), "two orders: one "
	    "thumbprint, one registration");
	CHECK(heads == 2, "two orders: a newNonce only when the pool is "
	    "empty");
	acme_op_free(o1);
	acme_op_free(o2);
}

/* Revocation: already revoked is revoked. */
static void
test_revoke(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/revoke", 400, NULL, PROBLEM("alreadyRevoked",
		    "done before"), NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = issue_op("a.test");
	o->kind = ACME_REVOKE;
	o->cert_key = 1;
	o->der = strdup("DER");
	o->derlen = 3;
	o->reason = 1;
	CHECK(drive(o) && o->rc == 0, "revoke: already revoked counts as "
	    "revoked");
	CHECK(posted_has(0, CA "/revoke|n1||{\"certificate\":\"REVS\","
	    "\"reason\":1}"), "revoke: signed with the certificate's key, "
	    "JWK in the header, with its reason (%s)", posted[0]);
	acme_op_free(o);
}

/*
 * Deactivation: posted to the account's own URL, signed by the account;
 * a refusal is the operation's failure, and nothing is registered.
 */
static void
test_deactivate(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/acct/1", 200, NULL, "{\"status\":\"deactivated\"}",
		    NULL, 0 },
	};
	static const struct canned gone[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/acct/1", 403, NULL, PROBLEM("accountDoesNotExist",
		    "no such account"), NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	o = issue_op("ca");
	o->kind = ACME_DEACTIVATE;
	CHECK(drive(o) && o->rc == 0, "deactivate: done");
	CHECK(posted_has(0, CA "/acct/1|n1|" CA "/acct/1|{\"status\":"
	    "\"deactivated\"}"), "deactivate: the account's own URL, its "
	    "kid (%s)", posted[0]);
	acme_op_free(o);

	begin(gone, N(gone));
	auth.account_url = strdup(CA "/acct/1");
	o = issue_op("ca");
	o->kind = ACME_DEACTIVATE;
	CHECK(drive(o) && o->rc == -1 && o->error != NULL &&
	    strstr(o->error, "no such account") != NULL && nposted == 1,
	    "deactivate: an account the authority does not know is an "
	    "error, and none is registered (%s)", o->error);
	acme_op_free(o);
}

/* Key change: keyproc makes it whole, with the account URL. */
static void
test_key_change(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/kc", 200, NULL, "{}", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	auth.account_url = strdup(CA "/acct/1");
	o = issue_op("ca");
	o->kind = ACME_KEY_CHANGE;
	o->new_keyid = 0x80000001U;
	CHECK(drive(o) && o->rc == 0, "key change: done");
	CHECK(posted_has(0, CA "/kc|n1|" CA "/acct/1|keychange 1->2147483649"),
	    "key change: made whole by keyproc (%s)", posted[0]);
	acme_op_free(o);
}

/* --- profiles --- */

/* An op for a.test asking for profile (required or not), set up. */
static struct acme_op *
profile_op(const char *profile, int required)
{
	struct acme_op	*o;

	auth.account_url = strdup(CA "/acct/1");
	auth.thumbprint = strdup("thumb");
	auth.nonces[auth.nnonces++] = strdup("n0");
	o = issue_op("a.test");
	o->profile = strdup(profile);
	o->profile_required = required;
	return o;
}

/* Offered: the newOrder asks for it, the order echoes it. */
static void
test_profile_offered(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"profile\":\"tlsserver\",\"certificate\":\"" CA
		    "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = profile_op("tlsserver", 1);
	CHECK(drive(o) && o->rc == 0, "profile offered: issued (%s)",
	    o->error ? o->error : "");
	CHECK(posted_has(0, ",\"profile\":\"tlsserver\"}"), "profile "
	    "offered: the newOrder asks for it (%s)", posted[0]);
	acme_op_free(o);
}

/* Not offered: ordered without it; the same when it is required fails. */
static void
test_profile_not_offered(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"profile\":\"classic\",\"certificate\":\"" CA
		    "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	static const struct canned r[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = profile_op("shortlived", 0);
	CHECK(drive(o) && o->rc == 0, "profile not offered: issued (%s)",
	    o->error ? o->error : "");
	CHECK(nposted == 2 && !posted_has(0, "profile"), "profile not "
	    "offered: the newOrder has no profile (%s)", posted[0]);
	acme_op_free(o);

	begin(r, N(r));
	o = profile_op("shortlived", 1);
	CHECK(drive(o) && o->rc == -1 && nposted == 0, "profile required, "
	    "not offered: failed before any order");
	CHECK_STR(o->error, "a.test: authority ca does not offer the required "
	    "profile \"shortlived\" (it offers: classic, tlsserver)",
	    "profile required, not offered: the error names both");
	acme_op_free(o);
}

/* A newOrder for tlsserver refused as type: the error says what and why. */
static void
profile_refusal(const struct canned *s, size_t n, const char *type,
    const char *what, const char *detail)
{
	struct acme_op	*o;

	begin(s, n);
	o = profile_op("tlsserver", 0);
	CHECK(drive(o) && o->rc == -1, "%s: failed", type);
	CHECK(o->error != NULL && strstr(o->error, what) == o->error &&
	    strstr(o->error, detail) != NULL &&
	    acme_is_problem_type(o->error_type, type),
	    "%s: the profile and the CA's detail (%s)", type, o->error);
	acme_op_free(o);
}

/* Refused as invalidProfile, as unauthorized, or another profile. */
static void
test_profile_refused(void)
{
	static const struct canned inv[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/order", 400, NULL, PROBLEM("invalidProfile",
		    "profile tlsserver is not for IP identifiers"), NULL, 0 },
	};
	static const struct canned un[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/order", 403, NULL, PROBLEM("unauthorized",
		    "account 1 is not permitted to use certificate profile "
		    "\\\"tlsserver\\\""), NULL, 0 },
	};
	static const struct canned names[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/order", 400, NULL, PROBLEM("rejectedIdentifier",
		    "too many identifiers for this profile"), NULL, 0 },
	};
	static const struct canned other[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("pending",
		    ",\"profile\":\"classic\""), CA "/o/1", 0 },
	};
	struct acme_op	*o;

	profile_refusal(inv, N(inv), "invalidProfile", "a.test: authority ca "
	    "refused the profile \"tlsserver\": ", "not for IP identifiers");
	profile_refusal(un, N(un), "unauthorized", "a.test: authority ca does "
	    "not let the account use the profile \"tlsserver\": ",
	    "not permitted");
	/* A limit of the profile's, which the directory does not give. */
	profile_refusal(names, N(names), "rejectedIdentifier", CA "/order: "
	    "rejectedIdentifier: too many identifiers for this profile",
	    " (the order asked for the profile \"tlsserver\")");

	begin(other, N(other));
	o = profile_op("tlsserver", 0);
	CHECK(drive(o) && o->rc == -1 && order_url[0] == '\0',
	    "another profile echoed: failed, the order not kept");
	CHECK_STR(o->error, "a.test: authority ca answered the order for the "
	    "profile \"tlsserver\" with " CA "/o/1, an order for the profile "
	    "\"classic\"", "another profile echoed: both named");
	acme_op_free(o);
}

/* A pending order for another profile than now configured: ordered again. */
static void
test_profile_resumed(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/o/9", 200, NULL, ORDER("pending",
		    ",\"profile\":\"classic\""), NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"profile\":\"tlsserver\",\"certificate\":\"" CA
		    "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = profile_op("tlsserver", 0);
	o->order_url = strdup(CA "/o/9");
	CHECK(drive(o) && o->rc == 0, "resumed for another profile: issued "
	    "(%s)", o->error ? o->error : "");
	CHECK(posted_has(1, "\"profile\":\"tlsserver\""),
	    "resumed for another profile: ordered again with the new one");
	acme_op_free(o);
}

/*
 * A pending order kept from before: gone at the authority (404), it is
 * ordered again; not answered, or answered with a server error, the
 * attempt fails and the order is kept, never placed a second time.
 */
static void
test_resume_kept(void)
{
	static const struct canned gone[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/o/9", 404, NULL, "{\"type\":\"urn:ietf:params:"
		    "acme:error:malformed\",\"detail\":\"no such order\"}",
		    NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	static const struct canned down[] = {
		{ GET, CA "/dir", 200, NULL, DIR_PROFILES, NULL, 0 },
		{ POST, CA "/o/9", 500, NULL, "{\"type\":\"urn:ietf:params:"
		    "acme:error:serverInternal\",\"detail\":\"busy\"}",
		    NULL, 0 },
	};
	struct acme_op	*o;
	size_t		 i;
	int		 ordered = 0;

	begin(gone, N(gone));
	o = profile_op("tlsserver", 0);
	o->order_url = strdup(CA "/o/9");
	CHECK(drive(o) && o->rc == 0, "pending order gone (404): issued "
	    "(%s)", o->error ? o->error : "");
	CHECK(posted_has(1, CA "/order|"), "pending order gone (404): "
	    "ordered again");
	acme_op_free(o);

	begin(down, N(down));
	o = profile_op("tlsserver", 0);
	o->order_url = strdup(CA "/o/9");
	CHECK(drive(o) && o->rc == -1, "pending order, server error: the "
	    "attempt fails");
	for (i = 0; i < nposted; i++)
		ordered |= strncmp(posted[i], CA "/order|", strlen(CA
		    "/order|")) == 0;
	CHECK(!ordered && nposted == 1, "pending order, server error: asked "
	    "for it once, no second order");
	acme_op_free(o);
}

/* --- the directory read again --- */

/* newOrder answers 404: the directory names another URL, tried once. */
static void
test_dir_moved(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ POST, CA "/order", 404, NULL, PROBLEM("malformed",
		    "no such endpoint"), NULL, 0 },
		{ GET, CA "/dir", 200, NULL, DIR_MOVED, NULL, 0 },
		{ POST, CA "/order2", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	static const struct canned same[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ POST, CA "/order", 404, NULL, PROBLEM("malformed",
		    "no such endpoint"), NULL, 0 },
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = profile_op("x", 0);
	CHECK(drive(o) && o->rc == 0, "newOrder moved: issued (%s)",
	    o->error ? o->error : "");
	CHECK(posted_has(1, CA "/order2|n1|"), "newOrder moved: sent again to "
	    "the new URL with a fresh nonce (%s)", posted[1]);
	acme_op_free(o);

	begin(same, N(same));
	o = profile_op("x", 0);
	CHECK(drive(o) && o->rc == -1 && nposted == 1, "404, not moved: "
	    "failed, the order not sent again");
	CHECK_STR(o->error, CA "/order: malformed: no such endpoint",
	    "404, not moved: the authority's answer is the error");
	acme_op_free(o);
}

/* newNonce answers 404: asked for where the directory now says. */
static void
test_dir_nonce_moved(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ HEAD, CA "/nonce", 404, NULL, NULL, NULL, 0 },
		{ GET, CA "/dir", 200, NULL, "{\"newNonce\":\"" CA "/nonce2\","
		    "\"newAccount\":\"" CA "/acct\",\"newOrder\":\"" CA
		    "/order\"}", NULL, 0 },
		{ HEAD, CA "/nonce2", 200, NULL, NULL, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o;

	begin(s, N(s));
	o = profile_op("x", 0);
	free(auth.nonces[--auth.nnonces]);
	CHECK(drive(o) && o->rc == 0, "newNonce moved: issued (%s)",
	    o->error ? o->error : "");
	CHECK(heads == 2, "newNonce moved: asked at the new URL");
	acme_op_free(o);
}

/* A directory read more than a day ago is read again before it serves. */
static void
test_dir_daily(void)
{
	static const struct canned s[] = {
		{ GET, CA "/dir", 200, NULL, DIR_BODY, NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/1\""), CA "/o/1", 0 },
		{ POST, CA "/cert/1", 200, NULL, "CHAIN", NULL, 0 },
		{ POST, CA "/order", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/2\""), CA "/o/2", 0 },
		{ POST, CA "/cert/2", 200, NULL, "CHAIN", NULL, 0 },
		{ GET, CA "/dir", 200, NULL, DIR_MOVED, NULL, 0 },
		{ POST, CA "/order2", 201, NULL, ORDER("valid",
		    ",\"certificate\":\"" CA "/cert/3\""), CA "/o/3", 0 },
		{ POST, CA "/cert/3", 200, NULL, "CHAIN", NULL, 0 },
	};
	struct acme_op	*o[3];
	int		 i;

	begin(s, N(s));
	for (i = 0; i < 3; i++) {
		if (i == 0)
			o[i] = profile_op("x", 0);
		else
			o[i] = issue_op("a.test");
		clock_ms += i == 2 ? 1000LL * ACME_DIR_MAX_AGE : 3600000LL;
		acme_start(o[i]);
		run_queue();
	}
	CHECK(finished == 3 && at == nscript, "daily: the directory read "
	    "once in a day, again after it (%zu of %zu answers)", at, nscript);
	CHECK(o[2]->rc == 0 && posted_has(4, CA "/order2|"), "daily: the "
	    "next order goes where the directory read again says");
	for (i = 0; i < 3; i++)
		acme_op_free(o[i]);
}

int
main(void)
{
	log_init(1, 0, "t_acme");
	acme_set_io(&fake_io);
	test_issue();
	test_bad_nonce();
	test_account_gone();
	test_account_gone_at_finalize();
	test_lost_new_order();
	test_lost_new_order_twice();
	test_lost_answers();
	test_invalid_authz();
	test_ip_authz();
	test_tlsalpn();
	test_dns01();
	test_replaces_refused();
	test_rate_limited();
	test_deadline();
	test_shared_setup();
	test_revoke();
	test_deactivate();
	test_key_change();
	test_profile_offered();
	test_profile_not_offered();
	test_profile_refused();
	test_profile_resumed();
	test_resume_kept();
	test_dir_moved();
	test_dir_nonce_moved();
	test_dir_daily();
	begin(NULL, 0);
	return test_done();
}
