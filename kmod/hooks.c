// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: two hooks per direction and family.
 *
 *  re-steer, just before conntrack (NF_IP_PRI_CONNTRACK - 1): a UDP packet
 *	to a SIP port whose existing entry is stale deletes that entry, so
 *	conntrack creates a fresh one for this very packet and the NAT rules
 *	choose a backend again. The packet itself is never dropped.
 *  stamp, just after DNAT (NF_IP_PRI_NAT_DST + 1): a new entry (made by
 *	the rules, or expected by a helper) to a SIP port that was
 *	destination-NATed to a backend (a removed one too, until it is
 *	forgotten) gets that backend's epoch in its labels, before it is
 *	confirmed, so conntrack's NEW event carries it.
 *
 *  confirm, just before conntrack confirms an entry (POSTROUTING and
 *	LOCAL_IN): a new SIP entry already stale marks the namespace
 *	(ctf_confirm()).
 *
 * Everything that is not UDP to a SIP port leaves after a protocol and a
 * port check (the confirm hook: after the confirmed bit, for every packet
 * but a flow's first). While nothing in the namespace can be stale (no
 * change since the last complete sweep: ctf_may_be_stale()), a SIP packet
 * leaves the re-steer hook there too, without a lookup. Hooks run under
 * the RCU read lock held by the netfilter core.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_labels.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "ctfailover.h"

/* The stamp word of an entry: 0 when it has none (or no label area). */
u32 ctf_ct_stamp(const struct nf_conn *ct, u8 word)
{
	struct nf_conn_labels *labels = nf_ct_labels_find(ct);

	if (!labels)
		return 0;
	/* The same u32 view of the label bits as nf_connlabels_replace(). */
	return READ_ONCE(((const u32 *)labels->bits)[word]);
}

/* Write @stamp (a whole stamp word) into label word @word of @ct. */
int ctf_ct_stamp_set(struct nf_conn *ct, u8 word, u32 stamp)
{
	u32 data[NF_CT_LABELS_MAX_SIZE / sizeof(u32)] = {};
	u32 mask[NF_CT_LABELS_MAX_SIZE / sizeof(u32)] = {};

	data[word] = stamp;
	mask[word] = ~0U;
	/* -ENOSPC: the entry was created without a label area. */
	return nf_connlabels_replace(ct, data, mask, ARRAY_SIZE(data));
}

/*
 * Delete @ct: true when this call is what made it dying. nf_ct_delete()
 * alone undercounts: it also answers false when it did delete the entry
 * but could not deliver the destroy event (the event cache retries it).
 * An entry another path deletes in the same instant may be counted too.
 */
bool ctf_ct_delete(struct nf_conn *ct)
{
	if (nf_ct_is_dying(ct))
		return false;
	return nf_ct_delete(ct, 0, 0) || nf_ct_is_dying(ct);
}

/*
 * The backend an entry was NATed to: its reply-direction source, if the
 * entry was destination-NATed at all. A flow addressed to a backend's own
 * address went nowhere by our rules and is not ours to re-steer.
 */
struct ctf_backend *ctf_ct_backend(struct ctf_net *cn,
				   const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *reply =
		&ct->tuplehash[IP_CT_DIR_REPLY].tuple;

	if (!(READ_ONCE(ct->status) & IPS_DST_NAT))
		return NULL;
	return ctf_backend_find(cn, nf_ct_l3num(ct), &reply->src.u3);
}

/*
 * The verdict on @ct, a UDP entry to a SIP port; *bp is its backend (NULL:
 * not ours) and *epochp the epoch of its stamp (0: none). Caller holds the
 * RCU read lock.
 */
enum ctf_verdict ctf_ct_judge(struct ctf_net *cn, const struct nf_conn *ct,
			      struct ctf_backend **bp, u32 *epochp)
{
	u32 word = ctf_ct_stamp(ct, READ_ONCE(cn->label_word));

	*bp = ctf_ct_backend(cn, ct);
	*epochp = ctf_stamp_decode(word);
	return ctf_judge(*epochp, *bp);
}

