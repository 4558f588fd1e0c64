/* Filetest commands over the backend: asm (instruction listings, with the
 * relocations and CO-RE records of each function). */
#include "tests/filetest/filetest.h"

#include "backend/backend.h"
#include "backend/disasm.h"
#include "ir/pass.h"

#include <string.h>

int ft_asm(struct ft_test *t)
{
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.capture = &t->diags;
	d.no_caret = true;
	uint32_t file = srcmgr_add(&sm, t->path, t->text, strlen(t->text));
	struct ir_module *m = ir_parse(&d, file);
	if (!m || ir_verify_module(m, &d)) {
		ir_module_free(m);
		srcmgr_free(&sm);
		return 0;
	}
	struct bk_options opts = { 0 };
	if (strstr(t->args, "mir"))
		opts.dump_mir = &t->output;
	for (uint32_t s = 1; s < m->syms.len; s++) {
		if (ir_sym(m, s)->kind != IR_SYM_FUNC)
			continue;
		struct bk_func bf;
		if (bk_compile_func(ir_sym(m, s)->fn, &opts, &bf, &d) == 0) {
			buf_printf(&t->output, "%s:\n", ir_sym(m, s)->name);
			disasm_insns(bf.insns.data, bf.insns.len, m->cpu >= 3 ? DISASM_ALU32 : 0, &t->output);
			vec_foreach(&bf.relocs, r) buf_printf(&t->output, "\treloc %u: kind %u $%s\n", r->insn, r->kind,
							    ir_sym(m, r->sym)->name);
			vec_foreach(&bf.core, c) buf_printf(&t->output, "\tcore %u: kind %u \"%s\"\n", c->insn,
							  c->kind, c->access);
		}
		bk_func_free(&bf);
	}
	ir_module_free(m);
	srcmgr_free(&sm);
	return 0;
}
