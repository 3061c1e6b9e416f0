// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/common/parse.c: every accepted form and every way to get it
 * wrong, table by table, with the message the user would read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "parse.h"
#include "unit.h"
#include "uapi/ctfailover.h"

UNIT_SUITE("parse");

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in;
	int ret, family;
	const char *err; /* the message, when ret != 0 and it is checked */
} addr_cases[] = {
	{ "10.0.0.1", 0, AF_INET, NULL },
	{ "0.0.0.0", 0, AF_INET, NULL },
	{ "255.255.255.255", 0, AF_INET, NULL },
	{ "2001:db8::1", 0, AF_INET6, NULL },
	{ "::", 0, AF_INET6, NULL },
	{ "fe80::1:2:3:4", 0, AF_INET6, NULL },
	{ "::ffff:10.0.0.1", -EINVAL, 0,
	  "bad address '::ffff:10.0.0.1' (IPv4-mapped: use 10.0.0.1)" },
	{ "", -EINVAL, 0, "bad address '' (IPv4 or IPv6)" },
	{ "10.0.0", -EINVAL, 0, "bad address '10.0.0' (IPv4 or IPv6)" },
	{ "10.0.0.256", -EINVAL, 0, NULL },
	{ "10.0.0.1 ", -EINVAL, 0, NULL },
	{ " 10.0.0.1", -EINVAL, 0, NULL },
	{ "10.0.0.1/32", -EINVAL, 0, NULL },
	{ "010.0.0.1", -EINVAL, 0, NULL },
	{ "fe80::1%eth0", -EINVAL, 0, NULL },
	{ "2001:db8::1::2", -EINVAL, 0, NULL },
	{ "backend.example", -EINVAL, 0, NULL },
};

static void addr_table(void)
{
	char err[CTF_PARSE_ERRLEN], back[CTF_ADDR_STRLEN];
	struct ctf_addr a;
	size_t i;

	for (i = 0; i < N(addr_cases); i++) {
		err[0] = '\0';
		CHECK_INT(
			ctf_parse_addr(addr_cases[i].in, &a, err, sizeof(err)),
			addr_cases[i].ret);
		CHECK_INT(a.family, addr_cases[i].family);
		if (addr_cases[i].ret) {
			CHECK(err[0]);
			if (addr_cases[i].err)
				CHECK_STR(err, addr_cases[i].err);
			continue;
		}
		/* Round trip: the canonical forms above print as given. */
		CHECK_STR(ctf_addr_str(&a, back), addr_cases[i].in);
	}
}

static void addr_binary_is_network_order(void)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a, b;

	CHECK_INT(ctf_parse_addr("10.1.2.3", &a, err, sizeof(err)), 0);
	CHECK_INT(((uint8_t *)&a.v4)[0], 10);
	CHECK_INT(((uint8_t *)&a.v4)[3], 3);
	CHECK_INT(ctf_parse_addr("2001:db8::7", &b, err, sizeof(err)), 0);
	CHECK_INT(b.v6.s6_addr[0], 0x20);
	CHECK_INT(b.v6.s6_addr[1], 0x01);
	CHECK_INT(b.v6.s6_addr[15], 7);
}

static void addr_equal(void)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a, b, c, d;

	CHECK_INT(ctf_parse_addr("10.0.0.1", &a, err, sizeof(err)), 0);
	CHECK_INT(ctf_parse_addr("10.0.0.1", &b, err, sizeof(err)), 0);
	CHECK_INT(ctf_parse_addr("10.0.0.2", &c, err, sizeof(err)), 0);
	CHECK_INT(ctf_parse_addr("::a00:1", &d, err, sizeof(err)), 0);
	CHECK(ctf_addr_equal(&a, &b));
	CHECK(!ctf_addr_equal(&a, &c));
	CHECK(!ctf_addr_equal(&a, &d)); /* same 32 bits, other family */
	CHECK(ctf_addr_equal(&d, &d));
}

