/* Preparing and loading an object: externs, CO-RE, BTF attach targets,
 * linking and BTF sanitizing (prepare, no bpf(2)); then BTF, maps and
 * programs into the kernel (load), undone completely when a step fails.
 * A rejected program's message shows the source line of the failing insn. */
#include "loader/obj.h"

#include <string.h>
#include <unistd.h>

#define ALL_BTF_FEATURES 0x7fu

static bool needs_kernel_btf(const struct wl_object *obj)
{
	vec_foreach (&obj->codes, c)
		if (c->ext && c->ext->nr_core && !c->core_done)
			return true;
	vec_foreach (&obj->externs, e) {
		if (e->kind == EXT_KSYM || !strcmp(e->name, "LINUX_HAS_SYSCALL_WRAPPER"))
			return true;
	}
	vec_foreach (&obj->progs, p)
		if ((*p)->def && ((*p)->def->flags & SF_BTF))
			return true;
	return false;
}

/* tp_btf/X, fentry/X, lsm/X, iter/X: the kernel BTF id the program is
 * verified against. */
static int resolve_attach_target(struct wl_object *obj, struct wl_program *p, bool kernel)
{
	p->attach_btf_id = 0;
	p->attach_btf_obj_fd = 0;
	if (p->type == BPF_PROG_TYPE_EXT) {
		obj_warn(obj,
			 "prog '%s': freplace programs need a target program, which "
			 "whistler's loader does not support",
			 p->name);
		return -EOPNOTSUPP;
	}
	if (!*p->extras) {
		obj_warn(obj, "prog '%s': section '%s' names no attach target (%s/<name>)", p->name,
			 p->sec_name, p->sec_name);
		return -EINVAL;
	}
	const char *pfx = "";
	int kind = BTF_KIND_FUNC;
	switch (p->expected_attach_type) {
	case BPF_TRACE_RAW_TP:
		pfx = "btf_trace_";
		kind = BTF_KIND_TYPEDEF;
		break;
	case BPF_LSM_MAC:
	case BPF_LSM_CGROUP:
		pfx = "bpf_lsm_";
		break;
	case BPF_TRACE_ITER:
		pfx = "bpf_iter_";
		break;
	}
	char *name = xasprintf("%s%s", pfx, p->extras);
	int mod;
	int id = obj_find_kernel_btf(obj, name, kind, kernel, &mod);
	if (id < 0) {
		obj_warn(obj, "prog '%s': attach target '%s' is not in the kernel's BTF%s", p->name,
			 name, obj->kbtf ? "" : " (no kernel BTF)");
		free(name);
		return -ESRCH;
	}
	free(name);
	p->attach_btf_id = (uint32_t)id;
	if (mod >= 0)
		p->attach_btf_obj_fd = obj->modules.data[mod].fd;
	return 0;
}

static int prepare_program(struct wl_object *obj, struct wl_program *p, bool kernel)
{
	if (!p->type) {
		obj_warn(obj,
			 "prog '%s': section '%s' names no program type (set one with "
			 "wl_program_set_type)",
			 p->name, p->sec_name);
		return -EINVAL;
	}
	if (p->def && (p->def->flags & SF_BTF) && !p->type_set) {
		int r = resolve_attach_target(obj, p, kernel);
		if (r < 0)
			return r;
	}
	return obj_link_program(obj, p);
}

