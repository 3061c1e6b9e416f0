/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the nftables data plane (nft.h) share:
 *
 *   nft.c          the socket, requests, the table's shape (its sets,
 *                  chains and rules, expression by expression)
 *   nft_read.c     reading the table back (ctfd_nft_read)
 *   nft_batch.c    the batch: changes diffed and sent (ctfd_nft_apply,
 *                  ctfd_nft_upgrade)
 *   nft_text.c     the same table as `nft -f` text (ctfd_nft_print)
 *   nft_health.c   table inet ctfailover_health, the passive counters
 */
#ifndef CTFD_NFT_PRIV_H
#define CTFD_NFT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nft.h"
#include "nl.h"

/* A single request (a dump of one kind); zeroed, see bbuf(). */
#define REQ_BUF 8192

enum { SET_SLOTS4, SET_SLOTS6, SET_VIPS4, SET_VIPS6, SET_PORTS, N_SETS };

struct ctfd_nft_set_shape {
	const char *name;
	uint32_t flags, key_type, key_len, data_type, data_len;
};
extern const struct ctfd_nft_set_shape ctfd_nft_sets[N_SETS];

enum { CH_PREROUTING, CH_OUTPUT, N_CHAINS };

struct ctfd_nft_chain_shape {
	const char *name;
	uint32_t hook;
	const char *hook_name;
	const char *prio; /* -100 as nft writes it (no "dstnat" on output) */
};
extern const struct ctfd_nft_chain_shape ctfd_nft_chains[N_CHAINS];

struct ctfd_nft {
	struct ctf_nl nl;
	char *rxbuf;
	int sndbuf, rcvbuf; /* what we last asked for, 0: the default */
};

/* nft.c: requests. */
/*
 * Reading replies (nl.h): every reply is checked against our port id and
 * the sequence numbers in flight; anything else (a late ack of an
 * earlier, failed batch) is skipped, never taken for an answer.
 * @on_msg: > 0 read on, 0 done, < 0 failed.
 */
int ctfd_nft_recv_replies(struct ctfd_nft *n, ctf_nl_msg_fn on_msg, void *data,
			  bool nonblock);
/* One request (dump or not) and its replies, read to their end. */
int ctfd_nft_talk(struct ctfd_nft *n, struct nlmsghdr *req,
		  struct ctf_nl_talk *t);
/* A dump of @type in @buf (REQ_BUF bytes); the caller filters it. */
struct nlmsghdr *ctfd_nft_dump_req(struct ctfd_nft *n, char *buf,
				   uint16_t type);
/* The kernel's extack message of @t, or NULL. */
const char *ctfd_nft_kmsg(const struct ctf_nl_talk *t);

/* nft.c: expressions and the rule. */
/* Add @e to @r: 0, or -ENOMEM when @e is NULL (its allocation failed). */
int ctfd_nft_add_expr(struct nftnl_rule *r, struct nftnl_expr *e);
struct nftnl_expr *ctfd_nft_e_meta(uint32_t key);
struct nftnl_expr *ctfd_nft_e_cmp_u8(uint8_t v);
struct nftnl_expr *ctfd_nft_e_payload(uint32_t base, uint32_t off, uint32_t len,
				      uint32_t dreg);
/*
 * The rule of chain @ch for IPv4 or IPv6 at modulus @mod and @seed.
 * @ids: the sets' ids when they are created in the same batch, or NULL.
 */
struct nftnl_rule *ctfd_nft_rule_build(int ch, bool v6, uint32_t mod,
				       uint32_t seed, const uint32_t *ids);

/* nft_read.c: the rules as they are. */
struct ctfd_nft_rules_info {
	unsigned int n;
	bool have[N_CHAINS][2]; /* [chain][v6] */
	uint64_t handle[N_CHAINS][2];
	uint32_t mod[N_CHAINS][2], seed[N_CHAINS][2];
	int err;
	char why[200];
};

/*
 * Read the rules back into @ri: each chain's two must be ours and hash
 * alike (the output chain's only unless @no_output). 0 or -errno with
 * @err.
 */
int ctfd_nft_read_rules(struct ctfd_nft *n, struct ctfd_nft_rules_info *ri,
			bool no_output, char *err, size_t errlen);

/* nft_batch.c: one batch of messages, all or nothing. */
struct ctfd_nft_batch {
	struct ctfd_nft *n;
	struct nftnl_batch *b;
	uint32_t seq0;	     /* BATCH_BEGIN's */
	unsigned int n_msgs; /* inner messages, each with NLM_F_ACK */
	char (*what)[96];    /* what each inner message does */
	unsigned int what_cap;
	int err; /* -ENOMEM while building */
	unsigned int added, deleted;
};

/* A batch begun: BATCH_BEGIN written. 0 or -ENOMEM. */
int ctfd_nft_batch_open(struct ctfd_nft *n, struct ctfd_nft_batch *bt);
/* Start an inner message: its seq, and a note of what it is for errors. */
struct nlmsghdr *ctfd_nft_bmsg(struct ctfd_nft_batch *bt, uint16_t type,
			       uint16_t flags, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Close the message just written after ctfd_nft_bmsg(). */
void ctfd_nft_bnext(struct ctfd_nft_batch *bt);
/*
 * BATCH_END, then the batch sent (if it holds any message) and its acks
 * read; freed either way. 0 or -errno with @err.
 */
int ctfd_nft_batch_close(struct ctfd_nft_batch *bt,
			 struct ctfd_nft_stats *stats, char *err,
			 size_t errlen);

#endif /* CTFD_NFT_PRIV_H */
