// loop pragmas kept on the loops for the lowering
#define COUNT 4
#define LOOP_HINT _Pragma("clang loop unroll_count(COUNT * 2)")
int sum(int *a)
{
	int s = 0;
#pragma unroll
	for (int i = 0; i < 8; i++)
		s += a[i];
#pragma unroll(COUNT)
	for (int i = 0; i < 8; i++)
		s += a[i];
#pragma nounroll
	while (s > 100)
		s /= 2;
	LOOP_HINT
	for (int i = 0; i < 8; i++)
		s ^= a[i];
#pragma clang loop unroll(full)
	do
		s--;
	while (s > 0);
	return s;
}
