/* The object writer: lays a compiled module out as clang lays out a BPF
 * object — subprograms in .text, one section per program SEC(), BTF-defined
 * maps in .maps, globals in .bss/.data/.rodata*, the license — with the
 * symbols and relocations libbpf expects, and .BTF / .BTF.ext. */
#include "backend/object.h"
#include "elf/elfw.h"

#include <stdlib.h>
#include <string.h>

struct objw {
	struct ir_module *m;
	struct obj_options *opts;
	struct diag *d;
	struct elfw *w;
	struct wbtf *btf;
	struct wbtf_ext ext;
	struct btfgen g;
	uint32_t nsyms;
	struct bk_func *fn;  /* per symbol: compiled function */
	elfw_sec *sec;       /* per symbol: its section */
	uint64_t *off;       /* per symbol: byte offset in its section */
	uint64_t *size;      /* per symbol: bytes */
	elfw_sym *esym;      /* per symbol: ELF symbol */
	int32_t *btf_id;     /* per symbol: its BTF FUNC or VAR */
	int32_t *map_struct; /* per symbol: BTF struct of a map definition */
	uint8_t *ctx_type;   /* per function: the program type of its context (find_ctx_types) */
	VEC(const char *) code_secs;
	VEC(elfw_sec) code_handles;
	VEC(const char *) data_secs;
	VEC(elfw_sec) data_handles;
	VEC(uint64_t) data_size;
	elfw_sec maps_sec, license_sec;
	int err;
};

static const struct {
	enum ir_progtype type;
	const char *section;
} default_sections[] = {
	{ IR_PROG_xdp, "xdp" },
	{ IR_PROG_sched_cls, "tc" },
	{ IR_PROG_sched_act, "action" },
	{ IR_PROG_socket_filter, "socket" },
	{ IR_PROG_syscall, "syscall" },
	{ IR_PROG_flow_dissector, "flow_dissector" },
	{ IR_PROG_sk_lookup, "sk_lookup" },
	{ IR_PROG_sk_msg, "sk_msg" },
	{ IR_PROG_sk_skb, "sk_skb" },
	{ IR_PROG_sock_ops, "sockops" },
	{ IR_PROG_cgroup_sysctl, "cgroup/sysctl" },
	{ IR_PROG_cgroup_device, "cgroup/dev" },
	{ IR_PROG_cgroup_skb, "cgroup_skb/ingress" },
	{ IR_PROG_cgroup_sock, "cgroup/sock" },
	{ IR_PROG_sk_reuseport, "sk_reuseport" },
	{ IR_PROG_lwt_in, "lwt_in" },
	{ IR_PROG_lwt_out, "lwt_out" },
	{ IR_PROG_lwt_xmit, "lwt_xmit" },
	{ IR_PROG_lwt_seg6local, "lwt_seg6local" },
	{ IR_PROG_perf_event, "perf_event" },
};

const char *bk_default_section(enum ir_progtype type)
{
	for (size_t i = 0; i < ARRAY_LEN(default_sections); i++)
		if (default_sections[i].type == type)
			return default_sections[i].section;
	return NULL;
}

static bool check(struct objw *o, int rc, const char *what)
{
	if (rc >= 0)
		return true;
	if (!o->err) {
		const char *why = wbtf_last_error();
		diag_error(o->d, (struct srcloc){ 0 }, "cannot write the object: %s: %s", what,
			   why && *why ? why : o->w ? elfw_error(o->w) : strerror(-rc));
	}
	o->err = rc;
	return false;
}

static elfw_sec code_section(struct objw *o, const char *name)
{
	for (uint32_t i = 0; i < o->code_secs.len; i++)
		if (!strcmp(o->code_secs.data[i], name))
			return o->code_handles.data[i];
	elfw_sec s = elfw_add_section(o->w, name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8, NULL, 0);
	check(o, s, name);
	vec_push(&o->code_secs, name);
	vec_push(&o->code_handles, s);
	return s;
}

