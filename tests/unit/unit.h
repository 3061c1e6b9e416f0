/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit-test harness for the userspace code. Each test binary lists
 * its cases with UNIT_TEST(); main() in unit.c runs them all and reports
 * each as "PASS: unit/<suite>/<case>" (or FAIL), appending "STATUS NAME" to
 * $CTF_RESULTS like tests/lib/results.sh does, so tests/check counts them.
 */
#ifndef CTF_UNIT_H
#define CTF_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

extern const char *unit_suite;
extern const struct unit_case unit_cases[];
extern int unit_failed; /* set by the CHECK macros for the running case */

#define UNIT_SUITE(name) const char *unit_suite = name

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond)) {                                         \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", \
				__FILE__, __LINE__, #cond);            \
			unit_failed = 1;                               \
			return;                                        \
		}                                                      \
	} while (0)

#define CHECK_INT(a, b)                                                       \
	do {                                                                  \
		long long _a = (a), _b = (b);                                 \
		if (_a != _b) {                                               \
			fprintf(stderr,                                       \
				"  %s:%d: %s == %lld, expected %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b);          \
			unit_failed = 1;                                      \
			return;                                               \
		}                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                     \
	do {                                                                \
		const char *_a = (a), *_b = (b);                            \
		if (strcmp(_a, _b)) {                                       \
			fprintf(stderr,                                     \
				"  %s:%d: %s == \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a, _a, _b);            \
			unit_failed = 1;                                    \
			return;                                             \
		}                                                           \
	} while (0)

#endif /* CTF_UNIT_H */
