# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# timeline.sh: the gnuplot script of make demo's timelines, one panel per
# mode (tests/scenarios/run, tier-panel; host side). Sourced.
#
# A panel's data, by prefix P: P.dat (second, then attempted, answered,
# failed of the pinned provider, of the fresh one), P.events (each event's
# completion and name), P.runs (start, completion, name of each event that
# took time: shaded).

# timeline_gp BASE TITLE PANEL_FN MODE...: on stdout, the script drawing
# BASE.png and BASE.svg, a panel per MODE made by "PANEL_FN MODE".
timeline_gp() {
	local base=$1 title=$2 panel=$3 h ext m
	shift 3
	h=$((300 * $# + 100))
	cat <<-EOF
		# The timeline; redraw with: gnuplot $base.gp
		set datafile separator " "
		set xlabel "seconds since the first call"
		set ylabel "calls/s"
		set key outside right top vertical
		set grid ytics
		set yrange [0:*]
		set offsets 0, 0, 2, 0
		set y2range [0:1]
		unset y2tics
	EOF
	for ext in png svg; do
		if [[ $ext == png ]]; then
			echo "set terminal pngcairo size 1400,$h font 'sans,10'"
		else
			echo "set terminal svg size 1400,$h dynamic font 'sans,10'"
		fi
		echo "set output '$base.$ext'"
		echo "set multiplot layout $#,1 title '$title'"
		for m in "$@"; do
			"$panel" "$m"
		done
		echo "unset multiplot"
		echo "set output"
	done
}

# timeline_marks P LABEL_FN: clear the last panel's marks, then shade P's
# events running and mark their completions, named by "LABEL_FN NAME".
timeline_marks() {
	local t0 t1 t name
	echo "unset arrow; unset label; unset object"
	while read -r t0 t1 _; do
		echo "set object rect from $t0, graph 0 to $t1, graph 1 fc rgb 'gray60' fs transparent solid 0.25 noborder behind"
	done <"$1.runs"
	while read -r t name; do
		echo "set arrow from $t, graph 0 to $t, graph 1 nohead dt 2 lc rgb 'gray40'"
		echo "set label '$("$2" "$name")' at $t, graph 0.98 rotate by 90 right front noenhanced font 'sans,8' offset -0.8,0"
	done <"$1.events"
}

# timeline_calls P: the plot command of P's calls, without its last
# newline (a caller may add plots after a ", \").
timeline_calls() {
	echo "plot '$1.dat' using 1:3 with steps lw 2 lc rgb '#2a9d3f' title 'pinned answered', \\"
	echo "     '' using 1:4 with steps lw 2 lc rgb '#d62728' title 'pinned failed', \\"
	echo "     '' using 1:6 with steps lw 1 dt 3 lc rgb '#1f5fbf' title 'fresh answered', \\"
	printf '%s' "     '' using 1:7 with steps lw 1 dt 3 lc rgb '#ff7f0e' title 'fresh failed'"
	if [[ -s $1.runs ]]; then
		printf ', \\\n%s' "     keyentry with boxes fc rgb 'gray60' fs transparent solid 0.25 noborder title 'event running'"
	fi
}
