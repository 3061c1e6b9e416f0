// SPDX-License-Identifier: GPL-2.0
/*
 * `ctfailoverctl version`: this tool's version, and the loaded module's
 * version and netlink protocol version as reported by CTF_CMD_GET_INFO.
 * Fails (exit 1) when the module is not loaded or speaks another protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "genl.h"
#include "json.h"
#include "uapi/ctfailover.h"

int ctl_version(int argc, char **argv, const struct ctl_opts *o)
{
	struct ctf_genl g;
	struct ctf_info info;
	int ret;

	if (argc > 1) {
		fprintf(stderr, "%s version: unexpected argument '%s'\n",
			ctl_prog, argv[1]);
		return CTL_EXIT_USAGE;
	}

	if (!o->json)
		printf("%s %s (genl protocol %d)\n", ctl_prog,
		       CTFAILOVER_VERSION, CTFAILOVER_GENL_VERSION);

	ret = ctf_genl_open(&g);
	if (ret == -ENOENT) {
		fprintf(stderr,
			"%s: generic netlink family \"%s\" not found: "
			"ctfailover.ko is not loaded (modprobe ctfailover)\n",
			ctl_prog, CTFAILOVER_GENL_NAME);
		return CTL_EXIT_FAIL;
	}
	if (ret) {
		fprintf(stderr,
			"%s: cannot open generic netlink family \"%s\": %s\n",
			ctl_prog, CTFAILOVER_GENL_NAME, strerror(-ret));
		return CTL_EXIT_FAIL;
	}
	ret = ctf_genl_get_info(&g, &info);
	ctf_genl_close(&g);
	if (ret) {
		fprintf(stderr, "%s: CTF_CMD_GET_INFO failed: %s%s%s\n",
			ctl_prog, strerror(-ret), g.errmsg[0] ? ": " : "",
			g.errmsg);
		return CTL_EXIT_FAIL;
	}

	if (o->json) {
		printf("{\"ctfailoverctl\":");
		ctf_json_str(stdout, CTFAILOVER_VERSION);
		printf(",\"genl_version\":%d,\"module\":{\"version\":",
		       CTFAILOVER_GENL_VERSION);
		ctf_json_str(stdout, info.version);
		printf(",\"genl_version\":%u}}\n", info.genl_version);
	} else {
		printf("ctfailover.ko %s (genl protocol %u)\n", info.version,
		       info.genl_version);
	}
	if (info.genl_version != CTFAILOVER_GENL_VERSION) {
		fprintf(stderr,
			"%s: module speaks genl protocol %u, this tool %d: "
			"install matching versions\n",
			ctl_prog, info.genl_version, CTFAILOVER_GENL_VERSION);
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}
