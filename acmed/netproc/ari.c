/*
 * ACME Renewal Information (RFC 9773) as netproc fetches it: the
 * authority's suggested renewal window for one issued certificate.
 *
 * The renewalInfo URL comes from the authority's directory, never from
 * configuration; the certificate is named by its unique identifier
 * (base64url of the Authority Key Identifier, ".", base64url of the
 * serial number) and its window is fetched with a plain unauthenticated
 * GET (RFC 9773 section 4.1).  Nothing here decides when to renew: the
 * window goes back to the parent, which schedules.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "x509check.h"
#include "netproc.h"

#define ARI_URL_MAX	4096

static void
fmt_time(time_t t, char *s, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(s, len, "%lld", (long long)t);
}

/*
 * The renewalInfo URL of a certificate: the directory's URL, a "/" (not
 * doubled if the directory's URL ends with one), the identifier.
 */
static char *
ari_url(const char *base, const char *certid)
{
	char	*url;
	size_t	 n = strlen(base);

	if (asprintf(&url, "%s%s%s", base, n > 0 && base[n - 1] == '/' ?
	    "" : "/", certid) == -1)
		return NULL;
	if (strlen(url) > ARI_URL_MAX) {
		free(url);
		return NULL;
	}
	return url;
}

/*
 * Fetches the suggested window of the certificate der (a leaf issued by
 * authority a).  Fills w: start = end = 0 when the authority offers no
 * renewal information or it could not be had (a warning says why), and
 * retry_after as the authority gave it, or -1.
 */
void
ari_fetch(struct net_authority *a, const void *der, size_t len,
    struct ari_window *w)
{
	struct net_order		 o;
	struct http_resp		 resp;
	struct acme_renewal_info	 ri;
	char				*certid = NULL, *url = NULL;
	char				 err[256], s[32], e[32];

	memset(w, 0, sizeof(*w));
	w->retry_after = -1;
	memset(&ri, 0, sizeof(ri));
	http_resp_init(&resp);

	/* The directory, through the same path orders take. */
	memset(&o, 0, sizeof(o));
	o.a = a;
	o.retry_after = -1;
	if (acme_get_directory(&o) == -1) {
		log_warnx("renewal information: %s", o.error ? o.error :
		    "no directory");
		w->retry_after = o.retry_after;
		goto out;
	}
	if (a->dir.renewal_info == NULL) {
		log_debug("authority %s: the directory offers no renewal "
		    "information", a->name);
		goto out;
	}
	if ((certid = x509_ari_id(der, len)) == NULL) {
		log_warnx("authority %s: renewal information: the "
		    "certificate has no authority key identifier or is "
		    "malformed", a->name);
		goto out;
	}
	if ((url = ari_url(a->dir.renewal_info, certid)) == NULL) {
		log_warnx("authority %s: renewal information: URL for %s "
		    "too long", a->name, certid);
		goto out;
	}
	if (http_get(a->http, url, &resp) == -1) {
		log_warnx("renewal information %s: %s", url, resp.error);
		goto out;
	}
	w->retry_after = resp.retry_after;
	if (resp.code != 200) {
		log_warnx("renewal information %s: HTTP %ld", url, resp.code);
		goto out;
	}
	if (acme_parse_renewal_info(resp.body.data, resp.body.len, &ri, err,
	    sizeof(err)) == -1) {
		log_warnx("renewal information %s: %s", url, err);
		goto out;
	}
	w->start = ri.start;
	w->end = ri.end;
	fmt_time(ri.start, s, sizeof(s));
	fmt_time(ri.end, e, sizeof(e));
	if (w->retry_after >= 0)
		log_debug("renewal information %s: window %s to %s, again in "
		    "%ld s", url, s, e, w->retry_after);
	else
		log_debug("renewal information %s: window %s to %s", url, s,
		    e);
	if (ri.explanation_url != NULL)
		log_info("renewal information %s: the authority explains its "
		    "window at %s", url, ri.explanation_url);
out:
	free(o.error);
	free(o.error_type);
	free(certid);
	free(url);
	acme_renewal_info_free(&ri);
	http_resp_free(&resp);
}
