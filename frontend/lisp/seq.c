/* Sequence functions over lists, vectors and strings (with :key :test
 * :start :end :from-end :count), sorting, and one-dimensional arrays. */
#include "frontend/lisp/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- keyword arguments ---- */

void lisp_seq_keys(struct lisp_ctx *ctx, int argc, lv *argv, int start, struct lisp_keys *k)
{
	memset(k, 0, sizeof(*k));
	if ((argc - start) % 2)
		lisp_error(ctx, "odd number of keyword arguments");
	for (int i = start; i < argc; i += 2) {
		lv key = argv[i], v = argv[i + 1];
		lv *slot = key == ctx->s.k_test		   ? &k->test
			   : key == ctx->s.k_test_not	   ? &k->test_not
			   : key == ctx->s.k_key	   ? &k->key
			   : key == ctx->s.k_start	   ? &k->start
			   : key == ctx->s.k_end	   ? &k->end
			   : key == ctx->s.k_from_end	   ? &k->from_end
			   : key == ctx->s.k_count	   ? &k->count
			   : key == ctx->s.k_initial_value ? &k->initial_value
							   : NULL;
		if (!slot) {
			char *s = lisp_print_to_cstring(ctx, key, true);
			lv m = lisp_make_cstring(ctx, s);
			free(s);
			lisp_error_type(ctx, ctx->s.program_error, "unknown keyword argument %s",
					lisp_str(m));
		}
		if (!*slot)
			*slot = v;
	}
	if (k->key == LISP_NIL)
		k->key = NULL;
	if (k->key)
		k->key = lisp_function_of(ctx, k->key);
	if (k->test)
		k->test = lisp_function_of(ctx, k->test);
	if (k->test_not)
		k->test_not = lisp_function_of(ctx, k->test_not);
}

lv lisp_seq_key(struct lisp_ctx *ctx, const struct lisp_keys *k, lv elem)
{
	return k->key ? lisp_call1(ctx, k->key, elem) : elem;
}

bool lisp_seq_test(struct lisp_ctx *ctx, const struct lisp_keys *k, lv item, lv elem)
{
	elem = lisp_seq_key(ctx, k, elem);
	if (k->test_not)
		return lisp_call2(ctx, k->test_not, item, elem) == LISP_NIL;
	if (!k->test)
		return lisp_eql(item, elem);
	return lisp_call2(ctx, k->test, item, elem) != LISP_NIL;
}

/* ---- sequences as arrays ---- */

enum { SEQ_LIST, SEQ_VECTOR, SEQ_STRING };

struct seqv {
	lv vec; /* a vector holding the elements (keeps them alive) */
	lv *items;
	size_t n;
	int kind;
};

static void seq_open(struct lisp_ctx *ctx, lv seq, struct seqv *s)
{
	if (lisp_listp(seq)) {
		s->kind = SEQ_LIST;
		s->n = lisp_list_length(seq);
		if (lisp_consp(lisp_nthcdr_raw(seq, s->n)))
			lisp_error(ctx, "the list is circular");
		s->vec = lisp_make_vector(ctx, s->n, LISP_NIL);
		s->items = lisp_vector_data(s->vec);
		size_t i = 0;
		for (lv l = seq; lisp_consp(l) && i < s->n; l = lisp_cdr(l)) {
			if (!(i % 256))
				lisp_tick(ctx);
			s->items[i++] = lisp_car(l);
		}
	} else if (lisp_stringp(seq)) {
		s->kind = SEQ_STRING;
		s->n = STR(seq)->len;
		s->vec = lisp_make_vector(ctx, s->n, LISP_NIL);
		s->items = lisp_vector_data(s->vec);
		for (size_t i = 0; i < s->n; i++)
			s->items[i] = lisp_char((unsigned char)lisp_str(seq)[i]);
	} else if (lisp_is(seq, LISP_VECTOR)) {
		s->kind = SEQ_VECTOR;
		s->n = VECT(seq)->len;
		s->vec = lisp_vector_from(ctx, lisp_vector_data(seq), s->n);
		s->items = lisp_vector_data(s->vec);
	} else {
		lisp_type_error(ctx, seq, "sequence");
	}
}

