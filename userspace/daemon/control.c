// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: a Unix stream socket, one request per connection.
 *
 * Request: one line of words separated by single spaces, "-j" first for
 * JSON: "[-j] <command> [<args>]". Response: "OK\n" or "ERR <exit code>\n",
 * then the output (the error message after ERR), then the daemon closes.
 * Two answers are output with a nonzero exit code: "ALARM\n" (canary, 3)
 * and "REFUSED\n" (plan, 4: the guard would refuse it).
 * Served without waiting on the client, within a deadline (conn.h).
 * ctfailoverctl passes the output through and exits with the code.
 *
 * Read-only commands serve anyone who can open the socket (its mode is
 * 0660); commands that change the data plane also need the peer to be
 * root or the daemon's own user (SO_PEERCRED).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "counters.h"
#include "ctlcmd.h"
#include "daemon.h"
#include "canary.h"
#include "prober.h"
#include "jhash.h"
#include "json.h"
#include "kmod.h"
#include "rtnl.h"

#define MAX_WORDS 8

/* Exit codes, as ctfailoverctl documents them. */
#define EXIT_FAIL    1
#define EXIT_USAGE   2
#define EXIT_ALARM   3 /* answered "ALARM": the body is the answer */
#define EXIT_REFUSED 4 /* the guard refuses (plan: would refuse) */

struct req {
	struct ctfd *d;
	bool json;
	bool privileged;
	int argc;
	char *argv[MAX_WORDS];
	FILE *out;
};

int ctfd_control_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)], *slash;
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir,
				 strerror(errno));
			return -errno;
		}
	}
	/* Only a stale socket of ours may be replaced, never a file. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(
				err, errlen,
				"%s exists and is not a socket: not replacing it",
				path);
			return -EEXIST;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0660) || listen(fd, 16)) {
		snprintf(err, errlen, "control socket %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

static int fail(struct req *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct req *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	return code;
}

static int need_privilege(struct req *r)
{
	if (r->privileged)
		return 0;
	return fail(r, EXIT_FAIL,
		    "%s: permission denied (root or the daemon's user only)",
		    r->argv[0]);
}

static int backend_arg(struct req *r, const char *name)
{
	int i = ctfd_find(r->d, name);

	if (i < 0)
		fail(r, EXIT_FAIL, "%s: no backend named '%s'", r->argv[0],
		     name);
	return i;
}

/*
 * What its health checks say of @b: "off" (disabled), "unknown" (not
 * enough probes yet), "up", "down", or "panic" (down by its checks, kept in
 * service by the guard).
 */
static const char *health_of(const struct ctfd *d, const struct ctfd_backend *b)
{
	const struct ctfd_hc *h = ctfd_prober_find(d, b->name);

	if (!d->prober)
		return "off";
	if (!h)
		return "unknown";
	return h->panic ? "panic" : ctfd_health_name(h->health);
}

static void backend_json(struct ctf_json *j, const struct ctfd *d,
			 const struct ctfd_backend *b)
{
	char a[CTF_ADDR_STRLEN];

	ctf_json_begin_object(j, NULL);
	ctf_json_string(j, "name", b->name);
	ctf_json_string(j, "address", ctf_addr_str(&b->addr, a));
	ctf_json_string(j, "interface", b->ifname);
	ctf_json_string(j, "state", ctf_state_name(b->state));
	ctf_json_uint(j, "epoch", b->epoch);
	ctf_json_uint(j, "slots", ctfd_slots_of(d, &b->addr));
	ctf_json_string(j, "health", health_of(d, b));
	ctf_json_end_object(j);
}

static int cmd_backends(struct req *r)
{
	const struct ctfd_state *st = r->d->run;
	char a[CTF_ADDR_STRLEN];
	struct ctf_json j;
	unsigned int i;
	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_array(&j, NULL);
		for (i = 0; i < st->n_backends; i++)
			backend_json(&j, r->d, &st->backends[i]);
		ctf_json_end_array(&j);
		fputc('\n', r->out);
		return 0;
	}
	fprintf(r->out, "%-20s %-39s %-10s %-8s %10s %7s %s\n", "NAME",
		"ADDRESS", "INTERFACE", "STATE", "EPOCH", "SLOTS", "HEALTH");
	for (i = 0; i < st->n_backends; i++) {
		const struct ctfd_backend *b = &st->backends[i];

		fprintf(r->out, "%-20s %-39s %-10s %-8s %10u %7u %s\n", b->name,
			ctf_addr_str(&b->addr, a),
			b->ifname[0] ? b->ifname : "-",
			ctf_state_name(b->state), b->epoch,
			ctfd_slots_of(r->d, &b->addr), health_of(r->d, b));
	}
	return 0;
}

