#!/usr/bin/env bash
# IPv6 netboot, proxy mode: the router's dnsmasq assigns IPv6 addresses
# (stateful DHCPv6), lifeboat only adds the boot part (EDK2's proxy Advertise
# and the udp/4011 Reply). See t_ovmf_pxe6.sh.
LB_E2E_PXE6_MODE=proxy exec bash "$(dirname "$0")/t_ovmf_pxe6.sh"
