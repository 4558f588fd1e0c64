/* A compact, indented dump of the typed AST (whistlercc -Xclang -ast-dump,
 * unit tests): declarations with their types and attributes, statements,
 * and expressions with type, value category and conversions spelled out. */
#include "frontend/c/cparse.h"

#include <inttypes.h>
#include <string.h>

struct dumper {
	struct ctu *tu;
	struct buf *out;
	int depth;
};

static const char *const expr_names[E_NOPS] = {
#define EXPR(op, spelling, shape) [E_##op] = #op,
#include "frontend/c/exprs.def"
#undef EXPR
};

static const char *const cast_names[] = {
	"noop", "lval", "array-decay", "func-decay", "int", "to-bool", "ptr-to-int",
	"int-to-ptr", "null", "int-to-float", "float-to-int", "float", "to-void",
	"to-union", "record",
};

static const char *const stmt_names[] = {
	"null", "compound", "expr", "decl", "if", "while", "do", "for", "switch",
	"case", "default", "label", "goto", "break", "continue", "return", "asm",
};

static void indent(struct dumper *d)
{
	for (int i = 0; i < d->depth; i++)
		buf_puts(d->out, "  ");
}

static void dump_expr(struct dumper *d, const struct cexpr *e, const char *role);
static void dump_stmt(struct dumper *d, const struct cstmt *s);
static void dump_init(struct dumper *d, const struct cinit *in);

static void dump_expr(struct dumper *d, const struct cexpr *e, const char *role)
{
	if (!e)
		return;
	indent(d);
	if (role)
		buf_printf(d->out, "%s: ", role);
	buf_printf(d->out, "%s", expr_names[e->op]);
	if (e->op == E_CONV || e->op == E_CAST)
		buf_printf(d->out, "<%s>", e->ck < ARRAY_LEN(cast_names) ? cast_names[e->ck] : "?");
	buf_printf(d->out, " '%s'", ctype_str(d->tu, e->type));
	if (e->flags & EF_LVALUE)
		buf_puts(d->out, " lvalue");
	if (e->flags & EF_BITFIELD)
		buf_puts(d->out, " bitfield");
	if (e->flags & EF_PRESERVE)
		buf_puts(d->out, " preserve");
	switch (e->op) {
	case E_INT:
		if (ctype_is_signed(e->type))
			buf_printf(d->out, " %" PRId64, (int64_t)e->u.ival);
		else
			buf_printf(d->out, " %" PRIu64, e->u.ival);
		break;
	case E_FLOAT:
		buf_printf(d->out, " %g", e->u.fval);
		break;
	case E_STRING:
		buf_printf(d->out, " \"%.*s\"", (int)(e->u.str->len - e->u.str->width),
			   e->u.str->width == 1 ? (const char *)e->u.str->bytes : "");
		break;
	case E_DECL:
		buf_printf(d->out, " %s", e->u.decl->name ? e->u.decl->name->name : "<anon>");
		break;
	case E_MEMBER:
		buf_printf(d->out, " %s%s", (e->flags & EF_ARROW) ? "->" : ".",
			   e->u.m.member->name ? e->u.m.member->name->name : "<anon>");
		break;
	case E_BUILTIN:
		buf_printf(d->out, " %s", cbuiltin_name((enum cbuiltin)e->u.bi.id));
		break;
	default:
		break;
	}
	buf_putc(d->out, '\n');
	d->depth++;
	switch (e->op) {
	case E_MEMBER:
		dump_expr(d, e->u.m.base, NULL);
		break;
	case E_COND:
		dump_expr(d, e->u.cond.c, NULL);
		dump_expr(d, e->u.cond.a, NULL);
		dump_expr(d, e->u.cond.b, NULL);
		break;
	case E_CALL:
		dump_expr(d, e->u.call.fn, NULL);
		for (uint32_t i = 0; i < e->u.call.nargs; i++)
			dump_expr(d, e->u.call.args[i], NULL);
		break;
	case E_BUILTIN:
		for (uint32_t i = 0; i < e->u.bi.nargs; i++)
			dump_expr(d, e->u.bi.args[i], NULL);
		break;
	case E_COMPOUND_LIT:
		dump_init(d, e->u.lit.obj->u.var.init);
		break;
	case E_STMT_EXPR:
		dump_stmt(d, e->u.stmt);
		break;
	case E_VA_ARG:
		dump_expr(d, e->u.va.ap, NULL);
		break;
	case E_INT:
	case E_FLOAT:
	case E_STRING:
	case E_DECL:
	case E_ERROR:
		break;
	default:
		dump_expr(d, e->u.bin.a, NULL);
		if (cexpr_is_binary(e->op))
			dump_expr(d, e->u.bin.b, NULL);
		if (e->op != E_ASSIGN && cexpr_is_assign(e->op) && e->u.bin.comp) {
			indent(d);
			buf_printf(d->out, "computed in '%s'\n", ctype_str(d->tu, e->u.bin.comp));
		}
		break;
	}
	d->depth--;
}

