// SPDX-License-Identifier: GPL-2.0
/*
 * The pinned canary: see canary.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "canary.h"
#include "ctdump.h"
#include "daemon.h"
#include "kmod.h"
#include "prober.h"
#include "sipmsg.h"

const char *ctfd_canary_verdict_name(enum ctfd_canary_verdict v)
{
	switch (v) {
	case CTFD_CANARY_OK:
		return "ok";
	case CTFD_CANARY_STALE:
		return "stale";
	case CTFD_CANARY_FAILING:
		return "failing";
	default:
		return "unknown";
	}
}

static int bound_socket(int family, uint16_t port, char *err, size_t errlen)
{
	int fd = ctf_udp_bind(family, port);

	if (fd < 0 && !(family == AF_INET6 && fd == -EAFNOSUPPORT))
		snprintf(err, errlen, "binding %s port %u: %s",
			 family == AF_INET ? "IPv4" : "IPv6", port,
			 strerror(-fd));
	return fd;
}

struct ctfd_canary *ctfd_canary_open(const struct ctfd *d, const char *tag)
{
	struct ctfd_canary *c = calloc(1, sizeof(*c));
	char err[128] = "";
	int fd, ret;

	if (!c)
		return NULL;
	c->fd4 = c->fd6 = -1;
	c->port = d->run->health.canary_port;
	snprintf(c->tag, sizeof(c->tag), "%s", tag);
	if (!c->port) {
		snprintf(c->error, sizeof(c->error),
			 "off (health.canary_port = 0)");
		return c;
	}
	c->rx = malloc(CTF_CT_RXBUF);
	ret = c->rx ? ctf_ct_open(&c->ct) : -ENOMEM;
	if (ret) {
		snprintf(c->error, sizeof(c->error),
			 "cannot read conntrack (ctnetlink): %s",
			 strerror(-ret));
		goto fail;
	}
	fd = bound_socket(AF_INET, c->port, err, sizeof(err));
	if (fd < 0)
		goto bind_fail;
	c->fd4 = fd;
	fd = bound_socket(AF_INET6, c->port, err, sizeof(err));
	if (fd < 0 && fd != -EAFNOSUPPORT)
		goto bind_fail;
	c->fd6 = fd;
	ctfd_canary_sync(c, d);
	ctfd_log(
		"canary: SIP OPTIONS through %u VIPs from port %u every %u ms (alarm after %u bad in a row)",
		c->n, c->port, d->run->health.canary_interval_ms,
		d->run->health.canary_fall);
	return c;
bind_fail:
	snprintf(c->error, sizeof(c->error), "off: %s", err);
fail:
	ctfd_log("canary: %s", c->error);
	if (c->fd4 >= 0)
		close(c->fd4);
	c->fd4 = c->fd6 = -1;
	return c;
}

void ctfd_canary_close(struct ctfd_canary *c)
{
	if (!c)
		return;
	if (c->fd4 >= 0)
		close(c->fd4);
	if (c->fd6 >= 0)
		close(c->fd6);
	ctf_nl_close(&c->ct);
	free(c->rx);
	free(c->v);
	free(c);
}

static bool running(const struct ctfd_canary *c)
{
	return c->fd4 >= 0;
}

void ctfd_canary_sync(struct ctfd_canary *c, const struct ctfd *d)
{
	const struct ctfd_state *st = d->run;
	struct ctfd_canary_vip *v;
	unsigned int i, k, n = st->n_ports ? st->n_vips : 0;
	uint64_t now = ctfd_now_ms();

	if (!running(c))
		return;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		ctfd_log("canary: out of memory; the VIPs stay as they were");
		return;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < c->n; k++)
			if (ctf_addr_equal(&c->v[k].vip, &st->vips[i]) &&
			    c->v[k].port == st->ports[0])
				break;
		if (k < c->n) {
			v[i] = c->v[k];
			continue;
		}
		v[i].vip = st->vips[i];
		v[i].port = st->ports[0];
		v[i].next_ms = now;
	}
	free(c->v);
	c->v = v;
	c->n = n;
	c->due_ms = n ? now : 0;
}

void ctfd_canary_fds(const struct ctfd_canary *c, int fds[2])
{
	fds[0] = c ? c->fd4 : -1;
	fds[1] = c ? c->fd6 : -1;
}

bool ctfd_canary_alarm(const struct ctfd_canary *c)
{
	unsigned int i;

	for (i = 0; c && i < c->n; i++)
		if (c->v[i].alarm)
			return true;
	return false;
}

/* --- verdicts ---------------------------------------------------------- */

