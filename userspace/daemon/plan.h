/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What applying a desired state (a config file) to the running one would
 * change, and whether it is safe to. The guard exists for the incident
 * where automation pushed a generated config that deleted the load
 * balancers' backends: a plan that takes too many active backends out of
 * service at once is refused unless forced.
 */
#ifndef CTFD_PLAN_H
#define CTFD_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"
#include "model.h"

enum ctfd_change_kind {
	CTFD_CHANGE_ADD,
	CTFD_CHANGE_REMOVE,
	CTFD_CHANGE_MODIFY,
};

/* What a CTFD_CHANGE_MODIFY changes: flags in ctfd_change.what. */
#define CTFD_CHANGE_ADDR   (1u << 0)
#define CTFD_CHANGE_IFNAME (1u << 1)
#define CTFD_CHANGE_STATE  (1u << 2)
/* Another name at the same address: the same instance, its flows stay. */
#define CTFD_CHANGE_NAME (1u << 3)

struct ctfd_change {
	enum ctfd_change_kind kind;
	struct ctfd_backend old; /* REMOVE, MODIFY; zeroed for ADD */
	struct ctfd_backend new; /* ADD, MODIFY; zeroed for REMOVE */
	unsigned int what;	 /* MODIFY: CTFD_CHANGE_* flags */
};

struct ctfd_plan {
	struct ctfd_change *changes; /* sorted by name */
	unsigned int n_changes;

	struct ctf_addr vips_added[CTFD_MAX_VIPS]; /* in desired's order */
	unsigned int n_vips_added;
	struct ctf_addr vips_removed[CTFD_MAX_VIPS]; /* in running's order */
	unsigned int n_vips_removed;

	/* The SIP port sets differ (their order does not count). */
	bool ports_changed;
	uint16_t old_ports[CTF_MAX_PORTS], new_ports[CTF_MAX_PORTS];
	unsigned int n_old_ports, n_new_ports;

	uint32_t old_table_size, new_table_size;
	uint32_t old_seed, new_seed;

	/* Slots of desired's data plane whose address is not running's. */
	unsigned int slots_moved4, slots_moved6;

	unsigned int active_before, active_after;
	/* Active in running, and removed, draining or down in desired. */
	unsigned int active_lost;
	/* Active in both, at a new address: every flow of theirs re-steered. */
	unsigned int active_moved;
	/*
	 * Slots that had a backend (both families), and of those, the ones
	 * a new table size or seed reshuffles: all of them (plan.c).
	 */
	unsigned int slots_reshuffled, slots_served;
	unsigned int guard_percent; /* the stricter of the two states' */
	/*
	 * The budget (ctfd_plan_window()): backends earlier changes within
	 * the window took out of service and that are still out; 0 without.
	 */
	unsigned int window_out, window_s;

	/* Settings only a restart changes, that differ ("control_socket,
	 * metrics.listen"): refused, --force or not (ctfd_plan_restart()). */
	char restart[96];

	/* The guard's verdict: refused, or it would have been but forced. */
	bool refused, forced;
	char reason[256]; /* "" when the guard had nothing to say */
};

/*
 * The plan from @running to @desired (their backends are expected sorted
 * by name, and need not be). A backend is its address: a remove and an
 * add at the same address are a rename (CTFD_CHANGE_NAME), whose flows
 * stay. Unless @force, the guard refuses a plan that disrupts more than
 * guard_percent of what runs, by any one of three measures:
 *   - active backends taken out of service (removed, draining, down) or
 *     moved to a new address, of those active; or all of them;
 *   - slots reshuffled (a new table size or seed: all), of those served;
 * guard_percent is the smaller of running's and desired's, so a generated
 * config cannot turn its own guard off. 0, -ENOMEM, or -EINVAL (a state
 * whose data plane cannot be built); on error @p holds nothing to free.
 * A refused plan is not an error: see p->refused.
 */
int ctfd_plan_build(const struct ctfd_state *running,
		    const struct ctfd_state *desired, bool force,
		    struct ctfd_plan *p);
/*
 * The guard's verdict on @p again, after its caller excused a measure (a
 * `cycle` declares its move: p->active_moved = 0). ctfd_plan_build() ran
 * it once.
 */
void ctfd_plan_guard(struct ctfd_plan *p, bool force);
/*
 * What earlier changes took out of service, for the guard's budget over a
 * sliding window: a backend (name and address) active before a committed
 * change and not after, with when. One that is active again under its
 * name or its address is forgotten. Kept in the daemon's memory only: a
 * restart starts the window afresh.
 */
struct ctfd_guard_log {
	struct {
		char name[CTF_NAME_MAX];
		struct ctf_addr addr;
		uint64_t at_ms;
	} e[CTFD_MAX_BACKENDS];
	unsigned int n;
};

/*
 * The guard's budget: count into @p the backends @log says earlier changes
 * took out within the last window_s seconds (the stricter, the smaller of
 * running's and @desired's) and that @desired still has out, and judge
 * again: a plan that takes some out is refused when those and its own
 * together exceed guard_percent of the backends active before them (5 ->
 * 3 -> 2 within the hour is 3 of 5). Call after ctfd_plan_build().
 */
void ctfd_plan_window(struct ctfd_plan *p, const struct ctfd_guard_log *log,
		      const struct ctfd_state *running,
		      const struct ctfd_state *desired, uint64_t now_ms,
		      bool force);
/* A change from @before to @after was committed at @now_ms: log it. */
void ctfd_guard_log_commit(struct ctfd_guard_log *log,
			   const struct ctfd_state *before,
			   const struct ctfd_state *after, uint64_t now_ms);
/* Applying @p would change nothing. */
bool ctfd_plan_empty(const struct ctfd_plan *p);
/* Safe on a zeroed plan. */
void ctfd_plan_free(struct ctfd_plan *p);

/*
 * One line per change ("+ backend sip-d 10.0.1.14 active", "~ backend
 * sip-c state active -> draining", "- vip 192.0.2.10", "~ sip_ports 5060
 * -> 5060,5080", ...), then "slots moved: ..." and "guard: ok", "guard:
 * REFUSED: <reason>" or "guard: FORCED: <reason>". "no changes" alone if
 * there are none.
 */
void ctfd_plan_print(FILE *f, const struct ctfd_plan *p);
/* The same as the object member @key (NULL at the top or in an array). */
void ctfd_plan_json(struct ctf_json *j, const char *key,
		    const struct ctfd_plan *p);

/*
 * The settings the running daemon cannot change live (its control socket,
 * its metrics listener, the keepalived fifo) differ between @running and
 * @desired: name them in p->restart and refuse the plan, --force or not,
 * saying that they need a restart. For reloads (plan, apply, SIGHUP).
 */
void ctfd_plan_restart(const struct ctfd_state *running,
		       const struct ctfd_state *desired, struct ctfd_plan *p);

#endif /* CTFD_PLAN_H */
