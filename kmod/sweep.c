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
 * after every step. nf_ct_iterate_cleanup_net() is no substitute: it holds
 * a global mutex for the whole walk and cannot be interrupted.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "ctfailover.h"

#define SWEEP_BUCKETS_PER_STEP	64
#define SWEEP_BATCH		32

static struct workqueue_struct *ctf_wq;

/* Is @ct a UDP entry to a SIP port? */
static bool sip_entry(struct ctf_net *cn, const struct nf_conn *ct)
{
	return nf_ct_protonum(ct) == IPPROTO_UDP &&
	       ctf_port_is_sip(cn, ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.u.udp.port);
}

static bool is_stale(struct ctf_net *cn, const struct nf_conn *ct,
		     struct ctf_backend **bp)
{
	u32 epoch;

	return ctf_ct_judge(cn, ct, bp, &epoch) == CTF_VERDICT_STALE;
}

/* Could @ct be stale? Called under its bucket lock: no sleeping. */
static bool candidate(struct ctf_net *cn, const struct nf_conn *ct)
{
	struct ctf_backend *b;

	return !nf_ct_is_dying(ct) && sip_entry(cn, ct) && is_stale(cn, ct, &b);
}

/*
 * Pick up to SWEEP_BATCH candidates of bucket @i into @batch, each with a
 * reference held; *n is how many. Returns how many entries of this
 * namespace the bucket holds, and whether the batch filled up first.
 */
static unsigned int scan_bucket(struct ctf_net *cn, unsigned int i,
				struct nf_conn **batch, unsigned int *n,
				bool *more)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *node;
	unsigned int entries = 0;
	spinlock_t *lockp;	/* conntrack's lock for bucket @i */
	struct nf_conn *ct;

	*n = 0;
	*more = false;
	local_bh_disable();
	lockp = &nf_conntrack_locks[i % CONNTRACK_LOCKS];
	nf_conntrack_lock(lockp);
	/* Its declaration lacks __acquires(): tell sparse it is held. */
	__acquire(lockp);
	/* The table may have been resized since we last looked. */
	if (i >= nf_conntrack_htable_size)
		goto out;
	rcu_read_lock();	/* for the backend lookups in candidate() */
	hlist_nulls_for_each_entry(h, node, &nf_conntrack_hash[i], hnnode) {
		/* Every entry is in the table twice: visit its reply side. */
		if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
			continue;
		ct = nf_ct_tuplehash_to_ctrack(h);
		if (!net_eq(nf_ct_net(ct), cn->net))
			continue;
		entries++;
		if (*more || !candidate(cn, ct))
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
static u64 evict_batch(struct ctf_net *cn, struct nf_conn **batch,
		       unsigned int n)
{
	struct ctf_backend *b;
	u64 evicted = 0;

	while (n--) {
		struct nf_conn *ct = batch[n];

		rcu_read_lock();
		if (!nf_ct_is_dying(ct) && is_stale(cn, ct, &b) &&
		    nf_ct_delete(ct, 0, 0)) {
			evicted++;
			atomic64_inc(&b->evicted);
		}
		rcu_read_unlock();
		nf_ct_put(ct);
	}
	return evicted;
}

/*
 * One full walk of the table. Caller holds sweep_lock. A bucket whose
 * candidates overflow the batch is scanned again after the batch is
 * deleted, a bounded number of times (entries that another path is busy
 * deleting may linger for a moment).
 */
static void sweep(struct ctf_net *cn, struct ctf_sweep_result *res)
{
	struct nf_conn *batch[SWEEP_BATCH];
	ktime_t start = ktime_get();
	unsigned int i, step = 0, n, round, entries;
	unsigned long gen;
	bool more;

	lockdep_assert_held(&cn->sweep_lock);
	memset(res, 0, sizeof(*res));
	/*
	 * Under ctf_net.lock: a removal either sees this number (and waits
	 * for the next sweep) or is complete before the walk starts.
	 */
	mutex_lock(&cn->lock);
	gen = ++cn->sweep_gen;
	mutex_unlock(&cn->lock);
	for (i = 0; i < READ_ONCE(nf_conntrack_htable_size); i++) {
		round = 0;
		do {
			entries = scan_bucket(cn, i, batch, &n, &more);
			if (!round)
				res->scanned += entries;
			res->evicted += evict_batch(cn, batch, n);
		} while (more && ++round < 64);
		if (++step == SWEEP_BUCKETS_PER_STEP) {
			step = 0;
			cond_resched();
		}
	}
	/* No stale entry of a backend removed before the walk is left. */
	ctf_backend_reap(cn, gen);
	res->usec = ktime_us_delta(ktime_get(), start);
	atomic64_add(res->evicted, &cn->evicted);
	atomic64_inc(&cn->sweeps);
}

/*
 * The highest epoch stamped on an entry of this namespace (0: none), so
 * that the epoch counter starts above the stamps an earlier load of the
 * module left. One read-only walk, a bucket lock at a time. Caller holds
 * ctf_net.lock: no stamp of ours is being written.
 */
u32 ctf_sweep_last_stamp(struct ctf_net *cn)
{
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *node;
	u8 word = cn->label_word;
	spinlock_t *lockp;	/* conntrack's lock for bucket @i */
	struct nf_conn *ct;
	unsigned int i;
	u32 last = 0, epoch;

	for (i = 0; i < READ_ONCE(nf_conntrack_htable_size); i++) {
		local_bh_disable();
		lockp = &nf_conntrack_locks[i % CONNTRACK_LOCKS];
		nf_conntrack_lock(lockp);
		__acquire(lockp);
		if (i < nf_conntrack_htable_size) {
			hlist_nulls_for_each_entry(h, node, &nf_conntrack_hash[i],
						   hnnode) {
				if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
					continue;
				ct = nf_ct_tuplehash_to_ctrack(h);
				/* Any port: the set may differ from the last load's. */
				if (!net_eq(nf_ct_net(ct), cn->net) ||
				    nf_ct_protonum(ct) != IPPROTO_UDP)
					continue;
				epoch = ctf_stamp_decode(ctf_ct_stamp(ct, word));
				if (epoch != CTF_STAMP_FOREIGN && epoch > last)
					last = epoch;
			}
		}
		spin_unlock(lockp);
		local_bh_enable();
		if (!(i % SWEEP_BUCKETS_PER_STEP))
			cond_resched();
	}
	return last;
}

void ctf_sweep_run(struct ctf_net *cn, struct ctf_sweep_result *res)
{
	mutex_lock(&cn->sweep_lock);
	sweep(cn, res);
	mutex_unlock(&cn->sweep_lock);
	ctf_nl_event_evicted(cn, res);
}

static void sweep_work(struct work_struct *work)
{
	struct ctf_net *cn = container_of(to_delayed_work(work), struct ctf_net,
					  sweep_work);
	struct ctf_sweep_result res;

	ctf_sweep_run(cn, &res);
}

/* A sweep after sweep-delay, or @now. */
void ctf_sweep_schedule(struct ctf_net *cn, bool now)
{
	/* A burst of changes gets one sweep, after the last of them. */
	mod_delayed_work(ctf_wq, &cn->sweep_work,
			 now ? 0 : msecs_to_jiffies(READ_ONCE(cn->sweep_delay_ms)));
}

void ctf_sweep_init(struct ctf_net *cn)
{
	mutex_init(&cn->sweep_lock);
	INIT_DELAYED_WORK(&cn->sweep_work, sweep_work);
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
