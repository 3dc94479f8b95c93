#!/usr/bin/env bash
# t_ovmf_pxe6_proxy with Kea (kea-dhcp6, radvd for the RAs) as the LAN's
# stateful DHCPv6 server instead of dnsmasq: Kea assigns the address,
# lifeboat's proxy Advertise and udp/4011 Reply give EDK2's IPv6 PXE its
# boot file, loaded over TFTP/IPv6 until GRUB starts. See t_ovmf_pxe6.sh.
LB_E2E_PXE6_MODE=proxy LB_E2E_PXE6_BOOT=grub LB_E2E_PXE6_ROUTER=kea \
	exec bash "$(dirname "$0")/t_ovmf_pxe6.sh"
