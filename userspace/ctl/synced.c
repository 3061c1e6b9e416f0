// SPDX-License-Identifier: GPL-2.0
/*
 * synced: conntrackd has just committed the entries a peer made (the notify
 * script of a takeover runs this after `conntrackd -c`). Their stamps name
 * instances by the epochs of the peer; where most stamped entries of a
 * backend carry one epoch that is neither this host's instance epoch nor
 * its down twin, this host missed a change that the peer saw (or the other
 * way round): ctfailoverd adopts it,
 * so that none of those calls is re-steered for nothing
 * (docs/architecture.md, "Epochs agree across load balancers"). The table
 * is walked here, not in the daemon, so that it delays no event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctdump.h"
#include "ctl.h"
#include "json.h"
#include "kmod.h"

/* The other epochs of a backend's entries that are counted apart. */
#define OTHERS 4

struct tally {
	struct ctf_backend b;
	uint32_t instance; /* this host's instance epoch of the backend */
	uint64_t stamped;  /* entries with a stamp of ours */
	uint64_t current;  /* ... of this host's instance, up or down */
	uint32_t other[OTHERS];
	uint64_t n_other[OTHERS];
	uint64_t rest; /* at yet other epochs */
	const char *action;
};

struct synced {
	struct tally *t;
	size_t n, cap;
	uint8_t label_word;
};

static int collect_backend(const struct ctf_backend *b, void *data)
{
	struct synced *s = data;
	struct tally *t;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		t = realloc(s->t, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		s->t = t;
		s->cap = cap;
	}
	t = &s->t[s->n++];
	memset(t, 0, sizeof(*t));
	t->b = *b;
	/* A down backend stamps its instance's twin (epoch.h). */
	t->instance = b->state == CTF_STATE_DOWN ? CTF_EPOCH_MAX - b->epoch
						 : b->epoch;
	return 0;
}

static int collect_entry(const struct ctf_ct_entry *e, void *data)
{
	struct synced *s = data;
	uint32_t stamp;
	size_t i;

	if (e->proto != IPPROTO_UDP || !e->have_labels)
		return 0;
	stamp = ctf_stamp_decode(e->labels[s->label_word]);
	if (!stamp || stamp == CTF_STAMP_FOREIGN)
		return 0;
	for (i = 0; i < s->n; i++) {
		struct tally *t = &s->t[i];
		unsigned int k;

		if (!ctf_addr_equal(&t->b.addr, &e->nat))
			continue;
		t->stamped++;
		/* Made while the backend was up, or down, where it was. */
		if (stamp == t->instance ||
		    stamp == CTF_EPOCH_MAX - t->instance ||
		    (t->b.alias_epoch && stamp == t->b.alias_epoch)) {
			t->current++;
			break;
		}
		for (k = 0; k < OTHERS; k++) {
			if (!t->n_other[k])
				t->other[k] = stamp;
			if (t->other[k] == stamp) {
				t->n_other[k]++;
				break;
			}
		}
		if (k == OTHERS)
			t->rest++;
		break;
	}
	return 0;
}

static int read_module(struct synced *s)
{
	struct ctf_stats st;
	struct ctf_genl g;
	int ret, tries = 0;

	ret = ctl_open(&g);
	if (ret)
		return ret;
	ret = ctl_check_protocol(g.family_version);
	if (ret)
		goto out;
	do {
		s->n = 0;
		ret = ctf_kmod_backend_dump(&g, collect_backend, s);
	} while (ret == -EINTR && ++tries < 5);
	if (!ret)
		ret = ctf_kmod_stats(&g, &st);
	if (ret) {
		ret = ctl_kernel_error("synced", "CTF_CMD_BACKEND_GET (dump)",
				       ret, &g);
		goto out;
	}
	s->label_word = st.label_word;
out:
	ctf_genl_close(&g);
	return ret;
}

static int sweep_all(struct ctf_evict *ev)
{
	struct ctf_genl g;
	int ret;

	ret = ctl_open(&g);
	if (ret)
		return ret;
	ret = ctf_kmod_evict(&g, true, ev);
	if (ret)
		ret = ctl_kernel_error("synced", "CTF_CMD_EVICT", ret, &g);
	ctf_genl_close(&g);
	return ret;
}