lv lisp_seq_make(struct lisp_ctx *ctx, int kind, lv *items, size_t n)
{
	if (kind == SEQ_LIST)
		return lisp_list_from(ctx, items, n, LISP_NIL);
	if (kind == SEQ_VECTOR)
		return lisp_vector_from(ctx, items, n);
	lv s = lisp_make_empty_string(ctx, n, false);
	for (size_t i = 0; i < n; i++) {
		if (!lisp_charp(items[i]))
			lisp_type_error(ctx, items[i], "character");
		lisp_str(s)[i] = (char)lisp_char_code(items[i]);
	}
	STR(s)->len = (uint32_t)n;
	return s;
}

static void bounds(struct lisp_ctx *ctx, const struct lisp_keys *k, size_t n, size_t *start,
		   size_t *end)
{
	*start = k->start ? (size_t)lisp_check_fixnum(ctx, k->start, 0, (int64_t)n) : 0;
	*end = k->end && k->end != LISP_NIL ? (size_t)lisp_check_fixnum(ctx, k->end, 0, (int64_t)n)
					    : n;
	if (*start > *end)
		lisp_error(ctx, "the bounding indices :start %zu and :end %zu are not in order",
			   *start, *end);
}

static lv length(struct lisp_ctx *ctx, lv seq)
{
	if (lisp_listp(seq)) {
		size_t n = lisp_list_length(seq);
		lv tail = lisp_nthcdr_raw(seq, n);
		if (tail != LISP_NIL)
			lisp_error(ctx, lisp_consp(tail) ? "LENGTH: the list is circular"
							 : "LENGTH: the list is dotted");
		return lisp_make_uint(ctx, n);
	}
	if (lisp_stringp(seq))
		return lisp_make_uint(ctx, STR(seq)->len);
	if (lisp_is(seq, LISP_VECTOR))
		return lisp_make_uint(ctx, VECT(seq)->len);
	lisp_type_error(ctx, seq, "sequence");
}

BUILTIN(b_length)
{
	return length(ctx, argv[0]);
}

BUILTIN(b_elt)
{
	if (lisp_listp(argv[0])) {
		int64_t i = lisp_check_fixnum(ctx, argv[1], 0, LISP_FIXNUM_MAX);
		lv l = lisp_nthcdr_raw(argv[0], (size_t)i);
		if (!lisp_consp(l))
			lisp_error(ctx, "ELT: index %lld is beyond the end of the list",
				   (long long)i);
		return lisp_car(l);
	}
	return lisp_aref(ctx, argv[0], argv[1]);
}

BUILTIN(b_set_elt)
{
	if (lisp_listp(argv[0])) {
		int64_t i = lisp_check_fixnum(ctx, argv[1], 0, LISP_FIXNUM_MAX);
		lv l = lisp_nthcdr_raw(argv[0], (size_t)i);
		if (!lisp_consp(l))
			lisp_error(ctx, "(SETF ELT): index %lld is beyond the end of the list",
				   (long long)i);
		CONS(l)->car = argv[2];
		return argv[2];
	}
	return lisp_aset(ctx, argv[0], argv[1], argv[2]);
}

BUILTIN(b_subseq)
{
	struct seqv s;
	seq_open(ctx, argv[0], &s);
	size_t start = (size_t)lisp_check_fixnum(ctx, argv[1], 0, (int64_t)s.n);
	size_t end = argc > 2 && argv[2] != LISP_NIL
			     ? (size_t)lisp_check_fixnum(ctx, argv[2], (int64_t)start, (int64_t)s.n)
			     : s.n;
	return lisp_seq_make(ctx, s.kind, s.items + start, end - start);
}

