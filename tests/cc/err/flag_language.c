// ARGS: -target bpf -fsyntax-only -x foo %s
int x;
