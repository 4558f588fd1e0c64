// ARGS: --target=x86_64 -fsyntax-only %s
int x;
