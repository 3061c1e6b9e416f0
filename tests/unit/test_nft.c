// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/nft.c against the real kernel, in private network
 * namespaces (needs root): what the daemon builds is what `nft -f` of
 * nft/ctfailover.nft builds, it reads back what it wrote, a change sends
 * only what changed, a failed batch changes nothing, and a table of the
 * same name that is not ours is refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "maglev.h"
#include "nft.h"
#include "unit.h"

UNIT_SUITE("nft");

/*
 * Every case runs in a network namespace of its own, so none of them sees
 * (or can touch) the host's ruleset or another case's table.
 */
static bool fresh_netns(void)
{
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return false;
	}
	return true;
}

/* The output of @cmd (malloc'd), or NULL if it failed. */
static char *run(const char *cmd)
{
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	FILE *p = popen(cmd, "r");
	size_t r;

	if (!out || !p) {
		free(out);
		if (p)
			pclose(p);
		return NULL;
	}
	while ((r = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += r;
		if (cap - len < 2) {
			char *o = realloc(out, cap * 2);

			if (!o)
				break;
			out = o;
			cap *= 2;
		}
	}
	out[len] = '\0';
	if (pclose(p)) {
		fprintf(stderr, "  '%s' failed\n", cmd);
		free(out);
		return NULL;
	}
	return out;
}

static bool sh(const char *cmd)
{
	char *out = run(cmd);

	free(out);
	return out != NULL;
}

#define LIST_TABLE "nft list table inet ctfailover 2>&1"
#define LIST_ALL   "nft list ruleset 2>&1"

static void addr(struct ctf_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		a->family = AF_INET6;
}

/*
 * A data plane of @size slots over @nb backends 10.0.1.1.. and
 * 2001:db8:1::1.., round robin (the layout does not matter to nft.c).
 */
static bool make_dp(struct ctfd_dataplane *dp, uint32_t size, uint32_t seed,
		    unsigned int nb)
{
	uint32_t k;

	memset(dp, 0, sizeof(*dp));
	dp->table_size = size;
	dp->seed = seed;
	addr(&dp->vips[dp->n_vips++], "203.0.113.10");
	addr(&dp->vips[dp->n_vips++], "2001:db8::10");
	addr(&dp->vips[dp->n_vips++], "203.0.113.11");
	dp->ports[dp->n_ports++] = 5060;
	dp->ports[dp->n_ports++] = 5080;
	dp->slots4 = calloc(size, sizeof(*dp->slots4));
	dp->slots6 = calloc(size, sizeof(*dp->slots6));
	if (!dp->slots4 || !dp->slots6)
		return false;
	for (k = 0; k < size && nb; k++) {
		dp->slots4[k].family = AF_INET;
		dp->slots4[k].v4.s_addr = htonl(0x0a000101 + k % nb);
		dp->slots6[k].family = AF_INET6;
		addr(&dp->slots6[k], "2001:db8:1::1");
		dp->slots6[k].v6.s6_addr[15] = 1 + k % nb;
	}
	return true;
}

static bool copy_dp(struct ctfd_dataplane *to,
		    const struct ctfd_dataplane *from)
{
	*to = *from;
	to->slots4 = malloc(from->table_size * sizeof(*to->slots4));
	to->slots6 = malloc(from->table_size * sizeof(*to->slots6));
	if (!to->slots4 || !to->slots6)
		return false;
	memcpy(to->slots4, from->slots4,
	       from->table_size * sizeof(*to->slots4));
	memcpy(to->slots6, from->slots6,
	       from->table_size * sizeof(*to->slots6));
	return true;
}

static bool slot_eq(const struct ctf_addr *a, const struct ctf_addr *b)
{
	return a->family == b->family && (!a->family || ctf_addr_equal(a, b));
}

static bool has_vip(const struct ctfd_dataplane *dp, const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < dp->n_vips; i++)
		if (ctf_addr_equal(&dp->vips[i], a))
			return true;
	return false;
}

static bool has_port(const struct ctfd_dataplane *dp, uint16_t p)
{
	unsigned int i;

	for (i = 0; i < dp->n_ports; i++)
		if (dp->ports[i] == p)
			return true;
	return false;
}

