/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HA events into actions: what an rtnetlink observation or a keepalived
 * notify_fifo line means for the backends. Pure logic over a struct
 * ctfd_watch (what was seen before) and the running state: no sockets, so
 * every rule is a unit test.
 *
 * The rules, and why:
 *
 * Neighbours. A backend address whose lladdr changes from one known value
 * to another has a new instance behind it: BUMP (without the module,
 * ctfd_act() keeps its conntrack entries: they lead to the same address,
 * where the new instance now answers). The first lladdr seen for
 * an address only teaches us what is there. Notifications that repeat the
 * lladdr (REACHABLE -> STALE -> DELAY ...) are not changes. An entry
 * without a usable lladdr (INCOMPLETE, FAILED) means "unreachable", which
 * is the prober's call, not ours: no action, and the last lladdr is kept.
 * A deleted entry keeps its last lladdr too: the kernel garbage-collects
 * entries of idle neighbours, and an instance replaced while its entry was
 * gone must still show as a change when the entry comes back. Every NUD
 * state counts, PERMANENT included: an operator or an agent rewriting a
 * static entry is moving the address to another instance. A cycle (the
 * control socket says the instance was replaced) bumps and flushes the
 * address's entries itself; the lladdr the address resolves to next is
 * then the new instance's first sight, not a second change
 * (ctfd_events_neigh_relearn()): bumped again, the flows placed since the
 * cycle would go stale in the module, whose sweep deletes those that saw
 * no packet from the provider by then (a call ringing), and a reply the
 * backend sends after that leaves un-NATed.
 *
 * Links. A backend's link is its configured ifname or, without one, the
 * link its neighbour entry was last seen on. Up is IFF_UP && IFF_RUNNING
 * (see rtnl.h: carrier counts). A link that goes down (or away) sets its
 * backends down, except those already down, whose state is someone
 * else's decision. When it comes back, the backends it took down get back
 * the state they had (active or draining), which bumps them: whatever was
 * behind a link that flapped may have changed. The first sight of a link
 * records its state and does nothing.
 *
 * VIPs. A configured VIP leaving this host means it moved away: every
 * conntrack entry here belongs to a tenure that ended, so BUMP_ALL. One
 * appearing means this host took over (the VNIC or floating address moved
 * here): TAKEOVER, which the daemon logs and counts and which evicts
 * nothing, with the module or without it. By the time it is seen, the
 * calls that moved may already be forwarded here, and their entries are
 * live. Without the module BUMP_ALL (what a loss does) deletes them at
 * once; with it, the sweep that a bump schedules deletes, after
 * sweep-delay, those that saw no packet from the provider meanwhile (a
 * call ringing: the provider sends nothing until the answer). Either way a
 * reply their backend sends after that leaves this host un-NATed. And
 * there is nothing stale to evict: the table was cleaned when this host
 * last lost the VIP (BUMP_ALL), and while it did not hold it no traffic
 * came to fill it again. What this gives up: if the daemon was not running
 * when this host lost the VIP, that tenure's entries are left to
 * conntrack's timeouts. A repeated add (IPv6 sends one on every flag or
 * lifetime change) is not a move.
 *
 * Dumps. Observations with @initial come from a dump. They record, but
 * the first sight of anything does nothing. A dump after an overrun may
 * show what a lost notification said: an lladdr, a link state or a VIP
 * that differs from what was recorded is acted on like the notification
 * would have been. Deletions leave nothing in a dump, so a resync is
 * bracketed by ctfd_events_resync_begin() and _end(), which acts on the
 * links and VIPs that were recorded but not seen again.
 *
 * Keepalived. An instance or group that enters MASTER took over: TAKEOVER,
 * like a VIP added. One that enters BACKUP, FAULT, STOP or DELETED gave the
 * VIP up: BUMP_ALL, like a VIP removed. Both on a change of state, or on its
 * first line (its state before is unknown, and keepalived writes a line on
 * every transition only). A repeat of its state, or a priority line, is
 * NONE.
 *
 * Start. Nothing: the first dump records, and keepalived's state is unknown
 * until its next line. A VIP that is not on this host at start is no proof
 * that this host carries no calls (a VIP routed to the host is DNATed
 * without being one of its addresses), and a restart must leave the data
 * plane as it was.
 */
