/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Epochs that name instances: derived from what names the instance behind a
 * backend's address, so that every load balancer given the same config and
 * events stamps the same epoch for the same instance, with no coordination
 * (docs/architecture.md, "Epochs agree across load balancers").
 */
#ifndef CTFD_EPOCH_H
#define CTFD_EPOCH_H

#include <stdint.h>

#include "parse.h"
#include "uapi/ctfailover.h"

/* A token's longest text: "lladdr " and a 32-byte lladdr in hex. */
#define CTFD_TOKEN_MAX 112

/*
 * The instance epoch of @addr named by @token: 1 + (FNV-1a 64 of
 * "ctfailover epoch 1", NUL, the address as inet_ntop() writes it, NUL,
 * @token) mod 0xfffffe, in 1..0xfffffe.
 */
uint32_t ctfd_epoch_derive(const struct ctf_addr *addr, const char *token);

/*
 * The epoch a backend of instance epoch @instance stamps in @state: the
 * instance epoch itself, or 0xffffff - @instance while down. The same map
 * takes a stamp back to its instance epoch (it is its own inverse).
 */
uint32_t ctfd_epoch_in_state(uint32_t instance, uint8_t state);

/* Tokens: a config's instance (or ""), a new lladdr, the change after @e. */
void ctfd_token_lladdr(char *buf, const uint8_t *ll, unsigned int len);
void ctfd_token_after(char *buf, uint32_t instance);

#endif
