/* Builtin functions (builtins.def): lookup by name, declarations made on
 * first use, and type checking of calls — by the table's signature, and by
 * custom rules for clang's BPF CO-RE builtins, the __sync/__atomic
 * families and the generic ones.  Calls become E_BUILTIN nodes. */
#include "frontend/c/cparse_internal.h"

#include <string.h>

enum bcheck {
	BC_NONE,
	BC_PAI,
	BC_FIELD_INFO,
	BC_TYPE_INFO,
	BC_ENUM_VALUE,
	BC_BTF_TYPE_ID,
	BC_CONSTANT_P,
	BC_CLASSIFY,
	BC_CONST_ARG0,
	BC_CONST_ARG1,
	BC_CONST_ARG2,
	BC_SAME,
	BC_ANNOTATION,
	BC_ADDRESSOF,
	BC_DUMP_STRUCT,
	BC_ALIGN,
	BC_SAME_ARITH,
	BC_OVERFLOW,
	BC_FLOAT_CLASS,
	BC_VA_START,
	BC_SYNC,
	BC_ATOMIC,
	BC_ATOMIC_ARITH,
	BC_C11,
	BC_NONTEMPORAL_STORE,
	BC_LIBRARY,
	BC_UNSUPPORTED,
};

static const struct {
	const char *name;
	const char *sig;
	enum bcheck check;
} builtins[CB_COUNT] = {
	[CB_NONE] = { "", "", BC_NONE },
#define BUILTIN(id, name, sig, check) [CB_##id] = { name, sig, BC_##check },
#include "frontend/c/builtins.def"
#undef BUILTIN
};

const char *cbuiltin_name(enum cbuiltin b)
{
	return b < CB_COUNT ? builtins[b].name : "?";
}

enum cbuiltin cs_builtin_lookup(const struct pp_ident *id)
{
	const char *n = id->name;
	if (n[0] != '_' && strcmp(n, "memcpy") && strcmp(n, "memset"))
		return CB_NONE;
	for (int i = 1; i < CB_COUNT; i++)
		if (!strcmp(builtins[i].name, n))
			return (enum cbuiltin)i;
	return CB_NONE;
}

/* ---- signatures ---- */

static struct ctype *sig_type(struct cparser *p, char c)
{
	struct ctu *tu = p->tu;
	switch (c) {
	case 'v': return tu->ty[TY_VOID];
	case 'b': return tu->ty[TY_BOOL];
	case 'c': return tu->ty[TY_CHAR];
	case 'C': return tu->ty[TY_UCHAR];
	case 'h': return tu->ty[TY_USHORT];
	case 'i': return tu->ty[TY_INT];
	case 'u': return tu->ty[TY_UINT];
	case 'l': return tu->ty[TY_LONG];
	case 'm': return tu->ty[TY_ULONG];
	case 'x': return tu->ty[TY_LLONG];
	case 'y': return tu->ty[TY_ULLONG];
	case 'z': return tu->size_type;
	case 'f': return tu->ty[TY_FLOAT];
	case 'd': return tu->ty[TY_DOUBLE];
	case 'p': return ctype_ptr(tu, tu->ty[TY_VOID]);
	case 'P': return ctype_ptr(tu, ctype_qual(tu, tu->ty[TY_VOID], CQ_CONST));
	case 's': return ctype_ptr(tu, ctype_qual(tu, tu->ty[TY_CHAR], CQ_CONST));
	case 'S': return ctype_ptr(tu, tu->ty[TY_CHAR]);
	case 'I': return ctype_ptr(tu, tu->ty[TY_INT]);
	case 'J': return ctype_ptr(tu, tu->ty[TY_UINT]);
	case 'V': return tu->va_list_type;
	case 'o': return tu->ty[TY_INT];
	default: return NULL;
	}
}

/* The function type of a non-generic signature ("p:pPz"), NULL otherwise. */
static struct ctype *sig_func(struct cparser *p, const char *sig)
{
	if (!sig[0] || !sig[1] || sig[1] != ':')
		return NULL;
	struct ctype *ret = sig_type(p, sig[0]);
	if (!ret)
		return NULL;
	VEC(struct cparam) ps = { 0 };
	uint8_t flags = 0;
	for (const char *s = sig + 2; *s; s++) {
		if (*s == '.') {
			flags |= CTF_VARIADIC;
			break;
		}
		struct ctype *t = sig_type(p, *s);
		if (!t) {
			vec_free(&ps);
			return NULL;
		}
		struct cparam prm = { NULL, t, { 0 } };
		vec_push(&ps, prm);
	}
	struct ctype *ft = ctype_func(p->tu, ret, cp_dup(p, ps.data, ps.len * sizeof(*ps.data)),
				      ps.len, flags);
	vec_free(&ps);
	return ft;
}

