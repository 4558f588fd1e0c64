/* List builtins: conses and their accessors (with SETF updaters), the
 * mapping functions, membership and association lists, plists, sets. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

static lv check_cons(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_consp(v))
		lisp_type_error(ctx, v, "cons");
	return v;
}

static lv list_arg(struct lisp_ctx *ctx, lv v)
{
	return lisp_arg_list(ctx, v);
}

BUILTIN(b_car)
{
	return lisp_car(list_arg(ctx, argv[0]));
}
BUILTIN(b_cdr)
{
	return lisp_cdr(list_arg(ctx, argv[0]));
}
BUILTIN(b_cons)
{
	return lisp_cons(ctx, argv[0], argv[1]);
}

BUILTIN(b_list)
{
	return lisp_list_from(ctx, argv, (size_t)argc, LISP_NIL);
}

BUILTIN(b_liststar)
{
	return lisp_list_from(ctx, argv, (size_t)argc - 1, argv[argc - 1]);
}

/* c[ad]+r: data is the letters between c and r, applied right to left */
static lv cxr(struct lisp_ctx *ctx, const char *path, lv x)
{
	for (size_t i = strlen(path); i-- > 0;)
		x = path[i] == 'a' ? lisp_car(list_arg(ctx, x)) : lisp_cdr(list_arg(ctx, x));
	return x;
}

BUILTIN(b_cxr)
{
	return cxr(ctx, data, argv[0]);
}

BUILTIN(b_set_cxr)
{
	const char *path = data;
	lv cell = check_cons(ctx, cxr(ctx, path + 1, argv[0]));
	if (path[0] == 'a')
		CONS(cell)->car = argv[1];
	else
		CONS(cell)->cdr = argv[1];
	return argv[1];
}

static const char *const cxr_paths[] = {
	"aa",	"ad",	"da",	"dd",	"aaa",	"aad",	"ada",	"add",	"daa",	"dad",
	"dda",	"ddd",	"aaaa", "aaad", "aada", "aadd", "adaa", "adad", "adda", "addd",
	"daaa", "daad", "dada", "dadd", "ddaa", "ddad", "ddda", "dddd", "a",	"d",
};

/* first..tenth: data is the index */
static const char *const ordinals[] = { "first", "second",  "third",  "fourth", "fifth",
					"sixth", "seventh", "eighth", "ninth",	"tenth" };

static lv nthcdr(struct lisp_ctx *ctx, int64_t n, lv l)
{
	for (; n > 0 && lisp_consp(l); n--) {
		lisp_tick(ctx);
		l = lisp_cdr(l);
	}
	return l;
}

BUILTIN(b_ordinal)
{
	return lisp_car(list_arg(ctx, nthcdr(ctx, (intptr_t)data, list_arg(ctx, argv[0]))));
}

BUILTIN(b_set_ordinal)
{
	lv cell = check_cons(ctx, nthcdr(ctx, (intptr_t)data, list_arg(ctx, argv[0])));
	CONS(cell)->car = argv[1];
	return argv[1];
}

BUILTIN(b_nth)
{
	int64_t n = lisp_check_fixnum(ctx, argv[0], 0, LISP_FIXNUM_MAX);
	return lisp_car(list_arg(ctx, nthcdr(ctx, n, list_arg(ctx, argv[1]))));
}

BUILTIN(b_set_nth)
{
	int64_t n = lisp_check_fixnum(ctx, argv[0], 0, LISP_FIXNUM_MAX);
	lv cell = nthcdr(ctx, n, list_arg(ctx, argv[1]));
	if (!lisp_consp(cell))
		lisp_error(ctx, "(SETF NTH): index %lld is beyond the end of the list",
			   (long long)n);
	CONS(cell)->car = argv[2];
	return argv[2];
}

BUILTIN(b_nthcdr)
{
	int64_t n = lisp_check_fixnum(ctx, argv[0], 0, LISP_FIXNUM_MAX);
	return nthcdr(ctx, n, list_arg(ctx, argv[1]));
}

BUILTIN(b_rest)
{
	return lisp_cdr(list_arg(ctx, argv[0]));
}

BUILTIN(b_last)
{
	lv l = list_arg(ctx, argv[0]);
	int64_t n = argc > 1 ? lisp_check_fixnum(ctx, argv[1], 0, LISP_FIXNUM_MAX) : 1;
	size_t len = lisp_list_length(l);
	return nthcdr(ctx, (int64_t)len > n ? (int64_t)len - n : 0, l);
}