/* A backend of @family in service answers its own probes. */
static bool answering(const struct ctfd *d, int family)
{
	const struct ctfd_state *st = d->run;
	const struct ctfd_hc *h;
	unsigned int i;

	for (i = 0; i < st->n_backends; i++) {
		if (st->backends[i].addr.family != family ||
		    st->backends[i].state == CTF_STATE_DOWN)
			continue;
		h = ctfd_prober_find(d, st->backends[i].name);
		if (h && h->health == CTFD_HEALTH_UP && !h->fail_run)
			return true;
	}
	return false;
}

static void vip_name(const struct ctfd_canary_vip *v, char *buf, size_t len)
{
	char a[CTF_ADDR_STRLEN];

	ctf_addr_str(&v->vip, a);
	snprintf(buf, len, v->vip.family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 v->port);
}

/*
 * @what for @v; @pinned: a bad verdict that is the pinned path's fault
 * (see canary.h), which alone counts toward the alarm.
 */
static void verdict(const struct ctfd *d, struct ctfd_canary_vip *v,
		    enum ctfd_canary_verdict what, bool pinned)
{
	const struct ctfd_hc_conf *hc = &d->run->health;
	uint64_t now = ctfd_now_ms();
	bool alarm;
	char name[CTF_ADDR_STRLEN + 8];

	v->verdict = what;
	v->bad_run = what == CTFD_CANARY_OK ? 0 : v->bad_run + 1;
	v->pinned_run = pinned ? v->pinned_run + 1 : 0;
	/* Raised by the pinned path's faults in a row; over only when the
	 * canary is answered right again (its backend dying meanwhile does
	 * not mend the path). */
	alarm = what == CTFD_CANARY_OK
			? false
			: v->alarm || v->pinned_run >= hc->canary_fall;
	if (alarm == v->alarm)
		return;
	vip_name(v, name, sizeof(name));
	v->alarm = alarm;
	if (alarm) {
		v->alarms++;
		v->alarm_since_ms = now;
		ctfd_log(
			"canary: ALARM: the pinned path through %s is broken: %u bad in a row; last: %s",
			name, v->pinned_run, v->why);
	} else {
		ctfd_log(
			"canary: the pinned path through %s works again after %llu ms: %s",
			name, (unsigned long long)(now - v->alarm_since_ms),
			v->why);
		v->alarm_since_ms = 0;
	}
}

/* The label word the module stamps (module mode), or -1. */
static int label_word(struct ctfd *d)
{
	struct ctf_stats st;

	if (!d->kmod || ctf_kmod_stats(&d->genl, &st))
		return -1;
	return st.label_word;
}

/*
 * Where does the canary's entry go? Fills v->have_entry/to/backend/stamp;
 * the backend of the running config it goes to, or NULL (no entry, or no
 * backend there). @word: the module's label word, -1 for none.
 */
static const struct ctfd_backend *entry(struct ctfd_canary *c,
					const struct ctfd *d,
					struct ctfd_canary_vip *v, int word,
					char *msg, size_t msglen)
{
	const struct ctfd_state *st = d->run;
	const struct ctfd_backend *b = NULL;
	struct ctf_ct_entry e;
	unsigned int i;
	int ret;

	v->have_entry = false;
	v->backend[0] = '\0';
	v->stamp = 0;
	ret = ctf_ct_get(&c->ct, IPPROTO_UDP, &v->src, c->port, &v->vip,
			 v->port, c->rx, &e, msg, msglen);
	if (ret) {
		if (!msg[0])
			snprintf(msg, msglen, "%s", strerror(-ret));
		return NULL;
	}
	v->have_entry = true;
	v->to = e.nat;
	for (i = 0; i < st->n_backends; i++)
		if (ctf_addr_equal(&st->backends[i].addr, &e.nat))
			b = &st->backends[i];
	if (b)
		snprintf(v->backend, sizeof(v->backend), "%s", b->name);
	if (word >= 0 && e.have_labels)
		v->stamp = ctf_stamp_decode(e.labels[word]);
	return b;
}