/* probes: each backend's health checks, and the prober's counters. */
static int cmd_probes(struct req *r)
{
	const struct ctfd_prober *p = r->d->prober;
	struct ctf_json j;
	unsigned int i;
	if (!p)
		return fail(
			r, EXIT_FAIL,
			"health checks are off (health.enabled in the config)");
	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_uint(&j, "port", p->conf.port);
		ctf_json_uint(&j, "interval_ms", p->conf.interval_ms);
		ctf_json_uint(&j, "timeout_ms", p->conf.timeout_ms);
		ctf_json_uint(&j, "rise", p->conf.rise);
		ctf_json_uint(&j, "fall", p->conf.fall);
		ctf_json_uint(&j, "passive_ms", p->conf.passive_ms);
		ctf_json_bool(&j, "panic", p->panic_since_ms != 0);
		ctf_json_uint(&j, "sent", p->c.sent);
		ctf_json_uint(&j, "answers", p->c.answers);
		ctf_json_uint(&j, "unmatched", p->c.unmatched);
		ctf_json_uint(&j, "malformed", p->c.malformed);
		ctf_json_uint(&j, "send_errors", p->c.send_errors);
		ctf_json_uint(&j, "late", p->c.late);
		ctf_json_begin_array(&j, "backends");
		for (i = 0; i < p->n; i++) {
			const struct ctfd_hc *h = &p->hc[i];

			ctf_json_begin_object(&j, NULL);
			ctf_json_string(&j, "name", h->name);
			ctf_json_string(&j, "health",
					h->panic ? "panic"
						 : ctfd_health_name(h->health));
			ctf_json_uint(&j, "ok_in_a_row", h->ok_run);
			ctf_json_uint(&j, "failed_in_a_row", h->fail_run);
			ctf_json_uint(&j, "rise_needed",
				      ctfd_hc_rise_needed(&p->conf, h));
			ctf_json_uint(&j, "last_code", h->last_code);
			ctf_json_uint(&j, "last_rtt_us", h->last_rtt_us);
			ctf_json_string(&j, "last_error", h->last_error);
			ctf_json_uint(&j, "probes", h->probes);
			ctf_json_uint(&j, "failures", h->failures);
			ctf_json_uint(&j, "path_errors", h->path_errors);
			ctf_json_bool(&j, "suspect", h->suspect);
			ctf_json_bool(&j, "waiting_for_path", h->path_wait);
			ctf_json_bool(&j, "held_by_calls", h->held);
			ctf_json_uint(&j, "unanswered", h->unanswered);
			ctf_json_uint(&j, "downs", h->downs);
			ctf_json_end_object(&j);
		}
		ctf_json_end_array(&j);
		ctf_json_end_object(&j);
		fputc('\n', r->out);
		return 0;
	}
	fprintf(r->out,
		"SIP OPTIONS to port %u every %u ms, timeout %u ms, rise %u, fall %u, passive %u ms%s\n",
		p->conf.port, p->conf.interval_ms, p->conf.timeout_ms,
		p->conf.rise, p->conf.fall, p->conf.passive_ms,
		p->panic_since_ms ? "; PANIC: failing backends kept in service"
				  : "");
	fprintf(r->out, "%-20s %-7s %5s %5s %5s %9s %8s %8s %-7s %s\n", "NAME",
		"HEALTH", "OK", "FAIL", "CODE", "RTT_MS", "PROBES", "DOWNS",
		"PASSIVE", "LAST_ERROR");
	for (i = 0; i < p->n; i++) {
		const struct ctfd_hc *h = &p->hc[i];

		fprintf(r->out,
			"%-20s %-7s %5u %5u %5u %9.1f %8llu %8llu %-7s %s\n",
			h->name,
			h->panic  ? "panic"
			: h->held ? "held"
				  : ctfd_health_name(h->health),
			h->ok_run, h->fail_run, h->last_code,
			h->last_rtt_us / 1000.0, (unsigned long long)h->probes,
			(unsigned long long)h->downs,
			h->suspect     ? "suspect"
			: h->path_wait ? "wait"
				       : "-",
			h->last_error[0] ? h->last_error : "-");
	}
	return 0;
}

