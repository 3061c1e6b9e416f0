// SPDX-License-Identifier: GPL-2.0
/*
 * libmnl plumbing for the "ctfailover" generic netlink family: family
 * resolution, one-request-at-a-time talk with seq/portid checks, extack.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"
#include "uapi/ctfailover.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct talk_ctx {
	struct ctf_genl *g;
	unsigned int seq;
	mnl_cb_t cb;
	void *data;
};

static int talk_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;

	/* libmnl lets sequence number 0 through: a multicast event. */
	if (nlh->nlmsg_seq != t->seq)
		return MNL_CB_OK;
	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int talk_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;
	int err;

	err = ctf_nl_parse_error(nlh, t->g->errmsg, sizeof(t->g->errmsg));
	if (err == 0)
		return MNL_CB_STOP; /* the ACK that ends a request */
	errno = -err;
	return MNL_CB_ERROR;
}

static int talk_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;
	int err;

	err = ctf_nl_parse_done(nlh, t->g->errmsg, sizeof(t->g->errmsg));
	if (err == 0)
		return MNL_CB_STOP; /* the end of a dump */
	errno = -err;
	return MNL_CB_ERROR;
}

/* The extack message among the TLVs at @off of @nlh's payload. */
static void extack_msg(const struct nlmsghdr *nlh, size_t off, char *msg,
		       size_t msglen)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			continue;
		strncpy(msg, mnl_attr_get_str(attr), msglen - 1);
		msg[msglen - 1] = '\0';
	}
}

int ctf_nl_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;

	if (msglen)
		msg[0] = '\0';
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	if (e->error > 0 || e->error < -4095)
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !msglen)
		return e->error;

	/* TLVs follow the echoed request (cut to its header by CAP_ACK). */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return e->error;
	extack_msg(nlh, off, msg, msglen);
	return e->error;
}

int ctf_nl_parse_done(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	int err;

	if (msglen)
		msg[0] = '\0';
	/* Very old kernels sent an empty NLMSG_DONE. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err > 0 || err < -4095)
		return -EBADMSG;
	if (err && (nlh->nlmsg_flags & NLM_F_ACK_TLVS) && msglen)
		extack_msg(nlh, sizeof(err), msg, msglen);
	return err;
}

struct nlmsghdr *ctf_genl_request(struct ctf_genl *g, void *buf, uint8_t cmd,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = g->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++g->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = CTFAILOVER_GENL_VERSION;
	return nlh;
}

int ctf_genl_talk(struct ctf_genl *g, struct nlmsghdr *req, mnl_cb_t cb,
		  void *data)
{
	/* libmnl takes this array non-const; nothing writes it. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = talk_error_cb,
		[NLMSG_DONE] = talk_done_cb,
	};
	struct talk_ctx t = {
		.g = g, .seq = req->nlmsg_seq, .cb = cb, .data = data
	};
	ssize_t n;
	int ret;

	g->errmsg[0] = '\0';
	if (mnl_socket_sendto(g->nl, req, req->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		n = mnl_socket_recvfrom(g->nl, g->rxbuf, CTF_GENL_RXBUF);
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(g->rxbuf, n, req->nlmsg_seq, g->portid,
				  talk_data_cb, &t, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctf_genl *g = data;
	struct ctf_genl_family fam;

	errno = -ctf_genl_parse_family(nlh, &fam);
	if (errno)
		return MNL_CB_ERROR;
	g->family_id = fam.id;
	g->family_version = fam.version;
	g->events_group = fam.events_group;
	return MNL_CB_OK;
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
	int one = 1, ret;

	memset(g, 0, sizeof(*g));
	g->rxbuf = malloc(CTF_GENL_RXBUF);
	if (!g->rxbuf)
		return -ENOMEM;
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->nl) {
		ret = -errno;
		goto err_free;
	}
	/* Failure to set these only costs the error text, not correctness. */
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close;
	}
	g->portid = mnl_socket_get_portid(g->nl);
	g->seq = (unsigned int)time(NULL);

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
	mnl_socket_close(g->nl);
	g->nl = NULL;
err_free:
	free(g->rxbuf);
	g->rxbuf = NULL;
	return ret;
}

void ctf_genl_close(struct ctf_genl *g)
{
	if (g->nl)
		mnl_socket_close(g->nl);
	free(g->rxbuf);
	g->nl = NULL;
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
	errno = -ctf_genl_parse_info(nlh, data);
	return errno ? MNL_CB_ERROR : MNL_CB_OK;
}

int ctf_genl_get_info(struct ctf_genl *g, struct ctf_info *info)
{
	char buf[CTF_GENL_TXBUF] = { 0 };
	struct nlmsghdr *nlh;

	memset(info, 0, sizeof(*info));
	nlh = ctf_genl_request(g, buf, CTF_CMD_GET_INFO, 0);
	return ctf_genl_talk(g, nlh, info_cb, info);
}

struct mnl_socket *ctf_genl_watch_open(void)
{
	/* The controller's one group has the controller's id (genetlink.c). */
	int group = GENL_ID_CTRL, e;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0) {
		e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
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
