// SPDX-License-Identifier: GPL-2.0
/* The control socket's commands: ctlcmd.h. */
#include <stdio.h>
#include <string.h>

#include "ctlcmd.h"

static const struct ctf_ctl_cmd cmds[] = {
	{ "status", 0, 0, "", NULL, 0 },
	{ "backends", 0, 0, "", NULL, 0 },
	{ "stats", 0, 0, "", NULL, 0 },
	{ "probes", 0, 0, "", NULL, 0 },
	{ "canary", 0, 0, "", NULL, 0 },
	{ "plan", 0, 0, "", NULL, 0 },
	{ "apply", 0, 1, "[--force]", "--force", 1 },
	{ "add", 2, 3, "NAME ADDRESS [INTERFACE]", NULL, 0 },
	{ "remove", 1, 2, "NAME [--force]", "--force", 2 },
	{ "drain", 1, 1, "NAME", NULL, 0 },
	{ "activate", 1, 1, "NAME", NULL, 0 },
	{ "probe", 2, 2, "NAME up|down", "up|down", 2 },
	{ "cycle", 1, 2, "NAME [ADDRESS]", NULL, 0 },
	{ "adopt", 2, 2, "NAME EPOCH", NULL, 0 },
	{ "where", 2, 2, "ADDRESS PORT", NULL, 0 },
};

const struct ctf_ctl_cmd *ctf_ctl_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* Is @w one of the "|"-separated @words? */
static int one_of(const char *w, const char *words)
{
	size_t n = strlen(w);
	const char *p = words;

	while (*p) {
		if (!strncmp(p, w, n) && (p[n] == '|' || !p[n]))
			return 1;
		p = strchr(p, '|');
		if (!p)
			break;
		p++;
	}
	return 0;
}

int ctf_ctl_cmd_check(const struct ctf_ctl_cmd *c, int argc, char **argv,
		      char *err, size_t errlen)
{
	unsigned int n = argc > 0 ? (unsigned int)argc - 1 : 0;

	if (n < c->min || n > c->max) {
		snprintf(err, errlen, "usage: %s%s%s", c->name,
			 c->args[0] ? " " : "", c->args);
		return -1;
	}
	if (c->last_at && n >= c->last_at &&
	    !one_of(argv[c->last_at], c->last_words)) {
		snprintf(err, errlen, "'%s' is not %s (usage: %s %s)",
			 argv[c->last_at], c->last_words, c->name, c->args);
		return -1;
	}
	return 0;
}