static int obj_prepare(struct wl_object *obj, bool kernel)
{
	if (obj->loaded)
		return 0;
	if (needs_kernel_btf(obj) && !obj->kbtf) {
		int err = 0;
		obj->kbtf = obj_target_btf(obj->btf_path, &err);
		if (!obj->kbtf)
			obj_debug(obj, "no kernel BTF (%s)", wl_errstr(err));
	}
	obj->features =
		(kernel ? obj_probe_btf_features() : ALL_BTF_FEATURES) & ~obj->btf_features_off;
	/* kernels gained the kinds in this order: lacking one means lacking
	 * the later ones (a DECL_TAG may point at a VAR, ...) */
	static const uint32_t order[] = { WL_BTF_FEAT_FUNC,	   WL_BTF_FEAT_DATASEC,
					  WL_BTF_FEAT_GLOBAL_FUNC, WL_BTF_FEAT_FLOAT,
					  WL_BTF_FEAT_DECL_TAG,	   WL_BTF_FEAT_TYPE_TAG,
					  WL_BTF_FEAT_ENUM64 };
	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		if (!(obj->features & order[i]))
			for (size_t k = i + 1; k < ARRAY_LEN(order); k++)
				obj->features &= ~order[k];
	int r = obj_resolve_externs(obj, kernel);
	if (r < 0)
		return r;
	vec_foreach (&obj->codes, c)
		if ((r = obj_apply_core(obj, c)) < 0)
			return r;
	vec_foreach (&obj->progs, pp) {
		if ((*pp)->autoload && (r = prepare_program(obj, *pp, kernel)) < 0)
			return r;
	}
	if (obj->btf && (r = obj_sanitize_btf(obj, &obj->btf_blob)) < 0)
		return r;
	obj->prepared = true;
	return 0;
}

int wl_object_prepare(struct wl_object *obj)
{
	return obj_prepare(obj, false);
}

/* ---- load ----------------------------------------------------------------- */

static char *log_tail(const char *log, int lines)
{
	size_t n = strlen(log);
	while (n && log[n - 1] == '\n')
		n--;
	size_t e = n;
	while (n > 0) {
		if (log[n - 1] == '\n' && --lines == 0)
			break;
		n--;
	}
	return xstrndup(log + n, e - n);
}

static void report_failure(struct wl_program *p, int err, char *log)
{
	struct buf msg = { 0 };
	const char *tn = wl_prog_type_name(p->type);
	if (log && *log) {
		buf_printf(&msg, "prog '%s': %s program rejected by the verifier (%s):\n", p->name,
			   tn ? tn : "unknown", wl_errstr(err));
		struct buf ex = { 0 };
		obj_explain_log(p, log, &ex);
		buf_append(&msg, ex.data, ex.len);
		char *tail = log_tail(log, 20);
		buf_printf(&msg, "verifier log (tail):\n%s", tail);
		free(tail);
		/* the whole log, then the explanation, for wl_program_log */
		struct buf full = { 0 };
		buf_puts(&full, log);
		if (full.len && full.data[full.len - 1] != '\n')
			buf_putc(&full, '\n');
		buf_append(&full, ex.data, ex.len);
		buf_free(&ex);
		free(p->log);
		p->log = buf_steal(&full);
	} else {
		buf_printf(&msg, "prog '%s': load of %s program failed: %s", p->name,
			   tn ? tn : "unknown", wl_errstr(err));
	}
	wl_warn("%s", buf_cstr(&msg));
	buf_free(&msg);
}

static int load_program(struct wl_object *obj, struct wl_program *p)
{
	vec_foreach (&p->fixups, fx) {
		const struct wl_obj_map *m = obj->maps.data[fx->map];
		p->insns.data[fx->insn].imm = wl_map_fd(m->map);
	}
	bool btf = obj->btf_fd >= 0;
	bool info = btf && (obj->features & WL_BTF_FEAT_FUNC); /* FUNC ids to point at */
	struct wl_prog_opts o = {
		.name = p->name,
		.type = p->type,
		.expected_attach_type = p->expected_attach_type,
		.insns = p->insns.data,
		.insn_cnt = p->insns.len,
		.license = obj->license,
		.kern_version = obj->kern_version ? obj->kern_version : obj_kernel_version(),
		.flags = p->prog_flags,
		.prog_btf_fd = btf ? obj->btf_fd : 0,
		.func_info = info ? p->finfo.data : NULL,
		.func_info_rec_size = sizeof(struct bpf_func_info),
		.func_info_cnt = info ? p->finfo.len : 0,
		.line_info = info ? p->linfo.data : NULL,
		.line_info_rec_size = sizeof(struct bpf_line_info),
		.line_info_cnt = info ? p->linfo.len : 0,
		.attach_btf_id = p->attach_btf_id,
		.attach_btf_obj_fd = p->attach_btf_obj_fd,
		.fd_array = obj->fd_array.len ? obj->fd_array.data : NULL,
		.log_level = obj->log_level,
	};
	char *log = NULL;
	o.log = &log;
	free(p->log);
	p->log = NULL;
	int r = wl_prog_load_q(&o, true, &p->prog);
	if (r < 0) {
		report_failure(p, r, log);
		free(log);
		return r;
	}
	if (log && *log)
		p->log = log;
	else
		free(log);
	struct bpf_prog_info pi;
	if (wl_prog_info(p->prog, &pi) == 0) {
		p->verified_insns = pi.verified_insns;
		p->jited_size = pi.jited_prog_len;
	}
	return 0;
}

