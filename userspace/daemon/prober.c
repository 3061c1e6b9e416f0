// SPDX-License-Identifier: GPL-2.0
/*
 * The health prober's I/O: see prober.h; the rules are health.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "canary.h"
#include "daemon.h"
#include "nft.h"
#include "prober.h"
#include "sipmsg.h"

#define RETRY_MS 5000 /* the counters' table lost (nft flush ruleset) */
#define LATE_MS	 100  /* a timeout judged later than this: no verdict */

uint64_t ctfd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t rnd32(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)ctfd_now_ms() * 2654435761u;
	return r;
}

static int udp_socket(int family, uint16_t *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct ctf_addr any;
	socklen_t len = sizeof(ss);
	int fd = ctf_udp_bind(family, 0), e;

	/* A host without IPv6 probes no IPv6 backend. */
	if (fd == -EAFNOSUPPORT && family == AF_INET6)
		return fd;
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len)) {
		e = fd < 0 ? -fd : errno;
		snprintf(err, errlen, "health probes: binding a %s port: %s",
			 family == AF_INET ? "IPv4" : "IPv6", strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	*port = ctf_addr_from_sockaddr(&ss, &any);
	return fd;
}

int ctfd_prober_open(struct ctfd *d, char *err, size_t errlen)
{
	struct ctfd_prober *p;
	uint32_t r[2] = { rnd32(), rnd32() };

	d->probing = true;
	if (d->prober || !d->run->health.enabled)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "health probes: out of memory");
		return -ENOMEM;
	}
	p->fd4 = p->fd6 = p->tfd = -1;
	p->conf = d->run->health;
	snprintf(p->tag, sizeof(p->tag), "%08x%08x", r[0], r[1]);
	p->fd4 = udp_socket(AF_INET, &p->port4, err, errlen);
	if (p->fd4 < 0)
		goto fail;
	p->fd6 = udp_socket(AF_INET6, &p->port6, err, errlen);
	if (p->fd6 == -EAFNOSUPPORT)
		p->fd6 = -1;
	else if (p->fd6 < 0)
		goto fail;
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (p->tfd < 0) {
		snprintf(err, errlen, "health probes: timerfd: %s",
			 strerror(errno));
		goto fail;
	}
	d->prober = p;
	p->canary = ctfd_canary_open(d, p->tag);
	ctfd_prober_sync(d);
	ctfd_log(
		"health: probing %u backends with SIP OPTIONS to port %u every %u ms (timeout %u ms, rise %u, fall %u, passive %u ms)",
		p->n, p->conf.port, p->conf.interval_ms, p->conf.timeout_ms,
		p->conf.rise, p->conf.fall, p->conf.passive_ms);
	return 0;
fail:
	d->prober = p;
	ctfd_prober_close(d);
	return -EIO;
}

void ctfd_prober_close(struct ctfd *d)
{
	struct ctfd_prober *p = d->prober;

	if (!p)
		return;
	if (p->fd4 >= 0)
		close(p->fd4);
	if (p->fd6 >= 0)
		close(p->fd6);
	if (p->tfd >= 0)
		close(p->tfd);
	ctfd_canary_close(p->canary);
	if (p->counters_ok && d->nft) {
		char err[256];

		if (ctfd_nft_health_set(d->nft, NULL, 0, err, sizeof(err)))
			ctfd_log("health: %s", err);
	}
	free(p->counted);
	free(p->hc);
	free(p);
	d->prober = NULL;
}

/*
 * The health counters table counts every running backend's address (and
 * none with passive detection off): made again when the set changed. The
 * counters then start from zero: every record takes its next sample as
 * its first.
 */
