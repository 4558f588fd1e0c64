/* Reading .BTF: header, type and string sections, every record checked (sizes,
 * string offsets, type references, kind rules, loops in type chains) so that
 * the rest of btf/ can trust ids and offsets.  Either byte order is accepted. */
#include "btf/internal.h"
#include "util/fileio.h"

#include <byteswap.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t wbtf_swap_record(uint32_t *w, size_t avail, bool to_native)
{
	if (avail < sizeof(struct btf_type))
		return 0;
	uint32_t info = to_native ? bswap_32(w[1]) : w[1];
	struct btf_type t = { .info = info };
	if (BTF_INFO_KIND(info) >= NR_BTF_KINDS)
		return 0;
	size_t n = wbtf_rec_size(&t);
	if (n > avail)
		return 0;
	for (size_t i = 0; i < n / 4; i++)
		w[i] = bswap_32(w[i]);
	return n;
}

W_PRINTF(4, 5) static int bad(const struct wbtf *btf, uint32_t id, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	const char *name = t ? wbtf_str(btf, t->name_off) : NULL;
	if (t && name && *name)
		wbtf_log("BTF type [%u] %s '%s': %s", id, wbtf_kind_name(wbtf_kind(t)), name, msg);
	else if (t)
		wbtf_log("BTF type [%u] %s: %s", id, wbtf_kind_name(wbtf_kind(t)), msg);
	else
		wbtf_log("BTF type [%u]: %s", id, msg);
	return err;
}

static bool str_ok(const struct wbtf *btf, uint32_t off)
{
	return off < wbtf_str_end(btf);
}

static bool is_pow2_size(uint32_t size, bool allow16)
{
	return size == 1 || size == 2 || size == 4 || size == 8 || (allow16 && size == 16);
}

