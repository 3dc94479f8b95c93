#!/usr/bin/env python3
"""Raspberry Pi DHCPDISCOVERs, rebuilt byte for byte from the Raspberry Pi
documentation (no Pi in the lab to capture from):

rpi3-doc-discover.bin: the tcpdump of a Pi 3 boot ROM in
  documentation/asciidoc/computers/raspberry-pi/boot-net.adoc ("DHCP Request /
  Reply"): xid 0x26f30339, flags 0, chaddr b8:27:eb:28:f6:6d, options 53
  Discover, 55 (12: 43 60 67 128-135 66), 93 = 0, 94 = 1.2.1, 97 (17: 0 then
  16 x 68), 60 "PXEClient:Arch:00000:UNDI:002001"; BOOTP length 320.
rpi4-doc-discover.bin: a Pi 4 EEPROM bootloader as eeprom-bootloader.adoc
  describes it: the same vendor class and arch 0, option 97 in the
  DHCP_OPTION97 default format (type 0, FourCC "RPi4" = 0x34695052 little
  endian, board revision 0x00c03111, the low 4 bytes of the MAC, serial
  0x9ffefdef) with the docs' example MAC dc:a6:32:01:36:c2; option 55 as in a
  published Pi 5 EEPROM capture (1 3 43 60 66 67 128-135).
Run from this directory: ./mk-rpi.py
"""
import struct


def discover(xid, mac, opts):
    hdr = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0) + bytes(16)
    hdr += mac + bytes(10) + bytes(64) + bytes(128)
    return hdr + b"\x63\x82\x53\x63" + opts + b"\xff"


def opt(code, data):
    return bytes([code, len(data)]) + data


VC = b"PXEClient:Arch:00000:UNDI:002001"

pi3 = discover(0x26F30339, bytes.fromhex("b827eb28f66d"),
               opt(53, b"\x01")
               + opt(55, bytes([43, 60, 67, 128, 129, 130, 131, 132, 133, 134, 135, 66]))
               + opt(93, b"\x00\x00") + opt(94, b"\x01\x02\x01")
               + opt(97, b"\x00" + b"\x44" * 16) + opt(60, VC))
assert len(pi3) == 320, len(pi3)
open("rpi3-doc-discover.bin", "wb").write(pi3)

mac4 = bytes.fromhex("dca6320136c2")
guid4 = (b"\x00" + struct.pack("<I", 0x34695052) + struct.pack("<I", 0x00C03111)
         + mac4[2:] + struct.pack("<I", 0x9FFEFDEF))
assert guid4[1:5] == b"RPi4" and len(guid4) == 17
pi4 = discover(0x5A1B2C3D, mac4,
               opt(53, b"\x01")
               + opt(55, bytes([1, 3, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135]))
               + opt(93, b"\x00\x00") + opt(94, b"\x01\x02\x01")
               + opt(97, guid4) + opt(60, VC))
open("rpi4-doc-discover.bin", "wb").write(pi4)
