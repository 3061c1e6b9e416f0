// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers of userspace/common/genl.c against hand-built netlink messages:
 * what the kernel sends, and what a broken or hostile peer could send.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "genl.h"
#include "unit.h"
#include "uapi/ctfailover.h"

UNIT_SUITE("genl");

static char buf[CTF_GENL_TXBUF];

static struct nlmsghdr *genl_msg(uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	return nlh;
}

/* An NLMSG_ERROR for a request that carried @req_payload bytes. */
static struct nlmsghdr *error_msg(int error, uint16_t flags, size_t req_payload,
				  const char *extack)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = flags;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	if (!(flags & NLM_F_CAPPED)) {
		/* The kernel echoes the whole request after the header. */
		e->msg.nlmsg_len += req_payload;
		mnl_nlmsg_put_extra_header(nlh, MNL_ALIGN(req_payload));
	}
	if (extack)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	return nlh;
}

static void error_ack(void)
{
	char msg[64] = "stale";

	CHECK_INT(ctf_nl_parse_error(error_msg(0, NLM_F_CAPPED, 0, NULL), msg,
				     sizeof(msg)),
		  0);
	CHECK_STR(msg, "");
}

static void error_extack_capped(void)
{
	char msg[64];
	struct nlmsghdr *nlh;

	nlh = error_msg(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0, "bad port");
	CHECK_INT(ctf_nl_parse_error(nlh, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(msg, "bad port");
}

static void error_extack_uncapped(void)
{
	char msg[64];
	struct nlmsghdr *nlh;

	nlh = error_msg(-EPERM, NLM_F_ACK_TLVS, 24, "not allowed");
	CHECK_INT(ctf_nl_parse_error(nlh, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "not allowed");
}

static void error_extack_truncated_to_buffer(void)
{
	char msg[5];

	CHECK_INT(ctf_nl_parse_error(error_msg(-EINVAL,
					       NLM_F_CAPPED | NLM_F_ACK_TLVS, 0,
					       "longer"),
				     msg, sizeof(msg)),
		  -EINVAL);
	CHECK_STR(msg, "long");
}

static void error_without_tlvs_flag_ignores_them(void)
{
	char msg[64];

	CHECK_INT(ctf_nl_parse_error(error_msg(-EINVAL, NLM_F_CAPPED, 0, "x"),
				     msg, sizeof(msg)),
		  -EINVAL);
	CHECK_STR(msg, "");
}

static void error_short_is_bad_message(void)
{
	struct nlmsghdr *nlh;
	char msg[8];

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	CHECK_INT(ctf_nl_parse_error(nlh, msg, sizeof(msg)), -EBADMSG);
}

static void error_positive_is_bad_message(void)
{
	char msg[8];

	CHECK_INT(ctf_nl_parse_error(error_msg(5, NLM_F_CAPPED, 0, NULL), msg,
				     sizeof(msg)),
		  -EBADMSG);
}

static void family_ok(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	struct ctf_genl_family fam = { 0 };

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x23);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), 0);
	CHECK_INT(fam.id, 0x23);
	CHECK_INT(fam.version, 1);
	CHECK_INT(fam.events_group, 0); /* a family without groups */
}

static void family_without_id_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	struct ctf_genl_family fam = { .id = 7 };

	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
	CHECK_INT(fam.id, 7);
}

static void family_id_of_wrong_size_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	struct ctf_genl_family fam;

	mnl_attr_put_u32(nlh, CTRL_ATTR_FAMILY_ID, 0x23);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

static void family_without_genl_header_is_refused(void)
{
	struct nlmsghdr *nlh;
	struct ctf_genl_family fam;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

/* One CTRL_ATTR_MCAST_GROUPS entry, as the controller nests it. */
static void put_group(struct nlmsghdr *nlh, uint16_t index, const char *name,
		      uint32_t id)
{
	struct nlattr *entry = mnl_attr_nest_start(nlh, index);

	if (id)
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, id);
	if (name)
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, name);
	mnl_attr_nest_end(nlh, entry);
}

static struct nlmsghdr *family_with_groups(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x23);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	return nlh;
}

static void family_events_group(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, "other", 11);
	put_group(nlh, 2, CTFAILOVER_MCGRP_EVENTS, 12);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), 0);
	CHECK_INT(fam.id, 0x23);
	CHECK_INT(fam.events_group, 12);
}

static void family_groups_without_events(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, "eventsX", 11);
	put_group(nlh, 2, "event", 12);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), 0);
	CHECK_INT(fam.events_group, 0);
}

static void family_group_unknown_attribute_skipped(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups, *entry;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	entry = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u64(nlh, CTRL_ATTR_MCAST_GRP_MAX + 5, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
			  CTFAILOVER_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), 0);
	CHECK_INT(fam.events_group, 9);
}