BUILTIN(b_butlast)
{
	lv l = list_arg(ctx, argv[0]);
	int64_t n = argc > 1 ? lisp_check_fixnum(ctx, argv[1], 0, LISP_FIXNUM_MAX) : 1;
	int64_t len = (int64_t)lisp_list_length(l);
	lv head = LISP_NIL, tail = NULL;
	for (int64_t i = 0; i < len - n; i++, l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv c = lisp_cons(ctx, lisp_car(l), LISP_NIL);
		CONS(c)->car_loc = CONS(l)->car_loc;
		if (tail)
			CONS(tail)->cdr = c;
		else
			head = c;
		tail = c;
	}
	return head;
}

BUILTIN(b_copy_list)
{
	return lisp_copy_list(ctx, list_arg(ctx, argv[0]));
}

static lv copy_tree(struct lisp_ctx *ctx, lv x, int depth)
{
	if (!lisp_consp(x))
		return x;
	if (depth > 10000)
		lisp_error(ctx, "COPY-TREE: tree nested too deeply");
	lisp_check_limits(ctx);
	lv c = lisp_cons(ctx, copy_tree(ctx, lisp_car(x), depth + 1),
			 copy_tree(ctx, lisp_cdr(x), depth + 1));
	CONS(c)->loc = CONS(x)->loc;
	CONS(c)->car_loc = CONS(x)->car_loc;
	return c;
}

BUILTIN(b_copy_tree)
{
	return copy_tree(ctx, argv[0], 0);
}

BUILTIN(b_append)
{
	if (!argc)
		return LISP_NIL;
	lv result = argv[argc - 1];
	for (int i = argc - 1; i-- > 0;) {
		lv l = list_arg(ctx, argv[i]);
		if (l == LISP_NIL)
			continue;
		lv copy = lisp_copy_list(ctx, l);
		lv t = copy;
		while (lisp_consp(lisp_cdr(t)))
			t = lisp_cdr(t);
		CONS(t)->cdr = result;
		result = copy;
	}
	return result;
}

BUILTIN(b_nconc)
{
	lv result = LISP_NIL, tail = NULL;
	for (int i = 0; i < argc; i++) {
		lv l = argv[i];
		if (l == LISP_NIL)
			continue;
		if (tail)
			CONS(tail)->cdr = l;
		else
			result = l;
		if (i == argc - 1 || !lisp_consp(l))
			break;
		tail = l;
		for (size_t n = 0; lisp_consp(lisp_cdr(tail)); n++) {
			if (n % 1024 == 0)
				lisp_tick(ctx);
			tail = lisp_cdr(tail);
		}
	}
	return result;
}

BUILTIN(b_revappend)
{
	lv r = argv[1];
	for (lv l = list_arg(ctx, argv[0]); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		r = lisp_cons(ctx, lisp_car(l), r);
	}
	return r;
}

BUILTIN(b_make_list)
{
	int64_t n = lisp_check_fixnum(ctx, argv[0], 0, 1 << 24);
	lv init = LISP_NIL;
	for (int i = 1; i + 1 < argc; i += 2)
		if (lisp_symbolp(argv[i]) && !strcmp(lisp_symbol_name(argv[i]), "INITIAL-ELEMENT"))
			init = argv[i + 1];
	lv r = LISP_NIL;
	for (int64_t i = 0; i < n; i++) {
		lisp_tick(ctx);
		r = lisp_cons(ctx, init, r);
	}
	return r;
}

BUILTIN(b_list_length)
{
	lv l = list_arg(ctx, argv[0]);
	size_t n = lisp_list_length(l);
	return lisp_consp(nthcdr(ctx, (int64_t)n, l)) ? LISP_NIL : lisp_make_uint(ctx, n);
}

BUILTIN(b_rplaca)
{
	CONS(check_cons(ctx, argv[0]))->car = argv[1];
	return argv[0];
}

BUILTIN(b_rplacd)
{
	CONS(check_cons(ctx, argv[0]))->cdr = argv[1];
	return argv[0];
}

/* ---- predicates ---- */

