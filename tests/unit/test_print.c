// SPDX-License-Identifier: GPL-2.0
/* One call per field for text and JSON (userspace/common/print.c). */
#include <stdlib.h>

#include "print.h"
#include "unit.h"

UNIT_SUITE("print");

/* A record as ctfailoverctl module prints one, in either form. */
static void record(struct ctf_print *p)
{
	ctf_print_open_object(p, NULL);
	ctf_print_string(p, CTF_PRINT_ANY, "addr", "%s", "10.0.0.1");
	ctf_print_string(p, CTF_PRINT_JSON, "family", NULL, "inet");
	ctf_print_uint(p, CTF_PRINT_ANY, "epoch", " epoch %llu", 4294967295u);
	ctf_print_uint(p, CTF_PRINT_ANY, "tagged", " tagged %llu", UINT64_MAX);
	ctf_print_string(p, CTF_PRINT_ANY, "name", " name %s", "a\"b");
	ctf_print_string(p, CTF_PRINT_TEXT, NULL, "%s", " text-only");
	ctf_print_close_object(p);
	ctf_print_nl(p);
	ctf_print_end(p);
}

/* A list in the form `module ports` prints it. */
static void list(struct ctf_print *p)
{
	static const unsigned int ports[] = { 5060, 65535 };
	unsigned int i;

	ctf_print_open_object(p, NULL);
	ctf_print_string(p, CTF_PRINT_TEXT, NULL, "%s", "ports ");
	ctf_print_open_array(p, "ports");
	for (i = 0; i < 2; i++)
		ctf_print_uint(p, CTF_PRINT_ANY, NULL, i ? ",%llu" : "%llu",
			       ports[i]);
	ctf_print_close_array(p);
	ctf_print_close_object(p);
	ctf_print_nl(p);
	ctf_print_end(p);
}

/* @fn's output in text or JSON. */
static char *capture(void (*fn)(struct ctf_print *p), bool json)
{
	struct ctf_print p;
	size_t len;
	char *out;
	FILE *f;

	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	ctf_print_init(&p, f, json);
	fn(&p);
	fclose(f);
	return out;
}

static void record_text(void)
{
	char *out = capture(record, false);

	CHECK(out);
	CHECK_STR(out, "10.0.0.1 epoch 4294967295 tagged 18446744073709551615"
		       " name a\"b text-only\n");
	free(out);
}

static void record_json(void)
{
	char *out = capture(record, true);

	CHECK(out);
	CHECK_STR(out, "{\"addr\":\"10.0.0.1\",\"family\":\"inet\","
		       "\"epoch\":4294967295,\"tagged\":18446744073709551615,"
		       "\"name\":\"a\\\"b\"}\n");
	free(out);
}

static void list_text(void)
{
	char *out = capture(list, false);

	CHECK(out);
	CHECK_STR(out, "ports 5060,65535\n");
	free(out);
}

static void list_json(void)
{
	char *out = capture(list, true);

	CHECK(out);
	CHECK_STR(out, "{\"ports\":[5060,65535]}\n");
	free(out);
}

const struct unit_case unit_cases[] = {
	{ "record_text", record_text },
	{ "record_json", record_json },
	{ "list_text", list_text },
	{ "list_json", list_json },
	{ NULL, NULL },
};
