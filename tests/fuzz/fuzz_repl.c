/* Fuzz target: the REPL's form-completeness scanner (ws_open_form) on
 * arbitrary text, fed line by line as the REPL feeds it, checked against the
 * Lisp reader: text the scanner calls complete never ends inside a datum for
 * the reader (the REPL would cut the form short), and the reader does not
 * read all of a text left open at the end (the REPL would wait for input the
 * reader does not need).  Texts with #. (evaluated while reading) and #+/#-
 * (whose truth the scanner does not know: it guesses) are only scanned. */
#include "frontend/lisp/lisp.h"
#include "session/internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reader's context, for the whole run: the symbols an input read are
 * forgotten after it (the checkpoint), the chunks' source files now and then. */
static struct {
	struct srcmgr sm;
	struct diag d;
	struct buf diags;
	struct lisp_ctx *ctx;
} F;

static struct lisp_ctx *context(void)
{
	F.diags.len = 0;
	if (!F.ctx) {
		diag_init(&F.d, &F.sm);
		F.d.capture = &F.diags;
		F.ctx = lisp_new(&F.sm, &F.d);
		lisp_set_report(F.ctx, false);
		lisp_checkpoint(F.ctx);
	}
	lisp_rollback(F.ctx);
	if (F.sm.files.len > 4096) /* nothing refers to earlier inputs' files */
		srcmgr_free(&F.sm);
	return F.ctx;
}

enum outcome { READ_ALL, READ_EOF, READ_ERROR };

/* Reads every datum as the REPL does (up to the first error): did the
 * reader stop at the end of the text inside a datum? */
static enum outcome read_chunk(struct lisp_ctx *ctx, const char *t, size_t n)
{
	struct lisp_reader r;
	lisp_reader_init(&r, ctx, srcmgr_add(&F.sm, "<repl>", t, n));
	lv v;
	int rc;
	while ((rc = lisp_read(&r, &v)) > 0)
		;
	if (rc == 0)
		return READ_ALL;
	lv c = lisp_last_condition(ctx);
	if (!c || !lisp_typep_condition(ctx, c, lisp_intern(ctx, "reader-error")))
		return READ_ERROR;
	char *msg = lisp_condition_message(ctx, c);
	/* the reader's messages for the end of the text start so */
	bool eof = !strncmp(msg, "end of file", 11) || !strncmp(msg, "unterminated", 12);
	free(msg);
	return eof ? READ_EOF : READ_ERROR;
}

/* Is there a # dispatch with character c (after optional digits)? */
static bool has_dispatch(const char *t, size_t n, const char *chars)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i] != '#')
			continue;
		size_t j = i + 1;
		while (j < n && t[j] >= '0' && t[j] <= '9')
			j++;
		if (j < n && t[j] && strchr(chars, t[j]))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2048) /* typed input; the line-by-line rescans are quadratic */
		return 0;
	const char *in = (const char *)data;
	struct lisp_ctx *ctx = context();
	bool check = !has_dispatch(in, size, ".+-");
	size_t from = 0; /* the chunk being gathered starts here */
	for (size_t i = 0; i < size; i++) {
		if (in[i] != '\n' && i + 1 < size)
			continue;
		const char *chunk = in + from;
		size_t n = i + 1 - from;
		bool open = ws_open_form(chunk, n);
		if (open && i + 1 == size && check && read_chunk(ctx, chunk, n) == READ_ALL)
			abort(); /* the REPL would wait, the reader has it all */
		if (open)
			continue;
		if (check && read_chunk(ctx, chunk, n) == READ_EOF)
			abort(); /* the REPL would cut a form short */
		from = i + 1;
	}
	return 0;
}
