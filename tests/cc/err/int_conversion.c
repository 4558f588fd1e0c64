int f(char *p) { int x = p; return x; }
