/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal JSON output for `-j`: correctly escaped strings, nothing more. */
#ifndef CTF_JSON_H
#define CTF_JSON_H

#include <stdio.h>

/* Write @s as a JSON string literal, quotes included. */
void ctf_json_str(FILE *f, const char *s);

#endif /* CTF_JSON_H */
