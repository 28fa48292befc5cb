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
 * The parent's side of its children: starting them (fork and exec of this
 * binary), handing each what it needs (key descriptors, listening sockets,
 * the authorities), stopping them, and starting them again after one dies.
 */
#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "listen.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sandbox.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "trust.h"

#include <openssl/crypto.h>

/*
 * What handles netproc's messages outside the loop, set by the caller
 * that owns them (children_netproc_handler()): this layer names none.
 */
static int	(*netproc_handler)(const struct imsg *);

void
children_netproc_handler(int (*h)(const struct imsg *))
{
	netproc_handler = h;
}

static int
send_peer(enum proc_id p, uint32_t type, uint32_t peerid, int fd,
    const struct buf *b)
{
	struct child	*c = &children[p];

	if (c->chan == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* What netproc resolves with is as the system has it now. */
	if (p == PROC_NETPROC)
		netroot_refresh();
	if (msg_compose(c->chan, type, peerid, fd, b) == -1) {
		log_warn("message %s to %s", msg_name(type), proc_names[p]);
		return -1;
	}
	return 0;
}

int
send_msg(enum proc_id p, uint32_t type, int fd, const struct buf *b)
{
	return send_peer(p, type, 0, fd, b);
}

/* The answer to a child's request, under the peer id it was asked with. */
int
send_answer(enum proc_id p, uint32_t type, uint32_t peerid,
    const struct buf *b)
{
	return send_peer(p, type, peerid, -1, b);
}

/*
 * A child's log line, written with the child's name.  A child may be
 * compromised: log_emit shows whatever the line holds as one line of
 * visible text, so a child cannot forge a line of another process, and
 * its line is at most critical: syslog daemons write emergency lines to
 * every terminal (and often alert lines to root's), which no child
 * decides.  A child's own fatal errors are critical already.
 */
void
child_log(enum proc_id p, const struct imsg *m)
{
	struct rbuf	 r;
	uint32_t	 pri;
	char		*line;

	rbuf_init(&r, m->data, m->datalen);
	pri = rbuf_u32(&r);
	line = rbuf_str(&r, MSG_LINE_MAX);
	if (rbuf_end(&r) == -1 || pri > LOG_DEBUG)
		log_warnx("malformed log message from %s", proc_names[p]);
	else
		log_emit(pri < LOG_CRIT ? LOG_CRIT : (int)pri, proc_names[p],
		    line);
	free(line);
}

/* What a child's sandbox holds (MSG_SANDBOXED), for the status file. */
void
child_sandboxed(enum proc_id p, const struct imsg *m)
{
	struct sandbox_level	 l;
	struct rbuf		 r;
	uint32_t		 abi;

	rbuf_init(&r, m->data, m->datalen);
	abi = rbuf_u32(&r);
	l.seccomp = rbuf_u32(&r) != 0;
	if (rbuf_end(&r) == -1 || abi > 255) {
		log_warnx("malformed SANDBOXED message from %s", proc_names[p]);
		return;
	}
	l.landlock = (int)abi;
	status_sandbox(p, &l);
	status_dirty = 1;
}

/*
 * A request to a child, waited for: keyproc answers at once, netproc
 * after its exchange with the authority.  Meanwhile the child's log lines
 * are written, what its sandbox holds is noted, and netproc's other
 * messages (READY, the account URL) go to the caller's handler other, as
 * they would in the loop (NULL: none is expected; -1 from it: netproc is
 * ended).  The answer is the first other message from keyproc, or
 * netproc's message of type want.  Returns 0 with *m filled.
 */
int
child_call(enum proc_id p, uint32_t type, const struct buf *b, int fd,
    uint32_t want, struct imsg *m, int (*other)(const struct imsg *))
{
	struct child	*c = &children[p];
	int		 r;

	/*
	 * netproc's request may need a key queued for keyproc: what is
	 * queued for keyproc goes first.
	 */
	if (p == PROC_NETPROC && children[PROC_KEYPROC].chan != NULL &&
	    ichan_flush_all(children[PROC_KEYPROC].chan) == -1) {
		log_warn("keyproc");
		return -1;
	}
	if (send_msg(p, type, fd, b) == -1 ||
	    ichan_flush_all(c->chan) == -1) {
		log_warn("%s", proc_names[p]);
		return -1;
	}
	for (;;) {
		if ((r = ichan_recv(c->chan, m)) != 1) {
			log_warnx("%s closed its channel", proc_names[p]);
			return -1;
		}
		if (msg_check(m) == -1) {
			log_warnx("malformed %s from %s",
			    msg_name(m->hdr.type), proc_names[p]);
			imsg_clear(m);
			return -1;
		}
		if (m->hdr.type == MSG_LOG) {
			child_log(p, m);
			imsg_clear(m);
			continue;
		}
		if (m->hdr.type == MSG_SANDBOXED) {
			child_sandboxed(p, m);
			imsg_clear(m);
			continue;
		}
		if (p == PROC_NETPROC && m->hdr.type != want) {
			if (other == NULL) {
				log_warnx("unexpected %s from netproc",
				    msg_name(m->hdr.type));
				r = -1;
			} else
				r = other(m);
			imsg_clear(m);
			if (r == -1) {
				/* Its SIGCHLD restarts every child. */
				kill(c->pid, SIGKILL);
				return -1;
			}
			continue;
		}
		return 0;
	}
}

/* The error text of a KEY_ERR answer. */
char *
key_error(const struct imsg *m)
{
	struct rbuf	 r;
	char		*s;

	rbuf_init(&r, m->data, m->datalen);
	(void)rbuf_u32(&r);
	s = rbuf_str(&r, MSG_TEXT_MAX);
	return s ? s : strdup("malformed error message");
}

/* Hands an authority's external account MAC key to keyproc. */
static int
eab_load(const struct authority *a)
{
	struct buf	 b;
	char		 why[TRUST_WHY_MAX];
	int		 fd, rc;

	if ((fd = trust_open(a->eab_key, TRUST_SECRET, TRUST_NOGROUP, why,
	    sizeof(why))) == -1) {
		log_warnx("authority %s: external account key %s: %s",
		    a->name, a->eab_key, why);
		return -1;
	}
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, a->id);
	buf_add_lstr(&b, a->eab_kid);
	rc = send_msg(PROC_KEYPROC, MSG_EAB_FD, fd, &b);
	buf_free(&b);
	return rc;
}

