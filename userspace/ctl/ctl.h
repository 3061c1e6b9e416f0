/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailoverctl: one file per subcommand, dispatched from main.c.
 *
 * Exit codes (documented in README.md):
 *   0  success
 *   1  the operation failed (module not loaded, kernel refused, daemon down)
 *   2  usage error (unknown command, bad argument)
 */
#ifndef CTF_CTL_H
#define CTF_CTL_H

#include <stdbool.h>

#define CTL_EXIT_OK    0
#define CTL_EXIT_FAIL  1
#define CTL_EXIT_USAGE 2

struct ctl_opts {
	bool json; /* -j: machine-readable output */
};

extern const char *ctl_prog;

int ctl_version(int argc, char **argv, const struct ctl_opts *o);

#endif /* CTF_CTL_H */
