/* Constructors and basic operations on heap values: conses and lists,
 * strings, vectors, insertion-ordered hash tables, foreign objects, and the
 * equality predicates (eql, equal, equalp) with their hashes. */
#include "frontend/lisp/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum lisp_type lisp_type_of(lv v)
{
	if (lisp_fixnump(v))
		return LISP_FIXNUM;
	if (lisp_charp(v))
		return LISP_CHAR;
	if (v == LISP_NIL)
		return LISP_NULL;
	return (enum lisp_type)v->type;
}

/* ---- conses ---- */

lv lisp_cons(struct lisp_ctx *ctx, lv car, lv cdr)
{
	struct lisp_cons *c = lisp_alloc(ctx, LISP_CONS, sizeof(*c));
	c->car = car;
	c->cdr = cdr;
	return (lv)c;
}

lv lisp_cons_at(struct lisp_ctx *ctx, lv car, lv cdr, struct srcloc loc)
{
	lv c = lisp_cons(ctx, car, cdr);
	CONS(c)->loc = loc;
	CONS(c)->car_loc = lisp_consp(car) ? CONS(car)->loc : loc;
	return c;
}

lv lisp_list(struct lisp_ctx *ctx, int n, ...)
{
	lv items[16];
	va_list ap;
	W_ASSERT(n <= 16);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		items[i] = va_arg(ap, lv);
	va_end(ap);
	return lisp_list_from(ctx, items, (size_t)n, LISP_NIL);
}

lv lisp_list_from(struct lisp_ctx *ctx, lv *items, size_t n, lv tail)
{
	lv r = tail;
	for (size_t i = n; i-- > 0;)
		r = lisp_cons(ctx, items[i], r);
	return r;
}

/* Copies the spine, keeping each cell's locations. */
lv lisp_copy_list(struct lisp_ctx *ctx, lv list)
{
	lv head = LISP_NIL, tail = NULL;
	for (; lisp_consp(list); list = lisp_cdr(list)) {
		lisp_tick(ctx);
		lv c = lisp_cons(ctx, lisp_car(list), LISP_NIL);
		CONS(c)->loc = CONS(list)->loc;
		CONS(c)->car_loc = CONS(list)->car_loc;
		if (tail)
			CONS(tail)->cdr = c;
		else
			head = c;
		tail = c;
	}
	if (tail)
		CONS(tail)->cdr = list;
	else
		head = list;
	return head;
}

size_t lisp_list_length(lv list)
{
	size_t n = 0;
	lv slow = list;
	while (lisp_consp(list)) {
		list = lisp_cdr(list);
		n++;
		if (!(n & 1))
			slow = lisp_cdr(slow);
		if (list == slow && lisp_consp(list))
			break; /* circular */
	}
	return n;
}

lv lisp_nreverse(lv list)
{
	lv r = LISP_NIL;
	while (lisp_consp(list)) {
		lv next = CONS(list)->cdr;
		CONS(list)->cdr = r;
		r = list;
		list = next;
	}
	return r;
}

lv lisp_nthcdr_raw(lv list, size_t n)
{
	for (; n > 0 && lisp_consp(list); n--)
		list = CONS(list)->cdr;
	return list;
}

lv lisp_plist_get(lv plist, lv key, lv def)
{
	for (size_t n = 0; lisp_consp(plist) && lisp_consp(lisp_cdr(plist)) && n < 100000;
	     plist = lisp_cddr(plist), n++)
		if (lisp_car(plist) == key)
			return lisp_cadr(plist);
	return def;
}

struct srcloc lisp_loc(lv form)
{
	return lisp_consp(form) ? CONS(form)->loc : (struct srcloc){ 0 };
}

struct srcloc lisp_car_loc(lv cell)
{
	return lisp_consp(cell) ? CONS(cell)->car_loc : (struct srcloc){ 0 };
}

void lisp_set_loc(lv cons, struct srcloc loc)
{
	if (lisp_consp(cons))
		CONS(cons)->loc = loc;
}

struct srcloc lisp_elem_loc(lv form, unsigned n)
{
	lv cell = form;
	for (unsigned i = 0; i < n && lisp_consp(cell); i++)
		cell = lisp_cdr(cell);
	if (lisp_consp(cell) && CONS(cell)->car_loc.line)
		return CONS(cell)->car_loc;
	return lisp_loc(form);
}

/* ---- strings ---- */

char *lisp_str(lv s)
{
	return (char *)BYTES(STR(s)->bytes)->data;
}

