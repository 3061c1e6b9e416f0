// SPDX-License-Identifier: GPL-2.0
/*
 * `ctfailoverctl flows [ADDRESS | --backend NAME]`: the SIP entries of the
 * conntrack table as ctfailover.ko judges them, what an operator looks at
 * when a provider says calls fail. One line (or JSON object) per UDP entry
 * to a SIP port of the module: the provider's address and port, the address
 * it sent to (the VIP), the NAT target, the backend there, the entry's
 * stamp, the backend's epoch and state, and the verdict:
 *
 *   current    stamped with its backend's epoch
 *   unstamped  no stamp, and its backend has not changed since it was added
 *              (kmod/uapi/ctfailover.h: judged by the first epoch)
 *   stale      its next packet re-steers it (a sweep deletes it if none comes)
 *   foreign    its stamp word holds label bits ctfailover did not write:
 *              never moved for a change (docs/architecture.md)
 *   none       its NAT target is not a backend: not ctfailover's
 *
 * The verdict is computed here by the module's rule from the same data the
 * module reads, so it can differ from the module's for an entry that
 * changes while it is listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "ctdump.h"
#include "ctl.h"
#include "json.h"
#include "kmod.h"
#include "parse.h"

struct flow {
	struct ctf_ct_entry e;
	const struct ctf_backend *b; /* NULL: not a backend */
	uint32_t stamp;		     /* decoded: 0 none, CTF_STAMP_FOREIGN */
	const char *verdict;
};

struct flows {
	/* The module's view. */
	struct ctf_backend *b;
	size_t nb, capb;
	struct ctf_ports ports;
	uint8_t label_word;
	/* The filter: an address, or a backend name. */
	const struct ctf_addr *addr;
	const char *name;
	/* What the dump found. */
	struct flow *f;
	size_t nf, capf;
};

static int collect_backend(const struct ctf_backend *b, void *data)
{
	struct flows *fl = data;

	if (fl->nb == fl->capb) {
		size_t cap = fl->capb ? 2 * fl->capb : 16;
		struct ctf_backend *nb = realloc(fl->b, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		fl->b = nb;
		fl->capb = cap;
	}
	fl->b[fl->nb++] = *b;
	return 0;
}

static const struct ctf_backend *backend_at(const struct flows *fl,
					    const struct ctf_addr *a)
{
	size_t i;

	for (i = 0; i < fl->nb; i++)
		if (ctf_addr_equal(&fl->b[i].addr, a))
			return &fl->b[i];
	return NULL;
}

/* The module's rule (ctf_judge() in kmod/backend.c), on the dumped data. */
static const char *judge(const struct flow *f)
{
	uint32_t epoch = f->stamp;

	if (!f->b)
		return "none";
	if (epoch == CTF_STAMP_FOREIGN)
		return "foreign";
	if (!epoch) {
		/* A module without the attribute judged no unstamped entry. */
		if (!(f->b->fields & CTF_BF_UNSTAMPED))
			return "unstamped";
		return f->b->unstamped_epoch == f->b->epoch ? "unstamped"
							    : "stale";
	}
	/* An adopted epoch's predecessor is current too (CTF_BA_ADOPT). */
	return epoch == f->b->epoch ||
			       (f->b->alias_epoch && epoch == f->b->alias_epoch)
		       ? "current"
		       : "stale";
}

static bool sip_port(const struct flows *fl, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < fl->ports.n; i++)
		if (fl->ports.port[i] == port)
			return true;
	return false;
}

