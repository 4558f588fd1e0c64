/* Whistler's <stddef.h> for BPF (C11 7.19), from the predefined type macros. */
#ifndef __WHISTLER_STDDEF_H
#define __WHISTLER_STDDEF_H

typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __SIZE_TYPE__ size_t;
typedef __WCHAR_TYPE__ wchar_t;
typedef struct {
	long long __whistler_max_align_ll __attribute__((__aligned__(__alignof__(long long))));
	long double __whistler_max_align_ld __attribute__((__aligned__(__alignof__(long double))));
} max_align_t;

#undef NULL
#define NULL ((void*)0)
#define offsetof(t, d) __builtin_offsetof(t, d)

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 202311L
typedef typeof(nullptr) nullptr_t;
#define unreachable() __builtin_unreachable()
#endif

#endif
