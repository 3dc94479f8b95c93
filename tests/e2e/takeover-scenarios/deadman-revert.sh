#!/bin/sh
if [ -e /root/lb-pass1 ]; then
	echo "SCENARIO-SECOND-RUN pid1=$(cat /proc/1/comm) exe=$(readlink /proc/1/exe)"
	rm -f /root/lb-pass1
	sync
	echo o > /proc/sysrq-trigger
	exit 0
fi
touch /root/lb-pass1
sync
echo "SCENARIO-START"
/usr/local/sbin/lifeboat takeover --yes --grace 2 --revert-after 5
