#!/usr/bin/env bash
# Runs benchmarks/run-load.sh inside a virtual machine of its own, for the measurements a machine's
# limits forbid: the idle20k row needs more than 20,000 open files in the server and in the driver,
# and where the hard limit is 20,000 and root may not raise it (no CAP_SYS_RESOURCE), a VM's own
# kernel has no such limit. Memory only: the VM is emulated (QEMU's TCG when /dev/kvm is absent),
# so its CPU figures say nothing about speed; heap and RSS per connection are the JVM's own.
#
# Usage: benchmarks/run-in-vm.sh [options] [-- run-load.sh arguments...]
#   --memory MB        the VM's memory (default 8192: two JVMs of 1 GB heap and 20,000 sockets)
#   --timeout MIN      the VM is stopped after MIN minutes whatever it is doing (default 240; the
#                      default run takes 30-40, each idle20k run 4-9 minutes under emulation)
#   --out FILE         where the JSON lines of the run go on the host (default
#                      benchmarks/target-vm/results.jsonl); the VM's log is beside it (vm.log)
#   run-load.sh's arguments default to: --no-build --runs 3 --server "baseline zocket" idle20k
# Environment: SERVER_JAVA_OPTS and DRIVER_JAVA_OPTS, when set, are passed on to run-load.sh in the
#   VM (e.g. SERVER_JAVA_OPTS="... -XX:+AlwaysPreTouch" for RSS per connection without the young
#   generation's first touch).
#
# What it does, each step kept in benchmarks/target-vm/ and skipped when already there:
#   1. debootstrap Debian bookworm (minbase) with OpenJDK 17's JDK (jcmd reads the heap), Python 3
#      (its whole standard library: run-load.sh and summarize.py read JSON)
#      and a kernel (linux-image-amd64) into target-vm/rootfs; needs debootstrap, qemu-system-x86
#      and e2fsprogs (apt-get install -y debootstrap qemu-system-x86 e2fsprogs), root, and Debian's
#      package mirror;
#   2. copies benchmarks.jar (built first unless it exists: mvn ... -pl benchmarks -am package),
#      run-load.sh and the logging setup into the image, with an init script that lifts the limit
#      of open files to 100,000, runs run-load.sh and powers the VM off;
#   3. boots it (2 CPUs, console on this terminal's log) and copies the JSON lines back.
# Only 127.0.0.1 inside the VM is used; the VM has no network device.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VM_DIR="$ROOT/benchmarks/target-vm"
BENCH_JAR="$ROOT/benchmarks/target-bench/benchmarks.jar"
memory=8192
timeout_min=240
out="$VM_DIR/results.jsonl"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --memory) memory=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --timeout) timeout_min=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0"; exit 0 ;;
    *) echo "unknown option $1 (run-load.sh's arguments go after --)" >&2; exit 2 ;;
  esac
done
load_args=("$@")
[[ ${#load_args[@]} -eq 0 ]] && load_args=(--no-build --runs 3 --server "baseline zocket" idle20k)

for tool in debootstrap qemu-system-x86_64 mkfs.ext4; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y debootstrap qemu-system-x86 e2fsprogs" >&2; exit 1; }
done
mkdir -p "$VM_DIR"
log() { echo "run-in-vm: $*" >&2; }

rootfs="$VM_DIR/rootfs"
if [[ ! -x $rootfs/usr/lib/jvm/java-17-openjdk-amd64/bin/jcmd || ! -f $rootfs/usr/lib/python3.11/json/__init__.py ]]; then
  log "debootstrap into $rootfs (a few minutes)"
  rm -rf "$rootfs"
  debootstrap --variant=minbase \
    --include=openjdk-17-jdk-headless,python3,linux-image-amd64,procps,iproute2,kmod,udev \
    bookworm "$rootfs" http://deb.debian.org/debian >"$VM_DIR/debootstrap.log" 2>&1 \
    || { tail -20 "$VM_DIR/debootstrap.log" >&2; exit 1; }
fi
if [[ ! -f $BENCH_JAR ]]; then
  log "building benchmarks.jar"
  mvn -B -q -DskipTests -Dzocket.out=target-bench -pl benchmarks -am package
fi

# The project's part of the image, fresh every time.
app="$rootfs/opt/zocket"
rm -rf "$app"
mkdir -p "$app/benchmarks/target-bench"
cp "$BENCH_JAR" "$app/benchmarks/target-bench/"
cp benchmarks/run-load.sh benchmarks/summarize.py benchmarks/logback-bench.xml "$app/benchmarks/"
printf '%q ' "${load_args[@]}" >"$app/load-args"
: >"$app/env"
for v in SERVER_JAVA_OPTS DRIVER_JAVA_OPTS; do
  [[ -n ${!v:-} ]] && printf 'export %s=%q\n' "$v" "${!v}" >>"$app/env"
done
cat >"$rootfs/zocket-init" <<'INIT'
#!/bin/bash
# PID 1 of the VM: mount what run-load.sh reads, lift the open-file limit, run, power off.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys # the initramfs mounted these two already
mountpoint -q /dev || mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
ip link set lo up
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
ulimit -Hn 100000 && ulimit -n 100000
echo "zocket-vm: kernel $(uname -r), $(nproc) CPUs, open files $(ulimit -n), $(java -version 2>&1 | head -1)"
cd /opt/zocket
. ./env
eval "benchmarks/run-load.sh --out /opt/zocket/results.jsonl $(cat load-args)"
echo "zocket-vm: run-load.sh exited $?"
sync
echo o >/proc/sysrq-trigger
sleep 30
INIT
chmod +x "$rootfs/zocket-init"

image="$VM_DIR/root.img"
size_mb=$(( $(du -sm "$rootfs" | cut -f1) + 1024 ))
rm -f "$image"
mkfs.ext4 -q -F -d "$rootfs" "$image" "${size_mb}M"

kernel=$(ls "$rootfs"/boot/vmlinuz-* | tail -1)
initrd=$(ls "$rootfs"/boot/initrd.img-* | tail -1)
accel=tcg,thread=multi
[[ -w /dev/kvm ]] && accel=kvm
log "booting ($accel, ${memory} MB): run-load.sh ${load_args[*]}; the VM's console goes to $VM_DIR/vm.log"
timeout "${timeout_min}m" qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m "$memory" -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$initrd" -drive "file=$image,format=raw,if=virtio" \
  -append "root=/dev/vda rw console=ttyS0 init=/zocket-init quiet" >"$VM_DIR/vm.log" 2>&1 \
  || log "the VM did not power off by itself within $timeout_min minutes (or QEMU failed): stopped"

# Read the results back out of the image (debugfs needs no mount).
results=$(debugfs -R "cat /opt/zocket/results.jsonl" "$image" 2>/dev/null || true)
grep -a "zocket-vm:" "$VM_DIR/vm.log" >&2 || true
if [[ -z $results ]]; then
  tail -40 "$VM_DIR/vm.log" >&2
  echo "run-in-vm: no results (the VM's log: $VM_DIR/vm.log)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
echo "$results" >>"$out"
echo "$results"
if ! grep -aq "zocket-vm: run-load.sh exited 0" "$VM_DIR/vm.log"; then
  echo "run-in-vm: run-load.sh failed in the VM (its output: $VM_DIR/vm.log)" >&2
  exit 1
fi
