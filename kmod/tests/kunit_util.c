// SPDX-License-Identifier: GPL-2.0
/*
 * What the KUnit suites share (kunit_util.h): the per-case context with
 * its .init and .exit, addresses and backends made directly, and a client
 * of the family over a real NETLINK_GENERIC socket.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/inet.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netlink.h>

#include "kunit_util.h"

#define CTF_TEST_BUF_SIZE	8192

/* What userspace may rely on in a GET_INFO reply. */
static const struct nla_policy ctf_test_info_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION]		= { .type = NLA_NUL_STRING },
	[CTF_A_INFO_GENL_VERSION]	= { .type = NLA_U32 },
};

/*
 * Back to the state of a fresh namespace, except the hooks and labels. The
 * epoch counter too: the entries of the case are gone, so no stamp is left
 * that a reused epoch could bring back to life.
 */
static void ctf_test_net_reset(struct ctf_net *cn)
{
	static const u16 port = CTF_DEFAULT_SIP_PORT;

	cancel_delayed_work_sync(&cn->sweep_work);
	mutex_lock(&cn->lock);
	ctf_backend_flush(cn);
	cn->last_epoch = 0;
	ctf_net_set_ports(cn, &port, 1);
	WRITE_ONCE(cn->label_word, CTF_DEFAULT_LABEL_WORD);
	WRITE_ONCE(cn->sweep_delay_ms, CTF_DEFAULT_SWEEP_DELAY_MS);
	mutex_unlock(&cn->lock);
}

int ctf_test_init(struct kunit *test)
{
	struct ctf_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

/* Suites that change init_net's state: every case starts from defaults. */
int ctf_test_init_net(struct kunit *test)
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

/* Runs even when an assertion aborted the case. */
void ctf_test_exit(struct kunit *test)
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
		ctf_net_tables_free(ctx->own);
	}
	kfree_skb(ctx->skb);
	if (ctx->sock)
		sock_release(ctx->sock);
	/* After its socket: a kernel socket holds no reference to it. */
	if (ctx->net)
		put_net(ctx->net);
	if (ctx->cred)
		put_cred(ctx->cred);
}

