#!/bin/sh
# Builds the local nested-Xen testbed's images from installed Debian packages
# (called by images.ts, which caches the result by package versions):
#   $OUT/xen         Xen 4.17 as a multiboot ELF (QEMU's -kernel cannot boot the .gz)
#   $OUT/guest.cpio  the guest's initramfs: busybox + the static workload as /init's helper
#   $OUT/dom0.cpio   the guest Dom0's initramfs: busybox, the Xen toolstack, OpenSSH's
#                    client, dropbear, iproute2, socat, each with its shared libraries,
#                    the Xen and NIC kernel modules, and the guest's kernel, initramfs
#                    and config under /guest. Keys are not in it: each run appends its own.
# Usage: build-images.sh OUT KVER
set -eu
OUT=$1; KVER=$2
HERE=$(cd "$(dirname "$0")" && pwd)
XENBIN=/usr/lib/xen-4.17/bin
WORK=$OUT/work
rm -rf "$WORK"; mkdir -p "$WORK"

skeleton() {  # merged-/usr root with busybox applets
  R=$1
  mkdir -p "$R/usr/bin" "$R/usr/sbin" "$R/usr/lib" "$R/usr/lib64" "$R/etc" "$R/proc" "$R/sys" "$R/dev" \
    "$R/tmp" "$R/run" "$R/root" "$R/var" "$R/mnt"
  ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
  ln -s ../run "$R/var/run"
  cp /bin/busybox "$R/usr/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    [ -e "$R/$applet" ] || [ -L "$R/$applet" ] || ln -s /usr/bin/busybox "$R/$applet"
  done
}
copy_path() {  # a file and every link on the way to it
  R=$1; f=$2
  while :; do
    mkdir -p "$R$(dirname "$f")"
    cp -a "$f" "$R$(dirname "$f")/"
    [ -L "$f" ] || break
    t=$(readlink "$f")
    case $t in /*) f=$t ;; *) f=$(dirname "$f")/$t ;; esac
  done
}
copy_binary() {  # binaries with their ldd closure; a busybox applet of the same name is replaced
  R=$1; shift
  for b in "$@"; do
    rm -f "$R$b"
    copy_path "$R" "$b"
    for lib in $(ldd "$b" 2>/dev/null | awk '/=>/ {print $3} /^\t\/lib/ {print $1}'); do
      [ -e "$lib" ] && copy_path "$R" "$lib"
    done
  done
}
pack() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$2"; }

zcat "/boot/xen-4.17-amd64.gz" > "$OUT/xen.tmp" && mv "$OUT/xen.tmp" "$OUT/xen"

# ---- the guest
G=$WORK/guest
skeleton "$G"
gcc -static -O2 -Wall -o "$G/usr/bin/vmbeam-workload" "$HERE/guest/workload.c"
cat > "$G/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
exec /usr/bin/vmbeam-workload
INIT
chmod +x "$G/init"
pack "$G" "$OUT/guest.cpio.tmp"

# ---- the guest Dom0
R=$WORK/dom0
skeleton "$R"
copy_binary "$R" $XENBIN/xl $XENBIN/xenstored $XENBIN/xenconsoled $XENBIN/xen-init-dom0 \
  $XENBIN/libxl-save-helper $XENBIN/xenstore-control $XENBIN/xentop \
  /usr/bin/xenstore-read /usr/bin/xenstore-write /usr/bin/xenstore-ls \
  /usr/bin/ssh /usr/sbin/dropbear /usr/sbin/ip /usr/bin/socat /usr/bin/timeout /usr/bin/dash
copy_path "$R" /lib/x86_64-linux-gnu/libgcc_s.so.1   # pthread_cancel dlopen()s it
ln -sf $XENBIN/xl "$R/usr/sbin/xl"
mkdir -p "$R/etc/xen" "$R/var/lib/xen" "$R/var/lib/xenstored" "$R/var/log/xen/console" "$R/etc/dropbear" "$R/root/.ssh"
cp -a /etc/xen/xl.conf /etc/xen/scripts "$R/etc/xen/"
: > "$R/modules.order"
for m in xenfs xen-evtchn xen-privcmd xen-gntdev xen-gntalloc e1000 virtio_pci virtio_net; do
  for ko in $(modprobe --show-depends -S "$KVER" "$m" | awk '$1=="insmod"{print $2}'); do
    copy_path "$R" "$ko"
    grep -qx "$ko" "$R/modules.order" || echo "$ko" >> "$R/modules.order"
  done
done
# root's login shell (what runs the harness's commands over ssh) is dash, not
# busybox ash: Debian's static busybox runs its own applets before PATH, so
# `timeout --kill-after` would reach busybox's timeout instead of coreutils'.
printf 'root:x:0:0:root:/root:/usr/bin/dash\n' > "$R/etc/passwd"
printf 'root:x:0:\n' > "$R/etc/group"
printf '/bin/sh\n/usr/bin/dash\n' > "$R/etc/shells"
printf 'hosts: files\npasswd: files\ngroup: files\n' > "$R/etc/nsswitch.conf"
mkdir -p "$R/guest"
cp "/boot/vmlinuz-$KVER" "$R/guest/vmlinuz"
cp "$OUT/guest.cpio.tmp" "$R/guest/guest.cpio"
cp "$HERE/guest/vmbeam.cfg" "$R/guest/vmbeam.cfg"
# xl migrate -s vmbeam-plain runs `exec vmbeam-plain <host> xl ... migrate-receive`:
# the stream goes over plain TCP to the socat listener dom0-init.sh starts,
# which runs the same receiver (the -nocipher systems).
printf '#!/bin/sh\nexec socat - "TCP:$1:8002"\n' > "$R/usr/bin/vmbeam-plain"; chmod +x "$R/usr/bin/vmbeam-plain"
cp "$HERE/dom0-init.sh" "$R/init"; chmod +x "$R/init"
pack "$R" "$OUT/dom0.cpio.tmp"
mv "$OUT/guest.cpio.tmp" "$OUT/guest.cpio"
mv "$OUT/dom0.cpio.tmp" "$OUT/dom0.cpio"
rm -rf "$WORK"
