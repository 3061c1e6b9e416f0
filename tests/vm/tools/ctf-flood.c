// SPDX-License-Identifier: GPL-2.0
/*
 * ctf-flood: create many distinct UDP flows fast, for the benchmarks.
 *
 *   ctf-flood -s SRC4 [-a NADDRS] [-p PORTLO] [-P PORTHI] DST4 DPORT
 *	Send one UDP datagram for every source address SRC4, SRC4+1, ...
 *	(NADDRS of them, default 1) and every source port PORTLO..PORTHI
 *	(default 1024..65535) to DST4:DPORT. Prints "sent N in S s".
 *
 * One raw socket (IP_HDRINCL) crafts every packet, so a million flows cost
 * a million sendto() calls and no socket churn. It needs CAP_NET_RAW and
 * is meant for the benchmark's own namespaces only.
 */
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

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: ctf-flood -s SRC4 [-a NADDRS] [-p PORTLO] "
			"[-P PORTHI] DST4 DPORT\n");
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

int main(int argc, char **argv)
{
	unsigned long naddrs = 1, plo = 1024, phi = 65535, a, p, sent = 0;
	struct in_addr src = { 0 }, dst;
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char payload[4];
	} pkt;
	struct timespec t0, t1;
	int fd, opt, one = 1;
	uint16_t dport;

	while ((opt = getopt(argc, argv, "s:a:p:P:")) != -1) {
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
		default:
			usage();
		}
	}
	if (argc - optind != 2 || !src.s_addr || !naddrs || plo > phi || !plo ||
	    inet_pton(AF_INET, argv[optind], &dst) != 1)
		usage();
	dport = (uint16_t)num(argv[optind + 1], 65535);
	to.sin_addr = dst;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("raw socket");
		return 1;
	}

	memset(&pkt, 0, sizeof(pkt));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_UDP;
	pkt.ip.tot_len = htons(sizeof(pkt));
	pkt.ip.daddr = dst.s_addr;
	pkt.udp.dest = htons(dport);
	pkt.udp.len = htons(sizeof(pkt) - sizeof(pkt.ip));
	memcpy(pkt.payload, "ctf", 4);	/* UDP checksum 0: none, as IPv4 allows */

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (a = 0; a < naddrs; a++) {
		pkt.ip.saddr = htonl(ntohl(src.s_addr) + a);
		for (p = plo; p <= phi; p++) {
			pkt.udp.source = htons((uint16_t)p);
			pkt.ip.id = htons((uint16_t)p);
			pkt.ip.check = 0;
			pkt.ip.check = csum(&pkt.ip, sizeof(pkt.ip));
			while (sendto(fd, &pkt, sizeof(pkt), 0,
				      (struct sockaddr *)&to, sizeof(to)) < 0) {
				/* A full queue only means: slow down. */
				if (errno != ENOBUFS && errno != EAGAIN) {
					perror("sendto");
					return 1;
				}
				usleep(100);
			}
			sent++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("sent %lu in %.2f s\n", sent,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
