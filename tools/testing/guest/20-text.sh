#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 20-text: the text lines of /dev/accepttrace, read by a plain blocking
# cat while the workload runs.  Every record's line is rebuilt from the
# workload's account and must be there exactly once (only timestamp, cpu
# and latency are free); a few lines are also spelled out by hand here,
# as the format documentation gives them.
. "$AT_BIN/at-lib.sh"

# ev CASE PROBE KEY [N]: KEY of the N-th (default 1st) EXPECT line
ev() {
	awk -v c="case=$1" -v p="probe=$2" -v k="$3" -v n="${4:-1}" '
		$2 == c && $3 == p && ++seen == n {
			for (i = 4; i <= NF; i++)
				if (index($i, k "=") == 1) print substr($i, length(k) + 2)
		}' all.out
}

# line DESC REGEX-BODY: exactly one line is "<ts> cpu=N <body> lat=...us"
line() {
	_n=$(grep -cE "^[0-9]+\.[0-9]{9} cpu=[0-9]+ $2 lat=[0-9]+\.[0-9]{3}us\$" all.txt)
	check_eq "$1" 1 "$_n"
	[ "$_n" = 1 ] || echo "# body: $2"
}

load

cat $AT_DEV >all.txt 2>cat.err &
reader=$!
i=0
while [ "$(stat_line reader)" != 1 ] && [ $i -lt 100 ]; do
	usleep 50000
	i=$((i + 1))
done
at-workload >all.out
check_eq "workload ran as the man pages say" 0 $?
# The reader has everything once the rings are empty (a line half
# delivered keeps its record in the ring).
i=0
while [ "$(stat_cpu_sum used)" != 0 ] && [ $i -lt 100 ]; do
	usleep 50000
	i=$((i + 1))
done
usleep 200000
kill $reader
wait $reader 2>/dev/null
diag <cat.err
check_eq "rings drained by cat" 0 "$(stat_cpu_sum used)"

check_text all.txt all.out "cat /dev/accepttrace"
check "every line is complete (ends in a newline)" test "$(tail -c 1 all.txt | od -An -c | tr -d ' ')" = '\n'

pid=$(ev ipv4 sys_accept4 pid)
me="pid=$pid tid=$pid comm=at-workload"

# EAGAIN on an empty non-blocking listener
fd=$(ev eagain sys_accept4 fd)
port=$(ev eagain inet_accept listen_port)
line "EAGAIN: accept4 line" \
	"$me accept4\(fd=$fd, addr=NULL, addrlen=NULL, flags=SOCK_NONBLOCK\) = -11 EAGAIN"
line "EAGAIN: inet_accept line" \
	"$me inet_accept\(listen=127\.0\.0\.1:$port, flags=O_RDWR\|O_NONBLOCK, kern=0\) = -11 EAGAIN qlen=0/28"

# IPv4 success, both probes
fd=$(ev ipv4 sys_accept4 fd)
ret=$(ev ipv4 sys_accept4 ret)
addr=$(ev ipv4 sys_accept4 addr)
q=$(ev ipv4 sys_accept4 local_port)
p=$(ev ipv4 sys_accept4 peer_port)
line "IPv4: accept4 line" \
	"$me accept4\(fd=$fd, addr=$addr, addrlen=16->16, flags=0\) = $ret peer=127\.0\.0\.1:$p local=127\.0\.0\.1:$q"
line "IPv4: inet_accept line" \
	"$me inet_accept\(listen=127\.0\.0\.1:$q, flags=O_RDWR, kern=0\) = 0 peer=127\.0\.0\.1:$p local=127\.0\.0\.1:$q qlen=1/11"

# IPv6 and v4-mapped addresses
q=$(ev ipv6 sys_accept4 local_port)
p=$(ev ipv6 sys_accept4 peer_port)
line "IPv6: inet_accept line" \
	"$me inet_accept\(listen=\[::1\]:$q, flags=O_RDWR, kern=0\) = 0 peer=\[::1\]:$p local=\[::1\]:$q qlen=1/12"
