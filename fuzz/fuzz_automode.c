/* libFuzzer: auto mode's readers of untrusted bytes, auto_reply_other (any
 * DHCPv4 packet heard on udp/68) and auto_nl_dynamic (an rtnetlink dump),
 * and the decision driven by the same bytes as events. A proxy state never
 * goes back to full; full is never reached with own_dhcp. Seeds: a real
 * RTM_GETADDR dump, a router's OFFER. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "netboot/automode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t src4[4] = {192, 0, 2, 1};

static void drive(const uint8_t *data, size_t size)
{
	struct auto_if a;
	struct auto_timing t = {.window_ms = 3000, .retry_ms = 1000, .interval_ms = 2000};
	bool own = size && (data[0] & 1);
	uint64_t now = 0;
	bool was_proxy = false;
	auto_start(&a, &t, now, own);
	for (size_t i = 0; i < size && i < 256; i++) {
		now += data[i] * 37u;
		enum auto_action x = (data[i] & 3) == 0 ? auto_offer(&a, src4) : auto_due(&a, now);
		if (x == AUTO_GO_FULL && (own || was_proxy))
			abort();
		was_proxy |= a.state == AUTO_PROXY;
		if (was_proxy && a.state != AUTO_PROXY)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t ours[4] = {192, 0, 2, 2}, src[4] = {192, 0, 2, 1};
	uint8_t srv[4];
	bool dyn = false, done = false;
	int r = auto_reply_other(data, size, src, ours, 1, srv);
	if (r < -200 || r > 1)
		abort();
	auto_nl_dynamic(data, size, 3, &dyn, &done);
	drive(data, size);
	return 0;
}
