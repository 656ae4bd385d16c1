#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/vmbeam-web
/bin/workload
echo "VMBEAM-ERROR workload exited with status $?"
while true; do /bin/busybox sleep 3600; done
