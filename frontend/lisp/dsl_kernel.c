/* The kernel as a source of types: import-kernel-struct reads kernel BTF
 * (every field access is then CO-RE relocated), deftracepoint reads a
 * tracepoint's format file from tracefs (mounting it when needed). */
#include "frontend/lisp/dsl_internal.h"
#include "btf/btf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

int dsl_vmlinux(struct dsl *d, struct wbtf **out)
{
	if (!d->vmlinux && !d->vmlinux_err) {
		const char *p = d->opts.btf_path;
		d->vmlinux_err = p ? wbtf_load_raw_file(p, NULL, &d->vmlinux)
				   : wbtf_load_vmlinux(&d->vmlinux);
		if (!d->vmlinux_err && !d->vmlinux)
			d->vmlinux_err = -ENOENT;
	}
	*out = d->vmlinux;
	return d->vmlinux_err;
}

/* ---- tracing arguments ---------------------------------------------------------------- */

/* The member of composite `id` at byte `off`, through anonymous members
 * (bpf_iter__NAME wraps each pointer in an anonymous union). */
static const struct btf_member *member_at(const struct wbtf *btf, uint32_t id, int64_t off,
					  int depth)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, id, &id);
	if (!t || !wbtf_is_composite(t) || depth > 8)
		return NULL;
	for (unsigned i = 0; i < wbtf_vlen(t); i++) {
		const struct btf_member *m = &wbtf_members(t)[i];
		int64_t moff = wbtf_member_bit_offset(t, i) / 8;
		if (moff != off && !(m->name_off == 0 && moff < off))
			continue;
		if (m->name_off)
			return m;
		const struct btf_member *r = member_at(btf, m->type, off - moff, depth + 1);
		if (r)
			return r;
	}
	return NULL;
}

/* The kernel's view of one argument type: a pointer to a struct or union
 * is a BTF object, anything else a scalar. */
static enum dsl_targ arg_kind(struct dsl *d, const struct wbtf *btf, uint32_t type,
			      const char **ptr_to)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, type, &type);
	if (!t || wbtf_kind(t) != BTF_KIND_PTR)
		return DSL_TARG_SCALAR;
	uint32_t pid;
	const struct btf_type *pt = wbtf_skip_mods_typedefs(btf, t->type, &pid);
	if (!pt || !wbtf_is_composite(pt))
		return DSL_TARG_SCALAR;
	*ptr_to = pt->name_off ? arena_strdup(&d->arena, wbtf_name(btf, pid)) : NULL;
	return DSL_TARG_BTF;
}

