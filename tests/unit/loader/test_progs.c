/* Programs in the real kernel: the verifier log (captured, grown, named in
 * messages), BPF_PROG_TEST_RUN on XDP, tc, socket filter, raw_tp, syscall and
 * flow dissector programs with checked results, info, stats and probes. */
#include "common.h"

#include <arpa/inet.h>
#include <linux/btf.h>

/* An Ethernet frame: IPv4 (ethertype 0x0800) or ARP. */
static void make_frame(uint8_t *f, size_t n, uint16_t ethertype)
{
	memset(f, 0, n);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[12] = ethertype >> 8;
	f[13] = ethertype & 0xff;
	if (ethertype == 0x0800 && n >= 34) {
		f[14] = 0x45;			      /* IPv4, ihl 5 */
		f[16] = 0, f[17] = (uint8_t)(n - 14); /* total length */
		f[22] = 64;			      /* ttl */
		f[23] = 17;			      /* udp */
		f[26] = 10, f[29] = 1;		      /* 10.0.0.1 */
		f[30] = 10, f[33] = 2;		      /* 10.0.0.2 */
	}
}

Test(progs, verifier_log_on_failure_named_in_message)
{
	FD_CHECK_BEGIN();
	struct bpf_insn bad[] = { I_MOV64_REG(BPF_REG_0, BPF_REG_2), I_EXIT() };
	char *log = NULL;
	struct wl_prog_opts o = {
		.name = "bad", .type = BPF_PROG_TYPE_XDP, .insns = bad, .insn_cnt = 2, .log = &log
	};
	struct wl_prog *p;
	wl_set_log(capture_log);
	int r = wl_prog_load(&o, &p);
	wl_set_log(NULL);
	cr_assert_eq(r, -EACCES, "verifier rejects: %d", r);
	cr_assert_null(p);
	cr_assert_not_null(log);
	cr_assert(strstr(log, "R2 !read_ok"), "log: %s", log);
	cr_assert(strstr(last_warn, "prog 'bad': load of xdp program failed"), "%s", last_warn);
	cr_assert(strstr(last_warn, "R2 !read_ok"), "the tail of the log is in the message");
	free(log);
	FD_CHECK_END();
}

