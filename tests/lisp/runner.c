/* The DSL corpus runner.  `run FILE.lisp` compiles a program file with the
 * DSL compiler, loads the object with libwhistler (wl_object_open_mem), and
 * checks the expectations written in the file's comments:
 *   ;; run: PROG [pkt=SPEC|data=x"HEX"] [ctx=SPEC|ctx=x"HEX"] -> RETVAL [out@OFF=HEX...]
 *   ;; map: MAP KEY -> VALUE|absent|>N|>=N|!=N
 *   ;; map-sum: MAP OP N            (sum of every value, OP one of > >= = !=)
 *   ;; prog-array: MAP INDEX PROG
 *   ;; global: NAME = VALUE         (before load; VALUE may be $PID)
 *   ;; attach: PROG [TARGET]        (TARGET: $CGROUP, $NETNS, or as wl_program_attach_to)
 *   ;; listen: IP PORT              (a TCP listener owned by the runner)
 *   ;; trigger: getppid | open PATH | sleep MS | exec CMD ARG... | cgroup-exec CMD
 *   ;;          connect4|udp4 IP PORT [ok|refused|eperm]   (from a child in $CGROUP)
 *   ;; ringbuf: MAP >= N [u32@OFF=VALUE...]
 *   ;; requires: tracefs | btf | cgroup2 | kprobes
 * Values may be $PID, $PPID, $ARRAY (eight u32s 1..8 in the runner) and
 * $PTRS (pointers into it).  Exit 77 (skip) when the kernel refuses BPF.
 * `errors DIR` compiles every .lisp file of DIR and compares its diagnostics with
 * the .err file next to it (WHISTLER_BLESS=1 rewrites them); `gen FILE.lisp` checks --gen. */
#include "tests/support/support.h"

#include "backend/object.h"
#include "frontend/lisp/dsl.h"
#include "ir/pass.h"
#include "util/fileio.h"
#include "whistler/object.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *cur_file;

/* The whole file as a NUL-terminated string (caller frees). */
static int read_text(const char *path, char **text, size_t *len)
{
	struct buf b = { 0 };
	if (file_read(path, &b)) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*text = xstrndup(buf_cstr(&b), b.len);
	buf_free(&b);
	return 0;
}
static int failures;

