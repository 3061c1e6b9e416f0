// SPDX-License-Identifier: GPL-2.0
/*
 * The backend table of a namespace: a small RCU hash keyed by address, and
 * the rule that judges an entry against it. Writers hold ctf_net.lock; the
 * packet path reads under RCU.
 *
 * A removed backend stays in the table, marked gone and at a new epoch,
 * until a sweep that started after the removal is over: until then its
 * address is still judged, so the entries made for it (stamped or not)
 * stay stale and the sweep deletes them; after it no stale entry to the
 * address is left and the address is forgotten (ctf_backend_reap).
 */
#include <linux/jhash.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "ctfailover.h"

/* CRC-8, polynomial 0x07, MSB first: the stamp's check (uapi header). */
static const u8 ctf_crc8_table[256] = {
	0x00, 0x07, 0x0e, 0x09, 0x1c, 0x1b, 0x12, 0x15,
	0x38, 0x3f, 0x36, 0x31, 0x24, 0x23, 0x2a, 0x2d,
	0x70, 0x77, 0x7e, 0x79, 0x6c, 0x6b, 0x62, 0x65,
	0x48, 0x4f, 0x46, 0x41, 0x54, 0x53, 0x5a, 0x5d,
	0xe0, 0xe7, 0xee, 0xe9, 0xfc, 0xfb, 0xf2, 0xf5,
	0xd8, 0xdf, 0xd6, 0xd1, 0xc4, 0xc3, 0xca, 0xcd,
	0x90, 0x97, 0x9e, 0x99, 0x8c, 0x8b, 0x82, 0x85,
	0xa8, 0xaf, 0xa6, 0xa1, 0xb4, 0xb3, 0xba, 0xbd,
	0xc7, 0xc0, 0xc9, 0xce, 0xdb, 0xdc, 0xd5, 0xd2,
	0xff, 0xf8, 0xf1, 0xf6, 0xe3, 0xe4, 0xed, 0xea,
	0xb7, 0xb0, 0xb9, 0xbe, 0xab, 0xac, 0xa5, 0xa2,
	0x8f, 0x88, 0x81, 0x86, 0x93, 0x94, 0x9d, 0x9a,
	0x27, 0x20, 0x29, 0x2e, 0x3b, 0x3c, 0x35, 0x32,
	0x1f, 0x18, 0x11, 0x16, 0x03, 0x04, 0x0d, 0x0a,
	0x57, 0x50, 0x59, 0x5e, 0x4b, 0x4c, 0x45, 0x42,
	0x6f, 0x68, 0x61, 0x66, 0x73, 0x74, 0x7d, 0x7a,
	0x89, 0x8e, 0x87, 0x80, 0x95, 0x92, 0x9b, 0x9c,
	0xb1, 0xb6, 0xbf, 0xb8, 0xad, 0xaa, 0xa3, 0xa4,
	0xf9, 0xfe, 0xf7, 0xf0, 0xe5, 0xe2, 0xeb, 0xec,
	0xc1, 0xc6, 0xcf, 0xc8, 0xdd, 0xda, 0xd3, 0xd4,
	0x69, 0x6e, 0x67, 0x60, 0x75, 0x72, 0x7b, 0x7c,
	0x51, 0x56, 0x5f, 0x58, 0x4d, 0x4a, 0x43, 0x44,
	0x19, 0x1e, 0x17, 0x10, 0x05, 0x02, 0x0b, 0x0c,
	0x21, 0x26, 0x2f, 0x28, 0x3d, 0x3a, 0x33, 0x34,
	0x4e, 0x49, 0x40, 0x47, 0x52, 0x55, 0x5c, 0x5b,
	0x76, 0x71, 0x78, 0x7f, 0x6a, 0x6d, 0x64, 0x63,
	0x3e, 0x39, 0x30, 0x37, 0x22, 0x25, 0x2c, 0x2b,
	0x06, 0x01, 0x08, 0x0f, 0x1a, 0x1d, 0x14, 0x13,
	0xae, 0xa9, 0xa0, 0xa7, 0xb2, 0xb5, 0xbc, 0xbb,
	0x96, 0x91, 0x98, 0x9f, 0x8a, 0x8d, 0x84, 0x83,
	0xde, 0xd9, 0xd0, 0xd7, 0xc2, 0xc5, 0xcc, 0xcb,
	0xe6, 0xe1, 0xe8, 0xef, 0xfa, 0xfd, 0xf4, 0xf3,
};