/* Same content; the order of VIPs and ports is not kept by nft. */
static const char *dp_diff(const struct ctfd_dataplane *a,
			   const struct ctfd_dataplane *b)
{
	unsigned int i;
	uint32_t k;

	if (a->table_size != b->table_size)
		return "table_size";
	if (a->seed != b->seed)
		return "seed";
	if (a->n_vips != b->n_vips || a->n_ports != b->n_ports)
		return "number of vips or ports";
	for (i = 0; i < a->n_vips; i++)
		if (!has_vip(b, &a->vips[i]))
			return "vips";
	for (i = 0; i < a->n_ports; i++)
		if (!has_port(b, a->ports[i]))
			return "ports";
	for (k = 0; k < a->table_size; k++)
		if (!slot_eq(&a->slots4[k], &b->slots4[k]) ||
		    !slot_eq(&a->slots6[k], &b->slots6[k]))
			return "slots";
	return NULL;
}

#define CHECK_DP_EQ(a, b)                                                    \
	do {                                                                 \
		const char *_d = dp_diff(a, b);                              \
		if (_d) {                                                    \
			fprintf(stderr, "  %s:%d: data planes differ: %s\n", \
				__FILE__, __LINE__, _d);                     \
			unit_failed = 1;                                     \
			return;                                              \
		}                                                            \
	} while (0)

/* A fresh namespace with @dp applied by the daemon's code. */
static int setup(struct ctfd_nft **n, const struct ctfd_dataplane *dp,
		 struct ctfd_nft_stats *st, char *err, size_t errlen)
{
	struct ctfd_dataplane none = { 0 };
	int ret;

	if (!fresh_netns())
		return -EPERM;
	ret = ctfd_nft_open(n);
	if (ret)
		return ret;
	return ctfd_nft_apply(*n, &none, dp, st, err, errlen);
}

/* `nft -f` of the daemon's text for @dp, in the current namespace. */
static bool load_text(const struct ctfd_dataplane *dp)
{
	char path[] = "/tmp/ctf-test-nft-XXXXXX", cmd[128];
	int fd = mkstemp(path);
	FILE *f;
	bool ok;

	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return false;
	}
	ctfd_nft_print(f, dp);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "nft -f %s 2>&1", path);
	ok = sh(cmd);
	unlink(path);
	return ok;
}

/* Built from nothing, the table lists as `nft -f` of our text lists. */
static void create_matches_nft_f(void)
{
	struct ctfd_dataplane dp, back;
	struct ctfd_nft_stats st;
	struct ctfd_nft *n;
	char err[256], *mine, *theirs;

	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 7));
	CHECK(fresh_netns());
	CHECK_INT(ctfd_nft_open(&n), 0);
	CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
	CHECK(!back.exists);
	CHECK_INT(ctfd_nft_apply(n, &back, &dp, &st, err, sizeof(err)), 0);
	CHECK_INT(st.elems_added, 2 * 4093 + 3 + 2);
	CHECK_INT(st.elems_deleted, 0);
	mine = run(LIST_TABLE);
	CHECK(mine);
	CHECK(strstr(mine, "typeof numgen inc mod 2 : ip daddr"));
	CHECK(strstr(mine, "jhash ip saddr . udp sport mod 4093 seed "
			   "0x43544631 map @slots4"));
	CHECK(strstr(mine, "4092 : 10.0.1.5 }"));
	ctfd_nft_close(n);

	CHECK(fresh_netns());
	CHECK(load_text(&dp));
	theirs = run(LIST_TABLE);
	CHECK(theirs);
	CHECK_STR(mine, theirs);
	/* And loading it again replaces the table (delete + create). */
	CHECK(load_text(&dp));
	free(theirs);
	theirs = run(LIST_TABLE);
	CHECK(theirs);
	CHECK_STR(mine, theirs);
	free(mine);
	free(theirs);
	ctfd_dataplane_free(&dp);
}

/* An empty data plane is what nft/ctfailover.nft itself gives. */
static void empty_matches_nft_file(void)
{
	struct ctfd_dataplane dp;
	struct ctfd_nft *n;
	char err[256], *mine, *theirs;

	if (access("nft/ctfailover.nft", R_OK)) {
		fprintf(stderr, "  run from the top of the tree\n");
		CHECK(0);
	}
	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 0)); /* the file's */
	dp.n_vips = dp.n_ports = 0;
	CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
	mine = run(LIST_TABLE);
	ctfd_nft_close(n);
	CHECK(mine);
	CHECK(fresh_netns());
	CHECK(sh("nft -f nft/ctfailover.nft 2>&1"));
	theirs = run(LIST_TABLE);
	CHECK(theirs);
	CHECK_STR(mine, theirs);
	free(mine);
	free(theirs);
	ctfd_dataplane_free(&dp);
}

