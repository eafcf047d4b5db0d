#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark, small: every arm of tools/bench/at-bench.sh runs twice on
# a few hundred connections, so "make bench" cannot rot.  Asserts what
# does not depend on speed: each run complete (exact record counts, zero
# lost, zero nmissed: at-bench.sh's own results, a subtest here), and a
# number in the table for every arm of every workload.  Speed is never
# asserted.

AT_BIN=${AT_BIN:-/opt/at/bin}
. "$AT_BIN/at-lib.sh"

# The arms that run the connection workloads; floor-clk runs EAGAIN only.
ARMS="base at-tool at-cat at-noread floor base2 at-off ft-pipe ft-nopipe bt-full bt-tcpaccept"
# bcc's tcpaccept before 6.12 only, as at-bench.sh decides (Debian 12's
# bcc cannot compile against 6.12's headers).
NARMS=12 BCC=
case $(uname -r) in
[0-5].* | 6.[0-9].* | 6.1[01].*) ARMS="$ARMS bcc-tcpaccept" NARMS=13 BCC=bcc-tcpaccept ;;
*) echo "bcc-tcpaccept is not an arm on $(uname -r): Debian 12's bcc cannot compile against its headers" | diag ;;
esac
TABLE=/tmp/bench-smoke.table
rm -f "$TABLE"

# 200 + 200 connections (2 acceptors and 2 clients share the second),
# 2 rounds: round 1 is the warm-up, round 2 gives the numbers.
# Its progress goes to the console as it comes (each arm's start, each
# run's result), so that a run that stops shows where.
{
	sh "$AT_BIN/at-bench.sh" -n 200 -m 200 -r 2 -g 20000 -e 400 -c 400 -o "$TABLE" 2>&1
	echo $? >/tmp/bench-smoke.rc
} | tee /tmp/bench-smoke.out | awk -v p="$AT_IND" '
	/^# round / { print p "# at-bench: " substr($0, 3); fflush(); next }
	/^(not )?ok [0-9]+ / {
		r = $1 == "ok" ? "ok" : "NOT OK"; sub(/^(not )?ok [0-9]+ /, "")
		print p "# at-bench: " $0 ": " r; fflush() }'
rc=$(cat /tmp/bench-smoke.rc)
grep -E '^(KTAP version|ok [0-9]|not ok [0-9]|#|CAP |PROBES )' \
	/tmp/bench-smoke.out >/tmp/bench-smoke.ktap
subtest at-bench.sh "$rc" /tmp/bench-smoke.ktap
[ "$rc" = 0 ] && ok "at-bench.sh exits 0" || notok "at-bench.sh exits 0 (rc=$rc)"
runs=$(grep -c '^ok [0-9]* round [0-9]* [^ ]* complete$' /tmp/bench-smoke.out)
[ "$runs" = $((2 * NARMS)) ] && ok "$((2 * NARMS)) runs complete ($NARMS arms x 2 rounds)" ||
	notok "$((2 * NARMS)) runs complete ($NARMS arms x 2 rounds): $runs"

if [ ! -s "$TABLE" ]; then
	notok "at-bench.sh wrote its table"
	diag /tmp/bench-smoke.out | tail -n 20
	exit 1
fi
diag "$TABLE"

# row WORK ARM: the table row of ARM in WORK's section has a number, 1/1
# complete run, and no LOSSY mark.
row() {
	awk -v w="$1:" -v a="$2" '
	$1 == w { in_w = 1; next }
	/^$/ { in_w = 0 }
	in_w && $1 == a { print; exit }' "$TABLE"
}
for work in conn1 conn22; do
	for arm in $ARMS; do
		line=$(row "$work" "$arm")
		case $line in
		*LOSSY*) notok "$work $arm: complete ($line)" ;;
		"$arm "*[0-9]*" 1/1") ok "$work $arm: measured, 1/1 complete run" ;;
		*) notok "$work $arm: measured ('$line')" ;;
		esac
	done
done
# The EAGAIN loop runs under the arms without a reader only.
for arm in base at-noread floor floor-clk base2 at-off; do
	line=$(row eagain "$arm")
	case $line in
	*LOSSY*) notok "eagain $arm: complete ($line)" ;;
	"$arm "*[0-9]*" 1/1") ok "eagain $arm: measured, 1/1 complete run" ;;
	*) notok "eagain $arm: measured ('$line')" ;;
	esac
done
for arm in base at-tool; do
	line=$(awk -v a="$arm" '$1 == "control:" { c = 1; next } c && $1 == a { print; exit }' "$TABLE")
	case $line in
	"$arm "*[0-9]*" 1/1") ok "control getpid under $arm measured" ;;
	*) notok "control getpid under $arm measured ('$line')" ;;
	esac
done
# The key ratios are printed (a noisy smoke run may have a negative delta:
# "n/a"), and so is the capacity; their values are the full run's business.
for what in "delta at-tool / delta bt-full = " "delta at-cat  / delta bt-full = " \
	"delta at-tool / delta bt-tcpaccept = " ${BCC:+"delta at-tool / delta bcc-tcpaccept = "} \
	"delta at-tool / delta ft-pipe = " "delta at-tool / delta floor   = " \
	"reader per record: at-tool (JSON) -*[0-9]*, at-cat (text) -*[0-9]" \
	"delta at-noread / delta floor = " "delta at-noread / delta floor-clk = " \
	"four clock reads per call (delta floor-clk - delta floor): -*[0-9]" \
	"control at-tool / base = [0-9]" "highest lossless rate: [0-9]" "reader CPU time: [0-9]"; do
	grep -q "$what" "$TABLE" && ok "table has '$what'" ||
		notok "table has '$what'"
done
for arm in at floor ft bt bt-tcpaccept $BCC; do
	grep -qE "^  $arm: .*(__sys_accept4|inet_accept|inet_csk_accept)" "$TABLE" &&
		ok "probe kind shown for $arm" || notok "probe kind shown for $arm"
done
exit $AT_FAILED
