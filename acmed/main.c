/*
 * acmed: the parent process.
 *
 * Holds: the configuration (read as root), the listening sockets for the
 * challenge server, the state directory and the certificate files.
 * Does: starts netproc, keyproc and challenged (fork + exec of this very
 * binary), hands each what it needs (key descriptors, sockets, the
 * authorities), schedules issuance and renewal, verifies and installs
 * what netproc brings back, runs reload actions and the event hook.
 * Never: reads a byte from the network or parses an authority's answer
 * beyond the certificate chain it installs.
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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "config.h"
#include "parent.h"
#include "acme.h"

#include <openssl/crypto.h>

#define SYSTEM_CA_FILE		"/etc/ssl/certs/ca-certificates.crt"
#define RESTART_MAX_DELAY	60
#define SHUTDOWN_WAIT_MS	3000
#define VERIFY_GRACE		3	/* seconds after a reload */
#define VERIFY_TRIES		5
#define LOST_WAIT_MS		1000

struct child {
	pid_t			 pid;
	struct imsgchan		*chan;
	int			 ready;
};

struct listener {
	int			 fd;
	char			*text;
};

static struct config	*conf;
static struct child	 children[PROC_MAX];
static struct dstate	*dstates;
static size_t		 ndstates;
static struct listener	*listeners;
static size_t		 nlisteners;
static int		 exefd = -1;
static const char	*argv0 = "acmed";
static int		 foreground, verbose, oneshot;
static int		 status_dirty = 1;
static time_t		 restart_at;
static int		 restart_delay;
static time_t		 children_started;
static char		**only_domains;
static int		 nonly_domains;

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr, "usage: acmed [-dnosv] [-f file] [domain ...]\n");
	exit(1);
}

static int
child_main(const char *name)
{
	switch (proc_byname(name)) {
	case PROC_NETPROC:
		return netproc_main(foreground, verbose);
	case PROC_KEYPROC:
		return keyproc_main(foreground, verbose);
	case PROC_CHALLENGED:
		return challenged_main(foreground, verbose);
	default:
		errx(1, "unknown process %s", name);
	}
}

static struct dstate *
dstate_byid(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < ndstates; i++)
		if (dstates[i].d->id == id)
			return &dstates[i];
	return NULL;
}

static struct authority *
authority_byid(uint32_t id)
{
	struct authority	*a;

	TAILQ_FOREACH(a, &conf->authorities, entry)
		if (a->id == id)
			return a;
	return NULL;
}

