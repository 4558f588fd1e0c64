/* What the predefined macros describe (target CPU, endianness, -O, -std …)
 * and the text of the "<built-in>" buffer that defines them. */
#ifndef WHISTLER_C_PREDEF_H
#define WHISTLER_C_PREDEF_H

#include "util/buf.h"

#include <stdbool.h>

/* The clang release whose BPF C dialect Whistler implements: --version,
 * __clang_major__ … and -dumpversion all say this. */
#define WHISTLER_CLANG_MAJOR 19
#define WHISTLER_CLANG_MINOR 1
#define WHISTLER_CLANG_PATCH 7
#define WHISTLER_CLANG_VERSION "19.1.7"

enum predef_cpu { CPU_PROBE, CPU_V1, CPU_V2, CPU_V3, CPU_V4 };
enum predef_std { STD_C89, STD_C99, STD_C11, STD_C17, STD_C23 };

struct predef_config {
	enum predef_cpu cpu;
	bool big_endian;
	int opt_level;  /* 0..3 */
	bool opt_size;  /* -Os, -Oz */
	enum predef_std std;
	bool gnu;       /* gnuXX rather than cXX */
	bool freestanding;
	bool fast_math;
	bool unsigned_char;
	bool debug;     /* -g */
	bool pic, pie;  /* bpf-pc-linux triples, -fPIC */
	bool undef;     /* -undef: only the macros the C standard asks for */
};

/* The defaults of whistlercc: -mcpu=v3, little endian, -O0, gnu17. */
void predef_config_default(struct predef_config *c);
/* Appends "#define NAME VALUE\n" lines for every predefined macro. */
void predef_write(const struct predef_config *c, struct buf *out);

#endif
