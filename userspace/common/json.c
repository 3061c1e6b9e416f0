// SPDX-License-Identifier: GPL-2.0
#include <assert.h>
#include <inttypes.h>

#include "json.h"

void ctf_json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void ctf_json_init(struct ctf_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->more[0] = false;
}

/* The separator and member name before a value at the current depth. */
static void value_start(struct ctf_json *j, const char *key)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
	if (key) {
		ctf_json_str(j->f, key);
		fputc(':', j->f);
	}
}

static void begin(struct ctf_json *j, const char *key, char c)
{
	value_start(j, key);
	fputc(c, j->f);
	assert(j->depth < CTF_JSON_MAX_DEPTH);
	j->more[++j->depth] = false;
}

static void end(struct ctf_json *j, char c)
{
	assert(j->depth > 0);
	j->depth--;
	fputc(c, j->f);
}

void ctf_json_begin_object(struct ctf_json *j, const char *key)
{
	begin(j, key, '{');
}

void ctf_json_end_object(struct ctf_json *j)
{
	end(j, '}');
}

void ctf_json_begin_array(struct ctf_json *j, const char *key)
{
	begin(j, key, '[');
}

void ctf_json_end_array(struct ctf_json *j)
{
	end(j, ']');
}

void ctf_json_string(struct ctf_json *j, const char *key, const char *val)
{
	value_start(j, key);
	ctf_json_str(j->f, val);
}

void ctf_json_uint(struct ctf_json *j, const char *key, uint64_t val)
{
	value_start(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void ctf_json_bool(struct ctf_json *j, const char *key, bool val)
{
	value_start(j, key);
	fputs(val ? "true" : "false", j->f);
}
