// SPDX-License-Identifier: GPL-2.0
/*
 * `ctfailoverctl module ...`: drive ctfailover.ko directly, one command of
 * its netlink contract at a time (the daemon uses the same calls, from
 * userspace/common/kmod.c).
 *
 * Every subcommand parses all its arguments before it opens the netlink
 * socket: a usage error is exit 2 whether or not the module is loaded.
 * Text output is `ip`-like, one object per line as "key value" pairs;
 * -j prints the same as JSON.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "ctl.h"
#include "kmod.h"
#include "parse.h"
#include "print.h"
#include "uapi/ctfailover.h"

struct module_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, const struct ctl_opts *o);
	const char *args;
	const char *help;
};

static int usage_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "<prog> module <sub>: <message>", exit 2. */
static int usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s module %s: ", ctl_prog, sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_EXIT_USAGE;
}

static int no_more_args(int argc, char **argv, int used)
{
	if (argc > used)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[used]);
	return CTL_EXIT_OK;
}

/* The one ADDR argument of backend, del and bump. */
static int addr_arg(int argc, char **argv, struct ctf_addr *addr)
{
	char err[CTF_PARSE_ERRLEN];

	if (argc < 2)
		return usage_error(argv[0], "missing ADDR");
	if (ctf_parse_addr(argv[1], addr, err, sizeof(err)))
		return usage_error(argv[0], "%s", err);
	return no_more_args(argc, argv, 2);
}

/* "<prog> module <sub>: <cmd> failed: ...", exit 1. */
static int kernel_error(const char *sub, const char *cmd, int err,
			const struct ctf_genl *g)
{
	char who[64];

	snprintf(who, sizeof(who), "module %s", sub);
	return ctl_kernel_error(who, cmd, err, g);
}

/* Open the family and refuse a module of another protocol. */
static int open_module(struct ctf_genl *g)
{
	int ret = ctl_open(g);

	if (ret)
		return ret;
	ret = ctl_check_protocol(g->family_version);
	if (ret)
		ctf_genl_close(g);
	return ret;
}

/* A command that takes no argument: refuse any, then open the module. */
static int open_no_args(int argc, char **argv, struct ctf_genl *g)
{
	int ret = no_more_args(argc, argv, 1);

	return ret ? ret : open_module(g);
}

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : "inet6";
}

/* One record: a JSON object, or one line of text. */
static void record_begin(struct ctf_print *p, const struct ctl_opts *o)
{
	ctf_print_init(p, stdout, o->json);
	ctf_print_open_object(p, NULL);
}

static void record_end(struct ctf_print *p)
{
	ctf_print_close_object(p);
	ctf_print_nl(p);
	ctf_print_end(p);
}

/*
 * The fields the kernel sent, in a fixed order: text "ADDR key value...",
 * or the members of a JSON object (the caller opens it).
 */
static void print_backend(struct ctf_print *p, const struct ctf_backend *b)
{
	char addr[CTF_ADDR_STRLEN];

	ctf_print_string(p, CTF_PRINT_ANY, "addr", "%s",
			 ctf_addr_str(&b->addr, addr));
	ctf_print_string(p, CTF_PRINT_JSON, "family", NULL,
			 family_name(b->addr.family));
	if (b->name[0])
		ctf_print_string(p, CTF_PRINT_ANY, "name", " name %s", b->name);
	if (b->fields & CTF_BF_EPOCH)
		ctf_print_uint(p, CTF_PRINT_ANY, "epoch", " epoch %llu",
			       b->epoch);
	if (b->fields & CTF_BF_UNSTAMPED)
		ctf_print_uint(p, CTF_PRINT_ANY, "unstamped_epoch",
			       " unstamped_epoch %llu", b->unstamped_epoch);
	if (b->fields & CTF_BF_STATE)
		ctf_print_string(p, CTF_PRINT_ANY, "state", " state %s",
				 ctf_state_name(b->state));
	if (b->fields & CTF_BF_TAGGED)
		ctf_print_uint(p, CTF_PRINT_ANY, "tagged", " tagged %llu",
			       b->tagged);
	if (b->fields & CTF_BF_STALE_HITS)
		ctf_print_uint(p, CTF_PRINT_ANY, "stale_hits",
			       " stale_hits %llu", b->stale_hits);
	if (b->fields & CTF_BF_EVICTED)
		ctf_print_uint(p, CTF_PRINT_ANY, "evicted", " evicted %llu",
			       b->evicted);
}

