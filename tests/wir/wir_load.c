/* The program suite's libbpf half: opens and loads an object `whistler
 * compile` wrote with libbpf (bpf_object__open_file + bpf_object__load), then
 * follows the directives of its .wir source in file order — test runs, map
 * updates, attachments, triggers, and checks of maps, globals and event
 * buffers.  Programs marked `; expect-skip:` are loaded on their own and
 * skipped loudly when the kernel refuses them.  Directives:
 *   ; set: $GLOBAL -> VALUE               before load (e.g. the pid to trace)
 *   ; expect-skip: $PROG WHY              the kernel may refuse to load or attach it
 *   ; update: $MAP KEY -> VALUE           map element, after load
 *   ; run: $PROG [data=x"..."] [ctx=x"..."] [repeat=N] -> RETVAL [out=x"..."]
 *   ; attach: $PROG tracepoint CAT/NAME | raw_tracepoint NAME | tp_btf | fentry
 *             | uprobe BINARY:FUNC | uretprobe BINARY:FUNC | kprobe FUNC | kretprobe FUNC
 *             | sk_skb MAP | sk_msg MAP (verdict programs on a sockmap/sockhash)
 *   ; trigger: getpid N | unlink N | target N | tcp MAP KEY [MAP KEY]
 *             (unlink: of a missing file; target: the uprobe test binary;
 *             tcp: a loopback connection whose accepted and connecting
 *             sockets go into the sockmaps/sockhashes named, then 5 bytes)
 *   ; map: $MAP KEY -> VALUE              per-CPU maps: the sum over CPUs
 *   ; global: $NAME[IDX] -> VALUE         a global's value (IDX for arrays)
 *   ; ringbuf: $MAP -> x"..."             the next record of a ring buffer
 *   ; perfbuf: $MAP -> x"..."             the next sample of a perf buffer
 * Values are integers (little-endian at the element's size), x"..." bytes,
 * `pid` (this process), `btf:KIND:NAME` (an id in the kernel's BTF, or with
 * `local-btf:` in the object's), or
 * `fd:$NAME` (a map's or program's fd, for maps of maps and prog arrays).
 * Binaries named in attach lines are looked up in $WIR_BIN_DIR.
 * Exit 0: all passed; 1: a failure; 77: something was skipped. */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINKS 32
#define MAX_RECS 256

struct rec {
	uint8_t *data;
	size_t size;
};

/* Records delivered by a ring buffer or perf buffer, consumed by checks in order. */
struct evq {
	const struct bpf_map *map;
	struct rec recs[MAX_RECS];
	unsigned n, next;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
};

struct map_attach {
	int prog, map;
	enum bpf_attach_type type;
};

struct harness {
	const char *wir, *obj;
	struct bpf_object *o;
	struct btf *vmlinux;
	struct bpf_link *links[MAX_LINKS];
	unsigned nlinks;
	struct map_attach map_attach[8];
	unsigned nmap_attach;
	struct evq queues[8];
	unsigned nqueues;
	unsigned failures, skips;
	char *skipped[16]; /* programs the kernel refused */
	unsigned nskipped;
	bool tainted;  /* a refused program was to run or attach: later checks cannot hold */
	char **expect; /* programs named by `; expect-skip:` */
	unsigned nexpect;
};

static pid_t self_pid; /* cached: getpid() is a syscall the tracepoints under test see */
static char libbpf_log[1 << 16];
static size_t libbpf_log_len;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	int n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt,
			  ap);
	if (n > 0)
		libbpf_log_len = libbpf_log_len + (size_t)n >= sizeof(libbpf_log)
					 ? sizeof(libbpf_log) - 1
					 : libbpf_log_len + (size_t)n;
	return 0;
}

static void flush_log(void)
{
	if (libbpf_log_len)
		fprintf(stderr, "---- libbpf said:\n%s----\n", libbpf_log);
	libbpf_log_len = 0;
	libbpf_log[0] = 0;
}

static void fail(struct harness *h, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct harness *h, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%u: FAIL: ", h->wir, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	h->failures++;
}

static char *skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The next whitespace-separated word of *s (NUL-terminated in place), or NULL. */
static char *word(char **s)
{
	char *p = skip_ws(*s);
	if (!*p)
		return NULL;
	char *e = p;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = 0;
	*s = e;
	return p;
}

static const char *sym_name(const char *w)
{
	return w[0] == '$' ? w + 1 : w;
}

