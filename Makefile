# SPDX-License-Identifier: GPL-2.0
#
# accepttrace -- top-level Makefile.  The module itself is built by kbuild
# through ./Kbuild; everything here is a thin wrapper.  See "make help".

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
VERSION := $(shell cat VERSION)

# Harness knobs (see tools/vm/README.md): which kernels and suites make check runs.
KERNELS ?= 6.1 6.12 6.1-rt 6.12-rt test test-6.1
SUITES ?= all
# make vm-shell / make demo boot this one.
KERNEL ?= 6.12
# make bench / make bench-icount measure this one; tools/bench/README.md's numbers
# are from Debian 6.1.
BENCH_KERNEL ?= 6.1

# Our own command-line variables must not leak into kbuild's sub-make
# (KERNELRELEASE in particular means something to kbuild).
MAKEOVERRIDES := $(filter-out KERNELRELEASE=% KDIR=% KERNELS=% SUITES=% KERNEL=% BENCH_KERNEL=% STRESS_KERNELS=% STRESS_CYCLES=%,$(MAKEOVERRIDES))

VM := tools/vm
export KERNELS SUITES

.PHONY: all modules clean install load unload deps check checkpatch \
	vm-shell demo dkms-test help kdir-check

all: modules

# $(error) in a recipe fires only when the target is built: one line, no
# wall of kbuild errors.
kdir-check:
	$(if $(wildcard $(KDIR)/Makefile),,$(error accepttrace: KDIR=$(KDIR) has no Makefile — install linux-headers-$(KERNELRELEASE) or pass KDIR=/path/to/build))

modules: kdir-check
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

# kunit/accepttrace_kunit.ko beside the module (plain "make" builds the
# module alone); a kernel without KUnit gets one line.
.PHONY: kunit kunit-intree
kunit: kdir-check
	$(if $(shell grep -s '^CONFIG_KUNIT=[ym]' "$(KDIR)/include/config/auto.conf"),,$(error accepttrace: the kernel in KDIR=$(KDIR) has no KUnit (CONFIG_KUNIT is not set) — build against a KUnit kernel, e.g. the KDIR tools/vm/test-kernel.sh prints; see README "KUnit"))
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" AT_KUNIT=1 modules

# The suites inside a kernel tree with kunit.py, as make check's
# kunit-intree step runs them (the first build is slow, later ones are
# incremental; cached in $(AT_CACHE)/kunit-intree/).
kunit-intree:
	@kunit/run-intree.sh

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	$(MAKE) -C tools/accepttrace clean
	rm -rf build

# The reader tool, tools/accepttrace/accepttrace.
.PHONY: tools
tools:
	$(MAKE) -C tools/accepttrace

# The module, the tool ($(PREFIX)/sbin) and both man pages: accepttrace(4)
# here, accepttrace(8) with the tool.  DKMS installs the module only.
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
INSTALL ?= install

install: modules tools install-man
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install
	depmod -a "$(KERNELRELEASE)"
	$(MAKE) -C tools/accepttrace install

# The two pages alone (no kernel headers needed): for a DKMS install.
.PHONY: install-man
install-man:
	$(INSTALL) -d "$(DESTDIR)$(MANDIR)/man4"
	$(INSTALL) -m 0644 module/accepttrace.4 "$(DESTDIR)$(MANDIR)/man4/accepttrace.4"
	$(MAKE) -C tools/accepttrace install-man

load: modules
	insmod module/accepttrace.ko

unload:
	rmmod accepttrace

deps:
	@$(VM)/deps.sh

check:
	@$(VM)/check.sh

checkpatch:
	@$(VM)/checkpatch.sh

dkms-test: deps
	@$(VM)/dkms-test.sh $(filter 6.1 6.12,$(KERNELS))

# Boot $(KERNEL) with the module built for it and an interactive shell.
vm-shell: deps
	@eval "$$($(VM)/kernels.sh $(KERNEL))" && \
	  $(VM)/build.sh "$$KDIR" "build/shell/$$KVER" && \
	  { [ ! -f tools/testing/Makefile ] || $(MAKE) -s -C tools/testing; } && \
	  $(VM)/run.sh -m shell "$$VMLINUZ" "build/shell/$$KVER/module/accepttrace.ko" \
	    "build/shell/$$KVER/kunit/accepttrace_kunit.ko"

