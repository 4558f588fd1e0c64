/* The object layer in the real kernel, on clang-19 objects: XDP/tc/socket
 * programs run with BPF_PROG_TEST_RUN, maps of every kind, map-in-map and
 * prog-array initial values, globals in every section, subprograms and
 * callbacks, the legacy maps section, BTF sanitizing, pinning, and every
 * fd closed at the end. */
#include "objutil.h"

#include <linux/btf.h>

static void setup(void)
{
	warnings_reset();
}

TestSuite(object, .init = setup);

static void make_frame(uint8_t *f, size_t n, uint16_t ethertype)
{
	memset(f, 0, n);
	memset(f, 0xff, 6);
	f[12] = ethertype >> 8;
	f[13] = ethertype & 0xff;
}

Test(object, net_programs_run_and_rodata_is_set_before_load)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("net", NULL);
	cr_assert_eq(wl_object_program_count(obj), 3);
	struct wl_program *xdp = obj_prog(obj, "xdp_count");
	cr_assert_eq(wl_program_type(xdp), BPF_PROG_TYPE_XDP);
	cr_assert_eq(wl_program_expected_attach_type(xdp), BPF_XDP);
	cr_assert_eq(wl_program_type(obj_prog(obj, "tc_len")), BPF_PROG_TYPE_SCHED_CLS);
	cr_assert_eq(wl_program_type(obj_prog(obj, "sock_half")), BPF_PROG_TYPE_SOCKET_FILTER);
	cr_assert_str_eq(wl_object_license(obj), "GPL");

	size_t sz = 0;
	uint16_t *drop = wl_object_global(obj, "drop_proto", &sz);
	cr_assert_not_null(drop);
	cr_assert_eq(sz, 2);
	*drop = 0x0806; /* ARP */
	load_ok(obj);
	cr_assert_gt(wl_program_verified_insns(xdp), 0);

	uint8_t pkt[64], big[200];
	make_frame(pkt, sizeof(pkt), 0x0800);
	cr_assert_eq(run_prog(xdp, pkt, sizeof(pkt)), XDP_PASS);
	cr_assert_eq(run_prog(xdp, pkt, sizeof(pkt)), XDP_PASS);
	make_frame(pkt, sizeof(pkt), 0x0806);
	cr_assert_eq(run_prog(xdp, pkt, sizeof(pkt)), XDP_DROP, "the rodata setting took effect");
	struct wl_map *m = obj_map(obj, "by_proto");
	uint16_t k = 0x0800;
	uint64_t v = 0;
	cr_assert_eq(wl_map_lookup(m, &k, &v, 0), 0);
	cr_assert_eq(v, 2);
	k = 0x0806;
	cr_assert_eq(wl_map_lookup(m, &k, &v, 0), 0);
	cr_assert_eq(v, 1);

	make_frame(big, sizeof(big), 0x0800);
	cr_assert_eq(run_prog(obj_prog(obj, "tc_len"), pkt, sizeof(pkt)), 0 /* TC_ACT_OK */);
	cr_assert_eq(run_prog(obj_prog(obj, "tc_len"), big, sizeof(big)), 2 /* TC_ACT_SHOT */);
	/* the frame reaches socket filters without its Ethernet header */
	cr_assert_eq(run_prog(obj_prog(obj, "sock_half"), big, sizeof(big)), (200 - 14) / 2);

	/* after load the frozen .rodata is mapped read-only and holds the setting */
	drop = wl_object_global(obj, "drop_proto", NULL);
	cr_assert_not_null(drop);
	cr_assert_eq(*drop, 0x0806);
	uint32_t zero = 0;
	uint8_t ro[2] = { 1, 2 };
	cr_assert_lt(wl_map_update(obj_map(obj, ".rodata"), &zero, ro, 0), 0, "frozen");
	wl_object_close(obj);
	FD_CHECK_END();
}

