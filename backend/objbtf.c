/* The object writer's BTF: types, function prototypes (context parameters
 * typed for the kernel), map definitions, FUNCs and VARs with their
 * DATASECs as clang emits them, and .BTF.ext func_info, line_info and CO-RE
 * relocations. */
#include "backend/objw.h"

#include <stdlib.h>
#include <string.h>

/* ---- BTF ---------------------------------------------------------------------------- */

/* The context struct the kernel expects, by name, as the type of a context
 * argument of each program type (include/linux/bpf_types.h); the others
 * take `void *` (tracing, LSM, ...) or no pointer at all (tracepoint). */
static const struct {
	enum ir_progtype type;
	const char *name;
} ctx_structs[] = {
	{ IR_PROG_socket_filter, "__sk_buff" },	     { IR_PROG_sched_cls, "__sk_buff" },
	{ IR_PROG_sched_act, "__sk_buff" },	     { IR_PROG_cgroup_skb, "__sk_buff" },
	{ IR_PROG_lwt_in, "__sk_buff" },	     { IR_PROG_lwt_out, "__sk_buff" },
	{ IR_PROG_lwt_xmit, "__sk_buff" },	     { IR_PROG_lwt_seg6local, "__sk_buff" },
	{ IR_PROG_sk_skb, "__sk_buff" },	     { IR_PROG_flow_dissector, "__sk_buff" },
	{ IR_PROG_xdp, "xdp_md" },		     { IR_PROG_cgroup_sock, "bpf_sock" },
	{ IR_PROG_cgroup_sock_addr, "bpf_sock_addr" }, { IR_PROG_sock_ops, "bpf_sock_ops" },
	{ IR_PROG_sk_msg, "sk_msg_md" },	     { IR_PROG_kprobe, "pt_regs" },
	{ IR_PROG_perf_event, "bpf_perf_event_data" },
	{ IR_PROG_raw_tracepoint, "bpf_raw_tracepoint_args" },
	{ IR_PROG_raw_tracepoint_writable, "bpf_raw_tracepoint_args" },
	{ IR_PROG_cgroup_device, "bpf_cgroup_dev_ctx" }, { IR_PROG_cgroup_sysctl, "bpf_sysctl" },
	{ IR_PROG_cgroup_sockopt, "bpf_sockopt" },   { IR_PROG_sk_reuseport, "sk_reuseport_md" },
	{ IR_PROG_sk_lookup, "bpf_sk_lookup" },
};

#define CTX_MIXED 0xff /* ctx_type: called from programs of different types */

/* The program type each function's context parameters belong to: a
 * program's own, or that of every program that reaches the function
 * through calls (IR_PROG_NONE if none does, CTX_MIXED if they differ). */
void objw_find_ctx_types(struct objw *o)
{
	uint32_t *stack = xmalloc(sizeof(uint32_t) * o->nsyms);
	bool *seen = xmalloc(o->nsyms);
	for (uint32_t p = 1; p < o->nsyms; p++) {
		struct ir_sym *ps = ir_sym(o->m, p);
		if (ps->kind != IR_SYM_FUNC || !ps->fn->is_prog)
			continue;
		uint8_t type = ps->fn->progtype;
		uint32_t n = 0;
		memset(seen, 0, o->nsyms);
		stack[n++] = p;
		seen[p] = true;
		while (n) {
			uint32_t s = stack[--n];
			uint8_t *t = &o->ctx_type[s];
			*t = *t == IR_PROG_NONE || *t == type ? type : CTX_MIXED;
			vec_foreach(&o->fn[s].relocs, r) if (r->kind == BK_CALL && !seen[r->sym])
			{
				seen[r->sym] = true;
				stack[n++] = r->sym;
			}
		}
	}
	free(stack);
	free(seen);
}

/* BTF pointer to the context struct of a program type (an empty struct of
 * that name unless the module declares one: the kernel compares names). */
static int32_t ctx_pointer(struct objw *o, uint8_t type)
{
	const char *name = NULL;
	for (size_t i = 0; type != CTX_MIXED && i < ARRAY_LEN(ctx_structs); i++)
		if (ctx_structs[i].type == type)
			name = ctx_structs[i].name;
	if (!name)
		return btfgen_vt(&o->g, VT_PTR(CTX));
	int32_t st = wbtf_find_by_name_kind(o->btf, name, BTF_KIND_STRUCT);
	if (st <= 0)
		st = wbtf_add_struct(o->btf, name, 0);
	return st < 0 ? st : wbtf_add_ptr(o->btf, (uint32_t)st);
}

