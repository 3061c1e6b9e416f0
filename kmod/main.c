// SPDX-License-Identifier: GPL-2.0
/*
 * ctfailover.ko: module init and exit only.
 *
 * Each subsystem has an _init/_uninit pair; init unwinds in reverse through
 * err_ labels and exit tears down in exactly the reverse order of init.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "ctfailover.h"
#include "uapi/ctfailover.h"

static int __init ctf_mod_init(void)
{
	int ret;

	ret = ctf_netlink_init();
	if (ret)
		return ret;

	pr_info("version %s loaded (genl \"%s\" v%d)\n", CTFAILOVER_VERSION,
		CTFAILOVER_GENL_NAME, CTFAILOVER_GENL_VERSION);
	return 0;
}

static void __exit ctf_mod_exit(void)
{
	ctf_netlink_uninit();
	pr_info("unloaded\n");
}

module_init(ctf_mod_init);
module_exit(ctf_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Epoch-tagged conntrack failover for UDP SIP load balancers");
MODULE_VERSION(CTFAILOVER_VERSION);
MODULE_ALIAS_GENL_FAMILY(CTFAILOVER_GENL_NAME);
