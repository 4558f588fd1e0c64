void f(void) { void g(void) { } }