Test(progs, verifier_log_grows)
{
	FD_CHECK_BEGIN();
	enum { N = 300 };
	struct bpf_insn insns[N + 2];
	insns[0] = I_MOV64_IMM(BPF_REG_0, 0);
	for (int i = 1; i <= N; i++)
		insns[i] = I_ALU64_IMM(BPF_ADD, BPF_REG_0, 1);
	insns[N + 1] = I_EXIT();
	char *log = NULL;
	struct wl_prog_opts o = { .name = "long_log",
				  .type = BPF_PROG_TYPE_SOCKET_FILTER,
				  .insns = insns,
				  .insn_cnt = N + 2,
				  .log_level = 2,
				  .log_size = 256,
				  .log = &log };
	struct wl_prog *p;
	cr_assert_eq(wl_prog_load(&o, &p), 0);
	cr_assert_not_null(log);
	cr_assert_gt(strlen(log), 256 * 8, "grew past the first buffer: %zu", strlen(log));
	cr_assert(strstr(log, "processed 302 insns"), "whole log kept: ...%s",
		  log + strlen(log) - 100);
	cr_assert_str_eq(wl_prog_log(p), log);
	struct wl_test_run t = { 0 };
	uint8_t pkt[64];
	make_frame(pkt, sizeof(pkt), 0x0800);
	t.data_in = pkt;
	t.data_size_in = sizeof(pkt);
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, N);
	free(log);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(progs, xdp_test_run_rewrites_packet)
{
	FD_CHECK_BEGIN();
	struct bpf_insn insns[] = {
		I_LDX(BPF_W, BPF_REG_2, BPF_REG_1, 0), /* data */
		I_LDX(BPF_W, BPF_REG_3, BPF_REG_1, 4), /* data_end */
		I_MOV64_REG(BPF_REG_4, BPF_REG_2),
		I_ALU64_IMM(BPF_ADD, BPF_REG_4, 14),
		I_JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, 5),
		I_LDX(BPF_H, BPF_REG_5, BPF_REG_2, 12),
		I_JMP_IMM(BPF_JNE, BPF_REG_5, 0x0008, 3), /* htons(0x0800) */
		I_ST(BPF_B, BPF_REG_2, 0, 0xaa),
		I_MOV64_IMM(BPF_REG_0, XDP_TX),
		I_EXIT(),
		I_MOV64_IMM(BPF_REG_0, XDP_PASS),
		I_EXIT(),
	};
	struct wl_prog *p = load_prog("xdp_tx", BPF_PROG_TYPE_XDP, 0, insns, ARRAY_LEN(insns));
	uint8_t in[64], out[128];
	make_frame(in, sizeof(in), 0x0800);
	struct wl_test_run t = { .data_in = in,
				 .data_size_in = sizeof(in),
				 .data_out = out,
				 .data_size_out = sizeof(out),
				 .repeat = 1 };
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, XDP_TX);
	cr_assert_eq(t.data_size_out, sizeof(in));
	cr_assert_eq(out[0], 0xaa);
	cr_assert_eq(memcmp(out + 1, in + 1, sizeof(in) - 1), 0);
	make_frame(in, sizeof(in), 0x0806);
	t.data_size_out = sizeof(out);
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, XDP_PASS);
	cr_assert_eq(out[0], 0xff);
	/* data_out too small: the kernel says ENOSPC and the real size */
	t.data_size_out = 8;
	wl_set_log(NULL);
	cr_assert_eq(wl_prog_test_run(p, &t), -ENOSPC);
	cr_assert_eq(t.data_size_out, sizeof(in));
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(progs, sched_cls_and_socket_filter_see_skb_len)
{
	FD_CHECK_BEGIN();
	struct bpf_insn insns[] = { I_LDX(BPF_W, BPF_REG_0, BPF_REG_1, 0), I_EXIT() };
	uint32_t types[] = { BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER };
	for (int i = 0; i < 2; i++) {
		struct wl_prog *p = load_prog("skb_len", types[i], 0, insns, 2);
		uint8_t in[98];
		make_frame(in, sizeof(in), 0x0800);
		struct wl_test_run t = { .data_in = in, .data_size_in = sizeof(in) };
		cr_assert_eq(wl_prog_test_run(p, &t), 0);
		/* socket filters see the frame after eth_type_trans() pulled L2 */
		cr_assert_eq(t.retval, sizeof(in) - (i ? 14 : 0), "%s: skb->len %u",
			     wl_prog_type_name(types[i]), t.retval);
		wl_prog_destroy(p);
	}
	FD_CHECK_END();
}

