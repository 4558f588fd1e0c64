// RUN: -P -DFROMCMD=2 -DSTR="a b" -UNOTDEF
#if (-1 < 0u) == 0 && -1 < 0 && 0x7fffffffffffffff + 0 > 0
unsigned_ok
#endif
#if 18446744073709551615u == -1
max_ok
#endif
#if (2 || 1 / 0) && !(0 && 1 % 0)
short_circuit_ok
#endif
#if 'A' == 65 && '\377' < 0 && '\n' == 10 && L'\xff' == 255
char_ok
#endif
#if defined FROMCMD && defined(FROMCMD) && FROMCMD == 2 && !defined NOTDEF
defined_ok
#endif
#if 1 ? 2 : (1 / 0)
ternary_ok
#endif
#if 0
#error not reached
#elif 1 << 62 >> 62 == 1
elif_ok
#else
#error not reached
#endif
#ifdef UNDEFINED_THING
#elifdef FROMCMD
elifdef_ok
#endif
#ifndef FROMCMD
#elifndef UNDEFINED_THING
elifndef_ok
#endif
#if __has_include("conditionals.c") && !__has_include(<no/such/header.h>)
has_include_ok
#endif
#if __has_builtin(__builtin_preserve_access_index) && !__has_builtin(nope) && __has_attribute(__packed__) && __has_attribute(preserve_access_index)
builtin_ok __has_c_attribute(fallthrough) __has_feature(c_alignas) __has_extension(attribute_deprecated_with_message) __is_identifier(int) __is_identifier(x)
#endif
#if __BPF_CPU_VERSION__ == 3 && defined(__BPF_FEATURE_ALU32) && __clang_major__ == 19 && __STDC_VERSION__ == 201710L
predef_ok STR
#endif
#line 100 "renamed.c"
__LINE__ __FILE__ __FILE_NAME__ __INCLUDE_LEVEL__ __COUNTER__ __COUNTER__
