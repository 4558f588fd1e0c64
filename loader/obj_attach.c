/* Attaching an object's programs the way their section names say (libbpf's
 * auto-attach conventions), with an optional target string for sections
 * that need one; links stay owned by the program until detach or close. */
#include "loader/obj.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *obj_syscall_prefix(void)
{
	static const struct {
		const char *machine, *prefix;
	} t[] = {
		{ "x86_64", "__x64_sys_" },    { "i686", "__ia32_sys_" },
		{ "aarch64", "__arm64_sys_" }, { "s390x", "__s390x_sys_" },
		{ "riscv64", "__riscv_sys_" }, { "arm", "sys_" },
	};
	struct utsname u;
	if (!uname(&u))
		for (size_t i = 0; i < ARRAY_LEN(t); i++)
			if (!strncmp(u.machine, t[i].machine, strlen(t[i].machine)))
				return t[i].prefix;
	return "sys_";
}

static int need_target(const struct wl_program *p, const char *what)
{
	wl_warn("prog '%s': section '%s' does not say where to attach: give %s", p->name,
		p->sec_name, what);
	return -EINVAL;
}

static int ifindex_of(const struct wl_program *p, const char *t)
{
	char name[IF_NAMESIZE + 1];
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(t, ":"), t);
	char *end;
	long v = strtol(name, &end, 10);
	if (*name && !*end && v > 0)
		return (int)v;
	unsigned idx = if_nametoindex(name);
	if (!idx) {
		wl_warn("prog '%s': no network interface '%s'", p->name, name);
		return -ENODEV;
	}
	return (int)idx;
}

/* "func[+off]" */
static int split_offset(const char *s, char *func, size_t n, uint64_t *off)
{
	const char *plus = strchr(s, '+');
	size_t len = plus ? (size_t)(plus - s) : strlen(s);
	if (!len || len >= n)
		return -EINVAL;
	memcpy(func, s, len);
	func[len] = 0;
	*off = 0;
	if (plus) {
		char *end;
		*off = strtoull(plus + 1, &end, 0);
		if (end == plus + 1 || *end)
			return -EINVAL;
	}
	return 0;
}

static int attach_kprobe(struct wl_program *p, const char *t, bool ret, struct wl_link **out)
{
	char func[256];
	uint64_t off;
	if (!*t)
		return need_target(p, "a kernel function (kprobe/FUNC or a target)");
	if (split_offset(t, func, sizeof(func), &off) < 0) {
		wl_warn("prog '%s': '%s' is not FUNC[+OFFSET]", p->name, t);
		return -EINVAL;
	}
	return wl_attach_kprobe(p->prog, func, off, ret, out);
}

static int attach_ksyscall(struct wl_program *p, const char *t, bool ret, struct wl_link **out)
{
	if (!*t)
		return need_target(p, "a system call name (ksyscall/NAME)");
	int err;
	struct wbtf *k = obj_target_btf(NULL, &err);
	/* with syscall wrappers (LINUX_HAS_SYSCALL_WRAPPER) the entry points
	 * are __<arch>_sys_NAME, else sys_NAME */
	char func[256];
	snprintf(func, sizeof(func), "%sbpf", obj_syscall_prefix());
	bool wrapped = k && wbtf_find_by_name_kind(k, func, BTF_KIND_FUNC) > 0;
	snprintf(func, sizeof(func), "%s%s", wrapped ? obj_syscall_prefix() : "sys_", t);
	return wl_attach_kprobe(p->prog, func, 0, ret, out);
}

/* "PATH:FUNC[+off]" */
static int attach_uprobe(struct wl_program *p, const char *t, bool ret, struct wl_link **out)
{
	const char *colon = strrchr(t, ':');
	if (!*t || !colon || colon == t)
		return need_target(p, "PATH:FUNCTION (uprobe/PATH:FUNCTION or a target)");
	char *path = xstrndup(t, (size_t)(colon - t)), func[256];
	uint64_t off;
	int r = split_offset(colon + 1, func, sizeof(func), &off);
	if (r < 0) {
		wl_warn("prog '%s': '%s' is not PATH:FUNC[+OFFSET]", p->name, t);
	} else {
		struct wl_uprobe_opts o = { .retprobe = ret };
		char *sym =
			off ? xasprintf("%s+0x%llx", func, (unsigned long long)off) : xstrdup(func);
		r = wl_attach_uprobe(p->prog, path, sym, 0, &o, out);
		free(sym);
	}
	free(path);
	return r;
}