static int
send_msg(enum proc_id p, uint32_t type, int fd, const struct buf *b)
{
	struct child	*c = &children[p];

	if (c->chan == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (ichan_compose(c->chan, type, 0, fd, b ? b->data : NULL,
	    b ? b->len : 0) == -1) {
		log_warn("message %s to %s", msg_name(type), proc_names[p]);
		return -1;
	}
	return 0;
}

/* A child's log line, written with the child's name. */
static void
child_log(enum proc_id p, const struct imsg *m)
{
	struct rbuf	 r;
	uint32_t	 pri;
	char		*line;

	rbuf_init(&r, m->data, m->datalen);
	pri = rbuf_u32(&r);
	line = rbuf_str(&r, IMSG_MAX_SIZE);
	if (rbuf_end(&r) == -1 || pri > LOG_DEBUG)
		log_warnx("malformed log message from %s", proc_names[p]);
	else
		log_emit((int)pri, proc_names[p], line);
	free(line);
}

/*
 * A request to keyproc answered at once: the parent waits for the reply,
 * writing keyproc's log lines meanwhile.  Returns 0 with *m filled.
 */
static int
keyproc_call(uint32_t type, const struct buf *b, int fd, struct imsg *m)
{
	struct child	*c = &children[PROC_KEYPROC];
	int		 r;

	if (send_msg(PROC_KEYPROC, type, fd, b) == -1 ||
	    ichan_flush_all(c->chan) == -1) {
		log_warn("keyproc");
		return -1;
	}
	for (;;) {
		if ((r = ichan_recv(c->chan, m)) != 1) {
			log_warnx("keyproc closed its channel");
			return -1;
		}
		if (msg_check(m) == -1) {
			log_warnx("malformed %s from keyproc",
			    msg_name(m->hdr.type));
			imsg_clear(m);
			return -1;
		}
		if (m->hdr.type == MSG_LOG) {
			child_log(PROC_KEYPROC, m);
			imsg_clear(m);
			continue;
		}
		return 0;
	}
}

/* The error text of a KEY_ERR answer. */
static char *
key_error(const struct imsg *m)
{
	struct rbuf	 r;
	char		*s;

	rbuf_init(&r, m->data, m->datalen);
	(void)rbuf_u32(&r);
	s = rbuf_str(&r, IMSG_MAX_SIZE);
	return s ? s : strdup("malformed error message");
}

/*
 * Hands a key to keyproc: an existing file as a descriptor, or asks for a
 * new key and writes it 0600.  *existed tells which.  A key file that
 * group or others may read is refused.
 */
static int
key_load(uint32_t keyid, const char *path, enum keytype type, int bits,
    int *existed)
{
	struct buf	 b;
	struct imsg	 m;
	struct stat	 st;
	struct rbuf	 r;
	const uint8_t	*pem;
	size_t		 pemlen;
	char		*e;
	int		 fd, rc = -1;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, keyid);
	buf_add_u32(&b, type);
	buf_add_u32(&b, (uint32_t)bits);
	*existed = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) != -1) {
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			log_warnx("%s: not a regular file", path);
			close(fd);
			goto out;
		}
		if (st.st_mode & (S_IRWXG | S_IRWXO)) {
			log_warnx("%s: key file is accessible by group or "
			    "others (mode %04o): refusing it",
			    path, (unsigned)(st.st_mode & 07777));
			close(fd);
			goto out;
		}
		*existed = 1;
		if (send_msg(PROC_KEYPROC, MSG_KEY_FD, fd, &b) == -1)
			goto out;
	} else if (errno == ENOENT) {
		if (keyproc_call(MSG_KEY_NEW, &b, -1, &m) == -1)
			goto out;
		if (m.hdr.type != MSG_KEY_PEM) {
			e = key_error(&m);
			log_warnx("%s: new key: %s", path, e);
			free(e);
			imsg_clear(&m);
			goto out;
		}
		rbuf_init(&r, m.data, m.datalen);
		(void)rbuf_u32(&r);
		pem = rbuf_blob(&r, &pemlen, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == -1 || write_file_atomic(path, pem, pemlen,
		    0600, 0) == -1) {
			explicit_bzero(m.data, m.datalen);
			imsg_clear(&m);
			log_warnx("%s: could not write the new key", path);
			goto out;
		}
		explicit_bzero(m.data, m.datalen);
		imsg_clear(&m);
		log_info("%s: new %s key", path, keytype_name(type));
	} else {
		log_warn("%s", path);
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* The public half of a key keyproc holds, to check issued leaves with. */
static int
key_pubkey(struct dstate *ds)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*der;
	size_t		 len;
	char		*e;
	int		 rc = -1;

	buf_init(&b, 64);
	buf_add_u32(&b, ds->keyid);
	if (keyproc_call(MSG_PUBKEY, &b, -1, &m) == -1)
		goto out;
	if (m.hdr.type != MSG_PUBKEY_RESP) {
		e = key_error(&m);
		log_warnx("%s: domain key %s: %s", ds->d->handle, ds->d->key,
		    e);
		free(e);
		imsg_clear(&m);
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	der = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
	if (rbuf_end(&r) == -1 || (ds->pubkey = malloc(len)) == NULL) {
		imsg_clear(&m);
		goto out;
	}
	memcpy(ds->pubkey, der, len);
	ds->pubkeylen = len;
	imsg_clear(&m);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

static char *
names_joined(const struct domain *d)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 0);
	for (i = 0; i < d->nnames; i++)
		if ((i > 0 && buf_add_str(&b, "\n") == -1) ||
		    buf_add_str(&b, d->names[i]) == -1) {
			buf_free(&b);
			return NULL;
		}
	return buf_release(&b, NULL);
}

/*
 * A domain without a certificate gets a self-signed one at once, so the
 * services that use it can start; it is replaced when the real one comes.
 */
static void
provisional_install(struct dstate *ds)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*pem;
	size_t		 len;
	char		*names, *e;

	if ((names = names_joined(ds->d)) == NULL)
		return;
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, ds->keyid);
	buf_add_lstr(&b, names);
	buf_add_i64(&b, PROVISIONAL_DAYS);
	free(names);
	if (keyproc_call(MSG_SELF_SIGNED, &b, -1, &m) == -1)
		goto out;
	if (m.hdr.type != MSG_SELF_SIGNED_PEM) {
		e = key_error(&m);
		log_warnx("%s: provisional certificate: %s", ds->d->handle, e);
		free(e);
		imsg_clear(&m);
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	pem = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
	if (rbuf_end(&r) == 0 && install_chain(ds, (const char *)pem,
	    len) == 0) {
		log_info("%s: provisional self-signed certificate installed",
		    ds->d->handle);
		event_emit(conf, "provisional", ds, NULL);
		actions_queue(ds);
		status_dirty = 1;
	}
	imsg_clear(&m);
out:
	buf_free(&b);
}

static const char *
time_text(time_t t)
{
	static char	 s[32];
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return "?";
	return s;
}

static time_t
renewal_time(const struct dstate *ds)
{
	return sched_renewal_time(ds);
}

static int
renew_always(const struct dstate *ds)
{
	return ds->d->renew_before > 0 &&
	    ds->d->renew_before >= ds->not_after - ds->not_before;
}

static void
dstate_schedule(struct dstate *ds, time_t now)
{
	time_t	 t;

	if (ds->state != CERT_ISSUED) {
		ds->next = now;
		return;
	}
	t = renewal_time(ds);
	/*
	 * A "renew before" longer than the lifetime makes a certificate due
	 * as soon as it is issued: asking again at once would loop.  A
	 * single pass (-o) does what the file says.
	 */
	if (!oneshot && renew_always(ds) &&
	    t < ds->not_before + conf->check_interval)
		t = ds->not_before + conf->check_interval;
	if (t < now)
		t = now;
	if (t > now + conf->check_interval)
		t = now + sched_check_delay(conf);
	ds->next = t;
}

