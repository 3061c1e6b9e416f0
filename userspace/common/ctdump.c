// SPDX-License-Identifier: GPL-2.0
/*
 * ctnetlink dumps with libmnl (see ctdump.h), and the stamp format of
 * ctfailover.ko, decoded the same way as the module does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ctdump.h"
#include "uapi/ctfailover.h"

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

int ctf_ct_open(struct ctf_nl *nl)
{
	/* Acks without the echoed request; the kernel's reason in errors. */
	return ctf_nl_open(nl, NETLINK_NETFILTER, 0, true);
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
		case CTA_STATUS:
			if (mnl_attr_validate(a, MNL_TYPE_U32))
				return -EBADMSG;
			e->status = ntohl(mnl_attr_get_u32(a));
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

/* The kernel's extack message, for the caller's @msg. */
static void copy_msg(const struct ctf_nl_talk *t, char *msg, size_t msglen)
{
	if (msglen)
		snprintf(msg, msglen, "%s", t->msg);
}

/* Each entry of a dump to the caller's callback. */
struct dump_ctx {
	int family;
	ctf_ct_cb cb;
	void *data;
};

static int dump_entry(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct ctf_ct_entry e;
	int ret;

	ret = parse_entry(nlh, d->family, &e);
	return ret ? ret : d->cb(&e, d->data);
}

int ctf_ct_dump(struct ctf_nl *nl, int family, char *rx, ctf_ct_cb cb,
		void *data, char *msg, size_t msglen)
{
	struct dump_ctx d = { .family = family, .cb = cb, .data = data };
	struct ctf_nl_talk t = { .cb = dump_entry, .data = &d };
	char req[256];
	struct nlmsghdr *nlh;
	int ret;

	nlh = ctf_ct_req(req, IPCTNL_MSG_CT_GET, NLM_F_DUMP,
			 ctf_nl_next_seq(nl), family);
	/* After a failure the dump is read on: it must end. */
	ret = ctf_nl_talk(nl, nlh, rx, CTF_CT_RXBUF, &t);
	copy_msg(&t, msg, msglen);
	return ret;
}

/* The first entry that parses; ret -ENOENT until then. */
struct get_ctx {
	int family;
	struct ctf_ct_entry *e;
	int ret;
};

static int get_entry(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;

	if (g->ret)
		g->ret = parse_entry(nlh, g->family, g->e);
	return 0;
}

int ctf_ct_get(struct ctf_nl *nl, uint8_t proto, const struct ctf_addr *src,
	       uint16_t sport, const struct ctf_addr *dst, uint16_t dport,
	       char *rx, struct ctf_ct_entry *e, char *msg, size_t msglen)
{
	struct get_ctx g = { .family = src->family, .e = e, .ret = -ENOENT };
	struct ctf_nl_talk t = { .cb = get_entry, .data = &g };
	char req[256];
	struct nlmsghdr *nlh;
	struct nlattr *tuple, *nest;
	bool v6 = src->family == AF_INET6;
	int alen, ret;

	if (msglen)
		msg[0] = '\0';
	if (src->family != dst->family ||
	    (src->family != AF_INET && src->family != AF_INET6))
		return -EINVAL;
	alen = v6 ? 16 : 4;
	nlh = ctf_ct_req(req, IPCTNL_MSG_CT_GET, NLM_F_ACK, ctf_nl_next_seq(nl),
			 src->family);
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
	/* The entry (if any), then the ack or the error. */
	ret = ctf_nl_talk(nl, nlh, rx, CTF_CT_RXBUF, &t);
	copy_msg(&t, msg, msglen);
	return ret ? ret : g.ret;
}
