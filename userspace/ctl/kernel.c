// SPDX-License-Identifier: GPL-2.0
/*
 * What every command that talks to ctfailover.ko shares: opening the
 * family, and saying the same thing the same way when that fails or the
 * kernel refuses a request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"
#include "uapi/ctfailover.h"

int ctl_open(struct ctf_genl *g)
{
	int ret = ctf_genl_open(g);

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
	return CTL_EXIT_OK;
}

int ctl_check_protocol(uint32_t genl_version)
{
	if (genl_version == CTFAILOVER_GENL_VERSION)
		return CTL_EXIT_OK;
	fprintf(stderr,
		"%s: module speaks genl protocol %u, this tool %d: "
		"install matching versions\n",
		ctl_prog, genl_version, CTFAILOVER_GENL_VERSION);
	return CTL_EXIT_FAIL;
}

int ctl_kernel_error(const char *who, const char *cmd, int err,
		     const struct ctf_genl *g)
{
	const char *why = strerror(-err);

	/* Our own verdicts on a reply, not the kernel's: say so. */
	if (err == -EBADMSG)
		why = "the module's reply breaks the netlink contract";
	else if (err == -ENODATA)
		why = "the module sent no reply";
	fprintf(stderr, "%s %s: %s failed: %s%s%s\n", ctl_prog, who, cmd, why,
		g->errmsg[0] ? ": " : "", g->errmsg);
	return CTL_EXIT_FAIL;
}

int ctl_conntrack_walk(const char *who, ctf_ct_cb cb, void *data)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char msg[256];
	struct ctf_nl nl;
	char *rx;
	size_t i;
	int ret;

	rx = malloc(CTF_CT_RXBUF);
	ret = rx ? ctf_ct_open(&nl) : -ENOMEM;
	if (ret) {
		fprintf(stderr, "%s %s: conntrack netlink socket: %s\n",
			ctl_prog, who, strerror(-ret));
		free(rx);
		return CTL_EXIT_FAIL;
	}
	for (i = 0; !ret && i < sizeof(families) / sizeof(families[0]); i++) {
		ret = ctf_ct_dump(&nl, families[i], rx, cb, data, msg,
				  sizeof(msg));
		if (ret)
			fprintf(stderr,
				"%s %s: conntrack dump (%s) failed: %s%s%s\n",
				ctl_prog, who,
				families[i] == AF_INET ? "IPv4" : "IPv6",
				ret == -EBADMSG ? "an entry breaks the format"
						: strerror(-ret),
				msg[0] ? ": " : "", msg);
	}
	ctf_nl_close(&nl);
	free(rx);
	return ret ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}
