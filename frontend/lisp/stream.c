/* Streams and I/O builtins: standard output/error (to a FILE or a capture
 * buffer), string streams, the printing functions, FORMAT, reading, and the
 * time functions (SLEEP polls for interrupts). */
#include "frontend/lisp/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static lv make_stream(struct lisp_ctx *ctx, int kind, lv buf)
{
	struct lisp_stream *s = lisp_alloc(ctx, LISP_STREAM, sizeof(*s));
	s->h.aux = (uint32_t)kind;
	s->buf = buf ? buf : LISP_NIL;
	return (lv)s;
}

lv lisp_make_string_output_stream(struct lisp_ctx *ctx)
{
	lv buf = lisp_make_empty_string(ctx, 64, true);
	return make_stream(ctx, STREAM_STRING, buf);
}

uint32_t lisp_stream_column(lv stream)
{
	return lisp_is(stream, LISP_STREAM) ? STRM(stream)->col : 0;
}

lv lisp_resolve_stream(struct lisp_ctx *ctx, lv d, bool output)
{
	if (d == LISP_NIL || d == ctx->t)
		d = SYM(output ? ctx->s.standard_output : ctx->s.standard_input)->value;
	if (lisp_is(d, LISP_SYMBOL) && SYM(d)->value && (d->flags & SYM_SPECIAL))
		d = SYM(d)->value;
	if (!lisp_is(d, LISP_STREAM))
		lisp_type_error(ctx, d, "stream");
	return d;
}

static void sink(struct lisp_ctx *ctx, FILE *f, struct buf *b, size_t limit, const char *p,
		 size_t n)
{
	if (b) {
		if (limit && b->len + n > limit)
			n = b->len < limit ? limit - b->len : 0;
		buf_append(b, p, n);
	} else if (f) {
		fwrite(p, 1, n, f);
		if (memchr(p, '\n', n))
			fflush(f);
	}
}

void lisp_stream_write(struct lisp_ctx *ctx, lv stream, const char *p, size_t n)
{
	struct lisp_stream *s = STRM(stream);
	switch (s->h.aux) {
	case STREAM_STRING:
		lisp_string_append(ctx, s->buf, p, n);
		break;
	case STREAM_STDOUT:
		sink(ctx, ctx->out_file, ctx->out_buf, ctx->out_limit, p, n);
		break;
	case STREAM_STDERR:
		sink(ctx, ctx->err_file, ctx->err_buf, ctx->err_limit, p, n);
		break;
	default:
		lisp_error(ctx, "the stream is not an output stream");
	}
	const char *nl = NULL;
	for (size_t i = n; i-- > 0;)
		if (p[i] == '\n') {
			nl = p + i;
			break;
		}
	s->col = nl ? (uint32_t)(p + n - nl - 1) : s->col + (uint32_t)n;
}

static lv out_stream(struct lisp_ctx *ctx, int argc, lv *argv, int i)
{
	return lisp_resolve_stream(ctx, argc > i ? argv[i] : LISP_NIL, true);
}

static void write_buf(struct lisp_ctx *ctx, lv stream, struct buf *b)
{
	lisp_stream_write(ctx, stream, b->data ? (const char *)b->data : "", b->len);
	lisp_temp_buf_free(ctx, b);
}

/* ---- printing ---- */

static lv print_obj(struct lisp_ctx *ctx, lv obj, lv stream, bool escape, const char *before,
		    const char *after)
{
	struct buf *b = lisp_temp_buf(ctx);
	buf_puts(b, before);
	lisp_prin(ctx, b, obj, escape);
	buf_puts(b, after);
	write_buf(ctx, stream, b);
	return obj;
}

BUILTIN(b_princ)
{
	return print_obj(ctx, argv[0], out_stream(ctx, argc, argv, 1), false, "", "");
}
BUILTIN(b_prin1)
{
	return print_obj(ctx, argv[0], out_stream(ctx, argc, argv, 1), true, "", "");
}
BUILTIN(b_print)
{
	return print_obj(ctx, argv[0], out_stream(ctx, argc, argv, 1), true, "\n", " ");
}
BUILTIN(b_pprint)
{
	print_obj(ctx, argv[0], out_stream(ctx, argc, argv, 1), true, "\n", "");
	return lisp_values(ctx, 0, NULL);
}

