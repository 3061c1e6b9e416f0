# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Host side of the VM harness: builds the guest's initramfs in two layers.
# Sourced by tests/vm/run after scripts/lib.sh; never runs in the guest.
#
#   base  (heavy, cached per kernel): busybox, the host's real tools with
#         their shared libraries, /etc basics, and the kernel's own module
#         closure for netfilter, NAT, veth... with depmod run.
#   run   (small, rebuilt every run): /init, ctfailover.ko with a fresh
#         depmod, the project's userspace binaries, the repo's tests/, the
#         script and its arguments.
#
# Linux unpacks concatenated cpio archives in order, later entries replacing
# earlier files, so the VM gets `cat base run` as its initrd. The run layer
# only ever writes below /usr, /ctf, /ctf-run and /init: on 5.10 the
# unpacker lstat()s, so a "lib" directory entry would replace the merged-usr
# symlink /lib -> usr/lib instead of going through it.

VM_DIR=$CTF_TOP/tests/vm

# Host tools copied into every guest, by command name. Real iproute2 and kmod
# rather than busybox applets: scenarios use `ip netns`, nft autoloads its
# expressions through /sbin/modprobe, and 6.12 ships .ko.xz modules.
VM_TOOLS=(bash ip genl ss tc bridge nft conntrack conntrackd sipp keepalived kmod
	modprobe insmod rmmod lsmod depmod modinfo)

# Module roots (relative to lib/modules/KVER); modprobe -D adds each one's
# dependencies. Generous on purpose: a scenario should never miss a module.
VM_MODULE_ROOTS=(kernel/net/netfilter kernel/net/ipv4/netfilter
	kernel/net/ipv6/netfilter kernel/net/bridge kernel/net/sched
	kernel/net/8021q kernel/drivers/net/veth kernel/drivers/net/dummy
	kernel/drivers/net/macvlan kernel/drivers/net/ipvlan
	kernel/drivers/net/bonding kernel/drivers/net/vxlan)

# The repo directories a scenario may need, copied to /ctf in the guest.
# shellcheck disable=SC2034 # used by tests/vm/run
VM_REPO_DIRS=(tests scripts nft examples)

vm_log() { printf 'vm: %s\n' "$*" >&2; }

# Where a host file goes in a merged-usr guest: the directory resolved
# (/lib/x86_64-linux-gnu -> /usr/lib/x86_64-linux-gnu), the name kept (the
# soname, which is what the dynamic loader looks for).
vm_guest_path() {
	local d
	d=$(realpath "$(dirname "$1")")
	echo "$d/$(basename "$1")"
}

