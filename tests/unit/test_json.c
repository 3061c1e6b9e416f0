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

const struct unit_case unit_cases[] = {
	{ "escapes_strings", escapes_strings },
	{ NULL, NULL },
};
