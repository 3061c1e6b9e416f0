/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of ctfailover's internals: what the suites share. Everything
 * here is built into ctfailover.o (see kmod/Kbuild), so the suites call the
 * module's ctf_* functions directly; run by scripts/kunit with the
 * .kunitconfig beside these files. One file per suite:
 *
 *  netlink_test.c    ctfailover_netlink    GET_INFO: the reply body for
 *                    every amount of room an skb may have, and requests
 *                    through the family.
 *  core_test.c       ctfailover_core       the pure parts: epoch_next,
 *                    the stamp word (encode, decode, foreign bits), the
 *                    verdict (ctf_judge), the port set, the backend table
 *                    and its epochs (on a private table): add, remove,
 *                    revive, reap.
 *  policy_test.c     ctfailover_policy     every malformed request of every
 *                    command: refused with its errno, an extack message,
 *                    the offset of the offending attribute, and nothing
 *                    changed.
 *  roundtrip_test.c  ctfailover_roundtrip  valid requests: what SET stores
 *                    is what GET, dump, STATS and PORTS_GET report; the
 *                    epochs that SET, bump, down and re-adding give;
 *                    delete, limits.
 *  conntrack_test.c  ctfailover_conntrack  real conntrack entries in
 *                    init_net: stamps in the labels, verdicts, the sweep
 *                    (and the reaping of removed backends), the highest
 *                    stamp found at enable, and failovers driven by
 *                    requests end to end.
 *
 * Requests travel over a real NETLINK_GENERIC socket to the registered
 * family, so per-op policies, header checks and extack replies are tested
 * as userspace sees them. Suites that change init_net's state reset it to
 * the defaults (no backends, port 5060, label word 3, sweep delay 1 s, no
 * epoch given yet) before and after every case, so no case sees another's
 * leftovers, and a case's first new backend gets epoch 1.
 */
#ifndef _CTF_TESTS_KUNIT_UTIL_H
#define _CTF_TESTS_KUNIT_UTIL_H

#include <kunit/test.h>
#include <net/netlink.h>

#include "../ctfailover.h"
#include "../uapi/ctfailover.h"

struct cred;
struct socket;

/*
 * Differences between the kernels the suites run on (scripts/kunit: 6.1 and
 * 6.12) that concern only the tests; the module's own are in compat.h. Each
 * is detected from the feature itself, as compat.h does where it can.
 *
 * KUNIT_ASSERT_FAILURE() was renamed KUNIT_FAIL_AND_ABORT() after 6.1
 * (include/kunit/test.h); 6.12 has only the new name.
 */
#ifdef KUNIT_FAIL_AND_ABORT
#define CTF_TEST_FAIL_AND_ABORT	KUNIT_FAIL_AND_ABORT
#else
#define CTF_TEST_FAIL_AND_ABORT	KUNIT_ASSERT_FAILURE
#endif

/* "Leave it out" for the optional fields of requests. */
#define CTF_NONE		(-1)

/* Expected extack messages, of the netlink core (lib/nlattr.c, 6.1) ... */
#define CTF_MSG_BIN_RANGE	"binary attribute size out of range"
#define CTF_MSG_INT_RANGE	"integer out of range"
#define CTF_MSG_POLICY		"Attribute failed policy validation"
#define CTF_MSG_UNSUPPORTED	"Unsupported attribute"
#define CTF_MSG_UNKNOWN		"Unknown attribute type"
#define CTF_MSG_LEN		"invalid attribute length"
#define CTF_MSG_NOT_NESTED	"NLA_F_NESTED is missing"
/* ... and of the module (netlink.c). */
#define CTF_MSG_ONE_ADDR	"need exactly one of CTF_BA_ADDR4, CTF_BA_ADDR6"
#define CTF_MSG_NO_BACKEND	"missing CTF_A_BACKEND"
#define CTF_MSG_UNKNOWN_ADDR	"no backend at this address"
#define CTF_MSG_NO_PORTS	"missing CTF_A_PORTS"
#define CTF_MSG_DUP_PORT	"duplicate port"
#define CTF_MSG_MANY_PORTS	"too many ports (CTF_MAX_PORTS)"
#define CTF_MSG_EMPTY_PORTS	"empty port set"
#define CTF_MSG_NOTHING		"nothing to set (CTF_A_LABEL_WORD, CTF_A_SWEEP_DELAY_MS)"
#define CTF_MSG_BUSY		"label word can change only while there are no backends"
#define CTF_MSG_FULL		"too many backends (CTF_MAX_BACKENDS)"
#define CTF_MSG_EPOCH_GONE	"epoch is the removed address's: its stale entries would come back"
#define CTF_MSG_ADOPT		"adopt needs an epoch and a backend in the table"
#define CTF_MSG_GONE_BUSY	"too many removed backends wait for a sweep: retry"
#define CTF_MSG_NO_ENABLE	"cannot enable conntrack hooks and labels"

