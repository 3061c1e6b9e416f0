// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "maglev.h"
#include "plan.h"

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct ctfd_backend *const *)a)->name,
		      (*(const struct ctfd_backend *const *)b)->name);
}

/*
 * Pointers to @st's backends in name order. The parser sorts them already;
 * sorting again costs little and keeps a hand-made state from producing a
 * remove + add of the same name.
 */
static const struct ctfd_backend **sorted(const struct ctfd_state *st)
{
	const struct ctfd_backend **v;
	unsigned int i;

	v = malloc((st->n_backends ? st->n_backends : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < st->n_backends; i++)
		v[i] = &st->backends[i];
	qsort(v, st->n_backends, sizeof(*v), by_name);
	return v;
}

static bool is_active(const struct ctfd_backend *be)
{
	return be->state == CTF_STATE_ACTIVE;
}

static unsigned int diff_backend(const struct ctfd_backend *o,
				 const struct ctfd_backend *n)
{
	unsigned int what = 0;

	if (!ctf_addr_equal(&o->addr, &n->addr))
		what |= CTFD_CHANGE_ADDR;
	if (strcmp(o->ifname, n->ifname))
		what |= CTFD_CHANGE_IFNAME;
	if (o->state != n->state)
		what |= CTFD_CHANGE_STATE;
	return what;
}

static void add_change(struct ctfd_plan *p, enum ctfd_change_kind kind,
		       const struct ctfd_backend *o,
		       const struct ctfd_backend *n, unsigned int what)
{
	struct ctfd_change *c = &p->changes[p->n_changes++];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (o)
		c->old = *o;
	if (n)
		c->new = *n;
	c->what = what;
}

/*
 * A remove and an add at one address are one backend renamed: a MODIFY
 * with CTFD_CHANGE_NAME at the remove's place; the add goes.
 */
static void pair_renames(struct ctfd_plan *p)
{
	unsigned int i, k, n = 0;

	for (i = 0; i < p->n_changes; i++) {
		struct ctfd_change *r = &p->changes[i];

		if (r->kind != CTFD_CHANGE_REMOVE)
			continue;
		for (k = 0; k < p->n_changes; k++) {
			struct ctfd_change *a = &p->changes[k];

			if (a->kind != CTFD_CHANGE_ADD ||
			    !ctf_addr_equal(&a->new.addr, &r->old.addr))
				continue;
			r->kind = CTFD_CHANGE_MODIFY;
			r->new = a->new;
			r->what = diff_backend(&r->old, &r->new) |
				  CTFD_CHANGE_NAME;
			/* Counted lost as a remove: it stays if active. */
			p->active_lost -=
				is_active(&r->old) && is_active(&r->new);
			a->what = ~0u; /* gone, below */
			break;
		}
	}
	for (i = 0; i < p->n_changes; i++)
		if (p->changes[i].what != ~0u)
			p->changes[n++] = p->changes[i];
	p->n_changes = n;
}

/* Merge the two name-sorted lists; count what the guard weighs. */
static int diff_backends(const struct ctfd_state *running,
			 const struct ctfd_state *desired, struct ctfd_plan *p)
{
	const struct ctfd_backend **r = sorted(running), **d = sorted(desired);
	unsigned int i = 0, k = 0, what;
	int cmp;

	p->changes = calloc(running->n_backends + desired->n_backends + 1,
			    sizeof(*p->changes));
	if (!r || !d || !p->changes) {
		free(r);
		free(d);
		return -ENOMEM;
	}
	while (i < running->n_backends || k < desired->n_backends) {
		if (i == running->n_backends)
			cmp = 1;
		else if (k == desired->n_backends)
			cmp = -1;
		else
			cmp = strcmp(r[i]->name, d[k]->name);
		if (cmp < 0) {
			p->active_lost += is_active(r[i]);
			add_change(p, CTFD_CHANGE_REMOVE, r[i++], NULL, 0);
		} else if (cmp > 0) {
			add_change(p, CTFD_CHANGE_ADD, NULL, d[k++], 0);
		} else {
			p->active_lost += is_active(r[i]) && !is_active(d[k]);
			what = diff_backend(r[i], d[k]);
			p->active_moved += is_active(r[i]) && is_active(d[k]) &&
					   (what & CTFD_CHANGE_ADDR);
			if (what)
				add_change(p, CTFD_CHANGE_MODIFY, r[i], d[k],
					   what);
			i++;
			k++;
		}
	}
	pair_renames(p);
	for (i = 0; i < running->n_backends; i++)
		p->active_before += is_active(&running->backends[i]);
	for (k = 0; k < desired->n_backends; k++)
		p->active_after += is_active(&desired->backends[k]);
	free(r);
	free(d);
	return 0;
}

static bool has_addr(const struct ctf_addr *v, unsigned int n,
		     const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i].family == a->family && ctf_addr_equal(&v[i], a))
			return true;
	return false;
}

