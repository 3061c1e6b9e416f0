/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ctfailover: generic netlink interface of ctfailover.ko.
 *
 * This header is the contract between the module and userspace
 * (ctfailoverd, ctfailoverctl). Numbers are ABI: append, never renumber.
 */
#ifndef _UAPI_LINUX_CTFAILOVER_H
#define _UAPI_LINUX_CTFAILOVER_H

#define CTFAILOVER_GENL_NAME		"ctfailover"
/* Bumped on any incompatible change of the commands or attributes. */
#define CTFAILOVER_GENL_VERSION		1
#define CTFAILOVER_MCGRP_EVENTS		"events"

/* Release of the module and tools, reported by CTF_CMD_GET_INFO. */
#define CTFAILOVER_VERSION		"0.1.0"

enum ctf_cmd {
	CTF_CMD_UNSPEC,
	/* -> CTF_A_INFO_VERSION, CTF_A_INFO_GENL_VERSION */
	CTF_CMD_GET_INFO,

	__CTF_CMD_MAX,
};

#define CTF_CMD_MAX (__CTF_CMD_MAX - 1)

enum ctf_attr {
	CTF_A_UNSPEC,
	CTF_A_INFO_VERSION,		/* string: CTFAILOVER_VERSION of the module */
	CTF_A_INFO_GENL_VERSION,	/* u32: CTFAILOVER_GENL_VERSION of the module */

	__CTF_A_MAX,
};

#define CTF_A_MAX (__CTF_A_MAX - 1)

#endif /* _UAPI_LINUX_CTFAILOVER_H */
