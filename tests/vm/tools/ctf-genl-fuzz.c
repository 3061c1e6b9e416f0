// SPDX-License-Identifier: GPL-2.0
/*
 * ctf-genl-fuzz: throw random and broken generic netlink messages at the
 * "ctfailover" family, for the fuzz scenario (tests/vm/tests/kmod-fuzz.sh).
 *
 *   ctf-genl-fuzz [-s SEED] [-n COUNT] [-t SECONDS] [-a ADDR]... [-v]
 *	Resolve the family (CTRL_CMD_GETFAMILY), try to join its events
 *	group, then send COUNT messages (default 1000) made from SEED
 *	(default: from the clock; printed first, so a run can be repeated),
 *	stopping early once SECONDS have passed (default 60). ADDR (IPv4 or
 *	IPv6, repeatable) joins the addresses the backend commands mostly
 *	name, beside 192.0.2.0-7 and 2001:db8::0-7 (one in ten is random).
 *	-v prints every send in hex.
 *
 * The messages: every command of kmod/uapi/ctfailover.h and invalid ones,
 * with random flags (REQUEST, ACK, DUMP, ECHO, others), random genl
 * version and reserved bytes; well-formed requests; well-formed requests
 * with one thing wrong (an attribute of the wrong length, out of range,
 * duplicated, unknown, reply-only or another command's; a nest without
 * NLA_F_NESTED or a leaf with it; too many, duplicate or no ports; an
 * unterminated or long name; both or neither address; an nla_len under
 * 4 or past the end); well-formed requests with bytes flipped or cut
 * short; random attributes; headers cut short; an nlmsg_len that lies;
 * deep nesting; several messages in one send. Now and then it turns the
 * socket's options (NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK)
 * on or off, reads with a tiny buffer, or closes the socket in the middle
 * of a dump.
 *
 * After every send it drains the socket without blocking (a dump goes on
 * as it is read), checks that every reply is well formed (lengths inside
 * the datagram, an error code in -4095..0, attributes that fit) and
 * counts them: acks, each errno, replies, dump ends, events. At the end it
 * asks for CTF_CMD_GET_INFO and waits for the answer (at most 5 s). No
 * call blocks: an alarm ends the run at SECONDS + 60. It also counts the
 * admin requests (every command but GET_INFO) that succeeded: an ack, a
 * reply or the end of a dump with their sequence number; with -U, for a
 * caller without CAP_NET_ADMIN over the namespace, there must be none.
 *
 * Exit status: 0 if every reply was well formed, the final request was
 * answered and (-U) no admin request succeeded, 1 if not, 2 on a usage error, 3
 *if the family is not there.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../../kmod/uapi/ctfailover.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define MSG_MAX	  8192 /* one generated message */
#define SEND_MAX  (4 * MSG_MAX)
#define MAX_ADDRS 64
#define NERRNO	  4096

struct buf {
	unsigned char b[MSG_MAX];
	size_t len;
};

struct addr {
	int family;
	unsigned char a[16];
};

static uint64_t rng_state;
static int fd = -1;
static uint16_t family_id;
static uint32_t mcgrp_id;
static uint32_t seq = 1;
static int verbose;
static struct addr addrs[MAX_ADDRS];
static int naddrs;

/* What came back. */
static unsigned long n_errno[NERRNO];
static unsigned long n_ack, n_reply, n_done, n_event, n_other, n_trunc;
static unsigned long n_malformed, n_enobufs, n_sent, n_send_err, n_reopen;
static unsigned long n_dump_intr, n_priv_ok;

/*
 * What each sequence number asked (-U): an admin request (every command
 * but GET_INFO, sent as a request to the family), anything else, or both
 * (a mutated message reused a number): only the first is judged.
 */
enum { SEQ_FREE, SEQ_ADMIN, SEQ_OTHER, SEQ_AMBIGUOUS };
#define SEQ_SLOTS 65536
static struct {
	uint32_t seq;
	uint8_t what;
} seqmap[SEQ_SLOTS];
static int unprivileged;

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ctf-genl-fuzz [-s SEED] [-n COUNT] [-t SECONDS] [-a ADDR]... [-U] [-v]\n",
	      stderr);
	exit(2);
}

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	exit(1);
}

/* splitmix64: small, and the same sequence on every host. */
static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0..n-1 */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(uint32_t percent)
{
	return rnd(100) < percent;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- building messages ------------------------------------------------ */

static void *put(struct buf *m, const void *data, size_t len)
{
	void *p;

	if (m->len + NLA_ALIGN(len) > sizeof(m->b))
		return NULL;
	p = m->b + m->len;
	memset(p, 0, NLA_ALIGN(len));
	if (data)
		memcpy(p, data, len);
	m->len += NLA_ALIGN(len);
	return p;
}

/* An attribute; its nla_len says len. Returns its offset, or -1 if full. */
static long attr(struct buf *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;
	size_t off = m->len;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->b))
		return -1;
	a = put(m, NULL, NLA_HDRLEN);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	put(m, data, len);
	return off;
}

