/* The object layer against the running kernel's BTF and configuration:
 * .kconfig and .ksyms externs, kfuncs, CO-RE reads of the current task
 * compared with getpid()/gettid()/getppid()/comm, programs attached by their
 * section names and triggered, and verifier rejections reported with the
 * source line of the failing instruction. */
#include "objutil.h"

#include "btf/btf.h"
#include "elf/elfr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static void setup(void)
{
	warnings_reset();
}

TestSuite(object_trace, .init = setup);

/* Attaches every autoload program (uprobe ones to `uprobe_target`). */
static void attach_all(struct wl_object *obj, const char *uprobe_target)
{
	for (size_t i = 0; i < wl_object_program_count(obj); i++) {
		struct wl_program *p = wl_object_program(obj, i);
		if (!wl_program_autoload(p))
			continue;
		const char *t = !strcmp(wl_program_section(p), "uprobe") ? uprobe_target : NULL;
		int r = wl_program_attach_to(p, t, NULL);
		cr_assert_eq(r, 0, "attach '%s': %s\n%s", wl_program_name(p), strerror(-r),
			     warned());
	}
}

Test(object_trace, kconfig_ksyms_and_kfuncs)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("kconfig", NULL);
	*(int *)wl_object_global(obj, "target_tgid", NULL) = getpid();
	load_ok(obj);
	attach_all(obj, NULL);
	getppid();
	struct {
		uint64_t hz, bpf_syscall, jit, version, cookie, wrapper, missing;
		uint64_t sched_addr, acquired_pid, has_missing_kfunc, has_rcu_kfunc, runs;
		char hostname[16];
	} *out = wl_object_global(obj, "out", NULL);
	cr_assert_not_null(out);
	cr_assert_gt(out->runs, 0, "the tp_btf program ran");
	char *hz = kconfig_value("CONFIG_HZ"), *jit = kconfig_value("CONFIG_BPF_JIT");
	char *host = kconfig_value("CONFIG_DEFAULT_HOSTNAME");
	cr_assert_eq(out->hz, strtoull(hz, NULL, 10), "CONFIG_HZ=%s", hz);
	cr_assert_eq(out->bpf_syscall, 1);
	cr_assert_eq(out->jit, !strcmp(jit, "y") ? 1 : !strcmp(jit, "m") ? 2 : 0);
	char want_host[16] = "";
	if (*host == '"')
		snprintf(want_host, sizeof(want_host), "%.*s", (int)strlen(host) - 2, host + 1);
	cr_assert_str_eq(out->hostname, want_host);
	cr_assert_eq(out->version, kernel_version_code());
	cr_assert_eq(out->cookie, 1, "6.x kernels have bpf_get_attach_cookie");
	cr_assert_eq(out->missing, 0, "a weak missing kconfig is 0");
	unsigned long long sched = kallsyms_addr("schedule");
	cr_assert_neq(sched, 0);
	cr_assert_eq(out->sched_addr, sched, "untyped ksym: %llx vs kallsyms %llx",
		     (unsigned long long)out->sched_addr, sched);
	cr_assert_eq(out->acquired_pid, (uint64_t)syscall(SYS_gettid),
		     "bpf_task_acquire (a kfunc) returned the current task");
	cr_assert_eq(out->has_missing_kfunc, 0, "a weak missing kfunc has address 0");
	cr_assert_eq(out->has_rcu_kfunc, 1, "a weak kfunc the kernel has: ld_imm64 of its BTF id");
	free(hz);
	free(jit);
	free(host);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, kconfig_text_overrides_the_kernel_config)
{
	FD_CHECK_BEGIN();
	struct wl_object_opts o = { .kconfig = "CONFIG_HZ=1000\nCONFIG_BPF_SYSCALL=y\n"
					       "CONFIG_BPF_JIT=m\n"
					       "CONFIG_DEFAULT_HOSTNAME=\"wl\\\"host\"\n" };
	struct wl_object *obj = open_obj("kconfig", &o);
	cr_assert_eq(wl_object_prepare(obj), 0, "%s", warned());
	cr_assert_eq(*(int *)wl_object_global(obj, "CONFIG_HZ", NULL), 1000);
	cr_assert_eq(*(uint8_t *)wl_object_global(obj, "CONFIG_BPF_SYSCALL", NULL), 1);
	cr_assert_eq(*(uint32_t *)wl_object_global(obj, "CONFIG_BPF_JIT", NULL), 2, "tristate m");
	cr_assert_str_eq(wl_object_global(obj, "CONFIG_DEFAULT_HOSTNAME", NULL), "wl\"host");
	cr_assert_eq(*(uint32_t *)wl_object_global(obj, "LINUX_KERNEL_VERSION", NULL),
		     kernel_version_code());
	wl_object_close(obj);

	/* a strong extern the configuration lacks is an error naming it */
	struct wl_object_opts bad = { .kconfig = "CONFIG_BPF_SYSCALL=y\n" };
	obj = open_obj("kconfig", &bad);
	warnings_reset();
	cr_assert_eq(wl_object_prepare(obj), -ESRCH);
	cr_assert(strstr(warned(), "extern 'CONFIG_HZ' (kconfig): not set in the kernel "
				   "configuration"),
		  "%s", warned());
	wl_object_close(obj);
	struct wl_object_opts wrong = { .kconfig = "CONFIG_HZ=y\nCONFIG_BPF_SYSCALL=y\n" };
	obj = open_obj("kconfig", &wrong);
	warnings_reset();
	cr_assert_eq(wl_object_prepare(obj), -EINVAL);
	cr_assert(strstr(warned(), "extern 'CONFIG_HZ' (kconfig): value 'y' is not a number or "
				   "a string"),
		  "%s", warned());
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, typed_ksym_is_a_btf_id)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("ksym_typed", NULL);
	cr_assert_eq(wl_object_prepare(obj), 0, "%s", warned());
	struct wbtf *vml;
	cr_assert_eq(wbtf_load_vmlinux(&vml), 0);
	int id = wbtf_find_by_name_kind(vml, "runqueues", BTF_KIND_VAR);
	cr_assert_gt(id, 0);
	size_t n;
	const struct bpf_insn *in = wl_program_insns(obj_prog(obj, "rq_read"), &n);
	bool found = false;
	for (size_t i = 0; i + 1 < n; i++)
		found |= in[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			 in[i].src_reg == BPF_PSEUDO_BTF_ID && in[i].imm == id &&
			 in[i + 1].imm == 0;
	cr_assert(found, "ld_imm64 BPF_PSEUDO_BTF_ID of [%d] runqueues", id);
	wbtf_free(vml);
	int r = wl_object_load(obj);
	if (r < 0 && strstr(warned(), "failed to find the address for kernel symbol 'runqueues'")) {
		wl_object_close(obj);
		cr_skip_test("the kernel resolved BTF id %d to 'runqueues' but has no address for "
			     "it (built without CONFIG_KALLSYMS_ALL): typed ksyms of data cannot "
			     "load here",
			     id);
	}
	cr_assert_eq(r, 0, "%s", warned());
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, core_reads_of_the_current_task)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("core", NULL);
	*(int *)wl_object_global(obj, "target_tgid", NULL) = getpid();
	load_ok(obj);
	attach_all(obj, NULL);
	getppid();
	struct {
		int32_t pid, tgid, ppid, btf_pid, btf_tgid;
		char comm[16];
		uint32_t pid_exists, missing_exists, type_exists, notype_exists;
		uint32_t enum_val, enum_exists, enum_missing, pid_size, type_size;
		uint64_t in_execve, poison_dead, seen, btf_seen;
		uint32_t local_id, kernel_id, matches, nomatch;
	} *out = wl_object_global(obj, "out", NULL);
	cr_assert_gt(out->seen, 0);
	cr_assert_gt(out->btf_seen, 0);
	cr_assert_eq(out->pid, (int32_t)syscall(SYS_gettid));
	cr_assert_eq(out->tgid, getpid());
	cr_assert_eq(out->ppid, getppid());
	cr_assert_eq(out->btf_pid, (int32_t)syscall(SYS_gettid), "direct CO-RE loads");
	cr_assert_eq(out->btf_tgid, getpid());
	char comm[16] = "";
	prctl(PR_GET_NAME, comm);
	cr_assert_str_eq(out->comm, comm);
	cr_assert_eq(out->pid_exists, 1);
	cr_assert_eq(out->missing_exists, 0);
	cr_assert_eq(out->poison_dead, 0);
	cr_assert_eq(out->type_exists, 1);
	cr_assert_eq(out->notype_exists, 0);
	cr_assert_eq(out->enum_val, BPF_MAP_TYPE_RINGBUF);
	cr_assert_eq(out->enum_exists, 1);
	cr_assert_eq(out->enum_missing, 0);
	cr_assert_eq(out->pid_size, 4);
	cr_assert_eq(out->in_execve, 0);
	struct wbtf *vml;
	cr_assert_eq(wbtf_load_vmlinux(&vml), 0);
	int ts = wbtf_find_by_name_kind(vml, "task_struct", BTF_KIND_STRUCT);
	cr_assert_eq(out->type_size, (uint32_t)wbtf_resolve_size(vml, (uint32_t)ts));
	cr_assert_eq(out->kernel_id, (uint32_t)ts, "bpf_core_type_id_kernel");
	cr_assert_eq(out->matches, 1);
	cr_assert_eq(out->nomatch, 0);
	wbtf_free(vml);
	/* bpf_core_type_id_local: the id in the object's own BTF */
	char *path = bpf_obj("core");
	struct buf raw = { 0 };
	cr_assert_eq(file_read(path, &raw), 0);
	struct elfr *er;
	cr_assert_eq(elfr_open(raw.data, raw.len, &er, NULL, 0), 0);
	const struct elfr_section *bs = elfr_section_by_name(er, ".BTF");
	struct wbtf *local;
	cr_assert_eq(wbtf_parse(bs->data, bs->size, NULL, &local), 0);
	cr_assert_eq(out->local_id,
		     (uint32_t)wbtf_find_by_name_kind(local, "task_struct", BTF_KIND_STRUCT));
	wbtf_free(local);
	elfr_close(er);
	buf_free(&raw);
	free(path);
	wl_object_close(obj);
	FD_CHECK_END();
}

