// SPDX-License-Identifier: GPL-2.0
/*
 * The health counters (health.h, "Passive") in nftables:
 * ctfd_nft_health_set and ctfd_nft_health_read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nft_priv.h"

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
 * it: ... ct direction reply @th,64,64 "SIP/2.0 " counter name ip saddr
 * map @rxX: its SIP responses, and nothing else it may send.
 */
static void hc_rule(struct ctfd_nft_batch *bt, unsigned int m, uint32_t set_id)
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
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_meta(NFT_META_NFPROTO));
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_cmp_u8(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4));
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_meta(NFT_META_L4PROTO));
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_cmp_u8(IPPROTO_UDP));
	nftnl_rule_add_expr(r, ct);
	ret |= ctfd_nft_add_expr(r, ctfd_nft_e_cmp_u8(rx ? IP_CT_DIR_REPLY
							 : IP_CT_DIR_ORIGINAL));
	/* The UDP payload's first bytes: a request's method, a response's
	 * version. */
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 8,
				      rx ? 8 : 6, NFT_REG_1));
	ret |= ctfd_nft_add_expr(r, rx ? e_cmp("SIP/2.0 ", 8)
				       : e_cmp("INVITE", 6));
	/* Forwarded to the backend: its daddr; from it: its saddr. */
	ret |= ctfd_nft_add_expr(
		r, ctfd_nft_e_payload(NFT_PAYLOAD_NETWORK_HEADER,
				      v6 ? (rx ? 8 : 24) : (rx ? 12 : 16),
				      v6 ? 16 : 4, NFT_REG_1));
	nftnl_rule_add_expr(r, ref);
	if (ret)
		goto nomem;
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			    "add rule counting %s", hc_maps[m].name);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	ctfd_nft_bnext(bt);
	nftnl_rule_free(r);
	return;
nomem:
	nftnl_rule_free(r);
	bt->err = -ENOMEM;
}

static void hc_table(struct ctfd_nft_batch *bt, const struct ctf_addr *addrs,
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
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE,
			    "add table inet %s", HC_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	ctfd_nft_bnext(bt);
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_DELTABLE, 0, "delete table inet %s",
			    HC_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	ctfd_nft_bnext(bt);
	if (!n)
		goto out; /* no backend: no table */
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
			    "create table inet %s", HC_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	ctfd_nft_bnext(bt);

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
			nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWOBJ,
					    NLM_F_CREATE | NLM_F_EXCL,
					    "create counter %s", name);
			nftnl_obj_nlmsg_build_payload(nlh, o);
			nftnl_obj_free(o);
			ctfd_nft_bnext(bt);
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
		nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWSET,
				    NLM_F_CREATE | NLM_F_EXCL, "create map %s",
				    hc_maps[m].name);
		nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		ctfd_nft_bnext(bt);

		/* Its elements: at most 1024 of ~60 bytes, one message. */
		for (i = 0; i < n; i++)
			k += addrs[i].family == (v6 ? AF_INET6 : AF_INET);
		if (!k)
			continue;
		nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWSETELEM,
				    NLM_F_CREATE | NLM_F_EXCL,
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
		ctfd_nft_bnext(bt);
	}

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, HC_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "forward");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_FORWARD);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nlh = ctfd_nft_bmsg(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL,
			    "create chain forward");
	nftnl_chain_nlmsg_build_payload(nlh, c);
	ctfd_nft_bnext(bt);
	for (m = 0; m < N_HC_MAPS; m++)
		hc_rule(bt, m, 100 + m);
out:
	nftnl_table_free(t);
	nftnl_chain_free(c);
}

int ctfd_nft_health_set(struct ctfd_nft *n, const struct ctf_addr *addrs,
			unsigned int n_addrs, char *err, size_t errlen)
{
	struct ctfd_nft_batch bt;
	int ret;

	if (errlen)
		err[0] = '\0';
	ret = ctfd_nft_batch_open(n, &bt);
	if (ret)
		return ret;
	hc_table(&bt, addrs, n_addrs);
	return ctfd_nft_batch_close(&bt, NULL, err, errlen);
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
	nlh = ctfd_nft_dump_req(n, buf, NFT_MSG_GETOBJ);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, HC_TABLE);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	ret = ctfd_nft_talk(n, nlh, &t);
	if (ret)
		ctf_nl_kerr(err, errlen, ret, ctfd_nft_kmsg(&t),
			    "nft: read the health counters");
	return ret;
}