static long attr_u8(struct buf *m, uint16_t type, uint8_t v)
{
	return attr(m, type, &v, 1);
}

static long attr_u16(struct buf *m, uint16_t type, uint16_t v)
{
	return attr(m, type, &v, 2);
}

static long attr_u32(struct buf *m, uint16_t type, uint32_t v)
{
	return attr(m, type, &v, 4);
}

static long nest_start(struct buf *m, uint16_t type)
{
	return attr(m, type, NULL, 0);
}

static void nest_end(struct buf *m, long off)
{
	struct nlattr *a;

	if (off < 0)
		return;
	a = (struct nlattr *)(m->b + off);
	a->nla_len = m->len - off > 0xffff ? 0xffff : m->len - off;
}

static struct nlattr *attr_at(struct buf *m, long off)
{
	return off < 0 ? NULL : (struct nlattr *)(m->b + off);
}

static void hdr(struct buf *m, uint16_t type, uint16_t flags, uint8_t cmd,
		uint8_t version, uint16_t reserved)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	m->len = 0;
	nlh = put(m, NULL, NLMSG_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq++;
	g = put(m, NULL, GENL_HDRLEN);
	g->cmd = cmd;
	g->version = version;
	g->reserved = reserved;
}

static void finish(struct buf *m)
{
	((struct nlmsghdr *)m->b)->nlmsg_len = m->len;
}

static void rnd_bytes(void *p, size_t len)
{
	unsigned char *c = p;

	while (len--)
		*c++ = rnd(256);
}

/* --- the parts of valid requests ------------------------------------------ */

/* Mostly the few given (so commands meet each other), now and then any. */
static const struct addr *pick_addr(void)
{
	static struct addr any;

	if (chance(90))
		return &addrs[rnd(naddrs)];
	any.family = chance(50) ? AF_INET : AF_INET6;
	rnd_bytes(any.a, sizeof(any.a));
	return &any;
}

static uint32_t pick_epoch(void)
{
	static const uint32_t e[] = {
		1, 2, 3, 100, CTF_EPOCH_MAX - 1, CTF_EPOCH_MAX
	};

	return chance(50) ? e[rnd(sizeof(e) / sizeof(e[0]))]
			  : 1 + rnd(CTF_EPOCH_MAX);
}

static uint16_t pick_port(void)
{
	static const uint16_t p[] = { 5060, 5061, 5062, 5070, 5080, 1, 65535 };

	return chance(70) ? p[rnd(sizeof(p) / sizeof(p[0]))] : 1 + rnd(65535);
}

static void put_addr(struct buf *m, const struct addr *a)
{
	if (a->family == AF_INET)
		attr(m, CTF_BA_ADDR4, a->a, 4);
	else
		attr(m, CTF_BA_ADDR6, a->a, 16);
}

static void put_name(struct buf *m)
{
	char name[CTF_NAME_MAX];
	size_t n = 1 + rnd(CTF_NAME_MAX - 1), i;

	for (i = 0; i < n - 1; i++)
		name[i] = 'a' + rnd(26);
	name[n - 1] = 0;
	attr(m, CTF_BA_NAME, name, n);
}

/* CTF_A_BACKEND with an address; for BACKEND_SET also name, epoch, state. */
static void put_backend(struct buf *m, int set)
{
	long nest = nest_start(m, CTF_A_BACKEND | NLA_F_NESTED);

	put_addr(m, pick_addr());
	if (set && chance(40))
		put_name(m);
	if (set && chance(20))
		attr_u32(m, CTF_BA_EPOCH, pick_epoch());
	if (set && chance(40))
		attr_u8(m, CTF_BA_STATE, rnd(CTF_STATE_MAX + 1));
	nest_end(m, nest);
}

static void put_ports(struct buf *m)
{
	long nest = nest_start(m, CTF_A_PORTS | NLA_F_NESTED);
	uint16_t ports[CTF_MAX_PORTS];
	unsigned int n = 1 + (chance(80) ? rnd(4) : rnd(CTF_MAX_PORTS)), i, j;

	for (i = 0; i < n; i++) {
		/* Distinct: a valid set. */
		do {
			ports[i] = pick_port();
			for (j = 0; j < i && ports[j] != ports[i]; j++)
				;
		} while (j < i);
		attr_u16(m, CTF_A_PORT, ports[i]);
	}
	nest_end(m, nest);
}

