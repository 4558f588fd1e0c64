/* Kernel types without a header: the raw BTF is mapped, walked once for
 * record offsets and a hash index of type names and enumerator names, and
 * a lookup that misses in the program's scopes materialises just the type
 * it names.  Structs and unions are shells until someone needs their
 * members (crecord_complete), and take their offsets and size from BTF, so
 * a program sees exactly what bpftool's vmlinux.h would declare — including
 * preserve_access_index on every record. */
#include "frontend/c/cparse_internal.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct cbtf {
	struct ctu *tu;
	struct ident_table *ids;
	const uint8_t *data;
	size_t len;
	bool mapped;
	const uint8_t *types; /* type section */
	const char *strs;
	uint32_t types_len, strs_len;
	uint32_t ntypes; /* ids 1..ntypes-1 */
	uint32_t *off;	 /* offset of each type record in `types` */
	/* name index: (hash, id | ENUMERATOR) pairs, open addressing */
	uint32_t *ix_hash, *ix_val, ix_cap;
	struct ctype **mat; /* materialised types by id */
	uint8_t *busy;	    /* materialisation in progress (cycle guard) */
	bool broken;	    /* a malformed record was reported */
	char err[160];
	/* the index is built by a thread of its own while the preprocessor
	 * and parser read the program's headers; the first lookup joins it */
	pthread_t indexer;
	bool indexing;
	int index_err;
};

#define ENUMERATOR 0x80000000u

/* Names hashed eight bytes at a time: the index covers tens of thousands
 * of names, and a letter-by-letter hash was half of opening it. */
static uint32_t hash_n(const char *s, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ull;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ (h >> 29));
}

static uint32_t name_hash(const char *s)
{
	return hash_n(s, strlen(s));
}

static const struct btf_type *type_at(const struct cbtf *b, uint32_t id)
{
	return (const struct btf_type *)(b->types + b->off[id]);
}

static const char *str_at(const struct cbtf *b, uint32_t off)
{
	return off < b->strs_len ? b->strs + off : NULL;
}

/* Bytes after a struct btf_type, by kind: fixed plus per vlen entry
 * (legend: { known, fixed, per entry }; kinds left out are unknown). */
static const struct {
	uint8_t known, fixed, per;
} kind_size[32] = {
	[BTF_KIND_INT] = { 1, 4, 0 },
	[BTF_KIND_PTR] = { 1, 0, 0 },
	[BTF_KIND_ARRAY] = { 1, sizeof(struct btf_array), 0 },
	[BTF_KIND_STRUCT] = { 1, 0, sizeof(struct btf_member) },
	[BTF_KIND_UNION] = { 1, 0, sizeof(struct btf_member) },
	[BTF_KIND_ENUM] = { 1, 0, sizeof(struct btf_enum) },
	[BTF_KIND_FWD] = { 1, 0, 0 },
	[BTF_KIND_TYPEDEF] = { 1, 0, 0 },
	[BTF_KIND_VOLATILE] = { 1, 0, 0 },
	[BTF_KIND_CONST] = { 1, 0, 0 },
	[BTF_KIND_RESTRICT] = { 1, 0, 0 },
	[BTF_KIND_FUNC] = { 1, 0, 0 },
	[BTF_KIND_FUNC_PROTO] = { 1, 0, sizeof(struct btf_param) },
	[BTF_KIND_VAR] = { 1, sizeof(struct btf_var), 0 },
	[BTF_KIND_DATASEC] = { 1, 0, sizeof(struct btf_var_secinfo) },
	[BTF_KIND_FLOAT] = { 1, 0, 0 },
	[BTF_KIND_DECL_TAG] = { 1, sizeof(struct btf_decl_tag), 0 },
	[BTF_KIND_TYPE_TAG] = { 1, 0, 0 },
	[BTF_KIND_ENUM64] = { 1, 0, sizeof(struct btf_enum64) },
};