/* ---- values ------------------------------------------------------------------ */

/* Parses VALUE into buf at `size` bytes (integers little-endian, truncated;
 * bytes as given, which must fit). Returns the number of bytes or -1. */
static long parse_value(struct harness *h, const char *text, uint8_t *buf, size_t size)
{
	memset(buf, 0, size);
	if (text[0] == 'x' && text[1] == '"') {
		size_t n = 0;
		for (const char *p = text + 2; p[0] && p[1] && p[0] != '"'; p += 2) {
			char b[3] = { p[0], p[1], 0 };
			if (n >= size)
				return -1;
			buf[n++] = (uint8_t)strtoul(b, NULL, 16);
		}
		return (long)n;
	}
	int64_t v;
	if (!strcmp(text, "pid")) {
		v = self_pid;
	} else if (!strncmp(text, "fd:", 3)) {
		/* a map's or program's fd: values of maps of maps and prog arrays */
		struct bpf_map *m = bpf_object__find_map_by_name(h->o, sym_name(text + 3));
		struct bpf_program *p =
			m ? NULL : bpf_object__find_program_by_name(h->o, sym_name(text + 3));
		if (!m && !p)
			return -1;
		v = m ? bpf_map__fd(m) : bpf_program__fd(p);
	} else if (!strncmp(text, "btf:", 4) || !strncmp(text, "local-btf:", 10)) {
		/* a type id in the kernel's BTF, or in the object's own */
		bool local = text[0] == 'l';
		char kind[16], name[128];
		if (sscanf(text + (local ? 10 : 4), "%15[^:]:%127s", kind, name) != 2)
			return -1;
		int k = !strcmp(kind, "struct")	   ? BTF_KIND_STRUCT
			: !strcmp(kind, "union")   ? BTF_KIND_UNION
			: !strcmp(kind, "enum")	   ? BTF_KIND_ENUM
			: !strcmp(kind, "typedef") ? BTF_KIND_TYPEDEF
						   : BTF_KIND_INT;
		if (!h->vmlinux && !local)
			h->vmlinux = btf__load_vmlinux_btf();
		const struct btf *btf = local ? bpf_object__btf(h->o) : h->vmlinux;
		if (!btf)
			return -1;
		v = btf__find_by_name_kind(btf, name, (uint32_t)k);
		if (v < 0)
			return -1;
	} else {
		char *end;
		errno = 0;
		v = text[0] == '-' ? strtoll(text, &end, 0) : (int64_t)strtoull(text, &end, 0);
		if (errno || *end)
			return -1;
	}
	memcpy(buf, &v, size < 8 ? size : 8);
	return (long)size;
}

static void hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 3 < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, "%02x", b[i]);
	out[k] = 0;
}

/* "KEY -> VALUE": splits at the arrow. */
static bool split_arrow(char *s, char **left, char **right)
{
	char *a = strstr(s, "->");
	if (!a)
		return false;
	*a = 0;
	char *l = skip_ws(s), *e = l + strlen(l);
	while (e > l && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	*left = l;
	*right = skip_ws(a + 2);
	e = *right + strlen(*right);
	while (e > *right && isspace((unsigned char)e[-1]))
		*--e = 0;
	return true;
}

static struct bpf_map *find_map(struct harness *h, unsigned line, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(h->o, sym_name(name));
	if (!m)
		fail(h, line, "no map %s in the object", name);
	return m;
}

static struct bpf_program *find_prog(struct harness *h, unsigned line, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(h->o, sym_name(name));
	if (!p)
		fail(h, line, "no program %s in the object", name);
	return p;
}

/* A program named by `; expect-skip:`: the kernel may refuse to load or attach it. */
static bool expected_refusal(struct harness *h, const char *name)
{
	for (unsigned i = 0; i < h->nexpect; i++)
		if (!strcmp(sym_name(h->expect[i]), sym_name(name)))
			return true;
	return false;
}

static bool skipped(struct harness *h, const char *name)
{
	for (unsigned i = 0; i < h->nskipped; i++)
		if (!strcmp(h->skipped[i], sym_name(name)))
			return true;
	return false;
}

/* ---- globals ------------------------------------------------------------------ */

/* Where global `name` lives: the internal map of its DATASEC, its offset and
 * type. Returns false if there is no such variable. */
static bool find_global(struct harness *h, const char *name, struct bpf_map **map, uint32_t *off,
			uint32_t *type)
{
	const struct btf *btf = bpf_object__btf(h->o);
	if (!btf)
		return false;
	uint32_t n = btf__type_cnt(btf);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_datasec(t))
			continue;
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);
		for (unsigned i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);
			if (strcmp(btf__name_by_offset(btf, v->name_off), name))
				continue;
			const char *sec = btf__name_by_offset(btf, t->name_off);
			struct bpf_map *m;
			*map = NULL;
			bpf_object__for_each_map(m, h->o)
			{
				const char *mn = bpf_map__name(m);
				size_t ml = strlen(mn), sl = strlen(sec);
				/* internal maps are named "<object prefix><section>", cut at 15
				 * chars */
				if (bpf_map__is_internal(m) &&
				    (bpf_map__btf_value_type_id(m) == id ||
				     (ml >= sl && !strcmp(mn + ml - sl, sec))))
					*map = m;
			}
			*off = vs->offset;
			*type = v->type;
			return *map != NULL;
		}
	}
	return false;
}

