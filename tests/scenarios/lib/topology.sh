# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # variables are for the scripts that source this
#
# topology.sh: the incident's network, in namespaces (in the VM guest, or on
# any host as root). Two L2 segments, each a bridge in the "sw" namespace:
#
#   front 10.0.1.0/24, fd00:1::/64         back 10.0.10.0/24, fd00:10::/64
#   provider-pinned .2 --+              +-- backend1 instance(s)  .21, then .31
#   provider-fresh  .3 --+- br-front   |    backend2              .22
#   monitor         .4 --+  (VIP .10)  |    backend3              .23
#   lb-a .11  lb-b .12 --+             +-- lb-a .11, lb-b .12  (gateway VIP .1)
#   (lb-c .13 in the tier: TOPO_LBS; br-sync 192.0.2.0/24: TOPO_SYNC)
#
# keepalived (VRRP, unicast) puts both VIPs on the master: the service VIP
# 10.0.1.10 the providers call and the backends' gateway 10.0.10.1, so the
# replies go back through the load balancer that DNATed the request. Every
# namespace has its IPv6 twin (the same last number in fd00:1:: and
# fd00:10::): the VIPs fd00:1::10 and fd00:10::1 move with the IPv4 ones.
#
# A backend "instance" is a namespace of its own plugged into the back
# bridge; replacing an instance makes a new namespace (a new MAC, the same
# or a new address) and kills the old one: its SIP server stops, its address
# goes (it no longer answers ARP) and it keeps a counter of what still
# reaches it, which is how datagrams to a dead instance are counted.
#
# Variables after topo_setup: NS_SW, NS_PINNED, NS_FRESH, NS_LBS[a|b],
# NS_INST[backendN] (the current instance's namespace), ADDR[backendN],
# TOPO_TMP (scratch, removed at exit), and every address below; NS_MON
# after monitor_up (the monitoring host is there only when asked for).

# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../vm/lib/netns.sh"

VIP=10.0.1.10
GW_VIP=10.0.10.1
PINNED4=10.0.1.2
FRESH4=10.0.1.3
VIP6=fd00:1::10
GW_VIP6=fd00:10::1
PINNED6=fd00:1::2
FRESH6=fd00:1::3
declare -A LB_FRONT=([a]=10.0.1.11 [b]=10.0.1.12 [c]=10.0.1.13)
declare -A LB_BACK=([a]=10.0.10.11 [b]=10.0.10.12 [c]=10.0.10.13)
declare -A LB_FRONT6=([a]=fd00:1::11 [b]=fd00:1::12 [c]=fd00:1::13)
declare -A LB_BACK6=([a]=fd00:10::11 [b]=fd00:10::12 [c]=fd00:10::13)
# The load balancers topo_setup makes (the tier adds lb-c), and with
# TOPO_SYNC=1 a third segment for conntrackd alone, br-sync, where lb-X
# has LB_SYNC[X] (examples/conntrackd.conf's addresses).
TOPO_LBS=(a b)
TOPO_SYNC=0
declare -A LB_SYNC=([a]=192.0.2.2 [b]=192.0.2.3 [c]=192.0.2.4)
declare -A NS_LBS=()
declare -A NS_INST=()
declare -A ADDR=([backend1]=10.0.10.21 [backend2]=10.0.10.22 [backend3]=10.0.10.23)
NEW_ADDR1=10.0.10.31 # backend1's new instance in event 1
MON4=10.0.1.4        # the monitoring host (monitor_up)
NS_SW=
TOPO_SYSLOGD=0 # topo_setup started a syslogd
NS_PINNED=
NS_FRESH=
NS_MON=
TOPO_TMP=
TOPO_PREFIX=
TOPO_PORTS=0
SW_LAST_PORT=
TOPO_INSTANCES=0

# plug NS IF BRIDGE: a veth from NS (named IF) to a port of BRIDGE.
plug() {
	local port=p$((TOPO_PORTS++))
	ip link add "ctf$$x" type veth peer name "ctf$$y"
	ip link set "ctf$$x" netns "$NS_SW" name "$port"
	ip link set "ctf$$y" netns "$1" name "$2"
	ip -n "$NS_SW" link set "$port" master "$3" up
	SW_LAST_PORT=$port
}
port_forwarding() { bridge -n "$NS_SW" link show dev "$1" | grep -q 'state forwarding'; }

