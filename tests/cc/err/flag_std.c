// ARGS: -target bpf -fsyntax-only -std=c99x %s
int x;