Test(progs, raw_tp_test_run_with_ctx)
{
	FD_CHECK_BEGIN();
	struct bpf_insn insns[] = {
		I_LDX(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
		I_LDX(BPF_DW, BPF_REG_3, BPF_REG_1, 8),
		I_MOV64_REG(BPF_REG_0, BPF_REG_2),
		I_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3),
		I_EXIT(),
	};
	struct wl_prog *p =
		load_prog("raw_sum", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, insns, ARRAY_LEN(insns));
	uint64_t args[2] = { 40, 2 };
	struct wl_test_run t = { .ctx_in = args, .ctx_size_in = sizeof(args) };
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, 42);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(progs, syscall_prog_writes_ctx)
{
	FD_CHECK_BEGIN();
	struct bpf_insn insns[] = {
		I_LDX(BPF_W, BPF_REG_2, BPF_REG_1, 0),
		I_ALU64_IMM(BPF_MUL, BPF_REG_2, 3),
		I_STX(BPF_W, BPF_REG_1, BPF_REG_2, 4),
		I_MOV64_REG(BPF_REG_0, BPF_REG_2),
		I_EXIT(),
	};
	struct wl_prog_opts o = { .name = "sys_triple",
				  .type = BPF_PROG_TYPE_SYSCALL,
				  .flags = BPF_F_SLEEPABLE,
				  .insns = insns,
				  .insn_cnt = ARRAY_LEN(insns) };
	struct wl_prog *p;
	cr_assert_eq(wl_prog_load(&o, &p), 0);
	uint32_t ctx[2] = { 14, 0 };
	/* syscall programs write their context back into ctx_in */
	struct wl_test_run t = { .ctx_in = ctx, .ctx_size_in = sizeof(ctx) };
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, 42);
	cr_assert_eq(ctx[1], 42);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(progs, flow_dissector_test_run_fills_keys)
{
	FD_CHECK_BEGIN();
	struct bpf_insn insns[] = {
		I_LDX(BPF_DW, BPF_REG_2, BPF_REG_1, offsetof(struct __sk_buff, flow_keys)),
		I_ST(BPF_B, BPF_REG_2, offsetof(struct bpf_flow_keys, ip_proto), 17),
		I_ST(BPF_H, BPF_REG_2, offsetof(struct bpf_flow_keys, sport), 0x3412),
		I_ST(BPF_H, BPF_REG_2, offsetof(struct bpf_flow_keys, n_proto), 0x0008),
		I_MOV64_IMM(BPF_REG_0, BPF_OK),
		I_EXIT(),
	};
	struct wl_prog *p = load_prog("flow", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR,
				      insns, ARRAY_LEN(insns));
	uint8_t in[64];
	make_frame(in, sizeof(in), 0x0800);
	struct bpf_flow_keys keys;
	memset(&keys, 0x5a, sizeof(keys));
	struct wl_test_run t = { .data_in = in,
				 .data_size_in = sizeof(in),
				 .data_out = &keys,
				 .data_size_out = sizeof(keys) };
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, BPF_OK);
	cr_assert_eq(t.data_size_out, sizeof(keys));
	cr_assert_eq(keys.ip_proto, 17);
	cr_assert_eq(keys.sport, htons(0x1234));
	cr_assert_eq(keys.n_proto, htons(0x0800));
	cr_assert_eq(keys.nhoff, 14, "the kernel's starting offset survives");
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(progs, info_stats_pin_and_ids)
{
	FD_CHECK_BEGIN();
	struct bpf_insn insns[] = { I_MOV64_IMM(BPF_REG_0, XDP_PASS), I_EXIT() };
	struct wl_prog *p = load_prog("info_me", BPF_PROG_TYPE_XDP, 0, insns, 2);
	int stats = wl_sys_enable_stats(BPF_STATS_RUN_TIME);
	cr_assert_gt(stats, 2, "enable stats: %d", stats);
	uint8_t in[64];
	make_frame(in, sizeof(in), 0x0800);
	struct wl_test_run t = { .data_in = in, .data_size_in = sizeof(in), .repeat = 10 };
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	close(stats);
	struct bpf_prog_info info;
	cr_assert_eq(wl_prog_info(p, &info), 0);
	cr_assert_eq(info.type, BPF_PROG_TYPE_XDP);
	cr_assert_str_eq(info.name, "info_me");
	cr_assert_gt(info.id, 0);
	cr_assert_eq(info.xlated_prog_len, 2 * sizeof(struct bpf_insn));
	cr_assert_gt(info.jited_prog_len, 0);
	cr_assert_eq(info.verified_insns, 2);
	cr_assert_geq(info.run_cnt, 10, "run_cnt %llu", (unsigned long long)info.run_cnt);
	uint32_t next = 0;
	cr_assert_eq(wl_sys_prog_get_next_id(info.id - 1, &next), 0);
	cr_assert_leq(next, info.id);
	char path[128];
	snprintf(path, sizeof(path), "/sys/fs/bpf/wl_test_prog_%d", getpid());
	unlink(path);
	cr_assert_eq(wl_prog_pin(p, path), 0);
	int fd = wl_sys_obj_get(path, 0);
	unlink(path);
	cr_assert_gt(fd, 2);
	struct wl_prog *q;
	cr_assert_eq(wl_prog_from_fd(fd, NULL, &q), 0);
	cr_assert_str_eq(wl_prog_name(q), "info_me");
	cr_assert_eq(wl_prog_type(q), BPF_PROG_TYPE_XDP);
	wl_prog_destroy(q);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(progs, feature_probes)
{
	FD_CHECK_BEGIN();
	for (uint32_t t = 1; t <= 32; t++) {
		int r = wl_probe_prog_type(t);
		cr_log_info("prog type %-24s: %d", wl_prog_type_name(t), r);
		if (t == BPF_PROG_TYPE_LIRC_MODE2 && r == 0) {
			cr_log_info("lirc_mode2 programs: not in this kernel's config");
			continue;
		}
		cr_assert_neq(r, 0, "6.18 knows program type %s", wl_prog_type_name(t));
	}
	cr_assert_eq(wl_probe_prog_type(XDP_PASS + 1000), 0);
	cr_assert_eq(wl_probe_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_map_lookup_elem), 1);
	cr_assert_eq(wl_probe_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_stackid), 1);
	cr_assert_eq(wl_probe_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_get_stackid), 0);
	cr_assert_eq(wl_probe_helper(BPF_PROG_TYPE_SOCKET_FILTER, 100000), 0);
	cr_assert_eq(wl_prog_type_by_name("sk_lookup"), BPF_PROG_TYPE_SK_LOOKUP);
	cr_assert_str_eq(wl_attach_type_name(46), "tcx_ingress");
	cr_assert_str_eq(wl_link_type_name(BPF_LINK_TYPE_XDP), "xdp");
	cr_assert_null(wl_map_type_name(0));
	FD_CHECK_END();
}

