# SPDX-License-Identifier: GPL-2.0
# at-bench-table.awk -- the benchmark's table from at-bench.sh's raw lines
# (busybox awk).  Variables: rounds, kver, ncpu, n1, n22, ng, arms, clock
# (the clocksource), unit ("ns", or "insn" under QEMU -icount shift=0,
# where one ns of guest time is one instruction).
#
# Per workload and arm, over rounds 2..rounds (round 1 is the warm-up)
# and complete runs only:
#   median ns per operation and its min..max;
#   ratio: the run against its neighbouring base runs (the base of its own
#   round and of the next round, averaged), median and min..max;
#   delta: the same difference in ns, median.
# base2 is base measured again mid-round: its ratio is the noise floor.

function kv(line, key,    n, i, f, a) {
	n = split(line, f, " ")
	for (i = 1; i <= n; i++)
		if (split(f[i], a, "=") >= 2 && a[1] == key)
			return substr(f[i], length(key) + 2)
	return ""
}

# Sort v[1..n] in place (insertion sort: a handful of values).
function sortv(v, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] > x; j--)
			v[j + 1] = v[j]
		v[j + 1] = x
	}
}

function median(v, n) {
	sortv(v, n)
	if (n % 2)
		return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}

# The base a run of round r is compared with; -1 if none.
function neighbour(w, r,    b, k) {
	b = 0; k = 0
	if ((w, "base", r) in ns && ok[w, "base", r]) { b += ns[w, "base", r]; k++ }
	if ((w, "base", r + 1) in ns && ok[w, "base", r + 1]) { b += ns[w, "base", r + 1]; k++ }
	return k ? b / k : -1
}

# Fills the globals MED MIN MAX RMED RMIN RMAX DMED NOK NALL for (w, a),
# from its complete runs, or with any set from all of them.
function summarise(w, a, any,    r, n, nb, t, tv, rv, dv) {
	n = 0; NALL = 0
	for (r = 2; r <= rounds; r++) {
		if (!((w, a, r) in ns))
			continue
		NALL++
		if (!ok[w, a, r] && !any)
			continue
		nb = neighbour(w, r)
		if (nb <= 0)
			continue
		t = ns[w, a, r]
		n++
		tv[n] = t; rv[n] = t / nb; dv[n] = t - nb
	}
	NOK = n
	if (!n)
		return 0
	MED = median(tv, n); MIN = tv[1]; MAX = tv[n]
	RMED = median(rv, n); RMIN = rv[1]; RMAX = rv[n]
	DMED = median(dv, n)
	return 1
}

function table(w, title,    i, a, na, al, mark) {
	printf "\n%s\n", title
	printf "%-13s %12s %23s %7s %13s %10s  %s\n", "arm", unit "/op", "min..max", "ratio",
		"ratio spread", "delta " unit, "complete runs"
	na = split(arms, al, " ")
	for (i = 1; i <= na; i++) {
		a = al[i]
		if (!((w, a) in seen))
			continue
		if (summarise(w, a, 0)) {
			delta[w, a] = DMED
			ratio[w, a] = RMED
			mark = NOK < NALL ? " LOSSY (incomplete runs left out)" : ""
		} else if (NALL && summarise(w, a, 1)) {
			# A peer that dropped events in every run (bcc's
			# tcpaccept at full rate): what those runs cost, marked,
			# and left out of the key ratios.
			NOK = 0
			mark = " LOSSY (no complete run; figures of the incomplete ones)"
		} else {
			printf "%-13s %12s %23s %7s %13s %10s  %d/%d LOSSY (no complete run)\n",
				a, "-", "-", "-", "-", "-", NOK, NALL
			continue
		}
		printf "%-13s %12.0f %11.0f..%-11.0f %7.3f %6.3f..%-6.3f %10.0f  %d/%d%s\n",
			a, MED, MIN, MAX, RMED, RMIN, RMAX, DMED, NOK, NALL, mark
	}
}

function keyratio(w, a, b,    s) {
	if (!((w, a) in delta) || !((w, b) in delta))
		return "n/a (lossy arm)"
	if (delta[w, b] <= 0)
		return sprintf("n/a (delta %s = %.0f %s)", b, delta[w, b], unit)
	return sprintf("%.2f", delta[w, a] / delta[w, b])
}

