/* Externs: `__kconfig` values (from /proc/config.gz or given text, and the
 * LINUX_* values libbpf's convention defines) laid out in the .kconfig map,
 * and `__ksym` symbols: typed variables and kfuncs found by name in kernel
 * BTF (vmlinux, then module BTF through bpf(2)), untyped ones in kallsyms.
 * Externs of another object (static linking) are refused, as libbpf does:
 * the objects must be linked first. */
#include "loader/obj.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

/* ---- open: which externs there are -------------------------------------- */

static enum kcfg_type kcfg_type_of(struct wl_object *obj, struct obj_extern *e)
{
	const struct btf_type *t = wbtf_skip_mods_typedefs(obj->btf, e->type_id, NULL);
	if (!t)
		return KCFG_UNKNOWN;
	switch (wbtf_kind(t)) {
	case BTF_KIND_INT: {
		unsigned enc = wbtf_int_encoding(t);
		e->size = e->align = t->size;
		e->is_signed = enc & BTF_INT_SIGNED;
		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? KCFG_BOOL : KCFG_UNKNOWN;
		if (t->size == 1)
			return KCFG_CHAR;
		if (t->size > 8 || (t->size & (t->size - 1)))
			return KCFG_UNKNOWN;
		return KCFG_INT;
	}
	case BTF_KIND_ENUM:
		e->size = e->align = t->size;
		if (t->size != 4)
			return KCFG_UNKNOWN;
		if (!strcmp(wbtf_str(obj->btf, t->name_off) ?: "", "libbpf_tristate"))
			return KCFG_TRISTATE;
		e->is_signed = wbtf_kflag(t);
		return KCFG_INT;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = wbtf_array(t);
		const struct btf_type *el = wbtf_skip_mods_typedefs(obj->btf, a->type, NULL);
		if (!el || wbtf_kind(el) != BTF_KIND_INT || el->size != 1 || !a->nelems ||
		    a->nelems > 4096)
			return KCFG_UNKNOWN;
		e->size = a->nelems;
		e->align = 1;
		return KCFG_CHAR_ARR;
	}
	}
	return KCFG_UNKNOWN;
}

/* The DATASEC entry (.kconfig or .ksyms) declaring `name`. */
static int find_decl(struct wl_object *obj, const char *name, struct obj_extern *e)
{
	static const char *const secs[] = { ".kconfig", ".ksyms" };
	for (size_t s = 0; s < ARRAY_LEN(secs); s++) {
		int ds = wbtf_find_by_name_kind(obj->btf, secs[s], BTF_KIND_DATASEC);
		if (ds < 0)
			continue;
		const struct btf_type *t = wbtf_type_by_id(obj->btf, (uint32_t)ds);
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			uint32_t id = wbtf_secinfos(t)[i].type;
			const struct btf_type *v = wbtf_type_by_id(obj->btf, id);
			if (!v || strcmp(wbtf_name(obj->btf, id), name))
				continue;
			if (wbtf_kind(v) != BTF_KIND_VAR && wbtf_kind(v) != BTF_KIND_FUNC)
				continue;
			e->kind = s == 0 ? EXT_KCFG : EXT_KSYM;
			e->btf_id = id;
			e->is_func = wbtf_kind(v) == BTF_KIND_FUNC;
			e->type_id = e->is_func ? id : v->type;
			return 0;
		}
	}
	return -ENOENT;
}

int obj_unlinked_extern(struct wl_object *obj, const char *name, const char *what)
{
	obj_warn(obj,
		 "extern %s '%s' has no definition: link the objects with `bpftool gen object` "
		 "first",
		 what, name);
	return -ENOENT;
}

/* An undefined symbol that BTF declares as a function or variable of
 * another object: what it is ("function", "variable"), or NULL. */
static const char *linked_extern_kind(struct wl_object *obj, const char *name)
{
	int id = wbtf_find_by_name_kind(obj->btf, name, BTF_KIND_FUNC);
	if (id > 0 && wbtf_vlen(wbtf_type_by_id(obj->btf, (uint32_t)id)) == BTF_FUNC_EXTERN)
		return "function";
	id = wbtf_find_by_name_kind(obj->btf, name, BTF_KIND_VAR);
	if (id <= 0 || wbtf_var(wbtf_type_by_id(obj->btf, (uint32_t)id))->linkage != BTF_VAR_GLOBAL_EXTERN)
		return NULL;
	int ds = wbtf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
	const struct btf_type *t = ds > 0 ? wbtf_type_by_id(obj->btf, (uint32_t)ds) : NULL;
	for (unsigned i = 0; t && i < wbtf_vlen(t); i++)
		if (wbtf_secinfos(t)[i].type == (uint32_t)id)
			return "map";
	return "variable";
}