static void diff_vips(const struct ctfd_state *running,
		      const struct ctfd_state *desired, struct ctfd_plan *p)
{
	unsigned int i;

	for (i = 0; i < desired->n_vips; i++)
		if (!has_addr(running->vips, running->n_vips,
			      &desired->vips[i]))
			p->vips_added[p->n_vips_added++] = desired->vips[i];
	for (i = 0; i < running->n_vips; i++)
		if (!has_addr(desired->vips, desired->n_vips,
			      &running->vips[i]))
			p->vips_removed[p->n_vips_removed++] = running->vips[i];
}

static bool has_port(const uint16_t *v, unsigned int n, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i] == port)
			return true;
	return false;
}

/*
 * nft matches the ports as a set: listing them in another order changes
 * nothing in the kernel, so it is not a change to show or apply.
 */
static bool ports_differ(const struct ctfd_state *a, const struct ctfd_state *b)
{
	unsigned int i;

	for (i = 0; i < a->n_ports; i++)
		if (!has_port(b->ports, b->n_ports, a->ports[i]))
			return true;
	for (i = 0; i < b->n_ports; i++)
		if (!has_port(a->ports, a->n_ports, b->ports[i]))
			return true;
	return false;
}

/*
 * "75%", or with a decimal when it is not whole ("33.3%"); never printed
 * as equal to a guard it exceeds, which rounding alone could do.
 */
static void percent_str(char *buf, size_t len, unsigned int part,
			unsigned int whole, unsigned int guard)
{
	uint64_t pm = ((uint64_t)part * 1000 + whole / 2) / whole;

	if (pm <= (uint64_t)guard * 10)
		pm = (uint64_t)guard * 10 + 1;
	if (pm % 10)
		snprintf(buf, len, "%u.%u%%", (unsigned int)(pm / 10),
			 (unsigned int)(pm % 10));
	else
		snprintf(buf, len, "%u%%", (unsigned int)(pm / 10));
}

static bool over(unsigned int part, unsigned int whole, unsigned int pct)
{
	return (uint64_t)part * 100 > (uint64_t)pct * whole;
}

/*
 * Losing more than guard% of the active backends at once, or all of them,
 * is what a broken generated config looks like, not a maintenance step:
 * those take backends out a few at a time. "Lost" counts draining and
 * down as well as removed, since either way nft stops sending them calls,
 * and an active backend moved to a new address too, since every flow of
 * its is re-steered. So is sending most slots to other backends at once
 * (a new table size or seed): plan.h.
 */