static int collect_entry(const struct ctf_ct_entry *e, void *data)
{
	struct flows *fl = data;
	struct flow *f;

	if (e->proto != IPPROTO_UDP || !sip_port(fl, e->dport))
		return 0;
	if (fl->addr && !ctf_addr_equal(fl->addr, &e->src) &&
	    !ctf_addr_equal(fl->addr, &e->dst) &&
	    !ctf_addr_equal(fl->addr, &e->nat))
		return 0;
	if (fl->nf == fl->capf) {
		size_t cap = fl->capf ? 2 * fl->capf : 64;
		struct flow *nf = realloc(fl->f, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		fl->f = nf;
		fl->capf = cap;
	}
	f = &fl->f[fl->nf];
	memset(f, 0, sizeof(*f));
	f->e = *e;
	/* The raw attributes point into the receive buffer: not kept. */
	f->e.orig = f->e.zone_attr = f->e.id_attr = NULL;
	/* As the module: only what DNAT sent to a backend is its. */
	f->b = e->status & IPS_DST_NAT ? backend_at(fl, &e->nat) : NULL;
	if (fl->name && (!f->b || strcmp(f->b->name, fl->name)))
		return 0;
	f->stamp = e->have_labels ? ctf_stamp_decode(e->labels[fl->label_word])
				  : 0;
	f->verdict = judge(f);
	fl->nf++;
	return 0;
}

static int cmp_addr(const struct ctf_addr *a, const struct ctf_addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(&a->v6, &b->v6, a->family == AF_INET ? 4 : 16);
}

/* By provider, then VIP: stable output that diffs well. */
static int cmp_flow(const void *pa, const void *pb)
{
	const struct ctf_ct_entry *a = &((const struct flow *)pa)->e;
	const struct ctf_ct_entry *b = &((const struct flow *)pb)->e;
	int c = cmp_addr(&a->src, &b->src);

	if (!c)
		c = (int)a->sport - (int)b->sport;
	if (!c)
		c = cmp_addr(&a->dst, &b->dst);
	if (!c)
		c = (int)a->dport - (int)b->dport;
	return c;
}

/* ADDR:PORT, [ADDR]:PORT for IPv6. */
static const char *endpoint(const struct ctf_addr *a, uint16_t port, char *buf,
			    size_t len)
{
	char s[CTF_ADDR_STRLEN];

	ctf_addr_str(a, s);
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s,
		 port);
	return buf;
}

static void print_text(const struct flow *f)
{
	char p[CTF_ADDR_STRLEN + 8], v[CTF_ADDR_STRLEN + 8],
		n[CTF_ADDR_STRLEN + 8];

	printf("udp %s -> %s nat %s",
	       endpoint(&f->e.src, f->e.sport, p, sizeof(p)),
	       endpoint(&f->e.dst, f->e.dport, v, sizeof(v)),
	       endpoint(&f->e.nat, f->e.nat_port, n, sizeof(n)));
	if (f->b)
		printf(" backend %s", f->b->name[0] ? f->b->name : "-");
	if (f->stamp == CTF_STAMP_FOREIGN)
		printf(" stamp foreign");
	else if (f->stamp)
		printf(" stamp %u", f->stamp);
	else
		printf(" stamp -");
	if (f->b)
		printf(" epoch %u state %s", f->b->epoch,
		       ctf_state_name(f->b->state));
	printf(" verdict %s packets %llu zone %u\n", f->verdict,
	       (unsigned long long)f->e.packets, f->e.zone);
}

static void print_json(struct ctf_json *j, const struct flow *f)
{
	char a[CTF_ADDR_STRLEN];

	ctf_json_begin_object(j, NULL);
	ctf_json_string(j, "provider", ctf_addr_str(&f->e.src, a));
	ctf_json_uint(j, "provider_port", f->e.sport);
	ctf_json_string(j, "vip", ctf_addr_str(&f->e.dst, a));
	ctf_json_uint(j, "vip_port", f->e.dport);
	ctf_json_string(j, "nat", ctf_addr_str(&f->e.nat, a));
	ctf_json_uint(j, "nat_port", f->e.nat_port);
	if (f->b) {
		if (f->b->name[0])
			ctf_json_string(j, "backend", f->b->name);
		ctf_json_uint(j, "epoch", f->b->epoch);
		ctf_json_string(j, "state", ctf_state_name(f->b->state));
	}
	if (f->stamp == CTF_STAMP_FOREIGN)
		ctf_json_string(j, "stamp", "foreign");
	else if (f->stamp)
		ctf_json_uint(j, "stamp", f->stamp);
	ctf_json_string(j, "verdict", f->verdict);
	ctf_json_uint(j, "packets", f->e.packets);
	ctf_json_uint(j, "zone", f->e.zone);
	ctf_json_end_object(j);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s flows: ", ctl_prog);
	fprintf(stderr, fmt, arg);
	fputs("\nusage: ctfailoverctl [-j] flows [ADDRESS | --backend NAME]\n",
	      stderr);
	return CTL_EXIT_USAGE;
}

