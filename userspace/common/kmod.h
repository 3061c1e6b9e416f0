/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving ctfailover.ko: one function per command of the netlink contract
 * (kmod/uapi/ctfailover.h), used by ctfailoverctl's `module` commands and
 * by the daemon.
 *
 * Every function returns 0 or a negative errno. A kernel refusal is its
 * errno, with the extack message in g->errmsg; a reply that breaks the
 * contract (an attribute of the wrong size, a required one missing, a
 * value out of range) is -EBADMSG; a reply that never came is -ENODATA.
 * Attributes unknown to this version come from a newer module and are
 * skipped.
 */
#ifndef CTF_KMOD_H
#define CTF_KMOD_H

#include <stdint.h>

#include "genl.h"
#include "parse.h"
#include "uapi/ctfailover.h"

/* Which attributes of a backend are set (requests) or were sent (replies). */
#define CTF_BF_NAME	  (1U << 0)
#define CTF_BF_EPOCH	  (1U << 1)
#define CTF_BF_STATE	  (1U << 2)
#define CTF_BF_TAGGED	  (1U << 3)
#define CTF_BF_STALE_HITS (1U << 4)
#define CTF_BF_EVICTED	  (1U << 5)
#define CTF_BF_UNSTAMPED  (1U << 6)
/* Request only: CTF_BA_ADOPT, the epoch set without a change (uapi). */
#define CTF_BF_ADOPT (1U << 7)
/* What a request may set besides the address. */
#define CTF_BF_SETTABLE \
	(CTF_BF_NAME | CTF_BF_EPOCH | CTF_BF_STATE | CTF_BF_ADOPT)
/* What every reply about a backend carries besides the address. */
#define CTF_BF_REPLY                                                       \
	(CTF_BF_EPOCH | CTF_BF_STATE | CTF_BF_TAGGED | CTF_BF_STALE_HITS | \
	 CTF_BF_EVICTED)

struct ctf_backend {
	struct ctf_addr addr;
	char name[CTF_NAME_MAX]; /* "" when it has none */
	uint32_t epoch;
	uint32_t unstamped_epoch; /* entries without a stamp belong to it */
	uint32_t alias_epoch;	  /* an adoption replaced it: current too; 0 */
	uint8_t state;		  /* enum ctf_backend_state */
	uint64_t tagged, stale_hits, evicted;
	unsigned int fields; /* CTF_BF_*: what the kernel sent */
};

struct ctf_ports {
	uint16_t port[CTF_MAX_PORTS]; /* in the module's order */
	unsigned int n;
};

struct ctf_evict {
	uint64_t scanned, evicted, usec;
};

struct ctf_stats {
	uint32_t backends;
	uint64_t tagged, stale_hits, evicted, sweeps, untaggable;
	uint64_t foreign;	 /* 0 from a module that does not count them */
	uint32_t last_epoch;	 /* likewise */
	uint64_t sweep_restarts; /* likewise */
	uint64_t late;		 /* likewise */
	int may_be_stale;	 /* 0, 1, or -1 from a module without it */
	uint8_t label_word;
	uint32_t sweep_delay_ms;
};

/* What CTF_CMD_CONFIG_SET changes: the fields named by @fields. */
#define CTF_CF_LABEL_WORD  (1U << 0)
#define CTF_CF_SWEEP_DELAY (1U << 1)

struct ctf_config {
	uint8_t label_word;	 /* 0..3 */
	uint32_t sweep_delay_ms; /* 0..CTF_MAX_SWEEP_DELAY_MS */
	unsigned int fields;	 /* CTF_CF_* */
};

/* A notification of the events group. */
struct ctf_event {
	uint8_t cmd; /* CTF_CMD_EVENT_EVICTED or CTF_CMD_EVENT_STALE */
	struct ctf_evict evict; /* EVICTED */
	/*
	 * STALE: the backend of the stale entry. Only its address is sure to
	 * be there: the backend may be gone.
	 */
	struct ctf_backend backend;
	uint32_t stale_epoch; /* STALE: the entry's stamp */
};

/*
 * CTF_CMD_BACKEND_SET: create or update the backend at b->addr, setting
 * the attributes named by @fields (CTF_BF_SETTABLE). The backend as the
 * module now has it goes into @out, if not NULL.
 */
int ctf_kmod_backend_set(struct ctf_genl *g, const struct ctf_backend *b,
			 unsigned int fields, struct ctf_backend *out);
/* CTF_CMD_BACKEND_GET (doit): the backend at @addr. */
int ctf_kmod_backend_get(struct ctf_genl *g, const struct ctf_addr *addr,
			 struct ctf_backend *out);