static const struct {
	const char *name;
	uint32_t type;
} every_map[] = {
	{ "m_hash", BPF_MAP_TYPE_HASH },
	{ "m_array", BPF_MAP_TYPE_ARRAY },
	{ "m_prog_array", BPF_MAP_TYPE_PROG_ARRAY },
	{ "m_perf", BPF_MAP_TYPE_PERF_EVENT_ARRAY },
	{ "m_percpu_hash", BPF_MAP_TYPE_PERCPU_HASH },
	{ "m_percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY },
	{ "m_stack_trace", BPF_MAP_TYPE_STACK_TRACE },
	{ "m_cgroup_array", BPF_MAP_TYPE_CGROUP_ARRAY },
	{ "m_lru_hash", BPF_MAP_TYPE_LRU_HASH },
	{ "m_lru_percpu_hash", BPF_MAP_TYPE_LRU_PERCPU_HASH },
	{ "m_lpm", BPF_MAP_TYPE_LPM_TRIE },
	{ "outer_array", BPF_MAP_TYPE_ARRAY_OF_MAPS },
	{ "outer_hash", BPF_MAP_TYPE_HASH_OF_MAPS },
	{ "m_devmap", BPF_MAP_TYPE_DEVMAP },
	{ "m_sockmap", BPF_MAP_TYPE_SOCKMAP },
	{ "m_cpumap", BPF_MAP_TYPE_CPUMAP },
	{ "m_xskmap", BPF_MAP_TYPE_XSKMAP },
	{ "m_sockhash", BPF_MAP_TYPE_SOCKHASH },
	{ "m_cgroup_storage", BPF_MAP_TYPE_CGROUP_STORAGE },
	{ "m_reuseport", BPF_MAP_TYPE_REUSEPORT_SOCKARRAY },
	{ "m_percpu_cgroup_storage", BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE },
	{ "m_queue", BPF_MAP_TYPE_QUEUE },
	{ "m_stack", BPF_MAP_TYPE_STACK },
	{ "m_sk_storage", BPF_MAP_TYPE_SK_STORAGE },
	{ "m_devmap_hash", BPF_MAP_TYPE_DEVMAP_HASH },
	{ "m_ringbuf", BPF_MAP_TYPE_RINGBUF },
	{ "m_inode_storage", BPF_MAP_TYPE_INODE_STORAGE },
	{ "m_task_storage", BPF_MAP_TYPE_TASK_STORAGE },
	{ "m_bloom", BPF_MAP_TYPE_BLOOM_FILTER },
	{ "m_user_ringbuf", BPF_MAP_TYPE_USER_RINGBUF },
	{ "m_cgrp_storage", 32 },
	{ "m_arena", 33 },
};

Test(object, maps_of_every_kind_with_btf_and_initial_values)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("maps", NULL);
	load_ok(obj);
	cr_assert_geq(wl_object_btf_fd(obj), 0, "BTF loaded");
	for (size_t i = 0; i < ARRAY_LEN(every_map); i++) {
		struct bpf_map_info info;
		int r = wl_map_info(obj_map(obj, every_map[i].name), &info);
		cr_assert_eq(r, 0);
		cr_assert_eq(info.type, every_map[i].type, "%s: kernel type %u", every_map[i].name,
			     info.type);
		if (strcmp(every_map[i].name, "m_perf") == 0)
			cr_assert_eq(info.max_entries, (uint32_t)wl_num_possible_cpus(),
				     "perf_event_array sized to the CPUs");
	}
	/* key/value BTF reached the kernel where the map has it */
	struct bpf_map_info info;
	wl_map_info(obj_map(obj, "m_hash"), &info);
	cr_assert_neq(info.btf_value_type_id, 0);
	cr_assert_neq(info.btf_key_type_id, 0);
	cr_assert_eq(info.btf_id != 0, true);

	/* prog array initial values: slot 1 -> tail_seven, slot 3 -> tail_nine */
	uint8_t pkt[64] = { 0 };
	cr_assert_eq(run_prog(obj_prog(obj, "entry"), pkt, sizeof(pkt)), 7);
	/* map-in-map initial values: slot 0 -> inner_a, slot 2 -> inner_b */
	uint32_t zero = 0, v = 42, two = 2, one = 1;
	cr_assert_eq(wl_map_update(obj_map(obj, "inner_a"), &zero, &v, 0), 0);
	cr_assert_eq(run_prog(obj_prog(obj, "via_inner"), pkt, sizeof(pkt)), 1000,
		     "slot 1 of outer_array is empty");
	uint32_t id = 0;
	cr_assert_eq(wl_map_lookup(obj_map(obj, "outer_array"), &zero, &id, 0), 0);
	wl_map_info(obj_map(obj, "inner_a"), &info);
	cr_assert_eq(id, info.id, "outer_array[0] is inner_a");
	cr_assert_eq(wl_map_lookup(obj_map(obj, "outer_array"), &two, &id, 0), 0);
	wl_map_info(obj_map(obj, "inner_b"), &info);
	cr_assert_eq(id, info.id, "outer_array[2] is inner_b");
	cr_assert_lt(wl_map_lookup(obj_map(obj, "outer_array"), &one, &id, 0), 0);
	uint32_t pid = 0;
	cr_assert_eq(wl_map_lookup(obj_map(obj, "jump"), &two, &pid, 0), -ENOENT);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object, rodata_selects_the_tail_call_and_inner_map)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("maps", NULL);
	*(uint32_t *)wl_object_global(obj, "jump_slot", NULL) = 3;
	load_ok(obj);
	uint8_t pkt[64] = { 0 };
	cr_assert_eq(run_prog(obj_prog(obj, "entry"), pkt, sizeof(pkt)), 9);
	wl_object_close(obj);
	obj = open_obj("maps", NULL);
	*(uint32_t *)wl_object_global(obj, "jump_slot", NULL) = 2;
	load_ok(obj);
	uint32_t zero = 0, v = 4242;
	cr_assert_eq(wl_map_update(obj_map(obj, "inner_b"), &zero, &v, 0), 0);
	cr_assert_eq(run_prog(obj_prog(obj, "via_inner"), pkt, sizeof(pkt)), 4242);
	cr_assert_eq(run_prog(obj_prog(obj, "entry"), pkt, sizeof(pkt)), 1, "slot 2 is empty");
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object, globals_in_every_section)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("globals", NULL);
	const char *secs[] = { ".rodata", ".data", ".bss", ".data.custom", ".rodata.custom" };
	for (size_t i = 0; i < ARRAY_LEN(secs); i++) {
		struct wl_obj_map *m = wl_object_find_map(obj, secs[i]);
		cr_assert_not_null(m, "map for %s", secs[i]);
		cr_assert(wl_obj_map_is_internal(m));
	}
	size_t sz;
	uint32_t *ro = wl_object_global(obj, "ro_setting", &sz);
	cr_assert_eq(*ro, 1, "initial value from the ELF");
	cr_assert_eq(sz, 4);
	*ro = 1234;
	char *greeting = wl_object_global(obj, "greeting", &sz);
	cr_assert_eq(sz, 8);
	cr_assert_str_eq(greeting, "hi");
	greeting[0] = 'X';
	cr_assert_eq(*(uint32_t *)wl_object_global(obj, "custom_data", NULL), 77);
	cr_assert_eq(*(uint32_t *)wl_object_global(obj, "static_counter", NULL), 3, "statics too");
	cr_assert_null(wl_object_global(obj, "no_such_variable", NULL));
	load_ok(obj);

	struct wl_program *p = obj_prog(obj, "compute");
	cr_assert_eq(run_prog(p, NULL, 0), 0);
	cr_assert_eq(run_prog(p, NULL, 0), 0);
	struct {
		uint64_t a, b, c, d, e, runs;
	} *out = wl_object_global(obj, "out", &sz);
	cr_assert_not_null(out, ".bss is mmap'ed after load");
	cr_assert_eq(sz, sizeof(*out));
	cr_assert_eq(out->runs, 2);
	cr_assert_eq(out->a, 1234);
	cr_assert_eq(out->b, 0x1122334455667788ull);
	cr_assert_eq(out->c, 11 + 5, "second run: data_val 11, static_counter 5");
	cr_assert_eq(out->d, 77 + 88);
	cr_assert_eq(out->e, 'X' + 'i');
	cr_assert_eq(*(uint32_t *)wl_object_global(obj, "data_val", NULL), 12);
	cr_assert_eq(*(uint64_t *)wl_object_global(obj, "bss_val", NULL), 10);
	/* userspace writes through the mmap are seen by the program */
	*(uint32_t *)wl_object_global(obj, "data_val", NULL) = 100;
	cr_assert_eq(run_prog(p, NULL, 0), 0);
	cr_assert_eq(out->c, 100 + 7);

	struct bpf_map_info info;
	wl_map_info(obj_map(obj, ".rodata"), &info);
	cr_assert_str_eq(info.name, "globals.rodata");
	cr_assert(info.map_flags & BPF_F_RDONLY_PROG);
	cr_assert_neq(info.btf_value_type_id, 0, "the DATASEC describes the value");
	wl_map_info(obj_map(obj, ".data.custom"), &info);
	cr_assert_str_eq(info.name, "glo.data.custom");
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object, subprograms_and_callbacks)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("calls", NULL);
	load_ok(obj);
	cr_assert_eq(run_prog(obj_prog(obj, "calls_a"), NULL, 0), 9 + 9 + 45);
	struct wl_map *m = obj_map(obj, "vals");
	for (uint32_t k = 1; k <= 3; k++) {
		uint64_t v = k;
		cr_assert_eq(wl_map_update(m, &k, &v, 0), 0);
	}
	cr_assert_eq(run_prog(obj_prog(obj, "calls_b"), NULL, 0), 36 + 1);
	/* sq and global_add were appended to both programs */
	size_t na, nb;
	wl_program_insns(obj_prog(obj, "calls_a"), &na);
	wl_program_insns(obj_prog(obj, "calls_b"), &nb);
	cr_assert_gt(na, 20);
	cr_assert_gt(nb, 20);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object, legacy_maps_section)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("legacy", NULL);
	cr_assert_eq(wl_obj_map_type(wl_object_find_map(obj, "hits")), BPF_MAP_TYPE_ARRAY);
	load_ok(obj);
	uint8_t pkt[64] = { 0 };
	run_prog(obj_prog(obj, "count"), pkt, sizeof(pkt));
	run_prog(obj_prog(obj, "count"), pkt, sizeof(pkt));
	uint32_t k = 1;
	uint64_t v = 0;
	cr_assert_eq(wl_map_lookup(obj_map(obj, "hits"), &k, &v, 0), 0);
	cr_assert_eq(v, 2);
	wl_object_close(obj);
	FD_CHECK_END();
}

