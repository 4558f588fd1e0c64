/* One-dimensional arrays (general vectors, byte vectors, strings) with fill
 * pointers, and hash table builtins. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- element access ---- */

static size_t dimension(lv a)
{
	if (lisp_stringp(a))
		return STR(a)->len;
	return (a->flags & VEC_FILL_POINTER) ? VECT(a)->cap : VECT(a)->len;
}

static size_t index_of(struct lisp_ctx *ctx, lv a, lv index)
{
	size_t n = dimension(a);
	int64_t i;
	if (!lisp_integerp(index) || !lisp_int_to_i64(index, &i) || i < 0 || (uint64_t)i >= n) {
		char *s = lisp_print_to_cstring(ctx, index, true);
		lv m = lisp_make_cstring(ctx, s);
		free(s);
		lisp_error(ctx, "index %s is out of bounds for an array of length %zu", lisp_str(m),
			   n);
	}
	return (size_t)i;
}

lv lisp_aref(struct lisp_ctx *ctx, lv a, lv index)
{
	if (lisp_stringp(a))
		return lisp_char((unsigned char)lisp_str(a)[index_of(ctx, a, index)]);
	if (!lisp_is(a, LISP_VECTOR))
		lisp_type_error(ctx, a, "vector");
	return lisp_vector_data(a)[index_of(ctx, a, index)];
}

lv lisp_aset(struct lisp_ctx *ctx, lv a, lv index, lv value)
{
	if (lisp_stringp(a)) {
		if (!lisp_charp(value))
			lisp_type_error(ctx, value, "character");
		lisp_str(a)[index_of(ctx, a, index)] = (char)lisp_char_code(value);
		return value;
	}
	if (!lisp_is(a, LISP_VECTOR))
		lisp_type_error(ctx, a, "vector");
	size_t i = index_of(ctx, a, index);
	if ((a->flags & VEC_BYTES) && (!lisp_fixnump(value) || lisp_fixnum_value(value) < 0 ||
				       lisp_fixnum_value(value) > 255))
		lisp_type_error(ctx, value, "(unsigned-byte 8)");
	lisp_vector_data(a)[i] = value;
	return value;
}

BUILTIN(b_aref)
{
	if (argc != 2)
		lisp_error(ctx, "AREF: only one-dimensional arrays are supported");
	return lisp_aref(ctx, argv[0], argv[1]);
}

BUILTIN(b_aset)
{
	if (argc != 3)
		lisp_error(ctx, "(SETF AREF): only one-dimensional arrays are supported");
	return lisp_aset(ctx, argv[0], argv[1], argv[2]);
}

/* ---- construction ---- */

static bool is_type(lv t, const char *name)
{
	return lisp_symbolp(t) && !strcmp(lisp_symbol_name(t), name);
}

BUILTIN(b_make_array)
{
	lv dims = argv[0];
	if (lisp_consp(dims)) {
		if (lisp_cdr(dims) != LISP_NIL)
			lisp_error(ctx, "MAKE-ARRAY: multidimensional arrays are not supported");
		dims = lisp_car(dims);
	}
	int64_t n = lisp_check_fixnum(ctx, dims, 0, 1 << 26);
	static const char *const names[] = {
		"initial-element", "initial-contents", "element-type",
		"adjustable",	   "fill-pointer",     "displaced-to"
	};
	lv k[6];
	lisp_parse_keys(ctx, argc, argv, 1, names, 6, k, false);
	if (k[5])
		lisp_error(ctx, "MAKE-ARRAY: displaced arrays are not supported");
	lv et = k[2] ? k[2] : ctx->t;
	bool chars = is_type(et, "CHARACTER") || is_type(et, "BASE-CHAR") ||
		     is_type(et, "STANDARD-CHAR");
	bool bytes = lisp_consp(et) && is_type(lisp_car(et), "UNSIGNED-BYTE") &&
		     lisp_cadr(et) == lisp_fixnum(8);
	int64_t fill = n;
	if (k[4] && k[4] != LISP_NIL && k[4] != ctx->t)
		fill = lisp_check_fixnum(ctx, k[4], 0, n);
	lv a;
	if (chars) {
		a = lisp_make_empty_string(ctx, (size_t)n, k[3] && k[3] != LISP_NIL);
		char c = k[0] && lisp_charp(k[0]) ? (char)lisp_char_code(k[0]) : 0;
		memset(lisp_str(a), c, (size_t)n);
		STR(a)->len = (uint32_t)fill;
	} else {
		a = lisp_make_vector(ctx, (size_t)n, k[0] ? k[0] : lisp_fixnum(0));
		if (bytes)
			a->flags |= VEC_BYTES;
		if (k[4] && k[4] != LISP_NIL) {
			a->flags |= VEC_FILL_POINTER;
			VECT(a)->len = (uint32_t)fill;
		}
		if (k[3] && k[3] != LISP_NIL)
			a->flags |= VEC_ADJUSTABLE;
	}
	if (k[1]) {
		lv items = k[1];
		size_t i = 0;
		if (lisp_listp(items)) {
			for (; lisp_consp(items) && i < (size_t)n; items = lisp_cdr(items))
				lisp_aset(ctx, a, lisp_fixnum((int64_t)i++), lisp_car(items));
		} else {
			lv len = lisp_call1(ctx, lisp_intern(ctx, "length"), items);
			for (; i < (size_t)n && lisp_int_cmp(lisp_fixnum((int64_t)i), len) < 0; i++)
				lisp_aset(ctx, a, lisp_fixnum((int64_t)i),
					  lisp_aref(ctx, items, lisp_fixnum((int64_t)i)));
		}
		if (i != (size_t)n)
			lisp_error(ctx,
				   "MAKE-ARRAY: :initial-contents has %zu elements, expected %lld",
				   i, (long long)n);
	}
	return a;
}

