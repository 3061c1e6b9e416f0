/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health checking: whether each backend is alive, from two sources, with
 * pure logic over times and results (no sockets: prober.c does the I/O),
 * so that every rule below is a unit test.
 *
 * Active. A SIP OPTIONS to the backend every interval (with jitter); a
 * response with an alive code within timeout is a success, anything else a
 * failure. `fall` failures in a row take an in-service backend down;
 * `rise` successes in a row bring a down one back (as a new instance: its
 * epoch is bumped). A send that fails on this host's side (no route, the
 * interface down) is no verdict on the backend: it counts neither way; nor
 * is a timeout the daemon judges more than half a timeout (100 ms at
 * least) after it was due: the daemon did not run, the host was starved,
 * and the probe is sent again (prober.c, late()).
 *
 * Passive. The provider's own traffic tells first: the INVITEs the load
 * balancer forwards to a backend, counted per backend with every SIP
 * response it sends back (nft table inet ctfailover_health, O(backends) to
 * read; sampled every CTFD_HC_SAMPLE_MS). A
 * live SIP server answers every INVITE (a 100 Trying at least); an ACK or a
 * keepalive gets no answer, so only INVITEs count. A backend that keeps
 * getting INVITEs while it sends nothing back for `passive` ms is suspect:
 * it is probed at once, and a failed probe takes it down without waiting
 * for `fall` (the traffic was the first failure). One that answers the
 * probe but still leaves the INVITEs unanswered for 3 x `passive` goes
 * down too: it answers OPTIONS, not calls. Why both conditions (time and a
 * second INVITE): one INVITE may be answered late by a busy server; a
 * second still unanswered past the threshold (SIP retransmits an
 * unanswered INVITE at 0.5, 1.5 and 3.5 s) is what a dead backend looks
 * like.
 *
 * Alive by its calls. A backend whose probes fail `fall` times in a row
 * while this host saw its SIP responses to calls within the last
 * `interval` + CTFD_HC_SAMPLE_MS ms (one probe's time: the responses of a
 * backend that died stop at most that long before a later failure takes
 * it down) stays in service: it answers calls, and the probes' timeouts are
 * then theirs (a host or a network starved for a moment), not its death. Taken
 * down so, the sweep cut its ringing calls on a loaded host (the tier
 * scenario, when a takeover's commit kept a guest busy). Only the active
 * side's own verdict is held back, and said once in the log: a probe
 * that fails after the calls went unanswered (suspect) still takes it
 * down.
 *
 * After a takeover (this host took a VIP over) the passive side waits: the
 * backends' replies go to the host that held their gateway before, until
 * the new master takes it (keepalived's notify script, after conntrackd's
 * commit: seconds, more on a loaded host), and their silence here says
 * nothing about them. Judged as such, it took backends down whose calls
 * were ringing fine, and the sweep cut those calls. The wait ends when a
 * response from any backend reaches this host (the path is here again),
 * or after CTFD_HC_PATH_WAIT_MS without one (said in the log: the gateway
 * never came here); each backend's silence counts from then. The active
 * probes, sent from this host's own address and answered to it, go on
 * meanwhile. A takeover while waiting changes nothing (a takeover is
 * said twice or more: the address, keepalived's instance and group); a
 * backend added while waiting waits too. `ctfailoverctl probes` shows
 * the wait and the hold.
 *
 * A new instance behind the address (its MAC changed, a `cycle`, a link
 * that flapped: the daemon's bump) starts its passive side and its
 * failures in a row afresh: the old instance's silence is not the new
 * one's. Counted together, they took the new instance down while its SIP
 * server was still starting, and the sweep cut its first ringing calls.
 *
 * Flapping. A backend that goes down again within `flap_window` ms of
 * coming back needs twice as many successes to come back next time (up to
 * 32 x rise); staying up for flap_window forgets it. One taken down for
 * answering OPTIONS but not INVITEs counts as a flap at once: OPTIONS
 * answered are no news of its calls, and each comeback costs the calls
 * it gets until the passive side sees it again.
 *
 * What health checking may not do is be the outage: a down verdict that
 * would leave more than guard.max_remove_percent of the configured backends
 * of its address family out of service (by any cause; counted against all
 * of them, so that failures one after the other take out no more than a
 * burst would, and per family, so that a VIP family's slots never empty)
 * is not carried out, nor one the guard's plan refuses; the backend stays
 * in service in panic (ctfd_hc.panic), said loudly in the log, the metrics
 * and `ctfailoverctl probes`. With the default 50%: one of two or three
 * backends, never the only one of its family.
 */
#ifndef CTFD_HEALTH_H
#define CTFD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "uapi/ctfailover.h"

#define CTFD_HC_SAMPLE_MS    250   /* the passive counters are read so often */
#define CTFD_HC_PATH_WAIT_MS 30000 /* the longest wait after a takeover */

struct ctfd_hc_conf {
	bool enabled;
	uint16_t port;		 /* the backends' SIP port */
	uint32_t interval_ms;	 /* between probes of one backend */
	uint32_t timeout_ms;	 /* < interval_ms */
	uint32_t jitter_percent; /* of interval, either way */
	unsigned int rise, fall;
	uint32_t passive_ms; /* 0: no passive detection */
	uint32_t flap_window_ms;
	/* Response codes that mean alive: bit c - 100 for c in 100..699. */
	uint64_t alive[10];
	/* The pinned canary (canary.h): its source port, 0 for none. */
	uint16_t canary_port;
	uint32_t canary_interval_ms; /* also its timeout */
	unsigned int canary_fall;    /* bad verdicts in a row: the alarm */
};

/* Defaults (ctfailover.conf documents them). */
void ctfd_hc_conf_default(struct ctfd_hc_conf *c);
static inline bool ctfd_hc_code_alive(const struct ctfd_hc_conf *c,
				      unsigned int code)
{
	return code >= 100 && code <= 699 &&
	       (c->alive[(code - 100) / 64] >> ((code - 100) % 64) & 1);
}

enum ctfd_health { CTFD_HEALTH_UNKNOWN, CTFD_HEALTH_UP, CTFD_HEALTH_DOWN };
const char *ctfd_health_name(enum ctfd_health h);

/* What a result or a sample asks the daemon to do. */
enum ctfd_hc_verdict {
	CTFD_HC_NONE,
	CTFD_HC_DOWN,  /* take it out of service */
	CTFD_HC_UP,    /* bring it back, as a new instance */
	CTFD_HC_PROBE, /* suspect: probe it now */
};

/* One backend's health, keyed by name and address (a new address is a new
 * instance: its health starts again). */
struct ctfd_hc {
	char name[CTF_NAME_MAX];
	struct ctf_addr addr;
	enum ctfd_health health;
	unsigned int ok_run, fail_run; /* in a row */
	bool panic; /* down by its checks, kept in service by the guard */
	/* Active. */
	uint64_t next_ms; /* the next probe is due */
	bool inflight;
	uint64_t sent_ms;
	uint32_t seq; /* of the probe in flight (its CSeq) */
	uint32_t last_rtt_us;
	unsigned int last_code; /* 0: none yet, or no answer */
	char last_error[64]; /* why the last probe failed, "" if it did not */
	uint64_t probes, failures, path_errors;
	/* Passive. */
	bool have_sample;
	uint64_t tx, rx;	/* the counters at the last sample */
	uint64_t unanswered;	/* datagrams to it since its last reply */
	uint64_t quiet_from_ms; /* its first unanswered datagram was seen */
	bool suspect;
	uint64_t suspect_ms;
	bool mute;	/* the last down was "answers OPTIONS, not INVITEs" */
	bool path_wait; /* a takeover: replies may go elsewhere (above) */
	uint64_t replied_ms; /* a sample last saw its replies (0: never) */
	bool held;	     /* its probes' down held back: it answers calls */
	/* Flapping. */
	unsigned int flaps;
	uint64_t up_ms, down_ms; /* its last transitions */
	uint64_t downs;
	uint8_t prev_state; /* what it had before its checks took it down */
};

void ctfd_hc_init(struct ctfd_hc *h, const char *name,
		  const struct ctf_addr *addr, uint64_t now_ms);
/* Successes in a row that bring @h back up now (flap damping). */
unsigned int ctfd_hc_rise_needed(const struct ctfd_hc_conf *c,
				 const struct ctfd_hc *h);
/*
 * A probe's outcome: @ok (an alive code within the timeout) at @now_ms.
 * Moves the health on; returns DOWN or UP on a transition, else NONE. The
 * caller acts on it and says so with ctfd_hc_applied().
 */
enum ctfd_hc_verdict ctfd_hc_result(const struct ctfd_hc_conf *c,
				    struct ctfd_hc *h, bool ok,
				    uint64_t now_ms);
/*
 * The passive counters at @now_ms: datagrams forwarded to the backend,
 * replies from it. PROBE when it turns suspect, DOWN when a suspect keeps
 * its calls unanswered for 3 x passive despite answering probes.
 */
enum ctfd_hc_verdict ctfd_hc_sample(const struct ctfd_hc_conf *c,
				    struct ctfd_hc *h, uint64_t tx, uint64_t rx,
				    uint64_t now_ms);
/* A new instance behind @h's address (above). */
void ctfd_hc_new_instance(struct ctfd_hc *h);
/*
 * This host took a VIP over: @h's passive side waits (above; the next
 * sample is a first look), or, with @back, the wait is over.
 */
void ctfd_hc_path(struct ctfd_hc *h, bool back);
/*
 * The daemon acted on a verdict (@applied) or the guard refused it (panic):
 * record the transition and its time.
 */
void ctfd_hc_applied(const struct ctfd_hc_conf *c, struct ctfd_hc *h,
		     enum ctfd_hc_verdict v, bool applied, uint64_t now_ms);
/* When the probe after one sent at @now_ms is due: interval +- jitter
 * (@rnd: any 32 random bits). */
uint64_t ctfd_hc_next(const struct ctfd_hc_conf *c, uint64_t now_ms,
		      uint32_t rnd);

#endif /* CTFD_HEALTH_H */
