/* The object writer's output as loaders read it: .BTF.ext subsections,
 * sections, symbols and relocations for the shapes the program suite found
 * broken at some point. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <string.h>

static uint32_t u32_at(const uint8_t *p, size_t off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

static const char *const xdp_prog = "target v3\n"
				    "license \"GPL\"\n"
				    "prog $p(%ctx:ptr.ctx) -> i32 type=xdp section=\"xdp\" {\n"
				    "@entry\n"
				    "\tret 2\n"
				    "}\n";

/* libbpf refuses a .BTF.ext whose line_info holds a record size and no
 * record: without line information the subsection must be empty. */
Test(object, btf_ext_without_lines)
{
	struct compiled c;
	compile_text(xdp_prog, true, &c);
	cr_assert_eq(c.rc, 0, "%.*s", (int)c.diags.len, c.diags.data);
	const struct elfr_section *ext = section(&c, ".BTF.ext");
	uint32_t hdr = u32_at(ext->data, 4);
	cr_assert_eq(hdr, 32);
	cr_assert_eq(u32_at(ext->data, 12), 8 + 4 + 8, "func_info: rec size, one section of one record");
	cr_assert_eq(u32_at(ext->data, 20), 0, "line_info must be empty, is %u bytes", u32_at(ext->data, 20));
	cr_assert_eq(u32_at(ext->data, 28), 0, "core_relo must be empty");
	compiled_free(&c);
}
