/* Event consumers in the real kernel: a ring buffer and a perf buffer each
 * receive at least 10000 records from a program run by BPF_PROG_TEST_RUN,
 * in order, none lost, through many wrap-arounds of small rings; the ring
 * buffer skips discarded records, the perf buffer reports lost ones. */
#include "common.h"

#include <sched.h>

#define I_ATOMIC_FETCH_ADD(sz, d, s, o) \
	I_RAW(BPF_STX | BPF_ATOMIC | (sz), d, s, o, BPF_ADD | BPF_FETCH)

/* r7 = seq++ from counter slot 0 (jumps to the exit when the lookup fails) */
#define I_NEXT_SEQ(cnt_fd, skip)                                                          \
	I_ST(BPF_W, BPF_REG_10, -4, 0), I_MOV64_REG(BPF_REG_2, BPF_REG_10),               \
		I_ALU64_IMM(BPF_ADD, BPF_REG_2, -4), I_LD_MAP(BPF_REG_1, cnt_fd),         \
		I_CALL(BPF_FUNC_map_lookup_elem), I_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, skip), \
		I_MOV64_IMM(BPF_REG_7, 1), I_ATOMIC_FETCH_ADD(BPF_DW, BPF_REG_0, BPF_REG_7, 0)

static uint8_t pkt[64];

static void run_n(struct wl_prog *p, uint32_t n)
{
	struct wl_test_run t = { .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = n };
	cr_assert_eq(wl_prog_test_run(p, &t), 0);
	cr_assert_eq(t.retval, XDP_PASS);
}

static void pin_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

struct rb_state {
	uint64_t next, delivered, bad;
};

static int rb_record(void *ctx, const void *data, size_t size)
{
	struct rb_state *s = ctx;
	const uint64_t *v = data;
	if (size != 16) {
		s->bad++;
		return 0;
	}
	while (s->next % 7 == 6) /* the program discards these */
		s->next++;
	if (v[0] != s->next || v[1] != v[0] * 3)
		s->bad++;
	s->next = v[0] + 1;
	s->delivered++;
	return 0;
}

Test(bufs, ringbuf_10000_in_order_with_discards_and_wraparound)
{
	FD_CHECK_BEGIN();
	pin_cpu0();
	struct wl_map *cnt = counter_map("seq", 1);
	struct wl_map_opts ro = { .name = "rb",
				  .type = BPF_MAP_TYPE_RINGBUF,
				  .max_entries = 4 * 4096 };
	struct wl_map *rbm;
	cr_assert_eq(wl_map_create(&ro, &rbm), 0);
	struct bpf_insn insns[] = {
		I_NEXT_SEQ(wl_map_fd(cnt), 19),
		I_LD_MAP(BPF_REG_1, wl_map_fd(rbm)),
		I_MOV64_IMM(BPF_REG_2, 16),
		I_MOV64_IMM(BPF_REG_3, 0),
		I_CALL(BPF_FUNC_ringbuf_reserve),
		I_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 13),
		I_STX(BPF_DW, BPF_REG_0, BPF_REG_7, 0),
		I_MOV64_REG(BPF_REG_8, BPF_REG_7),
		I_ALU64_IMM(BPF_MUL, BPF_REG_8, 3),
		I_STX(BPF_DW, BPF_REG_0, BPF_REG_8, 8),
		I_MOV64_REG(BPF_REG_8, BPF_REG_7),
		I_ALU64_IMM(BPF_MOD, BPF_REG_8, 7),
		I_MOV64_REG(BPF_REG_1, BPF_REG_0),
		I_MOV64_IMM(BPF_REG_2, 0),
		I_JMP_IMM(BPF_JEQ, BPF_REG_8, 6, 2),
		I_CALL(BPF_FUNC_ringbuf_submit),
		I_JA(1),
		I_CALL(BPF_FUNC_ringbuf_discard),
		I_MOV64_IMM(BPF_REG_0, XDP_PASS),
		I_EXIT(),
	};
	/* the lookup-miss jump lands on the final r0 = XDP_PASS */
	insns[6].off = (int16_t)(ARRAY_LEN(insns) - 2 - 7);
	insns[14].off = (int16_t)(ARRAY_LEN(insns) - 2 - 15);
	struct wl_prog *p = load_prog("rb_out", BPF_PROG_TYPE_XDP, 0, insns, ARRAY_LEN(insns));
	struct rb_state st = { 0 };
	struct wl_ringbuf *rb;
	cr_assert_eq(wl_ringbuf_new(rbm, rb_record, &st, &rb), 0);
	cr_assert_gt(wl_ringbuf_epoll_fd(rb), 2);
	uint64_t runs = 0;
	/* 500 runs write 8000 bytes into a 16 KiB ring: it wraps every other round */
	while (st.delivered < 10000) {
		run_n(p, 500);
		runs += 500;
		int n = wl_ringbuf_poll(rb, 0);
		cr_assert_geq(n, 0);
		n = wl_ringbuf_consume(rb);
		cr_assert_geq(n, 0);
		cr_assert_lt(runs, 20000);
	}
	cr_assert_eq(st.bad, 0, "records out of order or corrupt");
	cr_assert_eq(counter_get(cnt, 0), runs);
	uint64_t expect = runs - runs / 7; /* seq % 7 == 6 discarded */
	cr_assert_eq(st.delivered, expect, "delivered %llu of %llu",
		     (unsigned long long)st.delivered, (unsigned long long)expect);
	cr_assert_geq(st.delivered, 10000);
	cr_assert_eq(wl_ringbuf_consume(rb), 0, "nothing left");
	wl_ringbuf_free(rb);
	/* wrong map kind: precise error */
	wl_set_log(capture_log);
	cr_assert_eq(wl_ringbuf_new(cnt, rb_record, &st, &rb), -EINVAL);
	cr_assert(strstr(last_warn, "map 'seq' is a array map, not a ringbuf"), "%s", last_warn);
	wl_set_log(NULL);
	wl_prog_destroy(p);
	wl_map_destroy(rbm);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

