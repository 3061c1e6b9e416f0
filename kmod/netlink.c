// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "ctfailover": the control interface.
 *
 * Every command has its own policy and is validated strictly (unknown or
 * reply-only attributes are rejected with an extack pointing at them).
 * Commands that change state carry GENL_ADMIN_PERM; reading the module's
 * version does not.
 */
#include <net/genetlink.h>

#include "ctfailover.h"
#include "uapi/ctfailover.h"

/* GET_INFO takes no attributes; those it returns are reply-only. */
static const struct nla_policy ctf_info_policy[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION]		= { .type = NLA_REJECT },
	[CTF_A_INFO_GENL_VERSION]	= { .type = NLA_REJECT },
};

static struct genl_family ctf_genl_family;

/* Exposed for KUnit: the reply body of CTF_CMD_GET_INFO. */
int ctf_nl_fill_info(struct sk_buff *skb)
{
	if (nla_put_string(skb, CTF_A_INFO_VERSION, CTFAILOVER_VERSION) ||
	    nla_put_u32(skb, CTF_A_INFO_GENL_VERSION, CTFAILOVER_GENL_VERSION))
		return -EMSGSIZE;
	return 0;
}

static int ctf_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &ctf_genl_family, 0, CTF_CMD_GET_INFO);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	ret = ctf_nl_fill_info(msg);
	if (ret)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

static const struct genl_ops ctf_genl_ops[] = {
	{
		.cmd	= CTF_CMD_GET_INFO,
		.doit	= ctf_nl_get_info,
		.policy	= ctf_info_policy,
		.maxattr = CTF_A_MAX,
	},
};

static struct genl_family ctf_genl_family __ro_after_init = {
	.name		= CTFAILOVER_GENL_NAME,
	.version	= CTFAILOVER_GENL_VERSION,
	.maxattr	= CTF_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= ctf_genl_ops,
	.n_ops		= ARRAY_SIZE(ctf_genl_ops),
#ifdef CTF_HAVE_GENL_RESV_START_OP
	/* Every command is new: validate the reserved header bytes of all. */
	.resv_start_op	= CTF_CMD_GET_INFO,
#endif
};

int __init ctf_netlink_init(void)
{
	return genl_register_family(&ctf_genl_family);
}

void ctf_netlink_uninit(void)
{
	genl_unregister_family(&ctf_genl_family);
}
