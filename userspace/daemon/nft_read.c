// SPDX-License-Identifier: GPL-2.0
/*
 * `table inet ctfailover` read back (ctfd_nft_read): the table, its
 * chains, sets and rules checked against the shape ctfailoverd makes, then
 * every element.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "maglev.h"
#include "nft_priv.h"

/* Reads of an inconsistent set dump (see read_ctx) before giving up. */
#define READ_TRIES 20

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
		if (name && !strcmp(name, ctfd_nft_chains[c].name))
			return c;
	return -1;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	char got[4096], want[4096];
	struct ctfd_nft_rules_info *ri = data;
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
		tmpl = ctfd_nft_rule_build(ch, v6, mod, seed, NULL);
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

int ctfd_nft_read_rules(struct ctfd_nft *n, struct ctfd_nft_rules_info *ri,
			bool no_output, char *err, size_t errlen)
{
	char buf[REQ_BUF] = { 0 };
	struct ctf_nl_talk t = { .cb = rule_cb, .data = ri };
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	int ret, ch, v6;

	if (!r)
		return -ENOMEM;
	memset(ri, 0, sizeof(*ri));
	nlh = ctfd_nft_dump_req(n, buf, NFT_MSG_GETRULE);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, CTFD_NFT_TABLE);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	ret = ctfd_nft_talk(n, nlh, &t);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, ctfd_nft_kmsg(&t),
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
					ctfd_nft_chains[ch].name);
				return -EPROTO;
			}
			if (ri->mod[ch][v6] == ri->mod[0][0] &&
			    ri->seed[ch][v6] == ri->seed[0][0])
				continue;
			ctf_nl_seterr(
				err, errlen,
				"nft: table inet %s is not ctfailoverd's: the %s rule of chain %s hashes differently (mod %u seed 0x%08x, not mod %u seed 0x%08x)",
				CTFD_NFT_TABLE, v6 ? "IPv6" : "IPv4",
				ctfd_nft_chains[ch].name, ri->mod[ch][v6],
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
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) !=
		    ctfd_nft_chains[ch].hook ||
	    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) != -100 ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) != NF_ACCEPT ||
	    nftnl_chain_is_set(c, NFTNL_CHAIN_DEV) ||
	    nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES)) {
		if (!ci->why[0])
			snprintf(
				ci->why, sizeof(ci->why),
				"chain %s is not type nat hook %s priority %s policy accept",
				name, ctfd_nft_chains[ch].hook_name,
				ctfd_nft_chains[ch].prio);
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
	const struct ctfd_nft_set_shape *sh;
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
		if (!strcmp(name, ctfd_nft_sets[i].name))
			break;
	if (i == N_SETS) {
		if (!si->why[0])
			snprintf(si->why, sizeof(si->why), "a set %s", name);
		goto out;
	}
	sh = &ctfd_nft_sets[i];
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

	nlh = ctfd_nft_dump_req(n, buf, NFT_MSG_GETSETELEM);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, CTFD_NFT_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, ctfd_nft_sets[set].name);
	ret = ctfd_nft_talk(n, nlh, &t);
	if (ret == -EPROTO && !t.msg[0]) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s is not ctfailoverd's: set %s has elements with flags, timeouts or expressions",
			CTFD_NFT_TABLE, ctfd_nft_sets[set].name);
		return ret;
	}
	if (ret == -ERANGE || ret == -EPROTOTYPE || ret == -E2BIG) {
		ctf_nl_seterr(
			err, errlen,
			"nft: table inet %s is not ctfailoverd's: set %s: %s",
			CTFD_NFT_TABLE, ctfd_nft_sets[set].name,
			ret == -E2BIG ? "too many elements"
				      : "an element out of range");
		return -EPROTO;
	}
	if (ret)
		ctf_nl_kerr(err, errlen, ret, ctfd_nft_kmsg(&t),
			    "nft: list set %s", ctfd_nft_sets[set].name);
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
	struct ctfd_nft_rules_info ri;
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
	ret = ctfd_nft_talk(n, nlh, &t);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, ctfd_nft_kmsg(&t),
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

	nlh = ctfd_nft_dump_req(n, buf, NFT_MSG_GETCHAIN);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, CTFD_NFT_TABLE);
	t = (struct ctf_nl_talk){ .cb = chain_cb, .data = &ci };
	ret = ctfd_nft_talk(n, nlh, &t);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, ctfd_nft_kmsg(&t),
			    "nft: list chains");
		return ret;
	}
	/* Only prerouting: ours, from before the canary (an upgrade). */
	dp->no_output = !ci.why[0] && ci.have[CH_PREROUTING] &&
			!ci.have[CH_OUTPUT] && ci.n == 1;
	for (i = 0; i < N_CHAINS && !ci.why[0] && !dp->no_output; i++)
		if (!ci.have[i])
			snprintf(ci.why, sizeof(ci.why), "no chain %s",
				 ctfd_nft_chains[i].name);
	if (ci.why[0]) {
		ctf_nl_seterr(err, errlen,
			      "nft: table inet %s is not ctfailoverd's: %s",
			      CTFD_NFT_TABLE, ci.why);
		return -EPROTO;
	}

	nlh = ctfd_nft_dump_req(n, buf, NFT_MSG_GETSET);
	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, CTFD_NFT_TABLE);
	t = (struct ctf_nl_talk){ .cb = set_cb, .data = &si };
	ret = ctfd_nft_talk(n, nlh, &t);
	if (ret) {
		ctf_nl_kerr(err, errlen, ret, ctfd_nft_kmsg(&t),
			    "nft: list sets");
		return ret;
	}
	for (i = 0; i < N_SETS && !si.why[0]; i++)
		if (!si.have[i])
			snprintf(si.why, sizeof(si.why), "no set %s",
				 ctfd_nft_sets[i].name);
	if (si.why[0]) {
		ctf_nl_seterr(err, errlen,
			      "nft: table inet %s is not ctfailoverd's: %s",
			      CTFD_NFT_TABLE, si.why);
		return -EPROTO;
	}

	ret = ctfd_nft_read_rules(n, &ri, dp->no_output, err, errlen);
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

