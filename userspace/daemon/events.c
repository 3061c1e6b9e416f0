// SPDX-License-Identifier: GPL-2.0
/*
 * HA events into actions (events.h). The rules and their reasons:
 * docs/architecture.md, "HA events into actions".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/neighbour.h>

#include "events.h"

const char *ctfd_source_name(enum ctfd_source src)
{
	static const char *const names[__CTFD_SRC_MAX] = {
		[CTFD_SRC_NEIGH] = "neigh",
		[CTFD_SRC_LINK] = "link",
		[CTFD_SRC_ADDR] = "addr",
		[CTFD_SRC_KEEPALIVED] = "keepalived",
		[CTFD_SRC_CONTROL] = "control",
		[CTFD_SRC_MODULE] = "module",
		[CTFD_SRC_PROBE] = "probe",
	};

	if ((unsigned int)src >= __CTFD_SRC_MAX)
		return "unknown";
	return names[src];
}

void ctfd_watch_init(struct ctfd_watch *w)
{
	memset(w, 0, sizeof(*w));
}

/* Where actions go: counted past @max so that the caller learns of it. */
struct out {
	struct ctfd_action *acts;
	int max, n;
	bool overflow;
};

static void __attribute__((format(printf, 6, 7)))
emit(struct out *out, enum ctfd_action_kind kind, unsigned int backend,
     uint8_t state, enum ctfd_source src, const char *fmt, ...)
{
	struct ctfd_action *a;
	va_list ap;

	if (out->n >= out->max) {
		out->overflow = true;
		return;
	}
	a = &out->acts[out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->backend = backend;
	a->state = state;
	a->source = src;
	va_start(ap, fmt);
	vsnprintf(a->cause, sizeof(a->cause), fmt, ap);
	va_end(ap);
}

static int result(const struct out *out)
{
	return out->overflow ? -ENOSPC : out->n;
}

static int backend_by_addr(const struct ctfd_state *st,
			   const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < st->n_backends; i++)
		if (ctf_addr_equal(&st->backends[i].addr, a))
			return i;
	return -1;
}

static bool is_vip(const struct ctfd_state *st, const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < st->n_vips; i++)
		if (ctf_addr_equal(&st->vips[i], a))
			return true;
	return false;
}

static const char *lladdr_str(const uint8_t *ll, unsigned int len, char *buf)
{
	char *p = buf;
	unsigned int i;

	if (!len)
		return "none";
	for (i = 0; i < len; i++)
		p += sprintf(p, "%s%02x", i ? ":" : "", ll[i]);
	return buf;
}

static struct ctfd_watch_link *link_by_index(struct ctfd_watch *w, int ifindex)
{
	unsigned int i;

	if (ifindex <= 0)
		return NULL;
	for (i = 0; i < CTFD_WATCH_LINKS; i++)
		if (w->links[i].name[0] && w->links[i].ifindex == ifindex)
			return &w->links[i];
	return NULL;
}

/* A link deleted earlier, kept by name so that its return is seen as such. */
static struct ctfd_watch_link *link_gone_by_name(struct ctfd_watch *w,
						 const char *name)
{
	unsigned int i;

	for (i = 0; i < CTFD_WATCH_LINKS; i++)
		if (!w->links[i].ifindex && !strcmp(w->links[i].name, name))
			return &w->links[i];
	return NULL;
}

/* The link's name for a message: what we know, else what @hint says. */
static const char *ifname_of(struct ctfd_watch *w, int ifindex,
			     const char *hint, char *buf)
{
	struct ctfd_watch_link *l = link_by_index(w, ifindex);

	if (l)
		return l->name;
	if (hint && hint[0])
		return hint;
	snprintf(buf, IF_NAMESIZE + 16, "ifindex %d", ifindex);
	return buf;
}

static struct ctfd_watch_neigh *neigh_find(struct ctfd_watch *w,
					   const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < CTFD_MAX_BACKENDS; i++)
		if (w->neigh[i].addr.family &&
		    ctf_addr_equal(&w->neigh[i].addr, a))
			return &w->neigh[i];
	return NULL;
}