/*
 * Whether a certificate whose time has come must be requested now.  One
 * that was issued is read again from its file, which may have been
 * replaced or removed meanwhile; if it is not due yet it is only
 * scheduled again.
 */
static int
dstate_due(struct dstate *ds, time_t now)
{
	const char	*path = ds->d->fullchain ? ds->d->fullchain : ds->d->cert;

	if (ds->state != CERT_ISSUED)
		return 1;
	if (cert_file_info(path, &ds->state, &ds->not_before,
	    &ds->not_after) == -1) {
		log_warnx("%s: %s: no certificate any more", ds->d->handle,
		    path);
		ds->state = CERT_MISSING;
		if (!oneshot)
			provisional_install(ds);
		return 1;
	}
	if (ds->state == CERT_ISSUED && renewal_time(ds) > now) {
		dstate_schedule(ds, now);
		log_debug("%s: not due before %s", ds->d->handle,
		    time_text(renewal_time(ds)));
		return 0;
	}
	return 1;
}

static int
domain_selected(const struct domain *d)
{
	int	 i;

	if (nonly_domains == 0)
		return 1;
	for (i = 0; i < nonly_domains; i++)
		if (strcmp(only_domains[i], d->handle) == 0)
			return 1;
	return 0;
}

static void
dstates_build(void)
{
	struct domain	*d;
	struct dstate	*ds;
	size_t		 n = 0;
	time_t		 now = time(NULL);

	TAILQ_FOREACH(d, &conf->domains, entry)
		n++;
	if ((dstates = calloc(n ? n : 1, sizeof(*dstates))) == NULL)
		fatal("calloc");
	ndstates = 0;
	TAILQ_FOREACH(d, &conf->domains, entry) {
		if (!domain_selected(d))
			continue;
		ds = &dstates[ndstates++];
		ds->d = d;
		ds->keyid = KEYID_DOMAIN_BASE + d->id;
		ds->result = 1;
		if (cert_file_info(d->fullchain ? d->fullchain : d->cert,
		    &ds->state, &ds->not_before, &ds->not_after) == -1)
			ds->state = CERT_MISSING;
		ds->order_url = state_read(conf->state_dir, "orders",
		    d->handle);
		dstate_schedule(ds, now);
	}
}

static void
dstates_free(void)
{
	size_t	 i;

	for (i = 0; i < ndstates; i++) {
		free(dstates[i].last_error);
		free(dstates[i].order_url);
		free(dstates[i].pubkey);
	}
	free(dstates);
	dstates = NULL;
	ndstates = 0;
}

static int
listeners_bind(void)
{
	struct listen_addr	*la;
	int			 fd, on = 1;
	size_t			 n = 0;

	TAILQ_FOREACH(la, &conf->listens, entry)
		n++;
	if ((listeners = calloc(n ? n : 1, sizeof(*listeners))) == NULL)
		fatal("calloc");
	TAILQ_FOREACH(la, &conf->listens, entry) {
		fd = socket(la->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1) {
			log_warn("listen on %s: socket", la->text);
			return -1;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		if (la->ss.ss_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		if (bind(fd, (struct sockaddr *)&la->ss, la->sslen) == -1 ||
		    listen(fd, 511) == -1) {
			log_warn("listen on %s", la->text);
			close(fd);
			return -1;
		}
		listeners[nlisteners].fd = fd;
		/* Outlives the configuration, which a reload frees. */
		if ((listeners[nlisteners].text = strdup(la->text)) == NULL)
			fatal("strdup");
		nlisteners++;
	}
	return 0;
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

/*
 * Asks every child to leave and waits a bounded time in all, then kills
 * what is left.  A child that ends otherwise than by leaving as asked
 * (it may have been dying already) is logged.
 */
static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until a child told to stop has exited, or the deadline: its
 * channel closes as it exits, so the wait ends at once, and its last
 * log lines are written meanwhile.  The pid, or 0 if still running.
 */
static pid_t
child_wait(int i, int *status, long deadline)
{
	struct pollfd	 pfd;
	struct imsg	 m;
	ssize_t		 n;
	pid_t		 r;
	long		 left;
	int		 open = children[i].chan != NULL;

	while ((r = waitpid(children[i].pid, status, WNOHANG)) == 0 &&
	    (left = deadline - now_ms()) > 0) {
		if (!open) {
			poll(NULL, 0, 1);	/* closed: exiting now */
			continue;
		}
		pfd.fd = ichan_fd(children[i].chan);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left > 50 ? 50 : left)) <= 0)
			continue;
		n = ichan_read(children[i].chan);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			open = 0;
		while (ichan_get(children[i].chan, &m) == 1) {
			if (m.hdr.type == MSG_LOG && msg_check(&m) == 0)
				child_log(i, &m);
			imsg_clear(&m);
		}
	}
	return r;
}

