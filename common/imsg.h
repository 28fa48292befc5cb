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
 * imsg-compatible framing over a socketpair.  Every message has a 16-byte
 * header (type, length, flags, peer id, pid); the length counts the header
 * and is checked against the channel's limit before anything is allocated.
 * A descriptor travels with a message as SCM_RIGHTS and IMSGF_HASFD set.
 */
#ifndef ACMED_IMSG_H
#define ACMED_IMSG_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define IMSG_HEADER_SIZE	16
#define IMSG_MAX_SIZE		65535
#define IMSGF_HASFD		0x0001

struct imsg_hdr {
	uint32_t	type;
	uint16_t	len;
	uint16_t	flags;
	uint32_t	peerid;
	uint32_t	pid;
};

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1 if none */
	size_t		 datalen;
	uint8_t		*data;		/* datalen bytes, NUL-terminated too */
};

struct imsgchan;

struct imsgchan	*ichan_new(int, size_t);
void		 ichan_free(struct imsgchan *);
int		 ichan_fd(const struct imsgchan *);
size_t		 ichan_queued(const struct imsgchan *);
int		 ichan_compose(struct imsgchan *, uint32_t, uint32_t, int,
		    const void *, size_t);
int		 ichan_flush(struct imsgchan *);
int		 ichan_flush_all(struct imsgchan *);
ssize_t		 ichan_read(struct imsgchan *);
int		 ichan_get(struct imsgchan *, struct imsg *);
int		 ichan_recv(struct imsgchan *, struct imsg *);
void		 imsg_clear(struct imsg *);

#endif
