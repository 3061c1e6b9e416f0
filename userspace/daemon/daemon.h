/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailoverd: one daemon instance and what its parts share. Single-threaded:
 * every handler runs to completion from the poll loop, so nothing is locked.
 */
#ifndef CTFD_DAEMON_H
#define CTFD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "conn.h"
#include "events.h"
#include "genl.h"
#include "model.h"
#include "plan.h"

struct ctfd_nft;
struct ctfd_prober;
struct ctfd_rtnl;
struct ctfd_neigh_flush;

/* Outcomes of a commit, for the apply counters. */
enum ctfd_outcome { CTFD_OK, CTFD_REFUSED, CTFD_FAILED, __CTFD_OUTCOME_MAX };

struct ctfd_counters {
	uint64_t events[__CTFD_SRC_MAX]; /* events acted on, by source */
	uint64_t ignored_input;		 /* bad fifo lines, bad requests */
	uint64_t bumps;
	uint64_t applies[__CTFD_OUTCOME_MAX];
	uint64_t resyncs;	   /* full dumps after ENOBUFS */
	uint64_t ct_evicted;	   /* entries deleted over ctnetlink */
	uint64_t ct_scanned;	   /* entries looked at by those deletes */
	uint64_t kmod_errors;	   /* module requests that failed */
	uint64_t kmod_stale_seen;  /* stale-hit events from the module */
	uint64_t kmod_swept;	   /* entries the module's sweeps evicted */
	uint64_t nft_commits;	   /* batches sent */
	uint64_t neigh_flushed;	   /* neighbour entries deleted by cycle */
	uint64_t neigh_errors;	   /* neighbour flushes that failed */
	double nft_commit_seconds; /* the last one */
	/* From reading an event to its last commit or bump done: the last. */
	double event_seconds;
	double event_done;   /* when that was, in seconds since the epoch */
	uint64_t takeovers;  /* VIPs gained (MASTER, added): nothing evicted */
	uint64_t vip_losses; /* VIPs lost (BACKUP..., removed): all evicted */
	uint64_t adoptions;  /* epochs adopted from synced entries */
	uint64_t fifo_replaced; /* the keepalived FIFO made again under us */
};

struct ctfd {
	const char *conf_path;
	bool force_start; /* --force: start even if the guard refuses */

	struct ctfd_state *run;	  /* the running state */
	struct ctfd_dataplane dp; /* what `table inet ctfailover` holds */

	struct ctfd_nft *nft;
	bool kmod; /* ctfailover.ko answers: epochs live there */
	struct ctf_genl genl;
	bool kmod_events; /* genl_ev joined the module's events group */
	struct ctf_genl genl_ev;
	/* Families coming and going (not open with --no-module). */
	struct ctf_nl kmod_watch;

	struct ctfd_rtnl *rtnl;
	struct ctfd_watch watch;

	/* The control socket and the metrics endpoint (conn.h). */
	struct ctfd_listener ctl, metrics;
	int fifo_fd;
	struct ctfd_linebuf fifo_buf;

	struct ctfd_prober *prober; /* NULL: health checks off */
	bool probing; /* the loop runs: a reload may start the prober */

	struct ctfd_counters c;
	time_t started;
	/* What guarded changes took out of service: the guard's budget. */
	struct ctfd_guard_log guard_log;
};

/* log.c: "ctfailoverd: <message>" on stderr (the journal under systemd). */
void ctfd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* core.c */
/*
 * Adopt what the kernel holds (nft table, module backends), then commit the
 * config at d->conf_path through the guard (unless d->force_start).
 * Nonzero: the daemon must not run; the kernel is as it was.
 */
int ctfd_start(struct ctfd *d, char *err, size_t errlen);
/*
 * Read the config and plan it into @p (the caller frees it), guarded unless
 * @force; when @commit and not refused, commit it. 0, -ECANCELED (the guard
 * refused), or -errno with @err.
 */