W_PRINTF(2, 3) static void fail(unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%u: FAIL: ", cur_file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

/* ---- compiling ----------------------------------------------------------------- */

struct compiled {
	struct srcmgr sm;
	struct diag d;
	struct buf diags;
	struct lisp_ctx *ctx;
	struct dsl *dsl;
	struct buf obj;
	struct obj_options oo;
};

/* Registers the file under `name` so diagnostics print it. */
static int compile(struct compiled *c, const char *path, const char *name, bool capture)
{
	memset(c, 0, sizeof(*c));
	diag_init(&c->d, &c->sm);
	if (capture) {
		c->d.capture = &c->diags;
		c->d.no_caret = false;
	}
	char *text;
	size_t len;
	if (read_text(path, &text, &len)) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	uint32_t file = srcmgr_add(&c->sm, name, text, len);
	free(text);
	c->ctx = lisp_new(&c->sm, &c->d);
	lisp_set_sandbox(c->ctx, false);
	c->dsl = dsl_new(c->ctx, NULL);
	if (dsl_load(c->dsl, file) || c->d.errors)
		return -1;
	struct ir_module *m = dsl_build(c->dsl, NULL);
	if (!m)
		return -1;
	int rc = -1;
	const char *const *pipeline = ir_pipeline(2);
	size_t np = 0;
	while (pipeline[np])
		np++;
	struct ir_pass_opts popts = { .diag = &c->d, .verify_each = true };
	c->oo.line_info = true;
	if (!ir_verify_module(m, &c->d) && !ir_run_passes(m, pipeline, np, &popts) &&
	    !bk_write_object(m, &c->oo, &c->obj, &c->d))
		rc = 0;
	ir_module_free(m);
	return rc;
}

static void compiled_free(struct compiled *c)
{
	dsl_free(c->dsl);
	if (c->ctx)
		lisp_free(c->ctx);
	srcmgr_free(&c->sm);
	buf_free(&c->obj);
	buf_free(&c->diags);
}

/* ---- values ---------------------------------------------------------------------- */

static char cgroup_dir[512];

/* User memory the programs can read back with probe-read-user: $ARRAY is
 * eight u32s 1..8, $PTRS four pointers into it and a NULL. */
static uint32_t user_array[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint32_t *user_ptrs[5] = { &user_array[1], &user_array[3], NULL, &user_array[7], NULL };

/* rt_value, plus $ARRAY and $PTRS */
static bool value_of(const char *s, int64_t *out)
{
	if (!strcmp(s, "$ARRAY")) {
		*out = (int64_t)(uintptr_t)user_array;
		return true;
	}
	if (!strcmp(s, "$PTRS")) {
		*out = (int64_t)(uintptr_t)user_ptrs;
		return true;
	}
	return rt_value(s, out);
}

/* ---- directives ---------------------------------------------------------------- */

struct ctxrun {
	struct wl_object *obj;
	struct wl_ringbuf *rb;
	unsigned records;
	uint8_t first[256];
	size_t first_len;
	int listen_fd;
};

/* Lisp spelling to ELF spelling: pkt-count -> pkt_count */
static const char *elf_name(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
	return buf;
}

static struct wl_map *find_map(struct ctxrun *r, const char *name, unsigned line)
{
	struct wl_obj_map *om = wl_object_find_map(r->obj, elf_name(name));
	if (!om || !wl_obj_map_map(om)) {
		fail(line, "no map %s", name);
		return NULL;
	}
	return wl_obj_map_map(om);
}

static struct wl_program *find_prog(struct ctxrun *r, const char *name, unsigned line)
{
	struct wl_program *p = wl_object_find_program(r->obj, elf_name(name));
	if (!p)
		fail(line, "no program %s", name);
	return p;
}

static void do_run(struct ctxrun *r, char *args, unsigned line)
{
	char name[128];
	if (sscanf(args, "%127s", name) != 1)
		return fail(line, "run: no program");
	struct wl_program *p = find_prog(r, name, line);
	if (!p)
		return;
	char *arrow = strstr(args, "->");
	if (!arrow)
		return fail(line, "run: needs -> RETVAL");
	int64_t want;
	char wbuf[64];
	sscanf(arrow + 2, "%63s", wbuf);
	if (!value_of(wbuf, &want))
		return fail(line, "run: bad return value %s", wbuf);
	static struct rt_run run;
	const char *why = rt_test_run(p, args, arrow, &run);
	if (why)
		return fail(line, "run %s: %s", name, why);
	if (run.retval != (uint32_t)want)
		fail(line, "run %s: returned %d, expected %lld", name, (int)run.retval,
		     (long long)want);
	/* out@OFF=HEX: bytes of the packet as the program left it */
	if ((why = rt_check_out(arrow, &run)))
		fail(line, "run %s: %s", name, why);
}

static void do_map(struct ctxrun *r, char *args, unsigned line)
{
	char name[128], key[128], arrow[8], val[128];
	if (sscanf(args, "%127s %127s %7s %127s", name, key, arrow, val) != 4 ||
	    strcmp(arrow, "->"))
		return fail(line, "map: expected MAP KEY -> VALUE");
	struct wl_map *m = find_map(r, name, line);
	if (!m)
		return;
	uint8_t k[256] = { 0 }, v[8192] = { 0 };
	int64_t kv;
	size_t ks = wl_map_key_size(m);
	if (!strncmp(key, "x\"", 2))
		rt_hex(key + 2, k, sizeof(k));
	else if (value_of(key, &kv))
		rt_le_bytes(kv, k, ks < sizeof(k) ? ks : sizeof(k));
	else
		return fail(line, "map: bad key %s", key);
	int err = wl_map_lookup(m, k, v, 0);
	if (!strcmp(val, "absent")) {
		if (err != -ENOENT)
			fail(line, "map %s[%s]: expected no entry (lookup gave %s)", name, key,
			     err ? strerror(-err) : "a value");
		return;
	}
	if (err)
		return fail(line, "map %s[%s]: lookup failed: %s", name, key, strerror(-err));
	/* per-CPU maps: the sum over CPUs */
	size_t vs = wl_map_value_size(m), total = wl_map_value_buf_size(m);
	uint64_t have = 0;
	size_t stride = (vs + 7) & ~(size_t)7;
	if (total > vs)
		for (size_t off = 0; off + vs <= total && off < sizeof(v); off += stride)
			have += rt_le_value(v + off, vs);
	else
		have = rt_le_value(v, vs);
	const char *op = "=";
	const char *num = val;
	if (!strncmp(val, ">=", 2) || !strncmp(val, "!=", 2))
		op = val[0] == '>' ? ">=" : "!=", num = val + 2;
	else if (val[0] == '>')
		op = ">", num = val + 1;
	int64_t want;
	if (!value_of(num, &want))
		return fail(line, "map: bad value %s", val);
	if (!rt_compare(op, have, want))
		fail(line, "map %s[%s] is %llu, expected %s%lld", name, key,
		     (unsigned long long)have, op, (long long)want);
}

static void do_map_sum(struct ctxrun *r, char *args, unsigned line)
{
	char name[128], op[8], num[64];
	if (sscanf(args, "%127s %7s %63s", name, op, num) != 3)
		return fail(line, "map-sum: expected MAP OP N");
	struct wl_map *m = find_map(r, name, line);
	int64_t want;
	if (!m || !value_of(num, &want))
		return;
	uint8_t k[256] = { 0 }, next[256], v[8192];
	size_t ks = wl_map_key_size(m), vs = wl_map_value_size(m), total = wl_map_value_buf_size(m);
	size_t stride = (vs + 7) & ~(size_t)7;
	uint64_t sum = 0;
	const void *cur = NULL;
	unsigned guard = 0;
	while (!wl_map_next_key(m, cur, next) && guard++ < 100000) {
		memcpy(k, next, ks);
		cur = k;
		if (wl_map_lookup(m, k, v, 0))
			continue;
		if (total > vs)
			for (size_t off = 0; off + vs <= total && off < sizeof(v); off += stride)
				sum += rt_le_value(v + off, vs);
		else
			sum += rt_le_value(v, vs);
	}
	if (!rt_compare(op, sum, want))
		fail(line, "map-sum %s is %llu, expected %s %lld", name, (unsigned long long)sum,
		     op, (long long)want);
}

static void do_prog_array(struct ctxrun *r, char *args, unsigned line)
{
	char name[128], prog[128];
	unsigned idx;
	if (sscanf(args, "%127s %u %127s", name, &idx, prog) != 3)
		return fail(line, "prog-array: expected MAP INDEX PROG");
	struct wl_map *m = find_map(r, name, line);
	struct wl_program *p = find_prog(r, prog, line);
	if (!m || !p)
		return;
	uint32_t fd = (uint32_t)wl_program_fd(p);
	int err = wl_map_update(m, &idx, &fd, 0);
	if (err)
		fail(line, "prog-array %s[%u]: %s", name, idx, strerror(-err));
}

static void do_attach(struct ctxrun *r, char *args, unsigned line)
{
	char name[128], target[256] = "";
	if (sscanf(args, "%127s %255s", name, target) < 1)
		return fail(line, "attach: expected PROG [TARGET]");
	struct wl_program *p = find_prog(r, name, line);
	if (!p)
		return;
	const char *t = target[0] ? target : NULL;
	if (t && !strcmp(t, "$CGROUP"))
		t = cgroup_dir;
	else if (t && !strcmp(t, "$NETNS"))
		t = "/proc/self/ns/net";
	int err = wl_program_attach_to(p, t, NULL);
	if (err)
		fail(line, "attach %s: %s", name, strerror(-err));
}

static void do_listen(struct ctxrun *r, char *args, unsigned line)
{
	char ip[64];
	unsigned port;
	if (sscanf(args, "%63s %u", ip, &port) != 2)
		return fail(line, "listen: expected IP PORT");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		fail(line, "listen %s:%u: %s", ip, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	r->listen_fd = fd;
}

static bool join_cgroup(void)
{
	char path[600], buf[32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir);
	int fd = open(path, O_WRONLY);
	int n = snprintf(buf, sizeof(buf), "%d", getpid());
	bool ok = fd >= 0 && write(fd, buf, (size_t)n) == n;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* A child in the test cgroup connects (TCP) or sends (UDP); its exit code
 * says how it went: 0 ok, 1 refused, 2 EPERM, 3 anything else. */
static int net_child(const char *ip, unsigned port, bool udp)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (!join_cgroup())
			_exit(10);
		int s = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (s < 0)
			_exit(errno == EPERM ? 2 : 3);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		inet_pton(AF_INET, ip, &a.sin_addr);
		if (udp ? sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1
			: !connect(s, (struct sockaddr *)&a, sizeof(a)))
			_exit(0);
		_exit(errno == ECONNREFUSED ? 1 : errno == EPERM ? 2 : 3);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

/* A shell command run inside the test cgroup. */
static int cgroup_exec(const char *cmd)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (!join_cgroup())
			_exit(10);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static void do_trigger(struct ctxrun *r, char *args, unsigned line)
{
	char what[32];
	if (sscanf(args, "%31s", what) != 1)
		return fail(line, "trigger: expected an action");
	char *rest = args + strlen(what);
	if (!strcmp(what, "getppid")) {
		(void)getppid();
	} else if (!strcmp(what, "open")) {
		char file[256];
		if (sscanf(rest, "%255s", file) != 1)
			return fail(line, "open: expected a path");
		int fd = open(file, O_RDONLY);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(what, "sleep")) {
		unsigned ms = (unsigned)atoi(rest);
		for (unsigned i = 0; i < ms; i++)
			usleep(1000);
	} else if (!strcmp(what, "exec")) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", rest);
		if (system(cmd) == -1)
			fail(line, "exec %s failed", rest);
	} else if (!strcmp(what, "cgroup-exec")) {
		int rc = cgroup_exec(rest);
		if (rc == 10 || rc == 127)
			fail(line, "cgroup-exec %s: could not run it in the cgroup", rest);
	} else if (!strcmp(what, "connect4") || !strcmp(what, "udp4")) {
		char ip[64], expect[16] = "any";
		unsigned port;
		if (sscanf(rest, "%63s %u %15s", ip, &port, expect) < 2)
			return fail(line, "%s: expected IP PORT [ok|refused|eperm]", what);
		int rc = net_child(ip, port, !strcmp(what, "udp4"));
		static const char *const names[] = { "ok", "refused", "eperm", "other" };
		const char *got = rc <= 3 ? names[rc] : "broken";
		if (strcmp(expect, "any") && strcmp(expect, got))
			fail(line, "%s %s:%u: %s, expected %s", what, ip, port, got, expect);
	} else {
		fail(line, "unknown trigger %s", what);
	}
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct ctxrun *r = ctx;
	if (!r->records++) {
		r->first_len = size < sizeof(r->first) ? size : sizeof(r->first);
		memcpy(r->first, data, r->first_len);
	}
	return 0;
}

static void do_ringbuf(struct ctxrun *r, char *args, unsigned line)
{
	char name[128], op[8];
	unsigned n;
	int used = 0;
	if (sscanf(args, "%127s %7s %u%n", name, op, &n, &used) != 3)
		return fail(line, "ringbuf: expected MAP >= N [u32@OFF=VALUE...]");
	if (!r->rb) {
		struct wl_map *m = find_map(r, name, line);
		if (!m || wl_ringbuf_new(m, on_record, r, &r->rb))
			return fail(line, "ringbuf %s: cannot open", name);
	}
	wl_ringbuf_poll(r->rb, 200);
	if (!rt_compare(op, r->records, n))
		return fail(line, "ringbuf %s: %u records, expected %s %u", name, r->records, op,
			    n);
	for (char *f = strtok(args + used, " "); f; f = strtok(NULL, " ")) {
		unsigned bits, off;
		char val[64];
		if (sscanf(f, "u%u@%u=%63s", &bits, &off, val) != 3)
			return fail(line, "ringbuf: bad field check %s", f);
		int64_t want;
		if (!value_of(val, &want) || off + bits / 8 > r->first_len)
			return fail(line, "ringbuf: bad field check %s", f);
		uint64_t have = rt_le_value(r->first + off, bits / 8);
		if (have != (uint64_t)want &&
		    have != ((uint64_t)want & ((bits == 64) ? ~0ULL : (1ULL << bits) - 1)))
			fail(line, "ringbuf %s: first record u%u@%u is %llu, expected %lld", name,
			     bits, off, (unsigned long long)have, (long long)want);
	}
}

static char *directive(char *line, const char *key)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != ';')
		return NULL;
	while (*p == ';' || *p == ' ')
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

/* Where cgroup v2 is mounted (/sys/fs/cgroup, or .../unified on hybrid systems). */
static char cgroup2_root[256];

static bool have_cgroup2(void)
{
	FILE *fp = fopen("/proc/self/mounts", "r");
	char dev[128], dir[256], type[64];
	bool found = false;
	while (fp && !found && fscanf(fp, "%127s %255s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			snprintf(cgroup2_root, sizeof(cgroup2_root), "%s", dir);
			found = true;
		}
	if (fp)
		fclose(fp);
	return found;
}

static int run_file(const char *path)
{
	cur_file = path;
	char *text;
	size_t len;
	if (read_text(path, &text, &len)) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 1;
	}
	/* requirements first */
	bool need_cgroup = strstr(text, "$CGROUP") != NULL;
	for (char *l = text; l && *l;) {
		char *nl = strchr(l, '\n');
		char line[512];
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - l) : (int)strlen(l), l);
		char *a = directive(line, "requires");
		struct stat sb;
		if (a && !strcmp(a, "tracefs") && stat("/sys/kernel/tracing/events", &sb) &&
		    stat("/sys/kernel/debug/tracing/events", &sb)) {
			printf("SKIP %s: no tracefs\n", path);
			free(text);
			return 77;
		}
		if (a && !strcmp(a, "btf") && stat("/sys/kernel/btf/vmlinux", &sb)) {
			printf("SKIP %s: no kernel BTF\n", path);
			free(text);
			return 77;
		}
		if (a && !strcmp(a, "kprobes") &&
		    stat("/sys/bus/event_source/devices/kprobe", &sb) &&
		    stat("/sys/kernel/tracing/kprobe_events", &sb)) {
			printf("SKIP %s: this kernel has no kprobes\n", path);
			free(text);
			return 77;
		}
		if (a && !strcmp(a, "cgroup2") && !have_cgroup2()) {
			printf("SKIP %s: no cgroup v2\n", path);
			free(text);
			return 77;
		}
		l = nl ? nl + 1 : NULL;
	}
	struct compiled c;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (compile(&c, path, base, false)) {
		fprintf(stderr, "%s: FAIL: does not compile\n", path);
		compiled_free(&c);
		free(text);
		return 1;
	}
	struct wl_object *obj = NULL;
	int err = wl_object_open_mem(c.obj.data, c.obj.len, NULL, &obj);
	if (err) {
		fprintf(stderr, "%s: FAIL: wl_object_open_mem: %s\n", path, strerror(-err));
		compiled_free(&c);
		free(text);
		return 1;
	}
	unsigned lineno = 0;
	for (char *l = text; l && *l; lineno++) {
		char *nl = strchr(l, '\n');
		char line[512];
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - l) : (int)strlen(l), l);
		l = nl ? nl + 1 : NULL;
		char *a = directive(line, "global");
		if (!a)
			continue;
		char name[128], eq[4], val[64];
		int64_t v;
		size_t size;
		if (sscanf(a, "%127s %3s %63s", name, eq, val) != 3 || !value_of(val, &v)) {
			fail(lineno + 1, "global: expected NAME = VALUE");
			continue;
		}
		void *g = wl_object_global(obj, elf_name(name), &size);
		if (!g) {
			fail(lineno + 1, "no global %s", name);
			continue;
		}
		rt_le_bytes(v, g, size);
	}
	if (need_cgroup) {
		if (!have_cgroup2()) {
			printf("SKIP %s: no cgroup v2\n", path);
			wl_object_close(obj);
			compiled_free(&c);
			free(text);
			return 77;
		}
		snprintf(cgroup_dir, sizeof(cgroup_dir), "%s/whistler-dsl-%d", cgroup2_root,
			 getpid());
		if (mkdir(cgroup_dir, 0755) && errno != EEXIST) {
			printf("SKIP %s: cannot make a cgroup: %s\n", path, strerror(errno));
			wl_object_close(obj);
			compiled_free(&c);
			free(text);
			return 77;
		}
	}
	err = wl_object_load(obj);
	if (err) {
		bool perm = err == -EPERM || err == -ENOSYS;
		fprintf(stderr, "%s: %s: load: %s\n", path, perm ? "SKIP" : "FAIL", strerror(-err));
		for (size_t i = 0; i < wl_object_program_count(obj); i++)
			if (wl_program_log(wl_object_program(obj, i)))
				fprintf(stderr, "%s\n", wl_program_log(wl_object_program(obj, i)));
		wl_object_close(obj);
		compiled_free(&c);
		free(text);
		if (need_cgroup)
			rmdir(cgroup_dir);
		return perm ? 77 : 1;
	}
	struct ctxrun r = { .obj = obj, .listen_fd = -1 };
	static const struct {
		const char *key;
		void (*fn)(struct ctxrun *, char *, unsigned);
	} dirs[] = {
		{ "prog-array", do_prog_array }, { "attach", do_attach },   { "listen", do_listen },
		{ "trigger", do_trigger },	 { "run", do_run },	    { "map", do_map },
		{ "map-sum", do_map_sum },	 { "ringbuf", do_ringbuf },
	};
	unsigned checks = 0;
	lineno = 0;
	for (char *l = text; l && *l;) {
		char *nl = strchr(l, '\n');
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - l) : (int)strlen(l), l);
		l = nl ? nl + 1 : NULL;
		lineno++;
		for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
			char *a = directive(line, dirs[i].key);
			if (a) {
				dirs[i].fn(&r, a, lineno);
				checks++;
				break;
			}
		}
	}
	if (r.rb)
		wl_ringbuf_free(r.rb);
	if (r.listen_fd >= 0)
		close(r.listen_fd);
	wl_object_close(obj);
	if (need_cgroup)
		rmdir(cgroup_dir);
	compiled_free(&c);
	free(text);
	if (!checks)
		fail(0, "no expectations in the file");
	if (!failures)
		printf("ok %s (%u directives, %u instructions)\n", path, checks, c.oo.ninsns);
	return failures ? 1 : 0;
}

