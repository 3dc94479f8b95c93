#!/bin/sh
echo "SCENARIO-START"
/usr/local/sbin/lifeboat takeover --dry-run
/usr/local/sbin/lifeboat takeover --yes --grace 3 --carry /sbin/e2fsck \
	--run 'e2fsck -f -n /dev/vda; echo fsck-status=$?' --then poweroff
echo "SCENARIO-TAKEOVER-RETURNED rc=$?"
