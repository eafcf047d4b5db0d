#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 70-lifecycle: load and unload while accept() runs on every CPU.
#
# (a) CYCLES load/unload cycles (100; the kernel command line's
#     at.cycles=N sets another count, as make stress does) while
#     at-churn loops connect + accept/accept4 in 4 threads, TCP and
#     AF_UNIX, on both vCPUs (2 ms apart, so the driver keeps a share).  Cycle by cycle the ring size, maxactive
#     and enabled=0 vary, every other cycle a reader is attached for the
#     whole cycle and detached, ftrace kprobe_events on the same two
#     functions are created and removed around and inside the cycles,
#     and every third cycle CPU 1 goes offline and online again while
#     the module loads or unloads.
#     After every cycle the account is exact: with recording switched
#     off and the calls in flight returned, hits = recorded + lost +
#     filtered, the records read are the recorded ones and the LOST
#     records add up to the lost counter.
# (b) unload while 64 threads are blocked in accept(), then wake them
#     all: every thread gets its connection; a reload, also made while
#     they were still blocked, records a controlled workload exactly.
#
# 70-lifecycle.accel boots this suite on single-threaded TCG: QEMU 7.2's
# multi-threaded TCG runs stale code after one vCPU patches kernel text
# that another is executing (tools/vm/README.md, "Load and unload under QEMU").
. "$AT_BIN/at-lib.sh"

# 100 cycles; 10 on the debug kernels (KUnit, KASAN, lockdep: a cycle
# takes 25 s on the 6.12 one and 45 s on the 6.1 one under TCG, against
# under 1 s on a Debian kernel; make stress STRESS_KERNELS=test runs
# more);
# at.cycles=N on the kernel command line wins.
CYCLES=$(sed -n 's/.*at\.cycles=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
if [ -z "$CYCLES" ]; then
	CYCLES=100
	[ -d /sys/kernel/debug/kunit ] && CYCLES=10
fi
TR=/sys/kernel/tracing

ft_on() {
	echo 'r:at_lc_sys __sys_accept4 $retval' >>$TR/kprobe_events &&
	echo 'r:at_lc_inet inet_accept $retval' >>$TR/kprobe_events &&
	echo 1 >$TR/events/kprobes/enable
}

ft_off() {
	echo 0 >$TR/events/kprobes/enable &&
	echo >$TR/kprobe_events
}

cpu1_cycle() {
	echo 0 >/sys/devices/system/cpu/cpu1/online &&
	echo 1 >/sys/devices/system/cpu/cpu1/online
}

# cycle I: one load/unload cycle; prints one result.
cycle() {
	i=$1
	case $((i % 4)) in
	0) kb=4 ;; 1) kb=16 ;; 2) kb=256 ;; *) kb=1024 ;;
	esac
	ma=1024
	[ $((i % 3)) = 2 ] && ma=64
	en=1
	[ $((i % 5)) = 4 ] && en=0
	rd=$((i % 2))
	ft=$((i % 3))
	hp=$((i % 6))
	case $hp in
	2) hpl=load ;; 5) hpl=unload ;; *) hpl=no ;;
	esac
	what="cycle $i (buf_kb=$kb maxactive=$ma enabled=$en reader=$rd ftrace=$ft cpu1-hotplug=$hpl)"
	why=
	[ $ft = 0 ] && { ft_on || why="$why ftrace-before"; }
	# CPU 1 goes off and on while the module loads (2) or unloads (5).
	[ $hp = 2 ] && { cpu1_cycle & hpid=$!; }
	if ! insmod $AT_KO buf_kb=$kb maxactive=$ma enabled=$en 2>ins.err; then
		notok "$what: insmod: $(cat ins.err)"
		[ $ft = 0 ] && ft_off
		return
	fi
	if [ $en = 0 ]; then
		sleep 0.1
		[ "$(hits_total)/$(stat_total recorded)" = 0/0 ] ||
			why="$why enabled=0-recorded($(hits_total)/$(stat_total recorded))"
		echo 1 >$AT_DBG/enable
	fi
	rm -f c.bin c2.bin
	[ $rd = 1 ] && { at-check -t 200 -w c.bin >c.chk 2>&1 & rpid=$!; }
	[ $ft = 1 ] && { ft_on || why="$why ftrace-during"; }
	sleep 0.1
	echo 0 >$AT_DBG/enable
	acct=$(settle) || why="$why in-flight($acct)"
	if [ $rd = 1 ]; then
		wait $rpid || why="$why reader-rc"
	fi
	# Whatever the reader left (or everything, without one).
	at-check -w c2.bin >c2.chk 2>&1 || why="$why drain-rc"
	set -- $acct
	if [ $rd = 1 ]; then
		got=$(($(nrec c.chk) + $(nrec c2.chk)))
		lrec=$(($(sf c.chk lost_events) + $(sf c2.chk lost_events)))
	else
		got=$(nrec c2.chk)
		lrec=$(sf c2.chk lost_events)
	fi
	[ "$got" = "$2" ] || why="$why read=$got"
	[ "$lrec" = "$3" ] || why="$why lost_records=$lrec"
	[ $ft = 1 ] && { ft_off || why="$why ftrace-remove"; }
	[ $hp = 2 ] && { wait $hpid || why="$why hotplug-load"; }
	[ $hp = 5 ] && { cpu1_cycle & hpid=$!; }
	rmmod accepttrace 2>rm.err || why="$why rmmod:$(cat rm.err)"
	[ $hp = 5 ] && { wait $hpid || why="$why hotplug-unload"; }
	[ $ft = 0 ] && { ft_off || why="$why ftrace-after"; }
	if [ -z "$why" ]; then
		ok "$what: hits $1 = recorded $2 + lost $3 + filtered $4; read $got, LOST $lrec"
	else
		notok "$what:$why (hits recorded lost filtered: $acct)"
		grep -hv -e '^ok ' -e '^KTAP version' c.chk c2.chk 2>/dev/null | head -n 5 | diag
		loaded && rmmod accepttrace
	fi
}

