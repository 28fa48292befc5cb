/*
 * A listening TCP socket, bound by the parent (as root, for port 80) and
 * passed to challenged.  The backlog is large: a CA validates from several
 * places at once, three connections per name and an order may carry a
 * hundred names.
 */
#ifndef ACMED_LISTEN_H
#define ACMED_LISTEN_H

#include <sys/socket.h>
#include <stddef.h>

#define LISTEN_BACKLOG	511

int	listen_socket(const struct sockaddr *, socklen_t, char *, size_t);

#endif