/* Each BTF feature forced off in turn: the sanitized BTF still loads and
 * the program still runs. */
Test(object, btf_sanitized_for_kernels_without_each_kind)
{
	FD_CHECK_BEGIN();
	const uint32_t feats[] = { WL_BTF_FEAT_FUNC,	 WL_BTF_FEAT_GLOBAL_FUNC,
				   WL_BTF_FEAT_DATASEC,	 WL_BTF_FEAT_FLOAT,
				   WL_BTF_FEAT_DECL_TAG, WL_BTF_FEAT_TYPE_TAG,
				   WL_BTF_FEAT_ENUM64,	 0x7f };
	for (size_t i = 0; i < ARRAY_LEN(feats); i++) {
		struct wl_object_opts o = { .btf_features_off = feats[i] };
		struct wl_object *obj = open_obj("btf_kinds", &o);
		warnings_reset();
		if (feats[i] & WL_BTF_FEAT_FUNC) /* global subprograms need func_info */
			wl_program_set_autoload(obj_prog(obj, "kinds"), false);
		load_ok(obj);
		cr_assert_geq(wl_object_btf_fd(obj), 0, "features off 0x%x: BTF refused:\n%s",
			      feats[i], warned());
		cr_assert_str_eq(warned(), "", "no warning with features 0x%x off", feats[i]);
		if (!(feats[i] & WL_BTF_FEAT_FUNC)) {
			cr_assert_eq(run_prog(obj_prog(obj, "kinds"), NULL, 0), 4);
			cr_assert_eq(*(uint32_t *)wl_object_global(obj, "g_out", NULL), 4);
		}
		wl_object_close(obj);
	}
	FD_CHECK_END();
}

