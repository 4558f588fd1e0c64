// ARGS: -target bpf -fsyntax-only
int x;