/* The module's backends, ports and label word into @fl. */
static int read_module(struct flows *fl)
{
	struct ctf_stats st;
	struct ctf_genl g;
	int ret, tries = 0;

	ret = ctl_open(&g);
	if (ret)
		return ret;
	ret = ctl_check_protocol(g.family_version);
	if (ret)
		goto out;
	do {
		fl->nb = 0;
		ret = ctf_kmod_backend_dump(&g, collect_backend, fl);
	} while (ret == -EINTR && ++tries < 5);
	if (ret) {
		ret = ctl_kernel_error("flows", "CTF_CMD_BACKEND_GET (dump)",
				       ret, &g);
		goto out;
	}
	ret = ctf_kmod_ports_get(&g, &fl->ports);
	if (ret) {
		ret = ctl_kernel_error("flows", "CTF_CMD_PORTS_GET", ret, &g);
		goto out;
	}
	ret = ctf_kmod_stats(&g, &st);
	if (ret) {
		ret = ctl_kernel_error("flows", "CTF_CMD_STATS_GET", ret, &g);
		goto out;
	}
	fl->label_word = st.label_word;
out:
	ctf_genl_close(&g);
	return ret;
}

int ctl_flows(int argc, char **argv, const struct ctl_opts *o)
{
	char err[CTF_PARSE_ERRLEN];
	struct flows fl = { 0 };
	struct ctf_addr addr;
	struct ctf_json j;
	size_t i;
	int ret;

	if (argc == 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("Usage: ctfailoverctl [-j] flows [ADDRESS | --backend NAME]");
		return CTL_EXIT_OK;
	}
	if (argc == 3 && !strcmp(argv[1], "--backend")) {
		if (!argv[2][0])
			return usage_error("empty backend name%s", "");
		fl.name = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		if (ctf_parse_addr(argv[1], &addr, err, sizeof(err)))
			return usage_error("%s", err);
		fl.addr = &addr;
	} else if (argc != 1) {
		/* The first argument that fits no form. */
		i = !strcmp(argv[1], "--backend") ? 3
		    : argv[1][0] != '-'		  ? 2
						  : 1;
		return usage_error("unexpected argument '%s'",
				   argv[i < (size_t)argc ? i : 1]);
	}

	ret = read_module(&fl);
	if (!ret && fl.name) {
		for (i = 0; i < fl.nb && strcmp(fl.b[i].name, fl.name); i++)
			;
		if (i == fl.nb) {
			fprintf(stderr,
				"%s flows: no backend named '%s' in the module\n",
				ctl_prog, fl.name);
			ret = CTL_EXIT_FAIL;
		}
	}
	if (!ret)
		ret = ctl_conntrack_walk("flows", collect_entry, &fl);
	if (!ret) {
		qsort(fl.f, fl.nf, sizeof(*fl.f), cmp_flow);
		if (o->json) {
			ctf_json_init(&j, stdout);
			ctf_json_begin_array(&j, NULL);
			for (i = 0; i < fl.nf; i++)
				print_json(&j, &fl.f[i]);
			ctf_json_end_array(&j);
			putchar('\n');
		} else {
			for (i = 0; i < fl.nf; i++)
				print_text(&fl.f[i]);
		}
	}
	free(fl.b);
	free(fl.f);
	return ret;
}
