// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/events.c: each classification rule as a sequence of
 * observations and the actions expected after each, applied to the state
 * as the daemon would; keepalived lines; the FIFO line buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/neighbour.h>

#include "events.h"
#include "unit.h"

UNIT_SUITE("events");

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct ctfd_state st;
static struct ctfd_watch w;
static struct ctfd_action acts[CTFD_EVENTS_MAX_ACTIONS];

/* b1 learns its link from its neighbour; b2 is on eth1 by config. */
enum { B1, B2, B3 };

static void add_backend(const char *name, const char *addr, const char *ifname,
			uint8_t state)
{
	struct ctfd_backend *b = &st.backends[st.n_backends++];
	char err[CTF_PARSE_ERRLEN];

	snprintf(b->name, sizeof(b->name), "%s", name);
	ctf_parse_addr(addr, &b->addr, err, sizeof(err));
	snprintf(b->ifname, sizeof(b->ifname), "%s", ifname);
	b->state = state;
}

static void setup(void)
{
	char err[CTF_PARSE_ERRLEN];

	memset(&st, 0, sizeof(st));
	add_backend("b1", "10.0.1.11", "", CTF_STATE_ACTIVE);
	add_backend("b2", "10.0.1.12", "eth1", CTF_STATE_ACTIVE);
	add_backend("b3", "2001:db8::11", "", CTF_STATE_ACTIVE);
	ctf_parse_addr("203.0.113.10", &st.vips[st.n_vips++], err, sizeof(err));
	ctf_parse_addr("2001:db8:ff::10", &st.vips[st.n_vips++], err,
		       sizeof(err));
	ctfd_watch_init(&w);
}

struct expect {
	enum ctfd_action_kind kind;
	unsigned int backend;
	uint8_t state;
	const char *cause;
};

struct step {
	enum ctfd_obs_kind kind;
	const char *addr; /* NEIGH, ADDR */
	int ifindex;
	const char *name;   /* LINK, and ADDR's label */
	const char *lladdr; /* NEIGH: "02:00:...", NULL for none */
	uint16_t nud;
	bool up;
	bool initial;
	int n; /* actions expected */
	struct expect e[2];
};

static struct ctfd_obs make_obs(const struct step *s)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctfd_obs o = { .kind = s->kind, .ifindex = s->ifindex };
	unsigned int b[32];
	int n = 0;

	if (s->addr)
		ctf_parse_addr(s->addr, &o.addr, err, sizeof(err));
	if (s->name)
		snprintf(o.ifname, sizeof(o.ifname), "%s", s->name);
	if (s->lladdr) {
		const char *p = s->lladdr;
		int used;

		while (n < 32 && sscanf(p, "%x%n", &b[n], &used) == 1) {
			o.lladdr[n] = b[n];
			n++;
			p += used;
			if (*p == ':')
				p++;
		}
		o.lladdr_len = n;
	}
	o.nud_state = s->nud;
	o.up = s->up;
	return o;
}

/* What the daemon does with an action, as far as the watch can tell. */
static void apply(const struct ctfd_action *a)
{
	if (a->kind == CTFD_ACT_SET_STATE)
		st.backends[a->backend].state = a->state;
}

static void check_actions(size_t step, int got, int want,
			  const struct expect *e)
{
	int i;

	if (got != want)
		fprintf(stderr, "  step %zu: %d actions (%s)\n", step, got,
			got > 0 ? acts[0].cause : "");
	CHECK_INT(got, want);
	for (i = 0; i < got; i++) {
		if (acts[i].kind != e[i].kind ||
		    acts[i].backend != e[i].backend ||
		    acts[i].state != e[i].state ||
		    strcmp(acts[i].cause, e[i].cause))
			fprintf(stderr, "  step %zu action %d: %d %u %u '%s'\n",
				step, i, acts[i].kind, acts[i].backend,
				acts[i].state, acts[i].cause);
		CHECK_INT(acts[i].kind, e[i].kind);
		CHECK_INT(acts[i].backend, e[i].backend);
		CHECK_INT(acts[i].state, e[i].state);
		CHECK_STR(acts[i].cause, e[i].cause);
		apply(&acts[i]);
	}
}

static void run(const struct step *s, size_t n)
{
	struct ctfd_obs o;
	size_t i;
	int got;

	for (i = 0; i < n; i++) {
		o = make_obs(&s[i]);
		got = ctfd_events_classify(&w, &st, &o, s[i].initial, acts,
					   N(acts));
		check_actions(i, got, s[i].n, s[i].e);
		if (unit_failed)
			return;
	}
}

#define RUN(steps) run(steps, N(steps))

#define LL1 "02:00:00:00:01:01"
#define LL2 "02:00:00:00:01:02"
#define LL3 "02:00:00:00:01:03"
/* The links of the host: eth0 the VIP side, eth1 and eth2 backend sides. */
#define LINKS_AT_START                                                         \
	{ CTFD_OBS_LINK, NULL, 2, "eth0", NULL, 0, true, true, 0, { { 0 } } }, \
		{ CTFD_OBS_LINK, NULL, 3, "eth1",   NULL, 0,                   \
		  true,		 true, 0, { { 0 } } },                         \
	{                                                                      \
		CTFD_OBS_LINK, NULL, 4, "eth2", NULL, 0, true, true, 0,        \
		{                                                              \
			{                                                      \
				0                                              \
			}                                                      \
		}                                                              \
	}

