// SPDX-License-Identifier: GPL-2.0
/*
 * What a failover costs the nft data plane: with 10 IPv4 and 10 IPv6
 * backends spread by Maglev over table sizes 4093 and 65537, one IPv4
 * backend is removed, and its slots get new backends. Timed, median of
 * RUNS runs each:
 *   (a) ctfd_nft_apply: one batch of only the changed slots (delete + add),
 *   (b) the baseline: `nft -f` of the whole table (ctfd_nft_print's text),
 *       fork/exec of nft included, as a reload-the-map script would do.
 * Before every run the full table is back in place (untimed).
 *
 * Needs root; runs in a network namespace of its own (unshare), never in
 * the host's ruleset.
 *
 * Build: gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Ikmod
 *   -Iuserspace/common -Iuserspace/daemon -o build/bench/nft-commit
 *   tests/bench/nft-commit.c userspace/daemon/nft.c userspace/daemon/maglev.c
 *   userspace/common/parse.c userspace/common/genl.c -lnftnl -lmnl
 * Run: build/bench/nft-commit [RUNS]   (7 by default)
 *
 * A table, then the same numbers as "BENCH key value" lines, the form
 * tests/bench/run collects.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "maglev.h"
#include "nft.h"

#define BACKENDS 10

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

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, int err, const char *msg)
{
	fprintf(stderr, "nft-commit: %s: %s%s%s\n", what, strerror(-err),
		msg && *msg ? ": " : "", msg ? msg : "");
	exit(1);
}

/* 10 IPv4 + 10 IPv6 active backends, all but IPv4 backend @skip (or -1). */
static void state(struct ctfd_state *st, uint32_t size, int skip)
{
	char err[CTF_PARSE_ERRLEN], a[64];
	int i;

	memset(st, 0, sizeof(*st));
	st->table_size = size;
	st->seed = CTFD_DEFAULT_SEED;
	ctf_parse_addr("203.0.113.10", &st->vips[st->n_vips++], err,
		       sizeof(err));
	ctf_parse_addr("2001:db8::10", &st->vips[st->n_vips++], err,
		       sizeof(err));
	st->ports[st->n_ports++] = 5060;
	/* Sorted by name, as the config parser leaves them. */
	for (i = 0; i < BACKENDS; i++) {
		struct ctfd_backend *b;

		if (i == skip)
			continue;
		b = &st->backends[st->n_backends++];
		snprintf(b->name, sizeof(b->name), "sip4-%02d", i);
		snprintf(a, sizeof(a), "10.0.1.%d", 11 + i);
		ctf_parse_addr(a, &b->addr, err, sizeof(err));
		b->state = CTF_STATE_ACTIVE;
	}
	for (i = 0; i < BACKENDS; i++) {
		struct ctfd_backend *b = &st->backends[st->n_backends++];

		snprintf(b->name, sizeof(b->name), "sip6-%02d", i);
		snprintf(a, sizeof(a), "2001:db8:1::%d", 11 + i);
		ctf_parse_addr(a, &b->addr, err, sizeof(err));
		b->state = CTF_STATE_ACTIVE;
	}
}

static void apply(struct ctfd_nft *n, const struct ctfd_dataplane *cur,
		  const struct ctfd_dataplane *want, struct ctfd_nft_stats *st)
{
	char err[256];
	int ret = ctfd_nft_apply(n, cur, want, st, err, sizeof(err));

	if (ret)
		die("ctfd_nft_apply", ret, err);
}

static void nft_f(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork", -errno, NULL);
	if (!pid) {
		execlp("nft", "nft", "-f", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("nft -f", -EIO, path);
}

struct result {
	uint32_t size;
	double apply_ms, nft_ms;
	struct ctfd_nft_stats st;
	size_t text_bytes;
};

static void bench(uint32_t size, int runs, struct result *r)
{
	struct ctfd_dataplane none = { 0 }, full, removed;
	struct ctfd_state *st = malloc(sizeof(*st));
	char path[] = "/tmp/ctf-bench-nft-XXXXXX";
	double *ta = calloc(runs, sizeof(double));
	double *tb = calloc(runs, sizeof(double));
	struct ctfd_nft *n;
	FILE *f;
	int i, fd, ret;

	if (!st || !ta || !tb)
		die("malloc", -ENOMEM, NULL);
	state(st, size, -1);
	ret = ctfd_dataplane_build(st, &full);
	if (ret)
		die("ctfd_dataplane_build", ret, NULL);
	state(st, size, 3);
	ret = ctfd_dataplane_build(st, &removed);
	if (ret)
		die("ctfd_dataplane_build", ret, NULL);
	full.exists = removed.exists = true;

	fd = mkstemp(path);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f)
		die(path, -errno, NULL);
	ctfd_nft_print(f, &removed);
	r->text_bytes = ftell(f);
	fclose(f);

	ret = ctfd_nft_open(&n);
	if (ret)
		die("ctfd_nft_open", ret, NULL);
	apply(n, &none, &full, NULL);
	for (i = 0; i < runs; i++) {
		double t0 = now();

		apply(n, &full, &removed, &r->st);
		ta[i] = now() - t0;
		apply(n, &removed, &full, NULL);
	}
	for (i = 0; i < runs; i++) {
		double t0 = now();

		nft_f(path);
		tb[i] = now() - t0;
		apply(n, &removed, &full, NULL);
	}
	r->size = size;
	r->apply_ms = median(ta, runs) * 1e3;
	r->nft_ms = median(tb, runs) * 1e3;

	unlink(path);
	ctfd_nft_close(n);
	ctfd_dataplane_free(&full);
	ctfd_dataplane_free(&removed);
	free(st);
	free(ta);
	free(tb);
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 4093, 65537 };
	struct result r[2];
	int runs = argc > 1 ? atoi(argv[1]) : 7;
	unsigned int i;

	if (runs < 1)
		runs = 7;
	for (i = 0; i < 2; i++) {
		/* A namespace of its own per size: an empty ruleset. */
		if (unshare(CLONE_NEWNET)) {
			perror("unshare(CLONE_NEWNET) (run as root)");
			return 1;
		}
		bench(sizes[i], runs, &r[i]);
	}

	printf("nft commit of a one-backend removal (%d+%d backends, median "
	       "of %d runs)\n\n",
	       BACKENDS, BACKENDS, runs);
	printf("%8s  %7s  %6s  %9s  %12s  %11s  %12s  %7s\n", "slots",
	       "changed", "msgs", "batch", "(a) apply", "nft -f text",
	       "(b) nft -f", "b/a");
	for (i = 0; i < 2; i++)
		printf("%8u  %7u  %6u  %7zuKB  %9.2f ms  %9zuKB  %9.2f ms  "
		       "%6.1fx\n",
		       r[i].size, r[i].st.elems_added, r[i].st.msgs,
		       r[i].st.bytes / 1024, r[i].apply_ms,
		       r[i].text_bytes / 1024, r[i].nft_ms,
		       r[i].nft_ms / r[i].apply_ms);
	printf("\n");
	for (i = 0; i < 2; i++) {
		printf("BENCH nft_apply_ms_%u %.3f\n", r[i].size,
		       r[i].apply_ms);
		printf("BENCH nft_reload_ms_%u %.3f\n", r[i].size, r[i].nft_ms);
		printf("BENCH nft_slots_changed_%u %u\n", r[i].size,
		       r[i].st.elems_added);
	}
	return 0;
}
