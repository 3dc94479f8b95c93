#!/usr/bin/env bash
# How the DHCP fixtures in tests/vectors/ were made: boots a QEMU client
# (SeaBIOS + iPXE ROM, or OVMF with EDK2's own PXE) on a bridge in a private
# namespace with no DHCP server and records what it broadcasts.
#   capture.sh bios|ovmf|httpboot|uboot|aavmf OUT.pcap [SECONDS]
# httpboot: OVMF with its PXE stack off (fw_cfg), so it does UEFI HTTP boot.
# uboot: Debian's u-boot-qemu (qemu_arm64) autoboots; its distro boot runs
# `dhcp` first with vendor class U-Boot.armv8 (arch 22), later with
# PXEClient:Arch:00011. aavmf: AAVMF's own PXE (arch 11).
# The .bin fixtures are the UDP payload of the first DISCOVER of each kind.
set -eu
kind=$1 out=$2 secs=${3:-25}
ns=lbcap-$$
cleanup() { ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.5; ip netns del "$ns" 2>/dev/null || true; rm -f /tmp/$ns-vars.fd; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add br0 type bridge
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" link set tap0 master br0
ip -n "$ns" link set br0 up; ip -n "$ns" link set tap0 up
ip netns exec "$ns" tcpdump -i br0 -w "$out" -U udp port 67 or udp port 4011 or udp port 547 >/dev/null 2>&1 &
sleep 1
case $kind in
  bios) dev="-device e1000,netdev=n0,mac=52:54:00:00:00:01"; fw="" ;;
  ovmf) cp /usr/share/OVMF/OVMF_VARS.fd /tmp/$ns-vars.fd
        fw="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd -drive if=pflash,format=raw,file=/tmp/$ns-vars.fd"
        dev="-device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:02,romfile=" ;;
  httpboot) cp /usr/share/OVMF/OVMF_VARS.fd /tmp/$ns-vars.fd
        fw="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd -drive if=pflash,format=raw,file=/tmp/$ns-vars.fd"
        fw="$fw -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no"
        dev="-device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:03,romfile=,bootindex=1" ;;
  uboot|aavmf) ;;
esac
case $kind in
  uboot) timeout "$secs" ip netns exec "$ns" qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg \
           -m 512 -display none -serial null -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin \
           -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
           -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:03,romfile= || true ;;
  aavmf) cp /usr/share/AAVMF/AAVMF_VARS.fd /tmp/$ns-vars.fd
         timeout "$secs" ip netns exec "$ns" qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg \
           -m 512 -display none -serial null \
           -drive if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd \
           -drive if=pflash,format=raw,file=/tmp/$ns-vars.fd \
           -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
           -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:04,romfile= || true ;;
  *) timeout "$secs" ip netns exec "$ns" qemu-system-x86_64 -accel tcg -m 256 -display none -serial null \
       $fw -netdev tap,id=n0,ifname=tap0,script=no,downscript=no $dev -boot n || true ;;
esac
sleep 1
