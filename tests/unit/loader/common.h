/* Shared by the loader's kernel tests: hand-assembled BPF instructions, fd
 * counting (every test ends with as many fds as it started with), shell
 * helpers for netns/veth/cgroup setup, and a log capture. */
#ifndef WL_TEST_COMMON_H
#define WL_TEST_COMMON_H

#include "whistler/loader.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define I_RAW(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define I_MOV64_IMM(d, i) I_RAW(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define I_MOV64_REG(d, s) I_RAW(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define I_ALU64_IMM(op, d, i) I_RAW(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define I_ALU64_REG(op, d, s) I_RAW(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define I_LDX(sz, d, s, o) I_RAW(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define I_STX(sz, d, s, o) I_RAW(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define I_ST(sz, d, o, i) I_RAW(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define I_ATOMIC_ADD(sz, d, s, o) I_RAW(BPF_STX | BPF_ATOMIC | (sz), d, s, o, BPF_ADD)
#define I_LD_MAP(d, fd) \
	I_RAW(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), I_RAW(0, 0, 0, 0, 0)
#define I_LD_IMM64(d, v)                                                   \
	I_RAW(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int32_t)(uint32_t)(v)), \
		I_RAW(0, 0, 0, 0, (int32_t)((uint64_t)(v) >> 32))
#define I_CALL(h) I_RAW(BPF_JMP | BPF_CALL, 0, 0, 0, h)
#define I_JMP_IMM(op, d, i, o) I_RAW(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define I_JMP_REG(op, d, s, o) I_RAW(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define I_JA(o) I_RAW(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define I_EXIT() I_RAW(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* r0 = &map[key 0] (u32 key on the stack); on a miss jump to the exit. Then
 * atomically add 1 to the u64 there: the counting body of most tests. */
#define I_COUNT_SLOT0(map_fd)                                                          \
	I_ST(BPF_W, BPF_REG_10, -4, 0), I_MOV64_REG(BPF_REG_2, BPF_REG_10),            \
		I_ALU64_IMM(BPF_ADD, BPF_REG_2, -4), I_LD_MAP(BPF_REG_1, map_fd),      \
		I_CALL(BPF_FUNC_map_lookup_elem), I_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2), \
		I_MOV64_IMM(BPF_REG_1, 1), I_ATOMIC_ADD(BPF_DW, BPF_REG_0, BPF_REG_1, 0)

static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Log capture: the last warning text, for asserting on messages. */
static char last_warn[8192];
static inline void capture_log(enum wl_log_level level, const char *msg)
{
	if (level == WL_LOG_WARN) {
		snprintf(last_warn, sizeof(last_warn), "%s", msg);
		fprintf(stderr, "[log] %s\n", msg);
	}
}

static inline int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

/* An array map of `n` u64 counters. */
static inline struct wl_map *counter_map(const char *name, uint32_t n)
{
	struct wl_map_opts o = { .name = name,
				 .type = BPF_MAP_TYPE_ARRAY,
				 .key_size = 4,
				 .value_size = 8,
				 .max_entries = n };
	struct wl_map *m = NULL;
	cr_assert_eq(wl_map_create(&o, &m), 0, "counter map");
	return m;
}

static inline uint64_t counter_get(struct wl_map *m, uint32_t key)
{
	uint64_t v = 0;
	cr_assert_eq(wl_map_lookup(m, &key, &v, 0), 0);
	return v;
}

static inline struct wl_prog *load_prog(const char *name, uint32_t type, uint32_t attach,
					const struct bpf_insn *insns, size_t n)
{
	struct wl_prog_opts o = { .name = name,
				  .type = type,
				  .expected_attach_type = attach,
				  .insns = insns,
				  .insn_cnt = n };
	struct wl_prog *p = NULL;
	int r = wl_prog_load(&o, &p);
	cr_assert_eq(r, 0, "prog '%s' load: %s", name, strerror(-r));
	return p;
}

#define FD_CHECK_BEGIN() int fds_before_ = count_fds()
#define FD_CHECK_END()                                                                      \
	cr_assert_eq(count_fds(), fds_before_, "fd leak: %d before, %d after", fds_before_, \
		     count_fds())

#endif
