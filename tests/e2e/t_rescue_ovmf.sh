#!/usr/bin/env bash
# `lifeboat serve --rescue-file` netboots an OVMF (UEFI) client, EDK2's own
# PXE then iPXE (snponly.efi), with a virtio ext4 disk into the rescue image
# that `lifeboat mkrescue --from` built from a Debian root with
# linux-image-amd64; SSH login, e2fsck, phone home, two lease renewals.
# See lib_rescue.sh.
. "$(dirname "$0")/lib_rescue.sh"
lab_require_file /usr/share/OVMF/OVMF_CODE.fd /usr/lib/ipxe/snponly.efi
mac=$(lab_mac 2)
rescue_setup "$mac"
serial=$LAB_DIR/ovmf.log
qemu_ovmf_pxe ovmf "$mac" "$serial" -m 1024 \
	-drive "file=$LAB_DIR/disk.img,if=virtio,format=raw"
rescue_check ovmf "$mac" "$serial"
lab_pass "rescue via OVMF PXE + iPXE: $RESCUE_RESULT"
