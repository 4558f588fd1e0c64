/* The compilation stages of whistlercc after option parsing: C through the
 * preprocessor, parser, semantic analysis and lowering to IR, Whistler IR
 * text through the IR parser; then both through the IR verifier, the
 * optimizer pipeline of the -O level and the backend. */
#include "driver/cc_compile.h"
#include "frontend/c/cparse.h"
#include "frontend/c/lower.h"
#include "backend/object.h"
#include "ir/pass.h"

#include <string.h>

/* What the kernel's verifier would refuse at load time is an error unless
 * -Wno-error=bpf-verifier (a warning) or -Wno-bpf-verifier; the last wins. */
static enum ir_rule_level kernel_rules(const struct cc_options *o)
{
	enum ir_rule_level l = IR_RULES_ERROR;
	for (size_t i = 0; i < o->wflags.len; i++) {
		const char *w = o->wflags.data[i];
		if (!strcmp(w, "no-error=bpf-verifier"))
			l = IR_RULES_WARN;
		else if (!strcmp(w, "no-bpf-verifier"))
			l = IR_RULES_OFF;
		else if (!strcmp(w, "bpf-verifier") || !strcmp(w, "error=bpf-verifier"))
			l = IR_RULES_ERROR;
	}
	return l == IR_RULES_WARN && o->no_warnings ? IR_RULES_OFF : l;
}

/* Verifies, optimizes and writes a module for o->mode: an object, its
 * assembly, or (-emit-llvm) the IR; with BTF and line info when `debug`
 * (-g, or IR input). Returns the exit code. */
static int compile_module(const struct cc_options *o, struct ir_module *m, const char *source,
			  const char *output, struct diag *d, bool debug)
{
	int rc = 1;
	struct buf obj = { 0 }, text = { 0 };
	m->kernel_rules = kernel_rules(o);
	if (ir_verify_module(m, d) || diag_failed(d)) /* -Werror */
		goto done;
	if (m->kernel_rules == IR_RULES_WARN)
		m->kernel_rules = IR_RULES_OFF; /* warned once, not again after the passes */
	const char *const *pl = ir_pipeline(o->opt_size ? 2 : o->opt_level);
	size_t np = 0;
	while (pl[np])
		np++;
	struct ir_pass_opts po = { .diag = d };
	if (ir_run_passes(m, pl, np, &po) || ir_verify_module(m, d))
		goto done;
	if (o->mode == CC_MODE_SYNTAX) {
		rc = 0;
		goto done;
	}
	if (o->emit_llvm) {
		/* -emit-llvm: Whistler's own IR takes LLVM's place */
		ir_print_module(m, &text);
		rc = cc_write_output(output, text.data, text.len) ? 1 : 0;
		goto done;
	}
	struct obj_options oo = { .line_info = debug, .no_btf = !debug };
	oo.bk.cpu = o->cpu_explicit && o->cpu != CPU_PROBE ? (uint8_t)o->cpu : 0;
	oo.bk.stack_limit = o->stack_size > 0 ? (uint32_t)o->stack_size : 0;
	if (bk_write_object(m, &oo, &obj, d))
		goto done;
	if (o->mode == CC_MODE_ASM) {
		bk_object_asm(obj.data, obj.len, source, &text);
		rc = cc_write_output(output, text.data, text.len) ? 1 : 0;
	} else {
		rc = cc_write_output(output, obj.data, obj.len) ? 1 : 0;
	}
	if (rc)
		diag_error(d, (struct srcloc){ 0 }, "cannot write '%s'", output);
done:
	buf_free(&obj);
	buf_free(&text);
	return rc;
}

int cc_compile(const struct cc_options *o, const struct cc_input *input, const char *output,
	       struct diag *d)
{
	int err;
	struct pp *pp = cc_new_pp(o, input, d, d->sm, &err);
	if (!pp) {
		diag_error(d, (struct srcloc){ 0 }, "no such file or directory: '%s'", input->path);
		return 1;
	}
	struct cparse_options po = {
		.btf_types = o->btf_types,
		.btf_path = o->btf_path,
		.wflags = o->wflags.data,
		.nwflags = o->wflags.len,
		.no_warnings = o->no_warnings,
		.eager_records = o->eager_records,
	};
	struct ctu *tu = cparse_unit(pp, d, &po);
	int rc = diag_failed(d) ? 1 : 0;
	if ((o->ast_dump || o->dump_layouts) && !rc) {
		struct buf b = { 0 };
		if (o->dump_layouts)
			cast_dump_layouts(tu, o->dump_layouts_complete, &b);
		if (o->ast_dump)
			cast_dump(tu, &b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	}
	if (!rc && o->mode != CC_MODE_SYNTAX) {
		struct clower_options lo = {
			.cpu = o->cpu == CPU_PROBE ? 3 : (uint8_t)o->cpu,
			.debug = o->debug > 0,
			.no_inline = o->no_inline,
			.opt_level = o->opt_size ? 2 : o->opt_level,
		};
		struct ir_module *m = clower_unit(tu, d, &lo);
		/* BTF and source lines in .BTF.ext only with -g, as clang */
		rc = m ? compile_module(o, m, input->path, output, d, o->debug > 0) : 1;
		ir_module_free(m);
	}
	if (cc_emit_dep_file(o, input->path, output, pp))
		rc = 1;
	ctu_free(tu);
	pp_free(pp);
	return rc;
}

int cc_compile_ir(const struct cc_options *o, const struct cc_input *input, const char *output,
		  struct diag *d)
{
	uint32_t file = srcmgr_load(d->sm, input->path);
	if (!file) {
		diag_error(d, (struct srcloc){ 0 }, "no such file or directory: '%s'", input->path);
		return 1;
	}
	struct ir_module *m = ir_parse(d, file);
	int rc = m ? compile_module(o, m, input->path, output, d, true) : 1;
	ir_module_free(m);
	return rc;
}
