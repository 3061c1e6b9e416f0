// SPDX-License-Identifier: GPL-2.0
/*
 * Eviction: delete the stale entries that no packet will come to delete.
 *
 * The re-steer hook already makes failover O(1): nothing waits for the
 * sweep. The sweep frees memory, in the background after every change that
 * makes entries stale, or synchronously for CTF_CMD_EVICT.
 *
 * It walks conntrack's (global) hash table a few buckets at a time, the way
 * ctnetlink dumps it: take a bucket lock, pick this namespace's stale UDP
 * entries into a small batch with a reference held, drop the lock, delete
 * them (nf_ct_delete takes the bucket locks itself), then cond_resched().
 * So no lock is held for more than one bucket, and the CPU is offered up
 * after every step. nf_ct_iterate_cleanup_net() is no substitute: it takes
 * every namespace's entries through a callback (with a global mutex held
 * on 6.1 and 6.12) and reports no per-namespace count.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "ctfailover.h"

#define SWEEP_BUCKETS_PER_STEP	64
#define SWEEP_BATCH		32
#define SWEEP_MAX_RESTARTS	4

static struct workqueue_struct *ctf_wq;

static bool ctf_sweep_is_stale(struct ctf_net *cn, const struct nf_conn *ct,
			       struct ctf_backend **bp)
{
	u32 epoch;

	return ctf_ct_judge(cn, ct, bp, &epoch) == CTF_VERDICT_STALE;
}

/*
 * The table as a walk starts on it, and whether it is still that table.
 * Conntrack resizes it when nf_conntrack_buckets is written: entries move,
 * some to buckets the walk already passed, and bucket numbers mean nothing
 * any more. A resize takes every bucket lock and swaps the table and its
 * size under them, so ctf_table_moved(), called under a bucket lock, holds
 * until the lock is dropped. (Its generation count is not exported; what a
 * pair of resizes between two buckets would hide, a table freed and
 * allocated again at the same address with the same size, is not seen.)
 */
struct ctf_table {
	struct hlist_nulls_head *hash;
	unsigned int size;
};

/* Up to this many changed backends, a walk compares addresses first. */
#define SWEEP_CHANGED_MAX	8

/* One walk's state. */
struct ctf_walk {
	struct ctf_table t;
	unsigned long swept;	/* ctf_net.swept_gen as the sweep began */
	int nchanged;		/* -1: too many, or every backend, changed */
	struct {
		union nf_inet_addr addr;
		u8 family;
	} changed[SWEEP_CHANGED_MAX];
	struct nf_conn *batch[SWEEP_BATCH];
};

/*
 * The backends changed since the last complete sweep began (all those a
 * change or a late entry marked before the walk's stale_gen was read: the
 * caller waited for the grace period after that read, so a confirm hook's
 * mark is in). A later change counts after it: the next sweep's.
 */
static void ctf_walk_changed_get(struct ctf_net *cn, struct ctf_walk *w)
{
	struct ctf_backend *b;
	struct ctf_tables *t;
	unsigned int i;

	w->nchanged = 0;
	if (ctf_gen_after(atomic_long_read(&cn->all_stale_gen), w->swept)) {
		w->nchanged = -1;
		return;
	}
	mutex_lock(&cn->lock);
	t = ctf_tab(cn);
	for (i = 0; t && i < ARRAY_SIZE(t->backends); i++)
		hlist_for_each_entry(b, &t->backends[i], node) {
			if (!ctf_backend_changed(cn, b, w->swept))
				continue;
			if (w->nchanged == SWEEP_CHANGED_MAX) {
				w->nchanged = -1;
				goto out;
			}
			w->changed[w->nchanged].addr = b->addr;
			w->changed[w->nchanged].family = b->family;
			w->nchanged++;
		}
out:
	mutex_unlock(&cn->lock);
}

