#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make test: the unit tests, the jsoncheck tests, the man page checks and
# promtool on the metrics, as one KTAP document (each program a subtest,
# "not ok" if it exits non-zero or prints a "not ok"), counted by
# tools/vm/ktap.awk.  Last line "N passed, N failed": skips and format
# errors count as failed; exits 1 unless 0 failed and some passed.
cd "$(dirname "$0")/.." || exit 1
KTAP=../vm/ktap.awk		# tools/vm/ktap.awk, from tools/accepttrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
{
	echo "KTAP version 1"
	echo "1..4"
	n=0
	for t in ./tests/unit "./tests/jsoncheck-test.sh ./tests/jsoncheck" \
		./tests/mancheck.sh ./tests/promcheck.sh; do
		n=$((n + 1))
		name=${t%% *}
		name=${name##*/}
		$t >"$T/out" 2>&1
		rc=$?
		sed 's/^/  /' "$T/out"
		if [ $rc = 0 ] && ! grep -q '^ *not ok' "$T/out"; then
			echo "ok $n $name"
		else
			echo "not ok $n $name"
		fi
	done
} | tee "$T/log"
# shellcheck disable=SC2046 # the four counts: PASS FAIL SKIP ERRORS
set -- $(awk -f "$KTAP" "$T/log")
if [ $# != 4 ]; then
	echo "# $KTAP did not count the results"
	set -- 0 1 0 0
fi
[ "$3" = 0 ] || echo "# $3 skipped, counted as failed"
[ "$4" = 0 ] || echo "# $4 KTAP format errors, counted as failed"
p=$1 f=$(($2 + $3 + $4))
echo "$p passed, $f failed"
[ "$f" = 0 ] && [ "$p" -gt 0 ]