/* Checks that need nothing but the record itself. */
static int check_record(const struct wbtf *btf, uint32_t id, const struct btf_type *t)
{
	unsigned kind = wbtf_kind(t), vlen = wbtf_vlen(t);
	const struct wbtf_kind_info *k = &wbtf_kinds[kind];
	if (!str_ok(btf, t->name_off))
		return bad(btf, id, -EINVAL, "name offset %u is past the string section (%u bytes)",
			   t->name_off, wbtf_str_end(btf));
	if ((t->info & 0x60ff0000) != 0)
		return bad(btf, id, -EINVAL, "reserved info bits set (info 0x%x)", t->info);
	if (wbtf_kflag(t) && !(k->flags & WBTF_KF_KFLAG))
		return bad(btf, id, -EINVAL, "kind_flag must be 0");
	if (!k->per_vlen && !(k->flags & WBTF_KF_VLEN_LINKAGE) && vlen)
		return bad(btf, id, -EINVAL, "vlen %u must be 0", vlen);
	if ((k->flags & WBTF_KF_NAMED) && t->name_off == 0)
		return bad(btf, id, -EINVAL, "needs a name");
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t d = wbtf_int_data(t), enc = BTF_INT_ENCODING(d);
		if (!is_pow2_size(t->size, true))
			return bad(btf, id, -EINVAL, "size %u is not 1, 2, 4, 8 or 16", t->size);
		if ((d & 0xf000ff00) || (enc & (enc - 1)) || enc > BTF_INT_BOOL)
			return bad(btf, id, -EINVAL, "bad int data 0x%x", d);
		if (BTF_INT_BITS(d) > 128 || BTF_INT_OFFSET(d) + BTF_INT_BITS(d) > t->size * 8)
			return bad(btf, id, -EINVAL, "bits_offset %u + nr_bits %u exceed size %u",
				   BTF_INT_OFFSET(d), BTF_INT_BITS(d), t->size);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_member *m = &wbtf_members(t)[i];
			uint64_t off = wbtf_member_bit_offset(t, i);
			uint32_t bits = wbtf_member_bitfield_size(t, i);
			if (!str_ok(btf, m->name_off))
				return bad(btf, id, -EINVAL,
					   "member %u: name offset %u is past the string section",
					   i, m->name_off);
			if (bits > 128 || (bits ? off + bits > (uint64_t)t->size * 8
						: off > (uint64_t)t->size * 8))
				return bad(
					btf, id, -EINVAL,
					"member %u: bit offset %llu (bitfield %u) outside size %u",
					i, (unsigned long long)off, bits, t->size);
		}
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!is_pow2_size(t->size, false))
			return bad(btf, id, -EINVAL, "size %u is not 1, 2, 4 or 8", t->size);
		for (unsigned i = 0; i < vlen; i++) {
			uint32_t off = kind == BTF_KIND_ENUM ? wbtf_enums(t)[i].name_off
							     : wbtf_enum64s(t)[i].name_off;
			if (!off || !str_ok(btf, off))
				return bad(btf, id, -EINVAL, "enumerator %u: bad name offset %u", i,
					   off);
		}
		break;
	case BTF_KIND_FUNC:
		if (vlen > BTF_FUNC_EXTERN)
			return bad(btf, id, -EINVAL, "linkage %u is not static, global or extern",
				   vlen);
		break;
	case BTF_KIND_FUNC_PROTO:
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_param *p = &wbtf_params(t)[i];
			if (!str_ok(btf, p->name_off))
				return bad(btf, id, -EINVAL, "parameter %u: bad name offset %u", i,
					   p->name_off);
			if (!p->type && (i != vlen - 1 || p->name_off))
				return bad(btf, id, -EINVAL,
					   "parameter %u: void is only valid as a trailing '...'",
					   i);
		}
		break;
	case BTF_KIND_VAR:
		if (wbtf_var(t)->linkage > BTF_VAR_GLOBAL_EXTERN)
			return bad(btf, id, -EINVAL, "linkage %u is not static, global or extern",
				   wbtf_var(t)->linkage);
		break;
	case BTF_KIND_FLOAT:
		if (!is_pow2_size(t->size, true) && t->size != 12)
			return bad(btf, id, -EINVAL, "size %u is not 2, 4, 8, 12 or 16", t->size);
		break;
	case BTF_KIND_DECL_TAG:
		if (wbtf_decl_tag(t)->component_idx < -1)
			return bad(btf, id, -EINVAL, "component_idx %d < -1",
				   wbtf_decl_tag(t)->component_idx);
		break;
	}
	return 0;
}

/* Kinds that are not data types: nothing may hold them by value. */
static bool is_data_type(const struct btf_type *t)
{
	switch (wbtf_kind(t)) {
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DATASEC:
	case BTF_KIND_DECL_TAG:
		return false;
	default:
		return true;
	}
}

/* field (and index, if >= 0) name the referring field in messages. */
static int check_ref(const struct wbtf *btf, uint32_t id, const char *field, int idx, uint32_t ref,
		     bool void_ok, bool proto_ok)
{
	const struct btf_type *r = wbtf_type_by_id(btf, ref);
	if (r &&
	    (ref ? is_data_type(r) && (proto_ok || wbtf_kind(r) != BTF_KIND_FUNC_PROTO) : void_ok))
		return 0;
	char f[48];
	snprintf(f, sizeof(f), idx >= 0 ? "%s %d" : "%s", field, idx);
	if (!r)
		return bad(btf, id, -EINVAL, "%s: type id %u out of range (%u types)", f, ref,
			   wbtf_type_cnt(btf) - 1);
	if (!ref)
		return bad(btf, id, -EINVAL, "%s: type id 0 (void) not allowed", f);
	return bad(btf, id, -EINVAL, "%s: refers to [%u], a %s", f, ref,
		   wbtf_kind_name(wbtf_kind(r)));
}