# Shared libraries an ELF file needs, as ldd resolves them on the host.
vm_libs_of() {
	# "libc.so.6 => /lib/.../libc.so.6 (0x...)" and "/lib64/ld-linux... (0x...)";
	# static binaries print "not a dynamic executable" on stderr.
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# Copy one host file into ROOT at its guest path, recreating any symlink
# chain (modprobe -> /bin/kmod) so multi-call binaries keep working.
vm_install_file() {
	local root=$1 src=$2 dst t
	while [[ -L $src ]]; do
		dst=$root$(vm_guest_path "$src")
		mkdir -p "$(dirname "$dst")"
		[[ -e $dst || -L $dst ]] || ln -s "$(readlink "$src")" "$dst"
		t=$(readlink "$src")
		[[ $t == /* ]] || t=$(dirname "$src")/$t
		src=$t
	done
	dst=$root$(vm_guest_path "$src")
	mkdir -p "$(dirname "$dst")"
	cp -L --preserve=mode "$src" "$dst"
}

# vm_install_elf ROOT FILE [SKIPROOT]: the file and its library closure.
# Libraries already present in SKIPROOT (the base layer) are left out.
vm_install_elf() {
	local root=$1 f=$2 skip=${3:-} lib
	vm_install_file "$root" "$f"
	for lib in $(vm_libs_of "$f"); do
		[[ -n $skip && -e $skip$(vm_guest_path "$lib") ]] && continue
		vm_install_file "$root" "$lib"
	done
}

# Every host file the base layer copies: hashed into the cache key, so a
# package upgrade on the host rebuilds the base.
vm_base_host_files() {
	local t p
	for t in "${VM_TOOLS[@]}"; do
		p=$(command -v "$t") || { vm_log "missing host tool '$t' (run scripts/setup)"; return 1; }
		echo "$p"
		vm_libs_of "$p"
	done
	command -v busybox
}

# The module files (absolute paths) of the closure of VM_MODULE_ROOTS: a
# root is a directory or a module path without its .ko / .ko.xz suffix.
vm_module_closure() {
	local kroot=$1 kver=$2 moddir names r
	moddir=$kroot/lib/modules/$kver
	names=$(cd "$moddir" && for r in "${VM_MODULE_ROOTS[@]}"; do
		if [[ -d $r ]]; then find "$r" -name '*.ko*'; else compgen -G "$r.ko*" || true; fi
	done | sed 's#.*/##; s#\.ko\(\.[a-z]*\)\{0,1\}$##' | sort -u)
	[[ -n $names ]] || { vm_log "no module of VM_MODULE_ROOTS in $moddir"; return 1; }
	# shellcheck disable=SC2086
	modprobe -d "$kroot" -S "$kver" -a -D $names |
		awk '$1 == "insmod" { print $2 }' | sort -u
}

# The cache key of the base layer: kernel, builder, host files, modules.
vm_base_key() {
	local kroot=$1 kver=$2
	{
		echo "$kver"
		printf '%s\n' "${VM_TOOLS[@]}" "${VM_MODULE_ROOTS[@]}"
		sha256sum "$VM_DIR/lib/initramfs.sh" "$kroot/lib/modules/$kver/modules.dep"
		vm_base_host_files | sort -u | xargs sha256sum
	} | sha256sum | cut -c1-16
}

vm_write_etc() {
	local root=$1
	mkdir -p "$root/etc/modprobe.d"
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n' >"$root/etc/nsswitch.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
	cp /etc/services /etc/protocols "$root/etc/"
	# iproute2 reads its name tables from here (rt_tables, rt_protos...).
	[[ ! -d /etc/iproute2 ]] || cp -a /etc/iproute2 "$root/etc/"
	[[ ! -d /usr/share/iproute2 ]] || { mkdir -p "$root/usr/share" && cp -a /usr/share/iproute2 "$root/usr/share/"; }
	# Enough terminfo for bash and sipp's curses screen on a serial line.
	local t
	for t in d/dumb l/linux v/vt100 v/vt102 v/vt220 x/xterm; do
		[[ ! -e /usr/share/terminfo/$t ]] && [[ ! -e /usr/lib/terminfo/$t ]] && continue
		mkdir -p "$root/usr/share/terminfo/${t%/*}"
		cp -L "/usr/share/terminfo/$t" "$root/usr/share/terminfo/$t" 2>/dev/null ||
			cp -L "/usr/lib/terminfo/$t" "$root/usr/share/terminfo/$t"
	done
}

# busybox for everything else; its applets never shadow a real tool.
vm_install_busybox() {
	local root=$1 bb a
	bb=$(command -v busybox)
	# The init and poweroff need it before any library could be found.
	if ldd "$bb" >/dev/null 2>&1; then
		vm_log "warning: $bb is dynamically linked; install busybox-static"
	fi
	vm_install_elf "$root" "$bb"
	for a in $(busybox --list-full); do
		[[ -e $root/usr/bin/${a##*/} || -e $root/usr/sbin/${a##*/} ]] && continue
		case "$a" in
		sbin/* | usr/sbin/*) ln -s /usr/bin/busybox "$root/usr/sbin/${a##*/}" ;;
		*) ln -s /usr/bin/busybox "$root/usr/bin/${a##*/}" ;;
		esac
	done
}

vm_install_modules() {
	local root=$1 kroot=$2 kver=$3 m rel n=0
	local src=$kroot/lib/modules/$kver dst=$root/usr/lib/modules/$kver
	mkdir -p "$dst"
	for m in $(vm_module_closure "$kroot" "$kver"); do
		rel=${m#"$src"/}
		mkdir -p "$dst/$(dirname "$rel")"
		cp "$m" "$dst/$rel"
		n=$((n + 1))
	done
	((n > 0)) || { vm_log "no modules found in $src"; return 1; }
	cp "$src"/modules.order "$src"/modules.builtin "$src"/modules.builtin.modinfo "$dst/"
	depmod -b "$root/usr" "$kver"
	vm_log "base for $kver: $n modules"
}

# vm_build_base ROOT KROOT KVER: the base layer's tree.
vm_build_base() {
	local root=$1 kroot=$2 kver=$3 t p d
	mkdir -p "$root"/{dev,proc,sys,tmp,run,root,var,usr/bin,usr/sbin,usr/lib,usr/lib64}
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
	ln -s ../run "$root/var/run"
	ln -s ../tmp "$root/var/tmp"
	# The kernel opens /dev/console for init before devtmpfs is mounted.
	if [[ $(id -u) == 0 ]]; then
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi
	for t in "${VM_TOOLS[@]}"; do
		p=$(command -v "$t")
		vm_install_elf "$root" "$p"
	done
	vm_install_busybox "$root"
	vm_write_etc "$root"
	vm_install_modules "$root" "$kroot" "$kver"
}

vm_cpio() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet); }

# vm_base SERIES: path of the cached base layer for the series' kernel,
# building it if missing. The unpacked tree stays beside the archive: the
# run layer's depmod needs the module files, and it helps debugging.
vm_base() {
	local series=$1 kroot kver key dir old lock
	kroot=$("$CTF_TOP/scripts/kernels" root "$series")
	kver=$("$CTF_TOP/scripts/kernels" kver "$series")
	key=$(vm_base_key "$kroot" "$kver")
	dir=$CTF_CACHE/vm/$kver-$key
	if [[ ! -f $dir/base.cpio.zst ]]; then
		mkdir -p "$CTF_CACHE/vm"
		# One builder per kernel; a concurrent run waits, then reuses it.
		exec {lock}>"$CTF_CACHE/vm/$kver.lock"
		flock "$lock"
		if [[ ! -f $dir/base.cpio.zst ]]; then
			vm_log "building base initramfs for $kver (cached in $dir)"
			rm -rf "$dir.tmp"
			mkdir -p "$dir.tmp"
			vm_build_base "$dir.tmp/root" "$kroot" "$kver"
			vm_cpio "$dir.tmp/root" | zstd -q -T0 -10 >"$dir.tmp/base.cpio.zst"
			# Older bases of this kernel are stale now.
			for old in "$CTF_CACHE/vm/$kver"-*; do
				[[ $old == *.tmp ]] || rm -rf "$old"
			done
			mv "$dir.tmp" "$dir"
		fi
		exec {lock}>&-
	fi
	echo "$dir"
}

# The ELF vmlinux inside a bzImage, when it can boot through PVH. A bzImage
# spends ~3 s of every TCG boot decompressing itself; QEMU starts an ELF
# kernel with a PVH entry note (CONFIG_PVH, on in every Debian kernel of the
# matrix) directly, so the payload is decompressed once here and cached.
# Falls back to the bzImage (slower, same kernel) if anything is off.
vm_extract_vmlinux() {
	local bz=$1 out=$2 magic off
	for magic in '\xfd7zXZ\x00' '\x28\xb5\x2f\xfd' '\x1f\x8b\x08'; do
		for off in $(LC_ALL=C grep -obUaP "$magic" "$bz" | cut -d: -f1 | head -n 3); do
			# Trailing bzImage bytes after the stream make the tools
			# complain; the ELF check below is what decides.
			tail -c +$((off + 1)) "$bz" | case "$magic" in
			*7zXZ*) xz -dcq --single-stream ;;
			*x28*) zstd -dcq ;;
			*) gzip -dcq ;;
			esac >"$out" 2>/dev/null || true
			# Note type 0x12 is XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry.
			if readelf -n "$out" 2>/dev/null | grep -q 'note type: (0x00000012)'; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# vm_kernel SERIES: the kernel image to boot (cached vmlinux, or bzImage).
vm_kernel() {
	local series=$1 kroot kver bz out
	kroot=$("$CTF_TOP/scripts/kernels" root "$series")
	kver=$("$CTF_TOP/scripts/kernels" kver "$series")
	bz=$kroot/boot/vmlinuz-$kver
	out=$CTF_CACHE/vm/vmlinux-$kver-$(sha256sum "$bz" | cut -c1-16)
	if [[ ! -f $out ]]; then
		mkdir -p "$CTF_CACHE/vm"
		if vm_extract_vmlinux "$bz" "$out.tmp.$$"; then
			mv -f "$out.tmp.$$" "$out"
		else
			vm_log "warning: no PVH vmlinux in $bz; booting the bzImage (slower)"
			echo "$bz"
			return 0
		fi
	fi
	echo "$out"
}
