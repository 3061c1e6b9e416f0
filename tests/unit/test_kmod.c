// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers and builders of userspace/common/kmod.c against hand-built
 * messages: what kmod/netlink.c sends per kmod/uapi/ctfailover.h, and every
 * way a broken or newer module could differ (sizes, missing attributes,
 * out-of-range values, unknown attributes).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "kmod.h"
#include "unit.h"
#include "uapi/ctfailover.h"

UNIT_SUITE("kmod");

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char buf[CTF_GENL_TXBUF];

static struct nlmsghdr *genl_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x23;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = CTFAILOVER_GENL_VERSION;
	return nlh;
}

static const uint8_t v4[4] = { 10, 0, 0, 1 };
static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

/* Leave out of a backend nest the attribute of type @skip (0: none). */
static void put_backend_attrs(struct nlmsghdr *nlh, unsigned int skip)
{
	if (skip != CTF_BA_ADDR4)
		mnl_attr_put(nlh, CTF_BA_ADDR4, sizeof(v4), v4);
	if (skip != CTF_BA_NAME)
		mnl_attr_put_strz(nlh, CTF_BA_NAME, "web1");
	if (skip != CTF_BA_EPOCH)
		mnl_attr_put_u32(nlh, CTF_BA_EPOCH, 7);
	if (skip != CTF_BA_UNSTAMPED_EPOCH)
		mnl_attr_put_u32(nlh, CTF_BA_UNSTAMPED_EPOCH, 3);
	if (skip != CTF_BA_STATE)
		mnl_attr_put_u8(nlh, CTF_BA_STATE, CTF_STATE_DRAINING);
	/* The kernel's nla_put_u64_64bit() may add a pad first. */
	mnl_attr_put(nlh, CTF_BA_PAD, 0, NULL);
	if (skip != CTF_BA_TAGGED)
		mnl_attr_put_u64(nlh, CTF_BA_TAGGED, 1000);
	if (skip != CTF_BA_STALE_HITS)
		mnl_attr_put_u64(nlh, CTF_BA_STALE_HITS, 20);
	if (skip != CTF_BA_EVICTED)
		mnl_attr_put_u64(nlh, CTF_BA_EVICTED, 3ULL << 40);
}

/* A whole reply about one backend, as fill_backend() builds it. */
static struct nlmsghdr *backend_msg(unsigned int skip)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_BACKEND);

	put_backend_attrs(nlh, skip);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* The CTF_A_BACKEND nest of the message in buf. */
static const struct nlattr *first_attr(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
}

/* A backend nest with only what @put adds. */
static const struct nlattr *nest_of(void (*put)(struct nlmsghdr *nlh))
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_BACKEND);

	put(nlh);
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

static void backend_full(void)
{
	struct ctf_backend b;

	CHECK_INT(ctf_kmod_parse_backend(first_attr(backend_msg(0)), &b), 0);
	CHECK_INT(b.addr.family, AF_INET);
	CHECK(!memcmp(&b.addr.v4, v4, 4));
	CHECK_STR(b.name, "web1");
	CHECK_INT(b.epoch, 7);
	CHECK_INT(b.unstamped_epoch, 3);
	CHECK_INT(b.state, CTF_STATE_DRAINING);
	CHECK_INT(b.tagged, 1000);
	CHECK_INT(b.stale_hits, 20);
	CHECK(b.evicted == 3ULL << 40);
	CHECK_INT(b.fields, CTF_BF_NAME | CTF_BF_REPLY | CTF_BF_UNSTAMPED);
}

static void put_v6_only(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, CTF_BA_ADDR6, sizeof(v6), v6);
}

static void backend_v6_address_only(void)
{
	struct ctf_backend b;
	char s[CTF_ADDR_STRLEN];

	CHECK_INT(ctf_kmod_parse_backend(nest_of(put_v6_only), &b), 0);
	CHECK_INT(b.addr.family, AF_INET6);
	CHECK_STR(ctf_addr_str(&b.addr, s), "2001:db8::1");
	CHECK_INT(b.fields, 0);
	CHECK_STR(b.name, "");
}

static void put_no_addr(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, CTF_BA_EPOCH, 1);
}

static void put_both_addrs(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, CTF_BA_ADDR4, sizeof(v4), v4);
	mnl_attr_put(nlh, CTF_BA_ADDR6, sizeof(v6), v6);
}

static void put_addr4_short(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, CTF_BA_ADDR4, 3, v4);
}