/* canary: the pinned canary's verdict per VIP (canary.h); 3 in alarm. */
static int cmd_canary(struct req *r)
{
	const struct ctfd_canary *c =
		r->d->prober ? r->d->prober->canary : NULL;
	const struct ctfd_hc_conf *hc = &r->d->run->health;
	char a[CTF_ADDR_STRLEN], to[CTF_ADDR_STRLEN];
	uint64_t now = ctfd_now_ms();
	struct ctf_json j;
	unsigned int i;
	if (!c)
		return fail(
			r, EXIT_FAIL,
			"the canary is off: health checks are off (health.enabled in the config)");
	if (c->error[0])
		return fail(r, EXIT_FAIL, "the canary is %s", c->error);
	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_uint(&j, "source_port", c->port);
		ctf_json_uint(&j, "interval_ms", hc->canary_interval_ms);
		ctf_json_uint(&j, "fall", hc->canary_fall);
		ctf_json_bool(&j, "alarm", ctfd_canary_alarm(c));
		ctf_json_uint(&j, "unmatched", c->unmatched);
		ctf_json_uint(&j, "malformed", c->malformed);
		ctf_json_uint(&j, "send_errors", c->send_errors);
		ctf_json_begin_array(&j, "vips");
		for (i = 0; i < c->n; i++) {
			const struct ctfd_canary_vip *v = &c->v[i];

			ctf_json_begin_object(&j, NULL);
			ctf_json_string(&j, "vip", ctf_addr_str(&v->vip, a));
			ctf_json_uint(&j, "port", v->port);
			ctf_json_string(&j, "verdict",
					ctfd_canary_verdict_name(v->verdict));
			ctf_json_bool(&j, "alarm", v->alarm);
			ctf_json_uint(&j, "alarm_for_ms",
				      v->alarm ? now - v->alarm_since_ms : 0);
			ctf_json_uint(&j, "bad_in_a_row", v->bad_run);
			ctf_json_string(&j, "backend", v->backend);
			ctf_json_string(&j, "to",
					v->have_entry ? ctf_addr_str(&v->to, to)
						      : "");
			ctf_json_uint(&j, "stamp", v->stamp);
			ctf_json_uint(&j, "last_code", v->last_code);
			ctf_json_uint(&j, "last_rtt_us", v->last_rtt_us);
			ctf_json_uint(&j, "probes", v->probes);
			ctf_json_uint(&j, "answers", v->answers);
			ctf_json_uint(&j, "failures", v->failures);
			ctf_json_uint(&j, "stale", v->stale);
			ctf_json_uint(&j, "alarms", v->alarms);
			ctf_json_string(&j, "last", v->why);
			ctf_json_end_object(&j);
		}
		ctf_json_end_array(&j);
		ctf_json_end_object(&j);
		fputc('\n', r->out);
	} else {
		fprintf(r->out,
			"SIP OPTIONS through each VIP from port %u every %u ms; alarm after %u bad in a row\n",
			c->port, hc->canary_interval_ms, hc->canary_fall);
		fprintf(r->out, "%-28s %-8s %-5s %4s %-20s %5s %8s %8s %s\n",
			"VIP", "VERDICT", "ALARM", "BAD", "BACKEND", "CODE",
			"RTT_MS", "PROBES", "LAST");
		for (i = 0; i < c->n; i++) {
			const struct ctfd_canary_vip *v = &c->v[i];
			char vip[CTF_ADDR_STRLEN + 8];

			snprintf(vip, sizeof(vip),
				 v->vip.family == AF_INET6 ? "[%s]:%u"
							   : "%s:%u",
				 ctf_addr_str(&v->vip, a), v->port);
			fprintf(r->out,
				"%-28s %-8s %-5s %4u %-20s %5u %8.1f %8llu %s\n",
				vip, ctfd_canary_verdict_name(v->verdict),
				v->alarm ? "ALARM" : "-", v->bad_run,
				v->backend[0] ? v->backend : "-", v->last_code,
				v->last_rtt_us / 1000.0,
				(unsigned long long)v->probes,
				v->why[0] ? v->why : "-");
		}
	}
	return ctfd_canary_alarm(c) ? EXIT_ALARM : 0;
}

static const char *mode(const struct ctfd *d)
{
	return d->kmod ? "module" : "ctnetlink";
}

static int cmd_status(struct req *r)
{
	const struct ctfd *d = r->d;
	const struct ctfd_state *st = d->run;
	unsigned int i, n[CTF_STATE_MAX + 1] = { 0 };
	char a[CTF_ADDR_STRLEN];
	struct ctf_json j;
	for (i = 0; i < st->n_backends; i++)
		n[st->backends[i].state]++;
	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_string(&j, "version", CTFAILOVER_VERSION);
		ctf_json_string(&j, "config", d->conf_path);
		ctf_json_string(&j, "eviction", mode(d));
		ctf_json_uint(&j, "uptime", time(NULL) - d->started);
		ctf_json_begin_array(&j, "vips");
		for (i = 0; i < st->n_vips; i++)
			ctf_json_string(&j, NULL,
					ctf_addr_str(&st->vips[i], a));
		ctf_json_end_array(&j);
		ctf_json_begin_array(&j, "sip_ports");
		for (i = 0; i < st->n_ports; i++)
			ctf_json_uint(&j, NULL, st->ports[i]);
		ctf_json_end_array(&j);
		ctf_json_uint(&j, "table_size", st->table_size);
		ctf_json_uint(&j, "seed", st->seed);
		ctf_json_uint(&j, "guard_percent", st->guard_percent);
		ctf_json_begin_object(&j, "backends");
		for (i = 0; i <= CTF_STATE_MAX; i++)
			ctf_json_uint(&j, ctf_state_name(i), n[i]);
		ctf_json_end_object(&j);
		ctf_json_end_object(&j);
		fputc('\n', r->out);
		return 0;
	}
	fprintf(r->out, "version %s\nconfig %s\neviction %s\nuptime %lld\n",
		CTFAILOVER_VERSION, d->conf_path, mode(d),
		(long long)(time(NULL) - d->started));
	fprintf(r->out, "vips");
	for (i = 0; i < st->n_vips; i++)
		fprintf(r->out, " %s", ctf_addr_str(&st->vips[i], a));
	fprintf(r->out, "\nsip_ports");
	for (i = 0; i < st->n_ports; i++)
		fprintf(r->out, "%c%u", i ? ',' : ' ', st->ports[i]);
	fprintf(r->out, "\ntable_size %u\nseed 0x%08x\nguard_percent %u\n",
		st->table_size, st->seed, st->guard_percent);
	for (i = 0; i <= CTF_STATE_MAX; i++)
		fprintf(r->out, "backends_%s %u\n", ctf_state_name(i), n[i]);
	return 0;
}

