// SPDX-License-Identifier: GPL-2.0
/*
 * The "ctfailover" generic netlink family over nl.h: family resolution,
 * one request at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"
#include "uapi/ctfailover.h"

struct nlmsghdr *ctf_genl_request(struct ctf_genl *g, void *buf, uint8_t cmd,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = g->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ctf_nl_next_seq(&g->nl);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = CTFAILOVER_GENL_VERSION;
	return nlh;
}

int ctf_genl_talk(struct ctf_genl *g, struct nlmsghdr *req, ctf_nl_cb cb,
		  void *data)
{
	struct ctf_nl_talk t = { .cb = cb, .data = data };
	int ret;

	ret = ctf_nl_talk(&g->nl, req, g->rxbuf, CTF_GENL_RXBUF, &t);
	strcpy(g->errmsg, t.msg);
	g->intr = t.intr;
	return ret;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctf_genl *g = data;
	struct ctf_genl_family fam;
	int ret;

	ret = ctf_genl_parse_family(nlh, &fam);
	if (ret)
		return ret;
	g->family_id = fam.id;
	g->family_version = fam.version;
	g->events_group = fam.events_group;
	return 0;
}

struct family_attrs {
	const struct nlattr *id, *version, *groups;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_attrs *fa = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fa->id = attr;
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		fa->version = attr;
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		fa->groups = attr;
		break;
	}
	return MNL_CB_OK;
}

struct group_attrs {
	const struct nlattr *name, *id;
};

static int group_attr_cb(const struct nlattr *attr, void *data)
{
	struct group_attrs *ga = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		ga->name = attr;
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ga->id = attr;
		break;
	}
	return MNL_CB_OK;
}

/*
 * CTRL_ATTR_MCAST_GROUPS nests one entry per group (its type is an index),
 * each with a name and an id. Finds the id of CTFAILOVER_MCGRP_EVENTS.
 */
static int parse_groups(const struct nlattr *groups, uint32_t *events_group)
{
	const struct nlattr *entry;

	mnl_attr_for_each_nested(entry, groups) {
		struct group_attrs ga = { 0 };

		if (mnl_attr_validate(entry, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(entry, group_attr_cb, &ga) < 0 ||
		    !ga.name || !ga.id)
			return -EBADMSG;
		if (strcmp(mnl_attr_get_str(ga.name), CTFAILOVER_MCGRP_EVENTS))
			continue;
		*events_group = mnl_attr_get_u32(ga.id);
		if (!*events_group)
			return -EBADMSG;
	}
	return 0;
}

int ctf_genl_parse_family(const struct nlmsghdr *nlh,
			  struct ctf_genl_family *fam)
{
	struct family_attrs fa = { 0 };
	struct ctf_genl_family f = { 0 };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   &fa) < 0 ||
	    !fa.id)
		return -EBADMSG;
	f.id = mnl_attr_get_u16(fa.id);
	f.version = fa.version ? mnl_attr_get_u32(fa.version) : 0;
	if (fa.groups && parse_groups(fa.groups, &f.events_group))
		return -EBADMSG;
	*fam = f;
	return 0;
}

int ctf_genl_open(struct ctf_genl *g)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	memset(g, 0, sizeof(*g));
	g->rxbuf = malloc(CTF_GENL_RXBUF);
	if (!g->rxbuf)
		return -ENOMEM;
	ret = ctf_nl_open(&g->nl, NETLINK_GENERIC, 0, true);
	if (ret)
		goto err_free;

	g->family_id = GENL_ID_CTRL;
	nlh = ctf_genl_request(g, buf, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CTFAILOVER_GENL_NAME);
	g->family_id = 0;
	ret = ctf_genl_talk(g, nlh, family_cb, g);
	if (ret == 0 && !g->family_id)
		ret = -EBADMSG;
	if (ret)
		goto err_close;
	return 0;

err_close:
	ctf_nl_close(&g->nl);
err_free:
	free(g->rxbuf);
	g->rxbuf = NULL;
	return ret;
}

void ctf_genl_close(struct ctf_genl *g)
{
	ctf_nl_close(&g->nl);
	free(g->rxbuf);
	g->rxbuf = NULL;
}

static int info_attr_cb(const struct nlattr *attr, void *data)
{
	struct ctf_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case CTF_A_INFO_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > sizeof(info->version))
			return MNL_CB_ERROR;
		strcpy(info->version, mnl_attr_get_str(attr));
		break;
	case CTF_A_INFO_GENL_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->genl_version = mnl_attr_get_u32(attr);
		break;
	}
	/* Unknown attributes come from a newer module: skip them. */
	return MNL_CB_OK;
}

int ctf_genl_parse_info(const struct nlmsghdr *nlh, struct ctf_info *info)
{
	memset(info, 0, sizeof(*info));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), info_attr_cb, info) <
	    0)
		return -EBADMSG;
	if (!info->version[0] || !info->genl_version)
		return -EBADMSG;
	return 0;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	return ctf_genl_parse_info(nlh, data);
}

int ctf_genl_get_info(struct ctf_genl *g, struct ctf_info *info)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;

	memset(info, 0, sizeof(*info));
	nlh = ctf_genl_request(g, buf, CTF_CMD_GET_INFO, 0);
	return ctf_genl_talk(g, nlh, info_cb, info);
}

int ctf_genl_watch_open(struct ctf_nl *nl)
{
	/* The controller's one group has the controller's id (genetlink.c). */
	int group = GENL_ID_CTRL, ret;

	ret = ctf_nl_open(nl, NETLINK_GENERIC, 0, false);
	if (!ret && mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
					  &group, sizeof(group)) < 0) {
		ret = -errno;
		ctf_nl_close(nl);
	}
	return ret;
}

static int watch_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **name = data;

	if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_NAME)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	*name = attr;
	return MNL_CB_OK;
}

int ctf_genl_parse_watch(const struct nlmsghdr *nlh, uint8_t *cmd)
{
	const struct genlmsghdr *genl;
	const struct nlattr *name = NULL;

	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != CTRL_CMD_NEWFAMILY && genl->cmd != CTRL_CMD_DELFAMILY)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*genl), watch_attr_cb, &name) < 0 ||
	    !name)
		return -EBADMSG;
	if (strcmp(mnl_attr_get_str(name), CTFAILOVER_GENL_NAME))
		return 0;
	*cmd = genl->cmd;
	return 1;
}
