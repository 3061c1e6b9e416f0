/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ctfailover: generic netlink interface of ctfailover.ko.
 *
 * This header is the contract between the module and userspace
 * (ctfailoverd, ctfailoverctl). Numbers are ABI: append, never renumber.
 *
 * All state is per network namespace: the namespace of the socket that
 * sends the request. Every command but CTF_CMD_GET_INFO needs CAP_NET_ADMIN
 * over that namespace (GENL_UNS_ADMIN_PERM); so does joining the events
 * group.
 *
 * Model. A *backend* is an address that SIP flows are DNATed to. Its
 * *epoch* names the instance currently behind that address. Every new UDP
 * conntrack entry to a SIP port whose NAT target (reply source address) is
 * a backend is stamped with that backend's epoch, in a 32-bit word of the
 * conntrack labels (the stamp format is below). An entry is *stale* when
 * its epoch differs from its backend's; an entry without a stamp (made
 * before the address became a backend, before the module was loaded, or
 * whose stamp someone erased) is judged by the backend's first epoch
 * (CTF_BA_UNSTAMPED_EPOCH). The next packet of a stale flow deletes the
 * entry before conntrack sees the packet, so the packet creates a fresh
 * entry and the NAT rules choose again; a sweep deletes the stale entries
 * that see no more packets.
 *
 * Every change gives the backend a new epoch: a bump, a change of state to
 * down, a removal (the address is remembered, and judged, until a sweep
 * that started after the removal has deleted its stale entries), adding an
 * address again. An epoch the module picks comes from one counter per
 * namespace, so it is never given twice in a namespace (within 2^24 - 1
 * changes; the counter starts above every stamp the namespace's entries
 * already carry, so stamps left by an earlier load of the module do not
 * come back to life). An epoch given in CTF_BA_EPOCH is taken as it is:
 * it names an instance, and the same epoch again means the same instance
 * (ctfailoverd derives them so that load balancers agree).
 *
 * Stamp format, in u32 number CTF_A_LABEL_WORD of the labels (host order,
 * as nf_connlabels_replace() and CTA_LABELS index them):
 *   bits  0..23  the epoch, 1..CTF_EPOCH_MAX
 *   bits 24..31  CRC-8 (polynomial 0x07, initial value 0, no reflection,
 *                no final XOR) of the epoch's three bytes, low byte first
 * A word of 0 is no stamp. A nonzero word whose check does not match holds
 * bits that ctfailover did not write (an nft "ct label set", a CTA_LABELS
 * without a mask): the entry is *foreign*, counted, and never deleted for
 * it. The check finds any 1, 2 or 3 changed bits.
 */
#ifndef _UAPI_LINUX_CTFAILOVER_H
#define _UAPI_LINUX_CTFAILOVER_H

#define CTFAILOVER_GENL_NAME		"ctfailover"
/* Bumped on any incompatible change of the commands or attributes. */
#define CTFAILOVER_GENL_VERSION		1
#define CTFAILOVER_MCGRP_EVENTS		"events"

/* Release of the module and tools, reported by CTF_CMD_GET_INFO. */
#define CTFAILOVER_VERSION		"0.1.0"

/* Most backends one namespace may have, and most SIP ports. */
#define CTF_MAX_BACKENDS		4096
#define CTF_MAX_PORTS			64
#define CTF_NAME_MAX			32	/* with the NUL */
/* Where the epoch lives in the conntrack labels, by default (CTF_A_LABEL_WORD). */
#define CTF_DEFAULT_LABEL_WORD		3	/* bits 96..127 on little-endian */
#define CTF_DEFAULT_SIP_PORT		5060
#define CTF_DEFAULT_SWEEP_DELAY_MS	1000
#define CTF_MAX_SWEEP_DELAY_MS		3600000
/* Epochs are 1..CTF_EPOCH_MAX: 24 bits of the stamp word. */
#define CTF_EPOCH_MAX			0x00ffffff