/* A VIP's or a backend's address: unicast, reachable from another host. */
static const struct {
	const char *in;
	const char *err; /* NULL: accepted */
} unicast_cases[] = {
	{ "10.0.0.1", NULL },
	{ "203.0.113.10", NULL },
	{ "1.0.0.0", NULL },
	{ "223.255.255.254", NULL },
	{ "169.254.1.1", NULL }, /* routable on its link: the host decides */
	{ "2001:db8::1", NULL },
	{ "fd00::1", NULL },
	{ "fec0::1", NULL },
	{ "0.0.0.0", "0.0.0.0 is \"this network\" (0.0.0.0/8)" },
	{ "0.1.2.3", "this network" },
	{ "127.0.0.1",
	  "127.0.0.1 is loopback (127.0.0.0/8): a unicast address another host reaches is needed" },
	{ "127.255.0.9", "loopback" },
	{ "255.255.255.255", "broadcast" },
	{ "224.0.0.1", "multicast (224.0.0.0/4)" },
	{ "224.0.0.18", "multicast" },
	{ "239.255.255.255", "multicast" },
	{ "240.0.0.1", "reserved (240.0.0.0/4)" },
	{ "::", "unspecified (::)" },
	{ "::1", "loopback (::1)" },
	{ "ff02::1", "multicast (ff00::/8)" },
	{ "fe80::1", "link-local" },
	{ "febf::1", "link-local" },
};

static void unicast_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;
	size_t i;

	for (i = 0; i < sizeof(unicast_cases) / sizeof(unicast_cases[0]); i++) {
		const char *want = unicast_cases[i].err;
		int ret;

		err[0] = '\0';
		CHECK_INT(ctf_parse_addr(unicast_cases[i].in, &a, err,
					 sizeof(err)),
			  0);
		ret = ctf_addr_unicast(&a, err, sizeof(err));
		if (!want) {
			CHECK_INT(ret, 0);
			continue;
		}
		CHECK_INT(ret, -EINVAL);
		if (!strstr(err, want))
			fprintf(stderr, "  %s: '%s' lacks '%s'\n",
				unicast_cases[i].in, err, want);
		CHECK(strstr(err, want));
	}
}

static const struct {
	const char *in;
	uint64_t min, max;
	int ret;
	uint64_t out;
} uint_cases[] = {
	{ "0", 0, 10, 0, 0 },
	{ "10", 0, 10, 0, 10 },
	{ "007", 0, 10, 0, 7 },
	{ "11", 0, 10, -ERANGE, 0 },
	{ "0", 1, 10, -ERANGE, 0 },
	{ "4294967295", 1, UINT32_MAX, 0, UINT32_MAX },
	{ "4294967296", 1, UINT32_MAX, -ERANGE, 0 },
	{ "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
	{ "18446744073709551616", 0, UINT64_MAX, -ERANGE, 0 },
	{ "99999999999999999999999999", 0, UINT64_MAX, -ERANGE, 0 },
	/* Junk after an overflow is still junk, not a range error. */
	{ "99999999999999999999999999x", 0, UINT64_MAX, -EINVAL, 0 },
	{ "", 0, 10, -EINVAL, 0 },
	{ "-1", 0, 10, -EINVAL, 0 },
	{ "+1", 0, 10, -EINVAL, 0 },
	{ " 1", 0, 10, -EINVAL, 0 },
	{ "1 ", 0, 10, -EINVAL, 0 },
	{ "0x1", 0, 10, -EINVAL, 0 },
	{ "1e1", 0, 100, -EINVAL, 0 },
	{ "1.0", 0, 10, -EINVAL, 0 },
	{ "5", 0, 3, -ERANGE, 0 }, /* a digit above max */
};

static void uint_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint64_t v;
	size_t i;

	for (i = 0; i < N(uint_cases); i++) {
		v = 12345;
		err[0] = '\0';
		CHECK_INT(ctf_parse_uint(uint_cases[i].in, "thing",
					 uint_cases[i].min, uint_cases[i].max,
					 &v, err, sizeof(err)),
			  uint_cases[i].ret);
		if (uint_cases[i].ret) {
			CHECK_INT(v, 12345); /* untouched on error */
			CHECK(!strncmp(err, "bad thing '", 11));
		} else {
			CHECK(v == uint_cases[i].out);
		}
	}
}

