#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 80-hostile: hostile input while acceptors run.  at-churn keeps accept()
# busy on every CPU throughout.  Meanwhile insmod gets bad parameters
# (each refused with its exact error, nothing left loaded), then at-fuzz
# throws random and malformed calls at /dev/accepttrace and debugfs for a
# fixed time, every answer held to its exact errno (see at-fuzz.c).
# Afterwards the counters add up exactly: every hit recorded, lost or
# filtered, every recorded event read once (by the fuzzer or the drain),
# every drop reported; and a controlled workload is recorded exactly, in
# binary and in text.  Any kernel splat fails the run (run.sh's judge).
#
# 80-hostile.accel boots this suite on single-threaded TCG: it loads the
# module while at-churn runs accept() on every vCPU, and arming a probe
# patches text the other vCPU is executing (see 70-lifecycle.sh).
#
# The fuzz runs 20 s; longer, and with a given seed, by hand:
#   AT_FUZZ_SECONDS=600 AT_FUZZ_SEED=42 AT_TIMEOUT=900 \
#       make check KERNELS=test SUITES=80-hostile
# run.sh passes them on the kernel command line (at.fuzz_seconds=,
# at.fuzz_seed=); AT_TIMEOUT must cover three times the fuzz (at-fuzz
# goes on until every class was tried, up to that) plus about a minute.
. "$AT_BIN/at-lib.sh"

# cmdline NAME: the value of NAME=VALUE on the kernel command line
cmdline() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"
}

secs=$(cmdline at.fuzz_seconds)
secs=${secs:-20}
seed=$(cmdline at.fuzz_seed)
# Chosen here and shown first: a run that takes the guest down is replayed.
seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# fuzzing for $secs s, seed $seed (AT_FUZZ_SEED=$seed replays it)"

at-churn -t 3 -s $((secs + 600)) -f churn.stop >churn.out 2>&1 &
churn=$!

# ---- bad parameters, while acceptors run (10-module has the first ones) ----

# One per way of refusing: the module's range check, the parser's EINVAL
# and ERANGE, no value.  A lockdep kernel (the debug one) takes seconds
# per module load under TCG: it gets only these.
bad_param buf_kb=0 buf_kb
bad_param buf_kb=abc buf_kb
bad_param maxactive=4294967296 maxactive ERANGE
bad_param maxactive maxactive
if [ -e /proc/lockdep ]; then
	echo "# lockdep kernel: 4 bad parameters, not all 18 (slow module loads)"
else
	bad_param buf_kb=65537 buf_kb
	bad_param buf_kb=4294967295 buf_kb
	bad_param buf_kb=4294967296 buf_kb ERANGE
	bad_param buf_kb=99999999999999999999999 buf_kb ERANGE
	bad_param buf_kb=-1 buf_kb
	bad_param buf_kb= buf_kb
	bad_param buf_kb=1.5 buf_kb
	bad_param buf_kb=4k buf_kb
	bad_param "buf_kb=4 buf_kb=3" buf_kb
	bad_param maxactive=32769 maxactive
	bad_param maxactive=-1 maxactive
	bad_param enabled= enabled
	bad_param enabled=2 enabled
	bad_param enabled=-1 enabled
fi

# ---- the fuzz ----

load
check_eq "insmod while loaded fails with EEXIST" EEXIST "$(at-insmod "$AT_KO" buf_kb=3)"
check_eq "the loaded module kept its ring size" 262144 "$(stat_line buf_bytes)"

# A fuzzer still running 2 minutes after its time is stuck: show where
# in the kernel, then end it.
watchdog() {
	_n=0
	while [ ! -e fuzz.rc ] && [ $_n -lt $((secs + 120)) ]; do
		sleep 1
		_n=$((_n + 1))
	done
	for _p in $(pidof at-fuzz); do
		echo "# at-fuzz (pid $_p) is stuck; syscall, wchan, stack:"
		cat /proc/$_p/syscall /proc/$_p/wchan /proc/$_p/stack 2>&1 | diag
		kill -9 $_p
	done
}
watchdog &
wd=$!
# Straight to the console as well: if the kernel dies, the last lines show.
# at-fuzz's KTAP document is a subtest of this suite.
(at-fuzz -v -t "$secs" -s "$seed" -p $churn -c at-churn; echo $? >fuzz.rc) |
	tee fuzz.out | indent
