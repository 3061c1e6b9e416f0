// SPDX-License-Identifier: GPL-2.0
/*
 * lookup3 (Bob Jenkins, 2006, public domain), as the kernel's jhash() uses
 * it: 12-byte blocks read in CPU byte order, the tail added byte by byte.
 */
#include <arpa/inet.h>
#include <string.h>

#include "jhash.h"

#define JHASH_INITVAL 0xdeadbeef

static inline uint32_t rol32(uint32_t w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

#define MIX(a, b, c)               \
	do {                       \
		a -= c;            \
		a ^= rol32(c, 4);  \
		c += b;            \
		b -= a;            \
		b ^= rol32(a, 6);  \
		a += c;            \
		c -= b;            \
		c ^= rol32(b, 8);  \
		b += a;            \
		a -= c;            \
		a ^= rol32(c, 16); \
		c += b;            \
		b -= a;            \
		b ^= rol32(a, 19); \
		a += c;            \
		c -= b;            \
		c ^= rol32(b, 4);  \
		b += a;            \
	} while (0)

#define FINAL(a, b, c)             \
	do {                       \
		c ^= b;            \
		c -= rol32(b, 14); \
		a ^= c;            \
		a -= rol32(c, 11); \
		b ^= a;            \
		b -= rol32(a, 25); \
		c ^= b;            \
		c -= rol32(b, 16); \
		a ^= c;            \
		a -= rol32(c, 4);  \
		b ^= a;            \
		b -= rol32(a, 14); \
		c ^= b;            \
		c -= rol32(b, 24); \
	} while (0)

static uint32_t word(const uint8_t *k)
{
	uint32_t w;

	memcpy(&w, k, sizeof(w)); /* CPU order, like get_unaligned_cpu32 */
	return w;
}

uint32_t ctfd_jhash(const void *key, size_t len, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + (uint32_t)len + initval;
	while (len > 12) {
		a += word(k);
		b += word(k + 4);
		c += word(k + 8);
		MIX(a, b, c);
		len -= 12;
		k += 12;
	}
	switch (len) {
	case 12:
		c += (uint32_t)k[11] << 24;
		/* fall through */
	case 11:
		c += (uint32_t)k[10] << 16;
		/* fall through */
	case 10:
		c += (uint32_t)k[9] << 8;
		/* fall through */
	case 9:
		c += k[8];
		/* fall through */
	case 8:
		b += (uint32_t)k[7] << 24;
		/* fall through */
	case 7:
		b += (uint32_t)k[6] << 16;
		/* fall through */
	case 6:
		b += (uint32_t)k[5] << 8;
		/* fall through */
	case 5:
		b += k[4];
		/* fall through */
	case 4:
		a += (uint32_t)k[3] << 24;
		/* fall through */
	case 3:
		a += (uint32_t)k[2] << 16;
		/* fall through */
	case 2:
		a += (uint32_t)k[1] << 8;
		/* fall through */
	case 1:
		a += k[0];
		FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

uint32_t ctfd_flow_slot(const struct ctf_addr *src, uint16_t sport, uint32_t m,
			uint32_t seed)
{
	/*
	 * The rule's registers: the address, then the port in network order
	 * in a 32-bit register whose other half nft_payload zeroes.
	 */
	uint8_t regs[20] = { 0 };
	uint16_t port = htons(sport);
	size_t alen = src->family == AF_INET ? 4 : 16;

	memcpy(regs,
	       src->family == AF_INET ? (const void *)&src->v4
				      : (const void *)&src->v6,
	       alen);
	memcpy(regs + alen, &port, sizeof(port));
	/* reciprocal_scale(): a multiply, not a modulo. */
	return (uint32_t)(((uint64_t)ctfd_jhash(regs, alen + 4, seed) * m) >>
			  32);
}
