// SPDX-License-Identifier: GPL-2.0
/*
 * `table inet ctfailover` over nfnetlink: read back, diffed changes in one
 * batch, and the same table as `nft -f` text. See nft/ctfailover.nft for
 * the table itself; this file builds exactly that, expression by
 * expression as nft 1.0.6 does, so that `nft list` shows the same text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "maglev.h"
#include "nft.h"
#include "nl.h"

/*
 * Dump replies come in skbs of up to 32 KiB; a smaller buffer would get
 * them truncated (MSG_TRUNC).
 */
#define RXBUF 65536
/*
 * The batch is written in pages of BATCH_PAGE bytes, each with room for
 * one more message of up to BATCH_OVERRUN bytes (nftnl_batch's model).
 * Pages become the iovecs of a single sendmsg(): nfnetlink only commits a
 * batch whose BEGIN and END arrive in the same skb, so a batch cannot be
 * split over several sends. 1 MiB pages keep the largest batch (two
 * 1,000,003-slot maps, about 70 MB) well under IOV_MAX iovecs.
 */
/* A single request (a dump of one kind); zeroed, see bbuf(). */
#define REQ_BUF	      8192
#define BATCH_PAGE    (1 << 20)
#define BATCH_OVERRUN (128 << 10)
/*
 * The element list of one message is a nested attribute, whose length is
 * 16 bits: stay well below 64 KiB per message.
 */
#define ELEMS_MAX_BYTES 60000
/* The kernel's skb for one ack, rounded up: what the acks cost in rcvbuf. */
#define ACK_TRUESIZE 2048
/* Reads of an inconsistent set dump (see read_ctx) before giving up. */
#define READ_TRIES 20

/* nft's datatypes (nftables src/datatype.h): what `nft list` prints. */
#define NFT_TYPE_INTEGER      4
#define NFT_TYPE_IPADDR	      7
#define NFT_TYPE_IP6ADDR      8
#define NFT_TYPE_INET_SERVICE 13
/* nft's byte orders and expression types in set userdata. */
#define NFT_BYTEORDER_HOST 1
#define NFT_BYTEORDER_BIG  2
#define NFT_EXPR_PAYLOAD   7
#define NFT_EXPR_NUMGEN	   23
#define NFT_PROTO_DESC_IP  12
#define NFT_PROTO_DESC_IP6 13
#define NFT_IPHDR_DADDR	   12
#define NFT_IP6HDR_DADDR   9

enum { SET_SLOTS4, SET_SLOTS6, SET_VIPS4, SET_VIPS6, SET_PORTS, N_SETS };

/* The sets in creation order, which is the order `nft list` shows them. */
static const struct set_shape {
	const char *name;
	uint32_t flags, key_type, key_len, data_type, data_len;
} sets[N_SETS] = {
	[SET_SLOTS4] = { "slots4", NFT_SET_MAP, NFT_TYPE_INTEGER, 4,
			 NFT_TYPE_IPADDR, 4 },
	[SET_SLOTS6] = { "slots6", NFT_SET_MAP, NFT_TYPE_INTEGER, 4,
			 NFT_TYPE_IP6ADDR, 16 },
	[SET_VIPS4] = { "vips4", 0, NFT_TYPE_IPADDR, 4, 0, 0 },
	[SET_VIPS6] = { "vips6", 0, NFT_TYPE_IP6ADDR, 16, 0, 0 },
	[SET_PORTS] = { "sip_ports", 0, NFT_TYPE_INET_SERVICE, 2, 0, 0 },
};

/*
 * The same two rules in each: prerouting for the providers' datagrams,
 * output for the daemon's canary (canary.h), sent from this host.
 */
enum { CH_PREROUTING, CH_OUTPUT, N_CHAINS };
static const struct {
	const char *name;
	uint32_t hook;
	const char *hook_name;
	const char *prio; /* -100 as nft writes it (no "dstnat" on output) */
} chains[N_CHAINS] = {
	[CH_PREROUTING] = { "prerouting", NF_INET_PRE_ROUTING, "prerouting",
			    "dstnat" },
	[CH_OUTPUT] = { "output", NF_INET_LOCAL_OUT, "output", "-100" },
};

struct ctfd_nft {
	struct ctf_nl nl;
	char *rxbuf;
	int sndbuf, rcvbuf; /* what we last asked for, 0: the default */
};

int ctfd_nft_open(struct ctfd_nft **np)
{
	struct ctfd_nft *n;
	int ret;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->rxbuf = malloc(RXBUF);
	if (!n->rxbuf) {
		free(n);
		return -ENOMEM;
	}
	/*
	 * CAP_ACK: an ack would otherwise echo the whole request, up to 64
	 * KiB per element message. EXT_ACK: the kernel's reason, for @err.
	 */
	ret = ctf_nl_open(&n->nl, NETLINK_NETFILTER, 0, true);
	if (ret) {
		free(n->rxbuf);
		free(n);
		return ret;
	}
	*np = n;
	return 0;
}

void ctfd_nft_close(struct ctfd_nft *n)
{
	if (!n)
		return;
	ctf_nl_close(&n->nl);
	free(n->rxbuf);
	free(n);
}

/*
 * Reading replies (nl.h): every reply is checked against our port id and
 * the sequence numbers in flight; anything else (a late ack of an
 * earlier, failed batch) is skipped, never taken for an answer.
 * @on_msg: > 0 read on, 0 done, < 0 failed.
 */
static int recv_replies(struct ctfd_nft *n, ctf_nl_msg_fn on_msg, void *data,
			bool nonblock)
{
	return ctf_nl_recv_msgs(&n->nl, n->rxbuf, RXBUF, nonblock, on_msg,
				data);
}

/* One request (dump or not) and its replies, read to their end. */
static int talk(struct ctfd_nft *n, struct nlmsghdr *req, struct ctf_nl_talk *t)
{
	return ctf_nl_talk(&n->nl, req, n->rxbuf, RXBUF, t);
}

