#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of jsoncheck: does it pass what matches and fail the rest?
# Prints KTAP (Documentation/dev-tools/ktap.rst), jsoncheck's own output
# as diagnostics; exits 1 on any failure.
JC=${1:-./tests/jsoncheck}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0
echo "KTAP version 1"
echo "1..6"

rec() {	# probe tid ret [extra json]
	printf '{"seq":1,"pid":10,"tid":%s,"comm":"at-workload","probe":"%s","ret":%s,"errno":null,"kern":false,"listen_port":%s%s}\n' \
		"$2" "$1" "$3" "${4:-null}" "${5:-}"
}

expect_rc() {	# want-rc what
	"$JC" "$T/exp" "$T/json" >"$T/out" 2>&1
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$1" ]; then
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2"
		echo "# exit status $rc, want $1; jsoncheck printed:"
		sed 's/^/#   /' "$T/out"
	fi
}

cat >"$T/exp" <<EOT
# informational
EXPECT case=a probe=sys_accept4 pid=10 tid=11 ret=4 errno=null comm=at-workload
EXPECT case=b probe=sys_accept4 pid=10 tid=11 ret=-11 errno=EAGAIN
EXPECT case=c probe=inet_accept pid=10 tid=12 ret=0 kern=0
EXPECT case=d probe=inet_accept pid=10 listen_port=8080 ret=0 comm=iou-wrk-1
EOT
{
	rec sys_accept4 11 4
	rec sys_accept4 99 4			# another thread: ignored
	rec inet_accept 12 0
	rec sys_accept4 11 -11 null ',"errno2":1'
	rec inet_accept 13 0 8080 | sed 's/at-workload/iou-wrk-1/'
} | sed '4s/"errno":null/"errno":"EAGAIN"/' >"$T/json"
expect_rc 0 "all match"

sed -i '1s/"ret":4/"ret":5/' "$T/json"
expect_rc 1 "a value differs"
sed -i '1s/"ret":5/"ret":4/' "$T/json"

rec sys_accept4 11 4 >>"$T/json"
expect_rc 1 "an extra record"
sed -i '$d' "$T/json"

sed -i '/"tid":12/d' "$T/json"
expect_rc 1 "a missing record"

echo 'EXPECT case=e probe=sys_accept4 pid=10 tid=11 nosuchkey=1' >>"$T/exp"
rec sys_accept4 11 4 >>"$T/json"
expect_rc 1 "a key the record lacks"

echo '{"pid":1,' >"$T/json"
expect_rc 1 "invalid JSON"

[ "$fail" = 0 ]