lv lisp_make_empty_string(struct lisp_ctx *ctx, size_t cap, bool adjustable)
{
	if (cap > (1u << 30))
		lisp_error(ctx, "string too long (%zu characters)", cap);
	struct lisp_string *s = lisp_alloc(ctx, LISP_STRING, sizeof(*s));
	s->cap = (uint32_t)cap;
	if (adjustable)
		s->h.flags |= STR_ADJUSTABLE;
	s->bytes = lisp_alloc_bytes(ctx, cap + 1);
	return (lv)s;
}

lv lisp_make_string(struct lisp_ctx *ctx, const char *p, size_t len)
{
	lv s = lisp_make_empty_string(ctx, len, false);
	if (len)
		memcpy(lisp_str(s), p, len);
	STR(s)->len = (uint32_t)len;
	return s;
}

lv lisp_string_from(struct lisp_ctx *ctx, const char *s, size_t len)
{
	return lisp_make_string(ctx, s, len);
}

lv lisp_make_cstring(struct lisp_ctx *ctx, const char *s)
{
	return lisp_make_string(ctx, s, strlen(s));
}

lv lisp_format_string(struct lisp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	struct buf b = { 0 };
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	lv s = lisp_make_string(ctx, b.data ? (const char *)b.data : "", b.len);
	buf_free(&b);
	return s;
}

const char *lisp_string_data(lv s, size_t *len)
{
	if (len)
		*len = STR(s)->len;
	return lisp_str(s);
}

void lisp_string_append(struct lisp_ctx *ctx, lv s, const char *p, size_t n)
{
	struct lisp_string *str = STR(s);
	if ((size_t)str->len + n > str->cap) {
		size_t cap = MAX((size_t)str->cap * 2, (size_t)str->len + n);
		if (cap > (1u << 30))
			lisp_error(ctx, "string too long (%zu characters)", cap);
		lv nb = lisp_alloc_bytes(ctx, cap + 1);
		memcpy(BYTES(nb)->data, lisp_str(s), str->len);
		memcpy(BYTES(nb)->data + str->len, p, n);
		str->bytes = nb;
		str->cap = (uint32_t)cap;
	} else {
		memmove(lisp_str(s) + str->len, p, n);
	}
	str->len += (uint32_t)n;
	lisp_str(s)[str->len] = 0;
}

/* ---- vectors ---- */

lv lisp_make_vector(struct lisp_ctx *ctx, size_t n, lv init)
{
	struct lisp_vector *v = lisp_alloc(ctx, LISP_VECTOR, sizeof(*v));
	v->vals = lisp_alloc_vals(ctx, n);
	v->len = v->cap = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		VALS(v->vals)->v[i] = init;
	return (lv)v;
}

lv lisp_vector_from(struct lisp_ctx *ctx, lv *items, size_t n)
{
	lv v = lisp_make_vector(ctx, n, LISP_NIL);
	memcpy(VALS(VECT(v)->vals)->v, items, n * sizeof(lv));
	return v;
}

size_t lisp_vector_length(lv v)
{
	return VECT(v)->len;
}

lv *lisp_vector_data(lv v)
{
	return VALS(VECT(v)->vals)->v;
}

void lisp_vector_push(struct lisp_ctx *ctx, lv vec, lv x)
{
	struct lisp_vector *v = VECT(vec);
	if (v->len == v->cap) {
		size_t cap = v->cap ? (size_t)v->cap * 2 : 8;
		lv nv = lisp_alloc_vals(ctx, cap);
		memcpy(VALS(nv)->v, VALS(v->vals)->v, v->len * sizeof(lv));
		v->vals = nv;
		v->cap = (uint32_t)cap;
	}
	VALS(v->vals)->v[v->len++] = x;
}

lv lisp_make_bytes(struct lisp_ctx *ctx, const void *p, size_t n)
{
	lv v = lisp_make_vector(ctx, n, lisp_fixnum(0));
	v->flags |= VEC_BYTES;
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		lisp_vector_data(v)[i] = lisp_fixnum(b[i]);
	return v;
}

