// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink listener: notifications of neighbours, links and
 * addresses, and the dumps that (re)build the same picture at start and
 * after the kernel dropped notifications; and the one change the daemon
 * makes here, deleting a cycled backend's neighbour entries.
 *
 * Two sockets: one joined to the groups, only ever read, and one for
 * requests, so replies never interleave with notifications and each is
 * checked against its sequence number. Notifications come only from the
 * kernel (port id 0): another process with CAP_NET_ADMIN could unicast
 * forged ones to our socket.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "rtnl.h"

#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#endif

/*
 * A kernel dump fills at most 32 KiB per datagram and notifications are
 * far smaller; twice that leaves room for a link with many attributes.
 */
#define RTNL_BUFSZ (64 * 1024)
/* Datagrams per ctfd_rtnl_read(), so a storm cannot starve the caller. */
#define RTNL_READ_BATCH 4096
/* How long a dump may take before we give up on the kernel. */
#define RTNL_DUMP_TIMEOUT_S 5
#define RTNL_DUMP_TRIES	    5

struct ctfd_rtnl {
	struct ctf_nl ev;      /* joined to the groups, non-blocking */
	struct ctf_nl dump;    /* requests and their replies only */
	char *evbuf, *dumpbuf; /* RTNL_BUFSZ bytes each */
	struct ctfd_rtnl_stats stats;
};

/* Attribute walking that, unlike mnl_attr_parse(), notices truncation. */
typedef int (*attr_fn)(const struct nlattr *a, void *data);

static int walk_attrs(const struct nlmsghdr *nlh, size_t hdrlen, attr_fn fn,
		      void *data)
{
	/* Not the aligned tail: an attribute cut by 1..3 bytes must show. */
	const char *tail = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, hdrlen);
	int ret;

	while (tail - (const char *)a >= (ptrdiff_t)sizeof(*a)) {
		if (!mnl_attr_ok(a, tail - (const char *)a))
			return -EBADMSG;
		ret = fn(a, data);
		if (ret)
			return ret;
		a = mnl_attr_next(a);
	}
	/* Past the tail only by the last attribute's padding. */
	return (const char *)a >= tail ? 0 : -EBADMSG;
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* An address attribute of @family into @out: -EBADMSG if the size is off. */
static int get_addr(const struct nlattr *a, int family, struct ctf_addr *out)
{
	if (mnl_attr_get_payload_len(a) != (uint16_t)addr_len(family))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(&out->v6, mnl_attr_get_payload(a), addr_len(family));
	return 0;
}

static int get_lladdr(const struct nlattr *a, struct ctfd_obs *o)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len > sizeof(o->lladdr))
		return -EBADMSG;
	memcpy(o->lladdr, mnl_attr_get_payload(a), len);
	o->lladdr_len = len;
	return 0;
}

static int get_ifname(const struct nlattr *a, char *name)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_get_payload_len(a) > IF_NAMESIZE)
		return -EBADMSG;
	strcpy(name, mnl_attr_get_str(a));
	return 0;
}

struct neigh_ctx {
	struct ctfd_obs *o;
	int family;
	bool dst;
};

static int neigh_attr(const struct nlattr *a, void *data)
{
	struct neigh_ctx *c = data;

	switch (mnl_attr_get_type(a)) {
	case NDA_DST:
		c->dst = true;
		return get_addr(a, c->family, &c->o->addr);
	case NDA_LLADDR:
		return get_lladdr(a, c->o);
	}
	return 0;
}

static int parse_neigh(const struct nlmsghdr *nlh, struct ctfd_obs *o)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_ctx c = { .o = o };
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return -EBADMSG;
	/* Bridge FDB entries (AF_BRIDGE) name MACs, not addresses. */
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return 1;
	c.family = ndm->ndm_family;
	ret = walk_attrs(nlh, sizeof(*ndm), neigh_attr, &c);
	if (ret)
		return ret;
	/* Proxy entries answer for others: no instance sits behind them. */
	if (!c.dst || (ndm->ndm_flags & NTF_PROXY))
		return 1;
	o->kind = nlh->nlmsg_type == RTM_NEWNEIGH ? CTFD_OBS_NEIGH
						  : CTFD_OBS_NEIGH_DEL;
	o->ifindex = ndm->ndm_ifindex;
	o->nud_state = ndm->ndm_state;
	return 0;
}

