// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_core: the parts with no netlink and no conntrack in
 * them, on values and on a table of our own: ctf_epoch_next, the stamp
 * word, ctf_judge, the port set, the backend table and its epochs.
 */
#include <linux/bitmap.h>
#include <linux/sizes.h>
#include <net/net_namespace.h>

#include "kunit_util.h"

/* .init: a zeroed table of our own (empty buckets, no ports). */
static int ctf_test_init_own(struct kunit *test)
{
	struct ctf_test_ctx *ctx;
	int ret;

	ret = ctf_test_init(test);
	if (ret)
		return ret;
	ctx = test->priv;
	ctx->own = kunit_kzalloc(test, sizeof(*ctx->own), GFP_KERNEL);
	if (!ctx->own)
		return -ENOMEM;
	ctx->own->net = &init_net;
	mutex_init(&ctx->own->lock);
	mutex_lock(&ctx->own->lock);
	ret = ctf_net_tables_get(ctx->own);
	mutex_unlock(&ctx->own->lock);
	return ret;
}

static const struct ctf_epoch_case {
	const char *desc;
	u32 epoch;
	u32 want;
} ctf_epoch_cases[] = {
	{ "0-first", 0, 1 },
	{ "1", 1, 2 },
	{ "2", 2, 3 },
	{ "16-bits", 0xffff, 0x10000 },
	{ "max-minus-1", CTF_EPOCH_MAX - 1, CTF_EPOCH_MAX },
	{ "max-wraps-to-1", CTF_EPOCH_MAX, 1 },
	/* Never above CTF_EPOCH_MAX, whatever it is given. */
	{ "above-max", CTF_EPOCH_MAX + 1, 1 },
	{ "u32-max", U32_MAX, 1 },
};

static void ctf_epoch_desc(const struct ctf_epoch_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_epoch, ctf_epoch_cases, ctf_epoch_desc);

static void ctf_core_test_epoch_next(struct kunit *test)
{
	const struct ctf_epoch_case *c = test->param_value;
	u32 next;

	next = ctf_epoch_next(c->epoch);

	KUNIT_EXPECT_EQ(test, next, c->want);
	KUNIT_EXPECT_NE(test, next, 0);
	KUNIT_EXPECT_LE(test, next, CTF_EPOCH_MAX);
}

/* The uapi's test vectors: CRC-8/0x07 over the epoch, low byte first. */
static const struct ctf_stamp_case {
	const char *desc;
	u32 epoch;
	u32 word;
} ctf_stamp_cases[] = {
	{ "none", 0, 0 },
	{ "1", 1, 0x6b000001 },
	{ "2", 2, 0xd6000002 },
	{ "0xff", 0xff, 0x2b0000ff },
	{ "0x123456", 0x123456, 0x8a123456 },
	{ "max", CTF_EPOCH_MAX, 0x0fffffff },
};

static void ctf_stamp_desc(const struct ctf_stamp_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_stamp, ctf_stamp_cases, ctf_stamp_desc);

static void ctf_core_test_stamp_codec(struct kunit *test)
{
	const struct ctf_stamp_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, ctf_stamp_encode(c->epoch), c->word);
	KUNIT_EXPECT_EQ(test, ctf_stamp_decode(c->word), c->epoch);
}

/*
 * Foreign words: 1, 2 or 3 bits flipped anywhere in a stamp word (in no
 * stamp at all: a word with 1 to 3 bits set, as "ct label set" makes) never
 * decode to an epoch. The uapi promises this of the check.
 */
static const struct ctf_foreign_case {
	const char *desc;
	u32 epoch;		/* stamped, then bits flipped; 0: no stamp */
} ctf_foreign_cases[] = {
	{ "no-stamp", 0 },
	{ "1", 1 },
	{ "0x123456", 0x123456 },
	{ "0x800000", 0x800000 },
	{ "max", CTF_EPOCH_MAX },
};