#define NEIGH(addr, ifx, ll, nud) \
	CTFD_OBS_NEIGH, addr, ifx, NULL, ll, nud, false
#define NEIGH_DEL(addr, ifx, ll) \
	CTFD_OBS_NEIGH_DEL, addr, ifx, NULL, ll, 0, false
#define LINK(ifx, name, up)   CTFD_OBS_LINK, NULL, ifx, name, NULL, 0, up
#define LINK_DEL(ifx, name)   CTFD_OBS_LINK_DEL, NULL, ifx, name, NULL, 0, false
#define ADDR(addr, ifx, name) CTFD_OBS_ADDR, addr, ifx, name, NULL, 0, false
#define ADDR_DEL(addr, ifx, name) \
	CTFD_OBS_ADDR_DEL, addr, ifx, name, NULL, 0, false
#define NONE              \
	0,                \
	{                 \
		{         \
			0 \
		}         \
	}
#define BUMP(b, cause)                             \
	1,                                         \
	{                                          \
		{                                  \
			CTFD_ACT_BUMP, b, 0, cause \
		}                                  \
	}
#define SET(b, s, cause)                                \
	1,                                              \
	{                                               \
		{                                       \
			CTFD_ACT_SET_STATE, b, s, cause \
		}                                       \
	}
#define ALL(cause)                                      \
	1,                                              \
	{                                               \
		{                                       \
			CTFD_ACT_EVICT_ALL, 0, 0, cause \
		}                                       \
	}
#define TAKE(cause)                                    \
	1,                                             \
	{                                              \
		{                                      \
			CTFD_ACT_TAKEOVER, 0, 0, cause \
		}                                      \
	}

static void neigh_lladdr_change_bumps(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		/* First sight: learnt, not a change. */
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL2, NUD_REACHABLE), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL1 " -> " LL2
			   " on eth1") },
		{ NEIGH("10.0.1.11", 3, LL2, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL2 " -> " LL1
			   " on eth1") },
	};

	setup();
	RUN(s);
}

/* Every NUD transition sends RTM_NEWNEIGH with the same lladdr. */
static void neigh_state_changes_same_lladdr_are_not_changes(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_STALE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_DELAY), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_PROBE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_PERMANENT), false, NONE },
	};

	setup();
	RUN(s);
}

static void neigh_unreachable_is_not_an_event(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, NULL, NUD_INCOMPLETE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, NULL, NUD_FAILED), false, NONE },
		/* Whatever a FAILED entry carries is not an answer. */
		{ NEIGH("10.0.1.11", 3, LL3, NUD_FAILED), false, NONE },
		{ NEIGH("10.0.1.11", 3, NULL, NUD_INCOMPLETE), false, NONE },
		/* The same instance answers again: still not a change. */
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, NULL, NUD_FAILED), false, NONE },
		/* Another one does: the FAILED in between did not erase LL1. */
		{ NEIGH("10.0.1.11", 3, LL2, NUD_REACHABLE), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL1 " -> " LL2
			   " on eth1") },
	};

	setup();
	RUN(s);
}

/* An instance replaced while its entry was garbage-collected. */
static void neigh_deleted_keeps_last_lladdr(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_STALE), false, NONE },
		{ NEIGH_DEL("10.0.1.11", 3, LL1), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH_DEL("10.0.1.11", 3, LL1), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL2, NUD_REACHABLE), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL1 " -> " LL2
			   " on eth1") },
	};

	setup();
	RUN(s);
}

static void neigh_permanent_rewrite_bumps(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_PERMANENT), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL2, NUD_PERMANENT), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL1 " -> " LL2
			   " on eth1") },
		{ NEIGH("10.0.1.11", 3, LL3, NUD_NOARP), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL2 " -> " LL3
			   " on eth1") },
	};

	setup();
	RUN(s);
}

/*
 * cycle bumped and flushed the entry: its next lladdr is the new
 * instance's first sight. Only one: a change after it is a change.
 */
