/* The userspace side of sessions: with-bpf-session, bpf:attach and
 * bpf:detach, bpf:map-ref (and its setf), map iteration and byte codecs,
 * *bpf-session* and its accessors, as the reference's whistler/loader
 * package spells them. */
#include "session/internal.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

/* (setf (bpf:map-ref MAP KEY) VALUE): MAP is resolved once, like the getter. */
static const char session_prelude[] =
	"(defvar *bpf-session* nil)\n"
	"(define-setf-expander bpf:map-ref (map key)\n"
	"  (let ((m (gensym \"MAP\")) (k (gensym \"KEY\")) (v (gensym \"VALUE\")))\n"
	"    (values (list m k) (list (list 'bpf::%map map) key) (list v)\n"
	"            (list 'bpf:map-set m k v) (list 'bpf:map-ref m k))))\n";

/* ---- handles ------------------------------------------------------------------- */

lv ws_map_handle(struct wsession *s, struct ws_map *m)
{
	if (!m->handle)
		m->handle = lisp_make_foreign(s->ctx, "bpf-map", m, NULL,
					      lisp_make_cstring(s->ctx, m->name));
	return m->handle;
}

lv ws_prog_handle(struct wsession *s, struct ws_prog *p)
{
	if (!p->handle)
		p->handle = lisp_make_foreign(s->ctx, "bpf-prog", p, NULL,
					      lisp_make_cstring(s->ctx, p->name));
	return p->handle;
}

/* The ELF spelling of a name given as a symbol or a string. */
static char *name_of(struct wsession *s, lv v)
{
	if (lisp_stringp(v))
		return ws_c_name(lisp_string_data(v, NULL));
	if (lisp_symbolp(v) && v != LISP_NIL)
		return ws_c_name(lisp_symbol_name(v));
	return NULL;
}

static void suggest(struct wsession *s, const char *who, const char *what, const char *name,
		    bool maps) W_NORETURN;
static void suggest(struct wsession *s, const char *who, const char *what, const char *name,
		    bool maps)
{
	struct buf b = { 0 };
	size_t n = 0;
	if (maps) {
		vec_foreach (&s->maps, m)
			if (!(*m)->internal)
				buf_printf(&b, "%s%s", n++ ? ", " : "", (*m)->lname);
	} else {
		vec_foreach (&s->progs, p)
			buf_printf(&b, "%s%s", n++ ? ", " : "", (*p)->lname);
	}
	char list[2048];
	snprintf(list, sizeof(list), "%s", n ? buf_cstr(&b) : "none");
	buf_free(&b);
	lisp_error(s->ctx, "%s: no %s '%s' in the session (%ss: %s)", who, what, name, what, list);
}

struct ws_map *ws_map_arg(struct wsession *s, lv v, const char *who)
{
	struct ws_map *m = NULL;
	if (lisp_foreignp(v, "bpf-map")) {
		m = lisp_foreign_ptr(v);
	} else {
		char *name = name_of(s, v);
		if (!name)
			lisp_type_error(s->ctx, v, "(or symbol string)");
		m = ws_find_map(s, name);
		if (!m && lisp_stringp(v))
			m = ws_find_map(s, lisp_string_data(v, NULL));
		if (!m) {
			char copy[256];
			snprintf(copy, sizeof(copy), "%s", name);
			free(name);
			suggest(s, who, "map", copy, true);
		}
		free(name);
	}
	ws_sync_in(s, who);
	if (!m->map)
		lisp_error(s->ctx, "%s: map '%s' is not loaded%s", who, m->name,
			   m->failed ? " (its creation failed, see above)" : "");
	return m;
}

static struct ws_prog *prog_arg(struct wsession *s, lv v, const char *who)
{
	struct ws_prog *p = NULL;
	if (lisp_foreignp(v, "bpf-prog")) {
		p = lisp_foreign_ptr(v);
	} else {
		char *name = name_of(s, v);
		if (!name)
			lisp_type_error(s->ctx, v, "(or symbol string)");
		p = ws_find_prog(s, name);
		if (!p) {
			char copy[256];
			snprintf(copy, sizeof(copy), "%s", name);
			free(name);
			suggest(s, who, "program", copy, false);
		}
		free(name);
	}
	ws_sync_in(s, who);
	if (!p->p)
		lisp_error(s->ctx, "%s: program '%s' is not loaded%s", who, p->lname,
			   p->failed ? " (its load failed, see above)" : "");
	return p;
}

