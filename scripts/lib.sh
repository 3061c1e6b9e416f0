# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers for scripts/ and tests/: paths, logging, the private
# bullseye apt directory. Sourced, never executed.

CTF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and kernel trees live outside the clone so reruns are fast; the
# scripts rebuild anything missing, so an empty cache is always fine.
CTF_CACHE=${CTF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctfailover}
CTF_BUILD=${CTF_BUILD:-$CTF_TOP/build}
# The kernel matrix, oldest first. Names are series, never ABI numbers:
# those are resolved from the package index at run time.
CTF_SERIES="5.10 6.1 6.12"

ctf_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
ctf_die() { ctf_log "error: $*"; exit 1; }

# apt for Debian bullseye without touching the system's sources: every
# state, cache and source path points into the cache directory.
ctf_bullseye_apt_dir() { echo "$CTF_CACHE/apt-bullseye"; }
ctf_bullseye_opts() {
	local d
	d=$(ctf_bullseye_apt_dir)
	echo "-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=$d/parts" \
	     "-o Dir::Etc::PreferencesParts=$d/parts -o Dir::State=$d/state" \
	     "-o Dir::State::status=$d/state/status -o Dir::Cache=$d/cache" \
	     "-o APT::Sandbox::User=root"
}