/* The raw_tp program's CO-RE instructions against a custom target BTF:
 * with no candidate for task_struct, its field reads are poisoned. */
Test(object_trace, core_against_a_custom_btf_poisons)
{
	char *path = xasprintf("%s/tiny.btf", WL_DATA_BUILD);
	struct wbtf *b = wbtf_new();
	int32_t i = wbtf_add_int(b, "int", 4, BTF_INT_SIGNED);
	wbtf_add_struct(b, "unrelated", 4);
	wbtf_add_member(b, "x", (uint32_t)i, 0, 0);
	struct buf raw = { 0 };
	cr_assert_eq(wbtf_encode(b, false, &raw), 0);
	FILE *f = fopen(path, "w");
	fwrite(raw.data, 1, raw.len, f);
	fclose(f);
	buf_free(&raw);
	wbtf_free(b);
	struct wl_object_opts o = { .btf_custom_path = path };
	struct wl_object *obj = open_obj("core", &o);
	wl_program_set_autoload(obj_prog(obj, "read_task_btf"), false);
	cr_assert_eq(wl_object_prepare(obj), 0, "%s", warned());
	size_t n;
	const struct bpf_insn *in = wl_program_insns(obj_prog(obj, "read_task"), &n);
	int poisoned = 0;
	for (size_t k = 0; k < n; k++)
		poisoned += in[k].code == (BPF_JMP | BPF_CALL) && in[k].imm == 0xbad2310;
	cr_assert_gt(poisoned, 5, "%d poisoned calls", poisoned);
	wl_object_close(obj);
	free(path);
}

