/* Maps in the DSL: map-lookup/update/delete (keys and values spilled to the
 * stack), getmap/setmap/remmap, (incf (getmap ...)) as an atomic add or an
 * add-or-insert, tail calls, perf-event-output, and the packet parsers
 * (parse-eth/ipv4/ipv6/tcp/udp) that guard a pointer. */
#include "frontend/lisp/dsl_internal.h"

#include <string.h>

static const char *map_type_name(const struct dsl_map *m)
{
	static char buf[IR_NMAPTYPES][32];
	char *b = buf[m->type];
	snprintf(b, 32, ":%s", ir_maptypes[m->type].name);
	for (char *p = b; *p; p++)
		if (*p == '_')
			*p = '-';
	return b;
}

enum map_use { USE_LOOKUP, USE_UPDATE, USE_DELETE, USE_INCF };

/* Kinds of maps each generic operation works on; others are errors naming
 * the right tool. */
static bool map_kind_ok(struct fb *fb, const struct dsl_map *m, enum map_use use, const char *op,
			struct srcloc loc)
{
	const char *hint = NULL;
	switch (m->type) {
	case IR_MAP_ringbuf:
	case IR_MAP_user_ringbuf:
		hint = "ring buffers take ringbuf-reserve/ringbuf-submit, ringbuf-output or with-ringbuf";
		break;
	case IR_MAP_perf_event_array:
		hint = "perf event arrays take perf-event-output";
		break;
	case IR_MAP_prog_array:
		hint = "program arrays are used with tail-call";
		break;
	case IR_MAP_queue:
	case IR_MAP_stack:
	case IR_MAP_bloom_filter:
		hint = "queues, stacks and bloom filters take map-push-elem, map-pop-elem and map-peek-elem";
		break;
	case IR_MAP_task_storage:
	case IR_MAP_inode_storage:
	case IR_MAP_sk_storage:
	case IR_MAP_cgrp_storage:
		hint = "local storage maps take task-storage-get, sk-storage-get, inode-storage-get or cgrp-storage-get";
		break;
	case IR_MAP_stack_trace:
		hint = "stack trace maps are filled with get-stackid and read from userspace";
		break;
	case IR_MAP_array_of_maps:
	case IR_MAP_hash_of_maps:
		if (use == USE_LOOKUP)
			return true;
		hint = "a map of maps is changed from userspace; BPF code can only look inner maps up";
		break;
	case IR_MAP_array:
	case IR_MAP_percpu_array:
		if (use != USE_DELETE)
			return true;
		hint = "array elements always exist: set them to 0 instead";
		break;
	case IR_MAP_sockmap:
	case IR_MAP_sockhash:
	case IR_MAP_devmap:
	case IR_MAP_devmap_hash:
	case IR_MAP_cpumap:
	case IR_MAP_xskmap:
	case IR_MAP_cgroup_array:
		if (use == USE_LOOKUP ||
		    (use != USE_INCF && m->type != IR_MAP_cgroup_array && m->type != IR_MAP_xskmap))
			return true;
		hint = "this map holds kernel objects, not counters";
		break;
	default:
		return true;
	}
	fb_error(fb, loc, "%s cannot be used on map '%s', a %s map", op, m->name, map_type_name(m));
	dsl_hint(fb->d, "%s", hint);
	return false;
}

static ir_ref helper_ref(const char *name)
{
	const struct ir_helper *h = ir_helper_by_name(name, strlen(name));
	W_ASSERT(h);
	return IR_REF(REF_HLP, h->id);
}

static bool key_by_pointer(const struct dsl_map *m)
{
	return m->key_sid || m->key_size > 8 || (m->key_size & (m->key_size - 1));
}

static bool value_by_pointer(const struct dsl_map *m)
{
	return m->value_sid || m->value_size > 8 || (m->value_size & (m->value_size - 1));
}

/* A key (or value) operand: pointers pass, integers go to a stack slot. */
static struct dval key_arg(struct fb *fb, const struct dsl_map *m, struct dval k, bool ptr_form,
			   bool value, struct srcloc loc)
{
	if (k.poison)
		return k;
	uint32_t size = value ? m->value_size : m->key_size;
	bool by_ptr = ptr_form || (value ? value_by_pointer(m) : key_by_pointer(m));
	if (dv_is_ptr(k))
		return k;
	if (by_ptr) {
		fb_error(fb, loc, "map '%s' has %u-byte %ss: pass a pointer to one, not %s",
			 m->name, size, value ? "value" : "key",
			 k.is_const ? "a constant" : "an integer");
		dsl_hint(fb->d, "build it with (make-STRUCT) and pass that pointer");
		return dv_poison();
	}
	return mem_spill(fb, k, size, !value, loc);
}

