# Shared by scripts/bootstrap and scripts/check: install the Debian packages
# Whistler needs (build) and the ones its tests compare against (test).
# shellcheck shell=bash

BUILD_PACKAGES="build-essential cmake pkg-config libelf-dev zlib1g-dev"
TEST_PACKAGES="libcriterion-dev clang-19 llvm-19 bpftool libbpf-dev iproute2 libffi-dev python3 systemtap-sdt-dev strace"

# install_missing PKG...: apt-get install the packages that are not installed yet.
install_missing() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "installing: ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The BPF filesystem and tracefs, for the kernel tests.
mount_bpf_filesystems() {
	[ "$(id -u)" -eq 0 ] || return 0
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
}