/* A fresh skb with exactly @room bytes of tailroom. */
struct sk_buff *ctf_test_skb(struct kunit *test, unsigned int room)
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
void ctf_test_addr(struct kunit *test, const char *s, u8 *family,
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

/*
 * A backend added directly, not through a request: at @epoch (0: the
 * namespace's next), then put in @state as is (no transition).
 */
struct ctf_backend *ctf_test_backend_add(struct kunit *test,
					 struct ctf_net *cn, const char *where,
					 u32 epoch, u8 state, const char *name)
{
	union nf_inet_addr addr;
	struct ctf_backend *b;
	u8 family;

	ctf_test_addr(test, where, &family, &addr);
	mutex_lock(&cn->lock);
	b = ctf_backend_add(cn, family, &addr, epoch, state);
	if (!IS_ERR(b))
		strscpy(b->name, name ?: "", sizeof(b->name));
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	return b;
}

/* The backend at @where, removed ones included, or NULL. */
struct ctf_backend *ctf_test_backend_find(struct kunit *test,
					  struct ctf_net *cn, const char *where)
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

/* Remove @b directly, as BACKEND_DEL does (without the grace period). */
void ctf_test_backend_remove(struct kunit *test, struct ctf_net *cn,
			     struct ctf_backend *b)
{
	int ret;

	mutex_lock(&cn->lock);
	ret = ctf_backend_remove(cn, b);
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

void ctf_test_expect_info(struct kunit *test, const struct nlattr *head,
			  int len)
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

void ctf_test_sock_open(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	int one = 1;
	int ret;

	ret = sock_create_kern(ctx->net ?: &init_net, AF_NETLINK, SOCK_RAW,
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
struct nlmsghdr *ctf_test_req(struct kunit *test, u16 family, u8 cmd,
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
void ctf_test_send(struct kunit *test, struct nlmsghdr *req)
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
int ctf_test_recv(struct kunit *test)
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
struct nlmsghdr *ctf_test_xfer(struct kunit *test, struct nlmsghdr *req)
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
struct nlmsghdr *ctf_test_call(struct kunit *test, struct nlmsghdr *req)
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
u16 ctf_test_family(struct kunit *test)
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
void ctf_test_connect(struct kunit *test)
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
void ctf_test_connect_unprivileged(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct cred *cred;

	ctf_test_connect(test);
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	ctx->cred = cred;
}

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
void ctf_test_expect_ack(struct kunit *test, const struct nlmsghdr *nlh,
			 int want, const char *msg, const struct nlattr *bad)
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
void ctf_test_expect_reply(struct kunit *test, const struct nlmsghdr *nlh,
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
void ctf_test_reply_parse(struct kunit *test, const struct nlmsghdr *nlh,
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

/* Not const: the policy field is a plain pointer before 6.2. */
static struct netlink_range_validation ctf_test_epoch_range = {
	.min = 1,
	.max = CTF_EPOCH_MAX,
};

/* 0: no epoch given yet. */
static struct netlink_range_validation ctf_test_last_epoch_range = {
	.min = 0,
	.max = CTF_EPOCH_MAX,
};

static const struct nla_policy ctf_test_be_policy[CTF_BA_MAX + 1] = {
	[CTF_BA_ADDR4]		= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[CTF_BA_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[CTF_BA_NAME]		= { .type = NLA_NUL_STRING, .len = CTF_NAME_MAX - 1 },
	[CTF_BA_EPOCH]		= NLA_POLICY_FULL_RANGE(NLA_U32, &ctf_test_epoch_range),
	[CTF_BA_STATE]		= NLA_POLICY_MAX(NLA_U8, CTF_STATE_MAX),
	[CTF_BA_TAGGED]		= { .type = NLA_U64 },
	[CTF_BA_STALE_HITS]	= { .type = NLA_U64 },
	[CTF_BA_EVICTED]	= { .type = NLA_U64 },
	[CTF_BA_PAD]		= { .type = NLA_BINARY },
	[CTF_BA_UNSTAMPED_EPOCH] = NLA_POLICY_FULL_RANGE(NLA_U32, &ctf_test_epoch_range),
	[CTF_BA_ALIAS_EPOCH]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ctf_test_epoch_range),
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
	[CTF_ST_FOREIGN]	= { .type = NLA_U64 },
	[CTF_ST_LAST_EPOCH]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ctf_test_last_epoch_range),
	[CTF_ST_SWEEP_RESTARTS]	= { .type = NLA_U64 },
	[CTF_ST_LATE]		= { .type = NLA_U64 },
	[CTF_ST_MAY_BE_STALE]	= NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy ctf_test_stats_reply_policy[CTF_A_MAX + 1] = {
	[CTF_A_STATS]		= NLA_POLICY_NESTED(ctf_test_st_policy),
	[CTF_A_LABEL_WORD]	= NLA_POLICY_MAX(NLA_U8, 3),
	[CTF_A_SWEEP_DELAY_MS]	= { .type = NLA_U32 },
};

/*
 * A request @cmd for the backend @be; returns the answer. DEL has no
 * reply: it asks for an ack. *nestp: its CTF_A_BACKEND, for offsets.
 */
struct nlmsghdr *ctf_test_backend_req(struct kunit *test, u8 cmd,
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
	if (!ret && be->adopt)
		ret = nla_put_flag(ctx->skb, CTF_BA_ADOPT);
	KUNIT_ASSERT_EQ(test, ret, 0);
	nla_nest_end(ctx->skb, nest);
	if (nestp)
		*nestp = nest;
	return ctf_test_call(test, req);
}

/* Only the address: the key of GET, DEL and BUMP. */
struct nlmsghdr *ctf_test_backend_key_req(struct kunit *test, u8 cmd,
					  const char *addr,
					  const struct nlattr **nestp)
{
	const struct ctf_test_be key = { .addr = addr, .state = CTF_NONE };

	return ctf_test_backend_req(test, cmd, &key, nestp);
}

/* The backend in a reply to @cmd. */
void ctf_test_be_parse(struct kunit *test, const struct nlmsghdr *nlh, u8 cmd,
		       struct ctf_test_be_reply *r)
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
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_UNSTAMPED_EPOCH]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_STATE]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_TAGGED]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_STALE_HITS]);
	KUNIT_ASSERT_NOT_NULL(test, ba[CTF_BA_EVICTED]);
	r->epoch = nla_get_u32(ba[CTF_BA_EPOCH]);
	r->unstamped_epoch = nla_get_u32(ba[CTF_BA_UNSTAMPED_EPOCH]);
	r->state = nla_get_u8(ba[CTF_BA_STATE]);
	r->tagged = nla_get_u64(ba[CTF_BA_TAGGED]);
	r->stale_hits = nla_get_u64(ba[CTF_BA_STALE_HITS]);
	r->evicted = nla_get_u64(ba[CTF_BA_EVICTED]);
}

void ctf_test_stats_get(struct kunit *test, struct ctf_test_stats *st)
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
	for (i = CTF_ST_BACKENDS; i <= CTF_ST_MAX; i++)
		if (i != CTF_ST_PAD)
			KUNIT_ASSERT_NOT_NULL_MSG(test, s[i], "no stats attribute %d", i);
	st->backends = nla_get_u32(s[CTF_ST_BACKENDS]);
	st->tagged = nla_get_u64(s[CTF_ST_TAGGED]);
	st->stale_hits = nla_get_u64(s[CTF_ST_STALE_HITS]);
	st->evicted = nla_get_u64(s[CTF_ST_EVICTED]);
	st->sweeps = nla_get_u64(s[CTF_ST_SWEEPS]);
	st->untaggable = nla_get_u64(s[CTF_ST_UNTAGGABLE]);
	st->foreign = nla_get_u64(s[CTF_ST_FOREIGN]);
	st->last_epoch = nla_get_u32(s[CTF_ST_LAST_EPOCH]);
	st->sweep_restarts = nla_get_u64(s[CTF_ST_SWEEP_RESTARTS]);
	st->late = nla_get_u64(s[CTF_ST_LATE]);
	st->may_be_stale = nla_get_u8(s[CTF_ST_MAY_BE_STALE]);
	st->label_word = nla_get_u8(tb[CTF_A_LABEL_WORD]);
	st->sweep_delay_ms = nla_get_u32(tb[CTF_A_SWEEP_DELAY_MS]);
}