int ctfd_reload(struct ctfd *d, bool commit, bool force, struct ctfd_plan *p,
		char *err, size_t errlen);
/*
 * Commit @next as the running state: one nft batch with only what changed,
 * then the module (or ctnetlink) for each backend that changed. Unguarded.
 */
int ctfd_commit(struct ctfd *d, const struct ctfd_state *next, char *err,
		size_t errlen);
/* ctfd_commit() of what @p planned, logged for the guard (and a --force). */
int ctfd_commit_guarded(struct ctfd *d, const struct ctfd_state *next,
			const struct ctfd_plan *p, const char *what, char *err,
			size_t errlen);
/* Carry out one classified event, logging it with its cause. */
int ctfd_act(struct ctfd *d, const struct ctfd_action *a);
/*
 * A new instance behind backend @i, named by @token (epoch.h; NULL or "":
 * the one after the current), its epoch in the module if loaded. Entries
 * are kept (docs/architecture.md, "When entries are evicted or kept").
 */
int ctfd_bump(struct ctfd *d, unsigned int i, enum ctfd_source src,
	      const char *cause, const char *token);
/*
 * Backend @i's instance is the one of epoch @epoch, which the entries
 * synced from a peer carry: set without a change (the module's
 * CTF_BA_ADOPT), logged with @why and counted. 0 or -errno.
 */
int ctfd_adopt(struct ctfd *d, unsigned int i, uint32_t epoch, const char *why);
/*
 * After a cycle: delete @addr's neighbour entries but the static ones,
 * logged and counted. 0, or -errno with @err, for the reply only.
 */
int ctfd_neigh_flush(struct ctfd *d, const struct ctf_addr *addr,
		     struct ctfd_neigh_flush *res, char *err, size_t errlen);
/* The running backend named @name, or -1. */
int ctfd_find(const struct ctfd *d, const char *name);
/* Slots of the running data plane that point at @addr. */
unsigned int ctfd_slots_of(const struct ctfd *d, const struct ctf_addr *addr);
/* Read what is pending on the module's events socket. */
void ctfd_kmod_events(struct ctfd *d);
/* Use the module if it is loaded (0), else -errno; ctfd_kmod_close() undoes. */
int ctfd_kmod_open(struct ctfd *d);
void ctfd_kmod_close(struct ctfd *d);
/*
 * With the module, say when the namespace has an nft flowtable: a flow it
 * offloads skips the re-steer hook (docs/architecture.md, "After an
 * acknowledgment"). At start and when the module is attached.
 */
void ctfd_flowtable_check(struct ctfd *d);
/* Read d->kmod_watch: the module loaded (given the state) or unloaded. */
void ctfd_kmod_watch(struct ctfd *d);
/* rtnetlink: read notifications; after ENOBUFS, resync from a dump. */
void ctfd_rtnl_input(struct ctfd *d);
/* A full dump into the watch; act on what changed only if @act. */
int ctfd_rtnl_sync(struct ctfd *d, bool act);
/* After the first dump: log where the VIPs are; a start evicts nothing. */
void ctfd_log_vips_at_start(struct ctfd *d);
/* keepalived's notify_fifo: read lines, act on them. */
void ctfd_fifo_input(struct ctfd *d);

/* control.c */
int ctfd_control_open(const char *path, char *err, size_t errlen);
/* The listener's rules for control requests: one line each. */
void ctfd_control_listener(struct ctfd_listener *l);
/* One request line -> "OK\n" or "ERR <exit code>\n", then the body. */
void ctfd_control_handle(struct ctfd *d, const char *line, FILE *out);

/* metrics.c */
int ctfd_metrics_open(const struct ctfd_listen *l, char *err, size_t errlen);
/* The listener's rules for scrapes: an HTTP GET each. */
void ctfd_metrics_listener(struct ctfd_listener *l);
void ctfd_metrics_render(const struct ctfd *d, FILE *f);

#endif /* CTFD_DAEMON_H */