long lisp_bytes_copy(lv seq, void *out, size_t max)
{
	unsigned char *o = out;
	if (lisp_stringp(seq)) {
		size_t n = MIN(max, (size_t)STR(seq)->len);
		if (n) /* out may be NULL when only the length is asked for */
			memcpy(o, lisp_str(seq), n);
		return STR(seq)->len;
	}
	if (!lisp_is(seq, LISP_VECTOR))
		return -1;
	for (uint32_t i = 0; i < VECT(seq)->len; i++) {
		lv x = lisp_vector_data(seq)[i];
		if (!lisp_fixnump(x) || lisp_fixnum_value(x) < 0 || lisp_fixnum_value(x) > 255)
			return -1;
		if (i < max)
			o[i] = (unsigned char)lisp_fixnum_value(x);
	}
	return VECT(seq)->len;
}

lv lisp_getf(lv plist, lv key, lv def)
{
	return lisp_plist_get(plist, key, def);
}

/* ---- foreign objects ---- */

lv lisp_make_foreign(struct lisp_ctx *ctx, const char *type, void *ptr, void (*finalize)(void *),
		     lv data)
{
	lv tname = lisp_make_cstring(ctx, type);
	struct lisp_foreign *f = lisp_alloc(ctx, LISP_FOREIGN, sizeof(*f));
	f->type = tname;
	f->ptr = ptr;
	f->finalize = finalize;
	f->data = data ? data : LISP_NIL;
	return (lv)f;
}

bool lisp_foreignp(lv v, const char *type)
{
	return lisp_is(v, LISP_FOREIGN) && (!type || !strcmp(lisp_str(FOR(v)->type), type));
}

void *lisp_foreign_ptr(lv v)
{
	return FOR(v)->ptr;
}

lv lisp_foreign_data(lv v)
{
	return FOR(v)->data;
}

void lisp_set_foreign_data(lv v, lv data)
{
	FOR(v)->data = data;
}

/* ---- equality ---- */

bool lisp_eql(lv a, lv b)
{
	if (a == b)
		return true;
	if (!lisp_heapp(a) || !lisp_heapp(b) || a->type != b->type)
		return false;
	if (a->type == LISP_BIGNUM)
		return lisp_int_cmp(a, b) == 0;
	if (a->type == LISP_FLOAT)
		return lisp_float_value(a) == lisp_float_value(b) &&
		       signbit(lisp_float_value(a)) == signbit(lisp_float_value(b));
	return false;
}

static bool equal_rec(struct lisp_ctx *ctx, lv a, lv b, int depth, bool p)
{
	for (;;) {
		if (p ? false : lisp_eql(a, b))
			return true;
		if (a == b)
			return true;
		if (depth > 10000)
			lisp_error(ctx, "structure nested too deeply to compare");
		if (p) {
			if (lisp_numberp(a) && lisp_numberp(b))
				return lisp_num_equal(a, b);
			if (lisp_charp(a) && lisp_charp(b))
				return tolower((int)lisp_char_code(a)) ==
				       tolower((int)lisp_char_code(b));
		}
		if (lisp_stringp(a) && lisp_stringp(b)) {
			if (STR(a)->len != STR(b)->len)
				return false;
			if (!p)
				return !memcmp(lisp_str(a), lisp_str(b), STR(a)->len);
			return !strncasecmp(lisp_str(a), lisp_str(b), STR(a)->len);
		}
		if (p && (lisp_is(a, LISP_VECTOR) || lisp_stringp(a)) &&
		    (lisp_is(b, LISP_VECTOR) || lisp_stringp(b))) {
			if (lisp_stringp(a) || lisp_stringp(b))
				return false; /* string vs general vector: compare elementwise */
			if (VECT(a)->len != VECT(b)->len)
				return false;
			for (uint32_t i = 0; i < VECT(a)->len; i++)
				if (!equal_rec(ctx, lisp_vector_data(a)[i], lisp_vector_data(b)[i],
					       depth + 1, p))
					return false;
			return true;
		}
		if (p && lisp_is(a, LISP_HASH) && lisp_is(b, LISP_HASH)) {
			if (HASH(a)->count != HASH(b)->count || a->aux != b->aux)
				return false;
			lv kv = HASH(a)->kv;
			for (uint32_t i = 0; i < HASH(a)->used; i++) {
				lv k = VALS(kv)->v[2 * i];
				if (!k)
					continue;
				bool found;
				lv other = lisp_gethash(ctx, b, k, &found);
				if (!found ||
				    !equal_rec(ctx, VALS(kv)->v[2 * i + 1], other, depth + 1, p))
					return false;
			}
			return true;
		}
		if (!lisp_consp(a) || !lisp_consp(b))
			return false;
		lisp_check_limits(ctx);
		if (!equal_rec(ctx, CONS(a)->car, CONS(b)->car, depth + 1, p))
			return false;
		a = CONS(a)->cdr;
		b = CONS(b)->cdr;
	}
}

