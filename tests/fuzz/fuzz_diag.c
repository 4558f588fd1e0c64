/* Fuzz target: diagnostics with arbitrary source text and locations. */
#include "util/diag.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf out = { 0 };
	diag_init(&d, &sm);
	d.capture = &out;
	uint32_t line = data[0] | data[1] << 8, col = data[2] | data[3] << 8;
	uint32_t f = srcmgr_add(&sm, "fuzz", (const char *)data + 8, size - 8);
	diag_error(&d, (struct srcloc){ f, line, col }, "x");
	buf_free(&out);
	srcmgr_free(&sm);
	return 0;
}
