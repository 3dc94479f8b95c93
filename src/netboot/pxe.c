/* pxe: DHCPv4 netboot policy: which client family sent a request (the
 * architecture table, classification) and what its proxy reply holds. */
#include "netboot/pxe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

/* IANA "Processor Architecture Types"; RFC 4578 swapped 7 and 9 at first,
 * and firmware in the field sends both for x86-64 UEFI, so both map to
 * efi64. Raspberry Pi 3/4/5 send 0 (x86 BIOS!): they are recognised by
 * OUI instead, see pxe_classify(). */
static const struct pxe_arch pxe_arches[] = {
    {0, "bios", NULL, "x86 BIOS", PXE_FW_BIOS, false, "undionly.kpxe"},
    {6, "efi32", NULL, "x86 UEFI", PXE_FW_UEFI, false, NULL},
    {7, "efi64", NULL, "x64 UEFI", PXE_FW_UEFI, false, "snponly.efi"},
    {9, "efi64", NULL, "x64 UEFI (EBC id)", PXE_FW_UEFI, false, "snponly.efi"},
    {10, "arm32", NULL, "ARM32 UEFI", PXE_FW_UEFI, false, NULL},
    {11, "arm64", NULL, "ARM64 UEFI", PXE_FW_UEFI, false, "arm64-efi/snponly.efi"},
    {15, "efi32-http", "efi32", "x86 UEFI HTTP", PXE_FW_UEFI, true, NULL},
    {16, "efi64-http", "efi64", "x64 UEFI HTTP", PXE_FW_UEFI, true, "snponly.efi"},
    {18, "arm32-http", "arm32", "ARM32 UEFI HTTP", PXE_FW_UEFI, true, NULL},
    {19, "arm64-http", "arm64", "ARM64 UEFI HTTP", PXE_FW_UEFI, true, "arm64-efi/snponly.efi"},
    {21, "uboot-arm32", NULL, "U-Boot ARM32", PXE_FW_UBOOT, false, NULL},
    {22, "uboot-arm64", NULL, "U-Boot ARM64", PXE_FW_UBOOT, false, NULL},
    {25, "riscv32", NULL, "RISC-V 32 UEFI", PXE_FW_UEFI, false, NULL},
    {27, "riscv64", NULL, "RISC-V 64 UEFI", PXE_FW_UEFI, false, NULL},
    {39, "loong64", NULL, "LoongArch64 UEFI", PXE_FW_UEFI, false, NULL},
    {41, "rpi", NULL, "Raspberry Pi (arm rpiboot)", PXE_FW_RPI, false, NULL},
};

/* A client we recognise but whose option 93 names an unknown architecture
 * is still answered only if the user set a boot file for "other". */
static const struct pxe_arch pxe_arch_unknown = {0xffff,      "other", NULL, "unknown architecture",
						 PXE_FW_BIOS, false,   NULL};

/* Raspberry Pi Foundation / Raspberry Pi Trading OUIs. */
static const uint8_t rpi_ouis[][3] = {
    {0xb8, 0x27, 0xeb}, {0xdc, 0xa6, 0x32}, {0xe4, 0x5f, 0x01},
    {0x28, 0xcd, 0xc1}, {0xd8, 0x3a, 0xdd}, {0x2c, 0xcf, 0x67},
};

const struct pxe_arch *pxe_arch_table(size_t *n)
{
	*n = sizeof pxe_arches / sizeof pxe_arches[0];
	return pxe_arches;
}

int pxe_arch_index(const struct pxe_arch *a)
{
	for (size_t i = 0; i < sizeof pxe_arches / sizeof pxe_arches[0]; i++)
		if (a == &pxe_arches[i])
			return (int)i;
	return -1;
}

const struct pxe_arch *pxe_arch_by_code(uint16_t code)
{
	for (size_t i = 0; i < sizeof pxe_arches / sizeof pxe_arches[0]; i++)
		if (pxe_arches[i].code == code)
			return &pxe_arches[i];
	return NULL;
}

const struct pxe_arch *pxe_arch_by_key(const char *key)
{
	for (size_t i = 0; i < sizeof pxe_arches / sizeof pxe_arches[0]; i++)
		if (!strcmp(pxe_arches[i].key, key))
			return &pxe_arches[i];
	if (!strcmp(key, "other"))
		return &pxe_arch_unknown;
	return NULL;
}

static bool starts_with(const uint8_t *p, size_t n, const char *prefix)
{
	size_t pn = strlen(prefix);
	return n >= pn && memcmp(p, prefix, pn) == 0;
}

