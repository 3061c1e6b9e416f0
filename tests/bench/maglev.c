// SPDX-License-Identifier: GPL-2.0
/*
 * How long ctfd_maglev_build takes for N = 10, 100 and 1000 backends with
 * the table size the daemon picks (ctfd_maglev_size: the smallest prime >=
 * 100 N), and how many of the other backends' slots move when one backend
 * goes away: the cost of a failover to the calls that stay put.
 *
 * Build: gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Ikmod
 *   -Iuserspace/common -Iuserspace/daemon -o build/bench/maglev
 *   tests/bench/maglev.c userspace/daemon/maglev.c userspace/common/parse.c
 * Run: build/bench/maglev [MIN_SECONDS]   (0.2 by default, per N)
 *
 * A table, then the same numbers as "BENCH key value" lines, the form
 * tests/bench/run collects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maglev.h"

/* Removals sampled per N: every backend up to this many, else spread. */
#define MAX_REMOVALS 100

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("calloc");
		exit(1);
	}
	return p;
}

static void build(const char *const *names, unsigned int n, uint32_t m,
		  uint32_t *table)
{
	int err = ctfd_maglev_build(names, n, m, table);

	if (err) {
		fprintf(stderr, "ctfd_maglev_build(n=%u, m=%u): %s\n", n, m,
			strerror(-err));
		exit(1);
	}
}

struct result {
	unsigned int n, reps;
	uint32_t m;
	double build_ms, moved_mean, moved_max;
};

static void bench(unsigned int n, uint32_t m, double min_seconds,
		  struct result *res)
{
	uint32_t *t, *u, i;
	char(*buf)[CTF_NAME_MAX] = xcalloc(n, sizeof(*buf));
	const char **names = xcalloc(n, sizeof(*names));
	const char **rest = xcalloc(n, sizeof(*rest));
	double start, total = 0, *times = NULL, pct, sum = 0, max = 0;
	unsigned int reps = 0, cap = 0, r, k, j, own, moved, removals;

	t = xcalloc(m, sizeof(*t));
	u = xcalloc(m, sizeof(*u));
	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof(buf[i]), "backend-%04u", i);
		names[i] = buf[i];
	}

	build(names, n, m, t); /* warm the caches and the allocator */
	while (total < min_seconds || reps < 5) {
		double dt;

		if (reps == cap) {
			cap = cap ? cap * 2 : 64;
			times = realloc(times, cap * sizeof(*times));
			if (!times) {
				perror("realloc");
				exit(1);
			}
		}
		start = now();
		build(names, n, m, t);
		dt = now() - start;
		times[reps++] = dt;
		total += dt;
	}
	qsort(times, reps, sizeof(*times), cmp_double);

	removals = n < MAX_REMOVALS ? n : MAX_REMOVALS;
	for (k = 0; k < removals; k++) {
		r = (uint64_t)k * n / removals;
		for (i = j = 0; i < n; i++)
			if (i != r)
				rest[j++] = names[i];
		build(rest, n - 1, m, u);
		own = moved = 0;
		for (i = 0; i < m; i++) {
			if (t[i] == r)
				own++;
			else
				moved += strcmp(names[t[i]], rest[u[i]]) != 0;
		}
		pct = 100.0 * moved / (m - own);
		sum += pct;
		max = pct > max ? pct : max;
	}

	*res = (struct result){ .n = n,
				.reps = reps,
				.m = m,
				.build_ms = times[reps / 2] * 1e3,
				.moved_mean = sum / removals,
				.moved_max = max };
	printf("%5u %7u %7u %17.3f %13.2f %6.2f %9u\n", n, m, reps,
	       res->build_ms, res->moved_mean, res->moved_max, removals);
	free(times);
	free(buf);
	free(names);
	free(rest);
	free(t);
	free(u);
}

int main(int argc, char **argv)
{
	/* The minimum table (100 slots per backend), then the default. */
	static const unsigned int ns[] = { 10, 100, 1000, 10, 40, 100 };
	struct result res[sizeof(ns) / sizeof(ns[0])];
	const size_t n_min = 3;
	double min_seconds = argc > 1 ? strtod(argv[1], NULL) : 0.2;
	size_t i;

	if (argc > 2 || min_seconds <= 0) {
		fprintf(stderr, "usage: %s [MIN_SECONDS]\n", argv[0]);
		return 2;
	}
	printf("%5s %7s %7s %17s %13s %6s %9s\n", "N", "M", "reps",
	       "build_ms(median)", "moved%(mean)", "max", "removals");
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		bench(ns[i],
		      i < n_min ? ctfd_maglev_size(ns[i])
				: CTFD_DEFAULT_TABLE_SIZE,
		      min_seconds, &res[i]);
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		const char *k = i < n_min ? "maglev" : "maglev_default";

		printf("BENCH %s.n%u.table_size %u\n", k, res[i].n, res[i].m);
		printf("BENCH %s.n%u.build_ms %.3f\n", k, res[i].n,
		       res[i].build_ms);
		printf("BENCH %s.n%u.moved_pct_mean %.2f\n", k, res[i].n,
		       res[i].moved_mean);
		printf("BENCH %s.n%u.moved_pct_max %.2f\n", k, res[i].n,
		       res[i].moved_max);
	}
	return 0;
}