BUILTIN(b_null)
{
	return lisp_bool(ctx, argv[0] == LISP_NIL);
}
BUILTIN(b_consp)
{
	return lisp_bool(ctx, lisp_consp(argv[0]));
}
BUILTIN(b_listp)
{
	return lisp_bool(ctx, lisp_listp(argv[0]));
}
BUILTIN(b_atom)
{
	return lisp_bool(ctx, !lisp_consp(argv[0]));
}
BUILTIN(b_endp)
{
	return lisp_bool(ctx, list_arg(ctx, argv[0]) == LISP_NIL);
}
BUILTIN(b_eq)
{
	return lisp_bool(ctx, argv[0] == argv[1]);
}
BUILTIN(b_eql)
{
	return lisp_bool(ctx, lisp_eql(argv[0], argv[1]));
}
BUILTIN(b_equal)
{
	return lisp_bool(ctx, lisp_equal(ctx, argv[0], argv[1]));
}
BUILTIN(b_equalp)
{
	return lisp_bool(ctx, lisp_equalp(ctx, argv[0], argv[1]));
}

/* ---- mapping ---- */

enum { MAP_CAR, MAP_LIST };
enum { ACC_NONE, ACC_LIST, ACC_NCONC };

static lv map_lists(struct lisp_ctx *ctx, int argc, lv *argv, int on, int acc)
{
	lv fn = lisp_function_of(ctx, argv[0]);
	int nl = argc - 1;
	lv lists_vec = lisp_make_vector(ctx, (size_t)nl, LISP_NIL);
	lv args_vec = lisp_make_vector(ctx, (size_t)nl, LISP_NIL);
	lv *lists = lisp_vector_data(lists_vec), *args = lisp_vector_data(args_vec);
	for (int i = 0; i < nl; i++)
		lists[i] = list_arg(ctx, argv[i + 1]);
	lv head = LISP_NIL, tail = NULL;
	for (;;) {
		for (int i = 0; i < nl; i++) {
			if (!lisp_consp(lists[i]))
				goto done;
			args[i] = on == MAP_CAR ? lisp_car(lists[i]) : lists[i];
			lists[i] = lisp_cdr(lists[i]);
		}
		lisp_tick(ctx);
		lv r = lisp_call(ctx, fn, nl, args);
		if (acc == ACC_LIST) {
			lv c = lisp_cons(ctx, r, LISP_NIL);
			if (tail)
				CONS(tail)->cdr = c;
			else
				head = c;
			tail = c;
		} else if (acc == ACC_NCONC && r != LISP_NIL) {
			if (tail)
				CONS(tail)->cdr = r;
			else
				head = r;
			if (lisp_consp(r)) {
				tail = r;
				while (lisp_consp(lisp_cdr(tail)))
					tail = lisp_cdr(tail);
			}
		}
	}
done:
	ctx->mv_n = 1;
	return acc == ACC_NONE ? argv[1] : head;
}

BUILTIN(b_mapcar)
{
	return map_lists(ctx, argc, argv, MAP_CAR, ACC_LIST);
}
BUILTIN(b_mapc)
{
	return map_lists(ctx, argc, argv, MAP_CAR, ACC_NONE);
}
BUILTIN(b_mapcan)
{
	return map_lists(ctx, argc, argv, MAP_CAR, ACC_NCONC);
}
BUILTIN(b_maplist)
{
	return map_lists(ctx, argc, argv, MAP_LIST, ACC_LIST);
}
BUILTIN(b_mapl)
{
	return map_lists(ctx, argc, argv, MAP_LIST, ACC_NONE);
}
BUILTIN(b_mapcon)
{
	return map_lists(ctx, argc, argv, MAP_LIST, ACC_NCONC);
}

/* ---- membership, association ---- */

BUILTIN(b_member)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	for (lv l = list_arg(ctx, argv[1]); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		if (lisp_seq_test(ctx, &k, argv[0], lisp_car(l)))
			return l;
	}
	return LISP_NIL;
}

static lv member_if(struct lisp_ctx *ctx, int argc, lv *argv, bool want)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	lv pred = lisp_function_of(ctx, argv[0]);
	for (lv l = list_arg(ctx, argv[1]); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		if ((lisp_call1(ctx, pred, lisp_seq_key(ctx, &k, lisp_car(l))) != LISP_NIL) == want)
			return l;
	}
	return LISP_NIL;
}

BUILTIN(b_member_if)
{
	return member_if(ctx, argc, argv, true);
}
BUILTIN(b_member_if_not)
{
	return member_if(ctx, argc, argv, false);
}

