/* wl_object: opening a BPF ELF object.  Reads and checks everything the
 * later stages rely on (license, BTF, code sections, functions, programs and
 * their section definitions), hands maps, externs and relocations to their
 * files, and frees it all on close. */
#include "loader/obj.h"

#include "elf/elf_bpf.h"
#include "util/fileio.h"

#include <string.h>

/* ---- section definitions ---------------------------------------------- */

static const struct sec_def sec_defs[] = {
#define SEC_DEF(name, type, attach, flags, how) { name, type, attach, flags, how },
#include "loader/sec_defs.def"
#undef SEC_DEF
};

const struct sec_def *obj_sec_def_find(const char *sec, const char **extras)
{
	for (size_t i = 0; i < ARRAY_LEN(sec_defs); i++) {
		const char *n = sec_defs[i].name;
		size_t len = strlen(n);
		bool plus = len && n[len - 1] == '+';
		if (plus)
			len--;
		if (strncmp(sec, n, len))
			continue;
		if (!sec[len]) {
			*extras = "";
			return &sec_defs[i];
		}
		if (plus && sec[len] == '/') {
			*extras = sec + len + 1;
			return &sec_defs[i];
		}
	}
	*extras = "";
	return NULL;
}

const struct sec_def *obj_sec_def_longest_prefix(const char *sec)
{
	const struct sec_def *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < ARRAY_LEN(sec_defs); i++) {
		const char *n = sec_defs[i].name;
		size_t len = strlen(n);
		if (len && n[len - 1] == '+')
			len--;
		if (len > best_len && !strncmp(sec, n, len)) {
			best_len = len;
			best = &sec_defs[i];
		}
	}
	return best;
}

/* ---- lookups shared by the object files --------------------------------- */

int obj_code_index(const struct wl_object *obj, uint32_t sec)
{
	for (uint32_t i = 0; i < obj->codes.len; i++)
		if (obj->codes.data[i].sec == sec)
			return (int)i;
	return -1;
}

int obj_func_at(const struct wl_object *obj, uint32_t code, uint32_t insn)
{
	for (uint32_t i = 0; i < obj->funcs.len; i++) {
		const struct obj_func *f = &obj->funcs.data[i];
		if (f->code == code && insn >= f->off && insn - f->off < f->len)
			return (int)i;
	}
	return -1;
}

struct wl_obj_map *obj_map_by_sec_off(const struct wl_object *obj, int sec, uint64_t off)
{
	for (uint32_t i = 0; i < obj->maps.len; i++) {
		struct wl_obj_map *m = obj->maps.data[i];
		if (m->kind == MK_USER && m->sec == sec && off >= m->sec_off &&
		    off - m->sec_off < (m->sec_size ? m->sec_size : 1))
			return m;
	}
	return NULL;
}

/* ---- open -------------------------------------------------------------- */

static const char *default_name(struct arena *a, const char *path)
{
	if (!path)
		return "mem";
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".bpf.o"))
		n -= 6;
	else if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	return n ? arena_strndup(a, base, n) : "obj";
}

static int read_license(struct wl_object *obj)
{
	const struct elfr_section *s = elfr_section_by_name(obj->elf, "license");
	obj->license = "";
	if (!s)
		return 0;
	if (!s->data || !s->size || !memchr(s->data, 0, s->size)) {
		obj_warn(obj, "section 'license' is not a NUL-terminated string");
		return -EINVAL;
	}
	obj->license = (const char *)s->data;
	s = elfr_section_by_name(obj->elf, "version");
	if (s) {
		if (!s->data || s->size != 4) {
			obj_warn(obj, "section 'version' has size %lu, expected 4",
				 (unsigned long)s->size);
			return -EINVAL;
		}
		memcpy(&obj->kern_version, s->data, 4);
	}
	return 0;
}

static int read_btf(struct wl_object *obj)
{
	const struct elfr_section *s = elfr_section_by_name(obj->elf, ".BTF");
	if (!s)
		return 0;
	if (!s->data) {
		obj_warn(obj, "section '.BTF' has no contents");
		return -EINVAL;
	}
	int r = wbtf_parse(s->data, s->size, NULL, &obj->btf);
	if (r < 0) {
		obj_warn(obj, "corrupt .BTF: %s", wbtf_last_error());
		return r;
	}
	s = elfr_section_by_name(obj->elf, ".BTF.ext");
	if (!s)
		return 0;
	if (!s->data) {
		obj_warn(obj, "section '.BTF.ext' has no contents");
		return -EINVAL;
	}
	r = wbtf_ext_parse(s->data, s->size, obj->btf, &obj->ext);
	if (r < 0) {
		obj_warn(obj, "corrupt .BTF.ext: %s", wbtf_last_error());
		return r;
	}
	return 0;
}