/* ---- golden diagnostics ------------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_errors(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "%s: cannot open\n", dir);
		return 1;
	}
	char *names[512];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dp)) && n < 512) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".lisp"))
			names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	qsort(names, n, sizeof(char *), cmp_names);
	bool bless = getenv("WHISTLER_BLESS") && *getenv("WHISTLER_BLESS") == '1';
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *errp = xasprintf("%.*s.err", (int)(strlen(path) - 5), path);
		struct compiled c;
		int rc = compile(&c, path, names[i], true);
		const char *got = buf_cstr(&c.diags);
		if (!rc && !c.diags.len)
			got = "(compiled without errors)\n";
		char *want = NULL;
		size_t wl = 0;
		if (bless) {
			file_write_atomic(errp, got, strlen(got));
		} else if (read_text(errp, &want, &wl)) {
			fprintf(stderr, "%s: FAIL: no %s\n", path, errp);
			bad++;
		} else if (strcmp(want, got)) {
			fprintf(stderr, "%s: FAIL: diagnostics differ\n--- expected\n%s--- got\n%s",
				path, want, got);
			bad++;
		} else if (rc == 0) {
			fprintf(stderr, "%s: FAIL: compiled, but an error was expected\n", path);
			bad++;
		}
		free(want);
		compiled_free(&c);
		free(path);
		free(errp);
		free(names[i]);
	}
	printf("%s: %zu diagnostic tests, %d failed%s\n", dir, n, bad, bless ? " (blessed)" : "");
	return bad ? 1 : 0;
}

/* ---- --gen ------------------------------------------------------------------------- */

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int run_gen(const char *path, const char *whistler)
{
	cur_file = path;
	char tmp[] = "/tmp/whistler-gen-XXXXXX";
	if (!mkdtemp(tmp))
		return 1;
	if (sh("%s compile %s -o %s/out.bpf.o --gen all >/dev/null", whistler, path, tmp)) {
		fail(0, "whistler compile --gen all failed");
		return 1;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char stem[256];
	snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(base) - 5), base);
	/* C: the _Static_asserts hold under gcc */
	if (sh("command -v gcc >/dev/null"))
		printf("SKIP C check: no gcc\n");
	else if (
		sh("printf '#include \"%s.h\"\\nint main(void){return 0;}\\n' > %s/t.c && gcc -std=c11 -Wall -Werror -fsyntax-only -I%s %s/t.c",
		   stem, tmp, tmp, tmp))
		fail(0, "the generated C header does not compile (or an assert fails)");
	/* Python: the ctypes asserts hold */
	if (sh("command -v python3 >/dev/null"))
		printf("SKIP Python check: no python3\n");
	else if (sh("cd %s && python3 -c 'import %s_types'", tmp, stem))
		fail(0, "the generated Python module fails its asserts");
	/* Lisp: the generated definitions read back with the DSL compiler */
	if (sh("%s compile %s/%s_types.lisp -o %s/lisp.bpf.o >/dev/null", whistler, tmp, stem, tmp))
		fail(0, "the generated Lisp does not compile");
	/* Go and Rust: textually, against the layout the C header asserts */
	char *c_h, *go, *rs;
	size_t n;
	char *p1 = xasprintf("%s/%s.h", tmp, stem), *p2 = xasprintf("%s/%s_types.go", tmp, stem),
	     *p3 = xasprintf("%s/%s_types.rs", tmp, stem);
	if (read_text(p1, &c_h, &n) || read_text(p2, &go, &n) || read_text(p3, &rs, &n)) {
		fail(0, "generated files missing");
	} else {
		/* every offsetof assert of the C header has its Rust twin and a Go "// offset N" */
		for (char *a = strstr(c_h, "offsetof(struct "); a;
		     a = strstr(a + 1, "offsetof(struct ")) {
			char sname[128], fname[128];
			unsigned off;
			if (sscanf(a, "offsetof(struct %127[^,], %127[^)]) == %u", sname, fname,
				   &off) != 3)
				continue;
			char want[256];
			snprintf(want, sizeof(want), ", %s) == %u);", fname, off);
			if (!strstr(rs, want))
				fail(0, "Rust lacks the offset assert of %s.%s (%u)", sname, fname,
				     off);
			snprintf(want, sizeof(want), "// offset %u\n", off);
			if (!strstr(go, want))
				fail(0, "Go lacks a field at offset %u (%s.%s)", off, sname, fname);
		}
		if (sh("command -v rustc >/dev/null"))
			printf("note: no rustc, the Rust layout is checked textually only\n");
		else if (
			/* the output stays in tmp: rustc renames its output into
			 * place, and `-o /dev/null` replaced the device */
			sh("cd %s && rustc --edition 2021 --crate-type lib -o %s_types.rlib %s_types.rs 2>/dev/null",
			   tmp, stem, stem))
			fail(0, "the generated Rust does not compile");
		if (sh("command -v gofmt >/dev/null"))
			printf("note: no gofmt, the Go layout is checked textually only\n");
		else if (sh("cd %s && gofmt -l %s_types.go >/dev/null", tmp, stem))
			fail(0, "the generated Go is not valid");
		free(c_h);
		free(go);
		free(rs);
	}
	free(p1);
	free(p2);
	free(p3);
	sh("rm -rf %s", tmp);
	if (!failures)
		printf("ok %s: --gen c and python compiled with their asserts, lisp read back, go and rust layouts checked\n",
		       path);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "run"))
		return run_file(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "errors"))
		return run_errors(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "gen"))
		return run_gen(argv[2], argv[3]);
	fprintf(stderr, "usage: dsl_corpus run FILE.lisp | errors DIR | gen FILE.lisp WHISTLER\n");
	return 2;
}
