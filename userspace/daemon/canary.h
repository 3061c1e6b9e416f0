/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned canary: a SIP OPTIONS through each VIP (to its first SIP
 * port) every health.canary_interval_ms, from this host and from one fixed
 * source port (health.canary_port), as the reference incident's provider
 * sent its INVITEs: one source address and port, so one conntrack entry
 * for as long as the canary runs. The data plane's output chain
 * (nft/ctfailover.nft) spreads it as it spreads a provider, and
 * ctfailover.ko re-steers it as it re-steers one (the module hooks
 * LOCAL_OUT too). The direct probes (prober.h) ask each backend from a new
 * port; the canary asks the path a pinned provider takes.
 *
 * After each answer the canary reads its own conntrack entry (ctnetlink,
 * by its tuple: O(1)) and names the backend it goes to. Verdicts, per VIP:
 *
 *   ok       answered, and the entry goes to a backend of the running
 *            config that is not down, with (module mode) that backend's
 *            current epoch in its stamp;
 *   stale    answered, but through an entry to anything else: a provider
 *            pinned there is served by an instance ctfailover retired;
 *   failing  no answer (any final response counts, as for the probes)
 *            within one interval.
 *
 * A bad verdict is the pinned path's fault when the entry goes to a
 * backend that is down or to no backend (what a provider pinned there
 * suffers: the reference incident), or, for failing, to a backend that
 * answers its own probes. It is not when the entry's backend fails its own
 * probes too: that is the backend's outage, which the health checks act
 * on (and then the entry is evicted or re-steered, and the canary with
 * it). The alarm, per VIP: health.canary_fall bad verdicts in a row that
 * are the pinned path's fault; it lasts until the canary is ok again. On and
 * off are logged; ctfailover_canary_alarm is the metric; `ctfailoverctl canary`
 * prints the verdicts and exits 3 while any VIP is in alarm.
 *
 * Its entry shows in `ctfailoverctl flows` like a provider's: udp
 * SRC:canary_port -> VIP:PORT, SRC being this host's address toward the
 * VIP (the VIP itself when it is one of this host's addresses).
 *
 * The canary observes; it never changes the data plane.
 */
#ifndef CTFD_CANARY_H
#define CTFD_CANARY_H

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"
#include "parse.h"
#include "uapi/ctfailover.h"

struct ctfd;
struct mnl_socket;

enum ctfd_canary_verdict {
	CTFD_CANARY_UNKNOWN,
	CTFD_CANARY_OK,
	CTFD_CANARY_STALE,
	CTFD_CANARY_FAILING,
};
const char *ctfd_canary_verdict_name(enum ctfd_canary_verdict v);

struct ctfd_canary_vip {
	struct ctf_addr vip;
	uint16_t port;	     /* the VIP's first SIP port */
	struct ctf_addr src; /* this host's address toward it, last send */
	uint32_t seq;
	bool inflight;
	uint64_t sent_ms, next_ms;
	enum ctfd_canary_verdict verdict;
	unsigned int bad_run;	 /* stale or failing, in a row */
	unsigned int pinned_run; /* of those, the pinned path's fault */
	bool alarm;
	uint64_t alarm_since_ms;
	uint64_t probes, answers, failures, stale, alarms;
	uint16_t last_code;
	uint32_t last_rtt_us;
	/* Its conntrack entry, as last read: where it goes. */
	bool have_entry;
	struct ctf_addr to;
	char backend[CTF_NAME_MAX]; /* "" if no backend has that address */
	uint32_t stamp;		    /* 0: none or not read */
	char why[256];		    /* the last verdict, in words */
};

struct ctfd_canary {
	int fd4, fd6;
	uint16_t port;
	uint32_t seq;
	char tag[17];
	struct ctfd_canary_vip *v;
	unsigned int n;
	struct ctf_nl ct;
	char *rx;
	uint64_t due_ms; /* the next send or timeout, 0: none */
	char error[160]; /* why there is no canary, "" if there is */
	uint64_t unmatched, malformed, send_errors;
};

/*
 * Open the canary's sockets on health.canary_port. A port this host cannot
 * bind is logged and kept in c->error: no canary, the rest runs. NULL
 * only when out of memory.
 */
struct ctfd_canary *ctfd_canary_open(const struct ctfd *d, const char *tag);
void ctfd_canary_close(struct ctfd_canary *c);
/* After a commit: one record per VIP (a known VIP keeps its record). */
void ctfd_canary_sync(struct ctfd_canary *c, const struct ctfd *d);
/* Its sockets for poll: 2, -1 where none. */
void ctfd_canary_fds(const struct ctfd_canary *c, int fds[2]);
/* A datagram on @fd (the module is asked for its label word). */
void ctfd_canary_input(struct ctfd_canary *c, struct ctfd *d, int fd);
/* Timeouts and sends due at @now; c->due_ms says when next. */
void ctfd_canary_timer(struct ctfd_canary *c, const struct ctfd *d,
		       uint64_t now);
/* Any VIP in alarm. */
bool ctfd_canary_alarm(const struct ctfd_canary *c);

#endif /* CTFD_CANARY_H */
