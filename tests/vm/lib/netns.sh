# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # variables are for the scripts that source this
#
# netns.sh: the standard topology of the scenarios and the tiny helpers that
# drive it. Works in the VM guest and on any host with network namespaces
# (as root). Every packet stays inside namespaces created here.
#
#   . "$(dirname "$0")/../lib/netns.sh"
#   netns_setup 2            # client, lb, backend 1 and 2; trap cleanup
#   ns_lb nft -f - <<EOF     # the scenario's rules, inline
#   ...
#   EOF
#   udp_serve 1              # backend 1 answers "backend1" on UDP 5060
#   out=$(ns_client ctf-udp send -s 40000 -n 5 -w 1000 "$VIP4" 5060)
#
#                                 VIP4 10.0.0.1, VIP6 fd00::1 (on lb's lo)
#  +----------------+       +-------------------------------+       +----------------+
#  | ns client      |       | ns lb  (forwarding, DNAT)     |       | ns backend1    |
#  |                | veth  |                               | veth  |                |
#  |  eth0          +-------+ cl0                       be1 +-------+ eth0           |
#  |  10.0.1.2/24   |       | 10.0.1.1/24      10.0.11.1/24 |       | 10.0.11.2/24   |
#  |  fd00:1::2/64  |       | fd00:1::1/64    fd00:11::1/64 |       | fd00:11::2/64  |
#  +----------------+       |                               |       +----------------+
#                           |                           be2 +-------+ ns backend2    |
#                           |                  10.0.12.1/24 |       | 10.0.12.2/24   |
#                           |                 fd00:12::1/64 |       | fd00:12::2/64  |
#                           +-------------------------------+       +----------------+
#                                                    ... beN: 10.0.(10+N).0/24, fd00:(10+N)::/64
#
# Default routes point at the lb, so replies from a backend go back through
# it and conntrack undoes the DNAT. Backends see the client's real address.
#
# Variables after netns_setup N: NS_CLIENT, NS_LB, NS_BACKEND[i] (namespace
# names, unique per run so parallel runs on a host never collide),
# VIP4/VIP6, CLIENT4/CLIENT6, LB4/LB6 (lb's client-side address),
# BACKEND4[i]/BACKEND6[i], NETNS_TMP (a scratch directory, removed at exit).
#
# netns_setup installs `trap netns_cleanup EXIT`; a script that needs its own
# EXIT trap must call netns_cleanup from it.

VIP4=10.0.0.1
VIP6=fd00::1
CLIENT4=10.0.1.2
CLIENT6=fd00:1::2
LB4=10.0.1.1
LB6=fd00:1::1
NS_CLIENT=
NS_LB=
NS_BACKEND=()
BACKEND4=()
BACKEND6=()
NETNS_TMP=
NETNS_PIDS=()
NETNS_ALL=()
NETNS_BACKENDS=0
NETNS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- reporting: kselftest-like lines, an error ends the script -------------

pass() { echo "PASS: $*"; }
fail() {
	echo "ERROR: $*" >&2
	exit 1
}
info() { echo "# $*"; }
# skip CLAIM WHY: a claim this run cannot check, and why (never a PASS).
skip() { echo "SKIP: $1 ($2)"; }

assert_eq() { # WANT GOT WHAT
	[[ $2 == "$1" ]] || fail "$3: expected '$1', got '$2'"
}
assert_ge() { # MIN GOT WHAT
	(($2 >= $1)) || fail "$3: expected at least $1, got $2"
}
assert_match() { # REGEX STRING WHAT
	[[ $2 =~ $1 ]] || fail "$3: '$2' does not match /$1/"
}
# assert_fails WHAT CMD...: the command must fail (set -e would stop on it).
assert_fails() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		fail "$what: '$*' succeeded"
	fi
}

# wait_for SECS CMD...: poll until CMD succeeds, fail after SECS. Its
# arguments are expanded once, at the call: a condition on a value read
# anew each time is a function (wait_for 5 epoch_above 3), never
# wait_for 5 test "$(...)".
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "timed out after ${secs}s waiting for: $*"
}


