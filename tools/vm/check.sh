#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh -- everything "make check" does, in order:
#
#   deps        install missing host packages (root)
#   tools       make -C tools/testing (guest binaries), make -C tools/accepttrace
#               and its host unit tests if it has a "test" target
#   checkpatch  checkpatch.pl --strict over module/ include/ kunit/
#   build       per kernel: W=1 + sparse build, any warning fails
#   guest       per kernel: boot it and run the guest suites
#   dkms        dkms add/build/install/load/remove on the Debian kernels
#   kunit-intree  kunit.py run in a copy of the test kernel's source tree
#               (kunit/run-intree.sh), beside the kernels, niced; its
#               build is cached in $AT_CACHE/kunit-intree/
#   config      the module built W=1 + sparse against Debian's configs of
#               linux-source-6.1/-6.12 with IPv6 off or a module, no netns,
#               kprobes without ftrace, PREEMPT_RT, KUnit as a module
#               (tools/vm/config-matrix.sh), after kunit-intree, niced;
#               the prepared trees are cached in $AT_CACHE/config-matrix/
#
# Narrowing (environment, set by the Makefile):
#   AT_JOBS=2                 kernels worked on at once (see kernels_all)
#   KERNELS="6.1 6.12 6.1-rt 6.12-rt test test-6.1"
#                             kernels to build and boot (tools/vm/kernels.sh
#                             names them); the -rt kernels boot only the
#                             suites in RT_SUITES
#   SUITES="all"              any of: build checkpatch dkms tool kunit-intree config,
#                             and guest suite names or numbers (00-smoke, 00);
#                             "all" runs kunit-intree only when KERNELS has
#                             "test" (its source is the test kernel's)
#
# Prints one PASS/FAIL/SKIP line per suite and ends with
# "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KERNELS=${KERNELS:-6.1 6.12 6.1-rt 6.12-rt test test-6.1}
SUITES=${SUITES:-all}
VM=$AT_ROOT/tools/vm
# What PREEMPT_RT changes under the handlers (timers, irq_work, sleeping
# spinlocks) is exercised by loading, tracing, unloading and bad input;
# the text, tool and bench suites would only repeat the generic kernel.
RT_SUITES="00-smoke 10-module 12-fdrace 70-lifecycle 72-idle 80-hostile 99-kmemleak"

# The debug kernels (KASAN, lockdep, kmemleak) boot every suite but the
# three that exercise user space more than the module: 40-tool (the
# reader tool's output), 45-metrics (the tool against Prometheus) and
# 60-bench-smoke (the benchmark harness).  Under KASAN and TCG 40-tool
# and 60-bench-smoke took 6 and 9 minutes of a debug kernel's 22; the
# module paths they reach (open, read, ioctl, load and unload) are
# exercised by 10-module, 30-stress and 80-hostile on the same kernel.
# 15-compat32 needs 32-bit system calls, which the debug kernels leave
# out (COMPAT, see test-kernel.config): there it would only say N/A, in
# a boot of its own (15-compat32.append).
DEBUG_SKIP="15-compat32 40-tool 45-metrics 60-bench-smoke"

# The guest suites that kernel $1 boots: SUITES; when that is "all",
# narrowed for -rt and debug kernels (a suite named in SUITES runs on
# every kernel named in KERNELS).
kernel_suites() {
	local s
	for s in $(guest_suites "$SUITES"); do
		[ "$SUITES" = all ] || { echo "$s"; continue; }
		case $1 in
		*-rt) [[ " $RT_SUITES " == *" $s "* ]] || continue ;;
		test*) [[ " $DEBUG_SKIP " != *" $s "* ]] || continue ;;
		esac
		echo "$s"
	done
}