/* The .BTF.ext records of a code section, each checked against it. */
static int attach_ext(struct wl_object *obj, struct obj_code *c)
{
	for (uint32_t i = 0; i < obj->ext.nr_secs; i++) {
		const struct wbtf_ext_sec *e = &obj->ext.secs[i];
		const char *n = wbtf_str(obj->btf, e->sec_name_off);
		if (!n || strcmp(n, c->name))
			continue;
		uint64_t size = (uint64_t)c->n * 8;
		for (uint32_t k = 0; k < e->nr_func; k++)
			if (e->func[k].insn_off % 8 || e->func[k].insn_off >= size)
				goto bad;
		for (uint32_t k = 0; k < e->nr_line; k++)
			if (e->line[k].insn_off % 8 || e->line[k].insn_off >= size)
				goto bad;
		for (uint32_t k = 0; k < e->nr_core; k++)
			if (e->core[k].insn_off % 8 || e->core[k].insn_off >= size)
				goto bad;
		c->ext = e;
		return 0;
	bad:
		obj_warn(obj,
			 ".BTF.ext: section '%s': a record's insn_off is not an instruction "
			 "of the section (%u instructions)",
			 c->name, c->n);
		return -EINVAL;
	}
	return 0;
}

static int read_code(struct wl_object *obj)
{
	size_t n = elfr_section_count(obj->elf);
	for (size_t i = 1; i < n; i++) {
		const struct elfr_section *s = elfr_section(obj->elf, i);
		if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR) || !s->size)
			continue;
		if (s->size % 8) {
			obj_warn(obj,
				 "section '%s': size %lu is not a multiple of 8 (instructions)",
				 s->name, (unsigned long)s->size);
			return -EINVAL;
		}
		if (s->size / 8 > (1u << 24)) {
			obj_warn(obj, "section '%s': %lu instructions are too many", s->name,
				 (unsigned long)(s->size / 8));
			return -E2BIG;
		}
		struct obj_code c = { .sec = (uint32_t)i,
				      .name = s->name,
				      .n = (uint32_t)(s->size / 8) };
		c.insns = arena_memdup(&obj->arena, s->data, s->size);
		int r = attach_ext(obj, &c);
		if (r < 0)
			return r;
		vec_push(&obj->codes, c);
	}
	return 0;
}