struct flowtables {
	char *list;
	size_t len, off;
	unsigned int n;
};

static int flowtable_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_flowtable *f = nftnl_flowtable_alloc();
	struct flowtables *ft = data;
	const char *fam, *table, *name;
	int w;

	if (!f)
		return -ENOMEM;
	if (nftnl_flowtable_nlmsg_parse(nlh, f) < 0) {
		nftnl_flowtable_free(f);
		return -EBADMSG;
	}
	switch (nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_FAMILY)) {
	case NFPROTO_INET:
		fam = "inet";
		break;
	case NFPROTO_IPV4:
		fam = "ip";
		break;
	case NFPROTO_IPV6:
		fam = "ip6";
		break;
	default:
		fam = "?";
	}
	table = nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_TABLE);
	name = nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_NAME);
	w = snprintf(ft->list + ft->off, ft->len - ft->off, "%s%s %s %s",
		     ft->n ? ", " : "", fam, table ? table : "?",
		     name ? name : "?");
	if (w > 0 && (size_t)w < ft->len - ft->off)
		ft->off += w;
	ft->n++;
	nftnl_flowtable_free(f);
	return 0;
}

int ctfd_nft_flowtables(struct ctfd_nft *n, char *list, size_t len)
{
	struct flowtables ft = { .list = list, .len = len };
	struct ctf_nl_talk t = { .cb = flowtable_cb, .data = &ft };
	char buf[REQ_BUF] = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	list[0] = '\0';
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETFLOWTABLE, NFPROTO_UNSPEC,
				    NLM_F_DUMP, ctf_nl_next_seq(&n->nl));
	ret = ctfd_nft_talk(n, nlh, &t);
	return ret ? ret : (int)ft.n;
}
