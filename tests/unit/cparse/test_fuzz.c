/* Inputs fuzz_cparse found crashing (or tripping the sanitizers), run
 * through the same pipeline: parse, complete lazy bodies, dump the AST and
 * every layout.  Each must simply finish, with whatever diagnostics. */
#include "helpers.h"

#include "util/fileio.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* As fuzz_cparse: `src`, and `hdr` written as both b.h and vmlinux.h. */
static void run(const char *src, size_t n, const char *hdr, size_t hn)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/test_fuzz.%d", (int)getpid());
	char *cmd = xasprintf("mkdir -p %s", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	char *a = xasprintf("%s/a.c", dir), *b = xasprintf("%s/b.h", dir),
	     *v = xasprintf("%s/vmlinux.h", dir);
	cr_assert_eq(file_write_atomic(a, src, n), 0);
	cr_assert_eq(file_write_atomic(b, hdr, hn), 0);
	cr_assert_eq(file_write_atomic(v, hdr, hn), 0);
	const char *dirs[] = { dir, NULL };
	static const char *const wflags[] = { "all", "extra" };
	struct cparse_options o = { .wflags = wflags, .nwflags = 2 };
	struct tparse t;
	tp_parse_file(&t, a, dirs, &o);
	ctu_complete_records(t.tu);
	struct buf out = { 0 };
	cast_dump(t.tu, &out);
	cast_dump_layouts(t.tu, true, &out);
	buf_free(&out);
	tp_free(&t);
	cmd = xasprintf("rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(a);
	free(b);
	free(v);
}

#define RUN(s) run(s, sizeof(s) - 1, "", 0)

/* A block-scope redeclaration of the function being defined is the same
 * declaration, body and all: the dump recursed through it forever. */
Test(fuzz, function_redeclared_in_its_own_body)
{
	RUN("struct s { int a; };\nint f(struct *p) { re s { int a; };\nint f(struct *p\n");
	RUN("int f(void) { int f(void); return 0; }\n");
}

/* A switch without cases; a multi-character constant in #if overflowing. */
Test(fuzz, empty_switch_and_long_char_constant_in_if)
{
	RUN("void f(int x) { switch (x) ; }\n");
	RUN("#if 'abcdefghijk' == 0\n#endif\nint x;\n");
}

/* After a fatal error errors are no longer counted, so no limit stopped
 * a recovery that took no token: a stray ')' at file scope. */
Test(fuzz, recovery_always_moves_on)
{
	RUN("#include \"missing.h\"\n)\nint x;\n]\n");
	RUN("#include \"missing.h\"\nint f(void) { ) }\nstruct s { ) int a; };\n");
}
