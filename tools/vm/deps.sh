#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the host packages the build and test harness needs (Debian 12).
# Idempotent and quick when everything is already there, so every harness
# entry point (make check, make demo, make vm-shell) can call it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# building modules and the tools
	make gcc libc6-dev bc flex bison libelf-dev libssl-dev dwarves kmod
	sparse perl rsync liburing-dev
	# static i386 and x32 guest programs (gcc -m32, -mx32: at-compat32)
	gcc-multilib
	# kunit.py (make check's kunit-intree step)
	python3
	# the default 6.1 kernel headers (the 6.12 ones are resolved by kernels.sh)
	linux-headers-amd64
	# booting test guests
	qemu-system-x86 busybox-static cpio xz-utils zstd
	# programs copied into the guest
	strace socat bash
	# the man pages' lint and option check (make -C tools/accepttrace test)
	mandoc
	# promtool for the metrics (make -C tools/accepttrace test), and
	# promtool, node_exporter and Prometheus in the guest (45-metrics)
	prometheus prometheus-node-exporter
	# the benchmark's bpftrace and bcc arms (60-bench-smoke, make bench):
	# bpftrace, its tcpaccept.bt and bcc's tcpaccept, copied into the
	# guest with their libraries
	bpftrace bpfcc-tools
	# DKMS test and checkpatch source
	dkms linux-source-6.12
	# misc: flock/timeout come from util-linux/coreutils (essential)
)

main() {
	apt_install "${PACKAGES[@]}" ||
		die "could not install the harness packages (see apt output above); install them by hand: apt-get install ${PACKAGES[*]}"
}

main "$@"
