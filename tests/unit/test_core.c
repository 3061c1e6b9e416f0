// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/core.c without the module (ctnetlink mode), in private
 * network namespaces (needs root): which actions delete a backend's
 * conntrack entries and which leave them. A bump at the same address (a
 * neighbour's new lladdr, `cycle NAME`) keeps them, the same entries by
 * their ids: they lead to the address, where the new instance answers,
 * and deleted, a call the new instance already carries would get its next
 * reply un-NATed. A backend going down, moving (`cycle NAME ADDRESS`) or
 * the VIP leaving this host evicts them; one coming back into service
 * keeps what it has. The daemon's real nft table and conntrack, driven as
 * its poll loop would: through ctfd_act() and the control handler.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "epoch.h"
#include "maglev.h"
#include "nft.h"
#include "unit.h"

UNIT_SUITE("core");

#define B1     "10.0.1.11"
#define B2     "10.0.1.12"
#define B1_NEW "10.0.1.21"
#define VIP    "203.0.113.10"

static struct ctfd d;
static int saved_stderr = -1;
static FILE *log_file;
static char out[4096];

/*
 * The daemon's log (stderr) goes to a file while a case runs, to be read
 * by logged(); a failed case gets it printed after its failure.
 */
static void log_begin(void)
{
	fflush(stderr);
	log_file = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (log_file && saved_stderr >= 0)
		dup2(fileno(log_file), STDERR_FILENO);
}

static void log_end(void)
{
	char line[1024];

	fflush(stderr);
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
	if (!log_file)
		return;
	if (unit_failed) {
		fprintf(stderr, "  the daemon's log:\n");
		rewind(log_file);
		while (fgets(line, sizeof(line), log_file))
			fprintf(stderr, "    %s", line);
	}
	fclose(log_file);
	log_file = NULL;
}

/* Where the case's own log starts: after setup()'s commit. */
static long log_start;

/* How many of the case's log lines so far contain @what. */
static int logged(const char *what)
{
	char line[1024];
	int n = 0;

	if (!log_file)
		return -1;
	fseek(log_file, log_start, SEEK_SET);
	while (fgets(line, sizeof(line), log_file))
		n += !!strstr(line, what);
	fseek(log_file, 0, SEEK_END);
	return n;
}

static void add_backend(struct ctfd_state *st, const char *name,
			const char *addr)
{
	struct ctfd_backend *b = &st->backends[st->n_backends++];
	char err[CTF_PARSE_ERRLEN];

	snprintf(b->name, sizeof(b->name), "%s", name);
	ctf_parse_addr(addr, &b->addr, err, sizeof(err));
	b->state = CTF_STATE_ACTIVE;
}

/* An entry of a provider's flow that the DNAT sent to @backend. */
static bool insert(const char *backend, unsigned int sport)
{
	char cmd[512];

	snprintf(
		cmd, sizeof(cmd),
		"conntrack -I -p udp -s 198.51.100.7 -d " VIP
		" --sport %u --dport 5060 --reply-src %s --reply-dst 198.51.100.7 --reply-port-src 5060 --reply-port-dst %u -t 120 >/dev/null 2>&1",
		sport, backend, sport);
	return !system(cmd);
}

/*
 * A fresh namespace, a daemon in ctnetlink mode that committed b1 and b2
 * behind the VIP as ctfd_start() would, and two entries of each backend.
 */
static bool setup(void)
{
	struct ctfd_state *want;
	char err[512];
	int ret;

	log_begin();
	memset(&d, 0, sizeof(d));
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return false;
	}
	if (ctfd_nft_open(&d.nft) ||
	    ctfd_nft_read(d.nft, &d.dp, err, sizeof(err)))
		return false;
	want = calloc(1, sizeof(*want));
	d.run = calloc(1, sizeof(*d.run));
	if (!want || !d.run) {
		free(want);
		return false;
	}
	ctf_parse_addr(VIP, &want->vips[want->n_vips++], err, sizeof(err));
	want->ports[want->n_ports++] = 5060;
	add_backend(want, "b1", B1);
	add_backend(want, "b2", B2);
	want->table_size = 1009;
	want->seed = CTFD_DEFAULT_SEED;
	want->guard_percent = CTFD_DEFAULT_GUARD_PERCENT;
	d.run->table_size = want->table_size;
	d.run->seed = want->seed;
	log_start = 0;
	ret = ctfd_commit(&d, want, err, sizeof(err));
	free(want);
	if (ret) {
		fprintf(stderr, "commit: %s\n", err);
		return false;
	}
	fflush(stderr);
	fseek(log_file, 0, SEEK_END);
	log_start = ftell(log_file);
	return insert(B1, 40001) && insert(B1, 40002) && insert(B2, 40003) &&
	       insert(B2, 40004);
}

