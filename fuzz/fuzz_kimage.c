/* libFuzzer: kimage_sniff on arbitrary bytes (a file's head): no read past
 * the input, a kind and arch inside their enums, a description that ends,
 * and the set check on the result. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/kimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kimage_info k[2];
	int r[2];
	char d[160], why[512];
	size_t bad;
	if (size > KIMAGE_HEAD)
		size = KIMAGE_HEAD;
	r[0] = kimage_sniff(data, size, &k[0]);
	if (r[0] != 0 && r[0] != -EBADMSG)
		abort();
	if (k[0].kind > KIMAGE_LZO || k[0].arch > KIMAGE_ARCH_LOONG64)
		abort();
	if (kimage_is_kernel(&k[0]) && kimage_is_initrd(&k[0]))
		abort();
	if (!memchr(kimage_describe(&k[0], d, sizeof d), 0, sizeof d) ||
	    !memchr(k[0].zboot_comp, 0, sizeof k[0].zboot_comp))
		abort();
	/* the same bytes as the initrd of a kernel that is the input cut in half */
	r[1] = kimage_sniff(data, size / 2, &k[1]);
	if (kimage_check_set(k, r, 2, &bad, why, sizeof why) &&
	    (bad > 1 || !memchr(why, 0, sizeof why)))
		abort();
	return 0;
}