static const char *func_section(struct objw *o, const struct ir_func *f)
{
	if (f->section)
		return f->section;
	if (!f->is_prog)
		return ".text";
	const char *s = bk_default_section(f->progtype);
	if (!s) {
		const struct ir_sym *sym = ir_sym(o->m, f->sym);
		diag_error(o->d, (struct srcloc){ o->m->text_file, sym->pos, 1 },
			   "program $%s of type %s needs a section naming what it attaches to "
			   "(section=\"...\")", sym->name, ir_progtypes[f->progtype].name);
		o->err = -EINVAL;
		return ".text";
	}
	return s;
}

/* ---- code ---------------------------------------------------------------------- */

static void place_code(struct objw *o)
{
	/* .text first, as clang does, then the program sections in order */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t s = 1; s < o->nsyms; s++) {
			struct ir_sym *sym = ir_sym(o->m, s);
			if (sym->kind != IR_SYM_FUNC)
				continue;
			const char *name = func_section(o, sym->fn);
			if ((pass == 0) != !strcmp(name, ".text"))
				continue;
			elfw_sec sec = code_section(o, name);
			struct bk_func *bf = &o->fn[s];
			o->sec[s] = sec;
			o->size[s] = bf->insns.len * sizeof(struct bpf_insn);
			int64_t at = elfw_append(o->w, sec, bf->insns.data, o->size[s]);
			if (check(o, (int)(at < 0 ? at : 0), name))
				o->off[s] = (uint64_t)at;
		}
}

/* ---- data --------------------------------------------------------------------- */

static void place_maps(struct objw *o)
{
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_MAP || sym->map.is_template)
			continue;
		if (!o->maps_sec)
			o->maps_sec = elfw_add_section(o->w, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8,
						       NULL, 0);
		const struct btf_type *t = wbtf_type_by_id(o->btf, (uint32_t)o->map_struct[s]);
		uint64_t size = t ? t->size : 0;
		/* initial values extend the flexible `values` array */
		uint32_t extra = 0;
		for (uint32_t k = 0; k < sym->map.ninit; k++)
			extra = MAX(extra, sym->map.init[k].index + 1);
		size += extra * 8u;
		uint8_t *zeros = xcalloc(size ? size : 1, 1);
		int64_t at = elfw_append(o->w, o->maps_sec, zeros, size);
		free(zeros);
		if (check(o, (int)(at < 0 ? at : 0), ".maps")) {
			o->sec[s] = o->maps_sec;
			o->off[s] = (uint64_t)at;
			o->size[s] = size;
		}
	}
}

static bool is_bss(const char *name)
{
	return !strcmp(name, ".bss") || !strncmp(name, ".bss.", 5);
}

