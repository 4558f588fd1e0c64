// ARGS: -target bpf -O2 -c %s -o /dev/null
/* A variable bigger than the 512 bytes of BPF stack; its uses add no
 * further errors. */
__attribute__((section("xdp"), used)) int big(unsigned *ctx)
{
	volatile char buf[600];
	buf[ctx[0] & 511] = 1;
	return buf[3];
}
