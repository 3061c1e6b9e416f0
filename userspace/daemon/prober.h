/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The health prober's I/O: SIP OPTIONS to every backend over UDP (IPv4 and
 * IPv6), responses matched to their probe by the top Via's branch, the
 * Call-ID and the CSeq and the address they came from, timeouts on a
 * timerfd, the passive counters sampled, and the verdicts of health.c
 * carried out through the same guard and log as every other change.
 *
 * A backend its checks took down stays down across a config reload
 * (SIGHUP, apply) until its checks bring it back: ctfd_prober_overlay()
 * keeps it so in the desired state; what the file says it should be
 * (active or draining) is what it gets back. Put back in service by hand
 * (`activate`, `probe NAME up`), it is judged afresh: `fall` failures take
 * it down again.
 */
#ifndef CTFD_PROBER_H
#define CTFD_PROBER_H

#include <stddef.h>
#include <stdint.h>

#include "health.h"

struct ctfd;
struct ctfd_canary;
struct ctfd_state;

struct ctfd_prober_counters {
	uint64_t sent, answers, provisional, unmatched, malformed;
	uint64_t send_errors; /* this host's path: no verdict */
	uint64_t late;	      /* timeouts judged late: no verdict */
	uint64_t downs, ups, panics;
};

struct ctfd_prober {
	struct ctfd_hc_conf conf;
	struct ctfd_hc *hc; /* one per running backend, in no order */
	unsigned int n;
	int fd4, fd6, tfd;
	uint16_t port4, port6; /* where the probes come from */
	char tag[17];	       /* this run's, in every branch and Call-ID */
	uint32_t seq;
	uint64_t next_sample_ms;
	/* The addresses the health counters table counts (nft.h). */
	struct ctf_addr *counted;
	unsigned int n_counted;
	bool counters_ok;	 /* the table is there as counted says */
	uint64_t panic_since_ms; /* 0: no backend in panic */
	bool path_wait;		 /* after a takeover (health.h) */
	uint64_t path_wait_ms;	 /* since when */
	uint64_t late_logged_ms;
	struct ctfd_prober_counters c;
	struct ctfd_canary *canary; /* canary.h; NULL only out of memory */
};

/*
 * Open the sockets and the timer, per the running config's health
 * section; nothing (0, d->prober NULL) if it is disabled. -errno with @err.
 */
int ctfd_prober_open(struct ctfd *d, char *err, size_t errlen);
void ctfd_prober_close(struct ctfd *d);
/*
 * After a commit: one record per running backend (a new name or a new
 * address starts afresh), the config's settings taken up, and enabled or
 * disabled as the config now says.
 */
void ctfd_prober_sync(struct ctfd *d);
/* A new instance behind backend @name's address (health.h). */
void ctfd_prober_new_instance(struct ctfd *d, const char *name);
/* This host took a VIP over: the passive checks wait (health.h). */
void ctfd_prober_takeover(struct ctfd *d);
/* Before a reload's plan: keep down what the checks hold down. */
void ctfd_prober_overlay(const struct ctfd *d, struct ctfd_state *desired);
/* Its fds for poll: probes v4, v6, the timer, the canary's v4, v6; -1
 * where none. */
#define CTFD_PROBER_FDS 5
void ctfd_prober_fds(const struct ctfd *d, int fds[CTFD_PROBER_FDS]);
/* A response (or anything) on @fd, one of the first two. */
void ctfd_prober_input(struct ctfd *d, int fd);
/* A datagram on one of the canary's sockets (canary.h). */
void ctfd_prober_canary_input(struct ctfd *d, int fd);
/* The timer: timeouts, probes due, passive samples, the canary. */
void ctfd_prober_timer(struct ctfd *d);
/* The record of backend @name, or NULL. */
const struct ctfd_hc *ctfd_prober_find(const struct ctfd *d, const char *name);
/* CLOCK_MONOTONIC in ms. */
uint64_t ctfd_now_ms(void);

#endif /* CTFD_PROBER_H */