BUILTIN(b_copy_seq)
{
	if (lisp_listp(argv[0]))
		return lisp_copy_list(ctx, argv[0]);
	struct seqv s;
	seq_open(ctx, argv[0], &s);
	return lisp_seq_make(ctx, s.kind, s.items, s.n);
}

BUILTIN(b_reverse)
{
	if (lisp_listp(argv[0])) {
		lv r = LISP_NIL;
		for (lv l = argv[0]; lisp_consp(l); l = lisp_cdr(l)) {
			lisp_tick(ctx);
			r = lisp_cons(ctx, lisp_car(l), r);
		}
		return r;
	}
	struct seqv s;
	seq_open(ctx, argv[0], &s);
	for (size_t i = 0; i < s.n / 2; i++) {
		lv t = s.items[i];
		s.items[i] = s.items[s.n - 1 - i];
		s.items[s.n - 1 - i] = t;
	}
	return lisp_seq_make(ctx, s.kind, s.items, s.n);
}

BUILTIN(b_nreverse)
{
	if (lisp_listp(argv[0])) {
		lisp_list_length(argv[0]);
		return lisp_nreverse(argv[0]);
	}
	return b_reverse(ctx, argc, argv, data);
}

static int result_kind(struct lisp_ctx *ctx, lv type)
{
	lv t = lisp_consp(type) ? lisp_car(type) : type;
	if (!lisp_symbolp(t))
		lisp_error(ctx, "bad sequence type");
	const char *n = lisp_symbol_name(t);
	if (!strcmp(n, "LIST") || !strcmp(n, "CONS") || !strcmp(n, "NULL"))
		return SEQ_LIST;
	if (!strcmp(n, "STRING") || !strcmp(n, "SIMPLE-STRING") || !strcmp(n, "BASE-STRING"))
		return SEQ_STRING;
	if (!strcmp(n, "VECTOR") || !strcmp(n, "SIMPLE-VECTOR") || !strcmp(n, "ARRAY") ||
	    !strcmp(n, "SIMPLE-ARRAY")) {
		lv et = lisp_consp(type) ? lisp_cadr(type) : LISP_NIL;
		if (lisp_symbolp(et) && (!strcmp(lisp_symbol_name(et), "CHARACTER") ||
					 !strcmp(lisp_symbol_name(et), "BASE-CHAR")))
			return SEQ_STRING;
		return SEQ_VECTOR;
	}
	lisp_error(ctx, "unsupported sequence type %s", n);
}

BUILTIN(b_concatenate)
{
	int kind = result_kind(ctx, argv[0]);
	lv all = lisp_make_vector(ctx, 0, LISP_NIL);
	for (int i = 1; i < argc; i++) {
		struct seqv s;
		seq_open(ctx, argv[i], &s);
		for (size_t k = 0; k < s.n; k++)
			lisp_vector_push(ctx, all, s.items[k]);
	}
	return lisp_seq_make(ctx, kind, lisp_vector_data(all), lisp_vector_length(all));
}

BUILTIN(b_map)
{
	lv fn = lisp_function_of(ctx, argv[1]);
	int nseq = argc - 2;
	lv seqs = lisp_make_vector(ctx, (size_t)nseq, LISP_NIL);
	lv args = lisp_make_vector(ctx, (size_t)nseq, LISP_NIL);
	struct seqv *sv = xcalloc((size_t)nseq, sizeof(*sv));
	lisp_cleanup_push(ctx, free, sv);
	size_t n = SIZE_MAX;
	for (int i = 0; i < nseq; i++) {
		seq_open(ctx, argv[i + 2], &sv[i]);
		lisp_vector_data(seqs)[i] = sv[i].vec;
		n = MIN(n, sv[i].n);
	}
	lv out = lisp_make_vector(ctx, n, LISP_NIL);
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < nseq; i++)
			lisp_vector_data(args)[i] = sv[i].items[k];
		lisp_tick(ctx);
		lisp_vector_data(out)[k] = lisp_call(ctx, fn, nseq, lisp_vector_data(args));
	}
	lisp_cleanup_pop(ctx, true);
	ctx->mv_n = 1;
	if (argv[0] == LISP_NIL)
		return LISP_NIL;
	return lisp_seq_make(ctx, result_kind(ctx, argv[0]), lisp_vector_data(out), n);
}

