// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of ctfailover's internals. Built into ctfailover.o (see
 * kmod/Kbuild), so they call the module's ctf_* functions directly; run by
 * scripts/kunit with the .kunitconfig beside this file.
 *
 * Suite ctfailover_netlink:
 *  - fill_info: the GET_INFO reply body, for every amount of room an skb
 *    may have left, parsed back with a strict policy;
 *  - get_info: requests sent over a real NETLINK_GENERIC socket through the
 *    registered family, so the per-op policy, the header checks and the
 *    extack replies are exercised as userspace sees them.
 */
#include <kunit/test.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "../ctfailover.h"
#include "../uapi/ctfailover.h"

/* Room the GET_INFO reply body takes: the version string and a u32. */
#define CTF_TEST_U32_SIZE	NLA_ALIGN(NLA_HDRLEN + sizeof(u32))
#define CTF_TEST_INFO_SIZE	(NLA_ALIGN(NLA_HDRLEN + sizeof(CTFAILOVER_VERSION)) + \
				 CTF_TEST_U32_SIZE)

/* What userspace may rely on in a GET_INFO reply. */
static const struct nla_policy ctf_test_info_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION]		= { .type = NLA_NUL_STRING },
	[CTF_A_INFO_GENL_VERSION]	= { .type = NLA_U32 },
};

struct ctf_test_ctx {
	struct sk_buff *skb;	/* the message under construction */
	struct socket *sock;	/* NETLINK_GENERIC, extended acks, capped */
	void *buf;		/* the last datagram received */
	u32 seq;		/* of the last request */
};

static int ctf_test_init(struct kunit *test)
{
	struct ctf_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

/* Runs even when an assertion aborted the case. */
static void ctf_test_exit(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;

	kfree_skb(ctx->skb);
	if (ctx->sock)
		sock_release(ctx->sock);
}

/* A fresh skb with exactly @room bytes of tailroom. */
static struct sk_buff *ctf_test_skb(struct kunit *test, unsigned int room)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct sk_buff *skb;

	kfree_skb(ctx->skb);
	ctx->skb = NULL;
	skb = alloc_skb(room, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	ctx->skb = skb;
	/* alloc_skb() rounds up to the slab size: give the excess to headroom. */
	skb_reserve(skb, skb_tailroom(skb) - room);
	KUNIT_ASSERT_EQ(test, skb_tailroom(skb), room);
	return skb;
}

static void ctf_test_expect_info(struct kunit *test,
				 const struct nlattr *head, int len)
{
	struct nlattr *tb[CTF_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	int ret;

	/* Strict: unknown, truncated or trailing attributes all fail. */
	ret = nla_parse(tb, CTF_A_MAX, head, len, ctf_test_info_reply_policy,
			&extack);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "reply does not parse: %s",
			    extack._msg ?: "(no message)");
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_INFO_VERSION]);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[CTF_A_INFO_VERSION]),
			   CTFAILOVER_VERSION);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_INFO_GENL_VERSION]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[CTF_A_INFO_GENL_VERSION]),
			CTFAILOVER_GENL_VERSION);
}

static const struct ctf_fill_info_case {
	const char *desc;
	unsigned int room;
	int want;
} ctf_fill_info_cases[] = {
	{ "no-room",		0,					-EMSGSIZE },
	{ "version-only",	CTF_TEST_INFO_SIZE - CTF_TEST_U32_SIZE,	-EMSGSIZE },
	{ "one-byte-short",	CTF_TEST_INFO_SIZE - 1,			-EMSGSIZE },
	{ "exact",		CTF_TEST_INFO_SIZE,			0 },
	{ "goodsize",		NLMSG_GOODSIZE,				0 },
};

static void ctf_fill_info_desc(const struct ctf_fill_info_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_fill_info, ctf_fill_info_cases, ctf_fill_info_desc);

static void ctf_nl_test_fill_info(struct kunit *test)
{
	const struct ctf_fill_info_case *c = test->param_value;
	struct sk_buff *skb;
	int ret;

	skb = ctf_test_skb(test, c->room);

	ret = ctf_nl_fill_info(skb);

	KUNIT_ASSERT_EQ(test, ret, c->want);
	if (ret)
		return;
	KUNIT_EXPECT_EQ(test, skb->len, CTF_TEST_INFO_SIZE);
	ctf_test_expect_info(test, (struct nlattr *)skb->data, skb->len);
}