bool lisp_equal(struct lisp_ctx *ctx, lv a, lv b)
{
	return equal_rec(ctx, a, b, 0, false);
}

bool lisp_equalp(struct lisp_ctx *ctx, lv a, lv b)
{
	return equal_rec(ctx, a, b, 0, true);
}

uint32_t lisp_sxhash(struct lisp_ctx *ctx, lv v, int test, int depth)
{
	if (lisp_fixnump(v) || lisp_charp(v) || v == LISP_NIL) {
		if (test == HT_EQUALP && lisp_charp(v))
			return (uint32_t)w_hash_u64((uint64_t)tolower((int)lisp_char_code(v)) << 3 |
						    2);
		return (uint32_t)w_hash_u64((uint64_t)(uintptr_t)v);
	}
	if (test == HT_EQ)
		return (uint32_t)w_hash_u64((uint64_t)(uintptr_t)v);
	switch (v->type) {
	case LISP_FLOAT: {
		double d = lisp_float_value(v);
		if (test == HT_EQUALP && d == trunc(d) && fabs(d) < 4e18)
			return (uint32_t)w_hash_u64((uint64_t)(uintptr_t)lisp_fixnum((int64_t)d));
		uint64_t bits;
		memcpy(&bits, &d, 8);
		return (uint32_t)w_hash_u64(bits);
	}
	case LISP_BIGNUM:
		return w_hash_bytes(BIG(v)->d, v->aux * 4u) ^ v->flags;
	default:
		break;
	}
	if (test == HT_EQL)
		return (uint32_t)w_hash_u64((uint64_t)(uintptr_t)v);
	if (v->type == LISP_STRING) {
		if (test == HT_EQUALP) {
			uint32_t h = 2166136261u;
			for (uint32_t i = 0; i < STR(v)->len; i++)
				h = (h ^ (uint32_t)tolower((unsigned char)lisp_str(v)[i])) *
				    16777619u;
			return h;
		}
		return w_hash_bytes(lisp_str(v), STR(v)->len);
	}
	if (v->type == LISP_CONS) {
		uint32_t h = 17;
		int n = 0;
		for (; lisp_consp(v) && n < 8 && depth < 4; v = lisp_cdr(v), n++)
			h = h * 31 + lisp_sxhash(ctx, lisp_car(v), test, depth + 1);
		if (!lisp_consp(v) && depth < 4)
			h = h * 31 + lisp_sxhash(ctx, v, test, depth + 1);
		return h;
	}
	if (test == HT_EQUALP && v->type == LISP_VECTOR) {
		uint32_t h = VECT(v)->len;
		for (uint32_t i = 0; i < VECT(v)->len && i < 8 && depth < 4; i++)
			h = h * 31 + lisp_sxhash(ctx, lisp_vector_data(v)[i], test, depth + 1);
		return h;
	}
	if (test == HT_EQUALP && v->type == LISP_HASH)
		return HASH(v)->count;
	return (uint32_t)w_hash_u64((uint64_t)(uintptr_t)v);
}

/* ---- hash tables ---- */

lv lisp_make_hash_table(struct lisp_ctx *ctx, const char *test)
{
	struct lisp_hash *h = lisp_alloc(ctx, LISP_HASH, sizeof(*h));
	h->h.aux = !strcmp(test, "eq")	     ? HT_EQ
		   : !strcmp(test, "equal")  ? HT_EQUAL
		   : !strcmp(test, "equalp") ? HT_EQUALP
					     : HT_EQL;
	return (lv)h;
}

static bool key_match(struct lisp_ctx *ctx, int test, lv a, lv b)
{
	switch (test) {
	case HT_EQ:
		return a == b;
	case HT_EQL:
		return lisp_eql(a, b);
	case HT_EQUAL:
		return lisp_equal(ctx, a, b);
	default:
		return lisp_equalp(ctx, a, b);
	}
}

/* Index slot for key: the slot holding it, or the empty slot ending its probe. */
static uint32_t *probe(struct lisp_ctx *ctx, lv table, lv key, uint32_t hash)
{
	struct lisp_hash *h = HASH(table);
	uint32_t *idx = (uint32_t *)BYTES(h->index)->data, mask = h->icap - 1;
	for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
		uint32_t e = idx[i];
		if (!e)
			return &idx[i];
		lv k = VALS(h->kv)->v[2 * (e - 1)];
		if (k && key_match(ctx, (int)h->h.aux, k, key))
			return &idx[i];
	}
}

