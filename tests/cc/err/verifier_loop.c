// ARGS: -target bpf -O2 -c %s -o /dev/null
/* A loop no path leaves: the kernel's verifier refuses a program that
 * cannot end.  The loop that exits into it is not the one reported. */
__attribute__((section("raw_tp/sys_enter"), used)) int spin(unsigned long long *ctx)
{
	int n = 0;
	for (;;) {
		n++;
		if (ctx[0] == 0)
			break;
	}
	while (1)
		n += 2;
	return n;
}
