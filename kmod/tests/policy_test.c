// SPDX-License-Identifier: GPL-2.0
/*
 * Suite ctfailover_policy: malformed requests, from a table.
 *
 * A request is a script of attributes (ctf_test_attr), so the table can say
 * byte for byte what is sent: wrong lengths, missing NULs, unknown types,
 * nests without NLA_F_NESTED. Every case must be refused with its errno
 * and its exact extack message (none only for the core's -EPERM), the ack
 * must point at the offending attribute (or at none, where the module
 * reports a missing one), and the namespace must be exactly as before:
 * backends (removed ones too), ports, label word, sweep delay, the epoch
 * counter, and the arranged backend's epochs, state, name and removal.
 */
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "kunit_util.h"

enum ctf_test_op {
	CTF_OP_END,		/* zero: a script ends itself */
	CTF_OP_PUT,		/* one attribute: type, len bytes of data */
	CTF_OP_NEST,		/* open a nest of type, with NLA_F_NESTED */
	CTF_OP_NEST_NOFLAG,	/* ... without NLA_F_NESTED */
	CTF_OP_NEST_END,	/* close the innermost nest */
	CTF_OP_PORT_SEQ,	/* len CTF_A_PORT attributes: 1, 2, ... len */
};

struct ctf_test_attr {
	u8 op;
	u16 type;
	u16 len;
	const void *data;
};

#define CTF_T_BYTES(t, ...)	{ CTF_OP_PUT, t, sizeof((const u8[]){ __VA_ARGS__ }), \
				  (const u8[]){ __VA_ARGS__ } }
#define CTF_T_U8(t, v)		{ CTF_OP_PUT, t, sizeof(u8), &(const u8){ v } }
#define CTF_T_U16(t, v)		{ CTF_OP_PUT, t, sizeof(u16), &(const u16){ v } }
#define CTF_T_U32(t, v)		{ CTF_OP_PUT, t, sizeof(u32), &(const u32){ v } }
#define CTF_T_U64(t, v)		{ CTF_OP_PUT, t, sizeof(u64), &(const u64){ v } }
#define CTF_T_STR(t, s)		{ CTF_OP_PUT, t, sizeof(s), s }
#define CTF_T_EMPTY(t)		{ CTF_OP_PUT, t, 0, "" }
#define CTF_T_NEST(t)		{ CTF_OP_NEST, t }
#define CTF_T_NEST_NOFLAG(t)	{ CTF_OP_NEST_NOFLAG, t }
#define CTF_T_END		{ CTF_OP_NEST_END }
#define CTF_T_PORT_SEQ(n)	{ CTF_OP_PORT_SEQ, CTF_A_PORT, n }

/* The arranged backend, and addresses that are no backend. */
#define CTF_TEST_ADDR4		"192.0.2.1"
#define CTF_T_ADDR4		CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2, 1)
#define CTF_T_ADDR4_OTHER	CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2, 99)
#define CTF_T_ADDR6		CTF_T_BYTES(CTF_BA_ADDR6, 0x20, 0x01, 0x0d, 0xb8, \
					    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
/* ::ffff:192.0.2.1, the arranged backend's address as an IPv6 one */
#define CTF_T_ADDR6_MAPPED	CTF_T_BYTES(CTF_BA_ADDR6, 0, 0, 0, 0, 0, 0, 0, 0, \
					    0, 0, 0xff, 0xff, 192, 0, 2, 1)
#define CTF_T_BACKEND		CTF_T_NEST(CTF_A_BACKEND)
#define CTF_T_PORTS		CTF_T_NEST(CTF_A_PORTS)

#define CTF_TEST_NAME32		"sbc-0123456789abcdef0123456789ab"

/* Where an ack must point: the last attribute of @type at @depth. */
struct ctf_test_where {
	u8 depth;		/* 0: at nothing; 1: top level; 2: in a nest */
	u16 type;
};

#define CTF_AT_TOP(t)		{ 1, t }
#define CTF_AT_NEST(t)		{ 2, t }

#define CTF_TEST_MAX_ATTRS	8

/*
 * What is arranged at CTF_TEST_ADDR4: a backend at epoch 41, draining,
 * named "arranged"; or that backend removed (gone, at epoch 42).
 */
enum ctf_test_arranged {
	CTF_ARR_NONE,
	CTF_ARR_LIVE,
	CTF_ARR_GONE,
};

#define CTF_TEST_EPOCH		41
#define CTF_TEST_GONE_EPOCH	42

