/* Growable byte buffers: section contents, printed text, file images. */
#ifndef WHISTLER_BUF_H
#define WHISTLER_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	unsigned char *data;
	size_t len, cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_putc(struct buf *b, int c);
void buf_puts(struct buf *b, const char *s);
void buf_zeros(struct buf *b, size_t n);
void buf_align(struct buf *b, size_t align); /* pad with zeros */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
const char *buf_cstr(struct buf *b); /* NUL-terminates without counting it */
char *buf_steal(struct buf *b);      /* caller frees; b is reset */
void buf_free(struct buf *b);

static inline void buf_u8(struct buf *b, uint8_t v) { buf_append(b, &v, 1); }
static inline void buf_u16(struct buf *b, uint16_t v) { buf_append(b, &v, 2); }
static inline void buf_u32(struct buf *b, uint32_t v) { buf_append(b, &v, 4); }
static inline void buf_u64(struct buf *b, uint64_t v) { buf_append(b, &v, 8); }

#endif