void ctfd_plan_guard(struct ctfd_plan *p, bool force)
{
	unsigned int out = p->active_lost + p->active_moved;
	char pct[16];

	p->refused = p->forced = false;
	p->reason[0] = '\0';
	if (!p->active_before) {
		return;
	} else if (!p->active_after && p->active_before == 1) {
		snprintf(p->reason, sizeof(p->reason),
			 "would remove the only active backend");
	} else if (!p->active_after) {
		snprintf(p->reason, sizeof(p->reason),
			 "would remove all %u active backends, leaving none",
			 p->active_before);
	} else if (over(out, p->active_before, p->guard_percent)) {
		percent_str(pct, sizeof(pct), out, p->active_before,
			    p->guard_percent);
		if (!p->active_moved)
			snprintf(
				p->reason, sizeof(p->reason),
				"would remove %u of %u active backends (%s > guard %u%%)",
				out, p->active_before, pct, p->guard_percent);
		else
			snprintf(
				p->reason, sizeof(p->reason),
				"would take %u of %u active backends out of service (%u) or to a new address (%u) (%s > guard %u%%)",
				out, p->active_before, p->active_lost,
				p->active_moved, pct, p->guard_percent);
	} else if (p->window_out && p->active_lost &&
		   over(p->window_out + p->active_lost,
			p->active_before + p->window_out, p->guard_percent)) {
		out = p->window_out + p->active_lost;
		percent_str(pct, sizeof(pct), out,
			    p->active_before + p->window_out, p->guard_percent);
		snprintf(
			p->reason, sizeof(p->reason),
			"would take %u of %u active backends out of service within guard.window_s %u: %u by earlier changes, %u by this one (%s > guard %u%%)",
			out, p->active_before + p->window_out, p->window_s,
			p->window_out, p->active_lost, pct, p->guard_percent);
	} else if (over(p->slots_reshuffled, p->slots_served,
			p->guard_percent)) {
		percent_str(pct, sizeof(pct), p->slots_reshuffled,
			    p->slots_served, p->guard_percent);
		snprintf(
			p->reason, sizeof(p->reason),
			"would send %u of %u slots to another backend that was serving already (%s > guard %u%%: a new table size or seed reshuffles them all)",
			p->slots_reshuffled, p->slots_served, pct,
			p->guard_percent);
	} else {
		return;
	}
	if (force) {
		p->forced = true;
		return;
	}
	p->refused = true;
	strncat(p->reason, "; use --force",
		sizeof(p->reason) - strlen(p->reason) - 1);
}

/*
 * p->slots_reshuffled and p->slots_served, of both families (plan.h): a
 * new table size or seed hashes every flow anew, so every served slot
 * counts; otherwise Maglev moves only the slots of the backends that come
 * and go (and a few more), none counted.
 */
static void reshuffled(const struct ctfd_state *running,
		       const struct ctfd_state *desired,
		       const struct ctfd_dataplane *before, struct ctfd_plan *p)
{
	const struct ctf_addr *o;
	unsigned int f, s;

	for (f = 0; f < 2; f++) {
		o = f ? before->slots6 : before->slots4;
		for (s = 0; o && s < before->table_size; s++)
			p->slots_served += o[s].family != 0;
	}
	if (running->table_size != desired->table_size ||
	    running->seed != desired->seed)
		p->slots_reshuffled = p->slots_served;
}

/* Is a backend named @name or at @addr active in @st? */
static bool in_service(const struct ctfd_state *st, const char *name,
		       const struct ctf_addr *addr)
{
	unsigned int i;

	for (i = 0; i < st->n_backends; i++)
		if (is_active(&st->backends[i]) &&
		    (!strcmp(st->backends[i].name, name) ||
		     ctf_addr_equal(&st->backends[i].addr, addr)))
			return true;
	return false;
}

void ctfd_plan_window(struct ctfd_plan *p, const struct ctfd_guard_log *log,
		      const struct ctfd_state *running,
		      const struct ctfd_state *desired, uint64_t now_ms,
		      bool force)
{
	unsigned int i;

	p->window_s = running->guard_window_s < desired->guard_window_s
			      ? running->guard_window_s
			      : desired->guard_window_s;
	p->window_out = 0;
	for (i = 0; p->window_s && i < log->n; i++)
		if (log->e[i].at_ms + p->window_s * 1000ULL > now_ms &&
		    !in_service(desired, log->e[i].name, &log->e[i].addr))
			p->window_out++;
	if (p->window_out)
		ctfd_plan_guard(p, force);
}

void ctfd_guard_log_commit(struct ctfd_guard_log *log,
			   const struct ctfd_state *before,
			   const struct ctfd_state *after, uint64_t now_ms)
{
	unsigned int i, n = 0;

	for (i = 0; i < log->n; i++)
		if (!in_service(after, log->e[i].name, &log->e[i].addr))
			log->e[n++] = log->e[i];
	log->n = n;
	for (i = 0; i < before->n_backends; i++) {
		const struct ctfd_backend *b = &before->backends[i];

		if (!is_active(b) || in_service(after, b->name, &b->addr))
			continue;
		if (log->n == CTFD_MAX_BACKENDS) /* the oldest goes */
			memmove(&log->e[0], &log->e[1],
				--log->n * sizeof(log->e[0]));
		snprintf(log->e[log->n].name, sizeof(log->e[0].name), "%s",
			 b->name);
		log->e[log->n].addr = b->addr;
		log->e[log->n++].at_ms = now_ms;
	}
}

