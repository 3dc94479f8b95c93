#!/usr/bin/env bash
# Proxy mode beside ISC dhcpd as the router: a SeaBIOS + iPXE ROM client and
# then an OVMF (EDK2 PXE) client boot through lifeboat; then ISC also names
# a boot file of its own (next-server + filename) and the test shows which
# firmware still takes lifeboat's, and what `lifeboat probe` says. See
# tests/e2e/coexist-boot.
LB_ROUTER=isc LB_COEXIST_ROUTER_FILE=${LB_COEXIST_ROUTER_FILE-router-boot.kpxe} \
	exec bash "$(dirname "$0")/coexist-boot"
