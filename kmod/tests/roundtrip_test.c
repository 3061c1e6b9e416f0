// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_roundtrip: valid requests, and what the module reports
 * back through GET, the dump, STATS_GET and PORTS_GET.
 */
#include <linux/bitmap.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "kunit_util.h"

#define CTF_TEST_NAME31		"sbc-0123456789abcdef0123456789a"

static const struct nla_policy ctf_test_port_policy[CTF_A_MAX + 1] = {
	[CTF_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy ctf_test_ports_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_PORTS]	= NLA_POLICY_NESTED(ctf_test_port_policy),
};

/*
 * The reply @r reports the backend @want (all of its fields given), whose
 * unstamped entries belong to epoch @unstamped (0: @want's epoch).
 */
static void ctf_test_expect_be(struct kunit *test,
			       const struct ctf_test_be_reply *r,
			       const struct ctf_test_be *want, u32 unstamped)
{
	union nf_inet_addr addr;
	u8 family;

	ctf_test_addr(test, want->addr, &family, &addr);
	KUNIT_EXPECT_EQ(test, r->family, family);
	KUNIT_EXPECT_TRUE_MSG(test, nf_inet_addr_cmp(&r->addr, &addr),
			      "not the address %s", want->addr);
	if (want->name) {
		KUNIT_EXPECT_TRUE(test, r->has_name);
		KUNIT_EXPECT_STREQ(test, r->name, want->name);
	} else {
		KUNIT_EXPECT_FALSE_MSG(test, r->has_name, "a name: %s", r->name);
	}
	KUNIT_EXPECT_EQ(test, r->epoch, want->epoch);
	KUNIT_EXPECT_EQ(test, r->unstamped_epoch, unstamped ?: want->epoch);
	KUNIT_EXPECT_EQ(test, r->state, want->state);
}

/* The port set, in the order reported; returns how many. */
static unsigned int ctf_test_ports_get(struct kunit *test, u16 *ports)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *tb[CTF_A_MAX + 1], *attr;
	struct nlmsghdr *nlh;
	unsigned int n = 0;
	int rem;

	nlh = ctf_test_req(test, ctx->family, CTF_CMD_PORTS_GET, 0, 0);
	nlh = ctf_test_call(test, nlh);
	ctf_test_reply_parse(test, nlh, CTF_CMD_PORTS_GET,
			     ctf_test_ports_reply_policy, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_PORTS]);
	nla_for_each_nested(attr, tb[CTF_A_PORTS], rem) {
		KUNIT_ASSERT_LT(test, n, CTF_MAX_PORTS);
		ports[n++] = nla_get_u16(attr);
	}
	return n;
}

/* PORTS_SET with an ack; returns the ack. */
static struct nlmsghdr *ctf_test_ports_set(struct kunit *test,
					   const u16 *ports, unsigned int n)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *req;
	struct nlattr *nest;
	unsigned int i;

	req = ctf_test_req(test, ctx->family, CTF_CMD_PORTS_SET, NLM_F_ACK, 0);
	nest = nla_nest_start(ctx->skb, CTF_A_PORTS);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, nla_put_u16(ctx->skb, CTF_A_PORT, ports[i]), 0);
	nla_nest_end(ctx->skb, nest);
	return ctf_test_call(test, req);
}

/* A request that arranges a case: @cmd (0: none) for @be. */
struct ctf_test_step {
	u8 cmd;
	struct ctf_test_be be;
};

#define CTF_SET(...)	{ CTF_CMD_BACKEND_SET, { __VA_ARGS__ } }
#define CTF_DEL(a)	{ CTF_CMD_BACKEND_DEL, { a, NULL, 0, CTF_NONE } }

/* Send @step; it must succeed. */
static void ctf_test_step(struct kunit *test, const struct ctf_test_step *step)
{
	struct nlmsghdr *nlh;

	if (!step->cmd)
		return;
	nlh = ctf_test_backend_req(test, step->cmd, &step->be, NULL);
	if (step->cmd == CTF_CMD_BACKEND_DEL)
		ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	else
		ctf_test_expect_reply(test, nlh, step->cmd);
}

/*
 * In a fresh namespace: the first epoch given out is 1, and every new
 * address, bump, change to down or re-adding takes the next one.
 */