static void neigh_cycle_relearns(void)
{
	static const struct step before[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.12", 3, LL1, NUD_REACHABLE), false, NONE },
	};
	/* What the flush and the next packet make the kernel say. */
	static const struct step after[] = {
		{ NEIGH("10.0.1.11", 3, LL1, NUD_FAILED), false, NONE },
		{ NEIGH_DEL("10.0.1.11", 3, LL1), false, NONE },
		{ NEIGH("10.0.1.11", 3, NULL, NUD_INCOMPLETE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL2, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL3, NUD_REACHABLE), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL2 " -> " LL3
			   " on eth1") },
		/* b2, on eth1 by config: a sight on eth2 is not its own. */
		{ NEIGH("10.0.1.12", 4, LL3, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.12", 3, LL2, NUD_REACHABLE), false, NONE },
	};
	/* Cycled before the instance changed: the old lladdr spends it. */
	static const struct step early[] = {
		{ NEIGH("10.0.1.11", 3, LL3, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL3 " -> " LL1
			   " on eth1") },
	};
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;

	setup();
	RUN(before);
	CHECK_INT(ctf_parse_addr("10.0.1.11", &a, err, sizeof(err)), 0);
	ctfd_events_neigh_relearn(&w, &a);
	CHECK_INT(ctf_parse_addr("10.0.1.12", &a, err, sizeof(err)), 0);
	ctfd_events_neigh_relearn(&w, &a);
	/* Never seen: nothing to relearn, nothing breaks. */
	CHECK_INT(ctf_parse_addr("2001:db8::11", &a, err, sizeof(err)), 0);
	ctfd_events_neigh_relearn(&w, &a);
	RUN(after);
	if (unit_failed)
		return;
	CHECK_INT(ctf_parse_addr("10.0.1.11", &a, err, sizeof(err)), 0);
	ctfd_events_neigh_relearn(&w, &a);
	RUN(early);
}

static void neigh_ipv6(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("2001:db8::11", 4, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("2001:db8::11", 4, LL1, NUD_STALE), false, NONE },
		{ NEIGH("2001:db8::11", 4, LL2, NUD_REACHABLE), false,
		  BUMP(B3, "neighbour 2001:db8::11 lladdr " LL1 " -> " LL2
			   " on eth2") },
		/* Not a backend: 10.0.1.11's IPv6 twin is nobody. */
		{ NEIGH("2001:db8::12", 4, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("2001:db8::12", 4, LL2, NUD_REACHABLE), false, NONE },
	};

	setup();
	RUN(s);
}

static void neigh_not_a_backend(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.99", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.99", 3, LL2, NUD_REACHABLE), false, NONE },
		{ NEIGH("203.0.113.10", 2, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("203.0.113.10", 2, LL2, NUD_REACHABLE), false, NONE },
	};

	setup();
	RUN(s);
}

/* b2 is on eth1: the same address answering on eth2 is someone else. */
static void neigh_on_another_link_ignored(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.12", 3, LL1, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.12", 4, LL2, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.12", 4, LL3, NUD_REACHABLE), false, NONE },
		{ NEIGH("10.0.1.12", 3, LL1, NUD_STALE), false, NONE },
		{ NEIGH("10.0.1.12", 3, LL2, NUD_REACHABLE), false,
		  BUMP(B2, "neighbour 10.0.1.12 lladdr " LL1 " -> " LL2
			   " on eth1") },
	};

	setup();
	RUN(s);
}

static void initial_dump_records_only(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), true, NONE },
		{ NEIGH("10.0.1.12", 3, LL2, NUD_PERMANENT), true, NONE },
		{ ADDR("203.0.113.10", 2, "eth0"), true, NONE },
		/* Notifications repeating what the dump said. */
		{ ADDR("203.0.113.10", 2, "eth0"), false, NONE },
		{ NEIGH("10.0.1.11", 3, LL1, NUD_STALE), false, NONE },
		{ LINK(3, "eth1", true), false, NONE },
		/* And a real change after it. */
		{ NEIGH("10.0.1.12", 3, LL3, NUD_PERMANENT), false,
		  BUMP(B2, "neighbour 10.0.1.12 lladdr " LL2 " -> " LL3
			   " on eth1") },
	};

	setup();
	RUN(s);
}

/* The notification was lost in an overrun; the dump shows the change. */
static void resync_dump_shows_lost_change(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), true, NONE },
		{ NEIGH("2001:db8::11", 4, LL1, NUD_REACHABLE), true, NONE },
		/* ENOBUFS; the resync dump: */
		{ LINK(3, "eth1", true), true, NONE },
		{ NEIGH("10.0.1.11", 3, LL2, NUD_REACHABLE), true,
		  BUMP(B1, "neighbour 10.0.1.11 lladdr " LL1 " -> " LL2
			   " on eth1") },
		{ NEIGH("2001:db8::11", 4, LL1, NUD_STALE), true, NONE },
		/* b1 by its neighbour entry, b2 by its ifname. */
		{ LINK(3, "eth1", false),
		  true,
		  2,
		  { { CTFD_ACT_SET_STATE, B1, CTF_STATE_DOWN,
		      "link eth1 down (was active)" },
		    { CTFD_ACT_SET_STATE, B2, CTF_STATE_DOWN,
		      "link eth1 down (was active)" } } },
	};

	setup();
	RUN(s);
}

static void link_by_name_down_up(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ LINK(3, "eth1", false), false,
		  SET(B2, CTF_STATE_DOWN, "link eth1 down (was active)") },
		{ LINK(3, "eth1", false), false, NONE },
		{ LINK(4, "eth2", false), false, NONE },
		{ LINK(3, "eth1", true), false,
		  SET(B2, CTF_STATE_ACTIVE,
		      "link eth1 up again (back to active)") },
		{ LINK(3, "eth1", true), false, NONE },
	};

	setup();
	RUN(s);
	CHECK_INT(st.backends[B2].state, CTF_STATE_ACTIVE);
}

/* Carrier lost: the link is administratively up but not running. */
static void link_first_sight_is_no_event(void)
{
	static const struct step s[] = {
		{ LINK(3, "eth1", false), false, NONE },
		{ LINK(3, "eth1", true), false, NONE },
		{ LINK(3, "eth1", false), false,
		  SET(B2, CTF_STATE_DOWN, "link eth1 down (was active)") },
	};

	setup();
	RUN(s);
}

static void link_respects_other_downs(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ LINK(3, "eth1", false), false, NONE },
		{ LINK(3, "eth1", true), false, NONE },
	};

	setup();
	st.backends[B2].state = CTF_STATE_DOWN; /* the operator's */
	RUN(s);
	CHECK_INT(st.backends[B2].state, CTF_STATE_DOWN);
}

