// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/rtnl.c: the parser on hand-built messages, well formed
 * and not; then the listener against the host kernel, in a network
 * namespace of this process's own (the host's is never touched): real
 * notifications through to the actions events.c takes, an overrun, a
 * forged sender, the dump, and the neighbour flush of a cycled backend.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "events.h"
#include "rtnl.h"
#include "unit.h"

UNIT_SUITE("rtnl");

static union {
	char buf[4096];
	struct nlmsghdr align;
} msg;

static struct nlmsghdr *start(uint16_t type)
{
	struct nlmsghdr *nlh;

	memset(msg.buf, 0, sizeof(msg.buf));
	nlh = mnl_nlmsg_put_header(msg.buf);
	nlh->nlmsg_type = type;
	return nlh;
}

static struct nlmsghdr *neigh_msg(uint16_t type, uint8_t family, int ifindex,
				  uint16_t state, struct ndmsg **out)
{
	struct nlmsghdr *nlh = start(type);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	if (out)
		*out = ndm;
	return nlh;
}

static const uint8_t ll1[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t v4[4] = { 10, 0, 1, 11 };
static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };

static void parse_neigh_ipv4(void)
{
	struct nlmsghdr *nlh;
	struct ctfd_obs o;
	char buf[CTF_ADDR_STRLEN];

	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 7, NUD_STALE, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ll1);
	mnl_attr_put_u32(nlh, NDA_PROBES, 3); /* not ours: skipped */
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_INT(o.kind, CTFD_OBS_NEIGH);
	CHECK_INT(o.ifindex, 7);
	CHECK_STR(ctf_addr_str(&o.addr, buf), "10.0.1.11");
	CHECK_INT(o.lladdr_len, 6);
	CHECK(!memcmp(o.lladdr, ll1, 6));
	CHECK_INT(o.nud_state, NUD_STALE);

	nlh->nlmsg_type = RTM_DELNEIGH;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_INT(o.kind, CTFD_OBS_NEIGH_DEL);
}

static void parse_neigh_ipv6_without_lladdr(void)
{
	struct nlmsghdr *nlh;
	struct ctfd_obs o;
	char buf[CTF_ADDR_STRLEN];

	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET6, 3, NUD_FAILED, NULL);
	mnl_attr_put(nlh, NDA_DST, 16, v6);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_INT(o.addr.family, AF_INET6);
	CHECK_STR(ctf_addr_str(&o.addr, buf), "2001:db8::11");
	CHECK_INT(o.lladdr_len, 0);
	CHECK_INT(o.nud_state, NUD_FAILED);
}

static void parse_neigh_not_of_interest(void)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	struct ctfd_obs o;

	/* No NDA_DST. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ll1);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 1);
	/* A bridge FDB entry. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_BRIDGE, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ll1);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 1);
	/* A proxy entry. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_NONE, &ndm);
	ndm->ndm_flags = NTF_PROXY;
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 1);
	/* Neither neighbour, link nor address. */
	nlh = start(RTM_NEWROUTE);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 1);
}

static void parse_neigh_malformed(void)
{
	uint8_t big[33] = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct ctfd_obs o;

	/* An IPv6-sized destination in an IPv4 message. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_DST, 16, v6);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET6, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	/* An lladdr longer than MAX_ADDR_LEN. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(big), big);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	/* The last attribute cut short by the message's length. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ll1);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	nlh->nlmsg_len -= 8;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	/* An attribute whose length is shorter than its own header. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ll1);
	a->nla_len = 2;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	/* One that claims more than the message holds. */
	a->nla_len = 200;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	/* Trailing bytes too few for an attribute header. */
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 3, NUD_REACHABLE, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	nlh->nlmsg_len += 4;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	/* A header shorter than struct ndmsg. */
	nlh = start(RTM_NEWNEIGH);
	mnl_nlmsg_put_extra_header(nlh, 4);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = start(RTM_NEWNEIGH);
	nlh->nlmsg_len = 8;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
}

static struct nlmsghdr *link_msg(uint16_t type, uint8_t family, int ifindex,
				 unsigned int flags)
{
	struct nlmsghdr *nlh = start(type);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = family;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	return nlh;
}

