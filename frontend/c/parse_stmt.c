/* Statements: blocks with their scopes, selection and iteration (with the
 * loop pragmas that preceded them), switch with its case table, jumps and
 * labels, GNU asm (BPF pseudo-C templates, asm goto) and statement
 * attributes. */
#include "frontend/c/cparse_internal.h"

#include <inttypes.h>
#include <string.h>

static struct cstmt *new_stmt(struct cparser *p, enum cstmt_kind k, struct srcloc loc)
{
	struct cstmt *s = CP_NEW(p, struct cstmt);
	s->kind = (uint8_t)k;
	s->loc = loc;
	return s;
}

struct clabel *cp_label(struct cparser *p, struct pp_ident *id, struct srcloc loc)
{
	for (uint32_t i = 0; i < p->labels.len; i++)
		if (p->labels.data[i]->name == id)
			return p->labels.data[i];
	struct clabel *l = CP_NEW(p, struct clabel);
	l->name = id;
	l->loc = loc;
	vec_push(&p->labels, l);
	return l;
}

static void expect_semi(struct cparser *p, const char *after)
{
	if (cp_accept(p, T_SEMI))
		return;
	cp_error(p, cp_after_prev(p), "expected ';' after %s", after);
	cp_skip_to(p, true, false);
}

/* ---- asm ---- */

typedef VEC(struct casm_operand) operandvec;

static bool asm_operands(struct cparser *p, bool outputs, operandvec *out)
{
	if (cp_is(p, T_COLON) || cp_is(p, T_RPAREN))
		return true;
	for (;;) {
		struct casm_operand op = { 0 };
		if (cp_accept(p, T_LBRACKET)) {
			if (!cp_is(p, T_IDENT)) {
				cp_error(p, cp_loc(p), "expected identifier");
				return false;
			}
			op.name = p->tok.id->name;
			cp_next(p);
			if (!cp_expect(p, T_RBRACKET, NULL))
				return false;
		}
		struct srcloc cloc = cp_loc(p);
		struct cstring *c = cp_parse_string_lit(p, NULL);
		if (!c)
			return false;
		op.constraint = (const char *)c->bytes;
		if (outputs && op.constraint[0] != '=' && op.constraint[0] != '+')
			cp_error(p, cloc, "invalid output constraint '%s' in asm", op.constraint);
		if (!cp_expect(p, T_LPAREN, NULL))
			return false;
		struct cexpr *e = cp_parse_expr(p);
		if (!cp_expect(p, T_RPAREN, NULL))
			return false;
		if (outputs) {
			if (e->type->kind != TY_ERROR && !cs_is_lvalue(e))
				cp_error(p, e->loc, "invalid lvalue in asm output");
		} else if (e->type->kind != TY_ERROR && !strchr(op.constraint, 'm') &&
			   e->type->kind != TY_ARRAY) {
			e = cs_rvalue(p, e);
		}
		op.expr = e;
		vec_push(out, op);
		if (!cp_accept(p, T_COMMA))
			return true;
	}
}

