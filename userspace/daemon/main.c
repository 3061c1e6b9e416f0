// SPDX-License-Identifier: GPL-2.0
/*
 * ctfailoverd: keeps `table inet ctfailover` and ctfailover.ko in step with
 * the config and with what happens to the backends and the VIPs.
 *
 * Exit codes: 0 clean stop (or --check ok), 1 could not start (bad config,
 * guard refusal, netlink failure), 2 usage. Stopping, or dying, leaves the
 * data plane as it is: the rules and epochs keep working without us.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "prober.h"
#include "kmod.h"
#include "maglev.h"
#include "nft.h"
#include "rtnl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ctfailoverd [options]\n\n"
		"  -c, --config FILE   the config (default %s; - for stdin with --check)\n"
		"      --check         validate the config and exit; touches nothing\n"
		"      --print-nft     print the table the config gives, as nft -f input\n"
		"      --force         start even if the guard refuses the change\n"
		"      --no-module     evict with ctnetlink even if ctfailover.ko is loaded\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this help\n",
		CTFD_DEFAULT_CONF);
}

/* Tell systemd (Type=notify) that start-up is done; a no-op elsewhere. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static const char msg[] = "READY=1";
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0'; /* an abstract socket */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&sun, len) <
	    0)
		ctfd_log("cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/* `--check -c -`: a config on standard input, for pipelines and editors. */
static int check_stdin(struct ctfd_state *st, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	int ret;

	if (!f)
		return -ENOMEM;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		fwrite(buf, 1, n, f);
	fclose(f);
	ret = ctfd_config_parse_text(text, len, "-", st, err, errlen);
	free(text);
	return ret;
}

/*
 * What the start refuses about the files the config names, said by
 * --check too: a control socket path or a FIFO path where some other kind
 * of file is.
 */
static int start_would_refuse(const struct ctfd_state *st, char *err,
			      size_t errlen)
{
	struct stat sb;

	if (!lstat(st->control, &sb) && !S_ISSOCK(sb.st_mode)) {
		snprintf(
			err, errlen,
			"control_socket: %.200s exists and is not a socket: ctfailoverd would not replace it",
			st->control);
		return -EEXIST;
	}
	if (st->keepalived_fifo[0] && !stat(st->keepalived_fifo, &sb) &&
	    !S_ISFIFO(sb.st_mode)) {
		snprintf(
			err, errlen,
			"keepalived.notify_fifo: %.200s exists and is not a FIFO: ctfailoverd would not read it",
			st->keepalived_fifo);
		return -EEXIST;
	}
	return 0;
}

static int check_config(const char *path, bool print_nft)
{
	struct ctfd_state *st = calloc(1, sizeof(*st));
	struct ctfd_dataplane dp = { 0 };
	char err[CTFD_CONF_ERRLEN];
	int ret;

	if (!st)
		return 1;
	if (!strcmp(path, "-"))
		ret = check_stdin(st, err, sizeof(err));
	else
		ret = ctfd_config_load(path, st, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ctfailoverd: %s\n", err);
		free(st);
		return 1;
	}
	if (!print_nft && start_would_refuse(st, err, sizeof(err))) {
		fprintf(stderr, "ctfailoverd: %s: %s\n", path, err);
		free(st);
		return 1;
	}
	if (!print_nft) {
		printf("%s: ok: %u backends, %u VIPs, %u SIP ports, table size %u\n",
		       path, st->n_backends, st->n_vips, st->n_ports,
		       st->table_size);
	} else if ((ret = ctfd_dataplane_build(st, &dp))) {
		fprintf(stderr, "ctfailoverd: cannot build the slot maps: %s\n",
			strerror(-ret));
	} else {
		ctfd_nft_print(stdout, &dp);
		ctfd_dataplane_free(&dp);
	}
	free(st);
	return ret ? 1 : 0;
}

/* The module, if loaded: epochs live there. Without it, say so loudly. */
static void open_module(struct ctfd *d, bool no_module)
{
	int ret;

	if (no_module) {
		ctfd_log(
			"WARNING: --no-module: stale entries are evicted with ctnetlink; packets between an instance change and the eviction still reach the old instance");
		return;
	}
	/* Before the module is looked at: a load in between is not missed. */
	ret = ctf_genl_watch_open(&d->kmod_watch);
	if (ret)
		ctfd_log(
			"WARNING: cannot watch for the module being loaded or unloaded: %s",
			strerror(-ret));
	ret = ctfd_kmod_open(d);
	if (ret)
		ctfd_log(
			"WARNING: ctfailover.ko is not available (%s): stale entries are evicted with ctnetlink until it is loaded; packets between an instance change and the eviction still reach the old instance",
			ret == -ENOENT ? "not loaded" : strerror(-ret));
}

#define FIFO_HINT                                                              \
	"a keepalived that opened the one before keeps writing there, and no " \
	"one reads it: reload keepalived (systemctl reload keepalived, or "    \
	"SIGHUP) so that it opens its notify_fifo again"

static int open_fifo(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (!mkfifo(path, 0600))
		ctfd_log(
			"keepalived fifo %.256s: made; if keepalived was running, " FIFO_HINT,
			path);
	else if (errno != EEXIST) {
		snprintf(err, errlen, "keepalived fifo %.256s: %s", path,
			 strerror(errno));
		return -errno;
	}
	/* O_RDWR: keepalived closing its end must not read as end of file. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "keepalived fifo %.256s: %s", path,
			 fd < 0 ? strerror(errno) : "not a fifo");
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	return fd;
}

/*
 * Every few seconds: is the FIFO at the configured path still the one this
 * daemon reads? Replaced (removed and made again, a RuntimeDirectory=
 * recreated), every later line would go where nobody reads: read the new
 * one, and say what keepalived needs.
 */
#define FIFO_CHECK_MS 2000
static void fifo_check(struct ctfd *d)
{
	struct stat at, mine;
	char err[300];
	int fd;

	if (d->fifo_fd < 0 || fstat(d->fifo_fd, &mine))
		return;
	if (!stat(d->run->keepalived_fifo, &at) && at.st_dev == mine.st_dev &&
	    at.st_ino == mine.st_ino)
		return;
	fd = open_fifo(d->run->keepalived_fifo, err, sizeof(err));
	if (fd < 0) {
		ctfd_log(
			"keepalived fifo %.256s: replaced, and cannot open the new one: %s",
			d->run->keepalived_fifo, err);
		return;
	}
	close(d->fifo_fd);
	d->fifo_fd = fd;
	ctfd_linebuf_init(&d->fifo_buf);
	d->c.fifo_replaced++;
	ctfd_log(
		"keepalived fifo %.256s: replaced under this daemon; reading the new one. " FIFO_HINT,
		d->run->keepalived_fifo);
}

enum {
	FD_SIG,
	FD_RTNL,
	FD_KMOD,
	FD_WATCH,
	FD_FIFO,
	FD_PROBE4,
	FD_PROBE6,
	FD_PROBE_TIMER,
	FD_CANARY4,
	FD_CANARY6,
	NFDS
};

/*
 * Connections at once (conn.h): ctfailoverctl opens one a command, a
 * Prometheus server one a scrape.
 */
#define CTL_CONNS     32
#define METRICS_CONNS 8

/* Poll's timeout: the FIFO's check, or sooner for a client's deadline. */
static int loop_timeout(const struct ctfd *d)
{
	uint64_t now = ctfd_now_ms();
	int t = FIFO_CHECK_MS, c;

	c = ctfd_listener_timeout(&d->ctl, now);
	if (c >= 0 && c < t)
		t = c;
	c = ctfd_listener_timeout(&d->metrics, now);
	if (c >= 0 && c < t)
		t = c;
	return t;
}

static int run(struct ctfd *d)
{
	struct pollfd pfd[NFDS + 2 + CTL_CONNS + METRICS_CONNS];
	unsigned int nctl, nmet, budget;
	struct signalfd_siginfo si;
	struct ctfd_plan p;
	char err[CTFD_CONF_ERRLEN];
	sigset_t mask;
	int i, probe_fds[CTFD_PROBER_FDS];
	uint64_t fifo_due = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	for (i = 0; i < NFDS; i++)
		pfd[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
	pfd[FD_SIG].fd = signalfd(-1, &mask, SFD_CLOEXEC);
	pfd[FD_RTNL].fd = ctfd_rtnl_fd(d->rtnl);
	pfd[FD_WATCH].fd = d->kmod_watch.sock ? ctf_nl_fd(&d->kmod_watch) : -1;
	pfd[FD_FIFO].fd = d->fifo_fd;

	for (;;) {
		/* The module may come and go; the prober too (a reload). */
		pfd[FD_KMOD].fd =
			d->kmod_events ? ctf_nl_fd(&d->genl_ev.nl) : -1;
		ctfd_prober_fds(d, probe_fds);
		for (i = 0; i < CTFD_PROBER_FDS; i++)
			pfd[FD_PROBE4 + i].fd = probe_fds[i];
		if (ctfd_now_ms() >= fifo_due) {
			fifo_due = ctfd_now_ms() + FIFO_CHECK_MS;
			fifo_check(d);
		}
		pfd[FD_FIFO].fd = d->fifo_fd;
		nctl = ctfd_listener_pollfds(&d->ctl, pfd + NFDS);
		nmet = ctfd_listener_pollfds(&d->metrics, pfd + NFDS + nctl);
		if (poll(pfd, NFDS + nctl + nmet, loop_timeout(d)) < 0) {
			if (errno == EINTR)
				continue;
			ctfd_log("poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[FD_SIG].revents &&
		    read(pfd[FD_SIG].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP) {
				ctfd_log(
					"stopping on signal %u; the data plane stays as it is",
					si.ssi_signo);
				return 0;
			}
			memset(&p, 0, sizeof(p));
			ctfd_reload(d, true, false, &p, err, sizeof(err));
			ctfd_plan_free(&p);
		}
		if (pfd[FD_RTNL].revents)
			ctfd_rtnl_input(d);
		if (pfd[FD_KMOD].revents && d->kmod_events)
			ctfd_kmod_events(d);
		if (pfd[FD_WATCH].revents)
			ctfd_kmod_watch(d);
		if (pfd[FD_FIFO].revents)
			ctfd_fifo_input(d);
		if (pfd[FD_PROBE4].revents)
			ctfd_prober_input(d, pfd[FD_PROBE4].fd);
		if (pfd[FD_PROBE6].revents)
			ctfd_prober_input(d, pfd[FD_PROBE6].fd);
		if (pfd[FD_PROBE_TIMER].revents)
			ctfd_prober_timer(d);
		for (i = FD_CANARY4; i <= FD_CANARY6; i++)
			if (pfd[i].revents)
				ctfd_prober_canary_input(d, pfd[i].fd);
		/* The clients last, a few requests a round (conn.h). */
		budget = CTFD_CONN_BUDGET;
		ctfd_listener_io(d, &d->ctl, pfd + NFDS, nctl, &budget);
		ctfd_listener_io(d, &d->metrics, pfd + NFDS + nctl, nmet,
				 &budget);
	}
}

/* Remove @path if it is still the file @st was taken of, and only then. */
static void remove_own(const char *path, const struct stat *st)
{
	struct stat now;

	if (path[0] && !lstat(path, &now) && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino)
		unlink(path);
}

/*
 * One daemon per network namespace: two would each drive the one table
 * from their own view (a drain given to one, the other giving the slots
 * back), and the second would unlink the first's control socket. The
 * abstract Unix socket "@ctfailoverd" is per network namespace and goes
 * with its process, however it ends: bound, it is the lock (kept open
 * until exit). Refused before anything is touched.
 */
static int one_per_netns(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static const char name[] = "ctfailoverd";
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		ctfd_log("cannot make the lock socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sun.sun_path + 1, name, sizeof(name) - 1);
	if (bind(fd, (struct sockaddr *)&sun,
		 offsetof(struct sockaddr_un, sun_path) + sizeof(name))) {
		int e = errno;

		close(fd);
		if (e == EADDRINUSE)
			ctfd_log(
				"another ctfailoverd runs in this network namespace (it holds the abstract socket @%s): refusing to start, nothing touched",
				name);
		else
			ctfd_log("cannot bind the lock socket @%s: %s", name,
				 strerror(e));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "print-nft", no_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-module", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ctfd d = { .conf_path = CTFD_DEFAULT_CONF,
			  .fifo_fd = -1,
			  .ctl = { .fd = -1 },
			  .metrics = { .fd = -1 } };
	bool check = false, print_nft = false, no_module = false;
	char err[CTFD_CONF_ERRLEN], ctl_path[PATH_MAX] = "";
	struct stat ctl_st;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'p':
			print_nft = true;
			break;
		case 'f':
			d.force_start = true;
			break;
		case 'n':
			no_module = true;
			break;
		case 'V':
			printf("ctfailoverd %s\n", CTFAILOVER_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ctfailoverd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (check || print_nft)
		return check_config(d.conf_path, print_nft);

	if (one_per_netns() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	d.started = time(NULL);
	ctfd_watch_init(&d.watch);
	ctfd_linebuf_init(&d.fifo_buf);
	ret = ctfd_nft_open(&d.nft);
	if (ret) {
		ctfd_log("cannot open nfnetlink: %s", strerror(-ret));
		return 1;
	}
	open_module(&d, no_module);
	if (ctfd_start(&d, err, sizeof(err))) {
		ctfd_log("%s", err);
		ret = 1;
		goto out;
	}
	ret = ctfd_rtnl_open(&d.rtnl);
	if (ret) {
		ctfd_log("cannot open rtnetlink: %s", strerror(-ret));
		goto fail;
	}
	/* The first dump only records what is there. */
	ret = ctfd_rtnl_sync(&d, false);
	if (ret < 0) {
		ctfd_log("rtnetlink dump failed: %s", strerror(-ret));
		goto fail;
	}
	ctfd_log_vips_at_start(&d);
	if (d.run->keepalived_fifo[0]) {
		d.fifo_fd = open_fifo(d.run->keepalived_fifo, err, sizeof(err));
		if (d.fifo_fd < 0)
			goto fail_msg;
	}
	ret = ctfd_control_open(d.run->control, err, sizeof(err));
	if (ret < 0)
		goto fail_msg;
	if (ctfd_listener_init(&d.ctl, "control", ret, CTL_CONNS)) {
		close(ret);
		goto fail_oom;
	}
	ctfd_control_listener(&d.ctl);
	/* What to remove at exit: this socket, and nothing else. */
	snprintf(ctl_path, sizeof(ctl_path), "%s", d.run->control);
	if (stat(ctl_path, &ctl_st))
		ctl_path[0] = '\0';
	ret = -1;
	if (d.run->metrics.port) {
		ret = ctfd_metrics_open(&d.run->metrics, err, sizeof(err));
		if (ret < 0)
			goto fail_msg;
	}
	if (ctfd_listener_init(&d.metrics, "metrics", ret, METRICS_CONNS)) {
		if (ret >= 0)
			close(ret);
		goto fail_oom;
	}
	ctfd_metrics_listener(&d.metrics);
	if (ctfd_prober_open(&d, err, sizeof(err)))
		goto fail_msg;
	ctfd_log("running: %u backends, eviction by %s, control %s",
		 d.run->n_backends, d.kmod ? "module" : "ctnetlink",
		 d.run->control);
	ctfd_flowtable_check(&d);
	notify_ready();
	ret = run(&d);
	remove_own(ctl_path, &ctl_st);
	goto out;
fail_oom:
	snprintf(err, sizeof(err), "out of memory");
fail_msg:
	ctfd_log("%s", err);
fail:
	ret = 1;
out:
	ctfd_prober_close(&d);
	ctfd_listener_close(&d.metrics);
	ctfd_listener_close(&d.ctl);
	if (d.fifo_fd >= 0)
		close(d.fifo_fd);
	if (d.rtnl)
		ctfd_rtnl_close(d.rtnl);
	ctfd_kmod_close(&d);
	ctf_nl_close(&d.kmod_watch);
	ctfd_nft_close(d.nft);
	ctfd_dataplane_free(&d.dp);
	free(d.run);
	return ret;
}