static int link_attr(const struct nlattr *a, void *data)
{
	struct ctfd_obs *o = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		return get_ifname(a, o->ifname);
	case IFLA_ADDRESS:
		return get_lladdr(a, o);
	}
	return 0;
}

static int parse_link(const struct nlmsghdr *nlh, struct ctfd_obs *o)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	/* AF_BRIDGE ones are the bridge's view of its ports, a duplicate. */
	if (ifi->ifi_family != AF_UNSPEC)
		return 1;
	ret = walk_attrs(nlh, sizeof(*ifi), link_attr, o);
	if (ret)
		return ret;
	o->kind = nlh->nlmsg_type == RTM_NEWLINK ? CTFD_OBS_LINK
						 : CTFD_OBS_LINK_DEL;
	o->ifindex = ifi->ifi_index;
	o->up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	return 0;
}

struct addr_ctx {
	struct ctfd_obs *o;
	int family;
	struct ctf_addr local, address;
};

static int addr_attr(const struct nlattr *a, void *data)
{
	struct addr_ctx *c = data;

	switch (mnl_attr_get_type(a)) {
	case IFA_LOCAL:
		return get_addr(a, c->family, &c->local);
	case IFA_ADDRESS:
		return get_addr(a, c->family, &c->address);
	case IFA_LABEL:
		return get_ifname(a, c->o->ifname);
	}
	return 0;
}

static int parse_addr(const struct nlmsghdr *nlh, struct ctfd_obs *o)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_ctx c = { .o = o };
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 1;
	c.family = ifa->ifa_family;
	ret = walk_attrs(nlh, sizeof(*ifa), addr_attr, &c);
	if (ret)
		return ret;
	/*
	 * IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point links
	 * and the same address everywhere else (iproute2 reads them so).
	 */
	if (c.local.family)
		o->addr = c.local;
	else if (c.address.family)
		o->addr = c.address;
	else
		return -EBADMSG;
	o->kind = nlh->nlmsg_type == RTM_NEWADDR ? CTFD_OBS_ADDR
						 : CTFD_OBS_ADDR_DEL;
	o->ifindex = ifa->ifa_index;
	return 0;
}

int ctfd_rtnl_parse(const struct nlmsghdr *nlh, struct ctfd_obs *o)
{
	memset(o, 0, sizeof(*o));
	if (nlh->nlmsg_len < sizeof(*nlh))
		return -EBADMSG;
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return parse_neigh(nlh, o);
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return parse_link(nlh, o);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return parse_addr(nlh, o);
	}
	return 1;
}

/* One notification datagram; see ctf_nl_recv(). */
static ssize_t recv_dgram(struct ctfd_rtnl *r, bool *kernel)
{
	return ctf_nl_recv(&r->ev, r->evbuf, RTNL_BUFSZ, 0, kernel);
}

/* Parse and deliver the messages of one notification datagram. */
static int deliver(struct ctfd_rtnl *r, const void *buf, ssize_t n,
		   ctfd_obs_cb cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len = n, delivered = 0, ret;
	struct ctfd_obs o;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		ret = ctfd_rtnl_parse(nlh, &o);
		if (ret < 0) {
			r->stats.malformed++;
			continue;
		}
		if (ret > 0)
			continue;
		ret = cb(&o, data);
		if (ret < 0)
			return ret;
		delivered++;
	}
	if (len > 0)
		r->stats.malformed++;
	return delivered;
}

/*
 * After an overrun, what is queued predates the resync dump: replayed
 * after it, an old lladdr would look like a new instance. Bounded, since
 * the kernel may keep queueing while we drain.
 */
static void drain(struct ctfd_rtnl *r)
{
	bool kernel;
	ssize_t n;
	int i;

	for (i = 0; i < 4 * RTNL_READ_BATCH; i++) {
		n = recv_dgram(r, &kernel);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return;
		if (n < 0 && n != -ENOBUFS && n != -EMSGSIZE)
			return;
	}
}

int ctfd_rtnl_read(struct ctfd_rtnl *r, ctfd_obs_cb cb, void *data)
{
	int delivered = 0, ret, i;
	bool kernel;
	ssize_t n;

	for (i = 0; i < RTNL_READ_BATCH; i++) {
		n = recv_dgram(r, &kernel);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			/* A notification we cannot read is one we lost. */
			r->stats.overruns++;
			drain(r);
			return -ENOBUFS;
		}
		if (n < 0)
			return n;
		if (!kernel) {
			r->stats.not_kernel++;
			continue;
		}
		ret = deliver(r, r->evbuf, n, cb, data);
		if (ret < 0)
			return ret;
		delivered += ret;
	}
	return delivered ? delivered : -EAGAIN;
}

