// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_conntrack: real entries in init_net's conntrack table,
 * made the way ctnetlink_create_conntrack() makes them, with the reply
 * source set to a backend, as DNAT would have set it.
 */
#include <linux/rcupdate.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_labels.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netlink.h>

#include "kunit_util.h"

/* Entries one case may create. */
#define CTF_TEST_MAX_CTS	2048
/* Long enough that no entry expires while the suites run under TCG. */
#define CTF_TEST_CT_TIMEOUT	(600 * HZ)

/*
 * .init: init_net enabled as the first backend would enable it (labels
 * held, so new entries get a label area; hooks registered).
 * Both stay: init_net never goes away, and nothing sends packets here.
 */
static int ctf_test_init_ct(struct kunit *test)
{
	struct ctf_test_ctx *ctx;
	int ret;

	ret = ctf_test_init_net(test);
	if (ret)
		return ret;
	ctx = test->priv;
	ctx->cts = kunit_kcalloc(test, CTF_TEST_MAX_CTS, sizeof(*ctx->cts),
				 GFP_KERNEL);
	if (!ctx->cts)
		return -ENOMEM;
	mutex_lock(&ctx->cn->lock);
	ret = ctf_net_enable(ctx->cn);
	mutex_unlock(&ctx->cn->lock);
	return ret;
}

static const struct nla_policy ctf_test_ev_policy[CTF_EV_MAX + 1] = {
	[CTF_EV_SCANNED]	= { .type = NLA_U64 },
	[CTF_EV_EVICTED]	= { .type = NLA_U64 },
	[CTF_EV_USEC]		= { .type = NLA_U64 },
	[CTF_EV_PAD]		= { .type = NLA_BINARY },
};

static const struct nla_policy ctf_test_evict_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_EVICT]	= NLA_POLICY_NESTED(ctf_test_ev_policy),
};

static void ctf_test_evict(struct kunit *test, struct ctf_sweep_result *res)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *tb[CTF_A_MAX + 1], *ev[CTF_EV_MAX + 1];
	struct nlmsghdr *nlh;
	int ret;

	nlh = ctf_test_req(test, ctx->family, CTF_CMD_EVICT, 0, 0);
	nlh = ctf_test_call(test, nlh);
	ctf_test_reply_parse(test, nlh, CTF_CMD_EVICT,
			     ctf_test_evict_reply_policy, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_EVICT]);
	ret = nla_parse_nested(ev, CTF_EV_MAX, tb[CTF_A_EVICT],
			       ctf_test_ev_policy, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, ev[CTF_EV_SCANNED]);
	KUNIT_ASSERT_NOT_NULL(test, ev[CTF_EV_EVICTED]);
	KUNIT_ASSERT_NOT_NULL(test, ev[CTF_EV_USEC]);
	res->scanned = nla_get_u64(ev[CTF_EV_SCANNED]);
	res->evicted = nla_get_u64(ev[CTF_EV_EVICTED]);
	res->usec = nla_get_u64(ev[CTF_EV_USEC]);
}

/* A provider's flow to a VIP, DNATed to a backend. */
struct ctf_test_flow {
	const char *client;	/* original source */
	u16 sport;
	const char *vip;	/* original destination */
	u16 dport;
	const char *backend;	/* reply source: the NAT target */
	u8 proto;
};

#define CTF_TEST_CLIENT4	"203.0.113.1"
#define CTF_TEST_CLIENT6	"2001:db8:200::1"
#define CTF_TEST_VIP4		"198.51.100.1"
#define CTF_TEST_VIP6		"2001:db8:100::1"

/* A UDP flow from @sport to the SIP port, NATed to @backend. */
static struct ctf_test_flow ctf_test_flow_to(const char *backend, u16 sport)
{
	bool v6 = strchr(backend, ':');

	return (struct ctf_test_flow) {
		.client = v6 ? CTF_TEST_CLIENT6 : CTF_TEST_CLIENT4,
		.sport = sport,
		.vip = v6 ? CTF_TEST_VIP6 : CTF_TEST_VIP4,
		.dport = CTF_DEFAULT_SIP_PORT,
		.backend = backend,
		.proto = IPPROTO_UDP,
	};
}