/* User class 77: iPXE sends the raw string "iPXE"; RFC 3004 says it is a
 * list of length-prefixed strings, and some builds send it that way. */
static bool user_class_is_ipxe(const uint8_t *p, size_t n)
{
	if (n == 4 && !memcmp(p, "iPXE", 4))
		return true;
	for (size_t i = 0; i < n;) {
		size_t l = p[i];
		if (i + 1 + l > n)
			return false;
		if (l == 4 && !memcmp(p + i + 1, "iPXE", 4))
			return true;
		i += 1 + l;
	}
	return false;
}

/* U-Boot without CONFIG_BOOTP_PXE_CLIENTARCH sends no option 93: its
 * vendor class names the CPU ("U-Boot.armv8", "U-Boot.armv7", "U-Boot.arm"). */
static uint16_t uboot_arch_from_vci(const char *vci)
{
	if (!strcmp(vci, "U-Boot.armv8"))
		return 22;
	if (!strncmp(vci, "U-Boot.arm", 10))
		return 21;
	return 0xffff; /* another CPU: the "other" entry */
}

int pxe_classify(const struct dhcp4_msg *m, struct pxe_client *c)
{
	size_t vlen, len;
	const uint8_t *v = dhcp4_opt(m, DHCP4_OPT_VENDOR_CLASS, &vlen);
	memset(c, 0, sizeof *c);
	if (m->htype != 1 || m->hlen != 6)
		return -ENOENT;
	memcpy(c->mac, m->chaddr, 6);
	for (size_t i = 0; i < sizeof rpi_ouis / sizeof rpi_ouis[0]; i++)
		if (!memcmp(c->mac, rpi_ouis[i], 3))
			c->rpi = true;
	const uint8_t *uuid = dhcp4_opt(m, DHCP4_OPT_CLIENT_UUID, &len);
	if (uuid && len == 17 && uuid[0] == 0) {
		c->has_uuid = true;
		memcpy(c->uuid, uuid, 17);
		/* Pi 4/5 EEPROM (DHCP_OPTION97 default): FourCC "RPi4"/"RPi5",
		 * board revision, low 4 bytes of the MAC, serial number */
		if (!memcmp(uuid + 1, "RPi4", 4) || !memcmp(uuid + 1, "RPi5", 4))
			c->rpi = true;
	} else if (uuid && len) {
		return -EBADMSG;
	}

	if (v && starts_with(v, vlen, "PXEClient"))
		c->http = false;
	else if (v && starts_with(v, vlen, "HTTPClient"))
		c->http = true;
	else if (v && starts_with(v, vlen, "U-Boot"))
		c->uboot = true; /* CONFIG_BOOTP_VCI_STRING, e.g. "U-Boot.armv8" */
	else
		return -ENOENT; /* not ours: an ordinary DHCP client */
	log_sanitize(c->vclass, sizeof c->vclass, v, vlen);

	int r = dhcp4_opt_be16(m, DHCP4_OPT_CLIENT_ARCH, &c->arch);
	if (r == -EBADMSG)
		return -EBADMSG;
	c->arch_from_opt = r == 0;
	if (!c->arch_from_opt) {
		/* No option 93: take "Arch:NNNNN" from the vendor class. */
		const char *a = memchr(v, ':', vlen) ? (const char *)v : NULL;
		unsigned code = 0;
		c->arch = 0;
		if (a && vlen >= 20 && sscanf(c->vclass, "%*[^:]:Arch:%5u", &code) == 1 &&
		    code <= 0xffff)
			c->arch = (uint16_t)code;
		if (c->uboot)
			c->arch = uboot_arch_from_vci(c->vclass);
	}
	c->ai = pxe_arch_by_code(c->arch);
	if (!c->ai)
		c->ai = &pxe_arch_unknown;
	if (c->rpi && c->arch == 0)
		c->ai = pxe_arch_by_code(41);

	const uint8_t *nii = dhcp4_opt(m, DHCP4_OPT_CLIENT_NII, &len);
	if (nii && len == 3) {
		c->has_nii = true;
		memcpy(c->nii, nii, 3);
	}
	const uint8_t *uc = dhcp4_opt(m, DHCP4_OPT_USER_CLASS, &len);
	if ((uc && user_class_is_ipxe(uc, len)) || m->opt[DHCP4_OPT_IPXE_ENCAP].present)
		c->ipxe = true;
	return 0;
}

