/* Fuzz target: the .BTF and .BTF.ext readers, and everything that walks what
 * they accept (text and C dumps, sizes, name index, CO-RE resolution against itself).
 * Input: u16 length of the .BTF part, the .BTF bytes, then .BTF.ext bytes. */
#include "btf/btf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t n = (size_t)(data[0] | data[1] << 8);
	data += 2;
	size -= 2;
	if (n > size)
		n = size;
	/* copies, so ASan sees reads past the exact input */
	uint8_t *b = malloc(n ? n : 1), *e = malloc(size - n ? size - n : 1);
	memcpy(b, data, n);
	memcpy(e, data + n, size - n);
	struct wbtf *btf = NULL;
	if (wbtf_parse(b, n, NULL, &btf) == 0) {
		struct buf out = { 0 };
		wbtf_dump_text(btf, &out);
		out.len = 0;
		wbtf_dump_c(btf, &out);
		for (uint32_t id = 1; id < wbtf_type_cnt(btf); id++) {
			wbtf_resolve_size(btf, id);
			wbtf_align_of(btf, id);
			const char *name = wbtf_name(btf, id);
			if (*name)
				wbtf_find_by_name_kind(btf, name, -1);
		}
		struct wbtf_ext ext;
		if (wbtf_ext_parse(e, size - n, btf, &ext) == 0) {
			wbtf_ext_dump(&ext, btf, &out);
			for (uint32_t s = 0; s < ext.nr_secs; s++)
				for (uint32_t i = 0; i < ext.secs[s].nr_core; i++) {
					struct wbtf_core_res res;
					wbtf_core_resolve(btf, &ext.secs[s].core[i], btf, &res);
				}
			wbtf_ext_free(&ext);
		}
		buf_free(&out);
		struct buf enc = { 0 };
		wbtf_encode(btf, true, &enc);
		buf_free(&enc);
		wbtf_free(btf);
	}
	free(b);
	free(e);
	return 0;
}