static int cmp_func(const void *a, const void *b)
{
	const struct obj_func *x = a, *y = b;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Functions from FUNC symbols; a code section without any is one function. */
static int read_funcs(struct wl_object *obj)
{
	size_t ns = elfr_symbol_count(obj->elf);
	for (size_t i = 1; i < ns; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->type != STT_FUNC)
			continue;
		int ci = obj_code_index(obj, s->shndx);
		if (ci < 0) {
			if (s->shndx == SHN_UNDEF)
				continue;
			const struct elfr_section *sec = elfr_section(obj->elf, s->shndx);
			if (sec && sec->type == SHT_PROGBITS && (sec->flags & SHF_EXECINSTR))
				continue; /* empty code section */
			obj_warn(obj, "function '%s' is not in a code section", s->name);
			return -EINVAL;
		}
		const struct obj_code *c = &obj->codes.data[ci];
		uint64_t size = s->size ? s->size : (uint64_t)c->n * 8 - s->value;
		if (s->value % 8 || size % 8 || s->value > (uint64_t)c->n * 8 ||
		    size > (uint64_t)c->n * 8 - s->value || !size) {
			obj_warn(obj,
				 "function '%s': offset 0x%lx size 0x%lx do not fit section '%s' "
				 "(%u instructions)",
				 s->name, (unsigned long)s->value, (unsigned long)s->size, c->name,
				 c->n);
			return -EINVAL;
		}
		struct obj_func f = { .name = s->name,
				      .code = (uint32_t)ci,
				      .off = (uint32_t)(s->value / 8),
				      .len = (uint32_t)(size / 8),
				      .prog = -1 };
		vec_push(&obj->funcs, f);
	}
	for (uint32_t ci = 0; ci < obj->codes.len; ci++) {
		bool any = false;
		vec_foreach (&obj->funcs, f)
			any |= f->code == ci;
		if (!any) {
			struct obj_func f = { .name = obj->codes.data[ci].name,
					      .code = ci,
					      .len = obj->codes.data[ci].n,
					      .prog = -1 };
			vec_push(&obj->funcs, f);
		}
	}
	if (obj->funcs.len)
		qsort(obj->funcs.data, obj->funcs.len, sizeof(*obj->funcs.data), cmp_func);
	for (uint32_t i = 1; i < obj->funcs.len; i++) {
		const struct obj_func *a = &obj->funcs.data[i - 1], *b = &obj->funcs.data[i];
		if (a->code == b->code && a->off + a->len > b->off) {
			obj_warn(obj, "functions '%s' and '%s' overlap in section '%s'", a->name,
				 b->name, obj->codes.data[a->code].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* Every function outside .text is a program; .text holds subprograms. */
static void make_programs(struct wl_object *obj)
{
	for (uint32_t i = 0; i < obj->funcs.len; i++) {
		struct obj_func *f = &obj->funcs.data[i];
		const struct obj_code *c = &obj->codes.data[f->code];
		if (!strcmp(c->name, ".text"))
			continue;
		struct wl_program *p = xcalloc(1, sizeof(*p));
		p->obj = obj;
		p->name = f->name;
		p->sec_name = c->name;
		p->func = i;
		/* SEC("?kind/...") : typed as kind, loaded only when asked
		 * (wl_program_set_autoload), as libbpf does */
		const char *sec = c->name;
		p->autoload = *sec != '?';
		sec += !p->autoload;
		p->def = obj_sec_def_find(sec, &p->extras);
		if (p->def) {
			p->type = p->def->prog_type;
			p->expected_attach_type = p->def->attach_type;
			if (p->def->flags & SF_SLEEP)
				p->prog_flags |= BPF_F_SLEEPABLE;
			if (p->def->flags & SF_FRAGS)
				p->prog_flags |= 1u << 5; /* BPF_F_XDP_HAS_FRAGS */
		}
		f->prog = (int)obj->progs.len;
		vec_push(&obj->progs, p);
	}
}

static int reject_unsupported(struct wl_object *obj)
{
	size_t n = elfr_section_count(obj->elf);
	for (size_t i = 1; i < n; i++) {
		const char *name = elfr_section(obj->elf, i)->name;
		if (!strncmp(name, ".struct_ops", 11)) {
			obj_warn(obj,
				 "section '%s': struct_ops maps are not supported by "
				 "whistler's loader",
				 name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int obj_open(struct wl_object *obj)
{
	char err[256];
	int r = elfr_open(obj->data, obj->size, &obj->elf, err, sizeof(err));
	if (r < 0) {
		obj_warn(obj, "not a BPF object: %s", err);
		return r;
	}
	if (elfr_type(obj->elf) != ET_REL) {
		obj_warn(obj, "not a relocatable object (ELF type %u, expected ET_REL)",
			 elfr_type(obj->elf));
		return -EINVAL;
	}
	if ((r = read_license(obj)) || (r = reject_unsupported(obj)) || (r = read_btf(obj)) ||
	    (r = read_code(obj)) || (r = read_funcs(obj)))
		return r;
	make_programs(obj);
	if ((r = obj_collect_maps(obj)) || (r = obj_collect_externs(obj)) ||
	    (r = obj_collect_relos(obj)) || (r = obj_collect_map_inits(obj)))
		return r;
	if (obj->btf && (r = obj_fixup_btf(obj)))
		return r;
	return 0;
}

static struct wl_object *obj_new(const struct wl_object_opts *o, const char *path)
{
	struct wl_object *obj = xcalloc(1, sizeof(*obj));
	obj->maps_sec = obj->legacy_maps_sec = obj->kconfig_map = -1;
	obj->btf_fd = -1;
	obj->name =
		o && o->name ? arena_strdup(&obj->arena, o->name) : default_name(&obj->arena, path);
	obj->path = path ? arena_strdup(&obj->arena, path) : NULL;
	if (o) {
		if (o->pin_root)
			obj->pin_root = arena_strdup(&obj->arena, o->pin_root);
		if (o->kconfig)
			obj->kconfig = arena_strdup(&obj->arena, o->kconfig);
		if (o->btf_custom_path)
			obj->btf_path = arena_strdup(&obj->arena, o->btf_custom_path);
		obj->log_level = o->log_level;
		obj->btf_features_off = o->btf_features_off;
	}
	if (!obj->pin_root)
		obj->pin_root = "/sys/fs/bpf";
	return obj;
}

int wl_object_open_mem(const void *data, size_t size, const struct wl_object_opts *opts,
		       struct wl_object **out)
{
	*out = NULL;
	if (!data && size)
		return -EINVAL;
	struct wl_object *obj = obj_new(opts, NULL);
	obj->data = xmalloc(size ? size : 1);
	if (size)
		memcpy(obj->data, data, size);
	obj->size = size;
	int r = obj_open(obj);
	if (r < 0) {
		wl_object_close(obj);
		return r;
	}
	*out = obj;
	return 0;
}

int wl_object_open_file(const char *path, const struct wl_object_opts *opts, struct wl_object **out)
{
	*out = NULL;
	struct buf b = { 0 };
	int r = file_read(path, &b);
	if (r < 0) {
		wl_warn("%s: cannot read: %s", path, wl_errstr(r));
		return r;
	}
	struct wl_object *obj = obj_new(opts, path);
	obj->data = b.data ? b.data : xmalloc(1);
	obj->size = b.len;
	r = obj_open(obj);
	if (r < 0) {
		wl_object_close(obj);
		return r;
	}
	*out = obj;
	return 0;
}

static void free_program(struct wl_program *p)
{
	wl_program_detach(p);
	vec_free(&p->links);
	wl_prog_destroy(p->prog);
	vec_free(&p->insns);
	vec_free(&p->pieces);
	vec_free(&p->fixups);
	vec_free(&p->finfo);
	vec_free(&p->linfo);
	free(p->log);
	free(p);
}

void wl_object_close(struct wl_object *obj)
{
	if (!obj)
		return;
	vec_foreach (&obj->progs, p)
		free_program(*p);
	vec_free(&obj->progs);
	vec_foreach (&obj->maps, m)
		obj_free_map(*m);
	vec_free(&obj->maps);
	vec_foreach (&obj->codes, c)
		vec_free(&c->relos);
	vec_free(&obj->codes);
	vec_free(&obj->funcs);
	vec_free(&obj->externs);
	vec_foreach (&obj->modules, mb) {
		wbtf_free(mb->btf);
		wl_close(mb->fd);
		free(mb->name);
	}
	vec_free(&obj->modules);
	vec_free(&obj->fd_array);
	wl_close(obj->btf_fd);
	buf_free(&obj->btf_blob);
	wbtf_ext_free(&obj->ext);
	wbtf_free(obj->btf);
	elfr_close(obj->elf);
	free(obj->data);
	arena_free(&obj->arena);
	free(obj);
}

/* ---- accessors --------------------------------------------------------- */

const char *wl_object_name(const struct wl_object *obj)
{
	return obj->name;
}

const char *wl_object_license(const struct wl_object *obj)
{
	return obj->license;
}

int wl_object_btf_fd(const struct wl_object *obj)
{
	return obj->btf_fd;
}

size_t wl_object_program_count(const struct wl_object *obj)
{
	return obj->progs.len;
}

struct wl_program *wl_object_program(const struct wl_object *obj, size_t i)
{
	return i < obj->progs.len ? obj->progs.data[i] : NULL;
}

struct wl_program *wl_object_find_program(const struct wl_object *obj, const char *name)
{
	vec_foreach (&obj->progs, p)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

size_t wl_object_map_count(const struct wl_object *obj)
{
	return obj->maps.len;
}

struct wl_obj_map *wl_object_map(const struct wl_object *obj, size_t i)
{
	return i < obj->maps.len ? obj->maps.data[i] : NULL;
}

struct wl_obj_map *wl_object_find_map(const struct wl_object *obj, const char *name)
{
	vec_foreach (&obj->maps, m)
		if (!strcmp((*m)->name, name))
			return *m;
	return NULL;
}