static int cmd_stats(struct req *r)
{
	if (r->json) {
		const struct ctfd_counters *c = &r->d->c;
		const struct ctfd_counter_def *def;
		struct ctf_json j;
		size_t i;

		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_begin_object(&j, "events");
		for (i = 0; i < __CTFD_SRC_MAX; i++)
			ctf_json_uint(&j, ctfd_source_name(i), c->events[i]);
		ctf_json_end_object(&j);
		for (i = 0; i < ctfd_n_counter_defs; i++) {
			def = &ctfd_counter_defs[i];
			if (def->json)
				ctf_json_uint(&j, def->json,
					      ctfd_counter_u64(c, def));
		}
		ctf_json_end_object(&j);
		fputc('\n', r->out);
		return 0;
	}
	/* The Prometheus text is already "name value" lines. */
	ctfd_metrics_render(r->d, r->out);
	return 0;
}

static int plan_reply(struct req *r, const struct ctfd_plan *p, int ret,
		      const char *err)
{
	struct ctf_json j;

	if (ret && ret != -ECANCELED)
		return fail(r, EXIT_FAIL, "%s: %s", r->argv[0], err);
	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctfd_plan_json(&j, "plan", p);
		ctf_json_string(&j, "result",
				ret			      ? "refused"
				: !strcmp(r->argv[0], "plan") ? "planned"
							      : "applied");
		ctf_json_end_object(&j);
		fputc('\n', r->out);
	} else {
		/* An error's body follows "ctfailoverctl ": a line of its own.
		 */
		if (ret)
			fprintf(r->out, "%s: refused, nothing changed:\n",
				r->argv[0]);
		ctfd_plan_print(r->out, p);
		if (!strcmp(r->argv[0], "apply"))
			fprintf(r->out, "%s\n", ret ? err : "applied");
	}
	return p->refused ? EXIT_REFUSED : ret ? EXIT_FAIL : 0;
}

static int cmd_plan(struct req *r)
{
	bool apply = !strcmp(r->argv[0], "apply");
	bool force = false;
	struct ctfd_plan p = { 0 };
	char err[CTFD_CONF_ERRLEN] = "";
	int ret;

	force = apply && r->argc == 2; /* "--force": dispatch() checked */
	if (apply && (ret = need_privilege(r)))
		return ret;
	ret = ctfd_reload(r->d, apply, force, &p, err, sizeof(err));
	ret = plan_reply(r, &p, ret, err);
	ctfd_plan_free(&p);
	return ret;
}

/* What the config accepts as a backend's address (config.c), for add and
 * cycle. */
static int backend_addr_ok(const struct ctfd_state *st,
			   const struct ctf_addr *a, char *err, size_t errlen)
{
	char buf[CTF_ADDR_STRLEN];
	unsigned int i;
	int ret = ctf_addr_unicast(a, err, errlen);

	if (ret)
		return ret;
	for (i = 0; i < st->n_vips; i++)
		if (ctf_addr_equal(&st->vips[i], a)) {
			snprintf(err, errlen,
				 "%s is a VIP: a backend is another host",
				 ctf_addr_str(a, buf));
			return -EINVAL;
		}
	return 0;
}
/*
 * A runtime change through the guard: @next replaces the running state
 * if the plan allows it (or --force). Lasts until the next apply of the
 * config.
 */
/*
 * Commit @next through the guard. @moved: the caller declared its backend
 * moves (cycle: the instance was replaced), which the guard then does not
 * count.
 */