function keys(w) {
	if ((w, "bt-full") in seen) {
		printf "  delta at-tool / delta bt-full = %s   (goal <= 0.05)\n", keyratio(w, "at-tool", "bt-full")
		printf "  delta at-cat  / delta bt-full = %s\n", keyratio(w, "at-cat", "bt-full")
	}
	if ((w, "bt-tcpaccept") in seen)
		printf "  delta at-tool / delta bt-tcpaccept = %s   (tcpaccept.bt: one probe, successful TCP accepts only)\n",
			keyratio(w, "at-tool", "bt-tcpaccept")
	if ((w, "bcc-tcpaccept") in seen)
		printf "  delta at-tool / delta bcc-tcpaccept = %s   (bcc's tcpaccept: the same)\n",
			keyratio(w, "at-tool", "bcc-tcpaccept")
	printf "  delta at-tool / delta ft-pipe = %s   (goal <= 0.50)\n", keyratio(w, "at-tool", "ft-pipe")
	printf "  delta at-tool / delta floor   = %s   (goal <= 5.00)\n", keyratio(w, "at-tool", "floor")
	printf "  delta at-cat  / delta ft-pipe = %s,  delta at-cat / delta floor = %s\n",
		keyratio(w, "at-cat", "ft-pipe"), keyratio(w, "at-cat", "floor")
	# What the readers add per record (two a connection), above the
	# handlers' work: read(), the JSON or text line, its write.
	if ((w, "at-tool") in delta && (w, "at-noread") in delta)
		printf "  reader per record: at-tool (JSON) %.0f, at-cat (text) %s %s   ((delta - delta at-noread) / 2)\n",
			(delta[w, "at-tool"] - delta[w, "at-noread"]) / 2,
			(w, "at-cat") in delta ? sprintf("%.0f", (delta[w, "at-cat"] - delta[w, "at-noread"]) / 2) : "-", unit
	if ((w, "base2") in ratio)
		printf "  noise floor (base2 against base): ratio %.3f, delta %.0f %s\n",
			ratio[w, "base2"], delta[w, "base2"], unit
}

/^RUN / {
	w = kv($0, "work"); a = kv($0, "arm"); r = kv($0, "r")
	ns[w, a, r] = kv($0, "ns") + 0
	ok[w, a, r] = kv($0, "ok") + 0
	seen[w, a] = 1
	next
}
/^PROBES / {
	a = kv($0, "arm")
	sub(/^PROBES arm=[^ ]* /, "")
	probes = probes sprintf("  %-14s %s\n", a ":", $0)
	next
}
/^CAP / { caps = caps "  " $0 "\n"; next }
/^CAPACITY / { capacity = $0; next }

END {
	if (unit == "")
		unit = "ns"
	per = unit == "ns" ? "ns" : "instructions"
	printf "=== accepttrace benchmark: kernel %s, %d vCPUs, QEMU/TCG%s\n", kver, ncpu,
		unit == "ns" ? "" : " -icount shift=0 (1 ns of guest time = 1 instruction)"
	printf "rounds: %d, interleaved, the first discarded; clocksource: %s; arms: %s\n", rounds, clock, arms
	if (n1 > 0) {
		table("conn1", sprintf("conn1: 1 thread, %d x (connect + accept4 + close) per run; %s per connection", n1, per))
		keys("conn1")
	}
	if (n22 > 0) {
		table("conn22", sprintf("conn22: 2 acceptor + 2 client threads, %d connections per run; %s per connection", n22, per))
		keys("conn22")
	}
	if (ne > 0) {
		table("eagain", sprintf("eagain: %d x accept4() failing with EAGAIN per run, arms without a reader; %s per call", ne, per))
		printf "  delta at-noread / delta floor = %s   (the handlers' work per call against empty probes; goal <= 1.30)\n",
			keyratio("eagain", "at-noread", "floor")
		printf "  delta at-off / delta floor    = %s   (loaded, recording off)\n",
			keyratio("eagain", "at-off", "floor")
		if (("eagain", "floor-clk") in delta && ("eagain", "floor") in delta) {
			printf "  delta at-noread / delta floor-clk = %s   (against probes that only time each call)\n",
				keyratio("eagain", "at-noread", "floor-clk")
			printf "  four clock reads per call (delta floor-clk - delta floor): %.0f %s\n",
				delta["eagain", "floor-clk"] - delta["eagain", "floor"], unit
		}
		if (("eagain", "base2") in ratio)
			printf "  noise floor (base2 against base): ratio %.3f, delta %.0f %s\n",
				ratio["eagain", "base2"], delta["eagain", "base2"], unit
	}
	table("getpid", sprintf("control: %d x getpid() per run; %s per call", ng, per))
	if (("getpid", "at-tool") in ratio)
		printf "  control at-tool / base = %.3f (noise: conn1 base2 ratio %.3f)\n",
			ratio["getpid", "at-tool"], ratio["conn1", "base2"]
	printf "\nprobes placed (/sys/kernel/debug/kprobes/list):\n%s", probes
	if (capacity != "") {
		printf "\ncapacity (2+2 workload, accepttrace default buf_kb=256, --json reader):\n%s", caps
		rate = kv(capacity, "rate"); ticks = kv(capacity, "ticks"); recs = kv(capacity, "records")
		printf "  highest lossless rate: %s connections/s (%s records/s), limited by the %s\n",
			rate, 2 * rate, kv(capacity, "bound")
		if (recs > 0)
			printf "  reader CPU time: %.1f ms per 1000 records (%d ticks of 10 ms for %d records)\n",
				ticks * 10 * 1000 / recs, ticks, recs
	}
	print "=== end"
}
