# SPDX-License-Identifier: GPL-2.0
#
# kunit.py --qemu_config for ctfailover: the tree's qemu_configs/x86_64.py
# plus an explicit TCG accelerator, because KVM is unusable (it hangs) on
# the machines that run `make check`. kunit.py loads this file as if it sat
# in tools/testing/kunit/qemu_configs/, hence the relative import.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0',
			   # qboot is faster than SeaBIOS (qemu-system-data ships it).
			   extra_qemu_params=['-accel', 'tcg', '-bios', 'qboot.rom'])
