// SPDX-License-Identifier: GPL-2.0
/*
 * Strict parsers for command-line values (see parse.h). The messages they
 * write are what the user reads, so each names the bad value and the
 * accepted form.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parse.h"
#include "uapi/ctfailover.h"

static const char *const state_names[] = {
	[CTF_STATE_ACTIVE] = "active",
	[CTF_STATE_DRAINING] = "draining",
	[CTF_STATE_DOWN] = "down",
};

int ctf_parse_addr(const char *s, struct ctf_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a->v6)) {
			char v4[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &a->v6.s6_addr[12], v4, sizeof(v4));
			memset(a, 0, sizeof(*a));
			snprintf(err, errlen,
				 "bad address '%s' (IPv4-mapped: use %s)", s,
				 v4);
			return -EINVAL;
		}
		a->family = AF_INET6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	snprintf(err, errlen, "bad address '%s' (IPv4 or IPv6)", s);
	return -EINVAL;
}

const char *ctf_addr_str(const struct ctf_addr *a, char *buf)
{
	if (!inet_ntop(a->family, &a->v6, buf, CTF_ADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

bool ctf_addr_equal(const struct ctf_addr *a, const struct ctf_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

void ctf_addr_to_sockaddr(const struct ctf_addr *a, uint16_t port,
			  struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->v6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
	}
}

int ctf_addr_from_sockaddr(const struct sockaddr_storage *ss,
			   struct ctf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		a->v4 = ((const struct sockaddr_in *)ss)->sin_addr;
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	}
	if (ss->ss_family == AF_INET6) {
		a->family = AF_INET6;
		a->v6 = ((const struct sockaddr_in6 *)ss)->sin6_addr;
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	return -1;
}

/* @len bytes of decimal digits, at most @max: 0, -EINVAL or -ERANGE. */
static int parse_digits(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	bool range = false;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9)
			return -EINVAL;
		/* Keep reading after an overflow: "9x" is junk, not range. */
		if (range || d > max || v > (max - d) / 10)
			range = true;
		else
			v = v * 10 + d;
	}
	if (range)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctf_parse_uint(const char *s, const char *what, uint64_t min, uint64_t max,
		   uint64_t *out, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = parse_digits(s, strlen(s), max, &v);
	if (!ret && v < min)
		ret = -ERANGE;
	if (ret) {
		snprintf(err, errlen, "bad %s '%s' (%llu..%llu)", what, s,
			 (unsigned long long)min, (unsigned long long)max);
		return ret;
	}
	*out = v;
	return 0;
}

int ctf_parse_epoch(const char *s, uint32_t *epoch, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = ctf_parse_uint(s, "epoch", 1, CTF_EPOCH_MAX, &v, err, errlen);
	if (!ret)
		*epoch = v;
	return ret;
}

int ctf_parse_label_word(const char *s, uint8_t *word, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = ctf_parse_uint(s, "label word", 0, 3, &v, err, errlen);
	if (!ret)
		*word = v;
	return ret;
}

int ctf_parse_sweep_delay(const char *s, uint32_t *ms, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = ctf_parse_uint(s, "sweep delay", 0, CTF_MAX_SWEEP_DELAY_MS, &v,
			     err, errlen);
	if (!ret)
		*ms = v;
	return ret;
}

int ctf_parse_state(const char *s, uint8_t *state, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i <= CTF_STATE_MAX; i++) {
		if (!strcmp(s, state_names[i])) {
			*state = i;
			return 0;
		}
	}
	snprintf(err, errlen, "bad state '%s' (active, draining, down)", s);
	return -EINVAL;
}

const char *ctf_state_name(unsigned int state)
{
	return state <= CTF_STATE_MAX ? state_names[state] : NULL;
}

int ctf_parse_name(const char *s, char *name, char *err, size_t errlen)
{
	size_t len = strlen(s), i;

	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			break;
	if (!len || len >= CTF_NAME_MAX || i < len) {
		snprintf(
			err, errlen,
			"bad name '%s' (1..%d printable ASCII characters, no spaces)",
			s, CTF_NAME_MAX - 1);
		return len >= CTF_NAME_MAX ? -ERANGE : -EINVAL;
	}
	memcpy(name, s, len + 1);
	return 0;
}

int ctf_parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	ret = ctf_parse_uint(s, "port", 1, 65535, &v, err, errlen);
	if (!ret)
		*port = v;
	return ret;
}

int ctf_parse_ports(const char *s, uint16_t *ports, unsigned int *n, char *err,
		    size_t errlen)
{
	const char *p = s, *comma;
	unsigned int count = 0, i;
	size_t len;
	uint64_t v;
	int ret;

	*n = 0;
	if (!*s) {
		snprintf(err, errlen, "empty port list");
		return -EINVAL;
	}
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		ret = parse_digits(p, len, 65535, &v);
		if (!ret && v == 0)
			ret = -ERANGE;
		if (ret) {
			snprintf(
				err, errlen,
				"bad port '%.*s' (item %u of the list; 1..65535)",
				(int)len, p, count + 1);
			return ret;
		}
		for (i = 0; i < count; i++) {
			if (ports[i] == v) {
				snprintf(
					err, errlen,
					"duplicate port %u (items %u and %u of the list)",
					(unsigned int)v, i + 1, count + 1);
				return -EEXIST;
			}
		}
		if (count == CTF_MAX_PORTS) {
			snprintf(err, errlen, "too many ports (at most %d)",
				 CTF_MAX_PORTS);
			return -E2BIG;
		}
		ports[count++] = v;
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = count;
	return 0;
}

int ctf_local_addr(const struct ctf_addr *dst, struct ctf_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret = 0;

	fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ctf_addr_to_sockaddr(dst, 5060, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len))
		ret = -errno;
	else
		ctf_addr_from_sockaddr(&ss, src);
	close(fd);
	return ret;
}

int ctf_addr_unicast(const struct ctf_addr *a, char *err, size_t errlen)
{
	const char *what = NULL;
	char buf[CTF_ADDR_STRLEN];

	if (a->family == AF_INET) {
		uint32_t v = ntohl(a->v4.s_addr);

		if (v >> 24 == 0)
			what = "\"this network\" (0.0.0.0/8)";
		else if (v >> 24 == 127)
			what = "loopback (127.0.0.0/8)";
		else if (v == 0xffffffff)
			what = "broadcast";
		else if (v >> 28 == 0xe)
			what = "multicast (224.0.0.0/4)";
		else if (v >> 28 == 0xf)
			what = "reserved (240.0.0.0/4)";
	} else if (a->family == AF_INET6) {
		const uint8_t *b = a->v6.s6_addr;

		if (IN6_IS_ADDR_UNSPECIFIED(&a->v6))
			what = "unspecified (::)";
		else if (IN6_IS_ADDR_LOOPBACK(&a->v6))
			what = "loopback (::1)";
		else if (b[0] == 0xff)
			what = "multicast (ff00::/8)";
		else if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			what = "link-local (fe80::/10: no interface to say which link)";
	} else {
		what = "no IPv4 or IPv6 address";
	}
	if (!what)
		return 0;
	snprintf(err, errlen,
		 "%s is %s: a unicast address another host reaches is needed",
		 ctf_addr_str(a, buf), what);
	return -EINVAL;
}

int ctf_udp_bind(int family, uint16_t port)
{
	struct sockaddr_storage ss;
	struct ctf_addr any = { .family = family };
	socklen_t len;
	int fd, one = 1, e;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	ctf_addr_to_sockaddr(&any, port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}