static const struct ctf_policy_case {
	const char *desc;
	u8 cmd;
	u8 backend;		/* arrange: enum ctf_test_arranged */
	struct ctf_test_attr attrs[CTF_TEST_MAX_ATTRS];
	int want;		/* the errno acked */
	const char *msg;	/* its extack message */
	struct ctf_test_where at;
	u16 flags;		/* on top of NLM_F_REQUEST */
	bool unprivileged;	/* sent without CAP_NET_ADMIN */
} ctf_policy_cases[] = {
	/* BACKEND_SET: the address */
	{ "set-addr4-3-bytes", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR4) },
	{ "set-addr4-5-bytes", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2, 1, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR4) },
	{ "set-addr6-15-bytes", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR6) },
	{ "set-addr6-as-addr4", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR6, 192, 0, 2, 1), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR6) },
	{ "set-both-addrs", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_ADDR6, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "set-no-addr", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "set-empty-nest", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "set-no-backend", CTF_CMD_BACKEND_SET, CTF_ARR_NONE, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "set-nest-without-flag", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_NEST_NOFLAG(CTF_A_BACKEND), CTF_T_ADDR4, CTF_T_END },
	  -EINVAL, CTF_MSG_NOT_NESTED, CTF_AT_TOP(CTF_A_BACKEND) },
	/* BACKEND_SET: the other fields */
	{ "set-name-32-chars", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, CTF_TEST_NAME32),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_POLICY, CTF_AT_NEST(CTF_BA_NAME) },
	{ "set-name-without-nul", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_BYTES(CTF_BA_NAME, 's', 'b', 'c'),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_POLICY, CTF_AT_NEST(CTF_BA_NAME) },
	{ "set-name-zero-bytes", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_EMPTY(CTF_BA_NAME), CTF_T_END },
	  -EINVAL, CTF_MSG_POLICY, CTF_AT_NEST(CTF_BA_NAME) },
	{ "set-epoch-0", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-epoch-0-existing", CTF_CMD_BACKEND_SET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 0), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-epoch-above-max", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, CTF_EPOCH_MAX + 1),
	    CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-epoch-u32-max-existing", CTF_CMD_BACKEND_SET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, U32_MAX), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_EPOCH) },
	/* An epoch is taken as given, but not a removed address's own. */
	{ "set-epoch-gone-equal", CTF_CMD_BACKEND_SET, CTF_ARR_GONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, CTF_TEST_GONE_EPOCH),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_EPOCH_GONE, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-epoch-gone-equal-name-down", CTF_CMD_BACKEND_SET, CTF_ARR_GONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "new"),
	    CTF_T_U8(CTF_BA_STATE, CTF_STATE_DOWN),
	    CTF_T_U32(CTF_BA_EPOCH, CTF_TEST_GONE_EPOCH), CTF_T_END },
	  -EINVAL, CTF_MSG_EPOCH_GONE, CTF_AT_NEST(CTF_BA_EPOCH) },
	/* Adopting needs an epoch and a live backend. */
	{ "adopt-without-epoch", CTF_CMD_BACKEND_SET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_EMPTY(CTF_BA_ADOPT), CTF_T_END },
	  -EINVAL, CTF_MSG_ADOPT, CTF_AT_NEST(CTF_BA_ADOPT) },
	{ "adopt-unknown-addr", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 7),
	    CTF_T_EMPTY(CTF_BA_ADOPT), CTF_T_END },
	  -EINVAL, CTF_MSG_ADOPT, CTF_AT_NEST(CTF_BA_ADOPT) },
	{ "adopt-gone", CTF_CMD_BACKEND_SET, CTF_ARR_GONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 7),
	    CTF_T_EMPTY(CTF_BA_ADOPT), CTF_T_END },
	  -EINVAL, CTF_MSG_ADOPT, CTF_AT_NEST(CTF_BA_ADOPT) },
	{ "set-epoch-u16", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U16(CTF_BA_EPOCH, 2), CTF_T_END },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "set-state-3", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 3), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_STATE) },
	{ "set-state-3-existing", CTF_CMD_BACKEND_SET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 3),
	    CTF_T_STR(CTF_BA_NAME, "new"), CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_BA_STATE) },
	{ "set-state-u32", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_STATE, 1), CTF_T_END },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_NEST(CTF_BA_STATE) },
	/* BACKEND_SET: reply-only and unknown attributes */
	{ "set-tagged", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U64(CTF_BA_TAGGED, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_TAGGED) },
	{ "set-stale-hits", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U64(CTF_BA_STALE_HITS, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_STALE_HITS) },
	{ "set-evicted", CTF_CMD_BACKEND_SET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U64(CTF_BA_EVICTED, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EVICTED) },
	{ "set-pad", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_EMPTY(CTF_BA_PAD), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_PAD) },
	{ "set-nested-type-0", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_UNSPEC, 1), CTF_T_END },
	  -EINVAL, CTF_MSG_UNKNOWN, CTF_AT_NEST(CTF_BA_UNSPEC) },
	{ "set-nested-above-max", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_MAX + 1, 1), CTF_T_END },
	  -EINVAL, CTF_MSG_UNKNOWN, CTF_AT_NEST(CTF_BA_MAX + 1) },
	{ "set-top-label-word", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END, CTF_T_U8(CTF_A_LABEL_WORD, 0) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "set-top-ports", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END, CTF_T_PORTS,
	    CTF_T_U16(CTF_A_PORT, 5060), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_PORTS) },
	{ "set-top-info-version", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END,
	    CTF_T_STR(CTF_A_INFO_VERSION, CTFAILOVER_VERSION) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_INFO_VERSION) },
	{ "set-top-above-max", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END, CTF_T_U32(CTF_A_MAX + 1, 0) },
	  -EINVAL, CTF_MSG_UNKNOWN, CTF_AT_TOP(CTF_A_MAX + 1) },
	/* BACKEND_GET, _DEL, _BUMP: the address is the key, and all of it */
	{ "get-name", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_NAME) },
	{ "get-epoch", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 41), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "get-state", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 0), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_STATE) },
	{ "get-unknown-addr4", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4_OTHER, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-unknown-addr6", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR6, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-v4-mapped", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR6_MAPPED, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-gone", CTF_CMD_BACKEND_GET, CTF_ARR_GONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-no-backend", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "get-both-addrs", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_ADDR6, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "get-addr4-3-bytes", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_BYTES(CTF_BA_ADDR4, 192, 0, 2), CTF_T_END },
	  -ERANGE, CTF_MSG_BIN_RANGE, CTF_AT_NEST(CTF_BA_ADDR4) },
	{ "del-name", CTF_CMD_BACKEND_DEL, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_NAME) },
	{ "del-epoch", CTF_CMD_BACKEND_DEL, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 41), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "del-unknown-addr", CTF_CMD_BACKEND_DEL, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR6, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "del-gone", CTF_CMD_BACKEND_DEL, CTF_ARR_GONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "del-no-backend", CTF_CMD_BACKEND_DEL, CTF_ARR_LIVE, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "del-both-addrs", CTF_CMD_BACKEND_DEL, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_ADDR6, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "bump-name", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_STR(CTF_BA_NAME, "sbc"), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_NAME) },
	{ "bump-epoch", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 41), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_EPOCH) },
	{ "bump-state", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U8(CTF_BA_STATE, 2), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_BA_STATE) },
	{ "bump-unknown-addr", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4_OTHER, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "bump-gone", CTF_CMD_BACKEND_BUMP, CTF_ARR_GONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -ENOENT, CTF_MSG_UNKNOWN_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "bump-no-backend", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE, {},
	  -EINVAL, CTF_MSG_NO_BACKEND },
	{ "bump-empty-nest", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_END },
	  -EINVAL, CTF_MSG_ONE_ADDR, CTF_AT_TOP(CTF_A_BACKEND) },
	/* PORTS_SET */
	{ "ports-zero", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5080), CTF_T_U16(CTF_A_PORT, 0),
	    CTF_T_END },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-duplicate", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5060), CTF_T_U16(CTF_A_PORT, 5080),
	    CTF_T_U16(CTF_A_PORT, 5060), CTF_T_END },
	  -EINVAL, CTF_MSG_DUP_PORT, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-65", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_PORT_SEQ(CTF_MAX_PORTS + 1), CTF_T_END },
	  -E2BIG, CTF_MSG_MANY_PORTS, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-empty-nest", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_END },
	  -EINVAL, CTF_MSG_EMPTY_PORTS, CTF_AT_TOP(CTF_A_PORTS) },
	{ "ports-missing", CTF_CMD_PORTS_SET, CTF_ARR_NONE, {},
	  -EINVAL, CTF_MSG_NO_PORTS },
	{ "ports-u32", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_U32(CTF_A_PORT, 5080), CTF_T_END },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_NEST(CTF_A_PORT) },
	{ "ports-foreign-attr", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5080), CTF_T_U8(CTF_A_LABEL_WORD, 0),
	    CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_NEST(CTF_A_LABEL_WORD) },
	{ "ports-nest-without-flag", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_NEST_NOFLAG(CTF_A_PORTS), CTF_T_U16(CTF_A_PORT, 5080), CTF_T_END },
	  -EINVAL, CTF_MSG_NOT_NESTED, CTF_AT_TOP(CTF_A_PORTS) },
	{ "ports-top-level-port", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_U16(CTF_A_PORT, 5080) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_PORT) },
	/* CONFIG_SET */
	{ "config-word-4", CTF_CMD_CONFIG_SET, CTF_ARR_NONE,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 4) },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "config-word-u32", CTF_CMD_CONFIG_SET, CTF_ARR_NONE,
	  { CTF_T_U32(CTF_A_LABEL_WORD, 1) },
	  -EINVAL, CTF_MSG_LEN, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "config-delay-3600001", CTF_CMD_CONFIG_SET, CTF_ARR_NONE,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, CTF_MAX_SWEEP_DELAY_MS + 1) },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_TOP(CTF_A_SWEEP_DELAY_MS) },
	{ "config-delay-bad-word-good", CTF_CMD_CONFIG_SET, CTF_ARR_NONE,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 1),
	    CTF_T_U32(CTF_A_SWEEP_DELAY_MS, CTF_MAX_SWEEP_DELAY_MS + 1) },
	  -ERANGE, CTF_MSG_INT_RANGE, CTF_AT_TOP(CTF_A_SWEEP_DELAY_MS) },
	{ "config-nothing", CTF_CMD_CONFIG_SET, CTF_ARR_NONE, {},
	  -EINVAL, CTF_MSG_NOTHING },
	{ "config-word-busy", CTF_CMD_CONFIG_SET, CTF_ARR_LIVE,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 2) },
	  -EBUSY, CTF_MSG_BUSY, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	/* Removed backends still hold stamps in the word. */
	{ "config-word-busy-gone", CTF_CMD_CONFIG_SET, CTF_ARR_GONE,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 2) },
	  -EBUSY, CTF_MSG_BUSY, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	/* All or nothing: the valid delay must not be applied either. */
	{ "config-word-busy-with-delay", CTF_CMD_CONFIG_SET, CTF_ARR_LIVE,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5), CTF_T_U8(CTF_A_LABEL_WORD, 2) },
	  -EBUSY, CTF_MSG_BUSY, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "config-foreign-attr", CTF_CMD_CONFIG_SET, CTF_ARR_NONE,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5), CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_BACKEND) },
	/* Commands that take no attribute */
	{ "ports-get-attr", CTF_CMD_PORTS_GET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5060), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_PORTS) },
	{ "stats-attr", CTF_CMD_STATS_GET, CTF_ARR_NONE,
	  { CTF_T_U8(CTF_A_LABEL_WORD, 3) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_LABEL_WORD) },
	{ "evict-attr", CTF_CMD_EVICT, CTF_ARR_LIVE,
	  { CTF_T_NEST(CTF_A_EVICT), CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_EVICT) },
	{ "bump-all-attr", CTF_CMD_BACKEND_BUMP_ALL, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_BACKEND) },
	{ "info-attr", CTF_CMD_GET_INFO, CTF_ARR_NONE,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5) },
	  -EINVAL, CTF_MSG_UNSUPPORTED, CTF_AT_TOP(CTF_A_SWEEP_DELAY_MS) },
	/*
	 * Without CAP_NET_ADMIN every command but GET_INFO is refused, before
	 * its attributes are even looked at (the core gives no message).
	 */
	{ "eperm-backend-set", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-set-malformed", CTF_CMD_BACKEND_SET, CTF_ARR_NONE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_U32(CTF_BA_EPOCH, 0), CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-get", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-dump", CTF_CMD_BACKEND_GET, CTF_ARR_LIVE, {},
	  -EPERM, NULL, {}, NLM_F_DUMP, true },
	{ "eperm-backend-del", CTF_CMD_BACKEND_DEL, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-bump", CTF_CMD_BACKEND_BUMP, CTF_ARR_LIVE,
	  { CTF_T_BACKEND, CTF_T_ADDR4, CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-backend-bump-all", CTF_CMD_BACKEND_BUMP_ALL, CTF_ARR_LIVE, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-ports-set", CTF_CMD_PORTS_SET, CTF_ARR_NONE,
	  { CTF_T_PORTS, CTF_T_U16(CTF_A_PORT, 5080), CTF_T_END },
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-ports-get", CTF_CMD_PORTS_GET, CTF_ARR_NONE, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-evict", CTF_CMD_EVICT, CTF_ARR_LIVE, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-stats-get", CTF_CMD_STATS_GET, CTF_ARR_NONE, {},
	  -EPERM, NULL, {}, 0, true },
	{ "eperm-config-set", CTF_CMD_CONFIG_SET, CTF_ARR_NONE,
	  { CTF_T_U32(CTF_A_SWEEP_DELAY_MS, 5) },
	  -EPERM, NULL, {}, 0, true },
};

