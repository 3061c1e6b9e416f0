// SPDX-License-Identifier: GPL-2.0
/*
 * Derived epochs: see epoch.h. The formula is the contract between load
 * balancers (and tests/lib/epoch.py computes it on its own): change it and
 * hosts of two versions disagree on every entry at the next takeover.
 */
#include <stdio.h>
#include <string.h>

#include "uapi/ctfailover.h"
#include "epoch.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		h ^= *c++;
		h *= FNV_PRIME;
	}
	return h;
}

uint32_t ctfd_epoch_derive(const struct ctf_addr *addr, const char *token)
{
	static const char tag[] = "ctfailover epoch 1";
	char a[CTF_ADDR_STRLEN];
	uint64_t h;

	ctf_addr_str(addr, a);
	h = fnv(FNV_OFFSET, tag, sizeof(tag)); /* with its NUL */
	h = fnv(h, a, strlen(a) + 1);
	h = fnv(h, token, strlen(token));
	return 1 + (uint32_t)(h % (CTF_EPOCH_MAX - 1));
}

uint32_t ctfd_epoch_in_state(uint32_t instance, uint8_t state)
{
	return state == CTF_STATE_DOWN ? CTF_EPOCH_MAX - instance : instance;
}

void ctfd_token_lladdr(char *buf, const uint8_t *ll, unsigned int len)
{
	unsigned int i;
	int n = snprintf(buf, CTFD_TOKEN_MAX, "lladdr ");

	for (i = 0; i < len && n + 3 < CTFD_TOKEN_MAX; i++)
		n += snprintf(buf + n, CTFD_TOKEN_MAX - n, "%s%02x",
			      i ? ":" : "", ll[i]);
}

void ctfd_token_after(char *buf, uint32_t instance)
{
	snprintf(buf, CTFD_TOKEN_MAX, "after %u", instance);
}
