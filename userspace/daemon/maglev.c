// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "maglev.h"

#define SLOT_EMPTY UINT32_MAX

/*
 * The two hashes of a name are computed byte by byte, never by loading
 * words, so that every host (whatever its endianness or word size) computes
 * the same permutations, hence the same table: a standby daemon must agree
 * with the active one on who owns each slot. FNV-1a spreads short names
 * poorly in the high bits, hence the murmur3 finalizer after it.
 */
#define FNV64_PRIME 0x100000001b3ULL
#define FNV64_BASIS 0xcbf29ce484222325ULL
/* Another start for the second hash: the FNV basis with its halves swapped. */
#define FNV64_BASIS2 0x84222325cbf29ce4ULL

static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static uint64_t name_hash(const char *name, uint64_t basis)
{
	const unsigned char *p;
	uint64_t h = basis;

	for (p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= FNV64_PRIME;
	}
	return fmix64(h);
}

bool ctfd_is_prime(uint32_t m)
{
	uint64_t d;

	if (m < 2)
		return false;
	if (m % 2 == 0)
		return m == 2;
	for (d = 3; d * d <= m; d += 2)
		if (m % d == 0)
			return false;
	return true;
}

uint32_t ctfd_next_prime(uint32_t n)
{
	while (!ctfd_is_prime(n))
		n++;
	return n;
}

uint32_t ctfd_maglev_size(unsigned int n)
{
	uint64_t m = (uint64_t)n * CTFD_SLOTS_PER_BACKEND;

	if (m < 101)
		m = 101;
	for (; m <= UINT32_MAX; m++)
		if (ctfd_is_prime(m))
			return m;
	return 0;
}

struct perm {
	const char *name;
	uint32_t idx; /* into the caller's names[] */
	uint32_t pos; /* permutation[next], in the paper's terms */
	uint32_t skip;
};

/* pos = (pos + skip) mod m, without a division: both are below m. */
static void advance(struct perm *p, uint32_t m)
{
	uint64_t pos = (uint64_t)p->pos + p->skip;

	p->pos = pos >= m ? pos - m : pos;
}

static int perm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct perm *)a)->name,
		      ((const struct perm *)b)->name);
}

int ctfd_maglev_build(const char *const names[], unsigned int n, uint32_t m,
		      uint32_t *table)
{
	struct perm *b;
	uint32_t filled = 0, i;

	if (!n || n > m || !ctfd_is_prime(m) || !names || !table)
		return -EINVAL;
	b = calloc(n, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!names[i]) {
			free(b);
			return -EINVAL;
		}
		b[i].name = names[i];
		b[i].idx = i;
	}
	/*
	 * The population loop below is not symmetric in the backends: who
	 * goes first wins contested slots. Taking them in name order makes
	 * the table a function of the set of names, not of how the caller
	 * happened to list them. Two backends of the same name would make
	 * the order matter again, so they are refused.
	 */
	qsort(b, n, sizeof(*b), perm_cmp);
	for (i = 0; i < n; i++) {
		if (i && !strcmp(b[i - 1].name, b[i].name)) {
			free(b);
			return -EINVAL;
		}
		/*
		 * Paper, 3.4: offset = h1(name) mod M, skip = h2(name) mod
		 * (M - 1) + 1, permutation[j] = (offset + j * skip) mod M.
		 * With M prime, any skip in 1..M-1 visits every slot once,
		 * so the loop below always finds an empty slot.
		 */
		b[i].pos = name_hash(b[i].name, FNV64_BASIS) % m;
		b[i].skip = name_hash(b[i].name, FNV64_BASIS2) % (m - 1) + 1;
	}

	for (i = 0; i < m; i++)
		table[i] = SLOT_EMPTY;
	/*
	 * Paper, Pseudocode 1: each backend in turn takes the next slot of
	 * its permutation that is still empty, until all M are taken. Each
	 * backend gets M/N slots give or take one. Removing a backend hands
	 * its slots to the others, but also changes who reaches a contested
	 * slot first, so a few slots move between survivors: near-minimal
	 * disruption, not zero (the paper's Figure 12; about 2-3% of the
	 * survivors' slots with M ~ 100 N, see tests/unit/test_maglev.c).
	 * Rather than a next[] index into a stored M x N permutation table,
	 * each backend keeps permutation[next] itself and advances it by skip
	 * (mod M): O(N) memory beside the table, and the same sequence of
	 * slots.
	 */
	for (;;) {
		for (i = 0; i < n; i++) {
			struct perm *p = &b[i];

			while (table[p->pos] != SLOT_EMPTY)
				advance(p, m);
			table[p->pos] = p->idx;
			advance(p, m);
			if (++filled == m) {
				free(b);
				return 0;
			}
		}
	}
}

