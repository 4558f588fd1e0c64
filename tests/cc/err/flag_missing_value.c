// ARGS: -target bpf -fsyntax-only %s -o
int x;
