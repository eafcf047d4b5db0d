#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The metrics against the real parser (make test runs this): the unit
# tests' exposition (tests/unit --metrics-sample: every metric, an
# AF_UNIX name with a quote, a backslash, a newline and a byte that is
# not UTF-8) passes `promtool check metrics`, Debian's prometheus package
# (tools/vm/deps.sh installs it), parse and lint; and promtool does fail
# the mistakes the escaping is there to avoid.
#
# Prints KTAP (Documentation/dev-tools/ktap.rst); exits 1 on any failure
# or skip.
cd "$(dirname "$0")/.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0
echo "KTAP version 1"

ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
# diag: standard input as diagnostic lines
diag() { sed 's/^/#   /'; }

# promtool_says DESC WANT-STATUS FILE: promtool check metrics < FILE
promtool_says() {
	promtool check metrics <"$3" >"$T/out" 2>&1
	rc=$?
	if { [ "$2" = 0 ] && [ $rc = 0 ]; } || { [ "$2" != 0 ] && [ $rc != 0 ]; }; then
		ok "$1"
	else
		notok "$1"
		echo "# promtool check metrics exit status $rc"
		diag <"$T/out"
	fi
}

if ! command -v promtool >/dev/null 2>&1; then
	echo "1..1"
	ok "promtool check metrics # SKIP promtool is not installed" \
		"(tools/vm/deps.sh installs prometheus)"
	exit 1
fi
echo "1..10"
if ./tests/unit --metrics-sample "$T/sample.prom" >"$T/unit.out" &&
   [ -s "$T/sample.prom" ]; then
	ok "tests/unit --metrics-sample writes an exposition"
else
	notok "tests/unit --metrics-sample writes an exposition"
	grep -e '^ *not ok' -e '^#' "$T/unit.out" | diag
fi
promtool_says "the unit tests' exposition passes" 0 "$T/sample.prom"

# The same file with one escape undone must fail: promtool is the judge.
sed 's/\\"b\\"/"b"/' "$T/sample.prom" >"$T/quote.prom"
promtool_says "self-test: an unescaped double quote fails" 1 "$T/quote.prom"
sed 's/d\\\\xff"/d\xff"/' "$T/sample.prom" >"$T/utf8.prom"
promtool_says "self-test: a byte that is not UTF-8 fails" 1 "$T/utf8.prom"
sed 's/d\\\\xff"/d\\xff"/' "$T/sample.prom" >"$T/esc.prom"
promtool_says "self-test: \\x as an escape fails" 1 "$T/esc.prom"
sed 's/^accepttrace_accepts_total/accepttrace_accepts/; s/^# \(HELP\|TYPE\) accepttrace_accepts_total/# \1 accepttrace_accepts/' \
	"$T/sample.prom" >"$T/lint.prom"
promtool_says "self-test: a counter without _total fails" 1 "$T/lint.prom"
for f in quote utf8 esc lint; do
	if cmp -s "$T/sample.prom" "$T/$f.prom"; then
		notok "self-test $f: the sed changed the file"
	else
		ok "self-test $f: the sed changed the file"
	fi
done

[ "$fail" = 0 ]
