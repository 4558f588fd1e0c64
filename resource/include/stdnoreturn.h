/* Whistler's <stdnoreturn.h> (C11 7.23). */
#ifndef __WHISTLER_STDNORETURN_H
#define __WHISTLER_STDNORETURN_H

#define noreturn _Noreturn

#endif
