// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of ctfailover's internals. Built into ctfailover.o (see
 * kmod/Kbuild), so they call the module's ctf_* functions directly; run by
 * scripts/kunit with the .kunitconfig beside this file.
 *
 * Suites:
 *  ctfailover_netlink    GET_INFO: the reply body for every amount of room
 *                        an skb may have, and requests through the family.
 *  ctfailover_policy     every malformed request of every command: refused
 *                        with its errno, an extack message, the offset of
 *                        the offending attribute, and nothing changed.
 *  ctfailover_roundtrip  valid requests: what SET stores is what GET, dump,
 *                        STATS and PORTS_GET report; bump, delete, limits.
 *  ctfailover_core       the pure parts: epoch_next, stamp_is_stale, the
 *                        port set, the backend table (on a private table).
 *  ctfailover_conntrack  real conntrack entries in init_net: stamps in the
 *                        labels, staleness, the sweep, and failovers driven
 *                        by requests end to end.
 *
 * Requests travel over a real NETLINK_GENERIC socket to the registered
 * family, so per-op policies, header checks and extack replies are tested
 * as userspace sees them. Suites that change init_net's state reset it to
 * the defaults (no backends, port 5060, label word 3, sweep delay 1 s)
 * before and after every case, so no case sees another's leftovers.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/inet.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_labels.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netlink.h>

#include "../ctfailover.h"
#include "../uapi/ctfailover.h"

/* Room the GET_INFO reply body takes: the version string and a u32. */
#define CTF_TEST_U32_SIZE	NLA_ALIGN(NLA_HDRLEN + sizeof(u32))
#define CTF_TEST_INFO_SIZE	(NLA_ALIGN(NLA_HDRLEN + sizeof(CTFAILOVER_VERSION)) + \
				 CTF_TEST_U32_SIZE)

#define CTF_TEST_BUF_SIZE	8192
/* Entries one case may create (ctfailover_conntrack). */
#define CTF_TEST_MAX_CTS	2048
/* Long enough that no entry expires while the suites run under TCG. */
#define CTF_TEST_CT_TIMEOUT	(600 * HZ)
/* "Leave it out" for the optional fields of requests. */
#define CTF_NONE		(-1)

/* What userspace may rely on in a GET_INFO reply. */
static const struct nla_policy ctf_test_info_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION]		= { .type = NLA_NUL_STRING },
	[CTF_A_INFO_GENL_VERSION]	= { .type = NLA_U32 },
};

struct ctf_test_ctx {
	struct sk_buff *skb;	/* the message under construction */
	struct socket *sock;	/* NETLINK_GENERIC, extended acks, capped */
	const struct cred *cred;	/* if set, requests are sent with these */
	void *buf;		/* the last datagram received */
	u32 seq;		/* of the last request */
	u16 family;		/* ctfailover's id, once ctf_test_connect() ran */
	struct ctf_net *cn;	/* init_net's state: reset around every case */
	struct ctf_net *own;	/* ctfailover_core: a table in no namespace */
	struct nf_conn **cts;	/* entries we created, each with our reference */
	unsigned int ncts;
};

/* Back to the state of a fresh namespace, except the hooks and labels. */
static void ctf_test_net_reset(struct ctf_net *cn)
{
	static const u16 port = CTF_DEFAULT_SIP_PORT;

	cancel_delayed_work_sync(&cn->sweep_work);
	mutex_lock(&cn->lock);
	ctf_backend_flush(cn);
	ctf_net_set_ports(cn, &port, 1);
	WRITE_ONCE(cn->label_word, CTF_DEFAULT_LABEL_WORD);
	WRITE_ONCE(cn->sweep_delay_ms, CTF_DEFAULT_SWEEP_DELAY_MS);
	mutex_unlock(&cn->lock);
}

static int ctf_test_init(struct kunit *test)
{
	struct ctf_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

/* Suites that change init_net's state: every case starts from defaults. */
static int ctf_test_init_net(struct kunit *test)
{
	struct ctf_test_ctx *ctx;
	int ret;

	ret = ctf_test_init(test);
	if (ret)
		return ret;
	ctx = test->priv;
	ctx->cn = ctf_net(&init_net);
	ctf_test_net_reset(ctx->cn);
	return 0;
}

/* ctfailover_core: a zeroed table of our own (empty buckets, no ports). */
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

/*
 * ctfailover_conntrack: init_net enabled as the first backend would enable
 * it (labels held, so new entries get a label area; hooks registered).
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

/* Runs even when an assertion aborted the case. */
static void ctf_test_exit(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nf_conn *ct;

	/* No background sweep races the deletions below. */
	if (ctx->cn)
		cancel_delayed_work_sync(&ctx->cn->sweep_work);
	while (ctx->ncts) {
		ct = ctx->cts[--ctx->ncts];
		/* false when a sweep already deleted it: only ours is left */
		nf_ct_delete(ct, 0, 0);
		nf_ct_put(ct);
	}
	if (ctx->cn)
		ctf_test_net_reset(ctx->cn);
	if (ctx->own) {
		mutex_lock(&ctx->own->lock);
		ctf_backend_flush(ctx->own);
		mutex_unlock(&ctx->own->lock);
	}
	kfree_skb(ctx->skb);
	if (ctx->sock)
		sock_release(ctx->sock);
	if (ctx->cred)
		put_cred(ctx->cred);
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

/* An address in text, as family and the zero-padded union the module keys on. */
static void ctf_test_addr(struct kunit *test, const char *s, u8 *family,
			  union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (in4_pton(s, -1, (u8 *)&addr->ip, -1, NULL)) {
		*family = NFPROTO_IPV4;
		return;
	}
	KUNIT_ASSERT_TRUE_MSG(test, in6_pton(s, -1, addr->in6.s6_addr, -1, NULL),
			      "bad address in the test: %s", s);
	*family = NFPROTO_IPV6;
}

/* A backend added directly, not through a request. */
static struct ctf_backend *ctf_test_backend_add(struct kunit *test,
						struct ctf_net *cn,
						const char *where, u32 epoch,
						u8 state, const char *name)
{
	union nf_inet_addr addr;
	struct ctf_backend *b;
	u8 family;

	ctf_test_addr(test, where, &family, &addr);
	mutex_lock(&cn->lock);
	b = ctf_backend_add(cn, family, &addr);
	if (!IS_ERR(b)) {
		WRITE_ONCE(b->epoch, epoch);
		WRITE_ONCE(b->state, state);
		strscpy(b->name, name ?: "", sizeof(b->name));
	}
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	return b;
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

/* Send the request in ctx->skb, finished, to the kernel. */
static void ctf_test_send(struct kunit *test, struct nlmsghdr *req)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
	};
	const struct cred *old = NULL;
	struct kvec iov;
	int len;

	nlmsg_end(ctx->skb, req);
	iov.iov_base = ctx->skb->data;
	iov.iov_len = ctx->skb->len;
	/* The request is handled in this context, with these credentials. */
	if (ctx->cred)
		old = override_creds(ctx->cred);
	len = kernel_sendmsg(ctx->sock, &msg, &iov, 1, iov.iov_len);
	if (ctx->cred)
		revert_creds(old);
	KUNIT_ASSERT_EQ(test, len, (int)iov.iov_len);
}

/* The next datagram, whole, into ctx->buf; returns its length. */
static int ctf_test_recv(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct msghdr msg = {};
	struct kvec iov = {
		.iov_base = ctx->buf,
		.iov_len = CTF_TEST_BUF_SIZE,
	};
	int len;

	len = kernel_recvmsg(ctx->sock, &msg, &iov, 1, iov.iov_len,
			     MSG_DONTWAIT);
	KUNIT_ASSERT_GT_MSG(test, len, 0, "no answer: %d", len);
	KUNIT_ASSERT_FALSE(test, msg.msg_flags & MSG_TRUNC);
	return len;
}

/*
 * Send the request in ctx->skb to the kernel and return the one message that
 * answers it. The kernel side of NETLINK_GENERIC handles a message in the
 * sender's context, so the answer is queued by the time sendmsg returns.
 */
static struct nlmsghdr *ctf_test_xfer(struct kunit *test, struct nlmsghdr *req)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *nlh;
	int len;

	ctf_test_send(test, req);
	len = ctf_test_recv(test);
	nlh = ctx->buf;
	KUNIT_ASSERT_TRUE(test, nlmsg_ok(nlh, len));
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_seq, req->nlmsg_seq);
	return nlh;
}