/* Bytes a record takes after its struct btf_type; SIZE_MAX for unknown kinds. */
static inline size_t extra_size(const struct btf_type *t)
{
	unsigned k = BTF_INFO_KIND(t->info);
	if (!kind_size[k].known)
		return SIZE_MAX;
	return kind_size[k].fixed + (size_t)BTF_INFO_VLEN(t->info) * kind_size[k].per;
}

static void ix_add(struct cbtf *b, uint32_t h, uint32_t val)
{
	uint32_t i = h & (b->ix_cap - 1);
	while (b->ix_val[i])
		i = (i + 1) & (b->ix_cap - 1);
	b->ix_hash[i] = h;
	b->ix_val[i] = val;
}

static void ix_grow(struct cbtf *b, uint32_t want)
{
	uint32_t ocap = b->ix_cap;
	uint32_t *oh = b->ix_hash, *ov = b->ix_val;
	while (b->ix_cap < want)
		b->ix_cap <<= 1;
	b->ix_hash = xmalloc(b->ix_cap * sizeof(uint32_t));
	/* written before read: calloc'd pages would fault twice */
	b->ix_val = xmalloc(b->ix_cap * sizeof(uint32_t));
	memset(b->ix_val, 0, b->ix_cap * sizeof(uint32_t));
	for (uint32_t i = 0; i < ocap; i++)
		if (ov[i])
			ix_add(b, oh[i], ov[i]);
	free(oh);
	free(ov);
}