static void parse_link(void)
{
	static const struct {
		unsigned int flags;
		bool up;
	} cases[] = {
		{ IFF_UP | IFF_RUNNING | 0x10000 /* IFF_LOWER_UP */, true },
		{ IFF_UP | IFF_RUNNING, true },
		/* No carrier: administratively up is not enough. */
		{ IFF_UP | IFF_BROADCAST, false },
		{ IFF_RUNNING, false },
		{ 0, false },
	};
	struct nlmsghdr *nlh;
	struct ctfd_obs o;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 4, cases[i].flags);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth1");
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, ll1);
		mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
		CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
		CHECK_INT(o.kind, CTFD_OBS_LINK);
		CHECK_INT(o.ifindex, 4);
		CHECK_STR(o.ifname, "eth1");
		CHECK_INT(o.lladdr_len, 6);
		CHECK_INT(o.up, cases[i].up);
	}
	nlh->nlmsg_type = RTM_DELLINK;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_INT(o.kind, CTFD_OBS_LINK_DEL);

	/* The bridge's copy of its port's state. */
	nlh = link_msg(RTM_NEWLINK, AF_BRIDGE, 4, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth1");
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 1);
}

static void parse_link_malformed(void)
{
	struct nlmsghdr *nlh;
	struct ctfd_obs o;

	nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 4, IFF_UP);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth1"); /* no NUL */
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 4, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-name-too-long-for-a-link");
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = link_msg(RTM_NEWLINK, AF_UNSPEC, 4, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth1");
	nlh->nlmsg_len -= 4;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = start(RTM_NEWLINK);
	mnl_nlmsg_put_extra_header(nlh, 8);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
}

static struct nlmsghdr *addr_msg(uint16_t type, uint8_t family, int ifindex)
{
	struct nlmsghdr *nlh = start(type);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = family;
	ifa->ifa_index = ifindex;
	ifa->ifa_prefixlen = family == AF_INET ? 32 : 128;
	return nlh;
}

static void parse_addr(void)
{
	static const uint8_t vip[4] = { 203, 0, 113, 10 };
	static const uint8_t peer[4] = { 203, 0, 113, 1 };
	char buf[CTF_ADDR_STRLEN];
	struct nlmsghdr *nlh;
	struct ctfd_obs o;

	nlh = addr_msg(RTM_NEWADDR, AF_INET, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, vip);
	mnl_attr_put(nlh, IFA_LOCAL, 4, vip);
	mnl_attr_put_strz(nlh, IFA_LABEL, "eth0:vip");
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_INT(o.kind, CTFD_OBS_ADDR);
	CHECK_INT(o.ifindex, 2);
	CHECK_STR(o.ifname, "eth0:vip");
	CHECK_STR(ctf_addr_str(&o.addr, buf), "203.0.113.10");

	/* Point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL ours. */
	nlh = addr_msg(RTM_DELADDR, AF_INET, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, peer);
	mnl_attr_put(nlh, IFA_LOCAL, 4, vip);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_INT(o.kind, CTFD_OBS_ADDR_DEL);
	CHECK_STR(ctf_addr_str(&o.addr, buf), "203.0.113.10");
	CHECK_STR(o.ifname, "");

	/* IPv6 says IFA_ADDRESS only. */
	nlh = addr_msg(RTM_NEWADDR, AF_INET6, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, v6);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 0);
	CHECK_STR(ctf_addr_str(&o.addr, buf), "2001:db8::11");

	nlh = addr_msg(RTM_NEWADDR, AF_INET6, 2);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = addr_msg(RTM_NEWADDR, AF_INET6, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, vip);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = addr_msg(RTM_NEWADDR, AF_INET, 2);
	mnl_attr_put(nlh, IFA_LOCAL, 4, vip);
	nlh->nlmsg_len -= 2;
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), -EBADMSG);
	nlh = addr_msg(RTM_NEWADDR, AF_PACKET, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, vip);
	CHECK_INT(ctfd_rtnl_parse(nlh, &o), 1);
}

/*
 * The live tests. unshare() moves this whole process, so everything after
 * the first of them, and every `ip` it runs, is in the new namespace.
 */
static bool in_netns;

static bool enter_netns(void)
{
	if (in_netns)
		return true;
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "  unshare(CLONE_NEWNET): %s (needs root)\n",
			strerror(errno));
		return false;
	}
	in_netns = true;
	return system("ip link set lo up") == 0;
}

