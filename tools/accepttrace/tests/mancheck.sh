#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The man pages against the tool (make test runs this after the unit tests):
#
#   - mandoc -T lint finds nothing in accepttrace(8) and accepttrace(4);
#   - --help, accepttrace(8) and the option table of main.c list the same
#     options (short and long name, whether it takes a value, and for
#     --help and the page whether it is a filter) and the same
#     subcommands, and the synopsis of --help and of the page give each
#     subcommand the same options;
#   - the tool takes, for each subcommand, exactly the options its line of
#     the synopsis lists, and refuses every other with exit status 2;
#   - the comparison itself fails when an option is added to one of them
#     only (each of the three, and one subcommand's synopsis line);
#   - the install targets put the pages where the README says.
#
# Prints KTAP (Documentation/dev-tools/ktap.rst); exits 1 on any failure
# or skip.
cd "$(dirname "$0")/.." || exit 1
TOOL=./accepttrace
PAGE8=accepttrace.8
PAGE4=../../module/accepttrace.4
SRC=main.c
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 fail=0 skip=0
echo "KTAP version 1"

# result "ok"|"not ok" DESC [DIRECTIVE]: the next result; a '#' in DESC,
# which would end it, is written "no.".
result() {
	n=$((n + 1))
	rd=$2
	case $rd in *'#'*) rd=$(printf '%s\n' "$rd" | sed 's/#/no./g') ;; esac
	echo "$1 $n $rd${3:+ # $3}"
}
ok() { result ok "$*"; }
notok() { fail=$((fail + 1)); result "not ok" "$*"; }
skipped() { skip=$((skip + 1)); result ok "$1" "SKIP $2"; }
# diag: standard input as diagnostic lines
diag() { sed 's/^/#   /'; }

# same DESC WANT GOT: the two files are equal, or a diff is shown.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff -u "$2" "$3" | diag
	fi
}

# differ DESC A B: the comparison must tell A and B apart.
differ() {
	if cmp -s "$2" "$3"; then
		notok "$1"
	else
		ok "$1"
	fi
}

# ---- option lists, one line per option: SECTION SHORT LONG ARG ----
# SECTION "opt" or "filter", SHORT "-x" or "-", LONG "--name" or "-",
# ARG "arg" (takes a value) or "-".

# The usage text: columns are separated by two or more spaces, and a
# column that starts with "-" on an indented line is an option; lines
# after the one that starts with "FILTER" are filters.
help_opts() {
	awk '
	/^FILTER/ { sec = "filter"; next }
	/^  -/ {
		n = split(substr($0, 3), col, /   */)
		for (i = 1; i <= n; i++) {
			if (col[i] !~ /^-/)
				continue
			gsub(/,/, "", col[i])
			m = split(col[i], w, " ")
			s = "-"; l = "-"; a = "-"
			for (j = 1; j <= m; j++) {
				if (w[j] ~ /^--./) l = w[j]
				else if (w[j] ~ /^-.$/) s = w[j]
				else a = "arg"
			}
			print (sec ? sec : "opt"), s, l, a
		}
	}' "$1" | sort
}

# The page: the .It Fl lines of OPTIONS; those after ".Ss Filters" are
# filters.
man_opts() {
	awk '
	/^\.Sh / { insec = ($2 == "OPTIONS"); sec = "opt"; next }
	/^\.Ss Filters/ { if (insec) sec = "filter"; next }
	insec && /^\.It Fl / {
		s = "-"; l = "-"; a = "-"
		for (j = 2; j <= NF; j++) {
			if ($j == "Fl") {
				j++
				if ($j ~ /^-/) l = "-" $j
				else s = "-" $j
			} else if ($j == "Ar") {
				a = "arg"
				j++
			}
		}
		print sec, s, l, a
	}' "$1" | sort
}

