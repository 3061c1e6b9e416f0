// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: created with the namespace, torn down with it.
 *
 * A namespace costs no packet any work until it is configured: the hooks
 * and the conntrack label area are enabled by the first backend
 * (ctf_net_enable). Its state (struct ctf_net, about 11 KB with the port
 * bitmap) is allocated with every namespace, configured or not.
 */
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack_labels.h>

#include "ctfailover.h"

static unsigned int ctf_net_id __read_mostly;

struct ctf_net *ctf_net(const struct net *net)
{
	return net_generic(net, ctf_net_id);
}

int ctf_net_set_ports(struct ctf_net *cn, const u16 *ports, unsigned int n)
{
	unsigned int i, j;

	lockdep_assert_held(&cn->lock);
	/*
	 * The hooks test bits without a lock: the new bits are set before the
	 * old ones that are not in the new set are cleared, so a port in both
	 * stays SIP throughout.
	 */
	for (i = 0; i < n; i++)
		set_bit(ports[i], cn->port_map);
	for (i = 0; i < cn->nports; i++) {
		for (j = 0; j < n && ports[j] != cn->ports[i]; j++)
			;
		if (j == n)
			clear_bit(cn->ports[i], cn->port_map);
	}
	memcpy(cn->ports, ports, n * sizeof(*ports));
	cn->nports = n;
	return 0;
}

/* First configuration of this namespace: start stamping and re-steering. */
int ctf_net_enable(struct ctf_net *cn)
{
	int ret;

	lockdep_assert_held(&cn->lock);
	if (cn->enabled)
		return 0;

	/*
	 * Conntrack attaches a label area only to entries created while some
	 * user holds the labels: take them before the first entry we stamp.
	 */
	ret = nf_connlabels_get(cn->net, 127);
	if (ret)
		return ret;
	/* Above every stamp an earlier load of the module left. */
	ctf_epoch_seen(cn, ctf_sweep_last_stamp(cn));
	ret = nf_register_net_hooks(cn->net, cn->hook_ops,
				    ARRAY_SIZE(cn->hook_ops));
	if (ret) {
		nf_connlabels_put(cn->net);
		return ret;
	}
	cn->enabled = true;
	/*
	 * Entries from before (an earlier load's stamps) may be stale: the
	 * hook looks until a sweep has been through them all.
	 */
	ctf_stale_mark_sweep(cn);
	return 0;
}

u64 ctf_stat_read(const struct ctf_net *cn, enum ctf_stat i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(cn->stats, cpu)->v[i]);
	return sum;
}

static int __net_init ctf_net_init_one(struct net *net)
{
	static const u16 default_port = CTF_DEFAULT_SIP_PORT;
	struct ctf_net *cn = ctf_net(net);
	unsigned int i;

	cn->stats = alloc_percpu(struct ctf_stats);
	if (!cn->stats)
		return -ENOMEM;
	cn->net = net;
	mutex_init(&cn->lock);
	for (i = 0; i < ARRAY_SIZE(cn->backends); i++)
		INIT_HLIST_HEAD(&cn->backends[i]);
	cn->backends_gen = 1;
	cn->label_word = CTF_DEFAULT_LABEL_WORD;
	cn->sweep_delay_ms = CTF_DEFAULT_SWEEP_DELAY_MS;
	/* A namespace is a trust boundary: events are limited per namespace. */
	ratelimit_state_init(&cn->stale_event_rs, HZ, 100);
	ctf_hooks_prepare(cn);
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

	if (cn->enabled)
		nf_unregister_net_hooks(net, cn->hook_ops,
					ARRAY_SIZE(cn->hook_ops));
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
	free_percpu(cn->stats);
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