static void ctf_foreign_desc(const struct ctf_foreign_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_foreign, ctf_foreign_cases, ctf_foreign_desc);

/* Does @word ^ @mask decode as foreign? Reports the first that does not. */
static void ctf_test_flip(struct kunit *test, u32 word, u32 mask,
			  unsigned int *n, unsigned int *bad)
{
	u32 epoch = ctf_stamp_decode(word ^ mask);

	(*n)++;
	if (epoch != CTF_STAMP_FOREIGN && !(*bad)++)
		KUNIT_FAIL(test, "word 0x%08x ^ 0x%08x decodes to %u", word,
			   mask, epoch);
}

static void ctf_core_test_stamp_foreign(struct kunit *test)
{
	const struct ctf_foreign_case *c = test->param_value;
	u32 word = ctf_stamp_encode(c->epoch);
	unsigned int i, j, k, n = 0, bad = 0;

	for (i = 0; i < 32; i++) {
		ctf_test_flip(test, word, BIT(i), &n, &bad);
		for (j = 0; j < i; j++) {
			ctf_test_flip(test, word, BIT(i) | BIT(j), &n, &bad);
			for (k = 0; k < j; k++)
				ctf_test_flip(test, word, BIT(i) | BIT(j) | BIT(k),
					      &n, &bad);
		}
	}

	KUNIT_EXPECT_EQ(test, n, 32 + 32 * 31 / 2 + 32 * 31 * 30 / 6);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "masks whose word decodes to an epoch");
}

static const struct ctf_judge_case {
	const char *desc;
	bool backend;		/* false: no backend at the address */
	u32 stamp;		/* the epoch stamped (0: none) ... */
	u32 bits;		/* ... and bits XORed into the word: not ours */
	u32 epoch;		/* the backend's */
	u32 unstamped;		/* its first: unstamped entries belong to it */
	u8 state;
	enum ctf_verdict want;
} ctf_judge_cases[] = {
	/* Not a backend: not ours, whatever the labels hold. */
	{ "no-backend-unstamped", false, 0, 0, 0, 0, 0, CTF_VERDICT_NOT_OURS },
	{ "no-backend-stamped", false, 5, 0, 0, 0, 0, CTF_VERDICT_NOT_OURS },
	{ "no-backend-foreign", false, 5, BIT(24), 0, 0, 0, CTF_VERDICT_NOT_OURS },
	{ "current", true, 5, 0, 5, 5, CTF_STATE_ACTIVE, CTF_VERDICT_CURRENT },
	{ "current-draining", true, 5, 0, 5, 3, CTF_STATE_DRAINING,
	  CTF_VERDICT_CURRENT },
	/* State alone makes nothing stale: going down is a new epoch. */
	{ "current-down", true, 5, 0, 5, 3, CTF_STATE_DOWN, CTF_VERDICT_CURRENT },
	{ "older", true, 5, 0, 6, 5, CTF_STATE_ACTIVE, CTF_VERDICT_STALE },
	{ "older-draining", true, 5, 0, 6, 5, CTF_STATE_DRAINING,
	  CTF_VERDICT_STALE },
	{ "newer", true, 6, 0, 5, 5, CTF_STATE_ACTIVE, CTF_VERDICT_STALE },
	/* No stamp (or no label area): judged by the first epoch. */
	{ "unstamped-first-epoch", true, 0, 0, 5, 5, CTF_STATE_ACTIVE,
	  CTF_VERDICT_CURRENT },
	{ "unstamped-after-change", true, 0, 0, 6, 5, CTF_STATE_ACTIVE,
	  CTF_VERDICT_STALE },
	{ "unstamped-down", true, 0, 0, 6, 5, CTF_STATE_DOWN, CTF_VERDICT_STALE },
	/* Foreign words are never stale, even when their low bits match. */
	{ "foreign-check-bit", true, 5, BIT(24), 5, 5, CTF_STATE_ACTIVE,
	  CTF_VERDICT_FOREIGN },
	{ "foreign-epoch-bits-match", true, 5, BIT(0), 4, 4, CTF_STATE_ACTIVE,
	  CTF_VERDICT_FOREIGN },
	{ "foreign-after-change", true, 5, BIT(31), 6, 5, CTF_STATE_ACTIVE,
	  CTF_VERDICT_FOREIGN },
	{ "foreign-down", true, 5, BIT(12), 6, 5, CTF_STATE_DOWN,
	  CTF_VERDICT_FOREIGN },
	{ "label-bit-set", true, 0, BIT(31), 6, 5, CTF_STATE_ACTIVE,
	  CTF_VERDICT_FOREIGN },
	/* A bare epoch, as the module wrote it before the check: foreign. */
	{ "bare-epoch-current", true, 0, 41, 41, 41, CTF_STATE_ACTIVE,
	  CTF_VERDICT_FOREIGN },
	{ "bare-epoch-older", true, 0, 41, 42, 41, CTF_STATE_ACTIVE,
	  CTF_VERDICT_FOREIGN },
	/* Equality, not order: across the wrap too. */
	{ "max-current", true, CTF_EPOCH_MAX, 0, CTF_EPOCH_MAX, 1,
	  CTF_STATE_ACTIVE, CTF_VERDICT_CURRENT },
	{ "max-after-wrap", true, CTF_EPOCH_MAX, 0, 1, 1, CTF_STATE_ACTIVE,
	  CTF_VERDICT_STALE },
	{ "1-before-wrap", true, 1, 0, CTF_EPOCH_MAX, 1, CTF_STATE_ACTIVE,
	  CTF_VERDICT_STALE },
};

