/* defglobal variables from userspace Lisp: (bpf:global-ref NAME), its setf,
 * and NAME itself (a symbol macro) read and write them in the mmap-ed
 * global-data maps.  A value set before the load becomes the variable's
 * initial contents (how `.rodata` settings are made); after the load `.bss`
 * and `.data` are written in place and `.rodata` is frozen. */
#include "session/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct ws_global {
	char *lname, *cname;
	lv sym, type;  /* the defglobal's name and type forms */
	char *section; /* ".bss", ".data", ".rodata"; NULL until an object was opened */
	uint32_t off, size;
	uint8_t *init;	 /* its initial value in the object */
	uint8_t *preset; /* set before the load: the initial value from then on */
};

/* (setf (bpf:global-ref NAME) V) passes NAME unevaluated, like the getter. */
static const char globals_prelude[] =
	"(define-setf-expander bpf:global-ref (name)\n"
	"  (let ((v (gensym \"VALUE\")))\n"
	"    (values nil nil (list v) (list 'bpf::%global-set (list 'quote name) v)\n"
	"            (list 'bpf:global-ref name))))\n";

static struct ws_global *find_global(struct wsession *s, const char *cname)
{
	vec_foreach (&s->globals, g)
		if (!strcmp((*g)->cname, cname))
			return *g;
	return NULL;
}

static void forget_layout(struct ws_global *g)
{
	free(g->section);
	g->section = NULL;
	free(g->init);
	g->init = NULL;
	free(g->preset);
	g->preset = NULL;
}