enum dsl_targ dsl_tracing_arg(struct dsl *d, const char *section, int64_t off, const char **ptr_to)
{
	*ptr_to = NULL;
	const char *slash = section ? strchr(section, '/') : NULL;
	if (!slash || !slash[1] || off < 0 || off % 8)
		return DSL_TARG_UNKNOWN;
	size_t plen = (size_t)(slash - section);
	const char *target = slash + 1;
#define PREFIX(s) (plen == strlen(s) && !strncmp(section, s, plen))
	bool lsm = PREFIX("lsm") || PREFIX("lsm.s") || PREFIX("lsm_cgroup");
	bool tp = PREFIX("tp_btf");
	bool iter = PREFIX("iter") || PREFIX("iter.s");
	bool fexit = PREFIX("fexit") || PREFIX("fexit.s");
	bool func = fexit || PREFIX("fentry") || PREFIX("fentry.s") || PREFIX("fmod_ret") ||
		    PREFIX("fmod_ret.s");
#undef PREFIX
	if (!lsm && !tp && !iter && !func)
		return DSL_TARG_UNKNOWN;
	struct wbtf *btf;
	if (dsl_vmlinux(d, &btf))
		return DSL_TARG_UNKNOWN;
	if (iter) {
		/* the context is struct bpf_iter__TARGET; its pointers may be NULL */
		char *name = arena_printf(&d->arena, "bpf_iter__%s", target);
		int32_t id = wbtf_find_by_name_kind(btf, name, BTF_KIND_STRUCT);
		const struct btf_member *m = id < 0 ? NULL : member_at(btf, (uint32_t)id, off, 0);
		if (!m)
			return DSL_TARG_UNKNOWN;
		enum dsl_targ k = arg_kind(d, btf, m->type, ptr_to);
		const char *mn = wbtf_str(btf, m->name_off);
		return k == DSL_TARG_BTF && mn && strcmp(mn, "meta") ? DSL_TARG_BTF_NULL : k;
	}
	/* the prototype: FUNC NAME, FUNC bpf_lsm_HOOK, or TYPEDEF btf_trace_EVENT
	 * (a pointer to a prototype whose first argument is the tracepoint's
	 * private data, not passed to the program) */
	const struct btf_type *proto = NULL;
	unsigned skip = 0;
	if (tp) {
		char *name = arena_printf(&d->arena, "btf_trace_%s", target);
		int32_t id = wbtf_find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
		uint32_t pid;
		const struct btf_type *pt =
			id < 0 ? NULL : wbtf_skip_mods_typedefs(btf, (uint32_t)id, &pid);
		if (pt && wbtf_kind(pt) == BTF_KIND_PTR)
			proto = wbtf_skip_mods(btf, pt->type, &pid);
		skip = 1;
	} else {
		char *name = lsm ? arena_printf(&d->arena, "bpf_lsm_%s", target)
				 : arena_strdup(&d->arena, target);
		int32_t id = wbtf_find_by_name_kind(btf, name, BTF_KIND_FUNC);
		const struct btf_type *ft = id < 0 ? NULL : wbtf_type_by_id(btf, (uint32_t)id);
		if (ft)
			proto = wbtf_type_by_id(btf, ft->type);
	}
	if (!proto || wbtf_kind(proto) != BTF_KIND_FUNC_PROTO)
		return DSL_TARG_UNKNOWN;
	/* each argument takes one u64 slot, a struct passed by value up to 16
	 * bytes two; after them fexit and LSM programs see the return value */
	int64_t slot = 0, want = off / 8;
	const struct btf_param *ps = wbtf_params(proto);
	for (unsigned i = skip; i < wbtf_vlen(proto); i++) {
		int64_t size = wbtf_resolve_size(btf, ps[i].type);
		int64_t n = size > 8 ? (size + 7) / 8 : 1;
		if (want < slot + n)
			return want == slot ? arg_kind(d, btf, ps[i].type, ptr_to)
					    : DSL_TARG_SCALAR;
		slot += n;
	}
	if (want == slot && (fexit || lsm) && proto->type)
		return arg_kind(d, btf, proto->type, ptr_to);
	return DSL_TARG_UNKNOWN;
}

static char *kernel_name(struct dsl *d, lv sym)
{
	char *s = arena_strdup(&d->arena, dsl_lisp_name(d, sym));
	for (char *p = s; *p; p++)
		if (*p == '-')
			*p = '_';
	return s;
}

static char *lisp_spelling(struct dsl *d, const char *kname)
{
	char *s = arena_strdup(&d->arena, kname);
	for (char *p = s; *p; p++)
		if (*p == '_')
			*p = '-';
	return s;
}

uint32_t dsl_kernel_sid(struct dsl *d, const char *cname)
{
	for (uint32_t i = 0; i < d->structs.len; i++)
		if (d->structs.data[i].kind == DSL_KERNEL &&
		    !strcmp(d->structs.data[i].cname, cname))
			return i + 1;
	return 0;
}

uint32_t kernel_ptr_sid(struct dsl *d, struct dsl_kfield *kf)
{
	if (!kf->ptr_sid && kf->ptr_to)
		kf->ptr_sid = dsl_kernel_sid(d, kf->ptr_to);
	return kf->ptr_sid;
}

/* Finds member `name` in composite `id`, through anonymous members; adds
 * their offsets to *bit_off. */
static const struct btf_member *find_member(const struct wbtf *btf, uint32_t id, const char *name,
					    uint64_t *bit_off, bool *bitfield, int depth)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, id, &id);
	if (!t || !wbtf_is_composite(t) || depth > 16)
		return NULL;
	for (unsigned i = 0; i < wbtf_vlen(t); i++) {
		const struct btf_member *m = &wbtf_members(t)[i];
		const char *mn = wbtf_str(btf, m->name_off);
		uint64_t off = wbtf_member_bit_offset(t, i);
		if (mn && *mn) {
			if (!strcmp(mn, name)) {
				*bit_off += off;
				*bitfield = wbtf_member_bitfield_size(t, i) != 0;
				return m;
			}
			continue;
		}
		uint64_t sub = *bit_off + off;
		const struct btf_member *r =
			find_member(btf, m->type, name, &sub, bitfield, depth + 1);
		if (r) {
			*bit_off = sub;
			return r;
		}
	}
	return NULL;
}