struct casm *cp_parse_asm(struct cparser *p, bool file_scope)
{
	struct casm *a = CP_NEW(p, struct casm);
	a->loc = cp_loc(p);
	cp_next(p); /* asm */
	for (;;) {
		if (cp_accept(p, T_VOLATILE))
			a->is_volatile = true;
		else if (cp_accept(p, T_INLINE))
			a->is_inline = true;
		else if (cp_accept(p, T_GOTO))
			a->is_goto = true;
		else
			break;
	}
	if (file_scope && (a->is_volatile || a->is_goto || a->is_inline))
		cp_error(p, a->loc, "meaningless '%s' on asm outside function",
			 a->is_volatile ? "volatile" : a->is_goto ? "goto" : "inline");
	if (!cp_expect(p, T_LPAREN, NULL)) {
		cp_skip_to(p, true, false);
		return NULL;
	}
	struct cstring *t = cp_parse_string_lit(p, NULL);
	if (!t) {
		cp_skip_to(p, true, false);
		return NULL;
	}
	a->text = (const char *)t->bytes;
	a->len = t->len ? t->len - 1 : 0;
	operandvec outs = { 0 }, ins = { 0 };
	VEC(const char *) clobbers = { 0 };
	VEC(struct clabel *) labels = { 0 };
	bool ok = true;
	for (int section = 0; ok && section < 4 && cp_is(p, T_COLON); section++) {
		if (file_scope) {
			cp_error(p, cp_loc(p), "expected ')'");
			ok = false;
			break;
		}
		cp_next(p);
		if (section == 0)
			ok = asm_operands(p, true, &outs);
		else if (section == 1)
			ok = asm_operands(p, false, &ins);
		else if (section == 2) {
			while (ok && cp_is(p, T_STRING)) {
				struct cstring *c = cp_parse_string_lit(p, NULL);
				if (!c)
					ok = false;
				else
					vec_push(&clobbers, (const char *)c->bytes);
				if (!cp_accept(p, T_COMMA))
					break;
			}
		} else {
			if (!a->is_goto) {
				cp_error(p, cp_loc(p), "expected ')'");
				ok = false;
				break;
			}
			while (cp_is(p, T_IDENT)) {
				struct clabel *l = cp_label(p, p->tok.id, cp_loc(p));
				l->used = true;
				vec_push(&labels, l);
				cp_next(p);
				if (!cp_accept(p, T_COMMA))
					break;
			}
		}
	}
	if (ok && !cp_accept(p, T_RPAREN)) {
		cp_error(p, cp_loc(p), "expected ')'");
		ok = false;
	}
	if (!ok)
		cp_skip_to(p, true, false);
	else
		expect_semi(p, "asm");
	a->outputs = cp_dup(p, outs.data, outs.len * sizeof(*outs.data));
	a->noutputs = outs.len;
	a->inputs = cp_dup(p, ins.data, ins.len * sizeof(*ins.data));
	a->ninputs = ins.len;
	a->clobbers = cp_dup(p, clobbers.data, clobbers.len * sizeof(*clobbers.data));
	a->nclobbers = clobbers.len;
	a->labels = cp_dup(p, labels.data, labels.len * sizeof(*labels.data));
	a->nlabels = labels.len;
	vec_free(&outs);
	vec_free(&ins);
	vec_free(&clobbers);
	vec_free(&labels);
	return ok ? a : NULL;
}

/* ---- blocks ---- */

static struct cstmt *block_item(struct cparser *p)
{
	if (cp_is(p, T_IDENT) && cp_peek(p, 1)->kind == T_COLON)
		return cp_parse_stmt(p);
	if (cp_is(p, T_ATTRIBUTE)) {
		/* statement attributes (fallthrough) or a declaration's */
		struct srcloc loc = cp_loc(p);
		struct cattr *attrs = NULL;
		cp_parse_attributes(p, &attrs);
		if (cp_accept(p, T_SEMI))
			return new_stmt(p, S_NULL, loc);
		if (!cp_starts_declspec(p))
			return cp_parse_stmt(p);
		/* attributes in front of a declaration: cp_parse_block_decl
		 * reparses specifiers, so prepend them through the pragma-free
		 * path by applying them to every declarator */
		struct cstmt *s = cp_parse_block_decl(p);
		if (s->kind == S_DECL)
			for (uint32_t i = 0; i < s->u.decl.n; i++)
				cp_apply_decl_attrs(p, s->u.decl.decls[i], attrs,
						    s->u.decl.decls[i]->kind == CD_FUNC ? AW_FUNC
						    : s->u.decl.decls[i]->kind == CD_TYPEDEF ? AW_TYPEDEF
											   : AW_VAR);
		return s;
	}
	if (cp_is(p, T_STATIC_ASSERT) || (cp_starts_declspec(p) && !p->have_hint))
		return cp_parse_block_decl(p);
	return cp_parse_stmt(p);
}

