/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, all in one place. Force-included into every
 * object of the module (see kmod/Kbuild), so the sources only ever test the
 * CTF_HAVE_* feature flags below, never LINUX_VERSION_CODE.
 *
 * Supported: Debian's 5.10 (bullseye), 6.1 (bookworm), 6.12 (bookworm-security)
 * and anything in between.
 */
#ifndef _CTF_COMPAT_H
#define _CTF_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "ctfailover needs Linux 5.10 or newer"
#endif

/*
 * genl_family.resv_start_op (6.1): commands numbered at or above it get
 * strict validation of the reserved genlmsghdr bytes. Older kernels have no
 * such field; every command we register is validated strictly anyway.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define CTF_HAVE_GENL_RESV_START_OP 1
#endif

#endif /* _CTF_COMPAT_H */