static void put_addr4_long(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, CTF_BA_ADDR4, 16, v6);
}

static void put_addr6_short(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, CTF_BA_ADDR6, 4, v4);
}

static void put_epoch_u16(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u16(nlh, CTF_BA_EPOCH, 1);
}

static void put_epoch_u64(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u64(nlh, CTF_BA_EPOCH, 1);
}

static void put_epoch_zero(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_EPOCH, 0);
}

static void put_epoch_above_max(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_EPOCH, CTF_EPOCH_MAX + 1);
}

static void put_unstamped_zero(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_UNSTAMPED_EPOCH, 0);
}

static void put_unstamped_u16(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u16(nlh, CTF_BA_UNSTAMPED_EPOCH, 1);
}

static void put_state_u32(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_STATE, CTF_STATE_ACTIVE);
}

static void put_state_out_of_range(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u8(nlh, CTF_BA_STATE, CTF_STATE_MAX + 1);
}

static void put_tagged_u32(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_TAGGED, 1);
}

static void put_stale_hits_u32(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_STALE_HITS, 1);
}

static void put_evicted_u32(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put_u32(nlh, CTF_BA_EVICTED, 1);
}

static void put_name_too_long(struct nlmsghdr *nlh)
{
	char name[CTF_NAME_MAX + 1];

	memset(name, 'n', CTF_NAME_MAX);
	name[CTF_NAME_MAX] = '\0'; /* 33 bytes with the NUL */
	put_v6_only(nlh);
	mnl_attr_put_strz(nlh, CTF_BA_NAME, name);
}

static void put_name_unterminated(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put(nlh, CTF_BA_NAME, 4, "web1");
}

static void put_name_empty_payload(struct nlmsghdr *nlh)
{
	put_v6_only(nlh);
	mnl_attr_put(nlh, CTF_BA_NAME, 0, NULL);
}

static const struct {
	const char *what;
	void (*put)(struct nlmsghdr *nlh);
} bad_backends[] = {
	{ "no address", put_no_addr },
	{ "both addresses", put_both_addrs },
	{ "ADDR4 of 3 bytes", put_addr4_short },
	{ "ADDR4 of 16 bytes", put_addr4_long },
	{ "ADDR6 of 4 bytes", put_addr6_short },
	{ "EPOCH u16", put_epoch_u16 },
	{ "EPOCH u64", put_epoch_u64 },
	{ "EPOCH 0", put_epoch_zero },
	{ "EPOCH above CTF_EPOCH_MAX", put_epoch_above_max },
	{ "UNSTAMPED_EPOCH 0", put_unstamped_zero },
	{ "UNSTAMPED_EPOCH u16", put_unstamped_u16 },
	{ "STATE u32", put_state_u32 },
	{ "STATE above CTF_STATE_MAX", put_state_out_of_range },
	{ "TAGGED u32", put_tagged_u32 },
	{ "STALE_HITS u32", put_stale_hits_u32 },
	{ "EVICTED u32", put_evicted_u32 },
	{ "NAME of CTF_NAME_MAX + 1 bytes", put_name_too_long },
	{ "NAME without NUL", put_name_unterminated },
	{ "NAME of 0 bytes", put_name_empty_payload },
};

static void backend_refuses_bad_nests(void)
{
	struct ctf_backend b;
	size_t i;

	for (i = 0; i < N(bad_backends); i++) {
		int ret = ctf_kmod_parse_backend(nest_of(bad_backends[i].put),
						 &b);

		if (ret != -EBADMSG)
			fprintf(stderr, "  accepted: %s\n",
				bad_backends[i].what);
		CHECK_INT(ret, -EBADMSG);
		CHECK_INT(b.addr.family, 0); /* nothing half-parsed */
	}
}

static void backend_not_a_nest(void)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_BACKEND_GET);
	struct ctf_backend b;

	/* Two bytes: not even room for one attribute header. */
	mnl_attr_put_u16(nlh, CTF_A_BACKEND, 1);
	CHECK_INT(ctf_kmod_parse_backend(first_attr(nlh), &b), -EBADMSG);
	CHECK_INT(ctf_kmod_parse_backend_msg(nlh, &b), -EBADMSG);
}

static void put_name_longest(struct nlmsghdr *nlh)
{
	char name[CTF_NAME_MAX];

	memset(name, 'n', CTF_NAME_MAX - 1);
	name[CTF_NAME_MAX - 1] = '\0';
	put_v6_only(nlh);
	mnl_attr_put_strz(nlh, CTF_BA_NAME, name);
}