/* A dump of @type, filtered to our table by @payload's attributes. */
static struct nlmsghdr *dump_req(struct ctfd_nft *n, char *buf, uint16_t type)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_DUMP,
				     ctf_nl_next_seq(&n->nl));
}

static const char *kmsg(const struct ctf_nl_talk *t)
{
	return t->msg[0] ? t->msg : NULL;
}

/*
 * The expressions, as nft 1.0.6 compiles the rule of nft/ctfailover.nft
 * (`nft --debug=netlink` shows them). Registers too: the source port goes
 * right after the address, into 32-bit register 13 behind an IPv4 address
 * in register 2 and into register 3 behind an IPv6 one, so that jhash
 * reads address and port as one 8- or 20-byte key.
 */
static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static struct nftnl_expr *e_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *e_cmp_u8(uint8_t v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &v, sizeof(v));
	}
	return e;
}

static struct nftnl_expr *e_payload(uint32_t base, uint32_t off, uint32_t len,
				    uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return e;
}

/* @set_id: the set's id when it is created in the same batch, else 0. */
static struct nftnl_expr *e_lookup(int set, uint32_t set_id, bool map)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		if (map)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG,
					   NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, sets[set].name);
		/* The kernel reports flags 0; say so for the comparison. */
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
		if (set_id)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	}
	return e;
}

static struct nftnl_expr *e_hash(bool v6, uint32_t mod, uint32_t seed)
{
	struct nftnl_expr *e = nftnl_expr_alloc("hash");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SREG, NFT_REG_2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_LEN, v6 ? 20 : 8);
		nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_MODULUS, mod);
		nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SEED, seed);
		nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
	}
	return e;
}

static struct nftnl_expr *e_dnat(bool v6)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY,
				   v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS,
				   NF_NAT_RANGE_MAP_IPS);
	}
	return e;
}

/* @ids: the sets' ids when they are created in the same batch, or NULL. */
static struct nftnl_rule *rule_build(int ch, bool v6, uint32_t mod,
				     uint32_t seed, const uint32_t *ids)
{
	int vips = v6 ? SET_VIPS6 : SET_VIPS4,
	    slots = v6 ? SET_SLOTS6 : SET_SLOTS4;
	struct nftnl_rule *r = nftnl_rule_alloc();
	int ret = 0;

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, CTFD_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chains[ch].name);
	ret |= add_expr(r, e_meta(NFT_META_NFPROTO));
	ret |= add_expr(r, e_cmp_u8(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
	ret |= add_expr(r, e_payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16,
				     v6 ? 16 : 4, NFT_REG_1));
	ret |= add_expr(r, e_lookup(vips, ids ? ids[vips] : 0, false));
	ret |= add_expr(r, e_meta(NFT_META_L4PROTO));
	ret |= add_expr(r, e_cmp_u8(IPPROTO_UDP));
	ret |= add_expr(
		r, e_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1));
	ret |= add_expr(r,
			e_lookup(SET_PORTS, ids ? ids[SET_PORTS] : 0, false));
	ret |= add_expr(r, e_payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12,
				     v6 ? 16 : 4, NFT_REG_2));
	ret |= add_expr(r, e_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2,
				     v6 ? NFT_REG_3 : NFT_REG32_05));
	ret |= add_expr(r, e_hash(v6, mod, seed));
	ret |= add_expr(r, e_lookup(slots, ids ? ids[slots] : 0, true));
	ret |= add_expr(r, e_dnat(v6));
	if (ret) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}

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

/* ------------------------------------------------------------------ */
/* Reading the table back.                                            */

struct rules_info {
	unsigned int n;
	bool have[N_CHAINS][2]; /* [chain][v6] */
	uint64_t handle[N_CHAINS][2];
	uint32_t mod[N_CHAINS][2], seed[N_CHAINS][2];
	int err;
	char why[200];
};

/* The expressions of @r, one line each, as libnftnl prints them. */
static int rule_text(const struct nftnl_rule *r, char *buf, size_t len)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	size_t off = 0;

	if (!it)
		return -ENOMEM;
	buf[0] = '\0';
	while ((e = nftnl_expr_iter_next(it))) {
		int w;

		if (off + 2 >= len)
			break;
		w = snprintf(buf + off, len - off, "%s ",
			     nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += w;
		w = nftnl_expr_snprintf(buf + off, len - off, e,
					NFTNL_OUTPUT_DEFAULT, 0);
		if (w < 0 || (size_t)w + 2 >= len - off)
			break;
		off += w;
		buf[off++] = '\n';
		buf[off] = '\0';
	}
	nftnl_expr_iter_destroy(it);
	return 0;
}

static bool rule_hash(const struct nftnl_rule *r, uint32_t *mod, uint32_t *seed)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool found = false;

	if (!it)
		return false;
	while ((e = nftnl_expr_iter_next(it))) {
		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "hash"))
			continue;
		*mod = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_MODULUS);
		*seed = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_SEED);
		found = true;
		break;
	}
	nftnl_expr_iter_destroy(it);
	return found;
}

/*
 * A rule is ours if it is, expression by expression, the rule we would
 * build with its own modulus and seed.
 */