/* What is read back is what was written, also when nft wrote it. */
static void read_back(void)
{
	struct ctfd_dataplane dp, back;
	struct ctfd_nft *n;
	char err[256];

	CHECK(make_dp(&dp, 1021, 0x12345678, 3));
	dp.slots4[5].family = 0; /* empty slots stay empty */
	dp.slots6[1020].family = 0;
	CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
	CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
	CHECK(back.exists);
	CHECK_DP_EQ(&dp, &back);
	CHECK_INT(back.slots4[5].family, 0);
	ctfd_dataplane_free(&back);
	ctfd_nft_close(n);

	CHECK(fresh_netns());
	CHECK(load_text(&dp));
	CHECK_INT(ctfd_nft_open(&n), 0);
	CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
	CHECK_DP_EQ(&dp, &back);
	ctfd_dataplane_free(&back);
	ctfd_nft_close(n);
	ctfd_dataplane_free(&dp);
}

/* One slot changed: one delete and one add message, nothing else. */
static void one_slot_change(void)
{
	struct ctfd_dataplane dp, cur, want;
	struct ctfd_nft_stats st;
	struct ctfd_nft *n;
	char err[256], *list;

	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 5));
	CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK(copy_dp(&want, &cur));
	addr(&want.slots4[77], "10.0.9.9");
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	CHECK_INT(st.elems_added, 1);
	CHECK_INT(st.elems_deleted, 1);
	CHECK_INT(st.msgs, 4); /* BEGIN, DELSETELEM, NEWSETELEM, END */
	list = run(LIST_TABLE);
	CHECK(list);
	CHECK(strstr(list, "77 : 10.0.9.9,"));
	free(list);
	ctfd_dataplane_free(&cur);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK_DP_EQ(&want, &cur);

	/* No change, no batch. */
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	CHECK_INT(st.msgs, 0);

	/* A slot emptied: a delete alone; one filled: an add alone. */
	want.slots6[3].family = 0;
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	CHECK_INT(st.elems_deleted, 1);
	CHECK_INT(st.elems_added, 0);
	CHECK_INT(st.msgs, 3);
	ctfd_dataplane_free(&cur);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK_DP_EQ(&want, &cur);

	/* VIPs and ports: only the changed ones. */
	want.n_vips = 1;
	want.ports[0] = 5062;
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	CHECK_INT(st.elems_deleted, 3); /* 2001:db8::10, 203.0.113.11, 5060 */
	CHECK_INT(st.elems_added, 1);
	ctfd_dataplane_free(&cur);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK_DP_EQ(&want, &cur);

	ctfd_dataplane_free(&cur);
	ctfd_dataplane_free(&want);
	ctfd_dataplane_free(&dp);
	ctfd_nft_close(n);
}

/* A batch the kernel refuses leaves the ruleset as it was, to the byte. */
static void failed_batch_changes_nothing(void)
{
	struct ctfd_dataplane dp, cur, want;
	struct ctfd_nft *n;
	char err[256], *before, *after;

	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 5));
	CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	/* The kernel no longer holds what @cur says about slot 3. */
	CHECK(sh("nft delete element inet ctfailover slots4 '{ 3 }'"));
	before = run(LIST_ALL);
	CHECK(before);

	/* Changes before and after the one that fails, in every set. */
	CHECK(copy_dp(&want, &cur));
	addr(&want.slots4[1], "10.0.7.1");
	addr(&want.slots4[3], "10.0.7.3");
	addr(&want.slots4[4000], "10.0.7.4");
	addr(&want.slots6[9], "2001:db8:7::9");
	addr(&want.vips[want.n_vips++], "203.0.113.99");
	want.ports[want.n_ports++] = 5070;
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, NULL, err, sizeof(err)),
		  -ENOENT);
	CHECK(strstr(err, "delete 3 elements from set slots4 (first key 1)"));
	after = run(LIST_ALL);
	CHECK(after);
	CHECK_STR(after, before);
	free(after);

	/* Refused before the kernel sees it: an IPv6 address in slots4. */
	addr(&want.slots4[1], "2001:db8::1");
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, NULL, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "nft: wanted slot 1 of slots4 is not an IPv4 address");

	/* A new table where one exists already: EEXIST, still nothing. */
	cur.exists = false;
	addr(&want.slots4[1], "10.0.7.1");
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, NULL, err, sizeof(err)),
		  -EEXIST);
	CHECK(strstr(err, "create table inet ctfailover"));
	after = run(LIST_ALL);
	CHECK(after);
	CHECK_STR(after, before);
	free(after);
	free(before);
	ctfd_dataplane_free(&cur);
	ctfd_dataplane_free(&want);
	ctfd_dataplane_free(&dp);
	ctfd_nft_close(n);
}