static void backend_longest_name(void)
{
	struct ctf_backend b;

	CHECK_INT(ctf_kmod_parse_backend(nest_of(put_name_longest), &b), 0);
	CHECK_INT(strlen(b.name), CTF_NAME_MAX - 1);
	CHECK_INT(b.fields, CTF_BF_NAME);
}

static void put_unknown(struct nlmsghdr *nlh)
{
	mnl_attr_put_u64(nlh, CTF_BA_MAX + 3, 1);
	mnl_attr_put(nlh, CTF_BA_PAD, 4, "pad!");
	mnl_attr_put(nlh, CTF_BA_UNSPEC, 3, "abc");
	put_backend_attrs(nlh, 0);
	mnl_attr_put_strz(nlh, CTF_BA_MAX + 1, "from a newer module");
}

static void backend_skips_unknown_attributes(void)
{
	struct ctf_backend b;

	CHECK_INT(ctf_kmod_parse_backend(nest_of(put_unknown), &b), 0);
	CHECK_INT(b.epoch, 7);
	CHECK_INT(b.fields, CTF_BF_NAME | CTF_BF_REPLY | CTF_BF_UNSTAMPED);
}

static void backend_round_trip(void)
{
	struct ctf_backend in = { 0 }, out;
	char err[CTF_PARSE_ERRLEN];
	struct nlmsghdr *nlh;
	const struct nlattr *nest, *attr;
	int adopt = 0;

	CHECK_INT(ctf_parse_addr("2001:db8::42", &in.addr, err, sizeof(err)),
		  0);
	strcpy(in.name, "b-2");
	in.epoch = CTF_EPOCH_MAX;
	in.state = CTF_STATE_DOWN;

	nlh = genl_msg(CTF_CMD_BACKEND_SET);
	ctf_kmod_put_backend(nlh, &in, CTF_BF_SETTABLE);
	nest = first_attr(nlh);
	CHECK_INT(mnl_attr_get_type(nest), CTF_A_BACKEND);
	CHECK_INT(ctf_kmod_parse_backend(nest, &out), 0);
	CHECK(ctf_addr_equal(&in.addr, &out.addr));
	CHECK_STR(out.name, "b-2");
	CHECK(out.epoch == CTF_EPOCH_MAX);
	CHECK_INT(out.state, CTF_STATE_DOWN);
	/* Adopt is a request's flag: no reply carries it. */
	CHECK_INT(out.fields, CTF_BF_SETTABLE & ~CTF_BF_ADOPT);
	/* It goes out as an empty CTF_BA_ADOPT in the nest. */
	mnl_attr_for_each_nested(attr, nest)
		if (mnl_attr_get_type(attr) == CTF_BA_ADOPT)
			adopt += 1 + (int)mnl_attr_get_payload_len(attr);
	CHECK_INT(adopt, 1);
}

static void backend_put_only_requested_fields(void)
{
	struct ctf_backend in = { 0 }, out;
	char err[CTF_PARSE_ERRLEN];
	struct nlmsghdr *nlh;

	CHECK_INT(ctf_parse_addr("10.9.8.7", &in.addr, err, sizeof(err)), 0);
	strcpy(in.name, "unsent");
	in.epoch = 5;
	in.state = CTF_STATE_DOWN;

	/* State only: an epoch of 5 and the name must not go out. */
	nlh = genl_msg(CTF_CMD_BACKEND_SET);
	ctf_kmod_put_backend(nlh, &in, CTF_BF_STATE);
	CHECK_INT(ctf_kmod_parse_backend(first_attr(nlh), &out), 0);
	CHECK_INT(out.fields, CTF_BF_STATE);
	CHECK_INT(out.state, CTF_STATE_DOWN);
	CHECK_INT(out.addr.family, AF_INET);

	/* The address alone: what GET, DEL and BUMP send. */
	nlh = genl_msg(CTF_CMD_BACKEND_DEL);
	ctf_kmod_put_backend(nlh, &in, 0);
	CHECK_INT(ctf_kmod_parse_backend(first_attr(nlh), &out), 0);
	CHECK_INT(out.fields, 0);
	CHECK(ctf_addr_equal(&in.addr, &out.addr));
	/* An empty name is still a name when asked for. */
	in.name[0] = '\0';
	nlh = genl_msg(CTF_CMD_BACKEND_SET);
	ctf_kmod_put_backend(nlh, &in, CTF_BF_NAME);
	CHECK_INT(ctf_kmod_parse_backend(first_attr(nlh), &out), 0);
	CHECK_INT(out.fields, CTF_BF_NAME);
}