#define CTF_TEST_BUF_SIZE	8192

static void ctf_test_sock_open(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	int one = 1;
	int ret;

	ret = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
			       NETLINK_GENERIC, &ctx->sock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* Errors carry extack TLVs right after struct nlmsgerr. */
	ret = ctx->sock->ops->setsockopt(ctx->sock, SOL_NETLINK,
					 NETLINK_EXT_ACK,
					 KERNEL_SOCKPTR(&one), sizeof(one));
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = ctx->sock->ops->setsockopt(ctx->sock, SOL_NETLINK,
					 NETLINK_CAP_ACK,
					 KERNEL_SOCKPTR(&one), sizeof(one));
	KUNIT_ASSERT_EQ(test, ret, 0);
	ctx->buf = kunit_kzalloc(test, CTF_TEST_BUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->buf);
}

/* Start a genetlink request in a fresh skb; attributes go after it. */
static struct nlmsghdr *ctf_test_req(struct kunit *test, u16 family, u8 cmd,
				     u16 flags, u16 reserved)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct genlmsghdr *hdr;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = ctf_test_skb(test, NLMSG_GOODSIZE);
	nlh = nlmsg_put(skb, 0, ++ctx->seq, family, GENL_HDRLEN,
			NLM_F_REQUEST | flags);
	KUNIT_ASSERT_NOT_NULL(test, nlh);
	hdr = nlmsg_data(nlh);
	hdr->cmd = cmd;
	hdr->version = CTFAILOVER_GENL_VERSION;
	hdr->reserved = reserved;
	return nlh;
}

/*
 * Send the request in ctx->skb to the kernel and return the one message that
 * answers it. The kernel side of NETLINK_GENERIC handles a message in the
 * sender's context, so the answer is queued by the time sendmsg returns.
 */
static struct nlmsghdr *ctf_test_xfer(struct kunit *test, struct nlmsghdr *req)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
	};
	struct kvec iov;
	struct nlmsghdr *nlh;
	int len;

	nlmsg_end(ctx->skb, req);
	iov.iov_base = ctx->skb->data;
	iov.iov_len = ctx->skb->len;
	len = kernel_sendmsg(ctx->sock, &msg, &iov, 1, iov.iov_len);
	KUNIT_ASSERT_EQ(test, len, (int)iov.iov_len);

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = ctx->buf;
	iov.iov_len = CTF_TEST_BUF_SIZE;
	len = kernel_recvmsg(ctx->sock, &msg, &iov, 1, iov.iov_len,
			     MSG_DONTWAIT);
	KUNIT_ASSERT_GT_MSG(test, len, 0, "no answer: %d", len);
	nlh = ctx->buf;
	KUNIT_ASSERT_TRUE(test, nlmsg_ok(nlh, len));
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_seq, req->nlmsg_seq);
	return nlh;
}

/* The id of our family, asked of the genetlink controller. */
static u16 ctf_test_family(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *nlh;
	struct nlattr *id;
	int ret;

	nlh = ctf_test_req(test, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 0);
	ret = nla_put_string(ctx->skb, CTRL_ATTR_FAMILY_NAME,
			     CTFAILOVER_GENL_NAME);
	KUNIT_ASSERT_EQ(test, ret, 0);
	nlh = ctf_test_xfer(test, nlh);
	KUNIT_ASSERT_EQ_MSG(test, nlh->nlmsg_type, GENL_ID_CTRL,
			    "family \"%s\" is not registered",
			    CTFAILOVER_GENL_NAME);
	id = nla_find(nlmsg_attrdata(nlh, GENL_HDRLEN),
		      nlmsg_attrlen(nlh, GENL_HDRLEN), CTRL_ATTR_FAMILY_ID);
	KUNIT_ASSERT_NOT_NULL(test, id);
	return nla_get_u16(id);
}

#define CTF_TEST_NO_ATTR	(-1)
/* nlmsghdr, genlmsghdr, then the one attribute a request carries. */
#define CTF_TEST_ATTR_OFFSET	(NLMSG_HDRLEN + GENL_HDRLEN)

