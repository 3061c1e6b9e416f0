// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/config.c: the example file, the defaults, and every way
 * to get a config wrong, with the message the operator would read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "maglev.h"
#include "unit.h"

UNIT_SUITE("config");

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Big (1024 backends): static, and one per config being compared. */
static struct ctfd_state st, st2;

/* Line 1 and 2 of most cases, so that their line numbers read easily. */
#define VIPS "vips = [ \"203.0.113.10\", \"2001:db8::10\" ];\n"
#define ONE  "backends = ( { name = \"a\"; address = \"10.0.1.1\"; } );\n"
#define V4   "vips = [ \"203.0.113.10\" ];\n"

static const char no_backends[] =
	"a config without backends never means \"delete everything\", so ctfailoverd refuses it";

static const struct {
	const char *text;
	int ret;
	const char *err;
} bad_cases[] = {
	/* Nothing to run is never "run nothing". */
	{ "", -EINVAL,
	  "t.conf: empty config: an empty config never means \"delete everything\", so ctfailoverd refuses it" },
	{ "# only a comment\n\n", -EINVAL,
	  "t.conf: empty config: an empty config never means \"delete everything\", so ctfailoverd refuses it" },
	{ VIPS, -EINVAL, NULL /* "backends: missing: " + no_backends */ },
	{ VIPS "backends = ();\n", -EINVAL, NULL /* empty list */ },

	/* libconfig's own errors, with its line. */
	{ VIPS ONE "maglev = { seed = 1 ;\n", -EINVAL,
	  "t.conf:4: syntax error" },
	{ VIPS ONE "guard = ;\n", -EINVAL, "t.conf:3: syntax error" },
	{ VIPS ONE "vips = [ \"203.0.113.11\" ];\n", -EINVAL,
	  "t.conf:3: duplicate setting name" },
	{ VIPS ONE "sip_ports = [ 5060, \"5080\" ];\n", -EINVAL,
	  "t.conf:3: mismatched element type in array" },

	/* Unknown keys, wherever they are. */
	{ VIPS "backend = ( { name = \"a\"; address = \"10.0.1.1\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backend: unknown setting (accepted: vips, sip_ports, backends, maglev, guard, metrics, control_socket, keepalived, health)" },
	{ VIPS "backends = (\n"
	       "  { name = \"a\"; address = \"10.0.1.1\"; },\n"
	       "  { name = \"b\";\n"
	       "    adress = \"10.0.1.2\"; }\n"
	       ");\n",
	  -EINVAL,
	  "t.conf:5: backends[1] (b).adress: unknown setting (accepted: name, address, interface, state, instance)" },
	{ VIPS "backends = ( { nmae = \"a\"; address = \"10.0.1.1\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0].nmae: unknown setting (accepted: name, address, interface, state, instance)" },
	{ VIPS ONE "maglev = { table_sise = 4093; };\n", -EINVAL,
	  "t.conf:3: maglev.table_sise: unknown setting (accepted: table_size, seed)" },
	{ VIPS ONE "guard = { max_remove = 10; };\n", -EINVAL,
	  "t.conf:3: guard.max_remove: unknown setting "
	  "(accepted: max_remove_percent, window_s)" },
	{ VIPS ONE "metrics = { address = \"127.0.0.1:1\"; };\n", -EINVAL,
	  "t.conf:3: metrics.address: unknown setting (accepted: listen)" },
	{ VIPS ONE "keepalived = { fifo = \"/x\"; };\n", -EINVAL,
	  "t.conf:3: keepalived.fifo: unknown setting (accepted: notify_fifo, instances, conntrackd)" },
	/* Before the missing backends: the typo is the news. */
	{ VIPS "Backends = ();\n", -EINVAL,
	  "t.conf:2: Backends: unknown setting (accepted: vips, sip_ports, backends, maglev, guard, metrics, control_socket, keepalived, health)" },

	/* Groups that are not groups. */
	{ VIPS ONE "maglev = 4093;\n", -EINVAL,
	  "t.conf:3: maglev: expected a group: maglev = { ... };" },
	{ VIPS ONE "guard = [ 50 ];\n", -EINVAL,
	  "t.conf:3: guard: expected a group: guard = { ... };" },
	{ VIPS ONE "metrics = \"off\";\n", -EINVAL,
	  "t.conf:3: metrics: expected a group: metrics = { ... };" },
	{ VIPS ONE "keepalived = ( );\n", -EINVAL,
	  "t.conf:3: keepalived: expected a group: keepalived = { ... };" },

	/* vips */
	{ ONE, -EINVAL,
	  "t.conf: vips: missing (the virtual addresses, at least one)" },
	{ ONE "vips = \"203.0.113.10\";\n", -EINVAL,
	  "t.conf:2: vips: expected a list, like [ \"203.0.113.10\" ]" },
	{ ONE "vips = [ ];\n", -EINVAL,
	  "t.conf:2: vips: empty list (1..64 items)" },
	{ ONE "vips = [ 1 ];\n", -EINVAL,
	  "t.conf:2: vips[0]: expected a string" },
	{ ONE "vips = ( \"203.0.113.10\", [ \"x\" ] );\n", -EINVAL,
	  "t.conf:2: vips[1]: expected a string" },
	{ ONE "vips = [ \"203.0.113.10\", \"203.0.113.300\" ];\n", -EINVAL,
	  "t.conf:2: vips[1]: bad address '203.0.113.300' (IPv4 or IPv6)" },
	{ ONE "vips = [ \"::ffff:203.0.113.10\" ];\n", -EINVAL,
	  "t.conf:2: vips[0]: bad address '::ffff:203.0.113.10' (IPv4-mapped: use 203.0.113.10)" },
	{ ONE "vips = [ \"203.0.113.10\",\n  \"2001:db8::10\",\n"
	      "  \"2001:0db8:0::10\" ];\n",
	  -EEXIST, "t.conf:4: vips[2]: 2001:db8::10 is already vips[1]" },

	/* sip_ports */
	{ VIPS ONE "sip_ports = 5060;\n", -EINVAL,
	  "t.conf:3: sip_ports: expected a list, like [ 5060, 5080 ]" },
	{ VIPS ONE "sip_ports = [ ];\n", -EINVAL,
	  "t.conf:3: sip_ports: empty list (1..64 items)" },
	{ VIPS ONE "sip_ports = [ 0 ];\n", -ERANGE,
	  "t.conf:3: sip_ports[0]: bad port '0' (1..65535)" },
	{ VIPS ONE "sip_ports = [ 5060,\n 65536 ];\n", -ERANGE,
	  "t.conf:4: sip_ports[1]: bad port '65536' (1..65535)" },
	{ VIPS ONE "sip_ports = [ -5060 ];\n", -ERANGE,
	  "t.conf:3: sip_ports[0]: bad port '-5060' (1..65535)" },
	{ VIPS ONE "sip_ports = [ 5060.0 ];\n", -EINVAL,
	  "t.conf:3: sip_ports[0]: expected an integer" },
	{ VIPS ONE "sip_ports = ( 5060, \"5080\" );\n", -EINVAL,
	  "t.conf:3: sip_ports[1]: expected an integer" },
	{ VIPS ONE "sip_ports = [ 5060, 5080, 0x13c4 ];\n", -EEXIST,
	  "t.conf:3: sip_ports[2]: port 5060 is already sip_ports[0]" },

	/* backends: the list */
	{ VIPS "backends = { name = \"a\"; address = \"10.0.1.1\"; };\n",
	  -EINVAL,
	  "t.conf:2: backends: expected a list of groups: ( { name = \"...\"; address = \"...\"; }, ... )" },
	{ VIPS "backends = [ \"10.0.1.1\" ];\n", -EINVAL,
	  "t.conf:2: backends: expected a list of groups: ( { name = \"...\"; address = \"...\"; }, ... )" },
	{ VIPS "backends = ( \"10.0.1.1\" );\n", -EINVAL,
	  "t.conf:2: backends[0]: expected a group: { name = \"...\"; address = \"...\"; }" },

	/* backends: name */
	{ VIPS "backends = ( { address = \"10.0.1.1\"; } );\n", -EINVAL,
	  "t.conf:2: backends[0].name: missing (every backend has one)" },
	{ VIPS "backends = ( { name = 1; address = \"10.0.1.1\"; } );\n",
	  -EINVAL, "t.conf:2: backends[0].name: expected a string" },
	{ VIPS
	  "backends = ( { name = \"sip a\"; address = \"10.0.1.1\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0].name: bad name 'sip a' (1..31 printable ASCII characters, no spaces)" },
	{ VIPS "backends = ( { name = \"\"; address = \"10.0.1.1\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0].name: bad name '' (1..31 printable ASCII characters, no spaces)" },
	{ VIPS "backends = ( { name = \"01234567890123456789012345678901\"; "
	       "address = \"10.0.1.1\"; } );\n",
	  -ERANGE,
	  "t.conf:2: backends[0].name: bad name '01234567890123456789012345678901' (1..31 printable ASCII characters, no spaces)" },
	{ VIPS "backends = (\n"
	       "  { name = \"a\"; address = \"10.0.1.1\"; },\n"
	       "  { name = \"b\"; address = \"10.0.1.2\"; },\n"
	       "  { name = \"a\"; address = \"10.0.1.3\"; }\n"
	       ");\n",
	  -EEXIST,
	  "t.conf:5: backends[2] (a).name: 'a' is already the name of backends[0] (line 3)" },

	/* backends: address */
	{ VIPS "backends = ( { name = \"a\"; } );\n", -EINVAL,
	  "t.conf:2: backends[0] (a).address: missing (every backend has one)" },
	{ VIPS "backends = ( { name = \"a\"; address = 10; } );\n", -EINVAL,
	  "t.conf:2: backends[0] (a).address: expected a string" },
	{ VIPS
	  "backends = ( { name = \"a\"; address = \"sip-a.example\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).address: bad address 'sip-a.example' (IPv4 or IPv6)" },
	{ VIPS "backends = (\n"
	       "  { name = \"a\"; address = \"2001:db8:1::1\"; },\n"
	       "  { name = \"b\"; address = \"2001:db8:1:0::1\"; }\n"
	       ");\n",
	  -EEXIST,
	  "t.conf:4: backends[1] (b).address: 2001:db8:1::1 is already the address of backends[0] (a, line 3)" },
	{ V4 "backends = (\n"
	     "  { name = \"a\"; address = \"10.0.1.1\"; },\n"
	     "  { name = \"b\"; address = \"2001:db8:1::2\"; }\n"
	     ");\n",
	  -EINVAL,
	  "t.conf:4: backends[1] (b).address: 2001:db8:1::2 is IPv6 but no VIP is: add one to vips" },
	{ "vips = [ \"2001:db8::10\" ];\n" ONE, -EINVAL,
	  "t.conf:2: backends[0] (a).address: 10.0.1.1 is IPv4 but no VIP is: add one to vips" },

	/* backends: interface, state */
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = \"eth1/2\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).interface: bad interface name 'eth1/2' (1..15 characters, no '/', ':' or spaces)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = \"eth1:0\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).interface: bad interface name 'eth1:0' (1..15 characters, no '/', ':' or spaces)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = \"eth 1\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).interface: bad interface name 'eth 1' (1..15 characters, no '/', ':' or spaces)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = \"\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).interface: bad interface name '' (1..15 characters, no '/', ':' or spaces)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = \"..\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).interface: bad interface name '..' (1..15 characters, no '/', ':' or spaces)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = \"0123456789abcdef\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).interface: bad interface name '0123456789abcdef' (1..15 characters, no '/', ':' or spaces)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "interface = 1; } );\n",
	  -EINVAL, "t.conf:2: backends[0] (a).interface: expected a string" },
	/* backends: instance */
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "instance = \"\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).instance: bad instance name '' (1..63 printable characters)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "instance = \"i-\tx\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).instance: bad instance name 'i-\tx' (1..63 printable characters)" },
	{ VIPS
	  "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	  "instance = \"0123456789012345678901234567890123456789012345678901234567890123\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).instance: bad instance name '0123456789012345678901234567890123456789012345678901234567890123' (1..63 printable characters)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "instance = 7; } );\n",
	  -EINVAL, "t.conf:2: backends[0] (a).instance: expected a string" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "state = \"up\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).state: bad state 'up' (active, draining, down)" },
	{ VIPS "backends = ( { name = \"a\"; address = \"10.0.1.1\"; "
	       "state = true; } );\n",
	  -EINVAL, "t.conf:2: backends[0] (a).state: expected a string" },

	/* maglev */
	{ VIPS ONE "maglev = { table_size = 4092; };\n", -EINVAL,
	  "t.conf:3: maglev.table_size: 4092 is not a prime (Maglev needs one: 4093 is the next)" },
	{ VIPS ONE "maglev = { table_size = 99; };\n", -ERANGE,
	  "t.conf:3: maglev.table_size: bad table size '99' (100..1000003)" },
	{ VIPS ONE "maglev = { table_size = 1000033; };\n", -ERANGE,
	  "t.conf:3: maglev.table_size: bad table size '1000033' (100..1000003)" },
	{ VIPS ONE "maglev = { table_size = -4093; };\n", -ERANGE,
	  "t.conf:3: maglev.table_size: bad table size '-4093' (100..1000003)" },
	{ VIPS ONE "maglev = { table_size = \"4093\"; };\n", -EINVAL,
	  "t.conf:3: maglev.table_size: expected an integer" },
	{ VIPS "backends = (\n"
	       "  { name = \"a\"; address = \"10.0.1.1\"; },\n"
	       "  { name = \"b\"; address = \"10.0.1.2\"; },\n"
	       "  { name = \"c\"; address = \"10.0.1.3\"; }\n"
	       ");\n"
	       "maglev = {\n"
	       "  table_size = 293;\n"
	       "};\n",
	  -ERANGE,
	  "t.conf:8: maglev.table_size: 293 is too small for 3 backends (at least 100 slots each: 300 or more, a prime such as 307)" },
	{ VIPS ONE "maglev = { seed = -1; };\n", -ERANGE,
	  "t.conf:3: maglev.seed: bad seed '-1' (0..4294967295)" },
	{ VIPS ONE "maglev = { seed = 0x100000000L; };\n", -ERANGE,
	  "t.conf:3: maglev.seed: bad seed '4294967296' (0..4294967295)" },
	{ VIPS ONE "maglev = { seed = 1.5; };\n", -EINVAL,
	  "t.conf:3: maglev.seed: expected an integer" },

	/* Literals libconfig 1.5 would wrap into something acceptable.
	 */
	{ VIPS ONE "maglev = { seed = 0x100000003; };\n", -ERANGE,
	  "t.conf:3: 0x100000003: beyond 0xffffffff libconfig needs an L suffix (0x100000003L), or it wraps the value silently" },
	{ VIPS ONE "maglev = {\n  table_size = 4294971389;\n};\n", -ERANGE,
	  "t.conf:4: 4294971389: beyond -2147483648..2147483647 libconfig needs an L suffix (4294971389L), or it wraps the value silently" },
	{ VIPS ONE "maglev = { seed = 4294967295; };\n", -ERANGE,
	  "t.conf:3: 4294967295: beyond -2147483648..2147483647 libconfig needs an L suffix (4294967295L), or it wraps the value silently" },
	{ VIPS ONE "sip_ports = [ -4294961236 ];\n", -ERANGE,
	  "t.conf:3: -4294961236: beyond -2147483648..2147483647 libconfig needs an L suffix (-4294961236L), or it wraps the value silently" },
	{ VIPS ONE "@include \"other.conf\"\n", -EINVAL,
	  "t.conf:3: @include: not supported (the file is the whole config)" },

	/* guard */
	{ VIPS ONE "guard = { max_remove_percent = 101; };\n", -ERANGE,
	  "t.conf:3: guard.max_remove_percent: bad percentage '101' (0..100)" },
	{ VIPS ONE "guard = { max_remove_percent = -1; };\n", -ERANGE,
	  "t.conf:3: guard.max_remove_percent: bad percentage '-1' (0..100)" },
	{ VIPS ONE "guard = { max_remove_percent = \"50\"; };\n", -EINVAL,
	  "t.conf:3: guard.max_remove_percent: expected an integer" },

	/* metrics */
	{ VIPS ONE "metrics = { listen = \"10.0.0.1:9477\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '10.0.0.1:9477' (loopback only: 127.0.0.0/8 or ::1; the metrics have no authentication)" },
	{ VIPS ONE "metrics = { listen = \"0.0.0.0:9477\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '0.0.0.0:9477' (loopback only: 127.0.0.0/8 or ::1; the metrics have no authentication)" },
	{ VIPS ONE "metrics = { listen = \"[::]:9477\"; };\n", -EINVAL, "t.conf:3: metrics.listen: bad listen address '[::]:9477' (loopback only: 127.0.0.0/8 or ::1; the metrics have no authentication)" },
	{ VIPS ONE "metrics = { listen = \"127.0.0.1\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '127.0.0.1' (no port: \"HOST:PORT\", \"[IPV6]:PORT\" on loopback, or \"off\")" },
	{ VIPS ONE "metrics = { listen = \"[::1]\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '[::1]' (no port: \"HOST:PORT\", \"[IPV6]:PORT\" on loopback, or \"off\")" },
	{ VIPS ONE "metrics = { listen = \"127.0.0.1:\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '127.0.0.1:': bad port '' (1..65535)" },
	{ VIPS ONE "metrics = { listen = \"127.0.0.1:0\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '127.0.0.1:0': bad port '0' (1..65535)" },
	{ VIPS ONE "metrics = { listen = \"[::1]:65536\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '[::1]:65536': bad port '65536' (1..65535)" },
	{ VIPS ONE "metrics = { listen = \"::1:9477\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '::1:9477' (an IPv6 address goes in brackets: \"[::1]:PORT\")" },
	{ VIPS ONE "metrics = { listen = \"[127.0.0.1]:9477\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '[127.0.0.1]:9477' (\"HOST:PORT\", \"[IPV6]:PORT\" on loopback, or \"off\")" },
	{ VIPS ONE "metrics = { listen = \"localhost:9477\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address 'localhost:9477': bad address 'localhost' (IPv4 or IPv6)" },
	{ VIPS ONE "metrics = { listen = \"\"; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: bad listen address '' (no port: \"HOST:PORT\", \"[IPV6]:PORT\" on loopback, or \"off\")" },
	{ VIPS ONE "metrics = { listen = 9477; };\n", -EINVAL,
	  "t.conf:3: metrics.listen: expected a string" },

	/* control_socket, keepalived */
	{ VIPS ONE "control_socket = \"ctf.sock\";\n", -EINVAL,
	  "t.conf:3: control_socket: 'ctf.sock' is not an absolute path" },
	{ VIPS ONE "control_socket = \"\";\n", -EINVAL,
	  "t.conf:3: control_socket: '' is not an absolute path" },
	{ VIPS ONE "control_socket = \"/run/"
		   "01234567890123456789012345678901234567890123456789"
		   "01234567890123456789012345678901234567890123456789012\";\n",
	  -ENAMETOOLONG,
	  "t.conf:3: control_socket: too long (108 bytes, at most 107: the size of a unix socket address)" },
	{ VIPS ONE "control_socket = [ \"/run/x\" ];\n", -EINVAL,
	  "t.conf:3: control_socket: expected a string" },
	{ VIPS ONE "keepalived = { notify_fifo = \"run/k.fifo\"; };\n", -EINVAL,
	  "t.conf:3: keepalived.notify_fifo: 'run/k.fifo' is not an absolute path" },
	{ VIPS ONE "keepalived = { notify_fifo = 0; };\n", -EINVAL,
	  "t.conf:3: keepalived.notify_fifo: expected a string" },

	{ VIPS ONE "keepalived = { instances = [ \"VI 1\" ]; };\n", -EINVAL,
	  "t.conf:3: keepalived.instances[0]: bad name 'VI 1' (1..127 printable characters, no spaces or '\"', as in keepalived.conf)" },
	{ VIPS ONE "keepalived = { instances = [ \"A\", \"A\" ]; };\n", -EEXIST,
	  "t.conf:3: keepalived.instances[1]: 'A' is already instances[0]" },
	{ VIPS ONE "keepalived = { instanses = [ \"A\" ]; };\n", -EINVAL,
	  "t.conf:3: keepalived.instanses: unknown setting (accepted: notify_fifo, instances, conntrackd)" },

	/* addresses nobody else reaches */
	{ "vips = [ \"224.0.0.18\" ];\nbackends = ( { name = \"a\"; address = \"10.0.0.1\"; } );\n",
	  -EINVAL,
	  "t.conf:1: vips[0]: 224.0.0.18 is multicast (224.0.0.0/4): a unicast address another host reaches is needed" },
	{ VIPS "backends = ( { name = \"a\"; address = \"127.0.0.1\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).address: 127.0.0.1 is loopback (127.0.0.0/8): a unicast address another host reaches is needed" },
	{ VIPS
	  "backends = ( { name = \"a\"; address = \"203.0.113.10\"; } );\n",
	  -EINVAL,
	  "t.conf:2: backends[0] (a).address: 203.0.113.10 is vips[0]: a backend is another host" },

	/* health */
	{ VIPS ONE "health = { enabled = 1; };\n", -EINVAL,
	  "t.conf:3: health.enabled: expected true or false" },
	{ VIPS ONE "health = { intervall_ms = 1000; };\n", -EINVAL,
	  "t.conf:3: health.intervall_ms: unknown setting (accepted: enabled, port, interval_ms, timeout_ms, jitter_percent, rise, fall, passive_ms, flap_window_ms, alive_codes, canary_port, canary_interval_ms, canary_fall)" },
	{ VIPS ONE "health = { canary_port = 65536; };\n", -ERANGE,
	  "t.conf:3: health.canary_port: bad port (0: no canary) '65536' (0..65535)" },
	{ VIPS ONE "health = { canary_interval_ms = 50; };\n", -ERANGE,
	  "t.conf:3: health.canary_interval_ms: bad interval (ms) '50' (100..3600000)" },
	{ VIPS ONE "health = { canary_fall = 0; };\n", -ERANGE,
	  "t.conf:3: health.canary_fall: bad count '0' (1..100)" },
	{ VIPS ONE "health = { port = 0; };\n", -ERANGE,
	  "t.conf:3: health.port: bad port '0' (1..65535)" },
	{ VIPS ONE "health = { interval_ms = 99; };\n", -ERANGE,
	  "t.conf:3: health.interval_ms: bad interval (ms) '99' (100..3600000)" },
	{ VIPS ONE "health = { rise = 0; };\n", -ERANGE,
	  "t.conf:3: health.rise: bad count '0' (1..100)" },
	{ VIPS ONE "health = { jitter_percent = 51; };\n", -ERANGE,
	  "t.conf:3: health.jitter_percent: bad percentage '51' (0..50)" },
	{ VIPS ONE "health = { interval_ms = 500; timeout_ms = 500; };\n",
	  -ERANGE,
	  "t.conf:3: health.timeout_ms: 500 must be shorter than interval_ms (500): one probe at a time" },
	{ VIPS ONE "health = { passive_ms = 100; };\n", -ERANGE,
	  "t.conf:3: health.passive_ms: 100 is too short to tell a dead backend from a slow answer (0: off, or 200..600000)" },
	{ VIPS ONE "health = { alive_codes = [ ]; };\n", -EINVAL,
	  "t.conf:3: health.alive_codes: empty: no answer would mean alive" },
	{ VIPS ONE "health = { alive_codes = [ \"2xx\" ]; };\n", -EINVAL,
	  "t.conf:3: health.alive_codes: bad code '2xx' (CODE or FROM-TO, 100..699)" },
	{ VIPS ONE "health = { alive_codes = [ \"299-200\" ]; };\n", -ERANGE,
	  "t.conf:3: health.alive_codes: bad code '299-200' (CODE or FROM-TO, 100..699)" },
	{ VIPS ONE "health = { alive_codes = [ \"200-700\" ]; };\n", -ERANGE,
	  "t.conf:3: health.alive_codes: bad code '200-700' (CODE or FROM-TO, 100..699)" },
	{ VIPS ONE "health = { alive_codes = [ \" 200\" ]; };\n", -EINVAL,
	  "t.conf:3: health.alive_codes: bad code ' 200' (CODE or FROM-TO, 100..699)" },
	{ VIPS ONE "health = { alive_codes = [ 200 ]; };\n", -EINVAL,
	  "t.conf:3: health.alive_codes: expected a string" },
	{ VIPS ONE "health = true;\n", -EINVAL,
	  "t.conf:3: health: expected a group: health = { ... };" },
};