static int chain_index(const char *name)
{
	int c;

	for (c = 0; c < N_CHAINS; c++)
		if (name && !strcmp(name, chains[c].name))
			return c;
	return -1;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	char got[4096], want[4096];
	struct rules_info *ri = data;
	struct nftnl_rule *r = nftnl_rule_alloc(), *tmpl;
	uint32_t mod = 0, seed = 0;
	int v6, ch;

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return -EBADMSG;
	}
	/* The dump is filtered by table; old kernels might not. */
	if (strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), CTFD_NFT_TABLE)) {
		nftnl_rule_free(r);
		return 0;
	}
	ri->n++;
	ch = chain_index(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	if (ch < 0 || !rule_hash(r, &mod, &seed))
		goto foreign;
	rule_text(r, got, sizeof(got));
	for (v6 = 0; v6 < 2; v6++) {
		tmpl = rule_build(ch, v6, mod, seed, NULL);
		if (!tmpl) {
			nftnl_rule_free(r);
			return -ENOMEM;
		}
		rule_text(tmpl, want, sizeof(want));
		nftnl_rule_free(tmpl);
		if (!strcmp(got, want))
			break;
	}
	if (v6 == 2 || ri->have[ch][v6])
		goto foreign;
	ri->have[ch][v6] = true;
	ri->handle[ch][v6] = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	ri->mod[ch][v6] = mod;
	ri->seed[ch][v6] = seed;
	nftnl_rule_free(r);
	return 0;
foreign:
	if (!ri->err) {
		ri->err = -EPROTO;
		snprintf(ri->why, sizeof(ri->why),
			 "rule handle %llu in chain %s is not one of ours",
			 (unsigned long long)nftnl_rule_get_u64(
				 r, NFTNL_RULE_HANDLE),
			 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	}
	nftnl_rule_free(r);
	return 0;
}

static int read_rules(struct ctfd_nft *n, struct rules_info *ri, bool no_output,
		      char *err, size_t errlen)
{
	char buf[REQ_BUF] = { 0 };
	struct ctf_nl_talk t = { .cb = rule_cb, .data = ri };
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	int ret, ch, v6;

	if (!r)
		return -ENOMEM;
	memset(ri, 0, sizeof(*ri));
	nlh = dump_req(n, buf, NFT_MSG_GETRULE);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, CTFD_NFT_TABLE);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	ret = talk(n, nlh, &t);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, kmsg(&t),
			    "nft: list rules of table %s", CTFD_NFT_TABLE);
		return ret;
	}
	if (ri->err) {
		ctf_nl_seterr(err, errlen,
			      "nft: table inet %s is not ctfailoverd's: %s",
			      CTFD_NFT_TABLE, ri->why);
		return ri->err;
	}
	for (ch = 0; ch < (no_output ? CH_OUTPUT : N_CHAINS); ch++)
		for (v6 = 0; v6 < 2; v6++) {
			if (!ri->have[ch][v6]) {
				ctf_nl_seterr(
					err, errlen,
					"nft: table inet %s is not ctfailoverd's: no %s rule in chain %s",
					CTFD_NFT_TABLE, v6 ? "IPv6" : "IPv4",
					chains[ch].name);
				return -EPROTO;
			}
			if (ri->mod[ch][v6] == ri->mod[0][0] &&
			    ri->seed[ch][v6] == ri->seed[0][0])
				continue;
			ctf_nl_seterr(
				err, errlen,
				"nft: table inet %s is not ctfailoverd's: the %s rule of chain %s hashes differently (mod %u seed 0x%08x, not mod %u seed 0x%08x)",
				CTFD_NFT_TABLE, v6 ? "IPv6" : "IPv4",
				chains[ch].name, ri->mod[ch][v6],
				ri->seed[ch][v6], ri->mod[0][0],
				ri->seed[0][0]);
			return -EPROTO;
		}
	if (ri->mod[0][0] < 1 || ri->mod[0][0] > CTFD_MAX_TABLE_SIZE) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s: table size %u out of range (1..%u)",
			CTFD_NFT_TABLE, ri->mod[0][0], CTFD_MAX_TABLE_SIZE);
		return -EPROTO;
	}
	return 0;
}

struct chains_info {
	unsigned int n;
	bool have[N_CHAINS];
	char why[200];
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chains_info *ci = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *name, *type;
	int ch;

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nftnl_chain_free(c);
		return -EBADMSG;
	}
	if (strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), CTFD_NFT_TABLE))
		goto out;
	ci->n++;
	name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
	ch = chain_index(name);
	if (ch < 0) {
		if (!ci->why[0])
			snprintf(ci->why, sizeof(ci->why), "a chain %s", name);
		goto out;
	}
	if (!type || strcmp(type, "nat") ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != chains[ch].hook ||
	    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) != -100 ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) != NF_ACCEPT ||
	    nftnl_chain_is_set(c, NFTNL_CHAIN_DEV) ||
	    nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES)) {
		if (!ci->why[0])
			snprintf(
				ci->why, sizeof(ci->why),
				"chain %s is not type nat hook %s priority %s policy accept",
				name, chains[ch].hook_name, chains[ch].prio);
		goto out;
	}
	ci->have[ch] = true;
out:
	nftnl_chain_free(c);
	return 0;
}

struct sets_info {
	bool have[N_SETS];
	char why[200];
};

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sets_info *si = data;
	struct nftnl_set *s = nftnl_set_alloc();
	const struct set_shape *sh;
	const char *name;
	int i;

	if (!s)
		return -ENOMEM;
	if (nftnl_set_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return -EBADMSG;
	}
	if (strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), CTFD_NFT_TABLE))
		goto out;
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	for (i = 0; i < N_SETS; i++)
		if (!strcmp(name, sets[i].name))
			break;
	if (i == N_SETS) {
		if (!si->why[0])
			snprintf(si->why, sizeof(si->why), "a set %s", name);
		goto out;
	}
	sh = &sets[i];
	if (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) != sh->flags ||
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE) != sh->key_type ||
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN) != sh->key_len ||
	    (sh->data_len &&
	     (nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE) != sh->data_type ||
	      nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN) != sh->data_len)) ||
	    (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT) &&
	     nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT))) {
		if (!si->why[0])
			snprintf(si->why, sizeof(si->why),
				 "set %s has another type or flags", name);
		goto out;
	}
	si->have[i] = true;
out:
	nftnl_set_free(s);
	return 0;
}

/* Each element of a set element dump, parsed without libnftnl objects. */
struct elems_ctx {
	int (*elem)(void *arg, const void *key, uint16_t klen, const void *val,
		    uint16_t vlen);
	void *arg;
};

