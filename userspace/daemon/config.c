// SPDX-License-Identifier: GPL-2.0
/*
 * The config file parser (see config.h and ctfailover.conf). libconfig
 * does the syntax; this file does the meaning, and refuses anything it
 * does not know: the file is the whole desired state, so a key the parser
 * skipped would silently be a key the daemon ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "maglev.h"

/* A config larger than this is a mistake: 1024 backends take ~100 KiB. */
#define CONF_MAX_BYTES (4 << 20)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Who reports: the file's name, and where the message goes. */
struct conf_ctx {
	const char *name;
	char *err;
	size_t errlen;
};

static const char *const top_keys[] = {
	"vips",	   "sip_ports",	     "backends",   "maglev", "guard",
	"metrics", "control_socket", "keepalived", "health",
};
static const char *const backend_keys[] = {
	"name", "address", "interface", "state", "instance",
};
static const char *const maglev_keys[] = { "table_size", "seed" };
static const char *const guard_keys[] = { "max_remove_percent", "window_s" };
static const char *const metrics_keys[] = { "listen" };
static const char *const keepalived_keys[] = { "notify_fifo", "instances",
					       "conntrackd" };
static const char *const health_keys[] = {
	"enabled",	  "port",	 "interval_ms", "timeout_ms",
	"jitter_percent", "rise",	 "fall",	"passive_ms",
	"flap_window_ms", "alive_codes", "canary_port", "canary_interval_ms",
	"canary_fall",
};

/*
 * "<name>:<line>: <field>: <what>", the line left out when @s is NULL (a
 * missing key has no line) or libconfig has none for it. Returns @ret.
 */
static int __attribute__((format(printf, 5, 6)))
fail(struct conf_ctx *c, const config_setting_t *s, int ret, const char *field,
     const char *fmt, ...)
{
	unsigned int line = s ? config_setting_source_line(s) : 0;
	char what[CTFD_CONF_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(c->err, c->errlen, "%s:%u: %s: %s", c->name, line,
			 field, what);
	else
		snprintf(c->err, c->errlen, "%s: %s: %s", c->name, field, what);
	return ret;
}

static int check_keys(struct conf_ctx *c, const config_setting_t *group,
		      const char *prefix, const char *const keys[],
		      size_t n_keys)
{
	char field[160], accepted[160];
	int i, n = config_setting_length(group);
	size_t k, off;

	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, i);
		const char *key = config_setting_name(m);

		for (k = 0; k < n_keys; k++)
			if (!strcmp(key, keys[k]))
				break;
		if (k < n_keys)
			continue;
		for (k = 0, off = 0; k < n_keys; k++)
			off += snprintf(accepted + off, sizeof(accepted) - off,
					"%s%s", k ? ", " : "", keys[k]);
		snprintf(field, sizeof(field), "%s%s", prefix, key);
		return fail(c, m, -EINVAL, field,
			    "unknown setting (accepted: %s)", accepted);
	}
	return 0;
}

/* An optional group @key of @root: 0 with *@out NULL when absent. */
static int get_group(struct conf_ctx *c, const config_setting_t *root,
		     const char *key, const char *const keys[], size_t n_keys,
		     config_setting_t **out)
{
	char prefix[64];

	*out = config_setting_get_member(root, key);
	if (!*out)
		return 0;
	if (!config_setting_is_group(*out))
		return fail(c, *out, -EINVAL, key,
			    "expected a group: %s = { ... };", key);
	snprintf(prefix, sizeof(prefix), "%s.", key);
	return check_keys(c, *out, prefix, keys, n_keys);
}

static int get_string(struct conf_ctx *c, const config_setting_t *s,
		      const char *field, const char **out)
{
	*out = NULL;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c, s, -EINVAL, field, "expected a string");
	*out = config_setting_get_string(s);
	return 0;
}

/*
 * An integer in @min..@max, int or int64 (an L suffix) alike. The range
 * check is ctf_parse_uint's, so that the message is the one the command
 * line gives for the same value.
 */
