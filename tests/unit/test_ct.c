// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/ct.c against the kernel's conntrack table, in private
 * network namespaces (needs root): entries made with `conntrack -I` as a
 * DNAT would have made them, one backend evicted, the rest kept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "unit.h"

UNIT_SUITE("ct");

/* A namespace of its own: an empty conntrack table, the host's untouched. */
static bool fresh_netns(void)
{
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return false;
	}
	return true;
}

/*
 * A flow from @client:@sport to @vip:@dport that a DNAT sent to @backend:
 * the reply comes from the backend.
 */
static bool insert(const char *proto, const char *client, const char *vip,
		   const char *backend, unsigned int sport, unsigned int dport)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "conntrack -I -p %s -s %s -d %s --sport %u --dport %u "
		 "--reply-src %s --reply-dst %s --reply-port-src %u "
		 "--reply-port-dst %u -t 120 %s >/dev/null 2>&1",
		 proto, client, vip, sport, dport, backend, client, dport,
		 sport, strcmp(proto, "tcp") ? "" : "--state ESTABLISHED");
	if (system(cmd)) {
		fprintf(stderr, "  failed: %s\n", cmd);
		return false;
	}
	return true;
}

/* How many entries `conntrack -L` lists that contain @what ("" for all). */
static int count(const char *family, const char *what)
{
	char cmd[256], line[1024];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "conntrack -L -f %s 2>/dev/null", family);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, what))
			n++;
	pclose(p);
	return n;
}

static void addr(struct ctf_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		a->family = AF_INET6;
}

static const uint16_t sip[] = { 5060, 5080 };

static void evict_ipv4(void)
{
	unsigned int scanned, deleted, i;
	struct ctf_addr b, two[2];
	char err[256], client[32];

	CHECK(fresh_netns());
	for (i = 0; i < 20; i++) {
		snprintf(client, sizeof(client), "198.51.100.%u", i + 1);
		/* Backend .11: 10 on 5060, 10 on 5080; backend .12: 20. */
		CHECK(insert("udp", client, "203.0.113.10", "10.0.1.11",
			     5060 + i, i < 10 ? 5060 : 5080));
		CHECK(insert("udp", client, "203.0.113.10", "10.0.1.12",
			     6060 + i, 5060));
	}
	/* Backend .11 but another port, and TCP: kept. */
	CHECK(insert("udp", "198.51.100.99", "203.0.113.10", "10.0.1.11", 7000,
		     5070));
	CHECK(insert("tcp", "198.51.100.98", "203.0.113.10", "10.0.1.11", 7001,
		     5060));
	/* An IPv6 entry is of another family: not even scanned. */
	CHECK(insert("udp", "2001:db8:c::1", "2001:db8::10", "2001:db8:1::11",
		     5060, 5060));
	CHECK_INT(count("ipv4", "src=10.0.1.11 "), 22);

	addr(&b, "10.0.1.11");
	CHECK_INT(ctfd_ct_evict(&b, 1, sip, 2, &scanned, &deleted, err,
				sizeof(err)),
		  0);
	CHECK_INT(scanned, 42);
	CHECK_INT(deleted, 20);
	CHECK_INT(count("ipv4", "src=10.0.1.11 "), 2);
	CHECK_INT(count("ipv4", "dport=5070 "), 1);
	CHECK_INT(count("ipv4", "tcp "), 1);
	CHECK_INT(count("ipv4", "src=10.0.1.12 "), 20);
	CHECK_INT(count("ipv6", ""), 1);

	/* Again: nothing left to delete. */
	CHECK_INT(ctfd_ct_evict(&b, 1, sip, 2, &scanned, &deleted, err,
				sizeof(err)),
		  0);
	CHECK_INT(scanned, 22);
	CHECK_INT(deleted, 0);

	/* Two backends in one walk: .12's 20 go, the walk is one. */
	addr(&two[0], "10.0.1.11");
	addr(&two[1], "10.0.1.12");
	CHECK_INT(ctfd_ct_evict(two, 2, sip, 2, &scanned, &deleted, err,
				sizeof(err)),
		  0);
	CHECK_INT(scanned, 22);
	CHECK_INT(deleted, 20);
	CHECK_INT(count("ipv4", "src=10.0.1.12 "), 0);
	CHECK_INT(count("ipv4", "dport=5070 "), 1);

	/* Two families in one call: refused, nothing deleted. */
	addr(&two[1], "2001:db8:1::11");
	CHECK_INT(ctfd_ct_evict(two, 2, sip, 2, &scanned, &deleted, err,
				sizeof(err)),
		  -EINVAL);
	CHECK_STR(err,
		  "conntrack: evict: backend addresses of one family only");
	CHECK_INT(count("ipv6", ""), 1);
}

