/* vmlinux.h's record and enum bodies parsed on first use.  The header
 * declares some twenty thousand types and a program touches a few dozen, so
 * bodies that need no preprocessing and declare nothing outside themselves
 * are skipped unlexed (lex_skip_braced) and parsed when first needed — a
 * record when it must be complete, an enum when one of its enumerators is
 * looked up or its type measured — from the body's text, seeing the file
 * scope it was written in and the #pragma pack/clang attribute state of
 * that place.  Only files named vmlinux.h qualify: bpftool writes them, so
 * an error in a body nobody uses (which clang would report) cannot occur. */
#include "frontend/c/cparse_internal.h"

#include <string.h>

/* Ten thousand of these for a vmlinux.h: offsets into the file's text. */
struct clazy_body {
	struct cparser *p;
	struct pragma_attr *attrs; /* the #pragma clang attribute stack */
	uint32_t file, begin, len, line, bol;
	uint16_t pack, nattrs;
};

/* An enumerator of a skipped enum body, by the hash of its name: a
 * collision at worst parses an enum early. */
struct lazy_name {
	uint32_t hash; /* as pp_ident.hash; 0: an empty slot */
	uint32_t en;   /* the enum, in lazy_enums */
};

static bool lazy_file(struct cparser *p, uint32_t file)
{
	if (file != p->lazy_file_id) {
		struct src_file *f = srcmgr_file(p->diag->sm, file);
		const char *base = f ? strrchr(f->path, '/') : NULL;
		base = base ? base + 1 : f ? f->path : "";
		p->lazy_file_id = file;
		p->lazy_file_ok = !strcmp(base, "vmlinux.h");
	}
	return p->lazy_file_ok;
}

static bool may_skip(struct cparser *p)
{
	return !p->opt.eager_records && !p->scope->depth && !p->lex && !p->arr && !p->nahead &&
	       !p->cur_record && !(p->tok.flags & TF_MACRO) && p->pack <= UINT16_MAX &&
	       p->attr_stack.len <= UINT16_MAX && lazy_file(p, p->tok.loc.file);
}

/* ---- the pending enumerators ---- */

static struct lazy_name *pending_slot(const struct cparser *p, uint32_t hash)
{
	for (uint32_t i = hash & p->pending_mask;; i = (i + 1) & p->pending_mask) {
		struct lazy_name *n = &p->pending[i];
		if (!n->hash || n->hash == hash)
			return n;
	}
}

/* False when the name (or one hashing alike) is there already. */
static bool pending_add(struct cparser *p, uint32_t hash, uint32_t en)
{
	if (p->pending_count * 2 >= p->pending_mask) {
		struct lazy_name *old = p->pending;
		uint32_t ocap = old ? p->pending_mask + 1 : 0;
		uint32_t cap = ocap ? ocap * 2 : 4096;
		/* zeroed by writing: calloc's pages would fault twice */
		p->pending = xmalloc(cap * sizeof(*p->pending));
		memset(p->pending, 0, cap * sizeof(*p->pending));
		p->pending_mask = cap - 1;
		for (uint32_t i = 0; i < ocap; i++)
			if (old[i].hash)
				*pending_slot(p, old[i].hash) = old[i];
		free(old);
	}
	struct lazy_name *slot = pending_slot(p, hash);
	if (slot->hash)
		return false;
	p->pending_count++;
	slot->hash = hash;
	slot->en = en;
	return true;
}

void cp_pending_name(struct cparser *p, struct pp_ident *id)
{
	if (!p->pending)
		return;
	struct lazy_name *n = pending_slot(p, id->hash);
	if (n->hash && n->en < p->lazy_enums.len && p->lazy_enums.data[n->en]->lazy_body)
		cp_complete_lazy_enum(p->lazy_enums.data[n->en]);
}

/* ---- skipping ---- */

struct scan {
	struct cparser *p;
	VEC(uint32_t) names; /* the hashes of the enumerators met */
};

/* A tag a skipped body mentions must be declared already, or parsing the
 * body later would declare it too late. */
static bool tag_ok(void *ctx, const char *s, uint32_t len, uint32_t hash)
{
	struct scan *sc = ctx;
	struct pp_ident *id = ident_find(pp_idents(sc->p->pp), s, len, hash);
	return id && id->bind_tag && id->bind_tag->depth == 0;
}

/* An enumerator may wait only when nothing declares its name so far. */
static bool enumerator_ok(void *ctx, const char *s, uint32_t len, uint32_t hash)
{
	struct scan *sc = ctx;
	uint32_t h = hash ? hash : 1; /* as pp_ident.hash */
	struct pp_ident *id = ident_find(pp_idents(sc->p->pp), s, len, hash);
	if ((id && id->bind_ord) || (id && id->kw))
		return false;
	/* entered right away, under the index the enum gets if its scan
	 * succeeds (a failed scan voids them) */
	if (!pending_add(sc->p, h, sc->p->lazy_enums.len))
		return false; /* twice: an error to report now */
	vec_push(&sc->names, h);
	return true;
}