static bool ctx_named(uint8_t type)
{
	for (size_t i = 0; type != CTX_MIXED && i < ARRAY_LEN(ctx_structs); i++)
		if (ctx_structs[i].type == type)
			return true;
	return false;
}

/* A function's BTF prototype: its IR proto, or one made from its signature
 * with context parameters typed for the kernel. The kernel verifies a
 * global function from this prototype alone, so it must say what each
 * pointer parameter is: a context (by struct name, or the "arg:ctx" tag
 * added with the FUNC) or sized memory (only a proto= can say). */
static int32_t func_proto(struct objw *o, uint32_t s)
{
	const struct ir_func *f = ir_sym(o->m, s)->fn;
	if (f->proto)
		return btfgen_id(&o->g, f->proto);
	int32_t ret = btfgen_vt(&o->g, f->ret);
	if (!objw_check(o, ret, "function prototype"))
		return ret;
	bool global = !f->is_prog && f->linkage == IR_GLOBAL;
	int32_t params[5];
	for (uint32_t i = 0; i < f->params.len && i < 5; i++) {
		const struct ir_tmp *t = &f->tmps.data[f->params.data[i]];
		if (t->ty.cls == IR_PTR && t->ty.region == RG_CTX) {
			params[i] = ctx_pointer(o, o->ctx_type[s]);
		} else {
			if (global && t->ty.cls == IR_PTR) {
				const struct ir_sym *sym = ir_sym(o->m, s);
				diag_error(o->d, (struct srcloc){ o->m->text_file, sym->pos, 1 },
					   "global function $%s: the kernel verifies it from its BTF prototype "
					   "alone, which cannot say what pointer parameter %%%s points to",
					   sym->name, t->name);
				diag_hint(o->d, "give $%s a prototype (proto=TYPE) whose parameter points to a "
						"sized type, or make it static", sym->name);
				o->err = -EINVAL;
			}
			params[i] = btfgen_vt(&o->g, t->ty);
		}
		if (!objw_check(o, params[i], "function parameter"))
			return params[i];
	}
	int32_t id = wbtf_add_func_proto(o->btf, (uint32_t)ret);
	for (uint32_t i = 0; id > 0 && i < f->params.len && i < 5; i++)
		objw_check(o, wbtf_add_param(o->btf, f->tmps.data[f->params.data[i]].name, (uint32_t)params[i]), "param");
	return id;
}

/* Decl tags on the pointer parameters of a global function (kernels since
 * 6.8 read them): "arg:ctx" on a context whose struct cannot be named, and
 * "arg:nonnull" on other pointers, which the IR never lets be NULL (the
 * kernel otherwise assumes they may be). */
static void param_tags(struct objw *o, uint32_t s)
{
	const struct ir_func *f = ir_sym(o->m, s)->fn;
	if (f->is_prog || f->linkage != IR_GLOBAL)
		return;
	for (uint32_t i = 0; i < f->params.len && i < 5; i++) {
		ir_vt t = f->tmps.data[f->params.data[i]].ty;
		const char *tag = NULL;
		if (t.cls != IR_PTR || (ir_regions[t.region].props & RG_NULLABLE))
			continue;
		if (t.region != RG_CTX)
			tag = "arg:nonnull";
		else if (!f->proto && !ctx_named(o->ctx_type[s]))
			tag = "arg:ctx";
		if (tag)
			objw_check(o, wbtf_add_decl_tag(o->btf, tag, (uint32_t)o->btf_id[s], (int)i), tag);
	}
}

static void want_types(struct objw *o)
{
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		switch (sym->kind) {
		case IR_SYM_MAP:
			btfgen_want(&o->g, sym->map.key);
			btfgen_want(&o->g, sym->map.value);
			btfgen_want(&o->g, sym->map.def);
			break;
		case IR_SYM_GLOBAL:
			btfgen_want(&o->g, sym->global.type);
			break;
		case IR_SYM_EXTERN:
			btfgen_want(&o->g, sym->ext.type);
			break;
		case IR_SYM_FUNC:
			btfgen_want(&o->g, sym->fn->proto);
			vec_foreach(&o->fn[s].core, c) btfgen_want(&o->g, c->type);
			break;
		}
	}
}

