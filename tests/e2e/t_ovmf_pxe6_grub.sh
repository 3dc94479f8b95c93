#!/usr/bin/env bash
# IPv6 netboot through GRUB: OVMF PXEv6, lifeboat stateful DHCPv6, Debian's
# signed grubnetx64.efi, then grub.cfg, kernel and initrd over TFTP/IPv6.
# See t_ovmf_pxe6.sh.
LB_E2E_PXE6_BOOT=grub exec bash "$(dirname "$0")/t_ovmf_pxe6.sh"