# Is host step $1 selected?  Guest suite names select the build step too.
want() {
	[ "$SUITES" = all ] && return 0
	local w
	for w in ${SUITES//,/ }; do
		[ "$w" = "$1" ] && return 0
	done
	[ "$1" = build ] && [ -n "$(guest_suites "$SUITES")" ]
}

# Run a host step, keep its output in the log dir, report one result.
step() {
	local name=$1 log="$LOGDIR/${1//\//_}.log"
	shift
	if "$@" >"$log" 2>&1; then
		report PASS "$name" 1 0 "ok"
	else
		report FAIL "$name" 0 1 "see $log"
		sed 's/^/    | /' "$log" | tail -n 40
		return 1
	fi
}

# Optional components owned by other parts of the tree.
tools_steps() {
	if [ -f "$AT_ROOT/tools/testing/Makefile" ] && [ -n "$(guest_suites "$SUITES")" ]; then
		step testing-bin make -C "$AT_ROOT/tools/testing" || true
	fi
	if [ -f "$AT_ROOT/tools/bench/Makefile" ] && [ -n "$(guest_suites "$SUITES")" ]; then
		step bench-bin make -C "$AT_ROOT/tools/bench" || true
	fi
	[ -f "$AT_ROOT/tools/accepttrace/Makefile" ] || return 0
	# The guest suites use the tool and its JSON comparer too.
	if want tool || [ -n "$(guest_suites "$SUITES")" ]; then
		step tool/build make -C "$AT_ROOT/tools/accepttrace" all tests/jsoncheck || return 0
	fi
	want tool || return 0
	grep -qE '^test:' "$AT_ROOT/tools/accepttrace/Makefile" || return 0
	local log="$LOGDIR/tool_test.log" p=0 f=1 rc=0 counts line='' bad
	make -C "$AT_ROOT/tools/accepttrace" test >"$log" 2>&1 || rc=$?
	# The log's KTAP, counted: PASS FAIL SKIP ERRORS; a skip or a format
	# error fails.  ktap.awk names the errors on stderr: into the log.
	counts=$(awk -f "$VM/ktap.awk" "$log" 2>"$log.ktap") || counts=
	cat "$log.ktap" >>"$log"
	rm -f "$log.ktap"
	if [[ $counts =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+)\ ([0-9]+)$ ]]; then
		p=${BASH_REMATCH[1]}
		f=$((BASH_REMATCH[2] + BASH_REMATCH[3] + BASH_REMATCH[4]))
		line="$p passed, $f failed"
		[ "$f" -eq 0 ] || line+=" (FAIL ${BASH_REMATCH[2]}, SKIP ${BASH_REMATCH[3]}, ERRORS ${BASH_REMATCH[4]})"
	fi
	if [ -n "$line" ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "$rc" -eq 0 ]; then
		report PASS tool/test "$p" 0 "$line"
	else
		[ "$f" -eq 0 ] && f=1
		report FAIL tool/test "$p" "$f" "${line:-no KTAP counted}, make exit status $rc; see $log"
		# the failed results and format errors, else the log's end
		bad=$(grep -E '^ *not ok|^ktap: ' "$log" | head -n 40 || true)
		if [ -n "$bad" ]; then
			printf '%s\n' "$bad" | sed 's/^/    | /'
		else
			tail -n 40 "$log" | sed 's/^/    | /'
		fi
	fi
}

kernel_steps() {
	local name=$1 vars rc=0 KVER KDIR VMLINUZ out suites kunit leak
	[ "${name#test}" != "$name" ] && [ -e "$VM/test-kernel.sh" ] &&
		msg "preparing the '$name' kernel (the first run builds it, which takes a while)"
	# Debian kernels are fetched one at a time (apt and dpkg have locks
	# of their own, but apt-get update fails rather than wait); a debug
	# kernel's build has its own lock in test-kernel.sh.
	if [ "${name#test}" = "$name" ]; then
		vars=$(flock "$LOGDIR/.fetch.lock" "$VM/kernels.sh" "$name" 2>"$LOGDIR/kernel-$name.log") || rc=$?
	else
		vars=$("$VM/kernels.sh" "$name" 2>"$LOGDIR/kernel-$name.log") || rc=$?
	fi
	if [ "$rc" -eq 2 ] && [ "${name#test}" != "$name" ]; then
		echo "NOTE  kernel 'test' not provided yet (tools/vm/test-kernel.sh missing), not counted"
		return 0
	elif [ "$rc" -ne 0 ]; then
		report FAIL "kernel/$name" 0 1 "$(tail -n1 "$LOGDIR/kernel-$name.log")"
		return 0
	fi
	eval "$vars"
	out="$AT_ROOT/build/$KVER"
	want build || return 0
	if ! step "build/$name" env STRICT=1 "$VM/build.sh" "$KDIR" "$out"; then
		return 0
	fi
	# On a kernel with KUnit, the product build still makes the module
	# alone: the KUnit module only when asked for (Kbuild, AT_KUNIT).
	if grep -qs '^CONFIG_KUNIT=[ym]' "$KDIR/include/config/auto.conf"; then
		step "build/$name/product" product_build "$KDIR" "$out-product" || true
	fi
	suites=$(kernel_suites "$name" | paste -sd, -)
	[ -n "$suites" ] || return 0
	kunit="$out/kunit/accepttrace_kunit.ko"
	# The debug kernels' kmemleak control module (see 99-kmemleak).
	leak=$(find "$KDIR/samples/kmemleak" -name 'kmemleak-test.ko' 2>/dev/null | head -n1 || true)
	guarded "guest/$name" env AT_KMEMLEAK_KO="$leak" \
		"$VM/run.sh" -s "$suites" -l "guest/$name" \
		-o "$LOGDIR/guest-$name.console.log" \
		"$VMLINUZ" "$out/module/accepttrace.ko" "$kunit"
}