/* CONFIG_SET with an ack: @word and @delay unless CTF_NONE. */
struct nlmsghdr *ctf_test_config_set(struct kunit *test, int word, s64 delay)
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

/* Ports from (first, step, n): first + i * step, modulo 2^16. */
void ctf_test_port_seq(u16 *ports, u16 first, u16 step, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ports[i] = first + i * step;
}

/* Backend number @i of many: even ones 10.x.y.z, odd ones 2001:db8::i. */
void ctf_test_nth_addr(unsigned int i, u8 *family, union nf_inet_addr *addr)
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

/*
 * @n backends, added directly: the dump and the limit need thousands. Each
 * gets the namespace's next epoch: in a fresh one, backend #i has i + 1.
 */
void ctf_test_add_many(struct kunit *test, struct ctf_net *cn, unsigned int n)
{
	union nf_inet_addr addr;
	struct ctf_backend *b = NULL;
	unsigned int i;
	u8 family;

	mutex_lock(&cn->lock);
	for (i = 0; i < n; i++) {
		ctf_test_nth_addr(i, &family, &addr);
		b = ctf_backend_add(cn, family, &addr, 0, CTF_STATE_ACTIVE);
		if (IS_ERR(b))
			break;
	}
	mutex_unlock(&cn->lock);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(b), "backend #%u: %ld", i, PTR_ERR(b));
}
