// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_conntrack: real entries in init_net's conntrack table,
 * made the way ctnetlink_create_conntrack() makes them, with the reply
 * source set to a backend, as DNAT would have set it.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
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

/* CTF_CMD_EVICT (@all: with CTF_A_EVICT_ALL) and what it reported. */
static void ctf_test_evict_req(struct kunit *test, bool all,
			       struct ctf_sweep_result *res)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *tb[CTF_A_MAX + 1], *ev[CTF_EV_MAX + 1];
	struct nlmsghdr *nlh;
	int ret;

	nlh = ctf_test_req(test, ctx->family, CTF_CMD_EVICT, 0, 0);
	if (all)
		KUNIT_ASSERT_EQ(test, nla_put_flag(ctx->skb, CTF_A_EVICT_ALL), 0);
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

static void ctf_test_evict(struct kunit *test, struct ctf_sweep_result *res)
{
	ctf_test_evict_req(test, false, res);
}

/* A provider's flow to a VIP, DNATed to a backend. */
struct ctf_test_flow {
	const char *client;	/* original source */
	u16 sport;
	const char *vip;	/* original destination */
	u16 dport;
	const char *backend;	/* reply source: the NAT target */
	u8 proto;
	bool direct;		/* to the backend itself: nothing NATed it */
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
/* A new entry for @f, not yet in the table (unconfirmed). */
static struct nf_conn *ctf_test_ct_new(struct kunit *test,
				       const struct ctf_test_flow *f,
				       bool labels)
{
	struct nf_conntrack_tuple orig, reply;
	struct nf_conn *ct;

	ctf_test_tuples(test, f, &orig, &reply);
	ct = nf_conntrack_alloc(&init_net, &nf_ct_zone_dflt, &orig, &reply,
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ct);
	/* Extensions go on before the entry is confirmed. */
	if (labels && !nf_ct_labels_ext_add(ct)) {
		nf_conntrack_free(ct);
		KUNIT_ASSERT_EQ_MSG(test, -ENOMEM, 0,
				    "no label area for %s:%u -> %s", f->client,
				    f->sport, f->backend);
	}
	if (!f->direct)
		ct->status |= IPS_DST_NAT | IPS_DST_NAT_DONE;
	__nf_ct_set_timeout(ct, CTF_TEST_CT_TIMEOUT);
	return ct;
}

/* Confirm @ct (from ctf_test_ct_new()): into the table, the case's to free. */
static void ctf_test_ct_insert(struct kunit *test, struct nf_conn *ct)
{
	struct ctf_test_ctx *ctx = test->priv;
	int ret;

	KUNIT_ASSERT_LT(test, ctx->ncts, CTF_TEST_MAX_CTS);
	ct->status |= IPS_CONFIRMED;
	ret = nf_conntrack_hash_check_insert(ct);
	if (ret) {
		nf_conntrack_free(ct);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "entry not inserted");
	}
	ctx->cts[ctx->ncts++] = ct;
}

