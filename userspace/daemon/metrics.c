// SPDX-License-Identifier: GPL-2.0
/*
 * Metrics in the Prometheus text format (version 0.0.4), served over
 * HTTP/1.0 on a loopback address (the config refuses any other). One
 * request per connection, answered from the poll loop without waiting on
 * the client (conn.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "counters.h"
#include "daemon.h"
#include "kmod.h"
#include "canary.h"
#include "prober.h"

int ctfd_metrics_open(const struct ctfd_listen *l, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	char a[CTF_ADDR_STRLEN];
	socklen_t len;
	int fd, one = 1;

	ctf_addr_to_sockaddr(&l->addr, l->port, &ss, &len);
	fd = socket(l->addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		snprintf(err, errlen, "metrics listener %s port %u: %s",
			 ctf_addr_str(&l->addr, a), l->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/*
 * A label value as the text format wants it: backslash, double quote and
 * newline escaped (a backend name may hold the first two). @buf holds
 * 2 * CTF_NAME_MAX bytes.
 */
#define LV_MAX (2 * CTF_NAME_MAX)
static const char *lv(const char *s, char *buf)
{
	char *o = buf;

	for (; *s && o < buf + LV_MAX - 2; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			*o++ = '\\';
		*o++ = *s == '\n' ? 'n' : *s;
	}
	*o = '\0';
	return buf;
}

/* One line per VIP of the canary: @expr of each VIP v, as @fmt. */
#define CANARY_LINES(f, c, name, fmt, expr)                                \
	do {                                                               \
		unsigned int i_;                                           \
		for (i_ = 0; i_ < (c)->n; i_++) {                          \
			const struct ctfd_canary_vip *v = &(c)->v[i_];     \
			char a_[CTF_ADDR_STRLEN];                          \
			fprintf(f, "%s{vip=\"%s\",port=\"%u\"} " fmt "\n", \
				name, ctf_addr_str(&v->vip, a_), v->port,  \
				expr);                                     \
		}                                                          \
	} while (0)

/* The pinned canary (canary.h): its verdicts per VIP. */
static void render_canary(const struct ctfd_canary *c, FILE *f)
{
	bool on = c && !c->error[0];

	help(f, "ctfailover_canary_enabled", "gauge",
	     "1 if the pinned canary runs (health.canary_port).");
	fprintf(f, "ctfailover_canary_enabled %d\n", on);
	if (!on)
		return;
	help(f, "ctfailover_canary_alarm", "gauge",
	     "1 while the pinned path through the VIP is broken though backends answer their own probes.");
	CANARY_LINES(f, c, "ctfailover_canary_alarm", "%d", v->alarm);
	help(f, "ctfailover_canary_ok", "gauge",
	     "The canary's last verdict: 1 ok, 0 stale or failing, -1 none yet.");
	CANARY_LINES(f, c, "ctfailover_canary_ok", "%d",
		     v->verdict == CTFD_CANARY_OK	 ? 1
		     : v->verdict == CTFD_CANARY_UNKNOWN ? -1
							 : 0);
	help(f, "ctfailover_canary_probes_total", "counter",
	     "Canary OPTIONS sent through the VIP.");
	CANARY_LINES(f, c, "ctfailover_canary_probes_total", "%llu",
		     (unsigned long long)v->probes);
	help(f, "ctfailover_canary_failures_total", "counter",
	     "Canary OPTIONS unanswered (or answered with a code not alive).");
	CANARY_LINES(f, c, "ctfailover_canary_failures_total", "%llu",
		     (unsigned long long)v->failures);
	help(f, "ctfailover_canary_stale_total", "counter",
	     "Canary answers through an entry to a backend out of service or of an old epoch.");
	CANARY_LINES(f, c, "ctfailover_canary_stale_total", "%llu",
		     (unsigned long long)v->stale);
	help(f, "ctfailover_canary_rtt_seconds", "gauge",
	     "The last canary answer's round trip.");
	CANARY_LINES(f, c, "ctfailover_canary_rtt_seconds", "%.6f",
		     v->last_rtt_us / 1e6);
}

