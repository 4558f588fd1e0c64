/* The session: definitions noticed as they are made (the DSL's defining forms
 * are wrapped), built into an object in memory and loaded on maps the
 * session already holds; redefined programs are reloaded in an object of
 * their own and re-attached where the old version was. */
#include "session/internal.h"

#include "backend/object.h"
#include "ir/pass.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- loader messages ------------------------------------------------------ */

/* The loader logs through one process-wide callback: while a session
 * operation runs, its warnings are kept for the error message. */
static struct buf *log_into;
static int log_depth;
static wl_log_fn log_prev;

static void capture(enum wl_log_level level, const char *msg)
{
	if (level != WL_LOG_WARN)
		return;
	if (log_into) {
		if (log_into->len)
			buf_putc(log_into, '\n');
		buf_puts(log_into, msg);
	} else {
		fprintf(stderr, "whistler: warning: %s\n", msg);
	}
}

void ws_capture_log(struct buf *into)
{
	if (into) {
		if (log_depth++ == 0)
			log_prev = wl_set_log(capture);
		log_into = into;
	} else if (log_depth && --log_depth == 0) {
		wl_set_log(log_prev);
		log_into = NULL;
	}
}

static void note(struct wsession *s, const char *fmt, ...) W_PRINTF(2, 3);
static void note(struct wsession *s, const char *fmt, ...)
{
	if (!s->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("; ", s->log);
	vfprintf(s->log, fmt, ap);
	fputc('\n', s->log);
	fflush(s->log);
	va_end(ap);
}

/* ---- names and entries ------------------------------------------------------ */

char *ws_c_name(const char *lisp_name)
{
	size_t n = strlen(lisp_name);
	char *out = xmalloc(n + 2), *p = out;
	if (isdigit((unsigned char)lisp_name[0]))
		*p++ = '_';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)lisp_name[i];
		*p++ = isalnum(c) ? (char)tolower(c) : '_';
	}
	*p = 0;
	return out;
}