enum ctf_cmd {
	CTF_CMD_UNSPEC,
	/* -> CTF_A_INFO_VERSION, CTF_A_INFO_GENL_VERSION */
	CTF_CMD_GET_INFO,
	/*
	 * Create or update the backend at CTF_A_BACKEND's address. Optional:
	 * name, state, epoch. A new backend (or an address added again) gets
	 * the namespace's next epoch, or the one given (a daemon restoring
	 * its state); an existing backend's epoch may only be set higher. A
	 * change of state to down gives it a new epoch. -> the backend.
	 */
	CTF_CMD_BACKEND_SET,
	/* One backend by address (doit), or all of them (dump). */
	CTF_CMD_BACKEND_GET,
	/*
	 * Remove the backend at CTF_A_BACKEND's address; its entries go stale.
	 * -EBUSY while CTF_MAX_BACKENDS removed addresses wait for a sweep.
	 */
	CTF_CMD_BACKEND_DEL,
	/* A new instance is behind the address: a new epoch. -> the backend. */
	CTF_CMD_BACKEND_BUMP,
	/* Replace the SIP port set with CTF_A_PORTS (1..CTF_MAX_PORTS ports). */
	CTF_CMD_PORTS_SET,
	/* -> CTF_A_PORTS */
	CTF_CMD_PORTS_GET,
	/*
	 * Delete every stale entry now, in the caller's context, and report
	 * -> CTF_A_EVICT. The same sweep runs in the background after every
	 * bump, removal or state change to down. One sweep of a namespace
	 * runs at a time; a namespace without entries is not walked.
	 * Optional: CTF_A_EVICT_ALL.
	 */
	CTF_CMD_EVICT,
	/* -> CTF_A_STATS, CTF_A_LABEL_WORD, CTF_A_SWEEP_DELAY_MS */
	CTF_CMD_STATS_GET,
	/*
	 * Set CTF_A_LABEL_WORD (only while no backend exists) and/or
	 * CTF_A_SWEEP_DELAY_MS.
	 */
	CTF_CMD_CONFIG_SET,

	/* Notifications on the events group. */
	CTF_CMD_EVENT_EVICTED,		/* a sweep finished: CTF_A_EVICT */
	/* a packet met a stale entry: CTF_A_BACKEND, CTF_A_STALE_EPOCH */
	CTF_CMD_EVENT_STALE,
	/*
	 * Every backend of the namespace gets a new epoch, as many bumps
	 * would, with one wait for packets in flight instead of one each
	 * (the floating address moved: every instance behind it may have
	 * changed). Takes no attribute and replies with an ack only: a dump
	 * of the backends shows their new epochs.
	 */
	CTF_CMD_BACKEND_BUMP_ALL,

	__CTF_CMD_MAX,
};

#define CTF_CMD_MAX (__CTF_CMD_MAX - 1)

enum ctf_attr {
	CTF_A_UNSPEC,
	CTF_A_INFO_VERSION,		/* string: CTFAILOVER_VERSION of the module */
	CTF_A_INFO_GENL_VERSION,	/* u32: CTFAILOVER_GENL_VERSION of the module */
	CTF_A_BACKEND,			/* nest: enum ctf_backend_attr */
	CTF_A_PORTS,			/* nest: CTF_A_PORT, ... */
	CTF_A_PORT,			/* u16, host order, inside CTF_A_PORTS */
	CTF_A_EVICT,			/* nest: enum ctf_evict_attr */
	CTF_A_STATS,			/* nest: enum ctf_stats_attr */
	/*
	 * u8 0..3: the epoch is u32 number N of the 128-bit label area, as
	 * ctnetlink's CTA_LABELS and nf_connlabels_replace() index it; on
	 * little-endian hosts that is label bits 32*N .. 32*N+31.
	 */
	CTF_A_LABEL_WORD,
	CTF_A_STALE_EPOCH,		/* u32: the stamp of the stale entry */
	CTF_A_PAD,
	/*
	 * u32, 0..CTF_MAX_SWEEP_DELAY_MS: how long after a change that makes
	 * entries stale the background sweep starts (changes within it share
	 * one sweep). Live flows do not wait for it: their next packet
	 * re-steers them.
	 */
	CTF_A_SWEEP_DELAY_MS,
	/*
	 * flag, CTF_CMD_EVICT: judge every entry of the namespace, not only
	 * those of the backends changed since the last complete sweep:
	 * entries that ctnetlink created (conntrackd's commit on a takeover)
	 * passed no hook, and a stale one among them would not be looked at.
	 */
	CTF_A_EVICT_ALL,