# ---- (a) cycles under churn ----

at-churn -t 4 -p 2000 -s 3600 -f churn.stop >churn.out 2>&1 &
churn=$!
sleep 0.5
n=0
while [ $n -lt "$CYCLES" ]; do
	n=$((n + 1))
	cycle $n
	# Progress for the host's watchdog (run.sh): one step per cycle.
	echo "@@AT progress 70-lifecycle cycle $n"
done
touch churn.stop
wait $churn
check "churn: every connect and accept succeeded across $CYCLES cycles" test $? -eq 0
diag <churn.out

# ---- (b) 64 acceptors blocked in accept() across unload and reload ----

load
rm -f go
at-workload --blocked 64 --hold go >blk.out 2>blk.err &
wl=$!
i=0
while ! grep -q '^# blocked 64' blk.err && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "64 threads blocked in accept" grep -q '^# blocked 64' blk.err
check_eq "each blocked thread passed the sys_accept4 probe" 64 \
	"$(stat_probe sys_accept4 hits)"
check "rmmod with 64 threads blocked in accept" rmmod accepttrace
check "module gone with the threads still blocked" sh -c '! grep -q "^accepttrace " /proc/modules'
load
touch go
wait $wl
check "every blocked thread got its own connection after the unload" test $? -eq 0
grep -v '^EXPECT' blk.err | diag
check_eq "the reloaded module saw none of the calls begun before it" 0 \
	"$(stat_probe sys_accept4 hits)"
at-workload --case ipv4,unix_path,eagain >ctl.out
check "controlled workload ran" test $? -eq 0
run_tap -o ctl.chk at-check -e ctl.out
check_eq "reload: recorded exactly the 5 records" 5 "$(summary_field ctl.chk total)"
finish
