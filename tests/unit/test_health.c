// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/health.c: rise and fall, the passive suspicion and its
 * confirmation, a backend that answers OPTIONS but not calls, one that
 * answers calls but not OPTIONS, the wait after a takeover, panic, flap
 * damping and jitter, each as a timeline of results and samples.
 */
#include <sys/socket.h>

#include "health.h"
#include "unit.h"

UNIT_SUITE("health");

static struct ctfd_hc_conf conf;
static struct ctfd_hc h;

static void setup(void)
{
	struct ctf_addr a = { .family = AF_INET };

	ctfd_hc_conf_default(&conf);
	ctfd_hc_init(&h, "b1", &a, 0);
}

static void defaults(void)
{
	setup();
	CHECK(conf.enabled);
	CHECK_INT(conf.port, 5060);
	CHECK_INT(conf.rise, 2);
	CHECK_INT(conf.fall, 3);
	CHECK(!ctfd_hc_code_alive(&conf, 100));
	CHECK(!ctfd_hc_code_alive(&conf, 199));
	CHECK(ctfd_hc_code_alive(&conf, 200));
	CHECK(ctfd_hc_code_alive(&conf, 404));
	CHECK(ctfd_hc_code_alive(&conf, 503));
	CHECK(ctfd_hc_code_alive(&conf, 699));
	CHECK(!ctfd_hc_code_alive(&conf, 700));
	CHECK(!ctfd_hc_code_alive(&conf, 0));
	CHECK_STR(ctfd_health_name(h.health), "unknown");
}

/* Unknown until rise successes; then fall failures in a row take it down. */
static void rise_and_fall(void)
{
	setup();
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 0), CTFD_HC_NONE);
	CHECK_INT(h.health, CTFD_HEALTH_UNKNOWN);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 1000), CTFD_HC_NONE);
	CHECK_INT(h.health, CTFD_HEALTH_UP); /* no action: in service already */
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 3000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 4000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 5000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 6000), CTFD_HC_DOWN);
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, true, 6000);
	CHECK_INT(h.health, CTFD_HEALTH_DOWN);
	CHECK_INT(h.downs, 1);
	CHECK_INT(h.probes, 7);
	CHECK_INT(h.failures, 4);
	/* Down: failures say nothing new; rise successes bring it back. */
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 7000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 8000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 9000), CTFD_HC_UP);
	ctfd_hc_applied(&conf, &h, CTFD_HC_UP, true, 9000);
	CHECK_INT(h.health, CTFD_HEALTH_UP);
	CHECK_INT(h.up_ms, 9000);
}

/* A dead backend at start: it goes down after fall failures. */
static void dead_from_start(void)
{
	setup();
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 0), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 1000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2000), CTFD_HC_DOWN);
}

/*
 * Passive: traffic forwarded, nothing back. Under `passive` ms, or a single
 * unanswered datagram (an ACK), is no suspicion; then one probe: failed,
 * down at once.
 */
static void passive_then_failed_probe(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	CHECK_INT(ctfd_hc_sample(&conf, &h, 100, 90, 0),
		  CTFD_HC_NONE); /* first */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 110, 100, 250), CTFD_HC_NONE);
	/* An ACK, then silence for a long time: not suspect. */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 111, 100, 500), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 111, 100, 5000), CTFD_HC_NONE);
	CHECK(!h.suspect);
	/* Answered again: forgotten. */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 112, 101, 5250), CTFD_HC_NONE);
	CHECK_INT(h.unanswered, 0);
	/* The backend dies at 5300: INVITEs and retransmissions, no reply. */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 114, 101, 5500), CTFD_HC_NONE);
	CHECK_INT(h.quiet_from_ms, 5500);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 118, 101, 6000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 121, 101, 6250), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 125, 101, 6500), CTFD_HC_PROBE);
	CHECK(h.suspect);
	/* Still suspect: no second PROBE while the first is out. */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 128, 101, 6750), CTFD_HC_NONE);
	/* The probe fails: down, without waiting for `fall`. */
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 7000), CTFD_HC_DOWN);
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, true, 7000);
	CHECK(!h.suspect);
	/* Down: stale traffic to it is no news. */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 140, 101, 9000), CTFD_HC_NONE);
}

/* Suspect, but the probe is answered; the calls are not: down at 3 x. */
static void answers_options_not_calls(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 5, 0, 250), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 20, 0, 1250), CTFD_HC_PROBE);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 1300), CTFD_HC_NONE);
	CHECK(h.suspect);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 40, 0, 2500), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 50, 0, 3249), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 60, 0, 3250), CTFD_HC_DOWN);
	/* Its OPTIONS are no news of its calls: twice the answers to come
	 * back, from the first time. */
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, true, 3250);
	CHECK_INT(ctfd_hc_rise_needed(&conf, &h), 2 * conf.rise);
	CHECK(!h.mute);
}

