/* .BTF.ext: per-ELF-section func_info, line_info and CO-RE relocation records,
 * built while code is emitted, encoded as clang does (32-byte header, three
 * subsections each led by its record size), and parsed with every record
 * checked against the .BTF it refers to. */
#include "btf/internal.h"

#include <byteswap.h>
#include <endian.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#define EXT_HDR_LEN 32

struct wbtf_ext_sec *wbtf_ext_section(struct wbtf_ext *ext, struct wbtf *btf, const char *sec_name)
{
	int32_t off = wbtf_add_str(btf, sec_name);
	if (off <= 0)
		return NULL;
	for (uint32_t i = 0; i < ext->nr_secs; i++)
		if (ext->secs[i].sec_name_off == (uint32_t)off)
			return &ext->secs[i];
	if (ext->nr_secs == ext->cap_secs) {
		ext->cap_secs = ext->cap_secs ? ext->cap_secs * 2 : 4;
		ext->secs = xrealloc(ext->secs, ext->cap_secs * sizeof(*ext->secs));
	}
	struct wbtf_ext_sec *s = &ext->secs[ext->nr_secs++];
	memset(s, 0, sizeof(*s));
	s->sec_name_off = (uint32_t)off;
	return s;
}

#define PUSH(arr, nr, cap, val)                                          \
	do {                                                             \
		if ((nr) == (cap)) {                                     \
			(cap) = (cap) ? (cap)*2 : 16;                    \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr))); \
		}                                                        \
		(arr)[(nr)++] = (val);                                   \
	} while (0)

int wbtf_ext_add_func(struct wbtf_ext_sec *s, uint32_t insn_off, uint32_t func_type_id)
{
	if (!s || insn_off % 8) {
		wbtf_log("BTF.ext: func_info at byte %u: not an instruction boundary", insn_off);
		return -EINVAL;
	}
	struct wbtf_func_info fi = { insn_off, func_type_id };
	PUSH(s->func, s->nr_func, s->cap_func, fi);
	return 0;
}

int wbtf_ext_add_line(struct wbtf_ext_sec *s, struct wbtf *btf, uint32_t insn_off, const char *file,
		      const char *line_text, uint32_t line, uint32_t col)
{
	if (!s || insn_off % 8 || line > 0x3fffff) {
		wbtf_log("BTF.ext: line_info at byte %u, line %u: bad offset or line", insn_off,
			 line);
		return -EINVAL;
	}
	int32_t f = wbtf_add_str(btf, file), l = wbtf_add_str(btf, line_text);
	if (f < 0 || l < 0)
		return -E2BIG;
	struct wbtf_line_info li = { insn_off, (uint32_t)f, (uint32_t)l,
				     line << 10 | MIN(col, 0x3ff) };
	PUSH(s->line, s->nr_line, s->cap_line, li);
	return 0;
}

int wbtf_ext_add_core(struct wbtf_ext_sec *s, struct wbtf *btf, uint32_t insn_off, uint32_t type_id,
		      const char *access, uint32_t kind)
{
	if (!s || insn_off % 8 || !access || !*access || kind > BPF_CORE_TYPE_MATCHES) {
		wbtf_log("BTF.ext: core_relo at byte %u: bad offset, access string or kind %u",
			 insn_off, kind);
		return -EINVAL;
	}
	int32_t a = wbtf_add_str(btf, access);
	if (a < 0)
		return a;
	struct wbtf_core_relo r = { insn_off, type_id, (uint32_t)a, kind };
	PUSH(s->core, s->nr_core, s->cap_core, r);
	return 0;
}

void wbtf_ext_free(struct wbtf_ext *ext)
{
	for (uint32_t i = 0; i < ext->nr_secs; i++) {
		free(ext->secs[i].func);
		free(ext->secs[i].line);
		free(ext->secs[i].core);
	}
	free(ext->secs);
	memset(ext, 0, sizeof(*ext));
}

static void put32(struct buf *out, uint32_t v, bool swap)
{
	buf_u32(out, swap ? bswap_32(v) : v);
}

/* One subsection: record size, then per section {name, count, records}.
 * Records are arrays of u32 words, so swapping is word by word. */
