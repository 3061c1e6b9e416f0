// SPDX-License-Identifier: GPL-2.0
/*
 * The two things every part of the daemon does with a state's backends:
 * keep them sorted by name, and find one by name.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static int cmp_backend(const void *a, const void *b)
{
	return strcmp(((const struct ctfd_backend *)a)->name,
		      ((const struct ctfd_backend *)b)->name);
}

void ctfd_sort_backends(struct ctfd_state *st)
{
	qsort(st->backends, st->n_backends, sizeof(st->backends[0]),
	      cmp_backend);
}

int ctfd_backend_index(const struct ctfd_state *st, const char *name)
{
	unsigned int i;

	for (i = 0; i < st->n_backends; i++)
		if (!strcmp(st->backends[i].name, name))
			return i;
	return -1;
}