static void ctf_policy_desc(const struct ctf_policy_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctf_policy, ctf_policy_cases, ctf_policy_desc);

/*
 * Append @script to the request in ctx->skb. Returns the attribute the ack
 * must point at: the last of @at's type at @at's depth (NULL: none).
 */
static const struct nlattr *ctf_test_put_script(struct kunit *test,
						const struct ctf_test_attr *script,
						struct ctf_test_where at)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlattr *nests[2], *attr = NULL, *bad = NULL;
	unsigned int depth = 0, level, i, j;

	for (i = 0; i < CTF_TEST_MAX_ATTRS && script[i].op != CTF_OP_END; i++) {
		const struct ctf_test_attr *a = &script[i];

		level = depth + 1;
		switch (a->op) {
		case CTF_OP_PUT:
			attr = (struct nlattr *)skb_tail_pointer(ctx->skb);
			KUNIT_ASSERT_EQ(test, nla_put(ctx->skb, a->type, a->len,
						      a->data), 0);
			break;
		case CTF_OP_NEST:
		case CTF_OP_NEST_NOFLAG:
			KUNIT_ASSERT_LT(test, depth, ARRAY_SIZE(nests));
			attr = a->op == CTF_OP_NEST ?
			       nla_nest_start(ctx->skb, a->type) :
			       nla_nest_start_noflag(ctx->skb, a->type);
			KUNIT_ASSERT_NOT_NULL(test, attr);
			nests[depth++] = attr;
			break;
		case CTF_OP_NEST_END:
			KUNIT_ASSERT_GT(test, depth, 0);
			nla_nest_end(ctx->skb, nests[--depth]);
			continue;
		case CTF_OP_PORT_SEQ:
			for (j = 1; j <= a->len; j++) {
				attr = (struct nlattr *)skb_tail_pointer(ctx->skb);
				KUNIT_ASSERT_EQ(test, nla_put_u16(ctx->skb, a->type, j), 0);
			}
			break;
		default:
			CTF_TEST_FAIL_AND_ABORT(test, "unknown op %u", a->op);
		}
		if (at.depth == level && at.type == a->type)
			bad = attr;
	}
	KUNIT_ASSERT_EQ_MSG(test, depth, 0, "the script leaves a nest open");
	KUNIT_ASSERT_TRUE_MSG(test, !at.depth || bad,
			      "the script has no attribute %u at depth %u",
			      at.type, at.depth);
	return bad;
}