static void ctf_judge_desc(const struct ctf_judge_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_judge, ctf_judge_cases, ctf_judge_desc);

static void ctf_core_test_judge(struct kunit *test)
{
	const struct ctf_judge_case *c = test->param_value;
	struct ctf_backend b = {
		.epoch = c->epoch,
		.unstamped_epoch = c->unstamped,
		.state = c->state,
	};
	u32 word = ctf_stamp_encode(c->stamp) ^ c->bits;
	enum ctf_verdict verdict;

	verdict = ctf_judge(ctf_stamp_decode(word), c->backend ? &b : NULL);

	KUNIT_EXPECT_EQ_MSG(test, verdict, c->want, "word 0x%08x", word);
}

static const struct ctf_core_ports_case {
	const char *desc;
	u16 from_first, from_step;	/* the set before: first + i * step */
	u8 from_n;
	u16 to_first, to_step;		/* the set given */
	u8 to_n;
} ctf_core_ports_cases[] = {
	{ "5060-to-5080", 5060, 0, 1, 5080, 0, 1 },
	{ "overlapping", 5060, 1, 2, 5061, 1, 2 },
	{ "same-set", 5060, 1, 3, 5060, 1, 3 },
	{ "edges", 5060, 0, 1, 1, 65534, 2 },
	{ "64-to-1", 1000, 1000, 64, 5060, 0, 1 },
	{ "1-to-64", 5060, 0, 1, 65535, 0xffff, 64 },
	{ "64-to-64-shifted", 1000, 1, 64, 1032, 1, 64 },
};

static void ctf_core_ports_desc(const struct ctf_core_ports_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_core_ports, ctf_core_ports_cases, ctf_core_ports_desc);

