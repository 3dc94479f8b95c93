/* libFuzzer: report_clean_text on arbitrary bodies (the rescue's phone-home
 * POST); accepted text is short, printable and has no '"' or '\\'. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[REPORT_TEXT_MAX + 1];
	if (report_clean_text((const char *)data, size, out, sizeof out))
		return 0;
	size_t n = strlen(out);
	if (!n || n > REPORT_TEXT_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7e || out[i] == '"' || out[i] == '\\')
			abort();
	return 0;
}
