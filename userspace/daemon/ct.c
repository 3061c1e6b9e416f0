// SPDX-License-Identifier: GPL-2.0
/*
 * ctnetlink eviction with libmnl: one socket dumps the conntrack table, a
 * second one deletes the matching entries while the dump goes on (as
 * `conntrack -D` does), several deletes per sendmsg().
 *
 * The filtering is done here, not with the kernel's CTA_FILTER: that
 * matches one port at most, and its reply-direction matching has had
 * fixes after 6.1; a dump of the whole family costs little next to the
 * deletes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>

#include "ct.h"
#include "genl.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

/* Dump skbs are at most 32 KiB; a smaller buffer would truncate them. */
#define RXBUF 65536
/*
 * Deletes per sendmsg(): their acks (about 1 KiB of rcvbuf each with
 * CAP_ACK) must all fit in the default receive buffer.
 */
#define DEL_BATCH 64
/* A delete request is a header and a copy of the entry's tuple: < 256 B. */
#define DEL_MSG_MAX 512

struct evict {
	const struct ctf_addr *addr;
	const uint16_t *ports;
	unsigned int n_ports;
	unsigned int scanned, deleted;

	struct mnl_socket *dump, *del;
	uint32_t dump_portid, del_portid;
	uint32_t dump_seq, seq;
	char *rx;

	/* Deletes built, not yet sent: n_del messages, @len bytes of @buf. */
	char buf[DEL_BATCH * DEL_MSG_MAX];
	size_t len;
	unsigned int n_del;
	uint32_t first_seq;

	int err;
	char msg[256];
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static struct nlmsghdr *ct_req(void *buf, uint16_t type, uint16_t flags,
			       uint32_t seq, int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static struct mnl_socket *open_sock(uint32_t *portid)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1;

	if (!nl)
		return NULL;
	/* Acks without the echoed request; the kernel's reason in errors. */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	*portid = mnl_socket_get_portid(nl);
	return nl;
}

/* Send the pending deletes and read one ack for each. */
static int flush_deletes(struct evict *ev)
{
	unsigned int acked = 0;
	int fd = mnl_socket_get_fd(ev->del);

	if (!ev->n_del)
		return 0;
	if (mnl_socket_sendto(ev->del, ev->buf, ev->len) < 0)
		return -errno;
	while (acked < ev->n_del) {
		const struct nlmsghdr *nlh;
		ssize_t got;
		int len;

		got = recv(fd, ev->rx, RXBUF, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno; /* ENOBUFS: acks lost, count unknown */
		}
		len = (int)got;
		for (nlh = (const struct nlmsghdr *)ev->rx;
		     mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			char msg[sizeof(ev->msg)];
			int e;

			/* Only acks of this round, from the kernel to us. */
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_pid != ev->del_portid ||
			    nlh->nlmsg_seq - ev->first_seq >= ev->n_del)
				continue;
			acked++;
			e = ctf_nl_parse_error(nlh, msg, sizeof(msg));
			if (!e) {
				ev->deleted++;
			} else if (e != -ENOENT && !ev->err) {
				/* ENOENT: gone already (timed out). */
				ev->err = e;
				strcpy(ev->msg, msg);
			}
		}
	}
	ev->n_del = 0;
	ev->len = 0;
	return ev->err;
}

struct tuple {
	const struct nlattr *src, *dst; /* CTA_IP_V4_* or CTA_IP_V6_* */
	uint8_t proto;
	bool have_proto;
	uint16_t dport; /* network order */
};

static int parse_tuple(const struct nlattr *t, struct tuple *tu)
{
	const struct nlattr *a, *b;

	memset(tu, 0, sizeof(*tu));
	mnl_attr_for_each_nested(a, t) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_IP:
			mnl_attr_for_each_nested(b, a) {
				switch (mnl_attr_get_type(b)) {
				case CTA_IP_V4_SRC:
				case CTA_IP_V6_SRC:
					tu->src = b;
					break;
				case CTA_IP_V4_DST:
				case CTA_IP_V6_DST:
					tu->dst = b;
					break;
				}
			}
			break;
		case CTA_TUPLE_PROTO:
			mnl_attr_for_each_nested(b, a) {
				switch (mnl_attr_get_type(b)) {
				case CTA_PROTO_NUM:
					if (mnl_attr_validate(b, MNL_TYPE_U8))
						return -EBADMSG;
					tu->proto = mnl_attr_get_u8(b);
					tu->have_proto = true;
					break;
				case CTA_PROTO_DST_PORT:
					if (mnl_attr_validate(b, MNL_TYPE_U16))
						return -EBADMSG;
					tu->dport = mnl_attr_get_u16(b);
					break;
				}
			}
			break;
		}
	}
	return tu->src && tu->dst && tu->have_proto ? 0 : -EBADMSG;
}

static bool addr_is(const struct nlattr *a, const struct ctf_addr *want)
{
	size_t len = want->family == AF_INET6 ? 16 : 4;

	return mnl_attr_get_payload_len(a) == len &&
	       !memcmp(mnl_attr_get_payload(a), &want->v6, len);
}

