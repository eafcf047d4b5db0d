#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": load accepttrace, serve and accept a few
# connections over IPv4 and IPv6 loopback, then show what was recorded.

step() { echo; echo "### $*"; }

step "insmod accepttrace.ko"
insmod "$AT_KO" || exit 1
ls -l /dev/accepttrace

step "busybox httpd on 127.0.0.1:8080 and [::1]:8081"
mkdir -p /tmp/www && echo "hello from accepttrace demo" >/tmp/www/index.html
httpd -f -p 127.0.0.1:8080 -h /tmp/www &
h4=$!
httpd -f -p '[::1]:8081' -h /tmp/www &
h6=$!
sleep 1
for i in 1 2 3; do
	wget -q -O - http://127.0.0.1:8080/ >/dev/null && echo "wget #$i over IPv4 ok"
done
wget -q -O - 'http://[::1]:8081/' >/dev/null && echo "wget over IPv6 ok"

step "socat echo server on 127.0.0.1:9000, two nc clients"
socat TCP4-LISTEN:9000,bind=127.0.0.1,reuseaddr,fork EXEC:cat &
s=$!
sleep 1
echo ping | nc -w 1 127.0.0.1 9000
echo pong | nc -w 1 127.0.0.1 9000

# at-workload comes from tools/testing (make -C tools/testing).
if [ -x "$AT_BIN/at-workload" ]; then
	step "accept4(SOCK_NONBLOCK) on an empty queue: fails with EAGAIN"
	"$AT_BIN/at-workload" --case eagain | grep -v '^EXPECT' || true
fi

# The device streams: read what is there, then give up after a moment.
# The servers are still blocked in accept(), so their pending calls do
# not show up yet.
step "cat /dev/accepttrace"
(timeout 3 cat /dev/accepttrace) 2>/dev/null
[ -c /dev/accepttrace ] ||
	echo "(no /dev/accepttrace to read)"

kill $h4 $h6 $s 2>/dev/null
wait 2>/dev/null

step "rmmod accepttrace"
rmmod accepttrace