#ifndef CTFD_EVENTS_H
#define CTFD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "model.h"
#include "rtnl.h"

enum ctfd_action_kind {
	CTFD_ACT_NONE,
	CTFD_ACT_BUMP,	    /* one backend: a new instance */
	CTFD_ACT_SET_STATE, /* one backend: a new state, and a bump */
	CTFD_ACT_BUMP_ALL,  /* every backend: the VIP left this host */
	CTFD_ACT_TAKEOVER,  /* this host gained the VIP: evict nothing */
};

enum ctfd_source {
	CTFD_SRC_NEIGH,
	CTFD_SRC_LINK,
	CTFD_SRC_ADDR,
	CTFD_SRC_KEEPALIVED,
	CTFD_SRC_CONTROL,
	CTFD_SRC_MODULE,
	CTFD_SRC_PROBE,
	__CTFD_SRC_MAX,
};

/* "neigh", "link", ...: a metrics label; "unknown" if out of range. */
const char *ctfd_source_name(enum ctfd_source src);

struct ctfd_action {
	enum ctfd_action_kind kind;
	unsigned int backend; /* index into st->backends; 0 for the others */
	uint8_t state;	      /* SET_STATE: enum ctf_backend_state */
	enum ctfd_source source;
	char cause[160]; /* one log line's worth, without the backend name */
};

/* Room enough for any one observation: a link can carry every backend. */
#define CTFD_EVENTS_MAX_ACTIONS CTFD_MAX_BACKENDS

#define CTFD_WATCH_LINKS 512
#define CTFD_WATCH_VRRP	 64
/* keepalived's names are config tokens; longer ones are cut, still keys. */
#define CTFD_VRRP_NAME	128
#define CTFD_VRRP_KIND	16
#define CTFD_VRRP_STATE 32

/* The last lladdr of a backend address (kept after the entry is deleted). */
struct ctfd_watch_neigh {
	struct ctf_addr addr; /* family 0: slot free */
	int ifindex;	      /* where it was last seen */
	uint8_t lladdr[32];
	unsigned int lladdr_len; /* 0: none seen yet */
	bool relearn;		 /* cycled: the next lladdr is a first sight */
};

struct ctfd_watch_link {
	int ifindex; /* 0: deleted, kept by name so its return is an "up" */
	char name[IF_NAMESIZE]; /* "": slot free */
	bool up;
	bool seen; /* in the resync dump under way */
};

/* A backend its link took down, by name (a backend's identity). */
struct ctfd_watch_down {
	char name[CTF_NAME_MAX]; /* "": slot free */
	uint8_t prev_state;	 /* what it gets back when the link returns */
	char link[IF_NAMESIZE];	 /* the link that took it down */
};

enum ctfd_vip_where { CTFD_VIP_UNKNOWN, CTFD_VIP_ABSENT, CTFD_VIP_HERE };

struct ctfd_watch_vip {
	struct ctf_addr addr; /* family 0: slot free */
	enum ctfd_vip_where where;
	int ifindex; /* HERE: the link it is on */
	bool seen;
};

struct ctfd_watch_vrrp {
	char kind[CTFD_VRRP_KIND]; /* "INSTANCE" or "GROUP"; "": free */
	char name[CTFD_VRRP_NAME];
	char state[CTFD_VRRP_STATE];
};

struct ctfd_watch {
	struct ctfd_watch_neigh neigh[CTFD_MAX_BACKENDS];
	struct ctfd_watch_down down[CTFD_MAX_BACKENDS];
	struct ctfd_watch_link links[CTFD_WATCH_LINKS];
	struct ctfd_watch_vip vips[CTFD_MAX_VIPS];
	struct ctfd_watch_vrrp vrrp[CTFD_WATCH_VRRP];
	unsigned int vrrp_next; /* the slot to reuse when all are taken */
	bool resync;		/* between resync_begin and _end */
};

void ctfd_watch_init(struct ctfd_watch *w);

/*
 * Judge one observation. Fills up to @max actions and returns their
 * number, or -ENOSPC when more were due than @max (the first @max are
 * filled: pass CTFD_EVENTS_MAX_ACTIONS to never lose one). @initial: the
 * observation comes from a dump (see above).
 */