/* A slot for @a: a free one, else one whose address is no backend now. */
static struct ctfd_watch_neigh *neigh_add(struct ctfd_watch *w,
					  const struct ctfd_state *st,
					  const struct ctf_addr *a)
{
	struct ctfd_watch_neigh *n = NULL;
	unsigned int i;

	for (i = 0; i < CTFD_MAX_BACKENDS && !n; i++)
		if (!w->neigh[i].addr.family)
			n = &w->neigh[i];
	for (i = 0; i < CTFD_MAX_BACKENDS && !n; i++)
		if (backend_by_addr(st, &w->neigh[i].addr) < 0)
			n = &w->neigh[i];
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->addr = *a;
	return n;
}

static void classify_neigh(struct ctfd_watch *w, const struct ctfd_state *st,
			   const struct ctfd_obs *o, struct out *out)
{
	char abuf[CTF_ADDR_STRLEN], old[32 * 3], new[32 * 3];
	char ibuf[IF_NAMESIZE + 16];
	const struct ctfd_backend *be;
	struct ctfd_watch_link *l;
	struct ctfd_watch_neigh *n;
	bool relearn;
	int b;

	b = backend_by_addr(st, &o->addr);
	if (b < 0)
		return;
	be = &st->backends[b];
	/* The same address behind another link is another neighbour. */
	l = link_by_index(w, o->ifindex);
	if (be->ifname[0] && l && strcmp(l->name, be->ifname))
		return;
	/* Deleted: the last lladdr stays, to compare the next one with. */
	if (o->kind == CTFD_OBS_NEIGH_DEL)
		return;
	/* No usable lladdr is "unreachable": the prober's business. */
	if (!o->lladdr_len || o->lladdr_len > sizeof(o->lladdr) ||
	    (o->nud_state & (NUD_INCOMPLETE | NUD_FAILED)))
		return;

	n = neigh_find(w, &o->addr);
	if (!n)
		n = neigh_add(w, st, &o->addr);
	if (!n)
		return;
	n->ifindex = o->ifindex;
	relearn = n->relearn;
	n->relearn = false;
	if (n->lladdr_len == o->lladdr_len &&
	    !memcmp(n->lladdr, o->lladdr, o->lladdr_len))
		return;
	if (n->lladdr_len && !relearn) {
		emit(out, CTFD_ACT_BUMP, b, 0, CTFD_SRC_NEIGH,
		     "neighbour %s lladdr %s -> %s on %s",
		     ctf_addr_str(&o->addr, abuf),
		     lladdr_str(n->lladdr, n->lladdr_len, old),
		     lladdr_str(o->lladdr, o->lladdr_len, new),
		     ifname_of(w, o->ifindex, o->ifname, ibuf));
		/* The new lladdr names the instance: the same on every host. */
		if (out->n && !out->overflow)
			ctfd_token_lladdr(out->acts[out->n - 1].token,
					  o->lladdr, o->lladdr_len);
	}
	memcpy(n->lladdr, o->lladdr, o->lladdr_len);
	n->lladdr_len = o->lladdr_len;
}

void ctfd_events_neigh_relearn(struct ctfd_watch *w, const struct ctf_addr *a)
{
	struct ctfd_watch_neigh *n = neigh_find(w, a);

	/* Never seen: its next sight is a first one anyway. */
	if (n)
		n->relearn = true;
}

static bool backend_on_link(struct ctfd_watch *w, const struct ctfd_backend *be,
			    const struct ctfd_watch_link *l)
{
	const struct ctfd_watch_neigh *n;

	if (be->ifname[0])
		return !strcmp(be->ifname, l->name);
	n = neigh_find(w, &be->addr);
	return n && n->lladdr_len && l->ifindex && n->ifindex == l->ifindex;
}

static struct ctfd_watch_down *down_find(struct ctfd_watch *w, const char *name)
{
	unsigned int i;

	for (i = 0; i < CTFD_MAX_BACKENDS; i++)
		if (w->down[i].name[0] && !strcmp(w->down[i].name, name))
			return &w->down[i];
	return NULL;
}

