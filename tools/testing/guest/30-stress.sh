#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 30-stress: (a) ring overflow: recorded + lost is exact and LOST records
# account for every drop; (b) 200 acceptors blocked at once, more than
# the historical kretprobe maxactive default: nothing missed; (c) an
# unmodified server (socat) under strace: every accept strace saw, we saw,
# with the same fd, flags and result; (d) readers killed mid-stream lose
# nothing they did not receive.
. "$AT_BIN/at-lib.sh"

# ---- (a) overflow: 4 KiB rings, no reader, 200 AF_UNIX accepts ----

load buf_kb=4
at-workload --burst 200 >burst.out
check_eq "burst of 200 accepts ran" 0 $?
rec=$(stat_total recorded)
lost=$(stat_total lost)
echo "# recorded=$rec lost=$lost"
check_eq "loss: recorded + lost = 200" 200 $((rec + lost))
check "loss: 4 KiB rings did overflow" test "$lost" -gt 0
check_eq "loss: per-cpu recorded + lost = 200" 200 \
	$(($(stat_cpu_sum recorded) + $(stat_cpu_sum lost)))
check_eq "loss: hits sys_accept4 = 200" 200 "$(stat_probe sys_accept4 hits)"
check_eq "loss: no inet_accept for AF_UNIX" 0 "$(stat_probe inet_accept hits)"
run_tap -o burst.chk at-check
check_eq "loss: the reader got every recorded event" "$rec" "$(summary_field burst.chk sys_accept4)"
check_eq "loss: LOST records add up to the lost counter" "$lost" "$(summary_field burst.chk lost_events)"

# The same in text: "LOST <n> events on cpu <c>" lines.
lost0=$(stat_total lost)
at-workload --burst 100 >/dev/null
lost1=$(stat_total lost)
at-dev read 65536 >burst.txt
sum=$(awk '/^LOST [0-9]+ events on cpu [0-9]+$/ { s += $2 } END { print s + 0 }' burst.txt)
check_eq "loss: text LOST lines add up to the new drops" $((lost1 - lost0)) "$sum"
check_eq "loss: nothing but accept4 and LOST lines" 0 \
	"$(grep -cvE '^(LOST [0-9]+ events on cpu [0-9]+|[0-9]+\.[0-9]{9} cpu=[0-9]+ .* accept4\(.*)$' burst.txt)"
unload

# ---- (b) 200 blocked acceptors ----

load buf_kb=1024
at-workload --blocked 200 >blocked.out
check_eq "200 threads blocked in accept, then 200 clients" 0 $?
for p in sys_accept4 inet_accept; do
	check_eq "$p: kretprobe_nmissed=0 with 200 blocked" 0 "$(stat_probe $p kretprobe_nmissed)"
	check_eq "$p: nmissed=0 with 200 blocked" 0 "$(stat_probe $p nmissed)"
	check_eq "$p: 200 hits" 200 "$(stat_probe $p hits)"
done
at-check -e blocked.out >blocked.chk
check_eq "every thread's two records match the account" 0 $?
grep -v -e '^ok ' -e '^KTAP version' blocked.chk | head -n 20 | sed "s/^/$AT_IND/"
check_eq "200 sys_accept4 records" 200 "$(summary_field blocked.chk sys_accept4)"
check_eq "200 inet_accept records" 200 "$(summary_field blocked.chk inet_accept)"
unload

# A small maxactive misses exactly the calls beyond it, and says so.
load maxactive=8
at-workload --blocked 16 >missed.out
at-check >missed.chk
for p in sys_accept4 inet_accept; do
	check_eq "maxactive=8, 16 blocked: $p kretprobe_nmissed=8" 8 "$(stat_probe $p kretprobe_nmissed)"
done
check_eq "maxactive=8: 8 sys_accept4 records" 8 "$(summary_field missed.chk sys_accept4)"
check_eq "maxactive=8: 8 inet_accept records" 8 "$(summary_field missed.chk inet_accept)"
unload

# ---- (c) socat under strace ----

load
port=5599
hexport=$(printf '%04X' $port)
strace -f -qq -e trace=accept,accept4 -o strace.out \
	socat TCP-LISTEN:$port,fork,reuseaddr,bind=127.0.0.1 SYSTEM:'echo hi' &
server=$!
i=0
while ! grep -q ":$hexport 00000000:0000 0A" /proc/net/tcp && [ $i -lt 200 ]; do
	usleep 50000
	i=$((i + 1))
done
n=0
for i in 1 2 3 4 5; do
	socat -u OPEN:/dev/null TCP:127.0.0.1:$port && n=$((n + 1))
