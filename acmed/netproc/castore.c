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
 * The certificates netproc trusts for an authority's API, in memory: the
 * PEM bundle the parent passed, indexed by subject when it arrives, and
 * an X509_LOOKUP that parses a certificate only when a verification asks
 * for its subject.  Loading a whole system bundle (some 140 roots) into
 * every TLS context would parse every one of them, 55 ms of CPU per
 * connection; a verification needs one or two.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "castore.h"
#include "x509check.h"

#define CASTORE_MAX	1024	/* certificates in one bundle */

struct ca_cert {
	unsigned char	*der;
	long		 derlen;
	unsigned long	 hash;		/* of the subject, canonical */
	int		 aux;		/* TRUSTED CERTIFICATE: trust settings */
};

struct castore {
	struct ca_cert	*certs;
	size_t		 n;
	X509_LOOKUP_METHOD *meth;
};

/*
 * Steps into the TLV at *p (of at most *len bytes): the content's start
 * and length on return, the whole TLV's length in *tlvlen.  -1 if it is
 * not a well-formed TLV of the given tag (-1: any tag).
 */
static int
tlv(const unsigned char **p, long *len, int want, long *tlvlen)
{
	const unsigned char	*start = *p;
	long			 clen;
	int			 tag, class, r;

	r = ASN1_get_object(p, &clen, &tag, &class, *len);
	if ((r & 0x80) || (r & 1) || (r & V_ASN1_CONSTRUCTED) == 0 ||
	    clen > *len - (long)(*p - start) ||
	    (want != -1 && (tag != want || class != V_ASN1_UNIVERSAL)))
		return -1;
	*tlvlen = (long)(*p - start) + clen;
	*len = clen;
	return 0;
}

/*
 * The subject Name (DER, with its header) of a certificate:
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature, issuer, validity, subject, ... } }.
 */
static int
cert_subject(const unsigned char *der, long len, const unsigned char **subj,
    long *subjlen)
{
	const unsigned char	*p = der, *q;
	long			 l = len, tl, ql, skip;
	int			 i, tag, class, r;

	if (tlv(&p, &l, V_ASN1_SEQUENCE, &tl) == -1 ||
	    tlv(&p, &l, V_ASN1_SEQUENCE, &tl) == -1)
		return -1;
	/* p, l: the TBSCertificate's content.  Skip version if present. */
	q = p;
	ql = l;
	r = ASN1_get_object(&q, &skip, &tag, &class, ql);
	if ((r & 0x80) || skip > ql)
		return -1;
	if (class == V_ASN1_CONTEXT_SPECIFIC && tag == 0) {
		l -= (long)(q - p) + skip;
		p = q + skip;
	}
	/* serialNumber, signature, issuer, validity */
	for (i = 0; i < 4; i++) {
		q = p;
		r = ASN1_get_object(&q, &skip, &tag, &class, l);
		if ((r & 0x80) || skip > l - (long)(q - p))
			return -1;
		l -= (long)(q - p) + skip;
		p = q + skip;
	}
	q = p;
	ql = l;
	if (tlv(&q, &ql, V_ASN1_SEQUENCE, &tl) == -1)
		return -1;
	*subj = p;
	*subjlen = tl;
	return 0;
}

/* The canonical hash of a certificate's subject, as OpenSSL computes it. */
static int
subject_hash(const unsigned char *der, long len, unsigned long *hash)
{
	const unsigned char	*subj;
	X509_NAME		*name;
	long			 slen;
	int			 ok = 0;

	if (cert_subject(der, len, &subj, &slen) == -1 ||
	    (name = d2i_X509_NAME(NULL, &subj, slen)) == NULL)
		return -1;
	*hash = X509_NAME_hash_ex(name, NULL, NULL, &ok);
	X509_NAME_free(name);
	return ok ? 0 : -1;
}

void
castore_free(struct castore *cs)
{
	size_t	 i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->n; i++)
		OPENSSL_free(cs->certs[i].der);
	free(cs->certs);
	X509_LOOKUP_meth_free(cs->meth);
	free(cs);
}

/*
 * Parses the certificates whose subject is name into the lookup's store.
 * As OpenSSL's own lookups do, ret gets the store's object without a
 * reference of its own: the caller takes one.
 */
