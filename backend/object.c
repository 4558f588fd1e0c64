/* The object writer: lays a compiled module out as clang lays out a BPF
 * object — subprograms in .text, one section per program SEC(), BTF-defined
 * maps in .maps, globals in .bss/.data/.rodata*, the license — with the
 * symbols and relocations libbpf expects (objbtf.c adds .BTF and .BTF.ext);
 * for static linking, externs are undefined symbols, weak and hidden ones
 * keep their binding, and addresses in data are R_BPF_64_ABS64. */
#include "backend/objw.h"

#include <stdlib.h>
#include <string.h>

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

bool objw_check(struct objw *o, int rc, const char *what)
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
	objw_check(o, s, name);
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
			if (objw_check(o, (int)(at < 0 ? at : 0), name))
				o->off[s] = (uint64_t)at;
		}
}

/* ---- data --------------------------------------------------------------------- */

uint64_t objw_map_def_size(struct objw *o, uint32_t s)
{
	const struct ir_map *mp = &ir_sym(o->m, s)->map;
	if (mp->def)
		return ir_type_size(o->m, mp->def);
	const struct btf_type *t = wbtf_type_by_id(o->btf, (uint32_t)o->map_struct[s]);
	return t ? t->size : 0;
}

static void place_maps(struct objw *o)
{
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_MAP || sym->map.is_template || sym->map.is_extern)
			continue;
		if (!o->maps_sec)
			o->maps_sec = elfw_add_section(o->w, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8,
						       NULL, 0);
		uint64_t size = objw_map_def_size(o, s);
		/* initial values extend the flexible `values` array */
		uint32_t extra = 0;
		for (uint32_t k = 0; k < sym->map.ninit; k++)
			extra = MAX(extra, sym->map.init[k].index + 1);
		size += extra * 8u;
		uint8_t *zeros = xcalloc(size ? size : 1, 1);
		int64_t at = elfw_append(o->w, o->maps_sec, zeros, size);
		free(zeros);
		if (objw_check(o, (int)(at < 0 ? at : 0), ".maps")) {
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
		if (!objw_check(o, sec, name))
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

/* Whether a symbol stays inside the object: static functions and globals.
 * A hidden function is verified as a static one but is linked as a global
 * symbol of hidden visibility, as clang emits __hidden. */
static bool sym_is_local(const struct ir_sym *sym)
{
	switch (sym->kind) {
	case IR_SYM_FUNC:
		return !sym->fn->is_prog && sym->fn->linkage == IR_STATIC && !sym->hidden;
	case IR_SYM_GLOBAL:
		return sym->global.linkage == IR_STATIC;
	default:
		return false;
	}
}

/* The symbol a relocation names for the address of s plus *addend: a
 * global symbol itself, a local one through its section's symbol with its
 * offset added to the addend (as clang refers to them). */
static elfw_sym reloc_target(struct objw *o, uint32_t s, int64_t *addend)
{
	if (!sym_is_local(ir_sym(o->m, s)))
		return o->esym[s];
	*addend += (int64_t)o->off[s];
	return elfw_section_symbol(o->w, o->sec[s]);
}

static void add_symbols(struct objw *o)
{
	const char *file = o->opts->source_name ? o->opts->source_name
			   : o->m->files.len > 1   ? o->m->files.data[1]
						   : NULL;
	if (file) {
		const char *base = strrchr(file, '/');
		struct elfw_symbol fs = { .name = base ? base + 1 : file, .section = ELFW_ABS, .bind = STB_LOCAL,
					  .type = STT_FILE };
		objw_check(o, elfw_add_symbol(o->w, &fs), "FILE symbol");
	}
	/* section symbols of the code sections, as clang emits them */
	for (uint32_t i = 0; i < o->code_handles.len; i++)
		elfw_section_symbol(o->w, o->code_handles.data[i]);
	/* locals, then globals (elfw orders them so) */
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		struct elfw_symbol es = { .name = sym->name,
					  .visibility = sym->hidden ? STV_HIDDEN : STV_DEFAULT,
					  .bind = sym_is_local(sym) ? STB_LOCAL
						  : sym->weak	     ? STB_WEAK
								     : STB_GLOBAL };
		switch (sym->kind) {
		case IR_SYM_FUNC:
			es.section = o->sec[s];
			es.value = o->off[s];
			es.size = o->size[s];
			es.type = STT_FUNC;
			break;
		case IR_SYM_MAP:
			if (sym->map.is_template)
				continue;
			if (sym->map.is_extern) {
				es.section = ELFW_UNDEF; /* as clang: an undefined NOTYPE symbol */
				es.type = STT_NOTYPE;
				break;
			}
			es.section = o->sec[s];
			es.value = o->off[s];
			es.size = o->size[s];
			es.type = STT_OBJECT;
			break;
		case IR_SYM_GLOBAL:
			es.section = o->sec[s];
			es.value = o->off[s];
			es.size = o->size[s];
			es.type = STT_OBJECT;
			break;
		case IR_SYM_EXTERN:
			es.section = ELFW_UNDEF;
			es.type = STT_NOTYPE;
			break;
		}
		o->esym[s] = elfw_add_symbol(o->w, &es);
		objw_check(o, o->esym[s], sym->name);
	}
	if (o->m->license) {
		struct elfw_symbol ls = { .name = "LICENSE", .section = o->license_sec, .size = strlen(o->m->license) + 1,
					  .type = STT_OBJECT, .bind = STB_GLOBAL };
		objw_check(o, elfw_add_symbol(o->w, &ls), "LICENSE");
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
			case BK_CALL: {
				/* a static callee through its section, imm counting from
				 * the section's start; another (one a linked object may
				 * replace) through its own symbol, as clang does */
				int64_t at_byte = 0;
				target = reloc_target(o, r->sym, &at_byte);
				in->imm = (int32_t)(at_byte / 8) - 1;
				type = R_BPF_64_32;
				break;
			}
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
			if (!objw_check(o, elfw_patch(o->w, o->sec[s], at, in, sizeof(*in)), "relocated instruction") ||
			    !objw_check(o, elfw_add_reloc(o->w, o->sec[s], at, target, type), "relocation"))
				return;
		}
	}
	/* initial values of prog arrays and maps of maps */
	for (uint32_t s = 1; s < o->nsyms; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_MAP || !sym->map.ninit)
			continue;
		uint64_t def_size = objw_map_def_size(o, s);
		for (uint32_t k = 0; k < sym->map.ninit; k++) {
			uint64_t at = o->off[s] + def_size + 8ull * sym->map.init[k].index;
			objw_check(o, elfw_add_reloc(o->w, o->maps_sec, at, o->esym[sym->map.init[k].sym], R_BPF_64_ABS64),
			      ".maps relocation");
		}
	}
}