static struct nf_conn *ctf_test_ct_add(struct kunit *test,
				       const struct ctf_test_flow *f,
				       bool labels)
{
	struct nf_conn *ct = ctf_test_ct_new(test, f, labels);

	ctf_test_ct_insert(test, ct);
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

/* Write the stamp word @word into @ct's labels, in the namespace's word. */
static void ctf_test_ct_stamp_word(struct kunit *test, struct nf_conn *ct,
				   u32 word)
{
	struct ctf_test_ctx *ctx = test->priv;
	int ret;

	ret = ctf_ct_stamp_set(ct, READ_ONCE(ctx->cn->label_word), word);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* Stamp @ct with @epoch as the stamp hook does. */
static void ctf_test_ct_stamp(struct kunit *test, struct nf_conn *ct, u32 epoch)
{
	ctf_test_ct_stamp_word(test, ct, ctf_stamp_encode(epoch));
}

enum ctf_test_change {
	CTF_CHANGE_NONE,
	CTF_CHANGE_BUMP,	/* the next epoch, as BACKEND_BUMP */
	CTF_CHANGE_DOWN,	/* the next epoch and down, as BACKEND_SET */
	CTF_CHANGE_DRAINING,
	CTF_CHANGE_DEL,		/* removed: gone, at the next epoch */
};

/* Apply @change to @b as the handlers do. */
static void ctf_test_change(struct kunit *test, struct ctf_net *cn,
			    struct ctf_backend *b, u8 change)
{
	int ret = 0;

	mutex_lock(&cn->lock);
	switch (change) {
	case CTF_CHANGE_BUMP:
		ctf_backend_set_epoch(cn, b, ctf_epoch_alloc(cn));
		break;
	case CTF_CHANGE_DOWN:
		ctf_backend_set_epoch(cn, b, ctf_epoch_alloc(cn));
		WRITE_ONCE(b->state, CTF_STATE_DOWN);
		break;
	case CTF_CHANGE_DRAINING:
		WRITE_ONCE(b->state, CTF_STATE_DRAINING);
		break;
	case CTF_CHANGE_DEL:
		ret = ctf_backend_remove(cn, b);
		break;
	}
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
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

/* A whole word goes where the uapi says, and nowhere else. */
static void ctf_ct_test_stamp(struct kunit *test)
{
	const struct ctf_ct_stamp_case *c = test->param_value;
	const struct ctf_test_flow f = ctf_test_flow_to("192.0.2.1", 40000);
	const u32 stamp = ctf_stamp_encode(0x123456);
	const u32 other_stamp = 0x00c0ffee;
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

enum ctf_test_stamp {
	CTF_STAMP_BEFORE,	/* made before the change, stamped then */
	CTF_STAMP_AFTER,	/* made after the change, stamped then */
	CTF_STAMP_NONE,		/* a label area, no stamp */
	CTF_STAMP_NO_AREA,	/* no label area at all */
};

/* Bits that ctfailover never writes alone: "ct label set" and the like. */
#define CTF_TEST_FOREIGN_BIT	BIT(31)

/*
 * The verdict on one entry to a backend at @epoch, after @change. Entries
 * to 192.0.2.99 are to no backend.
 */
static const struct ctf_ct_judge_case {
	const char *desc;
	const char *backend;
	u32 epoch;		/* the backend's at first (0: the next) */
	u8 stamp;		/* enum ctf_test_stamp */
	s8 skew;		/* CTF_STAMP_BEFORE: stamped epoch + skew */
	u32 bits;		/* XORed into the stamp word: not ours */
	u8 change;
	bool elsewhere;		/* the entry goes to 192.0.2.99, no backend */
	enum ctf_verdict want;
	bool direct;		/* addressed to the backend, not NATed */
} ctf_ct_judge_cases[] = {
	{ "current", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0, CTF_CHANGE_NONE,
	  false, CTF_VERDICT_CURRENT },
	{ "bumped", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0, CTF_CHANGE_BUMP,
	  false, CTF_VERDICT_STALE },
	{ "bumped-at-max", "192.0.2.1", CTF_EPOCH_MAX, CTF_STAMP_BEFORE, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_STALE },
	{ "bumped-restamped", "192.0.2.1", 41, CTF_STAMP_AFTER, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_CURRENT },
	{ "down", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0, CTF_CHANGE_DOWN,
	  false, CTF_VERDICT_STALE },
	/* Made while down (nft still sends it some): kept, no churn. */
	{ "down-restamped", "192.0.2.1", 41, CTF_STAMP_AFTER, 0, 0,
	  CTF_CHANGE_DOWN, false, CTF_VERDICT_CURRENT },
	{ "draining", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0,
	  CTF_CHANGE_DRAINING, false, CTF_VERDICT_CURRENT },
	/* Removed: still judged, until a sweep forgets it. */
	{ "deleted", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0, CTF_CHANGE_DEL,
	  false, CTF_VERDICT_STALE },
	{ "deleted-restamped", "192.0.2.1", 41, CTF_STAMP_AFTER, 0, 0,
	  CTF_CHANGE_DEL, false, CTF_VERDICT_CURRENT },
	{ "older-stamp", "192.0.2.1", 41, CTF_STAMP_BEFORE, -1, 0,
	  CTF_CHANGE_NONE, false, CTF_VERDICT_STALE },
	{ "newer-stamp", "192.0.2.1", 41, CTF_STAMP_BEFORE, 1, 0,
	  CTF_CHANGE_NONE, false, CTF_VERDICT_STALE },
	/* Unstamped, or no label area: judged by the first epoch. */
	{ "unstamped", "192.0.2.1", 0, CTF_STAMP_NONE, 0, 0, CTF_CHANGE_NONE,
	  false, CTF_VERDICT_CURRENT },
	{ "unstamped-bumped", "192.0.2.1", 0, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_STALE },
	{ "unstamped-down", "192.0.2.1", 41, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_DOWN, false, CTF_VERDICT_STALE },
	{ "unstamped-draining", "192.0.2.1", 41, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_DRAINING, false, CTF_VERDICT_CURRENT },
	{ "unstamped-deleted", "192.0.2.1", 41, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_DEL, false, CTF_VERDICT_STALE },
	{ "no-label-area", "192.0.2.1", 41, CTF_STAMP_NO_AREA, 0, 0,
	  CTF_CHANGE_NONE, false, CTF_VERDICT_CURRENT },
	{ "no-label-area-bumped", "192.0.2.1", 41, CTF_STAMP_NO_AREA, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_STALE },
	{ "no-label-area-deleted", "192.0.2.1", 41, CTF_STAMP_NO_AREA, 0, 0,
	  CTF_CHANGE_DEL, false, CTF_VERDICT_STALE },
	/* Bits not ours: never stale, whatever happens to the backend. */
	{ "foreign", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, CTF_TEST_FOREIGN_BIT,
	  CTF_CHANGE_NONE, false, CTF_VERDICT_FOREIGN },
	{ "foreign-bumped", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0,
	  CTF_TEST_FOREIGN_BIT, CTF_CHANGE_BUMP, false, CTF_VERDICT_FOREIGN },
	{ "foreign-deleted", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, BIT(3),
	  CTF_CHANGE_DEL, false, CTF_VERDICT_FOREIGN },
	{ "label-bit-only", "192.0.2.1", 41, CTF_STAMP_NONE, 0,
	  CTF_TEST_FOREIGN_BIT, CTF_CHANGE_BUMP, false, CTF_VERDICT_FOREIGN },
	{ "bare-epoch", "192.0.2.1", 41, CTF_STAMP_NONE, 0, 41, CTF_CHANGE_NONE,
	  false, CTF_VERDICT_FOREIGN },
	{ "no-backend", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0,
	  CTF_CHANGE_NONE, true, CTF_VERDICT_NOT_OURS },
	{ "no-backend-unstamped", "192.0.2.1", 41, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_BUMP, true, CTF_VERDICT_NOT_OURS },
	{ "v6-current", "2001:db8::1", 7, CTF_STAMP_BEFORE, 0, 0,
	  CTF_CHANGE_NONE, false, CTF_VERDICT_CURRENT },
	{ "v6-bumped", "2001:db8::1", 7, CTF_STAMP_BEFORE, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_STALE },
	{ "v6-down", "2001:db8::1", 7, CTF_STAMP_BEFORE, 0, 0, CTF_CHANGE_DOWN,
	  false, CTF_VERDICT_STALE },
	{ "v6-deleted", "2001:db8::1", 7, CTF_STAMP_BEFORE, 0, 0, CTF_CHANGE_DEL,
	  false, CTF_VERDICT_STALE },
	{ "v6-unstamped-bumped", "2001:db8::1", 7, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_STALE },
	/* To a backend's own address, not NATed: never ours, never churned. */
	{ "direct-unstamped-bumped", "192.0.2.1", 41, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_NOT_OURS, true },
	{ "direct-stamped-bumped", "192.0.2.1", 41, CTF_STAMP_BEFORE, 0, 0,
	  CTF_CHANGE_BUMP, false, CTF_VERDICT_NOT_OURS, true },
	{ "v6-direct-deleted", "2001:db8::1", 7, CTF_STAMP_NONE, 0, 0,
	  CTF_CHANGE_DEL, false, CTF_VERDICT_NOT_OURS, true },
};

static void ctf_ct_judge_desc(const struct ctf_ct_judge_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_ct_judge, ctf_ct_judge_cases, ctf_ct_judge_desc);

static void ctf_ct_test_judge(struct kunit *test)
{
	const struct ctf_ct_judge_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_backend *b, *bp = ERR_PTR(-EINVAL);
	enum ctf_verdict verdict;
	struct ctf_test_flow f;
	u32 first, word = 0, epoch = U32_MAX - 1;
	struct nf_conn *ct;

	/* Arrange */
	f = ctf_test_flow_to(c->elsewhere ? "192.0.2.99" : c->backend, 40000);
	if (c->direct) {
		f.vip = c->backend;
		f.direct = true;
	}
	b = ctf_test_backend_add(test, ctx->cn, c->backend, c->epoch,
				 CTF_STATE_ACTIVE, NULL);
	first = b->epoch;
	ct = ctf_test_ct_add(test, &f, c->stamp != CTF_STAMP_NO_AREA);
	if (c->stamp == CTF_STAMP_BEFORE)
		word = ctf_stamp_encode(first + c->skew);
	if (c->stamp != CTF_STAMP_NO_AREA)
		word ^= c->bits;
	if (word && c->stamp != CTF_STAMP_AFTER)
		ctf_test_ct_stamp_word(test, ct, word);
	ctf_test_change(test, ctx->cn, b, c->change);
	if (c->stamp == CTF_STAMP_AFTER) {
		word = ctf_stamp_encode(READ_ONCE(b->epoch)) ^ c->bits;
		ctf_test_ct_stamp_word(test, ct, word);
	}

	/* Act */
	rcu_read_lock();
	verdict = ctf_ct_judge(ctx->cn, ct, &bp, &epoch);
	rcu_read_unlock();

	/* Assert: the verdict, the backend, the stamp's epoch as read. */
	KUNIT_EXPECT_EQ(test, verdict, c->want);
	KUNIT_EXPECT_PTR_EQ(test, bp, c->elsewhere || c->direct ? NULL : b);
	KUNIT_EXPECT_EQ(test, epoch, ctf_stamp_decode(word));
	/* Every change but draining gave the next epoch of the namespace. */
	if (c->change == CTF_CHANGE_NONE || c->change == CTF_CHANGE_DRAINING) {
		KUNIT_EXPECT_EQ(test, b->epoch, first);
	} else {
		KUNIT_EXPECT_EQ(test, b->epoch, ctf_epoch_next(first));
		KUNIT_EXPECT_EQ(test, b->epoch, ctx->cn->last_epoch);
	}
	KUNIT_EXPECT_EQ(test, b->unstamped_epoch, first);
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
#define CTF_SWEEP_DELETED	3		/* the one removed */

static const struct ctf_sweep_flow {
	const char *desc;
	int backend;		/* index in ctf_sweep_backends */
	u8 proto;
	u16 dport;
	u8 stamp;
	u32 bits;		/* XORed into the stamp word: not ours */
	bool evicted;
} ctf_sweep_flows[] = {
	{ "current", 0, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, false },
	{ "bumped", 1, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, true },
	{ "bumped-restamped", 1, IPPROTO_UDP, 5060, CTF_STAMP_AFTER, 0, false },
	{ "down", 2, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, true },
	{ "down-restamped", 2, IPPROTO_UDP, 5060, CTF_STAMP_AFTER, 0, false },
	{ "deleted", 3, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, true },
	{ "deleted-restamped", 3, IPPROTO_UDP, 5060, CTF_STAMP_AFTER, 0, false },
	{ "deleted-unstamped", 3, IPPROTO_UDP, 5060, CTF_STAMP_NONE, 0, true },
	{ "draining", 4, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, false },
	{ "no-backend", CTF_SWEEP_NO_BACKEND, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE,
	  0, false },
	{ "v6-current", 5, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, false },
	{ "v6-bumped", 6, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE, 0, true },
	{ "unstamped", 0, IPPROTO_UDP, 5060, CTF_STAMP_NONE, 0, false },
	{ "unstamped-bumped", 1, IPPROTO_UDP, 5060, CTF_STAMP_NONE, 0, true },
	{ "no-label-area", 0, IPPROTO_UDP, 5060, CTF_STAMP_NO_AREA, 0, false },
	{ "no-label-area-deleted", 3, IPPROTO_UDP, 5060, CTF_STAMP_NO_AREA, 0,
	  true },
	{ "foreign-bumped", 1, IPPROTO_UDP, 5060, CTF_STAMP_BEFORE,
	  CTF_TEST_FOREIGN_BIT, false },
	{ "tcp", 1, IPPROTO_TCP, 5060, CTF_STAMP_BEFORE, 0, false },
	{ "not-a-sip-port", 1, IPPROTO_UDP, 5061, CTF_STAMP_BEFORE, 0, false },
	{ "second-sip-port", 1, IPPROTO_UDP, 5080, CTF_STAMP_BEFORE, 0, true },
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
		ctf_test_ct_stamp_word(test, ct, ctf_stamp_encode(CTF_SWEEP_EPOCH) ^
				       sf->bits);
	else if (sf->stamp == CTF_STAMP_AFTER)
		ctf_test_ct_stamp_word(test, ct, ctf_stamp_encode(READ_ONCE(b->epoch)) ^
				       sf->bits);
	return ct;
}

/*
 * One sweep over every kind of entry: exactly the stale ones go, and the
 * removed backend is forgotten after it.
 */
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
		ctf_test_change(test, cn, bs[i], ctf_sweep_backends[i].change);
	for (i = 0; i < ARRAY_SIZE(cts); i++)
		if (ctf_sweep_flows[i].stamp == CTF_STAMP_AFTER)
			cts[i] = ctf_test_sweep_entry(test, i,
						      bs[ctf_sweep_flows[i].backend]);
	KUNIT_ASSERT_EQ(test, cn->ngone, 1);
	evicted = atomic64_read(&cn->evicted);
	sweeps = atomic64_read(&cn->sweeps);

	/* Act */
	ctf_sweep_run(cn, &res);

	/* Assert: the removed backend is forgotten (and freed: not read). */
	KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, cn,
						      ctf_sweep_backends[CTF_SWEEP_DELETED].addr));
	KUNIT_EXPECT_EQ(test, cn->ngone, 0);
	KUNIT_EXPECT_EQ(test, cn->nbackends, ARRAY_SIZE(bs) - 1);
	bs[CTF_SWEEP_DELETED] = NULL;
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

	/*
	 * Act, assert: a second sweep finds nothing left to do; the entry
	 * stamped for the removed backend is no longer ours.
	 */
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
	ctf_test_change(test, ctx->cn, old, CTF_CHANGE_BUMP);

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
 * The confirm hook on @ct, an entry whose first packet is about to leave
 * (IPv4, POSTROUTING), as the netfilter core calls it.
 */
static void ctf_test_confirm_hook(struct kunit *test, struct nf_conn *ct)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct nf_hook_ops *op = NULL;
	struct nf_hook_state state = {};
	struct ctf_tables *t;
	struct sk_buff *skb;
	unsigned int i;

	skb = alloc_skb(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	nf_ct_set(skb, ct, IP_CT_NEW);
	rcu_read_lock();
	t = ctf_tab(ctx->cn);
	for (i = 0; t && i < ARRAY_SIZE(t->hook_ops); i++)
		if (t->hook_ops[i].pf == NFPROTO_IPV4 &&
		    t->hook_ops[i].hooknum == NF_INET_POST_ROUTING &&
		    t->hook_ops[i].priority == NF_IP_PRI_CONNTRACK_CONFIRM - 1)
			op = &t->hook_ops[i];
	if (op)
		KUNIT_EXPECT_EQ(test, op->hook(op->priv, skb, &state), NF_ACCEPT);
	rcu_read_unlock();
	/* The entry is not the packet's to release. */
	nf_ct_set(skb, NULL, 0);
	kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL_MSG(test, op, "no confirm hook");
}

#define CTF_JUDGED_N		8
#define CTF_JUDGED_A		"192.0.2.21"
#define CTF_JUDGED_B		"192.0.2.22"

/*
 * A sweep judges (reads the stamp of) only the entries of backends changed
 * since the last complete sweep began (ctf_backend_changed()); an entry
 * confirmed stale (its packet held across a change and the sweep after
 * it) marks its backend, so the next sweep judges and deletes it.
 */
static void ctf_ct_test_sweep_judged(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_net *cn = ctx->cn;
	struct ctf_sweep_result res;
	struct ctf_backend *a, *b;
	struct ctf_test_flow f;
	struct nf_conn *late;
	u64 late_before;
	unsigned int i;
	u32 old;

	/* Arrange: two backends, current entries; a sweep clears the marks. */
	a = ctf_test_backend_add(test, cn, CTF_JUDGED_A, 0, CTF_STATE_ACTIVE, NULL);
	b = ctf_test_backend_add(test, cn, CTF_JUDGED_B, 0, CTF_STATE_ACTIVE, NULL);
	for (i = 0; i < CTF_JUDGED_N; i++) {
		f = ctf_test_flow_to(CTF_JUDGED_A, CTF_MANY_OLD_PORT + i);
		ctf_test_ct_stamp(test, ctf_test_ct_add(test, &f, true), a->epoch);
		f = ctf_test_flow_to(CTF_JUDGED_B, CTF_MANY_CUR_PORT + i);
		ctf_test_ct_stamp(test, ctf_test_ct_add(test, &f, true), b->epoch);
	}
	ctf_sweep_run(cn, &res);
	KUNIT_ASSERT_TRUE(test, res.complete);
	KUNIT_EXPECT_EQ(test, res.judged, 2 * CTF_JUDGED_N);	/* both new */
	KUNIT_EXPECT_EQ(test, res.evicted, 0);
	KUNIT_EXPECT_FALSE(test, ctf_may_be_stale(cn));

	/* Act, assert: nothing changed, nothing judged. */
	ctf_sweep_run(cn, &res);
	KUNIT_EXPECT_EQ(test, res.scanned, 2 * CTF_JUDGED_N);
	KUNIT_EXPECT_EQ(test, res.judged, 0);

	/* Act, assert: a bump of A; B's entries are not judged. */
	old = a->epoch;
	ctf_test_change(test, cn, a, CTF_CHANGE_BUMP);
	ctf_sweep_run(cn, &res);
	KUNIT_EXPECT_EQ(test, res.scanned, 2 * CTF_JUDGED_N);
	KUNIT_EXPECT_EQ(test, res.judged, CTF_JUDGED_N);
	KUNIT_EXPECT_EQ(test, res.evicted, CTF_JUDGED_N);
	KUNIT_EXPECT_EQ(test, atomic64_read(&b->evicted), 0);
	KUNIT_EXPECT_FALSE(test, ctf_may_be_stale(cn));

	/*
	 * Act: an entry to A stamped before the bump, confirmed only now
	 * (its packet waited in a queue across the bump and the sweep).
	 */
	mutex_lock(&cn->lock);
	late_before = ctf_stat_read(cn, CTF_STAT_LATE);
	mutex_unlock(&cn->lock);
	f = ctf_test_flow_to(CTF_JUDGED_A, CTF_MANY_OLD_PORT + CTF_JUDGED_N);
	late = ctf_test_ct_new(test, &f, true);
	ctf_test_ct_stamp(test, late, old);
	ctf_test_confirm_hook(test, late);
	ctf_test_ct_insert(test, late);

	/* Assert: counted, marked; the next sweep judges A's entry only. */
	mutex_lock(&cn->lock);
	KUNIT_EXPECT_EQ(test, ctf_stat_read(cn, CTF_STAT_LATE) - late_before, 1);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_TRUE(test, ctf_may_be_stale(cn));
	ctf_sweep_run(cn, &res);
	KUNIT_EXPECT_EQ(test, res.scanned, CTF_JUDGED_N + 1);
	KUNIT_EXPECT_EQ(test, res.judged, 1);
	KUNIT_EXPECT_EQ(test, res.evicted, 1);
	KUNIT_EXPECT_TRUE(test, nf_ct_is_dying(late));
	KUNIT_EXPECT_NULL(test, ctf_test_ct_find(test, &f));
	KUNIT_EXPECT_FALSE(test, ctf_may_be_stale(cn));
}

static const struct ctf_sweep_bumped_case {
	const char *desc;
	unsigned int n;		/* backends bumped, besides one left alone */
} ctf_sweep_bumped_cases[] = {
	/* The walk compares addresses up to SWEEP_CHANGED_MAX, 8. */
	{ "1", 1 }, { "8", 8 }, { "9", 9 }, { "40", 40 },
};

static void ctf_sweep_bumped_desc(const struct ctf_sweep_bumped_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_sweep_bumped, ctf_sweep_bumped_cases,
		  ctf_sweep_bumped_desc);

#define CTF_BUMPED_PER		3	/* entries per backend */

/*
 * N backends bumped at once: a sweep deletes every one of their entries
 * and judges no entry of the backend left alone, whether it compares the
 * changed backends' addresses first (few) or looks every entry's backend
 * up (many).
 */
static void ctf_ct_test_sweep_bumped(struct kunit *test)
{
	const struct ctf_sweep_bumped_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_backend *bs[41], *alone;
	struct ctf_net *cn = ctx->cn;
	struct ctf_sweep_result res;
	struct ctf_test_flow f;
	char addr[24];
	unsigned int i, j;

	/* Arrange: n + 1 backends, their entries current, no mark left. */
	KUNIT_ASSERT_LT(test, c->n, ARRAY_SIZE(bs));
	for (i = 0; i <= c->n; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%u", 100 + i);
		bs[i] = ctf_test_backend_add(test, cn, addr, 0, CTF_STATE_ACTIVE,
					     NULL);
		for (j = 0; j < CTF_BUMPED_PER; j++) {
			f = ctf_test_flow_to(addr, CTF_MANY_OLD_PORT + i * 10 + j);
			ctf_test_ct_stamp(test, ctf_test_ct_add(test, &f, true),
					  bs[i]->epoch);
		}
	}
	alone = bs[c->n];
	ctf_sweep_run(cn, &res);
	KUNIT_ASSERT_EQ(test, res.evicted, 0);

	/* Act */
	for (i = 0; i < c->n; i++)
		ctf_test_change(test, cn, bs[i], CTF_CHANGE_BUMP);
	ctf_sweep_run(cn, &res);

	/* Assert */
	KUNIT_EXPECT_TRUE(test, res.complete);
	KUNIT_EXPECT_EQ(test, res.scanned, (c->n + 1) * CTF_BUMPED_PER);
	KUNIT_EXPECT_EQ(test, res.judged, c->n * CTF_BUMPED_PER);
	KUNIT_EXPECT_EQ(test, res.evicted, c->n * CTF_BUMPED_PER);
	for (i = 0; i < c->n; i++)
		KUNIT_EXPECT_EQ(test, atomic64_read(&bs[i]->evicted), CTF_BUMPED_PER);
	KUNIT_EXPECT_EQ(test, atomic64_read(&alone->evicted), 0);
	KUNIT_EXPECT_FALSE(test, ctf_may_be_stale(cn));
}

/*
 * The highest stamp in the table, that the epoch counter starts above when
 * a namespace is enabled: the module loaded again finds the stamps of its
 * last load. Only UDP entries of the namespace's label word, any port;
 * foreign words are no stamps.
 */
#define CTF_TEST_LAST_ENTRIES	4

/* An entry and its stamp word; none of both ends the list. */
struct ctf_last_entry {
	u32 epoch;		/* stamped ... */
	u32 bits;		/* ... and these bits XORed into the word */
	u8 word;		/* the label word: CTF_DEFAULT_LABEL_WORD is read */
	u8 proto;
	u16 dport;
};

#define CTF_LE(e)		{ e, 0, CTF_DEFAULT_LABEL_WORD, IPPROTO_UDP, 5060 }
#define CTF_LE_BITS(e, b)	{ e, b, CTF_DEFAULT_LABEL_WORD, IPPROTO_UDP, 5060 }
#define CTF_LE_WORD(e, w)	{ e, 0, w, IPPROTO_UDP, 5060 }
#define CTF_LE_PROTO(e, p)	{ e, 0, CTF_DEFAULT_LABEL_WORD, p, 5060 }
#define CTF_LE_PORT(e, d)	{ e, 0, CTF_DEFAULT_LABEL_WORD, IPPROTO_UDP, d }

static const struct ctf_last_case {
	const char *desc;
	struct ctf_last_entry entries[CTF_TEST_LAST_ENTRIES];
	bool unstamped;		/* and an entry without a stamp */
	u32 want;
} ctf_last_cases[] = {
	{ "empty", {}, false, 0 },
	{ "unstamped-only", {}, true, 0 },
	{ "one", { CTF_LE(5) }, false, 5 },
	{ "highest-of-three", { CTF_LE(7), CTF_LE(0x123456), CTF_LE(300) }, true,
	  0x123456 },
	{ "max", { CTF_LE(2), CTF_LE(CTF_EPOCH_MAX) }, false, CTF_EPOCH_MAX },
	{ "foreign-ignored", { CTF_LE(9), CTF_LE_BITS(0x7fffff, BIT(24)) }, false,
	  9 },
	{ "bare-epoch-ignored", { CTF_LE(9), CTF_LE_BITS(0, 0x7fffff) }, false, 9 },
	{ "other-word-ignored", { CTF_LE(9), CTF_LE_WORD(500, 1) }, false, 9 },
	{ "tcp-ignored", { CTF_LE(9), CTF_LE_PROTO(500, IPPROTO_TCP) }, false, 9 },
	{ "any-port", { CTF_LE(9), CTF_LE_PORT(500, 5061) }, false, 500 },
};

static void ctf_last_desc(const struct ctf_last_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_last, ctf_last_cases, ctf_last_desc);

/*
 * Disable the namespace as unloading would (hooks and labels released),
 * forget the counter, then enable it as the first BACKEND_SET of a fresh
 * load does. Entries and their labels stay.
 */
static int ctf_test_reenable(struct ctf_net *cn)
{
	int ret;

	mutex_lock(&cn->lock);
	if (cn->enabled) {
		nf_unregister_net_hooks(cn->net, ctf_tab(cn)->hook_ops,
					ARRAY_SIZE(ctf_tab(cn)->hook_ops));
		nf_connlabels_put(cn->net);
		cn->enabled = false;
	}
	cn->last_epoch = 0;
	ret = ctf_net_enable(cn);
	mutex_unlock(&cn->lock);
	return ret;
}

static void ctf_ct_test_last_stamp(struct kunit *test)
{
	const struct ctf_last_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	const struct ctf_last_entry *e;
	struct ctf_backend *b;
	struct ctf_test_flow f;
	struct nf_conn *ct;
	unsigned int i;
	u32 last;
	int ret;

	/* Arrange: one entry each, from distinct source ports. */
	for (i = 0; i < CTF_TEST_LAST_ENTRIES; i++) {
		e = &c->entries[i];
		if (!e->epoch && !e->bits)
			break;
		f = ctf_test_flow_to("192.0.2.1", 41000 + i);
		f.proto = e->proto;
		f.dport = e->dport;
		ct = ctf_test_ct_add(test, &f, true);
		ret = ctf_ct_stamp_set(ct, e->word,
				       ctf_stamp_encode(e->epoch) ^ e->bits);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	if (c->unstamped) {
		f = ctf_test_flow_to("192.0.2.1", 41999);
		ctf_test_ct_add(test, &f, true);
	}

	/* Act, assert: the walk itself. */
	mutex_lock(&ctx->cn->lock);
	last = ctf_sweep_last_stamp(ctx->cn);
	mutex_unlock(&ctx->cn->lock);
	KUNIT_EXPECT_EQ(test, last, c->want);

	/* Act, assert: enabled again, the counter starts above it. */
	KUNIT_ASSERT_EQ(test, ctf_test_reenable(ctx->cn), 0);
	KUNIT_EXPECT_EQ(test, ctx->cn->last_epoch, c->want);
	b = ctf_test_backend_add(test, ctx->cn, "192.0.2.1", 0, CTF_STATE_ACTIVE,
				 NULL);
	KUNIT_EXPECT_EQ(test, b->epoch, ctf_epoch_next(c->want));
}

/*
 * A new label word: the counter moves above the stamps that entries carry
 * in it, as at enable.
 */
static void ctf_ct_test_config_word(struct kunit *test)
{
	const struct ctf_test_be be = { "192.0.2.1", NULL, 0, CTF_NONE };
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_be_reply r;
	struct ctf_test_stats st;
	struct ctf_test_flow f;
	struct nlmsghdr *nlh;
	struct nf_conn *ct;
	int ret;

	/* Arrange: 1000 in word 1, 2000 in the word in use (3). */
	ctf_test_connect(test);
	f = ctf_test_flow_to("192.0.2.1", 42000);
	ct = ctf_test_ct_add(test, &f, true);
	ret = ctf_ct_stamp_set(ct, 1, ctf_stamp_encode(1000));
	KUNIT_ASSERT_EQ(test, ret, 0);
	ctf_test_ct_stamp(test, ct, 2000);
	KUNIT_ASSERT_EQ(test, ctx->cn->last_epoch, 0);

	/* Act */
	nlh = ctf_test_config_set(test, 1, CTF_NONE);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	ctf_test_stats_get(test, &st);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &be, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &r);

	/* Assert: word 1's stamps count, word 3's no longer do. */
	KUNIT_EXPECT_EQ(test, st.label_word, 1);
	KUNIT_EXPECT_EQ(test, st.last_epoch, 1000);
	KUNIT_EXPECT_EQ(test, r.epoch, 1001);
}

/*
 * An epoch given for another address may put the namespace's counter at
 * its end: A (epoch 1, entries stamped 1 and one unstamped) must still get
 * an epoch it never had from the next change, so that its entries are
 * stale and the sweep deletes them. B's epoch comes after A's delete for
 * "readd", before the change for the others.
 */
static const struct ctf_jump_case {
	const char *desc;
	u8 cmd;			/* to A after the jump */
	s8 state;		/* BACKEND_SET: CTF_BA_STATE, CTF_NONE: none */
	bool deleted;		/* A is deleted before the jump, then set */
} ctf_jump_cases[] = {
	{ "bump", CTF_CMD_BACKEND_BUMP, CTF_NONE, false },
	{ "down", CTF_CMD_BACKEND_SET, CTF_STATE_DOWN, false },
	{ "del", CTF_CMD_BACKEND_DEL, CTF_NONE, false },
	{ "readd", CTF_CMD_BACKEND_SET, CTF_NONE, true },
};

static void ctf_jump_desc(const struct ctf_jump_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_jump, ctf_jump_cases, ctf_jump_desc);

#define CTF_JUMP_A	"192.0.2.1"
#define CTF_JUMP_B	"192.0.2.2"
#define CTF_JUMP_PER_A	3	/* the last one unstamped */

static void ctf_ct_test_counter_jump(struct kunit *test)
{
	const struct ctf_jump_case *c = test->param_value;
	const struct ctf_test_be a = { CTF_JUMP_A, NULL, 0, CTF_NONE };
	const struct ctf_test_be b = { CTF_JUMP_B, NULL, CTF_EPOCH_MAX, CTF_NONE };
	const struct ctf_test_be change = { CTF_JUMP_A, NULL, 0, c->state };
	struct nf_conn *ea[CTF_JUMP_PER_A];
	struct ctf_test_be_reply ra, r;
	struct ctf_sweep_result res;
	struct ctf_test_flow f;
	struct nlmsghdr *nlh;
	unsigned int i;

	/* Arrange */
	ctf_test_connect(test);
	nlh = ctf_test_config_set(test, CTF_NONE, CTF_MAX_SWEEP_DELAY_MS);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &a, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &ra);
	KUNIT_ASSERT_EQ(test, ra.epoch, 1);
	for (i = 0; i < CTF_JUMP_PER_A; i++) {
		f = ctf_test_flow_to(CTF_JUMP_A, 30000 + i);
		ea[i] = ctf_test_ct_add(test, &f, true);
		if (i < CTF_JUMP_PER_A - 1)
			ctf_test_ct_stamp(test, ea[i], ra.epoch);
	}
	if (c->deleted) {
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, CTF_JUMP_A,
					       NULL);
		ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	}
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &b, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);

	/* Act */
	if (c->cmd == CTF_CMD_BACKEND_SET)
		nlh = ctf_test_backend_req(test, c->cmd, &change, NULL);
	else
		nlh = ctf_test_backend_key_req(test, c->cmd, CTF_JUMP_A, NULL);
	if (c->cmd == CTF_CMD_BACKEND_DEL) {
		ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	} else {
		ctf_test_be_parse(test, nlh, c->cmd, &r);
		KUNIT_EXPECT_NE_MSG(test, r.epoch, ra.epoch,
				    "A has its first epoch again");
	}
	ctf_test_evict(test, &res);

	/* Assert: every entry of A's first epoch is gone. */
	KUNIT_EXPECT_EQ(test, res.evicted, CTF_JUMP_PER_A);
	for (i = 0; i < CTF_JUMP_PER_A; i++) {
		f = ctf_test_flow_to(CTF_JUMP_A, 30000 + i);
		KUNIT_EXPECT_NULL_MSG(test, ctf_test_ct_find(test, &f),
				      "entry #%u of A's first epoch kept", i);
	}
}