/* Both tuples of @f, as conntrack and NAT would have made them. */
static void ctf_test_tuples(struct kunit *test, const struct ctf_test_flow *f,
			    struct nf_conntrack_tuple *orig,
			    struct nf_conntrack_tuple *reply)
{
	union nf_inet_addr client, vip, backend;
	u8 family, vip_family, backend_family;

	ctf_test_addr(test, f->client, &family, &client);
	ctf_test_addr(test, f->vip, &vip_family, &vip);
	ctf_test_addr(test, f->backend, &backend_family, &backend);
	KUNIT_ASSERT_EQ(test, vip_family, family);
	KUNIT_ASSERT_EQ(test, backend_family, family);

	memset(orig, 0, sizeof(*orig));
	orig->src.l3num = family;
	orig->src.u3 = client;
	orig->src.u.all = htons(f->sport);
	orig->dst.u3 = vip;
	orig->dst.u.all = htons(f->dport);
	orig->dst.protonum = f->proto;
	orig->dst.dir = IP_CT_DIR_ORIGINAL;

	/* After DNAT the reply comes from the backend, to the client. */
	memset(reply, 0, sizeof(*reply));
	reply->src.l3num = family;
	reply->src.u3 = backend;
	reply->src.u.all = htons(f->dport);
	reply->dst.u3 = client;
	reply->dst.u.all = htons(f->sport);
	reply->dst.protonum = f->proto;
	reply->dst.dir = IP_CT_DIR_REPLY;
}

/*
 * A confirmed entry for @f, made as ctnetlink_create_conntrack() makes one:
 * allocated, a label area added (unless @labels is false: as for entries
 * from before the namespace was enabled), marked confirmed, given a timeout,
 * inserted. Returned with our reference held; the exit hook deletes it.
 */
static struct nf_conn *ctf_test_ct_add(struct kunit *test,
				       const struct ctf_test_flow *f,
				       bool labels)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nf_conntrack_tuple orig, reply;
	struct nf_conn *ct;
	int ret = 0;

	KUNIT_ASSERT_LT(test, ctx->ncts, CTF_TEST_MAX_CTS);
	ctf_test_tuples(test, f, &orig, &reply);
	ct = nf_conntrack_alloc(&init_net, &nf_ct_zone_dflt, &orig, &reply,
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ct);
	if (labels && !nf_ct_labels_ext_add(ct))
		ret = -ENOMEM;
	if (!ret) {
		/* Extensions go on before the entry is confirmed. */
		ct->status |= IPS_CONFIRMED;
		__nf_ct_set_timeout(ct, CTF_TEST_CT_TIMEOUT);
		ret = nf_conntrack_hash_check_insert(ct);
	}
	if (ret) {
		nf_conntrack_free(ct);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "no entry %s:%u -> %s", f->client,
				    f->sport, f->backend);
	}
	ctx->cts[ctx->ncts++] = ct;
	return ct;
}

/* The entry the table holds for @f's original tuple, or NULL. */
static struct nf_conn *ctf_test_ct_find(struct kunit *test,
					const struct ctf_test_flow *f)
{
	struct nf_conntrack_tuple orig, reply;
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;

	ctf_test_tuples(test, f, &orig, &reply);
	h = nf_conntrack_find_get(&init_net, &nf_ct_zone_dflt, &orig);
	if (!h)
		return NULL;
	ct = nf_ct_tuplehash_to_ctrack(h);
	/* Only compared: our own reference keeps our entries alive. */
	nf_ct_put(ct);
	return ct;
}

