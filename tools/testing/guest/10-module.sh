#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 10-module: module parameters; the order of load and unload; the whole
# workload checked record by record; /dev/accepttrace semantics (one
# reader, rmmod while open, O_NONBLOCK, short text and binary reads,
# poll, two threads blocked in read);
# debugfs enable, filter and exact stats counters.
. "$AT_BIN/at-lib.sh"

# ---- parameters ----

bad_param buf_kb=3 buf_kb
bad_param buf_kb=100 buf_kb
bad_param buf_kb=2 buf_kb
bad_param buf_kb=131072 buf_kb
bad_param maxactive=0 maxactive
bad_param enabled=maybe enabled

# The .modinfo section: every parameter has a description.
tr '\0' '\n' <"$AT_KO" | grep '^parm=' >parms
diag <parms
for p in buf_kb maxactive enabled; do
	check "parameter $p has a description" grep -qE "^parm=$p:.{8,}" parms
done

load buf_kb=4 maxactive=7 enabled=0
check_eq "stats: buf_bytes for buf_kb=4" 4096 "$(stat_line buf_bytes)"
check_eq "stats: maxactive=7" 7 "$(stat_line maxactive)"
check_eq "stats: enabled=0" 0 "$(stat_line enabled)"
check_eq "debugfs enable reads 0" 0 "$(cat $AT_DBG/enable)"
at-workload --case ipv4 >off.out
at-check >off.chk
check_eq "enabled=0: no records" 0 "$(summary_field off.chk total)"
check_eq "enabled=0: stats total recorded" 0 "$(stat_total recorded)"
unload

# ---- load and unload order ----

# kprobe events on the module's own steps (registered when it comes, so
# they see its init) record the order they run in: the device and
# debugfs appear only once the probes are in place, and go before the
# probes go.  A reader could otherwise open the device during a load
# that then fails, and be left with freed memory.
#
# With record-cmd off: otherwise enabling the first event and disabling
# the last register and unregister the sched_switch probe that records
# command names, which patches a jump label in __schedule() while both
# vCPUs run through it.  QEMU 7.2's multi-threaded TCG can then go on
# executing the int3 of the patch after the kernel has put the nop back
# (see 70-lifecycle.accel): on 6.1-rt this hung the guest at
# __schedule+0x1d3 in one CI run, and toggling any event does it with
# no module loaded.  Events on the module's own functions patch only
# its text, which runs on the CPU that loads or unloads it.
TR=/sys/kernel/tracing
steps="at_probes_register at_debugfs_init at_chardev_init at_chardev_exit at_debugfs_exit at_probes_unregister"
record_cmd=$(cat $TR/options/record-cmd)
echo 0 >$TR/options/record-cmd
echo 0 >$TR/tracing_on
echo global >$TR/trace_clock
echo >$TR/trace
for f in $steps; do
	echo "p:atorder/$f accepttrace:$f" >>$TR/kprobe_events ||
		notok "kprobe event on accepttrace:$f"
done
echo 1 >$TR/events/atorder/enable
echo 1 >$TR/tracing_on
load
unload
echo 0 >$TR/tracing_on
order=$(sed -n 's/^.* \(at_[a-z_]*\): (.*$/\1/p' $TR/trace | tr '\n' ' ')
check_eq "load: probes, debugfs, device; unload: device, debugfs, probes" \
	"$steps " "$order"
echo 0 >$TR/events/atorder/enable
for f in $steps; do
	echo "-:atorder/$f" >>$TR/kprobe_events
done
check "the order's kprobe events are gone" \
	sh -c "! grep -q atorder $TR/kprobe_events"
echo >$TR/trace
echo local >$TR/trace_clock
echo "$record_cmd" >$TR/options/record-cmd
echo 1 >$TR/tracing_on

# ---- a controlled run: exact counters ----

load
check_eq "stats: abi_version" 2 "$(stat_line abi_version)"
check_eq "stats: enabled" 1 "$(stat_line enabled)"
check_eq "stats: reader" 0 "$(stat_line reader)"
check_eq "stats: maxactive default" 1024 "$(stat_line maxactive)"
check_eq "stats: buf_bytes default" 262144 "$(stat_line buf_bytes)"
check_eq "stats: filter" none "$(stat_line filter)"
check_eq "stats: sys_accept4 probe active" "active=1" \
	"active=$(stat_probe sys_accept4 active)"
check_eq "stats: inet_accept probe active" "active=1" \
	"active=$(stat_probe inet_accept active)"
check_eq "ABI version over ioctl" 2 "$(at-dev abi)"