static void sync_counters(struct ctfd *d)
{
	struct ctfd_prober *p = d->prober;
	unsigned int i, n = p->conf.passive_ms ? p->n : 0;
	struct ctf_addr *want;
	char err[256];
	int ret;

	if (!d->nft)
		return;
	if (p->counters_ok && n == p->n_counted) {
		for (i = 0; i < n; i++)
			if (!ctf_addr_equal(&p->counted[i], &p->hc[i].addr))
				break;
		if (i == n)
			return;
	}
	want = calloc(n ? n : 1, sizeof(*want));
	if (!want)
		return;
	for (i = 0; i < n; i++)
		want[i] = p->hc[i].addr;
	ret = ctfd_nft_health_set(d->nft, want, n, err, sizeof(err));
	if (ret) {
		ctfd_log(
			"health: passive detection off, tried again in %d s: %s",
			RETRY_MS / 1000, err);
		free(want);
		p->counters_ok = false;
		return;
	}
	free(p->counted);
	p->counted = want;
	p->n_counted = n;
	p->counters_ok = true;
	for (i = 0; i < p->n; i++)
		p->hc[i].have_sample = false;
}

static struct ctfd_hc *find(const struct ctfd_prober *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->hc[i].name, name))
			return &p->hc[i];
	return NULL;
}

const struct ctfd_hc *ctfd_prober_find(const struct ctfd *d, const char *name)
{
	return d->prober ? find(d->prober, name) : NULL;
}

static void arm(struct ctfd_prober *p);

void ctfd_prober_sync(struct ctfd *d)
{
	const struct ctfd_state *st = d->run;
	struct ctfd_prober *p = d->prober;
	struct ctfd_hc *hc, *old;
	uint64_t now = ctfd_now_ms();
	unsigned int i;
	char err[256];

	if (!p) {
		/* Enabled by a reload (not before the daemon runs). */
		if (d->probing && st->health.enabled &&
		    ctfd_prober_open(d, err, sizeof(err)))
			ctfd_log("%s", err);
		return;
	}
	if (!st->health.enabled) {
		ctfd_log("health: probing stopped (disabled in the config)");
		ctfd_prober_close(d);
		return;
	}
	p->conf = st->health;
	hc = calloc(st->n_backends ? st->n_backends : 1, sizeof(*hc));
	if (!hc) {
		ctfd_log(
			"health: out of memory; the records stay as they were");
		return;
	}
	for (i = 0; i < st->n_backends; i++) {
		const struct ctfd_backend *b = &st->backends[i];

		old = find(p, b->name);
		if (old && ctf_addr_equal(&old->addr, &b->addr)) {
			hc[i] = *old;
			/*
			 * Its checks hold it down but someone put it back in
			 * service (activate, probe up, apply --force): judge
			 * it afresh, so that `fall` failures take it down
			 * again.
			 */
			if (hc[i].health == CTFD_HEALTH_DOWN && !hc[i].panic &&
			    b->state != CTF_STATE_DOWN) {
				hc[i].health = CTFD_HEALTH_UNKNOWN;
				hc[i].ok_run = hc[i].fail_run = 0;
				hc[i].held = false;
			}
		} else {
			/* Spread the first probes over one interval. */
			ctfd_hc_init(&hc[i], b->name, &b->addr,
				     now + rnd32() % (p->conf.interval_ms + 1));
			/* After a takeover, it waits with the others. */
			ctfd_hc_path(&hc[i], !p->path_wait);
		}
	}
	free(p->hc);
	p->hc = hc;
	p->n = st->n_backends;
	sync_counters(d);
	if (!p->canary || p->canary->port != st->health.canary_port) {
		ctfd_canary_close(p->canary);
		p->canary = ctfd_canary_open(d, p->tag);
	} else {
		ctfd_canary_sync(p->canary, d);
	}
	arm(p);
}

void ctfd_prober_overlay(const struct ctfd *d, struct ctfd_state *desired)
{
	struct ctfd_hc *h;
	unsigned int i;

	if (!d->prober)
		return;
	for (i = 0; i < desired->n_backends; i++) {
		struct ctfd_backend *b = &desired->backends[i];

		h = find(d->prober, b->name);
		if (!h || !ctf_addr_equal(&h->addr, &b->addr) ||
		    h->health != CTFD_HEALTH_DOWN || h->panic ||
		    b->state == CTF_STATE_DOWN)
			continue;
		h->prev_state = b->state;
		b->state = CTF_STATE_DOWN;
	}
}

