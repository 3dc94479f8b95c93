/* libFuzzer: DHCPv4 parse, PXE classification and the whole proxy answer
 * path. Seeds: real client DISCOVERs captured in the lab. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/log.h"
#include "netboot/dhcp4_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bootplan plan;
	const char *err;
	struct iface ifc = {.index = 1, .name = "f0", .has_ip4 = true, .ip4 = {192, 0, 2, 2}};
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = htons(68)};
	uint8_t out[1024];
	struct dhcp4_answer a;
	memset(&plan, 0, sizeof plan);
	plan.http = plan.tftp = true;
	plan.http_port = 8080;
	plan.ipxe_dir = "/usr/lib/ipxe";
	plan.kernel = "/k/linux";
	plan.initrd[0] = "/k/initrd.gz";
	plan.n_initrd = 1;
	bootplan_add_boot(&plan, "efi64-http=http://198.51.100.7/x.efi", &err);
	bootplan_add_boot(&plan, "uboot-arm64=u/boot.scr", &err);
	log_setup(LOG_FMT_TEXT, LOG_LVL_ERR, 2);
	/* second plan: PXE menus (option 43 out, 43.71 in on 4011) and a Pi */
	struct bootplan menu;
	memset(&menu, 0, sizeof menu);
	menu.http = menu.tftp = true;
	menu.http_port = 80;
	bootplan_add_menu(&menu, "Local=bios:local", &err);
	bootplan_add_menu(&menu, "Rescue=bios:r.0", &err);
	bootplan_add_menu(&menu, "Shell=efi64:s.efi", &err);
	bootplan_add_boot(&menu, "rpi=bootcode.bin", &err);
	const struct bootplan *plans[] = {&plan, &menu};
	for (int pi = 0; pi < 2; pi++) {
		for (int binl = 0; binl < 2; binl++) {
			dhcp4_answer(plans[pi], &ifc, binl, &src, data, size, out, sizeof out, &a);
			if (a.len) {
				/* whatever we send must parse back and never assign an address */
				struct dhcp4_msg m;
				if (dhcp4_parse(out, a.len, &m) || memcmp(m.yiaddr, "\0\0\0\0", 4))
					__builtin_trap();
			}
		}
	}
	return 0;
}