/* Answered with an alive code: ok, or stale (v->why says which). */
static void judge_answer(struct ctfd_canary *c, struct ctfd *d,
			 struct ctfd_canary_vip *v)
{
	const struct ctfd_backend *b;
	char msg[96] = "", a[CTF_ADDR_STRLEN];

	b = entry(c, d, v, label_word(d), msg, sizeof(msg));
	ctf_addr_str(&v->to, a);
	if (!v->have_entry) {
		/* No entry to judge (conntrack off, or gone): the answer is. */
		snprintf(v->why, sizeof(v->why),
			 "answered %u; its conntrack entry not read: %s",
			 v->last_code, msg);
	} else if (!b) {
		snprintf(
			v->why, sizeof(v->why),
			"answered %u through an entry to %s, which is no backend",
			v->last_code, a);
	} else if (b->state == CTF_STATE_DOWN) {
		snprintf(v->why, sizeof(v->why),
			 "answered %u by %s (%s), which is down", v->last_code,
			 b->name, a);
	} else if (v->stamp && v->stamp != CTF_STAMP_FOREIGN &&
		   v->stamp != b->epoch) {
		snprintf(
			v->why, sizeof(v->why),
			"answered %u by %s (%s) through an entry of epoch %u, not %u",
			v->last_code, b->name, a, v->stamp, b->epoch);
	} else {
		snprintf(v->why, sizeof(v->why), "answered %u by %s (%s)",
			 v->last_code, b->name, a);
		verdict(d, v, CTFD_CANARY_OK, false);
		return;
	}
	v->stale++;
	verdict(d, v, CTFD_CANARY_STALE, v->have_entry);
}

/*
 * No answer (or no alive code, @what): the pinned path's fault when its
 * entry goes to a backend that answers its own probes, or to one that is
 * down or no backend; not when its backend fails its probes too (that is
 * the backend's outage, which the health checks act on).
 */
static void judge_failure(struct ctfd_canary *c, const struct ctfd *d,
			  struct ctfd_canary_vip *v, const char *what)
{
	const struct ctfd_backend *b;
	const struct ctfd_hc *h;
	char msg[96] = "", a[CTF_ADDR_STRLEN];
	bool pinned = false;

	v->failures++;
	b = entry(c, d, v, -1, msg, sizeof(msg));
	ctf_addr_str(&v->to, a);
	h = b ? ctfd_prober_find(d, b->name) : NULL;
	if (!v->have_entry) {
		snprintf(v->why, sizeof(v->why), "%s; no conntrack entry: %s",
			 what, msg);
	} else if (ctf_addr_equal(&v->to, &v->vip)) {
		/*
		 * Not NATed: no slot held a backend when it was made. The
		 * service's outage while none answers; the pinned path's
		 * fault once one does, and the entry still is not NATed.
		 */
		pinned = answering(d, v->vip.family);
		snprintf(
			v->why, sizeof(v->why),
			"%s; its entry is not NATed (made when no backend took it)%s",
			what,
			pinned ? ", though backends answer their own probes"
			       : "");
	} else if (!b || b->state == CTF_STATE_DOWN) {
		pinned = true;
		snprintf(v->why, sizeof(v->why),
			 "%s; its entry goes to %s (%s), %s", what,
			 b ? b->name : "no backend", a,
			 b ? "which is down" : "pinned there");
	} else if (h && h->health == CTFD_HEALTH_UP && !h->fail_run) {
		pinned = true;
		snprintf(
			v->why, sizeof(v->why),
			"%s; its entry goes to %s (%s), which answers its own probes",
			what, b->name, a);
	} else {
		snprintf(
			v->why, sizeof(v->why),
			"%s; its entry goes to %s (%s), which fails its own probes too",
			what, b->name, a);
	}
	verdict(d, v, CTFD_CANARY_FAILING, pinned);
}

/* --- I/O --------------------------------------------------------------- */

static void send_one(struct ctfd_canary *c, const struct ctfd *d,
		     struct ctfd_canary_vip *v, uint64_t now)
{
	struct sockaddr_storage ss;
	char buf[1024], branch[40], callid[56];
	socklen_t len;
	int fd = v->vip.family == AF_INET ? c->fd4 : c->fd6, n, ret;

