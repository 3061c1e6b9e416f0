# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # variables are for the scripts that source this
#
# daemon.sh: ctfailoverd in the lb namespace of the standard topology
# (tests/vm/lib/netns.sh), on the host kernel: real nft, NAT and conntrack,
# and no ctfailover.ko (this kernel cannot load modules), so the daemon
# evicts with ctnetlink.
#
#   . "$(dirname "$0")/lib/daemon.sh"
#   netns_setup 3
#   daemon_conf b1 "${BACKEND4[1]}" b2 "${BACKEND4[2]}"
#   daemon_start
#   dctl backends
#
# The control socket is a file, so ctfailoverctl runs from any namespace.

# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../vm/lib/netns.sh"

DAEMON_PID=
CONF=
SOCK=
FIFO=
DAEMON_LOG=
METRICS_PORT=9477
TABLE_SIZE=1009

# daemon_conf [-6] [-s SIZE] [-i NAME=IFACE]... NAME ADDR [NAME ADDR...]: write
# the config. -6 adds the IPv6 VIP; backends of each family need their VIP.
daemon_conf() {
	local v6=0 size=$TABLE_SIZE first=1 ifaces=() i name
	while [[ ${1:-} == -* ]]; do
		case $1 in
		-6) v6=1 ;;
		-s) size=$2 && shift ;;
		-i) ifaces+=("$2") && shift ;;
		esac
		shift
	done
	CONF=$NETNS_TMP/ctfailover.conf
	SOCK=$NETNS_TMP/control.sock
	FIFO=$NETNS_TMP/keepalived.fifo
	{
		if ((v6)); then
			echo "vips = [ \"$VIP4\", \"$VIP6\" ];"
		else
			echo "vips = [ \"$VIP4\" ];"
		fi
		echo "sip_ports = [ 5060 ];"
		echo "backends = ("
		while (($#)); do
			name=$1
			((first)) || echo ","
			first=0
			printf '  { name = "%s"; address = "%s";' "$name" "$2"
			for i in "${ifaces[@]}"; do
				[[ ${i%%=*} != "$name" ]] || printf ' interface = "%s";' "${i#*=}"
			done
			printf ' }'
			shift 2
		done
		echo
		echo ");"
		echo "maglev = { table_size = $size; };"
		echo "metrics = { listen = \"127.0.0.1:$METRICS_PORT\"; };"
		echo "control_socket = \"$SOCK\";"
		echo "keepalived = { notify_fifo = \"$FIFO\"; };"
		# The backends here are ctf-udp, which speaks no SIP: health
		# checks would take them down (daemon-health.sh sets its own).
		echo "health = { ${HEALTH_CONF:-enabled = false;} };"
	} >"$CONF"
}

# daemon_start: run ctfailoverd (with DAEMON_ARGS) in the lb namespace, wait
# until its control socket answers.
DAEMON_ARGS=()
daemon_start() {
	DAEMON_LOG=$NETNS_TMP/daemon.log
	touch "$DAEMON_LOG"
	ns_bg "$NS_LB" "$NETNS_TMP/daemon.out" ctfailoverd -c "$CONF" "${DAEMON_ARGS[@]}"
	DAEMON_PID=$NETNS_LAST_PID
	wait_for 10 dctl status
}

# The daemon's log so far: earlier runs, then this one. A reader that
# stops at its first match (grep -q) makes cat die of SIGPIPE once the log
# outgrows the pipe; under pipefail that read as "not logged" (a 6.12 run
# of daemon-module did): the status is the reader's.
daemon_log() {
	cat "$DAEMON_LOG" "$NETNS_TMP/daemon.out" 2>/dev/null || true
}

# daemon_kill [SIGNAL]: stop it (default SIGTERM), keeping its log.
daemon_kill() {
	kill "-${1:-TERM}" "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	cat "$NETNS_TMP/daemon.out" >>"$DAEMON_LOG"
	: >"$NETNS_TMP/daemon.out"
}

dctl() { ctfailoverctl -s "$SOCK" "$@"; }

# event_done: when the daemon's last event's work was done (Unix seconds,
# ctfailover_last_event_timestamp_seconds), asked over the control socket
# (root's place there is kept, whatever crowds the metrics port).
event_done() { dctl stats | awk '$1 == "ctfailover_last_event_timestamp_seconds" { print $2 }'; }
# done_after T: the last event's work was done after T (seconds).
done_after() { awk -v a="$(event_done)" -v b="$1" 'BEGIN { exit !(a > b) }'; }

# backend_field NAME FIELD: a column of `ctfailoverctl -j backends`.
backend_field() {
	dctl -j backends | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    if b["name"] == sys.argv[1]:
        print(b[sys.argv[2]])' "$1" "$2"
}

# field_is NAME FIELD VALUE / field_above NAME FIELD N: conditions on
# backend_field, read anew at every call (for wait_for).
field_is() { [[ $(backend_field "$1" "$2") == "$3" ]]; }
field_above() { (($(backend_field "$1" "$2") > $3)); }
field_isnt() { [[ $(backend_field "$1" "$2") != "$3" ]]; }
# derived ADDRESS [TOKEN] [down]: the epoch that names that instance, as
# tests/lib/epoch.py computes it apart from the daemon.
derived() { python3 "$(dirname "${BASH_SOURCE[0]}")/../../lib/epoch.py" "$@"; }

# flow V SPORT: the backend ("backendN") that answers a datagram from the
# client's fixed source port SPORT to the VIP; empty if none answered.
flow() {
	local vip=$VIP4
	[[ $1 == 4 ]] || vip=$VIP6
	udp_send "$NS_CLIENT" -s "$2" -n 1 -w 1000 "$vip" 5060 2>/dev/null | head -n 1
}

# ct_entry V SPORT: "ID PACKETS" of the lb's conntrack entry of the
# client's source port SPORT (the original direction's packets, counted
# with net.netfilter.nf_conntrack_acct=1), empty if there is none. An entry
# deleted and made again by the next datagram starts its count again.
ct_entry() {
	local f=ipv4
	[[ $1 == 4 ]] || f=ipv6
	ct_list "$NS_LB" -f "$f" -p udp --sport "$2" -o id |
		awk '{
			p = ""; id = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^packets=/ && p == "") p = substr($i, 9)
				if ($i ~ /^id=/) id = substr($i, 4)
			}
			print id, p
		}'
}

# where V SPORT: the backend name the daemon says the slot maps to.
where() {
	local src=$CLIENT4
	[[ $1 == 4 ]] || src=$CLIENT6
	dctl where "$src" "$2" | awk '{ print $4 }'
}

# metric NAME_WITH_LABELS: its value on the metrics endpoint.
metric() {
	ns_lb curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" |
		awk -v m="$1" '$1 == m { print $2 }'
}

ruleset() { ns_lb nft list ruleset; }
