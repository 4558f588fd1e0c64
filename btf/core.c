/* CO-RE relocation resolution: parse the local access spec, find target
 * candidates by essential name, match the spec against each (members by name
 * through anonymous structs/unions, arrays by index), and compute the value
 * for the relocation kind, with libbpf's conventions for missing targets. */
#include "btf/internal.h"

#include <endian.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

enum core_class { FIELD, TYPE, ENUMVAL };
#define POISON (-1)

static const struct {
	const char *name;
	enum core_class cls;
	int missing;
} core_kinds[] = {
#define CORE_KIND(name, str, cls, missing) [BPF_CORE_##name] = { str, cls, missing },
#include "btf/core_kinds.def"
#undef CORE_KIND
};

const char *wbtf_core_kind_name(unsigned kind)
{
	return kind < ARRAY_LEN(core_kinds) ? core_kinds[kind].name : "unknown";
}

#define MAX_SPEC 64

struct acc {
	uint32_t type_id; /* parent composite, element type for arrays, enum */
	uint32_t idx;
	const char *name; /* NULL for array indices and the root */
};

struct spec {
	const struct wbtf *btf;
	uint32_t root_type_id;
	struct acc spec[MAX_SPEC];
	int len;
	uint32_t raw[MAX_SPEC];
	int raw_len;
	uint64_t bit_offset;
};

static int parse_access(const char *s, struct spec *sp)
{
	sp->raw_len = 0;
	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		uint64_t v = 0;
		if (*s < '0' || *s > '9' || sp->raw_len == MAX_SPEC)
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > INT32_MAX)
				return -EINVAL;
		}
		sp->raw[sp->raw_len++] = (uint32_t)v;
		if (!*s)
			return 0;
		if (*s++ != ':')
			return -EINVAL;
	}
}

static int spec_err(const struct wbtf *btf, uint32_t type_id, const char *acc, const char *why)
{
	wbtf_log("CO-RE: type [%u] '%s', access \"%s\": %s", type_id, wbtf_name(btf, type_id),
		 acc ? acc : "", why);
	return -EINVAL;
}

static int parse_spec(const struct wbtf *btf, uint32_t type_id, const char *acc_str, unsigned kind,
		      struct spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->btf = btf;
	sp->root_type_id = type_id;
	if (parse_access(acc_str, sp))
		return spec_err(btf, type_id, acc_str, "malformed access string");
	uint32_t id;
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, type_id, &id);
	if (!t || !type_id)
		return spec_err(btf, type_id, acc_str, "no such type");
	if (core_kinds[kind].cls == TYPE) {
		if (sp->raw_len != 1 || sp->raw[0] != 0)
			return spec_err(btf, type_id, acc_str,
					"type relocations need access \"0\"");
		return 0;
	}
	if (core_kinds[kind].cls == ENUMVAL) {
		if (!wbtf_is_any_enum(t) || sp->raw_len != 1 || sp->raw[0] >= wbtf_vlen(t))
			return spec_err(btf, type_id, acc_str, "not an enumerator index");
		uint32_t off = wbtf_kind(t) == BTF_KIND_ENUM ? wbtf_enums(t)[sp->raw[0]].name_off
							     : wbtf_enum64s(t)[sp->raw[0]].name_off;
		sp->spec[0] = (struct acc){ id, sp->raw[0], wbtf_str(btf, off) };
		sp->len = 1;
		return 0;
	}
	int64_t sz = wbtf_resolve_size(btf, id);
	if (sz < 0)
		return spec_err(btf, type_id, acc_str, "root type has no size");
	sp->spec[sp->len++] = (struct acc){ id, sp->raw[0], NULL };
	sp->bit_offset = (uint64_t)sp->raw[0] * (uint64_t)sz * 8;
	for (int i = 1; i < sp->raw_len; i++) {
		uint32_t idx = sp->raw[i];
		t = wbtf_skip_mods_typedefs(btf, id, &id);
		if (!t)
			return spec_err(btf, type_id, acc_str, "broken type chain");
		if (wbtf_is_composite(t)) {
			if (idx >= wbtf_vlen(t))
				return spec_err(btf, type_id, acc_str, "member index out of range");
			const struct btf_member *m = &wbtf_members(t)[idx];
			sp->bit_offset += wbtf_member_bit_offset(t, idx);
			const char *name = wbtf_str(btf, m->name_off);
			if (name && *name)
				sp->spec[sp->len++] = (struct acc){ id, idx, name };
			id = m->type;
		} else if (wbtf_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = wbtf_array(t);
			if (a->nelems && idx >= a->nelems)
				return spec_err(btf, type_id, acc_str, "array index out of range");
			if (!wbtf_skip_mods_typedefs(btf, a->type, &id))
				return spec_err(btf, type_id, acc_str, "broken type chain");
			sz = wbtf_resolve_size(btf, id);
			if (sz < 0)
				return spec_err(btf, type_id, acc_str, "array element has no size");
			sp->spec[sp->len++] = (struct acc){ id, idx, NULL };
			sp->bit_offset += (uint64_t)idx * (uint64_t)sz * 8;
		} else {
			return spec_err(
				btf, type_id, acc_str,
				"index into a type that is neither struct, union nor array");
		}
	}
	return 0;
}