static void backend_msg_ok(void)
{
	struct ctf_backend b;

	CHECK_INT(ctf_kmod_parse_backend_msg(backend_msg(0), &b), 0);
	CHECK_INT(b.epoch, 7);
	/* A backend without a name: the kernel leaves CTF_BA_NAME out. */
	CHECK_INT(ctf_kmod_parse_backend_msg(backend_msg(CTF_BA_NAME), &b), 0);
	CHECK_STR(b.name, "");
	CHECK_INT(b.fields, CTF_BF_REPLY | CTF_BF_UNSTAMPED);
	/* An older module sends no UNSTAMPED_EPOCH: not required. */
	CHECK_INT(ctf_kmod_parse_backend_msg(
			  backend_msg(CTF_BA_UNSTAMPED_EPOCH), &b),
		  0);
	CHECK_INT(b.fields, CTF_BF_NAME | CTF_BF_REPLY);
}

static void backend_msg_requires_every_reply_field(void)
{
	static const unsigned int required[] = {
		CTF_BA_ADDR4,  CTF_BA_EPOCH,	  CTF_BA_STATE,
		CTF_BA_TAGGED, CTF_BA_STALE_HITS, CTF_BA_EVICTED,
	};
	struct ctf_backend b;
	size_t i;

	for (i = 0; i < N(required); i++) {
		CHECK_INT(ctf_kmod_parse_backend_msg(backend_msg(required[i]),
						     &b),
			  -EBADMSG);
		CHECK_INT(b.fields, 0);
	}
}

static void backend_msg_without_nest(void)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_BACKEND_GET);
	struct ctf_backend b;

	mnl_attr_put_u32(nlh, CTF_A_STALE_EPOCH, 1);
	CHECK_INT(ctf_kmod_parse_backend_msg(nlh, &b), -EBADMSG);
}

static void backend_msg_without_genl_header(void)
{
	struct nlmsghdr *nlh;
	struct ctf_backend b;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	CHECK_INT(ctf_kmod_parse_backend_msg(nlh, &b), -EBADMSG);
}

static void backend_msg_known_top_attribute_of_wrong_size(void)
{
	struct nlmsghdr *nlh = backend_msg(0);
	struct ctf_backend b;

	mnl_attr_put_u32(nlh, CTF_A_LABEL_WORD, 1); /* a u8 */
	CHECK_INT(ctf_kmod_parse_backend_msg(nlh, &b), -EBADMSG);
}

static void backend_msg_skips_unknown_top_attributes(void)
{
	struct nlmsghdr *nlh = backend_msg(0);
	struct ctf_backend b;

	mnl_attr_put_u64(nlh, CTF_A_MAX + 5, 1);
	mnl_attr_put(nlh, CTF_A_PAD, 0, NULL);
	CHECK_INT(ctf_kmod_parse_backend_msg(nlh, &b), 0);
	CHECK_INT(b.state, CTF_STATE_DRAINING);
}

/* A PORTS_GET reply: CTF_A_PORTS with @n ports from @ports. */
static struct nlmsghdr *ports_msg(const uint16_t *ports, unsigned int n)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_PORTS_GET);

	ctf_kmod_put_ports(nlh, ports, n);
	return nlh;
}

static void ports_ok_in_order(void)
{
	static const uint16_t in[] = { 5080, 5060, 65535, 1 };
	struct ctf_ports p;
	unsigned int i;

	CHECK_INT(ctf_kmod_parse_ports_msg(ports_msg(in, N(in)), &p), 0);
	CHECK_INT(p.n, N(in));
	for (i = 0; i < N(in); i++)
		CHECK_INT(p.port[i], in[i]);
}

static void ports_empty_set(void)
{
	struct ctf_ports p;

	CHECK_INT(ctf_kmod_parse_ports_msg(ports_msg(NULL, 0), &p), 0);
	CHECK_INT(p.n, 0);
}