# product_build KDIR OUT: what "make" builds against KDIR is
# module/accepttrace.ko and nothing else (no kunit/, no other .ko).
product_build() {
	local kos
	AT_KUNIT=0 "$VM/build.sh" "$1" "$2" || return 1
	kos=$(cd "$2" && find . -name '*.ko' ! -path './floor/*' | sort | paste -sd' ')
	echo "built: $kos"
	[ "$kos" = "./module/accepttrace.ko" ]
}

# Run a script that reports its own results; if it fails without having
# reported a failure (it died early: missing program, bad state), count
# one so the failure cannot vanish from the totals.
guarded() {
	local name=$1 before rc=0
	shift
	before=$(grep -c '^FAIL' "$AT_RESULTS" || true)
	"$@" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$(grep -c '^FAIL' "$AT_RESULTS" || true)" = "$before" ]; then
		report FAIL "$name" 0 1 "harness error (rc=$rc), see the message above"
	fi
}

# kunit.py in a kernel tree (kunit/run-intree.sh), as kernel CI runs
# the suites.  The full kunit.py output and the raw KTAP go to the log;
# the result is one line, each KUnit case counting one: passed ones pass,
# failed, crashed, skipped ones and errors fail.  A run that ends without
# kunit.py's "Testing complete." line (no source, configuration or build
# failure, no KTAP) is one failure.  Niced: on a fresh cache its kernel
# build (about 8 CPU minutes) fills the CPU time the guests leave idle
# instead of slowing them down.  panic=-1:
# a kernel that panics reboots, which ends QEMU (-no-reboot) at once
# instead of hanging until kunit.py's timeout.
want_kunit_intree() {
	if [ "$SUITES" = all ]; then
		[[ " $KERNELS " == *" test "* ]]
	else
		want kunit-intree
	fi
}

# The config matrix needs the linux-source trees, as kunit-intree does.
want_config() {
	if [ "$SUITES" = all ]; then
		[[ " $KERNELS " == *" test "* ]] && [[ " $KERNELS " == *" test-6.1 "* ]]
	else
		want config
	fi
}

kunit_intree_step() {
	local name=kunit-intree/x86_64 log="$LOGDIR/kunit-intree.log" rc=0
	local start=$SECONDS line n p=0 f=0 secs
	AT_KUNIT_RAW=1 nice -n 10 "$AT_ROOT/kunit/run-intree.sh" \
		--kernel_args=panic=-1 </dev/null >"$log" 2>&1 || rc=$?
	secs=$((SECONDS - start))
	line=$(sed -n 's/.*Testing complete\. \(Ran [0-9]* tests:.*\)$/\1/p' "$log" | tail -n1)
	for n in passed failed crashed skipped errors; do
		[[ $line =~ $n:\ ([0-9]+) ]] || continue
		if [ "$n" = passed ]; then
			p=${BASH_REMATCH[1]}
		else
			f=$((f + BASH_REMATCH[1]))
		fi
	done
	if [ "$rc" -eq 0 ] && [ -n "$line" ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ]; then
		report PASS "$name" "$p" 0 "$line; ${secs} s"
	else
		[ "$f" -gt 0 ] || f=1
		report FAIL "$name" "$p" "$f" "${line:-no 'Testing complete' line} (rc=$rc, ${secs} s); see $log"
		sed '/^---- raw kernel output/,$d' "$log" | grep -v '\[PASSED\]' |
			tail -n 40 | sed 's/^/    | /' || true
	fi
}

