/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conntrack eviction over ctnetlink, for when the ctfailover module is not
 * loaded: the flows a dead backend answered are pinned to it by their
 * conntrack entries, whatever the nft map now says, until the entries are
 * deleted (what kube-proxy does for UDP services).
 */
#ifndef CTFD_CT_H
#define CTFD_CT_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/*
 * Delete every UDP conntrack entry of @addrs' family (all of one) whose
 * reply comes from one of @addrs[0..n_addrs) (REPLY-direction source, i.e.
 * the backend a DNAT picked), in one walk of the table, and whose
 * original destination port is one of @ports[0..n_ports). Entries of every
 * zone; TCP and other ports are left alone. An entry gone before its delete
 * is no error. *@scanned: entries of the family seen; *@deleted: entries
 * this call deleted. 0 or -errno with @err naming what failed.
 */
int ctfd_ct_evict(const struct ctf_addr *addrs, unsigned int n_addrs,
		  const uint16_t *ports, unsigned int n_ports,
		  unsigned int *scanned, unsigned int *deleted, char *err,
		  size_t errlen);

#endif /* CTFD_CT_H */