/* "$name" or "$name[IDX]": offset and size of the element. */
static bool global_elem(struct harness *h, unsigned line, const char *text, struct bpf_map **map,
			uint32_t *off, uint32_t *size)
{
	char name[128];
	const char *s = sym_name(text), *br = strchr(s, '[');
	unsigned long idx = br ? strtoul(br + 1, NULL, 0) : 0;
	snprintf(name, sizeof(name), "%.*s", (int)(br ? (size_t)(br - s) : strlen(s)), s);
	bool indexed = br != NULL;
	uint32_t type;
	if (!find_global(h, name, map, off, &type)) {
		fail(h, line, "no global %s (no DATASEC variable with an internal map)", name);
		return false;
	}
	const struct btf *btf = bpf_object__btf(h->o);
	if (indexed) {
		uint32_t t = (uint32_t)btf__resolve_type(btf, type);
		const struct btf_type *at = btf__type_by_id(btf, t);
		if (!btf_is_array(at)) {
			fail(h, line, "global %s is not an array", name);
			return false;
		}
		long es = btf__resolve_size(btf, btf_array(at)->type);
		*off += (uint32_t)(idx * (unsigned long)es);
		*size = (uint32_t)es;
	} else {
		*size = (uint32_t)btf__resolve_size(btf, type);
	}
	return true;
}

static void directive_set(struct harness *h, unsigned line, char *rest)
{
	char *l, *r;
	struct bpf_map *m;
	uint32_t off, size;
	if (!split_arrow(rest, &l, &r) || !global_elem(h, line, l, &m, &off, &size))
		return fail(h, line, "bad set line (want: $GLOBAL -> VALUE)");
	size_t isz;
	const void *init = bpf_map__initial_value(m, &isz);
	if (!init || off + size > isz)
		return fail(h, line, "global %s has no initial value image", l);
	uint8_t *img = malloc(isz);
	memcpy(img, init, isz);
	if (parse_value(h, r, img + off, size) < 0)
		fail(h, line, "bad value %s", r);
	else if (bpf_map__set_initial_value(m, img, isz))
		fail(h, line, "cannot set the initial value of %s", l);
	free(img);
}

static void directive_global(struct harness *h, unsigned line, char *rest)
{
	char *l, *r;
	struct bpf_map *m;
	uint32_t off, size;
	if (!split_arrow(rest, &l, &r))
		return fail(h, line, "bad global line (want: $GLOBAL -> VALUE)");
	if (!global_elem(h, line, l, &m, &off, &size))
		return;
	uint32_t vs = bpf_map__value_size(m), zero = 0;
	uint8_t *v = calloc(1, vs), *want = calloc(1, size + 1);
	int err = bpf_map__lookup_elem(m, &zero, 4, v, vs, 0);
	long n = parse_value(h, r, want, size);
	char got_s[256], want_s[256];
	if (err)
		fail(h, line, "reading %s: %s", bpf_map__name(m), strerror(-err));
	else if (n < 0)
		fail(h, line, "bad value %s", r);
	else if (memcmp(v + off, want, (size_t)n)) {
		hex(v + off, size, got_s, sizeof(got_s));
		hex(want, (size_t)n, want_s, sizeof(want_s));
		fail(h, line, "global %s is %s, expected %s (%s)", l, got_s, want_s, r);
	} else {
		printf("  global %s = %s ok\n", l, r);
	}
	free(v);
	free(want);
}

