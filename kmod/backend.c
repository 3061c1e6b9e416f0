// SPDX-License-Identifier: GPL-2.0
/*
 * The backend table of a namespace: a small RCU hash keyed by address.
 * Writers hold ctf_net.lock; the packet path reads under RCU.
 */
#include <linux/jhash.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "ctfailover.h"

static struct hlist_head *bucket(struct ctf_net *cn, u8 family,
				 const union nf_inet_addr *addr)
{
	u32 h = jhash2(addr->all, ARRAY_SIZE(addr->all), family);

	return &cn->backends[hash_32(h, CTF_BACKEND_HASH_BITS)];
}

/* Caller holds ctf_net.lock or the RCU read lock. */
struct ctf_backend *ctf_backend_find(struct ctf_net *cn, u8 family,
				     const union nf_inet_addr *addr)
{
	struct ctf_backend *b;

	hlist_for_each_entry_rcu(b, bucket(cn, family, addr), node,
				 lockdep_is_held(&cn->lock)) {
		if (b->family == family && nf_inet_addr_cmp(&b->addr, addr))
			return b;
	}
	return NULL;
}

/* A new backend at @addr, epoch 1, active. Caller holds ctf_net.lock. */
struct ctf_backend *ctf_backend_add(struct ctf_net *cn, u8 family,
				    const union nf_inet_addr *addr)
{
	struct ctf_backend *b;

	lockdep_assert_held(&cn->lock);
	if (cn->nbackends >= CTF_MAX_BACKENDS)
		return ERR_PTR(-ENOSPC);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->family = family;
	b->addr = *addr;
	b->epoch = 1;
	b->state = CTF_STATE_ACTIVE;
	/* Fully initialised before it becomes visible to the hooks. */
	hlist_add_head_rcu(&b->node, bucket(cn, family, addr));
	cn->nbackends++;
	return b;
}

/* Caller holds ctf_net.lock; readers may still see @b for a grace period. */
void ctf_backend_del(struct ctf_net *cn, struct ctf_backend *b)
{
	lockdep_assert_held(&cn->lock);
	hlist_del_rcu(&b->node);
	cn->nbackends--;
	kfree_rcu(b, rcu);
}

/* Namespace teardown: the hooks are gone, no reader is left. */
void ctf_backend_flush(struct ctf_net *cn)
{
	struct ctf_backend *b;
	struct hlist_node *tmp;
	unsigned int i;

	lockdep_assert_held(&cn->lock);
	for (i = 0; i < ARRAY_SIZE(cn->backends); i++)
		hlist_for_each_entry_safe(b, tmp, &cn->backends[i], node)
			ctf_backend_del(cn, b);
}

/*
 * Is an entry stamped @stamp, whose NAT target is backend @b (NULL: no
 * backend at that address any more), stale? Unstamped entries (0) were not
 * made for any instance we know: they are left alone. Epochs are compared
 * for equality, never order, so a wrapped counter needs no special case.
 */
bool ctf_stamp_is_stale(u32 stamp, const struct ctf_backend *b)
{
	if (!stamp)
		return false;
	if (!b)
		return true;
	return READ_ONCE(b->state) == CTF_STATE_DOWN ||
	       READ_ONCE(b->epoch) != stamp;
}