/* A well-formed request for one of the family's commands. */
static void valid(struct buf *m, uint8_t cmd, uint16_t flags)
{
	int delay;

	hdr(m, family_id, flags, cmd, CTFAILOVER_GENL_VERSION, 0);
	switch (cmd) {
	case CTF_CMD_BACKEND_SET:
		put_backend(m, 1);
		break;
	case CTF_CMD_BACKEND_GET:
		if (!(flags & NLM_F_DUMP))
			put_backend(m, 0);
		break;
	case CTF_CMD_BACKEND_DEL:
	case CTF_CMD_BACKEND_BUMP:
		put_backend(m, 0);
		break;
	case CTF_CMD_PORTS_SET:
		put_ports(m);
		break;
	case CTF_CMD_CONFIG_SET:
		delay = chance(70);
		if (delay)
			attr_u32(m, CTF_A_SWEEP_DELAY_MS,
				 chance(50) ? rnd(2000)
					    : rnd(CTF_MAX_SWEEP_DELAY_MS + 1));
		if (!delay || chance(30))
			attr_u8(m, CTF_A_LABEL_WORD, rnd(4));
		break;
	default:
		break;
	}
	finish(m);
}

static uint8_t pick_cmd(void)
{
	if (chance(85))
		return 1 + rnd(CTF_CMD_MAX);
	switch (rnd(4)) {
	case 0:
		return CTF_CMD_UNSPEC;
	case 1:
		return CTF_CMD_MAX + 1 + rnd(4);
	case 2:
		return 255;
	default:
		return rnd(256);
	}
}

static uint16_t pick_flags(void)
{
	static const uint16_t f[] = {
		NLM_F_REQUEST,
		NLM_F_REQUEST | NLM_F_ACK,
		NLM_F_REQUEST | NLM_F_DUMP,
		NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK,
		NLM_F_REQUEST | NLM_F_ROOT,
		NLM_F_REQUEST | NLM_F_MATCH | NLM_F_ACK,
		NLM_F_REQUEST | NLM_F_ECHO | NLM_F_ACK,
		NLM_F_REQUEST | NLM_F_ATOMIC | NLM_F_DUMP,
		NLM_F_ACK,
		0,
	};

	if (chance(5))
		return rnd(65536);
	return f[chance(60) ? rnd(2) : rnd(sizeof(f) / sizeof(f[0]))];
}

/* --- what is wrong with a request ----------------------------------------- */

/* Every attribute of a nest, any level: its offset in the message. */
static long attrs_of(struct buf *m, long *offs, long max)
{
	long n = 0, off = NLMSG_HDRLEN + GENL_HDRLEN;
	long ends[8];
	int depth = 0;

	while (off + NLA_HDRLEN <= (long)m->len && n < max) {
		struct nlattr *a = attr_at(m, off);

		while (depth && off >= ends[depth - 1])
			depth--;
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > (long)m->len)
			break;
		offs[n++] = off;
		if (((a->nla_type & NLA_TYPE_MASK) == CTF_A_BACKEND ||
		     (a->nla_type & NLA_TYPE_MASK) == CTF_A_PORTS) &&
		    depth < 8 && a->nla_len > NLA_HDRLEN) {
			ends[depth++] = off + NLA_ALIGN(a->nla_len);
			off += NLA_HDRLEN;
		} else {
			off += NLA_ALIGN(a->nla_len);
		}
	}
	return n;
}

/* Leaf payloads of the wrong size: bigger or smaller, never past the buffer. */
static void wrong_length(struct buf *m)
{
	long offs[128], n = attrs_of(m, offs, 128);
	struct nlattr *a;

	if (!n)
		return;
	a = attr_at(m, offs[rnd(n)]);
	if (chance(50) && a->nla_len > NLA_HDRLEN)
		a->nla_len -= 1 + rnd(a->nla_len - NLA_HDRLEN);
	else
		a->nla_len += 1 + rnd(8);
	/* Past the message: the kernel must see a lie, not read beyond it. */
}

static void wrong_flags(struct buf *m)
{
	long offs[128], n = attrs_of(m, offs, 128);
	struct nlattr *a;

	if (!n)
		return;
	a = attr_at(m, offs[rnd(n)]);
	switch (rnd(3)) {
	case 0:
		a->nla_type ^= NLA_F_NESTED;
		break;
	case 1:
		a->nla_type ^= NLA_F_NET_BYTEORDER;
		break;
	default:
		a->nla_type = (a->nla_type & ~NLA_TYPE_MASK) | rnd(32);
		break;
	}
}

static void out_of_range(struct buf *m, uint8_t cmd)
{
	static const uint32_t epochs[] = { 0, CTF_EPOCH_MAX + 1, 0xffffffff,
					   0x80000000 };
	long nest;

	switch (cmd) {
	case CTF_CMD_BACKEND_SET:
		nest = nest_start(m, CTF_A_BACKEND | NLA_F_NESTED);
		put_addr(m, pick_addr());
		if (chance(50))
			attr_u8(m, CTF_BA_STATE, CTF_STATE_MAX + 1 + rnd(250));
		else
			attr_u32(m, CTF_BA_EPOCH, epochs[rnd(4)]);
		nest_end(m, nest);
		break;
	case CTF_CMD_CONFIG_SET:
		if (chance(50))
			attr_u8(m, CTF_A_LABEL_WORD, 4 + rnd(252));
		else
			attr_u32(m, CTF_A_SWEEP_DELAY_MS,
				 CTF_MAX_SWEEP_DELAY_MS + 1 + rnd(1000000));
		break;
	default:
		nest = nest_start(m, CTF_A_PORTS | NLA_F_NESTED);
		attr_u16(m, CTF_A_PORT, 0);
		nest_end(m, nest);
		break;
	}
}

