/* The C corpus runner: differential tests of whistlercc against clang-19.
 * `run FILE.bpf.c WHISTLERCC [OUTDIR]` compiles the file with both compilers
 * (the same flags), loads each object with libwhistler, and checks the
 * expectations in its comments on each build, then compares the builds
 * (results, and libbpf's open and load through bpftool):
 *   // run: PROG [pkt=SPEC|data=x"HEX"] [ctx=SPEC|ctx=x"HEX"] [-> RETVAL] [out@OFF=HEX...]
 *   // map: MAP KEY -> VALUE|absent|>N|>=N|!=N      (per-CPU maps: the sum)
 *   // map-sum: MAP OP N
 *   // global: NAME = VALUE                        (before load)
 *   // attach: PROG [TARGET]     // trigger: getppid | open PATH | exec CMD | sleep MS
 *   // ringbuf: MAP >= N
 *   // prog-array: MAP INDEX PROG
 *   // requires: btf | tracefs | kprobes
 *   // error: TEXT    (whistlercc must reject the file with this message; no run)
 *   // flags: -mcpu=v4 ...   (added to both compilers' command lines)
 *   // link: OTHER.c ...     (static linking: OTHER.c, next to the file, is
 *                      compiled too and bpftool gen object links the objects;
 *                      the linked objects run, and a third build links
 *                      whistlercc's object of this file with clang-19's of the
 *                      others; the unlinked object must be refused at open)
 *   // core-compare   (the CO-RE relocations of both objects, as llvm-objdump-19
 *                      prints them: kind, type and access string, must agree)
 *   // clang-rejects  (the kernel refuses clang-19's build, not whistlercc's:
 *                      a case where clang's code is not verifier-friendly)
 * Every run line's return value and output bytes must be the same for both
 * builds (and the expected value when given).  The instruction counts and
 * the verifier's processed instructions of both builds are printed; with
 * OUTDIR, the objects are kept there.  Exit 77 when the kernel refuses BPF. */
#include "tests/support/support.h"

#include "util/fileio.h"
#include "util/util.h"
#include "whistler/object.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cur_file;
static const char *cur_build;
static int failures;

W_PRINTF(2, 3) static void fail(unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%u: FAIL [%s]: ", cur_file, line, cur_build ? cur_build : "-");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

/* ---- compiling ------------------------------------------------------------------ */

static const char *multiarch_include(void)
{
	static const char *const dirs[] = { "/usr/include/x86_64-linux-gnu",
					    "/usr/include/aarch64-linux-gnu" };
	struct stat sb;
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
		if (!stat(dirs[i], &sb))
			return dirs[i];
	return "/usr/include";
}

/* vmlinux.h of this kernel in dir, made once (atomically: tests run in parallel). */
static bool make_vmlinux_h(const char *dir)
{
	char path[1024], tmp[1100], cmd[2400];
	snprintf(path, sizeof(path), "%s/vmlinux.h", dir);
	struct stat sb;
	if (!stat(path, &sb) && sb.st_size > 0)
		return true;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, getpid());
	snprintf(cmd, sizeof(cmd),
		 "bpftool btf dump file /sys/kernel/btf/vmlinux format c > '%s' 2>/dev/null", tmp);
	if (system(cmd) != 0) {
		unlink(tmp);
		return false;
	}
	return rename(tmp, path) == 0;
}

