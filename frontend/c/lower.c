/* The C lowering's top level: which functions are programs (SEC(), their
 * type from the section name as libbpf reads it), which are subprograms
 * and which are inlined; global data and maps; programs and subprograms
 * lowered one after the other into the module. */
#include "frontend/c/lower_internal.h"
#include "loader/obj.h"

#include <string.h>

void lw_error(struct lower *L, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vreport(L->d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
	L->errors++;
}

void lw_unsupported(struct lower *L, struct srcloc loc, const char *what)
{
	lw_error(L, loc, "%s not supported yet", what);
}

const char *lw_name(const struct cdecl *d)
{
	return d && d->name ? d->name->name : "";
}

/* ---- program types from section names --------------------------------------------- */

static enum ir_progtype by_kernel_id(int id)
{
	for (unsigned i = 1; i < IR_NPROGTYPES; i++)
		if (ir_progtypes[i].kernel_id == id)
			return i;
	return IR_PROG_NONE;
}

enum ir_progtype lw_section_progtype(const char *sec)
{
	const char *extras;
	const struct sec_def *def = obj_sec_def_find(sec, &extras);
	if (!def) /* older loaders matched prefixes: the longest wins */
		def = obj_sec_def_longest_prefix(sec);
	return def ? by_kernel_id((int)def->prog_type) : IR_PROG_NONE;
}

/* The context structs of program types (the kernel recognises a global
 * function's context argument by its struct's name). */
static const char *const ctx_names[] = {
	"__sk_buff",
	"xdp_md",
	"bpf_sock",
	"bpf_sock_addr",
	"bpf_sock_ops",
	"sk_msg_md",
	"pt_regs",
	"bpf_perf_event_data",
	"bpf_raw_tracepoint_args",
	"bpf_cgroup_dev_ctx",
	"bpf_sysctl",
	"bpf_sockopt",
	"sk_reuseport_md",
	"bpf_sk_lookup",
	"bpf_nf_ctx",
};

bool lw_is_ctx_pointer(struct ctype *t)
{
	if (t->kind != TY_PTR)
		return false;
	struct ctype *p = t->u.pointee;
	while (p->sugar != CS_NONE || (p->quals && p->base))
		p = p->base;
	if (!ctype_is_record(p) || !p->u.rec->tag)
		return false;
	const char *n = p->u.rec->tag->name;
	for (size_t i = 0; i < ARRAY_LEN(ctx_names); i++)
		if (!strcmp(n, ctx_names[i]))
			return true;
	return !strncmp(n, "bpf_iter__", 10);
}

/* ---- functions ---------------------------------------------------------------------- */

struct lfninfo *lc_info(struct lower *L, struct cdecl *fn)
{
	uintptr_t v;
	if (pmap_get(&L->fninfo, pkey(fn), &v))
		return (struct lfninfo *)v;
	struct lfninfo *fi = arena_alloc(&L->arena, sizeof(*fi));
	const struct cattrs *a = fn->attrs;
	bool always = a && (a->flags & CA_ALWAYS_INLINE);
	bool never = a && (a->flags & CA_NOINLINE);
	if (a && a->section && fn->u.fn.body) {
		fi->kind = LF_PROG;
	} else if (fn->linkage == CL_EXTERNAL && !(fn->flags & CDF_INLINE)) {
		fi->kind = LF_SUBPROG; /* global functions are verified on their own */
	} else if (always) {
		fi->kind = LF_INLINE;
	} else if (never || L->o->no_inline || L->o->opt_level == 0) {
		fi->kind = LF_SUBPROG;
	} else {
		fi->kind = LF_INLINE;
	}
	pmap_put(&L->fninfo, pkey(fn), (uintptr_t)fi);
	return fi;
}

/* How a subprogram receives a parameter of C type t. */
ir_vt lc_param_vt(struct cdecl *fn, struct ctype *t)
{
	bool global = fn->linkage == CL_EXTERNAL && !(fn->attrs && fn->attrs->visibility == CVIS_HIDDEN);
	/* structs and unions are passed by reference to a copy */
	if (lt_is_aggregate(t))
		return VT_PTR(ANY);
	ir_vt vt = lt_vt(t);
	/* the kernel checks a global function's pointer arguments from its BTF:
	 * a context, or memory that may be NULL */
	if (vt.cls == IR_PTR && global)
		return lw_is_ctx_pointer(t) ? VT_PTR(CTX) : VT_PTR(MEM_NULL);
	/* 32-bit arguments arrive in 64-bit registers whose upper half the
	 * verifier does not know (bpf_loop's index): truncated on entry */
	return vt.cls == IR_I32 ? VT_I64 : vt;
}

/* A read of f->ctx (a parameter) somewhere: va_arg and inline asm may read
 * anything. */
static bool reads_decl(struct cfind *f, struct cexpr *e)
{
	return e->op == E_DECL ? e->u.decl == f->ctx : e->op == E_VA_ARG;
}

bool lc_param_passed(struct lower *L, struct cdecl *fn, uint32_t i)
{
	struct lfninfo *fi = lc_info(L, fn);
	if (fn->linkage == CL_EXTERNAL || fi->addr_taken || !fn->u.fn.body || i >= 32)
		return true;
	if (!fi->used_known) {
		fi->used_known = true;
		for (uint32_t k = 0; k < fn->u.fn.nparams && k < 32; k++)
			if (cfind_stmt(&(struct cfind){ .expr = reads_decl, .ctx = fn->u.fn.params[k] },
				       fn->u.fn.body))
				fi->used |= 1u << k;
	}
	return (fi->used >> i) & 1;
}

/* Whether calls of a global function may be inlined (not noinline, -O1+). */
bool lc_inlinable(struct lower *L, struct cdecl *fn)
{
	const struct cattrs *a = fn->attrs;
	/* a weak definition may be replaced at link time: never inlined */
	if (a && (a->flags & (CA_NOINLINE | CA_WEAK)))
		return false;
	return !L->o->no_inline && L->o->opt_level > 0 && !lc_info(L, fn)->addr_taken;
}

static struct ir_func *new_func(struct lower *L, struct cdecl *fn, bool is_prog)
{
	struct ir_func *f = ir_func_new(L->m, lw_name(fn), is_prog);
	if (!f) {
		lw_error(L, fn->loc, "'%s' is defined twice in the object", lw_name(fn));
		return NULL;
	}
	ir_sym(L->m, f->sym)->pos = fn->loc.line;
	return f;
}

uint32_t lc_subprog_sym(struct lower *L, struct cdecl *fn, struct srcloc use)
{
	struct lfninfo *fi = lc_info(L, fn);
	if (fi->sym)
		return fi->sym;
	if (fi->kind == LF_PROG) {
		lw_error(L, use, "'%s' is a program (SEC(\"%s\")): it cannot be called",
			 lw_name(fn), fn->attrs->section);
		return 0;
	}
	if (!fn->u.fn.body) {
		lw_unsupported(L, use,
			       "the address of a function of another object (static linking) in "
			       "code");
		return 0;
	}
	if (fi->kind == LF_INLINE)
		fi->kind = LF_SUBPROG;
	struct ir_func *f = new_func(L, fn, false);
	if (!f)
		return 0;
	fi->sym = f->sym;
	if (!fi->queued) {
		fi->queued = true;
		vec_push(&L->queue, fn);
	}
	return fi->sym;
}

static void set_proto(struct lower *L, struct ir_func *f, struct cdecl *fn, bool global)
{
	if (!L->o->debug && !global)
		return;
	f->proto = lt_proto(L, fn->type, fn->u.fn.params, fn->u.fn.nparams);
	lt_complete_pointees(L, fn->type);
}

/* Lowers the body of a program or subprogram whose ir_func exists. */
static void lower_body(struct lower *L, struct cdecl *fn, struct ir_func *f, struct lfninfo *fi)
{
	struct ctype *ret = fn->type->u.fn->ret;
	bool is_prog = fi->kind == LF_PROG;
	f->ret = ctype_is_void(ret) ? (is_prog ? VT_I32 : VT_VOID) : lt_vt(ret);
	if (!ctype_is_void(ret) && f->ret.cls == IR_VOID) {
		lw_unsupported(L, fn->loc,
			       "returning a struct, union or floating value from a function");
		return;
	}
	if (f->ret.cls == IR_PTR && is_prog) {
		lw_error(L, fn->loc, "program '%s' returns a pointer", lw_name(fn));
		return;
	}
	uint32_t np = fn->u.fn.nparams, passed = 0;
	for (uint32_t i = 0; i < np; i++)
		passed += !is_prog && lc_param_passed(L, fn, i);
	if (is_prog && np > 1) {
		lw_error(L, fn->loc,
			 "program '%s' takes %u parameters; a BPF program takes only its "
			 "context",
			 lw_name(fn), np);
		return;
	}
	if (passed > 5) {
		lw_error(L, fn->loc, "function '%s' takes %u parameters; BPF calls pass at most 5",
			 lw_name(fn), passed);
		return;
	}
	struct lf lf;
	lf_init(&lf, L, f, fn);
	if (is_prog) {
		const char *pname =
			np && fn->u.fn.params[0]->name ? lw_name(fn->u.fn.params[0]) : "ctx";
		uint32_t t = ir_tmp_new(f, pname, VT_PTR(CTX));
		vec_push(&f->params, t);
	} else {
		for (uint32_t i = 0; i < np; i++) {
			struct cdecl *p = fn->u.fn.params[i];
			if (!lc_param_passed(L, fn, i))
				continue;
			ir_vt vt = lc_param_vt(fn, p->type);
			if (vt.cls == IR_VOID) {
				lw_unsupported(
					L, p->loc,
					"passing a struct, union or floating value as an argument");
				lf_free(&lf);
				return;
			}
			uint32_t t = ir_tmp_new(f, p->name ? lw_name(p) : NULL, vt);
			vec_push(&f->params, t);
		}
	}
	ls_function(&lf, fn);
	if (!lf_flush_errors(&lf))
		lf_finish(&lf);
	lf_free(&lf);
}

static void lower_program(struct lower *L, struct cdecl *fn, struct lfninfo *fi)
{
	const char *sec = fn->attrs->section;
	enum ir_progtype pt = lw_section_progtype(sec);
	if (pt == IR_PROG_NONE)
		pt = IR_PROG_socket_filter; /* clang accepts any section; loaders decide */
	fi->progtype = (uint8_t)pt;
	struct ir_func *f = new_func(L, fn, true);
	if (!f)
		return;
	fi->sym = f->sym;
	f->progtype = (uint8_t)pt;
	f->section = arena_strdup(&L->m->arena, sec);
	f->linkage = IR_GLOBAL;
	ir_sym(L->m, f->sym)->weak = fn->attrs && (fn->attrs->flags & CA_WEAK);
	set_proto(L, f, fn, false);
	lower_body(L, fn, f, fi);
}

static void lower_subprog(struct lower *L, struct cdecl *fn)
{
	struct lfninfo *fi = lc_info(L, fn);
	struct ir_func *f = ir_sym(L->m, fi->sym)->fn;
	/* a hidden function cannot be called from outside the object: the
	 * kernel verifies it in its callers' context, as a static one (libbpf
	 * turns hidden functions static too) */
	bool hidden = fn->attrs && fn->attrs->visibility == CVIS_HIDDEN;
	bool global = fn->linkage == CL_EXTERNAL && !hidden;
	f->linkage = global ? IR_GLOBAL : IR_STATIC;
	/* its symbol stays global (hidden) so that a linked object can call it */
	ir_sym(L->m, f->sym)->hidden = hidden && fn->linkage == CL_EXTERNAL;
	ir_sym(L->m, f->sym)->weak = fn->linkage == CL_EXTERNAL && fn->attrs && (fn->attrs->flags & CA_WEAK);
	if (fn->attrs && (fn->attrs->flags & CA_NOINLINE))
		f->inl = IR_INLINE_NEVER;
	if (fn->attrs && fn->attrs->section)
		f->section = arena_strdup(&L->m->arena, fn->attrs->section);
	set_proto(L, f, fn, global);
	lower_body(L, fn, f, fi);
}

/* Marks functions used other than by a direct call (callbacks). */
static void find_addr_taken(struct lower *L, struct cexpr *e, bool callee);

static void scan_stmt(struct lower *L, struct cstmt *s);

static void scan_init(struct lower *L, struct cinit *in)
{
	if (!in)
		return;
	if (in->kind == CI_EXPR) {
		find_addr_taken(L, in->u.expr, false);
		return;
	}
	for (uint32_t i = 0; i < in->u.list.n; i++)
		scan_init(L, in->u.list.elems[i].init);
}

static void find_addr_taken(struct lower *L, struct cexpr *e, bool callee)
{
	if (!e)
		return;
	switch (e->op) {
	case E_DECL:
		if (e->u.decl->kind == CD_FUNC && !callee && e->u.decl->u.fn.body)
			lc_info(L, e->u.decl)->addr_taken = true;
		return;
	case E_CALL: {
		struct cexpr *f = e->u.call.fn;
		while ((f->op == E_CONV || f->op == E_CAST) &&
		       (f->ck == CK_FUNC_DECAY || f->ck == CK_NOOP))
			f = f->u.bin.a;
		if (f->op == E_DECL && f->u.decl->kind == CD_FUNC && f->u.decl->u.fn.body)
			lc_info(L, f->u.decl)->calls++;
		find_addr_taken(L, e->u.call.fn, true);
		for (uint32_t i = 0; i < e->u.call.nargs; i++)
			find_addr_taken(L, e->u.call.args[i], false);
		return;
	}
	case E_CONV:
	case E_CAST:
		find_addr_taken(L, e->u.bin.a,
				callee && (e->ck == CK_FUNC_DECAY || e->ck == CK_NOOP));
		return;
	case E_MEMBER:
		find_addr_taken(L, e->u.m.base, false);
		return;
	case E_COND:
		find_addr_taken(L, e->u.cond.c, false);
		find_addr_taken(L, e->u.cond.a, false);
		find_addr_taken(L, e->u.cond.b, false);
		return;
	case E_BUILTIN:
		for (uint32_t i = 0; i < e->u.bi.nargs; i++)
			find_addr_taken(L, e->u.bi.args[i], false);
		return;
	case E_COMPOUND_LIT:
		scan_init(L, e->u.lit.obj->u.var.init);
		return;
	case E_STMT_EXPR:
		scan_stmt(L, e->u.stmt);
		return;
	case E_VA_ARG:
		find_addr_taken(L, e->u.va.ap, false);
		return;
	case E_INT:
	case E_FLOAT:
	case E_STRING:
	case E_ERROR:
		return;
	default:
		find_addr_taken(L, e->u.bin.a, false);
		if (cexpr_is_binary(e->op))
			find_addr_taken(L, e->u.bin.b, false);
		return;
	}
}

static void scan_stmt(struct lower *L, struct cstmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case S_COMPOUND:
		for (uint32_t i = 0; i < s->u.block.n; i++)
			scan_stmt(L, s->u.block.items[i]);
		break;
	case S_EXPR:
	case S_RETURN:
		find_addr_taken(L, s->u.expr, false);
		break;
	case S_DECL:
		for (uint32_t i = 0; i < s->u.decl.n; i++)
			if (s->u.decl.decls[i]->kind == CD_VAR)
				scan_init(L, s->u.decl.decls[i]->u.var.init);
		break;
	case S_IF:
		find_addr_taken(L, s->u.if_.cond, false);
		scan_stmt(L, s->u.if_.then);
		scan_stmt(L, s->u.if_.els);
		break;
	case S_WHILE:
	case S_DO:
	case S_FOR:
		scan_stmt(L, s->u.loop.init);
		find_addr_taken(L, s->u.loop.cond, false);
		find_addr_taken(L, s->u.loop.step, false);
		scan_stmt(L, s->u.loop.body);
		break;
	case S_SWITCH:
		find_addr_taken(L, s->u.sw.cond, false);
		scan_stmt(L, s->u.sw.body);
		break;
	case S_CASE:
	case S_DEFAULT:
		scan_stmt(L, s->u.case_.body);
		break;
	case S_LABEL:
		scan_stmt(L, s->u.label.body);
		break;
	case S_ASM:
		for (uint32_t i = 0; i < s->u.asm_->ninputs; i++)
			find_addr_taken(L, s->u.asm_->inputs[i].expr, false);
		break;
	default:
		break;
	}
}