/* A list of backends: one per line, or a JSON array of objects. */
static void print_backends(const struct ctf_backend *b, size_t n,
			   const struct ctl_opts *o)
{
	struct ctf_print p;
	size_t i;

	ctf_print_init(&p, stdout, o->json);
	ctf_print_open_array(&p, NULL);
	for (i = 0; i < n; i++) {
		ctf_print_open_object(&p, NULL);
		print_backend(&p, &b[i]);
		ctf_print_close_object(&p);
		ctf_print_nl(&p);
	}
	ctf_print_close_array(&p);
	ctf_print_end(&p);
}

struct backend_list {
	struct ctf_backend *b;
	size_t n, cap;
};

static int collect_backend(const struct ctf_backend *b, void *data)
{
	struct backend_list *l = data;
	struct ctf_backend *nb;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		nb = realloc(l->b, l->cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		l->b = nb;
	}
	l->b[l->n++] = *b;
	return 0;
}

/* IPv4 before IPv6, then by address: stable output that diffs well. */
static int cmp_backend(const void *pa, const void *pb)
{
	const struct ctf_backend *a = pa, *b = pb;

	if (a->addr.family != b->addr.family)
		return a->addr.family == AF_INET ? -1 : 1;
	if (a->addr.family == AF_INET)
		return memcmp(&a->addr.v4, &b->addr.v4, sizeof(a->addr.v4));
	return memcmp(&a->addr.v6, &b->addr.v6, sizeof(a->addr.v6));
}

static int cmd_backends(int argc, char **argv, const struct ctl_opts *o)
{
	struct backend_list l = { 0 };
	struct ctf_genl g;
	int ret, tries = 0;

	ret = open_no_args(argc, argv, &g);
	if (ret)
		return ret;
	/* A dump that raced with a change is inconsistent: take it again. */
	do {
		l.n = 0;
		ret = ctf_kmod_backend_dump(&g, collect_backend, &l);
	} while (ret == -EINTR && ++tries < 5);
	if (ret) {
		ret = kernel_error("backends", "CTF_CMD_BACKEND_GET (dump)",
				   ret, &g);
	} else {
		qsort(l.b, l.n, sizeof(*l.b), cmp_backend);
		print_backends(l.b, l.n, o);
	}
	free(l.b);
	ctf_genl_close(&g);
	return ret;
}

/* backend, del, bump: one address, one request. */
static int cmd_addr(int argc, char **argv, const struct ctl_opts *o)
{
	struct ctf_backend b;
	struct ctf_addr addr;
	struct ctf_genl g;
	const char *cmd;
	int ret;

	ret = addr_arg(argc, argv, &addr);
	if (ret)
		return ret;
	ret = open_module(&g);
	if (ret)
		return ret;
	if (!strcmp(argv[0], "backend")) {
		cmd = "CTF_CMD_BACKEND_GET";
		ret = ctf_kmod_backend_get(&g, &addr, &b);
	} else if (!strcmp(argv[0], "bump")) {
		cmd = "CTF_CMD_BACKEND_BUMP";
		ret = ctf_kmod_bump(&g, &addr, &b);
	} else {
		cmd = "CTF_CMD_BACKEND_DEL";
		ret = ctf_kmod_backend_del(&g, &addr);
	}
	if (ret)
		ret = kernel_error(argv[0], cmd, ret, &g);
	else if (strcmp(argv[0], "del"))
		print_backends(&b, 1, o);
	ctf_genl_close(&g);
	return ret;
}