/* One entry of the dump: queue its delete if it is one of @addr's. */
static int entry(struct evict *ev, const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *orig = NULL, *reply = NULL, *zone = NULL,
				*id = NULL;
	struct tuple o, r;
	struct nlmsghdr *del;
	unsigned int i;
	int ret;

	ev->scanned++;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			orig = a;
			break;
		case CTA_TUPLE_REPLY:
			reply = a;
			break;
		case CTA_ZONE:
			zone = a;
			break;
		case CTA_ID:
			id = a;
			break;
		}
	}
	if (!orig || !reply || parse_tuple(orig, &o) || parse_tuple(reply, &r))
		return -EBADMSG;
	if (o.proto != IPPROTO_UDP || !addr_is(r.src, ev->addr))
		return 0;
	for (i = 0; i < ev->n_ports; i++)
		if (ntohs(o.dport) == ev->ports[i])
			break;
	if (i == ev->n_ports)
		return 0;

	if (ev->len + DEL_MSG_MAX > sizeof(ev->buf) || ev->n_del == DEL_BATCH) {
		ret = flush_deletes(ev);
		if (ret)
			return ret;
	}
	if (!ev->n_del)
		ev->first_seq = ev->seq + 1;
	/*
	 * The original tuple as the kernel sent it, its zone, and its id: a
	 * new entry with the same tuple (a flow that came back meanwhile,
	 * steered by the new map) has another id and is kept.
	 */
	if (mnl_attr_get_payload_len(orig) + 64 > DEL_MSG_MAX)
		return -EBADMSG;
	del = ct_req(ev->buf + ev->len, IPCTNL_MSG_CT_DELETE, NLM_F_ACK,
		     ++ev->seq, ev->addr->family);
	mnl_attr_put(del, CTA_TUPLE_ORIG | NLA_F_NESTED,
		     mnl_attr_get_payload_len(orig),
		     mnl_attr_get_payload(orig));
	if (zone)
		mnl_attr_put(del, CTA_ZONE, mnl_attr_get_payload_len(zone),
			     mnl_attr_get_payload(zone));
	if (id)
		mnl_attr_put(del, CTA_ID, mnl_attr_get_payload_len(id),
			     mnl_attr_get_payload(id));
	ev->len += NLMSG_ALIGN(del->nlmsg_len);
	ev->n_del++;
	return 0;
}

/* Read the dump to its end, deleting as we go. */
static int dump(struct evict *ev)
{
	char req[256];
	struct nlmsghdr *nlh;
	int fd = mnl_socket_get_fd(ev->dump), ret = 0;

	ev->dump_seq = ++ev->seq;
	nlh = ct_req(req, IPCTNL_MSG_CT_GET, NLM_F_DUMP, ev->dump_seq,
		     ev->addr->family);
	if (mnl_socket_sendto(ev->dump, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t got = recv(fd, ev->rx, RXBUF, 0);
		int len;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)got;
		for (nlh = (struct nlmsghdr *)ev->rx; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_pid != ev->dump_portid ||
			    nlh->nlmsg_seq != ev->dump_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int e = ctf_nl_parse_done(nlh, ev->msg,
							  sizeof(ev->msg));

				return e ? e : ret;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ctf_nl_parse_error(nlh, ev->msg,
							  sizeof(ev->msg));
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			/* After a failure, read on: the dump must end. */
			if (!ret)
				ret = entry(ev, nlh);
		}
	}
}

int ctfd_ct_evict(const struct ctf_addr *addr, const uint16_t *ports,
		  unsigned int n_ports, unsigned int *scanned,
		  unsigned int *deleted, char *err, size_t errlen)
{
	char a[CTF_ADDR_STRLEN];
	struct evict *ev;
	int ret;

	*scanned = *deleted = 0;
	if (errlen)
		err[0] = '\0';
	if (!addr || (addr->family != AF_INET && addr->family != AF_INET6)) {
		seterr(err, errlen, "conntrack: evict: no backend address");
		return -EINVAL;
	}
	if (!n_ports)
		return 0;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->rx = malloc(RXBUF);
	ev->addr = addr;
	ev->ports = ports;
	ev->n_ports = n_ports;
	ev->seq = (uint32_t)time(NULL);
	ret = -ENOMEM;
	if (!ev->rx)
		goto out;
	ev->dump = open_sock(&ev->dump_portid);
	ev->del = ev->dump ? open_sock(&ev->del_portid) : NULL;
	if (!ev->dump || !ev->del) {
		ret = -errno;
		seterr(err, errlen, "conntrack: netlink socket: %s",
		       strerror(errno));
		goto out;
	}
	ret = dump(ev);
	if (!ret)
		ret = flush_deletes(ev);
	if (ret) {
		ctf_addr_str(addr, a);
		if (ev->msg[0])
			seterr(err, errlen,
			       "conntrack: evict %s (%u deleted): %s (%s)", a,
			       ev->deleted, strerror(-ret), ev->msg);
		else
			seterr(err, errlen,
			       "conntrack: evict %s (%u deleted): %s%s", a,
			       ev->deleted, strerror(-ret),
			       ret == -ENOBUFS ? " (acks lost)" : "");
	}
	*scanned = ev->scanned;
	*deleted = ev->deleted;
out:
	if (ev->dump)
		mnl_socket_close(ev->dump);
	if (ev->del)
		mnl_socket_close(ev->del);
	free(ev->rx);
	free(ev);
	return ret;
}