/* ctf_test_xfer(), and nothing else is queued: one request, one answer. */
static struct nlmsghdr *ctf_test_call(struct kunit *test, struct nlmsghdr *req)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *nlh = ctf_test_xfer(test, req);
	struct msghdr msg = {};
	struct kvec iov;
	u32 peek;
	int len;

	iov.iov_base = &peek;
	iov.iov_len = sizeof(peek);
	len = kernel_recvmsg(ctx->sock, &msg, &iov, 1, iov.iov_len,
			     MSG_DONTWAIT | MSG_PEEK);
	KUNIT_EXPECT_EQ_MSG(test, len, -EAGAIN, "a second answer is queued");
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

/* A socket and our family's id, for the suites that send requests. */
static void ctf_test_connect(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;

	ctf_test_sock_open(test);
	ctx->family = ctf_test_family(test);
}

/*
 * The same, for a sender without CAP_NET_ADMIN. A message sent to an
 * explicit address (NETLINK_SKB_DST) is judged by its sender's credentials
 * alone, not by those of whoever opened the socket: so these are the ones
 * to lower, for every request from now on.
 */
static void ctf_test_connect_unprivileged(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct cred *cred;

	ctf_test_connect(test);
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	ctx->cred = cred;
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

/*
 * Answers: acks, and replies parsed as strictly as the module parses
 * requests, so a reply with an attribute too many fails too.
 */

/* The extack message of an ack, for failure reports. */
static const char *ctf_test_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *m;

	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < nlmsg_msg_size(sizeof(struct nlmsgerr)))
		return "(not an ack)";
	m = nla_find(nlmsg_attrdata(nlh, sizeof(struct nlmsgerr)),
		     nlmsg_attrlen(nlh, sizeof(struct nlmsgerr)),
		     NLMSGERR_ATTR_MSG);
	return m ? nla_data(m) : "(no message)";
}

/*
 * @nlh must ack the request in ctx->skb with errno @want, the extack
 * message @msg (NULL: none) and an offset pointing at @bad (NULL: none).
 */
static void ctf_test_expect_ack(struct kunit *test, const struct nlmsghdr *nlh,
				int want, const char *msg,
				const struct nlattr *bad)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct nlmsgerr *err = nlmsg_data(nlh);
	const struct nlattr *m, *o;

	KUNIT_ASSERT_EQ_MSG(test, nlh->nlmsg_type, NLMSG_ERROR,
			    "a reply, not an ack");
	KUNIT_ASSERT_GE(test, nlh->nlmsg_len, nlmsg_msg_size(sizeof(*err)));
	KUNIT_EXPECT_EQ_MSG(test, err->error, want, "message: %s",
			    ctf_test_ack_msg(nlh));
	m = nla_find(nlmsg_attrdata(nlh, sizeof(*err)),
		     nlmsg_attrlen(nlh, sizeof(*err)), NLMSGERR_ATTR_MSG);
	o = nla_find(nlmsg_attrdata(nlh, sizeof(*err)),
		     nlmsg_attrlen(nlh, sizeof(*err)), NLMSGERR_ATTR_OFFS);
	if (msg) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, m, "no extack message, want \"%s\"",
					  msg);
		KUNIT_EXPECT_STREQ(test, (const char *)nla_data(m), msg);
	} else {
		KUNIT_EXPECT_NULL_MSG(test, m, "unexpected message: %s",
				      ctf_test_ack_msg(nlh));
	}
	if (bad) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, o, "the ack points at no attribute");
		KUNIT_EXPECT_EQ(test, nla_get_u32(o),
				(u32)((const u8 *)bad - ctx->skb->data));
	} else {
		KUNIT_EXPECT_NULL(test, o);
	}
}

/* @nlh must be a reply of our family to @cmd. */
static void ctf_test_expect_reply(struct kunit *test, const struct nlmsghdr *nlh,
				  u8 cmd)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct genlmsghdr *hdr = nlmsg_data(nlh);

	KUNIT_ASSERT_NE_MSG(test, nlh->nlmsg_type, NLMSG_ERROR,
			    "refused: %d %s",
			    ((const struct nlmsgerr *)nlmsg_data(nlh))->error,
			    ctf_test_ack_msg(nlh));
	KUNIT_ASSERT_EQ(test, nlh->nlmsg_type, ctx->family);
	KUNIT_ASSERT_GE(test, nlh->nlmsg_len, nlmsg_msg_size(GENL_HDRLEN));
	KUNIT_EXPECT_EQ(test, hdr->cmd, cmd);
	KUNIT_EXPECT_EQ(test, hdr->version, CTFAILOVER_GENL_VERSION);
}

/* The attributes of a reply to @cmd, strictly by @policy. */
static void ctf_test_reply_parse(struct kunit *test, const struct nlmsghdr *nlh,
				 u8 cmd, const struct nla_policy *policy,
				 struct nlattr **tb)
{
	struct netlink_ext_ack extack = {};
	int ret;

	ctf_test_expect_reply(test, nlh, cmd);
	ret = nlmsg_parse(nlh, GENL_HDRLEN, tb, CTF_A_MAX, policy, &extack);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "reply does not parse: %s",
			    extack._msg ?: "(no message)");
}

static const struct nla_policy ctf_test_be_policy[CTF_BA_MAX + 1] = {
	[CTF_BA_ADDR4]		= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[CTF_BA_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[CTF_BA_NAME]		= { .type = NLA_NUL_STRING, .len = CTF_NAME_MAX - 1 },
	[CTF_BA_EPOCH]		= NLA_POLICY_MIN(NLA_U32, 1),
	[CTF_BA_STATE]		= NLA_POLICY_MAX(NLA_U8, CTF_STATE_MAX),
	[CTF_BA_TAGGED]		= { .type = NLA_U64 },
	[CTF_BA_STALE_HITS]	= { .type = NLA_U64 },
	[CTF_BA_EVICTED]	= { .type = NLA_U64 },
	[CTF_BA_PAD]		= { .type = NLA_BINARY },
};

static const struct nla_policy ctf_test_be_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_BACKEND]	= NLA_POLICY_NESTED(ctf_test_be_policy),
};

