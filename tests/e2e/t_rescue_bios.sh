#!/usr/bin/env bash
# `lifeboat serve --rescue-file` netboots a SeaBIOS client (QEMU's e1000
# iPXE ROM) with a virtio ext4 disk into the rescue image that `lifeboat
# mkrescue --from` built from a Debian root with linux-image-amd64; the test
# logs in over SSH, checks the disk, reads the phone-home lines and sees
# the DHCP lease renewed twice. See lib_rescue.sh.
. "$(dirname "$0")/lib_rescue.sh"
mac=$(lab_mac 1)
rescue_setup "$mac"
serial=$LAB_DIR/bios.log
qemu_bios_ipxe bios "$mac" "$serial" -m 1024 \
	-drive "file=$LAB_DIR/disk.img,if=virtio,format=raw"
rescue_check bios "$mac" "$serial"
lab_pass "rescue via BIOS iPXE: $RESCUE_RESULT"
