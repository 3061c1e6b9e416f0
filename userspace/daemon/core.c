// SPDX-License-Identifier: GPL-2.0
/*
 * The running state and every way it changes.
 *
 * Order matters for the flows that must move: nft first (new flows and
 * re-steered ones must already find the new slot map), then the module
 * (whose request returns only once no packet can still take the old
 * path), or, without the module, ctnetlink deletes. A failing nft batch
 * changes nothing, so the running state is replaced only after it lands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "config.h"
#include "ct.h"
#include "daemon.h"
#include "epoch.h"
#include "prober.h"
#include "kmod.h"
#include "maglev.h"
#include "nft.h"
#include "rtnl.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int ctfd_find(const struct ctfd *d, const char *name)
{
	return ctfd_backend_index(d->run, name);
}

/*
 * @b's epochs from its instance epoch @instance (epoch.h), in both modes:
 * without the module they are what it is given when it is loaded.
 */
static void set_instance(struct ctfd_backend *b, uint32_t instance)
{
	b->instance_epoch = instance;
	b->epoch = ctfd_epoch_in_state(instance, b->state);
}

/* A backend new to the running state: the config names its instance. */
static void new_instance(struct ctfd_backend *b)
{
	set_instance(b, ctfd_epoch_derive(&b->addr, b->instance));
}

unsigned int ctfd_slots_of(const struct ctfd *d, const struct ctf_addr *addr)
{
	const struct ctf_addr *slots =
		addr->family == AF_INET ? d->dp.slots4 : d->dp.slots6;
	unsigned int i, n = 0;

	if (!slots)
		return 0;
	for (i = 0; i < d->dp.table_size; i++)
		n += ctf_addr_equal(&slots[i], addr);
	return n;
}

/*
 * Without the module: delete the entries whose replies come from one of
 * @addrs[0..n) (of one family), in one walk of the table.
 */
static void ct_evict_n(struct ctfd *d, const struct ctf_addr *addrs,
		       unsigned int n, const char *why)
{
	char err[256] = "", a[CTF_ADDR_STRLEN], more[32] = "";
	unsigned int scanned = 0, deleted = 0;
	double t = now_seconds();
	int ret;

	ret = ctfd_ct_evict(addrs, n, d->run->ports, d->run->n_ports, &scanned,
			    &deleted, err, sizeof(err));
	d->c.ct_scanned += scanned;
	d->c.ct_evicted += deleted;
	if (n > 1)
		snprintf(more, sizeof(more), " and %u more", n - 1);
	if (ret)
		ctfd_log("ctnetlink: evicting %s%s (%s) failed: %s",
			 ctf_addr_str(&addrs[0], a), more, why, err);
	else
		ctfd_log(
			"ctnetlink: evicted %u of %u entries with reply source %s%s (%s) in %.1f ms",
			deleted, scanned, ctf_addr_str(&addrs[0], a), more, why,
			(now_seconds() - t) * 1e3);
}

static void ct_evict(struct ctfd *d, const struct ctf_addr *addr,
		     const char *why)
{
	ct_evict_n(d, addr, 1, why);
}

/* A slot of @family's map holds a backend. */
static bool served(const struct ctfd_dataplane *dp, int family)
{
	const struct ctf_addr *slots =
		family == AF_INET ? dp->slots4 : dp->slots6;
	uint32_t i;

	for (i = 0; dp->exists && slots && i < dp->table_size; i++)
		if (slots[i].family)
			return true;
	return false;
}

static bool has_vip(const struct ctfd_state *st, const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < st->n_vips; i++)
		if (ctf_addr_equal(&st->vips[i], a))
			return true;
	return false;
}

/*
 * Each VIP served now but not in @was (or no VIP in @old): delete its
 * entries that were not NATed (reply source = the VIP itself), as
 * docs/architecture.md, "Every entry can be moved", says.
 */
static void evict_unnated(struct ctfd *d, const struct ctfd_dataplane *was,
			  const struct ctfd_state *old)
{
	const struct ctfd_state *st = d->run;
	unsigned int i;

	for (i = 0; i < st->n_vips; i++) {
		const struct ctf_addr *v = &st->vips[i];

		if (!served(&d->dp, v->family) ||
		    (served(was, v->family) && has_vip(old, v)))
			continue;
		ct_evict(d, v, "not NATed: made while the VIP had no backend");
	}
}

static void kmod_error(struct ctfd *d, const char *what,
		       const struct ctf_addr *addr, int err)
{
	char a[CTF_ADDR_STRLEN];

	d->c.kmod_errors++;
	ctfd_log("module: %s%s%s failed: %s%s%s", what, addr ? " " : "",
		 addr ? ctf_addr_str(addr, a) : "", strerror(-err),
		 d->genl.errmsg[0] ? ": " : "", d->genl.errmsg);
}

/*
 * Create or update @b in the module, with the epoch its instance and state
 * make (set_instance()); another one than the module's is a change.
 */
static int kmod_set(struct ctfd *d, struct ctfd_backend *b)
{
	struct ctf_backend kb = { 0 }, out;
	int ret;

	kb.addr = b->addr;
	snprintf(kb.name, sizeof(kb.name), "%s", b->name);
	kb.state = b->state;
	kb.epoch = b->epoch;
	ret = ctf_kmod_backend_set(
		&d->genl, &kb, CTF_BF_NAME | CTF_BF_STATE | CTF_BF_EPOCH, &out);
	if (ret) {
		kmod_error(d, "backend set", &b->addr, ret);
		return ret;
	}
	return 0;
}