static struct clazy_body *skip(struct cparser *p, struct scan *sc, bool is_enum)
{
	struct lex_skip_hooks hk = { tag_ok, is_enum ? enumerator_ok : NULL, sc };
	struct pp_span span;
	if (!pp_skip_braced(p->pp, &hk, &span))
		return NULL;
	struct clazy_body *lb = CP_NEW(p, struct clazy_body);
	const char *text = srcmgr_file(p->diag->sm, span.file)->text;
	lb->p = p;
	lb->file = span.file;
	lb->begin = (uint32_t)(span.begin - text);
	lb->len = (uint32_t)(span.end - span.begin);
	lb->line = span.line;
	lb->bol = (uint32_t)(span.bol - text);
	lb->pack = (uint16_t)p->pack;
	/* consecutive bodies share a snapshot of the pragma state */
	size_t sz = p->attr_stack.len * sizeof(struct pragma_attr);
	if (!p->attr_snap || p->attr_snap_n != p->attr_stack.len ||
	    (sz && memcmp(p->attr_snap, p->attr_stack.data, sz))) {
		p->attr_snap = sz ? cp_dup(p, p->attr_stack.data, sz) : NULL;
		p->attr_snap_n = p->attr_stack.len;
	}
	lb->attrs = p->attr_snap;
	lb->nattrs = (uint16_t)p->attr_snap_n;
	return lb;
}

bool cp_try_lazy_record(struct cparser *p, struct crecord *r)
{
	if (!may_skip(p))
		return false;
	struct scan sc = { p, { 0 } };
	struct clazy_body *lb = skip(p, &sc, false);
	if (!lb)
		return false;
	r->lazy_body = lb;
	r->flags |= CRF_LAZY_BODY;
	vec_push(&p->lazy_records, r);
	return true;
}

bool cp_try_lazy_enum(struct cparser *p, struct cenum *e)
{
	if (e->fixed || !may_skip(p))
		return false;
	struct scan sc = { p, { 0 } };
	struct clazy_body *lb = skip(p, &sc, true);
	if (!lb || !sc.names.len) { /* `enum {}` is an error to report now */
		for (uint32_t i = 0; i < sc.names.len; i++)
			pending_slot(p, sc.names.data[i])->en = UINT32_MAX;
		vec_free(&sc.names);
		return false;
	}
	vec_free(&sc.names);
	e->lazy_body = lb;
	vec_push(&p->lazy_enums, e);
	return true;
}

/* ---- parsing a body later ---- */

struct lazy_state {
	struct cp_tokstate ts;
	struct lexer lx;
	bool file_view, in_sizeof, have_hint;
	uint32_t view_floor, pack;
	struct crecord *cur;
	struct cdecl *func;
	struct cscope *scope;
	struct pragma_attr *attrs;
	uint32_t nattrs;
};

/* Points the parser at the body's text, in the file scope's view. */
static void enter(struct cparser *p, const struct clazy_body *lb, struct lazy_state *s,
		  bool file_scope)
{
	cp_save_tokens(p, &s->ts);
	s->file_view = p->file_view;
	s->in_sizeof = p->in_sizeof;
	s->have_hint = p->have_hint;
	s->view_floor = p->view_floor;
	s->pack = p->pack;
	s->cur = p->cur_record;
	s->func = p->func;
	s->scope = p->scope;
	s->attrs = p->attr_stack.data;
	s->nattrs = p->attr_stack.len;
	const char *text = srcmgr_file(p->diag->sm, lb->file)->text;
	lex_init(&s->lx, lb->file, text + lb->begin, lb->len, pp_idents(p->pp), pp_arena(p->pp),
		 p->diag);
	s->lx.line = lb->line;
	s->lx.bol = text + lb->bol;
	s->lx.at_bol = false;
	p->lex = &s->lx;
	p->arr = NULL;
	p->nahead = 0;
	/* names bound by the body (enumerators) go to the file scope, under
	 * the blocks it happens to be parsed from; others stay hidden */
	p->file_view = true;
	p->view_floor = p->scope->depth;
	if (file_scope)
		p->scope = &p->file_scope;
	p->in_sizeof = false;
	p->have_hint = false;
	p->func = NULL;
	p->cur_record = NULL;
	p->pack = lb->pack;
	p->attr_stack.data = lb->attrs; /* read only while the body is parsed */
	p->attr_stack.len = lb->nattrs;
	cp_next(p);
}

static void leave(struct cparser *p, struct lazy_state *s)
{
	p->attr_stack.data = s->attrs;
	p->attr_stack.len = s->nattrs;
	p->file_view = s->file_view;
	p->view_floor = s->view_floor;
	p->in_sizeof = s->in_sizeof;
	p->have_hint = s->have_hint;
	p->pack = s->pack;
	p->cur_record = s->cur;
	p->func = s->func;
	p->scope = s->scope;
	cp_restore_tokens(p, &s->ts);
}

void cp_complete_lazy_record(struct crecord *r)
{
	struct clazy_body *lb = r->lazy_body;
	struct cparser *p = lb->p;
	r->flags &= ~CRF_LAZY_BODY;
	r->lazy_body = NULL;
	struct lazy_state s;
	enter(p, lb, &s, false);
	membervec ms = { 0 };
	cp_parse_members(p, r, &ms);
	cp_finish_members(p, r, &ms);
	leave(p, &s);
}

void cp_complete_lazy_enum(struct cenum *e)
{
	struct clazy_body *lb = e->lazy_body;
	struct cparser *p = lb->p;
	e->lazy_body = NULL;
	struct lazy_state s;
	enter(p, lb, &s, true);
	declvec consts = { 0 };
	cp_parse_enumerators(p, e, &consts);
	cp_finish_enum(p, e, &consts);
	leave(p, &s);
}

void cenum_complete(struct cenum *e)
{
	if (e->lazy_body)
		cp_complete_lazy_enum(e);
}

void ctu_complete_records(struct ctu *tu)
{
	struct cparser *p = tu->parser;
	for (uint32_t i = 0; p && i < p->lazy_enums.len; i++)
		cenum_complete(p->lazy_enums.data[i]);
	for (uint32_t i = 0; p && i < p->lazy_records.len; i++)
		crecord_complete(p->lazy_records.data[i]);
}