static void ports_most(void)
{
	uint16_t in[CTF_MAX_PORTS + 1];
	struct ctf_ports p;
	unsigned int i;

	for (i = 0; i < N(in); i++)
		in[i] = 6000 + i;
	CHECK_INT(ctf_kmod_parse_ports_msg(ports_msg(in, CTF_MAX_PORTS), &p),
		  0);
	CHECK_INT(p.n, CTF_MAX_PORTS);
	CHECK_INT(ctf_kmod_parse_ports_msg(ports_msg(in, N(in)), &p), -EBADMSG);
	CHECK_INT(p.n, 0);
}

static void ports_refuse_zero_and_duplicates(void)
{
	static const uint16_t zero[] = { 5060, 0 }, dup[] = { 5060, 5060 };
	struct ctf_ports p;

	CHECK_INT(ctf_kmod_parse_ports_msg(ports_msg(zero, 2), &p), -EBADMSG);
	CHECK_INT(ctf_kmod_parse_ports_msg(ports_msg(dup, 2), &p), -EBADMSG);
	CHECK_INT(p.n, 0);
}

static void ports_wrong_size(void)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_PORTS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_PORTS);
	struct ctf_ports p;

	mnl_attr_put_u32(nlh, CTF_A_PORT, 5060);
	mnl_attr_nest_end(nlh, nest);
	CHECK_INT(ctf_kmod_parse_ports(nest, &p), -EBADMSG);
}

static void ports_skip_unknown(void)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_PORTS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_PORTS);
	struct ctf_ports p;

	mnl_attr_put_u64(nlh, CTF_A_MAX + 1, 1);
	mnl_attr_put_u16(nlh, CTF_A_PORT, 5060);
	mnl_attr_put_u32(nlh, CTF_A_STALE_EPOCH, 1);
	mnl_attr_nest_end(nlh, nest);
	CHECK_INT(ctf_kmod_parse_ports(nest, &p), 0);
	CHECK_INT(p.n, 1);
	CHECK_INT(p.port[0], 5060);
}

static void ports_msg_without_nest(void)
{
	struct ctf_ports p;

	CHECK_INT(ctf_kmod_parse_ports_msg(genl_msg(CTF_CMD_PORTS_GET), &p),
		  -EBADMSG);
}

/*
 * An evict nest without the attribute @skip, and @short_one sent as a u32
 * (0: none), plus pads and an unknown attribute.
 */
static struct nlmsghdr *evict_msg(uint8_t cmd, unsigned int skip,
				  unsigned int short_one)
{
	struct nlmsghdr *nlh = genl_msg(cmd);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_EVICT);
	unsigned int t;

	for (t = CTF_EV_SCANNED; t <= CTF_EV_USEC; t++) {
		if (t == skip)
			continue;
		mnl_attr_put(nlh, CTF_EV_PAD, 0, NULL);
		if (t == short_one)
			mnl_attr_put_u32(nlh, t, 1);
		else
			mnl_attr_put_u64(nlh, t, 100 * t);
	}
	mnl_attr_put_u64(nlh, CTF_EV_MAX + 2, 9);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void evict_ok(void)
{
	struct ctf_evict ev;

	CHECK_INT(ctf_kmod_parse_evict_msg(evict_msg(CTF_CMD_EVICT, 0, 0), &ev),
		  0);
	CHECK_INT(ev.scanned, 100 * CTF_EV_SCANNED);
	CHECK_INT(ev.evicted, 100 * CTF_EV_EVICTED);
	CHECK_INT(ev.usec, 100 * CTF_EV_USEC);
}

static void evict_refuses_missing_or_short(void)
{
	struct ctf_evict ev;
	unsigned int t;

	for (t = CTF_EV_SCANNED; t <= CTF_EV_USEC; t++) {
		CHECK_INT(ctf_kmod_parse_evict_msg(
				  evict_msg(CTF_CMD_EVICT, t, 0), &ev),
			  -EBADMSG);
		CHECK_INT(ctf_kmod_parse_evict_msg(
				  evict_msg(CTF_CMD_EVICT, 0, t), &ev),
			  -EBADMSG);
		CHECK_INT(ev.scanned, 0);
	}
}

static void evict_msg_without_nest(void)
{
	struct ctf_evict ev;

	CHECK_INT(ctf_kmod_parse_evict_msg(genl_msg(CTF_CMD_EVICT), &ev),
		  -EBADMSG);
}

/*
 * A stats reply; @skip leaves out a CTF_ST_* attribute, @short_one sends
 * one with the wrong size; a negative @label_word or @delay leaves out
 * CTF_A_LABEL_WORD or CTF_A_SWEEP_DELAY_MS.
 */
