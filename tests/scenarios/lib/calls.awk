# SPDX-License-Identifier: GPL-2.0
#
# calls.awk: one provider's calls, from sipp's -trace_shortmsg file
# (tab-separated: date, time, epoch, S|R, Call-ID, CSeq, first line), with
# what the SIP servers did with them (their -trace_shortmsg files, named
# *.uas.csv) and when the provider gave each failed call up (its
# -trace_err file, named *.err).
#
#   awk -F'\t' -v t0=EPOCH -v events="e1=START:END e2garp=START:END ..." -v margin=S \
#       -v timer=S -f calls.awk PROVIDER.csv [SERVER.uas.csv...] [PROVIDER.err]
#
# A call is attempted when its INVITE is sent, answered when a 200 to that
# INVITE comes back (the answer-seizure view an operator graphs), failed
# otherwise. A failed call is late (timing) when some response to its
# INVITE (the 180) came back, so a live instance had it and only the answer
# missed the caller's timer; or when a SIP server first answered it later
# than the caller's timer (timer seconds after its first INVITE) or after
# the caller had given it up: a server that fell behind (a provider with a
# socket per call never sees such an answer: its socket is closed). It is
# lost (routing: a dead instance, or a reply that left un-NATed) when
# nothing came back and no server answered it in time. An event runs from START to END
# (its completion: the successor up and the load balancers told, the VIP
# moved); calls placed while one runs are not judged (LOST and LATE leave
# them out, DURING counts them), as a call placed while an instance is dead
# and its successor not yet up has nowhere to go. Calls are placed in the
# one-second bin of their INVITE,
# counted from t0. Prints:
#   sec S ATTEMPTED ANSWERED FAILED      every second from 0 to the last INVITE
#   sum ATTEMPTED ANSWERED FAILED GAP LOST LATE DURING
#                                        GAP: longest time (s) without an
#                                        answer between the first and last INVITE
#   window EVENT ATTEMPTED FAILED FIRST LOST
#                                        calls placed from EVENT's END until
#                                        margin seconds before the next event's
#                                        START (a call
#                                        placed later retransmits its INVITE
#                                        into the next event's world); FIRST: ms
#                                        from EVENT's END to the first answer to an
#                                        INVITE sent after it, "never" if none
#                                        before the next event
#   bad CALL-ID lost|late [during]       each call not answered

BEGIN {
	ne = split(events, ev, " ")
	for (i = 1; i <= ne; i++) {
		split(ev[i], kv, "=")
		split(kv[2], se, ":")
		ename[i] = kv[1]
		estart[i] = se[1] + 0
		etime[i] = se[2] + 0
	}
}

FILENAME ~ /\.uas\.csv$/ {
	if ($4 == "S" && $6 ~ / INVITE$/ && $7 ~ /^SIP\/2\.0 [12]/ && !($5 in served))
		served[$5] = $3 + 0
	next
}

# "DATE\tTIME\tEPOCH: Call-Id: ID, receive timeout on ...: aborting call",
# the next entry on the same line (sipp ends none with a newline).
FILENAME ~ /\.err$/ {
	rest = $0
	while (match(rest, /[0-9]+\.[0-9]+: Call-Id: [^,]+, receive timeout/)) {
		m = substr(rest, RSTART, RLENGTH)
		rest = substr(rest, RSTART + RLENGTH)
		k = index(m, ": Call-Id: ")
		id = substr(m, k + 11, length(m) - k - 10 - 17)
		if (!(id in gaveup))
			gaveup[id] = substr(m, 1, k - 1) + 0
	}
	next
}

{ t = $3 + 0; id = $5 }

$4 == "S" && $7 ~ /^INVITE / && !(id in start) {
	start[id] = t
	order[++n] = id
	last_inv = t
	if (first_inv == "")
		first_inv = t
}

$4 == "R" && $6 ~ / INVITE$/ && (id in start) {
	responded[id] = 1
}

$4 == "R" && $6 ~ / INVITE$/ && $7 ~ /^SIP\/2\.0 200/ && (id in start) && !(id in answered) {
	answered[id] = t
	prev = (last_ans == "") ? first_inv : last_ans
	if (t - prev > gap)
		gap = t - prev
	last_ans = t
}

END {
	# Served after the caller's timer: as late as a 180 after it.
	for (id in served)
		if ((id in start) && !(id in responded) &&
		    (served[id] > start[id] + timer || ((id in gaveup) && served[id] >= gaveup[id])))
			responded[id] = 1
	if (n == 0) {
		print "sum 0 0 0 0 0 0 0"
		exit
	}
	if (last_inv - (last_ans == "" ? first_inv : last_ans) > gap)
		gap = last_inv - (last_ans == "" ? first_inv : last_ans)
	# Calls are in the order of their first INVITE, events in time order:
	# one walk over both (a soak has thousands of events).
	e = 1
	for (i = 1; i <= n; i++) {
		id = order[i]
		s = int(start[id] - t0)
		if (s < 0)
			s = 0
		att[s]++
		while (e <= ne && etime[e] <= start[id])
			e++
		tag = (e <= ne && start[id] >= estart[e]) ? " during" : ""
		during += tag != ""
		if (id in answered) {
			ans[s]++
		} else if (id in responded) {
			late += tag == ""
			print "bad", id, "late" tag
		} else {
			lost += tag == ""
			print "bad", id, "lost" tag
		}
		if (s > maxs)
			maxs = s
	}
	for (s = 0; s <= maxs; s++)
		printf "sec %d %d %d %d\n", s, att[s], ans[s], att[s] - ans[s]
	a = 0
	for (id in answered)
		a++
	printf "sum %d %d %d %.2f %d %d %d\n", n, a, n - a, gap, lost, late, during

	i0 = 1
	for (e = 1; e <= ne; e++) {
		from = etime[e]
		to = (e < ne) ? estart[e + 1] : 1e18
		wa = 0
		wf = 0
		wl = 0
		first = ""
		while (i0 <= n && start[order[i0]] < from)
			i0++
		for (i = i0; i <= n; i++) {
			id = order[i]
			if (start[id] >= to)
				break
			if ((id in answered) && answered[id] < to &&
			    (first == "" || answered[id] - from < first))
				first = answered[id] - from
			if (start[id] >= to - margin)
				continue
			wa++
			wf += !(id in answered)
			wl += !(id in answered) && !(id in responded)
		}
		printf "window %s %d %d %s %d\n", ename[e], wa, wf,
		       first == "" ? "never" : sprintf("%.0f", first * 1000), wl
	}
}
