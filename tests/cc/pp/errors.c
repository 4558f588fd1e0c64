#define f(a, b) a b
f(1)
f(1, 2, 3)
#if 1 +
#endif
#if 1 / 0
#endif
#define cat(a, b) a ## b
cat(+, /)
#error stop   here
#warning careful
#include "missing.h"
after
