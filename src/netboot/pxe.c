/* pxe: DHCPv4 netboot policy: the architecture table, who is a netboot
 * client and of which family, and which reply shape it gets (bytes: pxe_wire). */
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
	int r = pxe_wire_uuid(uuid, len, c->uuid);
	if (r == -EBADMSG)
		return -EBADMSG;
	c->has_uuid = r == 0;
	/* Pi 4/5 EEPROM (DHCP_OPTION97 default): FourCC "RPi4"/"RPi5",
	 * board revision, low 4 bytes of the MAC, serial number */
	if (c->has_uuid && (!memcmp(c->uuid + 1, "RPi4", 4) || !memcmp(c->uuid + 1, "RPi5", 4)))
		c->rpi = true;

	if (v && starts_with(v, vlen, "PXEClient"))
		c->http = false;
	else if (v && starts_with(v, vlen, "HTTPClient"))
		c->http = true;
	else if (v && starts_with(v, vlen, "U-Boot"))
		c->uboot = true; /* CONFIG_BOOTP_VCI_STRING, e.g. "U-Boot.armv8" */
	else
		return -ENOENT; /* not ours: an ordinary DHCP client */
	log_sanitize(c->vclass, sizeof c->vclass, v, vlen);

	r = dhcp4_opt_be16(m, DHCP4_OPT_CLIENT_ARCH, &c->arch);
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
	/* iPXE names itself in option 77, or sends its own option 175 */
	if ((uc && pxe_wire_user_class_has(uc, len, "iPXE")) ||
	    m->opt[DHCP4_OPT_IPXE_ENCAP].present)
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

int pxe_boot_item(const struct dhcp4_msg *m, uint16_t *type, uint16_t *layer)
{
	size_t len;
	const uint8_t *v = dhcp4_opt(m, DHCP4_OPT_VENDOR, &len);
	if (!v)
		return -ENOENT;
	return pxe_wire_boot_item(v, len, type, layer);
}

int pxe_build_reply(struct wbuf *w, const struct dhcp4_msg *req, const struct pxe_client *c,
		    const struct pxe_reply *r)
{
	/* the offer repeats the client's family (PXEClient or HTTPClient)
	 * and its machine id: PXE spec 2.1 2.2.5, UEFI 2.x HTTP boot */
	return pxe_wire_build_reply(w, req, r, c->http, c->has_uuid ? c->uuid : NULL);
}
