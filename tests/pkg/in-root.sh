#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside a brand-new Debian root (tests/pkg/check runs it through
# scripts/fresh-root): install the two packages with apt as an operator
# would, and check what they leave:
#
#   tests/pkg/in-root.sh DEBDIR OUTDIR SERIES=KVER...
#
#  - the headers of the first kernel, then both .debs: DKMS builds the
#    module for it in the package's postinst; the headers of every other
#    kernel after them: DKMS's kernel hook builds it for each;
#  - each module is for its kernel (vermagic) and of the packaged version;
#  - the unit passes systemd-analyze verify, man pages included, and is
#    enabled but waits for /etc/ctfailover/ctfailover.conf;
#  - the man pages are found by man; the example config passes --check;
#  - purging the packages takes their modules, programs and unit away.
# The installed binaries and each kernel's module go to OUTDIR (sbin/,
# SERIES/ctfailover.ko), for the VM layer to boot with (tests/vm/check).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
. "$CTF_TOP/tests/lib/expect.sh"

debdir=${1:?usage: in-root.sh DEBDIR OUTDIR SERIES=KVER...}
out=${2:?usage: in-root.sh DEBDIR OUTDIR SERIES=KVER...}
shift 2
(($#)) || ctf_die "no kernel given (SERIES=KVER)"
[[ ${CTF_FRESH_ROOT:-} == 1 ]] || ctf_die "runs only inside scripts/fresh-root (it installs packages)"
export DEBIAN_FRONTEND=noninteractive
apt_install() {
	apt-get install -y -q --no-install-recommends "$@" >>"$out/apt.log" 2>&1 || {
		tail -n 30 "$out/apt.log" >&2
		ctf_die "apt-get install $* failed (log: $out/apt.log)"
	}
}
mkdir -p "$out/sbin"
: >"$out/apt.log"
apt-get -q update >>"$out/apt.log" 2>&1 || ctf_die "apt-get update failed (log: $out/apt.log)"

version=$(dpkg-deb -f "$debdir"/ctfailover-dkms_*_all.deb Version)
first=${1#*=}
# man-db, systemd and xz-utils: for `man -w`, systemd-analyze and the
# compressed modules below, not needed
# by the packages.
apt_install "linux-headers-$first" man-db systemd xz-utils
apt_install "$debdir"/ctfailover-dkms_*_all.deb "$debdir"/ctfailoverd_*_amd64.deb
pass "apt installs ctfailover-dkms and ctfailoverd $version on a fresh root"
for sk in "${@:2}"; do apt_install "linux-headers-${sk#*=}"; done

for sk in "$@"; do
	series=${sk%%=*} kver=${sk#*=}
	# Compressed as the kernel's own modules are (6.12: .ko.xz).
	ko=$(compgen -G "/lib/modules/$kver/updates/dkms/ctfailover.ko*" | head -n 1) || {
		dkms status >&2 || true
		ctf_die "DKMS left no /lib/modules/$kver/updates/dkms/ctfailover.ko*"
	}
	[[ $(modinfo -F vermagic "$ko") == "$kver "* ]] || ctf_die "$ko: vermagic $(modinfo -F vermagic "$ko")"
	[[ $(modinfo -F version "$ko") == "$version" ]] || ctf_die "$ko: version $(modinfo -F version "$ko")"
	dkms status -m ctfailover -v "$version" -k "$kver" | grep -q ': installed' ||
		ctf_die "dkms status does not say installed for $kver: $(dkms status)"
	mkdir -p "$out/$series"
	case "$ko" in
	*.ko) cp "$ko" "$out/$series/ctfailover.ko" ;;
	*.xz) xz -dc "$ko" >"$out/$series/ctfailover.ko" ;;
	*.zst) zstd -qdc "$ko" >"$out/$series/ctfailover.ko" ;;
	*.gz) gzip -dc "$ko" >"$out/$series/ctfailover.ko" ;;
	*) ctf_die "$ko: unknown compression" ;;
	esac
	pass "DKMS built and installed ctfailover.ko $version for $kver"
done

systemd-analyze verify /lib/systemd/system/ctfailoverd.service
pass "the installed unit passes systemd-analyze verify (its man pages found)"
[[ $(systemctl is-enabled ctfailoverd.service) == enabled ]] ||
	ctf_die "ctfailoverd.service is not enabled after install"
grep -qx 'ConditionPathExists=/etc/ctfailover/ctfailover.conf' /lib/systemd/system/ctfailoverd.service
[[ ! -e /etc/ctfailover/ctfailover.conf ]] || ctf_die "the package put a config in /etc"
pass "the unit is enabled and waits for /etc/ctfailover/ctfailover.conf, which the package does not write"
for m in ctfailoverd.8 ctfailoverctl.8 ctfailover.conf.5 ctfailover.7; do
	man -w "${m##*.}" "${m%.*}" >/dev/null || ctf_die "man does not find ${m%.*}(${m##*.})"
done
pass "man finds ctfailoverd(8), ctfailoverctl(8), ctfailover.conf(5) and ctfailover(7)"
expect 0 "ok" -- ctfailoverd --check -c /usr/share/doc/ctfailoverd/examples/ctfailover.conf
for f in /usr/share/ctfailover/connlabel.conf /usr/share/ctfailover/ctfailover.rules.yml \
	/usr/share/doc/ctfailoverd/examples/keepalived.conf \
	/usr/share/doc/ctfailoverd/examples/conntrackd.conf; do
	[[ -s $f ]] || ctf_die "the package has no $f"
done
# keepalived runs it as root with enable_script_security: root's, not
# writable by others, executable.
[[ $(stat -c '%U %a' /usr/share/ctfailover/conntrackd-notify) == "root 755" ]] ||
	ctf_die "/usr/share/ctfailover/conntrackd-notify: $(stat -c '%U %a' /usr/share/ctfailover/conntrackd-notify 2>&1)"
pass "the connlabel bits, the alert rules, the keepalived and conntrackd examples and the notify script are installed"
cp /usr/sbin/ctfailoverd /usr/sbin/ctfailoverctl "$out/sbin/"

apt-get purge -y -q ctfailover-dkms >>"$out/apt.log" 2>&1
for sk in "$@"; do
	! compgen -G "/lib/modules/${sk#*=}/updates/dkms/ctfailover.ko*" >/dev/null ||
		ctf_die "purging ctfailover-dkms left the module of ${sk#*=}"
done
[[ ! -e /var/lib/dkms/ctfailover ]] || ctf_die "purging ctfailover-dkms left /var/lib/dkms/ctfailover"
apt-get purge -y -q ctfailoverd >>"$out/apt.log" 2>&1
for f in /usr/sbin/ctfailoverd /usr/sbin/ctfailoverctl /lib/systemd/system/ctfailoverd.service \
	/etc/systemd/system/multi-user.target.wants/ctfailoverd.service; do
	[[ ! -e $f ]] || ctf_die "purging ctfailoverd left $f"
done
pass "purging the packages removes their modules, DKMS tree, programs and unit"
# The root may be make check's own (CI): leave no kernel behind in it.
kpkgs=()
for sk in "$@"; do kpkgs+=("linux-headers-${sk#*=}" "linux-image-${sk#*=}"); done
apt-get purge -y -q "${kpkgs[@]}" >>"$out/apt.log" 2>&1 || true
