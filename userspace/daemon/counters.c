// SPDX-License-Identifier: GPL-2.0
/*
 * The counters' table (counters.h). Metric names, labels, keys and help
 * texts are an interface: dashboards, prometheus/ctfailover.rules.yml and
 * the tests read them.
 */
#include <string.h>

#include "counters.h"

/* Where a series' value is, and whether it is in seconds. */
#define U64(field)     offsetof(struct ctfd_counters, field), false
#define SECONDS(field) offsetof(struct ctfd_counters, field), true

const struct ctfd_counter_def ctfd_counter_defs[] = {
	{ "ctfailover_takeovers_total", NULL, "takeovers",
	  "This host gained a VIP (keepalived MASTER, VIP added): nothing evicted, its entries are live.",
	  U64(takeovers) },
	{ "ctfailover_vip_losses_total", NULL, "vip_losses",
	  "This host lost a VIP (keepalived BACKUP, FAULT, STOP, DELETED, VIP removed): every backend's entries evicted, epochs kept.",
	  U64(vip_losses) },
	{ "ctfailover_keepalived_fifo_replaced_total", NULL, NULL,
	  "Times the keepalived FIFO was made again under the daemon (keepalived must reopen it).",
	  U64(fifo_replaced) },
	{ "ctfailover_epoch_bumps_total", NULL, "bumps", "Epoch bumps.",
	  U64(bumps) },
	{ "ctfailover_epoch_adoptions_total", NULL, "adoptions",
	  "Epochs adopted from entries synced from a peer (ctfailoverctl synced): this host or the peer had missed a change.",
	  U64(adoptions) },
	{ "ctfailover_applies_total", "outcome=\"ok\"", "applies_ok",
	  "Data-plane changes by outcome.", U64(applies[CTFD_OK]) },
	{ "ctfailover_applies_total", "outcome=\"refused\"", "applies_refused",
	  NULL, U64(applies[CTFD_REFUSED]) },
	{ "ctfailover_applies_total", "outcome=\"failed\"", "applies_failed",
	  NULL, U64(applies[CTFD_FAILED]) },
	{ "ctfailover_evictions_total", "by=\"ctnetlink\"", "ct_evicted",
	  "Conntrack entries evicted, by who evicted them.", U64(ct_evicted) },
	{ "ctfailover_evictions_total", "by=\"module\"", "module_swept", NULL,
	  U64(kmod_swept) },
	{ "ctfailover_stale_hits_total", NULL, "module_stale_hits",
	  "Packets that met a stale entry and were re-steered (module).",
	  U64(kmod_stale_seen) },
	{ "ctfailover_resyncs_total", NULL, "resyncs",
	  "Full resyncs after netlink overruns (ENOBUFS).", U64(resyncs) },
	{ "ctfailover_module_errors_total", NULL, "module_errors",
	  "Module requests that failed.", U64(kmod_errors) },
	{ "ctfailover_ignored_input_total", NULL, "ignored_input",
	  "Malformed fifo lines and control requests.", U64(ignored_input) },
	{ "ctfailover_nft_commits_total", NULL, "nft_commits",
	  "nft batches committed.", U64(nft_commits) },
	{ "ctfailover_neigh_flushed_total", NULL, "neigh_flushed",
	  "Neighbour entries of cycled backends deleted, to be resolved afresh.",
	  U64(neigh_flushed) },
	{ "ctfailover_neigh_flush_errors_total", NULL, "neigh_flush_errors",
	  "Neighbour flushes of cycled backends that failed.",
	  U64(neigh_errors) },
	{ "ctfailover_nft_last_commit_seconds", NULL, NULL,
	  "Duration of the last nft batch.", SECONDS(nft_commit_seconds) },
	{ "ctfailover_last_event_seconds", NULL, NULL,
	  "From reading the last acted-on HA event to its changes done.",
	  SECONDS(event_seconds) },
	{ "ctfailover_last_event_timestamp_seconds", NULL, NULL,
	  "When the last acted-on HA event's changes were done (Unix time).",
	  SECONDS(event_done) },
};

const size_t ctfd_n_counter_defs =
	sizeof(ctfd_counter_defs) / sizeof(ctfd_counter_defs[0]);

uint64_t ctfd_counter_u64(const struct ctfd_counters *c,
			  const struct ctfd_counter_def *def)
{
	uint64_t v;

	memcpy(&v, (const char *)c + def->off, sizeof(v));
	return v;
}

double ctfd_counter_seconds(const struct ctfd_counters *c,
			    const struct ctfd_counter_def *def)
{
	double v;

	memcpy(&v, (const char *)c + def->off, sizeof(v));
	return v;
}