/*
 * The UDP destination port of a packet, or 0 when it is not UDP (or is a
 * non-first fragment, or too short: conntrack will judge it, not us).
 */
static __be16 ctf_udp_dport(const struct sk_buff *skb, u8 pf)
{
	struct udphdr _uh;
	const struct udphdr *uh;
	unsigned int thoff;

	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_UDP ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return 0;
		thoff = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		__be16 frag_off;
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
					    sizeof(struct ipv6hdr),
				       &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_UDP ||
		    (frag_off & htons(~0x7)))
			return 0;
		thoff = off;
	}
	uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
	return uh ? uh->dest : 0;
}

static unsigned int ctf_resteer(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct ctf_tables *t = priv;
	struct ctf_net *cn;
	const struct nf_conntrack_zone *zone;
	struct nf_conntrack_zone tmp_zone;
	struct nf_conntrack_tuple tuple;
	struct nf_conntrack_tuple_hash *h;
	enum ip_conntrack_info ctinfo;
	enum ctf_verdict verdict;
	struct ctf_backend *b;
	struct nf_conn *ct;
	__be16 dport;
	u32 epoch;

	dport = ctf_udp_dport(skb, state->pf);
	if (!dport || !test_bit(ntohs(dport), t->port_map))
		return NF_ACCEPT;
	cn = t->cn;
	/* Nothing changed since the last complete sweep: nothing is stale. */
	if (!ctf_may_be_stale(cn))
		return NF_ACCEPT;

	/*
	 * Conntrack skips a packet that already carries a real entry (looped
	 * back after OUTPUT) or is untracked; so do we. A template only
	 * carries the zone set by the raw table.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if ((ct && !nf_ct_is_template(ct)) || ctinfo == IP_CT_UNTRACKED)
		return NF_ACCEPT;
	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), state->pf,
			       state->net, &tuple))
		return NF_ACCEPT;
	zone = nf_ct_zone_tmpl(ct, skb, &tmp_zone);

	h = nf_conntrack_find_get(state->net, zone, &tuple);
	if (!h)
		return NF_ACCEPT;
	ct = nf_ct_tuplehash_to_ctrack(h);
	/*
	 * Only the provider's direction re-steers: a packet that matches the
	 * reply tuple comes from a backend, and deleting its entry would turn
	 * the flow around.
	 */
	if (NF_CT_DIRECTION(h) != IP_CT_DIR_ORIGINAL)
		goto out;
	verdict = ctf_ct_judge(cn, ct, &b, &epoch);
	if (verdict == CTF_VERDICT_FOREIGN) {
		/* Not ours to judge: deleting would only loop (a rule that
		 * sets the bit again on the new entry).
		 */
		ctf_stat_inc(cn, CTF_STAT_FOREIGN);
	} else if (verdict == CTF_VERDICT_STALE && ctf_ct_delete(ct)) {
		/* We deleted it (not a concurrent path): count it once. */
		ctf_stat_inc(cn, CTF_STAT_STALE_HITS);
		atomic64_inc(&b->stale_hits);
		if (__ratelimit(&t->stale_event_rs))
			ctf_nl_event_stale(cn, b, nf_ct_l3num(ct),
					   &ct->tuplehash[IP_CT_DIR_REPLY].tuple.src.u3,
					   epoch);
	}
out:
	nf_ct_put(ct);
	return NF_ACCEPT;
}

