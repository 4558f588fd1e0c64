/* btf against clang and bpftool: our reader's dump of clang's objects and of
 * the kernel's BTF equals bpftool's; .BTF/.BTF.ext re-encode to clang's bytes;
 * .BTF.ext records agree with the source and with llvm-objdump. */
#include "helpers.h"
#include "util/fileio.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void need(const char *tool)
{
	if (!th_have(tool))
		cr_skip_test("%s is not installed", tool);
}

static void dump_matches_bpftool(const char *src)
{
	need("clang-19");
	need("bpftool");
	char *obj = th_clang(src, NULL);
	struct wbtf *btf = th_load_obj_btf(obj, NULL);
	struct buf mine = { 0 }, theirs = { 0 };
	wbtf_dump_text(btf, &mine);
	char *cmd = xasprintf("bpftool btf dump file %s", obj);
	cr_assert_eq(th_run(cmd, &theirs), 0);
	cr_assert(mine.len > 100);
	cr_assert_str_eq(buf_cstr(&mine), buf_cstr(&theirs), "dump of %s differs from bpftool's",
			 src);

	/* and as C, like `format c` */
	mine.len = theirs.len = 0;
	cr_assert_eq(wbtf_dump_c(btf, &mine), 0, "%s", wbtf_last_error());
	free(cmd);
	cmd = xasprintf("bpftool btf dump file %s format c", obj);
	cr_assert_eq(th_run(cmd, &theirs), 0);
	cr_assert_str_eq(buf_cstr(&mine), buf_cstr(&theirs),
			 "format c of %s differs from bpftool's", src);

	/* re-encoding clang's BTF reproduces its bytes */
	struct buf b = { 0 }, x = { 0 }, enc = { 0 };
	th_elf_sections(obj, &b, &x);
	cr_assert_eq(wbtf_encode(btf, false, &enc), 0);
	cr_assert_eq(enc.len, b.len);
	cr_assert(!memcmp(enc.data, b.data, b.len), "re-encoded .BTF of %s differs", src);
	struct wbtf_ext ext;
	cr_assert_eq(wbtf_ext_parse(x.data, x.len, btf, &ext), 0, "%s", wbtf_last_error());
	buf_free(&enc);
	cr_assert_eq(wbtf_ext_encode(&ext, false, &enc), 0);
	cr_assert_eq(enc.len, x.len);
	cr_assert(!memcmp(enc.data, x.data, x.len), "re-encoded .BTF.ext of %s differs", src);
	wbtf_ext_free(&ext);
	buf_free(&b);
	buf_free(&x);
	buf_free(&enc);
	buf_free(&mine);
	buf_free(&theirs);
	free(cmd);
	free(obj);
	wbtf_free(btf);
}

Test(clang, every_kind_dumps_like_bpftool)
{
	dump_matches_bpftool("kinds.c");
}

Test(clang, more_corners_dump_like_bpftool)
{
	dump_matches_bpftool("kinds2.c");
}