/* Stamp @ct as the stamp hook does, in the namespace's label word. */
static void ctf_test_ct_stamp(struct kunit *test, struct nf_conn *ct, u32 epoch)
{
	struct ctf_test_ctx *ctx = test->priv;
	int ret;

	ret = ctf_ct_stamp_set(ct, READ_ONCE(ctx->cn->label_word), epoch);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

enum ctf_test_change {
	CTF_CHANGE_NONE,
	CTF_CHANGE_BUMP,	/* epoch + 1, as BACKEND_BUMP */
	CTF_CHANGE_DOWN,
	CTF_CHANGE_DRAINING,
	CTF_CHANGE_DEL,		/* removed */
};

/* Apply @change to @b as the handlers do; NULL when @b is gone. */
static struct ctf_backend *ctf_test_change(struct ctf_net *cn,
					   struct ctf_backend *b, u8 change)
{
	mutex_lock(&cn->lock);
	switch (change) {
	case CTF_CHANGE_BUMP:
		WRITE_ONCE(b->epoch, ctf_epoch_next(b->epoch));
		break;
	case CTF_CHANGE_DOWN:
		WRITE_ONCE(b->state, CTF_STATE_DOWN);
		break;
	case CTF_CHANGE_DRAINING:
		WRITE_ONCE(b->state, CTF_STATE_DRAINING);
		break;
	case CTF_CHANGE_DEL:
		ctf_backend_del(cn, b);
		b = NULL;
		break;
	}
	mutex_unlock(&cn->lock);
	return b;
}

static const struct ctf_ct_stamp_case {
	const char *desc;
	u8 word;
	bool labels;
} ctf_ct_stamp_cases[] = {
	{ "word-0", 0, true },
	{ "word-1", 1, true },
	{ "word-2", 2, true },
	{ "word-3", 3, true },
	{ "no-label-area", CTF_DEFAULT_LABEL_WORD, false },
};

static void ctf_ct_stamp_desc(const struct ctf_ct_stamp_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_ct_stamp, ctf_ct_stamp_cases, ctf_ct_stamp_desc);

static void ctf_ct_test_stamp(struct kunit *test)
{
	const struct ctf_ct_stamp_case *c = test->param_value;
	const struct ctf_test_flow f = ctf_test_flow_to("192.0.2.1", 40000);
	const u32 stamp = 0xdeadbeef, other_stamp = 0x00c0ffee;
	u8 other = (c->word + 1) % 4, w;
	struct nf_conn_labels *labels;
	int ret, other_ret;
	struct nf_conn *ct;
	unsigned int bit;
	u32 want;

	/* Arrange */
	ct = ctf_test_ct_add(test, &f, c->labels);
	for (w = 0; w < 4; w++)
		KUNIT_ASSERT_EQ(test, ctf_ct_stamp(ct, w), 0);

	/* Act: stamp one word, then its neighbour. */
	ret = ctf_ct_stamp_set(ct, c->word, stamp);
	other_ret = ctf_ct_stamp_set(ct, other, other_stamp);

	/* Assert */
	if (!c->labels) {
		KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
		KUNIT_EXPECT_EQ(test, other_ret, -ENOSPC);
		KUNIT_EXPECT_EQ(test, ctf_ct_stamp(ct, c->word), 0);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, other_ret, 0);
	for (w = 0; w < 4; w++) {
		want = w == c->word ? stamp : w == other ? other_stamp : 0;
		KUNIT_EXPECT_EQ_MSG(test, ctf_ct_stamp(ct, w), want, "word %u", w);
	}
	/* The uapi's promise: label bits 32 * word .. 32 * word + 31. */
	labels = nf_ct_labels_find(ct);
	KUNIT_ASSERT_NOT_NULL(test, labels);
	for (bit = 0; bit < 32; bit++)
		KUNIT_EXPECT_EQ_MSG(test, (bool)test_bit(32 * c->word + bit, labels->bits),
				    (bool)(stamp & BIT(bit)), "label bit %u",
				    32 * c->word + bit);
}

static const struct ctf_ct_stale_case {
	const char *desc;
	const char *backend;
	u32 epoch;		/* the backend's, before the change */
	u32 stamp;		/* the entry's; 0: unstamped */
	bool labels;
	u8 change;
	bool want;		/* stale */
	bool want_backend;	/* when stale: *bp is the backend, else NULL */
} ctf_ct_stale_cases[] = {
	{ "current", "192.0.2.1", 41, 41, true, CTF_CHANGE_NONE, false },
	{ "bumped", "192.0.2.1", 41, 41, true, CTF_CHANGE_BUMP, true, true },
	{ "bumped-at-max", "192.0.2.1", U32_MAX, U32_MAX, true, CTF_CHANGE_BUMP,
	  true, true },
	{ "down", "192.0.2.1", 41, 41, true, CTF_CHANGE_DOWN, true, true },
	{ "draining", "192.0.2.1", 41, 41, true, CTF_CHANGE_DRAINING, false },
	{ "deleted", "192.0.2.1", 41, 41, true, CTF_CHANGE_DEL, true, false },
	{ "older-stamp", "192.0.2.1", 41, 40, true, CTF_CHANGE_NONE, true, true },
	{ "newer-stamp", "192.0.2.1", 41, 42, true, CTF_CHANGE_NONE, true, true },
	{ "unstamped-deleted", "192.0.2.1", 41, 0, true, CTF_CHANGE_DEL, false },
	{ "unstamped-down", "192.0.2.1", 41, 0, true, CTF_CHANGE_DOWN, false },
	{ "no-label-area-deleted", "192.0.2.1", 41, 0, false, CTF_CHANGE_DEL,
	  false },
	{ "v6-current", "2001:db8::1", 7, 7, true, CTF_CHANGE_NONE, false },
	{ "v6-bumped", "2001:db8::1", 7, 7, true, CTF_CHANGE_BUMP, true, true },
	{ "v6-down", "2001:db8::1", 7, 7, true, CTF_CHANGE_DOWN, true, true },
	{ "v6-deleted", "2001:db8::1", 7, 7, true, CTF_CHANGE_DEL, true, false },
};

static void ctf_ct_stale_desc(const struct ctf_ct_stale_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_ct_stale, ctf_ct_stale_cases, ctf_ct_stale_desc);

static void ctf_ct_test_is_stale(struct kunit *test)
{
	const struct ctf_ct_stale_case *c = test->param_value;
	const struct ctf_test_flow f = ctf_test_flow_to(c->backend, 40000);
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_backend *b, *bp = ERR_PTR(-EINVAL);
	struct nf_conn *ct;
	u32 stamp = 0;
	bool stale;

	/* Arrange */
	b = ctf_test_backend_add(test, ctx->cn, c->backend, c->epoch,
				 CTF_STATE_ACTIVE, NULL);
	ct = ctf_test_ct_add(test, &f, c->labels);
	if (c->stamp)
		ctf_test_ct_stamp(test, ct, c->stamp);
	ctf_test_change(ctx->cn, b, c->change);

	/* Act */
	rcu_read_lock();
	stale = ctf_ct_is_stale(ctx->cn, ct, &bp, &stamp);
	rcu_read_unlock();

	/* Assert */
	KUNIT_EXPECT_EQ(test, stale, c->want);
	if (!c->want)
		return;
	KUNIT_EXPECT_PTR_EQ(test, bp, c->want_backend ? b : NULL);
	KUNIT_EXPECT_EQ(test, stamp, c->stamp);
}

/* The backends of the sweep table, and what happens to each. */
static const struct ctf_sweep_backend {
	const char *addr;
	u8 change;
} ctf_sweep_backends[] = {
	{ "192.0.2.1", CTF_CHANGE_NONE },
	{ "192.0.2.2", CTF_CHANGE_BUMP },
	{ "192.0.2.3", CTF_CHANGE_DOWN },
	{ "192.0.2.4", CTF_CHANGE_DEL },
	{ "192.0.2.5", CTF_CHANGE_DRAINING },
	{ "2001:db8::1", CTF_CHANGE_NONE },
	{ "2001:db8::2", CTF_CHANGE_BUMP },
};

#define CTF_SWEEP_NO_BACKEND	(-1)		/* at 192.0.2.99: none ever */
#define CTF_SWEEP_EPOCH		10		/* every backend's, at first */

enum ctf_test_stamp {
	CTF_STAMP_BEFORE,	/* made before the change, stamped then */
	CTF_STAMP_AFTER,	/* made after the change, stamped then */
	CTF_STAMP_NONE,		/* a label area, no stamp */
	CTF_STAMP_NO_AREA,	/* no label area at all */
};

static const struct ctf_sweep_flow {
	const char *desc;
	int backend;		/* index in ctf_sweep_backends */
	u8 proto;
	u16 dport;
	u8 stamp;
	bool evicted;
} ctf_sweep_flows[] = {
	{ "current", 0, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, false },
	{ "bumped", 1, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, true },
	{ "bumped-restamped", 1, IPPROTO_UDP, 5060, CTF_STAMP_AFTER, false },
	{ "down", 2, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, true },
	{ "down-restamped", 2, IPPROTO_UDP, 5060, CTF_STAMP_AFTER, true },
	{ "deleted", 3, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, true },
	{ "draining", 4, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, false },
	{ "no-backend", CTF_SWEEP_NO_BACKEND, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE,
	  true },
	{ "v6-current", 5, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, false },
	{ "v6-bumped", 6, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, true },
	{ "unstamped", 1, IPPROTO_UDP, 5060, CTF_STAMP_NONE, false },
	{ "no-label-area", 3, IPPROTO_UDP, 5060, CTF_STAMP_NO_AREA, false },
	{ "tcp", 1, IPPROTO_TCP, 5060, CTF_STAMP_BEFORE, false },
	{ "not-a-sip-port", 1, IPPROTO_UDP, 5061, CTF_STAMP_BEFORE, false },
	{ "second-sip-port", 1, IPPROTO_UDP, 5080, CTF_STAMP_BEFORE, true },
};

static struct ctf_test_flow ctf_test_sweep_flow(unsigned int i)
{
	const struct ctf_sweep_flow *sf = &ctf_sweep_flows[i];
	struct ctf_test_flow f;

	f = ctf_test_flow_to(sf->backend == CTF_SWEEP_NO_BACKEND ? "192.0.2.99" :
			     ctf_sweep_backends[sf->backend].addr, 20000 + i);
	f.proto = sf->proto;
	f.dport = sf->dport;
	return f;
}

/* Entry @i of the sweep table; @b its backend (for CTF_STAMP_AFTER). */
static struct nf_conn *ctf_test_sweep_entry(struct kunit *test, unsigned int i,
					    const struct ctf_backend *b)
{
	const struct ctf_sweep_flow *sf = &ctf_sweep_flows[i];
	const struct ctf_test_flow f = ctf_test_sweep_flow(i);
	struct nf_conn *ct;

	ct = ctf_test_ct_add(test, &f, sf->stamp != CTF_STAMP_NO_AREA);
	if (sf->stamp == CTF_STAMP_BEFORE)
		ctf_test_ct_stamp(test, ct, CTF_SWEEP_EPOCH);
	else if (sf->stamp == CTF_STAMP_AFTER)
		ctf_test_ct_stamp(test, ct, READ_ONCE(b->epoch));
	return ct;
}

/* One sweep over every kind of entry: exactly the stale ones go. */
static void ctf_ct_test_sweep(struct kunit *test)
{
	static const u16 ports[] = { 5060, 5080 };
	struct ctf_backend *bs[ARRAY_SIZE(ctf_sweep_backends)];
	u64 want_evicted[ARRAY_SIZE(ctf_sweep_backends)] = {};
	struct nf_conn *cts[ARRAY_SIZE(ctf_sweep_flows)];
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_net *cn = ctx->cn;
	const struct ctf_sweep_flow *sf;
	struct ctf_sweep_result res, again;
	u64 evicted, sweeps, n = 0;
	struct ctf_test_flow f;
	struct nf_conn *found;
	unsigned int i;
	int ret;

	/* Arrange: entries made before the change, then after it. */
	mutex_lock(&cn->lock);
	ret = ctf_net_set_ports(cn, ports, ARRAY_SIZE(ports));
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = 0; i < ARRAY_SIZE(bs); i++)
		bs[i] = ctf_test_backend_add(test, cn, ctf_sweep_backends[i].addr,
					     CTF_SWEEP_EPOCH, CTF_STATE_ACTIVE,
					     NULL);
	for (i = 0; i < ARRAY_SIZE(cts); i++)
		if (ctf_sweep_flows[i].stamp != CTF_STAMP_AFTER)
			cts[i] = ctf_test_sweep_entry(test, i, NULL);
	for (i = 0; i < ARRAY_SIZE(bs); i++)
		bs[i] = ctf_test_change(cn, bs[i], ctf_sweep_backends[i].change);
	for (i = 0; i < ARRAY_SIZE(cts); i++)
		if (ctf_sweep_flows[i].stamp == CTF_STAMP_AFTER)
			cts[i] = ctf_test_sweep_entry(test, i,
						      bs[ctf_sweep_flows[i].backend]);
	evicted = atomic64_read(&cn->evicted);
	sweeps = atomic64_read(&cn->sweeps);

	/* Act */
	ctf_sweep_run(cn, &res);

	/* Assert */
	for (i = 0; i < ARRAY_SIZE(cts); i++) {
		sf = &ctf_sweep_flows[i];
		f = ctf_test_sweep_flow(i);
		found = ctf_test_ct_find(test, &f);
		if (sf->evicted) {
			KUNIT_EXPECT_NULL_MSG(test, found, "%s: still there", sf->desc);
			n++;
			if (sf->backend != CTF_SWEEP_NO_BACKEND)
				want_evicted[sf->backend]++;
		} else {
			KUNIT_EXPECT_PTR_EQ_MSG(test, found, cts[i], "%s: evicted",
						sf->desc);
		}
		KUNIT_EXPECT_EQ_MSG(test, nf_ct_is_dying(cts[i]), sf->evicted,
				    "%s: dying", sf->desc);
	}
	KUNIT_EXPECT_EQ(test, res.evicted, n);
	KUNIT_EXPECT_EQ(test, res.scanned, ARRAY_SIZE(cts));
	KUNIT_EXPECT_EQ(test, atomic64_read(&cn->evicted) - evicted, n);
	KUNIT_EXPECT_EQ(test, atomic64_read(&cn->sweeps) - sweeps, 1);
	for (i = 0; i < ARRAY_SIZE(bs); i++)
		if (bs[i])
			KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&bs[i]->evicted),
					    want_evicted[i], "backend %s",
					    ctf_sweep_backends[i].addr);

	/* Act, assert: a second sweep finds nothing left to do. */
	ctf_sweep_run(cn, &again);
	KUNIT_EXPECT_EQ(test, again.evicted, 0);
	KUNIT_EXPECT_EQ(test, again.scanned, ARRAY_SIZE(cts) - n);
}

