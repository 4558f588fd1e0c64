/* Filetest command `run`: compiles a module, links each program with the
 * subprograms it calls, creates its maps and global data in the kernel,
 * loads the program through the verifier and runs it with
 * BPF_PROG_TEST_RUN. Directives:
 *   ; run: PROG [data=x"..."] [ctx=x"..."] [repeat=N] -> RETVAL [out=x"..."]
 *   ; map: MAP KEY -> VALUE      (integers, little-endian at the map's sizes)
 * Runs happen in file order; map checks after all runs. Skips (77) when the
 * kernel cannot load BPF at all. */
#include "tests/filetest/filetest.h"

#include "backend/backend.h"
#include "ir/pass.h"
#include "whistler/loader.h"

#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

struct linked {
	struct ir_module *m;
	struct bk_func *fn;       /* per symbol: compiled functions */
	struct wl_map **maps;     /* per symbol: maps, and data maps of globals */
	struct wl_map *data[3];   /* .bss, .data, .rodata */
	uint32_t *data_off;       /* per symbol: offset of a global in its data map */
	uint8_t *data_sec;        /* per symbol: which data map */
};

typedef VEC(uint32_t) sym_vec;
typedef VEC(struct bpf_insn) insn_vec;

static const char *const data_secs[3] = { ".bss", ".data", ".rodata" };

static int data_section(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, data_secs[i]) || (i == 2 && !strncmp(name, ".rodata.", 8)) ||
		    (i == 1 && !strncmp(name, ".data.", 6)))
			return i;
	return -1;
}

static struct wl_map_opts map_opts(const struct ir_module *m, uint32_t s)
{
	const struct ir_sym *sym = ir_sym(m, s);
	return (struct wl_map_opts){
		.name = sym->name,
		.type = (uint32_t)ir_maptypes[sym->map.type].kernel_id,
		.key_size = sym->map.key ? ir_type_size(m, sym->map.key) : 0,
		.value_size = sym->map.value ? ir_type_size(m, sym->map.value) : 0,
		.max_entries = sym->map.max_entries,
		.flags = sym->map.flags,
		.map_extra = sym->map.extra,
	};
}