void ctfd_prober_fds(const struct ctfd *d, int fds[CTFD_PROBER_FDS])
{
	const struct ctfd_prober *p = d->prober;

	fds[0] = p ? p->fd4 : -1;
	fds[1] = p ? p->fd6 : -1;
	fds[2] = p ? p->tfd : -1;
	ctfd_canary_fds(p ? p->canary : NULL, fds + 3);
}

/* --- verdicts ---------------------------------------------------------- */

/*
 * ctfd_act(), then find @name's record again: the commit rebuilt the
 * records (ctfd_prober_sync()), so *@hp and *@pp are not what they were.
 * Nonzero if the change failed or the record is gone.
 */
static int commit(struct ctfd *d, const struct ctfd_action *a, const char *name,
		  struct ctfd_prober **pp, struct ctfd_hc **hp)
{
	char copy[CTF_NAME_MAX];
	int ret;

	snprintf(copy, sizeof(copy), "%s", name);
	ret = ctfd_act(d, a);
	*pp = d->prober;
	*hp = *pp ? find(*pp, copy) : NULL;
	return ret ? ret : (*hp ? 0 : -ENOENT);
}

/*
 * Backend @i down too would leave more than guard.max_remove_percent of
 * the configured backends of its address family out of service (whatever
 * took the others out): a share of the whole, not of what is left, so that
 * failures one after the other cannot eject more than a burst could; and
 * per family, so that the checks never empty a VIP family's slots (its
 * flows would not be NATed at all). Says so in @why.
 */
static bool over_share(const struct ctfd_state *st, unsigned int i, char *why,
		       size_t len)
{
	int family = st->backends[i].addr.family;
	unsigned int j, n = 0, out = 1;

	for (j = 0; j < st->n_backends; j++) {
		if (st->backends[j].addr.family != family)
			continue;
		n++;
		out += j != i && st->backends[j].state == CTF_STATE_DOWN;
	}
	if ((uint64_t)out * 100 <= (uint64_t)st->guard_percent * n)
		return false;
	snprintf(
		why, len,
		"that would be %u of %u %s backends out of service, over guard.max_remove_percent (%u%%)",
		out, n, family == AF_INET6 ? "IPv6" : "IPv4",
		st->guard_percent);
	return true;
}

/*
 * Carry out a verdict on @h: down through the guard (refused: panic), up
 * back to the state it had. Logged with @why.
 */