static void link_restores_draining(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ LINK(3, "eth1", false), false,
		  SET(B2, CTF_STATE_DOWN, "link eth1 down (was draining)") },
		{ LINK(3, "eth1", true), false,
		  SET(B2, CTF_STATE_DRAINING,
		      "link eth1 up again (back to draining)") },
	};

	setup();
	st.backends[B2].state = CTF_STATE_DRAINING;
	RUN(s);
}

static void link_deleted_and_recreated(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ LINK_DEL(3, "eth1"), false,
		  SET(B2, CTF_STATE_DOWN, "link eth1 deleted (was active)") },
		/* A new eth1, new ifindex: the same link by name. */
		{ LINK(9, "eth1", false), false, NONE },
		{ LINK(9, "eth1", true), false,
		  SET(B2, CTF_STATE_ACTIVE,
		      "link eth1 up again (back to active)") },
		{ LINK(9, "eth1", false), false,
		  SET(B2, CTF_STATE_DOWN, "link eth1 down (was active)") },
	};

	setup();
	RUN(s);
}

/* b1 has no ifname: its link is where its neighbour entry is. */
static void link_learned_from_neighbour(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ LINK(4, "eth2", false), false, NONE },
		{ NEIGH("10.0.1.11", 4, LL1, NUD_REACHABLE), false, NONE },
		{ LINK(4, "eth2", true), false, NONE },
		{ LINK(4, "eth2", false), false,
		  SET(B1, CTF_STATE_DOWN, "link eth2 down (was active)") },
		{ LINK(4, "eth2", true), false,
		  SET(B1, CTF_STATE_ACTIVE,
		      "link eth2 up again (back to active)") },
	};

	setup();
	RUN(s);
}

/* One link, every backend behind it, in st order. */
static void link_carries_several_backends(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ NEIGH("10.0.1.11", 3, LL1, NUD_REACHABLE), false, NONE },
		{ LINK(3, "eth1", false),
		  false,
		  2,
		  { { CTFD_ACT_SET_STATE, B1, CTF_STATE_DOWN,
		      "link eth1 down (was active)" },
		    { CTFD_ACT_SET_STATE, B2, CTF_STATE_DOWN,
		      "link eth1 down (was active)" } } },
	};
	struct ctfd_obs o = { .kind = CTFD_OBS_LINK, .ifindex = 3, .up = true };

	setup();
	RUN(s);
	/* Too small an array: the caller learns that it lost actions. */
	strcpy(o.ifname, "eth1");
	CHECK_INT(ctfd_events_classify(&w, &st, &o, false, acts, 1), -ENOSPC);
	CHECK_INT(acts[0].kind, CTFD_ACT_SET_STATE);
}

/* Gaining a VIP is a TAKEOVER, losing it a BUMP_ALL; repeats are nothing. */
static void vip_add_remove_repeat(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ ADDR("203.0.113.10", 2, "eth0"), false,
		  TAKE("vip 203.0.113.10 added on eth0: this host took over") },
		{ ADDR("203.0.113.10", 2, "eth0"), false, NONE },
		/* Not a VIP. */
		{ ADDR("203.0.113.11", 2, "eth0"), false, NONE },
		{ ADDR_DEL("203.0.113.11", 2, "eth0"), false, NONE },
		{ ADDR_DEL("203.0.113.10", 2, "eth0"), false,
		  ALL("vip 203.0.113.10 removed from eth0: this host gave it "
		      "up") },
		{ ADDR_DEL("203.0.113.10", 2, "eth0"), false, NONE },
		{ ADDR("203.0.113.10", 2, "eth0"), false,
		  TAKE("vip 203.0.113.10 added on eth0: this host took over") },
		/* IPv6: one NEWADDR per flag change (tentative, then not). */
		{ ADDR("2001:db8:ff::10", 2, NULL), false,
		  TAKE("vip 2001:db8:ff::10 added on eth0: this host took "
		       "over") },
		{ ADDR("2001:db8:ff::10", 2, NULL), false, NONE },
		/* A second copy elsewhere going away moves nothing. */
		{ ADDR_DEL("2001:db8:ff::10", 3, NULL), false, NONE },
		{ ADDR_DEL("2001:db8:ff::10", 2, NULL), false,
		  ALL("vip 2001:db8:ff::10 removed from eth0: this host gave "
		      "it up") },
	};

	setup();
	RUN(s);
}

static void vip_present_at_start(void)
{
	static const struct step s[] = {
		LINKS_AT_START,
		{ ADDR("203.0.113.10", 2, "eth0"), true, NONE },
		{ ADDR("203.0.113.10", 2, "eth0"), false, NONE },
		{ ADDR_DEL("203.0.113.10", 2, "eth0"), false,
		  ALL("vip 203.0.113.10 removed from eth0: this host gave it "
		      "up") },
	};

	setup();
	RUN(s);
}

