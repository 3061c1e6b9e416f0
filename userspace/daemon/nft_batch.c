// SPDX-License-Identifier: GPL-2.0
/*
 * Changes to `table inet ctfailover` as one nfnetlink batch
 * (ctfd_nft_apply, ctfd_nft_upgrade): only what differs, the kernel
 * commits all of it or none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft_priv.h"

/*
 * The batch is written in pages of BATCH_PAGE bytes, each with room for
 * one more message of up to BATCH_OVERRUN bytes (nftnl_batch's model).
 * Pages become the iovecs of a single sendmsg(): nfnetlink only commits a
 * batch whose BEGIN and END arrive in the same skb, so a batch cannot be
 * split over several sends. 1 MiB pages keep the largest batch (two
 * 1,000,003-slot maps, about 70 MB) well under IOV_MAX iovecs.
 */
#define BATCH_PAGE    (1 << 20)
#define BATCH_OVERRUN (128 << 10)
/*
 * The element list of one message is a nested attribute, whose length is
 * 16 bits: stay well below 64 KiB per message.
 */
#define ELEMS_MAX_BYTES 60000
/* The kernel's skb for one ack, rounded up: what the acks cost in rcvbuf. */
#define ACK_TRUESIZE 2048

/* nft's byte orders and expression types in set userdata. */
#define NFT_BYTEORDER_HOST 1
#define NFT_BYTEORDER_BIG  2
#define NFT_EXPR_PAYLOAD   7
#define NFT_EXPR_NUMGEN	   23
#define NFT_PROTO_DESC_IP  12
#define NFT_PROTO_DESC_IP6 13
#define NFT_IPHDR_DADDR	   12
#define NFT_IP6HDR_DADDR   9

/*
 * The set userdata nft writes (nftables src/rule.c, set_make_key et al.):
 * without it `nft list` could not name the key's type ("typeof numgen inc
 * mod 2") or would print the ports and addresses in the wrong byte order.
 */
static struct nftnl_udata_buf *set_udata(int set)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(128);
	struct nftnl_udata *outer, *inner;
	bool v6 = set == SET_SLOTS6;

	if (!ud)
		return NULL;
	if (set != SET_SLOTS4 && set != SET_SLOTS6) {
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				    NFT_BYTEORDER_BIG);
		return ud;
	}
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
			    NFT_BYTEORDER_HOST);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER,
			    NFT_BYTEORDER_BIG);
	/* Key: numgen inc mod 2 offset 0. */
	outer = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR, NFT_EXPR_NUMGEN);
	inner = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA);
	nftnl_udata_put_u32(ud, 0, NFT_NG_INCREMENTAL);
	nftnl_udata_put_u32(ud, 1, 2);
	nftnl_udata_put_u32(ud, 2, 0);
	nftnl_udata_nest_end(ud, inner);
	nftnl_udata_nest_end(ud, outer);
	/* Data: ip daddr / ip6 daddr. */
	outer = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_DATA_TYPEOF);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR, NFT_EXPR_PAYLOAD);
	inner = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA);
	nftnl_udata_put_u32(ud, 0, v6 ? NFT_PROTO_DESC_IP6 : NFT_PROTO_DESC_IP);
	nftnl_udata_put_u32(ud, 1, v6 ? NFT_IP6HDR_DADDR : NFT_IPHDR_DADDR);
	nftnl_udata_nest_end(ud, inner);
	nftnl_udata_nest_end(ud, outer);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	return ud;
}

/*
 * Where the next message goes, cleared first: libmnl 1.0.4 does not clear
 * attribute padding, and the page is malloc'd. Called once per message.
 */
static void *bbuf(struct ctfd_nft_batch *bt)
{
	void *p = nftnl_batch_buffer(bt->b);

	memset(p, 0, BATCH_OVERRUN);
	return p;
}

/* Close the message just written at bbuf(). */
void ctfd_nft_bnext(struct ctfd_nft_batch *bt)
{
	if (nftnl_batch_update(bt->b) < 0 && !bt->err)
		bt->err = -ENOMEM;
}

