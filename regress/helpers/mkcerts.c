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
 * Makes many valid certificates without an ACME server, for the tests
 * and benchmarks that manage thousands of them:
 *
 *	mkcerts [-a authority] [-d days] DIR N FORMAT
 *
 * DIR/ca.pem is a test CA of its own (ECDSA P-256); for each i from 1 to
 * N, NAME (printf FORMAT with i) gets DIR/NAME.key (an ECDSA P-256 key,
 * PKCS#8, mode 0600) and DIR/NAME.full (its leaf, CN and only name NAME,
 * valid from a day ago for DAYS days, default 90, signed by the CA; then
 * the CA).  The acmed configuration of those domains, signed with
 * authority (default "pebble"), goes to standard output.  Exit 0, or 1
 * with the reason.
 */
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY *
keygen(void)
{
	EVP_PKEY	*k;

	if ((k = EVP_EC_gen("P-256")) == NULL)
		errx(1, "EC key generation failed");
	return k;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    !X509_add_ext(x, e, -1))
		errx(1, "extension %s", value);
	X509_EXTENSION_free(e);
}

/* A certificate for key k named cn, valid from nb to na. */
static X509 *
cert_make(EVP_PKEY *k, const char *cn, X509 *issuer, EVP_PKEY *ik,
    time_t nb, time_t na, long serial)
{
	X509		*x;
	X509_NAME	*n;
	char		 san[300];

	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &nb) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &na) == NULL ||
	    !X509_set_pubkey(x, k) || (n = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, n) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
	    n))
		errx(1, "%s: certificate", cn);
	X509_NAME_free(n);
	if (issuer == NULL) {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
		add_ext(x, x, NID_subject_key_identifier, "hash");
	} else {
		snprintf(san, sizeof(san), "DNS:%s", cn);
		add_ext(x, issuer, NID_subject_alt_name, san);
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
		add_ext(x, issuer, NID_authority_key_identifier,
		    "keyid:always");
	}
	if (!X509_sign(x, ik ? ik : k, EVP_sha256()))
		errx(1, "%s: signature", cn);
	return x;
}

static FILE *
file_open(const char *dir, const char *name, const char *ext, mode_t mode)
{
	char	 path[PATH_MAX];
	FILE	*f;
	int	 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext) >=
	    sizeof(path))
		errx(1, "%s/%s%s: path too long", dir, name, ext);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1 || fchmod(fd, mode) == -1 ||
	    (f = fdopen(fd, "w")) == NULL)
		err(1, "%s", path);
	return f;
}

static void
file_close(FILE *f, const char *name)
{
	if (fclose(f) == EOF)
		err(1, "%s", name);
}

int
main(int argc, char *argv[])
{
	EVP_PKEY	*cak, *k;
	X509		*ca, *x;
	FILE		*f;
	const char	*auth = "pebble", *dir, *fmt, *e;
	char		 name[256];
	time_t		 now = time(NULL), nb, na;
	long		 days = 90, n, i;
	int		 ch;

	while ((ch = getopt(argc, argv, "a:d:")) != -1) {
		switch (ch) {
		case 'a':
			auth = optarg;
			break;
		case 'd':
			days = strtol(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || days < 1)
		goto usage;
	dir = argv[0];
	n = strtol(argv[1], NULL, 10);
	fmt = argv[2];
	if (n < 1 || (e = strchr(fmt, '%')) == NULL || e[1] != 'd' ||
	    strchr(e + 1, '%') != NULL)
		goto usage;

	cak = keygen();
	ca = cert_make(cak, "mkcerts test CA", NULL, NULL, now - 86400,
	    now + 3650 * 86400L, 1);
	f = file_open(dir, "ca", ".pem", 0644);
	if (!PEM_write_X509(f, ca))
		errx(1, "ca.pem");
	file_close(f, "ca.pem");
	nb = now - 86400;
	na = now + days * 86400;
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), fmt, (int)i);
		k = keygen();
		f = file_open(dir, name, ".key", 0600);
		if (!PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))
			errx(1, "%s.key", name);
		file_close(f, name);
		x = cert_make(k, name, ca, cak, nb, na, i + 1);
		f = file_open(dir, name, ".full", 0644);
		if (!PEM_write_X509(f, x) || !PEM_write_X509(f, ca))
			errx(1, "%s.full", name);
		file_close(f, name);
		printf("domain %s {\n"
		    "\tdomain key \"%s/%s.key\"\n"
		    "\tdomain full chain certificate \"%s/%s.full\"\n"
		    "\tsign with %s\n"
		    "}\n", name, dir, name, dir, name, auth);
		X509_free(x);
		EVP_PKEY_free(k);
	}
	X509_free(ca);
	EVP_PKEY_free(cak);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return 0;
 usage:
	fprintf(stderr, "usage: mkcerts [-a authority] [-d days] dir n "
	    "format\n");
	return 1;
}