done
check_eq "5 clients connected to socat" 5 $n
# A client is done once its connection is queued, not once socat took it:
# wait for socat's fifth accept to return before stopping it.
i=0
while [ "$(grep -cE 'accept.* = [0-9]+$' strace.out)" -lt 5 ] && [ $i -lt 200 ]; do
	usleep 50000
	i=$((i + 1))
done
# Stop the server while it waits: strace then sees its last call end.
kill $(pidof socat) 2>/dev/null
wait $server 2>/dev/null
at-dev read 65536 >socat.txt
diag <strace.out

# strace: "PID accept4(5, {...}, [16], SOCK_CLOEXEC) = 6", possibly split
# in "<unfinished ...>" / "<... accept resumed>" halves, or "= ? ERESTARTSYS".
# Both sides become "tid syscall fd flags ret", flags as a number.
awk '
function flags(s,   v) {
	v = 0
	if (s ~ /SOCK_NONBLOCK/) v += 2048
	if (s ~ /SOCK_CLOEXEC/) v += 524288
	return v
}
function emit(l,   f, tid, call, fd, args, n, a, fl, ret, e) {
	split(l, f, " ")
	tid = f[1]; call = f[2]; sub(/\(.*/, "", call)
	fd = f[2]; sub(/^[a-z0-9]*\(/, "", fd); sub(/,.*/, "", fd)
	args = l; sub(/\) = .*/, "", args)
	fl = 0
	if (call == "accept4") { n = split(args, a, ", "); fl = flags(a[n]) }
	ret = l; sub(/.*\) = /, "", ret)
	if (ret ~ /^\? ERESTARTSYS/) ret = -512
	else if (ret ~ /^-1 /) { split(ret, e, " "); ret = e[2] }
	else sub(/ .*/, "", ret)
	print tid, call, fd, fl, ret
}
/ (accept|accept4)\(/ && / <unfinished \.\.\.>$/ {
	part[$1] = $0; sub(/ <unfinished \.\.\.>$/, "", part[$1]); next
}
/<\.\.\. accept4? resumed>/ {
	line = $0; sub(/^[0-9]+ +<\.\.\. accept4? resumed>/, "", line)
	emit(part[$1] line); delete part[$1]; next
}
/ (accept|accept4)\(/ { emit($0) }
# A call a fatal signal ended: the kernel returned -ERESTARTSYS.
END { for (p in part) emit(part[p] ") = ? ERESTARTSYS") }
' strace.out | sort >strace.norm
awk '
function flags(s,   v) {
	v = 0
	if (s ~ /SOCK_NONBLOCK/) v += 2048
	if (s ~ /SOCK_CLOEXEC/) v += 524288
	return v
}
$5 == "comm=socat" && $6 ~ /^accept4?\(/ {
	tid = $4; sub(/tid=/, "", tid)
	call = $6; sub(/\(.*/, "", call)
	fd = $6; sub(/.*fd=/, "", fd); sub(/,$/, "", fd)
	fl = $0; sub(/.*flags=/, "", fl); sub(/\).*/, "", fl)
	ret = $0; sub(/.*\) = /, "", ret); split(ret, r, " ")
	ret = r[1]
	if (ret < 0 && r[2] != "ERESTARTSYS") ret = r[2]
	print tid, call, fd, flags(fl), ret
}' socat.txt | sort >trace.norm
echo "# strace saw:"
diag <strace.norm
check "strace saw socat accept 5 connections" test "$(grep -c ' [0-9]*$' strace.norm)" -ge 5
check "accepttrace saw exactly the accepts strace saw (tid, call, fd, flags, result)" \
	cmp -s strace.norm trace.norm
diff strace.norm trace.norm | diag
unload

# ---- (d) readers killed mid-stream ----

cases=ipv4,ipv6,unix_path,unix_abstract,eagain,ebadf,accept,addrlen_short,restart
load
at-workload --case $cases >kill.out
at-dev binread 3 part1.bin >binread.out
check_eq "binary reader died by SIGKILL after 3+ records" 137 $?
diag <binread.out
run_tap -o kill.chk at-check -e kill.out -r part1.bin
check_eq "killed binary reader + next reader = every record once" \
	"$(count_expect kill.out)" "$(summary_field kill.chk total)"

at-workload --case $cases >killt.out
dd if=$AT_DEV of=part1.txt bs=100 count=3 2>/dev/null
check_eq "dd read 300 bytes" 300 "$(wc -c <part1.txt)"
at-dev read 65536 >part2.txt
cat part1.txt part2.txt >joined.txt
echo "# the join: dd's last bytes, then the next reader's first line:"
tail -c 60 part1.txt | diag
echo
head -n 1 part2.txt | diag
check_text joined.txt killt.out "300 bytes by dd, then the rest"
unload
finish
