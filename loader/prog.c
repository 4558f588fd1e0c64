/* wl_prog: BPF_PROG_LOAD with the verifier log captured in a buffer that
 * grows until the whole log fits, BPF_PROG_TEST_RUN, pinning and info. */
#include "loader/internal.h"

#include <string.h>

#define LOG_MIN (64u * 1024)
#define LOG_MAX (UINT32_MAX >> 8) /* 16 MiB: the kernel's cap is far above */

static const char *prog_label(const char *name)
{
	return name && *name ? name : "(anonymous)";
}

static void fill_load_attr(struct kabi_prog_load *a, const struct wl_prog_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->prog_type = o->type;
	a->insn_cnt = (uint32_t)o->insn_cnt;
	a->insns = wl_ptr(o->insns);
	a->license = wl_ptr(o->license ? o->license : "GPL");
	a->kern_version = o->kern_version;
	a->prog_flags = o->flags;
	if (o->name)
		strncpy(a->prog_name, o->name, sizeof(a->prog_name) - 1);
	a->prog_ifindex = o->ifindex;
	a->expected_attach_type = o->expected_attach_type;
	if (o->prog_btf_fd > 0) {
		a->prog_btf_fd = o->prog_btf_fd;
		if (o->func_info_cnt) {
			a->func_info_rec_size = o->func_info_rec_size;
			a->func_info = wl_ptr(o->func_info);
			a->func_info_cnt = o->func_info_cnt;
		}
		if (o->line_info_cnt) {
			a->line_info_rec_size = o->line_info_rec_size;
			a->line_info = wl_ptr(o->line_info);
			a->line_info_cnt = o->line_info_cnt;
		}
	}
	a->attach_btf_id = o->attach_btf_id;
	if (o->attach_prog_fd > 0)
		a->attach_prog_or_btf_obj_fd = o->attach_prog_fd;
	else if (o->attach_btf_obj_fd > 0)
		a->attach_prog_or_btf_obj_fd = o->attach_btf_obj_fd;
	a->fd_array = wl_ptr(o->fd_array);
	a->fd_array_cnt = o->fd_array_cnt;
}

/* The attr size we send: older kernels refuse non-zero bytes past what they
 * know, so stop before fd_array_cnt unless it is used. */
static unsigned load_attr_size(const struct kabi_prog_load *a)
{
	if (a->fd_array_cnt)
		return sizeof(*a);
	return offsetof(struct kabi_prog_load, log_true_size) + 4;
}

/* Loads once with the given log settings; on a full log (ENOSPC) grows the
 * buffer, to the size the kernel says it needs when it says so. */
static int load_with_log(struct kabi_prog_load *a, uint32_t level, uint32_t size, char **log)
{
	uint32_t cap = size ? size : LOG_MIN;
	for (;;) {
		char *buf = xmalloc(cap);
		buf[0] = 0;
		a->log_level = level;
		a->log_size = cap;
		a->log_buf = wl_ptr(buf);
		a->log_true_size = 0;
		int fd = wl_sys_bpf_fd(BPF_PROG_LOAD, a, load_attr_size(a));
		if (fd == -ENOSPC && cap < LOG_MAX) {
			free(buf);
			uint32_t want = a->log_true_size > cap ? a->log_true_size : cap * 4;
			cap = want > LOG_MAX ? LOG_MAX : want;
			continue;
		}
		*log = buf;
		return fd;
	}
}

/* The last lines of a verifier log, for the warning: the reason is at the end. */
static const char *log_tail(const char *log, int lines)
{
	size_t n = strlen(log);
	while (n && log[n - 1] == '\n')
		n--;
	while (n > 0) {
		if (log[n - 1] == '\n' && --lines == 0)
			break;
		n--;
	}
	return log + n;
}

int wl_prog_load(const struct wl_prog_opts *o, struct wl_prog **out)
{
	return wl_prog_load_q(o, false, out);
}