struct cdecl *cs_builtin_decl(struct cparser *p, enum cbuiltin b, struct pp_ident *id)
{
	struct ctype *ft = sig_func(p, builtins[b].sig);
	if (!ft) /* generic: checked per call */
		ft = ctype_func(p->tu, p->tu->ty[TY_INT], NULL, 0, CTF_NOPROTO | CTF_VARIADIC);
	struct cscope *saved = p->scope;
	p->scope = &p->file_scope;
	struct cdecl *d = cs_new_decl(p, CD_FUNC, id, (struct srcloc){ 0 }, ft);
	p->scope = saved;
	d->linkage = CL_EXTERNAL;
	d->flags |= CDF_BUILTIN;
	d->builtin = (uint16_t)b;
	if (builtins[b].check == BC_LIBRARY)
		return d; /* bound by the caller as an implicit declaration */
	cp_bind_file_scope(p, id, d);
	return d;
}

/* ---- checks ---- */

static struct cexpr *node(struct cparser *p, enum cbuiltin b, struct ctype *t, struct cexpr **args,
			  uint32_t n, struct srcloc loc)
{
	struct cexpr *e = cs_new_expr(p, E_BUILTIN, t, loc);
	e->u.bi.id = (uint16_t)b;
	e->u.bi.args = cp_dup(p, args, n * sizeof(*args));
	e->u.bi.nargs = n;
	return e;
}

static bool arg_count(struct cparser *p, enum cbuiltin b, uint32_t n, uint32_t want, bool at_least,
		      struct srcloc loc)
{
	if (n == want || (at_least && n > want))
		return true;
	cp_error(p, loc, "too %s arguments to function call, expected %s%u, have %u",
		 n < want ? "few" : "many", at_least ? "at least " : "", want, n);
	(void)b;
	return false;
}

static bool const_arg(struct cparser *p, enum cbuiltin b, struct cexpr *e, uint32_t i)
{
	int64_t v;
	if (e->type->kind == TY_ERROR)
		return false;
	if (!ctype_is_integer(e->type) || !ceval_int(e, &v)) {
		cp_error(p, e->loc, "argument to '%s' must be a constant integer", builtins[b].name);
		return false;
	}
	(void)i;
	return true;
}

static const struct cexpr *strip_parens(const struct cexpr *e)
{
	return e;
}

/* `*(enum T *)VALUE`: the enumerator operand of __builtin_preserve_enum_value. */
static bool enum_value_arg(const struct cexpr *e)
{
	if (e->op != E_DEREF)
		return false;
	e = e->u.bin.a;
	if ((e->op != E_CAST && e->op != E_CONV) || e->type->kind != TY_PTR ||
	    e->type->u.pointee->kind != TY_ENUM)
		return false;
	e = e->u.bin.a;
	while (e->op == E_CONV || e->op == E_CAST)
		e = e->u.bin.a;
	return e->op == E_DECL && e->u.decl->kind == CD_ENUMCONST;
}

static void mark_preserve(struct cexpr *e)
{
	for (int guard = 0; e && guard < 10000; guard++) {
		e->flags |= EF_PRESERVE;
		switch (e->op) {
		case E_MEMBER:
			e = e->u.m.base;
			break;
		case E_INDEX:
			mark_preserve(e->u.bin.b);
			e = e->u.bin.a;
			break;
		case E_ADDR:
		case E_DEREF:
		case E_CONV:
		case E_CAST:
			e = e->u.bin.a;
			break;
		default:
			return;
		}
	}
}

