#!/usr/bin/env bash
# tests/qemu/harness.sh: checks the test harness itself by booting the kernel with chosen command lines.
# Failing tests must fail, panics must exit 125 with a backtrace, hung guests must time out.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
run="$top/tools/qemu-run"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# boot NAME CMDLINE [TIMEOUT]: runs the guest, output in $tmp/NAME.log, status in $rc.
boot() {
	"$run" --timeout "${3:-60}" --cmdline "$2" > "$tmp/$1.log" 2>&1
	rc=$?
}
has() { grep -q -- "$2" "$tmp/$1.log"; }
lacks() { ! grep -q -- "$2" "$tmp/$1.log"; }
expect() { # NAME DESCRIPTION CONDITION...
	local log=$1 desc=$2
	shift 2
	if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*" "exit status $rc; log tail:"; diag_file "$tmp/$log.log"; fi
}

plan 15

boot fail 'ktest=selftest_fail'
expect fail "a deliberately failing ktest selected by name exits 1" test "$rc" -eq 1
expect fail "the failing test is reported as 'not ok' with its assertion" \
	eval 'has fail "not ok 1 - selftest_fail" && has fail "expected 1 + 1 == 3: 2 (0x2) vs 3 (0x3)"'

boot panic 'panic=exit ktest=selftest_panic'
expect panic "a panic under panic=exit exits 125" test "$rc" -eq 125
expect panic "the panic prints a backtrace naming the function that panicked" \
	eval 'has panic "Kernel panic: deliberate panic from selftest_panic_here" && has panic "\] selftest_panic_here+0x"'

boot idle 'loglevel=7' 4
expect idle "a guest that never ends is killed at --timeout with 124" test "$rc" -eq 124

boot glob 'ktest=selftest_*'
expect glob "manual tests are not selected by a glob (no test matches: exit 1)" \
	eval 'test "$rc" -eq 1 && has glob "1\.\.0" && has glob "no test matches"'

boot unexpected 'ktest=selftest_unexpected_fault,lib_glob_match'
expect unexpected "an unexpected page fault in a test fails that test only" \
	eval 'test "$rc" -eq 1 && has unexpected "not ok [0-9]* - selftest_unexpected_fault" && has unexpected "\] ok [0-9]* - lib_glob_match"'
expect unexpected "the unexpected fault is reported with its address and error code" \
	has unexpected "unexpected #PF (page fault) at ktest_fn_selftest_unexpected_fault+0x.*error 0x2, cr2 0x10"

boot overflow 'ktest=selftest_stack_overflow'
expect overflow "a kernel stack overflow is reported as a guard-page hit" \
	has overflow "kernel stack overflow: hit the guard page"

boot params 'bogus_param=1 loglevel=banana ktest=lib_glob_match'
expect params "unknown and invalid parameters are warned about, not fatal" \
	eval 'test "$rc" -eq 0 && has params "unknown parameter .bogus_param. ignored" && has params "invalid value .banana. for .loglevel."'

boot quiet 'loglevel=1 ktest=lib_glob_match'
expect quiet "loglevel=1 hides info messages but not the TAP report" \
	eval 'test "$rc" -eq 0 && lacks quiet "paging: image" && has quiet "ok 1 - lib_glob_match"'

boot serialonly 'console=ttyS0 ktest=lib_glob_match'
expect serialonly "console=ttyS0 keeps the serial console and boots" test "$rc" -eq 0

boot multi 'ktest=lib_*,cmdline_*'
nmulti=$(grep -rhoE '^KTEST\((lib|cmdline)_' "$top/kernel" | wc -l)
expect multi "comma-separated globs select the union of tests (the $nmulti KTESTs named lib_* or cmdline_*)" \
	eval 'test "$rc" -eq 0 && test "$nmulti" -gt 2 && has multi "1\.\.$nmulti\([^0-9]\|\$\)"'

# The banner is the kernel's first line; nothing the kernel prints comes before it.
expect fail "the banner is the first line the kernel prints" \
	eval 'grep -m1 "^\[" "$tmp/fail.log" | grep -q "Granary "'

# The default boot lands in busybox sh on the console, which reads what is typed on the serial port.
# The console is a terminal, so sh edits the line itself: after the prompt it may ask for the cursor
# position (ESC [6n, unanswered here), then echoes what it reads. Typed once the shell is up, so
# that the echo follows the prompt.
(sleep 5; printf 'echo $((6*7))\n') | "$run" --timeout 20 > "$tmp/shell.log" 2>&1
rc=$?
expect shell "make run's shell reads a line from the serial console and answers it" \
	eval 'test "$rc" -eq 124 && grep -q "granary[^ ]*# \(.\[6n\)\?echo \$((6\*7))" "$tmp/shell.log" && grep -q "^42" "$tmp/shell.log"'
