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
 * The parent does not take netproc's word for the text it reports: an
 * ISSUE_FAILED carrying controls, as a compromised netproc could send
 * it, reaches the status file, the event hook's environment and the log
 * as visible text.  The message goes through dispatch_netproc() as the
 * parent's loop hands it on; the hook is a real program.  An order that
 * cannot be given to netproc (here there is no netproc at all) is a
 * failed attempt, which waits its backoff, not one tried again at once.
 * A certificate netproc brings is installed only for an order it was
 * given, and only as a chain an authority could have issued: with the
 * leaf's issuer, a CA, and a leaf valid no longer than a public CA may
 * issue; the chains are made here, the files are real.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "acmed/config.h"
#include "acmed/parent_state.h"
#include "test.h"
#include "t_x509.h"

#include <openssl/pem.h>

const char *const helper_dir = "/nonexistent";

#define RAW	"x\n\x1b[2K\xc2\x85\xe2\x80\xae" "fake\xff"
#define SHOWN	"x\\x0a\\x1b[2K\\u0085\\u202efake\\xff"

static char	 dir[] = "/tmp/t_parent_dispatch.XXXXXX";

/* No byte of a control character, C1 control or bidi control left. */
static int
no_raw(const char *s)
{
	return s != NULL && strchr(s, '\x1b') == NULL &&
	    strstr(s, "\xc2\x85") == NULL && strstr(s, "\xe2\x80\xae") ==
	    NULL && strchr(s, '\xff') == NULL;
}

/* The chain a, b (b NULL: none) as netproc's MSG_CERT for domain 7. */
static int
cert_msg(X509 *a, X509 *b)
{
	struct imsg	 m;
	struct buf	 buf;
	BIO		*bio;
	char		*pem;
	long		 len;
	int		 rc;

	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, a);
	if (b != NULL)
		PEM_write_bio_X509(bio, b);
	len = BIO_get_mem_data(bio, &pem);
	buf_init(&buf, IMSG_MAX_SIZE);
	buf_add_u32(&buf, 7);
	buf_add_blob(&buf, pem, (size_t)len);
	memset(&m, 0, sizeof(m));
	m.hdr.type = MSG_CERT;
	m.fd = -1;
	m.data = buf.data;
	m.datalen = buf.len;
	rc = dispatch_netproc(&m);
	buf_free(&buf);
	BIO_free(bio);
	return rc;
}

/* MSG_CERT with a, b while ds is issuing or not: 1 if it was installed. */
static int
installed(struct dstate *ds, int issuing, X509 *a, X509 *b, int *rc)
{
	char	 path[256];

	snprintf(path, sizeof(path), "%s/t.full", dir);
	unlink(path);
	ds->issuing = issuing;
	*rc = cert_msg(a, b);
	return access(path, F_OK) == 0;
}

static void
test_cert_msg(struct dstate *ds)
{
	EVP_PKEY	*key, *cakey;
	X509		*ca, *leaf, *forged;
	unsigned char	*spki = NULL;
	const char	*san = "DNS:t.s09d.test";
	char		 path[256];
	int		 rc, len;

	key = EVP_EC_gen("P-256");
	cakey = EVP_EC_gen("P-256");
	if ((len = i2d_PUBKEY(key, &spki)) <= 0)
		exit(1);
	ds->pubkey = spki;
	ds->pubkeylen = (size_t)len;
	snprintf(path, sizeof(path), "%s/t.full", dir);
	ds->d->fullchain = path;
	ca = test_cert("Test CA", cakey, NULL, NULL, 1, NULL, 90);
	leaf = test_cert("t.s09d.test", key, ca, cakey, 0, san, 90);

	CHECK(!installed(ds, 0, leaf, ca, &rc) && rc == -1,
	    "a certificate for a domain netproc has no order for: not "
	    "installed, and netproc is ended (%d)", rc);
	forged = test_cert("t.s09d.test", key, NULL, NULL, 0, san, 36500);
	CHECK(!installed(ds, 1, forged, NULL, &rc) && rc == 0 &&
	    !ds->issuing && ds->last_error != NULL,
	    "a self-signed leaf of 100 years alone: not installed (%s)",
	    ds->last_error);
	X509_free(forged);
	forged = test_cert("t.s09d.test", key, ca, cakey, 0, san, 36500);
	CHECK(!installed(ds, 1, forged, ca, &rc) && rc == 0,
	    "a leaf of 100 years from a CA: not installed");
	X509_free(forged);
	CHECK(installed(ds, 1, leaf, ca, &rc) && rc == 0 &&
	    ds->state == CERT_ISSUED && !ds->issuing,
	    "a leaf of 90 days and its CA, for an order: installed");
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
}