static struct cstmt *parse_block(struct cparser *p, bool new_scope)
{
	struct srcloc loc = cp_loc(p);
	struct cstmt *s = new_stmt(p, S_COMPOUND, loc);
	if (!cp_expect(p, T_LBRACE, NULL))
		return s;
	struct cscope sc;
	if (new_scope)
		cp_scope_push(p, &sc);
	VEC(struct cstmt *) items = { 0 };
	while (!cp_is(p, T_RBRACE) && !cp_is(p, T_EOF) && !p->diag->limit_reached) {
		uint64_t before = p->ntok;
		struct cstmt *it = block_item(p);
		if (it)
			vec_push(&items, it);
		if (p->ntok == before)
			cp_next(p); /* recovery always moves on */
	}
	s->u.block.end = cp_loc(p);
	if (!cp_accept(p, T_RBRACE)) {
		/* at the end of the file clang points just past the last token */
		cp_error(p, cp_is(p, T_EOF) ? cp_after_prev(p) : cp_loc(p), "expected '}'");
		cp_note(p, loc, "to match this '{'");
	}
	if (new_scope)
		cp_scope_pop(p);
	s->u.block.items = cp_dup(p, items.data, items.len * sizeof(*items.data));
	s->u.block.n = items.len;
	vec_free(&items);
	return s;
}

struct cstmt *cp_parse_compound(struct cparser *p)
{
	return parse_block(p, true);
}

/* A function's outermost block shares the parameters' scope. */
struct cstmt *cp_parse_function_body(struct cparser *p)
{
	return parse_block(p, false);
}

/* ---- statements ---- */

static struct cexpr *paren_cond(struct cparser *p, const char *what)
{
	struct srcloc loc = cp_loc(p);
	if (!cp_expect(p, T_LPAREN, NULL)) {
		cp_skip_to(p, false, false);
		return cs_error_expr(p, loc);
	}
	struct cexpr *e = cp_parse_expr(p);
	if (!cp_accept(p, T_RPAREN)) {
		cp_error(p, cp_loc(p), "expected ')'");
		cp_note(p, loc, "to match this '('");
		cp_skip_to(p, false, false);
		cp_accept(p, T_RPAREN);
	}
	(void)what;
	return e;
}

static struct cexpr *loop_cond(struct cparser *p, struct cexpr *e)
{
	if (e->type->kind == TY_ERROR)
		return e;
	struct cexpr *c = cs_rvalue(p, e);
	if (!ctype_is_scalar(c->type)) {
		cp_error(p, e->loc, "statement requires expression of scalar type (%s invalid)",
			 cp_type(p, c->type));
		return cs_error_expr(p, e->loc);
	}
	return c;
}

static struct cstmt *parse_if(struct cparser *p, struct srcloc loc)
{
	cp_next(p);
	struct cstmt *s = new_stmt(p, S_IF, loc);
	s->u.if_.cond = loop_cond(p, paren_cond(p, "if"));
	s->u.if_.then = cp_parse_stmt(p);
	if (cp_accept(p, T_ELSE))
		s->u.if_.els = cp_parse_stmt(p);
	return s;
}

static struct cstmt *loop_body(struct cparser *p, struct cstmt *loop)
{
	struct cstmt *ob = p->brk, *oc = p->cont;
	p->brk = p->cont = loop;
	struct cstmt *body = cp_parse_stmt(p);
	p->brk = ob;
	p->cont = oc;
	return body;
}