static const struct nla_policy ctf_test_st_policy[CTF_ST_MAX + 1] = {
	[CTF_ST_BACKENDS]	= { .type = NLA_U32 },
	[CTF_ST_TAGGED]		= { .type = NLA_U64 },
	[CTF_ST_STALE_HITS]	= { .type = NLA_U64 },
	[CTF_ST_EVICTED]	= { .type = NLA_U64 },
	[CTF_ST_SWEEPS]		= { .type = NLA_U64 },
	[CTF_ST_UNTAGGABLE]	= { .type = NLA_U64 },
	[CTF_ST_PAD]		= { .type = NLA_BINARY },
};

static const struct nla_policy ctf_test_stats_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_STATS]		= NLA_POLICY_NESTED(ctf_test_st_policy),
	[CTF_A_LABEL_WORD]	= NLA_POLICY_MAX(NLA_U8, 3),
	[CTF_A_SWEEP_DELAY_MS]	= { .type = NLA_U32 },
};

static const struct nla_policy ctf_test_port_policy[CTF_A_MAX + 1] = {
	[CTF_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy ctf_test_ports_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_PORTS]	= NLA_POLICY_NESTED(ctf_test_port_policy),
};

static const struct nla_policy ctf_test_ev_policy[CTF_EV_MAX + 1] = {
	[CTF_EV_SCANNED]	= { .type = NLA_U64 },
	[CTF_EV_EVICTED]	= { .type = NLA_U64 },
	[CTF_EV_USEC]		= { .type = NLA_U64 },
	[CTF_EV_PAD]		= { .type = NLA_BINARY },
};

static const struct nla_policy ctf_test_evict_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_EVICT]	= NLA_POLICY_NESTED(ctf_test_ev_policy),
};

/* A backend as a request gives it: NULL, 0 or CTF_NONE leave a field out. */
struct ctf_test_be {
	const char *addr;
	const char *name;
	u32 epoch;
	s8 state;
};

/* A backend as a reply reports it. */
struct ctf_test_be_reply {
	u8 family;
	union nf_inet_addr addr;
	bool has_name;
	char name[CTF_NAME_MAX];
	u32 epoch;
	u8 state;
	u64 tagged;
	u64 stale_hits;
	u64 evicted;
};

/*
 * A request @cmd for the backend @be; returns the answer. DEL has no
 * reply: it asks for an ack. *nestp: its CTF_A_BACKEND, for offsets.
 */
static struct nlmsghdr *ctf_test_backend_req(struct kunit *test, u8 cmd,
					     const struct ctf_test_be *be,
					     const struct nlattr **nestp)
{
	struct ctf_test_ctx *ctx = test->priv;
	u16 flags = cmd == CTF_CMD_BACKEND_DEL ? NLM_F_ACK : 0;
	union nf_inet_addr addr;
	struct nlmsghdr *req;
	struct nlattr *nest;
	u8 family;
	int ret;

	ctf_test_addr(test, be->addr, &family, &addr);
	req = ctf_test_req(test, ctx->family, cmd, flags, 0);
	nest = nla_nest_start(ctx->skb, CTF_A_BACKEND);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	if (family == NFPROTO_IPV4)
		ret = nla_put_in_addr(ctx->skb, CTF_BA_ADDR4, addr.ip);
	else
		ret = nla_put_in6_addr(ctx->skb, CTF_BA_ADDR6, &addr.in6);
	if (!ret && be->name)
		ret = nla_put_string(ctx->skb, CTF_BA_NAME, be->name);
	if (!ret && be->epoch)
		ret = nla_put_u32(ctx->skb, CTF_BA_EPOCH, be->epoch);
	if (!ret && be->state != CTF_NONE)
		ret = nla_put_u8(ctx->skb, CTF_BA_STATE, be->state);
	KUNIT_ASSERT_EQ(test, ret, 0);
	nla_nest_end(ctx->skb, nest);
	if (nestp)
		*nestp = nest;
	return ctf_test_call(test, req);
}

/* Only the address: the key of GET, DEL and BUMP. */
static struct nlmsghdr *ctf_test_backend_key_req(struct kunit *test, u8 cmd,
						 const char *addr,
						 const struct nlattr **nestp)
{
	const struct ctf_test_be key = { .addr = addr, .state = CTF_NONE };

	return ctf_test_backend_req(test, cmd, &key, nestp);
}

/* The backend in a reply to @cmd. */
static void ctf_test_be_parse(struct kunit *test, const struct nlmsghdr *nlh,
			      u8 cmd, struct ctf_test_be_reply *r)
{
	struct nlattr *tb[CTF_A_MAX + 1], *ba[CTF_BA_MAX + 1];
	int ret;

	ctf_test_reply_parse(test, nlh, cmd, ctf_test_be_reply_policy, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_BACKEND]);
	ret = nla_parse_nested(ba, CTF_BA_MAX, tb[CTF_A_BACKEND],
			       ctf_test_be_policy, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	memset(r, 0, sizeof(*r));
	KUNIT_ASSERT_TRUE_MSG(test, !ba[CTF_BA_ADDR4] != !ba[CTF_BA_ADDR6],
			      "a backend has exactly one address");
	if (ba[CTF_BA_ADDR4]) {
		r->family = NFPROTO_IPV4;
		r->addr.ip = nla_get_in_addr(ba[CTF_BA_ADDR4]);
	} else {
		r->family = NFPROTO_IPV6;
		r->addr.in6 = nla_get_in6_addr(ba[CTF_BA_ADDR6]);
	}
	if (ba[CTF_BA_NAME]) {
		r->has_name = true;
		nla_strscpy(r->name, ba[CTF_BA_NAME], sizeof(r->name));
	}
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_EPOCH]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_STATE]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_TAGGED]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_STALE_HITS]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_EVICTED]);
	r->epoch = nla_get_u32(ba[CTF_BA_EPOCH]);
	r->state = nla_get_u8(ba[CTF_BA_STATE]);
	r->tagged = nla_get_u64(ba[CTF_BA_TAGGED]);
	r->stale_hits = nla_get_u64(ba[CTF_BA_STALE_HITS]);
	r->evicted = nla_get_u64(ba[CTF_BA_EVICTED]);
}

/* The reply @r reports the backend @want (all of its fields given). */
static void ctf_test_expect_be(struct kunit *test,
			       const struct ctf_test_be_reply *r,
			       const struct ctf_test_be *want)
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
	KUNIT_EXPECT_EQ(test, r->state, want->state);
}

struct ctf_test_stats {
	u32 backends;
	u64 tagged;
	u64 stale_hits;
	u64 evicted;
	u64 sweeps;
	u64 untaggable;
	u8 label_word;
	u32 sweep_delay_ms;
};