q=$(ev ipv6_mapped sys_accept4 local_port)
p=$(ev ipv6_mapped sys_accept4 peer_port)
line "IPv4 client of [::]: mapped addresses" \
	"$me inet_accept\(listen=\[::\]:$q, flags=O_RDWR, kern=0\) = 0 peer=\[::ffff:127\.0\.0\.1\]:$p local=\[::ffff:127\.0\.0\.1\]:$q qlen=1/13"

# AF_UNIX: unnamed peer, abstract names
fd=$(ev unix_path sys_accept4 fd)
ret=$(ev unix_path sys_accept4 ret)
addr=$(ev unix_path sys_accept4 addr)
line "unix path listener, unnamed client" \
	"$me accept4\(fd=$fd, addr=$addr, addrlen=110->2, flags=0\) = $ret peer=unix:\(unnamed\) local=unix:/tmp/at-wl\.$pid\.unix_path"
fd=$(ev unix_abstract sys_accept4 fd)
ret=$(ev unix_abstract sys_accept4 ret)
line "unix abstract listener and client" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=110->[0-9]+, flags=0\) = $ret peer=unix:@at-wl\.$pid\.unix_abstract\.client local=unix:@at-wl\.$pid\.unix_abstract"

# flags and address lengths
fd=$(ev accept4_both sys_accept4 fd)
line "accept4 flags SOCK_NONBLOCK|SOCK_CLOEXEC" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=128->16, flags=SOCK_NONBLOCK\|SOCK_CLOEXEC\) = [0-9]+ peer=[^ ]+ local=[^ ]+"
fd=$(ev accept4_badflags sys_accept4 fd)
line "accept4 unknown flag bit in hex" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=128->128, flags=SOCK_CLOEXEC\|0x1\) = -22 EINVAL"
fd=$(ev accept4_negflags sys_accept4 fd)
line "accept4 flags=INT_MIN" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=128->128, flags=0x80000000\) = -22 EINVAL"
fd=$(ev accept sys_accept4 fd)
line "plain accept(2) is named accept" \
	"$me accept\(fd=$fd, addr=0x[0-9a-f]+, addrlen=128->16, flags=0\) = [0-9]+ peer=[^ ]+ local=[^ ]+"
# a short buffer: what the caller received follows the addresses
fd=$(ev addrlen_short sys_accept4 fd)
p=$(printf %04x "$(ev addrlen_short sys_accept4 peer_port)")
line "short addrlen: 4->16, the caller got trunc(4/16)" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=4->16, flags=0\) = [0-9]+ peer=127\.0\.0\.1:[0-9]+ local=127\.0\.0\.1:[0-9]+ user=trunc\(4/16\):0200$p"
fd=$(ev addrlen_zero sys_accept4 fd)
line "addrlen 0: 0->16, the caller got nothing" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=0->16, flags=0\) = [0-9]+ peer=127\.0\.0\.1:[0-9]+ local=127\.0\.0\.1:[0-9]+ user=trunc\(0/16\):"
fd=$(ev addrlen_null sys_accept4 fd)
line "addrlen NULL: EFAULT" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=NULL, flags=0\) = -14 EFAULT"
fd=$(ev efault_addrlen sys_accept4 fd)
line "unreadable addrlen: '?'" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=\?, flags=0\) = -14 EFAULT"
fd=$(ev addrlen_negative sys_accept4 fd)
line "negative addrlen: -1->-1 EINVAL" \
	"$me accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=-1->-1, flags=0\) = -22 EINVAL"

# signals: ERESTARTSYS as the kernel returned it
tid=$(ev eintr sys_accept4 tid)
fd=$(ev eintr sys_accept4 fd)
line "signal: ERESTARTSYS in the accept4 line" \
	"pid=$pid tid=$tid comm=at-workload accept4\(fd=$fd, addr=0x[0-9a-f]+, addrlen=128->128, flags=0\) = -512 ERESTARTSYS"

# io_uring worker
port=$(ev uring_async inet_accept listen_port)
line "io_uring worker: comm iou-wrk-<tid>, O_NONBLOCK" \
	"pid=$pid tid=[0-9]+ comm=iou-wrk-$pid inet_accept\(listen=127\.0\.0\.1:$port, flags=O_RDWR\|O_NONBLOCK, kern=0\) = 0 peer=127\.0\.0\.1:[0-9]+ local=127\.0\.0\.1:$port qlen=1/42"

unload
finish
