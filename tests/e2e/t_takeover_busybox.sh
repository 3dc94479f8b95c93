#!/usr/bin/env bash
# lifeboat takeover on a Debian 12 VM whose PID 1 is busybox: lifeboat becomes
# PID 1, releases the root disk, runs 'e2fsck -f -n /dev/vda' on it clean
# from RAM, then powers the VM off. (Image and runner: tests/e2e/vm/.)
. "$(dirname "$0")/vm/lib.sh"
takeover_fsck_test busybox