static void teardown(void)
{
	if (d.nft)
		ctfd_nft_close(d.nft);
	ctfd_dataplane_free(&d.dp);
	free(d.run);
	memset(&d, 0, sizeof(d));
	log_end();
}

/*
 * The ids of the entries whose reply comes from @backend, sorted, one
 * string: the same string is the same entries, not new ones in their
 * place. "" when there are none.
 */
static const char *ids(const char *backend, char *buf, size_t len)
{
	char cmd[256];
	size_t n = 0;
	FILE *p;

	snprintf(
		cmd, sizeof(cmd),
		"conntrack -L -f ipv4 --reply-src %s -o id 2>/dev/null | grep -o 'id=[0-9]*' | sort | tr '\\n' ' '",
		backend);
	buf[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return buf;
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static int entries(const char *backend)
{
	char buf[512];
	const char *s = ids(backend, buf, sizeof(buf));
	int n = 0;

	while ((s = strstr(s, "id=")) != NULL) {
		n++;
		s += 3;
	}
	return n;
}

static uint32_t epoch(const char *name)
{
	return d.run->backends[ctfd_find(&d, name)].epoch;
}

/* The epoch that @token names for the instance at @addr (epoch.h). */
static uint32_t derived(const char *addr, const char *token)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;

	if (ctf_parse_addr(addr, &a, err, sizeof(err)))
		return 0;
	return ctfd_epoch_derive(&a, token);
}

/* The token of the instance after the one of epoch @e. */
static const char *token_after(uint32_t e)
{
	static char buf[CTFD_TOKEN_MAX];

	ctfd_token_after(buf, e);
	return buf;
}

/* One control request as ctfailoverctl sends it; the response in out. */
static const char *ctl(const char *line)
{
	FILE *f = fmemopen(out, sizeof(out), "w");

	out[0] = '\0';
	if (!f)
		return out;
	ctfd_control_handle(&d, line, f);
	fclose(f);
	return out;
}

static struct ctfd_action action(enum ctfd_action_kind kind, const char *name,
				 uint8_t state, enum ctfd_source src,
				 const char *cause)
{
	struct ctfd_action a = { .kind = kind, .state = state, .source = src };

	if (name)
		a.backend = ctfd_find(&d, name);
	snprintf(a.cause, sizeof(a.cause), "%s", cause);
	return a;
}

static void lladdr_change_keeps_entries(void)
{
	struct ctfd_action a;
	char before[512], after[512];
	uint32_t e;

	CHECK(setup());
	a = action(CTFD_ACT_BUMP, "b1", 0, CTFD_SRC_NEIGH,
		   "neighbour " B1 " lladdr 02:00:00:00:01:01 -> "
		   "02:00:00:00:01:02 on be1");
	snprintf(a.token, sizeof(a.token), "lladdr 02:00:00:00:01:02");
	/* Named by the config's instance (none): the same on every host. */
	e = epoch("b1");
	CHECK_INT(e, derived(B1, ""));
	ids(B1, before, sizeof(before));
	CHECK_INT(entries(B2), 2);
	CHECK_INT(entries(B1), 2);
	CHECK_INT(ctfd_act(&d, &a), 0);
	CHECK_INT(epoch("b1"), derived(B1, "lladdr 02:00:00:00:01:02"));
	CHECK_INT(d.c.bumps, 1);
	CHECK_STR(ids(B1, after, sizeof(after)), before);
	CHECK_INT(entries(B2), 2);
	CHECK_INT(d.c.ct_scanned, 0);
	CHECK_INT(d.c.ct_evicted, 0);
	CHECK_INT(logged("bump backend=b1 address=" B1), 1);
	CHECK_INT(
		logged("ctnetlink: entries of " B1
		       " kept (same address: the next packet reaches the new instance)"),
		1);
	CHECK_INT(logged("evicted"), 0);
}

/* A link that came back under a backend someone restored meanwhile. */
static void link_flap_bump_keeps_entries(void)
{
	struct ctfd_action a;
	char before[512], after[512];

	CHECK(setup());
	a = action(CTFD_ACT_BUMP, "b2", 0, CTFD_SRC_LINK, "link be2 up again");
	ids(B2, before, sizeof(before));
	CHECK_INT(ctfd_act(&d, &a), 0);
	CHECK_STR(ids(B2, after, sizeof(after)), before);
	CHECK_INT(d.c.ct_scanned, 0);
	CHECK_INT(logged("ctnetlink: entries of " B2 " kept (same address"), 1);
}

static void cycle_same_address_keeps_entries(void)
{
	char before[512], after[512];
	uint32_t e;

	CHECK(setup());
	e = epoch("b1");
	ids(B1, before, sizeof(before));
	ctl("cycle b1");
	CHECK(!strncmp(out, "OK\nb1 epoch ", 12));
	CHECK_INT(epoch("b1"), derived(B1, token_after(e)));
	CHECK_STR(ids(B1, after, sizeof(after)), before);
	CHECK_INT(entries(B2), 2);
	CHECK_INT(d.c.ct_scanned, 0);
	CHECK_INT(d.c.events[CTFD_SRC_CONTROL], 1);
	CHECK_INT(logged("source=control cause=\"cycle b1\""), 1);
	CHECK_INT(logged("ctnetlink: entries of " B1 " kept (same address"), 1);
	/* No rtnetlink here: the flush fails, the cycle stands. */
	CHECK(strstr(out, "flush failed"));
}

static void cycle_new_address_evicts_old(void)
{
	char before[512], after[512];

	CHECK(setup());
	ids(B2, before, sizeof(before));
	ctl("cycle b1 " B1_NEW);
	CHECK(!strncmp(out, "OK\n", 3));
	CHECK_INT(entries(B1), 0);
	CHECK_STR(ids(B2, after, sizeof(after)), before);
	CHECK_INT(d.c.ct_evicted, 2);
	CHECK_INT(d.c.events[CTFD_SRC_CONTROL], 1);
	CHECK_INT(
		logged("ctnetlink: evicted 2 of 4 entries with reply source " B1
		       " (backend moved)"),
		1);
}

/*
 * Down: the commit evicts, once (one scan of the table). Back up: its
 * address did not change, nothing to evict.
 */
static void down_evicts_up_keeps(void)
{
	struct ctfd_action down, up;
	char before[512], after[512];
	uint32_t e;

	CHECK(setup());
	down = action(CTFD_ACT_SET_STATE, "b2", CTF_STATE_DOWN, CTFD_SRC_LINK,
		      "link be2 down (was active)");
	up = action(CTFD_ACT_SET_STATE, "b2", CTF_STATE_ACTIVE, CTFD_SRC_LINK,
		    "link be2 up again (back to active)");
	e = epoch("b2");
	ids(B1, before, sizeof(before));
	CHECK_INT(ctfd_act(&d, &down), 0);
	CHECK_INT(d.run->backends[ctfd_find(&d, "b2")].state, CTF_STATE_DOWN);
	/* Down: the instance's epoch's twin; back: the instance's again. */
	CHECK_INT(epoch("b2"), CTF_EPOCH_MAX - e);
	CHECK_INT(d.c.bumps, 1);
	CHECK_INT(entries(B2), 0);
	CHECK_STR(ids(B1, after, sizeof(after)), before);
	CHECK_INT(d.c.ct_evicted, 2);
	CHECK_INT(d.c.ct_scanned, 4);
	CHECK_INT(
		logged("ctnetlink: evicted 2 of 4 entries with reply source " B2
		       " (backend down)"),
		1);

	CHECK_INT(ctfd_act(&d, &up), 0);
	CHECK_INT(d.run->backends[ctfd_find(&d, "b2")].state, CTF_STATE_ACTIVE);
	CHECK_INT(epoch("b2"), e);
	CHECK_INT(d.c.bumps, 2);
	CHECK_INT(d.c.ct_scanned, 4);
	CHECK_INT(logged("ctnetlink: entries of " B2
			 " kept (back in service at the same address)"),
		  1);
}

/* A draining backend's calls stay on it when a probe says it is up. */
static void probe_up_keeps_draining_calls(void)
{
	char before[512], after[512];

	CHECK(setup());
	ids(B1, before, sizeof(before));
	ctl("drain b1");
	CHECK(!strncmp(out, "OK\n", 3));
	ctl("probe b1 up");
	CHECK(!strncmp(out, "OK\nb1 active epoch ", 19));
	CHECK_STR(ids(B1, after, sizeof(after)), before);
	CHECK_INT(d.c.ct_scanned, 0);
}

/* The VIP left: every entry goes, the epochs (the instances) stay. */
static void vip_lost_evicts_all(void)
{
	struct ctfd_action a;
	uint32_t e1, e2;

	CHECK(setup());
	e1 = epoch("b1");
	e2 = epoch("b2");
	a = action(CTFD_ACT_EVICT_ALL, NULL, 0, CTFD_SRC_ADDR,
		   "vip " VIP " removed");
	CHECK_INT(ctfd_act(&d, &a), 0);
	CHECK_INT(entries(B1), 0);
	CHECK_INT(entries(B2), 0);
	CHECK_INT(d.c.ct_evicted, 4);
	CHECK_INT(d.c.bumps, 0);
	CHECK_INT(epoch("b1"), e1);
	CHECK_INT(epoch("b2"), e2);
	/* One walk of the table for both backends. */
	CHECK_INT(logged("(the VIP left)"), 1);
	CHECK_INT(logged("reply source 10.0.1.11 and 1 more (the VIP left)"),
		  1);
	CHECK_INT(logged("epochs kept"), 1);
	CHECK_INT(logged("kept ("), 0);
}

/*
 * The config names a new instance of b1: its epoch is the one the name
 * derives (on every host alike), its entries kept (same address); the
 * same config again, or a restart that finds the name, changes nothing.
 */
static void config_instance_names_epoch(void)
{
	struct ctfd_state *next = malloc(sizeof(*next));
	char before[512], after[512], err[512];
	uint32_t e2;

	CHECK(setup());
	CHECK(next != NULL);
	if (!next)
		return;
	e2 = epoch("b2");
	ids(B1, before, sizeof(before));
	*next = *d.run;
	strcpy(next->backends[ctfd_find(&d, "b1")].instance, "i-0b1");
	CHECK_INT(ctfd_commit(&d, next, err, sizeof(err)), 0);
	CHECK_INT(epoch("b1"), derived(B1, "i-0b1"));
	CHECK_INT(epoch("b2"), e2);
	CHECK_STR(ids(B1, after, sizeof(after)), before);
	*next = *d.run;
	CHECK_INT(ctfd_commit(&d, next, err, sizeof(err)), 0);
	CHECK_INT(epoch("b1"), derived(B1, "i-0b1"));
	/* Down and back: the twin, then the instance's epoch again. */
	next->backends[ctfd_find(&d, "b1")].state = CTF_STATE_DOWN;
	CHECK_INT(ctfd_commit(&d, next, err, sizeof(err)), 0);
	CHECK_INT(epoch("b1"), CTF_EPOCH_MAX - derived(B1, "i-0b1"));
	next->backends[ctfd_find(&d, "b1")].state = CTF_STATE_ACTIVE;
	CHECK_INT(ctfd_commit(&d, next, err, sizeof(err)), 0);
	CHECK_INT(epoch("b1"), derived(B1, "i-0b1"));
	free(next);
}

#define CASE(fn)                   \
	static void run_##fn(void) \
	{                          \
		fn();              \
		teardown();        \
	}
CASE(lladdr_change_keeps_entries)
CASE(link_flap_bump_keeps_entries)
CASE(cycle_same_address_keeps_entries)
CASE(cycle_new_address_evicts_old)
CASE(down_evicts_up_keeps)
CASE(probe_up_keeps_draining_calls)
CASE(vip_lost_evicts_all)
CASE(config_instance_names_epoch)

const struct unit_case unit_cases[] = {
	{ "lladdr_change_keeps_entries", run_lladdr_change_keeps_entries },
	{ "link_flap_bump_keeps_entries", run_link_flap_bump_keeps_entries },
	{ "cycle_same_address_keeps_entries",
	  run_cycle_same_address_keeps_entries },
	{ "cycle_new_address_evicts_old", run_cycle_new_address_evicts_old },
	{ "down_evicts_up_keeps", run_down_evicts_up_keeps },
	{ "probe_up_keeps_draining_calls", run_probe_up_keeps_draining_calls },
	{ "vip_lost_evicts_all", run_vip_lost_evicts_all },
	{ "config_instance_names_epoch", run_config_instance_names_epoch },
	{ NULL, NULL },
};
