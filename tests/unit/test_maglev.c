// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/maglev.c: the table is a function of the names alone,
 * spreads evenly, moves little when a backend leaves, and the data plane
 * sends new flows to active backends only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "maglev.h"
#include "unit.h"

UNIT_SUITE("maglev");

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* "backend-0000".."backend-<n-1>", and pointers to them. */
struct names {
	char (*buf)[CTF_NAME_MAX];
	const char **p;
	unsigned int n;
};

static void names_make(struct names *nm, unsigned int n)
{
	unsigned int i;

	nm->buf = calloc(n, sizeof(*nm->buf));
	nm->p = calloc(n, sizeof(*nm->p));
	nm->n = n;
	for (i = 0; i < n; i++) {
		snprintf(nm->buf[i], sizeof(nm->buf[i]), "backend-%04u", i);
		nm->p[i] = nm->buf[i];
	}
}

static void names_free(struct names *nm)
{
	free(nm->buf);
	free(nm->p);
}

/* Slots of @table that name a different backend (by name) than @ref. */
static unsigned int moved_by_name(const uint32_t *ref, const char *const *rn,
				  const uint32_t *table, const char *const *tn,
				  uint32_t m)
{
	unsigned int moved = 0;
	uint32_t i;

	for (i = 0; i < m; i++)
		moved += strcmp(rn[ref[i]], tn[table[i]]) != 0;
	return moved;
}

static void sizes(void)
{
	CHECK(ctfd_is_prime(2));
	CHECK(ctfd_is_prime(101));
	CHECK(ctfd_is_prime(4093));
	CHECK(ctfd_is_prime(CTFD_MAX_TABLE_SIZE));
	CHECK(!ctfd_is_prime(0));
	CHECK(!ctfd_is_prime(1));
	CHECK(!ctfd_is_prime(4095));
	CHECK(!ctfd_is_prime(4294967295u));
	CHECK(ctfd_is_prime(4294967291u));
	CHECK(!ctfd_is_prime(10403));
	CHECK_INT(ctfd_maglev_size(0), 101);
	CHECK_INT(ctfd_maglev_size(1), 101);
	CHECK_INT(ctfd_maglev_size(5), 503);
	CHECK_INT(ctfd_maglev_size(10), 1009);
	CHECK_INT(ctfd_maglev_size(40), 4001);
	CHECK_INT(ctfd_maglev_size(1000), 100003);
	CHECK_INT(ctfd_maglev_size(CTFD_MAX_BACKENDS), 102407);
}

static void bad_arguments(void)
{
	const char *two[] = { "a", "b" }, *dup[] = { "a", "b", "a" };
	const char *null[] = { "a", NULL };
	uint32_t t[101];

	CHECK_INT(ctfd_maglev_build(two, 0, 101, t), -EINVAL);
	CHECK_INT(ctfd_maglev_build(two, 2, 100, t), -EINVAL); /* not prime */
	CHECK_INT(ctfd_maglev_build(two, 2, 1, t), -EINVAL);
	CHECK_INT(ctfd_maglev_build(dup, 3, 101, t), -EINVAL);
	CHECK_INT(ctfd_maglev_build(null, 2, 101, t), -EINVAL);
	CHECK_INT(ctfd_maglev_build(dup, 3, 2, t), -EINVAL); /* n > m */
	CHECK_INT(ctfd_maglev_build(two, 2, 2, t), 0);	     /* n == m */
	CHECK(t[0] != t[1]);
	CHECK_INT(ctfd_maglev_build(two, 1, 2, t), 0);
	CHECK_INT(t[0], 0);
	CHECK_INT(t[1], 0);
}

/*
 * Pinned slots of one small table. Every daemon, on any host, must compute
 * the same table or a standby that takes over moves calls: if this fails,
 * the hash or the population order changed, and so did every deployed
 * table. The values were computed by an independent implementation of the
 * same definition (FNV-1a 64 from two bases, murmur3 fmix64, names in
 * strcmp order) in Python, not by this code.
 */