static int get_uint(struct conf_ctx *c, const config_setting_t *s,
		    const char *field, const char *what, uint64_t min,
		    uint64_t max, uint64_t *out)
{
	char num[24], msg[CTF_PARSE_ERRLEN];
	long long v;

	*out = 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		/*
		 * libconfig 1.5 reads 0x80000000..0xffffffff into a
		 * negative int: what was written is the unsigned value.
		 */
		if (config_setting_get_format(s) == CONFIG_FORMAT_HEX)
			v = (uint32_t)v;
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		return fail(c, s, -EINVAL, field, "expected an integer");
	}
	snprintf(num, sizeof(num), "%lld", v);
	if (ctf_parse_uint(num, what, min, max, out, msg, sizeof(msg)))
		return fail(c, s, -ERANGE, field, "%s", msg);
	return 0;
}

/* A list of scalars: [ ... ] or ( ... ) alike, 1..@max items. */
static int get_list(struct conf_ctx *c, const config_setting_t *s,
		    const char *field, unsigned int max, const char *example)
{
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(c, s, -EINVAL, field, "expected a list, like %s",
			    example);
	n = config_setting_length(s);
	if (!n)
		return fail(c, s, -EINVAL, field, "empty list (1..%u items)",
			    max);
	if ((unsigned int)n > max)
		return fail(c, s, -E2BIG, field,
			    "too many items (%d, at most %u)", n, max);
	return 0;
}

static int parse_vips(struct conf_ctx *c, const config_setting_t *root,
		      struct ctfd_state *st)
{
	const config_setting_t *s = config_setting_get_member(root, "vips");
	char field[32], msg[CTF_PARSE_ERRLEN], a[CTF_ADDR_STRLEN];
	unsigned int i, j;
	const char *str;
	int ret;

	if (!s)
		return fail(c, NULL, -EINVAL, "vips",
			    "missing (the virtual addresses, at least one)");
	ret = get_list(c, s, "vips", CTFD_MAX_VIPS, "[ \"203.0.113.10\" ]");
	if (ret)
		return ret;
	for (i = 0; i < (unsigned int)config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(field, sizeof(field), "vips[%u]", i);
		ret = get_string(c, e, field, &str);
		if (ret)
			return ret;
		if (ctf_parse_addr(str, &st->vips[i], msg, sizeof(msg)) ||
		    ctf_addr_unicast(&st->vips[i], msg, sizeof(msg)))
			return fail(c, e, -EINVAL, field, "%s", msg);
		for (j = 0; j < i; j++)
			if (ctf_addr_equal(&st->vips[j], &st->vips[i]))
				return fail(c, e, -EEXIST, field,
					    "%s is already vips[%u]",
					    ctf_addr_str(&st->vips[i], a), j);
	}
	st->n_vips = i;
	return 0;
}

static int parse_ports(struct conf_ctx *c, const config_setting_t *root,
		       struct ctfd_state *st)
{
	const config_setting_t *s =
		config_setting_get_member(root, "sip_ports");
	unsigned int i, j;
	char field[32];
	uint64_t v;
	int ret;

	if (!s)
		return 0;
	ret = get_list(c, s, "sip_ports", CTF_MAX_PORTS, "[ 5060, 5080 ]");
	if (ret)
		return ret;
	for (i = 0; i < (unsigned int)config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(field, sizeof(field), "sip_ports[%u]", i);
		ret = get_uint(c, e, field, "port", 1, 65535, &v);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (st->ports[j] == v)
				return fail(c, e, -EEXIST, field,
					    "port %u is already sip_ports[%u]",
					    (unsigned int)v, j);
		st->ports[i] = v;
	}
	st->n_ports = i;
	return 0;
}

/* As the kernel's dev_valid_name(): what `ip link` would accept. */
bool ctfd_valid_ifname(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]))
			return false;
	return true;
}

bool ctfd_has_vip_family(const struct ctfd_state *st, int family)
{
	unsigned int i;

	for (i = 0; i < st->n_vips; i++)
		if (st->vips[i].family == family)
			return true;
	return false;
}

