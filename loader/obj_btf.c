/* BTF of an object on its way into the kernel: DATASEC sizes and variable
 * offsets the compiler leaves to the loader, a copy sanitized for what this
 * kernel accepts (extern linkage, .ksyms, kinds it lacks rewritten as libbpf
 * documents), BTF_LOAD; the shared cache of target kernel BTF; and the
 * verifier log explained with source lines from line_info. */
#include "loader/obj.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- target BTF ---------------------------------------------------------- */

/* Parsing vmlinux BTF takes tens of milliseconds: keep each path's parse for
 * the life of the process (objects come and go in a REPL or a fuzzer). */
static struct {
	pthread_mutex_t lock;
	struct {
		char *path;
		struct wbtf *btf;
	} e[8];
	size_t n;
} tcache = { PTHREAD_MUTEX_INITIALIZER, { { 0 } }, 0 };

struct wbtf *obj_target_btf(const char *path, int *err)
{
	if (!path)
		path = "/sys/kernel/btf/vmlinux";
	struct wbtf *b = NULL;
	pthread_mutex_lock(&tcache.lock);
	for (size_t i = 0; i < tcache.n && !b; i++)
		if (!strcmp(tcache.e[i].path, path))
			b = tcache.e[i].btf;
	if (!b) {
		*err = wbtf_load_raw_file(path, NULL, &b);
		if (*err == 0 && tcache.n < ARRAY_LEN(tcache.e)) {
			tcache.e[tcache.n].path = xstrdup(path);
			tcache.e[tcache.n++].btf = b;
		} else if (*err == 0) {
			wbtf_free(b); /* cache full: callers must not keep many paths */
			b = NULL;
			*err = -ENOSPC;
		}
	}
	pthread_mutex_unlock(&tcache.lock);
	return b;
}

/* ---- DATASEC fix-ups (open) ------------------------------------------------ */