static void evict_ipv6(void)
{
	unsigned int scanned, deleted;
	struct ctf_addr b;
	char err[256];

	CHECK(fresh_netns());
	CHECK(insert("udp", "2001:db8:c::1", "2001:db8::10", "2001:db8:1::11",
		     5060, 5060));
	CHECK(insert("udp", "2001:db8:c::2", "2001:db8::10", "2001:db8:1::11",
		     5061, 5080));
	CHECK(insert("udp", "2001:db8:c::3", "2001:db8::10", "2001:db8:1::12",
		     5062, 5060));
	CHECK(insert("udp", "2001:db8:c::4", "2001:db8::10", "2001:db8:1::11",
		     5063, 5090));
	CHECK(insert("tcp", "2001:db8:c::5", "2001:db8::10", "2001:db8:1::11",
		     5064, 5060));
	CHECK(insert("udp", "198.51.100.1", "203.0.113.10", "10.0.1.11", 5060,
		     5060));

	addr(&b, "2001:db8:1::11");
	CHECK_INT(ctfd_ct_evict(&b, 1, sip, 2, &scanned, &deleted, err,
				sizeof(err)),
		  0);
	CHECK_INT(scanned, 5);
	CHECK_INT(deleted, 2);
	CHECK_INT(count("ipv6", "src=2001:db8:1::11 "), 2);
	CHECK_INT(count("ipv6", "src=2001:db8:1::12 "), 1);
	CHECK_INT(count("ipv4", ""), 1);
}

/* More matches than one round of deletes, so several sendmsg() rounds. */
static void evict_many(void)
{
	unsigned int scanned, deleted, i;
	struct ctf_addr b;
	char err[256], client[32];
	FILE *f;

	CHECK(fresh_netns());
	/* 300 entries, through one shell rather than 300 system() calls. */
	f = popen("sh", "w");
	CHECK(f);
	for (i = 0; i < 300; i++) {
		snprintf(client, sizeof(client), "198.51.%u.%u", 100 + i / 200,
			 1 + i % 200);
		fprintf(f,
			"conntrack -I -p udp -s %s -d 203.0.113.10 --sport %u "
			"--dport 5060 --reply-src 10.0.1.11 --reply-dst %s "
			"--reply-port-src 5060 --reply-port-dst %u -t 120 "
			">/dev/null 2>&1\n",
			client, 10000 + i, client, 10000 + i);
	}
	CHECK_INT(pclose(f), 0);
	CHECK_INT(count("ipv4", ""), 300);
	addr(&b, "10.0.1.11");
	CHECK_INT(ctfd_ct_evict(&b, 1, sip, 1, &scanned, &deleted, err,
				sizeof(err)),
		  0);
	CHECK_INT(scanned, 300);
	CHECK_INT(deleted, 300);
	CHECK_INT(count("ipv4", ""), 0);
}

static void bad_address(void)
{
	unsigned int scanned, deleted;
	struct ctf_addr b = { 0 };
	char err[256];

	CHECK_INT(ctfd_ct_evict(&b, 1, sip, 2, &scanned, &deleted, err,
				sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "conntrack: evict: no backend address");
}

const struct unit_case unit_cases[] = {
	{ "evict_ipv4", evict_ipv4 },
	{ "evict_ipv6", evict_ipv6 },
	{ "evict_many", evict_many },
	{ "bad_address", bad_address },
	{ NULL, NULL },
};