/*
 * Failover end to end through requests: two backends, entries stamped with
 * the epoch BACKEND_SET reported (A has 1, B 2); then a change to one of
 * them, and the sweep by CTF_CMD_EVICT or in the background (delay 0). The
 * background sweep must run after exactly the changes that make entries
 * stale. A removed backend is forgotten by the sweep.
 */
static const struct ctf_failover_case {
	const char *desc;
	u8 cmd;			/* what happens to backend A */
	u32 epoch;		/* BACKEND_SET: CTF_BA_EPOCH, 0: none */
	s8 state;		/* BACKEND_SET: CTF_BA_STATE, CTF_NONE: none */
	bool background;	/* swept in the background, not by EVICT */
	bool stale;		/* A's entries went stale */
	bool readd;		/* A is set again before the sweep */
	bool adopt;		/* BACKEND_SET: CTF_BA_ADOPT */
} ctf_failover_cases[] = {
	{ "bump-evict", CTF_CMD_BACKEND_BUMP, 0, CTF_NONE, false, true },
	{ "del-evict", CTF_CMD_BACKEND_DEL, 0, CTF_NONE, false, true },
	{ "del-readd-evict", CTF_CMD_BACKEND_DEL, 0, CTF_NONE, false, true, true },
	{ "down-evict", CTF_CMD_BACKEND_SET, 0, CTF_STATE_DOWN, false, true },
	{ "new-epoch-evict", CTF_CMD_BACKEND_SET, 7, CTF_NONE, false, true },
	{ "same-epoch-evict", CTF_CMD_BACKEND_SET, 1, CTF_NONE, false, false },
	/* Adopted: A's entries of epoch 1 are not made stale, not swept. */
	{ "adopt-evict", CTF_CMD_BACKEND_SET, 7, CTF_NONE, false, false, false,
	  true },
	{ "adopt-background", CTF_CMD_BACKEND_SET, 7, CTF_NONE, true, false,
	  false, true },
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
	const struct ctf_test_be change = { CTF_FO_A, NULL, c->epoch, c->state,
					    c->adopt };
	bool removed = c->cmd == CTF_CMD_BACKEND_DEL && !c->readd;
	unsigned int i, n = c->stale ? CTF_FO_PER_A : 0;
	struct ctf_test_ctx *ctx = test->priv;
	struct nf_conn *ea[CTF_FO_PER_A], *eb[CTF_FO_PER_B];
	struct ctf_test_be_reply ra, rb, again;
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
	/* The sweep that adding the backends scheduled: nothing stale after. */
	flush_delayed_work(&ctx->cn->sweep_work);
	ctf_test_stats_get(test, &was);
	KUNIT_EXPECT_EQ(test, was.may_be_stale, 0);

	/* Act */
	if (c->cmd == CTF_CMD_BACKEND_SET)
		nlh = ctf_test_backend_req(test, c->cmd, &change, NULL);
	else
		nlh = ctf_test_backend_key_req(test, c->cmd, CTF_FO_A, NULL);
	if (c->cmd == CTF_CMD_BACKEND_DEL)
		ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	else
		ctf_test_expect_reply(test, nlh, c->cmd);
	if (c->readd) {
		/* Added again: revived at a new epoch, its first one kept. */
		nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &a, NULL);
		ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &again);
		KUNIT_EXPECT_GT(test, again.epoch, ra.epoch);
		KUNIT_EXPECT_GT(test, again.epoch, rb.epoch);
		KUNIT_EXPECT_EQ(test, again.unstamped_epoch, ra.epoch);
	}
	/*
	 * A change: the re-steer hook looks until a sweep has been through
	 * (in the background one may have run already).
	 */
	ctf_test_stats_get(test, &is);
	if (!c->background)
		KUNIT_EXPECT_EQ(test, is.may_be_stale, c->stale || c->readd);
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
	KUNIT_EXPECT_EQ(test, is.may_be_stale, 0);
	KUNIT_EXPECT_EQ(test, is.evicted - was.evicted, n);
	KUNIT_EXPECT_EQ(test, is.sweeps - was.sweeps,
			c->background && !c->stale ? 0 : 1);
	KUNIT_EXPECT_EQ(test, is.backends, removed ? 1 : 2);
	/* A removed backend was forgotten by the sweep that evicted. */
	if (removed)
		KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, ctx->cn, CTF_FO_A));
	else
		KUNIT_EXPECT_NOT_NULL(test, ctf_test_backend_find(test, ctx->cn,
								  CTF_FO_A));
	KUNIT_EXPECT_EQ(test, ctx->cn->ngone, 0);
	if (!removed) {
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, CTF_FO_A,
					       NULL);
		ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &ra);
		KUNIT_EXPECT_EQ(test, ra.evicted, n);
	}
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, CTF_FO_B, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &rb);
	KUNIT_EXPECT_EQ(test, rb.evicted, 0);
}