static const void *data_value(const struct nlattr *nest, uint16_t *len)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			*len = mnl_attr_get_payload_len(a);
			return mnl_attr_get_payload(a);
		}
	}
	return NULL;
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elems_ctx *ec = data;
	const struct nlattr *list, *el, *a;

	mnl_attr_for_each(list, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, list) {
			const void *key = NULL, *val = NULL;
			uint16_t klen = 0, vlen = 0;
			int ret;

			mnl_attr_for_each_nested(a, el) {
				switch (mnl_attr_get_type(a)) {
				case NFTA_SET_ELEM_KEY:
					key = data_value(a, &klen);
					break;
				case NFTA_SET_ELEM_DATA:
					val = data_value(a, &vlen);
					break;
				case NFTA_SET_ELEM_FLAGS:
				case NFTA_SET_ELEM_KEY_END:
				case NFTA_SET_ELEM_TIMEOUT:
				case NFTA_SET_ELEM_EXPIRATION:
				case NFTA_SET_ELEM_EXPR:
				case NFTA_SET_ELEM_EXPRESSIONS:
				case NFTA_SET_ELEM_OBJREF:
					return -EPROTO;
				}
			}
			if (!key)
				return -EBADMSG;
			ret = ec->elem(ec->arg, key, klen, val, vlen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int read_elems(struct ctfd_nft *n, int set, struct elems_ctx *ec,
		      char *err, size_t errlen)
{
	char buf[REQ_BUF] = { 0 };
	struct ctf_nl_talk t = { .cb = elems_cb, .data = ec };
	struct nlmsghdr *nlh;
	int ret;

	nlh = dump_req(n, buf, NFT_MSG_GETSETELEM);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, CTFD_NFT_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, sets[set].name);
	ret = talk(n, nlh, &t);
	if (ret == -EPROTO && !t.msg[0]) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s is not ctfailoverd's: set %s has elements with flags, timeouts or expressions",
			CTFD_NFT_TABLE, sets[set].name);
		return ret;
	}
	if (ret == -ERANGE || ret == -EPROTOTYPE || ret == -E2BIG) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s is not ctfailoverd's: set %s: %s",
			CTFD_NFT_TABLE, sets[set].name,
			ret == -E2BIG ? "too many elements"
				      : "an element out of range");
		return -EPROTO;
	}
	if (ret)
		ctf_nl_kerr(err, errlen, ret, kmsg(&t), "nft: list set %s",
			    sets[set].name);
	return ret;
}

static bool has_vip_n(const struct ctf_addr *vips, unsigned int n,
		      const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (vips[i].family == a->family &&
		    !memcmp(&vips[i].v6, &a->v6,
			    a->family == AF_INET6 ? 16 : 4))
			return true;
	return false;
}

/*
 * A key seen twice in one dump (-EAGAIN) means the dump missed as many
 * others: the kernel resumes a set dump by skipping the elements it sent
 * already, counted in hash table order, and that order changes when the
 * table is resized in the background, as it is right after a large
 * insert. Such a read is retried from the start.
 */
struct read_ctx {
	struct ctfd_dataplane *dp;
	int set;
};

static int elem_read(void *arg, const void *key, uint16_t klen, const void *val,
		     uint16_t vlen)
{
	struct read_ctx *rc = arg;
	struct ctfd_dataplane *dp = rc->dp;
	struct ctf_addr *slot;
	uint32_t k;
	bool v6 = rc->set == SET_SLOTS6 || rc->set == SET_VIPS6;
	uint16_t alen = v6 ? 16 : 4;

	switch (rc->set) {
	case SET_SLOTS4:
	case SET_SLOTS6:
		if (klen != 4 || !val || vlen != alen)
			return -EPROTOTYPE;
		memcpy(&k, key, 4);
		if (k >= dp->table_size)
			return -ERANGE;
		slot = v6 ? &dp->slots6[k] : &dp->slots4[k];
		if (slot->family)
			return -EAGAIN;
		slot->family = v6 ? AF_INET6 : AF_INET;
		memcpy(&slot->v6, val, alen);
		return 0;
	case SET_VIPS4:
	case SET_VIPS6:
		if (klen != alen)
			return -EPROTOTYPE;
		if (dp->n_vips >= CTFD_MAX_VIPS)
			return -E2BIG;
		slot = &dp->vips[dp->n_vips];
		memset(slot, 0, sizeof(*slot));
		slot->family = v6 ? AF_INET6 : AF_INET;
		memcpy(&slot->v6, key, alen);
		if (has_vip_n(dp->vips, dp->n_vips, slot))
			return -EAGAIN;
		dp->n_vips++;
		return 0;
	default:
		if (klen != 2)
			return -EPROTOTYPE;
		if (dp->n_ports >= CTF_MAX_PORTS)
			return -E2BIG;
		memcpy(&dp->ports[dp->n_ports], key, 2);
		dp->ports[dp->n_ports] = ntohs(dp->ports[dp->n_ports]);
		for (k = 0; k < dp->n_ports; k++)
			if (dp->ports[k] == dp->ports[dp->n_ports])
				return -EAGAIN;
		dp->n_ports++;
		return 0;
	}
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();
	uint32_t *flags = data;

	if (!t)
		return -ENOMEM;
	if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		return -EBADMSG;
	}
	*flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
	nftnl_table_free(t);
	return 0;
}