static void act(struct ctfd *d, struct ctfd_hc *h, enum ctfd_hc_verdict v,
		const char *why)
{
	struct ctfd_prober *p = d->prober;
	struct ctfd_action a = { .kind = CTFD_ACT_SET_STATE,
				 .source = CTFD_SRC_PROBE };
	uint64_t now = ctfd_now_ms();
	int i = ctfd_find(d, h->name);
	uint8_t cur;

	if (i < 0 || v == CTFD_HC_NONE || v == CTFD_HC_PROBE)
		return;
	cur = d->run->backends[i].state;
	a.backend = i;
	if (v == CTFD_HC_DOWN) {
		struct ctfd_state *next;
		struct ctfd_plan plan = { 0 };
		bool was_panic = h->panic;
		char limit[160] = "";

		if (cur == CTF_STATE_DOWN) {
			/* Down already (an operator, a link): recorded only. */
			h->prev_state = CTF_STATE_DOWN;
			ctfd_hc_applied(&p->conf, h, v, true, now);
			return;
		}
		next = malloc(sizeof(*next));
		if (!next)
			return;
		*next = *d->run;
		next->backends[i].state = CTF_STATE_DOWN;
		if (over_share(d->run, i, limit, sizeof(limit)) ||
		    ctfd_plan_build(d->run, next, false, &plan) ||
		    plan.refused) {
			ctfd_hc_applied(&p->conf, h, v, false, now);
			if (!was_panic) {
				p->c.panics++;
				if (!p->panic_since_ms)
					p->panic_since_ms = now;
				ctfd_log(
					"health: PANIC: backend=%s fails its checks (%s) but stays in service: %s",
					h->name, why,
					limit[0]       ? limit
					: plan.refused ? plan.reason
						       : "cannot plan");
			}
			ctfd_plan_free(&plan);
			free(next);
			return;
		}
		ctfd_plan_free(&plan);
		free(next);
		h->prev_state = cur;
		snprintf(a.cause, sizeof(a.cause), "health: %s", why);
		a.state = CTF_STATE_DOWN;
		if (commit(d, &a, h->name, &p, &h))
			return; /* logged; tried again at the next failure */
		p->c.downs++;
		ctfd_hc_applied(&p->conf, h, v, true, now);
		return;
	}
	/* UP */
	if (h->panic || cur != CTF_STATE_DOWN) {
		/* In service already: the verdict is only recorded. */
		ctfd_hc_applied(&p->conf, h, v, true, now);
		ctfd_log("health: backend=%s is up again: %s", h->name, why);
		return;
	}
	a.state = h->prev_state == CTF_STATE_DRAINING ? CTF_STATE_DRAINING
						      : CTF_STATE_ACTIVE;
	snprintf(a.cause, sizeof(a.cause), "health: %s", why);
	if (commit(d, &a, h->name, &p, &h))
		return;
	p->c.ups++;
	ctfd_hc_applied(&p->conf, h, v, true, now);
}

static void panic_check(struct ctfd_prober *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->hc[i].panic)
			return;
	if (p->panic_since_ms)
		ctfd_log("health: panic over after %llu ms",
			 (unsigned long long)(ctfd_now_ms() -
					      p->panic_since_ms));
	p->panic_since_ms = 0;
}

static void result(struct ctfd *d, struct ctfd_hc *h, bool ok, const char *what)
{
	struct ctfd_prober *p = d->prober;
	uint64_t now = ctfd_now_ms();
	enum ctfd_hc_verdict v;
	char why[160];
	bool suspect = h->suspect, held = h->held;

	h->inflight = false;
	if (ok)
		h->last_error[0] = '\0';
	else
		snprintf(h->last_error, sizeof(h->last_error), "%s", what);
	v = ctfd_hc_result(&p->conf, h, ok, now);
	if (h->held && !held)
		ctfd_log(
			"health: backend=%s: %u probes failed in a row (last: %s), but it answered calls %llu ms ago: kept in service",
			h->name, h->fail_run, what,
			(unsigned long long)(now - h->replied_ms));
	/* @h is not to be used after act(): a commit rebuilds the records. */
	if (v == CTFD_HC_DOWN && suspect)
		snprintf(
			why, sizeof(why),
			"calls unanswered for %llu ms, then a probe failed (%s)",
			(unsigned long long)(now - h->quiet_from_ms), what);
	else if (v == CTFD_HC_DOWN)
		snprintf(why, sizeof(why),
			 "%u probes failed in a row (last: %s)", h->fail_run,
			 what);
	else
		snprintf(why, sizeof(why),
			 "%u probes answered in a row (last: %s)", h->ok_run,
			 what);
	act(d, h, v, why);
	if (d->prober)
		panic_check(d->prober);
}

/* --- probes ------------------------------------------------------------ */

