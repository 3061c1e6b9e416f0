#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging: `dkms build` of this checkout against a kernel of the
# matrix (default 6.1), in private dkms/source trees so the system's
# /var/lib/dkms is never touched. Asserts the module is built for that
# kernel and that dkms.conf's PACKAGE_VERSION is the module's version.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

series=${1:-6.1}
kver=$("$CTF_TOP/scripts/kernels" kver "$series")
kdir=$("$CTF_TOP/scripts/kernels" kdir "$series")
pkgver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$CTF_TOP/dkms.conf")
modver=$(sed -n 's/^#define CTFAILOVER_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$CTF_TOP/kmod/uapi/ctfailover.h")
[[ $pkgver == "$modver" ]] ||
	ctf_die "dkms.conf PACKAGE_VERSION $pkgver != CTFAILOVER_VERSION $modver"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src="$tmp/src/ctfailover-$pkgver"
mkdir -p "$src" "$tmp/tree"
cp -r "$CTF_TOP/Kbuild" "$CTF_TOP/kmod" "$CTF_TOP/dkms.conf" "$src/"

dkms build "ctfailover/$pkgver" -k "$kver" --kernelsourcedir "$kdir" \
	--dkmstree "$tmp/tree" --sourcetree "$tmp/src" >"$tmp/log" 2>&1 || {
	cat "$tmp/log"
	ctf_die "dkms build failed"
}
ko=$(find "$tmp/tree" -name 'ctfailover.ko*' | head -n 1)
[[ -n $ko ]] || ctf_die "dkms build produced no ctfailover.ko"
vermagic=$(modinfo -F vermagic "$ko")
version=$(modinfo -F version "$ko")
[[ $vermagic == "$kver "* ]] || ctf_die "vermagic '$vermagic' is not for $kver"
[[ $version == "$pkgver" ]] || ctf_die "module version '$version' != $pkgver"
echo "dkms built ctfailover $version for $kver"