static lv assoc(struct lisp_ctx *ctx, int argc, lv *argv, bool use_cdr)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	for (lv l = list_arg(ctx, argv[1]); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv pair = lisp_car(l);
		if (pair == LISP_NIL)
			continue;
		if (!lisp_consp(pair))
			lisp_type_error(ctx, pair, "cons");
		if (lisp_seq_test(ctx, &k, argv[0], use_cdr ? lisp_cdr(pair) : lisp_car(pair)))
			return pair;
	}
	return LISP_NIL;
}

BUILTIN(b_assoc)
{
	return assoc(ctx, argc, argv, false);
}
BUILTIN(b_rassoc)
{
	return assoc(ctx, argc, argv, true);
}

static lv assoc_if(struct lisp_ctx *ctx, int argc, lv *argv, bool use_cdr)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	lv pred = lisp_function_of(ctx, argv[0]);
	for (lv l = list_arg(ctx, argv[1]); lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		lv pair = lisp_car(l);
		if (lisp_consp(pair) &&
		    lisp_call1(ctx, pred,
			       lisp_seq_key(ctx, &k, use_cdr ? lisp_cdr(pair) : lisp_car(pair))) !=
			    LISP_NIL)
			return pair;
	}
	return LISP_NIL;
}

BUILTIN(b_assoc_if)
{
	return assoc_if(ctx, argc, argv, false);
}
BUILTIN(b_rassoc_if)
{
	return assoc_if(ctx, argc, argv, true);
}

BUILTIN(b_acons)
{
	return lisp_cons(ctx, lisp_cons(ctx, argv[0], argv[1]), argv[2]);
}

BUILTIN(b_pairlis)
{
	lv r = argc > 2 ? argv[2] : LISP_NIL;
	lv k = list_arg(ctx, argv[0]), v = list_arg(ctx, argv[1]);
	for (; lisp_consp(k) && lisp_consp(v); k = lisp_cdr(k), v = lisp_cdr(v))
		r = lisp_cons(ctx, lisp_cons(ctx, lisp_car(k), lisp_car(v)), r);
	return r;
}

BUILTIN(b_getf)
{
	lv pl = list_arg(ctx, argv[0]);
	for (size_t n = 0; lisp_consp(pl); pl = lisp_cddr(pl), n++) {
		lisp_tick(ctx);
		if (!lisp_consp(lisp_cdr(pl)))
			lisp_error(ctx, "GETF: malformed property list");
		if (lisp_car(pl) == argv[1])
			return lisp_cadr(pl);
	}
	return argc > 2 ? argv[2] : LISP_NIL;
}

/* (system::%putf plist indicator value) => the new plist */
BUILTIN(b_putf)
{
	for (lv pl = list_arg(ctx, argv[0]); lisp_consp(pl); pl = lisp_cddr(pl)) {
		lisp_tick(ctx);
		if (!lisp_consp(lisp_cdr(pl)))
			lisp_error(ctx, "(SETF GETF): malformed property list");
		if (lisp_car(pl) == argv[1]) {
			CONS(lisp_cdr(pl))->car = argv[2];
			return argv[0];
		}
	}
	return lisp_cons(ctx, argv[1], lisp_cons(ctx, argv[2], argv[0]));
}

/* (system::%remf plist indicator) => new plist, found */
BUILTIN(b_remf)
{
	lv prev = NULL;
	for (lv pl = list_arg(ctx, argv[0]); lisp_consp(pl) && lisp_consp(lisp_cdr(pl));
	     prev = pl, pl = lisp_cddr(pl)) {
		lisp_tick(ctx);
		if (lisp_car(pl) == argv[1]) {
			if (!prev)
				return lisp_values2(ctx, lisp_cddr(pl), ctx->t);
			CONS(lisp_cdr(prev))->cdr = lisp_cddr(pl);
			return lisp_values2(ctx, argv[0], ctx->t);
		}
	}
	return lisp_values2(ctx, argv[0], LISP_NIL);
}

/* ---- sets ---- */

static bool in_list(struct lisp_ctx *ctx, const struct lisp_keys *k, lv item, lv list)
{
	lv key_item = lisp_seq_key(ctx, k, item);
	for (lv l = list; lisp_consp(l); l = lisp_cdr(l)) {
		lisp_tick(ctx);
		if (lisp_seq_test(ctx, k, key_item, lisp_car(l)))
			return true;
	}
	return false;
}