/* Reference checks: every id in range and of a kind that may be referenced. */
static int check_refs(const struct wbtf *btf, uint32_t id, const struct btf_type *t)
{
	unsigned vlen = wbtf_vlen(t);
	int err = 0;
	switch (wbtf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return check_ref(btf, id, "type", -1, t->type, true, true);
	case BTF_KIND_VAR:
		return check_ref(btf, id, "type", -1, t->type, false, false);
	case BTF_KIND_ARRAY:
		err = check_ref(btf, id, "element type", -1, wbtf_array(t)->type, false, false);
		return err ? err
			   : check_ref(btf, id, "index type", -1, wbtf_array(t)->index_type, false,
				       false);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (unsigned i = 0; i < vlen && !err; i++)
			err = check_ref(btf, id, "member", (int)i, wbtf_members(t)[i].type, false,
					false);
		return err;
	case BTF_KIND_FUNC: {
		const struct btf_type *p = wbtf_type_by_id(btf, t->type);
		if (!p || wbtf_kind(p) != BTF_KIND_FUNC_PROTO)
			return bad(btf, id, -EINVAL, "type: [%u] is not a FUNC_PROTO", t->type);
		return 0;
	}
	case BTF_KIND_FUNC_PROTO:
		err = check_ref(btf, id, "return type", -1, t->type, true, false);
		for (unsigned i = 0; i < vlen && !err; i++)
			err = check_ref(btf, id, "parameter", (int)i, wbtf_params(t)[i].type, true,
					false);
		return err;
	case BTF_KIND_DATASEC:
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_var_secinfo *v = &wbtf_secinfos(t)[i];
			const struct btf_type *r = wbtf_type_by_id(btf, v->type);
			if (!r || (wbtf_kind(r) != BTF_KIND_VAR && wbtf_kind(r) != BTF_KIND_FUNC))
				return bad(btf, id, -EINVAL,
					   "variable %u: [%u] is not a VAR or FUNC", i, v->type);
			if ((uint64_t)v->offset + v->size > UINT32_MAX)
				return bad(btf, id, -EINVAL,
					   "variable %u: offset %u + size %u overflow", i,
					   v->offset, v->size);
		}
		return 0;
	case BTF_KIND_DECL_TAG: {
		const struct btf_type *r = wbtf_type_by_id(btf, t->type);
		int idx = wbtf_decl_tag(t)->component_idx;
		if (!r || !t->type)
			return bad(btf, id, -EINVAL, "type id %u out of range", t->type);
		switch (wbtf_kind(r)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (idx >= (int)wbtf_vlen(r))
				return bad(btf, id, -EINVAL,
					   "component_idx %d: [%u] has %u members", idx, t->type,
					   wbtf_vlen(r));
			return 0;
		case BTF_KIND_FUNC: {
			const struct btf_type *p = wbtf_type_by_id(btf, r->type);
			if (p && idx >= (int)wbtf_vlen(p))
				return bad(btf, id, -EINVAL,
					   "component_idx %d: [%u] has %u parameters", idx, t->type,
					   wbtf_vlen(p));
			return 0;
		}
		case BTF_KIND_VAR:
		case BTF_KIND_TYPEDEF:
			if (idx != -1)
				return bad(btf, id, -EINVAL, "component_idx %d on a %s", idx,
					   wbtf_kind_name(wbtf_kind(r)));
			return 0;
		default:
			return bad(btf, id, -EINVAL, "tags [%u], a %s", t->type,
				   wbtf_kind_name(wbtf_kind(r)));
		}
	}
	}
	return 0;
}

/* Edges that hold a type by value (all but PTR): a cycle along them would
 * make sizes and C declarations infinite. */
static uint32_t edge(const struct btf_type *t, unsigned i, bool *more)
{
	unsigned vlen = wbtf_vlen(t);
	*more = false;
	switch (wbtf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
	case BTF_KIND_FUNC:
	case BTF_KIND_DECL_TAG:
		return i == 0 ? (*more = true, t->type) : 0;
	case BTF_KIND_ARRAY:
		return i == 0 ? (*more = true, wbtf_array(t)->type) : 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return i < vlen ? (*more = true, wbtf_members(t)[i].type) : 0;
	case BTF_KIND_FUNC_PROTO:
		if (i == 0)
			return *more = true, t->type;
		return i <= vlen ? (*more = true, wbtf_params(t)[i - 1].type) : 0;
	case BTF_KIND_DATASEC:
		return i < vlen ? (*more = true, wbtf_secinfos(t)[i].type) : 0;
	default:
		return 0;
	}
}