static bool ctf_test_port_in(u16 port, const u16 *ports, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

static void ctf_core_test_ports(struct kunit *test)
{
	const struct ctf_core_ports_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	u16 from[CTF_MAX_PORTS], to[CTF_MAX_PORTS];
	struct ctf_net *cn = ctx->own;
	unsigned int i;
	int ret;

	/* Arrange */
	ctf_test_port_seq(from, c->from_first, c->from_step, c->from_n);
	ctf_test_port_seq(to, c->to_first, c->to_step, c->to_n);
	mutex_lock(&cn->lock);
	ret = ctf_net_set_ports(cn, from, c->from_n);
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* Act */
	mutex_lock(&cn->lock);
	ret = ctf_net_set_ports(cn, to, c->to_n);
	mutex_unlock(&cn->lock);

	/* Assert: the new set in order; no bit of the old one left over. */
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, cn->nports, c->to_n);
	mutex_lock(&cn->lock);
	for (i = 0; i < c->to_n; i++) {
		KUNIT_EXPECT_EQ(test, cn->ports[i], to[i]);
		KUNIT_EXPECT_TRUE_MSG(test, ctf_port_is_sip(cn, htons(to[i])),
				      "port %u", to[i]);
	}
	for (i = 0; i < c->from_n; i++)
		if (!ctf_test_port_in(from[i], to, c->to_n))
			KUNIT_EXPECT_FALSE_MSG(test, ctf_port_is_sip(cn, htons(from[i])),
					       "old port %u", from[i]);
	KUNIT_EXPECT_EQ(test, bitmap_weight(ctf_tab(cn)->port_map, 65536), c->to_n);
	mutex_unlock(&cn->lock);
}

static const struct ctf_find_case {
	const char *desc;
	const char *a, *b;	/* two addresses that must not be confused */
} ctf_find_cases[] = {
	{ "v4-neighbours", "192.0.2.1", "192.0.2.2" },
	{ "v6-neighbours", "2001:db8::1", "2001:db8::2" },
	/* The same 16 bytes in the union: only the family tells them apart. */
	{ "v4-and-v6-same-bytes", "192.0.2.1", "c000:201::" },
	{ "v4-and-v4-mapped", "192.0.2.1", "::ffff:192.0.2.1" },
};

static void ctf_find_desc(const struct ctf_find_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_find, ctf_find_cases, ctf_find_desc);

/* Start a sweep on @cn, as sweep() does: returns its number. */
static unsigned long ctf_test_sweep_start(struct ctf_net *cn)
{
	unsigned long gen;

	mutex_lock(&cn->lock);
	gen = ++cn->sweep_gen;
	mutex_unlock(&cn->lock);
	return gen;
}

static void ctf_core_test_backend_table(struct kunit *test)
{
	const struct ctf_find_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	union nf_inet_addr addr;
	struct ctf_backend *a, *b;
	struct ctf_net *cn = ctx->own;
	u8 family;

	/* Arrange, act: add a; b is not there yet. */
	ctf_test_addr(test, c->a, &family, &addr);
	mutex_lock(&cn->lock);
	a = ctf_backend_add(cn, family, &addr, 0, CTF_STATE_ACTIVE);
	mutex_unlock(&cn->lock);

	/*
	 * Assert: a new backend has the namespace's next epoch (the first
	 * here), which unstamped entries belong to; active, without a name.
	 */
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_EQ(test, a->family, family);
	KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&a->addr, &addr));
	KUNIT_EXPECT_EQ(test, a->epoch, 1);
	KUNIT_EXPECT_EQ(test, a->unstamped_epoch, 1);
	KUNIT_EXPECT_EQ(test, cn->last_epoch, 1);
	KUNIT_EXPECT_EQ(test, a->state, CTF_STATE_ACTIVE);
	KUNIT_EXPECT_FALSE(test, a->gone);
	KUNIT_EXPECT_STREQ(test, a->name, "");
	KUNIT_EXPECT_EQ(test, cn->nbackends, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, c->a), a);
	KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, cn, c->b));

	/* Act, assert: with b beside it, each finds its own; b is next. */
	b = ctf_test_backend_add(test, cn, c->b, 0, CTF_STATE_ACTIVE, NULL);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, b->epoch, 2);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 2);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, c->a), a);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, c->b), b);

	/*
	 * Act, assert: removing a leaves b. a stays, gone, at a new epoch,
	 * until a sweep that started after the removal is over.
	 */
	ctf_test_backend_remove(test, cn, a);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 1);
	KUNIT_EXPECT_EQ(test, cn->ngone, 1);
	KUNIT_EXPECT_TRUE(test, a->gone);
	KUNIT_EXPECT_EQ(test, a->epoch, 3);
	KUNIT_EXPECT_EQ(test, a->unstamped_epoch, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, c->a), a);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, c->b), b);
	ctf_backend_reap(cn, ctf_test_sweep_start(cn));
	KUNIT_EXPECT_EQ(test, cn->ngone, 0);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 1);
	KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, cn, c->a));
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, c->b), b);
	KUNIT_EXPECT_EQ(test, b->epoch, 2);
	KUNIT_EXPECT_FALSE(test, b->gone);
}