/* The other epoch most of @t's entries carry (index), or -1 for none. */
static int most(const struct tally *t)
{
	int k, best = -1;

	for (k = 0; k < OTHERS; k++)
		if (t->n_other[k] &&
		    (best < 0 || t->n_other[k] > t->n_other[best]))
			best = k;
	return best;
}

/*
 * What to do with backend @t's synced entries; the daemon asked if so.
 * An epoch that more than half of them carry names the instance the last
 * master saw (the rest: entries of a copy older still, which conntrackd
 * committed too).
 */
static int decide(struct tally *t, const struct ctl_opts *o)
{
	struct ctl_opts quiet = *o;
	char epoch[16], name[CTF_NAME_MAX];
	char *argv[] = { "adopt", name, epoch, NULL };
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int ret, k = most(t);

	if (k < 0) {
		t->action = t->stamped ? "agree" : "none";
		return CTL_EXIT_OK;
	}
	if (t->n_other[k] * 2 <= t->stamped) {
		t->action = "kept (no other epoch on most entries)";
		return CTL_EXIT_OK;
	}
	if (t->b.state == CTF_STATE_DOWN) {
		t->action = "kept (down here)";
		return CTL_EXIT_OK;
	}
	snprintf(name, sizeof(name), "%s", t->b.name);
	snprintf(epoch, sizeof(epoch), "%u", t->other[k]);
	quiet.json = false;
	f = open_memstream(&out, &len);
	if (!f)
		return CTL_EXIT_FAIL;
	ret = ctl_daemon_to(3, argv, &quiet, f);
	fclose(f);
	free(out);
	t->action = ret ? "adopt failed" : "adopted";
	return ret;
}

int ctl_synced(int argc, char **argv, const struct ctl_opts *o)
{
	struct synced s = { 0 };
	struct ctf_evict swept = { 0 };
	char a[CTF_ADDR_STRLEN];
	struct ctf_json j;
	int ret, rc = CTL_EXIT_OK;
	size_t i;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr,
			"%s synced: no arguments\nusage: ctfailoverctl [-j] synced\n",
			ctl_prog);
		return CTL_EXIT_USAGE;
	}
	ret = read_module(&s);
	if (!ret)
		ret = ctl_conntrack_walk("synced", collect_entry, &s);
	if (ret) {
		free(s.t);
		return ret;
	}
	for (i = 0; i < s.n; i++)
		if (s.t[i].b.name[0] && decide(&s.t[i], o))
			rc = CTL_EXIT_FAIL;
	/*
	 * The committed entries passed no hook of the module: a stale one
	 * among them (an older copy's, or made before a change that this
	 * host has seen) would not be looked at. A sweep of them all. The
	 * entries this host made since the takeover at an epoch that an
	 * adoption replaced stay: the module counts that one current too.
	 */
	ret = sweep_all(&swept);
	if (ret)
		rc = CTL_EXIT_FAIL;
	if (o->json) {
		ctf_json_init(&j, stdout);
		ctf_json_begin_array(&j, NULL);
	}
	for (i = 0; i < s.n; i++) {
		const struct tally *t = &s.t[i];
		int k = most(t);

		if (!t->b.name[0])
			continue; /* not the daemon's */
		ctf_addr_str(&t->b.addr, a);
		if (o->json) {
			ctf_json_begin_object(&j, NULL);
			ctf_json_string(&j, "backend", t->b.name);
			ctf_json_string(&j, "address", a);
			ctf_json_uint(&j, "epoch", t->instance);
			ctf_json_uint(&j, "stamped", t->stamped);
			ctf_json_uint(&j, "current", t->current);
			if (k >= 0) {
				ctf_json_uint(&j, "other_epoch", t->other[k]);
				ctf_json_uint(&j, "other", t->n_other[k]);
			}
			ctf_json_string(&j, "action", t->action);
			ctf_json_end_object(&j);
			continue;
		}
		printf("%s %s: %llu stamped, %llu at epoch %u", t->b.name, a,
		       (unsigned long long)t->stamped,
		       (unsigned long long)t->current, t->instance);
		if (k >= 0)
			printf(", %llu at epoch %u",
			       (unsigned long long)t->n_other[k], t->other[k]);
		printf(": %s\n", t->action);
	}
	if (o->json) {
		ctf_json_end_array(&j);
		fputc('\n', stdout);
	} else {
		printf("swept: %llu entries judged, %llu stale deleted\n",
		       (unsigned long long)swept.scanned,
		       (unsigned long long)swept.evicted);
	}
	free(s.t);
	return rc;
}
