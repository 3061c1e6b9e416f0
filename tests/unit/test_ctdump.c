// SPDX-License-Identifier: GPL-2.0
/*
 * The stamp format (userspace/common/ctdump.c) against the module's: the
 * same vectors as kmod/tests/core_test.c, and what a foreign bit does.
 */
#include "ctdump.h"
#include "unit.h"
#include "uapi/ctfailover.h"

UNIT_SUITE("ctdump");

static const struct {
	uint32_t epoch, word;
} vectors[] = {
	{ 1, 0x6b000001 },	  { 2, 0xd6000002 },
	{ 0xff, 0x2b0000ff },	  { 0x123456, 0x8a123456 },
	{ 0xffffff, 0x0fffffff },
};

static void stamp_vectors(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		CHECK_INT(ctf_stamp_encode(vectors[i].epoch), vectors[i].word);
		CHECK_INT(ctf_stamp_decode(vectors[i].word), vectors[i].epoch);
	}
}

static void stamp_zero_is_none(void)
{
	CHECK_INT(ctf_stamp_decode(0), 0);
}

/* Every single bit flipped in every stamp of a range: always foreign. */
static void stamp_one_bit_is_foreign(void)
{
	uint32_t e, w;
	int bit;

	for (e = 1; e < 5000; e += 7) {
		w = ctf_stamp_encode(e);
		for (bit = 0; bit < 32; bit++)
			CHECK_INT(ctf_stamp_decode(w ^ (1U << bit)),
				  CTF_STAMP_FOREIGN);
	}
}

static void stamp_epoch_zero_is_foreign(void)
{
	CHECK_INT(ctf_stamp_decode(0x01000000), CTF_STAMP_FOREIGN);
	CHECK_INT(ctf_stamp_decode(0xff000000), CTF_STAMP_FOREIGN);
}

const struct unit_case unit_cases[] = {
	{ "stamp_vectors", stamp_vectors },
	{ "stamp_zero_is_none", stamp_zero_is_none },
	{ "stamp_one_bit_is_foreign", stamp_one_bit_is_foreign },
	{ "stamp_epoch_zero_is_foreign", stamp_epoch_zero_is_foreign },
	{ NULL, NULL },
};