/* bump-all: one request, then the backends with their new epochs. */
static int cmd_bump_all(int argc, char **argv, const struct ctl_opts *o)
{
	struct ctf_genl g;
	int ret;

	ret = open_no_args(argc, argv, &g);
	if (ret)
		return ret;
	ret = ctf_kmod_bump_all(&g);
	if (ret)
		ret = kernel_error(argv[0], "CTF_CMD_BACKEND_BUMP_ALL", ret,
				   &g);
	ctf_genl_close(&g);
	return ret ? ret : cmd_backends(argc, argv, o);
}

static int cmd_set(int argc, char **argv, const struct ctl_opts *o)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_backend b = { 0 }, out;
	unsigned int fields = 0, f;
	struct ctf_genl g;
	const char *key;
	int i, ret;

	if (argc < 2)
		return usage_error(argv[0], "missing ADDR");
	if (ctf_parse_addr(argv[1], &b.addr, err, sizeof(err)))
		return usage_error(argv[0], "%s", err);
	for (i = 2; i < argc; i += 2) {
		key = argv[i];
		if (!strcmp(key, "adopt")) {
			/* A flag: no value. */
			if (fields & CTF_BF_ADOPT)
				return usage_error(argv[0],
						   "'adopt' given twice");
			fields |= CTF_BF_ADOPT;
			i--;
			continue;
		}
		if (!strcmp(key, "name"))
			f = CTF_BF_NAME;
		else if (!strcmp(key, "state"))
			f = CTF_BF_STATE;
		else if (!strcmp(key, "epoch"))
			f = CTF_BF_EPOCH;
		else
			return usage_error(argv[0],
					   "unknown argument '%s' "
					   "(name, state, epoch, adopt)",
					   key);
		if (fields & f)
			return usage_error(argv[0], "'%s' given twice", key);
		fields |= f;
		if (i + 1 == argc)
			return usage_error(argv[0], "missing value after '%s'",
					   key);
		if (f == CTF_BF_NAME)
			ret = ctf_parse_name(argv[i + 1], b.name, err,
					     sizeof(err));
		else if (f == CTF_BF_STATE)
			ret = ctf_parse_state(argv[i + 1], &b.state, err,
					      sizeof(err));
		else
			ret = ctf_parse_epoch(argv[i + 1], &b.epoch, err,
					      sizeof(err));
		if (ret)
			return usage_error(argv[0], "%s", err);
	}

	if ((fields & CTF_BF_ADOPT) && !(fields & CTF_BF_EPOCH))
		return usage_error(argv[0], "'adopt' needs 'epoch N'");

	ret = open_module(&g);
	if (ret)
		return ret;
	ret = ctf_kmod_backend_set(&g, &b, fields, &out);
	if (ret)
		ret = kernel_error(argv[0], "CTF_CMD_BACKEND_SET", ret, &g);
	else
		print_backends(&out, 1, o);
	ctf_genl_close(&g);
	return ret;
}

static int cmd_ports(int argc, char **argv, const struct ctl_opts *o)
{
	uint16_t ports[CTF_MAX_PORTS];
	char err[CTF_PARSE_ERRLEN];
	struct ctf_ports p;
	struct ctf_genl g;
	struct ctf_print pr;
	unsigned int n = 0, i;
	int ret;

	if (argc > 1 && ctf_parse_ports(argv[1], ports, &n, err, sizeof(err)))
		return usage_error(argv[0], "%s", err);
	ret = no_more_args(argc, argv, 2);
	if (ret)
		return ret;

	ret = open_module(&g);
	if (ret)
		return ret;
	if (n) {
		ret = ctf_kmod_ports_set(&g, ports, n);
		if (ret)
			ret = kernel_error(argv[0], "CTF_CMD_PORTS_SET", ret,
					   &g);
		goto out;
	}
	ret = ctf_kmod_ports_get(&g, &p);
	if (ret) {
		ret = kernel_error(argv[0], "CTF_CMD_PORTS_GET", ret, &g);
		goto out;
	}
	record_begin(&pr, o);
	/* The text is the form `module ports` takes back. */
	ctf_print_string(&pr, CTF_PRINT_TEXT, NULL, "%s", "ports ");
	ctf_print_open_array(&pr, "ports");
	for (i = 0; i < p.n; i++)
		ctf_print_uint(&pr, CTF_PRINT_ANY, NULL, i ? ",%llu" : "%llu",
			       p.port[i]);
	ctf_print_close_array(&pr);
	record_end(&pr);
out:
	ctf_genl_close(&g);
	return ret;
}

