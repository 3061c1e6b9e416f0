// SPDX-License-Identifier: GPL-2.0
/*
 * Not ctfailover: the harness's proof that a leak fails a run on the debug
 * kernel (tests/vm/selftest.sh, case kmemleak-leak). It allocates one
 * object at load and forgets it at unload without freeing it; the guest's
 * init unloads "ctfailover" before its kmemleak scan, which must then
 * report that object, and tests/vm/run must exit 123.
 */
#include <linux/module.h>
#include <linux/slab.h>

static void *kept;

static int __init leak_init(void)
{
	kept = kmalloc(1000, GFP_KERNEL);
	if (!kept)
		return -ENOMEM;
	pr_info("ctf-leaktest: allocated %px, to be leaked at unload\n", kept);
	return 0;
}

static void __exit leak_exit(void)
{
	kept = NULL; /* the leak: nothing points to it any more */
}

module_init(leak_init);
module_exit(leak_exit);
MODULE_DESCRIPTION("tests/vm harness: leaks one object at unload on purpose");
MODULE_LICENSE("GPL");
