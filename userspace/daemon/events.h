/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HA events into actions: rtnetlink observations and keepalived's
 * notify_fifo lines, judged against what was seen before (struct
 * ctfd_watch) and the running state, without I/O. The rules and their
 * reasons: docs/architecture.md, "HA events into actions".
 */
#ifndef CTFD_EVENTS_H
#define CTFD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "epoch.h"
#include "model.h"
#include "rtnl.h"

enum ctfd_action_kind {
	CTFD_ACT_NONE,
	CTFD_ACT_BUMP,	    /* one backend: a new instance */
	CTFD_ACT_SET_STATE, /* one backend: a new state, and a bump */
	CTFD_ACT_EVICT_ALL, /* every backend: the VIP left this host */
	CTFD_ACT_TAKEOVER,  /* this host gained the VIP */
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
	/* BUMP: what names the new instance (epoch.h); "" for "after". */
	char token[CTFD_TOKEN_MAX];
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
/* Whether VIP @a is on a link of this host, as rtnetlink last said. */
enum ctfd_vip_where ctfd_watch_vip_where(const struct ctfd_watch *w,
					 const struct ctf_addr *a);

/*
 * Judge one observation (@initial: from a dump) into at most @max actions:
 * their number, or -ENOSPC when more were due (the first @max are filled;
 * CTFD_EVENTS_MAX_ACTIONS always suffices).
 */
int ctfd_events_classify(struct ctfd_watch *w, const struct ctfd_state *st,
			 const struct ctfd_obs *o, bool initial,
			 struct ctfd_action *acts, int max);

/* After @a's cycle and neighbour flush: its next lladdr is a first sight. */
void ctfd_events_neigh_relearn(struct ctfd_watch *w, const struct ctf_addr *a);

/*
 * Around a dump whose observations go to ctfd_events_classify() with
 * @initial: _end() acts on the links and VIPs that it no longer shows (at
 * start: VIPs not here become known absent); returns like classify().
 */
void ctfd_events_resync_begin(struct ctfd_watch *w);
int ctfd_events_resync_end(struct ctfd_watch *w, const struct ctfd_state *st,
			   struct ctfd_action *acts, int max);

/*
 * One notify_fifo line without its newline, TYPE "NAME" STATE [PRIORITY]
 * (INSTANCE "VI_1" MASTER 100): 0 with the three words copied out, 1 for
 * a checker's line ("VS ...", "RS ..."), or -EINVAL with a message.
 */
int ctfd_keepalived_parse(const char *line, char *kind, size_t kindlen,
			  char *name, size_t namelen, char *state,
			  size_t statelen, char *err, size_t errlen);

/*
 * One notify_fifo line into actions: their number (0 or 1), or, with a
 * message for the log, -ENOENT (an instance not in keepalived.instances)
 * or -EINVAL (malformed, or a state keepalived does not document).
 */
int ctfd_events_keepalived(struct ctfd_watch *w, const struct ctfd_state *st,
			   const char *line, struct ctfd_action *acts, int max,
			   char *err, size_t errlen);

/* Lines out of a non-blocking FIFO; one longer than this is dropped whole. */
#define CTFD_LINE_MAX 512

struct ctfd_linebuf {
	char buf[CTFD_LINE_MAX];
	size_t len;
	bool discarding; /* inside an overlong line: drop up to its '\n' */
	int pending;	 /* an error for ctfd_linebuf_next() to report */
};

void ctfd_linebuf_init(struct ctfd_linebuf *lb);
/*
 * One read(2) of @fd: the bytes read (1 without reading when only complete
 * lines are buffered), 0 at end of file (an unfinished line is dropped),
 * -EAGAIN, or -errno.
 */
int ctfd_linebuf_fill(struct ctfd_linebuf *lb, int fd);
/* What fill() does with @n bytes it read, as room allows: how many taken. */
size_t ctfd_linebuf_push(struct ctfd_linebuf *lb, const char *p, size_t n);
/* As fill() does at end of file. */
void ctfd_linebuf_eof(struct ctfd_linebuf *lb);
/* Anything for ctfd_linebuf_next() but an unfinished line. */
bool ctfd_linebuf_lines(const struct ctfd_linebuf *lb);
/*
 * The next line into @line without its '\n': 0, -EAGAIN (none left), or a
 * line dropped: -EMSGSIZE (over CTFD_LINE_MAX - 1 or @linelen - 1 bytes),
 * -EBADMSG (a NUL in it), -EPIPE (unfinished at end of file).
 */
int ctfd_linebuf_next(struct ctfd_linebuf *lb, char *line, size_t linelen);

#endif /* CTFD_EVENTS_H */
