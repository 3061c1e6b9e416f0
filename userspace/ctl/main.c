// SPDX-License-Identifier: GPL-2.0
/*
 * ctfailoverctl: the command-line interface of ctfailover.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "model.h"

const char *ctl_prog = "ctfailoverctl";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, const struct ctl_opts *o);
	const char *help;
} subcommands[] = {
	{ "version", ctl_version,
	  "show the versions of this tool and of the loaded module" },
	{ "status", ctl_daemon, "the daemon: config, VIPs, ports, backends" },
	{ "backends", ctl_daemon,
	  "backends: address, state, epoch, Maglev slots" },
	{ "stats", ctl_daemon, "the daemon's counters (its metrics)" },
	{ "plan", ctl_daemon, "show what applying the config file would do" },
	{ "apply", ctl_daemon,
	  "[--force]: apply the config file (the guard refuses big removals)" },
	{ "add", ctl_daemon, "NAME ADDRESS [INTERFACE]: add a backend" },
	{ "remove", ctl_daemon, "NAME [--force]: remove a backend" },
	{ "cycle", ctl_daemon,
	  "NAME [ADDRESS]: its instance was replaced: re-steer its flows" },
	{ "drain", ctl_daemon, "NAME: no new flows; existing ones stay" },
	{ "activate", ctl_daemon, "NAME: take new flows again" },
	{ "probe", ctl_daemon, "NAME up|down: a health-probe verdict" },
	{ "probes", ctl_daemon,
	  "the health checks: each backend's probes and verdict" },
	{ "canary", ctl_canary,
	  "the daemon's pinned canary per VIP; with --to VIP, one from here\n"
	  "                [--port P --interval MS --count N --fall N --direct ADDR...];\n"
	  "                exit status 3 in alarm" },
	{ "where", ctl_daemon,
	  "ADDRESS PORT: the backend a new flow from there goes to" },
	{ "synced", ctl_synced,
	  "after conntrackd's commit: adopt the epochs the synced entries carry" },
	{ "adopt", ctl_daemon,
	  "NAME EPOCH: the instance of that epoch is behind NAME (no change)" },
	{ "flows", ctl_flows,
	  "[ADDRESS | --backend NAME]: SIP entries and the module's verdict" },
	{ "module", ctl_module,
	  "drive ctfailover.ko directly (see 'module help')" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [-j] <command> [<args>]\n\n"
		"Options:\n"
		"  -j, --json         print JSON instead of text\n"
		"  -s, --socket PATH  the daemon's control socket\n"
		"                     (default $CTFAILOVER_CONTROL or %s)\n"
		"  -h, --help         show this help\n\n"
		"Commands:\n",
		ctl_prog, CTFD_DEFAULT_CONTROL);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-12s  %s\n", subcommands[i].name,
			subcommands[i].help);
	fprintf(f,
		"\nExit status: 0 done, 1 failed, 2 usage, 3 the canary's alarm,\n"
		"4 refused by the guard (plan: it would be).\n");
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
		} else if (!strcmp(argv[0], "-s") ||
			   !strcmp(argv[0], "--socket")) {
			if (argc < 2 || !argv[1][0]) {
				fprintf(stderr,
					"%s: %s wants a path (the daemon's control socket)\n",
					ctl_prog, argv[0]);
				return CTL_EXIT_USAGE;
			}
			o.socket = argv[1];
			argc--;
			argv++;
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