static void
children_stop(void)
{
	char	 s[128];
	pid_t	 r;
	int	 i, status;
	long	 deadline;

	for (i = PROC_PARENT + 1; i < PROC_MAX; i++) {
		if (children[i].chan != NULL) {
			(void)send_msg(i, MSG_SHUTDOWN, -1, NULL);
			(void)ichan_flush(children[i].chan);
		}
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
			    (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)) {
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
	}
}

static int
ca_fd(const struct authority *a)
{
	const char	*path = a->ca_file ? a->ca_file : SYSTEM_CA_FILE;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		log_warn("authority %s: CA file %s", a->name, path);
	return fd;
}

static char *
account_key_path(const struct authority *a)
{
	char	*p;

	if (a->account_key != NULL)
		return strdup(a->account_key);
	if (asprintf(&p, "%s/accounts/%s.key", conf->state_dir, a->name) == -1)
		return NULL;
	return p;
}

/* Hands keys, sockets and authorities to freshly started children. */
static int
children_configure(void)
{
	struct authority	*a;
	struct buf		 b;
	char			*path, *url;
	size_t			 i;
	int			 existed, fd;

	TAILQ_FOREACH(a, &conf->authorities, entry) {
		if ((path = account_key_path(a)) == NULL)
			return -1;
		if (key_load(a->id, path, a->account_keytype,
		    a->account_keybits, &existed) == -1) {
			free(path);
			return -1;
		}
		free(path);
		if ((fd = ca_fd(a)) == -1)
			return -1;
		url = state_read(conf->state_dir, "accounts", a->name);
		buf_init(&b, IMSG_MAX_SIZE);
		buf_add_u32(&b, a->id);
		buf_add_lstr(&b, a->name);
		buf_add_lstr(&b, a->api_url);
		buf_add_lstr(&b, a->contact);
		buf_add_lstr(&b, url);
		buf_add_u32(&b, a->id);
		buf_add_u32(&b, existed);
		free(url);
		if (send_msg(PROC_NETPROC, MSG_AUTHORITY, fd, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		buf_free(&b);
	}
	for (i = 0; i < ndstates; i++) {
		if (key_load(dstates[i].keyid, dstates[i].d->key,
		    dstates[i].d->keytype, dstates[i].d->keybits,
		    &existed) == -1)
			return -1;
		free(dstates[i].pubkey);
		dstates[i].pubkey = NULL;
		if (key_pubkey(&dstates[i]) == -1)
			return -1;
	}
	for (i = 0; i < nlisteners; i++) {
		if ((fd = fcntl(listeners[i].fd, F_DUPFD_CLOEXEC, 0)) == -1)
			return -1;
		buf_init(&b, 512);
		buf_add_lstr(&b, listeners[i].text);
		if (send_msg(PROC_CHALLENGED, MSG_LISTEN_FD, fd, &b) == -1) {
			buf_free(&b);
			return -1;
		}
		buf_free(&b);
	}
	(void)send_msg(PROC_CHALLENGED, MSG_READY, -1, NULL);
	(void)send_msg(PROC_NETPROC, MSG_READY, -1, NULL);
	return 0;
}

/* The command line a child gets after "-P name". */
static char **
child_args(enum proc_id p)
{
	static char	*args[8];
	int		 n = 0;

	args[n++] = "-u";
	args[n++] = conf->user[p];
	args[n++] = "-C";
	args[n++] = conf->empty_dir;
	if (verbose > 0)
		args[n++] = "-v";
	if (verbose > 1)
		args[n++] = "-v";
	args[n] = NULL;
	return args;
}

static int
children_start(void)
{
	int	 pn[2], pk[2], pc[2], nk[2], nc[2];
	int	 fds[3], i;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pn) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pk) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pc) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, nk) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, nc) == -1)
		fatal("socketpair");

	fds[0] = pk[1];
	fds[1] = nk[1];
	children[PROC_KEYPROC].pid = proc_exec(exefd, argv0, PROC_KEYPROC,
	    fds, 2, child_args(PROC_KEYPROC));
	fds[0] = pc[1];
	fds[1] = nc[1];
	children[PROC_CHALLENGED].pid = proc_exec(exefd, argv0,
	    PROC_CHALLENGED, fds, 2, child_args(PROC_CHALLENGED));
	fds[0] = pn[1];
	fds[1] = nk[0];
	fds[2] = nc[0];
	children[PROC_NETPROC].pid = proc_exec(exefd, argv0, PROC_NETPROC,
	    fds, 3, child_args(PROC_NETPROC));
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
 * The renewal information id (RFC 9773) of a domain's issued certificate,
 * for the "replaces" of the order that renews it; NULL if none.
 */
static char *
cert_id(const struct dstate *ds)
{
	unsigned char	*der;
	size_t		 len;
	char		*id;

	if (ds->state != CERT_ISSUED || cert_leaf_der(ds->d->fullchain ?
	    ds->d->fullchain : ds->d->cert, &der, &len) == -1)
		return NULL;
	id = acme_ari_cert_id(der, len);
	OPENSSL_free(der);
	return id;
}

