#!/usr/bin/env bash
# tests/qemu/interactive.sh: what `make run` gives a person, checked through a real pseudo-terminal: boots the
# image under tmux, types at the shell prompt, reads the screen. TAP; always ends its tmux server and QEMU.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"

usage() {
	cat <<USAGE
usage: tests/qemu/interactive.sh [--iso FILE] [--boot-timeout SECONDS]

Runs 'tools/qemu-run --interactive' in a detached tmux pane (120x40) on a tmux
server of its own, waits for the shell prompt (granary...#), types commands with
'tmux send-keys' and checks the pane ('tmux capture-pane'): echo \$((1+2)),
ls /bin | head, ps, free, mount, uptime, dmesg | head -3, the module tools on
an mtools-made FAT disk attached with --disk (lsmod, modinfo fat, modprobe
virtio_blk, insmod fat, mount -t vfat /dev/vda /mnt, rmmod fat refused while
mounted, then allowed), ^C at 'sleep 100'
(the prompt must be back within 1 s), then, in a second boot, poweroff (QEMU
must exit with status 0). Prints TAP, one line per check.

  --iso FILE              image to boot (default: \$O/granary.iso, O defaults to build)
  --boot-timeout SECONDS  how long to wait for the first prompt (default 60)

Needs tmux (tools/setup-host installs it).
USAGE
}

O=${O:-$top/build}
iso=$O/granary.iso
boot_timeout=60
while [ $# -gt 0 ]; do
	case "$1" in
	--iso|--boot-timeout)
		[ $# -ge 2 ] || { echo "interactive.sh: $1 needs an argument" >&2; exit 2; }
		[ "$1" = --iso ] && iso=$2 || boot_timeout=$2
		shift 2 ;;
	--help|-h) usage; exit 0 ;;
	*) echo "interactive.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
[[ "$boot_timeout" =~ ^[1-9][0-9]*$ ]] || { echo "interactive.sh: '$boot_timeout' is not a positive number" >&2; exit 2; }
command -v tmux >/dev/null || { echo "interactive.sh: tmux is missing (run tools/setup-host)" >&2; exit 3; }
[ -f "$iso" ] || { echo "interactive.sh: $iso not found (run make)" >&2; exit 3; }

# A prompt line as screen() gives it (trailing blanks trimmed): PS1 'granary:$PWD# ' from
# /etc/profile, or the bare 'granary# ' of a shell that did not read it.
prompt_re='^granary[^ ]*#$'

sock=granary-interactive-$$
session=guest
tmp=$(mktemp -d)
unset TMUX # a tmux of our own even when run from inside one
tm() { tmux -L "$sock" -f /dev/null "$@"; } # -f: none of the user's settings

# Stops the guest's process group (the pane's shell, qemu-run, timeout, QEMU), then the tmux server.
stop_guest() {
	local pid
	pid=$(cat "$tmp/pid" 2>/dev/null)
	[ -n "$pid" ] && kill -TERM -- -"$pid" 2>/dev/null
	tm kill-server 2>/dev/null
	rm -f "$tmp/pid"
}
trap 'stop_guest; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Boots in a new pane; qemu-run's exit status lands in $tmp/status.
start_guest() {
	rm -f "$tmp/status"
	# remain-on-exit: the screen stays readable after QEMU ends.
	tm start-server \; set -g history-limit 5000 \; set -g remain-on-exit on \; \
		new-session -d -s "$session" -x 120 -y 40 \
		"echo \$\$ > '$tmp/pid'; '$top/tools/qemu-run' --iso '$iso' --interactive --timeout 600 --disk '$tmp/fat.img'; echo \$? > '$tmp/status'"
}

# The whole pane, history included, wrapped lines joined, trailing blanks (the space after a
# prompt's "#") and the empty lines below the text dropped.
screen() {
	tm capture-pane -p -J -S - -t "$session" 2>/dev/null |
		awk '{ sub(/[ \t]+$/, ""); l[NR] = $0 } NF { last = NR } END { for (i = 1; i <= last; i++) print l[i] }'
}
now_ns() { date +%s%N; }
type_line() { tm send-keys -t "$session" -l "$1" && tm send-keys -t "$session" Enter; }