/* An instance name: 1..63 printable ASCII characters (a token of epoch.h). */
static bool valid_instance(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n >= CTFD_INSTANCE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static int parse_backend(struct conf_ctx *c, const config_setting_t *g,
			 unsigned int i, struct ctfd_state *st)
{
	struct ctfd_backend *b = &st->backends[i];
	char label[64], field[80], msg[CTF_PARSE_ERRLEN], a[CTF_ADDR_STRLEN];
	const config_setting_t *s;
	const char *str;
	unsigned int j;
	int ret;

	snprintf(label, sizeof(label), "backends[%u]", i);
	if (!config_setting_is_group(g))
		return fail(
			c, g, -EINVAL, label,
			"expected a group: { name = \"...\"; address = \"...\"; }");
	b->line = config_setting_source_line(g);
	b->state = CTF_STATE_ACTIVE;
	b->epoch = 0;

	/* The name first, so that every later message can say whose it is. */
	s = config_setting_get_member(g, "name");
	if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    !ctf_parse_name(config_setting_get_string(s), b->name, msg,
			    sizeof(msg)))
		snprintf(label, sizeof(label), "backends[%u] (%s)", i, b->name);
	snprintf(field, sizeof(field), "%s.", label);
	ret = check_keys(c, g, field, backend_keys, N(backend_keys));
	if (ret)
		return ret;

	snprintf(field, sizeof(field), "%s.name", label);
	if (!s)
		return fail(c, g, -EINVAL, field,
			    "missing (every backend has one)");
	ret = get_string(c, s, field, &str);
	if (ret)
		return ret;
	ret = ctf_parse_name(str, b->name, msg, sizeof(msg));
	if (ret)
		return fail(c, s, ret, field, "%s", msg);
	for (j = 0; j < i; j++)
		if (!strcmp(st->backends[j].name, b->name))
			return fail(
				c, s, -EEXIST, field,
				"'%s' is already the name of backends[%u] (line %u)",
				b->name, j, st->backends[j].line);

	snprintf(field, sizeof(field), "%s.address", label);
	s = config_setting_get_member(g, "address");
	if (!s)
		return fail(c, g, -EINVAL, field,
			    "missing (every backend has one)");
	ret = get_string(c, s, field, &str);
	if (ret)
		return ret;
	if (ctf_parse_addr(str, &b->addr, msg, sizeof(msg)) ||
	    ctf_addr_unicast(&b->addr, msg, sizeof(msg)))
		return fail(c, s, -EINVAL, field, "%s", msg);
	ctf_addr_str(&b->addr, a);
	for (j = 0; j < st->n_vips; j++)
		if (ctf_addr_equal(&st->vips[j], &b->addr))
			return fail(c, s, -EINVAL, field,
				    "%s is vips[%u]: a backend is another host",
				    a, j);
	for (j = 0; j < i; j++)
		if (ctf_addr_equal(&st->backends[j].addr, &b->addr))
			return fail(
				c, s, -EEXIST, field,
				"%s is already the address of backends[%u] (%s, line %u)",
				a, j, st->backends[j].name,
				st->backends[j].line);
	/* nft would have no rule to send it a flow of its family. */
	if (!ctfd_has_vip_family(st, b->addr.family))
		return fail(c, s, -EINVAL, field,
			    "%s is IPv%c but no VIP is: add one to vips", a,
			    b->addr.family == AF_INET ? '4' : '6');

	s = config_setting_get_member(g, "interface");
	if (s) {
		snprintf(field, sizeof(field), "%s.interface", label);
		ret = get_string(c, s, field, &str);
		if (ret)
			return ret;
		if (!ctfd_valid_ifname(str))
			return fail(
				c, s, -EINVAL, field,
				"bad interface name '%s' (1..%d characters, no '/', ':' or spaces)",
				str, IF_NAMESIZE - 1);
		strcpy(b->ifname, str);
	}

	s = config_setting_get_member(g, "instance");
	if (s) {
		snprintf(field, sizeof(field), "%s.instance", label);
		ret = get_string(c, s, field, &str);
		if (ret)
			return ret;
		if (!valid_instance(str))
			return fail(
				c, s, -EINVAL, field,
				"bad instance name '%s' (1..%d printable characters)",
				str, CTFD_INSTANCE_MAX - 1);
		strcpy(b->instance, str);
	}

	s = config_setting_get_member(g, "state");
	if (s) {
		snprintf(field, sizeof(field), "%s.state", label);
		ret = get_string(c, s, field, &str);
		if (ret)
			return ret;
		if (ctf_parse_state(str, &b->state, msg, sizeof(msg)))
			return fail(c, s, -EINVAL, field, "%s", msg);
	}
	return 0;
}

/* What the daemon would otherwise do with it: remove every backend. */
static const char no_backends[] =
	"a config without backends never means \"delete everything\", so ctfailoverd refuses it";