/* Index of the backend of @st at @addr, or -1. */
static int backend_at(const struct ctfd_state *st, const struct ctf_addr *addr)
{
	unsigned int i;

	for (i = 0; i < st->n_backends; i++)
		if (ctf_addr_equal(&st->backends[i].addr, addr))
			return (int)i;
	return -1;
}

/*
 * Make before break, step one (module): every address that @next has and
 * the running state has not goes into the module before the nft map can
 * send a packet there, so the entry that packet creates is stamped. Their
 * epochs are filled in.
 */
static void kmod_make(struct ctfd *d, struct ctfd_state *next)
{
	unsigned int i;

	for (i = 0; d->kmod && i < next->n_backends; i++)
		if (backend_at(d->run, &next->backends[i].addr) < 0) {
			new_instance(&next->backends[i]);
			kmod_set(d, &next->backends[i]);
		}
}

/* Remove @addr from the module; one it no longer has is no error. */
static void kmod_del(struct ctfd *d, const struct ctf_addr *addr)
{
	int ret = ctf_kmod_backend_del(&d->genl, addr);

	if (ret && ret != -ENOENT)
		kmod_error(d, "backend del", addr, ret);
}

/* The nft commit failed: take back what kmod_make added. */
static void kmod_unmake(struct ctfd *d, const struct ctfd_state *next)
{
	unsigned int i;

	for (i = 0; d->kmod && i < next->n_backends; i++)
		if (backend_at(d->run, &next->backends[i].addr) < 0)
			kmod_del(d, &next->backends[i].addr);
}

/*
 * Step two, once the nft map no longer names them: tell the module (or
 * conntrack) about every backend that changed between the running state
 * and @next; addresses that @next no longer has go last. Epochs of @next
 * are filled in.
 */
static void sync_backends(struct ctfd *d, struct ctfd_state *next)
{
	const struct ctfd_state *run = d->run;
	unsigned int i;
	int j;

	for (i = 0; i < next->n_backends; i++) {
		struct ctfd_backend *b = &next->backends[i];
		const struct ctfd_backend *old;

		/*
		 * A backend is its address (a rename keeps its entries and
		 * epoch): an address the running state has keeps its
		 * instance unless the config names another one; a new
		 * address is a new instance (kmod_make() gave it to the
		 * module).
		 */
		j = backend_at(run, &b->addr);
		old = j >= 0 ? &run->backends[j] : NULL;
		if (!old) {
			if (!d->kmod)
				new_instance(b);
			continue;
		}
		if (strcmp(old->instance, b->instance))
			new_instance(b);
		else
			set_instance(b, old->instance_epoch);
		if (d->kmod) {
			if (strcmp(old->name, b->name) ||
			    old->state != b->state || old->epoch != b->epoch)
				kmod_set(d, b);
			continue;
		}
		if (b->state == CTF_STATE_DOWN && old->state != CTF_STATE_DOWN)
			ct_evict(d, &b->addr, "backend down");
	}
	for (i = 0; i < run->n_backends; i++) {
		const struct ctfd_backend *old = &run->backends[i];

		if (backend_at(next, &old->addr) >= 0)
			continue;
		if (d->kmod)
			kmod_del(d, &old->addr);
		else
			ct_evict(d, &old->addr,
				 ctfd_backend_index(next, old->name) < 0
					 ? "backend removed"
					 : "backend moved");
	}
}

static bool ports_equal(const struct ctfd_state *a, const struct ctfd_state *b)
{
	return a->n_ports == b->n_ports &&
	       !memcmp(a->ports, b->ports, a->n_ports * sizeof(a->ports[0]));
}

int ctfd_commit(struct ctfd *d, const struct ctfd_state *next_in, char *err,
		size_t errlen)
{
	struct ctfd_dataplane want = { 0 }, was;
	struct ctfd_nft_stats stats = { 0 };
	struct ctfd_state *next, *old;
	double t;
	int ret;

	next = malloc(sizeof(*next));
	if (!next) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*next = *next_in;
	ret = ctfd_dataplane_build(next, &want);
	if (ret) {
		snprintf(err, errlen, "cannot build the slot maps: %s",
			 strerror(-ret));
		free(next);
		return ret;
	}
	kmod_make(d, next);
	t = now_seconds();
	ret = ctfd_nft_apply(d->nft, &d->dp, &want, &stats, err, errlen);
	if (ret) {
		kmod_unmake(d, next);
		ctfd_dataplane_free(&want);
		free(next);
		return ret;
	}
	d->c.nft_commits++;
	d->c.nft_commit_seconds = now_seconds() - t;
	ctfd_log(
		"nft: committed %u element deletions and %u additions in %u messages (%.1f ms)",
		stats.elems_deleted, stats.elems_added, stats.msgs,
		d->c.nft_commit_seconds * 1e3);
	was = d->dp;
	d->dp = want;
	d->dp.exists = true;

	if (d->kmod && !ports_equal(d->run, next)) {
		ret = ctf_kmod_ports_set(&d->genl, next->ports, next->n_ports);
		if (ret) {
			d->c.kmod_errors++;
			ctfd_log("module: setting the SIP ports failed: %s",
				 strerror(-ret));
		}
	}
	sync_backends(d, next);
	old = d->run;
	d->run = next;
	evict_unnated(d, &was, old);
	ctfd_dataplane_free(&was);
	free(old);
	ctfd_prober_sync(d);
	return 0;
}