static struct cexpr *check_generic(struct cparser *p, enum cbuiltin b, struct cexpr **args,
				   uint32_t n, struct srcloc loc)
{
	const char *sig = builtins[b].sig;
	enum bcheck chk = builtins[b].check;
	uint32_t want = 0;
	bool variadic = false;
	for (const char *s = sig + 2; *s; s++)
		if (*s == '.')
			variadic = true;
		else
			want++;
	if (!arg_count(p, b, n, want, variadic, loc))
		return cs_error_expr(p, loc);
	struct ctype *ptr_t = NULL, *T = NULL;
	uint32_t i = 0;
	for (const char *s = sig + 2; *s && *s != '.'; s++, i++) {
		if (*s != '*')
			continue;
		args[i] = cs_rvalue(p, args[i]);
		struct ctype *pt = args[i]->type;
		if (pt->kind == TY_ERROR)
			return cs_error_expr(p, loc);
		if (pt->kind != TY_PTR) {
			cp_error(p, args[i]->loc, "address argument to atomic builtin must be a pointer "
						  "(%s invalid)",
				 cp_type(p, pt));
			return cs_error_expr(p, loc);
		}
		struct ctype *vt = pt->u.pointee;
		if (chk == BC_C11) {
			if (!(vt->quals & CQ_ATOMIC)) {
				cp_error(p, args[i]->loc, "address argument to atomic operation must "
							  "be a pointer to _Atomic type (%s invalid)",
					 cp_type(p, pt));
				return cs_error_expr(p, loc);
			}
		} else if ((chk == BC_SYNC || chk == BC_ATOMIC_ARITH) &&
			   !ctype_is_integer(vt) && vt->kind != TY_PTR) {
			cp_error(p, args[i]->loc, "address argument to atomic builtin must be a "
						  "pointer to integer or pointer (%s invalid)",
				 cp_type(p, pt));
			return cs_error_expr(p, loc);
		} else if (chk == BC_ATOMIC && !ctype_is_complete(vt)) {
			cp_error(p, args[i]->loc, "address argument to atomic builtin must be a "
						  "pointer to a complete type (%s invalid)",
				 cp_type(p, pt));
			return cs_error_expr(p, loc);
		}
		if ((vt->quals & CQ_CONST) && b != CB_ATOMIC_LOAD_N && b != CB_ATOMIC_LOAD &&
		    b != CB_C11_ATOMIC_LOAD && b != CB_NONTEMPORAL_LOAD) {
			cp_error(p, args[i]->loc, "address argument to atomic builtin cannot be "
						  "const-qualified (%s invalid)",
				 cp_type(p, pt));
			return cs_error_expr(p, loc);
		}
		if (chk == BC_SYNC || chk == BC_ATOMIC_ARITH || chk == BC_ATOMIC) {
			uint64_t sz = ctype_size(vt);
			if (chk != BC_ATOMIC && sz != 1 && sz != 2 && sz != 4 && sz != 8) {
				cp_error(p, args[i]->loc, "address argument to atomic builtin must be a "
							  "pointer to 1,2,4,8 or 16 byte type (%s invalid)",
					 cp_type(p, pt));
				return cs_error_expr(p, loc);
			}
		}
		ptr_t = pt;
		T = ctype_qual(p->tu, ctype_unqual(vt), 0);
		if (T->quals & CQ_ATOMIC)
			T = ctype_unqual(T);
		break;
	}
	i = 0;
	for (const char *s = sig + 2; i < n; i++) {
		char c = *s && *s != '.' ? *s++ : '.';
		struct ctype *pt;
		switch (c) {
		case '*':
			continue;
		case 'T':
			pt = T;
			break;
		case '&':
			pt = ctype_ptr(p->tu, T);
			break;
		case '.':
			args[i] = cs_promote(p, args[i]);
			if (chk == BC_SYNC && T && ctype_is_arith(args[i]->type))
				args[i] = cs_convert_to(p, args[i], T);
			continue;
		default:
			pt = sig_type(p, c);
			break;
		}
		if (!pt)
			pt = p->tu->error_type;
		args[i] = cs_assign_conv(p, args[i], pt, CV_ARG, args[i]->loc);
	}
	struct ctype *rt = sig[0] == 'T' ? T : sig_type(p, sig[0]);
	(void)ptr_t;
	return node(p, b, rt ? rt : p->tu->error_type, args, n, loc);
}

