# SPDX-License-Identifier: GPL-2.0
# ktap.awk -- count the results of KTAP output
# (Documentation/dev-tools/ktap.rst), as every test of the tree prints
# them: the guest suites (tools/testing/at-lib.sh), the programs they run,
# the tool's host tests, KUnit.
#
#   awk -f ktap.awk FILE                  one document: prints
#                                         "PASS FAIL SKIP ERRORS"
#   awk -v sections=1 -f ktap.awk LOG     a guest console log: one line per
#                                         suite, "NAME PASS FAIL SKIP ERRORS
#                                         RC SECS SKIPALL", then
#                                         "@boot 0 0 0 ERRORS - - 0"
#
# What counts is the leaves: a test with subtests is the sum of them.  A
# leaf "ok" passes and "not ok" fails; "# SKIP" on either is a skip.  A
# parent that says "not ok" although none of its subtests failed (a
# program that exited non-zero after printing only passes) is one
# failure.  An error is output that breaks the format: a result without
# a number or outside a document ("KTAP version 1" first), a number out
# of sequence (1, 2, 3, ... at each level), a plan ("1..N") that the
# results do not match.  Each error is named on stderr.
#
# Levels are told by indentation, two spaces a level, as KTAP nests.
# In sections mode the lines between "@@AT suite-begin NAME" and
# "@@AT suite-end NAME rc=RC secs=S" are that suite's document, whatever
# its indentation (the guest's init nests every suite in the boot's own
# document); the boot's document is the rest.  Lines that are none of
# the above (the kernel's console messages, other output) are ignored,
# as KTAP's "unknown lines" are.

function err(msg) {
	printf "ktap: %s:%d: %s%s\n", FILENAME, FNR, (sec != "" ? sec ": " : ""), msg > "/dev/stderr"
	errors++
}

# Close the documents at level @d and below (their parent result came,
# or the input or section ended).
function close_to(d,   i) {
	for (i = top; i >= d; i--) {
		if (!open[i])
			continue
		if (plan[i] >= 0 && plan[i] != nres[i])
			err("plan 1.." plan[i] " but " nres[i] " results")
		open[i] = 0
	}
	if (top >= d)
		top = d - 1
}

# The boot's document is put aside while a suite's is counted.
function save_boot(   i) {
	b_pass = pass; b_fail = fail; b_skip = skip; b_err = errors
	b_top = top; b_base = base
	delete b_open; delete b_nxt; delete b_nres; delete b_plan; delete b_planned
	for (i in open) b_open[i] = open[i]
	for (i in nxt) b_nxt[i] = nxt[i]
	for (i in nres) b_nres[i] = nres[i]
	for (i in plan) b_plan[i] = plan[i]
	for (i in planned) b_planned[i] = planned[i]
}

function restore_boot(   i) {
	reset()
	pass = b_pass; fail = b_fail; skip = b_skip; errors = b_err
	top = b_top; base = b_base
	for (i in b_open) open[i] = b_open[i]
	for (i in b_nxt) nxt[i] = b_nxt[i]
	for (i in b_nres) nres[i] = b_nres[i]
	for (i in b_plan) plan[i] = b_plan[i]
	for (i in b_planned) planned[i] = b_planned[i]
}

function reset() {
	pass = fail = skip = errors = skipall = 0
	top = -1
	base = -1
	delete open
}

# One line of a document whose level 0 is at indentation @b spaces.
function line(s, b,   ind, d, rest, num, isok, directive) {
	match(s, /^ */)
	ind = RLENGTH
	rest = substr(s, ind + 1)
	if (rest ~ /^KTAP version [0-9]+$/ || rest ~ /^TAP version 1[34]$/) {
		if (b < 0) {
			b = base = ind
		}
		d = int((ind - b) / 2)
		if (d < 0) {
			err("KTAP version line outside the document")
			return
		}
		close_to(d)
		open[d] = 1
		top = d
		nxt[d] = 1
		nres[d] = 0
		plan[d] = -1
		fails_at[d] = fail + errors
		skips_at[d] = skip
		planned[d] = 0
		return
	}
	if (b < 0)
		b = base
	if (rest ~ /^1\.\.[0-9]+( |$)/) {
		d = int((ind - b) / 2)
		if (b < 0 || d < 0 || !open[d] || nres[d] || planned[d]) {
			err("plan not right after a version line: " rest)
			return
		}
		planned[d] = 1
		plan[d] = substr(rest, 4) + 0
		if (plan[d] == 0 && rest ~ /# *[Ss][Kk][Ii][Pp]/ && d == 0)
			skipall = 1
		return
	}
	if (rest !~ /^(not )?ok([ \t]|$)/)
		return
	isok = rest !~ /^not /
	sub(/^(not )?ok[ \t]*/, "", rest)
	if (rest !~ /^[0-9]+([ \t]|$)/) {
		err("result without a number: " s)
		if (!isok)
			fail++
		return
	}
	num = rest
	sub(/[ \t].*$/, "", num)
	num += 0
	directive = ""
	if (rest ~ /#/) {
		directive = rest
		sub(/^[^#]*#[ \t]*/, "", directive)
	}
	d = int((ind - b) / 2)
	if (b < 0 || d < 0 || !open[d]) {
		err("result outside a KTAP document: " s)
		if (!isok)
			fail++
		return
	}
	if (num != nxt[d])
		err("result " num " where " nxt[d] " was due: " s)
	nxt[d] = num + 1
	nres[d]++
	if (open[d + 1]) {
		# A parent: its subtests were counted.
		close_to(d + 1)
		if (!isok && fail + errors == fails_at[d + 1])
			fail++
		else if (directive ~ /^[Ss][Kk][Ii][Pp]/ && skip == skips_at[d + 1] &&
			 nres[d + 1] == 0)
			skip++
		return
	}
	if (directive ~ /^[Ss][Kk][Ii][Pp]/)
		skip++
	else if (isok)
		pass++
	else
		fail++
}

BEGIN {
	reset()
	sec = ""
	insec = 0
}

{
	sub(/\r$/, "")
}

sections && /^@@AT suite-begin / {
	# Leave the boot's document as it is; count the suite's apart.
	save_boot()
	reset()
	sec = $3
	insec = 1
	order[++nsec] = sec
	rc[sec] = "-"
	secs[sec] = "-"
	next
}

sections && /^@@AT suite-end / {
	close_to(0)
	r = $4
	sub(/^rc=/, "", r)
	s = $5
	if (s ~ /^secs=[0-9]+$/)
		sub(/^secs=/, "", s)
	else
		s = "-"
	res[sec] = pass " " fail " " skip " " errors
	rc[sec] = r
	secs[sec] = s
	sall[sec] = skipall
	insec = 0
	sec = ""
	restore_boot()
	next
}

{
	line($0, base)
}

END {
	if (!sections) {
		close_to(0)
		print pass, fail, skip, errors
		exit
	}
	# A suite that never ended: what it printed so far.
	if (insec) {
		res[sec] = pass " " fail " " skip " " errors
		sall[sec] = 0
		restore_boot()
	} else {
		close_to(0)
	}
	for (i = 1; i <= nsec; i++)
		print order[i], res[order[i]], rc[order[i]], secs[order[i]], sall[order[i]]
	print "@boot", 0, 0, 0, errors, "-", "-", 0
}
