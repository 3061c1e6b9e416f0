/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the conntrack table over ctnetlink with libmnl: one dump of a
 * family, each entry parsed into struct ctf_ct_entry for a callback, or the
 * one entry of a tuple. Used by the daemon's eviction (ct.c), its canary
 * (canary.c) and by `ctfailoverctl flows`.
 */
#ifndef CTF_CTDUMP_H
#define CTF_CTDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "nl.h"
#include "parse.h"

/* The size of the conntrack label area (NF_CT_LABELS_MAX_SIZE). */
#define CTF_CT_LABELS_LEN 16

struct ctf_ct_entry {
	uint8_t proto;
	/* Original direction: the provider and the address it sent to. */
	struct ctf_addr src, dst;
	uint16_t sport, dport; /* host order; 0 for protocols without ports */
	/* Reply direction's source: where NAT sent the flow. */
	struct ctf_addr nat;
	uint16_t nat_port;
	bool have_labels;			/* the entry has a label area */
	uint32_t labels[CTF_CT_LABELS_LEN / 4]; /* as the kernel's u32 view */
	uint16_t zone;
	uint32_t id;
	uint64_t packets; /* original direction; 0 without accounting */
	uint32_t status;  /* CTA_STATUS: IPS_* bits (IPS_DST_NAT: DNATed) */
	/* The raw attributes a delete request needs (CTA_ZONE, CTA_ID may be
	 * NULL). */
	const struct nlattr *orig, *zone_attr, *id_attr;
};

/* Return 0 to go on, a negative errno to stop (the dump is still drained). */
typedef int (*ctf_ct_cb)(const struct ctf_ct_entry *e, void *data);

/*
 * A netlink socket for ctnetlink with CAP_ACK and EXT_ACK, bound.
 * 0 or -errno.
 */
int ctf_ct_open(struct ctf_nl *nl);

/* Start a ctnetlink request of @type in @buf (at least 256 bytes). */
struct nlmsghdr *ctf_ct_req(void *buf, uint16_t type, uint16_t flags,
			    uint32_t seq, int family);

/*
 * Dump every entry of @family (AF_INET or AF_INET6) in the caller's
 * namespace through @nl (a request of its own sequence number), calling
 * @cb for each. @rx is a receive buffer of
 * CTF_CT_RXBUF bytes. Returns 0, the callback's error, -EBADMSG for an
 * entry that breaks the format, or the kernel's error with its message in
 * @msg.
 */
#define CTF_CT_RXBUF 65536
int ctf_ct_dump(struct ctf_nl *nl, int family, char *rx, ctf_ct_cb cb,
		void *data, char *msg, size_t msglen);

/*
 * The one entry whose original tuple is @proto @src:@sport -> @dst:@dport
 * (default zone), parsed into @e; its attribute pointers point into @rx
 * (CTF_CT_RXBUF bytes). -ENOENT if there is none, else 0 or the kernel's
 * error with its message in @msg.
 */
int ctf_ct_get(struct ctf_nl *nl, uint8_t proto, const struct ctf_addr *src,
	       uint16_t sport, const struct ctf_addr *dst, uint16_t dport,
	       char *rx, struct ctf_ct_entry *e, char *msg, size_t msglen);

/*
 * The stamp word of ctfailover.ko (kmod/uapi/ctfailover.h): the epoch it
 * holds, 0 for none, CTF_STAMP_FOREIGN for bits ctfailover did not write.
 */
#define CTF_STAMP_FOREIGN UINT32_MAX
uint32_t ctf_stamp_decode(uint32_t word);
uint32_t ctf_stamp_encode(uint32_t epoch);

#endif /* CTF_CTDUMP_H */