/* A suspect that answers a call after all is no longer suspect. */
static void suspect_cleared(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	ctfd_hc_sample(&conf, &h, 5, 0, 250);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 20, 0, 1250), CTFD_HC_PROBE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 25, 3, 1500), CTFD_HC_NONE);
	CHECK(!h.suspect);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 1750), CTFD_HC_NONE);
	/* Passive off: no suspicion ever. */
	conf.passive_ms = 0;
	CHECK_INT(ctfd_hc_sample(&conf, &h, 100, 3, 9000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 200, 3, 19000), CTFD_HC_NONE);
	/* Counters that went back (the nft table made again): a first look. */
	conf.passive_ms = 1000;
	CHECK_INT(ctfd_hc_sample(&conf, &h, 10, 0, 20000), CTFD_HC_NONE);
	CHECK_INT(h.unanswered, 0);
}

/*
 * A takeover: the replies may still go to the host that had the VIP. Its
 * silence, however long, is no suspicion; a reply from some backend ends
 * the wait (ctfd_hc_path(.., true)), and the silence counts from then.
 */
static void takeover_waits_for_the_path(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 100, 100, 0);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 104, 100, 500), CTFD_HC_NONE);
	ctfd_hc_path(&h, false);
	CHECK(h.path_wait);
	CHECK_INT(h.unanswered, 0);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 120, 100, 1500), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 150, 100, 4000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 190, 100, 9000), CTFD_HC_NONE);
	CHECK(!h.suspect);
	CHECK_INT(h.unanswered, 0);
	/* Another backend's reply came here: the path is back. */
	ctfd_hc_path(&h, true);
	CHECK(!h.path_wait);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 195, 100, 9250), CTFD_HC_NONE);
	CHECK_INT(h.quiet_from_ms, 9250);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 200, 100, 10000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 205, 100, 10250), CTFD_HC_PROBE);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 10300), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 230, 100, 12250), CTFD_HC_DOWN);
	/* A second takeover while suspect: forgotten, waiting again. */
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	ctfd_hc_sample(&conf, &h, 5, 0, 250);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 20, 0, 1250), CTFD_HC_PROBE);
	ctfd_hc_path(&h, false);
	CHECK(!h.suspect);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 60, 0, 5000), CTFD_HC_NONE);
}

/*
 * Probes that time out while the backend's replies to calls keep coming
 * (within `passive` ms): kept in service, however many; once the replies
 * stop for longer, the next failure takes it down. A probe that fails
 * after the calls went unanswered (suspect) is not held.
 */
static void alive_by_its_calls(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 100, 100, 0);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 110, 108, 1000), CTFD_HC_NONE);
	CHECK_INT(h.replied_ms, 1000);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 1100), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 1600), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 120, 118, 1900), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2100), CTFD_HC_NONE);
	CHECK(h.held);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2900), CTFD_HC_NONE);
	/* Answered: forgotten. */
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 3000), CTFD_HC_NONE);
	CHECK(!h.held);
	/* No reply since 1900: at 3000 + 3 failures, 1100 ms later, down. */
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 3100), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 3200), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 3300), CTFD_HC_DOWN);
	/* Suspect (calls unanswered), a failed probe: down, not held. */
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	ctfd_hc_sample(&conf, &h, 5, 1, 250);
	ctfd_hc_sample(&conf, &h, 10, 1, 500);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 20, 1, 1500), CTFD_HC_PROBE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 1600), CTFD_HC_DOWN);
	/* A long passive_ms holds no longer: one probe's time after its
	 * last response, a dead backend's failures take it down. */
	setup();
	conf.passive_ms = 10000;
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	ctfd_hc_sample(&conf, &h, 10, 10, 1000); /* dies just after */
	ctfd_hc_result(&conf, &h, false, 2000);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2200), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2250), CTFD_HC_NONE);
	CHECK(h.held);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2251), CTFD_HC_DOWN);
	/* The guard refuses that down: panic, no longer held. */
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, false, 2251);
	CHECK(h.panic);
	CHECK(!h.held);
	/* Passive off: no counters, nothing held. */
	setup();
	conf.passive_ms = 0;
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	ctfd_hc_sample(&conf, &h, 5, 5, 250);
	ctfd_hc_result(&conf, &h, false, 300);
	ctfd_hc_result(&conf, &h, false, 400);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 500), CTFD_HC_DOWN);
}

/*
 * A new instance behind the address: the old one's silence and failures
 * are forgotten; the new one's silence counts from the next sample.
 */
