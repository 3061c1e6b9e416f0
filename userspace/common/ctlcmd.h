/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's commands and the words each takes: one table for
 * ctfailoverctl, which refuses a usage error before it needs the daemon
 * (exit status 2, whether the daemon runs or not), and for ctfailoverd,
 * which refuses the same for any client.
 */
#ifndef CTF_CTLCMD_H
#define CTF_CTLCMD_H

#include <stddef.h>

struct ctf_ctl_cmd {
	const char *name;
	unsigned int min, max; /* arguments after the command */
	const char *args;      /* "NAME [--force]": for the usage line */
	/* The last argument, when it is one of a few words: "|"-separated. */
	const char *last_words;
	unsigned int last_at; /* its position (1-based); 0: none */
};

/* The command @name, or NULL. */
const struct ctf_ctl_cmd *ctf_ctl_cmd(const char *name);
/*
 * Do @argv[1..argc) fit @c? 0, or -1 with "usage: NAME ARGS" (or what is
 * wrong) in @err.
 */
int ctf_ctl_cmd_check(const struct ctf_ctl_cmd *c, int argc, char **argv,
		      char *err, size_t errlen);

#endif /* CTF_CTLCMD_H */