/* The unevaluated first argument of bpf:attach / bpf:map-ref: a symbol that
 * is not a lexical variable names a definition, unless it names none and is
 * a global variable; anything else is evaluated. */
static lv designator(struct wsession *s, lv x, lv env, bool map)
{
	struct lisp_ctx *ctx = s->ctx;
	if (lisp_symbolp(x) && x != LISP_NIL && !lisp_keywordp(x)) {
		bool found = false;
		lisp_env_lookup_var(ctx, env, x, &found);
		if (!found) {
			char *name = ws_c_name(lisp_symbol_name(x));
			bool known =
				map ? ws_find_map(s, name) != NULL : ws_find_prog(s, name) != NULL;
			free(name);
			if (known || !lisp_symbol_value(ctx, x))
				return x;
		}
	}
	return lisp_eval_in(ctx, x, env);
}

/* v as PRIN1 prints it, cut to fit (for messages made before a non-local exit) */
static void printed(struct lisp_ctx *ctx, lv v, char *out, size_t n)
{
	char *t = lisp_print_to_cstring(ctx, v, true);
	snprintf(out, n, "%s", t);
	free(t);
}

uint8_t *ws_scratch(struct wsession *s, int i, size_t n)
{
	struct buf *b = &s->scratch[i];
	b->len = 0;
	buf_reserve(b, n + 1);
	memset(b->data, 0, n + 1);
	return b->data;
}

/* ---- bytes ------------------------------------------------------------------------ */

static bool record_p(lv v, char *name, size_t n)
{
	if (!lisp_is(v, LISP_VECTOR) || !lisp_vector_length(v))
		return false;
	lv tag = lisp_vector_data(v)[0];
	if (!lisp_symbolp(tag) || tag == LISP_NIL)
		return false;
	const char *t = lisp_symbol_name(tag);
	size_t len = strlen(t);
	if (len <= 7 || strcmp(t + len - 7, "-RECORD") || len - 7 >= n)
		return false;
	memcpy(name, t, len - 7);
	name[len - 7] = 0;
	return true;
}

void ws_encode(struct wsession *s, lv v, void *out, size_t size, const char *who, const char *what)
{
	struct lisp_ctx *ctx = s->ctx;
	char name[256];
	if (record_p(v, name, sizeof(name))) {
		char enc[300];
		snprintf(enc, sizeof(enc), "ENCODE-%s", name);
		lv fn = lisp_symbol_function(ctx, lisp_intern_exact(ctx, NULL, enc, strlen(enc)));
		if (!fn)
			lisp_error(ctx, "%s: the %s is a %s-record, but encode-%s is not defined",
				   who, what, name, name);
		v = lisp_call1(ctx, fn, v);
	}
	memset(out, 0, size);
	if (lisp_integerp(v)) {
		uint64_t x = lisp_int_low64(v);
		int64_t sx;
		bool neg = lisp_int_to_i64(v, &sx) ? sx < 0 : false;
		uint8_t *o = out;
		for (size_t i = 0; i < size; i++)
			o[i] = i < 8 ? (uint8_t)(x >> (8 * i)) : neg ? 0xff : 0;
		return;
	}
	long n = lisp_bytes_copy(v, out, size);
	if (n < 0) {
		char text[256];
		printed(ctx, v, text, sizeof(text));
		lisp_error(ctx,
			   "%s: the %s must be an integer, a byte vector, a string or a defstruct "
			   "record, not %s",
			   who, what, text);
	}
	if ((size_t)n > size)
		lisp_error(ctx, "%s: the %s has %ld bytes, the map's %s has %zu", who, what, n,
			   what, size);
}

static bool percpu(const struct wl_map *m)
{
	return wl_map_value_buf_size(m) != wl_map_value_size(m);
}

/* A value as bpf:map-ref gives it: values of up to 8 bytes as unsigned
 * integers (per-CPU ones summed over the CPUs), longer ones as bytes. */