# main.c: the entries of long_opts[] and the letters of short_opts[].
code_opts() {
	awk '
	/^static const struct option long_opts/ { inlong = 1; next }
	inlong && /^};/ { inlong = 0 }
	inlong && /\{ *"/ {
		line = $0
		sub(/^[^"]*"/, "", line)
		name = line; sub(/".*/, "", name)
		arg = (line ~ /required_argument/) ? "arg" : "-"
		val = line; sub(/.*NULL, */, "", val); sub(/ *\}.*/, "", val)
		s = "-"
		if (val ~ /^\x27.\x27$/) {
			s = "-" substr(val, 2, 1)
			paired[substr(val, 2, 1)] = arg
		}
		print s, "--" name, arg
	}
	/^static const char short_opts/ {
		str = $0; sub(/^[^"]*"/, "", str); sub(/".*/, "", str)
		for (i = 1; i <= length(str); i++) {
			c = substr(str, i, 1)
			if (c == ":")
				continue
			a = (substr(str, i + 1, 1) == ":") ? "arg" : "-"
			if (!(c in paired))
				print "-" c, "-", a
			else if (paired[c] != a)
				print "-" c, "(short_opts and long_opts disagree)", a
		}
	}' "$1" | sort
}

# ---- subcommands: "SUBCOMMAND OPTION... [FILTER]", options sorted ----

# The synopsis lines of the usage text ("usage: accepttrace ..." and the
# lines under it); "-" for the line without a subcommand.
help_synopsis() {
	awk '
	!/^(usage: |       )accepttrace / { exit }
	{
		line = $0
		sub(/^(usage: |       )accepttrace/, "", line)
		gsub(/[][|]/, " ", line)
		n = split(line, w, " ")
		sub_ = "-"; opts = ""; filt = ""
		for (i = 1; i <= n; i++) {
			if (w[i] ~ /^-/) opts = opts " " w[i]
			else if (w[i] ~ /^FILTER/) filt = " FILTER"
			else if (i == 1) sub_ = w[i]
		}
		print sub_ "|" opts "|" filt
	}' "$1" | sort_synopsis
}

# The SYNOPSIS of the page: one .Nm line and the macros under it per
# form; "Cm X" is the subcommand, "Fl X" an option, "Ar filter" FILTER.
man_synopsis() {
	awk '
	function out() { if (started) print sub_ "|" opts "|" filt }
	/^\.Sh / {
		if (insyn) { out(); exit }
		insyn = ($2 == "SYNOPSIS"); next
	}
	!insyn { next }
	/^\.Nm$/ { out(); started = 1; sub_ = "-"; opts = ""; filt = ""; next }
	{
		sub(/^\./, "", $1)
		for (j = 1; j <= NF; j++) {
			if ($j == "Cm") sub_ = $(++j)
			else if ($j == "Fl") opts = opts " -" $(++j)
			else if ($j == "Ar" && $(j + 1) == "filter") filt = " FILTER"
		}
	}' "$1" | sort_synopsis
}

# "sub| -b -a| FILTER" -> "sub -a -b FILTER", lines sorted.
sort_synopsis() {
	while IFS='|' read -r s o f; do
		o=$(printf '%s\n' $o | sort | tr '\n' ' ')
		echo "$s ${o% }${f}" | sed 's/  */ /g; s/ $//'
	done | sort
}

# main.c's subcmds[] table: the name that opens each entry.
code_subcommands() {
	sed -n '/subcmds\[\] = {/,/};/p' "$1" | sed -n 's/^[[:space:]]*{ "\([a-z]*\)",.*/\1/p' | sort
}

# ---- 1. mandoc -T lint ----

lint() {
	if ! command -v mandoc >/dev/null 2>&1; then
		skipped "mandoc -T lint $1" \
			"mandoc is not installed (tools/vm/deps.sh installs it)"
		return
	fi
	mandoc -T lint "$1" >"$T/lint" 2>&1
	# mandoc looks each .Xr up among the manuals installed on this
	# machine, in /usr/share/man (no option points it elsewhere): what it
	# says of that is about the machine, not the page.
	grep -v -e ': STYLE: referenced manual not found: Xr ' \
		-e '^mandoc: outdated mandoc.db lacks ' "$T/lint" >"$T/lint.left"
	if [ -s "$T/lint.left" ]; then
		notok "mandoc -T lint $1"
		diag <"$T/lint.left"
	else
		ok "mandoc -T lint $1"
	fi
}
lint "$PAGE8"
lint "$PAGE4"

# ---- 2. --help, the page and main.c ----

"$TOOL" --help >"$T/help"
rc=$?
if [ $rc = 0 ] && [ -s "$T/help" ]; then ok "--help: exit status 0, some text"
else notok "--help: exit status 0, some text"; echo "# exit status $rc"; fi
lines=$(wc -l <"$T/help")
if [ "$lines" -le 24 ]; then ok "--help fits a screen (24 lines)"; else
	notok "--help fits a screen (24 lines)"; echo "# $lines lines"; fi

help_opts "$T/help" >"$T/help.opts"
man_opts "$PAGE8" >"$T/man.opts"
code_opts "$SRC" >"$T/code.opts"
if [ "$(wc -l <"$T/help.opts")" -ge 18 ]; then ok "--help: 18 options or more"; else
	notok "--help: 18 options or more"
	echo "# only $(wc -l <"$T/help.opts") options found"; fi
same "options: --help (-) against $PAGE8 OPTIONS (+)" "$T/help.opts" "$T/man.opts"
cut -d' ' -f2- "$T/help.opts" | sort >"$T/help.opts.nosec"
same "options: --help (-) against long_opts/short_opts of $SRC (+)" \
	"$T/help.opts.nosec" "$T/code.opts"

help_synopsis "$T/help" >"$T/help.syn"
man_synopsis "$PAGE8" >"$T/man.syn"
if [ "$(wc -l <"$T/help.syn")" = 6 ]; then ok "--help: 6 synopsis lines"; else
	notok "--help: 6 synopsis lines"
	echo "# $(wc -l <"$T/help.syn") synopsis lines found"; fi
same "synopsis: --help (-) against $PAGE8 SYNOPSIS (+)" "$T/help.syn" "$T/man.syn"
awk '$1 != "-" { print $1 }' "$T/help.syn" | sort >"$T/help.subs"
code_subcommands "$SRC" >"$T/code.subs"
same "subcommands: --help (-) against parse_cmd() of $SRC (+)" \
	"$T/help.subs" "$T/code.subs"
# Every subcommand is described under COMMANDS.
sed -n '/^\.Sh COMMANDS/,/^\.Sh /s/^\.It Cm \([a-z]*\).*/\1/p' "$PAGE8" |
	sort >"$T/man.cmds"
same "subcommands: --help (-) against $PAGE8 COMMANDS (+)" \
	"$T/help.subs" "$T/man.cmds"

# ---- 3. the parser takes what each synopsis line lists, and no more ----

value_of() {	# a valid value for the option with long name $1
	case $1 in
	--count|--pid|--tid|--port|--netns) echo 1 ;;
	--duration|--interval) echo 0.01 ;;
	--comm) echo x ;;
	--output) echo "$T/out.prom" ;;
	--family) echo inet ;;
	*) return 1 ;;
	esac
}