int wl_prog_load_q(const struct wl_prog_opts *o, bool quiet, struct wl_prog **out)
{
	*out = NULL;
	if (o->log)
		*o->log = NULL;
	const char *name = prog_label(o->name);
	if (!o->insns || !o->insn_cnt) {
		wl_warn("prog '%s': no instructions", name);
		return -EINVAL;
	}
	struct kabi_prog_load a;
	fill_load_attr(&a, o);
	char *log = NULL;
	int fd;
	if (o->log_level) {
		fd = load_with_log(&a, o->log_level, o->log_size, &log);
	} else {
		a.log_level = 0;
		fd = wl_sys_bpf_fd(BPF_PROG_LOAD, &a, load_attr_size(&a));
		if (fd < 0 && fd != -E2BIG) {
			/* load again with a log to say why */
			int first = fd;
			fd = load_with_log(&a, 1, o->log_size, &log);
			if (fd >= 0) {
				wl_info("prog '%s': loaded on the second try (first: %s)", name,
					wl_errstr(first));
			} else if (fd != first) {
				fd = first;
			}
		}
	}
	if (fd < 0) {
		const char *tn = wl_prog_type_name(o->type);
		if (!quiet && log && *log)
			wl_warn("prog '%s': load of %s program failed: %s\nverifier log (tail):\n%s",
				name, tn ? tn : "unknown type", wl_errstr(fd), log_tail(log, 20));
		else if (!quiet)
			wl_warn("prog '%s': load of %s program (type %u) failed: %s", name,
				tn ? tn : "unknown type", o->type, wl_errstr(fd));
		if (o->log && log && *log)
			*o->log = log;
		else
			free(log);
		return fd;
	}
	struct wl_prog *p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	p->name = xstrdup(o->name ? o->name : "");
	p->type = o->type;
	p->expected_attach_type = o->expected_attach_type;
	if (log && *log) {
		p->log = log;
		if (o->log)
			*o->log = xstrdup(log);
	} else {
		free(log);
	}
	*out = p;
	return 0;
}

int wl_prog_from_fd(int fd, const char *name, struct wl_prog **out)
{
	*out = NULL;
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	uint32_t len = sizeof(info);
	int r = wl_sys_obj_info(fd, &info, &len);
	if (r < 0) {
		wl_warn("prog '%s': fd %d is not a program: %s", prog_label(name), fd,
			wl_errstr(r));
		return r;
	}
	struct wl_prog *p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	p->name = xstrdup(name ? name : info.name);
	p->type = info.type;
	*out = p;
	return 0;
}

void wl_prog_destroy(struct wl_prog *p)
{
	if (!p)
		return;
	wl_close(p->fd);
	free(p->name);
	free(p->log);
	free(p);
}

int wl_prog_fd(const struct wl_prog *p)
{
	return p->fd;
}

const char *wl_prog_name(const struct wl_prog *p)
{
	return p->name;
}

uint32_t wl_prog_type(const struct wl_prog *p)
{
	return p->type;
}

uint32_t wl_prog_expected_attach_type(const struct wl_prog *p)
{
	return p->expected_attach_type;
}

const char *wl_prog_log(const struct wl_prog *p)
{
	return p->log;
}

int wl_prog_pin(const struct wl_prog *p, const char *path)
{
	int r = wl_sys_obj_pin(p->fd, path);
	if (r < 0)
		wl_warn("prog '%s': pin at '%s' failed: %s", prog_label(p->name), path,
			wl_errstr(r));
	return r;
}

int wl_prog_info(const struct wl_prog *p, struct bpf_prog_info *info)
{
	memset(info, 0, sizeof(*info));
	uint32_t len = sizeof(*info);
	return wl_sys_obj_info(p->fd, info, &len);
}

int wl_prog_test_run(const struct wl_prog *p, struct wl_test_run *t)
{
	struct kabi_test_run a;
	memset(&a, 0, sizeof(a));
	a.prog_fd = p->fd;
	a.data_in = wl_ptr(t->data_in);
	a.data_size_in = t->data_size_in;
	a.data_out = wl_ptr(t->data_out);
	a.data_size_out = t->data_out ? t->data_size_out : 0;
	a.ctx_in = wl_ptr(t->ctx_in);
	a.ctx_size_in = t->ctx_size_in;
	a.ctx_out = wl_ptr(t->ctx_out);
	a.ctx_size_out = t->ctx_out ? t->ctx_size_out : 0;
	a.repeat = t->repeat;
	a.flags = t->flags;
	a.cpu = t->cpu;
	a.batch_size = t->batch_size;
	int r = wl_sys_bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	t->data_size_out = a.data_size_out;
	t->ctx_size_out = a.ctx_size_out;
	if (r < 0) {
		wl_warn("prog '%s': test run failed: %s", prog_label(p->name), wl_errstr(r));
		return r;
	}
	t->retval = a.retval;
	t->duration = a.duration;
	return 0;
}
