#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `ctfailoverctl module ...` on the host: every bad argument is exit 2 with
# a message naming it (checked before any netlink, so the module's absence
# cannot hide it), and with the module absent, which on this host (no
# module loading) is always the case, every valid command is exit 1 with
# the same "not loaded" message as `version`.
set -euo pipefail

# shellcheck source=tests/lib/expect.sh
. "$(dirname "$0")/../lib/expect.sh"

# usage PATTERN ARGS...: `ctfailoverctl module ARGS` is a usage error.
usage() {
	local pattern=$1
	shift
	expect 2 "^ctfailoverctl module $pattern" -- ctfailoverctl module "$@"
}

ctl=(ctfailoverctl module)

# Help and dispatch
expect 0 '^  backends$' -- ctfailoverctl module help
expect 0 'monitor \[--count N\] \[--timeout SEC\]' -- ctfailoverctl module --help
expect 0 "module  *drive ctfailover.ko" -- ctfailoverctl --help
expect 2 'Usage: ctfailoverctl \[-j\] module' -- ctfailoverctl module
expect 2 "^ctfailoverctl module: unknown command 'frob'" -- ctfailoverctl module frob
usage "help: unexpected argument 'x'" help x

# Addresses: missing, malformed, IPv4-mapped, trailing junk
for cmd in set backend del bump; do
	usage "$cmd: missing ADDR" "$cmd"
	usage "$cmd: bad address 'nonsense' (IPv4 or IPv6)" "$cmd" nonsense
	usage "$cmd: bad address '10.0.0.256'" "$cmd" 10.0.0.256
	usage "$cmd: bad address '10.0.0.1/32'" "$cmd" 10.0.0.1/32
	usage "$cmd: bad address 'fe80::1%eth0'" "$cmd" 'fe80::1%eth0'
	usage "$cmd: bad address '::ffff:10.0.0.1' (IPv4-mapped: use 10.0.0.1)" \
		"$cmd" ::ffff:10.0.0.1
done
for cmd in backend del bump; do
	usage "$cmd: unexpected argument 'extra'" "$cmd" 10.0.0.1 extra
done

# set: states, epochs, names, and the keyword syntax
usage "set: bad state 'up' (active, draining, down)" set 10.0.0.1 state up
usage "set: bad state 'Active'" set 10.0.0.1 state Active
usage "set: bad epoch '0' (1..16777215)" set 10.0.0.1 epoch 0
usage "set: bad epoch '16777216' (1..16777215)" set 2001:db8::1 epoch 16777216
usage "set: bad epoch '-1'" set 10.0.0.1 epoch -1
usage "set: bad epoch '0x10'" set 10.0.0.1 epoch 0x10
usage "set: bad epoch '7 '" set 10.0.0.1 epoch '7 '
usage "set: bad name 'a b'" set 10.0.0.1 name 'a b'
usage "set: bad name ''" set 10.0.0.1 name ''
usage "set: bad name '$(printf 'n%.0s' {1..32})' (1..31 printable ASCII" \
	set 10.0.0.1 name "$(printf 'n%.0s' {1..32})"
usage "set: unknown argument 'color' (name, state, epoch, adopt)" set 10.0.0.1 color red
usage "set: 'state' given twice" set 10.0.0.1 state down name x state active
usage "set: missing value after 'epoch'" set 10.0.0.1 name x epoch

# ports: every way a port list can be wrong
usage "ports: bad port '0' (item 1 of the list; 1..65535)" ports 0
usage "ports: bad port '0' (item 2 of the list; 1..65535)" ports 5060,0
usage "ports: bad port '65536' (item 1 of the list" ports 65536
usage "ports: bad port 'sip' (item 1 of the list" ports sip
usage "ports: bad port '' (item 2 of the list" ports 5060,,5061
usage "ports: bad port '' (item 2 of the list" ports 5060,
usage "ports: bad port ' 5061' (item 2 of the list" ports '5060, 5061'
usage "ports: duplicate port 5060 (items 1 and 3 of the list)" ports 5060,5061,5060
usage "ports: empty port list" ports ''
usage "ports: too many ports (at most 64)" ports "$(seq -s, 5001 5065)"
usage "ports: unexpected argument '5061'" ports 5060 5061