static const struct elfr_symbol *sym_in(const struct wl_object *obj, const char *name, uint32_t sec)
{
	size_t n = elfr_symbol_count(obj->elf);
	for (size_t i = 1; i < n; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->shndx == sec && s->type != STT_SECTION && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Clang leaves DATASEC sizes and most offsets 0: they come from the ELF
 * section and symbols (and, for .kconfig, from the extern layout). */
int obj_fixup_btf(struct wl_object *obj)
{
	uint32_t n = wbtf_type_cnt(obj->btf);
	for (uint32_t id = 1; id < n; id++) {
		struct btf_type *t = wbtf_type_mut(obj->btf, id);
		if (!t || wbtf_kind(t) != BTF_KIND_DATASEC)
			continue;
		const char *name = wbtf_name(obj->btf, id);
		struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);
		unsigned vlen = wbtf_vlen(t);
		if (!strcmp(name, ".kconfig")) {
			if (obj->kconfig_map < 0)
				continue;
			t->size = obj->maps.data[obj->kconfig_map]->value_size;
			for (unsigned i = 0; i < vlen; i++)
				vec_foreach (&obj->externs, e)
					if (e->btf_id == vs[i].type) {
						vs[i].offset = e->off;
						vs[i].size = e->size;
					}
		} else if (!strcmp(name, ".ksyms")) {
			continue; /* rewritten in the sanitized copy */
		} else {
			const struct elfr_section *s = elfr_section_by_name(obj->elf, name);
			if (!s) {
				obj_warn(obj, "BTF DATASEC '%s' names no ELF section", name);
				return -EINVAL;
			}
			if (s->size > UINT32_MAX)
				return -E2BIG;
			t->size = (uint32_t)s->size;
			for (unsigned i = 0; i < vlen; i++) {
				const char *vn = wbtf_name(obj->btf, vs[i].type);
				const struct elfr_symbol *sym = sym_in(obj, vn, s->index);
				if (sym && sym->value <= s->size)
					vs[i].offset = (uint32_t)sym->value;
				if ((uint64_t)vs[i].offset + vs[i].size > s->size) {
					obj_warn(obj,
						 "BTF DATASEC '%s': variable '%s' (offset %u, size "
						 "%u) beyond the section's %lu bytes",
						 name, vn, vs[i].offset, vs[i].size,
						 (unsigned long)s->size);
					return -EINVAL;
				}
			}
		}
		if (vlen)
			qsort(vs, vlen, sizeof(*vs), cmp_secinfo);
	}
	return 0;
}

/* ---- sanitizing (prepare) --------------------------------------------------- */

static void set_info(struct btf_type *t, unsigned kind, unsigned vlen, bool kflag)
{
	t->info = OBJ_BTF_INFO(kind, kflag, vlen);
}

/* Rewrites kinds the kernel lacks into kinds of the same record size, as
 * libbpf's documented fallbacks do; int_id is a 4-byte int for members. */
/* Rewrites kinds the kernel lacks into kinds of the same record size, as
 * libbpf's documented fallbacks do.  int_id is a 4-byte int, name_off a
 * valid identifier for records that must be named. */
static void downgrade(struct wbtf *b, uint32_t id, uint32_t feat, uint32_t int_id,
		      uint32_t name_off)
{
	struct btf_type *t = wbtf_type_mut(b, id);
	unsigned kind = wbtf_kind(t), vlen = wbtf_vlen(t);
	switch (kind) {
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		if ((kind == BTF_KIND_VAR && !(feat & WL_BTF_FEAT_DATASEC)) ||
		    (kind == BTF_KIND_DECL_TAG && !(feat & WL_BTF_FEAT_DECL_TAG))) {
			/* a one-byte INT: the 4 data bytes become its encoding */
			set_info(t, BTF_KIND_INT, 0, false);
			t->size = 1;
			*(uint32_t *)(t + 1) = OBJ_BTF_INT(0, 0, 8);
			t->name_off = name_off;
		}
		break;
	case BTF_KIND_DATASEC:
		if (!(feat & WL_BTF_FEAT_DATASEC)) {
			/* a STRUCT whose members are the variables, now one-byte
			 * INTs: secinfo (type, offset, size) becomes member (name,
			 * type, bit offset) */
			struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);
			struct btf_member *m = (struct btf_member *)(t + 1);
			for (unsigned i = 0; i < vlen; i++) {
				struct btf_var_secinfo v = vs[i];
				m[i] = (struct btf_member){ 0, v.type, v.offset * 8 };
			}
			set_info(t, BTF_KIND_STRUCT, vlen, false);
			t->name_off = name_off;
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		if (!(feat & WL_BTF_FEAT_FUNC)) {
			struct btf_enum *e = (struct btf_enum *)(t + 1);
			for (unsigned i = 0; i < vlen; i++)
				e[i] = (struct btf_enum){ name_off, (int32_t)i };
			set_info(t, BTF_KIND_ENUM, vlen, false);
			t->size = 4;
		}
		break;
	case BTF_KIND_FUNC:
		if (!(feat & WL_BTF_FEAT_FUNC))
			set_info(t, BTF_KIND_TYPEDEF, 0, false);
		else if (!(feat & WL_BTF_FEAT_GLOBAL_FUNC) && vlen == BTF_FUNC_GLOBAL)
			set_info(t, BTF_KIND_FUNC, BTF_FUNC_STATIC, false);
		break;
	case BTF_KIND_FLOAT:
		if (!(feat & WL_BTF_FEAT_FLOAT))
			set_info(t, BTF_KIND_STRUCT, 0, false);
		break;
	case BTF_KIND_TYPE_TAG:
		if (!(feat & WL_BTF_FEAT_TYPE_TAG)) {
			set_info(t, BTF_KIND_CONST, 0, false);
			t->name_off = 0;
		}
		break;
	case BTF_KIND_ENUM64:
		if (!(feat & WL_BTF_FEAT_ENUM64)) {
			/* a UNION of ints: name, lo32, hi32 read as name, type, offset */
			struct btf_member *m = (struct btf_member *)(t + 1);
			for (unsigned i = 0; i < vlen; i++)
				m[i].type = int_id, m[i].offset = 0;
			set_info(t, BTF_KIND_UNION, vlen, false);
		}
		break;
	}
}

int obj_sanitize_btf(struct wl_object *obj, struct buf *out)
{
	struct buf raw = { 0 };
	struct wbtf *b = NULL;
	int r = wbtf_encode(obj->btf, false, &raw);
	if (r == 0)
		r = wbtf_parse(raw.data, raw.len, NULL, &b);
	buf_free(&raw);
	if (r < 0) {
		obj_warn(obj, "BTF: re-encoding failed: %s", wbtf_last_error());
		return r;
	}
	uint32_t n = wbtf_type_cnt(b), feat = obj->features;
	int32_t int_id = wbtf_add_int(b, "int", 4, BTF_INT_SIGNED);
	int32_t dummy = int_id > 0 ? wbtf_add_var(b, "__ksym_placeholder", (uint32_t)int_id,
						  BTF_VAR_GLOBAL_ALLOCATED)
				   : int_id;
	if (dummy < 0) {
		wbtf_free(b);
		return dummy;
	}
	for (uint32_t id = 1; id < n; id++) {
		struct btf_type *t = wbtf_type_mut(b, id);
		unsigned kind = wbtf_kind(t);
		if (kind == BTF_KIND_VAR && wbtf_var(t)->linkage == BTF_VAR_GLOBAL_EXTERN) {
			((struct btf_var *)(t + 1))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
			/* untyped ksyms are `const void`: the kernel wants a sized type */
			const struct btf_type *vt = wbtf_skip_mods(b, t->type, NULL);
			if (vt && wbtf_kind(vt) == 0)
				t->type = (uint32_t)int_id;
		} else if (kind == BTF_KIND_FUNC && wbtf_vlen(t) == BTF_FUNC_EXTERN) {
			/* kfunc declarations: the kernel wants named parameters */
			set_info(t, BTF_KIND_FUNC, BTF_FUNC_STATIC, false);
			struct btf_type *fp = wbtf_type_mut(b, t->type);
			if (!fp || wbtf_kind(fp) != BTF_KIND_FUNC_PROTO)
				continue;
			struct btf_param *pa = (struct btf_param *)(fp + 1);
			for (unsigned i = 0; i < wbtf_vlen(fp); i++)
				if (!pa[i].name_off && pa[i].type)
					pa[i].name_off =
						wbtf_type_by_id(b, (uint32_t)dummy)->name_off;
		} else if (kind == BTF_KIND_DATASEC && !strcmp(wbtf_name(b, id), ".ksyms")) {
			/* kfuncs and untyped symbols are no VARs the kernel takes */
			struct btf_var_secinfo *vs = (struct btf_var_secinfo *)(t + 1);
			for (unsigned i = 0; i < wbtf_vlen(t); i++)
				vs[i] = (struct btf_var_secinfo){ (uint32_t)dummy, i * 4, 4 };
			t->size = wbtf_vlen(t) * 4;
		}
	}
	/* hidden global functions (usdt.bpf.h's __hidden helpers) are verified
	 * in their callers' context, as static ones: libbpf's convention */
	size_t ns = elfr_symbol_count(obj->elf);
	for (size_t i = 1; i < ns; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->type != STT_FUNC || s->bind == STB_LOCAL ||
		    (s->visibility != STV_HIDDEN && s->visibility != STV_INTERNAL))
			continue;
		int id = wbtf_find_by_name_kind(b, s->name, BTF_KIND_FUNC);
		if (id > 0)
			set_info(wbtf_type_mut(b, (uint32_t)id), BTF_KIND_FUNC, BTF_FUNC_STATIC,
				 false);
	}
	uint32_t name_off = wbtf_type_by_id(b, (uint32_t)dummy)->name_off;
	for (uint32_t id = 1; id < n; id++)
		downgrade(b, id, feat, (uint32_t)int_id, name_off);
	downgrade(b, (uint32_t)dummy, feat, (uint32_t)int_id, name_off);
	out->len = 0;
	r = wbtf_encode(b, false, out);
	wbtf_free(b);
	return r;
}

