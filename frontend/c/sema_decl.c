/* Declarations' meaning: one entity per file-scope name (redeclarations are
 * merged into it: composite type, linkage, attributes, definition), the
 * conflicts clang reports, block-scope externs and statics, function
 * definitions with their parameters and labels, and the end-of-unit checks. */
#include "frontend/c/cparse_internal.h"

#include <string.h>

struct cdecl *cs_new_decl(struct cparser *p, enum cdecl_kind k, struct pp_ident *name,
			  struct srcloc loc, struct ctype *type)
{
	struct cdecl *d = CP_NEW(p, struct cdecl);
	d->kind = (uint8_t)k;
	d->name = name;
	d->loc = d->def_loc = loc;
	d->type = type;
	if (p->scope->depth == 0)
		d->flags |= CDF_FILE_SCOPE;
	return d;
}

static const char *kind_of(const struct cdecl *d)
{
	return d->kind == CD_FUNC ? "function" : d->kind == CD_TYPEDEF ? "typedef" : "variable";
}

static void note_previous(struct cparser *p, const struct cdecl *prev, bool definition)
{
	if (prev->flags & (CDF_FROM_BTF | CDF_IMPLICIT | CDF_BUILTIN)) {
		if (prev->flags & CDF_IMPLICIT)
			cp_note(p, prev->loc, "previous implicit declaration is here");
		return;
	}
	/* typedefs and initialised variables are definitions to clang */
	if (prev->kind == CD_TYPEDEF || prev->kind == CD_ENUMCONST ||
	    (prev->kind == CD_VAR && (prev->flags & CDF_DEFINED)))
		definition = true;
	cp_note(p, definition ? prev->def_loc : prev->loc, "previous %s is here",
		definition ? "definition" : "declaration");
}

/* The composite of two compatible types (C11 6.2.7p3), as far as it matters:
 * array sizes and prototypes are taken from whichever has them. */
static struct ctype *composite(struct cparser *p, struct ctype *old, struct ctype *new)
{
	(void)p;
	if (old->kind == TY_ARRAY && new->kind == TY_ARRAY) {
		if ((old->flags & CTF_INCOMPLETE) && !(new->flags & CTF_INCOMPLETE))
			return new;
		return old;
	}
	if (old->kind == TY_FUNC && new->kind == TY_FUNC) {
		if ((old->flags & CTF_NOPROTO) && !(new->flags & CTF_NOPROTO))
			return new;
		return old;
	}
	return old;
}

/* The file-scope entity `name` denotes from a block-scope extern. */
static struct cdecl *file_scope_entity(struct pp_ident *name)
{
	for (struct cbinding *b = name->bind_ord; b; b = b->shadow)
		if (b->depth == 0)
			return b->decl;
	return NULL;
}

static void apply_attrs(struct cparser *p, struct cdecl *d, struct declspec *ds,
			struct declarator *dr, uint32_t where)
{
	struct cattr *prag = NULL;
	cp_apply_pragma_attrs(p, where, &prag);
	cp_apply_decl_attrs(p, d, ds->attrs, where);
	cp_apply_decl_attrs(p, d, dr->attrs, where);
	cp_apply_decl_attrs(p, d, prag, where);
	if (dr->asm_label)
		cp_decl_attrs(p, d)->asm_label = dr->asm_label;
	if (ds->align) {
		struct cattrs *a = cp_decl_attrs(p, d);
		if (ds->align > a->align)
			a->align = ds->align;
	}
	if (d->attrs && (d->attrs->flags & CA_NORETURN))
		d->flags |= CDF_NORETURN;
}