/* ---- searching ---- */

enum { FIND, POSITION, COUNT };

static lv search_seq(struct lisp_ctx *ctx, lv item, lv pred, bool want, lv seq, int what,
		     struct lisp_keys *k)
{
	struct seqv s;
	seq_open(ctx, seq, &s);
	size_t start, end;
	bounds(ctx, k, s.n, &start, &end);
	bool back = k->from_end && k->from_end != LISP_NIL;
	size_t count = 0;
	for (size_t j = 0; j < end - start; j++) {
		size_t i = back ? end - 1 - j : start + j;
		lisp_tick(ctx);
		bool hit = pred ? (lisp_call1(ctx, pred, lisp_seq_key(ctx, k, s.items[i])) !=
				   LISP_NIL) == want
				: lisp_seq_test(ctx, k, item, s.items[i]);
		if (!hit)
			continue;
		if (what == FIND)
			return s.items[i];
		if (what == POSITION)
			return lisp_make_uint(ctx, i);
		count++;
	}
	return what == COUNT ? lisp_make_uint(ctx, count) : LISP_NIL;
}

#define SEARCH_BUILTIN(fname, what, is_pred, want)                                                \
	BUILTIN(fname)                                                                            \
	{                                                                                         \
		struct lisp_keys k;                                                               \
		lisp_seq_keys(ctx, argc, argv, 2, &k);                                            \
		return search_seq(ctx, is_pred ? NULL : argv[0],                                  \
				  is_pred ? lisp_function_of(ctx, argv[0]) : NULL, want, argv[1], \
				  what, &k);                                                      \
	}

SEARCH_BUILTIN(b_find, FIND, false, true)
SEARCH_BUILTIN(b_find_if, FIND, true, true)
SEARCH_BUILTIN(b_find_if_not, FIND, true, false)
SEARCH_BUILTIN(b_position, POSITION, false, true)
SEARCH_BUILTIN(b_position_if, POSITION, true, true)
SEARCH_BUILTIN(b_position_if_not, POSITION, true, false)
SEARCH_BUILTIN(b_count, COUNT, false, true)
SEARCH_BUILTIN(b_count_if, COUNT, true, true)
SEARCH_BUILTIN(b_count_if_not, COUNT, true, false)

/* ---- removing and substituting ---- */

static lv remove_seq(struct lisp_ctx *ctx, lv item, lv pred, bool want, lv seq, struct lisp_keys *k,
		     lv new, bool substitute)
{
	struct seqv s;
	seq_open(ctx, seq, &s);
	size_t start, end;
	bounds(ctx, k, s.n, &start, &end);
	int64_t limit = k->count && k->count != LISP_NIL
				? lisp_check_fixnum(ctx, k->count, LISP_FIXNUM_MIN, LISP_FIXNUM_MAX)
				: INT64_MAX;
	bool back = k->from_end && k->from_end != LISP_NIL;
	bool *drop = xcalloc(s.n + 1, 1);
	lisp_cleanup_push(ctx, free, drop);
	int64_t done = 0;
	for (size_t j = 0; j < end - start && done < limit; j++) {
		size_t i = back ? end - 1 - j : start + j;
		lisp_tick(ctx);
		bool hit = pred ? (lisp_call1(ctx, pred, lisp_seq_key(ctx, k, s.items[i])) !=
				   LISP_NIL) == want
				: lisp_seq_test(ctx, k, item, s.items[i]);
		if (hit) {
			drop[i] = true;
			done++;
		}
	}
	size_t m = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (!drop[i])
			s.items[m++] = s.items[i];
		else if (substitute)
			s.items[m++] = new;
	}
	lisp_cleanup_pop(ctx, true);
	return lisp_seq_make(ctx, s.kind, s.items, m);
}