while read -r sec s l a; do
	case $l in --help|--version) continue ;; esac
	val=
	if [ "$a" = arg ] && ! val=$(value_of "$l"); then
		notok "$l: no value to test it with (add one to value_of)"
		continue
	fi
	for sub in $(cat "$T/help.subs"); do
		line=$(awk -v s="$sub" '$1 == s' "$T/help.syn")
		allowed=no
		for w in $line; do
			[ "$w" = "$s" ] || [ "$w" = "$l" ] && allowed=yes
			[ "$w" = FILTER ] && [ "$sec" = filter ] && allowed=yes
		done
		# -d bounds a run that the module, if loaded, would feed
		extra=
		[ "$sub" != stats ] && extra="-d 0.01"
		verdict=refused
		[ $allowed = yes ] && verdict=taken
		for name in $s $l; do
			[ "$name" = - ] && continue
			# a file in $T by its name only: the same on every run
			d="accepttrace $sub $name${val:+ ${val#"$T/"}}: $verdict"
			"$TOOL" $sub $name $val $extra >/dev/null 2>"$T/err" </dev/null
			rc=$?
			if grep -q "Try 'accepttrace --help'" "$T/err"; then
				usage=yes
			else
				usage=no
			fi
			if [ $allowed = yes ] && [ $rc != 2 ] && [ $usage = no ]; then
				ok "$d"
			elif [ $allowed = no ] && [ $rc = 2 ] && [ $usage = yes ]; then
				ok "$d"
			else
				notok "$d"
				echo "# exit status $rc, the synopsis says it is $verdict"
				diag <"$T/err"
			fi
		done
	done