dkms_step() {
	local k list=()
	for k in $KERNELS; do
		case $k in 6.1 | 6.12) list+=("$k") ;; esac
	done
	[ ${#list[@]} -gt 0 ] || return 0
	AT_LOGDIR=$LOGDIR guarded dkms "$VM/dkms-test.sh" "${list[@]}"
}

# Kernels run AT_JOBS (default 2) at a time: a guest leaves the host's
# CPUs idle while its suites wait (single-threaded TCG for 70-lifecycle,
# sleeps everywhere), and a debug kernel's first build runs beside the
# other kernels' guests.  Each kernel's lines go to a file of its own and
# are shown in KERNELS order as soon as that kernel and the ones before
# it are done; so are its results (AT_RESULTS is per kernel meanwhile).
kernels_all() {
	local jobs=${AT_JOBS:-2} k i rc
	local -a ks pids=()
	# Nothing to build or boot (SUITES=checkpatch, SUITES=kunit-intree):
	# no kernel to fetch either.
	want build || return 0
	read -r -a ks <<<"$KERNELS"
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "AT_JOBS=$jobs: not a positive number"
	for k in "${ks[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n || true
		done
		(
			export AT_RESULTS="$LOGDIR/results-$k.tsv"
			: >"$AT_RESULTS"
			kernel_steps "$k"
		) >"$LOGDIR/kernel-$k.out" 2>&1 &
		pids+=($!)
		msg "kernel $k: started, $jobs at a time (its lines follow when it is done)"
	done
	for i in "${!ks[@]}"; do
		k=${ks[$i]}
		rc=0
		wait "${pids[$i]}" || rc=$?
		cat "$LOGDIR/kernel-$k.out"
		cat "$LOGDIR/results-$k.tsv" >>"$AT_RESULTS"
		# Died without saying why (set -e, a missing program): count it.
		if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$LOGDIR/results-$k.tsv"; then
			report FAIL "kernel/$k" 0 1 "harness error (rc=$rc), see the lines above"
		fi
	done
}

summary() {
	local pass fail
	read -r pass fail < <(awk -F'\t' '{ p += $3; f += $4 } END { print p + 0, f + 0 }' "$AT_RESULTS")
	echo
	echo "logs: $LOGDIR"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

main() {
	local k start=$SECONDS kpid rc
	cd "$AT_ROOT"
	if [ "$(id -u)" -eq 0 ]; then
		# Without network but with everything cached, carry on: the steps
		# below say precisely what is missing, if anything.
		"$VM/deps.sh" || msg "package installation failed, continuing with what is installed"
	else
		msg "not root: skipping package installation (make deps); DKMS test will fail"
	fi
	# One check per tree at a time: builds and logs live in build/.
	mkdir -p build
	exec 8>build/.check.lock
	flock -n 8 || { msg "another make check is running in this tree, waiting"; flock 8; }
	LOGDIR="$AT_ROOT/build/logs"
	rm -rf "$LOGDIR"
	mkdir -p "$LOGDIR"
	export AT_RESULTS="$LOGDIR/results.tsv"
	: >"$AT_RESULTS"

	tools_steps
	if want checkpatch; then
		step checkpatch "$VM/checkpatch.sh" || true
	fi
	# Beside everything else, its lines and results shown at the end.
	kpid=
	if want_kunit_intree || want_config; then
		(
			export AT_RESULTS="$LOGDIR/results-kunit-intree.tsv"
			: >"$AT_RESULTS"
			if want_kunit_intree; then
				kunit_intree_step
			fi
			if want_config; then
				AT_LOGDIR=$LOGDIR guarded config \
					nice -n 10 "$VM/config-matrix.sh" || true
			fi
		) >"$LOGDIR/kunit-intree.out" 2>&1 &
		kpid=$!
		msg "kunit-intree and config: started (kernel trees; their lines follow at the end)"
	fi
	# In a subshell: its "jobs" and "wait -n" must not see kunit-intree.
	(kernels_all)
	if want dkms; then
		dkms_step
	fi
	if [ -n "$kpid" ]; then
		rc=0
		wait "$kpid" || rc=$?
		cat "$LOGDIR/kunit-intree.out"
		cat "$LOGDIR/results-kunit-intree.tsv" >>"$AT_RESULTS"
		if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$LOGDIR/results-kunit-intree.tsv"; then
			report FAIL kunit-intree 0 1 "harness error (rc=$rc), see the lines above"
		fi
	fi
	echo
	echo "time: $((SECONDS - start)) s"
	summary
}

main "$@"