Test(object_trace, reached_core_poison_is_explained)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("core_bad", NULL);
	cr_assert_eq(wl_object_load(obj), -EINVAL);
	cr_assert(strstr(warned(), "invalid func unknown#195896080"), "%s", warned());
	cr_assert(strstr(warned(), "(a CO-RE relocation or weak kfunc the kernel lacks was "
				   "reached: guard it with bpf_core_*_exists/bpf_ksym_exists)"),
		  "%s", warned());
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, verifier_error_names_the_source_line)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("bad_verifier", NULL);
	cr_assert_eq(wl_object_prepare(obj), 0);
	/* the failing instruction: the load through the unchecked map value */
	size_t n;
	const struct bpf_insn *in = wl_program_insns(obj_prog(obj, "bad"), &n);
	size_t at = n;
	for (size_t i = 0; i < n && at == n; i++)
		if (in[i].code == (BPF_LDX | BPF_MEM | BPF_DW) && in[i].src_reg == BPF_REG_0)
			at = i;
	cr_assert_lt(at, n);
	cr_assert_eq(wl_object_load(obj), -EACCES);
	char *src = bpf_src("bad_verifier");
	char *want = xasprintf("prog 'bad': xdp program rejected by the verifier (Permission "
			       "denied):\n"
			       "%s:20: *v += 1;\n"
			       "  insn %zu: R0 invalid mem access 'map_value_or_null'\n"
			       "verifier log (tail):\n",
			       src, at);
	cr_assert_eq(strncmp(warned(), want, strlen(want)), 0, "got:\n%s\nwant:\n%s", warned(),
		     want);
	char *line = wl_program_source_line(obj_prog(obj, "bad"), (uint32_t)at);
	char *want_line = xasprintf("%s:20: *v += 1;", src);
	cr_assert_str_eq(line, want_line);
	const char *log = wl_program_log(obj_prog(obj, "bad"));
	cr_assert_not_null(log);
	cr_assert(strstr(log, "processed "), "the whole verifier log is kept");
	cr_assert(strstr(log, want_line), "and the explanation follows it");
	free(line);
	free(want_line);
	free(want);
	free(src);
	wl_object_close(obj);
	FD_CHECK_END();
}