static void dump_init(struct dumper *d, const struct cinit *in)
{
	if (!in)
		return;
	if (in->kind == CI_EXPR) {
		dump_expr(d, in->u.expr, "init");
		return;
	}
	indent(d);
	buf_printf(d->out, "init-list '%s'\n", ctype_str(d->tu, in->type));
	d->depth++;
	for (uint32_t i = 0; i < in->u.list.n; i++) {
		const struct cinit_elem *el = &in->u.list.elems[i];
		indent(d);
		if (el->member)
			buf_printf(d->out, ".%s =\n",
				   el->member->name ? el->member->name->name : "<anon>");
		else if (el->lo == el->hi)
			buf_printf(d->out, "[%" PRIu64 "] =\n", el->lo);
		else
			buf_printf(d->out, "[%" PRIu64 " ... %" PRIu64 "] =\n", el->lo, el->hi);
		d->depth++;
		dump_init(d, el->init);
		d->depth--;
	}
	d->depth--;
}

static void dump_attrs(struct dumper *d, const struct cattrs *a)
{
	if (!a)
		return;
	if (a->section)
		buf_printf(d->out, " section(\"%s\")", a->section);
	if (a->align)
		buf_printf(d->out, " aligned(%u)", a->align);
	static const char *const flags[] = { "weak", "used", "unused", "noinline", "always_inline",
					     "noreturn", "packed", "preserve_access_index" };
	for (unsigned i = 0; i < ARRAY_LEN(flags); i++)
		if (a->flags & (1u << i))
			buf_printf(d->out, " %s", flags[i]);
	for (const char **t = a->decl_tags; t && *t; t++)
		buf_printf(d->out, " btf_decl_tag(\"%s\")", *t);
}

static void dump_decl(struct dumper *d, const struct cdecl *dc, bool top)
{
	indent(d);
	static const char *const kinds[] = { "var", "func", "typedef", "enumconst" };
	static const char *const links[] = { "", " internal", " external" };
	buf_printf(d->out, "%s %s '%s'%s", kinds[dc->kind], dc->name ? dc->name->name : "<anon>",
		   ctype_str(d->tu, dc->type), links[dc->linkage]);
	if (dc->flags & CDF_DEFINED)
		buf_puts(d->out, " defined");
	if (dc->flags & CDF_TENTATIVE)
		buf_puts(d->out, " tentative");
	if (dc->flags & CDF_LOCAL_STATIC)
		buf_puts(d->out, " local-static");
	if (dc->flags & CDF_INLINE)
		buf_puts(d->out, " inline");
	dump_attrs(d, dc->attrs);
	buf_putc(d->out, '\n');
	d->depth++;
	if (dc->kind == CD_VAR)
		dump_init(d, dc->u.var.init);
	else if (dc->kind == CD_FUNC && dc->u.fn.body && top) {
		/* (a block-scope declaration of a function is the same cdecl,
		 * body included: printed where it is defined) */
		for (uint32_t i = 0; i < dc->u.fn.nparams; i++)
			if (dc->u.fn.params[i]) {
				indent(d);
				buf_printf(d->out, "param %s '%s'\n", dc->u.fn.params[i]->name->name,
					   ctype_str(d->tu, dc->u.fn.params[i]->type));
			}
		dump_stmt(d, dc->u.fn.body);
	}
	d->depth--;
}

