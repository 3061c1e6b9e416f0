// SPDX-License-Identifier: GPL-2.0
/*
 * `ctfailoverctl version`: this tool's version, and the loaded module's
 * version and netlink protocol version as reported by CTF_CMD_GET_INFO.
 * Fails (exit 1) when the module is not loaded or speaks another protocol.
 */
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

	ret = ctl_open(&g);
	if (ret)
		return ret;
	ret = ctf_genl_get_info(&g, &info);
	ctf_genl_close(&g);
	if (ret)
		return ctl_kernel_error("version", "CTF_CMD_GET_INFO", ret, &g);

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
	return ctl_check_protocol(info.genl_version);
}