struct nlmsghdr *ctfd_nft_bmsg(struct ctfd_nft_batch *bt, uint16_t type,
			       uint16_t flags, const char *fmt, ...)
{
	va_list ap;

	if (bt->n_msgs == bt->what_cap) {
		unsigned int cap = bt->what_cap ? 2 * bt->what_cap : 64;
		void *p = realloc(bt->what, cap * sizeof(*bt->what));

		if (!p) {
			bt->err = -ENOMEM;
			/* Keep writing into the last note: the batch is lost.
			 */
		} else {
			bt->what = p;
			bt->what_cap = cap;
		}
	}
	if (bt->n_msgs < bt->what_cap) {
		va_start(ap, fmt);
		vsnprintf(bt->what[bt->n_msgs], sizeof(bt->what[0]), fmt, ap);
		va_end(ap);
	}
	bt->n_msgs++;
	return nftnl_nlmsg_build_hdr(bbuf(bt), type, NFPROTO_INET,
				     flags | NLM_F_ACK, bt->seq0 + bt->n_msgs);
}

/* Elements of one set, packed into as few messages as fit. */
struct elems_writer {
	struct ctfd_nft_batch *bt;
	int set;
	bool del;
	struct nlmsghdr *nlh;
	struct nlattr *list;
	unsigned int count;
	unsigned int msg; /* index of the message in bt->what */
	uint32_t first;	  /* the first slot key, for the note */
};

static void ew_close(struct elems_writer *ew)
{
	struct ctfd_nft_batch *bt = ew->bt;

	if (!ew->nlh)
		return;
	mnl_attr_nest_end(ew->nlh, ew->list);
	if (ew->msg < bt->what_cap) {
		bool slots = ew->set == SET_SLOTS4 || ew->set == SET_SLOTS6;

		if (slots)
			snprintf(bt->what[ew->msg], sizeof(bt->what[0]),
				 "%s %u elements %s set %s (first key %u)",
				 ew->del ? "delete" : "add", ew->count,
				 ew->del ? "from" : "to",
				 ctfd_nft_sets[ew->set].name, ew->first);
		else
			snprintf(bt->what[ew->msg], sizeof(bt->what[0]),
				 "%s %u elements %s set %s",
				 ew->del ? "delete" : "add", ew->count,
				 ew->del ? "from" : "to",
				 ctfd_nft_sets[ew->set].name);
	}
	ctfd_nft_bnext(bt);
	ew->nlh = NULL;
}

static void ew_put(struct elems_writer *ew, const void *key, uint16_t klen,
		   const void *val, uint16_t vlen)
{
	struct nlattr *el, *nest;

	if (ew->nlh &&
	    (char *)mnl_nlmsg_get_payload_tail(ew->nlh) - (char *)ew->list >
		    ELEMS_MAX_BYTES)
		ew_close(ew);
	if (!ew->nlh) {
		ew->msg = ew->bt->n_msgs;
		ew->nlh = ctfd_nft_bmsg(
			ew->bt,
			ew->del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
			ew->del ? 0 : NLM_F_CREATE | NLM_F_EXCL,
			"elements of set %s", ctfd_nft_sets[ew->set].name);
		mnl_attr_put_strz(ew->nlh, NFTA_SET_ELEM_LIST_TABLE,
				  CTFD_NFT_TABLE);
		mnl_attr_put_strz(ew->nlh, NFTA_SET_ELEM_LIST_SET,
				  ctfd_nft_sets[ew->set].name);
		ew->list = mnl_attr_nest_start(ew->nlh,
					       NFTA_SET_ELEM_LIST_ELEMENTS);
		ew->count = 0;
		if (klen == 4)
			memcpy(&ew->first, key, 4);
	}
	el = mnl_attr_nest_start(ew->nlh, NFTA_LIST_ELEM);
	nest = mnl_attr_nest_start(ew->nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(ew->nlh, NFTA_DATA_VALUE, klen, key);
	mnl_attr_nest_end(ew->nlh, nest);
	if (val) {
		nest = mnl_attr_nest_start(ew->nlh, NFTA_SET_ELEM_DATA);
		mnl_attr_put(ew->nlh, NFTA_DATA_VALUE, vlen, val);
		mnl_attr_nest_end(ew->nlh, nest);
	}
	mnl_attr_nest_end(ew->nlh, el);
	ew->count++;
	if (ew->del)
		ew->bt->deleted++;
	else
		ew->bt->added++;
}

static int alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool slot_equal(const struct ctf_addr *a, const struct ctf_addr *b)
{
	if (a->family != b->family)
		return false;
	return !a->family || !memcmp(&a->v6, &b->v6, alen(a->family));
}

static bool has_vip(const struct ctfd_dataplane *dp, const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < dp->n_vips; i++)
		if (slot_equal(&dp->vips[i], a))
			return true;
	return false;
}

