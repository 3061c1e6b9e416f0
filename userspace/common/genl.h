/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the "ctfailover" generic netlink family with libmnl.
 *
 * One request at a time: every request carries NLM_F_ACK and a fresh
 * sequence number, and every reply is checked against that sequence number
 * and the socket's port id before it is parsed, so a stray or late message
 * can never be taken for the answer.
 */
#ifndef CTF_GENL_H
#define CTF_GENL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "nl.h"

/*
 * Big enough for a whole dump batch: the kernel fills up to 32 KiB per
 * recvmsg (libmnl 1.0.4 in bookworm predates MNL_SOCKET_DUMP_SIZE).
 */
#define CTF_GENL_RXBUF 32768
/*
 * Requests are small; libmnl's MNL_SOCKET_BUFFER_SIZE is a sysconf() call.
 * Request buffers start zeroed: libmnl 1.0.4 does not clear attribute
 * padding, which would otherwise send stack bytes to the kernel.
 */
#define CTF_GENL_TXBUF 8192

/* What the generic netlink controller says about the family. */
struct ctf_genl_family {
	uint16_t id;
	uint32_t version;
	/* Id of the CTFAILOVER_MCGRP_EVENTS multicast group, 0 if none. */
	uint32_t events_group;
};

struct ctf_genl {
	struct ctf_nl nl;
	char *rxbuf; /* CTF_GENL_RXBUF bytes */
	uint16_t family_id;
	uint32_t family_version;
	uint32_t events_group; /* see struct ctf_genl_family */
	/* Why the kernel refused the last request (extack), or "". */
	char errmsg[CTF_NL_MSGLEN];
	/* A reply to the last request, its NLMSG_DONE too, said DUMP_INTR. */
	bool intr;
};

/* What CTF_CMD_GET_INFO reports. */
struct ctf_info {
	char version[32];
	uint32_t genl_version;
};

/*
 * Open a socket and resolve the family. Returns 0, -ENOENT when the family
 * is not registered (the module is not loaded in this kernel), or -errno.
 */
int ctf_genl_open(struct ctf_genl *g);
void ctf_genl_close(struct ctf_genl *g);

/* Start a request for @cmd in @buf (CTF_GENL_TXBUF bytes). */
struct nlmsghdr *ctf_genl_request(struct ctf_genl *g, void *buf, uint8_t cmd,
				  uint16_t flags);

/*
 * Send @req and run @cb on every reply until the kernel's ACK (or DONE for
 * dumps); see ctf_nl_talk(). Returns 0, the first error of @cb, or
 * -errno; on a kernel error, g->errmsg holds its extack message when there
 * was one. Notifications (sequence number 0) are not replies and are
 * skipped: a socket that joined a multicast group should not be used for
 * requests, or it loses those events.
 */
int ctf_genl_talk(struct ctf_genl *g, struct nlmsghdr *req, ctf_nl_cb cb,
		  void *data);

int ctf_genl_get_info(struct ctf_genl *g, struct ctf_info *info);

/*
 * A socket on the generic netlink controller's "notify" group: families
 * registered and unregistered (a module loaded or unloaded), in every
 * namespace. 0 or -errno.
 */
int ctf_genl_watch_open(struct ctf_nl *nl);
/*
 * One notification of that group: 1 and *@cmd (CTRL_CMD_NEWFAMILY or
 * CTRL_CMD_DELFAMILY) if it is about the "ctfailover" family, 0 if it is
 * about another one or something else, -EBADMSG if it is malformed.
 */
int ctf_genl_parse_watch(const struct nlmsghdr *nlh, uint8_t *cmd);

/* Parsers, separate from the socket so the unit tests can feed them. */
/*
 * CTRL_CMD_NEWFAMILY: id (required), version, and the id of the
 * CTFAILOVER_MCGRP_EVENTS group among CTRL_ATTR_MCAST_GROUPS.
 */
int ctf_genl_parse_family(const struct nlmsghdr *nlh,
			  struct ctf_genl_family *fam);
int ctf_genl_parse_info(const struct nlmsghdr *nlh, struct ctf_info *info);

#endif /* CTF_GENL_H */