static int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	if (!in_netns)
		return -1; /* never in the host's namespace */
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

#define MAX_OBS 4096

struct seen {
	struct ctfd_obs o[MAX_OBS];
	int n;
};

static struct seen seen;

static int collect(const struct ctfd_obs *o, void *data)
{
	struct seen *s = data;

	if (s->n < MAX_OBS)
		s->o[s->n++] = *o;
	return 0;
}

static bool matches(const struct ctfd_obs *o, enum ctfd_obs_kind kind,
		    const struct ctf_addr *a, const char *ifname, int up)
{
	if (o->kind != kind)
		return false;
	if (a && !ctf_addr_equal(&o->addr, a))
		return false;
	if (ifname && strcmp(o->ifname, ifname))
		return false;
	return up < 0 || o->up == up;
}

/*
 * The first observation since the last reset of @kind (and @addr, @ifname,
 * @up (0 or 1) where given), reading for up to 3 s until it comes: a
 * carrier change reaches the flags through linkwatch, up to a second late.
 */
static const struct ctfd_obs *wait_for(struct ctfd_rtnl *r,
				       enum ctfd_obs_kind kind,
				       const char *addr, const char *ifname,
				       int up)
{
	struct pollfd p = { .fd = ctfd_rtnl_fd(r), .events = POLLIN };
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;
	int i, tries;

	if (addr)
		ctf_parse_addr(addr, &a, err, sizeof(err));
	for (tries = 0; tries < 30; tries++) {
		for (i = 0; i < seen.n; i++)
			if (matches(&seen.o[i], kind, addr ? &a : NULL, ifname,
				    up))
				return &seen.o[i];
		poll(&p, 1, 100);
		while (ctfd_rtnl_read(r, collect, &seen) > 0)
			;
	}
	return NULL;
}

static const struct ctfd_obs *find(enum ctfd_obs_kind kind, const char *addr,
				   const char *ifname)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;
	int i;

	if (addr)
		ctf_parse_addr(addr, &a, err, sizeof(err));
	for (i = 0; i < seen.n; i++)
		if (matches(&seen.o[i], kind, addr ? &a : NULL, ifname, -1))
			return &seen.o[i];
	return NULL;
}

/* Until the kernel's operstate says up, the link is not "running". */
static int wait_running(const char *ifname)
{
	return sh("for i in $(seq 50); do ip -o link show %s | "
		  "grep -q 'state UP' && exit 0; sleep 0.1; done; exit 1",
		  ifname);
}

static struct ctfd_state st;
static struct ctfd_watch w;
static struct ctfd_action acts[CTFD_EVENTS_MAX_ACTIONS];

/* Every observation read, through the classifier: its actions. */
static int classify_seen(bool initial, struct ctfd_action *out, int max)
{
	int i, n, total = 0;

	for (i = 0; i < seen.n; i++) {
		n = ctfd_events_classify(&w, &st, &seen.o[i], initial, acts,
					 CTFD_EVENTS_MAX_ACTIONS);
		if (n < 0)
			return n;
		if (total + n > max)
			return -ENOSPC;
		memcpy(out + total, acts, n * sizeof(*acts));
		total += n;
	}
	return total;
}

static int dump_all(struct ctfd_rtnl *r)
{
	seen.n = 0;
	return ctfd_rtnl_dump(r, collect, &seen);
}