static int parse_backends(struct conf_ctx *c, const config_setting_t *root,
			  struct ctfd_state *st)
{
	const config_setting_t *s = config_setting_get_member(root, "backends");
	unsigned int i, n;
	int ret;

	if (!s)
		return fail(c, NULL, -EINVAL, "backends", "missing: %s",
			    no_backends);
	if (!config_setting_is_list(s))
		return fail(
			c, s, -EINVAL, "backends",
			"expected a list of groups: ( { name = \"...\"; address = \"...\"; }, ... )");
	n = config_setting_length(s);
	if (!n)
		return fail(c, s, -EINVAL, "backends", "empty list: %s",
			    no_backends);
	if (n > CTFD_MAX_BACKENDS)
		return fail(c, s, -E2BIG, "backends",
			    "too many items (%u, at most %d)", n,
			    CTFD_MAX_BACKENDS);
	for (i = 0; i < n; i++) {
		ret = parse_backend(c, config_setting_get_elem(s, i), i, st);
		if (ret)
			return ret;
	}
	st->n_backends = n;
	ctfd_sort_backends(st);
	return 0;
}

static int parse_maglev(struct conf_ctx *c, const config_setting_t *root,
			struct ctfd_state *st)
{
	const config_setting_t *s, *where;
	uint32_t need = st->n_backends * CTFD_SLOTS_PER_BACKEND;
	config_setting_t *g;
	uint64_t v;
	int ret;

	ret = get_group(c, root, "maglev", maglev_keys, N(maglev_keys), &g);
	if (ret)
		return ret;
	s = g ? config_setting_get_member(g, "seed") : NULL;
	if (s) {
		ret = get_uint(c, s, "maglev.seed", "seed", 0, UINT32_MAX, &v);
		if (ret)
			return ret;
		st->seed = v;
	}
	s = g ? config_setting_get_member(g, "table_size") : NULL;
	if (s) {
		ret = get_uint(c, s, "maglev.table_size", "table size",
			       CTFD_SLOTS_PER_BACKEND, CTFD_MAX_TABLE_SIZE, &v);
		if (ret)
			return ret;
		st->table_size = v;
	}
	/* Without the key, the default must fit too: blame the backends. */
	where = s ? s : config_setting_get_member(root, "backends");
	if (st->table_size < need)
		return fail(
			c, where, -ERANGE, "maglev.table_size",
			"%s%u is too small for %u backends (at least %d slots each: %u or more, a prime such as %u)",
			s ? "" : "the default ", st->table_size, st->n_backends,
			CTFD_SLOTS_PER_BACKEND, need, ctfd_next_prime(need));
	if (!ctfd_is_prime(st->table_size))
		return fail(
			c, where, -EINVAL, "maglev.table_size",
			"%u is not a prime (Maglev needs one: %u is the next)",
			st->table_size, ctfd_next_prime(st->table_size));
	return 0;
}

static int parse_guard(struct conf_ctx *c, const config_setting_t *root,
		       struct ctfd_state *st)
{
	const config_setting_t *s;
	config_setting_t *g;
	uint64_t v;
	int ret;

	ret = get_group(c, root, "guard", guard_keys, N(guard_keys), &g);
	if (ret || !g)
		return ret;
	s = config_setting_get_member(g, "max_remove_percent");
	if (s) {
		ret = get_uint(c, s, "guard.max_remove_percent", "percentage",
			       0, 100, &v);
		if (ret)
			return ret;
		st->guard_percent = v;
	}
	s = config_setting_get_member(g, "window_s");
	if (s) {
		ret = get_uint(c, s, "guard.window_s", "seconds", 0, 86400, &v);
		if (ret)
			return ret;
		st->guard_window_s = v;
	}
	return 0;
}

static bool is_loopback(const struct ctf_addr *a)
{
	if (a->family == AF_INET)
		return ((const uint8_t *)&a->v4)[0] == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->v6);
}

/*
 * "HOST:PORT", "[V6]:PORT" or "off". Loopback only: the endpoint has no
 * authentication, and a proxy in front of it is the way to export it.
 */