static void ctf_test_stats_get(struct kunit *test, struct ctf_test_stats *st)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *tb[CTF_A_MAX + 1], *s[CTF_ST_MAX + 1];
	struct nlmsghdr *nlh;
	int ret, i;

	nlh = ctf_test_req(test, ctx->family, CTF_CMD_STATS_GET, 0, 0);
	nlh = ctf_test_call(test, nlh);
	ctf_test_reply_parse(test, nlh, CTF_CMD_STATS_GET,
			     ctf_test_stats_reply_policy, tb);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_STATS]);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_LABEL_WORD]);
	KUNIT_ASSERT_NOT_NULL(test, tb[CTF_A_SWEEP_DELAY_MS]);
	ret = nla_parse_nested(s, CTF_ST_MAX, tb[CTF_A_STATS],
			       ctf_test_st_policy, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = CTF_ST_BACKENDS; i <= CTF_ST_UNTAGGABLE; i++)
		KUNIT_ASSERT_NOT_NULL_MSG(test, s[i], "no stats attribute %d", i);
	st->backends = nla_get_u32(s[CTF_ST_BACKENDS]);
	st->tagged = nla_get_u64(s[CTF_ST_TAGGED]);
	st->stale_hits = nla_get_u64(s[CTF_ST_STALE_HITS]);
	st->evicted = nla_get_u64(s[CTF_ST_EVICTED]);
	st->sweeps = nla_get_u64(s[CTF_ST_SWEEPS]);
	st->untaggable = nla_get_u64(s[CTF_ST_UNTAGGABLE]);
	st->label_word = nla_get_u8(tb[CTF_A_LABEL_WORD]);
	st->sweep_delay_ms = nla_get_u32(tb[CTF_A_SWEEP_DELAY_MS]);
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

/* CONFIG_SET with an ack: @word and @delay unless CTF_NONE. */
static struct nlmsghdr *ctf_test_config_set(struct kunit *test, int word,
					    s64 delay)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *req;

	req = ctf_test_req(test, ctx->family, CTF_CMD_CONFIG_SET, NLM_F_ACK, 0);
	if (word != CTF_NONE)
		KUNIT_ASSERT_EQ(test, nla_put_u8(ctx->skb, CTF_A_LABEL_WORD, word), 0);
	if (delay != CTF_NONE)
		KUNIT_ASSERT_EQ(test, nla_put_u32(ctx->skb, CTF_A_SWEEP_DELAY_MS,
						  delay), 0);
	return ctf_test_call(test, req);
}

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

/*
 * Suite ctfailover_policy: malformed requests, from a table.
 *
 * A request is a script of attributes (ctf_test_attr), so the table can say
 * byte for byte what is sent: wrong lengths, missing NULs, unknown types,
 * nests without NLA_F_NESTED. Every case must be refused with its errno
 * and its exact extack message (none only for the core's -EPERM), the ack
 * must point at the offending attribute (or at none, where the module
 * reports a missing one), and the namespace must be exactly as before:
 * backends, ports, label word, sweep delay, and the arranged backend's
 * epoch, state and name.
 */

enum ctf_test_op {
	CTF_OP_END,		/* zero: a script ends itself */
	CTF_OP_PUT,		/* one attribute: type, len bytes of data */
	CTF_OP_NEST,		/* open a nest of type, with NLA_F_NESTED */
	CTF_OP_NEST_NOFLAG,	/* ... without NLA_F_NESTED */
	CTF_OP_NEST_END,	/* close the innermost nest */
	CTF_OP_PORT_SEQ,	/* len CTF_A_PORT attributes: 1, 2, ... len */
};

struct ctf_test_attr {
	u8 op;
	u16 type;
	u16 len;
	const void *data;
};

#define CTF_T_BYTES(t, ...)	{ CTF_OP_PUT, t, sizeof((const u8[]){ __VA_ARGS__ }), \
				  (const u8[]){ __VA_ARGS__ } }
#define CTF_T_U8(t, v)		{ CTF_OP_PUT, t, sizeof(u8), &(const u8){ v } }
#define CTF_T_U16(t, v)		{ CTF_OP_PUT, t, sizeof(u16), &(const u16){ v } }
#define CTF_T_U32(t, v)		{ CTF_OP_PUT, t, sizeof(u32), &(const u32){ v } }
#define CTF_T_U64(t, v)		{ CTF_OP_PUT, t, sizeof(u64), &(const u64){ v } }
#define CTF_T_STR(t, s)		{ CTF_OP_PUT, t, sizeof(s), s }
#define CTF_T_EMPTY(t)		{ CTF_OP_PUT, t, 0, "" }
#define CTF_T_NEST(t)		{ CTF_OP_NEST, t }
#define CTF_T_NEST_NOFLAG(t)	{ CTF_OP_NEST_NOFLAG, t }
#define CTF_T_END		{ CTF_OP_NEST_END }
#define CTF_T_PORT_SEQ(n)	{ CTF_OP_PORT_SEQ, CTF_A_PORT, n }

/* The arranged backend, and addresses that are no backend. */
#define CTF_TEST_ADDR4		"192.0.2.1"
#define CTF_T_ADDR4		CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2, 1)
#define CTF_T_ADDR4_OTHER	CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2, 99)
#define CTF_T_ADDR6		CTF_T_BYTES(CTF_BA_ADDR6, 0x20, 0x01, 0x0d, 0xb8, \
					    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
/* ::ffff:192.0.2.1, the arranged backend's address as an IPv6 one */
#define CTF_T_ADDR6_MAPPED	CTF_T_BYTES(CTF_BA_ADDR6, 0, 0, 0, 0, 0, 0, 0, 0, \
					    0, 0, 0xff, 0xff, 192, 0, 2, 1)
#define CTF_T_BACKEND		CTF_T_NEST(CTF_A_BACKEND)
#define CTF_T_PORTS		CTF_T_NEST(CTF_A_PORTS)

#define CTF_TEST_NAME31		"sbc-0123456789abcdef0123456789a"
#define CTF_TEST_NAME32		"sbc-0123456789abcdef0123456789ab"

/* Messages of the netlink core (lib/nlattr.c, 6.1) ... */
#define CTF_MSG_BIN_RANGE	"binary attribute size out of range"
#define CTF_MSG_INT_RANGE	"integer out of range"
#define CTF_MSG_POLICY		"Attribute failed policy validation"
#define CTF_MSG_UNSUPPORTED	"Unsupported attribute"
#define CTF_MSG_UNKNOWN		"Unknown attribute type"
#define CTF_MSG_LEN		"invalid attribute length"
#define CTF_MSG_NOT_NESTED	"NLA_F_NESTED is missing"
/* ... and of the module (netlink.c). */
#define CTF_MSG_ONE_ADDR	"need exactly one of CTF_BA_ADDR4, CTF_BA_ADDR6"
#define CTF_MSG_NO_BACKEND	"missing CTF_A_BACKEND"
#define CTF_MSG_UNKNOWN_ADDR	"no backend at this address"
#define CTF_MSG_NO_PORTS	"missing CTF_A_PORTS"
#define CTF_MSG_DUP_PORT	"duplicate port"
#define CTF_MSG_MANY_PORTS	"too many ports (CTF_MAX_PORTS)"
#define CTF_MSG_EMPTY_PORTS	"empty port set"
#define CTF_MSG_NOTHING		"nothing to set (CTF_A_LABEL_WORD, CTF_A_SWEEP_DELAY_MS)"
#define CTF_MSG_BUSY		"label word can change only while there are no backends"
#define CTF_MSG_FULL		"too many backends (CTF_MAX_BACKENDS)"

/* Where an ack must point: the last attribute of @type at @depth. */
struct ctf_test_where {
	u8 depth;		/* 0: at nothing; 1: top level; 2: in a nest */
	u16 type;
};

#define CTF_AT_TOP(t)		{ 1, t }
#define CTF_AT_NEST(t)		{ 2, t }

#define CTF_TEST_MAX_ATTRS	8

