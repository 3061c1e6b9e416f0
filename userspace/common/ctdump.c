// SPDX-License-Identifier: GPL-2.0
/*
 * ctnetlink dumps with libmnl (see ctdump.h), and the stamp format of
 * ctfailover.ko, decoded the same way as the module does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ctdump.h"
#include "genl.h"
#include "uapi/ctfailover.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

/* CRC-8, polynomial 0x07, MSB first, of the epoch's three bytes. */
static uint8_t stamp_check(uint32_t epoch)
{
	uint8_t c = 0;
	int i, bit;

	for (i = 0; i < 3; i++) {
		c ^= (epoch >> (8 * i)) & 0xff;
		for (bit = 0; bit < 8; bit++)
			c = c & 0x80 ? (uint8_t)(c << 1) ^ 0x07
				     : (uint8_t)(c << 1);
	}
	return c;
}

uint32_t ctf_stamp_encode(uint32_t epoch)
{
	return epoch | (uint32_t)stamp_check(epoch) << 24;
}

uint32_t ctf_stamp_decode(uint32_t word)
{
	uint32_t epoch = word & CTF_EPOCH_MAX;

	if (!word)
		return 0;
	if (!epoch || stamp_check(epoch) != word >> 24)
		return CTF_STAMP_FOREIGN;
	return epoch;
}

struct nlmsghdr *ctf_ct_req(void *buf, uint16_t type, uint16_t flags,
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

struct mnl_socket *ctf_ct_open(uint32_t *portid)
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

static int get_addr(const struct nlattr *a, int family, struct ctf_addr *out)
{
	size_t len = family == AF_INET6 ? 16 : 4;

	if (mnl_attr_get_payload_len(a) != len)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(&out->v6, mnl_attr_get_payload(a), len);
	return 0;
}

/* A CTA_TUPLE_* nest: addresses, protocol, ports (host order). */
static int parse_tuple(const struct nlattr *t, int family, struct ctf_addr *src,
		       struct ctf_addr *dst, uint8_t *proto, uint16_t *sport,
		       uint16_t *dport)
{
	const struct nlattr *a, *b;
	bool have_src = false, have_dst = false, have_proto = false;

	*sport = *dport = 0;
	mnl_attr_for_each_nested(a, t) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_IP:
			mnl_attr_for_each_nested(b, a) {
				switch (mnl_attr_get_type(b)) {
				case CTA_IP_V4_SRC:
				case CTA_IP_V6_SRC:
					if (get_addr(b, family, src))
						return -EBADMSG;
					have_src = true;
					break;
				case CTA_IP_V4_DST:
				case CTA_IP_V6_DST:
					if (get_addr(b, family, dst))
						return -EBADMSG;
					have_dst = true;
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
					*proto = mnl_attr_get_u8(b);
					have_proto = true;
					break;
				case CTA_PROTO_SRC_PORT:
					if (mnl_attr_validate(b, MNL_TYPE_U16))
						return -EBADMSG;
					*sport = ntohs(mnl_attr_get_u16(b));
					break;
				case CTA_PROTO_DST_PORT:
					if (mnl_attr_validate(b, MNL_TYPE_U16))
						return -EBADMSG;
					*dport = ntohs(mnl_attr_get_u16(b));
					break;
				}
			}
			break;
		}
	}
	return have_src && have_dst && have_proto ? 0 : -EBADMSG;
}

static int parse_counters(const struct nlattr *c, uint64_t *packets)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, c) {
		if (mnl_attr_get_type(a) != CTA_COUNTERS_PACKETS)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_U64))
			return -EBADMSG;
		*packets = be64toh(mnl_attr_get_u64(a));
	}
	return 0;
}

static int parse_entry(const struct nlmsghdr *nlh, int family,
		       struct ctf_ct_entry *e)
{
	const struct nlattr *a, *reply = NULL;
	struct ctf_addr nat_dst;
	uint16_t nat_dport;
	uint8_t proto;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			e->orig = a;
			break;
		case CTA_TUPLE_REPLY:
			reply = a;
			break;
		case CTA_ZONE:
			if (mnl_attr_validate(a, MNL_TYPE_U16))
				return -EBADMSG;
			e->zone_attr = a;
			e->zone = ntohs(mnl_attr_get_u16(a));
			break;
		case CTA_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32))
				return -EBADMSG;
			e->id_attr = a;
			e->id = ntohl(mnl_attr_get_u32(a));
			break;
		case CTA_LABELS:
			if (mnl_attr_get_payload_len(a) != sizeof(e->labels))
				return -EBADMSG;
			memcpy(e->labels, mnl_attr_get_payload(a),
			       sizeof(e->labels));
			e->have_labels = true;
			break;
		case CTA_COUNTERS_ORIG:
			if (parse_counters(a, &e->packets))
				return -EBADMSG;
			break;
		}
	}
	if (!e->orig || !reply ||
	    parse_tuple(e->orig, family, &e->src, &e->dst, &e->proto, &e->sport,
			&e->dport) ||
	    parse_tuple(reply, family, &e->nat, &nat_dst, &proto, &e->nat_port,
			&nat_dport))
		return -EBADMSG;
	return 0;
}

int ctf_ct_dump(struct mnl_socket *nl, uint32_t portid, uint32_t seq,
		int family, char *rx, ctf_ct_cb cb, void *data, char *msg,
		size_t msglen)
{
	char req[256];
	struct nlmsghdr *nlh;
	struct ctf_ct_entry e;
	int fd = mnl_socket_get_fd(nl), ret = 0;

	if (msglen)
		msg[0] = '\0';
	nlh = ctf_ct_req(req, IPCTNL_MSG_CT_GET, NLM_F_DUMP, seq, family);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t got = recv(fd, rx, CTF_CT_RXBUF, 0);
		int len;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)got;
		for (nlh = (struct nlmsghdr *)rx; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_pid != portid || nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = ctf_nl_parse_done(nlh, msg, msglen);

				return err ? err : ret;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ctf_nl_parse_error(nlh, msg, msglen);
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			/* After a failure, read on: the dump must end. */
			if (ret)
				continue;
			ret = parse_entry(nlh, family, &e);
			if (!ret)
				ret = cb(&e, data);
		}
	}
}

int ctf_ct_get(struct mnl_socket *nl, uint32_t portid, uint32_t seq,
	       uint8_t proto, const struct ctf_addr *src, uint16_t sport,
	       const struct ctf_addr *dst, uint16_t dport, char *rx,
	       struct ctf_ct_entry *e, char *msg, size_t msglen)
{
	char req[256];
	struct nlmsghdr *nlh;
	struct nlattr *tuple, *nest;
	int fd = mnl_socket_get_fd(nl), alen, ret = -ENOENT;
	bool v6 = src->family == AF_INET6;

	if (msglen)
		msg[0] = '\0';
	if (src->family != dst->family ||
	    (src->family != AF_INET && src->family != AF_INET6))
		return -EINVAL;
	alen = v6 ? 16 : 4;
	nlh = ctf_ct_req(req, IPCTNL_MSG_CT_GET, NLM_F_ACK, seq, src->family);
	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, alen, &src->v6);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, alen, &dst->v6);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, tuple);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* The entry (if any), then the ack or the error. */
	for (;;) {
		ssize_t got = recv(fd, rx, CTF_CT_RXBUF, 0);
		int len;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)got;
		for (nlh = (struct nlmsghdr *)rx; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_pid != portid || nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				int err = ctf_nl_parse_error(nlh, msg, msglen);

				return err ? err : ret;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !ret)
				continue;
			ret = parse_entry(nlh, src->family, e);
		}
	}
}
