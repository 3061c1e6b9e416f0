// SPDX-License-Identifier: GPL-2.0
/*
 * OPTIONS out, responses in: see sipmsg.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sipmsg.h"

#define MAGIC "z9hG4bK"

/* An RFC 3261 token character, or '@' for a Call-ID. */
static bool tokch(char c, bool at)
{
	return (c && isalnum((unsigned char)c)) ||
	       (c && strchr("-.!%*_+`'~", c)) || (at && c == '@');
}

static bool token_ok(const char *s, bool at)
{
	size_t n = strlen(s);

	if (!n || n + sizeof(MAGIC) > CTFD_SIP_TOKEN_MAX)
		return false;
	for (; *s; s++)
		if (!tokch(*s, at))
			return false;
	return true;
}

/* sip:ADDR:PORT, [ADDR] for IPv6 */
static void hostport(char *out, const struct ctf_addr *a, uint16_t port)
{
	char s[CTF_ADDR_STRLEN];

	ctf_addr_str(a, s);
	if (a->family == AF_INET6)
		sprintf(out, "[%s]:%u", s, port);
	else
		sprintf(out, "%s:%u", s, port);
}

int ctfd_sip_options_build(char *buf, size_t len,
			   const struct ctfd_sip_options *o)
{
	char src[CTF_ADDR_STRLEN + 8], dst[CTF_ADDR_STRLEN + 8];
	int n;

	if (!token_ok(o->branch, false) || !token_ok(o->call_id, true) ||
	    !token_ok(o->tag, false))
		return -EINVAL;
	hostport(src, o->src, o->src_port);
	hostport(dst, o->dst, o->dst_port);
	n = snprintf(buf, len,
		     "OPTIONS sip:%s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s;branch=" MAGIC "%s;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:ctfailover@%s>;tag=%s\r\n"
		     "To: <sip:%s>\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u OPTIONS\r\n"
		     "Contact: <sip:ctfailover@%s>\r\n"
		     "Accept: application/sdp\r\n"
		     "User-Agent: ctfailoverd\r\n"
		     "Content-Length: 0\r\n"
		     "\r\n",
		     dst, src, o->branch, src, o->tag, dst, o->call_id, o->cseq,
		     src);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* --- parsing ------------------------------------------------------------ */

struct cursor {
	const char *p, *end;
};

/* One physical line: [*s, *s + *n), without its CR LF or LF. */
static bool next_line(struct cursor *c, const char **s, size_t *n)
{
	const char *nl;

	if (c->p >= c->end)
		return false;
	*s = c->p;
	nl = memchr(c->p, '\n', c->end - c->p);
	*n = (nl ? nl : c->end) - c->p;
	c->p = nl ? nl + 1 : c->end;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_ws(**s))
		(*s)++, (*n)--;
	while (*n && is_ws((*s)[*n - 1]))
		(*n)--;
}

static bool name_is(const char *s, size_t n, const char *full, char compact)
{
	return (n == strlen(full) && !strncasecmp(s, full, n)) ||
	       (compact && n == 1 && tolower((unsigned char)*s) == compact);
}

enum hdr { H_OTHER, H_VIA, H_CALLID, H_CSEQ };

/* A logical header: its lines unfolded into one value. */
#define HDR_MAX 1024
struct logical {
	enum hdr kind;
	char val[HDR_MAX];
	size_t len;
	bool truncated;
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void copy_token(char *dst, size_t cap, const char *s, size_t n,
		       bool *too_long)
{
	*too_long = n >= cap;
	if (*too_long)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The top Via's first value: its branch parameter. */
static int via_branch(const struct logical *h, struct ctfd_sip_response *r,
		      char *err, size_t errlen)
{
	const char *s = h->val, *end = h->val + h->len, *v;
	bool quoted = false, too_long;
	size_t n;

	/* The first via-parm ends at a comma outside quotes. */
	for (v = s; v < end; v++) {
		if (*v == '"')
			quoted = !quoted;
		else if (*v == ',' && !quoted)
			break;
	}
	end = v;
	/* Parameters follow the sent-by, each after a ';'. */
	for (s = memchr(s, ';', end - s); s && s < end;
	     s = memchr(s + 1, ';', end - s - 1)) {
		const char *p = s + 1, *q;

		while (p < end && is_ws(*p))
			p++;
		q = p;
		while (q < end && *q != '=' && *q != ';' && !is_ws(*q))
			q++;
		if (q - p != 6 || strncasecmp(p, "branch", 6))
			continue;
		while (q < end && is_ws(*q))
			q++;
		if (q >= end || *q != '=')
			break;
		q++;
		while (q < end && is_ws(*q))
			q++;
		for (p = q; q < end && *q != ';' && !is_ws(*q); q++)
			;
		n = q - p;
		if (!n)
			break;
		for (v = p; v < q; v++)
			if (!tokch(*v, false))
				return fail(
					err, errlen,
					"a bad byte in the top Via's branch");
		copy_token(r->branch, sizeof(r->branch), p, n, &too_long);
		if (too_long)
			return fail(err, errlen,
				    "the top Via's branch is too long");
		return 0;
	}
	return fail(err, errlen, "no branch in the top Via");
}

static int callid(const struct logical *h, struct ctfd_sip_response *r,
		  char *err, size_t errlen)
{
	const char *s = h->val;
	size_t n = h->len, i;
	bool too_long;

	trim(&s, &n);
	if (!n)
		return fail(err, errlen, "an empty Call-ID");
	for (i = 0; i < n; i++)
		if (is_ws(s[i]) || (unsigned char)s[i] < 0x21 ||
		    (unsigned char)s[i] > 0x7e)
			return fail(err, errlen,
				    "a Call-ID with a space or a control byte");
	copy_token(r->call_id, sizeof(r->call_id), s, n, &too_long);
	if (too_long)
		return fail(err, errlen, "a Call-ID too long");
	return 0;
}

static int cseq(const struct logical *h, struct ctfd_sip_response *r, char *err,
		size_t errlen)
{
	const char *s = h->val, *end;
	size_t n = h->len;
	uint64_t v = 0;

	trim(&s, &n);
	end = s + n;
	if (s >= end || !isdigit((unsigned char)*s))
		return fail(err, errlen, "a CSeq without a number");
	for (; s < end && isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffff) /* RFC 3261: less than 2^31 */
			return fail(err, errlen, "a CSeq number too large");
	}
	if (s >= end || !is_ws(*s))
		return fail(err, errlen, "a CSeq without a method");
	while (s < end && is_ws(*s))
		s++;
	n = end - s;
	if (!n || n >= sizeof(r->method))
		return fail(err, errlen, "a CSeq with a bad method");
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]))
			return fail(err, errlen, "a CSeq with a bad method");
	r->cseq = v;
	memcpy(r->method, s, n);
	r->method[n] = '\0';
	return 0;
}