# Boot $(KERNEL), run a few servers and clients, show /dev/accepttrace.
demo: deps
	@eval "$$($(VM)/kernels.sh $(KERNEL))" && \
	  $(VM)/build.sh "$$KDIR" "build/demo/$$KVER" && \
	  { [ ! -f tools/testing/Makefile ] || $(MAKE) -s -C tools/testing; } && \
	  $(VM)/run.sh -m demo -o build/demo/console.log "$$VMLINUZ" \
	    "build/demo/$$KVER/module/accepttrace.ko"

# Thousands of load/unload cycles under accept churn (the lifecycle
# suite, longer): STRESS_CYCLES per kernel, on STRESS_KERNELS.
STRESS_KERNELS ?= 6.1 6.12
STRESS_CYCLES ?= 2000
.PHONY: stress
stress: deps
	@STRESS_CYCLES=$(STRESS_CYCLES) tools/vm/stress.sh $(STRESS_KERNELS)

# The benchmark (tools/bench) on $(BENCH_KERNEL).  BENCH_CMD is the
# command line the results file records, kernel included.
.PHONY: bench
bench: deps
	@BENCH_CMD="make bench BENCH_KERNEL=$(BENCH_KERNEL)" \
	  tools/bench/bench.sh -k $(BENCH_KERNEL)

# The same arms counted in instructions (QEMU -icount, one vCPU): exact.
.PHONY: bench-icount
bench-icount: deps
	@BENCH_CMD="make bench-icount BENCH_KERNEL=$(BENCH_KERNEL)" \
	  tools/bench/bench.sh -k $(BENCH_KERNEL) -i

.PHONY: bench-reader
bench-reader: deps
	@for n in 1 2 8; do \
	  BENCH_CMD="make bench-reader BENCH_KERNEL=$(BENCH_KERNEL)" \
	    tools/bench/bench.sh -k $(BENCH_KERNEL) -R $$n || exit 1; \
	done

# What formatting a record costs in userspace (callgrind): the tool's
# JSON line and the module's text line, per record.
.PHONY: bench-lines
bench-lines:
	@tools/bench/linecost.sh

help:
	@echo "accepttrace $(VERSION)"
	@echo
	@echo "Module (real machine):"
	@echo "  make [KDIR=...|KERNELRELEASE=...]  build module/accepttrace.ko"
	@echo "  make tools                          build the reader tool, tools/accepttrace/accepttrace"
	@echo "  make install [PREFIX=/usr/local]    modules_install + depmod, the tool, man pages"
	@echo "  make install-man                    accepttrace(4) and accepttrace(8) only"
	@echo "  make load / make unload             insmod / rmmod"
	@echo "  make kunit [KDIR=...]               also kunit/accepttrace_kunit.ko (KUnit kernels)"
	@echo "  make clean"
	@echo
	@echo "Tests (QEMU/TCG, root, Debian 12):"
	@echo "  make deps                           install host packages"
	@echo "  make check [KERNELS=\"6.1 6.12 6.1-rt 6.12-rt test test-6.1\"] [SUITES=\"all\"]"
	@echo "                                      build (W=1, sparse), checkpatch, guest"
	@echo "                                      suites, DKMS; ends with 'N passed, N failed'"
	@echo "  make checkpatch                     checkpatch.pl --strict"
	@echo "  make dkms-test [KERNELS=...]        DKMS add/build/install/load/remove"
	@echo "  make stress [STRESS_KERNELS=\"6.1 6.12\"] [STRESS_CYCLES=2000]"
	@echo "                                      load/unload cycles under accept churn"
	@echo "  make kunit-intree                   KUnit suites in-tree via kunit.py (check's kunit-intree)"
	@echo "  make demo [KERNEL=6.12]             boot, trace a few servers, show the trace"
	@echo "  make vm-shell [KERNEL=6.12|6.1|test] shell in a guest with the module loaded"
	@echo "  make bench [BENCH_KERNEL=6.1|6.12]  accepttrace vs ftrace kprobe_events vs empty probes"
	@echo "  make bench-icount [BENCH_KERNEL=...] the same arms, counted in instructions (exact)"
	@echo "  make bench-reader [BENCH_KERNEL=...] the reader's cost per record, 1, 2 and 8 vCPUs"
	@echo "  make bench-lines                     a JSON and a text line's instructions (callgrind)"
	@echo
	@echo "Environment: AT_CACHE (default /var/cache/accepttrace), AT_TIMEOUT (600 s)"