/* Backend @i went from epoch @old to its current one: counted and said. */
static void bumped(struct ctfd *d, unsigned int i, uint32_t old,
		   enum ctfd_source src, const char *cause)
{
	struct ctfd_backend *b = &d->run->backends[i];
	char a[CTF_ADDR_STRLEN];

	d->c.bumps++;
	ctfd_log(
		"bump backend=%s address=%s epoch=%u->%u source=%s cause=\"%s\"",
		b->name, ctf_addr_str(&b->addr, a), old, b->epoch,
		ctfd_source_name(src), cause);
}

int ctfd_bump(struct ctfd *d, unsigned int i, enum ctfd_source src,
	      const char *cause, const char *token)
{
	struct ctfd_backend *b = &d->run->backends[i];
	uint32_t old = b->epoch, was = b->instance_epoch;
	char after[CTFD_TOKEN_MAX];
	int ret;

	if (!token || !*token) {
		ctfd_token_after(after, b->instance_epoch);
		token = after;
	}
	set_instance(b, ctfd_epoch_derive(&b->addr, token));
	if (d->kmod) {
		/* Created again if the module lost it (reloaded). */
		ret = kmod_set(d, b);
		if (ret) {
			set_instance(b, was);
			return ret;
		}
	}
	bumped(d, i, old, src, cause);
	ctfd_prober_new_instance(d, b->name);
	return 0;
}

int ctfd_adopt(struct ctfd *d, unsigned int i, uint32_t epoch, const char *why)
{
	struct ctfd_backend *b = &d->run->backends[i];
	uint32_t was = b->instance_epoch;
	char a[CTF_ADDR_STRLEN];

	if (d->kmod) {
		struct ctf_backend kb = { 0 }, out;
		int ret;

		kb.addr = b->addr;
		kb.epoch = ctfd_epoch_in_state(epoch, b->state);
		ret = ctf_kmod_backend_set(&d->genl, &kb,
					   CTF_BF_EPOCH | CTF_BF_ADOPT, &out);
		if (ret) {
			kmod_error(d, "adopt", &b->addr, ret);
			return ret;
		}
	}
	set_instance(b, epoch);
	d->c.adoptions++;
	ctfd_log(
		"adopt backend=%s address=%s epoch=%u->%u: %s (nothing made stale)",
		b->name, ctf_addr_str(&b->addr, a), was, b->instance_epoch,
		why);
	return 0;
}

/*
 * Without the module, a bump that leaves the entries where they are says
 * so: an operator who knows that a bump evicts must not read the silence
 * as a failure.
 */
static void ct_keep(struct ctfd *d, unsigned int i, const char *why)
{
	char a[CTF_ADDR_STRLEN];

	if (!d->kmod)
		ctfd_log("ctnetlink: entries of %s kept (%s)",
			 ctf_addr_str(&d->run->backends[i].addr, a), why);
}

int ctfd_neigh_flush(struct ctfd *d, const struct ctf_addr *addr,
		     struct ctfd_neigh_flush *res, char *err, size_t errlen)
{
	char a[CTF_ADDR_STRLEN];
	int ret;

	memset(res, 0, sizeof(*res));
	if (!d->rtnl) {
		snprintf(err, errlen, "rtnetlink is not open");
		ret = -ENOTCONN;
	} else {
		/*
		 * What the kernel said before the flush is judged first, with
		 * the lladdr we knew; what follows it (the entries deleted,
		 * then resolved again) is the new instance's first sight.
		 */
		ctfd_rtnl_input(d);
		ret = ctfd_rtnl_neigh_flush(d->rtnl, addr, res, err, errlen);
		ctfd_events_neigh_relearn(&d->watch, addr);
	}
	d->c.neigh_flushed += res->deleted;
	if (ret)
		d->c.neigh_errors++;
	ctfd_log("neigh flush address=%s deleted=%u skipped_permanent=%u%s%s%s",
		 ctf_addr_str(addr, a), res->deleted, res->skipped,
		 res->skipped ? " (permanent or noarp: not ours to delete)"
			      : "",
		 ret ? " failed: " : "", ret ? err : "");
	return ret;
}

/* The entries of every backend over ctnetlink, a walk per family. */
static void evict_all(struct ctfd *d, const char *why)
{
	static struct ctf_addr addrs[CTFD_MAX_BACKENDS];
	static const int families[] = { AF_INET, AF_INET6 };
	unsigned int i, k, n;

	for (k = 0; k < 2; k++) {
		for (i = n = 0; i < d->run->n_backends; i++)
			if (d->run->backends[i].addr.family == families[k])
				addrs[n++] = d->run->backends[i].addr;
		if (n)
			ct_evict_n(d, addrs, n, why);
	}
}