static u8 ctf_stamp_check(u32 epoch)
{
	u8 c = 0;

	c = ctf_crc8_table[c ^ (epoch & 0xff)];
	c = ctf_crc8_table[c ^ ((epoch >> 8) & 0xff)];
	return ctf_crc8_table[c ^ ((epoch >> 16) & 0xff)];
}

u32 ctf_stamp_encode(u32 epoch)
{
	return epoch | (u32)ctf_stamp_check(epoch) << 24;
}

u32 ctf_stamp_decode(u32 word)
{
	u32 epoch = word & CTF_EPOCH_MAX;

	if (!word)
		return 0;
	if (!epoch || ctf_stamp_check(epoch) != word >> 24)
		return CTF_STAMP_FOREIGN;
	return epoch;
}

/* The namespace's next epoch. Caller holds ctf_net.lock. */
u32 ctf_epoch_alloc(struct ctf_net *cn)
{
	lockdep_assert_held(&cn->lock);
	cn->last_epoch = ctf_epoch_next(cn->last_epoch);
	return cn->last_epoch;
}

/* The namespace's next epoch that @b has not: not its current, not its first. */
u32 ctf_epoch_alloc_for(struct ctf_net *cn, const struct ctf_backend *b)
{
	u32 epoch;

	do
		epoch = ctf_epoch_alloc(cn);
	while (epoch == b->epoch || epoch == b->unstamped_epoch);
	return epoch;
}

/* @epoch was given from outside: never give it, or one below, again. */
void ctf_epoch_seen(struct ctf_net *cn, u32 epoch)
{
	lockdep_assert_held(&cn->lock);
	if (epoch > cn->last_epoch)
		cn->last_epoch = epoch;
}

static struct hlist_head *ctf_backend_bucket(struct ctf_tables *t, u8 family,
					     const union nf_inet_addr *addr)
{
	u32 h = jhash2(addr->all, ARRAY_SIZE(addr->all), family);

	return &t->backends[hash_32(h, CTF_BACKEND_HASH_BITS)];
}

/* What a dump of the backends goes by (ctf_nl_backend_dump()). */
static void ctf_backends_changed(struct ctf_net *cn)
{
	lockdep_assert_held(&cn->lock);
	/* 0 would read as "no check" to nl_dump_check_consistent(). */
	if (!++cn->backends_gen)
		cn->backends_gen = 1;
}

/*
 * The backend at @addr, removed ones included; NULL too before the first
 * enable. Caller holds ctf_net.lock or the RCU read lock.
 */
struct ctf_backend *ctf_backend_find(struct ctf_net *cn, u8 family,
				     const union nf_inet_addr *addr)
{
	struct ctf_tables *t = ctf_tab(cn);
	struct ctf_backend *b;

	if (!t)
		return NULL;
	hlist_for_each_entry_rcu(b, ctf_backend_bucket(t, family, addr), node,
				 lockdep_is_held(&cn->lock)) {
		if (b->family == family && nf_inet_addr_cmp(&b->addr, addr))
			return b;
	}
	return NULL;
}

/*
 * A new backend at @addr, at @epoch (0: the namespace's next), in @state.
 * Entries already made to @addr belong to that first epoch. Allocates the
 * namespace's tables if it has none yet (BACKEND_SET has enabled it, which
 * did). Caller holds ctf_net.lock.
 */
struct ctf_backend *ctf_backend_add(struct ctf_net *cn, u8 family,
				    const union nf_inet_addr *addr, u32 epoch,
				    u8 state)
{
	struct ctf_backend *b;
	int ret;

	lockdep_assert_held(&cn->lock);
	if (cn->nbackends >= CTF_MAX_BACKENDS)
		return ERR_PTR(-ENOSPC);
	ret = ctf_net_tables_get(cn);
	if (ret)
		return ERR_PTR(ret);
	/* Accounted: a user namespace's owner may create them. */
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return ERR_PTR(-ENOMEM);
	if (epoch)
		ctf_epoch_seen(cn, epoch);
	else
		epoch = ctf_epoch_alloc(cn);
	b->family = family;
	b->addr = *addr;
	b->epoch = epoch;
	b->unstamped_epoch = epoch;
	b->state = state;
	/* Fully initialised before it becomes visible to the hooks. */
	hlist_add_head_rcu(&b->node,
			   ctf_backend_bucket(ctf_tab(cn), family, addr));
	cn->nbackends++;
	ctf_backends_changed(cn);
	/*
	 * Entries an earlier load stamped for this address may carry other
	 * epochs: stale, where the hook may not be looking.
	 */
	ctf_stale_mark(cn, b);
	return b;
}

