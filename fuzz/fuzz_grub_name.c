/* libFuzzer target: the names `serve --grub` resolves (grub_parse_name via
 * bootplan_lookup) from any cleaned client path: a core is named only by a
 * valid dotted quad and a known image, a module-tree name always points
 * into the path beneath its platform directory, and nothing crashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/bootplan.h"
#include "netboot/fsroot.h"
#include "netboot/grub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char clean[FSROOT_PATH_MAX], buf[2048], name[64];
	if (fsroot_clean_path((const char *)data, size, clean, sizeof clean) < 0)
		return 0;
	struct grub_name g;
	int r = grub_parse_name(clean, &g);
	if (r == 0 && g.kind == GRUB_NAME_CORE) {
		/* the canonical name of what was parsed must be the input */
		if (grub_core_name(name, sizeof name, g.target, g.ip) < 0 || strcmp(name, clean))
			abort();
	}
	if (r == 0 && g.kind == GRUB_NAME_MODULE) {
		const char *plat = grub_target_info(g.target)->platform;
		size_t pl = strlen(plat);
		if (!g.rel || !*g.rel || g.rel != clean + 5 + pl + 1 ||
		    strncmp(clean + 5, plat, pl))
			abort();
	}
	struct bootplan p;
	struct bootplan_file f;
	memset(&p, 0, sizeof p);
	p.http = p.tftp = true;
	p.http_port = 80;
	p.grub = true;
	p.grub_targets = 3;
	p.kernel = "/k/vmlinuz";
	p.initrd[0] = "/k/initrd";
	p.n_initrd = 1;
	if (bootplan_lookup(&p, clean, buf, sizeof buf, &f) == 0 && f.text &&
	    f.text_len >= sizeof buf)
		abort();
	return 0;
}