static lv decode_value(struct wsession *s, const struct wl_map *m, const uint8_t *buf)
{
	size_t vs = wl_map_value_size(m), total = wl_map_value_buf_size(m);
	if (vs > 8)
		return lisp_make_bytes(s->ctx, buf, total);
	uint64_t sum = 0;
	size_t stride = percpu(m) ? ALIGN_UP(vs, 8) : vs;
	for (size_t off = 0; off + vs <= total; off += stride) {
		uint64_t x = 0;
		for (size_t i = 0; i < vs; i++)
			x |= (uint64_t)buf[off + i] << (8 * i);
		sum += x;
		if (!percpu(m))
			break;
	}
	return lisp_make_uint(s->ctx, sum);
}

/* ---- with-bpf-session ------------------------------------------------------------ */

static lv sf_with_session(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wsession *s = data;
	if (!lisp_listp(lisp_cadr(form)))
		lisp_error_at(ctx, form,
			      "with-bpf-session: expected (with-bpf-session () body...)");
	unsigned before = s->diag->errors;
	lv runtime = LISP_NIL;
	/* the BPF side first, wherever it is in the body */
	for (lv l = lisp_cddr(form); lisp_consp(l); l = lisp_cdr(l)) {
		if (ws_is_definition(s, lisp_car(l)))
			lisp_eval_in(ctx, lisp_car(l), env);
		else
			runtime = lisp_cons(ctx, lisp_car(l), runtime);
	}
	if (s->diag->errors != before)
		lisp_error_at(ctx, form,
			      "with-bpf-session: its BPF definitions have errors (above); nothing "
			      "was loaded");
	ws_sync_in(s, "with-bpf-session");
	s->session_depth++;
	lv body = lisp_cons(ctx, lisp_intern(ctx, "progn"), lisp_nreverse(runtime));
	lv cleanup = lisp_list(ctx, 1, lisp_intern(ctx, "bpf::%end-session"));
	lv uw = lisp_list(ctx, 3, lisp_intern(ctx, "unwind-protect"), body, cleanup);
	lisp_set_loc(uw, lisp_loc(form));
	return lisp_eval_in(ctx, uw, env);
}

static lv b_end_session(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	if (s->session_depth > 0)
		s->session_depth--;
	wsession_unload(s);
	return LISP_NIL;
}

/* ---- attaching -------------------------------------------------------------------- */

static void target_text(lv v, struct buf *out)
{
	if (lisp_stringp(v))
		buf_puts(out, lisp_string_data(v, NULL));
	else if (lisp_symbolp(v) && v != LISP_NIL) {
		char *l = xstrdup(lisp_symbol_name(v));
		for (char *p = l; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		buf_puts(out, l);
		free(l);
	} else {
		buf_printf(out, "%lld", (long long)lisp_int_low64(v));
	}
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The loader's target string from bpf:attach's arguments, by program kind:
 * tracepoints take "tracepoint/C/E", "C/E" or C E; uprobes PATH SYMBOL (or
 * PATH alone with "uprobe/SYMBOL" sections); the rest joins with ':'
 * (IFACE egress, PATH PROVIDER NAME). */
static char *compose_target(struct wsession *s, struct ws_prog *p, int n, lv *args)
{
	if (!n)
		return NULL;
	for (int i = 0; i < n; i++) /* type errors before anything is allocated */
		if (!lisp_stringp(args[i]) && !lisp_integerp(args[i]) &&
		    !(lisp_symbolp(args[i]) && args[i] != LISP_NIL)) {
			char text[256];
			printed(s->ctx, args[i], text, sizeof(text));
			lisp_error(s->ctx,
				   "bpf:attach: a target is a string, a symbol or a number, not %s",
				   text);
		}
	struct buf t = { 0 };
	const char *sec = wl_program_section(p->p);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_putc(&t, wl_program_type(p->p) == BPF_PROG_TYPE_TRACEPOINT ? '/' : ':');
		target_text(args[i], &t);
	}
	char *out = buf_steal(&t);
	if (wl_program_type(p->p) == BPF_PROG_TYPE_TRACEPOINT) {
		const char *strip = starts(out, "tracepoint/") ? out + 11
				    : starts(out, "tp/")       ? out + 3
							       : NULL;
		if (strip)
			memmove(out, strip, strlen(strip) + 1);
	} else if ((starts(sec, "uprobe/") || starts(sec, "uretprobe/")) && n == 1 &&
		   !strchr(out, ':') && !strchr(strchr(sec, '/') + 1, ':')) {
		char *with = xasprintf("%s:%s", out, strchr(sec, '/') + 1);
		free(out);
		out = with;
	}
	return out;
}

static bool cgroup_prog(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_SOCK_OPS:
	case BPF_PROG_TYPE_CGROUP_DEVICE:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_CGROUP_SYSCTL:
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		return true;
	default:
		return false;
	}
}