BUILTIN(b_adjoin)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	lv l = list_arg(ctx, argv[1]);
	return in_list(ctx, &k, argv[0], l) ? l : lisp_cons(ctx, argv[0], l);
}

/* op 0: elements of a not in b; 1: elements of a in b */
static lv set_op(struct lisp_ctx *ctx, int argc, lv *argv, int op, lv tail)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	lv a = list_arg(ctx, argv[0]), b = list_arg(ctx, argv[1]);
	lv r = LISP_NIL;
	for (lv l = a; lisp_consp(l); l = lisp_cdr(l))
		if (in_list(ctx, &k, lisp_car(l), b) == (op == 1))
			r = lisp_cons(ctx, lisp_car(l), r);
	lv out = tail;
	for (; lisp_consp(r); r = lisp_cdr(r))
		out = lisp_cons(ctx, lisp_car(r), out);
	return out;
}

BUILTIN(b_union)
{
	return set_op(ctx, argc, argv, 0, list_arg(ctx, argv[1]));
}
BUILTIN(b_set_difference)
{
	return set_op(ctx, argc, argv, 0, LISP_NIL);
}
BUILTIN(b_intersection)
{
	return set_op(ctx, argc, argv, 1, LISP_NIL);
}

BUILTIN(b_subsetp)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	for (lv l = list_arg(ctx, argv[0]); lisp_consp(l); l = lisp_cdr(l))
		if (!in_list(ctx, &k, lisp_car(l), list_arg(ctx, argv[1])))
			return LISP_NIL;
	return ctx->t;
}

/* ---- trees ---- */

static lv subst(struct lisp_ctx *ctx, const struct lisp_keys *k, lv new, lv old, lv tree, int depth)
{
	if (lisp_seq_test(ctx, k, old, tree))
		return new;
	if (!lisp_consp(tree))
		return tree;
	if (depth > 10000)
		lisp_error(ctx, "SUBST: tree nested too deeply");
	lisp_check_limits(ctx);
	lv a = subst(ctx, k, new, old, lisp_car(tree), depth + 1);
	lv d = subst(ctx, k, new, old, lisp_cdr(tree), depth + 1);
	if (a == lisp_car(tree) && d == lisp_cdr(tree))
		return tree;
	lv c = lisp_cons(ctx, a, d);
	CONS(c)->loc = CONS(tree)->loc;
	CONS(c)->car_loc = CONS(tree)->car_loc;
	return c;
}

BUILTIN(b_subst)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 3, &k);
	return subst(ctx, &k, argv[0], argv[1], argv[2], 0);
}

static lv sublis(struct lisp_ctx *ctx, const struct lisp_keys *k, lv alist, lv tree, int depth)
{
	for (lv l = alist; lisp_consp(l); l = lisp_cdr(l))
		if (lisp_consp(lisp_car(l)) && lisp_seq_test(ctx, k, lisp_car(lisp_car(l)), tree))
			return lisp_cdr(lisp_car(l));
	if (!lisp_consp(tree))
		return tree;
	if (depth > 10000)
		lisp_error(ctx, "SUBLIS: tree nested too deeply");
	lisp_check_limits(ctx);
	lv a = sublis(ctx, k, alist, lisp_car(tree), depth + 1);
	lv d = sublis(ctx, k, alist, lisp_cdr(tree), depth + 1);
	if (a == lisp_car(tree) && d == lisp_cdr(tree))
		return tree;
	return lisp_cons(ctx, a, d);
}

BUILTIN(b_sublis)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	return sublis(ctx, &k, argv[0], argv[1], 0);
}

