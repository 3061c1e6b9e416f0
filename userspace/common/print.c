// SPDX-License-Identifier: GPL-2.0
/* One call per field for text and JSON output (print.h). */
#include "print.h"

void ctf_print_init(struct ctf_print *p, FILE *f, bool json)
{
	p->f = f;
	p->json = json;
	ctf_json_init(&p->j, f);
}

/* Whether a field of @mode is part of @p's output, and of which form. */
static bool is_text(const struct ctf_print *p, enum ctf_print_mode mode)
{
	return !p->json && (mode & CTF_PRINT_TEXT);
}

static bool is_json(const struct ctf_print *p, enum ctf_print_mode mode)
{
	return p->json && (mode & CTF_PRINT_JSON);
}

void ctf_print_uint(struct ctf_print *p, enum ctf_print_mode mode,
		    const char *key, const char *fmt, uint64_t val)
{
	if (is_json(p, mode))
		ctf_json_uint(&p->j, key, val);
	else if (is_text(p, mode))
		fprintf(p->f, fmt, (unsigned long long)val);
}

void ctf_print_string(struct ctf_print *p, enum ctf_print_mode mode,
		      const char *key, const char *fmt, const char *val)
{
	if (is_json(p, mode))
		ctf_json_string(&p->j, key, val);
	else if (is_text(p, mode))
		fprintf(p->f, fmt, val);
}

void ctf_print_open_object(struct ctf_print *p, const char *key)
{
	if (p->json)
		ctf_json_begin_object(&p->j, key);
}

void ctf_print_close_object(struct ctf_print *p)
{
	if (p->json)
		ctf_json_end_object(&p->j);
}

void ctf_print_open_array(struct ctf_print *p, const char *key)
{
	if (p->json)
		ctf_json_begin_array(&p->j, key);
}

void ctf_print_close_array(struct ctf_print *p)
{
	if (p->json)
		ctf_json_end_array(&p->j);
}

void ctf_print_nl(struct ctf_print *p)
{
	if (!p->json)
		fputc('\n', p->f);
}

void ctf_print_end(struct ctf_print *p)
{
	if (p->json)
		fputc('\n', p->f);
}
