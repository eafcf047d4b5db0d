#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh OUT.cpio.gz KO [KUNIT_KO]
#
# Builds the test guest's root filesystem: static busybox with all applet
# links, our init, the module(s), the guest suites and test binaries, and
# real host programs (strace, socat, ...) copied together with the shared
# libraries ldd reports.  Copying host binaries keeps the guest in lockstep
# with the host's Debian packages and needs no cross toolchain or image
# download; the price is a few MB of libraries per initramfs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Host programs every guest gets.  Suites can ask for more by listing
# program names, one per line, in tools/testing/guest/<suite>.progs, or
# ad hoc with AT_EXTRA_PROGS="prog1 prog2".  AT_PROG_SUITES (comma
# separated suite names, default all) says whose .progs to honour.  A
# .progs line may also be an absolute path (that file, at the same path:
# a script a program runs) or "cheaders:HEADER" (a C header from
# /usr/include and every header it includes, for a program that
# compiles C at run time: bpftrace's scripts), a directory (a path
# ending in "/": copied whole) or "kheaders" (the module's kernel's
# headers, /lib/modules/VERSION/build and source, as bcc wants them).
BASE_PROGS=(strace socat bash)

# Copy an ELF file and every shared library it needs, at the same paths.
copy_elf() {
	local src=$1 dst=$2 lib
	install -D -m 0755 "$src" "$R$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$R$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$R$lib"
	done
}

