#!/usr/bin/env bash
# Dead-man switch: lifeboat takeover --revert-after 20 --then shell, and nobody
# runs 'lifeboat confirm'. After 20 s PID 1 must print LIFEBOAT-REVERT
# reason=deadman and give the machine back to the original init (the scenario
# then runs a second time on the same kernel) or, if that fails, reboot
# (-no-reboot makes QEMU exit). Either passes; the RESULT line says which.
# The image's init is $LB_TAKEOVER_INIT (default systemd).
. "$(dirname "$0")/vm/lib.sh"
init=${LB_TAKEOVER_INIT:-systemd}
vm_setup t_takeover_revert
scen=$VM_TMP/scenario.sh
{
	scenario_prologue
	echo "lifeboat takeover --yes --revert-after 20 --then shell"
	scenario_epilogue
} >"$scen"
LB_VM_MARKS="SCENARIO-START SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED LIFEBOAT-REVERT SCENARIO-AFTER-RETURN" \
	vm_run "$init" "$scen" "${LB_VM_TIMEOUT:-480}"
how=none
if expect_takeover_start "$(vm_init_name "$init")"; then
	expect 'LIFEBOAT-THEN action=shell' "LIFEBOAT-THEN action=shell"
	if expect 'LIFEBOAT-REVERT reason=deadman' "LIFEBOAT-REVERT reason=deadman"; then
		[ "$(line_of 'LIFEBOAT-CONFIRMED' 0)" = 0 ] || fail "LIFEBOAT-CONFIRMED without anyone confirming"
		banners=$(count_of 'Linux version [0-9]')
		if [ "$(line_of 'SCENARIO-AFTER-RETURN' "$VM_AT")" != 0 ]; then
			how=returned
			expect 'LIFEBOAT-RETURNED' "LIFEBOAT-RETURNED after the revert"
			expect 'SCENARIO-AFTER-RETURN' "original system back"
			[ "$banners" = 1 ] || fail "returned, but the kernel booted $banners times"
			[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
		elif [ "$VM_END" = reboot ]; then
			how=rebooted
		else
			fail "after LIFEBOAT-REVERT neither the original system came back nor the VM rebooted (VM ended by '$VM_END')"
		fi
		# The dead-man must not fire much before its time.
		d=$(mark_delta LIFEBOAT-ROOT-RELEASED LIFEBOAT-REVERT)
		if [ -n "$d" ] && awk -v d="$d" 'BEGIN { exit !(d < 10) }'; then
			fail "revert came ${d}s after the release, expected about 20s"
		fi
	fi
fi
vm_finish "$init: reverted and $how; released-to-revert=$(mark_delta LIFEBOAT-ROOT-RELEASED LIFEBOAT-REVERT)s vm=${VM_SECS}s"
