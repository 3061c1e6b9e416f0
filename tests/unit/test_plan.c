// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/plan.c: every kind of change as the user reads it, in
 * text and JSON, and the guard that refuses a config taking out too many
 * active backends at once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "maglev.h"
#include "plan.h"
#include "unit.h"

UNIT_SUITE("plan");

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct ctfd_state running, desired;

static void init(struct ctfd_state *st)
{
	char err[CTF_PARSE_ERRLEN];

	memset(st, 0, sizeof(*st));
	ctf_parse_addr("192.0.2.10", &st->vips[0], err, sizeof(err));
	st->n_vips = 1;
	st->ports[0] = 5060;
	st->n_ports = 1;
	st->table_size = 1009;
	st->seed = CTFD_DEFAULT_SEED;
	st->guard_percent = CTFD_DEFAULT_GUARD_PERCENT;
	st->guard_window_s = CTFD_DEFAULT_GUARD_WINDOW;
}

static struct ctfd_backend *add(struct ctfd_state *st, const char *name,
				const char *addr, uint8_t state)
{
	struct ctfd_backend *be = &st->backends[st->n_backends++];
	char err[CTF_PARSE_ERRLEN];

	memset(be, 0, sizeof(*be));
	snprintf(be->name, sizeof(be->name), "%s", name);
	if (ctf_parse_addr(addr, &be->addr, err, sizeof(err)))
		abort();
	be->state = state;
	return be;
}

static struct ctfd_backend *find(struct ctfd_state *st, const char *name)
{
	unsigned int i;

	for (i = 0; i < st->n_backends; i++)
		if (!strcmp(st->backends[i].name, name))
			return &st->backends[i];
	abort();
}

static void del(struct ctfd_state *st, const char *name)
{
	struct ctfd_backend *be = find(st, name);

	memmove(be, be + 1,
		(st->backends + --st->n_backends - be) * sizeof(*be));
}

/* ctfd_plan_print's output, or ctfd_plan_json's with key @key if @json. */
static char *render(const struct ctfd_plan *p, bool json, const char *key)
{
	struct ctf_json j;
	size_t len;
	char *out;
	FILE *f;

	f = open_memstream(&out, &len);
	if (!f)
		abort();
	if (json) {
		ctf_json_init(&j, f);
		ctf_json_begin_object(&j, NULL);
		ctfd_plan_json(&j, key, p);
		ctf_json_end_object(&j);
	} else {
		ctfd_plan_print(f, p);
	}
	fclose(f);
	return out;
}

/* What ctfd_dataplane_slots_moved says between running and desired. */
static unsigned int moved(int family)
{
	struct ctfd_dataplane a, b;
	unsigned int n;

	if (ctfd_dataplane_build(&running, &a) ||
	    ctfd_dataplane_build(&desired, &b))
		abort();
	n = ctfd_dataplane_slots_moved(&a, &b, family);
	ctfd_dataplane_free(&a);
	ctfd_dataplane_free(&b);
	return n;
}