/* "PATH:PROVIDER:NAME" */
static int attach_usdt(struct wl_program *p, const char *t, struct wl_link **out)
{
	const char *c2 = strrchr(t, ':');
	const char *c1 = c2 && c2 > t ? memrchr(t, ':', (size_t)(c2 - t)) : NULL;
	if (!c1 || c1 == t)
		return need_target(p, "PATH:PROVIDER:NAME (usdt/PATH:PROVIDER:NAME or a target)");
	char *path = xstrndup(t, (size_t)(c1 - t));
	char *prov = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	char real[4096];
	int r = 0;
	if (!realpath(path, real)) {
		r = -errno;
		wl_warn("prog '%s': usdt binary '%s': %s", p->name, path, wl_errstr(r));
	} else if (wl_object_find_map(p->obj, "__bpf_usdt_specs")) {
		r = obj_attach_usdt_specs(p, real, prov, c2 + 1, out);
	} else {
		r = wl_attach_usdt(p->prog, real, prov, c2 + 1, 0, out);
	}
	free(path);
	free(prov);
	return r;
}

static int attach_tp(struct wl_program *p, const char *t, struct wl_link **out)
{
	size_t n = strcspn(t, "/:");
	if (!*t || !t[n] || !t[n + 1])
		return need_target(p, "CATEGORY/NAME (tracepoint/CATEGORY/NAME or a target)");
	char *cat = xstrndup(t, n);
	int r = wl_attach_tracepoint(p->prog, cat, t + n + 1, out);
	free(cat);
	return r;
}

static int attach_path(struct wl_program *p, const char *path, bool cgroup, struct wl_link **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (cgroup ? O_DIRECTORY : 0));
	if (fd < 0) {
		int r = -errno;
		wl_warn("prog '%s': cannot open %s '%s': %s", p->name, cgroup ? "cgroup" : "netns",
			path, wl_errstr(r));
		return r;
	}
	int r = cgroup ? wl_attach_cgroup(p->prog, fd, 0, out) : wl_attach_netns(p->prog, fd, out);
	close(fd);
	return r;
}

/* Where cgroup v2 is mounted (/sys/fs/cgroup on most systems). */
static const char *cgroup2_root(char *buf, size_t n)
{
	snprintf(buf, n, "/sys/fs/cgroup");
	FILE *f = fopen("/proc/self/mounts", "re");
	char line[4096], dev[256], dir[4096], type[64];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(buf, n, "%s", dir);
			break;
		}
	if (f)
		fclose(f);
	return buf;
}

static int attach_tc(struct wl_program *p, const char *t, bool tcx, struct wl_link **out)
{
	if (!*t)
		return need_target(p, "a network interface (IFACE[:ingress|:egress])");
	int ifindex = ifindex_of(p, t);
	if (ifindex < 0)
		return ifindex;
	const char *dir = strchr(t, ':');
	bool egress = tcx ? p->expected_attach_type == KABI_TCX_EGRESS
			  : dir && !strcmp(dir + 1, "egress");
	if (dir && strcmp(dir + 1, "egress") && strcmp(dir + 1, "ingress")) {
		wl_warn("prog '%s': '%s': the direction is ingress or egress", p->name, t);
		return -EINVAL;
	}
	return wl_attach_tcx(p->prog, ifindex, egress, out);
}

static int attach_map_target(struct wl_program *p, const char *t, bool iter, struct wl_link **out)
{
	struct wl_obj_map *m = *t ? wl_object_find_map(p->obj, t) : NULL;
	if (*t && (!m || !m->map)) {
		wl_warn("prog '%s': no loaded map '%s' in the object", p->name, t);
		return -ENOENT;
	}
	if (iter)
		return wl_attach_iter(p->prog, m ? wl_map_fd(m->map) : 0, out);
	if (!m)
		return need_target(p, "the name of a sockmap or sockhash of the object");
	return wl_attach_sockmap(p->prog, m->map, 0, out);
}