static struct ctfd_watch_down *
down_add(struct ctfd_watch *w, const struct ctfd_state *st, const char *name)
{
	struct ctfd_watch_down *d = down_find(w, name);
	unsigned int i;

	for (i = 0; i < CTFD_MAX_BACKENDS && !d; i++)
		if (!w->down[i].name[0] ||
		    ctfd_backend_index(st, w->down[i].name) < 0)
			d = &w->down[i];
	if (d) {
		memset(d, 0, sizeof(*d));
		strcpy(d->name, name);
	}
	return d;
}

static void link_down(struct ctfd_watch *w, const struct ctfd_state *st,
		      const struct ctfd_watch_link *l, const char *how,
		      struct out *out)
{
	const struct ctfd_backend *be;
	struct ctfd_watch_down *d;
	unsigned int i;

	for (i = 0; i < st->n_backends; i++) {
		be = &st->backends[i];
		if (!backend_on_link(w, be, l) || be->state == CTF_STATE_DOWN)
			continue;
		d = down_add(w, st, be->name);
		if (d) {
			d->prev_state = be->state;
			strcpy(d->link, l->name);
		}
		emit(out, CTFD_ACT_SET_STATE, i, CTF_STATE_DOWN, CTFD_SRC_LINK,
		     "link %s %s (was %s)", l->name, how,
		     ctf_state_name(be->state));
	}
}

/* Only the backends this link took down: other downs are not ours to undo. */
static void link_up(struct ctfd_watch *w, const struct ctfd_state *st,
		    const struct ctfd_watch_link *l, struct out *out)
{
	struct ctfd_watch_down *d;
	unsigned int i;
	int b;

	for (i = 0; i < CTFD_MAX_BACKENDS; i++) {
		d = &w->down[i];
		if (!d->name[0] || strcmp(d->link, l->name))
			continue;
		b = ctfd_backend_index(st, d->name);
		if (b >= 0 && st->backends[b].state == CTF_STATE_DOWN)
			emit(out, CTFD_ACT_SET_STATE, b, d->prev_state,
			     CTFD_SRC_LINK, "link %s up again (back to %s)",
			     l->name, ctf_state_name(d->prev_state));
		else if (b >= 0)
			/* Someone restored it meanwhile; the flap still counts.
			 */
			emit(out, CTFD_ACT_BUMP, b, 0, CTFD_SRC_LINK,
			     "link %s up again", l->name);
		memset(d, 0, sizeof(*d));
	}
}

/* Whether forgetting @l could lose an action. */
static bool link_matters(struct ctfd_watch *w, const struct ctfd_state *st,
			 const struct ctfd_watch_link *l)
{
	unsigned int i;

	for (i = 0; i < CTFD_MAX_BACKENDS; i++)
		if (w->down[i].name[0] && !strcmp(w->down[i].link, l->name))
			return true;
	for (i = 0; i < st->n_backends; i++)
		if (backend_on_link(w, &st->backends[i], l))
			return true;
	return false;
}

static struct ctfd_watch_link *link_add(struct ctfd_watch *w,
					const struct ctfd_state *st)
{
	struct ctfd_watch_link *l = NULL;
	unsigned int i;

	for (i = 0; i < CTFD_WATCH_LINKS && !l; i++)
		if (!w->links[i].name[0])
			l = &w->links[i];
	for (i = 0; i < CTFD_WATCH_LINKS && !l; i++)
		if (!w->links[i].ifindex && !link_matters(w, st, &w->links[i]))
			l = &w->links[i];
	for (i = 0; i < CTFD_WATCH_LINKS && !l; i++)
		if (!link_matters(w, st, &w->links[i]))
			l = &w->links[i];
	if (l)
		memset(l, 0, sizeof(*l));
	return l;
}

static void classify_link(struct ctfd_watch *w, const struct ctfd_state *st,
			  const struct ctfd_obs *o, bool initial,
			  struct out *out)
{
	struct ctfd_watch_link *l, *dup;
	bool was;

