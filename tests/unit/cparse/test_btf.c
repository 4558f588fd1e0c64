/* Kernel types served from BTF (-fwhistler-btf-types): a program reads as
 * if bpftool's vmlinux.h had been included — records complete on member
 * access (also after libbpf's forward declarations), enumerators and
 * typedefs resolve, __VMLINUX_H__ is defined by the served include. */
#include "helpers.h"

#include "btf/btf.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static void need_btf(void)
{
	if (access(VMLINUX_BTF, R_OK))
		cr_skip_test("%s is not readable: no kernel BTF", VMLINUX_BTF);
}

static void parse_btf(struct tparse *t, const char *src)
{
	struct cparse_options o = { .btf_types = true };
	tp_parse(t, src, &o);
}

Test(btf, member_access_after_forward_declarations)
{
	need_btf();
	struct tparse t;
	parse_btf(&t, "struct task_struct;\n" /* as bpf_helper_defs.h has it */
		      "int f(struct task_struct *t) { return t->pid + t->real_parent->tgid; }\n"
		      "long g(struct pt_regs *r) { return r->di; }\n");
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	tp_free(&t);
}

Test(btf, served_include_defines_the_guard)
{
	need_btf();
	struct tparse t;
	parse_btf(&t, "#include \"vmlinux.h\"\n"
		      "#ifndef __VMLINUX_H__\n#error no guard\n#endif\n"
		      "u32 x;\n"
		      "_Static_assert(sizeof(u32) == 4, \"u32\");\n"
		      "_Static_assert(BPF_MAP_TYPE_HASH == 1, \"uapi value\");\n"
		      "_Static_assert(sizeof(enum bpf_map_type) == 4, \"enum size\");\n");
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	tp_free(&t);
}

Test(btf, record_sizes_are_the_kernels)
{
	need_btf();
	struct wbtf *btf;
	cr_assert_eq(wbtf_load_raw_file(VMLINUX_BTF, NULL, &btf), 0);
	int32_t id = wbtf_find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	cr_assert_gt(id, 0);
	uint32_t size = wbtf_type_by_id(btf, (uint32_t)id)->size;
	char *src = xasprintf("_Static_assert(sizeof(struct task_struct) == %u, \"size\");\n"
			      "struct task_struct ts;\n",
			      size);
	struct tparse t;
	parse_btf(&t, src);
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	struct cdecl *d = tp_global(&t, "ts");
	cr_assert_not_null(d);
	cr_assert(d->type->u.rec->flags & CRF_FROM_BTF);
	cr_assert(d->type->u.rec->flags & CRF_PRESERVE_ACCESS);
	cr_assert_eq(ctype_size(d->type), size);
	tp_free(&t);
	free(src);
	wbtf_free(btf);
}

Test(btf, kernel_names_are_declared_first)
{
	need_btf();
	struct tparse t;
	/* as with vmlinux.h included first: redefining is an error, shadowing
	 * in a block is not */
	parse_btf(&t, "struct task_struct { int mine; };\n");
	cr_assert_eq(t.d.errors, 1);
	cr_assert(strstr(buf_cstr(&t.errs), "redefinition of 'task_struct'"), "%s",
		  buf_cstr(&t.errs));
	tp_free(&t);
	parse_btf(&t,
		  "int f(void) { struct task_struct { int mine; } x = { 1 }; typedef long u32;\n"
		  "	return x.mine + sizeof(u32); }\n");
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	tp_free(&t);
}
