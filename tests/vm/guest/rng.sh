# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the RNG scenario (sourced by /init): the virtio-rng devices
# as the kernel's hwrng, each made current in turn and read through
# /dev/hwrng.  RNG_DEVICES (set before this script): the devices
# expected, default two.
hw=/sys/class/misc/hw_random
RNG_DEVICES=${RNG_DEVICES:-virtio_rng.0 virtio_rng.1}
wait_path $hw/rng_available 50
i=0
while [ $i -lt 50 ]; do
	missing=0
	for d in $RNG_DEVICES; do
		case " $(cat $hw/rng_available) " in *" $d "*) ;; *) missing=1;; esac
	done
	[ $missing = 0 ] && break
	sleep 0.1; i=$((i + 1))
done
say "rng available: $(cat $hw/rng_available)"
say "rng current: $(cat $hw/rng_current)"
wait_path /dev/hwrng 50
for d in $RNG_DEVICES; do
	echo $d > $hw/rng_current || { say "hwrng $d: cannot make it current"; continue; }
	head -c 1024 /dev/hwrng > /tmp/$d
	n=$(wc -c < /tmp/$d)
	distinct=$(od -An -v -tx1 /tmp/$d | tr -s ' ' '\n' | grep . | sort -u | wc -l)
	text=$(tr -dc 'a-z-' < /tmp/$d | head -c 40)
	say "hwrng $d current=$(cat $hw/rng_current) bytes=$n distinct=$distinct text=$text"
done