static void bad_ports(struct buf *m)
{
	long nest =
		nest_start(m, CTF_A_PORTS | (chance(90) ? NLA_F_NESTED : 0));
	unsigned int i, n;

	switch (rnd(4)) {
	case 0: /* too many */
		n = CTF_MAX_PORTS + 1 + rnd(16);
		for (i = 0; i < n; i++)
			attr_u16(m, CTF_A_PORT, 6000 + i);
		break;
	case 1: /* a duplicate */
		attr_u16(m, CTF_A_PORT, 5060);
		attr_u16(m, CTF_A_PORT, chance(50) ? 5060 : 5061);
		attr_u16(m, CTF_A_PORT, 5060);
		break;
	case 2: /* none */
		break;
	default: /* something else inside */
		attr_u16(m, CTF_A_PORT, 5060);
		attr_u32(m, rnd(CTF_A_MAX + 3), rnd64());
		break;
	}
	nest_end(m, nest);
}

static void bad_backend(struct buf *m)
{
	long nest = nest_start(m, CTF_A_BACKEND | NLA_F_NESTED);
	char name[80];
	size_t n;

	switch (rnd(6)) {
	case 0: /* both addresses */
		attr(m, CTF_BA_ADDR4, addrs[0].a, 4);
		attr(m, CTF_BA_ADDR6,
		     "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
		break;
	case 1: /* neither */
		put_name(m);
		break;
	case 2: /* an unterminated or too long name */
		put_addr(m, pick_addr());
		n = chance(50) ? 1 + rnd(CTF_NAME_MAX) : CTF_NAME_MAX + rnd(40);
		memset(name, 'x', sizeof(name));
		if (chance(50))
			name[n - 1] = 0;
		attr(m, CTF_BA_NAME, name, n);
		break;
	case 3: /* reply-only counters */
		put_addr(m, pick_addr());
		attr(m, CTF_BA_TAGGED + rnd(4), "\1\0\0\0\0\0\0\0", 8);
		break;
	case 4: /* an attribute of no known type */
		put_addr(m, pick_addr());
		attr_u32(m, chance(50) ? 0 : CTF_BA_MAX + 1 + rnd(20), rnd64());
		break;
	default: /* the same twice */
		put_addr(m, pick_addr());
		put_addr(m, pick_addr());
		attr_u8(m, CTF_BA_STATE, rnd(3));
		attr_u8(m, CTF_BA_STATE, rnd(3));
		break;
	}
	nest_end(m, nest);
}

/* A request with one thing wrong. */
static void broken(struct buf *m)
{
	uint8_t cmd = pick_cmd();
	uint16_t flags = pick_flags();

	if (chance(50)) {
		valid(m, cmd, flags);
		switch (rnd(3)) {
		case 0:
			wrong_length(m);
			return;
		case 1:
			wrong_flags(m);
			return;
		default:
			/* The whole body again: every attribute twice. */
			if (m->len * 2 - NLMSG_HDRLEN - GENL_HDRLEN <=
			    sizeof(m->b)) {
				size_t body =
					m->len - NLMSG_HDRLEN - GENL_HDRLEN;

				put(m, m->b + NLMSG_HDRLEN + GENL_HDRLEN, body);
			}
			finish(m);
			return;
		}
	}
	hdr(m, family_id, flags, cmd, CTFAILOVER_GENL_VERSION, 0);
	switch (rnd(6)) {
	case 0:
		out_of_range(m, cmd);
		break;
	case 1:
		bad_ports(m);
		break;
	case 2:
		bad_backend(m);
		break;
	case 3: /* reply-only or another command's attributes */
		attr_u32(m, CTF_A_INFO_GENL_VERSION, 1);
		attr(m, CTF_A_INFO_VERSION, "0.1.0", 6);
		attr_u32(m, CTF_A_STALE_EPOCH, 1);
		attr(m, CTF_A_STATS | NLA_F_NESTED, NULL, 0);
		attr(m, CTF_A_EVICT | NLA_F_NESTED, NULL, 0);
		put_ports(m);
		put_backend(m, 1);
		attr_u8(m, CTF_A_LABEL_WORD, 3);
		break;
	case 4: /* an nla_len under the header, or past the end */
		put_backend(m, 1);
		attr_at(m, NLMSG_HDRLEN + GENL_HDRLEN)->nla_len =
			chance(50) ? rnd(NLA_HDRLEN) : m->len + rnd(100);
		break;
	default: /* a pad attribute, a zero-length one */
		attr(m, CTF_A_PAD, NULL, rnd(2) * 4);
		attr(m, CTF_A_UNSPEC, NULL, 0);
		attr(m, rnd(CTF_A_MAX + 4), NULL, 0);
		break;
	}
	finish(m);
}

/* A valid request with bytes flipped, or cut short (its length says so). */
static void mutated(struct buf *m)
{
	static const uint8_t cmds[] = {
		CTF_CMD_BACKEND_SET, CTF_CMD_BACKEND_BUMP, CTF_CMD_PORTS_SET,
		CTF_CMD_BACKEND_DEL, CTF_CMD_CONFIG_SET,   CTF_CMD_BACKEND_GET,
	};
	unsigned int i, k;

	valid(m, cmds[rnd(sizeof(cmds))], pick_flags());
	if (chance(25)) {
		m->len = NLMSG_HDRLEN + GENL_HDRLEN +
			 rnd(m->len - NLMSG_HDRLEN - GENL_HDRLEN + 1);
		finish(m);
		return;
	}
	k = 1 + rnd(6);
	for (i = 0; i < k; i++) {
		/* Mostly the attributes; the headers now and then. */
		size_t lo = chance(80) ? NLMSG_HDRLEN + GENL_HDRLEN : 0;

		if (m->len > lo)
			m->b[lo + rnd(m->len - lo)] ^= 1 << rnd(8);
		if (chance(30) && m->len > lo)
			m->b[lo + rnd(m->len - lo)] = rnd(256);
	}
}

/* Random attributes, random types, lengths and flags, maybe nested. */
static void garbage_attrs(struct buf *m, int depth)
{
	unsigned int i, n = rnd(8);
	unsigned char data[64];

	for (i = 0; i < n; i++) {
		uint16_t type = rnd(CTF_A_MAX + 6) |
				(chance(20) ? NLA_F_NESTED : 0) |
				(chance(5) ? NLA_F_NET_BYTEORDER : 0);
		long off;

		if (depth < 4 && chance(25)) {
			off = nest_start(m, type);
			garbage_attrs(m, depth + 1);
			nest_end(m, off);
			continue;
		}
		rnd_bytes(data, sizeof(data));
		off = attr(m, type, data, rnd(sizeof(data) + 1));
		if (chance(5) && off >= 0)
			attr_at(m, off)->nla_len = rnd(0x10000);
	}
}

static void garbage(struct buf *m)
{
	hdr(m, family_id, pick_flags(), pick_cmd(),
	    chance(80) ? CTFAILOVER_GENL_VERSION : rnd(256),
	    chance(80) ? 0 : rnd(65536));
	garbage_attrs(m, 0);
	finish(m);
}

/* Nests inside nests, with and without NLA_F_NESTED. */
static void deep(struct buf *m)
{
	long offs[64];
	int depth = 2 + rnd(60), i;
	uint16_t outer = chance(50)   ? CTF_A_BACKEND
			 : chance(50) ? CTF_A_PORTS
				      : rnd(CTF_A_MAX + 3);

	hdr(m, family_id, pick_flags(), pick_cmd(), CTFAILOVER_GENL_VERSION, 0);
	for (i = 0; i < depth; i++) {
		uint16_t type = i ? rnd(CTF_BA_MAX + 2) : outer;

		offs[i] = nest_start(m, type | (chance(80) ? NLA_F_NESTED : 0));
	}
	if (chance(50))
		put_addr(m, pick_addr());
	else
		attr_u16(m, CTF_A_PORT, 5060);
	for (i = depth - 1; i >= 0; i--)
		nest_end(m, offs[i]);
	finish(m);
}

/* Headers cut short: fewer bytes than a netlink or genl header. */
static void short_header(struct buf *m)
{
	valid(m, 1 + rnd(CTF_CMD_MAX), pick_flags());
	m->len = rnd(NLMSG_HDRLEN + GENL_HDRLEN);
	if (m->len >= 4 && chance(50))
		((struct nlmsghdr *)m->b)->nlmsg_len = m->len;
}

/* The length in the header lies about the message. */
static void lying_len(struct buf *m)
{
	struct nlmsghdr *nlh;

	valid(m, 1 + rnd(CTF_CMD_MAX), pick_flags());
	nlh = (struct nlmsghdr *)m->b;
	switch (rnd(4)) {
	case 0:
		nlh->nlmsg_len = m->len + 1 + rnd(64);
		break;
	case 1:
		nlh->nlmsg_len = rnd(NLMSG_HDRLEN + GENL_HDRLEN);
		break;
	case 2:
		nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN +
				 rnd(m->len - NLMSG_HDRLEN - GENL_HDRLEN + 1);
		break;
	default:
		nlh->nlmsg_len = chance(50) ? 0xffffffff : rnd64();
		break;
	}
}

/* Another type than the family's: netlink's own, or control's. */
static void other_type(struct buf *m)
{
	static const uint16_t t[] = { NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE,
				      NLMSG_OVERRUN, 0 };

	valid(m, 1 + rnd(CTF_CMD_MAX), pick_flags());
	((struct nlmsghdr *)m->b)->nlmsg_type = t[rnd(5)];
}

static void generate(struct buf *m)
{
	uint32_t r = rnd(100);

	if (r < 22)
		valid(m, pick_cmd(), pick_flags());
	else if (r < 47)
		broken(m);
	else if (r < 67)
		mutated(m);
	else if (r < 80)
		garbage(m);
	else if (r < 86)
		deep(m);
	else if (r < 91)
		short_header(m);
	else if (r < 97)
		lying_len(m);
	else
		other_type(m);
}

/* --- the socket -------------------------------------------------------------
 */

static void sock_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, size = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
}