static void send_probe(struct ctfd *d, struct ctfd_hc *h, uint64_t now)
{
	struct ctfd_prober *p = d->prober;
	struct sockaddr_storage ss;
	struct ctf_addr src;
	char buf[1024], branch[40], callid[48];
	socklen_t len;
	int fd = h->addr.family == AF_INET ? p->fd4 : p->fd6, n, ret;

	h->next_ms = ctfd_hc_next(&p->conf, now, rnd32());
	h->seq = ++p->seq ? p->seq : ++p->seq;
	snprintf(branch, sizeof(branch), "ctf%s.%u", p->tag, h->seq);
	snprintf(callid, sizeof(callid), "ctf%s.%u@ctfailoverd", p->tag,
		 h->seq);
	ret = fd < 0 ? -EAFNOSUPPORT : ctf_local_addr(&h->addr, &src);
	if (!ret) {
		struct ctfd_sip_options o = {
			.src = &src,
			.src_port =
				h->addr.family == AF_INET ? p->port4 : p->port6,
			.dst = &h->addr,
			.dst_port = p->conf.port,
			.branch = branch,
			.call_id = callid,
			.tag = p->tag,
			.cseq = h->seq & 0x7fffffff,
		};

		n = ctfd_sip_options_build(buf, sizeof(buf), &o);
		ctf_addr_to_sockaddr(&h->addr, p->conf.port, &ss, &len);
		if (n < 0)
			ret = n;
		else if (sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len) < 0)
			ret = -errno;
	}
	if (ret) {
		/*
		 * This host cannot send (no route, the interface down, no
		 * IPv6): no verdict on the backend.
		 */
		h->path_errors++;
		p->c.send_errors++;
		snprintf(h->last_error, sizeof(h->last_error),
			 "cannot send: %s", strerror(-ret));
		return;
	}
	p->c.sent++;
	h->inflight = true;
	h->sent_ms = now;
}

void ctfd_prober_input(struct ctfd *d, int fd)
{
	struct ctfd_prober *p = d->prober;
	struct ctfd_sip_response r;
	struct sockaddr_storage ss;
	struct ctf_addr from;
	char buf[4096], err[CTF_PARSE_ERRLEN], want[48];
	socklen_t len;
	unsigned int i, seq;
	ssize_t n;
	int budget;

	/* A bounded batch: a flood must not hold the loop. */
	for (budget = 0; p && budget < 64; budget++) {
		len = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
			     &len);
		if (n < 0)
			return;
		if (ctf_addr_from_sockaddr(&ss, &from) < 0)
			continue;
		if (ctfd_sip_response_parse(buf, n, &r, err, sizeof(err))) {
			p->c.malformed++;
			continue;
		}
		/* z9hG4bK ctf TAG . SEQ */
		if (sscanf(r.branch, "z9hG4bKctf%*16[0-9a-f].%u", &seq) != 1) {
			p->c.unmatched++;
			continue;
		}
		snprintf(want, sizeof(want), "ctf%s.%u@ctfailoverd", p->tag,
			 seq);
		for (i = 0; i < p->n; i++)
			if (p->hc[i].inflight && p->hc[i].seq == seq)
				break;
		if (i == p->n || strcmp(r.call_id, want) ||
		    strncmp(r.branch + 10, p->tag, 16) ||
		    strcasecmp(r.method, "OPTIONS") ||
		    r.cseq != (seq & 0x7fffffff) ||
		    !ctf_addr_equal(&from, &p->hc[i].addr)) {
			p->c.unmatched++;
			continue;
		}
		if (r.code < 200) {
			p->c.provisional++;
			continue;
		}
		p->c.answers++;
		{
			struct ctfd_hc *h = &p->hc[i];
			bool ok = ctfd_hc_code_alive(&p->conf, r.code);
			char what[48];

			h->last_code = r.code;
			h->last_rtt_us = (ctfd_now_ms() - h->sent_ms) * 1000;
			snprintf(what, sizeof(what), "%u%s", r.code,
				 ok ? "" : ", not an alive code");
			result(d, h, ok, what);
		}
		p = d->prober; /* a commit may have closed it */
	}
}

void ctfd_prober_canary_input(struct ctfd *d, int fd)
{
	struct ctfd_canary *c = d->prober ? d->prober->canary : NULL;

	/* A reload in this turn of the loop may have closed it. */
	if (c && (fd == c->fd4 || fd == c->fd6)) {
		ctfd_canary_input(c, d, fd);
		if (d->prober)
			arm(d->prober);
	}
}

/* --- passive ----------------------------------------------------------- */

struct sample {
	struct ctfd_prober *p;
	uint64_t *tx, *rx;
	bool *seen;
};