/* ---- feature probes (kernel) -------------------------------------------------- */

/* A tiny BTF blob: [1] int, then the probed type(s). */
static int probe_blob(const uint32_t *types, size_t tlen, const char *strs, size_t slen)
{
	struct buf b = { 0 };
	struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h) };
	uint32_t intt[] = { 0, OBJ_BTF_INFO(BTF_KIND_INT, 0, 0), 4,
			    OBJ_BTF_INT(BTF_INT_SIGNED, 0, 32) };
	h.type_len = (uint32_t)(sizeof(intt) + tlen);
	h.str_off = h.type_len;
	h.str_len = (uint32_t)slen;
	buf_append(&b, &h, sizeof(h));
	buf_append(&b, intt, sizeof(intt));
	buf_append(&b, types, tlen);
	buf_append(&b, strs, slen);
	int fd = wl_btf_load_q(b.data, b.len, true, NULL);
	buf_free(&b);
	if (fd >= 0)
		wl_close(fd);
	return fd >= 0;
}

static uint32_t probed_features;

#define TI(kind, kflag, vlen) OBJ_BTF_INFO(BTF_KIND_##kind, kflag, vlen)

static void probe_features(void)
{
	/* strings: offset 1 is "x", 3 is "y" */
	static const char strs[] = "\0x\0y";
	static const uint32_t func[] = { 0, TI(FUNC_PROTO, 0, 0), 1, 1, TI(FUNC, 0, 0), 2 };
	static const uint32_t gfunc[] = { 0, TI(FUNC_PROTO, 0, 0), 1, 1, TI(FUNC, 0, 1), 2 };
	static const uint32_t datasec[] = {
		1, TI(VAR, 0, 0), 1, 0, 3, TI(DATASEC, 0, 1), 4, 2, 0, 4
	};
	static const uint32_t flt[] = { 1, TI(FLOAT, 0, 0), 4 };
	static const uint32_t decl_tag[] = { 1, TI(TYPEDEF, 0, 0), 1, 3, TI(DECL_TAG, 0, 0),
					     2, UINT32_MAX };
	static const uint32_t type_tag[] = { 1, TI(TYPE_TAG, 0, 0), 1, 0, TI(PTR, 0, 0), 2 };
	static const uint32_t enum64[] = { 1, TI(ENUM64, 0, 1), 8, 3, 0, 0 };
	static const struct {
		const uint32_t *t;
		size_t len;
		uint32_t bit;
	} probes[] = {
		{ func, sizeof(func), WL_BTF_FEAT_FUNC },
		{ gfunc, sizeof(gfunc), WL_BTF_FEAT_GLOBAL_FUNC },
		{ datasec, sizeof(datasec), WL_BTF_FEAT_DATASEC },
		{ flt, sizeof(flt), WL_BTF_FEAT_FLOAT },
		{ decl_tag, sizeof(decl_tag), WL_BTF_FEAT_DECL_TAG },
		{ type_tag, sizeof(type_tag), WL_BTF_FEAT_TYPE_TAG },
		{ enum64, sizeof(enum64), WL_BTF_FEAT_ENUM64 },
	};
	for (size_t i = 0; i < ARRAY_LEN(probes); i++)
		if (probe_blob(probes[i].t, probes[i].len, strs, sizeof(strs)))
			probed_features |= probes[i].bit;
}

