void f(void) { auto int g(void); }