/* What an overrun lost leaves no trace in a dump: the resync bracket. */
static void resync_sweeps_what_is_gone(void)
{
	static const struct step before[] = {
		LINKS_AT_START,
		{ ADDR("203.0.113.10", 2, "eth0"), true, NONE },
		{ ADDR("2001:db8:ff::10", 2, "eth0"), true, NONE },
	};
	/* The dump: eth1 and both VIPs are gone. */
	static const struct step dump[] = {
		{ LINK(2, "eth0", true), true, NONE },
		{ LINK(4, "eth2", true), true, NONE },
	};
	int n;

	setup();
	ctfd_events_resync_begin(&w);
	run(before, N(before));
	CHECK_INT(ctfd_events_resync_end(&w, &st, acts, N(acts)), 0);
	CHECK(!unit_failed);

	ctfd_events_resync_begin(&w);
	run(dump, N(dump));
	CHECK(!unit_failed);
	n = ctfd_events_resync_end(&w, &st, acts, N(acts));
	CHECK_INT(n, 2);
	CHECK_INT(acts[0].kind, CTFD_ACT_SET_STATE);
	CHECK_INT(acts[0].backend, B2);
	CHECK_STR(acts[0].cause, "link eth1 gone (was active)");
	CHECK_INT(acts[1].kind, CTFD_ACT_EVICT_ALL);
	CHECK_STR(acts[1].cause, "vip 203.0.113.10 and others gone from this "
				 "host (notification lost)");
	/* Without a bracket open, _end() has nothing to say. */
	CHECK_INT(ctfd_events_resync_end(&w, &st, acts, N(acts)), 0);
}

/*
 * At start, the bracket teaches "not here" and does nothing else (a start
 * evicts nothing), so the first add is a takeover.
 */
static void resync_at_start_learns_absent_vips(void)
{
	static const struct step s[] = {
		{ ADDR("203.0.113.10", 2, "eth0"), false,
		  TAKE("vip 203.0.113.10 added on eth0: this host took over") },
	};

	setup();
	ctfd_events_resync_begin(&w);
	CHECK_INT(ctfd_events_resync_end(&w, &st, acts, N(acts)), 0);
	RUN(s);
}

/* The VIP came back while notifications were lost: a takeover still. */
static void resync_dump_shows_lost_takeover(void)
{
	static const struct step start[] = {
		LINKS_AT_START,
		{ ADDR("203.0.113.10", 2, "eth0"), true, NONE },
	};
	static const struct step gone[] = {
		{ ADDR_DEL("203.0.113.10", 2, "eth0"), false,
		  ALL("vip 203.0.113.10 removed from eth0: this host gave it "
		      "up") },
	};
	/* ENOBUFS; the dump shows it back. */
	static const struct step dump[] = {
		{ LINK(2, "eth0", true), true, NONE },
		{ LINK(3, "eth1", true), true, NONE },
		{ LINK(4, "eth2", true), true, NONE },
		{ ADDR("203.0.113.10", 2, "eth0"), true,
		  TAKE("vip 203.0.113.10 added on eth0: this host took over") },
	};

	setup();
	ctfd_events_resync_begin(&w);
	RUN(start);
	CHECK_INT(ctfd_events_resync_end(&w, &st, acts, N(acts)), 0);
	RUN(gone);
	ctfd_events_resync_begin(&w);
	RUN(dump);
	/* What the dump showed is not "gone" again. */
	CHECK_INT(ctfd_events_resync_end(&w, &st, acts, N(acts)), 0);
}