static bool has_port(const struct ctfd_dataplane *dp, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < dp->n_ports; i++)
		if (dp->ports[i] == port)
			return true;
	return false;
}

/* VIPs and ports of @a that @b lacks: deleted (@a = cur) or added. */
static void diff_vips_ports(struct ctfd_nft_batch *bt,
			    const struct ctfd_dataplane *a,
			    const struct ctfd_dataplane *b, bool del)
{
	struct elems_writer ew = { .bt = bt, .del = del };
	unsigned int i;
	int set;

	for (set = SET_VIPS4; set <= SET_VIPS6; set++) {
		int family = set == SET_VIPS6 ? AF_INET6 : AF_INET;

		ew.set = set;
		for (i = 0; i < a->n_vips; i++) {
			const struct ctf_addr *v = &a->vips[i];

			if (v->family != family || (b && has_vip(b, v)))
				continue;
			ew_put(&ew, &v->v6, alen(family), NULL, 0);
		}
		ew_close(&ew);
	}
	ew.set = SET_PORTS;
	for (i = 0; i < a->n_ports; i++) {
		uint16_t p = htons(a->ports[i]);

		if (b && has_port(b, a->ports[i]))
			continue;
		ew_put(&ew, &p, 2, NULL, 0);
	}
	ew_close(&ew);
}

/*
 * Slots: every key whose address changes is deleted and re-added (the
 * kernel refuses NEWSETELEM of an existing key with other data, and a
 * delete then add of one key in one transaction is how nft replaces an
 * element). Deletes go first in the batch, so each add finds its key gone.
 * A slot beyond a table's size counts as empty.
 */
static void diff_slots(struct ctfd_nft_batch *bt,
		       const struct ctfd_dataplane *cur,
		       const struct ctfd_dataplane *want, bool v6)
{
	struct elems_writer ew = { .bt = bt,
				   .set = v6 ? SET_SLOTS6 : SET_SLOTS4 };
	const struct ctf_addr *c = NULL, *w = v6 ? want->slots6 : want->slots4;
	uint32_t csize = 0, k, max;
	static const struct ctf_addr empty;

	if (cur && cur->exists) {
		c = v6 ? cur->slots6 : cur->slots4;
		csize = cur->table_size;
	}
	max = csize > want->table_size ? csize : want->table_size;

#define CUR(k)	(k < csize ? &c[k] : &empty)
#define WANT(k) (k < want->table_size ? &w[k] : &empty)
	ew.del = true;
	for (k = 0; k < max; k++)
		if (CUR(k)->family && !slot_equal(CUR(k), WANT(k)))
			ew_put(&ew, &k, 4, NULL, 0);
	ew_close(&ew);
	ew.del = false;
	for (k = 0; k < max; k++)
		if (WANT(k)->family && !slot_equal(CUR(k), WANT(k)))
			ew_put(&ew, &k, 4, &WANT(k)->v6, alen(WANT(k)->family));
	ew_close(&ew);
#undef CUR
#undef WANT
}

static void b_rule(struct ctfd_nft_batch *bt, int ch, bool v6,
		   const struct ctfd_dataplane *dp, const uint32_t *ids)
{
	struct nftnl_rule *r =
		ctfd_nft_rule_build(ch, v6, dp->table_size, dp->seed, ids);
	struct nlmsghdr *nlh;

	if (!r) {
		bt->err = -ENOMEM;
		return;
	}
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			    "add the %s rule to chain %s (mod %u seed 0x%08x)",
			    v6 ? "IPv6" : "IPv4", ctfd_nft_chains[ch].name,
			    dp->table_size, dp->seed);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	ctfd_nft_bnext(bt);
}

static void b_chain(struct ctfd_nft_batch *bt, struct nftnl_chain *c, int ch)
{
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, CTFD_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, ctfd_nft_chains[ch].name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, ctfd_nft_chains[ch].hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -100);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL,
			    "create chain %s", ctfd_nft_chains[ch].name);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	ctfd_nft_bnext(bt);
}

