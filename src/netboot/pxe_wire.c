/* pxe_wire: option 43/77/97 bytes and the proxy reply layout, through
 * core/buf cursors only (see pxe_wire.h; the choices are pxe.c's). */
#include "netboot/pxe_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int pxe_wire_sub_next(struct rbuf *r, uint8_t *code, struct rbuf *val)
{
	uint8_t len;
	for (;;) {
		if (!rbuf_left(r) || rbuf_u8(r, code))
			return 0;
		if (*code == PXE_SUB_END)
			return 0;
		if (*code != PXE_SUB_PAD)
			break;
	}
	if (rbuf_u8(r, &len) || rbuf_sub(r, len, val))
		return -EBADMSG;
	return 1;
}

int pxe_wire_boot_item(const uint8_t *p, size_t n, uint16_t *type, uint16_t *layer)
{
	struct rbuf r, v;
	uint8_t code;
	int k;
	rbuf_init(&r, p, n);
	while ((k = pxe_wire_sub_next(&r, &code, &v)) > 0) {
		if (code != PXE_SUB_BOOT_ITEM)
			continue;
		if (rbuf_left(&v) != 4)
			return -EBADMSG;
		rbuf_be16(&v, type);
		rbuf_be16(&v, layer);
		return 0;
	}
	return k < 0 ? k : -ENOENT;
}

int pxe_wire_user_class_next(struct rbuf *r, const uint8_t **s, size_t *len)
{
	uint8_t l;
	if (!rbuf_left(r))
		return 0;
	if (rbuf_u8(r, &l) || rbuf_ptr(r, l, s))
		return -EBADMSG;
	*len = l;
	return 1;
}

bool pxe_wire_user_class_has(const uint8_t *p, size_t n, const char *name)
{
	size_t nl = strlen(name), len;
	const uint8_t *s;
	struct rbuf r;
	if (p && n == nl && !memcmp(p, name, nl))
		return true;
	rbuf_init(&r, p, n);
	while (pxe_wire_user_class_next(&r, &s, &len) > 0)
		if (len == nl && !memcmp(s, name, nl))
			return true;
	return false;
}

int pxe_wire_uuid(const uint8_t *p, size_t n, uint8_t uuid[17])
{
	struct rbuf r;
	uint8_t type;
	if (!p || !n)
		return -ENOENT;
	rbuf_init(&r, p, n);
	if (n != 17 || rbuf_u8(&r, &type) || type != 0)
		return -EBADMSG;
	uuid[0] = type;
	return rbuf_bytes(&r, uuid + 1, 16);
}

/* The menu payload's length, after checking each sub-option fits its
 * one-byte length: >0, or -EINVAL / -ENOBUFS. */
static int menu_size(const struct pxe_menu *m, size_t *n_servers, size_t *menu_len)
{
	size_t prompt = m->prompt ? strlen(m->prompt) : 0;
	*n_servers = *menu_len = 0;
	if (m->n == 0 || m->n > PXE_MENU_MAX)
		return -EINVAL;
	for (size_t i = 0; i < m->n; i++) {
		*n_servers += m->type[i] != 0;
		*menu_len += 3 + strlen(m->label[i]);
	}
	/* each sub-option carries at most 255 bytes */
	if (*menu_len > 255 || 7 * *n_servers > 255 || 1 + prompt > 255)
		return -ENOBUFS;
	return (int)(3 + (*n_servers ? 2 + 7 * *n_servers : 0) + 2 + *menu_len + 2 + 1 + prompt +
		     1);
}