/* ---- compatibility relations (see libbpf's documented CO-RE rules) ---- */

static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return wbtf_kind(a) == wbtf_kind(b) || (wbtf_is_any_enum(a) && wbtf_is_any_enum(b));
}

static bool ess_names_equal(const struct wbtf *a, uint32_t a_off, const struct wbtf *b,
			    uint32_t b_off)
{
	const char *x = wbtf_str(a, a_off), *y = wbtf_str(b, b_off);
	if (!x || !y)
		return false;
	size_t n = wbtf_essential_name_len(x);
	return n == wbtf_essential_name_len(y) && !memcmp(x, y, n);
}

/* Field types: composites always, ints unless old-style bitfield ints,
 * pointers and floats by kind, enums and fwds by essential name, arrays by
 * element type. */
static int fields_compat(const struct wbtf *lb, uint32_t lid, const struct wbtf *tb, uint32_t tid)
{
	for (int depth = 0; depth < WBTF_MAX_DEPTH; depth++) {
		const struct btf_type *l = wbtf_skip_mods_typedefs(lb, lid, &lid);
		const struct btf_type *t = wbtf_skip_mods_typedefs(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (wbtf_is_composite(l) && wbtf_is_composite(t))
			return 1;
		if (!kinds_compat(l, t))
			return 0;
		switch (wbtf_kind(l)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return ess_names_equal(lb, l->name_off, tb, t->name_off);
		case BTF_KIND_INT:
			return wbtf_int_offset(l) == 0 && wbtf_int_offset(t) == 0;
		case BTF_KIND_ARRAY:
			lid = wbtf_array(l)->type;
			tid = wbtf_array(t)->type;
			continue;
		default:
			return 0;
		}
	}
	return -ELOOP;
}

/* Type-based relocations: same kind below the root name, ints and enums of
 * any size, pointers/arrays/typedefs by target, protos by signature. */
static int types_compat(const struct wbtf *lb, uint32_t lid, const struct wbtf *tb, uint32_t tid,
			int level)
{
	for (; level > 0; level--) {
		const struct btf_type *l = wbtf_skip_mods_typedefs(lb, lid, &lid);
		const struct btf_type *t = wbtf_skip_mods_typedefs(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (!kinds_compat(l, t))
			return 0;
		switch (wbtf_kind(l)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_INT:
			return wbtf_int_offset(l) == 0 && wbtf_int_offset(t) == 0;
		case BTF_KIND_PTR:
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = wbtf_array(l)->type;
			tid = wbtf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (wbtf_vlen(l) != wbtf_vlen(t))
				return 0;
			for (unsigned i = 0; i < wbtf_vlen(l); i++) {
				int r = types_compat(lb, wbtf_params(l)[i].type, tb,
						     wbtf_params(t)[i].type, level - 1);
				if (r <= 0)
					return r;
			}
			lid = l->type;
			tid = t->type;
			continue;
		default:
			return 0;
		}
	}
	return -ELOOP;
}

/* Anonymous matches only anonymous; otherwise essential names. */
static bool names_match(const struct wbtf *lb, uint32_t loff, const struct wbtf *tb, uint32_t toff)
{
	const char *l = wbtf_str(lb, loff), *t = wbtf_str(tb, toff);
	if (!l || !t)
		return false;
	if (!*t)
		return !*l;
	return ess_names_equal(lb, loff, tb, toff);
}

static int types_match(const struct wbtf *lb, uint32_t lid, const struct wbtf *tb, uint32_t tid,
		       int level);

/* Every local member has a named target member of the same name whose type
 * matches; anonymous members never match. */
static int composites_match(const struct wbtf *lb, const struct btf_type *l, const struct wbtf *tb,
			    const struct btf_type *t, int level)
{
	if (wbtf_vlen(l) > wbtf_vlen(t))
		return 0;
	for (unsigned i = 0; i < wbtf_vlen(l); i++) {
		const struct btf_member *lm = &wbtf_members(l)[i];
		const char *ln = wbtf_str(lb, lm->name_off);
		bool matched = false;
		for (unsigned j = 0; j < wbtf_vlen(t) && !matched; j++) {
			const struct btf_member *tm = &wbtf_members(t)[j];
			const char *tn = wbtf_str(tb, tm->name_off);
			/* named members match by name; anonymous ones (unions and
			 * structs inlined in the parent) by their types */
			if (!ln || !tn || strcmp(ln, tn))
				continue;
			int r = types_match(lb, lm->type, tb, tm->type, level - 1);
			if (r < 0)
				return r;
			matched = r > 0;
		}
		if (!matched)
			return 0;
	}
	return 1;
}

/* Enumerators of the local enum all exist (by essential name) in the
 * target, of the same size; values may differ. */
static int enums_match(const struct wbtf *lb, const struct btf_type *l, const struct wbtf *tb,
		       const struct btf_type *t)
{
	if (l->size != t->size || wbtf_vlen(l) > wbtf_vlen(t))
		return 0;
	for (unsigned i = 0; i < wbtf_vlen(l); i++) {
		uint32_t ln = wbtf_kind(l) == BTF_KIND_ENUM ? wbtf_enums(l)[i].name_off
							    : wbtf_enum64s(l)[i].name_off;
		bool found = false;
		for (unsigned j = 0; j < wbtf_vlen(t) && !found; j++) {
			uint32_t tn = wbtf_kind(t) == BTF_KIND_ENUM ? wbtf_enums(t)[j].name_off
								    : wbtf_enum64s(t)[j].name_off;
			const char *s = wbtf_str(tb, tn);
			found = s && *s && ess_names_equal(lb, ln, tb, tn);
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* TYPE_MATCHES: modifiers and typedefs skipped, names (essential) equal at
 * every step, same kinds (a struct/union behind a pointer may meet a FWD
 * of the same flavour), ints by bits and signedness, arrays by length,
 * protos by arity, recursively. */
static int types_match(const struct wbtf *lb, uint32_t lid, const struct wbtf *tb, uint32_t tid,
		       int level)
{
	if (level <= 0)
		return -ELOOP;
	const struct btf_type *l = wbtf_type_by_id(lb, lid), *t;
	for (int depth = 0; depth < WBTF_MAX_DEPTH; depth++) {
		bool behind_ptr = l && wbtf_kind(l) == BTF_KIND_PTR;
		l = wbtf_skip_mods_typedefs(lb, lid, &lid);
		t = wbtf_skip_mods_typedefs(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (!names_match(lb, l->name_off, tb, t->name_off))
			return 0;
		unsigned lk = wbtf_kind(l), tk = wbtf_kind(t);
		switch (lk) {
		case BTF_KIND_UNKN:
			return tk == lk;
		case BTF_KIND_FWD:
			if (tk == lk)
				return wbtf_kflag(l) == wbtf_kflag(t);
			return behind_ptr && ((tk == BTF_KIND_STRUCT && !wbtf_kflag(l)) ||
					      (tk == BTF_KIND_UNION && wbtf_kflag(l)));
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return wbtf_is_any_enum(t) && enums_match(lb, l, tb, t);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (tk == lk)
					return 1;
				return tk == BTF_KIND_FWD &&
				       (lk == BTF_KIND_UNION) == wbtf_kflag(t);
			}
			return tk == lk && composites_match(lb, l, tb, t, level);
		case BTF_KIND_INT:
			return tk == lk && wbtf_int_bits(l) == wbtf_int_bits(t) &&
			       (wbtf_int_encoding(l) & BTF_INT_SIGNED) ==
				       (wbtf_int_encoding(t) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (tk != lk)
				return 0;
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			if (tk != lk || wbtf_array(l)->nelems != wbtf_array(t)->nelems)
				return 0;
			lid = wbtf_array(l)->type;
			tid = wbtf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (tk != lk || wbtf_vlen(l) != wbtf_vlen(t))
				return 0;
			for (unsigned i = 0; i < wbtf_vlen(l); i++) {
				int r = types_match(lb, wbtf_params(l)[i].type, tb,
						    wbtf_params(t)[i].type, level - 1);
				if (r <= 0)
					return r;
			}
			lid = l->type;
			tid = t->type;
			continue;
		default:
			return 0;
		}
	}
	return -ELOOP;
}

/* ---- spec matching ------------------------------------------------------ */

/* Finds local member lm (of local_btf) by name in target composite tid,
 * descending into anonymous members; extends ts on success. */
static int match_member(const struct wbtf *lb, const struct btf_member *lm, const struct wbtf *tb,
			uint32_t tid, struct spec *ts, int depth)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(tb, tid, &tid);
	if (!t || depth > WBTF_MAX_DEPTH)
		return t ? -ELOOP : -EINVAL;
	if (!wbtf_is_composite(t))
		return 0;
	const char *lname = wbtf_str(lb, lm->name_off);
	for (unsigned i = 0; i < wbtf_vlen(t); i++) {
		const struct btf_member *m = &wbtf_members(t)[i];
		uint32_t off = wbtf_member_bit_offset(t, i);
		const char *name = wbtf_str(tb, m->name_off);
		if (ts->raw_len == MAX_SPEC)
			return -E2BIG;
		ts->raw[ts->raw_len++] = i;
		ts->bit_offset += off;
		if (!name || !*name) {
			int r = match_member(lb, lm, tb, m->type, ts, depth + 1);
			if (r)
				return r;
		} else if (!strcmp(lname, name)) {
			if (ts->len == MAX_SPEC)
				return -E2BIG;
			ts->spec[ts->len++] = (struct acc){ tid, i, name };
			return fields_compat(lb, lm->type, tb, m->type);
		}
		ts->raw_len--;
		ts->bit_offset -= off;
	}
	return 0;
}

static int match_field(const struct spec *ls, const struct wbtf *tb, uint32_t cand, struct spec *ts)
{
	uint32_t tid = cand;
	for (int i = 0; i < ls->len; i++) {
		const struct acc *la = &ls->spec[i];
		if (i == 0) {
			const struct btf_type *t = wbtf_skip_mods_typedefs(tb, tid, &tid);
			int64_t sz = t ? wbtf_resolve_size(tb, tid) : -EINVAL;
			if (sz < 0)
				return 0;
			ts->spec[ts->len++] = (struct acc){ tid, la->idx, NULL };
			ts->raw[ts->raw_len++] = la->idx;
			ts->bit_offset = (uint64_t)la->idx * (uint64_t)sz * 8;
			continue;
		}
		if (la->name) {
			const struct btf_type *lp = wbtf_type_by_id(ls->btf, la->type_id);
			const struct btf_member *lm = &wbtf_members(lp)[la->idx];
			int r = match_member(ls->btf, lm, tb, tid, ts, 0);
			if (r <= 0)
				return r;
			const struct acc *ta = &ts->spec[ts->len - 1];
			tid = wbtf_members(wbtf_type_by_id(tb, ta->type_id))[ta->idx].type;
		} else {
			const struct btf_type *t = wbtf_skip_mods_typedefs(tb, tid, &tid);
			if (!t || wbtf_kind(t) != BTF_KIND_ARRAY)
				return 0;
			const struct btf_array *a = wbtf_array(t);
			if (a->nelems && la->idx >= a->nelems)
				return 0;
			if (!wbtf_skip_mods_typedefs(tb, a->type, &tid))
				return -EINVAL;
			int64_t sz = wbtf_resolve_size(tb, tid);
			if (sz < 0 || ts->len == MAX_SPEC || ts->raw_len == MAX_SPEC)
				return sz < 0 ? 0 : -E2BIG;
			ts->spec[ts->len++] = (struct acc){ tid, la->idx, NULL };
			ts->raw[ts->raw_len++] = la->idx;
			ts->bit_offset += (uint64_t)la->idx * (uint64_t)sz * 8;
		}
	}
	return 1;
}

static int match_spec(const struct spec *ls, unsigned kind, const struct wbtf *tb, uint32_t cand,
		      struct spec *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root_type_id = cand;
	switch (core_kinds[kind].cls) {
	case TYPE:
		if (kind == BPF_CORE_TYPE_MATCHES)
			return types_match(ls->btf, ls->root_type_id, tb, cand, WBTF_MAX_DEPTH);
		return types_compat(ls->btf, ls->root_type_id, tb, cand, WBTF_MAX_DEPTH);
	case ENUMVAL: {
		uint32_t tid;
		const struct btf_type *t = wbtf_skip_mods_typedefs(tb, cand, &tid);
		if (!t || !wbtf_is_any_enum(t))
			return 0;
		const char *lname = ls->spec[0].name;
		size_t n = wbtf_essential_name_len(lname);
		for (unsigned j = 0; j < wbtf_vlen(t); j++) {
			uint32_t off = wbtf_kind(t) == BTF_KIND_ENUM ? wbtf_enums(t)[j].name_off
								     : wbtf_enum64s(t)[j].name_off;
			const char *name = wbtf_str(tb, off);
			if (name && wbtf_essential_name_len(name) == n && !memcmp(name, lname, n)) {
				ts->spec[0] = (struct acc){ tid, j, name };
				ts->len = 1;
				ts->raw[0] = j;
				ts->raw_len = 1;
				return 1;
			}
		}
		return 0;
	}
	default:
		return match_field(ls, tb, cand, ts);
	}
}

/* ---- values ------------------------------------------------------------- */

static int calc_field(const struct spec *sp, unsigned kind, uint64_t *val, uint32_t *field_sz,
		      uint32_t *type_id)
{
	*val = 0;
	*field_sz = 0;
	*type_id = 0;
	if (kind == BPF_CORE_FIELD_EXISTS) {
		*val = sp != NULL;
		return 0;
	}
	if (!sp)
		return WBTF_CORE_UNRESOLVED;
	const struct wbtf *btf = sp->btf;
	const struct acc *acc = &sp->spec[sp->len - 1];
	if (!acc->name) {
		int64_t sz = wbtf_resolve_size(btf, acc->type_id);
		if (sz < 0)
			return (int)sz;
		if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
			*val = sp->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (kind == BPF_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			wbtf_log("CO-RE: %s relocation can't be applied to an array element",
				 wbtf_core_kind_name(kind));
			return -EINVAL;
		}
		return 0;
	}
	const struct btf_type *parent = wbtf_type_by_id(btf, acc->type_id);
	const struct btf_member *m = &wbtf_members(parent)[acc->idx];
	uint32_t field_id;
	const struct btf_type *mt = wbtf_skip_mods_typedefs(btf, m->type, &field_id);
	if (!mt)
		return -EINVAL;
	uint64_t bit_off = sp->bit_offset, byte_off;
	uint32_t bit_sz = wbtf_member_bitfield_size(parent, acc->idx), byte_sz;
	bool bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (!byte_sz || byte_sz > 8 || (byte_sz & (byte_sz - 1)) ||
		    (wbtf_kind(mt) != BTF_KIND_INT && !wbtf_is_any_enum(mt))) {
			wbtf_log("CO-RE: bitfield '%s' of a %u-byte %s", acc->name, byte_sz,
				 wbtf_kind_name(wbtf_kind(mt)));
			return -EINVAL;
		}
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8) {
				wbtf_log("CO-RE: bitfield '%s' can't be read with one 64-bit load",
					 acc->name);
				return -E2BIG;
			}
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		int64_t sz = wbtf_resolve_size(btf, field_id);
		if (sz < 0)
			return (int)sz;
		byte_sz = (uint32_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*type_id = field_id;
		}
		break;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BPF_CORE_FIELD_SIGNED:
		*val = (wbtf_is_any_enum(mt) && wbtf_kflag(mt)) ||
		       (wbtf_kind(mt) == BTF_KIND_INT && (wbtf_int_encoding(mt) & BTF_INT_SIGNED));
		break;
	case BPF_CORE_FIELD_LSHIFT_U64:
#if __BYTE_ORDER == __LITTLE_ENDIAN
		*val = 64 - (bit_off + bit_sz - byte_off * 8);
#else
		*val = (8 - byte_sz) * 8 + (bit_off - byte_off * 8);
#endif
		break;
	case BPF_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		break;
	}
	return 0;
}

static int calc_value(const struct wbtf_core_relo *relo, const struct spec *sp, bool local,
		      uint64_t *val, uint32_t *sz, uint32_t *type_id)
{
	unsigned kind = relo->kind;
	*val = 0;
	*sz = 0;
	*type_id = 0;
	switch (core_kinds[kind].cls) {
	case FIELD:
		return calc_field(sp, kind, val, sz, type_id);
	case TYPE:
		if (!sp)
			return core_kinds[kind].missing == POISON ? WBTF_CORE_UNRESOLVED : 0;
		switch (kind) {
		case BPF_CORE_TYPE_ID_LOCAL:
		case BPF_CORE_TYPE_ID_TARGET:
			*val = sp->root_type_id;
			break;
		case BPF_CORE_TYPE_EXISTS:
		case BPF_CORE_TYPE_MATCHES:
			*val = 1;
			break;
		case BPF_CORE_TYPE_SIZE: {
			int64_t s = wbtf_resolve_size(sp->btf, sp->root_type_id);
			if (s < 0)
				return (int)s;
			*val = (uint64_t)s;
			break;
		}
		}
		return 0;
	case ENUMVAL:
		if (!sp)
			return core_kinds[kind].missing == POISON ? WBTF_CORE_UNRESOLVED : 0;
		if (kind == BPF_CORE_ENUMVAL_EXISTS)
			*val = 1;
		else
			*val = (uint64_t)wbtf_enum_value(
				wbtf_type_by_id(sp->btf, sp->spec[0].type_id), sp->spec[0].idx);
		return 0;
	}
	(void)local;
	return -EINVAL;
}

/* Both values, as the loader applies them; UNRESOLVED becomes poison. */
static int calc_relo(const struct wbtf_core_relo *relo, const struct spec *ls,
		     const struct spec *ts, struct wbtf_core_res *res)
{
	int err = calc_value(relo, ls, true, &res->orig_val, &res->orig_sz, &res->orig_type_id);
	if (err)
		return err == WBTF_CORE_UNRESOLVED ? -EINVAL : err;
	err = calc_value(relo, ts, false, &res->new_val, &res->new_sz, &res->new_type_id);
	if (err == WBTF_CORE_UNRESOLVED) {
		res->poison = true;
		res->new_val = 0;
		return 0;
	}
	if (err)
		return err;
	if (relo->kind == BPF_CORE_FIELD_BYTE_OFFSET && res->orig_sz != res->new_sz) {
		const struct btf_type *o = wbtf_type_by_id(ls->btf, res->orig_type_id);
		const struct btf_type *n = wbtf_type_by_id(ts->btf, res->new_type_id);
		/* a load may shrink only where zero extension keeps the value:
		 * pointers (32-bit kernels) and unsigned integers */
		bool ok = o && n &&
			  ((wbtf_kind(o) == BTF_KIND_PTR && wbtf_kind(n) == BTF_KIND_PTR) ||
			   (wbtf_kind(o) == BTF_KIND_INT && wbtf_kind(n) == BTF_KIND_INT &&
			    !(wbtf_int_encoding(o) & BTF_INT_SIGNED) &&
			    !(wbtf_int_encoding(n) & BTF_INT_SIGNED)));
		res->fail_memsz_adjust = !ok;
	}
	return 0;
}

struct cand_walk {
	const struct wbtf *local;
	const struct btf_type *local_t;
	const struct wbtf_core_relo *relo;
	const struct spec *ls;
	struct wbtf *targ;
	struct spec ts, first;
	struct wbtf_core_res *res;
	int err;
};

static int try_cand(void *ctx, uint32_t id)
{
	struct cand_walk *w = ctx;
	const struct btf_type *t = wbtf_type_by_id(w->targ, id);
	if (!kinds_compat(w->local_t, t))
		return 0;
	int r = match_spec(w->ls, w->relo->kind, w->targ, id, &w->ts);
	if (r < 0) {
		w->err = r;
		return 1;
	}
	if (r == 0)
		return 0;
	struct wbtf_core_res cr = { 0 };
	int err = calc_relo(w->relo, w->ls, &w->ts, &cr);
	if (err) {
		w->err = err;
		return 1;
	}
	if (w->res->nr_cands == 0) {
		*w->res = cr;
		w->first = w->ts;
	} else if (w->ts.bit_offset != w->first.bit_offset || cr.poison != w->res->poison ||
		   cr.new_val != w->res->new_val) {
		wbtf_log("CO-RE: type [%u] '%s': candidates [%u] and [%u] disagree (%llu vs %llu)",
			 w->relo->type_id, wbtf_name(w->local, w->relo->type_id),
			 w->first.root_type_id, id, (unsigned long long)w->res->new_val,
			 (unsigned long long)cr.new_val);
		w->err = -EINVAL;
		return 1;
	}
	w->res->nr_cands++;
	return 0;
}

int wbtf_core_resolve(const struct wbtf *local, const struct wbtf_core_relo *relo,
		      struct wbtf *targ, struct wbtf_core_res *res)
{
	memset(res, 0, sizeof(*res));
	if (relo->kind >= ARRAY_LEN(core_kinds)) {
		wbtf_log("CO-RE: unknown relocation kind %u", relo->kind);
		return -EINVAL;
	}
	const struct btf_type *lt = wbtf_type_by_id(local, relo->type_id);
	const char *acc = wbtf_str(local, relo->access_str_off);
	if (!lt || !relo->type_id || !acc) {
		wbtf_log("CO-RE: relocation with bad type id %u or access string offset %u",
			 relo->type_id, relo->access_str_off);
		return -EINVAL;
	}
	struct spec *ls = xmalloc(sizeof(*ls));
	struct cand_walk *w = NULL;
	int err = parse_spec(local, relo->type_id, acc, relo->kind, ls);
	if (err)
		goto out;
	if (relo->kind == BPF_CORE_TYPE_ID_LOCAL) {
		res->orig_val = res->new_val = relo->type_id;
		goto out;
	}
	const char *name = wbtf_name(local, relo->type_id);
	if (!*name) {
		err = spec_err(local, relo->type_id, acc,
			       "an anonymous type has no target candidates");
		goto out;
	}
	w = xcalloc(1, sizeof(*w));
	*w = (struct cand_walk){
		.local = local, .local_t = lt, .relo = relo, .ls = ls, .targ = targ, .res = res
	};
	wbtf_for_each_essential(targ, name, wbtf_essential_name_len(name), -1, try_cand, w);
	err = w->err;
	if (!err && res->nr_cands == 0)
		err = calc_relo(relo, ls, NULL, res);
	if (!err && res->poison)
		err = WBTF_CORE_UNRESOLVED;
out:
	free(w);
	free(ls);
	return err;
}
