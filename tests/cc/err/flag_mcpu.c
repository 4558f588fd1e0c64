// ARGS: -target bpf -fsyntax-only -mcpu=v9 %s
int x;