static const struct {
	const char *nft; /* run on our table, or on none if it starts "!" */
	const char *err; /* in the message */
} foreign_cases[] = {
	{ "!add table inet ctfailover", "no chain prerouting" },
	{ "!add table inet ctfailover; add chain inet ctfailover input "
	  "{ type filter hook input priority 0; }",
	  "a chain input" },
	{ "add rule inet ctfailover prerouting counter", "is not one of ours" },
	{ "insert rule inet ctfailover prerouting udp dport 5060 accept",
	  "is not one of ours" },
	{ "add set inet ctfailover extra { type ipv4_addr; }", "a set extra" },
	{ "add chain inet ctfailover other", "a chain other" },
	{ "delete set inet ctfailover sip_ports",
	  "" /* the rules use it: nft refuses, table stays ours */ },
	{ "flush chain inet ctfailover prerouting", "no IPv4 rule" },
	{ "flush chain inet ctfailover output",
	  "no IPv4 rule in chain output" },
	{ "add rule inet ctfailover output counter", "is not one of ours" },
	/* An output chain without its prerouting one is no table of ours. */
	{ "flush chain inet ctfailover prerouting; delete chain inet ctfailover prerouting",
	  "no chain prerouting" },
	{ "add element inet ctfailover slots4 { 5000 : 10.9.9.9 }",
	  "element out of range" },
	{ "add table inet ctfailover { flags dormant; }", "table flags" },
};

/* A table of our name and another shape is refused, never taken over. */
static void foreign_table_refused(void)
{
	struct ctfd_dataplane dp, back;
	struct ctfd_nft *n;
	char err[256], cmd[256];
	size_t i;

	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 2));
	for (i = 0; i < sizeof(foreign_cases) / sizeof(foreign_cases[0]); i++) {
		const char *c = foreign_cases[i].nft;
		int ret;

		if (*c == '!') {
			CHECK(fresh_netns());
			CHECK_INT(ctfd_nft_open(&n), 0);
			c++;
		} else {
			CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
		}
		snprintf(cmd, sizeof(cmd), "nft '%s' 2>&1", c);
		if (!*foreign_cases[i].err) {
			/* system(): this one is meant to fail, quietly. */
			snprintf(cmd, sizeof(cmd), "nft '%s' >/dev/null 2>&1",
				 c);
			CHECK(system(cmd) != 0);
			CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
			ctfd_dataplane_free(&back);
			ctfd_nft_close(n);
			continue;
		}
		CHECK(sh(cmd));
		ret = ctfd_nft_read(n, &back, err, sizeof(err));
		if (ret != -EPROTO || !strstr(err, foreign_cases[i].err))
			fprintf(stderr, "  after '%s': %d '%s'\n", c, ret, err);
		CHECK_INT(ret, -EPROTO);
		CHECK(strstr(err, foreign_cases[i].err));
		CHECK(strstr(err, "not ctfailoverd's"));
		CHECK(back.exists);
		CHECK(!back.slots4);
		ctfd_nft_close(n);
	}
	ctfd_dataplane_free(&dp);
}

