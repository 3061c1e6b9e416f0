// SPDX-License-Identifier: GPL-2.0
/*
 * Non-blocking request/response connections from the poll loop: the rules
 * are in conn.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "prober.h"

int ctfd_listener_init(struct ctfd_listener *l, const char *what, int fd,
		       unsigned int max)
{
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->what = what;
	l->fd = fd;
	l->max = max;
	l->conns = calloc(max, sizeof(*l->conns));
	if (!l->conns) {
		l->fd = -1; /* not taken: the caller closes it */
		return -ENOMEM;
	}
	for (i = 0; i < max; i++)
		l->conns[i].fd = -1;
	return 0;
}

static void conn_close(struct ctfd_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->resp);
	c->fd = -1;
	c->resp = NULL;
	c->resp_len = 0;
	c->off = 0;
	c->len = 0;
	c->ready = false;
}

void ctfd_listener_close(struct ctfd_listener *l)
{
	unsigned int i;

	for (i = 0; l->conns && i < l->max; i++)
		conn_close(&l->conns[i]);
	free(l->conns);
	l->conns = NULL;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

unsigned int ctfd_listener_pollfds(const struct ctfd_listener *l,
				   struct pollfd *pfd)
{
	unsigned int i;

	pfd[0] = (struct pollfd){ .fd = l->fd, .events = POLLIN };
	for (i = 0; i < l->max; i++) {
		const struct ctfd_conn *c = &l->conns[i];

		pfd[1 + i] = (struct pollfd){
			.fd = c->ready ? -1 : c->fd,
			.events = c->resp ? POLLOUT : POLLIN,
		};
	}
	return 1 + l->max;
}

unsigned int ctfd_listener_open(const struct ctfd_listener *l)
{
	unsigned int i, n = 0;

	for (i = 0; l->conns && i < l->max; i++)
		n += l->conns[i].fd >= 0;
	return n;
}

int ctfd_listener_timeout(const struct ctfd_listener *l, uint64_t now)
{
	uint64_t first = UINT64_MAX, due;
	unsigned int i;

	for (i = 0; i < l->max; i++) {
		const struct ctfd_conn *c = &l->conns[i];

		if (c->fd < 0)
			continue;
		if (c->ready)
			return 0;
		due = c->accepted + CTFD_CONN_DEADLINE_MS;
		if (due < first)
			first = due;
	}
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

static void conn_read(struct ctfd_listener *l, struct ctfd_conn *c);

/*
 * A place for a new connection (@privileged: its peer is root or the
 * daemon's user): a free one, else the oldest whose request is unfinished
 * (displaced), else none. The oldest is read first: a request that came
 * whole since the last poll is answered, not displaced. Unprivileged
 * peers displace only their like, and hold CTFD_CONN_RESERVED places
 * fewer than there are, so that no crowd of them keeps root's
 * ctfailoverctl out.
 */
static struct ctfd_conn *place(struct ctfd_listener *l, bool privileged)
{
	struct ctfd_conn *oldest, *free_place;
	unsigned int i, tries, unpriv;

	for (tries = 0; tries <= l->max; tries++) {
		oldest = free_place = NULL;
		unpriv = 0;
		for (i = 0; i < l->max; i++) {
			struct ctfd_conn *c = &l->conns[i];

			if (c->fd < 0) {
				free_place = free_place ? free_place : c;
				continue;
			}
			unpriv += !c->privileged;
			if (!c->ready && !c->resp &&
			    (privileged || !c->privileged) &&
			    (!oldest || c->accepted < oldest->accepted))
				oldest = c;
		}
		if (free_place &&
		    (privileged || unpriv + CTFD_CONN_RESERVED < l->max))
			return free_place;
		if (!oldest)
			return NULL;
		conn_read(l, oldest);
		if (oldest->fd >= 0 && !oldest->ready) {
			l->st.displaced++;
			conn_close(oldest);
			return oldest;
		}
	}
	return NULL;
}

static void accept_some(struct ctfd_listener *l, uint64_t now)
{
	struct ucred cred;
	socklen_t clen;
	struct ctfd_conn *c;
	bool privileged;
	unsigned int k;
	int fd;

	for (k = 0; k < CTFD_CONN_ACCEPTS; k++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		l->st.accepted++;
		clen = sizeof(cred);
		/* Without credentials (TCP), every peer is the same. */
		privileged = !l->peercred ||
			     (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred,
					  &clen) &&
			      (cred.uid == 0 || cred.uid == geteuid()));
		c = place(l, privileged);
		if (!c) {
			l->st.busy++;
			if (l->busy_reply) {
				/* Best effort: its buffer may be full. */
				ssize_t w = write(fd, l->busy_reply,
						  strlen(l->busy_reply));
				(void)w;
			}
			close(fd);
			continue;
		}
		c->fd = fd;
		c->accepted = now;
		c->privileged = privileged;
		/*
		 * A client writes its request as it connects: read now, it
		 * is whole, and no newcomer can displace it.
		 */
		conn_read(l, c);
	}
}

/* Read what is there; the request whole makes it ready. */
static void conn_read(struct ctfd_listener *l, struct ctfd_conn *c)
{
	ssize_t n;
	int whole;

	n = read(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Gone, or cut short: nothing to answer. */
		l->st.bad += c->len > 0;
		conn_close(c);
		return;
	}
	c->len += n;
	c->req[c->len] = '\0';
	whole = l->complete(c->req, c->len);
	if (!whole && c->len == sizeof(c->req) - 1)
		whole = -1;
	if (whole < 0) {
		l->st.bad++;
		conn_close(c);
	} else if (whole) {
		c->ready = true;
	}
}

static void conn_write(struct ctfd_conn *c)
{
	ssize_t n;

	n = write(c->fd, c->resp + c->off, c->resp_len - c->off);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->off += n;
	if (c->off == c->resp_len)
		conn_close(c);
}

static void conn_serve(struct ctfd *d, struct ctfd_listener *l,
		       struct ctfd_conn *c)
{
	FILE *out = open_memstream(&c->resp, &c->resp_len);

	c->ready = false;
	if (!out) {
		conn_close(c);
		return;
	}
	l->serve(d, c, out);
	fclose(out);
	l->st.served++;
	if (!c->resp_len) {
		conn_close(c);
		return;
	}
	/* Most answers fit in the socket's buffer: written at once. */
	conn_write(c);
}

void ctfd_listener_io(struct ctfd *d, struct ctfd_listener *l,
		      const struct pollfd *pfd, unsigned int n,
		      unsigned int *budget)
{
	uint64_t now = ctfd_now_ms();
	unsigned int i;

	if (n < 1 + l->max)
		return;
	for (i = 0; i < l->max; i++) {
		struct ctfd_conn *c = &l->conns[i];
		short rev = pfd[1 + i].revents;

		if (c->fd < 0 || pfd[1 + i].fd != c->fd)
			continue;
		if (rev & (POLLERR | POLLNVAL)) {
			conn_close(c);
		} else if (c->resp && (rev & (POLLOUT | POLLHUP))) {
			conn_write(c);
		} else if (!c->resp && (rev & (POLLIN | POLLHUP))) {
			conn_read(l, c);
		}
	}
	for (i = 0; i < l->max; i++) {
		struct ctfd_conn *c = &l->conns[i];

		if (c->fd >= 0 && c->ready && *budget) {
			(*budget)--;
			conn_serve(d, l, c);
		}
		if (c->fd >= 0 && now >= c->accepted + CTFD_CONN_DEADLINE_MS) {
			l->st.expired++;
			conn_close(c);
		}
	}
	if (pfd[0].fd >= 0 && (pfd[0].revents & POLLIN))
		accept_some(l, now);
}
