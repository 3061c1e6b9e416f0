// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of ctfailover.ko's netlink contract (kmod/uapi/ctfailover.h)
 * and strict parsers of its replies and events.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kmod.h"

/*
 * The type each attribute must have; MNL_TYPE_UNSPEC ones (PAD) are
 * skipped, and so is any type above the table (a newer module's).
 * Addresses are MNL_TYPE_BINARY: their length is checked by family.
 */
static const enum mnl_attr_data_type top_types[CTF_A_MAX + 1] = {
	[CTF_A_INFO_VERSION] = MNL_TYPE_NUL_STRING,
	[CTF_A_INFO_GENL_VERSION] = MNL_TYPE_U32,
	[CTF_A_BACKEND] = MNL_TYPE_NESTED,
	[CTF_A_PORTS] = MNL_TYPE_NESTED,
	[CTF_A_PORT] = MNL_TYPE_U16,
	[CTF_A_EVICT] = MNL_TYPE_NESTED,
	[CTF_A_STATS] = MNL_TYPE_NESTED,
	[CTF_A_LABEL_WORD] = MNL_TYPE_U8,
	[CTF_A_STALE_EPOCH] = MNL_TYPE_U32,
	[CTF_A_SWEEP_DELAY_MS] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type backend_types[CTF_BA_MAX + 1] = {
	[CTF_BA_ADDR4] = MNL_TYPE_BINARY,
	[CTF_BA_ADDR6] = MNL_TYPE_BINARY,
	[CTF_BA_NAME] = MNL_TYPE_NUL_STRING,
	[CTF_BA_EPOCH] = MNL_TYPE_U32,
	[CTF_BA_STATE] = MNL_TYPE_U8,
	[CTF_BA_TAGGED] = MNL_TYPE_U64,
	[CTF_BA_STALE_HITS] = MNL_TYPE_U64,
	[CTF_BA_EVICTED] = MNL_TYPE_U64,
	[CTF_BA_UNSTAMPED_EPOCH] = MNL_TYPE_U32,
	[CTF_BA_ALIAS_EPOCH] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type evict_types[CTF_EV_MAX + 1] = {
	[CTF_EV_SCANNED] = MNL_TYPE_U64,
	[CTF_EV_EVICTED] = MNL_TYPE_U64,
	[CTF_EV_USEC] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type stats_types[CTF_ST_MAX + 1] = {
	[CTF_ST_BACKENDS] = MNL_TYPE_U32,
	[CTF_ST_TAGGED] = MNL_TYPE_U64,
	[CTF_ST_STALE_HITS] = MNL_TYPE_U64,
	[CTF_ST_EVICTED] = MNL_TYPE_U64,
	[CTF_ST_SWEEPS] = MNL_TYPE_U64,
	[CTF_ST_UNTAGGABLE] = MNL_TYPE_U64,
	[CTF_ST_FOREIGN] = MNL_TYPE_U64,
	[CTF_ST_LAST_EPOCH] = MNL_TYPE_U32,
	[CTF_ST_SWEEP_RESTARTS] = MNL_TYPE_U64,
	[CTF_ST_LATE] = MNL_TYPE_U64,
	[CTF_ST_MAY_BE_STALE] = MNL_TYPE_U8,
};

struct attr_table {
	const enum mnl_attr_data_type *types;
	unsigned int max;
	const struct nlattr **tb; /* max + 1 entries, zeroed */
};

static int table_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > t->max || t->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (t->types[type] != MNL_TYPE_BINARY &&
	    mnl_attr_validate(attr, t->types[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_nest(const struct nlattr *nest,
		      const enum mnl_attr_data_type *types, unsigned int max,
		      const struct nlattr **tb)
{
	struct attr_table t = { types, max, tb };

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, table_cb, &t) < 0)
		return -EBADMSG;
	return 0;
}

/* The top-level attributes of a generic netlink message into @tb. */
static int parse_msg(const struct nlmsghdr *nlh,
		     const struct nlattr *tb[CTF_A_MAX + 1])
{
	struct attr_table t = { top_types, CTF_A_MAX, tb };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_cb, &t) < 0)
		return -EBADMSG;
	return 0;
}

int ctf_kmod_parse_backend(const struct nlattr *nest, struct ctf_backend *b)
{
	const struct nlattr *tb[CTF_BA_MAX + 1] = { NULL };
	const struct nlattr *a4, *a6;
	struct ctf_backend r = { 0 };

	memset(b, 0, sizeof(*b));
	if (parse_nest(nest, backend_types, CTF_BA_MAX, tb))
		return -EBADMSG;

	/* Exactly one address, of its family's size. */
	a4 = tb[CTF_BA_ADDR4];
	a6 = tb[CTF_BA_ADDR6];
	if (!a4 == !a6)
		return -EBADMSG;
	if (a4) {
		if (mnl_attr_get_payload_len(a4) != sizeof(r.addr.v4))
			return -EBADMSG;
		r.addr.family = AF_INET;
		memcpy(&r.addr.v4, mnl_attr_get_payload(a4), sizeof(r.addr.v4));
	} else {
		if (mnl_attr_get_payload_len(a6) != sizeof(r.addr.v6))
			return -EBADMSG;
		r.addr.family = AF_INET6;
		memcpy(&r.addr.v6, mnl_attr_get_payload(a6), sizeof(r.addr.v6));
	}

	if (tb[CTF_BA_NAME]) {
		if (mnl_attr_get_payload_len(tb[CTF_BA_NAME]) > CTF_NAME_MAX)
			return -EBADMSG;
		strcpy(r.name, mnl_attr_get_str(tb[CTF_BA_NAME]));
		r.fields |= CTF_BF_NAME;
	}
	if (tb[CTF_BA_EPOCH]) {
		r.epoch = mnl_attr_get_u32(tb[CTF_BA_EPOCH]);
		if (!r.epoch || r.epoch > CTF_EPOCH_MAX)
			return -EBADMSG;
		r.fields |= CTF_BF_EPOCH;
	}
	if (tb[CTF_BA_UNSTAMPED_EPOCH]) {
		r.unstamped_epoch =
			mnl_attr_get_u32(tb[CTF_BA_UNSTAMPED_EPOCH]);
		if (!r.unstamped_epoch || r.unstamped_epoch > CTF_EPOCH_MAX)
			return -EBADMSG;
		r.fields |= CTF_BF_UNSTAMPED;
	}
	if (tb[CTF_BA_ALIAS_EPOCH]) {
		r.alias_epoch = mnl_attr_get_u32(tb[CTF_BA_ALIAS_EPOCH]);
		if (!r.alias_epoch || r.alias_epoch > CTF_EPOCH_MAX)
			return -EBADMSG;
	}
	if (tb[CTF_BA_STATE]) {
		r.state = mnl_attr_get_u8(tb[CTF_BA_STATE]);
		if (r.state > CTF_STATE_MAX)
			return -EBADMSG;
		r.fields |= CTF_BF_STATE;
	}
	if (tb[CTF_BA_TAGGED]) {
		r.tagged = mnl_attr_get_u64(tb[CTF_BA_TAGGED]);
		r.fields |= CTF_BF_TAGGED;
	}
	if (tb[CTF_BA_STALE_HITS]) {
		r.stale_hits = mnl_attr_get_u64(tb[CTF_BA_STALE_HITS]);
		r.fields |= CTF_BF_STALE_HITS;
	}
	if (tb[CTF_BA_EVICTED]) {
		r.evicted = mnl_attr_get_u64(tb[CTF_BA_EVICTED]);
		r.fields |= CTF_BF_EVICTED;
	}
	*b = r;
	return 0;
}

int ctf_kmod_parse_backend_msg(const struct nlmsghdr *nlh,
			       struct ctf_backend *b)
{
	const struct nlattr *tb[CTF_A_MAX + 1] = { NULL };
	int ret;

	memset(b, 0, sizeof(*b));
	if (parse_msg(nlh, tb) || !tb[CTF_A_BACKEND])
		return -EBADMSG;
	ret = ctf_kmod_parse_backend(tb[CTF_A_BACKEND], b);
	if (ret)
		return ret;
	if ((b->fields & CTF_BF_REPLY) != CTF_BF_REPLY) {
		memset(b, 0, sizeof(*b));
		return -EBADMSG;
	}
	return 0;
}

int ctf_kmod_parse_ports(const struct nlattr *nest, struct ctf_ports *p)
{
	const struct nlattr *attr;
	unsigned int i;
	uint16_t port;

	memset(p, 0, sizeof(*p));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != CTF_A_PORT)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			goto err;
		port = mnl_attr_get_u16(attr);
		if (!port || p->n == CTF_MAX_PORTS)
			goto err;
		for (i = 0; i < p->n; i++)
			if (p->port[i] == port)
				goto err;
		p->port[p->n++] = port;
	}
	return 0;

err:
	memset(p, 0, sizeof(*p));
	return -EBADMSG;
}