/*
 * Tells keyproc what key keyid is (role) and for which authority, and a
 * domain key's names and profile ("" for any other key, or none), so
 * that it signs with the key only what that role allows.  Sent before
 * the key itself, and before netproc can ask for anything.
 */
int
key_role(uint32_t keyid, enum key_role role, const struct authority *a,
    const char *names, const char *profile)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, keyid);
	buf_add_u32(&b, role);
	buf_add_u32(&b, a->id);
	buf_add_lstr(&b, a->name);
	buf_add_lstr(&b, a->api_url);
	buf_add_lstr(&b, names);
	buf_add_lstr(&b, profile);
	rc = send_msg(PROC_KEYPROC, MSG_KEY_ROLE, -1, &b);
	buf_free(&b);
	return rc;
}

/*
 * Authorises keyproc to sign operation op with key keyid (type
 * MSG_KEY_ALLOW), or ends that authorisation (MSG_KEY_WITHDRAW): a
 * revocation of the leaf der, a key change to the key other.  Flushed at
 * once: keyproc has it before netproc, asked next, can ask keyproc.
 */
int
key_authorise(uint32_t type, uint32_t keyid, enum key_op op, uint32_t other,
    const void *der, size_t len)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, keyid) == -1 || buf_add_u32(&b, op) == -1 ||
	    buf_add_u32(&b, other) == -1 || buf_add_blob(&b, der, len) == -1)
		log_warnx("key %u: certificate of %zu bytes too large to "
		    "authorise", keyid, len);
	else if (send_msg(PROC_KEYPROC, type, -1, &b) == 0 &&
	    ichan_flush_all(children[PROC_KEYPROC].chan) == 0)
		rc = 0;
	else
		log_warn("%s to keyproc", msg_name(type));
	buf_free(&b);
	return rc;
}

