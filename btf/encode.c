/* Writing the .BTF section: a 24-byte header, the own type records and the
 * own string section, in insertion order, so equal inputs give equal bytes. */
#include "btf/internal.h"

#include <byteswap.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int wbtf_encode(const struct wbtf *btf, bool big_endian, struct buf *out)
{
	bool swap = big_endian != (__BYTE_ORDER == __BIG_ENDIAN);
	uint32_t type_len = (uint32_t)btf->types.len, str_len = (uint32_t)btf->strs.data.len;
	if (btf->types.len > UINT32_MAX / 2 || btf->strs.data.len > BTF_MAX_NAME_OFFSET + 1u) {
		wbtf_log("BTF: too large to encode");
		return -E2BIG;
	}
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(h),
		.type_off = 0,
		.type_len = type_len,
		.str_off = type_len,
		.str_len = str_len,
	};
	if (swap) {
		h.magic = bswap_16(h.magic);
		h.hdr_len = bswap_32(h.hdr_len);
		h.type_len = bswap_32(h.type_len);
		h.str_off = bswap_32(h.str_off);
		h.str_len = bswap_32(h.str_len);
	}
	buf_append(out, &h, sizeof(h));
	if (swap && type_len) {
		uint32_t *w = xmalloc(type_len); /* aligned, unlike out's tail */
		memcpy(w, btf->types.data, type_len);
		for (size_t off = 0; off < type_len;) {
			size_t n = wbtf_swap_record(w + off / 4, type_len - off, false);
			W_ASSERT(n);
			off += n;
		}
		buf_append(out, w, type_len);
		free(w);
	} else {
		buf_append(out, btf->types.data, type_len);
	}
	buf_append(out, btf->strs.data.data, str_len);
	return 0;
}