struct pb_state {
	uint64_t next, delivered, bad, lost;
};

static void pb_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct pb_state *s = ctx;
	uint64_t v[2] = { 0, 0 }; /* raw samples are only 4-byte aligned */
	if (size >= 16)
		memcpy(v, data, 16);
	if (size < 16 || v[0] != s->next || v[1] != ~v[0])
		s->bad++;
	s->next = v[0] + 1;
	s->delivered++;
}

static void pb_lost(void *ctx, int cpu, uint64_t lost)
{
	struct pb_state *s = ctx;
	s->lost += lost;
}

static struct wl_prog *perf_out_prog(struct wl_map *cnt, struct wl_map *pm)
{
	struct bpf_insn insns[] = {
		I_MOV64_REG(BPF_REG_6, BPF_REG_1),
		I_NEXT_SEQ(wl_map_fd(cnt), 12),
		I_STX(BPF_DW, BPF_REG_10, BPF_REG_7, -24),
		I_MOV64_REG(BPF_REG_8, BPF_REG_7),
		I_ALU64_IMM(BPF_XOR, BPF_REG_8, -1),
		I_STX(BPF_DW, BPF_REG_10, BPF_REG_8, -16),
		I_MOV64_REG(BPF_REG_1, BPF_REG_6),
		I_LD_MAP(BPF_REG_2, wl_map_fd(pm)),
		I_LD_IMM64(BPF_REG_3, BPF_F_CURRENT_CPU),
		I_MOV64_REG(BPF_REG_4, BPF_REG_10),
		I_ALU64_IMM(BPF_ADD, BPF_REG_4, -24),
		I_MOV64_IMM(BPF_REG_5, 16),
		I_CALL(BPF_FUNC_perf_event_output),
		I_MOV64_IMM(BPF_REG_0, XDP_PASS),
		I_EXIT(),
	};
	insns[7].off = (int16_t)(ARRAY_LEN(insns) - 2 - 8);
	return load_prog("pb_out", BPF_PROG_TYPE_XDP, 0, insns, ARRAY_LEN(insns));
}

static struct wl_map *perf_map(void)
{
	struct wl_map_opts o = { .name = "events",
				 .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
				 .key_size = 4,
				 .value_size = 4,
				 .max_entries = (uint32_t)wl_num_possible_cpus() };
	struct wl_map *m;
	cr_assert_eq(wl_map_create(&o, &m), 0);
	return m;
}

Test(bufs, perfbuf_10000_in_order_with_wraparound)
{
	FD_CHECK_BEGIN();
	pin_cpu0();
	struct wl_map *cnt = counter_map("seq", 1), *pm = perf_map();
	struct wl_prog *p = perf_out_prog(cnt, pm);
	struct pb_state st = { 0 };
	struct wl_perfbuf *pb;
	/* 2 pages per CPU; records are 40 bytes, so 100 runs fill half a ring */
	cr_assert_eq(wl_perfbuf_new(pm, 2, pb_sample, pb_lost, &st, &pb), 0);
	cr_assert_gt(wl_perfbuf_epoll_fd(pb), 2);
	while (st.delivered < 10000) {
		run_n(p, 100);
		cr_assert_geq(wl_perfbuf_poll(pb, 0), 0);
		cr_assert_geq(wl_perfbuf_consume(pb), 0);
		cr_assert_lt(counter_get(cnt, 0), 20000);
	}
	cr_assert_eq(st.bad, 0);
	cr_assert_eq(st.lost, 0);
	cr_assert_eq(st.delivered, counter_get(cnt, 0));
	wl_perfbuf_free(pb);
	wl_prog_destroy(p);
	wl_map_destroy(pm);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}

static void pb_count(void *ctx, int cpu, const void *data, uint32_t size)
{
	((struct pb_state *)ctx)->delivered++;
}

Test(bufs, perfbuf_reports_lost_records)
{
	FD_CHECK_BEGIN();
	pin_cpu0();
	struct wl_map *cnt = counter_map("seq", 1), *pm = perf_map();
	struct wl_prog *p = perf_out_prog(cnt, pm);
	struct pb_state st = { 0 };
	struct wl_perfbuf *pb;
	cr_assert_eq(wl_perfbuf_new(pm, 1, pb_count, pb_lost, &st, &pb), 0);
	run_n(p, 1000); /* 40 KB into a 4 KiB ring without reading */
	wl_perfbuf_consume(pb);
	run_n(p, 1); /* the next write emits the LOST record */
	wl_perfbuf_consume(pb);
	cr_assert_gt(st.lost, 0);
	cr_assert_eq(st.delivered + st.lost, 1001, "delivered %llu + lost %llu",
		     (unsigned long long)st.delivered, (unsigned long long)st.lost);
	wl_perfbuf_free(pb);
	wl_set_log(NULL);
	cr_assert_eq(wl_perfbuf_new(pm, 3, pb_count, pb_lost, &st, &pb), -EINVAL);
	wl_prog_destroy(p);
	wl_map_destroy(pm);
	wl_map_destroy(cnt);
	FD_CHECK_END();
}
