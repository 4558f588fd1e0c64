// ARGS: -target bpf -fsyntax-only no-such-file.c
int x;