# --- running things in the namespaces ---------------------------------------

ns_exec() { # NS CMD...
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
ns_client() { ip netns exec "$NS_CLIENT" "$@"; }
ns_lb() { ip netns exec "$NS_LB" "$@"; }
ns_backend() { # I CMD...
	local i=$1
	shift
	ip netns exec "${NS_BACKEND[i]}" "$@"
}

# ns_bg NS LOG CMD...: run in the background, killed by netns_cleanup.
# The pid is in NETNS_LAST_PID, for a scenario that waits on it.
NETNS_LAST_PID=
ns_bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	NETNS_LAST_PID=$!
	NETNS_PIDS+=("$!")
}

# The UDP tool: in the guest it is on PATH; on a host, build it.
ctf_udp_path() {
	command -v ctf-udp 2>/dev/null && return
	local top
	top=$(cd "$NETNS_LIB/../../.." && pwd)
	echo "$("$top/tests/vm/tools/build")/ctf-udp"
}

# --- the topology ------------------------------------------------------------

netns_add() {
	ip netns add "$1"
	NETNS_ALL+=("$1")
	ip -n "$1" link set lo up
	# No duplicate address detection: a link-local address stays tentative
	# for a second after link up and the first IPv6 replies get lost.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.accept_dad=0
}

# veth_pair NS_A IF_A NS_B IF_B
veth_pair() {
	ip link add "ctf$$a" type veth peer name "ctf$$b"
	ip link set "ctf$$a" netns "$1" name "$2"
	ip link set "ctf$$b" netns "$3" name "$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# addr NS IF ADDR4/LEN ADDR6/LEN: nodad, so IPv6 is usable at once.
addr() {
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" -6 addr add "$4" dev "$2" nodad
}

# netns_setup [NBACKENDS]: build the standard topology (default 2 backends).
netns_setup() {
	local n=${1:-2} i net
	((n >= 1 && n <= 50)) || fail "netns_setup: 1..50 backends, not $n"
	[[ $(id -u) == 0 ]] || fail "netns_setup: needs root"
	trap netns_cleanup EXIT
	NETNS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctf-netns.XXXXXX")
	CTF_UDP=$(ctf_udp_path)
	[[ -x $CTF_UDP ]] || fail "no ctf-udp tool"

	local p=ctf-$$
	NS_CLIENT=$p-client
	NS_LB=$p-lb
	netns_add "$NS_CLIENT"
	netns_add "$NS_LB"
	ns_lb sysctl -qw net.ipv4.ip_forward=1
	ns_lb sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n "$NS_LB" addr add "$VIP4/32" dev lo
	ip -n "$NS_LB" -6 addr add "$VIP6/128" dev lo nodad

	veth_pair "$NS_CLIENT" eth0 "$NS_LB" cl0
	addr "$NS_CLIENT" eth0 "$CLIENT4/24" "$CLIENT6/64"
	addr "$NS_LB" cl0 "$LB4/24" "$LB6/64"
	ip -n "$NS_CLIENT" route add default via "$LB4"
	ip -n "$NS_CLIENT" -6 route add default via "$LB6"

	for ((i = 1; i <= n; i++)); do
		net=$((10 + i))
		NS_BACKEND[i]=$p-backend$i
		BACKEND4[i]=10.0.$net.2
		BACKEND6[i]=fd00:$net::2
		netns_add "${NS_BACKEND[i]}"
		veth_pair "$NS_LB" "be$i" "${NS_BACKEND[i]}" eth0
		addr "$NS_LB" "be$i" "10.0.$net.1/24" "fd00:$net::1/64"
		addr "${NS_BACKEND[i]}" eth0 "${BACKEND4[i]}/24" "${BACKEND6[i]}/64"
		ip -n "${NS_BACKEND[i]}" route add default via "10.0.$net.1"
		ip -n "${NS_BACKEND[i]}" -6 route add default via "fd00:$net::1"
	done
	NETNS_BACKENDS=$n
}

# netns_running PID: the process is there and not a zombie.
netns_running() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && ${st:0:1} != Z ]]
}