static void unload(struct wl_object *obj)
{
	vec_foreach (&obj->progs, pp) {
		wl_program_detach(*pp);
		wl_prog_destroy((*pp)->prog);
		(*pp)->prog = NULL;
	}
	vec_foreach (&obj->maps, mp) {
		struct wl_obj_map *m = *mp;
		if (m->pinned)
			unlink(m->pin_path);
		m->pinned = m->reused = false;
		wl_map_destroy(m->map);
		m->map = NULL;
	}
	wl_close(obj->btf_fd);
	obj->btf_fd = -1;
}

int wl_object_load(struct wl_object *obj)
{
	if (obj->loaded) {
		obj_warn(obj, "already loaded");
		return -EBUSY;
	}
	int r = obj_prepare(obj, true);
	if (r < 0)
		return r;
	if ((r = obj_load_btf(obj)) < 0 || (r = obj_create_maps(obj)) < 0)
		goto fail;
	vec_foreach (&obj->progs, pp) {
		if ((*pp)->autoload && (r = load_program(obj, *pp)) < 0)
			goto fail;
	}
	if ((r = obj_init_map_slots(obj)) < 0)
		goto fail;
	obj->loaded = true;
	return 0;
fail:
	unload(obj);
	return r;
}

/* ---- program accessors ------------------------------------------------------ */

const char *wl_program_name(const struct wl_program *p)
{
	return p->name;
}

const char *wl_program_section(const struct wl_program *p)
{
	return p->sec_name;
}

struct wl_object *wl_program_object(const struct wl_program *p)
{
	return p->obj;
}

uint32_t wl_program_type(const struct wl_program *p)
{
	return p->type;
}

uint32_t wl_program_expected_attach_type(const struct wl_program *p)
{
	return p->expected_attach_type;
}

int wl_program_set_type(struct wl_program *p, uint32_t type, uint32_t expected_attach_type)
{
	if (p->obj->loaded)
		return -EBUSY;
	p->type = type;
	p->expected_attach_type = expected_attach_type;
	p->type_set = true;
	return 0;
}

bool wl_program_autoload(const struct wl_program *p)
{
	return p->autoload;
}

int wl_program_set_autoload(struct wl_program *p, bool autoload)
{
	if (p->obj->loaded)
		return -EBUSY;
	p->autoload = autoload;
	return 0;
}

const struct bpf_insn *wl_program_insns(const struct wl_program *p, size_t *cnt)
{
	if (cnt)
		*cnt = p->insns.len;
	return p->insns.len ? p->insns.data : NULL;
}

size_t wl_program_insn_count(const struct wl_program *p)
{
	return p->insns.len;
}

struct wl_prog *wl_program_prog(const struct wl_program *p)
{
	return p->prog;
}

int wl_program_fd(const struct wl_program *p)
{
	return p->prog ? wl_prog_fd(p->prog) : -1;
}

uint32_t wl_program_verified_insns(const struct wl_program *p)
{
	return p->verified_insns;
}

uint32_t wl_program_jited_size(const struct wl_program *p)
{
	return p->jited_size;
}

const char *wl_program_log(const struct wl_program *p)
{
	return p->log;
}