static const struct ctf_policy_case {
	const char *desc;
	u8 cmd;
	bool backend;		/* arrange: a backend at CTF_TEST_ADDR4 */
	struct ctf_test_attr attrs[CTF_TEST_MAX_ATTRS];
	int want;		/* the errno acked */
	const char *msg;	/* its extack message */
	struct ctf_test_where at;
	u16 flags;		/* on top of NLM_F_REQUEST */
	bool unprivileged;	/* sent without CAP_NET_ADMIN */
} ctf_policy_cases[] = {
	/* BACKEND_SET: the address */
	{ "set-addr4-3-bytes", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR4) },
	{ "set-addr4-5-bytes", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2, 1, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR4) },
	{ "set-addr6-15-bytes", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR6) },
	{ "set-addr6-as-addr4", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR6, 192, 0, 2, 1), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR6) },
	{ "set-both-addrs", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_ADDR6, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "set-no-addr", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "set-empty-nest", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "set-no-backend", CTF_CMD_BACKEND_SET, false, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "set-nest-without-flag", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_NEST_NOFLAG(CTF_A_BACKEND), CTF_T_ADDR4, CTF_T_END },
	  -EINVAL, CTF_MSG_NOT_NESTED, CTF_AT_TOP(CTF_A_BACKEND) },
	/* BACKEND_SET: the other fields */
	{ "set-name-32-chars", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, CTF_TEST_NAME32),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_POLICY, CTF_AT_NEST(CTF_BA_NAME) },
	{ "set-name-without-nul", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_BYTES(CTF_BA_NAME, 's', 'b', 'c'),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_POLICY, CTF_AT_NEST(CTF_BA_NAME) },
	{ "set-name-zero-bytes", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_EMPTY(CTF_BA_NAME), CTF_T_END },
	  -EINVAL, CTF_MSG_POLICY, CTF_AT_NEST(CTF_BA_NAME) },
	{ "set-epoch-0", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-epoch-0-existing", CTF_CMD_BACKEND_SET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-epoch-u16", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U16(CTF_BA_EPOCH, 2), CTF_T_END },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-state-3", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 3), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_STATE) },
	{ "set-state-3-existing", CTF_CMD_BACKEND_SET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 3),
	    CTF_T_STR(CTF_BA_NAME, "new"), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_STATE) },
	{ "set-state-u32", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_STATE, 1), CTF_T_END },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_NEST(CTF_BA_STATE) },
	/* BACKEND_SET: reply-only and unknown attributes */
	{ "set-tagged", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U64(CTF_BA_TAGGED, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_TAGGED) },
	{ "set-stale-hits", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U64(CTF_BA_STALE_HITS, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_STALE_HITS) },
	{ "set-evicted", CTF_CMD_BACKEND_SET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U64(CTF_BA_EVICTED, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EVICTED) },
	{ "set-pad", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_EMPTY(CTF_BA_PAD), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_PAD) },
	{ "set-nested-type-0", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_UNSPEC, 1), CTF_T_END },
	  -EINVAL, CTF_MSG_UNKNOWN, CTF_AT_NEST(CTF_BA_UNSPEC) },
	{ "set-nested-above-max", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_MAX + 1, 1), CTF_T_END },
	  -EINVAL, CTF_MSG_UNKNOWN, CTF_AT_NEST(CTF_BA_MAX + 1) },
	{ "set-top-label-word", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END, CTF_T_U8(CTF_A_LABEL_WORD, 0) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "set-top-ports", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END, CTF_T_PORTS,
	    CTF_T_U16(CTF_A_PORT, 5060), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_PORTS) },
	{ "set-top-info-version", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END,
	    CTF_T_STR(CTF_A_INFO_VERSION, CTFAILOVER_VERSION) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_INFO_VERSION) },
	{ "set-top-above-max", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END, CTF_T_U32(CTF_A_MAX + 1, 0) },
	  -EINVAL, CTF_MSG_UNKNOWN, CTF_AT_TOP(CTF_A_MAX + 1) },
	/* BACKEND_GET, _DEL, _BUMP: the address is the key, and all of it */
	{ "get-name", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_NAME) },
	{ "get-epoch", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 41), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "get-state", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_STATE) },
	{ "get-unknown-addr4", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4_OTHER, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-unknown-addr6", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR6, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-v4-mapped", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR6_MAPPED, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-no-backend", CTF_CMD_BACKEND_GET, true, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "get-both-addrs", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_ADDR6, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-addr4-3-bytes", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR4) },
	{ "del-name", CTF_CMD_BACKEND_DEL, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_NAME) },
	{ "del-epoch", CTF_CMD_BACKEND_DEL, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 41), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "del-unknown-addr", CTF_CMD_BACKEND_DEL, true,
	  { CTF_T_BACKEND, CTF_T_ADDR6, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "del-no-backend", CTF_CMD_BACKEND_DEL, true, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "del-both-addrs", CTF_CMD_BACKEND_DEL, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_ADDR6, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "bump-name", CTF_CMD_BACKEND_BUMP, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_NAME) },
	{ "bump-epoch", CTF_CMD_BACKEND_BUMP, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 41), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "bump-state", CTF_CMD_BACKEND_BUMP, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 2), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_STATE) },
	{ "bump-unknown-addr", CTF_CMD_BACKEND_BUMP, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4_OTHER, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "bump-no-backend", CTF_CMD_BACKEND_BUMP, true, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "bump-empty-nest", CTF_CMD_BACKEND_BUMP, true,
	  { CTF_T_BACKEND, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	/* PORTS_SET */
	{ "ports-zero", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5080), CTF_T_U16(CTF_A_PORT, 0),
	    CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-duplicate", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5060), CTF_T_U16(CTF_A_PORT, 5080),
	    CTF_T_U16(CTF_A_PORT, 5060), CTF_T_END },
	  -EINVAL, CTF_MSG_DUP_PORT, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-65", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_PORT_SEQ(CTF_MAX_PORTS + 1), CTF_T_END },
	  -E2BIG, CTF_MSG_MANY_PORTS, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-empty-nest", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_END },
	  -EINVAL, CTF_MSG_EMPTY_PORTS, CTF_AT_TOP(CTF_A_PORTS) },
	{ "ports-missing", CTF_CMD_PORTS_SET, false, {},
	  -EINVAL, CTF_MSG_NO_PORTS },
	{ "ports-u32", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_U32(CTF_A_PORT, 5080), CTF_T_END },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-foreign-attr", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5080), CTF_T_U8(CTF_A_LABEL_WORD, 0),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_A_LABEL_WORD) },
	{ "ports-nest-without-flag", CTF_CMD_PORTS_SET, false,
	  { CTF_T_NEST_NOFLAG(CTF_A_PORTS), CTF_T_U16(CTF_A_PORT, 5080), CTF_T_END },
	  -EINVAL, CTF_MSG_NOT_NESTED, CTF_AT_TOP(CTF_A_PORTS) },
	{ "ports-top-level-port", CTF_CMD_PORTS_SET, false,
	  { CTF_T_U16(CTF_A_PORT, 5080) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_PORT) },
	/* CONFIG_SET */
	{ "config-word-4", CTF_CMD_CONFIG_SET, false,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 4) },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "config-word-u32", CTF_CMD_CONFIG_SET, false,
	  { CTF_T_U32(CTF_A_LABEL_WORD, 1) },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "config-delay-3600001", CTF_CMD_CONFIG_SET, false,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, CTF_MAX_SWEEP_DELAY_MS + 1) },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_TOP(CTF_A_SWEEP_DELAY_MS) },
	{ "config-delay-bad-word-good", CTF_CMD_CONFIG_SET, false,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 1),
	    CTF_T_U32(CTF_A_SWEEP_DELAY_MS, CTF_MAX_SWEEP_DELAY_MS + 1) },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_TOP(CTF_A_SWEEP_DELAY_MS) },
	{ "config-nothing", CTF_CMD_CONFIG_SET, false, {},
	  -EINVAL, CTF_MSG_NOTHING },
	{ "config-word-busy", CTF_CMD_CONFIG_SET, true,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 2) },
	  -EBUSY, CTF_MSG_BUSY, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	/* All or nothing: the valid delay must not be applied either. */
	{ "config-word-busy-with-delay", CTF_CMD_CONFIG_SET, true,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5), CTF_T_U8(CTF_A_LABEL_WORD, 2) },
	  -EBUSY, CTF_MSG_BUSY, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "config-foreign-attr", CTF_CMD_CONFIG_SET, false,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5), CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_BACKEND) },
	/* Commands that take no attribute */
	{ "ports-get-attr", CTF_CMD_PORTS_GET, false,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5060), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_PORTS) },
	{ "stats-attr", CTF_CMD_STATS_GET, false,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 3) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "evict-attr", CTF_CMD_EVICT, true,
	  { CTF_T_NEST(CTF_A_EVICT), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_EVICT) },
	{ "info-attr", CTF_CMD_GET_INFO, false,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_SWEEP_DELAY_MS) },
	/*
	 * Without CAP_NET_ADMIN every command but GET_INFO is refused, before
	 * its attributes are even looked at (the core gives no message).
	 */
	{ "eperm-backend-set", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-set-malformed", CTF_CMD_BACKEND_SET, false,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 0), CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-get", CTF_CMD_BACKEND_GET, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-dump", CTF_CMD_BACKEND_GET, true, {},
	  -EPERM, NULL, {}, NLM_F_DUMP, true },
	{ "eperm-backend-del", CTF_CMD_BACKEND_DEL, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-bump", CTF_CMD_BACKEND_BUMP, true,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-ports-set", CTF_CMD_PORTS_SET, false,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5080), CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-ports-get", CTF_CMD_PORTS_GET, false, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-evict", CTF_CMD_EVICT, true, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-stats-get", CTF_CMD_STATS_GET, false, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-config-set", CTF_CMD_CONFIG_SET, false,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5) },
	  -EPERM, NULL, {}, 0, true },
};

