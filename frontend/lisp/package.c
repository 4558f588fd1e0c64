/* Packages and symbols: one user package under all the names CL code uses
 * for it (COMMON-LISP, CL-USER, WHISTLER...), KEYWORD, SYSTEM, and packages
 * made on first use for other prefixes (BPF, SB-SYS...).  See lisp.h. */
#include "frontend/lisp/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const user_nicknames[] = {
	"COMMON-LISP",
	"CL",
	"CL-USER",
	"COMMON-LISP-USER",
	"WHISTLER-USER",
	"WHISTLER/LOADER",
	"WHISTLER-LOADER-USER",
};

struct lisp_symbol *lisp_sym(struct lisp_ctx *ctx, lv v)
{
	return SYM(v == LISP_NIL ? ctx->nil_sym : v);
}

lv lisp_t(struct lisp_ctx *ctx)
{
	return ctx->t;
}

lv lisp_package_name_string(lv pkg)
{
	return PKG(pkg)->name;
}

static bool name_is(lv str, const char *name, size_t len)
{
	return lisp_stringp(str) && STR(str)->len == len && !memcmp(lisp_str(str), name, len);
}

lv lisp_find_package(struct lisp_ctx *ctx, const char *name, size_t len)
{
	lisp_each(&ctx->packages, p)
	{
		if (name_is(PKG(*p)->name, name, len))
			return *p;
		for (lv n = PKG(*p)->nicknames; n != LISP_NIL; n = lisp_cdr(n))
			if (name_is(lisp_car(n), name, len))
				return *p;
	}
	return NULL;
}

lv lisp_make_package(struct lisp_ctx *ctx, const char *name)
{
	lv p = lisp_find_package(ctx, name, strlen(name));
	if (p)
		return p;
	struct lisp_package *pk = lisp_alloc(ctx, LISP_PACKAGE, sizeof(*pk));
	pk->nicknames = LISP_NIL;
	pk->name = LISP_NIL;
	vec_push(&ctx->packages, (lv)pk);
	pk->name = lisp_make_cstring(ctx, name);
	return (lv)pk;
}

void lisp_package_alias(struct lisp_ctx *ctx, const char *pkg, const char *alias)
{
	lv p = pkg ? lisp_make_package(ctx, pkg) : ctx->user_pkg;
	lv name = lisp_make_cstring(ctx, alias);
	PKG(p)->nicknames = lisp_cons(ctx, name, PKG(p)->nicknames);
}

lv lisp_make_symbol(struct lisp_ctx *ctx, lv name_string)
{
	struct lisp_symbol *s = lisp_alloc(ctx, LISP_SYMBOL, sizeof(*s));
	s->name = name_string;
	s->package = LISP_NIL;
	s->plist = LISP_NIL;
	return (lv)s;
}

lv lisp_find_symbol_in(struct lisp_ctx *ctx, lv pkg, const char *name, size_t len)
{
	uintptr_t v;
	if (!hmap_get(&PKG(pkg)->syms, name, len, &v))
		return NULL;
	return (lv)v == ctx->nil_sym ? LISP_NIL : (lv)v;
}

lv lisp_intern_in(struct lisp_ctx *ctx, lv pkg, const char *name, size_t len)
{
	lv found = lisp_find_symbol_in(ctx, pkg, name, len);
	if (found)
		return found;
	lv str = lisp_make_string(ctx, name, len);
	lv sym = lisp_make_symbol(ctx, str);
	SYM(sym)->package = pkg;
	if (pkg == ctx->keyword_pkg) {
		SYM(sym)->value = sym;
		sym->flags |= SYM_CONSTANT;
	}
	hmap_put(&PKG(pkg)->syms, lisp_str(str), len, (uintptr_t)sym);
	return sym;
}

lv lisp_intern_exact(struct lisp_ctx *ctx, const char *pkg, const char *name, size_t len)
{
	lv p = pkg ? lisp_make_package(ctx, pkg) : ctx->user_pkg;
	return lisp_intern_in(ctx, p, name, len);
}

