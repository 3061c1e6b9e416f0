/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailoverctl: one file per subcommand, dispatched from main.c. The
 * exit codes below are documented in ctfailoverctl(8), EXIT STATUS.
 */
#ifndef CTF_CTL_H
#define CTF_CTL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "ctdump.h"
#include "genl.h"

#define CTL_EXIT_OK	 0
#define CTL_EXIT_FAIL	 1
#define CTL_EXIT_USAGE	 2
#define CTL_EXIT_ALARM	 3 /* `canary`: a pinned path is broken */
#define CTL_EXIT_REFUSED 4 /* the guard refuses (`plan`: would refuse) */

struct ctl_opts {
	bool json;	    /* -j: machine-readable output */
	const char *socket; /* -s: the daemon's control socket */
};

extern const char *ctl_prog;

/* Subcommands: argv[0] is the subcommand's own name. */
int ctl_version(int argc, char **argv, const struct ctl_opts *o);
int ctl_module(int argc, char **argv, const struct ctl_opts *o);
int ctl_flows(int argc, char **argv, const struct ctl_opts *o);
/* The daemon's canary, or (with --to) one of its own (canary.c). */
int ctl_canary(int argc, char **argv, const struct ctl_opts *o);
/* Every command that the daemon carries out (daemon.c). */
int ctl_daemon(int argc, char **argv, const struct ctl_opts *o);
/* The same, its answer's body to @out. */
int ctl_daemon_to(int argc, char **argv, const struct ctl_opts *o, FILE *out);
/* Entries synced from a peer: their epochs adopted where needed (synced.c). */
int ctl_synced(int argc, char **argv, const struct ctl_opts *o);

/*
 * kernel.c, shared by the subcommands that talk to the module. Each prints
 * its own message and returns the exit code.
 */
/* ctf_genl_open(), saying clearly when the module is not loaded. */
int ctl_open(struct ctf_genl *g);
/* Refuse a module that speaks another genl protocol than this tool. */
int ctl_check_protocol(uint32_t genl_version);
/*
 * "<prog> <who>: <cmd> failed: <why>[: <extack>]" for a failed request;
 * returns CTL_EXIT_FAIL.
 */
int ctl_kernel_error(const char *who, const char *cmd, int err,
		     const struct ctf_genl *g);
/*
 * Every conntrack entry of both families through @cb (ctdump.h); a
 * failure is said as "<prog> <who>: ..." and is CTL_EXIT_FAIL.
 */
int ctl_conntrack_walk(const char *who, ctf_ct_cb cb, void *data);

#endif /* CTF_CTL_H */