static int32_t map_def(struct objw *o, uint32_t s)
{
	const struct ir_map *mp = &ir_sym(o->m, s)->map;
	struct wbtf_map_def def = {
		.type = (uint32_t)ir_maptypes[mp->type].kernel_id,
		.max_entries = mp->max_entries,
		.map_flags = mp->flags, .has_map_flags = mp->flags != 0,
		.pinning = mp->pinning, .has_pinning = mp->pinning != 0,
		.numa_node = mp->numa_node, .has_numa_node = mp->numa_node != 0,
		.map_extra = (uint32_t)mp->extra, .has_map_extra = mp->extra != 0,
	};
	bool of_maps = ir_maptypes[mp->type].props & MT_OF_MAPS;
	bool prog_array = mp->type == IR_MAP_prog_array;
	/* maps of maps and prog arrays take sizes, the inner map or program
	 * prototype going in `values` */
	if (mp->key && !(prog_array && mp->ninit))
		def.key_type = (uint32_t)btfgen_id(&o->g, mp->key);
	if (mp->value && !of_maps && !(prog_array && mp->ninit))
		def.value_type = (uint32_t)btfgen_id(&o->g, mp->value);
	if (prog_array && mp->ninit) {
		def.key_size = ir_type_size(o->m, mp->key);
		def.value_size = 4;
		int32_t ret = btfgen_vt(&o->g, VT_I32), arg = btfgen_vt(&o->g, VT_PTR(CTX));
		int32_t p = wbtf_add_func_proto(o->btf, (uint32_t)ret);
		if (!objw_check(o, p, "prog array") || !objw_check(o, wbtf_add_param(o->btf, NULL, (uint32_t)arg), "param"))
			return -1;
		def.values_type = (uint32_t)p;
	}
	if (of_maps) {
		def.key_size = ir_type_size(o->m, mp->key);
		def.value_size = 4;
		if (mp->inner) {
			if (!o->map_struct[mp->inner])
				o->map_struct[mp->inner] = map_def(o, mp->inner);
			def.values_type = (uint32_t)o->map_struct[mp->inner];
		}
	}
	int32_t id = wbtf_add_map_def(o->btf, &def);
	objw_check(o, id, ir_sym(o->m, s)->name);
	return id;
}

static bool typeless_ksym(const struct ir_module *m, const struct ir_sym *sym)
{
	return sym->ext.kind == IR_EXT_KSYM && ir_type_strip(m, sym->ext.type) == IRT_T_VOID;
}

struct secvar {
	const char *sec;
	int32_t var;
	uint32_t off, size;
	bool ext; /* an extern: offset 0, outside the section's bytes */
};

static int cmp_secvar(const void *a, const void *b)
{
	const struct secvar *x = a, *y = b;
	int c = strcmp(x->sec, y->sec);
	return c ? c : (x->off > y->off) - (x->off < y->off);
}

/* Types, function prototypes and map definitions: before data placement,
 * which needs the size of each map's definition. */
void objw_build_btf_types(struct objw *o)
{
	want_types(o);
	if (!objw_check(o, btfgen_emit(&o->g), "types"))
		return;
	for (uint32_t s = 1; s < o->nsyms && !o->err; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind == IR_SYM_MAP && !sym->map.is_template && !o->map_struct[s])
			o->map_struct[s] = sym->map.def ? btfgen_id(&o->g, sym->map.def) : map_def(o, s);
	}
}

