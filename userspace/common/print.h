/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One call per field for both outputs of a command, as iproute2's
 * print_uint(PRINT_ANY, "key", "fmt", value): the text form with @fmt,
 * or the JSON member @key, whichever the output is.
 *
 *	ctf_print_init(&p, stdout, json);
 *	ctf_print_open_object(&p, NULL);
 *	ctf_print_uint(&p, CTF_PRINT_ANY, "epoch", "epoch %llu", epoch);
 *	ctf_print_string(&p, CTF_PRINT_JSON, "family", NULL, "inet");
 *	ctf_print_close_object(&p);
 *	ctf_print_nl(&p);
 *	ctf_print_end(&p);
 *
 * prints "epoch 4\n" or {"epoch":4,"family":"inet"} and a newline.
 */
#ifndef CTF_PRINT_H
#define CTF_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

/* Which outputs a field is part of. */
enum ctf_print_mode {
	CTF_PRINT_TEXT = 1,
	CTF_PRINT_JSON = 2,
	CTF_PRINT_ANY = CTF_PRINT_TEXT | CTF_PRINT_JSON,
};

struct ctf_print {
	FILE *f;
	bool json;
	struct ctf_json j; /* the writer, when json */
};

/* Text to @f, or (@json) one JSON document to @f. */
void ctf_print_init(struct ctf_print *p, FILE *f, bool json);
/*
 * A number: text @fmt takes it as %llu (and holds whatever surrounds it,
 * the key and a separator); JSON member @key, NULL inside an array.
 */
void ctf_print_uint(struct ctf_print *p, enum ctf_print_mode mode,
		    const char *key, const char *fmt, uint64_t val);
/* A string: text @fmt takes it as %s; JSON member @key. */
void ctf_print_string(struct ctf_print *p, enum ctf_print_mode mode,
		      const char *key, const char *fmt, const char *val);
/* JSON objects and arrays; nothing in text. */
void ctf_print_open_object(struct ctf_print *p, const char *key);
void ctf_print_close_object(struct ctf_print *p);
void ctf_print_open_array(struct ctf_print *p, const char *key);
void ctf_print_close_array(struct ctf_print *p);
/* Text: the end of a line (a record). Nothing in JSON. */
void ctf_print_nl(struct ctf_print *p);
/* JSON: the newline after the document. Nothing in text. */
void ctf_print_end(struct ctf_print *p);

#endif /* CTF_PRINT_H */