/* ---- maps ---------------------------------------------------------------------- */

static bool percpu(const struct bpf_map *m)
{
	switch (bpf_map__type(m)) {
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return true;
	default:
		return false;
	}
}

static void directive_update(struct harness *h, unsigned line, char *rest)
{
	char *mapname = word(&rest), *l, *r;
	struct bpf_map *m = mapname ? find_map(h, line, mapname) : NULL;
	if (!m)
		return;
	if (!split_arrow(rest, &l, &r))
		return fail(h, line, "bad update line (want: $MAP KEY -> VALUE)");
	uint32_t ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
	uint8_t *k = calloc(1, ks + 1), *v = calloc(1, vs + 1);
	if (parse_value(h, l, k, ks) < 0 || parse_value(h, r, v, vs) < 0)
		fail(h, line, "bad key or value");
	else {
		int err = bpf_map_update_elem(bpf_map__fd(m), ks ? k : NULL, v, 0);
		if (err)
			fail(h, line, "update of %s: %s", mapname, strerror(errno));
		else
			printf("  update %s[%s] = %s\n", mapname, l, r);
	}
	free(k);
	free(v);
}

static void directive_map(struct harness *h, unsigned line, char *rest)
{
	char *mapname = word(&rest), *l, *r;
	struct bpf_map *m = mapname ? find_map(h, line, mapname) : NULL;
	if (!m)
		return;
	if (!split_arrow(rest, &l, &r))
		return fail(h, line, "bad map line (want: $MAP KEY -> VALUE)");
	uint32_t ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
	int ncpu = percpu(m) ? libbpf_num_possible_cpus() : 1;
	size_t stride = percpu(m) ? (vs + 7) / 8 * 8 : vs;
	uint8_t *k = calloc(1, ks + 1), *v = calloc((size_t)ncpu, stride),
		*want = calloc(1, vs + 8);
	long n = parse_value(h, r, want, vs);
	if (parse_value(h, l, k, ks) < 0 || n < 0) {
		fail(h, line, "bad key or value");
		goto out;
	}
	if (bpf_map__lookup_elem(m, k, ks, v, stride * (size_t)ncpu, 0)) {
		fail(h, line, "%s[%s]: %s", mapname, l, strerror(errno));
		goto out;
	}
	if (percpu(m)) {
		/* integers: the sum over CPUs */
		uint64_t sum = 0;
		for (int c = 0; c < ncpu; c++) {
			uint64_t x = 0;
			memcpy(&x, v + (size_t)c * stride, vs < 8 ? vs : 8);
			sum += x;
		}
		memset(v, 0, stride);
		memcpy(v, &sum, vs < 8 ? vs : 8);
	}
	if (memcmp(v, want, (size_t)n)) {
		char got_s[256], want_s[256];
		hex(v, vs, got_s, sizeof(got_s));
		hex(want, (size_t)n, want_s, sizeof(want_s));
		fail(h, line, "%s[%s] is %s, expected %s (%s)", mapname, l, got_s, want_s, r);
	} else {
		printf("  map %s[%s] = %s ok\n", mapname, l, r);
	}
out:
	free(k);
	free(v);
	free(want);
}

/* ---- event buffers -------------------------------------------------------------- */

static void push_rec(struct evq *q, const void *data, size_t size)
{
	if (q->n >= MAX_RECS)
		return;
	q->recs[q->n].data = malloc(size ? size : 1);
	memcpy(q->recs[q->n].data, data, size);
	q->recs[q->n].size = size;
	q->n++;
}

static int on_ring(void *ctx, void *data, size_t size)
{
	push_rec(ctx, data, size);
	return 0;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	push_rec(ctx, data, size);
}

/* Perf buffers must exist before the programs run (they fill the map). */
static struct evq *queue(struct harness *h, unsigned line, const char *mapname)
{
	struct bpf_map *m = find_map(h, line, mapname);
	if (!m)
		return NULL;
	for (unsigned i = 0; i < h->nqueues; i++)
		if (h->queues[i].map == m)
			return &h->queues[i];
	if (h->nqueues == 8) {
		fail(h, line, "too many event buffers");
		return NULL;
	}
	struct evq *q = &h->queues[h->nqueues++];
	q->map = m;
	if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF)
		q->rb = ring_buffer__new(bpf_map__fd(m), on_ring, q, NULL);
	else
		q->pb = perf_buffer__new(bpf_map__fd(m), 8, on_sample, NULL, q, NULL);
	if (!q->rb && !q->pb)
		fail(h, line, "cannot open the event buffer of %s: %s", mapname, strerror(errno));
	return q;
}