BUILTIN(b_write)
{
	static const char *const names[] = { "stream", "escape", "readably", "pretty", "base",
					     "radix",  "case",	 "circle",   "level",  "length" };
	lv k[10];
	lisp_parse_keys(ctx, argc, argv, 1, names, 10, k, false);
	bool escape = !k[1] || k[1] != LISP_NIL;
	lv saved = SYM(ctx->s.print_base)->value;
	if (k[4])
		SYM(ctx->s.print_base)->value = k[4];
	print_obj(ctx, argv[0], lisp_resolve_stream(ctx, k[0] ? k[0] : LISP_NIL, true), escape, "",
		  "");
	SYM(ctx->s.print_base)->value = saved;
	return argv[0];
}

static lv to_string(struct lisp_ctx *ctx, lv obj, bool escape)
{
	struct buf *b = lisp_temp_buf(ctx);
	lisp_prin(ctx, b, obj, escape);
	return lisp_temp_buf_string(ctx, b);
}

BUILTIN(b_princ_to_string)
{
	return to_string(ctx, argv[0], false);
}
BUILTIN(b_prin1_to_string)
{
	return to_string(ctx, argv[0], true);
}

BUILTIN(b_write_to_string)
{
	static const char *const names[] = { "escape", "readably", "pretty", "base",  "radix",
					     "case",   "circle",   "level",  "length" };
	lv k[9];
	lisp_parse_keys(ctx, argc, argv, 1, names, 9, k, false);
	lv saved = SYM(ctx->s.print_base)->value;
	if (k[3])
		SYM(ctx->s.print_base)->value = k[3];
	lv s = to_string(ctx, argv[0], !k[0] || k[0] != LISP_NIL);
	SYM(ctx->s.print_base)->value = saved;
	return s;
}

BUILTIN(b_write_string)
{
	lv s = lisp_check_string(ctx, argv[0]);
	lv stream = out_stream(ctx, argc, argv, 1);
	static const char *const names[] = { "start", "end" };
	lv k[2];
	lisp_parse_keys(ctx, argc, argv, argc > 1 ? 2 : 1, names, 2, k, false);
	size_t a = k[0] ? (size_t)lisp_check_fixnum(ctx, k[0], 0, STR(s)->len) : 0;
	size_t e = k[1] && k[1] != LISP_NIL
			   ? (size_t)lisp_check_fixnum(ctx, k[1], (int64_t)a, STR(s)->len)
			   : STR(s)->len;
	lisp_stream_write(ctx, stream, lisp_str(s) + a, e - a);
	return argv[0];
}

BUILTIN(b_write_line)
{
	b_write_string(ctx, argc, argv, data);
	lisp_stream_write(ctx, out_stream(ctx, argc, argv, 1), "\n", 1);
	return argv[0];
}

BUILTIN(b_write_char)
{
	if (!lisp_charp(argv[0]))
		lisp_type_error(ctx, argv[0], "character");
	struct buf *b = lisp_temp_buf(ctx);
	lisp_prin(ctx, b, argv[0], false);
	write_buf(ctx, out_stream(ctx, argc, argv, 1), b);
	return argv[0];
}

BUILTIN(b_terpri)
{
	lisp_stream_write(ctx, out_stream(ctx, argc, argv, 0), "\n", 1);
	return LISP_NIL;
}

BUILTIN(b_fresh_line)
{
	lv s = out_stream(ctx, argc, argv, 0);
	if (STRM(s)->col == 0)
		return LISP_NIL;
	lisp_stream_write(ctx, s, "\n", 1);
	return ctx->t;
}

BUILTIN(b_finish_output)
{
	lv s = out_stream(ctx, argc, argv, 0);
	if (s->aux == STREAM_STDOUT && ctx->out_file)
		fflush(ctx->out_file);
	if (s->aux == STREAM_STDERR && ctx->err_file)
		fflush(ctx->err_file);
	return LISP_NIL;
}

BUILTIN(b_format)
{
	lv dest = argv[0];
	lv control = argv[1];
	if (lisp_functionp(control))
		lisp_error(ctx, "FORMAT: function control strings are not supported");
	lisp_check_string(ctx, control);
	struct buf *b = lisp_temp_buf(ctx);
	if (dest == LISP_NIL) {
		lisp_format(ctx, b, control, argc - 2, argv + 2, 0);
		return lisp_temp_buf_string(ctx, b);
	}
	if (lisp_stringp(dest)) {
		const char *p = lisp_str(dest);
		const char *nl = memrchr(p, '\n', STR(dest)->len);
		uint32_t col = nl ? (uint32_t)(p + STR(dest)->len - nl - 1) : STR(dest)->len;
		lisp_format(ctx, b, control, argc - 2, argv + 2, col);
		lisp_string_append(ctx, dest, (const char *)b->data, b->len);
		lisp_temp_buf_free(ctx, b);
		return LISP_NIL;
	}
	lv stream = lisp_resolve_stream(ctx, dest, true);
	lisp_format(ctx, b, control, argc - 2, argv + 2, STRM(stream)->col);
	write_buf(ctx, stream, b);
	return LISP_NIL;
}

