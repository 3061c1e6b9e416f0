// SPDX-License-Identifier: GPL-2.0
/*
 * `table inet ctfailover` over nfnetlink (nft_priv.h says which part does
 * what): the socket, its requests, and the table's shape. See
 * nft/ctfailover.nft for the table itself; these files build exactly
 * that, expression by expression as nft 1.0.6 does, so that `nft list`
 * shows the same text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nft_priv.h"

/*
 * Dump replies come in skbs of up to 32 KiB; a smaller buffer would get
 * them truncated (MSG_TRUNC).
 */
#define RXBUF 65536
/* nft's datatypes (nftables src/datatype.h): what `nft list` prints. */
#define NFT_TYPE_INTEGER      4
#define NFT_TYPE_IPADDR	      7
#define NFT_TYPE_IP6ADDR      8
#define NFT_TYPE_INET_SERVICE 13

/* The sets in creation order, which is the order `nft list` shows them. */
const struct ctfd_nft_set_shape ctfd_nft_sets[N_SETS] = {
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
const struct ctfd_nft_chain_shape ctfd_nft_chains[N_CHAINS] = {
	[CH_PREROUTING] = { "prerouting", NF_INET_PRE_ROUTING, "prerouting",
			    "dstnat" },
	[CH_OUTPUT] = { "output", NF_INET_LOCAL_OUT, "output", "-100" },
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

int ctfd_nft_recv_replies(struct ctfd_nft *n, ctf_nl_msg_fn on_msg, void *data,
			  bool nonblock)
{
	return ctf_nl_recv_msgs(&n->nl, n->rxbuf, RXBUF, nonblock, on_msg,
				data);
}

int ctfd_nft_talk(struct ctfd_nft *n, struct nlmsghdr *req,
		  struct ctf_nl_talk *t)
{
	return ctf_nl_talk(&n->nl, req, n->rxbuf, RXBUF, t);
}

struct nlmsghdr *ctfd_nft_dump_req(struct ctfd_nft *n, char *buf, uint16_t type)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_DUMP,
				     ctf_nl_next_seq(&n->nl));
}

const char *ctfd_nft_kmsg(const struct ctf_nl_talk *t)
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
int ctfd_nft_add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

struct nftnl_expr *ctfd_nft_e_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

struct nftnl_expr *ctfd_nft_e_cmp_u8(uint8_t v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &v, sizeof(v));
	}
	return e;
}

struct nftnl_expr *ctfd_nft_e_payload(uint32_t base, uint32_t off, uint32_t len,
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
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET,
				   ctfd_nft_sets[set].name);
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

struct nftnl_rule *ctfd_nft_rule_build(int ch, bool v6, uint32_t mod,
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
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, ctfd_nft_chains[ch].name);
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_meta(NFT_META_NFPROTO));
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_cmp_u8(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16,
				      v6 ? 16 : 4, NFT_REG_1));
	ret |= ctfd_nft_add_expr(r, e_lookup(vips, ids ? ids[vips] : 0, false));
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_meta(NFT_META_L4PROTO));
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_cmp_u8(IPPROTO_UDP));
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2,
				      NFT_REG_1));
	ret |= ctfd_nft_add_expr(
		r, e_lookup(SET_PORTS, ids ? ids[SET_PORTS] : 0, false));
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_payload(NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12,
				      v6 ? 16 : 4, NFT_REG_2));
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2,
				      v6 ? NFT_REG_3 : NFT_REG32_05));
	ret |= ctfd_nft_add_expr(r, e_hash(v6, mod, seed));
	ret |= ctfd_nft_add_expr(r,
				 e_lookup(slots, ids ? ids[slots] : 0, true));
	ret |= ctfd_nft_add_expr(r, e_dnat(v6));
	if (ret) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}