static struct nlmsghdr *stats_msg_delay(unsigned int skip,
					unsigned int short_one, int label_word,
					long long delay)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_STATS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_STATS);
	unsigned int t;

	for (t = CTF_ST_BACKENDS; t <= CTF_ST_UNTAGGABLE; t++) {
		if (t == skip)
			continue;
		if (t == CTF_ST_BACKENDS)
			mnl_attr_put_u32(nlh, t, 2);
		else if (t == short_one)
			mnl_attr_put_u32(nlh, t, 1);
		else
			mnl_attr_put_u64(nlh, t, 1000 + t);
	}
	if (short_one == CTF_ST_BACKENDS) {
		/* Replace the u32 above by a u64: the last one wins. */
		mnl_attr_put_u64(nlh, CTF_ST_BACKENDS, 2);
	}
	mnl_attr_put_u64(nlh, CTF_ST_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
	if (label_word >= 0)
		mnl_attr_put_u8(nlh, CTF_A_LABEL_WORD, label_word);
	if (delay >= 0)
		mnl_attr_put_u32(nlh, CTF_A_SWEEP_DELAY_MS, delay);
	return nlh;
}

static struct nlmsghdr *stats_msg(unsigned int skip, unsigned int short_one,
				  int label_word)
{
	return stats_msg_delay(skip, short_one, label_word,
			       CTF_DEFAULT_SWEEP_DELAY_MS);
}

static void stats_ok(void)
{
	struct ctf_stats st;

	CHECK_INT(ctf_kmod_parse_stats(stats_msg(0, 0, 3), &st), 0);
	CHECK_INT(st.backends, 2);
	CHECK_INT(st.tagged, 1000 + CTF_ST_TAGGED);
	CHECK_INT(st.stale_hits, 1000 + CTF_ST_STALE_HITS);
	CHECK_INT(st.evicted, 1000 + CTF_ST_EVICTED);
	CHECK_INT(st.sweeps, 1000 + CTF_ST_SWEEPS);
	CHECK_INT(st.untaggable, 1000 + CTF_ST_UNTAGGABLE);
	CHECK_INT(st.label_word, 3);
	CHECK_INT(st.sweep_delay_ms, CTF_DEFAULT_SWEEP_DELAY_MS);
	CHECK_INT(ctf_kmod_parse_stats(stats_msg(0, 0, 0), &st), 0);
	CHECK_INT(st.label_word, 0);
}

static void stats_sweep_delay(void)
{
	struct nlmsghdr *nlh;
	struct ctf_stats st;

	CHECK_INT(ctf_kmod_parse_stats(stats_msg_delay(0, 0, 3, 0), &st), 0);
	CHECK_INT(st.sweep_delay_ms, 0);
	CHECK_INT(
		ctf_kmod_parse_stats(
			stats_msg_delay(0, 0, 3, CTF_MAX_SWEEP_DELAY_MS), &st),
		0);
	CHECK_INT(st.sweep_delay_ms, CTF_MAX_SWEEP_DELAY_MS);
	CHECK_INT(ctf_kmod_parse_stats(
			  stats_msg_delay(0, 0, 3, CTF_MAX_SWEEP_DELAY_MS + 1),
			  &st),
		  -EBADMSG);
	CHECK_INT(ctf_kmod_parse_stats(stats_msg_delay(0, 0, 3, -1), &st),
		  -EBADMSG);
	nlh = stats_msg_delay(0, 0, 3, -1);
	mnl_attr_put_u16(nlh, CTF_A_SWEEP_DELAY_MS, 10);
	CHECK_INT(ctf_kmod_parse_stats(nlh, &st), -EBADMSG);
	CHECK_INT(st.label_word, 0);
}

