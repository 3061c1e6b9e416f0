#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The epoch ctfailoverd derives for an instance, computed apart from it.

    epoch.py ADDRESS [TOKEN] [down]

prints the epoch that TOKEN names for the instance at ADDRESS
(userspace/daemon/epoch.h; docs/architecture.md, "Epochs agree across load
balancers"): 1 + FNV-1a 64 of "ctfailover epoch 1", NUL, the address as
inet_ntop() writes it, NUL, the token, modulo 0xfffffe; with "down", its
twin 0xffffff - epoch. Tests compare what a daemon reports with it.
"""
import ipaddress
import sys

EPOCH_MAX = 0xFFFFFF


def fnv1a64(data, h=0xCBF29CE484222325):
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def derive(address, token=""):
    text = str(ipaddress.ip_address(address))
    data = b"ctfailover epoch 1\0" + text.encode() + b"\0" + token.encode()
    return 1 + fnv1a64(data) % (EPOCH_MAX - 1)


def main(argv):
    if not 2 <= len(argv) <= 4 or (len(argv) == 4 and argv[3] != "down"):
        sys.exit("usage: epoch.py ADDRESS [TOKEN] [down]")
    epoch = derive(argv[1], argv[2] if len(argv) > 2 else "")
    print(EPOCH_MAX - epoch if len(argv) == 4 else epoch)


if __name__ == "__main__":
    main(sys.argv)
