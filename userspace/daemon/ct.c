// SPDX-License-Identifier: GPL-2.0
/*
 * ctnetlink eviction with libmnl: one socket dumps the conntrack table, a
 * second one deletes the matching entries while the dump goes on (as
 * `conntrack -D` does), several deletes per sendmsg().
 *
 * The filtering is done here, not with the kernel's CTA_FILTER: that
 * matches one port at most, and its reply-direction matching has had
 * fixes after 6.1; a dump of the whole family costs little next to the
 * deletes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>

#include "ct.h"
#include "ctdump.h"
#include "nl.h"

/*
 * Deletes per sendmsg(): their acks (about 1 KiB of rcvbuf each with
 * CAP_ACK) must all fit in the default receive buffer.
 */
#define DEL_BATCH 64
/* A delete request is a header and a copy of the entry's tuple: < 256 B. */
#define DEL_MSG_MAX 512

struct evict {
	const struct ctf_addr *addrs;
	unsigned int n_addrs;
	const uint16_t *ports;
	unsigned int n_ports;
	unsigned int scanned, deleted;

	struct ctf_nl dump, del;
	char *rx;    /* the dump's, being walked while deletes are acked */
	char *ackrx; /* the deletes' acks */

	/* Deletes built, not yet sent: n_del messages, @len bytes of @buf. */
	char buf[DEL_BATCH * DEL_MSG_MAX];
	size_t len;
	unsigned int n_del, acked;
	uint32_t first_seq;

	int err;
	char msg[256];
};

/* One ack of the deletes in flight: > 0 while more are due. */
static int delete_acked(const struct nlmsghdr *nlh, void *data)
{
	struct evict *ev = data;
	char msg[sizeof(ev->msg)];
	int e;

	/* Only acks of this round. */
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_seq - ev->first_seq >= ev->n_del)
		return 1;
	ev->acked++;
	e = ctf_nl_parse_error(nlh, msg, sizeof(msg));
	if (!e) {
		ev->deleted++;
	} else if (e != -ENOENT && !ev->err) {
		/* ENOENT: gone already (timed out). */
		ev->err = e;
		strcpy(ev->msg, msg);
	}
	return ev->acked < ev->n_del;
}

/* Send the pending deletes and read one ack for each. */
static int flush_deletes(struct evict *ev)
{
	int ret;

	if (!ev->n_del)
		return 0;
	if (mnl_socket_sendto(ev->del.sock, ev->buf, ev->len) < 0)
		return -errno;
	ev->acked = 0;
	/* ENOBUFS: acks lost, count unknown. */
	ret = ctf_nl_recv_msgs(&ev->del, ev->ackrx, CTF_CT_RXBUF, false,
			       delete_acked, ev);
	if (ret)
		return ret;
	ev->n_del = 0;
	ev->len = 0;
	return ev->err;
}