/* The table, the sets and the chain, as nft -f of ctfailover.nft makes them. */
static void b_create(struct ctfd_nft_batch *bt, uint32_t *ids)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	int i;

	if (!t || !c) {
		bt->err = -ENOMEM;
		goto out;
	}
	/* EXCL: a table made by someone else since we looked is not ours. */
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, CTFD_NFT_TABLE);
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
			    "create table inet %s", CTFD_NFT_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	ctfd_nft_bnext(bt);

	for (i = 0; i < N_SETS; i++) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct nftnl_udata_buf *ud = set_udata(i);

		if (!s || !ud) {
			nftnl_set_free(s);
			nftnl_udata_buf_free(ud);
			bt->err = -ENOMEM;
			goto out;
		}
		ids[i] = i + 1;
		nftnl_set_set_str(s, NFTNL_SET_TABLE, CTFD_NFT_TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, ctfd_nft_sets[i].name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_u32(s, NFTNL_SET_ID, ids[i]);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, ctfd_nft_sets[i].flags);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
				  ctfd_nft_sets[i].key_type);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN,
				  ctfd_nft_sets[i].key_len);
		if (ctfd_nft_sets[i].flags & NFT_SET_MAP) {
			nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE,
					  ctfd_nft_sets[i].data_type);
			nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN,
					  ctfd_nft_sets[i].data_len);
		}
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
		nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWSET,
				    NLM_F_CREATE | NLM_F_EXCL, "create set %s",
				    ctfd_nft_sets[i].name);
		nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		nftnl_udata_buf_free(ud);
		ctfd_nft_bnext(bt);
	}

	for (i = 0; i < N_CHAINS; i++)
		b_chain(bt, c, i);
out:
	nftnl_table_free(t);
	nftnl_chain_free(c);
}

static void b_del_rule(struct ctfd_nft_batch *bt, int ch, bool v6,
		       uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r) {
		bt->err = -ENOMEM;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, CTFD_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, ctfd_nft_chains[ch].name);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_DELRULE, 0,
			    "delete the %s rule of chain %s (handle %llu)",
			    v6 ? "IPv6" : "IPv4", ctfd_nft_chains[ch].name,
			    (unsigned long long)handle);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	ctfd_nft_bnext(bt);
}

/* What the kernel says about the batch. */
struct batch_reply {
	struct ctfd_nft_batch *bt;
	unsigned int acks;
	int err;	     /* the first error */
	unsigned int failed; /* its message: 0 the batch, else 1.. */
	char msg[256];	     /* its extack */
};

static int batch_msg(const struct nlmsghdr *nlh, void *data)
{
	struct batch_reply *br = data;
	struct ctfd_nft_batch *bt = br->bt;
	uint32_t i = nlh->nlmsg_seq - bt->seq0;
	char msg[256];
	int err;

	/* 0: BATCH_BEGIN, n_msgs + 1: BATCH_END; anything else is stale. */
	if (i > bt->n_msgs + 1 || nlh->nlmsg_type != NLMSG_ERROR)
		return 1;
	err = ctf_nl_parse_error(nlh, msg, sizeof(msg));
	if (err && !br->err) {
		br->err = err;
		br->failed = i;
		strcpy(br->msg, msg);
	}
	if (i == 0 || i == bt->n_msgs + 1)
		return 0; /* about the whole batch: no more to come */
	br->acks++;
	return br->acks < bt->n_msgs ? 1 : 0;
}

/*
 * Socket buffers for one batch: the whole batch must fit in one skb
 * (sndbuf), and every ack is queued before sendmsg() returns, so all of
 * them must fit in rcvbuf or the kernel drops some (ENOBUFS). The FORCE
 * variants go past net.core.{w,r}mem_max; we run with CAP_NET_ADMIN.
 */
static int size_buffers(struct ctfd_nft *n, size_t bytes, unsigned int msgs)
{
	int fd = ctf_nl_fd(&n->nl);
	size_t want_snd = bytes + 4096, want_rcv = (size_t)msgs * ACK_TRUESIZE;
	int v;

	if (want_snd > INT_MAX / 2 || want_rcv > INT_MAX / 2)
		return -EMSGSIZE;
	if ((int)want_snd > n->sndbuf) {
		v = (int)want_snd;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) &&
		    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)))
			return -errno;
		n->sndbuf = v;
	}
	if ((int)want_rcv > n->rcvbuf) {
		v = (int)want_rcv;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) &&
		    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
			return -errno;
		n->rcvbuf = v;
	}
	return 0;
}