static struct cstmt *parse_loop(struct cparser *p, struct srcloc loc, const struct cloop_hint *h)
{
	enum tok_kind k = p->tok.kind;
	cp_next(p);
	struct cstmt *s;
	if (k == T_WHILE) {
		s = new_stmt(p, S_WHILE, loc);
		s->u.loop.cond = loop_cond(p, paren_cond(p, "while"));
		s->u.loop.body = loop_body(p, s);
	} else if (k == T_DO) {
		s = new_stmt(p, S_DO, loc);
		s->u.loop.body = loop_body(p, s);
		if (!cp_accept(p, T_WHILE)) {
			cp_error(p, cp_loc(p), "expected 'while' in do/while loop");
			cp_note(p, loc, "to match this 'do'");
			cp_skip_to(p, true, false);
			return s;
		}
		s->u.loop.cond = loop_cond(p, paren_cond(p, "while"));
		expect_semi(p, "do/while statement");
	} else {
		s = new_stmt(p, S_FOR, loc);
		struct cscope sc;
		cp_scope_push(p, &sc);
		struct srcloc ploc = cp_loc(p);
		if (cp_expect(p, T_LPAREN, NULL)) {
			if (cp_accept(p, T_SEMI)) {
			} else if (cp_starts_declspec(p) || cp_is(p, T_STATIC_ASSERT)) {
				s->u.loop.init = cp_parse_block_decl(p);
				if (s->u.loop.init->kind == S_DECL)
					for (uint32_t i = 0; i < s->u.loop.init->u.decl.n; i++) {
						struct cdecl *d = s->u.loop.init->u.decl.decls[i];
						if (d->kind == CD_VAR && (d->storage == CSC_STATIC ||
									  d->storage == CSC_EXTERN))
							cp_error(p, d->loc, "declaration of non-local variable in "
									    "'for' loop");
					}
			} else {
				struct cstmt *init = new_stmt(p, S_EXPR, cp_loc(p));
				init->u.expr = cp_parse_expr(p);
				s->u.loop.init = init;
				expect_semi(p, "for");
			}
			if (!cp_is(p, T_SEMI))
				s->u.loop.cond = loop_cond(p, cp_parse_expr(p));
			if (!cp_accept(p, T_SEMI))
				cp_error(p, cp_after_prev(p), "expected ';' in 'for' statement specifier");
			if (!cp_is(p, T_RPAREN))
				s->u.loop.step = cp_parse_expr(p);
			if (!cp_accept(p, T_RPAREN)) {
				cp_error(p, cp_loc(p), "expected ')'");
				cp_note(p, ploc, "to match this '('");
				cp_skip_to(p, false, false);
				cp_accept(p, T_RPAREN);
			}
		}
		s->u.loop.body = loop_body(p, s);
		cp_scope_pop(p);
	}
	if (h)
		s->u.loop.hint = *h;
	return s;
}

static struct cstmt *parse_switch(struct cparser *p, struct srcloc loc)
{
	cp_next(p);
	struct cstmt *s = new_stmt(p, S_SWITCH, loc);
	struct cexpr *c = paren_cond(p, "switch");
	if (c->type->kind != TY_ERROR) {
		c = cs_promote(p, c);
		if (!ctype_is_integer(c->type)) {
			cp_error(p, loc, "statement requires expression of integer type (%s invalid)",
				 cp_type(p, c->type));
			c = cs_error_expr(p, c->loc);
		}
	}
	s->u.sw.cond = c;
	struct cstmt *osw = p->sw, *ob = p->brk;
	uint32_t base = p->cases.len, obase = p->case_base;
	p->case_base = base;
	p->sw = s;
	p->brk = s;
	s->u.sw.body = cp_parse_stmt(p);
	s->u.sw.cases = p->cases.len > base ? cp_dup(p, p->cases.data + base,
						     (p->cases.len - base) * sizeof(struct cstmt *))
					    : NULL;
	s->u.sw.ncases = p->cases.len - base;
	p->cases.len = base;
	p->case_base = obase;
	p->sw = osw;
	p->brk = ob;
	return s;
}

static int64_t case_value(struct cparser *p, bool *ok)
{
	struct cexpr *e = cp_parse_cond_expr(p);
	*ok = false;
	if (e->type->kind == TY_ERROR)
		return 0;
	int64_t v;
	if (!ctype_is_integer(e->type) || !ceval_int(e, &v)) {
		cp_error(p, e->loc, "expression is not an integer constant expression");
		return 0;
	}
	*ok = true;
	/* convert to the promoted switch type */
	if (p->sw && p->sw->u.sw.cond->type->kind != TY_ERROR) {
		struct ctype *t = p->sw->u.sw.cond->type;
		struct cexpr *c = cs_convert_to(p, cs_int(p, (uint64_t)v, e->type, e->loc), t);
		if (c->op == E_INT)
			v = (int64_t)c->u.ival;
	}
	return v;
}

