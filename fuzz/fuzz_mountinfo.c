/* libFuzzer: mountinfo_parse on arbitrary text; on success every entry's
 * strings are readable and the unmount planner accepts the table. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/mountinfo.h"
#include "rescue/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mnt_table t;
	if (mountinfo_parse((const char *)data, size, &t))
		return 0;
	size_t sum = 0;
	for (size_t i = 0; i < t.n; i++)
		sum += strlen(t.v[i].root) + strlen(t.v[i].target) + strlen(t.v[i].source) +
		       strlen(t.v[i].fstype) + strlen(t.v[i].super) + strlen(t.v[i].opts);
	const struct mnt_entry **o = calloc(t.n + 1, sizeof *o);
	const char *skip[] = {"/dev", "/proc"};
	if (o) {
		int n = plan_unmount_order(&t, "/", skip, 2, o, t.n);
		if (n > (int)t.n)
			abort();
		free(o);
	}
	(void)mountinfo_find(&t, "/");
	mountinfo_free(&t);
	return (int)(sum & 0);
}
