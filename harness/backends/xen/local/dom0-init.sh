#!/bin/sh
# /init of the local testbed's guest Dom0 (a PV Dom0 of Xen 4.17 in a cloud VM).
# Kernel command line, set by cloud-vm.ts (values use '/' and '+', since QEMU's
# -initrd splits multiboot modules on ',' and xl's config syntax dislikes ':'):
#   vmbeam.nic=<name>/<mac without colons>/<address/prefix>   one per NIC, renamed by MAC
#   vmbeam.host=<name>/<address>                              /etc/hosts entries
# Prints "vmbeam-dom0-ready" on the console when sshd and the toolstack are up.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /var/lock /var/log/xen/console
fail() { echo "vmbeam-dom0-failed $*"; while :; do sleep 3600; done; }

while read -r ko; do insmod "$ko" 2>/dev/null; done < /modules.order
mount -t xenfs xenfs /proc/xen || fail "cannot mount xenfs"
xenstored --pid-file /run/xenstored.pid || fail "xenstored did not start"
i=0; until xenstore-read / >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 300 ] && fail "xenstored does not answer"; sleep 0.2; done
xen-init-dom0 || fail "xen-init-dom0 failed"
# --log=guest: the guest's console lands in /var/log/xen/console/guest-<name>.log,
# where the backend waits for the guest's ready line.
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled did not start"

ip link set lo up
printf '127.0.0.1 localhost\n' > /etc/hosts
for word in $(cat /proc/cmdline); do
  case $word in
    vmbeam.nic=*)
      spec=${word#vmbeam.nic=}; name=${spec%%/*}; rest=${spec#*/}; mac=${rest%%/*}; addr=${rest#*/}; addr=$(echo "$addr" | tr + /)
      mac=$(echo "$mac" | sed 's/../&:/g; s/:$//')
      dev=
      for d in /sys/class/net/*; do [ "$(cat "$d/address")" = "$mac" ] && dev=${d##*/}; done
      [ -n "$dev" ] || fail "no NIC with MAC $mac"
      ip link set "$dev" name "$name" && ip link set "$name" up && ip addr add "$addr" dev "$name" || fail "cannot set up $name"
      ;;
    vmbeam.host=*)
      spec=${word#vmbeam.host=}; echo "${spec#*/} ${spec%%/*}" >> /etc/hosts ;;
  esac
done
ip route add default via 10.0.2.2 dev mgmt0 2>/dev/null

chmod 700 /root/.ssh; chmod 600 /root/.ssh/* 2>/dev/null
[ -f /etc/dropbear/dropbear_ed25519_host_key ] || fail "no host key (the run's keys.cpio is missing)"
# -W: dropbear's default 24 KiB receive window caps ssh at ~0.5 MiB/s here.
dropbear -r /etc/dropbear/dropbear_ed25519_host_key -s -p 22 -W 4194304 || fail "dropbear did not start"
# The -nocipher systems: the migration stream over plain TCP (see docs/xen-testbed.md).
socat TCP-LISTEN:8002,reuseaddr,fork EXEC:"xl -vvv migrate-receive" 2>>/var/log/xen/plain-receive.log &
echo "vmbeam-dom0-ready $(cut -d' ' -f1 /proc/uptime)"
# init must not exit (the kernel would panic); the console has no input to read.
while :; do sleep 3600; done