/* The members of an evict report (the caller opens the object). */
static void print_evict(struct ctf_print *p, const struct ctf_evict *ev)
{
	ctf_print_uint(p, CTF_PRINT_ANY, "scanned", "scanned %llu",
		       ev->scanned);
	ctf_print_uint(p, CTF_PRINT_ANY, "evicted", " evicted %llu",
		       ev->evicted);
	ctf_print_uint(p, CTF_PRINT_ANY, "usec", " usec %llu", ev->usec);
}

static int cmd_evict(int argc, char **argv, const struct ctl_opts *o)
{
	struct ctf_evict ev;
	struct ctf_genl g;
	struct ctf_print p;
	bool all = argc == 2 && !strcmp(argv[1], "all");
	int ret;

	ret = all ? open_module(&g) : open_no_args(argc, argv, &g);
	if (ret)
		return ret;
	ret = ctf_kmod_evict(&g, all, &ev);
	if (ret) {
		ret = kernel_error(argv[0], "CTF_CMD_EVICT", ret, &g);
	} else {
		record_begin(&p, o);
		print_evict(&p, &ev);
		record_end(&p);
	}
	ctf_genl_close(&g);
	return ret;
}

static void print_stats(struct ctf_print *p, const struct ctf_stats *st)
{
	ctf_print_uint(p, CTF_PRINT_ANY, "backends", "backends %llu",
		       st->backends);
	ctf_print_uint(p, CTF_PRINT_ANY, "tagged", " tagged %llu", st->tagged);
	ctf_print_uint(p, CTF_PRINT_ANY, "stale_hits", " stale_hits %llu",
		       st->stale_hits);
	ctf_print_uint(p, CTF_PRINT_ANY, "evicted", " evicted %llu",
		       st->evicted);
	ctf_print_uint(p, CTF_PRINT_ANY, "sweeps", " sweeps %llu", st->sweeps);
	ctf_print_uint(p, CTF_PRINT_ANY, "untaggable", " untaggable %llu",
		       st->untaggable);
	ctf_print_uint(p, CTF_PRINT_ANY, "foreign", " foreign %llu",
		       st->foreign);
	ctf_print_uint(p, CTF_PRINT_ANY, "last_epoch", " last_epoch %llu",
		       st->last_epoch);
	ctf_print_uint(p, CTF_PRINT_ANY, "sweep_restarts",
		       " sweep_restarts %llu", st->sweep_restarts);
	ctf_print_uint(p, CTF_PRINT_ANY, "late", " late %llu", st->late);
	if (st->may_be_stale >= 0)
		ctf_print_uint(p, CTF_PRINT_ANY, "may_be_stale",
			       " may_be_stale %llu", st->may_be_stale);
	ctf_print_uint(p, CTF_PRINT_ANY, "label_word", " label_word %llu",
		       st->label_word);
	ctf_print_uint(p, CTF_PRINT_ANY, "sweep_delay_ms",
		       " sweep_delay_ms %llu", st->sweep_delay_ms);
}

static int cmd_stats(int argc, char **argv, const struct ctl_opts *o)
{
	struct ctf_stats st;
	struct ctf_genl g;
	struct ctf_print p;
	int ret;

	ret = open_no_args(argc, argv, &g);
	if (ret)
		return ret;
	ret = ctf_kmod_stats(&g, &st);
	if (ret) {
		ret = kernel_error(argv[0], "CTF_CMD_STATS_GET", ret, &g);
	} else {
		record_begin(&p, o);
		print_stats(&p, &st);
		record_end(&p);
	}
	ctf_genl_close(&g);
	return ret;
}

