// SPDX-License-Identifier: GPL-2.0
/*
 * ctf-flood: create many distinct UDP flows fast, or push one flow as fast
 * as the kernel takes it, for the benchmarks.
 *
 *   ctf-flood -s SRC4 [-a NADDRS] [-p PORTLO] [-P PORTHI] [-c COUNT]
 *             [-t SECONDS] DST4 DPORT
 *	Send one UDP datagram for every source address SRC4, SRC4+1, ...
 *	(NADDRS of them, default 1) and every source port PORTLO..PORTHI
 *	(default 1024..65535) to DST4:DPORT; all that COUNT times over
 *	(default 1; with -t, no limit), and stop once SECONDS have passed
 *	(-t, checked after every batch). Prints "sent N in S s".
 *
 * One raw socket (IP_HDRINCL) crafts every packet, and sendmmsg() hands the
 * kernel BATCH of them per system call, so a million datagrams cost a few
 * thousand system calls and no socket churn: the sender's own share of the
 * CPU stays small next to what the receiving path does with each packet.
 * It needs CAP_NET_RAW and is meant for the benchmark's own namespaces only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

struct pkt {
	struct iphdr ip;
	struct udphdr udp;
	char payload[4];
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: ctf-flood -s SRC4 [-a NADDRS] [-p PORTLO] "
			"[-P PORTHI] [-c COUNT] [-t SECONDS] DST4 DPORT\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > max)
		usage();
	return v;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Send the first n packets of the batch; returns 0, or -1 on an error. */
static int send_batch(int fd, struct mmsghdr *msgs, unsigned int n)
{
	unsigned int done = 0;
	int r;

	while (done < n) {
		r = sendmmsg(fd, msgs + done, n - done, 0);
		if (r > 0) {
			done += (unsigned int)r;
			continue;
		}
		/* A full queue only means: slow down. */
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN &&
		    errno != EINTR) {
			perror("sendmmsg");
			return -1;
		}
		usleep(100);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long naddrs = 1, plo = 1024, phi = 65535, count = 0;
	unsigned long a, p, c, sent = 0, seconds = 0;
	struct in_addr src = { 0 }, dst;
	struct sockaddr_in to = { .sin_family = AF_INET };
	static struct pkt pkts[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	unsigned int n = 0, i;
	int fd, opt, one = 1, stop = 0;
	uint16_t dport;
	double t0, t1;

	while ((opt = getopt(argc, argv, "s:a:p:P:c:t:")) != -1) {
		switch (opt) {
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1)
				usage();
			break;
		case 'a':
			naddrs = num(optarg, 65536);
			break;
		case 'p':
			plo = num(optarg, 65535);
			break;
		case 'P':
			phi = num(optarg, 65535);
			break;
		case 'c':
			count = num(optarg, 1000000000000UL);
			if (!count)
				usage();
			break;
		case 't':
			seconds = num(optarg, 86400);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || !src.s_addr || !naddrs || plo > phi || !plo ||
	    inet_pton(AF_INET, argv[optind], &dst) != 1)
		usage();
	dport = (uint16_t)num(argv[optind + 1], 65535);
	if (!count)
		count = seconds ? (unsigned long)-1 : 1;
	to.sin_addr = dst;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("raw socket");
		return 1;
	}

	memset(pkts, 0, sizeof(pkts));
	for (i = 0; i < BATCH; i++) {
		struct pkt *k = &pkts[i];

		k->ip.version = 4;
		k->ip.ihl = 5;
		k->ip.ttl = 64;
		k->ip.protocol = IPPROTO_UDP;
		k->ip.tot_len = htons(sizeof(*k));
		k->ip.daddr = dst.s_addr;
		k->udp.dest = htons(dport);
		k->udp.len = htons(sizeof(*k) - sizeof(k->ip));
		/* UDP checksum 0: none, as IPv4 allows. */
		memcpy(k->payload, "ctf", 4);
		iov[i].iov_base = k;
		iov[i].iov_len = sizeof(*k);
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now();
	for (c = 0; c < count && !stop; c++) {
		for (a = 0; a < naddrs && !stop; a++) {
			for (p = plo; p <= phi && !stop; p++) {
				struct pkt *k = &pkts[n++];

				k->ip.saddr = htonl(ntohl(src.s_addr) + a);
				k->udp.source = htons((uint16_t)p);
				k->ip.id = htons((uint16_t)sent);
				k->ip.check = 0;
				k->ip.check = csum(&k->ip, sizeof(k->ip));
				sent++;
				if (n < BATCH)
					continue;
				if (send_batch(fd, msgs, n))
					return 1;
				n = 0;
				if (seconds && now() - t0 >= (double)seconds)
					stop = 1;
			}
		}
	}
	if (n && send_batch(fd, msgs, n))
		return 1;
	t1 = now();
	printf("sent %lu in %.6f s\n", sent, t1 - t0);
	return 0;
}
