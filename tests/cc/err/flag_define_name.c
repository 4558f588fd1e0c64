// ARGS: -target bpf -fsyntax-only -D=1 %s
int x;