static int read_table(struct ctfd_nft *n, struct ctfd_dataplane *dp, char *err,
		      size_t errlen)
{
	char buf[REQ_BUF] = { 0 };
	struct chains_info ci = { 0 };
	struct sets_info si = { 0 };
	struct rules_info ri;
	struct ctf_nl_talk t = { 0 };
	struct nlmsghdr *nlh;
	uint32_t tflags = 0;
	int i, ret;

	/* The table alone: ENOENT is "not there", not an error. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET,
				    NLM_F_ACK, ctf_nl_next_seq(&n->nl));
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, CTFD_NFT_TABLE);
	t.cb = table_cb;
	t.data = &tflags;
	ret = talk(n, nlh, &t);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, kmsg(&t),
			    "nft: get table inet %s", CTFD_NFT_TABLE);
		return ret;
	}
	dp->exists = true;
	if (tflags) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s is not ctfailoverd's: table flags 0x%x",
			CTFD_NFT_TABLE, tflags);
		return -EPROTO;
	}

	nlh = dump_req(n, buf, NFT_MSG_GETCHAIN);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, CTFD_NFT_TABLE);
	t = (struct ctf_nl_talk){ .cb = chain_cb, .data = &ci };
	ret = talk(n, nlh, &t);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, kmsg(&t), "nft: list chains");
		return ret;
	}
	/* Only prerouting: ours, from before the canary (an upgrade). */
	dp->no_output = !ci.why[0] && ci.have[CH_PREROUTING] &&
			!ci.have[CH_OUTPUT] && ci.n == 1;
	for (i = 0; i < N_CHAINS && !ci.why[0] && !dp->no_output; i++)
		if (!ci.have[i])
			snprintf(ci.why, sizeof(ci.why), "no chain %s",
				 chains[i].name);
	if (ci.why[0]) {
		ctf_nl_seterr(err, errlen,
			      "nft: table inet %s is not ctfailoverd's: %s",
			      CTFD_NFT_TABLE, ci.why);
		return -EPROTO;
	}

	nlh = dump_req(n, buf, NFT_MSG_GETSET);
	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, CTFD_NFT_TABLE);
	t = (struct ctf_nl_talk){ .cb = set_cb, .data = &si };
	ret = talk(n, nlh, &t);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, kmsg(&t), "nft: list sets");
		return ret;
	}
	for (i = 0; i < N_SETS && !si.why[0]; i++)
		if (!si.have[i])
			snprintf(si.why, sizeof(si.why), "no set %s",
				 sets[i].name);
	if (si.why[0]) {
		ctf_nl_seterr(err, errlen,
			      "nft: table inet %s is not ctfailoverd's: %s",
			      CTFD_NFT_TABLE, si.why);
		return -EPROTO;
	}

	ret = read_rules(n, &ri, dp->no_output, err, errlen);
	if (ret)
		return ret;
	dp->table_size = ri.mod[0][0];
	dp->seed = ri.seed[0][0];
	dp->slots4 = calloc(dp->table_size, sizeof(*dp->slots4));
	dp->slots6 = calloc(dp->table_size, sizeof(*dp->slots6));
	if (!dp->slots4 || !dp->slots6) {
		ctf_nl_seterr(err, errlen, "nft: no memory for %u slots",
			      dp->table_size);
		return -ENOMEM;
	}
	for (i = 0; i < N_SETS; i++) {
		struct read_ctx rc = { .dp = dp, .set = i };
		struct elems_ctx ec = { .elem = elem_read, .arg = &rc };

		ret = read_elems(n, i, &ec, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int ctfd_nft_read(struct ctfd_nft *n, struct ctfd_dataplane *dp, char *err,
		  size_t errlen)
{
	int ret, tries = 0;

	for (;;) {
		memset(dp, 0, sizeof(*dp));
		if (errlen)
			err[0] = '\0';
		ret = read_table(n, dp, err, errlen);
		if (ret != -EAGAIN || ++tries == READ_TRIES)
			break;
		ctfd_dataplane_free(dp);
		/* Give the resize a moment: 10, 20, 30... ms. */
		nanosleep(&(struct timespec){ .tv_nsec = tries * 10000000L },
			  NULL);
	}
	if (ret == -EAGAIN)
		ctf_nl_seterr(
			err, errlen,
			"nft: the set dumps kept changing under us (%d tries)",
			tries);
	if (ret) {
		bool exists = dp->exists;

		/* Nothing to free for the caller, but whether it is there. */
		ctfd_dataplane_free(dp);
		dp->exists = exists;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* The batch.                                                         */

struct batch {
	struct ctfd_nft *n;
	struct nftnl_batch *b;
	uint32_t seq0;	     /* BATCH_BEGIN's */
	unsigned int n_msgs; /* inner messages, each with NLM_F_ACK */
	char (*what)[96];    /* what each inner message does */
	unsigned int what_cap;
	int err; /* -ENOMEM while building */
	unsigned int added, deleted;
};

/*
 * Where the next message goes, cleared first: libmnl 1.0.4 does not clear
 * attribute padding, and the page is malloc'd. Called once per message.
 */
static void *bbuf(struct batch *bt)
{
	void *p = nftnl_batch_buffer(bt->b);

	memset(p, 0, BATCH_OVERRUN);
	return p;
}

/* Close the message just written at bbuf(). */
static void bnext(struct batch *bt)
{
	if (nftnl_batch_update(bt->b) < 0 && !bt->err)
		bt->err = -ENOMEM;
}

/* Start an inner message: its seq, and a note of what it is for errors. */
static struct nlmsghdr *bmsg(struct batch *bt, uint16_t type, uint16_t flags,
			     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct nlmsghdr *bmsg(struct batch *bt, uint16_t type, uint16_t flags,
			     const char *fmt, ...)
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
	struct batch *bt;
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
	struct batch *bt = ew->bt;

	if (!ew->nlh)
		return;
	mnl_attr_nest_end(ew->nlh, ew->list);
	if (ew->msg < bt->what_cap) {
		bool slots = ew->set == SET_SLOTS4 || ew->set == SET_SLOTS6;

		if (slots)
			snprintf(bt->what[ew->msg], sizeof(bt->what[0]),
				 "%s %u elements %s set %s (first key %u)",
				 ew->del ? "delete" : "add", ew->count,
				 ew->del ? "from" : "to", sets[ew->set].name,
				 ew->first);
		else
			snprintf(bt->what[ew->msg], sizeof(bt->what[0]),
				 "%s %u elements %s set %s",
				 ew->del ? "delete" : "add", ew->count,
				 ew->del ? "from" : "to", sets[ew->set].name);
	}
	bnext(bt);
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
		ew->nlh =
			bmsg(ew->bt,
			     ew->del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
			     ew->del ? 0 : NLM_F_CREATE | NLM_F_EXCL,
			     "elements of set %s", sets[ew->set].name);
		mnl_attr_put_strz(ew->nlh, NFTA_SET_ELEM_LIST_TABLE,
				  CTFD_NFT_TABLE);
		mnl_attr_put_strz(ew->nlh, NFTA_SET_ELEM_LIST_SET,
				  sets[ew->set].name);
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
static void diff_vips_ports(struct batch *bt, const struct ctfd_dataplane *a,
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
static void diff_slots(struct batch *bt, const struct ctfd_dataplane *cur,
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

static void b_rule(struct batch *bt, int ch, bool v6,
		   const struct ctfd_dataplane *dp, const uint32_t *ids)
{
	struct nftnl_rule *r =
		rule_build(ch, v6, dp->table_size, dp->seed, ids);
	struct nlmsghdr *nlh;

	if (!r) {
		bt->err = -ENOMEM;
		return;
	}
	nlh = bmsg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
		   "add the %s rule to chain %s (mod %u seed 0x%08x)",
		   v6 ? "IPv6" : "IPv4", chains[ch].name, dp->table_size,
		   dp->seed);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	bnext(bt);
}

static void b_chain(struct batch *bt, struct nftnl_chain *c, int ch)
{
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, CTFD_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chains[ch].name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chains[ch].hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -100);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nlh = bmsg(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL,
		   "create chain %s", chains[ch].name);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	bnext(bt);
}

/* The table, the sets and the chain, as nft -f of ctfailover.nft makes them. */
static void b_create(struct batch *bt, uint32_t *ids)
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
	nlh = bmsg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
		   "create table inet %s", CTFD_NFT_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	bnext(bt);

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
		nftnl_set_set_str(s, NFTNL_SET_NAME, sets[i].name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_u32(s, NFTNL_SET_ID, ids[i]);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, sets[i].flags);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, sets[i].key_type);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sets[i].key_len);
		if (sets[i].flags & NFT_SET_MAP) {
			nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE,
					  sets[i].data_type);
			nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN,
					  sets[i].data_len);
		}
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
		nlh = bmsg(bt, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL,
			   "create set %s", sets[i].name);
		nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		nftnl_udata_buf_free(ud);
		bnext(bt);
	}

	for (i = 0; i < N_CHAINS; i++)
		b_chain(bt, c, i);