__attribute__((noinline)) int wl_uprobe_target(int x);
__attribute__((noinline)) int wl_uprobe_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

Test(object_trace, attached_by_section_name_and_triggered)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("trace", NULL);
	*(int *)wl_object_global(obj, "target_tgid", NULL) = getpid();
	/* ksyscall programs are kprobes: tested on their own below */
	wl_program_set_autoload(obj_prog(obj, "ksys"), false);
	wl_program_set_autoload(obj_prog(obj, "kretsys"), false);
	load_ok(obj);
	char exe[4200];
	ssize_t el = readlink("/proc/self/exe", exe, sizeof(exe) - 100);
	cr_assert_gt(el, 0);
	exe[el] = 0;
	strcat(exe, ":wl_uprobe_target");
	attach_all(obj, exe);
	for (size_t i = 0; i < wl_object_program_count(obj); i++)
		cr_assert_eq(wl_program_link_count(wl_object_program(obj, i)),
			     wl_program_autoload(wl_object_program(obj, i)) ? 1 : 0);
	for (int i = 0; i < 5; i++)
		syscall(SYS_getppid);
	volatile int sum = 0;
	for (int i = 0; i < 3; i++)
		sum += wl_uprobe_target(i);
	uint64_t *counts = wl_object_global(obj, "counts", NULL);
	const char *what[] = { "tracepoint", "raw_tp", "tp_btf" };
	for (int i = 0; i < 3; i++)
		cr_assert_eq(counts[i], 5, "%s saw %llu getppid calls", what[i],
			     (unsigned long long)counts[i]);
	cr_assert_eq(counts[5], 3, "uprobe hits: %llu", (unsigned long long)counts[5]);
	/* detached: no more counting */
	for (size_t i = 0; i < wl_object_program_count(obj); i++)
		wl_program_detach(wl_object_program(obj, i));
	syscall(SYS_getppid);
	cr_assert_eq(counts[0], 5);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, ksyscall_and_kretsyscall)
{
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", W_OK))
		cr_skip_test("this kernel has no kprobes (no kprobe PMU, no kprobe_events): "
			     "ksyscall/kretsyscall cannot attach");
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("trace", NULL);
	*(int *)wl_object_global(obj, "target_tgid", NULL) = getpid();
	for (size_t i = 0; i < wl_object_program_count(obj); i++) {
		struct wl_program *p = wl_object_program(obj, i);
		wl_program_set_autoload(p, !strncmp(wl_program_name(p), "k", 1));
	}
	load_ok(obj);
	attach_all(obj, NULL);
	for (int i = 0; i < 5; i++)
		syscall(SYS_getppid);
	uint64_t *counts = wl_object_global(obj, "counts", NULL);
	cr_assert_eq(counts[3], 5);
	cr_assert_eq(counts[4], 5);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, fentry_and_fexit)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("fentry", NULL);
	*(int *)wl_object_global(obj, "target_tgid", NULL) = getpid();
	int r = wl_object_load(obj);
	if (r == -EPERM || r == -524 /* ENOTSUPP */ || r == -EOPNOTSUPP) {
		wl_object_close(obj);
		cr_skip_test("this kernel refuses fentry/fexit programs (%s): no BPF trampolines "
			     "(CONFIG_FUNCTION_TRACER off?)",
			     strerror(-r));
	}
	cr_assert_eq(r, 0, "%s", warned());
	attach_all(obj, NULL);
	for (int i = 0; i < 4; i++)
		syscall(SYS_getppid);
	uint64_t *counts = wl_object_global(obj, "counts", NULL);
	cr_assert_eq(counts[0], 4);
	cr_assert_eq(counts[1], 4);
	wl_object_close(obj);
	FD_CHECK_END();
}

