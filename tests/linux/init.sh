#!/bin/busybox sh
# SPDX-License-Identifier: BSD-2-Clause
# /init of the Linux initramfs of tests/linux/interop: loads libnvdimm's modules from Debian's
# package, then does what zdtest= on the command line asks, over sysfs only, and powers off.
#   report         print every nd pfn/dax device's attributes (auto-detected from the media)
#   create-fsdax   lay the persistent namespace out as fsdax (map=dev, align 2 MiB), write a
#                  pattern at the start of its data through /dev/pmemN
#   create-devdax  lay it out as devdax (map=dev, align 2 MiB)
#   create-btt     lay it out as a BTT block device (4 KiB sectors)
# Output lines for the script start with "ZDTEST ".
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
action=$(sed -n 's/.*zdtest=\([a-z-]*\).*/\1/p' /proc/cmdline)
pbase=$(sed -n 's/.*zdbase=\(0x[0-9a-f]*\).*/\1/p' /proc/cmdline)
echo "ZDTEST action=$action base=$pbase"
for m in libnvdimm nd_btt nd_pmem dax_pmem device_dax of_pmem; do
	insmod /lib/$m.ko || echo "ZDTEST insmod $m failed"
done
sleep 2
nd=/sys/bus/nd/devices
region=
for r in $nd/region*; do
	[ "$(cat $r/resource 2>/dev/null)" = "$pbase" ] && region=$r
done
echo "ZDTEST region=$(basename "$region")"
ns=$(basename $region/namespace*.0)

report() {
	for d in $nd/pfn* $nd/dax*; do
		[ -e "$d/namespace" ] || continue
		n=$(cat $d/namespace)
		[ -n "$n" ] || continue
		echo "ZDTEST dev=$(basename $d) namespace=$n mode=$(cat $d/mode 2>/dev/null) uuid=$(cat $d/uuid) align=$(cat $d/align) resource=$(cat $d/resource 2>/dev/null) size=$(cat $d/size 2>/dev/null) driver=$(basename "$(readlink $d/driver)")"
	done
	ls /dev | grep -E '^(pmem|dax)' | sed 's/^/ZDTEST node=/'
}

create() { # $1: pfn, dax or btt
	seed=$(cat $region/$1_seed)
	echo "ZDTEST seed=$seed"
	echo "$ns" > /sys/bus/nd/drivers/nd_pmem/unbind 2>/dev/null
	if [ "$1" = btt ]; then
		echo 4096 > $nd/$seed/sector_size
	else
		echo pmem > $nd/$seed/mode
		echo 2097152 > $nd/$seed/align
	fi
	cat /proc/sys/kernel/random/uuid > $nd/$seed/uuid
	echo "$ns" > $nd/$seed/namespace
	if [ "$1" != dax ]; then
		echo "$seed" > /sys/bus/nd/drivers/nd_pmem/bind
	else
		echo "$seed" > /sys/bus/nd/drivers/dax_pmem/bind
	fi
	sleep 1
}

case $action in
create-fsdax)
	create pfn
	report
	blk=/dev/$(ls /sys/bus/nd/devices/$seed/block 2>/dev/null)
	echo "ZDTEST block=$blk"
	printf 'ZDPATTERN-written-by-linux-6.12\n' | dd of=$blk bs=4096 conv=sync,fsync 2>/dev/null &&
		echo "ZDTEST pattern written"
	;;
create-devdax)
	create dax
	report
	;;
create-btt)
	create btt
	echo "ZDTEST btt=$seed namespace=$(cat $nd/$seed/namespace) size=$(cat $nd/$seed/size 2>/dev/null) driver=$(basename "$(readlink $nd/$seed/driver)")"
	;;
*)
	report
	;;
esac
dmesg | grep -iE 'nd_|nvdimm|pmem|pfn|dax|namespace|region' | sed 's/^/ZDTEST dmesg: /'
echo "ZDTEST done"
sync
poweroff -f