out:
	nftnl_table_free(t);
	nftnl_chain_free(c);
}

static void b_del_rule(struct batch *bt, int ch, bool v6, uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r) {
		bt->err = -ENOMEM;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, CTFD_NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chains[ch].name);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	nlh = bmsg(bt, NFT_MSG_DELRULE, 0,
		   "delete the %s rule of chain %s (handle %llu)",
		   v6 ? "IPv6" : "IPv4", chains[ch].name,
		   (unsigned long long)handle);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	bnext(bt);
}

/* What the kernel says about the batch. */
struct batch_reply {
	struct batch *bt;
	unsigned int acks;
	int err;	     /* the first error */
	unsigned int failed; /* its message: 0 the batch, else 1.. */
	char msg[256];	     /* its extack */
};

static int batch_msg(const struct nlmsghdr *nlh, void *data)
{
	struct batch_reply *br = data;
	struct batch *bt = br->bt;
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

static int batch_send(struct batch *bt, struct ctfd_nft_stats *st, char *err,
		      size_t errlen)
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

	ret = recv_replies(n, batch_msg, &br, false);
	/* Anything left (an error about the whole batch) is queued already. */
	if (!ret)
		ret = recv_replies(n, batch_msg, &br, true);
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
static int batch_open(struct ctfd_nft *n, struct batch *bt)
{
	*bt = (struct batch){ .n = n };
	bt->b = nftnl_batch_alloc(BATCH_PAGE, BATCH_OVERRUN);
	if (!bt->b)
		return -ENOMEM;
	bt->seq0 = n->nl.seq + 1;
	nftnl_batch_begin(bbuf(bt), bt->seq0);
	bnext(bt);
	return 0;
}

/*
 * BATCH_END, then the batch sent (if it holds any message) and its acks
 * read; freed either way. 0 or -errno with @err.
 */
static int batch_close(struct batch *bt, struct ctfd_nft_stats *stats,
		       char *err, size_t errlen)
{
	int ret = 0;

	nftnl_batch_end(bbuf(bt), bt->seq0 + bt->n_msgs + 1);
	bnext(bt);
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
	struct batch bt = { .n = n };
	uint32_t ids[N_SETS] = { 0 };
	struct rules_info ri;
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
		ret = read_rules(n, &ri, false, err, errlen);
		if (ret)
			return ret;
	}

	ret = batch_open(n, &bt);
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

	return batch_close(&bt, stats, err, errlen);
}

int ctfd_nft_upgrade(struct ctfd_nft *n, struct ctfd_dataplane *dp, char *err,
		     size_t errlen)
{
	struct nftnl_chain *c;
	struct batch bt = { .n = n };
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!dp->exists || !dp->no_output)
		return 0;
	c = nftnl_chain_alloc();
	if (!c)
		return -ENOMEM;
	ret = batch_open(n, &bt);
	if (ret) {
		nftnl_chain_free(c);
		return ret;
	}
	/* EXCL: someone who made it since we looked made it their way. */
	b_chain(&bt, c, CH_OUTPUT);
	nftnl_chain_free(c);
	b_rule(&bt, CH_OUTPUT, false, dp, NULL);
	b_rule(&bt, CH_OUTPUT, true, dp, NULL);
	ret = batch_close(&bt, NULL, err, errlen);
	if (!ret)
		dp->no_output = false;
	return ret;
}

/* ------------------------------------------------------------------ */
/* nft -f text.                                                       */

static void print_elems(FILE *f, const struct ctf_addr *slots, uint32_t size)
{
	char a[CTF_ADDR_STRLEN];
	bool first = true;
	uint32_t k;

	for (k = 0; k < size; k++) {
		if (!slots[k].family)
			continue;
		fprintf(f, "%s%u : %s",
			first ? "\t\telements = { " : ",\n\t\t\t", k,
			ctf_addr_str(&slots[k], a));
		first = false;
	}
	if (!first)
		fprintf(f, " }\n");
}

