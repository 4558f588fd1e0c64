// ARGS: -target bpf -fsyntax-only -include missing.h %s
int x;