int ctfd_plan_build(const struct ctfd_state *running,
		    const struct ctfd_state *desired, bool force,
		    struct ctfd_plan *p)
{
	struct ctfd_dataplane before, after;
	int err;

	memset(p, 0, sizeof(*p));
	err = ctfd_dataplane_build(running, &before);
	if (err)
		return err;
	err = ctfd_dataplane_build(desired, &after);
	if (err) {
		ctfd_dataplane_free(&before);
		return err;
	}
	p->slots_moved4 = ctfd_dataplane_slots_moved(&before, &after, AF_INET);
	p->slots_moved6 = ctfd_dataplane_slots_moved(&before, &after, AF_INET6);
	reshuffled(running, desired, &before, p);
	ctfd_dataplane_free(&before);
	ctfd_dataplane_free(&after);

	err = diff_backends(running, desired, p);
	if (err) {
		ctfd_plan_free(p);
		return err;
	}
	diff_vips(running, desired, p);
	p->ports_changed = ports_differ(running, desired);
	memcpy(p->old_ports, running->ports,
	       running->n_ports * sizeof(p->old_ports[0]));
	p->n_old_ports = running->n_ports;
	memcpy(p->new_ports, desired->ports,
	       desired->n_ports * sizeof(p->new_ports[0]));
	p->n_new_ports = desired->n_ports;
	p->old_table_size = running->table_size;
	p->new_table_size = desired->table_size;
	p->old_seed = running->seed;
	p->new_seed = desired->seed;

	p->guard_percent = running->guard_percent < desired->guard_percent
				   ? running->guard_percent
				   : desired->guard_percent;
	if (p->guard_percent > 100)
		p->guard_percent = 100;
	ctfd_plan_guard(p, force);
	return 0;
}

void ctfd_plan_restart(const struct ctfd_state *running,
		       const struct ctfd_state *desired, struct ctfd_plan *p)
{
	static const char *const names[] = { "control_socket", "metrics.listen",
					     "keepalived.notify_fifo" };
	bool differ[3];
	size_t used;
	unsigned int i;

	differ[0] = strcmp(running->control, desired->control);
	differ[1] = running->metrics.port != desired->metrics.port ||
		    (running->metrics.port &&
		     !ctf_addr_equal(&running->metrics.addr,
				     &desired->metrics.addr));
	differ[2] = strcmp(running->keepalived_fifo, desired->keepalived_fifo);
	p->restart[0] = '\0';
	for (i = 0; i < 3; i++)
		if (differ[i]) {
			used = strlen(p->restart);
			snprintf(p->restart + used, sizeof(p->restart) - used,
				 "%s%s", used ? ", " : "", names[i]);
		}
	if (!p->restart[0])
		return;
	used = strlen(p->reason);
	snprintf(
		p->reason + used, sizeof(p->reason) - used,
		"%s%s changed: needs a restart of ctfailoverd (--force does not apply it)",
		used ? "; and " : "", p->restart);
	p->refused = true;
	p->forced = false;
}

/* Lines of the diff, not counting a MODIFY's attributes apart: 0 if empty. */
static unsigned int n_changes(const struct ctfd_plan *p)
{
	return p->n_changes + p->n_vips_added + p->n_vips_removed +
	       p->ports_changed + (p->old_table_size != p->new_table_size) +
	       (p->old_seed != p->new_seed) + !!p->restart[0];
}

bool ctfd_plan_empty(const struct ctfd_plan *p)
{
	return !n_changes(p);
}

void ctfd_plan_free(struct ctfd_plan *p)
{
	free(p->changes);
	memset(p, 0, sizeof(*p));
}

static const char *state_str(unsigned int state)
{
	const char *s = ctf_state_name(state);

	return s ? s : "?";
}

static void print_ports(FILE *f, const uint16_t *ports, unsigned int n)
{
	unsigned int i;

	if (!n)
		fputs("none", f); /* a first start: nothing in the kernel yet */
	for (i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? "," : "", ports[i]);
}

