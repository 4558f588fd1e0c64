/* The IR printer: the canonical text form that ir_parse() reads back, so that
 * print(parse(t)) == t. Operands are printed from the opcode signatures. */
#include "ir/ir.h"

#include <inttypes.h>
#include <string.h>

static void print_int(int64_t v, struct buf *out)
{
	buf_printf(out, "%" PRId64, v);
}

static void print_string(const char *s, struct buf *out)
{
	buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else if (*p == '\t')
			buf_puts(out, "\\t");
		else if (*p < 32 || *p >= 127)
			buf_printf(out, "\\x%02x", *p);
		else
			buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

void ir_print_vt(ir_vt t, struct buf *out)
{
	switch (t.cls) {
	case IR_VOID: buf_puts(out, "void"); break;
	case IR_I32: buf_puts(out, "i32"); break;
	case IR_I64: buf_puts(out, "i64"); break;
	case IR_PTR:
		buf_puts(out, "ptr");
		if (t.region != RG_ANY)
			buf_printf(out, ".%s", ir_regions[t.region].name);
		break;
	}
}

static void print_structure(const struct ir_module *m, const struct ir_type *ty, struct buf *out)
{
	switch (ty->kind) {
	case IRT_PTR:
		buf_putc(out, '*');
		ir_print_type(m, ty->base, out);
		break;
	case IRT_ARRAY:
		buf_printf(out, "[%u x ", ty->count);
		ir_print_type(m, ty->base, out);
		buf_putc(out, ']');
		break;
	case IRT_CONST:
	case IRT_VOLATILE:
	case IRT_RESTRICT:
		buf_puts(out, ty->kind == IRT_CONST	 ? "const "
			      : ty->kind == IRT_VOLATILE ? "volatile "
							 : "restrict ");
		ir_print_type(m, ty->base, out);
		break;
	default:
		W_ICE("structural type of kind %u", ty->kind);
	}
}

void ir_print_type(const struct ir_module *m, uint32_t t, struct buf *out)
{
	const struct ir_type *ty = ir_type(m, t);
	if (t < IRT_NBUILTIN)
		buf_puts(out, ty->label);
	else if (ty->label)
		buf_printf(out, ":%s", ty->label);
	else
		print_structure(m, ty, out);
}

/* A symbol's ELF binding and visibility, when not the default. */
static void print_binding(const struct ir_sym *s, struct buf *out)
{
	if (s->weak)
		buf_puts(out, " weak");
	if (s->hidden)
		buf_puts(out, " hidden");
}

static void print_tags(const char **tags, uint32_t n, struct buf *out)
{
	for (uint32_t i = 0; i < n; i++) {
		buf_puts(out, " tag ");
		print_string(tags[i], out);
	}
}

static void print_member(const struct ir_module *m, const struct ir_member *mb, bool is_struct,
			 struct buf *out)
{
	buf_putc(out, '\t');
	print_string(mb->name, out);
	buf_putc(out, ' ');
	ir_print_type(m, mb->type, out);
	if (is_struct) {
		buf_printf(out, " @%u", mb->bit_off / 8);
		if (mb->bits)
			buf_printf(out, "+%u:%u", mb->bit_off % 8, mb->bits);
	}
	print_tags(mb->tags, mb->ntags, out);
	buf_putc(out, '\n');
}

static void print_typedef(const struct ir_module *m, uint32_t t, struct buf *out)
{
	const struct ir_type *ty = ir_type(m, t);
	buf_printf(out, "type :%s = ", ty->label);
	switch (ty->kind) {
	case IRT_INT:
		buf_puts(out, "int ");
		print_string(ty->name, out);
		buf_printf(out, " %u", ty->size);
		if (ty->enc & IRT_SIGNED)
			buf_puts(out, " signed");
		if (ty->enc & IRT_CHAR)
			buf_puts(out, " char");
		if (ty->enc & IRT_BOOL)
			buf_puts(out, " bool");
		break;
	case IRT_FLOAT:
		buf_puts(out, "float ");
		print_string(ty->name, out);
		buf_printf(out, " %u", ty->size);
		break;
	case IRT_PTR:
	case IRT_ARRAY:
	case IRT_CONST:
	case IRT_VOLATILE:
	case IRT_RESTRICT:
		print_structure(m, ty, out); /* a named structural type */
		break;
	case IRT_TYPEDEF:
	case IRT_TYPETAG:
		buf_puts(out, ty->kind == IRT_TYPEDEF ? "typedef " : "typetag ");
		print_string(ty->name, out);
		buf_putc(out, ' ');
		ir_print_type(m, ty->base, out);
		break;
	case IRT_FWD:
		buf_puts(out, ty->is_union ? "fwd union " : "fwd struct ");
		print_string(ty->name, out);
		break;
	case IRT_STRUCT:
	case IRT_UNION:
		buf_puts(out, ty->kind == IRT_STRUCT ? "struct " : "union ");
		print_string(ty->name, out);
		buf_printf(out, " %u {\n", ty->size);
		for (uint32_t i = 0; i < ty->nmembers; i++)
			print_member(m, &ty->members[i], ty->kind == IRT_STRUCT, out);
		buf_putc(out, '}');
		break;
	case IRT_ENUM:
		buf_puts(out, "enum ");
		print_string(ty->name, out);
		buf_printf(out, " %u%s {\n", ty->size, ty->enc & IRT_SIGNED ? " signed" : "");
		for (uint32_t i = 0; i < ty->nenums; i++) {
			buf_putc(out, '\t');
			print_string(ty->enums[i].name, out);
			buf_puts(out, " = ");
			print_int(ty->enums[i].value, out);
			buf_putc(out, '\n');
		}
		buf_putc(out, '}');
		break;
	case IRT_PROTO:
		buf_puts(out, "proto ");
		ir_print_type(m, ty->base, out);
		buf_puts(out, " (");
		for (uint32_t i = 0; i < ty->nmembers; i++) {
			if (i)
				buf_puts(out, ", ");
			ir_print_type(m, ty->members[i].type, out);
			if (ty->members[i].name[0]) {
				buf_putc(out, ' ');
				print_string(ty->members[i].name, out);
			}
		}
		if (ty->variadic)
			buf_puts(out, ty->nmembers ? ", ..." : "...");
		buf_putc(out, ')');
		break;
	default:
		W_ICE("type kind %u", ty->kind);
	}
	print_tags(ty->tags, ty->ntags, out);
	buf_putc(out, '\n');
}

static void print_value(const struct ir_func *f, ir_ref r, struct buf *out)
{
	const struct ir_module *m = f->mod;
	switch (ir_ref_kind(r)) {
	case REF_TMP:
		buf_printf(out, "%%%s", f->tmps.data[ir_ref_idx(r)].name);
		break;
	case REF_CON:
		if (f->con_hex.data[ir_ref_idx(r)])
			buf_printf(out, "0x%" PRIx64, (uint64_t)ir_con_val(f, r));
		else
			print_int(ir_con_val(f, r), out);
		break;
	case REF_SYM:
		buf_printf(out, "$%s", ir_sym(m, ir_ref_idx(r))->name);
		break;
	case REF_BLK:
		buf_printf(out, "@%s", f->blocks.data[ir_ref_idx(r)]->name);
		break;
	case REF_TYP:
		ir_print_type(m, ir_ref_idx(r), out);
		break;
	case REF_STR:
		print_string(ir_strs(m, r), out);
		break;
	case REF_HLP:
		buf_puts(out, ir_helper_by_id((int)ir_ref_idx(r))->name);
		break;
	default:
		buf_puts(out, "<none>");
	}
}

void ir_print_ins(const struct ir_func *f, const struct ir_ins *in, struct buf *out)
{
	const struct ir_opinfo *oi = &ir_ops[in->op];
	buf_putc(out, '\t');
	if (in->dst) {
		buf_printf(out, "%%%s:", f->tmps.data[in->dst].name);
		ir_print_vt(in->ty, out);
		buf_puts(out, " = ");
	}
	buf_puts(out, oi->name);
	unsigned a = 0;
	for (const char *s = oi->sig + 1; *s && a < in->nargs; s++) {
		switch (*s) {
		case 'c':
			buf_putc(out, ' ');
			print_value(f, in->args[a++], out);
			buf_putc(out, '(');
			for (unsigned k = 0; a < in->nargs; a++, k++) {
				if (k)
					buf_puts(out, ", ");
				print_value(f, in->args[a], out);
			}
			buf_putc(out, ')');
			break;
		case 'p':
			for (unsigned k = 0; a + 1 < in->nargs; a += 2, k++) {
				buf_puts(out, k ? ", " : " ");
				print_value(f, in->args[a], out);
				buf_putc(out, ' ');
				print_value(f, in->args[a + 1], out);
			}
			break;
		default:
			buf_puts(out, a ? ", " : " ");
			print_value(f, in->args[a++], out);
		}
	}
	if (in->flags & INS_VOLATILE)
		buf_puts(out, " volatile");
	if (in->loc.file)
		buf_printf(out, " !%u:%u:%u", in->loc.file, in->loc.line, in->loc.col);
	buf_putc(out, '\n');
}

static void print_param_list(const struct ir_func *f, struct buf *out)
{
	buf_putc(out, '(');
	for (uint32_t i = 0; i < f->params.len; i++) {
		const struct ir_tmp *t = &f->tmps.data[f->params.data[i]];
		buf_printf(out, "%s%%%s:", i ? ", " : "", t->name);
		ir_print_vt(t->ty, out);
	}
	buf_putc(out, ')');
}

void ir_print_func(const struct ir_func *f, struct buf *out)
{
	const struct ir_module *m = f->mod;
	const struct ir_sym *s = ir_sym(m, f->sym);
	buf_printf(out, "%s $%s", f->is_prog ? "prog" : "func", s->name);
	print_param_list(f, out);
	buf_puts(out, " -> ");
	ir_print_vt(f->ret, out);
	if (f->is_prog)
		buf_printf(out, " type=%s", ir_progtypes[f->progtype].name);
	if (f->section) {
		buf_puts(out, " section=");
		print_string(f->section, out);
	}
	if (!f->is_prog && f->linkage == IR_GLOBAL)
		buf_puts(out, " global");
	print_binding(s, out);
	if (f->inl == IR_INLINE_ALWAYS)
		buf_puts(out, " inline");
	else if (f->inl == IR_INLINE_NEVER)
		buf_puts(out, " noinline");
	if (f->proto) {
		buf_puts(out, " proto=");
		ir_print_type(m, f->proto, out);
	}
	print_tags(s->tags, s->ntags, out);
	buf_puts(out, " {\n");
	for (uint32_t b = 0; b < f->blocks.len; b++) {
		const struct ir_block *blk = f->blocks.data[b];
		buf_printf(out, "@%s\n", blk->name);
		vec_foreach(&blk->ins, in) ir_print_ins(f, in, out);
	}
	buf_puts(out, "}\n");
}

static void print_hex(const uint8_t *p, uint32_t n, struct buf *out)
{
	buf_puts(out, "x\"");
	for (uint32_t i = 0; i < n; i++)
		buf_printf(out, "%02x", p[i]);
	buf_putc(out, '"');
}

static void print_map(const struct ir_module *m, const struct ir_sym *s, struct buf *out)
{
	const struct ir_map *mp = &s->map;
	buf_printf(out, "map $%s type=%s", s->name, ir_maptypes[mp->type].name);
	if (mp->key) {
		buf_puts(out, " key=");
		ir_print_type(m, mp->key, out);
	}
	if (mp->value) {
		buf_puts(out, " value=");
		ir_print_type(m, mp->value, out);
	}
	buf_printf(out, " max_entries=%u", mp->max_entries);
	if (mp->flags)
		buf_printf(out, " flags=%u", mp->flags);
	if (mp->numa_node)
		buf_printf(out, " numa=%u", mp->numa_node);
	if (mp->extra)
		buf_printf(out, " extra=%" PRIu64, mp->extra);
	if (mp->pinning == IR_PIN_BY_NAME)
		buf_puts(out, " pinning=by_name");
	if (mp->inner)
		buf_printf(out, " inner=$%s", ir_sym(m, mp->inner)->name);
	if (mp->ninit) {
		buf_puts(out, " init=[");
		for (uint32_t i = 0; i < mp->ninit; i++)
			buf_printf(out, "%s%u: $%s", i ? ", " : "", mp->init[i].index,
				   ir_sym(m, mp->init[i].sym)->name);
		buf_putc(out, ']');
	}
	if (mp->def) {
		buf_puts(out, " def=");
		ir_print_type(m, mp->def, out);
	}
	if (mp->is_template)
		buf_puts(out, " template");
	if (mp->is_extern)
		buf_puts(out, " extern");
	print_binding(s, out);
}

static const char *const extern_kind[] = { "kconfig", "ksym", "kfunc", "var", "func" };

static void print_sym(const struct ir_module *m, const struct ir_sym *s, struct buf *out)
{
	switch (s->kind) {
	case IR_SYM_MAP:
		print_map(m, s, out);
		break;
	case IR_SYM_GLOBAL:
		buf_printf(out, "global $%s : ", s->name);
		ir_print_type(m, s->global.type, out);
		buf_puts(out, " section=");
		print_string(s->global.section, out);
		if (s->global.align)
			buf_printf(out, " align=%u", s->global.align);
		if (s->global.init) {
			buf_puts(out, " init=");
			print_hex(s->global.init, s->global.ninit, out);
		}
		if (s->global.nrelocs) {
			buf_puts(out, " relocs=[");
			for (uint32_t i = 0; i < s->global.nrelocs; i++)
				buf_printf(out, "%s%u: $%s", i ? ", " : "", s->global.relocs[i].off,
					   ir_sym(m, s->global.relocs[i].sym)->name);
			buf_putc(out, ']');
		}
		if (s->global.linkage == IR_STATIC)
			buf_puts(out, " static");
		print_binding(s, out);
		break;
	case IR_SYM_EXTERN:
		buf_printf(out, "extern $%s : ", s->name);
		ir_print_type(m, s->ext.type, out);
		buf_printf(out, " %s", extern_kind[s->ext.kind]);
		if (s->ext.section) {
			buf_puts(out, " section=");
			print_string(s->ext.section, out);
		}
		print_binding(s, out);
		break;
	default:
		return;
	}
	print_tags(s->tags, s->ntags, out);
	buf_putc(out, '\n');
}

void ir_print_module(const struct ir_module *m, struct buf *out)
{
	buf_printf(out, "target v%u\n", m->cpu);
	if (m->license) {
		buf_puts(out, "license ");
		print_string(m->license, out);
		buf_putc(out, '\n');
	}
	for (uint32_t i = 1; i < m->files.len; i++) {
		buf_printf(out, "file %u ", i);
		print_string(m->files.data[i], out);
		buf_putc(out, '\n');
	}
	bool any = false;
	for (uint32_t t = IRT_NBUILTIN; t < m->types.len; t++) {
		if (!ir_type(m, t)->label)
			continue;
		if (!any)
			buf_putc(out, '\n');
		any = true;
		print_typedef(m, t, out);
	}
	any = false;
	for (uint32_t i = 1; i < m->syms.len; i++) {
		const struct ir_sym *s = ir_sym(m, i);
		if (s->kind == IR_SYM_FUNC)
			continue;
		if (!any)
			buf_putc(out, '\n');
		any = true;
		print_sym(m, s, out);
	}
	for (uint32_t i = 1; i < m->syms.len; i++) {
		const struct ir_sym *s = ir_sym(m, i);
		if (s->kind == IR_SYM_FUNC) {
			buf_putc(out, '\n');
			ir_print_func(s->fn, out);
		}
	}
}