static const struct {
	const char *line;
	int ret;
	const char *kind, *name, *state;
} ka_parse_cases[] = {
	{ "INSTANCE \"VI_1\" MASTER 100", 0, "INSTANCE", "VI_1", "MASTER" },
	{ "INSTANCE \"VI_1\" MASTER 100\n", 0, "INSTANCE", "VI_1", "MASTER" },
	{ "GROUP \"G\" BACKUP 0", 0, "GROUP", "G", "BACKUP" },
	{ "INSTANCE \"vi-2.x\" FAULT 0", 0, "INSTANCE", "vi-2.x", "FAULT" },
	{ "INSTANCE \"VI_1\" STOP", 0, "INSTANCE", "VI_1", "STOP" },
	{ "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 255", 0, "INSTANCE", "VI_1",
	  "MASTER_RX_LOWER_PRI" },
	{ "VS [192.168.201.15]:tcp:80 UP", 1, NULL, NULL, NULL },
	{ "RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN", 1, NULL, NULL,
	  NULL },
	{ "", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE", -EINVAL, NULL, NULL, NULL },
	{ "INSTA \"VI_1\" MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "instance \"VI_1\" MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE VI_1 MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1 MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"\" MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI 1\" MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\"  MASTER 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\" master 100", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\" MASTER 256", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\" MASTER -1", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\" MASTER 100 x", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\" MASTER ", -EINVAL, NULL, NULL, NULL },
	{ "INSTANCE \"VI_1\" MASTER 100\r", -EINVAL, NULL, NULL, NULL },
};

static void keepalived_parse_table(void)
{
	char kind[16], name[64], state[32], err[CTF_PARSE_ERRLEN];
	size_t i;

	for (i = 0; i < N(ka_parse_cases); i++) {
		int ret = ctfd_keepalived_parse(
			ka_parse_cases[i].line, kind, sizeof(kind), name,
			sizeof(name), state, sizeof(state), err, sizeof(err));

		if (ret != ka_parse_cases[i].ret)
			fprintf(stderr, "  '%s'\n", ka_parse_cases[i].line);
		CHECK_INT(ret, ka_parse_cases[i].ret);
		if (ret < 0) {
			CHECK(!strncmp(err, "bad keepalived line '", 21));
			continue;
		}
		if (ret)
			continue;
		CHECK_STR(kind, ka_parse_cases[i].kind);
		CHECK_STR(name, ka_parse_cases[i].name);
		CHECK_STR(state, ka_parse_cases[i].state);
	}
	CHECK_INT(ctfd_keepalived_parse("INSTANCE \"VI_1\" MASTER", kind, 5,
					name, sizeof(name), state,
					sizeof(state), err, sizeof(err)),
		  -EINVAL);
	CHECK_INT(ctfd_keepalived_parse("INSTANCE \"VI_1_long\" MASTER", kind,
					sizeof(kind), name, 5, state,
					sizeof(state), err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "keepalived name too long in 'INSTANCE \"VI_1_long\" "
		       "MASTER'");
}

static const struct {
	const char *line;
	int ret;
	enum ctfd_action_kind kind; /* when ret == 1 */
	const char *cause;
} ka_cases[] = {
	/* Its first line: the state before is unknown. */
	{ "INSTANCE \"VI_1\" BACKUP 100", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_1 BACKUP" },
	{ "INSTANCE \"VI_1\" BACKUP 100", 0, 0, NULL },
	/* Gaining the VIP: a takeover. */
	{ "INSTANCE \"VI_1\" MASTER 100", 1, CTFD_ACT_TAKEOVER,
	  "keepalived INSTANCE VI_1 BACKUP -> MASTER" },
	{ "INSTANCE \"VI_1\" MASTER 100", 0, 0, NULL },
	{ "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 100", 0, 0, NULL },
	{ "INSTANCE \"VI_1\" MASTER_PRIORITY 90", 0, 0, NULL },
	/* Its group is another thing keepalived reports on. */
	{ "GROUP \"VI_1\" MASTER 0", 1, CTFD_ACT_TAKEOVER,
	  "keepalived GROUP VI_1 MASTER" },
	{ "INSTANCE \"VI_2\" MASTER 100", 1, CTFD_ACT_TAKEOVER,
	  "keepalived INSTANCE VI_2 MASTER" },
	/* Losing it, every way keepalived says so: evict. */
	{ "INSTANCE \"VI_1\" FAULT 0", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_1 MASTER -> FAULT" },
	{ "INSTANCE \"VI_1\" BACKUP 100", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_1 FAULT -> BACKUP" },
	{ "INSTANCE \"VI_1\" MASTER 100", 1, CTFD_ACT_TAKEOVER,
	  "keepalived INSTANCE VI_1 BACKUP -> MASTER" },
	{ "INSTANCE \"VI_1\" BACKUP 100", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_1 MASTER -> BACKUP" },
	{ "INSTANCE \"VI_1\" STOP 0", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_1 BACKUP -> STOP" },
	{ "INSTANCE \"VI_1\" DELETED 0", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_1 STOP -> DELETED" },
	{ "INSTANCE \"VI_2\" STOP 0", 1, CTFD_ACT_EVICT_ALL,
	  "keepalived INSTANCE VI_2 MASTER -> STOP" },
	/* A first line of MASTER: a takeover too. */
	{ "INSTANCE \"VI_3\" MASTER 100", 1, CTFD_ACT_TAKEOVER,
	  "keepalived INSTANCE VI_3 MASTER" },
	/* Bad lines are errors to log; they change nothing. */
	{ "INSTANCE \"VI_1\" SLEEPING 0", -EINVAL, 0, NULL },
	{ "INSTANCE VI_1 MASTER 100", -EINVAL, 0, NULL },
	{ "VS [192.168.201.15]:tcp:80 UP", 0, 0, NULL },
	{ "INSTANCE \"VI_1\" DELETED 0", 0, 0, NULL },
};

static void keepalived_transitions(void)
{
	char err[CTF_PARSE_ERRLEN];
	size_t i;
	int ret;

	setup();
	for (i = 0; i < N(ka_cases); i++) {
		err[0] = '\0';
		ret = ctfd_events_keepalived(&w, &st, ka_cases[i].line, acts,
					     N(acts), err, sizeof(err));
		if (ret != ka_cases[i].ret)
			fprintf(stderr, "  '%s': %s\n", ka_cases[i].line, err);
		CHECK_INT(ret, ka_cases[i].ret);
		if (ret < 0)
			CHECK(err[0]);
		if (ret != 1)
			continue;
		if (acts[0].kind != ka_cases[i].kind)
			fprintf(stderr, "  '%s'\n", ka_cases[i].line);
		CHECK_INT(acts[0].kind, ka_cases[i].kind);
		CHECK_INT(acts[0].source, CTFD_SRC_KEEPALIVED);
		CHECK_STR(acts[0].cause, ka_cases[i].cause);
	}
	ctfd_events_keepalived(&w, &st, "INSTANCE \"VI_1\" SLEEPING 0", acts,
			       N(acts), err, sizeof(err));
	CHECK_STR(err, "unknown keepalived state 'SLEEPING' of INSTANCE VI_1 "
		       "(MASTER, BACKUP, FAULT, STOP, DELETED)");
}

/* keepalived.instances names the VIPs' instance: the others are ignored. */
static void keepalived_instances(void)
{
	char err[CTF_PARSE_ERRLEN];

	setup();
	strcpy(st.keepalived_instances[0], "VI_SIP");
	st.n_keepalived_instances = 1;
	CHECK_INT(ctfd_events_keepalived(&w, &st,
					 "INSTANCE \"VI_MGMT\" BACKUP 100",
					 acts, N(acts), err, sizeof(err)),
		  -ENOENT);
	CHECK_STR(err,
		  "INSTANCE VI_MGMT BACKUP: not one of keepalived.instances");
	CHECK_INT(ctfd_events_keepalived(&w, &st,
					 "INSTANCE \"VI_SIP\" BACKUP 100", acts,
					 N(acts), err, sizeof(err)),
		  1);
	CHECK_INT(acts[0].kind, CTFD_ACT_EVICT_ALL);
	/* A sync group by its name, too. */
	strcpy(st.keepalived_instances[1], "G_SIP");
	st.n_keepalived_instances = 2;
	CHECK_INT(ctfd_events_keepalived(&w, &st, "GROUP \"G_SIP\" MASTER",
					 acts, N(acts), err, sizeof(err)),
		  1);
	st.n_keepalived_instances = 0;
}

/*
 * A VIP moving here and away, in the order the daemon sees it (keepalived
 * adds the VIP, sends its gratuitous ARP, then writes MASTER; it writes
 * BACKUP, then removes the VIP): nothing of the takeover is a bump, in
 * either eviction mode, and everything of the loss is.
 */
static void takeover_evicts_nothing_loss_all(void)
{
	static const struct step gain[] = {
		LINKS_AT_START,
		{ ADDR("203.0.113.10", 2, "eth0"), false,
		  TAKE("vip 203.0.113.10 added on eth0: this host took over") },
	};
	static const struct step loss[] = {
		{ ADDR_DEL("203.0.113.10", 2, "eth0"), false,
		  ALL("vip 203.0.113.10 removed from eth0: this host gave it "
		      "up") },
	};
	char err[CTF_PARSE_ERRLEN];

	setup();
	ctfd_events_resync_begin(&w);
	CHECK_INT(ctfd_events_resync_end(&w, &st, acts, N(acts)), 0);
	RUN(gain);
	CHECK_INT(ctfd_events_keepalived(&w, &st,
					 "INSTANCE \"VI_1\" MASTER 100", acts,
					 N(acts), err, sizeof(err)),
		  1);
	CHECK_INT(acts[0].kind, CTFD_ACT_TAKEOVER);
	CHECK_INT(ctfd_events_keepalived(&w, &st,
					 "INSTANCE \"VI_1\" BACKUP 100", acts,
					 N(acts), err, sizeof(err)),
		  1);
	CHECK_INT(acts[0].kind, CTFD_ACT_EVICT_ALL);
	RUN(loss);
}

static void linebuf_partial_lines(void)
{
	struct ctfd_linebuf lb;
	char line[CTFD_LINE_MAX];

	ctfd_linebuf_init(&lb);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	CHECK_INT(ctfd_linebuf_push(&lb, "INSTANCE \"VI", 12), 12);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	ctfd_linebuf_push(&lb, "_1\" MAS", 7);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	ctfd_linebuf_push(&lb, "TER 100\nGROUP \"G\" BACKUP 0\nINST", 31);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), 0);
	CHECK_STR(line, "INSTANCE \"VI_1\" MASTER 100");
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), 0);
	CHECK_STR(line, "GROUP \"G\" BACKUP 0");
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	ctfd_linebuf_push(&lb, "ANCE \"VI_2\" FAULT 0\n", 20);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), 0);
	CHECK_STR(line, "INSTANCE \"VI_2\" FAULT 0");
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	/* An empty line is a line (the parser says what is wrong with it). */
	ctfd_linebuf_push(&lb, "\n", 1);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), 0);
	CHECK_STR(line, "");
}

