# SPDX-License-Identifier: GPL-2.0
#
# calls.awk: one provider's calls, from sipp's -trace_shortmsg file
# (tab-separated: date, time, epoch, S|R, Call-ID, CSeq, first line).
#
#   awk -F'\t' -v t0=EPOCH -v events="e1=EPOCH e2garp=EPOCH ..." -v margin=S \
#       -f calls.awk FILE
#
# A call is attempted when its INVITE is sent, answered when a 200 to that
# INVITE comes back (the answer-seizure view an operator graphs), failed
# otherwise. Calls are placed in the one-second bin of their INVITE,
# counted from t0. Prints:
#   sec S ATTEMPTED ANSWERED FAILED      every second from 0 to the last INVITE
#   sum ATTEMPTED ANSWERED FAILED GAP    GAP: longest time (s) without an
#                                        answer between the first and last INVITE
#   window EVENT ATTEMPTED FAILED FIRST  calls placed from EVENT until margin
#                                        seconds before the next event (a call
#                                        placed later retransmits its INVITE
#                                        into the next event's world); FIRST: ms
#                                        from EVENT to the first answer to an
#                                        INVITE sent after it, "never" if none
#                                        before the next event
#   bad CALL-ID                          each call not answered

BEGIN {
	ne = split(events, ev, " ")
	for (i = 1; i <= ne; i++) {
		split(ev[i], kv, "=")
		ename[i] = kv[1]
		etime[i] = kv[2] + 0
	}
}

{ t = $3 + 0; id = $5 }

$4 == "S" && $7 ~ /^INVITE / && !(id in start) {
	start[id] = t
	order[++n] = id
	last_inv = t
	if (first_inv == "")
		first_inv = t
}

$4 == "R" && $6 ~ / INVITE$/ && $7 ~ /^SIP\/2\.0 200/ && (id in start) && !(id in answered) {
	answered[id] = t
	prev = (last_ans == "") ? first_inv : last_ans
	if (t - prev > gap)
		gap = t - prev
	last_ans = t
}

END {
	if (n == 0) {
		print "sum 0 0 0 0"
		exit
	}
	if (last_inv - (last_ans == "" ? first_inv : last_ans) > gap)
		gap = last_inv - (last_ans == "" ? first_inv : last_ans)
	for (i = 1; i <= n; i++) {
		id = order[i]
		s = int(start[id] - t0)
		if (s < 0)
			s = 0
		att[s]++
		if (id in answered)
			ans[s]++
		else
			print "bad", id
		if (s > maxs)
			maxs = s
	}
	for (s = 0; s <= maxs; s++)
		printf "sec %d %d %d %d\n", s, att[s], ans[s], att[s] - ans[s]
	a = 0
	for (id in answered)
		a++
	printf "sum %d %d %d %.2f\n", n, a, n - a, gap

	for (e = 1; e <= ne; e++) {
		from = etime[e]
		to = (e < ne) ? etime[e + 1] : 1e18
		wa = 0
		wf = 0
		first = ""
		for (i = 1; i <= n; i++) {
			id = order[i]
			if (start[id] < from || start[id] >= to)
				continue
			if ((id in answered) && answered[id] < to &&
			    (first == "" || answered[id] - from < first))
				first = answered[id] - from
			if (start[id] >= to - margin)
				continue
			wa++
			wf += !(id in answered)
		}
		printf "window %s %d %d %s\n", ename[e], wa, wf,
		       first == "" ? "never" : sprintf("%.0f", first * 1000)
	}
}