/* Fills f/kf from the member's type; false for types the DSL cannot hold. */
static bool kernel_field_type(struct dsl *d, struct wbtf *btf, uint32_t type, struct dsl_field *f,
			      struct dsl_kfield *kf)
{
	uint32_t id;
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, type, &id);
	if (!t)
		return false;
	kf->btf_type = id;
	f->count = 0;
	if (wbtf_kind(t) == BTF_KIND_ARRAY) {
		const struct btf_array *a = wbtf_array(t);
		const struct btf_type *e = wbtf_skip_mods_typedefs(btf, a->type, &id);
		if (!e || (wbtf_kind(e) != BTF_KIND_INT && !wbtf_is_any_enum(e) &&
			   wbtf_kind(e) != BTF_KIND_PTR))
			return false;
		f->count = a->nelems ? a->nelems : 1;
		t = e;
	}
	switch (wbtf_kind(t)) {
	case BTF_KIND_INT:
		f->kind = DSL_F_INT;
		f->size = (uint8_t)t->size;
		f->sign = wbtf_int_encoding(t) & BTF_INT_SIGNED;
		return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		f->kind = DSL_F_INT;
		f->size = (uint8_t)t->size;
		f->sign = wbtf_kflag(t);
		return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8;
	case BTF_KIND_PTR: {
		f->kind = DSL_F_INT;
		f->size = 8;
		kf->is_ptr = true;
		uint32_t pid;
		const struct btf_type *pt = wbtf_skip_mods_typedefs(btf, t->type, &pid);
		if (pt && wbtf_is_composite(pt) && pt->name_off)
			kf->ptr_to = arena_strdup(&d->arena, wbtf_name(btf, pid));
		return true;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const char *n = wbtf_name(btf, id);
		int32_t sid = -1;
		for (uint32_t i = 0; *n && i < d->structs.len; i++)
			if (d->structs.data[i].kind == DSL_KERNEL &&
			    !strcmp(d->structs.data[i].cname, n))
				sid = (int32_t)i;
		if (sid >= 0) {
			f->kind = DSL_F_STRUCT;
			f->sub = (uint32_t)sid;
		} else {
			f->kind = DSL_F_INT; /* an opaque blob: accessors give its address */
			f->size = 1;
			f->count = t->size;
		}
		return true;
	}
	default:
		return false;
	}
}