/* ---- string streams ---- */

BUILTIN(b_make_string_output_stream)
{
	return lisp_make_string_output_stream(ctx);
}

BUILTIN(b_get_output_stream_string)
{
	lv s = argv[0];
	if (!lisp_is(s, LISP_STREAM) || s->aux != STREAM_STRING)
		lisp_type_error(ctx, s, "string-stream");
	lv str = STRM(s)->buf;
	lv r = lisp_make_string(ctx, lisp_str(str), STR(str)->len);
	STR(str)->len = 0;
	lisp_str(str)[0] = 0;
	STRM(s)->col = 0;
	return r;
}

BUILTIN(b_make_string_input_stream)
{
	lv s = lisp_check_string(ctx, argv[0]);
	lv st = make_stream(ctx, STREAM_INPUT_STRING, s);
	if (argc > 1)
		STRM(st)->pos = (uint32_t)lisp_check_fixnum(ctx, argv[1], 0, STR(s)->len);
	return st;
}

BUILTIN(b_streamp)
{
	return lisp_bool(ctx, lisp_is(argv[0], LISP_STREAM));
}

/* ---- input ---- */

static lv in_stream(struct lisp_ctx *ctx, int argc, lv *argv, int i)
{
	return lisp_resolve_stream(ctx, argc > i ? argv[i] : LISP_NIL, false);
}

static lv eof(struct lisp_ctx *ctx, int argc, lv *argv, int i)
{
	if (argc <= i || argv[i] != LISP_NIL)
		lisp_error_type(ctx, ctx->s.end_of_file, "end of file on the stream");
	return argc > i + 1 ? argv[i + 1] : LISP_NIL;
}

BUILTIN(b_read_line)
{
	lv s = in_stream(ctx, argc, argv, 0);
	if (s->aux == STREAM_INPUT_STRING) {
		lv str = STRM(s)->buf;
		uint32_t pos = STRM(s)->pos, len = STR(str)->len;
		if (pos >= len)
			return lisp_values2(ctx, eof(ctx, argc, argv, 1), ctx->t);
		const char *p = lisp_str(str) + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		STRM(s)->pos = pos + (uint32_t)n + (nl ? 1 : 0);
		return lisp_values2(ctx, lisp_make_string(ctx, p, n), lisp_bool(ctx, !nl));
	}
	if (s->aux != STREAM_STDIN)
		lisp_error(ctx, "READ-LINE: not an input stream");
	if (ctx->sandbox)
		lisp_error(ctx, "READ-LINE: reading standard input is disabled here");
	struct buf *b = lisp_temp_buf(ctx);
	int c;
	while ((c = getchar()) != EOF && c != '\n')
		buf_putc(b, c);
	if (c == EOF && !b->len) {
		lisp_temp_buf_free(ctx, b);
		return lisp_values2(ctx, eof(ctx, argc, argv, 1), ctx->t);
	}
	lv line = lisp_temp_buf_string(ctx, b);
	return lisp_values2(ctx, line, lisp_bool(ctx, c == EOF));
}

BUILTIN(b_read_char)
{
	lv s = in_stream(ctx, argc, argv, 0);
	if (s->aux == STREAM_INPUT_STRING) {
		lv str = STRM(s)->buf;
		if (STRM(s)->pos >= STR(str)->len)
			return eof(ctx, argc, argv, 1);
		return lisp_char((unsigned char)lisp_str(str)[STRM(s)->pos++]);
	}
	if (s->aux != STREAM_STDIN || ctx->sandbox)
		lisp_error(ctx, "READ-CHAR: not a readable stream here");
	int c = getchar();
	return c == EOF ? eof(ctx, argc, argv, 1) : lisp_char((uint32_t)c);
}

BUILTIN(b_read)
{
	lv s = in_stream(ctx, argc, argv, 0);
	if (s->aux != STREAM_INPUT_STRING)
		lisp_error(ctx, "READ: only string input streams can be read here");
	lv str = STRM(s)->buf;
	size_t pos = STRM(s)->pos;
	lv v = lisp_read_from(ctx, lisp_str(str), STR(str)->len, &pos,
			      argc <= 1 || argv[1] != LISP_NIL, argc > 2 ? argv[2] : LISP_NIL);
	STRM(s)->pos = (uint32_t)pos;
	return v;
}

