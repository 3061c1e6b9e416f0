# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # variables are for the scripts that source this
#
# tier.sh: three load balancers, each with keepalived, conntrackd and
# ctfailoverd (+ ctfailover.ko), configured from the files in examples/ as
# shipped: only the per-host lines that their headers name are changed
# (tier_keepalived_conf, tier_conntrackd_conf), and the addresses and link
# names of the examples mapped to topology.sh's. Source topology.sh and
# sip.sh first; set TOPO_LBS=(a b c) and TOPO_SYNC=1 before topo_setup.
#
# Failures: tier_crash (every process SIGKILLed, then every link down, in
# one go), tier_poweroff (the same, then the namespace deleted: the module's
# state for it goes too); and back: tier_return (links up, processes
# started), tier_rebuild (a new namespace, as a rebooted host).

TIER_EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../examples" && pwd)
declare -A TIER_PRIO=([a]=150 [b]=100 [c]=50)
# The unicast port of each pair's conntrackd instances (conntrackd.conf).
declare -A TIER_PORT=([ab]=3780 [ac]=3781 [bc]=3782)
# Where the notify wrappers live: keepalived's enable_script_security
# wants every directory of a script's path writable by root alone.
TIER_RUN=

# The example's addresses and links, and this topology's.
tier_map_keepalived() {
	sed -e "s|203\.0\.113\.10/24|$VIP/24|; s|2001:db8::10/64|$VIP6/64|" \
		-e 's/\beth0\b/front/g; s/\beth1\b/back/g'
}

# peers X: the other load balancers, by keepalived priority, highest first.
peers() {
	local p
	for p in a b c; do
		[[ $p == "$1" ]] || echo "$p"
	done
}
pair() {
	if [[ $1 < $2 ]]; then echo "$1$2"; else echo "$2$1"; fi
}

# tier_keepalived_conf X: lb-X's keepalived.conf: the example with lb-X's
# lines of its table (router_id, priority, unicast_src_ip, unicast_peer),
# this run's fifo, and a wrapper for the notify script (the example's
# script, given this host's conntrackd instances and control socket).
tier_keepalived_conf() {
	local a=$1 p peer_lines="" notify=$TIER_RUN/notify-$1
	for p in $(peers "$a"); do
		peer_lines+="		${LB_FRONT[$p]}\n"
	done
	{
		echo '#!/bin/sh'
		echo "PATH=$PATH"
		echo "CTF_CONNTRACKD_CONFIGS=\"$(for p in $(peers "$a"); do printf '%s ' "$TOPO_TMP/ctd-$a-$p.conf"; done)\""
		echo "CTFAILOVER_CONTROL=$TOPO_TMP/control-$a.sock"
		echo "CTF_GATEWAYS=\"$GW_VIP/24 dev back; $GW_VIP6/64 dev back\""
		echo "export PATH CTF_CONNTRACKD_CONFIGS CTFAILOVER_CONTROL CTF_GATEWAYS"
		echo "echo \"\$(date +%T) \$*\" >>$TOPO_TMP/notify-$a.log"
		echo "exec $TIER_EXAMPLES/conntrackd-notify \"\$@\" >>$TOPO_TMP/notify-$a.log 2>&1"
	} >"$notify"
	chmod 0755 "$notify"
	tier_map_keepalived <"$TIER_EXAMPLES/keepalived.conf" |
		awk -v id="lb-$a" -v prio="${TIER_PRIO[$a]}" -v src="${LB_FRONT[$a]}" \
			-v peers="$peer_lines" -v fifo="$TOPO_TMP/fifo-$a" -v notify="$notify" '
			$1 == "router_id" { sub($2, id) }
			$1 == "priority" { sub($2, prio) }
			$1 == "unicast_src_ip" { sub($2, src) }
			$1 == "notify_fifo" { sub($2, fifo) }
			$1 == "notify" { sub($2, notify) }
			$1 == "notify_master_rx_lower_pri" { sub("/usr/share/ctfailover/conntrackd-notify", notify) }
			$1 == "unicast_peer" { print; printf "%s", peers; skip = 1; next }
			skip && $1 == "}" { skip = 0 }
			!skip' >"$TOPO_TMP/keepalived-$a.conf"
}

