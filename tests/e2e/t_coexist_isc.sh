#!/usr/bin/env bash
# Proxy mode beside ISC dhcpd as the router, which also names a boot file of
# its own (next-server itself + filename, no TFTP there): a SeaBIOS + iPXE
# ROM client and then an OVMF (EDK2 PXE) client boot through lifeboat. See
# tests/e2e/coexist-boot.
LB_ROUTER=isc LAB_ROUTER_BOOTFILE=${LAB_ROUTER_BOOTFILE-router-boot.kpxe} \
	exec bash "$(dirname "$0")/coexist-boot"
