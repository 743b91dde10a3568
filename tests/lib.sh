# tests/lib.sh: small TAP helpers shared by the shell test scripts.
# Source it; call plan N, then ok/not_ok/check per test.

tap_n=0

plan() { echo "1..$1"; }

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }

not_ok() {
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do echo "# $line"; done
}

# check NAME CONDITION-COMMAND...: ok if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# Prints the log, indented as TAP diagnostics (for failures).
diag_file() { sed 's/^/#   /' "$1" | tail -n "${2:-20}"; }

# debug_build BUILD: makes (or brings up to date) BUILD/_debug from configs/debug_defconfig, the
# default configuration (drivers and filesystems as modules) with the heap's debug checks on.
# The debug, ext2 and fat suites share it. Log in BUILD/_debug.log; status 0 iff it built.
debug_build() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	{ make --no-print-directory -C "$root" O="$1/_debug" debug_defconfig &&
		make --no-print-directory -C "$root" -j"$(nproc)" O="$1/_debug" all; } > "$1/_debug.log" 2>&1
}