/* What a refused request must leave alone. */
struct ctf_test_snap {
	unsigned int nbackends;
	unsigned int ngone;
	u32 last_epoch;
	u8 nports;
	u16 ports[CTF_MAX_PORTS];
	u8 label_word;
	u32 sweep_delay_ms;
	bool arranged;		/* the backend at CTF_TEST_ADDR4 exists */
	bool gone;
	u32 epoch;
	u32 unstamped_epoch;
	u8 state;
	char name[CTF_NAME_MAX];
};

static void ctf_test_snap(struct kunit *test, struct ctf_net *cn,
			  struct ctf_test_snap *s)
{
	union nf_inet_addr addr;
	struct ctf_backend *b;
	u8 family;

	memset(s, 0, sizeof(*s));
	ctf_test_addr(test, CTF_TEST_ADDR4, &family, &addr);
	mutex_lock(&cn->lock);
	s->nbackends = cn->nbackends;
	s->ngone = cn->ngone;
	s->last_epoch = cn->last_epoch;
	s->nports = cn->nports;
	memcpy(s->ports, cn->ports, cn->nports * sizeof(cn->ports[0]));
	s->label_word = cn->label_word;
	s->sweep_delay_ms = cn->sweep_delay_ms;
	b = ctf_backend_find(cn, family, &addr);
	if (b) {
		s->arranged = true;
		s->gone = b->gone;
		s->epoch = b->epoch;
		s->unstamped_epoch = b->unstamped_epoch;
		s->state = b->state;
		strscpy(s->name, b->name, sizeof(s->name));
	}
	mutex_unlock(&cn->lock);
}

