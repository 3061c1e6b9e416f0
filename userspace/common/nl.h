/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one netlink layer of userspace, over libmnl (as iproute2's
 * lib/mnl_utils.c): a bound socket, its port id and sequence numbers,
 * replies read and checked, the kernel's extended ack as text.
 *
 * A reply is taken only from the kernel (sender port id 0: any process
 * may send to ours), addressed to our port id, with the sequence number
 * of the request it answers; anything else (a late reply to an earlier,
 * abandoned request, a multicast event) is skipped, never taken for the
 * answer.
 */
#ifndef CTF_NL_H
#define CTF_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>

/* The kernel's extack message, as kept for the caller. */
#define CTF_NL_MSGLEN 256

struct ctf_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq; /* the last one given out; starts at the time of day */
};

/*
 * Open a socket of @bus (NETLINK_*) with @flags for socket(2) (SOCK_*),
 * bound to a port id of the kernel's choosing. @acks: ask for acks
 * without the echoed request (NETLINK_CAP_ACK) and with the kernel's
 * reason (NETLINK_EXT_ACK); a kernel without them only costs the text.
 * 0 or -errno.
 */
int ctf_nl_open(struct ctf_nl *nl, int bus, int flags, bool acks);
/* Close it; nothing to do for a zeroed or closed one. */
void ctf_nl_close(struct ctf_nl *nl);
int ctf_nl_fd(const struct ctf_nl *nl);
/* The sequence number of a new request. */
uint32_t ctf_nl_next_seq(struct ctf_nl *nl);

/*
 * One datagram into @buf (@len bytes), EINTR retried: its length, or
 * -EAGAIN when nothing is pending (a non-blocking socket, MSG_DONTWAIT in
 * @flags, or a receive timeout), -ENOBUFS when the kernel dropped
 * messages for this socket (its receive buffer overran), -EMSGSIZE when
 * a datagram of the kernel did not fit, or another -errno. *@kernel says
 * whether the kernel sent it.
 */
ssize_t ctf_nl_recv(const struct ctf_nl *nl, void *buf, size_t len, int flags,
		    bool *kernel);

/*
 * A reply's handler: > 0 read on, else the end of the read (0, or a
 * negative errno that is returned).
 */
typedef int (*ctf_nl_msg_fn)(const struct nlmsghdr *nlh, void *data);

/*
 * Read the kernel's datagrams into @buf and hand @fn each message
 * addressed to our port id until it returns <= 0, which is returned.
 * Blocking, a receive timeout is -ETIMEDOUT; @nonblock: 0 once nothing
 * more is pending.
 */
int ctf_nl_recv_msgs(struct ctf_nl *nl, void *buf, size_t len, bool nonblock,
		     ctf_nl_msg_fn fn, void *data);

/*
 * A data message of a request's replies: 0 or a negative errno (a
 * positive return is taken as -EPROTO).
 */
typedef int (*ctf_nl_cb)(const struct nlmsghdr *nlh, void *data);

/* One request and its replies (ctf_nl_talk). */
struct ctf_nl_talk {
	ctf_nl_cb cb; /* may be NULL */
	void *data;
	/* Set by ctf_nl_talk(): */
	int cberr; /* the first error of @cb: later data is skipped */
	bool intr; /* a reply was marked NLM_F_DUMP_INTR */
	char msg[CTF_NL_MSGLEN]; /* the kernel's extack message, or "" */
};

/*
 * Send @req and read its replies, each data message to t->cb, to the
 * end: its ack (NLMSG_ERROR) or, for a dump, its NLMSG_DONE. A dump is
 * always read to its end, whatever the callback said: stopping earlier
 * would leave it running, and the next dump on the socket would get
 * EBUSY. @buf (@len bytes) receives the replies. Returns 0, the kernel's
 * error (its extack in t->msg), the first error of t->cb, or -errno.
 */
int ctf_nl_talk(struct ctf_nl *nl, struct nlmsghdr *req, void *buf, size_t len,
		struct ctf_nl_talk *t);

/*
 * Decode an NLMSG_ERROR message: returns its error (0 for an ACK, else a
 * negative errno) and copies an extack message, if any, into @msg.
 */
int ctf_nl_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msglen);
/*
 * Decode the NLMSG_DONE that ends a dump: 0, or the negative errno the
 * dump failed with (the kernel reports those there, not in an
 * NLMSG_ERROR), with its extack message, if any, in @msg.
 */
int ctf_nl_parse_done(const struct nlmsghdr *nlh, char *msg, size_t msglen);

/* printf into @err (@errlen bytes; nothing when 0). */
void ctf_nl_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "<what>: <strerror(-@ret)>[ (<@extack>)]", what from @fmt. */
void ctf_nl_kerr(char *err, size_t errlen, int ret, const char *extack,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif /* CTF_NL_H */