BUILTIN(b_vector)
{
	return lisp_vector_from(ctx, argv, (size_t)argc);
}

static lv check_vector(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_is(v, LISP_VECTOR) && !lisp_stringp(v))
		lisp_type_error(ctx, v, "vector");
	return v;
}

BUILTIN(b_vector_push)
{
	lv v = check_vector(ctx, argv[1]);
	if (lisp_stringp(v)) {
		if (STR(v)->len >= STR(v)->cap)
			return LISP_NIL;
		char c = (char)lisp_char_code(argv[0]);
		lisp_string_append(ctx, v, &c, 1);
		return lisp_make_uint(ctx, STR(v)->len - 1);
	}
	if (!(v->flags & VEC_FILL_POINTER))
		lisp_error(ctx, "VECTOR-PUSH: the vector has no fill pointer");
	if (VECT(v)->len >= VECT(v)->cap)
		return LISP_NIL;
	lisp_vector_data(v)[VECT(v)->len++] = argv[0];
	return lisp_make_uint(ctx, VECT(v)->len - 1);
}

BUILTIN(b_vector_push_extend)
{
	lv v = check_vector(ctx, argv[1]);
	if (lisp_stringp(v)) {
		if (!lisp_charp(argv[0]))
			lisp_type_error(ctx, argv[0], "character");
		char c = (char)lisp_char_code(argv[0]);
		lisp_string_append(ctx, v, &c, 1);
		return lisp_make_uint(ctx, STR(v)->len - 1);
	}
	if (!(v->flags & VEC_FILL_POINTER))
		lisp_error(ctx, "VECTOR-PUSH-EXTEND: the vector has no fill pointer");
	if ((v->flags & VEC_BYTES) && (!lisp_fixnump(argv[0]) || lisp_fixnum_value(argv[0]) < 0 ||
				       lisp_fixnum_value(argv[0]) > 255))
		lisp_type_error(ctx, argv[0], "(unsigned-byte 8)");
	lisp_vector_push(ctx, v, argv[0]);
	return lisp_make_uint(ctx, VECT(v)->len - 1);
}

BUILTIN(b_vector_pop)
{
	lv v = check_vector(ctx, argv[0]);
	if (lisp_stringp(v)) {
		if (!STR(v)->len)
			lisp_error(ctx, "VECTOR-POP: the fill pointer is zero");
		return lisp_char((unsigned char)lisp_str(v)[--STR(v)->len]);
	}
	if (!(v->flags & VEC_FILL_POINTER) || !VECT(v)->len)
		lisp_error(ctx, "VECTOR-POP: no fill pointer or it is zero");
	return lisp_vector_data(v)[--VECT(v)->len];
}

BUILTIN(b_fill_pointer)
{
	lv v = check_vector(ctx, argv[0]);
	return lisp_make_uint(ctx, lisp_stringp(v) ? STR(v)->len : VECT(v)->len);
}

BUILTIN(b_set_fill_pointer)
{
	lv v = check_vector(ctx, argv[0]);
	int64_t n = lisp_check_fixnum(ctx, argv[1], 0,
				      lisp_stringp(v) ? STR(v)->cap : (int64_t)VECT(v)->cap);
	if (lisp_stringp(v)) {
		STR(v)->len = (uint32_t)n;
		lisp_str(v)[n] = 0;
	} else {
		VECT(v)->len = (uint32_t)n;
	}
	return argv[1];
}