static int check_loops(const struct wbtf *btf)
{
	uint32_t n = btf->offs.len, start = btf->start_id;
	uint8_t *color = xcalloc(n ? n : 1, 1); /* 0 new, 1 on the stack, 2 done */
	struct frame {
		uint32_t id, next;
	} *stack = xmalloc(sizeof(*stack) * (n ? n : 1));
	int err = 0;
	for (uint32_t root = 0; root < n && !err; root++) {
		if (color[root])
			continue;
		uint32_t sp = 0;
		stack[sp++] = (struct frame){ start + root, 0 };
		color[root] = 1;
		while (sp && !err) {
			struct frame *f = &stack[sp - 1];
			const struct btf_type *t = wbtf_type_by_id(btf, f->id);
			bool more;
			uint32_t to = edge(t, f->next++, &more);
			if (!more) {
				color[f->id - start] = 2;
				sp--;
				continue;
			}
			if (to < start || to - start >= n)
				continue; /* void, or the base, which can't refer back */
			if (color[to - start] == 1)
				err = bad(btf, f->id, -ELOOP, "type chain loops back to [%u]", to);
			else if (!color[to - start]) {
				color[to - start] = 1;
				stack[sp++] = (struct frame){ to, 0 };
			}
		}
	}
	free(stack);
	free(color);
	return err;
}

int wbtf_validate(const struct wbtf *btf)
{
	uint32_t end = wbtf_type_cnt(btf);
	for (uint32_t id = btf->start_id; id < end; id++) {
		int err = check_record(btf, id, wbtf_type_by_id(btf, id));
		if (err)
			return err;
	}
	for (uint32_t id = btf->start_id; id < end; id++) {
		int err = check_refs(btf, id, wbtf_type_by_id(btf, id));
		if (err)
			return err;
	}
	return check_loops(btf);
}

static uint32_t rd32(const unsigned char *p, bool swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? bswap_32(v) : v;
}

/* Splits the type section into records (swapping them if needed). */
static int scan_types(struct wbtf *btf, bool swap)
{
	size_t off = 0, len = btf->types.len;
	while (off < len) {
		uint32_t id = wbtf_type_cnt(btf);
		uint32_t *w = (uint32_t *)(btf->types.data + off);
		size_t n;
		if (id > BTF_MAX_TYPE)
			return bad(btf, id, -E2BIG, "more than %u types", BTF_MAX_TYPE);
		if (len - off < sizeof(struct btf_type))
			return bad(btf, id, -EINVAL,
				   "truncated: %zu bytes left at type section offset %zu",
				   len - off, off);
		unsigned kind = BTF_INFO_KIND(swap ? bswap_32(w[1]) : w[1]);
		if (kind == BTF_KIND_UNKN || kind >= NR_BTF_KINDS)
			return bad(btf, id, -EINVAL, "unknown kind %u at type section offset %zu",
				   kind, off);
		if (swap) {
			n = wbtf_swap_record(w, len - off, true);
		} else {
			n = wbtf_rec_size((const struct btf_type *)w);
			if (n > len - off)
				n = 0;
		}
		if (!n)
			return bad(btf, id, -EINVAL,
				   "truncated: %s record (vlen %u) runs past the type section",
				   wbtf_kind_name(kind),
				   BTF_INFO_VLEN(swap ? bswap_32(w[1]) : w[1]));
		vec_push(&btf->offs, (uint32_t)off);
		off += n;
	}
	return 0;
}

