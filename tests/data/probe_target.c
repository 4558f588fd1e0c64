/* A process for the loader's uprobe and USDT tests: calls wl_target_add()
 * argv[1] times and fires the USDT probe whistler:tick (guarded by its
 * semaphore, so it only fires while a tracer holds the semaphore) and the
 * hand-assembled probe wlhand:tick next to it.  Prints what it did. */
#include <stdio.h>
#include <stdlib.h>

#if defined(WL_USE_SYS_SDT) && __has_include(<sys/sdt.h>)
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#define HAVE_SYS_SDT 1
#endif

/* The note as <sys/sdt.h> lays it out, written by hand: the probe site is a
 * nop, the note records its address, the .stapsdt.base anchor, the
 * semaphore, provider, name and operand text ("-4@%edi ..."). */
#define WL_HAND_PROBE2(prov, name, a1, a2)                                              \
	__asm__ __volatile__(                                                           \
		"990: nop\n"                                                            \
		".pushsection .note.stapsdt,\"?\",\"note\"\n"                           \
		".balign 4\n"                                                           \
		".4byte 992f-991f, 994f-993f, 3\n"                                      \
		"991: .asciz \"stapsdt\"\n"                                             \
		"992: .balign 4\n"                                                      \
		"993: .8byte 990b\n"                                                    \
		".8byte _.stapsdt.base\n"                                               \
		".8byte " #prov "_" #name "_semaphore\n"                                \
		".asciz \"" #prov "\"\n"                                                \
		".asciz \"" #name "\"\n"                                                \
		".asciz \"-4@%0 -4@%1\"\n"                                              \
		"994: .balign 4\n"                                                      \
		".popsection\n"                                                         \
		".ifndef _.stapsdt.base\n"                                              \
		".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
		".weak _.stapsdt.base\n"                                                \
		".hidden _.stapsdt.base\n"                                              \
		"_.stapsdt.base: .space 1\n"                                            \
		".size _.stapsdt.base, 1\n"                                             \
		".popsection\n"                                                         \
		".endif\n" ::"nor"(a1),                                                 \
		"nor"(a2))

__attribute__((used, section(".probes"))) volatile unsigned short wlhand_tick_semaphore;
#ifdef HAVE_SYS_SDT
__attribute__((used, section(".probes"))) volatile unsigned short whistler_tick_semaphore;
#endif

int wl_target_add(int a, int b);
__attribute__((noinline)) int wl_target_add(int a, int b)
{
	__asm__ __volatile__("" ::: "memory"); /* keep the call */
	return a + b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, sum = 0, fired = 0, hand = 0;
	for (int i = 0; i < n; i++) {
		sum += wl_target_add(i, 1);
#ifdef HAVE_SYS_SDT
		if (whistler_tick_semaphore) {
			STAP_PROBE2(whistler, tick, i, sum);
			fired++;
		}
#endif
		if (wlhand_tick_semaphore) {
			WL_HAND_PROBE2(wlhand, tick, i, sum);
			hand++;
		}
	}
	printf("sum=%d fired=%d hand=%d\n", sum, fired, hand);
	return 0;
}