static void known_answer(void)
{
	const char *names[] = { "sip-a", "sip-b", "sip-c" };
	static const struct {
		uint32_t slot, idx;
	} pinned[] = {
		{ 0, 1 },  { 1, 2 },  { 2, 2 },	 { 3, 2 },  { 17, 0 },
		{ 42, 1 }, { 50, 2 }, { 77, 0 }, { 99, 2 }, { 100, 0 },
	};
	uint32_t t[101];
	size_t i;

	CHECK_INT(ctfd_maglev_build(names, 3, 101, t), 0);
	for (i = 0; i < N(pinned); i++)
		CHECK_INT(t[pinned[i].slot], pinned[i].idx);
}

static void deterministic(void)
{
	uint32_t a[4093], b[4093], c[4093];
	const char *rev[40], *shuf[40];
	struct names nm;
	unsigned int i, j;
	uint32_t k;

	names_make(&nm, 40);
	CHECK_INT(ctfd_maglev_build(nm.p, 40, 4093, a), 0);
	CHECK_INT(ctfd_maglev_build(nm.p, 40, 4093, b), 0);
	CHECK(!memcmp(a, b, sizeof(a)));

	/* Reversed, and a fixed shuffle: the same backend in every slot. */
	for (i = 0; i < 40; i++) {
		rev[i] = nm.p[39 - i];
		shuf[i] = nm.p[(i * 17 + 5) % 40]; /* 17 is prime to 40 */
	}
	CHECK_INT(ctfd_maglev_build(rev, 40, 4093, b), 0);
	CHECK_INT(ctfd_maglev_build(shuf, 40, 4093, c), 0);
	CHECK_INT(moved_by_name(a, nm.p, b, rev, 4093), 0);
	CHECK_INT(moved_by_name(a, nm.p, c, shuf, 4093), 0);

	/* Every index is in range and every backend has slots. */
	for (j = 0; j < 40; j++) {
		unsigned int count = 0;

		for (k = 0; k < 4093; k++) {
			CHECK(a[k] < 40);
			count += a[k] == j;
		}
		CHECK(count > 0);
	}
	names_free(&nm);
}

static void check_spread(unsigned int n, uint32_t m)
{
	unsigned int *count = calloc(n, sizeof(*count));
	uint32_t *t = malloc(m * sizeof(*t));
	unsigned int i, lo = UINT32_MAX, hi = 0;
	struct names nm;

	names_make(&nm, n);
	CHECK_INT(ctfd_maglev_build(nm.p, n, m, t), 0);
	for (i = 0; i < m; i++)
		count[t[i]]++;
	for (i = 0; i < n; i++) {
		lo = count[i] < lo ? count[i] : lo;
		hi = count[i] > hi ? count[i] : hi;
	}
	/*
	 * Each round of the population loop gives every backend one slot,
	 * so the counts differ by one at most: far within "a few percent".
	 */
	CHECK(lo >= m / n);
	CHECK(hi <= m / n + 1);
	CHECK(hi * 100 <= lo * 102);
	names_free(&nm);
	free(count);
	free(t);
}

static void distribution(void)
{
	check_spread(10, 1009);
	if (unit_failed)
		return;
	check_spread(40, 4093);
	if (unit_failed)
		return;
	check_spread(3, ctfd_maglev_size(3));
	if (unit_failed)
		return;
	check_spread(1000, ctfd_maglev_size(1000));
}

/*
 * Remove each backend in turn: all of its slots go to others, and the
 * others mostly keep theirs. Maglev's disruption is near-minimal, not
 * zero: the freed slots are taken in round-robin turns, which shifts the
 * order in which the survivors reach their later preferences. With
 * M ~ 100 N, about 2% (up to ~3.6% with ideal random permutations,
 * simulated) of the survivors' slots change hands, against (N-1)/N of
 * them for hash mod N; fewer with more slots per backend. The daemon's
 * promise, at most 1% with the default table size, is checked for 5, 10
 * and 40 backends; 4% with the minimum of 100 slots per backend.
 */
