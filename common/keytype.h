/*
 * Key types shared by the parent (configuration) and keyproc (generation
 * and checks).  The numbers travel in messages, so they never change.
 */
#ifndef ACMED_KEYTYPE_H
#define ACMED_KEYTYPE_H

enum keytype {
	KEY_ECDSA = 0,		/* bits: 256 (default) or 384 */
	KEY_RSA = 1,		/* bits: 2048, 3072 (default for rsa), 4096 */
	KEY_MAX
};

#define KEY_ECDSA_DEFAULT_BITS	256
#define KEY_RSA_DEFAULT_BITS	3072

#endif