static void sock_toggle(void)
{
	static const int opts[] = { NETLINK_EXT_ACK, NETLINK_CAP_ACK,
				    NETLINK_GET_STRICT_CHK };
	int v = rnd(2);

	setsockopt(fd, SOL_NETLINK, opts[rnd(3)], &v, sizeof(v));
}

static void join_events(int report)
{
	int ret;

	if (!mcgrp_id)
		return;
	ret = setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &mcgrp_id,
			 sizeof(mcgrp_id));
	if (report)
		printf("events group %u: %s\n", mcgrp_id,
		       ret ? strerror(errno) : "joined");
}

/* Every attribute inside [p, p + len) fits, at every level we know of. */
static int attrs_ok(const unsigned char *p, size_t len, int depth)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return 0;
		if ((a->nla_type & NLA_F_NESTED) && depth < 4 &&
		    !attrs_ok(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN,
			      depth + 1))
			return 0;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			return 1;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return len == 0;
}

static void malformed(const char *why, const struct nlmsghdr *nlh)
{
	n_malformed++;
	fprintf(stderr,
		"malformed reply: %s (type %u len %u flags 0x%x seq %u)\n", why,
		nlh->nlmsg_type, nlh->nlmsg_len, nlh->nlmsg_flags,
		nlh->nlmsg_seq);
}

