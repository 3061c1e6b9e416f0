/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal JSON output for `-j`: correctly escaped strings, and a small
 * streaming writer that places the commas, so callers only say what goes
 * where.
 */
#ifndef CTF_JSON_H
#define CTF_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Write @s as a JSON string literal, quotes included. */
void ctf_json_str(FILE *f, const char *s);

#define CTF_JSON_MAX_DEPTH 8

/*
 * A writer. Every value takes a @key: the member name inside an object,
 * NULL inside an array or at the top. Nesting deeper than
 * CTF_JSON_MAX_DEPTH is a bug of the caller (asserted).
 */
struct ctf_json {
	FILE *f;
	unsigned int depth;
	bool more[CTF_JSON_MAX_DEPTH + 1]; /* a value was written at depth */
};

void ctf_json_init(struct ctf_json *j, FILE *f);
void ctf_json_begin_object(struct ctf_json *j, const char *key);
void ctf_json_end_object(struct ctf_json *j);
void ctf_json_begin_array(struct ctf_json *j, const char *key);
void ctf_json_end_array(struct ctf_json *j);
void ctf_json_string(struct ctf_json *j, const char *key, const char *val);
void ctf_json_uint(struct ctf_json *j, const char *key, uint64_t val);
void ctf_json_bool(struct ctf_json *j, const char *key, bool val);

#endif /* CTF_JSON_H */
