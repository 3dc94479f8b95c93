/* libFuzzer: pxe_wire's parsers (option 43 sub-options and 43.71, option
 * 77 user class, option 97) on any bytes, and its builders round-tripping
 * what they parse. Seeds: payloads cut from captured client packets. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "netboot/pxe_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks every sub-option: each value lies inside the payload. */
static void walk_43(const uint8_t *data, size_t size)
{
	struct rbuf r, v;
	uint8_t code;
	int k;
	rbuf_init(&r, data, size);
	while ((k = pxe_wire_sub_next(&r, &code, &v)) > 0)
		if (v.p < data || v.p + v.len > data + size || code == 0 || code == 255)
			__builtin_trap();
	if (k != 0 && k != -EBADMSG)
		__builtin_trap();
}

/* A 43.71 that parses is written back and parses to the same values. */
static void item_roundtrip(const uint8_t *data, size_t size)
{
	uint16_t type, layer, t2, l2;
	uint8_t out[16];
	struct wbuf w;
	int r = pxe_wire_boot_item(data, size, &type, &layer);
	if (r != 0 && r != -ENOENT && r != -EBADMSG)
		__builtin_trap();
	if (r)
		return;
	wbuf_init(&w, out, sizeof out);
	if (pxe_wire_put_item(&w, type, layer) || w.len != 9)
		__builtin_trap();
	if (pxe_wire_boot_item(out + 2, w.len - 2, &t2, &l2) || t2 != type || l2 != layer)
		__builtin_trap();
}

/* A menu built from the input's bytes: encoded whole or refused, and its
 * encoding walks cleanly with 43.9 listing the items in order. */
static void menu_from(const uint8_t *data, size_t size)
{
	char labels[PXE_MENU_MAX][64];
	struct pxe_menu m = {.prompt = "p", .timeout = size ? data[0] : 0};
	static const uint8_t ip[4] = {192, 0, 2, 2};
	for (size_t off = 1; off < size && m.n < PXE_MENU_MAX; m.n++) {
		size_t l = data[off] % sizeof labels[0];
		if (off + 1 + l > size)
			l = size - off - 1;
		memcpy(labels[m.n], data + off + 1, l);
		labels[m.n][l] = 0; /* an embedded NUL only shortens it */
		m.label[m.n] = labels[m.n];
		m.type[m.n] = (uint16_t)(m.n & 1 ? 0 : 0x8080 + 0x0101 * m.n);
		off += 1 + l;
	}
	uint8_t out[512];
	int n = pxe_menu_encode(out, sizeof out, &m, ip);
	if (m.n == 0 ? n != -EINVAL : n < 0 && n != -ENOBUFS)
		__builtin_trap();
	if (n <= 0)
		return;
	struct rbuf r, v;
	uint8_t code;
	size_t items = 0;
	rbuf_init(&r, out, (size_t)n);
	while (pxe_wire_sub_next(&r, &code, &v) > 0) {
		uint16_t type;
		uint8_t l;
		const uint8_t *s;
		while (code == PXE_SUB_BOOT_MENU && rbuf_left(&v)) {
			if (rbuf_be16(&v, &type) || rbuf_u8(&v, &l) || rbuf_ptr(&v, l, &s) ||
			    items >= m.n || type != m.type[items] || l != strlen(m.label[items]) ||
			    memcmp(s, m.label[items], l))
				__builtin_trap();
			items++;
		}
	}
	if (r.err || items != m.n)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t uuid[17];
	struct rbuf r;
	const uint8_t *s;
	size_t len;
	int k;
	walk_43(data, size);
	item_roundtrip(data, size);
	rbuf_init(&r, data, size);
	while ((k = pxe_wire_user_class_next(&r, &s, &len)) > 0)
		if (s < data || s + len > data + size)
			__builtin_trap();
	(void)pxe_wire_user_class_has(data, size, "iPXE");
	k = pxe_wire_uuid(data, size, uuid);
	if (k == 0 && (size != 17 || memcmp(uuid, data, 17)))
		__builtin_trap();
	menu_from(data, size);
	return 0;
}