static int create_maps(struct ft_test *t, struct linked *L)
{
	struct ir_module *m = L->m;
	for (uint32_t s = 1; s < m->syms.len; s++) {
		struct ir_sym *sym = ir_sym(m, s);
		if (sym->kind != IR_SYM_MAP || sym->map.is_template)
			continue;
		struct wl_map_opts o = map_opts(m, s);
		/* a map of maps is created with a map of its inner kind, made for the occasion */
		struct wl_map *tmpl = NULL;
		if (sym->map.inner) {
			struct wl_map_opts io = map_opts(m, sym->map.inner);
			int err = wl_map_create(&io, &tmpl);
			if (err) {
				buf_printf(&t->report, "inner map of $%s: %s\n", sym->name, strerror(-err));
				return err;
			}
			o.inner_map_fd = wl_map_fd(tmpl);
		}
		int err = wl_map_create(&o, &L->maps[s]);
		wl_map_destroy(tmpl);
		if (err) {
			buf_printf(&t->report, "map $%s: %s\n", sym->name, strerror(-err));
			return err;
		}
	}
	/* initial inner maps of maps of maps (prog arrays would need the programs loaded) */
	for (uint32_t s = 1; s < m->syms.len; s++) {
		struct ir_sym *sym = ir_sym(m, s);
		if (sym->kind != IR_SYM_MAP || !sym->map.ninit)
			continue;
		for (uint32_t k = 0; k < sym->map.ninit; k++) {
			uint32_t target = sym->map.init[k].sym, fd;
			if (ir_sym(m, target)->kind != IR_SYM_MAP || !L->maps[target]) {
				buf_printf(&t->report, "map $%s: `run` cannot fill it with $%s\n", sym->name,
					   ir_sym(m, target)->name);
				return -EINVAL;
			}
			fd = (uint32_t)wl_map_fd(L->maps[target]);
			int err = wl_map_update(L->maps[s], &sym->map.init[k].index, &fd, 0);
			if (err) {
				buf_printf(&t->report, "map $%s[%u]: %s\n", sym->name, sym->map.init[k].index,
					   strerror(-err));
				return err;
			}
		}
	}
	/* global data: one array map per section, like libbpf's */
	uint32_t size[3] = { 0 };
	for (uint32_t s = 1; s < m->syms.len; s++) {
		struct ir_sym *sym = ir_sym(m, s);
		if (sym->kind != IR_SYM_GLOBAL)
			continue;
		int sec = data_section(sym->global.section);
		if (sec < 0) {
			buf_printf(&t->report, "global $%s: section %s is not supported here\n", sym->name,
				   sym->global.section);
			return -EINVAL;
		}
		uint32_t align = sym->global.align ? sym->global.align : ir_type_align(m, sym->global.type);
		size[sec] = ALIGN_UP(size[sec], align);
		L->data_sec[s] = (uint8_t)sec;
		L->data_off[s] = size[sec];
		size[sec] += ir_type_size(m, sym->global.type);
	}
	for (int sec = 0; sec < 3; sec++) {
		if (!size[sec])
			continue;
		struct wl_map_opts o = { .name = data_secs[sec], .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
					 .value_size = size[sec], .max_entries = 1 };
		int err = wl_map_create(&o, &L->data[sec]);
		if (err) {
			buf_printf(&t->report, "data map %s: %s\n", data_secs[sec], strerror(-err));
			return err;
		}
		uint8_t *init = xcalloc(size[sec], 1);
		for (uint32_t s = 1; s < m->syms.len; s++) {
			struct ir_sym *sym = ir_sym(m, s);
			if (sym->kind == IR_SYM_GLOBAL && L->data_sec[s] == sec && sym->global.init)
				memcpy(init + L->data_off[s], sym->global.init, sym->global.ninit);
		}
		uint32_t zero = 0;
		err = wl_map_update(L->data[sec], &zero, init, 0);
		free(init);
		if (err)
			return err;
	}
	return 0;
}

/* Appends function `s` and, after it, every subprogram it calls (once). */
static void collect(struct linked *L, uint32_t s, sym_vec *order)
{
	vec_foreach(order, o) if (*o == s) return;
	vec_push(order, s);
	vec_foreach(&L->fn[s].relocs, r) if (r->kind == BK_CALL || r->kind == BK_FUNC) collect(L, r->sym, order);
}

static int link_program(struct ft_test *t, struct linked *L, uint32_t prog, insn_vec *out)
{
	sym_vec order = { 0 };
	collect(L, prog, &order);
	uint32_t *start = xcalloc(L->m->syms.len, sizeof(uint32_t));
	vec_foreach(&order, s)
	{
		start[*s] = out->len;
		vec_foreach(&L->fn[*s].insns, in) vec_push(out, *in);
	}
	int rc = 0;
	vec_foreach(&order, s)
	{
		vec_foreach(&L->fn[*s].relocs, r)
		{
			struct bpf_insn *in = &out->data[start[*s] + r->insn];
			switch (r->kind) {
			case BK_CALL:
				in->imm = (int32_t)start[r->sym] - (int32_t)(start[*s] + r->insn + 1);
				break;
			case BK_FUNC:
				in->imm = (int32_t)start[r->sym] - (int32_t)(start[*s] + r->insn + 1);
				break;
			case BK_MAP:
				in->src_reg = BPF_PSEUDO_MAP_FD;
				in->imm = wl_map_fd(L->maps[r->sym]);
				break;
			case BK_GLOBAL:
				in->src_reg = BPF_PSEUDO_MAP_VALUE;
				in->imm = wl_map_fd(L->data[L->data_sec[r->sym]]);
				in[1].imm = (int32_t)L->data_off[r->sym];
				break;
			default:
				buf_printf(&t->report, "relocation kind %u is not supported by `run`\n", r->kind);
				rc = -EINVAL;
			}
		}
	}
	free(start);
	vec_free(&order);
	return rc;
}