static const struct ctf_rt_backend_case {
	const char *desc;
	struct ctf_test_step before[2];	/* arrange */
	struct ctf_test_be set;		/* act: BACKEND_SET */
	struct ctf_test_be want;	/* what SET and GET report ... */
	u32 unstamped;			/* ... (0: want.epoch) */
	unsigned int backends;		/* and STATS_GET counts */
} ctf_rt_backend_cases[] = {
	{ "v4-all-fields", {},
	  { "192.0.2.10", "sbc-a", 7, CTF_STATE_DRAINING },
	  { "192.0.2.10", "sbc-a", 7, CTF_STATE_DRAINING }, 0, 1 },
	{ "v4-addr-only", {},
	  { "192.0.2.10", NULL, 0, CTF_NONE },
	  { "192.0.2.10", NULL, 1, CTF_STATE_ACTIVE }, 0, 1 },
	{ "v6-all-fields", {},
	  { "2001:db8::10", "sbc-b", 42, CTF_STATE_ACTIVE },
	  { "2001:db8::10", "sbc-b", 42, CTF_STATE_ACTIVE }, 0, 1 },
	{ "v6-addr-only", {},
	  { "2001:db8::10", NULL, 0, CTF_NONE },
	  { "2001:db8::10", NULL, 1, CTF_STATE_ACTIVE }, 0, 1 },
	{ "name-31-chars", {},
	  { "192.0.2.10", CTF_TEST_NAME31, 0, CTF_NONE },
	  { "192.0.2.10", CTF_TEST_NAME31, 1, CTF_STATE_ACTIVE }, 0, 1 },
	{ "epoch-max", {},
	  { "192.0.2.10", NULL, CTF_EPOCH_MAX, CTF_STATE_ACTIVE },
	  { "192.0.2.10", NULL, CTF_EPOCH_MAX, CTF_STATE_ACTIVE }, 0, 1 },
	/* A new backend takes the epoch given, down or not (restored state). */
	{ "epoch-max-down", {},
	  { "192.0.2.10", NULL, CTF_EPOCH_MAX, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, CTF_EPOCH_MAX, CTF_STATE_DOWN }, 0, 1 },
	{ "down-given-epoch", {},
	  { "2001:db8::10", "sbc-c", 7, CTF_STATE_DOWN },
	  { "2001:db8::10", "sbc-c", 7, CTF_STATE_DOWN }, 0, 1 },
	/* An update changes what it names and keeps the rest. */
	{ "update-state", { CTF_SET("192.0.2.10", "old", 5, CTF_STATE_DRAINING) },
	  { "192.0.2.10", NULL, 0, CTF_STATE_ACTIVE },
	  { "192.0.2.10", "old", 5, CTF_STATE_ACTIVE }, 0, 1 },
	{ "update-name", { CTF_SET("192.0.2.10", "old", 5, CTF_STATE_DRAINING) },
	  { "192.0.2.10", "new", 0, CTF_NONE },
	  { "192.0.2.10", "new", 5, CTF_STATE_DRAINING }, 0, 1 },
	{ "clear-name", { CTF_SET("192.0.2.10", "old", 5, CTF_STATE_DRAINING) },
	  { "192.0.2.10", "", 0, CTF_NONE },
	  { "192.0.2.10", NULL, 5, CTF_STATE_DRAINING }, 0, 1 },
	/*
	 * Epochs: any other one is taken (it names an instance), the same
	 * one changes nothing; adopted, the same as set.
	 */
	{ "higher-epoch", { CTF_SET("2001:db8::10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "2001:db8::10", NULL, 9, CTF_NONE },
	  { "2001:db8::10", NULL, 9, CTF_STATE_ACTIVE }, 5, 1 },
	{ "lower-epoch", { CTF_SET("2001:db8::10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "2001:db8::10", NULL, 3, CTF_NONE },
	  { "2001:db8::10", NULL, 3, CTF_STATE_ACTIVE }, 5, 1 },
	{ "lower-epoch-down", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "192.0.2.10", NULL, 2, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, 2, CTF_STATE_DOWN }, 5, 1 },
	{ "adopt-lower", { CTF_SET("192.0.2.10", "sbc", 5, CTF_STATE_ACTIVE) },
	  { "192.0.2.10", NULL, 3, CTF_NONE, true },
	  { "192.0.2.10", "sbc", 3, CTF_STATE_ACTIVE }, 5, 1 },
	{ "same-epoch", { CTF_SET("2001:db8::10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "2001:db8::10", NULL, 5, CTF_NONE },
	  { "2001:db8::10", NULL, 5, CTF_STATE_ACTIVE }, 0, 1 },
	/* Going down is a new epoch; staying down or coming back is not. */
	{ "down", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "192.0.2.10", NULL, 0, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, 6, CTF_STATE_DOWN }, 5, 1 },
	{ "down-from-draining",
	  { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_DRAINING) },
	  { "192.0.2.10", NULL, 0, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, 6, CTF_STATE_DOWN }, 5, 1 },
	{ "down-again", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE),
			  CTF_SET("192.0.2.10", NULL, 0, CTF_STATE_DOWN) },
	  { "192.0.2.10", NULL, 0, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, 6, CTF_STATE_DOWN }, 5, 1 },
	{ "down-to-active", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE),
			      CTF_SET("192.0.2.10", NULL, 0, CTF_STATE_DOWN) },
	  { "192.0.2.10", NULL, 0, CTF_STATE_ACTIVE },
	  { "192.0.2.10", NULL, 6, CTF_STATE_ACTIVE }, 5, 1 },
	/* Down with a higher epoch: that one, not one more. */
	{ "down-higher-epoch", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "192.0.2.10", NULL, 9, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, 9, CTF_STATE_DOWN }, 5, 1 },
	{ "draining", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE) },
	  { "192.0.2.10", NULL, 0, CTF_STATE_DRAINING },
	  { "192.0.2.10", NULL, 5, CTF_STATE_DRAINING }, 0, 1 },
	/* A new address takes the namespace's next epoch, not 1. */
	{ "v4-mapped-is-another",
	  { CTF_SET("192.0.2.10", "v4", 5, CTF_STATE_ACTIVE) },
	  { "::ffff:192.0.2.10", "v6", 0, CTF_NONE },
	  { "::ffff:192.0.2.10", "v6", 6, CTF_STATE_ACTIVE }, 0, 2 },
	{ "next-of-namespace",
	  { CTF_SET("192.0.2.10", NULL, 100, CTF_STATE_ACTIVE) },
	  { "2001:db8::10", NULL, 0, CTF_NONE },
	  { "2001:db8::10", NULL, 101, CTF_STATE_ACTIVE }, 0, 2 },
	/*
	 * Set again after a delete (5, then 6 when removed): revived at a
	 * new epoch, without the old name; unstamped entries stay with 5.
	 */
	{ "readd", { CTF_SET("192.0.2.10", "old", 5, CTF_STATE_DRAINING),
		     CTF_DEL("192.0.2.10") },
	  { "192.0.2.10", NULL, 0, CTF_NONE },
	  { "192.0.2.10", NULL, 7, CTF_STATE_ACTIVE }, 5, 1 },
	{ "readd-higher-epoch", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE),
				  CTF_DEL("192.0.2.10") },
	  { "192.0.2.10", "new", 9, CTF_NONE },
	  { "192.0.2.10", "new", 9, CTF_STATE_ACTIVE }, 5, 1 },
	/* Its first epoch again: the same instance back (removed at 6). */
	{ "readd-first-epoch", { CTF_SET("192.0.2.10", NULL, 5, CTF_STATE_ACTIVE),
				 CTF_DEL("192.0.2.10") },
	  { "192.0.2.10", "new", 5, CTF_NONE },
	  { "192.0.2.10", "new", 5, CTF_STATE_ACTIVE }, 5, 1 },
	/* Revived and down at once: one new epoch. */
	{ "readd-down", { CTF_SET("2001:db8::10", NULL, 5, CTF_STATE_ACTIVE),
			  CTF_DEL("2001:db8::10") },
	  { "2001:db8::10", NULL, 0, CTF_STATE_DOWN },
	  { "2001:db8::10", NULL, 7, CTF_STATE_DOWN }, 5, 1 },
};

