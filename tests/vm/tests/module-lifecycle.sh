#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailover.ko on a stock distro kernel: load, the generic netlink family
# appears (and ctfailoverctl talks to it), unload leaves nothing behind,
# the family alias autoloads the module, repeated load/unload is clean, and
# the kernel log has no splat. VM only: it loads and unloads modules.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"

[[ ${CTF_IN_VM:-} == 1 ]] || fail "run me in the VM: tests/vm/run SERIES -- $0"

mod=ctfailover
blacklist=/run/modprobe.d/ctf-no-autoload.conf

loaded() { grep -q "^$mod " /proc/modules; }

# The family as the kernel's genetlink controller sees it. Note: asking
# for an absent family makes the kernel request_module() its alias.
family() { genl ctrl get name "$mod" >/dev/null 2>&1; }

expect_loaded() {
	loaded || fail "$1: $mod is not in /proc/modules"
	[[ -d /sys/module/$mod ]] || fail "$1: no /sys/module/$mod"
	family || fail "$1: no generic netlink family '$mod'"
}

expect_unloaded() {
	! loaded || fail "$1: $mod still in /proc/modules"
	[[ ! -e /sys/module/$mod ]] || fail "$1: /sys/module/$mod still there"
}

# No autoloading while we check that the family is gone: modprobe ignores
# blacklisted modules for alias requests (the kernel's are all by alias).
no_autoload() {
	mkdir -p "${blacklist%/*}"
	echo "blacklist $mod" >"$blacklist"
}
autoload() { rm -f "$blacklist"; }

# The kernel log from here on is this test's (boot messages are not).
dmesg_start=$(dmesg | wc -l)

# 1. load, and what the module says about itself
modprobe "$mod"
expect_loaded "modprobe"
version=$(cat "/sys/module/$mod/version")
[[ -n $version ]] || fail "empty /sys/module/$mod/version"
assert_eq "$version" "$(modinfo -F version "$mod")" "modinfo version"
pass "modprobe $mod: version $version, genl family present"

if command -v ctfailoverctl >/dev/null; then
	out=$(ctfailoverctl version) || fail "ctfailoverctl version failed: $out"
	grep -qF "$version" <<<"$out" ||
		fail "ctfailoverctl version does not report the module's $version: $out"
	pass "ctfailoverctl version reports the module's $version"
else
	skip "ctfailoverctl version reports the module's version" \
		"no ctfailoverctl in the guest (build/userspace not built)"
fi

# 2. unload: gone, and nothing brings it back while autoload is off
rmmod "$mod"
expect_unloaded "rmmod"
no_autoload
! family || fail "genl family '$mod' present after rmmod"
if command -v ctfailoverctl >/dev/null; then
	assert_fails "ctfailoverctl version without the module" ctfailoverctl version
	pass "ctfailoverctl version fails without the module"
else
	skip "ctfailoverctl version fails without the module" \
		"no ctfailoverctl in the guest (build/userspace not built)"
fi
expect_unloaded "family lookups with autoload off"
pass "rmmod $mod: module and family gone"
autoload

# 3. the family alias loads the module on first use (what ctfailoverctl
# relies on), through /sbin/modprobe and the guest's depmod of extra/
modinfo -F alias "$mod" | grep -q "family-$mod" ||
	fail "$mod has no genl family alias (ctfailoverctl relies on autoload)"
family || fail "genl lookup did not autoload $mod"
expect_loaded "autoload"
rmmod "$mod"
expect_unloaded "rmmod after autoload"
pass "genl family lookup autoloads $mod"

# 4. load/unload cycles (modprobe -r also unloads unused dependencies),
# then insmod by path, which resolves no dependencies by itself
for i in 1 2 3; do
	modprobe "$mod"
	expect_loaded "modprobe #$i"
	modprobe -r "$mod"
	expect_unloaded "modprobe -r #$i"
done
IFS=, read -ra deps <<<"$(modinfo -F depends "$mod")"
((${#deps[@]} == 0)) || modprobe -a "${deps[@]}"
insmod "/lib/modules/$(uname -r)/extra/$mod.ko"
expect_loaded "insmod"
rmmod "$mod"
expect_unloaded "rmmod after insmod"
pass "3 modprobe/modprobe -r cycles and insmod/rmmod"

# 5. the kernel log: the module spoke, and nothing went wrong
log=$(dmesg | tail -n +$((dmesg_start + 1)))
grep -q "$mod" <<<"$log" || fail "$mod left no line in dmesg"
bad=$(grep -E 'WARNING|BUG|Oops|Call Trace|general protection|refcount_t|list_(add|del) corruption' <<<"$log" || true)
[[ -z $bad ]] || fail "kernel log has problems:"$'\n'"$bad"
pass "dmesg: no WARNING/BUG lines"