static struct cstmt *parse_case(struct cparser *p, struct srcloc loc)
{
	bool is_default = cp_is(p, T_DEFAULT);
	cp_next(p);
	struct cstmt *s = new_stmt(p, is_default ? S_DEFAULT : S_CASE, loc);
	bool ok = true;
	if (!is_default) {
		bool ok2 = true;
		s->u.case_.vloc = cp_loc(p);
		s->u.case_.lo = s->u.case_.hi = case_value(p, &ok);
		if (cp_accept(p, T_ELLIPSIS)) {
			s->u.case_.hi = case_value(p, &ok2);
			if (ok && ok2 && s->u.case_.hi < s->u.case_.lo) {
				cp_warn(p, CW_GNU, loc, "empty case range specified");
				ok = false;
			}
		}
		ok = ok && ok2;
	}
	if (!cp_accept(p, T_COLON)) {
		cp_error(p, cp_after_prev(p), "expected ':' after '%s'", is_default ? "default" : "case");
	}
	if (!p->sw) {
		cp_error(p, loc, "'%s' statement not in switch statement",
			 is_default ? "default" : "case");
	} else if (is_default) {
		if (p->sw->u.sw.deflt) {
			/* clang walks the cases from the last: the first is "again" */
			cp_error(p, p->sw->u.sw.deflt->loc, "multiple default labels in one switch");
			cp_note(p, loc, "previous case defined here");
		} else {
			p->sw->u.sw.deflt = s;
		}
		vec_push(&p->cases, s);
	} else if (ok) {
		/* duplicates against this switch's cases */
		for (uint32_t i = p->case_base; i < p->cases.len; i++) {
			struct cstmt *o = p->cases.data[i];
			if (o->kind != S_CASE)
				continue;
			if (s->u.case_.hi < o->u.case_.lo || s->u.case_.lo > o->u.case_.hi)
				continue;
			if (ctype_is_signed(p->sw->u.sw.cond->type))
				cp_error(p, s->u.case_.vloc, "duplicate case value '%" PRId64 "'",
					 s->u.case_.lo);
			else
				cp_error(p, s->u.case_.vloc, "duplicate case value '%" PRIu64 "'",
					 (uint64_t)s->u.case_.lo);
			cp_note(p, o->u.case_.vloc, "previous case defined here");
			break;
		}
		vec_push(&p->cases, s);
	}
	if (cp_is(p, T_RBRACE)) {
		cp_warn(p, CW_GNU, cp_loc(p), "label at end of compound statement is a C23 extension");
		s->u.case_.body = new_stmt(p, S_NULL, cp_loc(p));
	} else {
		s->u.case_.body = cp_parse_stmt(p);
	}
	return s;
}

static struct cstmt *parse_return(struct cparser *p, struct srcloc loc)
{
	cp_next(p);
	struct cstmt *s = new_stmt(p, S_RETURN, loc);
	struct ctype *rt = p->func ? p->func->type->u.fn->ret : p->tu->ty[TY_INT];
	const char *fname = p->func ? p->func->name->name : "";
	if (cp_is(p, T_SEMI)) {
		if (rt->kind != TY_VOID && rt->kind != TY_ERROR && !p->stmt_expr_depth)
			cp_warn(p, CW_RETURN_MISMATCH, loc, "non-void function '%s' should return a value",
				fname);
		cp_next(p);
		return s;
	}
	struct cexpr *e = cp_parse_expr(p);
	if (rt->kind == TY_VOID) {
		if (e->type->kind != TY_VOID && e->type->kind != TY_ERROR)
			cp_warn(p, CW_RETURN_MISMATCH, loc, "void function '%s' should not return a value",
				fname);
		s->u.expr = e->type->kind == TY_VOID ? e : NULL;
	} else {
		s->u.expr = cs_assign_conv(p, e, rt, CV_RETURN, e->loc);
	}
	expect_semi(p, "return statement");
	return s;
}

