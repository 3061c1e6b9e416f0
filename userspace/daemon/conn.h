/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's stream clients (the control socket, the metrics endpoint):
 * one request and one response per connection, served from the poll loop
 * without ever waiting on a client.
 *
 * Every connection is non-blocking, with its own buffer and a deadline
 * (CTFD_CONN_DEADLINE_MS from accept to the last byte of its answer);
 * past it the connection is closed, whatever it was doing. A listener
 * holds at most @max connections: a new one that finds them full takes
 * the place of the oldest that has not sent its whole request yet (a slow
 * or idle client gives way to one that talks; a connection is read as it
 * is accepted, and a whole request is never displaced), and is turned
 * away (busy) only when every place is answering. On the control socket,
 * peers other than root and the daemon's user (its group may connect)
 * displace only each other and never hold the last CTFD_CONN_RESERVED
 * places: no crowd of them keeps the operator's ctfailoverctl out.
 *
 * The loop serves the HA event sources before any client, and at most
 * CTFD_CONN_BUDGET requests a round, so that no client, nor any number of
 * them, delays an event by more than that many requests' work
 * (docs/benchmarks.md, "An event with 500 hostile clients", measures it).
 */
#ifndef CTFD_CONN_H
#define CTFD_CONN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTFD_CONN_REQ_MAX     1024
#define CTFD_CONN_DEADLINE_MS 2000
#define CTFD_CONN_BUDGET      4	 /* requests served in one round of the loop */
#define CTFD_CONN_ACCEPTS     32 /* connections accepted in one round */
#define CTFD_CONN_RESERVED    4	 /* places only privileged peers take */

struct ctfd;

struct ctfd_conn {
	int fd;		   /* -1: a free place */
	uint64_t accepted; /* ms, ctfd_now_ms() */
	bool privileged;   /* root or the daemon's user (SO_PEERCRED), or
			      any peer of a listener without credentials */
	bool ready;	   /* the request is whole: to be served */
	size_t len;
	char req[CTFD_CONN_REQ_MAX];
	char *resp; /* being written: resp[off..resp_len) */
	size_t resp_len, off;
};

struct ctfd_conn_stats {
	uint64_t accepted;
	uint64_t served;
	uint64_t busy;	    /* turned away: every place answering */
	uint64_t displaced; /* closed to make room, request unfinished */
	uint64_t expired;   /* closed at the deadline */
	uint64_t bad;	    /* a request too long, or cut short */
};

struct ctfd_listener {
	const char *what; /* "control", "metrics" */
	int fd;		  /* the listening socket, -1: none */
	unsigned int max;
	bool peercred; /* a Unix socket: its peers' credentials tell */
	struct ctfd_conn *conns; /* max places */
	/*
	 * Is the request in @buf whole? 1: yes, 0: not yet, -1: never (a
	 * bad request: closed, counted). A full buffer is a bad request.
	 */
	int (*complete)(const char *buf, size_t len);
	/* Write the answer to the whole request of @c into @out. */
	void (*serve)(struct ctfd *d, struct ctfd_conn *c, FILE *out);
	/* Written, best effort, to a connection turned away; or NULL. */
	const char *busy_reply;
	struct ctfd_conn_stats st;
};

/*
 * Set @l up afresh around @fd, the listening socket (non-blocking): 0, or
 * -ENOMEM, @fd then not taken.
 */
int ctfd_listener_init(struct ctfd_listener *l, const char *what, int fd,
		       unsigned int max);
/* Close every connection and the listening socket. */
void ctfd_listener_close(struct ctfd_listener *l);
/* Poll entries, the listening socket's first: at most 1 + max of them. */
unsigned int ctfd_listener_pollfds(const struct ctfd_listener *l,
				   struct pollfd *pfd);
/*
 * After poll: @pfd as ctfd_listener_pollfds() filled it. Accept, read,
 * write, expire; serve at most *@budget whole requests (decremented).
 */
void ctfd_listener_io(struct ctfd *d, struct ctfd_listener *l,
		      const struct pollfd *pfd, unsigned int n,
		      unsigned int *budget);
/* Connections open now. */
unsigned int ctfd_listener_open(const struct ctfd_listener *l);
/* ms until the listener needs the loop again: 0 (a request waits to be
 * served), a deadline, or -1 (none). */
int ctfd_listener_timeout(const struct ctfd_listener *l, uint64_t now);

#endif /* CTFD_CONN_H */