static void place_globals(struct objw *o)
{
	/* layout first: NOBITS sections are created with their final size */
	VEC(uint32_t) align = { 0 };
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_GLOBAL)
			continue;
		const struct ir_global *gl = &sym->global;
		uint32_t a = gl->align ? gl->align : ir_type_align(o->m, gl->type);
		uint32_t i;
		for (i = 0; i < o->data_secs.len; i++)
			if (!strcmp(o->data_secs.data[i], gl->section))
				break;
		if (i == o->data_secs.len) {
			vec_push(&o->data_secs, gl->section);
			vec_push(&o->data_size, 0);
			vec_push(&align, 1);
		}
		uint64_t at = ALIGN_UP(o->data_size.data[i], a);
		o->off[s] = at;
		o->size[s] = ir_type_size(o->m, gl->type);
		o->data_size.data[i] = at + o->size[s];
		align.data[i] = MAX(align.data[i], a);
		o->sec[s] = (elfw_sec)i; /* an index until the sections exist */
	}
	for (uint32_t i = 0; i < o->data_secs.len; i++) {
		const char *name = o->data_secs.data[i];
		bool ro = !strncmp(name, ".rodata", 7), strings = !strncmp(name, ".rodata.str", 11);
		uint64_t flags = SHF_ALLOC | (ro ? 0 : SHF_WRITE) | (strings ? SHF_MERGE | SHF_STRINGS : 0);
		uint64_t size = o->data_size.data[i];
		uint8_t *bytes = NULL;
		if (!is_bss(name)) {
			bytes = xcalloc(size + 1, 1);
			for (uint32_t s = 1; s < o->nsyms; s++) {
				struct ir_sym *sym = ir_sym(o->m, s);
				if (sym->kind == IR_SYM_GLOBAL && (uint32_t)o->sec[s] == i && sym->global.init)
					memcpy(bytes + o->off[s], sym->global.init, sym->global.ninit);
			}
		}
		elfw_sec sec = elfw_add_section(o->w, name, is_bss(name) ? SHT_NOBITS : SHT_PROGBITS, flags,
						align.data[i], bytes, size);
		free(bytes);
		if (!check(o, sec, name))
			break;
		if (strings)
			elfw_set_entsize(o->w, sec, 1);
		vec_push(&o->data_handles, sec);
	}
	for (uint32_t s = 1; s < o->nsyms && !o->err; s++)
		if (ir_sym(o->m, s)->kind == IR_SYM_GLOBAL)
			o->sec[s] = o->data_handles.data[(uint32_t)o->sec[s]];
	vec_free(&align);
}

/* ---- symbols and relocations -------------------------------------------------- */

static void add_symbols(struct objw *o)
{
	const char *file = o->opts->source_name ? o->opts->source_name
			   : o->m->files.len > 1   ? o->m->files.data[1]
						   : NULL;
	if (file) {
		const char *base = strrchr(file, '/');
		struct elfw_symbol fs = { .name = base ? base + 1 : file, .section = ELFW_ABS, .bind = STB_LOCAL,
					  .type = STT_FILE };
		check(o, elfw_add_symbol(o->w, &fs), "FILE symbol");
	}
	/* section symbols of the code sections, as clang emits them */
	for (uint32_t i = 0; i < o->code_handles.len; i++)
		elfw_section_symbol(o->w, o->code_handles.data[i]);
	/* locals, then globals (elfw orders them so) */
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		struct elfw_symbol es = { .name = sym->name, .visibility = STV_DEFAULT };
		switch (sym->kind) {
		case IR_SYM_FUNC:
			es.section = o->sec[s];
			es.value = o->off[s];
			es.size = o->size[s];
			es.type = STT_FUNC;
			es.bind = sym->fn->linkage == IR_STATIC && !sym->fn->is_prog ? STB_LOCAL : STB_GLOBAL;
			break;
		case IR_SYM_MAP:
			if (sym->map.is_template)
				continue;
			es.section = o->sec[s];
			es.value = o->off[s];
			es.size = o->size[s];
			es.type = STT_OBJECT;
			es.bind = STB_GLOBAL;
			break;
		case IR_SYM_GLOBAL:
			es.section = o->sec[s];
			es.value = o->off[s];
			es.size = o->size[s];
			es.type = STT_OBJECT;
			es.bind = sym->global.linkage == IR_STATIC ? STB_LOCAL : STB_GLOBAL;
			break;
		case IR_SYM_EXTERN:
			es.section = ELFW_UNDEF;
			es.type = STT_NOTYPE;
			es.bind = sym->weak ? STB_WEAK : STB_GLOBAL;
			break;
		}
		o->esym[s] = elfw_add_symbol(o->w, &es);
		check(o, o->esym[s], sym->name);
	}
	if (o->m->license) {
		struct elfw_symbol ls = { .name = "LICENSE", .section = o->license_sec, .size = strlen(o->m->license) + 1,
					  .type = STT_OBJECT, .bind = STB_GLOBAL };
		check(o, elfw_add_symbol(o->w, &ls), "LICENSE");
	}
}