/* What CONFIG_SET sends: exactly the fields asked for. */
static void config_put(void)
{
	static const struct ctf_config cases[] = {
		{ 2, 500, CTF_CF_LABEL_WORD },
		{ 2, 500, CTF_CF_SWEEP_DELAY },
		{ 0, 0, CTF_CF_LABEL_WORD | CTF_CF_SWEEP_DELAY },
		{ 3, CTF_MAX_SWEEP_DELAY_MS,
		  CTF_CF_LABEL_WORD | CTF_CF_SWEEP_DELAY },
	};
	const struct nlattr *attr;
	struct nlmsghdr *nlh;
	unsigned int seen;
	size_t i;

	for (i = 0; i < N(cases); i++) {
		nlh = genl_msg(CTF_CMD_CONFIG_SET);
		ctf_kmod_put_config(nlh, &cases[i]);
		seen = 0;
		mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
			switch (mnl_attr_get_type(attr)) {
			case CTF_A_LABEL_WORD:
				CHECK_INT(mnl_attr_validate(attr, MNL_TYPE_U8),
					  0);
				CHECK_INT(mnl_attr_get_u8(attr),
					  cases[i].label_word);
				seen |= CTF_CF_LABEL_WORD;
				break;
			case CTF_A_SWEEP_DELAY_MS:
				CHECK_INT(mnl_attr_validate(attr, MNL_TYPE_U32),
					  0);
				CHECK_INT(mnl_attr_get_u32(attr),
					  cases[i].sweep_delay_ms);
				seen |= CTF_CF_SWEEP_DELAY;
				break;
			default:
				CHECK(!"an attribute CONFIG_SET does not take");
			}
		}
		CHECK_INT(seen, cases[i].fields);
	}
}

static void stats_refuse_missing_or_short(void)
{
	struct ctf_stats st;
	unsigned int t;

	for (t = CTF_ST_BACKENDS; t <= CTF_ST_UNTAGGABLE; t++) {
		CHECK_INT(ctf_kmod_parse_stats(stats_msg(t, 0, 3), &st),
			  -EBADMSG);
		CHECK_INT(ctf_kmod_parse_stats(stats_msg(0, t, 3), &st),
			  -EBADMSG);
		CHECK_INT(st.backends, 0);
	}
}

static void stats_label_word(void)
{
	struct nlmsghdr *nlh;
	struct ctf_stats st;

	CHECK_INT(ctf_kmod_parse_stats(stats_msg(0, 0, -1), &st), -EBADMSG);
	CHECK_INT(ctf_kmod_parse_stats(stats_msg(0, 0, 4), &st), -EBADMSG);
	CHECK_INT(ctf_kmod_parse_stats(stats_msg(0, 0, 255), &st), -EBADMSG);

	nlh = stats_msg(0, 0, -1);
	mnl_attr_put_u32(nlh, CTF_A_LABEL_WORD, 1);
	CHECK_INT(ctf_kmod_parse_stats(nlh, &st), -EBADMSG);
}

static void stats_without_nest(void)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_STATS_GET);
	struct ctf_stats st;

	mnl_attr_put_u8(nlh, CTF_A_LABEL_WORD, 3);
	CHECK_INT(ctf_kmod_parse_stats(nlh, &st), -EBADMSG);
}

static void event_evicted(void)
{
	struct ctf_event ev;

	CHECK_INT(ctf_kmod_parse_event(evict_msg(CTF_CMD_EVENT_EVICTED, 0, 0),
				       &ev),
		  0);
	CHECK_INT(ev.cmd, CTF_CMD_EVENT_EVICTED);
	CHECK_INT(ev.evict.evicted, 100 * CTF_EV_EVICTED);
	CHECK_INT(
		ctf_kmod_parse_event(
			evict_msg(CTF_CMD_EVENT_EVICTED, CTF_EV_USEC, 0), &ev),
		-EBADMSG);
	CHECK_INT(ev.cmd, 0);
	CHECK_INT(ctf_kmod_parse_event(genl_msg(CTF_CMD_EVENT_EVICTED), &ev),
		  -EBADMSG);
}

/* What ctf_nl_event_stale() sends; @b: the backend is still there. */
static struct nlmsghdr *stale_msg(bool b, bool epoch_attr)
{
	struct nlmsghdr *nlh = genl_msg(CTF_CMD_EVENT_STALE);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTF_A_BACKEND);

	mnl_attr_put(nlh, CTF_BA_ADDR6, sizeof(v6), v6);
	if (b) {
		mnl_attr_put_u32(nlh, CTF_BA_EPOCH, 9);
		mnl_attr_put_u8(nlh, CTF_BA_STATE, CTF_STATE_ACTIVE);
	}
	mnl_attr_nest_end(nlh, nest);
	if (epoch_attr)
		mnl_attr_put_u32(nlh, CTF_A_STALE_EPOCH, 8);
	return nlh;
}