/* Its tail must not become a line of its own. */
static void linebuf_overlong_line_discarded(void)
{
	static char big[3 * CTFD_LINE_MAX];
	struct ctfd_linebuf lb;
	char line[CTFD_LINE_MAX];
	size_t off = 0, len;
	int ret;

	memset(big, 'x', sizeof(big));
	/* The tail looks like a valid line: the trap. */
	len = sprintf(big + 2 * CTFD_LINE_MAX,
		      " INSTANCE \"VI_1\" STOP 0\n"
		      "INSTANCE \"VI_1\" MASTER 100\n");
	len += 2 * CTFD_LINE_MAX;

	ctfd_linebuf_init(&lb);
	while (off < len) {
		off += ctfd_linebuf_push(&lb, big + off, len - off);
		while ((ret = ctfd_linebuf_next(&lb, line, sizeof(line))) !=
		       -EAGAIN)
			if (!ret)
				CHECK(strcmp(line, "INSTANCE \"VI_1\" STOP 0"));
	}
	/* Again, step by step, to see the error and the line after it. */
	ctfd_linebuf_init(&lb);
	off = 0;
	CHECK_INT(ctfd_linebuf_push(&lb, big, len), CTFD_LINE_MAX);
	off += CTFD_LINE_MAX;
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	off += ctfd_linebuf_push(&lb, big + off, len - off);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EMSGSIZE);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	while (off < len)
		off += ctfd_linebuf_push(&lb, big + off, len - off);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), 0);
	CHECK_STR(line, "INSTANCE \"VI_1\" MASTER 100");
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);

	/* Longer than the caller's buffer: also thrown away, not cut. */
	ctfd_linebuf_push(&lb, "INSTANCE \"VI_1\" MASTER 100\nX\n", 29);
	CHECK_INT(ctfd_linebuf_next(&lb, line, 10), -EMSGSIZE);
	CHECK_INT(ctfd_linebuf_next(&lb, line, 10), 0);
	CHECK_STR(line, "X");
}

