#!/bin/sh
# Installs the Debian packages the QEMU testbed needs (Debian 12 / Ubuntu).
# Keep this list equal to DEBIAN_PACKAGES in prereq.ts.
set -eu
PACKAGES="qemu-system-x86 busybox-static linux-image-amd64 openssh-server openssh-client iproute2 gcc libc6-dev httperf"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
# --no-install-recommends keeps QEMU's GUI and firmware extras out.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $PACKAGES