#define CTF_TEST_A	"192.0.2.1"
#define CTF_TEST_B	"2001:db8::1"

/*
 * An address removed and added again: before it is reaped (the same record
 * revived) or after (a new one). Its epochs never repeat, so what was
 * stamped for it before, and while it was removed, stays stale. B, another
 * backend, was added first (epoch 1) and changes while A is removed.
 */
static const struct ctf_readd_case {
	const char *desc;
	u32 first;		/* given to A's first add (0: the next epoch) */
	unsigned int bumps;	/* of B while A is removed */
	bool reaped;		/* A is forgotten before it is added again */
	u32 again;		/* given when added again (0: the next epoch) */
	u32 want;		/* A's epoch then */
	enum ctf_verdict want_unstamped;	/* of an entry without a stamp */
} ctf_readd_cases[] = {
	/* Revived: unstamped entries still belong to A's first epoch. */
	{ "revive", 0, 0, false, 0, 4, CTF_VERDICT_STALE },
	{ "revive-after-other-bumps", 0, 3, false, 0, 7, CTF_VERDICT_STALE },
	{ "revive-given-epoch", 0, 0, false, 100, 100, CTF_VERDICT_STALE },
	{ "revive-across-wrap", CTF_EPOCH_MAX - 1, 0, false, 0, 1,
	  CTF_VERDICT_STALE },
	/* Added after it was forgotten: a new backend, a new first epoch. */
	{ "readd-after-reap", 0, 0, true, 0, 4, CTF_VERDICT_CURRENT },
	{ "readd-after-reap-and-bumps", 0, 2, true, 0, 6, CTF_VERDICT_CURRENT },
};

static void ctf_readd_desc(const struct ctf_readd_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_readd, ctf_readd_cases, ctf_readd_desc);