lv lisp_intern(struct lisp_ctx *ctx, const char *q)
{
	size_t n = strlen(q);
	char *up = xmalloc(n + 1);
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)q[i]);
	lv pkg = ctx->user_pkg;
	const char *name = up;
	char *colon = strchr(up, ':');
	if (colon == up) {
		pkg = ctx->keyword_pkg;
		name = up + 1;
	} else if (colon) {
		*colon = 0;
		pkg = lisp_make_package(ctx, up);
		name = colon + 1 + (colon[1] == ':');
	}
	lv sym = lisp_intern_in(ctx, pkg, name, strlen(name));
	free(up);
	return sym;
}

const char *lisp_symbol_name(lv sym)
{
	if (sym == LISP_NIL)
		return "NIL";
	if (!lisp_is(sym, LISP_SYMBOL))
		return "<not a symbol>";
	return lisp_str(SYM(sym)->name);
}

const char *lisp_symbol_package_name(lv sym)
{
	if (sym == LISP_NIL)
		return "COMMON-LISP";
	lv p = SYM(sym)->package;
	return p == LISP_NIL ? NULL : lisp_str(PKG(p)->name);
}

bool lisp_keywordp(lv v)
{
	return lisp_is(v, LISP_SYMBOL) && lisp_is(SYM(v)->package, LISP_PACKAGE) &&
	       !strcmp(lisp_str(PKG(SYM(v)->package)->name), "KEYWORD");
}

lv lisp_symbol_value(struct lisp_ctx *ctx, lv sym)
{
	return lisp_sym(ctx, sym)->value;
}

void lisp_set_symbol_value(struct lisp_ctx *ctx, lv sym, lv value)
{
	lisp_sym(ctx, sym)->value = value;
}

lv lisp_symbol_function(struct lisp_ctx *ctx, lv sym)
{
	return lisp_sym(ctx, sym)->function;
}

lv lisp_gensym(struct lisp_ctx *ctx, const char *prefix)
{
	struct lisp_symbol *c = SYM(ctx->s.gensym_counter);
	lv n = c->value && lisp_integerp(c->value) ? c->value : lisp_fixnum(0);
	struct buf b = { 0 };
	buf_puts(&b, prefix ? prefix : "G");
	lisp_int_print(ctx, &b, n, 10);
	lv name = lisp_make_string(ctx, (const char *)b.data, b.len);
	buf_free(&b);
	c->value = lisp_int_add(ctx, n, lisp_fixnum(1));
	return lisp_make_symbol(ctx, name);
}

void lisp_add_feature(struct lisp_ctx *ctx, const char *name)
{
	char *k = xasprintf(":%s", name);
	lv kw = lisp_intern(ctx, k);
	free(k);
	struct lisp_symbol *f = SYM(ctx->s.features);
	for (lv l = f->value; lisp_consp(l); l = lisp_cdr(l))
		if (lisp_car(l) == kw)
			return;
	f->value = lisp_cons(ctx, kw, f->value ? f->value : LISP_NIL);
}