static int parse_listen(const char *s, struct ctfd_listen *l, char *msg,
			size_t msglen)
{
	static const char form[] =
		"\"HOST:PORT\", \"[IPV6]:PORT\" on loopback, or \"off\"";
	const char *host = s, *end, *port;
	char h[CTF_ADDR_STRLEN], why[CTF_PARSE_ERRLEN];

	memset(l, 0, sizeof(*l));
	if (!strcmp(s, "off"))
		return 0;
	if (*s == '[') {
		host = s + 1;
		end = strchr(host, ']');
		if (!end || end[1] != ':') {
			snprintf(msg, msglen,
				 "bad listen address '%s' (no port: %s)", s,
				 form);
			return -EINVAL;
		}
		port = end + 2;
	} else {
		end = strrchr(s, ':');
		if (!end) {
			snprintf(msg, msglen,
				 "bad listen address '%s' (no port: %s)", s,
				 form);
			return -EINVAL;
		}
		if (memchr(s, ':', end - s)) {
			snprintf(
				msg, msglen,
				"bad listen address '%s' (an IPv6 address goes in brackets: \"[::1]:PORT\")",
				s);
			return -EINVAL;
		}
		port = end + 1;
	}
	if ((size_t)(end - host) >= sizeof(h)) {
		snprintf(msg, msglen, "bad listen address '%s' (%s)", s, form);
		return -EINVAL;
	}
	memcpy(h, host, end - host);
	h[end - host] = '\0';
	if (ctf_parse_addr(h, &l->addr, why, sizeof(why))) {
		snprintf(msg, msglen, "bad listen address '%s': %s", s, why);
		return -EINVAL;
	}
	if ((*s == '[') != (l->addr.family == AF_INET6)) {
		snprintf(msg, msglen, "bad listen address '%s' (%s)", s, form);
		return -EINVAL;
	}
	if (!is_loopback(&l->addr)) {
		snprintf(
			msg, msglen,
			"bad listen address '%s' (loopback only: 127.0.0.0/8 or ::1; the metrics have no authentication)",
			s);
		return -EINVAL;
	}
	if (ctf_parse_port(port, &l->port, why, sizeof(why))) {
		snprintf(msg, msglen, "bad listen address '%s': %s", s, why);
		return -EINVAL;
	}
	return 0;
}

static int parse_metrics(struct conf_ctx *c, const config_setting_t *root,
			 struct ctfd_state *st)
{
	char msg[CTF_PARSE_ERRLEN + 64];
	const config_setting_t *s;
	config_setting_t *g;
	const char *str;
	int ret;

	ret = get_group(c, root, "metrics", metrics_keys, N(metrics_keys), &g);
	if (ret || !g)
		return ret;
	s = config_setting_get_member(g, "listen");
	if (!s)
		return 0;
	ret = get_string(c, s, "metrics.listen", &str);
	if (ret)
		return ret;
	ret = parse_listen(str, &st->metrics, msg, sizeof(msg));
	if (ret)
		return fail(c, s, ret, "metrics.listen", "%s", msg);
	return 0;
}

/* An absolute path shorter than @size bytes, copied to @out. */
static int get_path(struct conf_ctx *c, const config_setting_t *s,
		    const char *field, size_t size, const char *limit,
		    char *out)
{
	const char *str;
	int ret;

	ret = get_string(c, s, field, &str);
	if (ret)
		return ret;
	if (str[0] != '/')
		return fail(c, s, -EINVAL, field,
			    "'%s' is not an absolute path", str);
	if (strlen(str) >= size)
		return fail(c, s, -ENAMETOOLONG, field,
			    "too long (%zu bytes, at most %zu: %s)",
			    strlen(str), size - 1, limit);
	strcpy(out, str);
	return 0;
}

/* keepalived.instances: names as keepalived writes them in its FIFO. */
static int parse_instances(struct conf_ctx *c, const config_setting_t *s,
			   struct ctfd_state *st)
{
	char field[48];
	const char *str;
	unsigned int i, j, n;
	int ret;