/* The health checks (prober.h): nothing when they are off. */
static void render_health(const struct ctfd *d, FILE *f)
{
	const struct ctfd_prober *p = d->prober;
	char e[LV_MAX];
	unsigned int i;

	help(f, "ctfailover_health_enabled", "gauge",
	     "1 if the daemon health-checks its backends.");
	fprintf(f, "ctfailover_health_enabled %d\n", p != NULL);
	if (!p)
		return;
	help(f, "ctfailover_health_panic", "gauge",
	     "1 while a backend fails its checks but the guard keeps it in service.");
	fprintf(f, "ctfailover_health_panic %d\n", p->panic_since_ms != 0);
	help(f, "ctfailover_backend_health", "gauge",
	     "Each backend's health: 1 up, 0 down (or panic), -1 not known yet.");
	for (i = 0; i < p->n; i++)
		fprintf(f, "ctfailover_backend_health{backend=\"%s\"} %d\n",
			lv(p->hc[i].name, e),
			p->hc[i].health == CTFD_HEALTH_UP     ? 1
			: p->hc[i].health == CTFD_HEALTH_DOWN ? 0
							      : -1);
	help(f, "ctfailover_backend_suspect", "gauge",
	     "1 while INVITEs forwarded to a backend go unanswered past passive_ms.");
	for (i = 0; i < p->n; i++)
		fprintf(f, "ctfailover_backend_suspect{backend=\"%s\"} %d\n",
			lv(p->hc[i].name, e), p->hc[i].suspect);
	help(f, "ctfailover_backend_held", "gauge",
	     "1 if its probes fail but it answers calls: kept in service.");
	for (i = 0; i < p->n; i++)
		fprintf(f, "ctfailover_backend_held{backend=\"%s\"} %d\n",
			lv(p->hc[i].name, e), p->hc[i].held);
	help(f, "ctfailover_health_probes_total", "counter",
	     "SIP OPTIONS probes decided, by backend.");
	for (i = 0; i < p->n; i++)
		fprintf(f,
			"ctfailover_health_probes_total{backend=\"%s\"} %llu\n",
			lv(p->hc[i].name, e),
			(unsigned long long)p->hc[i].probes);
	help(f, "ctfailover_health_probe_failures_total", "counter",
	     "Probes unanswered in time or answered with a code not alive.");
	for (i = 0; i < p->n; i++)
		fprintf(f,
			"ctfailover_health_probe_failures_total{backend=\"%s\"} %llu\n",
			lv(p->hc[i].name, e),
			(unsigned long long)p->hc[i].failures);
	help(f, "ctfailover_health_probe_rtt_seconds", "gauge",
	     "The last answered probe's round trip.");
	for (i = 0; i < p->n; i++)
		fprintf(f,
			"ctfailover_health_probe_rtt_seconds{backend=\"%s\"} %.6f\n",
			lv(p->hc[i].name, e), p->hc[i].last_rtt_us / 1e6);
	help(f, "ctfailover_health_downs_total", "counter",
	     "Times the checks took each backend down.");
	for (i = 0; i < p->n; i++)
		fprintf(f,
			"ctfailover_health_downs_total{backend=\"%s\"} %llu\n",
			lv(p->hc[i].name, e),
			(unsigned long long)p->hc[i].downs);
	help(f, "ctfailover_health_send_errors_total", "counter",
	     "Probes this host could not send (its own path: no verdict).");
	fprintf(f, "ctfailover_health_send_errors_total %llu\n",
		(unsigned long long)p->c.send_errors);
	help(f, "ctfailover_health_late_total", "counter",
	     "Probe timeouts this daemon judged too late to tell (the host starved it): no verdict.");
	fprintf(f, "ctfailover_health_late_total %llu\n",
		(unsigned long long)p->c.late);
	help(f, "ctfailover_health_bad_answers_total", "counter",
	     "Datagrams at the prober that were no SIP response, or no answer to a probe in flight.");
	fprintf(f,
		"ctfailover_health_bad_answers_total{why=\"malformed\"} %llu\n",
		(unsigned long long)p->c.malformed);
	fprintf(f,
		"ctfailover_health_bad_answers_total{why=\"unmatched\"} %llu\n",
		(unsigned long long)p->c.unmatched);
	render_canary(p->canary, f);
}

/* The counters of counters.h, in their table's order. */
static void render_counters(FILE *f, const struct ctfd_counters *c)
{
	const struct ctfd_counter_def *def;
	size_t i;

	for (i = 0; i < ctfd_n_counter_defs; i++) {
		def = &ctfd_counter_defs[i];
		if (def->help)
			help(f, def->metric, def->seconds ? "gauge" : "counter",
			     def->help);
		fputs(def->metric, f);
		if (def->labels)
			fprintf(f, "{%s}", def->labels);
		if (def->seconds)
			fprintf(f, " %.6f\n", ctfd_counter_seconds(c, def));
		else
			fprintf(f, " %llu\n",
				(unsigned long long)ctfd_counter_u64(c, def));
	}
}

