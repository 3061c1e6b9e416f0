/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailover.ko internals shared between its files.
 */
#ifndef _CTF_CTFAILOVER_H
#define _CTF_CTFAILOVER_H

#include <linux/skbuff.h>

/* netlink.c */
int ctf_netlink_init(void);
void ctf_netlink_uninit(void);
int ctf_nl_fill_info(struct sk_buff *skb);

#endif /* _CTF_CTFAILOVER_H */