	ret = get_list(c, s, "keepalived.instances", CTFD_MAX_KA_INSTANCES,
		       "[ \"VI_SIP\" ]");
	if (ret)
		return ret;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(field, sizeof(field), "keepalived.instances[%u]", i);
		ret = get_string(c, e, field, &str);
		if (ret)
			return ret;
		for (j = 0; str[j]; j++)
			if (!isgraph((unsigned char)str[j]) || str[j] == '"')
				break;
		if (!j || str[j] || j >= CTFD_KA_NAME_MAX)
			return fail(
				c, e, -EINVAL, field,
				"bad name '%s' (1..%d printable characters, no spaces or '\"', as in keepalived.conf)",
				str, CTFD_KA_NAME_MAX - 1);
		for (j = 0; j < i; j++)
			if (!strcmp(st->keepalived_instances[j], str))
				return fail(c, e, -EEXIST, field,
					    "'%s' is already instances[%u]",
					    str, j);
		strcpy(st->keepalived_instances[i], str);
	}
	st->n_keepalived_instances = n;
	return 0;
}
static int parse_paths(struct conf_ctx *c, const config_setting_t *root,
		       struct ctfd_state *st)
{
	const config_setting_t *s;
	config_setting_t *g;
	int ret;

	s = config_setting_get_member(root, "control_socket");
	if (s) {
		ret = get_path(c, s, "control_socket",
			       sizeof(((struct sockaddr_un *)0)->sun_path),
			       "the size of a unix socket address",
			       st->control);
		if (ret)
			return ret;
	}
	ret = get_group(c, root, "keepalived", keepalived_keys,
			N(keepalived_keys), &g);
	if (ret || !g)
		return ret;
	s = config_setting_get_member(g, "instances");
	if (s) {
		ret = parse_instances(c, s, st);
		if (ret)
			return ret;
	}
	s = config_setting_get_member(g, "conntrackd");
	if (s) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail(c, s, -EINVAL, "keepalived.conntrackd",
				    "expected true or false");
		st->conntrackd = config_setting_get_bool(s);
	}
	s = config_setting_get_member(g, "notify_fifo");
	if (!s)
		return 0;
	return get_path(c, s, "keepalived.notify_fifo", PATH_MAX, "PATH_MAX",
			st->keepalived_fifo);
}

static bool three_digits(const char *s)
{
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]);
}

/* "CODE" or "FROM-TO", 100..699: the codes that mean alive. */
static int parse_codes(struct conf_ctx *c, const config_setting_t *list,
		       struct ctfd_hc_conf *h)
{
	unsigned int i, n, lo, hi, k;
	const char *s;

	if (!config_setting_is_array(list) && !config_setting_is_list(list))
		return fail(
			c, list, -EINVAL, "health.alive_codes",
			"expected a list of strings: [ \"200-299\", \"404\" ]");
	n = config_setting_length(list);
	if (!n)
		return fail(c, list, -EINVAL, "health.alive_codes",
			    "empty: no answer would mean alive");
	memset(h->alive, 0, sizeof(h->alive));
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		int ret = get_string(c, e, "health.alive_codes", &s);

		if (ret)
			return ret;
		if (three_digits(s) &&
		    (!s[3] || (s[3] == '-' && three_digits(s + 4) && !s[7]))) {
			lo = atoi(s);
			hi = s[3] ? (unsigned int)atoi(s + 4) : lo;
		} else {
			return fail(c, e, -EINVAL, "health.alive_codes",
				    "bad code '%s' (CODE or FROM-TO, 100..699)",
				    s);
		}
		if (lo < 100 || hi > 699 || lo > hi)
			return fail(c, e, -ERANGE, "health.alive_codes",
				    "bad code '%s' (CODE or FROM-TO, 100..699)",
				    s);
		for (k = lo; k <= hi; k++)
			h->alive[(k - 100) / 64] |= 1ULL << ((k - 100) % 64);
	}
	return 0;
}

static int parse_health(struct conf_ctx *c, const config_setting_t *root,
			struct ctfd_state *st)
{
	static const struct {
		const char *key, *field, *what;
		uint64_t min, max;
		size_t off, size;
	} nums[] = {
#define NUM(k, w, lo, hi)                   \
	{ #k,                               \
	  "health." #k,                     \
	  w,                                \
	  lo,                               \
	  hi,                               \
	  offsetof(struct ctfd_hc_conf, k), \
	  sizeof(((struct ctfd_hc_conf *)0)->k) }
		NUM(port, "port", 1, 65535),
		NUM(interval_ms, "interval (ms)", 100, 3600000),
		NUM(timeout_ms, "timeout (ms)", 50, 3600000),
		NUM(jitter_percent, "percentage", 0, 50),
		NUM(rise, "count", 1, 100),
		NUM(fall, "count", 1, 100),
		NUM(passive_ms, "time (ms, 0: off)", 0, 600000),
		NUM(flap_window_ms, "time (ms)", 0, 86400000),
		NUM(canary_port, "port (0: no canary)", 0, 65535),
		NUM(canary_interval_ms, "interval (ms)", 100, 3600000),
		NUM(canary_fall, "count", 1, 100),
#undef NUM
	};
	struct ctfd_hc_conf *h = &st->health;
	const config_setting_t *s;
	config_setting_t *g;
	unsigned int i;
	uint64_t v;
	int ret;

