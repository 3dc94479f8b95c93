#!/usr/bin/env bash
# Proxy mode beside Kea (kea-dhcp4) as the router: a SeaBIOS + iPXE ROM
# client and then an OVMF (EDK2 PXE) client boot through lifeboat. See
# tests/e2e/coexist-boot.
LB_ROUTER=kea exec bash "$(dirname "$0")/coexist-boot"