static void init_module(struct lower *L)
{
	L->m = ir_module_new();
	L->m->lang = IR_LANG_C;
	L->m->cpu = L->o->cpu ? L->o->cpu : 3;
	L->m->diag = L->d;
}

struct ir_module *clower_unit(struct ctu *tu, struct diag *d, const struct clower_options *o)
{
	struct lower L = { .tu = tu, .d = d, .o = o };
	init_module(&L);
	/* callbacks and function pointers first: they decide what is inlined */
	vec_foreach (&tu->globals, g) {
		struct cdecl *dcl = *g;
		if (dcl->kind == CD_FUNC && dcl->u.fn.body)
			scan_stmt(&L, dcl->u.fn.body);
		else if (dcl->kind == CD_VAR)
			scan_init(&L, dcl->u.var.init);
	}
	ld_globals(&L);
	vec_foreach (&tu->globals, g) {
		struct cdecl *fn = *g;
		if (fn->kind != CD_FUNC || !fn->u.fn.body || (fn->flags & CDF_BUILTIN))
			continue;
		struct lfninfo *fi = lc_info(&L, fn);
		/* as clang's inliner: big functions called from several places stay
		 * subprograms (unless always_inline) */
		if (fi->kind == LF_INLINE && fi->calls > 1 &&
		    !(fn->attrs && (fn->attrs->flags & CA_ALWAYS_INLINE)) &&
		    ls_stmt_size(fn->u.fn.body) > 60)
			fi->kind = LF_SUBPROG;
		if (fi->addr_taken && fi->kind == LF_INLINE)
			fi->kind = LF_SUBPROG;
		if (fi->kind == LF_PROG)
			lower_program(&L, fn, fi);
		else if (fi->kind == LF_SUBPROG && fn->linkage == CL_EXTERNAL)
			lc_subprog_sym(&L, fn, fn->loc);
		if (d->limit_reached)
			break;
	}
	/* addresses in data may make subprograms, whose code may make globals
	 * holding addresses */
	for (uint32_t i = 0;;) {
		ld_data_addrs(&L);
		if (i == L.queue.len || d->limit_reached)
			break;
		for (; i < L.queue.len && !d->limit_reached; i++)
			lower_subprog(&L, L.queue.data[i]);
	}
	ld_finish(&L);
	vec_free(&L.queue);
	pmap_free(&L.types);
	pmap_free(&L.records);
	pmap_free(&L.completed);
	pmap_free(&L.enums);
	pmap_free(&L.syms);
	pmap_free(&L.helpers);
	pmap_free(&L.fninfo);
	pmap_free(&L.strs);
	buf_free(&L.strpool);
	arena_free(&L.arena);
	if (L.errors) {
		ir_module_free(L.m);
		return NULL;
	}
	return L.m;
}