static int load(struct cbtf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(struct btf_header)) {
		int e = errno ? -errno : -EINVAL;
		close(fd);
		return e ? e : -EINVAL;
	}
	b->len = (size_t)st.st_size;
	/* populated at once: the index reads every page anyway */
	void *m = mmap(NULL, b->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (m != MAP_FAILED) {
		b->data = m;
		b->mapped = true;
	} else {
		uint8_t *buf = xmalloc(b->len);
		size_t got = 0;
		while (got < b->len) {
			ssize_t r = read(fd, buf + got, b->len - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		b->data = buf;
		b->len = got;
	}
	close(fd);
	return 0;
}

/* The kinds whose names a program can use (tags, typedefs, enumerators). */
#define NAMED_KINDS                                                              \
	(1u << BTF_KIND_STRUCT | 1u << BTF_KIND_UNION | 1u << BTF_KIND_TYPEDEF | \
	 1u << BTF_KIND_FWD | 1u << BTF_KIND_ENUM | 1u << BTF_KIND_ENUM64)

/* The header's promises, checked before anything is indexed. */
static int check_header(struct cbtf *b)
{
	const struct btf_header *h = (const void *)b->data;
	if (b->len < sizeof(*h) || h->magic != BTF_MAGIC || h->version != BTF_VERSION ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > b->len)
		return -EINVAL;
	uint64_t tend = (uint64_t)h->hdr_len + h->type_off + h->type_len;
	uint64_t send = (uint64_t)h->hdr_len + h->str_off + h->str_len;
	if (tend > b->len || send > b->len || !h->str_len)
		return -EINVAL;
	b->types = b->data + h->hdr_len + h->type_off;
	b->types_len = h->type_len;
	b->strs = (const char *)b->data + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;
	if (b->strs[b->strs_len - 1])
		return -EINVAL; /* strings must be NUL-terminated */
	return 0;
}

static int index_types(struct cbtf *b)
{
	/* one pass: record offsets, index names; the guesses below (a type
	 * record is some 16 bytes, a name per two types) save regrowing */
	uint32_t cap = b->types_len / 16 + 64, n = 1;
	b->off = xmalloc(cap * sizeof(uint32_t));
	b->off[0] = 0;
	b->ix_cap = 1024;
	while (b->ix_cap < b->types_len / 64) /* a name per 32 bytes of types, at half load */
		b->ix_cap <<= 1;
	b->ix_hash = xmalloc(b->ix_cap * sizeof(uint32_t));
	/* written before read: calloc'd pages would fault twice */
	b->ix_val = xmalloc(b->ix_cap * sizeof(uint32_t));
	memset(b->ix_val, 0, b->ix_cap * sizeof(uint32_t));
	uint32_t names = 0;
	for (uint32_t o = 0; o < b->types_len;) {
		if (b->types_len - o < sizeof(struct btf_type))
			return -EINVAL;
		const struct btf_type *t = (const void *)(b->types + o);
		size_t extra = extra_size(t);
		if (extra == SIZE_MAX || extra > b->types_len - o - sizeof(*t))
			return -EINVAL;
		if (n == cap) {
			cap *= 2;
			b->off = xrealloc(b->off, cap * sizeof(uint32_t));
		}
		uint32_t id = n;
		b->off[n++] = o;
		o += (uint32_t)(sizeof(*t) + extra);
		unsigned k = BTF_INFO_KIND(t->info);
		if (!((1u << k) & NAMED_KINDS))
			continue;
		unsigned vlen =
			k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64 ? BTF_INFO_VLEN(t->info) : 0;
		if ((names + vlen + 1) * 4 > b->ix_cap * 3) /* up to 3/4 full */
			ix_grow(b, (names + vlen + 1) * 2);
		const char *name = str_at(b, t->name_off);
		if (!name)
			return -EINVAL;
		if (*name) {
			ix_add(b, name_hash(name), id);
			names++;
		}
		const uint8_t *e = (const uint8_t *)(t + 1);
		size_t es =
			k == BTF_KIND_ENUM ? sizeof(struct btf_enum) : sizeof(struct btf_enum64);
		for (unsigned i = 0; i < vlen; i++) {
			uint32_t noff;
			memcpy(&noff, e + i * es, sizeof(noff));
			const char *en = str_at(b, noff);
			if (!en)
				return -EINVAL;
			if (*en) {
				ix_add(b, name_hash(en), id | ENUMERATOR);
				names++;
			}
		}
	}
	b->ntypes = n;
	b->mat = xcalloc(n, sizeof(*b->mat));
	b->busy = xcalloc(n, 1);
	return 0;
}

static void *index_thread(void *arg)
{
	struct cbtf *b = arg;
	b->index_err = index_types(b);
	return NULL;
}

struct cbtf *cbtf_open(struct ctu *tu, struct ident_table *ids, const char *path, int *err)
{
	struct cbtf *b = xcalloc(1, sizeof(*b));
	b->tu = tu;
	b->ids = ids;
	int e = load(b, path ? path : "/sys/kernel/btf/vmlinux");
	if (!e)
		e = check_header(b);
	if (e) {
		*err = e;
		cbtf_close(b);
		return NULL;
	}
	b->indexing = !pthread_create(&b->indexer, NULL, index_thread, b);
	if (!b->indexing)
		b->index_err = index_types(b);
	return b;
}

/* Waits for the index; false (and the unit's error reported at the next
 * lookup) when the type records were malformed. */
static bool ready(struct cbtf *b)
{
	if (b->indexing) {
		pthread_join(b->indexer, NULL);
		b->indexing = false;
	}
	if (b->index_err && !b->broken) {
		snprintf(b->err, sizeof(b->err), "kernel BTF: malformed type records");
		b->broken = true;
	}
	return !b->index_err;
}

void cbtf_close(struct cbtf *b)
{
	if (!b)
		return;
	if (b->indexing)
		pthread_join(b->indexer, NULL);
	if (b->mapped)
		munmap((void *)b->data, b->len);
	else
		free((void *)b->data);
	free(b->off);
	free(b->ix_hash);
	free(b->ix_val);
	free(b->mat);
	free(b->busy);
	free(b);
}

uint32_t cbtf_type_count(struct cbtf *b)
{
	return b && ready(b) ? b->ntypes : 0;
}

/* ---- materialisation ---- */

static struct ctype *mat(struct cbtf *b, uint32_t id);

static struct ctype *bad(struct cbtf *b, uint32_t id, const char *what)
{
	if (!b->broken)
		snprintf(b->err, sizeof(b->err), "kernel BTF type [%u]: %s", id, what);
	b->broken = true;
	return b->tu->error_type;
}

static struct pp_ident *intern(struct cbtf *b, uint32_t off)
{
	const char *s = str_at(b, off);
	if (!s || !*s)
		return NULL;
	return ident_intern(b->ids, s, strlen(s));
}

static enum ctype_kind int_kind(const char *name, uint32_t size, unsigned enc)
{
	static const struct {
		const char *name;
		enum ctype_kind k;
	} names[] = {
		{ "char", TY_CHAR },
		{ "signed char", TY_SCHAR },
		{ "unsigned char", TY_UCHAR },
		{ "short", TY_SHORT },
		{ "short int", TY_SHORT },
		{ "short unsigned int", TY_USHORT },
		{ "unsigned short", TY_USHORT },
		{ "int", TY_INT },
		{ "unsigned int", TY_UINT },
		{ "long", TY_LONG },
		{ "long int", TY_LONG },
		{ "long unsigned int", TY_ULONG },
		{ "unsigned long", TY_ULONG },
		{ "long long", TY_LLONG },
		{ "long long int", TY_LLONG },
		{ "long long unsigned int", TY_ULLONG },
		{ "unsigned long long", TY_ULLONG },
		{ "__int128", TY_INT128 },
		{ "__int128 unsigned", TY_UINT128 },
		{ "_Bool", TY_BOOL },
	};
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (!strcmp(names[i].name, name))
			return names[i].k;
	bool sgn = enc & BTF_INT_SIGNED;
	if (enc & BTF_INT_BOOL)
		return TY_BOOL;
	switch (size) {
	case 1:
		return (enc & BTF_INT_CHAR) ? TY_CHAR : sgn ? TY_SCHAR : TY_UCHAR;
	case 2:
		return sgn ? TY_SHORT : TY_USHORT;
	case 4:
		return sgn ? TY_INT : TY_UINT;
	case 16:
		return sgn ? TY_INT128 : TY_UINT128;
	default:
		return sgn ? TY_LONG : TY_ULONG;
	}
}

static struct ctype *mat_enum(struct cbtf *b, uint32_t id, const struct btf_type *t)
{
	struct ctu *tu = b->tu;
	struct cenum *e = arena_new(&tu->arena, struct cenum);
	e->tag = intern(b, t->name_off);
	e->from_btf = true;
	e->btf_id = id;
	struct ctype *et = ctype_enum(tu, e);
	b->mat[id] = et;
	unsigned vlen = BTF_INFO_VLEN(t->info);
	bool is64 = BTF_INFO_KIND(t->info) == BTF_KIND_ENUM64;
	bool sgn = BTF_INFO_KFLAG(t->info);
	e->consts = arena_newn(&tu->arena, struct cdecl *, vlen ? vlen : 1);
	e->nconsts = vlen;
	bool neg = false, big = false;
	int64_t lo = 0, hi = 0;
	for (unsigned i = 0; i < vlen; i++) {
		uint32_t noff;
		int64_t v;
		if (is64) {
			const struct btf_enum64 *ev = (const struct btf_enum64 *)(t + 1) + i;
			noff = ev->name_off;
			v = (int64_t)(((uint64_t)ev->val_hi32 << 32) | ev->val_lo32);
		} else {
			const struct btf_enum *ev = (const struct btf_enum *)(t + 1) + i;
			noff = ev->name_off;
			v = sgn ? (int64_t)(int32_t)ev->val : (int64_t)(uint32_t)ev->val;
		}
		bool is_big = is64 && !sgn && v < 0;
		struct cdecl *c = arena_new(&tu->arena, struct cdecl);
		c->kind = CD_ENUMCONST;
		c->name = intern(b, noff);
		c->flags = CDF_FILE_SCOPE | CDF_FROM_BTF;
		c->btf_id = id;
		c->u.ec.value = v;
		c->u.ec.en = e;
		c->type = is_big ? tu->ty[TY_ULONG] : tu->ty[TY_LONG];
		e->consts[i] = c;
		if (is_big) {
			big = true;
			continue;
		}
		if (v < 0)
			neg = true;
		if (i == 0 || v < lo)
			lo = v;
		if (i == 0 || v > hi)
			hi = v;
	}
	/* the underlying type clang would give the enum bpftool prints */
	enum ctype_kind k;
	if (t->size == 1)
		k = neg ? TY_SCHAR : TY_UCHAR;
	else if (t->size == 2)
		k = neg ? TY_SHORT : TY_USHORT;
	else if (big)
		k = TY_ULONG;
	else if (neg)
		k = lo >= INT32_MIN && hi <= INT32_MAX ? TY_INT : TY_LONG;
	else
		k = hi <= (int64_t)UINT32_MAX ? TY_UINT : TY_ULONG;
	e->packed = t->size < 4;
	e->underlying = tu->ty[k];
	e->complete = true;
	for (unsigned i = 0; i < vlen; i++) {
		struct cdecl *c = e->consts[i];
		bool is_big = c->type->kind == TY_ULONG && c->u.ec.value < 0;
		if (!is_big && c->u.ec.value >= INT32_MIN && c->u.ec.value <= INT32_MAX)
			c->type = tu->ty[TY_INT];
		else
			c->type = e->underlying;
	}
	return et;
}

/* A struct/union shell: members come later, on demand. */
static struct ctype *mat_record(struct cbtf *b, uint32_t id, const struct btf_type *t, bool fwd)
{
	struct crecord *r = arena_new(&b->tu->arena, struct crecord);
	r->tag = intern(b, t->name_off);
	bool is_union = fwd ? BTF_INFO_KFLAG(t->info) : BTF_INFO_KIND(t->info) == BTF_KIND_UNION;
	r->flags = (is_union ? CRF_UNION : 0) | CRF_FROM_BTF | CRF_PRESERVE_ACCESS;
	r->btf_id = id;
	if (!fwd) {
		r->flags |= CRF_LAZY;
		r->lazy = b;
	}
	struct ctype *rt = ctype_record(b->tu, r);
	b->mat[id] = rt;
	return rt;
}

/* A FWD resolves to the complete struct or union of the same name, if any. */
static uint32_t resolve_fwd(struct cbtf *b, uint32_t id, const struct btf_type *t)
{
	const char *name = str_at(b, t->name_off);
	if (!name || !*name)
		return id;
	unsigned want = BTF_INFO_KFLAG(t->info) ? BTF_KIND_UNION : BTF_KIND_STRUCT;
	uint32_t h = name_hash(name);
	for (uint32_t i = h & (b->ix_cap - 1); b->ix_val[i]; i = (i + 1) & (b->ix_cap - 1)) {
		uint32_t v = b->ix_val[i];
		if (b->ix_hash[i] != h || (v & ENUMERATOR))
			continue;
		const struct btf_type *c = type_at(b, v);
		if (BTF_INFO_KIND(c->info) == want && !strcmp(str_at(b, c->name_off), name))
			return v;
	}
	return id;
}

static struct ctype *mat(struct cbtf *b, uint32_t id)
{
	struct ctu *tu = b->tu;
	if (id == 0)
		return tu->ty[TY_VOID];
	if (id >= b->ntypes)
		return bad(b, id, "type id out of range");
	if (b->mat[id])
		return b->mat[id];
	if (b->busy[id])
		return bad(b, id, "reference cycle");
	const struct btf_type *t = type_at(b, id);
	unsigned k = BTF_INFO_KIND(t->info);
	struct ctype *r = NULL;
	b->busy[id] = 1;
	switch (k) {
	case BTF_KIND_INT: {
		const char *name = str_at(b, t->name_off);
		uint32_t data;
		memcpy(&data, t + 1, 4);
		r = tu->ty[int_kind(name ? name : "", t->size, BTF_INT_ENCODING(data))];
		break;
	}
	case BTF_KIND_FLOAT:
		r = tu->ty[t->size == 4 ? TY_FLOAT : t->size == 8 ? TY_DOUBLE : TY_LDOUBLE];
		break;
	case BTF_KIND_PTR:
		/* a pointer may point to a type being built: resolve the pointee lazily
		 * only for records, which are shells anyway */
		b->busy[id] = 0;
		r = ctype_ptr(tu, mat(b, t->type));
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);
		struct ctype *el = mat(b, a->type);
		r = el->kind == TY_ERROR ? el : ctype_array(tu, el, a->nelems, 0);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		r = mat_record(b, id, t, false);
		break;
	case BTF_KIND_FWD: {
		uint32_t full = resolve_fwd(b, id, t);
		r = full != id ? mat(b, full) : mat_record(b, id, t, true);
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		r = mat_enum(b, id, t);
		break;
	case BTF_KIND_TYPEDEF: {
		struct cdecl *td = arena_new(&tu->arena, struct cdecl);
		td->kind = CD_TYPEDEF;
		td->storage = CSC_TYPEDEF;
		td->name = intern(b, t->name_off);
		td->flags = CDF_FILE_SCOPE | CDF_FROM_BTF;
		td->btf_id = id;
		if (!td->name)
			return bad(b, id, "typedef without a name");
		td->type = mat(b, t->type);
		r = ctype_typedef(tu, td);
		break;
	}
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		r = ctype_qual(tu, mat(b, t->type),
			       k == BTF_KIND_CONST	? CQ_CONST
			       : k == BTF_KIND_VOLATILE ? CQ_VOLATILE
							: CQ_RESTRICT);
		break;
	case BTF_KIND_TYPE_TAG: {
		const char *tag = str_at(b, t->name_off);
		r = ctype_tagged(tu, mat(b, t->type), arena_strdup(&tu->arena, tag ? tag : ""));
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		unsigned vlen = BTF_INFO_VLEN(t->info);
		const struct btf_param *ps = (const void *)(t + 1);
		uint8_t flags = 0;
		if (vlen && !ps[vlen - 1].type && !ps[vlen - 1].name_off) {
			flags |= CTF_VARIADIC;
			vlen--;
		}
		struct cparam *params = arena_newn(&tu->arena, struct cparam, vlen ? vlen : 1);
		for (unsigned i = 0; i < vlen; i++) {
			params[i].name = intern(b, ps[i].name_off);
			params[i].type = mat(b, ps[i].type);
			/* arrays and functions as parameters are adjusted, as in C */
			if (params[i].type->kind == TY_ARRAY)
				params[i].type = ctype_ptr(tu, params[i].type->u.arr.elem);
			else if (params[i].type->kind == TY_FUNC)
				params[i].type = ctype_ptr(tu, params[i].type);
		}
		r = ctype_func(tu, mat(b, t->type), params, vlen, flags);
		break;
	}
	default:
		r = bad(b, id, "not a type (FUNC, VAR, DATASEC or DECL_TAG)");
		break;
	}
	b->busy[id] = 0;
	if (!b->mat[id])
		b->mat[id] = r;
	return r;
}

static bool natural_misaligned(const struct ctype *t, uint64_t bit_off)
{
	uint32_t al = ctype_align(t);
	return al && bit_off % (al * 8ull) != 0;
}

void crecord_complete(struct crecord *r)
{
	if (r->flags & CRF_LAZY_BODY) {
		cp_complete_lazy_record(r);
		return;
	}
	if (!(r->flags & CRF_LAZY))
		return;
	struct cbtf *b = r->lazy;
	r->flags &= ~CRF_LAZY;
	struct ctu *tu = b->tu;
	const struct btf_type *t = type_at(b, r->btf_id);
	unsigned vlen = BTF_INFO_VLEN(t->info);
	bool kflag = BTF_INFO_KFLAG(t->info);
	const struct btf_member *ms = (const void *)(t + 1);
	r->members = arena_newn(&tu->arena, struct cmember, vlen ? vlen : 1);
	r->nmembers = vlen;
	uint32_t align = 1;
	bool packed = false;
	for (unsigned i = 0; i < vlen; i++) {
		struct cmember *m = &r->members[i];
		m->index = i;
		m->name = intern(b, ms[i].name_off);
		m->type = mat(b, ms[i].type);
		m->bit_offset = kflag ? BTF_MEMBER_BIT_OFFSET(ms[i].offset) : ms[i].offset;
		unsigned bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(ms[i].offset) : 0;
		if (m->type->kind == TY_ERROR)
			continue;
		if (bits) {
			m->flags |= CMF_BITFIELD;
			m->bit_width = (uint16_t)bits;
		} else if (!m->name && ctype_is_record(m->type)) {
			m->flags |= CMF_ANON;
		}
		/* packed exactly when bpftool would print __attribute__((packed)) */
		uint32_t al = ctype_align(m->type);
		if (!bits && natural_misaligned(m->type, m->bit_offset))
			packed = true;
		if (al > align)
			align = al;
	}
	if (t->size % align)
		packed = true;
	if (packed) {
		r->flags |= CRF_PACKED;
		align = 1;
	}
	r->size = t->size;
	r->align = align;
	r->flags |= CRF_COMPLETE | CRF_LAID_OUT;
	crecord_build_index(r, &tu->arena);
	vec_push(&tu->records, r);
}

struct ctype *cbtf_type(struct cbtf *b, uint32_t id)
{
	if (!ready(b))
		return b->tu->error_type;
	return mat(b, id);
}

const char *cbtf_error(const struct cbtf *b)
{
	return b && b->broken ? b->err : NULL;
}

uint32_t cbtf_id_of(const struct cbtf *b, const struct ctype *t)
{
	if (!b)
		return 0;
	switch (t->kind) {
	case TY_STRUCT:
	case TY_UNION:
		return t->u.rec->btf_id;
	case TY_ENUM:
		return t->u.en->btf_id;
	default:
		return t->sugar == CS_TYPEDEF ? t->s.tdef->btf_id : 0;
	}
}

/* ---- lookups ---- */

static void report_broken(struct cparser *p, struct cbtf *b)
{
	if (b->broken && b->err[0]) {
		cp_error(p, cp_loc(p), "%s", b->err);
		b->err[0] = 0;
	}
}

/* The id of the first type (or enum, for enumerators) named `id`, of a kind
 * in `kinds` (bits of BTF kinds); 0 if none.  Complete types beat FWDs. */
static uint32_t find(struct cbtf *b, const struct pp_ident *id, uint32_t kinds, bool enumerator)
{
	uint32_t fwd = 0, h = hash_n(id->name, id->len);
	for (uint32_t i = h & (b->ix_cap - 1); b->ix_val[i]; i = (i + 1) & (b->ix_cap - 1)) {
		uint32_t v = b->ix_val[i];
		if (b->ix_hash[i] != h || !(v & ENUMERATOR) != !enumerator)
			continue;
		uint32_t tid = v & ~ENUMERATOR;
		const struct btf_type *t = type_at(b, tid);
		unsigned k = BTF_INFO_KIND(t->info);
		if (!(kinds & (1u << k)))
			continue;
		if (enumerator) {
			/* which enumerator of this enum has the name? */
			unsigned vlen = BTF_INFO_VLEN(t->info);
			size_t es = k == BTF_KIND_ENUM ? sizeof(struct btf_enum)
						       : sizeof(struct btf_enum64);
			for (unsigned j = 0; j < vlen; j++) {
				uint32_t noff;
				memcpy(&noff, (const uint8_t *)(t + 1) + j * es, 4);
				const char *s = str_at(b, noff);
				if (s && !strcmp(s, id->name))
					return tid;
			}
			continue;
		}
		const char *s = str_at(b, t->name_off);
		if (!s || strcmp(s, id->name))
			continue;
		if (k == BTF_KIND_FWD) {
			if (!fwd)
				fwd = tid;
			continue;
		}
		return tid;
	}
	return fwd;
}

struct cdecl *cbtf_lookup_ordinary(struct cparser *p, struct pp_ident *id)
{
	struct cbtf *b = p->btf;
	if (!b)
		return NULL;
	if (!ready(b)) {
		report_broken(p, b);
		return NULL;
	}
	uint32_t tid = find(b, id, 1u << BTF_KIND_TYPEDEF, false);
	if (tid) {
		struct ctype *t = mat(b, tid);
		report_broken(p, b);
		if (t->sugar != CS_TYPEDEF)
			return NULL;
		struct cdecl *td = t->s.tdef;
		cp_bind_file_scope(p, id, td);
		return id->bind_ord ? id->bind_ord->decl : td;
	}
	tid = find(b, id, (1u << BTF_KIND_ENUM) | (1u << BTF_KIND_ENUM64), true);
	if (!tid)
		return NULL;
	struct ctype *et = mat(b, tid);
	report_broken(p, b);
	if (et->kind != TY_ENUM)
		return NULL;
	struct cenum *e = et->u.en;
	struct cdecl *found = NULL;
	for (uint32_t i = 0; i < e->nconsts; i++) {
		struct cdecl *c = e->consts[i];
		if (!c->name)
			continue;
		if (!c->name->bind_ord)
			cp_bind_file_scope(p, c->name, c);
		if (c->name == id)
			found = c;
	}
	if (e->tag && !e->tag->bind_tag)
		cp_bind_tag_file_scope(p, e->tag, et);
	return found;
}

struct ctype *cbtf_lookup_tag(struct cparser *p, struct pp_ident *id)
{
	struct cbtf *b = p->btf;
	if (!b)
		return NULL;
	if (!ready(b)) {
		report_broken(p, b);
		return NULL;
	}
	uint32_t tid =
		find(b, id,
		     (1u << BTF_KIND_STRUCT) | (1u << BTF_KIND_UNION) | (1u << BTF_KIND_FWD) |
			     (1u << BTF_KIND_ENUM) | (1u << BTF_KIND_ENUM64),
		     false);
	if (!tid)
		return NULL;
	struct ctype *t = mat(b, tid);
	report_broken(p, b);
	if (t->kind == TY_ERROR)
		return NULL;
	cp_bind_tag_file_scope(p, id, t);
	if (t->kind == TY_ENUM) /* its enumerators come with it, as in vmlinux.h */
		for (uint32_t i = 0; i < t->u.en->nconsts; i++) {
			struct cdecl *c = t->u.en->consts[i];
			if (c->name && !c->name->bind_ord)
				cp_bind_file_scope(p, c->name, c);
		}
	return t;
}

/* ---- #include "vmlinux.h" ---- */

bool cbtf_include_hook(void *ctx, const char *name, bool angled, bool found)
{
	struct cparser *p = ctx;
	(void)angled;
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strcmp(base, "vmlinux.h"))
		return false;
	if (!p->btf) {
		if (found && !p->opt.btf_types)
			return false; /* the header on disk */
		int err = 0;
		p->btf = cbtf_open(p->tu, pp_idents(p->pp), p->opt.btf_path, &err);
		if (!p->btf)
			return false;
		p->tu->btf = p->btf;
	}
	p->btf_on = true;
	/* the one macro bpftool's vmlinux.h defines: bpf_tracing.h picks the
	 * kernel's pt_regs member names by it */
	pp_define(p->pp, "__VMLINUX_H__", NULL);
	return true;
}