BUILTIN(b_array_dimension)
{
	return lisp_make_uint(ctx, dimension(check_vector(ctx, argv[0])));
}

BUILTIN(b_array_dimensions)
{
	return lisp_list(ctx, 1, b_array_dimension(ctx, argc, argv, data));
}

BUILTIN(b_array_rank)
{
	check_vector(ctx, argv[0]);
	return lisp_fixnum(1);
}

BUILTIN(b_vectorp)
{
	return lisp_bool(ctx, lisp_is(argv[0], LISP_VECTOR) || lisp_stringp(argv[0]));
}

BUILTIN(b_simple_vector_p)
{
	return lisp_bool(ctx, lisp_is(argv[0], LISP_VECTOR) &&
				      !(argv[0]->flags & (VEC_FILL_POINTER | VEC_BYTES)));
}

BUILTIN(b_adjustable_array_p)
{
	lv v = check_vector(ctx, argv[0]);
	return lisp_bool(ctx, lisp_stringp(v) ? (v->flags & STR_ADJUSTABLE) != 0
					      : (v->flags & VEC_ADJUSTABLE) != 0);
}

BUILTIN(b_has_fill_pointer)
{
	lv v = check_vector(ctx, argv[0]);
	return lisp_bool(ctx, !lisp_stringp(v) && (v->flags & VEC_FILL_POINTER));
}

BUILTIN(b_adjust_array)
{
	lv v = check_vector(ctx, argv[0]);
	lv dims = lisp_consp(argv[1]) ? lisp_car(argv[1]) : argv[1];
	int64_t n = lisp_check_fixnum(ctx, dims, 0, 1 << 26);
	if (lisp_stringp(v)) {
		if (n > STR(v)->len) {
			char *z = xcalloc((size_t)(n - STR(v)->len), 1);
			lisp_cleanup_push(ctx, free, z);
			lisp_string_append(ctx, v, z, (size_t)(n - STR(v)->len));
			lisp_cleanup_pop(ctx, true);
		}
		STR(v)->len = (uint32_t)n;
		return v;
	}
	while ((int64_t)VECT(v)->cap < n)
		lisp_vector_push(ctx, v, lisp_fixnum(0));
	if (!(v->flags & VEC_FILL_POINTER))
		VECT(v)->len = (uint32_t)n;
	return v;
}

/* ---- hash tables ---- */

static lv check_hash(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_is(v, LISP_HASH))
		lisp_type_error(ctx, v, "hash-table");
	return v;
}

BUILTIN(b_make_hash_table)
{
	static const char *const names[] = { "test",	    "size",
					     "rehash-size", "rehash-threshold",
					     "weakness",    "synchronized" };
	lv k[6];
	lisp_parse_keys(ctx, argc, argv, 0, names, 6, k, false);
	const char *test = "eql";
	if (k[0]) {
		lv t = k[0];
		if (lisp_functionp(t))
			t = lisp_fn_name(t);
		const char *n = lisp_symbolp(t) ? lisp_symbol_name(t) : "";
		if (!strcmp(n, "EQ"))
			test = "eq";
		else if (!strcmp(n, "EQUAL"))
			test = "equal";
		else if (!strcmp(n, "EQUALP"))
			test = "equalp";
		else if (strcmp(n, "EQL"))
			lisp_error(ctx, "MAKE-HASH-TABLE: :test must be EQ, EQL, EQUAL or EQUALP");
	}
	return lisp_make_hash_table(ctx, test);
}

BUILTIN(b_gethash)
{
	bool found;
	lv v = lisp_gethash(ctx, check_hash(ctx, argv[1]), argv[0], &found);
	return lisp_values2(ctx, found ? v : argc > 2 ? argv[2] : LISP_NIL, lisp_bool(ctx, found));
}

/* (setf (gethash key table [default]) value) */
BUILTIN(b_puthash)
{
	lisp_puthash(ctx, check_hash(ctx, argv[1]), argv[0], argv[argc - 1]);
	return argv[argc - 1];
}

BUILTIN(b_remhash)
{
	return lisp_hash_remove(ctx, check_hash(ctx, argv[1]), argv[0]);
}

BUILTIN(b_clrhash)
{
	lisp_hash_clear(ctx, check_hash(ctx, argv[0]));
	return argv[0];
}