# tier_conntrackd_conf X Y: lb-X's instance for its peer lb-Y: the example
# with that instance's lines of its table (addresses, port, files), and the
# load balancers' addresses of this topology in the filter.
tier_conntrackd_conf() {
	local a=$1 b=$2 f=$TOPO_TMP/ctd-$1-$2
	sed -e "s|^\(\t*IPv4_address\) 192\.0\.2\.2$|\1 ${LB_SYNC[$a]}|" \
		-e "s|^\(\t*IPv4_Destination_Address\) 192\.0\.2\.3$|\1 ${LB_SYNC[$b]}|" \
		-e "s|^\(\t*Port\) 3780$|\1 ${TIER_PORT[$(pair "$a" "$b")]}|" \
		-e "s|^\(\t*Interface\) eth2$|\1 sync|" \
		-e "s|/var/log/conntrackd-ctfailover-lb-b\.log|$f.log|" \
		-e "s|/var/lock/conntrackd-ctfailover-lb-b\.lock|$f.lock|" \
		-e "s|/run/conntrackd-ctfailover-lb-b\.ctl|$f.ctl|" \
		-e "s|^\(\t*IPv4_address\) 203\.0\.113\.2$|\1 ${LB_FRONT[a]}|" \
		-e "s|^\(\t*IPv4_address\) 203\.0\.113\.3$|\1 ${LB_FRONT[b]}|" \
		-e "s|^\(\t*IPv4_address\) 203\.0\.113\.4$|\1 ${LB_FRONT[c]}|" \
		-e "s|^\(\t*IPv4_address\) 10\.0\.1\.2$|\1 ${LB_BACK[a]}|" \
		-e "s|^\(\t*IPv4_address\) 10\.0\.1\.3$|\1 ${LB_BACK[b]}|" \
		-e "s|^\(\t*IPv4_address\) 10\.0\.1\.4$|\1 ${LB_BACK[c]}|" \
		"$TIER_EXAMPLES/conntrackd.conf" >"$f.conf"
	# Every line of the example's table changed: an example that this no
	# longer follows fails here, not in a commit that silently misses.
	if grep -v '^[[:space:]]*#' "$f.conf" |
		grep -nE '/var/|/run/|eth2|203\.0\.113\.|IPv4_address 10\.0\.1\.[234]$' ||
		! grep -q "IPv4_Destination_Address ${LB_SYNC[$b]}$" "$f.conf" ||
		! grep -q "Port ${TIER_PORT[$(pair "$a" "$b")]}$" "$f.conf"; then
		fail "tier: $f.conf: examples/conntrackd.conf's per-instance lines not all mapped"
	fi
}

# tier_start X: its conntrack events traced (ct_trace, one file per life),
# ctfailoverd (which enables the module's labels: conntrackd must find them
# to copy them), one conntrackd per peer, then keepalived; with
# TIER_SYNC=0, no conntrackd (tier_nosync_keepalived).
declare -A CTD_PID=() TIER_LIFE=()
TIER_SYNC=1
tier_start() {
	local a=$1 p
	TIER_LIFE[$a]=$((${TIER_LIFE[$a]:-0} + 1))
	ct_trace "$a" "${TIER_LIFE[$a]}"
	# The last life's log kept (daemon_clock follows the name).
	[[ ! -f $TOPO_TMP/daemon-$a.log ]] || mv "$TOPO_TMP/daemon-$a.log" "$TOPO_TMP/daemon-$a.log.$((TIER_LIFE[$a] - 1))"
	daemon_up "$a"
	((TIER_SYNC)) || {
		tier_nosync_keepalived "$a"
		return
	}
	for p in $(peers "$a"); do
		tier_conntrackd_conf "$a" "$p"
		rm -f "$TOPO_TMP/ctd-$a-$p.lock" "$TOPO_TMP/ctd-$a-$p.ctl"
		ns_bg "${NS_LBS[$a]}" "$TOPO_TMP/ctd-$a-$p.out" conntrackd -C "$TOPO_TMP/ctd-$a-$p.conf"
		CTD_PID[$a$p]=$NETNS_LAST_PID
	done
	for p in $(peers "$a"); do
		wait_for 10 ns_lbx "$a" conntrackd -C "$TOPO_TMP/ctd-$a-$p.conf" -s
	done
	tier_keepalived_conf "$a"
	ns_bg "${NS_LBS[$a]}" "$TOPO_TMP/keepalived-$a.out" keepalived -n -D -P -f "$TOPO_TMP/keepalived-$a.conf" \
		-p "$TOPO_TMP/keepalived-$a.pid" -r "$TOPO_TMP/vrrp-$a.pid"
	KA_PID["$a"]=$NETNS_LAST_PID
}