static void five(struct ctfd_state *st)
{
	init(st);
	add(st, "sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add(st, "sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	add(st, "sip-c", "10.0.1.13", CTF_STATE_ACTIVE);
	add(st, "sip-e", "10.0.1.15", CTF_STATE_ACTIVE);
	add(st, "sip-f", "2001:db8::f", CTF_STATE_ACTIVE);
}

static void empty(void)
{
	struct ctfd_plan p;
	char *out;

	five(&running);
	five(&desired);
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK(ctfd_plan_empty(&p));
	CHECK_INT(p.n_changes, 0);
	CHECK_INT(p.slots_moved4, 0);
	CHECK_INT(p.slots_moved6, 0);
	CHECK_INT(p.active_before, 5);
	CHECK_INT(p.active_after, 5);
	CHECK_INT(p.active_lost, 0);
	CHECK(!p.refused && !p.forced);
	out = render(&p, false, NULL);
	CHECK_STR(out, "no changes\n");
	free(out);
	out = render(&p, true, "plan");
	CHECK_STR(
		out,
		"{\"plan\":{\"changes\":0,\"backends\":[],\"vips_added\":[],"
		"\"vips_removed\":[],\"slots_moved\":{\"table_size\":1009,"
		"\"ipv4\":0,\"ipv6\":0},\"active\":{\"before\":5,\"after\":5,"
		"\"lost\":0,\"moved\":0},"
		"\"slots_reshuffled\":{\"reshuffled\":0,\"served\":2018},"
		"\"guard\":{\"percent\":50,\"window_s\":0,\"window_out\":0,\"verdict\":\"ok\"}}}");
	free(out);
	ctfd_plan_free(&p);
	ctfd_plan_free(&p); /* zeroed: a no-op */

	/* The epoch and config line are not part of what a plan applies,
	 * nor is the order of the ports. */
	running.backends[0].epoch = 7;
	desired.backends[0].line = 12;
	running.ports[1] = 5080;
	running.n_ports = 2;
	desired.ports[0] = 5080;
	desired.ports[1] = 5060;
	desired.n_ports = 2;
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK(ctfd_plan_empty(&p));
	ctfd_plan_free(&p);
}

static void every_kind(void)
{
	char err[CTF_PARSE_ERRLEN], want[1024];
	struct ctfd_plan p;
	char *out;

	five(&running);
	five(&desired);
	del(&desired, "sip-a");
	ctf_parse_addr("10.0.1.22", &find(&desired, "sip-b")->addr, err,
		       sizeof(err));
	find(&desired, "sip-c")->state = CTF_STATE_DRAINING;
	add(&desired, "sip-d", "10.0.1.14", CTF_STATE_ACTIVE);
	strcpy(find(&desired, "sip-e")->ifname, "eth1");
	ctf_parse_addr("2001:db8::10", &desired.vips[1], err, sizeof(err));
	desired.n_vips = 2;
	desired.ports[1] = 5080;
	desired.n_ports = 2;

	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK(!ctfd_plan_empty(&p));
	CHECK_INT(p.n_changes, 5);
	CHECK_INT(p.changes[0].kind, CTFD_CHANGE_REMOVE);
	CHECK_STR(p.changes[0].old.name, "sip-a");
	CHECK_INT(p.changes[1].kind, CTFD_CHANGE_MODIFY);
	CHECK_INT(p.changes[1].what, CTFD_CHANGE_ADDR);
	CHECK_INT(p.changes[2].what, CTFD_CHANGE_STATE);
	CHECK_INT(p.changes[3].kind, CTFD_CHANGE_ADD);
	CHECK_STR(p.changes[3].new.name, "sip-d");
	CHECK_INT(p.changes[4].what, CTFD_CHANGE_IFNAME);
	CHECK_INT(p.n_vips_added, 1);
	CHECK_INT(p.n_vips_removed, 0);
	CHECK(p.ports_changed);
	/*
	 * sip-a removed and sip-c draining: 2 of 5 out of service; sip-b at
	 * a new address, its flows re-steered: 3 of 5, 60% > 50%.
	 */
	CHECK_INT(p.active_before, 5);
	CHECK_INT(p.active_after, 4);
	CHECK_INT(p.active_lost, 2);
	CHECK_INT(p.active_moved, 1);
	CHECK(p.refused && !p.forced);
	CHECK_STR(p.reason,
		  "would take 3 of 5 active backends out of service (2) or to "
		  "a new address (1) (60% > guard 50%); use --force");

	/* The counts are Maglev's, from the two data planes. */
	CHECK_INT(p.slots_moved4, moved(AF_INET));
	CHECK_INT(p.slots_moved6, 0);
	CHECK(p.slots_moved4 > 0 && p.slots_moved4 < 1009);

	snprintf(want, sizeof(want),
		 "- backend sip-a 10.0.1.11\n"
		 "~ backend sip-b address 10.0.1.12 -> 10.0.1.22\n"
		 "~ backend sip-c state active -> draining\n"
		 "+ backend sip-d 10.0.1.14 active\n"
		 "~ backend sip-e interface none -> eth1\n"
		 "+ vip 2001:db8::10\n"
		 "~ sip_ports 5060 -> 5060,5080\n"
		 "slots moved: %u of 1009 (IPv4), 0 of 1009 (IPv6)\n"
		 "guard: REFUSED: would take 3 of 5 active backends out of "
		 "service (2) or to a new address (1) (60%% > guard 50%%); use "
		 "--force\n",
		 p.slots_moved4);
	out = render(&p, false, NULL);
	CHECK_STR(out, want);
	free(out);
	ctfd_plan_free(&p);
}

static void modify_several(void)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctfd_plan p;
	char *out;

	init(&running);
	add(&running, "sip-a", "10.0.1.11", CTF_STATE_DOWN);
	strcpy(running.backends[0].ifname, "eth0");
	add(&running, "sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	init(&desired);
	add(&desired, "sip-a", "2001:db8::a", CTF_STATE_ACTIVE);
	add(&desired, "sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	add(&desired, "sip-g", "10.0.1.17", CTF_STATE_DRAINING);
	strcpy(desired.backends[2].ifname, "eth2");
	desired.vips[0].family = 0;
	ctf_parse_addr("192.0.2.11", &desired.vips[0], err, sizeof(err));

	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK_INT(p.n_changes, 2);
	CHECK_INT(p.changes[0].what,
		  CTFD_CHANGE_ADDR | CTFD_CHANGE_IFNAME | CTFD_CHANGE_STATE);
	/* down -> active is a gain, not a loss. */
	CHECK_INT(p.active_before, 1);
	CHECK_INT(p.active_after, 2);
	CHECK_INT(p.active_lost, 0);
	/* sip-a's IPv6 address takes every IPv6 slot. */
	CHECK_INT(p.slots_moved6, 1009);
	out = render(&p, false, NULL);
	CHECK_STR(out, "~ backend sip-a address 10.0.1.11 -> 2001:db8::a\n"
		       "~ backend sip-a interface eth0 -> none\n"
		       "~ backend sip-a state down -> active\n"
		       "+ backend sip-g 10.0.1.17 dev eth2 draining\n"
		       "+ vip 192.0.2.11\n"
		       "- vip 192.0.2.10\n"
		       "slots moved: 0 of 1009 (IPv4), 1009 of 1009 (IPv6)\n"
		       "guard: ok\n");
	free(out);
	out = render(&p, true, NULL);
	CHECK_STR(
		out,
		"{{\"changes\":4,\"backends\":["
		"{\"change\":\"modify\",\"name\":\"sip-a\","
		"\"changed\":[\"address\",\"interface\",\"state\"],"
		"\"old\":{\"address\":\"10.0.1.11\",\"interface\":\"eth0\","
		"\"state\":\"down\"},"
		"\"new\":{\"address\":\"2001:db8::a\",\"interface\":\"\","
		"\"state\":\"active\"}},"
		"{\"change\":\"add\",\"name\":\"sip-g\","
		"\"new\":{\"address\":\"10.0.1.17\",\"interface\":\"eth2\","
		"\"state\":\"draining\"}}],"
		"\"vips_added\":[\"192.0.2.11\"],"
		"\"vips_removed\":[\"192.0.2.10\"],"
		"\"slots_moved\":{\"table_size\":1009,\"ipv4\":0,\"ipv6\":1009},"
		"\"active\":{\"before\":1,\"after\":2,\"lost\":0,\"moved\":0},"
		"\"slots_reshuffled\":{\"reshuffled\":0,\"served\":1009},"
		"\"guard\":{\"percent\":50,\"window_s\":0,\"window_out\":0,\"verdict\":\"ok\"}}}");
	free(out);
	ctfd_plan_free(&p);
}

static void settings(void)
{
	struct ctfd_plan p;
	char *out;

	five(&running);
	five(&desired);
	desired.table_size = 1013;
	desired.seed = 1;
	desired.ports[0] = 5080;
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK_INT(p.n_changes, 0);
	CHECK(!ctfd_plan_empty(&p));
	/* A new modulus: every flow hashes anew; the guard refuses it. */
	CHECK_INT(p.slots_moved4, 1013);
	CHECK_INT(p.slots_moved6, 1013);
	out = render(&p, false, NULL);
	CHECK_STR(out,
		  "~ sip_ports 5060 -> 5080\n"
		  "~ maglev table_size 1009 -> 1013\n"
		  "~ maglev seed 0x43544631 -> 0x00000001\n"
		  "slots moved: 1013 of 1013 (IPv4), 1013 of 1013 (IPv6)\n"
		  "guard: REFUSED: would send 2018 of 2018 slots to another "
		  "backend that was serving already (100% > guard 50%: a new "
		  "table size or seed reshuffles them all); use --force\n");
	free(out);
	out = render(&p, true, "plan");
	CHECK_STR(
		out,
		"{\"plan\":{\"changes\":3,\"backends\":[],\"vips_added\":[],"
		"\"vips_removed\":[],"
		"\"sip_ports\":{\"old\":[5060],\"new\":[5080]},"
		"\"table_size\":{\"old\":1009,\"new\":1013},"
		"\"seed\":{\"old\":1129596465,\"new\":1},"
		"\"slots_moved\":{\"table_size\":1013,\"ipv4\":1013,"
		"\"ipv6\":1013},\"active\":{\"before\":5,\"after\":5,"
		"\"lost\":0,\"moved\":0},"
		"\"slots_reshuffled\":{\"reshuffled\":2018,\"served\":2018},"
		"\"guard\":{\"percent\":50,\"window_s\":0,\"window_out\":0,\"verdict\":\"refused\","
		"\"reason\":\"would send 2018 of 2018 slots to another backend that "
		"was serving already (100% > guard 50%: a new table size or seed "
		"reshuffles them all); use --force\"}}}");
	free(out);
	ctfd_plan_free(&p);
}

/* A hand-made state out of name order gives the same plan. */
static void unsorted(void)
{
	struct ctfd_backend tmp;
	struct ctfd_plan p, q;
	unsigned int i;

	five(&running);
	five(&desired);
	del(&desired, "sip-a");
	find(&desired, "sip-c")->state = CTF_STATE_DOWN;
	add(&desired, "sip-d", "10.0.1.14", CTF_STATE_ACTIVE);
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	for (i = 0; i < desired.n_backends / 2; i++) {
		tmp = desired.backends[i];
		desired.backends[i] =
			desired.backends[desired.n_backends - 1 - i];
		desired.backends[desired.n_backends - 1 - i] = tmp;
	}
	tmp = running.backends[0];
	running.backends[0] = running.backends[4];
	running.backends[4] = tmp;
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &q), 0);
	CHECK_INT(q.n_changes, 3);
	CHECK_INT(q.n_changes, p.n_changes);
	for (i = 0; i < p.n_changes; i++) {
		CHECK_INT(q.changes[i].kind, p.changes[i].kind);
		CHECK_INT(q.changes[i].what, p.changes[i].what);
		CHECK_STR(q.changes[i].old.name, p.changes[i].old.name);
		CHECK_STR(q.changes[i].new.name, p.changes[i].new.name);
	}
	CHECK_INT(q.slots_moved4, p.slots_moved4);
	CHECK_INT(q.active_lost, 2);
	ctfd_plan_free(&p);
	ctfd_plan_free(&q);
}

