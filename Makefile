# SPDX-License-Identifier: GPL-2.0
#
# ctfailover. The two commands of the README:
#   make check     every test layer; last line "N passed, N failed, N skipped"
#   make demo      the failover scenario in a VM (see README)
# and the usual ones:
#   make           ctfailover.ko for KDIR + the userspace programs; with no
#                  headers for the running kernel, the module is built for
#                  the newest kernel of the matrix (scripts/build-kmod)
#   make kmod-matrix   ctfailover.ko for every kernel of the matrix (5.10 6.1 6.12)

BUILD	?= build
CTF_SERIES := $(shell scripts/kernels list)
KVER	?= $(shell uname -r)
# The running kernel's build tree, else the newest installed headers.
KDIR	?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
	     $(shell ls -dv /usr/src/linux-headers-*/ 2>/dev/null | grep -v -- -common/ | tail -n 1))

CC	?= gcc
CFLAGS	?= -O2 -g
PKG_CONFIG ?= pkg-config
CTF_PKGS   := libmnl libnftnl libconfig
CTF_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	      -Ikmod -Iuserspace/common -Iuserspace/daemon \
	      $(shell $(PKG_CONFIG) --cflags $(CTF_PKGS) 2>/dev/null)
CTF_LIBS   := $(shell $(PKG_CONFIG) --libs $(CTF_PKGS) 2>/dev/null || echo -lmnl -lnftnl -lconfig)

US	:= $(BUILD)/userspace
COMMON_SRC := $(wildcard userspace/common/*.c)
CTL_SRC	:= $(wildcard userspace/ctl/*.c)
# The daemon's parts; all but main.c are linked into the unit tests too.
D_SRC	:= $(filter-out userspace/daemon/main.c,$(wildcard userspace/daemon/*.c))
D_OBJ	:= $(patsubst userspace/%.c,$(US)/%.o,$(D_SRC))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: install install-dkms deb all kmod userspace check-libs check-fresh kmod-matrix demo soak fuzz bench bench-tools unit-tests check check-unit check-build check-style \
	check-host check-kunit check-vm setup clean
.DEFAULT_GOAL := all

all: userspace kmod

kmod:
ifneq ($(KDIR),)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
else
	@echo "no kernel headers for $(KVER): building for the matrix's newest kernel," \
		"$(lastword $(CTF_SERIES)) (KDIR=... builds for another)"
	@scripts/build-kmod $(lastword $(CTF_SERIES)) || { \
		echo "cannot build the module: run scripts/setup (as root) first, or pass KDIR=..." >&2; exit 1; }
endif

userspace: check-libs $(US)/ctfailoverctl $(US)/ctfailoverd

# One line that says what to run, rather than a page of compiler errors.
check-libs:
	@$(PKG_CONFIG) --exists $(CTF_PKGS) 2>/dev/null || { \
		echo "missing development packages for $(CTF_PKGS): run scripts/setup (as root) first" >&2; exit 1; }

$(US)/%.o: userspace/%.c $(wildcard userspace/*/*.h) kmod/uapi/ctfailover.h
	@mkdir -p $(dir $@)
	$(CC) $(CTF_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The CLI's own canary speaks the daemon's SIP (canary --to).
$(US)/ctfailoverctl: $(patsubst userspace/%.c,$(US)/%.o,$(CTL_SRC) $(COMMON_SRC)) \
		$(US)/daemon/sipmsg.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CTF_LIBS)

$(US)/ctfailoverd: $(US)/daemon/main.o $(D_OBJ) \
		$(patsubst userspace/%.c,$(US)/%.o,$(COMMON_SRC))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CTF_LIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.c tests/unit/unit.h $(D_OBJ) \
		$(patsubst userspace/%.c,$(US)/%.o,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CTF_CFLAGS) -Itests/unit $(CFLAGS) -o $@ $(filter %.c %.o,$^) $(CTF_LIBS)

unit-tests: $(UNIT_TESTS)

