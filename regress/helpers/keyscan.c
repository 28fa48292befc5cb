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
 * Looks for private key material in the bytes a process moved, as strace
 * recorded them:
 *
 *	keyscan [-v] -k LABEL=KEYFILE | -m LABEL=MACFILE ... TRACE...
 *
 * Each TRACE is one strace output file for one thread (strace -ff -y
 * -e read=all -e write=all): every read or write style call is followed by
 * a hex dump of its data.  The bytes are joined into one stream per
 * descriptor object (the "3<socket:[1234]>" of -y) and direction, so a
 * secret split over several calls is still whole.
 *
 * What counts as the private part of each PEM key file: every secret number
 * (EC: the scalar; RSA: d, p, q, dP, dQ, qInv) as big-endian and
 * little-endian bytes, as hex text, and as base64 and base64url at each of
 * the three alignments; the key's DER (traditional and PKCS#8); and those
 * lines of the PEM file that carry secret bytes (lines holding only public
 * values, which a CSR or JWK may carry too, are left out).  Text encodings
 * are also searched in a copy of each stream without blanks, colons, line
 * breaks, JSON "\n" escapes and the "\" of "\/", so that a PEM body, a JSON
 * string or openssl's "xx:xx:" dump cannot hide a match.
 *
 * An external account binding's MAC key (-m, a file holding it in
 * base64url) is searched for as a secret number is, and as the file's
 * text.
 *
 * Prints "scanned TRACE BYTES STREAMS" per file, with -v one "stream"
 * line per stream, and "found LABEL WHAT in TRACE STREAM DIR at OFFSET" per
 * match.  Exit 0 if nothing was found, 1 if something was, 2 on error.
 */
#include <ctype.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64.h"

#define MAX_NEEDLES	1024
#define MAX_STREAMS	1024
#define MAX_STREAM	(64 * 1024 * 1024)
#define MAX_KEYFILE	(64 * 1024)
#define MIN_NEEDLE	16	/* shorter strings could match by chance */
#define OVERLAP		8	/* secret bytes a PEM line must carry */

struct needle {
	char		 what[96];
	const char	*label;
	unsigned char	*b;
	size_t		 len;
	int		 text;	/* also searched in the normalized copy */
};

struct stream {
	char		 name[160];
	int		 dir;	/* 0 read, 1 write */
	unsigned char	*b;
	size_t		 len, cap;
};

static struct needle	 needles[MAX_NEEDLES];
static size_t		 nneedles;
static struct stream	 streams[MAX_STREAMS];
static size_t		 nstreams;
static const char *const dirs[] = { "read", "write" };

/* Secret numbers, kept to tell PEM lines with secret bytes apart. */
static unsigned char	*secrets[MAX_NEEDLES];
static size_t		 secretlen[MAX_NEEDLES];
static size_t		 nsecrets;

static void
add_needle(const char *label, const char *what, const unsigned char *b,
    size_t len, int text)
{
	struct needle	*n;

	if (len < MIN_NEEDLE)
		return;
	if (nneedles >= MAX_NEEDLES)
		errx(2, "more than %d needles", MAX_NEEDLES);
	n = &needles[nneedles++];
	n->label = label;
	snprintf(n->what, sizeof(n->what), "%s", what);
	if ((n->b = malloc(len)) == NULL)
		err(2, NULL);
	memcpy(n->b, b, len);
	n->len = len;
	n->text = text;
}

static void
b64(const unsigned char *in, size_t len, int url, char *out)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char safe[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char	*a = url ? safe : std;
	size_t		 i, o = 0;
	unsigned long	 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	/* A partial last group depends on what follows: not emitted. */
	out[o] = '\0';
}

/*
 * Every encoding of one secret number.  Base64 of a stream holding the
 * number depends on where it starts modulo 3 and, at the edges, on its
 * neighbours: for each start the groups made only of the number's bytes
 * are the same whatever surrounds it.
 */