int wbtf_parse(const void *data, size_t len, struct wbtf *base, struct wbtf **out)
{
	const unsigned char *p = data;
	*out = NULL;
	if (len < sizeof(struct btf_header)) {
		wbtf_log("BTF: %zu bytes is too short for a header", len);
		return -EINVAL;
	}
	uint16_t magic;
	memcpy(&magic, p, 2);
	bool swap = magic == bswap_16(BTF_MAGIC);
	if (magic != BTF_MAGIC && !swap) {
		wbtf_log("BTF: bad magic 0x%04x", magic);
		return -EINVAL;
	}
	if (p[2] != BTF_VERSION || p[3] != 0) {
		wbtf_log("BTF: unsupported version %u or flags 0x%x", p[2], p[3]);
		return -ENOTSUP;
	}
	uint32_t hdr_len = rd32(p + 4, swap), type_off = rd32(p + 8, swap),
		 type_len = rd32(p + 12, swap), str_off = rd32(p + 16, swap),
		 str_len = rd32(p + 20, swap);
	if (hdr_len < sizeof(struct btf_header) || hdr_len > len) {
		wbtf_log("BTF: header length %u outside 24..%zu", hdr_len, len);
		return -EINVAL;
	}
	for (size_t i = sizeof(struct btf_header); i < hdr_len; i++)
		if (p[i]) {
			wbtf_log("BTF: unknown non-zero header field at byte %zu", i);
			return -ENOTSUP;
		}
	size_t body = len - hdr_len;
	if ((uint64_t)type_off + type_len > body || (uint64_t)str_off + str_len > body) {
		wbtf_log("BTF: type section %u+%u or string section %u+%u past the end (%zu bytes)",
			 type_off, type_len, str_off, str_len, body);
		return -EINVAL;
	}
	if (type_off % 4 || type_len % 4 ||
	    (type_off < str_off ? (uint64_t)type_off + type_len > str_off
				: (uint64_t)str_off + str_len > type_off && str_len && type_len)) {
		wbtf_log("BTF: misaligned or overlapping sections (types %u+%u, strings %u+%u)",
			 type_off, type_len, str_off, str_len);
		return -EINVAL;
	}
	const unsigned char *strs = p + hdr_len + str_off;
	if ((!base && (!str_len || strs[0])) || (str_len && strs[str_len - 1])) {
		wbtf_log("BTF: string section must start and end with a NUL byte");
		return -EINVAL;
	}
	uint64_t str_end = (base ? wbtf_str_end(base) : 0) + (uint64_t)str_len;
	if (str_end > (uint64_t)BTF_MAX_NAME_OFFSET + 1) {
		wbtf_log("BTF: string section of %llu bytes is too large",
			 (unsigned long long)str_end);
		return -E2BIG;
	}

	struct wbtf *btf = base ? wbtf_new_split(base) : wbtf_new();
	btf->strs.data.len = 0;
	buf_append(&btf->strs.data, strs, str_len);
	btf->strs_indexed = false;
	buf_append(&btf->types, p + hdr_len + type_off, type_len);
	int err = scan_types(btf, swap);
	if (!err)
		err = wbtf_validate(btf);
	if (err) {
		wbtf_free(btf);
		return err;
	}
	btf->open_id = 0;
	*out = btf;
	return 0;
}

int wbtf_load_raw_file(const char *path, struct wbtf *base, struct wbtf **out)
{
	struct buf b = { 0 };
	*out = NULL;
	int err = file_read(path, &b);
	if (err) {
		wbtf_log("BTF: can't read '%s': %s", path, strerror(-err));
		buf_free(&b);
		return err;
	}
	err = wbtf_parse(b.data, b.len, base, out);
	if (err) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", wbtf_last_error());
		wbtf_log("%s: %s", path, msg);
	}
	buf_free(&b);
	return err;
}

int wbtf_load_vmlinux(struct wbtf **out)
{
	return wbtf_load_raw_file("/sys/kernel/btf/vmlinux", NULL, out);
}
