/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailover.ko internals shared between its files.
 *
 * Locking, in one place:
 *  - ctf_net.lock (mutex) serialises every writer of a namespace's state:
 *    backends, ports, label word, enabling the hooks. Netlink handlers take
 *    it; the packet path never does. The family has parallel_ops: no
 *    handler runs under genl_mutex, so what one namespace waits for (a
 *    grace period, a sweep) holds up no other.
 *  - The packet path (hooks.c) runs under the RCU read lock that the
 *    netfilter core holds around every hook. It finds backends through the
 *    RCU hash (hlist_*_rcu), reads epoch/state with READ_ONCE and tests the
 *    port bitmap bit by bit. Backends are freed with kfree_rcu.
 *  - ctf_net.tab (the backend hash, the hooks, the port bitmap) is
 *    allocated by the first enable, published with rcu_assign_pointer()
 *    under ctf_net.lock and not changed again until the namespace's exit
 *    frees it. The hooks, registered after it is published, get it as
 *    their priv; other readers without the lock (the sweep's walk, the
 *    hooks' lookups through ctf_net) use ctf_tab() under RCU, where NULL
 *    means no port is SIP and no backend exists.
 *  - Writers that make entries stale (bump, delete, state -> down) wait
 *    for an RCU grace period before they answer: every hook that could
 *    still have judged with the old epoch has then returned, so every
 *    packet that reaches the re-steer hook after the acknowledgment is
 *    judged by the new one (docs/architecture.md, "After an
 *    acknowledgment", says what that does not cover).
 *  - ctf_net.sweep_lock (mutex) serialises sweeps (background and sync).
 *    A sweep takes ctf_net.lock briefly (its number, then reaping removed
 *    backends) inside sweep_lock; nothing takes them the other way round.
 */
#ifndef _CTF_CTFAILOVER_H
#define _CTF_CTFAILOVER_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/netfilter.h>
#include <linux/ratelimit.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/netfilter/nf_conntrack.h>

#include "uapi/ctfailover.h"

#define CTF_BACKEND_HASH_BITS	8

struct ctf_backend {
	struct hlist_node node;		/* ctf_net.backends, RCU */
	struct rcu_head rcu;
	union nf_inet_addr addr;	/* unused bytes zero: hashed and compared whole */
	u8 family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 state;			/* enum ctf_backend_state; READ_ONCE in hooks */
	bool gone;			/* removed, not yet reaped; under ctf_net.lock */
	u32 epoch;			/* 1..CTF_EPOCH_MAX; READ_ONCE in hooks */
	u32 unstamped_epoch;		/* entries without a stamp belong to it */
	u32 alias_epoch;		/* adopted over (CTF_BA_ADOPT); 0 none */
	unsigned long gone_gen;		/* ctf_net.sweep_gen when removed */
	atomic_long_t stale_gen;	/* ctf_stale_mark() of its last change */
	char name[CTF_NAME_MAX];	/* under ctf_net.lock */
	atomic64_t tagged;
	atomic64_t stale_hits;
	atomic64_t evicted;
};

struct ctf_sweep_result {
	u64 scanned;
	u64 judged;		/* of them: of a backend changed (ctf_backend_changed()) */
	u64 evicted;
	u64 usec;
	unsigned int restarts;	/* walks a table resize cut short */
	bool complete;		/* no bucket kept candidates past its rounds */
};

/* The namespace's counters of the packet path: per CPU, summed on read. */
enum ctf_stat {
	CTF_STAT_TAGGED,
	CTF_STAT_STALE_HITS,
	CTF_STAT_UNTAGGABLE,
	CTF_STAT_FOREIGN,
	CTF_STAT_LATE,		/* entries confirmed stale (ctf_confirm) */
	CTF_STAT_N,
};

struct ctf_stats {
	u64 v[CTF_STAT_N];
};

/*
 * What only an enabled namespace needs, allocated by its first enable
 * (ctf_net_tables_get()) and kept until the namespace goes: a namespace
 * nobody configures costs its struct ctf_net alone. Hooks, sweeps and
 * requests that may run before it exists find it through ctf_tab().
 */
struct ctf_tables {
	struct ctf_net *cn;		/* whose; the hooks' priv is the tables */
	struct hlist_head backends[1 << CTF_BACKEND_HASH_BITS];
	/* hooks.c: {re-steer, stamp} x {in, out} x {v4, v6}, confirm x 4 */
	struct nf_hook_ops hook_ops[12];
	struct ratelimit_state stale_event_rs;
	struct ctf_stats __percpu *stats;
	DECLARE_BITMAP(port_map, 65536);	/* ctf_net.ports, for the hooks */
};

struct ctf_net {
	struct net *net;
	/* Set once, under lock, fully initialised; freed with the namespace. */
	struct ctf_tables __rcu *tab;
	struct mutex lock;		/* writers of everything below */
	unsigned int nbackends;		/* not gone */
	unsigned int ngone;		/* removed, waiting for a sweep */
	unsigned int backends_gen;	/* changes of the table, for dumps; never 0 */
	u32 last_epoch;			/* the last epoch given out */
	unsigned long sweep_gen;	/* sweeps started; under lock */
	bool enabled;			/* hooks registered, labels in use */
	u8 label_word;			/* which u32 of the labels holds the epoch */
	u32 sweep_delay_ms;		/* CTF_A_SWEEP_DELAY_MS */
	u8 nports;
	u16 ports[CTF_MAX_PORTS];	/* the set, in the order given */

	struct mutex sweep_lock;	/* one sweep at a time */
	struct delayed_work sweep_work;

	/*
	 * Can an entry of this namespace be stale? Only while stale_gen (one
	 * more for every change that may make entries stale, taken on both
	 * sides of its grace period, and for every entry confirmed stale)
	 * differs from swept_gen (stale_gen as the last complete sweep found
	 * it when it started). While they agree, the re-steer hook looks no
	 * entry up (ctf_may_be_stale()).
	 */
	atomic_long_t stale_gen;
	atomic_long_t swept_gen;
	/*
	 * ctf_stale_mark() of the last change that may have made entries of
	 * any backend stale (an enable, a port set); a backend's own changes
	 * are in its stale_gen. A sweep judges only the entries of backends
	 * marked since the last complete sweep began (ctf_backend_changed()).
	 */
	atomic_long_t all_stale_gen;

	atomic64_t evicted;
	atomic64_t sweeps;
	atomic64_t sweep_restarts;
};

/*
 * The namespace's tables, or NULL before its first enable. Caller holds
 * ctf_net.lock or the RCU read lock (every hook does).
 */
static inline struct ctf_tables *ctf_tab(const struct ctf_net *cn)
{
	return rcu_dereference_check(cn->tab, lockdep_is_held(&cn->lock));
}

/* Only the hooks count: they run once the tables exist. */
static inline void ctf_stat_inc(struct ctf_net *cn, enum ctf_stat i)
{
	this_cpu_inc(ctf_tab(cn)->stats->v[i]);
}

u64 ctf_stat_read(const struct ctf_net *cn, enum ctf_stat i);

static inline bool ctf_may_be_stale(const struct ctf_net *cn)
{
	return atomic_long_read(&cn->stale_gen) !=
	       atomic_long_read(&cn->swept_gen);
}

/* Is generation @a later than @b? (They only grow; wrap-safe.) */
static inline bool ctf_gen_after(unsigned long a, unsigned long b)
{
	return (long)(a - b) > 0;
}

/*
 * Entries of backend @b (NULL: of any backend) may be stale from now on: a
 * new epoch, a port set, a late entry. Two CPUs may mark @b at once (the
 * confirm hook): its generation only goes up.
 */
static inline void ctf_stale_mark(struct ctf_net *cn, struct ctf_backend *b)
{
	unsigned long gen = atomic_long_inc_return(&cn->stale_gen);
	atomic_long_t *at = b ? &b->stale_gen : &cn->all_stale_gen;
	long old = atomic_long_read(at);

	while (ctf_gen_after(gen, old) &&
	       !atomic_long_try_cmpxchg(at, &old, gen))
		;
}

/*
 * Was @b (or every backend) marked after generation @swept, the stale_gen
 * that the last complete sweep began with? If not, none of its entries is
 * stale: each change that made some stale before that sweep began was
 * followed by the sweep, and each later one marked it again.
 */
static inline bool ctf_backend_changed(const struct ctf_net *cn,
				       const struct ctf_backend *b,
				       unsigned long swept)
{
	return ctf_gen_after(atomic_long_read(&b->stale_gen), swept) ||
	       ctf_gen_after(atomic_long_read(&cn->all_stale_gen), swept);
}

void ctf_sweep_schedule(struct ctf_net *cn, bool now);

/* ctf_stale_mark(), and a sweep sweep-delay ahead to clear the mark. */
static inline void ctf_stale_mark_sweep(struct ctf_net *cn,
					struct ctf_backend *b)
{
	ctf_stale_mark(cn, b);
	ctf_sweep_schedule(cn, false);
}

/* net.c: per-namespace state */
int ctf_net_init(void);
void ctf_net_uninit(void);
struct ctf_net *ctf_net(const struct net *net);
int ctf_net_tables_get(struct ctf_net *cn);
void ctf_net_tables_free(struct ctf_net *cn);
int ctf_net_enable(struct ctf_net *cn);
int ctf_net_set_ports(struct ctf_net *cn, const u16 *ports, unsigned int n);
#if IS_ENABLED(CONFIG_CTFAILOVER_KUNIT_TEST)
extern bool ctf_test_tables_enomem;
#endif

/* Before the first enable no port is SIP: no hook runs, no backend exists. */
static inline bool ctf_port_is_sip(const struct ctf_net *cn, __be16 port)
{
	const struct ctf_tables *t = ctf_tab(cn);

	return t && test_bit(ntohs(port), t->port_map);
}

/* Is @ct a UDP entry to a SIP port? */
static inline bool ctf_ct_is_sip(const struct ctf_net *cn,
				 const struct nf_conn *ct)
{
	return nf_ct_protonum(ct) == IPPROTO_UDP &&
	       ctf_port_is_sip(cn, ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.u.udp.port);
}

/* backend.c: the backend table, stamps and the verdict on an entry */
#define CTF_STAMP_FOREIGN	U32_MAX	/* ctf_stamp_decode(): not our bits */

static inline u32 ctf_epoch_next(u32 epoch)
{
	/* 0 means "not stamped": skip it when the counter wraps. */
	return epoch >= CTF_EPOCH_MAX ? 1 : epoch + 1;
}

enum ctf_verdict {
	CTF_VERDICT_NOT_OURS,	/* its NAT target is no backend */
	CTF_VERDICT_CURRENT,
	CTF_VERDICT_STALE,
	CTF_VERDICT_FOREIGN,	/* its stamp word holds bits not ours */
};

u32 ctf_stamp_encode(u32 epoch);
u32 ctf_stamp_decode(u32 word);
u32 ctf_epoch_alloc(struct ctf_net *cn);
u32 ctf_epoch_alloc_for(struct ctf_net *cn, const struct ctf_backend *b);
void ctf_epoch_seen(struct ctf_net *cn, u32 epoch);
struct ctf_backend *ctf_backend_find(struct ctf_net *cn, u8 family,
				     const union nf_inet_addr *addr);
struct ctf_backend *ctf_backend_add(struct ctf_net *cn, u8 family,
				    const union nf_inet_addr *addr, u32 epoch,
				    u8 state);
void ctf_backend_set_epoch(struct ctf_net *cn, struct ctf_backend *b,
			   u32 epoch);
int ctf_backend_remove(struct ctf_net *cn, struct ctf_backend *b);
void ctf_backend_revive(struct ctf_net *cn, struct ctf_backend *b, u32 epoch,
			u8 state);
void ctf_backend_reap(struct ctf_net *cn, unsigned long gen);
void ctf_backend_flush(struct ctf_net *cn);
enum ctf_verdict ctf_judge(u32 epoch, const struct ctf_backend *b);

/* hooks.c: the packet path */
void ctf_hooks_prepare(struct ctf_tables *t);
u32 ctf_ct_stamp(const struct nf_conn *ct, u8 word);
struct ctf_backend *ctf_ct_backend(struct ctf_net *cn,
				   const struct nf_conn *ct);
enum ctf_verdict ctf_ct_judge(struct ctf_net *cn, const struct nf_conn *ct,
			      struct ctf_backend **bp, u32 *stampp);
int ctf_ct_stamp_set(struct nf_conn *ct, u8 word, u32 epoch);
bool ctf_ct_delete(struct nf_conn *ct);

/* sweep.c: eviction of stale entries */
void ctf_sweep_init(struct ctf_net *cn);
void ctf_sweep_delay_changed(struct ctf_net *cn);
void ctf_sweep_run(struct ctf_net *cn, struct ctf_sweep_result *res);
void ctf_sweep_uninit(struct ctf_net *cn);
u32 ctf_sweep_last_stamp(struct ctf_net *cn);
int ctf_sweep_wq_init(void);
void ctf_sweep_wq_uninit(void);

/* netlink.c: the control interface */
int ctf_netlink_init(void);
void ctf_netlink_uninit(void);
int ctf_nl_fill_info(struct sk_buff *skb);
void ctf_nl_event_evicted(struct ctf_net *cn, const struct ctf_sweep_result *r);
void ctf_nl_event_stale(struct ctf_net *cn, const struct ctf_backend *b,
			u8 family, const union nf_inet_addr *addr, u32 stamp);

#endif /* _CTF_CTFAILOVER_H */