at-workload --case ipv4,unix_path,eagain,ebadf >ctl.out
check "controlled workload ran" test $? -eq 0
check_eq "hits sys_accept4 after 4 calls" 4 "$(stat_probe sys_accept4 hits)"
check_eq "hits inet_accept after 2 TCP calls" 2 "$(stat_probe inet_accept hits)"
check_eq "total recorded = 6" 6 "$(stat_total recorded)"
check_eq "per-cpu recorded sum = 6" 6 "$(stat_cpu_sum recorded)"
check_eq "total lost = 0" 0 "$(stat_total lost)"
check_eq "total filtered = 0" 0 "$(stat_total filtered)"
check "rings hold the records (used > 0)" test "$(stat_cpu_sum used)" -gt 0
run_tap -o ctl.chk at-check -e ctl.out
check_eq "rings are empty after the read" 0 "$(stat_cpu_sum used)"

# ---- the whole workload ----

at-workload >all.out
rc=$?
check_eq "workload: every case ran as the man pages say" 0 $rc
grep -v '^EXPECT' all.out | grep FAILED | diag
nexp=$(count_expect all.out)
nsys=$(count_expect all.out sys_accept4)
ninet=$(count_expect all.out inet_accept)
nuring=$(count_expect all.out uring_accept)
echo "# $nexp records expected: $nsys sys_accept4, $ninet inet_accept, $nuring uring_accept"
check "workload: io_uring accepts expected" test "$nuring" -gt 0
check_eq "total recorded = 6 + $nexp" $((6 + nexp)) "$(stat_total recorded)"
check_eq "hits sys_accept4 = 4 + $nsys" $((4 + nsys)) "$(stat_probe sys_accept4 hits)"
check_eq "hits inet_accept = 2 + $ninet" $((2 + ninet)) "$(stat_probe inet_accept hits)"
# do_accept's hits are io_uring's accepts: one under __sys_accept4 is
# part of that call's event.
check_eq "hits do_accept = $nuring (io_uring accepts)" "$nuring" "$(stat_probe do_accept hits)"
check_eq "io_accept probed" 1 "$(stat_probe io_accept active)"
for p in sys_accept4 inet_accept do_accept io_accept; do
	check_eq "$p nmissed=0" 0 "$(stat_probe $p nmissed)"
	check_eq "$p kretprobe_nmissed=0" 0 "$(stat_probe $p kretprobe_nmissed)"
done
run_tap -o all.chk at-check -e all.out
check_eq "records read = records expected" "$nexp" "$(summary_field all.chk total)"

# ---- one reader at a time ----

sleep 600 <$AT_DEV &
holder=$!
i=0
while [ "$(stat_line reader)" != 1 ] && [ $i -lt 100 ]; do
	usleep 50000
	i=$((i + 1))
done
check_eq "stats: reader 1 while the device is held" 1 "$(stat_line reader)"
check_eq "second open: EBUSY" "open EBUSY" "$(at-dev read-nonblock)"
if cat $AT_DEV >cat.out 2>cat.err; then
	notok "cat of a held device fails"
else
	check "cat of a held device fails with EBUSY" grep -q "busy" cat.err
fi
rmmod accepttrace 2>rmmod.err
check "rmmod while a reader holds the device fails" loaded
diag <rmmod.err
at-workload --case accept4_nonblock >held.out
kill $holder
wait $holder 2>/dev/null
check_eq "stats: reader 0 once the holder is gone" 0 "$(stat_line reader)"
run_tap at-check -e held.out

# ---- reads ----

check_eq "O_NONBLOCK read of an empty device: EAGAIN" EAGAIN "$(at-dev read-nonblock)"

at-dev poll 60000 >poll.out 2>poll.err &
poller=$!
i=0
while ! grep -q empty poll.out && [ $i -lt 200 ]; do
	usleep 50000
	i=$((i + 1))
done
check_eq "poll: nothing readable before the accept" empty "$(head -n 1 poll.out)"
at-workload --case ebadf >/dev/null
wait $poller
check_eq "poll: woken by the accept" ready "$(tail -n 1 poll.out)"
diag <poll.err
at-check >/dev/null

# Two threads of one process blocked in read() on the same open file:
# every accept wakes whoever still waits (at-dev read-threads).
check_eq "two threads blocked in read() on one file are both woken" \
	"read-threads 5 rounds 20 records" "$(at-dev read-threads 5)"

# A record is as long as its addresses (record ABI 2): the EAGAIN
# inet_accept record is 88 bytes, its IPv4 listener (24) and two empty
# addresses (8 each); the EBADF sys_accept4 record 104 and three empty
# addresses.
at-workload --case eagain >small.out
check_eq "binary read into 32 bytes: EINVAL, the record stays" \
	"EINVAL, then type 2 size 128" "$(at-dev binread-small 32)"
at-check >/dev/null
at-workload --case ebadf >small.out
check_eq "binary read one byte short: EINVAL, the record stays" \
	"EINVAL, then type 1 size 128" "$(at-dev binread-small 127)"
at-check >/dev/null