# sipp's socket buffers: a SIP server that falls seconds behind on a
# loaded host must not drop datagrams (counted by udp_drops if it does). A
# guest raises the cap, net.core.rmem_max (not per namespace); on a host
# the kernel caps the request at whatever it is.
SIPP_BUF=4194304
# sipp, with tests/vm/tools/libsipp-idle.c preloaded where the guest has it:
# nine idle sipps at a thousand wakeups a second each starve a TCG guest.
SIPP=(sipp)
[[ ! -e /usr/local/bin/libsipp-idle.so ]] || SIPP=(env LD_PRELOAD=/usr/local/bin/libsipp-idle.so sipp)
# sipp ends itself after 120 late ticks of its own watchdog timer in 10
# minutes, which a guest starved by its host gives it (a 1000-event soak
# died of that at event 103): the calls' outcomes judge a run, not sipp's
# view of its own scheduling.
SIPP+=(-watchdog_minor_maxtriggers 1000000 -watchdog_major_maxtriggers 1000000)

topo_setup() {
	[[ $(id -u) == 0 ]] || fail "topo_setup: needs root"
	if [[ -d /ctf-run ]]; then
		sysctl -qw net.core.rmem_max=$SIPP_BUF net.core.wmem_max=$SIPP_BUF
	fi
	trap topo_exit EXIT
	NETNS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctf-scn.XXXXXX")
	TOPO_TMP=$NETNS_TMP
	CTF_UDP=$(ctf_udp_path)
	TOPO_PREFIX=ctf-$$
	NS_SW=$TOPO_PREFIX-sw
	netns_add "$NS_SW"
	local br
	local bridges=(br-front br-back)
	((!TOPO_SYNC)) || bridges+=(br-sync)
	for br in "${bridges[@]}"; do
		# No multicast snooping: VRRP and ARP go everywhere, like a VLAN.
		ip -n "$NS_SW" link add "$br" type bridge mcast_snooping 0
		ip -n "$NS_SW" link set "$br" up
	done

	# keepalived logs to syslog only (this build has no log file): in a
	# guest, which has none, a busybox syslogd collects it (again for each
	# mode: the last one's socket stays behind it).
	if { [[ ! -e /dev/log ]] || ((TOPO_SYSLOGD)); } && command -v syslogd >/dev/null; then
		rm -f /dev/log
		ns_bg "$NS_SW" /dev/null syslogd -n -O "$TOPO_TMP/syslog.log"
		TOPO_SYSLOGD=1
	fi

	NS_PINNED=$TOPO_PREFIX-provider-pinned
	NS_FRESH=$TOPO_PREFIX-provider-fresh
	local ns a
	for ns in "$NS_PINNED" "$NS_FRESH"; do
		netns_add "$ns"
		plug "$ns" eth0 br-front
		ip -n "$ns" link set eth0 up
	done
	ip -n "$NS_PINNED" addr add "$PINNED4/24" dev eth0
	ip -n "$NS_FRESH" addr add "$FRESH4/24" dev eth0
	ip -n "$NS_PINNED" addr add "$PINNED6/64" dev eth0
	ip -n "$NS_FRESH" addr add "$FRESH6/64" dev eth0
	NS_MON=

	for a in "${TOPO_LBS[@]}"; do
		lb_make "$a"
	done
}

# lb_make a|b|c: lb-X's namespace, plugged into the segments, addressed:
# at setup, and again for a host powered off (its namespace deleted).
lb_make() {
	local a=$1 ns=$TOPO_PREFIX-lb-$1 l
	NS_LBS[$a]=$ns
	netns_add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
	plug "$ns" front br-front
	plug "$ns" back br-back
	ip -n "$ns" addr add "${LB_FRONT[$a]}/24" dev front
	ip -n "$ns" addr add "${LB_BACK[$a]}/24" dev back
	ip -n "$ns" addr add "${LB_FRONT6[$a]}/64" dev front
	ip -n "$ns" addr add "${LB_BACK6[$a]}/64" dev back
	if ((TOPO_SYNC)); then
		plug "$ns" sync br-sync
		ip -n "$ns" addr add "${LB_SYNC[$a]}/24" dev sync
	fi
	for l in front back sync; do
		[[ $l != sync ]] || ((TOPO_SYNC)) || continue
		ip -n "$ns" link set "$l" up
	done
}