Test(clang, core_object_dumps_like_bpftool)
{
	if (!th_vmlinux_h_dir())
		cr_skip_test("no kernel BTF or bpftool to make vmlinux.h");
	dump_matches_bpftool("core.c");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(kernel, vmlinux_loads_fast_and_dumps_like_bpftool)
{
	need("bpftool");
	struct wbtf *btf;
	double t0 = now();
	int err = wbtf_load_vmlinux(&btf);
	if (err == -ENOENT)
		cr_skip_test("no /sys/kernel/btf/vmlinux");
	cr_assert_eq(err, 0, "%s", wbtf_last_error());
	double t1 = now();
	int32_t id = wbtf_find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	double t2 = now();
	cr_assert_gt(id, 0);
	cr_assert_eq(wbtf_find_by_name_kind(btf, "no_such_type_anywhere", -1), -ENOENT);
	int32_t tpid = wbtf_find_by_name_kind(btf, "pid_t", BTF_KIND_TYPEDEF);
	cr_assert_gt(tpid, 0);
	cr_assert_str_eq(wbtf_name(btf, (uint32_t)tpid), "pid_t");
	fprintf(stderr,
		"[btf timing] vmlinux: %u types, load+validate %.1f ms, name index + first lookup %.1f ms\n",
		wbtf_type_cnt(btf) - 1, (t1 - t0) * 1e3, (t2 - t1) * 1e3);

	struct buf mine = { 0 }, theirs = { 0 };
	wbtf_dump_text(btf, &mine);
	cr_assert_eq(th_run("bpftool btf dump file /sys/kernel/btf/vmlinux", &theirs), 0);
	cr_assert_eq(mine.len, theirs.len);
	cr_assert(!memcmp(mine.data, theirs.data, mine.len), "vmlinux dump differs from bpftool's");

	/* vmlinux.h: byte for byte what bpftool generates */
	mine.len = theirs.len = 0;
	double t3 = now();
	cr_assert_eq(wbtf_dump_c(btf, &mine), 0, "%s", wbtf_last_error());
	fprintf(stderr, "[btf timing] vmlinux format c: %.1f ms, %zu bytes\n", (now() - t3) * 1e3,
		mine.len);
	cr_assert_eq(th_run("bpftool btf dump file /sys/kernel/btf/vmlinux format c", &theirs), 0);
	cr_assert_eq(mine.len, theirs.len);
	cr_assert(!memcmp(mine.data, theirs.data, mine.len), "vmlinux.h differs from bpftool's");

	/* every named type is found by its name (first of that kind) */
	uint32_t checked = 0;
	for (uint32_t i = 1; i < wbtf_type_cnt(btf); i += 97) {
		const struct btf_type *t = wbtf_type_by_id(btf, i);
		const char *name = wbtf_name(btf, i);
		if (!*name || wbtf_kind(t) == BTF_KIND_DECL_TAG)
			continue;
		int32_t found = wbtf_find_by_name_kind(btf, name, (int)wbtf_kind(t));
		cr_assert(found > 0 && (uint32_t)found <= i, "'%s' [%u] found as %d", name, i,
			  found);
		cr_assert_str_eq(wbtf_name(btf, (uint32_t)found), name);
		checked++;
	}
	cr_assert_gt(checked, 100);
	buf_free(&mine);
	buf_free(&theirs);
	wbtf_free(btf);
}

/* Splits a file into lines (1-based). */
static char **read_lines(const char *path, int *n)
{
	struct buf b = { 0 };
	cr_assert_eq(file_read(path, &b), 0);
	char *s = buf_steal(&b), **lines = xcalloc(4096, sizeof(char *));
	int count = 1;
	for (char *p = s; p && count < 4095;) {
		lines[count++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = 0;
	}
	*n = count;
	return lines;
}

Test(ext, clang_line_info_matches_source)
{
	need("clang-19");
	char *obj = th_clang("kinds.c", NULL);
	struct wbtf_ext ext;
	struct wbtf *btf = th_load_obj_btf(obj, &ext);
	char *src = th_input("kinds.c");
	int nlines;
	char **lines = read_lines(src, &nlines);
	uint32_t nfunc = 0, nline = 0;
	bool seen_prog = false, seen_helper = false, seen_gfun = false;
	for (uint32_t s = 0; s < ext.nr_secs; s++) {
		const struct wbtf_ext_sec *sec = &ext.secs[s];
		const char *secname = wbtf_str(btf, sec->sec_name_off);
		cr_assert(!strcmp(secname, "xdp") || !strcmp(secname, ".text"), "section %s",
			  secname);
		for (uint32_t i = 0; i < sec->nr_func; i++) {
			const char *fn = wbtf_name(btf, sec->func[i].type_id);
			seen_prog |= !strcmp(fn, "prog");
			seen_helper |= !strcmp(fn, "helper");
			seen_gfun |= !strcmp(fn, "gfun");
			if (i == 0)
				cr_assert_eq(sec->func[i].insn_off, 0);
			else
				cr_assert_gt(sec->func[i].insn_off, sec->func[i - 1].insn_off);
			nfunc++;
		}
		for (uint32_t i = 0; i < sec->nr_line; i++) {
			const struct wbtf_line_info *l = &sec->line[i];
			uint32_t line = WBTF_LINE(l->line_col);
			const char *file = wbtf_str(btf, l->file_name_off);
			cr_assert(strstr(file, "kinds.c"), "file %s", file);
			cr_assert(line > 0 && (int)line < nlines, "line %u", line);
			cr_assert_str_eq(wbtf_str(btf, l->line_off), lines[line], "line %u text",
					 line);
			if (i)
				cr_assert_gt(l->insn_off, sec->line[i - 1].insn_off);
			nline++;
		}
		cr_assert_eq(sec->nr_core, 0);
	}
	cr_assert(seen_prog && seen_helper && seen_gfun);
	cr_assert_eq(nfunc, 3);
	cr_assert_gt(nline, 5);
	free(lines[1]);
	free(lines);
	free(src);
	free(obj);
	wbtf_ext_free(&ext);
	wbtf_free(btf);
}

/* CO-RE records as llvm-objdump -dr prints them: offset, kind, type id and
 * access string ("(0:92)" when present). */
Test(ext, clang_core_relos_match_llvm_objdump)
{
	need("clang-19");
	need("llvm-objdump-19");
	if (!th_vmlinux_h_dir())
		cr_skip_test("no kernel BTF or bpftool to make vmlinux.h");
	char *obj = th_clang("core.c", NULL);
	struct wbtf_ext ext;
	struct wbtf *btf = th_load_obj_btf(obj, &ext);
	struct buf out = { 0 };
	char *cmd = xasprintf("llvm-objdump-19 -dr %s | grep 'CO-RE'", obj);
	cr_assert_eq(th_run(cmd, &out), 0);
	cr_assert_eq(ext.nr_secs, 1);
	const struct wbtf_ext_sec *sec = &ext.secs[0];
	uint32_t i = 0;
	for (char *line = strtok((char *)buf_cstr(&out), "\n"); line;
	     line = strtok(NULL, "\n"), i++) {
		unsigned long long off;
		char kind[32];
		unsigned id;
		cr_assert_eq(sscanf(line, " %llx: CO-RE <%31[^>]> [%u]", &off, kind, &id), 3, "%s",
			     line);
		cr_assert_lt(i, sec->nr_core);
		const struct wbtf_core_relo *r = &sec->core[i];
		cr_assert_eq(r->insn_off, off, "%s", line);
		cr_assert_str_eq(wbtf_core_kind_name(r->kind), kind);
		cr_assert_eq(r->type_id, id);
		char *paren = strrchr(line, '(');
		if (paren && r->kind <= BPF_CORE_FIELD_RSHIFT_U64) {
			char acc[64];
			cr_assert_eq(sscanf(paren, "(%63[0-9:])", acc), 1);
			cr_assert_str_eq(wbtf_str(btf, r->access_str_off), acc);
		}
	}
	cr_assert_eq(i, sec->nr_core);
	cr_assert_gt(i, 10);
	buf_free(&out);
	free(cmd);
	free(obj);
	wbtf_ext_free(&ext);
	wbtf_free(btf);
}