static lv sf_attach(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wsession *s = data;
	lv args = lisp_cdr(form);
	if (!lisp_consp(args))
		lisp_error_at(ctx, form, "bpf:attach: expected (bpf:attach PROG [TARGET...])");
	struct ws_prog *p = prog_arg(s, designator(s, lisp_car(args), env, false), "bpf:attach");
	lv targets[8];
	int n = 0;
	for (lv l = lisp_cdr(args); lisp_consp(l); l = lisp_cdr(l)) {
		if (n == (int)ARRAY_LEN(targets))
			lisp_error_at(ctx, form, "bpf:attach: too many arguments");
		targets[n++] = lisp_eval_in(ctx, lisp_car(l), env);
	}
	char *target = compose_target(s, p, n, targets);
	if (target && cgroup_prog(wl_program_type(p->p))) {
		struct statfs fs;
		if (statfs(target, &fs) == 0 && fs.f_type != CGROUP2_SUPER_MAGIC) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", target);
			free(target);
			lisp_error(ctx,
				   "bpf:attach: '%s' is not a cgroup v2 directory (see where "
				   "cgroup2 is mounted in /proc/self/mounts)",
				   msg);
		}
	}
	struct buf err = { 0 };
	const char *desc = ws_attach(s, p, target, &err);
	free(target);
	if (!desc) {
		char msg[4096];
		snprintf(msg, sizeof(msg), "%s", buf_cstr(&err));
		buf_free(&err);
		lisp_error(ctx, "bpf:attach: %s", msg);
	}
	buf_free(&err);
	return lisp_make_cstring(ctx, desc);
}

static lv sf_detach(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wsession *s = data;
	if (!lisp_consp(lisp_cdr(form)))
		lisp_error_at(ctx, form, "bpf:detach: expected (bpf:detach PROG)");
	struct ws_prog *p = prog_arg(s, designator(s, lisp_cadr(form), env, false), "bpf:detach");
	bool was = p->targets.len > 0;
	ws_detach(s, p);
	return lisp_bool(ctx, was);
}

static lv b_attachments(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	lv out = LISP_NIL;
	vec_foreach (&s->progs, p) {
		if (!(*p)->p)
			continue;
		for (size_t i = 0; i < wl_program_link_count((*p)->p); i++)
			out = lisp_cons(
				ctx,
				lisp_make_cstring(ctx, wl_link_desc(wl_program_link((*p)->p, i))),
				out);
	}
	return lisp_nreverse(out);
}

static lv b_load(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	ws_sync_in(data, "bpf:load");
	return lisp_t(ctx);
}

/* ---- maps ---------------------------------------------------------------------- */

static bool prog_array(const struct ws_map *m)
{
	return wl_map_type(m->map) == BPF_MAP_TYPE_PROG_ARRAY;
}

/* A program array's slot reads as the program in it (the kernel gives its
 * id): a session program, else the id. */
static lv prog_in_slot(struct wsession *s, uint32_t id)
{
	vec_foreach (&s->progs, p)
		if ((*p)->p && ws_prog_id(*p) == id)
			return ws_prog_handle(s, *p);
	return lisp_make_uint(s->ctx, id);
}