/* Is @ct NATed to one of the walk's changed backends (if it knows them)? */
static bool ctf_walk_may_change(const struct ctf_walk *w,
				const struct nf_conn *ct)
{
	const union nf_inet_addr *addr =
		&ct->tuplehash[IP_CT_DIR_REPLY].tuple.src.u3;
	u8 family = nf_ct_l3num(ct);
	int i;

	if (w->nchanged < 0)
		return true;
	for (i = 0; i < w->nchanged; i++)
		if (w->changed[i].family == family &&
		    nf_inet_addr_cmp(&w->changed[i].addr, addr))
			return true;
	return false;
}

/*
 * Could @ct be stale? Only if its backend was marked after the walk's
 * swept (ctf_backend_changed()): the others' entries are not judged,
 * which saves reading their labels (a cache miss each) and, while few
 * backends changed, looking their backend up. res->judged counts those
 * that were. Called under its bucket lock: no sleeping.
 */
static bool ctf_sweep_candidate(struct ctf_net *cn, const struct ctf_walk *w,
				const struct nf_conn *ct,
				struct ctf_sweep_result *res)
{
	struct ctf_backend *b;

	if (nf_ct_is_dying(ct) || !ctf_ct_is_sip(cn, ct) ||
	    !ctf_walk_may_change(w, ct))
		return false;
	b = ctf_ct_backend(cn, ct);
	if (!b || !ctf_backend_changed(cn, b, w->swept))
		return false;
	res->judged++;
	return ctf_judge(ctf_stamp_decode(ctf_ct_stamp(ct, READ_ONCE(cn->label_word))),
			 b) == CTF_VERDICT_STALE;
}

static void ctf_table_get(struct ctf_table *t)
{
	t->hash = READ_ONCE(nf_conntrack_hash);
	t->size = READ_ONCE(nf_conntrack_htable_size);
}

static bool ctf_table_moved(const struct ctf_table *t, unsigned int i)
{
	return nf_conntrack_hash != t->hash ||
	       nf_conntrack_htable_size != t->size || i >= t->size;
}

/*
 * Pick up to SWEEP_BATCH candidates of bucket @i into @w->batch, each with
 * a reference held; *n is how many. Returns how many entries of this
 * namespace the bucket holds, and whether the batch filled up first; -1
 * when the table was resized (ctf_table_moved()).
 */
static int ctf_scan_bucket(struct ctf_net *cn, struct ctf_walk *w,
			   unsigned int i, struct ctf_sweep_result *res,
			   unsigned int *n, bool *more)
{
	const struct ctf_table *t = &w->t;
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *node;
	spinlock_t *lockp;	/* conntrack's lock for bucket @i */
	struct nf_conn *ct;
	int entries = 0;

	*n = 0;
	*more = false;
	local_bh_disable();
	lockp = &nf_conntrack_locks[i % CONNTRACK_LOCKS];
	nf_conntrack_lock(lockp);
	/* Its declaration lacks __acquires(): tell sparse it is held. */
	__acquire(lockp);
	if (ctf_table_moved(t, i)) {
		entries = -1;
		goto out;
	}
	rcu_read_lock();	/* for the backend lookups in the candidate test */
	hlist_nulls_for_each_entry(h, node, &t->hash[i], hnnode) {
		/* Every entry is in the table twice: visit its reply side. */
		if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
			continue;
		ct = nf_ct_tuplehash_to_ctrack(h);
		if (!net_eq(nf_ct_net(ct), cn->net))
			continue;
		entries++;
		if (*more || !ctf_sweep_candidate(cn, w, ct, res))
			continue;
		if (*n == SWEEP_BATCH)
			*more = true;	/* keep counting, pick no more */
		else if (refcount_inc_not_zero(&ct->ct_general.use))
			w->batch[(*n)++] = ct;
	}
	rcu_read_unlock();
out:
	spin_unlock(lockp);
	local_bh_enable();
	return entries;
}