# tier_nosync_keepalived X: lb-X's keepalived as the example says for a
# tier without conntrackd (TIER_SYNC=0): the gateway with the VIPs, no
# notify script. Every host of a tier must have the same VIPs: keepalived
# drops adverts whose addresses differ from its own, and both are master.
tier_nosync_keepalived() {
	local a=$1
	tier_keepalived_conf "$a"
	sed -i -e '/^\tnotify /d' -e '/^\tnotify_master_rx_lower_pri /d' \
		-e "/^\t\t${VIP//./\\.}\/24 dev front$/a\\\t\t$GW_VIP/24 dev back" \
		-e "/^\t\t${VIP6//:/\\:}\/64 dev front$/a\\\t\t$GW_VIP6/64 dev back" \
		"$TOPO_TMP/keepalived-$a.conf"
	grep -q "$GW_VIP/24 dev back" "$TOPO_TMP/keepalived-$a.conf" || fail "nosync: no gateway in keepalived-$a.conf"
	grep -q 'notify_fifo' "$TOPO_TMP/keepalived-$a.conf" || fail "nosync: no notify_fifo in keepalived-$a.conf"
	! grep -q 'conntrackd-notify' "$TOPO_TMP/keepalived-$a.conf" || fail "nosync: a notify script left in keepalived-$a.conf"
	ns_bg "${NS_LBS[$a]}" "$TOPO_TMP/keepalived-$a.out" keepalived -n -D -P -f "$TOPO_TMP/keepalived-$a.conf" \
		-p "$TOPO_TMP/keepalived-$a.pid" -r "$TOPO_TMP/vrrp-$a.pid"
	KA_PID["$a"]=$NETNS_LAST_PID
}

