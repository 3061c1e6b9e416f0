// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's log: one line per event on stderr, which systemd hands to
 * the journal with its own timestamp. Lines are written whole with one
 * write(2) so concurrent writers (none today) could not interleave them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon.h"

void ctfd_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "ctfailoverd: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to say it */
}
