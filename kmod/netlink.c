// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "ctfailover": the control interface.
 *
 * Every command has its own policy and is validated strictly: an attribute
 * a command does not take, a reply-only attribute, or one of the wrong
 * size or range is refused with an extack naming it. Every command but
 * GET_INFO needs CAP_NET_ADMIN over the namespace (GENL_UNS_ADMIN_PERM: all
 * state is per namespace, and backends are the operator's business); so
 * does joining the events group.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>

#include "ctfailover.h"

/* What identifies a backend: its address, and nothing else. */
static const struct nla_policy ctf_backend_key_policy[CTF_BA_MAX + 1] = {
	[CTF_BA_ADDR4]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[CTF_BA_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/*
 * Beyond the s16 bounds NLA_POLICY_RANGE() can hold. Not const: the policy
 * field is a plain pointer before 6.2; nothing writes them.
 */
static struct netlink_range_validation ctf_epoch_range __ro_after_init = {
	.min = 1,
	.max = CTF_EPOCH_MAX,
};

static struct netlink_range_validation ctf_sweep_delay_range __ro_after_init = {
	.min = 0,
	.max = CTF_MAX_SWEEP_DELAY_MS,
};

/* What BACKEND_SET may change. Counters are reply-only. */
static const struct nla_policy ctf_backend_set_policy[CTF_BA_MAX + 1] = {
	[CTF_BA_ADDR4]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[CTF_BA_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[CTF_BA_NAME]	= { .type = NLA_NUL_STRING, .len = CTF_NAME_MAX - 1 },
	[CTF_BA_EPOCH]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ctf_epoch_range),
	[CTF_BA_STATE]	= NLA_POLICY_MAX(NLA_U8, CTF_STATE_MAX),
	[CTF_BA_ADOPT]	= { .type = NLA_FLAG },
};

static const struct nla_policy ctf_ports_policy[CTF_A_MAX + 1] = {
	[CTF_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

/* Commands that take no attribute at all. */
static const struct nla_policy ctf_none_policy[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION]		= { .type = NLA_REJECT },
	[CTF_A_INFO_GENL_VERSION]	= { .type = NLA_REJECT },
};

static const struct nla_policy ctf_evict_cmd_policy[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION]		= { .type = NLA_REJECT },
	[CTF_A_INFO_GENL_VERSION]	= { .type = NLA_REJECT },
	[CTF_A_EVICT_ALL]		= { .type = NLA_FLAG },
};

static const struct nla_policy ctf_backend_key_cmd_policy[CTF_A_MAX + 1] = {
	[CTF_A_BACKEND]	= NLA_POLICY_NESTED(ctf_backend_key_policy),
};

static const struct nla_policy ctf_backend_set_cmd_policy[CTF_A_MAX + 1] = {
	[CTF_A_BACKEND]	= NLA_POLICY_NESTED(ctf_backend_set_policy),
};

static const struct nla_policy ctf_ports_cmd_policy[CTF_A_MAX + 1] = {
	[CTF_A_PORTS]	= NLA_POLICY_NESTED(ctf_ports_policy),
};

static const struct nla_policy ctf_config_cmd_policy[CTF_A_MAX + 1] = {
	[CTF_A_LABEL_WORD]	= NLA_POLICY_MAX(NLA_U8, 3),
	[CTF_A_SWEEP_DELAY_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ctf_sweep_delay_range),
};

static struct genl_family ctf_genl_family;

/*
 * Events are sent from the packet path and the sweep, which may still run
 * while the module unloads: they check this under RCU, and unload clears
 * it and waits a grace period before unregistering the family.
 */
static bool ctf_events_on;

/* Exposed for KUnit: the reply body of CTF_CMD_GET_INFO. */
int ctf_nl_fill_info(struct sk_buff *skb)
{
	if (nla_put_string(skb, CTF_A_INFO_VERSION, CTFAILOVER_VERSION) ||
	    nla_put_u32(skb, CTF_A_INFO_GENL_VERSION, CTFAILOVER_GENL_VERSION))
		return -EMSGSIZE;
	return 0;
}

static int ctf_put_addr(struct sk_buff *skb, u8 family,
			const union nf_inet_addr *addr)
{
	if (family == NFPROTO_IPV4)
		return nla_put_in_addr(skb, CTF_BA_ADDR4, addr->ip);
	return nla_put_in6_addr(skb, CTF_BA_ADDR6, &addr->in6);
}

/* CTF_A_BACKEND for replies. Caller holds ctf_net.lock. */
static int ctf_fill_backend(struct sk_buff *skb, const struct ctf_backend *b)
{
	struct nlattr *nest = nla_nest_start(skb, CTF_A_BACKEND);

	if (!nest ||
	    ctf_put_addr(skb, b->family, &b->addr) ||
	    (b->name[0] && nla_put_string(skb, CTF_BA_NAME, b->name)) ||
	    nla_put_u32(skb, CTF_BA_EPOCH, b->epoch) ||
	    nla_put_u32(skb, CTF_BA_UNSTAMPED_EPOCH, b->unstamped_epoch) ||
	    (b->alias_epoch &&
	     nla_put_u32(skb, CTF_BA_ALIAS_EPOCH, b->alias_epoch)) ||
	    nla_put_u8(skb, CTF_BA_STATE, b->state) ||
	    nla_put_u64_64bit(skb, CTF_BA_TAGGED, atomic64_read(&b->tagged),
			      CTF_BA_PAD) ||
	    nla_put_u64_64bit(skb, CTF_BA_STALE_HITS,
			      atomic64_read(&b->stale_hits), CTF_BA_PAD) ||
	    nla_put_u64_64bit(skb, CTF_BA_EVICTED, atomic64_read(&b->evicted),
			      CTF_BA_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Start a reply to @info; *hdrp for genlmsg_end(). */
static struct sk_buff *ctf_reply_new(struct genl_info *info, u8 cmd, void **hdrp)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdrp = genlmsg_put_reply(msg, info, &ctf_genl_family, 0, cmd);
	if (!*hdrp) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int ctf_reply_backend(struct genl_info *info, u8 cmd,
			     const struct ctf_backend *b)
{
	struct sk_buff *msg;
	void *hdr;

	msg = ctf_reply_new(info, cmd, &hdr);
	if (!msg)
		return -ENOMEM;
	if (ctf_fill_backend(msg, b)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * The address in CTF_A_BACKEND: exactly one of ADDR4 and ADDR6. @policy is
 * the nest's policy (already enforced by the core; parsed again for tb).
 */
static int ctf_parse_backend(struct genl_info *info,
			     const struct nla_policy *policy, struct nlattr **tb,
			     u8 *family, union nf_inet_addr *addr)
{
	struct nlattr *nest = info->attrs[CTF_A_BACKEND];
	int ret;

	if (!nest) {
		GENL_SET_ERR_MSG(info, "missing CTF_A_BACKEND");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, CTF_BA_MAX, nest, policy, info->extack);
	if (ret)
		return ret;
	memset(addr, 0, sizeof(*addr));
	if (!!tb[CTF_BA_ADDR4] == !!tb[CTF_BA_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "need exactly one of CTF_BA_ADDR4, CTF_BA_ADDR6");
		return -EINVAL;
	}
	if (tb[CTF_BA_ADDR4]) {
		*family = NFPROTO_IPV4;
		addr->ip = nla_get_in_addr(tb[CTF_BA_ADDR4]);
	} else {
		*family = NFPROTO_IPV6;
		addr->in6 = nla_get_in6_addr(tb[CTF_BA_ADDR6]);
	}
	return 0;
}

/* Lookup for GET/DEL/BUMP: the backend, or -ENOENT with a message. */
static struct ctf_backend *ctf_find_backend(struct ctf_net *cn,
					    struct genl_info *info)
{
	struct nlattr *tb[CTF_BA_MAX + 1];
	union nf_inet_addr addr;
	struct ctf_backend *b;
	u8 family;
	int ret;

	ret = ctf_parse_backend(info, ctf_backend_key_policy, tb, &family, &addr);
	if (ret)
		return ERR_PTR(ret);
	b = ctf_backend_find(cn, family, &addr);
	if (!b || b->gone) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CTF_A_BACKEND],
				    "no backend at this address");
		return ERR_PTR(-ENOENT);
	}
	return b;
}

/*
 * Entries may have just gone stale: wait until no hook can still be
 * judging with the old epoch (docs/architecture.md, "After an
 * acknowledgment", says what that covers), then sweep the rest in the
 * background.
 */
static void ctf_stale_changed(struct ctf_net *cn)
{
	lockdep_assert_held(&cn->lock);
	/*
	 * The new epochs were marked (ctf_backend_set_epoch()) before the
	 * grace period: from the ack on, the hook looks.
	 */
	synchronize_rcu();
	ctf_sweep_schedule(cn, false);
}

static int ctf_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = ctf_reply_new(info, CTF_CMD_GET_INFO, &hdr);
	if (!msg)
		return -ENOMEM;
	ret = ctf_nl_fill_info(msg);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * BACKEND_SET: everything is checked before anything changes. An epoch
 * given is taken as it is (it names an instance: the same one again is the
 * same instance), except a removed address's own, whose stale entries
 * would come back; the same one on a live address changes nothing.
 * CTF_BA_ADOPT sets it without a change (uapi).
 */
static int ctf_nl_backend_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct nlattr *tb[CTF_BA_MAX + 1];
	union nf_inet_addr addr;
	struct ctf_backend *b;
	bool stale = false, created = false;
	u8 family, state = CTF_STATE_ACTIVE;
	u32 epoch = 0;
	int ret;

	ret = ctf_parse_backend(info, ctf_backend_set_policy, tb, &family, &addr);
	if (ret)
		return ret;
	if (tb[CTF_BA_EPOCH])
		epoch = nla_get_u32(tb[CTF_BA_EPOCH]);
	if (tb[CTF_BA_STATE])
		state = nla_get_u8(tb[CTF_BA_STATE]);

	mutex_lock(&cn->lock);
	ret = ctf_net_enable(cn);
	if (ret) {
		GENL_SET_ERR_MSG(info, "cannot enable conntrack hooks and labels");
		goto out;
	}
	b = ctf_backend_find(cn, family, &addr);
	if (b && epoch && b->gone && epoch == b->epoch) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CTF_BA_EPOCH],
				    "epoch is the removed address's: its stale entries would come back");
		ret = -EINVAL;
		goto out;
	}
	if (tb[CTF_BA_ADOPT] && (!epoch || !b || b->gone)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CTF_BA_ADOPT],
				    "adopt needs an epoch and a backend in the table");
		ret = -EINVAL;
		goto out;
	}
	if (!b) {
		/* Its epoch and state are set before the hooks can see it. */
		b = ctf_backend_add(cn, family, &addr, epoch, state);
		if (IS_ERR(b)) {
			ret = PTR_ERR(b);
			if (ret == -ENOSPC)
				GENL_SET_ERR_MSG(info, "too many backends (CTF_MAX_BACKENDS)");
			goto out;
		}
		created = true;
		/* ctf_backend_add() marked it: sweep what it may find. */
		ctf_sweep_schedule(cn, false);
	} else if (b->gone) {
		if (cn->nbackends >= CTF_MAX_BACKENDS) {
			GENL_SET_ERR_MSG(info, "too many backends (CTF_MAX_BACKENDS)");
			ret = -ENOSPC;
			goto out;
		}
		/* Entries made while it was removed go stale too. */
		ctf_backend_revive(cn, b, epoch, state);
		stale = true;
	} else if (epoch && epoch != b->epoch && tb[CTF_BA_ADOPT]) {
		/* The same instance by another name: both current. */
		ctf_epoch_seen(cn, epoch);
		WRITE_ONCE(b->alias_epoch, b->epoch);
		WRITE_ONCE(b->epoch, epoch);
	} else if (epoch && epoch != b->epoch) {
		ctf_epoch_seen(cn, epoch);
		ctf_backend_set_epoch(cn, b, epoch);
		stale = true;
	}
	if (tb[CTF_BA_NAME])
		nla_strscpy(b->name, tb[CTF_BA_NAME], sizeof(b->name));
	if (tb[CTF_BA_STATE]) {
		/*
		 * Going down is a change: what was made before it is stale,
		 * what the rules still send it after it is not (no entry is
		 * deleted again and again while nft catches up).
		 */
		if (state == CTF_STATE_DOWN && b->state != CTF_STATE_DOWN &&
		    !stale && !created) {
			ctf_backend_set_epoch(cn, b,
					      ctf_epoch_alloc_for(cn, b));
			stale = true;
		}
		WRITE_ONCE(b->state, state);
	}
	if (stale)
		ctf_stale_changed(cn);
	ret = ctf_reply_backend(info, CTF_CMD_BACKEND_SET, b);
