// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's client connections (userspace/daemon/conn.h) on a real
 * Unix socket: served without waiting on a client, the oldest unfinished
 * request displaced when the places are full (but never one that came
 * whole), turned away when every place is answering, bad requests closed,
 * a budget of requests a round.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "unit.h"

UNIT_SUITE("conn");

static struct sockaddr_un sun = { .sun_family = AF_UNIX };
static socklen_t sun_len;

static int line_complete(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);

	if (!nl)
		return 0;
	return memchr(buf, '\0', nl - buf) ? -1 : 1;
}

static void echo(struct ctfd *d, struct ctfd_conn *c, FILE *out)
{
	(void)d;
	fprintf(out, "echo:%s", c->req);
}

/* A listener on a fresh abstract socket; max places. */
static int listener(struct ctfd_listener *l, unsigned int max)
{
	static int n;
	int fd;

	sun_len = offsetof(struct sockaddr_un, sun_path) + 1 +
		  snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
			   "ctf-unit-conn-%d-%d", (int)getpid(), n++);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sun_len) ||
	    listen(fd, 64))
		return -1;
	if (ctfd_listener_init(l, "test", fd, max))
		return -1;
	l->complete = line_complete;
	l->serve = echo;
	l->busy_reply = "busy\n";
	return 0;
}

static int client(const char *req)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sun_len))
		return -1;
	if (req[0] && write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -1;
	return fd;
}

/* One round of the loop: poll (no wait), then io with @budget. */
static void round_of(struct ctfd_listener *l, unsigned int budget)
{
	struct pollfd pfd[64];
	unsigned int n = ctfd_listener_pollfds(l, pfd);

	poll(pfd, n, 0);
	ctfd_listener_io(NULL, l, pfd, n, &budget);
}

/* What the daemon sent @fd until it closed (or nothing yet: ""). */
static const char *answer(int fd)
{
	static char buf[256];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static bool closed(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static void serves_a_request(void)
{
	struct ctfd_listener l;
	int c;

	CHECK(!listener(&l, 2));
	c = client("status\n");
	CHECK(c >= 0);
	round_of(&l, 4); /* accepted */
	round_of(&l, 4); /* read, served, written */
	CHECK_STR(answer(c), "echo:status\n");
	CHECK(closed(c));
	CHECK_INT(l.st.served, 1);
	CHECK_INT(ctfd_listener_open(&l), 0);
	close(c);
	ctfd_listener_close(&l);
}

/* Full of unfinished requests: the oldest gives way to a new client. */
static void displaces_the_oldest_unfinished(void)
{
	struct ctfd_listener l;
	int slow, idle, fresh;

	CHECK(!listener(&l, 2));
	slow = client("stat");
	CHECK(slow >= 0);
	round_of(&l, 4);
	idle = client("");
	CHECK(idle >= 0);
	round_of(&l, 4);
	round_of(&l, 4); /* slow's bytes read: unfinished */
	CHECK_INT(ctfd_listener_open(&l), 2);
	fresh = client("status\n");
	CHECK(fresh >= 0);
	round_of(&l, 4); /* slow displaced, fresh accepted */
	CHECK_INT(l.st.displaced, 1);
	CHECK(closed(slow));
	round_of(&l, 4); /* read as it was accepted: served now */
	CHECK_STR(answer(fresh), "echo:status\n");
	CHECK(!closed(idle));
	close(slow);
	close(idle);
	close(fresh);
	ctfd_listener_close(&l);
}

/*
 * A request that came whole but was not read yet is read before its
 * connection could be displaced: answered, and the new client, finding
 * every place answering, is turned away.
 */
static void never_displaces_a_whole_request(void)
{
	struct ctfd_listener l;
	struct pollfd pfd[8];
	unsigned int n, budget = 4;
	int first, second;

	CHECK(!listener(&l, 1));
	first = client("");
	CHECK(first >= 0);
	round_of(&l, 4);
	CHECK(write(first, "backends\n", 9) == 9);
	second = client("status\n");
	CHECK(second >= 0);
	/* A round in which poll saw only the listener. */
	n = ctfd_listener_pollfds(&l, pfd);
	pfd[0].revents = POLLIN;
	pfd[1].revents = 0;
	ctfd_listener_io(NULL, &l, pfd, n, &budget);
	CHECK_INT(l.st.displaced, 0);
	CHECK_INT(l.st.busy, 1);
	CHECK_STR(answer(second), "busy\n");
	/* The first waits: served in the next round. */
	CHECK_INT(ctfd_listener_timeout(&l, 0), 0);
	round_of(&l, 4);
	CHECK_STR(answer(first), "echo:backends\n");
	close(first);
	close(second);
	ctfd_listener_close(&l);
}

static void closes_bad_requests(void)
{
	struct ctfd_listener l;
	char big[1100];
	int nul, longline;

	CHECK(!listener(&l, 4));
	nul = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(!connect(nul, (struct sockaddr *)&sun, sun_len));
	CHECK(write(nul, "sta\0tus\n", 8) == 8);
	memset(big, 'a', sizeof(big));
	longline = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(!connect(longline, (struct sockaddr *)&sun, sun_len));
	CHECK(write(longline, big, sizeof(big)) == (ssize_t)sizeof(big));
	round_of(&l, 4);
	round_of(&l, 4);
	CHECK_INT(l.st.bad, 2);
	CHECK_INT(l.st.served, 0);
	CHECK(closed(nul));
	close(nul);
	close(longline);
	ctfd_listener_close(&l);
}

/* Three whole requests, a budget of one a round: one a round. */
static void serves_within_the_budget(void)
{
	struct ctfd_listener l;
	int c[3], i;

	CHECK(!listener(&l, 4));
	for (i = 0; i < 3; i++) {
		c[i] = client("status\n");
		CHECK(c[i] >= 0);
	}
	round_of(&l, 1); /* accepted */
	round_of(&l, 1);
	CHECK_INT(l.st.served, 1);
	CHECK_INT(ctfd_listener_timeout(&l, 0), 0);
	round_of(&l, 1);
	CHECK_INT(l.st.served, 2);
	round_of(&l, 1);
	CHECK_INT(l.st.served, 3);
	for (i = 0; i < 3; i++) {
		CHECK_STR(answer(c[i]), "echo:status\n");
		close(c[i]);
	}
	ctfd_listener_close(&l);
}

/* Past the deadline, a connection is closed whatever it was doing. */
static void expires_at_the_deadline(void)
{
	struct ctfd_listener l;
	int c;

	CHECK(!listener(&l, 2));
	c = client("stat");
	CHECK(c >= 0);
	round_of(&l, 4);
	CHECK(ctfd_listener_timeout(&l, 0) > 0);
	/* As if the deadline had passed: the accepted time moved back. */
	l.conns[0].accepted -= CTFD_CONN_DEADLINE_MS + 1;
	l.conns[1].accepted -= CTFD_CONN_DEADLINE_MS + 1;
	round_of(&l, 4);
	CHECK_INT(l.st.expired, 1);
	CHECK(closed(c));
	close(c);
	ctfd_listener_close(&l);
}

const struct unit_case unit_cases[] = {
	{ "serves_a_request", serves_a_request },
	{ "displaces_the_oldest_unfinished", displaces_the_oldest_unfinished },
	{ "never_displaces_a_whole_request", never_displaces_a_whole_request },
	{ "closes_bad_requests", closes_bad_requests },
	{ "serves_within_the_budget", serves_within_the_budget },
	{ "expires_at_the_deadline", expires_at_the_deadline },
	{ NULL, NULL },
};