uint32_t obj_probe_btf_features(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, probe_features);
	return probed_features;
}

/* ---- load (kernel) ---------------------------------------------------------- */

int obj_load_btf(struct wl_object *obj)
{
	if (!obj->btf_blob.len)
		return 0;
	char *log = NULL;
	int fd = wl_btf_load_q(obj->btf_blob.data, obj->btf_blob.len, true, &log);
	if (fd < 0) {
		/* BTF is optional for most programs: go on without, as libbpf does.
		 * The log lists every type: its last line says what is wrong. */
		const char *last = log ? log + strlen(log) : NULL;
		while (last && last > log && last[-1] == '\n')
			last--;
		const char *start = last;
		while (start && start > log && start[-1] != '\n')
			start--;
		obj_warn(obj, "kernel refused the object's BTF (%s%s%.*s), loading without it",
			 wl_errstr(fd), start ? ": " : "", start ? (int)(last - start) : 0,
			 start ? start : "");
		free(log);
		return 0;
	}
	free(log);
	obj->btf_fd = fd;
	return 0;
}

/* ---- verifier log with source lines ------------------------------------------ */

char *wl_program_source_line(const struct wl_program *p, uint32_t insn)
{
	const struct bpf_line_info *best = NULL;
	vec_foreach (&p->linfo, li)
		if (li->insn_off <= insn)
			best = li;
	if (!best || !p->obj->btf)
		return NULL;
	const char *file = wbtf_str(p->obj->btf, best->file_name_off);
	const char *text = wbtf_str(p->obj->btf, best->line_off);
	if (!file)
		return NULL;
	while (text && (*text == ' ' || *text == '\t'))
		text++;
	return xasprintf("%s:%u: %s", file, WBTF_LINE(best->line_col), text ? text : "");
}

/* The instruction the verifier stopped at: the last "N: (op) ..." line. */
static long failing_insn(const char *log)
{
	long insn = -1;
	for (const char *l = log; l && *l;) {
		char *end;
		long v = strtol(l, &end, 10);
		if (end != l && end[0] == ':' && end[1] == ' ' && end[2] == '(' && v >= 0)
			insn = v;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return insn;
}

/* The verifier's reason: the last non-empty line before "processed N insns"
 * (or the last line). */
static void reason_of(const char *log, char *out, size_t n)
{
	const char *best = NULL, *best_end = NULL;
	for (const char *l = log; *l;) {
		const char *e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		if (!strncmp(l, "processed ", 10))
			break;
		if (e > l)
			best = l, best_end = e;
		l = *e ? e + 1 : e;
	}
	snprintf(out, n, "%.*s", best ? (int)(best_end - best) : 0, best ? best : "");
}

void obj_explain_log(const struct wl_program *p, const char *log, struct buf *out)
{
	long insn = failing_insn(log);
	char reason[512];
	reason_of(log, reason, sizeof(reason));
	if (insn >= 0) {
		char *src = wl_program_source_line(p, (uint32_t)insn);
		if (src)
			buf_printf(out, "%s\n", src);
		buf_printf(out, "  insn %ld: %s\n", insn, reason);
		free(src);
	} else if (*reason) {
		buf_printf(out, "  %s\n", reason);
	}
	if (strstr(log, "unknown#195896080") || strstr(log, "unknown#2002000"))
		buf_printf(out, "  (a CO-RE relocation or weak kfunc the kernel lacks was reached: "
				"guard it with bpf_core_*_exists/bpf_ksym_exists)\n");
}
