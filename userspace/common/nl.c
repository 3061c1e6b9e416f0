// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink layer of userspace (see nl.h): sockets, replies, extack.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "nl.h"

/* Older headers lack them; the kernel has had them since 4.3 and 4.12. */
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

int ctf_nl_open(struct ctf_nl *nl, int bus, int flags, bool acks)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(bus, flags);
	if (!nl->sock)
		return -errno;
	if (acks) {
		/* Failure to set these only costs the error text. */
		mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one,
				      sizeof(one));
		mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one,
				      sizeof(one));
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		ctf_nl_close(nl);
		return ret;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void ctf_nl_close(struct ctf_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int ctf_nl_fd(const struct ctf_nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

uint32_t ctf_nl_next_seq(struct ctf_nl *nl)
{
	return ++nl->seq;
}

ssize_t ctf_nl_recv(const struct ctf_nl *nl, void *buf, size_t len, int flags,
		    bool *kernel)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	do {
		n = recvmsg(ctf_nl_fd(nl), &msg, flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	*kernel = msg.msg_namelen == sizeof(sa) && sa.nl_family == AF_NETLINK &&
		  sa.nl_pid == 0;
	if (*kernel && (msg.msg_flags & MSG_TRUNC))
		return -EMSGSIZE;
	return n;
}

/* The messages of one datagram to @fn: > 0 when it wants more. */
static int each_msg(const struct ctf_nl *nl, const void *buf, ssize_t n,
		    ctf_nl_msg_fn fn, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n, ret = 1;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_pid != nl->portid)
			continue;
		ret = fn(nlh, data);
		if (ret <= 0)
			break;
	}
	return ret;
}

int ctf_nl_recv_msgs(struct ctf_nl *nl, void *buf, size_t len, bool nonblock,
		     ctf_nl_msg_fn fn, void *data)
{
	bool kernel;
	ssize_t n;
	int ret;

	for (;;) {
		n = ctf_nl_recv(nl, buf, len, nonblock ? MSG_DONTWAIT : 0,
				&kernel);
		if (n == -EAGAIN)
			return nonblock ? 0 : -ETIMEDOUT;
		if (n < 0)
			return (int)n;
		if (!kernel)
			continue;
		ret = each_msg(nl, buf, n, fn, data);
		if (ret <= 0)
			return ret;
	}
}

/* One message of a request's replies (ctf_nl_talk). */
struct talk_ctx {
	uint32_t seq;
	struct ctf_nl_talk *t;
};

static int talk_msg(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *c = data;
	struct ctf_nl_talk *t = c->t;
	int err;

	if (nlh->nlmsg_seq != c->seq)
		return 1;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		err = ctf_nl_parse_error(nlh, t->msg, sizeof(t->msg));
		return err ? err : t->cberr;
	case NLMSG_DONE:
		err = ctf_nl_parse_done(nlh, t->msg, sizeof(t->msg));
		return err ? err : t->cberr;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return 1; /* NLMSG_NOOP, NLMSG_OVERRUN */
	if (t->cb && !t->cberr) {
		t->cberr = t->cb(nlh, t->data);
		/* Not "read on" at the end: a request must end at its ack. */
		if (t->cberr > 0)
			t->cberr = -EPROTO;
	}
	return 1;
}

int ctf_nl_talk(struct ctf_nl *nl, struct nlmsghdr *req, void *buf, size_t len,
		struct ctf_nl_talk *t)
{
	struct talk_ctx c = { .seq = req->nlmsg_seq, .t = t };

	t->cberr = 0;
	t->intr = false;
	t->msg[0] = '\0';
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	return ctf_nl_recv_msgs(nl, buf, len, false, talk_msg, &c);
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

void ctf_nl_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void ctf_nl_kerr(char *err, size_t errlen, int ret, const char *extack,
		 const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (extack && *extack)
		ctf_nl_seterr(err, errlen, "%s: %s (%s)", what, strerror(-ret),
			      extack);
	else
		ctf_nl_seterr(err, errlen, "%s: %s", what, strerror(-ret));
}
