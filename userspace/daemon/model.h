/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailoverd's data model, shared by every part of the daemon: what a
 * config file says (struct ctfd_state, "desired") and what the daemon runs
 * (the same struct, "running"), and the nft data plane computed from it
 * (struct ctfd_dataplane).
 *
 * A backend's identity is its name: its address may change (an instance
 * cycled to a new address keeps its name, so it keeps its Maglev slots).
 */
#ifndef CTFD_MODEL_H
#define CTFD_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <net/if.h>

#include "health.h"
#include "parse.h"
#include "uapi/ctfailover.h"

#define CTFD_MAX_BACKENDS 1024
/* A backend's instance name in the config: 1..63 printable characters. */
#define CTFD_INSTANCE_MAX 64
#define CTFD_MAX_VIPS	  64
/* The largest Maglev table: nft map elements per address family. */
#define CTFD_MAX_TABLE_SIZE 1000003
/* Every Maglev table has at least this many slots per backend. */
#define CTFD_SLOTS_PER_BACKEND 100

/* Defaults of the config file (documented in ctfailover.conf(5)). */
#define CTFD_DEFAULT_CONF "/etc/ctfailover/ctfailover.conf"
/*
 * Prime. Maglev moves some survivors' slots when a backend goes, fewer the
 * more slots each backend has (measured: 10 backends, 1009 slots: 3%;
 * 65537 slots: 0.3%): this keeps it under 1% up to about 100 backends.
 */
#define CTFD_DEFAULT_TABLE_SIZE	   65537
#define CTFD_DEFAULT_SEED	   0x43544631 /* "CTF1" */
#define CTFD_DEFAULT_GUARD_PERCENT 50
#define CTFD_DEFAULT_GUARD_WINDOW  3600 /* s: the guard's budget window */
#define CTFD_DEFAULT_CONTROL	   "/run/ctfailover/control.sock"
#define CTFD_DEFAULT_METRICS	   "127.0.0.1:9477"

#define CTFD_MAX_KA_INSTANCES 8
#define CTFD_KA_NAME_MAX      128 /* with the NUL, as events.h reads them */

struct ctfd_backend {
	char name[CTF_NAME_MAX];
	struct ctf_addr addr;
	char ifname[IF_NAMESIZE]; /* the backend-facing link, "" if unset */
	uint8_t state;		  /* enum ctf_backend_state */
	/* The config's instance name: it and the address derive the epoch. */
	char instance[CTFD_INSTANCE_MAX];
	/*
	 * Running state only, 0 in a config: the instance epoch (epoch.h),
	 * and the epoch stamped, which is it or its down twin.
	 */
	uint32_t instance_epoch;
	uint32_t epoch;
	unsigned int line; /* where the config defines it; 0 if not */
};

/* A metrics listener: a loopback IPv4 or IPv6 address and a TCP port. */
struct ctfd_listen {
	struct ctf_addr addr;
	uint16_t port; /* 0: no metrics endpoint */
};

struct ctfd_state {
	struct ctf_addr vips[CTFD_MAX_VIPS];
	unsigned int n_vips;
	uint16_t ports[CTF_MAX_PORTS];
	unsigned int n_ports;
	/* Sorted by name (the config parser sorts them). */
	struct ctfd_backend backends[CTFD_MAX_BACKENDS];
	unsigned int n_backends;
	uint32_t table_size;	     /* prime, >= 100 x backends */
	uint32_t seed;		     /* the jhash seed in the nft rules */
	unsigned int guard_percent;  /* 0..100 */
	unsigned int guard_window_s; /* 0: each change judged alone */
	struct ctfd_listen metrics;
	char control[PATH_MAX];		/* control socket path */
	char keepalived_fifo[PATH_MAX]; /* "" if none */
	/* The VRRP instances or sync groups that carry the VIPs; none: all. */
	char keepalived_instances[CTFD_MAX_KA_INSTANCES][CTFD_KA_NAME_MAX];
	unsigned int n_keepalived_instances;
	/* conntrackd copies the entries: a VIP lost evicts nothing. */
	bool conntrackd;
	struct ctfd_hc_conf health; /* health.h */
};

/*
 * The nft side of a state: what `table inet ctfailover` holds. slots4[i]
 * is the address slot i of the IPv4 map sends new flows to (family 0: the
 * slot is empty), likewise slots6. Both arrays have table_size entries.
 */
struct ctfd_dataplane {
	bool exists; /* the table is in the kernel (read back) */
	/* Read back without the output chain (a table from before the
	 * canary): ctfd_nft_upgrade() adds it. */
	bool no_output;
	uint32_t table_size;
	uint32_t seed;
	struct ctf_addr vips[CTFD_MAX_VIPS];
	unsigned int n_vips;
	uint16_t ports[CTF_MAX_PORTS];
	unsigned int n_ports;
	struct ctf_addr *slots4;
	struct ctf_addr *slots6;
};

/*
 * Backends sorted by name: Maglev tables then depend on the set of
 * backends, not on the order anything listed them in.
 */
void ctfd_sort_backends(struct ctfd_state *st);
/* The index of the backend named @name, or -1. */
int ctfd_backend_index(const struct ctfd_state *st, const char *name);

#endif /* CTFD_MODEL_H */