/*
 * @b is at @epoch from now on: the entries of its earlier epochs are stale
 * (ctf_stale_mark()). Caller holds ctf_net.lock, and waits for a grace
 * period before it answers.
 */
void ctf_backend_set_epoch(struct ctf_net *cn, struct ctf_backend *b,
			   u32 epoch)
{
	lockdep_assert_held(&cn->lock);
	WRITE_ONCE(b->epoch, epoch);
	/* A change: what an adoption replaced is stale from now on too. */
	WRITE_ONCE(b->alias_epoch, 0);
	ctf_stale_mark(cn, b);
}

/*
 * Remove @b: a new epoch, so that every entry made for it so far is stale,
 * and gone, to be forgotten after the next full sweep. Caller holds
 * ctf_net.lock and waits for a grace period before it answers.
 */
int ctf_backend_remove(struct ctf_net *cn, struct ctf_backend *b)
{
	lockdep_assert_held(&cn->lock);
	if (cn->ngone >= CTF_MAX_BACKENDS)
		return -EBUSY;
	ctf_backend_set_epoch(cn, b, ctf_epoch_alloc_for(cn, b));
	b->gone = true;
	/* Sweeps that started before this one do not count (see reap). */
	b->gone_gen = cn->sweep_gen;
	cn->nbackends--;
	cn->ngone++;
	ctf_backends_changed(cn);
	return 0;
}

/* A removed address is added again: the same record, a new epoch. */
void ctf_backend_revive(struct ctf_net *cn, struct ctf_backend *b, u32 epoch,
			u8 state)
{
	lockdep_assert_held(&cn->lock);
	if (epoch)
		ctf_epoch_seen(cn, epoch);
	else
		epoch = ctf_epoch_alloc_for(cn, b);
	WRITE_ONCE(b->state, state);
	ctf_backend_set_epoch(cn, b, epoch);
	b->name[0] = '\0';
	b->gone = false;
	atomic64_set(&b->tagged, 0);
	atomic64_set(&b->stale_hits, 0);
	atomic64_set(&b->evicted, 0);
	cn->ngone--;
	cn->nbackends++;
	ctf_backends_changed(cn);
}

static void ctf_backend_free(struct ctf_net *cn, struct ctf_backend *b)
{
	ctf_backends_changed(cn);
	hlist_del_rcu(&b->node);
	kfree_rcu(b, rcu);
}

/*
 * Forget the removed backends that sweep number @gen, now over, has
 * cleaned: removed before it started.
 */
void ctf_backend_reap(struct ctf_net *cn, unsigned long gen)
{
	struct ctf_backend *b;
	struct hlist_node *tmp;
	struct ctf_tables *t;
	unsigned int i;

	mutex_lock(&cn->lock);
	t = ctf_tab(cn);
	/* A removed backend means the tables exist. */
	for (i = 0; cn->ngone && i < ARRAY_SIZE(t->backends); i++)
		hlist_for_each_entry_safe(b, tmp, &t->backends[i], node) {
			if (b->gone && b->gone_gen < gen) {
				ctf_backend_free(cn, b);
				cn->ngone--;
			}
		}
	mutex_unlock(&cn->lock);
}

/* Namespace teardown: the hooks are gone, no reader is left. */
void ctf_backend_flush(struct ctf_net *cn)
{
	struct ctf_tables *t = ctf_tab(cn);
	struct ctf_backend *b;
	struct hlist_node *tmp;
	unsigned int i;

	lockdep_assert_held(&cn->lock);
	for (i = 0; t && i < ARRAY_SIZE(t->backends); i++)
		hlist_for_each_entry_safe(b, tmp, &t->backends[i], node)
			ctf_backend_free(cn, b);
	cn->nbackends = 0;
	cn->ngone = 0;
}

/*
 * The verdict on an entry whose stamp is @epoch (ctf_stamp_decode() of its
 * word: 0 none or no label area, CTF_STAMP_FOREIGN not our bits) and whose
 * NAT target is backend @b (NULL: not a backend, so not ours). Epochs are
 * compared for equality, never order, so a wrapped counter needs no
 * special case.
 */
enum ctf_verdict ctf_judge(u32 epoch, const struct ctf_backend *b)
{
	if (!b)
		return CTF_VERDICT_NOT_OURS;
	if (epoch == CTF_STAMP_FOREIGN)
		return CTF_VERDICT_FOREIGN;
	if (!epoch)
		epoch = READ_ONCE(b->unstamped_epoch);
	return epoch == READ_ONCE(b->epoch) ||
			       epoch == READ_ONCE(b->alias_epoch) ?
		       CTF_VERDICT_CURRENT :
		       CTF_VERDICT_STALE;
}
