/* serve_opts: the option table of `lifeboat serve`. A new option is one row
 * here plus its member in struct serve_opts (serve.h); --help, --config,
 * SIGHUP and the man page/completion generators read the row. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/opts.h"
#include "netboot/config.h"
#include "netboot/grub.h"
#include "netboot/pxe.h"
#include "netboot/serve_opts.h"
#include "netboot/status.h"

/* Reload notes, shared by the rows they cover (one log line per note). */
#define NOTE_RESTART "ports, services, interfaces and --tftp-single-port change only on restart"
#define NOTE_GRUB "--grub and --grub-signed change only on restart"
#define NOTE_RESCUE "--rescue and --rescue-file change only on restart"
/* --grub's cores and trees were opened at start-up (grub-mkimage cannot
 * run once sandboxed): a new tree cannot be opened on reload. */
#define NOTE_GRUB_DIR "--grub-dir changes only on restart"
/* the ISOs were opened and read at start-up */
#define NOTE_MENU "--iso, --iso-dir and --entry change only on restart"

/* the API client and its cache were set up at start-up */
#define NOTE_API "--api, --api-ttl and --api-timeout change only on restart"

#define G_BOOT "What to boot"
#define G_MENU "PXE boot menu"
#define G_GRUB "GRUB"
#define G_NET "Interfaces, services and ports"
#define G_PRIV "Privileges"
#define G_GEN "General"
#define G_STATUS "Status"
#define G_DHCP "Full DHCP (--mode dhcp)"
#define NOTE_DHCP "--mode and the full DHCP options change only on restart"
#define NOTE_STATUS "--status, --status-socket and --no-status change only on restart"

static int parse_boot(void *o, const char *arg, const char **why)
{
	return bootplan_add_boot(&((struct serve_opts *)o)->plan, arg, why);
}

/* --host MAC=IP[,NAME] is a DHCP reservation; any other action a boot rule. */
static int parse_host(void *o, const char *arg, const char **why)
{
	int r = dhcp4_resv_parse(arg, &((struct serve_opts *)o)->dhcp4, why);
	if (r)
		return r < 0 ? r : 0;
	return bootplan_add_host(&((struct serve_opts *)o)->plan, arg, why);
}

static int parse_dhcp_range(void *o, const char *arg, const char **why)
{
	return dhcp4_range_parse(arg, &((struct serve_opts *)o)->dhcp4, why);
}

static int parse_router(void *o, const char *arg, const char **why)
{
	struct dhcp4_full_config *c = &((struct serve_opts *)o)->dhcp4;
	size_t n = 0;
	uint8_t one[1][4];
	int r = dhcp4_ip_list_add(arg, one, &n, 1, why);
	if (!r) {
		memcpy(c->router, one[0], 4);
		c->router_set = true;
	}
	return r;
}

static int parse_dns(void *o, const char *arg, const char **why)
{
	struct dhcp4_full_config *c = &((struct serve_opts *)o)->dhcp4;
	return dhcp4_ip_list_add(arg, c->dns, &c->n_dns, DHCP4_MAX_DNS, why);
}

static int parse_ntp(void *o, const char *arg, const char **why)
{
	struct dhcp4_full_config *c = &((struct serve_opts *)o)->dhcp4;
	return dhcp4_ip_list_add(arg, c->ntp, &c->n_ntp, DHCP4_MAX_NTP, why);
}

static int parse_menu(void *o, const char *arg, const char **why)
{
	return bootplan_add_menu(&((struct serve_opts *)o)->plan, arg, why);
}

static int parse_menu_timeout(void *o, const char *arg, const char **why)
{
	struct bootplan *p = &((struct serve_opts *)o)->plan;
	char *end;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || v < 0 || v > 255) {
		*why = "expected 0-255 seconds (0: first item at once, 255: wait for a choice)";
		return -EINVAL;
	}
	p->menu_timeout = (uint8_t)v;
	p->menu_timeout_set = true;
	return 0;
}

