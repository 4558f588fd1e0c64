// storage, linkage, tentative definitions and redeclarations merged
static int counter;
extern int shared;
int shared = 3;
int tentative;
int tentative;
static int helper(int);
static int helper(int x) { return x + counter; }
extern inline int twice(int x) { return 2 * x; }
int uses(void) { static int calls; calls++; return helper(calls) + twice(shared); }
typedef unsigned int u32;
u32 *ptr;
const volatile u32 cv;