static int guarded_commit(struct req *r, struct ctfd_state *next, bool force,
			  bool moved)
{
	struct ctfd_plan p = { 0 };
	char err[512];
	int ret;

	ret = ctfd_plan_build(r->d->run, next, force, &p);
	if (ret) {
		ctfd_plan_free(&p);
		return fail(r, EXIT_FAIL, "%s: cannot plan: %s", r->argv[0],
			    strerror(-ret));
	}
	if (moved) {
		p.active_moved = 0;
		ctfd_plan_guard(&p, force);
	}
	ctfd_plan_window(&p, &r->d->guard_log, r->d->run, next, ctfd_now_ms(),
			 force);
	if (p.refused) {
		r->d->c.applies[CTFD_REFUSED]++;
		ctfd_log("%s refused: %s", r->argv[0], p.reason);
		ret = fail(r, EXIT_REFUSED, "%s: refused: %s", r->argv[0],
			   p.reason);
		ctfd_plan_free(&p);
		return ret;
	}
	ret = ctfd_commit_guarded(r->d, next, &p, r->argv[0], err, sizeof(err));
	r->d->c.applies[ret ? CTFD_FAILED : CTFD_OK]++;
	if (ret) {
		ctfd_plan_free(&p);
		return fail(r, EXIT_FAIL, "%s: %s", r->argv[0], err);
	}
	if (!r->json)
		ctfd_plan_print(r->out, &p);
	else
		fprintf(r->out, "{}\n");
	ctfd_plan_free(&p);
	return 0;
}

static struct ctfd_state *copy_running(struct req *r)
{
	struct ctfd_state *next = malloc(sizeof(*next));

	if (!next)
		fail(r, EXIT_FAIL, "%s: out of memory", r->argv[0]);
	else
		*next = *r->d->run;
	return next;
}

static int cmd_add(struct req *r)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctfd_backend b = { .state = CTF_STATE_ACTIVE };
	struct ctfd_state *next;
	unsigned int i;
	int ret = need_privilege(r);

	if (ret)
		return ret;
	if (ctf_parse_name(r->argv[1], b.name, err, sizeof(err)) ||
	    ctf_parse_addr(r->argv[2], &b.addr, err, sizeof(err)) ||
	    backend_addr_ok(r->d->run, &b.addr, err, sizeof(err)))
		return fail(r, EXIT_USAGE, "add: %s", err);
	if (r->argc == 4) {
		/* The config's rule (config.c). */
		if (!ctfd_valid_ifname(r->argv[3]))
			return fail(
				r, EXIT_USAGE,
				"add: bad interface name '%s' (1..%d characters, no '/', ':' or spaces)",
				r->argv[3], IF_NAMESIZE - 1);
		strcpy(b.ifname, r->argv[3]);
	}
	if (ctfd_find(r->d, b.name) >= 0)
		return fail(r, EXIT_FAIL, "add: backend '%s' exists", b.name);
	for (i = 0; i < r->d->run->n_backends; i++)
		if (ctf_addr_equal(&r->d->run->backends[i].addr, &b.addr))
			return fail(r, EXIT_FAIL,
				    "add: %s is already backend '%s'",
				    r->argv[2], r->d->run->backends[i].name);
	if (!ctfd_has_vip_family(r->d->run, b.addr.family))
		return fail(r, EXIT_FAIL, "add: no VIP of %s's family",
			    r->argv[2]);
	if (r->d->run->n_backends == CTFD_MAX_BACKENDS ||
	    (uint64_t)(r->d->run->n_backends + 1) * CTFD_SLOTS_PER_BACKEND >
		    r->d->run->table_size)
		return fail(
			r, EXIT_FAIL,
			"add: a table of %u slots holds at most %u backends (maglev.table_size)",
			r->d->run->table_size,
			r->d->run->table_size / CTFD_SLOTS_PER_BACKEND);
	next = copy_running(r);
	if (!next)
		return EXIT_FAIL;
	next->backends[next->n_backends++] = b;
	ctfd_sort_backends(next);
	ret = guarded_commit(r, next, false, false);
	free(next);
	return ret;
}

static int cmd_remove(struct req *r)
{
	struct ctfd_state *next;
	bool force = r->argc == 3; /* "--force": dispatch() checked */
	int i, ret = need_privilege(r);

	if (ret)
		return ret;
	i = backend_arg(r, r->argv[1]);
	if (i < 0)
		return EXIT_FAIL;
	next = copy_running(r);
	if (!next)
		return EXIT_FAIL;
	memmove(&next->backends[i], &next->backends[i + 1],
		(next->n_backends - i - 1) * sizeof(next->backends[0]));
	next->n_backends--;
	ret = guarded_commit(r, next, force, false);
	free(next);
	return ret;
}

/*
 * The answer of a state change that did not go through the guard's plan:
 * backend @i's state and epoch now, or that it already was in the state
 * asked for (@changed false).
 */
static int state_result(struct req *r, int i, bool changed)
{
	const struct ctfd_backend *b = &r->d->run->backends[i];
	struct ctf_json j;

	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_string(&j, "backend", b->name);
		ctf_json_string(&j, "state", ctf_state_name(b->state));
		ctf_json_uint(&j, "epoch", b->epoch);
		ctf_json_bool(&j, "changed", changed);
		ctf_json_end_object(&j);
		fputc('\n', r->out);
	} else if (changed) {
		fprintf(r->out, "%s %s epoch %u\n", r->argv[1],
			ctf_state_name(b->state), b->epoch);
	} else {
		fprintf(r->out, "%s is already %s\n", r->argv[1],
			ctf_state_name(b->state));
	}
	return 0;
}