/* Addresses in global data (struct_ops function pointers, &var): the
 * addend goes into the bytes, R_BPF_64_ABS64 names the target. */
static void add_data_relocs(struct objw *o)
{
	for (uint32_t s = 1; s < o->nsyms && !o->err; s++) {
		struct ir_sym *sym = ir_sym(o->m, s);
		if (sym->kind != IR_SYM_GLOBAL || !sym->global.nrelocs)
			continue;
		const struct ir_global *g = &sym->global;
		if (is_bss(g->section)) {
			diag_error(o->d, (struct srcloc){ o->m->text_file, sym->pos, 1 },
				   "global $%s holds addresses (relocs=) but its section %s has no bytes "
				   "to hold them", sym->name, g->section);
			o->err = -EINVAL;
			return;
		}
		for (uint32_t k = 0; k < g->nrelocs; k++) {
			const struct ir_data_reloc *r = &g->relocs[k];
			uint8_t bytes[8] = { 0 };
			if (g->init)
				memcpy(bytes, g->init + r->off, 8);
			int64_t addend = 0;
			for (int i = 7; i >= 0; i--)
				addend = (int64_t)((uint64_t)addend << 8 | bytes[i]);
			elfw_sym target = reloc_target(o, r->sym, &addend);
			for (int i = 0; i < 8; i++)
				bytes[i] = (uint8_t)((uint64_t)addend >> (8 * i));
			uint64_t at = o->off[s] + r->off;
			if (!objw_check(o, elfw_patch(o->w, o->sec[s], at, bytes, 8), sym->name) ||
			    !objw_check(o, elfw_add_reloc(o->w, o->sec[s], at, target, R_BPF_64_ABS64), sym->name))
				return;
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
	objw_find_ctx_types(&o);
	o.w = elfw_new();
	place_code(&o);
	objw_build_btf_types(&o); /* map sizes come from their BTF structs */
	place_maps(&o);
	place_globals(&o);
	objw_build_btf(&o);
	if (m->license) {
		o.license_sec = elfw_add_section(o.w, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1,
						 m->license, strlen(m->license) + 1);
		objw_check(&o, o.license_sec, "license");
	}
	if (o.err)
		goto done;
	add_symbols(&o);
	add_code_relocs(&o);
	add_data_relocs(&o);
	objw_build_ext(&o);
	if (o.err)
		goto done;
	struct buf btf = { 0 }, ext = { 0 };
	if (!opts->no_btf && objw_check(&o, wbtf_encode(o.btf, false, &btf), ".BTF") &&
	    objw_check(&o, wbtf_ext_encode(&o.ext, false, &ext), ".BTF.ext")) {
		objw_check(&o, elfw_add_section(o.w, ".BTF", SHT_PROGBITS, 0, 4, btf.data, btf.len), ".BTF");
		/* without code there is nothing to describe: clang writes no .BTF.ext
		 * then, and libbpf refuses an empty one */
		if (o.code_secs.len)
			objw_check(&o, elfw_add_section(o.w, ".BTF.ext", SHT_PROGBITS, 0, 4, ext.data, ext.len),
			      ".BTF.ext");
	}
	buf_free(&btf);
	buf_free(&ext);
	if (!o.err) {
		struct buf obj = { 0 };
		if (objw_check(&o, elfw_finish(o.w, &obj), "ELF")) {
			buf_append(out, obj.data, obj.len);
			rc = 0;
		}
		buf_free(&obj);
	}
done:
	free_objw(&o);
	return rc;
}
