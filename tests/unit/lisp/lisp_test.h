/* Shared fixture of the Lisp unit tests: a context whose output and
 * diagnostics are captured, and helpers that evaluate source text. */
#ifndef WHISTLER_TEST_LISP_H
#define WHISTLER_TEST_LISP_H

#include "frontend/lisp/lisp.h"
#include "util/buf.h"
#include "util/diag.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct srcmgr lt_sm;
static struct diag lt_diag;
static struct buf lt_diags, lt_out;
static struct lisp_ctx *L;
static char *lt_last;
static char *lt_strings[4096];
static int lt_nstrings;

static inline char *lt_keep(char *s)
{
	if (lt_nstrings < 4096)
		lt_strings[lt_nstrings++] = s;
	return s;
}

static inline void lt_setup(void)
{
	memset(&lt_sm, 0, sizeof(lt_sm));
	memset(&lt_diags, 0, sizeof(lt_diags));
	memset(&lt_out, 0, sizeof(lt_out));
	diag_init(&lt_diag, &lt_sm);
	lt_diag.capture = &lt_diags;
	lt_diag.error_limit = 0;
	L = lisp_new(&lt_sm, &lt_diag);
	lisp_set_output(L, NULL, &lt_out, 0);
	lisp_set_error_output(L, NULL, &lt_out, 0);
	lt_nstrings = 0;
}

static inline void lt_teardown(void)
{
	lisp_free(L);
	srcmgr_free(&lt_sm);
	buf_free(&lt_diags);
	buf_free(&lt_out);
	for (int i = 0; i < lt_nstrings; i++)
		free(lt_strings[i]);
}

static inline void lt_each(struct lisp_ctx *ctx, lv form, lv value, void *data)
{
	(void)form;
	(void)data;
	lt_last = lt_keep(lisp_print_to_cstring(ctx, value, true));
}

/* Evaluates every form of `src`; returns the printed (PRIN1) value of the
 * last, or "ERROR: <message>" with the diagnostic left in lt_diags. */
static inline const char *ev(const char *src)
{
	lt_last = lt_keep(strdup("<no forms>"));
	lt_diags.len = 0;
	if (lisp_load_string(L, "test.lisp", src, lt_each, NULL) < 0) {
		char *msg = lisp_condition_message(L, lisp_last_condition(L));
		char *r = NULL;
		if (asprintf(&r, "ERROR: %s", msg) < 0)
			abort();
		free(msg);
		return lt_keep(r);
	}
	return lt_last;
}

/* Captured standard output, reset. */
static inline const char *out(void)
{
	char *s = strndup(lt_out.data ? (const char *)lt_out.data : "", lt_out.len);
	lt_out.len = 0;
	return lt_keep(s);
}

static inline const char *diags(void)
{
	return lt_keep(strndup(lt_diags.data ? (const char *)lt_diags.data : "", lt_diags.len));
}

#define EV(src, expected)                                                                          \
	do {                                                                                       \
		const char *got_ = ev(src);                                                        \
		cr_assert_str_eq(got_, expected, "evaluating %s\n   got: %s\n  want: %s\n%s", src, \
				 got_, expected, diags());                                         \
	} while (0)

#endif