#define REMOVE_BUILTIN(fname, is_pred, want)                                                      \
	BUILTIN(fname)                                                                            \
	{                                                                                         \
		struct lisp_keys k;                                                               \
		lisp_seq_keys(ctx, argc, argv, 2, &k);                                            \
		return remove_seq(ctx, is_pred ? NULL : argv[0],                                  \
				  is_pred ? lisp_function_of(ctx, argv[0]) : NULL, want, argv[1], \
				  &k, NULL, false);                                               \
	}

REMOVE_BUILTIN(b_remove, false, true)
REMOVE_BUILTIN(b_remove_if, true, true)
REMOVE_BUILTIN(b_remove_if_not, true, false)

BUILTIN(b_substitute)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 3, &k);
	return remove_seq(ctx, argv[1], NULL, true, argv[2], &k, argv[0], true);
}

BUILTIN(b_substitute_if)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 3, &k);
	return remove_seq(ctx, NULL, lisp_function_of(ctx, argv[1]), true, argv[2], &k, argv[0],
			  true);
}

BUILTIN(b_remove_duplicates)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 1, &k);
	struct seqv s;
	seq_open(ctx, argv[0], &s);
	bool back = k.from_end && k.from_end != LISP_NIL;
	size_t m = 0;
	lv out = lisp_make_vector(ctx, s.n, LISP_NIL);
	lv *o = lisp_vector_data(out);
	/* keep the last occurrence (first with :from-end t), as CL specifies */
	for (size_t j = 0; j < s.n; j++) {
		size_t i = back ? j : s.n - 1 - j;
		lv key = lisp_seq_key(ctx, &k, s.items[i]);
		bool dup = false;
		for (size_t q = 0; q < m && !dup; q++) {
			lisp_tick(ctx);
			dup = lisp_seq_test(ctx, &k, key, o[q]);
		}
		if (!dup)
			o[m++] = s.items[i];
	}
	if (!back)
		for (size_t i = 0; i < m / 2; i++) {
			lv t = o[i];
			o[i] = o[m - 1 - i];
			o[m - 1 - i] = t;
		}
	return lisp_seq_make(ctx, s.kind, o, m);
}

/* ---- reduce, every, some ---- */

BUILTIN(b_reduce)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	lv fn = lisp_function_of(ctx, argv[0]);
	struct seqv s;
	seq_open(ctx, argv[1], &s);
	size_t start, end;
	bounds(ctx, &k, s.n, &start, &end);
	bool back = k.from_end && k.from_end != LISP_NIL;
	size_t n = end - start;
	if (!n)
		return k.initial_value ? k.initial_value : lisp_call(ctx, fn, 0, NULL);
	lv acc;
	size_t j = 0;
	if (k.initial_value) {
		acc = k.initial_value;
	} else {
		acc = lisp_seq_key(ctx, &k, s.items[back ? end - 1 : start]);
		j = 1;
	}
	for (; j < n; j++) {
		lisp_tick(ctx);
		lv x = lisp_seq_key(ctx, &k, s.items[back ? end - 1 - j : start + j]);
		acc = back ? lisp_call2(ctx, fn, x, acc) : lisp_call2(ctx, fn, acc, x);
	}
	ctx->mv_n = 1;
	return acc;
}

