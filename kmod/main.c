// SPDX-License-Identifier: GPL-2.0
/*
 * ctfailover.ko: module init and exit only.
 *
 * Init brings the subsystems up so that each finds what it needs: the
 * sweep's workqueue, then per-namespace state (which the sweep uses), then
 * the netlink family (which reaches both). Exit tears down in exactly the
 * reverse order: no command can arrive once the state goes, and no sweep
 * or hook is left when the workqueue goes.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "ctfailover.h"

static int __init ctf_mod_init(void)
{
	int ret;

	ret = ctf_sweep_wq_init();
	if (ret)
		return ret;
	ret = ctf_net_init();
	if (ret)
		goto err_wq;
	ret = ctf_netlink_init();
	if (ret)
		goto err_net;

	pr_info("version %s loaded (genl \"%s\" v%d)\n", CTFAILOVER_VERSION,
		CTFAILOVER_GENL_NAME, CTFAILOVER_GENL_VERSION);
	return 0;

err_net:
	ctf_net_uninit();
err_wq:
	ctf_sweep_wq_uninit();
	return ret;
}

static void __exit ctf_mod_exit(void)
{
	ctf_netlink_uninit();
	ctf_net_uninit();
	ctf_sweep_wq_uninit();
	/* Backends removed at run time are freed by kfree_rcu(). */
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(ctf_mod_init);
module_exit(ctf_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Epoch-tagged conntrack failover for UDP SIP load balancers");
MODULE_VERSION(CTFAILOVER_VERSION);
MODULE_ALIAS_GENL_FAMILY(CTFAILOVER_GENL_NAME);