/* Logs why a key was not loaded, and keeps it in err for the caller. */
static void
key_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
key_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	log_warnx("%s", err);
}

/*
 * Hands a key to keyproc: an existing file as a descriptor, or (if create
 * is set) asks for a new key and writes it 0600, or 0640 with group as
 * its group (TRUST_NOGROUP: none), through PATH.new if create is
 * KEY_CREATE_FIXED (a name the next start knows to look for).  *existed
 * tells which; without create, a missing file is no error and nothing is
 * loaded.  A key file that does not pass the rule for keys (trust.c) is
 * refused.  -1 with the reason logged and in err.
 */
int
key_load(uint32_t keyid, const char *path, enum keytype type, int bits,
    gid_t group, int create, int *existed, char *err, size_t errlen)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*pem;
	size_t		 pemlen;
	char		*e, why[TRUST_WHY_MAX];
	int		 fd, rc = -1;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, keyid);
	buf_add_u32(&b, type);
	buf_add_u32(&b, (uint32_t)bits);
	*existed = 0;
	fd = trust_open(path, TRUST_SECRET, group, why, sizeof(why));
	if (fd != -1) {
		*existed = 1;
		if (send_msg(PROC_KEYPROC, MSG_KEY_FD, fd, &b) == -1) {
			key_fail(err, errlen, "%s: keyproc is gone", path);
			goto out;
		}
	} else if (errno == ENOENT && !create) {
		rc = 0;
		goto out;
	} else if (errno == ENOENT) {
		if (child_call(PROC_KEYPROC, MSG_KEY_NEW, &b, -1, 0, &m,
		    NULL) == -1) {
			key_fail(err, errlen, "%s: keyproc is gone", path);
			goto out;
		}
		if (m.hdr.type != MSG_KEY_PEM) {
			e = key_error(&m);
			key_fail(err, errlen, "%s: new key: %s", path, e);
			free(e);
			imsg_clear(&m);
			goto out;
		}
		rbuf_init(&r, m.data, m.datalen);
		(void)rbuf_u32(&r);
		pem = rbuf_blob(&r, &pemlen, MSG_KEY_PEM_MAX);
		if (rbuf_end(&r) == -1 || write_file_owned(path, pem, pemlen,
		    group == TRUST_NOGROUP ? 0600 : 0640, group,
		    create == KEY_CREATE_FIXED ? WRITE_FIXED : 0) == -1) {
			explicit_bzero(m.data, m.datalen);
			imsg_clear(&m);
			key_fail(err, errlen, "%s: could not write the new key",
			    path);
			goto out;
		}
		explicit_bzero(m.data, m.datalen);
		imsg_clear(&m);
		log_info("%s: new %s key", path, keytype_name(type));
	} else {
		key_fail(err, errlen, "%s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int
listeners_bind(void)
{
	struct listen_addr	*la;
	char			 err[256];
	int			 fd;
	size_t			 n = 0;

	TAILQ_FOREACH(la, &conf->listens, entry)
		n++;
	if ((listeners = calloc(n ? n : 1, sizeof(*listeners))) == NULL)
		fatal("calloc");
	TAILQ_FOREACH(la, &conf->listens, entry) {
		if ((fd = listen_socket((struct sockaddr *)&la->ss, la->sslen,
		    err, sizeof(err))) == -1) {
			log_warnx("listen on %s", err);
			return -1;
		}
		listeners[nlisteners].fd = fd;
		listeners[nlisteners].tlsalpn = la->tlsalpn;
		/* Outlives the configuration, which a reload frees. */
		if ((listeners[nlisteners].text = strdup(la->text)) == NULL)
			fatal("strdup");
		nlisteners++;
	}
	return 0;
}

/*
 * After a reload: binds the addresses of "listen on" that are new, then
 * closes those the configuration no longer names.  The new ones are bound
 * while the old ones still are, so that a failure leaves challenged
 * answering where it did: if one cannot be bound, every listener is kept
 * as it was and the reason logged.
 */
int
listeners_rebind(void)
{
	struct listen_addr	*la;
	struct listener		*nl;
	char			 err[256];
	size_t			 i, n = 0, nn = 0;
	int			 fd;

	TAILQ_FOREACH(la, &conf->listens, entry)
		n++;
	if ((nl = calloc(n ? n : 1, sizeof(*nl))) == NULL)
		fatal("calloc");
	TAILQ_FOREACH(la, &conf->listens, entry) {
		for (i = 0; i < nlisteners; i++)
			if (listeners[i].fd != -1 &&
			    listeners[i].tlsalpn == la->tlsalpn &&
			    strcmp(listeners[i].text, la->text) == 0)
				break;
		if (i < nlisteners) {
			nl[nn++] = listeners[i];
			listeners[i].fd = -1;
			continue;
		}
		if ((fd = listen_socket((struct sockaddr *)&la->ss, la->sslen,
		    err, sizeof(err))) == -1) {
			log_warnx("listen on %s: keeping the addresses of the "
			    "running configuration", err);
			goto fail;
		}
		nl[nn].fd = fd;
		nl[nn].tlsalpn = la->tlsalpn;
		if ((nl[nn++].text = strdup(la->text)) == NULL)
			fatal("strdup");
		log_info("listening on %s from now on", la->text);
	}
	for (i = 0; i < nlisteners; i++) {
		if (listeners[i].fd != -1) {
			log_info("no longer listening on %s", listeners[i].text);
			close(listeners[i].fd);
			free(listeners[i].text);
		}
	}
	free(listeners);
	listeners = nl;
	nlisteners = nn;
	return 0;
 fail:
	/* What was moved goes back; what was bound is closed. */
	for (i = 0; i < nn; i++) {
		for (n = 0; n < nlisteners; n++)
			if (listeners[n].fd == -1 &&
			    listeners[n].text == nl[i].text)
				break;
		if (n < nlisteners)
			listeners[n].fd = nl[i].fd;
		else {
			close(nl[i].fd);
			free(nl[i].text);
		}
	}
	free(nl);
	return -1;
}

/* How a child ended, for the log. */
static void
child_end_text(int p, int status, char *s, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(s, len, "%s was killed by signal %d (%s)",
		    proc_names[p], WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(s, len, "%s exited with status %d", proc_names[p],
		    WEXITSTATUS(status));
}

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads what a stopping child has sent, waiting up to ms: its last log
 * lines, and the order and account URLs netproc sent before it stopped.
 * 0 once its channel is closed.
 */
static int
child_drain(int i, int ms)
{
	struct pollfd	 pfd;
	struct imsg	 m;
	ssize_t		 n;

	pfd.fd = ichan_fd(children[i].chan);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
		return 1;
	n = ichan_read(children[i].chan);
	while (ichan_get(children[i].chan, &m) == 1) {
		if (msg_check(&m) == 0 && m.hdr.type == MSG_LOG)
			child_log(i, &m);
		else if (msg_check(&m) == 0 && i == PROC_NETPROC &&
		    netproc_handler != NULL &&
		    (m.hdr.type == MSG_ORDER_URL ||
		    m.hdr.type == MSG_ACCOUNT_URL))
			(void)netproc_handler(&m);
		imsg_clear(&m);
	}
	return !(n == 0 || (n == -1 && errno != EAGAIN));
}

/*
 * Waits until a child told to stop has exited, or the deadline: its
 * channel closes as it exits, so the wait ends at once.  What it wrote
 * before it exited is read, meanwhile and after: a child waited for
 * after another may have exited long before.  The pid, or 0 if still
 * running.
 */
static pid_t
child_wait(int i, int *status, long deadline)
{
	pid_t		 r;
	long		 left;
	int		 open = children[i].chan != NULL, reads;

	while ((r = waitpid(children[i].pid, status, WNOHANG)) == 0 &&
	    (left = deadline - now_ms()) > 0) {
		if (!open)
			poll(NULL, 0, 1);	/* closed: exiting now */
		else
			open = child_drain(i, left > 50 ? 50 : (int)left);
	}
	/* Exited: all it wrote is in the socket; bounded by its size. */
	for (reads = 0; r == children[i].pid && open && reads < 4096; reads++)
		open = child_drain(i, 0);
	return r;
}

/*
 * Whether a child told to stop ended as told: exit status 0, or netproc
 * killed by the SIGTERM it was sent before it could set its handler.
 */
static int
ended_as_told(int p, int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0;
	return p == PROC_NETPROC && WTERMSIG(status) == SIGTERM;
}

/*
 * Tells every child to leave and waits a bounded time in all, then kills
 * what is left.  netproc is told by SIGTERM, on which it exits at once:
 * it reads its channel only between requests, which an order may not end
 * for minutes.  It is held (SIGSTOP) while the others are told, so that
 * it cannot find keyproc gone before it leaves (the request it is having
 * signed would fail), nor keyproc find it gone before MSG_SHUTDOWN.  A
 * child that ends otherwise than as told (it may have been dying
 * already) is logged.
 */
void
children_stop(void)
{
	char	 s[128];
	pid_t	 r, np = children[PROC_NETPROC].pid;
	int	 i, status;
	long	 deadline;

	if (np > 0)
		(void)kill(np, SIGSTOP);
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++) {
		if (i != PROC_NETPROC && children[i].chan != NULL) {
			(void)send_msg(i, MSG_SHUTDOWN, -1, NULL);
			(void)ichan_flush(children[i].chan);
		}
	}
	if (np > 0) {
		(void)kill(np, SIGTERM);
		(void)kill(np, SIGCONT);
	}
	deadline = now_ms() + SHUTDOWN_WAIT_MS;
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++) {
		if (children[i].pid > 0) {
			r = child_wait(i, &status, deadline);
			if (r == 0) {
				log_warnx("%s did not stop in time: killed",
				    proc_names[i]);
				kill(children[i].pid, SIGKILL);
				(void)waitpid(children[i].pid, &status, 0);
			} else if (r == children[i].pid &&
			    !ended_as_told(i, status)) {
				child_end_text(i, status, s, sizeof(s));
				log_warnx("%s", s);
			}
			children[i].pid = 0;
		}
		if (children[i].chan != NULL) {
			close(ichan_fd(children[i].chan));
			ichan_free(children[i].chan);
			children[i].chan = NULL;
		}
		children[i].ready = 0;
		status_sandbox(i, NULL);
	}
	domain_keys_gone();
	status_dirty = 1;
}

/* The CA file: who could change it could have netproc trust any server. */
static int
ca_fd(const struct authority *a)
{
	const char	*path = a->ca_file ? a->ca_file : SYSTEM_CA_FILE;
	char		 why[TRUST_WHY_MAX];
	int		 fd;

	if ((fd = trust_open(path, TRUST_FOLLOW, TRUST_NOGROUP, why,
	    sizeof(why))) == -1)
		log_warnx("authority %s: CA file %s: %s", a->name, path, why);
	return fd;
}

/*
 * A failure netproc reports whose text is libcurl's for a server
 * certificate that does not verify: which CA file was used, and what to
 * change.  The parent knows the file; netproc only has a descriptor.
 */
void
ca_hint(const struct authority *a, const char *error)
{
	if (strstr(error, "SSL certificate problem") == NULL &&
	    strstr(error, "certificate verify failed") == NULL)
		return;
	log_warnx("authority %s: the certificate of %s does not verify "
	    "against %s: if the authority is the right one, name the CA "
	    "that issued its certificate with \"api ca\"", a->name,
	    a->api_url, a->ca_file != NULL ? a->ca_file :
	    "the system's trust store (" SYSTEM_CA_FILE ")");
}

char *
account_key_path(const struct authority *a)
{
	char	*p;

	if (a->account_key != NULL)
		return strdup(a->account_key);
	if (asprintf(&p, "%s/accounts/%s.key", conf->state_dir, a->name) == -1)
		return NULL;
	return p;
}

/*
 * The cluster block, for netproc to reach etcd (MSG_CLUSTER): its CA,
 * client certificate and key are read now, as they are, if they still
 * pass the rule they passed with the configuration (trust.c).  Nothing
 * is sent without a block.
 */
static int
send_cluster(void)
{
	static const char *const what[] = { "etcd ca", "etcd certificate",
	    "etcd key" };
	const struct cluster	*cl = conf->cluster;
	struct buf		 b, urls;
	const char		*paths[3];
	char			*pem[3] = { NULL, NULL, NULL }, why[TRUST_WHY_MAX];
	size_t			 len[3], i;
	int			 fd, rc = -1;

	if (cl == NULL)
		return 0;
	paths[0] = cl->ca;
	paths[1] = cl->cert;
	paths[2] = cl->key;
	for (i = 0; i < 3; i++) {
		if ((fd = trust_open(paths[i], i == 2 ? TRUST_SECRET :
		    TRUST_FOLLOW, TRUST_NOGROUP, why, sizeof(why))) == -1) {
			log_warnx("cluster: %s %s: %s", what[i], paths[i], why);
			goto out;
		}
		if (read_fd(fd, paths[i], MSG_ETCD_PEM_MAX, &pem[i],
		    &len[i]) == -1) {
			log_warn("cluster: %s %s", what[i], paths[i]);
			goto out;
		}
	}
	buf_init(&urls, MSG_ETCD_URLS_MAX);
	(void)buf_add_join(&urls, cl->endpoints, cl->nendpoints, "\n");
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_lstr(&b, cl->node);
	buf_add_lstr(&b, cl->prefix);
	buf_add_lstr(&b, buf_cstr(&urls));
	for (i = 0; i < 3; i++)
		buf_add_blob(&b, pem[i], len[i]);
	rc = send_msg(PROC_NETPROC, MSG_CLUSTER, -1, &b);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	buf_free(&urls);
 out:
	for (i = 0; i < 3; i++)
		if (pem[i] != NULL)
			freezero(pem[i], len[i]);
	return rc;
}

/* Hands keys, sockets and authorities to freshly started children. */
static int
children_configure(void)
{
	struct authority	*a;
	struct buf		 b;
	char			*path, *url, err[TRUST_WHY_MAX + 64];
	size_t			 i;
	int			 existed, fd;

	TAILQ_FOREACH(a, &conf->authorities, entry) {
		/*
		 * -r and -k make no key: they change nothing but what they
		 * were asked to, and need no account that does not exist.
		 */
		if ((path = account_key_path(a)) == NULL)
			return -1;
		if (key_role(a->id, KEY_ROLE_ACCOUNT, a, "", "") == -1 ||
		    key_load(a->id, path, a->account_keytype,
		    a->account_keybits, TRUST_NOGROUP, !revoking && !rolling,
		    &existed, err, sizeof(err)) == -1) {
			free(path);
			return -1;
		}
		free(path);
		if (a->eab_kid != NULL && !revoking && !rolling &&
		    eab_load(a) == -1)
			return -1;
		if ((fd = ca_fd(a)) == -1)
			return -1;
		url = state_read(conf->state_dir, "accounts", a->name);
		buf_init(&b, MSG_PAYLOAD_MAX);
		buf_add_u32(&b, a->id);
		buf_add_lstr(&b, a->name);
		buf_add_lstr(&b, a->api_url);
		buf_add_lstr(&b, a->contact);
		buf_add_lstr(&b, url);
		buf_add_u32(&b, a->id);
		buf_add_u32(&b, existed);
		buf_add_u32(&b, a->eab_kid != NULL);
		buf_add_u32(&b, a->max_orders);
		free(url);
		if (send_msg(PROC_NETPROC, MSG_AUTHORITY, fd, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		buf_free(&b);
	}
	for (i = 0; i < nlisteners; i++) {
		if ((fd = fcntl(listeners[i].fd, F_DUPFD_CLOEXEC, 0)) == -1)
			return -1;
		buf_init(&b, 512);
		buf_add_lstr(&b, listeners[i].text);
		if (send_msg(PROC_CHALLENGED, listeners[i].tlsalpn ?
		    MSG_LISTEN_ALPN_FD : MSG_LISTEN_FD, fd, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		buf_free(&b);
	}
	if (preflight_marker[0] != '\0') {
		buf_init(&b, 128);
		buf_add_lstr(&b, preflight_marker);
		if (send_msg(PROC_CHALLENGED, MSG_CHAL_MARKER, -1, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		buf_free(&b);
	}
	if (conf->cluster != NULL &&
	    (fleet_key_send(conf->cluster->fleet_key) == -1 ||
	    send_cluster() == -1))
		return -1;
	(void)send_msg(PROC_CHALLENGED, MSG_READY, -1, NULL);
	(void)send_msg(PROC_NETPROC, MSG_READY, -1, NULL);
	return 0;
}

/* 1 if only root, or the owner of acmed, can have written st's file. */
static int
owner_only(const struct stat *st, uid_t owner)
{
	return (st->st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	    (st->st_uid == 0 || st->st_uid == owner);
}

/*
 * Opens the child programs once, at start: every later start of a child
 * (after a crash or SIGHUP) execs these very files, whatever happened to
 * the paths since.  A program another user could have written is refused:
 * it would run as root until its sandbox.
 */
int
helpers_open(void)
{
	struct stat	 st, self;
	char		 path[PATH_MAX];
	int		 p, fd = -1, dfd;

	if (stat("/proc/self/exe", &self) == -1) {
		log_warn("/proc/self/exe");
		return -1;
	}
	/* The directory too: whoever can write it can swap a program. */
	if ((dfd = open(helper_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || fstat(dfd, &st) == -1) {
		log_warn("%s (the directory of the child programs)",
		    helper_dir);
		goto fail;
	}
	if (!owner_only(&st, self.st_uid)) {
		log_warnx("%s: not a directory owned by root (or by the owner "
		    "of acmed) and writable only by its owner", helper_dir);
		goto fail;
	}
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		(void)snprintf(path, sizeof(path), "%s/%s", helper_dir,
		    proc_names[p]);
		if ((fd = openat(dfd, proc_names[p], O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
			log_warn("%s (the %s program)", path, proc_names[p]);
			goto fail;
		}
		if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0 ||
		    !owner_only(&st, self.st_uid)) {
			log_warnx("%s: not a program owned by root (or by the "
			    "owner of acmed) and writable only by its owner",
			    path);
			goto fail;
		}
		if (exefds[p] != -1)
			close(exefds[p]);
		exefds[p] = fd;
		fd = -1;
	}
	close(dfd);
	return 0;
 fail:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	return -1;
}

/* The command line a child gets after "-P name -V tag". */
static char **
child_args(enum proc_id p)
{
	static char	*args[8];
	int		 n = 0;

	args[n++] = "-u";
	args[n++] = conf->user[p];
	args[n++] = "-C";
	args[n++] = p == PROC_NETPROC ? (char *)netroot_dir() :
	    conf->empty_dir;
	if (verbose > 0)
		args[n++] = "-v";
	if (verbose > 1)
		args[n++] = "-v";
	args[n] = NULL;
	return args;
}

int
children_start(void)
{
	char	 root[PATH_MAX];
	int	 pn[2], pk[2], pc[2], nk[2], nc[2];
	int	 fds[3], i;

	if ((size_t)snprintf(root, sizeof(root), "%s/%s", conf->state_dir,
	    NETROOT_NAME) >= sizeof(root) || netroot_make(root) == -1) {
		log_warnx("netproc has no root directory in %s",
		    conf->state_dir);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pn) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pk) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pc) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, nk) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, nc) == -1)
		fatal("socketpair");

	fds[0] = pk[1];
	fds[1] = nk[1];
	children[PROC_KEYPROC].pid = proc_exec(exefds[PROC_KEYPROC],
	    PROC_KEYPROC, fds, 2, child_args(PROC_KEYPROC));
	fds[0] = pc[1];
	fds[1] = nc[1];
	children[PROC_CHALLENGED].pid = proc_exec(exefds[PROC_CHALLENGED],
	    PROC_CHALLENGED, fds, 2, child_args(PROC_CHALLENGED));
	fds[0] = pn[1];
	fds[1] = nk[0];
	fds[2] = nc[0];
	children[PROC_NETPROC].pid = proc_exec(exefds[PROC_NETPROC],
	    PROC_NETPROC, fds, 3, child_args(PROC_NETPROC));
	close(pn[1]);
	close(pk[1]);
	close(pc[1]);
	close(nk[0]);
	close(nk[1]);
	close(nc[0]);
	close(nc[1]);
	children[PROC_NETPROC].chan = ichan_new(pn[0], IMSG_MAX_SIZE);
	children[PROC_KEYPROC].chan = ichan_new(pk[0], IMSG_MAX_SIZE);
	children[PROC_CHALLENGED].chan = ichan_new(pc[0], IMSG_MAX_SIZE);
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		if (children[i].pid == -1 || children[i].chan == NULL) {
			log_warnx("could not start %s", proc_names[i]);
			return -1;
		}
	children_started = time(NULL);
	if (children_configure() == -1)
		return -1;
	return 0;
}

/*
 * The children stop now and start again after a delay that doubles while
 * they keep failing.  The orders under way are asked for again
 * RESTART_MAX_DELAY later, or (resume: a restart the parent chose, not
 * a failure) as soon as the children are back.
 */
static void
restart_later(const char *why, int resume)
{
	size_t	 i;
	time_t	 now = time(NULL);

	if (oneshot)
		fatalx("%s", why);
	children_stop();
	if (now - children_started > 10 * RESTART_MAX_DELAY)
		restart_delay = 0;
	restart_delay = restart_delay ? restart_delay * 2 : 1;
	if (restart_delay > RESTART_MAX_DELAY)
		restart_delay = RESTART_MAX_DELAY;
	restart_at = now + restart_delay;
	for (i = 0; i < ndstates; i++)
		if (dstates[i].issuing) {
			dstates[i].issuing = 0;
			dstates[i].next = resume ? restart_at :
			    now + RESTART_MAX_DELAY;
		}
	metrics_restart();
	status_dirty = 1;
	log_warnx("%s; restarting the processes in %d s", why, restart_delay);
}

void
children_restart_later(const char *why)
{
	restart_later(why, 0);
}

void
children_restart_resume(const char *why)
{
	restart_later(why, 1);
}

/*
 * Reaps child p if it has ended and appends to why how it ended.
 * Returns 1 if it had ended.
 */
static int
child_reap(int p, char *why, size_t len)
{
	size_t	 n;
	int	 status;

	if (children[p].pid <= 0 ||
	    waitpid(children[p].pid, &status, WNOHANG) != children[p].pid)
		return 0;
	children[p].pid = 0;
	n = strlen(why);
	if (n + 2 >= len)
		return 1;
	if (n > 0) {
		strlcpy(why + n, ", ", len - n);
		n += 2;
	}
	child_end_text(p, status, why + n, len - n);
	return 1;
}

/*
 * A child ended (SIGCHLD, lost == PROC_PARENT) or closed its channel
 * (lost): says which children ended and how, then restarts them all.  A
 * child that closed its channel is on its way out and is given a moment
 * to end, so that the log can tell how; the others may have followed it.
 */
void
children_lost(enum proc_id lost)
{
	char	 why[256];

	if (children_ended(lost, why, sizeof(why)) == 0)
		children_restart_later(why);
}

/*
 * Says in why which children ended and how (see children_lost()); -1 if
 * none had and lost is PROC_PARENT, else 0.
 */
int
children_ended(enum proc_id lost, char *why, size_t len)
{
	int	 i, waited;

	why[0] = '\0';
	for (waited = 0; lost != PROC_PARENT && children[lost].pid > 0 &&
	    waited < LOST_WAIT_MS; waited += 50) {
		if (child_reap(lost, why, len))
			break;
		poll(NULL, 0, 50);
	}
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		(void)child_reap(i, why, len);
	if (why[0] == '\0') {
		if (lost == PROC_PARENT)
			return -1;
		snprintf(why, len, "%s closed its channel", proc_names[lost]);
	}
	return 0;
}
