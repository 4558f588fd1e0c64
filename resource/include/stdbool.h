/* Whistler's <stdbool.h> (C11 7.18); C23 has bool as a keyword. */
#ifndef __WHISTLER_STDBOOL_H
#define __WHISTLER_STDBOOL_H

#define __bool_true_false_are_defined 1
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 202311L
#define bool _Bool
#define true 1
#define false 0
#endif

#endif
