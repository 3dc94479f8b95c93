/* counters: the /metrics counters; see counters.h. */
#include "netboot/counters.h"

#include <stdio.h>
#include <string.h>

void counters_init(struct counters *c)
{
	memset(c, 0, sizeof *c);
}

size_t counters_label(struct counters_labels *l, const char *value)
{
	if (!value || !*value)
		value = "unknown";
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i], value, COUNTERS_LABEL_MAX - 1))
			return i;
	if (l->n == COUNTERS_LABELS - 1) { /* the last slot collects the rest */
		snprintf(l->v[l->n++], COUNTERS_LABEL_MAX, "other");
		return COUNTERS_LABELS - 1;
	}
	if (l->n == COUNTERS_LABELS)
		return COUNTERS_LABELS - 1;
	snprintf(l->v[l->n], COUNTERS_LABEL_MAX, "%s", value);
	return l->n++;
}

void counters_dhcp(struct counters *c, enum counters_dhcp proto, int reply, const char *arch)
{
	if ((unsigned)proto >= CTR_DHCPS)
		return;
	if (reply < 0 || reply >= CTR_REPLIES) {
		c->unanswered[proto]++;
		return;
	}
	c->replies[proto][reply][counters_label(&c->arch, arch)]++;
}

void counters_xfer(struct counters *c, const struct xfer_event *ev)
{
	unsigned p = ev->proto == XFER_TFTP ? CTR_TFTP : CTR_HTTP;
	switch (ev->kind) {
	case XFER_START:
		c->started[p]++;
		break;
	case XFER_DONE:
		c->done[p]++;
		c->bytes[p] += ev->bytes;
		break;
	case XFER_FAIL:
		c->failed[p][counters_label(&c->reason, ev->reason)]++;
		c->bytes[p] += ev->bytes;
		break;
	case XFER_PROGRESS:
		break;
	}
}
