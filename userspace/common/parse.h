/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsing of what people type: addresses, numbers, backend states
 * and names, SIP port lists. Every parser takes the whole string (no
 * leading or trailing junk, no sign, no base prefix), returns 0 or a
 * negative errno, and on failure writes into @err a message that names the
 * bad value and what would have been accepted, for example
 * "bad state 'up' (active, draining, down)". The caller adds who it is.
 *
 * Errors: -EINVAL not of the right form, -ERANGE out of range, -EEXIST a
 * duplicate in a list, -E2BIG too many items.
 */
#ifndef CTF_PARSE_H
#define CTF_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Room for any message the parsers write. */
#define CTF_PARSE_ERRLEN 160

/* A backend address: CTF_BA_ADDR4 or CTF_BA_ADDR6, network order. */
struct ctf_addr {
	int family; /* AF_INET or AF_INET6; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

#define CTF_ADDR_STRLEN INET6_ADDRSTRLEN

/*
 * An IPv4 or IPv6 address as inet_pton(3) reads it. IPv4-mapped IPv6
 * addresses are refused: conntrack sees those flows as IPv4, so a backend
 * by that name would never match one.
 */
int ctf_parse_addr(const char *s, struct ctf_addr *a, char *err, size_t errlen);
/* The address as text, in @buf (CTF_ADDR_STRLEN bytes). */
const char *ctf_addr_str(const struct ctf_addr *a, char *buf);
bool ctf_addr_equal(const struct ctf_addr *a, const struct ctf_addr *b);
/* @a and @port as a socket address, into @ss; its length into @len. */
void ctf_addr_to_sockaddr(const struct ctf_addr *a, uint16_t port,
			  struct sockaddr_storage *ss, socklen_t *len);
/* The address of @ss into @a (family 0 if neither IPv4 nor IPv6): its
 * port, or -1. */
int ctf_addr_from_sockaddr(const struct sockaddr_storage *ss,
			   struct ctf_addr *a);

/*
 * A non-blocking UDP socket of @family bound to @port (0: any) on every
 * address; IPv6 only for AF_INET6. The fd, or -errno.
 */
int ctf_udp_bind(int family, uint16_t port);

/*
 * A VIP's or a backend's address must be unicast and reachable from
 * another host: not unspecified, loopback, broadcast, multicast, reserved
 * (240.0.0.0/4) or IPv6 link-local (no interface names its link). 0, or
 * -EINVAL with @err saying which it is.
 */
int ctf_addr_unicast(const struct ctf_addr *a, char *err, size_t errlen);

/*
 * This host's address toward @dst (the routing table's choice): what a SIP
 * server reads in our Via. 0 or -errno.
 */
int ctf_local_addr(const struct ctf_addr *dst, struct ctf_addr *src);

/*
 * A decimal number in min..max: digits only. @what names it in @err
 * ("bad <what> '<s>' (<min>..<max>)").
 */
int ctf_parse_uint(const char *s, const char *what, uint64_t min, uint64_t max,
		   uint64_t *out, char *err, size_t errlen);
/* 1..CTF_EPOCH_MAX (16777215): 0 means "not stamped" to the module. */
int ctf_parse_epoch(const char *s, uint32_t *epoch, char *err, size_t errlen);
/* 0..3: which 32 bits of the conntrack labels hold the epoch. */
int ctf_parse_label_word(const char *s, uint8_t *word, char *err,
			 size_t errlen);

/* 0..CTF_MAX_SWEEP_DELAY_MS milliseconds. */
int ctf_parse_sweep_delay(const char *s, uint32_t *ms, char *err,
			  size_t errlen);

/* active, draining, down -> enum ctf_backend_state. */
int ctf_parse_state(const char *s, uint8_t *state, char *err, size_t errlen);
/* The name of enum ctf_backend_state @state, or NULL. */
const char *ctf_state_name(unsigned int state);

/*
 * A backend name: 1..CTF_NAME_MAX-1 bytes of printable ASCII without
 * spaces, so that text output stays one word per field. Copied to @name
 * (CTF_NAME_MAX bytes).
 */
int ctf_parse_name(const char *s, char *name, char *err, size_t errlen);

/* A UDP port, 1..65535. */
int ctf_parse_port(const char *s, uint16_t *port, char *err, size_t errlen);
/*
 * PORT[,PORT...]: 1..CTF_MAX_PORTS distinct ports, in the order given,
 * into @ports (CTF_MAX_PORTS entries); their number into @n.
 */
int ctf_parse_ports(const char *s, uint16_t *ports, unsigned int *n, char *err,
		    size_t errlen);

#endif /* CTF_PARSE_H */