static struct cdecl *declare_typedef(struct cparser *p, struct declspec *ds, struct declarator *d,
				     struct ctype *type)
{
	struct cbinding *b = d->name->bind_ord;
	if (b && b->depth == p->scope->depth && b->decl) {
		struct cdecl *prev = b->decl;
		if (prev->kind != CD_TYPEDEF) {
			cp_error(p, d->loc, "redefinition of '%s' as different kind of symbol",
				 d->name->name);
			note_previous(p, prev, false);
			return NULL;
		}
		if (prev->type->canon != type->canon && !ctype_compatible(prev->type, type, false)) {
			cp_error(p, d->loc, "typedef redefinition with different types (%s vs %s)",
				 cp_type(p, type), cp_type(p, prev->type));
			note_previous(p, prev, false);
			return NULL;
		}
		return prev;
	}
	if (ds->is_inline)
		cp_error(p, ds->loc, "'inline' can only appear on functions");
	struct cdecl *td = cs_new_decl(p, CD_TYPEDEF, d->name, d->loc, type);
	td->storage = CSC_TYPEDEF;
	if (ctype_is_record(type) && type->sugar == CS_NONE && !type->quals &&
	    !type->u.rec->tag && !type->u.rec->typedef_name)
		type->u.rec->typedef_name = td; /* clang names the record after it */
	apply_attrs(p, td, ds, d, AW_TYPEDEF);
	cp_bind(p, d->name, td);
	return td;
}

static struct cdecl *declare_function(struct cparser *p, struct declspec *ds,
				      struct declarator *d, struct ctype *type, bool is_def)
{
	bool block = p->scope->depth > 0;
	if (ds->storage == CSC_AUTO || ds->storage == CSC_REGISTER) {
		cp_error(p, ds->loc, "illegal storage class on function");
		ds->storage = 0;
	}
	if (block && ds->storage == CSC_STATIC) {
		cp_error(p, ds->loc, "function declared in block scope cannot have 'static' storage "
				     "class");
		ds->storage = 0;
	}
	struct cbinding *b = d->name->bind_ord;
	struct cdecl *prev = NULL;
	if (b && b->depth == p->scope->depth)
		prev = b->decl;
	else if (block)
		prev = file_scope_entity(d->name);
	if (prev && prev->kind != CD_FUNC) {
		if (b && b->depth == p->scope->depth) {
			cp_error(p, d->loc, "redefinition of '%s' as different kind of symbol",
				 d->name->name);
			note_previous(p, prev, false);
			return NULL;
		}
		prev = NULL;
	}
	if (prev) {
		if (!ctype_compatible(prev->type, type, false)) {
			cp_error(p, d->loc, "conflicting types for '%s'", d->name->name);
			note_previous(p, prev, false);
		} else {
			prev->type = is_def ? type : composite(p, prev->type, type);
		}
		if (ds->storage == CSC_STATIC && prev->linkage == CL_EXTERNAL &&
		    !(prev->flags & CDF_IMPLICIT)) {
			cp_error(p, d->loc, "static declaration of '%s' follows non-static declaration",
				 d->name->name);
			note_previous(p, prev, false);
		}
		if (is_def && (prev->flags & CDF_DEFINED)) {
			cp_error(p, d->loc, "redefinition of '%s'", d->name->name);
			note_previous(p, prev, true);
		}
		if (prev->flags & CDF_IMPLICIT) {
			prev->flags &= ~CDF_IMPLICIT;
			prev->loc = d->loc;
			if (ds->storage == CSC_STATIC)
				prev->linkage = CL_INTERNAL;
		}
	} else {
		prev = cs_new_decl(p, CD_FUNC, d->name, d->loc, type);
		prev->storage = ds->storage;
		prev->linkage = ds->storage == CSC_STATIC ? CL_INTERNAL : CL_EXTERNAL;
		prev->flags |= CDF_FILE_SCOPE;
		enum cbuiltin bi = cs_builtin_lookup(d->name);
		if (bi != CB_NONE) {
			prev->builtin = (uint16_t)bi;
			prev->flags |= CDF_BUILTIN;
		}
		vec_push(&p->tu->globals, prev);
		if (block)
			cp_bind_file_scope(p, d->name, prev);
	}
	cp_bind(p, d->name, prev);
	if (ds->is_inline)
		prev->flags |= CDF_INLINE;
	if (ds->is_noreturn)
		prev->flags |= CDF_NORETURN;
	if (ds->thread_local)
		cp_error(p, ds->loc, "'_Thread_local' is only allowed on variable declarations");
	apply_attrs(p, prev, ds, d, AW_FUNC);
	if (is_def)
		prev->def_loc = d->loc;
	return prev;
}