static void bad_table(void)
{
	char err[CTFD_CONF_ERRLEN], want[CTFD_CONF_ERRLEN];
	size_t i;
	int ret;

	for (i = 0; i < N(bad_cases); i++) {
		err[0] = '\0';
		ret = ctfd_config_parse(bad_cases[i].text, "t.conf", &st, err,
					sizeof(err));
		if (bad_cases[i].err)
			snprintf(want, sizeof(want), "%s", bad_cases[i].err);
		else if (strstr(bad_cases[i].text, "()"))
			snprintf(want, sizeof(want),
				 "t.conf:2: backends: empty list: %s",
				 no_backends);
		else
			snprintf(want, sizeof(want),
				 "t.conf: backends: missing: %s", no_backends);
		if (ret != bad_cases[i].ret || strcmp(err, want))
			fprintf(stderr, "  case %zu:\n%s", i,
				bad_cases[i].text);
		CHECK_STR(err, want);
		CHECK_INT(ret, bad_cases[i].ret);
	}
}

static int parse(const char *text, struct ctfd_state *s)
{
	char err[CTFD_CONF_ERRLEN] = "";
	int ret = ctfd_config_parse(text, "t.conf", s, err, sizeof(err));

	if (ret)
		fprintf(stderr, "  %s\n", err);
	return ret;
}

