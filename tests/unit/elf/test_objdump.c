/* `whistler objdump` against `llvm-objdump-19 -d -r` on objects clang-19
 * compiles from tests/unit/elf/inputs/ (each *.c) for each -mcpu the input names:
 * the output must be identical (llvm's "CO-RE" comment lines aside). */
#include "tests/unit/elf/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <string.h>

static const char *inputs_dir(void)
{
	static char *dir;
	if (!dir)
		dir = xasprintf("%s/tests/unit/elf/inputs", WHISTLER_SOURCE_DIR);
	return dir;
}

/* The first lines of an input: "// cpus: v1 v2", optionally
 * "// variants: -O2; -O2 -g" (default -O2). */
struct input_cfg {
	char cpus[64];
	char variants[256];
};

static void read_cfg(const char *path, struct input_cfg *cfg)
{
	struct buf b = { 0 };
	cr_assert_eq(file_read(path, &b), 0, "%s", path);
	const char *s = buf_cstr(&b);
	const char *c = strstr(s, "// cpus:");
	cr_assert(c, "%s: no '// cpus:' line", path);
	sscanf(c + 8, " %63[^\n]", cfg->cpus);
	const char *v = strstr(s, "// variants:");
	if (v)
		sscanf(v + 12, " %255[^\n]", cfg->variants);
	else
		strcpy(cfg->variants, "-O2");
	buf_free(&b);
}

static int compared;

static void compare(const char *dir, const char *obj, const char *flags)
{
	struct buf want = { 0 }, got = { 0 };
	char *cmd = xasprintf("cd '%s' && llvm-objdump-19 -d %s '%s'", dir, flags, obj);
	cr_assert_eq(tu_run(cmd, &want), 0, "%s", cmd);
	free(cmd);
	cmd = xasprintf("cd '%s' && '%s' objdump -d %s '%s'", dir, WHISTLER_BIN, flags, obj);
	cr_assert_eq(tu_run(cmd, &got), 0, "%s", cmd);
	free(cmd);
	char *diff = tu_first_diff(buf_cstr(&want), buf_cstr(&got));
	cr_assert_null(diff, "%s: whistler objdump -d %s differs from llvm-objdump-19 at %s", obj,
		       flags, diff);
	/* guard against two empty outputs agreeing */
	cr_assert(strstr(buf_cstr(&got), "Disassembly of section"), "%s: nothing disassembled",
		  obj);
	buf_free(&want);
	buf_free(&got);
	compared++;
}

Test(objdump, matches_llvm_objdump_on_clang_objects, .timeout = 600)
{
	if (!tu_have("clang-19") || !tu_have("llvm-objdump-19"))
		cr_skip_test(
			"clang-19 or llvm-objdump-19 not installed: objdump comparison skipped");
	char *tmp = tu_tmpdir();
	cr_assert(tmp);
	DIR *d = opendir(inputs_dir());
	cr_assert(d, "%s", inputs_dir());
	struct dirent *e;
	int objects = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".c"))
			continue;
		char *src = xasprintf("%s/%s", inputs_dir(), e->d_name);
		struct input_cfg cfg;
		read_cfg(src, &cfg);
		char *cpus = xstrdup(cfg.cpus), *save_c = NULL;
		for (char *cpu = strtok_r(cpus, " ", &save_c); cpu;
		     cpu = strtok_r(NULL, " ", &save_c)) {
			char *vars = xstrdup(cfg.variants), *save_v = NULL;
			int vi = 0;
			for (char *var = strtok_r(vars, ";", &save_v); var;
			     var = strtok_r(NULL, ";", &save_v), vi++) {
				char *obj =
					xasprintf("%.*s_%s_%d.o", (int)(n - 2), e->d_name, cpu, vi);
				char *cmd =
					xasprintf("clang-19 -target bpf -mcpu=%s %s -I'%s' -c '%s' "
						  "-o '%s/%s' 2>&1",
						  cpu, var, inputs_dir(), src, tmp, obj);
				struct buf log = { 0 };
				int rc = tu_run(cmd, &log);
				cr_assert_eq(rc, 0, "%s failed:\n%s", cmd, buf_cstr(&log));
				buf_free(&log);
				free(cmd);
				compare(tmp, obj, "-r");
				compare(tmp, obj, "-r --mattr=+alu32");
				if (vi == 0) {
					compare(tmp, obj, "");
					compare(tmp, obj, "-r --no-show-raw-insn");
					compare(tmp, obj, "-r --no-print-imm-hex");
				}
				objects++;
				free(obj);
			}
			free(vars);
		}
		free(cpus);
		free(src);
	}
	closedir(d);
	cr_assert_geq(objects, 25, "only %d objects compiled from %s", objects, inputs_dir());
	cr_log_info("compared %d listings of %d clang objects", compared, objects);
	tu_rmdir(tmp);
}

Test(objdump, malformed_input_is_a_clean_error)
{
	char *tmp = tu_tmpdir();
	cr_assert(tmp);
	char *bad = xasprintf("%s/bad.o", tmp);
	cr_assert_eq(file_write_atomic(bad,
				       "\x7f"
				       "ELF\2\1\1\0garbage",
				       16),
		     0);
	struct buf out = { 0 };
	char *cmd = xasprintf("'%s' objdump '%s' 2>&1", WHISTLER_BIN, bad);
	cr_assert_eq(tu_run(cmd, &out), 1, "exit status 1 for a malformed object");
	cr_assert(strstr(buf_cstr(&out), "bad.o': file too small for an ELF header (16 bytes)"),
		  "%s", buf_cstr(&out));
	free(cmd);
	out.len = 0;
	static const char text[] =
		"hello, world: this text is not an object file, but it is long enough";
	cr_assert_eq(file_write_atomic(bad, text, strlen(text)), 0);
	out.len = 0;
	cmd = xasprintf("'%s' objdump '%s' 2>&1", WHISTLER_BIN, bad);
	cr_assert_eq(tu_run(cmd, &out), 1);
	cr_assert(strstr(buf_cstr(&out), "not an ELF file (bad magic)"), "%s", buf_cstr(&out));
	free(cmd);
	out.len = 0;
	cmd = xasprintf("'%s' objdump '%s/missing.o' 2>&1", WHISTLER_BIN, tmp);
	cr_assert_eq(tu_run(cmd, &out), 1);
	cr_assert(strstr(buf_cstr(&out), "missing.o': No such file or directory"), "%s",
		  buf_cstr(&out));
	free(cmd);
	out.len = 0;
	cmd = xasprintf("'%s' objdump --bogus x.o 2>&1", WHISTLER_BIN);
	cr_assert_eq(tu_run(cmd, &out), 1);
	cr_assert(strstr(buf_cstr(&out), "unknown option '--bogus'"), "%s", buf_cstr(&out));
	free(cmd);
	buf_free(&out);
	free(bad);
	tu_rmdir(tmp);
}
