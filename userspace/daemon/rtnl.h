/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rtnetlink says about neighbours, links and addresses: one struct
 * ctfd_obs per message, for events.c. Notifications and requests (dumps,
 * a neighbour flush's deletes) use two sockets; only the kernel's
 * notifications are taken.
 */
#ifndef CTFD_RTNL_H
#define CTFD_RTNL_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/netlink.h>

#include "parse.h"

/* What we ask of the kernel for the notification socket's buffer. */
#define CTFD_RTNL_RCVBUF (4 << 20)

struct ctfd_rtnl;

/*
 * Open both sockets; the notification one is non-blocking and joined to
 * RTNLGRP_NEIGH, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR.
 * Returns 0 or -errno.
 */
int ctfd_rtnl_open(struct ctfd_rtnl **r);
void ctfd_rtnl_close(struct ctfd_rtnl *r);
/* The notification socket, for poll(). */
int ctfd_rtnl_fd(const struct ctfd_rtnl *r);

enum ctfd_obs_kind {
	CTFD_OBS_NEIGH,
	CTFD_OBS_NEIGH_DEL,
	CTFD_OBS_LINK,
	CTFD_OBS_LINK_DEL,
	CTFD_OBS_ADDR,
	CTFD_OBS_ADDR_DEL,
};

struct ctfd_obs {
	enum ctfd_obs_kind kind;
	int ifindex;
	/*
	 * LINK: IFLA_IFNAME. ADDR: IFA_LABEL (IPv4 only). NEIGH: "", the
	 * message names no link; events.c maps the ifindex.
	 */
	char ifname[IF_NAMESIZE];
	struct ctf_addr
		addr;	    /* NEIGH: NDA_DST; ADDR: IFA_LOCAL or IFA_ADDRESS */
	uint8_t lladdr[32]; /* NEIGH: NDA_LLADDR; LINK: IFLA_ADDRESS */
	unsigned int lladdr_len; /* 0: the message has none */
	uint16_t nud_state;	 /* NEIGH: ndm_state (NUD_*) */
	bool up; /* LINK: IFF_UP && IFF_RUNNING (a lost carrier is down) */
};

/*
 * Return 0 to go on, or a negative errno to stop: ctfd_rtnl_read() and
 * _dump() return it, and what the stopped datagram still held is lost
 * (resync with a dump if that matters).
 */
typedef int (*ctfd_obs_cb)(const struct ctfd_obs *o, void *data);

/*
 * Read the pending notifications, calling @cb for each one of interest;
 * at most a few thousand datagrams per call, so that a storm cannot starve
 * the poll loop (poll says when more is left). Returns how many were
 * delivered, -EAGAIN if none was pending, -ENOBUFS
 * when the kernel dropped notifications (or one did not fit our buffer),
 * or another -errno. On -ENOBUFS what was still queued has been thrown
 * away, since it is older than the dump the caller must now run
 * (ctfd_rtnl_dump) and would replay old state on top of it.
 */
int ctfd_rtnl_read(struct ctfd_rtnl *r, ctfd_obs_cb cb, void *data);

/*
 * Dump links, then addresses, then neighbours (IPv4 and IPv6) through @cb
 * as observations of the kinds LINK, ADDR and NEIGH. Links come first so
 * that names are known when the rest arrives. A dump the kernel marks
 * inconsistent (NLM_F_DUMP_INTR) is run again, at most a few times, then
 * -EINTR. Returns the number of observations delivered or -errno.
 */
int ctfd_rtnl_dump(struct ctfd_rtnl *r, ctfd_obs_cb cb, void *data);

/*
 * Delete every neighbour entry of @addr, on any link (why:
 * docs/architecture.md, cycle's neighbour flush). NUD_PERMANENT and
 * NUD_NOARP entries are kept and counted in @res->skipped; one gone before
 * its delete is no error. Returns 0 or the first -errno, with @err; @res
 * counts what was done either way.
 */
struct ctfd_neigh_flush {
	unsigned int deleted;
	unsigned int skipped; /* NUD_PERMANENT or NUD_NOARP */
};
int ctfd_rtnl_neigh_flush(struct ctfd_rtnl *r, const struct ctf_addr *addr,
			  struct ctfd_neigh_flush *res, char *err,
			  size_t errlen);

/* Notifications dropped: not from the kernel, or malformed. */
struct ctfd_rtnl_stats {
	unsigned long not_kernel;
	unsigned long malformed;
	unsigned long overruns; /* -ENOBUFS reported */
};
void ctfd_rtnl_get_stats(const struct ctfd_rtnl *r, struct ctfd_rtnl_stats *s);

/*
 * One rtnetlink message into @o: 0, 1 when it is not of interest (another
 * message type, a neighbour without NDA_DST, a proxy or bridge FDB entry,
 * a family other than IPv4 and IPv6, a bridge port's link message), or
 * -EBADMSG when it is malformed (short header, attributes that overrun the
 * message, attributes of the wrong size).
 */
int ctfd_rtnl_parse(const struct nlmsghdr *nlh, struct ctfd_obs *o);

#endif /* CTFD_RTNL_H */