static void ctf_rt_backend_desc(const struct ctf_rt_backend_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_backend, ctf_rt_backend_cases, ctf_rt_backend_desc);

static void ctf_rt_test_backend(struct kunit *test)
{
	const struct ctf_rt_backend_case *c = test->param_value;
	struct ctf_test_be_reply set, get;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;
	unsigned int i;

	/* Arrange: no background sweep forgets a deleted address. */
	ctf_test_connect(test);
	nlh = ctf_test_config_set(test, CTF_NONE, CTF_MAX_SWEEP_DELAY_MS);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(c->before); i++)
		ctf_test_step(test, &c->before[i]);

	/* Act */
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &c->set, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &set);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->want.addr,
				       NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &get);
	ctf_test_stats_get(test, &st);

	/* Assert */
	ctf_test_expect_be(test, &set, &c->want, c->unstamped);
	ctf_test_expect_be(test, &get, &c->want, c->unstamped);
	KUNIT_EXPECT_EQ(test, get.tagged, 0);
	KUNIT_EXPECT_EQ(test, get.stale_hits, 0);
	KUNIT_EXPECT_EQ(test, get.evicted, 0);
	KUNIT_EXPECT_EQ(test, st.backends, c->backends);
	/* The counter never goes back: it is at least what was given. */
	KUNIT_EXPECT_GE(test, st.last_epoch, c->want.epoch);
}

static const struct ctf_rt_bump_case {
	const char *desc;
	const char *addr;
	u32 epoch;		/* before */
	u32 other;		/* given to another backend after it (0: none) */
	u32 want;		/* after one bump (0: any but the one before) */
} ctf_rt_bump_cases[] = {
	{ "1-to-2", "192.0.2.10", 1, 0, 2 },
	{ "to-max", "192.0.2.10", CTF_EPOCH_MAX - 1, 0, CTF_EPOCH_MAX },
	{ "max-wraps-to-1", "192.0.2.10", CTF_EPOCH_MAX, 0, 1 },
	{ "v6-41-to-42", "2001:db8::10", 41, 0, 42 },
	/* The namespace's next epoch, not the backend's + 1. */
	{ "next-of-namespace", "192.0.2.10", 5, 20, 21 },
	{ "other-lower", "192.0.2.10", 20, 5, 21 },
	/* The counter at the end (given, not counted up to): wrapped, but new. */
	{ "wrap-onto-own-epoch", "192.0.2.10", 1, CTF_EPOCH_MAX, 0 },
};

static void ctf_rt_bump_desc(const struct ctf_rt_bump_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_bump, ctf_rt_bump_cases, ctf_rt_bump_desc);

static void ctf_rt_test_bump(struct kunit *test)
{
	const struct ctf_rt_bump_case *c = test->param_value;
	const struct ctf_test_be before = {
		c->addr, "sbc", c->epoch, CTF_STATE_DRAINING
	};
	const struct ctf_test_be other = {
		"2001:db8::99", NULL, c->other, CTF_NONE
	};
	struct ctf_test_be want = { c->addr, "sbc", c->want, CTF_STATE_DRAINING };
	struct ctf_test_be_reply bump, get;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &before, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);
	if (c->other) {
		nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &other, NULL);
		ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);
	}

	/* Act */
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_BUMP, c->addr, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_BUMP, &bump);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->addr, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &get);
	ctf_test_stats_get(test, &st);

	/* Assert: a new epoch, everything else kept. */
	KUNIT_EXPECT_NE_MSG(test, bump.epoch, c->epoch, "the bump kept the epoch");
	if (!c->want)
		want.epoch = bump.epoch;
	ctf_test_expect_be(test, &bump, &want, c->epoch);
	ctf_test_expect_be(test, &get, &want, c->epoch);
	KUNIT_EXPECT_EQ(test, st.last_epoch, want.epoch);
}

/*
 * Dump the backends: @fn for each. Reads datagrams until NLMSG_DONE (each
 * read resumes the dump); returns how many it took.
 */
