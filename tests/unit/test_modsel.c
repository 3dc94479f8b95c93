/* modsel: choosing the image's modules for the devices present: the
 * modules.dep closure, aliases matched as modprobe does (fnmatch, per
 * bus), the device-less families, malformed lines. Lines as Debian's
 * 6.1 kernel writes them (virtio ones from linux-image-cloud-amd64). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/modsel.h"

#define K "/lib/modules/6.1.0-50-cloud-amd64/kernel/"
static const char list[] = K "drivers/virtio/virtio.ko\n" K "drivers/virtio/virtio_ring.ko\n" K
			   "drivers/virtio/virtio_pci.ko\n" K "net/core/failover.ko\n" K
			   "drivers/net/net_failover.ko\n" K "drivers/net/virtio_net.ko\n" K
			   "drivers/block/virtio_blk.ko\n" K
			   "drivers/net/ethernet/intel/e1000/e1000.ko.xz\n" K "fs/ext4/ext4.ko\n" K
			   "drivers/md/dm-mod.ko\n" K "drivers/usb/storage/usb-storage.ko\n" K
			   "drivers/block/loop.ko\n";

static const char dep[] =
    "kernel/drivers/virtio/virtio.ko:\n"
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
    "kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
    "kernel/net/core/failover.ko kernel/drivers/virtio/virtio_ring.ko "
    "kernel/drivers/virtio/virtio.ko\n"
    "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
    "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio_ring.ko "
    "kernel/drivers/virtio/virtio.ko\n"
    "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko\n"
    "garbage line without colon\n"
    "kernel/drivers/usb/storage/usb-storage.ko:";

static char alias[] = "# Aliases extracted from modules themselves.\n"
		      "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
		      "alias virtio:d00000002v* virtio_blk\n"
		      "alias virtio:d00000001v* virtio_net\n"
		      "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
		      "alias fs-ext4 ext4\n"
		      "alias devname:mapper/control dm_mod\n"
		      "alias usb:v*p*d*dc*dsc*dp*ic08isc06ip50in* usb_storage\n"
		      "alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci\n"
		      "alias broken\n"
		      "alias *:anything* nosuchlisted\n";

static size_t wanted(const struct modsel *s, char *out, size_t cap)
{
	size_t k = 0, o = 0;
	out[0] = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->want[i]) {
			o += (size_t)snprintf(out + o, cap - o, "%s%s", k ? " " : "", s->name[i]);
			k++;
		}
	return k;
}

static void test_select(void **state)
{
	(void)state;
	struct modsel s;
	char w[512];
	assert_int_equal(modsel_init(&s, list, strlen(list)), 0);
	assert_int_equal(s.n, 12);
	assert_string_equal(s.name[9], "dm_mod");
	assert_string_equal(s.name[10], "usb_storage");
	assert_int_equal(modsel_deps(&s, dep, strlen(dep)), 0);
	assert_int_equal(modsel_aliases(&s, alias, strlen(alias)), 0);
	assert_int_equal(s.n_alias, 7); /* xhci_pci, broken and nosuchlisted dropped */
	/* filesystems and md first, no device needed */
	assert_int_equal(modsel_want_families(&s), 3);
	assert_int_equal(wanted(&s, w, sizeof w), 3);
	assert_string_equal(w, "ext4 dm_mod loop");
	/* a virtio PCI device: the bus driver and its deps */
	assert_int_equal(modsel_match(&s, "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00"), 3);
	wanted(&s, w, sizeof w);
	assert_string_equal(w, "virtio virtio_ring virtio_pci ext4 dm_mod loop");
	/* round 2: the virtio net device it brought */
	assert_int_equal(modsel_match(&s, "virtio:d00000001v00001AF4"), 3);
	wanted(&s, w, sizeof w);
	assert_string_equal(w, "virtio virtio_ring virtio_pci failover net_failover virtio_net "
			       "ext4 dm_mod loop");
	/* again: nothing new; unknown buses and near misses: nothing */
	assert_int_equal(modsel_match(&s, "virtio:d00000001v00001AF4"), 0);
	assert_int_equal(modsel_match(&s, "pci:v00008086d0000100Fsv00008086sd00000000bc02sc00i00"), 0);
	assert_int_equal(modsel_match(&s, "virtio"), 0);
	assert_int_equal(modsel_match(&s, ""), 0);
	assert_int_equal(modsel_match(&s, "acpi:PNP0A03:"), 0);
	/* a USB mass-storage interface */
	assert_int_equal(modsel_match(&s, "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00"), 1);
	assert_int_equal(modsel_want(&s, 99), 0);
	modsel_free(&s);
}

static void test_empty(void **state)
{
	(void)state;
	struct modsel s;
	char none[] = "";
	assert_int_equal(modsel_init(&s, "relative.ko\n# c\n", 16), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(modsel_deps(&s, dep, strlen(dep)), 0);
	assert_int_equal(modsel_aliases(&s, none, 0), 0);
	assert_int_equal(modsel_want_families(&s), 0);
	assert_int_equal(modsel_match(&s, "pci:v00001AF4d00001000"), 0);
	modsel_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_select),
	    cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