int obj_collect_externs(struct wl_object *obj)
{
	size_t n = elfr_symbol_count(obj->elf);
	uint32_t kcfg_end = 0;
	for (size_t i = 1; i < n; i++) {
		const struct elfr_symbol *s = elfr_symbol(obj->elf, i);
		if (s->shndx != SHN_UNDEF || !*s->name ||
		    (s->bind != STB_GLOBAL && s->bind != STB_WEAK))
			continue;
		struct obj_extern e = { .name = s->name,
					.sym = (uint32_t)i,
					.weak = s->bind == STB_WEAK };
		if (!obj->btf)
			continue; /* an error only if something refers to it */
		if (find_decl(obj, s->name, &e) < 0) {
			const char *what = linked_extern_kind(obj, s->name);
			if (what)
				return obj_unlinked_extern(obj, s->name, what);
			continue;
		}
		if (e.kind == EXT_KCFG) {
			if (e.is_func || (e.kcfg = kcfg_type_of(obj, &e)) == KCFG_UNKNOWN) {
				obj_warn(obj,
					 "extern '%s' (kconfig): type is not bool, char, "
					 "tristate, an integer or a char array",
					 e.name);
				return -EINVAL;
			}
			e.off = (uint32_t)ALIGN_UP(kcfg_end, e.align);
			kcfg_end = e.off + e.size;
		} else if (!e.is_func) {
			const struct btf_type *t =
				wbtf_skip_mods_typedefs(obj->btf, e.type_id, NULL);
			e.typed = t && wbtf_kind(t) != 0;
		}
		vec_push(&obj->externs, e);
	}
	if (kcfg_end) {
		obj->kconfig_map = (int)obj->maps.len;
		obj_new_kconfig_map(obj, kcfg_end);
	}
	return 0;
}

/* ---- kconfig values ------------------------------------------------------ */