static unsigned int ctf_test_dump(struct kunit *test,
				  void (*fn)(struct kunit *test,
					     const struct ctf_test_be_reply *r,
					     void *arg),
				  void *arg)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_be_reply r;
	struct nlmsghdr *req, *nlh;
	unsigned int rounds = 0;
	bool done = false;
	int len;

	req = ctf_test_req(test, ctx->family, CTF_CMD_BACKEND_GET, NLM_F_DUMP, 0);
	ctf_test_send(test, req);
	while (!done) {
		KUNIT_ASSERT_LT_MSG(test, rounds++, 1000, "the dump does not end");
		len = ctf_test_recv(test);
		for (nlh = ctx->buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			KUNIT_ASSERT_EQ(test, nlh->nlmsg_seq, req->nlmsg_seq);
			if (nlh->nlmsg_type == NLMSG_DONE) {
				KUNIT_EXPECT_EQ(test, *(int *)nlmsg_data(nlh), 0);
				done = true;
				break;
			}
			KUNIT_EXPECT_TRUE(test, nlh->nlmsg_flags & NLM_F_MULTI);
			ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &r);
			fn(test, &r, arg);
		}
	}
	return rounds;
}

static const struct ctf_rt_del_case {
	const char *desc;
	const char *gone;	/* deleted */
	const char *kept;	/* not */
} ctf_rt_del_cases[] = {
	{ "v4", "192.0.2.10", "2001:db8::10" },
	{ "v6", "2001:db8::10", "192.0.2.10" },
	{ "v4-beside-v4", "192.0.2.10", "192.0.2.11" },
};

static void ctf_rt_del_desc(const struct ctf_rt_del_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_del, ctf_rt_del_cases, ctf_rt_del_desc);

/* The dump of ctf_rt_test_del: only the kept backend. */
struct ctf_test_dump_del {
	const struct ctf_test_be *kept;
	unsigned int n;
};

static void ctf_test_dump_kept(struct kunit *test,
			       const struct ctf_test_be_reply *r, void *arg)
{
	struct ctf_test_dump_del *d = arg;

	ctf_test_expect_be(test, r, d->kept, 0);
	d->n++;
}

static void ctf_rt_test_del(struct kunit *test)
{
	const struct ctf_rt_del_case *c = test->param_value;
	const struct ctf_test_be gone = { c->gone, NULL, 0, CTF_NONE };
	const struct ctf_test_be kept = { c->kept, "kept", 3, CTF_STATE_ACTIVE };
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_dump_del dump;
	struct ctf_backend *removed;
	const struct nlattr *nest;
	struct ctf_test_be_reply r;
	struct ctf_sweep_result res;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;
	unsigned int i;

	/* Arrange */
	ctf_test_connect(test);
	nlh = ctf_test_config_set(test, CTF_NONE, CTF_MAX_SWEEP_DELAY_MS);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &gone, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &kept, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);

	/* Act */
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, c->gone, NULL);

	/*
	 * Assert: absent for every request, before the sweep (when the
	 * module still judges its entries) and after it (forgotten).
	 */
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	removed = ctf_test_backend_find(test, ctx->cn, c->gone);
	KUNIT_ASSERT_NOT_NULL(test, removed);
	KUNIT_EXPECT_TRUE(test, removed->gone);
	for (i = 0; i < 2; i++) {
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->gone,
					       &nest);
		ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_BUMP, c->gone,
					       &nest);
		ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, c->gone,
					       &nest);
		ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
		nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->kept,
					       NULL);
		ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &r);
		ctf_test_expect_be(test, &r, &kept, 0);
		dump = (struct ctf_test_dump_del){ .kept = &kept };
		ctf_test_dump(test, ctf_test_dump_kept, &dump);
		KUNIT_EXPECT_EQ(test, dump.n, 1);
		ctf_test_stats_get(test, &st);
		KUNIT_EXPECT_EQ(test, st.backends, 1);
		if (i)
			break;
		ctf_sweep_run(ctx->cn, &res);
		KUNIT_EXPECT_NULL(test, ctf_test_backend_find(test, ctx->cn, c->gone));
	}
}

static const struct ctf_rt_ports_case {
	const char *desc;
	u8 n;
	u16 list[4];		/* the ports if n <= 4, else ... */
	u16 first, step;	/* ... first + i * step */
} ctf_rt_ports_cases[] = {
	{ "default-again", 1, { 5060 } },
	{ "one-other", 1, { 5080 } },
	{ "order-kept", 3, { 5061, 5060, 1 } },
	{ "edges", 2, { 65535, 1 } },
	{ "64-ascending", 64, {}, 1000, 1000 },
	{ "64-descending", 64, {}, 65535, 0xffff },
};

static void ctf_rt_ports_desc(const struct ctf_rt_ports_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_ports, ctf_rt_ports_cases, ctf_rt_ports_desc);

static void ctf_rt_test_ports(struct kunit *test)
{
	const struct ctf_rt_ports_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	u16 ports[CTF_MAX_PORTS], got[CTF_MAX_PORTS];
	bool default_kept = false;
	struct nlmsghdr *nlh;
	unsigned int n, i;
	int ret;

	/* Arrange: enabled, so that the port bitmap exists */
	mutex_lock(&ctx->cn->lock);
	ret = ctf_net_enable(ctx->cn);
	mutex_unlock(&ctx->cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ctf_test_connect(test);
	if (c->n <= ARRAY_SIZE(c->list))
		memcpy(ports, c->list, c->n * sizeof(ports[0]));
	else
		ctf_test_port_seq(ports, c->first, c->step, c->n);

	/* Act */
	nlh = ctf_test_ports_set(test, ports, c->n);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	n = ctf_test_ports_get(test, got);

	/* Assert: the same list, in order, and exactly these bits. */
	KUNIT_ASSERT_EQ(test, n, c->n);
	mutex_lock(&ctx->cn->lock);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, got[i], ports[i], "port #%u", i);
		KUNIT_EXPECT_TRUE_MSG(test, ctf_port_is_sip(ctx->cn, htons(ports[i])),
				      "port %u is not SIP", ports[i]);
		default_kept |= ports[i] == CTF_DEFAULT_SIP_PORT;
	}
	KUNIT_EXPECT_EQ(test, bitmap_weight(ctf_tab(ctx->cn)->port_map, 65536), c->n);
	KUNIT_EXPECT_EQ(test, ctf_port_is_sip(ctx->cn, htons(CTF_DEFAULT_SIP_PORT)),
			default_kept);
	mutex_unlock(&ctx->cn->lock);
}