# monitor_up: a monitoring host on the front segment beside the providers
# (IPv4 only), which reaches the backends directly through the load
# balancer that holds the VIP: no NAT on that path, only routing.
monitor_up() {
	NS_MON=$TOPO_PREFIX-monitor
	netns_add "$NS_MON"
	plug "$NS_MON" eth0 br-front
	ip -n "$NS_MON" addr add "$MON4/24" dev eth0
	ip -n "$NS_MON" link set eth0 up
	ip -n "$NS_MON" route add 10.0.10.0/24 via "$VIP"
}

# On a failure, the last lines of the load balancers' logs before they go.
topo_exit() {
	local rc=$? f
	if ((rc != 0)) && [[ -d $TOPO_TMP ]]; then
		for f in "$TOPO_TMP"/daemon-*.log "$TOPO_TMP"/syslog.log "$TOPO_TMP"/keepalived-*.out; do
			[[ -s $f ]] || continue
			echo "# --- ${f##*/}"
			tail -n 40 "$f" | sed 's/^/#   /'
		done
	fi
	netns_cleanup
}

# --- backend instances --------------------------------------------------------

# The SIP servers' scenario: sipp's own UAS unless the caller sets another.
UAS_ARGS=(-sn uas)

# instance_up NAME ADDR [garp]: a new instance of backend NAME at ADDR
# (IPv4 or IPv6), its SIP server (sipp UAS, UAS_ARGS) answering on UDP 5060. With
# "garp" it announces its address (a gratuitous ARP, or an unsolicited
# neighbour advertisement for IPv6); without, it stays silent until asked,
# as an instance does whose address simply moved. Sets NS_INST[NAME].
instance_up() {
	local name=$1 addr=$2 garp=${3:-} ns
	ns=$TOPO_PREFIX-$name-$((TOPO_INSTANCES++))
	netns_add "$ns"
	plug "$ns" eth0 br-back
	if [[ $addr == *:* ]]; then
		ip -n "$ns" addr add "$addr/64" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" -6 route add default via "$GW_VIP6"
	else
		ip -n "$ns" addr add "$addr/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default via "$GW_VIP"
	fi
	wait_for 5 port_forwarding "$SW_LAST_PORT"
	# The announcement once the switch forwards its frames: sent any
	# earlier (the kernel's at link up), it is lost.
	if [[ $garp == garp && $addr == *:* ]]; then
		# A new MAC with ndisc_notify set: the kernel sends an unsolicited
		# NA (override flag) for the address, as a moved VNIC does.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.ndisc_notify=1
		ip -n "$ns" link set eth0 address "$(random_mac)"
	elif [[ $garp == garp ]]; then
		ip netns exec "$ns" arping -q -U -c 1 -I eth0 "$addr" || true
	fi
	NS_INST[$name]=$ns
	# -aa: it answers the load balancers' health probes (OPTIONS) with a
	# 200, as a real SIP server does.
	ns_bg "$ns" "$TOPO_TMP/$ns.uas.log" "${SIPP[@]}" "${UAS_ARGS[@]}" -aa -i "$addr" -p 5060 -nostdin \
		-buff_size "$SIPP_BUF" -trace_shortmsg -shortmessage_file "$TOPO_TMP/$ns.uas.csv"
	echo "$NETNS_LAST_PID" >"$TOPO_TMP/$ns.pid"
	wait_for 10 ip netns exec "$ns" ss -Hlun "sport = :5060"
}

# instance_kill NS: the instance is destroyed. Its SIP server stops, its
# address goes (no more ARP answers), and an nft counter counts the
# datagrams that still reach its MAC (dead_rx NS reads it): the SIP
# traffic's, not the monitoring host's direct checks (dropped uncounted).
instance_kill() {
	local ns=$1 pid
	ip netns exec "$ns" nft -f - <<-EOF
		table inet dead {
			counter rx {}
			chain prerouting {
				type filter hook prerouting priority -300; policy drop;
				ip saddr $MON4 drop
				meta l4proto udp counter name rx
			}
		}
	EOF
	pid=$(cat "$TOPO_TMP/$ns.pid")
	kill -KILL "$pid" 2>/dev/null || true
	{ wait "$pid"; } 2>/dev/null || true
	reaped "$pid"
	ip -n "$ns" addr flush dev eth0
}
dead_rx() { nft_counter "$1" inet dead rx; }

