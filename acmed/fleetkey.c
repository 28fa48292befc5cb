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
 * The parent's side of the fleet key: it hands keyproc the fleet key
 * file (keyproc alone reads and holds the key) and has keyproc open the
 * sealed keys a fleet shares, to write them as its own key files.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "trust.h"

/*
 * Hands the fleet key file to keyproc (MSG_FLEET_KEY_FD, queued as the
 * child start-up queues the rest): a file that does not pass the rule
 * for keys (trust.c: root's, neither group nor others may read it) is
 * not handed, and the reason logged.  keyproc logs why a key it gets
 * does not load, and answers every later request with that reason.
 */
int
fleet_key_send(const char *path)
{
	struct buf	 b;
	char		 why[TRUST_WHY_MAX];
	int		 fd, rc;

	if ((fd = trust_open(path, TRUST_SECRET, TRUST_NOGROUP, why,
	    sizeof(why))) == -1) {
		log_warnx("fleet key %s: %s", path, why);
		return -1;
	}
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_text(&b, path, MSG_TEXT_MAX);
	rc = send_msg(PROC_KEYPROC, MSG_FLEET_KEY_FD, fd, &b);
	buf_free(&b);
	return rc;
}

/*
 * Has keyproc open a sealed key, the role's (KEY_ROLE_ACCOUNT: name is
 * the authority's name; KEY_ROLE_DOMAIN: the domain's), waiting for its
 * answer.  0 with the key's PEM in *pem (NUL-terminated, *pemlen bytes
 * before the NUL; the caller frees it with freezero(*pem, *pemlen)), or
 * -1 with keyproc's reason in err, not logged: the caller names where
 * the sealed key came from.
 */
int
fleet_key_open(enum key_role role, const char *name, const void *sealed,
    size_t len, char **pem, size_t *pemlen, char *err, size_t errlen)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*p;
	size_t		 plen;
	char		*e;
	int		 rc = -1;

	*pem = NULL;
	*pemlen = 0;
	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, role) == -1 || buf_add_lstr(&b, name) == -1 ||
	    buf_add_blob(&b, sealed, len) == -1) {
		snprintf(err, errlen, "a sealed key of %zu bytes for %s: too "
		    "large", len, name);
		goto out;
	}
	if (child_call(PROC_KEYPROC, MSG_FLEET_OPEN, &b, -1, 0, &m,
	    NULL) == -1) {
		snprintf(err, errlen, "sealed key for %s: keyproc is gone",
		    name);
		goto out;
	}
	if (m.hdr.type == MSG_KEY_ERR) {
		e = key_error(&m);
		snprintf(err, errlen, "%s", e);
		free(e);
	} else if (m.hdr.type != MSG_FLEET_OPENED)
		snprintf(err, errlen, "sealed key for %s: keyproc answered "
		    "%s", name, msg_name(m.hdr.type));
	else {
		rbuf_init(&r, m.data, m.datalen);
		p = rbuf_blob(&r, &plen, MSG_KEY_PEM_MAX);
		if (rbuf_end(&r) == -1 || (*pem = malloc(plen + 1)) == NULL)
			snprintf(err, errlen, "sealed key for %s: %s", name,
			    rbuf_end(&r) == -1 ? "malformed answer" :
			    strerror(errno));
		else {
			memcpy(*pem, p, plen);
			(*pem)[plen] = '\0';
			*pemlen = plen;
			rc = 0;
		}
	}
	if (m.data != NULL)
		explicit_bzero(m.data, m.datalen);
	imsg_clear(&m);
 out:
	buf_free(&b);
	return rc;
}