static const struct ctf_sweep_many_case {
	const char *desc;
	unsigned int n;		/* stale entries, and as many fresh ones */
} ctf_sweep_many_cases[] = {
	{ "1", 1 }, { "32", 32 }, { "33", 33 }, { "500", 500 }, { "1000", 1000 },
};

static void ctf_sweep_many_desc(const struct ctf_sweep_many_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_sweep_many, ctf_sweep_many_cases, ctf_sweep_many_desc);

/* Source ports of the stale and of the fresh flows: distinct tuples. */
#define CTF_MANY_OLD_PORT	10000
#define CTF_MANY_CUR_PORT	20000

/* Many entries: every stale one goes, every fresh one stays. */
static void ctf_ct_test_sweep_many(struct kunit *test)
{
	const struct ctf_sweep_many_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	unsigned int i, survived = 0, lost = 0;
	struct ctf_backend *old, *cur;
	struct ctf_sweep_result res;
	struct ctf_test_flow f;
	struct nf_conn *ct;

	/* Arrange: entries ctx->cts[2i] to "old", [2i + 1] to "cur". */
	KUNIT_ASSERT_LE(test, 2 * c->n, CTF_TEST_MAX_CTS);
	old = ctf_test_backend_add(test, ctx->cn, "192.0.2.1", 1,
				   CTF_STATE_ACTIVE, NULL);
	cur = ctf_test_backend_add(test, ctx->cn, "192.0.2.2", 1,
				   CTF_STATE_ACTIVE, NULL);
	for (i = 0; i < c->n; i++) {
		f = ctf_test_flow_to("192.0.2.1", CTF_MANY_OLD_PORT + i);
		ct = ctf_test_ct_add(test, &f, true);
		ctf_test_ct_stamp(test, ct, 1);
		f = ctf_test_flow_to("192.0.2.2", CTF_MANY_CUR_PORT + i);
		ct = ctf_test_ct_add(test, &f, true);
		ctf_test_ct_stamp(test, ct, 1);
	}
	ctf_test_change(ctx->cn, old, CTF_CHANGE_BUMP);

	/* Act */
	ctf_sweep_run(ctx->cn, &res);

	/* Assert */
	KUNIT_EXPECT_EQ(test, res.evicted, c->n);
	KUNIT_EXPECT_EQ(test, res.scanned, 2 * c->n);
	KUNIT_EXPECT_EQ(test, atomic64_read(&old->evicted), c->n);
	KUNIT_EXPECT_EQ(test, atomic64_read(&cur->evicted), 0);
	for (i = 0; i < c->n; i++) {
		f = ctf_test_flow_to("192.0.2.1", CTF_MANY_OLD_PORT + i);
		survived += ctf_test_ct_find(test, &f) || !nf_ct_is_dying(ctx->cts[2 * i]);
		f = ctf_test_flow_to("192.0.2.2", CTF_MANY_CUR_PORT + i);
		lost += ctf_test_ct_find(test, &f) != ctx->cts[2 * i + 1] ||
			nf_ct_is_dying(ctx->cts[2 * i + 1]);
	}
	KUNIT_EXPECT_EQ_MSG(test, survived, 0, "stale entries left");
	KUNIT_EXPECT_EQ_MSG(test, lost, 0, "fresh entries evicted");
}