# tier_kill X: every process of lb-X SIGKILLed at once (keepalived's VRRP
# child first: a parent's death must not give it the time for a
# priority-0 advert), then all its links down: a crash. The ones this
# script started are reaped.
tier_kill() {
	local a=$1 pids p
	# (No process substitution: the guest has no /dev/fd.)
	read -ra pids <<<"$(ip netns pids "${NS_LBS[$a]}" | sort -rn | tr '\n' ' ')"
	((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null || true
	ip -n "${NS_LBS[$a]}" -batch - <<-EOF
		link set front down
		link set back down
		link set sync down
	EOF
	for p in "${D_PID[$a]}" "${KA_PID[$a]}" "${CTD_PID[@]}"; do
		[[ -n $p ]] || continue
		if [[ " ${pids[*]} " == *" $p "* ]]; then
			{ wait "$p"; } 2>/dev/null || true
			reaped "$p"
		fi
	done
}
tier_crash() { tier_kill "$1"; }

# tier_poweroff X: as a crash, then its namespace deleted whole.
tier_poweroff() {
	tier_kill "$1"
	ip netns del "${NS_LBS[$1]}"
}

# tier_return X: the crashed lb-X back as from a reboot: without the
# addresses keepalived and the notify script gave it, links up, then its
# processes.
tier_return() {
	ip -n "${NS_LBS[$1]}" addr del "$VIP/24" dev front 2>/dev/null || true
	ip -n "${NS_LBS[$1]}" addr del "$VIP6/64" dev front 2>/dev/null || true
	ip -n "${NS_LBS[$1]}" addr del "$GW_VIP/24" dev back 2>/dev/null || true
	ip -n "${NS_LBS[$1]}" addr del "$GW_VIP6/64" dev back 2>/dev/null || true
	ip -n "${NS_LBS[$1]}" -batch - <<-EOF
		link set front up
		link set back up
		link set sync up
	EOF
	tier_start "$1"
}

# tier_rebuild X: lb-X powered on again: a new namespace (NS_LBS[X] is
# the same name), fresh module state, then its processes.
tier_rebuild() {
	lb_make "$1"
	tier_start "$1"
}

# tier_stale X: lb-X's SIP entries to a backend (`ctfailoverctl flows`)
# that are not current: stale, foreign, or unstamped (their labels lost on
# the way): every one must name a live instance after each event.
tier_stale() {
	ns_lbx "$1" ctfailoverctl flows |
		awk '$1 == "udp" && !/ verdict none / && !/ verdict current / { n++ } END { print n + 0 }'
}
tier_sip_entries() {
	ns_lbx "$1" ctfailoverctl flows | awk '$1 == "udp" && !/ verdict none / { n++ } END { print n + 0 }'
}

# epoch_of X NAME: lb-X's epoch of backend NAME (its daemon's).
epoch_of() { dctlx "$1" backends | awk -v b="$2" '$1 == b { print $5 }'; }

# daemon_clock: each daemon's log lines with the time they were read (every
# 0.1 s), in $TOPO_TMP/daemon-X.tlog, for daemon_evidence. It follows the
# name: tier_start moves the last life's log aside. (The guest's tail is
# busybox's: whole seconds.) No process is forked while it runs: read -t
# on a fifo that nobody writes is its sleep. daemon_clock_stop ends it.
CLOCK_PIDS=()
daemon_clock() {
	local a
	touch "$TOPO_TMP/clock.on"
	mkfifo "$TOPO_TMP/clock.fifo"
	for a in a b c; do
		clock_follow "$TOPO_TMP/daemon-$a.log" >"$TOPO_TMP/daemon-$a.tlog" &
		CLOCK_PIDS+=("$!")
	done
}
clock_follow() {
	local f=$1 fd='' tick l
	exec {tick}<>"$TOPO_TMP/clock.fifo"
	while [[ -e $TOPO_TMP/clock.on ]]; do
		if [[ -n $fd && ! $f -ef /proc/$BASHPID/fd/$fd ]]; then
			while IFS= read -r l <&"$fd" || [[ -n $l ]]; do echo "$EPOCHREALTIME $l"; done
			exec {fd}<&-
			fd=
		fi
		[[ -n $fd || ! -e $f ]] || exec {fd}<"$f"
		if [[ -n $fd ]]; then
			while IFS= read -r l <&"$fd" || [[ -n $l ]]; do echo "$EPOCHREALTIME $l"; done
		fi
		read -r -t 0.1 -u "$tick" _ || true
	done
}
daemon_clock_stop() {
	local p
	rm -f "$TOPO_TMP/clock.on"
	for p in "${CLOCK_PIDS[@]}"; do
		{ wait "$p"; } 2>/dev/null || true
	done
	CLOCK_PIDS=()
}

# daemon_evidence EPOCH SPAN: what the daemons said from a second before
# EPOCH to SPAN seconds after it, in seconds from T0 (the routine lines
# of the canary and the probes left out).
daemon_evidence() {
	local a
	for a in a b c; do
		[[ -f $TOPO_TMP/daemon-$a.tlog ]] || continue
		awk -v t="$1" -v span="$2" -v t0="$T0" -v lb="lb-$a" '
			$1 < t - 1 || $1 > t + span || / canary: / { next }
			{ s = $1; $1 = ""; printf "#   %8.3f %s%s\n", s - t0, lb, $0 }' "$TOPO_TMP/daemon-$a.tlog"
	done | sort -n -k2 | head -n 40
}