static void ctf_core_test_readd(struct kunit *test)
{
	const struct ctf_readd_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_net *cn = ctx->own;
	struct ctf_backend *a, *b, *again;
	u32 first, removed;
	unsigned int i;

	/* Arrange */
	b = ctf_test_backend_add(test, cn, CTF_TEST_B, 0, CTF_STATE_ACTIVE, NULL);
	a = ctf_test_backend_add(test, cn, CTF_TEST_A, c->first,
				 CTF_STATE_ACTIVE, NULL);
	first = a->epoch;
	ctf_test_backend_remove(test, cn, a);
	removed = a->epoch;
	for (i = 0; i < c->bumps; i++) {
		mutex_lock(&cn->lock);
		ctf_backend_set_epoch(cn, b, ctf_epoch_alloc(cn));
		mutex_unlock(&cn->lock);
	}
	if (c->reaped) {
		ctf_backend_reap(cn, ctf_test_sweep_start(cn));
		KUNIT_ASSERT_NULL(test, ctf_test_backend_find(test, cn, CTF_TEST_A));
	}

	/* Act: as BACKEND_SET does, for a known address or a new one. */
	if (c->reaped) {
		again = ctf_test_backend_add(test, cn, CTF_TEST_A, c->again,
					     CTF_STATE_ACTIVE, NULL);
	} else {
		mutex_lock(&cn->lock);
		ctf_backend_revive(cn, a, c->again, CTF_STATE_ACTIVE);
		mutex_unlock(&cn->lock);
		again = a;
	}

	/* Assert: three epochs, never the same one twice. */
	KUNIT_EXPECT_EQ(test, again->epoch, c->want);
	KUNIT_EXPECT_NE(test, first, removed);
	KUNIT_EXPECT_NE(test, again->epoch, first);
	KUNIT_EXPECT_NE(test, again->epoch, removed);
	KUNIT_EXPECT_EQ(test, cn->last_epoch, again->epoch);
	KUNIT_EXPECT_FALSE(test, again->gone);
	KUNIT_EXPECT_EQ(test, again->state, CTF_STATE_ACTIVE);
	KUNIT_EXPECT_EQ(test, again->unstamped_epoch,
			c->reaped ? again->epoch : first);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 2);
	KUNIT_EXPECT_EQ(test, cn->ngone, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, CTF_TEST_A),
			    again);
	/* Made before the removal, made while removed, made now, unstamped. */
	KUNIT_EXPECT_EQ(test, ctf_judge(first, again),
			CTF_VERDICT_STALE);
	KUNIT_EXPECT_EQ(test, ctf_judge(removed, again),
			CTF_VERDICT_STALE);
	KUNIT_EXPECT_EQ(test, ctf_judge(again->epoch, again),
			CTF_VERDICT_CURRENT);
	KUNIT_EXPECT_EQ(test, ctf_judge(0, again), c->want_unstamped);
}

/*
 * A removed backend is forgotten by the first sweep that started after the
 * removal, once it is over: until then its entries are still judged.
 */
static const struct ctf_reap_case {
	const char *desc;
	bool during;		/* removed while the sweep runs, not before */
	bool revived;		/* added again before the sweep is over */
	bool want_kept;		/* still known after that sweep */
} ctf_reap_cases[] = {
	{ "removed-before-sweep", false, false, false },
	{ "removed-during-sweep", true, false, true },
	{ "revived-before-sweep", false, true, true },
	{ "revived-during-sweep", true, true, true },
};

static void ctf_reap_desc(const struct ctf_reap_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_reap, ctf_reap_cases, ctf_reap_desc);

static void ctf_core_test_reap(struct kunit *test)
{
	const struct ctf_reap_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_net *cn = ctx->own;
	struct ctf_backend *a, *b;
	unsigned long gen = 0;
	u32 stamped;

	/* Arrange: entries stamped for A, and B beside it. */
	a = ctf_test_backend_add(test, cn, CTF_TEST_A, 0, CTF_STATE_ACTIVE, NULL);
	b = ctf_test_backend_add(test, cn, CTF_TEST_B, 0, CTF_STATE_ACTIVE, NULL);
	stamped = a->epoch;
	if (c->during)
		gen = ctf_test_sweep_start(cn);
	ctf_test_backend_remove(test, cn, a);
	/* Removed: still judged, and what was made for it is stale. */
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, CTF_TEST_A), a);
	KUNIT_EXPECT_EQ(test, ctf_judge(stamped, a), CTF_VERDICT_STALE);
	KUNIT_EXPECT_EQ(test, ctf_judge(0, a), CTF_VERDICT_STALE);
	if (!c->during)
		gen = ctf_test_sweep_start(cn);
	if (c->revived) {
		mutex_lock(&cn->lock);
		ctf_backend_revive(cn, a, 0, CTF_STATE_ACTIVE);
		mutex_unlock(&cn->lock);
	}

	/* Act: the sweep is over. */
	ctf_backend_reap(cn, gen);

	/* Assert */
	if (c->want_kept) {
		KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, CTF_TEST_A), a);
		KUNIT_EXPECT_EQ(test, a->gone, !c->revived);
		KUNIT_EXPECT_EQ(test, ctf_judge(stamped, a), CTF_VERDICT_STALE);
		KUNIT_EXPECT_EQ(test, cn->ngone, c->revived ? 0 : 1);
	} else {
		KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, cn, CTF_TEST_A));
		KUNIT_EXPECT_EQ(test, cn->ngone, 0);
	}
	KUNIT_EXPECT_EQ(test, cn->nbackends, c->revived ? 2 : 1);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, CTF_TEST_B), b);

	/* Act, assert: a sweep that started after the removal forgets it. */
	ctf_backend_reap(cn, ctf_test_sweep_start(cn));
	if (c->revived) {
		KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, CTF_TEST_A), a);
		KUNIT_EXPECT_EQ(test, ctf_judge(0, a), CTF_VERDICT_STALE);
	} else {
		KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, cn, CTF_TEST_A));
	}
	KUNIT_EXPECT_EQ(test, cn->ngone, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, cn, CTF_TEST_B), b);
	KUNIT_EXPECT_FALSE(test, b->gone);
}