Test(object_trace, attach_errors_name_the_program)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("net", NULL);
	load_ok(obj);
	warnings_reset();
	cr_assert_eq(wl_program_attach(obj_prog(obj, "xdp_count"), NULL), -EINVAL);
	cr_assert_str_eq(warned(), "prog 'xdp_count': section 'xdp' does not say where to attach: "
				   "give a network interface\n");
	warnings_reset();
	cr_assert_eq(wl_program_attach_to(obj_prog(obj, "xdp_count"), "wl_no_such_if0", NULL),
		     -ENODEV);
	cr_assert_str_eq(warned(), "prog 'xdp_count': no network interface 'wl_no_such_if0'\n");
	/* lo takes an XDP link; the object detaches it on close */
	struct wl_link *l;
	cr_assert_eq(wl_program_attach_to(obj_prog(obj, "xdp_count"), "lo", &l), 0, "%s", warned());
	cr_assert_str_eq(wl_link_kind(l), "bpf_link");
	wl_object_close(obj);
	FD_CHECK_END();
}

/* usdt.bpf.h programs on tests/data/probe_target.c: the arguments reach
 * the program through the specs the loader writes. */
Test(object_trace, usdt_arguments_through_specs)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("usdt", NULL);
	load_ok(obj);
	char *sdt = xasprintf("%s:whistler:tick", WL_PROBE_TARGET);
	char *hand = xasprintf("%s:wlhand:tick", WL_PROBE_TARGET);
	int r = wl_program_attach_to(obj_prog(obj, "hand_tick"), hand, NULL);
	cr_assert_eq(r, 0, "%s", warned());
	bool have_sdt = wl_program_attach_to(obj_prog(obj, "sdt_tick"), sdt, NULL) == 0;
	struct buf out = { 0 };
	FILE *p = popen(WL_PROBE_TARGET " 5", "r");
	char line[256];
	while (p && fgets(line, sizeof(line), p))
		buf_puts(&out, line);
	pclose(p);
	uint64_t *hits = wl_object_global(obj, "hits", NULL);
	uint64_t *sum_i = wl_object_global(obj, "sum_i", NULL);
	uint64_t *sum_s = wl_object_global(obj, "sum_s", NULL);
	/* i = 0..4, sum after each step = 1, 3, 6, 10, 15 */
	cr_assert_eq(hits[1], 5, "wlhand:tick hits (target printed %s)", buf_cstr(&out));
	cr_assert_eq(sum_i[1], 10);
	cr_assert_eq(sum_s[1], 35);
	if (have_sdt) {
		cr_assert_eq(hits[0], 5, "whistler:tick hits (target printed %s)", buf_cstr(&out));
		cr_assert_eq(sum_i[0], 10);
		cr_assert_eq(sum_s[0], 35);
	}
	buf_free(&out);
	free(sdt);
	free(hand);
	wl_object_close(obj);
	FD_CHECK_END();
	if (!have_sdt)
		cr_skip_test("the probe target was built without <sys/sdt.h>: only the "
			     "hand-written note was tested");
}

Test(object_trace, cgroup_programs_on_the_cgroup2_root)
{
	FD_CHECK_BEGIN();
	struct wl_object *obj = open_obj("cgroup", NULL);
	*(int *)wl_object_global(obj, "target_tgid", NULL) = getpid();
	load_ok(obj);
	attach_all(obj, NULL);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	a.sin_addr.s_addr = htonl(0x7f000001);
	cr_assert_eq(sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	close(fd);
	cr_assert_eq(*(uint64_t *)wl_object_global(obj, "socks", NULL), 1);
	cr_assert_geq(*(uint64_t *)wl_object_global(obj, "packets", NULL), 1);
	wl_object_close(obj);
	FD_CHECK_END();
}
