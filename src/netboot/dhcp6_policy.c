/* dhcp6_policy: which DHCPv6 client is a netboot client and what it boots;
 * see dhcp6_policy.h. */
#include "netboot/dhcp6_policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool bytes_start(const struct dhcp6_bytes *b, const char *s)
{
	size_t n = strlen(s);
	return b->present && b->len >= n && !memcmp(b->p, s, n);
}

int dhcp6_client_mac(const struct dhcp6_msg *m, const struct sockaddr_in6 *src, uint8_t mac[6])
{
	const uint8_t *a = src->sin6_addr.s6_addr;
	if (m->clientid.present && !dhcp6_duid_mac(m->clientid.p, m->clientid.len, mac))
		return 0;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80 && a[11] == 0xff && a[12] == 0xfe) {
		mac[0] = a[8] ^ 2, mac[1] = a[9], mac[2] = a[10];
		mac[3] = a[13], mac[4] = a[14], mac[5] = a[15];
		return 0;
	}
	return -ENOENT;
}

/* The architecture row for code, "other" when the table has none: the
 * same rows (and --boot keys) as DHCPv4's option 93. */
static const struct pxe_arch *arch_row(uint16_t code)
{
	const struct pxe_arch *ai = pxe_arch_by_code(code);
	return ai ? ai : pxe_arch_by_key("other");
}

int dhcp6_classify(const struct dhcp6_msg *m, const struct sockaddr_in6 *src, struct pxe_client *c)
{
	memset(c, 0, sizeof *c);
	bool v343 = m->has_vendor_class && m->enterprise == DHCP6_ENTERPRISE_PXE;
	bool pxe = v343 && bytes_start(&m->vclass, "PXEClient");
	c->http = v343 && bytes_start(&m->vclass, "HTTPClient");
	c->ipxe = m->uclass.present && m->uclass.len == 4 && !memcmp(m->uclass.p, "iPXE", 4);
	if (!pxe && !c->http && !c->ipxe && m->n_arch == 0)
		return -ENOENT;
	c->arch = m->n_arch ? m->arch[0] : 0xffff;
	c->arch_from_opt = m->n_arch > 0;
	c->ai = arch_row(c->arch);
	if (c->ai->http)
		c->http = true;
	if (m->has_nii) {
		c->has_nii = true;
		memcpy(c->nii, m->nii, 3);
	}
	if (m->has_vendor_class) {
		size_t n =
		    m->vclass.len < sizeof c->vclass - 1 ? m->vclass.len : sizeof c->vclass - 1;
		for (size_t i = 0; i < n; i++)
			c->vclass[i] = m->vclass.p[i] >= 0x20 && m->vclass.p[i] < 0x7f
					   ? (char)m->vclass.p[i]
					   : '?';
	}
	dhcp6_client_mac(m, src, c->mac);
	return 0;
}

void dhcp6_classify_plain(const struct dhcp6_msg *m, const struct sockaddr_in6 *src,
			  struct pxe_client *c)
{
	memset(c, 0, sizeof *c);
	c->ai = arch_row(0xffff);
	c->arch = 0xffff;
	dhcp6_client_mac(m, src, c->mac);
}

const char *dhcp6_fw_name(const struct pxe_client *c)
{
	return c->ipxe ? "ipxe" : c->ai->fw == PXE_FW_UEFI ? "uefi" : "other";
}

int dhcp6_boot_url(const struct bootplan *plan, const struct pxe_client *c, const char *host,
		   char *url, size_t cap, const char **why)
{
	struct boot_choice bc;
	int r = bootplan_choose_host(plan, c, host, &bc);
	*why = bc.why;
	if (r < 0)
		return r;
	/* Kernel mode: an x86-64 UEFI PXE client gets ipxe.efi instead of
	 * snponly.efi over IPv6 (see bootplan.h). */
	if (plan->ipxe6 && c->ai->ipxe && !c->http && !c->ipxe &&
	    !strcmp(c->ai->ipxe, "snponly.efi") &&
	    !strcmp(bc.file, BOOTPLAN_PREFIX "ipxe/snponly.efi"))
		snprintf(bc.file, sizeof bc.file, BOOTPLAN_PREFIX "ipxe/%s", plan->ipxe6);
	int n = strstr(bc.file, "://") ? snprintf(url, cap, "%s", bc.file)
				       : snprintf(url, cap, "tftp://%s/%s", host, bc.file);
	if (n < 0 || (size_t)n >= cap) {
		*why = "URL too long";
		return -ENAMETOOLONG;
	}
	return 0;
}