static void ctf_rt_dump_none(struct kunit *test,
			     const struct ctf_test_be_reply *r, void *arg)
{
	KUNIT_FAIL(test, "a backend in the dump of a namespace without any");
}

/*
 * A namespace of its own, never configured: it has no tables, and answers
 * as one with them would (the default port set, no backend, zero
 * counters). A port set is only recorded; the first backend allocates the
 * tables, with that set's bits, and when it cannot, the namespace is left
 * as it was.
 */
static void ctf_rt_test_unconfigured(struct kunit *test)
{
	static const u16 set[] = { 5062, CTF_DEFAULT_SIP_PORT };
	static const struct ctf_test_be be = {
		"192.0.2.1", NULL, 0, CTF_NONE
	};
	struct ctf_test_ctx *ctx = test->priv;
	u16 got[CTF_MAX_PORTS];
	struct ctf_test_stats st;
	struct ctf_test_be_reply r;
	struct nlmsghdr *nlh;
	struct ctf_tables *t;
	struct ctf_net *cn;
	struct net *net;
	unsigned int n;

	/* Arrange: a new namespace, and a client in it. */
	net = copy_net_ns(CLONE_NEWNET, &init_user_ns, &init_net);
	KUNIT_ASSERT_FALSE(test, IS_ERR(net));
	ctx->net = net;
	cn = ctf_net(net);
	ctf_test_connect(test);

	/* Act, assert: the default port set, no backend, nothing counted. */
	n = ctf_test_ports_get(test, got);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, got[0], CTF_DEFAULT_SIP_PORT);
	ctf_test_dump(test, ctf_rt_dump_none, NULL);
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.backends, 0);
	KUNIT_EXPECT_EQ(test, st.tagged, 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(cn->tab));

	/* Act, assert: a port set before any backend is recorded, only. */
	nlh = ctf_test_ports_set(test, set, ARRAY_SIZE(set));
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	n = ctf_test_ports_get(test, got);
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(set));
	KUNIT_EXPECT_EQ(test, got[0], set[0]);
	KUNIT_EXPECT_EQ(test, got[1], set[1]);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(cn->tab));

	/* Act, assert: the first backend, out of memory: nothing changes. */
	WRITE_ONCE(ctf_test_tables_enomem, true);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &be, NULL);
	WRITE_ONCE(ctf_test_tables_enomem, false);
	ctf_test_expect_ack(test, nlh, -ENOMEM, CTF_MSG_NO_ENABLE, NULL);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(cn->tab));
	KUNIT_EXPECT_FALSE(test, cn->enabled);
	KUNIT_EXPECT_EQ(test, cn->nbackends, 0);
	KUNIT_EXPECT_EQ(test, cn->last_epoch, 0);
	n = ctf_test_ports_get(test, got);
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(set));

	/* Act, assert: again, with memory: the tables, with the set's bits. */
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &be, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &r);
	KUNIT_EXPECT_EQ(test, r.epoch, 1);
	KUNIT_EXPECT_TRUE(test, cn->enabled);
	mutex_lock(&cn->lock);
	t = ctf_tab(cn);
	KUNIT_EXPECT_NOT_NULL(test, t);
	if (t) {
		KUNIT_EXPECT_EQ(test, bitmap_weight(t->port_map, 65536),
				ARRAY_SIZE(set));
		KUNIT_EXPECT_TRUE(test, ctf_port_is_sip(cn, htons(set[0])));
		KUNIT_EXPECT_TRUE(test, ctf_port_is_sip(cn, htons(set[1])));
	}
	mutex_unlock(&cn->lock);
}

static const struct ctf_rt_config_case {
	const char *desc;
	int word;		/* CTF_NONE: not sent */
	s64 delay;		/* CTF_NONE: not sent */
	u8 want_word;
	u32 want_delay;
} ctf_rt_config_cases[] = {
	{ "word-0", 0, CTF_NONE, 0, CTF_DEFAULT_SWEEP_DELAY_MS },
	{ "word-3", 3, CTF_NONE, 3, CTF_DEFAULT_SWEEP_DELAY_MS },
	{ "delay-0", CTF_NONE, 0, CTF_DEFAULT_LABEL_WORD, 0 },
	{ "delay-max", CTF_NONE, CTF_MAX_SWEEP_DELAY_MS, CTF_DEFAULT_LABEL_WORD,
	  CTF_MAX_SWEEP_DELAY_MS },
	{ "both", 1, 250, 1, 250 },
};

static void ctf_rt_config_desc(const struct ctf_rt_config_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_config, ctf_rt_config_cases, ctf_rt_config_desc);