out:
	mutex_unlock(&cn->lock);
	return ret;
}

static int ctf_nl_backend_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct ctf_backend *b;
	int ret;

	mutex_lock(&cn->lock);
	b = ctf_find_backend(cn, info);
	ret = IS_ERR(b) ? PTR_ERR(b) : ctf_reply_backend(info, CTF_CMD_BACKEND_GET, b);
	mutex_unlock(&cn->lock);
	return ret;
}

/*
 * cb->args[0]: the bucket, cb->args[1]: backends of it already sent. The
 * lock is dropped between the parts of a dump: a part that finds the table
 * changed since the last (cn->backends_gen) is flagged NLM_F_DUMP_INTR, for
 * a backend may have been skipped or sent twice.
 */
static int ctf_nl_backend_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ctf_net *cn = ctf_net(sock_net(skb->sk));
	unsigned long bucket, idx;
	struct ctf_backend *b;
	struct ctf_tables *t;
	void *hdr;

	mutex_lock(&cn->lock);
	cb->seq = cn->backends_gen;
	t = ctf_tab(cn);
	/* No tables before the first enable: no backend either. */
	for (bucket = cb->args[0]; t && bucket < ARRAY_SIZE(t->backends); bucket++) {
		idx = 0;
		hlist_for_each_entry(b, &t->backends[bucket], node) {
			if (b->gone || idx++ < cb->args[1])
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &ctf_genl_family,
					  NLM_F_MULTI, CTF_CMD_BACKEND_GET);
			if (!hdr)
				goto full;
			genl_dump_check_consistent(cb, hdr);
			if (ctf_fill_backend(skb, b)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
			cb->args[1] = idx;
		}
		cb->args[1] = 0;
	}
