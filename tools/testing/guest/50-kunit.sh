#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 50-kunit: load accepttrace_kunit.ko (its suites run at load) and turn
# every test case of every accepttrace suite, read from
# /sys/kernel/debug/kunit/<suite>/results, into one result of this
# suite's KTAP document:
#   ok N kunit <pass>: <suite>.<case>
# A skipped case is a failure here, as is a missing suite, a case count
# that differs from the suite's plan, or a suite that failed as a whole.
# Run twice: alone, and with accepttrace.ko loaded (two sets of probes on
# the same functions).
#
# A kernel without KUnit (Debian's) has no accepttrace_kunit.ko: the
# suite then prints a KTAP skip plan and exits 77, "not applicable".

SUITES="accepttrace_abi accepttrace_ring accepttrace_format accepttrace_filter accepttrace_probes"
KUNIT_DBG=/sys/kernel/debug/kunit
. "$AT_BIN/at-lib.sh"

if [ ! -f "${AT_KUNIT_KO:-}" ]; then
	if [ -d "$KUNIT_DBG" ]; then
		# The kernel has KUnit: the module should have been built.
		notok "accepttrace_kunit.ko is in the guest (AT_KUNIT_KO=${AT_KUNIT_KO:-unset})"
		exit 1
	fi
	skip_all "kernel ${AT_KVER:-$(uname -r)} has no KUnit, no accepttrace_kunit.ko"
fi

# results SUITE LABEL: one "ok - "/"not ok - " line per case of SUITE's
# KTAP results, numbered by relay.
# Case lines are the 4-space-indented "ok N name" lines; everything
# between two of them (diagnostics, parameter results) is shown under a
# case that failed.
results() {
	awk -v suite="$1" -v label="$2" '
	function flush_diag(   i) {
		for (i = 1; i <= nd; i++)
			print "# " d[i]
	}
	/^    1\.\.[0-9]+$/ { plan = substr($0, 8) + 0; nd = 0; next }
	/^    (not )?ok [0-9]+ / {
		line = substr($0, 5)
		bad = (line ~ /^not ok/)
		sub(/^(not )?ok [0-9]+ /, "", line)
		why = ""
		if (line ~ / # SKIP/) {
			why = line
			sub(/^.* # SKIP */, "", why)
			sub(/ # SKIP.*$/, "", line)
			bad = 1
			why = " (skipped: " why ")"
		}
		cases++
		if (bad) {
			print "not ok - kunit " label ": " suite "." line why
			flush_diag()
			nfail++
		} else {
			print "ok - kunit " label ": " suite "." line
		}
		nd = 0
		next
	}
	/^(not )?ok 1 / { suite_line = $0; next }
	{ d[++nd] = $0 }
	END {
		if (plan == 0 || cases != plan)
			print "not ok - kunit " label ": " suite ": " cases " case results for a plan of " plan
		else if (suite_line !~ ("^ok 1 " suite "$") && nfail == 0) {
			print "not ok - kunit " label ": " suite ": suite failed: " suite_line
			flush_diag()
		}
	}
	' "$KUNIT_DBG/$1/results"
}

# relay FILE: results' lines as this suite's own numbered results.
relay() {
	while IFS= read -r _l; do
		case $_l in
		"ok - "*) ok "${_l#ok - }" ;;
		"not ok - "*) notok "${_l#not ok - }" ;;
		*) echo "$AT_IND$_l" ;;
		esac
	done <"$1"
}

# run LABEL: load the KUnit module, report every suite, unload it.
run() {
	label=$1
	if ! insmod "$AT_KUNIT_KO"; then
		notok "kunit $label: insmod $AT_KUNIT_KO"
		dmesg | tail -n 20 | diag
		return
	fi
	for s in $SUITES; do
		if [ ! -r "$KUNIT_DBG/$s/results" ]; then
			notok "kunit $label: suite $s ran (no $KUNIT_DBG/$s/results)"
			continue
		fi
		results "$s" "$label" >"$s.tap"
		relay "$s.tap"
	done
	if rmmod accepttrace_kunit; then
		ok "kunit $label: rmmod accepttrace_kunit"
	else
		notok "kunit $label: rmmod accepttrace_kunit"
	fi
}

run alone

if insmod "$AT_KO"; then
	run "with accepttrace.ko"
	rmmod accepttrace || notok "rmmod accepttrace"
else
	notok "insmod $AT_KO"
fi

exit $AT_FAILED