static size_t parse_hex(const char *s, uint8_t **out)
{
	size_t n = 0;
	*out = xmalloc(strlen(s) / 2 + 1);
	while (s[0] && s[1] && s[0] != '"') {
		char b[3] = { s[0], s[1], 0 };
		(*out)[n++] = (uint8_t)strtoul(b, NULL, 16);
		s += 2;
	}
	return n;
}

/* `key=x"..."` in a directive: returns its bytes (caller frees) and size. */
static size_t hex_arg(const char *line, const char *key, uint8_t **out)
{
	char pat[32];
	snprintf(pat, sizeof(pat), " %s=x\"", key);
	const char *p = strstr(line, pat);
	if (!p) {
		*out = NULL;
		return 0;
	}
	return parse_hex(p + strlen(pat), out);
}

static int run_one(struct ft_test *t, struct linked *L, const char *line)
{
	char name[128];
	if (sscanf(line, "%127s", name) != 1) {
		buf_printf(&t->report, "bad run line: %s\n", line);
		return -1;
	}
	uint32_t s = ir_sym_lookup(L->m, name[0] == '$' ? name + 1 : name);
	if (!s || ir_sym(L->m, s)->kind != IR_SYM_FUNC || !ir_sym(L->m, s)->fn->is_prog) {
		buf_printf(&t->report, "run: no program %s\n", name);
		return -1;
	}
	const char *arrow = strstr(line, "->");
	if (!arrow) {
		buf_printf(&t->report, "run line needs '-> RETVAL': %s\n", line);
		return -1;
	}
	long long want = strtoll(arrow + 2, NULL, 0);
	struct ir_func *f = ir_sym(L->m, s)->fn;
	insn_vec insns = { 0 };
	int rc = link_program(t, L, s, &insns);
	struct wl_prog *prog = NULL;
	char *log = NULL;
	uint8_t *data = NULL, *ctx = NULL, *out_want = NULL;
	if (rc)
		goto done;
	struct wl_prog_opts o = { .name = ir_sym(L->m, s)->name,
				  .type = (uint32_t)ir_progtypes[f->progtype].kernel_id,
				  .insns = insns.data, .insn_cnt = insns.len,
				  .license = L->m->license ? L->m->license : "GPL", .log = &log };
	rc = wl_prog_load(&o, &prog);
	if (rc) {
		buf_printf(&t->report, "the kernel rejects %s (%s):\n%s\n", name, strerror(-rc), log ? log : "");
		goto done;
	}
	size_t ndata = hex_arg(line, "data", &data), nctx = hex_arg(line, "ctx", &ctx);
	size_t nout = hex_arg(arrow, "out", &out_want);
	uint8_t outbuf[4096];
	struct wl_test_run run = { .data_in = data, .data_size_in = (uint32_t)ndata, .ctx_in = ctx,
				   .ctx_size_in = (uint32_t)nctx, .repeat = 1 };
	if (nout) {
		run.data_out = outbuf;
		run.data_size_out = sizeof(outbuf);
	}
	const char *rp = strstr(line, " repeat=");
	if (rp && rp < arrow)
		run.repeat = (uint32_t)strtoul(rp + 8, NULL, 0);
	rc = wl_prog_test_run(prog, &run);
	if (rc) {
		buf_printf(&t->report, "test run of %s failed: %s\n", name, strerror(-rc));
		goto done;
	}
	buf_printf(&t->output, "run %s -> %u\n", name, run.retval);
	if ((long long)(int32_t)run.retval != want && (long long)run.retval != want) {
		buf_printf(&t->report, "%s returned %u, expected %lld\n", name, run.retval, want);
		rc = -1;
	}
	if (nout && (run.data_size_out < nout || memcmp(outbuf, out_want, nout))) {
		buf_printf(&t->report, "%s: the packet out differs from the expected bytes\n", name);
		rc = -1;
	}
done:
	free(data);
	free(ctx);
	free(out_want);
	free(log);
	wl_prog_destroy(prog);
	vec_free(&insns);
	return rc;
}