struct cstmt *cp_parse_stmt(struct cparser *p)
{
	struct srcloc loc = cp_loc(p);
	if (p->have_hint) {
		cp_take_hints(p);
		struct cloop_hint h = p->hint;
		if (cp_is(p, T_FOR) || cp_is(p, T_WHILE) || cp_is(p, T_DO)) {
			/* the body may hold loops with hints of their own */
			struct hint_rec *recs = p->hint_recs.data;
			uint32_t n = p->hint_recs.len;
			p->hint_recs.data = NULL;
			p->hint_recs.len = p->hint_recs.cap = 0;
			struct cstmt *s = parse_loop(p, loc, &h);
			cp_hints_check(p, recs, n);
			free(recs);
			return s;
		}
		cp_error(p, loc, "expected a for, while, or do-while loop to follow '#pragma %s'",
			 p->hint_pragma);
		if (cp_starts_declspec(p))
			return cp_parse_block_decl(p);
	}
	switch (p->tok.kind) {
	case T_LBRACE:
		return parse_block(p, true);
	case T_SEMI:
		cp_next(p);
		return new_stmt(p, S_NULL, loc);
	case T_IF:
		return parse_if(p, loc);
	case T_WHILE:
	case T_DO:
	case T_FOR:
		return parse_loop(p, loc, NULL);
	case T_SWITCH:
		return parse_switch(p, loc);
	case T_CASE:
	case T_DEFAULT:
		return parse_case(p, loc);
	case T_BREAK:
	case T_CONTINUE: {
		bool brk = cp_is(p, T_BREAK);
		cp_next(p);
		struct cstmt *s = new_stmt(p, brk ? S_BREAK : S_CONTINUE, loc);
		s->u.jump.target = brk ? p->brk : p->cont;
		if (!s->u.jump.target)
			cp_error(p, loc, brk ? "'break' statement not in loop or switch statement"
					     : "'continue' statement not in loop statement");
		expect_semi(p, brk ? "break" : "continue");
		return s;
	}
	case T_RETURN:
		return parse_return(p, loc);
	case T_GOTO: {
		cp_next(p);
		struct cstmt *s = new_stmt(p, S_GOTO, loc);
		if (cp_is(p, T_STAR)) {
			cp_error(p, loc, "computed goto (goto *expr) is not supported for the BPF target");
			cp_skip_to(p, true, false);
			return s;
		}
		if (!cp_is(p, T_IDENT)) {
			cp_error(p, cp_loc(p), "expected identifier");
			cp_skip_to(p, true, false);
			return s;
		}
		struct clabel *l = cp_label(p, p->tok.id, cp_loc(p));
		l->used = true;
		s->u.target = l;
		cp_next(p);
		expect_semi(p, "goto");
		return s;
	}
	case T_ASM: {
		struct cstmt *s = new_stmt(p, S_ASM, loc);
		s->u.asm_ = cp_parse_asm(p, false);
		if (!s->u.asm_)
			s->kind = S_NULL;
		return s;
	}
	case T_IDENT:
		if (cp_peek(p, 1)->kind == T_COLON) {
			struct pp_ident *id = p->tok.id;
			cp_next(p);
			cp_next(p);
			struct clabel *l = cp_label(p, id, loc);
			struct cstmt *s = new_stmt(p, S_LABEL, loc);
			if (l->stmt) {
				cp_error(p, loc, "redefinition of label '%s'", id->name);
				cp_note(p, l->stmt->loc, "previous definition is here");
			} else {
				l->stmt = s;
				l->loc = loc;
			}
			s->u.label.label = l;
			if (cp_is(p, T_ATTRIBUTE)) {
				struct cattr *attrs = NULL;
				cp_parse_attributes(p, &attrs);
			}
			if (cp_is(p, T_RBRACE)) {
				cp_warn(p, CW_GNU, cp_loc(p), "label at end of compound statement is a C23 "
							      "extension");
				s->u.label.body = new_stmt(p, S_NULL, cp_loc(p));
			} else if (cp_starts_declspec(p)) {
				cp_warn(p, CW_GNU, cp_loc(p), "label followed by a declaration is a C23 "
							      "extension");
				s->u.label.body = cp_parse_block_decl(p);
			} else {
				s->u.label.body = cp_parse_stmt(p);
			}
			return s;
		}
		break;
	case T_ELSE:
		cp_error(p, loc, "expected expression");
		cp_next(p);
		return new_stmt(p, S_NULL, loc);
	default:
		if (cp_starts_declspec(p) && !cp_is(p, T_EXTENSION)) {
			/* a declaration where a statement is required (if (x) int y;) */
			cp_error(p, loc, "expected expression");
			cp_skip_to(p, true, false);
			return new_stmt(p, S_NULL, loc);
		}
		break;
	}
	struct cstmt *s = new_stmt(p, S_EXPR, loc);
	s->u.expr = cp_parse_expr(p);
	if (!cp_accept(p, T_SEMI)) {
		cp_error(p, cp_after_prev(p), "expected ';' after expression");
		cp_skip_to(p, true, false);
	}
	return s;
}
