// SPDX-License-Identifier: GPL-2.0
/* JSON string escaping for `ctfailoverctl -j`. */
#include <stdlib.h>

#include "json.h"
#include "unit.h"

UNIT_SUITE("json");

static const struct {
	const char *in, *out;
} cases[] = {
	{ "", "\"\"" },
	{ "1.2.3", "\"1.2.3\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "line\nbreak\ttab", "\"line\\nbreak\\ttab\"" },
	{ "\x01\x1f", "\"\\u0001\\u001f\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" }, /* UTF-8 passes through */
};

static void escapes_strings(void)
{
	size_t i, len;
	char *out;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = open_memstream(&out, &len);
		CHECK(f);
		ctf_json_str(f, cases[i].in);
		fclose(f);
		CHECK_STR(out, cases[i].out);
		free(out);
	}
}

/* Run @fn on a writer to a memory stream; the output into @out. */
static char *capture(void (*fn)(struct ctf_json *j))
{
	struct ctf_json j;
	size_t len;
	char *out;
	FILE *f;

	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	ctf_json_init(&j, f);
	fn(&j);
	fclose(f);
	return out;
}

static void write_nested(struct ctf_json *j)
{
	ctf_json_begin_array(j, NULL);
	ctf_json_begin_object(j, NULL);
	ctf_json_string(j, "addr", "10.0.0.1");
	ctf_json_uint(j, "epoch", 4294967295u);
	ctf_json_begin_array(j, "ports");
	ctf_json_uint(j, NULL, 5060);
	ctf_json_uint(j, NULL, 5061);
	ctf_json_end_array(j);
	ctf_json_begin_object(j, "empty");
	ctf_json_end_object(j);
	ctf_json_end_object(j);
	ctf_json_begin_object(j, NULL);
	ctf_json_uint(j, "max", UINT64_MAX);
	ctf_json_end_object(j);
	ctf_json_end_array(j);
}

static void writer_places_commas(void)
{
	char *out = capture(write_nested);

	CHECK(out);
	CHECK_STR(out, "[{\"addr\":\"10.0.0.1\",\"epoch\":4294967295,"
		       "\"ports\":[5060,5061],\"empty\":{}},"
		       "{\"max\":18446744073709551615}]");
	free(out);
}

static void write_empty_array(struct ctf_json *j)
{
	ctf_json_begin_array(j, NULL);
	ctf_json_end_array(j);
}

static void writer_empty_array(void)
{
	char *out = capture(write_empty_array);

	CHECK(out);
	CHECK_STR(out, "[]");
	free(out);
}

static void write_escaped(struct ctf_json *j)
{
	ctf_json_begin_object(j, NULL);
	ctf_json_string(j, "k\"ey", "va\\l\n");
	ctf_json_end_object(j);
}

static void writer_escapes_keys_and_values(void)
{
	char *out = capture(write_escaped);

	CHECK(out);
	CHECK_STR(out, "{\"k\\\"ey\":\"va\\\\l\\n\"}");
	free(out);
}

const struct unit_case unit_cases[] = {
	{ "escapes_strings", escapes_strings },
	{ "writer_places_commas", writer_places_commas },
	{ "writer_empty_array", writer_empty_array },
	{ "writer_escapes_keys_and_values", writer_escapes_keys_and_values },
	{ NULL, NULL },
};
