// SPDX-License-Identifier: GPL-2.0
/*
 * ctfailoverctl canary: the daemon's canary (userspace/daemon/canary.h), or,
 * with --to, a canary of its own from wherever it runs: a monitoring host,
 * or a load balancer without ctfailoverd.
 *
 *   canary --to VIP[:PORT] [--port P] [--interval MS] [--count N]
 *          [--fall N] [--direct ADDR[:PORT]]...
 *
 * Each round sends a SIP OPTIONS to the VIP from the one source port P
 * (default 5099), as a provider sends its INVITEs, so every round (and
 * every run within the load balancer's UDP timeout) goes through the same
 * conntrack entry there; and one to each --direct address (the backends)
 * from a new port, as health checks do. A round waits one interval for
 * the answers (any final response is one). The alarm: --fall rounds in a
 * row in which the pinned OPTIONS went unanswered while a direct one was
 * answered (without --direct: while nothing tells, every unanswered round
 * counts). Exit status: 3 if the alarm held at the end, 1 if the last
 * round's pinned OPTIONS went unanswered otherwise, 0 if it was answered.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "json.h"
#include "parse.h"
#include "sipmsg.h"

#define MAX_DIRECT 16

struct target {
	struct ctf_addr addr;
	uint16_t port;
	int fd;
	uint32_t seq;
	unsigned int code; /* 0: no answer this round */
	double rtt_ms;
	uint64_t answered;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s canary: ", ctl_prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr,
		"\nusage: %s canary [--to VIP[:PORT] [--port P] [--interval MS] [--count N] [--fall N] [--direct ADDR[:PORT]]...]\n",
		ctl_prog);
	return CTL_EXIT_USAGE;
}

/* ADDR, ADDR:PORT (IPv4) or [ADDR]:PORT, [ADDR] (IPv6); port default 5060. */
static int parse_target(const char *s, struct target *t)
{
	char buf[80], err[128], *colon;
	const char *addr = buf, *port = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		*end = '\0';
		addr = buf + 1;
		if (end[1])
			port = end + 2;
	} else if ((colon = strchr(buf, ':')) && !strchr(colon + 1, ':')) {
		*colon = '\0';
		port = colon + 1;
	}
	t->port = 5060;
	if (ctf_parse_addr(addr, &t->addr, err, sizeof(err)) ||
	    (port && ctf_parse_port(port, &t->port, err, sizeof(err))))
		return -EINVAL;
	return 0;
}

static int send_options(struct target *t, const char *tag, uint32_t seq)
{
	struct sockaddr_storage ss;
	struct ctf_addr src;
	char buf[1024], branch[40], callid[56];
	socklen_t len;
	int n, port;

	t->seq = seq;
	t->code = 0;
	snprintf(branch, sizeof(branch), "ctf%s.%u", tag, seq);
	snprintf(callid, sizeof(callid), "ctf%s.%u@ctfailoverctl", tag, seq);
	len = sizeof(ss);
	if (ctf_local_addr(&t->addr, &src) ||
	    getsockname(t->fd, (struct sockaddr *)&ss, &len))
		return -errno;
	port = ctf_addr_from_sockaddr(&ss, &(struct ctf_addr){ 0 });
	{
		struct ctfd_sip_options o = {
			.src = &src,
			.src_port = port,
			.dst = &t->addr,
			.dst_port = t->port,
			.branch = branch,
			.call_id = callid,
			.tag = tag,
			.cseq = seq & 0x7fffffff,
		};

		n = ctfd_sip_options_build(buf, sizeof(buf), &o);
	}
	if (n < 0)
		return n;
	ctf_addr_to_sockaddr(&t->addr, t->port, &ss, &len);
	return sendto(t->fd, buf, n, 0, (struct sockaddr *)&ss, len) < 0
		       ? -errno
		       : 0;
}

