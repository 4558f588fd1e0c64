// ARGS: -target bpf -O2 -Wno-error=bpf-verifier -c %s -o /dev/null
/* The same program with -Wno-error=bpf-verifier: a warning, and the object
 * is written. */
#include "verifier_null.c"