static void ctf_test_expect_unchanged(struct kunit *test,
				      const struct ctf_test_snap *was,
				      const struct ctf_test_snap *is)
{
	KUNIT_EXPECT_EQ(test, is->nbackends, was->nbackends);
	KUNIT_EXPECT_EQ(test, is->ngone, was->ngone);
	KUNIT_EXPECT_EQ(test, is->last_epoch, was->last_epoch);
	KUNIT_EXPECT_EQ(test, is->nports, was->nports);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(is->ports, was->ports, sizeof(is->ports)),
			    0, "the port set changed");
	KUNIT_EXPECT_EQ(test, is->label_word, was->label_word);
	KUNIT_EXPECT_EQ(test, is->sweep_delay_ms, was->sweep_delay_ms);
	KUNIT_EXPECT_EQ(test, is->arranged, was->arranged);
	KUNIT_EXPECT_EQ(test, is->gone, was->gone);
	KUNIT_EXPECT_EQ(test, is->epoch, was->epoch);
	KUNIT_EXPECT_EQ(test, is->unstamped_epoch, was->unstamped_epoch);
	KUNIT_EXPECT_EQ(test, is->state, was->state);
	KUNIT_EXPECT_STREQ(test, is->name, was->name);
}

static void ctf_policy_test_refused(struct kunit *test)
{
	const struct ctf_policy_case *c = test->param_value;
	struct ctf_test_ctx *ctx = test->priv;
	struct ctf_test_snap was, is;
	const struct nlattr *bad;
	struct nlmsghdr *req, *nlh;
	struct ctf_backend *b;

	/* Arrange */
	if (c->unprivileged)
		ctf_test_connect_unprivileged(test);
	else
		ctf_test_connect(test);
	if (c->backend != CTF_ARR_NONE) {
		b = ctf_test_backend_add(test, ctx->cn, CTF_TEST_ADDR4,
					 CTF_TEST_EPOCH, CTF_STATE_DRAINING,
					 "arranged");
		if (c->backend == CTF_ARR_GONE)
			ctf_test_backend_remove(test, ctx->cn, b);
	}
	ctf_test_snap(test, ctx->cn, &was);
	if (c->backend == CTF_ARR_GONE) {
		KUNIT_ASSERT_TRUE(test, was.gone);
		KUNIT_ASSERT_EQ(test, was.epoch, CTF_TEST_GONE_EPOCH);
	}
	req = ctf_test_req(test, ctx->family, c->cmd, c->flags, 0);
	bad = ctf_test_put_script(test, c->attrs, c->at);

	/* Act */
	nlh = ctf_test_call(test, req);

	/* Assert */
	ctf_test_expect_ack(test, nlh, c->want, c->msg, bad);
	ctf_test_snap(test, ctx->cn, &is);
	ctf_test_expect_unchanged(test, &was, &is);
}