int ctf_kmod_parse_ports_msg(const struct nlmsghdr *nlh, struct ctf_ports *p)
{
	const struct nlattr *tb[CTF_A_MAX + 1] = { NULL };

	memset(p, 0, sizeof(*p));
	if (parse_msg(nlh, tb) || !tb[CTF_A_PORTS])
		return -EBADMSG;
	return ctf_kmod_parse_ports(tb[CTF_A_PORTS], p);
}

int ctf_kmod_parse_evict(const struct nlattr *nest, struct ctf_evict *ev)
{
	const struct nlattr *tb[CTF_EV_MAX + 1] = { NULL };

	memset(ev, 0, sizeof(*ev));
	if (parse_nest(nest, evict_types, CTF_EV_MAX, tb) ||
	    !tb[CTF_EV_SCANNED] || !tb[CTF_EV_EVICTED] || !tb[CTF_EV_USEC])
		return -EBADMSG;
	ev->scanned = mnl_attr_get_u64(tb[CTF_EV_SCANNED]);
	ev->evicted = mnl_attr_get_u64(tb[CTF_EV_EVICTED]);
	ev->usec = mnl_attr_get_u64(tb[CTF_EV_USEC]);
	return 0;
}

int ctf_kmod_parse_evict_msg(const struct nlmsghdr *nlh, struct ctf_evict *ev)
{
	const struct nlattr *tb[CTF_A_MAX + 1] = { NULL };

	memset(ev, 0, sizeof(*ev));
	if (parse_msg(nlh, tb) || !tb[CTF_A_EVICT])
		return -EBADMSG;
	return ctf_kmod_parse_evict(tb[CTF_A_EVICT], ev);
}