static void
issue_start(struct dstate *ds)
{
	struct buf	 b;
	char		*names, *replaces;

	if ((names = names_joined(ds->d)) == NULL)
		return;
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, ds->d->id);
	buf_add_u32(&b, ds->d->auth->id);
	buf_add_u32(&b, ds->keyid);
	buf_add_lstr(&b, names);
	buf_add_lstr(&b, ds->d->preferred_chain);
	buf_add_lstr(&b, replaces = cert_id(ds));
	buf_add_lstr(&b, ds->order_url);
	free(names);
	free(replaces);
	if (send_msg(PROC_NETPROC, MSG_ISSUE, -1, &b) == 0) {
		ds->issuing = 1;
		log_info("%s: %s", ds->d->handle, ds->state == CERT_ISSUED ?
		    "renewing" : "requesting a certificate");
	}
	buf_free(&b);
}

/* Retry later: back off from a minute up to the check interval. */
static void
issue_failed(struct dstate *ds, const char *error, int64_t retry_after)
{
	time_t	 now = time(NULL), delay;
	int	 i;

	ds->issuing = 0;
	ds->failures++;
	ds->result = -1;
	free(ds->last_error);
	ds->last_error = strdup(error);
	delay = 60;
	for (i = 1; i < ds->failures && delay < conf->check_interval; i++)
		delay *= 2;
	if (delay > conf->check_interval)
		delay = conf->check_interval;
	if (retry_after > 0) {
		if (retry_after > 7 * 24 * 60 * 60)
			retry_after = 7 * 24 * 60 * 60;
		if (retry_after > delay)
			delay = retry_after;
	}
	ds->next = now + delay;
	log_warnx("%s: certificate not issued: %s", ds->d->handle, error);
	event_emit(conf, "renewal-failed", ds, error);
	status_dirty = 1;
	if (ds->state == CERT_ISSUED && ds->not_after - now <
	    sched_expiry_warn(conf, ds)) {
		log_crit("%s: certificate expires in %lld hours and could not "
		    "be renewed: %s", ds->d->handle,
		    (long long)(ds->not_after - now) / 3600, error);
		event_emit(conf, "expiring", ds, error);
	}
}

static void
handle_cert(struct dstate *ds, const char *pem, size_t len)
{
	time_t	 now;
	int	 renewed = ds->state == CERT_ISSUED;

	ds->issuing = 0;
	if (install_chain(ds, pem, len) == -1) {
		issue_failed(ds, "the issued certificate was not installed",
		    0);
		return;
	}
	(void)state_remove(conf->state_dir, "orders", ds->d->handle);
	free(ds->order_url);
	ds->order_url = NULL;
	ds->failures = 0;
	ds->result = 0;
	free(ds->last_error);
	ds->last_error = NULL;
	now = time(NULL);
	dstate_schedule(ds, now);
	if (renew_always(ds))
		log_warnx("%s: renew before is longer than the lifetime of the "
		    "certificate: renewing again at %s", ds->d->handle,
		    time_text(ds->not_before + conf->check_interval));
	log_info("%s: certificate %s, valid until %s", ds->d->handle,
	    renewed ? "renewed" : "issued", time_text(ds->not_after));
	event_emit(conf, renewed ? "renewed" : "issued", ds, NULL);
	sched_ari_forget(ds);
	actions_queue(ds);
	status_dirty = 1;
}

/* Sends the leaf of a domain's certificate to netproc with a request. */
static int
send_leaf(uint32_t type, struct dstate *ds, const struct verify_ep *v)
{
	struct buf	 b;
	unsigned char	*der;
	size_t		 len;
	int		 rc;

	if (cert_leaf_der(ds->d->fullchain ? ds->d->fullchain : ds->d->cert,
	    &der, &len) == -1)
		return -1;
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, ds->d->id);
	if (type == MSG_RENEWAL_INFO)
		buf_add_u32(&b, ds->d->auth->id);
	else {
		buf_add_lstr(&b, v->host);
		buf_add_u32(&b, (uint32_t)v->port);
		buf_add_lstr(&b, ds->d->names[0]);
	}
	rc = buf_add_blob(&b, der, len) == -1 ? -1 :
	    send_msg(PROC_NETPROC, type, -1, &b);
	buf_free(&b);
	OPENSSL_free(der);
	return rc;
}

/* After a reload: do the endpoints serve what was installed? */
static void
verify_send(struct dstate *ds)
{
	struct verify_ep	*v;

	ds->verify_at = 0;
	ds->verify_failed = 0;
	ds->verify_tries++;
	TAILQ_FOREACH(v, &ds->d->verifies, entry)
		if (send_leaf(MSG_VERIFY, ds, v) == 0)
			ds->verify_pending++;
}

