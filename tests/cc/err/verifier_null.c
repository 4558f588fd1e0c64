// ARGS: -target bpf -O2 -c %s -o /dev/null
/* A map value used before its NULL check: the kernel's verifier would
 * refuse the program at load time, so whistlercc refuses it now. */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
struct {
	int (*type)[1]; /* BPF_MAP_TYPE_HASH */
	int (*max_entries)[8];
	unsigned *key;
	unsigned long long *value;
} counts __attribute__((section(".maps"), used));

__attribute__((section("xdp"), used)) int count(void *ctx)
{
	unsigned k = 1;
	unsigned long long *v = bpf_map_lookup_elem(&counts, &k);
	*v += 1;
	return 2;
}