/* Runs argv, its output into *err (malloc'd); returns the exit status. */
static int run_cmd(char *const argv[], char **err)
{
	int pipefd[2];
	if (pipe(pipefd))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	struct buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(pipefd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	*err = xstrndup(buf_cstr(&b), b.len);
	buf_free(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Whether `tool arg` runs (clang-19 --version, bpftool version). */
static bool have_tool(const char *tool, const char *arg)
{
	char *err = NULL;
	char *argv[] = { (char *)tool, (char *)arg, NULL };
	int rc = run_cmd(argv, &err);
	free(err);
	return rc == 0;
}

static char extra_flags[8][64];
static unsigned nextra;
static char links[4][256];
static unsigned nlinks;

static int compile(const char *cc, const char *src, const char *out, const char *vmdir, char **err)
{
	char srcdir[1024], idir[1100], vdir[1100];
	snprintf(srcdir, sizeof(srcdir), "%s", src);
	char *slash = strrchr(srcdir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(srcdir, sizeof(srcdir), ".");
	snprintf(idir, sizeof(idir), "-I%s", srcdir);
	snprintf(vdir, sizeof(vdir), "-I%s", vmdir);
	char *argv[32] = { (char *)cc,
			   "-target",
			   "bpf",
			   "-mcpu=v3",
			   "-O2",
			   "-g",
			   "-Wall",
			   "-Wno-unused-function",
			   "-Wno-unused-variable",
			   idir,
			   vdir,
			   "-idirafter",
			   (char *)multiarch_include(),
			   "-c",
			   (char *)src,
			   "-o",
			   (char *)out };
	unsigned n = 17;
	for (unsigned i = 0; i < nextra; i++)
		argv[n++] = extra_flags[i];
	argv[n] = NULL;
	return run_cmd(argv, err);
}

/* The object of a build with // link: files: mainobj and the objects cc
 * makes of the linked files (tag names them), joined by bpftool gen object
 * into out (named after `what`).  Returns 0, or reports a failure and
 * returns 1. */
static int link_build(const char *cc, const char *tag, const char *what, const char *mainobj,
		      const char *path, const char *dir, char *out, size_t n)
{
	char srcdir[512], libs[4][800], src[800];
	snprintf(srcdir, sizeof(srcdir), "%s", path);
	char *slash = strrchr(srcdir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(srcdir, sizeof(srcdir), ".");
	char *argv[8] = { "bpftool", "gen", "object", out, (char *)mainobj };
	unsigned argc = 5;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(out, n, "%s/%.*s.%s.linked.o", dir, (int)strcspn(base, "."), base, what);
	for (unsigned i = 0; i < nlinks; i++) {
		snprintf(src, sizeof(src), "%s/%s", srcdir, links[i]);
		size_t len = strlen(links[i]);
		if (len > 2 && !strcmp(links[i] + len - 2, ".c"))
			len -= 2;
		snprintf(libs[i], sizeof(libs[i]), "%s/%.*s.%s.o", dir, (int)len, links[i], tag);
		char *err = NULL;
		int rc = compile(cc, src, libs[i], dir, &err);
		if (rc)
			fail(0, "%s does not compile %s:\n%s", cc, links[i], err);
		free(err);
		if (rc)
			return 1;
		argv[argc++] = libs[i];
	}
	argv[argc] = NULL;
	char *err = NULL;
	int rc = run_cmd(argv, &err);
	if (rc)
		fail(0, "bpftool gen object cannot link the %s objects:\n%s", what, err);
	free(err);
	return rc ? 1 : 0;
}

/* An object whose externs another object defines is refused at open. */
static void check_unlinked(const char *obj)
{
	struct wl_object *o = NULL;
	int err = wl_object_open_file(obj, NULL, &o);
	if (!err)
		err = wl_object_load(o);
	wl_object_close(o);
	if (err != -ENOENT)
		fail(0, "the object alone (unlinked) %s, not refused for its externs",
		     err ? strerror(-err) : "loads");
}

/* ---- values ----------------------------------------------------------------------- */

/* ---- one build ---------------------------------------------------------------------- */

/* What a run line gave, to compare the builds. */
struct result {
	unsigned line;
	uint32_t retval;
	uint32_t out_len;
	uint8_t out[256];
};

struct build {
	const char *name;
	struct wl_object *obj;
	VEC(struct result) results;
	unsigned records;
	struct wl_ringbuf *rb;
};

static struct wl_map *find_map(struct build *b, const char *name, unsigned line)
{
	struct wl_obj_map *om = wl_object_find_map(b->obj, name);
	if (!om || !wl_obj_map_map(om)) {
		fail(line, "no map %s", name);
		return NULL;
	}
	return wl_obj_map_map(om);
}

static struct wl_program *find_prog(struct build *b, const char *name, unsigned line)
{
	struct wl_program *p = wl_object_find_program(b->obj, name);
	if (!p)
		fail(line, "no program %s", name);
	return p;
}

static void do_run(struct build *b, char *args, unsigned line)
{
	char name[128];
	if (sscanf(args, "%127s", name) != 1)
		return fail(line, "run: no program");
	struct wl_program *p = find_prog(b, name, line);
	if (!p)
		return;
	char *arrow = strstr(args, "->");
	static struct rt_run run;
	const char *why = rt_test_run(p, args, arrow ? arrow : args + strlen(args), &run);
	if (why)
		return fail(line, "run %s: %s", name, why);
	struct result r = { .line = line, .retval = run.retval };
	r.out_len = MIN(run.out_len, (uint32_t)sizeof(r.out));
	memcpy(r.out, run.out, r.out_len);
	vec_push(&b->results, r);
	if (arrow) {
		int64_t want;
		char wbuf[64];
		sscanf(arrow + 2, "%63s", wbuf);
		if (!rt_value(wbuf, &want))
			return fail(line, "run: bad return value %s", wbuf);
		if (run.retval != (uint32_t)want)
			fail(line, "run %s: returned %d, expected %lld", name, (int)run.retval,
			     (long long)want);
		if ((why = rt_check_out(arrow, &run)))
			fail(line, "run %s: %s", name, why);
	}
}

static void do_map(struct build *b, char *args, unsigned line, bool sum)
{
	char name[128], key[128], arrow[8], val[128];
	int64_t want;
	struct wl_map *m;
	uint8_t k[256] = { 0 }, v[8192] = { 0 };
	uint64_t have = 0;
	const char *op = "=", *num;
	if (sum) {
		if (sscanf(args, "%127s %7s %127s", name, arrow, val) != 3)
			return fail(line, "map-sum: expected MAP OP N");
		op = arrow;
		num = val;
		if (!(m = find_map(b, name, line)))
			return;
		uint8_t next[256];
		size_t ks = wl_map_key_size(m), vs = wl_map_value_size(m),
		       total = wl_map_value_buf_size(m);
		size_t stride = (vs + 7) & ~(size_t)7;
		const void *cur = NULL;
		for (unsigned guard = 0; !wl_map_next_key(m, cur, next) && guard < 100000;
		     guard++) {
			memcpy(k, next, ks);
			cur = k;
			if (wl_map_lookup(m, k, v, 0))
				continue;
			for (size_t off = 0;
			     off + vs <= total && off<sizeof(v); off += total> vs ? stride : total)
				have += rt_le_value(v + off, vs);
		}
	} else {
		if (sscanf(args, "%127s %127s %7s %127s", name, key, arrow, val) != 4 ||
		    strcmp(arrow, "->"))
			return fail(line, "map: expected MAP KEY -> VALUE");
		if (!(m = find_map(b, name, line)))
			return;
		int64_t kv;
		size_t ks = wl_map_key_size(m);
		if (!strncmp(key, "x\"", 2))
			rt_hex(key + 2, k, sizeof(k));
		else if (rt_value(key, &kv))
			rt_le_bytes(kv, k, ks < sizeof(k) ? ks : sizeof(k));
		else
			return fail(line, "map: bad key %s", key);
		int err = wl_map_lookup(m, k, v, 0);
		if (!strcmp(val, "absent")) {
			if (err != -ENOENT)
				fail(line, "map %s[%s]: expected no entry", name, key);
			return;
		}
		if (err)
			return fail(line, "map %s[%s]: lookup failed: %s", name, key,
				    strerror(-err));
		size_t vs = wl_map_value_size(m), total = wl_map_value_buf_size(m);
		size_t stride = (vs + 7) & ~(size_t)7;
		for (size_t off = 0;
		     off + vs <= total && off<sizeof(v); off += total> vs ? stride : total)
			have += rt_le_value(v + off, vs);
		num = val;
		if (!strncmp(val, ">=", 2) || !strncmp(val, "!=", 2))
			op = val[0] == '>' ? ">=" : "!=", num = val + 2;
		else if (val[0] == '>')
			op = ">", num = val + 1;
	}
	if (!rt_value(num, &want))
		return fail(line, "map: bad value %s", num);
	if (!rt_compare(op, have, want))
		fail(line, "map %s is %llu, expected %s %lld", name, (unsigned long long)have, op,
		     (long long)want);
}

static void do_trigger(char *args, unsigned line)
{
	char what[32];
	if (sscanf(args, "%31s", what) != 1)
		return fail(line, "trigger: expected an action");
	char *rest = args + strlen(what);
	while (*rest == ' ')
		rest++;
	if (!strcmp(what, "getppid")) {
		(void)getppid();
	} else if (!strcmp(what, "open")) {
		int fd = open(rest, O_RDONLY);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(what, "sleep")) {
		usleep((useconds_t)atoi(rest) * 1000u);
	} else if (!strcmp(what, "exec")) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", rest);
		if (system(cmd) == -1)
			fail(line, "exec %s failed", rest);
	} else {
		fail(line, "unknown trigger %s", what);
	}
}

static int on_record(void *ctx, const void *data, size_t size)
{
	(void)data;
	(void)size;
	((struct build *)ctx)->records++;
	return 0;
}

static char *directive(char *line, const char *key)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "//", 2))
		return NULL;
	p += 2;
	while (*p == ' ')
		p++;
	size_t n = strlen(key);
	if (strncmp(p, key, n) || p[n] != ':')
		return NULL;
	p += n + 1;
	while (*p == ' ')
		p++;
	char *e = p + strlen(p);
	while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		*--e = 0;
	return p;
}

/* The i-th line of text (1-based numbering by the caller), copied into line. */
static char *next_line(char **cursor, char *line, size_t n)
{
	char *l = *cursor;
	if (!l || !*l)
		return NULL;
	char *nl = strchr(l, '\n');
	snprintf(line, n, "%.*s", nl ? (int)(nl - l) : (int)strlen(l), l);
	*cursor = nl ? nl + 1 : NULL;
	return line;
}

/* Loads one build and runs every directive on it. Returns 77 when the
 * kernel refuses BPF, 1 on failure to load, 0 otherwise. */
static int run_build(struct build *b, const char *objpath, char *text)
{
	cur_build = b->name;
	int err = wl_object_open_file(objpath, NULL, &b->obj);
	if (err) {
		fail(0, "cannot open the object: %s", strerror(-err));
		return 1;
	}
	char line[1024], *cur = text;
	unsigned lineno = 0;
	while (next_line(&cur, line, sizeof(line))) {
		lineno++;
		char *a = directive(line, "global");
		if (!a)
			continue;
		char name[128], eq[4], val[64];
		int64_t v;
		size_t size;
		if (sscanf(a, "%127s %3s %63s", name, eq, val) != 3 || !rt_value(val, &v)) {
			fail(lineno, "global: expected NAME = VALUE");
			continue;
		}
		void *g = wl_object_global(b->obj, name, &size);
		if (!g) {
			fail(lineno, "no global %s", name);
			continue;
		}
		rt_le_bytes(v, g, size);
	}
	err = wl_object_load(b->obj);
	if (err) {
		bool perm = err == -EPERM || err == -ENOSYS;
		fprintf(stderr, "%s: %s [%s]: load: %s\n", cur_file, perm ? "SKIP" : "FAIL",
			b->name, strerror(-err));
		for (size_t i = 0; i < wl_object_program_count(b->obj); i++)
			if (wl_program_log(wl_object_program(b->obj, i)))
				fprintf(stderr, "%s\n",
					wl_program_log(wl_object_program(b->obj, i)));
		if (!perm)
			failures++;
		return perm ? 77 : 1;
	}
	/* -g is always on: the kernel must accept the BTF, not load without it */
	if (wl_object_btf_fd(b->obj) < 0) {
		fprintf(stderr, "%s: FAIL [%s]: the kernel refused the object's BTF\n", cur_file,
			b->name);
		failures++;
		return 1;
	}
	for (size_t i = 0; i < wl_object_program_count(b->obj); i++) {
		struct wl_program *p = wl_object_program(b->obj, i);
		printf("%s %s: %zu insns, %u verified\n", b->name, wl_program_name(p),
		       wl_program_insn_count(p), wl_program_verified_insns(p));
	}
	cur = text;
	lineno = 0;
	while (next_line(&cur, line, sizeof(line))) {
		lineno++;
		char *a;
		if ((a = directive(line, "run")))
			do_run(b, a, lineno);
		else if ((a = directive(line, "map")))
			do_map(b, a, lineno, false);
		else if ((a = directive(line, "map-sum")))
			do_map(b, a, lineno, true);
		else if ((a = directive(line, "trigger")))
			do_trigger(a, lineno);
		else if ((a = directive(line, "attach"))) {
			char name[128], target[256] = "";
			if (sscanf(a, "%127s %255s", name, target) < 1) {
				fail(lineno, "attach: expected PROG [TARGET]");
				continue;
			}
			struct wl_program *p = find_prog(b, name, lineno);
			if (p && (err = wl_program_attach_to(p, target[0] ? target : NULL, NULL)))
				fail(lineno, "attach %s: %s", name, strerror(-err));
		} else if ((a = directive(line, "prog-array"))) {
			char name[128], prog[128];
			unsigned idx;
			if (sscanf(a, "%127s %u %127s", name, &idx, prog) != 3) {
				fail(lineno, "prog-array: expected MAP INDEX PROG");
				continue;
			}
			struct wl_map *m = find_map(b, name, lineno);
			struct wl_program *p = find_prog(b, prog, lineno);
			uint32_t fd = p ? (uint32_t)wl_program_fd(p) : 0;
			if (m && p && (err = wl_map_update(m, &idx, &fd, 0)))
				fail(lineno, "prog-array %s[%u]: %s", name, idx, strerror(-err));
		} else if ((a = directive(line, "ringbuf"))) {
			char name[128], op[8];
			unsigned n;
			if (sscanf(a, "%127s %7s %u", name, op, &n) != 3) {
				fail(lineno, "ringbuf: expected MAP >= N");
				continue;
			}
			struct wl_map *m = find_map(b, name, lineno);
			if (m && !b->rb && wl_ringbuf_new(m, on_record, b, &b->rb)) {
				fail(lineno, "ringbuf %s: cannot open", name);
				continue;
			}
			if (b->rb)
				wl_ringbuf_poll(b->rb, 200);
			if (b->rb && !rt_compare(op, b->records, n))
				fail(lineno, "ringbuf %s: %u records, expected %s %u", name,
				     b->records, op, n);
		}
	}
	return 0;
}

static void free_build(struct build *b)
{
	if (b->rb)
		wl_ringbuf_free(b->rb);
	wl_object_close(b->obj);
	vec_free(&b->results);
}

/* The CO-RE records of an object: one "function kind type (access)" line
 * each, sorted (type ids and instruction offsets differ between compilers). */
static char *core_records(const char *obj)
{
	char *out = NULL;
	char *argv[] = { "llvm-objdump-19", "-dr", (char *)obj, NULL };
	if (run_cmd(argv, &out))
		return NULL;
	VEC(char *) recs = { 0 };
	char func[128] = "";
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		char *co = strstr(l, "CO-RE <");
		const char *f = strchr(l, '<');
		if (!co && f && strstr(l, ">:")) {
			snprintf(func, sizeof(func), "%.*s", (int)strcspn(f + 1, ">"), f + 1);
			continue;
		}
		if (!co)
			continue;
		/* CO-RE <byte_off> [11] struct task_struct::real_parent (0:95) */
		char *kind_end = strchr(co, '>');
		char *type = kind_end ? strchr(kind_end, ']') : NULL;
		if (!type)
			continue;
		vec_push(&recs,
			 xasprintf("%s %.*s%s", func, (int)(kind_end + 1 - co), co, type + 1));
	}
	for (uint32_t i = 0; i < recs.len; i++)
		for (uint32_t j = i + 1; j < recs.len; j++)
			if (strcmp(recs.data[i], recs.data[j]) > 0) {
				char *t = recs.data[i];
				recs.data[i] = recs.data[j];
				recs.data[j] = t;
			}
	struct buf b = { 0 };
	vec_foreach (&recs, r) {
		buf_printf(&b, "%s\n", *r);
		free(*r);
	}
	vec_free(&recs);
	free(out);
	return buf_steal(&b);
}