static void live_neigh_addr_link(void)
{
	static const uint8_t ll2[6] = { 2, 0, 0, 0, 1, 2 };
	char err[CTF_PARSE_ERRLEN];
	struct ctfd_action got[64];
	const struct ctfd_obs *o;
	struct ctfd_rtnl *r;
	int veth0;

	CHECK(enter_netns());
	CHECK_INT(sh("ip link add veth0 type veth peer name veth1 && "
		     "ip link set veth0 up && ip link set veth1 up"),
		  0);
	CHECK_INT(wait_running("veth0"), 0);
	veth0 = if_nametoindex("veth0");
	CHECK(veth0 > 0);

	memset(&st, 0, sizeof(st));
	strcpy(st.backends[0].name, "b1");
	ctf_parse_addr("10.0.1.11", &st.backends[0].addr, err, sizeof(err));
	strcpy(st.backends[0].ifname, "veth0");
	st.n_backends = 1;
	ctf_parse_addr("203.0.113.10", &st.vips[0], err, sizeof(err));
	st.n_vips = 1;
	ctfd_watch_init(&w);

	/* As the daemon starts: open, then learn what is there. */
	CHECK_INT(ctfd_rtnl_open(&r), 0);
	ctfd_events_resync_begin(&w);
	CHECK(dump_all(r) > 0);
	o = find(CTFD_OBS_LINK, NULL, "veth0");
	CHECK(o);
	CHECK(o->up);
	CHECK_INT(o->ifindex, veth0);
	CHECK_INT(classify_seen(true, got, 64), 0);
	CHECK_INT(ctfd_events_resync_end(&w, &st, got, 64), 0);
	seen.n = 0;

	CHECK_INT(sh("ip neigh replace 10.0.1.11 lladdr 02:00:00:00:01:01 "
		     "dev veth0 nud permanent"),
		  0);
	o = wait_for(r, CTFD_OBS_NEIGH, "10.0.1.11", NULL, -1);
	CHECK(o);
	CHECK_INT(o->ifindex, veth0);
	CHECK_INT(o->nud_state, NUD_PERMANENT);
	CHECK_INT(o->lladdr_len, 6);
	CHECK(!memcmp(o->lladdr, ll1, 6));
	/* First sight. */
	CHECK_INT(classify_seen(false, got, 64), 0);
	seen.n = 0;

	CHECK_INT(sh("ip neigh replace 10.0.1.11 lladdr 02:00:00:00:01:02 "
		     "dev veth0 nud permanent"),
		  0);
	o = wait_for(r, CTFD_OBS_NEIGH, "10.0.1.11", NULL, -1);
	CHECK(o);
	CHECK(!memcmp(o->lladdr, ll2, 6));
	CHECK_INT(classify_seen(false, got, 64), 1);
	CHECK_INT(got[0].kind, CTFD_ACT_BUMP);
	CHECK_INT(got[0].backend, 0);
	CHECK_STR(got[0].cause, "neighbour 10.0.1.11 lladdr 02:00:00:00:01:01 "
				"-> 02:00:00:00:01:02 on veth0");
	seen.n = 0;

	/* A state change with the same lladdr: notified, not a change. */
	CHECK_INT(sh("ip neigh change 10.0.1.11 lladdr 02:00:00:00:01:02 "
		     "dev veth0 nud reachable"),
		  0);
	o = wait_for(r, CTFD_OBS_NEIGH, "10.0.1.11", NULL, -1);
	CHECK(o);
	CHECK_INT(o->nud_state, NUD_REACHABLE);
	CHECK_INT(classify_seen(false, got, 64), 0);
	seen.n = 0;

	CHECK_INT(sh("ip addr add 203.0.113.10/32 dev veth1"), 0);
	o = wait_for(r, CTFD_OBS_ADDR, "203.0.113.10", NULL, -1);
	CHECK(o);
	CHECK_STR(o->ifname, "veth1"); /* IFA_LABEL */
	CHECK_INT(classify_seen(false, got, 64), 1);
	CHECK_INT(got[0].kind, CTFD_ACT_TAKEOVER);
	CHECK_STR(got[0].cause,
		  "vip 203.0.113.10 added on veth1: this host took over");
	seen.n = 0;

	CHECK_INT(sh("ip link set veth0 down"), 0);
	CHECK(wait_for(r, CTFD_OBS_LINK, NULL, "veth0", 0));
	CHECK_INT(classify_seen(false, got, 64), 1);
	CHECK_INT(got[0].kind, CTFD_ACT_SET_STATE);
	CHECK_INT(got[0].state, CTF_STATE_DOWN);
	CHECK_STR(got[0].cause, "link veth0 down (was active)");
	st.backends[0].state = CTF_STATE_DOWN;
	/* Its peer lost the carrier: down too, though still IFF_UP. */
	CHECK(wait_for(r, CTFD_OBS_LINK, NULL, "veth1", 0));
	seen.n = 0;

	CHECK_INT(sh("ip addr del 203.0.113.10/32 dev veth1"), 0);
	CHECK(wait_for(r, CTFD_OBS_ADDR_DEL, "203.0.113.10", NULL, -1));
	CHECK_INT(classify_seen(false, got, 64), 1);
	CHECK_INT(got[0].kind, CTFD_ACT_EVICT_ALL);
	CHECK_STR(got[0].cause,
		  "vip 203.0.113.10 removed from veth1: this host gave it up");
	seen.n = 0;

	CHECK_INT(sh("ip link set veth0 up"), 0);
	CHECK(wait_for(r, CTFD_OBS_LINK, NULL, "veth0", 1));
	CHECK_INT(classify_seen(false, got, 64), 1);
	CHECK_INT(got[0].kind, CTFD_ACT_SET_STATE);
	CHECK_INT(got[0].state, CTF_STATE_ACTIVE);
	CHECK_STR(got[0].cause, "link veth0 up again (back to active)");

	ctfd_rtnl_close(r);
	CHECK_INT(sh("ip link del veth0"), 0);
}