BUILTIN(b_read_from_string)
{
	lv s = lisp_check_string(ctx, argv[0]);
	bool eof_error = argc <= 1 || argv[1] != LISP_NIL;
	lv eof_value = argc > 2 ? argv[2] : LISP_NIL;
	static const char *const names[] = { "start", "end", "preserve-whitespace" };
	lv k[3];
	lisp_parse_keys(ctx, argc, argv, MIN(argc, 3), names, 3, k, false);
	size_t pos = k[0] ? (size_t)lisp_check_fixnum(ctx, k[0], 0, STR(s)->len) : 0;
	size_t end = k[1] && k[1] != LISP_NIL
			     ? (size_t)lisp_check_fixnum(ctx, k[1], (int64_t)pos, STR(s)->len)
			     : STR(s)->len;
	lv v = lisp_read_from(ctx, lisp_str(s), end, &pos, eof_error, eof_value);
	return lisp_values2(ctx, v, lisp_make_uint(ctx, pos));
}

/* ---- time ---- */

BUILTIN(b_get_universal_time)
{
	return lisp_make_uint(ctx, (uint64_t)time(NULL) + 2208988800u);
}

static uint64_t clock_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

BUILTIN(b_get_internal_real_time)
{
	return lisp_make_uint(ctx, clock_us(CLOCK_MONOTONIC));
}
BUILTIN(b_get_internal_run_time)
{
	return lisp_make_uint(ctx, clock_us(CLOCK_PROCESS_CPUTIME_ID));
}

BUILTIN(b_decode_universal_time)
{
	int64_t ut = lisp_check_fixnum(ctx, argv[0], 0, LISP_FIXNUM_MAX);
	time_t t = (time_t)(ut - 2208988800LL);
	struct tm tm;
	bool utc = argc > 1 && argv[1] != LISP_NIL;
	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	lv v[9] = {
		lisp_fixnum(tm.tm_sec),
		lisp_fixnum(tm.tm_min),
		lisp_fixnum(tm.tm_hour),
		lisp_fixnum(tm.tm_mday),
		lisp_fixnum(tm.tm_mon + 1),
		lisp_fixnum(tm.tm_year + 1900),
		lisp_fixnum((tm.tm_wday + 6) % 7),
		lisp_bool(ctx, tm.tm_isdst > 0),
		utc ? argv[1] : lisp_fixnum(-tm.tm_gmtoff / 3600),
	};
	return lisp_values(ctx, 9, v);
}

BUILTIN(b_sleep)
{
	lv a = argv[0];
	double secs = lisp_floatp(a)	 ? lisp_float_value(a)
		      : lisp_integerp(a) ? lisp_int_to_double(a)
					 : (lisp_type_error(ctx, a, "(real 0)"), 0);
	if (secs < 0)
		lisp_type_error(ctx, a, "(real 0)");
	lisp_tick(ctx);
	if (ctx->sandbox)
		return LISP_NIL;
	/* in short slices, so an interrupt is noticed promptly */
	double deadline = (double)clock_us(CLOCK_MONOTONIC) / 1e6 + secs;
	for (;;) {
		double now = (double)clock_us(CLOCK_MONOTONIC) / 1e6;
		if (now >= deadline)
			break;
		double slice = MIN(deadline - now, 0.05);
		struct timespec ts = { (time_t)slice,
				       (long)((slice - (double)(time_t)slice) * 1e9) };
		nanosleep(&ts, NULL);
		lisp_tick(ctx);
	}
	return LISP_NIL;
}

/* ---- files and the process ---- */

BUILTIN(b_load)
{
	if (ctx->sandbox)
		lisp_error(ctx, "LOAD is disabled here");
	lv path = lisp_check_string(ctx, argv[0]);
	uint32_t id = srcmgr_load(ctx->sm, lisp_str(path));
	if (!id)
		lisp_error_type(ctx, ctx->s.file_error, "LOAD: cannot read %s: %s", lisp_str(path),
				strerror(errno));
	struct lisp_reader r;
	lisp_reader_init(&r, ctx, id);
	for (lv form; (form = lisp_reader_next(&r));)
		lisp_eval_in(ctx, form, LISP_NIL);
	return ctx->t;
}

