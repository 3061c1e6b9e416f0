/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, section 3.4) and the nft data
 * plane built with it: nft picks slot jhash(ip saddr . udp sport) mod M of a
 * map whose M slots name the backends, and Maglev decides which backend owns
 * which slot so that a backend leaving moves its own slots and almost no
 * others, and every backend owns about M/N of them.
 *
 * The table is a pure function of the backend names and M: every daemon,
 * on any host, computes the same one, so a standby that takes over keeps the
 * slots (and so the calls) where the active one had them.
 */
#ifndef CTFD_MAGLEV_H
#define CTFD_MAGLEV_H

#include <stdint.h>

#include "model.h"

/*
 * Fill @table[0..m) with indexes into @names[0..n): @m prime, 1 <= @n <= @m,
 * names distinct. The result depends only on the set of names and @m, never
 * on the order of @names[] nor on the host. 0, -EINVAL (bad arguments) or
 * -ENOMEM.
 */
int ctfd_maglev_build(const char *const names[], unsigned int n, uint32_t m,
		      uint32_t *table);

/*
 * A table size for @n backends: the smallest prime >= max(@n x
 * CTFD_SLOTS_PER_BACKEND, 101), or 0 if that does not fit in 32 bits.
 */
uint32_t ctfd_maglev_size(unsigned int n);
/* @n is prime. */
bool ctfd_is_prime(uint32_t n);
/* The smallest prime >= @n; @n <= CTFD_MAX_TABLE_SIZE (itself a prime). */
uint32_t ctfd_next_prime(uint32_t n);

/*
 * The data plane of @st: vips, ports, table_size and seed copied; slots4
 * and slots6 (table_size entries each, malloc'd) filled by Maglev over the
 * backends of that family that are CTF_STATE_ACTIVE: draining and down
 * backends get no new flows. A family without an active backend has every
 * slot empty (family 0). 0, -EINVAL (table_size not prime, or fewer slots
 * than active backends; a table_size of 0 is allowed when no backend is
 * active, as in the running state of a daemon that has not applied a
 * config yet) or -ENOMEM. On error @dp holds nothing to free.
 */
int ctfd_dataplane_build(const struct ctfd_state *st,
			 struct ctfd_dataplane *dp);
/* Free the slots of @dp and zero it; safe on a zeroed one. */
void ctfd_dataplane_free(struct ctfd_dataplane *dp);
/*
 * How many slots of @family (AF_INET or AF_INET6) send new flows to a
 * different address (or none) in @b than in @a. If the table sizes differ,
 * every slot of @b counts: the modulus changed, so every flow hashes anew.
 */
unsigned int ctfd_dataplane_slots_moved(const struct ctfd_dataplane *a,
					const struct ctfd_dataplane *b,
					int family);

#endif /* CTFD_MAGLEV_H */
