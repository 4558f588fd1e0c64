/* CO-RE relocations described as `llvm-objdump -d -r` prints them under
 * their instruction: "CO-RE <byte_off> [8] struct foo::s.y (0:1:1)" —
 * kind, root type id, the type (modifiers, kind word, name), then for
 * fields the member path and access string, for enums the enumerator. */
#include "backend/disasm.h"
#include "btf/btf.h"
#include "util/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const kind_names[] = {
	"byte_off",	  "byte_sz",	   "field_exists",   "signed",	    "lshift_u64",
	"rshift_u64",	  "local_type_id", "target_type_id", "type_exists", "type_size",
	"enumval_exists", "enumval_value", "type_matches",
};

enum group { G_FIELD, G_TYPE, G_ENUM, G_UNKNOWN };

static enum group group_of(uint32_t kind)
{
	if (kind <= BPF_CORE_FIELD_RSHIFT_U64)
		return G_FIELD;
	if (kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE)
		return G_ENUM;
	if (kind <= BPF_CORE_TYPE_MATCHES)
		return G_TYPE;
	return G_UNKNOWN;
}

static void put_kind(uint32_t kind, struct buf *out)
{
	if (kind < ARRAY_LEN(kind_names))
		buf_printf(out, "<%s>", kind_names[kind]);
	else
		buf_printf(out, "<reloc kind #%u>", kind);
}

/* A name, or "<anon N>" for an anonymous one (N: the type id, member or
 * enumerator index, as llvm numbers them). */
static void put_name(const char *name, uint32_t n, struct buf *out)
{
	if (name && *name)
		buf_puts(out, name);
	else
		buf_printf(out, "<anon %u>", n);
}