static void ctf_rt_test_config(struct kunit *test)
{
	const struct ctf_rt_config_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);

	/* Act */
	nlh = ctf_test_config_set(test, c->word, c->delay);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	ctf_test_stats_get(test, &st);

	/* Assert */
	KUNIT_EXPECT_EQ(test, st.label_word, c->want_word);
	KUNIT_EXPECT_EQ(test, st.sweep_delay_ms, c->want_delay);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->cn->label_word), c->want_word);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->cn->sweep_delay_ms), c->want_delay);
}

static const struct ctf_rt_stats_case {
	const char *desc;
	unsigned int n;		/* backends set, alternately v4 and v6 */
} ctf_rt_stats_cases[] = {
	{ "none", 0 }, { "one", 1 }, { "two", 2 }, { "five", 5 },
};

static void ctf_rt_stats_desc(const struct ctf_rt_stats_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_stats, ctf_rt_stats_cases, ctf_rt_stats_desc);

static void ctf_rt_test_stats(struct kunit *test)
{
	const struct ctf_rt_stats_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_be be = { .state = CTF_NONE };
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;
	char addr[40];
	unsigned int i;

	/* Arrange */
	ctf_test_connect(test);
	for (i = 0; i < c->n; i++) {
		if (i % 2)
			snprintf(addr, sizeof(addr), "2001:db8::%x", i);
		else
			snprintf(addr, sizeof(addr), "192.0.2.%u", i + 10);
		be.addr = addr;
		nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &be, NULL);
		ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);
	}

	/* Act */
	ctf_test_stats_get(test, &st);

	/* Assert */
	KUNIT_EXPECT_EQ(test, st.backends, c->n);
	KUNIT_EXPECT_EQ(test, st.label_word, CTF_DEFAULT_LABEL_WORD);
	KUNIT_EXPECT_EQ(test, st.sweep_delay_ms, CTF_DEFAULT_SWEEP_DELAY_MS);
	mutex_lock(&ctx->cn->lock);	/* ctf_stat_read() finds the tables */
	KUNIT_EXPECT_EQ(test, st.tagged, ctf_stat_read(ctx->cn, CTF_STAT_TAGGED));
	KUNIT_EXPECT_EQ(test, st.stale_hits, ctf_stat_read(ctx->cn, CTF_STAT_STALE_HITS));
	KUNIT_EXPECT_EQ(test, st.untaggable, ctf_stat_read(ctx->cn, CTF_STAT_UNTAGGABLE));
	KUNIT_EXPECT_EQ(test, st.foreign, ctf_stat_read(ctx->cn, CTF_STAT_FOREIGN));
	mutex_unlock(&ctx->cn->lock);
	KUNIT_EXPECT_EQ(test, st.evicted, atomic64_read(&ctx->cn->evicted));
	KUNIT_EXPECT_EQ(test, st.sweeps, atomic64_read(&ctx->cn->sweeps));
	/* One epoch per new backend, from the first. */
	KUNIT_EXPECT_EQ(test, st.last_epoch, c->n);
}

static const struct ctf_rt_dump_case {
	const char *desc;
	unsigned int n;
	bool removed;		/* every third one removed, not yet reaped */
} ctf_rt_dump_cases[] = {
	{ "none", 0 }, { "one", 1 }, { "two", 2 },
	{ "300", 300 },				/* several datagrams */
	{ "max", CTF_MAX_BACKENDS },		/* every bucket, long chains */
	{ "one-removed", 1, true },
	{ "300-some-removed", 300, true },
	{ "max-some-removed", CTF_MAX_BACKENDS, true },
};

static void ctf_rt_dump_desc(const struct ctf_rt_dump_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_dump, ctf_rt_dump_cases, ctf_rt_dump_desc);

/* Which of ctf_test_nth_addr()'s backends @r is. */
static unsigned int ctf_test_nth_of(struct kunit *test,
				    const struct ctf_test_be_reply *r)
{
	unsigned int i;

	if (r->family == NFPROTO_IPV4) {
		i = ntohl(r->addr.ip) & 0x00ffffff;
		KUNIT_EXPECT_EQ(test, i % 2, 0);
	} else {
		i = ntohl(r->addr.in6.s6_addr32[3]);
		KUNIT_EXPECT_EQ(test, i % 2, 1);
	}
	return i;
}

static bool ctf_test_dump_removed(const struct ctf_rt_dump_case *c,
				  unsigned int i)
{
	return c->removed && i % 3 == 0;
}

struct ctf_test_dump_all {
	const struct ctf_rt_dump_case *c;
	unsigned long *seen;
	unsigned int got;
};

static void ctf_test_dump_one(struct kunit *test,
			      const struct ctf_test_be_reply *r, void *arg)
{
	struct ctf_test_dump_all *d = arg;
	unsigned int i = ctf_test_nth_of(test, r);

	KUNIT_ASSERT_LT_MSG(test, i, d->c->n, "backend #%u was never set", i);
	KUNIT_EXPECT_FALSE_MSG(test, ctf_test_dump_removed(d->c, i),
			       "backend #%u was removed", i);
	KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(i, d->seen),
			       "backend #%u twice", i);
	/* Added in order, each at the namespace's next epoch. */
	KUNIT_EXPECT_EQ(test, r->epoch, i + 1);
	KUNIT_EXPECT_EQ(test, r->unstamped_epoch, i + 1);
	d->got++;
}

