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

/* Could @ct be stale? Called under its bucket lock: no sleeping. */
static bool ctf_sweep_candidate(struct ctf_net *cn, const struct nf_conn *ct)
{
	struct ctf_backend *b;

	return !nf_ct_is_dying(ct) && ctf_ct_is_sip(cn, ct) &&
	       ctf_sweep_is_stale(cn, ct, &b);
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
 * Pick up to SWEEP_BATCH candidates of bucket @i into @batch, each with a
 * reference held; *n is how many. Returns how many entries of this
 * namespace the bucket holds, and whether the batch filled up first; -1
 * when the table was resized (ctf_table_moved()).
 */
static int ctf_scan_bucket(struct ctf_net *cn, const struct ctf_table *t,
			   unsigned int i, struct nf_conn **batch,
			   unsigned int *n, bool *more)
{
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
		if (*more || !ctf_sweep_candidate(cn, ct))
			continue;
		if (*n == SWEEP_BATCH)
			*more = true;	/* keep counting, pick no more */
		else if (refcount_inc_not_zero(&ct->ct_general.use))
			batch[(*n)++] = ct;
	}
	rcu_read_unlock();
out:
	spin_unlock(lockp);
	local_bh_enable();
	return entries;
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
 * buckets it passed). A bucket whose candidates overflow the batch is
 * scanned again after the batch is deleted, a bounded number of times
 * (entries that another path is busy deleting may linger for a moment). A
 * namespace without entries is not walked: the table is every namespace's,
 * and the walk's cost is its size, not ours. Checked at every bucket, so
 * the walk also ends once the namespace's last entry is gone.
 */
static bool ctf_sweep_walk(struct ctf_net *cn, struct ctf_sweep_result *res)
{
	struct nf_conn *batch[SWEEP_BATCH];
	unsigned int i, n, round;
	struct ctf_table t;
	int entries;
	bool more;

	ctf_table_get(&t);
	res->complete = true;
	for (i = 0; i < t.size && CTF_CT_COUNT(cn->net); i++) {
		round = 0;
		do {
			entries = ctf_scan_bucket(cn, &t, i, batch, &n, &more);
			if (entries < 0)
				return false;
			if (!round)
				res->scanned += entries;
			res->evicted += ctf_evict_batch(cn, batch, n);
		} while (more && ++round < 64);
		if (more)
			res->complete = false;
		if (!((i + 1) % SWEEP_BUCKETS_PER_STEP))
			cond_resched();
	}
	return true;
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
	unsigned long gen;
	ktime_t start;
	long seen;
	bool done;

	lockdep_assert_held(&cn->sweep_lock);
	memset(res, 0, sizeof(*res));
	/*
	 * Under ctf_net.lock: a removal either sees this number (and waits
	 * for the next sweep) or is complete before the walk starts.
	 */
	mutex_lock(&cn->lock);
	gen = ++cn->sweep_gen;
	seen = atomic_long_read(&cn->stale_gen);
	mutex_unlock(&cn->lock);
	/*
	 * A confirm hook that marked the namespace before we read stale_gen
	 * has returned, and the entry it found stale is in the table: the
	 * walk will see it.
	 */
	synchronize_rcu();
	start = ktime_get();
	/* scanned: the last walk's entries; evicted: every walk's deletes. */
	while (!(done = ctf_sweep_walk(cn, res)) &&
	       res->restarts < SWEEP_MAX_RESTARTS) {
		res->restarts++;
		res->scanned = 0;
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
