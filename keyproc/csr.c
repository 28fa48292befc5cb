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
 * The certificate signing request sent at finalize (RFC 8555 7.4): PKCS#10
 * in DER, the first name as the subject CN unless it is an IP address,
 * every name in the subjectAltName extension (an address as an iPAddress,
 * RFC 8738 section 4), signed with the domain key and SHA-256.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "ident.h"

#define CN_MAX		64	/* ub-common-name, RFC 5280 */

/*
 * A subjectAltName value with every name: an IP address (ident.h) as an
 * iPAddress of its 4 or 16 octets, anything else as a dNSName.
 */
GENERAL_NAMES *
san_build(char *const *names, size_t n)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gen;
	ASN1_STRING	*str;
	unsigned char	 ip[IDENT_IP_BIN_MAX];
	size_t		 i, iplen;
	int		 ok, type;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if (ident_is_ip(names[i]) &&
		    ident_ip_bin(names[i], ip, &iplen) == 0) {
			type = GEN_IPADD;
			if ((str = ASN1_OCTET_STRING_new()) == NULL)
				goto fail;
			ok = ASN1_OCTET_STRING_set(str, ip, (int)iplen);
		} else {
			type = GEN_DNS;
			if ((str = ASN1_IA5STRING_new()) == NULL)
				goto fail;
			ok = ASN1_STRING_set(str, names[i],
			    (int)strlen(names[i]));
		}
		if (!ok || (gen = GENERAL_NAME_new()) == NULL) {
			ASN1_STRING_free(str);
			goto fail;
		}
		GENERAL_NAME_set0_value(gen, type, str);
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			goto fail;
		}
	}
	return gens;
 fail:
	crypto_seterr("subjectAltName");
	GENERAL_NAMES_free(gens);
	return NULL;
}

/*
 * A CN holds at most 64 bytes; a longer first name is left out of the
 * subject, which is what CAs do too, since the SAN carries every name.
 */
int
subject_cn(X509_NAME *subj, const char *prefix, const char *name)
{
	char	 cn[CN_MAX + 1];
	size_t	 plen, nlen;

	plen = strlen(prefix);
	nlen = strlen(name);
	if (plen > CN_MAX / 2) {
		crypto_seterr("subject CN prefix \"%s\" too long", prefix);
		return -1;
	}
	if (plen + nlen > CN_MAX) {
		if (plen == 0)
			return 0;
		/* The prefix marks the certificate: keep it, cut the name. */
		nlen = CN_MAX - plen;
	}
	memcpy(cn, prefix, plen);
	memcpy(cn + plen, name, nlen);
	cn[plen + nlen] = '\0';
	if (!X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0)) {
		crypto_seterr("subject CN \"%s\"", cn);
		return -1;
	}
	return 0;
}

/*
 * DER of RSAPublicKey { modulus, publicExponent } from a provider key.
 * Returns its length, or -1.
 */
static int
rsa_public_der(EVP_PKEY *pkey, unsigned char **derp)
{
	BIGNUM		*bn[2] = { NULL, NULL };
	ASN1_INTEGER	*ai;
	unsigned char	*der = NULL, *p, *ints[2] = { NULL, NULL };
	int		 lens[2], body, hlen, i, rc = -1;

	*derp = NULL;
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &bn[0]) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &bn[1]))
		goto out;
	for (i = 0; i < 2; i++) {
		if ((ai = BN_to_ASN1_INTEGER(bn[i], NULL)) == NULL)
			goto out;
		lens[i] = i2d_ASN1_INTEGER(ai, &ints[i]);
		ASN1_INTEGER_free(ai);
		if (lens[i] <= 0)
			goto out;
	}
	body = lens[0] + lens[1];
	hlen = ASN1_object_size(1, body, V_ASN1_SEQUENCE) - body;
	if (hlen <= 0 || (der = OPENSSL_malloc(hlen + body)) == NULL)
		goto out;
	p = der;
	ASN1_put_object(&p, 1, body, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	memcpy(p, ints[0], lens[0]);
	memcpy(p + lens[0], ints[1], lens[1]);
	*derp = der;
	rc = hlen + body;
 out:
	for (i = 0; i < 2; i++) {
		BN_free(bn[i]);
		OPENSSL_free(ints[i]);
	}
	return rc;
}