struct dump_ctx {
	ctfd_obs_cb cb;
	void *data;
	int delivered;
	bool intr;
};

/* One message of a dump's replies to the caller's callback. */
static int dump_obs(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct ctfd_obs o;
	int ret;

	/* A dump is not a notification: count nothing. */
	if (ctfd_rtnl_parse(nlh, &o))
		return 0;
	ret = d->cb(&o, d->data);
	if (ret < 0)
		return ret;
	d->delivered++;
	return 0;
}

/*
 * Send the request @nlh on the request socket and run its replies through
 * dump_obs() until its NLMSG_DONE (a dump) or its ack (anything else, with
 * NLM_F_ACK): 0 or -errno, -ETIMEDOUT if the kernel does not finish.
 */
static int transact(struct ctfd_rtnl *r, struct nlmsghdr *nlh,
		    struct dump_ctx *d)
{
	struct ctf_nl_talk t = { .cb = dump_obs, .data = d };
	int ret;

	ret = ctf_nl_talk(&r->dump, nlh, r->dumpbuf, RTNL_BUFSZ, &t);
	if (t.intr)
		d->intr = true;
	return ret;
}

static int dump_once(struct ctfd_rtnl *r, uint16_t type, uint8_t family,
		     struct dump_ctx *d)
{
	char req[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ctf_nl_next_seq(&r->dump);
	/* Each request's header leads with its family byte. */
	switch (type) {
	case RTM_GETLINK: {
		struct ifinfomsg *ifi;

		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = family;
		break;
	}
	case RTM_GETADDR: {
		struct ifaddrmsg *ifa;

		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = family;
		break;
	}
	default: {
		struct ndmsg *ndm;

		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = family;
		break;
	}
	}
	return transact(r, nlh, d);
}

int ctfd_rtnl_dump(struct ctfd_rtnl *r, ctfd_obs_cb cb, void *data)
{
	static const struct {
		uint16_t type;
		uint8_t family;
	} dumps[] = {
		{ RTM_GETLINK, AF_UNSPEC }, { RTM_GETADDR, AF_INET },
		{ RTM_GETADDR, AF_INET6 },  { RTM_GETNEIGH, AF_INET },
		{ RTM_GETNEIGH, AF_INET6 },
	};
	struct dump_ctx d = { .cb = cb, .data = data };
	unsigned int i;
	int tries, ret;

	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		for (tries = 0;; tries++) {
			if (tries == RTNL_DUMP_TRIES)
				return -EINTR;
			d.intr = false;
			ret = dump_once(r, dumps[i].type, dumps[i].family, &d);
			if (ret)
				return ret;
			/*
			 * What an interrupted dump delivered is still true of
			 * some moment; running it again only repeats it.
			 */
			if (!d.intr)
				break;
		}
	}
	return d.delivered;
}

/* One neighbour entry of the address being flushed. */
struct flush_entry {
	int ifindex;
	uint16_t state; /* NUD_* */
};

/* The entries of one address, as the dump found them. */
struct flush_ctx {
	const struct ctf_addr *addr;
	struct flush_entry *e;
	unsigned int n, cap;
};

static int flush_collect(const struct ctfd_obs *o, void *data)
{
	struct flush_ctx *f = data;

	if (o->kind != CTFD_OBS_NEIGH || !ctf_addr_equal(&o->addr, f->addr))
		return 0;
	if (f->n == f->cap) {
		unsigned int cap = f->cap ? 2 * f->cap : 8;
		struct flush_entry *e = realloc(f->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		f->e = e;
		f->cap = cap;
	}
	f->e[f->n].ifindex = o->ifindex;
	f->e[f->n].state = o->nud_state;
	f->n++;
	return 0;
}

/* A delete is acked, never answered with data; nothing to deliver. */
static int no_obs(const struct ctfd_obs *o, void *data)
{
	(void)o;
	(void)data;
	return 0;
}

static int neigh_del(struct ctfd_rtnl *r, const struct ctf_addr *addr,
		     int ifindex)
{
	/* Zeroed: libmnl 1.0.4 leaves an attribute's padding unset. */
	char req[128] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct dump_ctx d = { .cb = no_obs };
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ctf_nl_next_seq(&r->dump);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = addr->family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, addr_len(addr->family), &addr->v6);
	return transact(r, nlh, &d);
}