/*
 * Failover end to end through requests: two backends, entries stamped with
 * the epoch BACKEND_SET reported; then a change to one of them, and the
 * sweep by CTF_CMD_EVICT or in the background (delay 0). The background
 * sweep must run after exactly the changes that make entries stale.
 */
static const struct ctf_failover_case {
	const char *desc;
	u8 cmd;			/* what happens to backend A */
	u32 epoch;		/* BACKEND_SET: CTF_BA_EPOCH, 0: none */
	s8 state;		/* BACKEND_SET: CTF_BA_STATE, CTF_NONE: none */
	bool background;	/* swept in the background, not by EVICT */
	bool stale;		/* A's entries went stale */
} ctf_failover_cases[] = {
	{ "bump-evict", CTF_CMD_BACKEND_BUMP, 0, CTF_NONE, false, true },
	{ "del-evict", CTF_CMD_BACKEND_DEL, 0, CTF_NONE, false, true },
	{ "down-evict", CTF_CMD_BACKEND_SET, 0, CTF_STATE_DOWN, false, true },
	{ "new-epoch-evict", CTF_CMD_BACKEND_SET, 7, CTF_NONE, false, true },
	{ "same-epoch-evict", CTF_CMD_BACKEND_SET, 1, CTF_NONE, false, false },
	{ "draining-evict", CTF_CMD_BACKEND_SET, 0, CTF_STATE_DRAINING, false,
	  false },
	{ "bump-background", CTF_CMD_BACKEND_BUMP, 0, CTF_NONE, true, true },
	{ "del-background", CTF_CMD_BACKEND_DEL, 0, CTF_NONE, true, true },
	{ "down-background", CTF_CMD_BACKEND_SET, 0, CTF_STATE_DOWN, true, true },
	{ "new-epoch-background", CTF_CMD_BACKEND_SET, 7, CTF_NONE, true, true },
	{ "draining-background", CTF_CMD_BACKEND_SET, 0, CTF_STATE_DRAINING, true,
	  false },
};