struct ctf_test_ctx {
	struct sk_buff *skb;	/* the message under construction */
	struct socket *sock;	/* NETLINK_GENERIC, extended acks, capped */
	const struct cred *cred;	/* if set, requests are sent with these */
	void *buf;		/* the last datagram received */
	u32 seq;		/* of the last request */
	u16 family;		/* ctfailover's id, once ctf_test_connect() ran */
	struct ctf_net *cn;	/* init_net's state: reset around every case */
	struct ctf_net *own;	/* ctfailover_core: a table in no namespace */
	struct net *net;	/* a namespace of the case's own, or NULL */
	struct nf_conn **cts;	/* entries we created, each with our reference */
	unsigned int ncts;
};

/* A backend as a request gives it: NULL, 0 or CTF_NONE leave a field out. */
struct ctf_test_be {
	const char *addr;
	const char *name;
	u32 epoch;
	s8 state;
	bool adopt;	/* CTF_BA_ADOPT with the epoch */
};

/* A backend as a reply reports it. */
struct ctf_test_be_reply {
	u8 family;
	union nf_inet_addr addr;
	bool has_name;
	char name[CTF_NAME_MAX];
	u32 epoch;
	u32 unstamped_epoch;
	u8 state;
	u64 tagged;
	u64 stale_hits;
	u64 evicted;
};

struct ctf_test_stats {
	u32 backends;
	u64 tagged;
	u64 stale_hits;
	u64 evicted;
	u64 sweeps;
	u64 untaggable;
	u64 foreign;
	u32 last_epoch;
	u64 sweep_restarts;
	u64 late;
	u8 may_be_stale;
	u8 label_word;
	u32 sweep_delay_ms;
};

/* .init and .exit of the suites; see kunit_util.c for what each resets. */
int ctf_test_init(struct kunit *test);
int ctf_test_init_net(struct kunit *test);
void ctf_test_exit(struct kunit *test);

/* Skbs, addresses and backends, made directly. */
struct sk_buff *ctf_test_skb(struct kunit *test, unsigned int room);
void ctf_test_addr(struct kunit *test, const char *s, u8 *family,
		   union nf_inet_addr *addr);
struct ctf_backend *ctf_test_backend_add(struct kunit *test,
					 struct ctf_net *cn, const char *where,
					 u32 epoch, u8 state, const char *name);
struct ctf_backend *ctf_test_backend_find(struct kunit *test,
					  struct ctf_net *cn, const char *where);
void ctf_test_backend_remove(struct kunit *test, struct ctf_net *cn,
			     struct ctf_backend *b);
void ctf_test_port_seq(u16 *ports, u16 first, u16 step, unsigned int n);
void ctf_test_nth_addr(unsigned int i, u8 *family, union nf_inet_addr *addr);
void ctf_test_add_many(struct kunit *test, struct ctf_net *cn, unsigned int n);

/* The socket: requests out, answers in. */
void ctf_test_sock_open(struct kunit *test);
u16 ctf_test_family(struct kunit *test);
void ctf_test_connect(struct kunit *test);
void ctf_test_connect_unprivileged(struct kunit *test);
struct nlmsghdr *ctf_test_req(struct kunit *test, u16 family, u8 cmd,
			      u16 flags, u16 reserved);
void ctf_test_send(struct kunit *test, struct nlmsghdr *req);
int ctf_test_recv(struct kunit *test);
struct nlmsghdr *ctf_test_xfer(struct kunit *test, struct nlmsghdr *req);
struct nlmsghdr *ctf_test_call(struct kunit *test, struct nlmsghdr *req);

/* Answers: acks, and replies parsed as strictly as requests are. */
void ctf_test_expect_ack(struct kunit *test, const struct nlmsghdr *nlh,
			 int want, const char *msg, const struct nlattr *bad);
void ctf_test_expect_reply(struct kunit *test, const struct nlmsghdr *nlh,
			   u8 cmd);
void ctf_test_reply_parse(struct kunit *test, const struct nlmsghdr *nlh,
			  u8 cmd, const struct nla_policy *policy,
			  struct nlattr **tb);
void ctf_test_expect_info(struct kunit *test, const struct nlattr *head,
			  int len);

/* Requests of the family that several suites send. */
struct nlmsghdr *ctf_test_backend_req(struct kunit *test, u8 cmd,
				      const struct ctf_test_be *be,
				      const struct nlattr **nestp);
struct nlmsghdr *ctf_test_backend_key_req(struct kunit *test, u8 cmd,
					  const char *addr,
					  const struct nlattr **nestp);
void ctf_test_be_parse(struct kunit *test, const struct nlmsghdr *nlh, u8 cmd,
		       struct ctf_test_be_reply *r);
void ctf_test_stats_get(struct kunit *test, struct ctf_test_stats *st);
struct nlmsghdr *ctf_test_config_set(struct kunit *test, int word, s64 delay);

#endif /* _CTF_TESTS_KUNIT_UTIL_H */
