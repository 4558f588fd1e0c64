/* Text dumps: types exactly as `bpftool btf dump file X` prints them (so the
 * two can be diffed), and .BTF.ext records in a similar one-line style. */
#include "btf/internal.h"

#include <inttypes.h>

static const char *name_or_anon(const struct wbtf *btf, uint32_t off)
{
	const char *s = wbtf_str(btf, off);
	return s && *s ? s : "(anon)";
}

static const char *int_encoding(unsigned enc)
{
	switch (enc) {
	case 0:
		return "(none)";
	case BTF_INT_SIGNED:
		return "SIGNED";
	case BTF_INT_CHAR:
		return "CHAR";
	case BTF_INT_BOOL:
		return "BOOL";
	default:
		return "UNKN";
	}
}

static const char *linkage_name(uint32_t l)
{
	static const char *const names[] = { "static", "global", "extern" };
	return l < ARRAY_LEN(names) ? names[l] : "(unknown)";
}

void wbtf_dump_type(const struct wbtf *btf, uint32_t id, struct buf *out)
{
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	if (!t)
		return;
	unsigned kind = wbtf_kind(t), vlen = wbtf_vlen(t);
	buf_printf(out, "[%u] %s '%s'", id, wbtf_kind_name(kind), name_or_anon(btf, t->name_off));
	switch (kind) {
	case BTF_KIND_INT:
		buf_printf(out, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
			   wbtf_int_offset(t), wbtf_int_bits(t),
			   int_encoding(wbtf_int_encoding(t)));
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		buf_printf(out, " type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY:
		buf_printf(out, " type_id=%u index_type_id=%u nr_elems=%u", wbtf_array(t)->type,
			   wbtf_array(t)->index_type, wbtf_array(t)->nelems);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		buf_printf(out, " size=%u vlen=%u", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_member *m = &wbtf_members(t)[i];
			buf_printf(out, "\n\t'%s' type_id=%u bits_offset=%u",
				   name_or_anon(btf, m->name_off), m->type,
				   wbtf_member_bit_offset(t, i));
			if (wbtf_member_bitfield_size(t, i))
				buf_printf(out, " bitfield_size=%u",
					   wbtf_member_bitfield_size(t, i));
		}
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		buf_printf(out, " encoding=%s size=%u vlen=%u",
			   wbtf_kflag(t) ? "SIGNED" : "UNSIGNED", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			int64_t v = wbtf_enum_value(t, i);
			uint32_t off = kind == BTF_KIND_ENUM ? wbtf_enums(t)[i].name_off
							     : wbtf_enum64s(t)[i].name_off;
			buf_printf(out, "\n\t'%s' val=", name_or_anon(btf, off));
			if (kind == BTF_KIND_ENUM)
				buf_printf(out, wbtf_kflag(t) ? "%" PRId64 : "%" PRIu64, v);
			else
				buf_printf(out, wbtf_kflag(t) ? "%" PRId64 "LL" : "%" PRIu64 "ULL",
					   v);
		}
		break;
	case BTF_KIND_FWD:
		buf_printf(out, " fwd_kind=%s", wbtf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		buf_printf(out, " type_id=%u linkage=%s", t->type, linkage_name(vlen));
		break;
	case BTF_KIND_FUNC_PROTO:
		buf_printf(out, " ret_type_id=%u vlen=%u", t->type, vlen);
		for (unsigned i = 0; i < vlen; i++)
			buf_printf(out, "\n\t'%s' type_id=%u",
				   name_or_anon(btf, wbtf_params(t)[i].name_off),
				   wbtf_params(t)[i].type);
		break;
	case BTF_KIND_VAR:
		buf_printf(out, " type_id=%u, linkage=%s", t->type,
			   linkage_name(wbtf_var(t)->linkage));
		break;
	case BTF_KIND_DATASEC:
		buf_printf(out, " size=%u vlen=%u", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++) {
			const struct btf_var_secinfo *v = &wbtf_secinfos(t)[i];
			const struct btf_type *vt = wbtf_type_by_id(btf, v->type);
			buf_printf(out, "\n\ttype_id=%u offset=%u size=%u (%s '%s')", v->type,
				   v->offset, v->size, wbtf_kind_name(vt ? wbtf_kind(vt) : 0),
				   vt ? name_or_anon(btf, vt->name_off) : "(anon)");
		}
		break;
	case BTF_KIND_FLOAT:
		buf_printf(out, " size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG:
		buf_printf(out, " type_id=%u component_idx=%d", t->type,
			   wbtf_decl_tag(t)->component_idx);
		break;
	}
	buf_putc(out, '\n');
}

void wbtf_dump_text(const struct wbtf *btf, struct buf *out)
{
	for (uint32_t id = btf->start_id; id < wbtf_type_cnt(btf); id++)
		wbtf_dump_type(btf, id, out);
}

static const char *str_or(const struct wbtf *btf, uint32_t off)
{
	const char *s = wbtf_str(btf, off);
	return s ? s : "<bad string offset>";
}

void wbtf_ext_dump(const struct wbtf_ext *ext, const struct wbtf *btf, struct buf *out)
{
	for (uint32_t i = 0; i < ext->nr_secs; i++) {
		const struct wbtf_ext_sec *s = &ext->secs[i];
		buf_printf(out, "section '%s': %u func_info, %u line_info, %u core_relo\n",
			   str_or(btf, s->sec_name_off), s->nr_func, s->nr_line, s->nr_core);
		for (uint32_t j = 0; j < s->nr_func; j++)
			buf_printf(out, "\tfunc insn_off=%u type_id=%u ('%s')\n",
				   s->func[j].insn_off, s->func[j].type_id,
				   wbtf_name(btf, s->func[j].type_id));
		for (uint32_t j = 0; j < s->nr_line; j++) {
			const struct wbtf_line_info *l = &s->line[j];
			buf_printf(out, "\tline insn_off=%u %s:%u:%u '%s'\n", l->insn_off,
				   str_or(btf, l->file_name_off), WBTF_LINE(l->line_col),
				   WBTF_COL(l->line_col), str_or(btf, l->line_off));
		}
		for (uint32_t j = 0; j < s->nr_core; j++) {
			const struct wbtf_core_relo *c = &s->core[j];
			const struct btf_type *t = wbtf_type_by_id(btf, c->type_id);
			buf_printf(out, "\tcore insn_off=%u <%s> [%u] %s '%s' access=%s\n",
				   c->insn_off, wbtf_core_kind_name(c->kind), c->type_id,
				   wbtf_kind_name(t ? wbtf_kind(t) : 0), wbtf_name(btf, c->type_id),
				   str_or(btf, c->access_str_off));
		}
	}
}