# netns_cleanup: stop what ns_bg started (SIGTERM; whatever is still there
# 10 s later is named with what it waits on, then killed, and listed in
# NETNS_KILLED: a process that ignores SIGTERM must not hang the run),
# delete the namespaces.
NETNS_KILLED=()
netns_cleanup() {
	local pid ns i left args
	NETNS_KILLED=()
	for pid in "${NETNS_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for ((i = 0; i < 100 * ${CTF_VM_SLOWDOWN:-1}; i++)); do
		left=
		for pid in "${NETNS_PIDS[@]}"; do
			if netns_running "$pid"; then left=$pid; break; fi
		done
		[[ -n $left ]] || break
		sleep 0.1
	done
	for pid in "${NETNS_PIDS[@]}"; do
		netns_running "$pid" || continue
		args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
		NETNS_KILLED+=("$pid ${args% }")
		echo "netns_cleanup: $pid (${args% }) still runs $((i / 10)) s after SIGTERM, in $(cat "/proc/$pid/wchan" 2>/dev/null): SIGKILL; its kernel stack:" >&2
		sed 's/^/netns_cleanup:   /' "/proc/$pid/stack" >&2 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${NETNS_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for ns in "${NETNS_ALL[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	[[ -z $NETNS_TMP ]] || rm -rf "$NETNS_TMP"
	NETNS_PIDS=()
	NETNS_ALL=()
}

# --- traffic and oracles ------------------------------------------------------

# udp_serve I [PORT]: backend I answers every datagram with "backendI";
# it logs "from ADDR PORT: PAYLOAD" lines to $NETNS_TMP/backendI.log.
udp_serve() {
	local i=$1 port=${2:-5060} log=$NETNS_TMP/backend$1.log
	ns_bg "${NS_BACKEND[i]}" "$log" "$CTF_UDP" serve -N "backend$i" "$port"
	wait_for 5 grep -q '^ready' "$log"
}

# serve_backends: every backend of the topology answers (udp_serve) and
# counts what reaches it (rx_counters), on UDP 5060.
serve_backends() {
	local b
	for ((b = 1; b <= NETNS_BACKENDS; b++)); do
		rx_counters "$b"
		udp_serve "$b"
	done
}

# udp_send NS ARGS...: ctf-udp send in a namespace, replies on stdout. A
# missing reply is not an error here (the caller counts them); a failure to
# send is.
udp_send() {
	local ns=$1 rc=0
	shift
	ip netns exec "$ns" "$CTF_UDP" send "$@" || rc=$?
	((rc <= 1)) || fail "ctf-udp send $* failed ($rc)"
}

# rx_counters I [PORT]: named nft counters rx4/rx6 counting datagrams to
# PORT (default 5060) arriving at backend I: the oracle of where traffic went.
rx_counters() {
	local port=${2:-5060}
	ns_backend "$1" nft -f - <<-EOF
		table inet ctf_rx {
			counter rx4 {}
			counter rx6 {}
			chain input {
				type filter hook input priority 0; policy accept;
				meta nfproto ipv4 udp dport $port counter name rx4
				meta nfproto ipv6 udp dport $port counter name rx6
			}
		}
	EOF
}

# nft_counter NS FAMILY TABLE NAME: the packet count of a named counter.
nft_counter() {
	ip netns exec "$1" nft list counter "$2" "$3" "$4" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# backend_rx I 4|6: datagrams counted by rx_counters at backend I.
backend_rx() { nft_counter "${NS_BACKEND[$1]}" inet ctf_rx "rx$2"; }

# ct_list NS ARGS...: conntrack -L lines (the summary goes to stderr).
ct_list() {
	local ns=$1
	shift
	ip netns exec "$ns" conntrack -L "$@" 2>/dev/null
}

# ct_reply_src: the reply direction's source address of each conntrack line
# on stdin, i.e. where NAT sent the flow.
ct_reply_src() {
	awk '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^src=/ && ++n == 2) print substr($i, 5) }'
}
