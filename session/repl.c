/* The session's read-eval-print loop: lines are gathered until they hold
 * complete forms (formscan.c), each form is evaluated and its values
 * printed, and what it (re)defined is loaded at once. */
#include "session/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* PRIN1 of each value on its own line, to *standard-output* */
static void print_values(struct wsession *s, lv v)
{
	struct lisp_ctx *ctx = s->ctx;
	int n = lisp_values_count(ctx);
	lv vals[64];
	for (int i = 0; i < n && i < 64; i++)
		vals[i] = n == 1 ? v : lisp_value_n(ctx, i);
	lv prin1 = lisp_symbol_function(ctx, lisp_intern(ctx, "prin1"));
	lv terpri = lisp_symbol_function(ctx, lisp_intern(ctx, "terpri"));
	for (int i = 0; i < n && i < 64; i++) {
		lisp_pcall(ctx, prin1, 1, &vals[i], NULL);
		lisp_pcall(ctx, terpri, 0, NULL, NULL);
	}
	fflush(stdout);
}

/* Evaluates the forms of one chunk; false when the loop should end. */
static bool eval_chunk(struct wsession *s, uint32_t file, int *status)
{
	struct lisp_reader r;
	lisp_reader_init(&r, s->ctx, file);
	volatile sig_atomic_t *flag = lisp_interrupt_flag(s->ctx);
	for (;;) {
		lv form, v;
		int rc = lisp_read(&r, &form);
		if (rc <= 0)
			return true;
		*flag = 0;
		enum wsession_status st = wsession_eval(s, form, &v);
		switch (st) {
		case WSESSION_OK:
			print_values(s, v);
			break;
		case WSESSION_ERROR:
			break;
		case WSESSION_INTERRUPT:
			fprintf(stderr, "; interrupted\n");
			break;
		case WSESSION_EXIT:
			*status = wsession_exit_code(s);
			return false;
		}
		if (wsession_pending(s))
			ws_sync_at(s, lisp_loc(form));
		fflush(stdout);
	}
}

int wsession_repl(struct wsession *s, FILE *in, const char *prompt)
{
	struct buf text = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int status = 0;
	volatile sig_atomic_t *flag = lisp_interrupt_flag(s->ctx);
	for (;;) {
		if (prompt) {
			fputs(text.len ? "  " : prompt, stdout);
			fflush(stdout);
		}
		errno = 0;
		ssize_t n = getline(&line, &cap, in);
		if (n < 0 && errno == EINTR) { /* Ctrl-C at the prompt drops the input */
			clearerr(in);
			text.len = 0;
			*flag = 0;
			fputc('\n', stdout);
			continue;
		}
		if (n < 0)
			break;
		buf_append(&text, line, (size_t)n);
		if (ws_open_form((const char *)text.data, text.len))
			continue;
		uint32_t file = srcmgr_add(s->sm, "<repl>", (const char *)text.data, text.len);
		text.len = 0;
		if (!eval_chunk(s, file, &status))
			break;
	}
	if (text.len && !status) {
		/* an unfinished form at the end of the input: let the reader say why */
		uint32_t file = srcmgr_add(s->sm, "<repl>", (const char *)text.data, text.len);
		eval_chunk(s, file, &status);
	}
	free(line);
	buf_free(&text);
	if (prompt)
		fputc('\n', stdout);
	return status;
}