static lv map_lookup(struct wsession *s, struct ws_map *m, lv key, const char *who, bool raw)
{
	const struct wl_map *map = m->map;
	uint8_t *k = ws_scratch(s, 0, wl_map_key_size(map));
	ws_encode(s, key, k, wl_map_key_size(map), who, "key");
	uint8_t *v = ws_scratch(s, 1, wl_map_value_buf_size(map));
	lv out = LISP_NIL;
	int r = wl_map_lookup(map, k, v, 0);
	if (r == 0 && !raw && prog_array(m))
		out = prog_in_slot(s, (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
					      (uint32_t)v[3] << 24);
	else if (r == 0)
		out = raw ? lisp_make_bytes(s->ctx, v, wl_map_value_buf_size(map))
			  : decode_value(s, map, v);
	if (r < 0 && r != -ENOENT)
		lisp_error(s->ctx, "%s: map '%s': lookup failed: %s", who, m->name, strerror(-r));
	return out;
}

static lv sf_map_ref(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wsession *s = data;
	lv args = lisp_cdr(form);
	if (!lisp_consp(args) || lisp_list_length(args) > 2)
		lisp_error_at(ctx, form, "bpf:map-ref: expected (bpf:map-ref MAP [KEY])");
	struct ws_map *m = ws_map_arg(s, designator(s, lisp_car(args), env, true), "bpf:map-ref");
	if (!lisp_consp(lisp_cdr(args)))
		return ws_map_handle(s, m);
	lv key = lisp_eval_in(ctx, lisp_cadr(args), env);
	return map_lookup(s, m, key, "bpf:map-ref", false);
}

static lv sf_map_designator(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wsession *s = data;
	return ws_map_handle(
		s, ws_map_arg(s, designator(s, lisp_cadr(form), env, true), "bpf:map-ref"));
}

static int update(struct wsession *s, struct ws_map *m, lv key, lv value, uint64_t flags,
		  const char *who)
{
	/* a program array takes programs: handles or names */
	if (prog_array(m) && (lisp_foreignp(value, "bpf-prog") || lisp_stringp(value) ||
			      (lisp_symbolp(value) && value != LISP_NIL)))
		value = lisp_make_int(s->ctx, wl_program_fd(prog_arg(s, value, who)->p));
	const struct wl_map *map = m->map;
	size_t vs = wl_map_value_size(map), total = wl_map_value_buf_size(map);
	uint8_t *k = ws_scratch(s, 0, wl_map_key_size(map));
	ws_encode(s, key, k, wl_map_key_size(map), who, "key");
	/* a per-CPU value given once goes to the first CPU (sums stay right) */
	long given = lisp_integerp(value) ? -1 : lisp_bytes_copy(value, NULL, 0);
	uint8_t *v = ws_scratch(s, 1, total);
	ws_encode(s, value, v, given > (long)vs ? total : vs, who, "value");
	return wl_map_update(map, k, v, flags);
}

static lv b_map_set(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	struct ws_map *m = ws_map_arg(s, argv[0], "bpf:map-ref");
	int r;
	uint32_t type = wl_map_type(m->map);
	bool array = type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
	if (argv[2] == LISP_NIL && array) { /* array slots cannot go: they become 0 */
		r = update(s, m, argv[1], lisp_fixnum(0), BPF_ANY, "bpf:map-ref");
	} else if (argv[2] == LISP_NIL) {
		uint8_t *k = ws_scratch(s, 0, wl_map_key_size(m->map));
		ws_encode(s, argv[1], k, wl_map_key_size(m->map), "bpf:map-ref", "key");
		r = wl_map_delete(m->map, k);
		if (r == -ENOENT)
			r = 0;
	} else {
		r = update(s, m, argv[1], argv[2], BPF_ANY, "bpf:map-ref");
	}
	if (r < 0)
		lisp_error(ctx, "bpf:map-ref: map '%s': %s failed: %s", m->name,
			   argv[2] == LISP_NIL ? "delete" : "update", strerror(-r));
	return argv[2];
}

static lv b_map_lookup(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	return map_lookup(s, ws_map_arg(s, argv[0], "map-lookup"), argv[1], "map-lookup", true);
}

static lv b_map_update(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	struct ws_map *m = ws_map_arg(s, argv[0], "map-update");
	uint64_t flags = argc > 3 ? lisp_int_low64(argv[3]) : BPF_ANY;
	if (argc > 3 && !lisp_integerp(argv[3]))
		lisp_type_error(ctx, argv[3], "integer");
	int r = update(s, m, argv[1], argv[2], flags, "map-update");
	if (r < 0)
		lisp_error(ctx, "map-update: map '%s': %s", m->name, strerror(-r));
	return lisp_t(ctx);
}

static lv b_map_delete(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	struct ws_map *m = ws_map_arg(s, argv[0], "map-delete");
	uint8_t *k = ws_scratch(s, 0, wl_map_key_size(m->map));
	ws_encode(s, argv[1], k, wl_map_key_size(m->map), "map-delete", "key");
	int r = wl_map_delete(m->map, k);
	if (r < 0 && r != -ENOENT)
		lisp_error(ctx, "map-delete: map '%s': %s", m->name, strerror(-r));
	return lisp_bool(ctx, r == 0);
}

/* The key after `key` (NIL: the first), or NIL at the end. */
static lv next_key(struct wsession *s, struct ws_map *m, lv key, const char *who)
{
	size_t ks = wl_map_key_size(m->map);
	uint8_t *k = ws_scratch(s, 0, ks);
	if (key != LISP_NIL)
		ws_encode(s, key, k, ks, who, "key");
	uint8_t *next = ws_scratch(s, 2, ks);
	int r = wl_map_next_key(m->map, key == LISP_NIL ? NULL : k, next);
	lv out = r == 0 ? lisp_make_bytes(s->ctx, next, ks) : LISP_NIL;
	if (r < 0 && r != -ENOENT)
		lisp_error(s->ctx, "%s: map '%s': %s", who, m->name, strerror(-r));
	return out;
}

static lv b_map_next_key(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	return next_key(s, ws_map_arg(s, argv[0], "map-get-next-key"),
			argc > 1 ? argv[1] : LISP_NIL, "map-get-next-key");
}

/* (map-entries MAP): ((key-bytes . value-bytes) ...); (map-keys MAP). */
static lv walk(struct lisp_ctx *ctx, lv map, bool values, const char *who, void *data)
{
	struct wsession *s = data;
	struct ws_map *m = ws_map_arg(s, map, who);
	lv out = LISP_NIL, key = LISP_NIL;
	/* a hash walk restarts when the current key is deleted meanwhile: bound it */
	for (uint64_t n = 0; n <= (uint64_t)wl_map_max_entries(m->map) * 2; n++) {
		lisp_tick(ctx);
		key = next_key(s, m, key, who);
		if (key == LISP_NIL)
			break;
		if (!values) {
			out = lisp_cons(ctx, key, out);
			continue;
		}
		lv v = map_lookup(s, m, key, who, true);
		if (v != LISP_NIL)
			out = lisp_cons(ctx, lisp_cons(ctx, key, v), out);
	}
	return lisp_nreverse(out);
}

static lv b_map_entries(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return walk(ctx, argv[0], true, "map-entries", data);
}

static lv b_map_keys(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return walk(ctx, argv[0], false, "map-keys", data);
}

/* (decode-int-value BYTES [SIGNED]): little-endian, any length. */
static lv b_decode_int(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	long n = lisp_bytes_copy(argv[0], NULL, 0);
	if (n < 0)
		lisp_type_error(ctx, argv[0], "(vector (unsigned-byte 8))");
	uint8_t *b = ws_scratch(data, 2, (size_t)n);
	lisp_bytes_copy(argv[0], b, (size_t)n);
	bool sign = argc > 1 && argv[1] != LISP_NIL && n > 0 && (b[n - 1] & 0x80);
	lv out;
	if (n <= 8) {
		uint64_t x = 0;
		for (long i = 0; i < n; i++)
			x |= (uint64_t)b[i] << (8 * i);
		if (sign && n < 8)
			x |= ~0ull << (8 * n);
		out = sign ? lisp_make_int(ctx, (int64_t)x) : lisp_make_uint(ctx, x);
	} else {
		lv ash = lisp_symbol_function(ctx, lisp_intern(ctx, "ash"));
		lv ior = lisp_symbol_function(ctx, lisp_intern(ctx, "logior"));
		out = lisp_fixnum(0);
		for (long i = n - 1; i >= 0; i--)
			out = lisp_call2(ctx, ior, lisp_call2(ctx, ash, out, lisp_fixnum(8)),
					 lisp_fixnum(b[i]));
		if (sign) {
			lv one = lisp_call2(ctx, ash, lisp_fixnum(1), lisp_fixnum(8 * n));
			lv minus = lisp_symbol_function(ctx, lisp_intern(ctx, "-"));
			out = lisp_call2(ctx, minus, out, one);
		}
	}
	return out;
}

/* (encode-int-key VALUE SIZE): SIZE little-endian bytes. */
static lv b_encode_int(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	int64_t size;
	if (!lisp_int_to_i64(argv[1], &size) || size < 0 || size > 4096)
		lisp_type_error(ctx, argv[1], "(integer 0 4096)");
	if (!lisp_integerp(argv[0]))
		lisp_type_error(ctx, argv[0], "integer");
	uint8_t *b = ws_scratch(data, 1, (size_t)size);
	ws_encode(data, argv[0], b, (size_t)size, "encode-int-key", "value");
	return lisp_make_bytes(ctx, b, (size_t)size);
}

/* ---- the session object ------------------------------------------------------------ */

static lv b_session_maps(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	ws_sync_in(s, "bpf-session-maps");
	lv out = LISP_NIL;
	vec_foreach (&s->maps, m)
		if (!(*m)->internal && (*m)->map)
			out = lisp_cons(ctx,
					lisp_cons(ctx, lisp_make_cstring(ctx, (*m)->name),
						  ws_map_handle(s, *m)),
					out);
	return lisp_nreverse(out);
}

static lv b_session_progs(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	ws_sync_in(s, "bpf-session-progs");
	lv out = LISP_NIL;
	vec_foreach (&s->progs, p)
		if ((*p)->p)
			out = lisp_cons(ctx,
					lisp_cons(ctx, lisp_make_cstring(ctx, (*p)->name),
						  ws_prog_handle(s, *p)),
					out);
	return lisp_nreverse(out);
}

static lv b_session_map(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	char *name = name_of(s, argv[0]);
	if (!name)
		lisp_type_error(ctx, argv[0], "(or symbol string)");
	struct ws_map *m = ws_find_map(s, name);
	free(name);
	if (!m || m->internal)
		return LISP_NIL;
	return ws_map_handle(s, ws_map_arg(s, ws_map_handle(s, m), "bpf-session-map"));
}

static lv b_session_prog(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	char *name = name_of(s, argv[0]);
	if (!name)
		lisp_type_error(ctx, argv[0], "(or symbol string)");
	struct ws_prog *p = ws_find_prog(s, name);
	free(name);
	if (!p)
		return LISP_NIL;
	return ws_prog_handle(s, prog_arg(s, ws_prog_handle(s, p), "bpf-session-prog"));
}

static lv b_getpid(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return lisp_make_int(ctx, getpid());
}

static lv b_getppid(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return lisp_make_int(ctx, getppid());
}

static const struct {
	const char *name;
	lisp_special_fn fn;
} specials[] = {
	{ "with-bpf-session", sf_with_session },
	{ "bpf:attach", sf_attach },
	{ "bpf:detach", sf_detach },
	{ "bpf:map-ref", sf_map_ref },
	{ "bpf::%map", sf_map_designator },
};

static const struct {
	const char *name;
	int min, max;
	lisp_builtin_fn fn;
} builtins[] = {
	{ "bpf::%end-session", 0, 0, b_end_session },
	{ "bpf:attachments", 0, 0, b_attachments },
	{ "bpf:load", 0, 0, b_load },
	{ "bpf:map-set", 3, 3, b_map_set },
	{ "map-lookup", 2, 2, b_map_lookup },
	{ "map-update", 3, 4, b_map_update },
	{ "map-delete", 2, 2, b_map_delete },
	{ "map-get-next-key", 1, 2, b_map_next_key },
	{ "map-entries", 1, 1, b_map_entries },
	{ "map-keys", 1, 1, b_map_keys },
	{ "decode-int-value", 1, 2, b_decode_int },
	{ "encode-int-key", 2, 2, b_encode_int },
	{ "bpf-session-maps", 0, 1, b_session_maps },
	{ "bpf-session-progs", 0, 1, b_session_progs },
	{ "bpf-session-map", 1, 2, b_session_map },
	{ "bpf-session-prog", 1, 2, b_session_prog },
};

void ws_runtime_register(struct wsession *s)
{
	struct lisp_ctx *ctx = s->ctx;
	for (size_t i = 0; i < ARRAY_LEN(specials); i++)
		lisp_defspecial(ctx, specials[i].name, specials[i].fn, s);
	for (size_t i = 0; i < ARRAY_LEN(builtins); i++)
		lisp_defbuiltin(ctx, builtins[i].name, builtins[i].min, builtins[i].max,
				builtins[i].fn, s);
	lisp_defbuiltin(ctx, "sb-posix:getpid", 0, 0, b_getpid, NULL);
	lisp_defbuiltin(ctx, "sb-posix:getppid", 0, 0, b_getppid, NULL);
	if (lisp_load_string(ctx, "<session prelude>", session_prelude, NULL, NULL))
		W_ICE("the session prelude does not load");
	s->handle = lisp_make_foreign(ctx, "bpf-session", s, NULL, LISP_NIL);
	lisp_set_symbol_value(ctx, lisp_intern(ctx, "*bpf-session*"), s->handle);
}
