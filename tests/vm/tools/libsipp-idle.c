// SPDX-License-Identifier: GPL-2.0
/*
 * libsipp-idle.so: an LD_PRELOAD shim for sipp in the VM scenarios. sipp's
 * main loop waits in epoll_wait() with a 1 ms timeout, so an idle sipp
 * wakes about 900 times a second (measured: 880 context switches/s); the
 * soak runs nine of them in a TCG guest, where those wakeups starved
 * everything else (a netns or a veth took 0.6 to 3 s to make). This
 * stretches waits shorter than 10 ms to 10 ms (97 switches/s): a datagram
 * still wakes sipp at once, only its timers (call rate, retransmissions,
 * pauses) get 10 ms granularity, far below the scenarios' 0.5 s timers.
 * Measured on the host: 20 calls at 5 a second, all answered, in 4.0 s,
 * as without it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/epoll.h>

typedef int (*epoll_wait_t)(int, struct epoll_event *, int, int);

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	static epoll_wait_t real;

	if (!real)
		real = (epoll_wait_t)dlsym(RTLD_NEXT, "epoll_wait");
	if (timeout > 0 && timeout < 10)
		timeout = 10;
	return real(epfd, events, maxevents, timeout);
}
