// SPDX-License-Identifier: GPL-2.0
/*
 * ctf-pace: wait until named nft counters in network namespaces have each
 * grown by MIN packets.
 *
 *   ctf-pace MIN SECONDS NETNS:TABLE:COUNTER...
 *	Reads each counter (an nft named counter in table inet TABLE, in
 *	the namespace /run/netns/NETNS), then again every 100 ms until every
 *	one has grown by at least MIN packets since the first reading. Exits
 *	0 then; after SECONDS, or on an error, exits 1. Either way it prints
 *	one line per counter, "COUNTER GROWTH".
 *
 * Why not `ip netns exec NS nft list counter` in a shell loop: in a TCG
 * guest busy with a dozen SIP processes each nft run costs about half a
 * second, so a loop over four providers took five seconds to notice calls
 * that flowed within one (the soak's pace). This holds one netlink socket
 * per namespace and asks the kernel directly (NFT_MSG_GETOBJ).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNTERS 64

struct counter {
	char *ns, *table, *name;
	int fd;
	uint64_t first, now;
};

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ctf-pace MIN SECONDS NETNS:TABLE:COUNTER...\n", stderr);
	exit(2);
}

static int nl_socket_in(const char *ns)
{
	char path[256];
	int nsfd, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		perror(path);
		exit(2);
	}
	close(nsfd);
	/* A socket stays in the namespace it was made in. */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0) {
		perror("netlink socket");
		exit(2);
	}
	return fd;
}

static void put_attr(char *buf, size_t *off, uint16_t type, const void *data,
		     size_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + *off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(buf + *off + NLA_HDRLEN, data, len);
	*off += NLA_ALIGN(a->nla_len);
}

/* The counter's packets, or -1 with a message. */
static int64_t read_counter(struct counter *c, uint32_t seq)
{
	char buf[8192] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nfgenmsg *nfg;
	uint32_t type = htonl(NFT_OBJECT_COUNTER);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*nfg));
	ssize_t n;

	memset(buf, 0, off);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETOBJ;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = NLMSG_DATA(nlh);
	nfg->nfgen_family = NFPROTO_INET;
	nfg->version = NFNETLINK_V0;
	put_attr(buf, &off, NFTA_OBJ_TABLE, c->table, strlen(c->table) + 1);
	put_attr(buf, &off, NFTA_OBJ_NAME, c->name, strlen(c->name) + 1);
	put_attr(buf, &off, NFTA_OBJ_TYPE, &type, sizeof(type));
	nlh->nlmsg_len = off;
	if (send(c->fd, buf, off, 0) < 0) {
		perror("netlink send");
		return -1;
	}
	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			perror("netlink recv");
			return -1;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			struct nlattr *a, *d;
			size_t alen, dlen;

			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (!e->error)
					continue; /* the ack, after the object
						   */
				fprintf(stderr, "%s:%s:%s: %s\n", c->ns,
					c->table, c->name, strerror(-e->error));
				return -1;
			}
			alen = nlh->nlmsg_len - NLMSG_HDRLEN -
			       NLMSG_ALIGN(sizeof(struct nfgenmsg));
			a = (struct nlattr *)((char *)NLMSG_DATA(nlh) +
					      NLMSG_ALIGN(
						      sizeof(struct nfgenmsg)));
			for (; alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= alen;
			     alen -= NLA_ALIGN(a->nla_len),
			     a = (struct nlattr *)((char *)a +
						   NLA_ALIGN(a->nla_len))) {
				if ((a->nla_type & NLA_TYPE_MASK) !=
				    NFTA_OBJ_DATA)
					continue;
				dlen = a->nla_len - NLA_HDRLEN;
				for (d = (struct nlattr *)((char *)a +
							   NLA_HDRLEN);
				     dlen >= NLA_HDRLEN &&
				     d->nla_len >= NLA_HDRLEN &&
				     d->nla_len <= dlen;
				     dlen -= NLA_ALIGN(d->nla_len),
				    d = (struct nlattr
						 *)((char *)d +
						    NLA_ALIGN(d->nla_len))) {
					uint64_t v;

					if ((d->nla_type & NLA_TYPE_MASK) !=
						    NFTA_COUNTER_PACKETS ||
					    d->nla_len != NLA_HDRLEN + 8)
						continue;
					memcpy(&v, (char *)d + NLA_HDRLEN, 8);
					return (int64_t)be64toh(v);
				}
			}
			fprintf(stderr, "%s:%s:%s: no packet count\n", c->ns,
				c->table, c->name);
			return -1;
		}
	}
}

int main(int argc, char **argv)
{
	struct counter cs[MAX_COUNTERS];
	struct timespec t0, t;
	long min, secs;
	int n = argc - 3, i, done = 0, rc = 1;
	uint32_t seq = 1;
	int64_t v;

	if (argc < 4 || n > MAX_COUNTERS)
		usage();
	min = strtol(argv[1], NULL, 10);
	secs = strtol(argv[2], NULL, 10);
	if (min < 0 || secs <= 0)
		usage();
	for (i = 0; i < n; i++) {
		char *s = argv[3 + i];

		cs[i].ns = strtok(s, ":");
		cs[i].table = strtok(NULL, ":");
		cs[i].name = strtok(NULL, ":");
		if (!cs[i].ns || !cs[i].table || !cs[i].name)
			usage();
		cs[i].fd = nl_socket_in(cs[i].ns);
		v = read_counter(&cs[i], seq++);
		if (v < 0)
			return 2;
		cs[i].first = cs[i].now = v;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (done = 1, i = 0; i < n; i++) {
			if (cs[i].now - cs[i].first >= (uint64_t)min)
				continue;
			v = read_counter(&cs[i], seq++);
			if (v < 0)
				goto out;
			cs[i].now = v;
			done &= cs[i].now - cs[i].first >= (uint64_t)min;
		}
		if (done) {
			rc = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000 >=
		    secs * 1000)
			break;
		usleep(100000);
	}
out:
	for (i = 0; i < n; i++)
		printf("%s %llu\n", cs[i].name,
		       (unsigned long long)(cs[i].now - cs[i].first));
	return rc;
}