/* --grub-signed implies --grub. */
static int parse_grub_signed(void *o, const char *arg, const char **why)
{
	struct bootplan *p = &((struct serve_opts *)o)->plan;
	(void)arg;
	(void)why;
	p->grub = p->grub_signed = true;
	return 0;
}

static int parse_dhcp6_range(void *o, const char *arg, const char **why)
{
	return dhcp6_range_parse(arg, &((struct serve_opts *)o)->dhcp6_range, why);
}

/* --rescue-file implies --rescue. */
static int parse_rescue_file(void *o, const char *arg, const char **why)
{
	struct bootplan *p = &((struct serve_opts *)o)->plan;
	(void)why;
	p->rescue = true;
	p->rescue_file = arg;
	return 0;
}

static const struct opts_choice dhcp_modes[] = {
    {"proxy", DHCP4_MODE_PROXY},
    {"dhcp", DHCP4_MODE_DHCP},
    {"auto", DHCP4_MODE_AUTO},
    {NULL, 0},
};

static const struct opts_choice log_formats[] = {
    {"text", LOG_FMT_TEXT},
    {"json", LOG_FMT_JSON},
    {NULL, 0},
};

#define S(m) OPTS_AT(struct serve_opts, m)
#define L(arr, n) OPTS_LIST_AT(struct serve_opts, arr, n)

