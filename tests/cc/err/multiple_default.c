int f(int x) { switch (x) { default: return 0; default: return 1; } }