/* (import-kernel-struct NAME [FIELD...]) */
static lv sf_import(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	if (!lisp_symbolp(name) || name == LISP_NIL) {
		dsl_error(
			d, loc,
			"import-kernel-struct needs a struct name: (import-kernel-struct task_struct pid tgid)");
		return LISP_NIL;
	}
	struct wbtf *btf;
	int err = dsl_vmlinux(d, &btf);
	if (err) {
		dsl_error(d, loc, "import-kernel-struct: cannot read kernel BTF %s: %s",
			  d->opts.btf_path ? d->opts.btf_path : "/sys/kernel/btf/vmlinux",
			  strerror(-err));
		dsl_hint(d,
			 "the kernel needs CONFIG_DEBUG_INFO_BTF=y, or give a BTF file with --btf");
		return LISP_NIL;
	}
	char *kname = kernel_name(d, name);
	int32_t id = wbtf_find_by_name_kind(btf, kname, BTF_KIND_STRUCT);
	if (id < 0)
		id = wbtf_find_by_name_kind(btf, kname, BTF_KIND_UNION);
	if (id < 0) {
		dsl_error(d, lisp_elem_loc(form, 1),
			  "import-kernel-struct: the kernel has no struct %s", kname);
		return LISP_NIL;
	}
	const struct btf_type *st = wbtf_type_by_id(btf, (uint32_t)id);
	struct dsl_struct s = { .kind = DSL_KERNEL, .loc = loc, .size = st->size, .align = 8 };
	s.name = lisp_spelling(d, kname);
	s.cname = kname;
	lv fields = lisp_cddr(form);
	size_t n = 0;
	for (lv l = fields; lisp_consp(l); l = lisp_cdr(l))
		n++;
	if (!n)
		n = wbtf_vlen(st);
	s.fields = arena_newn(&d->arena, struct dsl_field, n ? n : 1);
	struct dsl_kfield *kfs = arena_newn(&d->arena, struct dsl_kfield, n ? n : 1);
	if (fields != LISP_NIL) {
		for (lv l = fields; lisp_consp(l); l = lisp_cdr(l)) {
			lv fs = lisp_car(l);
			struct srcloc fl = lisp_car_loc(l);
			if (!lisp_symbolp(fs) || fs == LISP_NIL) {
				dsl_error(d, fl, "import-kernel-struct %s: fields are names",
					  kname);
				return LISP_NIL;
			}
			char *fname = kernel_name(d, fs);
			uint64_t bit = 0;
			bool bitfield = false;
			const struct btf_member *m =
				find_member(btf, (uint32_t)id, fname, &bit, &bitfield, 0);
			if (!m) {
				dsl_error(d, fl, "struct %s has no field %s", kname, fname);
				const char *c[512];
				size_t nc = 0;
				for (unsigned i = 0; i < wbtf_vlen(st) && nc < 512; i++) {
					const char *mn =
						wbtf_str(btf, wbtf_members(st)[i].name_off);
					if (mn && *mn)
						c[nc++] = mn;
				}
				const char *best = diag_suggest(fname, c, nc);
				if (best)
					dsl_hint(d, "did you mean '%s'?", best);
				return LISP_NIL;
			}
			if (bitfield) {
				dsl_error(
					d, fl,
					"%s.%s is a bitfield, which import-kernel-struct does not read",
					kname, fname);
				return LISP_NIL;
			}
			struct dsl_field *f = &s.fields[s.nfields];
			struct dsl_kfield *kf = &kfs[s.nfields];
			if (!kernel_field_type(d, btf, m->type, f, kf)) {
				dsl_error(d, fl,
					  "%s.%s has a type import-kernel-struct cannot read",
					  kname, fname);
				dsl_hint(
					d,
					"integers, enums, pointers, arrays of them and embedded structs are supported");
				return LISP_NIL;
			}
			f->cname = fname;
			f->name = lisp_spelling(d, fname);
			f->offset = (uint32_t)(bit / 8);
			s.nfields++;
		}
	} else {
		for (unsigned i = 0; i < wbtf_vlen(st); i++) {
			const struct btf_member *m = &wbtf_members(st)[i];
			const char *mn = wbtf_str(btf, m->name_off);
			if (!mn || !*mn || wbtf_member_bitfield_size(st, i))
				continue;
			struct dsl_field *f = &s.fields[s.nfields];
			struct dsl_kfield *kf = &kfs[s.nfields];
			memset(kf, 0, sizeof(*kf));
			if (!kernel_field_type(d, btf, m->type, f, kf) || f->kind != DSL_F_INT ||
			    (f->count && !kf->is_ptr && f->size == 1 && f->count > 64))
				continue;
			f->cname = arena_strdup(&d->arena, mn);
			f->name = lisp_spelling(d, mn);
			f->offset = wbtf_member_bit_offset(st, i) / 8;
			s.nfields++;
		}
	}
	s.user = !d->in_prelude;
	int32_t old = dsl_struct_find(d, s.name);
	uint32_t sid;
	if (old >= 0) {
		sid = (uint32_t)old;
		d->structs.data[sid] = s;
		d->kfields.data[sid] = kfs;
	} else {
		vec_push(&d->structs, s);
		vec_push(&d->kfields, kfs);
		sid = d->structs.len - 1;
	}
	dsl_acc_define(d, arena_printf(&d->arena, "as-%s", s.name), ACC_AS, sid, 0);
	for (uint32_t i = 0; i < s.nfields; i++) {
		dsl_acc_define(d, arena_printf(&d->arena, "%s-%s", s.name, s.fields[i].name),
			       ACC_GET, sid, i);
		dsl_acc_define(d, arena_printf(&d->arena, "%s-%s-ptr", s.name, s.fields[i].name),
			       ACC_PTR, sid, i);
	}
	lv size_sym = lisp_intern(ctx, arena_printf(&d->arena, "+%s-SIZE+", s.name));
	lisp_set_symbol_value(ctx, size_sym, lisp_make_int(ctx, s.size));
	return name;
}

