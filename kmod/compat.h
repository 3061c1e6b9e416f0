/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, all in one place. Force-included into every
 * object of the module (see kmod/Kbuild), so the sources only ever use the
 * CTF_* names below, never LINUX_VERSION_CODE.
 *
 * Supported: Debian's 5.10 (bullseye), 6.1 (bookworm), 6.12 (bookworm-security)
 * and anything in between. docs/kernel-apis.md has the survey behind this.
 */
#ifndef _CTF_COMPAT_H
#define _CTF_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

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

/*
 * Who may join a multicast group. The permission check came to stable
 * kernels by backport, so test for the flag itself, not a version: 6.1+
 * spell it GENL_MCAST_CAP_NET_ADMIN, Debian's 5.10 reads GENL_UNS_ADMIN_PERM
 * from the same field. Either means CAP_NET_ADMIN over the namespace.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define CTF_GENL_MCGRP_ADMIN GENL_MCAST_CAP_NET_ADMIN
#else
#define CTF_GENL_MCGRP_ADMIN GENL_UNS_ADMIN_PERM
#endif

/*
 * The entries of a namespace: nf_conntrack_count() since the counter moved
 * to nf_conntrack_net (5.12); before, netns_ct's own.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 12, 0)
#define CTF_CT_COUNT(net) nf_conntrack_count(net)
#else
#define CTF_CT_COUNT(net) ((u32)atomic_read(&(net)->ct.count))
#endif

/* nla_strlcpy() became nla_strscpy() in 5.11. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define nla_strscpy(dst, nla, size) nla_strlcpy(dst, nla, size)
#endif

#endif /* _CTF_COMPAT_H */