static void linebuf_nul_byte(void)
{
	struct ctfd_linebuf lb;
	char line[CTFD_LINE_MAX];

	ctfd_linebuf_init(&lb);
	ctfd_linebuf_push(&lb, "INSTANCE \"VI_1\" STOP 0\0 junk\nGROUP", 34);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EBADMSG);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
}

/* A real FIFO: reads cut lines anywhere; the writer goes away. */
static void linebuf_fill_from_fifo(void)
{
	struct ctfd_linebuf lb;
	char line[CTFD_LINE_MAX];
	int p[2];

	CHECK_INT(pipe2(p, O_NONBLOCK), 0);
	ctfd_linebuf_init(&lb);
	CHECK_INT(ctfd_linebuf_fill(&lb, p[0]), -EAGAIN);
	CHECK_INT(write(p[1], "INSTANCE \"VI_1\" MA", 18), 18);
	CHECK_INT(ctfd_linebuf_fill(&lb, p[0]), 18);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	CHECK_INT(write(p[1], "STER 100\nINSTANCE \"VI_2\"", 24), 24);
	CHECK_INT(ctfd_linebuf_fill(&lb, p[0]), 24);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), 0);
	CHECK_STR(line, "INSTANCE \"VI_1\" MASTER 100");
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	close(p[1]);
	CHECK_INT(ctfd_linebuf_fill(&lb, p[0]), 0);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EPIPE);
	CHECK_INT(ctfd_linebuf_next(&lb, line, sizeof(line)), -EAGAIN);
	close(p[0]);
}

static void source_names(void)
{
	CHECK_STR(ctfd_source_name(CTFD_SRC_NEIGH), "neigh");
	CHECK_STR(ctfd_source_name(CTFD_SRC_LINK), "link");
	CHECK_STR(ctfd_source_name(CTFD_SRC_ADDR), "addr");
	CHECK_STR(ctfd_source_name(CTFD_SRC_KEEPALIVED), "keepalived");
	CHECK_STR(ctfd_source_name(CTFD_SRC_CONTROL), "control");
	CHECK_STR(ctfd_source_name(CTFD_SRC_MODULE), "module");
	CHECK_STR(ctfd_source_name(CTFD_SRC_PROBE), "probe");
	CHECK_STR(ctfd_source_name(__CTFD_SRC_MAX), "unknown");
}

const struct unit_case unit_cases[] = {
	{ "neigh_lladdr_change_bumps", neigh_lladdr_change_bumps },
	{ "neigh_state_changes_same_lladdr_are_not_changes",
	  neigh_state_changes_same_lladdr_are_not_changes },
	{ "neigh_unreachable_is_not_an_event",
	  neigh_unreachable_is_not_an_event },
	{ "neigh_deleted_keeps_last_lladdr", neigh_deleted_keeps_last_lladdr },
	{ "neigh_permanent_rewrite_bumps", neigh_permanent_rewrite_bumps },
	{ "neigh_cycle_relearns", neigh_cycle_relearns },
	{ "neigh_ipv6", neigh_ipv6 },
	{ "neigh_not_a_backend", neigh_not_a_backend },
	{ "neigh_on_another_link_ignored", neigh_on_another_link_ignored },
	{ "initial_dump_records_only", initial_dump_records_only },
	{ "resync_dump_shows_lost_change", resync_dump_shows_lost_change },
	{ "link_by_name_down_up", link_by_name_down_up },
	{ "link_first_sight_is_no_event", link_first_sight_is_no_event },
	{ "link_respects_other_downs", link_respects_other_downs },
	{ "link_restores_draining", link_restores_draining },
	{ "link_deleted_and_recreated", link_deleted_and_recreated },
	{ "link_learned_from_neighbour", link_learned_from_neighbour },
	{ "link_carries_several_backends", link_carries_several_backends },
	{ "vip_add_remove_repeat", vip_add_remove_repeat },
	{ "vip_present_at_start", vip_present_at_start },
	{ "resync_sweeps_what_is_gone", resync_sweeps_what_is_gone },
	{ "resync_at_start_learns_absent_vips",
	  resync_at_start_learns_absent_vips },
	{ "resync_dump_shows_lost_takeover", resync_dump_shows_lost_takeover },
	{ "keepalived_parse_table", keepalived_parse_table },
	{ "keepalived_transitions", keepalived_transitions },
	{ "keepalived_instances", keepalived_instances },
	{ "takeover_evicts_nothing_loss_all",
	  takeover_evicts_nothing_loss_all },
	{ "linebuf_partial_lines", linebuf_partial_lines },
	{ "linebuf_overlong_line_discarded", linebuf_overlong_line_discarded },
	{ "linebuf_nul_byte", linebuf_nul_byte },
	{ "linebuf_fill_from_fifo", linebuf_fill_from_fifo },
	{ "source_names", source_names },
	{ NULL, NULL },
};