/* The active backends of @family in @st: their names and addresses. */
static unsigned int active_of(const struct ctfd_state *st, int family,
			      const char **names, const struct ctf_addr **addrs)
{
	unsigned int i, n = 0;

	for (i = 0; i < st->n_backends; i++) {
		const struct ctfd_backend *be = &st->backends[i];

		if (be->state != CTF_STATE_ACTIVE || be->addr.family != family)
			continue;
		names[n] = be->name;
		addrs[n++] = &be->addr;
	}
	return n;
}

static int fill_family(const struct ctfd_state *st, int family,
		       struct ctf_addr *slots, uint32_t *table)
{
	const struct ctf_addr *addrs[CTFD_MAX_BACKENDS];
	const char *names[CTFD_MAX_BACKENDS];
	unsigned int n;
	uint32_t i;
	int err;

	n = active_of(st, family, names, addrs);
	if (!n)
		return 0; /* calloc'd: every slot empty */
	err = ctfd_maglev_build(names, n, st->table_size, table);
	if (err)
		return err;
	for (i = 0; i < st->table_size; i++)
		slots[i] = *addrs[table[i]];
	return 0;
}

int ctfd_dataplane_build(const struct ctfd_state *st, struct ctfd_dataplane *dp)
{
	uint32_t m = st->table_size;
	uint32_t *table = NULL;
	unsigned int i, active = 0;
	int err;

	memset(dp, 0, sizeof(*dp));
	if (st->n_vips > CTFD_MAX_VIPS || st->n_ports > CTF_MAX_PORTS ||
	    st->n_backends > CTFD_MAX_BACKENDS)
		return -EINVAL;
	for (i = 0; i < st->n_backends; i++)
		active += st->backends[i].state == CTF_STATE_ACTIVE;
	if (m ? m > CTFD_MAX_TABLE_SIZE || !ctfd_is_prime(m) : active)
		return -EINVAL;

	dp->table_size = m;
	dp->seed = st->seed;
	memcpy(dp->vips, st->vips, st->n_vips * sizeof(st->vips[0]));
	dp->n_vips = st->n_vips;
	memcpy(dp->ports, st->ports, st->n_ports * sizeof(st->ports[0]));
	dp->n_ports = st->n_ports;
	if (!m)
		return 0;

	dp->slots4 = calloc(m, sizeof(*dp->slots4));
	dp->slots6 = calloc(m, sizeof(*dp->slots6));
	table = malloc(m * sizeof(*table));
	err = -ENOMEM;
	if (!dp->slots4 || !dp->slots6 || !table)
		goto fail;
	err = fill_family(st, AF_INET, dp->slots4, table);
	if (!err)
		err = fill_family(st, AF_INET6, dp->slots6, table);
	if (err)
		goto fail;
	free(table);
	return 0;
fail:
	free(table);
	ctfd_dataplane_free(dp);
	return err;
}

void ctfd_dataplane_free(struct ctfd_dataplane *dp)
{
	free(dp->slots4);
	free(dp->slots6);
	memset(dp, 0, sizeof(*dp));
}

/* Empty slots are equal whatever the rest of them holds. */
static bool slot_equal(const struct ctf_addr *a, const struct ctf_addr *b)
{
	if (a->family != b->family)
		return false;
	return !a->family || ctf_addr_equal(a, b);
}

unsigned int ctfd_dataplane_slots_moved(const struct ctfd_dataplane *a,
					const struct ctfd_dataplane *b,
					int family)
{
	static const struct ctf_addr empty;
	const struct ctf_addr *sa, *sb;
	unsigned int moved = 0;
	uint32_t i;

	sa = family == AF_INET6 ? a->slots6 : a->slots4;
	sb = family == AF_INET6 ? b->slots6 : b->slots4;
	if (a->table_size != b->table_size) {
		/* A new hash: every slot that holds a backend on either side
		 * (none when the family has no backend on either). */
		unsigned int na = 0, nb = 0;

		for (i = 0; sa && i < a->table_size; i++)
			na += !!sa[i].family;
		for (i = 0; sb && i < b->table_size; i++)
			nb += !!sb[i].family;
		return na > nb ? na : nb;
	}
	for (i = 0; i < b->table_size; i++)
		moved +=
			!slot_equal(sa ? &sa[i] : &empty, sb ? &sb[i] : &empty);
	return moved;
}