/* Epochs given to new addresses, and the namespace's counter. */
static const struct ctf_counter_case {
	const char *desc;
	u32 given[3];		/* to three new backends (0: the next epoch) */
	u32 want[3];		/* what they have */
	u32 want_last;		/* the counter then */
} ctf_counter_cases[] = {
	{ "all-next", { 0, 0, 0 }, { 1, 2, 3 }, 3 },
	{ "given-raises-counter", { 100, 0, 0 }, { 100, 101, 102 }, 102 },
	/* Taken as given (a daemon restoring its state): counter kept. */
	{ "given-lower-keeps-counter", { 0, 0, 1 }, { 1, 2, 1 }, 2 },
	{ "given-between", { 10, 5, 0 }, { 10, 5, 11 }, 11 },
	{ "given-max-wraps", { CTF_EPOCH_MAX, 0, 0 }, { CTF_EPOCH_MAX, 1, 2 }, 2 },
};

static void ctf_counter_desc(const struct ctf_counter_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_counter, ctf_counter_cases, ctf_counter_desc);

static void ctf_core_test_counter(struct kunit *test)
{
	const struct ctf_counter_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_backend *b[ARRAY_SIZE(c->given)];
	struct ctf_net *cn = ctx->own;
	union nf_inet_addr addr;
	unsigned int i;
	u32 next;
	u8 family;

	/* Act */
	mutex_lock(&cn->lock);
	for (i = 0; i < ARRAY_SIZE(b); i++) {
		ctf_test_nth_addr(i, &family, &addr);
		b[i] = ctf_backend_add(cn, family, &addr, c->given[i], CTF_STATE_ACTIVE);
		if (IS_ERR(b[i]))
			break;
	}
	mutex_unlock(&cn->lock);

	/* Assert */
	KUNIT_ASSERT_EQ(test, i, ARRAY_SIZE(b));
	for (i = 0; i < ARRAY_SIZE(b); i++) {
		KUNIT_EXPECT_EQ_MSG(test, b[i]->epoch, c->want[i], "backend #%u", i);
		KUNIT_EXPECT_EQ_MSG(test, b[i]->unstamped_epoch, c->want[i],
				    "backend #%u", i);
	}
	KUNIT_EXPECT_EQ(test, cn->last_epoch, c->want_last);
	mutex_lock(&cn->lock);
	next = ctf_epoch_alloc(cn);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_EQ(test, next, ctf_epoch_next(c->want_last));
}