/*
 * CTF_CMD_BACKEND_GET (dump): @cb for every backend; a non-zero return
 * from @cb stops the calls and is returned once the dump is drained.
 * -EINTR: the table changed during the dump (NLM_F_DUMP_INTR), so what
 * @cb saw may be inconsistent: start again.
 */
typedef int (*ctf_kmod_backend_cb)(const struct ctf_backend *b, void *data);
int ctf_kmod_backend_dump(struct ctf_genl *g, ctf_kmod_backend_cb cb,
			  void *data);

/* CTF_CMD_BACKEND_DEL */
int ctf_kmod_backend_del(struct ctf_genl *g, const struct ctf_addr *addr);
/* CTF_CMD_BACKEND_BUMP: a new epoch; the backend into @out, if not NULL. */
int ctf_kmod_bump(struct ctf_genl *g, const struct ctf_addr *addr,
		  struct ctf_backend *out);
/*
 * Every backend of the namespace a new epoch, one grace period for all;
 * -EOPNOTSUPP from a module older than the command. A dump shows the new
 * epochs.
 */
int ctf_kmod_bump_all(struct ctf_genl *g);

/* CTF_CMD_PORTS_SET: replace the SIP port set (1..CTF_MAX_PORTS ports). */
int ctf_kmod_ports_set(struct ctf_genl *g, const uint16_t *ports,
		       unsigned int n);
/* CTF_CMD_PORTS_GET */
int ctf_kmod_ports_get(struct ctf_genl *g, struct ctf_ports *p);

/*
 * CTF_CMD_EVICT: a synchronous sweep, and what it did; @all: of every
 * backend's entries (CTF_A_EVICT_ALL), not only the changed ones'.
 */
int ctf_kmod_evict(struct ctf_genl *g, bool all, struct ctf_evict *ev);
/* CTF_CMD_STATS_GET */
int ctf_kmod_stats(struct ctf_genl *g, struct ctf_stats *st);
/*
 * CTF_CMD_CONFIG_SET: the label word (only while no backend exists)
 * and/or the sweep delay.
 */
int ctf_kmod_config_set(struct ctf_genl *g, const struct ctf_config *c);

/*
 * Join the events group on @g's socket (CAP_NET_ADMIN). Give events a
 * socket of their own: requests on it would skip them (see genl.h).
 * -EOPNOTSUPP if the module has no events group.
 */
int ctf_kmod_events_join(struct ctf_genl *g);
/*
 * Read what one recvmsg() brings and run @cb on every event of the
 * family; the socket is non-blocking after ctf_kmod_events_join(), so
 * poll its fd first. Returns the number of events, -EAGAIN if there was
 * nothing, -ENOBUFS if the kernel dropped events (the socket overran:
 * resync), -EBADMSG if an event broke the contract (the others are still
 * delivered), or the first non-zero return of @cb.
 */
typedef int (*ctf_kmod_event_cb)(const struct ctf_event *ev, void *data);
int ctf_kmod_events_read(struct ctf_genl *g, ctf_kmod_event_cb cb, void *data);

/* Message builders, exposed for the tests. */
void ctf_kmod_put_backend(struct nlmsghdr *nlh, const struct ctf_backend *b,
			  unsigned int fields);
void ctf_kmod_put_ports(struct nlmsghdr *nlh, const uint16_t *ports,
			unsigned int n);
void ctf_kmod_put_config(struct nlmsghdr *nlh, const struct ctf_config *c);

/*
 * Parsers, separate from the socket so the unit tests can feed them.
 * ctf_kmod_parse_backend() requires only the address; b->fields says what
 * else was there. The *_msg parsers take a whole generic netlink message.
 */
int ctf_kmod_parse_backend(const struct nlattr *nest, struct ctf_backend *b);
/* A reply about one backend: CTF_A_BACKEND with every CTF_BF_REPLY field. */
int ctf_kmod_parse_backend_msg(const struct nlmsghdr *nlh,
			       struct ctf_backend *b);
int ctf_kmod_parse_ports(const struct nlattr *nest, struct ctf_ports *p);
int ctf_kmod_parse_ports_msg(const struct nlmsghdr *nlh, struct ctf_ports *p);
int ctf_kmod_parse_evict(const struct nlattr *nest, struct ctf_evict *ev);
int ctf_kmod_parse_evict_msg(const struct nlmsghdr *nlh, struct ctf_evict *ev);
/* CTF_A_STATS, CTF_A_LABEL_WORD and CTF_A_SWEEP_DELAY_MS. */
int ctf_kmod_parse_stats(const struct nlmsghdr *nlh, struct ctf_stats *st);
/* -EOPNOTSUPP for a command that is not a known event (a newer module). */
int ctf_kmod_parse_event(const struct nlmsghdr *nlh, struct ctf_event *ev);

#endif /* CTF_KMOD_H */