/*
 * Can bucket @i be passed without its lock? Yes when the walk knows the
 * changed backends' addresses and no entry of the bucket is NATed to one
 * of them; *entries is then this namespace's entries in it. Caller holds
 * the RCU read lock and has seen the walk's table current in it
 * (ctf_sweep_walk()). Read as conntrack's own lookup does: an entry that is freed and
 * reused as we read it takes us into another chain, whose end marker
 * (nulls) names another bucket, and the bucket is read again. Entries
 * added meanwhile may be missed, as by a locked scan just before them:
 * a new entry is stamped, or confirmed stale and marks its backend for
 * the next sweep (ctf_confirm()). A resize is caught at the walk's end
 * (ctf_walk_moved()). No label is read: an entry's extension area is
 * freed without a grace period.
 */
static bool ctf_bucket_quiet(struct ctf_net *cn, const struct ctf_walk *w,
			     unsigned int i, int *entries)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *node;
	const struct nf_conn *ct;
	bool quiet = true;

	if (w->nchanged < 0)
		return false;
begin:
	*entries = 0;
	hlist_nulls_for_each_entry_rcu(h, node, &w->t.hash[i], hnnode) {
		if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
			continue;
		ct = nf_ct_tuplehash_to_ctrack(h);
		if (!net_eq(nf_ct_net(ct), cn->net))
			continue;
		(*entries)++;
		if (ctf_walk_may_change(w, ct)) {
			quiet = false;
			break;
		}
	}
	if (quiet && get_nulls_value(node) != i)
		goto begin;
	return quiet;
}

/*
 * Did conntrack resize the table since the walk began? Asked under a
 * bucket lock: a resize holds them all while it moves the entries.
 */
static bool ctf_walk_moved(const struct ctf_walk *w)
{
	spinlock_t *lockp = &nf_conntrack_locks[0];
	bool moved;

	local_bh_disable();
	nf_conntrack_lock(lockp);
	__acquire(lockp);
	moved = ctf_table_moved(&w->t, 0);
	spin_unlock(lockp);
	local_bh_enable();
	return moved;
}

/* Delete the picked entries that are still stale, drop the references. */
static u64 ctf_evict_batch(struct ctf_net *cn, struct nf_conn **batch,
			   unsigned int n)
{
	struct ctf_backend *b;
	u64 evicted = 0;

	while (n--) {
		struct nf_conn *ct = batch[n];

		rcu_read_lock();
		if (ctf_sweep_is_stale(cn, ct, &b) && ctf_ct_delete(ct)) {
			evicted++;
			atomic64_inc(&b->evicted);
		}
		rcu_read_unlock();
		nf_ct_put(ct);
	}
	return evicted;
}

/*
 * One walk of the table, from its first bucket: false when conntrack
 * resized the table under it (the entries it did not reach may now sit in
 * buckets it passed). It reads the table under the RCU read lock, a step
 * of buckets at a time, each step from a check that the table is still
 * the one the walk began on (a resize frees the old one a grace period
 * after it swaps them). An empty bucket costs a read; one without a
 * candidate by address is passed without its lock (ctf_bucket_quiet()). A bucket whose candidates
 * overflow the batch is scanned again after the batch is deleted, a
 * bounded number of times (entries that another path is busy deleting may
 * linger for a moment). A namespace without entries is not walked: the
 * table is every namespace's, and the walk's cost is its size, not ours.
 * Checked at every bucket, so the walk also ends once the namespace's last
 * entry is gone.
 */
static bool ctf_sweep_walk(struct ctf_net *cn, struct ctf_walk *w,
			   struct ctf_sweep_result *res)
{
	unsigned int i, n, round;
	bool more, step = true;
	int entries;

