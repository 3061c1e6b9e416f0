// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ctfd_sip_response_parse() on any bytes. It must return
 * 0 or -EINVAL, leave NUL-terminated fields, and never read or write out
 * of bounds (built with ASan and UBSan). tests/fuzz/run runs it over the
 * kept corpus (tests/fuzz/corpus/sipmsg/), and longer on demand.
 * Links: userspace/daemon/sipmsg.c userspace/common/parse.c
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sipmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctfd_sip_response r;
	char err[CTF_PARSE_ERRLEN];
	int ret;

	err[0] = '\0';
	ret = ctfd_sip_response_parse((const char *)data, size, &r, err,
				      sizeof(err));
	assert(ret == 0 || ret == -EINVAL);
	if (ret) {
		assert(err[0] && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	assert(r.code >= 100 && r.code <= 699);
	assert(memchr(r.branch, '\0', sizeof(r.branch)) && r.branch[0]);
	assert(memchr(r.call_id, '\0', sizeof(r.call_id)) && r.call_id[0]);
	assert(memchr(r.method, '\0', sizeof(r.method)) && r.method[0]);
	assert(r.cseq <= 0x7fffffff);
	return 0;
}