static void compare_core(const char *wobj, const char *cobj)
{
	cur_build = "CO-RE records";
	char *w = core_records(wobj), *c = core_records(cobj);
	if (!w || !c) {
		printf("NOTE %s: llvm-objdump-19 missing: CO-RE records not compared\n", cur_file);
	} else if (strcmp(w, c)) {
		fail(0,
		     "the CO-RE records differ from clang-19's:\n--- whistlercc\n%s--- clang-19\n%s",
		     w, c);
	} else {
		unsigned n = 0;
		for (const char *p = w; *p; p++)
			n += *p == '\n';
		printf("CO-RE records: %u, the same as clang-19's\n", n);
	}
	free(w);
	free(c);
}

/* libbpf (through bpftool) opens one object (gen skeleton) and loads all of
 * its programs (prog loadall, pinned under a folder of our own, removed
 * after): 0, or 1 with libbpf's complaint in *err. */
static int libbpf_accepts(const char *obj, char **err)
{
	char pins[64];
	snprintf(pins, sizeof(pins), "/sys/fs/bpf/whistler-c-%d", (int)getpid());
	char *skel[] = { "bpftool", "gen", "skeleton", (char *)obj, "name", "obj", NULL };
	char *load[] = { "bpftool", "prog", "loadall", (char *)obj, pins, NULL };
	char *clean[] = { "rm", "-rf", pins, NULL };
	char *out = NULL, *junk = NULL;
	int rc = run_cmd(skel, &out);
	if (!rc) {
		free(out);
		rc = run_cmd(load, &out);
	}
	run_cmd(clean, &junk);
	free(junk);
	*err = out;
	return rc ? 1 : 0;
}

