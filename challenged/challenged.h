/*
 * challenged, the http-01 responder.  challenged_main() is the process;
 * the two functions below are its parts that tests run without the
 * sandbox.
 */
#ifndef ACMED_CHALLENGED_H
#define ACMED_CHALLENGED_H

struct imsgchan;

int	challenged_getfds(struct imsgchan *, int *, int);
int	challenged_loop(struct imsgchan *, struct imsgchan *, const int *,
	    int);

#endif