static void uint_message(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint64_t v;

	CHECK_INT(ctf_parse_uint("x1", "count", 1, 4294967295u, &v, err,
				 sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "bad count 'x1' (1..4294967295)");
}

static const struct {
	const char *in;
	int ret;
	uint32_t out;
	const char *err;
} epoch_cases[] = {
	{ "1", 0, 1, NULL },
	{ "16777215", 0, 16777215, NULL },
	{ "0", -ERANGE, 0, "bad epoch '0' (1..16777215)" },
	{ "16777216", -ERANGE, 0, "bad epoch '16777216' (1..16777215)" },
	{ "4294967295", -ERANGE, 0, "bad epoch '4294967295' (1..16777215)" },
	{ "-1", -EINVAL, 0, "bad epoch '-1' (1..16777215)" },
	{ "", -EINVAL, 0, "bad epoch '' (1..16777215)" },
	{ "two", -EINVAL, 0, "bad epoch 'two' (1..16777215)" },
};

static void epoch_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint32_t e;
	size_t i;

	for (i = 0; i < N(epoch_cases); i++) {
		e = 77;
		CHECK_INT(ctf_parse_epoch(epoch_cases[i].in, &e, err,
					  sizeof(err)),
			  epoch_cases[i].ret);
		if (epoch_cases[i].ret) {
			CHECK_INT(e, 77);
			CHECK_STR(err, epoch_cases[i].err);
		} else {
			CHECK(e == epoch_cases[i].out);
		}
	}
}

static const struct {
	const char *in;
	int ret;
	uint8_t out;
} label_word_cases[] = {
	{ "0", 0, 0 },	       { "3", 0, 3 },	     { "4", -ERANGE, 0 },
	{ "256", -ERANGE, 0 }, { "-1", -EINVAL, 0 }, { "", -EINVAL, 0 },
	{ "1x", -EINVAL, 0 },
};

static void label_word_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint8_t w;
	size_t i;

	for (i = 0; i < N(label_word_cases); i++) {
		w = 9;
		CHECK_INT(ctf_parse_label_word(label_word_cases[i].in, &w, err,
					       sizeof(err)),
			  label_word_cases[i].ret);
		CHECK_INT(w, label_word_cases[i].ret ? 9
						     : label_word_cases[i].out);
	}
	ctf_parse_label_word("4", &w, err, sizeof(err));
	CHECK_STR(err, "bad label word '4' (0..3)");
}

static const struct {
	const char *in;
	int ret;
	uint32_t out;
} sweep_delay_cases[] = {
	{ "0", 0, 0 },
	{ "1000", 0, 1000 },
	{ "3600000", 0, CTF_MAX_SWEEP_DELAY_MS },
	{ "3600001", -ERANGE, 0 },
	{ "4294967296", -ERANGE, 0 },
	{ "1s", -EINVAL, 0 },
	{ "-5", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
};

static void sweep_delay_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint32_t ms;
	size_t i;

	for (i = 0; i < N(sweep_delay_cases); i++) {
		ms = 42;
		CHECK_INT(ctf_parse_sweep_delay(sweep_delay_cases[i].in, &ms,
						err, sizeof(err)),
			  sweep_delay_cases[i].ret);
		CHECK_INT(ms, sweep_delay_cases[i].ret
				      ? 42
				      : sweep_delay_cases[i].out);
	}
	ctf_parse_sweep_delay("1s", &ms, err, sizeof(err));
	CHECK_STR(err, "bad sweep delay '1s' (0..3600000)");
}

