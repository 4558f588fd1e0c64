// the usual arithmetic conversions, promotions and pointer arithmetic as nodes
int add(char c, short s) { return c + s; }
unsigned long mixed(int i, unsigned u, long l) { return i * u + l; }
long shift(char c, long n) { return c << n; }
int cmp(unsigned u, int i) { return u < i; }
int *step(int *p, long n) { return p + n - 1; }
long diff(int *a, int *b) { return a - b; }
_Bool truth(int *p) { return p; }
double fl(float f, int i) { return f + i; }