static struct cdecl *declare_var(struct cparser *p, struct declspec *ds, struct declarator *d,
				 struct ctype *type, bool has_init)
{
	bool block = p->scope->depth > 0;
	struct cbinding *b = d->name->bind_ord;
	struct cdecl *prev = b && b->depth == p->scope->depth ? b->decl : NULL;
	if (ds->thread_local)
		cp_error(p, ds->loc, "thread-local storage is not supported for the current target");
	if (ds->is_inline)
		cp_error(p, ds->loc, "'inline' can only appear on functions");
	if (!block && (ds->storage == CSC_AUTO || ds->storage == CSC_REGISTER)) {
		cp_error(p, ds->loc, "illegal storage class on file-scoped variable");
		ds->storage = 0;
	}
	if (block && ds->storage == CSC_EXTERN) {
		struct cdecl *ent = prev ? prev : file_scope_entity(d->name);
		if (ent && ent->kind == CD_VAR && ent->linkage != CL_NONE) {
			if (!ctype_compatible(ent->type, type, false)) {
				cp_error(p, d->loc, "redeclaration of '%s' with a different type: %s vs %s",
					 d->name->name, cp_type(p, type), cp_type(p, ent->type));
				note_previous(p, ent, false);
			}
			if (has_init)
				cp_error(p, d->loc, "declaration of block scope identifier with "
						    "linkage cannot have an initializer");
			cp_bind(p, d->name, ent);
			apply_attrs(p, ent, ds, d, AW_VAR);
			return ent;
		}
		if (prev && prev->linkage == CL_NONE) {
			cp_error(p, d->loc, "extern declaration of '%s' follows non-extern declaration",
				 d->name->name);
			note_previous(p, prev, false);
		}
		struct cdecl *v = cs_new_decl(p, CD_VAR, d->name, d->loc, type);
		v->storage = CSC_EXTERN;
		v->linkage = CL_EXTERNAL;
		v->flags |= CDF_FILE_SCOPE;
		vec_push(&p->tu->globals, v);
		cp_bind_file_scope(p, d->name, v);
		cp_bind(p, d->name, v);
		apply_attrs(p, v, ds, d, AW_VAR);
		if (has_init)
			cp_error(p, d->loc, "declaration of block scope identifier with linkage cannot "
					    "have an initializer");
		return v;
	}
	if (block) {
		if (prev) {
			if (prev->kind == CD_VAR && !(prev->flags & CDF_PARAM) && prev->kind == CD_VAR)
				cp_error(p, d->loc, "redefinition of '%s'", d->name->name);
			else if (prev->kind == CD_VAR)
				cp_error(p, d->loc, "redefinition of '%s'", d->name->name);
			else
				cp_error(p, d->loc, "redefinition of '%s' as different kind of symbol",
					 d->name->name);
			note_previous(p, prev, prev->kind == CD_VAR);
		}
		struct cdecl *v = cs_new_decl(p, CD_VAR, d->name, d->loc, type);
		v->storage = ds->storage;
		if (ds->storage == CSC_STATIC) {
			v->flags |= CDF_LOCAL_STATIC;
			v->u.var.func = p->func;
			vec_push(&p->tu->globals, v);
		}
		cp_bind(p, d->name, v);
		apply_attrs(p, v, ds, d, AW_VAR);
		return v;
	}
	/* file scope */
	if (prev && prev->kind != CD_VAR) {
		cp_error(p, d->loc, "redefinition of '%s' as different kind of symbol", d->name->name);
		note_previous(p, prev, false);
		prev = NULL;
		struct cdecl *v = cs_new_decl(p, CD_VAR, d->name, d->loc, type);
		v->storage = ds->storage;
		v->linkage = ds->storage == CSC_STATIC ? CL_INTERNAL : CL_EXTERNAL;
		return v;
	}
	if (prev) {
		if (!ctype_compatible(prev->type, type, false)) {
			cp_error(p, d->loc, "redefinition of '%s' with a different type: %s vs %s",
				 d->name->name, cp_type(p, type), cp_type(p, prev->type));
			note_previous(p, prev, (prev->flags & CDF_DEFINED) != 0);
		} else {
			prev->type = composite(p, prev->type, type);
		}
		if (ds->storage == CSC_STATIC && prev->linkage == CL_EXTERNAL) {
			cp_error(p, d->loc, "static declaration of '%s' follows non-static declaration",
				 d->name->name);
			note_previous(p, prev, false);
		} else if (ds->storage == CSC_NONE && prev->linkage == CL_INTERNAL) {
			cp_error(p, d->loc, "non-static declaration of '%s' follows static declaration",
				 d->name->name);
			note_previous(p, prev, false);
		}
		if (has_init && (prev->flags & CDF_DEFINED)) {
			cp_error(p, d->loc, "redefinition of '%s'", d->name->name);
			note_previous(p, prev, true);
		}
		if (ds->storage != CSC_EXTERN && !has_init && !(prev->flags & CDF_DEFINED))
			prev->flags |= CDF_TENTATIVE;
		if (ds->storage != CSC_EXTERN && prev->storage == CSC_EXTERN)
			prev->storage = ds->storage;
		if (has_init)
			prev->def_loc = d->loc;
		apply_attrs(p, prev, ds, d, AW_VAR);
		return prev;
	}
	struct cdecl *v = cs_new_decl(p, CD_VAR, d->name, d->loc, type);
	v->storage = ds->storage;
	v->linkage = ds->storage == CSC_STATIC ? CL_INTERNAL : CL_EXTERNAL;
	if (ds->storage != CSC_EXTERN && !has_init)
		v->flags |= CDF_TENTATIVE;
	if (ds->storage == CSC_EXTERN && has_init)
		cp_warn(p, CW_EXTERN_INITIALIZER, d->loc, "'extern' variable has an initializer");
	vec_push(&p->tu->globals, v);
	cp_bind(p, d->name, v);
	apply_attrs(p, v, ds, d, AW_VAR);
	return v;
}