static struct obj_extern *kcfg_by_name(struct wl_object *obj, const char *name, size_t len)
{
	vec_foreach (&obj->externs, e)
		if (e->kind == EXT_KCFG && strlen(e->name) == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static int kcfg_fail(struct wl_object *obj, const struct obj_extern *e, const char *v,
		     const char *why)
{
	obj_warn(obj, "extern '%s' (kconfig): value '%s' %s", e->name, v, why);
	return -EINVAL;
}

static int kcfg_set(struct wl_object *obj, struct obj_extern *e, const char *v)
{
	unsigned char *dst = obj->maps.data[obj->kconfig_map]->data + e->off;
	if ((v[0] == 'y' || v[0] == 'n' || v[0] == 'm') && !v[1]) {
		uint8_t tri = v[0] == 'y' ? 1 : v[0] == 'm' ? 2 : 0;
		switch (e->kcfg) {
		case KCFG_BOOL:
			if (v[0] == 'm')
				return kcfg_fail(obj, e, v, "needs a tristate or char extern");
			*dst = tri;
			break;
		case KCFG_CHAR:
			*dst = (uint8_t)v[0];
			break;
		case KCFG_TRISTATE: {
			uint32_t t = tri;
			memcpy(dst, &t, 4);
			break;
		}
		default:
			return kcfg_fail(obj, e, v, "is not a number or a string");
		}
	} else if (v[0] == '"') {
		if (e->kcfg != KCFG_CHAR_ARR)
			return kcfg_fail(obj, e, v, "is a string: the extern needs to be char[N]");
		size_t k = 0;
		for (const char *c = v + 1; *c && *c != '"'; c++) {
			if (*c == '\\' && c[1])
				c++;
			if (k + 1 < e->size)
				dst[k++] = (unsigned char)*c;
		}
		dst[k] = 0;
	} else {
		char *end;
		errno = 0;
		bool neg = v[0] == '-';
		uint64_t u = neg ? (uint64_t)strtoll(v, &end, 0) : strtoull(v, &end, 0);
		if (errno || end == v || *end)
			return kcfg_fail(obj, e, v, "is not y, n, m, a number or a string");
		if (e->kcfg != KCFG_INT && e->kcfg != KCFG_CHAR)
			return kcfg_fail(obj, e, v, "is a number: the extern's type is not");
		if (e->size < 8) {
			int64_t s = (int64_t)u;
			uint64_t lim = 1ull << (e->size * 8);
			bool ok = e->is_signed
					  ? (s >= -(int64_t)(lim / 2) && s < (int64_t)(lim / 2))
					  : (!neg && u < lim);
			if (!ok)
				return kcfg_fail(obj, e, v, "does not fit the extern's type");
		}
		memcpy(dst, &u, e->size); /* little endian */
	}
	e->resolved = true;
	return 0;
}

int obj_kconfig_parse(struct wl_object *obj, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (le - p > 7 && !strncmp(p, "CONFIG_", 7) && eq) {
			struct obj_extern *e = kcfg_by_name(obj, p, (size_t)(eq - p));
			if (e) {
				char *v = xstrndup(eq + 1, (size_t)(le - eq - 1));
				size_t vl = strlen(v);
				while (vl && isspace((unsigned char)v[vl - 1]))
					v[--vl] = 0;
				int r = kcfg_set(obj, e, v);
				free(v);
				if (r < 0)
					return r;
			}
		}
		p = le + 1;
	}
	return 0;
}

/* /proc/config.gz (zlib reads plain text too), else /boot/config-$(uname -r). */
static int read_kernel_config(struct buf *out)
{
	struct utsname u;
	char boot[300];
	const char *paths[2] = { "/proc/config.gz", NULL };
	if (!uname(&u)) {
		snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
		paths[1] = boot;
	}
	for (size_t i = 0; i < 2 && paths[i]; i++) {
		gzFile f = gzopen(paths[i], "rb");
		if (!f)
			continue;
		char chunk[16384];
		int n;
		while ((n = gzread(f, chunk, sizeof(chunk))) > 0)
			buf_append(out, chunk, (size_t)n);
		gzclose(f);
		if (n == 0)
			return 0;
		out->len = 0;
	}
	return -ENOENT;
}

uint32_t obj_kernel_version(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;
	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

static int linux_value(struct wl_object *obj, struct obj_extern *e, bool kernel)
{
	char v[32];
	if (!strcmp(e->name, "LINUX_KERNEL_VERSION")) {
		snprintf(v, sizeof(v), "%u", obj_kernel_version());
	} else if (!strcmp(e->name, "LINUX_HAS_BPF_COOKIE")) {
		/* bpf_get_attach_cookie (helper 174) */
		int r = kernel ? wl_probe_helper(BPF_PROG_TYPE_KPROBE, 174) : 1;
		snprintf(v, sizeof(v), "%c", r > 0 ? 'y' : 'n');
	} else if (!strcmp(e->name, "LINUX_HAS_SYSCALL_WRAPPER")) {
		char name[64];
		snprintf(name, sizeof(name), "%sbpf", obj_syscall_prefix());
		bool has = obj->kbtf && wbtf_find_by_name_kind(obj->kbtf, name, BTF_KIND_FUNC) > 0;
		snprintf(v, sizeof(v), "%c", has ? 'y' : 'n');
	} else {
		obj_warn(obj,
			 "extern '%s' (kconfig): unknown LINUX_ value (LINUX_KERNEL_VERSION, "
			 "LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER are known)",
			 e->name);
		return -EINVAL;
	}
	return kcfg_set(obj, e, v);
}

static int resolve_kconfig(struct wl_object *obj, bool kernel)
{
	if (obj->kconfig_map < 0)
		return 0;
	memset(obj->maps.data[obj->kconfig_map]->data, 0,
	       obj->maps.data[obj->kconfig_map]->value_size);
	bool need_config = false;
	vec_foreach (&obj->externs, e) {
		if (e->kind != EXT_KCFG)
			continue;
		e->resolved = false;
		if (!strncmp(e->name, "LINUX_", 6)) {
			int r = linux_value(obj, e, kernel);
			if (r < 0)
				return r;
		} else {
			need_config = true;
		}
	}
	if (need_config) {
		int r;
		if (obj->kconfig) {
			r = obj_kconfig_parse(obj, obj->kconfig, strlen(obj->kconfig));
		} else {
			struct buf b = { 0 };
			r = read_kernel_config(&b);
			if (r < 0)
				obj_warn(obj, "kconfig externs: no /proc/config.gz or "
					      "/boot/config-<release> to read");
			else
				r = obj_kconfig_parse(obj, (const char *)b.data, b.len);
			buf_free(&b);
		}
		if (r < 0)
			return r;
	}
	vec_foreach (&obj->externs, e) {
		if (e->kind == EXT_KCFG && !e->resolved && !e->weak) {
			obj_warn(obj,
				 "extern '%s' (kconfig): not set in the kernel configuration "
				 "(declare it __weak to default to 0)",
				 e->name);
			return -ESRCH;
		}
	}
	return 0;
}

/* ---- ksyms -------------------------------------------------------------- */

int obj_load_module_btfs(struct wl_object *obj)
{
	if (obj->modules_loaded || !obj->kbtf || obj->btf_path)
		return 0;
	obj->modules_loaded = true;
	uint32_t id = 0;
	while (wl_sys_btf_get_next_id(id, &id) == 0) {
		int fd = wl_sys_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		char name[64] = "";
		struct bpf_btf_info info;
		memset(&info, 0, sizeof(info));
		info.name = wl_ptr(name);
		info.name_len = sizeof(name);
		uint32_t len = sizeof(info);
		if (wl_sys_obj_info(fd, &info, &len) < 0 || !info.kernel_btf ||
		    !strcmp(name, "vmlinux") || !info.btf_size) {
			wl_close(fd);
			continue;
		}
		uint32_t size = info.btf_size;
		void *data = xmalloc(size);
		memset(&info, 0, sizeof(info));
		info.btf = wl_ptr(data);
		info.btf_size = size;
		len = sizeof(info);
		struct obj_module_btf mb = { .fd = fd, .name = xstrdup(name) };
		if (wl_sys_obj_info(fd, &info, &len) < 0 ||
		    wbtf_parse(data, size, obj->kbtf, &mb.btf) < 0) {
			obj_debug(obj, "module BTF '%s' unreadable, skipped", name);
			free(mb.name);
			wl_close(fd);
		} else {
			vec_push(&obj->modules, mb);
		}
		free(data);
	}
	return 0;
}

int obj_find_kernel_btf(struct wl_object *obj, const char *name, int kind, bool kernel, int *mod)
{
	*mod = -1;
	if (!obj->kbtf)
		return -ENOENT;
	int id = wbtf_find_by_name_kind(obj->kbtf, name, kind);
	if (id > 0)
		return id;
	if (!kernel)
		return -ENOENT;
	obj_load_module_btfs(obj);
	for (uint32_t i = 0; i < obj->modules.len; i++) {
		struct wbtf *b = obj->modules.data[i].btf;
		id = wbtf_find_by_name_kind(b, name, kind);
		if (id > 0 && (uint32_t)id >= wbtf_start_id(b)) {
			*mod = (int)i;
			return id;
		}
	}
	return -ENOENT;
}

static struct wbtf *btf_of(struct wl_object *obj, int mod)
{
	return mod < 0 ? obj->kbtf : obj->modules.data[mod].btf;
}

/* A kfunc's prototype must match the kernel's in arity. */
static int check_kfunc(struct wl_object *obj, const struct obj_extern *e, int mod)
{
	const struct btf_type *lf = wbtf_type_by_id(obj->btf, e->btf_id);
	const struct btf_type *kf = wbtf_type_by_id(btf_of(obj, mod), e->kbtf_id);
	const struct btf_type *lp = lf ? wbtf_type_by_id(obj->btf, lf->type) : NULL;
	const struct btf_type *kp = kf ? wbtf_type_by_id(btf_of(obj, mod), kf->type) : NULL;
	if (!lp || !kp || wbtf_kind(lp) != BTF_KIND_FUNC_PROTO ||
	    wbtf_kind(kp) != BTF_KIND_FUNC_PROTO) {
		obj_warn(obj, "kfunc '%s': no function prototype", e->name);
		return -EINVAL;
	}
	if (wbtf_vlen(lp) != wbtf_vlen(kp)) {
		obj_warn(obj, "kfunc '%s': declared with %u parameters, the kernel's has %u",
			 e->name, wbtf_vlen(lp), wbtf_vlen(kp));
		return -EINVAL;
	}
	return 0;
}

/* A typed ksym's type must be the kernel variable's (same kind and name). */
static int check_ksym_type(struct wl_object *obj, const struct obj_extern *e, int mod)
{
	struct wbtf *kb = btf_of(obj, mod);
	const struct btf_type *kv = wbtf_type_by_id(kb, e->kbtf_id);
	uint32_t lid = 0, kid = 0;
	const struct btf_type *lt = wbtf_skip_mods_typedefs(obj->btf, e->type_id, &lid);
	const struct btf_type *kt = kv ? wbtf_skip_mods_typedefs(kb, kv->type, &kid) : NULL;
	if (!lt || !kt)
		return -EINVAL;
	const char *ln = wbtf_name(obj->btf, lid), *kn = wbtf_name(kb, kid);
	size_t ll = wbtf_essential_name_len(ln);
	if (wbtf_kind(lt) != wbtf_kind(kt) || ll != strlen(kn) || strncmp(ln, kn, ll)) {
		obj_warn(obj, "ksym '%s': declared as %s '%s', the kernel's is %s '%s'", e->name,
			 wbtf_kind_name(wbtf_kind(lt)), ln, wbtf_kind_name(wbtf_kind(kt)), kn);
		return -EINVAL;
	}
	return 0;
}

static int kallsyms_lookup(struct wl_object *obj)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f) {
		obj_warn(obj, "untyped ksyms: cannot read /proc/kallsyms: %s", wl_errstr(-errno));
		return -errno;
	}
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		vec_foreach (&obj->externs, e) {
			if (e->kind == EXT_KSYM && !e->typed && !e->is_func && !e->addr &&
			    !strcmp(e->name, name))
				e->addr = addr;
		}
	}
	fclose(f);
	return 0;
}