enum pxe_shape pxe_choose_shape(const struct pxe_client *c)
{
	if (c->http)
		return PXE_SHAPE_HTTP;
	if (c->ai->fw == PXE_FW_RPI)
		return PXE_SHAPE_RPI;
	/* EDK2's PXE stack and other UEFI firmware may ignore a PXE10 proxy
	 * offer; the BINL shape makes them ask on 4011. iPXE, even on UEFI,
	 * takes the PXE10 shape directly (43.6 bit 3 = skip PXE discovery). */
	if (c->ai->fw == PXE_FW_UEFI && !c->ipxe)
		return PXE_SHAPE_BINL;
	return PXE_SHAPE_PXE10;
}

const char *pxe_shape_name(enum pxe_shape s)
{
	static const char *const names[] = {"pxe10", "binl", "http", "rpi", "menu", "item"};
	return names[s];
}

/* Option 43 for Raspberry Pi: discovery control 3, one boot server entry
 * type 0, and a menu whose text the Pi bootloader looks for. */
static int pxe_build_rpi_vendor(struct wbuf *w)
{
	static const char menu[] = "Raspberry Pi Boot";
	uint8_t v[64];
	struct wbuf o;
	wbuf_init(&o, v, sizeof v);
	wbuf_u8(&o, 6), wbuf_u8(&o, 1), wbuf_u8(&o, 3);
	wbuf_u8(&o, 10), wbuf_u8(&o, 4), wbuf_u8(&o, 0), wbuf_str(&o, "PXE");
	wbuf_u8(&o, 9), wbuf_u8(&o, (uint8_t)(3 + sizeof menu - 1));
	wbuf_be16(&o, 0), wbuf_u8(&o, (uint8_t)(sizeof menu - 1)), wbuf_str(&o, menu);
	wbuf_u8(&o, 255);
	if (o.err)
		return -ENOBUFS;
	return dhcp4_build_opt(w, DHCP4_OPT_VENDOR, v, o.len);
}

int pxe_menu_encode(uint8_t *out, size_t cap, const struct pxe_menu *m, const uint8_t server_ip[4])
{
	struct wbuf o;
	size_t n_servers = 0, menu_len = 0;
	const char *prompt = m->prompt ? m->prompt : "";
	wbuf_init(&o, out, cap);
	if (m->n == 0 || m->n > PXE_MENU_MAX)
		return -EINVAL;
	for (size_t i = 0; i < m->n; i++) {
		n_servers += m->type[i] != 0;
		menu_len += 3 + strlen(m->label[i]);
	}
	/* each sub-option carries at most 255 bytes; the whole option too */
	if (menu_len > 255 || 7 * n_servers > 255 || 1 + strlen(prompt) > 255)
		return -ENOBUFS;
	/* 43.6 bits 0+1: no broadcast or multicast discovery, ask the
	 * servers of 43.8 (us) on 4011; bit 3 clear: show the menu */
	wbuf_u8(&o, 6), wbuf_u8(&o, 1), wbuf_u8(&o, 3);
	if (n_servers) {
		wbuf_u8(&o, 8), wbuf_u8(&o, (uint8_t)(7 * n_servers));
		for (size_t i = 0; i < m->n; i++) {
			if (!m->type[i])
				continue; /* local boot asks no server */
			wbuf_be16(&o, m->type[i]), wbuf_u8(&o, 1), wbuf_bytes(&o, server_ip, 4);
		}
	}
	wbuf_u8(&o, 9), wbuf_u8(&o, (uint8_t)menu_len);
	for (size_t i = 0; i < m->n; i++) {
		wbuf_be16(&o, m->type[i]);
		wbuf_u8(&o, (uint8_t)strlen(m->label[i]));
		wbuf_str(&o, m->label[i]);
	}
	wbuf_u8(&o, 10), wbuf_u8(&o, (uint8_t)(1 + strlen(prompt)));
	wbuf_u8(&o, m->timeout), wbuf_str(&o, prompt);
	wbuf_u8(&o, 255);
	return o.err ? -ENOBUFS : (int)o.len;
}

int pxe_boot_item(const struct dhcp4_msg *m, uint16_t *type, uint16_t *layer)
{
	size_t len;
	const uint8_t *v = dhcp4_opt(m, DHCP4_OPT_VENDOR, &len);
	struct rbuf r;
	if (!v)
		return -ENOENT;
	rbuf_init(&r, v, len);
	while (rbuf_left(&r)) {
		uint8_t code, l;
		if (rbuf_u8(&r, &code))
			return -EBADMSG;
		if (code == 255)
			break;
		if (code == 0)
			continue; /* pad */
		if (rbuf_u8(&r, &l))
			return -EBADMSG;
		struct rbuf sub;
		if (rbuf_sub(&r, l, &sub))
			return -EBADMSG;
		if (code != 71)
			continue;
		if (l != 4)
			return -EBADMSG;
		rbuf_be16(&sub, type);
		rbuf_be16(&sub, layer);
		return 0;
	}
	return -ENOENT;
}