int pxe_menu_encode(uint8_t *out, size_t cap, const struct pxe_menu *m, const uint8_t server_ip[4])
{
	struct wbuf o;
	size_t n_servers, menu_len;
	const char *prompt = m->prompt ? m->prompt : "";
	int size = menu_size(m, &n_servers, &menu_len);
	if (size < 0)
		return size;
	if ((size_t)size > cap)
		return -ENOBUFS; /* refused before a byte is written */
	wbuf_init(&o, out, cap);
	/* 43.6 bits 0+1: no broadcast or multicast discovery, ask the
	 * servers of 43.8 (us) on 4011; bit 3 clear: show the menu */
	wbuf_u8(&o, PXE_SUB_DISCOVERY_CONTROL), wbuf_u8(&o, 1);
	wbuf_u8(&o, PXE_DISC_NO_BCAST | PXE_DISC_NO_MCAST);
	if (n_servers) {
		wbuf_u8(&o, PXE_SUB_BOOT_SERVERS), wbuf_u8(&o, (uint8_t)(7 * n_servers));
		for (size_t i = 0; i < m->n; i++) {
			if (!m->type[i])
				continue; /* local boot asks no server */
			wbuf_be16(&o, m->type[i]), wbuf_u8(&o, 1), wbuf_bytes(&o, server_ip, 4);
		}
	}
	wbuf_u8(&o, PXE_SUB_BOOT_MENU), wbuf_u8(&o, (uint8_t)menu_len);
	for (size_t i = 0; i < m->n; i++) {
		wbuf_be16(&o, m->type[i]);
		wbuf_u8(&o, (uint8_t)strlen(m->label[i]));
		wbuf_str(&o, m->label[i]);
	}
	wbuf_u8(&o, PXE_SUB_MENU_PROMPT), wbuf_u8(&o, (uint8_t)(1 + strlen(prompt)));
	wbuf_u8(&o, m->timeout), wbuf_str(&o, prompt);
	wbuf_u8(&o, PXE_SUB_END);
	return o.err ? -ENOBUFS : (int)o.len;
}

/* Option 43 from a payload built in o: all of it into w, or nothing. */
static int put_vendor(struct wbuf *w, const struct wbuf *o)
{
	if (o->err)
		return -ENOBUFS;
	return dhcp4_build_opt(w, DHCP4_OPT_VENDOR, o->p, o->len);
}

int pxe_wire_put_discovery(struct wbuf *w, uint8_t control)
{
	uint8_t v[4];
	struct wbuf o;
	wbuf_init(&o, v, sizeof v);
	wbuf_u8(&o, PXE_SUB_DISCOVERY_CONTROL), wbuf_u8(&o, 1), wbuf_u8(&o, control);
	wbuf_u8(&o, PXE_SUB_END);
	return put_vendor(w, &o);
}

/* Raspberry Pi: discovery control 3, one boot server entry type 0, and a
 * menu whose text the Pi bootloader looks for. */
int pxe_wire_put_rpi(struct wbuf *w)
{
	static const char menu[] = "Raspberry Pi Boot";
	uint8_t v[64];
	struct wbuf o;
	wbuf_init(&o, v, sizeof v);
	wbuf_u8(&o, PXE_SUB_DISCOVERY_CONTROL), wbuf_u8(&o, 1);
	wbuf_u8(&o, PXE_DISC_NO_BCAST | PXE_DISC_NO_MCAST);
	wbuf_u8(&o, PXE_SUB_MENU_PROMPT), wbuf_u8(&o, 4), wbuf_u8(&o, 0), wbuf_str(&o, "PXE");
	wbuf_u8(&o, PXE_SUB_BOOT_MENU), wbuf_u8(&o, (uint8_t)(3 + sizeof menu - 1));
	wbuf_be16(&o, 0), wbuf_u8(&o, (uint8_t)(sizeof menu - 1)), wbuf_str(&o, menu);
	wbuf_u8(&o, PXE_SUB_END);
	return put_vendor(w, &o);
}

int pxe_wire_put_menu(struct wbuf *w, const struct pxe_menu *m, const uint8_t server_ip[4])
{
	uint8_t v[256];
	int n = pxe_menu_encode(v, sizeof v, m, server_ip);
	if (n < 0)
		return n;
	return dhcp4_build_opt(w, DHCP4_OPT_VENDOR, v, (size_t)n);
}

