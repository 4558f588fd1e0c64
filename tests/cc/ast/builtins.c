// clang's BPF builtins, typed
struct task { int pid; struct task *parent; } __attribute__((preserve_access_index));
int ppid(struct task *t) { return t->parent->pid; }
unsigned long id(void) { return __builtin_btf_type_id(*(struct task *)0, 0); }
unsigned field(struct task *t) { return __builtin_preserve_field_info(t->pid, 0); }
int access(struct task *t) { return __builtin_preserve_access_index(t->pid); }
long bswap(long x) { return __builtin_bswap64(x); }