static void directive_events(struct harness *h, unsigned line, char *rest)
{
	char *mapname = word(&rest), *l, *r;
	struct evq *q = mapname ? queue(h, line, mapname) : NULL;
	if (!q || (!q->rb && !q->pb))
		return;
	if (!split_arrow(rest, &l, &r) || r[0] != 'x')
		return fail(h, line, "bad event line (want: $MAP -> x\"...\")");
	if (q->rb)
		ring_buffer__consume(q->rb);
	else
		perf_buffer__consume(q->pb);
	uint8_t want[4096];
	long n = parse_value(h, r, want, sizeof(want));
	if (q->next >= q->n)
		return fail(h, line, "%s: no record %u (%u received)", mapname, q->next + 1, q->n);
	struct rec *rc = &q->recs[q->next++];
	/* perf samples are padded to 8 bytes: compare the expected prefix */
	if ((size_t)n > rc->size || memcmp(rc->data, want, (size_t)n) ||
	    (q->rb && (size_t)n != rc->size)) {
		char got_s[512];
		hex(rc->data, rc->size, got_s, sizeof(got_s));
		fail(h, line, "%s record %u is %s, expected %s", mapname, q->next, got_s, r);
	} else {
		printf("  %s record %u = %s ok\n", mapname, q->next, r);
	}
}

/* ---- running -------------------------------------------------------------------- */

static size_t hex_arg(struct harness *h, const char *line, const char *key, uint8_t **out)
{
	char pat[32];
	snprintf(pat, sizeof(pat), "%s=x\"", key);
	const char *p = strstr(line, pat);
	*out = NULL;
	if (!p)
		return 0;
	*out = malloc(strlen(p) / 2 + 1);
	return (size_t)parse_value(h, p + strlen(key) + 1, *out, strlen(p) / 2 + 1);
}

static void directive_run(struct harness *h, unsigned line, char *rest)
{
	char *name = word(&rest);
	struct bpf_program *p = name ? find_prog(h, line, name) : NULL;
	if (!p)
		return;
	if (skipped(h, name)) {
		printf("  run %s: skipped (the kernel refused the program)\n", name);
		h->tainted = true;
		return;
	}
	char *arrow = strstr(rest, "->");
	if (!arrow)
		return fail(h, line, "run line needs '-> RETVAL'");
	*arrow = 0;
	char *res = arrow + 2;
	long long want = strtoll(skip_ws(res), NULL, 0);
	uint8_t *data, *ctx, *outw;
	size_t nd = hex_arg(h, rest, "data", &data), nc = hex_arg(h, rest, "ctx", &ctx);
	size_t no = hex_arg(h, res, "out", &outw);
	uint8_t outbuf[4096];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = (uint32_t)nd,
		    .ctx_in = ctx, .ctx_size_in = (uint32_t)nc, .repeat = 1);
	if (no) {
		o.data_out = outbuf;
		o.data_size_out = sizeof(outbuf);
	}
	const char *rp = strstr(rest, "repeat=");
	if (rp)
		o.repeat = (int)strtoul(rp + 7, NULL, 0);
	int err = bpf_prog_test_run_opts(bpf_program__fd(p), &o);
	if (err)
		fail(h, line, "BPF_PROG_TEST_RUN of %s: %s", name, strerror(errno));
	else if ((long long)(int32_t)o.retval != want && (long long)o.retval != want)
		fail(h, line, "%s returned %u, expected %lld", name, o.retval, want);
	else if (no && (o.data_size_out < no || memcmp(outbuf, outw, no)))
		fail(h, line, "%s: the packet out differs from the expected bytes", name);
	else
		printf("  run %s -> %lld ok\n", name, want);
	free(data);
	free(ctx);
	free(outw);
}

static char *bin_path(const char *name)
{
	const char *dir = getenv("WIR_BIN_DIR");
	char *p;
	if (asprintf(&p, "%s/%s", dir ? dir : ".", name) < 0)
		abort();
	return p;
}