int ctf_kmod_parse_stats(const struct nlmsghdr *nlh, struct ctf_stats *st)
{
	const struct nlattr *tb[CTF_A_MAX + 1] = { NULL };
	const struct nlattr *sb[CTF_ST_MAX + 1] = { NULL };
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (parse_msg(nlh, tb) || !tb[CTF_A_STATS] || !tb[CTF_A_LABEL_WORD] ||
	    !tb[CTF_A_SWEEP_DELAY_MS] ||
	    parse_nest(tb[CTF_A_STATS], stats_types, CTF_ST_MAX, sb))
		return -EBADMSG;
	for (i = CTF_ST_BACKENDS; i <= CTF_ST_UNTAGGABLE; i++)
		if (!sb[i])
			return -EBADMSG;
	if (mnl_attr_get_u8(tb[CTF_A_LABEL_WORD]) > 3 ||
	    mnl_attr_get_u32(tb[CTF_A_SWEEP_DELAY_MS]) > CTF_MAX_SWEEP_DELAY_MS)
		return -EBADMSG;

	st->backends = mnl_attr_get_u32(sb[CTF_ST_BACKENDS]);
	st->tagged = mnl_attr_get_u64(sb[CTF_ST_TAGGED]);
	st->stale_hits = mnl_attr_get_u64(sb[CTF_ST_STALE_HITS]);
	st->evicted = mnl_attr_get_u64(sb[CTF_ST_EVICTED]);
	st->sweeps = mnl_attr_get_u64(sb[CTF_ST_SWEEPS]);
	st->untaggable = mnl_attr_get_u64(sb[CTF_ST_UNTAGGABLE]);
	if (sb[CTF_ST_FOREIGN])
		st->foreign = mnl_attr_get_u64(sb[CTF_ST_FOREIGN]);
	if (sb[CTF_ST_LAST_EPOCH])
		st->last_epoch = mnl_attr_get_u32(sb[CTF_ST_LAST_EPOCH]);
	if (sb[CTF_ST_SWEEP_RESTARTS])
		st->sweep_restarts =
			mnl_attr_get_u64(sb[CTF_ST_SWEEP_RESTARTS]);
	if (sb[CTF_ST_LATE])
		st->late = mnl_attr_get_u64(sb[CTF_ST_LATE]);
	st->may_be_stale = -1;
	if (sb[CTF_ST_MAY_BE_STALE])
		st->may_be_stale = !!mnl_attr_get_u8(sb[CTF_ST_MAY_BE_STALE]);
	st->label_word = mnl_attr_get_u8(tb[CTF_A_LABEL_WORD]);
	st->sweep_delay_ms = mnl_attr_get_u32(tb[CTF_A_SWEEP_DELAY_MS]);
	return 0;
}