	l = link_by_index(w, o->ifindex);
	if (!l && o->ifname[0])
		l = link_gone_by_name(w, o->ifname);

	if (o->kind == CTFD_OBS_LINK_DEL) {
		if (!l)
			return;
		if (l->up)
			link_down(w, st, l, "deleted", out);
		l->up = false;
		l->ifindex = 0;
		return;
	}
	if (!o->ifname[0] || o->ifindex <= 0)
		return;
	if (!l) {
		/* First sight: what is there, not a change. */
		l = link_add(w, st);
		if (!l)
			return;
		l->ifindex = o->ifindex;
		strcpy(l->name, o->ifname);
		l->up = o->up;
		l->seen = initial;
		return;
	}
	if (initial)
		l->seen = true;
	l->ifindex = o->ifindex;
	if (strcmp(l->name, o->ifname)) {
		/* Renamed (only possible while down): the name is what counts.
		 */
		dup = link_gone_by_name(w, o->ifname);
		if (dup)
			memset(dup, 0, sizeof(*dup));
		strcpy(l->name, o->ifname);
	}
	was = l->up;
	l->up = o->up;
	if (was && !o->up)
		link_down(w, st, l, "down", out);
	else if (!was && o->up)
		link_up(w, st, l, out);
}

static struct ctfd_watch_vip *vip_find(struct ctfd_watch *w,
				       const struct ctf_addr *a)
{
	unsigned int i;

	for (i = 0; i < CTFD_MAX_VIPS; i++)
		if (w->vips[i].addr.family &&
		    ctf_addr_equal(&w->vips[i].addr, a))
			return &w->vips[i];
	return NULL;
}

enum ctfd_vip_where ctfd_watch_vip_where(const struct ctfd_watch *w,
					 const struct ctf_addr *a)
{
	/* vip_find only reads through @w. */
	const struct ctfd_watch_vip *v = vip_find((struct ctfd_watch *)w, a);

	return v ? v->where : CTFD_VIP_UNKNOWN;
}

static struct ctfd_watch_vip *vip_add(struct ctfd_watch *w,
				      const struct ctfd_state *st,
				      const struct ctf_addr *a)
{
	struct ctfd_watch_vip *v = NULL;
	unsigned int i;

	for (i = 0; i < CTFD_MAX_VIPS && !v; i++)
		if (!w->vips[i].addr.family || !is_vip(st, &w->vips[i].addr))
			v = &w->vips[i];
	if (v) {
		memset(v, 0, sizeof(*v));
		v->addr = *a;
	}
	return v;
}

static void classify_addr(struct ctfd_watch *w, const struct ctfd_state *st,
			  const struct ctfd_obs *o, bool initial,
			  struct out *out)
{
	char abuf[CTF_ADDR_STRLEN], ibuf[IF_NAMESIZE + 16];
	enum ctfd_vip_where was;
	struct ctfd_watch_vip *v;

	if (!is_vip(st, &o->addr))
		return;
	v = vip_find(w, &o->addr);
	if (!v)
		v = vip_add(w, st, &o->addr);
	if (!v)
		return;
	was = v->where;

	if (o->kind == CTFD_OBS_ADDR) {
		if (initial)
			v->seen = true;
		if (was == CTFD_VIP_HERE)
			return;
		v->where = CTFD_VIP_HERE;
		v->ifindex = o->ifindex;
		if (was == CTFD_VIP_UNKNOWN && initial)
			return;
		emit(out, CTFD_ACT_TAKEOVER, 0, 0, CTFD_SRC_ADDR,
		     "vip %s added on %s: this host took over",
		     ctf_addr_str(&o->addr, abuf),
		     ifname_of(w, o->ifindex, o->ifname, ibuf));
		return;
	}
	/* A second copy on another link going away moves nothing. */
	if (was == CTFD_VIP_HERE && v->ifindex != o->ifindex)
		return;
	v->where = CTFD_VIP_ABSENT;
	if (was == CTFD_VIP_ABSENT)
		return;
	emit(out, CTFD_ACT_EVICT_ALL, 0, 0, CTFD_SRC_ADDR,
	     "vip %s removed from %s: this host gave it up",
	     ctf_addr_str(&o->addr, abuf),
	     ifname_of(w, o->ifindex, o->ifname, ibuf));
}