void lisp_packages_init(struct lisp_ctx *ctx)
{
	ctx->user_pkg = lisp_make_package(ctx, "WHISTLER");
	for (size_t i = 0; i < ARRAY_LEN(user_nicknames); i++)
		lisp_package_alias(ctx, NULL, user_nicknames[i]);
	ctx->keyword_pkg = lisp_make_package(ctx, "KEYWORD");
	ctx->sys_pkg = lisp_make_package(ctx, "SYSTEM");
	lisp_package_alias(ctx, "SYSTEM", "SYS");

	/* NIL is an immediate; this object holds its symbol properties */
	lv nil_name = lisp_make_cstring(ctx, "NIL");
	ctx->nil_sym = lisp_make_symbol(ctx, nil_name);
	SYM(ctx->nil_sym)->package = ctx->user_pkg;
	SYM(ctx->nil_sym)->value = LISP_NIL;
	ctx->nil_sym->flags |= SYM_CONSTANT;
	hmap_put(&PKG(ctx->user_pkg)->syms, "NIL", 3, (uintptr_t)ctx->nil_sym);
	ctx->t = lisp_intern_in(ctx, ctx->user_pkg, "T", 1);
	SYM(ctx->t)->value = ctx->t;
	ctx->t->flags |= SYM_CONSTANT;

#define LSYM(field, pkg, name)                                        \
	ctx->s.field = lisp_intern_exact(ctx,                         \
					 #pkg[0] == 'U'	  ? NULL      \
					 : #pkg[0] == 'K' ? "KEYWORD" \
					 : #pkg[0] == 'S' ? "SYSTEM"  \
					 : #pkg[0] == 'X' ? "SB-SYS"  \
							  : "SB-EXT", \
					 name, strlen(name));
#include "frontend/lisp/symbols.def"
#undef LSYM
	static const char *const specials[] = {
		"*STANDARD-OUTPUT*", "*ERROR-OUTPUT*",	 "*TRACE-OUTPUT*", "*STANDARD-INPUT*",
		"*FEATURES*",	     "*GENSYM-COUNTER*", "*PRINT-BASE*",   "*PRINT-RADIX*",
		"*PRINT-ESCAPE*",    "*PACKAGE*",
	};
	for (size_t i = 0; i < ARRAY_LEN(specials); i++)
		lisp_intern_in(ctx, ctx->user_pkg, specials[i], strlen(specials[i]))->flags |=
			SYM_SPECIAL;
	ctx->s.posix_argv->flags |= SYM_SPECIAL;
	SYM(ctx->s.posix_argv)->value = LISP_NIL;
	SYM(ctx->s.features)->value = LISP_NIL;
	SYM(ctx->s.gensym_counter)->value = lisp_fixnum(1);
	SYM(ctx->s.print_base)->value = lisp_fixnum(10);
	SYM(ctx->s.print_radix)->value = LISP_NIL;
	SYM(ctx->s.print_escape)->value = ctx->t;
	SYM(ctx->s.package_var)->value = ctx->user_pkg;
	static const char *const features[] = {
		"whistler",
		"common-lisp",
		"ansi-cl",
		"linux",
		"unix",
		"64-bit",
		"little-endian",
#if defined(__x86_64__)
		"x86-64",
#elif defined(__aarch64__)
		"arm64",
#endif
	};
	for (size_t i = ARRAY_LEN(features); i-- > 0;)
		lisp_add_feature(ctx, features[i]);
}

/* ---- checkpoints ---- */

enum { CP_SYM, CP_VALUE, CP_FUNCTION, CP_PLIST, CP_SETF, CP_FLAGS, CP_N };

void lisp_checkpoint(struct lisp_ctx *ctx)
{
	lv all = lisp_make_vector(ctx, 0, LISP_NIL);
	ctx->checkpoint = all;
	lisp_each(&ctx->packages, p)
	{
		lisp_vector_push(ctx, all, *p);
		lisp_vector_push(ctx, all, PKG(*p)->nicknames);
	}
	lisp_vector_push(ctx, all, LISP_NIL); /* end of packages */
	lisp_each(&ctx->packages, p)
	{
		hmap_foreach(&PKG(*p)->syms, it)
		{
			struct lisp_symbol *s = SYM((lv)it->val);
			s->h.flags |= SYM_CHECKPOINTED;
			lisp_vector_push(ctx, all, (lv)s);
			lisp_vector_push(ctx, all, s->value);
			lisp_vector_push(ctx, all, s->function);
			lisp_vector_push(ctx, all, lisp_copy_list(ctx, s->plist));
			lisp_vector_push(ctx, all, s->setf);
			lisp_vector_push(ctx, all, lisp_fixnum(s->h.flags));
		}
	}
}

