/* libFuzzer target: every TFTP parser over arbitrary bytes, and a round
 * trip: a request that parses is rebuilt from its parts and must parse to
 * the same result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "netboot/tftp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_request req, again;
	struct tftp_error e;
	uint16_t op, block;
	const uint8_t *d;
	size_t n;

	tftp_parse_opcode(data, size, &op);
	tftp_parse_ack(data, size, &block);
	tftp_parse_error(data, size, &e);
	tftp_parse_data(data, size, &block, &d, &n);
	tftp_parse_oack(data, size, &req);
	if (tftp_parse_request(data, size, &req))
		return 0;

	/* Rebuild: names/values need their NULs, which the packet has. */
	char fname[2048];
	const char *names[TFTP_MAX_OPTIONS], *values[TFTP_MAX_OPTIONS];
	if (req.filename_len >= sizeof fname)
		return 0;
	memcpy(fname, req.filename, req.filename_len);
	fname[req.filename_len] = 0;
	for (unsigned i = 0; i < req.n_opts; i++) {
		names[i] = req.opts[i].name;
		values[i] = req.opts[i].value;
	}
	uint8_t out[4096];
	struct wbuf w;
	wbuf_init(&w, out, sizeof out);
	if (tftp_build_request(&w, req.opcode, fname,
			       req.mode == TFTP_MODE_OCTET ? "octet" : "netascii", names, values,
			       req.n_opts))
		return 0;
	if (tftp_parse_request(out, w.len, &again))
		abort();
	if (again.n_opts != req.n_opts || again.has_blksize != req.has_blksize ||
	    again.blksize != req.blksize || again.has_tsize != req.has_tsize ||
	    again.tsize != req.tsize || again.has_windowsize != req.has_windowsize ||
	    again.windowsize != req.windowsize || again.has_timeout != req.has_timeout ||
	    again.filename_len != req.filename_len)
		abort();
	if (req.has_blksize && (req.blksize < TFTP_BLKSIZE_MIN || req.blksize > TFTP_BLKSIZE_MAX))
		abort();
	if (req.has_windowsize && (req.windowsize < 1 || req.windowsize > TFTP_WINDOW_MAX))
		abort();

	/* An OACK of what was asked is always buildable. */
	struct tftp_oack o = {.has_blksize = req.has_blksize,
			      .blksize = req.blksize,
			      .has_tsize = req.has_tsize,
			      .tsize = req.tsize,
			      .has_timeout = req.has_timeout,
			      .timeout_s = req.timeout_s,
			      .has_windowsize = req.has_windowsize,
			      .windowsize = req.windowsize};
	wbuf_init(&w, out, 512);
	if (tftp_build_oack(&w, &o) || tftp_parse_oack(out, w.len, &again))
		abort();
	return 0;
}
