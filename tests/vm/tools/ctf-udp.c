// SPDX-License-Identifier: GPL-2.0
/*
 * ctf-udp: the UDP traffic tool of the VM and netns tests.
 *
 *   ctf-udp send [-s SPORT] [-n COUNT] [-i MS] [-w MS] [-m TEXT] ADDR PORT
 *	Send COUNT datagrams (default 1) from the fixed source port SPORT
 *	(default: any), one every MS milliseconds (-i, default 0). With -w,
 *	wait up to MS for one reply after each datagram and print each reply
 *	on a line of its own. Ends with "sent N replies M" on stderr. Exits 0
 *	if every datagram was sent and, with -w, answered.
 *   ctf-udp serve [-N NAME] PORT
 *	Answer every datagram on PORT (IPv4 and IPv6) with NAME (default:
 *	the hostname), and log "from ADDR PORT: PAYLOAD" for each on stdout.
 *	Prints "ready" once bound, so a script can wait for it.
 *
 * Why not nc or socat: busybox nc has no UDP mode, socat is not on every
 * machine, and the scenarios need the two things this does: a fixed source
 * port (the provider's 4-tuple that conntrack pins) and a reply that names
 * the backend which answered, so a client can tell where its flow went.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	exit(2);
}

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ctf-udp send [-s SPORT] [-n COUNT] [-i MS] [-w MS] [-m TEXT] ADDR PORT\n"
	      "       ctf-udp serve [-N NAME] PORT\n",
	      stderr);
	exit(2);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmd_send(int argc, char **argv)
{
	const char *text = "ctf-udp";
	long count = 1, interval = 0, wait_ms = -1, sport = 0, i, replies = 0;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct sockaddr_storage local = { 0 };
	struct addrinfo *dst;
	char buf[2048];
	int fd, opt, one = 1;

	while ((opt = getopt(argc, argv, "s:n:i:w:m:")) != -1) {
		switch (opt) {
		case 's':
			sport = atol(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'i':
			interval = atol(optarg);
			break;
		case 'w':
			wait_ms = atol(optarg);
			break;
		case 'm':
			text = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || count < 1 || sport < 0 || sport > 65535)
		usage();
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &dst))
		usage();

	fd = socket(dst->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	/* Back-to-back runs reuse the same 4-tuple on purpose. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	local.ss_family = dst->ai_family;
	if (dst->ai_family == AF_INET6)
		((struct sockaddr_in6 *)&local)->sin6_port = htons(sport);
	else
		((struct sockaddr_in *)&local)->sin_port = htons(sport);
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)))
		die("bind");
	/* Connected, so replies from anyone but the destination are dropped. */
	if (connect(fd, dst->ai_addr, dst->ai_addrlen))
		die("connect");

	for (i = 0; i < count; i++) {
		int n = snprintf(buf, sizeof(buf), "%s seq=%ld", text, i);

		if (send(fd, buf, n, 0) != n)
			die("send");
		if (wait_ms >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t r;

			if (poll(&p, 1, wait_ms) == 1) {
				r = recv(fd, buf, sizeof(buf) - 1, 0);
				if (r >= 0) {
					buf[r] = 0;
					printf("%s\n", buf);
					fflush(stdout);
					replies++;
				}
			}
		}
		if (interval && i + 1 < count)
			sleep_ms(interval);
	}
	fprintf(stderr, "sent %ld replies %ld\n", count, replies);
	return wait_ms >= 0 && replies != count;
}

static void __attribute__((noreturn)) cmd_serve(int argc, char **argv)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
	char name[256], buf[2048], host[INET6_ADDRSTRLEN];
	int fd, opt, zero = 0, one = 1;

	if (gethostname(name, sizeof(name)))
		strcpy(name, "ctf-udp");
	while ((opt = getopt(argc, argv, "N:")) != -1) {
		switch (opt) {
		case 'N':
			snprintf(name, sizeof(name), "%s", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	/* One dual-stack socket serves the IPv4 and the IPv6 scenarios. */
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	any.sin6_port = htons(atoi(argv[optind]));
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)))
		die("bind");
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		struct sockaddr_in6 from;
		socklen_t len = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf) - 1, 0,
				     (struct sockaddr *)&from, &len);
		const char *h;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		buf[r] = 0;
		/* Print v4-mapped sources the way the IPv4 tests spell them. */
		if (IN6_IS_ADDR_V4MAPPED(&from.sin6_addr))
			h = inet_ntop(AF_INET, &from.sin6_addr.s6_addr[12],
				      host, sizeof(host));
		else
			h = inet_ntop(AF_INET6, &from.sin6_addr, host,
				      sizeof(host));
		printf("from %s %u: %s\n", h ? h : "?", ntohs(from.sin6_port),
		       buf);
		fflush(stdout);
		sendto(fd, name, strlen(name), 0, (struct sockaddr *)&from,
		       len);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		cmd_serve(argc - 1, argv + 1);
	usage();
}
