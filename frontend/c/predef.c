/* The predefined macro set of clang-19 for BPF, from the table in predef.def
 * filtered by the configuration. */
#include "frontend/c/predef.h"

#include "util/util.h"

#include <string.h>

enum predef_when {
	W_ALL, W_C23, W_CPU1, W_CPU2, W_CPU3, W_CPU4, W_LE, W_BE, W_O0, W_OPT, W_OPTSIZE,
	W_GNUINL, W_STDCINL, W_STRICT, W_HOSTED, W_FREESTANDING, W_NOFINITE, W_FINITE,
	W_FASTMATH, W_UCHAR, W_DEBUG, W_PIC, W_PIE,
};

static const struct predef {
	enum predef_when when;
	const char *name, *value;
} predefs[] = {
#define PREDEF(when, name, value) { W_##when, name, value },
#include "frontend/c/predef.def"
#undef PREDEF
};

void predef_config_default(struct predef_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cpu = CPU_V3;
	c->std = STD_C17;
	c->gnu = true;
}

static bool applies(const struct predef_config *c, enum predef_when w)
{
	switch (w) {
	case W_ALL:
		return true;
	case W_C23:
		return c->std >= STD_C23;
	case W_CPU1:
		return c->cpu >= CPU_V1;
	case W_CPU2:
		return c->cpu >= CPU_V2;
	case W_CPU3:
		return c->cpu >= CPU_V3;
	case W_CPU4:
		return c->cpu >= CPU_V4;
	case W_LE:
		return !c->big_endian;
	case W_BE:
		return c->big_endian;
	case W_O0:
		return c->opt_level == 0 && !c->opt_size;
	case W_OPT:
		return c->opt_level > 0 || c->opt_size;
	case W_OPTSIZE:
		return c->opt_size;
	case W_GNUINL:
		return c->std == STD_C89;
	case W_STDCINL:
		return c->std != STD_C89;
	case W_STRICT:
		return !c->gnu;
	case W_HOSTED:
		return !c->freestanding;
	case W_FREESTANDING:
		return c->freestanding;
	case W_NOFINITE:
		return !c->fast_math;
	case W_FINITE:
	case W_FASTMATH:
		return c->fast_math;
	case W_UCHAR:
		return c->unsigned_char;
	case W_DEBUG:
		return c->debug;
	case W_PIC:
		return c->pic || c->pie;
	case W_PIE:
		return c->pie;
	}
	return false;
}

void predef_write(const struct predef_config *c, struct buf *out)
{
	for (size_t i = 0; i < ARRAY_LEN(predefs); i++)
		if (applies(c, predefs[i].when) &&
		    (!c->undef || !strncmp(predefs[i].name, "__STDC", 6)))
			buf_printf(out, "#define %s %s\n", predefs[i].name, predefs[i].value);
	static const char *const stdc[] = {
		[STD_C89] = NULL, [STD_C99] = "199901L", [STD_C11] = "201112L",
		[STD_C17] = "201710L", [STD_C23] = "202311L",
	};
	if (stdc[c->std])
		buf_printf(out, "#define __STDC_VERSION__ %s\n", stdc[c->std]);
	if (c->undef)
		return;
	buf_printf(out, "#define __BPF_CPU_VERSION__ %d\n", (int)c->cpu);
	buf_printf(out, "#define __clang_major__ %d\n", WHISTLER_CLANG_MAJOR);
	buf_printf(out, "#define __clang_minor__ %d\n", WHISTLER_CLANG_MINOR);
	buf_printf(out, "#define __clang_patchlevel__ %d\n", WHISTLER_CLANG_PATCH);
	buf_printf(out, "#define __clang_version__ \"%s (Whistler %s)\"\n", WHISTLER_CLANG_VERSION,
		   WHISTLER_VERSION);
	buf_printf(out, "#define __VERSION__ \"Whistler Clang %s (Whistler %s)\"\n",
		   WHISTLER_CLANG_VERSION, WHISTLER_VERSION);
}