/* What libbpf accepts of clang-19's build it accepts of whistlercc's. */
static void compare_libbpf(const char *wobj, const char *cobj)
{
	cur_build = "libbpf";
	char *werr = NULL, *cerr = NULL;
	int c = libbpf_accepts(cobj, &cerr);
	if (c && strstr(cerr, "No such file")) {
		printf("NOTE %s: bpftool missing: libbpf's open and load not checked\n", cur_file);
	} else {
		int w = libbpf_accepts(wobj, &werr);
		if (w && !c)
			fail(0, "libbpf (bpftool gen skeleton, prog loadall) accepts clang-19's build, "
				"not whistlercc's:\n%s", werr);
		else
			printf("libbpf open + load (bpftool): whistlercc %s, clang-19 %s\n",
			       w ? "refused" : "ok", c ? "refused" : "ok");
	}
	free(werr);
	free(cerr);
}

/* The same return values and output bytes in both builds. */
static void compare_builds(struct build *a, struct build *b)
{
	cur_build = "whistlercc vs clang-19";
	if (a->results.len != b->results.len) {
		fail(0, "%u runs against %u", a->results.len, b->results.len);
		return;
	}
	for (uint32_t i = 0; i < a->results.len; i++) {
		struct result *x = &a->results.data[i], *y = &b->results.data[i];
		if (x->retval != y->retval)
			fail(x->line, "returned %u, clang's build %u", x->retval, y->retval);
		else if (x->out_len != y->out_len || memcmp(x->out, y->out, x->out_len))
			fail(x->line, "the output packets differ");
	}
}