/*
 * Entries that passed no hook (as conntrackd's commit makes them over
 * ctnetlink), stale while nothing marked their backend: a sweep judges
 * them only when asked to judge all (CTF_A_EVICT_ALL), then deletes the
 * stale ones and keeps the current ones.
 */
static void ctf_ct_test_evict_all(struct kunit *test)
{
	const struct ctf_test_be a = { CTF_FO_A, "a", 0, CTF_NONE };
	struct ctf_test_be adopt = { CTF_FO_A, NULL, 0, CTF_NONE, true };
	struct ctf_test_be change = { CTF_FO_A, NULL, 0, CTF_NONE };
	struct nf_conn *stale[CTF_FO_PER_A], *cur[CTF_FO_PER_B];
	struct ctf_sweep_result res;
	struct ctf_test_be_reply ra, rb;
	struct ctf_test_stats st;
	struct ctf_test_flow f;
	struct nlmsghdr *nlh;
	unsigned int i;

	/* Arrange: A added and swept: nothing marked since. */
	ctf_test_connect(test);
	nlh = ctf_test_config_set(test, CTF_NONE, CTF_MAX_SWEEP_DELAY_MS);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &a, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &ra);
	ctf_test_evict(test, &res);
	ctf_test_stats_get(test, &st);
	KUNIT_ASSERT_EQ(test, st.may_be_stale, 0);
	for (i = 0; i < CTF_FO_PER_A; i++) {
		f = ctf_test_flow_to(CTF_FO_A, 31000 + i);
		stale[i] = ctf_test_ct_add(test, &f, true);
		ctf_test_ct_stamp(test, stale[i], ra.epoch + 1);
	}
	ctf_test_fo_entries(test, CTF_FO_A, ra.epoch, cur, CTF_FO_PER_B);

	/* Act, assert: a plain sweep does not look; an "all" one does. */
	ctf_test_evict(test, &res);
	KUNIT_EXPECT_EQ(test, res.evicted, 0);
	ctf_test_evict_req(test, true, &res);
	KUNIT_EXPECT_EQ(test, res.evicted, CTF_FO_PER_A);
	for (i = 0; i < CTF_FO_PER_A; i++) {
		f = ctf_test_flow_to(CTF_FO_A, 31000 + i);
		KUNIT_EXPECT_NULL(test, ctf_test_ct_find(test, &f));
	}
	for (i = 0; i < CTF_FO_PER_B; i++) {
		f = ctf_test_flow_to(CTF_FO_A, 30000 + i);
		KUNIT_EXPECT_PTR_EQ(test, ctf_test_ct_find(test, &f), cur[i]);
	}
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.may_be_stale, 0);

	/*
	 * An epoch adopted: the entries of the one it replaced stay current
	 * (an "all" sweep keeps them); the next change ends that.
	 */
	adopt.epoch = ra.epoch + 5;
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &adopt, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &rb);
	KUNIT_EXPECT_EQ(test, rb.epoch, ra.epoch + 5);
	ctf_test_evict_req(test, true, &res);
	KUNIT_EXPECT_EQ(test, res.evicted, 0);
	change.epoch = ra.epoch + 6;
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &change, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &rb);
	ctf_test_evict_req(test, true, &res);
	KUNIT_EXPECT_EQ(test, res.evicted, CTF_FO_PER_B);
}