wait $wd
subtest_result at-fuzz "$(cat fuzz.rc)" fuzz.out
check_eq "at-fuzz: every call answered as expected" 0 "$(cat fuzz.rc)"

touch churn.stop
wait $churn
crc=$?
diag <churn.out
check_eq "at-churn: every accept succeeded meanwhile" 0 $crc
accepts=$(sed -n 's/^CHURN .* accepts=\([0-9]*\).*/\1/p' churn.out)
check "at-churn accepted during the fuzz" test "${accepts:-0}" -gt 0

# Whatever the fuzz left in the rings, and its seq continuity.
run_tap -o drain.chk at-check

# ---- the counters add up ----

fuzzed() {
	sed -n "s/^# fuzz-records:.* $1=\([0-9]*\).*/\1/p" fuzz.out
}
hits=$(($(stat_probe sys_accept4 hits) + $(stat_probe inet_accept hits)))
rec=$(stat_total recorded)
lost=$(stat_total lost)
filt=$(stat_total filtered)
echo "# hits=$hits recorded=$rec lost=$lost filtered=$filt accepts=$accepts"
for p in sys_accept4 inet_accept; do
	check_eq "$p: nmissed=0" 0 "$(stat_probe $p nmissed)"
	check_eq "$p: kretprobe_nmissed=0" 0 "$(stat_probe $p kretprobe_nmissed)"
done
check_eq "every hit was recorded, lost or filtered" "$hits" $((rec + lost + filt))
check_eq "per-cpu recorded adds up to the total" "$rec" "$(stat_cpu_sum recorded)"
check_eq "per-cpu lost adds up to the total" "$lost" "$(stat_cpu_sum lost)"
read_recs=$(($(fuzzed sys_accept4) + $(fuzzed inet_accept) +
	$(summary_field drain.chk sys_accept4) + $(summary_field drain.chk inet_accept)))
check_eq "every recorded event was read once (fuzzer + drain)" "$rec" "$read_recs"
check_eq "every lost event was reported (fuzzer + drain)" "$lost" \
	$(($(fuzzed lost_events) + $(summary_field drain.chk lost_events)))
check_eq "the rings are empty" 0 "$(stat_cpu_sum used)"
check_eq "recording is on after the fuzz" 1 "$(cat $AT_DBG/enable)"
check_eq "no filter after the fuzz" none "$(cat $AT_DBG/filter)"
check_eq "no reader after the fuzz" 0 "$(stat_line reader)"

# ---- a controlled workload is recorded exactly ----

h0=$(stat_probe sys_accept4 hits)
i0=$(stat_probe inet_accept hits)
at-workload --case ipv4,unix_path,eagain,ebadf >ctl.out
check_eq "controlled workload ran" 0 $?
check_eq "controlled: sys_accept4 hits +4" $((h0 + 4)) "$(stat_probe sys_accept4 hits)"
check_eq "controlled: inet_accept hits +2" $((i0 + 2)) "$(stat_probe inet_accept hits)"
check_eq "controlled: recorded +6" $((rec + 6)) "$(stat_total recorded)"
check_eq "controlled: nothing lost" "$lost" "$(stat_total lost)"
check_eq "controlled: nothing filtered" "$filt" "$(stat_total filtered)"
run_tap -o ctl.chk at-check -e ctl.out
check_eq "controlled: 6 records read, no others" 6 "$(summary_field ctl.chk total)"

cases=ipv4,ipv6,unix_abstract,eagain,accept4_badflags
at-workload --case $cases >txt.out
at-dev read 7 >txt.txt
check_text txt.txt txt.out "controlled, in text"

unload
finish