static void ctf_policy_desc(const struct ctf_policy_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_policy, ctf_policy_cases, ctf_policy_desc);

/*
 * Append @script to the request in ctx->skb. Returns the attribute the ack
 * must point at: the last of @at's type at @at's depth (NULL: none).
 */
static const struct nlattr *ctf_test_put_script(struct kunit *test,
						const struct ctf_test_attr *script,
						struct ctf_test_where at)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *nests[2], *attr = NULL, *bad = NULL;
	unsigned int depth = 0, level, i, j;

	for (i = 0; i < CTF_TEST_MAX_ATTRS && script[i].op != CTF_OP_END; i++) {
		const struct ctf_test_attr *a = &script[i];

		level = depth + 1;
		switch (a->op) {
		case CTF_OP_PUT:
			attr = (struct nlattr *)skb_tail_pointer(ctx->skb);
			KUNIT_ASSERT_EQ(test, nla_put(ctx->skb, a->type, a->len,
						      a->data), 0);
			break;
		case CTF_OP_NEST:
		case CTF_OP_NEST_NOFLAG:
			KUNIT_ASSERT_LT(test, depth, ARRAY_SIZE(nests));
			attr = a->op == CTF_OP_NEST ?
			       nla_nest_start(ctx->skb, a->type) :
			       nla_nest_start_noflag(ctx->skb, a->type);
			KUNIT_ASSERT_NOT_NULL(test, attr);
			nests[depth++] = attr;
			break;
		case CTF_OP_NEST_END:
			KUNIT_ASSERT_GT(test, depth, 0);
			nla_nest_end(ctx->skb, nests[--depth]);
			continue;
		case CTF_OP_PORT_SEQ:
			for (j = 1; j <= a->len; j++) {
				attr = (struct nlattr *)skb_tail_pointer(ctx->skb);
				KUNIT_ASSERT_EQ(test, nla_put_u16(ctx->skb, a->type, j), 0);
			}
			break;
		default:
			KUNIT_ASSERT_FAILURE(test, "unknown op %u", a->op);
		}
		if (at.depth == level && at.type == a->type)
			bad = attr;
	}
	KUNIT_ASSERT_EQ_MSG(test, depth, 0, "the script leaves a nest open");
	KUNIT_ASSERT_TRUE_MSG(test, !at.depth || bad,
			      "the script has no attribute %u at depth %u",
			      at.type, at.depth);
	return bad;
}

/* What a refused request must leave alone. */
struct ctf_test_snap {
	unsigned int nbackends;
	u8 nports;
	u16 ports[CTF_MAX_PORTS];
	u8 label_word;
	u32 sweep_delay_ms;
	bool arranged;		/* the backend at CTF_TEST_ADDR4 exists */
	u32 epoch;
	u8 state;
	char name[CTF_NAME_MAX];
};

static void ctf_test_snap(struct kunit *test, struct ctf_net *cn,
			  struct ctf_test_snap *s)
{
	union nf_inet_addr addr;
	struct ctf_backend *b;
	u8 family;

	memset(s, 0, sizeof(*s));
	ctf_test_addr(test, CTF_TEST_ADDR4, &family, &addr);
	mutex_lock(&cn->lock);
	s->nbackends = cn->nbackends;
	s->nports = cn->nports;
	memcpy(s->ports, cn->ports, cn->nports * sizeof(cn->ports[0]));
	s->label_word = cn->label_word;
	s->sweep_delay_ms = cn->sweep_delay_ms;
	b = ctf_backend_find(cn, family, &addr);
	if (b) {
		s->arranged = true;
		s->epoch = b->epoch;
		s->state = b->state;
		strscpy(s->name, b->name, sizeof(s->name));
	}
	mutex_unlock(&cn->lock);
}

static void ctf_test_expect_unchanged(struct kunit *test,
				      const struct ctf_test_snap *was,
				      const struct ctf_test_snap *is)
{
	KUNIT_EXPECT_EQ(test, is->nbackends, was->nbackends);
	KUNIT_EXPECT_EQ(test, is->nports, was->nports);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(is->ports, was->ports, sizeof(is->ports)),
			    0, "the port set changed");
	KUNIT_EXPECT_EQ(test, is->label_word, was->label_word);
	KUNIT_EXPECT_EQ(test, is->sweep_delay_ms, was->sweep_delay_ms);
	KUNIT_EXPECT_EQ(test, is->arranged, was->arranged);
	KUNIT_EXPECT_EQ(test, is->epoch, was->epoch);
	KUNIT_EXPECT_EQ(test, is->state, was->state);
	KUNIT_EXPECT_STREQ(test, is->name, was->name);
}

