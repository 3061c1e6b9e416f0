// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: created with the namespace, torn down with it.
 *
 * A namespace costs nothing until it is configured: the hooks and the
 * conntrack label area are enabled by the first backend (ctf_net_enable),
 * so namespaces that never see ctfailover pay no per-packet cost.
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
	unsigned int i;

	lockdep_assert_held(&cn->lock);
	/*
	 * The hooks test bits without a lock: for a moment a packet may see
	 * neither set, which treats it as non-SIP, as before the change.
	 */
	for (i = 0; i < cn->nports; i++)
		clear_bit(cn->ports[i], cn->port_map);
	for (i = 0; i < n; i++) {
		cn->ports[i] = ports[i];
		set_bit(ports[i], cn->port_map);
	}
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
	return 0;
}

static int __net_init ctf_net_init_one(struct net *net)
{
	static const u16 default_port = CTF_DEFAULT_SIP_PORT;
	struct ctf_net *cn = ctf_net(net);
	unsigned int i;

	cn->net = net;
	mutex_init(&cn->lock);
	for (i = 0; i < ARRAY_SIZE(cn->backends); i++)
		INIT_HLIST_HEAD(&cn->backends[i]);
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
