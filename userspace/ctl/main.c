// SPDX-License-Identifier: GPL-2.0
/*
 * ctfailoverctl: the command-line interface of ctfailover.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

const char *ctl_prog = "ctfailoverctl";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, const struct ctl_opts *o);
	const char *help;
} subcommands[] = {
	{ "version", ctl_version,
	  "show the versions of this tool and of the loaded module" },
	{ "module", ctl_module,
	  "drive ctfailover.ko directly (see 'module help')" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [-j] <command> [<args>]\n\n"
		"Options:\n"
		"  -j, --json    print JSON instead of text\n"
		"  -h, --help    show this help\n\n"
		"Commands:\n",
		ctl_prog);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-12s  %s\n", subcommands[i].name,
			subcommands[i].help);
}

int main(int argc, char **argv)
{
	struct ctl_opts o = { 0 };
	size_t i;

	argc--;
	argv++;
	while (argc && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-j") || !strcmp(argv[0], "--json")) {
			o.json = true;
		} else if (!strcmp(argv[0], "-h") ||
			   !strcmp(argv[0], "--help")) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", ctl_prog,
				argv[0]);
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (!argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[0], subcommands[i].name))
			return subcommands[i].fn(argc, argv, &o);

	fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n",
		ctl_prog, argv[0], ctl_prog);
	return CTL_EXIT_USAGE;
}