static void print_change(FILE *f, const struct ctfd_change *c)
{
	char a[CTF_ADDR_STRLEN], b[CTF_ADDR_STRLEN];

	switch (c->kind) {
	case CTFD_CHANGE_ADD:
		fprintf(f, "+ backend %s %s", c->new.name,
			ctf_addr_str(&c->new.addr, a));
		if (c->new.ifname[0])
			fprintf(f, " dev %s", c->new.ifname);
		fprintf(f, " %s\n", state_str(c->new.state));
		break;
	case CTFD_CHANGE_REMOVE:
		fprintf(f, "- backend %s %s\n", c->old.name,
			ctf_addr_str(&c->old.addr, a));
		break;
	case CTFD_CHANGE_MODIFY:
		if (c->what & CTFD_CHANGE_NAME)
			fprintf(f,
				"~ backend %s renamed %s (same address %s: its flows stay)\n",
				c->old.name, c->new.name,
				ctf_addr_str(&c->new.addr, a));
		if (c->what & CTFD_CHANGE_ADDR)
			fprintf(f, "~ backend %s address %s -> %s\n",
				c->new.name, ctf_addr_str(&c->old.addr, a),
				ctf_addr_str(&c->new.addr, b));
		if (c->what & CTFD_CHANGE_IFNAME)
			fprintf(f, "~ backend %s interface %s -> %s\n",
				c->new.name,
				c->old.ifname[0] ? c->old.ifname : "none",
				c->new.ifname[0] ? c->new.ifname : "none");
		if (c->what & CTFD_CHANGE_STATE)
			fprintf(f, "~ backend %s state %s -> %s\n", c->new.name,
				state_str(c->old.state),
				state_str(c->new.state));
		break;
	}
}

void ctfd_plan_print(FILE *f, const struct ctfd_plan *p)
{
	char a[CTF_ADDR_STRLEN];
	unsigned int i;

	if (ctfd_plan_empty(p)) {
		fputs("no changes\n", f);
		return;
	}
	for (i = 0; i < p->n_changes; i++)
		print_change(f, &p->changes[i]);
	for (i = 0; i < p->n_vips_added; i++)
		fprintf(f, "+ vip %s\n", ctf_addr_str(&p->vips_added[i], a));
	for (i = 0; i < p->n_vips_removed; i++)
		fprintf(f, "- vip %s\n", ctf_addr_str(&p->vips_removed[i], a));
	if (p->ports_changed) {
		fputs("~ sip_ports ", f);
		print_ports(f, p->old_ports, p->n_old_ports);
		fputs(" -> ", f);
		print_ports(f, p->new_ports, p->n_new_ports);
		fputc('\n', f);
	}
	if (p->old_table_size != p->new_table_size)
		fprintf(f, "~ maglev table_size %u -> %u\n", p->old_table_size,
			p->new_table_size);
	if (p->old_seed != p->new_seed)
		fprintf(f, "~ maglev seed 0x%08x -> 0x%08x\n", p->old_seed,
			p->new_seed);
	if (p->restart[0])
		fprintf(f, "~ %s: needs a restart\n", p->restart);
	fprintf(f, "slots moved: %u of %u (IPv4), %u of %u (IPv6)\n",
		p->slots_moved4, p->new_table_size, p->slots_moved6,
		p->new_table_size);
	if (p->refused)
		fprintf(f, "guard: REFUSED: %s\n", p->reason);
	else if (p->forced)
		fprintf(f, "guard: FORCED: %s\n", p->reason);
	else
		fputs("guard: ok\n", f);
}

static void json_backend(struct ctf_json *j, const char *key,
			 const struct ctfd_backend *be)
{
	char a[CTF_ADDR_STRLEN];

	ctf_json_begin_object(j, key);
	ctf_json_string(j, "address", ctf_addr_str(&be->addr, a));
	ctf_json_string(j, "interface", be->ifname);
	ctf_json_string(j, "state", state_str(be->state));
	ctf_json_end_object(j);
}