/*
 * Sets a certificate's or request's SubjectPublicKeyInfo to pkey's public
 * half from the key's parameters.  X509_PUBKEY_set() does the same by
 * encoding the key and decoding the result again, which in libcrypto 3
 * costs ten times the signature.  Returns 0, or -1 for a key type it does
 * not know (the caller then uses the library's way).  The X509_PUBKEY
 * then holds the encoding only: X509_get0_pubkey() and
 * X509_REQ_get0_pubkey() of what is built here return NULL, and nothing
 * here calls them (signing uses the encoding).
 */
int
pubkey_set(X509_PUBKEY *pub, EVP_PKEY *pkey)
{
	ASN1_OBJECT	*curve;
	unsigned char	*enc = NULL;
	char		 group[64];
	size_t		 len;
	int		 nid, rlen;

	if (EVP_PKEY_is_a(pkey, "EC")) {
		if (!EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
		    (nid = OBJ_txt2nid(group)) == NID_undef ||
		    (curve = OBJ_nid2obj(nid)) == NULL ||
		    !EVP_PKEY_get_octet_string_param(pkey,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0, &len) ||
		    len == 0 || len > INT_MAX ||
		    (enc = OPENSSL_malloc(len)) == NULL)
			return -1;
		if (!EVP_PKEY_get_octet_string_param(pkey,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc, len, &len) ||
		    !X509_PUBKEY_set0_param(pub,
		    OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT, curve,
		    enc, (int)len)) {
			OPENSSL_free(enc);
			return -1;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		if ((rlen = rsa_public_der(pkey, &enc)) <= 0)
			return -1;
		if (!X509_PUBKEY_set0_param(pub, OBJ_nid2obj(NID_rsaEncryption),
		    V_ASN1_NULL, NULL, enc, rlen)) {
			OPENSSL_free(enc);
			return -1;
		}
		return 0;
	}
	return -1;
}

/*
 * DER of pkey's SubjectPublicKeyInfo, built as pubkey_set() builds it
 * (i2d_PUBKEY() goes through an encoder made anew for each call).
 * Returns the length, or -1.
 */
int
pubkey_der(EVP_PKEY *pkey, unsigned char **derp)
{
	X509_PUBKEY	*pub;
	int		 len;

	*derp = NULL;
	if ((pub = X509_PUBKEY_new()) == NULL)
		return -1;
	if (pubkey_set(pub, pkey) == 0)
		len = i2d_X509_PUBKEY(pub, derp);
	else
		len = i2d_PUBKEY(pkey, derp);
	X509_PUBKEY_free(pub);
	return len > 0 ? len : -1;
}

int
csr_build(EVP_PKEY *pkey, char *const *names, size_t n, unsigned char **derp,
    size_t *lenp)
{
	X509_REQ			*req = NULL;
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	GENERAL_NAMES			*gens = NULL;
	unsigned char			*der = NULL;
	int				 len, rc = -1;

	*derp = NULL;
	*lenp = 0;
	ERR_clear_error();
	if (n == 0 || n > NAMES_MAX) {
		crypto_seterr("CSR: %zu names (1 to %d)", n, NAMES_MAX);
		return -1;
	}
	if ((req = X509_REQ_new()) == NULL ||
	    !X509_REQ_set_version(req, X509_REQ_VERSION_1)) {
		crypto_seterr("CSR: X509_REQ_new");
		goto out;
	}
	/*
	 * A CN is a DNS name to the CAs that check it (Let's Encrypt takes
	 * one only if it is also a dNSName): none for an address.
	 */
	if (!ident_is_ip(names[0]) &&
	    subject_cn(X509_REQ_get_subject_name(req), "", names[0]) == -1)
		goto out;
	if ((gens = san_build(names, n)) == NULL)
		goto out;
	if (!X509V3_add1_i2d(&exts, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) || !X509_REQ_add_extensions(req, exts)) {
		crypto_seterr("CSR: subjectAltName extension");
		goto out;
	}
	if (pubkey_set(X509_REQ_get_X509_PUBKEY(req), pkey) == -1 &&
	    !X509_REQ_set_pubkey(req, pkey)) {
		crypto_seterr("CSR: public key");
		goto out;
	}
	if (X509_REQ_sign(req, pkey, EVP_sha256()) <= 0) {
		crypto_seterr("CSR: signature");
		goto out;
	}
	if ((len = i2d_X509_REQ(req, &der)) <= 0) {
		crypto_seterr("CSR: DER encoding");
		goto out;
	}
	*derp = der;
	*lenp = len;
	rc = 0;
 out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(gens);
	X509_REQ_free(req);
	return rc;
}
