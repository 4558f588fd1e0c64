struct s { int a; };
int f(struct s v) { switch (v) { default: return 0; } }