static int batch_send(struct ctfd_nft_batch *bt, struct ctfd_nft_stats *st,
		      char *err, size_t errlen)
{
	struct ctfd_nft *n = bt->n;
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct batch_reply br = { .bt = bt };
	struct msghdr mh = { 0 };
	struct iovec *iov;
	size_t bytes = 0;
	int i, niov, ret;
	ssize_t sent;

	niov = nftnl_batch_iovec_len(bt->b);
	iov = calloc(niov, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(bt->b, iov, niov);
	for (i = 0; i < niov; i++)
		bytes += iov[i].iov_len;
	if (st) {
		st->msgs = bt->n_msgs + 2;
		st->bytes = bytes;
	}
	ret = size_buffers(n, bytes, bt->n_msgs + 2);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, NULL,
			    "nft: socket buffers for a %zu-byte batch", bytes);
		goto out;
	}
	mh.msg_name = &snl;
	mh.msg_namelen = sizeof(snl);
	mh.msg_iov = iov;
	mh.msg_iovlen = niov;
	do {
		sent = sendmsg(ctf_nl_fd(&n->nl), &mh, 0);
	} while (sent < 0 && errno == EINTR);
	if (sent < 0) {
		ret = -errno;
		ctf_nl_kerr(err, errlen, ret, NULL,
			    "nft: send a %zu-byte batch", bytes);
		goto out;
	}

	ret = ctfd_nft_recv_replies(n, batch_msg, &br, false);
	/* Anything left (an error about the whole batch) is queued already. */
	if (!ret)
		ret = ctfd_nft_recv_replies(n, batch_msg, &br, true);
	if (ret == -ENOBUFS) {
		ctf_nl_kerr(
			err, errlen, ret, NULL,
			"nft: acks of the batch lost (receive buffer overrun), the outcome is unknown");
		goto out;
	}
	if (ret < 0) {
		ctf_nl_kerr(err, errlen, ret, NULL,
			    "nft: read the batch's acks");
		goto out;
	}
	ret = br.err;
	if (!ret)
		goto out;
	if (br.failed == 0 || br.failed > bt->n_msgs)
		ctf_nl_kerr(err, errlen, ret, br.msg, "nft: the batch");
	else
		ctf_nl_kerr(err, errlen, ret, br.msg, "nft: %s",
			    br.failed - 1 < bt->what_cap
				    ? bt->what[br.failed - 1]
				    : "a message");
out:
	free(iov);
	return ret;
}

/* A batch begun: BATCH_BEGIN written. 0 or -ENOMEM. */
int ctfd_nft_batch_open(struct ctfd_nft *n, struct ctfd_nft_batch *bt)
{
	*bt = (struct ctfd_nft_batch){ .n = n };
	bt->b = nftnl_batch_alloc(BATCH_PAGE, BATCH_OVERRUN);
	if (!bt->b)
		return -ENOMEM;
	bt->seq0 = n->nl.seq + 1;
	nftnl_batch_begin(bbuf(bt), bt->seq0);
	ctfd_nft_bnext(bt);
	return 0;
}

/*
 * BATCH_END, then the batch sent (if it holds any message) and its acks
 * read; freed either way. 0 or -errno with @err.
 */
int ctfd_nft_batch_close(struct ctfd_nft_batch *bt,
			 struct ctfd_nft_stats *stats, char *err, size_t errlen)
{
	int ret = 0;

	nftnl_batch_end(bbuf(bt), bt->seq0 + bt->n_msgs + 1);
	ctfd_nft_bnext(bt);
	bt->n->nl.seq = bt->seq0 + bt->n_msgs + 1;
	if (bt->err) {
		ret = bt->err;
		ctf_nl_seterr(err, errlen, "nft: no memory for the batch");
	} else if (bt->n_msgs) {
		ret = batch_send(bt, stats, err, errlen);
	}
	free(bt->what);
	nftnl_batch_free(bt->b);
	return ret;
}