int
main(void)
{
	struct config	 c;
	struct authority a;
	struct domain	 d;
	struct dstate	 ds;
	struct imsg	 m;
	struct buf	 b;
	char		 path[256], *names[1], *s;
	FILE		*f;

	log_init(1, 0, "acmed");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hook", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "#!/bin/sh\nprintf '%%s' \"$ACMED_ERROR\" >%s/error\n",
	    dir);
	fclose(f);
	chmod(path, 0755);

	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.event_hook = path;
	c.check_interval = 3600;
	c.expiry_warn = 3600;
	memset(&a, 0, sizeof(a));
	a.id = 1;
	a.name = "pebble";
	a.api_url = "https://127.0.0.1:14000/dir";
	memset(&d, 0, sizeof(d));
	d.id = 7;
	d.auth = &a;
	d.handle = names[0] = "t.s09d.test";
	d.names = names;
	d.nnames = 1;
	d.auth_name = "pebble";
	TAILQ_INIT(&d.actions);
	TAILQ_INIT(&d.verifies);
	memset(&ds, 0, sizeof(ds));
	ds.d = &d;
	ds.state = CERT_MISSING;
	ds.issuing = 1;
	ds.result = 1;
	conf = &c;
	dstates = &ds;
	ndstates = 1;
	dstates_index();

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 7);
	buf_add_lstr(&b, "urn:ietf:params:acme:error:serverInternal");
	buf_add_lstr(&b, RAW);
	buf_add_i64(&b, -1);
	memset(&m, 0, sizeof(m));
	m.hdr.type = MSG_ISSUE_FAILED;
	m.fd = -1;
	m.data = b.data;
	m.datalen = b.len;
	dispatch_netproc(&m);
	buf_free(&b);

	CHECK(ds.issuing == 0 && ds.failures == 1, "the failure is taken");
	CHECK_STR(ds.last_error, SHOWN, "the last error is visible text");
	snprintf(path, sizeof(path), "%s/error", dir);
	s = test_slurp(path);
	CHECK_STR(s, SHOWN, "ACMED_ERROR is visible text");
	free(s);
	CHECK(status_write(&c, &ds, 1) == 0, "status file written");
	snprintf(path, sizeof(path), "%s/status.json", dir);
	s = test_slurp(path);
	CHECK(no_raw(s) && strstr(s, "x\\\\x0a\\\\x1b[2K\\\\u0085") != NULL,
	    "the status file holds the escapes, not the characters");
	free(s);

	/* No netproc to give the order to: a failure, with its backoff. */
	c.event_hook = NULL;
	ds.issuing = 0;
	ds.failures = 0;
	ds.next = 0;
	issue_start(&ds);
	CHECK(ds.issuing == 0 && ds.failures == 1 && ds.next > time(NULL),
	    "an order not sent is a failed attempt, tried again later (in "
	    "%lld s)", (long long)(ds.next - time(NULL)));

	test_cert_msg(&ds);

	free(ds.last_error);
	OPENSSL_free(ds.pubkey);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# %s failed\n", path);
	return test_done();
}
