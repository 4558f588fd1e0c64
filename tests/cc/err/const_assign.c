int f(void) { const int x = 1; x = 2; return x; }