static const struct lisp_builtin_def defs[] = {
	{ "car", b_car, 1, 1 },
	{ "cdr", b_cdr, 1, 1 },
	{ "cons", b_cons, 2, 2 },
	{ "list", b_list, 0, -1 },
	{ "list*", b_liststar, 1, -1 },
	{ "rest", b_rest, 1, 1 },
	{ "nth", b_nth, 2, 2 },
	{ "system::%set-nth", b_set_nth, 3, 3 },
	{ "nthcdr", b_nthcdr, 2, 2 },
	{ "last", b_last, 1, 2 },
	{ "butlast", b_butlast, 1, 2 },
	{ "nbutlast", b_butlast, 1, 2 },
	{ "copy-list", b_copy_list, 1, 1 },
	{ "copy-tree", b_copy_tree, 1, 1 },
	{ "append", b_append, 0, -1 },
	{ "nconc", b_nconc, 0, -1 },
	{ "revappend", b_revappend, 2, 2 },
	{ "make-list", b_make_list, 1, 3 },
	{ "list-length", b_list_length, 1, 1 },
	{ "rplaca", b_rplaca, 2, 2 },
	{ "rplacd", b_rplacd, 2, 2 },
	{ "null", b_null, 1, 1 },
	{ "not", b_null, 1, 1 },
	{ "consp", b_consp, 1, 1 },
	{ "listp", b_listp, 1, 1 },
	{ "atom", b_atom, 1, 1 },
	{ "endp", b_endp, 1, 1 },
	{ "eq", b_eq, 2, 2 },
	{ "eql", b_eql, 2, 2 },
	{ "equal", b_equal, 2, 2 },
	{ "equalp", b_equalp, 2, 2 },
	{ "mapcar", b_mapcar, 2, -1 },
	{ "mapc", b_mapc, 2, -1 },
	{ "mapcan", b_mapcan, 2, -1 },
	{ "maplist", b_maplist, 2, -1 },
	{ "mapl", b_mapl, 2, -1 },
	{ "mapcon", b_mapcon, 2, -1 },
	{ "member", b_member, 2, -1 },
	{ "member-if", b_member_if, 2, -1 },
	{ "member-if-not", b_member_if_not, 2, -1 },
	{ "assoc", b_assoc, 2, -1 },
	{ "rassoc", b_rassoc, 2, -1 },
	{ "assoc-if", b_assoc_if, 2, -1 },
	{ "rassoc-if", b_rassoc_if, 2, -1 },
	{ "acons", b_acons, 3, 3 },
	{ "pairlis", b_pairlis, 2, 3 },
	{ "getf", b_getf, 2, 3 },
	{ "system::%putf", b_putf, 3, 3 },
	{ "system::%remf", b_remf, 2, 2 },
	{ "adjoin", b_adjoin, 2, -1 },
	{ "union", b_union, 2, -1 },
	{ "intersection", b_intersection, 2, -1 },
	{ "set-difference", b_set_difference, 2, -1 },
	{ "subsetp", b_subsetp, 2, -1 },
	{ "subst", b_subst, 3, -1 },
	{ "sublis", b_sublis, 2, -1 },
};

void lisp_init_lists(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
	for (size_t i = 0; i < ARRAY_LEN(cxr_paths); i++) {
		const char *p = cxr_paths[i];
		char *name = xasprintf("c%sr", p);
		char *setter = xasprintf("system::%%set-c%sr", p);
		if (strlen(p) > 1)
			lisp_defbuiltin(ctx, name, 1, 1, b_cxr, (void *)p);
		lv s = lisp_defbuiltin(ctx, setter, 2, 2, b_set_cxr, (void *)p);
		lv acc = lisp_intern(ctx, name);
		lisp_sym(ctx, acc)->setf = s;
		lisp_sym(ctx, acc)->h.flags |= SYM_SETF_UPDATER;
		free(name);
		free(setter);
	}
	for (size_t i = 0; i < ARRAY_LEN(ordinals); i++) {
		lisp_defbuiltin(ctx, ordinals[i], 1, 1, b_ordinal, (void *)(intptr_t)i);
		lv acc = lisp_intern(ctx, ordinals[i]);
		lisp_sym(ctx, acc)->setf =
			lisp_make_builtin(ctx, lisp_list(ctx, 2, ctx->s.setf, acc), 2, 2,
					  b_set_ordinal, (void *)(intptr_t)i);
		lisp_sym(ctx, acc)->h.flags |= SYM_SETF_UPDATER;
	}
	lv rest = lisp_intern(ctx, "rest");
	lisp_sym(ctx, rest)->setf = lisp_sym(ctx, lisp_intern(ctx, "system::%set-cdr"))->function;
	lisp_sym(ctx, rest)->h.flags |= SYM_SETF_UPDATER;
	lv nth = lisp_intern(ctx, "nth");
	lisp_sym(ctx, nth)->setf = lisp_sym(ctx, lisp_intern(ctx, "system::%set-nth"))->function;
	lisp_sym(ctx, nth)->h.flags |= SYM_SETF_UPDATER;
}