static void directive_attach(struct harness *h, unsigned line, char *rest)
{
	char *name = word(&rest), *kind = word(&rest), *target = word(&rest);
	struct bpf_program *p = name ? find_prog(h, line, name) : NULL;
	if (!p || !kind)
		return;
	if (skipped(h, name)) {
		printf("  attach %s: skipped (the kernel refused the program)\n", name);
		h->tainted = true;
		return;
	}
	if (h->nlinks == MAX_LINKS)
		return fail(h, line, "too many links");
	struct bpf_link *l = NULL;
	if (!strcmp(kind, "tracepoint") && target && strchr(target, '/')) {
		char cat[128];
		snprintf(cat, sizeof(cat), "%.*s", (int)(strchr(target, '/') - target), target);
		l = bpf_program__attach_tracepoint(p, cat, strchr(target, '/') + 1);
	} else if (!strcmp(kind, "raw_tracepoint") && target) {
		l = bpf_program__attach_raw_tracepoint(p, target);
	} else if (!strcmp(kind, "tp_btf") || !strcmp(kind, "fentry") || !strcmp(kind, "lsm")) {
		l = bpf_program__attach_trace(p);
	} else if ((!strcmp(kind, "kprobe") || !strcmp(kind, "kretprobe")) && target) {
		l = bpf_program__attach_kprobe(p, kind[1] == 'r', target);
	} else if ((!strcmp(kind, "uprobe") || !strcmp(kind, "uretprobe")) && target &&
		   strchr(target, ':')) {
		char *colon = strchr(target, ':');
		*colon = 0;
		char *path = bin_path(target);
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = colon + 1,
			    .retprobe = kind[1] == 'r');
		l = bpf_program__attach_uprobe_opts(p, -1, path, 0, &uo);
		free(path);
	} else if ((!strcmp(kind, "sk_skb") || !strcmp(kind, "sk_msg")) && target) {
		/* verdict programs on a sockmap/sockhash: BPF_PROG_ATTACH, detached at the end */
		struct bpf_map *m = find_map(h, line, target);
		if (!m)
			return;
		enum bpf_attach_type t =
			kind[3] == 's' ? BPF_SK_SKB_STREAM_VERDICT : BPF_SK_MSG_VERDICT;
		if (bpf_prog_attach(bpf_program__fd(p), bpf_map__fd(m), t, 0))
			return fail(h, line, "attaching %s to %s: %s", name, target,
				    strerror(errno));
		h->map_attach[h->nmap_attach++] =
			(struct map_attach){ bpf_program__fd(p), bpf_map__fd(m), t };
		printf("  attached %s (%s verdict on %s)\n", name, kind, target);
		return;
	} else {
		return fail(h, line, "unknown attach kind %s", kind);
	}
	if (!l) {
		int err = errno;
		if (expected_refusal(h, name)) {
			printf("SKIP: %s: the kernel refuses to attach it (%s %s): %s\n", name,
			       kind, target ? target : "", strerror(err));
			h->skips++;
			h->tainted = true;
			libbpf_log_len = 0;
			libbpf_log[0] = 0;
			return;
		}
		fail(h, line, "attaching %s (%s %s): %s", name, kind, target ? target : "",
		     strerror(err));
		flush_log();
		return;
	}
	h->links[h->nlinks++] = l;
	printf("  attached %s (%s%s%s)\n", name, kind, target ? " " : "", target ? target : "");
}

/* Puts socket fd into sockmap/sockhash `map` at `key`. */
static bool sock_into(struct harness *h, unsigned line, const char *map, const char *key, int fd)
{
	struct bpf_map *m = find_map(h, line, map);
	uint32_t k = (uint32_t)strtoul(key ? key : "0", NULL, 0);
	uint64_t v = (uint64_t)fd;
	if (!m)
		return false;
	if (bpf_map_update_elem(bpf_map__fd(m), &k, &v, BPF_ANY)) {
		fail(h, line, "adding a socket to %s: %s", map, strerror(errno));
		return false;
	}
	return true;
}

/* A TCP connection over loopback: the accepted socket goes into map1[key1],
 * the connecting one into map2[key2] (if given), then "hello" is sent to
 * the accepted side and read back. Returns the bytes received or -1. */