/* ---- tracepoints ---------------------------------------------------------------- */

static const char *tracefs_root(struct dsl *d)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct stat sb;
	if (d->opts.tracefs)
		return d->opts.tracefs;
	for (size_t i = 0; i < ARRAY_LEN(roots); i++) {
		char *p = arena_printf(&d->arena, "%s/events", roots[i]);
		if (!stat(p, &sb))
			return roots[i];
	}
	/* not mounted: try to mount it (needs privileges) */
	if (!mount("tracefs", roots[0], "tracefs", 0, NULL))
		return roots[0];
	return roots[0];
}

static bool parse_format(struct dsl *d, const char *text, struct dsl_tracepoint *tp)
{
	VEC(struct dsl_tpfield) fs = { 0 };
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *ln = arena_strndup(&d->arena, line, len);
		line = end ? end + 1 : NULL;
		char *fpos = strstr(ln, "field:");
		if (!fpos)
			continue;
		char *semi = strchr(fpos, ';');
		if (!semi)
			continue;
		*semi = 0;
		char *decl = fpos + 6;
		char *op = strstr(semi + 1, "offset:"), *sp = strstr(semi + 1, "size:"),
		     *sg = strstr(semi + 1, "signed:");
		if (!op || !sp)
			continue;
		/* the name is the last identifier of the declaration, before any [N] */
		char *br = strchr(decl, '[');
		uint32_t count = 0;
		if (br) {
			count = (uint32_t)strtoul(br + 1, NULL, 0);
			*br = 0;
		}
		size_t dl = strlen(decl);
		while (dl && !(isalnum((unsigned char)decl[dl - 1]) || decl[dl - 1] == '_'))
			decl[--dl] = 0;
		char *nm = decl + dl;
		while (nm > decl && (isalnum((unsigned char)nm[-1]) || nm[-1] == '_'))
			nm--;
		if (!*nm)
			continue;
		struct dsl_tpfield f = { .name = arena_strdup(&d->arena, nm),
					 .offset = (uint32_t)strtoul(op + 7, NULL, 0),
					 .size = (uint32_t)strtoul(sp + 5, NULL, 0),
					 .sign = sg && strtol(sg + 7, NULL, 0) == 1,
					 .count = count };
		if (strstr(decl, "__data_loc"))
			f.count = 0;
		vec_push(&fs, f);
	}
	tp->fields = arena_memdup(&d->arena, fs.data, sizeof(*fs.data) * (fs.len ? fs.len : 1));
	tp->nfields = fs.len;
	vec_free(&fs);
	return tp->nfields > 0;
}