static void ctf_policy_test_refused(struct kunit *test)
{
	const struct ctf_policy_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_snap was, is;
	const struct nlattr *bad;
	struct nlmsghdr *req, *nlh;

	/* Arrange */
	if (c->unprivileged)
		ctf_test_connect_unprivileged(test);
	else
		ctf_test_connect(test);
	if (c->backend)
		ctf_test_backend_add(test, ctx->cn, CTF_TEST_ADDR4, 41,
				     CTF_STATE_DRAINING, "arranged");
	ctf_test_snap(test, ctx->cn, &was);
	req = ctf_test_req(test, ctx->family, c->cmd, c->flags, 0);
	bad = ctf_test_put_script(test, c->attrs, c->at);

	/* Act */
	nlh = ctf_test_call(test, req);

	/* Assert */
	ctf_test_expect_ack(test, nlh, c->want, c->msg, bad);
	ctf_test_snap(test, ctx->cn, &is);
	ctf_test_expect_unchanged(test, &was, &is);
}

/* GET_INFO is the one command anybody may send. */
static void ctf_policy_test_info_unprivileged(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect_unprivileged(test);
	nlh = ctf_test_req(test, ctx->family, CTF_CMD_GET_INFO, 0, 0);

	/* Act */
	nlh = ctf_test_call(test, nlh);

	/* Assert */
	ctf_test_expect_reply(test, nlh, CTF_CMD_GET_INFO);
	ctf_test_expect_info(test, nlmsg_attrdata(nlh, GENL_HDRLEN),
			     nlmsg_attrlen(nlh, GENL_HDRLEN));
}

static struct kunit_case ctf_policy_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_policy_test_refused, ctf_policy_gen_params),
	KUNIT_CASE(ctf_policy_test_info_unprivileged),
	{}
};

static struct kunit_suite ctf_policy_test_suite = {
	.name = "ctfailover_policy",
	.init = ctf_test_init_net,
	.exit = ctf_test_exit,
	.test_cases = ctf_policy_test_cases,
};

/*
 * Suite ctfailover_roundtrip: valid requests, and what the module reports
 * back through GET, the dump, STATS_GET and PORTS_GET.
 */

static const struct ctf_rt_backend_case {
	const char *desc;
	struct ctf_test_be before;	/* arrange: set first (addr NULL: no) */
	struct ctf_test_be set;		/* act: BACKEND_SET */
	struct ctf_test_be want;	/* what SET and GET report */
	unsigned int backends;		/* and STATS_GET counts */
} ctf_rt_backend_cases[] = {
	{ "v4-all-fields", {},
	  { "192.0.2.10", "sbc-a", 7, CTF_STATE_DRAINING },
	  { "192.0.2.10", "sbc-a", 7, CTF_STATE_DRAINING }, 1 },
	{ "v4-addr-only", {},
	  { "192.0.2.10", NULL, 0, CTF_NONE },
	  { "192.0.2.10", NULL, 1, CTF_STATE_ACTIVE }, 1 },
	{ "v6-all-fields", {},
	  { "2001:db8::10", "sbc-b", 42, CTF_STATE_ACTIVE },
	  { "2001:db8::10", "sbc-b", 42, CTF_STATE_ACTIVE }, 1 },
	{ "v6-addr-only", {},
	  { "2001:db8::10", NULL, 0, CTF_NONE },
	  { "2001:db8::10", NULL, 1, CTF_STATE_ACTIVE }, 1 },
	{ "name-31-chars", {},
	  { "192.0.2.10", CTF_TEST_NAME31, 0, CTF_NONE },
	  { "192.0.2.10", CTF_TEST_NAME31, 1, CTF_STATE_ACTIVE }, 1 },
	{ "epoch-max-down", {},
	  { "192.0.2.10", NULL, U32_MAX, CTF_STATE_DOWN },
	  { "192.0.2.10", NULL, U32_MAX, CTF_STATE_DOWN }, 1 },
	/* An update changes what it names and keeps the rest. */
	{ "update-state", { "192.0.2.10", "old", 5, CTF_STATE_DRAINING },
	  { "192.0.2.10", NULL, 0, CTF_STATE_ACTIVE },
	  { "192.0.2.10", "old", 5, CTF_STATE_ACTIVE }, 1 },
	{ "update-name", { "192.0.2.10", "old", 5, CTF_STATE_DRAINING },
	  { "192.0.2.10", "new", 0, CTF_NONE },
	  { "192.0.2.10", "new", 5, CTF_STATE_DRAINING }, 1 },
	{ "clear-name", { "192.0.2.10", "old", 5, CTF_STATE_DRAINING },
	  { "192.0.2.10", "", 0, CTF_NONE },
	  { "192.0.2.10", NULL, 5, CTF_STATE_DRAINING }, 1 },
	{ "lower-epoch", { "2001:db8::10", NULL, 9, CTF_STATE_DOWN },
	  { "2001:db8::10", NULL, 3, CTF_NONE },
	  { "2001:db8::10", NULL, 3, CTF_STATE_DOWN }, 1 },
	/* The same four bytes in the other family: another backend. */
	{ "v4-mapped-is-another", { "192.0.2.10", "v4", 5, CTF_STATE_ACTIVE },
	  { "::ffff:192.0.2.10", "v6", 0, CTF_NONE },
	  { "::ffff:192.0.2.10", "v6", 1, CTF_STATE_ACTIVE }, 2 },
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

	/* Arrange */
	ctf_test_connect(test);
	if (c->before.addr) {
		nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &c->before,
					   NULL);
		ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);
	}

	/* Act */
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &c->set, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &set);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->want.addr,
				       NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &get);
	ctf_test_stats_get(test, &st);

	/* Assert */
	ctf_test_expect_be(test, &set, &c->want);
	ctf_test_expect_be(test, &get, &c->want);
	KUNIT_EXPECT_EQ(test, get.tagged, 0);
	KUNIT_EXPECT_EQ(test, get.stale_hits, 0);
	KUNIT_EXPECT_EQ(test, get.evicted, 0);
	KUNIT_EXPECT_EQ(test, st.backends, c->backends);
}

static const struct ctf_rt_bump_case {
	const char *desc;
	const char *addr;
	u32 epoch;		/* before */
	u32 want;		/* after one bump */
} ctf_rt_bump_cases[] = {
	{ "1-to-2", "192.0.2.10", 1, 2 },
	{ "to-max", "192.0.2.10", 0xfffffffe, 0xffffffff },
	{ "max-wraps-to-1", "192.0.2.10", 0xffffffff, 1 },
	{ "v6-41-to-42", "2001:db8::10", 41, 42 },
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
	const struct ctf_test_be want = {
		c->addr, "sbc", c->want, CTF_STATE_DRAINING
	};
	struct ctf_test_be_reply bump, get;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &before, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);

	/* Act */
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_BUMP, c->addr, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_BUMP, &bump);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->addr, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &get);

	/* Assert: the new epoch, everything else kept. */
	ctf_test_expect_be(test, &bump, &want);
	ctf_test_expect_be(test, &get, &want);
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