static void
verify_result(struct dstate *ds, const char *endpoint, uint32_t matches,
    const char *detail)
{
	if (ds->verify_pending > 0)
		ds->verify_pending--;
	if (matches)
		log_info("%s: %s serves the installed certificate",
		    ds->d->handle, endpoint);
	else {
		log_debug("%s: %s: %s (check %d of %d)", ds->d->handle,
		    endpoint, detail, ds->verify_tries, VERIFY_TRIES);
		if (ds->verify_tries >= VERIFY_TRIES) {
			char	*e;

			if (asprintf(&e, "%s %s", endpoint, detail) == -1)
				e = NULL;
			log_warnx("%s: deployment mismatch: %s does not serve "
			    "the installed certificate: %s", ds->d->handle,
			    endpoint, detail);
			event_emit(conf, "deploy-mismatch", ds, e ? e : detail);
			free(e);
		} else
			ds->verify_failed = 1;
	}
	if (ds->verify_pending == 0 && ds->verify_failed)
		ds->verify_at = time(NULL) + VERIFY_GRACE;
}

/* Reload actions have run for a domain's new certificate. */
static void
actions_done(struct dstate *ds, int ok)
{
	if (!ok)
		event_emit(conf, "reload-failed", ds,
		    "a reload action failed");
	if (!TAILQ_EMPTY(&ds->d->verifies) && ds->state != CERT_MISSING) {
		ds->verify_tries = 0;
		ds->verify_pending = 0;
		ds->verify_at = time(NULL) + VERIFY_GRACE;
	}
}

/*
 * What the loop does beside issuing: queued reload actions once netproc
 * is idle, renewal information, deployment checks, the status file.
 * Returns the earliest deadline among them (or next).
 */
static time_t
housekeeping(time_t now, time_t next)
{
	struct dstate	*ds;
	size_t		 i;
	int		 busy = 0, up;

	up = children[PROC_NETPROC].chan != NULL && restart_at == 0;
	for (i = 0; i < ndstates; i++)
		busy |= dstates[i].issuing;
	if (!busy && actions_pending())
		actions_run_pending(conf, actions_done);
	for (i = 0; i < ndstates && !oneshot; i++) {
		ds = &dstates[i];
		if (ds->state == CERT_ISSUED && !ds->ari_asked &&
		    !ds->issuing) {
			if (ds->ari_refresh <= now && up) {
				if (send_leaf(MSG_RENEWAL_INFO, ds, NULL) == 0)
					ds->ari_asked = 1;
			} else if (ds->ari_refresh > now &&
			    ds->ari_refresh < next)
				next = ds->ari_refresh;
		}
		if (ds->verify_at != 0 && ds->verify_pending == 0) {
			if (ds->verify_at <= now && up)
				verify_send(ds);
			else if (ds->verify_at > now && ds->verify_at < next)
				next = ds->verify_at;
		}
	}
	if (status_dirty && status_write(conf, dstates, ndstates) == 0)
		status_dirty = 0;
	return next;
}

