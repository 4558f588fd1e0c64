// ARGS: -target bpf -fsyntax-only -Oq %s
int x;
