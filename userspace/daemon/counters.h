/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's counters (struct ctfd_counters, daemon.h) in one table:
 * each series' field, its Prometheus metric (metrics.c) and its key in
 * `ctfailoverctl -j stats` (control.c). The events by source are not in
 * it: they are an array, named by ctfd_source_name().
 */
#ifndef CTFD_COUNTERS_H
#define CTFD_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

struct ctfd_counter_def {
	const char *metric; /* the family's name */
	const char *labels; /* the series' labels, as inside {}, or NULL */
	const char *json;   /* its key in stats -j, or NULL: not there */
	const char *help;   /* on a family's first series, else NULL */
	size_t off;	    /* in struct ctfd_counters */
	bool seconds;	    /* a double gauge (%.6f), else a uint64_t counter */
};

/* In the order the metrics show them. */
extern const struct ctfd_counter_def ctfd_counter_defs[];
extern const size_t ctfd_n_counter_defs;

uint64_t ctfd_counter_u64(const struct ctfd_counters *c,
			  const struct ctfd_counter_def *def);
double ctfd_counter_seconds(const struct ctfd_counters *c,
			    const struct ctfd_counter_def *def);

#endif /* CTFD_COUNTERS_H */