/* Read what came on @t's socket: its answer, if it is one. */
static void receive(struct target *t, const char *tag, double sent)
{
	struct ctfd_sip_response r;
	struct sockaddr_storage ss;
	struct ctf_addr from;
	char buf[4096], err[CTF_PARSE_ERRLEN], want[64];
	socklen_t len = sizeof(ss);
	ssize_t n;

	n = recvfrom(t->fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&ss, &len);
	if (n < 0 || ctf_addr_from_sockaddr(&ss, &from) != t->port ||
	    !ctf_addr_equal(&from, &t->addr) ||
	    ctfd_sip_response_parse(buf, n, &r, err, sizeof(err)) ||
	    r.code < 200)
		return;
	snprintf(want, sizeof(want), "ctf%s.%u@ctfailoverctl", tag, t->seq);
	if (strcmp(r.call_id, want) || r.cseq != (t->seq & 0x7fffffff))
		return;
	t->code = r.code;
	t->rtt_ms = now_ms() - sent;
	t->answered++;
}

static const char *endpoint(const struct target *t, char *buf, size_t len)
{
	char a[CTF_ADDR_STRLEN];

	snprintf(buf, len, t->addr.family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 ctf_addr_str(&t->addr, a), t->port);
	return buf;
}

static void result(FILE *f, const struct target *t)
{
	char e[CTF_ADDR_STRLEN + 8];

	if (t->code)
		fprintf(f, "%s %u in %.1f ms", endpoint(t, e, sizeof(e)),
			t->code, t->rtt_ms);
	else
		fprintf(f, "%s no answer", endpoint(t, e, sizeof(e)));
}