static void ctf_core_test_backend_limit(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_net *cn = ctx->own;
	union nf_inet_addr addr, first;
	u8 family, first_family;
	struct ctf_backend *b, *last;
	unsigned int i;
	u32 epoch;
	int ret;

	/* Arrange */
	ctf_test_add_many(test, cn, CTF_MAX_BACKENDS);
	ctf_test_nth_addr(CTF_MAX_BACKENDS, &family, &addr);

	/* Act */
	mutex_lock(&cn->lock);
	b = ctf_backend_add(cn, family, &addr, 0, CTF_STATE_ACTIVE);
	mutex_unlock(&cn->lock);

	/* Assert: refused, nothing added, no epoch used. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, cn->nbackends, CTF_MAX_BACKENDS);
	KUNIT_EXPECT_EQ(test, cn->last_epoch, CTF_MAX_BACKENDS);

	/* Act, assert: a removed backend makes room, though still known. */
	mutex_lock(&cn->lock);
	KUNIT_EXPECT_NULL(test, ctf_backend_find(cn, family, &addr));
	ctf_test_nth_addr(0, &first_family, &first);
	ret = ctf_backend_remove(cn, ctf_backend_find(cn, first_family, &first));
	KUNIT_EXPECT_EQ(test, ret, 0);
	last = ctf_backend_add(cn, family, &addr, 0, CTF_STATE_ACTIVE);
	KUNIT_EXPECT_NOT_NULL(test, ctf_backend_find(cn, first_family, &first));
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(last));
	KUNIT_EXPECT_EQ(test, cn->nbackends, CTF_MAX_BACKENDS);
	KUNIT_EXPECT_EQ(test, cn->ngone, 1);

	/*
	 * Act, assert: CTF_MAX_BACKENDS removed ones wait for a sweep; one
	 * more removal is refused and changes nothing.
	 */
	mutex_lock(&cn->lock);
	for (i = 1; i < CTF_MAX_BACKENDS && !ret; i++) {
		ctf_test_nth_addr(i, &family, &addr);
		ret = ctf_backend_remove(cn, ctf_backend_find(cn, family, &addr));
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, cn->ngone, CTF_MAX_BACKENDS);
	epoch = last->epoch;
	ret = ctf_backend_remove(cn, last);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_FALSE(test, last->gone);
	KUNIT_EXPECT_EQ(test, last->epoch, epoch);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 1);
	KUNIT_EXPECT_EQ(test, cn->ngone, CTF_MAX_BACKENDS);

	/* Act, assert: the flush empties every bucket, removed ones too. */
	mutex_lock(&cn->lock);
	ctf_backend_flush(cn);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 0);
	KUNIT_EXPECT_EQ(test, cn->ngone, 0);
	mutex_lock(&cn->lock);
	for (i = 0; i < ARRAY_SIZE(ctf_tab(cn)->backends); i++)
		KUNIT_EXPECT_TRUE(test, hlist_empty(&ctf_tab(cn)->backends[i]));
	mutex_unlock(&cn->lock);
}

/*
 * Every namespace of the host carries a struct ctf_net (the pernet .size),
 * configured or not: what only a configured one needs is allocated when it
 * is enabled.
 */
static void ctf_core_test_net_size(struct kunit *test)
{
	KUNIT_EXPECT_LE_MSG(test, sizeof(struct ctf_net), (size_t)SZ_1K,
			    "struct ctf_net is %zu bytes", sizeof(struct ctf_net));
}

static struct kunit_case ctf_core_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_core_test_epoch_next, ctf_epoch_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_stamp_codec, ctf_stamp_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_stamp_foreign, ctf_foreign_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_judge, ctf_judge_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_ports, ctf_core_ports_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_backend_table, ctf_find_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_readd, ctf_readd_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_reap, ctf_reap_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_counter, ctf_counter_gen_params),
	KUNIT_CASE(ctf_core_test_backend_limit),
	KUNIT_CASE(ctf_core_test_net_size),
	{}
};

static struct kunit_suite ctf_core_test_suite = {
	.name = "ctfailover_core",
	.init = ctf_test_init_own,
	.exit = ctf_test_exit,
	.test_cases = ctf_core_test_cases,
};

kunit_test_suite(ctf_core_test_suite);