static int
by_subject(X509_LOOKUP *lu, X509_LOOKUP_TYPE type, const X509_NAME *name,
    X509_OBJECT *ret)
{
	struct castore		*cs = X509_LOOKUP_get_method_data(lu);
	X509_STORE		*store = X509_LOOKUP_get_store(lu);
	X509_OBJECT		*obj;
	X509			*x, *held = NULL;
	const unsigned char	*p;
	unsigned long		 h;
	size_t			 i;
	int			 ok = 0;

	if (cs == NULL || store == NULL || type != X509_LU_X509)
		return 0;
	h = X509_NAME_hash_ex(name, NULL, NULL, &ok);
	if (!ok)
		return 0;
	for (i = 0; i < cs->n; i++) {
		if (cs->certs[i].hash != h)
			continue;
		p = cs->certs[i].der;
		x = cs->certs[i].aux ?
		    d2i_X509_AUX(NULL, &p, cs->certs[i].derlen) :
		    d2i_X509(NULL, &p, cs->certs[i].derlen);
		if (x == NULL)
			continue;
		if (X509_NAME_cmp(X509_get_subject_name(x), name) == 0)
			(void)X509_STORE_add_cert(store, x);
		X509_free(x);
	}
	ERR_clear_error();
	if (!X509_STORE_lock(store))
		return 0;
	obj = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store),
	    X509_LU_X509, name);
	if (obj != NULL && (held = X509_OBJECT_get0_X509(obj)) != NULL &&
	    X509_OBJECT_set1_X509(ret, held))
		X509_free(held);	/* the store's reference is ret's */
	else
		held = NULL;
	X509_STORE_unlock(store);
	return held != NULL;
}

/*
 * Indexes a PEM bundle: CERTIFICATE, X509 CERTIFICATE and TRUSTED
 * CERTIFICATE blocks (other blocks are skipped).  NULL, with the reason in
 * err, if a block is damaged, a certificate has no subject, there are
 * none or more than CASTORE_MAX: a bundle is trusted whole or not at all.
 */
struct castore *
castore_new(const char *pem, size_t len, char *err, size_t errlen)
{
	struct castore	*cs;
	struct ca_cert	*c, *nc;
	BIO		*bio;
	unsigned char	*der;
	char		*name, *header;
	long		 dlen;
	int		 aux;

	snprintf(err, errlen, "out of memory");
	if (len == 0 || len > INT_MAX) {
		snprintf(err, errlen, "%zu bytes", len);
		return NULL;
	}
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		free(cs);
		return NULL;
	}
	ERR_clear_error();
	for (;;) {
		der = NULL;
		name = header = NULL;
		if (PEM_read_bio(bio, &name, &header, &der, &dlen) != 1) {
			if (!pem_at_end()) {
				snprintf(err, errlen, "the block after "
				    "certificate %zu is damaged", cs->n);
				goto fail;
			}
			break;
		}
		aux = strcmp(name, PEM_STRING_X509_TRUSTED) == 0;
		if (!aux && strcmp(name, PEM_STRING_X509) != 0 &&
		    strcmp(name, PEM_STRING_X509_OLD) != 0) {
			OPENSSL_free(name);
			OPENSSL_free(header);
			OPENSSL_free(der);
			continue;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		if (cs->n == CASTORE_MAX) {
			snprintf(err, errlen, "more than %d certificates",
			    CASTORE_MAX);
			OPENSSL_free(der);
			goto fail;
		}
		if ((nc = reallocarray(cs->certs, cs->n + 1,
		    sizeof(*cs->certs))) == NULL) {
			OPENSSL_free(der);
			goto fail;
		}
		cs->certs = nc;
		c = &cs->certs[cs->n];
		c->der = der;
		c->derlen = dlen;
		c->aux = aux;
		if (subject_hash(der, dlen, &c->hash) == -1) {
			snprintf(err, errlen, "certificate %zu does not parse",
			    cs->n + 1);
			OPENSSL_free(der);
			goto fail;
		}
		cs->n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (cs->n == 0) {
		snprintf(err, errlen, "no certificate");
		castore_free(cs);
		return NULL;
	}
	if ((cs->meth = X509_LOOKUP_meth_new("acmed CA bundle")) == NULL ||
	    !X509_LOOKUP_meth_set_get_by_subject(cs->meth, by_subject)) {
		castore_free(cs);
		return NULL;
	}
	return cs;
 fail:
	BIO_free(bio);
	ERR_clear_error();
	castore_free(cs);
	return NULL;
}

size_t
castore_count(const struct castore *cs)
{
	return cs->n;
}

/* Makes a TLS context trust the bundle (and nothing else it lacks). */
int
castore_attach(struct castore *cs, SSL_CTX *ctx)
{
	X509_STORE	*store;
	X509_LOOKUP	*lu;

	if ((store = SSL_CTX_get_cert_store(ctx)) == NULL ||
	    (lu = X509_STORE_add_lookup(store, cs->meth)) == NULL ||
	    !X509_LOOKUP_set_method_data(lu, cs))
		return -1;
	return 0;
}