int ctfd_act(struct ctfd *d, const struct ctfd_action *a)
{
	struct ctfd_state *next;
	char err[512];
	uint32_t was;
	int ret = 0;

	if (a->kind == CTFD_ACT_NONE)
		return 0;
	d->c.events[a->source]++;
	switch (a->kind) {
	case CTFD_ACT_TAKEOVER:
		/* Said, so that nothing evicted reads as a decision. */
		d->c.takeovers++;
		ctfd_log(
			"event source=%s: takeover, nothing evicted (entries are live): %s",
			ctfd_source_name(a->source), a->cause);
		ctfd_prober_takeover(d);
		return 0;
	case CTFD_ACT_BUMP:
		/*
		 * Same address: entries kept (docs/architecture.md, "When
		 * entries are evicted or kept").
		 */
		ret = ctfd_bump(d, a->backend, a->source, a->cause, a->token);
		if (!ret)
			ct_keep(d, a->backend,
				"same address: the next packet reaches the new instance");
		return ret;
	case CTFD_ACT_SET_STATE:
		next = malloc(sizeof(*next));
		if (!next)
			return -ENOMEM;
		*next = *d->run;
		ctfd_log("state backend=%s %s->%s source=%s cause=\"%s\"",
			 next->backends[a->backend].name,
			 ctf_state_name(next->backends[a->backend].state),
			 ctf_state_name(a->state), ctfd_source_name(a->source),
			 a->cause);
		next->backends[a->backend].state = a->state;
		was = d->run->backends[a->backend].epoch;
		ret = ctfd_commit(d, next, err, sizeof(err));
		free(next);
		if (ret) {
			d->c.applies[CTFD_FAILED]++;
			ctfd_log("state change of %s failed: %s",
				 d->run->backends[a->backend].name, err);
			return ret;
		}
		d->c.applies[CTFD_OK]++;
		/*
		 * The commit gave it the epoch of its state (down or not) and,
		 * down, evicted (sync_backends()); back in service: kept
		 * (docs/architecture.md, "When entries are evicted or kept").
		 */
		if (d->run->backends[a->backend].epoch != was)
			bumped(d, a->backend, was, a->source, a->cause);
		if (a->state != CTF_STATE_DOWN)
			ct_keep(d, a->backend,
				"back in service at the same address");
		return 0;
	case CTFD_ACT_EVICT_ALL:
		/*
		 * Every backend's entries, one walk of the table a family;
		 * the epochs stay: they name the instances, which did not
		 * change (docs/architecture.md, "Epochs agree across load
		 * balancers").
		 */
		d->c.vip_losses++;
		if (d->run->conntrackd) {
			/*
			 * Deleted now, they would be deleted from the copy
			 * the new master commits (conntrackd sends the
			 * deletions): conntrackd -t ends them later.
			 */
			ctfd_log(
				"event source=%s: entries left to conntrackd's purge (keepalived.conntrackd), epochs kept: %s",
				ctfd_source_name(a->source), a->cause);
			return 0;
		}
		ctfd_log(
			"event source=%s: evicting the entries of all %u backends (epochs kept): %s",
			ctfd_source_name(a->source), d->run->n_backends,
			a->cause);
		evict_all(d, "the VIP left");
		return 0;
	default:
		return 0;
	}
}

/*
 * The running state that the kernel holds now: the module's backends
 * (names, states, epochs) when it is loaded, else the addresses in the
 * slot maps, named after the config's backend at that address so that the
 * guard compares like with like.
 */
static int kmod_adopt_cb(const struct ctf_backend *kb, void *data)
{
	struct ctfd_state *k = data;
	struct ctfd_backend *b;

	if (k->n_backends == CTFD_MAX_BACKENDS)
		return -E2BIG;
	b = &k->backends[k->n_backends++];
	memset(b, 0, sizeof(*b));
	b->addr = kb->addr;
	b->state = kb->state;
	/* Whatever named it: the module's epoch is the instance's now. */
	set_instance(b, ctfd_epoch_in_state(kb->epoch, kb->state));
	if (kb->name[0])
		snprintf(b->name, sizeof(b->name), "%s", kb->name);
	else
		ctf_addr_str(&kb->addr, b->name);
	return 0;
}

static int adopt_addr(struct ctfd_state *k, const struct ctfd_state *desired,
		      const struct ctf_addr *addr)
{
	struct ctfd_backend *b;
	unsigned int i;

	for (i = 0; i < k->n_backends; i++)
		if (ctf_addr_equal(&k->backends[i].addr, addr))
			return 0;
	if (k->n_backends == CTFD_MAX_BACKENDS)
		return -E2BIG;
	b = &k->backends[k->n_backends++];
	memset(b, 0, sizeof(*b));
	b->addr = *addr;
	b->state = CTF_STATE_ACTIVE;
	ctf_addr_str(addr, b->name);
	for (i = 0; i < desired->n_backends; i++)
		if (ctf_addr_equal(&desired->backends[i].addr, addr)) {
			snprintf(b->name, sizeof(b->name), "%s",
				 desired->backends[i].name);
			strcpy(b->instance, desired->backends[i].instance);
		}
	new_instance(b);
	return 0;
}

static int adopt(struct ctfd *d, const struct ctfd_state *desired,
		 struct ctfd_state *k, char *err, size_t errlen)
{
	struct ctf_ports ports;
	unsigned int i;
	int ret = 0, tries;