/* GET_INFO is the one command anybody may send. */
static void ctf_policy_test_info_unprivileged(struct kunit *test)
{
	struct ctf_test_ctx *ctx = test->priv;
	struct nlmsghdr *nlh;

	/* Arrange */
	ctf_test_connect_unprivileged(test);
	nlh = ctf_test_req(test, ctx->family, CTF_CMD_GET_INFO, 0, 0);

	/* Act */
	nlh = ctf_test_call(test, nlh);

	/* Assert */
	ctf_test_expect_reply(test, nlh, CTF_CMD_GET_INFO);
	ctf_test_expect_info(test, nlmsg_attrdata(nlh, GENL_HDRLEN),
			     nlmsg_attrlen(nlh, GENL_HDRLEN));
}

static struct kunit_case ctf_policy_test_cases[] = {
	KUNIT_CASE_PARAM(ctf_policy_test_refused, ctf_policy_gen_params),
	KUNIT_CASE(ctf_policy_test_info_unprivileged),
	{}
};

static struct kunit_suite ctf_policy_test_suite = {
	.name = "ctfailover_policy",
	.init = ctf_test_init_net,
	.exit = ctf_test_exit,
	.test_cases = ctf_policy_test_cases,
};

kunit_test_suite(ctf_policy_test_suite);