/* Functions and variables, and the DATASECs that place them. */
void objw_build_btf(struct objw *o)
{
	VEC(struct secvar) vars = { 0 };
	for (uint32_t s = 1; s < o->nsyms && !o->err; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		switch (sym->kind) {
		case IR_SYM_FUNC: {
			int32_t proto = func_proto(o, s);
			if (proto < 0)
				break;
			/* a hidden function is global in BTF, as clang writes it: loaders
			 * make it static before the kernel sees it */
			int linkage = sym->fn->is_prog || sym->fn->linkage == IR_GLOBAL || sym->hidden
					      ? BTF_FUNC_GLOBAL
					      : BTF_FUNC_STATIC;
			o->btf_id[s] = wbtf_add_func(o->btf, sym->name, linkage, (uint32_t)proto);
			if (objw_check(o, o->btf_id[s], sym->name))
				param_tags(o, s);
			for (uint32_t k = 0; k < sym->ntags; k++)
				objw_check(o, wbtf_add_decl_tag(o->btf, sym->tags[k], (uint32_t)o->btf_id[s], -1), "tag");
			break;
		}
		case IR_SYM_MAP:
			if (sym->map.is_template)
				break;
			o->btf_id[s] = sym->map.is_extern
					       ? wbtf_add_var(o->btf, sym->name, (uint32_t)o->map_struct[s],
							      BTF_VAR_GLOBAL_EXTERN)
					       : wbtf_add_map_var(o->btf, sym->name, (uint32_t)o->map_struct[s]);
			if (objw_check(o, o->btf_id[s], sym->name))
				vec_push(&vars, ((struct secvar){ ".maps", o->btf_id[s], 0, 0, sym->map.is_extern }));
			break;
		case IR_SYM_GLOBAL:
			o->btf_id[s] = wbtf_add_var(o->btf, sym->name, (uint32_t)btfgen_id(&o->g, sym->global.type),
						    sym->global.linkage == IR_STATIC ? BTF_VAR_STATIC
										     : BTF_VAR_GLOBAL_ALLOCATED);
			if (objw_check(o, o->btf_id[s], sym->name))
				vec_push(&vars, ((struct secvar){ sym->global.section, o->btf_id[s], 0, 0, false }));
			break;
		case IR_SYM_EXTERN: {
			bool func = sym->ext.kind == IR_EXT_KFUNC || sym->ext.kind == IR_EXT_FUNC;
			if (func)
				o->btf_id[s] = wbtf_add_func(o->btf, sym->name, BTF_FUNC_EXTERN,
							     (uint32_t)btfgen_id(&o->g, sym->ext.type));
			else {
				int32_t type = btfgen_id(&o->g, sym->ext.type);
				/* a typeless ksym is `const void`, as clang writes it (a VAR of void is invalid) */
				if (!type && typeless_ksym(o->m, sym))
					type = wbtf_add_const(o->btf, 0);
				o->btf_id[s] = type < 0 ? type
							: wbtf_add_var(o->btf, sym->name, (uint32_t)type,
								       BTF_VAR_GLOBAL_EXTERN);
			}
			/* kernel externs are listed in .kconfig and .ksyms; one of
			 * another object only in the section it was declared in */
			const char *sec = sym->ext.kind == IR_EXT_KCONFIG ? ".kconfig"
					  : sym->ext.kind == IR_EXT_KSYM || sym->ext.kind == IR_EXT_KFUNC
						  ? ".ksyms"
						  : sym->ext.section;
			if (objw_check(o, o->btf_id[s], sym->name) && sec)
				vec_push(&vars, ((struct secvar){ sec, o->btf_id[s], 0, 0, true }));
			break;
		}
		}
		if (sym->kind != IR_SYM_FUNC)
			for (uint32_t k = 0; k < sym->ntags && o->btf_id[s] > 0; k++)
				objw_check(o, wbtf_add_decl_tag(o->btf, sym->tags[k], (uint32_t)o->btf_id[s], -1), "tag");
	}
	/* sizes and offsets of section variables */
	for (uint32_t i = 0; i < vars.len; i++)
		for (uint32_t s = 1; s < o->nsyms; s++)
			if (o->btf_id[s] == vars.data[i].var) {
				struct ir_sym *sym = ir_sym(o->m, s);
				bool ext = vars.data[i].ext;
				vars.data[i].off = ext ? 0 : (uint32_t)o->off[s];
				vars.data[i].size = !ext			    ? (uint32_t)o->size[s]
						    : sym->kind == IR_SYM_MAP	    ? (uint32_t)objw_map_def_size(o, s)
						    : sym->ext.kind == IR_EXT_KFUNC ? 0
						    : typeless_ksym(o->m, sym)	    ? 1 /* sizeof(void) in GNU C */
										    : ir_type_size(o->m, sym->ext.type);
			}
	if (o->m->license) {
		uint32_t n = (uint32_t)strlen(o->m->license) + 1;
		int32_t arr = btfgen_char_array(&o->g, n);
		int32_t v = arr < 0 ? arr : wbtf_add_var(o->btf, "LICENSE", (uint32_t)arr, BTF_VAR_GLOBAL_ALLOCATED);
		if (objw_check(o, v, "LICENSE"))
			vec_push(&vars, ((struct secvar){ "license", v, 0, n, false }));
	}
	/* DATASECs last, by name, as clang emits them */
	if (vars.len)
		qsort(vars.data, vars.len, sizeof(*vars.data), cmp_secvar);
	for (uint32_t i = 0; i < vars.len && !o->err;) {
		uint32_t j = i, size = 0;
		while (j < vars.len && !strcmp(vars.data[j].sec, vars.data[i].sec)) {
			if (!vars.data[j].ext) /* externs have no bytes here */
				size = MAX(size, vars.data[j].off + vars.data[j].size);
			j++;
		}
		bool ext = !strcmp(vars.data[i].sec, ".kconfig") || !strcmp(vars.data[i].sec, ".ksyms");
		int32_t ds = wbtf_add_datasec(o->btf, vars.data[i].sec, ext ? 0 : size);
		for (uint32_t k = i; k < j && objw_check(o, ds, vars.data[i].sec); k++)
			objw_check(o, wbtf_add_datasec_var(o->btf, (uint32_t)vars.data[k].var, vars.data[k].off,
						      vars.data[k].size), "section variable");
		i = j;
	}
	vec_free(&vars);
}

