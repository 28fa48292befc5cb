/*
 * The deployment check netproc makes for the parent: does an endpoint
 * present the certificate that was just installed?
 */
#ifndef ACMED_VERIFY_H
#define ACMED_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#define VERIFY_TIMEOUT_MS	5000	/* resolve, connect and handshake */
#define VERIFY_HOST_MAX		255
#define VERIFY_DER_MAX		(64 * 1024)
#define VERIFY_DETAIL_MAX	512

struct buf;
struct imsg;

int	verify_endpoint(const char *, int, const char *, const uint8_t *,
	    size_t, int, char *, size_t);
void	verify_request(const struct imsg *, struct buf *);

#endif