static long tcp_exchange(struct harness *h, unsigned line, const char *map1, const char *key1,
			 const char *map2, const char *key2)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM, 0), cs = socket(AF_INET, SOCK_STREAM, 0), ss = -1;
	long got = -1;
	char buf[16];
	if (ls < 0 || cs < 0 || bind(ls, (void *)&a, sizeof(a)) || listen(ls, 1) ||
	    getsockname(ls, (void *)&a, &alen) || connect(cs, (void *)&a, sizeof(a)) ||
	    (ss = accept(ls, NULL, NULL)) < 0) {
		fail(h, line, "loopback TCP connection: %s", strerror(errno));
		goto out;
	}
	if (!sock_into(h, line, map1, key1, ss) || (map2 && !sock_into(h, line, map2, key2, cs)))
		goto out;
	if (send(cs, "hello", 5, 0) != 5) {
		fail(h, line, "send: %s", strerror(errno));
		goto out;
	}
	got = 0;
	while (got < 5) {
		ssize_t r = recv(ss, buf + got, sizeof(buf) - (size_t)got, 0);
		if (r <= 0) {
			fail(h, line, "recv: %s", r ? strerror(errno) : "connection closed");
			got = -1;
			goto out;
		}
		got += r;
	}
out:
	if (ss >= 0)
		close(ss);
	if (cs >= 0)
		close(cs);
	if (ls >= 0)
		close(ls);
	return got;
}

static void directive_trigger(struct harness *h, unsigned line, char *rest)
{
	char *what = word(&rest), *count = word(&rest);
	long n = count ? strtol(count, NULL, 0) : 1;
	if (what && !strcmp(what, "getpid")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getpid);
	} else if (what && !strcmp(what, "unlink")) {
		for (long i = 0; i < n; i++)
			unlink("/nonexistent/wir_load");
	} else if (what && !strcmp(what, "tcp")) {
		/* count = a sockmap/sockhash for the accepted socket, then its key;
		 * optionally another map and key for the connecting socket */
		char *k1 = word(&rest), *m2 = word(&rest), *k2 = word(&rest);
		n = tcp_exchange(h, line, count, k1, m2, k2);
		if (n < 0)
			return;
	} else if (what && !strcmp(what, "target")) {
		char *path = bin_path("wl_probe_target");
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 1);
			execl(path, path, count ? count : "1", (char *)NULL);
			_exit(127);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail(h, line, "the target %s did not run (status %d)", path, st);
		free(path);
	} else {
		return fail(h, line, "unknown trigger %s", what ? what : "");
	}
	printf("  triggered %s %ld\n", what, n);
}

/* ---- loading --------------------------------------------------------------------- */

/* Programs the file expects the kernel may refuse: loads the object without
 * them first (so maps and the other programs are proven), then tries each on
 * its own and reports the kernel's answer. */