	ctf_table_get(&w->t);
	res->complete = true;
	rcu_read_lock();
	for (i = 0; i < w->t.size && CTF_CT_COUNT(cn->net); i++) {
		/* A step ends every few buckets, and after a bucket's deletes. */
		if (step || !(i % SWEEP_BUCKETS_PER_STEP)) {
			step = false;
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
			if (READ_ONCE(nf_conntrack_hash) != w->t.hash ||
			    READ_ONCE(nf_conntrack_htable_size) != w->t.size)
				goto moved;
		}
		if (is_a_nulls(rcu_dereference_raw(hlist_nulls_first_rcu(&w->t.hash[i]))))
			continue;
		if (ctf_bucket_quiet(cn, w, i, &entries)) {
			res->scanned += entries;
			continue;
		}
		round = 0;
		do {
			entries = ctf_scan_bucket(cn, w, i, res, &n, &more);
			if (entries < 0)
				goto moved;
			if (!round)
				res->scanned += entries;
			res->evicted += ctf_evict_batch(cn, w->batch, n);
			if (n)
				step = true;
		} while (more && ++round < 64);
		if (more)
			res->complete = false;
	}
	rcu_read_unlock();
	return !ctf_walk_moved(w);
moved:
	rcu_read_unlock();
	return false;
}

/*
 * A full sweep. Caller holds sweep_lock. A walk that a resize cut short
 * starts again from the first bucket (what it already deleted stays
 * deleted), at most SWEEP_MAX_RESTARTS times; after that the table is
 * being resized faster than we can walk it, and the sweep is left to the
 * next run, queued now, without forgetting any removed backend.
 */
static void ctf_sweep(struct ctf_net *cn, struct ctf_sweep_result *res)
{
	struct ctf_walk walk, *w = &walk;
	unsigned long gen;
	ktime_t start;
	long seen;
	bool done;

	lockdep_assert_held(&cn->sweep_lock);
	memset(res, 0, sizeof(*res));
	/*
	 * Under ctf_net.lock: a removal either sees this number (and waits
	 * for the next sweep) or is complete before the walk starts; a
	 * change marked its backend (ctf_stale_mark()) before we read
	 * stale_gen, or counts after @seen.
	 */
	mutex_lock(&cn->lock);
	gen = ++cn->sweep_gen;
	seen = atomic_long_read(&cn->stale_gen);
	w->swept = atomic_long_read(&cn->swept_gen);
	mutex_unlock(&cn->lock);
	/*
	 * A confirm hook that marked the namespace (and the entry's backend)
	 * before we read stale_gen has returned, and the entry it found
	 * stale is in the table: the walk will see it.
	 */
	synchronize_rcu();
	ctf_walk_changed_get(cn, w);
	start = ktime_get();
	/*
	 * scanned, judged: the last walk's entries; evicted: every walk's
	 * deletes.
	 */
	while (!(done = ctf_sweep_walk(cn, w, res)) &&
	       res->restarts < SWEEP_MAX_RESTARTS) {
		res->restarts++;
		res->scanned = 0;
		res->judged = 0;
	}
	atomic64_add(res->restarts, &cn->sweep_restarts);
	atomic64_add(res->evicted, &cn->evicted);
	res->usec = ktime_us_delta(ktime_get(), start);
	if (!done) {
		ctf_sweep_schedule(cn, false);
		return;
	}
	/* No stale entry of a backend removed before the walk is left. */
	ctf_backend_reap(cn, gen);
	/*
	 * Nor any other stale entry of the changes counted in @seen, unless a
	 * bucket kept candidates past its rounds: until the next change, the
	 * re-steer hook need not look.
	 */
	if (res->complete)
		atomic_long_set(&cn->swept_gen, seen);
	atomic64_inc(&cn->sweeps);
}