full:
	cb->args[0] = bucket;
	mutex_unlock(&cn->lock);
	return skb->len;
}

static int ctf_nl_backend_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct ctf_backend *b;
	int ret = 0;

	mutex_lock(&cn->lock);
	b = ctf_find_backend(cn, info);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
	} else {
		ret = ctf_backend_remove(cn, b);
		if (ret) {
			GENL_SET_ERR_MSG(info, "too many removed backends wait for a sweep: retry");
			ctf_sweep_schedule(cn, true);
		} else {
			ctf_stale_changed(cn);
		}
	}
	mutex_unlock(&cn->lock);
	return ret;
}

static int ctf_nl_backend_bump(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct ctf_backend *b;
	int ret;

	mutex_lock(&cn->lock);
	b = ctf_find_backend(cn, info);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
	} else {
		ctf_backend_set_epoch(cn, b, ctf_epoch_alloc_for(cn, b));
		ctf_stale_changed(cn);
		ret = ctf_reply_backend(info, CTF_CMD_BACKEND_BUMP, b);
	}
	mutex_unlock(&cn->lock);
	return ret;
}

/*
 * Every backend at once: each a new epoch, then one grace period for all
 * (a bump's cost is that wait, so N bumps in one command cost one).
 */
static int ctf_nl_backend_bump_all(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct ctf_backend *b;
	struct ctf_tables *t;
	unsigned int i, n = 0;

	mutex_lock(&cn->lock);
	t = ctf_tab(cn);
	for (i = 0; t && i < ARRAY_SIZE(t->backends); i++)
		hlist_for_each_entry(b, &t->backends[i], node) {
			if (b->gone)
				continue;
			ctf_backend_set_epoch(cn, b,
					      ctf_epoch_alloc_for(cn, b));
			n++;
		}
	if (n)
		ctf_stale_changed(cn);
	mutex_unlock(&cn->lock);
	return 0;
}