	ret = get_group(c, root, "health", health_keys, N(health_keys), &g);
	if (ret || !g)
		return ret;
	s = config_setting_get_member(g, "enabled");
	if (s) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail(c, s, -EINVAL, "health.enabled",
				    "expected true or false");
		h->enabled = config_setting_get_bool(s);
	}
	for (i = 0; i < N(nums); i++) {
		s = config_setting_get_member(g, nums[i].key);
		if (!s)
			continue;
		ret = get_uint(c, s, nums[i].field, nums[i].what, nums[i].min,
			       nums[i].max, &v);
		if (ret)
			return ret;
		if (nums[i].size == sizeof(uint16_t))
			*(uint16_t *)((char *)h + nums[i].off) = v;
		else
			*(uint32_t *)((char *)h + nums[i].off) = v;
	}
	if (h->passive_ms && h->passive_ms < 200)
		return fail(
			c, config_setting_get_member(g, "passive_ms"), -ERANGE,
			"health.passive_ms",
			"%u is too short to tell a dead backend from a slow answer (0: off, or 200..600000)",
			h->passive_ms);
	if (h->timeout_ms >= h->interval_ms)
		return fail(
			c, config_setting_get_member(g, "timeout_ms"), -ERANGE,
			"health.timeout_ms",
			"%u must be shorter than interval_ms (%u): one probe at a time",
			h->timeout_ms, h->interval_ms);
	s = config_setting_get_member(g, "alive_codes");
	return s ? parse_codes(c, s, h) : 0;
}

static void set_defaults(struct ctfd_state *st)
{
	char msg[CTF_PARSE_ERRLEN];

	memset(st, 0, sizeof(*st));
	st->ports[0] = 5060;
	st->n_ports = 1;
	st->table_size = CTFD_DEFAULT_TABLE_SIZE;
	st->seed = CTFD_DEFAULT_SEED;
	st->guard_percent = CTFD_DEFAULT_GUARD_PERCENT;
	st->guard_window_s = CTFD_DEFAULT_GUARD_WINDOW;
	parse_listen(CTFD_DEFAULT_METRICS, &st->metrics, msg, sizeof(msg));
	strcpy(st->control, CTFD_DEFAULT_CONTROL);
	ctfd_hc_conf_default(&st->health);
}

#define WORD_CHARS                   \
	"abcdefghijklmnopqrstuvwxyz" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
	"0123456789_*.+-"

/*
 * If the word @w (@len bytes) is an integer literal without an L suffix
 * that libconfig 1.5 cannot hold in an int, the range it can: libconfig
 * then wraps the value silently (4294967301 reads as 5, 0x100000003 as 3),
 * into values the checks below would accept.
 */
static const char *wrapped_literal(const char *w, size_t len)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	size_t i = (*w == '-' || *w == '+');
	long long v;

	if (len > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X') &&
	    strspn(w + 2, hex) == len - 2) {
		for (i = 2; i < len && w[i] == '0'; i++)
			;
		/* 0x80000000..0xffffffff are fine: see get_uint(). */
		return len - i > 8 ? "0xffffffff" : NULL;
	}
	if (len == i || strspn(w + i, "0123456789") != len - i)
		return NULL;
	errno = 0;
	v = strtoll(w, NULL, 10);
	if (errno || v < INT32_MIN || v > INT32_MAX)
		return "-2147483648..2147483647";
	return NULL;
}

/*
 * Refuse the integer literals libconfig 1.5 would misread (see
 * wrapped_literal()), before it reads them: afterwards the value written
 * is lost. Comments and strings are skipped as libconfig's scanner does.
 * @include is refused too: the file must be the whole config, and an
 * included file would escape this check.
 */
