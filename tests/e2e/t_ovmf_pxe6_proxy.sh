#!/usr/bin/env bash
# IPv6 netboot, proxy mode: the router's dnsmasq assigns IPv6 addresses
# (stateful DHCPv6), lifeboat only adds the boot part (EDK2's proxy Advertise
# and the udp/4011 Reply); the firmware loads and starts Debian's network
# GRUB over TFTP/IPv6. GRUB 2.06 (like Debian's iPXE) then reads only the
# DHCPv6 answers of the server that assigned its address, which name no boot
# file, so the proof ends at GRUB running. See t_ovmf_pxe6.sh.
LB_E2E_PXE6_MODE=proxy LB_E2E_PXE6_BOOT=grub exec bash "$(dirname "$0")/t_ovmf_pxe6.sh"
