/* A search through the typed AST: the one traversal of every expression
 * shape, initializer and statement kind, for analyses that ask whether
 * some node of a tree has a property (a name read, a variable written). */
#include "frontend/c/ast.h"

bool cfind_init(struct cfind *f, struct cinit *in)
{
	if (!in)
		return false;
	if (in->kind == CI_EXPR)
		return cfind_expr(f, in->u.expr);
	for (uint32_t i = 0; i < in->u.list.n; i++)
		if (cfind_init(f, in->u.list.elems[i].init))
			return true;
	return false;
}

bool cfind_expr(struct cfind *f, struct cexpr *e)
{
	if (!e)
		return false;
	if (f->expr(f, e))
		return true;
	if (cexpr_is_binary(e->op))
		return cfind_expr(f, e->u.bin.a) || cfind_expr(f, e->u.bin.b);
	switch (e->op) {
	case E_INT:
	case E_FLOAT:
	case E_STRING:
	case E_DECL:
	case E_ERROR:
		return false;
	case E_MEMBER:
		return cfind_expr(f, e->u.m.base);
	case E_COND:
		return cfind_expr(f, e->u.cond.c) || cfind_expr(f, e->u.cond.a) ||
		       cfind_expr(f, e->u.cond.b);
	case E_CALL:
		for (uint32_t i = 0; i < e->u.call.nargs; i++)
			if (cfind_expr(f, e->u.call.args[i]))
				return true;
		return cfind_expr(f, e->u.call.fn);
	case E_BUILTIN:
		for (uint32_t i = 0; i < e->u.bi.nargs; i++)
			if (cfind_expr(f, e->u.bi.args[i]))
				return true;
		return false;
	case E_COMPOUND_LIT:
		return cfind_init(f, e->u.lit.obj->u.var.init);
	case E_STMT_EXPR:
		return cfind_stmt(f, e->u.stmt);
	case E_VA_ARG:
		return cfind_expr(f, e->u.va.ap);
	default: /* the unary shapes */
		return cfind_expr(f, e->u.bin.a);
	}
}

bool cfind_stmt(struct cfind *f, struct cstmt *s)
{
	if (!s)
		return false;
	if (f->stmt && f->stmt(f, s))
		return true;
	switch (s->kind) {
	case S_COMPOUND:
		for (uint32_t i = 0; i < s->u.block.n; i++)
			if (cfind_stmt(f, s->u.block.items[i]))
				return true;
		return false;
	case S_EXPR:
	case S_RETURN:
		return cfind_expr(f, s->u.expr);
	case S_DECL:
		for (uint32_t i = 0; i < s->u.decl.n; i++)
			if (s->u.decl.decls[i]->kind == CD_VAR &&
			    cfind_init(f, s->u.decl.decls[i]->u.var.init))
				return true;
		return false;
	case S_IF:
		return cfind_expr(f, s->u.if_.cond) || cfind_stmt(f, s->u.if_.then) ||
		       cfind_stmt(f, s->u.if_.els);
	case S_WHILE:
	case S_DO:
	case S_FOR:
		return cfind_stmt(f, s->u.loop.init) || cfind_expr(f, s->u.loop.cond) ||
		       cfind_expr(f, s->u.loop.step) || cfind_stmt(f, s->u.loop.body);
	case S_SWITCH:
		return cfind_expr(f, s->u.sw.cond) || cfind_stmt(f, s->u.sw.body);
	case S_CASE:
	case S_DEFAULT:
		return cfind_stmt(f, s->u.case_.body);
	case S_LABEL:
		return cfind_stmt(f, s->u.label.body);
	case S_ASM:
		return true; /* what its operands do is not known: anything */
	default:
		return false;
	}
}