# label-word, sweep-delay, monitor, and the commands without arguments
usage "label-word: bad label word '4' (0..3)" label-word 4
usage "label-word: bad label word 'x' (0..3)" label-word x
usage "label-word: missing N (0..3)" label-word
usage "label-word: unexpected argument '2'" label-word 1 2
usage "sweep-delay: bad sweep delay '3600001' (0..3600000)" sweep-delay 3600001
usage "sweep-delay: bad sweep delay '1s' (0..3600000)" sweep-delay 1s
usage "sweep-delay: missing MS (0..3600000)" sweep-delay
usage "monitor: bad count '0' (1..4294967295)" monitor --count 0
usage "monitor: bad timeout 'soon' (1..4294967295)" monitor --timeout soon
usage "monitor: missing value after '--count'" monitor --count
usage "monitor: '--timeout' given twice" monitor --timeout 1 --timeout 2
usage "monitor: unknown argument '-n' (--count N, --timeout SEC)" monitor -n 1
for cmd in backends evict stats; do
	usage "$cmd: unexpected argument 'now'" "$cmd" now
done

# flows: the same contract
expect 0 'Usage: ctfailoverctl \[-j\] flows \[ADDRESS' -- ctfailoverctl flows --help
expect 0 'flows  *\[ADDRESS | --backend NAME\]' -- ctfailoverctl --help
expect 2 "^ctfailoverctl flows: bad address 'nonsense' (IPv4 or IPv6)" -- ctfailoverctl flows nonsense
expect 2 "^ctfailoverctl flows: unexpected argument 'x'" -- ctfailoverctl flows 10.0.0.1 x
expect 2 "^ctfailoverctl flows: unexpected argument 'x'" -- ctfailoverctl flows --backend web1 x
expect 2 "^ctfailoverctl flows: unexpected argument '--backend'" -- ctfailoverctl flows --backend
expect 2 "^ctfailoverctl flows: unexpected argument '-x'" -- ctfailoverctl flows -x
expect 2 "^ctfailoverctl flows: empty backend name" -- ctfailoverctl flows --backend ''

# A usage error writes nothing on stdout (scripts parse it).
[[ -z $("${ctl[@]}" set 10.0.0.1 state up 2>/dev/null) ]] ||
	{ echo "ERROR: a usage error wrote to stdout" >&2; exit 1; }
pass "usage errors go to stderr only"

if [[ -d /sys/module/ctfailover ]]; then
	skip "every module command says clearly that the module is absent" \
		"ctfailover.ko is loaded on this host"
	exit 0
fi
absent='^ctfailoverctl: generic netlink family "ctfailover" not found: ctfailover.ko is not loaded'
for args in backends 'backend 10.0.0.1' 'set 10.0.0.1' \
	'set 2001:db8::1 name web1 state draining epoch 7' 'del 10.0.0.1' \
	'bump 2001:db8::1' ports 'ports 5060,5080' evict stats 'label-word 3' \
	'sweep-delay 0' \
	monitor 'monitor --count 1 --timeout 1'; do
	# shellcheck disable=SC2086 # split on purpose
	expect 1 "$absent" -- ctfailoverctl module $args
	# shellcheck disable=SC2086
	expect 1 "$absent" -- ctfailoverctl -j module $args
done
for args in '' 10.0.0.1 '--backend web1'; do
	# shellcheck disable=SC2086 # split on purpose
	expect 1 "$absent" -- ctfailoverctl flows $args
	# shellcheck disable=SC2086
	expect 1 "$absent" -- ctfailoverctl -j flows $args
done
# -j prints no half-made JSON when it fails.
[[ -z $(ctfailoverctl -j module backends 2>/dev/null) ]] ||
	{ echo "ERROR: -j module backends wrote to stdout without the module" >&2; exit 1; }
pass "nothing on stdout without the module"
