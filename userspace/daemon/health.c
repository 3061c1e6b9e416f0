// SPDX-License-Identifier: GPL-2.0
/*
 * Health checking's rules: see health.h.
 */
#include <stdio.h>
#include <string.h>

#include "health.h"

#define MAX_FLAPS 5 /* rise x 32 at most */

void ctfd_hc_conf_default(struct ctfd_hc_conf *c)
{
	unsigned int code;

	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->port = 5060;
	c->interval_ms = 1000;
	c->timeout_ms = 500;
	c->jitter_percent = 10;
	c->rise = 2;
	c->fall = 3;
	c->passive_ms = 1000;
	c->flap_window_ms = 60000;
	c->canary_port = 5099;
	c->canary_interval_ms = 1000;
	c->canary_fall = 3;
	/* Any final response: the server is there (Kamailio's default). */
	for (code = 200; code <= 699; code++)
		c->alive[(code - 100) / 64] |= 1ULL << ((code - 100) % 64);
}

const char *ctfd_health_name(enum ctfd_health h)
{
	switch (h) {
	case CTFD_HEALTH_UP:
		return "up";
	case CTFD_HEALTH_DOWN:
		return "down";
	default:
		return "unknown";
	}
}

void ctfd_hc_init(struct ctfd_hc *h, const char *name,
		  const struct ctf_addr *addr, uint64_t now_ms)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->addr = *addr;
	h->next_ms = now_ms;
}

unsigned int ctfd_hc_rise_needed(const struct ctfd_hc_conf *c,
				 const struct ctfd_hc *h)
{
	return c->rise << h->flaps;
}

/* Its responses to calls seen within one probe's time (health.h). */
static bool answers_calls(const struct ctfd_hc_conf *c, const struct ctfd_hc *h,
			  uint64_t now_ms)
{
	return c->passive_ms && h->replied_ms && now_ms >= h->replied_ms &&
	       now_ms - h->replied_ms <= c->interval_ms + CTFD_HC_SAMPLE_MS;
}

enum ctfd_hc_verdict ctfd_hc_result(const struct ctfd_hc_conf *c,
				    struct ctfd_hc *h, bool ok, uint64_t now_ms)
{
	h->probes++;
	if (ok) {
		h->ok_run++;
		h->fail_run = 0;
		h->held = false;
	} else {
		h->failures++;
		h->fail_run++;
		h->ok_run = 0;
	}
	switch (h->health) {
	case CTFD_HEALTH_DOWN:
		if (h->panic) /* kept in service: ask again, or let it go */
			return ok ? (h->ok_run >= ctfd_hc_rise_needed(c, h)
					     ? CTFD_HC_UP
					     : CTFD_HC_NONE)
				  : CTFD_HC_DOWN;
		return ok && h->ok_run >= ctfd_hc_rise_needed(c, h)
			       ? CTFD_HC_UP
			       : CTFD_HC_NONE;
	case CTFD_HEALTH_UNKNOWN:
		if (ok && h->ok_run >= c->rise)
			h->health = CTFD_HEALTH_UP; /* in service already */
						    /* fall through */
	default:
		if (ok || !(h->suspect || h->fail_run >= c->fall))
			return CTFD_HC_NONE;
		if (!h->suspect && answers_calls(c, h, now_ms)) {
			h->held = true;
			return CTFD_HC_NONE;
		}
		return CTFD_HC_DOWN;
	}
}

enum ctfd_hc_verdict ctfd_hc_sample(const struct ctfd_hc_conf *c,
				    struct ctfd_hc *h, uint64_t tx, uint64_t rx,
				    uint64_t now_ms)
{
	uint64_t dtx = tx - h->tx, drx = rx - h->rx;
	bool first = !h->have_sample;

	h->have_sample = true;
	if (first || tx < h->tx || rx < h->rx) {
		/* The first look, or the counters began again. */
		h->tx = tx;
		h->rx = rx;
		h->unanswered = 0;
		h->suspect = false;
		return CTFD_HC_NONE;
	}
	h->tx = tx;
	h->rx = rx;
	if (drx)
		h->replied_ms = now_ms;
	if (!c->passive_ms)
		return CTFD_HC_NONE;
	if (drx || h->path_wait) {
		h->unanswered = 0;
		h->suspect = false;
		return CTFD_HC_NONE;
	}
	if (!dtx)
		return CTFD_HC_NONE;
	if (!h->unanswered)
		h->quiet_from_ms = now_ms;
	h->unanswered += dtx;
	if (h->health == CTFD_HEALTH_DOWN)
		return CTFD_HC_NONE;
	if (!h->suspect) {
		if (h->unanswered < 2 ||
		    now_ms - h->quiet_from_ms < c->passive_ms)
			return CTFD_HC_NONE;
		h->suspect = true;
		h->suspect_ms = now_ms;
		return CTFD_HC_PROBE;
	}
	if (now_ms - h->quiet_from_ms >= 3ULL * c->passive_ms) {
		h->mute = true;
		return CTFD_HC_DOWN;
	}
	return CTFD_HC_NONE;
}

/* Its silence forgotten: the next sample is a first look. */
static void forget_silence(struct ctfd_hc *h)
{
	h->have_sample = false;
	h->unanswered = 0;
	h->suspect = false;
}

void ctfd_hc_new_instance(struct ctfd_hc *h)
{
	forget_silence(h);
	h->fail_run = 0;
	h->held = false;
}

void ctfd_hc_path(struct ctfd_hc *h, bool back)
{
	/* While it waited, the samples kept no silence (ctfd_hc_sample). */
	h->path_wait = !back;
	if (!back)
		forget_silence(h);
}

void ctfd_hc_applied(const struct ctfd_hc_conf *c, struct ctfd_hc *h,
		     enum ctfd_hc_verdict v, bool applied, uint64_t now_ms)
{
	if (v == CTFD_HC_DOWN) {
		if (!applied) {
			h->health = CTFD_HEALTH_DOWN;
			h->panic = true;
			h->held = false;
			return;
		}
		if (h->health != CTFD_HEALTH_DOWN || h->panic) {
			if (h->up_ms && now_ms - h->up_ms < c->flap_window_ms) {
				if (h->flaps < MAX_FLAPS)
					h->flaps++;
			} else {
				h->flaps = 0;
			}
			if (h->mute && h->flaps < MAX_FLAPS)
				h->flaps++;
			h->downs++;
			h->down_ms = now_ms;
		}
		h->health = CTFD_HEALTH_DOWN;
		h->panic = false;
		h->suspect = false;
		h->mute = false;
		h->held = false;
		h->ok_run = 0;
		h->unanswered = 0;
	} else if (v == CTFD_HC_UP && applied) {
		h->health = CTFD_HEALTH_UP;
		h->panic = false;
		h->up_ms = now_ms;
		h->fail_run = 0;
		h->suspect = false;
		h->unanswered = 0;
	}
}

uint64_t ctfd_hc_next(const struct ctfd_hc_conf *c, uint64_t now_ms,
		      uint32_t rnd)
{
	uint64_t j = (uint64_t)c->interval_ms * c->jitter_percent / 100;

	return now_ms + c->interval_ms - j + (j ? rnd % (2 * j + 1) : 0);
}