static void new_instance_starts_afresh(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_sample(&conf, &h, 0, 0, 0);
	ctfd_hc_sample(&conf, &h, 5, 0, 250);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 20, 0, 1250), CTFD_HC_PROBE);
	ctfd_hc_result(&conf, &h, false, 1300);
	ctfd_hc_new_instance(&h);
	CHECK(!h.suspect);
	CHECK_INT(h.fail_run, 0);
	/* Its SIP server still starting: a probe fails, no down. */
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 1400), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 25, 0, 1500), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 30, 0, 1750), CTFD_HC_NONE);
	CHECK_INT(h.quiet_from_ms, 1750);
	CHECK_INT(ctfd_hc_sample(&conf, &h, 35, 0, 2500), CTFD_HC_NONE);
	/* Answering now. */
	CHECK_INT(ctfd_hc_sample(&conf, &h, 40, 6, 2600), CTFD_HC_NONE);
	CHECK_INT(h.unanswered, 0);
}

/* The guard refused the down: panic; failures keep asking; rise ends it. */
static void panic(void)
{
	setup();
	h.health = CTFD_HEALTH_UP;
	ctfd_hc_result(&conf, &h, false, 0);
	ctfd_hc_result(&conf, &h, false, 1000);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 2000), CTFD_HC_DOWN);
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, false, 2000);
	CHECK(h.panic);
	CHECK_INT(h.health, CTFD_HEALTH_DOWN);
	CHECK_INT(h.downs, 0);
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 3000), CTFD_HC_DOWN);
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, true, 3000);
	CHECK(!h.panic);
	CHECK_INT(h.downs, 1);
	/* Or it recovers while in panic. */
	setup();
	h.health = CTFD_HEALTH_UP;
	h.fail_run = 2;
	CHECK_INT(ctfd_hc_result(&conf, &h, false, 0), CTFD_HC_DOWN);
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, false, 0);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 1000), CTFD_HC_NONE);
	CHECK_INT(ctfd_hc_result(&conf, &h, true, 2000), CTFD_HC_UP);
}

/* Down again within the flap window: twice the successes, up to 32 x. */
static void flap_damping(void)
{
	uint64_t t = 0;
	unsigned int i, k;

	setup();
	h.health = CTFD_HEALTH_UP;
	for (k = 0; k < 7; k++) {
		h.fail_run = conf.fall - 1;
		CHECK_INT(ctfd_hc_result(&conf, &h, false, t), CTFD_HC_DOWN);
		ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, true, t);
		for (i = 1; i < ctfd_hc_rise_needed(&conf, &h); i++)
			CHECK_INT(ctfd_hc_result(&conf, &h, true, t += 1000),
				  CTFD_HC_NONE);
		CHECK_INT(ctfd_hc_result(&conf, &h, true, t += 1000),
			  CTFD_HC_UP);
		ctfd_hc_applied(&conf, &h, CTFD_HC_UP, true, t);
		t += 1000;
	}
	CHECK_INT(ctfd_hc_rise_needed(&conf, &h), 2 * 32);
	/* Up for the whole window: forgotten at its next fall. */
	t += conf.flap_window_ms;
	h.fail_run = conf.fall - 1;
	CHECK_INT(ctfd_hc_result(&conf, &h, false, t), CTFD_HC_DOWN);
	ctfd_hc_applied(&conf, &h, CTFD_HC_DOWN, true, t);
	CHECK_INT(ctfd_hc_rise_needed(&conf, &h), 2);
}

static void jitter(void)
{
	uint32_t r;
	uint64_t lo = ~0ULL, hi = 0, n;

	setup();
	for (r = 0; r < 5000; r++) {
		n = ctfd_hc_next(&conf, 10000, r * 2654435761u);
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	CHECK_INT(lo, 10900);
	CHECK_INT(hi, 11100);
	conf.jitter_percent = 0;
	CHECK_INT(ctfd_hc_next(&conf, 10000, 12345), 11000);
}

const struct unit_case unit_cases[] = {
	{ "defaults", defaults },
	{ "rise_and_fall", rise_and_fall },
	{ "dead_from_start", dead_from_start },
	{ "passive_then_failed_probe", passive_then_failed_probe },
	{ "answers_options_not_calls", answers_options_not_calls },
	{ "suspect_cleared", suspect_cleared },
	{ "takeover_waits_for_the_path", takeover_waits_for_the_path },
	{ "alive_by_its_calls", alive_by_its_calls },
	{ "new_instance_starts_afresh", new_instance_starts_afresh },
	{ "panic", panic },
	{ "flap_damping", flap_damping },
	{ "jitter", jitter },
	{ NULL, NULL },
};