Test(object, pinned_by_name_maps_are_reused)
{
	FD_CHECK_BEGIN();
	char root[64];
	snprintf(root, sizeof(root), "/sys/fs/bpf/wl_obj_test_%d", (int)getpid());
	if (mkdir(root, 0700) && errno != EEXIST)
		cr_skip_test("no writable bpffs at /sys/fs/bpf: %s", strerror(errno));
	char *src = xasprintf("%s/pin.bpf.c", WL_DATA_BUILD);
	FILE *f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs("#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n"
	      "char LICENSE[] SEC(\"license\") = \"GPL\";\n"
	      "struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);\n"
	      "  __type(key, __u32); __type(value, __u64);\n"
	      "  __uint(pinning, LIBBPF_PIN_BY_NAME); } shared SEC(\".maps\");\n"
	      "SEC(\"xdp\") int bump(struct xdp_md *c) { __u32 k = 0;\n"
	      "  __u64 *v = bpf_map_lookup_elem(&shared, &k); if (v) *v += 1; return 2; }\n",
	      f);
	fclose(f);
	need_tool("clang-19");
	ensure_vmlinux_h();
	char *out = xasprintf("%s/pin.bpf.o", WL_DATA_BUILD);
	cr_assert_eq(sh("clang-19 -target bpf -O2 -g -I%s -c %s -o %s", WL_DATA_BUILD, src, out),
		     0);
	struct wl_object_opts o = { .pin_root = root };
	uint8_t pkt[64] = { 0 };
	for (int round = 1; round <= 2; round++) {
		struct wl_object *obj;
		cr_assert_eq(wl_object_open_file(out, &o, &obj), 0);
		struct wl_obj_map *m = wl_object_find_map(obj, "shared");
		char *want = xasprintf("%s/shared", root);
		cr_assert_str_eq(wl_obj_map_pin_path(m), want);
		free(want);
		load_ok(obj);
		cr_assert_eq(wl_obj_map_reused(m), round == 2);
		run_prog(obj_prog(obj, "bump"), pkt, sizeof(pkt));
		uint32_t k = 0;
		uint64_t v = 0;
		wl_map_lookup(wl_obj_map_map(m), &k, &v, 0);
		cr_assert_eq(v, (uint64_t)round, "the pinned map survives the first object");
		wl_object_close(obj);
	}
	/* an incompatible definition is refused, naming the map */
	struct wl_object *obj;
	cr_assert_eq(wl_object_open_file(out, &o, &obj), 0);
	wl_obj_map_set_max_entries(wl_object_find_map(obj, "shared"), 2);
	warnings_reset();
	cr_assert_eq(wl_object_load(obj), -EINVAL);
	cr_assert(strstr(warned(), "map 'shared': pinned map at"), "%s", warned());
	cr_assert(strstr(warned(), "is incompatible (max_entries differs)"), "%s", warned());
	wl_object_close(obj);
	sh("rm -rf %s", root);
	free(src);
	free(out);
	FD_CHECK_END();
}

