#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 40-tool: the accepttrace reader tool against the real module.
#
#   - its error messages, for real: module not loaded, not root, device
#     busy, bad option values (exit 2);
#   - JSON of the whole man-page workload equals the workload's EXPECT
#     account field by field (jsoncheck);
#   - every filter lets through exactly what it should, and the module's
#     counters show the rest was filtered, never recorded;
#   - -n/-d, SIGTERM accounting, `| head`;
#   - hist and top against socat servers and the workload print the
#     numbers that traffic produced.
#
# Guest suite conventions (tools/vm/README.md): POSIX sh, AT_KO, AT_BIN, AT_KVER;
# KTAP results (tools/testing/at-lib.sh); non-zero exit on failure.

T=${AT_TOOL:-$AT_BIN/accepttrace}
[ -x "$T" ] || T=$(command -v accepttrace)
JC=$AT_BIN/jsoncheck
WL=$AT_BIN/at-workload
DBG=/sys/kernel/debug/accepttrace
W=$(pwd)
. "$AT_BIN/at-lib.sh"

check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}
# eq DESC GOT WANT
eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1"
		echo "$AT_IND#   got:  '$2'"
		echo "$AT_IND#   want: '$3'"
	fi
}
diag() { sed "s/^/$AT_IND#   /" "$@"; }

# ---- module counters (debugfs stats) ----

total() {	# total recorded|lost|filtered
	awk -v k="$1" '$1 == "total" { for (i = 2; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) print a[2] } }' "$DBG/stats"
}

events() {	# recorded + filtered: every event the probes finished
	echo $(($(total recorded) + $(total filtered)))
}

# Wait until $1 more events than $2 were seen (10 s at most).
wait_events() {
	local i=0
	while [ $(($(events) - $2)) -lt "$1" ] && [ $i -lt 100 ]; do
		usleep 100000
		i=$((i + 1))
	done
	[ $(($(events) - $2)) -ge "$1" ]
}

wait_reader() {	# 1: a reader is attached; 0: none
	local i=0
	while ! grep -q "^reader $1\$" "$DBG/stats" && [ $i -lt 100 ]; do
		usleep 50000
		i=$((i + 1))
	done
	grep -q "^reader $1\$" "$DBG/stats"
}

# Start the tool in the background: out in $W/$1.out, stderr in $1.err.
start_tool() {
	local tname=$1
	shift
	"$T" "$@" >"$W/$tname.out" 2>"$W/$tname.err" &
	tool_pid=$!
	wait_reader 1 || echo "# $tname: the tool did not attach"
}

stop_tool() {	# SIGTERM, then the exit status in $tool_rc
	kill -TERM "$tool_pid"
	wait "$tool_pid"
	tool_rc=$?
	wait_reader 0
}

lines() { wc -l <"$1" | tr -d ' '; }

# ---- 1. without the module ----

rmmod accepttrace 2>/dev/null
"$T" -n 1 >/dev/null 2>"$W/nomod.err"
eq "no module: exit status 1" "$?" 1
eq "no module: message" "$(cat "$W/nomod.err")" \
	"accepttrace: /dev/accepttrace not found — is the module loaded? (sudo insmod accepttrace.ko)"
"$T" stats >/dev/null 2>"$W/nomod-stats.err"
eq "no module: stats exits 1" "$?" 1
check "no module: stats says the module is not loaded" \
	grep -q "not found — is the module loaded" "$W/nomod-stats.err"

usage() {	# usage DESC ARGS...: exit 2 and a message naming the value
	local desc=$1 rc
	shift
	"$T" "$@" >/dev/null 2>"$W/usage.err"
	rc=$?
	if [ $rc = 2 ] && grep -q "Try 'accepttrace --help'" "$W/usage.err"; then
		ok "usage error: $desc"
	else
		notok "usage error: $desc (exit $rc)"
		diag "$W/usage.err"
	fi
}
usage "port 70000" -P 70000
usage "port 0" -P 0
usage "pid -3" -p -3
usage "pid abc" -p abc
usage "unknown family" --family ipx
usage "count 0" -n 0
usage "comm longer than 15 bytes" -c 0123456789abcdef
usage "nine ports" -P 1 -P 2 -P 3 -P 4 -P 5 -P 6 -P 7 -P 8 -P 9
usage "unknown option" --frobnicate
usage "-1 outside top" -1
eq "port 70000 is named" "$("$T" -P 70000 2>&1 | head -n 1)" \
	"accepttrace: invalid port '70000' (1-65535)"