/* drain, activate, probe NAME up|down: a state change. */
static int cmd_state(struct req *r)
{
	struct ctfd_action a = { .kind = CTFD_ACT_SET_STATE };
	struct ctfd_state *next;
	bool probe = !strcmp(r->argv[0], "probe");
	uint8_t cur;
	int i, ret = need_privilege(r);

	if (ret)
		return ret;
	i = backend_arg(r, r->argv[1]);
	if (i < 0)
		return EXIT_FAIL;
	/* Between active and draining: no bump (docs/architecture.md). */
	cur = r->d->run->backends[i].state;
	if (!strcmp(r->argv[0], "drain") ||
	    (!probe && cur == CTF_STATE_DRAINING)) {
		uint8_t to = !strcmp(r->argv[0], "drain") ? CTF_STATE_DRAINING
							  : CTF_STATE_ACTIVE;

		if (cur == to)
			return state_result(r, i, false);
		if (cur == CTF_STATE_DOWN)
			return fail(r, EXIT_FAIL,
				    "drain: %s is down (activate it first)",
				    r->argv[1]);
		next = copy_running(r);
		if (!next)
			return EXIT_FAIL;
		ctfd_log("state backend=%s %s->%s source=control cause=\"%s\"",
			 r->argv[1], ctf_state_name(cur), ctf_state_name(to),
			 r->argv[0]);
		next->backends[i].state = to;
		r->d->c.events[CTFD_SRC_CONTROL]++;
		ret = guarded_commit(r, next, false, false);
		free(next);
		return ret;
	}
	a.backend = i;
	a.state = probe && !strcmp(r->argv[2], "down") ? CTF_STATE_DOWN
						       : CTF_STATE_ACTIVE;
	a.source = probe ? CTFD_SRC_PROBE : CTFD_SRC_CONTROL;
	snprintf(a.cause, sizeof(a.cause), "%s %s%s%s", r->argv[0], r->argv[1],
		 probe ? " " : "", probe ? r->argv[2] : "");
	if (r->d->run->backends[i].state == a.state)
		return state_result(r, i, false);
	if (a.state == CTF_STATE_DOWN) {
		/* Losing an active backend goes through the guard too. */
		next = copy_running(r);
		if (!next)
			return EXIT_FAIL;
		next->backends[i].state = CTF_STATE_DOWN;
		struct ctfd_plan p = { 0 };

		ret = ctfd_plan_build(r->d->run, next, false, &p);
		free(next);
		if (!ret && p.refused)
			ret = fail(r, EXIT_REFUSED, "%s: refused: %s",
				   r->argv[0], p.reason);
		ctfd_plan_free(&p);
		if (ret)
			return ret;
	}
	if (ctfd_act(r->d, &a))
		return fail(r, EXIT_FAIL, "%s: failed (see the daemon's log)",
			    r->argv[0]);
	return state_result(r, i, true);
}

/*
 * After a cycle, the neighbour entry of the address may still hold the
 * old instance's MAC (a VNIC moved with its IP, no gratuitous ARP):
 * delete it, so the next packet resolves the address afresh instead of
 * going to a dead MAC until the kernel re-probes. A failure is told in
 * the reply and the log; the cycle stands.
 */
static int cycle_flush(struct req *r, const struct ctf_addr *addr,
		       struct ctfd_neigh_flush *res, char *err, size_t errlen)
{
	char a[CTF_ADDR_STRLEN];
	int ret = ctfd_neigh_flush(r->d, addr, res, err, errlen);

	if (r->json)
		return ret;
	ctf_addr_str(addr, a);
	if (ret)
		fprintf(r->out,
			"neighbour entries of %s: flush failed: %s (the cycle stands)\n",
			a, err);
	else
		fprintf(r->out,
			"neighbour entries of %s: %u deleted, %u static left in place\n",
			a, res->deleted, res->skipped);
	return ret;
}

/*
 * cycle NAME [ADDRESS]: the instance behind NAME was replaced. Same
 * address: bump its epoch. New address: the slots follow the name there.
 * Either way, then, flush the neighbour entries of the address (and of the
 * new one, which may be a reused address with a stale entry). What happens
 * to the conntrack entries: docs/architecture.md, "When entries are
 * evicted or kept".
 */