/* One entry of the dump: queue its delete if it is one of @addrs'. */
static int entry(const struct ctf_ct_entry *e, void *data)
{
	struct evict *ev = data;
	struct nlmsghdr *del;
	unsigned int i;
	int ret;

	ev->scanned++;
	if (e->proto != IPPROTO_UDP)
		return 0;
	for (i = 0; i < ev->n_addrs; i++)
		if (ctf_addr_equal(&e->nat, &ev->addrs[i]))
			break;
	if (i == ev->n_addrs)
		return 0;
	for (i = 0; i < ev->n_ports; i++)
		if (e->dport == ev->ports[i])
			break;
	if (i == ev->n_ports)
		return 0;

	if (ev->len + DEL_MSG_MAX > sizeof(ev->buf) || ev->n_del == DEL_BATCH) {
		ret = flush_deletes(ev);
		if (ret)
			return ret;
	}
	if (!ev->n_del)
		ev->first_seq = ev->del.seq + 1;
	/*
	 * The original tuple as the kernel sent it, its zone, and its id: a
	 * new entry with the same tuple (a flow that came back meanwhile,
	 * steered by the new map) has another id and is kept.
	 */
	if (mnl_attr_get_payload_len(e->orig) + 64 > DEL_MSG_MAX)
		return -EBADMSG;
	del = ctf_ct_req(ev->buf + ev->len, IPCTNL_MSG_CT_DELETE, NLM_F_ACK,
			 ctf_nl_next_seq(&ev->del), ev->addrs[0].family);
	mnl_attr_put(del, CTA_TUPLE_ORIG | NLA_F_NESTED,
		     mnl_attr_get_payload_len(e->orig),
		     mnl_attr_get_payload(e->orig));
	if (e->zone_attr)
		mnl_attr_put(del, CTA_ZONE,
			     mnl_attr_get_payload_len(e->zone_attr),
			     mnl_attr_get_payload(e->zone_attr));
	if (e->id_attr)
		mnl_attr_put(del, CTA_ID, mnl_attr_get_payload_len(e->id_attr),
			     mnl_attr_get_payload(e->id_attr));
	ev->len += NLMSG_ALIGN(del->nlmsg_len);
	ev->n_del++;
	return 0;
}

int ctfd_ct_evict(const struct ctf_addr *addrs, unsigned int n_addrs,
		  const uint16_t *ports, unsigned int n_ports,
		  unsigned int *scanned, unsigned int *deleted, char *err,
		  size_t errlen)
{
	char a[CTF_ADDR_STRLEN];
	struct evict *ev;
	unsigned int i;
	int ret;

	*scanned = *deleted = 0;
	if (errlen)
		err[0] = '\0';
	for (i = 0; i < n_addrs; i++) {
		if (addrs[i].family != AF_INET && addrs[i].family != AF_INET6) {
			ctf_nl_seterr(err, errlen,
				      "conntrack: evict: no backend address");
			return -EINVAL;
		}
		if (addrs[i].family != addrs[0].family) {
			ctf_nl_seterr(
				err, errlen,
				"conntrack: evict: backend addresses of one family only");
			return -EINVAL;
		}
	}
	if (!n_ports || !n_addrs)
		return 0;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->rx = malloc(CTF_CT_RXBUF);
	ev->ackrx = malloc(CTF_CT_RXBUF);
	ev->addrs = addrs;
	ev->n_addrs = n_addrs;
	ev->ports = ports;
	ev->n_ports = n_ports;
	ret = -ENOMEM;
	if (!ev->rx || !ev->ackrx)
		goto out;
	ret = ctf_ct_open(&ev->dump);
	if (!ret)
		ret = ctf_ct_open(&ev->del);
	if (ret) {
		ctf_nl_seterr(err, errlen, "conntrack: netlink socket: %s",
			      strerror(-ret));
		goto out;
	}
	ret = ctf_ct_dump(&ev->dump, addrs[0].family, ev->rx, entry, ev,
			  ev->msg, sizeof(ev->msg));
	if (!ret)
		ret = flush_deletes(ev);
	if (ret) {
		ctf_addr_str(&addrs[0], a);
		if (ev->msg[0])
			ctf_nl_seterr(
				err, errlen,
				"conntrack: evict %s%s (%u deleted): %s (%s)",
				a, n_addrs > 1 ? " and others" : "",
				ev->deleted, strerror(-ret), ev->msg);
		else
			ctf_nl_seterr(
				err, errlen,
				"conntrack: evict %s%s (%u deleted): %s%s", a,
				n_addrs > 1 ? " and others" : "", ev->deleted,
				strerror(-ret),
				ret == -ENOBUFS ? " (acks lost)" : "");
	}
	*scanned = ev->scanned;
	*deleted = ev->deleted;
out:
	ctf_nl_close(&ev->dump);
	ctf_nl_close(&ev->del);
	free(ev->rx);
	free(ev->ackrx);
	free(ev);
	return ret;
}
