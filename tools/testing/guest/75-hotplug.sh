#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 75-hotplug: CPUs going offline and online while tracing.  The guest
# has 4 possible CPUs of which 2 are online at boot (run.sh: -smp 4,
# maxcpus=2).  A ring is allocated when its CPU first comes online and
# kept until unload: possible CPUs that never came online cost nothing,
# records in an offlined CPU's ring are still delivered, a CPU that
# comes back records again, and under load nothing is lost uncounted.
. "$AT_BIN/at-lib.sh"

CPUS=/sys/devices/system/cpu

# stat_cpu CPU FIELD: FIELD of the "cpu CPU ..." stats line, or "none"
stat_cpu() {
	awk -v c="$1" -v f="$2" 'BEGIN { v = "none" } $1 == "cpu" && $2 == c {
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == f) v = a[2] } }
		END { print v }' $AT_DBG/stats
}

# stat_rings FIELD: from the "rings N ring_memory=... lost_no_ring=..." line
stat_rings() {
	awk -v f="$1" '$1 == "rings" { if (f == "n") print $2; else
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == f) print a[2] } }' \
		$AT_DBG/stats
}

check_eq "guest: 4 possible CPUs" 0-3 "$(cat $CPUS/possible)"
check_eq "guest: CPUs 0-1 online at boot" 0-1 "$(cat $CPUS/online)"

# ---- rings only for CPUs that have been online ----

load
check_eq "rings for the 2 online CPUs only" 2 "$(stat_rings n)"
check_eq "ring memory: 2 x 256 KiB" $((2 * 262144)) "$(stat_rings ring_memory)"
check_eq "no stats line for never-online cpu 2" none "$(stat_cpu 2 recorded)"
check_eq "no stats line for never-online cpu 3" none "$(stat_cpu 3 recorded)"

# ---- a CPU that comes online gets a ring and records into it ----

cpu_set 2 1
check_eq "cpu 2 online" 1 "$(cat $CPUS/cpu2/online)"
check_eq "a third ring once cpu 2 came online" 3 "$(stat_rings n)"
check_eq "cpu 2: online=1 in stats" 1 "$(stat_cpu 2 online)"
taskset -c 2 at-workload --case ipv4,unix_path >on2.out
check "workload pinned to cpu 2 ran" test $? -eq 0
check_eq "cpu 2 recorded its 3 events" 3 "$(stat_cpu 2 recorded)"

# ---- records in a ring whose CPU goes offline are still delivered ----

cpu_set 2 0
check_eq "cpu 2 offline" 0 "$(cat $CPUS/cpu2/online)"
check_eq "cpu 2 keeps its ring while offline" 3 "$(stat_rings n)"
check_eq "cpu 2: online=0 in stats" 0 "$(stat_cpu 2 online)"
check "cpu 2's ring still holds the records" test "$(stat_cpu 2 used)" -gt 0
run_tap -o on2.chk at-check -p -e on2.out
check_eq "the 3 records of offline cpu 2 were read" 3 \
	"$(grep -c '^# [0-9]*\.[0-9]* cpu=2 ' on2.chk)"
check_eq "cpu 2's ring is empty after the read" 0 "$(stat_cpu 2 used)"

# ---- and a CPU that comes back records again, into the same ring ----

cpu_set 2 1
cpu_set 3 1
check_eq "4 rings with cpus 2 and 3 online" 4 "$(stat_rings n)"
taskset -c 3 at-workload --case ipv4 >on3.out
taskset -c 2 at-workload --case unix_path >>on3.out
run_tap -o on3.chk at-check -p -e on3.out
check_eq "cpu 3 records" 2 "$(grep -c '^# [0-9]*\.[0-9]* cpu=3 ' on3.chk)"
check_eq "cpu 2 records again after coming back" 1 \
	"$(grep -c '^# [0-9]*\.[0-9]* cpu=2 ' on3.chk)"
check_eq "cpu 2 seq continues: recorded 4 in all" 4 "$(stat_cpu 2 recorded)"
unload

# ---- under load: CPUs 1-3 go off and on while acceptors and a reader run ----

load buf_kb=16
at-churn -t 4 -p 2000 -s 600 -f stop >churn.out 2>&1 &
churn=$!
at-check -t 1500 -w load.bin >load.chk 2>&1 &
reader=$!
hotplug_cycles 12
touch stop
wait $churn
check "churn: every accept succeeded while CPUs came and went" test $? -eq 0
diag <churn.out
# Recording off, calls in flight returned; then what the reader left.
echo 0 >$AT_DBG/enable
acct=$(settle)
check "every call in flight returned ($acct)" test $? -eq 0
wait $reader
check "reader: records consistent (seq and LOST per CPU)" test $? -eq 0
at-check -w drain.bin >drain.chk 2>&1
check "drain: records consistent (seq and LOST per CPU)" test $? -eq 0
grep -v -e '^ok ' -e '^KTAP version' load.chk drain.chk | diag
check_eq "all 4 CPUs back online" 0-3 "$(cat $CPUS/online)"
rec=$(stat_total recorded)
lost=$(stat_total lost)
filt=$(stat_total filtered)
hits=$(hits_total)
echo "# hits=$hits recorded=$rec lost=$lost filtered=$filt lost_no_ring=$(stat_rings lost_no_ring)"
check_eq "hits = recorded + lost + filtered after hotplug under load" "$hits" \
	$((rec + lost + filt))
got=$(($(nrec load.chk) + $(nrec drain.chk)))
lrec=$(($(sf load.chk lost_events) + $(sf drain.chk lost_events)))
check_eq "the readers got every recorded record" "$rec" "$got"
check_eq "LOST records add up to the lost counter" "$lost" "$lrec"
check "no kretprobe misses" test "$(stat_probe sys_accept4 kretprobe_nmissed)" = 0
unload

# Leave the guest as the next suite expects it.
cpu_set 2 0
cpu_set 3 0
check_eq "CPUs 0-1 online again" 0-1 "$(cat $CPUS/online)"
finish