/* mode 0 every, 1 some, 2 notany, 3 notevery */
static lv quantify(struct lisp_ctx *ctx, int argc, lv *argv, int mode)
{
	lv fn = lisp_function_of(ctx, argv[0]);
	int nseq = argc - 1;
	struct seqv *sv = xcalloc((size_t)nseq, sizeof(*sv));
	lisp_cleanup_push(ctx, free, sv);
	lv keep = lisp_make_vector(ctx, (size_t)nseq, LISP_NIL);
	lv args = lisp_make_vector(ctx, (size_t)nseq, LISP_NIL);
	size_t n = SIZE_MAX;
	for (int i = 0; i < nseq; i++) {
		seq_open(ctx, argv[i + 1], &sv[i]);
		lisp_vector_data(keep)[i] = sv[i].vec;
		n = MIN(n, sv[i].n);
	}
	lv result = mode == 0 || mode == 2 ? ctx->t : LISP_NIL;
	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < nseq; i++)
			lisp_vector_data(args)[i] = sv[i].items[k];
		lisp_tick(ctx);
		lv r = lisp_call(ctx, fn, nseq, lisp_vector_data(args));
		if (mode == 0 && r == LISP_NIL) {
			result = LISP_NIL;
			break;
		}
		if (mode == 1 && r != LISP_NIL) {
			result = r;
			break;
		}
		if (mode == 2 && r != LISP_NIL) {
			result = LISP_NIL;
			break;
		}
		if (mode == 3 && r == LISP_NIL) {
			result = ctx->t;
			break;
		}
	}
	lisp_cleanup_pop(ctx, true);
	ctx->mv_n = 1;
	return result;
}

BUILTIN(b_every)
{
	return quantify(ctx, argc, argv, 0);
}
BUILTIN(b_some)
{
	return quantify(ctx, argc, argv, 1);
}
BUILTIN(b_notany)
{
	return quantify(ctx, argc, argv, 2);
}
BUILTIN(b_notevery)
{
	return quantify(ctx, argc, argv, 3);
}

/* ---- sorting ---- */

struct sorter {
	struct lisp_ctx *ctx;
	lv pred, key;
};

static bool before(struct sorter *s, lv a, lv b)
{
	lisp_tick(s->ctx);
	if (s->key) {
		a = lisp_call1(s->ctx, s->key, a);
		b = lisp_call1(s->ctx, s->key, b);
	}
	return lisp_call2(s->ctx, s->pred, a, b) != LISP_NIL;
}

static void merge_sort(struct sorter *s, lv *a, lv *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(s, a, tmp, h);
	merge_sort(s, a + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = before(s, a[j], a[i]) ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(lv));
}

BUILTIN(b_sort)
{
	struct sorter s = { ctx, lisp_function_of(ctx, argv[1]), NULL };
	for (int i = 2; i + 1 < argc; i += 2)
		if (argv[i] == ctx->s.k_key && argv[i + 1] != LISP_NIL)
			s.key = lisp_function_of(ctx, argv[i + 1]);
	struct seqv v;
	seq_open(ctx, argv[0], &v);
	lv tmp = lisp_make_vector(ctx, v.n, LISP_NIL);
	merge_sort(&s, v.items, lisp_vector_data(tmp), v.n);
	ctx->mv_n = 1;
	/* sorted in place: list cells and vector slots get the new order */
	if (v.kind == SEQ_LIST) {
		size_t i = 0;
		for (lv l = argv[0]; lisp_consp(l) && i < v.n; l = lisp_cdr(l))
			CONS(l)->car = v.items[i++];
	} else if (v.kind == SEQ_VECTOR) {
		memcpy(lisp_vector_data(argv[0]), v.items, v.n * sizeof(lv));
	} else {
		for (size_t i = 0; i < v.n; i++)
			lisp_str(argv[0])[i] = (char)lisp_char_code(v.items[i]);
	}
	return argv[0];
}

/* ---- fill, replace, search ---- */