BUILTIN(b_exit)
{
	lv code = lisp_fixnum(0);
	for (int i = 0; i + 1 < argc; i += 2)
		if (lisp_keywordp(argv[i]) && !strcmp(lisp_symbol_name(argv[i]), "CODE"))
			code = argv[i + 1];
	if (ctx->sandbox)
		lisp_error(ctx, "EXIT is disabled here");
	lv c = lisp_make_condition_v(ctx, lisp_intern(ctx, "system::exit"),
				     lisp_list(ctx, 2, lisp_intern(ctx, ":code"), code));
	ctx->unwind_value = c;
	for (struct lframe *f = ctx->frames; f; f = f->prev)
		if (f->kind == FR_TOP && !f->prev)
			lisp_unwind_to(ctx, f);
	lisp_error(ctx, "EXIT: no outermost evaluation to leave");
}

BUILTIN(b_getenv)
{
	lv s = lisp_check_string(ctx, argv[0]);
	const char *v = getenv(lisp_str(s));
	return v ? lisp_make_cstring(ctx, v) : LISP_NIL;
}

static const struct lisp_builtin_def defs[] = {
	{ "princ", b_princ, 1, 2 },
	{ "prin1", b_prin1, 1, 2 },
	{ "print", b_print, 1, 2 },
	{ "pprint", b_pprint, 1, 2 },
	{ "write", b_write, 1, -1 },
	{ "princ-to-string", b_princ_to_string, 1, 1 },
	{ "prin1-to-string", b_prin1_to_string, 1, 1 },
	{ "write-to-string", b_write_to_string, 1, -1 },
	{ "write-string", b_write_string, 1, -1 },
	{ "write-line", b_write_line, 1, -1 },
	{ "write-char", b_write_char, 1, 2 },
	{ "terpri", b_terpri, 0, 1 },
	{ "fresh-line", b_fresh_line, 0, 1 },
	{ "finish-output", b_finish_output, 0, 1 },
	{ "force-output", b_finish_output, 0, 1 },
	{ "clear-output", b_finish_output, 0, 1 },
	{ "format", b_format, 2, -1 },
	{ "make-string-output-stream", b_make_string_output_stream, 0, -1 },
	{ "get-output-stream-string", b_get_output_stream_string, 1, 1 },
	{ "make-string-input-stream", b_make_string_input_stream, 1, 3 },
	{ "streamp", b_streamp, 1, 1 },
	{ "read-line", b_read_line, 0, 4 },
	{ "read-char", b_read_char, 0, 4 },
	{ "read", b_read, 0, 4 },
	{ "read-from-string", b_read_from_string, 1, -1 },
	{ "get-universal-time", b_get_universal_time, 0, 0 },
	{ "get-internal-real-time", b_get_internal_real_time, 0, 0 },
	{ "get-internal-run-time", b_get_internal_run_time, 0, 0 },
	{ "decode-universal-time", b_decode_universal_time, 1, 2 },
	{ "sleep", b_sleep, 1, 1 },
	{ "load", b_load, 1, -1 },
	{ "exit", b_exit, 0, -1 },
	{ "quit", b_exit, 0, -1 },
	{ "sb-ext:exit", b_exit, 0, -1 },
	{ "sb-ext:quit", b_exit, 0, -1 },
	{ "sb-ext:posix-getenv", b_getenv, 1, 1 },
	{ "system::getenv", b_getenv, 1, 1 },
};

void lisp_init_streams(struct lisp_ctx *ctx)
{
	lisp_register_builtins(ctx, defs, ARRAY_LEN(defs));
	ctx->stdout_stream = make_stream(ctx, STREAM_STDOUT, NULL);
	ctx->stderr_stream = make_stream(ctx, STREAM_STDERR, NULL);
	ctx->stdin_stream = make_stream(ctx, STREAM_STDIN, NULL);
	SYM(ctx->s.standard_output)->value = ctx->stdout_stream;
	SYM(ctx->s.error_output)->value = ctx->stderr_stream;
	SYM(ctx->s.trace_output)->value = ctx->stderr_stream;
	SYM(ctx->s.standard_input)->value = ctx->stdin_stream;
	lv tu = lisp_intern(ctx, "internal-time-units-per-second");
	SYM(tu)->value = lisp_fixnum(1000000);
	tu->flags |= SYM_CONSTANT;
	lv cond = lisp_intern(ctx, "system::exit");
	lisp_sym(ctx, cond)->plist =
		lisp_list(ctx, 2, ctx->s.s_condition_parents, lisp_list(ctx, 1, ctx->s.condition));
}