static const struct opts_row serve_rows[] = {
    /* What to boot */
    {"boot", 'b', OPTS_CUSTOM, "ARCH=FILE", .parse = parse_boot, .flags = OPTS_REPEAT,
     .help = "boot FILE (relative to ROOT, or an http:// URL) on clients of architecture ARCH "
	     "(repeatable); ARCH \"ipxe\" is for clients already running iPXE",
     .group = G_BOOT},
    {"kernel", 'k', OPTS_STRING, "FILE", S(plan.kernel),
     .help = "kernel mode: boot this Linux kernel (via iPXE + HTTP)", .group = G_BOOT},
    {"initrd", 0, OPTS_LIST, "FILE", L(plan.initrd, plan.n_initrd),
     .help = "initrd for kernel mode (repeatable, in order)", .group = G_BOOT},
    {"cmdline", 0, OPTS_STRING, "STR", S(plan.cmdline),
     .help = "kernel command line for kernel mode", .group = G_BOOT},
    {"rescue", 0, OPTS_FLAG, S(plan.rescue), .value = 1,
     .help = "netboot clients (all, or the --host MAC=rescue ones) into a rescue system built from "
	     "this host at start-up (lifeboat mkrescue): this kernel (or --kernel), SSH with your "
	     "keys; it reports back here. With --iso, --iso-dir or --entry: a boot menu entry",
     .reload = OPTS_RELOAD_REFUSE, .note = NOTE_RESCUE, .group = G_BOOT},
    {"rescue-file", 0, OPTS_CUSTOM, "FILE", S(plan.rescue_file), .parse = parse_rescue_file,
     .help = "--rescue with an image built earlier by 'lifeboat mkrescue' (give --kernel of "
	     "the same release)",
     .reload = OPTS_RELOAD_REFUSE, .note = NOTE_RESCUE, .group = G_BOOT},
    {"host", 0, OPTS_CUSTOM, "MAC=ACTION", .parse = parse_host, .flags = OPTS_REPEAT,
     .help = "per-machine rule (repeatable): ACTION is 'ignore', 'rescue' (with --rescue: only "
	     "these), FILE, ARCH:FILE, or entry:NAME (boot menu; NAME 'rescue': the rescue); MAC "
	     "octets may be '*' (b8:27:eb:* = a whole OUI); with --mode dhcp, IP[,NAME] reserves "
	     "an address (and host name, option 12) for one MAC",
     .group = G_BOOT},
    {"ipxe-dir", 0, OPTS_STRING, "DIR", S(plan.ipxe_dir), .def = "/usr/lib/ipxe",
     .help = "iPXE images for kernel mode (Debian package ipxe)", .group = G_BOOT},
    {"iso", 0, OPTS_LIST, "FILE", L(isos, n_isos), .bad = "--iso files",
     .help = "boot menu: an ISO image (repeatable); its layout (Debian live/installer, Ubuntu, "
	     "Fedora/RHEL, Arch, Alpine) gives kernel, initrds and command line, its files are "
	     "served from inside it",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_MENU, .group = G_BOOT},
    {"iso-dir", 0, OPTS_LIST, "DIR", L(iso_dirs, n_iso_dirs), .bad = "--iso-dir directories",
     .help = "boot menu: every *.iso in DIR (repeatable; ISOs of unknown layout are skipped "
	     "with a warning)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_MENU, .group = G_BOOT},
    {"entry", 0, OPTS_LIST, "LABEL=kernel:F,initrd:F,cmdline:S", L(entries, n_entries),
     .bad = "--entry items",
     .help = "boot menu: an entry booting host files (repeatable; initrd: repeatable, "
	     "cmdline: last)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_MENU, .group = G_BOOT},
    {"boot-menu-timeout", 0, OPTS_UINT, "S", S(boot_menu_timeout), .min = 0, .max = 3600,
     .def = "10", .help = "boot menu: seconds before \"Boot from local disk\" (the default) boots",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_MENU, .group = G_BOOT},
    {"iso-cmdline", 0, OPTS_STRING, "STR", S(iso_cmdline),
     .help = "boot menu: words added to every ISO entry's kernel command line (e.g. "
	     "console=ttyS0,115200 for a serial console)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_MENU, .group = G_BOOT},
    {"no-auto-entries", 0, OPTS_FLAG, S(no_auto_entries), .value = 1,
     .help = "boot menu: no entry for the host's Debian installer "
	     "(debian-installer-*-netboot-amd64) and no lifeboat rescue built from this host",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_MENU, .group = G_BOOT},
    {"api", 0, OPTS_STRING, "URL", S(plan.api_url),
     .help = "ask http://HOST[:PORT][/PATH]/v1/boot/MAC what each machine boots (pixiecore's "
	     "API: kernel, initrd, cmdline, message; 404 = not ours); http:// only",
     .reload = OPTS_RELOAD_REFUSE, .note = NOTE_API, .group = G_BOOT},
    {"api-ttl", 0, OPTS_UINT, "S", S(plan.api_ttl), .min = 1, .max = 86400, .def = "60",
     .help = "--api: seconds an answer (200 or 404) is used before the API is asked again",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_API, .group = G_BOOT},
    {"api-timeout", 0, OPTS_UINT, "MS", S(plan.api_timeout_ms), .min = 100, .max = 60000,
     .def = "2000",
     .help = "--api: milliseconds for one request; a slower API gets no offer made for it",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_API, .group = G_BOOT},
    {"pxelinux-config", 0, OPTS_STRING, "F", S(plan.pxelinux_config),
     .help = "DHCP option 209: pxelinux loads this config file", .group = G_BOOT},
    {"pxelinux-prefix", 0, OPTS_STRING, "P", S(plan.pxelinux_prefix),
     .help = "DHCP option 210: pxelinux's path prefix", .group = G_BOOT},
    {"no-router-request-ack", 0, OPTS_FLAG, S(plan.no_router_request_ack), .value = 1,
     .help = "leave a PXE client's DHCPREQUEST for another server's offer (udp/67) "
	     "unanswered; by default it gets a proxy-form ACK (no address) for ROMs that take "
	     "the boot file only from that answer",
     .group = G_NET},
    /* PXE boot menu */
    {"menu", 0, OPTS_CUSTOM, "LABEL=ARCH:FILE", .parse = parse_menu, .flags = OPTS_REPEAT,
     .help = "PXE boot menu item (repeatable, in order) for firmware of ARCH (e.g. bios); FILE "
	     "'local' = boot from disk. Chosen items are answered on udp/4011",
     .group = G_MENU},
    {"menu-prompt", 0, OPTS_STRING, "TEXT", S(plan.menu_prompt),
     .def = "Press F8 for the boot menu", .flags = OPTS_DEF_DOC, .help = "menu prompt",
     .group = G_MENU},
    {"menu-timeout", 0, OPTS_CUSTOM, "S", S(plan.menu_timeout), .parse = parse_menu_timeout,
     .def = "10", .flags = OPTS_DEF_DOC,
     .help = "seconds before the first item boots; 0 = at once, 255 = wait for a choice",
     .group = G_MENU},
    /* Interfaces, services and ports: they own sockets, so a reload keeps them */
    {"interface", 'i', OPTS_LIST, "IFACE", L(ifaces, n_ifaces), .bad = "interfaces",
     .help = "answer on IFACE only (repeatable; default: every up, non-loopback interface with "
	     "an IPv4 address)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_RESTART, .group = G_NET},
    {"http-port", 0, OPTS_PORT, "N", S(plan.http_port), .def = "80", .help = "HTTP port",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"tftp-port", 0, OPTS_PORT, "N", S(tftp_port), .def = "69", .help = "TFTP port",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_RESTART, .group = G_NET},
    {"tftp-single-port", 0, OPTS_FLAG, S(tftp_single_port), .value = 1,
     .help = "send every TFTP reply from the TFTP port (for NAT, containers, firewalls) "
	     "instead of a port per transfer",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"tftp-sockets", 0, OPTS_UINT, "N", S(tftp_sockets), .min = 0, .max = 64, .def = "4",
     .help = "TFTP transfers share N sockets, each on its own port (batched sends and receives "
	     "across transfers); 0: a socket and port per transfer",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"dhcp-port", 0, OPTS_PORT, "N", S(dhcp_port), .def = "67", .help = "proxyDHCP port",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_RESTART, .group = G_NET},
    {"binl-port", 0, OPTS_PORT, "N", S(binl_port), .def = "4011", .help = "PXE boot server port",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_RESTART, .group = G_NET},
    {"no-http", 0, OPTS_FLAG, S(plan.http), .value = 0, .init = 1, .help = "no HTTP server",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"no-tftp", 0, OPTS_FLAG, S(plan.tftp), .value = 0, .init = 1, .help = "no TFTP server",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"no-dhcp", 0, OPTS_FLAG, S(dhcp), .value = 0, .init = 1,
     .help = "no proxyDHCP (DHCPv4, udp/67 and 4011)", .reload = OPTS_RELOAD_NOTE,
     .note = NOTE_RESTART, .group = G_NET},
    {"no-dhcp6", 0, OPTS_FLAG, S(dhcp6), .value = 0, .init = 1,
     .help = "no DHCPv6 (udp/547 and 4011 over IPv6)", .reload = OPTS_RELOAD_NOTE,
     .note = NOTE_RESTART, .group = G_NET},
    {"dhcp6-range", 0, OPTS_CUSTOM, "START,END", S(dhcp6_range), .parse = parse_dhcp6_range,
     .help = "stateful DHCPv6: assign IPv6 addresses from START..END (one /64) to netboot "
	     "clients (default: proxy, another server assigns addresses)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_RESTART, .group = G_NET},
    {"router6", 0, OPTS_FLAG, S(router6), .value = 1,
     .help = "with --dhcp6-range on a link with no router: advertise lifeboat as the default "
	     "IPv6 router (router lifetime 1800 s; default 0: no default route)",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"no-ra", 0, OPTS_FLAG, S(ra), .value = 0, .init = 1,
     .help = "with --dhcp6-range: send no router advertisements, even on a link with no router",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_RESTART, .group = G_NET},
    {"dhcp-rate", 0, OPTS_UINT, "N", S(dhcp_rate), .min = 0, .max = 10000000, .def = "1000",
     .help = "at most N DHCP replies per second overall (0 = unlimited); each client gets at "
	     "most 4/s",
     .reload = OPTS_RELOAD_STARTUP, .group = G_NET},
    {"max-transfers", 0, OPTS_UINT, "N", S(max_transfers), .min = 1, .max = 1000000, .def = "1024",
     .help = "concurrent TFTP transfers and HTTP connections, each", .reload = OPTS_RELOAD_STARTUP,
     .group = G_NET},
    {"max-per-client", 0, OPTS_UINT, "N", S(max_per_client), .min = 1, .max = 1000000, .def = "32",
     .help = "TFTP transfers and HTTP connections one client address may hold at once, each "
	     "(beyond it: TFTP ERROR, HTTP 503)",
     .reload = OPTS_RELOAD_STARTUP, .group = G_NET},
    {"tftp-rate", 0, OPTS_UINT, "N", S(tftp_rate), .min = 0, .max = 1000000, .def = "32",
     .help = "new TFTP transfers a second per client address, burst 2N (0 = no limit); "
	     "bounds what a spoofed request can reflect",
     .reload = OPTS_RELOAD_STARTUP, .group = G_NET},
    {"tftp-rate-total", 0, OPTS_UINT, "N", S(tftp_rate_total), .min = 0, .max = 1000000,
     .def = "500", .help = "new TFTP transfers a second overall, burst 2N (0 = no limit)",
     .reload = OPTS_RELOAD_STARTUP, .group = G_NET},
    /* Full DHCP */
    {"mode", 0, OPTS_CHOICE, "MODE", S(dhcp4.mode), .choices = dhcp_modes, .def = "proxy",
     .help = "proxy: answer only the PXE part of DHCP, another server gives addresses; dhcp: "
	     "be the LAN's DHCP server (a bare cable), addresses for every client and boot "
	     "information for netboot clients; auto: probe each interface for a DHCP server "
	     "and be proxy where one answers, dhcp where none does (re-probed every "
	     "--probe-interval; another server appearing turns addressing off at once)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    {"probe-window", 0, OPTS_UINT, "S", S(probe_window), .min = 1, .max = 600, .def = "10",
     .help = "--mode auto: seconds an interface listens for another DHCP server at start-up "
	     "before lifeboat serves addresses there (dnsmasq answers a first DISCOVER only "
	     "after its 3 s ping check)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    {"probe-interval", 0, OPTS_UINT, "S", S(probe_interval), .min = 1, .max = 86400, .def = "30",
     .help = "--mode auto: seconds between DHCPDISCOVER probes on an interface lifeboat serves "
	     "addresses on (never a REQUEST: no lease is taken)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    {"dhcp-range", 0, OPTS_CUSTOM, "START,END[,LEASE]", S(dhcp4.range_start),
     .parse = parse_dhcp_range,
     .help = "addresses to lease (at most 4096; LEASE: seconds or 90m, 12h, 7d; default 1h); "
	     "default: the upper half of the interface's subnet, never this host's address",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    {"router", 0, OPTS_CUSTOM, "IP", S(dhcp4.router), .parse = parse_router,
     .help = "default gateway for clients (option 3); default: none", .reload = OPTS_RELOAD_NOTE,
     .note = NOTE_DHCP, .group = G_DHCP},
    {"dns", 0, OPTS_CUSTOM, "IP", S(dhcp4.dns), .parse = parse_dns, .flags = OPTS_REPEAT,
     .help = "DNS server for clients (option 6, repeatable, up to 4); default: none (lifeboat "
	     "is no DNS server)",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    {"domain", 0, OPTS_STRING, "NAME", S(dhcp4.domain),
     .help = "domain name for clients (option 15)", .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP,
     .group = G_DHCP},
    {"mtu", 0, OPTS_UINT, "N", S(dhcp4.mtu), .min = 0, .max = 65535,
     .help = "interface MTU for clients (option 26); 0 = none", .reload = OPTS_RELOAD_NOTE,
     .note = NOTE_DHCP, .group = G_DHCP},
    {"ntp", 0, OPTS_CUSTOM, "IP", S(dhcp4.ntp), .parse = parse_ntp, .flags = OPTS_REPEAT,
     .help = "NTP server for clients (option 42, repeatable, up to 4)", .reload = OPTS_RELOAD_NOTE,
     .note = NOTE_DHCP, .group = G_DHCP},
    {"lease-file", 0, OPTS_STRING, "FILE", S(dhcp4.lease_file), .def = DHCP4_LEASE_FILE_DEFAULT,
     .help = "the lease database (written atomically; an ACK leaves only once its lease is on "
	     "disk); its directory is created for --user if missing",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    {"no-arp-probe", 0, OPTS_FLAG, S(dhcp4.no_probe), .value = 1,
     .help = "offer addresses without first checking with an ARP probe that nobody uses them",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_DHCP, .group = G_DHCP},
    /* GRUB */
    {"grub", 0, OPTS_FLAG, S(plan.grub), .value = 1,
     .help = "BIOS, x64 and ARM64 UEFI clients boot GRUB: core images built at start-up with "
	     "grub-mkimage, prefix (http,OUR-IP)/grub; modules, grub/grub.cfg (ROOT, or "
	     "generated in kernel mode) and kernel over HTTP (an arm64 host does this for "
	     "ARM64 UEFI clients by default in kernel mode when it has no arm64 iPXE)",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_GRUB, .group = G_GRUB},
    {"grub-signed", 0, OPTS_CUSTOM, NULL, S(plan.grub_signed), .parse = parse_grub_signed,
     .help = "x64 UEFI clients boot Debian's signed shim + GRUB (Secure Boot) instead; it needs "
	     "a DHCP server whose next-server is this host (GRUB ignores proxy offers)",
     .reload = OPTS_RELOAD_KEEP, .note = NOTE_GRUB, .group = G_GRUB},
    {"grub-dir", 0, OPTS_STRING, "DIR", S(plan.grub_dir), .def = GRUB_DEFAULT_DIR,
     .help = "GRUB module trees (Debian packages grub-pc-bin, grub-efi-amd64-bin, "
	     "grub-efi-arm64-bin)",
     .reload = OPTS_RELOAD_REFUSE, .note = NOTE_GRUB_DIR, .group = G_GRUB},
    /* Privileges */
    {"user", 0, OPTS_STRING, "USER", S(user), .def = "nobody",
     .help = "drop root to USER once sockets are bound; files under ROOT must be readable by "
	     "USER",
     .reload = OPTS_RELOAD_STARTUP, .group = G_PRIV},
    {"no-sandbox", 0, OPTS_FLAG, S(no_sandbox), .value = 1,
     .help = "no Landlock confinement (by default, after dropping root, lifeboat may read only "
	     "beneath ROOT and the kernel/initrd/iPXE/GRUB/config directories)",
     .reload = OPTS_RELOAD_STARTUP, .group = G_PRIV},
    {"require-sandbox", 0, OPTS_FLAG, S(require_sandbox), .value = 1,
     .help = "refuse to start unless Landlock (ABI 3+) and the seccomp filter are both in force",
     .reload = OPTS_RELOAD_KEEP, .note = "--require-sandbox changes only on restart",
     .group = G_PRIV},
    /* General */
    {"config", 'c', OPTS_STRING, "FILE", S(config), .flags = OPTS_NO_CONFIG,
     .help = "read options from FILE (one 'option value' per line, 'root DIR' for ROOT); "
	     "SIGHUP re-reads it",
     .group = G_GEN},
    {"log-format", 0, OPTS_CHOICE, "F", S(log_format), .choices = log_formats, .def = "text",
     .help = "text, or json (one JSON object per line)", .reload = OPTS_RELOAD_STARTUP,
     .group = G_GEN},
    {"verbose", 'v', OPTS_FLAG, S(log_level), .value = LOG_LVL_DEBUG, .init = LOG_LVL_INFO,
     .help = "debug logging (also every ignored DHCP packet)", .reload = OPTS_RELOAD_STARTUP,
     .group = G_GEN},
    {"quiet", 'q', OPTS_FLAG, S(log_level), .value = LOG_LVL_WARN, .init = LOG_LVL_INFO,
     .help = "warnings and errors only", .reload = OPTS_RELOAD_STARTUP, .group = G_GEN},
    {"status", 0, OPTS_STRING, "ADDR:PORT", S(status_http),
     .help = "HTTP status: /status.json, /metrics (Prometheus), / (HTML page); off by default",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_STATUS, .group = G_STATUS},
    {"status-socket", 0, OPTS_STRING, "PATH", S(status_socket), .def = STATUS_SOCKET_DEFAULT,
     .help = "Unix socket `lifeboat status` asks (root only); \"\" for none",
     .reload = OPTS_RELOAD_NOTE, .note = NOTE_STATUS, .group = G_STATUS},
    {"no-status", 0, OPTS_FLAG, S(no_status), .value = 1,
     .help = "no live client table above the log on a terminal", .reload = OPTS_RELOAD_KEEP,
     .note = NOTE_STATUS, .group = G_STATUS},
    {"help", 'h', OPTS_FLAG, S(help), .value = 1, .flags = OPTS_NO_CONFIG | OPTS_STOP,
     .help = "this text", .group = G_GEN},
};

#undef S
#undef L

static void serve_epilog(FILE *f)
{
	size_t n;
	const struct pxe_arch *t = pxe_arch_table(&n);
	fprintf(f, "\nARCH is one of:");
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(t[i].key, t[i - 1].key))
			fprintf(f, "%s %s", i % 6 == 0 ? "\n " : "", t[i].key);
	fprintf(
	    f,
	    " ipxe other\n"
	    "\n"
	    "examples:\n"
	    "  lifeboat serve --kernel vmlinuz --initrd initrd.img --cmdline 'console=ttyS0'\n"
	    "  lifeboat serve /srv/tftp --boot bios=pxelinux.0 --boot efi64=grubx64.efi\n"
	    "  lifeboat serve --grub --kernel vmlinuz --initrd initrd.img\n"
	    "  lifeboat serve /srv/tftp -i eth1 --boot ipxe=boot.ipxe --boot bios=undionly.kpxe\n");
}

static const struct opts_cmd serve_cmd = {
    .name = "serve",
    .about = "usage: lifeboat serve [ROOT] [options]\n"
	     "\n"
	     "Netboot the PXE clients of this LAN without touching its DHCP server:\n"
	     "answers only the PXE part of DHCP (proxyDHCP, udp/67 and udp/4011), serves\n"
	     "boot files from ROOT over TFTP (udp/69) and HTTP (tcp/80).\n"
	     "\n"
	     "  ROOT                   directory of boot files (optional in kernel mode)\n",
    .epilog = serve_epilog,
    .rows = serve_rows,
    .n_rows = sizeof serve_rows / sizeof serve_rows[0],
    .size = sizeof(struct serve_opts),
    .has_config = true,
};

const struct opts_cmd *serve_options(void)
{
	return &serve_cmd;
}

void serve_usage(FILE *f)
{
	opts_help(&serve_cmd, f);
}

/* What the rows cannot say alone: ROOT, and options that need others. */
static int serve_check_args(int argc, char **argv, int first, struct serve_opts *o, FILE *err)
{
	if (first < argc)
		o->root = argv[first++];
	if (first < argc) {
		fprintf(err, "serve: unexpected argument '%s' (only one ROOT)\n", argv[first]);
		return -EINVAL;
	}
	if (o->plan.n_initrd && !o->plan.kernel) {
		fprintf(err, "serve: --initrd needs --kernel\n");
		return -EINVAL;
	}
	for (size_t i = 0; i < o->plan.n_hosts; i++)
		if (o->plan.hosts[i].rescue && !o->plan.rescue) {
			fprintf(err, "serve: --host MAC=rescue needs --rescue or --rescue-file\n");
			return -EINVAL;
		}
	if (o->plan.rescue && o->plan.n_initrd) {
		fprintf(err, "serve: --rescue brings its own initrd: drop --initrd\n");
		return -EINVAL;
	}
	if (o->plan.cmdline && !o->plan.kernel && !o->plan.rescue) {
		fprintf(err, "serve: --cmdline needs --kernel\n");
		return -EINVAL;
	}
	if ((o->plan.menu_prompt || o->plan.menu_timeout_set) && !o->plan.n_menu) {
		fprintf(err, "serve: --menu-prompt and --menu-timeout need --menu\n");
		return -EINVAL;
	}
	if (o->dhcp4.mode != DHCP4_MODE_PROXY && !o->dhcp) {
		fprintf(err, "serve: --mode %s needs DHCPv4: drop --no-dhcp\n",
			o->dhcp4.mode == DHCP4_MODE_AUTO ? "auto" : "dhcp");
		return -EINVAL;
	}
	char menu_err[256];
	if (bootplan_menu_check(&o->plan, menu_err, sizeof menu_err)) {
		fprintf(err, "serve: --menu: %s\n", menu_err);
		return -EINVAL;
	}
	return 0;
}

int serve_parse_args(int argc, char **argv, struct serve_opts *o, FILE *err)
{
	int first;
	memset(o, 0, sizeof *o);
	if (opts_defaults(&serve_cmd, o))
		return -EINVAL;
	int r = opts_parse(&serve_cmd, argc, argv, o, &first, err);
	if (r == 1) /* --help */
		return 0;
	if (r)
		return -EINVAL;
	return serve_check_args(argc, argv, first, o, err);
}

const char *serve_option_name(size_t i)
{
	return i < serve_cmd.n_rows ? serve_rows[i].name : NULL;
}

int serve_option_kind(const char *name)
{
	return opts_config_kind(&serve_cmd, name);
}

int serve_load_opts(int argc, char **argv, struct serve_opts *o, FILE *err)
{
	int r = serve_parse_args(argc, argv, o, err);
	if (r || o->help || !o->config)
		return r;
	/* Again with the file's words first, so the command line wins. */
	const char *path = o->config;
	struct config_argv *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return -ENOMEM;
	r = config_load(path, serve_option_kind, cfg, err);
	if (r) {
		free(cfg);
		return -EINVAL;
	}
	char **all = calloc((size_t)argc + (size_t)cfg->argc + 1, sizeof *all);
	if (!all) {
		config_argv_free(cfg);
		free(cfg);
		return -ENOMEM;
	}
	int n = 0;
	all[n++] = argv[0];
	for (int i = 0; i < cfg->argc; i++)
		all[n++] = cfg->argv[i];
	for (int i = 1; i < argc; i++)
		all[n++] = argv[i];
	r = serve_parse_args(n, all, o, err);
	if (r) {
		fprintf(err, "serve: in %s (or the command line)\n", path);
	} else {
		if (!o->root && cfg->root)
			o->root = cfg->root;
		o->config = path;
	}
	o->cfg = cfg; /* strings in o point into it */
	o->cfg_argv = all;
	return r;
}

void serve_opts_free(struct serve_opts *o)
{
	if (!o)
		return;
	if (o->cfg) {
		config_argv_free(o->cfg);
		free(o->cfg);
	}
	free(o->cfg_argv);
	free(o);
}

int serve_opts_reload(const struct serve_opts *o, struct serve_opts *n)
{
	const char *notes[8], *refused;
	size_t nn;
	if (opts_reload(&serve_cmd, o, n, notes, 8, &nn, &refused)) {
		log_err("serve.reload result=failed reason=\"%s\"", refused);
		return -EPERM;
	}
	for (size_t i = 0; i < nn; i++)
		log_warn("serve.reload note=\"%s\"", notes[i]);
	return 0;
}