struct cdecl *cs_declare(struct cparser *p, struct declspec *ds, struct declarator *d,
			 struct ctype *type, bool is_definition)
{
	if (!d->name)
		return NULL;
	if (p->scope->depth == 0 && p->pending_count)
		cp_pending_name(p, d->name); /* a vmlinux.h enumerator it would redeclare */
	type = cp_apply_type_attrs(p, type, d->attrs, NULL);
	if (ds->storage == CSC_TYPEDEF)
		return declare_typedef(p, ds, d, type);
	if (type->kind == TY_FUNC)
		return declare_function(p, ds, d, type, is_definition);
	return declare_var(p, ds, d, type, is_definition);
}

void cs_finish_var(struct cparser *p, struct cdecl *d)
{
	if (d->kind != CD_VAR)
		return;
	struct ctype *t = d->type;
	if (t->kind == TY_ERROR || ctype_is_complete(t))
		return;
	if (d->storage == CSC_EXTERN && !(d->flags & CDF_DEFINED))
		return;
	if ((d->flags & CDF_TENTATIVE) && (d->flags & CDF_FILE_SCOPE))
		return; /* completed or diagnosed at the end of the unit */
	if (t->kind == TY_ARRAY && (t->flags & CTF_INCOMPLETE)) {
		cp_error(p, d->loc, "definition of variable with array type needs an explicit size or "
				    "an initializer");
		d->type = p->tu->error_type;
		return;
	}
	if (t->kind == TY_ARRAY && (t->flags & CTF_VLA)) {
		if (d->flags & (CDF_FILE_SCOPE | CDF_LOCAL_STATIC))
			cp_error(p, d->loc, "variable length array declaration not allowed at file "
					    "scope");
		return;
	}
	cp_error(p, d->loc, "variable has incomplete type %s", cp_type(p, t));
	cp_note_incomplete(p, t);
	d->type = p->tu->error_type;
}