Test(progs, btf_func_info_line_info_and_fd_array)
{
	FD_CHECK_BEGIN();
	/* [1] int, [2] int (void) proto, [3] func main_fn */
	struct {
		struct btf_header h;
		struct btf_type t_int;
		uint32_t enc;
		struct btf_type t_proto, t_func;
		char str[27];
	} __attribute__((packed)) blob;
	memset(&blob, 0, sizeof(blob));
	blob.h.magic = BTF_MAGIC;
	blob.h.version = BTF_VERSION;
	blob.h.hdr_len = sizeof(blob.h);
	blob.h.type_len = 16 + 12 + 12;
	blob.h.str_off = blob.h.type_len;
	blob.h.str_len = sizeof(blob.str);
	blob.t_int = (struct btf_type){ .name_off = 1, .info = BTF_KIND_INT << 24, .size = 4 };
	blob.enc = (BTF_INT_SIGNED << 24) | 32;
	blob.t_proto = (struct btf_type){ .info = BTF_KIND_FUNC_PROTO << 24, .type = 1 };
	blob.t_func =
		(struct btf_type){ .name_off = 5, .info = BTF_KIND_FUNC << 24 | 1, .type = 2 };
	memcpy(blob.str, "\0int\0main_fn\0x.c\0return 0;", 27);
	char *blog = NULL;
	int btf = wl_btf_load(&blob, sizeof(blob), &blog);
	cr_assert_gt(btf, 2, "btf: %s", blog ? blog : "");
	free(blog);
	struct bpf_func_info fi = { .insn_off = 0, .type_id = 3 };
	struct bpf_line_info li = {
		.insn_off = 0, .file_name_off = 13, .line_off = 17, .line_col = 7 << 10 | 2
	};
	struct wl_map *bound = counter_map("bound", 1);
	int fds[1] = { wl_map_fd(bound) };
	struct bpf_insn insns[] = { I_MOV64_IMM(BPF_REG_0, 0), I_EXIT() };
	struct wl_prog_opts o = { .name = "main_fn",
				  .type = BPF_PROG_TYPE_SOCKET_FILTER,
				  .insns = insns,
				  .insn_cnt = 2,
				  .prog_btf_fd = btf,
				  .func_info = &fi,
				  .func_info_rec_size = sizeof(fi),
				  .func_info_cnt = 1,
				  .line_info = &li,
				  .line_info_rec_size = sizeof(li),
				  .line_info_cnt = 1,
				  .fd_array = fds,
				  .fd_array_cnt = 1 };
	struct wl_prog *p;
	char *log = NULL;
	o.log = &log;
	int r = wl_prog_load(&o, &p);
	cr_assert_eq(r, 0, "load with BTF: %s\n%s", strerror(-r), log ? log : "");
	free(log);
	struct bpf_prog_info info;
	cr_assert_eq(wl_prog_info(p, &info), 0);
	cr_assert_gt(info.btf_id, 0);
	cr_assert_eq(info.nr_func_info, 1);
	cr_assert_eq(info.nr_line_info, 1);
	cr_assert_eq(info.nr_map_ids, 1, "fd_array_cnt binds the map to the program");
	wl_prog_destroy(p);
	wl_map_destroy(bound);
	close(btf);
	FD_CHECK_END();
}
