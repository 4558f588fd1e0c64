/* What static-link.bpf.c and static-link.lib.c share. */
typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counts_map;

/* weak in both objects: the linker keeps the first */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 8);
} shared_weak SEC(".maps") __attribute__((weak));
