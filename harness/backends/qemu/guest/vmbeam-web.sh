#!/bin/busybox sh
# Fig. 7 guest: NIC and web server; nothing unless the command line has vmbeam.ip=ADDRESS/PREFIX.
read -r cmdline < /proc/cmdline
address=""
for word in $cmdline; do
  case "$word" in vmbeam.ip=*) address="${word#vmbeam.ip=}" ;; esac
done
[ -n "$address" ] || exit 0
fail() { echo "VMBEAM-ERROR web guest: $1"; exit 1; }
/bin/busybox insmod /lib/modules/e1000.ko || fail "insmod e1000 failed"
/bin/busybox ip link set lo up || fail "lo up failed"
/bin/busybox ip addr add "$address" dev eth0 || fail "no eth0 (is the NIC model e1000?)"
/bin/busybox ip link set eth0 up || fail "eth0 up failed"
/bin/busybox httpd -p 80 -h /www || fail "httpd failed to start"
echo "VMBEAM-WEB ip=$address port=80"