static void ctf_failover_desc(const struct ctf_failover_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_failover, ctf_failover_cases, ctf_failover_desc);

#define CTF_FO_A	"192.0.2.1"	/* the backend that changes */
#define CTF_FO_B	"2001:db8::1"	/* one that does not */
#define CTF_FO_PER_A	3		/* entries to each */
#define CTF_FO_PER_B	2

/* Entries to @addr stamped with @epoch, into @cts. */
static void ctf_test_fo_entries(struct kunit *test, const char *addr, u32 epoch,
				struct nf_conn **cts, unsigned int n)
{
	struct ctf_test_flow f;
	unsigned int i;

	for (i = 0; i < n; i++) {
		f = ctf_test_flow_to(addr, 30000 + i);
		cts[i] = ctf_test_ct_add(test, &f, true);
		ctf_test_ct_stamp(test, cts[i], epoch);
	}
}

static void ctf_ct_test_failover(struct kunit *test)
{
	const struct ctf_failover_case *c = test->param_value;
	const struct ctf_test_be a = { CTF_FO_A, "a", 0, CTF_NONE };
	const struct ctf_test_be b = { CTF_FO_B, "b", 0, CTF_NONE };
	const struct ctf_test_be change = { CTF_FO_A, NULL, c->epoch, c->state };
	unsigned int i, n = c->stale ? CTF_FO_PER_A : 0;
	struct ctf_test_ctx *ctx = test->priv;
	struct nf_conn *ea[CTF_FO_PER_A], *eb[CTF_FO_PER_B];
	struct ctf_test_be_reply ra, rb;
	struct ctf_test_stats was, is;
	struct ctf_sweep_result res;
	struct ctf_test_flow f;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);
	nlh = ctf_test_config_set(test, CTF_NONE,
				  c->background ? 0 : CTF_MAX_SWEEP_DELAY_MS);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &a, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &ra);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &b, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &rb);
	ctf_test_fo_entries(test, CTF_FO_A, ra.epoch, ea, CTF_FO_PER_A);
	ctf_test_fo_entries(test, CTF_FO_B, rb.epoch, eb, CTF_FO_PER_B);
	ctf_test_stats_get(test, &was);

	/* Act */
	if (c->cmd == CTF_CMD_BACKEND_SET)
		nlh = ctf_test_backend_req(test, c->cmd, &change, NULL);
	else
		nlh = ctf_test_backend_key_req(test, c->cmd, CTF_FO_A, NULL);
	if (c->cmd == CTF_CMD_BACKEND_DEL)
		ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	else
		ctf_test_expect_reply(test, nlh, c->cmd);
	if (c->background)
		flush_delayed_work(&ctx->cn->sweep_work);
	else
		ctf_test_evict(test, &res);

	/* Assert */
	if (!c->background) {
		KUNIT_EXPECT_EQ(test, res.evicted, n);
		KUNIT_EXPECT_EQ(test, res.scanned, CTF_FO_PER_A + CTF_FO_PER_B);
	}
	for (i = 0; i < CTF_FO_PER_A; i++) {
		f = ctf_test_flow_to(CTF_FO_A, 30000 + i);
		KUNIT_EXPECT_PTR_EQ(test, ctf_test_ct_find(test, &f),
				    c->stale ? NULL : ea[i]);
	}
	for (i = 0; i < CTF_FO_PER_B; i++) {
		f = ctf_test_flow_to(CTF_FO_B, 30000 + i);
		KUNIT_EXPECT_PTR_EQ(test, ctf_test_ct_find(test, &f), eb[i]);
	}
	ctf_test_stats_get(test, &is);
	KUNIT_EXPECT_EQ(test, is.evicted - was.evicted, n);
	KUNIT_EXPECT_EQ(test, is.sweeps - was.sweeps,
			c->background && !c->stale ? 0 : 1);
	KUNIT_EXPECT_EQ(test, is.backends, c->cmd == CTF_CMD_BACKEND_DEL ? 1 : 2);
	if (c->cmd != CTF_CMD_BACKEND_DEL) {
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, CTF_FO_A,
					       NULL);
		ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &ra);
		KUNIT_EXPECT_EQ(test, ra.evicted, n);
	}
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, CTF_FO_B, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &rb);
	KUNIT_EXPECT_EQ(test, rb.evicted, 0);
}

static struct kunit_case ctf_conntrack_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_ct_test_stamp, ctf_ct_stamp_gen_params),
	KUNIT_CASE_PARAM(ctf_ct_test_is_stale, ctf_ct_stale_gen_params),
	KUNIT_CASE(ctf_ct_test_sweep),
	KUNIT_CASE_PARAM(ctf_ct_test_sweep_many, ctf_sweep_many_gen_params),
	KUNIT_CASE_PARAM(ctf_ct_test_failover, ctf_failover_gen_params),
	{}
};

static struct kunit_suite ctf_conntrack_test_suite = {
	.name = "ctfailover_conntrack",
	.init = ctf_test_init_ct,
	.exit = ctf_test_exit,
	.test_cases = ctf_conntrack_test_cases,
};

kunit_test_suite(ctf_conntrack_test_suite);