static int sample_cb(const struct ctf_addr *a, bool rx, uint64_t packets,
		     void *data)
{
	struct sample *s = data;
	unsigned int i;

	for (i = 0; i < s->p->n; i++)
		if (ctf_addr_equal(&s->p->hc[i].addr, a)) {
			(rx ? s->rx : s->tx)[i] = packets;
			s->seen[i] = true;
			return 0;
		}
	return 0;
}

/* Read the counters; a suspect is probed now, a backend that answers
 * probes and not calls goes down. */
/*
 * After a takeover, a response from any backend ends every backend's
 * wait: the path back is through this host again; so does the longest
 * wait (health.h).
 */
static void path_back(struct ctfd_prober *p, const struct sample *s,
		      uint64_t now)
{
	unsigned int i;

	if (!p->path_wait)
		return;
	for (i = 0; i < p->n; i++)
		if (s->seen[i] && p->hc[i].have_sample &&
		    s->rx[i] > p->hc[i].rx)
			break;
	if (i < p->n)
		ctfd_log(
			"health: responses from %s reach this host again %llu ms after the takeover: passive checks resume",
			p->hc[i].name,
			(unsigned long long)(now - p->path_wait_ms));
	else if (now - p->path_wait_ms >= CTFD_HC_PATH_WAIT_MS)
		ctfd_log(
			"health: no backend's response reached this host within %u ms of the takeover (is the backends' gateway here?): passive checks resume anyway",
			CTFD_HC_PATH_WAIT_MS);
	else
		return;
	p->path_wait = false;
	for (i = 0; i < p->n; i++)
		ctfd_hc_path(&p->hc[i], true);
}

void ctfd_prober_new_instance(struct ctfd *d, const char *name)
{
	struct ctfd_hc *h = d->prober ? find(d->prober, name) : NULL;

	if (h)
		ctfd_hc_new_instance(h);
}

void ctfd_prober_takeover(struct ctfd *d)
{
	struct ctfd_prober *p = d->prober;
	unsigned int i;

	if (!p || !p->conf.passive_ms || p->path_wait)
		return;
	ctfd_log(
		"health: a takeover: passive checks wait until a backend's response reaches this host (their gateway may still be another host's)");
	p->path_wait = true;
	p->path_wait_ms = ctfd_now_ms();
	for (i = 0; i < p->n; i++)
		ctfd_hc_path(&p->hc[i], false);
}

static void sample(struct ctfd *d, uint64_t now)
{
	struct ctfd_prober *p = d->prober;
	struct sample s = { .p = p };
	char err[256], why[160];
	enum ctfd_hc_verdict v;
	unsigned int i, n = p->n;

	p->next_sample_ms = now + CTFD_HC_SAMPLE_MS;
	if (!p->counters_ok || !n)
		return;
	s.tx = calloc(n, sizeof(*s.tx));
	s.rx = calloc(n, sizeof(*s.rx));
	s.seen = calloc(n, sizeof(*s.seen));
	if (!s.tx || !s.rx || !s.seen)
		goto out;
	if (ctfd_nft_health_read(d->nft, sample_cb, &s, err, sizeof(err)))
		goto lost;
	for (i = 0; i < n && !s.seen[i]; i++)
		;
	if (i == n) {
		/* Deleted under us (a dump of a missing table is empty). */
		snprintf(err, sizeof(err),
			 "no counter left in table inet ctfailover_health");
		goto lost;
	}
	path_back(p, &s, now);
	for (i = 0; i < n && d->prober == p && i < p->n; i++) {
		struct ctfd_hc *h = &p->hc[i];

		if (!s.seen[i])
			continue;
		v = ctfd_hc_sample(&p->conf, h, s.tx[i], s.rx[i], now);
		if (v == CTFD_HC_PROBE) {
			ctfd_log(
				"health: backend=%s suspect: %llu datagrams forwarded to it unanswered for %llu ms; probing it now",
				h->name, (unsigned long long)h->unanswered,
				(unsigned long long)(now - h->quiet_from_ms));
			if (!h->inflight)
				send_probe(d, h, now);
		} else if (v == CTFD_HC_DOWN) {
			snprintf(
				why, sizeof(why),
				"it answers probes but left %llu datagrams unanswered for %llu ms",
				(unsigned long long)h->unanswered,
				(unsigned long long)(now - h->quiet_from_ms));
			act(d, h, v, why);
			p = d->prober; /* the commit rebuilt the records */
			if (!p)
				break;
		}
	}
out:
	free(s.tx);
	free(s.rx);
	free(s.seen);
	return;
lost:
	ctfd_log("health: %s; the table is made again in %d s", err,
		 RETRY_MS / 1000);
	p->counters_ok = false;
	p->next_sample_ms = now + RETRY_MS;
	goto out;
}