/* label-word N, sweep-delay MS: one setting each, CTF_CMD_CONFIG_SET. */
static int cmd_config(int argc, char **argv, const struct ctl_opts *o)
{
	bool word = !strcmp(argv[0], "label-word");
	struct ctf_config c = { 0 };
	char err[CTF_PARSE_ERRLEN];
	struct ctf_genl g;
	int ret;

	(void)o;
	if (argc < 2)
		return usage_error(argv[0], "missing %s",
				   word ? "N (0..3)" : "MS (0..3600000)");
	if (word) {
		c.fields = CTF_CF_LABEL_WORD;
		ret = ctf_parse_label_word(argv[1], &c.label_word, err,
					   sizeof(err));
	} else {
		c.fields = CTF_CF_SWEEP_DELAY;
		ret = ctf_parse_sweep_delay(argv[1], &c.sweep_delay_ms, err,
					    sizeof(err));
	}
	if (ret)
		return usage_error(argv[0], "%s", err);
	ret = no_more_args(argc, argv, 2);
	if (ret)
		return ret;
	ret = open_module(&g);
	if (ret)
		return ret;
	ret = ctf_kmod_config_set(&g, &c);
	if (ret)
		ret = kernel_error(argv[0], "CTF_CMD_CONFIG_SET", ret, &g);
	ctf_genl_close(&g);
	return ret;
}

struct monitor {
	const struct ctl_opts *o;
	uint64_t seen, count; /* count 0: no limit */
};

