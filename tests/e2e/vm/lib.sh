# Shared by the takeover e2e tests (tests/e2e/t_takeover_*.sh) and the VM lab
# selftest: source it, then call vm_setup NAME. Each test writes a scenario
# script, runs it in a VM with vm_run, and checks the serial log with the
# expect_* helpers; vm_finish prints the RESULT line and exits 0/1.
# shellcheck shell=bash

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../../.." && pwd)
VM_FAILS=()
VM_NOTES=()
VM_TMP=

# Skip (77) when the lab cannot run here; otherwise make a private temp dir
# that is removed on exit, and make sure ./lifeboat exists.
vm_setup() {
	VM_NAME=$1
	local t
	[ "$(id -u)" = 0 ] || vm_skip "needs root (debootstrap, chroot, debugfs)"
	for t in qemu-system-x86_64 debootstrap debugfs mkfs.ext4 setpriv flock chroot; do
		command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null ||
			vm_skip "$t not installed"
	done
	cd "$TOP"
	if [ ! -x ./lifeboat ]; then
		make -j2 lifeboat >/dev/null || { echo "RESULT: FAIL $VM_NAME: cannot build ./lifeboat"; exit 1; }
	fi
	VM_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lbvm-$VM_NAME.XXXXXX")
	trap vm_cleanup EXIT
	# run-all's timeout sends TERM: end the VM runner (it kills QEMU and
	# removes its disk copy) rather than leave it running on its own.
	trap 'exit 143' TERM INT HUP
	mkdir -p "$TOP/build/e2e"
}

VM_RS_PID=
vm_cleanup() {
	trap '' INT TERM HUP
	if [ -n "$VM_RS_PID" ]; then
		kill -TERM "$VM_RS_PID" 2>/dev/null
		wait "$VM_RS_PID" 2>/dev/null
		VM_RS_PID=
	fi
	[ -n "$VM_TMP" ] && rm -rf --one-file-system "$VM_TMP"
	VM_TMP=
}

vm_skip() {
	echo "RESULT: SKIP ${VM_NAME:-vm}: $*"
	exit 77
}