/* The kernel drops notifications; we say so, and start clean after. */
static void live_overrun_reports_enobufs(void)
{
	struct ctfd_rtnl_stats stats;
	struct ctfd_rtnl *r;
	int size = 1, ret, i, neighs = 0;
	bool enobufs = false;
	FILE *f;

	CHECK(enter_netns());
	CHECK_INT(sh("ip link add veth2 type veth peer name veth3 && "
		     "ip link set veth2 up && ip link set veth3 up"),
		  0);
	CHECK_INT(ctfd_rtnl_open(&r), 0);
	/* The kernel makes this its minimum: a few messages' worth. */
	CHECK_INT(setsockopt(ctfd_rtnl_fd(r), SOL_SOCKET, SO_RCVBUF, &size,
			     sizeof(size)),
		  0);
	while (ctfd_rtnl_read(r, collect, &seen) > 0)
		;

	f = fopen("/tmp/ctfd-test-rtnl.batch", "w");
	CHECK(f);
	for (i = 0; i < 300; i++)
		fprintf(f,
			"neigh replace 10.0.2.%d lladdr 02:00:00:00:02:%02x "
			"dev veth2 nud permanent\n",
			i % 250 + 1, i % 256);
	fclose(f);
	CHECK_INT(sh("ip -batch /tmp/ctfd-test-rtnl.batch"), 0);
	unlink("/tmp/ctfd-test-rtnl.batch");

	for (i = 0; i < 1000; i++) {
		ret = ctfd_rtnl_read(r, collect, &seen);
		if (ret == -ENOBUFS) {
			enobufs = true;
			break;
		}
		if (ret == -EAGAIN)
			break;
		CHECK(ret > 0);
	}
	CHECK(enobufs);
	ctfd_rtnl_get_stats(r, &stats);
	CHECK_INT(stats.overruns, 1);
	/* What was queued predates the resync: gone. */
	CHECK_INT(ctfd_rtnl_read(r, collect, &seen), -EAGAIN);

	/* The resync dump sees every entry, whatever the notifications lost. */
	CHECK(dump_all(r) > 0);
	for (i = 0; i < seen.n; i++)
		if (seen.o[i].kind == CTFD_OBS_NEIGH &&
		    seen.o[i].addr.family == AF_INET &&
		    ((uint8_t *)&seen.o[i].addr.v4)[2] == 2)
			neighs++;
	CHECK_INT(neighs, 250);

	ctfd_rtnl_close(r);
	CHECK_INT(sh("ip link del veth2"), 0);
}

/* With CAP_NET_ADMIN a process may unicast to our socket: not the kernel. */
static void live_forged_sender_dropped(void)
{
	struct ctfd_rtnl_stats stats;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	socklen_t tolen = sizeof(to);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ctfd_rtnl *r;

	CHECK(enter_netns());
	CHECK_INT(ctfd_rtnl_open(&r), 0);
	CHECK_INT(getsockname(ctfd_rtnl_fd(r), (struct sockaddr *)&to, &tolen),
		  0);
	to.nl_groups = 0;
	while (ctfd_rtnl_read(r, collect, &seen) > 0)
		;

	nl = mnl_socket_open(NETLINK_ROUTE);
	CHECK(nl);
	CHECK_INT(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	nlh = neigh_msg(RTM_NEWNEIGH, AF_INET, 1, NUD_PERMANENT, NULL);
	mnl_attr_put(nlh, NDA_DST, 4, v4);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ll1);
	CHECK(sendto(mnl_socket_get_fd(nl), nlh, nlh->nlmsg_len, 0,
		     (struct sockaddr *)&to, sizeof(to)) > 0);
	mnl_socket_close(nl);

	seen.n = 0;
	CHECK_INT(ctfd_rtnl_read(r, collect, &seen), -EAGAIN);
	CHECK_INT(seen.n, 0);
	ctfd_rtnl_get_stats(r, &stats);
	CHECK_INT(stats.not_kernel, 1);
	ctfd_rtnl_close(r);
}