	v->next_ms = now + d->run->health.canary_interval_ms;
	v->seq = ++c->seq ? c->seq : ++c->seq;
	snprintf(branch, sizeof(branch), "ctf%s.%u", c->tag, v->seq);
	snprintf(callid, sizeof(callid), "ctf%s.%u@ctfailoverd-canary", c->tag,
		 v->seq);
	ret = fd < 0 ? -EAFNOSUPPORT : ctf_local_addr(&v->vip, &v->src);
	if (!ret) {
		struct ctfd_sip_options o = {
			.src = &v->src,
			.src_port = c->port,
			.dst = &v->vip,
			.dst_port = v->port,
			.branch = branch,
			.call_id = callid,
			.tag = c->tag,
			.cseq = v->seq & 0x7fffffff,
		};

		n = ctfd_sip_options_build(buf, sizeof(buf), &o);
		ctf_addr_to_sockaddr(&v->vip, v->port, &ss, &len);
		if (n < 0)
			ret = n;
		else if (sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len) < 0)
			ret = -errno;
	}
	if (ret) {
		/* This host's own path: no verdict on the pinned one. */
		c->send_errors++;
		snprintf(v->why, sizeof(v->why), "cannot send: %s",
			 strerror(-ret));
		return;
	}
	v->probes++;
	v->inflight = true;
	v->sent_ms = now;
}

void ctfd_canary_timer(struct ctfd_canary *c, const struct ctfd *d,
		       uint64_t now)
{
	uint32_t iv = d->run->health.canary_interval_ms;
	uint64_t due = 0, t;
	unsigned int i;

	if (!c || !running(c))
		return;
	for (i = 0; i < c->n; i++) {
		struct ctfd_canary_vip *v = &c->v[i];

		if (v->inflight && now >= v->sent_ms + iv) {
			char what[48];

			v->inflight = false;
			snprintf(what, sizeof(what), "no answer within %u ms",
				 iv);
			judge_failure(c, d, v, what);
		}
		if (!v->inflight && now >= v->next_ms)
			send_one(c, d, v, now);
		t = v->inflight ? v->sent_ms + iv : v->next_ms;
		if (!due || t < due)
			due = t;
	}
	c->due_ms = due;
}

void ctfd_canary_input(struct ctfd_canary *c, struct ctfd *d, int fd)
{
	struct ctfd_sip_response r;
	struct sockaddr_storage ss;
	struct ctf_addr from;
	char buf[4096], err[CTF_PARSE_ERRLEN], want[64];
	socklen_t len;
	unsigned int i, seq;
	ssize_t n;
	int budget, port;

	/* A bounded batch: a flood must not hold the loop. */
	for (budget = 0; budget < 64; budget++) {
		len = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
			     &len);
		if (n < 0)
			return;
		port = ctf_addr_from_sockaddr(&ss, &from);
		if (port < 0)
			continue;
		if (ctfd_sip_response_parse(buf, n, &r, err, sizeof(err))) {
			c->malformed++;
			continue;
		}
		if (sscanf(r.branch, "z9hG4bKctf%*16[0-9a-f].%u", &seq) != 1) {
			c->unmatched++;
			continue;
		}
		snprintf(want, sizeof(want), "ctf%s.%u@ctfailoverd-canary",
			 c->tag, seq);
		for (i = 0; i < c->n; i++)
			if (c->v[i].inflight && c->v[i].seq == seq)
				break;
		if (i == c->n || strcmp(r.call_id, want) ||
		    strncmp(r.branch + 10, c->tag, 16) ||
		    strcasecmp(r.method, "OPTIONS") ||
		    r.cseq != (seq & 0x7fffffff) ||
		    !ctf_addr_equal(&from, &c->v[i].vip) ||
		    port != c->v[i].port) {
			c->unmatched++;
			continue;
		}
		if (r.code < 200)
			continue;
		{
			struct ctfd_canary_vip *v = &c->v[i];

			v->inflight = false;
			v->last_code = r.code;
			v->last_rtt_us = (ctfd_now_ms() - v->sent_ms) * 1000;
			if (!ctfd_hc_code_alive(&d->run->health, r.code)) {
				char what[48];

				snprintf(what, sizeof(what),
					 "answered %u, not an alive code",
					 r.code);
				judge_failure(c, d, v, what);
				continue;
			}
			v->answers++;
			judge_answer(c, d, v);
		}
	}
}