/* The boot server ACK names the item it answers (PXE spec 2.1 2.2.7; iPXE
 * drops an ACK whose 43.71 type differs). */
int pxe_wire_put_item(struct wbuf *w, uint16_t type, uint16_t layer)
{
	uint8_t v[7];
	struct wbuf o;
	wbuf_init(&o, v, sizeof v);
	wbuf_u8(&o, PXE_SUB_BOOT_ITEM), wbuf_u8(&o, 4);
	wbuf_be16(&o, type), wbuf_be16(&o, layer);
	wbuf_u8(&o, PXE_SUB_END);
	return put_vendor(w, &o);
}

/* Option 43 in the layout of r->shape (none for BINL and HTTP). */
static int put_shape(struct wbuf *w, const struct pxe_reply *r)
{
	switch (r->shape) {
	case PXE_SHAPE_PXE10:
		/* skip boot server discovery, boot the file now */
		return pxe_wire_put_discovery(w, PXE_DISC_SKIP);
	case PXE_SHAPE_RPI:
		return pxe_wire_put_rpi(w);
	case PXE_SHAPE_MENU:
		return r->menu ? pxe_wire_put_menu(w, r->menu, r->server_ip) : -EINVAL;
	case PXE_SHAPE_ITEM:
		return pxe_wire_put_item(w, r->item_type, r->item_layer);
	case PXE_SHAPE_BINL:
	case PXE_SHAPE_HTTP:
		break;
	}
	return 0;
}

/* A NUL-terminated option when s is set; nothing otherwise. */
static int put_str_opt(struct wbuf *w, uint8_t code, const char *s)
{
	return s ? dhcp4_build_opt(w, code, s, strlen(s)) : 0;
}

int pxe_wire_build_reply(struct wbuf *w, const struct dhcp4_msg *req, const struct pxe_reply *r,
			 bool http, const uint8_t *uuid)
{
	char sname[16];
	struct dhcp4_hdr h = {
	    .op = DHCP4_BOOTREPLY,
	    .xid = req->xid,
	    .flags = req->flags,
	    .hlen = req->hlen,
	    .sname = sname,
	    .file = r->file,
	};
	int e;
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
	if (r->yiaddr)
		memcpy(h.yiaddr, r->yiaddr, 4);
	if (dhcp4_build_header(w, &h))
		return -ENOBUFS;
	e = dhcp4_build_opt_u8(w, DHCP4_OPT_MSG_TYPE, r->type);
	e = e ? e : dhcp4_build_opt(w, DHCP4_OPT_SERVER_ID, r->server_ip, 4);
	if (!e && r->extra_len)
		e = wbuf_bytes(w, r->extra, r->extra_len) ? -ENOBUFS : 0;
	e = e ? e : put_str_opt(w, DHCP4_OPT_VENDOR_CLASS, http ? "HTTPClient" : "PXEClient");
	if (!e && uuid)
		e = dhcp4_build_opt(w, DHCP4_OPT_CLIENT_UUID, uuid, 17);
	e = e ? e : put_shape(w, r);
	/* an HTTP boot client gets a URL: no TFTP server to name */
	if (!e && r->file && r->shape != PXE_SHAPE_HTTP)
		e = put_str_opt(w, DHCP4_OPT_TFTP_SERVER, sname);
	e = e ? e : put_str_opt(w, DHCP4_OPT_BOOTFILE, r->file);
	e = e ? e : put_str_opt(w, DHCP4_OPT_PXELINUX_CONFIGFILE, r->pxelinux_config);
	e = e ? e : put_str_opt(w, DHCP4_OPT_PXELINUX_PATHPREFIX, r->pxelinux_prefix);
	if (e || w->err)
		return e ? e : -ENOBUFS;
	return dhcp4_build_end(w);
}
