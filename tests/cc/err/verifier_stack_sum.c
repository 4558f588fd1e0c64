// ARGS: -target bpf -O2 -c %s -o /dev/null
/* Two variables that together need more than the 512 bytes of BPF stack. */
__attribute__((section("xdp"), used)) int two(unsigned *ctx)
{
	volatile char a[300], b[300];
	a[ctx[0] & 255] = 1;
	b[ctx[0] & 255] = 2;
	return a[3] + b[4];
}