# Benchmark programs (tests/bench/*.c), linked like the unit tests.
BENCH_TOOLS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))
$(BUILD)/bench/%: tests/bench/%.c $(D_OBJ) $(patsubst userspace/%.c,$(US)/%.o,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CTF_CFLAGS) $(CFLAGS) -o $@ $(filter %.c %.o,$^) $(CTF_LIBS)

bench-tools: $(BENCH_TOOLS)

# make install [DESTDIR=...] [PREFIX=/usr/local]: the daemon, the CLI, the
# man pages, the systemd unit (its paths rewritten for SBINDIR), the data
# files and the examples. The module goes through DKMS: make install-dkms
# puts its source where `dkms install ctfailover/VERSION` finds it.
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/ctfailover
DOCDIR	?= $(PREFIX)/share/doc/ctfailover
UNITDIR	?= $(PREFIX)/lib/systemd/system
SRCDIR	?= $(PREFIX)/src
VERSION	:= $(shell sed -n 's/^\#define CTFAILOVER_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/uapi/ctfailover.h)
INSTALL	?= install

install: userspace
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(US)/ctfailoverd $(US)/ctfailoverctl $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0644 man/ctfailover.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 man/ctfailover.7 $(DESTDIR)$(MANDIR)/man7/
	$(INSTALL) -m 0644 man/ctfailoverd.8 man/ctfailoverctl.8 $(DESTDIR)$(MANDIR)/man8/
	sed 's|/usr/sbin/|$(SBINDIR)/|g' systemd/ctfailoverd.service >$(DESTDIR)$(UNITDIR)/ctfailoverd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ctfailoverd.service
	$(INSTALL) -m 0644 nft/connlabel.conf prometheus/ctfailover.rules.yml \
		$(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 0755 examples/conntrackd-notify $(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 0644 userspace/daemon/ctfailover.conf examples/keepalived.conf \
		examples/conntrackd.conf nft/ctfailover.nft $(DESTDIR)$(DOCDIR)/examples/

install-dkms:
	$(INSTALL) -d $(DESTDIR)$(SRCDIR)/ctfailover-$(VERSION)/kmod/uapi
	$(INSTALL) -m 0644 Kbuild dkms.conf $(DESTDIR)$(SRCDIR)/ctfailover-$(VERSION)/
	$(INSTALL) -m 0644 kmod/Kbuild kmod/Kconfig kmod/*.[ch] $(DESTDIR)$(SRCDIR)/ctfailover-$(VERSION)/kmod/
	$(INSTALL) -m 0644 kmod/uapi/*.h $(DESTDIR)$(SRCDIR)/ctfailover-$(VERSION)/kmod/uapi/

# The Debian packages ctfailover-dkms and ctfailoverd (debian/), unsigned,
# into $(BUILD)/deb; tests/pkg.sh checks and installs them.
deb:
	scripts/deb $(BUILD)/deb

kmod-matrix:
	@for s in $$(scripts/kernels list); do scripts/build-kmod --sparse $$s || exit 1; done

setup:
	scripts/setup

# The incident end to end in a VM, three modes compared: a table and a
# timeline plot in build/demo/ (tests/scenarios/run --help).
demo: setup
	tests/scenarios/run

# The randomized soak, long, in a VM (tests/soak/run): make soak SEED=7 EVENTS=1000
SEED ?= 1
EVENTS ?= 100
soak: setup
	tests/soak/run $(SEED) $(EVENTS)

# The fuzz targets over their kept corpus and RUNS more inputs (tests/fuzz/run).
fuzz: setup
	tests/fuzz/run $(RUNS)

# Benchmarks in a VM, with ratios against a baseline of the same run.
bench: setup
	tests/bench/run

# Each layer alone; `make check` runs them all, after installing what they need.
check: setup
	tests/check
# make check in a brand-new Debian root, as CI runs it (scripts/fresh-root).
check-fresh:
	scripts/fresh-root make check
check-unit check-build check-style check-host check-kunit check-vm:
	tests/check $(@:check-%=%)

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