# vm_run INIT SCENARIO_FILE TIMEOUT [LOGNAME]: boot the INIT image with the
# scenario. Sets VM_LOG (serial log without CRs, kept in build/e2e/ for
# post-mortems), VM_END (poweroff|reboot|panic|timeout|...), VM_SECS and
# VM_MARK[word]=seconds for each word of $LB_VM_MARKS seen.
declare -A VM_MARK
vm_run() {
	local init=$1 scen=$2 timeout=$3 name=${4:-$VM_NAME} raw out rc=0 line
	raw=$VM_TMP/$name.serial
	VM_LOG=$TOP/build/e2e/$name.serial.log
	echo "vm: booting $init image with scenario $(basename "$scen") (timeout ${timeout}s)"
	# In the background so that a TERM to this test is handled at once.
	# VM_RUN_WRAP: a command prefix, e.g. "ip netns exec NS" (t_pkg_deb)
	${VM_RUN_WRAP:-} "$VM_DIR/run-scenario" "$init" "$TOP/lifeboat" "$scen" "$raw" "$timeout" >"$VM_TMP/run.out" &
	VM_RS_PID=$!
	wait "$VM_RS_PID" || rc=$?
	VM_RS_PID=
	out=$(cat "$VM_TMP/run.out")
	echo "$out" | sed 's/^/vm: /'
	tr -d '\r' <"$raw" >"$VM_LOG" 2>/dev/null || : >"$VM_LOG"
	VM_END=none VM_SECS=0
	VM_MARK=()
	while read -r line; do
		case $line in
		vm_end=*)
			VM_END=${line#vm_end=}
			VM_END=${VM_END%% *}
			VM_SECS=${line##*secs=}
			;;
		mark\ *)
			line=${line#mark }
			VM_MARK[${line%% *}]=${line##*t=}
			;;
		esac
	done <<<"$out"
	[ "$VM_END" != none ] || fail "run-scenario failed (rc=$rc) before the VM ended"
	return 0
}

fail() {
	echo "FAIL: $*"
	VM_FAILS+=("$*")
}
note() {
	echo "note: $*"
	VM_NOTES+=("$*")
}

# Line number of the first line matching the ERE after line $2 (0 = none).
line_of() {
	local n
	n=$(awk -v from="${2:-0}" -v re="$1" 'NR > from && $0 ~ re { print NR; exit }' "$VM_LOG")
	echo "${n:-0}"
}

# expect RE [WHAT]: the serial log has a line matching RE after the previous
# expect's line (markers must come in order). Sets VM_AT to its line.
VM_AT=0
expect() {
	local n
	n=$(line_of "$1" "$VM_AT")
	if [ "$n" = 0 ]; then
		if [ "$(line_of "$1" 0)" != 0 ]; then
			fail "${2:-/$1/} appears, but not after line $VM_AT"
		else
			fail "${2:-/$1/} missing from the serial log"
		fi
		return 1
	fi
	VM_AT=$n
	return 0
}
expect_reset() { VM_AT=0; }

# How many lines match RE.
count_of() { grep -caE -- "$1" "$VM_LOG" || true; }

# Seconds between two marks (empty if either was not seen).
mark_delta() {
	local a=${VM_MARK[$1]:-} b=${VM_MARK[$2]:-}
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }'
}

# After a failure, show what the console said.
vm_finish() {
	local summary=$1
	if [ ${#VM_FAILS[@]} -eq 0 ]; then
		echo "RESULT: PASS $VM_NAME: $summary${VM_NOTES:+ (${VM_NOTES[*]})}"
		exit 0
	fi
	echo "---- last 60 lines of the serial log ($VM_LOG) ----"
	tail -60 "$VM_LOG" 2>/dev/null
	echo "----"
	echo "RESULT: FAIL $VM_NAME: ${VM_FAILS[*]}"
	exit 1
}

# The scenario lines every takeover test starts with. First boot only: on a
# later boot of the same disk (after 'return' or a dead-man revert, which
# restart the original init without a kernel reboot) it prints
# SCENARIO-AFTER-RETURN and powers off.
scenario_prologue() {
	cat <<'EOF'
#!/bin/sh
echo SCENARIO-START
if [ -e /var/lib/lb-e2e/first-boot-done ]; then
	echo "SCENARIO-AFTER-RETURN pid1=$(cat /proc/1/comm)"
	lb-poweroff
	exit 0
fi
mkdir -p /var/lib/lb-e2e
echo done >/var/lib/lb-e2e/first-boot-done
sync
echo SCENARIO-TAKEOVER
EOF
}
# After the takeover command. Status 0: lifeboat is PID 1 now and will kill
# this script with the rest of the old userland, so wait for that (a
# poweroff here would race with lifeboat's run). Otherwise power off.
scenario_epilogue() {
	cat <<'EOF'
st=$?
echo "SCENARIO-TAKEOVER-EXIT status=$st"
[ $st = 0 ] && exec sleep 3600
lb-poweroff
EOF
}

# Common checks of the takeover markers (agreed with src/rescue).
expect_takeover_start() { # INIT
	expect 'SCENARIO-START' "scenario start (image booted, hook ran)" || return 1
	expect 'SCENARIO-TAKEOVER$' "scenario reached takeover" || return 1
	if [ "$(line_of 'SCENARIO-TAKEOVER-EXIT status=[1-9]' 0)" != 0 ]; then
		fail "lifeboat takeover failed: $(grep -a 'SCENARIO-TAKEOVER-EXIT' "$VM_LOG" | head -1)"
	fi
	expect "LIFEBOAT-PID1 pid=1 init=$1( |\$)" "LIFEBOAT-PID1 pid=1 init=$1" || return 1
	expect 'LIFEBOAT-ROOT-RELEASED secs=[0-9.]+ ram_kib=[0-9]+' "LIFEBOAT-ROOT-RELEASED secs= ram_kib=" || return 1
}

# lifeboat's name for each image's PID 1 (src/rescue/inits.c).
vm_init_name() {
	case $1 in
	openrc) echo openrc-init ;;
	*) echo "$1" ;;
	esac
}

# The per-init test: take over INIT's PID 1, release the root, fsck it
# read-only from RAM and power off.
takeover_fsck_test() { # INIT
	local init=$1 scen rel
	vm_setup "t_takeover_$init"
	scen=$VM_TMP/scenario.sh
	{
		scenario_prologue
		echo "lifeboat takeover --yes --carry /sbin/e2fsck --run 'e2fsck -f -n /dev/vda' --then poweroff"
		scenario_epilogue
	} >"$scen"
	LB_VM_MARKS="SCENARIO-START SCENARIO-TAKEOVER LIFEBOAT-PID1 LIFEBOAT-ROOT-RELEASED LIFEBOAT-RUN-EXIT" \
		vm_run "$init" "$scen" "${LB_VM_TIMEOUT:-420}"
	if expect_takeover_start "$(vm_init_name "$init")"; then
		expect 'LIFEBOAT-RUN-START cmd=.*e2fsck -f -n /dev/vda' "LIFEBOAT-RUN-START cmd=e2fsck ..."
		# e2fsck -n on a clean, unmounted fs: all passes, the summary line
		# and exit 0 (a mounted or dirty fs gives warnings and status 4/8).
		expect 'Pass 5: Checking group summary information' "e2fsck pass 5"
		# e2fsck names the fs by its label when it has one (ours: lbroot).
		expect '^(/dev/vda|lbroot): [0-9]+/[0-9]+ files \([0-9.]+% non-contiguous\), [0-9]+/[0-9]+ blocks' "e2fsck summary /dev/vda: N/M files"
		expect 'LIFEBOAT-RUN-EXIT status=0( |$)' "LIFEBOAT-RUN-EXIT status=0"
		expect 'LIFEBOAT-THEN action=poweroff' "LIFEBOAT-THEN action=poweroff"
		expect 'reboot: Power down' "kernel power down after LIFEBOAT-THEN"
		if [ "$(count_of 'is mounted|WARNING|UNEXPECTED INCONSISTENCY|needs_recovery')" != 0 ]; then
			fail "e2fsck saw a mounted or inconsistent fs: $(grep -aE 'is mounted|WARNING|UNEXPECTED|needs_recovery' "$VM_LOG" | head -2 | tr '\n' ' ')"
		fi
	fi
	[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
	[ "$(count_of 'Linux version [0-9]')" = 1 ] || fail "kernel booted $(count_of 'Linux version [0-9]') times"
	rel=$(grep -aoE 'LIFEBOAT-ROOT-RELEASED secs=[0-9.]+' "$VM_LOG" | head -1 | sed 's/.*secs=//')
	vm_finish "$init: boot=${VM_MARK[SCENARIO-START]:-?}s takeover-to-released=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED)s (lifeboat secs=${rel:-?}) vm=${VM_SECS}s"
}