static char *lower(const char *s)
{
	char *out = xstrdup(s);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

struct ws_prog *ws_find_prog(struct wsession *s, const char *name)
{
	vec_foreach (&s->progs, p)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

struct ws_map *ws_find_map(struct wsession *s, const char *name)
{
	vec_foreach (&s->maps, m)
		if (!strcmp((*m)->name, name))
			return *m;
	return NULL;
}

static struct ws_prog *prog_entry(struct wsession *s, const char *name, const char *lname)
{
	struct ws_prog *p = ws_find_prog(s, name);
	if (!p) {
		p = xcalloc(1, sizeof(*p));
		p->name = xstrdup(name);
		p->lname = xstrdup(lname ? lname : name);
		vec_push(&s->progs, p);
	}
	return p;
}

static struct ws_map *map_entry(struct wsession *s, const char *name, const char *lname)
{
	struct ws_map *m = ws_find_map(s, name);
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->name = xstrdup(name);
		m->lname = lname ? xstrdup(lname) : NULL;
		m->internal = name[0] == '.';
		vec_push(&s->maps, m);
	}
	return m;
}

static void free_targets(struct ws_prog *p)
{
	vec_foreach (&p->targets, t)
		free(*t);
	p->targets.len = 0;
}

/* ---- definitions -------------------------------------------------------------- */

static const struct {
	const char *name;
	enum ws_def kind;
} defining_forms[] = {
	{ "defmap", WS_DEF_MAP },
	{ "bpf:map", WS_DEF_MAP },
	{ "defprog", WS_DEF_PROG },
	{ "bpf:prog", WS_DEF_PROG },
	{ "defglobal", WS_DEF_GLOBAL },
	{ "defun-bpf", WS_DEF_OTHER },
	{ "defkfunc", WS_DEF_OTHER },
	{ "defksym", WS_DEF_OTHER },
	{ "defstruct", WS_DEF_OTHER },
	{ "defunion", WS_DEF_OTHER },
	{ "defheader", WS_DEF_OTHER },
	{ "deftracepoint", WS_DEF_OTHER },
	{ "import-kernel-struct", WS_DEF_OTHER },
};

static void reload_loaded(struct wsession *s)
{
	vec_foreach (&s->progs, p)
		if ((*p)->p)
			(*p)->pending = true;
}

static bool anything_loaded(struct wsession *s)
{
	vec_foreach (&s->maps, m)
		if ((*m)->map)
			return true;
	return false;
}

/* What a successful definition changes: a new program is loaded at the
 * next sync; a redefined one is reloaded; a redefined map is made anew and
 * every program reloaded onto it; anything else the programs may use
 * (functions, structs, globals) reloads them all when it is redefined. */
static void noticed(struct wsession *s, enum ws_def kind, lv name)
{
	if (!lisp_symbolp(name) || name == LISP_NIL)
		return;
	const char *sym = lisp_symbol_name(name);
	char *key = xasprintf("%d:%s:%s", (int)kind, lisp_symbol_package_name(name) ?: "", sym);
	bool seen = false;
	vec_foreach (&s->defined, k)
		seen |= !strcmp(*k, key);
	if (seen)
		free(key);
	else
		vec_push(&s->defined, key);
	if (kind != WS_DEF_PROG) /* what failed may work with the new definition */
		vec_foreach (&s->progs, p)
			(*p)->failed = false;
	vec_foreach (&s->maps, m)
		(*m)->failed = false;
	s->dormant = false;
	char *lname = lower(sym), *cname = ws_c_name(lname);
	switch (kind) {
	case WS_DEF_MAP: {
		struct ws_map *m = map_entry(s, cname, lname);
		if (m->map) {
			m->redefined = true;
			reload_loaded(s);
		}
		break;
	}
	case WS_DEF_PROG: {
		struct ws_prog *p = prog_entry(s, cname, lname);
		p->pending = true;
		p->failed = false;
		break;
	}
	case WS_DEF_GLOBAL:
		if (anything_loaded(s)) {
			vec_foreach (&s->maps, m)
				if ((*m)->internal && (*m)->map)
					(*m)->redefined = true;
			reload_loaded(s);
		}
		break;
	case WS_DEF_OTHER:
		if (seen)
			reload_loaded(s);
		break;
	}
	free(lname);
	free(cname);
}

static lv wrapped_form(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct ws_wrap *w = data;
	unsigned before = w->s->diag->errors;
	lv r = w->fn(ctx, form, env, w->data);
	if (w->s->diag->errors == before) {
		if (w->kind == WS_DEF_GLOBAL && lisp_symbolp(lisp_cadr(form)))
			ws_global_defined(w->s, form);
		noticed(w->s, w->kind, lisp_cadr(form));
	}
	return r;
}

static void wrap_definitions(struct wsession *s)
{
	s->wraps = xcalloc(ARRAY_LEN(defining_forms), sizeof(*s->wraps));
	for (size_t i = 0; i < ARRAY_LEN(defining_forms); i++) {
		struct ws_wrap *w = &s->wraps[s->nwraps];
		lv sym = lisp_intern(s->ctx, defining_forms[i].name);
		if (!lisp_special_form(s->ctx, sym, &w->fn, &w->data))
			W_ICE("the DSL form %s is not a special form", defining_forms[i].name);
		w->s = s;
		w->kind = defining_forms[i].kind;
		lisp_defspecial(s->ctx, defining_forms[i].name, wrapped_form, w);
		s->nwraps++;
	}
}

bool ws_is_definition(struct wsession *s, lv form)
{
	lv head = lisp_car(form);
	if (!lisp_consp(form) || !lisp_symbolp(head))
		return false;
	lisp_special_fn fn;
	void *data;
	return lisp_special_form(s->ctx, head, &fn, &data) && fn == wrapped_form;
}

/* ---- building and loading ------------------------------------------------------ */

/* The DSL's definitions as an ELF object in memory: programs restricted to
 * `only` (NULL: all, "": none). */
static int build(struct wsession *s, const char *only, struct buf *out)
{
	unsigned before = s->diag->errors;
	lisp_set_report(s->ctx, true); /* the DSL reports its own Lisp errors */
	s->building = true;
	struct ir_module *m = dsl_build(s->dsl, only);
	s->building = false;
	int rc = -1;
	if (m) {
		const char *const *pipeline = ir_pipeline(s->opt_level);
		size_t np = 0;
		while (pipeline[np])
			np++;
		struct ir_pass_opts po = { .diag = s->diag };
		struct obj_options oo = { .line_info = true };
		if (!ir_verify_module(m, s->diag) && !ir_run_passes(m, pipeline, np, &po) &&
		    !ir_verify_module(m, s->diag) && !bk_write_object(m, &oo, out, s->diag))
			rc = 0;
		ir_module_free(m);
	}
	lisp_set_report(s->ctx, !s->quiet_top);
	return rc == 0 && s->diag->errors == before ? 0 : -1;
}

static bool same_shape(const struct wl_obj_map *om, const struct wl_map *map)
{
	struct bpf_map_info info;
	if (wl_map_info(map, &info) < 0)
		return false;
	return info.type == wl_obj_map_type(om) && info.key_size == wl_obj_map_key_size(om) &&
	       info.value_size == wl_obj_map_value_size(om) &&
	       info.max_entries == wl_obj_map_max_entries(om) &&
	       info.map_flags == wl_obj_map_flags(om);
}

static int hold_map(struct wsession *s, struct ws_map *m, const struct wl_obj_map *om)
{
	int fd = fcntl(wl_obj_map_fd(om), F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	struct wl_map *map;
	int r = wl_map_from_fd(fd, m->name, &map);
	if (r < 0) {
		close(fd);
		return r;
	}
	if (m->map)
		ws_rings_close_map(s, m);
	wl_map_destroy(m->map);
	m->map = map;
	m->redefined = false;
	return 0;
}

static void unit_close(struct wsession *s, struct ws_unit *u)
{
	for (uint32_t i = 0; i < s->units.len; i++)
		if (s->units.data[i] == u) {
			s->units.data[i] = vec_last(&s->units);
			s->units.len--;
			break;
		}
	wl_object_close(u->obj);
	free(u);
}

static void unit_release(struct wsession *s, struct ws_unit *u)
{
	if (u && --u->users == 0)
		unit_close(s, u);
}

const char *ws_attach(struct wsession *s, struct ws_prog *p, const char *target, struct buf *err)
{
	struct buf log = { 0 };
	struct wl_link *l = NULL;
	ws_capture_log(&log);
	int r = wl_program_attach_to(p->p, target && *target ? target : NULL, &l);
	ws_capture_log(NULL);
	if (r < 0) {
		if (err->len)
			buf_putc(err, '\n');
		if (log.len)
			buf_puts(err, buf_cstr(&log));
		else
			buf_printf(err, "prog '%s': attaching failed: %s", p->name, strerror(-r));
		buf_free(&log);
		return NULL;
	}
	buf_free(&log);
	vec_push(&p->targets, xstrdup(target ? target : ""));
	return wl_link_desc(l);
}

void ws_detach(struct wsession *s, struct ws_prog *p)
{
	(void)s;
	if (p->p)
		wl_program_detach(p->p);
	free_targets(p);
}

uint32_t ws_prog_id(const struct ws_prog *p)
{
	struct bpf_prog_info info;
	if (!p->p || wl_prog_info(wl_program_prog(p->p), &info) < 0)
		return 0;
	return info.id;
}

/* Slots of the session's program arrays that held program `old_id` get
 * p's new version (tail calls reach it from now on). */
static int repoint_prog_arrays(struct wsession *s, uint32_t old_id, struct ws_prog *p,
			       struct buf *err)
{
	uint32_t fd = (uint32_t)wl_program_fd(p->p);
	int rc = 0;
	vec_foreach (&s->maps, mp) {
		struct ws_map *m = *mp;
		if (!m->map || wl_map_type(m->map) != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		for (uint32_t k = 0; k < wl_map_max_entries(m->map); k++) {
			uint32_t id;
			if (wl_map_lookup(m->map, &k, &id, 0) < 0 || id != old_id)
				continue;
			int r = wl_map_update(m->map, &k, &fd, BPF_ANY);
			if (r < 0) {
				buf_printf(err, "%smap '%s' [%u]: prog '%s' does not go in: %s",
					   err->len ? "\n" : "", m->lname, k, p->lname,
					   strerror(-r));
				rc = -1;
			} else {
				note(s, "re-pointed prog array '%s' [%u] to prog '%s'", m->lname, k,
				     p->lname);
			}
		}
	}
	return rc;
}

/* p's new version wp (in u) replaces the old one, attached where it was and
 * in the program array slots it was in. */
static int swap_in(struct wsession *s, struct ws_prog *p, struct ws_unit *u, struct wl_program *wp,
		   struct buf *err)
{
	VEC(char *) targets = { 0 };
	bool reload = p->p != NULL;
	for (uint32_t i = 0; i < p->targets.len; i++)
		vec_push(&targets, p->targets.data[i]);
	p->targets.len = 0;
	uint32_t old_id = ws_prog_id(p);
	if (p->p) {
		wl_program_detach(p->p);
		unit_release(s, p->unit);
	}
	p->p = wp;
	p->unit = u;
	u->users++;
	p->pending = p->failed = false;
	note(s, "%s prog '%s' (%zu instructions)", reload ? "reloaded" : "loaded", p->lname,
	     wl_program_insn_count(wp));
	int rc = old_id ? repoint_prog_arrays(s, old_id, p, err) : 0;
	vec_foreach (&targets, t) {
		const char *desc = ws_attach(s, p, *t, err);
		if (desc)
			note(s, "re-attached %s", desc);
		else
			rc = -1;
		free(*t);
	}
	vec_free(&targets);
	return rc;
}

/* After a failed load, maps still to be made wait for a new definition too. */
static void maps_failed(struct wsession *s)
{
	vec_foreach (&s->maps, m)
		if (!(*m)->map || (*m)->redefined)
			(*m)->failed = true;
}

static int load_unit(struct wsession *s, const char *only, struct buf *err)
{
	struct buf elf = { 0 };
	if (build(s, only, &elf)) {
		maps_failed(s);
		buf_free(&elf);
		if (err->len)
			buf_putc(err, '\n');
		buf_puts(err, "the BPF definitions do not compile (errors above)");
		vec_foreach (&s->progs, p)
			if ((*p)->pending || !(*p)->p) {
				if (!only || !strcmp(only, (*p)->name)) {
					(*p)->failed = true;
					(*p)->pending = false;
				}
			}
		return -1;
	}
	struct wl_object_opts oo = { .name = s->name, .btf_custom_path = s->btf_path };
	struct wl_object *obj = NULL;
	struct buf log = { 0 };
	VEC(struct ws_prog *) loading = { 0 };
	ws_capture_log(&log);
	int r = wl_object_open_mem(elf.data, elf.len, &oo, &obj);
	buf_free(&elf);
	if (r == 0) {
		for (size_t i = 0; i < wl_object_program_count(obj); i++) {
			struct wl_program *wp = wl_object_program(obj, i);
			struct ws_prog *p = prog_entry(s, wl_program_name(wp), NULL);
			bool want = (!only || !strcmp(only, p->name)) &&
				    (p->pending || (!p->p && !p->failed));
			wl_program_set_autoload(wp, want);
			if (want)
				vec_push(&loading, p);
		}
		for (size_t i = 0; i < wl_object_map_count(obj); i++) {
			struct wl_obj_map *om = wl_object_map(obj, i);
			struct ws_map *m = map_entry(s, wl_obj_map_name(om), NULL);
			if (!m->map || m->redefined)
				continue;
			if (same_shape(om, m->map)) {
				wl_obj_map_reuse(om, m->map);
			} else {
				note(s, "map '%s' changed shape: a new, empty one", m->name);
				m->redefined = true;
			}
		}
		ws_globals_layout(s, obj, true);
		r = wl_object_load(obj);
	}
	ws_capture_log(NULL);
	if (r < 0) {
		if (err->len)
			buf_putc(err, '\n');
		if (log.len)
			buf_puts(err, buf_cstr(&log));
		else
			buf_printf(err, "loading failed: %s", strerror(-r));
		vec_foreach (&loading, p) {
			(*p)->failed = true;
			(*p)->pending = false;
		}
		maps_failed(s);
		vec_free(&loading);
		buf_free(&log);
		wl_object_close(obj);
		return -1;
	}
	if (log.len)
		fprintf(stderr, "whistler: warning: %s\n", buf_cstr(&log));
	buf_free(&log);
	s->loads++;
	vec_foreach (&s->maps, m)
		(*m)->failed = false;
	int rc = 0;
	for (size_t i = 0; i < wl_object_map_count(obj); i++) {
		struct wl_obj_map *om = wl_object_map(obj, i);
		if (wl_obj_map_reused(om) || wl_obj_map_fd(om) < 0)
			continue;
		struct ws_map *m = map_entry(s, wl_obj_map_name(om), NULL);
		bool again = m->map != NULL;
		if ((r = hold_map(s, m, om)) < 0) {
			buf_printf(err, "map '%s': cannot keep it: %s", m->name, strerror(-r));
			rc = -1;
		} else if (!m->internal) {
			note(s, "%s map '%s'", again ? "made a new" : "created",
			     m->lname ? m->lname : m->name);
		}
	}
	struct ws_unit *u = xcalloc(1, sizeof(*u));
	u->obj = obj;
	vec_push(&s->units, u);
	vec_foreach (&loading, p)
		rc |= swap_in(s, *p, u, wl_object_find_program(obj, (*p)->name), err);
	vec_free(&loading);
	if (!u->users)
		unit_close(s, u);
	return rc;
}

bool wsession_pending(const struct wsession *s)
{
	if (s->dormant)
		return false;
	vec_foreach (&s->progs, p)
		if ((*p)->pending || (!(*p)->p && !(*p)->failed))
			return true;
	vec_foreach (&s->maps, m)
		if (!(*m)->internal && !(*m)->failed && (!(*m)->map || (*m)->redefined))
			return true;
	return false;
}

static int sync_session(struct wsession *s, struct buf *err)
{
	if (!wsession_pending(s))
		return 0;
	size_t npend = 0, nloaded = 0;
	VEC(char *) names = { 0 };
	vec_foreach (&s->progs, p) {
		nloaded += (*p)->p != NULL || (*p)->failed;
		if ((*p)->pending || (!(*p)->p && !(*p)->failed)) {
			npend++;
			vec_push(&names, xstrdup((*p)->name));
		}
	}
	int rc = 0;
	if (npend > 1 && !nloaded) {
		/* the first load: one object, so prog arrays get their programs
		 * (a program that failed before takes the other path) */
		rc = load_unit(s, NULL, err);
	} else if (!npend) {
		rc = load_unit(s, "", err);
	} else {
		/* one object per program: a broken one does not hold up the rest */
		vec_foreach (&names, n)
			rc |= load_unit(s, *n, err);
	}
	vec_foreach (&names, n)
		free(*n);
	vec_free(&names);
	return rc;
}

/* rc < 0: signals err's message as a Lisp error naming `who`; frees err. */
static void check_in(struct wsession *s, int rc, struct buf *err, const char *who)
{
	if (rc == 0) {
		buf_free(err);
		return;
	}
	char msg[8192];
	snprintf(msg, sizeof(msg), "%s", buf_cstr(err));
	buf_free(err);
	lisp_error(s->ctx, "%s: %s", who, msg);
}

void ws_sync_in(struct wsession *s, const char *who)
{
	struct buf err = { 0 };
	s->dormant = false;
	check_in(s, sync_session(s, &err), &err, who);
}

void ws_layout_in(struct wsession *s, const char *who)
{
	struct buf elf = { 0 }, err = { 0 };
	int rc = build(s, "", &elf);
	if (rc) {
		buf_puts(&err, "the BPF definitions do not compile (errors above)");
	} else {
		struct wl_object_opts oo = { .name = s->name, .btf_custom_path = s->btf_path };
		struct wl_object *obj = NULL;
		ws_capture_log(&err);
		rc = wl_object_open_mem(elf.data, elf.len, &oo, &obj);
		ws_capture_log(NULL);
		if (rc == 0)
			ws_globals_layout(s, obj, false);
		else if (!err.len)
			buf_printf(&err, "opening the compiled object failed: %s", strerror(-rc));
		wl_object_close(obj);
	}
	buf_free(&elf);
	check_in(s, rc, &err, who);
}

int ws_sync_at(struct wsession *s, struct srcloc loc)
{
	struct buf err = { 0 };
	int rc = sync_session(s, &err);
	if (rc)
		diag_error(s->diag, loc, "%s", buf_cstr(&err));
	buf_free(&err);
	return rc;
}

int wsession_sync(struct wsession *s)
{
	return ws_sync_at(s, (struct srcloc){ 0 });
}

void wsession_unload(struct wsession *s)
{
	s->dormant = true;
	ws_rings_close(s);
	vec_foreach (&s->progs, pp) {
		struct ws_prog *p = *pp;
		ws_detach(s, p);
		p->p = NULL;
		p->unit = NULL;
		p->pending = false;
	}
	vec_foreach (&s->units, u) {
		wl_object_close((*u)->obj);
		free(*u);
	}
	s->units.len = 0;
	vec_foreach (&s->maps, m) {
		wl_map_destroy((*m)->map);
		(*m)->map = NULL;
		(*m)->redefined = false;
	}
}

void wsession_stats(const struct wsession *s, struct wsession_stats *st)
{
	memset(st, 0, sizeof(*st));
	vec_foreach (&s->progs, p)
		if ((*p)->p) {
			st->programs++;
			st->links += (unsigned)wl_program_link_count((*p)->p);
		}
	vec_foreach (&s->maps, m)
		st->maps += (*m)->map != NULL;
	st->objects = s->units.len;
	st->loads = s->loads;
}

/* ---- the session object ------------------------------------------------------ */

static void mark_handles(struct lisp_ctx *ctx, void *data)
{
	struct wsession *s = data;
	lisp_gc_mark(ctx, s->handle);
	vec_foreach (&s->progs, p)
		lisp_gc_mark(ctx, (*p)->handle);
	vec_foreach (&s->maps, m)
		lisp_gc_mark(ctx, (*m)->handle);
	ws_rings_mark(ctx, s);
	ws_globals_mark(ctx, s);
}

struct wsession *wsession_new(struct srcmgr *sm, struct diag *d, const struct wsession_options *o,
			      int argc, char **argv)
{
	struct wsession *s = xcalloc(1, sizeof(*s));
	s->sm = sm;
	s->diag = d;
	s->name = xstrdup(o && o->name ? o->name : "session");
	s->btf_path = o && o->btf_path ? xstrdup(o->btf_path) : NULL;
	s->opt_level = o && o->opt_level >= 0 && o->opt_level <= 3 ? o->opt_level : 2;
	s->log = o ? o->log : NULL;
	s->ctx = lisp_new(sm, d);
	lisp_set_sandbox(s->ctx, false);
	struct dsl_options dopts = { .btf_path = s->btf_path };
	s->dsl = dsl_new(s->ctx, &dopts);
	lisp_gc_add_marker(s->ctx, mark_handles, s);
	wrap_definitions(s);
	ws_runtime_register(s);
	ws_ring_register(s);
	ws_globals_register(s);
	lv args = LISP_NIL;
	for (int i = argc - 1; i >= 0; i--)
		args = lisp_cons(s->ctx, lisp_make_cstring(s->ctx, argv[i]), args);
	args = lisp_cons(s->ctx, lisp_make_cstring(s->ctx, "whistler"), args);
	lisp_set_symbol_value(s->ctx, lisp_intern(s->ctx, "sb-ext:*posix-argv*"), args);
	return s;
}

void wsession_free(struct wsession *s)
{
	if (!s)
		return;
	wsession_unload(s);
	vec_foreach (&s->progs, p) {
		free_targets(*p);
		vec_free(&(*p)->targets);
		free((*p)->name);
		free((*p)->lname);
		free(*p);
	}
	vec_foreach (&s->maps, m) {
		free((*m)->name);
		free((*m)->lname);
		free(*m);
	}
	vec_free(&s->progs);
	vec_free(&s->maps);
	vec_free(&s->units);
	ws_rings_free(s);
	ws_globals_free(s);
	for (size_t i = 0; i < ARRAY_LEN(s->scratch); i++)
		buf_free(&s->scratch[i]);
	dsl_free(s->dsl);
	lisp_free(s->ctx);
	free(s->wraps);
	vec_foreach (&s->defined, k)
		free(*k);
	vec_free(&s->defined);
	free(s->name);
	free(s->btf_path);
	free(s);
}

struct lisp_ctx *wsession_lisp(struct wsession *s)
{
	return s->ctx;
}

struct dsl *wsession_dsl(struct wsession *s)
{
	return s->dsl;
}

int wsession_exit_code(const struct wsession *s)
{
	return s->exit_code;
}

/* ---- evaluating ------------------------------------------------------------------ */

enum wsession_status wsession_eval(struct wsession *s, lv form, lv *value)
{
	unsigned before = s->diag->errors;
	lv v = NULL;
	/* the outermost call reports its condition itself, to tell Ctrl-C apart */
	s->quiet_top = true;
	lisp_set_report(s->ctx, false);
	int rc = lisp_eval(s->ctx, form, &v);
	s->quiet_top = false;
	lisp_set_report(s->ctx, true);
	if (value)
		*value = rc == 0 ? v : NULL;
	if (rc == 0)
		return s->diag->errors == before ? WSESSION_OK : WSESSION_ERROR;
	int code = 0;
	if (lisp_exit_requested(s->ctx, &code)) {
		s->exit_code = code;
		return WSESSION_EXIT;
	}
	lv c = lisp_last_condition(s->ctx);
	if (c &&
	    lisp_typep_condition(s->ctx, c, lisp_intern(s->ctx, "sb-sys:interactive-interrupt")))
		return WSESSION_INTERRUPT;
	if (c)
		lisp_report_condition(s->ctx, c);
	return WSESSION_ERROR;
}

enum wsession_status wsession_run_file(struct wsession *s, uint32_t file,
				       void (*each)(struct wsession *, lv value, void *),
				       void *data)
{
	struct lisp_reader r;
	lisp_reader_init(&r, s->ctx, file);
	for (;;) {
		lv form, v;
		int rc = lisp_read(&r, &form);
		if (rc == 0)
			break;
		if (rc < 0)
			return WSESSION_ERROR;
		enum wsession_status st = wsession_eval(s, form, &v);
		if (st != WSESSION_OK)
			return st;
		if (each)
			each(s, v, data);
		/* a redefinition takes effect at once once things run; before,
		 * definitions wait for their first use (they may refer ahead) */
		if (anything_loaded(s) && wsession_pending(s) && ws_sync_at(s, lisp_loc(form)))
			return WSESSION_ERROR;
	}
	return wsession_sync(s) ? WSESSION_ERROR : WSESSION_OK;
}