static int load(struct harness *h, char **expect_skip, unsigned nexpect)
{
	int err = bpf_object__load(h->o);
	if (!err || !nexpect)
		return err;
	/* the whole object did not load: find out whether only the expected ones failed */
	char refusal[sizeof(libbpf_log)];
	snprintf(refusal, sizeof(refusal), "%s", libbpf_log);
	libbpf_log_len = 0;
	libbpf_log[0] = 0;
	bpf_object__close(h->o);
	h->o = NULL;
	for (unsigned i = 0; i < nexpect; i++) {
		/* the expected ones, alone */
		struct bpf_object *o = bpf_object__open_file(h->obj, NULL);
		struct bpf_program *p;
		if (!o)
			return -errno;
		bpf_object__for_each_program(p, o) bpf_program__set_autoload(
			p, !strcmp(bpf_program__name(p), sym_name(expect_skip[i])));
		int e = bpf_object__load(o);
		bpf_object__close(o);
		if (!e) {
			printf("  %s loads on its own; the failure came from elsewhere\n",
			       expect_skip[i]);
			continue;
		}
		char why[512] = "";
		const char *m = strstr(libbpf_log, "BPF program load failed: ");
		if (m)
			snprintf(why, sizeof(why), "%.*s", (int)strcspn(m + 25, "\n"), m + 25);
		printf("SKIP: %s: the kernel refuses to load it: %s\n", expect_skip[i],
		       why[0] ? why : strerror(-e));
		h->skipped[h->nskipped++] = strdup(sym_name(expect_skip[i]));
		h->skips++;
		libbpf_log_len = 0;
		libbpf_log[0] = 0;
	}
	/* the rest of the object must load */
	h->o = bpf_object__open_file(h->obj, NULL);
	if (!h->o)
		return -errno;
	struct bpf_program *p;
	bpf_object__for_each_program(p, h->o) if (skipped(h, bpf_program__name(p)))
		bpf_program__set_autoload(p, false);
	err = bpf_object__load(h->o);
	if (err)
		fprintf(stderr, "---- the first load said:\n%s", refusal);
	return err;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: wir_load FILE.wir FILE.o\n");
		return 2;
	}
	struct harness h = { .wir = argv[1], .obj = argv[2] };
	self_pid = getpid();
	libbpf_set_print(print_fn);
	FILE *f = fopen(h.wir, "r");
	if (!f) {
		perror(h.wir);
		return 1;
	}
	char *lines[4096];
	unsigned nlines = 0;
	char buf[8192];
	while (nlines < 4096 && fgets(buf, sizeof(buf), f))
		lines[nlines++] = strdup(buf);
	fclose(f);

	int rc = 1;
	char *expect[16];
	unsigned nexpect = 0;
	h.o = bpf_object__open_file(h.obj, NULL);
	if (!h.o) {
		fprintf(stderr, "FAIL: bpf_object__open_file(%s): %s\n", h.obj, strerror(errno));
		flush_log();
		goto out;
	}
	/* directives before load: set, expect-skip */
	for (unsigned i = 0; i < nlines; i++) {
		char *d = strstr(lines[i], "; set:"), *e = strstr(lines[i], "; expect-skip:");
		char *copy = NULL;
		if (d) {
			copy = strdup(d + 6);
			directive_set(&h, i + 1, copy);
		} else if (e && nexpect < 16) {
			copy = strdup(e + 14);
			char *rest = copy, *w = word(&rest);
			if (w)
				expect[nexpect++] = strdup(w);
		}
		free(copy);
	}
	h.expect = expect;
	h.nexpect = nexpect;
	int err = load(&h, expect, nexpect);
	if (err) {
		fprintf(stderr, "FAIL: bpf_object__load(%s): %s\n", h.obj, strerror(-err));
		flush_log();
		goto out;
	}
	libbpf_log_len = 0;
	printf("  libbpf loaded %s\n", h.obj);

	static const struct {
		const char *tag;
		void (*fn)(struct harness *, unsigned, char *);
	} table[] = {
		{ "; update:", directive_update },  { "; run:", directive_run },
		{ "; attach:", directive_attach },  { "; trigger:", directive_trigger },
		{ "; map:", directive_map },	    { "; global:", directive_global },
		{ "; ringbuf:", directive_events }, { "; perfbuf:", directive_events },
	};
	/* perf buffers first: they fill their map before anything runs */
	for (unsigned i = 0; i < nlines; i++) {
		char *d = strstr(lines[i], "; perfbuf:");
		if (d) {
			char *copy = strdup(d + 10), *rest = copy, *w = word(&rest);
			if (w)
				queue(&h, i + 1, w);
			free(copy);
		}
	}
	for (unsigned i = 0; i < nlines; i++)
		for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
			char *d = strstr(lines[i], table[k].tag);
			if (!d)
				continue;
			char *copy = strdup(d + strlen(table[k].tag));
			copy[strcspn(copy, "\n")] = 0;
			bool check = table[k].fn == directive_map ||
				     table[k].fn == directive_global ||
				     table[k].fn == directive_events;
			if (check && h.tainted) {
				printf("  skipped check (it needs a program the kernel refused):%s\n",
				       copy);
				free(copy);
				break;
			}
			table[k].fn(&h, i + 1, copy);
			free(copy);
			break;
		}
	for (unsigned i = 0; i < h.nlinks; i++)
		bpf_link__destroy(h.links[i]);
	for (unsigned i = 0; i < h.nmap_attach; i++)
		bpf_prog_detach2(h.map_attach[i].prog, h.map_attach[i].map, h.map_attach[i].type);
	for (unsigned i = 0; i < h.nqueues; i++) {
		ring_buffer__free(h.queues[i].rb);
		perf_buffer__free(h.queues[i].pb);
		for (unsigned k = 0; k < h.queues[i].n; k++)
			free(h.queues[i].recs[k].data);
	}
	if (h.failures)
		flush_log();
	else
		rc = h.skips ? 77 : 0;
out:
	bpf_object__close(h.o);
	btf__free(h.vmlinux);
	for (unsigned i = 0; i < nlines; i++)
		free(lines[i]);
	for (unsigned i = 0; i < nexpect; i++)
		free(expect[i]);
	for (unsigned i = 0; i < h.nskipped; i++)
		free(h.skipped[i]);
	return rc;
}
