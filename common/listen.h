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