static const struct {
	const char *in;
	int ret;
	uint8_t out;
} state_cases[] = {
	{ "active", 0, CTF_STATE_ACTIVE },
	{ "draining", 0, CTF_STATE_DRAINING },
	{ "down", 0, CTF_STATE_DOWN },
	{ "up", -EINVAL, 0 },
	{ "Active", -EINVAL, 0 },
	{ "active ", -EINVAL, 0 },
	{ "drain", -EINVAL, 0 },
	{ "0", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
};

static void state_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint8_t st;
	size_t i;

	for (i = 0; i < N(state_cases); i++) {
		st = 9;
		CHECK_INT(ctf_parse_state(state_cases[i].in, &st, err,
					  sizeof(err)),
			  state_cases[i].ret);
		if (state_cases[i].ret)
			continue;
		CHECK_INT(st, state_cases[i].out);
		/* Round trip through the name. */
		CHECK_STR(ctf_state_name(st), state_cases[i].in);
	}
	ctf_parse_state("up", &st, err, sizeof(err));
	CHECK_STR(err, "bad state 'up' (active, draining, down)");
	CHECK(ctf_state_name(CTF_STATE_MAX + 1) == NULL);
	CHECK(ctf_state_name(255) == NULL);
}

static const struct {
	const char *in;
	int ret;
} name_cases[] = {
	{ "web1", 0 },
	{ "a", 0 },
	{ "sip-b.eu_west/2", 0 },
	{ "0123456789012345678901234567890", 0 },	 /* 31: the most */
	{ "01234567890123456789012345678901", -ERANGE }, /* 32 */
	{ "", -EINVAL },
	{ "a b", -EINVAL },
	{ "a\tb", -EINVAL },
	{ "a\nb", -EINVAL },
	{ "caf\xc3\xa9", -EINVAL },
	{ "del\x7f", -EINVAL },
};

static void name_table(void)
{
	char err[CTF_PARSE_ERRLEN], name[CTF_NAME_MAX];
	size_t i;

	for (i = 0; i < N(name_cases); i++) {
		strcpy(name, "old");
		CHECK_INT(ctf_parse_name(name_cases[i].in, name, err,
					 sizeof(err)),
			  name_cases[i].ret);
		CHECK_STR(name, name_cases[i].ret ? "old" : name_cases[i].in);
	}
	ctf_parse_name("a b", name, err, sizeof(err));
	CHECK_STR(
		err,
		"bad name 'a b' (1..31 printable ASCII characters, no spaces)");
}

static const struct {
	const char *in;
	int ret;
	uint16_t out;
} port_cases[] = {
	{ "5060", 0, 5060 },	    { "1", 0, 1 },
	{ "65535", 0, 65535 },	    { "0", -ERANGE, 0 },
	{ "65536", -ERANGE, 0 },    { "x", -EINVAL, 0 },
	{ "5060/udp", -EINVAL, 0 }, { "", -EINVAL, 0 },
};

static void port_table(void)
{
	char err[CTF_PARSE_ERRLEN];
	uint16_t p;
	size_t i;

	for (i = 0; i < N(port_cases); i++) {
		p = 7;
		CHECK_INT(
			ctf_parse_port(port_cases[i].in, &p, err, sizeof(err)),
			port_cases[i].ret);
		CHECK_INT(p, port_cases[i].ret ? 7 : port_cases[i].out);
	}
	ctf_parse_port("0", &p, err, sizeof(err));
	CHECK_STR(err, "bad port '0' (1..65535)");
}