int ctf_kmod_parse_event(const struct nlmsghdr *nlh, struct ctf_event *ev)
{
	const struct nlattr *tb[CTF_A_MAX + 1] = { NULL };
	const struct genlmsghdr *genl;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (parse_msg(nlh, tb))
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	switch (genl->cmd) {
	case CTF_CMD_EVENT_EVICTED:
		if (!tb[CTF_A_EVICT])
			return -EBADMSG;
		ret = ctf_kmod_parse_evict(tb[CTF_A_EVICT], &ev->evict);
		break;
	case CTF_CMD_EVENT_STALE:
		if (!tb[CTF_A_BACKEND] || !tb[CTF_A_STALE_EPOCH])
			return -EBADMSG;
		ret = ctf_kmod_parse_backend(tb[CTF_A_BACKEND], &ev->backend);
		ev->stale_epoch = mnl_attr_get_u32(tb[CTF_A_STALE_EPOCH]);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (ret) {
		memset(ev, 0, sizeof(*ev));
		return ret;
	}
	ev->cmd = genl->cmd;
	return 0;
}

void ctf_kmod_put_backend(struct nlmsghdr *nlh, const struct ctf_backend *b,
			  unsigned int fields)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_BACKEND);

	if (b->addr.family == AF_INET)
		mnl_attr_put(nlh, CTF_BA_ADDR4, sizeof(b->addr.v4),
			     &b->addr.v4);
	else
		mnl_attr_put(nlh, CTF_BA_ADDR6, sizeof(b->addr.v6),
			     &b->addr.v6);
	if (fields & CTF_BF_NAME)
		mnl_attr_put_strz(nlh, CTF_BA_NAME, b->name);
	if (fields & CTF_BF_EPOCH)
		mnl_attr_put_u32(nlh, CTF_BA_EPOCH, b->epoch);
	if (fields & CTF_BF_STATE)
		mnl_attr_put_u8(nlh, CTF_BA_STATE, b->state);
	if (fields & CTF_BF_ADOPT)
		mnl_attr_put(nlh, CTF_BA_ADOPT, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
}

void ctf_kmod_put_ports(struct nlmsghdr *nlh, const uint16_t *ports,
			unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_PORTS);
	unsigned int i;

	for (i = 0; i < n; i++)
		mnl_attr_put_u16(nlh, CTF_A_PORT, ports[i]);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * A request with one reply. A reply that does not parse is remembered
 * rather than aborting the read, so the ACK behind it is still consumed
 * and the socket stays usable for the next request.
 */
struct reply_ctx {
	int (*parse)(const struct nlmsghdr *nlh, void *out);
	void *out;
	bool got;
	int err;
};

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply_ctx *r = data;
	int ret;

	if (r->err || !r->out)
		return 0;
	ret = r->parse(nlh, r->out);
	if (ret)
		r->err = ret;
	else
		r->got = true;
	return 0;
}

