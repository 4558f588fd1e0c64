/* Compiling IR text to an object in memory for the backend's unit tests. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <string.h>

void compile_text(const char *text, bool g0, struct compiled *c)
{
	memset(c, 0, sizeof(*c));
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.capture = &c->diags;
	d.no_caret = true;
	uint32_t file = srcmgr_add(&sm, "t.wir", text, strlen(text));
	struct ir_module *m = ir_parse(&d, file);
	c->rc = -1;
	if (m && !ir_verify_module(m, &d)) {
		struct obj_options o = { .line_info = !g0 };
		c->rc = bk_write_object(m, &o, &c->obj, &d);
	}
	if (!c->rc) {
		char err[256];
		int e = elfr_open(c->obj.data, c->obj.len, &c->elf, err, sizeof(err));
		cr_assert_eq(e, 0, "our object does not read back: %s", err);
	}
	ir_module_free(m);
	srcmgr_free(&sm);
}

void compiled_free(struct compiled *c)
{
	elfr_close(c->elf);
	buf_free(&c->obj);
	buf_free(&c->diags);
}

const struct elfr_section *section(const struct compiled *c, const char *name)
{
	const struct elfr_section *s = elfr_section_by_name(c->elf, name);
	cr_assert(s, "no section %s", name);
	return s;
}