void cs_define_function(struct cparser *p, struct cdecl *fn, struct declarator *d)
{
	fn->flags |= CDF_DEFINED;
	fn->def_loc = d->loc;
	struct ctype *ret = fn->type->u.fn->ret;
	if (ret->kind != TY_VOID && !ctype_is_complete(ret) && ret->kind != TY_ERROR)
		cp_error(p, d->loc, "incomplete result type %s in function definition",
			 cp_type(p, ret));
	struct cscope fs;
	cp_scope_push(p, &fs);
	p->func = fn;
	p->labels.len = 0;
	struct dchunk *c = d->func;
	fn->u.fn.params = c->param_decls;
	fn->u.fn.nparams = c->nparams;
	for (uint32_t i = 0; i < c->nparams; i++) {
		struct cdecl *pd = c->param_decls[i];
		if (!pd)
			continue;
		if (!ctype_is_complete(pd->type) && pd->type->kind != TY_ERROR) {
			cp_error(p, pd->loc, "variable has incomplete type %s", cp_type(p, pd->type));
			cp_note_incomplete(p, pd->type);
			pd->type = p->tu->error_type;
		}
		pd->flags &= ~CDF_FILE_SCOPE;
		cp_bind(p, pd->name, pd);
	}
	fn->u.fn.body = cp_parse_function_body(p);
	for (uint32_t i = 0; i < p->labels.len; i++) {
		struct clabel *l = p->labels.data[i];
		if (!l->stmt)
			cp_error(p, l->loc, "use of undeclared label '%s'", l->name->name);
	}
	fn->u.fn.labels = cp_dup(p, p->labels.data, p->labels.len * sizeof(*p->labels.data));
	fn->u.fn.nlabels = p->labels.len;
	p->labels.len = 0;
	cp_scope_pop(p);
	p->func = NULL;
}

struct cdecl *cs_implicit_function(struct cparser *p, struct pp_ident *id, struct srcloc loc)
{
	enum cbuiltin bi = cs_builtin_lookup(id);
	struct cdecl *d = NULL;
	if (bi != CB_NONE) {
		d = cs_builtin_decl(p, bi, id);
		if (d && !strncmp(id->name, "__builtin_", 10))
			return d;
		if (d && !strncmp(id->name, "__sync_", 7))
			return d;
		if (d && !strncmp(id->name, "__atomic_", 9))
			return d;
		if (d && !strncmp(id->name, "__c11_", 6))
			return d;
	}
	if (d) {
		cp_warn(p, CW_IMPLICIT_FUNCTION_DECLARATION, loc,
			"call to undeclared library function '%s' with type %s; ISO C99 and later do "
			"not support implicit function declarations",
			id->name, cp_type(p, d->type));
	} else {
		cp_warn(p, CW_IMPLICIT_FUNCTION_DECLARATION, loc,
			"call to undeclared function '%s'; ISO C99 and later do not support implicit "
			"function declarations",
			id->name);
		struct ctype *t = ctype_func(p->tu, p->tu->ty[TY_INT], NULL, 0, CTF_NOPROTO);
		struct cscope *saved = p->scope;
		p->scope = &p->file_scope;
		d = cs_new_decl(p, CD_FUNC, id, loc, t);
		p->scope = saved;
		d->linkage = CL_EXTERNAL;
	}
	d->flags |= CDF_IMPLICIT | CDF_FILE_SCOPE;
	vec_push(&p->tu->globals, d);
	cp_bind_file_scope(p, id, d);
	return d;
}

void cs_end_unit(struct cparser *p)
{
	for (uint32_t i = 0; i < p->tu->globals.len; i++) {
		struct cdecl *d = p->tu->globals.data[i];
		if (d->kind != CD_VAR || !(d->flags & CDF_TENTATIVE) || (d->flags & CDF_DEFINED))
			continue;
		struct ctype *t = d->type;
		if (t->kind == TY_ARRAY && (t->flags & CTF_INCOMPLETE)) {
			cp_warn(p, CW_GNU, d->loc, "tentative array definition assumed to have one "
						   "element");
			d->type = ctype_array(p->tu, t->u.arr.elem, 1, 0);
		} else if (!ctype_is_complete(t) && t->kind != TY_ERROR) {
			cp_error(p, d->loc, "tentative definition has type %s that is never completed",
				 cp_type(p, t));
			cp_note_incomplete(p, t);
		}
	}
	(void)kind_of;
}