int pxe_build_reply(struct wbuf *w, const struct dhcp4_msg *req, const struct pxe_client *c,
		    const struct pxe_reply *r)
{
	char sname[16];
	struct dhcp4_hdr h = {
	    .op = DHCP4_BOOTREPLY,
	    .xid = req->xid,
	    .secs = 0,
	    .flags = req->flags,
	    .hlen = req->hlen,
	    .sname = sname,
	    .file = NULL,
	};
	if (r->file && strlen(r->file) >= sizeof req->file)
		return -EINVAL; /* too long for the fixed field: refuse, do not truncate */
	snprintf(sname, sizeof sname, "%u.%u.%u.%u", r->server_ip[0], r->server_ip[1],
		 r->server_ip[2], r->server_ip[3]);
	memcpy(h.chaddr, req->chaddr, sizeof h.chaddr);
	memcpy(h.giaddr, req->giaddr, 4);
	memcpy(h.siaddr, r->server_ip, 4);
	/* An answer on 4011 goes to a client that has its address. */
	if (r->type == DHCP4_ACK)
		memcpy(h.ciaddr, req->ciaddr, 4);
	h.file = r->file;

	if (dhcp4_build_header(w, &h))
		return -ENOBUFS;
	dhcp4_build_opt_u8(w, DHCP4_OPT_MSG_TYPE, r->type);
	dhcp4_build_opt(w, DHCP4_OPT_SERVER_ID, r->server_ip, 4);
	if (c->http)
		dhcp4_build_opt(w, DHCP4_OPT_VENDOR_CLASS, "HTTPClient", 10);
	else
		dhcp4_build_opt(w, DHCP4_OPT_VENDOR_CLASS, "PXEClient", 9);
	if (c->has_uuid)
		dhcp4_build_opt(w, DHCP4_OPT_CLIENT_UUID, c->uuid, 17);
	switch (r->shape) {
	case PXE_SHAPE_PXE10: {
		/* 43.6 = 8: skip boot server discovery, boot the file now */
		static const uint8_t pxe10[] = {6, 1, 8, 255};
		dhcp4_build_opt(w, DHCP4_OPT_VENDOR, pxe10, sizeof pxe10);
		break;
	}
	case PXE_SHAPE_RPI:
		pxe_build_rpi_vendor(w);
		break;
	case PXE_SHAPE_MENU: {
		uint8_t v[256];
		int n = r->menu ? pxe_menu_encode(v, sizeof v, r->menu, r->server_ip) : -EINVAL;
		if (n < 0)
			return n;
		dhcp4_build_opt(w, DHCP4_OPT_VENDOR, v, (size_t)n);
		break;
	}
	case PXE_SHAPE_ITEM: {
		/* the boot server ACK names the item it answers (PXE spec 2.1
		 * 2.2.7; iPXE drops an ACK whose 43.71 type differs) */
		uint8_t v[7] = {71,
				4,
				(uint8_t)(r->item_type >> 8),
				(uint8_t)r->item_type,
				(uint8_t)(r->item_layer >> 8),
				(uint8_t)r->item_layer,
				255};
		dhcp4_build_opt(w, DHCP4_OPT_VENDOR, v, sizeof v);
		break;
	}
	case PXE_SHAPE_BINL:
	case PXE_SHAPE_HTTP:
		break;
	}
	if (r->file) {
		if (r->shape != PXE_SHAPE_HTTP)
			dhcp4_build_opt(w, DHCP4_OPT_TFTP_SERVER, sname, strlen(sname));
		dhcp4_build_opt(w, DHCP4_OPT_BOOTFILE, r->file, strlen(r->file));
	}
	if (r->pxelinux_config)
		dhcp4_build_opt(w, DHCP4_OPT_PXELINUX_CONFIGFILE, r->pxelinux_config,
				strlen(r->pxelinux_config));
	if (r->pxelinux_prefix)
		dhcp4_build_opt(w, DHCP4_OPT_PXELINUX_PATHPREFIX, r->pxelinux_prefix,
				strlen(r->pxelinux_prefix));
	if (w->err)
		return -ENOBUFS;
	return dhcp4_build_end(w);
}