static const struct ctf_get_info_case {
	const char *desc;
	u8 cmd;
	u16 flags;		/* on top of NLM_F_REQUEST */
	u16 reserved;		/* genlmsghdr.reserved */
	int attr;		/* type of the one attribute sent, if any */
	int want;		/* 0: a GET_INFO reply; else the errno acked */
	bool want_msg;		/* the ack must carry an extack message */
	bool want_offs;		/* ... and point at the attribute */
} ctf_get_info_cases[] = {
	{ "plain", CTF_CMD_GET_INFO, 0, 0, CTF_TEST_NO_ATTR, 0 },
	{ "with-ack", CTF_CMD_GET_INFO, NLM_F_ACK, 0, CTF_TEST_NO_ATTR, 0 },
	/* Reply-only attributes are refused in requests. */
	{ "attr-info-version", CTF_CMD_GET_INFO, 0, 0, CTF_A_INFO_VERSION,
	  -EINVAL, true, true },
	{ "attr-genl-version", CTF_CMD_GET_INFO, 0, 0, CTF_A_INFO_GENL_VERSION,
	  -EINVAL, true, true },
	/* Strict validation: types outside the policy are errors. */
	{ "attr-unspec", CTF_CMD_GET_INFO, 0, 0, CTF_A_UNSPEC,
	  -EINVAL, true, true },
	{ "attr-above-max", CTF_CMD_GET_INFO, 0, 0, CTF_A_MAX + 1,
	  -EINVAL, true, true },
#ifdef CTF_HAVE_GENL_RESV_START_OP
	{ "reserved-set", CTF_CMD_GET_INFO, 0, 1, CTF_TEST_NO_ATTR,
	  -EINVAL, true, false },
	{ "flag-replace", CTF_CMD_GET_INFO, NLM_F_REPLACE, 0, CTF_TEST_NO_ATTR,
	  -EINVAL, true, false },
#endif
	{ "cmd-unspec", CTF_CMD_UNSPEC, 0, 0, CTF_TEST_NO_ATTR, -EOPNOTSUPP },
	{ "cmd-above-max", CTF_CMD_MAX + 1, 0, 0, CTF_TEST_NO_ATTR, -EOPNOTSUPP },
};

static void ctf_get_info_desc(const struct ctf_get_info_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_get_info, ctf_get_info_cases, ctf_get_info_desc);

static void ctf_nl_test_get_info(struct kunit *test)
{
	const struct ctf_get_info_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *msg, *offs;
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;
	const u32 zero = 0;
	u16 family;
	int ret;

	ctf_test_sock_open(test);
	family = ctf_test_family(test);
	nlh = ctf_test_req(test, family, c->cmd, c->flags, c->reserved);
	if (c->attr != CTF_TEST_NO_ATTR) {
		ret = nla_put(ctx->skb, c->attr, sizeof(zero), &zero);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	nlh = ctf_test_xfer(test, nlh);

	if (!c->want) {
		KUNIT_ASSERT_EQ(test, nlh->nlmsg_type, family);
		ctf_test_expect_info(test, nlmsg_attrdata(nlh, GENL_HDRLEN),
				     nlmsg_attrlen(nlh, GENL_HDRLEN));
		return;
	}
	KUNIT_ASSERT_EQ(test, nlh->nlmsg_type, NLMSG_ERROR);
	err = nlmsg_data(nlh);
	KUNIT_EXPECT_EQ(test, err->error, c->want);
	msg = nla_find(nlmsg_attrdata(nlh, sizeof(*err)),
		       nlmsg_attrlen(nlh, sizeof(*err)), NLMSGERR_ATTR_MSG);
	offs = nla_find(nlmsg_attrdata(nlh, sizeof(*err)),
			nlmsg_attrlen(nlh, sizeof(*err)), NLMSGERR_ATTR_OFFS);
	if (c->want_msg)
		KUNIT_EXPECT_NOT_NULL(test, msg);
	if (c->want_offs) {
		KUNIT_ASSERT_NOT_NULL(test, offs);
		KUNIT_EXPECT_EQ(test, nla_get_u32(offs), CTF_TEST_ATTR_OFFSET);
	}
}

static struct kunit_case ctf_netlink_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_nl_test_fill_info, ctf_fill_info_gen_params),
	KUNIT_CASE_PARAM(ctf_nl_test_get_info, ctf_get_info_gen_params),
	{}
};

static struct kunit_suite ctf_netlink_test_suite = {
	.name = "ctfailover_netlink",
	.init = ctf_test_init,
	.exit = ctf_test_exit,
	.test_cases = ctf_netlink_test_cases,
};

kunit_test_suite(ctf_netlink_test_suite);