static const struct {
	const char *in;
	int ret;
	unsigned int n;
	uint16_t ports[3];
	const char *err;
} ports_cases[] = {
	{ "5060", 0, 1, { 5060 }, NULL },
	{ "5061,5060", 0, 2, { 5061, 5060 }, NULL }, /* order kept */
	{ "65535,1,5060", 0, 3, { 65535, 1, 5060 }, NULL },
	{ "", -EINVAL, 0, { 0 }, "empty port list" },
	{ "0",
	  -ERANGE,
	  0,
	  { 0 },
	  "bad port '0' (item 1 of the list; 1..65535)" },
	{ "5060,0",
	  -ERANGE,
	  0,
	  { 0 },
	  "bad port '0' (item 2 of the list; 1..65535)" },
	{ "5060,65536",
	  -ERANGE,
	  0,
	  { 0 },
	  "bad port '65536' (item 2 of the list; 1..65535)" },
	{ "5060,",
	  -EINVAL,
	  0,
	  { 0 },
	  "bad port '' (item 2 of the list; 1..65535)" },
	{ ",5060",
	  -EINVAL,
	  0,
	  { 0 },
	  "bad port '' (item 1 of the list; 1..65535)" },
	{ "5060,,5061",
	  -EINVAL,
	  0,
	  { 0 },
	  "bad port '' (item 2 of the list; 1..65535)" },
	{ "5060, 5061",
	  -EINVAL,
	  0,
	  { 0 },
	  "bad port ' 5061' (item 2 of the list; 1..65535)" },
	{ "5060;5061",
	  -EINVAL,
	  0,
	  { 0 },
	  "bad port '5060;5061' (item 1 of the list; 1..65535)" },
	{ "sip",
	  -EINVAL,
	  0,
	  { 0 },
	  "bad port 'sip' (item 1 of the list; 1..65535)" },
	{ "5060,5061,5060",
	  -EEXIST,
	  0,
	  { 0 },
	  "duplicate port 5060 (items 1 and 3 of the list)" },
	{ "5060,05060",
	  -EEXIST,
	  0,
	  { 0 },
	  "duplicate port 5060 (items 1 and 2 of the list)" },
};

static void ports_table(void)
{
	uint16_t ports[CTF_MAX_PORTS];
	char err[CTF_PARSE_ERRLEN];
	unsigned int n, j;
	size_t i;

	for (i = 0; i < N(ports_cases); i++) {
		n = 99;
		CHECK_INT(ctf_parse_ports(ports_cases[i].in, ports, &n, err,
					  sizeof(err)),
			  ports_cases[i].ret);
		CHECK_INT(n, ports_cases[i].n);
		if (ports_cases[i].ret) {
			CHECK_STR(err, ports_cases[i].err);
			continue;
		}
		for (j = 0; j < n; j++)
			CHECK_INT(ports[j], ports_cases[i].ports[j]);
	}
}

/* "1,2,...,@n" */
static void port_list(char *buf, unsigned int n)
{
	unsigned int i;

	buf[0] = '\0';
	for (i = 1; i <= n; i++)
		sprintf(buf + strlen(buf), "%s%u", i > 1 ? "," : "", 5000 + i);
}

static void ports_at_most_max(void)
{
	char list[8 * (CTF_MAX_PORTS + 2)], err[CTF_PARSE_ERRLEN];
	uint16_t ports[CTF_MAX_PORTS];
	unsigned int n;

	port_list(list, CTF_MAX_PORTS);
	CHECK_INT(ctf_parse_ports(list, ports, &n, err, sizeof(err)), 0);
	CHECK_INT(n, CTF_MAX_PORTS);
	CHECK_INT(ports[CTF_MAX_PORTS - 1], 5000 + CTF_MAX_PORTS);

	port_list(list, CTF_MAX_PORTS + 1);
	CHECK_INT(ctf_parse_ports(list, ports, &n, err, sizeof(err)), -E2BIG);
	CHECK_INT(n, 0);
	CHECK_STR(err, "too many ports (at most 64)");
}

const struct unit_case unit_cases[] = {
	{ "addr_table", addr_table },
	{ "addr_binary_is_network_order", addr_binary_is_network_order },
	{ "addr_equal", addr_equal },
	{ "unicast_table", unicast_table },
	{ "uint_table", uint_table },
	{ "uint_message", uint_message },
	{ "epoch_table", epoch_table },
	{ "label_word_table", label_word_table },
	{ "sweep_delay_table", sweep_delay_table },
	{ "state_table", state_table },
	{ "name_table", name_table },
	{ "port_table", port_table },
	{ "ports_table", ports_table },
	{ "ports_at_most_max", ports_at_most_max },
	{ NULL, NULL },
};