static uint32_t encode_sub(const struct wbtf_ext *ext, int which, bool swap, struct buf *out)
{
	static const uint32_t rec_size[3] = { sizeof(struct wbtf_func_info),
					      sizeof(struct wbtf_line_info),
					      sizeof(struct wbtf_core_relo) };
	size_t start = out->len;
	bool any = false;
	for (uint32_t i = 0; i < ext->nr_secs; i++) {
		const struct wbtf_ext_sec *s = &ext->secs[i];
		uint32_t n = which == 0 ? s->nr_func : which == 1 ? s->nr_line : s->nr_core;
		const uint32_t *w = which == 0	 ? (const uint32_t *)s->func
				    : which == 1 ? (const uint32_t *)s->line
						 : (const uint32_t *)s->core;
		if (!n)
			continue;
		if (!any)
			put32(out, rec_size[which], swap);
		any = true;
		put32(out, s->sec_name_off, swap);
		put32(out, n, swap);
		for (size_t j = 0; j < (size_t)n * rec_size[which] / 4; j++)
			put32(out, w[j], swap);
	}
	/* a subsection without records is left empty: libbpf refuses one that
	 * holds a record size and nothing else (clang never writes one) */
	return (uint32_t)(out->len - start);
}

int wbtf_ext_encode(const struct wbtf_ext *ext, bool big_endian, struct buf *out)
{
	bool swap = big_endian != (__BYTE_ORDER == __BIG_ENDIAN);
	size_t hdr = out->len;
	uint16_t magic = swap ? bswap_16(BTF_MAGIC) : BTF_MAGIC;
	buf_append(out, &magic, 2);
	buf_u8(out, 1);
	buf_u8(out, 0);
	buf_zeros(out, EXT_HDR_LEN - 4);
	uint32_t f = encode_sub(ext, 0, swap, out);
	uint32_t l = encode_sub(ext, 1, swap, out);
	uint32_t c = encode_sub(ext, 2, swap, out);
	uint32_t fields[7] = { EXT_HDR_LEN, 0, f, f, l, f + l, c };
	for (int i = 0; i < 7; i++) {
		uint32_t v = swap ? bswap_32(fields[i]) : fields[i];
		memcpy(out->data + hdr + 4 + 4 * i, &v, 4);
	}
	return 0;
}

/* ---- parsing ----------------------------------------------------------- */

struct reader {
	const unsigned char *p;
	size_t len;
	bool swap;
};

static uint32_t rd(const struct reader *r, size_t off)
{
	uint32_t v;
	memcpy(&v, r->p + off, 4);
	return r->swap ? bswap_32(v) : v;
}

static const char *const sub_names[3] = { "func_info", "line_info", "core_relo" };

static struct wbtf_ext_sec *sec_for(struct wbtf_ext *ext, uint32_t name_off)
{
	for (uint32_t i = 0; i < ext->nr_secs; i++)
		if (ext->secs[i].sec_name_off == name_off)
			return &ext->secs[i];
	if (ext->nr_secs == ext->cap_secs) {
		ext->cap_secs = ext->cap_secs ? ext->cap_secs * 2 : 4;
		ext->secs = xrealloc(ext->secs, ext->cap_secs * sizeof(*ext->secs));
	}
	struct wbtf_ext_sec *s = &ext->secs[ext->nr_secs++];
	memset(s, 0, sizeof(*s));
	s->sec_name_off = name_off;
	return s;
}

static bool access_ok(const char *s)
{
	if (!*s)
		return false;
	for (;;) {
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
		if (!*s)
			return true;
		if (*s++ != ':')
			return false;
	}
}