/* IPv6 both ways: a neighbour and an address, in the dump. */
static void live_dump_ipv6(void)
{
	struct ctfd_rtnl *r;
	const struct ctfd_obs *o;
	int veth4;

	CHECK(enter_netns());
	CHECK_INT(
		sh("ip link add veth4 type veth peer name veth5 && "
		   "ip link set veth4 up && "
		   "ip addr add 2001:db8:ff::10/128 dev veth4 nodad && "
		   "ip -6 neigh replace 2001:db8::11 lladdr 02:00:00:00:01:01 "
		   "dev veth4 nud permanent"),
		0);
	veth4 = if_nametoindex("veth4");
	CHECK_INT(ctfd_rtnl_open(&r), 0);
	CHECK(dump_all(r) > 0);
	o = find(CTFD_OBS_NEIGH, "2001:db8::11", NULL);
	CHECK(o);
	CHECK_INT(o->ifindex, veth4);
	CHECK_INT(o->lladdr_len, 6);
	o = find(CTFD_OBS_ADDR, "2001:db8:ff::10", NULL);
	CHECK(o);
	CHECK_INT(o->ifindex, veth4);
	o = find(CTFD_OBS_LINK, NULL, "veth4");
	CHECK(o);
	CHECK(!o->up); /* its peer is down: no carrier */
	CHECK(find(CTFD_OBS_LINK, NULL, "lo"));
	ctfd_rtnl_close(r);
	CHECK_INT(sh("ip link del veth4"), 0);
}

/* An observation of @kind for @addr on @ifindex in seen, or NULL. */
static const struct ctfd_obs *neigh_seen(enum ctfd_obs_kind kind,
					 const char *addr, int ifindex)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;
	int i;

	if (ctf_parse_addr(addr, &a, err, sizeof(err)))
		return NULL;
	for (i = 0; i < seen.n; i++)
		if (seen.o[i].kind == kind && seen.o[i].ifindex == ifindex &&
		    ctf_addr_equal(&seen.o[i].addr, &a))
			return &seen.o[i];
	return NULL;
}

/* The entry of @addr on @ifindex in the last dump_all(), or NULL. */
static const struct ctfd_obs *neigh_on(const char *addr, int ifindex)
{
	return neigh_seen(CTFD_OBS_NEIGH, addr, ifindex);
}

/*
 * A cycled backend's neighbour entries go, on every link; an operator's
 * static entry, a NOARP one and another address's stay. @ip is "ip" or
 * "ip -6".
 */