Test(object, jited_size_is_the_kernels)
{
	char jit = '0';
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	if (f) {
		if (fread(&jit, 1, 1, f) != 1)
			jit = '0';
		fclose(f);
	}
	if (jit == '0')
		cr_skip_test("the BPF JIT is off (net.core.bpf_jit_enable=0): no native code");
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("net", NULL);
	load_ok(obj);
	for (size_t i = 0; i < wl_object_program_count(obj); i++) {
		const struct wl_program *p = wl_object_program(obj, i);
		struct bpf_prog_info pi;
		cr_assert_eq(wl_prog_info(wl_program_prog(p), &pi), 0);
		cr_assert_gt(wl_program_jited_size(p), 0, "%s", wl_program_name(p));
		cr_assert_eq(wl_program_jited_size(p), pi.jited_prog_len, "%s", wl_program_name(p));
	}
	/* xdp_count does a map lookup and an atomic add: more native code
	 * than sock_half's shift */
	cr_assert_gt(wl_program_jited_size(obj_prog(obj, "xdp_count")),
		     wl_program_jited_size(obj_prog(obj, "sock_half")));
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object, prepare_without_kernel_links_programs)
{
	struct wl_object *obj = open_obj("calls", NULL);
	cr_assert_eq(wl_program_insn_count(obj_prog(obj, "calls_a")), 0, "nothing before prepare");
	cr_assert_eq(wl_object_prepare(obj), 0);
	size_t n;
	const struct bpf_insn *in = wl_program_insns(obj_prog(obj, "calls_a"), &n);
	cr_assert_gt(n, 0);
	bool pseudo_func = false, pseudo_call = false, map_fd = false;
	for (size_t i = 0; i < n; i++) {
		pseudo_func |= in[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			       in[i].src_reg == BPF_PSEUDO_FUNC;
		pseudo_call |=
			in[i].code == (BPF_JMP | BPF_CALL) && in[i].src_reg == BPF_PSEUDO_CALL;
		map_fd |= in[i].src_reg == BPF_PSEUDO_MAP_FD;
	}
	cr_assert(pseudo_func, "bpf_loop's callback is a BPF_PSEUDO_FUNC");
	cr_assert(pseudo_call, "subprogram calls are BPF_PSEUDO_CALL");
	in = wl_program_insns(obj_prog(obj, "calls_b"), &n);
	for (size_t i = 0; i < n; i++)
		map_fd |= in[i].src_reg == BPF_PSEUDO_MAP_FD;
	cr_assert(map_fd);
	cr_assert_eq(wl_program_fd(obj_prog(obj, "calls_a")), -1);
	wl_object_close(obj);
}

Test(object, autoload_off_and_unknown_sections)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("net", NULL);
	wl_program_set_autoload(obj_prog(obj, "tc_len"), false);
	load_ok(obj);
	cr_assert_null(wl_program_prog(obj_prog(obj, "tc_len")));
	cr_assert_eq(wl_program_jited_size(obj_prog(obj, "tc_len")), 0, "not loaded, not JITed");
	cr_assert_not_null(wl_program_prog(obj_prog(obj, "xdp_count")));
	cr_assert_eq(wl_program_set_autoload(obj_prog(obj, "tc_len"), true), -EBUSY);
	cr_assert_eq(wl_object_load(obj), -EBUSY);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object, optional_sections_load_only_when_asked)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("optional", NULL);
	struct wl_program *opt = obj_prog(obj, "xdp_unchecked");
	cr_assert_not(wl_program_autoload(opt));
	cr_assert(wl_program_autoload(obj_prog(obj, "xdp_ok")));
	cr_assert_eq(wl_program_type(opt), BPF_PROG_TYPE_XDP);
	load_ok(obj);
	cr_assert_not_null(wl_program_prog(obj_prog(obj, "xdp_ok")));
	cr_assert_null(wl_program_prog(opt));
	wl_object_close(obj);

	/* asked for, it loads and the verifier says no */
	obj = open_obj("optional", NULL);
	cr_assert_eq(wl_program_set_autoload(obj_prog(obj, "xdp_unchecked"), true), 0);
	cr_assert_eq(wl_object_load(obj), -EACCES, "%s", warned());
	wl_object_close(obj);
	FD_CHECK_END();
}

