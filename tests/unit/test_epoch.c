// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/daemon/epoch.c: the epochs that name instances are the ones
 * tests/lib/epoch.py computes from the documented formula (a change to
 * either side fails here), stay in 1..0xfffffe, and down and back is an
 * involution that never gives 0 or the same epoch.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "epoch.h"
#include "unit.h"

UNIT_SUITE("epoch");

static uint32_t derive(const char *addr, const char *token)
{
	char err[CTF_PARSE_ERRLEN];
	struct ctf_addr a;

	if (ctf_parse_addr(addr, &a, err, sizeof(err)))
		return 0;
	return ctfd_epoch_derive(&a, token);
}

/* `tests/lib/epoch.py ADDRESS TOKEN` printed each of these. */
static void known_answer(void)
{
	CHECK_INT(derive("10.0.10.21", ""), 9512902);
	CHECK_INT(derive("10.0.10.21", "lladdr 02:00:00:00:01:02"), 12389270);
	CHECK_INT(derive("fd00:10::21", ""), 1836883);
	CHECK_INT(derive("2001:db8::42", "i-0abc123"), 6145550);
	CHECK_INT(derive("10.0.10.21", "after 1"), 7475715);
	/* The address's text is inet_ntop()'s, whatever was parsed. */
	CHECK_INT(derive("fd00:10:0:0:0:0:0:21", ""), 1836883);
}

static void tokens(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };
	uint8_t ll[32];
	char buf[CTFD_TOKEN_MAX];

	ctfd_token_lladdr(buf, mac, sizeof(mac));
	CHECK_STR(buf, "lladdr 02:00:00:00:01:02");
	memset(ll, 0xab, sizeof(ll));
	ctfd_token_lladdr(buf, ll, sizeof(ll));
	CHECK_INT(strlen(buf), 7 + 32 * 3 - 1);
	ctfd_token_after(buf, CTF_EPOCH_MAX - 1);
	CHECK_STR(buf, "after 16777214");
}

/* Every epoch in range, its down twin too, never equal to it. */
static void range_and_twins(void)
{
	char token[32];
	uint32_t e, dn;
	unsigned int i;
	struct ctf_addr a;
	char err[CTF_PARSE_ERRLEN];

	CHECK_INT(ctf_parse_addr("192.0.2.1", &a, err, sizeof(err)), 0);
	for (i = 0; i < 100000; i++) {
		snprintf(token, sizeof(token), "after %u", i);
		e = ctfd_epoch_derive(&a, token);
		dn = ctfd_epoch_in_state(e, CTF_STATE_DOWN);
		if (!e || e >= CTF_EPOCH_MAX || !dn || dn >= CTF_EPOCH_MAX ||
		    dn == e)
			break;
		if (ctfd_epoch_in_state(dn, CTF_STATE_DOWN) != e ||
		    ctfd_epoch_in_state(e, CTF_STATE_ACTIVE) != e ||
		    ctfd_epoch_in_state(e, CTF_STATE_DRAINING) != e)
			break;
	}
	CHECK_INT(i, 100000);
	CHECK_INT(ctfd_epoch_in_state(1, CTF_STATE_DOWN), CTF_EPOCH_MAX - 1);
	CHECK_INT(ctfd_epoch_in_state(CTF_EPOCH_MAX - 1, CTF_STATE_DOWN), 1);
}

const struct unit_case unit_cases[] = {
	{ "known_answer", known_answer },
	{ "tokens", tokens },
	{ "range_and_twins", range_and_twins },
	{ NULL, NULL },
};