BUILTIN(b_fill)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	struct seqv s;
	seq_open(ctx, argv[0], &s);
	size_t start, end;
	bounds(ctx, &k, s.n, &start, &end);
	if (s.kind == SEQ_LIST) {
		lv l = lisp_nthcdr_raw(argv[0], start);
		for (size_t i = start; i < end; i++, l = lisp_cdr(l))
			CONS(l)->car = argv[1];
	} else {
		for (size_t i = start; i < end; i++)
			lisp_aset(ctx, argv[0], lisp_fixnum((int64_t)i), argv[1]);
	}
	return argv[0];
}

BUILTIN(b_replace)
{
	struct seqv a, b;
	seq_open(ctx, argv[0], &a);
	seq_open(ctx, argv[1], &b);
	size_t s1 = 0, e1 = a.n, s2 = 0, e2 = b.n;
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *n = lisp_symbolp(argv[i]) ? lisp_symbol_name(argv[i]) : "";
		size_t *slot = !strcmp(n, "START1")   ? &s1
			       : !strcmp(n, "END1")   ? &e1
			       : !strcmp(n, "START2") ? &s2
			       : !strcmp(n, "END2")   ? &e2
						      : NULL;
		if (!slot)
			lisp_error(ctx, "REPLACE: unknown keyword argument %s", n);
		if (argv[i + 1] != LISP_NIL)
			*slot = (size_t)lisp_check_fixnum(
				ctx, argv[i + 1], 0,
				(int64_t)(slot == &s1 || slot == &e1 ? a.n : b.n));
	}
	size_t n = MIN(e1 > s1 ? e1 - s1 : 0, e2 > s2 ? e2 - s2 : 0);
	if (a.kind == SEQ_LIST) {
		lv l = lisp_nthcdr_raw(argv[0], s1);
		for (size_t i = 0; i < n; i++, l = lisp_cdr(l))
			CONS(l)->car = b.items[s2 + i];
	} else {
		for (size_t i = 0; i < n; i++)
			lisp_aset(ctx, argv[0], lisp_fixnum((int64_t)(s1 + i)), b.items[s2 + i]);
	}
	return argv[0];
}

BUILTIN(b_search)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	struct seqv a, b;
	seq_open(ctx, argv[0], &a);
	seq_open(ctx, argv[1], &b);
	if (a.n > b.n)
		return LISP_NIL;
	bool back = k.from_end && k.from_end != LISP_NIL;
	for (size_t j = 0; j <= b.n - a.n; j++) {
		size_t i = back ? b.n - a.n - j : j;
		bool ok = true;
		for (size_t q = 0; q < a.n && ok; q++) {
			lisp_tick(ctx);
			ok = lisp_seq_test(ctx, &k, lisp_seq_key(ctx, &k, a.items[q]),
					   b.items[i + q]);
		}
		if (ok)
			return lisp_make_uint(ctx, i);
	}
	return LISP_NIL;
}

BUILTIN(b_mismatch)
{
	struct lisp_keys k;
	lisp_seq_keys(ctx, argc, argv, 2, &k);
	struct seqv a, b;
	seq_open(ctx, argv[0], &a);
	seq_open(ctx, argv[1], &b);
	size_t n = MIN(a.n, b.n);
	for (size_t i = 0; i < n; i++) {
		lisp_tick(ctx);
		if (!lisp_seq_test(ctx, &k, lisp_seq_key(ctx, &k, a.items[i]), b.items[i]))
			return lisp_make_uint(ctx, i);
	}
	return a.n == b.n ? LISP_NIL : lisp_make_uint(ctx, n);
}

/* ---- coerce ---- */