cases=eagain,ebadf,enotsock,accept4_badflags,ipv4,ipv6,unix_abstract,addrlen_short,uring_pending,uring_unix,uring_multishot
at-workload --case $cases >bs1.out
at-dev read 1 >bs1.txt
check_text bs1.txt bs1.out "text read 1 byte at a time"
at-workload --case $cases >bs64k.out
at-dev read 65536 >bs64k.txt
check_text bs64k.txt bs64k.out "text read 64 KiB at a time"
# Same cases, same lines but for what differs between runs (the
# caller's bytes of a truncated address hold the peer's port).
mask='s/^[0-9.]* cpu=[0-9]* //; s/ lat=[0-9.]*us$//; s/0x[0-9a-f]\{6,\}/P/g; s/\( user=trunc([0-9]*\/[0-9]*):\)[0-9a-f]*/\1H/; s/[0-9]\{3,\}/N/g'
sed "$mask" bs1.txt >bs1.masked
sed "$mask" bs64k.txt >bs64k.masked
check "1-byte and 64 KiB reads give the same lines" cmp -s bs1.masked bs64k.masked

# ---- debugfs enable ----

echo 0 >$AT_DBG/enable
check_eq "enable reads 0 after writing 0" 0 "$(cat $AT_DBG/enable)"
before=$(stat_total recorded)
at-workload --case ipv4 >/dev/null
check_eq "enable=0: nothing recorded" "$before" "$(stat_total recorded)"
for v in 2 abc "" 01x; do
	if echo "$v" >$AT_DBG/enable 2>/dev/null; then
		notok "enable: writing '$v' fails with EINVAL"
	else
		ok "enable: writing '$v' fails with EINVAL"
	fi
	check_eq "enable still 0 after '$v'" 0 "$(cat $AT_DBG/enable)"
done
echo 1 >$AT_DBG/enable
check_eq "enable reads 1 after writing 1" 1 "$(cat $AT_DBG/enable)"
at-check >enable.chk
check_eq "enable=0: the reader finds nothing" 0 "$(summary_field enable.chk total)"

# ---- debugfs filter ----

for v in "pid=abc" "bogus" "port=70000" "family=ipx" "pid=" "comm=" \
	"pid=1 pid=2 pid=3 pid=4 pid=5 pid=6 pid=7 pid=8 pid=9"; do
	if echo "$v" >$AT_DBG/filter 2>/dev/null; then
		notok "filter: '$v' fails with EINVAL"
	else
		ok "filter: '$v' fails with EINVAL"
	fi
	check_eq "filter still none after '$v'" none "$(cat $AT_DBG/filter)"
done
echo "errors" >$AT_DBG/filter
check_eq "filter reads back 'errors'" errors "$(cat $AT_DBG/filter)"
f0=$(stat_total filtered)
r0=$(stat_total recorded)
at-workload --case ipv4,eagain >filt.out
check_eq "filter errors: the 2 records of a success filtered" $((f0 + 2)) "$(stat_total filtered)"
check_eq "filter errors: the 2 records of EAGAIN recorded" $((r0 + 2)) "$(stat_total recorded)"
grep '^EXPECT case=eagain ' filt.out >filt.eagain
run_tap -o filt.chk at-check -e filt.eagain
check_eq "filter errors: only the failures were read" 2 "$(summary_field filt.chk total)"
check_eq "filter cleared when the reader closed" none "$(cat $AT_DBG/filter)"
# A comm set over the ioctl is printed in debugfs `filter` and `stats`:
# a newline or a space in it would forge lines there.  Refused, and the
# filter stays as it was.
nl=$(printf 'x\nprobe forged')
check_eq "ioctl: comm with a newline is refused, nothing changes" \
	"SET_FILTER EINVAL; filter none\x0a; probe lines 4" "$(at-dev set-comm "$nl")"
check_eq "ioctl: comm with a space is refused, nothing changes" \
	"SET_FILTER EINVAL; filter none\x0a; probe lines 4" "$(at-dev set-comm "a b")"
check_eq "ioctl: comm with a tab is refused, nothing changes" \
	"SET_FILTER EINVAL; filter none\x0a; probe lines 4" "$(at-dev set-comm "$(printf 'a\tb')")"
check_eq "ioctl: a printable comm is set" \
	"SET_FILTER ok; filter comm=srv-1.x\x0a; probe lines 4" "$(at-dev set-comm srv-1.x)"
check_eq "filter cleared when at-dev closed" none "$(cat $AT_DBG/filter)"
if printf 'comm=a\001b' >$AT_DBG/filter 2>/dev/null; then
	notok "filter: a control byte in comm fails with EINVAL"
else
	ok "filter: a control byte in comm fails with EINVAL"
fi
check_eq "filter still none after a control byte in comm" none "$(cat $AT_DBG/filter)"
echo "comm=nobody port=1" >$AT_DBG/filter
check_eq "filter reads back comm and port" "comm=nobody port=1" "$(cat $AT_DBG/filter)"
echo clear >$AT_DBG/filter
check_eq "filter 'clear'" none "$(cat $AT_DBG/filter)"

unload
finish