static bool requirement_missing(char *text)
{
	char line[1024], *cur = text;
	struct stat sb;
	while (next_line(&cur, line, sizeof(line))) {
		char *a = directive(line, "requires");
		if (!a)
			continue;
		if (!strcmp(a, "btf") && stat("/sys/kernel/btf/vmlinux", &sb))
			return printf("SKIP %s: no kernel BTF\n", cur_file), true;
		if (!strcmp(a, "tracefs") && stat("/sys/kernel/tracing/events", &sb) &&
		    stat("/sys/kernel/debug/tracing/events", &sb))
			return printf("SKIP %s: no tracefs\n", cur_file), true;
		if (!strcmp(a, "kprobes") && stat("/sys/bus/event_source/devices/kprobe", &sb))
			return printf("SKIP %s: no kprobes\n", cur_file), true;
	}
	return false;
}

static int run_file(const char *path, const char *wcc, const char *outdir)
{
	cur_file = path;
	struct buf tb = { 0 };
	if (file_read(path, &tb)) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 1;
	}
	char *text = xstrndup(buf_cstr(&tb), tb.len);
	buf_free(&tb);
	if (requirement_missing(text)) {
		free(text);
		return 77;
	}
	char dir[512], wobj[700], cobj[700];
	if (outdir)
		snprintf(dir, sizeof(dir), "%s", outdir);
	else
		snprintf(dir, sizeof(dir), "/tmp/whistler-c-%d", getpid());
	mkdir(dir, 0755);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(wobj, sizeof(wobj), "%s/%.*s.whistler.o", dir, (int)strcspn(base, "."), base);
	snprintf(cobj, sizeof(cobj), "%s/%.*s.clang.o", dir, (int)strcspn(base, "."), base);
	bool vm = make_vmlinux_h(dir);
	/* an expected compile error: only whistlercc runs */
	char line[1024], *cur = text, *want_error = NULL;
	while (next_line(&cur, line, sizeof(line))) {
		if (directive(line, "error"))
			want_error = xstrdup(directive(line, "error"));
		char *ln = directive(line, "link");
		for (char *t = ln ? strtok(ln, " ") : NULL; t && nlinks < ARRAY_LEN(links);
		     t = strtok(NULL, " "))
			snprintf(links[nlinks++], sizeof(links[0]), "%s", t);
		char *fl = directive(line, "flags");
		for (char *t = fl ? strtok(fl, " ") : NULL; t && nextra < ARRAY_LEN(extra_flags);
		     t = strtok(NULL, " "))
			snprintf(extra_flags[nextra++], sizeof(extra_flags[0]), "%s", t);
	}
	char *err = NULL;
	int rc = compile(wcc, path, wobj, dir, &err);
	int status = 0;
	if (want_error) {
		if (!rc)
			fail(0, "whistlercc compiled it; expected the error '%s'", want_error);
		else if (!strstr(err, want_error))
			fail(0, "whistlercc's errors lack '%s':\n%s", want_error, err);
		goto done;
	}
	if (rc) {
		fail(0, "whistlercc does not compile it%s:\n%s", vm ? "" : " (no vmlinux.h)", err);
		goto done;
	}
	struct build w = { .name = "whistlercc" }, c = { .name = "clang-19" },
		     m = { .name = "whistlercc+clang-19" };
	char wlinked[900], clinked[900], mlinked[900];
	const char *wrun = wobj, *crun = cobj;
	if (nlinks && !have_tool("bpftool", "version")) {
		printf("SKIP %s: bpftool is missing: the objects cannot be linked\n", path);
		status = 77;
		goto done;
	}
	if (nlinks) {
		cur_build = "whistlercc";
		check_unlinked(wobj);
		if (link_build(wcc, "whistler", "whistler", wobj, path, dir, wlinked, sizeof(wlinked)))
			goto done;
		wrun = wlinked;
	}
	status = run_build(&w, wrun, text);
	bool clang = have_tool("clang-19", "--version");
	if (!clang) {
		printf("NOTE %s: clang-19 missing: no differential check\n", path);
	} else if (status != 77) {
		free(err);
		err = NULL;
		if (compile("clang-19", path, cobj, dir, &err)) {
			fail(0, "clang-19 does not compile it:\n%s", err);
		} else if (strstr(text, "// clang-rejects")) {
			struct wl_object *o = NULL;
			int e = wl_object_open_file(cobj, NULL, &o);
			if (!e)
				e = wl_object_load(o);
			wl_object_close(o);
			cur_build = "clang-19";
			if (!e)
				fail(0, "clang-19's build loads: drop // clang-rejects");
			else
				printf("clang-19's build is refused by the kernel, as expected\n");
		} else if (!nlinks || !link_build("clang-19", "clang", "clang", cobj, path, dir,
						  clinked, sizeof(clinked))) {
			if (nlinks)
				crun = clinked;
			if (strstr(text, "// core-compare"))
				compare_core(wobj, cobj);
			compare_libbpf(wrun, crun);
			if (run_build(&c, crun, text) == 0 && status == 0) {
				compare_builds(&w, &c);
				/* whistlercc's object with clang-19's of the other files */
				if (nlinks &&
				    !link_build("clang-19", "clang", "mixed", wobj, path, dir,
						mlinked, sizeof(mlinked)) &&
				    run_build(&m, mlinked, text) == 0)
					compare_builds(&m, &c);
			}
		}
	}
	free_build(&w);
	free_build(&c);
	free_build(&m);
done:
	if (!outdir) {
		unlink(wobj);
		unlink(cobj);
	}
	free(err);
	free(want_error);
	free(text);
	if (failures)
		return 1;
	return status == 77 ? 77 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "run"))
		return run_file(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	fprintf(stderr, "usage: %s run FILE.bpf.c WHISTLERCC [OUTDIR]\n", argv[0]);
	return 2;
}
