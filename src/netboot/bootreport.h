/* bootreport: what each client family will boot with a given plan, for
 * the start-up block (pure). Each family is one representative client
 * (BIOS, UEFI x64, UEFI HTTP, ARM64 UEFI, iPXE, Raspberry Pi, U-Boot) put
 * through bootplan_choose, so the report says what the rows (boot_rows[])
 * really decide; serve logs the lines. */
#ifndef LIFEBOAT_NETBOOT_BOOTREPORT_H
#define LIFEBOAT_NETBOOT_BOOTREPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "netboot/bootplan.h"
#include "netboot/kimage.h"

enum bootreport_family {
	BOOTREPORT_BIOS,
	BOOTREPORT_EFI64,
	BOOTREPORT_EFI_HTTP,
	BOOTREPORT_ARM64,
	BOOTREPORT_IPXE,
	BOOTREPORT_RPI,
	BOOTREPORT_UBOOT,
	BOOTREPORT_N
};

struct bootreport_line {
	const char *family; /* "BIOS", "UEFI x64", ... */
	bool served;	    /* a client of this family gets an answer */
	/* the user asked for it: a --boot, --host or --menu for its key,
	 * --grub for it, or a --kernel built for its CPU */
	bool asked;
	size_t menu_items;   /* served by a --menu of this many items */
	char file[128];	     /* the boot file or URL; "" = siaddr only (U-Boot) */
	const char *rule;    /* the row of boot_rows[] that decided ("arch-file", ...) */
	const char *why;     /* the row's reason (served or not) */
	char missing[256];   /* an image the family needs that is not there, or "" */
	const char *package; /* the Debian package that provides it, or NULL */
};

/* Fills out[BOOTREPORT_N] for plan p. karch: the --kernel's CPU (kimage),
 * KIMAGE_ARCH_UNKNOWN when none; host: our address as URL host text. */
void bootreport_build(const struct bootplan *p, enum kimage_arch karch, const char *host,
		      struct bootreport_line out[BOOTREPORT_N]);

/* The Debian package that ships iPXE image img (relative to --ipxe-dir),
 * or NULL when Debian has none (arm64). */
const char *bootreport_ipxe_package(const char *img);

#endif