	memset(k, 0, sizeof(*k));
	/* What the config says about things the kernel does not hold. */
	k->guard_percent = desired->guard_percent;
	k->metrics = desired->metrics;
	memcpy(k->control, desired->control, sizeof(k->control));
	memcpy(k->keepalived_fifo, desired->keepalived_fifo,
	       sizeof(k->keepalived_fifo));
	k->table_size = desired->table_size;
	k->seed = desired->seed;
	if (d->dp.exists) {
		k->table_size = d->dp.table_size;
		k->seed = d->dp.seed;
		k->n_vips = d->dp.n_vips;
		memcpy(k->vips, d->dp.vips, sizeof(k->vips));
		k->n_ports = d->dp.n_ports;
		memcpy(k->ports, d->dp.ports, sizeof(k->ports));
	}
	if (d->kmod) {
		/* A dump interrupted by a concurrent change is retried. */
		for (tries = 0; tries < 5; tries++) {
			k->n_backends = 0;
			ret = ctf_kmod_backend_dump(&d->genl, kmod_adopt_cb, k);
			if (ret != -EINTR)
				break;
		}
		if (ret) {
			snprintf(err, errlen,
				 "reading the module's backends failed: %s",
				 strerror(-ret));
			return ret;
		}
		/*
		 * The module's SIP ports, not the table's: a module loaded
		 * since the table was made has only its default port.
		 */
		ret = ctf_kmod_ports_get(&d->genl, &ports);
		if (ret) {
			snprintf(err, errlen,
				 "reading the module's SIP ports failed: %s",
				 strerror(-ret));
			return ret;
		}
		k->n_ports = ports.n;
		memcpy(k->ports, ports.port, ports.n * sizeof(ports.port[0]));
		/* The config's instance names: the module's epochs came of
		 * them. */
		for (i = 0; i < k->n_backends; i++) {
			int j = backend_at(desired, &k->backends[i].addr);

			if (j >= 0)
				strcpy(k->backends[i].instance,
				       desired->backends[j].instance);
		}
	} else if (d->dp.exists) {
		for (i = 0; i < d->dp.table_size && !ret; i++) {
			if (d->dp.slots4[i].family)
				ret = adopt_addr(k, desired, &d->dp.slots4[i]);
			if (!ret && d->dp.slots6[i].family)
				ret = adopt_addr(k, desired, &d->dp.slots6[i]);
		}
		if (ret) {
			snprintf(
				err, errlen,
				"the kernel's slot maps name more than %d backends",
				CTFD_MAX_BACKENDS);
			return ret;
		}
	}
	ctfd_sort_backends(k);
	/* Two module backends of one name: tell them apart by address. */
	for (i = 1; i < k->n_backends; i++)
		if (!strcmp(k->backends[i].name, k->backends[i - 1].name))
			ctf_addr_str(&k->backends[i].addr, k->backends[i].name);
	ctfd_sort_backends(k);
	return 0;
}

static void log_plan(const struct ctfd_plan *p)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	ctfd_plan_print(f, p);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ctfd_log("plan: %s", line);
	free(text);
}

int ctfd_start(struct ctfd *d, char *err, size_t errlen)
{
	struct ctfd_state *desired, *k;
	struct ctfd_plan p = { 0 };
	int ret;

	desired = calloc(1, sizeof(*desired));
	k = calloc(1, sizeof(*k));
	if (!desired || !k) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = ctfd_config_load(d->conf_path, desired, err, errlen);
	if (ret)
		goto out;
	ret = ctfd_nft_read(d->nft, &d->dp, err, errlen);
	if (ret)
		goto out;
	if (d->dp.no_output) {
		ret = ctfd_nft_upgrade(d->nft, &d->dp, err, errlen);
		if (ret)
			goto out;
		ctfd_log(
			"nft: table inet ctfailover upgraded: its output chain added (the canary's)");
	}
	ret = adopt(d, desired, k, err, errlen);
	if (ret)
		goto out;
	ctfd_log("adopted from the kernel: %s, %u backends%s",
		 d->dp.exists ? "table inet ctfailover" : "no table yet",
		 k->n_backends, d->kmod ? " (module)" : "");
	ret = ctfd_plan_build(k, desired, d->force_start, &p);
	if (ret) {
		snprintf(err, errlen, "cannot plan the config: %s",
			 strerror(-ret));
		goto out;
	}
	log_plan(&p);
	if (p.refused) {
		d->c.applies[CTFD_REFUSED]++;
		snprintf(
			err, errlen,
			"refusing to start: %s (the kernel is left as it is; start with --force to apply it anyway)",
			p.reason);
		ret = -ECANCELED;
		goto out;
	}
	d->run = k;
	k = NULL;
	ret = ctfd_commit(d, desired, err, errlen);
	d->c.applies[ret ? CTFD_FAILED : CTFD_OK]++;
out:
	ctfd_plan_free(&p);
	free(desired);
	free(k);
	return ret;
}

int ctfd_commit_guarded(struct ctfd *d, const struct ctfd_state *next,
			const struct ctfd_plan *p, const char *what, char *err,
			size_t errlen)
{
	struct ctfd_state *before = malloc(sizeof(*before));
	int ret;

	if (!before) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*before = *d->run;
	ret = ctfd_commit(d, next, err, errlen);
	if (!ret) {
		ctfd_guard_log_commit(&d->guard_log, before, d->run,
				      ctfd_now_ms());
		if (p->forced)
			ctfd_log("guard: overridden by %s --force: %s", what,
				 p->reason);
	}
	free(before);
	return ret;
}