# udp_drops NS: UDP datagrams NS's kernel could not deliver (a full socket
# buffer among them): InErrors of /proc/net/snmp plus Udp6InErrors.
udp_drops() {
	# shellcheck disable=SC2016 # awk's program
	ip netns exec "$1" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { n += $4 } $1 == "Udp6InErrors" { n += $2 }
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

# random_mac: a locally administered unicast MAC.
random_mac() { printf '02:%02x:%02x:%02x:%02x:%02x\n' $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)); }

# reaped PID: a background process already waited for; netns_cleanup must
# not signal its pid again (it may belong to another process by then).
reaped() {
	local p keep=()
	for p in "${NETNS_PIDS[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	NETNS_PIDS=("${keep[@]}")
}

lladdr() { ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'; }

# --- load balancers -----------------------------------------------------------

ns_lbx() { # a|b CMD...
	local a=$1
	shift
	ip netns exec "${NS_LBS[$a]}" "$@"
}

# keepalived_start a|b PRIORITY: VRRP on lb-X's front link, both VIPs (and
# KA_EXTRA_VIPS) and their IPv6 twins (excluded from the IPv4 adverts, as
# keepalived wants a VRRP instance of one family), state changes written to
# the daemon's fifo (notify_fifo).
declare -A KA_PID=()
KA_EXTRA_VIPS=() # more service VIPs on the front link, IPv4 or IPv6
keepalived_start() {
	local a=$1 prio=$2 peer=b conf extra="" extra6="" v
	[[ $a == a ]] || peer=a
	for v in "${KA_EXTRA_VIPS[@]}"; do
		if [[ $v == *:* ]]; then
			extra6+="$v/64 dev front"$'\n'
		else
			extra+="$v/24 dev front"$'\n'
		fi
	done
	conf=$TOPO_TMP/keepalived-$a.conf
	cat >"$conf" <<-EOF
		global_defs {
			router_id lb-$a
			notify_fifo $TOPO_TMP/fifo-$a
			vrrp_garp_master_delay 1
			vrrp_garp_master_repeat 2
			enable_script_security
		}
		vrrp_instance sip {
			state BACKUP
			interface front
			virtual_router_id 51
			priority $prio
			advert_int 1
			unicast_src_ip ${LB_FRONT[$a]}
			unicast_peer {
				${LB_FRONT[$peer]}
			}
			virtual_ipaddress {
				$VIP/24 dev front
				$GW_VIP/24 dev back
				$extra
			}
			virtual_ipaddress_excluded {
				$VIP6/64 dev front
				$GW_VIP6/64 dev back
				$extra6
			}
		}
	EOF
	ns_bg "${NS_LBS[$a]}" "$TOPO_TMP/keepalived-$a.out" keepalived -n -D -P -f "$conf" \
		-p "$TOPO_TMP/keepalived-$a.pid" -r "$TOPO_TMP/vrrp-$a.pid"
	KA_PID[$a]=$NETNS_LAST_PID
}

# keepalived_stop a|b: a clean stop, as for maintenance: keepalived sends a
# priority-0 advert, the peer takes over at once.
keepalived_stop() {
	kill -TERM "${KA_PID[$1]}"
	{ wait "${KA_PID[$1]}"; } 2>/dev/null || true
	reaped "${KA_PID[$1]}"
}

# master: which lb holds the service VIP on a link that is up ("a", "b",
# or "" if none; the first that does, if a partition made two). A crashed
# host keeps its addresses on links that are down.
master() {
	local a
	for a in "${TOPO_LBS[@]}"; do
		if ip -n "${NS_LBS[$a]}" -br addr show dev front up 2>/dev/null | grep -qw "$VIP/24"; then
			echo "$a"
			return
		fi
	done
}
is_master() { [[ $(master) == "$1" ]]; }