static int status_line(const char *s, size_t n, struct ctfd_sip_response *r,
		       char *err, size_t errlen)
{
	unsigned int code = 0;
	int i;

	if (n < 11 || strncasecmp(s, "SIP/2.0", 7) || !is_ws(s[7]))
		return fail(err, errlen,
			    "not a SIP response (bad status line)");
	s += 8;
	n -= 8;
	while (n && is_ws(*s))
		s++, n--;
	for (i = 0; i < 3; i++) {
		if ((size_t)i >= n || !isdigit((unsigned char)s[i]))
			return fail(err, errlen, "bad status code");
		code = code * 10 + (s[i] - '0');
	}
	if ((n > 3 && !is_ws(s[3])) || code < 100 || code > 699)
		return fail(err, errlen, "bad status code");
	r->code = code;
	return 0;
}

static int finish(struct logical *h, struct ctfd_sip_response *r,
		  unsigned int *seen, char *err, size_t errlen)
{
	static const char *const names[] = {
		[H_VIA] = "Via", [H_CALLID] = "Call-ID", [H_CSEQ] = "CSeq"
	};
	int ret;

	if (h->kind == H_OTHER)
		return 0;
	/* Only the top Via counts; a second Call-ID or CSeq is a lie. */
	if (*seen & (1u << h->kind)) {
		if (h->kind == H_VIA)
			return 0;
		return fail(err, errlen, "two %s headers", names[h->kind]);
	}
	*seen |= 1u << h->kind;
	if (h->truncated)
		return fail(err, errlen, "a %s header too long",
			    names[h->kind]);
	switch (h->kind) {
	case H_VIA:
		ret = via_branch(h, r, err, errlen);
		break;
	case H_CALLID:
		ret = callid(h, r, err, errlen);
		break;
	default:
		ret = cseq(h, r, err, errlen);
		break;
	}
	return ret;
}

static void append(struct logical *h, const char *s, size_t n)
{
	if (h->len + n > sizeof(h->val)) {
		n = sizeof(h->val) - h->len;
		h->truncated = true;
	}
	memcpy(h->val + h->len, s, n);
	h->len += n;
}

int ctfd_sip_response_parse(const char *buf, size_t len,
			    struct ctfd_sip_response *r, char *err,
			    size_t errlen)
{
	struct cursor c = { buf, buf + len };
	struct logical h = { .kind = H_OTHER };
	unsigned int seen = 0;
	const char *s, *colon;
	size_t n;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!next_line(&c, &s, &n))
		return fail(err, errlen, "an empty datagram");
	ret = status_line(s, n, r, err, errlen);
	if (ret)
		return ret;
	while (next_line(&c, &s, &n) && n) {
		if (is_ws(*s)) { /* a continuation line */
			append(&h, " ", 1);
			trim(&s, &n);
			append(&h, s, n);
			continue;
		}
		ret = finish(&h, r, &seen, err, errlen);
		if (ret)
			return ret;
		colon = memchr(s, ':', n);
		if (!colon)
			return fail(err, errlen,
				    "a header line without a colon");
		{
			const char *name = s;
			size_t nn = colon - s;

			while (nn && is_ws(name[nn - 1]))
				nn--;
			if (!nn)
				return fail(err, errlen,
					    "a header without a name");
			h.kind = name_is(name, nn, "via", 'v')	     ? H_VIA
				 : name_is(name, nn, "call-id", 'i') ? H_CALLID
				 : name_is(name, nn, "cseq", 0)	     ? H_CSEQ
								     : H_OTHER;
		}
		h.len = 0;
		h.truncated = false;
		if (h.kind != H_OTHER)
			append(&h, colon + 1, s + n - colon - 1);
	}
	ret = finish(&h, r, &seen, err, errlen);
	if (ret)
		return ret;
	if (!(seen & (1u << H_VIA)))
		return fail(err, errlen, "no Via header");
	if (!(seen & (1u << H_CALLID)))
		return fail(err, errlen, "no Call-ID header");
	if (!(seen & (1u << H_CSEQ)))
		return fail(err, errlen, "no CSeq header");
	return 0;
}