done <"$T/help.opts"

# ---- 4. the comparison sees an option added to one side only ----

sed '/^  -n, --count/a\
  --bogus             nothing' "$T/help" >"$T/help.more"
help_opts "$T/help.more" >"$T/help.more.opts"
differ "self-test: an option added to --help only is noticed" \
	"$T/help.more.opts" "$T/man.opts"

sed '/^\.It Fl n Ar count/i\
.It Fl -bogus\
nothing.' "$PAGE8" >"$T/page.more"
man_opts "$T/page.more" >"$T/man.more.opts"
differ "self-test: an option added to $PAGE8 only is noticed" \
	"$T/help.opts" "$T/man.more.opts"

sed '/{ "json",/a\
	{ "bogus",	no_argument,		NULL, OPT_BOGUS },' "$SRC" >"$T/main.more"
code_opts "$T/main.more" >"$T/code.more.opts"
differ "self-test: an option added to long_opts only is noticed" \
	"$T/help.opts.nosec" "$T/code.more.opts"

sed 's/^static const char short_opts\[\] = "/&B/' "$SRC" >"$T/main.more"
code_opts "$T/main.more" >"$T/code.more.opts"
differ "self-test: an option added to short_opts only is noticed" \
	"$T/help.opts.nosec" "$T/code.more.opts"

sed 's/^\(       accepttrace top \)/\1[-j] /' "$T/help" >"$T/help.more"
help_synopsis "$T/help.more" >"$T/help.more.syn"
differ "self-test: an option added to top's line of --help only is noticed" \
	"$T/help.more.syn" "$T/man.syn"

# ---- 5. where make install puts the pages ----

unset MAKEFLAGS MAKELEVEL
d="make install DESTDIR=... PREFIX=/usr: sbin/accepttrace, share/man/man8/accepttrace.8"
if make -s install DESTDIR="$T/inst" PREFIX=/usr >"$T/make.out" 2>&1 &&
   cmp -s "$PAGE8" "$T/inst/usr/share/man/man8/accepttrace.8" &&
   cmp -s "$TOOL" "$T/inst/usr/sbin/accepttrace"; then
	ok "$d"
else
	notok "$d"
	diag <"$T/make.out"
fi
d="make install-man DESTDIR=... PREFIX=/usr (top level): man4/accepttrace.4, man8/accepttrace.8"
if make -s -C ../.. install-man DESTDIR="$T/inst4" PREFIX=/usr >"$T/make.out" 2>&1 &&
   cmp -s "$PAGE4" "$T/inst4/usr/share/man/man4/accepttrace.4" &&
   cmp -s "$PAGE8" "$T/inst4/usr/share/man/man8/accepttrace.8"; then
	ok "$d"
else
	notok "$d"
	diag <"$T/make.out"
fi

[ "$fail" = 0 ] && [ "$skip" = 0 ]
