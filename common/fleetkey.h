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
 * The fleet key: 32 random bytes every node of a fleet has in a file, as
 * one line of standard base64 (what "openssl rand -base64 32" prints),
 * with which keyproc seals the private keys a fleet shares.  The parent
 * checks the file when it reads its configuration; keyproc reads it from
 * the descriptor the parent passes (MSG_FLEET_KEY_FD).
 */
#ifndef ACMED_FLEETKEY_H
#define ACMED_FLEETKEY_H

#include <stddef.h>

#define FLEET_KEY_LEN		32	/* bytes: an AES-256 key */
#define FLEET_KEY_TEXT_MAX	1024	/* a fleet key file, in bytes */

int	 fleet_key_decode(const char *, size_t, unsigned char[FLEET_KEY_LEN],
	    char *, size_t);

#endif
