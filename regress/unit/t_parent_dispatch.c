/*
 * The parent does not take netproc's word for the text it reports: an
 * ISSUE_FAILED carrying controls, as a compromised netproc could send
 * it, reaches the status file, the event hook's environment and the log
 * as visible text.  The message goes through dispatch_netproc() as the
 * parent's loop hands it on; the hook is a real program.  An order that
 * cannot be given to netproc (here there is no netproc at all) is a
 * failed attempt, which waits its backoff, not one tried again at once.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "acmed/config.h"
#include "acmed/parent_state.h"
#include "test.h"

const char *const helper_dir = "/nonexistent";

#define RAW	"x\n\x1b[2K\xc2\x85\xe2\x80\xae" "fake\xff"
#define SHOWN	"x\\x0a\\x1b[2K\\u0085\\u202efake\\xff"

static char	 dir[] = "/tmp/t_parent_dispatch.XXXXXX";

/* No byte of a control character, C1 control or bidi control left. */
static int
no_raw(const char *s)
{
	return s != NULL && strchr(s, '\x1b') == NULL &&
	    strstr(s, "\xc2\x85") == NULL && strstr(s, "\xe2\x80\xae") ==
	    NULL && strchr(s, '\xff') == NULL;
}

int
main(void)
{
	struct config	 c;
	struct authority a;
	struct domain	 d;
	struct dstate	 ds;
	struct imsg	 m;
	struct buf	 b;
	char		 path[256], *names[1], *s;
	FILE		*f;

	log_init(1, 0, "acmed");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hook", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "#!/bin/sh\nprintf '%%s' \"$ACMED_ERROR\" >%s/error\n",
	    dir);
	fclose(f);
	chmod(path, 0755);

	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.event_hook = path;
	c.check_interval = 3600;
	c.expiry_warn = 3600;
	memset(&a, 0, sizeof(a));
	a.id = 1;
	a.name = "pebble";
	a.api_url = "https://127.0.0.1:14000/dir";
	memset(&d, 0, sizeof(d));
	d.id = 7;
	d.auth = &a;
	d.handle = names[0] = "t.s09d.test";
	d.names = names;
	d.nnames = 1;
	d.auth_name = "pebble";
	TAILQ_INIT(&d.actions);
	TAILQ_INIT(&d.verifies);
	memset(&ds, 0, sizeof(ds));
	ds.d = &d;
	ds.state = CERT_MISSING;
	ds.issuing = 1;
	ds.result = 1;
	conf = &c;
	dstates = &ds;
	ndstates = 1;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 7);
	buf_add_lstr(&b, "urn:ietf:params:acme:error:serverInternal");
	buf_add_lstr(&b, RAW);
	buf_add_i64(&b, -1);
	memset(&m, 0, sizeof(m));
	m.hdr.type = MSG_ISSUE_FAILED;
	m.fd = -1;
	m.data = b.data;
	m.datalen = b.len;
	dispatch_netproc(&m);
	buf_free(&b);

	CHECK(ds.issuing == 0 && ds.failures == 1, "the failure is taken");
	CHECK_STR(ds.last_error, SHOWN, "the last error is visible text");
	snprintf(path, sizeof(path), "%s/error", dir);
	s = test_slurp(path);
	CHECK_STR(s, SHOWN, "ACMED_ERROR is visible text");
	free(s);
	CHECK(status_write(&c, &ds, 1) == 0, "status file written");
	snprintf(path, sizeof(path), "%s/status.json", dir);
	s = test_slurp(path);
	CHECK(no_raw(s) && strstr(s, "x\\\\x0a\\\\x1b[2K\\\\u0085") != NULL,
	    "the status file holds the escapes, not the characters");
	free(s);

	/* No netproc to give the order to: a failure, with its backoff. */
	c.event_hook = NULL;
	ds.issuing = 0;
	ds.failures = 0;
	ds.next = 0;
	issue_start(&ds);
	CHECK(ds.issuing == 0 && ds.failures == 1 && ds.next > time(NULL),
	    "an order not sent is a failed attempt, tried again later (in "
	    "%lld s)", (long long)(ds.next - time(NULL)));

	free(ds.last_error);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# %s failed\n", path);
	return test_done();
}