int ctfd_events_classify(struct ctfd_watch *w, const struct ctfd_state *st,
			 const struct ctfd_obs *o, bool initial,
			 struct ctfd_action *acts, int max);

/*
 * The backend at @a was cycled (bumped, its neighbour entries flushed):
 * the next usable lladdr seen for @a is recorded without a bump, as a
 * first sight. Call it after the flush, so that what the kernel said
 * before is judged as before.
 */
void ctfd_events_neigh_relearn(struct ctfd_watch *w, const struct ctf_addr *a);

/*
 * Around a resync dump (after -ENOBUFS) whose observations go to
 * ctfd_events_classify() with @initial: _end() acts on the links and VIPs
 * that the dump no longer shows (their deletion was in the lost
 * notifications). At start, the same bracket lets VIPs that are not on
 * this host be known as absent. Returns like ctfd_events_classify().
 */
void ctfd_events_resync_begin(struct ctfd_watch *w);
int ctfd_events_resync_end(struct ctfd_watch *w, const struct ctfd_state *st,
			   struct ctfd_action *acts, int max);

/*
 * One notify_fifo line (without its newline), as keepalived writes them:
 *   INSTANCE "VI_1" MASTER 100
 *   GROUP "G1" BACKUP 0
 * i.e. TYPE "NAME" STATE PRIORITY, single spaces; the priority (0..255) is
 * optional here. 0 with the three words copied out; 1 for a well-formed
 * line that is not about VRRP (the "VS ..." and "RS ..." lines of the
 * checker, which share notify_fifo); -EINVAL with a message otherwise.
 */
int ctfd_keepalived_parse(const char *line, char *kind, size_t kindlen,
			  char *name, size_t namelen, char *state,
			  size_t statelen, char *err, size_t errlen);

/*
 * One line into actions (see above). Returns the number of actions (0 or
 * 1), or -EINVAL with a message for a line to log and otherwise ignore:
 * malformed, or a state keepalived does not document.
 */
int ctfd_events_keepalived(struct ctfd_watch *w, const struct ctfd_state *st,
			   const char *line, struct ctfd_action *acts, int max,
			   char *err, size_t errlen);

/*
 * Lines out of a non-blocking FIFO, whatever the reads cut them into. A
 * line longer than the buffer is thrown away whole: cut, its tail would
 * read as a line of its own and could mean something it does not.
 */
#define CTFD_LINE_MAX 512

struct ctfd_linebuf {
	char buf[CTFD_LINE_MAX];
	size_t len;
	bool discarding; /* inside an overlong line: drop up to its '\n' */
	int pending;	 /* an error for ctfd_linebuf_next() to report */
};

void ctfd_linebuf_init(struct ctfd_linebuf *lb);
/*
 * One read(2) of @fd into the buffer: the number of bytes read (1 without
 * reading when the buffer holds only complete lines), 0 at end of file (the
 * writer closed: keepalived stopped or reloads; reopen the FIFO), -EAGAIN, or
 * -errno. At end of file an unfinished line is thrown away, so a new writer's
 * first line cannot be glued to it.
 */
int ctfd_linebuf_fill(struct ctfd_linebuf *lb, int fd);
/*
 * Bytes from elsewhere (the unit tests): what fill() does with what it
 * read. Takes no more than there is room for and returns how many it took;
 * ctfd_linebuf_next() makes room.
 */
size_t ctfd_linebuf_push(struct ctfd_linebuf *lb, const char *p, size_t n);
/* As fill() does at end of file. */
void ctfd_linebuf_eof(struct ctfd_linebuf *lb);
/* Anything for ctfd_linebuf_next() but an unfinished line (or nothing). */
bool ctfd_linebuf_lines(const struct ctfd_linebuf *lb);
/*
 * The next complete line, without its '\n', into @line (@linelen >=
 * CTFD_LINE_MAX holds any): 0, -EAGAIN when no complete line is left, or
 * a line thrown away: -EMSGSIZE (longer than CTFD_LINE_MAX - 1 bytes, or
 * than @linelen - 1), -EBADMSG (a NUL byte in it), -EPIPE (unfinished
 * when the writer closed). Call until -EAGAIN.
 */
int ctfd_linebuf_next(struct ctfd_linebuf *lb, char *line, size_t linelen);

#endif /* CTFD_EVENTS_H */
