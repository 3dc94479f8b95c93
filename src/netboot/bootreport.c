/* bootreport: one representative client per family through the boot plan's
 * rows, plus whether the user asked for that family at all. */
#include "netboot/bootreport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netboot/grub.h"
#include "netboot/pxe.h"

/* The families of the start-up block, in its order. cpu: the --kernel
 * architecture that serves it in kernel mode (UNKNOWN: any, iPXE runs on
 * both; the Pi boots its own firmware files, never --kernel). */
static const struct {
	const char *label;
	uint16_t arch; /* option 93 of the representative client */
	bool http, ipxe, uboot, rpi;
	enum kimage_arch cpu;
} families[BOOTREPORT_N] = {
    [BOOTREPORT_BIOS] = {"BIOS", 0, false, false, false, false, KIMAGE_ARCH_X86},
    [BOOTREPORT_EFI64] = {"UEFI x64", 7, false, false, false, false, KIMAGE_ARCH_X86},
    [BOOTREPORT_EFI_HTTP] = {"UEFI HTTP", 16, true, false, false, false, KIMAGE_ARCH_X86},
    [BOOTREPORT_ARM64] = {"ARM64", 11, false, false, false, false, KIMAGE_ARCH_ARM64},
    [BOOTREPORT_IPXE] = {"iPXE", 0, false, true, false, false, KIMAGE_ARCH_UNKNOWN},
    [BOOTREPORT_RPI] = {"Raspberry Pi", 41, false, false, false, true, KIMAGE_ARCH_UNKNOWN},
    [BOOTREPORT_UBOOT] = {"U-Boot", 22, false, false, true, false, KIMAGE_ARCH_ARM64},
};

/* Debian ships the x86 iPXE images in one package; there is no arm64 one. */
static const struct {
	const char *img;
	const char *pkg;
} ipxe_packages[] = {
    {"undionly.kpxe", "ipxe"},
    {"snponly.efi", "ipxe"},
    {"ipxe.efi", "ipxe"},
};

const char *bootreport_ipxe_package(const char *img)
{
	for (size_t i = 0; img && i < sizeof ipxe_packages / sizeof ipxe_packages[0]; i++)
		if (!strcmp(ipxe_packages[i].img, img))
			return ipxe_packages[i].pkg;
	return NULL;
}

static bool key_named(const struct bootplan *p, const char *key)
{
	if (!key)
		return false;
	if (bootplan_file_for(p, key))
		return true;
	for (size_t i = 0; i < p->n_menu; i++)
		if (!strcmp(p->menu[i].key, key))
			return true;
	for (size_t i = 0; i < p->n_hosts; i++)
		if (p->hosts[i].key && !strcmp(p->hosts[i].key, key))
			return true;
	return false;
}

/* Did the user ask for family f? */
static bool asked(const struct bootplan *p, enum kimage_arch karch, size_t f,
		  const struct pxe_arch *ai)
{
	const char *key = families[f].ipxe ? "ipxe" : ai->key;
	if (key_named(p, key) || key_named(p, ai->fallback))
		return true;
	if (p->grub && !families[f].ipxe &&
	    (grub_target_for_key(ai->key) >= 0 ||
	     (ai->fallback && grub_target_for_key(ai->fallback) >= 0)))
		return true;
	if (!p->kernel || families[f].rpi)
		return false;
	return families[f].cpu == KIMAGE_ARCH_UNKNOWN || karch == KIMAGE_ARCH_UNKNOWN ||
	       families[f].cpu == karch;
}

/* Kernel mode and a --kernel for another CPU: the family would be handed a
 * kernel it cannot run. */
static bool wrong_cpu(const struct bootplan *p, enum kimage_arch karch, size_t f, const char *rule)
{
	if (!p->kernel || !rule || karch == KIMAGE_ARCH_UNKNOWN)
		return false;
	if (strcmp(rule, "kernel") && strcmp(rule, "ipxe-script"))
		return false;
	return families[f].cpu != KIMAGE_ARCH_UNKNOWN && families[f].cpu != karch;
}

static const char *wrong_cpu_why(enum kimage_arch karch)
{
	static const char *const why[] = {
	    [KIMAGE_ARCH_X86] = "the --kernel is an x86 kernel",
	    [KIMAGE_ARCH_ARM64] = "the --kernel is an arm64 kernel",
	    [KIMAGE_ARCH_ARM32] = "the --kernel is an arm32 kernel",
	    [KIMAGE_ARCH_RISCV64] = "the --kernel is a RISC-V kernel",
	    [KIMAGE_ARCH_LOONG64] = "the --kernel is a LoongArch kernel",
	};
	return (size_t)karch < sizeof why / sizeof why[0] && why[karch]
		   ? why[karch]
		   : "the --kernel is not built for this CPU";
}

static void build_one(const struct bootplan *p, enum kimage_arch karch, const char *host, size_t f,
		      struct bootreport_line *l)
{
	struct pxe_client c;
	struct boot_choice bc;
	memset(&c, 0, sizeof c);
	memset(l, 0, sizeof *l);
	c.arch = families[f].arch;
	c.ai = pxe_arch_by_code(c.arch);
	c.http = families[f].http;
	c.ipxe = families[f].ipxe;
	c.uboot = families[f].uboot;
	c.rpi = families[f].rpi;
	l->family = families[f].label;
	l->asked = asked(p, karch, f, c.ai);
	const struct bootplan_menu_item *items[BOOTPLAN_MAX_MENU];
	l->menu_items = bootplan_menu_for(p, &c, items, BOOTPLAN_MAX_MENU);
	int r = bootplan_choose_host(p, &c, host, &bc);
	l->rule = bc.rule;
	l->why = bc.why;
	l->served = r == 0 || l->menu_items > 0;
	snprintf(l->file, sizeof l->file, "%s", r == 0 ? bc.file : "");
	if (l->menu_items)
		l->rule = "menu";
	if (!l->menu_items && wrong_cpu(p, karch, f, bc.rule)) {
		l->served = false;
		l->why = wrong_cpu_why(karch);
		l->file[0] = 0;
	}
	int idx = pxe_arch_index(c.ai);
	if (r == -ENOENT && bc.rule && !strcmp(bc.rule, "kernel") && c.ai->ipxe && idx >= 0 &&
	    idx < 32 && (p->ipxe_missing >> idx) & 1) {
		snprintf(l->missing, sizeof l->missing, "%s/%s", p->ipxe_dir, c.ai->ipxe);
		l->package = bootreport_ipxe_package(c.ai->ipxe);
	}
}

void bootreport_build(const struct bootplan *p, enum kimage_arch karch, const char *host,
		      struct bootreport_line out[BOOTREPORT_N])
{
	for (size_t f = 0; f < BOOTREPORT_N; f++)
		build_one(p, karch, host, f, &out[f]);
}