static bool is_mod(unsigned kind)
{
	return kind == BTF_KIND_CONST || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

static const struct btf_type *skip_mods_typedefs(const struct wbtf *btf, const struct btf_type *t)
{
	for (unsigned guard = 0;
	     guard < 64 && (is_mod(wbtf_kind(t)) || wbtf_kind(t) == BTF_KIND_TYPEDEF); guard++) {
		const struct btf_type *base = wbtf_type_by_id(btf, t->type);
		if (!base)
			break;
		t = base;
	}
	return t;
}

static void failed(uint32_t kind, uint32_t type_id, const char *access, const char *msg,
		   size_t start, struct buf *out)
{
	out->len = start;
	buf_puts(out, "CO-RE ");
	put_kind(kind, out);
	buf_printf(out, " [%u] '%s' <%s>", type_id, access, msg);
}

void disasm_core_describe(const struct wbtf *btf, uint32_t type_id, const char *access,
			  uint32_t kind, struct buf *out)
{
	size_t start = out->len;
	char msg[96];
	/* the access string: numbers separated by ':' */
	uint32_t spec[64];
	unsigned n = 0;
	for (const char *p = access; *p;) {
		char *end;
		if (*p < '0' || *p > '9')
			return failed(kind, type_id, access, "spec string is not a number", start,
				      out);
		unsigned long v = strtoul(p, &end, 10);
		if (n < ARRAY_LEN(spec))
			spec[n++] = (uint32_t)v;
		p = end;
		if (!*p)
			break;
		if (*p != ':') {
			snprintf(msg, sizeof(msg), "unexpected spec string delimiter: '%c'", *p);
			return failed(kind, type_id, access, msg, start, out);
		}
		p++;
	}
	buf_puts(out, "CO-RE ");
	put_kind(kind, out);
	uint32_t id = type_id;
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	if (!t) {
		snprintf(msg, sizeof(msg), "unknown type id: %u", id);
		return failed(kind, type_id, access, msg, start, out);
	}
	buf_printf(out, " [%u]", id);
	for (unsigned chain = 0; id && is_mod(wbtf_kind(t)); chain++) {
		if (chain >= 32)
			return failed(kind, type_id, access, "modifiers chain is too long", start,
				      out);
		switch (wbtf_kind(t)) {
		case BTF_KIND_CONST:
			buf_puts(out, " const");
			break;
		case BTF_KIND_VOLATILE:
			buf_puts(out, " volatile");
			break;
		case BTF_KIND_RESTRICT:
			buf_puts(out, " restrict");
			break;
		default:
			buf_printf(out, " type_tag(\"%s\")", wbtf_name(btf, id));
			break;
		}
		id = t->type;
		t = wbtf_type_by_id(btf, id);
		if (!t) {
			snprintf(msg, sizeof(msg), "unknown type id: %u in modifiers chain", id);
			return failed(kind, type_id, access, msg, start, out);
		}
	}
	if (!id) {
		buf_puts(out, " void");
	} else {
		switch (wbtf_kind(t)) {
		case BTF_KIND_TYPEDEF:
			buf_puts(out, " typedef");
			break;
		case BTF_KIND_STRUCT:
			buf_puts(out, " struct");
			break;
		case BTF_KIND_UNION:
			buf_puts(out, " union");
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			buf_puts(out, " enum");
			break;
		case BTF_KIND_FWD:
			buf_puts(out, wbtf_kflag(t) ? " fwd union" : " fwd struct");
			break;
		default:
			break;
		}
		buf_putc(out, ' ');
		put_name(wbtf_name(btf, id), id, out);
	}
	enum group g = group_of(kind);
	if (g == G_TYPE) {
		/* clang writes "0" for type-based relocations and libbpf insists */
		if (n != 1 || spec[0] != 0)
			return failed(kind, type_id, access,
				      "unexpected type-based relocation spec: should be '0'", start,
				      out);
		return;
	}
	if (g == G_UNKNOWN) {
		snprintf(msg, sizeof(msg), "unknown relocation kind: %u", kind);
		return failed(kind, type_id, access, msg, start, out);
	}
	buf_puts(out, "::");
	if (g == G_ENUM) {
		t = skip_mods_typedefs(btf, t);
		if (n != 1)
			return failed(kind, type_id, access,
				      "unexpected enumval relocation spec size", start, out);
		if (!wbtf_is_any_enum(t)) {
			snprintf(msg, sizeof(msg), "unexpected type kind for enum relocation: %u",
				 wbtf_kind(t));
			return failed(kind, type_id, access, msg, start, out);
		}
		if (spec[0] >= wbtf_vlen(t)) {
			snprintf(msg, sizeof(msg), "bad value index: %u", spec[0]);
			return failed(kind, type_id, access, msg, start, out);
		}
		uint32_t name_off = wbtf_kind(t) == BTF_KIND_ENUM
					    ? wbtf_enums(t)[spec[0]].name_off
					    : wbtf_enum64s(t)[spec[0]].name_off;
		put_name(wbtf_str(btf, name_off), spec[0], out);
		/* llvm widens a 32-bit value as signed, then prints it signed only
		 * when the enum says so */
		uint64_t raw = wbtf_kind(t) == BTF_KIND_ENUM
				       ? (uint64_t)(int64_t)wbtf_enums(t)[spec[0]].val
				       : (uint64_t)wbtf_enum64s(t)[spec[0]].val_hi32 << 32 |
						 wbtf_enum64s(t)[spec[0]].val_lo32;
		if (wbtf_kflag(t))
			buf_printf(out, " = %" PRId64, (int64_t)raw);
		else
			buf_printf(out, " = %" PRIu64, raw);
		return;
	}
	if (n < 1)
		return failed(kind, type_id, access, "field spec too short", start, out);
	if (spec[0])
		buf_printf(out, "[%u]", spec[0]);
	for (unsigned i = 1; i < n; i++) {
		t = skip_mods_typedefs(btf, t);
		uint32_t idx = spec[i];
		if (wbtf_is_composite(t)) {
			if (idx >= wbtf_vlen(t)) {
				snprintf(msg, sizeof(msg),
					 "member index %u for spec sub-string %u is out of range",
					 idx, i);
				return failed(kind, type_id, access, msg, start, out);
			}
			const struct btf_member *m = &wbtf_members(t)[idx];
			if (i != 1 || spec[0])
				buf_putc(out, '.');
			put_name(wbtf_str(btf, m->name_off), idx, out);
			t = wbtf_type_by_id(btf, m->type);
			if (!t) {
				snprintf(msg, sizeof(msg),
					 "unknown member type id %u for spec sub-string %u",
					 m->type, i);
				return failed(kind, type_id, access, msg, start, out);
			}
		} else if (wbtf_kind(t) == BTF_KIND_ARRAY) {
			buf_printf(out, "[%u]", idx);
			uint32_t elem = wbtf_array(t)->type;
			t = wbtf_type_by_id(btf, elem);
			if (!t) {
				snprintf(msg, sizeof(msg),
					 "unknown element type id %u for spec sub-string %u", elem,
					 i);
				return failed(kind, type_id, access, msg, start, out);
			}
		} else {
			snprintf(msg, sizeof(msg), "unexpected type kind %u for spec sub-string %u",
				 wbtf_kind(t), i);
			return failed(kind, type_id, access, msg, start, out);
		}
	}
	buf_printf(out, " (%s)", access);
}