struct cexpr *cs_builtin_call(struct cparser *p, enum cbuiltin b, struct cexpr **args, uint32_t n,
			      struct srcloc loc)
{
	const char *name = builtins[b].name;
	for (uint32_t i = 0; i < n; i++)
		if (args[i]->type->kind == TY_ERROR)
			return cs_error_expr(p, loc);
	switch (builtins[b].check) {
	case BC_UNSUPPORTED:
		cp_error(p, loc, "builtin '%s' is not supported for the BPF target", name);
		return cs_error_expr(p, loc);
	case BC_PAI: {
		if (!arg_count(p, b, n, 1, false, loc))
			return cs_error_expr(p, loc);
		struct cexpr *a = args[0];
		mark_preserve(a);
		struct ctype *t = a->type;
		if (t->kind != TY_ARRAY && t->kind != TY_FUNC)
			a = cs_rvalue(p, a);
		struct cexpr *e = node(p, b, t->kind == TY_ARRAY ? t : a->type, &a, 1, loc);
		e->flags |= EF_PRESERVE;
		return e;
	}
	case BC_FIELD_INFO: {
		if (!arg_count(p, b, n, 2, false, loc))
			return cs_error_expr(p, loc);
		const struct cexpr *f = strip_parens(args[0]);
		if (f->op != E_MEMBER && f->op != E_INDEX) {
			cp_error(p, args[0]->loc, "__builtin_preserve_field_info argument 1 not a field "
						  "access");
			return cs_error_expr(p, loc);
		}
		int64_t v;
		if (!ctype_is_integer(args[1]->type) || !ceval_int(args[1], &v)) {
			cp_error(p, args[1]->loc, "__builtin_preserve_field_info argument 2 not a "
						  "constant");
			return cs_error_expr(p, loc);
		}
		mark_preserve(args[0]);
		return node(p, b, p->tu->ty[TY_UINT], args, n, loc);
	}
	case BC_BTF_TYPE_ID:
	case BC_TYPE_INFO:
	case BC_ENUM_VALUE: {
		if (!arg_count(p, b, n, 2, false, loc))
			return cs_error_expr(p, loc);
		int64_t v;
		if (!ctype_is_integer(args[1]->type) || !ceval_int(args[1], &v)) {
			cp_error(p, args[1]->loc, "%s argument 2 not a constant", name);
			return cs_error_expr(p, loc);
		}
		if (builtins[b].check == BC_ENUM_VALUE && !enum_value_arg(args[0])) {
			cp_error(p, args[0]->loc, "__builtin_preserve_enum_value argument 1 invalid");
			return cs_error_expr(p, loc);
		}
		if (builtins[b].check == BC_TYPE_INFO) {
			struct ctype *t = args[0]->type;
			bool named = t->sugar == CS_TYPEDEF ||
				     (ctype_is_record(t) && t->u.rec->tag) ||
				     (t->kind == TY_ENUM && t->u.en->tag);
			if (!named) {
				cp_error(p, args[0]->loc, "__builtin_preserve_type_info argument 1 "
							  "invalid");
				return cs_error_expr(p, loc);
			}
		}
		struct cexpr *e = node(p, b, sig_type(p, builtins[b].sig[0]), args, n, loc);
		e->u.bi.targ = args[0]->type;
		return e;
	}
	case BC_CONSTANT_P: {
		if (!arg_count(p, b, n, 1, false, loc))
			return cs_error_expr(p, loc);
		int64_t v;
		struct cconst cc;
		if ((ctype_is_integer(args[0]->type) && ceval_int(args[0], &v)) ||
		    (args[0]->op == E_CONV && args[0]->ck == CK_ARRAY_DECAY &&
		     args[0]->u.bin.a->op == E_STRING) ||
		    (ctype_is_floating(args[0]->type) && ceval_const(args[0], &cc) &&
		     cc.kind == CC_FLOAT))
			return cs_int(p, 1, p->tu->ty[TY_INT], loc);
		return node(p, b, p->tu->ty[TY_INT], args, n, loc);
	}
	case BC_CLASSIFY: {
		if (!arg_count(p, b, n, 1, false, loc))
			return cs_error_expr(p, loc);
		struct ctype *t = cs_rvalue(p, args[0])->type;
		int cls = t->kind == TY_VOID		  ? 0
			  : t->kind == TY_BOOL		  ? 4
			  : t->kind == TY_ENUM		  ? 3
			  : ctype_is_integer(t)		  ? 1
			  : t->kind == TY_PTR		  ? 5
			  : ctype_is_floating(t)	  ? 8
			  : t->kind == TY_STRUCT	  ? 12
			  : t->kind == TY_UNION		  ? 13
						      : -1;
		return cs_int(p, (uint64_t)(int64_t)cls, p->tu->ty[TY_INT], loc);
	}
	case BC_SAME:
	case BC_SAME_ARITH: {
		if (!arg_count(p, b, n, 1, false, loc))
			return cs_error_expr(p, loc);
		args[0] = cs_rvalue(p, args[0]);
		if (builtins[b].check == BC_SAME_ARITH && !ctype_is_arith(args[0]->type)) {
			cp_error(p, args[0]->loc, "1st argument must be a vector, integer or floating "
						  "point type (was %s)",
				 cp_type(p, args[0]->type));
			return cs_error_expr(p, loc);
		}
		return node(p, b, args[0]->type, args, n, loc);
	}
	case BC_ANNOTATION:
		if (!arg_count(p, b, n, 2, false, loc))
			return cs_error_expr(p, loc);
		args[0] = cs_rvalue(p, args[0]);
		if (!ctype_is_integer(args[0]->type) || args[1]->op != E_STRING) {
			cp_error(p, loc, "first argument to __builtin_annotation must be an integer "
					 "and second a string literal");
			return cs_error_expr(p, loc);
		}
		return node(p, b, args[0]->type, args, n, loc);
	case BC_ADDRESSOF: {
		if (!arg_count(p, b, n, 1, false, loc))
			return cs_error_expr(p, loc);
		struct cexpr *a = cs_unary(p, E_ADDR, args[0], loc);
		if (a->type->kind == TY_ERROR)
			return a;
		args[0] = a->u.bin.a;
		return node(p, b, a->type, args, n, loc);
	}
	case BC_DUMP_STRUCT:
		if (!arg_count(p, b, n, 2, true, loc))
			return cs_error_expr(p, loc);
		args[0] = cs_rvalue(p, args[0]);
		if (args[0]->type->kind != TY_PTR || !ctype_is_record(args[0]->type->u.pointee)) {
			cp_error(p, args[0]->loc, "expected pointer to struct as 1st argument to "
						  "__builtin_dump_struct, found %s",
				 cp_type(p, args[0]->type));
			return cs_error_expr(p, loc);
		}
		for (uint32_t i = 1; i < n; i++)
			args[i] = cs_rvalue(p, args[i]);
		return node(p, b, p->tu->ty[TY_VOID], args, n, loc);
	case BC_ALIGN: {
		if (!arg_count(p, b, n, 2, false, loc))
			return cs_error_expr(p, loc);
		args[0] = cs_rvalue(p, args[0]);
		if (!ctype_is_integer(args[0]->type) && args[0]->type->kind != TY_PTR) {
			cp_error(p, args[0]->loc, "operand of type %s where arithmetic or pointer type "
						  "is required",
				 cp_type(p, args[0]->type));
			return cs_error_expr(p, loc);
		}
		args[1] = cs_assign_conv(p, args[1], p->tu->size_type, CV_ARG, args[1]->loc);
		struct ctype *rt = b == CB_IS_ALIGNED ? p->tu->ty[TY_BOOL] : args[0]->type;
		return node(p, b, rt, args, n, loc);
	}
	case BC_OVERFLOW: {
		if (!arg_count(p, b, n, 3, false, loc))
			return cs_error_expr(p, loc);
		for (uint32_t i = 0; i < 3; i++)
			args[i] = cs_rvalue(p, args[i]);
		for (uint32_t i = 0; i < 2; i++)
			if (!ctype_is_integer(args[i]->type)) {
				cp_error(p, args[i]->loc, "operand argument to overflow builtin must be "
							  "an integer (%s invalid)",
					 cp_type(p, args[i]->type));
				return cs_error_expr(p, loc);
			}
		struct ctype *rt = args[2]->type;
		if (rt->kind != TY_PTR || !ctype_is_integer(rt->u.pointee) ||
		    (rt->u.pointee->quals & CQ_CONST) || rt->u.pointee->kind == TY_BOOL ||
		    rt->u.pointee->kind == TY_ENUM) {
			cp_error(p, args[2]->loc, "result argument to overflow builtin must be a "
						  "pointer to a non-const integer (%s invalid)",
				 cp_type(p, rt));
			return cs_error_expr(p, loc);
		}
		return node(p, b, p->tu->ty[TY_BOOL], args, n, loc);
	}
	case BC_FLOAT_CLASS:
		if (!arg_count(p, b, n, 1, false, loc))
			return cs_error_expr(p, loc);
		args[0] = cs_rvalue(p, args[0]);
		if (!ctype_is_floating(args[0]->type)) {
			cp_error(p, args[0]->loc, "floating point classification requires argument of "
						  "floating point type (passed in %s)",
				 cp_type(p, args[0]->type));
			return cs_error_expr(p, loc);
		}
		return node(p, b, p->tu->ty[TY_INT], args, n, loc);
	case BC_VA_START:
		if (!arg_count(p, b, n, 1, true, loc))
			return cs_error_expr(p, loc);
		if (!p->func || !(p->func->type->flags & CTF_VARIADIC)) {
			cp_error(p, loc, "'va_start' used in function with fixed args");
			return cs_error_expr(p, loc);
		}
		if (!cs_is_lvalue(args[0])) {
			cp_error(p, args[0]->loc, "first argument to 'va_start' must be a va_list");
			return cs_error_expr(p, loc);
		}
		for (uint32_t i = 1; i < n; i++)
			args[i] = cs_rvalue(p, args[i]);
		return node(p, b, p->tu->ty[TY_VOID], args, n, loc);
	case BC_NONTEMPORAL_STORE: {
		if (!arg_count(p, b, n, 2, false, loc))
			return cs_error_expr(p, loc);
		args[1] = cs_rvalue(p, args[1]);
		if (args[1]->type->kind != TY_PTR) {
			cp_error(p, args[1]->loc, "address argument to nontemporal builtin must be a "
						  "pointer (%s invalid)",
				 cp_type(p, args[1]->type));
			return cs_error_expr(p, loc);
		}
		args[0] = cs_assign_conv(p, args[0], ctype_unqual(args[1]->type->u.pointee), CV_ARG,
					 args[0]->loc);
		return node(p, b, p->tu->ty[TY_VOID], args, n, loc);
	}
	case BC_SYNC:
	case BC_ATOMIC:
	case BC_ATOMIC_ARITH:
	case BC_C11:
		return check_generic(p, b, args, n, loc);
	default:
		break;
	}
	/* plain signatures */
	struct ctype *ft = sig_func(p, builtins[b].sig);
	if (!ft) {
		cp_error(p, loc, "builtin '%s' is not supported for the BPF target", name);
		return cs_error_expr(p, loc);
	}
	const struct cfunc *f = ft->u.fn;
	bool variadic = ft->flags & CTF_VARIADIC;
	if (!arg_count(p, b, n, f->nparams, variadic, loc))
		return cs_error_expr(p, loc);
	for (uint32_t i = 0; i < n; i++) {
		if (i < f->nparams)
			args[i] = cs_assign_conv(p, args[i], f->params[i].type, CV_ARG, args[i]->loc);
		else
			args[i] = cs_promote(p, args[i]);
	}
	enum bcheck chk = builtins[b].check;
	if (chk == BC_CONST_ARG0 || chk == BC_CONST_ARG1 || chk == BC_CONST_ARG2) {
		uint32_t i = chk == BC_CONST_ARG0 ? 0 : chk == BC_CONST_ARG1 ? 1 : 2;
		if (i < n && !const_arg(p, b, args[i], i))
			return cs_error_expr(p, loc);
		int64_t v;
		if ((b == CB_OBJECT_SIZE || b == CB_DYNAMIC_OBJECT_SIZE) && ceval_int(args[1], &v) &&
		    (v < 0 || v > 3)) {
			cp_error(p, args[1]->loc, "argument value %lld is outside the valid range "
						  "[0, 3]",
				 (long long)v);
			return cs_error_expr(p, loc);
		}
	}
	struct cexpr *e = node(p, b, f->ret, args, n, loc);
	if (b == CB_LINE)
		return cs_int(p, loc.line, p->tu->ty[TY_UINT], loc);
	if (b == CB_COLUMN)
		return cs_int(p, loc.col, p->tu->ty[TY_UINT], loc);
	return e;
}