static int ctf_nl_ports_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct nlattr *nest = info->attrs[CTF_A_PORTS], *attr;
	u16 ports[CTF_MAX_PORTS];
	unsigned int n = 0, i;
	int rem, ret;

	if (!nest) {
		GENL_SET_ERR_MSG(info, "missing CTF_A_PORTS");
		return -EINVAL;
	}
	nla_for_each_nested(attr, nest, rem) {
		/* The policy let only CTF_A_PORT (1..65535) through. */
		if (n == CTF_MAX_PORTS) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "too many ports (CTF_MAX_PORTS)");
			return -E2BIG;
		}
		ports[n] = nla_get_u16(attr);
		for (i = 0; i < n; i++) {
			if (ports[i] == ports[n]) {
				NL_SET_ERR_MSG_ATTR(info->extack, attr,
						    "duplicate port");
				return -EINVAL;
			}
		}
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "empty port set");
		return -EINVAL;
	}
	mutex_lock(&cn->lock);
	ret = ctf_net_set_ports(cn, ports, n);
	/*
	 * Entries to a port just added are judged from now on, and may be
	 * stale (unstamped, their backend changed since): look, and sweep.
	 */
	if (!ret && cn->enabled)
		ctf_stale_mark_sweep(cn, NULL);
	mutex_unlock(&cn->lock);
	return ret;
}