/* The name line_info gives a file: a source file of the module, or the IR
 * text it was read from. */
static const char *file_name(struct objw *o, uint32_t file)
{
	if (file == BK_LOC_IR_TEXT) {
		const struct src_file *f = o->d && o->d->sm && o->m->text_file
						   ? srcmgr_file(o->d->sm, o->m->text_file)
						   : NULL;
		return f ? f->path : "";
	}
	return file < o->m->files.len ? o->m->files.data[file] : "";
}

/* The text of a source line for line_info, or "" if the file is not at hand. */
static const char *line_text(struct objw *o, uint32_t file, uint32_t line, char *buf, size_t n)
{
	buf[0] = 0;
	if (!o->d || !o->d->sm || (file >= o->m->files.len && file != BK_LOC_IR_TEXT))
		return buf;
	uint32_t id = file == BK_LOC_IR_TEXT ? o->m->text_file : srcmgr_load(o->d->sm, o->m->files.data[file]);
	size_t len;
	const char *s = id ? srcmgr_line(o->d->sm, id, line, &len) : NULL;
	if (s) {
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		snprintf(buf, n, "%.*s", (int)MIN(len, n - 1), s);
	}
	return buf;
}

void objw_build_ext(struct objw *o)
{
	bool any_lines = false;
	for (uint32_t s = 1; s < o->nsyms; s++)
		if (ir_sym(o->m, s)->kind == IR_SYM_FUNC && o->fn[s].lines.len)
			any_lines = true;
	any_lines &= o->opts->line_info;
	char text[512];
	for (uint32_t i = 0; i < o->code_secs.len && !o->err; i++) {
		struct wbtf_ext_sec *es = wbtf_ext_section(&o->ext, o->btf, o->code_secs.data[i]);
		for (uint32_t s = 1; s < o->nsyms; s++) {
			if (ir_sym(o->m, s)->kind != IR_SYM_FUNC || o->sec[s] != o->code_handles.data[i])
				continue;
			struct bk_func *bf = &o->fn[s];
			uint32_t base = (uint32_t)o->off[s];
			objw_check(o, wbtf_ext_add_func(es, base, (uint32_t)o->btf_id[s]), "func_info");
			if (any_lines) {
				/* every function needs a line record at its first instruction:
				 * the first record covers the instructions before it too */
				if (!bf->lines.len)
					objw_check(o, wbtf_ext_add_line(es, o->btf, base, file_name(o, 1), "", 0, 0), "line_info");
				vec_foreach(&bf->lines, l)
				{
					const char *file = file_name(o, l->loc.file);
					uint32_t insn = l == bf->lines.data ? 0 : l->insn;
					objw_check(o, wbtf_ext_add_line(es, o->btf, base + insn * 8, file,
								   line_text(o, l->loc.file, l->loc.line, text, sizeof(text)),
								   l->loc.line, MIN(l->loc.col, 1023u)), "line_info");
				}
			}
			vec_foreach(&bf->core, c)
			{
				int32_t tid = btfgen_id(&o->g, c->type);
				/* type ids are known only now: patch the instructions that carry one */
				if (c->kind == 6 || c->kind == 7) {
					bf->insns.data[c->insn].imm = tid;
					objw_check(o, elfw_patch(o->w, o->sec[s], base + c->insn * 8, &bf->insns.data[c->insn], 8),
					      "CO-RE instruction");
				}
				objw_check(o, wbtf_ext_add_core(es, o->btf, base + c->insn * 8, (uint32_t)tid, c->access, c->kind),
				      "CO-RE relocation");
			}
		}
	}
}

