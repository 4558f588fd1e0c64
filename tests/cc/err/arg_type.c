struct s { int a; };
int g(struct s);
int f(void) { return g(1); }