static int check_dp(const struct ctfd_dataplane *dp, const char *which,
		    char *err, size_t errlen)
{
	uint32_t k;
	unsigned int i;

	if (dp->table_size < 1 || dp->table_size > CTFD_MAX_TABLE_SIZE) {
		ctf_nl_seterr(err, errlen,
			      "nft: %s table size %u out of range (1..%u)",
			      which, dp->table_size, CTFD_MAX_TABLE_SIZE);
		return -EINVAL;
	}
	if (!dp->slots4 || !dp->slots6) {
		ctf_nl_seterr(err, errlen, "nft: %s has no slots", which);
		return -EINVAL;
	}
	if (dp->n_vips > CTFD_MAX_VIPS || dp->n_ports > CTF_MAX_PORTS) {
		ctf_nl_seterr(err, errlen, "nft: %s has too many VIPs or ports",
			      which);
		return -EINVAL;
	}
	for (i = 0; i < dp->n_vips; i++) {
		if (dp->vips[i].family != AF_INET &&
		    dp->vips[i].family != AF_INET6) {
			ctf_nl_seterr(err, errlen,
				      "nft: %s VIP %u has no address", which,
				      i);
			return -EINVAL;
		}
	}
	for (i = 0; i < dp->n_ports; i++) {
		if (!dp->ports[i]) {
			ctf_nl_seterr(err, errlen, "nft: %s port %u is 0",
				      which, i);
			return -EINVAL;
		}
	}
	for (k = 0; k < dp->table_size; k++) {
		if (dp->slots4[k].family && dp->slots4[k].family != AF_INET) {
			ctf_nl_seterr(
				err, errlen,
				"nft: %s slot %u of slots4 is not an IPv4 address",
				which, k);
			return -EINVAL;
		}
		if (dp->slots6[k].family && dp->slots6[k].family != AF_INET6) {
			ctf_nl_seterr(
				err, errlen,
				"nft: %s slot %u of slots6 is not an IPv6 address",
				which, k);
			return -EINVAL;
		}
	}
	return 0;
}

int ctfd_nft_apply(struct ctfd_nft *n, const struct ctfd_dataplane *cur,
		   const struct ctfd_dataplane *want,
		   struct ctfd_nft_stats *stats, char *err, size_t errlen)
{
	struct ctfd_nft_batch bt = { .n = n };
	uint32_t ids[N_SETS] = { 0 };
	struct ctfd_nft_rules_info ri;
	bool fresh = !cur || !cur->exists, new_rules;
	int ret, ch;

	if (errlen)
		err[0] = '\0';
	if (stats)
		memset(stats, 0, sizeof(*stats));
	ret = check_dp(want, "wanted", err, errlen);
	if (!ret && !fresh)
		ret = check_dp(cur, "current", err, errlen);
	if (ret)
		return ret;
	new_rules = fresh || cur->table_size != want->table_size ||
		    cur->seed != want->seed;
	/* The rules' handles are not part of the model: look them up. */
	if (cur && cur->no_output) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s has no output chain yet: ctfd_nft_upgrade() first",
			CTFD_NFT_TABLE);
		return -EPROTO;
	}
	if (new_rules && !fresh) {
		ret = ctfd_nft_read_rules(n, &ri, false, err, errlen);
		if (ret)
			return ret;
	}

	ret = ctfd_nft_batch_open(n, &bt);
	if (ret)
		return ret;
	if (fresh) {
		b_create(&bt, ids);
	} else if (new_rules) {
		for (ch = 0; ch < N_CHAINS; ch++) {
			b_del_rule(&bt, ch, false, ri.handle[ch][0]);
			b_del_rule(&bt, ch, true, ri.handle[ch][1]);
		}
	}
	if (!fresh)
		diff_vips_ports(&bt, cur, want, true);
	diff_vips_ports(&bt, want, fresh ? NULL : cur, false);
	diff_slots(&bt, cur, want, false);
	diff_slots(&bt, cur, want, true);
	if (new_rules)
		for (ch = 0; ch < N_CHAINS; ch++) {
			b_rule(&bt, ch, false, want, fresh ? ids : NULL);
			b_rule(&bt, ch, true, want, fresh ? ids : NULL);
		}
	if (stats) {
		stats->elems_added = bt.added;
		stats->elems_deleted = bt.deleted;
	}

	return ctfd_nft_batch_close(&bt, stats, err, errlen);
}

int ctfd_nft_upgrade(struct ctfd_nft *n, struct ctfd_dataplane *dp, char *err,
		     size_t errlen)
{
	struct nftnl_chain *c;
	struct ctfd_nft_batch bt = { .n = n };
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!dp->exists || !dp->no_output)
		return 0;
	c = nftnl_chain_alloc();
	if (!c)
		return -ENOMEM;
	ret = ctfd_nft_batch_open(n, &bt);
	if (ret) {
		nftnl_chain_free(c);
		return ret;
	}
	/* EXCL: someone who made it since we looked made it their way. */
	b_chain(&bt, c, CH_OUTPUT);
	nftnl_chain_free(c);
	b_rule(&bt, CH_OUTPUT, false, dp, NULL);
	b_rule(&bt, CH_OUTPUT, true, dp, NULL);
	ret = ctfd_nft_batch_close(&bt, NULL, err, errlen);
	if (!ret)
		dp->no_output = false;
	return ret;
}
