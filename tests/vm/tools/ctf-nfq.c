// SPDX-License-Identifier: GPL-2.0
/*
 * ctf-nfq: hold packets in an NFQUEUE until told to let them go.
 *
 *   ctf-nfq QUEUE
 *	Bind NFQUEUE number QUEUE in the current network namespace and print
 *	"ready". Every packet queued after that is held and announced as
 *	"held ID". A line on stdin accepts every held packet ("released N");
 *	from then on each new packet is accepted at once ("passed ID"). Ends
 *	at the end of stdin, or after 120 s, accepting whatever it still holds.
 *
 * What a scenario needs that no packaged tool does here: a packet that
 * waits in the queue, its conntrack entry not yet confirmed, for exactly as
 * long as the script wants (nfqnl's verdicts through raw nfnetlink: no
 * libnetfilter_queue in the guest).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD   64
#define LIFETIME_S 120

static int nl_fd;
static unsigned short queue;
static unsigned int seq;

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	exit(2);
}

static void put_attr(char *buf, size_t *len, unsigned short type,
		     const void *data, size_t dlen)
{
	struct nlattr *a = (struct nlattr *)(buf + *len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + dlen;
	memcpy(buf + *len + NLA_HDRLEN, data, dlen);
	*len += NLA_ALIGN(a->nla_len);
}

/* One nfqnl message: header, nfgenmsg, then the attributes in @attrs. */
static void nfq_send(unsigned short type, const char *attrs, size_t alen,
		     int ack)
{
	char buf[256];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nfgenmsg *g = NLMSG_DATA(nlh);
	size_t len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*g));

	memset(buf, 0, len);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
	nlh->nlmsg_seq = ++seq;
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(queue);
	memcpy(buf + len, attrs, alen);
	nlh->nlmsg_len = len + alen;
	if (send(nl_fd, buf, nlh->nlmsg_len, 0) < 0)
		die("send");
}

/* The answer to an acknowledged request: 0 or exit naming the error. */
static void nfq_ack(const char *what)
{
	char buf[8192];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	ssize_t n = recv(nl_fd, buf, sizeof(buf), 0);

	if (n < 0)
		die("recv");
	if (!NLMSG_OK(nlh, (size_t)n) || nlh->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "ctf-nfq: %s: unexpected answer\n", what);
		exit(2);
	}
	if (((struct nlmsgerr *)NLMSG_DATA(nlh))->error) {
		errno = -((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
		die(what);
	}
}

static void bind_queue(void)
{
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(64),
		.copy_mode = NFQNL_COPY_PACKET,
	};
	char attrs[64];
	size_t len = 0;

	put_attr(attrs, &len, NFQA_CFG_CMD, &cmd, sizeof(cmd));
	nfq_send(NFQNL_MSG_CONFIG, attrs, len, 1);
	nfq_ack("bind");
	len = 0;
	put_attr(attrs, &len, NFQA_CFG_PARAMS, &params, sizeof(params));
	nfq_send(NFQNL_MSG_CONFIG, attrs, len, 1);
	nfq_ack("copy mode");
}

static void accept_packet(unsigned int id)
{
	struct nfqnl_msg_verdict_hdr v = {
		.verdict = htonl(NF_ACCEPT),
		.id = htonl(id),
	};
	char attrs[32];
	size_t len = 0;

	put_attr(attrs, &len, NFQA_VERDICT_HDR, &v, sizeof(v));
	nfq_send(NFQNL_MSG_VERDICT, attrs, len, 0);
}

/* The packet id of an nfqnl packet message, or -1 for anything else. */
static long packet_id(struct nlmsghdr *nlh)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return -1;
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		struct nlattr *a = (struct nlattr *)((char *)nlh + off);

		if (a->nla_len < NLA_HDRLEN ||
		    off + a->nla_len > nlh->nlmsg_len)
			return -1;
		if ((a->nla_type & NLA_TYPE_MASK) == NFQA_PACKET_HDR &&
		    a->nla_len >=
			    NLA_HDRLEN + sizeof(struct nfqnl_msg_packet_hdr)) {
			struct nfqnl_msg_packet_hdr *ph =
				(void *)((char *)a + NLA_HDRLEN);

			return ntohl(ph->packet_id);
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned int held[MAX_HELD];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int nheld = 0, released = 0, i;
	time_t end = time(NULL) + LIFETIME_S;
	char buf[65536];

	if (argc != 2) {
		fputs("usage: ctf-nfq QUEUE\n", stderr);
		return 2;
	}
	queue = atoi(argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	nl_fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
	if (nl_fd < 0)
		die("socket");
	if (bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	bind_queue();
	puts("ready");

	while (time(NULL) < end) {
		struct pollfd p[2] = {
			{ .fd = nl_fd, .events = POLLIN },
			{ .fd = 0, .events = POLLIN },
		};

		if (poll(p, 2, 1000) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[1].revents) {
			/* A line of stdin lets them all go; its end, too. */
			ssize_t n = read(0, buf, sizeof(buf));

			if (n <= 0)
				break;
			for (i = 0; i < nheld; i++)
				accept_packet(held[i]);
			printf("released %d\n", nheld);
			nheld = 0;
			released = 1;
		}
		if (p[0].revents & POLLIN) {
			ssize_t n = recv(nl_fd, buf, sizeof(buf), MSG_DONTWAIT);
			struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				die("recv");
			}
			for (; NLMSG_OK(nlh, (size_t)n);
			     nlh = NLMSG_NEXT(nlh, n)) {
				long id = packet_id(nlh);

				if (id < 0)
					continue;
				if (released || nheld == MAX_HELD) {
					accept_packet(id);
					printf("passed %ld\n", id);
				} else {
					held[nheld++] = id;
					printf("held %ld\n", id);
				}
			}
		}
	}
	for (i = 0; i < nheld; i++)
		accept_packet(held[i]);
	return 0;
}
