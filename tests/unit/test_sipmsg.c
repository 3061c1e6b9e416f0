// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/sipmsg.c: the OPTIONS request as a server reads it, and
 * responses as real servers write them (sipp, Kamailio, Asterisk), each
 * way of getting one wrong refused with its message.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sipmsg.h"
#include "unit.h"

UNIT_SUITE("sipmsg");

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct ctf_addr addr(const char *s)
{
	struct ctf_addr a;
	char err[CTF_PARSE_ERRLEN];

	ctf_parse_addr(s, &a, err, sizeof(err));
	return a;
}

static void build_v4(void)
{
	struct ctf_addr src = addr("10.0.10.11"), dst = addr("10.0.10.21");
	struct ctfd_sip_options o = { &src,	 40000,	     &dst, 5060,
				      "ctf-1-2", "ctf-7@lb", "t9", 3 };
	char buf[1024];
	int n = ctfd_sip_options_build(buf, sizeof(buf), &o);

	CHECK(n > 0);
	CHECK_INT(strlen(buf), n);
	CHECK_STR(
		buf,
		"OPTIONS sip:10.0.10.21:5060 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.10.11:40000;branch=z9hG4bKctf-1-2;rport\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:ctfailover@10.0.10.11:40000>;tag=t9\r\n"
		"To: <sip:10.0.10.21:5060>\r\n"
		"Call-ID: ctf-7@lb\r\n"
		"CSeq: 3 OPTIONS\r\n"
		"Contact: <sip:ctfailover@10.0.10.11:40000>\r\n"
		"Accept: application/sdp\r\n"
		"User-Agent: ctfailoverd\r\n"
		"Content-Length: 0\r\n"
		"\r\n");
}

static void build_v6_and_limits(void)
{
	struct ctf_addr src = addr("fd00:10::11"), dst = addr("fd00:10::24");
	struct ctfd_sip_options o = {
		&src, 5061, &dst, 5060, "b", "c", "t", 1
	};
	char buf[1024], small[64];

	CHECK(ctfd_sip_options_build(buf, sizeof(buf), &o) > 0);
	CHECK(strstr(buf, "OPTIONS sip:[fd00:10::24]:5060 SIP/2.0\r\n") == buf);
	CHECK(strstr(
		buf,
		"Via: SIP/2.0/UDP [fd00:10::11]:5061;branch=z9hG4bKb;rport\r\n"));
	CHECK_INT(ctfd_sip_options_build(small, sizeof(small), &o), -ENOSPC);
	o.branch = "";
	CHECK_INT(ctfd_sip_options_build(buf, sizeof(buf), &o), -EINVAL);
	o.branch = "a b";
	CHECK_INT(ctfd_sip_options_build(buf, sizeof(buf), &o), -EINVAL);
	o.branch = "b";
	o.tag = "x@y"; /* '@' only in a Call-ID */
	CHECK_INT(ctfd_sip_options_build(buf, sizeof(buf), &o), -EINVAL);
}