static struct kunit_case ctf_conntrack_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_ct_test_stamp, ctf_ct_stamp_gen_params),
	KUNIT_CASE_PARAM(ctf_ct_test_judge, ctf_ct_judge_gen_params),
	KUNIT_CASE(ctf_ct_test_sweep),
	KUNIT_CASE_PARAM(ctf_ct_test_sweep_many, ctf_sweep_many_gen_params),
	KUNIT_CASE(ctf_ct_test_sweep_judged),
	KUNIT_CASE_PARAM(ctf_ct_test_sweep_bumped, ctf_sweep_bumped_gen_params),
	KUNIT_CASE_PARAM(ctf_ct_test_last_stamp, ctf_last_gen_params),
	KUNIT_CASE(ctf_ct_test_config_word),
	KUNIT_CASE_PARAM(ctf_ct_test_counter_jump, ctf_jump_gen_params),
	KUNIT_CASE_PARAM(ctf_ct_test_failover, ctf_failover_gen_params),
	KUNIT_CASE(ctf_ct_test_evict_all),
	{}
};

static struct kunit_suite ctf_conntrack_test_suite = {
	.name = "ctfailover_conntrack",
	.init = ctf_test_init_ct,
	.exit = ctf_test_exit,
	.test_cases = ctf_conntrack_test_cases,
};

kunit_test_suite(ctf_conntrack_test_suite);