static int check_literals(struct conf_ctx *c, const char *text)
{
	const char *p = text, *limit;
	unsigned int line = 1;
	size_t len = 0;

	while (*p) {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			p += *p ? 2 : 0;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
			}
			p += !!*p;
		} else if (*p == '@') {
			snprintf(
				c->err, c->errlen,
				"%s:%u: @include: not supported (the file is the whole config)",
				c->name, line);
			return -EINVAL;
		} else if (!strchr(WORD_CHARS, *p)) {
			p++;
		} else {
			len = strspn(p, WORD_CHARS);
			limit = wrapped_literal(p, len);
			if (limit) {
				snprintf(
					c->err, c->errlen,
					"%s:%u: %.*s: beyond %s libconfig needs an L suffix (%.*sL), or it wraps the value silently",
					c->name, line, (int)len, p, limit,
					(int)len, p);
				return -ERANGE;
			}
			p += len;
		}
	}
	return 0;
}

int ctfd_config_parse(const char *text, const char *name, struct ctfd_state *st,
		      char *err, size_t errlen)
{
	struct conf_ctx c = { .name = name, .err = err, .errlen = errlen };
	const config_setting_t *root;
	size_t len = strlen(text);
	char *copy = NULL;
	config_t cfg;
	int ret;

	set_defaults(st);
	ret = check_literals(&c, text);
	if (ret)
		return ret;
	/* libconfig 1.5 calls a # comment that ends the text a syntax error. */
	if (len && text[len - 1] != '\n') {
		if (asprintf(&copy, "%s\n", text) < 0) {
			snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
			return -ENOMEM;
		}
		text = copy;
	}
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		if (config_error_line(&cfg))
			snprintf(err, errlen, "%s:%d: %s", name,
				 config_error_line(&cfg),
				 config_error_text(&cfg));
		else
			snprintf(err, errlen, "%s: %s", name,
				 config_error_text(&cfg));
		ret = -EINVAL;
		goto out;
	}
	root = config_root_setting(&cfg);
	if (!config_setting_length(root)) {
		snprintf(
			err, errlen,
			"%s: empty config: an empty config never means \"delete everything\", so ctfailoverd refuses it",
			name);
		ret = -EINVAL;
		goto out;
	}
	ret = check_keys(&c, root, "", top_keys, N(top_keys));
	if (!ret)
		ret = parse_vips(&c, root, st);
	if (!ret)
		ret = parse_ports(&c, root, st);
	if (!ret)
		ret = parse_backends(&c, root, st);
	if (!ret)
		ret = parse_maglev(&c, root, st);
	if (!ret)
		ret = parse_guard(&c, root, st);
	if (!ret)
		ret = parse_metrics(&c, root, st);
	if (!ret)
		ret = parse_paths(&c, root, st);
	if (!ret)
		ret = parse_health(&c, root, st);
out:
	config_destroy(&cfg);
	free(copy);
	return ret;
}

/* The whole of @fd, NUL-terminated, in *@text (malloc'd): 0 or -errno. */
static int read_all(int fd, char **text, size_t *len)
{
	size_t size = 0;
	char *buf = NULL, *p;
	ssize_t r;

	*len = 0;
	for (;;) {
		if (*len == size) {
			if (size >= CONF_MAX_BYTES) {
				free(buf);
				return -EFBIG;
			}
			size = size ? 2 * size : 65536;
			p = realloc(buf, size + 1);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = read(fd, buf + *len, size - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return r;
		}
		if (!r)
			break;
		*len += r;
	}
	buf[*len] = '\0';
	*text = buf;
	return 0;
}

int ctfd_config_load(const char *path, struct ctfd_state *st, char *err,
		     size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int fd, ret;

	/*
	 * Read it here rather than with config_read_file(): the message
	 * then carries errno, and a NUL byte cannot cut the file short
	 * unseen.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		ret = read_all(fd, &text, &len);
		close(fd);
	}
	if (ret) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(-ret));
		return ret;
	}
	ret = ctfd_config_parse_text(text, len, path, st, err, errlen);
	free(text);
	return ret;
}

int ctfd_config_parse_text(const char *text, size_t len, const char *name,
			   struct ctfd_state *st, char *err, size_t errlen)
{
	unsigned int line = 1;
	const char *q;

	if (strlen(text) != len) {
		for (q = text; *q; q++)
			line += *q == '\n';
		snprintf(err, errlen, "%s:%u: a NUL byte: not a text file",
			 name, line);
		return -EINVAL;
	}
	return ctfd_config_parse(text, name, st, err, errlen);
}