static int talk_one(struct ctf_genl *g, struct nlmsghdr *req,
		    int (*parse)(const struct nlmsghdr *, void *), void *out)
{
	struct reply_ctx r = { .parse = parse, .out = out };
	int ret;

	ret = ctf_genl_talk(g, req, reply_cb, &r);
	if (ret)
		return ret;
	if (r.err)
		return r.err;
	if (out && !r.got)
		return -ENODATA;
	return 0;
}

static int backend_reply(const struct nlmsghdr *nlh, void *out)
{
	return ctf_kmod_parse_backend_msg(nlh, out);
}

static int ports_reply(const struct nlmsghdr *nlh, void *out)
{
	return ctf_kmod_parse_ports_msg(nlh, out);
}

static int evict_reply(const struct nlmsghdr *nlh, void *out)
{
	return ctf_kmod_parse_evict_msg(nlh, out);
}

static int stats_reply(const struct nlmsghdr *nlh, void *out)
{
	return ctf_kmod_parse_stats(nlh, out);
}

/* A request naming one backend by its address only. */
static struct nlmsghdr *addr_request(struct ctf_genl *g, void *buf, uint8_t cmd,
				     const struct ctf_addr *addr)
{
	struct nlmsghdr *nlh = ctf_genl_request(g, buf, cmd, 0);
	struct ctf_backend b = { .addr = *addr };

	ctf_kmod_put_backend(nlh, &b, 0);
	return nlh;
}

int ctf_kmod_backend_set(struct ctf_genl *g, const struct ctf_backend *b,
			 unsigned int fields, struct ctf_backend *out)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;

	nlh = ctf_genl_request(g, buf, CTF_CMD_BACKEND_SET, 0);
	ctf_kmod_put_backend(nlh, b, fields & CTF_BF_SETTABLE);
	return talk_one(g, nlh, backend_reply, out);
}

int ctf_kmod_backend_get(struct ctf_genl *g, const struct ctf_addr *addr,
			 struct ctf_backend *out)
{
	char buf[CTF_GENL_TXBUF] = { 0 };

	return talk_one(g, addr_request(g, buf, CTF_CMD_BACKEND_GET, addr),
			backend_reply, out);
}

int ctf_kmod_backend_del(struct ctf_genl *g, const struct ctf_addr *addr)
{
	char buf[CTF_GENL_TXBUF] = { 0 };

	return talk_one(g, addr_request(g, buf, CTF_CMD_BACKEND_DEL, addr),
			NULL, NULL);
}

int ctf_kmod_bump(struct ctf_genl *g, const struct ctf_addr *addr,
		  struct ctf_backend *out)
{
	char buf[CTF_GENL_TXBUF] = { 0 };

	return talk_one(g, addr_request(g, buf, CTF_CMD_BACKEND_BUMP, addr),
			backend_reply, out);
}

int ctf_kmod_bump_all(struct ctf_genl *g)
{
	char buf[CTF_GENL_TXBUF] = { 0 };

	return talk_one(g,
			ctf_genl_request(g, buf, CTF_CMD_BACKEND_BUMP_ALL, 0),
			NULL, NULL);
}

struct dump_ctx {
	ctf_kmod_backend_cb cb;
	void *data;
	int err;
	bool intr;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct ctf_backend b;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	/* After an error, keep reading to the end of the dump. */
	if (d->err)
		return 0;
	d->err = ctf_kmod_parse_backend_msg(nlh, &b);
	if (!d->err)
		d->err = d->cb(&b, d->data);
	return 0;
}

int ctf_kmod_backend_dump(struct ctf_genl *g, ctf_kmod_backend_cb cb,
			  void *data)
{
	struct dump_ctx d = { .cb = cb, .data = data };
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = ctf_genl_request(g, buf, CTF_CMD_BACKEND_GET, NLM_F_DUMP);
	ret = ctf_genl_talk(g, nlh, dump_cb, &d);
	if (ret)
		return ret;
	if (d.err)
		return d.err;
	/* The kernel may flag only the final NLMSG_DONE. */
	return d.intr || g->intr ? -EINTR : 0;
}

