// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_netlink: GET_INFO. The reply body for every amount of
 * room an skb may have, and requests through the family: reply-only and
 * unknown attributes, reserved header bytes, unknown commands.
 */
#include <net/genetlink.h>
#include <net/netlink.h>

#include "kunit_util.h"

/* Room the GET_INFO reply body takes: the version string and a u32. */
#define CTF_TEST_U32_SIZE	NLA_ALIGN(NLA_HDRLEN + sizeof(u32))
#define CTF_TEST_INFO_SIZE	(NLA_ALIGN(NLA_HDRLEN + sizeof(CTFAILOVER_VERSION)) + \
				 CTF_TEST_U32_SIZE)

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