static void dump_stmt(struct dumper *d, const struct cstmt *s)
{
	if (!s)
		return;
	indent(d);
	buf_puts(d->out, stmt_names[s->kind]);
	switch (s->kind) {
	case S_CASE:
		if (s->u.case_.lo == s->u.case_.hi)
			buf_printf(d->out, " %" PRId64, s->u.case_.lo);
		else
			buf_printf(d->out, " %" PRId64 " ... %" PRId64, s->u.case_.lo, s->u.case_.hi);
		break;
	case S_LABEL:
		buf_printf(d->out, " %s", s->u.label.label->name->name);
		break;
	case S_GOTO:
		buf_printf(d->out, " %s", s->u.target->name->name);
		break;
	case S_WHILE:
	case S_DO:
	case S_FOR:
		if (s->u.loop.hint.unroll) {
			static const char *const u[] = { "", "enable", "full", "count", "disable" };
			buf_printf(d->out, " unroll(%s", u[s->u.loop.hint.unroll]);
			if (s->u.loop.hint.unroll == CU_COUNT)
				buf_printf(d->out, " %u", s->u.loop.hint.count);
			buf_putc(d->out, ')');
		}
		break;
	case S_ASM:
		buf_printf(d->out, "%s%s \"%s\" outputs=%u inputs=%u clobbers=%u labels=%u",
			   s->u.asm_->is_volatile ? " volatile" : "", s->u.asm_->is_goto ? " goto" : "",
			   s->u.asm_->text, s->u.asm_->noutputs, s->u.asm_->ninputs,
			   s->u.asm_->nclobbers, s->u.asm_->nlabels);
		break;
	default:
		break;
	}
	buf_putc(d->out, '\n');
	d->depth++;
	switch (s->kind) {
	case S_COMPOUND:
		for (uint32_t i = 0; i < s->u.block.n; i++)
			dump_stmt(d, s->u.block.items[i]);
		break;
	case S_EXPR:
	case S_RETURN:
		dump_expr(d, s->u.expr, NULL);
		break;
	case S_DECL:
		for (uint32_t i = 0; i < s->u.decl.n; i++)
			dump_decl(d, s->u.decl.decls[i], false);
		break;
	case S_IF:
		dump_expr(d, s->u.if_.cond, "cond");
		dump_stmt(d, s->u.if_.then);
		dump_stmt(d, s->u.if_.els);
		break;
	case S_WHILE:
	case S_DO:
	case S_FOR:
		dump_stmt(d, s->u.loop.init);
		dump_expr(d, s->u.loop.cond, "cond");
		dump_expr(d, s->u.loop.step, "step");
		dump_stmt(d, s->u.loop.body);
		break;
	case S_SWITCH:
		dump_expr(d, s->u.sw.cond, "cond");
		dump_stmt(d, s->u.sw.body);
		break;
	case S_CASE:
	case S_DEFAULT:
		dump_stmt(d, s->u.case_.body);
		break;
	case S_LABEL:
		dump_stmt(d, s->u.label.body);
		break;
	case S_ASM:
		for (uint32_t i = 0; i < s->u.asm_->noutputs; i++)
			dump_expr(d, s->u.asm_->outputs[i].expr, s->u.asm_->outputs[i].constraint);
		for (uint32_t i = 0; i < s->u.asm_->ninputs; i++)
			dump_expr(d, s->u.asm_->inputs[i].expr, s->u.asm_->inputs[i].constraint);
		break;
	default:
		break;
	}
	d->depth--;
}

void cast_dump(struct ctu *tu, struct buf *out)
{
	struct dumper d = { tu, out, 0 };
	for (uint32_t i = 0; i < tu->globals.len; i++) {
		const struct cdecl *dc = tu->globals.data[i];
		if (dc->flags & (CDF_BUILTIN | CDF_LOCAL_STATIC) && !(dc->flags & CDF_DEFINED))
			continue;
		if (dc->flags & CDF_LOCAL_STATIC)
			continue;
		dump_decl(&d, dc, true);
	}
	for (uint32_t i = 0; i < tu->asms.len; i++)
		buf_printf(out, "asm \"%s\"\n", tu->asms.data[i]->text);
}

void cast_dump_layouts(struct ctu *tu, bool all, struct buf *out)
{
	if (all)
		ctu_complete_records(tu);
	for (uint32_t i = 0; i < tu->records.len; i++) {
		struct crecord *r = tu->records.data[i];
		if (!all && !(r->flags & CRF_LAID_OUT))
			continue;
		crecord_layout(r);
		const char *kw = r->flags & CRF_UNION ? "union" : "struct";
		buf_puts(out, "\n*** Dumping AST Record Layout\nType: ");
		if (!r->tag && r->typedef_name) {
			buf_puts(out, r->typedef_name->name->name);
		} else {
			buf_printf(out, "%s ", kw);
			/* clang qualifies nested records by the named ones around them */
			const struct crecord *chain[16];
			uint32_t n = 0;
			/* (a typedef-named parent is not seen by its anonymous members) */
			for (const struct crecord *c = r, *q = r->parent; q && n < 16;
			     c = q, q = q->parent)
				if (q->tag || (q->typedef_name && !(c->flags & CRF_ANON_MEMBER)))
					chain[n++] = q;
			while (n--)
				buf_printf(out, "%s::",
					   chain[n]->tag ? chain[n]->tag->name
							 : chain[n]->typedef_name->name->name);
			if (r->tag) {
				buf_puts(out, r->tag->name);
			} else {
				struct src_file *f = tu->sm ? srcmgr_file(tu->sm, r->loc.file) : NULL;
				buf_printf(out, "(%s at %s:%u:%u)",
					   r->flags & CRF_ANON_MEMBER ? "anonymous" : "unnamed",
					   f ? f->path : "?", r->loc.line, r->loc.col);
			}
		}
		buf_printf(out,
			   "\n\nLayout: <ASTRecordLayout\n  Size:%llu\n  DataSize:%llu\n"
			   "  Alignment:%u\n  FieldOffsets: [",
			   (unsigned long long)r->size * 8, (unsigned long long)r->size * 8,
			   r->align * 8);
		for (uint32_t j = 0; j < r->nmembers; j++)
			buf_printf(out, "%s%llu", j ? ", " : "",
				   (unsigned long long)r->members[j].bit_offset);
		buf_puts(out, "]>\n");
	}
}
