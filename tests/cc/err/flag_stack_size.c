// ARGS: -target bpf -fsyntax-only -mllvm -bpf-stack-size=abc %s
int x;