static void json_change(struct ctf_json *j, const struct ctfd_change *c)
{
	static const char *const kinds[] = {
		[CTFD_CHANGE_ADD] = "add",
		[CTFD_CHANGE_REMOVE] = "remove",
		[CTFD_CHANGE_MODIFY] = "modify",
	};

	ctf_json_begin_object(j, NULL);
	ctf_json_string(j, "change", kinds[c->kind]);
	ctf_json_string(j, "name",
			c->kind == CTFD_CHANGE_REMOVE ? c->old.name
						      : c->new.name);
	if (c->kind == CTFD_CHANGE_MODIFY) {
		ctf_json_begin_array(j, "changed");
		if (c->what & CTFD_CHANGE_NAME)
			ctf_json_string(j, NULL, "name");
		if (c->what & CTFD_CHANGE_ADDR)
			ctf_json_string(j, NULL, "address");
		if (c->what & CTFD_CHANGE_IFNAME)
			ctf_json_string(j, NULL, "interface");
		if (c->what & CTFD_CHANGE_STATE)
			ctf_json_string(j, NULL, "state");
		ctf_json_end_array(j);
	}
	if (c->kind != CTFD_CHANGE_ADD)
		json_backend(j, "old", &c->old);
	if (c->kind != CTFD_CHANGE_REMOVE)
		json_backend(j, "new", &c->new);
	ctf_json_end_object(j);
}

static void json_addrs(struct ctf_json *j, const char *key,
		       const struct ctf_addr *v, unsigned int n)
{
	char a[CTF_ADDR_STRLEN];
	unsigned int i;

	ctf_json_begin_array(j, key);
	for (i = 0; i < n; i++)
		ctf_json_string(j, NULL, ctf_addr_str(&v[i], a));
	ctf_json_end_array(j);
}

static void json_ports(struct ctf_json *j, const char *key,
		       const uint16_t *ports, unsigned int n)
{
	unsigned int i;

	ctf_json_begin_array(j, key);
	for (i = 0; i < n; i++)
		ctf_json_uint(j, NULL, ports[i]);
	ctf_json_end_array(j);
}

static void json_old_new(struct ctf_json *j, const char *key, uint64_t o,
			 uint64_t n)
{
	ctf_json_begin_object(j, key);
	ctf_json_uint(j, "old", o);
	ctf_json_uint(j, "new", n);
	ctf_json_end_object(j);
}

void ctfd_plan_json(struct ctf_json *j, const char *key,
		    const struct ctfd_plan *p)
{
	unsigned int i;

	ctf_json_begin_object(j, key);
	ctf_json_uint(j, "changes", n_changes(p));
	ctf_json_begin_array(j, "backends");
	for (i = 0; i < p->n_changes; i++)
		json_change(j, &p->changes[i]);
	ctf_json_end_array(j);
	json_addrs(j, "vips_added", p->vips_added, p->n_vips_added);
	json_addrs(j, "vips_removed", p->vips_removed, p->n_vips_removed);
	/* The settings appear only when they change, old and new. */
	if (p->ports_changed) {
		ctf_json_begin_object(j, "sip_ports");
		json_ports(j, "old", p->old_ports, p->n_old_ports);
		json_ports(j, "new", p->new_ports, p->n_new_ports);
		ctf_json_end_object(j);
	}
	if (p->old_table_size != p->new_table_size)
		json_old_new(j, "table_size", p->old_table_size,
			     p->new_table_size);
	if (p->old_seed != p->new_seed)
		json_old_new(j, "seed", p->old_seed, p->new_seed);
	ctf_json_begin_object(j, "slots_moved");
	ctf_json_uint(j, "table_size", p->new_table_size);
	ctf_json_uint(j, "ipv4", p->slots_moved4);
	ctf_json_uint(j, "ipv6", p->slots_moved6);
	ctf_json_end_object(j);
	ctf_json_begin_object(j, "active");
	ctf_json_uint(j, "before", p->active_before);
	ctf_json_uint(j, "after", p->active_after);
	ctf_json_uint(j, "lost", p->active_lost);
	ctf_json_uint(j, "moved", p->active_moved);
	ctf_json_end_object(j);
	ctf_json_begin_object(j, "slots_reshuffled");
	ctf_json_uint(j, "reshuffled", p->slots_reshuffled);
	ctf_json_uint(j, "served", p->slots_served);
	ctf_json_end_object(j);
	ctf_json_begin_object(j, "guard");
	ctf_json_uint(j, "percent", p->guard_percent);
	ctf_json_uint(j, "window_s", p->window_s);
	ctf_json_uint(j, "window_out", p->window_out);
	ctf_json_string(j, "verdict",
			p->refused  ? "refused"
			: p->forced ? "forced"
				    : "ok");
	if (p->reason[0])
		ctf_json_string(j, "reason", p->reason);
	ctf_json_end_object(j);
	ctf_json_end_object(j);
}