static void ctf_rt_test_dump(struct kunit *test)
{
	const struct ctf_rt_dump_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_dump_all d = { .c = c };
	union nf_inet_addr addr;
	unsigned int rounds, i, want = 0;
	u8 family;
	int ret = 0;

	/* Arrange */
	ctf_test_connect(test);
	ctf_test_add_many(test, ctx->cn, c->n);
	mutex_lock(&ctx->cn->lock);
	for (i = 0; i < c->n && !ret; i++) {
		if (!ctf_test_dump_removed(c, i)) {
			want++;
			continue;
		}
		ctf_test_nth_addr(i, &family, &addr);
		ret = ctf_backend_remove(ctx->cn,
					 ctf_backend_find(ctx->cn, family, &addr));
	}
	mutex_unlock(&ctx->cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	d.seen = kunit_kcalloc(test, BITS_TO_LONGS(CTF_MAX_BACKENDS),
			       sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d.seen);

	/* Act */
	rounds = ctf_test_dump(test, ctf_test_dump_one, &d);

	/* Assert: every backend exactly once, no removed one. */
	KUNIT_EXPECT_EQ(test, d.got, want);
	KUNIT_EXPECT_EQ(test, bitmap_weight(d.seen, CTF_MAX_BACKENDS), want);
	if (want > 100)
		KUNIT_EXPECT_GT(test, rounds, 1);
}

static const struct ctf_rt_dump_intr_case {
	const char *desc;
	u8 change;		/* between the first two parts of the dump */
} ctf_rt_dump_intr_cases[] = {
	{ "none", 0 },
	{ "add", CTF_CMD_BACKEND_SET },
	{ "remove", CTF_CMD_BACKEND_DEL },
	{ "bump", CTF_CMD_BACKEND_BUMP },	/* no entry moves: not cut */
};

static void ctf_rt_dump_intr_desc(const struct ctf_rt_dump_intr_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_rt_dump_intr, ctf_rt_dump_intr_cases,
		  ctf_rt_dump_intr_desc);

/*
 * A dump in several parts, the table changed between two: what follows
 * is flagged NLM_F_DUMP_INTR (the resume index may now skip or repeat a
 * backend), and only then.
 */
static void ctf_rt_test_dump_intr(struct kunit *test)
{
	const struct ctf_rt_dump_intr_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *req, *nlh;
	unsigned int rounds = 0;
	bool done = false, intr = false, cut;
	struct ctf_backend *b;
	int len;

	/* Arrange: enough backends for several parts. */
	ctf_test_connect(test);
	ctf_test_add_many(test, ctx->cn, 600);
	req = ctf_test_req(test, ctx->family, CTF_CMD_BACKEND_GET, NLM_F_DUMP, 0);
	ctf_test_send(test, req);

	/* Act: read the dump, changing the table after its first part. */
	while (!done) {
		KUNIT_ASSERT_LT_MSG(test, rounds++, 1000, "the dump does not end");
		len = ctf_test_recv(test);
		for (nlh = ctx->buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE)
				done = true;
		}
		if (rounds != 1 || done)
			continue;
		switch (c->change) {
		case CTF_CMD_BACKEND_SET:
			ctf_test_backend_add(test, ctx->cn, "198.51.100.77", 0,
					     CTF_STATE_ACTIVE, NULL);
			break;
		case CTF_CMD_BACKEND_DEL:
			b = ctf_test_backend_find(test, ctx->cn, "10.0.0.0");
			ctf_test_backend_remove(test, ctx->cn, b);
			break;
		case CTF_CMD_BACKEND_BUMP:
			b = ctf_test_backend_find(test, ctx->cn, "10.0.0.0");
			mutex_lock(&ctx->cn->lock);
			ctf_backend_set_epoch(ctx->cn, b,
					      ctf_epoch_alloc_for(ctx->cn, b));
			mutex_unlock(&ctx->cn->lock);
			break;
		}
	}

	/* Assert */
	KUNIT_ASSERT_GT(test, rounds, 2);
	cut = c->change == CTF_CMD_BACKEND_SET || c->change == CTF_CMD_BACKEND_DEL;
	KUNIT_EXPECT_EQ(test, intr, cut);
}

/*
 * BUMP_ALL: every live backend a new epoch of its own, as that many bumps
 * would give; a removed one keeps its own; the reply is an ack.
 */
static void ctf_rt_test_bump_all(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	static const char * const addrs[] = {
		"192.0.2.10", "192.0.2.11", "2001:db8::10", "192.0.2.12",
	};
	struct ctf_backend *b[ARRAY_SIZE(addrs)];
	u32 before[ARRAY_SIZE(addrs)], last;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;
	unsigned int i, j;

	/* Arrange: four backends, the last removed. */
	ctf_test_connect(test);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		b[i] = ctf_test_backend_add(test, ctx->cn, addrs[i], 10 + i,
					    CTF_STATE_ACTIVE, NULL);
	ctf_test_backend_remove(test, ctx->cn, b[3]);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		before[i] = b[i]->epoch;
	last = ctx->cn->last_epoch;

	/* Act */
	nlh = ctf_test_req(test, ctx->family, CTF_CMD_BACKEND_BUMP_ALL, NLM_F_ACK, 0);
	nlh = ctf_test_call(test, nlh);

	/* Assert */
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.last_epoch, last + 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_GT(test, b[i]->epoch, last);
		KUNIT_EXPECT_NE(test, b[i]->epoch, before[i]);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, b[i]->epoch, b[j]->epoch);
	}
	KUNIT_EXPECT_EQ(test, b[3]->epoch, before[3]);
}