/*
 * A backend is its address: two of four renamed at unchanged addresses
 * are two renames, nothing lost, and the guard has nothing to say.
 * Moving every backend to a new address at once re-steers every flow:
 * refused.
 */
static void renames_and_moves(void)
{
	struct ctfd_plan p;
	char *out;

	init(&running);
	add(&running, "sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add(&running, "sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	add(&running, "sip-c", "10.0.1.13", CTF_STATE_ACTIVE);
	add(&running, "sip-d", "10.0.1.14", CTF_STATE_ACTIVE);
	init(&desired);
	add(&desired, "new-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add(&desired, "new-b", "10.0.1.12", CTF_STATE_DRAINING);
	add(&desired, "sip-c", "10.0.1.13", CTF_STATE_ACTIVE);
	add(&desired, "sip-d", "10.0.1.14", CTF_STATE_ACTIVE);
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK_INT(p.n_changes, 2);
	CHECK_INT(p.changes[0].kind, CTFD_CHANGE_MODIFY);
	CHECK_INT(p.changes[0].what, CTFD_CHANGE_NAME);
	CHECK_INT(p.changes[1].what, CTFD_CHANGE_NAME | CTFD_CHANGE_STATE);
	CHECK_INT(p.active_lost, 1); /* new-b drains */
	CHECK_INT(p.slots_moved4 > 0, 1);
	CHECK(!p.refused);
	out = render(&p, false, NULL);
	CHECK(strstr(out, "~ backend sip-a renamed new-a (same address "
			  "10.0.1.11: its flows stay)\n"));
	CHECK(strstr(out, "~ backend new-b state active -> draining\n"));
	free(out);
	ctfd_plan_free(&p);

	init(&desired);
	add(&desired, "sip-a", "10.0.1.21", CTF_STATE_ACTIVE);
	add(&desired, "sip-b", "10.0.1.22", CTF_STATE_ACTIVE);
	add(&desired, "sip-c", "10.0.1.23", CTF_STATE_ACTIVE);
	add(&desired, "sip-d", "10.0.1.24", CTF_STATE_ACTIVE);
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK_INT(p.active_lost, 0);
	CHECK_INT(p.active_moved, 4);
	CHECK(p.refused);
	CHECK_STR(p.reason,
		  "would take 4 of 4 active backends out of service (0) or to "
		  "a new address (4) (100% > guard 50%); use --force");
	ctfd_plan_free(&p);
}

/*
 * The budget over a window: 5 -> 3 passes (2 of 5), then 3 -> 2 within
 * the hour is 3 of 5 out: refused; after the window, or with a backend
 * back in service (by name or by address), it passes.
 */
static void window_budget(void)
{
	static struct ctfd_guard_log log;
	static struct ctfd_state mid;
	const uint64_t t0 = 1000000;
	struct ctfd_plan p;

	five(&running);
	five(&mid);
	del(&mid, "sip-a");
	del(&mid, "sip-b");
	CHECK_INT(ctfd_plan_build(&running, &mid, false, &p), 0);
	ctfd_plan_window(&p, &log, &running, &mid, t0, false);
	CHECK_INT(p.window_s, 3600);
	CHECK_INT(p.window_out, 0);
	CHECK(!p.refused);
	ctfd_plan_free(&p);
	ctfd_guard_log_commit(&log, &running, &mid, t0);
	CHECK_INT(log.n, 2);

	desired = mid;
	del(&desired, "sip-c");
	CHECK_INT(ctfd_plan_build(&mid, &desired, false, &p), 0);
	CHECK(!p.refused); /* 1 of 3, alone */
	ctfd_plan_window(&p, &log, &mid, &desired, t0 + 60 * 1000, false);
	CHECK_INT(p.window_out, 2);
	CHECK(p.refused);
	CHECK_STR(p.reason,
		  "would take 3 of 5 active backends out of service within "
		  "guard.window_s 3600: 2 by earlier changes, 1 by this one "
		  "(60% > guard 50%); use --force");
	ctfd_plan_free(&p);

	/* An hour later: judged alone. */
	CHECK_INT(ctfd_plan_build(&mid, &desired, false, &p), 0);
	ctfd_plan_window(&p, &log, &mid, &desired, t0 + 3600 * 1000, false);
	CHECK_INT(p.window_out, 0);
	CHECK(!p.refused);
	ctfd_plan_free(&p);

	/* sip-a back (a new address, its name): 1 earlier, 1 now, of 4. */
	add(&desired, "sip-a", "10.0.1.99", CTF_STATE_ACTIVE);
	CHECK_INT(ctfd_plan_build(&mid, &desired, false, &p), 0);
	ctfd_plan_window(&p, &log, &mid, &desired, t0 + 60 * 1000, false);
	CHECK_INT(p.window_out, 1);
	CHECK(!p.refused);
	ctfd_plan_free(&p);

	/* guard.window_s = 0 in either state: no budget. */
	del(&desired, "sip-a");
	desired.guard_window_s = 0;
	CHECK_INT(ctfd_plan_build(&mid, &desired, false, &p), 0);
	ctfd_plan_window(&p, &log, &mid, &desired, t0 + 60 * 1000, false);
	CHECK_INT(p.window_out, 0);
	CHECK(!p.refused);
	ctfd_plan_free(&p);
}

/*
 * Running: @active backends b0.. all active. Desired: the first @removed
 * gone, the next @drained draining, the next @downed down, plus @added new
 * active ones.
 */
static const struct {
	unsigned int active, removed, drained, downed, added;
	unsigned int guard_running, guard_desired;
	bool force;
	bool refused, forced;
	const char *reason;
} guard_cases[] = {
	{ 2, 1, 0, 0, 0, 50, 50, false, false, false, "" }, /* 50% !> 50% */
	{ 4, 2, 0, 0, 0, 50, 50, false, false, false, "" },
	{ 4, 3, 0, 0, 0, 50, 50, false, true, false,
	  "would remove 3 of 4 active backends (75% > guard 50%); use --force" },
	{ 4, 1, 1, 1, 0, 50, 50, false, true, false,
	  "would remove 3 of 4 active backends (75% > guard 50%); use --force" },
	{ 4, 0, 3, 0, 0, 50, 50, false, true, false,
	  "would remove 3 of 4 active backends (75% > guard 50%); use --force" },
	{ 4, 0, 0, 3, 0, 50, 50, false, true, false,
	  "would remove 3 of 4 active backends (75% > guard 50%); use --force" },
	{ 4, 4, 0, 0, 0, 100, 100, false, true, false,
	  "would remove all 4 active backends, leaving none; use --force" },
	{ 4, 2, 2, 0, 0, 100, 100, false, true, false,
	  "would remove all 4 active backends, leaving none; use --force" },
	{ 1, 1, 0, 0, 0, 100, 100, false, true, false,
	  "would remove the only active backend; use --force" },
	{ 4, 3, 0, 0, 0, 50, 50, true, false, true,
	  "would remove 3 of 4 active backends (75% > guard 50%)" },
	{ 4, 4, 0, 0, 0, 100, 100, true, false, true,
	  "would remove all 4 active backends, leaving none" },
	/* The stricter guard wins, whichever state has it. */
	{ 4, 3, 0, 0, 0, 50, 100, false, true, false,
	  "would remove 3 of 4 active backends (75% > guard 50%); use --force" },
	{ 4, 1, 0, 0, 0, 100, 20, false, true, false,
	  "would remove 1 of 4 active backends (25% > guard 20%); use --force" },
	{ 4, 1, 0, 0, 0, 100, 25, false, false, false, "" },
	/* A generated config cannot switch the guard off. */
	{ 4, 4, 0, 0, 0, 50, 100, false, true, false,
	  "would remove all 4 active backends, leaving none; use --force" },
	{ 3, 1, 0, 0, 0, 33, 50, false, true, false,
	  "would remove 1 of 3 active backends (33.3% > guard 33%); use --force" },
	{ 3, 2, 0, 0, 0, 66, 66, false, true, false,
	  "would remove 2 of 3 active backends (66.7% > guard 66%); use --force" },
	/* 33% exactly is not above 33%. */
	{ 1000, 330, 0, 0, 1, 33, 33, false, false, false, "" },
	{ 1000, 331, 0, 0, 0, 33, 33, false, true, false,
	  "would remove 331 of 1000 active backends (33.1% > guard 33%); use --force" },
	/* 33.0% once rounded: printed 33.1% so as not to read as 33%. */
	{ 1003, 331, 0, 0, 0, 33, 33, false, true, false,
	  "would remove 331 of 1003 active backends (33.1% > guard 33%); use --force" },
	/* Guard 0: no active backend may go without --force. */
	{ 4, 1, 0, 0, 0, 0, 50, false, true, false,
	  "would remove 1 of 4 active backends (25% > guard 0%); use --force" },
	{ 4, 0, 0, 0, 2, 0, 0, false, false, false, "" },
	/* New backends do not offset lost ones: renaming moves every slot. */
	{ 4, 4, 0, 0, 4, 50, 50, false, true, false,
	  "would remove 4 of 4 active backends (100% > guard 50%); use --force" },
	/* Nothing running yet: the first config is never refused. */
	{ 0, 0, 0, 0, 3, 0, 0, false, false, false, "" },
};

static void guard_table(void)
{
	char name[CTF_NAME_MAX], addr[CTF_ADDR_STRLEN];
	struct ctfd_plan p;
	unsigned int c, i;

	for (c = 0; c < N(guard_cases); c++) {
		typeof(guard_cases[0]) *g = &guard_cases[c];

		init(&running);
		init(&desired);
		running.table_size = desired.table_size =
			ctfd_maglev_size(g->active + g->added);
		running.guard_percent = g->guard_running;
		desired.guard_percent = g->guard_desired;
		for (i = 0; i < g->active; i++) {
			snprintf(name, sizeof(name), "b%04u", i);
			snprintf(addr, sizeof(addr), "10.1.%u.%u", i / 250,
				 i % 250 + 1);
			add(&running, name, addr, CTF_STATE_ACTIVE);
			if (i < g->removed)
				continue;
			add(&desired, name, addr,
			    i < g->removed + g->drained ? CTF_STATE_DRAINING
			    : i < g->removed + g->drained + g->downed
				    ? CTF_STATE_DOWN
				    : CTF_STATE_ACTIVE);
		}
		for (i = 0; i < g->added; i++) {
			snprintf(name, sizeof(name), "n%04u", i);
			snprintf(addr, sizeof(addr), "10.2.0.%u", i + 1);
			add(&desired, name, addr, CTF_STATE_ACTIVE);
		}
		CHECK_INT(ctfd_plan_build(&running, &desired, g->force, &p), 0);
		if (p.refused != g->refused || p.forced != g->forced ||
		    strcmp(p.reason, g->reason))
			fprintf(stderr, "  guard case %u\n", c);
		CHECK_INT(p.active_before, g->active);
		CHECK_INT(p.active_lost, g->removed + g->drained + g->downed);
		CHECK_INT(p.refused, g->refused);
		CHECK_INT(p.forced, g->forced);
		CHECK_STR(p.reason, g->reason);
		ctfd_plan_free(&p);
	}
}

static void guard_printed(void)
{
	struct ctfd_plan p;
	char *out;

	init(&running);
	add(&running, "sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add(&running, "sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	init(&desired);
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK(p.refused);
	CHECK_INT(p.active_after, 0);
	out = render(&p, false, NULL);
	CHECK_STR(out, "- backend sip-a 10.0.1.11\n"
		       "- backend sip-b 10.0.1.12\n"
		       "slots moved: 1009 of 1009 (IPv4), 0 of 1009 (IPv6)\n"
		       "guard: REFUSED: would remove all 2 active backends, "
		       "leaving none; use --force\n");
	free(out);
	out = render(&p, true, "plan");
	CHECK(strstr(
		out,
		"\"guard\":{\"percent\":50,\"window_s\":0,\"window_out\":0,\"verdict\":\"refused\","
		"\"reason\":\"would remove all 2 active backends, "
		"leaving none; use --force\"}}}"));
	free(out);
	ctfd_plan_free(&p);

	CHECK_INT(ctfd_plan_build(&running, &desired, true, &p), 0);
	CHECK(!p.refused && p.forced);
	out = render(&p, false, NULL);
	CHECK(strstr(out, "\nguard: FORCED: would remove all 2 active "
			  "backends, leaving none\n"));
	free(out);
	out = render(&p, true, NULL);
	CHECK(strstr(out, "\"verdict\":\"forced\""));
	free(out);
	ctfd_plan_free(&p);
}

static void invalid(void)
{
	struct ctfd_plan p;

	five(&running);
	five(&desired);
	desired.table_size = 1000;
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), -EINVAL);
	CHECK(!p.changes);
	ctfd_plan_free(&p);
	desired.table_size = 1009;
	running.table_size = 4;
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), -EINVAL);

	/* A daemon before its first config: nothing running, no table. */
	init(&running);
	running.table_size = 0;
	CHECK_INT(ctfd_plan_build(&running, &desired, false, &p), 0);
	CHECK_INT(p.n_changes, 5);
	CHECK_INT(p.slots_moved4, 1009);
	CHECK(!p.refused);
	ctfd_plan_free(&p);
}

const struct unit_case unit_cases[] = {
	{ "empty", empty },
	{ "every_kind", every_kind },
	{ "modify_several", modify_several },
	{ "settings", settings },
	{ "unsorted", unsorted },
	{ "guard_table", guard_table },
	{ "renames_and_moves", renames_and_moves },
	{ "window_budget", window_budget },
	{ "guard_printed", guard_printed },
	{ "invalid", invalid },
	{ NULL, NULL },
};