/* Objects whistler compiles itself (examples/, tests/filetests/run/), kept in
 * memory from compile to load as `whistler run` will do it. */
Test(object, whistler_compiled_objects_load)
{
	FD_CHECK_BEGIN();
	struct buf list = { 0 };
	FILE *p = popen("ls " WHISTLER_SOURCE_DIR "/examples/*.wir " WHISTLER_SOURCE_DIR
			"/tests/filetests/run/*.wir",
			"r");
	char line[4096];
	int loaded = 0;
	while (p && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		struct buf o = { 0 };
		cr_assert_eq(wir_compile(line, &o), 0, "whistler cannot compile %s", line);
		struct wl_object *obj;
		struct wl_object_opts opts = { .name = "wir" };
		warnings_reset();
		cr_assert_eq(wl_object_open_mem(o.data, o.len, &opts, &obj), 0, "%s: %s", line,
			     warned());
		buf_free(&o);
		int r = wl_object_load(obj);
		cr_assert_eq(r, 0, "%s: %s\n%s", line, strerror(-r), warned());
		for (size_t i = 0; i < wl_object_program_count(obj); i++)
			cr_assert_geq(wl_program_fd(wl_object_program(obj, i)), 0);
		buf_printf(&list, "%s ", strrchr(line, '/') + 1);
		loaded++;
		wl_object_close(obj);
	}
	pclose(p);
	cr_assert_geq(loaded, 12, "loaded: %s", buf_cstr(&list));
	buf_free(&list);
	FD_CHECK_END();
}

