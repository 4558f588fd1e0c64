/* Control flow: if/else chains, while, do-while, for with break and
 * continue, switch with fall-through and ranges, goto, ?: and short-circuit
 * operators as values and as conditions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int classify(int v)
{
	switch (v) {
	case 0:
		return 10;
	case 1:
	case 2:
		return 20;
	case 3 ... 9:
		return 30 + v;
	case 100:
		v += 1;
		/* fall through */
	case 101:
		return v * 2;
	default:
		return -1;
	}
}

SEC("syscall")
int control(int *ctx)
{
	int n = ctx[0], acc = 0, i;
	if (n < 0)
		return -100;
	else if (n > 1000)
		return -200;
	for (i = 0; i < 64; i++) {
		if (i == n)
			break;
		if (i & 1)
			continue;
		acc += i;
	}
	int j = 0;
	while (j < n && j < 20)
		j += 3;
	do {
		acc += j;
		j -= 7;
	} while (j > 0);
	acc += classify((unsigned)n % 12) + classify(n);
	if (n == 7)
		goto special;
	acc = acc > 100 ? acc - 100 : acc + (n && (acc & 1));
	acc += (n > 3 || acc < 5) ? 1000 : 2000;
	return acc;
special:
	return acc * 3;
}

char LICENSE[] SEC("license") = "GPL";

// run: control ctx=x"00000000"
// run: control ctx=x"01000000"
// run: control ctx=x"02000000"
// run: control ctx=x"05000000"
// run: control ctx=x"07000000"
// run: control ctx=x"0a000000"
// run: control ctx=x"64000000"
// run: control ctx=x"65000000"
// run: control ctx=x"c8000000"
// run: control ctx=x"ffffffff" -> -100
// run: control ctx=x"e9030000" -> -200
