// records: bit-fields, anonymous members and member access paths
struct flags {
	unsigned a : 3, b : 5;
	int : 0;
	unsigned char c : 2;
	union {
		int i;
		struct { short lo, hi; };
	};
};
int get(struct flags *f) { return f->a + f->b + f->hi + f->i; }
void set(struct flags *f) { f->c = 3; f->lo = -1; }
_Static_assert(sizeof(struct flags) == 12, "size");
_Static_assert(__builtin_offsetof(struct flags, hi) == 10, "hi");
