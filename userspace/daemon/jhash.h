/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which slot the kernel's nft rule picks for a flow, computed in userspace:
 * `jhash ip saddr . udp sport mod M seed S` is Bob Jenkins' lookup3 hash
 * (the kernel's jhash()) of the rule's registers, scaled into 0..M-1 with
 * reciprocal_scale(), as net/netfilter/nft_hash.c does. `ctfailoverctl
 * where` answers "which backend gets this provider's next new flow?" with
 * it, and the host tests check it against the kernel.
 */
#ifndef CTFD_JHASH_H
#define CTFD_JHASH_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* lookup3's hashlittle() as the kernel's jhash() computes it. */
uint32_t ctfd_jhash(const void *key, size_t len, uint32_t initval);
/* The slot of the flow from @src port @sport (host order) in a map of @m. */
uint32_t ctfd_flow_slot(const struct ctf_addr *src, uint16_t sport, uint32_t m,
			uint32_t seed);

#endif /* CTFD_JHASH_H */
