#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make test: the unit tests, the jsoncheck tests, the man page checks and
# promtool on the metrics, one total at the end: "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
p=0 f=0
for t in ./tests/unit "./tests/jsoncheck-test.sh ./tests/jsoncheck" \
	./tests/mancheck.sh ./tests/promcheck.sh; do
	out=$($t)
	printf '%s\n' "$out" | sed '$d'
	last=$(printf '%s\n' "$out" | tail -n 1)
	case $last in
	*" passed, "*" failed")
		set -- $last
		p=$((p + $1)) f=$((f + $3)) ;;
	*)	echo "FAIL: $t did not finish: $last"; f=$((f + 1)) ;;
	esac
done
echo "$p passed, $f failed"
[ "$f" = 0 ]