static void
dispatch_netproc(const struct imsg *m)
{
	struct rbuf		 r;
	struct dstate		*ds;
	struct authority	*a;
	uint32_t		 id;
	char			*s1 = NULL, *s2 = NULL;
	const uint8_t		*blob;
	size_t			 len;
	int64_t			 retry, start, end;
	uint32_t		 matches;

	rbuf_init(&r, m->data, m->datalen);
	switch (m->hdr.type) {
	case MSG_READY:
		children[PROC_NETPROC].ready = 1;
		return;
	case MSG_ACCOUNT_URL:
		id = rbuf_u32(&r);
		s1 = rbuf_str(&r, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == -1 || (a = authority_byid(id)) == NULL)
			break;
		if (state_write(conf->state_dir, "accounts", a->name, s1) == 0)
			log_info("authority %s: account %s", a->name, s1);
		free(s1);
		return;
	case MSG_ORDER_URL:
		id = rbuf_u32(&r);
		s1 = rbuf_str(&r, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		free(ds->order_url);
		ds->order_url = NULL;
		if (*s1 == '\0')
			(void)state_remove(conf->state_dir, "orders",
			    ds->d->handle);
		else if (state_write(conf->state_dir, "orders", ds->d->handle,
		    s1) == 0)
			ds->order_url = strdup(s1);
		free(s1);
		return;
	case MSG_CERT:
		id = rbuf_u32(&r);
		blob = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		handle_cert(ds, (const char *)blob, len);
		return;
	case MSG_RENEWAL_WINDOW:
		id = rbuf_u32(&r);
		start = rbuf_i64(&r);
		end = rbuf_i64(&r);
		retry = rbuf_i64(&r);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		if (start < 0 || end < start || (start == 0) != (end == 0)) {
			log_warnx("%s: renewal window out of order: ignored",
			    ds->d->handle);
			start = end = 0;
		}
		sched_ari_window(ds, (time_t)start, (time_t)end,
		    (time_t)retry, time(NULL));
		if (!ds->issuing)
			dstate_schedule(ds, time(NULL));
		status_dirty = 1;
		return;
	case MSG_VERIFY_RESULT:
		id = rbuf_u32(&r);
		s1 = rbuf_str(&r, IMSG_MAX_SIZE);
		matches = rbuf_u32(&r);
		s2 = rbuf_str(&r, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		verify_result(ds, s1, matches, s2);
		free(s1);
		free(s2);
		return;
	case MSG_ISSUE_FAILED:
		id = rbuf_u32(&r);
		s1 = rbuf_str(&r, IMSG_MAX_SIZE);
		s2 = rbuf_str(&r, IMSG_MAX_SIZE);
		retry = rbuf_i64(&r);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		if (strcmp(s1, "urn:ietf:params:acme:error:malformed") == 0 &&
		    ds->order_url != NULL) {
			(void)state_remove(conf->state_dir, "orders",
			    ds->d->handle);
			free(ds->order_url);
			ds->order_url = NULL;
		}
		issue_failed(ds, s2, retry);
		free(s1);
		free(s2);
		return;
	default:
		break;
	}
	free(s1);
	free(s2);
	fatalx("malformed or unexpected %s from netproc", msg_name(m->hdr.type));
}

/* Reads what a child sent; -1 if its channel is gone or malformed. */
static int
child_input(enum proc_id p)
{
	struct child	*c = &children[p];
	struct imsg	 m;
	ssize_t		 n;
	int		 r;

	n = ichan_read(c->chan);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	for (;;) {
		if ((r = ichan_get(c->chan, &m)) == 0)
			break;
		if (r == -1 || msg_check(&m) == -1) {
			log_warnx("malformed message from %s", proc_names[p]);
			if (r == 1)
				imsg_clear(&m);
			return -1;
		}
		if (m.hdr.type == MSG_LOG)
			child_log(p, &m);
		else if (p == PROC_NETPROC)
			dispatch_netproc(&m);
		else if (m.hdr.type == MSG_READY)
			c->ready = 1;
		else {
			log_warnx("unexpected %s from %s",
			    msg_name(m.hdr.type), proc_names[p]);
			imsg_clear(&m);
			return -1;
		}
		imsg_clear(&m);
	}
	if (n == 0 || n == -1)
		return -1;
	return 0;
}

static void
children_restart_later(const char *why)
{
	size_t	 i;
	time_t	 now = time(NULL);

	if (oneshot)
		fatalx("%s", why);
	children_stop();
	for (i = 0; i < ndstates; i++)
		if (dstates[i].issuing) {
			dstates[i].issuing = 0;
			dstates[i].next = now + RESTART_MAX_DELAY;
		}
	if (now - children_started > 10 * RESTART_MAX_DELAY)
		restart_delay = 0;
	restart_delay = restart_delay ? restart_delay * 2 : 1;
	if (restart_delay > RESTART_MAX_DELAY)
		restart_delay = RESTART_MAX_DELAY;
	restart_at = now + restart_delay;
	log_warnx("%s; restarting the processes in %d s", why, restart_delay);
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
static void
children_lost(enum proc_id lost)
{
	char	 why[256];
	int	 i, waited;

	why[0] = '\0';
	for (waited = 0; lost != PROC_PARENT && children[lost].pid > 0 &&
	    waited < LOST_WAIT_MS; waited += 50) {
		if (child_reap(lost, why, sizeof(why)))
			break;
		poll(NULL, 0, 50);
	}
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		(void)child_reap(i, why, sizeof(why));
	if (why[0] == '\0') {
		if (lost == PROC_PARENT)
			return;
		snprintf(why, sizeof(why), "%s closed its channel",
		    proc_names[lost]);
	}
	children_restart_later(why);
}

/* Provisional certificates, and their reloads at once: services start. */
static void
provisional_all(void)
{
	size_t	 i;

	for (i = 0; i < ndstates; i++)
		if (dstates[i].state == CERT_MISSING) {
			provisional_install(&dstates[i]);
			dstates[i].next = time(NULL);
		}
	if (actions_pending())
		actions_run_pending(conf, actions_done);
}

static int
reload_config(void)
{
	struct config	*nconf;

	log_info("reloading %s", conf->file);
	if ((nconf = config_parse(conf->file, 1)) == NULL) {
		log_warnx("%s has errors: keeping the running configuration",
		    conf->file);
		return -1;
	}
	/* Reloads owed for installed certificates run before the change. */
	if (actions_pending())
		actions_run_pending(conf, actions_done);
	children_stop();
	dstates_free();
	config_free(conf);
	conf = nconf;
	dstates_build();
	/* Started now: a restart still pending would start them twice. */
	restart_at = 0;
	if (children_start() == -1) {
		children_restart_later("could not start the processes");
		return -1;
	}
	log_info("configuration reloaded: %zu certificates", ndstates);
	if (!oneshot)
		provisional_all();
	return 0;
}

/* One-shot mode: done when no certificate is pending any more. */
static int
oneshot_done(int *status)
{
	size_t	 i;

	*status = 0;
	for (i = 0; i < ndstates; i++) {
		if (dstates[i].result == 1)
			return 0;
		if (dstates[i].result == -1)
			*status = 1;
	}
	return 1;
}

static int
parent_loop(int sigfd)
{
	struct pollfd		 pfd[PROC_MAX];
	struct signalfd_siginfo	 si;
	time_t			 now, next;
	size_t			 i;
	int			 n, p, timeout, status;

	for (;;) {
		now = time(NULL);
		if (restart_at != 0 && now >= restart_at) {
			restart_at = 0;
			if (children_start() == -1)
				children_restart_later("could not start the "
				    "processes");
		}
		next = now + conf->check_interval;
		for (i = 0; i < ndstates; i++) {
			if (dstates[i].issuing)
				continue;
			if (oneshot && dstates[i].result != 1)
				continue;
			if (oneshot && dstates[i].state == CERT_ISSUED &&
			    renewal_time(&dstates[i]) > now) {
				dstates[i].result = 0;	/* nothing due */
				continue;
			}
			if (dstates[i].next <= now && restart_at == 0 &&
			    children[PROC_NETPROC].chan != NULL) {
				if (dstate_due(&dstates[i], now))
					issue_start(&dstates[i]);
				else if (oneshot)
					dstates[i].result = 0;
			}
			if (!dstates[i].issuing && dstates[i].next < next)
				next = dstates[i].next;
		}
		next = housekeeping(now, next);
		if (oneshot && oneshot_done(&status))
			return status;
		if (restart_at != 0 && restart_at < next)
			next = restart_at;
		timeout = next <= now ? 0 : (next - now > 3600 ? 3600000 :
		    (int)(next - now) * 1000);

		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
			pfd[p].fd = -1;
			pfd[p].events = 0;
			if (children[p].chan == NULL)
				continue;
			pfd[p].fd = ichan_fd(children[p].chan);
			pfd[p].events = POLLIN;
			if (ichan_queued(children[p].chan) > 0)
				pfd[p].events |= POLLOUT;
		}
		if ((n = poll(pfd, PROC_MAX, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			switch (si.ssi_signo) {
			case SIGTERM:
			case SIGINT:
				log_info("%s: shutting down",
				    strsignal(si.ssi_signo));
				return 0;
			case SIGHUP:
				(void)reload_config();
				if (oneshot)
					return 1;
				continue;
			case SIGUSR1:
				log_info("checking every certificate now");
				for (i = 0; i < ndstates; i++)
					dstates[i].next = now;
				break;
			case SIGCHLD:
				children_lost(PROC_PARENT);
				continue;
			}
		}
		for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
			if (children[p].chan == NULL || pfd[p].fd == -1)
				continue;
			if ((pfd[p].revents & POLLOUT) &&
			    ichan_flush(children[p].chan) == -1) {
				children_restart_later("lost a channel");
				break;
			}
			if ((pfd[p].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    child_input(p) == -1) {
				children_lost(p);
				break;
			}
		}
	}
}

int
main(int argc, char *argv[])
{
	const char	*file = CONF_FILE, *childname = NULL;
	sigset_t	 mask;
	int		 ch, statusonly = 0, checkonly = 0, sigfd, status;

	argv0 = argv[0];
	while ((ch = getopt(argc, argv, "C:df:noP:su:v")) != -1) {
		switch (ch) {
		case 'C':
			proc_chroot = optarg;
			break;
		case 'u':
			proc_user = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'o':
			oneshot = 1;
			break;
		case 'P':
			childname = optarg;
			break;
		case 's':
			statusonly = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (childname != NULL) {
		log_init(1, verbose, childname);
		return child_main(childname);
	}
	if (argc > 0 && !oneshot)
		usage();
	/*
	 * Descriptors left open by whoever started us are not ours to hand
	 * on to reload actions and the event hook, which run as root.
	 */
	closefrom(STDERR_FILENO + 1);
	only_domains = argv;
	nonly_domains = argc;

	log_init(1, verbose, "acmed");
	if ((conf = config_parse(file, !checkonly || geteuid() == 0)) == NULL)
		exit(1);
	if (statusonly)
		exit(status_print(conf->state_dir) == 0 ? 0 : 1);
	if (checkonly) {
		if (verbose)
			config_dump(conf);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	if (geteuid() != 0)
		errx(1, "need root privileges");
	if (oneshot)
		foreground = 1;

	if ((exefd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "/proc/self/exe");
	if (state_init(conf->state_dir) == -1)
		exit(1);
	if (mkdir(conf->empty_dir, 0755) == -1 && errno != EEXIST)
		err(1, "%s", conf->empty_dir);
	dstates_build();
	if (nonly_domains > 0 && ndstates != (size_t)nonly_domains)
		errx(1, "unknown domain among the arguments");
	if (listeners_bind() == -1)
		exit(1);

	if (!foreground && daemon(0, 0) == -1)
		err(1, "daemon");
	log_init(foreground, verbose, "acmed");

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		fatal("sigprocmask");
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);

	log_info("starting: %zu certificates, %zu listeners", ndstates,
	    nlisteners);
	if (children_start() == -1) {
		children_stop();
		fatalx("could not start the processes");
	}
	if (!oneshot)
		provisional_all();
	status = parent_loop(sigfd);
	children_stop();
	return status;
}