static int cmd_cycle(struct req *r)
{
	struct ctfd_action a = { .kind = CTFD_ACT_BUMP,
				 .source = CTFD_SRC_CONTROL };
	char err[CTF_PARSE_ERRLEN], ferr[256] = "";
	struct ctfd_neigh_flush res;
	struct ctfd_state *next;
	struct ctf_addr addr, old;
	struct ctf_json j;
	int i, ret = need_privilege(r);

	if (ret)
		return ret;
	i = backend_arg(r, r->argv[1]);
	if (i < 0)
		return EXIT_FAIL;
	old = r->d->run->backends[i].addr;
	if (r->argc == 2) {
		/* Same address: what a neighbour's new lladdr does. */
		a.backend = i;
		snprintf(a.cause, sizeof(a.cause), "cycle %s", r->argv[1]);
		if (ctfd_act(r->d, &a))
			return fail(
				r, EXIT_FAIL,
				"cycle: bump failed (see the daemon's log)");
		if (!r->json)
			fprintf(r->out, "%s epoch %u\n", r->argv[1],
				r->d->run->backends[i].epoch);
		ret = cycle_flush(r, &old, &res, ferr, sizeof(ferr));
		if (!r->json)
			return 0;
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_string(&j, "backend", r->argv[1]);
		ctf_json_uint(&j, "epoch", r->d->run->backends[i].epoch);
		ctf_json_uint(&j, "neigh_flushed", res.deleted);
		ctf_json_uint(&j, "neigh_skipped", res.skipped);
		if (ret)
			ctf_json_string(&j, "neigh_flush_error", ferr);
		ctf_json_end_object(&j);
		fputc('\n', r->out);
		return 0;
	}
	r->d->c.events[CTFD_SRC_CONTROL]++;
	if (ctf_parse_addr(r->argv[2], &addr, err, sizeof(err)) ||
	    backend_addr_ok(r->d->run, &addr, err, sizeof(err)))
		return fail(r, EXIT_USAGE, "cycle: %s", err);
	if (addr.family != r->d->run->backends[i].addr.family)
		return fail(r, EXIT_USAGE,
			    "cycle: %s is not of %s's address family",
			    r->argv[2], r->argv[1]);
	for (unsigned int k = 0; k < r->d->run->n_backends; k++)
		if ((int)k != i &&
		    ctf_addr_equal(&r->d->run->backends[k].addr, &addr))
			return fail(r, EXIT_FAIL,
				    "cycle: %s is already backend '%s'",
				    r->argv[2], r->d->run->backends[k].name);
	next = copy_running(r);
	if (!next)
		return EXIT_FAIL;
	next->backends[i].addr = addr;
	ctfd_log("cycle backend=%s address=%s source=control", r->argv[1],
		 r->argv[2]);
	ret = guarded_commit(r, next, false, true);
	free(next);
	if (ret)
		return ret;
	cycle_flush(r, &old, &res, ferr, sizeof(ferr));
	if (!ctf_addr_equal(&old, &addr))
		cycle_flush(r, &addr, &res, ferr, sizeof(ferr));
	return 0;
}

/*
 * where ADDR PORT: the slot, and so the backend, that the nft rule gives a
 * new flow from ADDR:PORT. An existing conntrack entry may still pin the
 * flow elsewhere; that is what the module's epochs are for.
 */
static int cmd_where(struct req *r)
{
	const struct ctfd *d = r->d;
	char err[CTF_PARSE_ERRLEN], a[CTF_ADDR_STRLEN];
	const struct ctf_addr *slots;
	const char *name = "-";
	struct ctf_addr src;
	uint16_t port;
	uint32_t slot;
	unsigned int i;
	if (ctf_parse_addr(r->argv[1], &src, err, sizeof(err)) ||
	    ctf_parse_port(r->argv[2], &port, err, sizeof(err)))
		return fail(r, EXIT_USAGE, "where: %s", err);
	slot = ctfd_flow_slot(&src, port, d->dp.table_size, d->dp.seed);
	slots = src.family == AF_INET ? d->dp.slots4 : d->dp.slots6;
	if (!slots || !slots[slot].family)
		return fail(
			r, EXIT_FAIL,
			"where: slot %u is empty: no active backend of that family",
			slot);
	for (i = 0; i < d->run->n_backends; i++)
		if (ctf_addr_equal(&d->run->backends[i].addr, &slots[slot]))
			name = d->run->backends[i].name;
	if (r->json) {
		struct ctf_json j;

		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_uint(&j, "slot", slot);
		ctf_json_string(&j, "backend", name);
		ctf_json_string(&j, "address", ctf_addr_str(&slots[slot], a));
		ctf_json_end_object(&j);
		fputc('\n', r->out);
	} else {
		fprintf(r->out, "slot %u backend %s address %s\n", slot, name,
			ctf_addr_str(&slots[slot], a));
	}
	return 0;
}

/*
 * adopt NAME EPOCH: the instance behind NAME is the one of EPOCH, which
 * the entries synced from a peer carry (ctfailoverctl synced reads them;
 * docs/architecture.md, "Epochs agree across load balancers").
 */