static int check_rec(const struct wbtf *btf, int which, const char *sec, uint32_t j,
		     const uint32_t *w)
{
	const char *what = sub_names[which];
	if (w[0] % 8) {
		wbtf_log("BTF.ext: section '%s' %s %u: insn_off %u is not a multiple of 8", sec,
			 what, j, w[0]);
		return -EINVAL;
	}
	if (which == 0) {
		const struct btf_type *t = wbtf_type_by_id(btf, w[1]);
		if (!t || wbtf_kind(t) != BTF_KIND_FUNC) {
			wbtf_log("BTF.ext: section '%s' func_info %u: type_id %u is not a FUNC",
				 sec, j, w[1]);
			return -EINVAL;
		}
	} else if (which == 1) {
		if (!wbtf_str(btf, w[1]) || !wbtf_str(btf, w[2])) {
			wbtf_log(
				"BTF.ext: section '%s' line_info %u: file_name_off %u or line_off %u past the strings",
				sec, j, w[1], w[2]);
			return -EINVAL;
		}
	} else {
		const char *acc = wbtf_str(btf, w[2]);
		if (!wbtf_type_by_id(btf, w[1]) || w[3] > BPF_CORE_TYPE_MATCHES || !acc ||
		    !access_ok(acc)) {
			wbtf_log(
				"BTF.ext: section '%s' core_relo %u: bad type_id %u, kind %u or access string",
				sec, j, w[1], w[3]);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_sub(struct reader *r, uint32_t off, uint32_t len, int which,
		     const struct wbtf *btf, struct wbtf_ext *ext)
{
	static const uint32_t min_size[3] = { 8, 16, 16 };
	const char *what = sub_names[which];
	if (!len)
		return 0;
	if ((uint64_t)off + len > r->len || off % 4 || len < 4) {
		wbtf_log("BTF.ext: %s at %u+%u: outside the section (%zu bytes) or misaligned",
			 what, off, len, r->len);
		return -EINVAL;
	}
	uint32_t rec = rd(r, off), pos = 4;
	if (rec < min_size[which] || rec % 4 || rec > 1024) {
		wbtf_log("BTF.ext: %s record size %u is not supported", what, rec);
		return -EINVAL;
	}
	while (pos < len) {
		if (len - pos < 8) {
			wbtf_log("BTF.ext: %s: truncated section header at %u", what, pos);
			return -EINVAL;
		}
		uint32_t name_off = rd(r, off + pos), n = rd(r, off + pos + 4);
		const char *sec = wbtf_str(btf, name_off);
		pos += 8;
		if (!sec || !*sec) {
			wbtf_log("BTF.ext: %s: section name offset %u is not a name", what,
				 name_off);
			return -EINVAL;
		}
		if (!n || (uint64_t)n * rec > len - pos) {
			wbtf_log(
				"BTF.ext: section '%s' %s: %u records of %u bytes don't fit in %u bytes",
				sec, what, n, rec, len - pos);
			return -EINVAL;
		}
		struct wbtf_ext_sec *s = sec_for(ext, name_off);
		for (uint32_t j = 0; j < n; j++, pos += rec) {
			uint32_t w[4];
			for (uint32_t k = 0; k < min_size[which] / 4; k++)
				w[k] = rd(r, off + pos + 4 * k);
			int err = check_rec(btf, which, sec, j, w);
			if (err)
				return err;
			if (which == 0) {
				struct wbtf_func_info fi = { w[0], w[1] };
				PUSH(s->func, s->nr_func, s->cap_func, fi);
			} else if (which == 1) {
				struct wbtf_line_info li = { w[0], w[1], w[2], w[3] };
				PUSH(s->line, s->nr_line, s->cap_line, li);
			} else {
				struct wbtf_core_relo cr = { w[0], w[1], w[2], w[3] };
				PUSH(s->core, s->nr_core, s->cap_core, cr);
			}
		}
	}
	return 0;
}

int wbtf_ext_parse(const void *data, size_t len, const struct wbtf *btf, struct wbtf_ext *out)
{
	memset(out, 0, sizeof(*out));
	const unsigned char *p = data;
	if (len < 8) {
		wbtf_log("BTF.ext: %zu bytes is too short for a header", len);
		return -EINVAL;
	}
	uint16_t magic;
	memcpy(&magic, p, 2);
	bool swap = magic == bswap_16(BTF_MAGIC);
	if (magic != BTF_MAGIC && !swap) {
		wbtf_log("BTF.ext: bad magic 0x%04x", magic);
		return -EINVAL;
	}
	if (p[2] != 1 || p[3] != 0) {
		wbtf_log("BTF.ext: unsupported version %u or flags 0x%x", p[2], p[3]);
		return -ENOTSUP;
	}
	struct reader hr = { p, len, swap };
	uint32_t hdr_len = rd(&hr, 4);
	if (hdr_len < 24 || hdr_len > len || hdr_len % 4) {
		wbtf_log("BTF.ext: header length %u outside 24..%zu", hdr_len, len);
		return -EINVAL;
	}
	struct reader r = { p + hdr_len, len - hdr_len, swap };
	uint32_t hf[6] = { 0 };
	for (uint32_t i = 0; i < 6 && 8 + 4 * i + 4 <= hdr_len; i++)
		hf[i] = rd(&hr, 8 + 4 * i);
	int err = 0;
	for (int which = 0; which < 3 && !err; which++)
		err = parse_sub(&r, hf[2 * which], hf[2 * which + 1], which, btf, out);
	if (err)
		wbtf_ext_free(out);
	return err;
}