void lisp_rollback(struct lisp_ctx *ctx)
{
	lv all = ctx->checkpoint;
	if (!all)
		return;
	lv *v = lisp_vector_data(all);
	size_t n = lisp_vector_length(all), i;
	for (i = 0; i + 1 < n && v[i] != LISP_NIL; i += 2)
		PKG(v[i])->nicknames = v[i + 1];
	i++;
	/* symbols made since the checkpoint lose their definitions */
	lisp_each(&ctx->packages, p)
	{
		hmap_foreach(&PKG(*p)->syms, it)
		{
			struct lisp_symbol *s = SYM((lv)it->val);
			if (s->h.flags & SYM_CHECKPOINTED)
				continue;
			bool kw = *p == ctx->keyword_pkg;
			s->value = kw ? (lv)s : NULL;
			s->function = s->setf = NULL;
			s->plist = LISP_NIL;
			s->h.flags = kw ? SYM_CONSTANT : 0;
		}
	}
	for (; i + CP_N <= n; i += CP_N) {
		struct lisp_symbol *s = SYM(v[i + CP_SYM]);
		s->value = v[i + CP_VALUE];
		s->function = v[i + CP_FUNCTION];
		/* a private copy: PUT changes plist cells in place */
		s->plist = v[i + CP_PLIST] == LISP_NIL ? LISP_NIL
						       : lisp_copy_list(ctx, v[i + CP_PLIST]);
		s->setf = v[i + CP_SETF];
		s->h.flags = (uint16_t)lisp_fixnum_value(v[i + CP_FLAGS]);
	}
	lisp_mx_cache_clear(ctx);
	ctx->specials.len = ctx->handlers.len = 0;
}

/* ---- builtins ---- */

static lv package_designator(struct lisp_ctx *ctx, lv v, bool create)
{
	if (lisp_is(v, LISP_PACKAGE))
		return v;
	lv s = lisp_string_designator(ctx, v);
	lv p = lisp_find_package(ctx, lisp_str(s), STR(s)->len);
	if (!p && create)
		p = lisp_make_package(ctx, lisp_str(s));
	return p;
}

BUILTIN(b_symbol_name)
{
	return lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]))->name;
}

BUILTIN(b_symbol_package)
{
	return lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]))->package;
}

BUILTIN(b_package_name)
{
	lv p = package_designator(ctx, argv[0], false);
	return p ? PKG(p)->name : LISP_NIL;
}

BUILTIN(b_find_package)
{
	lv p = package_designator(ctx, argv[0], false);
	return p ? p : LISP_NIL;
}

BUILTIN(b_make_package)
{
	return package_designator(ctx, argv[0], true);
}

BUILTIN(b_intern)
{
	lv name = lisp_check_string(ctx, argv[0]);
	lv pkg = argc > 1 ? package_designator(ctx, argv[1], true) : ctx->user_pkg;
	lv old = lisp_find_symbol_in(ctx, pkg, lisp_str(name), STR(name)->len);
	lv sym = old ? old : lisp_intern_in(ctx, pkg, lisp_str(name), STR(name)->len);
	lv status = LISP_NIL;
	if (old)
		status = lisp_intern(ctx, pkg == ctx->keyword_pkg ? ":external" : ":internal");
	return lisp_values2(ctx, sym, status);
}

BUILTIN(b_find_symbol)
{
	lv name = lisp_check_string(ctx, argv[0]);
	lv pkg = argc > 1 ? package_designator(ctx, argv[1], false) : ctx->user_pkg;
	lv sym = pkg ? lisp_find_symbol_in(ctx, pkg, lisp_str(name), STR(name)->len) : NULL;
	if (!sym)
		return lisp_values2(ctx, LISP_NIL, LISP_NIL);
	return lisp_values2(ctx, sym, lisp_intern(ctx, ":internal"));
}

BUILTIN(b_make_symbol)
{
	lv name = lisp_check_string(ctx, argv[0]);
	return lisp_make_symbol(ctx, lisp_make_string(ctx, lisp_str(name), STR(name)->len));
}

BUILTIN(b_gensym)
{
	if (argc && lisp_integerp(argv[0])) {
		lv saved = SYM(ctx->s.gensym_counter)->value;
		SYM(ctx->s.gensym_counter)->value = argv[0];
		lv g = lisp_gensym(ctx, "G");
		SYM(ctx->s.gensym_counter)->value = saved;
		return g;
	}
	lv prefix = argc ? lisp_string_designator(ctx, argv[0]) : NULL;
	return lisp_gensym(ctx, prefix ? lisp_str(prefix) : "G");
}

BUILTIN(b_keywordp)
{
	return lisp_bool(ctx, lisp_keywordp(argv[0]));
}

BUILTIN(b_symbolp)
{
	return lisp_bool(ctx, lisp_symbolp(argv[0]));
}

BUILTIN(b_symbol_value)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]));
	if (!s->value)
		lisp_error_type(ctx, ctx->s.unbound_variable, "The variable %s is unbound.",
				lisp_str(s->name));
	return s->value;
}