static void
add_number(const char *label, const char *name, const BIGNUM *bn)
{
	unsigned char	*v, *r, *pad;
	char		*t, what[96];
	size_t		 len, i, s;
	int		 url;

	len = BN_num_bytes(bn);
	if ((v = malloc(len)) == NULL || (r = malloc(len)) == NULL ||
	    (pad = malloc(len + 2)) == NULL || (t = malloc(2 * len + 8)) == NULL)
		err(2, NULL);
	BN_bn2bin(bn, v);
	if (nsecrets >= MAX_NEEDLES)
		errx(2, "too many secret numbers");
	secrets[nsecrets] = v;
	secretlen[nsecrets++] = len;

	snprintf(what, sizeof(what), "%s big-endian", name);
	add_needle(label, what, v, len, 0);
	for (i = 0; i < len; i++)
		r[i] = v[len - 1 - i];
	snprintf(what, sizeof(what), "%s little-endian", name);
	add_needle(label, what, r, len, 0);

	/* Hex from the second byte: the first may be printed as one digit. */
	for (i = 1; i < len; i++)
		snprintf(t + 2 * (i - 1), 3, "%02x", v[i]);
	snprintf(what, sizeof(what), "%s hex", name);
	add_needle(label, what, (unsigned char *)t, strlen(t), 1);
	for (i = 0; t[i] != '\0'; i++)
		t[i] = toupper((unsigned char)t[i]);
	snprintf(what, sizeof(what), "%s HEX", name);
	add_needle(label, what, (unsigned char *)t, strlen(t), 1);

	for (url = 0; url <= 1; url++) {
		for (s = 0; s < 3; s++) {
			memset(pad, 0, s);
			memcpy(pad + s, v, len);
			b64(pad, len + s, url, t);
			/* Drop the group holding the padding, if any. */
			if (s > 0 && strlen(t) >= 4)
				memmove(t, t + 4, strlen(t + 4) + 1);
			snprintf(what, sizeof(what), "%s %s at +%zu", name,
			    url ? "base64url" : "base64", s);
			add_needle(label, what, (unsigned char *)t, strlen(t),
			    1);
		}
	}
	free(r);
	free(pad);
	free(t);
}

static int
carries_secret(const unsigned char *b, size_t len)
{
	size_t	 i, k;

	for (k = 0; k < nsecrets; k++)
		for (i = 0; i + OVERLAP <= len; i++)
			if (memmem(secrets[k], secretlen[k], b + i, OVERLAP) !=
			    NULL)
				return 1;
	return 0;
}

static void
add_key(char *arg)
{
	static const char *const rsa_names[] = {
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	FILE		*f;
	EVP_PKEY	*pk;
	PKCS8_PRIV_KEY_INFO *p8;
	BIGNUM		*bn;
	unsigned char	*der, dec[128];
	char		*label, *path, line[256], what[96];
	size_t		 i, before, n, lineno = 0;
	int		 len, body = 0;

	if ((path = strchr(arg, '=')) == NULL)
		errx(2, "-k %s: want LABEL=KEYFILE", arg);
	*path++ = '\0';
	label = arg;
	if ((f = fopen(path, "r")) == NULL)
		err(2, "%s", path);
	if ((pk = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		errx(2, "%s: not a PEM private key", path);

	before = nneedles;
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		bn = NULL;
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn))
			errx(2, "%s: no EC private scalar", path);
		add_number(label, "EC private scalar", bn);
		BN_free(bn);
	} else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		for (i = 0; i < sizeof(rsa_names) / sizeof(rsa_names[0]);
		    i++) {
			bn = NULL;
			if (!EVP_PKEY_get_bn_param(pk, rsa_names[i], &bn))
				errx(2, "%s: no RSA %s", path, rsa_names[i]);
			snprintf(what, sizeof(what), "RSA %s", rsa_names[i]);
			add_number(label, what, bn);
			BN_free(bn);
		}
	} else
		errx(2, "%s: neither an EC nor an RSA key", path);

	der = NULL;
	if ((len = i2d_PrivateKey(pk, &der)) <= 0)
		errx(2, "%s: cannot encode as DER", path);
	add_needle(label, "traditional DER", der, len, 0);
	OPENSSL_free(der);
	der = NULL;
	if ((p8 = EVP_PKEY2PKCS8(pk)) == NULL ||
	    (len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0)
		errx(2, "%s: cannot encode as PKCS#8", path);
	add_needle(label, "PKCS#8 DER", der, len, 0);
	OPENSSL_free(der);
	PKCS8_PRIV_KEY_INFO_free(p8);

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "-----BEGIN ", 11) == 0) {
			body = 1;
			continue;
		}
		if (strncmp(line, "-----END ", 9) == 0) {
			body = 0;
			continue;
		}
		n = strlen(line);
		if (!body || n == 0 || n % 4 != 0 || n > 4 * sizeof(dec) / 3)
			continue;
		if ((len = EVP_DecodeBlock(dec, (unsigned char *)line,
		    n)) < 0)
			errx(2, "%s:%zu: not base64", path, lineno);
		if (!carries_secret(dec, len))
			continue;
		snprintf(what, sizeof(what), "PEM line %zu", lineno);
		add_needle(label, what, (unsigned char *)line, n, 0);
	}
	if (ferror(f))
		err(2, "%s", path);
	fclose(f);
	EVP_PKEY_free(pk);
	if (nneedles == before)
		errx(2, "%s: nothing to look for", path);
}

