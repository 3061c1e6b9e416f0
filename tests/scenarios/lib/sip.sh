# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # variables are for the scripts that source this
#
# sip.sh: what the end-to-end scenarios (incident.sh, tests/soak/soak.sh)
# share on top of topology.sh (source that first): ctfailoverd on the load
# balancers, sipp providers, and pacing events by the calls they place.
#
# Variables the caller sets: SCN_VIPS (the VIPs of the daemons' config),
# SCN_BACKENDS (backend names, addresses in ADDR[...]), KA_CONF (more of
# the daemons' keepalived group), RATE (calls/s of
# each provider), MIN_CALLS, RECV_TIMEOUT (ms), T0 (when the calls began).

SCN_VIPS=()
SCN_BACKENDS=()

# expect COND WHAT: an expectation of mode MODE; with check set (--check)
# the first unmet one fails the script, else it is counted in UNMET.
expect() {
	if eval "$1"; then
		pass "$MODE: $2"
	elif ((${check:-0})); then
		fail "$MODE: $2 (unmet: $1)"
	else
		echo "ERROR: $MODE: $2 (unmet: $1)"
		UNMET=$((UNMET + 1))
	fi
}

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# daemon_conf a|b: write ctfailoverd's config for lb-X from SCN_VIPS,
# SCN_BACKENDS and ADDR (the desired state a restart must find), and
# HEALTH_CONF (health settings, "key = value;"...; default: the daemon's).
daemon_conf() {
	local a=$1 v b vips=() bes=()
	local conf=$TOPO_TMP/ctfailover-$a.conf
	for v in "${SCN_VIPS[@]}"; do vips+=("\"$v\""); done
	for b in "${SCN_BACKENDS[@]}"; do
		bes+=("{ name = \"$b\"; address = \"${ADDR[$b]}\"; }")
	done
	local IFS=,
	cat >"$conf.new" <<-EOF
		vips = [ ${vips[*]} ];
		sip_ports = [ 5060 ];
		backends = ( ${bes[*]} );
		maglev = { table_size = 1009; };
		metrics = { listen = "127.0.0.1:9477"; };
		control_socket = "$TOPO_TMP/control-$a.sock";
		keepalived = { notify_fifo = "$TOPO_TMP/fifo-$a"; ${KA_CONF:-} };
		health = { ${HEALTH_CONF:-} };
	EOF
	mv "$conf.new" "$conf"
}

# daemon_up a|b [ARGS...]: ctfailoverd on lb-X with its config (written
# first if there is none).
declare -A D_PID=()
daemon_up() {
	local a=$1 conf=$TOPO_TMP/ctfailover-$1.conf
	shift
	[[ -f $conf ]] || daemon_conf "$a"
	ns_bg "${NS_LBS[$a]}" "$TOPO_TMP/daemon-$a.log" ctfailoverd -c "$conf" "$@"
	D_PID[$a]=$NETNS_LAST_PID
	wait_for 10 dctlx "$a" status
}
dctlx() { # a|b ARGS...
	local a=$1
	shift
	ctfailoverctl -s "$TOPO_TMP/control-$a.sock" "$@"
}

# The providers uac started: PROVIDERS (names, in order), PROV_NS[NAME]
# (namespace), PROV_SRC[NAME] (source address).
PROVIDERS=()
declare -A PROV_NS=() PROV_SRC=()

# pace [--flowing]: after an event, wait (at most 60 s) until each provider
# has sent MIN_CALLS INVITEs more (retransmissions included: counted by nft
# in its namespace on their way out, uac's counter inv_NAME), then (settle) for the caller's timer, so
# that those calls are decided before the next event begins. --flowing:
# only until the calls flow (before the first event; or to check things
# before settle).
pace() {
	local p out c=()
	for p in "${PROVIDERS[@]}"; do c+=("${PROV_NS[$p]}:ctf_pace:inv_$p"); done
	# One process that asks the kernel every 100 ms: an nft run a look, on
	# a guest busy with a dozen SIP processes, made this wait 5 s longer
	# than the calls took.
	if ! out=$(ctf-pace "$MIN_CALLS" 60 "${c[@]}"); then
		for p in "${PROVIDERS[@]}"; do
			info "provider $p: $(awk -v n="inv_$p" '$1 == n { print $2 }' <<<"$out") INVITEs in 60 s; the end of its log:"
			tail -n 5 "$TOPO_TMP/$p.log" "$TOPO_TMP/$p.err" 2>&1 | tr -d '\r' | cut -c1-200 | sed 's/^/#   /'
		done
		fail "${MODE:-soak}: the providers stopped placing calls"
	fi
	PACE_FLOWING=$EPOCHREALTIME
	[[ ${1:-} == --flowing ]] || settle
}

# settle: sleep until the caller's timer has passed since pace saw the
# calls flow.
settle() {
	sleep "$(awk -v f="$PACE_FLOWING" -v t=$((RECV_TIMEOUT / 1000)) -v now="$EPOCHREALTIME" \
		'BEGIN { d = f + t - now; printf "%.2f", (d > 0 ? d : 0) }')"
}