BUILTIN(b_set)
{
	lv sym = lisp_check_symbol(ctx, argv[0]);
	if (sym->flags & SYM_CONSTANT || sym == LISP_NIL)
		lisp_error(ctx, "cannot set the constant %s", lisp_symbol_name(sym));
	lisp_sym(ctx, sym)->value = argv[1];
	return argv[1];
}

BUILTIN(b_boundp)
{
	return lisp_bool(ctx, lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]))->value != NULL);
}

BUILTIN(b_makunbound)
{
	lv sym = lisp_check_symbol(ctx, argv[0]);
	if (!(sym->flags & SYM_CONSTANT) && sym != LISP_NIL)
		SYM(sym)->value = NULL;
	return sym;
}

BUILTIN(b_constant_symbol_p)
{
	lv sym = argv[0];
	return lisp_bool(ctx, sym == LISP_NIL ||
				      (lisp_is(sym, LISP_SYMBOL) && (sym->flags & SYM_CONSTANT)));
}

BUILTIN(b_symbol_plist)
{
	return lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]))->plist;
}

BUILTIN(b_get)
{
	lv pl = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]))->plist;
	return lisp_plist_get(pl, argv[1], argc > 2 ? argv[2] : LISP_NIL);
}

/* (setf (get sym ind [default]) value) */
BUILTIN(b_put)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]));
	lv value = argv[argc - 1];
	for (lv l = s->plist; lisp_consp(l) && lisp_consp(lisp_cdr(l)); l = lisp_cddr(l)) {
		lisp_tick(ctx);
		if (lisp_car(l) == argv[1]) {
			CONS(lisp_cdr(l))->car = value;
			return value;
		}
	}
	s->plist = lisp_cons(ctx, argv[1], lisp_cons(ctx, value, s->plist));
	return value;
}

BUILTIN(b_remprop)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_check_symbol(ctx, argv[0]));
	lv prev = NULL;
	for (lv l = s->plist; lisp_consp(l) && lisp_consp(lisp_cdr(l));
	     prev = l, l = lisp_cddr(l)) {
		lisp_tick(ctx);
		if (lisp_car(l) == argv[1]) {
			if (prev)
				CONS(lisp_cdr(prev))->cdr = lisp_cddr(l);
			else
				s->plist = lisp_cddr(l);
			return ctx->t;
		}
	}
	return LISP_NIL;
}

/* Package operations that only matter with several user packages. */
BUILTIN(b_ignore_packages)
{
	return ctx->t;
}

static const struct lisp_builtin_def defs[] = {
	{ "symbol-name", b_symbol_name, 1, 1 },
	{ "symbol-package", b_symbol_package, 1, 1 },
	{ "package-name", b_package_name, 1, 1 },
	{ "find-package", b_find_package, 1, 1 },
	{ "make-package", b_make_package, 1, -1 },
	{ "intern", b_intern, 1, 2 },
	{ "find-symbol", b_find_symbol, 1, 2 },
	{ "make-symbol", b_make_symbol, 1, 1 },
	{ "gensym", b_gensym, 0, 1 },
	{ "keywordp", b_keywordp, 1, 1 },
	{ "symbolp", b_symbolp, 1, 1 },
	{ "symbol-value", b_symbol_value, 1, 1 },
	{ "set", b_set, 2, 2 },
	{ "boundp", b_boundp, 1, 1 },
	{ "makunbound", b_makunbound, 1, 1 },
	{ "symbol-plist", b_symbol_plist, 1, 1 },
	{ "system::constant-symbol-p", b_constant_symbol_p, 1, 1 },
	{ "get", b_get, 2, 3 },
	{ "system::%put", b_put, 3, 4 },
	{ "remprop", b_remprop, 2, 2 },
	{ "export", b_ignore_packages, 1, 2 },
	{ "import", b_ignore_packages, 1, 2 },
	{ "shadow", b_ignore_packages, 1, 2 },
	{ "use-package", b_ignore_packages, 1, 2 },
	{ "unuse-package", b_ignore_packages, 1, 2 },
};

void lisp_init_objects_packages(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
}
