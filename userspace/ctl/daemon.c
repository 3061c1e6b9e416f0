// SPDX-License-Identifier: GPL-2.0
/*
 * The commands that go through ctfailoverd's control socket: status,
 * backends, stats, plan, apply, add, remove, cycle, drain, activate,
 * probe. The daemon does the work (it owns the nft table and the epochs);
 * this side checks the shape of the request, sends it as one line, and
 * passes the answer through: "OK" output to stdout, "ERR <code>" message
 * to stderr, and the daemon's exit code as ours.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlcmd.h"
#include "model.h"

#define TIMEOUT_MS 30000 /* an apply of a big table takes a while */

static const char *socket_path(const struct ctl_opts *o)
{
	const char *env = getenv("CTFAILOVER_CONTROL");

	if (o->socket)
		return o->socket;
	return env && env[0] ? env : CTFD_DEFAULT_CONTROL;
}

static int connect_daemon(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "%s: control socket path too long: %s\n",
			ctl_prog, path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		return fd;
	fprintf(stderr, "%s: cannot reach ctfailoverd at %s: %s%s\n", ctl_prog,
		path, strerror(errno),
		errno == ENOENT || errno == ECONNREFUSED
			? " (is it running? systemctl status ctfailoverd)"
			: "");
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Send "[-j] argv..." and read the whole answer into @resp. */
static int talk(int fd, const char *req, char **resp, size_t *len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t cap = 0, off = 0, reqlen = strlen(req);
	char *buf = NULL, *nb;
	ssize_t n;

	while (off < reqlen) {
		n = write(fd, req + off, reqlen - off);
		if (n <= 0)
			return -errno;
		off += n;
	}
	off = 0;
	for (;;) {
		if (cap - off < 4096) {
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		if (poll(&pfd, 1, TIMEOUT_MS) <= 0) {
			free(buf);
			return -ETIMEDOUT;
		}
		n = read(fd, buf + off, cap - off);
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (!n)
			break;
		off += n;
	}
	if (!buf) {
		*resp = NULL;
		*len = 0;
		return -ECONNRESET;
	}
	buf[off] = '\0';
	*resp = buf;
	*len = off;
	return 0;
}

int ctl_daemon(int argc, char **argv, const struct ctl_opts *o)
{
	return ctl_daemon_to(argc, argv, o, stdout);
}

int ctl_daemon_to(int argc, char **argv, const struct ctl_opts *o, FILE *out)
{
	char req[1024], *resp = NULL, *body, err[128];
	const char *path = socket_path(o);
	const struct ctf_ctl_cmd *cmd;
	size_t len = 0, used;
	int i, fd, ret, code;

	/* A usage error needs no daemon to be one (ctlcmd.h). */
	cmd = ctf_ctl_cmd(argv[0]);
	if (cmd && ctf_ctl_cmd_check(cmd, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "%s %s: %s\n", ctl_prog, argv[0], err);
		return CTL_EXIT_USAGE;
	}
	used = snprintf(req, sizeof(req), "%s", o->json ? "-j" : "");
	for (i = 0; i < argc; i++) {
		/* Words travel space-separated: none may hold a space. */
		if (!argv[i][0] || strpbrk(argv[i], " \t\r\n")) {
			fprintf(stderr, "%s %s: bad argument '%s'\n", ctl_prog,
				argv[0], argv[i]);
			return CTL_EXIT_USAGE;
		}
		used += snprintf(req + used, sizeof(req) - used, "%s%s",
				 used ? " " : "", argv[i]);
		if (used >= sizeof(req) - 1) {
			fprintf(stderr, "%s %s: arguments too long\n", ctl_prog,
				argv[0]);
			return CTL_EXIT_USAGE;
		}
	}
	strcat(req, "\n");
	fd = connect_daemon(path);
	if (fd < 0)
		return CTL_EXIT_FAIL;
	ret = talk(fd, req, &resp, &len);
	close(fd);
	if (ret) {
		fprintf(stderr, "%s %s: no answer from ctfailoverd: %s\n",
			ctl_prog, argv[0], strerror(-ret));
		return CTL_EXIT_FAIL;
	}
	body = strchr(resp, '\n');
	if (!body) {
		fprintf(stderr, "%s %s: malformed answer from ctfailoverd\n",
			ctl_prog, argv[0]);
		free(resp);
		return CTL_EXIT_FAIL;
	}
	*body++ = '\0';
	if (!strcmp(resp, "OK") || !strcmp(resp, "ALARM") ||
	    !strcmp(resp, "REFUSED")) {
		fputs(body, out);
		code = resp[0] == 'O'	? CTL_EXIT_OK
		       : resp[0] == 'A' ? CTL_EXIT_ALARM
					: CTL_EXIT_REFUSED;
	} else if (sscanf(resp, "ERR %d", &code) == 1 && code > 0 &&
		   code <= CTL_EXIT_REFUSED && code != CTL_EXIT_ALARM) {
		fprintf(stderr, "%s %s", ctl_prog, body);
	} else {
		fprintf(stderr, "%s %s: malformed answer from ctfailoverd\n",
			ctl_prog, argv[0]);
		code = CTL_EXIT_FAIL;
	}
	free(resp);
	return code;
}
