/* Kernel ABI the installed UAPI headers may be too old for: bpf(2) attribute
 * layouts and constants added after the packaged headers (6.1), as the 6.18
 * kernel defines them.  Names carry a KABI_ prefix so newer headers never clash. */
#ifndef WHISTLER_LOADER_KABI_H
#define WHISTLER_LOADER_KABI_H

#include <linux/bpf.h>
#include <stdint.h>

/* bpf(2) commands after BPF_PROG_BIND_MAP */
#define KABI_BPF_TOKEN_CREATE 36

/* map types after BPF_MAP_TYPE_USER_RINGBUF */
#define KABI_MAP_TYPE_CGRP_STORAGE 32
#define KABI_MAP_TYPE_ARENA 33

/* program types after BPF_PROG_TYPE_SYSCALL */
#define KABI_PROG_TYPE_NETFILTER 32

/* attach types after BPF_LSM_CGROUP */
#define KABI_STRUCT_OPS 44
#define KABI_NETFILTER 45
#define KABI_TCX_INGRESS 46
#define KABI_TCX_EGRESS 47
#define KABI_TRACE_UPROBE_MULTI 48
#define KABI_CGROUP_UNIX_CONNECT 49
#define KABI_CGROUP_UNIX_SENDMSG 50
#define KABI_CGROUP_UNIX_RECVMSG 51
#define KABI_CGROUP_UNIX_GETPEERNAME 52
#define KABI_CGROUP_UNIX_GETSOCKNAME 53
#define KABI_NETKIT_PRIMARY 54
#define KABI_NETKIT_PEER 55
#define KABI_TRACE_KPROBE_SESSION 56
#define KABI_TRACE_UPROBE_SESSION 57

/* map flags and friends after 6.1 */
#define KABI_F_MMAPABLE (1U << 10)
#define KABI_F_INNER_MAP (1U << 12)
#define KABI_F_SEGV_ON_FAULT (1U << 17)

/* BPF_MAP_CREATE */
struct kabi_map_create {
	uint32_t map_type, key_size, value_size, max_entries, map_flags;
	uint32_t inner_map_fd, numa_node;
	char map_name[16];
	uint32_t map_ifindex, btf_fd, btf_key_type_id, btf_value_type_id;
	uint32_t btf_vmlinux_value_type_id;
	uint64_t map_extra;
	int32_t value_type_btf_obj_fd, map_token_fd;
} __attribute__((aligned(8)));

/* BPF_PROG_LOAD */
struct kabi_prog_load {
	uint32_t prog_type, insn_cnt;
	uint64_t insns, license;
	uint32_t log_level, log_size;
	uint64_t log_buf;
	uint32_t kern_version, prog_flags;
	char prog_name[16];
	uint32_t prog_ifindex, expected_attach_type, prog_btf_fd;
	uint32_t func_info_rec_size;
	uint64_t func_info;
	uint32_t func_info_cnt, line_info_rec_size;
	uint64_t line_info;
	uint32_t line_info_cnt, attach_btf_id;
	uint32_t attach_prog_or_btf_obj_fd; /* attach_prog_fd / attach_btf_obj_fd */
	uint32_t core_relo_cnt;
	uint64_t fd_array, core_relos;
	uint32_t core_relo_rec_size;
	uint32_t log_true_size; /* out, since 6.4 */
	int32_t prog_token_fd;
	uint32_t fd_array_cnt; /* since 6.14 */
} __attribute__((aligned(8)));

/* BPF_BTF_LOAD */
struct kabi_btf_load {
	uint64_t btf, btf_log_buf;
	uint32_t btf_size, btf_log_size, btf_log_level;
	uint32_t btf_log_true_size; /* out, since 6.4 */
	uint32_t btf_flags;
	int32_t btf_token_fd;
} __attribute__((aligned(8)));

/* BPF_RAW_TRACEPOINT_OPEN */
struct kabi_raw_tp_open {
	uint64_t name;
	uint32_t prog_fd, pad;
	uint64_t cookie; /* since 6.10 */
} __attribute__((aligned(8)));

/* BPF_LINK_CREATE: the fixed head, then one union member per attach kind */
struct kabi_link_create {
	uint32_t prog_fd;
	uint32_t target_fd; /* or target_ifindex */
	uint32_t attach_type, flags;
	union {
		uint32_t target_btf_id;
		struct {
			uint64_t iter_info;
			uint32_t iter_info_len;
		} iter;
		struct {
			uint64_t bpf_cookie;
		} perf_event;
		struct {
			uint32_t flags, cnt;
			uint64_t syms, addrs, cookies;
		} kprobe_multi;
		struct {
			uint32_t target_btf_id;
			uint64_t cookie;
		} tracing;
		struct {
			uint32_t pf, hooknum;
			int32_t priority;
			uint32_t flags;
		} netfilter;
		struct {
			uint32_t relative_fd_or_id;
			uint64_t expected_revision;
		} tcx;
		struct {
			uint64_t path, offsets, ref_ctr_offsets, cookies;
			uint32_t cnt, flags, pid, path_fd;
		} uprobe_multi;
	};
} __attribute__((aligned(8)));

/* BPF_LINK_UPDATE */
struct kabi_link_update {
	uint32_t link_fd, new_prog_fd, flags, old_prog_fd;
} __attribute__((aligned(8)));

/* BPF_PROG_ATTACH / BPF_PROG_DETACH (with the 6.6 mprog fields) */
struct kabi_prog_attach {
	uint32_t target_fd, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd;
	uint32_t relative_fd_or_id;
	uint64_t expected_revision;
} __attribute__((aligned(8)));

/* BPF_PROG_TEST_RUN */
struct kabi_test_run {
	uint32_t prog_fd, retval, data_size_in, data_size_out;
	uint64_t data_in, data_out;
	uint32_t repeat, duration, ctx_size_in, ctx_size_out;
	uint64_t ctx_in, ctx_out;
	uint32_t flags, cpu, batch_size;
} __attribute__((aligned(8)));

#endif
