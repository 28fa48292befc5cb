/*
 * keyproc as a loop over two channels, so that a test can run it in a
 * forked child without the sandbox; keyproc_main() (common/proc.h) sets
 * up the channels and the sandbox and then runs the same loop.
 */
#ifndef ACMED_KEYPROC_H
#define ACMED_KEYPROC_H

struct imsgchan;

void	keyproc_warmup(void);
int	keyproc_loop(struct imsgchan *, struct imsgchan *);

#endif