int obj_attach(struct wl_program *p, const char *target, struct wl_link **out)
{
	*out = NULL;
	if (!p->prog) {
		wl_warn("prog '%s': not loaded", p->name);
		return -ENOENT;
	}
	const char *t = target && *target ? target : p->extras ? p->extras : "";
	enum sec_attach how = p->def ? p->def->attach : SA_NONE;
	switch (how) {
	case SA_TP:
		return attach_tp(p, t, out);
	case SA_RAW_TP:
		if (!*t)
			return need_target(p, "a tracepoint name (raw_tp/NAME or a target)");
		return wl_attach_raw_tracepoint(p->prog, t, out);
	case SA_TRACING:
		return wl_attach_tracing(p->prog, 0, out);
	case SA_KPROBE:
	case SA_KRETPROBE:
		return attach_kprobe(p, t, how == SA_KRETPROBE, out);
	case SA_KSYSCALL:
	case SA_KRETSYSCALL:
		return attach_ksyscall(p, t, how == SA_KRETSYSCALL, out);
	case SA_UPROBE:
	case SA_URETPROBE:
		return attach_uprobe(p, t, how == SA_URETPROBE, out);
	case SA_USDT:
		return attach_usdt(p, t, out);
	case SA_ITER:
		return attach_map_target(p, target ? target : "", true, out);
	case SA_SOCKMAP:
		return attach_map_target(p, t, false, out);
	case SA_XDP: {
		if (!*t)
			return need_target(p, "a network interface");
		int ifindex = ifindex_of(p, t);
		return ifindex < 0 ? ifindex : wl_attach_xdp_link(p->prog, ifindex, out);
	}
	case SA_TC:
	case SA_TCX:
		return attach_tc(p, t, how == SA_TCX, out);
	case SA_NETKIT: {
		if (!*t)
			return need_target(p, "a netkit interface");
		int ifindex = ifindex_of(p, t);
		return ifindex < 0 ? ifindex
				   : wl_link_create(p->prog, ifindex, p->expected_attach_type, NULL,
						    out);
	}
	case SA_CGROUP: {
		char root[4096];
		return attach_path(p, *t ? t : cgroup2_root(root, sizeof(root)), true, out);
	}
	case SA_NETNS:
		return attach_path(p, *t ? t : "/proc/self/ns/net", false, out);
	case SA_SOCKET: {
		char *end;
		long fd = *t ? strtol(t, &end, 10) : -1;
		if (fd < 0 || *end)
			return need_target(p, "a socket fd number");
		return wl_attach_socket(p->prog, (int)fd, out);
	}
	case SA_MULTI:
	case SA_STRUCT_OPS:
	case SA_NETFILTER:
		wl_warn("prog '%s': attaching section '%s' programs (multi-probes, struct_ops, "
			"netfilter) is not supported by whistler's loader",
			p->name, p->sec_name);
		return -EOPNOTSUPP;
	case SA_NONE:
		break;
	}
	wl_warn("prog '%s': section '%s' has no attach convention: use a wl_attach_* call on "
		"wl_program_prog() and wl_program_adopt_link()",
		p->name, p->sec_name);
	return -EOPNOTSUPP;
}

/* ---- public ------------------------------------------------------------------ */

int wl_program_attach_to(struct wl_program *p, const char *target, struct wl_link **out)
{
	struct wl_link *l = NULL;
	if (out)
		*out = NULL;
	int r = obj_attach(p, target, &l);
	if (r < 0)
		return r;
	vec_push(&p->links, l);
	if (out)
		*out = l;
	return 0;
}

int wl_program_attach(struct wl_program *p, struct wl_link **out)
{
	return wl_program_attach_to(p, NULL, out);
}

void wl_program_detach(struct wl_program *p)
{
	vec_foreach (&p->links, l)
		wl_link_destroy(*l);
	p->links.len = 0;
}

size_t wl_program_link_count(const struct wl_program *p)
{
	return p->links.len;
}

struct wl_link *wl_program_link(const struct wl_program *p, size_t i)
{
	return i < p->links.len ? p->links.data[i] : NULL;
}

void wl_program_adopt_link(struct wl_program *p, struct wl_link *link)
{
	if (link)
		vec_push(&p->links, link);
}