int ctfd_events_classify(struct ctfd_watch *w, const struct ctfd_state *st,
			 const struct ctfd_obs *o, bool initial,
			 struct ctfd_action *acts, int max)
{
	struct out out = { .acts = acts, .max = max };

	switch (o->kind) {
	case CTFD_OBS_NEIGH:
	case CTFD_OBS_NEIGH_DEL:
		classify_neigh(w, st, o, &out);
		break;
	case CTFD_OBS_LINK:
	case CTFD_OBS_LINK_DEL:
		classify_link(w, st, o, initial, &out);
		break;
	case CTFD_OBS_ADDR:
	case CTFD_OBS_ADDR_DEL:
		classify_addr(w, st, o, initial, &out);
		break;
	}
	return result(&out);
}

void ctfd_events_resync_begin(struct ctfd_watch *w)
{
	unsigned int i;

	for (i = 0; i < CTFD_WATCH_LINKS; i++)
		w->links[i].seen = false;
	for (i = 0; i < CTFD_MAX_VIPS; i++)
		w->vips[i].seen = false;
	w->resync = true;
}

int ctfd_events_resync_end(struct ctfd_watch *w, const struct ctfd_state *st,
			   struct ctfd_action *acts, int max)
{
	struct out out = { .acts = acts, .max = max };
	char abuf[CTF_ADDR_STRLEN];
	struct ctfd_watch_link *l;
	struct ctfd_watch_vip *v;
	unsigned int i, gone = 0;
	const struct ctf_addr *first = NULL;

	if (!w->resync)
		return 0;
	w->resync = false;
	for (i = 0; i < CTFD_WATCH_LINKS; i++) {
		l = &w->links[i];
		if (!l->name[0] || !l->ifindex || l->seen)
			continue;
		if (l->up)
			link_down(w, st, l, "gone", &out);
		l->up = false;
		l->ifindex = 0;
	}
	for (i = 0; i < st->n_vips; i++)
		if (!vip_find(w, &st->vips[i]))
			vip_add(w, st, &st->vips[i]);
	for (i = 0; i < CTFD_MAX_VIPS; i++) {
		v = &w->vips[i];
		if (!v->addr.family || v->seen || !is_vip(st, &v->addr))
			continue;
		if (v->where == CTFD_VIP_HERE && !gone++)
			first = &v->addr;
		v->where = CTFD_VIP_ABSENT;
	}
	/* One move is one move, however many VIPs went with it. */
	if (gone)
		emit(&out, CTFD_ACT_EVICT_ALL, 0, 0, CTFD_SRC_ADDR,
		     "vip %s%s gone from this host (notification lost)",
		     ctf_addr_str(first, abuf), gone > 1 ? " and others" : "");
	return result(&out);
}

static bool upper_word(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isupper((unsigned char)s[i]) && s[i] != '_')
			return false;
	return len > 0;
}

static bool word_is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(s, word, len);
}

