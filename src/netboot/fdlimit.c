/* fdlimit: sizes RLIMIT_NOFILE for serve's transfer and connection caps. */
#include "netboot/fdlimit.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

void fdlimit_compute(uint64_t soft, uint64_t hard, uint64_t max_hard, unsigned tftp_want,
		     unsigned http_want, struct fdlimit_plan *p)
{
	uint64_t need = FDLIMIT_RESERVE + (uint64_t)FDLIMIT_PER_TRANSFER * (tftp_want + http_want);
	if (max_hard < hard)
		max_hard = hard;
	p->tftp_max = tftp_want;
	p->http_max = http_want;
	p->shrunk = false;
	p->hard = hard;
	p->soft = soft;
	if (need <= soft)
		return; /* never lower what the admin gave us */
	if (need > hard)
		p->hard = need <= max_hard ? need : max_hard;
	p->soft = need <= p->hard ? need : p->hard;
	if (need <= p->soft)
		return;
	uint64_t slots = p->soft > FDLIMIT_RESERVE + 2 * FDLIMIT_PER_TRANSFER
			     ? (p->soft - FDLIMIT_RESERVE) / FDLIMIT_PER_TRANSFER
			     : 2;
	uint64_t t = tftp_want < slots / 2 ? tftp_want : slots / 2;
	uint64_t h = slots - t < http_want ? slots - t : http_want;
	p->tftp_max = t ? (unsigned)t : 1;
	p->http_max = h ? (unsigned)h : 1;
	p->shrunk = true;
}

static uint64_t fdlimit_nr_open(void)
{
	unsigned long long v = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

int fdlimit_apply(unsigned *tftp_max, unsigned *http_max, struct fdlimit_plan *p)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	uint64_t soft = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	uint64_t hard = rl.rlim_max == RLIM_INFINITY ? UINT64_MAX : rl.rlim_max;
	/* Raising the hard limit needs CAP_SYS_RESOURCE; try, and fall back
	 * to the current hard limit when refused. */
	fdlimit_compute(soft, hard, fdlimit_nr_open(), *tftp_max, *http_max, p);
	int err = 0;
	if (p->soft != soft || p->hard != hard) {
		struct rlimit want = {.rlim_cur = p->soft, .rlim_max = p->hard};
		if (setrlimit(RLIMIT_NOFILE, &want)) {
			err = -errno;
			fdlimit_compute(soft, hard, hard, *tftp_max, *http_max, p);
			want = (struct rlimit){.rlim_cur = p->soft, .rlim_max = p->hard};
			if (setrlimit(RLIMIT_NOFILE, &want) == 0)
				err = 0;
			else
				fdlimit_compute(soft, soft, soft, *tftp_max, *http_max, p);
		}
	}
	*tftp_max = p->tftp_max;
	*http_max = p->http_max;
	return err;
}