static int fd_array_slot(struct wl_object *obj, int fd)
{
	if (!obj->fd_array.len)
		vec_push(&obj->fd_array, -1); /* slot 0 means vmlinux */
	for (uint32_t i = 1; i < obj->fd_array.len; i++)
		if (obj->fd_array.data[i] == fd)
			return (int)i;
	vec_push(&obj->fd_array, fd);
	return (int)obj->fd_array.len - 1;
}

static int resolve_ksyms(struct wl_object *obj, bool kernel)
{
	bool untyped = false;
	vec_foreach (&obj->externs, e) {
		if (e->kind != EXT_KSYM)
			continue;
		e->kbtf_id = 0;
		e->btf_fd_idx = 0;
		e->btf_obj_fd = 0;
		if (!e->is_func && !e->typed) {
			untyped = true;
			continue;
		}
		if (!obj->kbtf) {
			obj_warn(obj, "ksym '%s': needs kernel BTF", e->name);
			return -ENOENT;
		}
		int mod;
		int id = obj_find_kernel_btf(
			obj, e->name, e->is_func ? BTF_KIND_FUNC : BTF_KIND_VAR, kernel, &mod);
		if (id < 0) {
			if (e->weak)
				continue;
			obj_warn(obj, "%s '%s': not found in kernel BTF%s",
				 e->is_func ? "kfunc" : "ksym", e->name,
				 kernel ? " (vmlinux and modules)" : "");
			return -ESRCH;
		}
		e->kbtf_id = (uint32_t)id;
		int r = e->is_func ? check_kfunc(obj, e, mod) : check_ksym_type(obj, e, mod);
		if (r < 0)
			return r;
		if (mod >= 0) {
			if (e->is_func)
				e->btf_fd_idx = fd_array_slot(obj, obj->modules.data[mod].fd);
			else
				e->btf_obj_fd = obj->modules.data[mod].fd;
		}
	}
	if (untyped) {
		vec_foreach (&obj->externs, e)
			e->addr = 0;
		int r = kallsyms_lookup(obj);
		if (r < 0)
			return r;
		vec_foreach (&obj->externs, e) {
			if (e->kind == EXT_KSYM && !e->is_func && !e->typed && !e->addr &&
			    !e->weak) {
				obj_warn(obj, "ksym '%s': not in /proc/kallsyms", e->name);
				return -ESRCH;
			}
		}
	}
	return 0;
}

int obj_resolve_externs(struct wl_object *obj, bool kernel)
{
	int r = resolve_kconfig(obj, kernel);
	return r < 0 ? r : resolve_ksyms(obj, kernel);
}