# wait_prompt SECONDS [AFTER]: waits until the last line is a prompt (and is past line AFTER); 0 or 1.
wait_prompt() {
	local deadline=$(($(now_ns) + $1 * 1000000000)) after=${2:-0} s n
	while [ "$(now_ns)" -lt $deadline ]; do
		s=$(screen)
		n=$(printf '%s\n' "$s" | wc -l)
		if [ "$n" -gt "$after" ] && printf '%s\n' "$s" | tail -n 1 | grep -qE "$prompt_re"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# run NAME COMMAND: types COMMAND at the prompt and waits (10 s at most) for the next prompt;
# what the command printed (the lines between) goes to $tmp/NAME.out. 0 or 1.
run() {
	local name=$1 cmd=$2 before
	before=$(screen | wc -l)
	type_line "$cmd"
	if ! wait_prompt 10 "$before"; then
		screen | tail -n +"$before" > "$tmp/$name.out"
		echo "(no prompt within 10 s)" >> "$tmp/$name.out"
		return 1
	fi
	screen | tail -n +"$((before + 1))" | sed '$d' > "$tmp/$name.out"
}

# expect_output NAME DESCRIPTION GREP-E-PATTERN...: ok iff NAME's output has a line for each pattern.
expect_output() {
	local name=$1 desc=$2 p
	shift 2
	for p in "$@"; do
		if ! grep -qE -- "$p" "$tmp/$name.out"; then
			not_ok "$desc" "no line matches /$p/; the command printed:"
			diag_file "$tmp/$name.out"
			return
		fi
	done
	ok "$desc"
}

# check_cmd NAME COMMAND DESCRIPTION PATTERN...: runs COMMAND and checks its output.
check_cmd() {
	local name=$1 cmd=$2 desc=$3
	shift 3
	if [ "$up" -eq 0 ]; then
		not_ok "$desc" "not checked: the shell did not come up"
		return
	fi
	if ! run "$name" "$cmd"; then
		not_ok "$desc" "'$cmd' did not give the prompt back; screen:"
		diag_file "$tmp/$name.out"
		return
	fi
	expect_output "$name" "$desc" "$@"
}

# The first prompt: the shell is up once a prompt has been shown and an empty line gives another
# (a late "init:" message may have landed after the first one).
first_prompt() {
	local deadline=$((SECONDS + boot_timeout))
	while [ $SECONDS -lt $deadline ] && ! screen | grep -qE "$prompt_re"; do
		[ -f "$tmp/status" ] && return 1
		sleep 0.2
	done
	sleep 0.3
	type_line ""
	wait_prompt 5
}

plan 20

# A FAT disk for the module checks, made with mtools (no root, no loop device).
truncate -s 2M "$tmp/fat.img" && mformat -i "$tmp/fat.img" :: >/dev/null &&
	printf 'hello from granary\n' > "$tmp/hello.txt" && mcopy -i "$tmp/fat.img" "$tmp/hello.txt" ::/HELLO.TXT ||
	{ echo "interactive.sh: cannot make a FAT image with mtools" >&2; exit 3; }

# ---------------------------------------------------------------- first boot: the shell
start_guest
up=0
if first_prompt; then
	up=1
	ok "the shell prompt appears on the serial console"
else
	not_ok "the shell prompt appears on the serial console" \
		"no line matching /$prompt_re/ within ${boot_timeout}s; screen:"
	screen | tail -n 25 > "$tmp/boot.out"
	diag_file "$tmp/boot.out" 25
fi
if [ "$up" -eq 1 ] && screen | grep -q "Welcome to Granary"; then
	ok "init shows /etc/motd before the prompt"
else
	not_ok "init shows /etc/motd before the prompt" "no 'Welcome to Granary' line on the screen"
fi

check_cmd echo 'echo $((1+2))' 'echo $((1+2)) prints 3' '^3$'
check_cmd ls 'ls /bin | head' 'ls /bin | head lists busybox' '^busybox$'
check_cmd ps 'ps' 'ps prints a PID header and a line for the shell' \
	'^ *PID ' '^ *[0-9]+ .*[ /-]sh( |$)'
check_cmd free 'free' 'free prints a Mem: line with numbers' '^Mem: +[0-9]+ +[0-9]+'
check_cmd mount 'mount' 'mount lists the root (" on / ") and "proc on /proc"' \
	' on / ' '^proc on /proc '
check_cmd uptime 'uptime' 'uptime prints the load average' 'load average'
check_cmd dmesg 'dmesg | head -3' 'dmesg | head -3 shows the kernel banner (Granary)' 'Granary [0-9]'

# Modules from the shell: a virtio disk and a FAT filesystem, both loadable modules.
check_cmd lsmod 'lsmod' 'lsmod prints its header' '^Module +Size +Used by'
check_cmd modinfo 'modinfo fat' 'modinfo fat names the module file and its license' \
	'^filename: +/lib/modules/.*/fat\.ko$' '^license: +GPL$'
check_cmd vda 'modprobe virtio_blk && ls /dev/vda' 'modprobe virtio_blk gives /dev/vda' '^/dev/vda$'
check_cmd fatmount 'insmod fat && mount -t vfat /dev/vda /mnt && cat /mnt/hello.txt' \
	'insmod fat, mount -t vfat /dev/vda /mnt, cat a file' '^hello from granary$'
check_cmd lsmnt 'ls /mnt' 'ls /mnt lists the file mcopy put there' '^HELLO\.TXT$'
check_cmd rmmodbusy 'rmmod fat' 'rmmod fat while mounted is refused, naming why' \
	'rmmod: cannot unload fat: fat is in use'
check_cmd umount 'umount /mnt && rmmod fat && echo unloaded' \
	'after umount, rmmod fat unloads it' '^unloaded$'
check_cmd vdabusy '(exec 3</dev/vda; rmmod virtio_blk)' 'rmmod virtio_blk while /dev/vda is open is refused' \
	'rmmod: cannot unload virtio_blk: virtio_blk is in use'
check_cmd vdagone 'rmmod virtio_blk && ls /dev/vda' 'closed, rmmod virtio_blk unloads it and /dev/vda goes' \
	'ls: /dev/vda: No such file or directory'

# ^C: the tty turns it into SIGINT for the foreground job; the shell prints a new prompt.
desc="^C stops 'sleep 100' and the prompt is back within 1 s"
if [ "$up" -eq 0 ]; then
	not_ok "$desc" "not checked: the shell did not come up"
else
	before=$(screen | wc -l)
	type_line "sleep 100"
	sleep 1 # the shell forks and sleep starts
	t0=$(now_ns)
	tm send-keys -t "$session" C-c
	if wait_prompt 3 "$before"; then
		ms=$((($(now_ns) - t0) / 1000000))
		if [ $ms -le 1000 ]; then
			ok "$desc"
		else
			not_ok "$desc" "the prompt came back after $ms ms"
		fi
	else
		not_ok "$desc" "no prompt within 3 s of ^C; screen:"
		screen | tail -n +"$before" > "$tmp/ctrlc.out"
		diag_file "$tmp/ctrlc.out"
	fi
fi
stop_guest

# ---------------------------------------------------------------- second boot: poweroff
# A boot of its own: after a failed ^C the first shell would still be sleeping.
desc="poweroff at the prompt ends QEMU with status 0"
start_guest
if ! first_prompt; then
	not_ok "$desc" "not checked: no prompt in the second boot"
else
	type_line "poweroff"
	deadline=$((SECONDS + 10))
	while [ ! -s "$tmp/status" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.2
	done
	status=$(cat "$tmp/status" 2>/dev/null)
	if [ "$status" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "QEMU status: ${status:-still running after 10 s}; screen:"
		screen | tail -n 8 > "$tmp/poweroff.out"
		diag_file "$tmp/poweroff.out"
	fi
fi
exit 0