static int standalone(int argc, char **argv, const struct ctl_opts *o)
{
	struct target pin = { .fd = -1 }, direct[MAX_DIRECT];
	unsigned int n_direct = 0, i, round, run = 0, d_ok;
	uint64_t interval = 1000, count = 10, fall = 3, v;
	uint16_t port = 5099;
	uint32_t r[2] = { 0, 0 }, seq = 0;
	char tag[17], err[128];
	bool have_to = false, alarm = false;
	int k, ret;

	for (k = 1; k < argc; k++) {
		const char *opt = argv[k],
			   *val = k + 1 < argc ? argv[k + 1] : NULL;

		if (!val)
			return usage("%s wants a value", opt);
		k++;
		if (!strcmp(opt, "--to")) {
			if (parse_target(val, &pin))
				return usage(
					"bad --to '%s' (ADDR, ADDR:PORT, [ADDR]:PORT)",
					val);
			have_to = true;
		} else if (!strcmp(opt, "--direct")) {
			if (n_direct == MAX_DIRECT)
				return usage("more than 16 --direct%s", "");
			if (parse_target(val, &direct[n_direct]))
				return usage(
					"bad --direct '%s' (ADDR, ADDR:PORT, [ADDR]:PORT)",
					val);
			direct[n_direct++].fd = -1;
		} else if (!strcmp(opt, "--port")) {
			if (ctf_parse_port(val, &port, err, sizeof(err)))
				return usage("--port: %s", err);
		} else if (!strcmp(opt, "--interval")) {
			if (ctf_parse_uint(val, "interval (ms)", 100, 3600000,
					   &interval, err, sizeof(err)))
				return usage("--interval: %s", err);
		} else if (!strcmp(opt, "--count")) {
			if (ctf_parse_uint(val, "count", 1, 1000000, &count,
					   err, sizeof(err)))
				return usage("--count: %s", err);
		} else if (!strcmp(opt, "--fall")) {
			if (ctf_parse_uint(val, "count", 1, 100, &v, err,
					   sizeof(err)))
				return usage("--fall: %s", err);
			fall = v;
		} else {
			return usage("unknown option '%s'", opt);
		}
	}
	if (!have_to)
		return usage("--to VIP is needed%s", "");
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		r[0] = (uint32_t)getpid() * 2654435761u;
	snprintf(tag, sizeof(tag), "%08x%08x", r[0], r[1]);
	pin.fd = ctf_udp_bind(pin.addr.family, port);
	if (pin.fd < 0) {
		fprintf(stderr, "%s canary: binding port %u: %s\n", ctl_prog,
			port, strerror(-pin.fd));
		return CTL_EXIT_FAIL;
	}
	for (round = 1; round <= count; round++) {
		double start = now_ms(), end = start + interval;
		struct pollfd pfd[1 + MAX_DIRECT];

		ret = send_options(&pin, tag, ++seq);
		if (ret) {
			fprintf(stderr, "%s canary: sending to the VIP: %s\n",
				ctl_prog, strerror(-ret));
			return CTL_EXIT_FAIL;
		}
		for (i = 0; i < n_direct; i++) {
			/* A new port each round, as health checks use. */
			if (direct[i].fd >= 0)
				close(direct[i].fd);
			direct[i].fd = ctf_udp_bind(direct[i].addr.family, 0);
			if (direct[i].fd < 0 ||
			    send_options(&direct[i], tag, ++seq))
				direct[i].code = 0;
		}
		for (;;) {
			double left = end - now_ms();

			if (left <= 0)
				break;
			pfd[0] = (struct pollfd){ .fd = pin.fd,
						  .events = POLLIN };
			for (i = 0; i < n_direct; i++)
				pfd[1 + i] =
					(struct pollfd){ .fd = direct[i].fd,
							 .events = POLLIN };
			if (poll(pfd, 1 + n_direct, (int)left + 1) < 0 &&
			    errno != EINTR)
				break;
			if (pfd[0].revents)
				receive(&pin, tag, start);
			for (i = 0; i < n_direct; i++)
				if (pfd[1 + i].revents)
					receive(&direct[i], tag, start);
		}
		for (d_ok = 0, i = 0; i < n_direct; i++)
			d_ok += !!direct[i].code;
		run = pin.code ? 0 : (n_direct && !d_ok ? 0 : run + 1);
		alarm = run >= fall;
		if (!o->json) {
			printf("round %u: pinned from port %u: ", round, port);
			result(stdout, &pin);
			for (i = 0; i < n_direct; i++) {
				printf(i ? ", " : "; direct: ");
				result(stdout, &direct[i]);
			}
			printf("%s\n", alarm ? "; ALARM" : "");
			fflush(stdout);
		}
	}
	if (o->json) {
		struct ctf_json j;
		char e[CTF_ADDR_STRLEN + 8];

		ctf_json_init(&j, stdout);
		ctf_json_begin_object(&j, NULL);
		ctf_json_string(&j, "to", endpoint(&pin, e, sizeof(e)));
		ctf_json_uint(&j, "port", port);
		ctf_json_uint(&j, "rounds", count);
		ctf_json_uint(&j, "answered", pin.answered);
		ctf_json_uint(&j, "last_code", pin.code);
		ctf_json_uint(&j, "bad_in_a_row", run);
		ctf_json_bool(&j, "alarm", alarm);
		ctf_json_begin_array(&j, "direct");
		for (i = 0; i < n_direct; i++) {
			ctf_json_begin_object(&j, NULL);
			ctf_json_string(&j, "to",
					endpoint(&direct[i], e, sizeof(e)));
			ctf_json_uint(&j, "answered", direct[i].answered);
			ctf_json_uint(&j, "last_code", direct[i].code);
			ctf_json_end_object(&j);
		}
		ctf_json_end_array(&j);
		ctf_json_end_object(&j);
		fputc('\n', stdout);
	} else if (alarm) {
		printf("ALARM: the pinned path is broken: %u rounds in a row unanswered%s\n",
		       run,
		       n_direct ? " while a backend answered directly" : "");
	}
	close(pin.fd);
	for (i = 0; i < n_direct; i++)
		if (direct[i].fd >= 0)
			close(direct[i].fd);
	if (alarm)
		return CTL_EXIT_ALARM;
	return pin.code ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}

int ctl_canary(int argc, char **argv, const struct ctl_opts *o)
{
	if (argc > 1)
		return standalone(argc, argv, o);
	return ctl_daemon(argc, argv, o);
}
