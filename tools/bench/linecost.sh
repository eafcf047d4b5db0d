#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# linecost.sh -- "make bench-lines": what formatting one record costs in
# userspace, in instructions, for the tool's JSON line and for the
# module's text line (module/format.c, compiled as the tool has it; in
# the kernel the same code serves `cat /dev/accepttrace`).  Counted by
# valgrind's callgrind on at-linecost.c, a connection's two records
# formatted N times, counting what at_json_line() or at_format_record()
# and their callees execute; the difference between two values of N
# takes out the first calls' misses.  With -p, callgrind_annotate's function list of the
# larger run follows each count.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
TOOL=$ROOT/tools/accepttrace
PROFILE=0
[ "${1:-}" = -p ] && PROFILE=1
command -v valgrind >/dev/null ||
	{ echo "linecost.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
${CC:-gcc} -O2 -std=gnu11 -Wall -Wextra -Werror \
	-I"$ROOT/include" -I"$ROOT/tools/include" -I"$TOOL" \
	-DAT_TOOL_VERSION="\"$(cat "$ROOT/VERSION")\"" -o "$T/at-linecost" \
	at-linecost.c "$TOOL"/{run,stream,dev,out,json,decode,stats,hist,top,metrics}.c \
	"$ROOT/module/format.c"
# ir MODE N: the instructions of one run spent in the formatter,
# at_json_line() or at_format_record(), and what they call
ir() {
	local fn=at_json_line

	[ "$1" = json ] || fn=at_format_record
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.$1.$2" \
		"$T/at-linecost" "$1" "$2" >/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$T/cg.$1.$2" 2>/dev/null |
		awk -v fn=":$fn " 'index($0, fn) { gsub(",", "", $1); print $1; exit }'
}
N1=2000 N2=12000
echo "=== accepttrace line cost: userspace, callgrind, $(gcc -dumpfullversion) -O2"
echo "two records (inet_accept + sys_accept4) of an IPv4 loopback connection, $N1 and $N2 times"
for mode in json text; do
	a=$(ir $mode $N1)
	b=$(ir $mode $N2)
	echo "$mode: $(( (b - a) / (2 * (N2 - N1)) )) instructions per record"
	if [ $PROFILE = 1 ]; then
		callgrind_annotate "$T/cg.$mode.$N2" 2>/dev/null |
			sed -n '/file:function/,/^$/p' | head -n 24
	fi
done