/*
 * An external account binding's MAC key, from a file holding it in
 * base64url (blanks around it and padding allowed): the key's bytes in
 * every encoding add_number() knows, and the text of the file.
 */
static void
add_mac(char *arg)
{
	FILE		*f;
	BIGNUM		*bn;
	char		*label, *path, text[4096], *s, *e;
	unsigned char	*raw;
	size_t		 n, len;

	if ((path = strchr(arg, '=')) == NULL)
		errx(2, "-m %s: LABEL=FILE", arg);
	*path++ = '\0';
	label = arg;
	if ((f = fopen(path, "r")) == NULL)
		err(2, "%s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (s = text; *s != '\0' && isspace((unsigned char)*s); s++)
		;
	for (e = s + strlen(s); e > s && (isspace((unsigned char)e[-1]) ||
	    e[-1] == '='); e--)
		;
	*e = '\0';
	if (b64url_decode(s, e - s, &raw, &len) == -1)
		errx(2, "%s: not base64url", path);
	if ((bn = BN_bin2bn(raw, (int)len, NULL)) == NULL)
		errx(2, "%s: BN_bin2bn", path);
	add_number(label, "MAC key", bn);
	BN_free(bn);
	free(raw);
	add_needle(label, "MAC key text", (unsigned char *)s, strlen(s), 1);
}

static struct stream *
stream_get(const char *name, int dir)
{
	struct stream	*s;
	size_t		 i;

	for (i = 0; i < nstreams; i++)
		if (streams[i].dir == dir &&
		    strcmp(streams[i].name, name) == 0)
			return &streams[i];
	if (nstreams >= MAX_STREAMS)
		errx(2, "more than %d streams in one trace", MAX_STREAMS);
	s = &streams[nstreams++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->dir = dir;
	s->b = NULL;
	s->len = s->cap = 0;
	return s;
}

static void
stream_add(struct stream *s, unsigned char c)
{
	unsigned char	*p;
	size_t		 ncap;

	if (s->len == s->cap) {
		if (s->cap >= MAX_STREAM)
			errx(2, "stream %s over %d bytes", s->name, MAX_STREAM);
		ncap = s->cap ? s->cap * 2 : 4096;
		if ((p = realloc(s->b, ncap)) == NULL)
			err(2, NULL);
		s->b = p;
		s->cap = ncap;
	}
	s->b[s->len++] = c;
}

/*
 * The call a dump belongs to: "read(3<socket:[1]>, ..." gives the stream
 * "3<socket:[1]>" read.  Calls without data set no stream.
 */
static struct stream *
call_stream(const char *line)
{
	static const char *const rd[] = { "read(", "readv(", "pread64(",
	    "preadv(", "preadv2(", "recvfrom(", "recvmsg(", "recvmmsg(" };
	static const char *const wr[] = { "write(", "writev(", "pwrite64(",
	    "pwritev(", "pwritev2(", "sendto(", "sendmsg(", "sendmmsg(" };
	const char	*p, *e;
	char		 name[160];
	size_t		 i, n;
	int		 dir = -1;

	for (i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
		if (strncmp(line, rd[i], strlen(rd[i])) == 0) {
			dir = 0;
			p = line + strlen(rd[i]);
		} else if (strncmp(line, wr[i], strlen(wr[i])) == 0) {
			dir = 1;
			p = line + strlen(wr[i]);
		}
	}
	if (dir == -1)
		return NULL;
	/* The descriptor and its -y path, up to the ">" before ", ". */
	for (e = p; isdigit((unsigned char)*e); e++)
		;
	if (e == p)
		return NULL;
	if (*e == '<') {
		if ((e = strstr(e, ">, ")) == NULL)
			return NULL;
		e++;
	}
	n = e - p;
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, p, n);
	name[n] = '\0';
	return stream_get(name, dir);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* " | 00000  01 02 ... 08  09 ... 10  ascii |": the bytes at fixed places. */
static int
dump_line(struct stream *s, const char *line, size_t len)
{
	size_t	 i, col;
	int	 hi, lo;

	for (i = 0; i < 16; i++) {
		col = 10 + 3 * i + (i >= 8);
		if (col + 2 > len || line[col + 2] != ' ')
			break;
		if ((hi = hexval(line[col])) == -1 ||
		    (lo = hexval(line[col + 1])) == -1)
			break;
		stream_add(s, hi << 4 | lo);
	}
	return i == 0 ? -1 : 0;
}

/* Blanks, colons, line breaks, JSON "\n" and "\r", and "\/" taken out. */
static unsigned char *
normalize(const struct stream *s, size_t *outlen)
{
	unsigned char	*o;
	size_t		 i, n = 0;

	if ((o = malloc(s->len + 1)) == NULL)
		err(2, NULL);
	for (i = 0; i < s->len; i++) {
		if (s->b[i] == '\r' || s->b[i] == '\n' || s->b[i] == ' ' ||
		    s->b[i] == '\t' || s->b[i] == ':')
			continue;
		if (s->b[i] == '\\' && i + 1 < s->len &&
		    (s->b[i + 1] == 'n' || s->b[i + 1] == 'r')) {
			i++;
			continue;
		}
		if (s->b[i] == '\\' && i + 1 < s->len && s->b[i + 1] == '/')
			continue;
		o[n++] = s->b[i];
	}
	*outlen = n;
	return o;
}

static int
scan(const char *path, int verbose)
{
	FILE		*f;
	struct stream	*cur = NULL;
	unsigned char	*norm, *hit;
	char		*line = NULL, where[64];
	size_t		 cap = 0, i, k, total = 0, nlen, lineno = 0;
	ssize_t		 len;
	int		 found = 0;

	if ((f = fopen(path, "r")) == NULL)
		err(2, "%s", path);
	nstreams = 0;
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (strncmp(line, " | ", 3) == 0) {
			if (cur == NULL)
				errx(2, "%s:%zu: data of no known call", path,
				    lineno);
			if (dump_line(cur, line, len) == -1)
				errx(2, "%s:%zu: unreadable dump", path,
				    lineno);
			continue;
		}
		if (strncmp(line, " * ", 3) == 0)
			continue;	/* "N bytes in buffer K" */
		if (strncmp(line, "<... ", 5) == 0)
			continue;	/* a resumed call: same stream */
		cur = call_stream(line);
	}
	if (ferror(f))
		err(2, "%s", path);
	free(line);
	fclose(f);

	for (i = 0; i < nstreams; i++) {
		total += streams[i].len;
		if (verbose)
			printf("stream %s %s %s %zu\n", path, streams[i].name,
			    dirs[streams[i].dir], streams[i].len);
		norm = normalize(&streams[i], &nlen);
		for (k = 0; k < nneedles; k++) {
			hit = memmem(streams[i].b, streams[i].len,
			    needles[k].b, needles[k].len);
			if (hit == NULL && needles[k].text)
				hit = memmem(norm, nlen, needles[k].b,
				    needles[k].len);
			if (hit == NULL)
				continue;
			found = 1;
			if (hit >= streams[i].b &&
			    hit < streams[i].b + streams[i].len)
				snprintf(where, sizeof(where), "at %zu",
				    (size_t)(hit - streams[i].b));
			else
				snprintf(where, sizeof(where),
				    "at %zu once normalized",
				    (size_t)(hit - norm));
			printf("found %s %s in %s %s %s %s\n",
			    needles[k].label, needles[k].what, path,
			    streams[i].name, dirs[streams[i].dir], where);
		}
		free(norm);
		free(streams[i].b);
	}
	printf("scanned %s %zu %zu\n", path, total, nstreams);
	return found;
}

static void
usage(void)
{
	fprintf(stderr, "usage: keyscan [-v] -k LABEL=KEYFILE | -m LABEL=MACFILE "
	    "[-k | -m ...] TRACE...\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	int	 ch, i, verbose = 0, found = 0, nkeys = 0;

	while ((ch = getopt(argc, argv, "k:m:v")) != -1) {
		switch (ch) {
		case 'k':
			add_key(optarg);
			nkeys++;
			break;
		case 'm':
			add_mac(optarg);
			nkeys++;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (nkeys == 0 || argc == 0)
		usage();
	for (i = 0; i < argc; i++)
		found |= scan(argv[i], verbose);
	return found ? 1 : 0;
}
