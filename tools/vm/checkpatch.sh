#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh [FILES...] -- run checkpatch.pl --strict over the module.
#
# checkpatch.pl and the data files it reads are extracted once from
# Debian's linux-source-6.12 tarball into $AT_CACHE/checkpatch; the
# tarball is large, so this is the only slow part and it is cached.
# Fails on any error, warning or check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CP_DIR="$AT_CACHE/checkpatch"
CP_FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)

ensure_checkpatch() {
	local tarball tmp top
	[ -f "$CP_DIR/.stamp" ] && return 0
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1) ||
		true
	[ -n "$tarball" ] ||
		die "checkpatch.pl needs /usr/src/linux-source-6.12.tar.xz — run: make deps (or apt-get install linux-source-6.12)"
	with_lock checkpatch
	[ -f "$CP_DIR/.stamp" ] && return 0
	msg "extracting checkpatch.pl from $tarball (once)"
	mkdir -p "$AT_CACHE"
	tmp=$(mktemp -d "$AT_CACHE/.tmp-checkpatch.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	top=linux-source-6.12
	tar -xf "$tarball" -C "$tmp" "${CP_FILES[@]/#/$top/}" ||
		die "could not extract ${CP_FILES[*]} from $tarball"
	touch "$tmp/$top/.stamp"
	rm -rf "$CP_DIR"
	mv "$tmp/$top" "$CP_DIR"
	rm -rf "$tmp"
	trap - EXIT
}

main() {
	local files=("$@")
	ensure_checkpatch
	if [ ${#files[@]} -eq 0 ]; then
		cd "$AT_ROOT"
		shopt -s nullglob
		files=(module/*.[ch] include/*.h kunit/*.[ch])
	fi
	[ ${#files[@]} -gt 0 ] || die "no files to check"
	# --no-tree: we are not inside a kernel tree; -f: check whole files.
	perl "$CP_DIR/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--no-summary --quiet --color=never -f "${files[@]}"
}

main "$@"