/* (deftracepoint category/event [field...]) */
static lv sf_deftracepoint(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct dsl *d = data;
	struct srcloc loc = dsl_loc(d, form);
	lv name = lisp_cadr(form);
	char *full = lisp_symbolp(name) && name != LISP_NIL ? kernel_name(d, name) : NULL;
	char *slash = full ? strchr(full, '/') : NULL;
	if (!slash) {
		dsl_error(
			d, loc,
			"deftracepoint needs CATEGORY/EVENT: (deftracepoint sched/sched_switch prev_pid)");
		return LISP_NIL;
	}
	*slash = 0;
	struct dsl_tracepoint tp = { .category = full, .event = slash + 1 };
	const char *root = tracefs_root(d);
	char *path = arena_printf(&d->arena, "%s/events/%s/%s/format", root, tp.category, tp.event);
	FILE *fp = fopen(path, "r");
	if (!fp) {
		int e = errno;
		dsl_error(d, lisp_elem_loc(form, 1), "deftracepoint: cannot read %s: %s", path,
			  strerror(e));
		if (e == ENOENT)
			dsl_hint(d, "list the events with: ls %s/events/%s", root, tp.category);
		else
			dsl_hint(
				d,
				"tracefs format files are readable by root; run as root or chmod a+r the file");
		return LISP_NIL;
	}
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	if (!parse_format(d, buf_cstr(&b), &tp)) {
		buf_free(&b);
		dsl_error(d, loc, "deftracepoint: %s has no fields", path);
		return LISP_NIL;
	}
	buf_free(&b);
	uint32_t tpi = d->tps.len;
	vec_push(&d->tps, tp);
	lv wanted = lisp_cddr(form);
	for (uint32_t i = 0; i < tp.nfields; i++) {
		const struct dsl_tpfield *f = &tp.fields[i];
		bool want = wanted == LISP_NIL ? strncmp(f->name, "common_", 7) != 0 : false;
		for (lv l = wanted; lisp_consp(l) && !want; l = lisp_cdr(l))
			want = lisp_symbolp(lisp_car(l)) &&
			       !strcmp(kernel_name(d, lisp_car(l)), f->name);
		if (!want)
			continue;
		const char *ln = lisp_spelling(d, f->name);
		dsl_acc_define(d, arena_printf(&d->arena, "tp-%s", ln),
			       f->count ? ACC_TP_PTR : ACC_TP, tpi, i);
		dsl_acc_define(d, arena_printf(&d->arena, "tp-%s-ptr", ln), ACC_TP_PTR, tpi, i);
	}
	for (lv l = wanted; lisp_consp(l); l = lisp_cdr(l)) {
		const char *fn = lisp_symbolp(lisp_car(l)) ? kernel_name(d, lisp_car(l)) : "";
		bool found = false;
		for (uint32_t i = 0; i < tp.nfields; i++)
			found |= !strcmp(tp.fields[i].name, fn);
		if (!found) {
			const char *c[128];
			size_t nc = 0;
			for (uint32_t i = 0; i < tp.nfields && nc < 128; i++)
				c[nc++] = tp.fields[i].name;
			dsl_error(d, lisp_car_loc(l), "tracepoint %s/%s has no field %s",
				  tp.category, tp.event, fn);
			dsl_suggest(d, fn, c, nc, "fields");
		}
	}
	return name;
}

struct dval kernel_tp_access(struct fb *fb, const struct dsl_acc *acc, lv form, struct srcloc loc)
{
	const struct dsl_tracepoint *tp = &fb->d->tps.data[acc->sid];
	const struct dsl_tpfield *f = &tp->fields[acc->field];
	if (form_len(form) != 1)
		return fb_error(fb, loc, "%s takes no arguments",
				dsl_lisp_name(fb->d, lisp_car(form)));
	if (!fb->ptype || fb->outer || fb->ptype->progtype != IR_PROG_tracepoint) {
		fb_error(fb, loc, "%s reads the context of a tracepoint program",
			 dsl_lisp_name(fb->d, lisp_car(form)));
		dsl_hint(
			fb->d,
			"use it in (defprog NAME (:type :tracepoint :section \"tracepoint/%s/%s\") ...)",
			tp->category, tp->event);
		return dv_poison();
	}
	struct dval ctx = dv_tmp(fb->ctx, dt_ptr(RG_CTX, 0));
	if (acc->kind == ACC_TP) {
		unsigned size =
			f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8 ? f->size : 8;
		return mem_load(fb, dt_int(size, f->sign), ctx, f->offset, loc);
	}
	/* arrays: a copy on the stack (the context cannot be pointed into) */
	uint32_t size = f->size;
	ir_ref buf = fb_alloca(fb, ALIGN_UP(size, 8), 8,
			       arena_printf(&fb->f->arena, "copy of tracepoint field %s", f->name));
	struct dval bufv = dv_tmp(buf, dt_ptr(RG_STACK, 0));
	for (uint32_t off = 0; off < size;) {
		unsigned w = 8;
		while (w > 1 && ((f->offset + off) % w || off + w > size))
			w /= 2;
		struct dval v = mem_load(fb, dt_int(w, false), ctx, f->offset + off, loc);
		mem_store(fb, w, bufv, off, v, loc);
		off += w;
	}
	return bufv;
}

void dsl_kernel_register(struct dsl *d)
{
	lisp_defspecial(d->ctx, "import-kernel-struct", sf_import, d);
	lisp_defspecial(d->ctx, "deftracepoint", sf_deftracepoint, d);
}
