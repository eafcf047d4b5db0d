#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 72-idle: an idle reader costs nothing.  A reader blocked in read(),
# then one in poll(), is woken by nothing while nothing is recorded,
# and by exactly one irq_work when a record comes.
#
# 72-idle.accel boots this suite on single-threaded TCG: it counts
# wakeups with the sched_wakeup tracepoint, and switching a tracepoint
# on and off patches try_to_wake_up() while the other vCPU runs it,
# which QEMU 7.2's multi-threaded TCG can turn into a hang (see
# 10-module.sh, "load and unload order").
. "$AT_BIN/at-lib.sh"

TR=/sys/kernel/tracing
record_cmd=$(cat $TR/options/record-cmd)
echo 0 >$TR/options/record-cmd
load

# ---- an idle reader costs nothing ----

# A reader blocked in read() (cat), then one in poll() (at-dev poll),
# each for 2 s with nothing recorded: the module's wakeup irq_work
# (ring.c's ring_wake) and its timer (wake_timer_fn) never run, and the
# reader is never woken (sched_wakeup of its pid).  Then one accept
# while it waits: the record is delivered within 1 s (a bound for TCG,
# not a latency target), by exactly one irq_work and no timer.
# Without the two probes every count below would be 0: they must exist.
check "kprobe event on ring_wake" sh -c \
	"echo 'p:atidle/atidle_kick accepttrace:ring_wake' >>$TR/kprobe_events"
check "kprobe event on wake_timer_fn" sh -c \
	"echo 'p:atidle/atidle_tick accepttrace:wake_timer_fn' >>$TR/kprobe_events"
echo 1 >$TR/events/atidle/enable
# hits EVENT: how often the kprobe event atidle_EVENT was hit so far,
# missed hits included: an irq_work raised by a kretprobe handler can
# run before that handler is done, where a kprobe counts as missed.
hits() {
	awk -v e="atidle_$1" '$1 == e { print $2 + $3 }' $TR/kprobe_profile
}
# asleep PID: PID is asleep in read() or poll()
asleep() {
	[ "$(sed 's/.*) //' /proc/$1/stat | cut -d' ' -f1)" = S ]
}
# idle_window WHO PID: 2 s of nothing with PID waiting
idle_window() {
	i=0
	while ! asleep $2 && [ $i -lt 100 ]; do
		usleep 50000
		i=$((i + 1))
	done
	check "$1: asleep" asleep $2
	echo 0 >$TR/tracing_on
	echo >$TR/trace
	echo "pid == $2" >$TR/events/sched/sched_wakeup/filter
	echo 1 >$TR/events/sched/sched_wakeup/enable
	k0=$(hits kick)
	t0=$(hits tick)
	echo 1 >$TR/tracing_on
	sleep 2
	echo 0 >$TR/tracing_on
	check_eq "$1, 2 s idle: no wakeup irq_work" 0 $(($(hits kick) - k0))
	check_eq "$1, 2 s idle: no wakeup timer" 0 $(($(hits tick) - t0))
	check_eq "$1, 2 s idle: never woken" 0 \
		"$(grep -c 'sched_wakeup:' $TR/trace)"
	echo >$TR/trace
	echo 1 >$TR/tracing_on
	k0=$(hits kick)
	t0=$(hits tick)
}
# kicked WHO WAKEUPS: after the accept, one irq_work, no timer, and the
# reader woken WAKEUPS times
kicked() {
	echo 0 >$TR/tracing_on
	check_eq "$1, one record: one wakeup irq_work" 1 $(($(hits kick) - k0))
	check_eq "$1, one record: no wakeup timer" 0 $(($(hits tick) - t0))
	check_eq "$1, one record: woken $2 time(s)" "$2" \
		"$(grep -c 'sched_wakeup:' $TR/trace)"
	echo 0 >$TR/events/sched/sched_wakeup/enable
	echo 0 >$TR/events/sched/sched_wakeup/filter
	echo >$TR/trace
	echo 1 >$TR/tracing_on
}

at-check >/dev/null
cat $AT_DEV >idle.txt &
rdr=$!
idle_window "cat blocked in read()" $rdr
at-workload --case ebadf >idle.out
n=$(count_expect idle.out)
i=0
while [ "$(wc -l <idle.txt)" -lt "$n" ] && [ $i -lt 20 ]; do
	usleep 50000
	i=$((i + 1))
done
check_eq "cat blocked in read(): the $n record(s) of an accept read within 1 s" \
	"$n" "$(wc -l <idle.txt)"
kicked "cat blocked in read()" 1
kill $rdr
wait $rdr 2>/dev/null
check_text idle.txt idle.out "cat blocked in read(): the record"

at-dev poll 60000 >idle-poll.out 2>idle-poll.err &
poller=$!
i=0
while ! grep -q empty idle-poll.out && [ $i -lt 200 ]; do
	usleep 50000
	i=$((i + 1))
done
check_eq "poll: nothing readable before the idle window" empty \
	"$(head -n 1 idle-poll.out)"
idle_window "at-dev in poll()" $poller
at-workload --case ebadf >/dev/null
i=0
while kill -0 $poller 2>/dev/null && [ $i -lt 20 ]; do
	usleep 50000
	i=$((i + 1))
done
check "at-dev in poll(): back within 1 s of an accept" \
	sh -c "! kill -0 $poller 2>/dev/null"
wait $poller
check_eq "at-dev in poll(): woken by the accept" ready \
	"$(tail -n 1 idle-poll.out)"
kicked "at-dev in poll()" 1
diag <idle-poll.err
at-check >/dev/null
echo 0 >$TR/events/atidle/enable
echo "-:atidle/atidle_kick" >>$TR/kprobe_events
echo "-:atidle/atidle_tick" >>$TR/kprobe_events

unload
echo "$record_cmd" >$TR/options/record-cmd
finish