/* A new table size (and seed) replaces the rules and every slot. */
static void table_size_change(void)
{
	struct ctfd_dataplane dp, cur, want;
	struct ctfd_nft_stats st;
	struct ctfd_nft *n;
	char err[256], *list;

	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 5));
	CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);

	CHECK(make_dp(&want, 8191, 0xdeadbeef, 6));
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	list = run(LIST_TABLE);
	CHECK(list);
	CHECK(strstr(list, "udp sport mod 8191 seed 0xdeadbeef map @slots4"));
	CHECK(strstr(list, "udp sport mod 8191 seed 0xdeadbeef map @slots6"));
	free(list);
	ctfd_dataplane_free(&cur);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK_DP_EQ(&want, &cur);

	/* Smaller: the keys beyond the new size go. */
	ctfd_dataplane_free(&want);
	CHECK(make_dp(&want, 101, 0xdeadbeef, 6));
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	CHECK_INT(st.elems_deleted, 2 * (8191 - 101));
	CHECK_INT(st.elems_added, 0);
	ctfd_dataplane_free(&cur);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK_DP_EQ(&want, &cur);

	/* The seed alone: the rules only, four out and four in (two chains). */
	want.seed = 1;
	CHECK_INT(ctfd_nft_apply(n, &cur, &want, &st, err, sizeof(err)), 0);
	CHECK_INT(st.elems_deleted + st.elems_added, 0);
	CHECK_INT(st.msgs, 10);
	ctfd_dataplane_free(&cur);
	CHECK_INT(ctfd_nft_read(n, &cur, err, sizeof(err)), 0);
	CHECK_DP_EQ(&want, &cur);

	ctfd_dataplane_free(&cur);
	ctfd_dataplane_free(&want);
	ctfd_dataplane_free(&dp);
	ctfd_nft_close(n);
}

/* A batch of many pages and messages goes in one send and reads back. */
static void big_table(void)
{
	struct ctfd_dataplane dp, back;
	struct ctfd_nft_stats st;
	struct ctfd_nft *n;
	char err[256];

	CHECK(make_dp(&dp, 200003, CTFD_DEFAULT_SEED, 40));
	CHECK_INT(setup(&n, &dp, &st, err, sizeof(err)), 0);
	CHECK(st.bytes > 4 << 20);
	CHECK(st.msgs > 100);
	CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
	CHECK_DP_EQ(&dp, &back);
	ctfd_dataplane_free(&back);
	ctfd_dataplane_free(&dp);
	ctfd_nft_close(n);
}

/*
 * A table from before the canary (no output chain) is read as ours, is not
 * applied to until it is upgraded, and the upgrade makes it what the
 * daemon builds today, entries and all.
 */
static void upgrade_adds_output(void)
{
	struct ctfd_dataplane dp, back;
	struct ctfd_nft *n;
	char err[256], *want, *got;

	CHECK(make_dp(&dp, 4093, CTFD_DEFAULT_SEED, 3));
	CHECK_INT(setup(&n, &dp, NULL, err, sizeof(err)), 0);
	want = run(LIST_ALL);
	CHECK(want);
	CHECK(sh(
		"nft 'flush chain inet ctfailover output; delete chain inet ctfailover output' 2>&1"));
	CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
	CHECK(back.no_output);
	CHECK_DP_EQ(&dp, &back);
	CHECK_INT(ctfd_nft_apply(n, &back, &dp, NULL, err, sizeof(err)),
		  -EPROTO);
	CHECK(strstr(err, "no output chain yet"));
	CHECK_INT(ctfd_nft_upgrade(n, &back, err, sizeof(err)), 0);
	CHECK(!back.no_output);
	got = run(LIST_ALL);
	CHECK(got);
	CHECK_STR(got, want);
	ctfd_dataplane_free(&back);
	CHECK_INT(ctfd_nft_read(n, &back, err, sizeof(err)), 0);
	CHECK(!back.no_output);
	free(want);
	free(got);
	ctfd_dataplane_free(&back);
	ctfd_dataplane_free(&dp);
	ctfd_nft_close(n);
}

const struct unit_case unit_cases[] = {
	{ "create_matches_nft_f", create_matches_nft_f },
	{ "empty_matches_nft_file", empty_matches_nft_file },
	{ "read_back", read_back },
	{ "one_slot_change", one_slot_change },
	{ "failed_batch_changes_nothing", failed_batch_changes_nothing },
	{ "foreign_table_refused", foreign_table_refused },
	{ "table_size_change", table_size_change },
	{ "big_table", big_table },
	{ "upgrade_adds_output", upgrade_adds_output },
	{ NULL, NULL },
};