# uac NS NAME SRC TARGET SECONDS SIPP_ARGS...: provider NAME in NS calling
# TARGET (ADDR:PORT, [ADDR]:PORT for IPv6) from address SRC for about
# SECONDS, until SIGUSR1 (sipp then places no new call and exits when the
# current ones end); its messages in $TOPO_TMP/NAME.csv, the calls it gave
# up in NAME.err (calls.awk reads both).
uac() {
	local ns=$1 name=$2 src=$3 target=$4 secs=$5 ip=ip
	shift 5
	[[ $src != *:* ]] || ip=ip6
	PROVIDERS+=("$name")
	PROV_NS[$name]=$ns
	PROV_SRC[$name]=$src
	ip netns exec "$ns" nft -f - <<-EOF
		table inet ctf_pace {
			counter inv_$name {}
			chain output {
				type filter hook output priority 0; policy accept;
				$ip saddr $src udp dport 5060 @th,64,48 0x494e56495445 counter name inv_$name
			}
		}
	EOF
	: >"$TOPO_TMP/$name.err" # sipp makes it at its first error only
	# Its call count and lifetime are caps, not the plan: events wait for
	# counted calls, so a loaded host stretches a run (an incident mode
	# took over 700 s under a CPU hog beside two other guests).
	ns_bg "$ns" "$TOPO_TMP/$name.log" "${SIPP[@]}" -sn uac "$target" -i "$src" -r "$RATE" -m $((RATE * (secs + 3600))) \
		-buff_size "$SIPP_BUF" -l 200 -recv_timeout "$RECV_TIMEOUT" -timeout $((secs + 3600)) -nostdin \
		-trace_shortmsg -shortmessage_file "$TOPO_TMP/$name.csv" \
		-trace_err -error_file "$TOPO_TMP/$name.err" "$@"
}

# uac_stop WHO PID...: the providers place no new call (SIGUSR1); wait for
# them to end; a sipp failure (exit above 1) fails WHO's run.
uac_stop() {
	local who=$1 p rc
	shift
	kill -USR1 "$@"
	for p in "$@"; do
		rc=0
		wait "$p" || rc=$?
		reaped "$p"
		((rc <= 1)) || fail "$who: sipp UAC exited with $rc (see its log)"
	done
}

# ct_trace X [TAG]: lb-X's conntrack events (UDP, timestamped; conntrack -E
# flushes each line) into $TOPO_TMP/ct-X[.TAG].events4 and .events6, for
# call_evidence (a TAG for each life of a host that is restarted).
ct_trace() {
	local f
	for f in ipv4 ipv6; do
		ns_bg "${NS_LBS[$1]}" "$TOPO_TMP/ct-$1${2:+.$2}.events${f#ipv}" conntrack -E -f "$f" -p udp -o timestamp
	done
}

# call_evidence PROVIDER CALL-ID: what became of one call, in seconds from
# T0: the provider's messages, those of each instance that saw it, and, on
# every load balancer traced (ct_trace), the conntrack events of its flow (the first new
# entry from the provider at or after its first INVITE gives the port) and
# every entry destroyed, from a second before that INVITE to the caller's
# timer after it.
call_evidence() {
	local p=$1 id=$2 src=${PROV_SRC[$1]} t f a
	t=$(awk -F'\t' -v id="$id" '$5 == id { print $3; exit }' "$TOPO_TMP/$p.csv")
	[[ -n $t ]] || return 0
	for f in "$TOPO_TMP/$p.csv" "$TOPO_TMP"/*.uas.csv; do
		awk -F'\t' -v id="$id" -v t0="$T0" -v who="${f##*/}" \
			'$5 == id { printf "#   %8.3f %s %s %s\n", $3 - t0, who, $4, $7 }' "$f"
	done
	for f in "$TOPO_TMP"/ct-?.*events*; do
		[[ -f $f ]] || continue
		a=${f##*/ct-}
		a=${a%%.*}
		awk -v t="$t" -v t0="$T0" -v lb="lb-$a" -v src="src=$src" \
			-v span=$((RECV_TIMEOUT / 1000 + 1)) '
			!/^\[[0-9.]+\]/ { next }
			{ s = substr($1, 2) + 0 }
			s < t - 1 || s > t + span { next }
			port == "" && s >= t && /\[NEW\]/ && index($0, " " src " ") {
				for (i = 1; i <= NF; i++)
					if ($i ~ /^sport=/) { port = substr($i, 7); break }
			}
			{ line[++n] = $0; at[n] = s }
			END {
				for (i = 1; i <= n; i++) {
					$0 = line[i]
					if (!/\[DESTROY\]/ && (port == "" || $0 !~ ("port=" port "( |$)")))
						continue
					$1 = ""
					printf "#   %8.3f %s%s\n", at[i] - t0, lb, $0
				}
			}' "$f"
	done
}

# drops_report: UDP datagrams that reached a namespace of the topology (a
# SIP server, a provider) but no socket (udp_drops): a server that fell
# too far behind loses calls that no routing lost.
drops_report() {
	local ns n out=""
	for ns in $(ip netns list | awk -v p="$TOPO_PREFIX-" 'index($1, p) == 1 { print $1 }'); do
		n=$(udp_drops "$ns")
		((n == 0)) || out+=" ${ns#"$TOPO_PREFIX"-} $n"
	done
	info "UDP datagrams dropped at a socket:${out:- none}"
}
