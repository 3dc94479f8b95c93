/* serve_files: TFTP and HTTP wiring (lands with the tftp and http modules). */
#include "netboot/serve.h"

int serve_files_start(struct serve_state *st, const struct serve_opts *o)
{
	(void)st;
	if (o->plan.tftp || o->plan.http)
		log_warn("serve.warn reason=\"TFTP and HTTP are not wired in this build\"");
	return 0;
}

void serve_files_stop(struct serve_state *st)
{
	(void)st;
}

void serve_files_reload(struct serve_state *st, const struct serve_opts *n)
{
	(void)st;
	(void)n;
}