Test(object, whistler_xdp_count_counts)
{
	FD_CHECK_BEGIN();
	struct buf o = { 0 };
	cr_assert_eq(wir_compile(WHISTLER_SOURCE_DIR "/examples/xdp_count.wir", &o), 0);
	struct wl_object *obj;
	cr_assert_eq(wl_object_open_mem(o.data, o.len, NULL, &obj), 0);
	buf_free(&o);
	load_ok(obj);
	uint8_t pkt[64] = { 0 };
	struct wl_program *p = obj_prog(obj, "xdp_count");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(run_prog(p, pkt, sizeof(pkt)), 2);
	uint32_t k = 0, slot = 1, id = 0;
	uint64_t v = 0;
	cr_assert_eq(wl_map_lookup(obj_map(obj, "counts"), &k, &v, 0), 0);
	cr_assert_eq(v, 3);
	/* jmp's initial value names the program itself */
	cr_assert_eq(wl_map_lookup(obj_map(obj, "jmp"), &slot, &id, 0), 0);
	struct bpf_prog_info info;
	wl_prog_info(wl_program_prog(p), &info);
	cr_assert_eq(id, info.id);
	wl_object_close(obj);
	FD_CHECK_END();
}

/* wl_obj_map_reuse: a second object of the same source runs on the first
 * object's maps (a user map and the global data), as sessions reload. */
Test(object, given_maps_are_reused)
{
	FD_CHECK_BEGIN();
	struct buf o = { 0 };
	cr_assert_eq(wir_compile(WHISTLER_SOURCE_DIR "/examples/xdp_count.wir", &o), 0);
	struct wl_object *a, *b, *c;
	cr_assert_eq(wl_object_open_mem(o.data, o.len, NULL, &a), 0);
	load_ok(a);
	uint8_t pkt[64] = { 0 };
	run_prog(obj_prog(a, "xdp_count"), pkt, sizeof(pkt));
	cr_assert_eq(wl_object_open_mem(o.data, o.len, NULL, &b), 0);
	struct wl_obj_map *m = wl_object_find_map(b, "counts");
	cr_assert_eq(wl_obj_map_reuse(m, obj_map(a, "counts")), 0);
	load_ok(b);
	cr_assert(wl_obj_map_reused(m));
	wl_object_close(a); /* b keeps the map */
	run_prog(obj_prog(b, "xdp_count"), pkt, sizeof(pkt));
	uint32_t k = 0;
	uint64_t v = 0;
	cr_assert_eq(wl_map_lookup(wl_obj_map_map(m), &k, &v, 0), 0);
	cr_assert_eq(v, 2, "the count of the first object's run is kept");
	/* a map of another shape is refused, naming it */
	cr_assert_eq(wl_object_open_mem(o.data, o.len, NULL, &c), 0);
	cr_assert_eq(wl_obj_map_reuse(wl_object_find_map(c, "counts"), obj_map(b, "jmp")), 0);
	warnings_reset();
	cr_assert_eq(wl_object_load(c), -EINVAL);
	cr_assert(strstr(warned(), "map 'counts': the map given to reuse is incompatible"), "%s",
		  warned());
	wl_object_close(c);
	wl_object_close(b);
	buf_free(&o);

	/* global data: .bss/.data keep their values, .rodata is not rewritten */
	struct wl_object *g1 = open_obj("globals", NULL), *g2 = open_obj("globals", NULL);
	load_ok(g1);
	cr_assert_eq(run_prog(obj_prog(g1, "compute"), NULL, 0), 0);
	for (size_t i = 0; i < wl_object_map_count(g2); i++) {
		struct wl_obj_map *gm = wl_object_map(g2, i);
		cr_assert_eq(wl_obj_map_reuse(gm, obj_map(g1, wl_obj_map_name(gm))), 0);
	}
	load_ok(g2);
	wl_object_close(g1);
	cr_assert_eq(run_prog(obj_prog(g2, "compute"), NULL, 0), 0);
	struct {
		uint64_t a, b, c, d, e, runs;
	} *out = wl_object_global(g2, "out", NULL);
	cr_assert_not_null(out, "a reused .bss is mmap'ed");
	cr_assert_eq(out->runs, 2, "runs counted across both objects");
	wl_object_close(g2);
	FD_CHECK_END();
}