n=$("$T" --help | wc -l)
check "--help fits a screen ($n lines)" test "$n" -le 24

# ---- 2. with the module: not root, busy ----

if ! insmod "$AT_KO"; then
	notok "insmod $AT_KO"
	exit 1
fi
ok "insmod $AT_KO"
# The tool and the module take their version from the same VERSION file.
eq "--version" "$("$T" --version)" \
	"accepttrace $(cat /sys/module/accepttrace/version) (module ABI version 2)"

# nobody must be able to reach the tool: / of the initramfs may be 0700
chmod 755 /
if command -v setpriv >/dev/null && setpriv --help 2>&1 | grep -q reuid; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T" -n 1 \
		>/dev/null 2>"$W/nonroot.err"
	rc=$?
else
	su -s /bin/sh nobody -c "$T -n 1" >/dev/null 2>"$W/nonroot.err"
	rc=$?
fi
eq "not root: exit status 1" "$rc" 1
check "not root: says it needs root" grep -q "needs root" "$W/nonroot.err"
diag "$W/nonroot.err"
su -s /bin/sh nobody -c "$T stats" >/dev/null 2>"$W/nonroot-stats.err"
eq "not root: stats exit status 1" "$?" 1
check "not root: stats says root only" grep -q "readable by root only" "$W/nonroot-stats.err"
diag "$W/nonroot-stats.err"

cat /dev/accepttrace >/dev/null &
cat_pid=$!
wait_reader 1
"$T" -n 1 >/dev/null 2>"$W/busy.err"
eq "busy: exit status 1" "$?" 1
check "busy: says another reader has it" grep -q "busy — another reader has it open" "$W/busy.err"
diag "$W/busy.err"
"$T" stats >"$W/stats-busy.out"
check "stats shows the reader attached" grep -q "reader attached" "$W/stats-busy.out"
kill "$cat_pid"
wait "$cat_pid" 2>/dev/null
wait_reader 0

"$T" stats -j >"$W/stats.json"
eq "stats -j: exit status" "$?" 0
check "stats -j: ABI version and no reader" \
	grep -q '^{"abi_version":2,"enabled":true,"reader":false,' "$W/stats.json"
diag "$W/stats.json"

# ---- 3. the whole workload: JSON against the account ----

