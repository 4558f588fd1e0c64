/* Record and enum bodies of a vmlinux.h parsed on first use (parse_lazy.c):
 * every program means the same as with eager parsing — lookups from inside
 * functions see the file scope, enumerators conflict and shadow as they
 * should, macros defined before the header still apply — and a parsed unit
 * completes on demand until ctu_free(). */
#include "helpers.h"

#include "util/fileio.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_lazy.%d", (int)getpid());
	char *cmd = xasprintf("mkdir -p %s", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd)) {
	}
	free(cmd);
}

TestSuite(lazy, .init = setup, .fini = teardown);

static const char vmlinux[] =
	"#ifndef __VMLINUX_H__\n"
	"#define __VMLINUX_H__\n"
	"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = "
	"record)\n"
	"typedef unsigned int u32;\n"
	"typedef unsigned long long u64;\n"
	"struct list_head { struct list_head *next, *prev; };\n"
	"enum pid_type { PIDTYPE_PID = 0, PIDTYPE_TGID = 1, PIDTYPE_MAX = 4, };\n"
	"enum { NR_THINGS = 3 };\n"
	"struct thing {\n"
	"	u32 flags;\n"
	"	u64 when;\n"
	"	union { int a; long b; };\n"
	"	struct list_head link;\n"
	"	int arr[NR_THINGS];\n"
	"	enum pid_type kind;\n"
	"	struct thing *parent;\n"
	"} __attribute__((packed));\n"
	"struct bpf_iter_meta { int seq; };\n"
	"typedef struct { int counter; } atomic_t;\n"
	"#pragma clang attribute pop\n"
	"#endif\n";

/* Parses `src` (with the vmlinux.h above next to it), eager or lazy. */
static void parse(struct tparse *t, const char *src, bool eager)
{
	char *vh = xasprintf("%s/vmlinux.h", dir), *c = xasprintf("%s/t.c", dir);
	cr_assert_eq(file_write_atomic(vh, vmlinux, strlen(vmlinux)), 0);
	cr_assert_eq(file_write_atomic(c, src, strlen(src)), 0);
	struct cparse_options o = { .eager_records = eager };
	tp_parse_file(t, c, NULL, &o);
	free(vh);
	free(c);
}

Test(lazy, unused_bodies_stay_unparsed_and_complete_on_demand)
{
	struct tparse t;
	parse(&t, "#include \"vmlinux.h\"\nint f(struct thing *p) { return 0; }\n", false);
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	cr_assert_null(tp_record(&t, "thing"), "struct thing was parsed without a use");
	cr_assert_not_null(t.tu->parser, "the parser is kept for the bodies left");
	ctu_complete_records(t.tu);
	struct crecord *r = tp_record(&t, "thing");
	cr_assert_not_null(r);
	crecord_layout(r);
	cr_assert(r->flags & CRF_PRESERVE_ACCESS, "the pragma's attribute applies");
	cr_assert(r->flags & CRF_PACKED);
	cr_assert_eq(r->nmembers, 7);
	cr_assert_eq(r->size, 4 + 8 + 8 + 16 + 12 + 4 + 8);
	tp_free(&t);
}

Test(lazy, member_access_completes_and_sees_the_file_scope)
{
	/* the local typedef u32 must not leak into struct thing's body */
	struct tparse t;
	parse(&t,
	      "#include \"vmlinux.h\"\n"
	      "int f(struct thing *p) {\n"
	      "	typedef char u32;\n"
	      "	enum { NR_THINGS = 100 };\n"
	      "	return sizeof(p->flags) + sizeof(p->arr) + p->kind;\n"
	      "}\n"
	      "_Static_assert(sizeof(struct thing) == 60, \"layout\");\n"
	      "_Static_assert(sizeof(((struct thing *)0)->flags) == 4, \"u32\");\n",
	      false);
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	struct crecord *r = tp_record(&t, "thing");
	cr_assert_not_null(r);
	cr_assert_eq(ctype_size(r->members[0].type), 4);
	cr_assert_eq(ctype_size(r->members[4].type), 12, "arr has NR_THINGS = 3 elements");
	tp_free(&t);
}

Test(lazy, enumerators_are_found_shadowed_and_conflict)
{
	struct tparse t;
	parse(&t,
	      "#include \"vmlinux.h\"\n"
	      "int g(void) { int PIDTYPE_TGID = 7; return PIDTYPE_TGID + PIDTYPE_MAX; }\n"
	      "int h(void) { return PIDTYPE_TGID; }\n"
	      "_Static_assert(PIDTYPE_MAX == 4, \"value\");\n"
	      "_Static_assert(sizeof(enum pid_type) == 4, \"size\");\n",
	      false);
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	tp_free(&t);

	/* a file-scope redeclaration conflicts as with the body parsed */
	parse(&t, "#include \"vmlinux.h\"\nint PIDTYPE_PID;\n", false);
	cr_assert_eq(t.d.errors, 1);
	cr_assert(strstr(buf_cstr(&t.errs), "redefinition of 'PIDTYPE_PID' as different kind of "
					    "symbol"),
		  "%s", buf_cstr(&t.errs));
	tp_free(&t);
}

Test(lazy, macros_defined_before_the_header_still_apply)
{
	/* the selftests' bpf_iter.h renames kernel structs around the include */
	struct tparse t;
	parse(&t,
	      "#define bpf_iter_meta bpf_iter_meta___not_used\n"
	      "#include \"vmlinux.h\"\n"
	      "#undef bpf_iter_meta\n"
	      "struct bpf_iter_meta { long other; };\n"
	      "_Static_assert(sizeof(struct bpf_iter_meta) == 8, \"ours\");\n"
	      "_Static_assert(sizeof(struct bpf_iter_meta___not_used) == 4, \"theirs\");\n",
	      false);
	cr_assert_eq(t.d.errors, 0, "%s", buf_cstr(&t.errs));
	tp_free(&t);
}

Test(lazy, same_layouts_as_eager_parsing)
{
	const char *src = "#include \"vmlinux.h\"\nstruct thing th; atomic_t at;\n";
	struct tparse a, b;
	parse(&a, src, false);
	parse(&b, src, true);
	cr_assert_eq(a.d.errors + b.d.errors, 0);
	cr_assert_null(b.tu->parser, "eager parsing keeps no parser");
	struct buf la = { 0 }, lb = { 0 };
	cast_dump_layouts(a.tu, true, &la);
	cast_dump_layouts(b.tu, true, &lb);
	/* records complete in another order: compare the sorted blocks */
	cr_assert_eq(la.len, lb.len, "lazy:\n%s\neager:\n%s", buf_cstr(&la), buf_cstr(&lb));
	cr_assert(strstr(buf_cstr(&la), "Type: struct thing\n"));
	cr_assert(strstr(buf_cstr(&la), "Type: atomic_t\n"));
	buf_free(&la);
	buf_free(&lb);
	tp_free(&a);
	tp_free(&b);
}

Test(lazy, only_files_named_vmlinux_h)
{
	char *h = xasprintf("%s/types.h", dir), *c = xasprintf("%s/t.c", dir);
	const char *hdr = "struct s { int x; };\n";
	const char *src = "#include \"types.h\"\nint y;\n";
	cr_assert_eq(file_write_atomic(h, hdr, strlen(hdr)), 0);
	cr_assert_eq(file_write_atomic(c, src, strlen(src)), 0);
	struct tparse t;
	tp_parse_file(&t, c, NULL, NULL);
	cr_assert_not_null(tp_record(&t, "s"), "other headers are parsed where written");
	cr_assert_null(t.tu->parser);
	tp_free(&t);
	free(h);
	free(c);
}