int ctfd_reload(struct ctfd *d, bool commit, bool force, struct ctfd_plan *p,
		char *err, size_t errlen)
{
	struct ctfd_state *desired;
	int ret;

	desired = calloc(1, sizeof(*desired));
	if (!desired) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* A missing, empty or invalid config changes nothing. */
	ret = ctfd_config_load(d->conf_path, desired, err, errlen);
	if (ret)
		goto out;
	ctfd_prober_overlay(d, desired);
	ret = ctfd_plan_build(d->run, desired, force, p);
	if (ret) {
		snprintf(err, errlen, "cannot plan the config: %s",
			 strerror(-ret));
		goto out;
	}
	ctfd_plan_window(p, &d->guard_log, d->run, desired, ctfd_now_ms(),
			 force);
	ctfd_plan_restart(d->run, desired, p);
	if (!commit)
		goto out;
	if (p->refused) {
		d->c.applies[CTFD_REFUSED]++;
		snprintf(err, errlen, "refused: %s", p->reason);
		ret = -ECANCELED;
		goto out;
	}
	ret = ctfd_commit_guarded(d, desired, p, "apply", err, errlen);
	d->c.applies[ret ? CTFD_FAILED : CTFD_OK]++;
out:
	if (commit)
		ctfd_log("apply%s: %s", force ? " --force" : "",
			 ret ? err : "ok");
	free(desired);
	return ret;
}

/*
 * Room for every action one observation can bring (a link can carry every
 * backend). Static: the daemon is single-threaded and ctfd_act() never
 * classifies, so the buffer is never in use twice.
 */
static struct ctfd_action acts_buf[CTFD_EVENTS_MAX_ACTIONS];

static void act_all(struct ctfd *d, int n)
{
	int i;

	if (n == -ENOSPC) {
		ctfd_log(
			"events: more actions than %d at once; acting on the first",
			CTFD_EVENTS_MAX_ACTIONS);
		n = CTFD_EVENTS_MAX_ACTIONS;
	}
	for (i = 0; i < n; i++)
		ctfd_act(d, &acts_buf[i]);
}

static int obs_cb(const struct ctfd_obs *o, void *data, bool initial)
{
	struct ctfd *d = data;

	act_all(d, ctfd_events_classify(&d->watch, d->run, o, initial, acts_buf,
					CTFD_EVENTS_MAX_ACTIONS));
	return 0;
}

static int obs_live(const struct ctfd_obs *o, void *data)
{
	return obs_cb(o, data, false);
}

static int obs_dump(const struct ctfd_obs *o, void *data)
{
	return obs_cb(o, data, true);
}

int ctfd_rtnl_sync(struct ctfd *d, bool act)
{
	int ret, n;

	/* A dump shows what is there, not what went: the bracket does. */
	ctfd_events_resync_begin(&d->watch);
	ret = ctfd_rtnl_dump(d->rtnl, obs_dump, d);
	n = ctfd_events_resync_end(&d->watch, d->run, acts_buf,
				   CTFD_EVENTS_MAX_ACTIONS);
	if (act)
		act_all(d, n);
	return ret < 0 ? ret : 0;
}

void ctfd_log_vips_at_start(struct ctfd *d)
{
	const struct ctfd_state *st = d->run;
	char *text = NULL, a[CTF_ADDR_STRLEN];
	const char *where;
	unsigned int i, j;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	for (i = 0; i < st->n_vips; i++) {
		where = "not on this host";
		for (j = 0; j < CTFD_MAX_VIPS; j++)
			if (d->watch.vips[j].addr.family &&
			    ctf_addr_equal(&d->watch.vips[j].addr,
					   &st->vips[i]) &&
			    d->watch.vips[j].where == CTFD_VIP_HERE)
				where = "on this host";
		fprintf(f, "%s%s %s", i ? ", " : "",
			ctf_addr_str(&st->vips[i], a), where);
	}
	fclose(f);
	ctfd_log(
		"vips at start: %s; conntrack left as it is (a start evicts nothing)",
		text);
	free(text);
}

/* Work done so far: a change in it means an event was acted on. */
static uint64_t work(const struct ctfd *d)
{
	return d->c.bumps + d->c.vip_losses + d->c.applies[CTFD_OK] +
	       d->c.applies[CTFD_FAILED];
}

static void event_done(struct ctfd *d, uint64_t before, double t0)
{
	struct timespec ts;

	if (work(d) == before)
		return;
	d->c.event_seconds = now_seconds() - t0;
	clock_gettime(CLOCK_REALTIME, &ts);
	d->c.event_done = ts.tv_sec + ts.tv_nsec / 1e9;
}

void ctfd_rtnl_input(struct ctfd *d)
{
	uint64_t before = work(d);
	double t0 = now_seconds();
	int ret = ctfd_rtnl_read(d->rtnl, obs_live, d);

	event_done(d, before, t0);
	if (ret != -ENOBUFS)
		return;
	/* Notifications were lost: what changed meanwhile is in a dump. */
	d->c.resyncs++;
	ctfd_log(
		"rtnetlink: notifications lost (ENOBUFS): resyncing from a full dump");
	ret = ctfd_rtnl_sync(d, true);
	if (ret < 0)
		ctfd_log("rtnetlink: resync dump failed: %s", strerror(-ret));
}