static bool addr_is(const struct ctf_addr *a, const char *s)
{
	char buf[CTF_ADDR_STRLEN];

	return !strcmp(ctf_addr_str(a, buf), s);
}

/* The example, as the documentation describes it, field by field. */
static void example_file(void)
{
	char err[CTFD_CONF_ERRLEN] = "";

	CHECK_INT(ctfd_config_load("userspace/daemon/ctfailover.conf", &st, err,
				   sizeof(err)),
		  0);
	CHECK_STR(err, "");
	CHECK_INT(st.n_vips, 2);
	CHECK(addr_is(&st.vips[0], "203.0.113.10"));
	CHECK(addr_is(&st.vips[1], "2001:db8::10"));
	CHECK_INT(st.n_ports, 2);
	CHECK_INT(st.ports[0], 5060);
	CHECK_INT(st.ports[1], 5080);
	CHECK_INT(st.n_backends, 3);
	CHECK_STR(st.backends[0].name, "sip-a");
	CHECK(addr_is(&st.backends[0].addr, "10.0.1.11"));
	CHECK_STR(st.backends[0].ifname, "eth1");
	CHECK_INT(st.backends[0].state, CTF_STATE_ACTIVE);
	CHECK_STR(st.backends[1].name, "sip-b");
	CHECK(addr_is(&st.backends[1].addr, "10.0.1.12"));
	CHECK_STR(st.backends[1].ifname, "");
	CHECK_INT(st.backends[1].state, CTF_STATE_DRAINING);
	CHECK_STR(st.backends[2].name, "sip-c");
	CHECK(addr_is(&st.backends[2].addr, "2001:db8:1::13"));
	CHECK_INT(st.backends[2].state, CTF_STATE_ACTIVE);
	CHECK_STR(st.backends[0].instance, "");
	CHECK_STR(st.backends[2].instance, "i-0c13");
	CHECK(st.backends[0].line > 0);
	CHECK_INT(st.backends[1].line, st.backends[0].line + 1);
	CHECK_INT(st.backends[0].epoch, 0);
	CHECK_INT(st.table_size, 65537);
	CHECK_INT(st.seed, 0x43544631);
	CHECK_INT(st.guard_percent, 50);
	CHECK_INT(st.metrics.addr.family, AF_INET);
	CHECK(addr_is(&st.metrics.addr, "127.0.0.1"));
	CHECK_INT(st.metrics.port, 9477);
	CHECK_STR(st.control, "/run/ctfailover/control.sock");
	CHECK_STR(st.keepalived_fifo, "/run/ctfailover/keepalived.fifo");
}