static void ctf_rt_test_del(struct kunit *test)
{
	const struct ctf_rt_del_case *c = test->param_value;
	const struct ctf_test_be gone = { c->gone, NULL, 0, CTF_NONE };
	const struct ctf_test_be kept = { c->kept, "kept", 3, CTF_STATE_ACTIVE };
	const struct nlattr *nest;
	struct ctf_test_be_reply r;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &gone, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &kept, NULL);
	ctf_test_expect_reply(test, nlh, CTF_CMD_BACKEND_SET);

	/* Act */
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, c->gone, NULL);

	/* Assert */
	ctf_test_expect_ack(test, nlh, 0, NULL, NULL);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->gone, &nest);
	ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_BUMP, c->gone, &nest);
	ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_DEL, c->gone, &nest);
	ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, c->kept, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_GET, &r);
	ctf_test_expect_be(test, &r, &kept);
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.backends, 1);
}

/* Ports from (first, step, n): first + i * step, modulo 2^16. */
static void ctf_test_port_seq(u16 *ports, u16 first, u16 step, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ports[i] = first + i * step;
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

	/* Arrange */
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
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, got[i], ports[i], "port #%u", i);
		KUNIT_EXPECT_TRUE_MSG(test, ctf_port_is_sip(ctx->cn, htons(ports[i])),
				      "port %u is not SIP", ports[i]);
		default_kept |= ports[i] == CTF_DEFAULT_SIP_PORT;
	}
	KUNIT_EXPECT_EQ(test, bitmap_weight(ctx->cn->port_map, 65536), c->n);
	KUNIT_EXPECT_EQ(test, ctf_port_is_sip(ctx->cn, htons(CTF_DEFAULT_SIP_PORT)),
			default_kept);
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
	KUNIT_EXPECT_EQ(test, st.tagged, atomic64_read(&ctx->cn->tagged));
	KUNIT_EXPECT_EQ(test, st.stale_hits, atomic64_read(&ctx->cn->stale_hits));
	KUNIT_EXPECT_EQ(test, st.evicted, atomic64_read(&ctx->cn->evicted));
	KUNIT_EXPECT_EQ(test, st.sweeps, atomic64_read(&ctx->cn->sweeps));
	KUNIT_EXPECT_EQ(test, st.untaggable, atomic64_read(&ctx->cn->untaggable));
}

/* Backend number @i of many: even ones 10.x.y.z, odd ones 2001:db8::i. */
static void ctf_test_nth_addr(unsigned int i, u8 *family,
			      union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (i % 2) {
		*family = NFPROTO_IPV6;
		addr->in6.s6_addr32[0] = htonl(0x20010db8);
		addr->in6.s6_addr32[3] = htonl(i);
	} else {
		*family = NFPROTO_IPV4;
		addr->ip = htonl(0x0a000000 | i);
	}
}

/* @n backends, added directly: the dump and the limit need thousands. */
static void ctf_test_add_many(struct kunit *test, struct ctf_net *cn,
			      unsigned int n)
{
	union nf_inet_addr addr;
	struct ctf_backend *b = NULL;
	unsigned int i;
	u8 family;

	mutex_lock(&cn->lock);
	for (i = 0; i < n; i++) {
		ctf_test_nth_addr(i, &family, &addr);
		b = ctf_backend_add(cn, family, &addr);
		if (IS_ERR(b))
			break;
	}
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(b), "backend #%u: %ld", i, PTR_ERR(b));
}

static const struct ctf_rt_dump_case {
	const char *desc;
	unsigned int n;
} ctf_rt_dump_cases[] = {
	{ "none", 0 }, { "one", 1 }, { "two", 2 },
	{ "300", 300 },				/* several datagrams */
	{ "max", CTF_MAX_BACKENDS },		/* every bucket, long chains */
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

static void ctf_rt_test_dump(struct kunit *test)
{
	const struct ctf_rt_dump_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	unsigned int got = 0, rounds = 0, i;
	struct ctf_test_be_reply r;
	struct nlmsghdr *req, *nlh;
	unsigned long *seen;
	bool done = false;
	int len;

	/* Arrange */
	ctf_test_connect(test);
	ctf_test_add_many(test, ctx->cn, c->n);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(CTF_MAX_BACKENDS),
			     sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);

	/* Act: read datagrams until NLMSG_DONE; each read resumes the dump. */
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
			i = ctf_test_nth_of(test, &r);
			KUNIT_ASSERT_LT_MSG(test, i, c->n, "backend #%u was never set", i);
			KUNIT_EXPECT_FALSE_MSG(test, __test_and_set_bit(i, seen),
					       "backend #%u twice", i);
			KUNIT_EXPECT_EQ(test, r.epoch, 1);
			got++;
		}
	}

	/* Assert: every backend exactly once. */
	KUNIT_EXPECT_EQ(test, got, c->n);
	KUNIT_EXPECT_EQ(test, bitmap_weight(seen, CTF_MAX_BACKENDS), c->n);
	if (c->n > 100)
		KUNIT_EXPECT_GT(test, rounds, 1);
}

/* At CTF_MAX_BACKENDS: a new address is refused, an update is not. */
static void ctf_rt_test_full(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	const struct ctf_test_be new = { "192.0.2.200", NULL, 0, CTF_NONE };
	const struct ctf_test_be old = { "10.0.0.2", NULL, 0, CTF_STATE_DRAINING };
	const struct ctf_test_be old_want = { "10.0.0.2", NULL, 1, CTF_STATE_DRAINING };
	const struct nlattr *nest;
	struct ctf_test_be_reply r;
	struct ctf_test_stats st;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect(test);
	ctf_test_add_many(test, ctx->cn, CTF_MAX_BACKENDS);

	/* Act */
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &new, NULL);

	/* Assert */
	ctf_test_expect_ack(test, nlh, -ENOSPC, CTF_MSG_FULL, NULL);
	ctf_test_stats_get(test, &st);
	KUNIT_EXPECT_EQ(test, st.backends, CTF_MAX_BACKENDS);
	nlh = ctf_test_backend_key_req(test, CTF_CMD_BACKEND_GET, new.addr, &nest);
	ctf_test_expect_ack(test, nlh, -ENOENT, CTF_MSG_UNKNOWN_ADDR, nest);
	nlh = ctf_test_backend_req(test, CTF_CMD_BACKEND_SET, &old, NULL);
	ctf_test_be_parse(test, nlh, CTF_CMD_BACKEND_SET, &r);
	ctf_test_expect_be(test, &r, &old_want);
}

static struct kunit_case ctf_roundtrip_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_rt_test_backend, ctf_rt_backend_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_bump, ctf_rt_bump_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_del, ctf_rt_del_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_ports, ctf_rt_ports_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_config, ctf_rt_config_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_stats, ctf_rt_stats_gen_params),
	KUNIT_CASE_PARAM(ctf_rt_test_dump, ctf_rt_dump_gen_params),
	KUNIT_CASE(ctf_rt_test_full),
	{}
};

static struct kunit_suite ctf_roundtrip_test_suite = {
	.name = "ctfailover_roundtrip",
	.init = ctf_test_init_net,
	.exit = ctf_test_exit,
	.test_cases = ctf_roundtrip_test_cases,
};

/*
 * Suite ctfailover_core: the parts with no netlink and no conntrack in
 * them, on values and on a table of our own.
 */

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

/*
 * Suite ctfailover_conntrack: real entries in init_net's conntrack table,
 * made the way ctnetlink_create_conntrack() makes them, with the reply
 * source set to a backend, as DNAT would have set it.
 */

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

kunit_test_suites(&ctf_netlink_test_suite, &ctf_core_test_suite,
		  &ctf_policy_test_suite, &ctf_roundtrip_test_suite,
		  &ctf_conntrack_test_suite);
