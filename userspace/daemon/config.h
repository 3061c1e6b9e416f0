/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctfailoverd's config file (libconfig syntax; ctfailover.conf in this
 * directory is the example and the documentation of the format).
 *
 * The parser is strict: an unknown key, a wrong type, a value out of range
 * or a duplicate is an error naming the file, the line and the field. A
 * typo must never be ignored, because whatever the file does not say is
 * what the daemon tears down. For the same reason a config without
 * backends is an error: it never means "delete everything".
 */
#ifndef CTFD_CONFIG_H
#define CTFD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Room for any message of the parser, the path included. */
#define CTFD_CONF_ERRLEN 512

/*
 * Parse the config file @path into @st: defaults first (model.h), then the
 * file. 0 or -errno; on error @err holds one line "<path>:<line>: <field>:
 * <what is wrong>" (the line omitted only where there is none, as for a
 * missing file or key), and @st is unspecified.
 */
int ctfd_config_load(const char *path, struct ctfd_state *st, char *err,
		     size_t errlen);
/* The same from a string; @name stands for the path in messages. */
int ctfd_config_parse(const char *text, const char *name, struct ctfd_state *st,
		      char *err, size_t errlen);
/* @text of @len bytes: a NUL byte in it is an error, as in a file. */
int ctfd_config_parse_text(const char *text, size_t len, const char *name,
			   struct ctfd_state *st, char *err, size_t errlen);

/* A link name the kernel would accept (dev_valid_name()). */
bool ctfd_valid_ifname(const char *s);
/* @st has a VIP of @family: a backend of that family needs one. */
bool ctfd_has_vip_family(const struct ctfd_state *st, int family);

#endif /* CTFD_CONFIG_H */