int ctf_kmod_ports_set(struct ctf_genl *g, const uint16_t *ports,
		       unsigned int n)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;

	if (!n || n > CTF_MAX_PORTS)
		return -EINVAL;
	nlh = ctf_genl_request(g, buf, CTF_CMD_PORTS_SET, 0);
	ctf_kmod_put_ports(nlh, ports, n);
	return talk_one(g, nlh, NULL, NULL);
}

int ctf_kmod_ports_get(struct ctf_genl *g, struct ctf_ports *p)
{
	char buf[CTF_GENL_TXBUF] = { 0 };

	memset(p, 0, sizeof(*p));
	return talk_one(g, ctf_genl_request(g, buf, CTF_CMD_PORTS_GET, 0),
			ports_reply, p);
}

int ctf_kmod_evict(struct ctf_genl *g, bool all, struct ctf_evict *ev)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh = ctf_genl_request(g, buf, CTF_CMD_EVICT, 0);

	memset(ev, 0, sizeof(*ev));
	if (all)
		mnl_attr_put(nlh, CTF_A_EVICT_ALL, 0, NULL);
	return talk_one(g, nlh, evict_reply, ev);
}

int ctf_kmod_stats(struct ctf_genl *g, struct ctf_stats *st)
{
	char buf[CTF_GENL_TXBUF] = { 0 };

	memset(st, 0, sizeof(*st));
	return talk_one(g, ctf_genl_request(g, buf, CTF_CMD_STATS_GET, 0),
			stats_reply, st);
}

void ctf_kmod_put_config(struct nlmsghdr *nlh, const struct ctf_config *c)
{
	if (c->fields & CTF_CF_LABEL_WORD)
		mnl_attr_put_u8(nlh, CTF_A_LABEL_WORD, c->label_word);
	if (c->fields & CTF_CF_SWEEP_DELAY)
		mnl_attr_put_u32(nlh, CTF_A_SWEEP_DELAY_MS, c->sweep_delay_ms);
}

int ctf_kmod_config_set(struct ctf_genl *g, const struct ctf_config *c)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;

	nlh = ctf_genl_request(g, buf, CTF_CMD_CONFIG_SET, 0);
	ctf_kmod_put_config(nlh, c);
	return talk_one(g, nlh, NULL, NULL);
}

int ctf_kmod_events_join(struct ctf_genl *g)
{
	int group = g->events_group;

	if (!group)
		return -EOPNOTSUPP;
	if (mnl_socket_setsockopt(g->nl.sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

struct events_ctx {
	struct ctf_genl *g;
	ctf_kmod_event_cb cb;
	void *data;
	int count;
	int err;  /* -EBADMSG for a broken event */
	int stop; /* what @cb returned, when not 0 */
};

static int event_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct events_ctx *e = data;
	struct ctf_event ev;
	int ret;

	if (e->stop || nlh->nlmsg_type != e->g->family_id)
		return MNL_CB_OK;
	ret = ctf_kmod_parse_event(nlh, &ev);
	if (ret == -EOPNOTSUPP)
		return MNL_CB_OK;
	if (ret) {
		e->err = ret;
		return MNL_CB_OK;
	}
	e->count++;
	e->stop = e->cb(&ev, e->data);
	return MNL_CB_OK;
}

int ctf_kmod_events_read(struct ctf_genl *g, ctf_kmod_event_cb cb, void *data)
{
	struct events_ctx e = { .g = g, .cb = cb, .data = data };
	bool kernel;
	ssize_t n;

	n = ctf_nl_recv(&g->nl, g->rxbuf, CTF_GENL_RXBUF, MSG_DONTWAIT,
			&kernel);
	if (n == -EMSGSIZE)
		return -EBADMSG;
	if (n < 0)
		return (int)n;
	/*
	 * Only the kernel speaks for the module: any process may send to
	 * our port id, so a message from another one is dropped unread.
	 */
	if (!kernel)
		return -EAGAIN;
	/* Events carry sequence number 0 and port id 0: no checks. */
	if (mnl_cb_run(g->rxbuf, n, 0, 0, event_msg_cb, &e) < 0 && !e.err)
		e.err = errno ? -errno : -EBADMSG;
	if (e.stop < 0)
		return e.stop;
	if (e.err)
		return e.err;
	return e.count ? e.count : -EAGAIN;
}