static struct dval do_lookup(struct fb *fb, struct dval mref, const struct dsl_map *m,
			     struct dval key)
{
	if (key.poison || mref.poison)
		return dv_poison();
	ir_ref args[3] = { helper_ref("map_lookup_elem"), mref.ref, key.ref };
	ir_ref r = fb_emit(fb, IR_CALL, VT_PTR(MAPVAL_NULL), args, 3);
	return dv_tmp(r, dt_ptr(RG_MAPVAL_NULL, m->value_sid));
}

static struct dval do_update(struct fb *fb, struct dval mref, struct dval key, struct dval val,
			     struct dval flags)
{
	if (key.poison || val.poison || flags.poison || mref.poison)
		return dv_poison();
	ir_ref args[5] = { helper_ref("map_update_elem"), mref.ref, key.ref, val.ref,
			   dv_op(fb, flags, IR_I64) };
	return dv_tmp(fb_emit(fb, IR_CALL, VT_I64, args, 5), DT_U64);
}

struct dval dsl_p_map_op(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_map_op(struct fb *fb, lv form, struct srcloc loc, int want)
{
	const char *name = lisp_symbol_name(lisp_car(form));
	const char *op = dsl_lisp_name(fb->d, lisp_car(form));
	bool ptr_form = strstr(name, "-PTR") != NULL;
	enum map_use use = strstr(name, "LOOKUP")   ? USE_LOOKUP
			   : strstr(name, "UPDATE") ? USE_UPDATE
						    : USE_DELETE;
	size_t n = form_len(form) - 1;
	if ((use != USE_UPDATE && n != 2) || (use == USE_UPDATE && n != 3 && n != 4))
		return fb_error(fb, loc,
				use == USE_UPDATE
					? "%s takes a map, a key, a value and optional flags"
					: "%s takes a map and a key",
				op);
	struct dsl_map *m;
	struct dval mref = maps_ref(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), &m);
	if (mref.poison)
		return mref;
	if (!map_kind_ok(fb, m, use, op, loc))
		return dv_poison();
	struct dval k = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	struct dval v = dv_const(0), flags = dv_const(0);
	if (use == USE_UPDATE) {
		v = lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE);
		if (n == 4)
			flags = lower(fb, form_nth(form, 4), form_nth_loc(fb, form, 4, loc),
				      WANT_VALUE);
	}
	if (fb->cur == FB_NONE)
		return dv_poison();
	struct dval key = key_arg(fb, m, k, ptr_form, false, form_nth_loc(fb, form, 2, loc));
	switch (use) {
	case USE_LOOKUP:
		return do_lookup(fb, mref, m, key);
	case USE_UPDATE: {
		struct dval val = key_arg(fb, m, v, ptr_form, true, form_nth_loc(fb, form, 3, loc));
		return do_update(fb, mref, key, val, flags);
	}
	default: {
		if (key.poison)
			return key;
		ir_ref args[3] = { helper_ref("map_delete_elem"), mref.ref, key.ref };
		return dv_tmp(fb_emit(fb, IR_CALL, VT_I64, args, 3), DT_U64);
	}
	}
}

/* (getmap m k): the value (0 when absent), or a pointer for struct values. */
struct dval dsl_p_getmap(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_getmap(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 3)
		return fb_error(fb, loc, "getmap takes a map and a key");
	struct dsl_map *m;
	struct dval mref = maps_ref(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), &m);
	if (mref.poison)
		return mref;
	if (!map_kind_ok(fb, m, USE_LOOKUP, "getmap", loc))
		return dv_poison();
	struct dval k = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	struct dval p = do_lookup(fb, mref, m,
				  key_arg(fb, m, k, false, false, form_nth_loc(fb, form, 2, loc)));
	if (p.poison || value_by_pointer(m))
		return p;
	struct dtype t = dt_int(m->value_size, false);
	uint32_t hit = fb_block(fb, "hit"), miss = fb_block(fb, "miss"), join = fb_block(fb, "got");
	uint32_t var = fb_var_new(fb, LISP_NIL, t);
	fb->scope.len--;
	fb_br(fb, IR_CHKNULL, p.ref, IR_NOREF, hit, miss);
	fb_seal(fb, hit);
	fb_seal(fb, miss);
	fb->cur = hit;
	p.t.region = RG_MAPVAL;
	fb_var_write(fb, var, mem_load(fb, t, p, 0, loc));
	fb_jmp(fb, join);
	fb->cur = miss;
	struct dval zero = dv_const(0);
	zero.t = t;
	fb_var_write(fb, var, zero);
	fb_jmp(fb, join);
	fb_seal(fb, join);
	fb->cur = join;
	return fb_var_read(fb, var);
}