/* Rebuilds storage for at least `cap` pairs, compacting deleted ones. */
static void rehash(struct lisp_ctx *ctx, lv table, uint32_t cap)
{
	struct lisp_hash *h = HASH(table);
	uint32_t icap = 16;
	while (icap < cap * 2)
		icap *= 2;
	lv kv = lisp_alloc_vals(ctx, (size_t)cap * 2);
	lv index = lisp_alloc_bytes(ctx, (size_t)icap * 4);
	memset(BYTES(index)->data, 0, (size_t)icap * 4);
	lv old = h->kv;
	uint32_t n = 0, used = h->used;
	h->kv = kv;
	h->index = index;
	h->icap = icap;
	h->used = h->count = 0;
	for (uint32_t i = 0; i < used; i++) {
		lv k = VALS(old)->v[2 * i];
		if (!k)
			continue;
		VALS(kv)->v[2 * n] = k;
		VALS(kv)->v[2 * n + 1] = VALS(old)->v[2 * i + 1];
		n++;
		*probe(ctx, table, k, lisp_sxhash(ctx, k, (int)h->h.aux, 0)) = n;
		h->used = h->count = n;
	}
}

lv lisp_gethash(struct lisp_ctx *ctx, lv table, lv key, bool *found)
{
	struct lisp_hash *h = HASH(table);
	*found = false;
	if (!h->count)
		return LISP_NIL;
	uint32_t *slot = probe(ctx, table, key, lisp_sxhash(ctx, key, (int)h->h.aux, 0));
	if (!*slot)
		return LISP_NIL;
	*found = true;
	return VALS(h->kv)->v[2 * (*slot - 1) + 1];
}

void lisp_puthash(struct lisp_ctx *ctx, lv table, lv key, lv value)
{
	struct lisp_hash *h = HASH(table);
	if (!h->kv)
		rehash(ctx, table, 8);
	uint32_t hash = lisp_sxhash(ctx, key, (int)h->h.aux, 0);
	uint32_t *slot = probe(ctx, table, key, hash);
	if (*slot) {
		VALS(h->kv)->v[2 * (*slot - 1) + 1] = value;
		return;
	}
	uint32_t cap = VALS(h->kv)->h.aux / 2;
	if (h->used == cap) {
		rehash(ctx, table, h->count * 2 >= cap ? cap * 2 : cap);
		slot = probe(ctx, table, key, hash);
	}
	VALS(h->kv)->v[2 * h->used] = key;
	VALS(h->kv)->v[2 * h->used + 1] = value;
	*slot = ++h->used;
	h->count++;
}

lv lisp_hash_remove(struct lisp_ctx *ctx, lv table, lv key)
{
	struct lisp_hash *h = HASH(table);
	if (!h->count)
		return LISP_NIL;
	uint32_t *slot = probe(ctx, table, key, lisp_sxhash(ctx, key, (int)h->h.aux, 0));
	if (!*slot)
		return LISP_NIL;
	/* the index keeps pointing at the dead pair so probes continue past it */
	VALS(h->kv)->v[2 * (*slot - 1)] = NULL;
	VALS(h->kv)->v[2 * (*slot - 1) + 1] = LISP_NIL;
	h->count--;
	return ctx->t;
}

void lisp_hash_clear(struct lisp_ctx *ctx, lv table)
{
	struct lisp_hash *h = HASH(table);
	h->kv = NULL;
	h->index = NULL;
	h->count = h->used = h->icap = 0;
}

/* ---- argument checks ---- */

lv lisp_check_string(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_stringp(v))
		lisp_type_error(ctx, v, "string");
	return v;
}

lv lisp_check_symbol(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_symbolp(v))
		lisp_type_error(ctx, v, "symbol");
	return v;
}

lv lisp_string_designator(struct lisp_ctx *ctx, lv v)
{
	if (lisp_stringp(v))
		return v;
	if (lisp_symbolp(v))
		return lisp_sym(ctx, v)->name;
	if (lisp_charp(v)) {
		char c = (char)lisp_char_code(v);
		return lisp_make_string(ctx, &c, 1);
	}
	lisp_type_error(ctx, v, "(or string symbol character)");
}

bool lisp_sequencep(lv v)
{
	return lisp_listp(v) || lisp_stringp(v) || lisp_is(v, LISP_VECTOR);
}

bool lisp_truthy(lv v)
{
	return v != LISP_NIL;
}