/* The messages of a send as the kernel splits them (netlink_rcv_skb). */
static void record(const unsigned char *p, size_t len)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		const struct genlmsghdr *g = NLMSG_DATA(nlh);
		uint8_t what = SEQ_OTHER;
		unsigned int slot = nlh->nlmsg_seq % SEQ_SLOTS;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
			return;
		if (nlh->nlmsg_type == family_id &&
		    (nlh->nlmsg_flags & NLM_F_REQUEST) &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
		    g->cmd != CTF_CMD_GET_INFO)
			what = SEQ_ADMIN;
		if (seqmap[slot].what != SEQ_FREE &&
		    seqmap[slot].seq == nlh->nlmsg_seq &&
		    seqmap[slot].what != what)
			what = SEQ_AMBIGUOUS;
		seqmap[slot].seq = nlh->nlmsg_seq;
		seqmap[slot].what = what;
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= len)
			return;
		len -= NLMSG_ALIGN(nlh->nlmsg_len);
		p += NLMSG_ALIGN(nlh->nlmsg_len);
	}
}

/* A success (ack, reply, end of dump) answers this message: was it admin? */
static void judge(const struct nlmsghdr *nlh)
{
	unsigned int slot = nlh->nlmsg_seq % SEQ_SLOTS;

	if (seqmap[slot].what != SEQ_ADMIN ||
	    seqmap[slot].seq != nlh->nlmsg_seq)
		return;
	if (++n_priv_ok <= 5 && unprivileged)
		fprintf(stderr, "an admin request succeeded: type %u seq %u\n",
			nlh->nlmsg_type, nlh->nlmsg_seq);
}

static void tally(const unsigned char *p, size_t len)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len) {
			malformed("nlmsg_len outside the datagram", nlh);
			return;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			n_dump_intr++;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
				malformed("short error", nlh);
			} else if (e->error > 0 || e->error < -4095) {
				malformed("error code out of range", nlh);
			} else if (!e->error) {
				n_ack++;
				judge(nlh);
			} else {
				n_errno[-e->error]++;
			}
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			n_done++;
			judge(nlh);
		} else if (nlh->nlmsg_type == family_id) {
			const struct genlmsghdr *g = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
				malformed("short genl header", nlh);
			else if (!attrs_ok((const unsigned char *)g +
						   GENL_HDRLEN,
					   nlh->nlmsg_len - NLMSG_HDRLEN -
						   GENL_HDRLEN,
					   0))
				malformed("attributes do not fit", nlh);
			else if (g->cmd == CTF_CMD_EVENT_EVICTED ||
				 g->cmd == CTF_CMD_EVENT_STALE)
				n_event++;
			else
				n_reply++;
			if (g->cmd != CTF_CMD_EVENT_EVICTED &&
			    g->cmd != CTF_CMD_EVENT_STALE)
				judge(nlh);
		} else {
			n_other++;
		}
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= len)
			return;
		len -= NLMSG_ALIGN(nlh->nlmsg_len);
		p += NLMSG_ALIGN(nlh->nlmsg_len);
	}
}