int ctfd_rtnl_neigh_flush(struct ctfd_rtnl *r, const struct ctf_addr *addr,
			  struct ctfd_neigh_flush *res, char *err,
			  size_t errlen)
{
	struct flush_ctx f = { .addr = addr };
	struct dump_ctx d = { .cb = flush_collect, .data = &f };
	unsigned int i;
	int tries, ret, first = 0;

	memset(res, 0, sizeof(*res));
	for (tries = 0;; tries++) {
		if (tries == RTNL_DUMP_TRIES) {
			ret = -EINTR;
			snprintf(err, errlen,
				 "the neighbour dump was interrupted %d times",
				 tries);
			goto out;
		}
		f.n = 0;
		d.intr = false;
		ret = dump_once(r, RTM_GETNEIGH, addr->family, &d);
		if (ret) {
			snprintf(err, errlen, "neighbour dump: %s",
				 strerror(-ret));
			goto out;
		}
		if (!d.intr)
			break;
	}
	for (i = 0; i < f.n; i++) {
		/* An operator's static entry, or a link without ARP/ND. */
		if (f.e[i].state & (NUD_PERMANENT | NUD_NOARP)) {
			res->skipped++;
			continue;
		}
		ret = neigh_del(r, addr, f.e[i].ifindex);
		if (!ret) {
			res->deleted++;
		} else if (ret != -ENOENT && !first) {
			/* Go on with the others; the first failure is told. */
			first = ret;
			snprintf(err, errlen,
				 "deleting the entry on ifindex %d: %s",
				 f.e[i].ifindex, strerror(-ret));
		}
		/* ENOENT: gone since the dump, which is what we wanted. */
	}
	ret = first;
out:
	free(f.e);
	return ret;
}

int ctfd_rtnl_open(struct ctfd_rtnl **rp)
{
	static const int groups[] = { RTNLGRP_NEIGH, RTNLGRP_LINK,
				      RTNLGRP_IPV4_IFADDR,
				      RTNLGRP_IPV6_IFADDR };
	struct timeval tv = { .tv_sec = RTNL_DUMP_TIMEOUT_S };
	int size = CTFD_RTNL_RCVBUF, ret;
	struct ctfd_rtnl *r;
	unsigned int i;

	*rp = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->evbuf = malloc(RTNL_BUFSZ);
	r->dumpbuf = malloc(RTNL_BUFSZ);
	if (!r->evbuf || !r->dumpbuf) {
		ret = -ENOMEM;
		goto err;
	}
	ret = ctf_nl_open(&r->ev, NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC,
			  false);
	if (ret)
		goto err;
	/*
	 * A failover changes many neighbours at once; the default buffer
	 * (~200 KiB) overruns sooner, each overrun costing a full dump. FORCE
	 * passes rmem_max with CAP_NET_ADMIN; without it we take what
	 * SO_RCVBUF grants, which still works, only with more resyncs.
	 */
	if (setsockopt(ctf_nl_fd(&r->ev), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(ctf_nl_fd(&r->ev), SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (mnl_socket_setsockopt(r->ev.sock, NETLINK_ADD_MEMBERSHIP,
					  (void *)&groups[i],
					  sizeof(groups[i])) < 0) {
			ret = -errno;
			goto err;
		}
	}

	ret = ctf_nl_open(&r->dump, NETLINK_ROUTE, SOCK_CLOEXEC, false);
	if (ret)
		goto err;
	/* A blocking dump that the kernel never finishes must not hang us. */
	setsockopt(ctf_nl_fd(&r->dump), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	*rp = r;
	return 0;

err:
	ctfd_rtnl_close(r);
	return ret;
}

void ctfd_rtnl_close(struct ctfd_rtnl *r)
{
	if (!r)
		return;
	ctf_nl_close(&r->ev);
	ctf_nl_close(&r->dump);
	free(r->evbuf);
	free(r->dumpbuf);
	free(r);
}

int ctfd_rtnl_fd(const struct ctfd_rtnl *r)
{
	return ctf_nl_fd(&r->ev);
}

void ctfd_rtnl_get_stats(const struct ctfd_rtnl *r, struct ctfd_rtnl_stats *s)
{
	*s = r->stats;
}