/* Loading a file is parsing its text under its path. */
static void load_equals_parse(void)
{
	static char text[65536];
	const char *path = "userspace/daemon/ctfailover.conf";
	char err[CTFD_CONF_ERRLEN];
	size_t len;
	FILE *f;

	f = fopen(path, "r");
	CHECK(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	CHECK(len > 0 && len < sizeof(text) - 1);
	text[len] = '\0';
	CHECK_INT(ctfd_config_load(path, &st, err, sizeof(err)), 0);
	CHECK_INT(ctfd_config_parse(text, path, &st2, err, sizeof(err)), 0);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
}

static void defaults(void)
{
	CHECK_INT(parse(V4 ONE, &st), 0);
	CHECK_INT(st.n_vips, 1);
	CHECK_INT(st.n_ports, 1);
	CHECK_INT(st.ports[0], 5060);
	CHECK_INT(st.n_backends, 1);
	CHECK_STR(st.backends[0].name, "a");
	CHECK_STR(st.backends[0].ifname, "");
	CHECK_INT(st.backends[0].state, CTF_STATE_ACTIVE);
	CHECK_INT(st.backends[0].epoch, 0);
	CHECK_INT(st.backends[0].line, 2);
	CHECK_INT(st.table_size, CTFD_DEFAULT_TABLE_SIZE);
	CHECK_INT(st.seed, CTFD_DEFAULT_SEED);
	CHECK_INT(st.guard_percent, CTFD_DEFAULT_GUARD_PERCENT);
	CHECK(addr_is(&st.metrics.addr, "127.0.0.1"));
	CHECK_INT(st.metrics.port, 9477);
	CHECK_STR(st.control, CTFD_DEFAULT_CONTROL);
	CHECK_STR(st.keepalived_fifo, "");
	CHECK(st.health.enabled);
	CHECK_INT(st.health.interval_ms, 1000);
	CHECK_INT(st.health.fall, 3);
	CHECK_INT(st.health.canary_port, 5099);
	CHECK_INT(st.health.canary_interval_ms, 1000);
	CHECK_INT(st.health.canary_fall, 3);
}

static void health_values(void)
{
	CHECK_INT(
		parse(VIPS ONE
		      "health = { enabled = false; port = 5080; interval_ms = 2000;"
		      " timeout_ms = 1999; jitter_percent = 0; rise = 1; fall = 100;"
		      " passive_ms = 0; flap_window_ms = 0; canary_port = 0;"
		      " canary_interval_ms = 250; canary_fall = 7;"
		      " alive_codes = [ \"200-299\", \"404\", \"100\" ]; };\n",
		      &st),
		0);
	CHECK(!st.health.enabled);
	CHECK_INT(st.health.port, 5080);
	CHECK_INT(st.health.interval_ms, 2000);
	CHECK_INT(st.health.timeout_ms, 1999);
	CHECK_INT(st.health.jitter_percent, 0);
	CHECK_INT(st.health.rise, 1);
	CHECK_INT(st.health.fall, 100);
	CHECK_INT(st.health.passive_ms, 0);
	CHECK_INT(st.health.flap_window_ms, 0);
	CHECK_INT(st.health.canary_port, 0);
	CHECK_INT(st.health.canary_interval_ms, 250);
	CHECK_INT(st.health.canary_fall, 7);
	CHECK(ctfd_hc_code_alive(&st.health, 100));
	CHECK(ctfd_hc_code_alive(&st.health, 200));
	CHECK(ctfd_hc_code_alive(&st.health, 299));
	CHECK(!ctfd_hc_code_alive(&st.health, 300));
	CHECK(ctfd_hc_code_alive(&st.health, 404));
	CHECK(!ctfd_hc_code_alive(&st.health, 503));
	/* The next parse starts from the defaults again. */
	CHECK_INT(parse(VIPS ONE "health = { };\n", &st), 0);
	CHECK(st.health.enabled);
	CHECK(ctfd_hc_code_alive(&st.health, 503));
	CHECK(!ctfd_hc_code_alive(&st.health, 100));
}

/* A parse starts from the defaults, not from what @st held. */
static void defaults_reset(void)
{
	CHECK_INT(parse(VIPS ONE "sip_ports = [ 5080, 5081 ];\n"
				 "maglev = { seed = 7; };\n"
				 "keepalived = { notify_fifo = \"/k\"; };\n",
			&st),
		  0);
	CHECK_INT(st.n_ports, 2);
	CHECK_INT(parse(VIPS ONE, &st), 0);
	CHECK_INT(st.n_ports, 1);
	CHECK_INT(st.ports[0], 5060);
	CHECK_INT(st.seed, CTFD_DEFAULT_SEED);
	CHECK_STR(st.keepalived_fifo, "");
}

static void values(void)
{
	CHECK_INT(parse(VIPS ONE
			"sip_ports = ( 5061, 0x13c4, 65535, 1 );\n"
			"maglev = { table_size = 1000003; seed = 0; };\n"
			"guard = { max_remove_percent = 0; };\n"
			"metrics = { listen = \"[::1]:1\"; };\n"
			"control_socket = \"/c\";\n"
			"keepalived = { };\n",
			&st),
		  0);
	CHECK_INT(st.n_ports, 4);
	CHECK_INT(st.ports[0], 5061); /* in the order given */
	CHECK_INT(st.ports[1], 5060);
	CHECK_INT(st.ports[2], 65535);
	CHECK_INT(st.ports[3], 1);
	CHECK_INT(st.table_size, 1000003);
	CHECK_INT(st.seed, 0);
	CHECK_INT(st.guard_percent, 0);
	CHECK_INT(st.metrics.addr.family, AF_INET6);
	CHECK(addr_is(&st.metrics.addr, "::1"));
	CHECK_INT(st.metrics.port, 1);
	CHECK_STR(st.control, "/c");
	CHECK_STR(st.keepalived_fifo, "");

	CHECK_INT(parse(VIPS ONE
			"guard = { max_remove_percent = 100; };\n"
			"metrics = { listen = \"127.9.8.7:65535\"; };\n"
			"maglev = { table_size = 101; };\n",
			&st),
		  0);
	CHECK_INT(st.guard_percent, 100);
	CHECK(addr_is(&st.metrics.addr, "127.9.8.7"));
	CHECK_INT(st.metrics.port, 65535);
	CHECK_INT(st.table_size, 101);

	CHECK_INT(parse(VIPS ONE "metrics = { listen = \"off\"; };\n"
				 "maglev = { };\n guard = { };\n",
			&st),
		  0);
	CHECK_INT(st.metrics.port, 0);
	CHECK_INT(st.metrics.addr.family, 0);
	CHECK_INT(st.table_size, CTFD_DEFAULT_TABLE_SIZE);
	CHECK_INT(st.guard_percent, CTFD_DEFAULT_GUARD_PERCENT);

	CHECK_INT(
		parse(VIPS
		      "backends = ( { name = \"a\"; address = \"10.0.1.1\";"
		      " state = \"down\"; interface = \"veth-lb.100\"; } );\n",
		      &st),
		0);
	CHECK_INT(st.backends[0].state, CTF_STATE_DOWN);
	CHECK_STR(st.backends[0].ifname, "veth-lb.100");

	/* 107 bytes: the longest path a sockaddr_un holds with its NUL. */
	CHECK_INT(
		parse(VIPS ONE
		      "control_socket = \"/run/"
		      "01234567890123456789012345678901234567890123456789"
		      "0123456789012345678901234567890123456789012345678901\";\n",
		      &st),
		0);
	CHECK_INT(strlen(st.control), 107);
}

/*
 * libconfig 1.5 reads 0x80000000..0xffffffff as negative ints, and
 * anything with an L suffix as int64: the seed takes all of them.
 */
static void seed_forms(void)
{
	static const struct {
		const char *lit;
		uint32_t seed;
	} cases[] = {
		{ "0xffffffff", 0xffffffff },
		{ "0x80000000", 0x80000000 },
		{ "0x7fffffff", 0x7fffffff },
		{ "0XFFFFFFFF", 0xffffffff },
		{ "0x0000000001", 1 },
		{ "4294967295L", 0xffffffff },
		{ "0xffffffffL", 0xffffffff },
		{ "2147483647", 0x7fffffff },
		{ "0", 0 },
	};
	char text[256];
	size_t i;

	for (i = 0; i < N(cases); i++) {
		snprintf(text, sizeof(text),
			 VIPS ONE "maglev = { seed = %s; };\n", cases[i].lit);
		CHECK_INT(parse(text, &st), 0);
		CHECK_INT(st.seed, cases[i].seed);
	}
}

/* Comments and strings may hold anything that looks like a number. */
static void literal_check_skips_comments_and_strings(void)
{
	CHECK_INT(parse(VIPS ONE
			"# seed = 99999999999\n"
			"// 0x100000000\n"
			"/* 4294967296\n @include \"x\" */\n"
			"control_socket = \"/run/4294967296/\\\"@x\";\n"
			"keepalived = { notify_fifo = \"/0x123456789\"; };\n",
			&st),
		  0);
	CHECK_STR(st.control, "/run/4294967296/\"@x");
}

static void write_backends(char *p, unsigned int n, const char *extra)
{
	unsigned int i;

	p += sprintf(p, V4 "backends = (\n");
	for (i = 0; i < n; i++)
		p += sprintf(
			p, "%s{ name = \"b%u\"; address = \"10.1.%u.%u\"; }\n",
			i ? "," : "", i, i / 256, i % 256);
	sprintf(p, ");\n%s", extra);
}

/* libconfig 1.5 alone would call the comment a syntax error. */
static void no_final_newline(void)
{
	CHECK_INT(parse(VIPS ONE "# the end", &st), 0);
	CHECK_INT(parse(VIPS ONE "guard = { max_remove_percent = 10; }", &st),
		  0);
	CHECK_INT(st.guard_percent, 10);
}

/* The default table holds 655 backends, and says so for the 656th. */
static void default_table_size_limit(void)
{
	static char text[1 << 17];
	char err[CTFD_CONF_ERRLEN];

	write_backends(text, 655, "");
	CHECK_INT(parse(text, &st), 0);
	CHECK_INT(st.n_backends, 655);
	write_backends(text, 656, "");
	CHECK_INT(ctfd_config_parse(text, "t.conf", &st, err, sizeof(err)),
		  -ERANGE);
	CHECK_STR(
		err,
		"t.conf:2: maglev.table_size: the default 65537 is too small for 656 backends (at least 100 slots each: 65600 or more, a prime such as 65609)");
	write_backends(text, 656, "maglev = { table_size = 65609; };\n");
	CHECK_INT(parse(text, &st), 0);
}

static void limits(void)
{
	static char text[1 << 18];
	char err[CTFD_CONF_ERRLEN];
	unsigned int i;
	char *p;

	write_backends(text, CTFD_MAX_BACKENDS,
		       "maglev = { table_size = 102407; };\n");
	CHECK_INT(parse(text, &st), 0);
	CHECK_INT(st.n_backends, CTFD_MAX_BACKENDS);
	write_backends(text, CTFD_MAX_BACKENDS + 1, "");
	CHECK_INT(ctfd_config_parse(text, "t.conf", &st, err, sizeof(err)),
		  -E2BIG);
	CHECK_STR(err,
		  "t.conf:2: backends: too many items (1025, at most 1024)");

	p = text + sprintf(text, ONE "vips = [ ");
	for (i = 0; i < CTFD_MAX_VIPS; i++)
		p += sprintf(p, "%s\"10.0.0.%u\"", i ? ", " : "", i + 1);
	strcpy(p, " ];\n");
	CHECK_INT(parse(text, &st), 0);
	CHECK_INT(st.n_vips, CTFD_MAX_VIPS);
	sprintf(p, ", \"10.0.0.%u\" ];\n", i + 1);
	CHECK_INT(ctfd_config_parse(text, "t.conf", &st, err, sizeof(err)),
		  -E2BIG);
	CHECK_STR(err, "t.conf:2: vips: too many items (65, at most 64)");

	p = text + sprintf(text, VIPS ONE "sip_ports = [ ");
	for (i = 0; i < CTF_MAX_PORTS; i++)
		p += sprintf(p, "%s%u", i ? ", " : "", 5060 + i);
	strcpy(p, " ];\n");
	CHECK_INT(parse(text, &st), 0);
	CHECK_INT(st.n_ports, CTF_MAX_PORTS);
	sprintf(p, ", %u ];\n", 5060 + i);
	CHECK_INT(ctfd_config_parse(text, "t.conf", &st, err, sizeof(err)),
		  -E2BIG);
	CHECK_STR(err, "t.conf:3: sip_ports: too many items (65, at most 64)");
}

/* Maglev depends on the set of backends: the file's order must not leak. */
static void order_independent(void)
{
	unsigned int i;

	CHECK_INT(parse(VIPS
			"backends = (\n"
			"{ name = \"sip-c\"; address = \"2001:db8:1::3\"; },\n"
			"{ name = \"sip-a\"; address = \"10.0.1.1\"; },\n"
			"{ name = \"Sip-z\"; address = \"10.0.1.26\"; },\n"
			"{ name = \"sip-b\"; address = \"10.0.1.2\"; }\n"
			");\n",
			&st),
		  0);
	CHECK_INT(parse(VIPS
			"backends = (\n"
			"{ name = \"sip-b\"; address = \"10.0.1.2\"; },\n"
			"{ name = \"sip-a\"; address = \"10.0.1.1\"; },\n"
			"{ name = \"sip-c\"; address = \"2001:db8:1::3\"; },\n"
			"{ name = \"Sip-z\"; address = \"10.0.1.26\"; }\n"
			");\n",
			&st2),
		  0);
	CHECK_INT(st.n_backends, 4);
	CHECK_STR(st.backends[0].name, "Sip-z"); /* strcmp: 'S' < 's' */
	CHECK_STR(st.backends[1].name, "sip-a");
	CHECK_STR(st.backends[2].name, "sip-b");
	CHECK_STR(st.backends[3].name, "sip-c");
	CHECK(addr_is(&st.backends[3].addr, "2001:db8:1::3"));
	for (i = 0; i < st.n_backends; i++) {
		/* Only where each was written differs. */
		CHECK(st.backends[i].line != st2.backends[i].line || i == 1);
		st.backends[i].line = st2.backends[i].line = 0;
	}
	CHECK(!memcmp(st.backends, st2.backends, sizeof(st.backends)));
}

static void load_errors(void)
{
	static const char nul[] = V4 ONE "\0maglev = 1;\n";
	char err[CTFD_CONF_ERRLEN], path[] = "/tmp/ctf-config-XXXXXX";
	int fd;

	CHECK_INT(ctfd_config_load("/nonexistent/ctfailover.conf", &st, err,
				   sizeof(err)),
		  -ENOENT);
	CHECK_STR(
		err,
		"/nonexistent/ctfailover.conf: cannot read: No such file or directory");
	CHECK_INT(ctfd_config_load("userspace", &st, err, sizeof(err)),
		  -EISDIR);
	CHECK_STR(err, "userspace: cannot read: Is a directory");

	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, nul, sizeof(nul) - 1), sizeof(nul) - 1);
	close(fd);
	CHECK_INT(ctfd_config_load(path, &st, err, sizeof(err)), -EINVAL);
	CHECK(!strncmp(err, path, strlen(path)));
	CHECK_STR(err + strlen(path), ":3: a NUL byte: not a text file");

	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(ctfd_config_load(path, &st, err, sizeof(err)), -EINVAL);
	CHECK_STR(
		err + strlen(path),
		": empty config: an empty config never means \"delete everything\", so ctfailoverd refuses it");
	unlink(path);
}