struct dval maps_setmap(struct fb *fb, lv mapform, lv keyform, struct srcloc loc, struct dval v,
			int64_t flags)
{
	struct dsl_map *m;
	struct dval mref = maps_ref(fb, mapform, loc, &m);
	if (mref.poison || v.poison)
		return dv_poison();
	if (!map_kind_ok(fb, m, USE_UPDATE, "(setf (getmap ...))", loc))
		return dv_poison();
	struct dval k = lower(fb, keyform, loc, WANT_VALUE);
	if (fb->cur == FB_NONE)
		return dv_poison();
	struct dval key = key_arg(fb, m, k, false, false, loc);
	struct dval val = key_arg(fb, m, v, false, true, loc);
	do_update(fb, mref, key, val, dv_const(flags));
	return v;
}

struct dval dsl_p_setmap(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_setmap(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form);
	if (n != 4 && n != 5)
		return fb_error(fb, loc, "setmap takes a map, a key, a value and optional flags");
	struct dval v = lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE);
	int64_t flags = 0;
	if (n == 5) {
		struct dval f =
			lower(fb, form_nth(form, 4), form_nth_loc(fb, form, 4, loc), WANT_VALUE);
		if (!f.is_const)
			return f.poison
				       ? f
				       : fb_error(
						 fb, loc,
						 "setmap flags must be a constant (BPF_ANY, BPF_NOEXIST, BPF_EXIST)");
		flags = f.cval;
	}
	return maps_setmap(fb, lisp_cadr(form), lisp_caddr(form), form_nth_loc(fb, form, 2, loc), v,
			   flags);
}

/* (incf (getmap m k) [delta]) */
struct dval maps_incf(struct fb *fb, lv place, struct srcloc loc, lv delta, bool dec)
{
	if (form_len(place) != 3)
		return fb_error(fb, loc, "getmap takes a map and a key");
	struct dsl_map *m;
	struct dval mref = maps_ref(fb, lisp_cadr(place), form_nth_loc(fb, place, 1, loc), &m);
	if (mref.poison)
		return mref;
	const char *op = dec ? "(decf (getmap ...))" : "(incf (getmap ...))";
	if (!map_kind_ok(fb, m, USE_INCF, op, loc))
		return dv_poison();
	bool array = m->type == IR_MAP_array || m->type == IR_MAP_percpu_array;
	bool hash = m->type == IR_MAP_hash || m->type == IR_MAP_lru_hash ||
		    m->type == IR_MAP_percpu_hash || m->type == IR_MAP_lru_percpu_hash ||
		    m->type == IR_MAP_lpm_trie;
	if (!array && !hash) {
		fb_error(fb, loc, "%s works on arrays and hashes, not on map '%s' (a %s map)", op,
			 m->name, map_type_name(m));
		return dv_poison();
	}
	if (value_by_pointer(m)) {
		fb_error(fb, loc, "%s on map '%s', whose values are %u-byte %s", op, m->name,
			 m->value_size, m->value_sid ? "structs" : "buffers");
		dsl_hint(
			fb->d,
			"look the value up and change a field: (when-let ((v (map-lookup m k))) (incf (NAME-FIELD v)))");
		return dv_poison();
	}
	struct dval k = lower(fb, lisp_caddr(place), form_nth_loc(fb, place, 2, loc), WANT_VALUE);
	struct dval d = delta ? lower(fb, delta, loc, WANT_VALUE) : dv_const(1);
	if (fb->cur == FB_NONE || k.poison || d.poison)
		return dv_poison();
	if (dv_is_ptr(d))
		return fb_error(fb, loc, "%s by a pointer", op);
	if (dec)
		d = lower_binop(fb, IR_SUB, dv_const(0), d, loc);
	struct dval key = key_arg(fb, m, k, false, false, form_nth_loc(fb, place, 2, loc));
	struct dval p = do_lookup(fb, mref, m, key);
	if (p.poison)
		return p;
	uint32_t hit = fb_block(fb, "hit"), miss = fb_block(fb, "miss"),
		 join = fb_block(fb, "counted");
	fb_br(fb, IR_CHKNULL, p.ref, IR_NOREF, hit, miss);
	fb_seal(fb, hit);
	fb_seal(fb, miss);
	fb->cur = hit;
	p.t.region = RG_MAPVAL;
	unsigned vs = m->value_size;
	if (vs == 4 || vs == 8) {
		unsigned cls = vs == 8 ? IR_I64 : IR_I32;
		ir_ref args[3] = { p.ref, fb_con(fb, 0), dv_op(fb, d, cls) };
		fb_emit0(fb, vs == 8 ? IR_ATOMIC_ADD_U64 : IR_ATOMIC_ADD_U32, args, 3);
	} else {
		struct dval cur = mem_load(fb, dt_int(vs, false), p, 0, loc);
		mem_store(fb, vs, p, 0, lower_binop(fb, IR_ADD, cur, d, loc), loc);
	}
	fb_jmp(fb, join);
	fb->cur = miss;
	if (hash) {
		struct dval val = mem_spill(fb, d, vs, false, loc);
		do_update(fb, mref, key, val, dv_const(1 /* BPF_NOEXIST */));
	}
	fb_jmp(fb, join);
	fb_seal(fb, join);
	fb->cur = join;
	return dv_const(0);
}

