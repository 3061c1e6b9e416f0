// SPDX-License-Identifier: GPL-2.0
/* Runner for the cases a test binary lists in unit_cases[] (NULL-ended). */
#include <stdlib.h>

#include "unit.h"

int unit_failed;

/* $CTF_UNIT_LAYER: "unit", or "unit-asan" for the sanitizer build. */
static void report(const char *status, const char *name)
{
	const char *path = getenv("CTF_RESULTS");
	const char *layer = getenv("CTF_UNIT_LAYER");
	FILE *f;

	if (!layer || !*layer)
		layer = "unit";
	printf("%s: %s/%s/%s\n", status, layer, unit_suite, name);
	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f) {
		perror(path);
		exit(2);
	}
	fprintf(f, "%s %s/%s/%s\n", status, layer, unit_suite, name);
	fclose(f);
}

int main(void)
{
	const struct unit_case *c;
	int failures = 0;

	for (c = unit_cases; c->name; c++) {
		unit_failed = 0;
		c->fn();
		report(unit_failed ? "FAIL" : "PASS", c->name);
		failures += unit_failed;
	}
	return failures ? 1 : 0;
}