/* Read what is there (a dump goes on as it is read); at most a bounded lot. */
static void drain(int tiny)
{
	static unsigned char rbuf[65536];
	int i;

	for (i = 0; i < 20000; i++) {
		ssize_t n =
			recv(fd, rbuf, tiny ? 256 : sizeof(rbuf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ENOBUFS) {
				n_enobufs++;
				continue;
			}
			if (errno == EINTR)
				continue;
			die("recv");
		}
		if (tiny && n == 256) {
			/* The rest of that datagram is gone: do not judge it.
			 */
			n_trunc++;
			continue;
		}
		tally(rbuf, n);
	}
}

static void send_raw(const void *b, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (verbose) {
		size_t i;

		printf("send %zu:", len);
		for (i = 0; i < len; i++)
			printf("%s%02x", i % 4 ? "" : " ",
			       ((const unsigned char *)b)[i]);
		putchar('\n');
	}
	record(b, len);
	if (sendto(fd, b, len, MSG_DONTWAIT, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		n_send_err++;
		if (errno > 0 && errno < NERRNO)
			n_errno[errno]++; /* counted with the replies' */
	}
	n_sent++;
}

/* Wait up to @ms for a reply; 0 if none came. */
static int wait_readable(int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

/* --- resolving the family
 * ----------------------------------------------------- */

static void resolve(void)
{
	static unsigned char rbuf[16384];
	struct buf m;
	double until = now() + 5;

	hdr(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1, 0);
	attr(&m, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME,
	     sizeof(CTFAILOVER_GENL_NAME));
	finish(&m);
	if (send(fd, m.b, m.len, 0) < 0)
		die("send");
	while (now() < until) {
		const struct nlmsghdr *nlh = (const void *)rbuf;
		const unsigned char *p;
		ssize_t n;
		size_t len;

		if (!wait_readable(500))
			continue;
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < (ssize_t)NLMSG_HDRLEN)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			fprintf(stderr, "family %s: %s\n", CTFAILOVER_GENL_NAME,
				strerror(-e->error));
			exit(3);
		}
		if (nlh->nlmsg_type != GENL_ID_CTRL || nlh->nlmsg_len > n)
			continue;
		p = rbuf + NLMSG_HDRLEN + GENL_HDRLEN;
		len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		while (len >= NLA_HDRLEN) {
			const struct nlattr *a = (const void *)p;
			const unsigned char *q;
			size_t qlen;

			if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) ==
			    CTRL_ATTR_FAMILY_ID)
				memcpy(&family_id, p + NLA_HDRLEN, 2);
			if ((a->nla_type & NLA_TYPE_MASK) ==
			    CTRL_ATTR_MCAST_GROUPS) {
				/* One nest per group: name and id. */
				q = p + NLA_HDRLEN;
				qlen = a->nla_len - NLA_HDRLEN;
				while (qlen >= NLA_HDRLEN) {
					const struct nlattr *g =
						(const void *)q;
					const unsigned char *r = q + NLA_HDRLEN;
					size_t rlen = g->nla_len - NLA_HDRLEN;
					uint32_t id = 0;
					int ours = 0;

					if (g->nla_len < NLA_HDRLEN ||
					    g->nla_len > qlen)
						break;
					while (rlen >= NLA_HDRLEN) {
						const struct nlattr *x =
							(const void *)r;

						if (x->nla_len < NLA_HDRLEN ||
						    x->nla_len > rlen)
							break;
						if (x->nla_type ==
						    CTRL_ATTR_MCAST_GRP_ID)
							memcpy(&id,
							       r + NLA_HDRLEN,
							       4);
						if (x->nla_type ==
							    CTRL_ATTR_MCAST_GRP_NAME &&
						    !strcmp((const char *)r +
								    NLA_HDRLEN,
							    CTFAILOVER_MCGRP_EVENTS))
							ours = 1;
						if ((size_t)NLA_ALIGN(
							    x->nla_len) >= rlen)
							break;
						rlen -= NLA_ALIGN(x->nla_len);
						r += NLA_ALIGN(x->nla_len);
					}
					if (ours)
						mcgrp_id = id;
					if ((size_t)NLA_ALIGN(g->nla_len) >=
					    qlen)
						break;
					qlen -= NLA_ALIGN(g->nla_len);
					q += NLA_ALIGN(g->nla_len);
				}
			}
			if ((size_t)NLA_ALIGN(a->nla_len) >= len)
				break;
			len -= NLA_ALIGN(a->nla_len);
			p += NLA_ALIGN(a->nla_len);
		}
		if (family_id)
			return;
	}
	fprintf(stderr, "family %s: no answer\n", CTFAILOVER_GENL_NAME);
	exit(3);
}