# The headers under /usr/include that HEADER pulls in, itself included.
copy_cheaders() {
	local hdr=$1 deps f
	deps=$(echo "#include <$hdr>" | gcc -M -x c - 2>/dev/null) ||
		die "the C header <$hdr> wanted in the guest is not on the host — apt-get install libc6-dev"
	for f in ${deps//\\/}; do
		case $f in
		/usr/include/*) [ -e "$R$f" ] || install -D -m 0644 "$(readlink -f "$f")" "$R$f" ;;
		esac
	done
}

# The headers of the kernel KO was built for, at the paths Debian's
# linux-headers packages give them, with the /lib/modules links.
copy_kheaders() {
	local ko=$1 kver link dir
	kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[ -n "$kver" ] || die "no vermagic in $ko"
	for link in build source; do
		dir=$(readlink -f "/lib/modules/$kver/$link") || dir=
		[ -n "$dir" ] && [ -d "$dir" ] || die "/lib/modules/$kver/$link is missing — apt-get install linux-headers-$kver"
		mkdir -p "$R$dir" "$R/lib/modules/$kver"
		cp -a "$dir/." "$R$dir"
		ln -sfn "$dir" "$R/lib/modules/$kver/$link"
	done
}

copy_prog() {
	local name=$1 path
	case $name in
	kheaders)
		copy_kheaders "$KO"
		return
		;;
	cheaders:*)
		copy_cheaders "${name#cheaders:}"
		return
		;;
	/*/)
		[ -d "$name" ] || die "directory '$name' wanted in the guest is not on the host — apt-get install the package providing it"
		mkdir -p "$R$name"
		cp -a "$name." "$R$name"
		return
		;;
	/*)
		[ -f "$name" ] || die "file '$name' wanted in the guest is not on the host — apt-get install the package providing it"
		copy_elf "$name" "$name"
		return
		;;
	esac
	path=$(command -v "$name") || die "program '$name' wanted in the guest is not installed on the host — apt-get install the package providing it"
	copy_elf "$path" "/usr/bin/$name"
}

add_busybox() {
	local bb l
	bb=$(command -v busybox) || die "busybox is missing — run: apt-get install busybox-static"
	file_is_static "$bb" || die "$bb is not static — run: apt-get install busybox-static"
	install -D -m 0755 "$bb" "$R/bin/busybox"
	for l in $("$bb" --list-full); do
		[ -e "$R/$l" ] && continue
		mkdir -p "$R/$(dirname "$l")"
		ln -s /bin/busybox "$R/$l"
	done
}

file_is_static() {
	! ldd "$1" >/dev/null 2>&1
}

add_etc() {
	mkdir -p "$R/etc" "$R/root"
	cat >"$R/etc/passwd" <<-'E'
		root:x:0:0:root:/root:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	E
	cat >"$R/etc/group" <<-'E'
		root:x:0:
		nogroup:x:65534:
	E
	cat >"$R/etc/hosts" <<-'E'
		127.0.0.1	localhost
		::1		localhost ip6-localhost ip6-loopback
	E
	echo 'hosts: files' >"$R/etc/nsswitch.conf"
	echo 'passwd: files' >>"$R/etc/nsswitch.conf"
	echo 'group: files' >>"$R/etc/nsswitch.conf"
	# glibc loads the files NSS module at run time on older releases.
	local nss
	for nss in /lib/x86_64-linux-gnu/libnss_files.so.2; do
		[ -e "$nss" ] && install -D -m 0644 "$(readlink -f "$nss")" "$R$nss"
	done
	echo 'PS1="at-guest:\w# "' >"$R/etc/profile"
}

add_project() {
	local ko=$1 kunit=${2:-} f prog
	KO=$ko
	install -D -m 0755 "$AT_ROOT/tools/vm/init" "$R/init"
	install -D -m 0644 "$ko" "$R/lib/accepttrace/accepttrace.ko"
	[ -n "$kunit" ] && [ -f "$kunit" ] &&
		install -D -m 0644 "$kunit" "$R/lib/accepttrace/accepttrace_kunit.ko"
	# The debug kernels' kmemleak-test.ko, 99-kmemleak's control (the
	# harness passes it in AT_KMEMLEAK_KO; Debian kernels have none).
	if [ -n "${AT_KMEMLEAK_KO:-}" ]; then
		[ -f "$AT_KMEMLEAK_KO" ] || die "AT_KMEMLEAK_KO=$AT_KMEMLEAK_KO does not exist"
		install -D -m 0644 "$AT_KMEMLEAK_KO" "$R/lib/accepttrace/kmemleak-test.ko"
	fi
	# The benchmark's floor module, built next to the module by build.sh.
	f="$(dirname "$ko")/../floor/accepttrace_floor.ko"
	if [ -f "$f" ]; then
		install -D -m 0644 "$f" "$R/lib/accepttrace/accepttrace_floor.ko"
	fi
	mkdir -p "$R/opt/at/bin" "$R/opt/at/guest"
	for f in "$AT_ROOT"/tools/testing/guest/*.sh; do
		[ -f "$f" ] && install -m 0755 "$f" "$R/opt/at/guest/"
	done
	# Programs (static or not) and whatever data or sourced scripts the
	# suites keep next to them.
	for f in "$AT_ROOT"/tools/testing/bin/*; do
		[ -f "$f" ] || continue
		if [ -x "$f" ]; then
			copy_elf "$f" "/opt/at/bin/${f##*/}"
		else
			install -m 0644 "$f" "$R/opt/at/bin/"
		fi
	done
	for f in accepttrace tests/jsoncheck; do
		f="$AT_ROOT/tools/accepttrace/$f"
		[ -f "$f" ] && [ -x "$f" ] && copy_elf "$f" "/opt/at/bin/${f##*/}"
	done
	install -m 0755 "$AT_ROOT/tools/vm/demo-guest.sh" "$R/opt/at/demo.sh"
	for prog in "${BASE_PROGS[@]}" ${AT_EXTRA_PROGS:-} \
		$(suite_progs); do
		copy_prog "$prog"
	done
}

# The programs the .progs files of the suites in AT_PROG_SUITES name.
suite_progs() {
	local f name want=,${AT_PROG_SUITES:-all},
	for f in "$AT_ROOT"/tools/testing/guest/*.progs; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .progs)
		[ "$want" = ,all, ] || [[ $want == *",$name,"* ]] || continue
		sed 's/#.*//' "$f"
	done
}

main() {
	[ $# -ge 2 ] || die "usage: mkinitramfs.sh OUT.cpio.gz KO [KUNIT_KO]"
	local out=$1
	[ -f "$2" ] || die "module $2 does not exist — build it first (make)"
	command -v cpio >/dev/null || die "cpio is missing — run: apt-get install cpio"
	R=$(mktemp -d "${TMPDIR:-/tmp}/at-initramfs.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$R'" EXIT
	mkdir -p "$R"/{proc,sys,dev,tmp,run,root,mnt}
	add_busybox
	add_etc
	add_project "$2" "${3:-}"
	(cd "$R" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
}

main "$@"
