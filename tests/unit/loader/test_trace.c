/* Tracing attachments in the real kernel: a tracepoint counting the
 * execve()s of processes this test starts, raw and BTF tracepoints, uprobes
 * and uretprobes on a test binary (with a PID filter), USDT probes with
 * semaphores, perf-event sampling, a task iterator; fentry/fexit/LSM/kprobe
 * are attempted and skipped loudly where this kernel refuses them. */
#include "common.h"

#include <asm/ptrace.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <signal.h>
#include <sys/wait.h>

/* A child that waits until released, then execs argv.  The parent learns
 * the pid first, so it can register it before anything happens. */
struct child {
	pid_t pid;
	int go, out; /* write 1 byte to go; read the child's stdout from out */
};

static struct child spawn_held(char *const argv[])
{
	int go[2], out[2];
	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(pipe(out), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char c;
		close(go[1]);
		close(out[0]);
		dup2(out[1], 1);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(go[0]);
	close(out[1]);
	return (struct child){ pid, go[1], out[0] };
}

/* Releases the child, collects its output, waits for its exit. */
static void release(struct child *c, char *buf, size_t n)
{
	cr_assert_eq(write(c->go, "x", 1), 1);
	close(c->go);
	size_t got = 0;
	ssize_t r;
	while (got + 1 < n && (r = read(c->out, buf + got, n - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
	close(c->out);
	int st;
	cr_assert_eq(waitpid(c->pid, &st, 0), c->pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exit status %d", st);
}

static struct wl_map *pid_set(void)
{
	struct wl_map_opts o = { .name = "pids",
				 .type = BPF_MAP_TYPE_HASH,
				 .key_size = 4,
				 .value_size = 4,
				 .max_entries = 64 };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	return m;
}

static void pid_add(struct wl_map *m, pid_t pid)
{
	uint32_t k = (uint32_t)pid, v = 1;
	cr_assert_eq(wl_map_update(m, &k, &v, 0), 0);
}

/* if pids[r6-key] is absent goto the exit; else count into cnt slot 0.
 * Expects the u32 key at r10-8. */
#define I_IF_PID_IN(set_fd, skip)                                                \
	I_MOV64_REG(BPF_REG_2, BPF_REG_10), I_ALU64_IMM(BPF_ADD, BPF_REG_2, -8), \
		I_LD_MAP(BPF_REG_1, set_fd), I_CALL(BPF_FUNC_map_lookup_elem),   \
		I_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, skip)

Test(trace, tracepoint_counts_execve_of_our_children)
{
	FD_CHECK_BEGIN();
	struct wl_map *set = pid_set(), *cnt = counter_map("execs", 1);
	struct bpf_insn insns[] = {
		I_CALL(BPF_FUNC_get_current_pid_tgid),
		I_ALU64_IMM(BPF_RSH, BPF_REG_0, 32),
		I_STX(BPF_W, BPF_REG_10, BPF_REG_0, -8),
		I_IF_PID_IN(wl_map_fd(set), 9),
		I_COUNT_SLOT0(wl_map_fd(cnt)),
		I_MOV64_IMM(BPF_REG_0, 0),
		I_EXIT(),
	};
	struct wl_prog *p =
		load_prog("execve_count", BPF_PROG_TYPE_TRACEPOINT, 0, insns, ARRAY_LEN(insns));
	struct wl_link *l;
	int r = wl_attach_tracepoint(p, "syscalls", "sys_enter_execve", &l);
	cr_assert_eq(r, 0, "attach: %s", strerror(-r));
	cr_log_info("tracepoint link kind: %s", wl_link_kind(l));
	char *argv[] = { "/bin/true", NULL };
	char out[64];
	for (int i = 0; i < 3; i++) {
		struct child c = spawn_held(argv);
		pid_add(set, c.pid);
		release(&c, out, sizeof(out));
	}
	/* an unregistered child is not counted */
	struct child c = spawn_held(argv);
	release(&c, out, sizeof(out));
	cr_assert_eq(counter_get(cnt, 0), 3);
	wl_link_destroy(l);
	/* detached: no more counting */
	c = spawn_held(argv);
	pid_add(set, c.pid);
	release(&c, out, sizeof(out));
	cr_assert_eq(counter_get(cnt, 0), 3);
	wl_set_log(capture_log);
	cr_assert_lt(wl_attach_tracepoint(p, "syscalls", "no_such_tp", &l), 0);
	cr_assert(strstr(last_warn, "prog 'execve_count': tracepoint 'syscalls/no_such_tp'"), "%s",
		  last_warn);
	wl_set_log(NULL);
	wl_prog_destroy(p);
	wl_map_destroy(set);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

Test(trace, tracepoint_by_perf_ioctl)
{
	FD_CHECK_BEGIN();
	struct wl_map *set = pid_set(), *cnt = counter_map("execs", 1);
	struct bpf_insn insns[] = {
		I_CALL(BPF_FUNC_get_current_pid_tgid),
		I_ALU64_IMM(BPF_RSH, BPF_REG_0, 32),
		I_STX(BPF_W, BPF_REG_10, BPF_REG_0, -8),
		I_IF_PID_IN(wl_map_fd(set), 9),
		I_COUNT_SLOT0(wl_map_fd(cnt)),
		I_MOV64_IMM(BPF_REG_0, 0),
		I_EXIT(),
	};
	struct wl_prog *p =
		load_prog("execve_ioctl", BPF_PROG_TYPE_TRACEPOINT, 0, insns, ARRAY_LEN(insns));
	/* the test opens the event itself, as a caller with its own perf fd would */
	int idfd = open("/sys/kernel/tracing/events/syscalls/sys_enter_execve/id", O_RDONLY);
	if (idfd < 0)
		cr_skip_test("tracefs not mounted at /sys/kernel/tracing");
	char idb[32] = { 0 };
	cr_assert_gt(read(idfd, idb, sizeof(idb) - 1), 0);
	close(idfd);
	struct perf_event_attr a = { .type = PERF_TYPE_TRACEPOINT,
				     .size = sizeof(a),
				     .config = strtoull(idb, NULL, 10),
				     .sample_period = 1 };
	int pfd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	cr_assert_geq(pfd, 0);
	struct wl_link *l;
	cr_assert_eq(wl_attach_perf_fd_ioctl(p, pfd, &l), 0);
	cr_assert_str_eq(wl_link_kind(l), "perf_event");
	cr_assert_eq(wl_link_fd(l), pfd, "no bpf_link: the perf fd is the handle");
	char *argv[] = { "/bin/true", NULL };
	char out[64];
	for (int i = 0; i < 2; i++) {
		struct child c = spawn_held(argv);
		pid_add(set, c.pid);
		release(&c, out, sizeof(out));
	}
	cr_assert_eq(counter_get(cnt, 0), 2);
	wl_link_destroy(l);
	wl_prog_destroy(p);
	wl_map_destroy(set);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

/* sched_process_exec(task, old_pid, bprm): args[1] is the pid that exec'd. */
static struct bpf_insn *exec_by_old_pid(int set_fd, int cnt_fd, size_t *n)
{
	static struct bpf_insn insns[32];
	struct bpf_insn body[] = {
		I_LDX(BPF_DW, BPF_REG_2, BPF_REG_1, 8),
		I_STX(BPF_W, BPF_REG_10, BPF_REG_2, -8),
		I_IF_PID_IN(set_fd, 9),
		I_COUNT_SLOT0(cnt_fd),
		I_MOV64_IMM(BPF_REG_0, 0),
		I_EXIT(),
	};
	memcpy(insns, body, sizeof(body));
	*n = ARRAY_LEN(body);
	return insns;
}

static void run_registered_children(struct wl_map *set, int n)
{
	char *argv[] = { "/bin/true", NULL };
	char out[64];
	for (int i = 0; i < n; i++) {
		struct child c = spawn_held(argv);
		pid_add(set, c.pid);
		release(&c, out, sizeof(out));
	}
}

Test(trace, raw_tracepoint_sched_process_exec)
{
	FD_CHECK_BEGIN();
	struct wl_map *set = pid_set(), *cnt = counter_map("raw_execs", 1);
	size_t n;
	struct bpf_insn *insns = exec_by_old_pid(wl_map_fd(set), wl_map_fd(cnt), &n);
	struct wl_prog *p = load_prog("raw_exec", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, insns, n);
	struct wl_link *l;
	cr_assert_eq(wl_attach_raw_tracepoint(p, "sched_process_exec", &l), 0);
	cr_assert_str_eq(wl_link_kind(l), "bpf_link");
	run_registered_children(set, 4);
	cr_assert_eq(counter_get(cnt, 0), 4);
	wl_link_destroy(l);
	wl_prog_destroy(p);
	wl_map_destroy(set);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

/* Loads a TRACING/LSM program against a vmlinux BTF id; skips loudly when
 * the kernel refuses (this one answers EPERM for fentry/fexit/lsm). */
static struct wl_prog *load_btf_prog(const char *name, uint32_t type, uint32_t attach,
				     const char *target, uint32_t kind, struct bpf_insn *insns,
				     size_t n)
{
	int id = wl_vmlinux_btf_find(target, kind);
	if (id < 0)
		cr_skip_test("%s: vmlinux BTF has no '%s': %s", name, target, strerror(-id));
	struct wl_prog_opts o = { .name = name,
				  .type = type,
				  .expected_attach_type = attach,
				  .insns = insns,
				  .insn_cnt = n,
				  .attach_btf_id = (uint32_t)id };
	struct wl_prog *p;
	char *log = NULL;
	o.log = &log;
	int r = wl_prog_load(&o, &p);
	if (r == -EPERM || r == -EOPNOTSUPP || r == -524) {
		fprintf(stderr,
			"SKIP %s: the kernel refuses %s programs (%s on '%s' [btf id %d]): "
			"errno %d (%s)\n",
			name, wl_attach_type_name(attach), wl_prog_type_name(type), target, id, -r,
			strerror(-r));
		free(log);
		cr_skip_test("%s: kernel refuses %s load: errno %d (%s)", name,
			     wl_attach_type_name(attach), -r, strerror(-r));
	}
	cr_assert_eq(r, 0, "%s: load: %s\n%s", name, strerror(-r), log ? log : "");
	free(log);
	return p;
}

Test(trace, tp_btf_sched_process_exec)
{
	FD_CHECK_BEGIN();
	struct wl_map *set = pid_set(), *cnt = counter_map("btf_execs", 1);
	size_t n;
	struct bpf_insn *insns = exec_by_old_pid(wl_map_fd(set), wl_map_fd(cnt), &n);
	struct wl_prog *p =
		load_btf_prog("tp_btf_exec", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP,
			      "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF, insns, n);
	struct wl_link *l;
	cr_assert_eq(wl_attach_tracing(p, 0, &l), 0);
	run_registered_children(set, 2);
	cr_assert_eq(counter_get(cnt, 0), 2);
	wl_link_destroy(l);
	wl_prog_destroy(p);
	wl_map_destroy(set);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

static struct bpf_insn ret0[] = { I_MOV64_IMM(BPF_REG_0, 0), I_EXIT() };

Test(trace, fentry_attempt)
{
	struct wl_prog *p = load_btf_prog("fentry_openat", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
					  "do_sys_openat2", BTF_KIND_FUNC, ret0, 2);
	struct wl_link *l;
	cr_assert_eq(wl_attach_tracing(p, 0, &l), 0);
	wl_link_destroy(l);
	wl_prog_destroy(p);
}

Test(trace, fexit_attempt)
{
	struct wl_prog *p = load_btf_prog("fexit_openat", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT,
					  "do_sys_openat2", BTF_KIND_FUNC, ret0, 2);
	struct wl_link *l;
	cr_assert_eq(wl_attach_tracing(p, 0, &l), 0);
	wl_link_destroy(l);
	wl_prog_destroy(p);
}

Test(trace, fmod_ret_attempt)
{
	struct wl_prog *p = load_btf_prog("fmod_ret", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN,
					  "bpf_modify_return_test", BTF_KIND_FUNC, ret0, 2);
	struct wl_link *l;
	cr_assert_eq(wl_attach_tracing(p, 0, &l), 0);
	wl_link_destroy(l);
	wl_prog_destroy(p);
}

Test(trace, lsm_attempt)
{
	struct wl_prog *p = load_btf_prog("lsm_file_open", BPF_PROG_TYPE_LSM, BPF_LSM_MAC,
					  "bpf_lsm_file_open", BTF_KIND_FUNC, ret0, 2);
	struct wl_link *l;
	cr_assert_eq(wl_attach_tracing(p, 0, &l), 0);
	wl_link_destroy(l);
	wl_prog_destroy(p);
}

Test(trace, kprobe_attempt)
{
	FD_CHECK_BEGIN();
	struct wl_prog *p = load_prog("kp", BPF_PROG_TYPE_KPROBE, 0, ret0, 2);
	struct wl_link *l;
	wl_set_log(capture_log);
	int r = wl_attach_kprobe(p, "do_sys_openat2", 0, false, &l);
	wl_set_log(NULL);
	if (r < 0) {
		wl_prog_destroy(p);
		FD_CHECK_END();
		fprintf(stderr, "SKIP kprobe: %s (errno %d)\n", last_warn, -r);
		cr_skip_test("kprobe attach refused by this kernel: errno %d (%s): %s", -r,
			     strerror(-r), last_warn);
	}
	struct wl_link *rl;
	cr_assert_eq(wl_attach_kprobe(p, "do_sys_openat2", 0, true, &rl), 0);
	wl_link_destroy(rl);
	wl_link_destroy(l);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

/* uprobe programs are kprobe-type: ctx is struct pt_regs. */
Test(trace, uprobe_and_uretprobe_on_test_binary)
{
	FD_CHECK_BEGIN();
	struct wl_map *cnt = counter_map("u_hits", 2);
	struct bpf_insn entry[] = { I_COUNT_SLOT0(wl_map_fd(cnt)), I_MOV64_IMM(BPF_REG_0, 0),
				    I_EXIT() };
	/* slot 1 += regs->rax (the return value) */
	struct bpf_insn ret[] = {
		I_LDX(BPF_DW, BPF_REG_6, BPF_REG_1, offsetof(struct pt_regs, rax)),
		I_ST(BPF_W, BPF_REG_10, -4, 1),
		I_MOV64_REG(BPF_REG_2, BPF_REG_10),
		I_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		I_LD_MAP(BPF_REG_1, wl_map_fd(cnt)),
		I_CALL(BPF_FUNC_map_lookup_elem),
		I_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1),
		I_ATOMIC_ADD(BPF_DW, BPF_REG_0, BPF_REG_6, 0),
		I_MOV64_IMM(BPF_REG_0, 0),
		I_EXIT(),
	};
	struct wl_prog *pe = load_prog("u_entry", BPF_PROG_TYPE_KPROBE, 0, entry, ARRAY_LEN(entry));
	struct wl_prog *pr = load_prog("u_ret", BPF_PROG_TYPE_KPROBE, 0, ret, ARRAY_LEN(ret));
	struct wl_link *le, *lr;
	int r = wl_attach_uprobe(pe, WL_PROBE_TARGET, "wl_target_add", 0, NULL, &le);
	cr_assert_eq(r, 0, "uprobe: %s", strerror(-r));
	struct wl_uprobe_opts ro = { .retprobe = true };
	cr_assert_eq(wl_attach_uprobe(pr, WL_PROBE_TARGET, "wl_target_add", 0, &ro, &lr), 0);
	char *argv[] = { WL_PROBE_TARGET, "7", NULL };
	char out[128];
	struct child c = spawn_held(argv);
	release(&c, out, sizeof(out));
	cr_assert(strstr(out, "sum=28"), "%s", out);
	cr_assert_eq(counter_get(cnt, 0), 7, "entry hits");
	cr_assert_eq(counter_get(cnt, 1), 28, "sum of return values 1..7");
	wl_link_destroy(le);
	wl_link_destroy(lr);
	/* by raw file offset, with a PID filter: only the chosen child counts */
	uint64_t off;
	cr_assert_eq(wl_elf_symbol_offset(WL_PROBE_TARGET, "wl_target_add", &off), 0);
	uint64_t off2;
	cr_assert_eq(wl_elf_symbol_offset(WL_PROBE_TARGET, "wl_target_add+0", &off2), 0);
	cr_assert_eq(off, off2);
	struct child a = spawn_held(argv), b = spawn_held(argv);
	struct wl_uprobe_opts po = { .pid = a.pid };
	cr_assert_eq(wl_attach_uprobe(pe, WL_PROBE_TARGET, NULL, off, &po, &le), 0);
	release(&a, out, sizeof(out));
	release(&b, out, sizeof(out));
	cr_assert_eq(counter_get(cnt, 0), 7 + 7, "only the filtered pid was counted");
	wl_link_destroy(le);

	/* the tracefs uprobe_events route, entry and return, removed on destroy */
	struct wl_uprobe_opts lo = { .legacy = true }, lro = { .legacy = true, .retprobe = true };
	r = wl_attach_uprobe(pe, WL_PROBE_TARGET, "wl_target_add", 0, &lo, &le);
	if (r == -ENOENT) {
		fprintf(stderr, "SKIP legacy uprobes: no uprobe_events in tracefs\n");
	} else {
		cr_assert_eq(r, 0, "legacy uprobe: %s", strerror(-r));
		cr_assert_eq(wl_attach_uprobe(pr, WL_PROBE_TARGET, "wl_target_add", 0, &lro, &lr),
			     0);
		cr_assert_eq(sh("grep -q whistler_%d /sys/kernel/tracing/uprobe_events", getpid()),
			     0, "our probe events are listed");
		c = spawn_held(argv);
		release(&c, out, sizeof(out));
		cr_assert_eq(counter_get(cnt, 0), 14 + 7);
		cr_assert_eq(counter_get(cnt, 1), 28 + 28);
		wl_link_destroy(le);
		wl_link_destroy(lr);
		cr_assert_neq(sh("grep -q whistler_%d /sys/kernel/tracing/uprobe_events", getpid()),
			      0, "probe events removed on destroy");
	}
	cr_assert_eq(wl_elf_symbol_offset(WL_PROBE_TARGET, "no_such_symbol", &off), -ENOENT);
	wl_set_log(capture_log);
	cr_assert_eq(wl_attach_uprobe(pe, WL_PROBE_TARGET, "no_such_symbol", 0, NULL, &le),
		     -ENOENT);
	cr_assert(strstr(last_warn, "prog 'u_entry': uprobe: symbol 'no_such_symbol'"), "%s",
		  last_warn);
	wl_set_log(NULL);
	wl_prog_destroy(pe);
	wl_prog_destroy(pr);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

static void usdt_case(const char *provider, const char *key, bool needs)
{
	struct wl_usdt_note *notes;
	size_t n;
	cr_assert_eq(wl_usdt_notes_read(WL_PROBE_TARGET, &notes, &n), 0);
	struct wl_usdt_note *note = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(notes[i].provider, provider) && !strcmp(notes[i].name, "tick"))
			note = &notes[i];
	if (!note) {
		wl_usdt_notes_free(notes, n);
		if (needs)
			cr_assert_fail("no %s:tick note", provider);
		cr_skip_test("the test binary was built without <sys/sdt.h> "
			     "(apt-get install systemtap-sdt-dev)");
	}
	cr_log_info("%s:tick pc 0x%llx args '%s' sema offset 0x%llx", provider,
		    (unsigned long long)note->pc, note->args,
		    (unsigned long long)note->sema_offset);
	cr_assert_gt(note->sema_offset, 0, "semaphore recorded");
	cr_assert_eq(note->nargs, 2, "args '%s' parse", note->args);
	cr_assert_eq(note->arg[0].size, -4);
	cr_assert(note->arg[0].kind == WL_USDT_ARG_REG ||
		  note->arg[0].kind == WL_USDT_ARG_REG_DEREF);
	wl_usdt_notes_free(notes, n);

	struct wl_map *cnt = counter_map("usdt_hits", 1);
	struct bpf_insn insns[] = { I_COUNT_SLOT0(wl_map_fd(cnt)), I_MOV64_IMM(BPF_REG_0, 0),
				    I_EXIT() };
	struct wl_prog *p =
		load_prog("usdt_tick", BPF_PROG_TYPE_KPROBE, 0, insns, ARRAY_LEN(insns));
	char *argv[] = { WL_PROBE_TARGET, "5", NULL };
	char out[128];
	/* no tracer: the semaphore is 0, the probe body is skipped */
	struct child c = spawn_held(argv);
	release(&c, out, sizeof(out));
	cr_assert(strstr(out, "hand=0"), "%s", out);
	struct wl_link *l;
	int r = wl_attach_usdt(p, WL_PROBE_TARGET, provider, "tick", 0, &l);
	cr_assert_eq(r, 0, "usdt attach: %s", strerror(-r));
	c = spawn_held(argv);
	release(&c, out, sizeof(out));
	cr_assert(strstr(out, key), "semaphore raised by the kernel: %s", out);
	cr_assert_eq(counter_get(cnt, 0), 5);
	wl_link_destroy(l);
	cr_assert_eq(wl_attach_usdt(p, WL_PROBE_TARGET, provider, "nope", 0, &l), -ENOENT);
	wl_prog_destroy(p);
	wl_map_destroy(cnt);
}

Test(trace, usdt_hand_written_note_with_semaphore)
{
	FD_CHECK_BEGIN();
	wl_set_log(NULL);
	usdt_case("wlhand", "hand=5", true);
	FD_CHECK_END();
}

Test(trace, usdt_sys_sdt_note_with_semaphore)
{
	FD_CHECK_BEGIN();
	wl_set_log(NULL);
	usdt_case("whistler", "fired=5", false);
	FD_CHECK_END();
}

Test(trace, usdt_arg_specs)
{
	struct wl_usdt_arg a[4];
	cr_assert_eq(wl_usdt_parse_args("-4@%edi 8@-16(%rbp) 4@$5 -8@(%rax)", a, 4), 4);
	cr_assert_eq(a[0].kind, WL_USDT_ARG_REG);
	cr_assert_str_eq(a[0].reg, "edi");
	cr_assert_eq(a[0].size, -4);
	cr_assert_eq(a[1].kind, WL_USDT_ARG_REG_DEREF);
	cr_assert_str_eq(a[1].reg, "rbp");
	cr_assert_eq(a[1].value, -16);
	cr_assert_eq(a[2].kind, WL_USDT_ARG_CONST);
	cr_assert_eq(a[2].value, 5);
	cr_assert_eq(a[3].kind, WL_USDT_ARG_REG_DEREF);
	cr_assert_eq(a[3].value, 0);
	cr_assert_eq(wl_usdt_parse_args("", a, 4), 0);
	cr_assert_eq(wl_usdt_parse_args("4@%eax 4@%ebx", a, 1), -E2BIG);
	cr_assert_eq(wl_usdt_parse_args("4%eax", a, 4), -EINVAL);
	cr_assert_eq(wl_usdt_parse_args("16@%eax", a, 4), -EINVAL);
	cr_assert_eq(wl_usdt_parse_args("4@8(%rax,%rbx,2)", a, 4), -EINVAL);
	cr_assert_eq(wl_usdt_parse_args("4@(%)", a, 4), -EINVAL);
}

Test(trace, perf_event_sampling)
{
	FD_CHECK_BEGIN();
	struct wl_map *cnt = counter_map("samples", 1);
	struct bpf_insn insns[] = { I_COUNT_SLOT0(wl_map_fd(cnt)), I_MOV64_IMM(BPF_REG_0, 0),
				    I_EXIT() };
	struct wl_prog *p =
		load_prog("sample", BPF_PROG_TYPE_PERF_EVENT, 0, insns, ARRAY_LEN(insns));
	struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE,
				     .config = PERF_COUNT_SW_TASK_CLOCK,
				     .sample_period = 100000 /* ns of our CPU time */ };
	struct wl_link *l;
	int r = wl_attach_perf_event(p, &a, 0, -1, &l);
	cr_assert_eq(r, 0, "perf attach: %s", strerror(-r));
	/* burn CPU until 20 samples arrived (about 2 ms); bounded by work, not time */
	volatile uint64_t x = 0;
	for (long i = 0; i < 4000000000L && counter_get(cnt, 0) < 20; i++)
		for (int j = 0; j < 10000; j++)
			x += (uint64_t)j;
	cr_assert_geq(counter_get(cnt, 0), 20);
	wl_link_destroy(l);
	uint64_t after = counter_get(cnt, 0);
	for (int j = 0; j < 10000000; j++)
		x += (uint64_t)j;
	cr_assert_eq(counter_get(cnt, 0), after, "detached: no more samples");
	wl_prog_destroy(p);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

Test(trace, task_iterator_output)
{
	FD_CHECK_BEGIN();
	/* ctx: struct bpf_iter__task { meta, task }; write "T" per task */
	struct bpf_insn insns[] = {
		I_LDX(BPF_DW, BPF_REG_2, BPF_REG_1, 8),
		I_JMP_IMM(BPF_JEQ, BPF_REG_2, 0, 6),
		I_LDX(BPF_DW, BPF_REG_1, BPF_REG_1, 0),
		I_LDX(BPF_DW, BPF_REG_1, BPF_REG_1, 0),
		I_ST(BPF_DW, BPF_REG_10, -8, 'T'),
		I_MOV64_REG(BPF_REG_2, BPF_REG_10),
		I_ALU64_IMM(BPF_ADD, BPF_REG_2, -8),
		I_MOV64_IMM(BPF_REG_3, 1),
		I_CALL(BPF_FUNC_seq_write),
		I_MOV64_IMM(BPF_REG_0, 0),
		I_EXIT(),
	};
	/* the call at index 8 follows the jump target arithmetic: fix the skip */
	insns[1].off = 7;
	struct wl_prog *p = load_btf_prog("iter_task", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER,
					  "bpf_iter_task", BTF_KIND_FUNC, insns, ARRAY_LEN(insns));
	struct wl_link *l;
	cr_assert_eq(wl_attach_iter(p, 0, &l), 0);
	int fd = wl_iter_create(l);
	cr_assert_gt(fd, 2);
	char buf[65536];
	size_t got = 0;
	ssize_t r;
	while ((r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	cr_assert_eq(r, 0);
	close(fd);
	cr_assert_gt(got, 1, "more than one task");
	for (size_t i = 0; i < got; i++)
		cr_assert_eq(buf[i], 'T');
	/* at least as many tasks as /proc has processes */
	wl_link_destroy(l);
	wl_prog_destroy(p);
	FD_CHECK_END();
}

Test(trace, readers_refuse_bad_input)
{
	FD_CHECK_BEGIN();
	uint64_t off;
	struct wl_usdt_note *notes;
	size_t n;
	char path[] = "/tmp/wl_not_elf_XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "\177ELF garbage that is not an ELF file", 36), 36);
	close(fd);
	cr_assert_eq(wl_elf_symbol_offset(path, "main", &off), -ENOEXEC);
	cr_assert_eq(wl_usdt_notes_read(path, &notes, &n), -ENOEXEC);
	unlink(path);
	cr_assert_eq(wl_elf_symbol_offset("/nonexistent/wl", "main", &off), -ENOENT);
	cr_assert_eq(wl_elf_symbol_offset(WL_PROBE_TARGET, "+3", &off), -EINVAL);
	cr_assert_eq(wl_elf_symbol_offset(WL_PROBE_TARGET, "main+zz", &off), -EINVAL);
	cr_assert_eq(wl_usdt_notes_read("/bin/true", &notes, &n), 0);
	cr_assert_eq(n, 0, "no probes in /bin/true");
	wl_usdt_notes_free(notes, n);
	FD_CHECK_END();
}