/* At CTF_MAX_BACKENDS: a new address is refused, an update is not. */
static void ctf_rt_test_full(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct ctf_test_be new = { "192.0.2.200", NULL, 0, CTF_NONE };
	const struct ctf_test_be old = { "10.0.0.2", NULL, 0, CTF_STATE_DRAINING };
	const struct ctf_test_be old_want = { "10.0.0.2", NULL, 3, CTF_STATE_DRAINING };
	const struct nlattr *nest;
	struct ctf_test_be_reply r;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);
	ctf_test_add_many(test, ctx->cn, CTF_MAX_BACKENDS);

	/* Act */
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &new, NULL);

	/* Assert: refused, and no epoch used up. */
	ctf_test_expect_ack(test, nlh, -ENOSPC, CTF_MSG_FULL, NULL);
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.backends, CTF_MAX_BACKENDS);
	KUNIT_EXPECT_EQ(test, st.last_epoch, CTF_MAX_BACKENDS);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, new.addr, &nest);
	ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &old, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &r);
	ctf_test_expect_be(test, &r, &old_want, 0);
}

/*
 * At CTF_MAX_BACKENDS with an address removed (not yet reaped) and another
 * added in its place: the removed one cannot be set again either.
 */
static void ctf_rt_test_full_revive(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct ctf_test_be again = { "10.0.0.0", "again", 0, CTF_NONE };
	struct ctf_backend *removed;
	const struct nlattr *nest;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;
	u32 epoch;

	/* Arrange */
	ctf_test_connect(test);
	ctf_test_add_many(test, ctx->cn, CTF_MAX_BACKENDS);
	removed = ctf_test_backend_find(test, ctx->cn, again.addr);
	KUNIT_ASSERT_NOT_NULL(test, removed);
	ctf_test_backend_remove(test, ctx->cn, removed);
	epoch = removed->epoch;
	ctf_test_backend_add(test, ctx->cn, "192.0.2.200", 0, CTF_STATE_ACTIVE,
			     NULL);

	/* Act */
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &again, NULL);

	/* Assert: refused; still removed, at its epoch, without the name. */
	ctf_test_expect_ack(test, nlh, -ENOSPC, CTF_MSG_FULL, NULL);
	KUNIT_EXPECT_PTR_EQ(test, ctf_test_backend_find(test, ctx->cn, again.addr),
			    removed);
	KUNIT_EXPECT_TRUE(test, removed->gone);
	KUNIT_EXPECT_EQ(test, removed->epoch, epoch);
	KUNIT_EXPECT_STREQ(test, removed->name, "");
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.backends, CTF_MAX_BACKENDS);
	KUNIT_EXPECT_EQ(test, st.last_epoch, CTF_MAX_BACKENDS + 2);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, again.addr, &nest);
	ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
}

/*
 * CTF_MAX_BACKENDS removed addresses wait for a sweep: one more delete is
 * refused, changes nothing, and brings the sweep forward; after it the
 * delete goes through.
 */
static void ctf_rt_test_del_busy(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct ctf_test_be last = { "192.0.2.200", "last", 0, CTF_NONE };
	const struct ctf_test_be want = {
		"192.0.2.200", "last", CTF_MAX_BACKENDS * 2 + 1, CTF_STATE_ACTIVE
	};
	union nf_inet_addr addr;
	struct ctf_test_be_reply r;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;
	unsigned int i;
	u8 family;
	int ret = 0;

	/* Arrange: the sweep would otherwise wait an hour. */
	ctf_test_connect(test);
	nlh = ctf_test_config_set(test, CTF_NONE, CTF_MAX_SWEEP_DELAY_MS);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	ctf_test_add_many(test, ctx->cn, CTF_MAX_BACKENDS);
	mutex_lock(&ctx->cn->lock);
	for (i = 0; i < CTF_MAX_BACKENDS && !ret; i++) {
		ctf_test_nth_addr(i, &family, &addr);
		ret = ctf_backend_remove(ctx->cn,
					 ctf_backend_find(ctx->cn, family, &addr));
	}
	mutex_unlock(&ctx->cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &last, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);

	/* Act */
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, last.addr, NULL);

	/* Assert: refused, nothing changed. */
	ctf_test_expect_ack(test, nlh, -EBUSY, CTF_MSG_GONE_BUSY, NULL);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, last.addr, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &r);
	ctf_test_expect_be(test, &r, &want, 0);
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.backends, 1);
	KUNIT_EXPECT_EQ(test, st.last_epoch, want.epoch);

	/* Act, assert: the sweep runs now, not in an hour; then it works. */
	flush_delayed_work(&ctx->cn->sweep_work);
	KUNIT_EXPECT_EQ(test, ctx->cn->ngone, 0);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, last.addr, NULL);
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	KUNIT_EXPECT_EQ(test, ctx->cn->ngone, 1);
}

static struct kunit_case ctf_roundtrip_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_rt_test_backend, ctf_rt_backend_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_bump, ctf_rt_bump_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_del, ctf_rt_del_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_ports, ctf_rt_ports_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_config, ctf_rt_config_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_stats, ctf_rt_stats_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_dump, ctf_rt_dump_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_dump_intr, ctf_rt_dump_intr_gen_params),
	KUNIT_CASE(ctf_rt_test_bump_all),
	KUNIT_CASE(ctf_rt_test_full),
	KUNIT_CASE(ctf_rt_test_full_revive),
	KUNIT_CASE(ctf_rt_test_del_busy),
	KUNIT_CASE(ctf_rt_test_unconfigured),
	{}
};

static struct kunit_suite ctf_roundtrip_test_suite = {
	.name = "ctfailover_roundtrip",
	.init = ctf_test_init_net,
	.exit = ctf_test_exit,
	.test_cases = ctf_roundtrip_test_cases,
};

kunit_test_suite(ctf_roundtrip_test_suite);