static void family_group_id_of_wrong_size_is_refused(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups, *entry;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	entry = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
			  CTFAILOVER_MCGRP_EVENTS);
	mnl_attr_put_u16(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

static void family_group_without_id_is_refused(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, CTFAILOVER_MCGRP_EVENTS, 0);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

static void family_group_without_name_is_refused(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	put_group(nlh, 1, NULL, 4);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

static void family_group_unterminated_name_is_refused(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups, *entry;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	entry = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put(nlh, CTRL_ATTR_MCAST_GRP_NAME, 6, "events");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

static void family_group_entry_not_nested_is_refused(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	mnl_attr_put_u16(nlh, 1, 9); /* 2 bytes: no room for an attribute */
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

static void family_group_id_zero_is_refused(void)
{
	struct nlmsghdr *nlh = family_with_groups();
	struct ctf_genl_family fam = { 0 };
	struct nlattr *groups, *entry;

	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	entry = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
			  CTFAILOVER_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 0);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, groups);
	CHECK_INT(ctf_genl_parse_family(nlh, &fam), -EBADMSG);
}

/* NLMSG_DONE ending a dump: @err, then extack TLVs when @extack. */
static struct nlmsghdr *done_msg(int err, uint16_t flags, const char *extack)
{
	struct nlmsghdr *nlh;
	int *e;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | flags;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	*e = err;
	if (extack)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	return nlh;
}

static void done_ok(void)
{
	char msg[64] = "stale";

	CHECK_INT(ctf_nl_parse_done(done_msg(0, 0, NULL), msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
}

static void done_empty_is_ok(void)
{
	struct nlmsghdr *nlh;
	char msg[64];

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	CHECK_INT(ctf_nl_parse_done(nlh, msg, sizeof(msg)), 0);
}

static void done_error_with_extack(void)
{
	char msg[64];

	CHECK_INT(ctf_nl_parse_done(
			  done_msg(-EMSGSIZE, NLM_F_ACK_TLVS, "dump failed"),
			  msg, sizeof(msg)),
		  -EMSGSIZE);
	CHECK_STR(msg, "dump failed");
}

static void done_error_without_tlvs_flag(void)
{
	char msg[64];

	CHECK_INT(ctf_nl_parse_done(done_msg(-EPERM, 0, "x"), msg, sizeof(msg)),
		  -EPERM);
	CHECK_STR(msg, "");
}

static void done_positive_is_bad_message(void)
{
	char msg[64];

	CHECK_INT(ctf_nl_parse_done(done_msg(3, 0, NULL), msg, sizeof(msg)),
		  -EBADMSG);
}

static void info_ok(void)
{
	struct nlmsghdr *nlh = genl_msg(0x23, CTF_CMD_GET_INFO);
	struct ctf_info info;

	mnl_attr_put_strz(nlh, CTF_A_INFO_VERSION, "1.2.3");
	mnl_attr_put_u32(nlh, CTF_A_INFO_GENL_VERSION, 1);
	CHECK_INT(ctf_genl_parse_info(nlh, &info), 0);
	CHECK_STR(info.version, "1.2.3");
	CHECK_INT(info.genl_version, 1);
}

static void info_skips_unknown_attributes(void)
{
	struct nlmsghdr *nlh = genl_msg(0x23, CTF_CMD_GET_INFO);
	struct ctf_info info;

	mnl_attr_put_u64(nlh, CTF_A_MAX + 7, 42); /* from a newer module */
	mnl_attr_put_strz(nlh, CTF_A_INFO_VERSION, "9.9");
	mnl_attr_put_u32(nlh, CTF_A_INFO_GENL_VERSION, 3);
	CHECK_INT(ctf_genl_parse_info(nlh, &info), 0);
	CHECK_STR(info.version, "9.9");
	CHECK_INT(info.genl_version, 3);
}

static void info_missing_version_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(0x23, CTF_CMD_GET_INFO);
	struct ctf_info info;

	mnl_attr_put_u32(nlh, CTF_A_INFO_GENL_VERSION, 1);
	CHECK_INT(ctf_genl_parse_info(nlh, &info), -EBADMSG);
}

static void info_overlong_version_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(0x23, CTF_CMD_GET_INFO);
	struct ctf_info info;
	char longv[sizeof(info.version) + 1];

	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	mnl_attr_put_strz(nlh, CTF_A_INFO_VERSION, longv);
	mnl_attr_put_u32(nlh, CTF_A_INFO_GENL_VERSION, 1);
	CHECK_INT(ctf_genl_parse_info(nlh, &info), -EBADMSG);
}

static void info_unterminated_version_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(0x23, CTF_CMD_GET_INFO);
	struct ctf_info info;

	mnl_attr_put(nlh, CTF_A_INFO_VERSION, 3, "abc");
	mnl_attr_put_u32(nlh, CTF_A_INFO_GENL_VERSION, 1);
	CHECK_INT(ctf_genl_parse_info(nlh, &info), -EBADMSG);
}

static void info_genl_version_of_wrong_size_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(0x23, CTF_CMD_GET_INFO);
	struct ctf_info info;

	mnl_attr_put_strz(nlh, CTF_A_INFO_VERSION, "1.0");
	mnl_attr_put_u16(nlh, CTF_A_INFO_GENL_VERSION, 1);
	CHECK_INT(ctf_genl_parse_info(nlh, &info), -EBADMSG);
}