/* ---- tail calls and perf output ---------------------------------------------------------- */

struct dval dsl_p_tail_call(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_tail_call(struct fb *fb, lv form, struct srcloc loc, int want)
{
	if (form_len(form) != 3)
		return fb_error(fb, loc,
				"tail-call takes a program array and an index: (tail-call jt 3)");
	struct dsl_map *m;
	struct dval mref = maps_ref(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), &m);
	if (mref.poison)
		return mref;
	if (m->type != IR_MAP_prog_array) {
		fb_error(fb, form_nth_loc(fb, form, 1, loc),
			 "tail-call needs a :prog-array map; '%s' is a %s map", m->name,
			 map_type_name(m));
		dsl_hint(fb->d,
			 "(defmap %s :type :prog-array :key-size 4 :value-size 4 :max-entries N)",
			 m->name);
		return dv_poison();
	}
	if (!fb->ptype || fb->outer)
		return fb_error(
			fb, loc,
			"tail-call needs the program's context: only a program body can make one");
	struct dval i = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	if (i.poison)
		return i;
	if (dv_is_ptr(i))
		return fb_error(fb, loc, "a tail-call index is an integer, not a pointer");
	ir_ref args[3] = { fb->ctx, mref.ref, i.is_const ? fb_con(fb, i.cval) : i.ref };
	fb_emit0(fb, IR_TAILCALL, args, 3);
	return dv_const(0);
}

/* (perf-event-output MAP DATA SIZE [FLAGS]): the context and the current CPU
 * are implied; with five arguments it is the plain helper. */