static void print_vips(FILE *f, const struct ctfd_dataplane *dp, int family)
{
	char a[CTF_ADDR_STRLEN];
	bool first = true;
	unsigned int i;

	for (i = 0; i < dp->n_vips; i++) {
		if (dp->vips[i].family != family)
			continue;
		fprintf(f, "%s%s", first ? "\t\telements = { " : ", ",
			ctf_addr_str(&dp->vips[i], a));
		first = false;
	}
	if (!first)
		fprintf(f, " }\n");
}

void ctfd_nft_print(FILE *f, const struct ctfd_dataplane *dp)
{
	unsigned int i;

	fprintf(f,
		"# ctfailoverd's data plane: table size %u, seed 0x%08x\n"
		"table inet %s\n"
		"delete table inet %s\n"
		"table inet %s {\n",
		dp->table_size, dp->seed, CTFD_NFT_TABLE, CTFD_NFT_TABLE,
		CTFD_NFT_TABLE);
	fprintf(f, "\tmap slots4 {\n\t\ttypeof numgen inc mod 2 : ip daddr\n");
	if (dp->slots4)
		print_elems(f, dp->slots4, dp->table_size);
	fprintf(f, "\t}\n\n\tmap slots6 {\n"
		   "\t\ttypeof numgen inc mod 2 : ip6 daddr\n");
	if (dp->slots6)
		print_elems(f, dp->slots6, dp->table_size);
	fprintf(f, "\t}\n\n\tset vips4 {\n\t\ttype ipv4_addr\n");
	print_vips(f, dp, AF_INET);
	fprintf(f, "\t}\n\n\tset vips6 {\n\t\ttype ipv6_addr\n");
	print_vips(f, dp, AF_INET6);
	fprintf(f, "\t}\n\n\tset sip_ports {\n\t\ttype inet_service\n");
	for (i = 0; i < dp->n_ports; i++)
		fprintf(f, "%s%u", i ? ", " : "\t\telements = { ",
			dp->ports[i]);
	if (dp->n_ports)
		fprintf(f, " }\n");
	fprintf(f, "\t}\n");
	for (i = 0; i < N_CHAINS; i++)
		fprintf(f,
			"\n\tchain %s {\n"
			"\t\ttype nat hook %s priority %s; policy accept;\n"
			"\t\tip daddr @vips4 udp dport @sip_ports dnat ip to jhash ip saddr . udp sport mod %u seed 0x%08x map @slots4\n"
			"\t\tip6 daddr @vips6 udp dport @sip_ports dnat ip6 to jhash ip6 saddr . udp sport mod %u seed 0x%08x map @slots6\n"
			"\t}\n",
			chains[i].name, chains[i].hook_name, chains[i].prio,
			dp->table_size, dp->seed, dp->table_size, dp->seed);
	fprintf(f, "}\n");
}

/* ------------------------------------------------------------------ */
/* The health counters (health.h, "Passive").                         */

/*
 * table inet ctfailover_health: a forward chain counting, per backend
 * address, the UDP datagrams forwarded to it (the original direction) and
 * from it (the reply direction), through maps from address to named
 * counter: one lookup a packet, whatever the number of backends, and
 * O(backends) to read. Its own table: it is no part of the data plane's
 * shape (ctfd_nft_read() would refuse it there), and replacing it never
 * touches a slot.
 */
#define HC_TABLE "ctfailover_health"

static const struct {
	const char *name;
	bool v6, rx;
} hc_maps[] = { { "tx4", false, false },
		{ "rx4", false, true },
		{ "tx6", true, false },
		{ "rx6", true, true } };

#define N_HC_MAPS (sizeof(hc_maps) / sizeof(hc_maps[0]))

static void hc_counter_name(char *buf, size_t len, bool rx,
			    const struct ctf_addr *a)
{
	char s[CTF_ADDR_STRLEN];

	snprintf(buf, len, "%s-%s", rx ? "rx" : "tx", ctf_addr_str(a, s));
}

static struct nftnl_expr *e_cmp(const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return e;
}

/*
 * To the backend: meta nfproto X meta l4proto udp ct direction original
 * @th,64,48 "INVITE" counter name ip daddr map @txX (an INVITE always gets
 * a response from a live server; an ACK or a keepalive gets none). From
 * it: ... ct direction reply counter name ip saddr map @rxX.
 */
static void hc_rule(struct batch *bt, unsigned int m, uint32_t set_id)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *ct = nftnl_expr_alloc("ct");
	struct nftnl_expr *ref = nftnl_expr_alloc("objref");
	bool v6 = hc_maps[m].v6, rx = hc_maps[m].rx;
	struct nlmsghdr *nlh;
	int ret = 0;

	if (!r || !ct || !ref) {
		nftnl_expr_free(ct);
		nftnl_expr_free(ref);
		goto nomem;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, HC_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "forward");
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_DIRECTION);
	nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nftnl_expr_set_u32(ref, NFTNL_EXPR_OBJREF_SET_SREG, NFT_REG_1);
	nftnl_expr_set_str(ref, NFTNL_EXPR_OBJREF_SET_NAME, hc_maps[m].name);
	nftnl_expr_set_u32(ref, NFTNL_EXPR_OBJREF_SET_ID, set_id);
	ret |= add_expr(r, e_meta(NFT_META_NFPROTO));
	ret |= add_expr(r, e_cmp_u8(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
	ret |= add_expr(r, e_meta(NFT_META_L4PROTO));
	ret |= add_expr(r, e_cmp_u8(IPPROTO_UDP));
	nftnl_rule_add_expr(r, ct);
	ret |= add_expr(r, e_cmp_u8(rx ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL));
	if (!rx) {
		ret |= add_expr(r, e_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 8, 6,
					     NFT_REG_1));
		ret |= add_expr(r, e_cmp("INVITE", 6));
	}
	/* Forwarded to the backend: its daddr; from it: its saddr. */
	ret |= add_expr(r, e_payload(NFT_PAYLOAD_NETWORK_HEADER,
				     v6 ? (rx ? 8 : 24) : (rx ? 12 : 16),
				     v6 ? 16 : 4, NFT_REG_1));
	nftnl_rule_add_expr(r, ref);
	if (ret)
		goto nomem;
	nlh = bmsg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
		   "add rule counting %s", hc_maps[m].name);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	bnext(bt);
	nftnl_rule_free(r);
	return;
