// ARGS: -target bpf -fsyntax-only -ferror-limit=abc %s
int x;