static int ctf_nl_ports_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	msg = ctf_reply_new(info, CTF_CMD_PORTS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cn->lock);
	nest = nla_nest_start(msg, CTF_A_PORTS);
	for (i = 0; nest && i < cn->nports; i++)
		if (nla_put_u16(msg, CTF_A_PORT, cn->ports[i]))
			nest = NULL;
	mutex_unlock(&cn->lock);
	if (!nest) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ctf_fill_evict(struct sk_buff *skb, const struct ctf_sweep_result *r)
{
	struct nlattr *nest = nla_nest_start(skb, CTF_A_EVICT);

	if (!nest ||
	    nla_put_u64_64bit(skb, CTF_EV_SCANNED, r->scanned, CTF_EV_PAD) ||
	    nla_put_u64_64bit(skb, CTF_EV_EVICTED, r->evicted, CTF_EV_PAD) ||
	    nla_put_u64_64bit(skb, CTF_EV_USEC, r->usec, CTF_EV_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ctf_nl_evict(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct ctf_sweep_result res;
	struct sk_buff *msg;
	void *hdr;

	/* Marked before the sweep begins: it judges every backend's entries. */
	if (info->attrs[CTF_A_EVICT_ALL])
		ctf_stale_mark(cn, NULL);
	ctf_sweep_run(cn, &res);
	msg = ctf_reply_new(info, CTF_CMD_EVICT, &hdr);
	if (!msg)
		return -ENOMEM;
	if (ctf_fill_evict(msg, &res)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ctf_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int ret = -EMSGSIZE;

	msg = ctf_reply_new(info, CTF_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cn->lock);
	nest = nla_nest_start(msg, CTF_A_STATS);
	if (nest &&
	    !nla_put_u32(msg, CTF_ST_BACKENDS, cn->nbackends) &&
	    !nla_put_u64_64bit(msg, CTF_ST_TAGGED, ctf_stat_read(cn, CTF_STAT_TAGGED),
			       CTF_ST_PAD) &&
	    !nla_put_u64_64bit(msg, CTF_ST_STALE_HITS,
			       ctf_stat_read(cn, CTF_STAT_STALE_HITS), CTF_ST_PAD) &&
	    !nla_put_u64_64bit(msg, CTF_ST_EVICTED, atomic64_read(&cn->evicted),
			       CTF_ST_PAD) &&
	    !nla_put_u64_64bit(msg, CTF_ST_SWEEPS, atomic64_read(&cn->sweeps),
			       CTF_ST_PAD) &&
	    !nla_put_u64_64bit(msg, CTF_ST_UNTAGGABLE,
			       ctf_stat_read(cn, CTF_STAT_UNTAGGABLE), CTF_ST_PAD) &&
	    !nla_put_u64_64bit(msg, CTF_ST_FOREIGN, ctf_stat_read(cn, CTF_STAT_FOREIGN),
			       CTF_ST_PAD) &&
	    !nla_put_u32(msg, CTF_ST_LAST_EPOCH, cn->last_epoch) &&
	    !nla_put_u64_64bit(msg, CTF_ST_SWEEP_RESTARTS,
			       atomic64_read(&cn->sweep_restarts), CTF_ST_PAD) &&
	    !nla_put_u64_64bit(msg, CTF_ST_LATE,
			       ctf_stat_read(cn, CTF_STAT_LATE), CTF_ST_PAD) &&
	    !nla_put_u8(msg, CTF_ST_MAY_BE_STALE, ctf_may_be_stale(cn))) {
		nla_nest_end(msg, nest);
		if (!nla_put_u8(msg, CTF_A_LABEL_WORD, cn->label_word) &&
		    !nla_put_u32(msg, CTF_A_SWEEP_DELAY_MS, cn->sweep_delay_ms))
			ret = 0;
	}
	mutex_unlock(&cn->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ctf_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ctf_net *cn = ctf_net(genl_info_net(info));
	struct nlattr *word = info->attrs[CTF_A_LABEL_WORD];
	struct nlattr *delay = info->attrs[CTF_A_SWEEP_DELAY_MS];
	int ret = 0;

	if (!word && !delay) {
		GENL_SET_ERR_MSG(info, "nothing to set (CTF_A_LABEL_WORD, CTF_A_SWEEP_DELAY_MS)");
		return -EINVAL;
	}
	mutex_lock(&cn->lock);
	/* Stamps already given would be read from the wrong place. */
	if (word && (cn->nbackends || cn->ngone)) {
		NL_SET_ERR_MSG_ATTR(info->extack, word,
				    "label word can change only while there are no backends");
		ret = -EBUSY;
		goto out;
	}
	/* All checked: apply both or neither. */
	if (word) {
		WRITE_ONCE(cn->label_word, nla_get_u8(word));
		/* Never an epoch that entries carry in the new word. */
		if (cn->enabled)
			ctf_epoch_seen(cn, ctf_sweep_last_stamp(cn));
	}
	if (delay) {
		WRITE_ONCE(cn->sweep_delay_ms, nla_get_u32(delay));
		/* A sweep already waiting waits the new delay, from now. */
		ctf_sweep_delay_changed(cn);
	}
out:
	mutex_unlock(&cn->lock);
	return ret;
}

/* Start an event for the events group, or NULL if nobody listens. */
static struct sk_buff *ctf_event_new(struct ctf_net *cn, u8 cmd, void **hdrp)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&ctf_genl_family, cn->net, 0))
		return NULL;
	/* Events come from softirq context (stale hits). */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdrp = genlmsg_put(msg, 0, 0, &ctf_genl_family, 0, cmd);
	if (!*hdrp) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void ctf_event_send(struct ctf_net *cn, struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	/* -ESRCH (the last listener just left) is no error here. */
	genlmsg_multicast_netns(&ctf_genl_family, cn->net, msg, 0, 0,
				GFP_ATOMIC);
}

void ctf_nl_event_evicted(struct ctf_net *cn, const struct ctf_sweep_result *r)
{
	struct sk_buff *msg;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(ctf_events_on))
		goto out;
	msg = ctf_event_new(cn, CTF_CMD_EVENT_EVICTED, &hdr);
	if (!msg)
		goto out;
	if (ctf_fill_evict(msg, r))
		nlmsg_free(msg);
	else
		ctf_event_send(cn, msg, hdr);
out:
	rcu_read_unlock();
}

/* @b may be NULL (removed backend): then only the address is known. */
void ctf_nl_event_stale(struct ctf_net *cn, const struct ctf_backend *b,
			u8 family, const union nf_inet_addr *addr, u32 stamp)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	rcu_read_lock();
	if (!READ_ONCE(ctf_events_on))
		goto out;
	msg = ctf_event_new(cn, CTF_CMD_EVENT_STALE, &hdr);
	if (!msg)
		goto out;
	nest = nla_nest_start(msg, CTF_A_BACKEND);
	if (!nest || ctf_put_addr(msg, family, addr) ||
	    (b && (nla_put_u32(msg, CTF_BA_EPOCH, READ_ONCE(b->epoch)) ||
		   nla_put_u8(msg, CTF_BA_STATE, READ_ONCE(b->state)))))
		goto err_free;
	nla_nest_end(msg, nest);
	if (nla_put_u32(msg, CTF_A_STALE_EPOCH, stamp))
		goto err_free;
	ctf_event_send(cn, msg, hdr);
	goto out;
err_free:
	nlmsg_free(msg);
out:
	rcu_read_unlock();
}

#define CTF_OP(_cmd, _doit, _policy, _flags)			\
	{							\
		.cmd = (_cmd),					\
		.doit = (_doit),				\
		.policy = (_policy),				\
		.maxattr = CTF_A_MAX,				\
		.flags = (_flags),				\
	}

static const struct genl_ops ctf_genl_ops[] = {
	CTF_OP(CTF_CMD_GET_INFO, ctf_nl_get_info, ctf_none_policy, 0),
	CTF_OP(CTF_CMD_BACKEND_SET, ctf_nl_backend_set,
	       ctf_backend_set_cmd_policy, GENL_UNS_ADMIN_PERM),
	{
		.cmd = CTF_CMD_BACKEND_GET,
		.doit = ctf_nl_backend_get,
		.dumpit = ctf_nl_backend_dump,
		.policy = ctf_backend_key_cmd_policy,
		.maxattr = CTF_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	CTF_OP(CTF_CMD_BACKEND_DEL, ctf_nl_backend_del,
	       ctf_backend_key_cmd_policy, GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_BACKEND_BUMP, ctf_nl_backend_bump,
	       ctf_backend_key_cmd_policy, GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_PORTS_SET, ctf_nl_ports_set, ctf_ports_cmd_policy,
	       GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_PORTS_GET, ctf_nl_ports_get, ctf_none_policy,
	       GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_EVICT, ctf_nl_evict, ctf_evict_cmd_policy,
	       GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_STATS_GET, ctf_nl_stats_get, ctf_none_policy,
	       GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_CONFIG_SET, ctf_nl_config_set, ctf_config_cmd_policy,
	       GENL_UNS_ADMIN_PERM),
	CTF_OP(CTF_CMD_BACKEND_BUMP_ALL, ctf_nl_backend_bump_all,
	       ctf_none_policy, GENL_UNS_ADMIN_PERM),
};

static const struct genl_multicast_group ctf_genl_mcgrps[] = {
	{ .name = CTFAILOVER_MCGRP_EVENTS, .flags = CTF_GENL_MCGRP_ADMIN },
};

static struct genl_family ctf_genl_family __ro_after_init = {
	.name		= CTFAILOVER_GENL_NAME,
	.version	= CTFAILOVER_GENL_VERSION,
	.maxattr	= CTF_A_MAX,
	.netnsok	= true,
	/*
	 * Not under genl_mutex: every handler takes its namespace's own
	 * locks (ctfailover.h), so a grace period or a sweep one namespace
	 * waits for holds up no other namespace and no other family.
	 */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ctf_genl_ops,
	.n_ops		= ARRAY_SIZE(ctf_genl_ops),
	.mcgrps		= ctf_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ctf_genl_mcgrps),
#ifdef CTF_HAVE_GENL_RESV_START_OP
	/* Every command is new: validate the reserved header bytes of all. */
	.resv_start_op	= CTF_CMD_GET_INFO,
#endif
};

int __init ctf_netlink_init(void)
{
	int ret = genl_register_family(&ctf_genl_family);

	if (!ret)
		WRITE_ONCE(ctf_events_on, true);
	return ret;
}

void ctf_netlink_uninit(void)
{
	WRITE_ONCE(ctf_events_on, false);
	synchronize_rcu();	/* no event is being sent any more */
	genl_unregister_family(&ctf_genl_family);
}