/*
 * This daemon judges @h's timeout later than it was due by more than half
 * a timeout (at least LATE_MS): it did not run (the host starved it, a
 * long commit, SIGSTOP), and whether the answer came in time nobody can
 * tell, if it came through a starved host at all. No verdict: a loaded
 * load balancer must not take its backends out. Counted, and logged once
 * in a while.
 */
static bool late(struct ctfd_prober *p, const struct ctfd_hc *h, uint64_t now)
{
	uint64_t due = h->sent_ms + p->conf.timeout_ms,
		 slack = p->conf.timeout_ms / 2;

	if (slack < LATE_MS)
		slack = LATE_MS;
	if (now - due <= slack)
		return false;
	p->c.late++;
	if (now >= p->late_logged_ms + 10000) {
		p->late_logged_ms = now;
		ctfd_log(
			"health: this daemon ran %llu ms late: no verdict on backend=%s's probe, sent again (%llu so far)",
			(unsigned long long)(now - due), h->name,
			(unsigned long long)p->c.late);
	}
	return true;
}

/* Arm the timer for the earliest thing due. */
static void arm(struct ctfd_prober *p)
{
	struct itimerspec its = { 0 };
	uint64_t due = p->conf.passive_ms ? p->next_sample_ms : 0, t;
	unsigned int i;

	if (p->canary && p->canary->due_ms && (!due || p->canary->due_ms < due))
		due = p->canary->due_ms;

	for (i = 0; i < p->n; i++) {
		t = p->hc[i].inflight ? p->hc[i].sent_ms + p->conf.timeout_ms
				      : p->hc[i].next_ms;
		if (!due || t < due)
			due = t;
	}
	if (!due)
		return;
	its.it_value.tv_sec = due / 1000;
	its.it_value.tv_nsec = (due % 1000) * 1000000 + 1;
	timerfd_settime(p->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void ctfd_prober_timer(struct ctfd *d)
{
	struct ctfd_prober *p = d->prober;
	uint64_t expirations, now;
	unsigned int i;

	if (!p)
		return;
	if (read(p->tfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		ctfd_log("health: timer: %s", strerror(errno));
	now = ctfd_now_ms();
	/* A verdict commits, which rebuilds the records: index, not pointer. */
	for (i = 0; p && i < p->n; i++, p = d->prober) {
		struct ctfd_hc *h = &p->hc[i];

		if (h->inflight && now >= h->sent_ms + p->conf.timeout_ms) {
			if (late(p, h, now)) {
				/* Not the backend's verdict: probe it again. */
				h->inflight = false;
				send_probe(d, h, now);
				continue;
			}
			result(d, h, false, "timeout");
			continue;
		}
		if (!h->inflight && now >= h->next_ms)
			send_probe(d, h, now);
	}
	if (p && p->conf.passive_ms && now >= p->next_sample_ms) {
		if (!p->counters_ok) { /* lost, or never made: again */
			p->next_sample_ms = now + RETRY_MS;
			sync_counters(d);
		} else {
			sample(d, now);
		}
	}
	p = d->prober;
	if (p && p->canary)
		ctfd_canary_timer(p->canary, d, now);
	if (p)
		arm(p);
}
