// ARGS: -target bpf -fsyntax-only -fvisibility=weird %s
int x;