#define MAX_MOVED_PERCENT 4

static void check_remove_one(unsigned int n, uint32_t m, unsigned int pct)
{
	uint32_t *t = malloc(m * sizeof(*t)), *u = malloc(m * sizeof(*u));
	const char **rest = calloc(n, sizeof(*rest));
	unsigned int r, i, j, own, moved;
	struct names nm;

	names_make(&nm, n);
	CHECK_INT(ctfd_maglev_build(nm.p, n, m, t), 0);
	for (r = 0; r < n; r++) {
		for (i = j = 0; i < n; i++)
			if (i != r)
				rest[j++] = nm.p[i];
		CHECK_INT(ctfd_maglev_build(rest, n - 1, m, u), 0);
		own = moved = 0;
		for (i = 0; i < m; i++) {
			if (t[i] == r) {
				own++;
				continue; /* necessarily another's now */
			}
			moved += strcmp(nm.p[t[i]], rest[u[i]]) != 0;
		}
		CHECK(own > 0);
		CHECK(moved * 100 <= (m - own) * pct);
		/* Adding it back gives the original table. */
		CHECK_INT(ctfd_maglev_build(nm.p, n, m, u), 0);
		CHECK(!memcmp(t, u, m * sizeof(*t)));
	}
	names_free(&nm);
	free(rest);
	free(t);
	free(u);
}

static void remove_one(void)
{
	static const unsigned int ns[] = { 5, 10, 40 };
	size_t i;

	for (i = 0; i < N(ns) && !unit_failed; i++) {
		check_remove_one(ns[i], CTFD_DEFAULT_TABLE_SIZE, 1);
		check_remove_one(ns[i], ctfd_maglev_size(ns[i]),
				 MAX_MOVED_PERCENT);
	}
}

static struct ctfd_state st;

static void add(const char *name, const char *addr, uint8_t state)
{
	struct ctfd_backend *be = &st.backends[st.n_backends++];
	char err[CTF_PARSE_ERRLEN];

	memset(be, 0, sizeof(*be));
	snprintf(be->name, sizeof(be->name), "%s", name);
	if (ctf_parse_addr(addr, &be->addr, err, sizeof(err)))
		abort();
	be->state = state;
}

static unsigned int slots_to(const struct ctf_addr *slots, uint32_t m,
			     const char *addr)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;
	unsigned int n = 0;
	uint32_t i;

	if (!addr) {
		for (i = 0; i < m; i++)
			n += slots[i].family == 0;
		return n;
	}
	if (ctf_parse_addr(addr, &a, err, sizeof(err)))
		abort();
	for (i = 0; i < m; i++)
		n += ctf_addr_equal(&slots[i], &a);
	return n;
}

static void base_state(void)
{
	char err[CTF_PARSE_ERRLEN];

	memset(&st, 0, sizeof(st));
	ctf_parse_addr("192.0.2.10", &st.vips[0], err, sizeof(err));
	ctf_parse_addr("2001:db8::10", &st.vips[1], err, sizeof(err));
	st.n_vips = 2;
	st.ports[0] = 5060;
	st.ports[1] = 5080;
	st.n_ports = 2;
	st.table_size = 1009;
	st.seed = CTFD_DEFAULT_SEED;
	st.guard_percent = CTFD_DEFAULT_GUARD_PERCENT;
}