static int copy_word(char *dst, size_t dstlen, const char *src, size_t len)
{
	if (len >= dstlen)
		return -EINVAL;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/*
 * keepalived's vrrp notify_fifo grammar (keepalived.conf(5), "notify";
 * vrrp_notify.c writes it with "%s \"%s\" %s %d\n"):
 *   line  = type SP DQUOTE name DQUOTE SP state [SP priority]
 *   type  = "INSTANCE" / "GROUP"
 */
int ctfd_keepalived_parse(const char *line, char *kind, size_t kindlen,
			  char *name, size_t namelen, char *state,
			  size_t statelen, char *err, size_t errlen)
{
	const char *p = line, *q, *end = line + strlen(line);
	unsigned int prio = 0;
	size_t n;

	if (errlen)
		err[0] = '\0';
	if (end > line && end[-1] == '\n')
		end--;

	q = memchr(p, ' ', end - p);
	n = q ? (size_t)(q - p) : (size_t)(end - p);
	if (word_is(p, n, "VS") || word_is(p, n, "RS"))
		return 1; /* the checker's lines share notify_fifo */
	if (!q || (!word_is(p, n, "INSTANCE") && !word_is(p, n, "GROUP")))
		goto bad;
	if (copy_word(kind, kindlen, p, n))
		goto bad;

	p = q + 1;
	if (p >= end || *p != '"')
		goto bad;
	p++;
	q = memchr(p, '"', end - p);
	if (!q || q == p)
		goto bad;
	for (n = 0; p + n < q; n++)
		if (!isgraph((unsigned char)p[n]))
			goto bad;
	if (copy_word(name, namelen, p, q - p)) {
		snprintf(err, errlen, "keepalived name too long in '%.60s'",
			 line);
		return -EINVAL;
	}

	p = q + 1;
	if (p >= end || *p != ' ')
		goto bad;
	p++;
	q = memchr(p, ' ', end - p);
	n = q ? (size_t)(q - p) : (size_t)(end - p);
	if (!upper_word(p, n) || copy_word(state, statelen, p, n))
		goto bad;
	if (!q)
		return 0;

	p = q + 1;
	if (p >= end || end - p > 3)
		goto bad;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		prio = prio * 10 + (*p - '0');
	}
	if (prio > 255)
		goto bad;
	return 0;

bad:
	snprintf(err, errlen,
		 "bad keepalived line '%.60s' (TYPE \"NAME\" STATE PRIORITY)",
		 line);
	return -EINVAL;
}

static struct ctfd_watch_vrrp *vrrp_find(struct ctfd_watch *w, const char *kind,
					 const char *name)
{
	unsigned int i;

	for (i = 0; i < CTFD_WATCH_VRRP; i++)
		if (w->vrrp[i].kind[0] && !strcmp(w->vrrp[i].kind, kind) &&
		    !strcmp(w->vrrp[i].name, name))
			return &w->vrrp[i];
	return NULL;
}

static struct ctfd_watch_vrrp *vrrp_add(struct ctfd_watch *w)
{
	unsigned int i;

	for (i = 0; i < CTFD_WATCH_VRRP; i++)
		if (!w->vrrp[i].kind[0])
			return &w->vrrp[i];
	/*
	 * More instances than slots: forgetting one costs at most one extra
	 * action, on its next line.
	 */
	i = w->vrrp_next++ % CTFD_WATCH_VRRP;
	return &w->vrrp[i];
}

int ctfd_events_keepalived(struct ctfd_watch *w, const struct ctfd_state *st,
			   const char *line, struct ctfd_action *acts, int max,
			   char *err, size_t errlen)
{
	/* Where the VIP is, in or out of this host, changes with these. */
	static const char *const moves[] = { "MASTER", "BACKUP", "FAULT",
					     "STOP", "DELETED" };
	/* Information only: the instance stays where it is. */
	static const char *const stays[] = { "MASTER_RX_LOWER_PRI",
					     "MASTER_PRIORITY",
					     "BACKUP_PRIORITY" };
	char kind[CTFD_VRRP_KIND], name[CTFD_VRRP_NAME], state[CTFD_VRRP_STATE],
		prev[CTFD_VRRP_STATE] = "";
	struct out out = { .acts = acts, .max = max };
	struct ctfd_watch_vrrp *v;
	bool move = false;
	unsigned int i;
	int ret;

	ret = ctfd_keepalived_parse(line, kind, sizeof(kind), name,
				    sizeof(name), state, sizeof(state), err,
				    errlen);
	if (ret)
		return ret < 0 ? ret : 0;
	/* Another VRRP instance than the VIPs' says nothing of them. */
	for (i = 0; i < st->n_keepalived_instances; i++)
		if (!strcmp(name, st->keepalived_instances[i]))
			break;
	if (st->n_keepalived_instances && i == st->n_keepalived_instances) {
		snprintf(err, errlen,
			 "%s %s %s: not one of keepalived.instances", kind,
			 name, state);
		return -ENOENT;
	}
	for (i = 0; i < sizeof(stays) / sizeof(stays[0]); i++)
		if (!strcmp(state, stays[i]))
			return 0;
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (!strcmp(state, moves[i]))
			move = true;
	if (!move) {
		snprintf(
			err, errlen,
			"unknown keepalived state '%s' of %s %s (MASTER, BACKUP, FAULT, STOP, DELETED)",
			state, kind, name);
		return -EINVAL;
	}

	v = vrrp_find(w, kind, name);
	if (v && !strcmp(v->state, state))
		return 0;
	if (v)
		strcpy(prev, v->state);
	else
		v = vrrp_add(w);
	strcpy(v->kind, kind);
	strcpy(v->name, name);
	strcpy(v->state, state);
	/* MASTER brings the VIP here; the others take it away. */
	emit(&out,
	     strcmp(state, "MASTER") ? CTFD_ACT_EVICT_ALL : CTFD_ACT_TAKEOVER,
	     0, 0, CTFD_SRC_KEEPALIVED, "keepalived %s %s %s%s%s", kind, name,
	     prev, prev[0] ? " -> " : "", state);
	return result(&out);
}