/* What our request gets back from each server: the fields read. */
static const struct {
	const char *name, *msg;
	unsigned int code;
	const char *branch, *call_id;
	unsigned int cseq;
	const char *method;
} good[] = {
	{ "sipp",
	  "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP 10.0.10.11:40000;branch=z9hG4bKctf-1-2;rport=40000;received=10.0.10.11\r\n"
	  "From: <sip:ctfailover@10.0.10.11:40000>;tag=t9\r\n"
	  "To: <sip:10.0.10.21:5060>;tag=1234SIPpTag01\r\n"
	  "Call-ID: ctf-7@lb\r\n"
	  "CSeq: 3 OPTIONS\r\n"
	  "Contact: <sip:10.0.10.21:5060;transport=UDP>\r\n"
	  "Content-Length: 0\r\n\r\n",
	  200, "z9hG4bKctf-1-2", "ctf-7@lb", 3, "OPTIONS" },
	{ "compact forms, odd case and spacing, bare LF",
	  "sip/2.0 404 Not Found\n"
	  "v :SIP/2.0/UDP 10.0.10.11:40000 ; rport=40000 ; BRANCH = z9hG4bKx\n"
	  "i:  abc@def  \n"
	  "cseq:\t17   OPTIONS\n"
	  "l: 0\n\n",
	  404, "z9hG4bKx", "abc@def", 17, "OPTIONS" },
	{ "several Via values and headers: the top one counts",
	  "SIP/2.0 486 Busy Here\r\n"
	  "Via: SIP/2.0/UDP 10.0.10.11:40000;branch=z9hG4bKtop;x=\"a,b\", SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKnext\r\n"
	  "Via: SIP/2.0/UDP 5.6.7.8;branch=z9hG4bKthird\r\n"
	  "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  486, "z9hG4bKtop", "c", 1, "OPTIONS" },
	{ "a folded header, no reason phrase, no blank line at the end",
	  "SIP/2.0 100\r\n"
	  "Via: SIP/2.0/UDP 10.0.10.11:40000\r\n"
	  "  ;branch=z9hG4bKfold\r\n"
	  "Call-ID: c\r\nCSeq: 2147483647 OPTIONS",
	  100, "z9hG4bKfold", "c", 2147483647u, "OPTIONS" },
	{ "Kamailio-style, a body after the headers",
	  "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP [fd00:10::11]:5061;branch=z9hG4bKb;rport=5061\r\n"
	  "From: <sip:ctfailover@[fd00:10::11]:5061>;tag=t\r\n"
	  "To: <sip:[fd00:10::24]:5060>;tag=8d5c\r\n"
	  "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n"
	  "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
	  "Content-Length: 4\r\n\r\nv=0\n",
	  200, "z9hG4bKb", "c", 1, "OPTIONS" },
};

static void parse_good(void)
{
	struct ctfd_sip_response r;
	char err[CTF_PARSE_ERRLEN];
	unsigned int i;

	for (i = 0; i < N(good); i++) {
		int ret = ctfd_sip_response_parse(
			good[i].msg, strlen(good[i].msg), &r, err, sizeof(err));
		if (ret)
			fprintf(stderr, "  %s: %s\n", good[i].name, err);
		CHECK_INT(ret, 0);
		CHECK_INT(r.code, good[i].code);
		CHECK_STR(r.branch, good[i].branch);
		CHECK_STR(r.call_id, good[i].call_id);
		CHECK_INT(r.cseq, good[i].cseq);
		CHECK_STR(r.method, good[i].method);
	}
}

static const struct {
	const char *msg, *err;
} bad[] = {
	{ "", "an empty datagram" },
	{ "OPTIONS sip:x SIP/2.0\r\n\r\n",
	  "not a SIP response (bad status line)" },
	{ "SIP/2.0 2000 OK\r\n", "bad status code" },
	{ "SIP/2.0 099 Low\r\n", "bad status code" },
	{ "SIP/2.0 700 High\r\n", "bad status code" },
	{ "SIP/2.0 2x0 OK\r\n", "bad status code" },
	{ "SIP/2.0 200 OK\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "no Via header" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "no Call-ID header" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\n\r\n",
	  "no CSeq header" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;rport\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "no branch in the top Via" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h, SIP/2.0/UDP g;branch=z9hG4bKb\r\n"
	  "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "no branch in the top Via" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "no branch in the top Via" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK\x01\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "a bad byte in the top Via's branch" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\nCall-ID: d\r\n"
	  "CSeq: 1 OPTIONS\r\n\r\n",
	  "two Call-ID headers" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c d\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "a Call-ID with a space or a control byte" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: \r\nCSeq: 1 OPTIONS\r\n\r\n",
	  "an empty Call-ID" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\nCSeq: OPTIONS\r\n\r\n",
	  "a CSeq without a number" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\nCSeq: 2147483648 OPTIONS\r\n\r\n",
	  "a CSeq number too large" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\nCSeq: 1\r\n\r\n",
	  "a CSeq without a method" },
	{ "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\nCSeq: 1 OPT1ONS\r\n\r\n",
	  "a CSeq with a bad method" },
	{ "SIP/2.0 200 OK\r\nVia SIP/2.0/UDP h;branch=z9hG4bKb\r\n\r\n",
	  "a header line without a colon" },
	{ "SIP/2.0 200 OK\r\n: x\r\n\r\n", "a header without a name" },
};

static void parse_bad(void)
{
	struct ctfd_sip_response r;
	char err[CTF_PARSE_ERRLEN];
	unsigned int i;

	for (i = 0; i < N(bad); i++) {
		err[0] = '\0';
		CHECK_INT(ctfd_sip_response_parse(bad[i].msg,
						  strlen(bad[i].msg), &r, err,
						  sizeof(err)),
			  -EINVAL);
		CHECK_STR(err, bad[i].err);
	}
}

/* Long values: cut at the buffer, refused, never overrun. */
static void parse_long(void)
{
	static char msg[8192];
	struct ctfd_sip_response r;
	char err[CTF_PARSE_ERRLEN];
	int n;

	n = snprintf(
		msg, sizeof(msg),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK%0200d\r\n"
		"Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		0);
	CHECK_INT(ctfd_sip_response_parse(msg, n, &r, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "the top Via's branch is too long");
	n = snprintf(
		msg, sizeof(msg),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;x=%02000d;branch=z9hG4bKb\r\n"
		"Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		0);
	CHECK_INT(ctfd_sip_response_parse(msg, n, &r, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "a Via header too long");
	/* An unknown header of any length is skipped. */
	n = snprintf(
		msg, sizeof(msg),
		"SIP/2.0 200 OK\r\nX-Pad: %05000d\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\n"
		"Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		0);
	CHECK_INT(ctfd_sip_response_parse(msg, n, &r, err, sizeof(err)), 0);
	/* Not NUL-terminated: the length is the end. */
	memcpy(msg,
	       "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\nCall-ID: c\r\nCSeq: 1 OPTIONSXXXX",
	       83);
	CHECK_INT(ctfd_sip_response_parse(msg, 79, &r, err, sizeof(err)), 0);
	CHECK_STR(r.method, "OPTIONS");
}

const struct unit_case unit_cases[] = {
	{ "build_v4", build_v4 },
	{ "build_v6_and_limits", build_v6_and_limits },
	{ "parse_good", parse_good },
	{ "parse_bad", parse_bad },
	{ "parse_long", parse_long },
	{ NULL, NULL },
};