static void flush_case(const char *ip, const char *target, const char *other)
{
	struct ctfd_neigh_flush res = { 99, 99 };
	struct pollfd p = { .events = POLLIN };
	struct ctfd_rtnl_stats stats;
	char err[256] = "";
	struct ctf_addr a;
	struct ctfd_rtnl *r;
	int v6, v7, v8, v9, i;

	CHECK(enter_netns());
	CHECK_INT(sh("ip link add veth6 type veth peer name veth7 && "
		     "ip link add veth8 type veth peer name veth9 && "
		     "for l in veth6 veth7 veth8 veth9; do "
		     "ip link set $l up || exit 1; done"),
		  0);
	v6 = if_nametoindex("veth6");
	v7 = if_nametoindex("veth7");
	v8 = if_nametoindex("veth8");
	v9 = if_nametoindex("veth9");
	CHECK(v6 > 0 && v7 > 0 && v8 > 0 && v9 > 0);
	CHECK_INT(sh("%1$s neigh replace %2$s lladdr 02:00:00:00:06:01 "
		     "dev veth6 nud reachable && "
		     "%1$s neigh replace %2$s lladdr 02:00:00:00:07:01 "
		     "dev veth7 nud stale && "
		     "%1$s neigh replace %2$s lladdr 02:00:00:00:08:01 "
		     "dev veth8 nud permanent && "
		     "%1$s neigh replace %2$s lladdr 02:00:00:00:09:01 "
		     "dev veth9 nud noarp && "
		     "%1$s neigh replace %3$s lladdr 02:00:00:00:06:02 "
		     "dev veth6 nud reachable",
		     ip, target, other),
		  0);
	CHECK_INT(ctf_parse_addr(target, &a, err, sizeof(err)), 0);
	CHECK_INT(ctfd_rtnl_open(&r), 0);
	p.fd = ctfd_rtnl_fd(r);

	CHECK(dump_all(r) > 0);
	CHECK(neigh_on(target, v6));
	CHECK(neigh_on(target, v7));
	CHECK(neigh_on(target, v8));
	CHECK_INT(neigh_on(target, v9)->nud_state, NUD_NOARP);
	CHECK(neigh_on(other, v6));

	CHECK_INT(ctfd_rtnl_neigh_flush(r, &a, &res, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(res.deleted, 2);
	CHECK_INT(res.skipped, 2);

	CHECK(dump_all(r) > 0);
	CHECK(!neigh_on(target, v6));
	CHECK(!neigh_on(target, v7));
	CHECK(neigh_on(target, v8));
	CHECK_INT(neigh_on(target, v8)->nud_state, NUD_PERMANENT);
	CHECK(neigh_on(target, v9));
	CHECK(neigh_on(other, v6));

	/*
	 * The notification socket, untouched by the flush's requests, tells
	 * of both deletes and of no other.
	 */
	seen.n = 0;
	for (i = 0; i < 30 && !(neigh_seen(CTFD_OBS_NEIGH_DEL, target, v6) &&
				neigh_seen(CTFD_OBS_NEIGH_DEL, target, v7));
	     i++) {
		poll(&p, 1, 100);
		while (ctfd_rtnl_read(r, collect, &seen) > 0)
			;
	}
	CHECK(neigh_seen(CTFD_OBS_NEIGH_DEL, target, v6));
	CHECK(neigh_seen(CTFD_OBS_NEIGH_DEL, target, v7));
	CHECK(!neigh_seen(CTFD_OBS_NEIGH_DEL, target, v8));
	CHECK(!neigh_seen(CTFD_OBS_NEIGH_DEL, target, v9));
	CHECK(!neigh_seen(CTFD_OBS_NEIGH_DEL, other, v6));
	ctfd_rtnl_get_stats(r, &stats);
	CHECK_INT(stats.overruns, 0);

	/* Again: nothing left to delete, the static ones still skipped. */
	CHECK_INT(ctfd_rtnl_neigh_flush(r, &a, &res, err, sizeof(err)), 0);
	CHECK_INT(res.deleted, 0);
	CHECK_INT(res.skipped, 2);

	ctfd_rtnl_close(r);
	CHECK_INT(sh("ip link del veth6 && ip link del veth8"), 0);
}

static void live_neigh_flush_ipv4(void)
{
	flush_case("ip", "10.0.6.11", "10.0.6.12");
}

static void live_neigh_flush_ipv6(void)
{
	flush_case("ip -6", "2001:db8:6::11", "2001:db8:6::12");
}

const struct unit_case unit_cases[] = {
	{ "parse_neigh_ipv4", parse_neigh_ipv4 },
	{ "parse_neigh_ipv6_without_lladdr", parse_neigh_ipv6_without_lladdr },
	{ "parse_neigh_not_of_interest", parse_neigh_not_of_interest },
	{ "parse_neigh_malformed", parse_neigh_malformed },
	{ "parse_link", parse_link },
	{ "parse_link_malformed", parse_link_malformed },
	{ "parse_addr", parse_addr },
	{ "live_neigh_addr_link", live_neigh_addr_link },
	{ "live_overrun_reports_enobufs", live_overrun_reports_enobufs },
	{ "live_forged_sender_dropped", live_forged_sender_dropped },
	{ "live_dump_ipv6", live_dump_ipv6 },
	{ "live_neigh_flush_ipv4", live_neigh_flush_ipv4 },
	{ "live_neigh_flush_ipv6", live_neigh_flush_ipv6 },
	{ NULL, NULL },
};
