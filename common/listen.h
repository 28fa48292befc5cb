/*
 * A listening TCP socket, bound by the parent (as root, for port 80) and
 * passed to challenged.  The backlog is large: a CA validates from several
 * places at once, three connections per name, and an order may carry a
 * hundred names.  It must also outlast a flood: challenged holds at most
 * 512 connections and evicts the oldest to accept more, but while the
 * kernel's accept queue is full it drops new connection attempts, and a
 * validator whose SYN is dropped waits a second before it tries again.
 * Linux caps the backlog at net.core.somaxconn (4096 by default).
 */
#ifndef ACMED_LISTEN_H
#define ACMED_LISTEN_H

#include <sys/socket.h>
#include <stddef.h>

#define LISTEN_BACKLOG	4096

int	listen_socket(const struct sockaddr *, socklen_t, char *, size_t);

#endif
