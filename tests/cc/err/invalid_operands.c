struct s { int a; };
int f(struct s a, struct s b) { return a + b; }