/* The clients of the control socket and the metrics endpoint (conn.h). */
static void render_clients(FILE *f, const struct ctfd *d)
{
	const struct ctfd_listener *ls[] = { &d->ctl, &d->metrics };
	unsigned int i, k;

	help(f, "ctfailover_clients_total", "counter",
	     "Connections to the control socket and the metrics endpoint, by outcome: served, busy (turned away: every place answering), displaced (request unfinished when a newer one needed the place), expired (deadline), bad.");
	for (k = 0; k < 2; k++) {
		const struct ctfd_listener *l = ls[k];
		const struct {
			const char *name;
			uint64_t v;
		} o[] = {
			{ "served", l->st.served },
			{ "busy", l->st.busy },
			{ "displaced", l->st.displaced },
			{ "expired", l->st.expired },
			{ "bad", l->st.bad },
		};

		for (i = 0; l->what && i < sizeof(o) / sizeof(o[0]); i++)
			fprintf(f,
				"ctfailover_clients_total{socket=\"%s\",outcome=\"%s\"} %llu\n",
				l->what, o[i].name, (unsigned long long)o[i].v);
	}
	help(f, "ctfailover_clients_open", "gauge", "Connections open now.");
	for (k = 0; k < 2; k++)
		if (ls[k]->what)
			fprintf(f,
				"ctfailover_clients_open{socket=\"%s\"} %u\n",
				ls[k]->what, ctfd_listener_open(ls[k]));
}

void ctfd_metrics_render(const struct ctfd *d, FILE *f)
{
	const struct ctfd_state *st = d->run;
	const struct ctfd_counters *c = &d->c;
	unsigned int i, s, n[CTF_STATE_MAX + 1] = { 0 };
	char a[CTF_ADDR_STRLEN], e[LV_MAX];

	for (i = 0; i < st->n_backends; i++)
		n[st->backends[i].state]++;
	help(f, "ctfailover_module_loaded", "gauge",
	     "1 if ctfailover.ko keeps the epochs, 0 if ctnetlink evicts");
	fprintf(f, "ctfailover_module_loaded %d\n", d->kmod);
	/* Summed over the tier, more than 1 is two masters (a partition). */
	help(f, "ctfailover_vip_here", "gauge",
	     "1 if the VIP is on a link of this host.");
	for (i = 0; i < st->n_vips; i++)
		fprintf(f, "ctfailover_vip_here{vip=\"%s\"} %d\n",
			ctf_addr_str(&st->vips[i], a),
			ctfd_watch_vip_where(&d->watch, &st->vips[i]) ==
				CTFD_VIP_HERE);
	help(f, "ctfailover_backends", "gauge", "Backends by state.");
	for (s = 0; s <= CTF_STATE_MAX; s++)
		fprintf(f, "ctfailover_backends{state=\"%s\"} %u\n",
			ctf_state_name(s), n[s]);
	help(f, "ctfailover_backend_epoch", "gauge",
	     "The epoch of the instance behind each backend.");
	for (i = 0; i < st->n_backends; i++)
		fprintf(f,
			"ctfailover_backend_epoch{backend=\"%s\",address=\"%s\"} %u\n",
			lv(st->backends[i].name, e),
			ctf_addr_str(&st->backends[i].addr, a),
			st->backends[i].epoch);
	help(f, "ctfailover_backend_state", "gauge",
	     "1 for the state each backend is in.");
	for (i = 0; i < st->n_backends; i++)
		for (s = 0; s <= CTF_STATE_MAX; s++)
			fprintf(f,
				"ctfailover_backend_state{backend=\"%s\",state=\"%s\"} %d\n",
				lv(st->backends[i].name, e), ctf_state_name(s),
				st->backends[i].state == s);
	help(f, "ctfailover_backend_slots", "gauge",
	     "Maglev slots that send new flows to each backend.");
	for (i = 0; i < st->n_backends; i++)
		fprintf(f, "ctfailover_backend_slots{backend=\"%s\"} %u\n",
			lv(st->backends[i].name, e),
			ctfd_slots_of(d, &st->backends[i].addr));
	help(f, "ctfailover_events_total", "counter",
	     "HA events acted on, by source.");
	for (i = 0; i < __CTFD_SRC_MAX; i++)
		fprintf(f, "ctfailover_events_total{source=\"%s\"} %llu\n",
			ctfd_source_name(i), (unsigned long long)c->events[i]);
	render_counters(f, &d->c);
	render_clients(f, d);
	render_health(d, f);
}

/* The request's head is whole at its empty line (a bare LF or CRLF one). */
static int metrics_complete(const char *buf, size_t len)
{
	(void)len;
	return strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n");
}

static void metrics_serve(struct ctfd *d, struct ctfd_conn *c, FILE *out)
{
	const char *status = "200 OK";
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);

	if (!f)
		return;
	if (!strncmp(c->req, "GET /metrics ", 13) ||
	    !strncmp(c->req, "GET /metrics?", 13))
		ctfd_metrics_render(d, f);
	else if (strncmp(c->req, "GET ", 4))
		status = "405 Method Not Allowed";
	else
		status = "404 Not Found";
	fclose(f);
	fprintf(out,
		"HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
		"Content-Length: %zu\r\nConnection: close\r\n\r\n",
		status, len);
	fwrite(page, 1, len, out);
	free(page);
}

void ctfd_metrics_listener(struct ctfd_listener *l)
{
	l->complete = metrics_complete;
	l->serve = metrics_serve;
	l->busy_reply =
		"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}