/* --- the end: is the family still answering? ---------------------------------
 */

static int final_check(void)
{
	static unsigned char rbuf[65536];
	unsigned long replies;
	double until;
	struct buf m;

	/* What is still coming (events may never stop), then one request. */
	for (until = now() + 2; now() < until && wait_readable(200);)
		drain(0);
	replies = n_reply;
	valid(&m, CTF_CMD_GET_INFO, NLM_F_REQUEST);
	if (send(fd, m.b, m.len, 0) < 0) {
		perror("final request");
		return 0;
	}
	for (until = now() + 5; now() < until;) {
		ssize_t n;

		if (!wait_readable(500))
			continue;
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n > 0)
			tally(rbuf, n);
		if (n_reply > replies)
			return 1;
	}
	fprintf(stderr, "no answer to CTF_CMD_GET_INFO after the fuzzing\n");
	return 0;
}

static void parse_addr(const char *s)
{
	struct addr *a = &addrs[naddrs];

	if (naddrs == MAX_ADDRS)
		usage();
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		usage();
	naddrs++;
}

int main(int argc, char **argv)
{
	static unsigned char sbuf[SEND_MAX];
	unsigned long count = 1000, i, seed = 0, seconds = 60;
	int opt, ok, e, given_seed = 0;
	double t0;
	char a[64];

	while ((opt = getopt(argc, argv, "s:n:t:a:Uv")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoul(optarg, NULL, 0);
			given_seed = 1;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			parse_addr(optarg);
			break;
		case 'U':
			unprivileged = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !seconds)
		usage();
	if (!given_seed)
		seed = (unsigned long)time(NULL) ^
		       ((unsigned long)getpid() << 16);
	rng_state = seed;
	printf("seed %lu count %lu\n", seed, count);
	fflush(stdout);
	alarm(seconds + 60);
	for (i = 0; i < 8 && naddrs < MAX_ADDRS; i++) {
		snprintf(a, sizeof(a), "192.0.2.%lu", i);
		parse_addr(a);
		snprintf(a, sizeof(a), "2001:db8::%lu", i);
		parse_addr(a);
	}

	sock_open();
	resolve();
	printf("family %s id %u\n", CTFAILOVER_GENL_NAME, family_id);
	join_events(1);
	t0 = now();
	for (i = 0; i < count; i++) {
		size_t len = 0;
		int k, n = chance(12) ? 2 + rnd(3) : 1;
		struct buf m;

		if (now() - t0 > seconds) {
			printf("time cap: %lu messages in %lu s\n", i, seconds);
			break;
		}
		if (chance(1))
			sock_toggle();
		for (k = 0; k < n; k++) {
			generate(&m);
			if (NLMSG_ALIGN(m.len) > sizeof(sbuf) - len)
				break;
			memset(sbuf + len, 0, NLMSG_ALIGN(m.len));
			memcpy(sbuf + len, m.b, m.len);
			len += NLMSG_ALIGN(m.len);
		}
		send_raw(sbuf, len);
		if (chance(1)) {
			/* A dump left half read: the socket goes, the dump with
			 * it. */
			valid(&m, CTF_CMD_BACKEND_GET,
			      NLM_F_REQUEST | NLM_F_DUMP);
			send_raw(m.b, m.len);
			close(fd);
			sock_open();
			join_events(0);
			n_reopen++;
			continue;
		}
		drain(chance(2));
	}
	ok = final_check();
	printf("sent %lu send_errors %lu acks %lu replies %lu dump_done %lu dump_intr %lu events %lu other %lu truncated %lu enobufs %lu reopened %lu malformed %lu in %.1f s\n",
	       n_sent, n_send_err, n_ack, n_reply, n_done, n_dump_intr, n_event,
	       n_other, n_trunc, n_enobufs, n_reopen, n_malformed, now() - t0);
	/* Errors of sendto() and errors in replies, together. */
	printf("errors:");
	for (e = 1; e < NERRNO; e++)
		if (n_errno[e])
			printf(" %s %lu",
			       strerrorname_np(e) ? strerrorname_np(e) : "?",
			       n_errno[e]);
	putchar('\n');
	printf("admin requests that succeeded: %lu\n", n_priv_ok);
	if (!ok || n_malformed || (unprivileged && n_priv_ok)) {
		printf("FAILED: %s\n",
		       !ok ? "no answer at the end"
		       : n_malformed
			       ? "malformed replies"
			       : "admin requests succeeded without the capability");
		return 1;
	}
	printf("final get_info answered\n");
	return 0;
}