/* The controller's notifications: only ours count, a broken one is refused. */
static void watch_new_family(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	uint8_t cmd = 0;

	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x23);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), 1);
	CHECK_INT(cmd, CTRL_CMD_NEWFAMILY);
}

static void watch_del_family(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_DELFAMILY);
	uint8_t cmd = 0;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), 1);
	CHECK_INT(cmd, CTRL_CMD_DELFAMILY);
}

static void watch_other_family_is_not_ours(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	uint8_t cmd = 0;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ctfailover2");
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), 0);
	CHECK_INT(cmd, 0);
}

static void watch_other_commands_are_not_ours(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWMCAST_GRP);
	uint8_t cmd = 0;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), 0);
	nlh = genl_msg(0x23, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), 0);
}

static void watch_malformed_is_refused(void)
{
	struct nlmsghdr *nlh = genl_msg(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	uint8_t cmd = 0;

	/* No name, then a name without its NUL. */
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), -EBADMSG);
	mnl_attr_put(nlh, CTRL_ATTR_FAMILY_NAME, 10, CTFAILOVER_GENL_NAME);
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), -EBADMSG);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	CHECK_INT(ctf_genl_parse_watch(nlh, &cmd), -EBADMSG);
}

const struct unit_case unit_cases[] = {
	{ "watch_new_family", watch_new_family },
	{ "watch_del_family", watch_del_family },
	{ "watch_other_family_is_not_ours", watch_other_family_is_not_ours },
	{ "watch_other_commands_are_not_ours",
	  watch_other_commands_are_not_ours },
	{ "watch_malformed_is_refused", watch_malformed_is_refused },
	{ "error_ack", error_ack },
	{ "error_extack_capped", error_extack_capped },
	{ "error_extack_uncapped", error_extack_uncapped },
	{ "error_extack_truncated_to_buffer",
	  error_extack_truncated_to_buffer },
	{ "error_without_tlvs_flag_ignores_them",
	  error_without_tlvs_flag_ignores_them },
	{ "error_short_is_bad_message", error_short_is_bad_message },
	{ "error_positive_is_bad_message", error_positive_is_bad_message },
	{ "family_ok", family_ok },
	{ "family_without_id_is_refused", family_without_id_is_refused },
	{ "family_id_of_wrong_size_is_refused",
	  family_id_of_wrong_size_is_refused },
	{ "family_without_genl_header_is_refused",
	  family_without_genl_header_is_refused },
	{ "family_events_group", family_events_group },
	{ "family_groups_without_events", family_groups_without_events },
	{ "family_group_unknown_attribute_skipped",
	  family_group_unknown_attribute_skipped },
	{ "family_group_id_of_wrong_size_is_refused",
	  family_group_id_of_wrong_size_is_refused },
	{ "family_group_without_id_is_refused",
	  family_group_without_id_is_refused },
	{ "family_group_without_name_is_refused",
	  family_group_without_name_is_refused },
	{ "family_group_unterminated_name_is_refused",
	  family_group_unterminated_name_is_refused },
	{ "family_group_entry_not_nested_is_refused",
	  family_group_entry_not_nested_is_refused },
	{ "family_group_id_zero_is_refused", family_group_id_zero_is_refused },
	{ "done_ok", done_ok },
	{ "done_empty_is_ok", done_empty_is_ok },
	{ "done_error_with_extack", done_error_with_extack },
	{ "done_error_without_tlvs_flag", done_error_without_tlvs_flag },
	{ "done_positive_is_bad_message", done_positive_is_bad_message },
	{ "info_ok", info_ok },
	{ "info_skips_unknown_attributes", info_skips_unknown_attributes },
	{ "info_missing_version_is_refused", info_missing_version_is_refused },
	{ "info_overlong_version_is_refused",
	  info_overlong_version_is_refused },
	{ "info_unterminated_version_is_refused",
	  info_unterminated_version_is_refused },
	{ "info_genl_version_of_wrong_size_is_refused",
	  info_genl_version_of_wrong_size_is_refused },
	{ NULL, NULL },
};