nomem:
	nftnl_rule_free(r);
	bt->err = -ENOMEM;
}

static void hc_table(struct batch *bt, const struct ctf_addr *addrs,
		     unsigned int n)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	char name[64];
	unsigned int m, i;

	if (!t || !c) {
		bt->err = -ENOMEM;
		goto out;
	}
	/* Replaced whole in one transaction: add (if absent), delete, add. */
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, HC_TABLE);
	nlh = bmsg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE, "add table inet %s",
		   HC_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	bnext(bt);
	nlh = bmsg(bt, NFT_MSG_DELTABLE, 0, "delete table inet %s", HC_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	bnext(bt);
	if (!n)
		goto out; /* no backend: no table */
	nlh = bmsg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
		   "create table inet %s", HC_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	bnext(bt);

	for (i = 0; i < n; i++) {
		for (m = 0; m < 2; m++) {
			struct nftnl_obj *o = nftnl_obj_alloc();

			if (!o) {
				bt->err = -ENOMEM;
				goto out;
			}
			hc_counter_name(name, sizeof(name), m, &addrs[i]);
			nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, HC_TABLE);
			nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
			nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
			nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE,
					  NFT_OBJECT_COUNTER);
			nlh = bmsg(bt, NFT_MSG_NEWOBJ,
				   NLM_F_CREATE | NLM_F_EXCL,
				   "create counter %s", name);
			nftnl_obj_nlmsg_build_payload(nlh, o);
			nftnl_obj_free(o);
			bnext(bt);
		}
	}
	for (m = 0; m < N_HC_MAPS; m++) {
		struct nftnl_set *s = nftnl_set_alloc();
		bool v6 = hc_maps[m].v6;
		struct nlattr *list, *el, *key;
		unsigned int k = 0;

		if (!s) {
			bt->err = -ENOMEM;
			goto out;
		}
		nftnl_set_set_str(s, NFTNL_SET_TABLE, HC_TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, hc_maps[m].name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_u32(s, NFTNL_SET_ID, 100 + m);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_OBJECT);
		/* nft's ipv4_addr and ipv6_addr types */
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, v6 ? 8 : 7);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, v6 ? 16 : 4);
		nftnl_set_set_u32(s, NFTNL_SET_OBJ_TYPE, NFT_OBJECT_COUNTER);
		nlh = bmsg(bt, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL,
			   "create map %s", hc_maps[m].name);
		nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		bnext(bt);

		/* Its elements: at most 1024 of ~60 bytes, one message. */
		for (i = 0; i < n; i++)
			k += addrs[i].family == (v6 ? AF_INET6 : AF_INET);
		if (!k)
			continue;
		nlh = bmsg(bt, NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL,
			   "elements of map %s", hc_maps[m].name);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, HC_TABLE);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, hc_maps[m].name);
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID,
				 htonl(100 + m));
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (i = 0; i < n; i++) {
			if (addrs[i].family != (v6 ? AF_INET6 : AF_INET))
				continue;
			hc_counter_name(name, sizeof(name), hc_maps[m].rx,
					&addrs[i]);
			el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
			key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
			mnl_attr_put(nlh, NFTA_DATA_VALUE, v6 ? 16 : 4,
				     &addrs[i].v4);
			mnl_attr_nest_end(nlh, key);
			mnl_attr_put_strz(nlh, NFTA_SET_ELEM_OBJREF, name);
			mnl_attr_nest_end(nlh, el);
		}
		mnl_attr_nest_end(nlh, list);
		bnext(bt);
	}

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, HC_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "forward");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_FORWARD);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nlh = bmsg(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL,
		   "create chain forward");
	nftnl_chain_nlmsg_build_payload(nlh, c);
	bnext(bt);
	for (m = 0; m < N_HC_MAPS; m++)
		hc_rule(bt, m, 100 + m);
out:
	nftnl_table_free(t);
	nftnl_chain_free(c);
}

int ctfd_nft_health_set(struct ctfd_nft *n, const struct ctf_addr *addrs,
			unsigned int n_addrs, char *err, size_t errlen)
{
	struct batch bt;
	int ret;

	if (errlen)
		err[0] = '\0';
	ret = batch_open(n, &bt);
	if (ret)
		return ret;
	hc_table(&bt, addrs, n_addrs);
	return batch_close(&bt, NULL, err, errlen);
}

struct hc_read {
	int (*cb)(const struct ctf_addr *a, bool rx, uint64_t packets,
		  void *data);
	void *data;
};

static int hc_obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hc_read *h = data;
	struct nftnl_obj *o = nftnl_obj_alloc();
	char perr[CTF_PARSE_ERRLEN];
	struct ctf_addr a;
	const char *name;
	int ret = 0;

	if (!o)
		return -ENOMEM;
	if (nftnl_obj_nlmsg_parse(nlh, o) < 0) {
		nftnl_obj_free(o);
		return -EPROTO;
	}
	name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
	if (name &&
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER &&
	    (!strncmp(name, "tx-", 3) || !strncmp(name, "rx-", 3)) &&
	    !ctf_parse_addr(name + 3, &a, perr, sizeof(perr)))
		ret = h->cb(&a, name[0] == 'r',
			    nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS), h->data);
	nftnl_obj_free(o);
	return ret;
}

int ctfd_nft_health_read(struct ctfd_nft *n,
			 int (*cb)(const struct ctf_addr *a, bool rx,
				   uint64_t packets, void *data),
			 void *data, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct hc_read h = { cb, data };
	struct ctf_nl_talk t = { .cb = hc_obj_cb, .data = &h };
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!o)
		return -ENOMEM;
	nlh = dump_req(n, buf, NFT_MSG_GETOBJ);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, HC_TABLE);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	ret = talk(n, nlh, &t);
	if (ret)
		ctf_nl_kerr(err, errlen, ret, kmsg(&t),
			    "nft: read the health counters");
	return ret;
}