static int print_event(const struct ctf_event *ev, void *data)
{
	struct monitor *m = data;
	struct ctf_print p;

	record_begin(&p, m->o);
	if (ev->cmd == CTF_CMD_EVENT_EVICTED) {
		ctf_print_string(&p, CTF_PRINT_ANY, "event", "%s ", "evicted");
		print_evict(&p, &ev->evict);
	} else {
		ctf_print_string(&p, CTF_PRINT_ANY, "event", "%s ", "stale");
		print_backend(&p, &ev->backend);
		ctf_print_uint(&p, CTF_PRINT_ANY, "stale_epoch",
			       " stale_epoch %llu", ev->stale_epoch);
	}
	record_end(&p);
	/* Someone may be waiting on the other end of a pipe. */
	fflush(stdout);
	m->seen++;
	return m->count && m->seen >= m->count;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_monitor(int argc, char **argv, const struct ctl_opts *o)
{
	struct monitor m = { .o = o };
	char err[CTF_PARSE_ERRLEN];
	uint64_t timeout = 0, deadline = 0, left, v;
	struct pollfd pfd;
	struct ctf_genl g;
	int i, ret, ms;

	for (i = 1; i < argc; i += 2) {
		bool count = !strcmp(argv[i], "--count");

		if (!count && strcmp(argv[i], "--timeout"))
			return usage_error(argv[0],
					   "unknown argument '%s' "
					   "(--count N, --timeout SEC)",
					   argv[i]);
		if ((count && m.count) || (!count && timeout))
			return usage_error(argv[0], "'%s' given twice",
					   argv[i]);
		if (i + 1 == argc)
			return usage_error(argv[0], "missing value after '%s'",
					   argv[i]);
		if (ctf_parse_uint(argv[i + 1], count ? "count" : "timeout", 1,
				   UINT32_MAX, &v, err, sizeof(err)))
			return usage_error(argv[0], "%s", err);
		if (count)
			m.count = v;
		else
			timeout = v;
	}

	ret = open_module(&g);
	if (ret)
		return ret;
	ret = ctf_kmod_events_join(&g);
	if (ret) {
		fprintf(stderr,
			"%s module monitor: cannot join the \"%s\" group: %s\n",
			ctl_prog, CTFAILOVER_MCGRP_EVENTS,
			ret == -EOPNOTSUPP ? "the module has no such group"
					   : strerror(-ret));
		ctf_genl_close(&g);
		return CTL_EXIT_FAIL;
	}

	if (timeout)
		deadline = now_ms() + timeout * 1000;
	pfd.fd = ctf_nl_fd(&g.nl);
	pfd.events = POLLIN;
	ret = CTL_EXIT_OK;
	while (!m.count || m.seen < m.count) {
		ms = -1;
		if (deadline) {
			left = deadline > now_ms() ? deadline - now_ms() : 0;
			if (!left)
				break;
			ms = left > 60000 ? 60000 : (int)left;
		}
		if (poll(&pfd, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s module monitor: poll: %s\n",
				ctl_prog, strerror(errno));
			ret = CTL_EXIT_FAIL;
			break;
		}
		/* An overrun shows as POLLERR: the read reports it. */
		if (!pfd.revents)
			continue;
		ret = ctf_kmod_events_read(&g, print_event, &m);
		if (ret >= 0 || ret == -EAGAIN) {
			ret = CTL_EXIT_OK;
			continue;
		}
		if (ret == -ENOBUFS) {
			/* The socket overran: say so, and go on. */
			fprintf(stderr,
				"%s module monitor: events were lost "
				"(receive buffer overrun)\n",
				ctl_prog);
		} else if (ret == -EBADMSG) {
			fprintf(stderr,
				"%s module monitor: skipped an event that "
				"breaks the netlink contract\n",
				ctl_prog);
		} else {
			fprintf(stderr, "%s module monitor: %s\n", ctl_prog,
				strerror(-ret));
			ret = CTL_EXIT_FAIL;
			break;
		}
		ret = CTL_EXIT_OK;
	}
	ctf_genl_close(&g);
	if (ret == CTL_EXIT_OK && m.count && m.seen < m.count) {
		fprintf(stderr,
			"%s module monitor: timed out after %llu of %llu events\n",
			ctl_prog, (unsigned long long)m.seen,
			(unsigned long long)m.count);
		ret = CTL_EXIT_FAIL;
	}
	return ret;
}

static int cmd_help(int argc, char **argv, const struct ctl_opts *o);

static const struct module_cmd module_cmds[] = {
	{ "backends", cmd_backends, "", "list all backends" },
	{ "backend", cmd_addr, "ADDR", "show one backend" },
	{ "set", cmd_set, "ADDR [name NAME] [state S] [epoch N [adopt]]",
	  "create or update a backend (S: active, draining, down)" },
	{ "del", cmd_addr, "ADDR", "remove a backend; its entries go stale" },
	{ "bump", cmd_addr, "ADDR",
	  "a new instance is behind ADDR: a new epoch" },
	{ "bump-all", cmd_bump_all, "",
	  "every backend a new epoch, one wait for all; lists them" },
	{ "ports", cmd_ports, "[PORT[,PORT...]]",
	  "show the SIP ports, or replace them" },
	{ "evict", cmd_evict, "[all]",
	  "delete every stale entry now (all: judge every backend's entries)" },
	{ "stats", cmd_stats, "",
	  "the module's counters, label word and sweep delay" },
	{ "label-word", cmd_config, "N",
	  "conntrack label word (0..3) for the epoch; no backends yet" },
	{ "sweep-delay", cmd_config, "MS",
	  "start the background sweep MS (0..3600000) after a change" },
	{ "monitor", cmd_monitor, "[--count N] [--timeout SEC]",
	  "print the module's events as they come" },
	{ "help", cmd_help, "", "show this help" },
};

#define N_CMDS (sizeof(module_cmds) / sizeof(module_cmds[0]))

static void module_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-j] module <command> [<args>]\n\n", ctl_prog);
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %s%s%s\n      %s\n", module_cmds[i].name,
			module_cmds[i].args[0] ? " " : "", module_cmds[i].args,
			module_cmds[i].help);
	fprintf(f, "\nADDR is an IPv4 or IPv6 address; at most %d ports.\n",
		CTF_MAX_PORTS);
}

static int cmd_help(int argc, char **argv, const struct ctl_opts *o)
{
	(void)o;
	if (argc > 1)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[1]);
	module_usage(stdout);
	return CTL_EXIT_OK;
}

int ctl_module(int argc, char **argv, const struct ctl_opts *o)
{
	size_t i;

	if (argc < 2) {
		module_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(1, argv + 1, o);
	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(argv[1], module_cmds[i].name))
			return module_cmds[i].fn(argc - 1, argv + 1, o);
	fprintf(stderr,
		"%s module: unknown command '%s' (see '%s module help')\n",
		ctl_prog, argv[1], ctl_prog);
	return CTL_EXIT_USAGE;
}
