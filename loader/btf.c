/* The little BTF the loader needs before the BTF reader lands: loading a
 * blob with its log, a bounds-checked name search over vmlinux BTF (for
 * tp_btf/fentry/lsm targets), and a one-type blob for feature probes. */
#include "loader/internal.h"

#include "util/fileio.h"

#include <linux/btf.h>
#include <string.h>

int wl_btf_load(const void *data, size_t size, char **log)
{
	return wl_btf_load_q(data, size, false, log);
}

int wl_btf_load_q(const void *data, size_t size, bool quiet, char **log)
{
	if (log)
		*log = NULL;
	if (!data || size == 0 || size > UINT32_MAX)
		return -EINVAL;
	struct kabi_btf_load a;
	memset(&a, 0, sizeof(a));
	a.btf = wl_ptr(data);
	a.btf_size = (uint32_t)size;
	unsigned asz = offsetof(struct kabi_btf_load, btf_log_true_size) + 4;
	int fd = wl_sys_bpf_fd(BPF_BTF_LOAD, &a, asz);
	if (fd >= 0 && !log)
		return fd;
	/* with a log: on failure always, on success only when asked */
	uint32_t cap = 64 * 1024;
	for (;;) {
		char *buf = xmalloc(cap);
		buf[0] = 0;
		a.btf_log_buf = wl_ptr(buf);
		a.btf_log_size = cap;
		a.btf_log_level = 1;
		a.btf_log_true_size = 0;
		if (fd >= 0)
			wl_close(fd);
		fd = wl_sys_bpf_fd(BPF_BTF_LOAD, &a, asz);
		if (fd == -ENOSPC && cap < (16u << 20)) {
			free(buf);
			cap = a.btf_log_true_size > cap ? a.btf_log_true_size : cap * 4;
			continue;
		}
		if (fd < 0 && !quiet)
			wl_warn("btf: load of %zu bytes failed: %s%s%s", size, wl_errstr(fd),
				*buf ? "\n" : "", buf);
		if (log && *buf)
			*log = buf;
		else
			free(buf);
		return fd;
	}
}

/* Size of the kind-specific data after a btf_type, or -1 for an unknown kind. */
static long btf_extra(uint32_t info)
{
	uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
	switch (kind) {
	case BTF_KIND_INT:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case 18: /* TYPE_TAG */
		return 0;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case 19: /* ENUM64 */
		return 12l * vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8l * vlen;
	case BTF_KIND_VAR:
	case 17: /* DECL_TAG */
		return 4;
	default:
		return -1;
	}
}

/* Searches raw BTF for the first type `name` of `kind`: its id or -errno. */
int wl_btf_find_in(const void *data, size_t n, const char *name, uint32_t kind)
{
	const unsigned char *d = data;
	struct btf_header h;
	if (n < sizeof(h))
		return -ENOEXEC;
	memcpy(&h, d, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > n)
		return -ENOEXEC;
	size_t ts = (size_t)h.hdr_len + h.type_off, te = ts + h.type_len;
	size_t ss = (size_t)h.hdr_len + h.str_off, se = ss + h.str_len;
	if (te > n || se > n || te < ts || se < ss)
		return -ENOEXEC;
	size_t want = strlen(name);
	uint32_t id = 1;
	for (size_t off = ts; off < te; id++) {
		if (te - off < sizeof(struct btf_type))
			return -ENOEXEC;
		struct btf_type t;
		memcpy(&t, d + off, sizeof(t));
		long extra = btf_extra(t.info);
		if (extra < 0)
			return -ENOEXEC;
		if (((t.info >> 24) & 0x1f) == kind && t.name_off < h.str_len &&
		    h.str_len - t.name_off > want && !memcmp(d + ss + t.name_off, name, want + 1))
			return (int)id;
		off += sizeof(t) + (size_t)extra;
	}
	return -ENOENT;
}

int wl_vmlinux_btf_find(const char *name, uint32_t kind)
{
	struct buf b = { 0 };
	int r = file_read("/sys/kernel/btf/vmlinux", &b);
	if (r < 0) {
		wl_warn("btf: cannot read /sys/kernel/btf/vmlinux: %s", wl_errstr(r));
		return r;
	}
	r = wl_btf_find_in(b.data, b.len, name, kind);
	buf_free(&b);
	if (r == -ENOEXEC)
		wl_warn("btf: /sys/kernel/btf/vmlinux is malformed");
	return r;
}

/* BTF holding one type, [1] int: enough for local-storage probes. */
int wl_btf_load_int_only(void)
{
	struct {
		struct btf_header h;
		struct btf_type t;
		uint32_t enc;
		char str[5];
	} __attribute__((packed)) blob;
	memset(&blob, 0, sizeof(blob));
	blob.h.magic = BTF_MAGIC;
	blob.h.version = BTF_VERSION;
	blob.h.hdr_len = sizeof(blob.h);
	blob.h.type_off = 0;
	blob.h.type_len = sizeof(blob.t) + sizeof(blob.enc);
	blob.h.str_off = blob.h.type_len;
	blob.h.str_len = sizeof(blob.str);
	blob.t.name_off = 1;
	blob.t.info = (uint32_t)BTF_KIND_INT << 24;
	blob.t.size = 4;
	blob.enc = (BTF_INT_SIGNED << 24) | 32;
	memcpy(blob.str, "\0int", 5);
	return wl_btf_load(&blob, sizeof(blob), NULL);
}