static int kmod_event_cb(const struct ctf_event *ev, void *data)
{
	struct ctfd *d = data;

	if (ev->cmd == CTF_CMD_EVENT_STALE) {
		/* One per re-steered flow: counted, not logged. */
		d->c.kmod_stale_seen++;
	} else if (ev->cmd == CTF_CMD_EVENT_EVICTED) {
		d->c.kmod_swept += ev->evict.evicted;
		ctfd_log(
			"module: sweep evicted %llu of %llu entries in %.1f ms",
			(unsigned long long)ev->evict.evicted,
			(unsigned long long)ev->evict.scanned,
			ev->evict.usec / 1e3);
	}
	return 0;
}

void ctfd_kmod_events(struct ctfd *d)
{
	int ret;

	do {
		ret = ctf_kmod_events_read(&d->genl_ev, kmod_event_cb, d);
	} while (ret > 0);
	if (ret == -ENOBUFS) {
		d->c.resyncs++;
		ctfd_log(
			"module: events lost (ENOBUFS); counters from the module's stats are exact");
	}
}

/*
 * The FIFO's actions of one read, carried out once it is drained: of a
 * burst, only the last EVICT_ALL and the last TAKEOVER, in their order
 * (docs/architecture.md, "HA events into actions").
 */
#define FIFO_PENDING  4
#define FIFO_READ_MAX (64 * 1024) /* bytes a round: the other sources' turn */

struct fifo_batch {
	struct ctfd_action act[FIFO_PENDING];
	unsigned int n, lines, skipped;
};

static void fifo_flush(struct ctfd *d, struct fifo_batch *b)
{
	unsigned int i;

	if (b->skipped)
		ctfd_log(
			"keepalived fifo: %u state lines at once: acting on the last of each kind, %u superseded",
			b->lines, b->skipped);
	for (i = 0; i < b->n; i++)
		ctfd_act(d, &b->act[i]);
	b->n = b->lines = b->skipped = 0;
}

static void fifo_add(struct ctfd *d, struct fifo_batch *b,
		     const struct ctfd_action *a)
{
	unsigned int i;

	b->lines++;
	for (i = 0; i < b->n; i++) {
		if (b->act[i].kind != a->kind ||
		    (a->kind != CTFD_ACT_EVICT_ALL &&
		     a->kind != CTFD_ACT_TAKEOVER))
			continue;
		memmove(&b->act[i], &b->act[i + 1],
			(b->n - i - 1) * sizeof(b->act[0]));
		b->n--;
		b->skipped++;
		break;
	}
	if (b->n == FIFO_PENDING)
		fifo_flush(d, b);
	b->act[b->n++] = *a;
}

/* Every complete line in the FIFO's buffer, into @b or logged. */
static void fifo_lines(struct ctfd *d, struct fifo_batch *b)
{
	char line[CTFD_LINE_MAX], err[256];
	int ret, n, i;

	while ((ret = ctfd_linebuf_next(&d->fifo_buf, line, sizeof(line))) !=
	       -EAGAIN) {
		if (ret < 0) {
			d->c.ignored_input++;
			ctfd_log("keepalived fifo: dropped a line: %s",
				 ret == -EPIPE ? "no newline at its end"
					       : strerror(-ret));
			continue;
		}
		n = ctfd_events_keepalived(&d->watch, d->run, line, acts_buf,
					   CTFD_EVENTS_MAX_ACTIONS, err,
					   sizeof(err));
		if (n < 0) {
			d->c.ignored_input++;
			ctfd_log("keepalived fifo: ignored line: %s", err);
			continue;
		}
		for (i = 0; i < n; i++)
			fifo_add(d, b, &acts_buf[i]);
	}
}

void ctfd_fifo_input(struct ctfd *d)
{
	uint64_t before = work(d);
	double t0 = now_seconds();
	struct fifo_batch b = { 0 };
	size_t got = 0;
	int fill;

	do {
		fill = ctfd_linebuf_fill(&d->fifo_buf, d->fifo_fd);
		if (fill < 0 && fill != -EAGAIN)
			ctfd_log("keepalived fifo: read failed: %s",
				 strerror(-fill));
		fifo_lines(d, &b);
		got += fill > 0 ? fill : 0;
	} while (fill > 0 && got < FIFO_READ_MAX);
	/*
	 * Drained, with an unfinished line left: its writer wrote no newline
	 * (keepalived writes each line whole, in one write). Thrown away, as
	 * at end of file, so that the next writer's line stands alone.
	 */
	if (fill <= 0 && !ctfd_linebuf_lines(&d->fifo_buf)) {
		ctfd_linebuf_eof(&d->fifo_buf);
		fifo_lines(d, &b);
	}
	fifo_flush(d, &b);
	event_done(d, before, t0);
}

