/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SIP the health prober speaks: an OPTIONS request out, a response in
 * (RFC 3261). Pure functions over buffers, no sockets: every rule is a unit
 * test and the response parser is a fuzz target (tests/fuzz/).
 *
 * A response is read as real servers write them (sipp, Kamailio, OpenSIPS,
 * Asterisk): header names in any case and in their compact forms (v, i,
 * l), spaces and tabs around the colon, lines ended by CRLF or a bare LF,
 * continuation lines, several Via headers or several values in one. What
 * the prober needs from it is the status code and what ties it to the
 * request it sent: the branch of the top Via, the Call-ID and the CSeq
 * (number and method). Anything else in the message is not looked at. A
 * datagram that is not a SIP response, or lacks one of those, is refused
 * with a message that names what is wrong.
 */
#ifndef CTFD_SIPMSG_H
#define CTFD_SIPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define CTFD_SIP_TOKEN_MAX 96 /* branch, Call-ID, tag: what we send fits */

struct ctfd_sip_options {
	const struct ctf_addr *src; /* the prober's address, for Via/From */
	uint16_t src_port;
	const struct ctf_addr *dst; /* the backend */
	uint16_t dst_port;
	const char *branch; /* after the z9hG4bK magic cookie */
	const char *call_id;
	const char *tag; /* From tag */
	uint32_t cseq;
};

/*
 * An OPTIONS request into @buf: Via (with rport) with the z9hG4bK branch,
 * Max-Forwards, From and To with a tag on From, Call-ID, CSeq, Contact,
 * Accept, User-Agent and Content-Length: 0. Returns its length, or -ENOSPC
 * if @len is too small, -EINVAL if a token is empty or too long.
 */
int ctfd_sip_options_build(char *buf, size_t len,
			   const struct ctfd_sip_options *o);

struct ctfd_sip_response {
	unsigned int code;		 /* 100..699 */
	char branch[CTFD_SIP_TOKEN_MAX]; /* the top Via's, cookie included */
	char call_id[CTFD_SIP_TOKEN_MAX];
	uint32_t cseq;
	char method[16]; /* of the CSeq */
};

/*
 * Parse one datagram as a SIP response. 0, or -EINVAL with @err naming
 * what is wrong ("no Call-ID header", "bad status line", ...): @buf need
 * not be NUL-terminated and may hold anything.
 */
int ctfd_sip_response_parse(const char *buf, size_t len,
			    struct ctfd_sip_response *r, char *err,
			    size_t errlen);

#endif /* CTFD_SIPMSG_H */