struct dval dsl_p_perf_output(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_perf_output(struct fb *fb, lv form, struct srcloc loc, int want)
{
	size_t n = form_len(form) - 1;
	if (n == 5) {
		const struct ir_helper *h = ir_helper_by_name("perf_event_output", 17);
		return lower_call_helper(fb, h, form, loc, lisp_cdr(form), want);
	}
	if (n != 3 && n != 4)
		return fb_error(
			fb, loc,
			"perf-event-output takes a map, a pointer, a size and optional flags");
	struct dsl_map *m;
	struct dval mref = maps_ref(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), &m);
	if (mref.poison)
		return mref;
	if (m->type != IR_MAP_perf_event_array) {
		fb_error(fb, form_nth_loc(fb, form, 1, loc),
			 "perf-event-output needs a :perf-event-array map; '%s' is a %s map",
			 m->name, map_type_name(m));
		return dv_poison();
	}
	if (!fb->ptype || fb->outer)
		return fb_error(fb, loc, "perf-event-output needs the program's context");
	struct dval data = lower(fb, form_nth(form, 2), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	struct dval size = lower(fb, form_nth(form, 3), form_nth_loc(fb, form, 3, loc), WANT_VALUE);
	struct dval flags =
		n == 4 ? lower(fb, form_nth(form, 4), form_nth_loc(fb, form, 4, loc), WANT_VALUE)
		       : dv_const(0xffffffffLL);
	if (data.poison || size.poison || flags.poison)
		return dv_poison();
	if (!dv_is_ptr(data))
		return fb_error(fb, form_nth_loc(fb, form, 2, loc),
				"perf-event-output sends memory: pass a pointer");
	ir_ref args[6] = { helper_ref("perf_event_output"), fb->ctx,  mref.ref,
			   dv_op(fb, flags, IR_I64),	    data.ref, dv_op(fb, size, IR_I64) };
	return dv_tmp(fb_emit(fb, IR_CALL, VT_I64, args, 6), DT_U64);
}

/* ---- packet parsers ---------------------------------------------------------------------- */

struct dval dsl_p_parse_guarded(struct fb *fb, lv form, struct srcloc loc, uint32_t *fail);
struct dval dsl_p_parse_guarded(struct fb *fb, lv form, struct srcloc loc, uint32_t *fail)
{
	const char *n = lisp_symbol_name(lisp_car(form)) + 6;
	if (form_len(form) != 3)
		return fb_error(fb, loc, "%s takes data and data-end",
				dsl_lisp_name(fb->d, lisp_car(form)));
	struct dval d = lower(fb, lisp_cadr(form), form_nth_loc(fb, form, 1, loc), WANT_VALUE);
	struct dval e = lower(fb, lisp_caddr(form), form_nth_loc(fb, form, 2, loc), WANT_VALUE);
	if (d.poison || e.poison)
		return dv_poison();
	if (!dv_is_ptr(d) || (d.t.region != RG_PKT && d.t.region != RG_PKT_META) || !dv_is_ptr(e) ||
	    e.t.region != RG_PKT_END)
		return fb_error(fb, loc, "%s takes the packet's data and data-end pointers",
				dsl_lisp_name(fb->d, lisp_car(form)));
	bool v6 = !strcmp(n, "IPV6");
	int64_t need = !strcmp(n, "ETH")    ? 14
		       : v6		    ? 54
		       : !strcmp(n, "IPV4") ? 34
		       : !strcmp(n, "TCP")  ? 54
					    : 42;
	if (*fail == FB_NONE)
		*fail = fb_block(fb, "nopkt");
	ir_ref base = d.pbase ? d.pbase : d.ref;
	int64_t boff = d.pbase ? d.poff : 0;
	uint32_t ok = fb_block(fb, "pkt");
	ir_ref cargs[3] = { base, fb_con(fb, boff + need), e.ref };
	fb_term(fb, IR_CHKPKT, cargs, 3, ok, *fail);
	fb_seal(fb, ok);
	fb->cur = ok;
	if (!strcmp(n, "ETH"))
		return d;
	ir_ref la[2] = { d.ref, fb_con(fb, 12) };
	ir_ref et = fb_emit(fb, IR_LOAD_U16, VT_I32, la, 2);
	uint32_t next = fb_block(fb, "ip");
	fb_br(fb, IR_BR_NE, et, fb_con(fb, v6 ? 0xdd86 : 0x0008), *fail, next);
	fb_seal(fb, next);
	fb->cur = next;
	struct dval ip = lower_binop(fb, IR_ADD, d, dv_const(14), loc);
	if (!strcmp(n, "IPV4") || v6)
		return ip;
	ir_ref pa[2] = { d.ref, fb_con(fb, 23) };
	ir_ref proto = fb_emit(fb, IR_LOAD_U8, VT_I32, pa, 2);
	uint32_t l4 = fb_block(fb, "l4");
	fb_br(fb, IR_BR_NE, proto, fb_con(fb, !strcmp(n, "TCP") ? 6 : 17), *fail, l4);
	fb_seal(fb, l4);
	fb->cur = l4;
	return lower_binop(fb, IR_ADD, d, dv_const(34), loc);
}

struct dval dsl_p_parse(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_parse(struct fb *fb, lv form, struct srcloc loc, int want)
{
	fb_error(fb, loc, "%s gives a pointer or nothing: bind it with when-let or if-let",
		 dsl_lisp_name(fb->d, lisp_car(form)));
	dsl_hint(fb->d, "(when-let ((ip (%s data data-end))) ...)",
		 dsl_lisp_name(fb->d, lisp_car(form)));
	return dv_poison();
}

/* (ld-btf-id STRUCT): the kernel's BTF id of an imported struct. */
struct dval dsl_p_btf_id(struct fb *fb, lv form, struct srcloc loc, int want);
struct dval dsl_p_btf_id(struct fb *fb, lv form, struct srcloc loc, int want)
{
	lv s = lisp_cadr(form);
	int32_t sid = lisp_symbolp(s) ? dsl_struct_find(fb->d, dsl_lisp_name(fb->d, s)) : -1;
	if (form_len(form) != 2 || sid < 0 || fb->d->structs.data[sid].kind != DSL_KERNEL)
		return fb_error(fb, loc,
				"ld-btf-id takes a struct imported with import-kernel-struct");
	uint32_t ty = dsl_struct_irtype(fb->d, (uint32_t)sid);
	ir_ref args[2] = { IR_REF(REF_TYP, ty), IR_REF(REF_STR, ir_str(fb->d->m, "0")) };
	return dv_tmp(fb_emit(fb, IR_CORE_TYPE_ID_TARGET, VT_I64, args, 2), DT_U64);
}
