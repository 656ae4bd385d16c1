#!/bin/sh
# Installs the Debian packages the local nested-Xen testbed needs (Debian 12),
# on top of the qemu testbed's (QEMU, busybox, kernel, OpenSSH, gcc).
# Keep this list equal to XEN_LOCAL_PACKAGES in local/prereq.ts.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
sh "$HERE/../qemu/install-packages.sh"
PACKAGES="xen-hypervisor-4.17-amd64 xen-utils-4.17 dropbear-bin cpio socat"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# Installing the hypervisor package only adds a GRUB entry; nothing here boots Xen on this host.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $PACKAGES