void ctfd_linebuf_init(struct ctfd_linebuf *lb)
{
	memset(lb, 0, sizeof(*lb));
}

/* A full buffer without a newline is the head of an overlong line. */
static void make_room(struct ctfd_linebuf *lb)
{
	if (lb->len < sizeof(lb->buf) || memchr(lb->buf, '\n', lb->len))
		return;
	lb->len = 0;
	lb->discarding = true;
	lb->pending = -EMSGSIZE;
}

/* @n new bytes are at buf + len. */
static void took(struct ctfd_linebuf *lb, size_t n)
{
	char *start = lb->buf + lb->len, *nl;

	if (lb->discarding) {
		nl = memchr(start, '\n', n);
		if (!nl)
			return;
		lb->discarding = false;
		n -= nl + 1 - start;
		memmove(start, nl + 1, n);
	}
	lb->len += n;
}

size_t ctfd_linebuf_push(struct ctfd_linebuf *lb, const char *p, size_t n)
{
	make_room(lb);
	if (n > sizeof(lb->buf) - lb->len)
		n = sizeof(lb->buf) - lb->len;
	memcpy(lb->buf + lb->len, p, n);
	took(lb, n);
	return n;
}

bool ctfd_linebuf_lines(const struct ctfd_linebuf *lb)
{
	return lb->pending || !lb->len || memchr(lb->buf, '\n', lb->len);
}

void ctfd_linebuf_eof(struct ctfd_linebuf *lb)
{
	if (lb->len && !lb->pending)
		lb->pending = -EPIPE;
	lb->len = 0;
	lb->discarding = false;
}

int ctfd_linebuf_fill(struct ctfd_linebuf *lb, int fd)
{
	ssize_t n;

	make_room(lb);
	if (lb->len == sizeof(lb->buf))
		return 1; /* full of lines: ctfd_linebuf_next() first */
	do {
		n = read(fd, lb->buf + lb->len, sizeof(lb->buf) - lb->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0) {
		ctfd_linebuf_eof(lb);
		return 0;
	}
	took(lb, n);
	return n;
}

int ctfd_linebuf_next(struct ctfd_linebuf *lb, char *line, size_t linelen)
{
	size_t n;
	char *nl;
	int ret = 0;

	if (lb->pending) {
		ret = lb->pending;
		lb->pending = 0;
		return ret;
	}
	nl = memchr(lb->buf, '\n', lb->len);
	if (!nl)
		return -EAGAIN;
	n = nl - lb->buf;
	if (memchr(lb->buf, '\0', n))
		ret = -EBADMSG;
	else if (n >= linelen)
		ret = -EMSGSIZE;
	else {
		memcpy(line, lb->buf, n);
		line[n] = '\0';
	}
	lb->len -= n + 1;
	memmove(lb->buf, nl + 1, lb->len);
	return ret;
}
