/* libFuzzer: the rescue state file parser (read by PID 1). A parsed state
 * must format again, and that text must parse to the same state. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rescue_state a, b;
	static char buf[32768];
	plan_state_init(&a);
	if (plan_state_parse((const char *)data, size, &a))
		return 0;
	int n = plan_state_format(&a, buf, sizeof buf);
	if (n < 0)
		return 0; /* a value with a newline cannot come from parsing; -ENOBUFS can't either
			   */
	plan_state_init(&b);
	if (plan_state_parse(buf, (size_t)n, &b) || memcmp(&a, &b, sizeof a))
		abort();
	return 0;
}
