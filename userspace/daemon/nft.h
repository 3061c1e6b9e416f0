/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's nftables data plane: `table inet ctfailover` as in
 * nft/ctfailover.nft, read back and changed with libnftnl + libmnl.
 *
 * Every change is one nfnetlink batch (NFNL_MSG_BATCH_BEGIN ... END): the
 * kernel commits all of it or none of it, so a failed apply leaves the
 * ruleset exactly as it was and the caller's "current" state stays true.
 */
#ifndef CTFD_NFT_H
#define CTFD_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

#define CTFD_NFT_TABLE "ctfailover"

/* An open NETLINK_NETFILTER socket. */
struct ctfd_nft;

int ctfd_nft_open(struct ctfd_nft **n);
void ctfd_nft_close(struct ctfd_nft *n);

/*
 * Read back the table. Absent: 0 with dp->exists false. Present: table_size
 * and seed from the rules' hash (all four agree), the VIPs (IPv4 first), the
 * ports, and both maps in dp->slots4/slots6 (table_size entries each,
 * malloc'd, family 0 for an empty slot; free with ctfd_dataplane_free() of
 * maglev.h). On error @dp holds nothing to free; dp->exists still says
 * whether the table is there.
 * A table of another shape (other chains, sets, rules, set types, keys out
 * of range) is -EPROTO with @err naming the difference: it is someone
 * else's table, and the daemon must not take it over.
 */
int ctfd_nft_read(struct ctfd_nft *n, struct ctfd_dataplane *dp, char *err,
		  size_t errlen);

/*
 * How many flowtables the namespace has, of any family and table, their
 * "family table name" into @list (@len bytes, cut short if need be); or
 * -errno. An offloaded flow skips the re-steer hook (docs/architecture.md,
 * "After an acknowledgment").
 */
int ctfd_nft_flowtables(struct ctfd_nft *n, char *list, size_t len);

struct ctfd_nft_stats {
	unsigned int elems_added, elems_deleted;
	unsigned int msgs; /* in the batch, BATCH_BEGIN and END included */
	size_t bytes;	   /* of the batch */
};

/*
 * One batch from @cur (as read, or as the last successful apply left it;
 * !cur->exists: create everything) to @want: only the VIPs, ports and slots
 * that differ. A changed slot is a delete and an add of the same key in
 * the same batch. A different table_size or seed replaces both rules. An
 * empty change sends nothing. Returns 0 or -errno with @err naming the
 * object the kernel refused; the kernel is then untouched. @stats may be
 * NULL.
 */
int ctfd_nft_apply(struct ctfd_nft *n, const struct ctfd_dataplane *cur,
		   const struct ctfd_dataplane *want,
		   struct ctfd_nft_stats *stats, char *err, size_t errlen);

/*
 * The whole table as `nft -f` input, elements included. It starts with
 * "table inet ctfailover" + "delete table inet ctfailover" so that loading
 * it replaces an existing table in one transaction.
 */
void ctfd_nft_print(FILE *f, const struct ctfd_dataplane *dp);

/*
 * The health counters (health.h, "Passive"): table inet ctfailover_health
 * made again (one transaction) with a counter of the UDP datagrams
 * forwarded to each address of @addrs and one of those from it; none
 * (@n_addrs 0): the table deleted. 0 or -errno with @err.
 */
int ctfd_nft_health_set(struct ctfd_nft *n, const struct ctf_addr *addrs,
			unsigned int n_addrs, char *err, size_t errlen);
/*
 * Every counter of that table to @cb: its address, rx (from the backend)
 * or not (to it), its packets. 0, -ENOENT without the table, or -errno.
 */
int ctfd_nft_health_read(struct ctfd_nft *n,
			 int (*cb)(const struct ctf_addr *a, bool rx,
				   uint64_t packets, void *data),
			 void *data, char *err, size_t errlen);

/*
 * A table read back without the output chain (dp->no_output: made before
 * the canary) gets it, with its two rules at the table's size and seed, in
 * one batch; nothing else changes. 0 (also when there is nothing to do)
 * or -errno with @err.
 */
int ctfd_nft_upgrade(struct ctfd_nft *n, struct ctfd_dataplane *dp, char *err,
		     size_t errlen);

#endif /* CTFD_NFT_H */
