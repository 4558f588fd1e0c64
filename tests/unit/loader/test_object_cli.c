/* `whistler load` and `whistler attach` on clang-19 objects: what they
 * print, their exit codes, errors naming the program, pinning. */
#include "objutil.h"

/* Runs the command, returns its exit status; stdout+stderr in *out. */
static int run(struct buf *out, const char *fmt, ...) W_PRINTF(2, 3);
static int run(struct buf *out, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char *full = xasprintf("%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	free(full);
	cr_assert_not_null(p);
	out->len = 0;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(out, chunk, n);
	int st = pclose(p);
	buf_cstr(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool has_line_starting(const char *text, const char *prefix, const char *also)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		if (!strncmp(l, prefix, strlen(prefix))) {
			char *line = xstrndup(l, len);
			bool ok = !also || strstr(line, also);
			free(line);
			if (ok)
				return true;
		}
	}
	return false;
}

Test(object_cli, load_lists_programs_and_maps)
{
	char *o = bpf_obj("net");
	struct buf out = { 0 };
	cr_assert_eq(run(&out, "%s load %s", WL_WHISTLER_BIN, o), 0, "%s", buf_cstr(&out));
	const char *t = buf_cstr(&out);
	cr_assert(!strncmp(t, "Loaded net: 3 programs, 2 maps\n", 31), "%s", t);
	cr_assert(has_line_starting(t, "  prog xdp_count ", "xdp/xdp"), "%s", t);
	cr_assert(has_line_starting(t, "  prog xdp_count ", " bytes jited  [xdp]"), "%s", t);
	unsigned ver = 0, jit = 0;
	const char *xl = strstr(t, "  prog xdp_count ");
	const char *ins = xl ? strstr(xl, " insns ") : NULL;
	cr_assert(ins, "%s", t);
	int n = sscanf(ins + 7, "%u verified %u bytes jited", &ver, &jit);
	cr_assert_eq(n, 2, "%s", t);
	cr_assert_gt(ver, 0, "%s", t);
	(void)jit; /* its value: object::jited_size_is_the_kernels */
	cr_assert(has_line_starting(t, "  prog tc_len ", "sched_cls"), "%s", t);
	cr_assert(has_line_starting(t, "  prog sock_half ", "socket_filter"), "%s", t);
	cr_assert(has_line_starting(t, "  map  by_proto ", "hash"), "%s", t);
	cr_assert(has_line_starting(t, "  map  by_proto ", "key 2    value 8      max_entries 64"),
		  "%s", t);
	cr_assert(has_line_starting(t, "  map  .rodata ", "array"), "%s", t);
	buf_free(&out);
	free(o);
}

Test(object_cli, load_failure_shows_the_source_line)
{
	char *o = bpf_obj("bad_verifier"), *src = bpf_src("bad_verifier");
	struct buf out = { 0 };
	cr_assert_eq(run(&out, "%s load %s", WL_WHISTLER_BIN, o), 1);
	char *want = xasprintf("whistler: prog 'bad': xdp program rejected by the verifier "
			       "(Permission denied):\n%s:20: *v += 1;\n",
			       src);
	cr_assert(!strncmp(buf_cstr(&out), want, strlen(want)), "%s", buf_cstr(&out));
	free(want);
	free(src);
	free(o);
	buf_free(&out);
}

Test(object_cli, load_pins_programs_and_maps)
{
	char *o = bpf_obj("net");
	char dir[64];
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/wl_cli_%d", (int)getpid());
	struct buf out = { 0 };
	if (run(&out, "%s load --pin %s %s", WL_WHISTLER_BIN, dir, o) != 0 &&
	    strstr(buf_cstr(&out), "cannot create"))
		cr_skip_test("no writable bpffs: %s", buf_cstr(&out));
	const char *files[] = { "xdp_count", "tc_len", "sock_half", "maps/by_proto",
				"maps/_rodata" };
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *f = xasprintf("%s/%s", dir, files[i]);
		cr_assert_eq(access(f, F_OK), 0, "%s pinned", f);
		free(f);
	}
	sh("rm -rf %s", dir);
	buf_free(&out);
	free(o);
}

Test(object_cli, attach_one_program_for_a_duration)
{
	char *o = bpf_obj("trace");
	struct buf out = { 0 };
	cr_assert_eq(run(&out, "%s attach %s rawtp --duration 0.3", WL_WHISTLER_BIN, o), 0, "%s",
		     buf_cstr(&out));
	cr_assert_str_eq(buf_cstr(&out),
			 "Attached prog 'rawtp' on raw tracepoint 'sys_enter' (bpf_link)\n"
			 "1 program attached; detaching when the duration ends\n"
			 "Detached\n");
	cr_assert_eq(run(&out, "%s attach %s xdp_count lo --duration 0.2", WL_WHISTLER_BIN,
			 bpf_obj("net")),
		     0, "%s", buf_cstr(&out));
	cr_assert(strstr(buf_cstr(&out), "Attached prog 'xdp_count' xdp link on lo (bpf_link)\n"),
		  "%s", buf_cstr(&out));
	buf_free(&out);
	free(o);
}

Test(object_cli, attach_errors_name_the_program)
{
	char *o = bpf_obj("net");
	struct buf out = { 0 };
	cr_assert_eq(run(&out, "%s attach %s --duration 0.1", WL_WHISTLER_BIN, o), 1);
	cr_assert_str_eq(buf_cstr(&out),
			 "whistler: prog 'xdp_count': section 'xdp' does not say where to attach: "
			 "give a network interface\n"
			 "whistler attach: error: prog 'xdp_count' (section 'xdp') was not "
			 "attached\n");
	cr_assert_eq(run(&out, "%s attach %s nosuch lo", WL_WHISTLER_BIN, o), 1);
	cr_assert(strstr(buf_cstr(&out), "whistler attach: error: no program 'nosuch' in"), "%s",
		  buf_cstr(&out));
	buf_free(&out);
	free(o);
}