static int cmd_adopt(struct req *r)
{
	char err[CTF_PARSE_ERRLEN], why[96];
	const struct ctfd_backend *b;
	struct ctf_json j;
	uint32_t epoch, was;
	int i, ret = need_privilege(r);

	if (ret)
		return ret;
	i = backend_arg(r, r->argv[1]);
	if (i < 0)
		return EXIT_FAIL;
	if (ctf_parse_epoch(r->argv[2], &epoch, err, sizeof(err)))
		return fail(r, EXIT_USAGE, "adopt: %s", err);
	b = &r->d->run->backends[i];
	if (b->state == CTF_STATE_DOWN)
		return fail(
			r, EXIT_FAIL,
			"adopt: %s is down here: its entries are stale whatever they carry",
			b->name);
	was = b->epoch;
	r->d->c.events[CTFD_SRC_CONTROL]++;
	snprintf(why, sizeof(why), "the entries synced from a peer carry it");
	if (epoch != b->instance_epoch && ctfd_adopt(r->d, i, epoch, why))
		return fail(
			r, EXIT_FAIL,
			"adopt: the module refused it (see the daemon's log)");
	if (r->json) {
		ctf_json_init(&j, r->out);
		ctf_json_begin_object(&j, NULL);
		ctf_json_string(&j, "backend", b->name);
		ctf_json_uint(&j, "epoch", b->epoch);
		ctf_json_uint(&j, "was", was);
		ctf_json_end_object(&j);
		fputc('\n', r->out);
	} else {
		fprintf(r->out, "%s epoch %u (was %u)\n", b->name, b->epoch,
			was);
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct req *r);
} commands[] = {
	{ "status", cmd_status },  { "backends", cmd_backends },
	{ "stats", cmd_stats },	   { "plan", cmd_plan },
	{ "apply", cmd_plan },	   { "add", cmd_add },
	{ "remove", cmd_remove },  { "drain", cmd_state },
	{ "activate", cmd_state }, { "probe", cmd_state },
	{ "cycle", cmd_cycle },	   { "where", cmd_where },
	{ "probes", cmd_probes },  { "canary", cmd_canary },
	{ "adopt", cmd_adopt },
};

static int dispatch(struct req *r, char *line)
{
	const struct ctf_ctl_cmd *c;
	char *save = NULL, *w, err[128];
	size_t i;

	for (w = strtok_r(line, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		if (r->argc == 0 && !r->json && !strcmp(w, "-j")) {
			r->json = true;
			continue;
		}
		if (r->argc == MAX_WORDS)
			return fail(r, EXIT_USAGE, "too many arguments");
		r->argv[r->argc++] = w;
	}
	if (!r->argc)
		return fail(r, EXIT_USAGE, "empty request");
	/* The words each command takes: ctlcmd.h, ctfailoverctl's too. */
	c = ctf_ctl_cmd(r->argv[0]);
	if (c && ctf_ctl_cmd_check(c, r->argc, r->argv, err, sizeof(err)))
		return fail(r, EXIT_USAGE, "%s: %s", r->argv[0], err);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(r->argv[0], commands[i].name))
			return commands[i].fn(r);
	return fail(r, EXIT_USAGE, "unknown command '%s'", r->argv[0]);
}

static void handle(struct ctfd *d, const char *line, bool privileged, FILE *out)
{
	struct req r = { .d = d, .privileged = privileged };
	char *body = NULL, *copy = strdup(line);
	size_t len = 0;
	int code;

	r.out = open_memstream(&body, &len);
	if (!copy || !r.out) {
		fprintf(out, "ERR 1\nout of memory\n");
		goto out;
	}
	code = dispatch(&r, copy);
	fclose(r.out);
	r.out = NULL;
	if (code == EXIT_ALARM) {
		fprintf(out, "ALARM\n");
	} else if (code == EXIT_REFUSED && !strcmp(r.argv[0], "plan")) {
		/* The plan is the answer, refused or not. */
		fprintf(out, "REFUSED\n");
	} else if (code) {
		d->c.ignored_input += code == EXIT_USAGE;
		fprintf(out, "ERR %d\n", code);
	} else {
		fprintf(out, "OK\n");
	}
	fwrite(body, 1, len, out);
out:
	if (r.out)
		fclose(r.out);
	free(body);
	free(copy);
}

void ctfd_control_handle(struct ctfd *d, const char *line, FILE *out)
{
	handle(d, line, true, out);
}

/* A request is one line; the buffer is a C string (conn.c). */
static int control_complete(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);

	if (!nl)
		return 0;
	/* A NUL before the newline: not a line of words. */
	return memchr(buf, '\0', nl - buf) ? -1 : 1;
}

static void control_serve(struct ctfd *d, struct ctfd_conn *c, FILE *out)
{
	*strchr(c->req, '\n') = '\0';
	handle(d, c->req, c->privileged, out);
}

void ctfd_control_listener(struct ctfd_listener *l)
{
	l->peercred = true;
	l->complete = control_complete;
	l->serve = control_serve;
	l->busy_reply =
		"ERR 1\nbusy: every control connection is being answered; try again\n";
}