void ws_global_defined(struct wsession *s, lv form)
{
	struct lisp_ctx *ctx = s->ctx;
	lv name = lisp_cadr(form);
	char *cname = ws_c_name(lisp_symbol_name(name));
	struct ws_global *g = find_global(s, cname);
	if (g) {
		free(cname);
		forget_layout(g); /* a new type or section: a new layout, no preset */
	} else {
		g = xcalloc(1, sizeof(*g));
		g->cname = cname;
		g->lname = xstrdup(lisp_symbol_name(name));
		for (char *c = g->lname; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		vec_push(&s->globals, g);
	}
	g->sym = name;
	g->type = lisp_caddr(form);
	/* NAME alone reads and sets it, unless NAME is a variable already */
	if (!lisp_symbol_value(ctx, name)) {
		lv ref = lisp_list(ctx, 2, lisp_intern(ctx, "bpf:global-ref"), name);
		lisp_eval_in(ctx,
			     lisp_list(ctx, 3, lisp_intern(ctx, "define-symbol-macro"), name, ref),
			     LISP_NIL);
	}
}

void ws_globals_layout(struct wsession *s, struct wl_object *obj, bool presets)
{
	vec_foreach (&s->globals, gp) {
		struct ws_global *g = *gp;
		size_t size = 0;
		uint8_t *at = wl_object_global(obj, g->cname, &size);
		free(g->section);
		g->section = NULL;
		free(g->init);
		g->init = NULL;
		for (size_t i = 0; at && i < wl_object_map_count(obj) && !g->section; i++) {
			struct wl_obj_map *om = wl_object_map(obj, i);
			size_t n = 0;
			uint8_t *init = wl_obj_map_initial_value(om, &n);
			if (!wl_obj_map_is_internal(om) || !init || at < init ||
			    at + size > init + n)
				continue;
			g->section = xstrdup(wl_obj_map_name(om));
			g->off = (uint32_t)(at - init);
			g->size = (uint32_t)size;
			g->init = xmalloc(size ? size : 1);
			memcpy(g->init, at, size);
		}
		if (!g->section || !presets || !g->preset)
			continue;
		struct ws_map *m = ws_find_map(s, g->section);
		if (!m || !m->map || m->redefined) /* a fresh map: the preset is its start */
			memcpy(at, g->preset, g->size);
	}
}

void ws_globals_mark(struct lisp_ctx *ctx, struct wsession *s)
{
	vec_foreach (&s->globals, g) {
		lisp_gc_mark(ctx, (*g)->sym);
		lisp_gc_mark(ctx, (*g)->type);
	}
}

void ws_globals_free(struct wsession *s)
{
	vec_foreach (&s->globals, g) {
		forget_layout(*g);
		free((*g)->cname);
		free((*g)->lname);
		free(*g);
	}
	vec_free(&s->globals);
}

/* ---- types ----------------------------------------------------------------------- */

/* u8..u64, i8..i64, s8..s64, char, bool: *size bytes, *sign. */
static bool scalar(lv t, size_t *size, bool *sign)
{
	if (!lisp_symbolp(t) || t == LISP_NIL)
		return false;
	const char *n = lisp_symbol_name(t);
	if (!strcmp(n, "CHAR") || !strcmp(n, "BOOL")) {
		*size = 1;
		*sign = false;
		return true;
	}
	if (!strchr("UIS", n[0]) || !isdigit((unsigned char)n[1]))
		return false;
	long bits = strtol(n + 1, NULL, 10);
	*size = (size_t)bits / 8;
	*sign = n[0] != 'U';
	return bits == 8 || bits == 16 || bits == 32 || bits == 64;
}

static lv decode_int(struct lisp_ctx *ctx, const uint8_t *p, size_t size, bool sign)
{
	uint64_t x = 0;
	for (size_t i = 0; i < size; i++)
		x |= (uint64_t)p[i] << (8 * i);
	if (sign && size < 8 && (x >> (8 * size - 1)) & 1)
		x |= ~0ull << (8 * size);
	return sign ? lisp_make_int(ctx, (int64_t)x) : lisp_make_uint(ctx, x);
}

/* (array T N): T's size and sign; false for other types. */
static bool array_of(lv t, size_t *esize, bool *sign)
{
	return lisp_consp(t) && lisp_symbolp(lisp_car(t)) &&
	       !strcmp(lisp_symbol_name(lisp_car(t)), "ARRAY") && scalar(lisp_cadr(t), esize, sign);
}

/* The variable's bytes as Lisp sees them: an integer, a vector of integers,
 * a defstruct record (decode-NAME), else a byte vector. */
static lv decode(struct wsession *s, struct ws_global *g, const uint8_t *p)
{
	struct lisp_ctx *ctx = s->ctx;
	size_t es;
	bool sign;
	if (scalar(g->type, &es, &sign) && es == g->size)
		return decode_int(ctx, p, es, sign);
	if (array_of(g->type, &es, &sign) && es > 1) {
		lv v = lisp_make_vector(ctx, g->size / es, lisp_fixnum(0));
		for (size_t i = 0; i < g->size / es; i++)
			lisp_vector_data(v)[i] = decode_int(ctx, p + i * es, es, sign);
		return v;
	}
	lv bytes = lisp_make_bytes(ctx, p, g->size);
	if (lisp_symbolp(g->type) && g->type != LISP_NIL) {
		char *fname = xasprintf("DECODE-%s", lisp_symbol_name(g->type));
		lv fn = lisp_symbol_function(ctx,
					     lisp_intern_exact(ctx, NULL, fname, strlen(fname)));
		free(fname);
		if (fn)
			return lisp_call1(ctx, fn, bytes);
	}
	return bytes;
}

/* v as the variable's bytes, into out (g->size bytes). */
static void encode(struct wsession *s, struct ws_global *g, lv v, uint8_t *out, const char *who)
{
	size_t es;
	bool sign;
	if (array_of(g->type, &es, &sign) && es > 1 && (lisp_consp(v) || lisp_is(v, LISP_VECTOR))) {
		lv coerce = lisp_symbol_function(s->ctx, lisp_intern(s->ctx, "coerce"));
		lv l = lisp_call2(s->ctx, coerce, v, lisp_intern(s->ctx, "list"));
		size_t n = lisp_list_length(l);
		if (n > g->size / es)
			lisp_error(s->ctx, "%s: global '%s' has %zu elements, not %zu", who,
				   g->lname, g->size / es, n);
		memset(out, 0, g->size);
		for (size_t i = 0; lisp_consp(l); l = lisp_cdr(l), i++) {
			if (!lisp_integerp(lisp_car(l)))
				lisp_type_error(s->ctx, lisp_car(l), "integer");
			ws_encode(s, lisp_car(l), out + i * es, es, who, "element");
		}
		return;
	}
	long n = lisp_bytes_copy(v, NULL, 0);
	if (n > (long)g->size)
		lisp_error(s->ctx, "%s: global '%s' has %u bytes, the value %ld", who, g->lname,
			   g->size, n);
	ws_encode(s, v, out, g->size, who, "value");
}

/* ---- the forms ------------------------------------------------------------------- */

static struct ws_global *global_arg(struct wsession *s, lv v, const char *who)
{
	if (lisp_consp(v) && lisp_car(v) == lisp_intern(s->ctx, "quote"))
		v = lisp_cadr(v);
	if (s->building)
		lisp_error(s->ctx, "%s: global variables are not there while the programs compile",
			   who);
	char *name = NULL;
	if (lisp_stringp(v))
		name = ws_c_name(lisp_string_data(v, NULL));
	else if (lisp_symbolp(v) && v != LISP_NIL)
		name = ws_c_name(lisp_symbol_name(v));
	else
		lisp_type_error(s->ctx, v, "(or symbol string)");
	struct ws_global *g = find_global(s, name);
	if (g) {
		free(name);
		return g;
	}
	struct buf b = { 0 };
	vec_foreach (&s->globals, gp)
		buf_printf(&b, "%s%s", b.len ? ", " : "", (*gp)->lname);
	char msg[2048];
	snprintf(msg, sizeof(msg), "%s: no global '%s' in the session (globals: %s)", who, name,
		 b.len ? buf_cstr(&b) : "none");
	free(name);
	buf_free(&b);
	lisp_error(s->ctx, "%s", msg);
}

/* The variable in its kernel map, or NULL when that map is not loaded. */
static uint8_t *in_kernel(struct wsession *s, struct ws_global *g, const char *who)
{
	struct ws_map *m = g->section ? ws_find_map(s, g->section) : NULL;
	if (!m || !m->map || m->redefined)
		return NULL;
	void *addr;
	size_t len;
	struct buf log = { 0 };
	ws_capture_log(&log);
	int r = wl_map_mmap(m->map, &addr, &len);
	ws_capture_log(NULL);
	if (r == 0 && (size_t)g->off + g->size <= len) {
		buf_free(&log);
		return (uint8_t *)addr + g->off;
	}
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", log.len ? buf_cstr(&log) : "it is smaller than its BTF");
	buf_free(&log);
	lisp_error(s->ctx, "%s: global '%s' in %s: %s", who, g->lname, g->section, msg);
}

static lv sf_global_ref(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wsession *s = data;
	if (!lisp_consp(lisp_cdr(form)) || lisp_consp(lisp_cddr(form)))
		lisp_error_at(ctx, form, "bpf:global-ref: expected (bpf:global-ref NAME)");
	const char *who = "bpf:global-ref";
	struct ws_global *g = global_arg(s, lisp_cadr(form), who);
	ws_sync_in(s, who);
	uint8_t *at = in_kernel(s, g, who);
	if (!at && !g->section) /* nothing loaded uses it (yet) */
		ws_layout_in(s, who);
	if (!at && !g->section)
		lisp_error(ctx, "%s: global '%s' is not in the compiled object", who, g->lname);
	uint8_t *copy = ws_scratch(s, 1, g->size);
	memcpy(copy, at ? at : g->preset ? g->preset : g->init, g->size);
	return decode(s, g, copy);
}

static lv b_global_set(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct wsession *s = data;
	const char *who = "(setf bpf:global-ref)";
	struct ws_global *g = global_arg(s, argv[0], who);
	if (!g->section)
		ws_layout_in(s, who);
	if (!g->section)
		lisp_error(ctx, "%s: global '%s' is not in the compiled object", who, g->lname);
	uint8_t *bytes = ws_scratch(s, 1, g->size);
	encode(s, g, argv[1], bytes, who);
	uint8_t *at = in_kernel(s, g, who);
	if (at && !strncmp(g->section, ".rodata", 7))
		lisp_error(ctx,
			   "%s: global '%s' is in .rodata, frozen since the programs were loaded: "
			   "set it before their first use, or give it its value in a new "
			   "(defglobal %s TYPE VALUE :section :rodata), which reloads them",
			   who, g->lname, g->lname);
	if (at) {
		memcpy(at, bytes, g->size);
	} else {
		if (!g->preset)
			g->preset = xmalloc(g->size);
		memcpy(g->preset, bytes, g->size);
	}
	return argv[1];
}

void ws_globals_register(struct wsession *s)
{
	lisp_defspecial(s->ctx, "bpf:global-ref", sf_global_ref, s);
	lisp_defbuiltin(s->ctx, "bpf::%global-set", 2, 2, b_global_set, s);
	if (lisp_load_string(s->ctx, "<session globals>", globals_prelude, NULL, NULL))
		W_ICE("the globals prelude does not load");
}