	__CTF_A_MAX,
};

#define CTF_A_MAX (__CTF_A_MAX - 1)

enum ctf_backend_state {
	CTF_STATE_ACTIVE,	/* its entries are kept while their epoch is current */
	CTF_STATE_DRAINING,	/* likewise; nft sends it no new flows */
	CTF_STATE_DOWN,		/* nft sends it nothing; going down is a new epoch */

	__CTF_STATE_MAX,
};

#define CTF_STATE_MAX (__CTF_STATE_MAX - 1)

enum ctf_backend_attr {
	CTF_BA_UNSPEC,
	CTF_BA_ADDR4,		/* binary, 4 bytes, network order */
	CTF_BA_ADDR6,		/* binary, 16 bytes, network order */
	CTF_BA_NAME,		/* string, < CTF_NAME_MAX */
	CTF_BA_EPOCH,		/* u32, 1..CTF_EPOCH_MAX */
	CTF_BA_STATE,		/* u8: enum ctf_backend_state */
	CTF_BA_TAGGED,		/* u64: entries stamped for it */
	CTF_BA_STALE_HITS,	/* u64: packets that met a stale entry of it */
	CTF_BA_EVICTED,		/* u64: stale entries of it the sweep deleted */
	CTF_BA_PAD,
	/* u32: the epoch that entries without a stamp are judged by */
	CTF_BA_UNSTAMPED_EPOCH,
	/*
	 * flag, BACKEND_SET with CTF_BA_EPOCH: adopt the epoch without a
	 * change: the same instance by another name. Entries that carry it
	 * are current from now on, and so are those that carry the epoch it
	 * replaced (CTF_BA_ALIAS_EPOCH) until the backend's next change;
	 * nothing is marked, no sweep is scheduled. For a host that learns
	 * the epoch its peers stamped (entries synced to it).
	 */
	CTF_BA_ADOPT,
	/* u32, replies: the epoch an adoption replaced, current too; absent: none */
	CTF_BA_ALIAS_EPOCH,

	__CTF_BA_MAX,
};

#define CTF_BA_MAX (__CTF_BA_MAX - 1)

enum ctf_evict_attr {
	CTF_EV_UNSPEC,
	CTF_EV_SCANNED,		/* u64: entries of this namespace looked at */
	CTF_EV_EVICTED,		/* u64: stale entries deleted */
	CTF_EV_USEC,		/* u64: how long the sweep's walks took */
	CTF_EV_PAD,

	__CTF_EV_MAX,
};

#define CTF_EV_MAX (__CTF_EV_MAX - 1)

enum ctf_stats_attr {
	CTF_ST_UNSPEC,
	CTF_ST_BACKENDS,	/* u32 */
	CTF_ST_TAGGED,		/* u64: entries stamped */
	CTF_ST_STALE_HITS,	/* u64: stale entries deleted by a packet */
	CTF_ST_EVICTED,		/* u64: stale entries deleted by sweeps */
	CTF_ST_SWEEPS,		/* u64: sweeps completed (whole walks) */
	CTF_ST_UNTAGGABLE,	/* u64: new entries without a label area */
	CTF_ST_PAD,
	/*
	 * u64: packets whose entry's stamp word held bits not ours, met while
	 * the re-steer hook looks (CTF_ST_MAY_BE_STALE)
	 */
	CTF_ST_FOREIGN,
	CTF_ST_LAST_EPOCH,	/* u32: the last epoch given out */
	/* u64: walks a resize of conntrack's table made a sweep start again */
	CTF_ST_SWEEP_RESTARTS,
	/*
	 * u64: new entries already stale when confirmed (their packet waited,
	 * in NFQUEUE, across a change)
	 */
	CTF_ST_LATE,
	/*
	 * u8, 0 or 1: may an entry be stale (a change since the last complete
	 * sweep)? While 0 the re-steer hook looks no entry up, and
	 * CTF_ST_FOREIGN does not count.
	 */
	CTF_ST_MAY_BE_STALE,

	__CTF_ST_MAX,
};

#define CTF_ST_MAX (__CTF_ST_MAX - 1)

#endif /* _UAPI_LINUX_CTFAILOVER_H */
