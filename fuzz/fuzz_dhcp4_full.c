/* libFuzzer: full DHCP's decision (dhcp4_full_decide) over a pool, the
 * options and the reply built for it, for any request bytes. Each input is
 * played twice on the same pool (a DISCOVER then its REQUEST may meet).
 * Seeds: fuzz_dhcp4's captured client packets. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/dhcp4_full.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp4_pool pool;
	static struct dhcp4_msg m;
	struct dhcp4_full_config cfg;
	const char *why;
	uint8_t extra[512], out[1024];
	memset(&cfg, 0, sizeof cfg);
	cfg.lease_secs = 600;
	cfg.domain = "lab.example";
	cfg.mtu = 1500;
	dhcp4_ip_list_add("192.0.2.53", cfg.dns, &cfg.n_dns, 4, &why);
	dhcp4_resv_parse("52:54:00:12:34:56=192.0.2.9,fixed", &cfg, &why);
	dhcp4_pool_init(&pool, 0xc0000264u, 0xc0000267u, 600);
	struct dhcp4_full_net net = {
	    .cfg = &cfg, .pool = &pool, .ip = {192, 0, 2, 2}, .mask = {255, 255, 255, 0}};
	if (dhcp4_parse(data, size, &m) < 0)
		return 0;
	for (int round = 0; round < 2; round++) {
		struct dhcp4_full_decision d;
		struct wbuf e, w;
		dhcp4_full_decide(&net, &m, 100 + round, &d);
		if (d.kind == D4F_PROBE)
			dhcp4_pool_probed(&pool, dhcp4_ip_u32(d.ip));
		wbuf_init(&e, extra, sizeof extra);
		wbuf_init(&w, out, sizeof out);
		if (d.kind != D4F_SILENT && dhcp4_full_options(&e, &net, &d) == 0)
			dhcp4_full_build(&w, &m, &net, &d, extra, e.len);
	}
	return 0;
}