static void event_stale(void)
{
	struct ctf_event ev;

	CHECK_INT(ctf_kmod_parse_event(stale_msg(true, true), &ev), 0);
	CHECK_INT(ev.cmd, CTF_CMD_EVENT_STALE);
	CHECK_INT(ev.backend.addr.family, AF_INET6);
	CHECK_INT(ev.backend.epoch, 9);
	CHECK_INT(ev.backend.fields, CTF_BF_EPOCH | CTF_BF_STATE);
	CHECK_INT(ev.stale_epoch, 8);

	/* The backend was removed: only its address is known. */
	CHECK_INT(ctf_kmod_parse_event(stale_msg(false, true), &ev), 0);
	CHECK_INT(ev.backend.fields, 0);
	CHECK_INT(ev.stale_epoch, 8);
}

static void event_stale_refused(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ctf_event ev;

	CHECK_INT(ctf_kmod_parse_event(stale_msg(true, false), &ev), -EBADMSG);

	nlh = genl_msg(CTF_CMD_EVENT_STALE);
	mnl_attr_put_u32(nlh, CTF_A_STALE_EPOCH, 8);
	CHECK_INT(ctf_kmod_parse_event(nlh, &ev), -EBADMSG);

	nlh = stale_msg(true, false);
	mnl_attr_put_u16(nlh, CTF_A_STALE_EPOCH, 8);
	CHECK_INT(ctf_kmod_parse_event(nlh, &ev), -EBADMSG);

	/* A backend nest without an address. */
	nlh = genl_msg(CTF_CMD_EVENT_STALE);
	nest = mnl_attr_nest_start(nlh, CTF_A_BACKEND);
	mnl_attr_put_u32(nlh, CTF_BA_EPOCH, 9);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, CTF_A_STALE_EPOCH, 8);
	CHECK_INT(ctf_kmod_parse_event(nlh, &ev), -EBADMSG);
	CHECK_INT(ev.cmd, 0);
}

static void event_unknown_command(void)
{
	struct ctf_event ev;

	CHECK_INT(ctf_kmod_parse_event(genl_msg(CTF_CMD_MAX + 1), &ev),
		  -EOPNOTSUPP);
	/* A reply is no event either. */
	CHECK_INT(ctf_kmod_parse_event(backend_msg(0), &ev), -EOPNOTSUPP);
}

const struct unit_case unit_cases[] = {
	{ "backend_full", backend_full },
	{ "backend_v6_address_only", backend_v6_address_only },
	{ "backend_refuses_bad_nests", backend_refuses_bad_nests },
	{ "backend_not_a_nest", backend_not_a_nest },
	{ "backend_longest_name", backend_longest_name },
	{ "backend_skips_unknown_attributes",
	  backend_skips_unknown_attributes },
	{ "backend_round_trip", backend_round_trip },
	{ "backend_put_only_requested_fields",
	  backend_put_only_requested_fields },
	{ "backend_msg_ok", backend_msg_ok },
	{ "backend_msg_requires_every_reply_field",
	  backend_msg_requires_every_reply_field },
	{ "backend_msg_without_nest", backend_msg_without_nest },
	{ "backend_msg_without_genl_header", backend_msg_without_genl_header },
	{ "backend_msg_known_top_attribute_of_wrong_size",
	  backend_msg_known_top_attribute_of_wrong_size },
	{ "backend_msg_skips_unknown_top_attributes",
	  backend_msg_skips_unknown_top_attributes },
	{ "ports_ok_in_order", ports_ok_in_order },
	{ "ports_empty_set", ports_empty_set },
	{ "ports_most", ports_most },
	{ "ports_refuse_zero_and_duplicates",
	  ports_refuse_zero_and_duplicates },
	{ "ports_wrong_size", ports_wrong_size },
	{ "ports_skip_unknown", ports_skip_unknown },
	{ "ports_msg_without_nest", ports_msg_without_nest },
	{ "evict_ok", evict_ok },
	{ "evict_refuses_missing_or_short", evict_refuses_missing_or_short },
	{ "evict_msg_without_nest", evict_msg_without_nest },
	{ "stats_ok", stats_ok },
	{ "stats_refuse_missing_or_short", stats_refuse_missing_or_short },
	{ "stats_label_word", stats_label_word },
	{ "stats_sweep_delay", stats_sweep_delay },
	{ "config_put", config_put },
	{ "stats_without_nest", stats_without_nest },
	{ "event_evicted", event_evicted },
	{ "event_stale", event_stale },
	{ "event_stale_refused", event_stale_refused },
	{ "event_unknown_command", event_unknown_command },
	{ NULL, NULL },
};