int ctfd_kmod_open(struct ctfd *d)
{
	struct ctf_info info;
	int ret;

	ret = ctf_genl_open(&d->genl);
	if (!ret)
		ret = ctf_genl_get_info(&d->genl, &info);
	if (!ret && info.genl_version != CTFAILOVER_GENL_VERSION) {
		ctfd_log(
			"WARNING: ctfailover.ko speaks genl protocol %u, this daemon %d: not using it",
			info.genl_version, CTFAILOVER_GENL_VERSION);
		ret = -EPROTO;
	}
	if (ret) {
		if (d->genl.nl.sock)
			ctf_genl_close(&d->genl);
		return ret;
	}
	d->kmod = true;
	ctfd_log("module: ctfailover.ko %s keeps the epochs", info.version);
	/* Events on a socket of their own, so requests never skip them. */
	if (!ctf_genl_open(&d->genl_ev) && !ctf_kmod_events_join(&d->genl_ev)) {
		d->kmod_events = true;
	} else {
		if (d->genl_ev.nl.sock)
			ctf_genl_close(&d->genl_ev);
		ctfd_log(
			"module: cannot join the events group; sweep reports will be missing");
	}
	return 0;
}

void ctfd_kmod_close(struct ctfd *d)
{
	if (d->kmod_events)
		ctf_genl_close(&d->genl_ev);
	if (d->kmod)
		ctf_genl_close(&d->genl);
	d->kmod_events = false;
	d->kmod = false;
}

/*
 * The module was loaded under the running daemon (at last, or again after
 * an rmmod): give it the ports and every backend with the epoch the daemon
 * knows (why that is safe: docs/architecture.md, "Every entry can be
 * moved").
 */
static void kmod_attach(struct ctfd *d)
{
	unsigned int i, given = 0;
	int ret;

	if (d->kmod)
		return;
	ret = ctfd_kmod_open(d);
	if (ret) {
		/* -ENOENT: gone again already, or a resync found it absent. */
		if (ret != -ENOENT)
			ctfd_log(
				"module: ctfailover.ko loaded but not usable: %s",
				strerror(-ret));
		return;
	}
	ret = ctf_kmod_ports_set(&d->genl, d->run->ports, d->run->n_ports);
	if (ret) {
		d->c.kmod_errors++;
		ctfd_log("module: setting the SIP ports failed: %s",
			 strerror(-ret));
	}
	for (i = 0; i < d->run->n_backends; i++) {
		struct ctfd_backend *b = &d->run->backends[i];
		struct ctf_backend kb = { 0 }, out;

		kb.addr = b->addr;
		snprintf(kb.name, sizeof(kb.name), "%s", b->name);
		kb.state = b->state;
		kb.epoch = b->epoch;
		ret = ctf_kmod_backend_set(
			&d->genl, &kb,
			CTF_BF_NAME | CTF_BF_STATE | CTF_BF_EPOCH, &out);
		if (ret == -EINVAL)
			/* Its removed address's epoch (or an older module's
			 * refusal of a lower one): the module's own.
			 */
			ret = ctf_kmod_backend_set(&d->genl, &kb,
						   CTF_BF_NAME | CTF_BF_STATE,
						   &out);
		if (ret) {
			kmod_error(d, "backend set", &b->addr, ret);
			continue;
		}
		set_instance(b, ctfd_epoch_in_state(out.epoch, b->state));
		given++;
	}
	ctfd_log(
		"module: ctfailover.ko loaded: %u of %u backends given to it, epochs kept; eviction by module",
		given, d->run->n_backends);
	ctfd_flowtable_check(d);
}

void ctfd_flowtable_check(struct ctfd *d)
{
	char list[256];
	int n;

	if (!d->kmod || !d->nft)
		return;
	n = ctfd_nft_flowtables(d->nft, list, sizeof(list));
	if (n < 0)
		ctfd_log("nft: listing flowtables failed: %s", strerror(-n));
	else if (n > 0)
		ctfd_log(
			"WARNING: nft: %d flowtable(s) (%s): a SIP flow they offload skips the module's re-steer hook and moves only when the sweep deletes its stale entry (sweep_delay_ms after a change): keep the SIP ports out of their flow add rules",
			n, list);
}

static void kmod_detach(struct ctfd *d)
{
	if (!d->kmod)
		return;
	ctfd_kmod_close(d);
	ctfd_log(
		"WARNING: module: ctfailover.ko unloaded: stale entries are evicted with ctnetlink until it is back");
}

void ctfd_kmod_watch(struct ctfd *d)
{
	char buf[8192];
	const struct nlmsghdr *nlh;
	int len, ret;
	uint8_t cmd;
	bool kernel;
	ssize_t got;

	for (;;) {
		got = ctf_nl_recv(&d->kmod_watch, buf, sizeof(buf),
				  MSG_DONTWAIT, &kernel);
		if (got < 0) {
			if (got != -ENOBUFS)
				return;
			/* Notifications lost: ask whether it is there. */
			d->c.resyncs++;
			if (!d->kmod)
				kmod_attach(d);
			else if (ctf_genl_get_info(&d->genl,
						   &(struct ctf_info){ 0 }))
				kmod_detach(d);
			continue;
		}
		/* Only the kernel speaks for the controller. */
		if (!kernel)
			continue;
		len = (int)got;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			ret = ctf_genl_parse_watch(nlh, &cmd);
			if (ret <= 0)
				continue;
			if (cmd == CTRL_CMD_NEWFAMILY)
				kmod_attach(d);
			else
				kmod_detach(d);
		}
	}
}
