#!/usr/bin/env bash
# lifeboat takeover --run true --then return: lifeboat becomes PID 1, frees the
# root, runs the command, then gives the machine back: the original init
# starts again on the same kernel (no reboot) and runs the scenario a second
# time, which sees the file its first run left on the root disk.
# The image's init is $LB_TAKEOVER_INIT (default systemd).
. "$(dirname "$0")/vm/lib.sh"
init=${LB_TAKEOVER_INIT:-systemd}
vm_setup t_takeover_return
scen=$VM_TMP/scenario.sh
{
	scenario_prologue
	echo "lifeboat takeover --yes --run true --then return"
	scenario_epilogue
} >"$scen"
LB_VM_MARKS="SCENARIO-START SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED LIFEBOAT-RETURNED SCENARIO-AFTER-RETURN" \
	vm_run "$init" "$scen" "${LB_VM_TIMEOUT:-480}"
if expect_takeover_start "$(vm_init_name "$init")"; then
	expect 'LIFEBOAT-RUN-START cmd=true' "LIFEBOAT-RUN-START cmd=true"
	expect 'LIFEBOAT-RUN-EXIT status=0( |$)' "LIFEBOAT-RUN-EXIT status=0"
	expect 'LIFEBOAT-THEN action=return' "LIFEBOAT-THEN action=return"
	expect 'LIFEBOAT-RETURNED' "LIFEBOAT-RETURNED"
	expect 'SCENARIO-START' "scenario started again by the original init"
	expect 'SCENARIO-AFTER-RETURN' "SCENARIO-AFTER-RETURN (first run's file found on the root disk)"
fi
banners=$(count_of 'Linux version [0-9]')
[ "$banners" = 1 ] || fail "kernel booted $banners times: return must not reboot"
[ "$VM_END" = poweroff ] || fail "VM ended by '$VM_END', not poweroff"
vm_finish "$init: takeover-to-released=$(mark_delta SCENARIO-TAKEOVER LIFEBOAT-ROOT-RELEASED)s released-to-returned=$(mark_delta LIFEBOAT-ROOT-RELEASED LIFEBOAT-RETURNED)s returned-to-scenario=$(mark_delta LIFEBOAT-RETURNED SCENARIO-AFTER-RETURN)s vm=${VM_SECS}s"