/* A message never overflows the caller's buffer, however long. */
static void short_err_buffer(void)
{
	char err[16];

	memset(err, 'x', sizeof(err));
	CHECK_INT(ctfd_config_parse("", "t.conf", &st, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "t.conf: empty c");
}

static void primes(void)
{
	static const uint32_t yes[] = { 2,     3,	   5,	       101,
					4093,  4111,	   102407,     1000003,
					65521, 2147483647, 4294967291u };
	static const uint32_t no[] = {
		0,    1,       4,     9,	   100,		4092,
		4095, 1000001, 65536, 4294967295u, 4294967293u, 65521u * 65521u
	};
	size_t i;

	for (i = 0; i < N(yes); i++)
		CHECK(ctfd_is_prime(yes[i]));
	for (i = 0; i < N(no); i++)
		CHECK(!ctfd_is_prime(no[i]));
	CHECK_INT(ctfd_next_prime(0), 2);
	CHECK_INT(ctfd_next_prime(2), 2);
	CHECK_INT(ctfd_next_prime(4000), 4001);
	CHECK_INT(ctfd_next_prime(4094), 4099);
	CHECK_INT(ctfd_next_prime(4100), 4111);
	CHECK_INT(ctfd_next_prime(999984), 1000003);
	CHECK_INT(ctfd_next_prime(CTFD_MAX_TABLE_SIZE), CTFD_MAX_TABLE_SIZE);
}

const struct unit_case unit_cases[] = {
	{ "health_values", health_values },
	{ "bad_table", bad_table },
	{ "example_file", example_file },
	{ "load_equals_parse", load_equals_parse },
	{ "defaults", defaults },
	{ "defaults_reset", defaults_reset },
	{ "values", values },
	{ "seed_forms", seed_forms },
	{ "literal_check_skips_comments_and_strings",
	  literal_check_skips_comments_and_strings },
	{ "no_final_newline", no_final_newline },
	{ "default_table_size_limit", default_table_size_limit },
	{ "limits", limits },
	{ "order_independent", order_independent },
	{ "load_errors", load_errors },
	{ "short_err_buffer", short_err_buffer },
	{ "primes", primes },
	{ NULL, NULL },
};