static void dataplane_mixed(void)
{
	struct ctfd_dataplane dp;

	base_state();
	add("sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add("sip-b", "10.0.1.12", CTF_STATE_DRAINING);
	add("sip-c", "2001:db8::c", CTF_STATE_ACTIVE);
	add("sip-d", "10.0.1.14", CTF_STATE_DOWN);
	add("sip-e", "10.0.1.15", CTF_STATE_ACTIVE);
	add("sip-f", "2001:db8::f", CTF_STATE_DRAINING);
	CHECK_INT(ctfd_dataplane_build(&st, &dp), 0);
	CHECK_INT(dp.table_size, 1009);
	CHECK_INT(dp.seed, CTFD_DEFAULT_SEED);
	CHECK_INT(dp.n_vips, 2);
	CHECK(ctf_addr_equal(&dp.vips[1], &st.vips[1]));
	CHECK_INT(dp.n_ports, 2);
	CHECK_INT(dp.ports[1], 5080);
	CHECK(!dp.exists);
	/* Two active IPv4 backends share the map, 504 and 505 slots. */
	CHECK_INT(slots_to(dp.slots4, 1009, "10.0.1.11") +
			  slots_to(dp.slots4, 1009, "10.0.1.15"),
		  1009);
	CHECK(slots_to(dp.slots4, 1009, "10.0.1.11") >= 504);
	CHECK(slots_to(dp.slots4, 1009, "10.0.1.15") >= 504);
	/* One active IPv6 backend: every IPv6 slot. */
	CHECK_INT(slots_to(dp.slots6, 1009, "2001:db8::c"), 1009);
	ctfd_dataplane_free(&dp);
	CHECK(!dp.slots4 && !dp.slots6);
	ctfd_dataplane_free(&dp); /* zeroed: a no-op */

	/* The IPv4 table is the one Maglev builds for the active names. */
	{
		const char *names[] = { "sip-e", "sip-a" };
		uint32_t t[1009], i;

		CHECK_INT(ctfd_dataplane_build(&st, &dp), 0);
		CHECK_INT(ctfd_maglev_build(names, 2, 1009, t), 0);
		for (i = 0; i < 1009; i++)
			CHECK(ctf_addr_equal(&dp.slots4[i],
					     &st.backends[t[i] ? 0 : 4].addr));
		ctfd_dataplane_free(&dp);
	}
}

static void dataplane_empty_family(void)
{
	struct ctfd_dataplane dp;

	base_state();
	add("sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add("sip-c", "2001:db8::c", CTF_STATE_DOWN);
	CHECK_INT(ctfd_dataplane_build(&st, &dp), 0);
	CHECK_INT(slots_to(dp.slots4, 1009, "10.0.1.11"), 1009);
	CHECK_INT(slots_to(dp.slots6, 1009, NULL), 1009);
	ctfd_dataplane_free(&dp);

	/* Nothing active at all: both maps empty, not an error. */
	st.backends[0].state = CTF_STATE_DRAINING;
	CHECK_INT(ctfd_dataplane_build(&st, &dp), 0);
	CHECK_INT(slots_to(dp.slots4, 1009, NULL), 1009);
	CHECK_INT(slots_to(dp.slots6, 1009, NULL), 1009);
	ctfd_dataplane_free(&dp);

	/* No table yet (a daemon before its first config). */
	st.table_size = 0;
	CHECK_INT(ctfd_dataplane_build(&st, &dp), 0);
	CHECK(!dp.slots4 && !dp.slots6);
	ctfd_dataplane_free(&dp);
}

static void dataplane_invalid(void)
{
	struct ctfd_dataplane dp;

	base_state();
	add("sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add("sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	add("sip-c", "10.0.1.13", CTF_STATE_ACTIVE);
	st.table_size = 1000;
	CHECK_INT(ctfd_dataplane_build(&st, &dp), -EINVAL);
	CHECK(!dp.slots4 && !dp.slots6);
	st.table_size = 0;
	CHECK_INT(ctfd_dataplane_build(&st, &dp), -EINVAL);
	st.table_size = 2; /* prime, but fewer slots than backends */
	CHECK_INT(ctfd_dataplane_build(&st, &dp), -EINVAL);
	CHECK(!dp.slots4 && !dp.slots6);
	st.table_size = 1009;
	strcpy(st.backends[2].name, "sip-a"); /* two of one name */
	CHECK_INT(ctfd_dataplane_build(&st, &dp), -EINVAL);
}

static void slots_moved(void)
{
	struct ctfd_dataplane a, b, z;
	char err[CTF_PARSE_ERRLEN];
	unsigned int of_b;

	base_state();
	add("sip-a", "10.0.1.11", CTF_STATE_ACTIVE);
	add("sip-b", "10.0.1.12", CTF_STATE_ACTIVE);
	add("sip-c", "10.0.1.13", CTF_STATE_ACTIVE);
	add("sip-v6", "2001:db8::1", CTF_STATE_ACTIVE);
	CHECK_INT(ctfd_dataplane_build(&st, &a), 0);
	CHECK_INT(ctfd_dataplane_slots_moved(&a, &a, AF_INET), 0);
	of_b = slots_to(a.slots4, 1009, "10.0.1.12");

	/* sip-b cycles to a new address: exactly its slots move. */
	ctf_parse_addr("10.0.1.22", &st.backends[1].addr, err, sizeof(err));
	CHECK_INT(ctfd_dataplane_build(&st, &b), 0);
	CHECK_INT(ctfd_dataplane_slots_moved(&a, &b, AF_INET), of_b);
	CHECK_INT(ctfd_dataplane_slots_moved(&b, &a, AF_INET), of_b);
	CHECK_INT(ctfd_dataplane_slots_moved(&a, &b, AF_INET6), 0);
	ctfd_dataplane_free(&b);

	/* sip-b drains: its slots and a few others. */
	ctf_parse_addr("10.0.1.12", &st.backends[1].addr, err, sizeof(err));
	st.backends[1].state = CTF_STATE_DRAINING;
	CHECK_INT(ctfd_dataplane_build(&st, &b), 0);
	CHECK(ctfd_dataplane_slots_moved(&a, &b, AF_INET) >= of_b);
	CHECK(ctfd_dataplane_slots_moved(&a, &b, AF_INET) <=
	      of_b + (1009 - of_b) * MAX_MOVED_PERCENT / 100);
	ctfd_dataplane_free(&b);

	/* The IPv6 backend goes down: every IPv6 slot empties. */
	st.backends[1].state = CTF_STATE_ACTIVE;
	st.backends[3].state = CTF_STATE_DOWN;
	CHECK_INT(ctfd_dataplane_build(&st, &b), 0);
	CHECK_INT(ctfd_dataplane_slots_moved(&a, &b, AF_INET), 0);
	CHECK_INT(ctfd_dataplane_slots_moved(&a, &b, AF_INET6), 1009);
	ctfd_dataplane_free(&b);

	/* Another table size: every slot of the new table. */
	st.table_size = 1013;
	CHECK_INT(ctfd_dataplane_build(&st, &b), 0);
	CHECK_INT(ctfd_dataplane_slots_moved(&a, &b, AF_INET), 1013);
	CHECK_INT(ctfd_dataplane_slots_moved(&b, &a, AF_INET6), 1009);
	/* Against no table at all (zeroed). */
	memset(&z, 0, sizeof(z));
	CHECK_INT(ctfd_dataplane_slots_moved(&z, &b, AF_INET), 1013);
	CHECK_INT(ctfd_dataplane_slots_moved(&z, &z, AF_INET), 0);
	/* No IPv6 backend on either side: nothing of IPv6 moves, whatever
	 * the sizes (the plan said "1013 of 1013 (IPv6)"). */
	CHECK_INT(ctfd_dataplane_slots_moved(&z, &b, AF_INET6), 0);
	ctfd_dataplane_free(&b);
	ctfd_dataplane_free(&a);
}

const struct unit_case unit_cases[] = {
	{ "sizes", sizes },
	{ "bad_arguments", bad_arguments },
	{ "known_answer", known_answer },
	{ "deterministic", deterministic },
	{ "distribution", distribution },
	{ "remove_one", remove_one },
	{ "dataplane_mixed", dataplane_mixed },
	{ "dataplane_empty_family", dataplane_empty_family },
	{ "dataplane_invalid", dataplane_invalid },
	{ "slots_moved", slots_moved },
	{ NULL, NULL },
};