BUILTIN(b_maphash)
{
	lv fn = lisp_function_of(ctx, argv[0]);
	lv h = check_hash(ctx, argv[1]);
	for (uint32_t i = 0; i < HASH(h)->used; i++) {
		lv kv = HASH(h)->kv;
		if (!kv || 2 * i + 1 >= kv->aux)
			break;
		lv key = VALS(kv)->v[2 * i];
		if (!key)
			continue;
		lisp_tick(ctx);
		lisp_call2(ctx, fn, key, VALS(kv)->v[2 * i + 1]);
	}
	ctx->mv_n = 1;
	return LISP_NIL;
}

BUILTIN(b_hash_table_count)
{
	return lisp_make_uint(ctx, HASH(check_hash(ctx, argv[0]))->count);
}

BUILTIN(b_hash_table_p)
{
	return lisp_bool(ctx, lisp_is(argv[0], LISP_HASH));
}

BUILTIN(b_hash_table_test)
{
	static const char *const names[] = { "eq", "eql", "equal", "equalp" };
	return lisp_intern(ctx, names[check_hash(ctx, argv[0])->aux & 3]);
}

BUILTIN(b_sxhash)
{
	return lisp_fixnum(lisp_sxhash(ctx, argv[0], HT_EQUAL, 0) & 0x3fffffff);
}

static const struct lisp_builtin_def defs[] = {
	{ "aref", b_aref, 1, -1 },
	{ "system::%aset", b_aset, 2, -1 },
	{ "svref", b_aref, 2, 2 },
	{ "row-major-aref", b_aref, 2, 2 },
	{ "make-array", b_make_array, 1, -1 },
	{ "vector", b_vector, 0, -1 },
	{ "vector-push", b_vector_push, 2, 2 },
	{ "vector-push-extend", b_vector_push_extend, 2, 3 },
	{ "vector-pop", b_vector_pop, 1, 1 },
	{ "fill-pointer", b_fill_pointer, 1, 1 },
	{ "system::%set-fill-pointer", b_set_fill_pointer, 2, 2 },
	{ "array-dimension", b_array_dimension, 2, 2 },
	{ "array-dimensions", b_array_dimensions, 1, 1 },
	{ "array-total-size", b_array_dimension, 1, 1 },
	{ "array-rank", b_array_rank, 1, 1 },
	{ "vectorp", b_vectorp, 1, 1 },
	{ "arrayp", b_vectorp, 1, 1 },
	{ "simple-vector-p", b_simple_vector_p, 1, 1 },
	{ "adjustable-array-p", b_adjustable_array_p, 1, 1 },
	{ "array-has-fill-pointer-p", b_has_fill_pointer, 1, 1 },
	{ "adjust-array", b_adjust_array, 2, -1 },
	{ "make-hash-table", b_make_hash_table, 0, -1 },
	{ "gethash", b_gethash, 2, 3 },
	{ "system::%puthash", b_puthash, 3, 4 },
	{ "remhash", b_remhash, 2, 2 },
	{ "clrhash", b_clrhash, 1, 1 },
	{ "maphash", b_maphash, 2, 2 },
	{ "hash-table-count", b_hash_table_count, 1, 1 },
	{ "hash-table-p", b_hash_table_p, 1, 1 },
	{ "hash-table-test", b_hash_table_test, 1, 1 },
	{ "sxhash", b_sxhash, 1, 1 },
};

static void updater(struct lisp_ctx *ctx, const char *acc, const char *fn)
{
	struct lisp_symbol *s = lisp_sym(ctx, lisp_intern(ctx, acc));
	s->setf = lisp_sym(ctx, lisp_intern(ctx, fn))->function;
	s->h.flags |= SYM_SETF_UPDATER;
}

void lisp_init_arrays(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
	updater(ctx, "aref", "system::%aset");
	updater(ctx, "svref", "system::%aset");
	updater(ctx, "gethash", "system::%puthash");
	updater(ctx, "fill-pointer", "system::%set-fill-pointer");
}

void lisp_parse_keys(struct lisp_ctx *ctx, int argc, lv *argv, int start, const char *const *names,
		     int n, lv *out, bool allow_other)
{
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	if ((argc - start) % 2)
		lisp_error(ctx, "odd number of keyword arguments");
	for (int i = start; i < argc; i += 2) {
		lv key = argv[i];
		if (!lisp_keywordp(key))
			lisp_error(ctx, "keyword argument expected");
		int j;
		for (j = 0; j < n; j++)
			if (!strcasecmp(lisp_symbol_name(key), names[j]))
				break;
		if (j == n) {
			if (allow_other || !strcmp(lisp_symbol_name(key), "ALLOW-OTHER-KEYS"))
				continue;
			lisp_error_type(ctx, ctx->s.program_error, "unknown keyword argument :%s",
					lisp_symbol_name(key));
		}
		if (!out[j])
			out[j] = argv[i + 1];
	}
}
