/* Feature probes: does this kernel know a map type, a program type, a
 * helper?  Each makes the smallest object of its kind (parameters from the
 * .def tables) and reads the answer from how the kernel reacts. */
#include "loader/internal.h"

#include <linux/btf.h>
#include <string.h>
#include <unistd.h>

enum { NEED_NONE, NEED_INNER, NEED_BTF, NEED_VMLINUX, NEED_ATTACH_BTF };

struct map_probe {
	uint32_t id, key, value, max, flags, need;
};

static const struct map_probe map_probes[] = {
#define MAP_TYPE(id, name, k, v, m, f, need) { id, k, v, m, f, need },
#include "loader/map_types.def"
#undef MAP_TYPE
};

struct prog_probe {
	uint32_t id, attach, need;
};

static const struct prog_probe prog_probes[] = {
#define PROG_TYPE(id, name, att, need) { id, att, need },
#include "loader/prog_types.def"
#undef PROG_TYPE
};

int wl_probe_map_type(uint32_t type)
{
	const struct map_probe *p = NULL;
	for (size_t i = 0; i < ARRAY_LEN(map_probes); i++)
		if (map_probes[i].id == type)
			p = &map_probes[i];
	if (!p) {
		wl_info("probe: map type %u is not in the loader's table", type);
		return -EOPNOTSUPP;
	}
	if (p->need == NEED_VMLINUX) {
		/* struct_ops maps need a kernel struct_ops value type to exist */
		int id = wl_vmlinux_btf_find("bpf_struct_ops_bpf_dummy_ops", BTF_KIND_STRUCT);
		if (id == -ENOENT)
			id = wl_vmlinux_btf_find("bpf_struct_ops_tcp_congestion_ops",
						 BTF_KIND_STRUCT);
		if (id < 0)
			return id == -ENOENT ? 0 : id;
		return 1;
	}
	struct kabi_map_create a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = p->key;
	a.value_size = p->value;
	a.max_entries = p->max;
	a.map_flags = p->flags;
	int inner = -1, btf = -1;
	if (p->need == NEED_INNER) {
		struct kabi_map_create in;
		memset(&in, 0, sizeof(in));
		in.map_type = BPF_MAP_TYPE_ARRAY;
		in.key_size = in.value_size = in.max_entries = 4;
		inner = wl_sys_bpf_fd(BPF_MAP_CREATE, &in, sizeof(in));
		if (inner < 0)
			return inner;
		a.inner_map_fd = inner;
	} else if (p->need == NEED_BTF) {
		btf = wl_btf_load_int_only();
		if (btf < 0)
			return btf;
		a.btf_fd = btf;
		a.btf_key_type_id = 1;
		a.btf_value_type_id = 1;
	}
	if (type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_USER_RINGBUF)
		a.max_entries = (uint32_t)sysconf(_SC_PAGESIZE);
	int fd = wl_sys_bpf_fd(BPF_MAP_CREATE, &a, sizeof(a));
	wl_close(inner);
	wl_close(btf);
	if (fd >= 0) {
		wl_close(fd);
		return 1;
	}
	return fd == -EINVAL || fd == -EOPNOTSUPP ? 0 : fd;
}

/* Loads `r0 = 0; exit` (or `call helper; r0 = 0; exit`) with a log. */
static int probe_load(uint32_t type, uint32_t attach, int helper, char *log, uint32_t logsz)
{
	struct bpf_insn insns[3];
	memset(insns, 0, sizeof(insns));
	int n = 0;
	if (helper >= 0) {
		insns[n].code = BPF_JMP | BPF_CALL;
		insns[n++].imm = helper;
	}
	insns[n].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[n++].dst_reg = BPF_REG_0;
	insns[n++].code = BPF_JMP | BPF_EXIT;
	struct kabi_prog_load a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insn_cnt = (uint32_t)n;
	a.insns = wl_ptr(insns);
	a.license = wl_ptr("GPL");
	a.expected_attach_type = attach;
	a.log_level = 1;
	a.log_size = logsz;
	a.log_buf = wl_ptr(log);
	log[0] = 0;
	int fd = wl_sys_bpf_fd(BPF_PROG_LOAD, &a, offsetof(struct kabi_prog_load, log_true_size));
	if (fd >= 0) {
		wl_close(fd);
		return 0;
	}
	return fd;
}

int wl_probe_prog_type(uint32_t type)
{
	const struct prog_probe *p = NULL;
	for (size_t i = 0; i < ARRAY_LEN(prog_probes); i++)
		if (prog_probes[i].id == type)
			p = &prog_probes[i];
	uint32_t attach = p ? p->attach : 0;
	char log[4096];
	int r = probe_load(type, attach, -1, log, sizeof(log));
	if (r == 0)
		return 1;
	/* an unknown type fails with EINVAL before the verifier writes
	 * anything; a known one that wants a BTF target fails inside it */
	if (log[0])
		return 1;
	if (r == -EINVAL)
		return 0;
	if (p && p->need == NEED_ATTACH_BTF && (r == -EPERM || r == -524 /* ENOTSUPP */))
		return r; /* the kernel knows it but refuses: let the caller see why */
	return r;
}

int wl_probe_helper(uint32_t type, uint32_t helper)
{
	const struct prog_probe *p = NULL;
	for (size_t i = 0; i < ARRAY_LEN(prog_probes); i++)
		if (prog_probes[i].id == type)
			p = &prog_probes[i];
	if (p && p->need == NEED_ATTACH_BTF) {
		wl_info("probe: helpers of %s programs need a BTF target to probe",
			wl_prog_type_name(type));
		return -EOPNOTSUPP;
	}
	char *log = xmalloc(16384);
	int r = probe_load(type, p ? p->attach : 0, (int)helper, log, 16384);
	int res;
	if (r == 0)
		res = 1;
	else if (strstr(log, "invalid func ") || strstr(log, "unknown func ") ||
		 strstr(log, "program of this type cannot use helper"))
		res = 0;
	else if (log[0])
		res = 1; /* rejected for its arguments: the helper is there */
	else
		res = r;
	free(log);
	return res;
}