if [ -x "$WL" ] && [ -x "$JC" ]; then
	e0=$(events)
	start_tool full -j
	"$WL" >"$W/account" 2>"$W/account.err"
	echo "# at-workload exit status $?"
	want=$(grep -c '^EXPECT ' "$W/account")
	wait_events "$want" "$e0" || echo "# fewer events than EXPECT lines"
	stop_tool
	eq "full workload: tool exit status" "$tool_rc" 0
	eq "full workload: SIGTERM account on stderr" "$(tail -n 1 "$W/full.err")" \
		"accepttrace: $(lines "$W/full.out") events read, 0 lost"
	# jsoncheck's own results are a subtest of this suite
	"$JC" "$W/account" "$W/full.out" >"$W/jsoncheck.out"
	rc=$?
	subtest "full workload: jsoncheck" "$rc" "$W/jsoncheck.out"
	eq "full workload: jsoncheck exit status" "$rc" 0

	# -x: exactly the failed calls of the account
	e0=$(events)
	r0=$(total recorded)
	start_tool errors -j -x
	"$WL" >"$W/account-x" 2>/dev/null
	want=$(grep -c '^EXPECT ' "$W/account-x")
	wait_events "$want" "$e0"
	stop_tool
	grep '^EXPECT ' "$W/account-x" | grep -v ' errno=null' >"$W/account-x.err"
	"$JC" "$W/account-x.err" "$W/errors.out" >"$W/jsoncheck-x.out"
	eq "-x: failed calls match the account (jsoncheck)" "$?" 0
	grep -q '^not ok' "$W/jsoncheck-x.out" && diag "$W/jsoncheck-x.out"
	eq "-x: no successful call printed" \
		"$(grep -c '"errno":null' "$W/errors.out")" 0
	eq "-x: recorded counter grew by the lines printed" \
		$(($(total recorded) - r0)) "$(lines "$W/errors.out")"

	# hist: per listener and per errno, the numbers of the account
	e0=$(events)
	start_tool hist hist
	"$WL" >"$W/account-h" 2>/dev/null
	wait_events "$(grep -c '^EXPECT ' "$W/account-h")" "$e0"
	stop_tool
	eq "hist: exit status" "$tool_rc" 0
	grep '^EXPECT .*probe=inet_accept' "$W/account-h" | awk '
		{ p = "?"; e = "null"
		  for (i = 2; i <= NF; i++) {
			split($i, a, "=")
			if (a[1] == "listen_port") p = a[2]
			if (a[1] == "errno") e = a[2] }
		  if (e == "null") okc[p]++; else bad[p]++; seen[p] = 1 }
		END { for (p in seen)
			printf "listener port %s: %d accepted, %d failed\n",
			       p, okc[p], bad[p] }' | sort >"$W/hist.want"
	grep '^listener port' "$W/hist.out" | sort >"$W/hist.got"
	if cmp -s "$W/hist.want" "$W/hist.got" && [ -s "$W/hist.want" ]; then
		ok "hist: accepted/failed per listening port equal the account"
	else
		notok "hist: accepted/failed per listening port equal the account"
		echo "# want:"; diag "$W/hist.want"; echo "# got:"; diag "$W/hist.out"
	fi
	want=$(grep '^EXPECT .*probe=sys_accept4' "$W/account-h" |
		grep -v ' errno=null' | sed 's/.* errno=\([A-Z0-9_]*\).*/\1/' |
		sort | uniq -c | awk '{ printf " %s=%s", $2, $1 }')
	got=$(grep '^accept(2)/accept4(2) failures:' "$W/hist.out" |
		sed 's/^[^:]*://' | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	want=$(echo "$want" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	eq "hist: accept(2) failures per errno equal the account" "$got" "$want"
else
	notok "at-workload ($WL) and jsoncheck ($JC) are in the guest"
fi

# ---- 4. socat servers: filters, -n/-d, top ----

# Traffic of known shape: 3 connections to an IPv4 server (port 7001),
# 2 to an IPv6 one (7002, comm srv6), 4 to an AF_UNIX one.  Each TCP
# connection is one sys_accept4 and one inet_accept record, each unix
# one a sys_accept4 record: 3*2 + 2*2 + 4 = 14 events.
SOCAT=$(command -v socat)
cp "$SOCAT" "$W/srv6"
"$SOCAT" TCP4-LISTEN:7001,reuseaddr,fork,backlog=7 SYSTEM:true &
s4=$!
"$W/srv6" TCP6-LISTEN:7002,reuseaddr,fork,ipv6only=1,backlog=9 SYSTEM:true &
s6=$!
"$SOCAT" UNIX-LISTEN:"$W/sock",fork SYSTEM:true &
su=$!
listening() {	# port: an IPv4 or IPv6 listener is up
	hex=$(printf '%04X' "$1")
	grep -q ":$hex 0\+:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
i=0
while { [ ! -S "$W/sock" ] || ! listening 7001 || ! listening 7002; } &&
      [ $i -lt 50 ]; do
	usleep 100000
	i=$((i + 1))
done
check "socat servers are listening" listening 7002

traffic() {
	local i
	for i in 1 2 3; do "$SOCAT" -u OPEN:/dev/null TCP4:127.0.0.1:7001; done
	for i in 1 2; do "$SOCAT" -u OPEN:/dev/null TCP6:[::1]:7002; done
	for i in 1 2 3 4; do "$SOCAT" -u OPEN:/dev/null UNIX-CONNECT:"$W/sock"; done
}
NEV=14

# filter NAME WANT-LINES GREP-EACH-LINE-MUST-MATCH TOOL-ARGS...
filter() {
	local name=$1 want=$2 pat=$3 e0 r0 f0 out
	shift 3
	e0=$(events)
	r0=$(total recorded)
	f0=$(total filtered)
	start_tool "f-$name" -j "$@"
	traffic
	wait_events $NEV "$e0" || echo "# $name: fewer than $NEV events"
	stop_tool
	out="$W/f-$name.out"
	eq "filter $name: $want records" "$(lines "$out")" "$want"
	eq "filter $name: every record matches" \
		"$(grep -v -c -e "$pat" "$out")" 0
	eq "filter $name: recorded counter +$want" \
		$(($(total recorded) - r0)) "$want"
	eq "filter $name: filtered counter +$((NEV - want))" \
		$(($(total filtered) - f0)) $((NEV - want))
	eq "filter $name: tool's account" "$(tail -n 1 "$W/f-$name.err")" \
		"accepttrace: $want events read, 0 lost"
}

filter none 14 '"comm":"s' 
filter port 6 '"l[a-z]*_port":7001' -P 7001
filter ports 10 '"l[a-z]*_port":700[12]' -P 7001 --port 7002
filter ipv4 6 '"family":"AF_INET"' -4
filter ipv6 4 '"family":"AF_INET6"' -6
filter unix 4 '"family":"AF_UNIX"' --unix
filter family 8 '"family":"AF_INET6\|"family":"AF_UNIX"' --family inet6 --family unix
filter pid 4 "\"pid\":$s6," -p "$s6"
filter tid 6 "\"tid\":$s4," --tid "$s4"
filter comm 4 '"comm":"srv6"' -c srv6
filter errors 0 'never' -x
netns=$(readlink /proc/self/ns/net | tr -dc 0-9)
filter netns 14 "\"netns\":$netns," --netns "$netns"
filter other-netns 0 'never' --netns 1
filter pid-and-port 0 'never' -p "$s6" -P 7001

# -n and -d: the records wait in the module until read
e0=$(events)
traffic
wait_events $NEV "$e0"
"$T" -n 5 >"$W/n5.out" 2>"$W/n5.err"
eq "-n 5: exit status" "$?" 0
eq "-n 5: five lines" "$(lines "$W/n5.out")" 5
check "-n 5: the module's text format" \
	grep -q '^[0-9]*\.[0-9]\{9\} cpu=[0-9]* pid=[0-9]* tid=[0-9]* comm=' "$W/n5.out"
"$T" -t -d 1 >"$W/d1.out" 2>"$W/d1.err"
eq "-d 1: exit status" "$?" 0
eq "-d 1: the other nine" "$(lines "$W/d1.out")" 9
eq "-d 1: account" "$(cat "$W/d1.err")" "accepttrace: 9 events read, 0 lost"
# recorded before the tool started: negative seconds since its start
eq "-t: nine lines stamped before the start" \
	"$(grep -c '^-[0-9]*\.[0-9]\{6\} cpu=' "$W/d1.out")" 9
e0=$(events)
traffic
wait_events $NEV "$e0"
"$T" -T -d 0.5 >"$W/wall.out" 2>/dev/null
eq "-T: $NEV lines of wall-clock time" \
	"$(grep -c '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]\{6\} cpu=' "$W/wall.out")" $NEV

# | head: a closed stdout is a quiet exit 0.  `true` has exited before
# the tool starts, so its first write fails, every time.
e0=$(events)
traffic
wait_events $NEV "$e0"
{ usleep 500000; "$T" -d 1 2>"$W/head.err"; echo $? >"$W/head.rc"; } | true
eq "| head: exit status 0" "$(cat "$W/head.rc")" 0
eq "| head: nothing on stderr" "$(cat "$W/head.err")" ""
"$T" -d 0.5 >/dev/null 2>&1

row() {	# FILE LISTENER COMM -> "ACCEPTS ERRORS QLEN QMAX"
	awk -v l="$2" -v c="$3" '$1 == l && $3 == c { print $4, $6, $9 }' "$1"
}
# top_rows FILE DESC: the rows of FILE against the traffic
top_rows() {
	# qlen depends on when the server gets to accept(): not asserted
	eq "$2: IPv4 listener: accepts, errors, qmax" \
		"$(row "$1" 0.0.0.0:7001 socat)" "3 0 7"
	eq "$2: IPv6 listener: accepts, errors, qmax" \
		"$(row "$1" '[::]:7002' srv6)" "2 0 9"
	eq "$2: unix listener: accepts, errors, no queue" \
		"$(row "$1" "unix:$W/sock" socat)" "4 0 -"
	diag "$1"
}

# top -1 -i 1: the traffic has finished and its records wait in the
# module; the table at the end of the second counts all of them.
e0=$(events)
traffic
wait_events $NEV "$e0" || echo "# top -1: fewer than $NEV events"
"$T" top -1 -i 1 >"$W/top.out" 2>"$W/top.err"
eq "top -1 -i 1: exit status" "$?" 0
top_rows "$W/top.out" "top -1"

# top -1 reading while the traffic runs: once every event is in the
# module's counters, SIGTERM ends it with the one table, drained first.
e0=$(events)
start_tool top-live top -1 -i 600
traffic
wait_events $NEV "$e0" || echo "# top -1 live: fewer than $NEV events"
stop_tool
eq "top -1 live: exit status after SIGTERM" "$tool_rc" 0
top_rows "$W/top-live.out" "top -1 live"

kill "$s4" "$s6" "$su" 2>/dev/null
wait 2>/dev/null
check "rmmod accepttrace" rmmod accepttrace
exit $AT_FAILED
