// SPDX-License-Identifier: GPL-2.0
/*
 * synced: conntrackd has just committed the entries a peer made (the notify
 * script of a takeover runs this after `conntrackd -c`). Their stamps name
 * instances by the epochs of the peer; where every stamped entry of a
 * backend carries one epoch and this host has another, this host missed a
 * change that the peer saw (or the other way round): ctfailoverd adopts it,
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

struct tally {
	struct ctf_backend b;
	uint64_t stamped; /* entries with a stamp of ours */
	uint64_t current; /* ... at this host's epoch */
	uint32_t other;	  /* the first other epoch seen */
	uint64_t n_other; /* entries at it */
	bool mixed;	  /* and entries at yet another one */
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

		if (!ctf_addr_equal(&t->b.addr, &e->nat))
			continue;
		t->stamped++;
		if (stamp == t->b.epoch)
			t->current++;
		else if (!t->n_other || stamp == t->other)
			t->other = stamp, t->n_other++;
		else
			t->mixed = true;
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

static int read_conntrack(struct synced *s)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char msg[256];
	struct ctf_nl nl;
	char *rx;
	size_t i;
	int ret;

	rx = malloc(CTF_CT_RXBUF);
	ret = rx ? ctf_ct_open(&nl) : -ENOMEM;
	if (ret) {
		fprintf(stderr, "%s synced: conntrack netlink socket: %s\n",
			ctl_prog, strerror(-ret));
		free(rx);
		return CTL_EXIT_FAIL;
	}
	for (i = 0; !ret && i < sizeof(families) / sizeof(families[0]); i++) {
		ret = ctf_ct_dump(&nl, families[i], rx, collect_entry, s, msg,
				  sizeof(msg));
		if (ret)
			fprintf(stderr,
				"%s synced: conntrack dump (%s) failed: %s%s%s\n",
				ctl_prog,
				families[i] == AF_INET ? "IPv4" : "IPv6",
				ret == -EBADMSG ? "an entry breaks the format"
						: strerror(-ret),
				msg[0] ? ": " : "", msg);
	}
	ctf_nl_close(&nl);
	free(rx);
	return ret ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

/* What to do with backend @t's synced entries; the daemon asked if so. */
static int decide(struct tally *t, const struct ctl_opts *o)
{
	struct ctl_opts quiet = *o;
	char epoch[16], name[CTF_NAME_MAX];
	char *argv[] = { "adopt", name, epoch, NULL };
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!t->n_other) {
		t->action = t->stamped ? "agree" : "none";
		return CTL_EXIT_OK;
	}
	if (t->mixed) {
		/* Several other epochs: no one instance to adopt. */
		t->action = "kept (entries of several other epochs)";
		return CTL_EXIT_OK;
	}
	if (t->b.state == CTF_STATE_DOWN) {
		t->action = "kept (down here)";
		return CTL_EXIT_OK;
	}
	snprintf(name, sizeof(name), "%s", t->b.name);
	snprintf(epoch, sizeof(epoch), "%u", t->other);
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
		ret = read_conntrack(&s);
	if (ret) {
		free(s.t);
		return ret;
	}
	for (i = 0; i < s.n; i++)
		if (s.t[i].b.name[0] && decide(&s.t[i], o))
			rc = CTL_EXIT_FAIL;
	if (o->json) {
		ctf_json_init(&j, stdout);
		ctf_json_begin_array(&j, NULL);
	}
	for (i = 0; i < s.n; i++) {
		const struct tally *t = &s.t[i];

		if (!t->b.name[0])
			continue; /* not the daemon's */
		ctf_addr_str(&t->b.addr, a);
		if (o->json) {
			ctf_json_begin_object(&j, NULL);
			ctf_json_string(&j, "backend", t->b.name);
			ctf_json_string(&j, "address", a);
			ctf_json_uint(&j, "epoch", t->b.epoch);
			ctf_json_uint(&j, "stamped", t->stamped);
			ctf_json_uint(&j, "current", t->current);
			if (t->n_other) {
				ctf_json_uint(&j, "other_epoch", t->other);
				ctf_json_uint(&j, "other", t->n_other);
			}
			ctf_json_string(&j, "action", t->action);
			ctf_json_end_object(&j);
			continue;
		}
		printf("%s %s: %llu stamped, %llu at epoch %u", t->b.name, a,
		       (unsigned long long)t->stamped,
		       (unsigned long long)t->current, t->b.epoch);
		if (t->n_other)
			printf(", %llu at epoch %u",
			       (unsigned long long)t->n_other, t->other);
		printf(": %s\n", t->action);
	}
	if (o->json) {
		ctf_json_end_array(&j);
		fputc('\n', stdout);
	}
	free(s.t);
	return rc;
}