static unsigned int ctf_stamp(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct ctf_net *cn = ((const struct ctf_tables *)priv)->cn;
	enum ip_conntrack_info ctinfo;
	struct ctf_backend *b;
	struct nf_conn *ct;

	/*
	 * Only the first packet of a new entry, before it is confirmed: one
	 * the rules made (NEW), or one a helper expected (RELATED: the SIP
	 * helper's direct signalling). A RELATED entry unstamped would be
	 * judged by its backend's first epoch, and after a bump deleted by
	 * every packet; stamped, a change deletes it once. (The expectation
	 * NATs its next entry as it did this one: a helper's flow moves
	 * only when its expectation does.)
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || (ctinfo != IP_CT_NEW && ctinfo != IP_CT_RELATED) ||
	    nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    !ctf_ct_is_sip(cn, ct))
		return NF_ACCEPT;

	b = ctf_ct_backend(cn, ct);
	if (!b)
		return NF_ACCEPT;	/* not NATed to a backend: not ours */
	if (ctf_ct_stamp_set(ct, READ_ONCE(cn->label_word),
			     ctf_stamp_encode(READ_ONCE(b->epoch)))) {
		ctf_stat_inc(cn, CTF_STAT_UNTAGGABLE);
		return NF_ACCEPT;
	}
	ctf_stat_inc(cn, CTF_STAT_TAGGED);
	atomic64_inc(&b->tagged);
	return NF_ACCEPT;
}

/*
 * An entry stamped before a change and confirmed after it (its packet
 * waited in NFQUEUE across the change) is stale where no sweep that
 * started before it was confirmed can see it: it marks the namespace, so
 * that the re-steer hook looks again and a sweep runs.
 */
static unsigned int ctf_confirm(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct ctf_net *cn = ((const struct ctf_tables *)priv)->cn;
	enum ip_conntrack_info ctinfo;
	struct ctf_backend *b;
	struct nf_conn *ct;
	u32 epoch;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    !ctf_ct_is_sip(cn, ct))
		return NF_ACCEPT;
	if (ctf_ct_judge(cn, ct, &b, &epoch) == CTF_VERDICT_STALE) {
		ctf_stat_inc(cn, CTF_STAT_LATE);
		ctf_stale_mark_sweep(cn, b);
	}
	return NF_ACCEPT;
}

/* Just before conntrack's confirm, for IPv4 and IPv6. */
#define CTF_PRI_CONFIRM4	(NF_IP_PRI_CONNTRACK_CONFIRM - 1)
#define CTF_PRI_CONFIRM6	(NF_IP6_PRI_LAST - 1)

/*
 * Fill in @t->hook_ops; ctf_net_enable() registers them. Each hook gets
 * @t: the re-steer hook tests the port bitmap without going through
 * t->cn first.
 */
void ctf_hooks_prepare(struct ctf_tables *t)
{
	static const struct {
		nf_hookfn *fn;
		u8 pf;
		unsigned int hooknum;
		int priority;
	} hooks[] = {
		{ ctf_resteer, NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_IP_PRI_CONNTRACK - 1 },
		{ ctf_resteer, NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_IP_PRI_CONNTRACK - 1 },
		{ ctf_stamp, NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST + 1 },
		{ ctf_stamp, NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST + 1 },
		{ ctf_resteer, NFPROTO_IPV6, NF_INET_PRE_ROUTING, NF_IP6_PRI_CONNTRACK - 1 },
		{ ctf_resteer, NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_IP6_PRI_CONNTRACK - 1 },
		{ ctf_stamp, NFPROTO_IPV6, NF_INET_PRE_ROUTING, NF_IP6_PRI_NAT_DST + 1 },
		{ ctf_stamp, NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 1 },
		{ ctf_confirm, NFPROTO_IPV4, NF_INET_POST_ROUTING, CTF_PRI_CONFIRM4 },
		{ ctf_confirm, NFPROTO_IPV4, NF_INET_LOCAL_IN, CTF_PRI_CONFIRM4 },
		{ ctf_confirm, NFPROTO_IPV6, NF_INET_POST_ROUTING, CTF_PRI_CONFIRM6 },
		{ ctf_confirm, NFPROTO_IPV6, NF_INET_LOCAL_IN, CTF_PRI_CONFIRM6 },
	};
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(hooks) != ARRAY_SIZE(t->hook_ops));
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		t->hook_ops[i] = (struct nf_hook_ops) {
			.hook = hooks[i].fn,
			.pf = hooks[i].pf,
			.hooknum = hooks[i].hooknum,
			.priority = hooks[i].priority,
			.priv = t,
		};
	}
}
