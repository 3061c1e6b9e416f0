// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_core: the parts with no netlink and no conntrack in
 * them, on values and on a table of our own: ctf_epoch_next,
 * ctf_stamp_is_stale, the port set, the backend table.
 */
#include <linux/bitmap.h>
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
	return 0;
}

static const struct ctf_epoch_case {
	const char *desc;
	u32 epoch;
	u32 want;
} ctf_epoch_cases[] = {
	{ "1", 1, 2 },
	{ "2", 2, 3 },
	{ "s32-max", 0x7fffffff, 0x80000000 },
	{ "max-minus-1", 0xfffffffe, 0xffffffff },
	{ "max-skips-0", 0xffffffff, 1 },
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
}

static const struct ctf_stale_case {
	const char *desc;
	u32 stamp;
	bool backend;		/* false: no backend at the address */
	u32 epoch;		/* the backend's */
	u8 state;
	bool want;
} ctf_stale_cases[] = {
	/* Unstamped entries were made for no instance we know: never stale. */
	{ "unstamped-no-backend", 0, false, 0, 0, false },
	{ "unstamped-down", 0, true, 5, CTF_STATE_DOWN, false },
	{ "unstamped-other-epoch", 0, true, 5, CTF_STATE_ACTIVE, false },
	{ "no-backend", 5, false, 0, 0, true },
	{ "current-active", 5, true, 5, CTF_STATE_ACTIVE, false },
	{ "current-draining", 5, true, 5, CTF_STATE_DRAINING, false },
	{ "current-down", 5, true, 5, CTF_STATE_DOWN, true },
	{ "older-active", 5, true, 6, CTF_STATE_ACTIVE, true },
	{ "older-draining", 5, true, 6, CTF_STATE_DRAINING, true },
	{ "newer", 6, true, 5, CTF_STATE_ACTIVE, true },
	/* Equality, not order: across the wrap too. */
	{ "max-current", U32_MAX, true, U32_MAX, CTF_STATE_ACTIVE, false },
	{ "max-after-wrap", U32_MAX, true, 1, CTF_STATE_ACTIVE, true },
	{ "1-before-wrap", 1, true, U32_MAX, CTF_STATE_ACTIVE, true },
};

static void ctf_stale_desc(const struct ctf_stale_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_stale, ctf_stale_cases, ctf_stale_desc);

static void ctf_core_test_stamp_is_stale(struct kunit *test)
{
	const struct ctf_stale_case *c = test->param_value;
	struct ctf_backend b = { .epoch = c->epoch, .state = c->state };
	bool stale;

	stale = ctf_stamp_is_stale(c->stamp, c->backend ? &b : NULL);

	KUNIT_EXPECT_EQ(test, stale, c->want);
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
	for (i = 0; i < c->to_n; i++) {
		KUNIT_EXPECT_EQ(test, cn->ports[i], to[i]);
		KUNIT_EXPECT_TRUE_MSG(test, ctf_port_is_sip(cn, htons(to[i])),
				      "port %u", to[i]);
	}
	for (i = 0; i < c->from_n; i++)
		if (!ctf_test_port_in(from[i], to, c->to_n))
			KUNIT_EXPECT_FALSE_MSG(test, ctf_port_is_sip(cn, htons(from[i])),
					       "old port %u", from[i]);
	KUNIT_EXPECT_EQ(test, bitmap_weight(cn->port_map, 65536), c->to_n);
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

/* Look @where up in @cn under its lock. */
static struct ctf_backend *ctf_test_find(struct kunit *test, struct ctf_net *cn,
					 const char *where)
{
	union nf_inet_addr addr;
	struct ctf_backend *b;
	u8 family;

	ctf_test_addr(test, where, &family, &addr);
	mutex_lock(&cn->lock);
	b = ctf_backend_find(cn, family, &addr);
	mutex_unlock(&cn->lock);
	return b;
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
	a = ctf_backend_add(cn, family, &addr);
	mutex_unlock(&cn->lock);

	/* Assert: a new backend is at epoch 1, active, without a name. */
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_EXPECT_EQ(test, a->family, family);
	KUNIT_EXPECT_TRUE(test, nf_inet_addr_cmp(&a->addr, &addr));
	KUNIT_EXPECT_EQ(test, a->epoch, 1);
	KUNIT_EXPECT_EQ(test, a->state, CTF_STATE_ACTIVE);
	KUNIT_EXPECT_STREQ(test, a->name, "");
	KUNIT_EXPECT_EQ(test, cn->nbackends, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_find(test, cn, c->a), a);
	KUNIT_EXPECT_NULL(test, ctf_test_find(test, cn, c->b));

	/* Act, assert: with b beside it, each finds its own. */
	b = ctf_test_backend_add(test, cn, c->b, 1, CTF_STATE_ACTIVE, NULL);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 2);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_find(test, cn, c->a), a);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_find(test, cn, c->b), b);

	/* Act, assert: deleting a leaves b. */
	mutex_lock(&cn->lock);
	ctf_backend_del(cn, a);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 1);
	KUNIT_EXPECT_NULL(test, ctf_test_find(test, cn, c->a));
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_find(test, cn, c->b), b);
}

static void ctf_core_test_backend_limit(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_net *cn = ctx->own;
	union nf_inet_addr addr, first;
	u8 family, first_family;
	struct ctf_backend *b;
	unsigned int i;

	/* Arrange */
	ctf_test_add_many(test, cn, CTF_MAX_BACKENDS);
	ctf_test_nth_addr(CTF_MAX_BACKENDS, &family, &addr);

	/* Act */
	mutex_lock(&cn->lock);
	b = ctf_backend_add(cn, family, &addr);
	mutex_unlock(&cn->lock);

	/* Assert: refused, nothing added; room again after a delete. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, cn->nbackends, CTF_MAX_BACKENDS);
	mutex_lock(&cn->lock);
	KUNIT_EXPECT_NULL(test, ctf_backend_find(cn, family, &addr));
	ctf_test_nth_addr(0, &first_family, &first);
	ctf_backend_del(cn, ctf_backend_find(cn, first_family, &first));
	b = ctf_backend_add(cn, family, &addr);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, cn->nbackends, CTF_MAX_BACKENDS);

	/* Act, assert: the flush empties every bucket. */
	mutex_lock(&cn->lock);
	ctf_backend_flush(cn);
	mutex_unlock(&cn->lock);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 0);
	for (i = 0; i < ARRAY_SIZE(cn->backends); i++)
		KUNIT_EXPECT_TRUE(test, hlist_empty(&cn->backends[i]));
}

static struct kunit_case ctf_core_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_core_test_epoch_next, ctf_epoch_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_stamp_is_stale, ctf_stale_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_ports, ctf_core_ports_gen_params),
	KUNIT_CASE_PARAM(ctf_core_test_backend_table, ctf_find_gen_params),
	KUNIT_CASE(ctf_core_test_backend_limit),
	{}
};

static struct kunit_suite ctf_core_test_suite = {
	.name = "ctfailover_core",
	.init = ctf_test_init_own,
	.exit = ctf_test_exit,
	.test_cases = ctf_core_test_cases,
};

kunit_test_suite(ctf_core_test_suite);