static void add_code_relocs(struct objw *o)
{
	for (uint32_t s = 1; s < o->nsyms; s++) {
		if (ir_sym(o->m, s)->kind != IR_SYM_FUNC)
			continue;
		struct bk_func *bf = &o->fn[s];
		vec_foreach(&bf->relocs, r)
		{
			uint64_t at = o->off[s] + (uint64_t)r->insn * sizeof(struct bpf_insn);
			struct bpf_insn *in = &bf->insns.data[r->insn];
			elfw_sym target;
			uint32_t type = R_BPF_64_64;
			switch (r->kind) {
			case BK_CALL:
				/* against the callee's section: imm counts from the call */
				target = elfw_section_symbol(o->w, o->sec[r->sym]);
				in->imm = (int32_t)(o->off[r->sym] / 8) - 1;
				type = R_BPF_64_32;
				break;
			case BK_FUNC:
				target = elfw_section_symbol(o->w, o->sec[r->sym]);
				in->imm = (int32_t)o->off[r->sym];
				in->src_reg = 0;
				break;
			case BK_KFUNC:
				target = o->esym[r->sym];
				in->src_reg = BPF_PSEUDO_CALL; /* as clang writes it; libbpf retypes it */
				type = R_BPF_64_32;
				break;
			default:
				target = o->esym[r->sym];
			}
			if (!check(o, elfw_patch(o->w, o->sec[s], at, in, sizeof(*in)), "relocated instruction") ||
			    !check(o, elfw_add_reloc(o->w, o->sec[s], at, target, type), "relocation"))
				return;
		}
	}
	/* initial values of prog arrays and maps of maps */
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_MAP || !sym->map.ninit)
			continue;
		const struct btf_type *t = wbtf_type_by_id(o->btf, (uint32_t)o->map_struct[s]);
		for (uint32_t k = 0; k < sym->map.ninit; k++) {
			uint64_t at = o->off[s] + t->size + 8ull * sym->map.init[k].index;
			check(o, elfw_add_reloc(o->w, o->maps_sec, at, o->esym[sym->map.init[k].sym], R_BPF_64_ABS64),
			      ".maps relocation");
		}
	}
}

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
static void find_ctx_types(struct objw *o)
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
	if (!check(o, ret, "function prototype"))
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
		if (!check(o, params[i], "function parameter"))
			return params[i];
	}
	int32_t id = wbtf_add_func_proto(o->btf, (uint32_t)ret);
	for (uint32_t i = 0; id > 0 && i < f->params.len && i < 5; i++)
		check(o, wbtf_add_param(o->btf, f->tmps.data[f->params.data[i]].name, (uint32_t)params[i]), "param");
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
			check(o, wbtf_add_decl_tag(o->btf, tag, (uint32_t)o->btf_id[s], (int)i), tag);
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
		if (!check(o, p, "prog array") || !check(o, wbtf_add_param(o->btf, NULL, (uint32_t)arg), "param"))
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
	check(o, id, ir_sym(o->m, s)->name);
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
};

static int cmp_secvar(const void *a, const void *b)
{
	const struct secvar *x = a, *y = b;
	int c = strcmp(x->sec, y->sec);
	return c ? c : (x->off > y->off) - (x->off < y->off);
}

/* Types, function prototypes and map definitions: before data placement,
 * which needs the size of each map's definition. */
static void build_btf_types(struct objw *o)
{
	want_types(o);
	if (!check(o, btfgen_emit(&o->g), "types"))
		return;
	for (uint32_t s = 1; s < o->nsyms && !o->err; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind == IR_SYM_MAP && !sym->map.is_template && !o->map_struct[s])
			o->map_struct[s] = map_def(o, s);
	}
}

