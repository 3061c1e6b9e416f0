// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: created with the namespace, torn down with it.
 *
 * A namespace costs no packet any work until it is configured: the hooks
 * and the conntrack label area are enabled by the first backend
 * (ctf_net_enable). Its memory too: every namespace of the host carries a
 * struct ctf_net (a few hundred bytes: the port set, counters, the sweep's
 * work), and only the first enable allocates the tables (struct
 * ctf_tables, about 11 KB with the 65536-bit port bitmap, and the per-CPU
 * counters), charged to the caller's memory cgroup.
 */
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack_labels.h>

#include "ctfailover.h"

static unsigned int ctf_net_id __read_mostly;

#if IS_ENABLED(CONFIG_CTFAILOVER_KUNIT_TEST)
/* KUnit: while set, ctf_net_tables_get() fails as out of memory. */
bool ctf_test_tables_enomem;
#define ctf_tables_enomem() READ_ONCE(ctf_test_tables_enomem)
#else
#define ctf_tables_enomem() false
#endif

struct ctf_net *ctf_net(const struct net *net)
{
	return net_generic(net, ctf_net_id);
}

int ctf_net_set_ports(struct ctf_net *cn, const u16 *ports, unsigned int n)
{
	struct ctf_tables *t = ctf_tab(cn);
	unsigned int i, j;

	lockdep_assert_held(&cn->lock);
	/*
	 * Without tables only the set changes: ctf_net_tables_get() makes the
	 * bitmap from it. With them, the hooks test bits without a lock: the
	 * new bits are set before the old ones that are not in the new set
	 * are cleared, so a port in both stays SIP throughout.
	 */
	for (i = 0; t && i < n; i++)
		set_bit(ports[i], t->port_map);
	for (i = 0; t && i < cn->nports; i++) {
		for (j = 0; j < n && ports[j] != cn->ports[i]; j++)
			;
		if (j == n)
			clear_bit(cn->ports[i], t->port_map);
	}
	memcpy(cn->ports, ports, n * sizeof(*ports));
	cn->nports = n;
	return 0;
}

/*
 * Allocate the namespace's tables, unless it has them: -ENOMEM leaves it
 * without, as it was. Published only once complete, so a reader that finds
 * them finds them ready.
 */
int ctf_net_tables_get(struct ctf_net *cn)
{
	struct ctf_tables *t;
	unsigned int i;

	lockdep_assert_held(&cn->lock);
	if (ctf_tab(cn))
		return 0;
	/* Accounted: a user namespace's owner may create them. */
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->stats = alloc_percpu_gfp(struct ctf_stats, GFP_KERNEL_ACCOUNT);
	if (!t->stats || ctf_tables_enomem()) {
		free_percpu(t->stats);
		kfree(t);
		return -ENOMEM;
	}
	t->cn = cn;
	for (i = 0; i < ARRAY_SIZE(t->backends); i++)
		INIT_HLIST_HEAD(&t->backends[i]);
	ctf_hooks_prepare(t);
	/* A namespace is a trust boundary: events are limited per namespace. */
	ratelimit_state_init(&t->stale_event_rs, HZ, 100);
	for (i = 0; i < cn->nports; i++)
		set_bit(cn->ports[i], t->port_map);
	rcu_assign_pointer(cn->tab, t);
	return 0;
}

/*
 * Namespace teardown, after the backends are flushed: no hook, sweep or
 * request is left to read the tables.
 */
void ctf_net_tables_free(struct ctf_net *cn)
{
	struct ctf_tables *t = rcu_dereference_protected(cn->tab, true);

	RCU_INIT_POINTER(cn->tab, NULL);
	if (t) {
		free_percpu(t->stats);
		kfree(t);
	}
}

/*
 * First configuration of this namespace: start stamping and re-steering.
 * A failure leaves it disabled; tables already allocated stay, unused,
 * for the next attempt.
 */
int ctf_net_enable(struct ctf_net *cn)
{
	struct ctf_tables *t;
	int ret;

	lockdep_assert_held(&cn->lock);
	if (cn->enabled)
		return 0;

	ret = ctf_net_tables_get(cn);
	if (ret)
		return ret;
	t = ctf_tab(cn);
	/*
	 * Conntrack attaches a label area only to entries created while some
	 * user holds the labels: take them before the first entry we stamp.
	 */
	ret = nf_connlabels_get(cn->net, 127);
	if (ret)
		return ret;
	/* Above every stamp an earlier load of the module left. */
	ctf_epoch_seen(cn, ctf_sweep_last_stamp(cn));
	ret = nf_register_net_hooks(cn->net, t->hook_ops,
				    ARRAY_SIZE(t->hook_ops));
	if (ret) {
		nf_connlabels_put(cn->net);
		return ret;
	}
	cn->enabled = true;
	/*
	 * Entries from before (an earlier load's stamps) may be stale: the
	 * hook looks until a sweep has been through them all.
	 */
	ctf_stale_mark_sweep(cn, NULL);
	return 0;
}

/* Under ctf_net.lock. 0 before the first enable: nothing was counted. */
u64 ctf_stat_read(const struct ctf_net *cn, enum ctf_stat i)
{
	const struct ctf_tables *t = ctf_tab(cn);
	u64 sum = 0;
	int cpu;

	if (!t)
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(t->stats, cpu)->v[i]);
	return sum;
}

static int __net_init ctf_net_init_one(struct net *net)
{
	static const u16 default_port = CTF_DEFAULT_SIP_PORT;
	struct ctf_net *cn = ctf_net(net);

	cn->net = net;
	mutex_init(&cn->lock);
	cn->backends_gen = 1;
	cn->label_word = CTF_DEFAULT_LABEL_WORD;
	cn->sweep_delay_ms = CTF_DEFAULT_SWEEP_DELAY_MS;
	ctf_sweep_init(cn);

	mutex_lock(&cn->lock);
	ctf_net_set_ports(cn, &default_port, 1);
	mutex_unlock(&cn->lock);
	return 0;
}

/*
 * Teardown in two steps, as the core runs them: pre_exit unhooks, the core
 * then waits for an RCU grace period (no hook runs any more), and exit
 * stops the sweep and frees the rest.
 */
static void __net_exit ctf_net_pre_exit(struct net *net)
{
	struct ctf_net *cn = ctf_net(net);
	struct ctf_tables *t;

	mutex_lock(&cn->lock);
	t = ctf_tab(cn);
	if (cn->enabled)
		nf_unregister_net_hooks(net, t->hook_ops, ARRAY_SIZE(t->hook_ops));
	mutex_unlock(&cn->lock);
}

static void __net_exit ctf_net_exit(struct net *net)
{
	struct ctf_net *cn = ctf_net(net);

	ctf_sweep_uninit(cn);
	mutex_lock(&cn->lock);
	ctf_backend_flush(cn);
	if (cn->enabled) {
		nf_connlabels_put(net);
		cn->enabled = false;
	}
	mutex_unlock(&cn->lock);
	ctf_net_tables_free(cn);
}

static struct pernet_operations ctf_net_ops = {
	.init = ctf_net_init_one,
	.pre_exit = ctf_net_pre_exit,
	.exit = ctf_net_exit,
	.id = &ctf_net_id,
	.size = sizeof(struct ctf_net),
};

int __init ctf_net_init(void)
{
	return register_pernet_subsys(&ctf_net_ops);
}

void ctf_net_uninit(void)
{
	unregister_pernet_subsys(&ctf_net_ops);
}