static int check_map(struct ft_test *t, struct linked *L, const char *line)
{
	char name[128];
	unsigned long long key, want;
	if (sscanf(line, "%127s %lli -> %lli", name, &key, &want) != 3) {
		buf_printf(&t->report, "bad map line (MAP KEY -> VALUE): %s\n", line);
		return -1;
	}
	uint32_t s = ir_sym_lookup(L->m, name[0] == '$' ? name + 1 : name);
	if (!s || !L->maps[s]) {
		buf_printf(&t->report, "map: no map %s\n", name);
		return -1;
	}
	uint8_t k[64] = { 0 }, v[4096] = { 0 };
	memcpy(k, &key, 8);
	int err = wl_map_lookup(L->maps[s], k, v, 0);
	unsigned long long got = 0;
	memcpy(&got, v, MIN(8u, wl_map_value_size(L->maps[s])));
	if (err || got != want) {
		buf_printf(&t->report, "map %s[%llu] is %llu (%s), expected %llu\n", name, key, got,
			   err ? strerror(-err) : "found", want);
		return -1;
	}
	buf_printf(&t->output, "map %s[%llu] = %llu\n", name, key, got);
	return 0;
}

int ft_run(struct ft_test *t)
{
	if (geteuid() != 0) {
		buf_puts(&t->report, "needs root to load BPF programs\n");
		return 77;
	}
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.capture = &t->diags;
	d.no_caret = true;
	uint32_t file = srcmgr_add(&sm, t->path, t->text, strlen(t->text));
	struct linked L = { 0 };
	int rc = 0;
	L.m = ir_parse(&d, file);
	if (!L.m || ir_verify_module(L.m, &d))
		goto out;
	/* programs run as the compiler would build them: the -O2 pipeline,
	 * verified after every pass (`test run -O0` skips it) */
	if (!strstr(t->args, "-O0")) {
		const char *const *pl = ir_pipeline(2);
		size_t np = 0;
		while (pl[np])
			np++;
		struct ir_pass_opts po = { .verify_each = true, .diag = &d };
		if (ir_run_passes(L.m, pl, np, &po)) {
			buf_puts(&t->report, "the IR does not verify after the -O2 pipeline\n");
			rc = 1;
			goto out;
		}
	}
	uint32_t n = L.m->syms.len;
	L.fn = xcalloc(n, sizeof(*L.fn));
	L.maps = xcalloc(n, sizeof(*L.maps));
	L.data_off = xcalloc(n, sizeof(uint32_t));
	L.data_sec = xcalloc(n, 1);
	for (uint32_t s = 1; s < n; s++)
		if (ir_sym(L.m, s)->kind == IR_SYM_FUNC &&
		    bk_compile_func(ir_sym(L.m, s)->fn, NULL, &L.fn[s], &d))
			goto out;
	if (create_maps(t, &L)) {
		rc = 1;
		goto out;
	}
	/* the directives, in file order */
	const char *p = t->text;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		char *line = xstrndup(p, eol ? (size_t)(eol - p) : strlen(p));
		const char *r = strstr(line, "; run:"), *mp = strstr(line, "; map:");
		if (r && run_one(t, &L, r + 6 + strspn(r + 6, " ")))
			rc = 1;
		if (mp && check_map(t, &L, mp + 6 + strspn(mp + 6, " ")))
			rc = 1;
		free(line);
		p = eol ? eol + 1 : NULL;
	}
out:
	if (L.m)
		for (uint32_t s = 1; s < L.m->syms.len; s++) {
			if (L.fn)
				bk_func_free(&L.fn[s]);
			if (L.maps)
				wl_map_destroy(L.maps[s]);
		}
	for (int i = 0; i < 3; i++)
		wl_map_destroy(L.data[i]);
	free(L.fn);
	free(L.maps);
	free(L.data_off);
	free(L.data_sec);
	ir_module_free(L.m);
	srcmgr_free(&sm);
	return rc;
}