/* Functions and variables, and the DATASECs that place them. */
static void build_btf(struct objw *o)
{
	VEC(struct secvar) vars = { 0 };
	for (uint32_t s = 1; s < o->nsyms && !o->err; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		switch (sym->kind) {
		case IR_SYM_FUNC: {
			int32_t proto = func_proto(o, s);
			if (proto < 0)
				break;
			int linkage = sym->fn->is_prog || sym->fn->linkage == IR_GLOBAL ? BTF_FUNC_GLOBAL
											: BTF_FUNC_STATIC;
			o->btf_id[s] = wbtf_add_func(o->btf, sym->name, linkage, (uint32_t)proto);
			if (check(o, o->btf_id[s], sym->name))
				param_tags(o, s);
			for (uint32_t k = 0; k < sym->ntags; k++)
				check(o, wbtf_add_decl_tag(o->btf, sym->tags[k], (uint32_t)o->btf_id[s], -1), "tag");
			break;
		}
		case IR_SYM_MAP:
			if (sym->map.is_template)
				break;
			o->btf_id[s] = wbtf_add_map_var(o->btf, sym->name, (uint32_t)o->map_struct[s]);
			if (check(o, o->btf_id[s], sym->name))
				vec_push(&vars, ((struct secvar){ ".maps", o->btf_id[s], 0, 0 }));
			break;
		case IR_SYM_GLOBAL:
			o->btf_id[s] = wbtf_add_var(o->btf, sym->name, (uint32_t)btfgen_id(&o->g, sym->global.type),
						    sym->global.linkage == IR_STATIC ? BTF_VAR_STATIC
										     : BTF_VAR_GLOBAL_ALLOCATED);
			if (check(o, o->btf_id[s], sym->name))
				vec_push(&vars, ((struct secvar){ sym->global.section, o->btf_id[s], 0, 0 }));
			break;
		case IR_SYM_EXTERN:
			if (sym->ext.kind == IR_EXT_KFUNC)
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
			if (check(o, o->btf_id[s], sym->name))
				vec_push(&vars, ((struct secvar){ sym->ext.kind == IR_EXT_KCONFIG ? ".kconfig" : ".ksyms",
								  o->btf_id[s], 0, 0 }));
			break;
		}
		if (sym->kind != IR_SYM_FUNC)
			for (uint32_t k = 0; k < sym->ntags && o->btf_id[s] > 0; k++)
				check(o, wbtf_add_decl_tag(o->btf, sym->tags[k], (uint32_t)o->btf_id[s], -1), "tag");
	}
	/* sizes and offsets of section variables */
	for (uint32_t i = 0; i < vars.len; i++)
		for (uint32_t s = 1; s < o->nsyms; s++)
			if (o->btf_id[s] == vars.data[i].var) {
				struct ir_sym *sym = ir_sym(o->m, s);
				vars.data[i].off = sym->kind == IR_SYM_EXTERN ? 0 : (uint32_t)o->off[s];
				vars.data[i].size = sym->kind != IR_SYM_EXTERN	 ? (uint32_t)o->size[s]
						    : sym->ext.kind == IR_EXT_KFUNC ? 0
						    : typeless_ksym(o->m, sym)	    ? 1 /* sizeof(void) in GNU C */
										    : ir_type_size(o->m, sym->ext.type);
			}
	if (o->m->license) {
		uint32_t n = (uint32_t)strlen(o->m->license) + 1;
		int32_t arr = btfgen_char_array(&o->g, n);
		int32_t v = arr < 0 ? arr : wbtf_add_var(o->btf, "LICENSE", (uint32_t)arr, BTF_VAR_GLOBAL_ALLOCATED);
		if (check(o, v, "LICENSE"))
			vec_push(&vars, ((struct secvar){ "license", v, 0, n }));
	}
	/* DATASECs last, by name, as clang emits them */
	if (vars.len)
		qsort(vars.data, vars.len, sizeof(*vars.data), cmp_secvar);
	for (uint32_t i = 0; i < vars.len && !o->err;) {
		uint32_t j = i, size = 0;
		while (j < vars.len && !strcmp(vars.data[j].sec, vars.data[i].sec)) {
			size = MAX(size, vars.data[j].off + vars.data[j].size);
			j++;
		}
		bool ext = !strcmp(vars.data[i].sec, ".kconfig") || !strcmp(vars.data[i].sec, ".ksyms");
		int32_t ds = wbtf_add_datasec(o->btf, vars.data[i].sec, ext ? 0 : size);
		for (uint32_t k = i; k < j && check(o, ds, vars.data[i].sec); k++)
			check(o, wbtf_add_datasec_var(o->btf, (uint32_t)vars.data[k].var, vars.data[k].off,
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

static void build_ext(struct objw *o)
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
			check(o, wbtf_ext_add_func(es, base, (uint32_t)o->btf_id[s]), "func_info");
			if (any_lines) {
				/* every function needs a line record at its first instruction:
				 * the first record covers the instructions before it too */
				if (!bf->lines.len)
					check(o, wbtf_ext_add_line(es, o->btf, base, file_name(o, 1), "", 0, 0), "line_info");
				vec_foreach(&bf->lines, l)
				{
					const char *file = file_name(o, l->loc.file);
					uint32_t insn = l == bf->lines.data ? 0 : l->insn;
					check(o, wbtf_ext_add_line(es, o->btf, base + insn * 8, file,
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
					check(o, elfw_patch(o->w, o->sec[s], base + c->insn * 8, &bf->insns.data[c->insn], 8),
					      "CO-RE instruction");
				}
				check(o, wbtf_ext_add_core(es, o->btf, base + c->insn * 8, (uint32_t)tid, c->access, c->kind),
				      "CO-RE relocation");
			}
		}
	}
}

static void free_objw(struct objw *o)
{
	if (o->fn)
		for (uint32_t s = 1; s < o->nsyms; s++)
			bk_func_free(&o->fn[s]);
	free(o->fn);
	free(o->sec);
	free(o->off);
	free(o->size);
	free(o->esym);
	free(o->btf_id);
	free(o->map_struct);
	free(o->ctx_type);
	vec_free(&o->code_secs);
	vec_free(&o->code_handles);
	vec_free(&o->data_secs);
	vec_free(&o->data_handles);
	vec_free(&o->data_size);
	btfgen_free(&o->g);
	wbtf_ext_free(&o->ext);
	wbtf_free(o->btf);
	elfw_free(o->w);
}

/* A frame as the kernel counts it against the 512 bytes of a call chain:
 * rounded up to 16 bytes (kernels since 6.9 with the JIT; older ones round
 * to 32 and may refuse a little more, which they then say themselves). */
static uint32_t frame_bytes(const struct bk_func *bf)
{
	return ALIGN_UP(bf->stack_size, 16u);
}

/* The deepest stack a chain of calls from function s reaches; `path`
 * receives the chain (at most 8 frames are named). */
static uint32_t chain_stack(struct objw *o, uint32_t s, unsigned depth, uint32_t *path, unsigned *plen)
{
	uint32_t own = frame_bytes(&o->fn[s]), best = 0;
	uint32_t sub[9];
	unsigned sublen = 0;
	if (depth < 9) /* the kernel allows 8 frames: deeper chains are its error */
		vec_foreach(&o->fn[s].relocs, r) if (r->kind == BK_CALL || r->kind == BK_FUNC)
		{
			uint32_t tmp[9];
			unsigned n = 0;
			uint32_t v = chain_stack(o, r->sym, depth + 1, tmp, &n);
			if (v > best) {
				best = v;
				memcpy(sub, tmp, sizeof(uint32_t) * n);
				sublen = n;
			}
		}
	path[0] = s;
	memcpy(path + 1, sub, sizeof(uint32_t) * MIN(sublen, 7u));
	*plen = 1 + MIN(sublen, 7u);
	return own + best;
}

/* Programs whose calls stack up beyond 512 bytes: the kernel refuses them
 * ("combined stack size of N calls"); say so at the program, with the chain. */
static void check_call_stacks(struct objw *o)
{
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_FUNC || !sym->fn->is_prog)
			continue;
		uint32_t path[8];
		unsigned n = 0;
		uint32_t total = chain_stack(o, s, 0, path, &n);
		if (total <= 512 || n < 2)
			continue;
		struct buf chain = { 0 };
		for (unsigned i = 0; i < n; i++)
			buf_printf(&chain, "%s$%s (%u)", i ? " -> " : "", ir_sym(o->m, path[i])->name,
				   frame_bytes(&o->fn[path[i]]));
		diag_error(o->d, (struct srcloc){ o->m->text_file, sym->pos, 1 },
			   "$%s and the functions it calls need %u bytes of stack together, more than the "
			   "BPF limit of 512: %s", sym->name, total, buf_cstr(&chain));
		diag_hint(o->d, "move buffers into a per-CPU array map, or make a callee inline");
		buf_free(&chain);
		o->err = -EINVAL;
	}
}

int bk_write_object(struct ir_module *m, struct obj_options *opts, struct buf *out, struct diag *d)
{
	struct objw o = { .m = m, .opts = opts, .d = d, .nsyms = m->syms.len };
	o.fn = xcalloc(o.nsyms, sizeof(*o.fn));
	o.sec = xcalloc(o.nsyms, sizeof(*o.sec));
	o.off = xcalloc(o.nsyms, sizeof(*o.off));
	o.size = xcalloc(o.nsyms, sizeof(*o.size));
	o.esym = xcalloc(o.nsyms, sizeof(*o.esym));
	o.btf_id = xcalloc(o.nsyms, sizeof(*o.btf_id));
	o.map_struct = xcalloc(o.nsyms, sizeof(*o.map_struct));
	o.ctx_type = xcalloc(o.nsyms, 1);
	o.btf = wbtf_new();
	btfgen_init(&o.g, m, o.btf);
	opts->nprogs = opts->ninsns = opts->nmaps = 0;
	int rc = -1;
	for (uint32_t s = 1; s < o.nsyms; s++) {
		struct ir_sym *sym = ir_sym(m, s);
		if (sym->kind == IR_SYM_MAP && !sym->map.is_template)
			opts->nmaps++;
		if (sym->kind != IR_SYM_FUNC)
			continue;
		if (bk_compile_func(sym->fn, &opts->bk, &o.fn[s], d))
			o.err = -EINVAL;
		else if (sym->fn->is_prog) {
			opts->nprogs++;
			opts->ninsns += (unsigned)insn_count(o.fn[s].insns.data, o.fn[s].insns.len);
		}
	}
	if (o.err)
		goto done;
	check_call_stacks(&o);
	if (o.err)
		goto done;
	find_ctx_types(&o);
	o.w = elfw_new();
	place_code(&o);
	build_btf_types(&o); /* map sizes come from their BTF structs */
	place_maps(&o);
	place_globals(&o);
	build_btf(&o);
	if (m->license) {
		o.license_sec = elfw_add_section(o.w, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1,
						 m->license, strlen(m->license) + 1);
		check(&o, o.license_sec, "license");
	}
	if (o.err)
		goto done;
	add_symbols(&o);
	add_code_relocs(&o);
	build_ext(&o);
	if (o.err)
		goto done;
	struct buf btf = { 0 }, ext = { 0 };
	if (check(&o, wbtf_encode(o.btf, false, &btf), ".BTF") &&
	    check(&o, wbtf_ext_encode(&o.ext, false, &ext), ".BTF.ext")) {
		check(&o, elfw_add_section(o.w, ".BTF", SHT_PROGBITS, 0, 4, btf.data, btf.len), ".BTF");
		check(&o, elfw_add_section(o.w, ".BTF.ext", SHT_PROGBITS, 0, 4, ext.data, ext.len), ".BTF.ext");
	}
	buf_free(&btf);
	buf_free(&ext);
	if (!o.err) {
		struct buf obj = { 0 };
		if (check(&o, elfw_finish(o.w, &obj), "ELF")) {
			buf_append(out, obj.data, obj.len);
			rc = 0;
		}
		buf_free(&obj);
	}
done:
	free_objw(&o);
	return rc;
}