/* ctf_sweep_last_stamp()'s walk: false when the table was resized under it. */
static bool ctf_last_stamp_walk(struct ctf_net *cn, u32 *last)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *node;
	u8 word = cn->label_word;
	spinlock_t *lockp;	/* conntrack's lock for bucket @i */
	struct nf_conn *ct;
	bool moved = false;
	struct ctf_table t;
	unsigned int i;
	u32 epoch;

	ctf_table_get(&t);
	for (i = 0; !moved && i < t.size && CTF_CT_COUNT(cn->net); i++) {
		local_bh_disable();
		lockp = &nf_conntrack_locks[i % CONNTRACK_LOCKS];
		nf_conntrack_lock(lockp);
		__acquire(lockp);
		moved = ctf_table_moved(&t, i);
		if (!moved) {
			hlist_nulls_for_each_entry(h, node, &t.hash[i], hnnode) {
				if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
					continue;
				ct = nf_ct_tuplehash_to_ctrack(h);
				/* Any port: the set may differ from the last load's. */
				if (!net_eq(nf_ct_net(ct), cn->net) ||
				    nf_ct_protonum(ct) != IPPROTO_UDP)
					continue;
				epoch = ctf_stamp_decode(ctf_ct_stamp(ct, word));
				if (epoch != CTF_STAMP_FOREIGN && epoch > *last)
					*last = epoch;
			}
		}
		spin_unlock(lockp);
		local_bh_enable();
		if (!((i + 1) % SWEEP_BUCKETS_PER_STEP))
			cond_resched();
	}
	return !moved;
}

/*
 * The highest epoch stamped on an entry of this namespace (0: none), so
 * that the epoch counter starts above the stamps an earlier load of the
 * module left. A read-only walk, a bucket lock at a time, none for a
 * namespace without entries; walked again when a resize cut it short (a
 * stamp missed here could come back to life), until one completes. Caller
 * holds ctf_net.lock: no stamp of ours is being written.
 */
u32 ctf_sweep_last_stamp(struct ctf_net *cn)
{
	u32 last = 0;

	while (!ctf_last_stamp_walk(cn, &last))
		cond_resched();
	return last;
}

void ctf_sweep_run(struct ctf_net *cn, struct ctf_sweep_result *res)
{
	mutex_lock(&cn->sweep_lock);
	ctf_sweep(cn, res);
	mutex_unlock(&cn->sweep_lock);
	ctf_nl_event_evicted(cn, res);
}

static void ctf_sweep_work(struct work_struct *work)
{
	struct ctf_net *cn = container_of(to_delayed_work(work), struct ctf_net,
					  sweep_work);
	struct ctf_sweep_result res;

	ctf_sweep_run(cn, &res);
}

/*
 * A sweep after sweep-delay, or @now. A burst of changes gets one sweep,
 * sweep-delay after the first of them: a sweep already pending is not put
 * off, so a steady stream of changes cannot postpone it for ever. A change
 * while a sweep runs queues the next one.
 */
void ctf_sweep_schedule(struct ctf_net *cn, bool now)
{
	if (now)
		mod_delayed_work(ctf_wq, &cn->sweep_work, 0);
	else
		queue_delayed_work(ctf_wq, &cn->sweep_work,
				   msecs_to_jiffies(READ_ONCE(cn->sweep_delay_ms)));
}

/*
 * The sweep delay changed: a waiting sweep waits the new delay, from now
 * (sooner or later than it was due: an operator who sets a long delay
 * wants no sweep before it).
 */
void ctf_sweep_delay_changed(struct ctf_net *cn)
{
	if (delayed_work_pending(&cn->sweep_work))
		mod_delayed_work(ctf_wq, &cn->sweep_work,
				 msecs_to_jiffies(READ_ONCE(cn->sweep_delay_ms)));
}

void ctf_sweep_init(struct ctf_net *cn)
{
	mutex_init(&cn->sweep_lock);
	INIT_DELAYED_WORK(&cn->sweep_work, ctf_sweep_work);
}

/* Namespace teardown: after this no sweep runs or is queued. */
void ctf_sweep_uninit(struct ctf_net *cn)
{
	cancel_delayed_work_sync(&cn->sweep_work);
}

int __init ctf_sweep_wq_init(void)
{
	/* Unbound: a sweep of a large table should not pin one CPU's queue. */
	ctf_wq = alloc_workqueue("ctfailover", WQ_UNBOUND, 0);
	return ctf_wq ? 0 : -ENOMEM;
}

void ctf_sweep_wq_uninit(void)
{
	destroy_workqueue(ctf_wq);
}