BUILTIN(b_coerce)
{
	lv x = argv[0], type = argv[1];
	lv t = lisp_consp(type) ? lisp_car(type) : type;
	const char *n = lisp_symbolp(t) ? lisp_symbol_name(t) : "";
	if (!strcmp(n, "T"))
		return x;
	if (!strcmp(n, "CHARACTER")) {
		if (lisp_charp(x))
			return x;
		lv s = lisp_string_designator(ctx, x);
		if (STR(s)->len != 1)
			lisp_type_error(ctx, x, "character");
		return lisp_char((unsigned char)lisp_str(s)[0]);
	}
	if (!strcmp(n, "FLOAT") || !strcmp(n, "DOUBLE-FLOAT") || !strcmp(n, "SINGLE-FLOAT") ||
	    !strcmp(n, "REAL")) {
		if (lisp_floatp(x))
			return x;
		return lisp_make_float(ctx, lisp_int_to_double(lisp_check_int(ctx, x)));
	}
	if (!strcmp(n, "FUNCTION"))
		return lisp_consp(x)
			       ? lisp_eval_in(ctx, lisp_list(ctx, 2, ctx->s.function, x), LISP_NIL)
			       : lisp_function_of(ctx, x);
	if (!strcmp(n, "INTEGER") && lisp_integerp(x))
		return x;
	int kind = result_kind(ctx, type);
	if ((kind == SEQ_LIST && lisp_listp(x)) || (kind == SEQ_STRING && lisp_stringp(x)) ||
	    (kind == SEQ_VECTOR && lisp_is(x, LISP_VECTOR)))
		return x;
	struct seqv s;
	seq_open(ctx, x, &s);
	return lisp_seq_make(ctx, kind, s.items, s.n);
}

static const struct lisp_builtin_def defs[] = {
	{ "length", b_length, 1, 1 },
	{ "elt", b_elt, 2, 2 },
	{ "system::%set-elt", b_set_elt, 3, 3 },
	{ "subseq", b_subseq, 2, 3 },
	{ "copy-seq", b_copy_seq, 1, 1 },
	{ "reverse", b_reverse, 1, 1 },
	{ "nreverse", b_nreverse, 1, 1 },
	{ "concatenate", b_concatenate, 1, -1 },
	{ "map", b_map, 3, -1 },
	{ "find", b_find, 2, -1 },
	{ "find-if", b_find_if, 2, -1 },
	{ "find-if-not", b_find_if_not, 2, -1 },
	{ "position", b_position, 2, -1 },
	{ "position-if", b_position_if, 2, -1 },
	{ "position-if-not", b_position_if_not, 2, -1 },
	{ "count", b_count, 2, -1 },
	{ "count-if", b_count_if, 2, -1 },
	{ "count-if-not", b_count_if_not, 2, -1 },
	{ "remove", b_remove, 2, -1 },
	{ "remove-if", b_remove_if, 2, -1 },
	{ "remove-if-not", b_remove_if_not, 2, -1 },
	{ "delete", b_remove, 2, -1 },
	{ "delete-if", b_remove_if, 2, -1 },
	{ "delete-if-not", b_remove_if_not, 2, -1 },
	{ "substitute", b_substitute, 3, -1 },
	{ "substitute-if", b_substitute_if, 3, -1 },
	{ "remove-duplicates", b_remove_duplicates, 1, -1 },
	{ "delete-duplicates", b_remove_duplicates, 1, -1 },
	{ "reduce", b_reduce, 2, -1 },
	{ "every", b_every, 2, -1 },
	{ "some", b_some, 2, -1 },
	{ "notany", b_notany, 2, -1 },
	{ "notevery", b_notevery, 2, -1 },
	{ "sort", b_sort, 2, 4 },
	{ "stable-sort", b_sort, 2, 4 },
	{ "fill", b_fill, 2, -1 },
	{ "replace", b_replace, 2, -1 },
	{ "search", b_search, 2, -1 },
	{ "mismatch", b_mismatch, 2, -1 },
	{ "coerce", b_coerce, 2, 2 },
};

void lisp_init_sequences(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
	lv elt = lisp_intern(ctx, "elt");
	lisp_sym(ctx, elt)->setf = lisp_sym(ctx, lisp_intern(ctx, "system::%set-elt"))->function;
	lisp_sym(ctx, elt)->h.flags |= SYM_SETF_UPDATER;
}
